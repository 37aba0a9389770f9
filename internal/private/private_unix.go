//go:build !windows

package private

import (
	"fmt"
	"os"
)

func restrict(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	mode := os.FileMode(0o600)
	if st.IsDir() {
		mode = 0o700
	}
	return os.Chmod(path, mode)
}

func exposed(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return ""
	}
	if p := st.Mode().Perm(); p&0o077 != 0 {
		return fmt.Sprintf("mode %04o lets other users read it (chmod go-rwx %q)", p, path)
	}
	return ""
}
