package rollout

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/mfpfleet/mfpfleet/drivers"
)

// ErrBrowserCrashing: Chromium kept dying (CrashLimit crashes within
// CrashWindow, or it could not be started again after a crash). The run
// stopped; the devices not finished are left "pending" (not attempted),
// never failed: a crash is never the device's fault. The CLI exits 7.
var ErrBrowserCrashing = errors.New("the browser keeps crashing")

// Defaults of Options.CrashLimit and Options.CrashWindow.
const (
	DefaultCrashLimit  = 4
	DefaultCrashWindow = 2 * time.Minute
	// maxDeviceRequeues bounds how often one device is started again
	// from its login because the browser died under it.
	maxDeviceRequeues = 5
)

// browserKeeper owns the run's Chromium: it restarts it when it crashes
// and gives up when it keeps crashing.
type browserKeeper struct {
	start  func(context.Context) (*drivers.Browser, error)
	limit  int
	window time.Duration
	log    interface {
		Warn(msg string, args ...any)
		Error(msg string, args ...any)
	}

	mu      sync.Mutex
	b       *drivers.Browser
	owned   []*drivers.Browser // started here: closed by close
	crashes []time.Time
	last    error // the last crash
	gaveUp  error // wraps ErrBrowserCrashing once the run must stop
}

// current returns the browser to open tabs in, or the error that stopped
// the run.
func (k *browserKeeper) current() (*drivers.Browser, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gaveUp != nil {
		return nil, k.gaveUp
	}
	return k.b, nil
}

// stopped returns the give-up error, nil while the run goes on.
func (k *browserKeeper) stopped() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.gaveUp
}

// crashed is called by a worker whose pass failed while browser b was
// dead. The first worker to report b's death restarts Chromium; the
// others find the new one. It returns the give-up error when Chromium
// crashed CrashLimit times within CrashWindow or does not start again.
func (k *browserKeeper) crashed(ctx context.Context, b *drivers.Browser) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gaveUp != nil {
		return k.gaveUp
	}
	if k.b != b {
		return nil // already restarted
	}
	crash := b.Crashed()
	if crash == nil {
		crash = drivers.ErrBrowserCrashed
	}
	if k.count(crash) {
		return k.gaveUp
	}
	k.log.Warn("the browser crashed: starting it again; the devices it was handling start again from their login", "crash", crash.Error(), "crashes", len(k.crashes))
	return k.startLocked(ctx)
}

// count records a crash and, when it makes CrashLimit within
// CrashWindow, sets gaveUp and reports true.
func (k *browserKeeper) count(crash error) bool {
	k.last = crash
	now := time.Now()
	k.crashes = append(k.crashes, now)
	recent := 0
	for _, t := range k.crashes {
		if now.Sub(t) <= k.window {
			recent++
		}
	}
	if recent < k.limit {
		return false
	}
	k.gaveUp = fmt.Errorf("%w: %s — %d crashes within %s; %s", ErrBrowserCrashing, summary(crash), recent, k.window.Round(time.Second), crashAdvice)
	k.log.Error("the browser keeps crashing: stopping the run", "crashes", recent, "within", k.window, "last", crash.Error())
	return true
}

// startLocked starts a browser (k.mu held), again while it dies during
// its start, within the crash limit.
func (k *browserKeeper) startLocked(ctx context.Context) error {
	for {
		nb, err := k.start(ctx)
		if err == nil {
			k.owned = append(k.owned, nb)
			k.b = nb
			return nil
		}
		if ctx.Err() != nil {
			return nil // interrupted: the workers see ctx
		}
		if !diedStarting(err) {
			k.gaveUp = fmt.Errorf("%w: %s, and it does not start again (%v); %s", ErrBrowserCrashing, summary(k.last), err, crashAdvice)
			return k.gaveUp
		}
		if k.count(err) {
			return k.gaveUp
		}
	}
}

// startFirst starts the run's browser. A browser that dies while it
// starts (it crashed, rather than not being there) is started again,
// within the crash limit; then the error wraps ErrBrowserCrashing.
func (k *browserKeeper) startFirst(ctx context.Context) (*drivers.Browser, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for {
		b, err := k.start(ctx)
		if err == nil {
			k.owned = append(k.owned, b)
			k.b = b
			return b, nil
		}
		if ctx.Err() != nil || !diedStarting(err) {
			return nil, err
		}
		if k.count(err) {
			return nil, k.gaveUp
		}
		k.log.Warn("the browser died while it started: starting it again", "err", err.Error())
	}
}

// diedStarting reports whether a start failed because the process died
// (a crash, or chromedp's "chrome failed to start" with the process's
// last words) rather than because no Chromium is there.
func diedStarting(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee) || !errors.Is(err, drivers.ErrNoChromium) && strings.Contains(err.Error(), "failed to start")
}

const crashAdvice = "the devices not finished are left not attempted, none is blamed; " +
	"look at Chromium's output in the artifacts dir, try [browser] render_frames = true in fleet.toml or a lower --parallel, " +
	"check free memory (dmesg), then run the same command again to carry on"

// summary is a crash's FATAL line and exit status (and where its
// output was saved).
func summary(err error) string {
	var ce *drivers.CrashError
	if errors.As(err, &ce) {
		s := ce.Summary()
		if ce.Log != "" {
			s += " (output: " + ce.Log + ")"
		}
		return s
	}
	if err == nil {
		return "no exit status"
	}
	return err.Error()
}

// close stops the browsers the keeper started.
func (k *browserKeeper) close() {
	k.mu.Lock()
	owned := k.owned
	k.owned = nil
	k.mu.Unlock()
	for _, b := range owned {
		b.Close()
	}
}

// browserDied reports whether err, from a pass with browser b, is the
// browser's death rather than anything about the device.
func browserDied(b *drivers.Browser, err error) bool {
	if err == nil || b == nil {
		return false
	}
	return b.CrashOf(err) != nil
}
