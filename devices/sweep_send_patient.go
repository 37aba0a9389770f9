package devices

import (
	"errors"
	"syscall"
	"time"
)

// noBufferRetries bounds how often sendPatient sends one datagram again
// (about 0.1 s in all with sleepBackoff): a queue that stays full longer
// is a real error.
const noBufferRetries = 100

// sleepBackoff waits before the try'th resend of a datagram.
func sleepBackoff(try int) { time.Sleep(time.Duration(min(try, 4)) * 250 * time.Microsecond) }

// sendPatient calls send until it succeeds, fails with an error other
// than a full buffer, or noBufferRetries resends have failed; wait is
// called before each resend.
//
// macOS and Windows do not make a UDP sender wait for room in the send
// buffer as Linux does: sendto fails at once with ENOBUFS ("no buffer
// space available"; WSAENOBUFS on Windows) or EAGAIN when the interface
// queue is full, which at a sweep's packet rate on Wi-Fi would lose
// probes, and with them devices, without a trace. The portable send path
// (sendLoop: everything off Linux, sweep_send_other.go) waits a moment
// and sends such a datagram again instead.
func sendPatient(send func() error, wait func(try int)) error {
	err := send()
	for try := 1; err != nil && isNoBuffer(err) && try <= noBufferRetries; try++ {
		wait(try)
		err = send()
	}
	return err
}

// wsaENOBUFS is Windows' WSAENOBUFS (golang.org/x/sys/windows), which
// its sendto returns for a full queue; syscall.ENOBUFS is the Unix one.
const wsaENOBUFS = syscall.Errno(10055)

// isNoBuffer reports a send refused for want of buffer space, which
// passes once the interface has drained its queue.
func isNoBuffer(err error) bool {
	return errors.Is(err, syscall.ENOBUFS) || errors.Is(err, syscall.EAGAIN) || errors.Is(err, wsaENOBUFS)
}
