package rollout_test

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/inventory/pgtest"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// TestPushTwoSitesOnePostgres runs two pushes at once, as two technicians'
// laptops at two sites would, into one real PostgreSQL inventory: each
// through its own connection pool, each selecting its own site. Nothing is
// lost or counted twice: one credential, two runs, each device in its run
// once with one attempt, one test message per device, holdings naming the
// run that pushed them, and no lease left behind.
func TestPushTwoSitesOnePostgres(t *testing.T) {
	modern := map[netip.Addr]string{}
	for a := netip.MustParseAddr("127.0.67.1"); a.Less(netip.MustParseAddr("127.0.67.5")); a = a.Next() {
		modern[a] = sim.SMTPTLS12 // some models' firmware cannot reach Gmail
	}
	e := newPushEnv(t, "127.0.67.1", 4, sim.FleetOptions{SMTPTLS: modern})
	ctx := context.Background()
	url := pgtest.Private(t).URL("postgres")

	sites := []string{"north", "north", "south", "south"}
	var laptops [2]*inventory.DB
	for i := range laptops {
		db, err := inventory.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		laptops[i] = db
	}
	for i, d := range e.fleet.Devices {
		id := d.Identity
		id.Site = sites[i]
		if _, _, err := laptops[i%2].UpsertDevice(ctx, id, time.Now()); err != nil {
			t.Fatal(err)
		}
	}

	var wg sync.WaitGroup
	sums := make([]rollout.Summary, 2)
	errs := make([]error, 2)
	for i, site := range []string{"north", "south"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := e.options()
			o.DB = laptops[i]
			o.Parallel = 2
			o.Select = rollout.Selector{Sites: []string{site}}
			sums[i], errs[i] = rollout.Push(ctx, o)
		}()
	}
	wg.Wait()
	for i := range sums {
		// Confirmed by test e-mail, or (the VersaLink) connection-tested.
		if errs[i] != nil || sums[i].Counts.Confirmed+sums[i].Counts.ConnectionTested != 2 {
			t.Fatalf("site %d: push: %v\n%s", i, errs[i], pushJSON(t, sums[i]))
		}
	}
	if sums[0].RunID == sums[1].RunID {
		t.Fatalf("both pushes got run %d", sums[0].RunID)
	}
	if sums[0].Credential.ID != sums[1].Credential.ID {
		t.Errorf("one app password registered twice: credentials %d and %d", sums[0].Credential.ID, sums[1].Credential.ID)
	}
	db := laptops[0]
	runs, err := db.Runs(ctx, 0)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs = %d, %v; want 2", len(runs), err)
	}
	for i, s := range sums {
		rds, err := db.RunDevices(ctx, s.RunID)
		if err != nil || len(rds) != 2 {
			t.Fatalf("run %d: %d devices, %v; want 2", s.RunID, len(rds), err)
		}
		for _, rd := range rds {
			dev, err := db.GetDevice(ctx, rd.DeviceID)
			if err != nil {
				t.Fatal(err)
			}
			// The VersaLink has only a connection test: it sends nothing.
			connOnly := rd.Status == inventory.DeviceConnectionTested
			if dev.Site != []string{"north", "south"}[i] || rd.Attempts != 1 || (rd.Status != inventory.DeviceConfirmed && !connOnly) {
				t.Errorf("run %d: device %s (site %s): %+v", s.RunID, dev.IP, dev.Site, rd)
			}
			h, err := db.Holding(ctx, rd.DeviceID)
			if err != nil || h.RunID != s.RunID || (h.ConfirmedAt.IsZero() && !(connOnly && h.LastTestOK)) {
				t.Errorf("device %s: holding %+v, %v", dev.IP, h, err)
			}
			want := 1
			if connOnly {
				want = 0
			}
			if n := e.testMessages(dev.Serial); n != want {
				t.Errorf("%s: %d test messages, want %d (pushed once)", dev.IP, n, want)
			}
		}
	}
	if ls, err := db.Leases(ctx); err != nil || len(ls) != 0 {
		t.Errorf("leases left after both runs: %+v, %v", ls, err)
	}
	rows, err := laptops[1].AuditRows(ctx, inventory.Filter{Site: "South"})
	if err != nil || len(rows) != 2 {
		t.Fatalf("audit of site south: %d rows, %v", len(rows), err)
	}
}

// TestPushSkipsADeviceLeasedElsewhere: a device another run holds the
// lease of is not touched, left pending with the holder named, and the
// rest of the run proceeds.
func TestPushSkipsADeviceLeasedElsewhere(t *testing.T) {
	e := newPushEnv(t, "127.0.67.11", 2, sim.FleetOptions{})
	ctx := context.Background()
	busy := e.deviceID(t, 0)
	other := inventory.NewLeaseHolder(999)
	if err := e.db.AcquireLease(ctx, busy, other, 999, time.Hour); err != nil {
		t.Fatal(err)
	}
	o := e.options()
	o.Select = rollout.Selector{All: true}
	sum, _ := rollout.Push(ctx, o)
	res := pushByIP(sum)
	if r := res[e.addr(0)]; r.Status != rollout.StatusPending || !strings.Contains(r.Reason, "pid") {
		t.Errorf("leased device: %+v", r)
	}
	if r := res[e.addr(1)]; r.Status != rollout.StatusConfirmed {
		t.Errorf("free device: %+v", r)
	}
	if pushTestJobs(e.web(0)) != 0 || e.web(0).SMTP().Server == "smtp.gmail.com" {
		t.Error("the leased device was written to")
	}
	ls, err := e.db.Leases(ctx)
	if err != nil || len(ls) != 1 || ls[0].Holder != other {
		t.Errorf("leases after the run: %+v, %v (want only the other run's)", ls, err)
	}
}
