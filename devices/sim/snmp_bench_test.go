package sim

import (
	"testing"

	"github.com/gosnmp/gosnmp"

	"github.com/mfpfleet/mfpfleet/devices"
)

// BenchmarkAgentHandleGet measures one identity GET (decode, lookup,
// encode) against a synthetic AltaLink table, without the network.
func BenchmarkAgentHandleGet(b *testing.B) {
	m := Catalog[0]
	a := &SNMPAgent{Table: SyntheticTable(m, SyntheticSerial(m, 0), SyntheticMAC(m, 0))}
	vbs := make([]gosnmp.SnmpPDU, len(devices.IdentityOIDs))
	for i, o := range devices.IdentityOIDs {
		vbs[i] = gosnmp.SnmpPDU{Name: "." + o, Type: gosnmp.Null}
	}
	g := &gosnmp.GoSNMP{Version: gosnmp.Version2c, Community: "public"}
	pkt, err := g.MkSnmpPacket(gosnmp.GetRequest, vbs, 0, 0).MarshalMsg()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if a.Handle(pkt) == nil {
			b.Fatal("no answer")
		}
	}
}
