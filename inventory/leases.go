package inventory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrLeased is returned (wrapped) by AcquireLease when another run holds
// the device's lease; the message names the holder and when it expires.
var ErrLeased = errors.New("device is being worked on by another run")

// DefaultLeaseTTL is how long a lease lasts without renewal: a run that
// dies (killed, laptop closed, network gone) frees its devices after at
// most this long. Runs renew their leases every third of it.
const DefaultLeaseTTL = 2 * time.Minute

// Lease is one run's claim on one device: while it holds it, no other run
// (another process, another site sharing the inventory) pushes to the
// device.
type Lease struct {
	DeviceID   int64     `json:"device_id"`
	Holder     string    `json:"holder"`
	RunID      int64     `json:"run_id,omitempty"`
	AcquiredAt time.Time `json:"acquired_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// NewLeaseHolder returns a holder name unique to this process and run,
// readable by a technician: "HOST pid PID run RUN #RANDOM".
func NewLeaseHolder(runID int64) string {
	host, _ := os.Hostname()
	if host == "" {
		host = "unknown-host"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s pid %d run %d #%s", host, os.Getpid(), runID, hex.EncodeToString(b))
}

// holderDead reports whether holder (from NewLeaseHolder) names a process
// of this machine that no longer exists. A holder on another machine is
// never known dead: its lease lapses on its own.
func holderDead(holder string) bool {
	var host string
	var pid int
	if _, err := fmt.Sscanf(holder, "%s pid %d", &host, &pid); err != nil {
		return false
	}
	me, _ := os.Hostname()
	if me == "" {
		me = "unknown-host"
	}
	return host == me && pid > 0 && pid != os.Getpid() && !processAlive(pid)
}

// AcquireLease takes device deviceID's lease for holder for ttl (measured
// on the database's clock, so laptops' clocks need not agree). It succeeds
// when the device has no lease, an expired one, or one holder already
// holds (which renews it); otherwise the error wraps ErrLeased. The check
// and the claim are one statement, so of two runs racing for a device
// exactly one wins.
func (db *DB) AcquireLease(ctx context.Context, deviceID int64, holder string, runID int64, ttl time.Duration) error {
	if holder == "" {
		return errors.New("acquire lease: no holder")
	}
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	now := db.dialect.nowMillis()
	var won bool
	err := db.write(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO device_leases (device_id, holder, run_id, acquired_at, expires_ms)
			VALUES (?, ?, ?, ?, `+now+` + ?)
			ON CONFLICT (device_id) DO UPDATE SET holder = excluded.holder, run_id = excluded.run_id,
				acquired_at = CASE WHEN device_leases.holder = excluded.holder THEN device_leases.acquired_at ELSE excluded.acquired_at END,
				expires_ms = excluded.expires_ms
			WHERE device_leases.holder = excluded.holder OR device_leases.expires_ms < `+now,
			deviceID, holder, runID, tsv(db.clock()), ttl.Milliseconds())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		won = n == 1
		return err
	})
	if err != nil {
		return fmt.Errorf("lease device %d: %w", deviceID, err)
	}
	if won {
		return nil
	}
	l, err := db.lease(ctx, deviceID)
	if err != nil {
		return fmt.Errorf("lease device %d: %w", deviceID, err)
	}
	return fmt.Errorf("%w (%s, since %s; the lease lapses by %s if that run died): run again later for this device",
		ErrLeased, l.Holder, l.AcquiredAt.Format(time.RFC3339), l.ExpiresAt.Format(time.RFC3339))
}

func (db *DB) lease(ctx context.Context, deviceID int64) (Lease, error) {
	var l Lease
	var ms int64
	err := db.rq().QueryRowContext(ctx, `SELECT device_id, holder, run_id, acquired_at, expires_ms FROM device_leases WHERE device_id = ?`,
		deviceID).Scan(&l.DeviceID, &l.Holder, &l.RunID, scanTime{&l.AcquiredAt}, &ms)
	l.ExpiresAt = time.UnixMilli(ms).UTC()
	return l, err
}

// RenewLeases extends every lease holder holds to ttl from now, in one
// statement however many devices are in flight, and returns how many.
func (db *DB) RenewLeases(ctx context.Context, holder string, ttl time.Duration) (int, error) {
	if ttl <= 0 {
		ttl = DefaultLeaseTTL
	}
	var n int64
	err := db.write(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `UPDATE device_leases SET expires_ms = `+db.dialect.nowMillis()+` + ? WHERE holder = ?`,
			ttl.Milliseconds(), holder)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("renew leases of %s: %w", holder, err)
	}
	return int(n), nil
}

// ReleaseLease gives up holder's lease on device deviceID (nothing
// happens if holder does not hold it).
func (db *DB) ReleaseLease(ctx context.Context, deviceID int64, holder string) error {
	err := db.write(ctx, func(tx querier) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM device_leases WHERE device_id = ? AND holder = ?`, deviceID, holder)
		return err
	})
	if err != nil {
		return fmt.Errorf("release lease on device %d: %w", deviceID, err)
	}
	return nil
}

// ReleaseLeases gives up every lease holder holds.
func (db *DB) ReleaseLeases(ctx context.Context, holder string) error {
	err := db.write(ctx, func(tx querier) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM device_leases WHERE holder = ?`, holder)
		return err
	})
	if err != nil {
		return fmt.Errorf("release leases of %s: %w", holder, err)
	}
	return nil
}

// Leases returns the leases in force (not expired), by device.
func (db *DB) Leases(ctx context.Context) ([]Lease, error) {
	out, err := queryAll(ctx, db.rq(), func(r rowScanner) (Lease, error) {
		var l Lease
		var ms int64
		err := r.Scan(&l.DeviceID, &l.Holder, &l.RunID, scanTime{&l.AcquiredAt}, &ms)
		l.ExpiresAt = time.UnixMilli(ms).UTC()
		return l, err
	}, `SELECT device_id, holder, run_id, acquired_at, expires_ms FROM device_leases
		WHERE expires_ms >= `+db.dialect.nowMillis()+` ORDER BY device_id`)
	if err != nil {
		return nil, fmt.Errorf("list leases: %w", err)
	}
	return out, nil
}
