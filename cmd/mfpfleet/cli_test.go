package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// Loopback block of these tests: 127.0.80.0 - 127.0.84.255.

type result struct {
	code           int
	stdout, stderr string
}

// mfpfleet runs the CLI in-process, as a technician would type it.
func mfpfleet(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code := run(ctx, append([]string{"mfpfleet"}, args...), strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func TestDiscoverRecordsAndLists(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	devs, err := sim.PlanSNMPFleet(sim.SNMPFleetConfig{Base: netip.MustParseAddr("127.0.80.10"), Count: 4, Vendors: []string{"xerox"}})
	if err != nil {
		t.Fatal(err)
	}
	const port = 16180
	fl, err := sim.StartSNMPFleet(ctx, devs, port, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()

	dir := t.TempDir()
	cfg := filepath.Join(dir, "fleet.toml")
	writeFile(t, cfg, "[discovery]\nport = 16180\ntimeout = \"300ms\"\n[[sites]]\nname = \"Lab\"\nranges = [\"127.0.80.0/28\"]\n")

	// Flags after the target, global --json after the command.
	r := mfpfleet(t, "", "--config", cfg, "discover", "127.0.80.0/24", "--json")
	if r.code != 0 {
		t.Fatalf("discover exit %d: %s", r.code, r.stderr)
	}
	var found []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &found); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, r.stdout)
	}
	if len(found) != 4 {
		t.Fatalf("found %d devices, want exactly the 4 simulated ones: %s", len(found), r.stdout)
	}
	for i, d := range found {
		for _, k := range []string{"ip", "vendor", "model", "serial", "firmware", "mac", "sys_name", "sys_descr", "sys_object_id", "location", "site", "new"} {
			if _, ok := d[k]; !ok {
				t.Errorf("device %d lacks %q", i, k)
			}
		}
		if d["vendor"] != "xerox" || d["site"] != "Lab" || d["new"] != true || d["serial"] != devs[i].Identity.Serial {
			t.Errorf("device %d = %v, want xerox in site Lab, new, serial %s", i, d, devs[i].Identity.Serial)
		}
		// Identification leaves the family; the driver claims it.
		if fam, _ := d["family"].(string); fam != devs[i].Model.Family {
			t.Errorf("device %d (%s): family %q recorded, want %q", i, devs[i].Model.Model, fam, devs[i].Model.Family)
		}
	}

	// Second run: same devices, no longer new; the inventory holds 4.
	r = mfpfleet(t, "", "--config", cfg, "--json", "discover")
	if r.code != 0 || strings.Contains(r.stdout, `"new": true`) {
		t.Fatalf("re-discovery: exit %d, %s %s", r.code, r.stdout, r.stderr)
	}
	r = mfpfleet(t, "", "--config", cfg, "devices", "list", "--site", "Lab")
	if r.code != 0 || strings.Count(r.stdout, "127.0.80.") != 4 {
		t.Fatalf("devices list: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = mfpfleet(t, "", "--config", cfg, "devices", "show", devs[0].Identity.Serial)
	if r.code != 0 || !strings.Contains(r.stdout, "127.0.80.10") {
		t.Fatalf("devices show: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = mfpfleet(t, "", "--config", cfg, "devices", "export", "--format", "csv")
	if lines := strings.Count(strings.TrimSpace(r.stdout), "\n"); r.code != 0 || lines != 4 {
		t.Fatalf("export csv: %d lines\n%s", lines, r.stdout)
	}
	r = mfpfleet(t, "", "--config", cfg, "devices", "show", "NOSUCHSERIAL")
	if r.code == 0 || !strings.Contains(r.stderr, "devices list") {
		t.Fatalf("show unknown: %d %s", r.code, r.stderr)
	}
}

// TestDrivers: `mfpfleet drivers` lists the declared families with their
// factory logins in order and test action, and never a password.
func TestDrivers(t *testing.T) {
	r := mfpfleet(t, "", "drivers")
	if r.code != 0 {
		t.Fatalf("drivers: %d %s", r.code, r.stderr)
	}
	for _, f := range drivers.Infos() {
		for _, fam := range f.Families {
			if !strings.Contains(r.stdout, fam.ID) || !strings.Contains(r.stdout, fam.Test.String()) {
				t.Errorf("table lacks %s (%s):\n%s", fam.ID, fam.Test, r.stdout)
			}
		}
	}
	r = mfpfleet(t, "", "--json", "drivers")
	var fams []struct {
		Family string `json:"family"`
		Logins []struct {
			Kind, Text string
		} `json:"factory_logins"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &fams); err != nil || r.code != 0 || len(fams) == 0 {
		t.Fatalf("drivers --json: %d %v\n%s", r.code, err, r.stdout)
	}
	users := map[string]bool{} // a password that is also a user name (admin/admin) shows as the user
	for _, in := range drivers.Infos() {
		for _, fam := range in.Families {
			for _, l := range fam.Logins {
				users[l.User] = true
			}
		}
	}
	for _, f := range fams {
		want, ok := drivers.FamilyByID(f.Family)
		if !ok || len(f.Logins) != len(want.Logins) {
			t.Fatalf("%s: %d logins listed, declared %+v", f.Family, len(f.Logins), want.Logins)
		}
		for i, l := range want.Logins {
			if f.Logins[i].Kind != l.Kind || f.Logins[i].Text != l.Text {
				t.Errorf("%s: login %d is %+v, want %s", f.Family, i, f.Logins[i], l.Kind)
			}
			if l.Password != "" && !users[l.Password] && strings.Contains(r.stdout, `"`+l.Password+`"`) { // (admin/admin, 7654321/7654321: a user name is shown)
				t.Errorf("%s: --json shows the factory password of %s", f.Family, l.Kind)
			}
		}
	}
	if r := mfpfleet(t, "", "drivers", "extra"); r.code != exitUsage {
		t.Errorf("drivers extra: exit %d", r.code)
	}
}

func TestExitCodesAndHints(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	writeFile(t, bad, "[discovery]\nrate = 10\nratee = 5\n")
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr []string
	}{
		{"config typo names the line", []string{"--config", bad, "devices", "list"}, exitConfig, []string{"line 3", "discovery.ratee"}},
		{"missing explicit config", []string{"--config", filepath.Join(dir, "nope.toml"), "devices", "list"}, exitConfig, []string{"fleet.example.toml"}},
		{"large sweep needs consent", []string{"--db", filepath.Join(dir, "i.db"), "discover", "127.0.0.0/16"}, exitUsage, []string{"--yes"}},
		{"bad target", []string{"--db", filepath.Join(dir, "i.db"), "discover", "printer-7"}, exitUsage, []string{"printer-7"}},
		{"unknown flag", []string{"--db", filepath.Join(dir, "i.db"), "discover", "--frobnicate"}, exitUsage, []string{"frobnicate"}},
		{"no targets no sites", []string{"--db", filepath.Join(dir, "i.db"), "discover"}, exitUsage, []string{"[[sites]]"}},
		{"bad snmp version", []string{"--db", filepath.Join(dir, "i.db"), "discover", "--snmp-version", "4", "127.0.80.1"}, exitUsage, []string{"1, 2c or 3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := mfpfleet(t, "", tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, tc.code, r.stderr)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q: %s", s, r.stderr)
				}
			}
		})
	}
}

func TestGmailCheckAndCredentials(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const appPw = "abcdwxyzabcdwxyz"
	srv, err := standin.Start(ctx, standin.Options{
		Addr: "127.0.81.1", Account: "scans.test@gmail.com",
		AppPassword: config.NewSecret(appPw), AccountPassword: config.NewSecret("Hunter2-Account!"),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := srv.WriteCA(ca); err != nil {
		t.Fatal(err)
	}
	_, sport, _ := strings.Cut(srv.StartTLSAddr, ":")
	_, tport, _ := strings.Cut(srv.TLSAddr, ":")
	cfg := filepath.Join(dir, "fleet.toml")
	writeFile(t, cfg, "[gmail]\naccount = \"scans.test@gmail.com\"\nsmtp_host = \"127.0.81.1\"\nstarttls_port = "+sport+"\ntls_port = "+tport+"\nca_file = \"ca.pem\"\n")

	spaced := "abcd wxyz abcd wxyz"
	r := mfpfleet(t, spaced+"\n", "--config", cfg, "gmail", "check", "--port", "both", "--password-stdin")
	if r.code != 0 || strings.Count(r.stdout, "ok ") != 2 {
		t.Fatalf("check both ports: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = mfpfleet(t, "Hunter2-Account!\n", "--config", cfg, "gmail", "check", "--password-stdin")
	if r.code != exitUsage || !strings.Contains(r.stderr, "apppasswords") {
		t.Fatalf("account password must be refused before any connection: %d %s", r.code, r.stderr)
	}
	r = mfpfleet(t, "qqqqqqqqqqqqqqqq\n", "--config", cfg, "--json", "gmail", "check", "--password-stdin")
	if r.code != exitGmail || !strings.Contains(r.stdout, `"reply_code": 535`) || !strings.Contains(r.stdout, `"next_step"`) {
		t.Fatalf("wrong app password: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = mfpfleet(t, spaced+"\n", "--config", cfg, "--db", filepath.Join(dir, "i.db"), "credentials", "add", "--site", "HQ", "--password-stdin")
	if r.code != 0 || !strings.Contains(r.stdout, "MFP site HQ") {
		t.Fatalf("credentials add: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = mfpfleet(t, "", "--config", cfg, "--db", filepath.Join(dir, "i.db"), "credentials", "list", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"label": "MFP site HQ"`) {
		t.Fatalf("credentials list: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = mfpfleet(t, "", "--config", cfg, "--db", filepath.Join(dir, "i.db"), "credentials", "revoke", "MFP site HQ")
	if r.code != 0 || !strings.Contains(r.stderr, "apppasswords") {
		t.Fatalf("credentials revoke: %d %s %s", r.code, r.stdout, r.stderr)
	}

	// The password never reaches the inventory or any output.
	assertNoSecret(t, dir, appPw, spaced)
}

// assertNoSecret greps every file under dir for the secret forms.
func assertNoSecret(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains the secret %q", p, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestParseParallel(t *testing.T) {
	for in, want := range map[string]int{"": 0, "8": 8, " 64 ": 64, "auto": rollout.ParallelAuto, "AUTO": rollout.ParallelAuto} {
		if got, err := parseParallel(in); err != nil || got != want {
			t.Errorf("parseParallel(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "-3", "many", "4x"} {
		if _, err := parseParallel(in); err == nil || !strings.Contains(err.Error(), "auto") {
			t.Errorf("parseParallel(%q): want an error naming auto, got %v", in, err)
		}
	}
}

// TestDriversMarkdown: the README's vendor table has a row per declared
// family with its confirmed-or-guessed note, and every driven family
// says what of it is confirmed.
func TestDriversMarkdown(t *testing.T) {
	r := mfpfleet(t, "", "drivers", "--markdown")
	if r.code != 0 {
		t.Fatalf("drivers --markdown: %d %s", r.code, r.stderr)
	}
	for _, in := range drivers.Infos() {
		for _, f := range in.Families {
			row := ""
			for _, l := range strings.Split(r.stdout, "\n") {
				if strings.Contains(l, "| `"+f.ID+"` |") {
					row = l
				}
			}
			if row == "" || strings.Count(row, " | ") < 8 {
				t.Errorf("no table row for %s:\n%s", f.ID, r.stdout)
				continue
			}
			if f.Decline == nil && strings.TrimSpace(f.Confirmed) == "" {
				t.Errorf("%s declares no Confirmed note: the README cannot say what is confirmed and what is guessed", f.ID)
			}
		}
	}
}
