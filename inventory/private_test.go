//go:build unix

package inventory

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The inventory holds the fingerprint key: it, its WAL and its SHM are
// created 0600 whatever the umask, and Open says it created the file.
func TestOpenCreatesPrivateFiles(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a folder", "fleet.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if !db.Created() {
		t.Error("Created() = false for a new inventory")
	}
	if _, _, err := db.AddCredential(ctx, "a@example.com", "test", db.Fingerprint("abcdabcdabcdabcd")); err != nil {
		t.Logf("AddCredential: %v (the WAL may stay small)", err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", filepath.Base(f), st.Mode().Perm())
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Created() {
		t.Error("Created() = true when reopening")
	}
}
