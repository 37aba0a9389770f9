package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// AdminConfigured is the admin login kind of the password from fleet.toml
// (drivers.KindConfigured). Every other kind is a factory login its
// driver declares (drivers.FactoryLogin.Kind); the inventory stores the
// kind and its wording as data (Holding.AdminLoginText, LoginAttempt.Text)
// and names none. Anything but AdminConfigured is a finding for the audit.
const AdminConfigured = "configured"

// IsDefaultAdminLogin reports whether kind is a factory-default login:
// any kind but AdminConfigured and "".
func IsDefaultAdminLogin(kind string) bool { return kind != AdminConfigured && kind != "" }

// Firmware limitation flags for Holding.Limits.
const (
	LimitNoSMTPTLS    = "no-smtp-tls"    // the SMTP client cannot encrypt at all
	LimitOldTLS       = "old-tls"        // the SMTP client's TLS is older than Gmail accepts
	LimitNoTestAction = "no-test-action" // the web admin has no test e-mail button
	// LimitConnectionTestOnly: the web admin's only device-side check is
	// an SMTP connection test (set with LimitNoTestAction); the holding's
	// last test is that check.
	LimitConnectionTestOnly = "connection-test-only"
)

// Holding is what the inventory knows a device holds: which app password
// (by credential), since when, whether confirmed, how mfpfleet logged in,
// and the SMTP settings as written (never the password).
type Holding struct {
	DeviceID int64 `json:"device_id"`
	// CredentialID is 0 when no credential of the registry is known to be
	// on the device (e.g. only read by a dry run).
	CredentialID int64  `json:"credential_id,omitempty"`
	Account      string `json:"account"`
	// RunID is the run that pushed it (0 if unknown).
	RunID       int64     `json:"run_id,omitempty"`
	PushedAt    time.Time `json:"pushed_at,omitzero"`
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`

	LastTestAt    time.Time `json:"last_test_at,omitzero"`
	LastTestOK    bool      `json:"last_test_ok"`
	LastTestError string    `json:"last_test_error,omitempty"`

	// AdminLogin is how mfpfleet got in: AdminConfigured or the factory
	// login kind its driver declares; AdminLoginText and AdminLoginShort
	// are that login's wording for the audit (drivers.FactoryLogin.Text,
	// .Short), kept so an inventory reads the same whatever the build.
	AdminLogin      string `json:"admin_login,omitempty"`
	AdminLoginText  string `json:"admin_login_text,omitempty"`
	AdminLoginShort string `json:"admin_login_short,omitempty"`

	SMTPHost     string `json:"smtp_host,omitempty"`
	SMTPPort     int    `json:"smtp_port,omitempty"`
	SMTPSecurity string `json:"smtp_security,omitempty"` // "starttls", "ssl", "none", …
	SMTPUser     string `json:"smtp_user,omitempty"`
	SMTPFrom     string `json:"smtp_from,omitempty"`
	// TLSVersion is the TLS version the device's SMTP client used, if known.
	TLSVersion string `json:"tls_version,omitempty"`
	// Limits are firmware limitation flags (Limit*).
	Limits []string `json:"limits,omitempty"`
	// Method is how the device sends: "app-password" (smtp.gmail.com with
	// an app password) or "relay" (smtp-relay.gmail.com); "" = not
	// recorded (pushed before methods existed: app-password).
	Method string `json:"method,omitempty"`
	// EHLO is the name the device announces to the SMTP server, when
	// the push set or read it.
	EHLO string `json:"ehlo,omitempty"`

	UpdatedAt time.Time `json:"updated_at"`
}

// HasLimit reports whether flag is among h.Limits.
func (h Holding) HasLimit(flag string) bool { return slices.Contains(h.Limits, flag) }

const holdingCols = `h.device_id, coalesce(h.credential_id, 0), h.account, coalesce(h.run_id, 0), h.pushed_at, h.confirmed_at,
	h.last_test_at, h.last_test_ok, h.last_test_error, h.admin_login, h.smtp_host, h.smtp_port,
	h.smtp_security, h.smtp_user, h.smtp_from, h.tls_version, h.limits, h.updated_at, h.method, h.ehlo,
	h.admin_login_text, h.admin_login_short`

func scanHolding(s rowScanner) (Holding, error) {
	var h Holding
	var limits string
	err := s.Scan(&h.DeviceID, &h.CredentialID, &h.Account, &h.RunID, scanTime{&h.PushedAt}, scanTime{&h.ConfirmedAt},
		scanTime{&h.LastTestAt}, &h.LastTestOK, &h.LastTestError, &h.AdminLogin, &h.SMTPHost, &h.SMTPPort,
		&h.SMTPSecurity, &h.SMTPUser, &h.SMTPFrom, &h.TLSVersion, &limits, scanTime{&h.UpdatedAt}, &h.Method, &h.EHLO,
		&h.AdminLoginText, &h.AdminLoginShort)
	if limits != "" {
		h.Limits = strings.Split(limits, ",")
	}
	return h, err
}

// replaceHolding is the DO UPDATE of an upsert that replaces every column
// of a holding (INSERT OR REPLACE, written for both engines).
var replaceHolding = func() string {
	var set []string
	for _, c := range strings.Fields(`credential_id account run_id pushed_at confirmed_at last_test_at last_test_ok
		last_test_error admin_login smtp_host smtp_port smtp_security smtp_user smtp_from tls_version limits updated_at method ehlo
		admin_login_text admin_login_short`) {
		set = append(set, c+" = excluded."+c)
	}
	return strings.Join(set, ", ")
}()

// SetHolding records h as the whole of what device h.DeviceID holds,
// replacing any earlier holding (a push of a new credential therefore
// clears the old confirmation and test result unless h carries them).
func (db *DB) SetHolding(ctx context.Context, h Holding) error {
	if h.DeviceID == 0 {
		return errors.New("set holding: no device id")
	}
	limits := slices.Clone(h.Limits)
	slices.Sort(limits)
	limits = slices.Compact(limits)
	err := db.write(ctx, func(tx querier) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO holdings (device_id, credential_id, account, run_id,
			pushed_at, confirmed_at, last_test_at, last_test_ok, last_test_error, admin_login,
			smtp_host, smtp_port, smtp_security, smtp_user, smtp_from, tls_version, limits, updated_at, method, ehlo,
			admin_login_text, admin_login_short)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (device_id) DO UPDATE SET `+replaceHolding,
			h.DeviceID, nullID(h.CredentialID), strings.ToLower(h.Account), nullID(h.RunID),
			ts(h.PushedAt), ts(h.ConfirmedAt), ts(h.LastTestAt), b2i(h.LastTestOK), h.LastTestError, h.AdminLogin,
			h.SMTPHost, h.SMTPPort, h.SMTPSecurity, h.SMTPUser, h.SMTPFrom, h.TLSVersion,
			strings.Join(limits, ","), tsv(db.clock()), h.Method, h.EHLO, h.AdminLoginText, h.AdminLoginShort)
		return err
	})
	if err != nil {
		return fmt.Errorf("set holding of device %d: %w", h.DeviceID, err)
	}
	return nil
}

// MarkConfirmed records that the device's test message, sent with
// credential credentialID, arrived in the mailbox at time at. It fails if
// the device's holding names another credential (a confirmation of an old
// push must not vouch for a new one).
func (db *DB) MarkConfirmed(ctx context.Context, deviceID, credentialID int64, at time.Time) error {
	if at.IsZero() {
		at = db.clock()
	}
	err := db.write(ctx, func(tx querier) error {
		var cur sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT credential_id FROM holdings WHERE device_id = ?`, deviceID).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("no holding recorded (SetHolding after the push): %w", ErrNotFound)
		}
		if err != nil {
			return err
		}
		if cur.Int64 != credentialID {
			return fmt.Errorf("the device holds credential %d, not %d", cur.Int64, credentialID)
		}
		_, err = tx.ExecContext(ctx, `UPDATE holdings SET confirmed_at = ?, last_test_at = ?, last_test_ok = 1,
			last_test_error = '', updated_at = ? WHERE device_id = ?`, tsv(at), tsv(at), tsv(db.clock()), deviceID)
		return err
	})
	if err != nil {
		return fmt.Errorf("confirm device %d: %w", deviceID, err)
	}
	return nil
}

// RecordTest records the outcome of a test e-mail (device-side result or
// mailbox check): ok, or the error text. A device with no holding yet gets
// one with no credential. A failed test does not clear an earlier
// confirmation; the audit reports both.
func (db *DB) RecordTest(ctx context.Context, deviceID int64, at time.Time, ok bool, errText string) error {
	if at.IsZero() {
		at = db.clock()
	}
	if ok {
		errText = ""
	}
	err := db.write(ctx, func(tx querier) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO holdings (device_id, last_test_at, last_test_ok, last_test_error, updated_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (device_id) DO UPDATE SET last_test_at = excluded.last_test_at,
				last_test_ok = excluded.last_test_ok, last_test_error = excluded.last_test_error,
				updated_at = excluded.updated_at`,
			deviceID, tsv(at), b2i(ok), errText, tsv(db.clock()))
		return err
	})
	if err != nil {
		return fmt.Errorf("record test of device %d: %w", deviceID, err)
	}
	return nil
}

// Holding returns what device deviceID holds; ErrNotFound (wrapped) when
// nothing is recorded.
func (db *DB) Holding(ctx context.Context, deviceID int64) (Holding, error) {
	h, err := scanHolding(db.rq().QueryRowContext(ctx, `SELECT `+holdingCols+` FROM holdings h WHERE h.device_id = ?`, deviceID))
	if errors.Is(err, sql.ErrNoRows) {
		return Holding{}, fmt.Errorf("holding of device %d: %w", deviceID, ErrNotFound)
	}
	if err != nil {
		return Holding{}, fmt.Errorf("holding of device %d: %w", deviceID, err)
	}
	return h, nil
}

// DevicesHolding returns the devices in service (not retired) whose
// holding names credential credentialID, ordered by address. Rotation
// pushes to these, and revokes the credential once the list is empty.
func (db *DB) DevicesHolding(ctx context.Context, credentialID int64) ([]Device, error) {
	ds, err := db.ListDevices(ctx, Filter{HoldingCredential: credentialID})
	if err != nil {
		return nil, fmt.Errorf("devices holding credential %d: %w", credentialID, err)
	}
	return ds, nil
}
