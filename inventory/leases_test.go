package inventory

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLeaseRace has many runs, through two handles (two processes as far
// as the database can tell), race for the same devices: each device is won
// by exactly one holder, the losers are told who holds it, and a released
// or lapsed lease can be taken.
func TestLeaseRace(t *testing.T) {
	ctx := context.Background()
	target := testTarget(t)
	var handles [2]*DB
	for i := range handles {
		db, err := Open(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		handles[i] = db
	}
	const devs, runs = 20, 6
	ids := make([]int64, devs)
	for i := range ids {
		id, _, err := handles[0].UpsertDevice(ctx, xerox(fmt.Sprintf("127.0.62.%d", i+1), fmt.Sprintf("3TB2%05d", i), ""), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	holders := make([]string, runs)
	for r := range holders {
		holders[r] = NewLeaseHolder(int64(r + 1))
	}
	winners := make([]atomic.Int32, devs)
	var wg sync.WaitGroup
	errs := make(chan error, runs*devs)
	for r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := handles[r%2]
			for i, id := range ids {
				err := db.AcquireLease(ctx, id, holders[r], int64(r+1), time.Hour)
				switch {
				case err == nil:
					winners[i].Add(1)
				case errors.Is(err, ErrLeased):
					if !strings.Contains(err.Error(), "pid") {
						errs <- fmt.Errorf("lease error does not name the holder: %v", err)
					}
				default:
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := range winners {
		if n := winners[i].Load(); n != 1 {
			t.Errorf("device %d leased by %d runs at once, want 1", ids[i], n)
		}
	}
	ls, err := handles[1].Leases(ctx)
	if err != nil || len(ls) != devs {
		t.Fatalf("Leases = %d, %v; want %d", len(ls), err, devs)
	}
	// The holder renews its own leases; another holder still cannot take them.
	h := ls[0].Holder
	if err := handles[0].AcquireLease(ctx, ls[0].DeviceID, h, ls[0].RunID, time.Hour); err != nil {
		t.Errorf("holder could not renew its own lease: %v", err)
	}
	if _, err := handles[0].RenewLeases(ctx, h, time.Hour); err != nil {
		t.Fatal(err)
	}
	other := NewLeaseHolder(99)
	if err := handles[1].AcquireLease(ctx, ls[0].DeviceID, other, 99, time.Hour); !errors.Is(err, ErrLeased) {
		t.Fatalf("another run took a held lease: %v", err)
	}
	// Released: free for the next run.
	if err := handles[0].ReleaseLeases(ctx, h); err != nil {
		t.Fatal(err)
	}
	if err := handles[1].AcquireLease(ctx, ls[0].DeviceID, other, 99, time.Hour); err != nil {
		t.Fatalf("released lease not free: %v", err)
	}
	// A run that dies stops renewing: its lease lapses on the database's
	// clock and another run takes the device.
	dead := NewLeaseHolder(100)
	if err := handles[0].ReleaseLease(ctx, ids[1], ls[1].Holder); err != nil {
		t.Fatal(err)
	}
	if err := handles[0].AcquireLease(ctx, ids[1], dead, 100, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := handles[1].AcquireLease(ctx, ids[1], other, 99, time.Hour)
		if err == nil {
			break
		}
		if !errors.Is(err, ErrLeased) || time.Now().After(deadline) {
			t.Fatalf("lapsed lease never freed: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestResumeRefusesARunStillRunning: on a shared inventory, --resume must
// not pick up a run another laptop is still running (it holds leases).
func TestResumeRefusesARunStillRunning(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	dev, _, err := db.UpsertDevice(ctx, xerox("127.0.62.100", "3TB200100", ""), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.StartRun(ctx, RunPush, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := NewLeaseHolder(run)
	if err := db.AcquireLease(ctx, dev, h, run, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LastUnfinishedRun(ctx, RunPush); !errors.Is(err, ErrLeased) || !strings.Contains(err.Error(), "still running") {
		t.Fatalf("LastUnfinishedRun of a live run: %v", err)
	}
	if err := db.ReleaseLeases(ctx, h); err != nil {
		t.Fatal(err)
	}
	if r, err := db.LastUnfinishedRun(ctx, RunPush); err != nil || r.ID != run {
		t.Fatalf("after the run stopped: %+v, %v", r, err)
	}
}

// TestFailedLoginsAcrossRuns: runs on two handles (two laptops) record
// failed logins on a device neither has seen yet, all at once: one device
// record, every failure counted once.
func TestFailedLoginsAcrossRuns(t *testing.T) {
	ctx := context.Background()
	target := testTarget(t)
	var handles [2]*DB
	for i := range handles {
		db, err := Open(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		handles[i] = db
	}
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := handles[w%2].LoginLedger()
			for range each {
				if err := l.RecordLoginAttempt(ctx, "serial:3TB2NEW01", AdminDefault1111, "admin", false, "denied"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	ds, err := handles[0].ListDevices(ctx, Filter{})
	if err != nil || len(ds) != 1 {
		t.Fatalf("%d device records, %v; want 1", len(ds), err)
	}
	n, byKind, err := handles[1].LoginLedger().FailedLogins(ctx, "serial:3TB2NEW01")
	if err != nil || n != workers*each || byKind[AdminDefault1111] != workers*each {
		t.Errorf("failed logins %d %v, %v; want %d", n, byKind, err, workers*each)
	}
}

// TestConcurrentDiscoveryOfOneDevice: two sites' discoveries record the
// same new printer (by serial) at the same moment: one record, no error.
func TestConcurrentDiscoveryOfOneDevice(t *testing.T) {
	ctx := context.Background()
	target := testTarget(t)
	var handles [2]*DB
	for i := range handles {
		db, err := Open(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		handles[i] = db
	}
	for round := range 5 {
		serial := fmt.Sprintf("3TB2RACE%d", round)
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		ids := make(chan int64, 16)
		for w := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				id, _, err := handles[w%2].UpsertDevice(ctx, xerox(fmt.Sprintf("127.0.62.%d", 150+w), serial, ""), time.Time{})
				if err != nil {
					errs <- err
					return
				}
				ids <- id
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		close(ids)
		for err := range errs {
			t.Fatal(err)
		}
		first := int64(0)
		for id := range ids {
			if first == 0 {
				first = id
			}
			if id != first {
				t.Fatalf("round %d: one serial recorded as devices %d and %d", round, first, id)
			}
		}
	}
}

// TestResumeAfterTheRunDied: a run killed on this machine leaves leases
// behind; --resume takes the run over at once and frees its devices.
func TestResumeAfterTheRunDied(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	dev, _, err := db.UpsertDevice(ctx, xerox("127.0.62.101", "3TB200101", ""), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.StartRun(ctx, RunPush, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	host, _ := os.Hostname()
	dead := fmt.Sprintf("%s pid %d run %d #deadbeef", host, cmd.Process.Pid, run)
	if err := db.AcquireLease(ctx, dev, dead, run, time.Hour); err != nil {
		t.Fatal(err)
	}
	if r, err := db.LastUnfinishedRun(ctx, RunPush); err != nil || r.ID != run {
		t.Fatalf("resume after the run died: %+v, %v", r, err)
	}
	if err := db.AcquireLease(ctx, dev, NewLeaseHolder(run), run, time.Hour); err != nil {
		t.Errorf("the dead run's lease was not freed: %v", err)
	}
}
