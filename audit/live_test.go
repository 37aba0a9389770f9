package audit

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
	_ "github.com/mfpfleet/mfpfleet/drivers/xerox"
	"github.com/mfpfleet/mfpfleet/inventory"
)

// The live audit test binds simulated devices and the Gmail stand-in to
// 127.0.74.0/24 (the audit's block is 127.0.73.0 - 127.0.74.255).
var auditLiveNext atomic.Uint32

func auditLiveAddr(tb testing.TB) netip.Addr {
	n := auditLiveNext.Add(1)
	if n > 250 {
		tb.Fatal("audit test address block 127.0.74.0/24 exhausted")
	}
	return netip.AddrFrom4([4]byte{127, 0, 74, byte(n)})
}

// TestAuditLiveDrivers runs `audit --live` for real: simulated Xerox web
// admins, pushed through the xerox driver in headless Chromium, then one
// changed behind mfpfleet's back and one whose admin password was
// changed; DriverSMTPReader reads them back through the same driver.
func TestAuditLiveDrivers(t *testing.T) {
	if _, err := drivers.FindChromium(""); err != nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			t.Fatalf("chromium required (MFPFLEET_REQUIRE_PEERS=1): %v", err)
		}
		t.Skip(err)
	}
	ctx := context.Background()
	bctx, cancel := context.WithTimeout(ctx, time.Minute)
	b, err := drivers.NewBrowser(bctx, drivers.BrowserOptions{
		Flags:        []string{"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.*"},
		ArtifactsDir: t.TempDir(),
	})
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	env := drivertest.NewEnv(t, drivertest.Config{Browser: b, Family: sim.FamilyConnectKey, Model: "AltaLink C8045",
		Addr: auditLiveAddr, StepTimeout: time.Minute})
	db := env.DB
	cred, _, err := db.AddCredential(ctx, drivertest.Account, "MFP audit live", db.Fingerprint(drivertest.AppPassword))
	if err != nil {
		t.Fatal(err)
	}

	targets := map[string]drivers.Target{}
	var sims []*sim.Device
	var ips []string
	for _, o := range []sim.DeviceOptions{{}, {Model: "AltaLink C8070"}, {}} {
		d, tgt := env.Device(t, o)
		ip := tgt.Device.IP
		id, _, err := db.UpsertDevice(ctx, tgt.Device, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		pctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		res, err := env.Push(pctx, t, tgt, nil, 587)
		cancel()
		if err != nil {
			t.Fatalf("push %s: %v", ip, err)
		}
		gs := drivers.GmailSettings("", drivertest.Account, config.Secret{}, 587)
		if err := db.SetHolding(ctx, inventory.Holding{DeviceID: id, CredentialID: cred.ID, Account: drivertest.Account,
			PushedAt: time.Now(), AdminLogin: res.Used.Kind, SMTPHost: gs.Server, SMTPPort: gs.Port,
			SMTPSecurity: string(gs.Security), SMTPUser: gs.User, SMTPFrom: gs.From}); err != nil {
			t.Fatal(err)
		}
		targets[ip] = tgt
		sims = append(sims, d)
		ips = append(ips, ip)
	}
	// Someone points the second device at a relay, without AUTH.
	sims[1].SetSMTP(sim.SMTPSettings{Server: "relay.example.net", Port: 25, Security: sim.SecurityNone, Auth: sim.AuthNone,
		From: drivertest.Account}, nil)
	// Someone sets an admin password on the third.
	const newAdmin = "Changed-By-Someone-42"
	sims[2].SetAdminPassword(newAdmin)

	reader := &DriverSMTPReader{Browser: b, Ledger: db.LoginLedger(), StepTimeout: time.Minute,
		Target: func(dev inventory.Device) drivers.Target { return targets[dev.IP] }}
	rep, err := Audit(ctx, db, AuditOptions{Live: &LiveOptions{Reader: reader, Parallel: 2, Timeout: 3 * time.Minute}})
	if err != nil {
		t.Fatal(err)
	}

	a, bb, c := auditRowByIP(t, rep, ips[0]), auditRowByIP(t, rep, ips[1]), auditRowByIP(t, rep, ips[2])
	if a.Live == nil || a.Live.Error != "" || len(a.Live.Differences) != 0 || a.Live.Server != "smtp.gmail.com" || a.Live.Port != 587 {
		t.Errorf("unchanged device read back as %+v", a.Live)
	}
	if !a.Has(FindingDefaultAdmin) || a.Has(FindingSMTPChanged) {
		t.Errorf("unchanged device (pushed with the default admin) findings %v", auditCodes(a))
	}
	if bb.Live == nil || !bb.Has(FindingSMTPChanged) {
		t.Fatalf("changed device: live %+v findings %v", bb.Live, auditCodes(bb))
	}
	diffs := strings.Join(bb.Live.Differences, "\n")
	for _, want := range []string{`server: pushed "smtp.gmail.com", device has "relay.example.net"`, `port: pushed "587", device has "25"`, "security", "authentication"} {
		if !strings.Contains(diffs, want) {
			t.Errorf("changed device differences lack %q:\n%s", want, diffs)
		}
	}
	if c.Live == nil || !c.Has(FindingLiveReadFailed) || !strings.Contains(c.Live.Error, ips[2]) {
		t.Errorf("device with a new admin password: live %+v findings %v", c.Live, auditCodes(c))
	}
	if !c.Has(FindingFailedLogins) || c.FailedLogins == 0 || c.FailedLogins > drivers.DefaultLoginBudget {
		t.Errorf("failed logins on the locked device: %d, findings %v", c.FailedLogins, auditCodes(c))
	}
	t.Logf("live error on the device with a new admin password: %s", c.Live.Error)
	if sims[2].LockedOut() {
		t.Error("the live audit locked the device out")
	}

	// What the live read found is shown (issue 10 §2.5): the stored SMTP
	// password is reported as set, and the table says what it read and
	// what changed since the push.
	if !a.Live.PasswordSet {
		t.Errorf("password_set false on a device that holds the app password: %+v", a.Live)
	}
	var tbl bytes.Buffer
	if err := WriteTable(&tbl, rep); err != nil {
		t.Fatal(err)
	}
	live := tbl.String()
	if i := strings.Index(live, "Read live from the devices"); i < 0 {
		t.Errorf("the table does not show the live read:\n%s", live)
	} else {
		live = live[i:]
		for _, want := range []string{ips[0] + " ", "smtp.gmail.com:587", "(password set); as pushed", ips[1] + " ", "relay.example.net:25", "changed since the push", ips[2] + " ", "not read: "} {
			if !strings.Contains(live, want) {
				t.Errorf("the live section lacks %q:\n%s", want, live)
			}
		}
	}

	// Nothing secret in any rendering.
	var out bytes.Buffer
	for _, w := range []func(*bytes.Buffer, Report) error{
		func(b *bytes.Buffer, r Report) error { return WriteTable(b, r) },
		func(b *bytes.Buffer, r Report) error { return WriteCSV(b, r) },
		func(b *bytes.Buffer, r Report) error { return WriteJSON(b, r) },
		func(b *bytes.Buffer, r Report) error { return WriteHTML(b, r) },
	} {
		if err := w(&out, rep); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{drivertest.AppPassword, newAdmin} {
		if strings.Contains(out.String(), s) {
			t.Errorf("a secret (%d chars) appears in the audit output", len(s))
		}
	}
}
