package konica_test

import (
	"testing"

	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
)

// TestConformance runs the shared conformance suite on both families.
func TestConformance(t *testing.T) {
	for _, f := range families {
		t.Run(f.family, func(t *testing.T) {
			if browser == nil {
				t.Skipf("chromium not available: %v", browserErr)
			}
			drivertest.Run(t, drivertest.Config{Browser: browser, ArtifactsDir: artifactsDir, Family: f.family, Model: f.model, Addr: addr, Logger: logger()})
		})
	}
}
