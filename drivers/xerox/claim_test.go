package xerox_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/xerox"
)

// TestClaimFromIdentity: what SNMP identification reports (vendor, model,
// firmware; no family) is claimed by the Xerox driver's declared
// families, as discovery records it. The sysDescr strings are those of
// devices' identification tests and of the LibreNMS recordings.
func TestClaimFromIdentity(t *testing.T) {
	for _, tc := range []struct {
		descr, oid, family string
	}{
		{"Xerox WorkCentre 5735; SS 061.132.226", "1.3.6.1.4.1.253.8.62.1.20.5.29.1.1", xerox.FamilyConnectKey},
		{"Xerox WorkCentre 5632 v1 Multifunction System; System Software 025.054.055.00060, ESS 061.060.03400", "", xerox.FamilyConnectKey},
		{"Xerox AltaLink C8045; SS 100.002.057.09608, NC 100.002.09608, UI 100.002.09608", "1.3.6.1.4.1.253.8.62.1.30.1.1.1.1", xerox.FamilyConnectKey},
		{"Xerox ColorQube 8900X; System Software 071.161.203.04200", "1.3.6.1.4.1.253.8.62.1.24.3.2.2.1", xerox.FamilyConnectKey},
		{"Xerox(R) WorkCentre 6515; System 65.31.81, Controller 1.40.6", ".1.3.6.1.4.1.253.8.62.1.31.1.1.1.1", xerox.FamilyVersaLink},
		{"Xerox VersaLink C405; System 67.51.51, Controller 1.54.6", "1.3.6.1.4.1.253.8.62.1.43.1.1.1.1", xerox.FamilyVersaLink},
		{"Xerox VersaLink B405 MFP; System 38.81.21, Controller 1.54.6", "1.3.6.1.4.1.253.8.62.1.43.2.1.1.1", xerox.FamilyVersaLink},
		{"Xerox WorkCentre 6605DN; Net 16.37,ESS 201512151148,IOT 03.02.00", "1.3.6.1.4.1.253.8.62.1.26.1.5.1.1", xerox.FamilyFujiXerox},
		{"Xerox WorkCentre Pro 245 v1 Multifunction System; System Software 18.1.12", "", xerox.FamilyLegacy},
		// Models none of the four families is known to serve: the page
		// tells once a session opens.
		{"Xerox Phaser 3320; OS V1.50.00.25 09-27-2016, Engine 1.02.04, NIC V4.03.07(P3320) 09-27-2016", "1.3.6.1.4.1.253.8.62.1.28.1.1.1.1", ""},
		{"Xerox Color 570; System 55.40.61", "", ""},
		// Another maker's: not Xerox's to claim.
		{"FUJI XEROX ApeosPort-VI C4471;ESS1.0.217", "1.3.6.1.4.1.297.1.11.93.1.1", ""},
		{"RICOH Aficio SP C420DN 1.05 / RICOH Network Printer C model", "1.3.6.1.4.1.367.1.1", ""},
	} {
		v := devices.Values{devices.OIDSysDescr: []byte(tc.descr)}
		if tc.oid != "" {
			v[devices.OIDSysObjectID] = tc.oid
		}
		dev := devices.Identify("127.0.30.1", v)
		if dev.Family != "" {
			t.Errorf("%s: identification decided the family %q", tc.descr, dev.Family)
		}
		if got := drivers.ClaimFamily(dev); got != tc.family {
			t.Errorf("%s (%s %q): claimed %q, want %q", tc.descr, dev.Vendor, dev.Model, got, tc.family)
		}
	}
}

// TestDeclared: the declaration is complete: every family has a name,
// factory logins with their wording, and the ones mfpfleet drives can
// reach Gmail; the legacy one is declined with what to do.
func TestDeclared(t *testing.T) {
	d, ok := drivers.Lookup(xerox.Name)
	if !ok {
		t.Fatal("not registered")
	}
	in := d.Info()
	if in.Name != xerox.Name || len(in.Families) != 4 {
		t.Fatalf("info %+v", in)
	}
	kinds := map[string]string{}
	for _, f := range in.Families {
		if f.Name == "" || f.Match == nil || len(f.Logins) == 0 {
			t.Errorf("%s: incomplete: %+v", f.ID, f)
		}
		for _, l := range f.Logins {
			if l.Text == "" || l.Short == "" || l.Kind == "" {
				t.Errorf("%s: login %+v has no wording", f.ID, l)
			}
			if prev, seen := kinds[l.Kind]; seen && prev != l.Text {
				t.Errorf("kind %s worded twice: %q, %q", l.Kind, prev, l.Text)
			}
			kinds[l.Kind] = l.Text
		}
	}
	_, err := drivers.For(devices.Device{IP: "127.0.30.9", Vendor: "xerox", Model: "WorkCentre 4250"})
	if !errors.Is(err, drivers.ErrUnsupported) || !strings.Contains(err.Error(), "legacy") || !strings.Contains(err.Error(), "127.0.30.9") {
		t.Fatalf("legacy model not declined: %v", err)
	}
	if f, ok := drivers.FamilyOf(devices.Device{Vendor: "xerox", Model: "WorkCentre 4250"}); !ok || f.ID != xerox.FamilyLegacy || f.Decline == nil {
		t.Errorf("legacy family %+v", f)
	}
	for fam, want := range map[string]drivers.TestAction{
		xerox.FamilyConnectKey: drivers.TestEmail, xerox.FamilyVersaLink: drivers.TestConnection, xerox.FamilyFujiXerox: drivers.TestConnection,
	} {
		if f, _ := drivers.FamilyByID(fam); f.Test != want {
			t.Errorf("%s: test action %v, want %v", fam, f.Test, want)
		}
	}
}
