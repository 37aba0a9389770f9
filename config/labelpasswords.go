package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// LabelPasswords maps a device's serial number (upper case) to the admin
// password printed on its label: current Brother models ship with a
// per-device password ("Pwd" on the label) that is not readable over the
// network. The technician types them into a file ([rollout]
// label_passwords); mfpfleet never derives one.
type LabelPasswords map[string]Secret

// Lookup returns the label password of serial (case and surrounding
// space ignored).
func (l LabelPasswords) Lookup(serial string) (Secret, bool) {
	s, ok := l[strings.ToUpper(strings.TrimSpace(serial))]
	return s, ok && !s.Empty()
}

// LoadLabelPasswords reads a label-password file: one device a line,
// its serial then its password, separated by a comma, a tab or spaces;
// blank lines and lines starting with # are skipped. The file holds
// admin passwords, so it must be readable by its owner only (mode 0600):
// a file others can read is refused with the chmod that fixes it.
func LoadLabelPasswords(path string) (LabelPasswords, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("label passwords: %w (set [rollout] label_passwords in fleet.toml to a file of serial,password lines)", pathHint(err))
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("label passwords: %s has mode %04o, readable by others: it holds admin passwords; run `chmod 600 %s`", path, fi.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("label passwords: %w", err)
	}
	return ParseLabelPasswords(path, b)
}

// ParseLabelPasswords parses a label-password file's content (name is
// for errors). Errors give the line number, never a password.
func ParseLabelPasswords(name string, b []byte) (LabelPasswords, error) {
	out := LabelPasswords{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		serial, pw, ok := strings.Cut(line, ",")
		if !ok {
			f := strings.Fields(line)
			if len(f) != 2 {
				return nil, fmt.Errorf("label passwords: %s line %d: want a serial and a password (\"E78265A9N123456,Xk7#pQ2m\")", name, n)
			}
			serial, pw = f[0], f[1]
		}
		serial = strings.ToUpper(strings.TrimSpace(serial))
		pw = strings.TrimSpace(pw)
		if serial == "" || pw == "" || strings.ContainsAny(serial, " \t") {
			return nil, fmt.Errorf("label passwords: %s line %d: want a serial and a password (\"E78265A9N123456,Xk7#pQ2m\")", name, n)
		}
		if old, dup := out[serial]; dup && old.Reveal() != pw {
			return nil, fmt.Errorf("label passwords: %s line %d: serial %s is listed twice with different passwords", name, n, serial)
		}
		out[serial] = NewSecret(pw)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("label passwords: %s: %w", name, err)
	}
	return out, nil
}

// LabelPasswords loads the file [rollout] label_passwords names (nil
// when none is set).
func (c *Config) LabelPasswords() (LabelPasswords, error) {
	if c.Rollout.LabelPasswords == "" {
		return nil, nil
	}
	return LoadLabelPasswords(c.Rollout.LabelPasswords)
}
