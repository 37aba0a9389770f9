package rollout_test

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// TestPushFleetWithFaults is the end-to-end test of issue 5: twelve
// simulated Xerox devices of the three families with faults, pushed at
// Parallel 3 with confirmation, then re-run, then a scan confirms a
// device without a test action, then every secret is looked for in the
// database, logs, artifacts and JSON.
//
//	.1  AltaLink C8045  slow pages, serial number as admin password
//	.2  AltaLink C8070  reboots on every save (until "fixed" before the re-run)
//	.3  WorkCentre 7556 TLS 1.0 only: cannot reach Gmail
//	.4  VersaLink C405  session dropped once (cleared after the first failure); connection test only
//	.5  WorkCentre 6515 admin password nobody told us
//	.6  WorkCentre 6605 no test e-mail: connection test only
//	.7  WorkCentre 3615 admin password configured in fleet.toml; connection test only
//	.8  WorkCentre 6015 no test e-mail: connection test only
//	.9  WorkCentre 4250 legacy web admin: no driver, planned as a skip
//	.10 VersaLink B415  ConnectKey pages with the header login dialog
//	.11 AltaLink C8055  header login dialog; reboots once mid-write (recovered by a retry)
//	.12 AltaLink C8045  configured admin password
func TestPushFleetWithFaults(t *testing.T) {
	a := func(last int) netip.Addr { return netip.AddrFrom4([4]byte{127, 0, 60, byte(last)}) }
	cfgAdmin7, cfgAdmin12 := "Cfg-Admin-Secret-77", "Cfg-Admin-Secret-12"
	unknownAdmin := "Nobody-Knows-This-55"
	e := newPushEnv(t, "127.0.60.1", 12, sim.FleetOptions{
		Faults: map[netip.Addr]sim.Faults{
			a(1):  {Slow: 150 * time.Millisecond},
			a(2):  {RebootOnSave: time.Second},
			a(4):  {DropSessionAfter: 3},
			a(11): {RebootOnSave: 500 * time.Millisecond},
		},
		SMTPTLS: map[netip.Addr]string{a(12): sim.SMTPTLS12},
		AdminPasswords: map[netip.Addr]config.Secret{
			a(7): config.NewSecret(cfgAdmin7), a(12): config.NewSecret(cfgAdmin12),
		},
	})
	e.web(4).SetAdminPassword(unknownAdmin)
	ctx := context.Background()

	// Faults that go away after they bit once.
	var once sync.Map
	heal := func(ev rollout.Event) {
		if ev.Kind != rollout.EventStep || ev.Status != inventory.StepFailed {
			return
		}
		for _, i := range []int{3, 10} {
			if ev.Device == e.addr(i) {
				if _, done := once.LoadOrStore(i, true); !done {
					e.web(i).SetFaults(sim.Faults{})
				}
			}
		}
	}
	var evs pushEvents
	evs.on = heal
	o := e.options()
	o.Select = rollout.Selector{Sites: []string{"simulated"}}
	o.Progress = evs.add
	sum, err := rollout.Push(ctx, o)
	if !errors.Is(err, rollout.ErrSomeFailed) || !errors.Is(err, rollout.ErrAdminLogin) {
		t.Fatalf("want ErrSomeFailed and ErrAdminLogin, got %v\n%s", err, pushJSON(t, sum))
	}
	res := pushByIP(sum)
	want := map[int]struct{ status, step, says string }{
		0:  {rollout.StatusConfirmed, "", ""},
		1:  {rollout.StatusFailed, "", "gave up after 3 attempts"},
		2:  {rollout.StatusFailed, inventory.StepTest, "tls"},
		3:  {rollout.StatusConnectionTested, "", "connection test passed"},
		4:  {rollout.StatusFailed, inventory.StepLogin, "fleet.toml"},
		5:  {rollout.StatusConnectionTested, "", "connection test passed"},
		6:  {rollout.StatusConnectionTested, "", "connection test passed"},
		7:  {rollout.StatusConnectionTested, "", "connection test passed"},
		8:  {rollout.StatusSkipped, "", "no driver for the Xerox WorkCentre 4250"},
		9:  {rollout.StatusConfirmed, "", ""}, // a VersaLink by name, pushed through the ConnectKey pages
		10: {rollout.StatusConfirmed, "", ""},
		11: {rollout.StatusConfirmed, "", ""},
	}
	for i, w := range want {
		r := res[e.addr(i)]
		if r.Status != w.status || (w.step != "" && r.FailedStep != w.step) || !strings.Contains(strings.ToLower(r.Reason), strings.ToLower(w.says)) {
			t.Errorf("%s: %s at %q: %s\n  want %s at %q saying %q", e.addr(i), r.Status, r.FailedStep, r.Reason, w.status, w.step, w.says)
		}
		if r.Status == rollout.StatusFailed && !strings.Contains(r.Reason, e.addr(i)) {
			t.Errorf("%s: the reason does not name the device: %s", e.addr(i), r.Reason)
		}
	}
	if r := res[e.addr(9)]; r.Family != "xerox/connectkey" {
		t.Errorf("%s (VersaLink B415): family %q, want the page's xerox/connectkey", e.addr(9), r.Family)
	}
	// Connection-tested: the device's connection test passed, it sent no
	// test e-mail, and the inventory says what it is.
	for _, i := range []int{3, 5} {
		h, err := e.db.Holding(ctx, e.deviceID(t, i))
		if err != nil || !h.HasLimit(inventory.LimitConnectionTestOnly) || !h.LastTestOK || !h.ConfirmedAt.IsZero() {
			t.Errorf("%s: connection-tested holding %+v %v", e.addr(i), h, err)
		}
		if n := pushTestJobs(e.web(i)); n != 0 {
			t.Errorf("%s: %d test e-mails sent by a device that has none", e.addr(i), n)
		}
	}
	if r := res[e.addr(3)]; r.Attempts < 2 {
		t.Errorf("the dropped session was not retried: %+v", r)
	}
	if r := res[e.addr(10)]; r.Attempts < 2 {
		t.Errorf("the reboot mid-write was not retried: %+v", r)
	}
	for _, i := range []int{6, 11} {
		if got := res[e.addr(i)].AdminLogin; got != inventory.AdminConfigured {
			t.Errorf("%s: admin login %q, want configured", e.addr(i), got)
		}
	}
	// The wrong admin password: within the budget, not locked.
	if n, locked := e.web(4).FailedLogins(), e.web(4).LockedOut(); n != 2 || locked {
		t.Errorf("%s: %d failed logins on the device, locked %v (want 2, not locked)", e.addr(4), n, locked)
	}
	pushCheckJournal(t, e, sum)

	// Re-run after the rebooting device was fixed: only the failed ones
	// are touched, the wrong password is not tried again.
	e.web(1).SetFaults(sim.Faults{})
	jobsBefore := map[int]int{}
	for i := range 12 {
		if w := e.web(i); w != nil {
			jobsBefore[i] = pushTestJobs(w)
		}
	}
	o.Progress = nil
	sum2, err := rollout.Push(ctx, o)
	if !errors.Is(err, rollout.ErrSomeFailed) {
		t.Fatalf("re-run: %v", err)
	}
	res2 := pushByIP(sum2)
	for i := range 12 {
		r := res2[e.addr(i)]
		switch i {
		case 1:
			if r.Status != rollout.StatusConfirmed {
				t.Errorf("re-run: %s: %s %s", e.addr(i), r.Status, r.Reason)
			}
		case 2:
			if r.Status != rollout.StatusFailed {
				t.Errorf("re-run: %s: %s %s", e.addr(i), r.Status, r.Reason)
			}
		case 4:
			if r.Status != rollout.StatusFailed || r.Attempts != 0 || !strings.Contains(r.Reason, "not tried") {
				t.Errorf("re-run: %s: %+v", e.addr(i), r)
			}
		default:
			if r.Status != rollout.StatusSkipped {
				t.Errorf("re-run: %s: %s %s (want skipped)", e.addr(i), r.Status, r.Reason)
			}
			if w := e.web(i); w != nil && pushTestJobs(w) != jobsBefore[i] {
				t.Errorf("re-run: %s: test sent again", e.addr(i))
			}
		}
	}
	if n, locked := e.web(4).FailedLogins(), e.web(4).LockedOut(); n != 2 || locked {
		t.Errorf("after the re-run %s: %d failed logins, locked %v", e.addr(4), n, locked)
	}
	pushCheckJournal(t, e, sum2)

	// A person scans a page to the address the push named for .6: test
	// --wait confirms it.
	addr6 := res[e.addr(5)].TestAddress
	if !strings.Contains(addr6, "+mfp-") {
		t.Fatalf("no test address for %s: %+v", e.addr(5), res[e.addr(5)])
	}
	if job := e.web(5).ScanToEmail(ctx, addr6); !job.OK {
		t.Fatalf("scan: %+v", job)
	}
	to := e.options()
	to.Select = rollout.Selector{IPs: []string{e.addr(5)}}
	to.Wait = true
	sum3, err := rollout.Test(ctx, to)
	if err != nil || sum3.Counts.Confirmed != 1 {
		t.Fatalf("test --wait: %v\n%s", err, pushJSON(t, sum3))
	}
	h, err := e.db.Holding(ctx, e.deviceID(t, 5))
	if err != nil || h.ConfirmedAt.IsZero() || h.CredentialID != sum.Credential.ID {
		t.Errorf("holding after the scan: %+v %v", h, err)
	}

	// Secrets: nowhere.
	pushGrepSecrets(t, e, []string{e.pw.Reveal(), e.pw.Spaced(), cfgAdmin7, cfgAdmin12, unknownAdmin},
		pushJSON(t, sum), pushJSON(t, sum2), pushJSON(t, sum3), pushJSON(t, evs.all()))
}

// pushCheckJournal checks that every device of the run has a final
// status and every step ended.
func pushCheckJournal(t *testing.T, e *pushEnv, sum rollout.Summary) {
	t.Helper()
	ctx := context.Background()
	run, err := e.db.GetRun(ctx, sum.RunID)
	if err != nil || !run.Finished() || run.Status != sum.Status {
		t.Errorf("run %d: %+v %v", sum.RunID, run, err)
	}
	rds, err := e.db.RunDevices(ctx, sum.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rds) != len(sum.Devices) {
		t.Errorf("run %d journals %d devices, summary has %d", sum.RunID, len(rds), len(sum.Devices))
	}
	for _, rd := range rds {
		if rd.Status == inventory.DeviceRunning || rd.Status == inventory.DevicePending {
			t.Errorf("run %d: device %d left %s", sum.RunID, rd.DeviceID, rd.Status)
		}
		if rd.Status == inventory.DeviceFailed && rd.Error == "" {
			t.Errorf("run %d: device %d failed without a reason", sum.RunID, rd.DeviceID)
		}
	}
	steps, err := e.db.Steps(ctx, sum.RunID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if s.Status == inventory.StepRunning || s.FinishedAt.IsZero() {
			t.Errorf("run %d: device %d step %s never finished", sum.RunID, s.DeviceID, s.Step)
		}
		if s.Status == inventory.StepFailed && s.Error == "" {
			t.Errorf("run %d: device %d step %s failed without an error", sum.RunID, s.DeviceID, s.Step)
		}
	}
}

// pushGrepSecrets looks for each secret in the inventory files, the
// captured logs, every artifact and the given texts.
func pushGrepSecrets(t *testing.T, e *pushEnv, secrets []string, texts ...string) {
	t.Helper()
	type blob struct {
		name string
		data []byte
	}
	var blobs []blob
	for _, suf := range []string{"", "-wal", "-shm", "-journal"} {
		if b, err := os.ReadFile(e.cfg.Inventory.Path + suf); err == nil {
			blobs = append(blobs, blob{filepath.Base(e.cfg.Inventory.Path) + suf, b})
		}
	}
	if len(blobs) == 0 {
		t.Fatal("no inventory file to grep")
	}
	nArt := 0
	_ = filepath.Walk(e.cfg.Rollout.ArtifactsDir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(p)
			blobs = append(blobs, blob{p, b})
			nArt++
		}
		return nil
	})
	if nArt == 0 {
		t.Error("no artifacts saved: the grep over screenshots and HTML excerpts proves nothing")
	}
	blobs = append(blobs, blob{"logs", []byte(e.logs.String())})
	for i, s := range texts {
		blobs = append(blobs, blob{"text " + string(rune('A'+i)), []byte(s)})
	}
	for _, b := range blobs {
		for _, s := range secrets {
			if s != "" && strings.Contains(string(b.data), s) {
				t.Errorf("secret %q… found in %s", s[:3], b.name)
			}
		}
	}
}
