package ricoh_test

import (
	"path/filepath"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/devices/snmprec"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/ricoh"
)

// claims checks that dev goes to the Ricoh driver as Web Image Monitor.
func claims(t *testing.T, what string, dev devices.Device) {
	t.Helper()
	d, err := drivers.For(dev)
	if err != nil || d.Name() != ricoh.Name {
		t.Errorf("%s (%s %q badge %q): driver %v, %v", what, dev.Vendor, dev.Model, dev.Brand, d, err)
		return
	}
	in, _ := drivers.InfoOf(d)
	if f, ok := in.Claim(dev); !ok || f.ID != ricoh.FamilyWIM {
		t.Errorf("%s: family %q (%v), want %s", what, f.ID, ok, ricoh.FamilyWIM)
	}
}

// TestRecordingsClaimed: the LibreNMS recordings of Ricoh-made devices
// (Ricoh, Savin, Lanier, Gestetner, NRG) are identified with their badge
// and model, and claimed by this driver as Web Image Monitor.
func TestRecordingsClaimed(t *testing.T) {
	for _, tc := range []struct{ file, brand, model string }{
		{"ricoh_mpc3002.snmprec", "", "Aficio MP C3002"},
		{"ricoh.snmprec", "", "MP 3053"},
		{"ricoh_aficio.snmprec", "", "Aficio MP 201"},
		{"savin_c4503.snmprec", "Savin", "MP C4503"},
		{"lanier.snmprec", "Lanier", "MP C3501/LD635C"},
		{"gestetner.snmprec", "Gestetner", "MPC2500/DSc525"},
		{"nrg.snmprec", "NRG", "SP 4210N"},
	} {
		tb, err := snmprec.ParseFile(filepath.Join("..", "..", "devices", "testdata", "snmprec", "librenms", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		dev := sim.IdentifyTable("127.0.70.240", tb)
		if dev.Vendor != "ricoh" || dev.Brand != tc.brand || dev.Model != tc.model {
			t.Errorf("%s: identified %s badge %q model %q, want ricoh %q %q", tc.file, dev.Vendor, dev.Brand, dev.Model, tc.brand, tc.model)
		}
		claims(t, tc.file, dev)
	}
}

// TestNetworkCardOnly: a sysDescr that names only the network card: the
// model comes from Ricoh's private OIDs or the Printer-MIB, the vendor
// from the enterprise number, and the driver still claims it.
func TestNetworkCardOnly(t *testing.T) {
	for _, tc := range []struct {
		name  string
		vars  []snmprec.Var
		brand string
		model string
	}{
		{"private OID", []snmprec.Var{
			snmprec.OctetStr("1.3.6.1.2.1.1.1.0", "RICOH Network Printer C model"),
			snmprec.OctetStr("1.3.6.1.4.1.367.3.2.1.1.1.1.0", "IM C4500"),
		}, "", "IM C4500"},
		{"Printer-MIB only, badge in the card's name", []snmprec.Var{
			snmprec.OctetStr("1.3.6.1.2.1.1.1.0", "SAVIN Network Printer C model"),
			snmprec.OctetStr("1.3.6.1.2.1.43.5.1.1.16.1", "SAVIN MP C4503"),
		}, "Savin", "MP C4503"},
		{"no text at all", []snmprec.Var{
			snmprec.OctetStr("1.3.6.1.2.1.1.1.0", "Network Printer"),
			snmprec.OctetStr("1.3.6.1.2.1.25.3.2.1.3.1", "RICOH MP C3004"),
		}, "", "MP C3004"},
	} {
		vars := append([]snmprec.Var{
			snmprec.OID("1.3.6.1.2.1.1.2.0", "1.3.6.1.4.1.367.1.1"),
			snmprec.OID("1.3.6.1.2.1.25.3.2.1.2.1", "1.3.6.1.2.1.25.3.1.5"),
		}, tc.vars...)
		dev := sim.IdentifyTable("127.0.70.241", snmprec.NewTable(vars...))
		if dev.Vendor != "ricoh" || dev.Brand != tc.brand || dev.Model != tc.model {
			t.Errorf("%s: identified %s badge %q model %q (sysDescr %q), want ricoh %q %q", tc.name, dev.Vendor, dev.Brand, dev.Model, dev.SysDescr, tc.brand, tc.model)
		}
		claims(t, tc.name, dev)
	}
}

// TestCatalogModelsClaimed: every simulated Ricoh-made model is claimed
// with the family its simulated web admin serves.
func TestCatalogModelsClaimed(t *testing.T) {
	n := 0
	for _, m := range sim.Catalog {
		if m.Vendor != "ricoh" {
			continue
		}
		n++
		if m.ServedFamily() != ricoh.FamilyWIM {
			t.Errorf("%s serves %q", m.Key, m.ServedFamily())
		}
		claims(t, m.Key, sim.IdentifyTable("127.0.70.242", sim.SyntheticTable(m, sim.SyntheticSerial(m, 1), sim.SyntheticMAC(m, 1))))
	}
	if n < 5 {
		t.Errorf("%d Ricoh-made models in the catalogue", n)
	}
}
