package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
)

// The web-side mfpsim test uses 127.0.39.60-99 (the web/sim helper's
// block).
func TestRunServesFleetAndWritesState(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("S3cret-admin\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o := options{
		base: "127.0.39.60", count: 4, vendors: []string{"xerox"}, snmpPort: 0, logLevel: "warn",
		stateDir: dir, httpsPort: 0, httpPort: 0, lockoutAfter: 3,
		faults:       []string{"layout=127.0.39.61", "slow:10ms=127.0.39.62,127.0.39.63"},
		smtpTLS:      []string{"127.0.39.63=none"},
		adminPWFiles: []string{"127.0.39.60=" + pwFile},
		gmailAddr:    "127.0.39.99", gmailAccount: "scans.demo@gmail.com", gmailMinTLS: "1.2",
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, o, pw, io.Discard); pw.Close() }()
	var lines []string
	sc := bufio.NewScanner(pr)
	ready := false
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if sc.Text() == "mfpsim: ready" {
			ready = true
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if !ready {
		cancel()
		t.Fatalf("no ready line; output:\n%s\nerr: %v", strings.Join(lines, "\n"), <-done)
	}
	out := strings.Join(lines, "\n")
	for _, want := range []string{"xerox/connectkey", "xerox/versalink", "set-by-option", "faults=layout", "faults=slow:10ms", "gmail\tscans.demo@gmail.com", "config\t" + filepath.Join(dir, "fleet.toml")} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "S3cret-admin") {
		t.Fatal("output shows an admin password")
	}
	cfg, err := config.Load(filepath.Join(dir, "fleet.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Gmail.SMTPHost != "127.0.39.99" || len(cfg.Credentials) != 1 {
		t.Fatalf("config %+v", cfg)
	}
	// A device's web admin answers.
	var url string
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) == 8 && strings.HasPrefix(f[0], "127.0.39.61:") {
			url = strings.Split(f[6], ",")[1] // the HTTP one
		}
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url + "/properties/authentication/login.php")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatal(resp.Status)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
}

func TestFleetFlagErrors(t *testing.T) {
	base := options{base: "127.0.39.80", count: 1, logLevel: "warn", lockoutAfter: 5, gmailAddr: "127.0.0.1", gmailMinTLS: "1.2"}
	for _, tc := range []struct {
		name string
		mod  func(*options)
		want string
	}{
		{"bad fault", func(o *options) { o.faults = []string{"melt=127.0.39.80"} }, "unknown fault"},
		{"bad smtp-tls", func(o *options) { o.smtpTLS = []string{"127.0.39.80=ssl3"} }, "tls12, tls10 or none"},
		{"missing password file", func(o *options) { o.adminPWFiles = []string{"127.0.39.80=/nonexistent/pw"} }, "/nonexistent/pw"},
		{"unset env", func(o *options) { o.adminPWEnvs = []string{"127.0.39.80=MFPSIM_TEST_UNSET_VAR"} }, "MFPSIM_TEST_UNSET_VAR"},
		{"bad min tls", func(o *options) { o.gmailMinTLS = "1.4" }, "--gmail-min-tls"},
		{"zero lockout", func(o *options) { o.lockoutAfter = 0 }, "--lockout-after 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			tc.mod(&o)
			err := run(context.Background(), o, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
