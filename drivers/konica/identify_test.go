package konica_test

import (
	"path/filepath"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/devices/snmprec"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/konica"
)

func claims(t *testing.T, what string, dev devices.Device, family string) {
	t.Helper()
	d, err := drivers.For(dev)
	if err != nil || d.Name() != konica.Name {
		t.Errorf("%s (%s %q badge %q): driver %v, %v", what, dev.Vendor, dev.Model, dev.Brand, d, err)
		return
	}
	in, _ := drivers.InfoOf(d)
	if f, ok := in.Claim(dev); !ok || f.ID != family {
		t.Errorf("%s: family %q (%v), want %s", what, f.ID, ok, family)
	}
}

// TestRecordingsClaimed: the LibreNMS recordings of Konica Minolta-made
// devices (the Develop ineo+ 280 whose sysDescr says bizhub C3110, a
// bizhub 25e) go to this driver as classic Web Connection.
func TestRecordingsClaimed(t *testing.T) {
	for _, file := range []string{"konica.snmprec", "konica_2.snmprec", "developprinter.snmprec"} {
		tb, err := snmprec.ParseFile(filepath.Join("..", "..", "devices", "testdata", "snmprec", "librenms", file))
		if err != nil {
			t.Fatal(err)
		}
		dev := sim.IdentifyTable("127.0.91.250", tb)
		if dev.Vendor != "konica-minolta" {
			t.Errorf("%s: vendor %q", file, dev.Vendor)
		}
		claims(t, file, dev, konica.FamilyClassic)
	}
}

// TestCatalogueClaimed: the simulator's bizhub models, the i-series one
// included, go to their family; also with a sysDescr that names only the
// network card (the model then comes from KM's private OID).
func TestCatalogueClaimed(t *testing.T) {
	for _, m := range sim.Catalog {
		if m.Vendor != "konica-minolta" {
			continue
		}
		dev := sim.IdentifyTable("127.0.91.251", sim.SyntheticTable(m, sim.SyntheticSerial(m, 0), sim.SyntheticMAC(m, 0)))
		claims(t, m.Key, dev, m.ServedFamily())
		m.SysDescr = "KONICA MINOLTA Network Controller"
		dev = sim.IdentifyTable("127.0.91.252", sim.SyntheticTable(m, sim.SyntheticSerial(m, 0), sim.SyntheticMAC(m, 0)))
		if dev.Model != m.Model {
			t.Errorf("%s with a network-card sysDescr: model %q", m.Key, dev.Model)
		}
		claims(t, m.Key+" (network card)", dev, m.ServedFamily())
	}
	claims(t, "Develop badge", devices.Device{Vendor: "konica-minolta", Brand: "Develop", Model: "ineo+ 308"}, konica.FamilyClassic)
	claims(t, "i-series", devices.Device{Vendor: "konica-minolta", Model: "bizhub 750i"}, konica.FamilyISeries)
}
