//go:build !linux

package devices

// batchSys off Linux: no sendmmsg, so one WriteTo per datagram, patient
// with a full send queue (sendLoop, sendPatient).
type batchSys struct{}

func (batchSys) init(*batchWriter) {}

func (batchSys) send(w *batchWriter, n int) { w.sendLoop(0, n) }
