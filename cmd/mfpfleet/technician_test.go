package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices/sim"
)

// Scenarios of issue 10 §2 ("what else a technician hit"), each through
// the CLI against a simulated fleet. Addresses: 127.0.83.0/24, SNMP
// port 16183.

// techFleet is a simulated fleet, discovered, with its fleet.toml.
type techFleet struct {
	fleet *sim.Fleet
	cfg   string
	pw    string
	dir   string
}

func newTechFleet(t *testing.T, base string, count int, fo sim.FleetOptions) *techFleet {
	t.Helper()
	needChromium(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dir := t.TempDir()
	fo.Base = netip.MustParseAddr(base)
	fo.Count = count
	fo.Vendors = []string{"xerox"}
	fo.StateDir = filepath.Join(dir, "state")
	fo.NoHTTP = true
	fo.SNMPPort = 16183
	if !fo.GmailAddr.IsValid() {
		fo.GmailAddr = netip.MustParseAddr("127.0.83.250")
	}
	f, err := sim.StartFleet(ctx, fo)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	tf := &techFleet{fleet: f, cfg: f.ConfigPath, pw: f.AppPassword.Reveal(), dir: dir}
	if r := tf.run(t, "", "discover"); r.code != 0 {
		t.Fatalf("discover: %d %s", r.code, r.stderr)
	}
	return tf
}

func (tf *techFleet) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return mfpfleet(t, stdin, append([]string{"--config", tf.cfg, "--db", filepath.Join(tf.dir, "fleet.db")}, args...)...)
}

type jsonSummary struct {
	Kind    string `json:"kind"`
	Devices []struct {
		IP     string `json:"ip"`
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"devices"`
}

func parseSummary(t *testing.T, r result) jsonSummary {
	t.Helper()
	var s jsonSummary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("not a JSON summary: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	return s
}

func (s jsonSummary) status(ip string) string {
	for _, d := range s.Devices {
		if d.IP == ip {
			return d.Status
		}
	}
	return ""
}

// TestTestRerunHintMatchesBehaviour (§2.6): after `test --all` with a
// failure, the hint says what a re-run really does, and its command
// tests only the failed device.
func TestTestRerunHintMatchesBehaviour(t *testing.T) {
	// .1 AltaLink C8045, .2 AltaLink C8070, .3 WorkCentre 7556 (TLS 1.0
	// only: its test e-mail fails).
	tf := newTechFleet(t, "127.0.83.1", 3, sim.FleetOptions{})
	if r := tf.run(t, tf.pw+"\n", "push", "--all", "--password-stdin"); r.code != exitSomeFailed {
		t.Fatalf("push: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := tf.run(t, tf.pw+"\n", "--json", "test", "--all", "--password-stdin")
	if r.code != exitSomeFailed {
		t.Fatalf("test: exit %d\n%s", r.code, r.stderr)
	}
	if s := parseSummary(t, r); s.status("127.0.83.1") != "confirmed" || s.status("127.0.83.3") != "failed" {
		t.Fatalf("test --all: %s", r.stdout)
	}
	hint := r.stderr[strings.LastIndex(r.stderr, "hint: "):]

	// The same command again: what does it do with the confirmed ones?
	again := tf.run(t, tf.pw+"\n", "--json", "test", "--all", "--password-stdin")
	retested := parseSummary(t, again).status("127.0.83.1") == "confirmed"
	if says := strings.Contains(hint, "confirmed devices are skipped"); says == retested {
		t.Fatalf("the hint %q does not match the re-run, which left the confirmed device %q", hint, parseSummary(t, again).status("127.0.83.1"))
	}
	// The command the hint gives tests only the failed device.
	const want = "mfpfleet test --ip 127.0.83.3"
	if !strings.Contains(hint, want) {
		t.Fatalf("hint %q does not name %q", hint, want)
	}
	only := tf.run(t, tf.pw+"\n", "--json", "test", "--ip", "127.0.83.3", "--password-stdin")
	if s := parseSummary(t, only); len(s.Devices) != 1 || s.status("127.0.83.3") != "failed" {
		t.Fatalf("the hint's command: %s", only.stdout)
	}
}

// TestTestWaitSaysWhereToScan (§2.1): `test --wait --ip A` prints the
// plus-address to scan to (and the device) before waiting, counts down,
// exits non-zero when nothing arrived, and confirms when a scan does.
func TestTestWaitSaysWhereToScan(t *testing.T) {
	// .6 is a WorkCentre 6605DN: no test action.
	tf := newTechFleet(t, "127.0.83.1", 6, sim.FleetOptions{})
	const ip = "127.0.83.6"
	r := tf.run(t, tf.pw+"\n", "--json", "push", "--ip", ip, "--password-stdin")
	// Its only device-side check is a connection test: nothing was sent.
	if st := parseSummary(t, r).status(ip); r.code != 0 || (st != "written-unconfirmed" && st != "connection-tested") {
		t.Fatalf("push: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var sum struct {
		Devices []struct {
			TestAddress string `json:"test_address"`
		} `json:"devices"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || len(sum.Devices) != 1 || sum.Devices[0].TestAddress == "" {
		t.Fatalf("no test address in %s", r.stdout)
	}
	to := sum.Devices[0].TestAddress

	// Nobody scans.
	r = tf.run(t, tf.pw+"\n", "test", "--wait", "--ip", ip, "--confirm-timeout", "5s", "--password-stdin")
	if r.code != exitSomeFailed {
		t.Fatalf("nothing arrived: exit %d, want %d\n%s", r.code, exitSomeFailed, r.stderr)
	}
	waiting := strings.Index(r.stderr, "waiting for a scan   "+ip)
	if waiting < 0 || !strings.Contains(r.stderr[waiting:], to) || !strings.Contains(r.stderr[waiting:], "WorkCentre 6605DN") {
		t.Fatalf("the address to scan to (%s) and the device are not announced:\n%s", to, r.stderr)
	}
	if !strings.Contains(r.stderr, "s left, to "+to) {
		t.Errorf("no countdown:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "nothing arrived at "+to) || !strings.Contains(r.stderr, "mfpfleet test --wait --ip "+ip) {
		t.Errorf("the failure does not say what to do:\n%s", r.stderr)
	}

	// Someone scans while it waits.
	go func() {
		time.Sleep(2 * time.Second)
		tf.fleet.Device(netip.MustParseAddr(ip)).ScanToEmail(context.Background(), to)
	}()
	r = tf.run(t, tf.pw+"\n", "--json", "test", "--wait", "--ip", ip, "--confirm-timeout", "90s", "--password-stdin")
	if r.code != 0 || parseSummary(t, r).status(ip) != "confirmed" {
		t.Fatalf("a scan arrived: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestProbeLogin (§2.4): probe --login exists; it tries only the
// configured admin password, once, records the attempt, refuses when the
// budget is used up, and saves the SMTP page when it gets in.
func TestProbeLogin(t *testing.T) {
	const ip = "127.0.83.1" // AltaLink C8045
	tf := newTechFleet(t, ip, 1, sim.FleetOptions{
		AdminPasswords: map[netip.Addr]config.Secret{netip.MustParseAddr(ip): config.NewSecret("Right-Admin-9")},
	})
	vault := filepath.Join(filepath.Dir(tf.cfg), "admin-passwords", ip)
	out := filepath.Join(tf.dir, "probe")
	failed := func() string {
		t.Helper()
		r := tf.run(t, "", "--json", "devices", "show", ip)
		var v struct {
			N int `json:"failed_admin_logins"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
			t.Fatalf("devices show: %v %s", err, r.stdout)
		}
		return fmt.Sprint(v.N)
	}

	// A wrong (stale) vault password: one attempt, recorded, exit 6.
	writeFile(t, vault, "Stale-Admin-1\n")
	r := tf.run(t, "", "probe", ip, "--login", "--out", out)
	if r.code != exitLocked || !strings.Contains(r.stderr, "probe --login") {
		t.Fatalf("wrong password: exit %d\n%s", r.code, r.stderr)
	}
	if n := failed(); n != "1" {
		t.Fatalf("%s failed logins recorded, want 1", n)
	}
	if got := tf.fleet.Device(netip.MustParseAddr(ip)).FailedLogins(); got != 1 {
		t.Fatalf("the device saw %d failed logins, want 1 (no factory default tried)", got)
	}

	// The right one: logged in, the SMTP page saved.
	writeFile(t, vault, "Right-Admin-9\n")
	r = tf.run(t, "", "--json", "probe", ip, "--login", "--out", out)
	var rep struct {
		LoggedIn bool `json:"logged_in"`
		Pages    []struct {
			Role string `json:"role"`
		} `json:"pages"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); r.code != 0 || err != nil || !rep.LoggedIn {
		t.Fatalf("right password: exit %d %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, `"smtp"`) {
		t.Errorf("no SMTP page in the probe: %s", r.stdout)
	}
	if strings.Contains(r.stdout+r.stderr, "Right-Admin-9") {
		t.Fatal("the admin password is in the output")
	}

	// Budget used up (3 for ConnectKey): not tried at all.
	writeFile(t, vault, "Stale-Admin-1\n")
	for range 2 {
		tf.run(t, "", "probe", ip, "--login", "--out", out)
	}
	before := tf.fleet.Device(netip.MustParseAddr(ip)).FailedLogins()
	r = tf.run(t, "", "probe", ip, "--login", "--out", out)
	if r.code != exitLocked || !strings.Contains(r.stderr, "not tried") || tf.fleet.Device(netip.MustParseAddr(ip)).FailedLogins() != before {
		t.Fatalf("budget used up: exit %d, device failures %d→%d\n%s", r.code, before, tf.fleet.Device(netip.MustParseAddr(ip)).FailedLogins(), r.stderr)
	}

	// No configured password: a configuration error naming the fix.
	empty := filepath.Join(tf.dir, "empty.toml")
	writeFile(t, empty, "")
	r = mfpfleet(t, "", "--config", empty, "--db", filepath.Join(tf.dir, "fleet.db"), "probe", ip, "--login", "--out", out)
	if r.code != exitConfig || !strings.Contains(r.stderr, "[[credentials]] address = \""+ip) {
		t.Fatalf("no configured password: exit %d\n%s", r.code, r.stderr)
	}
}
