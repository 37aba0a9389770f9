package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

// Loopback block of the doctor tests: 127.0.86.0 - 127.0.86.255.

// doctorLab is a Gmail stand-in and a fleet.toml pointing doctor at it
// (never at smtp.gmail.com).
type doctorLab struct {
	dir, cfg string
	gmail    string // the [gmail] table
}

func newDoctorLab(t *testing.T, addr string, startTLSPort, tlsPort int) *doctorLab {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv, err := standin.Start(ctx, standin.Options{Addr: addr, StartTLSPort: startTLSPort, TLSPort: tlsPort,
		Account: "scans.test@gmail.com", AppPassword: config.NewSecret("abcdwxyzabcdwxyz")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	// A folder with a space, as on Windows ("C:\Users\Tech Name").
	dir := filepath.Join(t.TempDir(), "Tech Name")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := srv.WriteCA(filepath.Join(dir, "ca.pem")); err != nil {
		t.Fatal(err)
	}
	_, sport, _ := strings.Cut(srv.StartTLSAddr, ":")
	_, tport, _ := strings.Cut(srv.TLSAddr, ":")
	l := &doctorLab{dir: dir, cfg: filepath.Join(dir, "fleet.toml"),
		gmail: fmt.Sprintf("[gmail]\nsmtp_host = %q\nstarttls_port = %s\ntls_port = %s\nca_file = 'ca.pem'\n", addr, sport, tport)}
	l.write(t, "")
	return l
}

// write writes fleet.toml: the [gmail] table, test browser flags, extra.
func (l *doctorLab) write(t *testing.T, extra string) {
	t.Helper()
	writeFile(t, l.cfg, l.gmail+
		"[discovery]\nport = 16186\n"+
		"[browser]\nflags = [\"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.*\"]\n"+extra)
}

// doctor runs `mfpfleet doctor --json` and returns its checks by name.
func (l *doctorLab) doctor(t *testing.T, args ...string) (result, map[string]doctorCheck) {
	t.Helper()
	r := mfpfleet(t, "", append([]string{"--config", l.cfg, "--json", "doctor", "--timeout", "20s"}, args...)...)
	var rep doctorReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("doctor --json: exit %d, %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
	}
	checks := map[string]doctorCheck{}
	for _, c := range rep.Checks {
		checks[c.Name] = c
	}
	for _, name := range []string{"config", "browser", "inventory", "snmp"} {
		if _, ok := checks[name]; !ok {
			t.Fatalf("no %s line: %+v", name, rep.Checks)
		}
	}
	if rep.OK != (r.code == 0) {
		t.Fatalf("ok=%v but exit %d", rep.OK, r.code)
	}
	return r, checks
}

func portOf(gmailTable, key string) string {
	for _, line := range strings.Split(gmailTable, "\n") {
		if k, v, ok := strings.Cut(line, " = "); ok && k == key {
			return v
		}
	}
	return ""
}

func (l *doctorLab) smtp(checks map[string]doctorCheck, key string) doctorCheck {
	return checks["smtp "+portOf(l.gmail, key)]
}

func wantFail(t *testing.T, ch doctorCheck, fix ...string) {
	t.Helper()
	if ch.Status != checkFail {
		t.Fatalf("%s: status %s, want fail: %+v", ch.Name, ch.Status, ch)
	}
	for _, f := range fix {
		if !strings.Contains(ch.Fix, f) {
			t.Errorf("%s: fix %q does not say %q (detail: %s)", ch.Name, ch.Fix, f, ch.Detail)
		}
	}
}

func wantOK(t *testing.T, checks map[string]doctorCheck, names ...string) {
	t.Helper()
	for _, n := range names {
		if c := checks[n]; c.Status != checkOK && c.Status != checkWarn {
			t.Errorf("%s: %+v, want ok", n, c)
		}
	}
}

// TestDoctor makes each check fail once, on this machine, and reads the fix.
func TestDoctor(t *testing.T) {
	needChromium(t)
	l := newDoctorLab(t, "127.0.86.9", 0, 0)
	db := filepath.Join(l.dir, "fleet.db")

	// Everything in place.
	r, checks := l.doctor(t, "--db", db)
	wantOK(t, checks, "config", "browser", "inventory", "snmp")
	if c := l.smtp(checks, "starttls_port"); c.Status != checkOK {
		t.Errorf("starttls: %+v", c)
	}
	if c := l.smtp(checks, "tls_port"); c.Status != checkOK {
		t.Errorf("tls: %+v", c)
	}
	if r.code != 0 {
		t.Fatalf("all good, exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("doctor created the inventory")
	}
	// The human form: one line per check.
	h := mfpfleet(t, "", "--config", l.cfg, "doctor", "--db", db)
	if h.code != 0 || !strings.Contains(h.stdout, "OK    browser") || !strings.Contains(h.stdout, "This laptop is ready") {
		t.Fatalf("doctor: %d\n%s%s", h.code, h.stdout, h.stderr)
	}

	t.Run("no browser", func(t *testing.T) {
		l.write(t, "path = '/opt/no such browser/chrome'\n")
		defer l.write(t, "")
		r, checks := l.doctor(t, "--db", db)
		if r.code != 1 {
			t.Errorf("exit %d", r.code)
		}
		wantFail(t, checks["browser"], "fix the path")
		if !strings.Contains(checks["browser"].Detail, "/opt/no such browser/chrome") {
			t.Errorf("detail does not name the path: %s", checks["browser"].Detail)
		}
		wantOK(t, checks, "config", "inventory")

		// Nothing on PATH and no path set: how to install one on Linux.
		l.write(t, "")
		t.Setenv("PATH", t.TempDir())
		_, checks = l.doctor(t, "--db", db)
		wantFail(t, checks["browser"], "apt-get install chromium-headless-shell", "[browser] path")
	})

	t.Run("read-only inventory folder", func(t *testing.T) {
		ro := filepath.Join(l.dir, "read only")
		if err := os.Mkdir(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		readOnly(t, ro)
		_, checks := l.doctor(t, "--db", filepath.Join(ro, "fleet.db"))
		wantFail(t, checks["inventory"], "--db", "[inventory] path")
		if !strings.Contains(checks["inventory"].Detail, "read-only") {
			t.Errorf("detail: %s", checks["inventory"].Detail)
		}
		// push would fail the same way: Open says so.
		r := mfpfleet(t, "", "--config", l.cfg, "--db", filepath.Join(ro, "fleet.db"), "devices", "list")
		if r.code == 0 {
			t.Errorf("devices list in a read-only folder: exit 0")
		}
	})

	t.Run("broken config", func(t *testing.T) {
		// A Windows path in double quotes: \U starts an escape.
		l.write(t, "[inventory]\npath = \"C:\\Users\\tech\\fleet.db\"\n")
		defer l.write(t, "")
		r, checks := l.doctor(t, "--db", db)
		if r.code != 1 {
			t.Errorf("exit %d", r.code)
		}
		wantFail(t, checks["config"], "single quotes", "fleet.example.toml")
		// The other checks still ran, on the defaults.
		if checks["inventory"].Status == "" || checks["browser"].Status == "" {
			t.Errorf("other checks missing: %+v", checks)
		}
		// An unknown key.
		l.write(t, "[rollout]\nparalel = 4\n")
		_, checks = l.doctor(t, "--db", db)
		wantFail(t, checks["config"], "fleet.example.toml")
		if !strings.Contains(checks["config"].Detail, "paralel") {
			t.Errorf("detail: %s", checks["config"].Detail)
		}
		// Other commands still stop at a broken config (exit 3).
		if r := mfpfleet(t, "", "--config", l.cfg, "devices", "list"); r.code != exitConfig {
			t.Errorf("devices list with a broken config: exit %d", r.code)
		}
	})
}

// readOnly makes dir unwritable even for root (the CI runs as root, who
// ignores mode bits): the immutable attribute, where it is available.
func readOnly(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		return // 0555 is enough
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			t.Fatalf("chattr +i (needed as root): %v %s", err, out)
		}
		t.Skipf("running as root and chattr +i fails: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("chattr", "-i", dir).Run() })
}

// TestDoctorSMTPPortBlocked blocks port 587 in a network namespace of its
// own (a routing rule that prohibits TCP to 587, as a firewall's reject
// does) while a Gmail stand-in listens on 587 and 465 there: doctor says
// 587 is blocked and what to do, and 465 works.
func TestDoctorSMTPPortBlocked(t *testing.T) {
	if os.Getenv("MFPFLEET_DOCTOR_NETNS") != "1" {
		// The parent: rerun this test in a new namespace.
		if os.Geteuid() != 0 {
			if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
				t.Fatal("needs root for a network namespace (MFPFLEET_REQUIRE_PEERS=1)")
			}
			t.Skip("needs root for a network namespace")
		}
		cmd := exec.Command("unshare", "-n", os.Args[0], "-test.run=^TestDoctorSMTPPortBlocked$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "MFPFLEET_DOCTOR_NETNS=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("in its namespace: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "--- PASS: TestDoctorSMTPPortBlocked") {
			t.Fatalf("the test did not run in its namespace:\n%s", out)
		}
		t.Logf("%s", out)
		return
	}
	for _, args := range [][]string{
		{"link", "set", "lo", "up"},
		// The local table is consulted first; move it after the block.
		{"rule", "add", "pref", "100", "lookup", "local"},
		{"rule", "del", "pref", "0", "lookup", "local"},
		{"rule", "add", "pref", "10", "to", "127.0.86.20", "ipproto", "tcp", "dport", "587", "prohibit"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v %s", args, err, out)
		}
	}
	l := newDoctorLab(t, "127.0.86.20", 587, 465)
	r, checks := l.doctor(t, "--db", filepath.Join(l.dir, "fleet.db"))
	if r.code != 1 {
		t.Errorf("exit %d", r.code)
	}
	c587 := checks["smtp 587"]
	wantFail(t, c587, "465", "VPN")
	if !strings.Contains(c587.Detail, "blocks") {
		t.Errorf("587 detail: %s", c587.Detail)
	}
	if c := checks["smtp 465"]; c.Status != checkOK {
		t.Errorf("465: %+v", c)
	}
	t.Logf("587: %s / fix: %s", c587.Detail, c587.Fix)
}
