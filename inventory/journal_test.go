package inventory

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
)

func TestJournal(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	dev, _, err := db.UpsertDevice(ctx, xerox("127.0.60.70", "3TB000070", ""), day(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LastUnfinishedRun(ctx, RunPush); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LastUnfinishedRun on empty journal: %v", err)
	}
	type params struct {
		Site     string        `json:"site"`
		Parallel int           `json:"parallel"`
		Password config.Secret `json:"password"`
	}
	r1, err := db.StartRun(ctx, RunPush, 0, params{Site: "HQ", Parallel: 4, Password: config.NewSecret("zzzzyyyyxxxxwwww")})
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.GetRun(ctx, r1)
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(run.Params, &p); err != nil {
		t.Fatal(err)
	}
	if p["site"] != "HQ" || p["password"] != "**redacted**" || run.Status != RunRunning || run.Finished() {
		t.Errorf("run %+v params %v", run, p)
	}
	if _, err := db.StartRun(ctx, RunPush, 0, json.RawMessage(`{not json`)); err == nil {
		t.Error("invalid params JSON accepted")
	}

	steps := []Step{
		{Step: StepLogin, Status: StepOK, StartedAt: day(0), FinishedAt: day(0).Add(1500 * time.Millisecond)},
		{Step: StepRead, Status: StepOK},
		{Step: StepWrite, Status: StepFailed, Error: "127.0.60.70: write: page timed out", Artifact: "/tmp/shot.png"},
	}
	for i, s := range steps {
		s.RunID, s.DeviceID = r1, dev
		if _, err := db.RecordStep(ctx, s); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	open, err := db.RecordStep(ctx, Step{RunID: r1, DeviceID: dev, Step: StepWrite})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishStep(ctx, open, StepOK, "", ""); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishStep(ctx, 9999, StepOK, "", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("FinishStep of a missing step: %v", err)
	}
	if _, err := db.RecordStep(ctx, Step{RunID: r1, Step: StepLogin}); err == nil {
		t.Error("step without device accepted")
	}
	got, err := db.Steps(ctx, r1, dev)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d steps, want 4", len(got))
	}
	if got[0].Duration != 1500*time.Millisecond || got[2].Error == "" || got[2].Artifact != "/tmp/shot.png" ||
		got[3].Status != StepOK || got[3].FinishedAt.IsZero() || got[1].FinishedAt.IsZero() {
		t.Errorf("steps %+v", got)
	}

	for _, st := range []string{DevicePending, DeviceRunning, DeviceFailed, DeviceRunning, DeviceConfirmed} {
		if err := db.SetRunDevice(ctx, r1, dev, st, ""); err != nil {
			t.Fatal(err)
		}
	}
	rds, err := db.RunDevices(ctx, r1)
	if err != nil {
		t.Fatal(err)
	}
	if len(rds) != 1 || rds[0].Status != DeviceConfirmed || rds[0].Attempts != 2 {
		t.Errorf("run devices %+v", rds)
	}

	r2, err := db.StartRun(ctx, RunTest, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	last, err := db.LastUnfinishedRun(ctx, RunPush)
	if err != nil || last.ID != r1 {
		t.Errorf("LastUnfinishedRun(push) = %d, %v; want %d", last.ID, err, r1)
	}
	if err := db.FinishRun(ctx, r1, RunInterrupted); err != nil {
		t.Fatal(err)
	}
	if last, err := db.LastUnfinishedRun(ctx, RunPush); err != nil || last.ID != r1 {
		t.Errorf("an interrupted run is resumable: %d, %v", last.ID, err)
	}
	if err := db.ReopenRun(ctx, r1); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishRun(ctx, r1, RunSucceeded); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LastUnfinishedRun(ctx, RunPush); !errors.Is(err, ErrNotFound) {
		t.Errorf("finished run still resumable: %v", err)
	}
	if err := db.FinishRun(ctx, 999, RunFailed); !errors.Is(err, ErrNotFound) {
		t.Errorf("finishing a missing run: %v", err)
	}
	runs, err := db.Runs(ctx, 0)
	if err != nil || len(runs) != 2 || runs[0].ID != r2 {
		t.Errorf("Runs = %+v, %v", runs, err)
	}
	if runs, _ := db.Runs(ctx, 1); len(runs) != 1 {
		t.Errorf("Runs(limit 1) = %d runs", len(runs))
	}
}

// TestConcurrentWriters drives the journal from many goroutines and two
// DB handles on one file (two processes, as far as SQLite can tell): no
// write may fail with SQLITE_BUSY, none may be lost.
func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	path := testTarget(t)
	var handles [2]*DB
	for i := range handles {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		handles[i] = db
	}
	const workers, perWorker = 8, 200
	run, err := handles[0].StartRun(ctx, RunPush, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := handles[w%2]
			d := xerox(fmt.Sprintf("127.0.61.%d", w+1), fmt.Sprintf("3TB1%05d", w), "")
			dev, _, err := db.UpsertDevice(ctx, d, time.Time{})
			if err != nil {
				errs <- err
				return
			}
			for i := range perWorker {
				if _, err := db.RecordStep(ctx, Step{RunID: run, DeviceID: dev, Step: StepWrite, Status: StepOK}); err != nil {
					errs <- fmt.Errorf("worker %d step %d: %w", w, i, err)
					return
				}
				if i%20 == 0 {
					if err := db.SetRunDevice(ctx, run, dev, DeviceRunning, ""); err != nil {
						errs <- err
						return
					}
					if _, _, err := db.UpsertDevice(ctx, d, time.Time{}); err != nil {
						errs <- err
						return
					}
					if _, err := db.AuditRows(ctx, Filter{}); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	steps, err := handles[1].Steps(ctx, run, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != workers*perWorker {
		t.Errorf("%d steps recorded, want %d", len(steps), workers*perWorker)
	}
	rds, err := handles[0].RunDevices(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	for _, rd := range rds {
		if rd.Attempts != perWorker/20 {
			t.Errorf("device %d: %d attempts, want %d", rd.DeviceID, rd.Attempts, perWorker/20)
		}
	}
}

const childEnv = "MFPFLEET_INVENTORY_KILL_CHILD"

// TestJournalKillChild is the child half of TestJournalSurvivesKill: it
// writes steps forever, printing each step's ID once RecordStep returned.
func TestJournalKillChild(t *testing.T) {
	path := os.Getenv(childEnv)
	if path == "" {
		t.Skip("helper process for TestJournalSurvivesKill")
	}
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	run, err := db.StartRun(ctx, RunPush, 0, map[string]string{"site": "HQ"})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	dev, _, err := db.UpsertDevice(ctx, devices.Device{IP: "127.0.60.80", Serial: "3TB000080"}, time.Time{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	fmt.Printf("run %d\n", run)
	for i := 0; ; i++ {
		if err := db.SetRunDevice(ctx, run, dev, DeviceRunning, ""); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		id, err := db.RecordStep(ctx, Step{RunID: run, DeviceID: dev, Step: StepWrite, Status: StepOK, Error: strconv.Itoa(i)})
		if err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Printf("step %d\n", id)
	}
}

// TestJournalSurvivesKill runs a child process that journals steps,
// SIGKILLs it mid-stream, and checks that every step the child saw
// committed is in the file, and that the run is resumable.
func TestJournalSurvivesKill(t *testing.T) {
	path := testTarget(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestJournalKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var run int64
	var committed []int64
	sc := bufio.NewScanner(out)
	deadline := time.AfterFunc(60*time.Second, func() { _ = cmd.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		var what string
		var id int64
		if _, err := fmt.Sscanf(sc.Text(), "%s %d", &what, &id); err != nil {
			t.Logf("child: %s", sc.Text())
			continue
		}
		switch what {
		case "run":
			run = id
		case "step":
			committed = append(committed, id)
		}
		if len(committed) == 300 {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	// Drain whatever the child printed before the signal landed.
	for sc.Scan() {
		var id int64
		if _, err := fmt.Sscanf(sc.Text(), "step %d", &id); err == nil {
			committed = append(committed, id)
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die of SIGKILL: %v (committed %d steps)", err, len(committed))
	}
	if len(committed) < 300 {
		t.Fatalf("child committed only %d steps", len(committed))
	}

	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	steps, err := db.Steps(ctx, run, 0)
	if err != nil {
		t.Fatal(err)
	}
	have := map[int64]bool{}
	for _, s := range steps {
		have[s.ID] = true
	}
	for _, id := range committed {
		if !have[id] {
			t.Errorf("step %d was committed before the kill but is missing", id)
		}
	}
	// At most the one step in flight may exist beyond what was reported.
	if len(steps) > len(committed)+1 {
		t.Errorf("%d steps in the file, %d reported", len(steps), len(committed))
	}
	last, err := db.LastUnfinishedRun(ctx, RunPush)
	if err != nil || last.ID != run {
		t.Errorf("killed run not resumable: %d, %v", last.ID, err)
	}
	rds, err := db.RunDevices(ctx, run)
	if err != nil || len(rds) != 1 || rds[0].Attempts < len(committed) {
		t.Errorf("run device after kill: %+v, %v", rds, err)
	}
	t.Logf("%d steps committed before SIGKILL, all present", len(committed))
}
