package epson_test

import (
	"path/filepath"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/devices/snmprec"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/epson"
)

// claims checks that dev goes to the Epson driver as Web Config.
func claims(t *testing.T, what string, dev devices.Device) {
	t.Helper()
	d, err := drivers.For(dev)
	if err != nil || d.Name() != epson.Name {
		t.Errorf("%s (%s %q): driver %v, %v", what, dev.Vendor, dev.Model, d, err)
		return
	}
	in, _ := drivers.InfoOf(d)
	if f, ok := in.Claim(dev); !ok || f.ID != epson.FamilyWebConfig {
		t.Errorf("%s: family %q (%v), want %s", what, f.ID, ok, epson.FamilyWebConfig)
	}
	if creds := in.Families[0].Credentials(dev); len(creds) != 1 || creds[0].User != "" || creds[0].Password.Reveal() != dev.Serial {
		t.Errorf("%s: factory logins %v, want blank user and the serial %q", what, creds, dev.Serial)
	}
}

// TestRecordingClaimed: the LibreNMS recording of an Epson WF-C5790,
// whose sysDescr is only "EPSON Built-in" (the network interface), is
// identified from hrDeviceDescr and Epson's OIDs and claimed as Web
// Config.
func TestRecordingClaimed(t *testing.T) {
	tb, err := snmprec.ParseFile(filepath.Join("..", "..", "devices", "testdata", "snmprec", "librenms", "epson.snmprec"))
	if err != nil {
		t.Fatal(err)
	}
	dev := sim.IdentifyTable("127.0.93.240", tb)
	if dev.Vendor != "epson" || dev.Model != "WF-C5790BA" || dev.Serial != "X3B8022793" {
		t.Errorf("identified %s %q serial %q (sysDescr %q), want epson WF-C5790BA X3B8022793", dev.Vendor, dev.Model, dev.Serial, dev.SysDescr)
	}
	claims(t, "epson.snmprec", dev)
}

// TestNetworkCardOnly: sysDescr names only the print server; the model
// comes from hrDeviceDescr or Epson's model OID, the vendor from the
// enterprise number, and the driver still claims it.
func TestNetworkCardOnly(t *testing.T) {
	for _, tc := range []struct {
		name  string
		vars  []snmprec.Var
		model string
	}{
		{"hrDeviceDescr", []snmprec.Var{
			snmprec.OctetStr("1.3.6.1.2.1.1.1.0", "EPSON Built-in 11b/g/n Print Server"),
			snmprec.OctetStr("1.3.6.1.2.1.25.3.2.1.3.1", "EPSON ET-4850 Series"),
			snmprec.OctetStr("1.3.6.1.2.1.43.5.1.1.17.1", "X6QZ012345"),
		}, "ET-4850"},
		{"Epson's OIDs", []snmprec.Var{
			snmprec.OctetStr("1.3.6.1.2.1.1.1.0", "EPSON Built-in"),
			snmprec.OctetStr("1.3.6.1.2.1.25.3.2.1.3.1", "EPSON WF-C879R Series"),
			snmprec.OctetStr("1.3.6.1.4.1.1248.1.2.2.1.1.1.5.1", "X3HN012345"),
		}, "WF-C879R"},
	} {
		vars := append([]snmprec.Var{
			snmprec.OID("1.3.6.1.2.1.1.2.0", "1.3.6.1.4.1.1248.1.1.2.1.3.5.69.69.80.83.50"),
			snmprec.OID("1.3.6.1.2.1.25.3.2.1.2.1", "1.3.6.1.2.1.25.3.1.5"),
		}, tc.vars...)
		dev := sim.IdentifyTable("127.0.93.241", snmprec.NewTable(vars...))
		if dev.Vendor != "epson" || dev.Model != tc.model || dev.Serial == "" {
			t.Errorf("%s: identified %s %q serial %q (sysDescr %q), want epson %q", tc.name, dev.Vendor, dev.Model, dev.Serial, dev.SysDescr, tc.model)
		}
		claims(t, tc.name, dev)
	}
}

// TestCatalogModelsClaimed: every simulated Epson is claimed with the
// family its simulated web admin serves, and its SNMP serial is its
// factory password.
func TestCatalogModelsClaimed(t *testing.T) {
	n := 0
	for _, m := range sim.Catalog {
		if m.Vendor != "epson" {
			continue
		}
		n++
		if m.ServedFamily() != epson.FamilyWebConfig {
			t.Errorf("%s serves %q", m.Key, m.ServedFamily())
		}
		serial := sim.SyntheticSerial(m, 1)
		dev := sim.IdentifyTable("127.0.93.242", sim.SyntheticTable(m, serial, sim.SyntheticMAC(m, 1)))
		if dev.Serial != serial || m.DefaultAdminPassword(serial) != serial {
			t.Errorf("%s: SNMP serial %q, factory password %q, want %q", m.Key, dev.Serial, m.DefaultAdminPassword(serial), serial)
		}
		claims(t, m.Key, dev)
	}
	if n < 3 {
		t.Errorf("%d Epson models in the catalogue", n)
	}
}
