package ricoh_test

import (
	"testing"

	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
)

// TestConformance runs the suite every driver runs, from the family's
// declared facts: blank then serial-number logins, no test action
// (written-unconfirmed, confirmed by a scan to the plus-address), a
// lock-out after 5, one admin session at a time.
func TestConformance(t *testing.T) {
	drivertest.Run(t, suite(t, "MP C3004"))
}
