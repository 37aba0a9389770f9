package drivers

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Opener opens a tab on a device: a *Browser, or a *Pool of them.
type Opener interface {
	Open(ctx context.Context, t Target) (*Tab, error)
}

var (
	_ Opener = (*Browser)(nil)
	_ Opener = (*Pool)(nil)
)

// Pool is several Chromium processes for one run, for many devices in
// flight: each Open goes to the browser with the fewest tabs open. A
// browser keeps its tabs in one renderer process (BrowserOptions,
// renderer-process-limit), whose main thread then runs every page of the
// browser; several browsers spread the pages over several renderers and
// cores, and limit what one browser crash takes down. Safe for concurrent
// use.
type Pool struct {
	browsers []*Browser

	mu      sync.Mutex
	opening []int // per browser: Opens under way (not yet counted as open tabs)
}

// NewPool starts n browsers with options o (n < 1 is one), in parallel.
// ctx bounds only the start; Close stops them.
func NewPool(ctx context.Context, o BrowserOptions, n int) (*Pool, error) {
	n = max(n, 1)
	p := &Pool{browsers: make([]*Browser, n), opening: make([]int, n)}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.browsers[i], errs[i] = NewBrowser(ctx, o)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		p.Close()
		return nil, fmt.Errorf("start %d browsers: %w", n, err)
	}
	return p, nil
}

// Open opens a tab (see Browser.Open) in the browser with the fewest
// tabs open.
func (p *Pool) Open(ctx context.Context, t Target) (*Tab, error) {
	p.mu.Lock()
	best, bestN := 0, -1
	for i, b := range p.browsers {
		if n := b.openTabs() + p.opening[i]; bestN < 0 || n < bestN {
			best, bestN = i, n
		}
	}
	p.opening[best]++
	p.mu.Unlock()
	tab, err := p.browsers[best].Open(ctx, t)
	p.mu.Lock()
	p.opening[best]--
	p.mu.Unlock()
	return tab, err
}

// Browsers are the pool's browsers.
func (p *Pool) Browsers() []*Browser { return p.browsers }

// LanesOpened is the tabs opened so far by all browsers.
func (p *Pool) LanesOpened() int {
	n := 0
	for _, b := range p.browsers {
		n += b.LanesOpened()
	}
	return n
}

// Close stops every browser. Safe to call twice.
func (p *Pool) Close() error {
	for _, b := range p.browsers {
		if b != nil {
			_ = b.Close()
		}
	}
	return nil
}

// openTabs is how many tabs b has open on devices now.
func (b *Browser) openTabs() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, c := range b.busy {
		n += c
	}
	return n
}

// BrowsersFor is how many browsers a run of parallel tabs uses with at
// most tabsPerBrowser tabs each (0: one browser for all).
func BrowsersFor(parallel, tabsPerBrowser int) int {
	if tabsPerBrowser <= 0 || parallel <= tabsPerBrowser {
		return 1
	}
	return (parallel + tabsPerBrowser - 1) / tabsPerBrowser
}
