package private

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCreateFilePrivate(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "fleet.db")
	created, err := CreateFile(p)
	if err != nil || !created {
		t.Fatalf("CreateFile = %v, %v", created, err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %o, want 0600", st.Mode().Perm())
	}
	if e := Exposed(p); e != "" {
		t.Fatalf("Exposed = %q", e)
	}
	// An existing file is left alone.
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	created, err = CreateFile(p)
	if err != nil || created {
		t.Fatalf("second CreateFile = %v, %v", created, err)
	}
	if e := Exposed(p); e == "" {
		t.Fatal("a 0644 file is not reported as exposed")
	}
	sub := filepath.Join(dir, "a b", "artifacts")
	if err := MkdirAll(sub); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(sub); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("MkdirAll: %v, %v", st.Mode(), err)
	}
}
