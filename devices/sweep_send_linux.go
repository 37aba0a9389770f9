package devices

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// batchSys holds the sendmmsg(2) vectors, allocated once.
type batchSys struct {
	rc    syscall.RawConn
	msgs  []unix.Mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet4
	off   []bool // fall back to sendLoop (sendmmsg unsupported)
}

func (b *batchSys) init(w *batchWriter) {
	rc, err := w.conn.SyscallConn()
	if err != nil {
		b.off = []bool{true}
		return
	}
	b.rc = rc
	b.msgs = make([]unix.Mmsghdr, sendBatch)
	b.iovs = make([]unix.Iovec, sendBatch)
	b.names = make([]unix.RawSockaddrInet4, sendBatch)
}

func (b *batchSys) send(w *batchWriter, n int) {
	if len(b.off) > 0 {
		w.sendLoop(0, n)
		return
	}
	for i := range n {
		a := w.to[i].Addr().As4()
		p := w.to[i].Port()
		b.names[i] = unix.RawSockaddrInet4{Family: unix.AF_INET, Port: p<<8 | p>>8, Addr: a}
		b.iovs[i] = unix.Iovec{Base: unsafe.SliceData(w.pkts[i])}
		b.iovs[i].SetLen(len(w.pkts[i]))
		b.msgs[i] = unix.Mmsghdr{Hdr: unix.Msghdr{Name: (*byte)(unsafe.Pointer(&b.names[i])), Namelen: unix.SizeofSockaddrInet4, Iov: &b.iovs[i]}}
		b.msgs[i].Hdr.SetIovlen(1)
	}
	done := 0
	for done < n {
		var errno syscall.Errno
		var sent int
		err := b.rc.Write(func(fd uintptr) bool {
			r, _, e := unix.Syscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&b.msgs[done])), uintptr(n-done), 0, 0, 0)
			if e == unix.EAGAIN {
				return false // wait until the socket is writable
			}
			errno, sent = e, int(r)
			return true
		})
		switch {
		case err != nil:
			// The socket is closed: count the rest as failed.
			w.c.sent.Add(uint64(n - done))
			w.c.errs.Add(uint64(n - done))
			return
		case errno == unix.ENOSYS:
			b.off = []bool{true}
			w.sendLoop(done, n)
			return
		case errno != 0:
			// sendmmsg fails only when the first datagram fails (no
			// route, broadcast address...): count it and go on.
			w.c.sent.Add(1)
			w.c.errs.Add(1)
			w.onErr(w.to[done], errno)
			done++
		default:
			w.c.sent.Add(uint64(sent))
			done += sent
		}
	}
}
