package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
)

// DeviceIDByKey resolves a device key as devices.Device.Key writes it
// ("serial:S", "mac:M", "ip:A") or "id:N" to the inventory ID. For "ip:"
// the current occupant of the address wins (devices in service first).
// No match wraps ErrNotFound.
func (db *DB) DeviceIDByKey(ctx context.Context, key string) (int64, error) {
	id, err := deviceIDByKey(ctx, db.rq(), key)
	if err != nil {
		return 0, fmt.Errorf("device %s: %w", key, err)
	}
	return id, nil
}

func deviceIDByKey(ctx context.Context, q querier, key string) (int64, error) {
	kind, val, ok := strings.Cut(key, ":")
	if !ok || val == "" {
		return 0, fmt.Errorf("malformed device key %q (want serial:, mac:, ip: or id:)", key)
	}
	var query string
	var args []any
	switch kind {
	case "id":
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("malformed device key %q", key)
		}
		query, args = `SELECT id FROM devices WHERE id = ?`, []any{n}
	case "serial":
		query, args = `SELECT id FROM devices WHERE serial = ?`, []any{val}
	case "mac":
		query, args = `SELECT id FROM devices WHERE mac = ? ORDER BY retired, last_seen DESC LIMIT 1`, []any{strings.ToLower(val)}
	case "ip":
		query, args = `SELECT id FROM devices WHERE address = ?
			ORDER BY retired, address_superseded, last_seen DESC LIMIT 1`, []any{val}
	default:
		return 0, fmt.Errorf("malformed device key %q (want serial:, mac:, ip: or id:)", key)
	}
	var id int64
	err := q.QueryRowContext(ctx, query, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return id, err
}

// LoginLedger adapts the inventory's login bookkeeping to callers that
// name devices by key (devices.Device.Key) rather than by ID, such as
// drivers.LoginWithCandidates. Get one from DB.LoginLedger.
type LoginLedger struct{ db *DB }

// LoginLedger returns the key-based view of the login bookkeeping.
func (db *DB) LoginLedger() LoginLedger { return LoginLedger{db: db} }

// FailedLogins is DB.FailedLogins for the device with key; a device the
// inventory has never seen has none.
func (l LoginLedger) FailedLogins(ctx context.Context, deviceKey string) (total int, byKind map[string]int, err error) {
	id, err := l.db.DeviceIDByKey(ctx, deviceKey)
	if errors.Is(err, ErrNotFound) {
		return 0, map[string]int{}, nil
	}
	if err != nil {
		return 0, nil, err
	}
	return l.db.FailedLogins(ctx, id)
}

// PreferredDefault is DB.DefaultThatWorked for dev: the factory login
// that worked on most other devices of its vendor, model and firmware.
func (l LoginLedger) PreferredDefault(ctx context.Context, dev devices.Device) (string, error) {
	id, err := l.db.DeviceIDByKey(ctx, dev.Key())
	if errors.Is(err, ErrNotFound) {
		id = 0
	} else if err != nil {
		return "", err
	}
	return l.db.DefaultThatWorked(ctx, dev.Vendor, dev.Model, dev.Firmware, id)
}

// RecordLoginAttempt is DB.RecordLoginAttempt for the device with key. A
// device the inventory has never seen is recorded first (from its key
// alone), so the attempt is never lost.
func (l LoginLedger) RecordLoginAttempt(ctx context.Context, deviceKey, kind, user string, ok bool, errText string) error {
	return l.RecordLoginAttemptText(ctx, deviceKey, kind, "", "", user, ok, errText)
}

// RecordLoginAttemptText is RecordLoginAttempt with the login's wording
// (drivers.TextLedger): text and short are stored beside the kind.
func (l LoginLedger) RecordLoginAttemptText(ctx context.Context, deviceKey, kind, text, short, user string, ok bool, errText string) error {
	id, err := l.db.DeviceIDByKey(ctx, deviceKey)
	if errors.Is(err, ErrNotFound) {
		k, v, _ := strings.Cut(deviceKey, ":")
		var d devices.Device
		switch k {
		case "serial":
			d.Serial = v
		case "mac":
			d.MAC = v
		case "ip":
			d.IP = v
		default:
			return err
		}
		id, _, err = l.db.UpsertDevice(ctx, d, time.Time{})
	}
	if err != nil {
		return err
	}
	return l.db.RecordLoginAttempt(ctx, id, LoginAttempt{Kind: kind, Text: text, Short: short, User: user, OK: ok, Error: errText})
}
