package devices

import (
	"testing"
	"time"
)

// TestPacerRate checks the bucket never lets more than rate packets per
// second (plus its 50 ms burst) through, for probe senders and forced
// follow-ups together. Only a lower bound on the time is checked: a slow
// machine can only make it slower.
func TestPacerRate(t *testing.T) {
	const rate = 2000
	p := newPacer(rate)
	start := time.Now()
	got := 0
	for got < 600 {
		n, err := p.take(t.Context(), sendBatch)
		if err != nil {
			t.Fatal(err)
		}
		got += n
		if got%100 < n {
			p.force(10) // follow-ups count too
			got += 10
		}
	}
	floor := time.Duration(float64(got-rate/20) / rate * float64(time.Second))
	if el := time.Since(start); el < floor {
		t.Errorf("%d packets in %v: faster than %d/s (at least %v)", got, el, rate, floor)
	}
}

func TestSenderCount(t *testing.T) {
	for _, tc := range []struct{ rate, max int }{{100, 1}, {2000, 1}, {49999, 1}, {1_000_000, maxSenders}} {
		if n := senderCount(tc.rate); n < 1 || n > tc.max {
			t.Errorf("senderCount(%d) = %d, want 1..%d", tc.rate, n, tc.max)
		}
	}
}
