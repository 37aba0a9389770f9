package sim

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/mfpfleet/mfpfleet/devices/snmprec"
)

// This package's SNMP tests use 127.0.30.0/24 - 127.0.34.255.

// requireSNMPTool skips a test when an external program is missing, or fails
// it when MFPFLEET_REQUIRE_PEERS=1 (CI).
func requireSNMPTool(t *testing.T, bin string) string {
	t.Helper()
	p, err := exec.LookPath(bin)
	if err != nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			t.Fatalf("%s not found and MFPFLEET_REQUIRE_PEERS=1: install it (Debian package snmp)", bin)
		}
		t.Skipf("%s not found: install Debian package snmp", bin)
	}
	return p
}

const snmpRecordingsDir = "../testdata/snmprec"

func loadSNMPRecording(t *testing.T, name string) *snmprec.Table {
	t.Helper()
	tab, err := snmprec.ParseFile(filepath.Join(snmpRecordingsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// startSNMPAgent serves a on ip:0 and returns the bound address.
func startSNMPAgent(t *testing.T, ip string, a *SNMPAgent) *net.UDPAddr {
	t.Helper()
	conn, err := net.ListenPacket("udp4", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, conn) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		conn.Close()
	})
	return conn.LocalAddr().(*net.UDPAddr)
}

func snmpClient(t *testing.T, addr *net.UDPAddr, v gosnmp.SnmpVersion, community string) *gosnmp.GoSNMP {
	t.Helper()
	g := &gosnmp.GoSNMP{
		Target: addr.IP.String(), Port: uint16(addr.Port), Version: v, Community: community,
		Timeout: 2 * time.Second, Retries: 1, MaxOids: 60, MaxRepetitions: 20,
	}
	if err := g.Connect(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Conn.Close() })
	return g
}

func TestAgentGet(t *testing.T) {
	tab := loadSNMPRecording(t, "librenms/ricoh_mpc3002.snmprec")
	addr := startSNMPAgent(t, "127.0.30.1", &SNMPAgent{Table: tab})
	const (
		descr   = ".1.3.6.1.2.1.1.1.0"
		serial  = ".1.3.6.1.2.1.43.5.1.1.17.1"
		mac     = ".1.3.6.1.2.1.2.2.1.6.1"
		noInst  = ".1.3.6.1.2.1.43.5.1.1.17.9" // column exists, instance does not
		noObj   = ".1.3.6.1.4.1.99999.1.0"
		counter = ".1.3.6.1.2.1.1.3.0"
	)

	t.Run("v2c", func(t *testing.T) {
		g := snmpClient(t, addr, gosnmp.Version2c, "anything")
		res, err := g.Get([]string{descr, serial, mac, noInst, noObj, counter})
		if err != nil {
			t.Fatal(err)
		}
		if res.Error != gosnmp.NoError {
			t.Fatalf("error status %v", res.Error)
		}
		vs := res.Variables
		if got := string(vs[0].Value.([]byte)); !strings.HasPrefix(got, "RICOH Aficio MP C3002 2.20") {
			t.Errorf("sysDescr = %q", got)
		}
		if got := string(vs[1].Value.([]byte)); got != "W492KB03439" {
			t.Errorf("serial = %q", got)
		}
		if got := vs[2].Value.([]byte); !bytes.Equal(got, []byte{0x00, 0x26, 0x73, 0x54, 0xe2, 0x6a}) {
			t.Errorf("ifPhysAddress = %x", got)
		}
		if vs[3].Type != gosnmp.NoSuchInstance {
			t.Errorf("missing instance: type %v, want NoSuchInstance", vs[3].Type)
		}
		if vs[4].Type != gosnmp.NoSuchObject {
			t.Errorf("missing object: type %v, want NoSuchObject", vs[4].Type)
		}
		if vs[5].Type != gosnmp.TimeTicks || vs[5].Value.(uint32) < 90117500 {
			t.Errorf("sysUpTime = %v %v, want TimeTicks from the recorded 90117500 on", vs[5].Type, vs[5].Value)
		}
	})

	t.Run("v1 noSuchName", func(t *testing.T) {
		g := snmpClient(t, addr, gosnmp.Version1, "public")
		res, err := g.Get([]string{descr, noObj, serial})
		if err != nil {
			t.Fatal(err)
		}
		if res.Error != gosnmp.NoSuchName || res.ErrorIndex != 2 {
			t.Errorf("v1 GET with a missing OID: error %v index %d, want noSuchName at 2", res.Error, res.ErrorIndex)
		}
		res, err = g.Get([]string{descr, serial})
		if err != nil || res.Error != gosnmp.NoError || len(res.Variables) != 2 {
			t.Fatalf("v1 GET: %v %+v", err, res)
		}
	})

	t.Run("set refused", func(t *testing.T) {
		g := snmpClient(t, addr, gosnmp.Version2c, "public")
		res, err := g.Set([]gosnmp.SnmpPDU{{Name: descr, Type: gosnmp.OctetString, Value: "x"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Error != gosnmp.NotWritable {
			t.Errorf("SET: error %v, want notWritable", res.Error)
		}
	})
}

func TestAgentWalk(t *testing.T) {
	tab := loadSNMPRecording(t, "librenms/jetdirect_m252dw.snmprec")
	addr := startSNMPAgent(t, "127.0.30.2", &SNMPAgent{Table: tab})
	want := tab.Vars()
	var counter64 int
	for _, v := range want {
		if v.Type == snmprec.Counter64 {
			counter64++
		}
	}
	if counter64 == 0 {
		t.Fatal("the recording should hold Counter64 values for the v1 case")
	}
	for _, tc := range []struct {
		name string
		v    gosnmp.SnmpVersion
		bulk bool
		want int
	}{
		{"v2c getnext", gosnmp.Version2c, false, len(want)},
		{"v2c getbulk", gosnmp.Version2c, true, len(want)},
		{"v1 getnext skips Counter64", gosnmp.Version1, false, len(want) - counter64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := snmpClient(t, addr, tc.v, "public")
			var got []gosnmp.SnmpPDU
			var err error
			if tc.bulk {
				got, err = g.BulkWalkAll(".1.3")
			} else {
				got, err = g.WalkAll(".1.3")
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Fatalf("walk returned %d variables, want %d", len(got), tc.want)
			}
			prev := ""
			for _, p := range got {
				oid := strings.TrimPrefix(p.Name, ".")
				if prev != "" && snmprec.CompareOID(prev, oid) >= 0 {
					t.Fatalf("walk out of order: %s then %s", prev, oid)
				}
				prev = oid
				if _, ok := tab.Get(oid); !ok {
					t.Fatalf("walk returned %s, not in the table", oid)
				}
			}
		})
	}
}

func TestAgentCommunityAndGarbage(t *testing.T) {
	tab := loadSNMPRecording(t, "librenms/xerox.snmprec")
	addr := startSNMPAgent(t, "127.0.30.3", &SNMPAgent{Table: tab, Community: "s3cret"})

	wrong := snmpClient(t, addr, gosnmp.Version2c, "public")
	wrong.Timeout, wrong.Retries = 300*time.Millisecond, 0
	if _, err := wrong.Get([]string{".1.3.6.1.2.1.1.1.0"}); err == nil {
		t.Error("a wrong community got an answer, want silence")
	}

	// Hostile datagrams: none answered, and the agent keeps serving.
	c, err := net.DialUDP("udp4", nil, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	good := snmpClient(t, addr, gosnmp.Version2c, "s3cret")
	pkt, err := good.MkSnmpPacket(gosnmp.GetRequest, []gosnmp.SnmpPDU{{Name: ".1.3.6.1.2.1.1.1.0", Type: gosnmp.Null}}, 0, 0).MarshalMsg()
	if err != nil {
		t.Fatal(err)
	}
	for _, junk := range [][]byte{
		{}, {0x30}, {0x30, 0x82, 0xff, 0xff}, []byte("GET / HTTP/1.0\r\n\r\n"),
		pkt[:len(pkt)/2], append(bytes.Clone(pkt), 0, 0, 0), bytes.Repeat([]byte{0x30, 0x80}, 500),
	} {
		if _, err := c.Write(junk); err != nil {
			t.Fatal(err)
		}
	}
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	buf := make([]byte, 2048)
	for {
		n, err := c.Read(buf)
		if err != nil {
			break
		}
		// Only the well-formed request with trailing bytes may be answered.
		if _, derr := (&gosnmp.GoSNMP{}).SnmpDecodePacket(buf[:n]); derr != nil {
			t.Errorf("agent answered garbage with an undecodable %x", buf[:n])
		}
	}
	res, err := good.Get([]string{".1.3.6.1.2.1.1.1.0"})
	if err != nil {
		t.Fatalf("agent stopped answering after garbage: %v", err)
	}
	if !strings.HasPrefix(string(res.Variables[0].Value.([]byte)), "Xerox AltaLink C8045") {
		t.Errorf("sysDescr = %q", res.Variables[0].Value)
	}
}

func TestAgentV3Discovery(t *testing.T) {
	tab := loadSNMPRecording(t, "librenms/xerox.snmprec")
	addr := startSNMPAgent(t, "127.0.30.4", &SNMPAgent{Table: tab, EngineID: "mfpsim-3TB000001", V3Only: true})

	g := &gosnmp.GoSNMP{
		Target: addr.IP.String(), Port: uint16(addr.Port), Version: gosnmp.Version3,
		Timeout: time.Second, Retries: 0,
		SecurityModel: gosnmp.UserSecurityModel, MsgFlags: gosnmp.NoAuthNoPriv,
		SecurityParameters: &gosnmp.UsmSecurityParameters{UserName: "nobody"},
	}
	if err := g.Connect(); err != nil {
		t.Fatal(err)
	}
	defer g.Conn.Close()
	_, err := g.Get([]string{".1.3.6.1.2.1.1.1.0"})
	if err == nil {
		t.Fatal("v3 GET by an unknown user succeeded")
	}
	usm := g.SecurityParameters.(*gosnmp.UsmSecurityParameters)
	if usm.AuthoritativeEngineID != "mfpsim-3TB000001" {
		t.Errorf("engine ID learned = %q, want mfpsim-3TB000001 (err %v)", usm.AuthoritativeEngineID, err)
	}
	t.Logf("v3 GET by an unknown user: %v", err)

	// V3Only: v2c gets nothing.
	c := snmpClient(t, addr, gosnmp.Version2c, "public")
	c.Timeout, c.Retries = 300*time.Millisecond, 0
	if _, err := c.Get([]string{".1.3.6.1.2.1.1.1.0"}); err == nil {
		t.Error("a v3-only agent answered v2c")
	}
}

// TestNetSNMPInterop queries the agent with net-snmp's tools, an
// independent SNMP implementation, over v1, v2c (GET, GETNEXT walk,
// GETBULK walk) and an SNMPv3 probe.
func TestNetSNMPInterop(t *testing.T) {
	snmpget := requireSNMPTool(t, "snmpget")
	snmpwalk := requireSNMPTool(t, "snmpwalk")
	snmpbulkwalk := requireSNMPTool(t, "snmpbulkwalk")
	tab := loadSNMPRecording(t, "librenms/jetdirect_m130nw.snmprec")
	addr := startSNMPAgent(t, "127.0.30.5", &SNMPAgent{Table: tab, EngineID: "mfpsim-interop"})
	target := addr.String()
	run := func(bin string, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(os.Environ(), "MIBS=", "MIBDIRS=/nonexistent")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	t.Run("get v2c", func(t *testing.T) {
		out, err := run(snmpget, "-v2c", "-c", "public", "-On", "-Oe", target,
			".1.3.6.1.2.1.1.1.0", ".1.3.6.1.2.1.43.5.1.1.17.1", ".1.3.6.1.2.1.1.2.0", ".1.3.6.1.4.1.4242.1.0")
		if err != nil {
			t.Fatalf("snmpget: %v\n%s", err, out)
		}
		for _, want := range []string{
			`.1.3.6.1.2.1.1.1.0 = STRING: "HP ETHERNET MULTI-ENVIRONMENT,SN:VNCRC48198`,
			`.1.3.6.1.2.1.43.5.1.1.17.1 = STRING: "VNCRC48198"`,
			`.1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.11.2.3.9.1`,
			`.1.3.6.1.4.1.4242.1.0 = No Such Object`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("snmpget output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("get v1 noSuchName", func(t *testing.T) {
		out, _ := run(snmpget, "-v1", "-c", "public", "-On", target, ".1.3.6.1.2.1.1.1.0", ".1.3.6.1.4.1.4242.1.0")
		if !strings.Contains(out, "noSuchName") || !strings.Contains(out, ".1.3.6.1.4.1.4242.1.0") {
			t.Errorf("snmpget -v1 of a missing OID: want a noSuchName error naming it:\n%s", out)
		}
	})
	for _, tc := range []struct {
		name string
		bin  string
		args []string
	}{
		{"walk v2c", snmpwalk, []string{"-v2c"}},
		{"walk v1", snmpwalk, []string{"-v1"}},
		{"bulkwalk v2c", snmpbulkwalk, []string{"-v2c", "-Cr25"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(tc.args, "-c", "public", "-On", "-Oq", "-Oe", target, ".1")
			out, err := run(tc.bin, args...)
			if err != nil {
				t.Fatalf("%s: %v\n%s", tc.name, err, out)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			want := tab.Len()
			if tc.args[0] == "-v1" {
				for _, v := range tab.Vars() {
					if v.Type == snmprec.Counter64 {
						want--
					}
				}
			}
			// A value with a newline spans lines: count OIDs instead.
			n := 0
			for _, l := range lines {
				// snmpwalk -v2c ends with the endOfMibView it received.
				if strings.HasPrefix(l, ".1.") && !strings.Contains(l, "No more variables left in this MIB View") {
					n++
				}
			}
			if n != want {
				t.Errorf("%s: %d variables, want %d", tc.name, n, want)
			}
			if !strings.Contains(out, ".1.3.6.1.2.1.25.3.2.1.3.1 \"HP LaserJet MFP M130nw\"") {
				t.Errorf("%s lacks hrDeviceDescr.1", tc.name)
			}
		})
	}
	t.Run("v3 probe", func(t *testing.T) {
		out, err := run(snmpget, "-v3", "-l", "noAuthNoPriv", "-u", "probe", "-r", "0", "-t", "2", target, ".1.3.6.1.2.1.1.1.0")
		if err == nil || !strings.Contains(strings.ToLower(out), "unknown user name") {
			t.Errorf("snmpget -v3 with an unknown user: want 'Unknown user name', got %v:\n%s", err, out)
		}
	})
}

// FuzzAgentHandle: no request, however hostile, makes the agent panic or
// answer with something that does not decode.
func FuzzAgentHandle(f *testing.F) {
	tab := snmpTestTable()
	a := &SNMPAgent{Table: tab, EngineID: "fuzz"}
	g := &gosnmp.GoSNMP{Version: gosnmp.Version2c, Community: "public"}
	for _, typ := range []gosnmp.PDUType{gosnmp.GetRequest, gosnmp.GetNextRequest, gosnmp.GetBulkRequest} {
		p, _ := g.MkSnmpPacket(typ, []gosnmp.SnmpPDU{{Name: ".1.3.6.1.2.1.1.1.0", Type: gosnmp.Null}}, 0, 10).MarshalMsg()
		f.Add(p)
	}
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, pkt []byte) {
		out := a.Handle(pkt)
		if out == nil {
			return
		}
		if _, err := (&gosnmp.GoSNMP{}).SnmpDecodePacket(out); err != nil {
			t.Fatalf("answer does not decode: %v", err)
		}
	})
}

// snmpTestTable is a small table for fuzzing.
func snmpTestTable() *snmprec.Table {
	return snmprec.NewTable(
		snmprec.OctetStr("1.3.6.1.2.1.1.1.0", "Xerox AltaLink C8045; SS 100.002.057.09608"),
		snmprec.OID("1.3.6.1.2.1.1.2.0", "1.3.6.1.4.1.253.8.62.1.35.2.3.1.1"),
		snmprec.Uint("1.3.6.1.2.1.1.3.0", snmprec.TimeTicks, 5),
		snmprec.Int("1.3.6.1.2.1.1.7.0", 72),
		snmprec.Uint("1.3.6.1.2.1.31.1.1.1.6.1", snmprec.Counter64, 1<<40),
		snmprec.Var{OID: "1.3.6.1.2.1.4.20.1.1.10.0.0.1", Type: snmprec.IPAddress, Value: "10.0.0.1"},
	)
}
