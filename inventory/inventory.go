// Package inventory is mfpfleet's persistent store: one SQLite file
// (modernc.org/sqlite, no cgo) by default, or a PostgreSQL database (pgx)
// that many sites and technicians share, given as a postgres:// URL. It
// records the devices found by discovery
// and the history of their addresses, the Gmail app-password registry
// (fingerprints only, never the plaintext), which device holds which
// credential, admin login attempts (lock-out safety across runs), device
// TLS certificate fingerprints (trust on first use), and the rollout
// journal (runs, per-device status, steps) that `--resume` reads back.
//
// Every write is its own short transaction on a single writer connection
// (BEGIN IMMEDIATE, busy timeout 10 s, WAL), committed before the method
// returns, so concurrent goroutines are safe and a process killed with
// SIGKILL loses nothing that a method already reported as written. Reads
// use a separate pool that runs alongside the writer.
//
// On PostgreSQL every write is likewise its own transaction, committed
// before the method returns; device identity changes (upserts, merges) and
// migrations take a transaction-scoped advisory lock so that two runs
// discovering the same printer at once make one record. Per-device leases
// (see AcquireLease) keep two runs from pushing to one device at once.
//
// Times are stored as UTC text with fixed-width nanoseconds
// ("2006-01-02T15:04:05.000000000Z"), so they sort as text and read well in
// the sqlite3 shell.
package inventory

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/mfpfleet/mfpfleet/internal/private"
)

// ErrNotFound is returned (wrapped) when a device, credential, holding or
// run asked for does not exist. Test with errors.Is.
var ErrNotFound = errors.New("not found")

// ErrAmbiguous is returned (wrapped) when a reference (an address, a
// serial, a label, a fingerprint prefix) matches more than one record. The
// message lists the candidates.
var ErrAmbiguous = errors.New("ambiguous reference")

// ErrNewerSchema is returned (wrapped) by Open when the file was written by
// a newer mfpfleet whose schema this build does not know.
var ErrNewerSchema = errors.New("inventory schema is newer than this mfpfleet")

// DB is an open inventory. Its methods are safe for concurrent use by many
// goroutines. Close it when done.
type DB struct {
	path    string // file path, or the URL with its password redacted
	created bool   // Open created the file (SQLite)
	dialect dialect
	w       *sql.DB // SQLite: single writer connection, BEGIN IMMEDIATE; PostgreSQL: the pool
	r       *sql.DB // SQLite: reader pool, query_only; PostgreSQL: the same pool as w

	key []byte // per-inventory HMAC key for Fingerprint
	id  string // random id of this inventory (meta inventory_id), for exports

	mu  sync.RWMutex
	now func() time.Time
}

// queryAll runs query and scans every row with scan.
func queryAll[T any](ctx context.Context, q querier, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// dsn builds the driver DSN. busy_timeout comes first: switching to WAL
// needs a lock and must wait for it rather than fail (see docs/pitfalls.md).
func dsn(path string, writer bool) string {
	q := []string{
		"_pragma=busy_timeout(10000)",
		"_pragma=journal_mode(WAL)",
		"_pragma=foreign_keys(1)",
		"_pragma=synchronous(NORMAL)",
	}
	if writer {
		q = append(q, "_txlock=immediate")
	} else {
		q = append(q, "_pragma=query_only(1)")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + strings.Join(q, "&")
}

// Open opens the inventory at path, creating the file if needed, and
// brings its schema up to date (each migration in its own transaction).
// A file written by a newer mfpfleet is refused with ErrNewerSchema.
// On first open a random 32-byte HMAC key is created and stored in the
// file (see Fingerprint).
//
// A path that is a postgres:// (or postgresql://) URL opens that
// PostgreSQL database instead (see openPostgres); the schema, the queries
// and the fingerprint key behave the same.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open inventory: empty path: set --db, MFPFLEET_DB or [inventory] path in fleet.toml")
	}
	if IsPostgresURL(path) {
		return openPostgres(ctx, path)
	}
	// Created empty and private (0600, a user-only ACL on Windows) before
	// SQLite opens it: SQLite gives its WAL and SHM the file's mode.
	created, err := private.CreateFile(path)
	if err != nil {
		return nil, fmt.Errorf("open inventory %s: %w (check that the folder exists and is writable)", path, err)
	}
	// Several processes opening one new file at once: switching it to WAL
	// can answer SQLITE_BUSY without waiting on the busy timeout (SQLite
	// does not call the busy handler there), so such an open is retried.
	for attempt := 1; ; attempt++ {
		db, err := openSQLite(ctx, path, created)
		if err == nil || !isBusy(err) || attempt == 40 {
			return db, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("open inventory %s: %w", path, ctx.Err())
		case <-time.After(time.Duration(min(attempt, 10)) * 20 * time.Millisecond):
		}
	}
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	return strings.Contains(err.Error(), "SQLITE_BUSY")
}

// openSQLite is Open for an SQLite file that exists (created: by this
// call's Open, empty).
func openSQLite(ctx context.Context, path string, created bool) (*DB, error) {
	w, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("open inventory %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)

	db := &DB{path: path, created: created, w: w, now: time.Now}
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open inventory %s: %w (check that the folder exists and is writable)", path, err)
	}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open inventory %s: %w", path, err)
	}
	if err := db.loadKey(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open inventory %s: %w", path, err)
	}
	// The reader pool opens only after the schema exists, so its
	// query_only connections never race the migrations.
	r, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open inventory %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("open inventory %s: %w", path, err)
	}
	db.r = r
	if created {
		for _, f := range []string{path + "-wal", path + "-shm"} {
			if err := private.Restrict(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
				db.Close()
				return nil, fmt.Errorf("open inventory %s: %w", path, err)
			}
		}
	}
	return db, nil
}

// Created reports whether Open created the file (a new, empty SQLite
// inventory).
func (db *DB) Created() bool { return db.created }

// Path returns the file the inventory was opened from, or for PostgreSQL
// its URL with the password redacted.
func (db *DB) Path() string { return db.path }

// Close closes both connection pools. When no other process has the file
// open, SQLite folds the write-ahead log back into the main file.
func (db *DB) Close() error {
	var errs []error
	if db.r != nil && db.r != db.w {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil {
		// The last connection to close checkpoints the WAL into the main
		// file and removes it (SQLite does this itself; an explicit
		// TRUNCATE checkpoint could wait out the busy timeout behind
		// another process's reader).
		errs = append(errs, db.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close inventory %s: %w", db.path, err)
	}
	return nil
}

// SetClock replaces the clock used for timestamps the inventory fills in
// itself (created_at, started_at, …). Tests use it; nil restores time.Now.
func (db *DB) SetClock(now func() time.Time) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if now == nil {
		now = time.Now
	}
	db.now = now
}

func (db *DB) clock() time.Time {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.now().UTC()
}

// Postgres reports whether the inventory is a PostgreSQL database.
func (db *DB) Postgres() bool { return db.dialect == dialectPostgres }

// rq is the reader pool, rebinding queries to the dialect.
func (db *DB) rq() querier { return bound{q: db.r, d: db.dialect} }

// write runs fn in one immediate transaction on the writer connection and
// commits it before returning.
func (db *DB) write(ctx context.Context, fn func(tx querier) error) error {
	return db.writeTx(ctx, 0, fn)
}

// Advisory lock keys (PostgreSQL) for writes that read before they write
// and must not interleave with the same write from another run.
const (
	lockDevices    int64 = 0x6d6670_01 // device identity: upserts, merges, imports
	lockMigrations int64 = 0x6d6670_02
)

// writeSerial is write holding the advisory lock key for the
// transaction (on SQLite every write transaction is already exclusive).
func (db *DB) writeSerial(ctx context.Context, key int64, fn func(tx querier) error) error {
	return db.writeTx(ctx, key, fn)
}

func (db *DB) writeTx(ctx context.Context, lock int64, fn func(tx querier) error) error {
	raw, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := bound{q: raw, d: db.dialect}
	if lock != 0 && db.dialect == dialectPostgres {
		if _, err := raw.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lock); err != nil {
			_ = raw.Rollback()
			return fmt.Errorf("lock: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		_ = raw.Rollback()
		return err
	}
	if err := raw.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Fingerprint returns the hex HMAC-SHA256 of secret under this inventory's
// key. The caller normalises the app password first (spaces removed,
// lower-case). The same secret gives the same fingerprint in one inventory
// and unrelated fingerprints in two inventories, so fingerprints cannot be
// matched across customers or against a precomputed table.
//
// The key lives in the inventory file itself (table meta), not in a side
// file: a copied or backed-up inventory keeps matching its own fingerprints,
// and there is one file to protect. Storing it apart would add little:
// app passwords are 16 random letters (26^16 ≈ 2^75), so even with the key
// a stolen inventory cannot be brute-forced back to a password.
func (db *DB) Fingerprint(secret string) string {
	m := hmac.New(sha256.New, db.key)
	m.Write([]byte(secret))
	return hex.EncodeToString(m.Sum(nil))
}

// timeLayout sorts lexically in time order (fixed width, always UTC).
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// ts converts t for storage; the zero time becomes NULL.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// tsv is ts for a time that must not be NULL.
func tsv(t time.Time) string { return t.UTC().Format(timeLayout) }

// scanTime scans a nullable stored time into *t (zero when NULL).
type scanTime struct{ t *time.Time }

var _ sql.Scanner = scanTime{}

// Scan implements sql.Scanner.
func (s scanTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*s.t = time.Time{}
		return nil
	case string:
		return s.parse(x)
	case []byte:
		return s.parse(string(x))
	case time.Time:
		*s.t = x.UTC()
		return nil
	}
	return fmt.Errorf("stored time has type %T", v)
}

func (s scanTime) parse(x string) error {
	if x == "" {
		*s.t = time.Time{}
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, x)
	if err != nil {
		return fmt.Errorf("stored time %q: %w", x, err)
	}
	*s.t = t.UTC()
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nullID stores 0 as NULL (for optional foreign keys).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
