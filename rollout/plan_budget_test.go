package rollout_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// TestPlanLoginBudgetPerFamily (issue 10 §2.13): a stale vault password
// and a factory default no longer use up a VersaLink's budget (its
// firmware locks after 5, the budget is 3); once the budget is used up,
// the plan says to retry the fixed [[credentials]] password with
// --retry-configured, which then plans the device; one failure later,
// only a power-cycle is left.
func TestPlanLoginBudgetPerFamily(t *testing.T) {
	ctx := context.Background()
	db, err := inventory.Open(ctx, filepath.Join(t.TempDir(), "fleet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const ip = "127.0.69.20"
	dev := devices.Device{IP: ip, Vendor: "xerox", Model: "VersaLink C405", Serial: "3391389804", Family: "xerox/versalink", IsPrinter: true}
	if _, _, err := db.UpsertDevice(ctx, dev, time.Now()); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MFP_TEST_ADMIN_PW", "the-fixed-password")
	cfg := config.Default()
	cfg.Gmail.Account = "scans@example.com"
	cfg.Credentials = []config.AdminLogin{{Address: ip, User: "admin", PasswordEnv: "MFP_TEST_ADMIN_PW"}}
	led := db.LoginLedger()
	fail := func(kind string) {
		t.Helper()
		if err := led.RecordLoginAttempt(ctx, dev.Key(), kind, "admin", false, "refused"); err != nil {
			t.Fatal(err)
		}
	}
	plan := func(retry bool) rollout.Target {
		t.Helper()
		p, err := rollout.MakePlan(ctx, rollout.Options{Config: &cfg, DB: db, Account: "scans@example.com",
			Select: rollout.Selector{IPs: []string{ip}}, RetryConfigured: retry}, inventory.RunPush)
		if err != nil || len(p.Targets) != 1 {
			t.Fatalf("plan: %v %+v", err, p)
		}
		return p.Targets[0]
	}

	// The stale vault password, then 1111.
	fail(drivers.KindConfigured)
	fail("default-1111")
	if tg := plan(false); tg.Fail != "" {
		t.Fatalf("2 failures on a family that locks after 5: %s", tg.Fail)
	}
	fail("default-serial")
	tg := plan(false)
	for _, want := range []string{"not tried", "budget 3", "after 5", "--retry-configured", "power-cycled"} {
		if !strings.Contains(tg.Fail, want) {
			t.Errorf("budget used up: %q lacks %q", tg.Fail, want)
		}
	}
	if tg := plan(true); tg.Fail != "" {
		t.Fatalf("--retry-configured: %s", tg.Fail)
	}
	fail(drivers.KindConfigured) // still wrong: 4 of 5
	tg = plan(true)
	if tg.Fail == "" || strings.Contains(tg.Fail, "--retry-configured") || !strings.Contains(tg.Fail, "power-cycle") {
		t.Fatalf("4 failures, lock-out at 5: %q, want power-cycle only", tg.Fail)
	}
}
