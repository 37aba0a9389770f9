package drivers

import (
	"context"
)

// Opener opens a tab on a device: a *Browser (rollout hands each device
// one of the run's browsers).
type Opener interface {
	Open(ctx context.Context, t Target) (*Tab, error)
}

var _ Opener = (*Browser)(nil)

// BrowsersFor is how many browsers a run of parallel tabs uses with at
// most tabsPerBrowser tabs each (0: one browser for all).
func BrowsersFor(parallel, tabsPerBrowser int) int {
	if tabsPerBrowser <= 0 || parallel <= tabsPerBrowser {
		return 1
	}
	return (parallel + tabsPerBrowser - 1) / tabsPerBrowser
}
