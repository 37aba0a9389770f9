package devices

import (
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
)

// A full send queue (ENOBUFS on macOS, WSAENOBUFS on Windows, EAGAIN)
// delays a probe; it does not lose it. Other errors are not retried.
func TestSendPatient(t *testing.T) {
	wrap := func(e error) error {
		return &net.OpError{Op: "write", Net: "udp", Err: os.NewSyscallError("sendto", e)}
	}
	tests := []struct {
		name      string
		errs      []error // returned by successive sends, then nil
		wantErr   bool
		wantSends int
	}{
		{"first try", nil, false, 1},
		{"macOS ENOBUFS twice", []error{wrap(syscall.ENOBUFS), wrap(syscall.ENOBUFS)}, false, 3},
		{"Windows WSAENOBUFS", []error{wrap(wsaENOBUFS)}, false, 2},
		{"EAGAIN", []error{wrap(syscall.EAGAIN)}, false, 2},
		{"no route is an error at once", []error{wrap(syscall.EHOSTUNREACH)}, true, 1},
		{"permission is an error at once", []error{wrap(syscall.EACCES)}, true, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sends, waits := 0, 0
			err := sendPatient(func() error {
				sends++
				if sends <= len(tc.errs) {
					return tc.errs[sends-1]
				}
				return nil
			}, func(int) { waits++ })
			if (err != nil) != tc.wantErr || sends != tc.wantSends || waits != sends-1 {
				t.Fatalf("err %v, %d sends, %d waits; want error %v, %d sends", err, sends, waits, tc.wantErr, tc.wantSends)
			}
		})
	}
	// A queue that never drains ends in the error, after the bound.
	sends := 0
	err := sendPatient(func() error { sends++; return wrap(syscall.ENOBUFS) }, func(int) {})
	if !errors.Is(err, syscall.ENOBUFS) || sends != noBufferRetries+1 {
		t.Fatalf("err %v after %d sends", err, sends)
	}
}
