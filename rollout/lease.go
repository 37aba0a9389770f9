package rollout

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/mfpfleet/mfpfleet/inventory"
)

// leaser holds a run's per-device leases in the inventory (see
// inventory.AcquireLease): a device is leased just before the engine
// touches it and released when it is finished, so two runs sharing one
// inventory (two laptops, two sites, one PostgreSQL) never push to one
// device at once, while devices no other run holds proceed in parallel.
// One goroutine renews all of the run's leases in one statement; if the
// process dies they lapse after inventory.DefaultLeaseTTL.
type leaser struct {
	db     *inventory.DB
	ctx    context.Context
	log    *slog.Logger
	holder string
	runID  int64
	ttl    time.Duration

	mu   sync.Mutex
	held map[int64]bool

	stopOnce sync.Once
	stopc    chan struct{}
	done     chan struct{}
}

func startLeaser(ctx context.Context, db *inventory.DB, log *slog.Logger, runID int64) *leaser {
	l := &leaser{db: db, ctx: ctx, log: log, holder: inventory.NewLeaseHolder(runID), runID: runID,
		ttl: inventory.DefaultLeaseTTL, held: map[int64]bool{}, stopc: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		tk := time.NewTicker(l.ttl / 3)
		defer tk.Stop()
		for {
			select {
			case <-l.stopc:
				return
			case <-tk.C:
				if _, err := l.db.RenewLeases(l.ctx, l.holder, l.ttl); err != nil {
					l.log.Warn("renewing device leases", "err", err)
				}
			}
		}
	}()
	return l
}

// acquire leases device id; the error wraps inventory.ErrLeased when
// another run holds it.
func (l *leaser) acquire(id int64) error {
	if l == nil {
		return nil
	}
	if err := l.db.AcquireLease(l.ctx, id, l.holder, l.runID, l.ttl); err != nil {
		return err
	}
	l.mu.Lock()
	l.held[id] = true
	l.mu.Unlock()
	return nil
}

// release gives up device id's lease if this run holds it.
func (l *leaser) release(id int64) {
	if l == nil {
		return
	}
	l.mu.Lock()
	held := l.held[id]
	delete(l.held, id)
	l.mu.Unlock()
	if !held {
		return
	}
	if err := l.db.ReleaseLease(l.ctx, id, l.holder); err != nil {
		l.log.Warn("releasing a device lease", "device_id", id, "err", err)
	}
}

// stop ends renewal and releases whatever is still held.
func (l *leaser) stop() {
	if l == nil {
		return
	}
	l.stopOnce.Do(func() {
		close(l.stopc)
		<-l.done
		if err := l.db.ReleaseLeases(l.ctx, l.holder); err != nil {
			l.log.Warn("releasing device leases", "err", err)
		}
	})
}
