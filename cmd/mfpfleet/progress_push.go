package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/mfpfleet/mfpfleet/rollout"
)

// pushProgress renders rollout events on stderr: on a terminal, one line
// per active device (its current step) under an overall bar; otherwise a
// plain line per finished device, so CI logs and pipes show progress too.
type pushProgress struct {
	mu      sync.Mutex
	w       io.Writer
	tty     bool
	p       *mpb.Progress
	overall *mpb.Bar
	lines   map[string]*deviceLine
	// waits: test --wait devices waiting for a scan, for the countdown.
	waits    map[string]rollout.Event
	stopTick chan struct{}
}

type deviceLine struct {
	bar   *mpb.Bar
	step  string
	n     int64
	until time.Time // waiting for a scan until then
}

// status is the device line's text: its step, or the time left to scan.
func (dl *deviceLine) status() string {
	if dl.until.IsZero() {
		return dl.step
	}
	return "waiting for a scan, " + time.Until(dl.until).Round(time.Second).String() + " left"
}

// steps a device goes through, for its line's bar.
const deviceSteps = 6

func (g *globals) newPushProgress() *pushProgress {
	pp := &pushProgress{w: g.stderr, lines: map[string]*deviceLine{}, waits: map[string]rollout.Event{}}
	if g.stderrIsTerminal() {
		pp.tty = true
		pp.p = mpb.New(mpb.WithOutput(g.stderr), mpb.WithWidth(30))
	}
	return pp
}

// event is the rollout.Options.Progress callback (calls are serialised).
func (pp *pushProgress) event(e rollout.Event) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	switch e.Kind {
	case rollout.EventPreflight:
		if !pp.tty {
			fmt.Fprintf(pp.w, "mfpfleet: gmail preflight %s\n", e.Status)
		}
	case rollout.EventPlan:
		if pp.tty && e.Total > 0 {
			pp.overall = pp.p.AddBar(int64(e.Total),
				mpb.PrependDecorators(decor.Name("devices ", decor.WC{W: 9}), decor.CountersNoUnit("%d/%d")),
				mpb.AppendDecorators(decor.Percentage(decor.WC{W: 5}), decor.Name(" "), decor.Elapsed(decor.ET_STYLE_GO)),
			)
		}
	case rollout.EventDevice:
		if !pp.tty {
			return
		}
		name := fmt.Sprintf("%-15s %-18.18s", e.Device, e.Model)
		dl := &deviceLine{}
		dl.bar = pp.p.AddBar(deviceSteps, mpb.BarRemoveOnComplete(),
			mpb.PrependDecorators(decor.Name(name)),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return dl.status() })),
		)
		if old, ok := pp.lines[e.Device]; ok {
			old.bar.Abort(true)
		}
		pp.lines[e.Device] = dl
	case rollout.EventStep:
		if dl, ok := pp.lines[e.Device]; ok && e.Status == "running" {
			dl.step = e.Step
			dl.n++
			if dl.n < deviceSteps {
				dl.bar.SetCurrent(dl.n)
			}
		}
	case rollout.EventWaiting:
		// Say where to scan to before waiting, then count down.
		line := fmt.Sprintf("waiting for a scan   %-15s %s %s: on the device's panel, scan a page to e-mail %s (waiting %s, until %s)",
			e.Device, e.Model, e.Serial, e.TestAddress, time.Until(e.Until).Round(time.Second), e.Until.Local().Format("15:04:05"))
		if dl, ok := pp.lines[e.Device]; ok {
			dl.until = e.Until
		}
		if pp.tty {
			pp.p.Write([]byte(line + "\n")) //nolint:errcheck
			return
		}
		fmt.Fprintln(pp.w, line)
		pp.waits[e.Device] = e
		if pp.stopTick == nil {
			pp.stopTick = make(chan struct{})
			go pp.countdown(pp.stopTick, countdownEvery(time.Until(e.Until)))
		}
	case rollout.EventDone:
		delete(pp.waits, e.Device)
		if dl, ok := pp.lines[e.Device]; ok {
			dl.bar.SetTotal(-1, true)
			delete(pp.lines, e.Device)
		}
		if pp.overall != nil {
			pp.overall.Increment()
		}
		line := fmt.Sprintf("%-20s %-15s %s %s", e.Status, e.Device, e.Model, e.Serial)
		if e.Reason != "" && e.Status != rollout.StatusConfirmed {
			line += ": " + e.Reason
		}
		if pp.tty {
			// Printed above the bars.
			pp.p.Write([]byte(line + "\n")) //nolint:errcheck
		} else {
			fmt.Fprintln(pp.w, line)
		}
	}
}

// countdownEvery is how often a log (not a terminal) is told the time
// left: a few times per wait, at least every 30 s.
func countdownEvery(wait time.Duration) time.Duration {
	return max(time.Second, min(30*time.Second, wait/4))
}

// countdown prints the time left for each device waiting for a scan.
func (pp *pushProgress) countdown(stop chan struct{}, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		pp.mu.Lock()
		for _, e := range pp.waits {
			if left := time.Until(e.Until).Round(time.Second); left > 0 {
				fmt.Fprintf(pp.w, "waiting for a scan   %-15s %s left, to %s\n", e.Device, left, e.TestAddress)
			}
		}
		pp.mu.Unlock()
	}
}

// done stops the display; call it before printing the summary.
func (pp *pushProgress) done() {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.stopTick != nil {
		close(pp.stopTick)
		pp.stopTick = nil
	}
	if pp.p == nil {
		return
	}
	for _, dl := range pp.lines {
		dl.bar.Abort(true)
	}
	if pp.overall != nil {
		pp.overall.Abort(false)
	}
	pp.p.Wait()
	pp.p = nil
}
