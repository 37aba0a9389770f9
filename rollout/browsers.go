package rollout

import (
	"context"
	"errors"
	"fmt"
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
	k.last = crash
	now := time.Now()
	k.crashes = append(k.crashes, now)
	recent := 0
	for _, t := range k.crashes {
		if now.Sub(t) <= k.window {
			recent++
		}
	}
	if recent >= k.limit {
		k.gaveUp = fmt.Errorf("%w: %s — %d crashes within %s; %s: %w", ErrBrowserCrashing, summary(crash), recent, k.window, crashAdvice, crash)
		k.log.Error("the browser keeps crashing: stopping the run", "crashes", recent, "within", k.window, "last", crash.Error())
		return k.gaveUp
	}
	k.log.Warn("the browser crashed: starting it again; the devices it was handling start again from their login", "crash", crash.Error(), "crashes", recent)
	nb, err := k.start(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil // interrupted: the workers see ctx
		}
		k.gaveUp = fmt.Errorf("%w: %s, and it does not start again (%v); %s: %w", ErrBrowserCrashing, summary(crash), err, crashAdvice, crash)
		return k.gaveUp
	}
	k.owned = append(k.owned, nb)
	k.b = nb
	return nil
}

const crashAdvice = "no device was blamed and none is marked failed: the devices not finished are left \"not attempted\"; " +
	"look at the browser's output named above, try [browser] render_frames = true in fleet.toml or a lower --parallel, " +
	"check free memory (dmesg), then run the same command again to carry on"

// summary is a crash's FATAL line and exit status.
func summary(err error) string {
	var ce *drivers.CrashError
	if errors.As(err, &ce) {
		return ce.Summary()
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
