package inventory

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// migration is one schema step. Versions are 1, 2, 3, … in slice order;
// a released migration is never edited, only followed by a new one.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations is the ordered schema history.
//
// The SQL is written once for both engines: SQLite's types, with the
// PostgreSQL equivalents substituted by dialect.ddl (INTEGER PRIMARY KEY
// becomes a BIGINT identity, INTEGER a BIGINT, BLOB a BYTEA). Tables are
// created after the tables they reference, and reserved words ("user")
// are quoted, as PostgreSQL requires.
var migrations = []migration{
	{1, "initial schema", schemaV1},
	{2, "holdings: delivery method and EHLO name", schemaV2},
	{3, "device leases and import origins", schemaV3},
	{4, "login kinds as data: their wording beside the kind", schemaV4},
}

// schemaV4 stores, beside each admin login kind, the wording its driver
// declares (drivers.FactoryLogin.Text and .Short), so that the audit
// reads the inventory, not a list of vendors' kinds. Rows written before
// get the wording the audit used for the kinds there were then
// (oldLoginTexts).
const schemaV4 = `
ALTER TABLE holdings ADD COLUMN admin_login_text TEXT NOT NULL DEFAULT '';
ALTER TABLE holdings ADD COLUMN admin_login_short TEXT NOT NULL DEFAULT '';
ALTER TABLE login_attempts ADD COLUMN kind_text TEXT NOT NULL DEFAULT '';
ALTER TABLE login_attempts ADD COLUMN kind_short TEXT NOT NULL DEFAULT '';
` + oldLoginTexts

// schemaLoginTexts is the schema version that stores login wording.
const schemaLoginTexts = 4

// oldLoginTexts fills the wording of the login kinds inventories held
// before kinds were data (schema 3 and older, and their exports): the
// configured password and the three Xerox factory logins, worded as the
// audit worded them. History, frozen like every migration: new kinds
// come with their wording.
const oldLoginTexts = `
UPDATE holdings SET admin_login_text = 'the configured password', admin_login_short = 'configured'
	WHERE admin_login = 'configured' AND admin_login_text = '';
UPDATE holdings SET admin_login_text = 'the factory default password (admin / 1111)', admin_login_short = 'default 1111'
	WHERE admin_login = 'default-1111' AND admin_login_text = '';
UPDATE holdings SET admin_login_text = 'the factory default password (the serial number)', admin_login_short = 'default serial'
	WHERE admin_login = 'default-serial' AND admin_login_text = '';
UPDATE holdings SET admin_login_text = 'a vendor factory default password', admin_login_short = 'vendor default'
	WHERE admin_login = 'default-other' AND admin_login_text = '';
UPDATE login_attempts SET kind_text = 'the configured password', kind_short = 'configured'
	WHERE kind = 'configured' AND kind_text = '';
UPDATE login_attempts SET kind_text = 'the factory default password (admin / 1111)', kind_short = 'default 1111'
	WHERE kind = 'default-1111' AND kind_text = '';
UPDATE login_attempts SET kind_text = 'the factory default password (the serial number)', kind_short = 'default serial'
	WHERE kind = 'default-serial' AND kind_text = '';
UPDATE login_attempts SET kind_text = 'a vendor factory default password', kind_short = 'vendor default'
	WHERE kind = 'default-other' AND kind_text = '';
`

// schemaV2 records how each device sends (app-password or relay) and the
// name it announces in EHLO (the relay needs a fully qualified one).
const schemaV2 = `
ALTER TABLE holdings ADD COLUMN method TEXT NOT NULL DEFAULT '';
ALTER TABLE holdings ADD COLUMN ehlo TEXT NOT NULL DEFAULT '';
`

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

const schemaV1 = `
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
);

CREATE TABLE devices (
	id                 INTEGER PRIMARY KEY,
	address            TEXT NOT NULL DEFAULT '',
	address_superseded INTEGER NOT NULL DEFAULT 0,
	serial             TEXT NOT NULL DEFAULT '',
	mac                TEXT NOT NULL DEFAULT '',
	vendor             TEXT NOT NULL DEFAULT '',
	brand              TEXT NOT NULL DEFAULT '',
	model              TEXT NOT NULL DEFAULT '',
	firmware           TEXT NOT NULL DEFAULT '',
	sys_name           TEXT NOT NULL DEFAULT '',
	sys_location       TEXT NOT NULL DEFAULT '',
	sys_descr          TEXT NOT NULL DEFAULT '',
	sys_object_id      TEXT NOT NULL DEFAULT '',
	site               TEXT NOT NULL DEFAULT '',
	family             TEXT NOT NULL DEFAULT '',
	snmp_version       TEXT NOT NULL DEFAULT '',
	engine_id          TEXT NOT NULL DEFAULT '',
	is_printer         INTEGER NOT NULL DEFAULT 0,
	credentials_needed INTEGER NOT NULL DEFAULT 0,
	first_seen         TEXT NOT NULL,
	last_seen          TEXT NOT NULL,
	retired            INTEGER NOT NULL DEFAULT 0,
	retired_at         TEXT,
	retired_why        TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX devices_serial ON devices(serial) WHERE serial <> '';
CREATE INDEX devices_mac ON devices(mac) WHERE mac <> '';
CREATE INDEX devices_address ON devices(address);

CREATE TABLE device_addresses (
	device_id  INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
	address    TEXT NOT NULL,
	first_seen TEXT NOT NULL,
	last_seen  TEXT NOT NULL,
	PRIMARY KEY (device_id, address)
);
CREATE INDEX device_addresses_address ON device_addresses(address);

CREATE TABLE credentials (
	id          INTEGER PRIMARY KEY,
	account     TEXT NOT NULL,
	label       TEXT NOT NULL DEFAULT '',
	fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
	created_at  TEXT NOT NULL,
	revoked_at  TEXT,
	UNIQUE (account, fingerprint)
);

CREATE TABLE login_attempts (
	id        INTEGER PRIMARY KEY,
	device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
	kind      TEXT NOT NULL,
	"user"    TEXT NOT NULL DEFAULT '',
	ok        INTEGER NOT NULL,
	at        TEXT NOT NULL,
	error     TEXT NOT NULL DEFAULT '',
	reset_at  TEXT
);
CREATE INDEX login_attempts_device ON login_attempts(device_id, reset_at);

CREATE TABLE device_certs (
	address          TEXT PRIMARY KEY,
	fingerprint      TEXT NOT NULL,
	first_seen       TEXT NOT NULL,
	last_seen        TEXT NOT NULL,
	previous         TEXT NOT NULL DEFAULT '',
	accepted_at      TEXT,
	mismatch         TEXT NOT NULL DEFAULT '',
	mismatch_at      TEXT
);

CREATE TABLE runs (
	id            INTEGER PRIMARY KEY,
	kind          TEXT NOT NULL,
	started_at    TEXT NOT NULL,
	finished_at   TEXT,
	status        TEXT NOT NULL,
	params        TEXT NOT NULL DEFAULT '{}',
	credential_id INTEGER REFERENCES credentials(id)
);
CREATE INDEX runs_kind ON runs(kind, finished_at);

CREATE TABLE holdings (
	device_id       INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
	credential_id   INTEGER REFERENCES credentials(id),
	account         TEXT NOT NULL DEFAULT '',
	run_id          INTEGER REFERENCES runs(id),
	pushed_at       TEXT,
	confirmed_at    TEXT,
	last_test_at    TEXT,
	last_test_ok    INTEGER NOT NULL DEFAULT 0,
	last_test_error TEXT NOT NULL DEFAULT '',
	admin_login     TEXT NOT NULL DEFAULT '',
	smtp_host       TEXT NOT NULL DEFAULT '',
	smtp_port       INTEGER NOT NULL DEFAULT 0,
	smtp_security   TEXT NOT NULL DEFAULT '',
	smtp_user       TEXT NOT NULL DEFAULT '',
	smtp_from       TEXT NOT NULL DEFAULT '',
	tls_version     TEXT NOT NULL DEFAULT '',
	limits          TEXT NOT NULL DEFAULT '',
	updated_at      TEXT NOT NULL
);
CREATE INDEX holdings_credential ON holdings(credential_id);

CREATE TABLE run_devices (
	run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	device_id  INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
	status     TEXT NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	error      TEXT NOT NULL DEFAULT '',
	updated_at TEXT NOT NULL,
	PRIMARY KEY (run_id, device_id)
);
CREATE INDEX run_devices_device ON run_devices(device_id);

CREATE TABLE steps (
	id          INTEGER PRIMARY KEY,
	run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	device_id   INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
	step        TEXT NOT NULL,
	status      TEXT NOT NULL,
	started_at  TEXT NOT NULL,
	finished_at TEXT,
	duration_ms INTEGER NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT '',
	artifact    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX steps_run_device ON steps(run_id, device_id, id);
`

// schemaV3 adds the per-device lease (one run at a time pushes to a
// device, across processes and sites sharing the inventory; expires_ms is
// the database clock in Unix milliseconds), and an origin for runs,
// credentials and login attempts brought in by `inventory import`, so a
// second import of the same export adds nothing twice. meta gets the
// inventory's own id (written by loadKey) that exports carry.
const schemaV3 = `
CREATE TABLE device_leases (
	device_id   INTEGER PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
	holder      TEXT NOT NULL,
	run_id      INTEGER NOT NULL DEFAULT 0,
	acquired_at TEXT NOT NULL,
	expires_ms  INTEGER NOT NULL
);
CREATE INDEX device_leases_holder ON device_leases(holder);

ALTER TABLE runs ADD COLUMN origin TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX runs_origin ON runs(origin) WHERE origin <> '';
ALTER TABLE login_attempts ADD COLUMN origin TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX login_attempts_origin ON login_attempts(origin) WHERE origin <> '';
`

// migrate applies every pending migration, each in its own immediate
// transaction that re-checks the version, so two processes opening the same
// new file at once do not apply a step twice.
//
// On PostgreSQL a transaction-scoped advisory lock plays the part of
// BEGIN IMMEDIATE (concurrent CREATE TABLE IF NOT EXISTS can fail there).
func (db *DB) migrate(ctx context.Context) error {
	if err := db.writeSerial(ctx, lockMigrations, func(tx querier) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL)`)
		return err
	}); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	cur, err := currentVersion(ctx, bound{q: db.w, d: db.dialect})
	if err != nil {
		return err
	}
	if latest := SchemaVersion(); cur > latest {
		return fmt.Errorf("%w: the file is at schema version %d, this mfpfleet knows up to %d: upgrade mfpfleet, or open another --db", ErrNewerSchema, cur, latest)
	}
	for _, m := range migrations {
		if m.version <= cur {
			continue
		}
		err := db.writeSerial(ctx, lockMigrations, func(tx querier) error {
			v, err := currentVersion(ctx, tx)
			if err != nil {
				return err
			}
			if v >= m.version {
				return nil // another process got there first
			}
			if err := execScript(ctx, tx, db.dialect.ddl(m.sql)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, tsv(time.Now())); err != nil {
				return err
			}
			if db.dialect != dialectSQLite {
				return nil
			}
			// user_version mirrors the table for `sqlite3 fleet.db 'pragma user_version'`.
			_, err = tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}

func currentVersion(ctx context.Context, q querier) (int, error) {
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// execScript runs a migration's statements one by one (the pgx driver
// takes one statement per call with arguments, and a script's errors then
// name the statement).
func execScript(ctx context.Context, tx querier, script string) error {
	for _, stmt := range strings.Split(script, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", firstLine(stmt), err)
		}
	}
	return nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// loadKey reads the HMAC key and the inventory id, creating them on first
// open (ON CONFLICT DO NOTHING: two processes opening a new PostgreSQL
// database at once agree on the first key written).
func (db *DB) loadKey(ctx context.Context) error {
	return db.write(ctx, func(tx querier) error {
		fresh := make([]byte, 32+16)
		if _, err := rand.Read(fresh); err != nil {
			return fmt.Errorf("create fingerprint key: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('hmac_key', ?) ON CONFLICT (key) DO NOTHING`, fresh[:32]); err != nil {
			return fmt.Errorf("store fingerprint key: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES ('inventory_id', ?) ON CONFLICT (key) DO NOTHING`,
			[]byte(hex.EncodeToString(fresh[32:]))); err != nil {
			return fmt.Errorf("store inventory id: %w", err)
		}
		var key, id []byte
		if err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'inventory_id'`).Scan(&id); err != nil {
			return fmt.Errorf("read inventory id: %w", err)
		}
		db.id = string(id)
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'hmac_key'`).Scan(&key)
		if err != nil {
			return fmt.Errorf("read fingerprint key: %w", err)
		}
		if len(key) < 16 {
			return fmt.Errorf("fingerprint key is %d bytes, the inventory is damaged: restore it from a backup", len(key))
		}
		db.key = append([]byte(nil), key...)
		return nil
	})
}
