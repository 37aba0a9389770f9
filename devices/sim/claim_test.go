package sim_test

import (
	"testing"

	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	_ "github.com/mfpfleet/mfpfleet/drivers/all"
)

// TestCatalogClaimed: what discovery records for every catalogue model
// (identification, then the driver's claim) is the family the catalogue
// says the model serves; a model no driver drives is claimed by none.
func TestCatalogClaimed(t *testing.T) {
	for _, m := range sim.Catalog {
		d := sim.IdentifyTable("127.0.31.1", sim.SyntheticTable(m, sim.SyntheticSerial(m, 0), sim.SyntheticMAC(m, 0)))
		// Family is what identification alone says (Xerox only); for the
		// other vendors the driver's claim gives the family the model's
		// pages serve (WebFamily).
		want := m.Family
		if want == "" {
			want = m.WebFamily
		}
		if got := drivers.ClaimFamily(d); got != want {
			t.Errorf("%s: claimed family %q, want %q", m.Key, got, want)
		}
	}
}
