package inventory

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// Redact returns ref fit for messages: a postgres:// URL with its
// password replaced; a file path unchanged.
func Redact(ref string) string {
	if !IsPostgresURL(ref) {
		return ref
	}
	return redactURL(ref)
}

// redactURL is ref with its password replaced, for messages and Path.
func redactURL(ref string) string {
	u, err := url.Parse(ref)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	return u.Redacted()
}

// openPostgres opens the PostgreSQL database at ref (a postgres:// URL;
// pgx reads the password from the URL, PGPASSWORD or ~/.pgpass, and the
// usual PG* variables for what the URL leaves out) and brings its schema
// up to date. Give the password through PGPASSWORD or ~/.pgpass rather
// than on the command line.
func openPostgres(ctx context.Context, ref string) (*DB, error) {
	shown := redactURL(ref)
	pool, err := sql.Open("pgx", ref)
	if err != nil {
		return nil, fmt.Errorf("open inventory %s: %w (the URL looks like postgres://USER@HOST:5432/DATABASE)", shown, err)
	}
	// Writes are short transactions; the pool is shared by readers and
	// writers, sized for many devices in flight.
	pool.SetMaxOpenConns(24)
	pool.SetMaxIdleConns(8)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{path: shown, dialect: dialectPostgres, w: pool, r: pool, now: time.Now}
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := pool.PingContext(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open inventory %s: %w (check that the server runs and accepts this user and database; put the password in PGPASSWORD or ~/.pgpass, not on the command line)", shown, err)
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open inventory %s: %w", shown, err)
	}
	if err := db.loadKey(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open inventory %s: %w", shown, err)
	}
	return db, nil
}
