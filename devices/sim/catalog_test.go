package sim

import (
	"net/netip"
	"strings"
	"testing"
)

// TestCatalogRoundTrip: every catalogue model's synthetic table is
// identified as that model by devices.Identify, through the same two GETs
// a sweep sends.
func TestCatalogRoundTrip(t *testing.T) {
	keys := map[string]bool{}
	for _, m := range Catalog {
		t.Run(m.Key, func(t *testing.T) {
			if keys[m.Key] {
				t.Fatalf("duplicate key %s", m.Key)
			}
			keys[m.Key] = true
			switch m.SMTPTLS {
			case "tls12", "tls10", "none":
			default:
				t.Errorf("SMTPTLS %q: want tls12, tls10 or none", m.SMTPTLS)
			}
			for i := range 3 {
				serial, mac := SyntheticSerial(m, i), SyntheticMAC(m, i)
				d := IdentifyTable("127.0.31.1", SyntheticTable(m, serial, mac))
				want := map[string][2]string{
					"vendor":   {d.Vendor, m.Vendor},
					"brand":    {d.Brand, m.Brand},
					"model":    {d.Model, m.Model},
					"serial":   {d.Serial, serial},
					"firmware": {d.Firmware, m.Firmware},
					"mac":      {d.MAC, mac},
					// The driver claims the family (TestCatalogClaimed).
					"family": {d.Family, ""},
				}
				for field, gw := range want {
					if gw[0] != gw[1] {
						t.Errorf("device %d: %s = %q, want %q (sysDescr %q)", i, field, gw[0], gw[1], d.SysDescr)
					}
				}
				if !d.IsPrinter {
					t.Errorf("device %d: not identified as a printer", i)
				}
				if pw := m.DefaultAdminPassword(serial); m.PasswordIsSerial && pw != serial || !m.PasswordIsSerial && pw != m.AdminPassword {
					t.Errorf("DefaultAdminPassword = %q", pw)
				}
			}
		})
	}
}

func TestCatalogCoverage(t *testing.T) {
	families := map[string]int{}
	tls := map[string]int{}
	for _, m := range Catalog {
		families[m.Family]++
		if m.Vendor == "xerox" {
			tls[m.SMTPTLS]++
		}
	}
	for _, f := range []string{"xerox/connectkey", "xerox/versalink", "xerox/fujixerox"} {
		if families[f] < 2 {
			t.Errorf("family %s has %d models, want at least 2", f, families[f])
		}
	}
	if tls["tls10"] == 0 || tls["none"] == 0 {
		t.Errorf("want a Xerox with TLS-1.0-only SMTP and one without SMTP encryption: %v", tls)
	}
	for _, v := range []string{"xerox", "hp", "ricoh", "canon", "brother", "konica-minolta", "lexmark", "epson"} {
		if _, err := FilterCatalog([]string{v}); err != nil {
			t.Errorf("vendor %s: %v", v, err)
		}
	}
	if _, err := FilterCatalog([]string{"acme"}); err == nil || !strings.Contains(err.Error(), "xerox") {
		t.Errorf("unknown vendor: err %v, want one listing the known vendors", err)
	}
}

func TestSyntheticIdentitiesDistinct(t *testing.T) {
	for _, m := range Catalog {
		serials, macs := map[string]bool{}, map[string]bool{}
		for i := range 2000 {
			s, mac := SyntheticSerial(m, i), SyntheticMAC(m, i)
			if serials[s] || macs[mac] {
				t.Fatalf("%s: device %d repeats serial %s or MAC %s", m.Key, i, s, mac)
			}
			serials[s], macs[mac] = true, true
			if s != SyntheticSerial(m, i) {
				t.Fatalf("%s: serial not deterministic", m.Key)
			}
			if i < 200 {
				if d := IdentifyTable("127.0.31.2", SyntheticTable(m, s, mac)); d.Serial != s || d.MAC != mac {
					t.Fatalf("%s device %d: identified serial %q MAC %q, want %q %q", m.Key, i, d.Serial, d.MAC, s, mac)
				}
			}
		}
	}
}

func TestPlanSNMPFleet(t *testing.T) {
	base := netip.MustParseAddr("127.0.31.10")
	devs, err := PlanSNMPFleet(SNMPFleetConfig{
		Base: base, Count: 5, Vendors: []string{"xerox", "hp"},
		Recordings: []string{snmpRecordingsDir + "/librenms/sharp.snmprec"}, V3Only: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 6 {
		t.Fatalf("%d devices, want 6", len(devs))
	}
	if devs[0].Addr != base || devs[0].Identity.Model != "MX-3570N" || devs[0].EngineID != "" {
		t.Errorf("recording first at the base: %+v", devs[0].Identity)
	}
	for i, d := range devs[1:] {
		if want := base.Next(); i == 0 && d.Addr != want {
			t.Errorf("first synthetic at %s, want %s", d.Addr, want)
		}
		if d.Identity.Vendor != "xerox" && d.Identity.Vendor != "hp" {
			t.Errorf("vendor %s outside the filter", d.Identity.Vendor)
		}
		if d.V3Only != (i == 4) {
			t.Errorf("device %d V3Only = %v", i, d.V3Only)
		}
	}

	for _, tc := range []struct {
		name string
		cfg  SNMPFleetConfig
		want string
	}{
		{"outside loopback", SNMPFleetConfig{Base: netip.MustParseAddr("10.0.0.1"), Count: 1}, "not a loopback address"},
		{"ipv6", SNMPFleetConfig{Base: netip.MustParseAddr("::1"), Count: 1}, "not a loopback address"},
		{"runs past 127/8", SNMPFleetConfig{Base: netip.MustParseAddr("127.255.255.254"), Count: 3}, "run past"},
		{"nothing", SNMPFleetConfig{Base: base}, "nothing to simulate"},
		{"unknown vendor", SNMPFleetConfig{Base: base, Count: 1, Vendors: []string{"acme"}}, "unknown vendor"},
		{"missing recording", SNMPFleetConfig{Base: base, Recordings: []string{"nope.snmprec"}}, "nope.snmprec"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PlanSNMPFleet(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
