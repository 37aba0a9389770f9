package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestLoadLabelPasswords(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "labels.csv")
	content := "# serial,password\n\nE78265A9N123456,Xk7#pQ2m\ne81234a3n000001\tZz9-aa\n"
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := LoadLabelPasswords(p)
	if err != nil {
		t.Fatal(err)
	}
	if pw, ok := l.Lookup(" e78265a9n123456 "); !ok || pw.Reveal() != "Xk7#pQ2m" {
		t.Errorf("lookup: %v %v", pw.Reveal(), ok)
	}
	if pw, ok := l.Lookup("E81234A3N000001"); !ok || pw.Reveal() != "Zz9-aa" {
		t.Errorf("tab-separated line: %q %v", pw.Reveal(), ok)
	}
	if _, ok := l.Lookup("NOPE"); ok {
		t.Error("unknown serial found")
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadLabelPasswords(p); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("a world-readable file: %v, want the chmod that fixes it", err)
		}
	}
}

func TestParseLabelPasswordsErrors(t *testing.T) {
	for _, in := range []string{"E1,secret-one\nE1,secret-two\n", "onlyaserial\n", "E1,\n", "E1  secret-x,y\n"} {
		_, err := ParseLabelPasswords("x", []byte(in))
		if err == nil || !strings.Contains(err.Error(), "line") {
			t.Errorf("%q: %v, want an error naming the line", in, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret-") {
			t.Errorf("%q: the error shows a password: %v", in, err)
		}
	}
}
