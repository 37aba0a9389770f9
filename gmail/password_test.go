package gmail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNormalizeAppPassword(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
		wantErr  error
		wantMsg  string
	}{
		{"google's display form", "abcd efgh ijkl mnop", "abcdefghijklmnop", nil, ""},
		{"upper case, tabs and newline", "ABCD\tEFGH IJKL MNOP\n", "abcdefghijklmnop", nil, ""},
		{"no spaces", "abcdefghijklmnop", "abcdefghijklmnop", nil, ""},
		{"non-breaking spaces from a web page", "abcd\u00a0efgh\u00a0ijkl\u00a0mnop", "abcdefghijklmnop", nil, ""},
		{"empty", "   ", "", ErrNoAppPassword, ""},
		{"too short", "abcd efgh ijkl", "", ErrAppPasswordLength, "got 12 letters"},
		{"too long", "abcd efgh ijkl mnop q", "", ErrAppPasswordLength, "got 17 letters"},
		{"account password", "Winter2026!", "", ErrLooksLikeAccountPassword, "apppasswords"},
		{"16 chars with a digit", "abcd efgh ijkl mno1", "", ErrLooksLikeAccountPassword, "2-Step Verification"},
		{"accented letter", "abcd efgh ijkl mnoé", "", ErrLooksLikeAccountPassword, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NormalizeAppPassword(tc.in)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantMsg) {
					t.Errorf("err %q lacks %q", err, tc.wantMsg)
				}
				if trimmed := strings.Join(strings.Fields(tc.in), ""); len(trimmed) > 3 && strings.Contains(err.Error(), trimmed) {
					t.Errorf("error repeats the input: %q", err)
				}
				if !p.IsZero() {
					t.Errorf("password set on error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Reveal() != tc.want {
				t.Errorf("Reveal = %q, want %q", p.Reveal(), tc.want)
			}
		})
	}
}

func TestAppPasswordRedacts(t *testing.T) {
	p := MustAppPassword("abcd efgh ijkl mnop")
	if p.Spaced() != "abcd efgh ijkl mnop" {
		t.Errorf("Spaced = %q", p.Spaced())
	}
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	log.Info("x", "pw", p, "any", any(p), "secret", p.Secret())
	slog.New(slog.NewTextHandler(&buf, nil)).Info("y", "pw", p)
	j, _ := json.Marshal(struct {
		P AppPassword
		Q *AppPassword
	}{p, &p})
	buf.Write(j)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		fmt.Fprintf(&buf, verb+"\n", p)
		fmt.Fprintf(&buf, verb+"\n", struct{ P AppPassword }{p})
		fmt.Fprintf(&buf, verb+"\n", []AppPassword{p})
	}
	for _, leak := range []string{"abcdefghijklmnop", "abcd efgh", "6162636465"} {
		if strings.Contains(buf.String(), leak) {
			t.Fatalf("leaked %q in:\n%s", leak, buf.String())
		}
	}
	if !strings.Contains(buf.String(), "**redacted**") {
		t.Fatalf("nothing redacted: %s", buf.String())
	}
}

func TestReadAppPassword(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pw")
	if err := os.WriteFile(file, []byte("\nfile file file file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("Hunter2!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	noEnv := env(nil)
	tests := []struct {
		name    string
		src     PasswordSource
		want    string
		wantErr error
		prompt  bool
	}{
		{name: "stdin wins over everything",
			src:  PasswordSource{Stdin: true, StdinReader: strings.NewReader("stdi nstd inst dinx\n"), File: file, LookupEnv: env(map[string]string{DefaultPasswordEnv: "envp envp envp envp"})},
			want: "stdinstdinstdinx"},
		{name: "file before env",
			src:  PasswordSource{File: file, LookupEnv: env(map[string]string{DefaultPasswordEnv: "envp envp envp envp"})},
			want: "filefilefilefile"},
		{name: "default env variable",
			src:  PasswordSource{LookupEnv: env(map[string]string{DefaultPasswordEnv: "envp envp envp envp"})},
			want: "envpenvpenvpenvp"},
		{name: "named env variable",
			src:  PasswordSource{Env: "SITE_PW", LookupEnv: env(map[string]string{"SITE_PW": "site site site site", DefaultPasswordEnv: "envp envp envp envp"})},
			want: "sitesitesitesite"},
		{name: "prompt last",
			src:  PasswordSource{LookupEnv: noEnv, TTYIn: strings.NewReader("ttyp ttyp ttyp ttyp\n"), TTYOut: &bytes.Buffer{}},
			want: "ttypttypttypttyp", prompt: true},
		{name: "empty env falls through to the prompt",
			src:  PasswordSource{LookupEnv: env(map[string]string{DefaultPasswordEnv: " "}), TTYIn: strings.NewReader("ttyp ttyp ttyp ttyp\n"), TTYOut: &bytes.Buffer{}},
			want: "ttypttypttypttyp", prompt: true},
		{name: "empty stdin", src: PasswordSource{Stdin: true, StdinReader: strings.NewReader("\n\n")}, wantErr: ErrNoAppPassword},
		{name: "account password in file", src: PasswordSource{File: bad}, wantErr: ErrLooksLikeAccountPassword},
		{name: "missing file", src: PasswordSource{File: filepath.Join(dir, "nope")}, wantErr: os.ErrNotExist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ReadAppPassword(context.Background(), tc.src)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Reveal() != tc.want {
				t.Errorf("got %q, want %q", p.Reveal(), tc.want)
			}
			if tc.prompt {
				out := tc.src.TTYOut.(*bytes.Buffer).String()
				if !strings.HasPrefix(out, "Gmail app password: ") || !strings.HasSuffix(out, "\r\x1b[K") {
					t.Errorf("prompt output %q: want the prompt, then erased", out)
				}
			}
		})
	}
}

// TestReadAppPasswordNoTerminal runs without a controlling terminal
// (setsid in a child process) and expects the error naming all four ways.
func TestReadAppPasswordNoTerminal(t *testing.T) {
	if os.Getenv("GMAIL_TEST_NO_TTY_CHILD") == "1" {
		_, err := ReadAppPassword(context.Background(), PasswordSource{LookupEnv: func(string) (string, bool) { return "", false }})
		fmt.Print(err)
		return
	}
	if _, err := os.Stat("/usr/bin/setsid"); err != nil {
		t.Skip("setsid not available")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/usr/bin/setsid", exe, "-test.run=^TestReadAppPasswordNoTerminal$")
	cmd.Env = append(os.Environ(), "GMAIL_TEST_NO_TTY_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, want := range []string{"--password-stdin", "--password-file", DefaultPasswordEnv, "terminal"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no-terminal error %q lacks %q", out, want)
		}
	}
}

// TestPromptOnTerminal runs ReadAppPassword in a child process whose
// controlling terminal is a pseudo-terminal made by script(1), types the
// password once the prompt shows, and checks that it was read, not
// echoed, and that the prompt was erased.
func TestPromptOnTerminal(t *testing.T) {
	if os.Getenv("GMAIL_TEST_PROMPT_CHILD") == "1" {
		p, err := ReadAppPassword(context.Background(), PasswordSource{LookupEnv: func(string) (string, bool) { return "", false }, Prompt: "App password for it.scans@gmail.com: "})
		if err != nil {
			fmt.Println("ERR", err)
			return
		}
		fmt.Printf("GOT %d letters, first four %s\n", len(p.Reveal()), strings.ToUpper(p.Reveal()[:4]))
		return
	}
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) not available")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, "-q", "-e", "-c", exe+" -test.run=^TestPromptOnTerminal$", "/dev/null")
	cmd.Env = append(os.Environ(), "GMAIL_TEST_PROMPT_CHILD=1", "TERM=dumb")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(out.String(), "App password for") {
		if ctx.Err() != nil {
			t.Fatalf("no prompt: %q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let it switch echo off after the prompt
	_, _ = io.WriteString(stdin, "abcd efgh ijkl mnop\r")
	err = cmd.Wait()
	got := out.String()
	if err != nil {
		t.Fatalf("%v: %q", err, got)
	}
	if !strings.Contains(got, "GOT 16 letters, first four ABCD") {
		t.Fatalf("child output %q", got)
	}
	if strings.Contains(got, "abcd") || strings.Contains(got, "efgh") {
		t.Errorf("password echoed: %q", got)
	}
	if !strings.Contains(got, "\r\x1b[K") {
		t.Errorf("prompt not erased: %q", got)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestFingerprint(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	a := MustAppPassword("abcd efgh ijkl mnop").Fingerprint(key)
	b := MustAppPassword("ABCDEFGHIJKLMNOP").Fingerprint(key)
	c := MustAppPassword("abcd efgh ijkl mnoq").Fingerprint(key)
	d := MustAppPassword("abcd efgh ijkl mnop").Fingerprint([]byte("another key"))
	if a != b || a == c || a == d || len(a) != 64 {
		t.Fatalf("fingerprints %s %s %s %s", a, b, c, d)
	}
	if strings.Contains(a, "abcd") {
		t.Fatal("fingerprint contains the password")
	}
}
