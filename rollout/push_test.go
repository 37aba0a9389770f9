package rollout_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// TestPushConfirmsAndRerunSkips pushes to three ConnectKey devices (one
// with the serial number as admin password), checks the devices, the
// mailbox, the holdings and the journal, then re-runs: nothing is done
// twice; --force does it again.
func TestPushConfirmsAndRerunSkips(t *testing.T) {
	base := "127.0.61.1"
	e := newPushEnv(t, base, 3, sim.FleetOptions{
		SMTPTLS: map[netip.Addr]string{netip.MustParseAddr("127.0.61.3"): sim.SMTPTLS12},
	})
	ctx := context.Background()
	o := e.options()
	o.Select = rollout.Selector{All: true}
	var evs pushEvents
	o.Progress = evs.add
	sum, err := rollout.Push(ctx, o)
	if err != nil {
		t.Fatalf("push: %v\n%s", err, pushJSON(t, sum))
	}
	if sum.Counts.Confirmed != 3 || sum.Status != inventory.RunSucceeded {
		t.Fatalf("want 3 confirmed, run succeeded:\n%s", pushJSON(t, sum))
	}
	res := pushByIP(sum)
	wantLogin := map[string]string{e.addr(0): "default-serial", e.addr(1): "default-1111", e.addr(2): "default-1111"}
	for i := range 3 {
		ip := e.addr(i)
		r := res[ip]
		if r.AdminLogin != wantLogin[ip] {
			t.Errorf("%s: admin login %q, want %q", ip, r.AdminLogin, wantLogin[ip])
		}
		s := e.web(i).SMTP()
		if s.Server != "smtp.gmail.com" || s.Port != 587 || string(s.Security) != "starttls" || s.User != e.fleet.Account || s.Auth != sim.AuthSMTP {
			t.Errorf("%s: device settings %+v", ip, s)
		}
		if !e.web(i).SMTPPasswordIs(e.pw.Reveal()) {
			t.Errorf("%s: device does not hold the app password", ip)
		}
		if n := e.testMessages(e.web(i).Serial()); n != 1 {
			t.Errorf("%s: %d test messages in the mailbox, want 1", ip, n)
		}
		id := e.deviceID(t, i)
		h, err := e.db.Holding(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if h.CredentialID != sum.Credential.ID || h.ConfirmedAt.IsZero() || h.PushedAt.IsZero() || h.AdminLogin != wantLogin[ip] || h.SMTPHost != "smtp.gmail.com" || h.SMTPPort != 587 || h.RunID != sum.RunID {
			t.Errorf("%s: holding %+v", ip, h)
		}
		steps, err := e.db.Steps(ctx, sum.RunID, id)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range steps {
			names = append(names, s.Step+"="+s.Status)
			if s.Error != "" {
				t.Logf("%s: %s: %s", ip, s.Step, s.Error)
			}
			if s.FinishedAt.IsZero() {
				t.Errorf("%s: step %s never finished", ip, s.Step)
			}
		}
		if got := strings.Join(names, " "); got != "login=ok read=ok write=ok readback=ok test=ok confirm=ok" {
			t.Errorf("%s: journal %s", ip, got)
		}
	}
	// Events: every device started and ended, the run started and ended.
	var done, runDone int
	for _, ev := range evs.all() {
		switch ev.Kind {
		case rollout.EventDone:
			done++
		case rollout.EventRunDone:
			runDone++
		}
	}
	if done != 3 || runDone != 1 {
		t.Errorf("events: %d done, %d run-done", done, runDone)
	}

	// Re-run: everything skipped, nothing sent.
	sum2, err := rollout.Push(ctx, o)
	if err != nil {
		t.Fatalf("re-run: %v", err)
	}
	if sum2.Counts.Skipped != 3 {
		t.Fatalf("re-run: want 3 skipped:\n%s", pushJSON(t, sum2))
	}
	for i := range 3 {
		if n := pushTestJobs(e.web(i)); n != 1 {
			t.Errorf("%s: %d test jobs after the re-run, want 1", e.addr(i), n)
		}
		if !strings.Contains(pushByIP(sum2)[e.addr(i)].Reason, "already confirmed") {
			t.Errorf("%s: skip reason %q", e.addr(i), pushByIP(sum2)[e.addr(i)].Reason)
		}
	}

	// --force on one device does it again.
	o.Force = true
	o.Select = rollout.Selector{IPs: []string{e.addr(1)}}
	sum3, err := rollout.Push(ctx, o)
	if err != nil || sum3.Counts.Confirmed != 1 {
		t.Fatalf("force: %v\n%s", err, pushJSON(t, sum3))
	}
	if n := e.testMessages(e.web(1).Serial()); n != 2 {
		t.Errorf("after --force: %d messages, want 2", n)
	}
}

// TestPushPreflightStopsBeforeDevices gives a wrong app password: the
// preflight fails, no device is touched, no run is journalled.
func TestPushPreflightStopsBeforeDevices(t *testing.T) {
	e := newPushEnv(t, "127.0.62.1", 1, sim.FleetOptions{})
	o := e.options()
	o.Select = rollout.Selector{All: true}
	wrong := "abcdabcdabcdabcd"
	if e.pw.Reveal() == wrong {
		wrong = "bcdabcdabcdabcda"
	}
	var err error
	o.AppPassword, err = gmailPassword(wrong)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := rollout.Push(context.Background(), o)
	if !errors.Is(err, rollout.ErrPreflight) {
		t.Fatalf("want ErrPreflight, got %v", err)
	}
	if !strings.Contains(err.Error(), "535") && !strings.Contains(strings.ToLower(err.Error()), "not accepted") {
		t.Errorf("preflight error does not say what Gmail said: %v", err)
	}
	if sum.RunID != 0 {
		t.Errorf("a run was journalled: %d", sum.RunID)
	}
	runs, _ := e.db.Runs(context.Background(), 0)
	if len(runs) != 0 {
		t.Errorf("runs: %+v", runs)
	}
	if j := e.web(0).Jobs(); len(j) != 0 || e.web(0).FailedLogins() != 0 {
		t.Errorf("device touched: jobs %v", j)
	}
	if strings.Contains(err.Error(), wrong) {
		t.Errorf("error carries the password: %v", err)
	}
	_ = time.Second
}

// TestPushCtrlCThenResume cancels a push (Ctrl-C) once the first device
// is done: the run is journalled as interrupted with nothing left
// running, and --resume finishes the rest without redoing the first.
func TestPushCtrlCThenResume(t *testing.T) {
	e := newPushEnv(t, "127.0.66.1", 4, sim.FleetOptions{
		SMTPTLS: map[netip.Addr]string{netip.MustParseAddr("127.0.66.3"): sim.SMTPTLS12},
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := e.options()
	o.Parallel = 1
	o.Select = rollout.Selector{All: true}
	o.Progress = func(ev rollout.Event) {
		if ev.Kind == rollout.EventDone && ev.Status == rollout.StatusConfirmed {
			cancel()
		}
	}
	sum, err := rollout.Push(ctx, o)
	if !errors.Is(err, rollout.ErrInterrupted) || sum.Status != inventory.RunInterrupted {
		t.Fatalf("want an interrupted run, got %v\n%s", err, pushJSON(t, sum))
	}
	if sum.Counts.Confirmed < 1 || sum.Counts.Pending < 1 {
		t.Errorf("counts after Ctrl-C: %+v", sum.Counts)
	}
	bg := context.Background()
	run, err := e.db.LastUnfinishedRun(bg, inventory.RunPush)
	if err != nil || run.ID != sum.RunID || run.Status != inventory.RunInterrupted {
		t.Fatalf("unfinished run: %+v %v", run, err)
	}
	steps, _ := e.db.Steps(bg, sum.RunID, 0)
	for _, s := range steps {
		if s.Status == inventory.StepRunning {
			t.Errorf("step %s of device %d left running", s.Step, s.DeviceID)
		}
	}
	o.Progress = nil
	o.Resume = true
	o.Select = rollout.Selector{}
	sum2, err := rollout.Push(bg, o)
	if err != nil || !sum2.Resumed || sum2.RunID != sum.RunID {
		t.Fatalf("resume: %v\n%s", err, pushJSON(t, sum2))
	}
	if sum2.Counts.Confirmed+sum2.Counts.WrittenUnconfirmed+sum2.Counts.ConnectionTested+sum2.Counts.Skipped != 4 {
		t.Errorf("resume counts %+v", sum2.Counts)
	}
	for i := range 4 {
		if w := e.web(i); w.Family() == sim.FamilyConnectKey && pushTestJobs(w) != 1 {
			t.Errorf("%s: %d test e-mails, want 1", e.addr(i), pushTestJobs(w))
		}
	}
	pushCheckJournal(t, e, sum2)
}

// TestPushTriesTheDefaultThatWorked: once the serial number let mfpfleet
// into one AltaLink C8045, the next C8045 of the same firmware is tried
// with its serial first and records no failed admin login (each one
// counts towards the device's lock-out and shows in its audit log).
func TestPushTriesTheDefaultThatWorked(t *testing.T) {
	// The xerox catalogue has eleven models; the twelfth device is a
	// second AltaLink C8045 (the serial-default model the first one is).
	e := newPushEnv(t, "127.0.61.20", 12, sim.FleetOptions{})
	first, second := 0, 11
	if e.web(first).Model() != e.web(second).Model() {
		t.Fatalf("devices %d and %d are %s and %s, want one model", first, second, e.web(first).Model(), e.web(second).Model())
	}
	ctx := context.Background()
	o := e.options()
	o.Select = rollout.Selector{IPs: []string{e.addr(first)}}
	sum, err := rollout.Push(ctx, o)
	if err != nil || sum.Counts.Confirmed != 1 {
		t.Fatalf("first push: %v\n%s", err, pushJSON(t, sum))
	}
	if r := pushByIP(sum)[e.addr(first)]; r.AdminLogin != "default-serial" || e.web(first).FailedLogins() != 1 {
		t.Fatalf("first device: admin login %q after %d failed logins; want the serial after 1111 failed", r.AdminLogin, e.web(first).FailedLogins())
	}
	o.Select = rollout.Selector{IPs: []string{e.addr(second)}}
	sum, err = rollout.Push(ctx, o)
	if err != nil || sum.Counts.Confirmed != 1 {
		t.Fatalf("second push: %v\n%s", err, pushJSON(t, sum))
	}
	if r := pushByIP(sum)[e.addr(second)]; r.AdminLogin != "default-serial" || e.web(second).FailedLogins() != 0 {
		t.Errorf("second device: admin login %q after %d failed logins; want the serial at once", r.AdminLogin, e.web(second).FailedLogins())
	}
	if tg := sum.Plan.Targets; len(tg) != 1 || tg[0].FirstLoginKind != "default-serial" {
		t.Errorf("plan: %+v; want the serial first", tg)
	}
}
