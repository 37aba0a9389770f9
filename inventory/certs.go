package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrCertChanged is returned (wrapped) by SetCertFingerprint when the
// address already has a different recorded certificate: the caller stops
// and tells the technician about `--accept-new-cert ADDRESS`.
var ErrCertChanged = errors.New("device certificate changed")

// Certificate states, as the audit shows them.
const (
	CertNone     = "none"     // never contacted over HTTPS
	CertTrusted  = "tofu"     // recorded on first use, unchanged since
	CertAccepted = "accepted" // changed once and accepted by the technician
	CertMismatch = "mismatch" // a different certificate was seen and refused
)

// CertInfo is the trust-on-first-use record of the web admin certificate
// at one address.
type CertInfo struct {
	Address     string    `json:"address"`
	Fingerprint string    `json:"fingerprint,omitempty"`
	FirstSeen   time.Time `json:"first_seen,omitzero"`
	LastSeen    time.Time `json:"last_seen,omitzero"`
	// Previous is the fingerprint replaced by the last AcceptNewCert.
	Previous   string    `json:"previous,omitempty"`
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	// Mismatch is the last refused fingerprint, cleared by AcceptNewCert.
	Mismatch   string    `json:"mismatch,omitempty"`
	MismatchAt time.Time `json:"mismatch_at,omitzero"`
	// State is one of the Cert* constants.
	State string `json:"state"`
}

func normFP(fp string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(fp), ":", ""))
}

// CertFingerprint returns the recorded certificate fingerprint for
// address; ok is false when none is recorded (first contact).
func (db *DB) CertFingerprint(ctx context.Context, address string) (fp string, ok bool, err error) {
	err = db.rq().QueryRowContext(ctx, `SELECT fingerprint FROM device_certs WHERE address = ?`, address).Scan(&fp)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("%s: certificate record: %w", address, err)
	}
	return fp, true, nil
}

// SetCertFingerprint records fp (hex SHA-256 of the DER certificate;
// colons and case are ignored) for address on first contact, or refreshes
// last_seen when it matches. A different recorded fingerprint is not
// replaced: the error wraps ErrCertChanged (use AcceptNewCert).
func (db *DB) SetCertFingerprint(ctx context.Context, address, fp string) error {
	fp = normFP(fp)
	if address == "" || fp == "" {
		return errors.New("record certificate: empty address or fingerprint")
	}
	now := tsv(db.clock())
	err := db.write(ctx, func(tx querier) error {
		var cur string
		err := tx.QueryRowContext(ctx, `SELECT fingerprint FROM device_certs WHERE address = ?`, address).Scan(&cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// Another run may record the same first contact at once:
			// the first write wins, the other compares against it.
			res, err := tx.ExecContext(ctx, `INSERT INTO device_certs (address, fingerprint, first_seen, last_seen) VALUES (?, ?, ?, ?)
				ON CONFLICT (address) DO NOTHING`, address, fp, now, now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				return nil
			}
			if err := tx.QueryRowContext(ctx, `SELECT fingerprint FROM device_certs WHERE address = ?`, address).Scan(&cur); err != nil {
				return err
			}
			if cur != fp {
				return fmt.Errorf("%w: recorded %s, now %s: if the device was reset or got a new certificate, run again with --accept-new-cert %s",
					ErrCertChanged, short(cur), short(fp), address)
			}
		case err != nil:
			return err
		case cur != fp:
			return fmt.Errorf("%w: recorded %s, now %s: if the device was reset or got a new certificate, run again with --accept-new-cert %s",
				ErrCertChanged, short(cur), short(fp), address)
		}
		_, err = tx.ExecContext(ctx, `UPDATE device_certs SET last_seen = ? WHERE address = ?`, now, address)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: record certificate: %w", address, err)
	}
	return nil
}

func short(fp string) string {
	if len(fp) > 16 {
		return fp[:16] + "…"
	}
	return fp
}

// RecordCertMismatch notes that address presented fp, which differs from
// the recorded certificate, and that it was refused. The audit shows the
// address as "mismatch" until AcceptNewCert.
func (db *DB) RecordCertMismatch(ctx context.Context, address, fp string) error {
	fp = normFP(fp)
	err := db.write(ctx, func(tx querier) error {
		_, err := tx.ExecContext(ctx, `UPDATE device_certs SET mismatch = ?, mismatch_at = ? WHERE address = ?`,
			fp, tsv(db.clock()), address)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: record certificate mismatch: %w", address, err)
	}
	return nil
}

// AcceptNewCert replaces the recorded certificate of address with fp (the
// technician passed --accept-new-cert), keeping the old one as Previous.
// With no record yet it simply records fp.
func (db *DB) AcceptNewCert(ctx context.Context, address, fp string) error {
	fp = normFP(fp)
	if address == "" || fp == "" {
		return errors.New("accept certificate: empty address or fingerprint")
	}
	now := tsv(db.clock())
	err := db.write(ctx, func(tx querier) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO device_certs (address, fingerprint, first_seen, last_seen, accepted_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (address) DO UPDATE SET
				previous = CASE WHEN device_certs.fingerprint <> excluded.fingerprint THEN device_certs.fingerprint ELSE device_certs.previous END,
				accepted_at = CASE WHEN device_certs.fingerprint <> excluded.fingerprint THEN excluded.accepted_at ELSE device_certs.accepted_at END,
				fingerprint = excluded.fingerprint,
				last_seen = excluded.last_seen,
				mismatch = '', mismatch_at = NULL`,
			address, fp, now, now, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: accept new certificate: %w", address, err)
	}
	return nil
}

const certCols = `address, fingerprint, first_seen, last_seen, previous, accepted_at, mismatch, mismatch_at`

func scanCert(s rowScanner) (CertInfo, error) {
	var c CertInfo
	err := s.Scan(&c.Address, &c.Fingerprint, scanTime{&c.FirstSeen}, scanTime{&c.LastSeen}, &c.Previous,
		scanTime{&c.AcceptedAt}, &c.Mismatch, scanTime{&c.MismatchAt})
	c.State = certState(c)
	return c, err
}

func certState(c CertInfo) string {
	switch {
	case c.Fingerprint == "":
		return CertNone
	case c.Mismatch != "":
		return CertMismatch
	case !c.AcceptedAt.IsZero() && c.Previous != "":
		return CertAccepted
	}
	return CertTrusted
}

// Cert returns the certificate record of address; State is CertNone when
// there is none.
func (db *DB) Cert(ctx context.Context, address string) (CertInfo, error) {
	c, err := scanCert(db.rq().QueryRowContext(ctx, `SELECT `+certCols+` FROM device_certs WHERE address = ?`, address))
	if errors.Is(err, sql.ErrNoRows) {
		return CertInfo{Address: address, State: CertNone}, nil
	}
	if err != nil {
		return CertInfo{}, fmt.Errorf("%s: certificate record: %w", address, err)
	}
	return c, nil
}
