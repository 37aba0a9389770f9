package devices

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices/snmprec"
)

// v3Responder answers the SNMPv3 engine-ID probe on addr:port with a
// report carrying engineID, and nothing else (an SNMPv3-only agent).
func v3Responder(t *testing.T, addr string, port int, engineID string) {
	t.Helper()
	conn, err := net.ListenPacket("udp4", fmt.Sprintf("%s:%d", addr, port))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	go func() {
		buf := make([]byte, 65536)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			req, err := (&gosnmp.GoSNMP{}).SnmpDecodePacket(slices.Clone(buf[:n]))
			if err != nil || req.Version != gosnmp.Version3 {
				continue
			}
			resp := &gosnmp.SnmpPacket{
				Version: gosnmp.Version3, MsgFlags: gosnmp.NoAuthNoPriv, SecurityModel: gosnmp.UserSecurityModel,
				SecurityParameters: &gosnmp.UsmSecurityParameters{AuthoritativeEngineID: engineID, AuthoritativeEngineBoots: 1, AuthoritativeEngineTime: 42},
				MsgID:              req.MsgID, MsgMaxSize: 65507, ContextEngineID: engineID, PDUType: gosnmp.Report, RequestID: req.RequestID,
				Variables: []gosnmp.SnmpPDU{{Name: ".1.3.6.1.6.3.15.1.1.4.0", Type: gosnmp.Counter32, Value: uint32(1)}},
			}
			if b, err := resp.MarshalMsg(); err == nil {
				_, _ = conn.WriteTo(b, from)
			}
		}
	}()
}

// TestSweepV3Pool runs the SNMPv3 path with fake clients: every v3-only
// agent gets a client of its own per user, users are tried in order, no
// more than Workers agents are worked on at once, and an agent that
// accepts no user is reported as credentials needed.
func TestSweepV3Pool(t *testing.T) {
	const port = 16126
	var agents []string
	for i := range 12 {
		a := fmt.Sprintf("127.0.26.%d", 10+i*7)
		agents = append(agents, a)
		v3Responder(t, a, port, fmt.Sprintf("engine-%02d", i))
	}
	table := snmprec.NewTable(
		snmprec.OctetStr(OIDSysDescr, "Xerox AltaLink C8045; SS 100.002.057.09608, NC 100.002.09608, UI 100.002.09608"),
		snmprec.OID(OIDSysObjectID, "1.3.6.1.4.1.253.8.62.1.35.2.3.1.1"),
		snmprec.OctetStr(OIDPrtGeneralSerial1, "XAB123456"),
	)
	// The agent at agents[3] accepts no user.
	refuses := agents[3]
	var (
		mu            sync.Mutex
		calls         = map[string][]string{}
		busy, maxBusy int
		clients       = map[*fakeV3]bool{}
	)
	users := []V3User{
		{User: "first", AuthProtocol: "SHA", AuthPassword: config.NewSecret("wrong-one")},
		{User: "second", AuthProtocol: "SHA256", AuthPassword: config.NewSecret("right-one"), PrivProtocol: "AES", PrivPassword: config.NewSecret("priv-one")},
	}
	res, err := Sweep(t.Context(), SweepOptions{
		Targets:  MustParseTargets("127.0.26.0/24"),
		Port:     port,
		Rate:     20000,
		Timeout:  time.Second,
		Versions: []string{"3"},
		V3:       users,
		Workers:  3,
		newClient: func(ctx context.Context, agent netip.AddrPort, o ClientOptions) (Client, error) {
			mu.Lock()
			defer mu.Unlock()
			a := agent.Addr().String()
			calls[a] = append(calls[a], o.V3.User)
			c := &fakeV3{fakeClient: fakeClient{table: table, version: gosnmp.Version3}, ok: o.V3.User == "second" && a != refuses,
				done: func() { mu.Lock(); busy--; mu.Unlock() }}
			clients[c] = true
			busy++
			maxBusy = max(maxBusy, busy)
			return c, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("at most %d agents at once", maxBusy)
	if maxBusy > 3 {
		t.Errorf("%d agents worked on at once, want at most Workers=3", maxBusy)
	}
	if len(res.Devices) != len(agents) {
		t.Fatalf("found %d devices, want %d: %+v", len(res.Devices), len(agents), res.Devices)
	}
	for i, d := range res.Devices {
		a := agents[i]
		wantCalls := []string{"first", "second"}
		if got := calls[a]; !slices.Equal(got, wantCalls) {
			t.Errorf("%s: users tried %v, want %v", a, got, wantCalls)
		}
		if d.IP != a || d.SNMPVersion != "3" || d.EngineID != fmt.Sprintf("%x", fmt.Sprintf("engine-%02d", i)) {
			t.Errorf("%+v", d)
		}
		if a == refuses {
			if !d.CredentialsNeeded || d.SysDescr != "" {
				t.Errorf("%s accepts no user: %+v", a, d)
			}
			continue
		}
		if d.CredentialsNeeded || d.Serial != "XAB123456" || d.SysObjectID != "1.3.6.1.4.1.253.8.62.1.35.2.3.1.1" {
			t.Errorf("%s: %+v", a, d)
		}
	}
	if st := res.Stats; st.V3Only != len(agents) || st.CredentialsNeeded != 1 {
		t.Errorf("stats %+v", st)
	}
	for c := range clients {
		if !c.closed {
			t.Error("a client was not closed")
		}
	}
}

// fakeV3 is a fakeClient whose user either works or is refused.
type fakeV3 struct {
	fakeClient
	ok     bool
	closed bool
	done   func()
}

func (f *fakeV3) Get(ctx context.Context, oids []string) (*gosnmp.SnmpPacket, error) {
	time.Sleep(20 * time.Millisecond) // a round trip, so that agents overlap
	if !f.ok {
		return nil, gosnmp.ErrUnknownUsername
	}
	return f.fakeClient.Get(ctx, oids)
}

func (f *fakeV3) Close() error {
	f.closed = true
	f.done()
	return nil
}
