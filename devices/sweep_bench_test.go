package devices

import (
	"net/netip"
	"os"
	"testing"
)

// BenchmarkProbeEncode measures building one probe (copy a template,
// patch the request ID).
func BenchmarkProbeEncode(b *testing.B) {
	k, err := newProbeKind(2, "public", IdentityOIDs)
	if err != nil {
		b.Fatal(err)
	}
	var buf []byte
	ids := idMap{base: 12345}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = k.encode(buf, ids.id(uint32(i)))
	}
}

// BenchmarkMatcherDecode measures decoding and matching one recorded
// v2c identity reply.
func BenchmarkMatcherDecode(b *testing.B) {
	data, err := os.ReadFile("testdata/sweep_replies/probe-v2c-community.bin")
	if err != nil {
		b.Fatal(err)
	}
	s := fuzzSweeper(b)
	m := newMatcher(s.plan, s.ids, s.port)
	from := netip.AddrPortFrom(netip.AddrFrom4([4]byte(data[:4])), uint16(data[4])<<8|uint16(data[5]))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.decode(from, data[6:]); err != nil {
			b.Fatal(err)
		}
	}
}
