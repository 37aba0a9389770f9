package devices_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/devices/snmprec"
)

// simPort is the UDP port of the simulated agents in 127.0.23.0/24.
const simPort = 16123

// startFleet serves planned devices at the given addresses of
// 127.0.23.0/24 (and cleans them up).
func startFleet(t *testing.T, cfg sim.SNMPFleetConfig, addrs []string, community string) []sim.SNMPDevice {
	t.Helper()
	cfg.Base = netip.MustParseAddr("127.0.23.1")
	devs, err := sim.PlanSNMPFleet(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != len(addrs) {
		t.Fatalf("planned %d devices for %d addresses", len(devs), len(addrs))
	}
	for i := range devs {
		devs[i].Addr = netip.MustParseAddr(addrs[i])
		devs[i].Identity = sim.IdentifyTable(addrs[i], devs[i].Table)
	}
	fleet, err := sim.StartSNMPFleet(t.Context(), devs, simPort, community, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fleet.Close() })
	return devs
}

// serveTable runs one agent on addr (a switch, say) and cleans it up.
func serveTable(t *testing.T, addr string, table *snmprec.Table) {
	t.Helper()
	conn, err := net.ListenPacket("udp4", fmt.Sprintf("%s:%d", addr, simPort))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); _ = sim.ServeSNMP(ctx, conn, table, "", nil) }()
	t.Cleanup(func() { cancel(); <-done; conn.Close() })
}

// hostile answers every datagram sent to addr with garbage, with a
// truncated copy, with the request echoed as if it were a response, and
// makes a second socket on spoofAddr (a silent target) answer it too, with
// the right request ID: all of it must be dropped.
func hostile(t *testing.T, addr, spoofAddr string) {
	t.Helper()
	conn, err := net.ListenPacket("udp4", fmt.Sprintf("%s:%d", addr, simPort))
	if err != nil {
		t.Fatal(err)
	}
	spoof, err := net.ListenPacket("udp4", fmt.Sprintf("%s:%d", spoofAddr, simPort))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); spoof.Close() })
	go func() {
		buf := make([]byte, 65536)
		dec := &gosnmp.GoSNMP{Version: gosnmp.Version2c}
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			req := buf[:n]
			_, _ = conn.WriteTo([]byte{0x30, 0x82, 0xff, 0xff, 0x02}, from)
			_, _ = conn.WriteTo(req[:n/2], from)
			pkt, err := dec.SnmpDecodePacket(slices.Clone(req))
			if err != nil || pkt.Version == gosnmp.Version3 {
				continue
			}
			pkt.PDUType = gosnmp.GetResponse
			for i := range pkt.Variables {
				pkt.Variables[i] = gosnmp.SnmpPDU{Name: pkt.Variables[i].Name, Type: gosnmp.OctetString, Value: []byte("Xerox AltaLink C8170 spoofed")}
			}
			if b, err := pkt.MarshalMsg(); err == nil {
				_, _ = spoof.WriteTo(b, from)
				// The right answer from the right address, but with the
				// community changed.
				pkt.Community += "x"
				if b, err := pkt.MarshalMsg(); err == nil {
					_, _ = conn.WriteTo(b, from)
				}
			}
		}
	}()
}

// TestSweepSimFleet sweeps 127.0.23.0/24 holding simulated printers at
// scattered addresses (first and last included), SNMPv3-only agents, a
// printer behind a community we do not know, a switch and a hostile
// responder: it must find exactly the printers and the v3 agents.
func TestSweepSimFleet(t *testing.T) {
	printers := []string{"127.0.23.0", "127.0.23.9", "127.0.23.64", "127.0.23.100", "127.0.23.101", "127.0.23.200", "127.0.23.252", "127.0.23.255"}
	v3only := []string{"127.0.23.30", "127.0.23.31"}
	recs, _ := filepath.Glob("testdata/snmprec/librenms/xerox*.snmprec")
	if len(recs) == 0 {
		t.Fatal("no Xerox recordings in testdata/snmprec/librenms")
	}
	recs = recs[:1]
	devs := startFleet(t, sim.SNMPFleetConfig{Count: len(printers) + len(v3only) - len(recs), V3Only: len(v3only), Recordings: recs},
		append(slices.Clone(printers), v3only...), "")
	// A printer behind a community we do not know still answers the
	// SNMPv3 engine-ID probe: it is listed as credentials needed.
	hidden := startFleet(t, sim.SNMPFleetConfig{Count: 1}, []string{"127.0.23.150"}, "a-community-we-do-not-know")
	serveTable(t, "127.0.23.50", snmprec.NewTable(
		snmprec.OctetStr(devices.OIDSysDescr, "Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 15.0(2)SE11"),
		snmprec.OID(devices.OIDSysObjectID, "1.3.6.1.4.1.9.1.1208"),
		snmprec.OctetStr(devices.OIDSysName, "sw-core-1"),
	))
	hostile(t, "127.0.23.77", "127.0.23.78")

	want := map[string]devices.Device{}
	v3agents := 0
	for _, d := range append(devs, hidden...) {
		if d.EngineID != "" {
			v3agents++
		}
		if d.V3Only || d.Addr.String() == "127.0.23.150" {
			want[d.Addr.String()] = devices.Device{IP: d.Addr.String(), SNMPVersion: "3", CredentialsNeeded: true, EngineID: hex.EncodeToString([]byte(d.EngineID))}
			continue
		}
		id := d.Identity
		id.SNMPVersion = "2c"
		if d.EngineID != "" {
			id.EngineID = hex.EncodeToString([]byte(d.EngineID))
		}
		want[d.Addr.String()] = id
	}
	for _, tc := range []struct {
		name    string
		allSNMP bool
		rate    int
		extra   []string
	}{
		{"printers", false, 20000, nil},
		// A high rate runs several probe senders, one socket each.
		{"all snmp", true, 1_000_000, []string{"127.0.23.50"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var progress []devices.SweepProgress
			res, err := devices.Sweep(t.Context(), devices.SweepOptions{
				Targets:     devices.MustParseTargets("127.0.23.0/24"),
				Port:        simPort,
				Rate:        tc.rate,
				Timeout:     time.Second,
				Retries:     1,
				Communities: []string{"private", "public"},
				AllSNMP:     tc.allSNMP,
				Progress:    func(p devices.SweepProgress) { progress = append(progress, p) },
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("stats %+v, %.0f packets/s", res.Stats, res.Stats.PacketsPerSecond())
			got := map[string]devices.Device{}
			for _, d := range res.Devices {
				got[d.IP] = d
			}
			for ip, w := range want {
				g, ok := got[ip]
				if !ok {
					t.Errorf("%s not found (want %s %s)", ip, w.Vendor, w.Model)
					continue
				}
				if !w.CredentialsNeeded && !w.IsPrinter {
					t.Errorf("%s: the simulator's own identity says not a printer: %+v", ip, w)
				}
				if g != w {
					t.Errorf("%s:\n got %+v\nwant %+v", ip, g, w)
				}
			}
			for ip, g := range got {
				if _, ok := want[ip]; !ok && !slices.Contains(tc.extra, ip) {
					t.Errorf("found %s, which is not a printer of ours: %+v", ip, g)
				}
			}
			for _, ip := range tc.extra {
				if _, ok := got[ip]; !ok {
					t.Errorf("%s not found with AllSNMP", ip)
				}
			}
			if len(got) != len(want)+len(tc.extra) {
				t.Errorf("found %d devices, want %d", len(got), len(want)+len(tc.extra))
			}
			st := res.Stats
			if st.HostsAnswering != len(want)+1 || st.V3Only != len(v3only)+1 || st.V3Agents != v3agents {
				t.Errorf("stats %+v: want %d hosts answering, %d v3-only, %d v3 agents", st, len(want)+1, len(v3only)+1, v3agents)
			}
			if st.Dropped == 0 {
				t.Error("the hostile responder's datagrams were not counted as dropped")
			}
			if len(progress) == 0 || progress[len(progress)-1].Sent != st.PacketsSent || progress[len(progress)-1].Found != len(got) {
				t.Errorf("last progress %+v, stats %+v, %d found", progress[len(progress)-1:], st, len(got))
			}
		})
	}
}

// BenchmarkSweep sweeps 127.0.24.0/22 (1,024 addresses, 8 simulated
// printers) at full speed with the default probes and one second pass,
// and reports the packet rate. bench/sweep/run.sh does the /16 against
// onesixtyone.
func BenchmarkSweep(b *testing.B) {
	addrs := []string{"127.0.24.1", "127.0.24.200", "127.0.25.7", "127.0.25.99", "127.0.26.3", "127.0.26.254", "127.0.27.128", "127.0.27.255"}
	devs, err := sim.PlanSNMPFleet(sim.SNMPFleetConfig{Base: netip.MustParseAddr("127.0.24.1"), Count: len(addrs)})
	if err != nil {
		b.Fatal(err)
	}
	for i := range devs {
		devs[i].Addr = netip.MustParseAddr(addrs[i])
	}
	fleet, err := sim.StartSNMPFleet(b.Context(), devs, simPort, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer fleet.Close()
	targets := devices.MustParseTargets("127.0.24.0/22")
	var packets uint64
	for b.Loop() {
		res, err := devices.Sweep(b.Context(), devices.SweepOptions{
			Targets: targets, Port: simPort, Rate: 1_000_000, Retries: 1, Communities: []string{"public"},
		})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Devices) != len(addrs) {
			b.Fatalf("found %d of %d", len(res.Devices), len(addrs))
		}
		packets += res.Stats.PacketsSent
	}
	b.ReportMetric(float64(packets)/b.Elapsed().Seconds(), "packets/s")
}

// unreliable serves a simulated agent on addr that ignores the requests
// whose number (0-based, in arrival order) is in drop, and answers the
// others after delay(request).
func unreliable(t *testing.T, addr string, a *sim.SNMPAgent, drop map[int]bool, delayOf func([]byte) time.Duration) *atomic.Int64 {
	t.Helper()
	conn, err := net.ListenPacket("udp4", fmt.Sprintf("%s:%d", addr, simPort))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var n atomic.Int64
	go func() {
		buf := make([]byte, 65536)
		for i := 0; ; i++ {
			m, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			n.Store(int64(i + 1))
			if drop[i] {
				continue
			}
			req := slices.Clone(buf[:m])
			out := a.Handle(req)
			if out == nil {
				continue
			}
			var delay time.Duration
			if delayOf != nil {
				delay = delayOf(req)
			}
			if delay == 0 {
				_, _ = conn.WriteTo(out, from)
				continue
			}
			time.AfterFunc(delay, func() { _, _ = conn.WriteTo(out, from) })
		}
	}()
	return &n
}

// TestSweepUnreliableAgents covers the second pass, resent follow-up GETs
// and late answers: each agent loses or delays some of its datagrams and
// must still be identified exactly as the simulator says.
func TestSweepUnreliableAgents(t *testing.T) {
	devs, err := sim.PlanSNMPFleet(sim.SNMPFleetConfig{Base: netip.MustParseAddr("127.0.25.1"), Count: 3, Vendors: []string{"xerox", "hp", "ricoh"}})
	if err != nil {
		t.Fatal(err)
	}
	// A v1 agent missing most identity OIDs needs several follow-up GETs
	// (noSuchName: ask again without the OID).
	sparse := snmprec.NewTable(
		snmprec.OctetStr(devices.OIDSysDescr, "Xerox WorkCentre 7556 v1 Multifunction System; System Software 061.121.225.14700"),
		snmprec.OID(devices.OIDSysObjectID, "1.3.6.1.4.1.253.8.62.1.20.1.1"),
		snmprec.OctetStr(devices.OIDPrtGeneralSerial1, "FKX000123"),
	)
	tests := []struct {
		name     string
		table    *snmprec.Table
		drop     map[int]bool
		delay    func([]byte) time.Duration
		versions []string
		retries  int
		found    bool
	}{
		// Probes are sent v2c, v1, v3 per address: dropping the first
		// three loses the whole first pass.
		{"first pass lost, found in the second", devs[0].Table, map[int]bool{0: true, 1: true, 2: true}, nil, nil, 1, true},
		{"first pass lost, no second pass", devs[0].Table, map[int]bool{0: true, 1: true, 2: true}, nil, nil, 0, false},
		{"slow agent", devs[1].Table, nil, after(300 * time.Millisecond), nil, 1, true},
		// v1 answers first: identification switches to v2c when its
		// answer comes.
		{"v2c answer after v1", devs[1].Table, nil, func(req []byte) time.Duration {
			if req[4] == byte(gosnmp.Version2c) {
				return 50 * time.Millisecond
			}
			return 0
		}, nil, 1, true},
		{"v1 follow-ups, one lost", sparse, map[int]bool{1: true}, nil, []string{"1"}, 1, true},
		{"v1 follow-ups, slow", sparse, nil, after(150 * time.Millisecond), []string{"1"}, 1, true},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := fmt.Sprintf("127.0.25.%d", 10+i)
			// A fast agent elsewhere in the range sets a short drain.
			fast := fmt.Sprintf("127.0.25.%d", 100+i)
			unreliable(t, fast, &sim.SNMPAgent{Table: devs[2].Table}, nil, nil)
			n := unreliable(t, addr, &sim.SNMPAgent{Table: tc.table}, tc.drop, tc.delay)
			res, err := devices.Sweep(t.Context(), devices.SweepOptions{
				Targets:     devices.MustParseTargets("127.0.25.0/24"),
				Port:        simPort,
				Rate:        20000,
				Timeout:     time.Second,
				Retries:     tc.retries,
				Communities: []string{"public"},
				Versions:    tc.versions,
				Logger:      testLog(t),
			})
			if err != nil {
				t.Fatal(err)
			}
			var got *devices.Device
			for _, d := range res.Devices {
				if d.IP == addr {
					got = &d
				}
			}
			t.Logf("stats %+v; the agent saw %d datagrams", res.Stats, n.Load())
			if !tc.found {
				if got != nil {
					t.Fatalf("found %+v", got)
				}
				return
			}
			if got == nil {
				t.Fatalf("%s not found: %+v", addr, res.Devices)
			}
			want := sim.IdentifyTable(addr, tc.table)
			want.SNMPVersion = "2c"
			if tc.versions != nil {
				want.SNMPVersion = tc.versions[0]
			}
			if *got != want {
				t.Errorf("got  %+v\nwant %+v", *got, want)
			}
		})
	}
}

func after(d time.Duration) func([]byte) time.Duration {
	return func([]byte) time.Duration { return d }
}

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tlog struct{ t *testing.T }

func (w tlog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
