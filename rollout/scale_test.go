package rollout_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/rollout"
)

func TestAutoParallel(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cores    int
		availMiB int64
		want     int
	}{
		{"this machine: 2 cores, 22 GiB", 2, 22 << 10, 64},
		{"laptop: 8 cores, 16 GiB", 8, 16 << 10, 256},
		{"laptop: 4 cores, 6 GiB free", 4, 6 << 10, 94},
		{"memory unknown", 2, 0, 64},
		{"small: 1 core, 1 GiB", 1, 1 << 10, 4},
		{"big server", 64, 512 << 10, 256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := rollout.AutoParallel(tc.cores, tc.availMiB); got != tc.want {
				t.Errorf("AutoParallel(%d, %d MiB) = %d, want %d", tc.cores, tc.availMiB, got, tc.want)
			}
		})
	}
}

// TestPushManyInFlight: devices at real-device-like speed (pages 50 ms,
// saves 150 ms, each test message held 1.5 s before it reaches the
// mailbox) pushed with more tabs than one browser is given: two
// Chromiums share them, every device ends confirmed, and the whole run's
// confirmations go through one IMAP login instead of one per device
// (ConfirmParallel 1 would otherwise also make them take turns).
func TestPushManyInFlight(t *testing.T) {
	fixed := func(d time.Duration) sim.LogNormal { return sim.LogNormal{Median: d} }
	lat := sim.Latency{Page: fixed(50 * time.Millisecond), Asset: fixed(20 * time.Millisecond), Save: fixed(150 * time.Millisecond), Mail: fixed(1500 * time.Millisecond), Seed: 1}
	e := newPushEnv(t, "127.0.67.1", 14, sim.FleetOptions{
		Latency: map[string]sim.Latency{sim.FamilyConnectKey: lat, sim.FamilyVersaLink: lat, sim.FamilyFujiXerox: lat},
	})
	o := e.options()
	o.Select = rollout.Selector{Models: []string{"AltaLink", "VersaLink"}}
	o.Parallel, o.TabsPerBrowser, o.ConfirmParallel = 4, 2, 1
	logins0 := e.fleet.Gmail.IMAPLogins()
	sum, err := rollout.Push(context.Background(), o)
	if err != nil {
		t.Fatalf("push: %v\n%s", err, pushJSON(t, sum))
	}
	// Every device with a test e-mail confirmed (a model without one may
	// end connection-tested), none failed.
	if sum.Counts.Confirmed < 5 || sum.Counts.Failed+sum.Counts.Pending > 0 {
		t.Fatalf("want 5+ devices confirmed and none failed, got %+v\n%s", sum.Counts, pushJSON(t, sum))
	}
	if n := e.fleet.Gmail.IMAPLogins() - logins0; n > 2 {
		t.Errorf("%d IMAP logins for %d confirmations: want them to share one connection", n, sum.Counts.Confirmed)
	}
	if logs := e.logs.String(); !strings.Contains(logs, "starting browsers") || !strings.Contains(logs, "browsers=2") {
		t.Errorf("want two browsers started for 4 tabs at 2 a browser; logs do not say so")
	}
}
