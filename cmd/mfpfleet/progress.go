package main

import (
	"sync"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/mfpfleet/mfpfleet/devices"
)

// sweepBar draws discovery progress on stderr when it is a terminal and
// does nothing otherwise.
type sweepBar struct {
	mu  sync.Mutex
	p   *mpb.Progress
	bar *mpb.Bar
}

func (g *globals) newSweepBar() *sweepBar {
	if !g.stderrIsTerminal() || g.json {
		return &sweepBar{}
	}
	p := mpb.New(mpb.WithOutput(g.stderr), mpb.WithWidth(40))
	bar := p.AddBar(0,
		mpb.PrependDecorators(decor.Name("sweep "), decor.CountersNoUnit("%d/%d packets")),
		mpb.AppendDecorators(decor.Percentage()),
	)
	return &sweepBar{p: p, bar: bar}
}

func (s *sweepBar) update(p devices.SweepProgress) {
	if s.bar == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bar.SetTotal(int64(p.Total), false)
	s.bar.SetCurrent(int64(p.Sent))
}

func (s *sweepBar) done() {
	if s.bar == nil {
		return
	}
	s.bar.SetTotal(-1, true)
	s.p.Wait()
}
