package inventory

import (
	"context"
	"fmt"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices"
	"time"
)

// BenchmarkUpsertDevice measures discovery bookkeeping: each iteration
// records one sighting, cycling over a fleet of 1000 devices, so after the
// first 1000 most are re-discoveries (update + address history).
func BenchmarkUpsertDevice(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	const fleet = 1000
	devs := make([]struct{ ip, serial string }, fleet)
	for i := range devs {
		devs[i].ip = fmt.Sprintf("127.0.%d.%d", 62+i/250, 1+i%250)
		devs[i].serial = fmt.Sprintf("3TB%06d", i)
	}
	seen := t0
	for i := 0; b.Loop(); i++ {
		d := devs[i%fleet]
		seen = seen.Add(time.Second)
		if _, _, err := db.UpsertDevice(ctx, xerox(d.ip, d.serial, ""), seen); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "upserts/s")
}

// BenchmarkUpsertDevices measures a whole discovery of 250 devices
// recorded in one transaction (devices/s = 250 × ops/s).
func BenchmarkUpsertDevices(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	batch := make([]devices.Device, 250)
	for i := range batch {
		batch[i] = xerox(fmt.Sprintf("127.0.62.%d", 1+i), fmt.Sprintf("3TB%06d", i), "")
	}
	seen := t0
	for b.Loop() {
		seen = seen.Add(time.Second)
		if _, err := db.UpsertDevices(ctx, batch, seen); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "devices/s")
}

// BenchmarkRecordStep measures one committed journal step.
func BenchmarkRecordStep(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	dev, _, err := db.UpsertDevice(ctx, xerox("127.0.62.1", "3TB000001", ""), t0)
	if err != nil {
		b.Fatal(err)
	}
	run, err := db.StartRun(ctx, RunPush, 0, nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := db.RecordStep(ctx, Step{RunID: run, DeviceID: dev, Step: StepWrite, Status: StepOK}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkAuditRows measures the audit query over 500 devices with
// holdings.
func BenchmarkAuditRows(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	cred, _, err := db.AddCredential(ctx, "scan@example.com", "MFP site HQ", db.Fingerprint("abcdefghijklmnop"))
	if err != nil {
		b.Fatal(err)
	}
	for i := range 500 {
		id, _, err := db.UpsertDevice(ctx, xerox(fmt.Sprintf("127.0.%d.%d", 62+i/250, 1+i%250), fmt.Sprintf("3TB%06d", i), ""), t0)
		if err != nil {
			b.Fatal(err)
		}
		if err := db.SetHolding(ctx, Holding{DeviceID: id, CredentialID: cred.ID, Account: "scan@example.com", PushedAt: t0}); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		rows, err := db.AuditRows(ctx, Filter{})
		if err != nil || len(rows) != 500 {
			b.Fatal(len(rows), err)
		}
	}
}

// BenchmarkLease measures what the per-device lease adds to a push: one
// acquire and one release per device (two short write transactions).
func BenchmarkLease(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	ids := make([]int64, 100)
	for i := range ids {
		id, _, err := db.UpsertDevice(ctx, xerox(fmt.Sprintf("127.0.62.%d", i+1), fmt.Sprintf("3TB9%05d", i), ""), time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = id
	}
	h := NewLeaseHolder(1)
	for i := 0; b.Loop(); i++ {
		id := ids[i%len(ids)]
		if err := db.AcquireLease(ctx, id, h, 1, time.Minute); err != nil {
			b.Fatal(err)
		}
		if err := db.ReleaseLease(ctx, id, h); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "devices/s")
}
