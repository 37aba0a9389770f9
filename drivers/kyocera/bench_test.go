package kyocera_test

import (
	"context"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
)

// BenchmarkPush measures a full single-device push against the simulated
// Command Center RX (open + TOFU, login with Admin/Admin, read, write,
// read back, the Connection Test, logout), one device after another in
// one tab at a time, as drivers/xerox's BenchmarkPush does. It reports
// devices/minute.
//
//	go test ./drivers/kyocera -run '^$' -bench Push -benchtime 20x -count 5
func BenchmarkPush(b *testing.B) {
	if browser == nil {
		b.Skipf("chromium not available: %v", browserErr)
	}
	e := drivertest.NewEnv(b, drivertest.Config{Browser: browser, ArtifactsDir: artifactsDir,
		Family: sim.FamilyKyoceraCCRX, Model: "TASKalfa 3253ci", Addr: addr, Logger: logger()})
	tgts := make([]drivers.Target, b.N)
	for i := range tgts {
		_, t := e.Device(b, sim.DeviceOptions{})
		t.Device.Vendor, t.Device.Family = "kyocera", ""
		tgts[i] = t
	}
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		r, err := e.Push(ctx, b, tgts[i], nil, 587)
		if err != nil {
			b.Fatal(err)
		}
		if r.CheckErr != nil {
			b.Fatal(r.CheckErr)
		}
		if i == b.N-1 {
			b.Logf("last push: %v", r.Steps)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Minutes(), "devices/min")
}
