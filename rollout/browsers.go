package rollout

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/mfpfleet/mfpfleet/drivers"
)

// ErrBrowserCrashing: Chromium kept dying (CrashLimit crashes within
// CrashWindow, or it could not be started again after a crash). The run
// stopped; the devices not finished are left "pending" (not attempted),
// never failed: a crash is never the device's fault. The CLI exits 7.
var ErrBrowserCrashing = errors.New("the browser keeps crashing")

// Browser is the engine's seam to the devices' web admins: one browser
// of the run, in which each pass over a device opens its session.
// *drivers.Browser (a Chromium) is the real one; the engine's unit tests
// run fakes that open fake sessions and can die, so that retry, the
// lock-out budget, interruption and crash handling are tested without
// Chromium (Options.StartBrowser).
type Browser interface {
	drivers.SessionOpener
	// Crashed returns the browser's crash (wrapping
	// drivers.ErrBrowserCrashed) once it died, nil while it runs.
	Crashed() error
	// CrashOf returns the crash when err, from one of its sessions, came
	// from the browser dying, nil when it is about the device.
	CrashOf(err error) error
	// Close stops the browser. Safe to call twice.
	Close() error
}

var _ Browser = (*drivers.Browser)(nil)

// Defaults of Options.CrashLimit and Options.CrashWindow.
const (
	DefaultCrashLimit  = 4
	DefaultCrashWindow = 2 * time.Minute
	// maxDeviceRequeues bounds how often one device is started again
	// from its login because the browser died under it.
	maxDeviceRequeues = 5
)

// browserKeeper owns the run's Chromiums: n of them for many devices in
// flight ([browser] tabs_per_browser), one otherwise. It hands each pass
// the browser with the fewest passes under way, restarts a browser that
// crashed (only that one: the devices on the others carry on, the
// devices on it start again from their login) and gives up when
// Chromium keeps crashing. The crash limit counts the crashes of all the
// run's browsers together: CrashLimit crashes within CrashWindow stop the
// run however many browsers it has.
type browserKeeper struct {
	start  func(context.Context) (Browser, error)
	n      int // browsers to run (< 1: one)
	limit  int
	window time.Duration
	log    interface {
		Warn(msg string, args ...any)
		Error(msg string, args ...any)
	}

	mu      sync.Mutex
	bs      []Browser // the slots; a crashed browser is replaced in its slot
	passes  []int     // per slot: passes under way
	owned   []Browser // started here: closed by close
	crashes []time.Time
	last    error // the last crash
	gaveUp  error // wraps ErrBrowserCrashing once the run must stop
}

// use makes b the keeper's only browser (one given by the caller, not
// closed by close).
func (k *browserKeeper) use(b Browser) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.bs, k.passes = []Browser{b}, []int{0}
}

// acquire returns the browser to open the next pass's tab in, the one
// with the fewest passes under way, and release, to call when the pass
// is over; or the error that stopped the run.
func (k *browserKeeper) acquire() (b Browser, release func(), err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gaveUp != nil {
		return nil, nil, k.gaveUp
	}
	if len(k.bs) == 0 {
		return nil, func() {}, nil
	}
	best := 0
	for i := range k.bs {
		if k.passes[i] < k.passes[best] {
			best = i
		}
	}
	k.passes[best]++
	var once sync.Once
	return k.bs[best], func() {
		once.Do(func() {
			k.mu.Lock()
			k.passes[best]--
			k.mu.Unlock()
		})
	}, nil
}

// stopped returns the give-up error, nil while the run goes on.
func (k *browserKeeper) stopped() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.gaveUp
}

// crashed is called by a worker whose pass failed while browser b was
// dead. The first worker to report b's death starts a Chromium in its
// place; the others find the new one. It returns the give-up error when
// Chromium crashed CrashLimit times within CrashWindow or does not start
// again.
func (k *browserKeeper) crashed(ctx context.Context, b Browser) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.gaveUp != nil {
		return k.gaveUp
	}
	slot := slices.Index(k.bs, b)
	if slot < 0 {
		return nil // already restarted
	}
	crash := b.Crashed()
	if crash == nil {
		crash = drivers.ErrBrowserCrashed
	}
	if k.count(crash) {
		return k.gaveUp
	}
	k.log.Warn("the browser crashed: starting it again; the devices it was handling start again from their login", "crash", crash.Error(), "crashes", len(k.crashes), "browser", slot+1, "browsers", len(k.bs))
	return k.startLocked(ctx, slot)
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

// startLocked starts a browser in slot (k.mu held), again while it dies
// during its start, within the crash limit.
func (k *browserKeeper) startLocked(ctx context.Context, slot int) error {
	for {
		nb, err := k.start(ctx)
		if err == nil {
			k.owned = append(k.owned, nb)
			k.bs[slot] = nb
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

// startFirst starts the run's browsers, in parallel. A browser that dies
// while it starts (it crashed, rather than not being there) is started
// again, within the crash limit; then the error wraps
// ErrBrowserCrashing.
func (k *browserKeeper) startFirst(ctx context.Context) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := max(k.n, 1)
	k.bs, k.passes = make([]Browser, n), make([]int, n)
	for {
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			if k.bs[i] != nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				b, err := k.start(ctx)
				if err == nil {
					k.bs[i] = b
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for _, b := range k.bs {
			if b != nil && !slices.Contains(k.owned, b) {
				k.owned = append(k.owned, b)
			}
		}
		if err := errors.Join(errs...); err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		for _, err := range errs {
			if err != nil && !diedStarting(err) {
				if n > 1 {
					return fmt.Errorf("start %d browsers: %w", n, err)
				}
				return err
			}
		}
		for _, err := range errs {
			if err == nil {
				continue
			}
			if k.count(err) {
				return k.gaveUp
			}
			k.log.Warn("the browser died while it started: starting it again", "err", err.Error())
		}
	}
}

// diedStarting reports whether a start failed because the process died
// rather than because no Chromium is there (drivers.NewBrowser marks such
// a start with drivers.ErrBrowserCrashed).
func diedStarting(err error) bool {
	return errors.Is(err, drivers.ErrBrowserCrashed)
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
func browserDied(b Browser, err error) bool {
	if err == nil || b == nil {
		return false
	}
	return b.CrashOf(err) != nil
}
