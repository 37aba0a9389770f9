package rollout_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// TestPlanLegacyModelHasNoDriver: a model whose web admin no driver
// handles (the WorkCentre 4250's .dhtml pages) is planned as "no driver",
// with what to do instead, never as a push that ends in advice that
// cannot work (allow_http).
func TestPlanLegacyModelHasNoDriver(t *testing.T) {
	ctx := context.Background()
	db, err := inventory.Open(ctx, filepath.Join(t.TempDir(), "fleet.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, d := range []devices.Device{
		{IP: "127.0.69.9", Vendor: "xerox", Model: "WorkCentre 4250", Serial: "LXA300507", Family: "xerox/legacy", IsPrinter: true},
		{IP: "127.0.69.10", Vendor: "xerox", Model: "AltaLink C8045", Serial: "3TB769840", Family: "xerox/connectkey", IsPrinter: true},
	} {
		if _, _, err := db.UpsertDevice(ctx, d, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	cfg := config.Default()
	cfg.Gmail.Account = "scans@example.com"
	plan, err := rollout.MakePlan(ctx, rollout.Options{Config: &cfg, DB: db, Account: "scans@example.com",
		Select: rollout.Selector{All: true}}, inventory.RunPush)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Targets) != 2 {
		t.Fatalf("%d targets", len(plan.Targets))
	}
	for _, tg := range plan.Targets {
		switch tg.Device.IP {
		case "127.0.69.9":
			if tg.Skip == "" || tg.Driver != "" {
				t.Fatalf("legacy model planned as %q (driver %q, skip %q), want no driver", tg.Fail, tg.Driver, tg.Skip)
			}
			for _, want := range []string{"no driver", "WorkCentre 4250", "http://127.0.69.9/", "mfpfleet probe 127.0.69.9"} {
				if !strings.Contains(tg.Skip, want) {
					t.Errorf("skip %q lacks %q", tg.Skip, want)
				}
			}
			if strings.Contains(tg.Skip, "allow_http") {
				t.Errorf("skip suggests allow_http, which cannot work: %q", tg.Skip)
			}
		default:
			if tg.Skip != "" || tg.Fail != "" || tg.Driver != "xerox" {
				t.Errorf("%s: %+v, want a push", tg.Device.IP, tg)
			}
		}
	}
	if n := len(plan.Runnable()); n != 1 {
		t.Errorf("%d runnable, want 1", n)
	}
}
