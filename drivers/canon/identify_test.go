package canon_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/devices/snmprec"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/canon"
)

// TestClaimRecordings: the Canon recordings in devices/testdata are
// identified as Canon and claimed with the right family; printers
// without scan to e-mail are declined with a reason; a placeholder
// without a model is left to the page.
func TestClaimRecordings(t *testing.T) {
	in := (&canon.Driver{}).Info()
	cases := []struct {
		file, family string
		declined     bool
	}{
		{"librenms/canonprinter_ir-adv.snmprec", canon.FamilyIRAdvance, false},
		{"librenms/canonprinter_d1180.snmprec", canon.FamilyImageClass, false},
		{"librenms-history/canonprinter_lbp@4dbab407b.snmprec", "canon/printer", true},
		{"librenms/canonprinter_tm.snmprec", "canon/printer", true},
		{"librenms/canonprinter_mf.snmprec", "", false},
	}
	for _, c := range cases {
		t.Run(filepath.Base(c.file), func(t *testing.T) {
			tab, err := snmprec.ParseFile(filepath.Join("..", "..", "devices", "testdata", "snmprec", c.file))
			if err != nil {
				t.Fatal(err)
			}
			dev := sim.IdentifyTable("127.0.87.250", tab)
			if dev.Vendor != "canon" || !in.Handles(dev) {
				t.Fatalf("identified as vendor %q model %q: not Canon's", dev.Vendor, dev.Model)
			}
			fam, ok := in.Claim(dev)
			if fam.ID != c.family || ok != (c.family != "") {
				t.Fatalf("model %q sysDescr %q: claimed %q (%v), want %q", dev.Model, dev.SysDescr, fam.ID, ok, c.family)
			}
			d, err := drivers.For(dev)
			if c.declined {
				if !errors.Is(err, drivers.ErrUnsupported) {
					t.Fatalf("For: %v, want a decline", err)
				}
				return
			}
			if err != nil || d.Name() != canon.Name {
				t.Fatalf("For: %v, %v", d, err)
			}
		})
	}
}

// TestClaimSynthetic: the simulator's Canon models are claimed with the
// family of the Remote UI they serve, also when sysDescr names only the
// network interface and the model comes from the Printer-MIB, the host
// resources or Canon's own OID.
func TestClaimSynthetic(t *testing.T) {
	in := (&canon.Driver{}).Info()
	n := 0
	for _, m := range sim.Catalog {
		if m.Vendor != "canon" {
			continue
		}
		n++
		serial, mac := sim.SyntheticSerial(m, 1), sim.SyntheticMAC(m, 1)
		dev := sim.IdentifyTable("127.0.87.251", sim.SyntheticTable(m, serial, mac))
		if fam, ok := in.Claim(dev); !ok || fam.ID != m.ServedFamily() {
			t.Errorf("%s: claimed %q, want %q", m.Key, fam.ID, m.ServedFamily())
		}
		nic := m
		nic.SysDescr = "Canon Network Interface"
		dev = sim.IdentifyTable("127.0.87.252", sim.SyntheticTable(nic, serial, mac))
		if fam, ok := in.Claim(dev); !ok || fam.ID != m.ServedFamily() {
			t.Errorf("%s with a network-card sysDescr: model %q, claimed %q, want %q", m.Key, dev.Model, fam.ID, m.ServedFamily())
		}
	}
	if n < 2 {
		t.Fatalf("%d Canon models in the catalogue, want both families", n)
	}
}
