package sim

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/gosnmp/gosnmp"

	"github.com/mfpfleet/mfpfleet/devices"
)

// udpValues GETs oids over real UDP and decodes the answer the way the
// sweep does (missing OIDs absent).
func udpValues(t *testing.T, g *gosnmp.GoSNMP, oids []string) devices.Values {
	t.Helper()
	v := devices.Values{}
	if len(oids) == 0 {
		return v
	}
	res, err := g.Get(oids)
	if err != nil {
		t.Fatalf("GET from %s: %v", g.Target, err)
	}
	for _, p := range res.Variables {
		name := strings.TrimPrefix(p.Name, ".")
		switch p.Type {
		case gosnmp.OctetString:
			v[name] = p.Value.([]byte)
		case gosnmp.ObjectIdentifier:
			v[name] = strings.TrimPrefix(p.Value.(string), ".")
		case gosnmp.Integer:
			v[name] = int64(p.Value.(int))
		case gosnmp.Counter32, gosnmp.Gauge32, gosnmp.TimeTicks:
			v[name] = uint64(p.Value.(uint))
		}
	}
	return v
}

// TestSNMPFleetOverUDP starts a small fleet and identifies every device
// from what it answers over UDP: the identity must match the plan.
func TestSNMPFleetOverUDP(t *testing.T) {
	devs, err := PlanSNMPFleet(SNMPFleetConfig{
		Base: netip.MustParseAddr("127.0.31.20"), Count: len(Catalog),
		Recordings: []string{snmpRecordingsDir + "/librenms/ricoh_mpc3002.snmprec"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fleet, err := StartSNMPFleet(ctx, devs, 0, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := fleet.Close(); err != nil {
			t.Error(err)
		}
	}()
	for i, d := range fleet.Devices {
		addr := fleet.Addrs[i]
		if addr.IP.String() != d.Addr.String() {
			t.Fatalf("device %d bound to %s, want %s", i, addr, d.Addr)
		}
		g := snmpClient(t, addr, gosnmp.Version2c, "public")
		v := udpValues(t, g, devices.IdentityOIDs)
		for k, x := range udpValues(t, g, devices.FollowUpOIDs(v)) {
			v[k] = x
		}
		got := devices.Identify(d.Addr.String(), v)
		if got != d.Identity {
			t.Errorf("%s (%s) over UDP:\n %+v\nplanned:\n %+v", d.Addr, d.Source, got, d.Identity)
		}
		if d.Model.Key != "" && (got.Model != d.Model.Model || got.Vendor != d.Model.Vendor) {
			t.Errorf("%s: identified %s %q, want %s %q", d.Addr, got.Vendor, got.Model, d.Model.Vendor, d.Model.Model)
		}
	}
	// A second fleet on the same addresses and port cannot bind: the
	// error names the address.
	_, err = StartSNMPFleet(ctx, devs[:1], fleet.Addrs[0].Port, "", nil)
	if err == nil || !strings.Contains(err.Error(), fleet.Addrs[0].String()) {
		t.Errorf("double bind: err %v, want one naming %s", err, fleet.Addrs[0])
	}
}

// "vendor:N" entries give a mixed fleet in the order given, each vendor
// cycling through its own models; counts must agree with --count.
func TestPlanVendorCounts(t *testing.T) {
	plan, err := PlanSNMPFleet(SNMPFleetConfig{Base: netip.MustParseAddr("127.0.44.1"), Vendors: []string{"xerox:3", "ricoh:2"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range plan {
		got = append(got, d.Model.Vendor)
	}
	if strings.Join(got, ",") != "xerox,xerox,xerox,ricoh,ricoh" || plan[4].Addr.String() != "127.0.44.5" {
		t.Errorf("plan vendors = %v, last at %s", got, plan[len(plan)-1].Addr)
	}
	if plan[0].Model.Key == plan[1].Model.Key {
		t.Errorf("a vendor's devices do not cycle through its models: %s twice", plan[0].Model.Key)
	}
	for _, bad := range []SNMPFleetConfig{
		{Vendors: []string{"xerox:3", "ricoh"}},
		{Vendors: []string{"xerox:x"}},
		{Vendors: []string{"xerox:2"}, Count: 5},
		{Vendors: []string{"nobody:2"}},
	} {
		bad.Base = netip.MustParseAddr("127.0.44.1")
		if _, err := PlanSNMPFleet(bad); err == nil {
			t.Errorf("PlanSNMPFleet(%v) accepted", bad.Vendors)
		}
	}
}
