package inventory

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), testTarget(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

func TestOpenMigrations(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
		wantErr error
	}{
		{name: "empty file", prepare: func(t *testing.T, path string) {}},
		{name: "reopen current", prepare: func(t *testing.T, path string) {
			db, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
		}},
		{name: "newer schema refused", wantErr: ErrNewerSchema, prepare: func(t *testing.T, path string) {
			db, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.w.Exec(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (999, 'future', '2030-01-01T00:00:00.000000000Z')`); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := testTarget(t)
			tc.prepare(t, path)
			db, err := Open(ctx, path)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Open = %v, want %v", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), "upgrade mfpfleet") {
					t.Errorf("error %q does not say what to do", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var n, uv int
			var mode string
			if err := db.r.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if backend != "sqlite" {
				if n != len(migrations) {
					t.Errorf("migrations=%d, want %d", n, len(migrations))
				}
				return
			}
			if err := db.r.QueryRow(`PRAGMA user_version`).Scan(&uv); err != nil {
				t.Fatal(err)
			}
			if err := db.r.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
				t.Fatal(err)
			}
			if n != len(migrations) || uv != SchemaVersion() || mode != "wal" {
				t.Errorf("migrations=%d user_version=%d journal_mode=%s, want %d %d wal", n, uv, mode, len(migrations), SchemaVersion())
			}
			// Per-connection pragmas reach the reader pool too.
			var fk, busy int
			if err := db.r.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil {
				t.Fatal(err)
			}
			if err := db.r.QueryRow(`PRAGMA busy_timeout`).Scan(&busy); err != nil {
				t.Fatal(err)
			}
			if fk != 1 || busy != 10000 {
				t.Errorf("reader foreign_keys=%d busy_timeout=%d", fk, busy)
			}
			// The reader pool must not write.
			if _, err := db.r.Exec(`INSERT INTO meta(key, value) VALUES ('x', 'y')`); err == nil {
				t.Error("reader pool accepted a write")
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	if _, err := Open(ctx, ""); err == nil {
		t.Error("empty path accepted")
	}
	_, err := Open(ctx, filepath.Join(t.TempDir(), "no", "such", "dir", "fleet.db"))
	if err == nil {
		t.Fatal("missing folder accepted")
	}
	if !strings.Contains(err.Error(), "writable") {
		t.Errorf("error %q does not name the fix", err)
	}
}

func TestPathWithSpecialCharacters(t *testing.T) {
	sqliteOnly(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "my fleet?#%.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	fp := db.Fingerprint("abcdabcdabcdabcd")
	db.Close()
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Fingerprint("abcdabcdabcdabcd") != fp {
		t.Error("reopening by the same odd path found another file")
	}
}

func TestFingerprint(t *testing.T) {
	ctx := context.Background()
	pathA, pathB := testTarget(t), testTarget(t)
	a, err := Open(ctx, pathA)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, pathB)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const pw = "abcdefghijklmnop"
	fa := a.Fingerprint(pw)
	if len(fa) != 64 || !isHex(fa) {
		t.Fatalf("fingerprint %q is not 64 hex digits", fa)
	}
	if a.Fingerprint(pw) != fa {
		t.Error("fingerprint not stable within one inventory")
	}
	if a.Fingerprint("abcdefghijklmnoq") == fa {
		t.Error("different secrets gave the same fingerprint")
	}
	if b.Fingerprint(pw) == fa {
		t.Error("two inventories gave the same fingerprint: the key is not per inventory")
	}
	a.Close()
	a, err = Open(ctx, pathA)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Fingerprint(pw) != fa {
		t.Error("fingerprint changed after reopening")
	}
}

func TestCredentials(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	fp1 := db.Fingerprint("aaaabbbbccccdddd")
	fp2 := db.Fingerprint("eeeeffffgggghhhh")

	c1, created, err := db.AddCredential(ctx, "Office@Example.com", "MFP AltaLink C8070 3TB123456", fp1)
	if err != nil || !created {
		t.Fatalf("AddCredential = %v, %v", created, err)
	}
	if c1.Account != "office@example.com" || c1.CreatedAt.IsZero() || c1.Revoked() {
		t.Errorf("credential %+v", c1)
	}
	again, created, err := db.AddCredential(ctx, "office@example.com", "other label", fp1)
	if err != nil || created || again.ID != c1.ID || again.Label != c1.Label {
		t.Errorf("re-adding gave %+v created=%v err=%v, want the existing one", again, created, err)
	}
	c2, _, err := db.AddCredential(ctx, "office@example.com", "MFP site HQ", fp2)
	if err != nil {
		t.Fatal(err)
	}
	other, created, err := db.AddCredential(ctx, "scans@example.com", "", fp1)
	if err != nil || !created || other.ID == c1.ID {
		t.Errorf("same fingerprint, other account: %+v %v %v", other, created, err)
	}
	for _, bad := range []string{"aaaabbbbccccdddd", "aaaa bbbb cccc dddd", strings.ToUpper(fp1), fp1[:63] + "g"} {
		if _, _, err := db.AddCredential(ctx, "office@example.com", "x", bad); err == nil {
			t.Errorf("AddCredential accepted fingerprint %q", bad)
		}
	}

	find := []struct {
		ref     string
		want    int64
		wantErr error
	}{
		{ref: strconv.FormatInt(c1.ID, 10), want: c1.ID},
		{ref: "#" + strconv.FormatInt(c2.ID, 10), want: c2.ID}, // PostgreSQL's ids may have gaps
		{ref: "mfp site hq", want: c2.ID},
		{ref: "MFP AltaLink C8070 3TB123456", want: c1.ID},
		{ref: fp2[:8], want: c2.ID},
		{ref: strings.ToUpper(fp2[:12]), want: c2.ID},
		{ref: fp2, want: c2.ID},
		{ref: fp1[:8], wantErr: ErrAmbiguous}, // two accounts share fp1
		{ref: fp2[:7], wantErr: ErrNotFound},  // too short for a prefix
		{ref: "nothing", wantErr: ErrNotFound},
		{ref: "99", wantErr: ErrNotFound},
	}
	for _, tc := range find {
		t.Run("find "+tc.ref, func(t *testing.T) {
			c, err := db.FindCredential(ctx, tc.ref)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("FindCredential(%q) = %+v, %v; want %v", tc.ref, c, err, tc.wantErr)
				}
				return
			}
			if err != nil || c.ID != tc.want {
				t.Fatalf("FindCredential(%q) = %d, %v; want %d", tc.ref, c.ID, err, tc.want)
			}
		})
	}

	if err := db.RevokeCredential(ctx, c1.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeCredential(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("revoking a missing credential: %v", err)
	}
	active, err := db.ListCredentials(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	all, err := db.ListCredentials(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 2 || len(all) != 3 {
		t.Errorf("active=%d all=%d, want 2 and 3", len(active), len(all))
	}
	got, err := db.GetCredential(ctx, c1.ID)
	if err != nil || !got.Revoked() {
		t.Errorf("revoked credential reads back as %+v, %v", got, err)
	}
}

func TestSetClockAndTimes(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	at := time.Date(2026, 3, 4, 5, 6, 7, 891011121, time.FixedZone("x", 3600))
	db.SetClock(func() time.Time { return at })
	c, _, err := db.AddCredential(ctx, "a@example.com", "l", db.Fingerprint("abcdefghijklmnop"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.GetCredential(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(at) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want %v in UTC", got.CreatedAt, at)
	}
	var raw string
	if err := db.r.QueryRow(`SELECT created_at FROM credentials`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if raw != "2026-03-04T04:06:07.891011121Z" {
		t.Errorf("stored time %q", raw)
	}
	db.SetClock(nil)
}

// TestConcurrentOpen opens one new file from several handles at once (as
// parallel mfpfleet processes would): one migration, one key.
func TestConcurrentOpen(t *testing.T) {
	ctx := context.Background()
	path := testTarget(t)
	const n = 6
	dbs := make([]*DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[i], errs[i] = Open(ctx, path)
		}()
	}
	wg.Wait()
	var fps []string
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("open %d: %v", i, errs[i])
		}
		defer dbs[i].Close()
		fps = append(fps, dbs[i].Fingerprint("abcdefghijklmnop"))
	}
	for i := range fps {
		if fps[i] != fps[0] {
			t.Fatalf("handle %d has another fingerprint key", i)
		}
	}
	var applied int
	if err := dbs[0].r.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if applied != len(migrations) {
		t.Errorf("%d migrations recorded, want %d", applied, len(migrations))
	}
}

// TestLaterMigrations appends migrations to the list the way a future
// release would: a good one is applied once on reopen, a failing one is
// rolled back whole and reported.
func TestLaterMigrations(t *testing.T) {
	ctx := context.Background()
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	path := testTarget(t)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	fp := db.Fingerprint("abcdefghijklmnop")
	db.Close()

	tableExists := func(db *DB, name string) bool {
		var n int
		q := `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`
		if backend == "postgres" {
			q = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`
		}
		if err := db.rq().QueryRowContext(ctx, q, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	steps := []struct {
		name        string
		add         migration
		wantErr     bool
		wantVersion int
		wantTable   string
		wantMissing string
	}{
		{name: "good", add: migration{len(saved) + 1, "add extra", `CREATE TABLE extra (x TEXT); INSERT INTO extra VALUES ('a');`},
			wantVersion: len(saved) + 1, wantTable: "extra"},
		{name: "failing rolls back", add: migration{len(saved) + 2, "broken", `CREATE TABLE half (x TEXT); INSERT INTO nowhere VALUES (1);`},
			wantErr: true, wantVersion: len(saved) + 1, wantMissing: "half"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			migrations = append(migrations, s.add)
			db, err := Open(ctx, path)
			if s.wantErr {
				if err == nil {
					db.Close()
					t.Fatal("a failing migration did not fail Open")
				}
				if !strings.Contains(err.Error(), s.add.name) {
					t.Errorf("error %q does not name the migration", err)
				}
				migrations = migrations[:len(migrations)-1]
				if db, err = Open(ctx, path); err != nil {
					t.Fatal(err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if v, err := currentVersion(ctx, db.r); err != nil || v != s.wantVersion {
				t.Errorf("version %d, %v; want %d", v, err, s.wantVersion)
			}
			if s.wantTable != "" && !tableExists(db, s.wantTable) {
				t.Errorf("table %s missing", s.wantTable)
			}
			if s.wantMissing != "" && tableExists(db, s.wantMissing) {
				t.Errorf("table %s from a failed migration survived", s.wantMissing)
			}
			if db.Fingerprint("abcdefghijklmnop") != fp {
				t.Error("the fingerprint key changed across migrations")
			}
		})
	}
}
