package xerox_test

import (
	"context"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
)

// BenchmarkPush measures a full single-device push against the simulator
// (open + TOFU, login with the default, read, write, read back, test
// e-mail with the device's result and job log, or the connection test
// where that is the only check, logout), one device after another in one
// tab at a time. It reports devices/minute.
//
//	go test ./drivers/xerox -run '^$' -bench Push -benchtime 20x
func BenchmarkPush(b *testing.B) {
	for _, fam := range []struct{ name, family, model, ui string }{
		{"ConnectKey", sim.FamilyConnectKey, "AltaLink C8045", ""},
		{"ConnectKeyHeaderLogin", sim.FamilyConnectKey, "AltaLink C8055", sim.UIHeaderLogin},
		{"VersaLinkB415", sim.FamilyConnectKey, "VersaLink B415", sim.UIHeaderLogin},
		{"VersaLink", sim.FamilyVersaLink, "VersaLink C405", ""},
		{"FujiXerox", sim.FamilyFujiXerox, "WorkCentre 6605", ""},
	} {
		b.Run(fam.name, func(b *testing.B) {
			c := suite(b, fam.family, fam.model)
			c.UI = fam.ui
			e := drivertest.NewEnv(b, c)
			// Devices are made before the clock starts.
			tgts := make([]drivers.Target, b.N)
			for i := range tgts {
				_, t := e.Device(b, sim.DeviceOptions{})
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
				if i == b.N-1 {
					b.Logf("last push: %v", r.Steps)
				}
			}
			el := time.Since(start)
			b.ReportMetric(float64(b.N)/el.Minutes(), "devices/min")
		})
	}
}
