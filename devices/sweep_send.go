package devices

import (
	"net"
	"net/netip"
)

// sendBatch is the most datagrams handed to the kernel at once.
const sendBatch = 64

// batchWriter queues datagrams and sends them in batches: one sendmmsg(2)
// system call per batch on Linux (about three times the packet rate of
// one sendto per datagram), a plain loop elsewhere.
type batchWriter struct {
	conn  *net.UDPConn
	pkts  [][]byte
	to    []netip.AddrPort
	n     int
	sys   batchSys // platform state (sweep_send_linux.go)
	c     *counters
	onErr func(to netip.AddrPort, err error)
}

func newBatchWriter(conn *net.UDPConn, c *counters, onErr func(netip.AddrPort, error)) *batchWriter {
	w := &batchWriter{conn: conn, pkts: make([][]byte, sendBatch), to: make([]netip.AddrPort, sendBatch), c: c, onErr: onErr}
	for i := range w.pkts {
		w.pkts[i] = make([]byte, 0, 512)
	}
	w.sys.init(w)
	return w
}

// add queues a copy of b for to, sending the batch when it is full.
func (w *batchWriter) add(b []byte, to netip.AddrPort) {
	w.pkts[w.n] = append(w.pkts[w.n][:0], b...)
	w.to[w.n] = to
	w.n++
	if w.n == sendBatch {
		w.flush()
	}
}

// flush sends what is queued.
func (w *batchWriter) flush() {
	if w.n == 0 {
		return
	}
	w.sys.send(w, w.n)
	w.n = 0
}

// sendLoop sends pkts[from:n] one by one (the portable path, and the
// Linux fallback), patiently when the send queue is full (sendPatient).
func (w *batchWriter) sendLoop(from, n int) {
	for i := from; i < n; i++ {
		w.c.sent.Add(1)
		if err := sendPatient(func() error {
			_, err := w.conn.WriteToUDPAddrPort(w.pkts[i], w.to[i])
			return err
		}, sleepBackoff); err != nil {
			w.c.errs.Add(1)
			w.onErr(w.to[i], err)
		}
	}
}
