package devices

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
)

// requirePeer returns the path of an external program the test needs. It
// skips the test when the program is missing, unless
// MFPFLEET_REQUIRE_PEERS=1 (CI), where it fails instead.
func requirePeer(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		if p := filepath.Join(dir, name); isExecutable(p) {
			return p
		}
	}
	if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
		t.Fatalf("%s is not installed (MFPFLEET_REQUIRE_PEERS=1): apt-get install snmpd", name)
	}
	t.Skipf("%s is not installed: apt-get install snmpd to run this test", name)
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode()&0o111 != 0
}

// Test credentials of the snmpd instances (test-only values).
const (
	snmpdPort      = 1161
	snmpdCommunity = "mfp-sweep-test"
	snmpdV3User    = "v3user"
	snmpdAuthPass  = "authpass123"
	snmpdPrivPass  = "privpass123"
	snmpdV3Auth256 = "v3auth256"
	snmpdAuth256   = "authpass256"
)

// altalinkConf makes net-snmp's snmpd look like a Xerox AltaLink C8045
// (sysDescr, sysObjectID, Printer-MIB serial, hrDevice printer row).
const altalinkConf = `sysDescr Xerox AltaLink C8045; SS 100.002.057.09608, NC 100.002.09608, UI 100.002.09608
sysObjectID .1.3.6.1.4.1.253.8.62.1.35.2.3.1.1
sysName altalink-sweep
sysLocation Lab 2, sweep test
override .1.3.6.1.2.1.43.5.1.1.17.1 octet_str "XAB123456"
override .1.3.6.1.2.1.43.5.1.1.16.1 octet_str "Xerox AltaLink C8045"
override .1.3.6.1.2.1.25.3.2.1.2.1 object_id .1.3.6.1.2.1.25.3.1.5
override .1.3.6.1.2.1.25.3.2.1.3.1 octet_str "Xerox AltaLink C8045 v1 Multifunction System"
`

type snmpd struct {
	addr     netip.Addr
	engineID string // as configured (text)
	out      *bytes.Buffer
}

// startSnmpd runs net-snmp's snmpd on addr:snmpdPort with the given extra
// configuration and a fresh persistent folder, and stops it at cleanup.
func startSnmpd(t *testing.T, addr, engineID, extra string) *snmpd {
	t.Helper()
	bin := requirePeer(t, "snmpd")
	dir := t.TempDir()
	conf := fmt.Sprintf(`[snmp] persistentDir %s
agentAddress udp:%s:%d
engineID %s
dontLogTCPWrappersConnects yes
%s`, filepath.Join(dir, "persist"), addr, snmpdPort, engineID, extra)
	cf := filepath.Join(dir, "snmpd.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-f", "-Lo", "-C", "-c", cf, "-I", "-smux")
	cmd.Env = append(os.Environ(), "MIBS=", "MIBDIRS=/nonexistent")
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	s := &snmpd{addr: netip.MustParseAddr(addr), engineID: engineID, out: &bytes.Buffer{}}
	var mu sync.Mutex
	ready, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(pr)
		once := sync.Once{}
		for sc.Scan() {
			mu.Lock()
			s.out.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if strings.Contains(sc.Text(), "NET-SNMP version") {
				once.Do(func() { close(ready) })
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			mu.Lock()
			t.Logf("snmpd %s output:\n%s", addr, s.out)
			mu.Unlock()
		}
	})
	select {
	case <-ready:
	case <-exited:
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("snmpd on %s exited:\n%s", addr, s.out)
	case <-time.After(10 * time.Second):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("snmpd on %s did not start:\n%s", addr, s.out)
	}
	return s
}

// engineHex is how snmpd turns a text engineID into the engine ID (RFC
// 3411 format 4, net-snmp enterprise 8072).
func (s *snmpd) engineHex() string { return "80001f8804" + hex.EncodeToString([]byte(s.engineID)) }

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func v3TestUser() V3User {
	return V3User{User: snmpdV3User, AuthProtocol: "SHA", AuthPassword: config.NewSecret(snmpdAuthPass), PrivProtocol: "AES", PrivPassword: config.NewSecret(snmpdPrivPass)}
}

// TestSweepSnmpd sweeps two real net-snmp agents: A answers a community
// and SNMPv3 users, B is SNMPv3-only.
func TestSweepSnmpd(t *testing.T) {
	users := fmt.Sprintf(`createUser %s SHA "%s" AES "%s"
rouser %s priv
createUser %s SHA-256 "%s"
rouser %s auth
`, snmpdV3User, snmpdAuthPass, snmpdPrivPass, snmpdV3User, snmpdV3Auth256, snmpdAuth256, snmpdV3Auth256)
	a := startSnmpd(t, "127.0.21.1", "mfpfleet-a", "rocommunity "+snmpdCommunity+" default\n"+altalinkConf+users)
	b := startSnmpd(t, "127.0.21.2", "mfpfleet-b", altalinkConf+users)
	targets := MustParseTargets("127.0.21.0/24")

	byIP := func(t *testing.T, res SweepResult) map[string]Device {
		t.Helper()
		m := map[string]Device{}
		for _, d := range res.Devices {
			m[d.IP] = d
		}
		if len(m) != len(res.Devices) {
			t.Errorf("duplicate devices: %+v", res.Devices)
		}
		t.Logf("stats: %+v", res.Stats)
		return m
	}
	checkAltaLink := func(t *testing.T, d Device, version string) {
		t.Helper()
		if d.SNMPVersion != version || d.CredentialsNeeded {
			t.Errorf("%s: version %q, credentials needed %v; want %q identified", d.IP, d.SNMPVersion, d.CredentialsNeeded, version)
		}
		if !strings.HasPrefix(d.SysDescr, "Xerox AltaLink C8045") || d.SysObjectID != "1.3.6.1.4.1.253.8.62.1.35.2.3.1.1" {
			t.Errorf("%s: sysDescr %q sysObjectID %q", d.IP, d.SysDescr, d.SysObjectID)
		}
		if d.Vendor != "xerox" || d.Serial != "XAB123456" || !strings.Contains(d.Model, "AltaLink C8045") {
			t.Errorf("%s: identified as vendor %q model %q serial %q; want xerox AltaLink C8045 XAB123456", d.IP, d.Vendor, d.Model, d.Serial)
		}
	}
	checkCredsNeeded := func(t *testing.T, d Device, s *snmpd) {
		t.Helper()
		if !d.CredentialsNeeded || d.SNMPVersion != "3" || d.EngineID != s.engineHex() {
			t.Errorf("%s: %+v; want credentials needed, v3, engine %s", d.IP, d, s.engineHex())
		}
		if d.Vendor != "" || d.SysDescr != "" {
			t.Errorf("%s: identified without credentials: %+v", d.IP, d)
		}
	}
	base := SweepOptions{Targets: targets, Port: snmpdPort, Rate: 20000, Timeout: time.Second, Retries: 1, AllSNMP: true}

	t.Run("v2c and v3-only without users", func(t *testing.T) {
		o := base
		o.Communities = []string{"wrong", snmpdCommunity}
		o.Logger = testLogger(t)
		res, err := Sweep(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		m := byIP(t, res)
		if len(m) != 2 {
			t.Fatalf("found %d devices, want 2: %+v", len(m), res.Devices)
		}
		checkAltaLink(t, m[a.addr.String()], "2c")
		if m[a.addr.String()].EngineID != a.engineHex() {
			t.Errorf("engine ID %q of an agent identified over v2c, want %q from the v3 probe", m[a.addr.String()].EngineID, a.engineHex())
		}
		checkCredsNeeded(t, m[b.addr.String()], b)
		if st := res.Stats; st.HostsAnswering != 2 || st.V3Agents != 2 || st.V3Only != 1 || st.CredentialsNeeded != 1 {
			t.Errorf("stats %+v: want 2 hosts, 2 v3 agents, 1 v3-only, 1 credentials needed", st)
		}
	})
	t.Run("v1 only", func(t *testing.T) {
		o := base
		o.Communities = []string{snmpdCommunity}
		o.Versions = []string{"1"}
		res, err := Sweep(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		m := byIP(t, res)
		if len(m) != 1 {
			t.Fatalf("found %+v, want A only", res.Devices)
		}
		checkAltaLink(t, m[a.addr.String()], "1")
	})
	t.Run("v3 authPriv SHA/AES", func(t *testing.T) {
		o := base
		o.Versions = []string{"3"}
		o.Communities = []string{snmpdCommunity} // ignored: v3 only
		o.V3 = []V3User{{User: "nobody", AuthProtocol: "SHA", AuthPassword: config.NewSecret("whatever1")}, v3TestUser()}
		o.Logger = testLogger(t)
		res, err := Sweep(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		m := byIP(t, res)
		if len(m) != 2 {
			t.Fatalf("found %d devices, want 2: %+v", len(m), res.Devices)
		}
		if res.Stats.CredentialsNeeded != 0 || res.Stats.V3Only != 2 {
			t.Errorf("stats %+v: want 2 v3-only agents, all identified", res.Stats)
		}
		for _, s := range []*snmpd{a, b} {
			d := m[s.addr.String()]
			checkAltaLink(t, d, "3")
			if d.EngineID != s.engineHex() {
				t.Errorf("%s: engine ID %q, want %q", d.IP, d.EngineID, s.engineHex())
			}
		}
	})
	t.Run("v3 authNoPriv SHA-256", func(t *testing.T) {
		o := base
		o.Versions = []string{"3"}
		o.V3 = []V3User{{User: snmpdV3Auth256, AuthProtocol: "SHA256", AuthPassword: config.NewSecret(snmpdAuth256)}}
		res, err := Sweep(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		m := byIP(t, res)
		checkAltaLink(t, m[b.addr.String()], "3")
	})
	t.Run("v3 wrong passwords", func(t *testing.T) {
		o := base
		o.Versions = []string{"3"}
		o.Timeout = 500 * time.Millisecond
		wrongAuth := v3TestUser()
		wrongAuth.AuthPassword = config.NewSecret("not-the-password")
		wrongPriv := v3TestUser()
		wrongPriv.PrivPassword = config.NewSecret("not-the-password")
		o.V3 = []V3User{wrongAuth, wrongPriv}
		var logs bytes.Buffer
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		res, err := Sweep(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		m := byIP(t, res)
		if len(m) != 2 {
			t.Fatalf("found %+v, want both agents as credentials needed", res.Devices)
		}
		checkCredsNeeded(t, m[a.addr.String()], a)
		checkCredsNeeded(t, m[b.addr.String()], b)
		for _, secret := range []string{"not-the-password", snmpdAuthPass, snmpdPrivPass} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("a password appears in the logs")
			}
		}
		if !strings.Contains(logs.String(), "credentials needed") {
			t.Errorf("logs do not say credentials are needed:\n%s", logs.String())
		}
	})
	t.Run("cancel", func(t *testing.T) {
		o := base
		o.Communities = []string{snmpdCommunity}
		o.Targets = MustParseTargets("127.0.22.0/24", "127.0.21.0/24")
		o.Rate = 20 // 1,536 probes: over a minute unless cancelled
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		res, err := Sweep(ctx, o)
		if err == nil || ctx.Err() == nil {
			t.Fatalf("err = %v, want the context's", err)
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("cancel took %v", d)
		}
		if res.Stats.PacketsSent == 0 || res.Stats.PacketsSent >= 1536 {
			t.Errorf("%d packets sent before the cancel", res.Stats.PacketsSent)
		}
	})
}
