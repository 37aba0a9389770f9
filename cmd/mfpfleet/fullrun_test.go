package main

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"

	"path/filepath"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
)

func needChromium(t *testing.T) {
	t.Helper()
	_, err := drivers.FindChromium("")
	if err == nil {
		return
	}
	if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
		t.Fatalf("chromium required (MFPFLEET_REQUIRE_PEERS=1): %v", err)
	}
	t.Skip(err)
}

// TestFullRunKeepsSecrets runs the technician's whole job through the CLI
// against a simulated fleet — discover, push, audit to HTML, exports — at
// debug log level, then greps every output, the inventory, the artifacts
// and the report for the app password (as typed, with spaces, and
// normalised) and for a configured admin password.
func TestFullRunKeepsSecrets(t *testing.T) {
	needChromium(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	adminPw := "Adm1n-Secret-7Q"
	f, err := sim.StartFleet(ctx, sim.FleetOptions{
		Base: netip.MustParseAddr("127.0.82.1"), Count: 3, Vendors: []string{"xerox"},
		StateDir: state, NoHTTP: true, SNMPPort: 16182,
		GmailAddr:      netip.MustParseAddr("127.0.82.250"),
		AdminPasswords: map[netip.Addr]config.Secret{netip.MustParseAddr("127.0.82.2"): config.NewSecret(adminPw)},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg := f.ConfigPath
	pw := f.AppPassword.Reveal()
	spaced := pw[:4] + " " + pw[4:8] + " " + pw[8:12] + " " + pw[12:]
	report := filepath.Join(dir, "out", "report.html")

	var outputs []string
	step := func(stdin string, wantCodes []int, args ...string) result {
		t.Helper()
		r := mfpfleet(t, stdin, append([]string{"--config", cfg, "--log-level", "debug"}, args...)...)
		outputs = append(outputs, r.stdout, r.stderr)
		for _, c := range wantCodes {
			if r.code == c {
				return r
			}
		}
		t.Fatalf("%v: exit %d, want %v\nstdout:\n%s\nstderr:\n%s", args, r.code, wantCodes, r.stdout, r.stderr)
		return r
	}
	step("", []int{0}, "discover")
	// Typed with spaces, as Google shows it.
	r := step(strings.ToUpper(spaced)+"\n", []int{0, exitSomeFailed}, "--json", "push", "--all", "--password-stdin")
	var sum struct {
		Devices []struct {
			IP     string `json:"ip"`
			Status string `json:"status"`
		} `json:"devices"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatalf("push --json: %v\n%s", err, r.stdout)
	}
	confirmed := 0
	for _, d := range sum.Devices {
		if d.Status == "confirmed" {
			confirmed++
		}
	}
	if confirmed < 2 {
		t.Fatalf("want at least the two AltaLinks confirmed, got %s", r.stdout)
	}
	step("", []int{0}, "audit", "--html", report)
	step("", []int{0}, "--json", "audit")
	step("", []int{0}, "credentials", "list")
	step("", []int{0}, "devices", "export", "--format", "json")

	if b, err := os.ReadFile(report); err != nil || !strings.Contains(string(b), "127.0.82.1") {
		t.Fatalf("report missing or without the devices: %v", err)
	}
	secrets := []string{pw, spaced, strings.ToUpper(pw), adminPw}
	for i, o := range outputs {
		for _, s := range secrets {
			if strings.Contains(o, s) {
				t.Errorf("output %d contains a secret:\n%s", i, o)
			}
		}
	}
	// Everything written under the state dir except the simulator's own
	// secret files (the "Google" side: app-password and the app-passwords
	// list; the device's vault; the simulated devices' memory under
	// devices/, which holds what a real device stores).
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		if b := filepath.Base(p); b == "app-password" || b == "app-passwords" || strings.Contains(p, "admin-passwords") ||
			filepath.Base(filepath.Dir(p)) == "devices" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Errorf("%s contains a secret", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
