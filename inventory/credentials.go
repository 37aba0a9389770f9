package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Credential is one Gmail app password in the registry: never the
// password itself, only its fingerprint (see DB.Fingerprint).
type Credential struct {
	ID      int64  `json:"id"`
	Account string `json:"account"`
	// Label is the app name given to Google when the app password was
	// created, as myaccount.google.com/apppasswords lists it, e.g.
	// "MFP AltaLink C8070 3TB123456" or "MFP site HQ".
	Label       string    `json:"label"`
	Fingerprint string    `json:"fingerprint"`
	CreatedAt   time.Time `json:"created_at"`
	// RevokedAt is zero while the credential is in use.
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Revoked reports whether the credential has been marked revoked.
func (c Credential) Revoked() bool { return !c.RevokedAt.IsZero() }

// ShortFingerprint is the first 12 hex digits, enough for FindCredential.
func (c Credential) ShortFingerprint() string {
	if len(c.Fingerprint) > 12 {
		return c.Fingerprint[:12]
	}
	return c.Fingerprint
}

// MinFingerprintPrefix is the shortest fingerprint prefix FindCredential
// accepts.
const MinFingerprintPrefix = 8

const credCols = `id, account, label, fingerprint, created_at, revoked_at`

func scanCredential(s rowScanner) (Credential, error) {
	var c Credential
	err := s.Scan(&c.ID, &c.Account, &c.Label, &c.Fingerprint, scanTime{&c.CreatedAt}, scanTime{&c.RevokedAt})
	return c, err
}

func isHex(s string) bool {
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return s != ""
}

// AddCredential registers an app password by its fingerprint (from
// Fingerprint; anything but 64 lower-case hex digits is refused, so a
// plaintext password passed by mistake never reaches the file). The same
// account and fingerprint is the same credential: the existing one is
// returned with created false (its label is filled in if it had none).
func (db *DB) AddCredential(ctx context.Context, account, label, fingerprint string) (c Credential, created bool, err error) {
	account = strings.ToLower(strings.TrimSpace(account))
	label = strings.TrimSpace(label)
	if account == "" {
		return Credential{}, false, errors.New("add credential: no account: pass --account or set [gmail] account in fleet.toml")
	}
	if len(fingerprint) != 64 || !isHex(fingerprint) {
		return Credential{}, false, errors.New("add credential: the fingerprint is not a hex HMAC-SHA256 (use inventory.DB.Fingerprint, never the password)")
	}
	err = db.write(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO credentials (account, label, fingerprint, created_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (account, fingerprint) DO NOTHING`,
			account, label, fingerprint, tsv(db.clock()))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		created = n == 1
		if !created && label != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE credentials SET label = ? WHERE account = ? AND fingerprint = ? AND label = ''`,
				label, account, fingerprint); err != nil {
				return err
			}
		}
		c, err = scanCredential(tx.QueryRowContext(ctx, `SELECT `+credCols+` FROM credentials WHERE account = ? AND fingerprint = ?`,
			account, fingerprint))
		return err
	})
	if err != nil {
		return Credential{}, false, fmt.Errorf("add credential for %s: %w", account, err)
	}
	return c, created, nil
}

// ListCredentials returns the registry, oldest first; revoked ones only
// when includeRevoked.
func (db *DB) ListCredentials(ctx context.Context, includeRevoked bool) ([]Credential, error) {
	q := `SELECT ` + credCols + ` FROM credentials`
	if !includeRevoked {
		q += ` WHERE revoked_at IS NULL`
	}
	cs, err := queryCredentials(ctx, db.rq(), q+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list credentials: %w", err)
	}
	return cs, nil
}

func queryCredentials(ctx context.Context, q querier, query string, args ...any) ([]Credential, error) {
	return queryAll(ctx, q, scanCredential, query, args...)
}

// GetCredential returns credential id.
func (db *DB) GetCredential(ctx context.Context, id int64) (Credential, error) {
	c, err := scanCredential(db.rq().QueryRowContext(ctx, `SELECT `+credCols+` FROM credentials WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Credential{}, fmt.Errorf("credential %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Credential{}, fmt.Errorf("credential %d: %w", id, err)
	}
	return c, nil
}

// FindCredential finds a credential by ref: its ID ("3" or "#3"), its
// label (case-insensitive), or a prefix of its fingerprint of at least
// MinFingerprintPrefix hex digits. Revoked credentials are found too. No
// match wraps ErrNotFound; several wrap ErrAmbiguous.
func (db *DB) FindCredential(ctx context.Context, ref string) (Credential, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return Credential{}, errors.New("find credential: empty reference: give its id, label or fingerprint (see mfpfleet credentials list)")
	}
	var conds []string
	var args []any
	idRef := strings.TrimPrefix(ref, "#")
	if id, err := strconv.ParseInt(idRef, 10, 64); err == nil && id > 0 {
		conds = append(conds, "id = ?")
		args = append(args, id)
	}
	conds = append(conds, "lower(label) = lower(CAST(? AS TEXT))")
	args = append(args, ref)
	if fp := strings.ToLower(ref); len(fp) >= MinFingerprintPrefix && len(fp) <= 64 && isHex(fp) {
		conds = append(conds, "substr(fingerprint, 1, ?) = ?")
		args = append(args, len(fp), fp)
	}
	cs, err := queryCredentials(ctx, db.rq(), `SELECT `+credCols+` FROM credentials WHERE `+strings.Join(conds, " OR ")+` ORDER BY id`, args...)
	if err != nil {
		return Credential{}, fmt.Errorf("find credential %q: %w", ref, err)
	}
	switch len(cs) {
	case 0:
		return Credential{}, fmt.Errorf("no credential with id, label or fingerprint %q (see mfpfleet credentials list): %w", ref, ErrNotFound)
	case 1:
		return cs[0], nil
	}
	var names []string
	for _, c := range cs {
		names = append(names, fmt.Sprintf("#%d %q %s", c.ID, c.Label, c.ShortFingerprint()))
	}
	return Credential{}, fmt.Errorf("%q matches %d credentials (%s): give the id or a longer fingerprint: %w",
		ref, len(cs), strings.Join(names, "; "), ErrAmbiguous)
}

// RevokeCredential marks credential id revoked now (the first revocation
// time is kept). It does not touch holdings: DevicesHolding still lists
// devices that hold it, which the audit reports.
func (db *DB) RevokeCredential(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `UPDATE credentials SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`,
			tsv(db.clock()), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("revoke credential %d: %w", id, err)
	}
	return nil
}
