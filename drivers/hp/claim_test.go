package hp

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/devices/snmprec"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// TestClaimRecordings: the real HP agents recorded in devices/testdata
// (every sysDescr names only the JetDirect network card or print server;
// the model comes from hrDeviceDescr or the PID) are identified as HP and
// claimed by this driver with the right family: the LaserJet Pro and the
// small MFPs run LEDM (declined with what to do), the external print
// servers tell no model (the page decides).
func TestClaimRecordings(t *testing.T) {
	want := map[string]string{
		"librenms/jetdirect.snmprec":                   FamilyLEDM, // Color LaserJet M452nw
		"librenms/jetdirect_m130nw.snmprec":            FamilyLEDM, // LaserJet MFP M130nw
		"librenms/jetdirect_m252dw.snmprec":            FamilyLEDM, // Color LaserJet Pro M252dw
		"librenms/jetdirect_1.snmprec":                 "",         // JetDirect EX box, Kyocera sysObjectID
		"librenms/jetdirect_2.snmprec":                 "",         // sysObjectID only
		"librenms-history/jetdirect@a28ab1293.snmprec": "",         // JD143 print server
	}
	for rel, fam := range want {
		t.Run(rel, func(t *testing.T) {
			tb, err := snmprec.ParseFile(filepath.Join("..", "..", "devices", "testdata", "snmprec", rel))
			if err != nil {
				t.Fatal(err)
			}
			dev := sim.IdentifyTable("127.0.0.1", tb)
			checkClaim(t, dev, fam)
		})
	}
}

// TestClaimCatalogue: the simulator's HP models (their SNMP identity is
// what real FutureSmart agents answer) are claimed as FutureSmart and
// not declined.
func TestClaimCatalogue(t *testing.T) {
	n := 0
	for _, m := range sim.Catalog {
		if m.Vendor != "hp" {
			continue
		}
		n++
		t.Run(m.Key, func(t *testing.T) {
			dev := sim.IdentifyTable("127.0.0.1", sim.SyntheticTable(m, sim.SyntheticSerial(m, 0), sim.SyntheticMAC(m, 0)))
			if dev.Model == "" || dev.Serial == "" {
				t.Fatalf("identified as %+v", dev)
			}
			checkClaim(t, dev, FamilyFutureSmart)
		})
	}
	if n < 2 {
		t.Fatalf("%d HP models in the catalogue", n)
	}
}

func checkClaim(t *testing.T, dev devices.Device, fam string) {
	t.Helper()
	if dev.Vendor != "hp" || !info.Handles(dev) {
		t.Fatalf("identified as %q (%s): not handled", dev.Vendor, dev.Model)
	}
	got, ok := info.Claim(dev)
	if fam == "" {
		if ok {
			t.Errorf("model %q claimed as %s; want the page to decide", dev.Model, got.ID)
		}
	} else if !ok || got.ID != fam {
		t.Errorf("model %q claimed as %q, want %s", dev.Model, got.ID, fam)
	}
	d, err := drivers.For(dev)
	switch {
	case fam == FamilyLEDM:
		if !errors.Is(err, drivers.ErrUnsupported) || !strings.Contains(err.Error(), "LEDM") || !strings.Contains(err.Error(), "by hand") {
			t.Errorf("LEDM model %q: For = %v, want a decline saying what to do", dev.Model, err)
		}
	case err != nil || d.Name() != Name:
		t.Errorf("For(%q) = %v, %v; want the hp driver", dev.Model, d, err)
	}
}

func TestModelFamily(t *testing.T) {
	for m, want := range map[string]string{
		"LaserJet MFP M528":                 FamilyFutureSmart,
		"Color LaserJet MFP M577":           FamilyFutureSmart,
		"LaserJet Enterprise MFP M430f":     FamilyFutureSmart,
		"LaserJet MFP M430":                 FamilyFutureSmart,
		"Color LaserJet Managed MFP E57540": FamilyFutureSmart,
		"Color LaserJet MFP E87660":         FamilyFutureSmart,
		"PageWide Managed Color MFP P77940": FamilyFutureSmart,
		"LaserJet Flow MFP M830":            FamilyFutureSmart,
		"Color LaserJet Pro MFP M479fdw":    FamilyLEDM,
		"LaserJet Pro M501dn":               FamilyLEDM,
		"LaserJet MFP M129-M134":            FamilyLEDM,
		"OfficeJet Pro 9025":                FamilyLEDM,
		"Color LaserJet M452nw":             FamilyLEDM,
		"LaserJet 4250":                     "",
		"":                                  "",
	} {
		if got := modelFamily(m); got != want {
			t.Errorf("modelFamily(%q) = %q, want %q", m, got, want)
		}
	}
}
