//go:build !linux

package devices

type batchSys struct{}

func (batchSys) init(*batchWriter) {}

func (batchSys) send(w *batchWriter, n int) { w.sendLoop(0, n) }
