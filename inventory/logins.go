package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LoginAttempt is one admin login tried on a device's web admin.
type LoginAttempt struct {
	// Kind is how the password was chosen: AdminConfigured or the factory
	// login kind its driver declares. Text and Short are its wording
	// (drivers.FactoryLogin.Text, .Short), "" when not recorded.
	Kind  string `json:"kind"`
	Text  string `json:"kind_text,omitempty"`
	Short string `json:"kind_short,omitempty"`
	// User is the admin user name tried (never the password).
	User  string    `json:"user"`
	OK    bool      `json:"ok"`
	At    time.Time `json:"at"`
	Error string    `json:"error,omitempty"`
	// ResetAt is set once ResetFailedLogins cleared the attempt.
	ResetAt time.Time `json:"reset_at,omitzero"`
}

// RecordLoginAttempt appends a login attempt to device deviceID's record
// and commits it before returning. Call it as soon as the outcome is known
// and before anything else happens, so a crash right after a failed login
// still counts it against the lock-out budget.
func (db *DB) RecordLoginAttempt(ctx context.Context, deviceID int64, a LoginAttempt) error {
	if a.Kind == "" {
		return fmt.Errorf("record login attempt on device %d: no kind", deviceID)
	}
	if a.At.IsZero() {
		a.At = db.clock()
	}
	if a.OK {
		a.Error = ""
	}
	err := db.write(ctx, func(tx querier) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO login_attempts (device_id, kind, "user", ok, at, error, kind_text, kind_short)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, deviceID, a.Kind, a.User, b2i(a.OK), tsv(a.At), a.Error, a.Text, a.Short)
		return err
	})
	if err != nil {
		return fmt.Errorf("record login attempt on device %d: %w", deviceID, err)
	}
	return nil
}

// FailedLogins counts device deviceID's failed admin logins since the last
// ResetFailedLogins, in total and by kind. A later successful login does
// not clear them: some firmware counts failures until a power-cycle, so
// the budget stays conservative, and a default that failed is not tried
// again unless the caller decides to.
func (db *DB) FailedLogins(ctx context.Context, deviceID int64) (total int, byKind map[string]int, err error) {
	rows, err := db.rq().QueryContext(ctx, `SELECT kind, count(*) FROM login_attempts
		WHERE device_id = ? AND ok = 0 AND reset_at IS NULL GROUP BY kind`, deviceID)
	if err != nil {
		return 0, nil, fmt.Errorf("failed logins of device %d: %w", deviceID, err)
	}
	defer rows.Close()
	byKind = map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return 0, nil, fmt.Errorf("failed logins of device %d: %w", deviceID, err)
		}
		byKind[k] = n
		total += n
	}
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("failed logins of device %d: %w", deviceID, err)
	}
	return total, byKind, nil
}

// DefaultThatWorked returns the factory-default login kind (any kind but
// AdminConfigured) that let mfpfleet in most often on other devices of
// the same vendor, model and firmware than device exceptID, the more
// recent first on a tie; "" when none did. Devices of one model and
// firmware in a fleet mostly share their factory password (a fixed one
// before some year, the serial number after, or after a firmware
// update), so trying it first spares a failed admin login on each.
func (db *DB) DefaultThatWorked(ctx context.Context, vendor, model, firmware string, exceptID int64) (string, error) {
	if model == "" {
		return "", nil
	}
	var kind string
	err := db.rq().QueryRowContext(ctx, `SELECT la.kind FROM login_attempts la JOIN devices d ON d.id = la.device_id
		WHERE la.ok = 1 AND la.kind <> 'configured' AND la.kind <> '' AND d.vendor = ? AND d.model = ? AND d.firmware = ? AND d.id <> ?
		GROUP BY la.kind ORDER BY count(DISTINCT la.device_id) DESC, max(la.at) DESC LIMIT 1`,
		vendor, model, firmware, exceptID).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("factory logins that worked on %s %s: %w", vendor, model, err)
	}
	return kind, nil
}

// LoginText is a login kind's wording as recorded beside it.
type LoginText struct {
	Text  string `json:"text"`
	Short string `json:"short"`
}

// LoginTexts returns the wording recorded for every login kind in the
// inventory (holdings and login attempts; a holding's wording wins where
// a kind was recorded with two), so that the audit of any inventory reads the same whatever
// drivers the build has.
func (db *DB) LoginTexts(ctx context.Context) (map[string]LoginText, error) {
	out := map[string]LoginText{}
	for _, q := range []string{
		`SELECT DISTINCT kind, kind_text, kind_short FROM login_attempts WHERE kind_text <> ''`,
		`SELECT DISTINCT admin_login, admin_login_text, admin_login_short FROM holdings WHERE admin_login_text <> ''`,
	} {
		if err := eachRow(ctx, db.rq(), q, nil, func(s rowScanner) error {
			var kind string
			var t LoginText
			if err := s.Scan(&kind, &t.Text, &t.Short); err != nil {
				return err
			}
			out[kind] = t
			return nil
		}); err != nil {
			return nil, fmt.Errorf("login wording: %w", err)
		}
	}
	return out, nil
}

// LoginAttempts returns device deviceID's login attempts, newest first, at
// most limit (0 = all), including those already reset.
func (db *DB) LoginAttempts(ctx context.Context, deviceID int64, limit int) ([]LoginAttempt, error) {
	rows, err := db.rq().QueryContext(ctx, `SELECT kind, "user", ok, at, error, reset_at, kind_text, kind_short FROM login_attempts
		WHERE device_id = ? ORDER BY at DESC, id DESC`+limitSQL(limit), deviceID)
	if err != nil {
		return nil, fmt.Errorf("login attempts of device %d: %w", deviceID, err)
	}
	defer rows.Close()
	var out []LoginAttempt
	for rows.Next() {
		var a LoginAttempt
		if err := rows.Scan(&a.Kind, &a.User, &a.OK, scanTime{&a.At}, &a.Error, scanTime{&a.ResetAt}, &a.Text, &a.Short); err != nil {
			return nil, fmt.Errorf("login attempts of device %d: %w", deviceID, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("login attempts of device %d: %w", deviceID, err)
	}
	return out, nil
}

// ResetFailedLogins clears device deviceID's failed-login count, when the
// technician says the device was power-cycled (or its lock-out cleared).
// The attempts stay in the history, marked reset. It returns how many
// failures were cleared.
func (db *DB) ResetFailedLogins(ctx context.Context, deviceID int64) (int, error) {
	var n int64
	err := db.write(ctx, func(tx querier) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM devices WHERE id = ?`, deviceID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return ErrNotFound
		}
		res, err := tx.ExecContext(ctx, `UPDATE login_attempts SET reset_at = ? WHERE device_id = ? AND ok = 0 AND reset_at IS NULL`,
			tsv(db.clock()), deviceID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return 0, fmt.Errorf("reset failed logins: device %d: %w", deviceID, err)
		}
		return 0, fmt.Errorf("reset failed logins of device %d: %w", deviceID, err)
	}
	return int(n), nil
}
