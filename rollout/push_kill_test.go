package rollout_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

const pushChildEnv = "MFPFLEET_ROLLOUT_KILL_CHILD"

// TestPushKillChild is the child process of TestPushSurvivesSIGKILL: it
// loads the fleet.toml the parent's simulator wrote, reads the app
// password from the state folder as the CLI would, and pushes, printing
// one JSON event per line. Skipped unless run by the parent.
func TestPushKillChild(t *testing.T) {
	stateDir := os.Getenv(pushChildEnv)
	if stateDir == "" {
		t.Skip("child of TestPushSurvivesSIGKILL")
	}
	ctx := context.Background()
	cfg, err := config.Load(filepath.Join(stateDir, sim.FleetConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Browser.Flags = append(cfg.Browser.Flags, pushResolverFlag)
	cfg.Rollout.ArtifactsDir = filepath.Join(stateDir, "artifacts")
	pw, err := gmail.ReadAppPassword(ctx, gmail.PasswordSource{File: filepath.Join(stateDir, sim.AppPasswordFile)})
	if err != nil {
		t.Fatal(err)
	}
	db, err := inventory.Open(ctx, cfg.Inventory.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	enc := json.NewEncoder(os.Stdout)
	_, err = rollout.Push(ctx, rollout.Options{
		Config: cfg, DB: db, AppPassword: pw, Select: rollout.Selector{All: true},
		Parallel: 2, StepTimeout: 10 * time.Second, ConfirmTimeout: 10 * time.Second,
		Backoff: 300 * time.Millisecond, ConfirmPoll: 100 * time.Millisecond,
		Progress: func(ev rollout.Event) { _ = enc.Encode(ev) },
	})
	t.Logf("push ended: %v", err)
}

// TestPushSurvivesSIGKILL kills a push (the whole process group: test
// binary and Chromium) with SIGKILL once two devices are confirmed, then
// resumes it: every device ends confirmed (or connection-tested for the
// families without a test e-mail), and no device sent its test message
// twice, counted both on the device and in the mailbox.
func TestPushSurvivesSIGKILL(t *testing.T) {
	e := newPushEnv(t, "127.0.63.1", 8, sim.FleetOptions{
		SMTPTLS: map[netip.Addr]string{netip.MustParseAddr("127.0.63.3"): sim.SMTPTLS12},
	})
	for i := range 8 {
		e.web(i).SetFaults(sim.Faults{Slow: 80 * time.Millisecond})
	}
	stateDir := filepath.Dir(e.fleet.ConfigPath)
	cmd := exec.Command(os.Args[0], "-test.run=^TestPushKillChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), pushChildEnv+"="+stateDir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		confirmed := 0
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var ev rollout.Event
			if json.Unmarshal(sc.Bytes(), &ev) != nil {
				continue
			}
			if ev.Kind == rollout.EventDone && ev.Status == rollout.StatusConfirmed {
				confirmed++
			}
			if confirmed >= 2 {
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				return
			}
		}
	}()
	select {
	case <-killed:
	case <-time.After(120 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatal("the child never confirmed two devices")
	}
	_ = cmd.Wait()
	if ps := cmd.ProcessState; ps == nil || ps.Success() {
		t.Fatalf("the child was not killed: %v", ps)
	}
	ctx := context.Background()
	run, err := e.db.LastUnfinishedRun(ctx, inventory.RunPush)
	if err != nil {
		t.Fatalf("the killed run is not left unfinished: %v", err)
	}
	rds, _ := e.db.RunDevices(ctx, run.ID)
	var before []string
	for _, rd := range rds {
		before = append(before, rd.Status)
	}
	t.Logf("killed run %d: device statuses %v", run.ID, before)

	o := e.options()
	o.Resume = true
	sum, err := rollout.Push(ctx, o)
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, pushJSON(t, sum))
	}
	if sum.RunID != run.ID || !sum.Resumed {
		t.Errorf("resume started run %d, want %d resumed", sum.RunID, run.ID)
	}
	for i := range 8 {
		d := e.web(i)
		h, err := e.db.Holding(ctx, e.deviceID(t, i))
		if err != nil {
			t.Fatalf("%s: no holding after the resume: %v", e.addr(i), err)
		}
		switch d.Family() {
		case sim.FamilyFujiXerox, sim.FamilyVersaLink:
			if h.PushedAt.IsZero() || !h.HasLimit(inventory.LimitNoTestAction) || !h.HasLimit(inventory.LimitConnectionTestOnly) || !h.LastTestOK || !d.SMTPPasswordIs(e.pw.Reveal()) {
				t.Errorf("%s: connection-tested device: holding %+v", e.addr(i), h)
			}
		default:
			if h.ConfirmedAt.IsZero() || !d.SMTPPasswordIs(e.pw.Reveal()) {
				t.Errorf("%s: not confirmed after the resume: %+v", e.addr(i), h)
			}
			if n := pushTestJobs(d); n != 1 {
				t.Errorf("%s: %d test e-mails sent by the device, want 1", e.addr(i), n)
			}
			if n := e.testMessages(d.Serial()); n != 1 {
				t.Errorf("%s: %d test messages in the mailbox, want 1", e.addr(i), n)
			}
		}
	}
	run2, _ := e.db.GetRun(ctx, run.ID)
	if !run2.Finished() || run2.Status != inventory.RunSucceeded {
		t.Errorf("resumed run: %+v", run2)
	}
	if _, err := e.db.LastUnfinishedRun(ctx, inventory.RunPush); err == nil {
		t.Error("an unfinished run is left after the resume")
	}

	// A plain re-run now touches nothing.
	o.Resume = false
	o.Select = rollout.Selector{All: true}
	sum2, err := rollout.Push(ctx, o)
	if err != nil || sum2.Counts.Skipped != 8 {
		t.Errorf("re-run after the resume: %v\n%s", err, pushJSON(t, sum2))
	}
	for _, d := range sum2.Devices {
		if !strings.Contains(d.Reason, "already confirmed") && !strings.Contains(d.Reason, "unconfirmed") {
			t.Errorf("%s: skipped for %q", d.IP, d.Reason)
		}
	}
}
