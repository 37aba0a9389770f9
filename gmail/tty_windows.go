//go:build windows

package gmail

import "os"

// clearLine ends the prompt's line: the Windows console does not always
// interpret the escape that erases it.
const clearLine = "\r\n"

// openTTY opens the console: CONIN$ for the password (golang.org/x/term
// turns its echo off) and CONOUT$ for the prompt, so the prompt works
// when stdin or stdout are redirected, as /dev/tty does on Unix. There
// is no console under some IDE terminals and services: the caller then
// asks for --password-stdin or --password-file.
func openTTY() (in, out *os.File, err error) {
	in, err = os.OpenFile("CONIN$", os.O_RDWR, 0)
	if err != nil {
		return nil, nil, err
	}
	out, err = os.OpenFile("CONOUT$", os.O_WRONLY, 0)
	if err != nil {
		in.Close()
		return nil, nil, err
	}
	return in, out, nil
}
