// Package pgtest starts a throw-away PostgreSQL cluster for tests: the
// Debian postgresql server binaries (initdb, postgres) run on a loopback
// port in a temporary directory, as the postgres user (or nobody) when the
// tests run as root, since initdb refuses root. Each test gets a fresh
// database from NewDatabase.
//
// Tests call Shared, which skips the test with the reason when no server
// binaries are installed, unless MFPFLEET_REQUIRE_PEERS=1 (then it fails).
// A package's TestMain calls StopShared after m.Run.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// Server is a running throw-away cluster.
type Server struct {
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
	n    atomic.Int64
	log  string
}

// BinDir finds the PostgreSQL server binaries: $MFPFLEET_PG_BIN, the
// newest /usr/lib/postgresql/*/bin, or initdb on PATH.
func BinDir() (string, error) {
	if d := os.Getenv("MFPFLEET_PG_BIN"); d != "" {
		return d, nil
	}
	if ds, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(ds) > 0 {
		sort.Slice(ds, func(i, j int) bool { return pgVer(ds[i]) < pgVer(ds[j]) })
		for i := len(ds) - 1; i >= 0; i-- {
			if _, err := os.Stat(filepath.Join(ds[i], "postgres")); err == nil {
				return ds[i], nil
			}
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no PostgreSQL server binaries (apt-get install postgresql, or set MFPFLEET_PG_BIN to the folder holding initdb and postgres)")
}

func pgVer(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// Start initialises and starts a cluster; Stop removes it.
func Start(ctx context.Context) (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "mfpfleet-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, done: make(chan struct{})}
	fail := func(err error) (*Server, error) {
		s.Stop()
		return nil, err
	}
	cred, err := runAs(dir)
	if err != nil {
		return fail(err)
	}
	data := filepath.Join(dir, "data")
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres",
		"--no-sync", "-E", "UTF8", "--locale=C")
	initdb.SysProcAttr = cred
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %w: %s", err, out))
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	s.log = filepath.Join(dir, "postgres.log")
	logf, err := os.Create(s.log)
	if err != nil {
		return fail(err)
	}
	chownTo(s.log, cred)
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(s.port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "shared_buffers=32MB")
	s.cmd.SysProcAttr = cred
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.Dir = dir
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		return fail(fmt.Errorf("start postgres: %w", err))
	}
	go func() { _ = s.cmd.Wait(); logf.Close(); close(s.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		db, err := sql.Open("pgx", s.URL("postgres"))
		if err == nil {
			err = db.PingContext(ctx)
			db.Close()
		}
		if err == nil {
			return s, nil
		}
		select {
		case <-s.done:
			b, _ := os.ReadFile(s.log)
			return fail(fmt.Errorf("postgres exited: %s", b))
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(s.log)
			return fail(fmt.Errorf("postgres did not accept connections within 60 s: %v: %s", err, b))
		}
	}
}

// URL is the connection URL of database name.
func (s *Server) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, name)
}

// NewDatabase returns the URL of an empty database of its own: a new
// schema of the cluster's postgres database, named in the URL's
// search_path (a CREATE DATABASE takes a second; a schema, milliseconds).
func (s *Server) NewDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("t%d_%d", os.Getpid(), s.n.Add(1))
	db, err := sql.Open("pgx", s.URL("postgres"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		return "", fmt.Errorf("create schema %s: %w", name, err)
	}
	return s.URL("postgres") + "&search_path=" + name, nil
}

// Stop stops the server and removes its files.
func (s *Server) Stop() {
	if s == nil {
		return
	}
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt) // fast shutdown
		select {
		case <-s.done:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}

var (
	sharedMu  sync.Mutex
	shared    *Server
	sharedErr error
)

// Shared returns the process's cluster, starting it on first use. When
// PostgreSQL cannot run here the test is skipped with the reason, or
// fails under MFPFLEET_REQUIRE_PEERS=1.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil && sharedErr == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		shared, sharedErr = Start(ctx)
		cancel()
	}
	if sharedErr != nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			tb.Fatalf("PostgreSQL required (MFPFLEET_REQUIRE_PEERS=1): %v", sharedErr)
		}
		tb.Skipf("PostgreSQL not available: %v", sharedErr)
	}
	return shared
}

// Private starts a cluster for one test and stops it when the test ends
// (for packages with no TestMain to call StopShared); it skips or fails
// like Shared.
func Private(tb testing.TB) *Server {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := Start(ctx)
	if err != nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			tb.Fatalf("PostgreSQL required (MFPFLEET_REQUIRE_PEERS=1): %v", err)
		}
		tb.Skipf("PostgreSQL not available: %v", err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// Database is Shared(tb).NewDatabase: the URL of a fresh database.
func Database(tb testing.TB) string {
	tb.Helper()
	s := Shared(tb)
	url, err := s.NewDatabase(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return url
}

// StopShared stops the cluster Shared started, if any.
func StopShared() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	shared.Stop()
	shared = nil
}

// Available reports whether the server binaries are installed.
func Available() bool {
	_, err := BinDir()
	return err == nil
}

// logTail is for failing tests that want the server's own words.
func (s *Server) LogTail() string {
	b, _ := os.ReadFile(s.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return strings.TrimSpace(string(b))
}
