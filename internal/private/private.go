// Package private creates files and folders that only the current user
// can read: mode 0600/0700 on Unix, and on Windows (where file modes mean
// nothing) a protected access-control list that grants the user alone,
// so that the inventory (which holds the fingerprint key), its WAL and
// the failure artifacts do not inherit "Users: read" from their folder.
package private

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// CreateFile creates path empty and private when it does not exist yet;
// created reports whether it did. An existing file is left as it is.
func CreateFile(path string) (created bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := f.Close(); err != nil {
		return true, err
	}
	if err := Restrict(path); err != nil {
		return true, fmt.Errorf("restrict %s to this user: %w", path, err)
	}
	return true, nil
}

// MkdirAll creates dir (and its parents) and makes dir private to the
// user, so that the files created in it are too (on Windows they inherit
// its access-control list).
func MkdirAll(dir string) error {
	st, err := os.Stat(dir)
	if err == nil && st.IsDir() {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := Restrict(dir); err != nil {
		return fmt.Errorf("restrict %s to this user: %w", dir, err)
	}
	return nil
}

// Restrict makes an existing file or folder accessible to the current
// user only (chmod 0600/0700; on Windows a protected DACL granting the
// user full control and no one else).
func Restrict(path string) error { return restrict(path) }

// Exposed reports why path can be read by others than the user ("" when
// it cannot, or when the platform does not say): doctor's check.
func Exposed(path string) string { return exposed(path) }
