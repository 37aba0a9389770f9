package rollout_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/audit"
	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// The relay tests use 127.0.67.0/24 (devices) and the push tests' Gmail.
const relayAccount = "scans@client.example"

// newRelayEnv is six Xerox devices of the three families whose Gmail
// stand-in serves a Workspace (client.example) with its SMTP relay
// allow-listing the site's addresses (the devices dial from their own).
func newRelayEnv(t *testing.T) *pushEnv {
	t.Helper()
	a3 := netip.MustParseAddr("127.0.67.3")
	e := newPushEnv(t, "127.0.67.1", 6, sim.FleetOptions{
		GmailAccount: relayAccount, RelayAllowed: []string{"127.0.67.0/24"},
		SMTPTLS: map[netip.Addr]string{a3: sim.SMTPTLS12},
	})
	return e
}

// TestRelayPush: a site on the relay. The preflight from a machine whose
// address is not allow-listed stops before any device is touched and
// names the address; once it is listed, every device gets
// smtp-relay.gmail.com without AUTH, a domain name that makes its EHLO
// fully qualified, and its test message is confirmed in the mailbox.
func TestRelayPush(t *testing.T) {
	e := newRelayEnv(t)
	e.cfg.Gmail.Method = config.MethodRelay
	ctx := context.Background()
	o := e.options()
	o.Select = rollout.Selector{Sites: []string{"simulated"}}

	// This machine (127.0.0.1) is not on the relay's list.
	sum, err := rollout.Push(ctx, o)
	var d *gmail.Diagnosis
	if !errors.Is(err, rollout.ErrPreflight) || !errors.As(err, &d) || d.Code != gmail.CodeRelayDenied || d.ClientIP != "127.0.0.1" {
		t.Fatalf("push from an unlisted address: %v\n%s", err, pushJSON(t, sum))
	}
	for i := range 6 {
		if n := pushTestJobs(e.web(i)); n != 0 || e.web(i).SMTP().Server != "" {
			t.Fatalf("%s was touched by a push whose preflight failed", e.addr(i))
		}
	}

	if err := e.fleet.Gmail.AllowRelayFrom("127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	sum, err = rollout.Push(ctx, o)
	if err != nil {
		t.Fatalf("push: %v\n%s", err, pushJSON(t, sum))
	}
	if sum.RelayPreflight == nil || !sum.RelayPreflight.OK {
		t.Errorf("no relay preflight in the summary: %+v", sum.RelayPreflight)
	}
	res := pushByIP(sum)
	confirmed := 0
	for i := range 6 {
		ip, w := e.addr(i), e.web(i)
		r := res[ip]
		if w == nil {
			continue // the legacy model
		}
		if r.Method != config.MethodRelay {
			t.Errorf("%s: method %q", ip, r.Method)
		}
		switch r.Status {
		case rollout.StatusConfirmed:
			confirmed++
		case rollout.StatusWrittenUnconfirmed, rollout.StatusConnectionTested: // no test e-mail action
		default:
			t.Errorf("%s: %s: %s", ip, r.Status, r.Reason)
			continue
		}
		s := w.SMTP()
		if s.Server != "smtp-relay.gmail.com" || s.Auth != sim.AuthNone || s.PasswordSet {
			t.Errorf("%s: device settings %+v: want the relay, no AUTH, no password", ip, s)
		}
		if _, dom := w.HostName(); dom != "client.example" {
			t.Errorf("%s: domain name %q, want client.example", ip, dom)
		}
		h, err := e.db.Holding(ctx, e.deviceID(t, i))
		if err != nil || h.Method != config.MethodRelay || h.CredentialID != 0 || !strings.HasSuffix(h.EHLO, ".client.example") {
			t.Errorf("%s: holding %+v (%v)", ip, h, err)
		}
		if r.Status == rollout.StatusConfirmed && h.ConfirmedAt.IsZero() {
			t.Errorf("%s: confirmed but the holding says not", ip)
		}
	}
	if confirmed < 3 {
		t.Errorf("%d devices confirmed through the relay, want at least 3\n%s", confirmed, pushJSON(t, sum))
	}
	relayed := 0
	for _, m := range e.fleet.Gmail.Messages() {
		if m.Listener == "relay-starttls" && m.AuthUser == "" && strings.HasSuffix(m.EHLO, ".client.example") && m.Delivered {
			relayed++
		}
	}
	if relayed < confirmed {
		t.Errorf("%d messages came through the relay, %d devices confirmed", relayed, confirmed)
	}
	creds, _ := e.db.ListCredentials(ctx, true)
	if len(creds) != 0 {
		t.Errorf("a relay push registered app passwords: %+v", creds)
	}
}

// TestRotateToRelay: a fleet on app passwords moves to the relay; no
// device keeps the old app password and the result lists it to revoke.
func TestRotateToRelay(t *testing.T) {
	e := newRelayEnv(t)
	if err := e.fleet.Gmail.AllowRelayFrom("127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	o := e.options()
	o.Select = rollout.Selector{Sites: []string{"simulated"}}
	o.Label = "MFP site simulated"
	sum, err := rollout.Push(ctx, o)
	if err != nil {
		t.Fatalf("push: %v\n%s", err, pushJSON(t, sum))
	}
	old := sum.Credential
	if old == nil {
		t.Fatal("no credential registered")
	}
	var holders []int
	for i := range 6 {
		if w := e.web(i); w != nil && w.SMTPPasswordIs(e.pw.Reveal()) {
			holders = append(holders, i)
		}
	}
	if len(holders) < 4 {
		t.Fatalf("%d devices hold the app password after the push", len(holders))
	}

	ro := rollout.RotateOptions{Options: e.options(), To: config.MethodRelay}
	res, err := rollout.Rotate(ctx, ro)
	if err != nil {
		t.Fatalf("rotate --to relay: %v\n%s", err, pushJSON(t, res))
	}
	for _, i := range holders {
		w := e.web(i)
		if w.SMTPPasswordIs(e.pw.Reveal()) || w.SMTP().Server != "smtp-relay.gmail.com" || w.SMTP().Auth != sim.AuthNone {
			t.Errorf("%s still holds the app password or is not on the relay: %+v", e.addr(i), w.SMTP())
		}
	}
	if len(res.StillHolding) != 0 || len(res.ToRevoke) != 1 || res.ToRevoke[0].Label != old.Label {
		t.Fatalf("rotate result: still %+v, to revoke %+v", res.StillHolding, res.ToRevoke)
	}
	for _, w := range []string{"https://myaccount.google.com/apppasswords", old.Label} {
		if !strings.Contains(res.Next, w) {
			t.Errorf("next step %q does not say %q", res.Next, w)
		}
	}
	c, err := e.db.GetCredential(ctx, old.ID)
	if err != nil || !c.Revoked() {
		t.Errorf("the old credential is not marked revoked: %+v %v", c, err)
	}
	if holders, _ := e.db.DevicesHolding(ctx, old.ID); len(holders) != 0 {
		t.Errorf("the inventory says %d devices still hold it", len(holders))
	}
	_ = inventory.RunRotate
}

// TestAccountWide535: the account's password was changed, which revoked
// every app password: `test` and the audit say so once, at the top,
// rather than one error per printer.
func TestAccountWide535(t *testing.T) {
	a3 := netip.MustParseAddr("127.0.68.3")
	e := newPushEnv(t, "127.0.68.1", 4, sim.FleetOptions{SMTPTLS: map[netip.Addr]string{a3: sim.SMTPTLS12}})
	ctx := context.Background()
	o := e.options()
	o.Select = rollout.Selector{Sites: []string{"simulated"}}
	if sum, err := rollout.Push(ctx, o); err != nil {
		t.Fatalf("push: %v\n%s", err, pushJSON(t, sum))
	}
	// The password change: every app password of the account revoked;
	// the technician made a new one to read the mailbox with.
	e.fleet.Gmail.RevokeAll()
	const fresh = "mnbvcxzlkjhgfdsa"
	e.fleet.Gmail.AddAppPassword(config.NewSecret(fresh))
	o = e.options()
	o.Select = rollout.Selector{Sites: []string{"simulated"}}
	o.AppPassword = gmail.MustAppPassword(fresh)
	sum, err := rollout.Test(ctx, o)
	if !errors.Is(err, rollout.ErrSomeFailed) {
		t.Fatalf("test: %v\n%s", err, pushJSON(t, sum))
	}
	if len(sum.AccountFindings) != 1 {
		t.Fatalf("test: %d account findings, want 1\n%s", len(sum.AccountFindings), pushJSON(t, sum))
	}
	f := sum.AccountFindings[0]
	if f.Code != audit.FindingAccountAppPasswords || len(f.Devices) != 4 || !strings.Contains(f.Message, "all app passwords of "+e.cfg.Gmail.Account+" stopped working") || !strings.Contains(f.Message, "password was probably changed") {
		t.Errorf("finding = %+v", f)
	}
	for _, d := range sum.Devices {
		if strings.Count(d.Reason, "535") > 1 || len(d.Reason) > 120 {
			t.Errorf("%s: the device's own line repeats the account's failure: %s", d.IP, d.Reason)
		}
	}
	rep, err := audit.Audit(ctx, e.db, audit.AuditOptions{StaleAfter: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.AccountFindings) != 1 || len(rep.AccountFindings[0].Devices) != 4 {
		t.Fatalf("audit account findings = %+v", rep.AccountFindings)
	}
	var buf strings.Builder
	if err := audit.WriteTable(&buf, rep); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "stopped working"); n != 1 {
		t.Errorf("the audit table says it %d times:\n%s", n, buf.String())
	}
	if len(rep.Budgets) != 1 || rep.Budgets[0].Devices != 4 || rep.Budgets[0].DailyLimit != 500 {
		t.Errorf("budgets = %+v (a consumer account: 500 a day)", rep.Budgets)
	}
	for _, r := range rep.Rows {
		if r.Method != config.MethodAppPassword {
			t.Errorf("%s: audit method %q", r.IP, r.Method)
		}
	}
	// The HTML report a technician hands over says it too, once, with
	// the budget.
	var page strings.Builder
	if err := audit.WriteHTML(&page, rep); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(page.String(), `data-account-code="`+audit.FindingAccountAppPasswords+`"`); n != 1 || strings.Count(page.String(), "stopped working") != 1 {
		t.Errorf("the HTML report shows the account finding %d times", n)
	}
	if !strings.Contains(page.String(), `<table id="budgets">`) || !strings.Contains(page.String(), rep.Budgets[0].LimitText) {
		t.Errorf("the HTML report has no sending budget")
	}
}
