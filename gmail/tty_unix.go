//go:build !windows

package gmail

import "os"

// clearLine returns to the start of the prompt's line and erases it.
const clearLine = "\r\x1b[K"

// openTTY opens the controlling terminal for the prompt: one file for
// reading the password and writing the prompt.
func openTTY() (in, out *os.File, err error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, nil, err
	}
	// out is closed too: give it a handle of its own.
	out, err = os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		tty.Close()
		return nil, nil, err
	}
	return tty, out, nil
}
