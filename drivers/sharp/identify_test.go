package sharp_test

import (
	"path/filepath"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/devices/snmprec"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/sharp"
)

// claims checks that dev goes to the Sharp driver as sharp/mx.
func claims(t *testing.T, what string, dev devices.Device) {
	t.Helper()
	d, err := drivers.For(dev)
	if err != nil || d.Name() != sharp.Name {
		t.Errorf("%s (%s %q): driver %v, %v", what, dev.Vendor, dev.Model, d, err)
		return
	}
	in, _ := drivers.InfoOf(d)
	if f, ok := in.Claim(dev); !ok || f.ID != sharp.FamilyMX {
		t.Errorf("%s: family %q (%v), want %s", what, f.ID, ok, sharp.FamilyMX)
	}
}

// TestRecordingsClaimed: the LibreNMS recordings of Sharp MFPs are
// identified as Sharp with their model and claimed as sharp/mx.
func TestRecordingsClaimed(t *testing.T) {
	for _, tc := range []struct{ file, model, fw string }{
		{"sharp.snmprec", "MX-3570N", "1.04"},
		{"sharp_mx2614n.snmprec", "MX-2614N", ""},
		{"sharp_mx3140n.snmprec", "MX-3140N", ""},
		{"sharp_mxc301w.snmprec", "MX-C301W", ""},
	} {
		tb, err := snmprec.ParseFile(filepath.Join("..", "..", "devices", "testdata", "snmprec", "librenms", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		dev := sim.IdentifyTable("127.0.92.240", tb)
		if dev.Vendor != "sharp" || dev.Model != tc.model || dev.Firmware != tc.fw {
			t.Errorf("%s: identified %s %q fw %q, want sharp %q %q", tc.file, dev.Vendor, dev.Model, dev.Firmware, tc.model, tc.fw)
		}
		claims(t, tc.file, dev)
	}
}

// TestNetworkCardOnly: a sysDescr that names no model: the vendor from
// Sharp's enterprise number, the model from host resources or the
// Printer-MIB; the driver still claims it.
func TestNetworkCardOnly(t *testing.T) {
	for _, tc := range []struct {
		name  string
		vars  []snmprec.Var
		model string
	}{
		{"host resources", []snmprec.Var{
			snmprec.OctetStr("1.3.6.1.2.1.1.1.0", "Network Printer"),
			snmprec.OctetStr("1.3.6.1.2.1.25.3.2.1.3.1", "SHARP MX-3570N"),
		}, "MX-3570N"},
		{"Printer-MIB", []snmprec.Var{
			snmprec.OctetStr("1.3.6.1.2.1.1.1.0", "Network Interface Card"),
			snmprec.OctetStr("1.3.6.1.2.1.43.5.1.1.16.1", "SHARP MX-M6071"),
		}, "MX-M6071"},
	} {
		vars := append([]snmprec.Var{
			snmprec.OID("1.3.6.1.2.1.1.2.0", "1.3.6.1.4.1.2385.3.1.112.1.2"),
			snmprec.OID("1.3.6.1.2.1.25.3.2.1.2.1", "1.3.6.1.2.1.25.3.1.5"),
		}, tc.vars...)
		dev := sim.IdentifyTable("127.0.92.241", snmprec.NewTable(vars...))
		if dev.Vendor != "sharp" || dev.Model != tc.model {
			t.Errorf("%s: identified %s %q (sysDescr %q), want sharp %q", tc.name, dev.Vendor, dev.Model, dev.SysDescr, tc.model)
		}
		claims(t, tc.name, dev)
	}
}

// TestCatalogModelsClaimed: every simulated Sharp model is claimed with
// the family its simulated web admin serves.
func TestCatalogModelsClaimed(t *testing.T) {
	n := 0
	for _, m := range sim.Catalog {
		if m.Vendor != "sharp" {
			continue
		}
		n++
		if m.ServedFamily() != sharp.FamilyMX {
			t.Errorf("%s serves %q", m.Key, m.ServedFamily())
		}
		claims(t, m.Key, sim.IdentifyTable("127.0.92.242", sim.SyntheticTable(m, sim.SyntheticSerial(m, 1), sim.SyntheticMAC(m, 1))))
	}
	if n < 3 {
		t.Errorf("%d Sharp models in the catalogue", n)
	}
}
