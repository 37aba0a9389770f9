package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneExitCodePerClass: the same kind of mistake gets the same exit
// code in every command (issue 10 §2.8), and input that would otherwise
// be ignored is refused (§2.7).
func TestOneExitCodePerClass(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "fleet.toml")
	writeFile(t, cfg, "# no [gmail] account\n")
	db := filepath.Join(dir, "fleet.db")
	base := []string{"--config", cfg, "--db", db}
	const pw = "abcdwxyzabcdwxyz\n"
	cases := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stderr string
	}{
		{"push: bad address", pw, []string{"push", "--ip", "10.0.0.300", "--account", "a@example.com", "--password-stdin"}, exitUsage, "10.0.0.300"},
		{"push dry run: bad address", "", []string{"push", "--ip", "10.0.0.300", "--dry-run", "--account", "a@example.com"}, exitUsage, "10.0.0.300"},
		{"test: bad address", pw, []string{"test", "--ip", "10.0.0.300", "--account", "a@example.com", "--password-stdin"}, exitUsage, "10.0.0.300"},
		{"discover: bad address", "", []string{"discover", "10.0.0.300"}, exitUsage, "10.0.0.300"},
		{"push dry run: no account", "", []string{"push", "--all", "--dry-run"}, exitConfig, "[gmail] account"},
		{"gmail check: no account", pw, []string{"gmail", "check", "--password-stdin"}, exitConfig, "[gmail] account"},
		{"credentials add: no account", pw, []string{"credentials", "add", "--label", "L", "--password-stdin", "--skip-check"}, exitConfig, "[gmail] account"},
		{"audit: stray argument", "", []string{"audit", "bogus-arg"}, exitUsage, "bogus-arg"},
		{"devices list: stray argument", "", []string{"devices", "list", "HQ"}, exitUsage, "HQ"},
		{"devices: unknown subcommand", "", []string{"devices", "lsit"}, exitUsage, "lsit"},
		{"audit --csv without a file", "", []string{"audit", "--csv"}, exitUsage, "csv"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := mfpfleet(t, tc.stdin, append(base, tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("exit %d, want %d with %q; stderr:\n%s", r.code, tc.code, tc.stderr, r.stderr)
			}
		})
	}

	// audit --csv FILE writes the file, not stdout.
	csv := filepath.Join(dir, "a.csv")
	r := mfpfleet(t, "", append(base, "audit", "--csv", csv)...)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("audit --csv FILE: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	if b, err := os.ReadFile(csv); err != nil || !strings.HasPrefix(string(b), "site,") {
		t.Fatalf("the CSV file: %v %q", err, b)
	}
	if r = mfpfleet(t, "", append(base, "audit", "--csv", "-")...); r.code != 0 || !strings.Contains(r.stdout, ",") {
		t.Fatalf("audit --csv -: exit %d, stdout %q", r.code, r.stdout)
	}

	// A password file others can read: accepted, with a warning.
	loose := filepath.Join(dir, "app-password.txt")
	if err := os.WriteFile(loose, []byte(pw), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(loose, 0o644); err != nil {
		t.Fatal(err)
	}
	r = mfpfleet(t, "", append(base, "credentials", "add", "--account", "a@example.com", "--label", "L", "--skip-check", "--password-file", loose)...)
	if r.code != 0 || !strings.Contains(r.stderr, "chmod 600 "+loose) {
		t.Fatalf("0644 password file: exit %d, stderr %s", r.code, r.stderr)
	}
	if err := os.Chmod(loose, 0o600); err != nil {
		t.Fatal(err)
	}
	r = mfpfleet(t, "", append(base, "credentials", "add", "--account", "a@example.com", "--label", "L", "--skip-check", "--password-file", loose)...)
	if r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Fatalf("0600 password file: exit %d, stderr %s", r.code, r.stderr)
	}
}

// TestLabelPasswordsFileRead: [rollout] label_passwords is read by every
// command (the Brother factory logins use it); a file others can read is
// refused as a config error naming the fix, and its contents never shown.
func TestLabelPasswordsFileRead(t *testing.T) {
	dir := t.TempDir()
	labels := filepath.Join(dir, "labels.csv")
	writeFile(t, labels, "E78234K1N123456,Zx9qLabelPw\n")
	if err := os.Chmod(labels, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "fleet.toml")
	writeFile(t, cfg, "[rollout]\nlabel_passwords = \"labels.csv\"\n")
	base := []string{"--config", cfg, "--db", filepath.Join(dir, "fleet.db")}
	r := mfpfleet(t, "", append(base, "devices", "list")...)
	if r.code != exitConfig || !strings.Contains(r.stderr, "chmod 600") || strings.Contains(r.stderr+r.stdout, "Zx9qLabelPw") {
		t.Fatalf("world-readable label file: exit %d, stderr %s", r.code, r.stderr)
	}
	if err := os.Chmod(labels, 0o600); err != nil {
		t.Fatal(err)
	}
	if r = mfpfleet(t, "", append(base, "devices", "list")...); r.code != 0 {
		t.Fatalf("private label file: exit %d, stderr %s", r.code, r.stderr)
	}
}
