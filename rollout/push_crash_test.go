//go:build linux

package rollout_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// Addresses: 127.0.67.x (kill), 127.0.68.x (keeps crashing).

// crashFleet is count Xerox devices answering slowly, every one speaking
// TLS 1.2 to the Gmail stand-in (the catalogue's WorkCentre 7556 fails
// by design otherwise).
func crashFleet(t *testing.T, base string, count int, slow time.Duration) *pushEnv {
	t.Helper()
	first := netip.MustParseAddr(base)
	fo := sim.FleetOptions{Faults: map[netip.Addr]sim.Faults{}, SMTPTLS: map[netip.Addr]string{}}
	for a, i := first, 0; i < count; a, i = a.Next(), i+1 {
		fo.Faults[a] = sim.Faults{Slow: slow}
		fo.SMTPTLS[a] = sim.SMTPTLS12
	}
	return newPushEnv(t, base, count, fo)
}

// checkNoDeviceBlamed: no device failed, none is blamed for the crash,
// and no failed admin login was recorded but the wrong passwords the
// devices really saw.
func checkNoDeviceBlamed(t *testing.T, e *pushEnv, sum rollout.Summary, okStatuses ...string) {
	t.Helper()
	ctx := context.Background()
	for i := range e.fleet.Devices {
		r, ok := pushByIP(sum)[e.addr(i)]
		if !ok {
			t.Errorf("%s: not in the summary", e.addr(i))
			continue
		}
		good := false
		for _, s := range okStatuses {
			good = good || r.Status == s
		}
		if !good {
			t.Errorf("%s: %s (%s), want one of %v", e.addr(i), r.Status, r.Reason, okStatuses)
		}
		// A device's own errors name it ("127.0.67.3: login: …"); a
		// command to run next ("--ip 127.0.67.3") does not blame it.
		if r.Status == rollout.StatusFailed || strings.Contains(r.Reason, e.addr(i)+":") {
			t.Errorf("%s: blamed: %s: %s", e.addr(i), r.Status, r.Reason)
		}
		d, err := e.db.FindDevice(ctx, e.addr(i))
		if err != nil {
			t.Fatal(err)
		}
		// The device counts the wrong passwords it was really sent (a
		// factory default that is not this one's); the inventory must
		// record those and nothing else.
		recorded, _, err := e.db.LoginLedger().FailedLogins(ctx, d.Key())
		if err != nil {
			t.Fatal(err)
		}
		// Never more than the device saw: a crash is not a failed login.
		// (Fewer is possible: a browser killed after it sent a wrong
		// password but before the page said so leaves an attempt the
		// device counted and nobody could read; the lock-out budget keeps
		// the margin for that.)
		if sent := e.web(i).FailedLogins(); recorded > sent {
			t.Errorf("%s: %d failed admin logins recorded, the device saw %d: a crash is not a failed login", e.addr(i), recorded, sent)
		}
		if e.web(i).LockedOut() {
			t.Errorf("%s: locked out", e.addr(i))
		}
	}
}

// TestPushSurvivesBrowserKill: Chromium killed (SIGKILL, and SIGTRAP as
// its CHECK failures raise it) in the middle of a push to eight slow
// devices at Parallel 4. The engine restarts the browser and starts the
// devices it was handling again from their login: every device ends
// confirmed or written-unconfirmed, none is blamed, no failed login is
// recorded, and the crash is logged with its exit status. (The families
// without a test e-mail end connection-tested.)
func TestPushSurvivesBrowserKill(t *testing.T) {
	for _, c := range []struct {
		sig  syscall.Signal
		base string
	}{{syscall.SIGKILL, "127.0.67.1"}, {syscall.SIGTRAP, "127.0.67.21"}} {
		t.Run(strings.ToUpper(strings.ReplaceAll(c.sig.String(), " ", "-")), func(t *testing.T) {
			e := crashFleet(t, c.base, 8, 300*time.Millisecond)
			ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
			defer cancel()
			b, err := drivers.NewBrowser(ctx, drivers.BrowserOptions{Flags: e.cfg.Browser.Flags, ArtifactsDir: e.cfg.Rollout.ArtifactsDir, Logger: e.logger})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			var once sync.Once
			killed := make(chan error, 1)
			var evs pushEvents
			evs.on = func(ev rollout.Event) {
				// In the middle: the first device writes, the others
				// are logging in or reading.
				if ev.Kind == rollout.EventStep && ev.Step == inventory.StepWrite && ev.Status == inventory.StepRunning {
					once.Do(func() {
						pid := b.MainPID()
						if pid == 0 {
							killed <- errors.New("no browser process")
							return
						}
						killed <- syscall.Kill(pid, c.sig)
					})
				}
			}
			o := e.options()
			o.Parallel = 4
			o.Browser = b
			o.Select = rollout.Selector{All: true}
			o.Progress = evs.add
			sum, err := rollout.Push(ctx, o)
			select {
			case kerr := <-killed:
				if kerr != nil {
					t.Fatalf("kill: %v", kerr)
				}
			default:
				t.Fatal("no device reached its write: the browser was never killed")
			}
			if err != nil {
				t.Errorf("push: %v\n%s", err, pushJSON(t, sum))
			}
			checkNoDeviceBlamed(t, e, sum, rollout.StatusConfirmed, rollout.StatusConnectionTested, rollout.StatusWrittenUnconfirmed)
			var ce *drivers.CrashError
			if !errors.As(b.Crashed(), &ce) {
				t.Fatalf("the killed browser is not recorded as crashed: %v", b.Crashed())
			}
			if want := fmt.Sprintf("signal %d", int(c.sig)); !strings.Contains(ce.Exit, want) {
				t.Errorf("crash exit %q does not say %q", ce.Exit, want)
			}
			logs := e.logs.String()
			for _, want := range []string{"the browser crashed", "starting it again from its login"} {
				if !strings.Contains(logs, want) {
					t.Errorf("the logs do not say %q", want)
				}
			}
		})
	}
}

// TestPushStopsWhenBrowserKeepsCrashing: a Chromium that dies a moment
// after every start (a wrapper script that raises SIGTRAP in it, as a
// CHECK failure does). The run stops with ErrBrowserCrashing, whose
// message starts "the browser keeps crashing:" and carries the exit
// status; every device is left pending ("not attempted"), none failed,
// no failed login recorded; the run is journalled as interrupted so a
// re-run carries on.
func TestPushStopsWhenBrowserKeepsCrashing(t *testing.T) {
	e := crashFleet(t, "127.0.68.1", 6, 200*time.Millisecond)
	real, err := drivers.FindChromium("")
	if err != nil {
		t.Skip(err)
	}
	script := filepath.Join(e.dir, "dying-chromium")
	if err := os.WriteFile(script, []byte(`#!/bin/sh
# Chromium that dies with a CHECK failure's signal a moment after it starts.
"`+real+`" "$@" &
pid=$!
sleep 1.5
# The browser itself: the child of Debian's wrapper script, if it is one.
for p in $(pgrep -P $pid) $pid; do kill -TRAP $p; done
wait $pid
`), 0o700); err != nil {
		t.Fatal(err)
	}
	e.cfg.Browser.Path = script
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	o := e.options()
	o.Parallel = 3
	o.Select = rollout.Selector{All: true}
	sum, err := rollout.Push(ctx, o)
	if !errors.Is(err, rollout.ErrBrowserCrashing) {
		t.Fatalf("want ErrBrowserCrashing, got %v\n%s", err, pushJSON(t, sum))
	}
	if errors.Is(err, rollout.ErrSomeFailed) {
		t.Errorf("the error says devices failed: %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"the browser keeps crashing: ", "exit status 133", "not attempted", "none is blamed", "run the same command again"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q: %s", want, msg)
		}
	}
	checkNoDeviceBlamed(t, e, sum, rollout.StatusPending)
	for _, d := range sum.Devices {
		if !strings.HasPrefix(d.Reason, "not attempted") {
			t.Errorf("%s: reason %q, want \"not attempted: …\"", d.IP, d.Reason)
		}
	}
	if sum.Status != inventory.RunInterrupted {
		t.Errorf("run status %q, want %q (a re-run carries on)", sum.Status, inventory.RunInterrupted)
	}
	if sum.Counts.Failed != 0 || sum.Counts.Pending != len(e.fleet.Devices) {
		t.Errorf("counts %+v", sum.Counts)
	}
}

// TestPushSurvivesOneOfBrowsersKill: a push to eight slow devices with
// four tabs at two a browser, so two Chromiums. One of them is killed in
// the middle: only that one is started again, only the devices it was
// handling (two at most) start again from their login, the other
// browser carries on, and every device ends confirmed or
// written-unconfirmed, none blamed.
func TestPushSurvivesOneOfBrowsersKill(t *testing.T) {
	e := crashFleet(t, "127.0.70.1", 8, 300*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var once sync.Once
	killed := make(chan error, 1)
	var other int
	var evs pushEvents
	evs.on = func(ev rollout.Event) {
		if ev.Kind == rollout.EventStep && ev.Step == inventory.StepWrite && ev.Status == inventory.StepRunning {
			once.Do(func() {
				pids := ourBrowsers(t)
				if len(pids) != 2 {
					killed <- fmt.Errorf("%d browser processes, want 2: %v", len(pids), pids)
					return
				}
				other = pids[1]
				killed <- syscall.Kill(pids[0], syscall.SIGKILL)
			})
		}
		if ev.Kind == rollout.EventDone && other != 0 && syscall.Kill(other, 0) != nil {
			t.Errorf("the browser that was not killed (pid %d) is gone before the run ended", other)
			other = 0
		}
	}
	o := e.options()
	o.Parallel, o.TabsPerBrowser = 4, 2
	o.Select = rollout.Selector{All: true}
	o.Progress = evs.add
	sum, err := rollout.Push(ctx, o)
	select {
	case kerr := <-killed:
		if kerr != nil {
			t.Fatalf("kill: %v", kerr)
		}
	default:
		t.Fatal("no device reached its write: no browser was killed")
	}
	if err != nil {
		t.Errorf("push: %v\n%s", err, pushJSON(t, sum))
	}
	checkNoDeviceBlamed(t, e, sum, rollout.StatusConfirmed, rollout.StatusWrittenUnconfirmed, rollout.StatusConnectionTested)
	logs := e.logs.String()
	if n := strings.Count(logs, "the browser crashed: starting it again;"); n != 1 {
		t.Errorf("%d browser crashes logged, want 1", n)
	}
	if !strings.Contains(logs, "browsers=2") {
		t.Errorf("the crash log does not say which of the two browsers")
	}
	if n := strings.Count(logs, "starting it again from its login"); n < 1 || n > 2 {
		t.Errorf("%d devices started again, want 1 or 2 (the killed browser's, at 2 tabs a browser)", n)
	}
}

// ourBrowsers are the main Chromium processes (not the wrapper script,
// not its helpers) descended from this test process, oldest first.
func ourBrowsers(t *testing.T) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	parent := func(pid int) int {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		var pp int
		if len(f) > 1 {
			_, _ = fmt.Sscan(f[1], &pp)
		}
		return pp
	}
	var pids []int
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || !strings.Contains(string(cmd), "--user-data-dir=") || strings.Contains(string(cmd), "--type=") {
			continue
		}
		switch filepath.Base(strings.SplitN(string(cmd), "\x00", 2)[0]) {
		case "sh", "bash", "dash":
			continue
		}
		for p := parent(pid); p > 1; p = parent(p) {
			if p == os.Getpid() {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}
