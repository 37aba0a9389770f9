package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// AuditRow is everything the inventory knows about one device, for
// `mfpfleet audit`. The rollout package turns rows into findings.
type AuditRow struct {
	Device Device `json:"device"`
	// Holding is nil when nothing was ever pushed to or read from the
	// device.
	Holding *Holding `json:"holding,omitempty"`
	// Credential is the credential the holding names, nil if none.
	Credential *Credential `json:"credential,omitempty"`
	// FailedLogins counts admin login failures since the last reset,
	// FailedByKind by login kind (see DB.FailedLogins).
	FailedLogins int            `json:"failed_logins"`
	FailedByKind map[string]int `json:"failed_by_kind,omitempty"`
	// LastLoginAt and LastLoginKind describe the last successful admin
	// login (zero/"" if none).
	LastLoginAt   time.Time `json:"last_login_at,omitzero"`
	LastLoginKind string    `json:"last_login_kind,omitempty"`
	// Cert is the TLS record of the device's current address (state
	// CertNone when another device has since taken the address).
	Cert CertInfo `json:"cert"`
	// LastRun is the device's status in the newest run that included it
	// (nil if none).
	LastRun *RunDevice `json:"last_run,omitempty"`
}

// Account returns the Gmail account the device sends with ("" if unknown).
func (r AuditRow) Account() string {
	if r.Holding != nil && r.Holding.Account != "" {
		return r.Holding.Account
	}
	if r.Credential != nil {
		return r.Credential.Account
	}
	return ""
}

// DefaultAdmin reports whether mfpfleet last got in with a factory
// default admin password.
func (r AuditRow) DefaultAdmin() bool {
	return r.Holding != nil && IsDefaultAdminLogin(r.Holding.AdminLogin) ||
		r.Holding == nil && IsDefaultAdminLogin(r.LastLoginKind)
}

// HoldsRevoked reports whether the device holds a revoked credential.
func (r AuditRow) HoldsRevoked() bool { return r.Credential != nil && r.Credential.Revoked() }

// Confirmed reports whether the device's current credential was confirmed
// by a message arriving in the mailbox.
func (r AuditRow) Confirmed() bool {
	return r.Holding != nil && r.Holding.CredentialID != 0 && !r.Holding.ConfirmedAt.IsZero()
}

// LastTestFailed reports whether the latest test e-mail failed.
func (r AuditRow) LastTestFailed() bool {
	return r.Holding != nil && !r.Holding.LastTestAt.IsZero() && !r.Holding.LastTestOK
}

// FirmwareCannotReachGmail reports whether the device's firmware was
// found unable to reach Gmail (no SMTP TLS, or TLS older than accepted).
func (r AuditRow) FirmwareCannotReachGmail() bool {
	return r.Holding != nil && (r.Holding.HasLimit(LimitNoSMTPTLS) || r.Holding.HasLimit(LimitOldTLS))
}

// WrittenNoTestAction reports whether settings were written to a model
// without a test action and not confirmed by a mailbox message since.
func (r AuditRow) WrittenNoTestAction() bool {
	return r.Holding != nil && !r.Holding.PushedAt.IsZero() && r.Holding.ConfirmedAt.IsZero() &&
		r.Holding.HasLimit(LimitNoTestAction)
}

// ConnectionTested reports whether settings were written to a model
// whose only device-side check is a connection test, that test passed
// since the push, and no mailbox message confirmed them yet: the device
// reached the mail server and logged in, nothing more is known.
func (r AuditRow) ConnectionTested() bool {
	return r.Holding != nil && !r.Holding.PushedAt.IsZero() && r.Holding.ConfirmedAt.IsZero() &&
		r.Holding.HasLimit(LimitConnectionTestOnly) && r.Holding.LastTestOK && !r.Holding.LastTestAt.Before(r.Holding.PushedAt)
}

// NotSeenFor reports whether the device was last seen more than d before now.
func (r AuditRow) NotSeenFor(now time.Time, d time.Duration) bool {
	return !r.Device.LastSeen.IsZero() && now.Sub(r.Device.LastSeen) > d
}

// AuditRows returns one row per device matching f (ordered like
// ListDevices) with its holding, credential, failed admin logins,
// certificate record and last run status.
func (db *DB) AuditRows(ctx context.Context, f Filter) ([]AuditRow, error) {
	// One read transaction, so every part describes the same moment.
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == dialectPostgres {
		opts.Isolation = sql.LevelRepeatableRead // one snapshot for every query
	}
	raw, err := db.r.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer raw.Rollback() //nolint:errcheck // read-only
	tx := bound{q: raw, d: db.dialect}

	where, args := filterSQL(f)
	ds, err := queryDevices(ctx, tx, `SELECT `+deviceCols+` FROM devices d`+where, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: devices: %w", err)
	}
	sortDevices(ds)
	rows := make([]AuditRow, len(ds))
	idx := make(map[int64]int, len(ds))
	addrIdx := make(map[string][]int, len(ds))
	for i, d := range ds {
		rows[i] = AuditRow{Device: d, Cert: CertInfo{Address: d.IP, State: CertNone}}
		idx[d.ID] = i
		// A device that left its address has no certificate record: the
		// one there now belongs to the address's new occupant.
		if d.IP != "" && !d.AddressSuperseded {
			addrIdx[d.IP] = append(addrIdx[d.IP], i)
		}
	}
	if len(ds) == 0 {
		return rows, nil
	}
	sub := `SELECT d.id FROM devices d` + where

	if err := eachRow(ctx, tx, `SELECT `+holdingCols+` FROM holdings h WHERE h.device_id IN (`+sub+`)`, args, func(s rowScanner) error {
		h, err := scanHolding(s)
		if err != nil {
			return err
		}
		if i, ok := idx[h.DeviceID]; ok {
			rows[i].Holding = &h
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("audit: holdings: %w", err)
	}

	creds := map[int64]*Credential{}
	if err := eachRow(ctx, tx, `SELECT `+credCols+` FROM credentials`, nil, func(s rowScanner) error {
		c, err := scanCredential(s)
		if err != nil {
			return err
		}
		creds[c.ID] = &c
		return nil
	}); err != nil {
		return nil, fmt.Errorf("audit: credentials: %w", err)
	}
	for i := range rows {
		if h := rows[i].Holding; h != nil && h.CredentialID != 0 {
			if c, ok := creds[h.CredentialID]; ok {
				cc := *c
				rows[i].Credential = &cc
			}
		}
	}

	if err := eachRow(ctx, tx, `SELECT device_id, kind, count(*) FROM login_attempts
		WHERE ok = 0 AND reset_at IS NULL AND device_id IN (`+sub+`) GROUP BY device_id, kind`, args, func(s rowScanner) error {
		var id int64
		var kind string
		var n int
		if err := s.Scan(&id, &kind, &n); err != nil {
			return err
		}
		if i, ok := idx[id]; ok {
			if rows[i].FailedByKind == nil {
				rows[i].FailedByKind = map[string]int{}
			}
			rows[i].FailedByKind[kind] = n
			rows[i].FailedLogins += n
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("audit: login attempts: %w", err)
	}

	// Last successful login per device.
	if err := eachRow(ctx, tx, `SELECT la.device_id, la.kind, la.at FROM login_attempts la
		WHERE la.ok = 1 AND la.device_id IN (`+sub+`) AND la.id = (SELECT l2.id FROM login_attempts l2
			WHERE l2.device_id = la.device_id AND l2.ok = 1 ORDER BY l2.at DESC, l2.id DESC LIMIT 1)`, args, func(s rowScanner) error {
		var id int64
		var kind string
		var at time.Time
		if err := s.Scan(&id, &kind, scanTime{&at}); err != nil {
			return err
		}
		if i, ok := idx[id]; ok {
			rows[i].LastLoginKind, rows[i].LastLoginAt = kind, at
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("audit: last logins: %w", err)
	}

	if err := eachRow(ctx, tx, `SELECT `+certCols+` FROM device_certs WHERE address IN (SELECT d.address FROM devices d`+where+`)`, args,
		func(s rowScanner) error {
			c, err := scanCert(s)
			if err != nil {
				return err
			}
			for _, i := range addrIdx[c.Address] {
				rows[i].Cert = c
			}
			return nil
		}); err != nil {
		return nil, fmt.Errorf("audit: certificates: %w", err)
	}

	if err := eachRow(ctx, tx, `SELECT rd.run_id, rd.device_id, rd.status, rd.attempts, rd.error, rd.updated_at FROM run_devices rd
		WHERE rd.device_id IN (`+sub+`) AND rd.run_id = (SELECT max(r2.run_id) FROM run_devices r2 WHERE r2.device_id = rd.device_id)`, args, func(s rowScanner) error {
		var rd RunDevice
		if err := s.Scan(&rd.RunID, &rd.DeviceID, &rd.Status, &rd.Attempts, &rd.Error, scanTime{&rd.UpdatedAt}); err != nil {
			return err
		}
		if i, ok := idx[rd.DeviceID]; ok {
			rows[i].LastRun = &rd
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("audit: runs: %w", err)
	}
	return rows, nil
}

func eachRow(ctx context.Context, q querier, query string, args []any, fn func(rowScanner) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
