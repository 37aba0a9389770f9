package sim

import (
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
	_ "github.com/mfpfleet/mfpfleet/drivers/all"
)

// The fleet tests use 127.0.39.0/24.

func TestStartFleetWritesAUsableConfig(t *testing.T) {
	dir := t.TempDir()
	base := netip.MustParseAddr("127.0.39.1")
	slow := netip.MustParseAddr("127.0.39.2")
	custom := netip.MustParseAddr("127.0.39.4")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f, err := StartFleet(ctx, FleetOptions{
		Base: base, Count: 8, Vendors: []string{"xerox"}, StateDir: dir,
		HTTPSPort: -1, HTTPPort: -1, SNMPPort: -1, GmailAddr: netip.MustParseAddr("127.0.39.250"),
		Faults:         map[netip.Addr]Faults{slow: {Slow: 1}},
		AdminPasswords: map[netip.Addr]config.Secret{custom: config.NewSecret("Adm1n-secret")},
		Logger:         testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	if len(f.Devices) != 8 {
		t.Fatalf("%d devices", len(f.Devices))
	}
	var fams []string
	for _, d := range f.Devices {
		if d.Model.Family == "xerox/legacy" {
			if d.Web != nil {
				t.Errorf("%s: legacy device got a web admin", d.Addr)
			}
			continue
		}
		if d.Web == nil {
			t.Fatalf("%s (%s) has no web admin", d.Addr, d.Model.Model)
		}
		fams = append(fams, d.Web.Family())
		// The web admin's serial is the one SNMP serves.
		if d.Web.Serial() != d.Identity.Serial || d.Identity.Serial == "" {
			t.Errorf("%s: web serial %q, SNMP serial %q", d.Addr, d.Web.Serial(), d.Identity.Serial)
		}
		// And the family the driver claims from the SNMP identity is the
		// one the web admin is (unless the model's firmware serves
		// another family's pages).
		if fam := drivers.ClaimFamily(d.Identity); fam != d.Web.Family() && d.Model.WebFamily == "" {
			t.Errorf("%s: the driver claims %q from SNMP, web admin is %s", d.Addr, fam, d.Web.Family())
		}
	}
	for _, fam := range []string{FamilyConnectKey, FamilyVersaLink, FamilyFujiXerox} {
		if !slices.Contains(fams, fam) {
			t.Errorf("no %s device in the fleet", fam)
		}
	}
	if f.Device(slow).Faults().Slow != 1 {
		t.Error("fault not applied")
	}
	if !f.Device(custom).checkAdminPeek("Adm1n-secret") {
		t.Error("admin password override not applied")
	}

	// The state directory.
	cfg, err := config.Load(filepath.Join(dir, FleetConfigFile))
	if err != nil {
		raw, _ := os.ReadFile(filepath.Join(dir, FleetConfigFile))
		t.Fatalf("generated fleet.toml does not load: %v\n%s", err, raw)
	}
	if cfg.Gmail.Account != DefaultGmailAccount || cfg.Gmail.SMTPHost != "127.0.39.250" || cfg.Gmail.StartTLSPort == 0 || cfg.Gmail.TLSPort == 0 || cfg.Gmail.IMAPPort == 0 {
		t.Errorf("[gmail] %+v", cfg.Gmail)
	}
	if cfg.Gmail.CAFile != filepath.Join(dir, GmailCAFile) {
		t.Errorf("ca_file %q", cfg.Gmail.CAFile)
	}
	pw, err := config.SecretRef{Name: "app", File: cfg.Gmail.PasswordFile}.Resolve()
	if err != nil || pw.Reveal() != f.AppPassword.Reveal() || !validAppPassword(pw.Reveal()) {
		t.Errorf("app password file: %v", err)
	}
	if st, err := os.Stat(filepath.Join(dir, AppPasswordFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("app-password mode: %v %v", st.Mode(), err)
	}
	if cfg.Discovery.Port != f.Devices[0].SNMPAddr.Port {
		t.Errorf("discovery.port %d, agents on %d", cfg.Discovery.Port, f.Devices[0].SNMPAddr.Port)
	}
	tg, err := devices.ParseTargets(cfg.Sites[0].Ranges)
	if err != nil || tg.Count() != 8 {
		t.Fatalf("sites ranges %v: %v", cfg.Sites[0].Ranges, err)
	}
	if len(cfg.Credentials) != 1 || cfg.Credentials[0].Address != custom.String() {
		t.Fatalf("credentials %+v", cfg.Credentials)
	}
	if s, err := cfg.Credentials[0].Ref().Resolve(); err != nil || s.Reveal() != "Adm1n-secret" {
		t.Fatalf("credential file: %v", err)
	}
	if raw, _ := os.ReadFile(filepath.Join(dir, FleetConfigFile)); strings.Contains(string(raw), f.AppPassword.Reveal()) || strings.Contains(string(raw), "Adm1n-secret") {
		t.Fatal("fleet.toml contains a secret")
	}

	// A device's scan reaches the stand-in through "smtp.gmail.com".
	var dev *Device
	for _, d := range f.Devices {
		if d.Web != nil && d.Web.Family() == FamilyVersaLink {
			dev = d.Web
		}
	}
	appPW := f.AppPassword.Reveal()
	s := gmailSettings(587)
	s.From = f.Account
	s.User = f.Account
	dev.SetSMTP(s, &appPW)
	resp, err := http.Post(dev.HTTPURL()+"/_sim/scan?to="+f.Account, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var j Job
	_ = json.NewDecoder(resp.Body).Decode(&j)
	resp.Body.Close()
	if !j.OK || len(f.Gmail.Messages()) != 1 {
		t.Fatalf("scan through the fleet's stand-in: %+v", j)
	}
}

func TestFleetRefusesUnknownFaultAddress(t *testing.T) {
	_, err := StartFleet(context.Background(), FleetOptions{
		Base: netip.MustParseAddr("127.0.39.100"), Count: 1, Vendors: []string{"xerox"}, NoGmail: true,
		HTTPSPort: -1, HTTPPort: -1, SNMPPort: -1,
		Faults: map[netip.Addr]Faults{netip.MustParseAddr("127.0.39.200"): {Slow: 1}},
	})
	if err == nil || !strings.Contains(err.Error(), "127.0.39.200") {
		t.Fatalf("err %v", err)
	}
}

func TestAddrRanges(t *testing.T) {
	a := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	got := addrRanges([]netip.Addr{a("127.0.1.254"), a("127.0.1.255"), a("127.0.2.0"), a("127.0.2.1"), a("127.0.3.9"), a("127.0.1.253")})
	want := []string{"127.0.1.253-255", "127.0.2.0-1", "127.0.3.9"}
	if !slices.Equal(got, want) {
		t.Fatalf("%v, want %v", got, want)
	}
}

// The real ports (443, 80, 161) as mfpsim uses them by default; binding
// them needs root.
func TestFleetOnRealPorts(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("ports 443, 80 and 161 need root")
	}
	dir := t.TempDir()
	o := FleetOptions{Base: netip.MustParseAddr("127.0.39.200"), Count: 2, Vendors: []string{"xerox"}, StateDir: dir,
		GmailAddr: netip.MustParseAddr("127.0.39.254")}
	f, err := StartFleet(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	d := f.Devices[0].Web
	if d.HTTPSURL() != "https://127.0.39.200" || d.HTTPURL() != "http://127.0.39.200" || f.Devices[0].SNMPAddr.Port != 161 {
		t.Fatalf("urls %v, snmp %v", d.URLs(), f.Devices[0].SNMPAddr)
	}
	resp, err := http.Get(d.HTTPURL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cfg, err := config.Load(filepath.Join(dir, FleetConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Discovery.Port != 161 {
		t.Fatalf("discovery.port %d", cfg.Discovery.Port)
	}
	first := f.AppPassword.Reveal()
	_ = f.Close()

	// A restart keeps the app password of the state directory.
	f, err = StartFleet(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.AppPassword.Reveal() != first {
		t.Fatal("a restart made a new app password")
	}
}
