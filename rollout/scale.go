package rollout

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/gmail"
)

// DefaultTabsPerBrowser is [browser] tabs_per_browser = 0: another
// Chromium for every 16 devices in flight. At --parallel 64 on a loaded
// two-core machine, four Chromiums of 16 tabs did 3.8× the devices a
// minute of one with 64 (README, "Many devices in flight").
const DefaultTabsPerBrowser = 16

// ParallelAuto as Options.Parallel (or [rollout] parallel = 0) picks the
// number of devices in flight from the machine: AutoParallel.
const ParallelAuto = -1

// Figures behind AutoParallel, measured with bench/rollout (README,
// "Many devices in flight").
const (
	// autoPerCore: with real device speed a device spends about 30 s
	// waiting on its web admin and the mailbox for about 1 CPU-second of
	// work (nearly all Chromium's), so about 30 devices in flight keep
	// one core busy; 32 per core.
	autoPerCore = 32
	// autoTabMiB is what one more tab in flight may cost the process
	// tree (Chromium's renderer and browser, the engine): bench/rollout
	// measured 4.5 MiB (peak PSS 420 MiB at --parallel 8, 671 MiB at
	// 64, one Chromium, the simulator's small pages); 12 leaves room for
	// real devices' heavier pages and a Chromium per tabs_per_browser.
	autoTabMiB = 12
	// autoBaseMiB is the run's fixed cost (one Chromium, the engine):
	// 390-420 MiB measured.
	autoBaseMiB      = 400
	autoMin, autoMax = 4, 256
)

// AutoParallel is --parallel auto: 32 devices in flight per core, as many
// as a quarter of the available memory holds at 12 MiB a tab after a
// 400 MiB base, between 4 and 256:
//
//	min(32 × cores, (available MiB / 4 − 400) / 12), clamped to [4, 256]
//
// availMiB ≤ 0 (unknown) leaves memory out.
func AutoParallel(cores int, availMiB int64) int {
	n := autoPerCore * max(cores, 1)
	if availMiB > 0 {
		n = min(n, int((availMiB/4-autoBaseMiB)/autoTabMiB))
	}
	return min(max(n, autoMin), autoMax)
}

// MachineParallel is AutoParallel for this machine: what --parallel auto
// picks here.
func MachineParallel() int {
	return AutoParallel(runtime.NumCPU(), availableMiB())
}

// availableMiB is the memory available to new work (Linux
// /proc/meminfo MemAvailable), 0 when unknown.
func availableMiB() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb / 1024
		}
	}
	return 0
}

// resolveParallel turns Options.Parallel and [rollout] parallel into a
// level: 0 takes the config's, ParallelAuto (or a config of 0) picks.
func resolveParallel(opt, config int) int {
	if opt == 0 {
		opt = config
		if opt == 0 {
			opt = ParallelAuto
		}
	}
	if opt < 0 {
		return MachineParallel()
	}
	return opt
}

// browserOptions are the run's Chromiums' from [browser]. Frames on
// demand ([browser] render_frames = false) hold at any number of tabs a
// browser: the browser lets one BeginFrame be in flight at a time
// (drivers, frameGate), which is what stops the headless shell's GPU
// process dying of overlapping ones.
func (e *engine) browserOptions() drivers.BrowserOptions {
	c := e.o.Config.Browser
	return drivers.BrowserOptions{
		Path: c.Path, Flags: c.Flags, SiteIsolation: c.SiteIsolation,
		RenderFrames: c.RenderFrames, ArtifactsDir: e.o.ArtifactsDir, Logger: e.o.Logger,
	}
}

// startWatcher logs into the mailbox once for the run's confirmations:
// every device in flight waits on the same IMAP connection instead of
// each opening its own (Gmail allows 15 per account) and taking turns.
// On failure the run confirms device by device as before.
func (e *engine) startWatcher(ctx context.Context, since time.Time) {
	g := e.o.Config.Gmail
	w, err := gmail.Watch(ctx, gmail.WatchOptions{
		Account: e.o.Account, Password: e.o.AppPassword, Host: g.IMAPHost, Port: g.IMAPPort, CAFile: g.CAFile,
		Since: since, Interval: e.o.ConfirmPoll, Logger: e.log,
	})
	if err != nil {
		e.log.Warn("mailbox: one shared connection failed; confirming device by device", "err", e.secrets.scrub(err.Error()))
		return
	}
	e.watch, e.watchSince = w, since
}

// waitWatched confirms addr through the shared watcher; ok false when
// there is none or since is earlier than it looks.
func (e *engine) waitWatched(ctx context.Context, addr string, since time.Time, timeout time.Duration) (gmail.Arrival, bool, error) {
	if e.watch == nil || since.Before(e.watchSince) {
		return gmail.Arrival{}, false, nil
	}
	arr, err := e.watch.Wait(ctx, addr, timeout)
	return arr, true, err
}
