package devices

import (
	"context"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// pacer is the token bucket every packet of a sweep draws from: probe
// senders wait for tokens, follow-up GETs take theirs at once (running
// the bucket into debt, so the average rate holds).
type pacer struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newPacer(rate int) *pacer {
	// Up to 50 ms worth of packets may leave at once: enough to make up
	// for a sender that a busy machine woke up late, short enough to
	// stay a trickle (100 packets at the default 2,000/s).
	return &pacer{rate: float64(rate), burst: max(1, float64(rate)/20), last: time.Now()}
}

func (p *pacer) refill(now time.Time) {
	p.tokens = min(p.burst, p.tokens+now.Sub(p.last).Seconds()*p.rate)
	p.last = now
}

// take waits until a packet may be sent and grants up to n.
func (p *pacer) take(ctx context.Context, n int) (int, error) {
	for {
		p.mu.Lock()
		p.refill(time.Now())
		if p.tokens >= 1 {
			k := min(n, int(p.tokens))
			p.tokens -= float64(k)
			p.mu.Unlock()
			return k, nil
		}
		wait := time.Duration((1 - p.tokens) / p.rate * float64(time.Second))
		p.mu.Unlock()
		t := time.NewTimer(max(wait, 50*time.Microsecond))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return 0, ctx.Err()
		}
	}
}

// force takes n tokens without waiting.
func (p *pacer) force(n int) {
	p.mu.Lock()
	p.refill(time.Now())
	p.tokens -= float64(n)
	p.mu.Unlock()
}

// maxSenders bounds the probe senders (each with its own socket); one
// sender keeps up with 50,000 packets/s on a slow core.
const (
	maxSenders    = 4
	ratePerSender = 50000
)

func senderCount(rate int) int {
	return max(1, min(rate/ratePerSender+1, runtime.GOMAXPROCS(0), maxSenders))
}

// probeSender sends its share of a pass's probes (every n-th address) on
// its own socket.
type probeSender struct {
	j      int
	conn   *net.UDPConn
	out    *batchWriter
	buf    []byte
	lastTx time.Time
}

// Flags of the addresses a later pass skips.
const (
	skipAll uint8 = 1 << iota // answered a community: identified
	skipV3                    // answered the SNMPv3 probe
)

func (s *sweeper) sendProbes(ctx context.Context, ps *probeSender, pass int, skip map[netip.Addr]uint8) error {
	n := uint64(len(s.senders))
	var index uint64
	budget := 0
	for a := range s.plan.targets.All() {
		i := index
		index++
		if i%n != uint64(ps.j) {
			continue
		}
		f := skip[a]
		for ki, k := range s.plan.kinds {
			if f&skipAll != 0 || (k.v3() && f&skipV3 != 0) {
				continue
			}
			if budget == 0 {
				ps.out.flush()
				var err error
				if budget, err = s.pace.take(ctx, sendBatch); err != nil {
					return err
				}
			}
			budget--
			seq := s.plan.probeSeq(pass, i, ki)
			ps.buf = k.encode(ps.buf, s.ids.id(seq))
			s.markSent(seq, time.Now())
			ps.out.add(ps.buf, netip.AddrPortFrom(a, s.port))
		}
	}
	ps.out.flush()
	ps.lastTx = time.Now()
	return nil
}

// The send time of recent probes, for round-trip estimates: a ring of
// (time since the sweep started in ringUnit) << 32 | sequence number.
const (
	ringSize = 1 << 14
	ringUnit = 100 * time.Microsecond
)

func (s *sweeper) markSent(seq uint32, at time.Time) {
	s.ring[seq%ringSize].Store(uint64(at.Sub(s.t0)/ringUnit)<<32 | uint64(seq))
}

func (s *sweeper) sentAt(seq uint32) (time.Time, bool) {
	e := s.ring[seq%ringSize].Load()
	if e == 0 || uint32(e) != seq {
		return time.Time{}, false
	}
	return s.t0.Add(time.Duration(e>>32) * ringUnit), true
}

// counters are shared by every batchWriter of a sweep.
type counters struct {
	sent, errs atomic.Uint64
}
