package brother_test

import (
	"context"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
)

// BenchmarkPush measures a full single-device push against the simulated
// Web Based Management (open + TOFU, login with initpass, read, write,
// read back, Test Send E-mail through the Gmail stand-in, logout), one
// device after another in one tab at a time, as drivers/xerox's
// BenchmarkPush does. It reports devices/minute.
//
//	go test ./drivers/brother -run '^$' -bench Push -benchtime 20x -count 5
func BenchmarkPush(b *testing.B) {
	if browser == nil {
		b.Skipf("chromium not available: %v", browserErr)
	}
	e := drivertest.NewEnv(b, drivertest.Config{Browser: browser, ArtifactsDir: artifactsDir,
		Family: sim.FamilyBrotherWBM, Model: "MFC-L8900CDW", Addr: addr, Logger: logger()})
	tgts := make([]drivers.Target, b.N)
	for i := range tgts {
		_, t := e.Device(b, sim.DeviceOptions{AdminPassword: "initpass"})
		t.Device.Vendor, t.Device.Family = "brother", ""
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
		if r.TestErr != nil {
			b.Fatal(r.TestErr)
		}
		if i == b.N-1 {
			b.Logf("last push: %v", r.Steps)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Minutes(), "devices/min")
}
