package devices

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

// The fuzz target feeds arbitrary datagrams, from arbitrary sources,
// through the sweep's receive path: matcher.decode (gosnmp's decoder plus
// ID/source/version/community matching) and, for what it accepts,
// sweeper.handle (identification state, follow-up GETs, Identify). Nothing
// may panic, and nothing may be accepted unless it answers a request we
// sent to that address.
//
// Seeds are real replies of net-snmp's snmpd in testdata/sweep_replies,
// one datagram per file prefixed by its source (4 address bytes, 2 port
// bytes). They are regenerated with
//
//	MFPFLEET_RECORD_SWEEP_SEEDS=1 go test -run TestRecordSweepSeeds ./devices/
//
// Fuzz with: go test -fuzz FuzzSweepDecode -run '^$' ./devices/

const (
	fuzzBase  = 0x00345678
	fuzzAgent = "127.0.20.5"
)

var fuzzFollowUp = []string{OIDSysDescr, "1.3.6.1.4.1.253.8.53.3.2.1.3.1"}

// fuzzSweeper is a sweeper with no socket: targets 127.0.20.0/24, the
// community "public" over v2c and v1, the v3 probe, two passes, fixed
// IDs, and one follow-up GET (fuzzFollowUp, v1) in flight to fuzzAgent.
func fuzzSweeper(t testing.TB) *sweeper {
	s, err := newSweeper(SweepOptions{
		Targets:     MustParseTargets("127.0.20.0/24"),
		Port:        snmpdPort,
		Communities: []string{"public"},
		Retries:     1,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.ids = idMap{base: fuzzBase}
	h := &host{addr: netip.MustParseAddr(fuzzAgent), comm: s.plan.kinds[1], g: newGather()}
	oids, _ := h.g.next()
	h.g.answer(oids, &gosnmp.SnmpPacket{Error: gosnmp.NoSuchName, ErrorIndex: 1})
	h.g.queue = nil
	h.g.inflight++
	s.hosts[h.addr] = h
	seq := s.nextSeq
	s.nextSeq++
	s.follow[seq] = &request{seq: seq, h: h, oids: fuzzFollowUp, sentAt: time.Now(), tries: 1}
	return s
}

func seedDatagram(from netip.AddrPort, b []byte) []byte {
	a := from.Addr().As4()
	out := append(a[:], byte(from.Port()>>8), byte(from.Port()))
	return append(out, b...)
}

func FuzzSweepDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/sweep_replies/*.bin")
	if len(files) == 0 {
		f.Fatal("no seeds in testdata/sweep_replies")
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		// The same reply from a wrong address, and truncated.
		bad := append([]byte{127, 0, 20, 6}, b[4:]...)
		f.Add(bad)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{})
	f.Add(seedDatagram(netip.MustParseAddrPort(fuzzAgent+":1161"), []byte{0x30, 0x00}))

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 6 {
			return
		}
		from := netip.AddrPortFrom(netip.AddrFrom4([4]byte(data[:4])), binary.BigEndian.Uint16(data[4:6]))
		s := fuzzSweeper(t)
		m := newMatcher(s.plan, s.ids, s.port)
		r, err := m.decode(from, data[6:])
		if err != nil {
			if !errors.Is(err, errMalformed) && !errors.Is(err, errUnmatched) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if r.from != from.Addr() || from.Port() != snmpdPort {
			t.Fatalf("accepted a reply from %v as from %v", from, r.from)
		}
		if r.probe {
			_, index, kind := s.plan.split(r.seq)
			if want, _ := s.plan.targets.At(index); want != r.from {
				t.Fatalf("accepted the answer to %v's probe from %v", want, r.from)
			}
			k := s.plan.kinds[kind]
			if k.version != r.pkt.Version || (!k.v3() && k.community != r.pkt.Community) {
				t.Fatalf("accepted %v %q for a %v probe", r.pkt.Version, r.pkt.Community, k)
			}
		}
		before := s.stats.Replies
		s.handle(r)
		for _, h := range s.hosts {
			if h.addr != r.from && h.addr != netip.MustParseAddr(fuzzAgent) {
				t.Fatalf("state for %v after a reply from %v", h.addr, r.from)
			}
			if h.g != nil && h.g.inflight < 0 {
				t.Fatalf("%v: %d requests in flight", h.addr, h.g.inflight)
			}
		}
		if !r.probe && s.stats.Replies > before && r.from != netip.MustParseAddr(fuzzAgent) {
			t.Fatalf("follow-up answer accepted from %v", r.from)
		}
		// Follow-ups queued by the reply must encode.
		for _, q := range s.sendq {
			if len(q.pkt) == 0 || q.h.addr != r.from {
				t.Fatalf("bad follow-up %+v", q)
			}
		}
	})
}

// TestRecordSweepSeeds regenerates the fuzz seeds from a real snmpd. It
// runs only with MFPFLEET_RECORD_SWEEP_SEEDS=1.
func TestRecordSweepSeeds(t *testing.T) {
	if os.Getenv("MFPFLEET_RECORD_SWEEP_SEEDS") != "1" {
		t.Skip("set MFPFLEET_RECORD_SWEEP_SEEDS=1 to re-record testdata/sweep_replies")
	}
	startSnmpd(t, fuzzAgent, "mfpfleet-fuzz", "rocommunity public default\n"+altalinkConf)
	s := fuzzSweeper(t)
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	agent := netip.MustParseAddrPort(fmt.Sprintf("%s:%d", fuzzAgent, snmpdPort))
	index, _ := s.plan.targets.Index(agent.Addr())
	dir := "testdata/sweep_replies"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exchange := func(name string, pkt []byte) {
		t.Helper()
		if _, err := conn.WriteToUDPAddrPort(pkt, agent); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 65536)
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".bin"), seedDatagram(from, buf[:n]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for ki, k := range s.plan.kinds {
		name := strings.ReplaceAll(strings.ReplaceAll(k.String(), " ", "-"), "v3-engine-ID-probe", "v3-report")
		exchange("probe-"+name, k.encode(nil, s.ids.id(s.plan.probeSeq(0, index, ki))))
	}
	// The follow-up in flight in fuzzSweeper: v1, one OID missing.
	for seq, r := range s.follow {
		p, err := getPacket(gosnmp.Version1, "public", s.ids.id(seq), r.oids).MarshalMsg()
		if err != nil {
			t.Fatal(err)
		}
		exchange("followup-v1-nosuchname", p)
		p, err = getPacket(gosnmp.Version1, "public", s.ids.id(seq), r.oids[:1]).MarshalMsg()
		if err != nil {
			t.Fatal(err)
		}
		exchange("followup-v1", p)
	}
}

// TestSweepDecodeSeeds checks the recorded replies are accepted as what
// they are, and refused from any other address or port.
func TestSweepDecodeSeeds(t *testing.T) {
	files, _ := filepath.Glob("testdata/sweep_replies/*.bin")
	if len(files) < 5 {
		t.Fatalf("%d seeds", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			s := fuzzSweeper(t)
			m := newMatcher(s.plan, s.ids, s.port)
			from := netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[:4])), binary.BigEndian.Uint16(b[4:6]))
			r, err := m.decode(from, b[6:])
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if strings.HasPrefix(filepath.Base(file), "probe-") != r.probe {
				t.Errorf("probe = %v", r.probe)
			}
			if strings.Contains(file, "v3-report") && r.engineID != "80001f88046d6670666c6565742d66757a7a" {
				t.Errorf("engine ID %q", r.engineID)
			}
			before := s.stats.Replies
			s.handle(r)
			if s.stats.Replies != before+1 {
				t.Errorf("handle did not count the reply")
			}
			for _, other := range []netip.AddrPort{
				netip.AddrPortFrom(netip.MustParseAddr("127.0.20.6"), from.Port()),
				netip.AddrPortFrom(from.Addr(), 162),
			} {
				r, err := m.decode(other, b[6:])
				if err == nil && r.probe {
					t.Errorf("accepted from %v", other)
				}
				if err == nil && !r.probe {
					// A follow-up answer passes decode; handle must refuse it.
					s2 := fuzzSweeper(t)
					s2.handle(r)
					if s2.stats.Replies != 0 || s2.stats.Dropped != 1 {
						t.Errorf("follow-up answer from %v accepted", other)
					}
				}
			}
		})
	}
}
