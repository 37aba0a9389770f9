package canon_test

import (
	"os"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
)

// suite is the shared conformance suite's Config for a Canon variant: the
// configured admin is the System Manager ID (or the DX user name) with a
// 7-digit PIN, as real System Managers have.
func suite(t *testing.T, v variant) drivertest.Config {
	t.Helper()
	if browser == nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			t.Fatalf("chromium required (MFPFLEET_REQUIRE_PEERS=1): %v", browserErr)
		}
		t.Skipf("chromium not available: %v", browserErr)
	}
	c := drivertest.Config{Browser: browser, ArtifactsDir: artifactsDir, Family: v.family, Model: v.model, UI: v.ui,
		Addr: addr, Logger: logger(), AdminSecret: adminSecret(v)}
	return c
}

// TestConformance runs drivertest for both Remote UI families (and the
// PIN-only and DX user-authentication logins).
func TestConformance(t *testing.T) {
	for _, v := range variants {
		if v.ui == sim.UICanonUserAuth {
			continue // its configured user is "Administrator", not the family's first login's; TestPush covers it
		}
		t.Run(v.name, func(t *testing.T) { drivertest.Run(t, suite(t, v)) })
	}
}
