package epson_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
)

// BenchmarkPush measures a full single-device push against the simulated
// Web Config (open + TOFU, login with the serial, read, write, read back,
// the Connection Test, logout), one device after another in one tab at a
// time, as the other drivers' BenchmarkPush do. It reports devices/minute.
//
//	go test ./drivers/epson -run '^$' -bench Push -benchtime 20x -count 5
func BenchmarkPush(b *testing.B) {
	if browser == nil {
		b.Skipf("chromium not available: %v", browserErr)
	}
	e := drivertest.NewEnv(b, drivertest.Config{Browser: browser, ArtifactsDir: artifactsDir,
		Family: sim.FamilyEpsonWebConfig, Model: "WF-C879R", Addr: addr, Logger: logger()})
	tgts := make([]drivers.Target, b.N)
	for i := range tgts {
		_, t := e.Device(b, sim.DeviceOptions{Serial: fmt.Sprintf("X3HB%06d", serials.Add(1))})
		t.Device.Vendor, t.Device.Family = "epson", ""
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
