package rollout_test

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// TestRotateAcrossTwoCredentials: four devices hold credential A, two
// hold credential C. Rotating A (one device gone, one failing) moves the
// reachable ones to the new password and leaves A unrevoked while a
// device still holds it; the second rotation finishes and revokes A. C is
// untouched throughout.
func TestRotateAcrossTwoCredentials(t *testing.T) {
	e := newPushEnv(t, "127.0.64.1", 6, sim.FleetOptions{
		SMTPTLS: map[netip.Addr]string{netip.MustParseAddr("127.0.64.3"): sim.SMTPTLS12},
	})
	ctx := context.Background()
	// The earlier state: A on .1 .2 .3 .6, C on .4 .5, all confirmed.
	pwA, pwC := gmail.MustAppPassword("oldaoldaoldaolda"), gmail.MustAppPassword("othcothcothcothc")
	credA, _, err := e.db.AddCredential(ctx, e.fleet.Account, "MFP site old", e.db.Fingerprint(pwA.Reveal()))
	if err != nil {
		t.Fatal(err)
	}
	credC, _, err := e.db.AddCredential(ctx, e.fleet.Account, "MFP spare", e.db.Fingerprint(pwC.Reveal()))
	if err != nil {
		t.Fatal(err)
	}
	holdsA := []int{0, 1, 2, 5}
	for i := range 6 {
		c, pw := credA, pwA
		if !slices.Contains(holdsA, i) {
			c, pw = credC, pwC
		}
		p := pw.Reveal()
		e.web(i).SetSMTP(sim.SMTPSettings{Server: "smtp.gmail.com", Port: 587, Security: "starttls", Auth: sim.AuthSMTP, User: e.fleet.Account, From: e.fleet.Account}, &p)
		id := e.deviceID(t, i)
		at := time.Now().Add(-48 * time.Hour)
		if err := e.db.SetHolding(ctx, inventory.Holding{DeviceID: id, CredentialID: c.ID, Account: e.fleet.Account, PushedAt: at, AdminLogin: "default-1111", SMTPHost: "smtp.gmail.com", SMTPPort: 587}); err != nil {
			t.Fatal(err)
		}
		if err := e.db.MarkConfirmed(ctx, id, c.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	holders := func(c inventory.Credential) []string {
		ds, err := e.db.DevicesHolding(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ips []string
		for _, d := range ds {
			ips = append(ips, d.IP)
		}
		return ips
	}
	if got := holders(credA); len(got) != 4 {
		t.Fatalf("before: A held by %v", got)
	}

	// Round 1: .3 is gone, .2 keeps rebooting when saving.
	e.web(1).SetFaults(sim.Faults{RebootOnSave: 300 * time.Millisecond})
	ro := rollout.RotateOptions{Options: e.options(), From: credA.Label, Exclude: []string{e.addr(2)}}
	ro.Retries = 1
	ro.Label = "MFP site new"
	res, err := rollout.Rotate(ctx, ro)
	if !errors.Is(err, rollout.ErrSomeFailed) {
		t.Fatalf("round 1: want ErrSomeFailed, got %v\n%s", err, pushJSON(t, res))
	}
	if res.Revoked {
		t.Error("round 1: A revoked while .2 still holds it")
	}
	if len(res.StillHolding) != 1 || res.StillHolding[0].IP != e.addr(1) {
		t.Errorf("round 1: still holding %+v", res.StillHolding)
	}
	if !strings.Contains(res.Next, e.addr(1)) {
		t.Errorf("round 1: next step %q does not name the device", res.Next)
	}
	a, _ := e.db.GetCredential(ctx, credA.ID)
	if a.Revoked() {
		t.Error("round 1: A marked revoked in the inventory")
	}
	gone, _ := e.db.GetDevice(ctx, e.deviceID(t, 2))
	if !gone.Retired {
		t.Error("the excluded device is not retired")
	}
	byIP := pushByIP(res.Summary)
	if byIP[e.addr(0)].Status != rollout.StatusConfirmed || byIP[e.addr(5)].Status != rollout.StatusConnectionTested || byIP[e.addr(1)].Status != rollout.StatusFailed {
		t.Errorf("round 1 summary:\n%s", pushJSON(t, res.Summary))
	}
	if _, ok := byIP[e.addr(3)]; ok {
		t.Error("a device holding C was part of the rotation of A")
	}
	if !e.web(0).SMTPPasswordIs(e.pw.Reveal()) || !e.web(1).SMTPPasswordIs(pwA.Reveal()) {
		t.Error("round 1: device passwords not as expected")
	}

	// Round 2: .2 fixed.
	e.web(1).SetFaults(sim.Faults{})
	ro.Exclude = nil
	res2, err := rollout.Rotate(ctx, ro)
	if err != nil {
		t.Fatalf("round 2: %v\n%s", err, pushJSON(t, res2))
	}
	if !res2.Revoked || len(res2.StillHolding) != 0 {
		t.Errorf("round 2: revoked %v, still %+v", res2.Revoked, res2.StillHolding)
	}
	if !strings.Contains(res2.Next, credA.Label) || !strings.Contains(res2.Next, gmail.AppPasswordsURL) {
		t.Errorf("round 2: next step %q does not say to revoke %q at %s", res2.Next, credA.Label, gmail.AppPasswordsURL)
	}
	a, _ = e.db.GetCredential(ctx, credA.ID)
	c, _ := e.db.GetCredential(ctx, credC.ID)
	if !a.Revoked() || c.Revoked() {
		t.Errorf("after: A revoked %v, C revoked %v", a.Revoked(), c.Revoked())
	}
	if got := holders(credA); len(got) != 0 {
		t.Errorf("after: A still held by %v", got)
	}
	if got := holders(credC); !slices.Equal(got, []string{e.addr(3), e.addr(4)}) {
		t.Errorf("after: C held by %v", got)
	}
	newCred, err := e.db.FindCredential(ctx, "MFP site new")
	if err != nil {
		t.Fatal(err)
	}
	if got := holders(newCred); !slices.Equal(got, []string{e.addr(0), e.addr(1), e.addr(5)}) {
		t.Errorf("after: the new credential is held by %v", got)
	}
	if !e.web(1).SMTPPasswordIs(e.pw.Reveal()) {
		t.Error("round 2: .2 does not hold the new password")
	}
	// A third rotation of A finds nothing to do.
	res3, err := rollout.Rotate(ctx, ro)
	if err != nil || len(res3.Holders) != 0 || !res3.Revoked {
		t.Errorf("round 3: %v %+v", err, res3)
	}
}

// TestPushDryRun: a plan touches nothing; a single-address dry run logs
// in and reports the device's current settings without writing them.
func TestPushDryRun(t *testing.T) {
	e := newPushEnv(t, "127.0.65.1", 2, sim.FleetOptions{})
	ctx := context.Background()
	factory := e.web(1).SMTP()
	o := e.options()
	o.DryRun = true
	o.AppPassword = gmail.AppPassword{}
	o.Select = rollout.Selector{All: true}
	sum, err := rollout.Push(ctx, o)
	if err != nil || !sum.DryRun || sum.Plan == nil || len(sum.Plan.Runnable()) != 2 {
		t.Fatalf("plan: %v\n%s", err, pushJSON(t, sum))
	}
	if sum.Plan.Targets[0].FirstLogin == "" || sum.Plan.Targets[0].TestAction != "yes" || sum.Plan.Label != "MFP site simulated" {
		t.Errorf("plan details: %+v", sum.Plan)
	}
	atts, _ := e.db.LoginAttempts(ctx, e.deviceID(t, 0), 0)
	if len(atts) != 0 || len(sum.Devices) != 0 {
		t.Errorf("the plan logged in: %+v %+v", atts, sum.Devices)
	}

	o.Select = rollout.Selector{IPs: []string{e.addr(1)}}
	sum, err = rollout.Push(ctx, o)
	if err != nil || len(sum.Devices) != 1 {
		t.Fatalf("single dry run: %v\n%s", err, pushJSON(t, sum))
	}
	d := sum.Devices[0]
	if d.Status != rollout.StatusRead || d.Current == nil || d.Current.Server != factory.Server || d.Current.Port != factory.Port || d.AdminLogin == "" {
		t.Errorf("single dry run result: %+v (device has %+v)", d, factory)
	}
	if got := e.web(1).SMTP(); got != factory {
		t.Errorf("the dry run changed the device: %+v", got)
	}
	if runs, _ := e.db.Runs(ctx, 0); len(runs) != 0 {
		t.Errorf("the dry run journalled a run: %+v", runs)
	}
}
