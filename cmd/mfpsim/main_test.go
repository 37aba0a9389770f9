package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gosnmp/gosnmp"
)

// This command's tests use 127.0.32.0/24.

func buildMfpsim(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mfpsim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestMfpsimServes runs the real binary: synthetic devices and a recording
// on 127.0.32.x with ephemeral ports, each answering a real SNMP GET, and a
// clean exit on SIGINT.
func TestMfpsimServes(t *testing.T) {
	bin := buildMfpsim(t)
	rec, _ := filepath.Abs("../../devices/testdata/snmprec/librenms/xerox.snmprec")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--base", "127.0.32.1", "--count", "4", "--vendors", "xerox,hp",
		rec, "--snmp-port", "0", "--v3-only", "1", "--no-gmail", "--https-port", "0", "--http-port", "0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()

	type line struct{ addr, vendor, model, serial, source string }
	var lines []line
	sc := bufio.NewScanner(stdout)
	ready := false
	for sc.Scan() {
		l := sc.Text()
		if l == "mfpsim: ready" {
			ready = true
			break
		}
		f := strings.Split(l, "\t")
		if f[0] == "gmail" || f[0] == "config" {
			continue
		}
		if len(f) < 5 {
			t.Fatalf("line %q: want tab-separated address, vendor, model, serial, source, …", l)
		}
		lines = append(lines, line{f[0], f[1], f[2], f[3], f[4]})
	}
	if !ready {
		t.Fatalf("no ready line; stderr:\n%s", stderr.String())
	}
	if len(lines) != 5 {
		t.Fatalf("%d devices printed, want 5 (1 recording + 4 synthetic): %v", len(lines), lines)
	}
	if !strings.HasPrefix(lines[0].addr, "127.0.32.1:") || lines[0].model != "AltaLink C8045" || lines[0].source != rec {
		t.Errorf("recording line = %+v", lines[0])
	}
	for i, l := range lines {
		host, port, _ := net.SplitHostPort(l.addr)
		if want := "127.0.32." + strconv.Itoa(i+1); host != want {
			t.Errorf("device %d at %s, want %s", i, host, want)
		}
		if i > 0 && l.vendor != "xerox" && l.vendor != "hp" {
			t.Errorf("device %d vendor %s outside --vendors", i, l.vendor)
		}
		p, _ := strconv.Atoi(port)
		g := &gosnmp.GoSNMP{Target: host, Port: uint16(p), Version: gosnmp.Version2c, Community: "public",
			Timeout: time.Second, Retries: 1}
		if err := g.Connect(); err != nil {
			t.Fatal(err)
		}
		res, err := g.Get([]string{".1.3.6.1.2.1.1.1.0", ".1.3.6.1.2.1.43.5.1.1.17.1"})
		g.Conn.Close()
		if strings.HasSuffix(l.model, "(SNMPv3 only)") {
			if err == nil {
				t.Errorf("v3-only device %s answered v2c", l.addr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("GET %s: %v", l.addr, err)
		}
		descr := string(res.Variables[0].Value.([]byte))
		if !strings.Contains(descr, strings.Fields(l.model)[0]) && !strings.Contains(descr, "HP ETHERNET") {
			t.Errorf("%s: sysDescr %q does not match printed model %q", l.addr, descr, l.model)
		}
		if l.serial != "-" {
			if got, _ := res.Variables[1].Value.([]byte); string(got) != l.serial {
				t.Errorf("%s: serial %q, printed %q", l.addr, got, l.serial)
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGINT: %v\n%s", err, stderr.String())
	}
}

func TestMfpsimRefuses(t *testing.T) {
	bin := buildMfpsim(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"non-loopback base", []string{"--base", "10.0.0.1", "--count", "1"}, "not a loopback address"},
		{"private base", []string{"--base", "192.168.1.10", "--count", "1"}, "127.0.0.0/8"},
		{"not an address", []string{"--base", "printer.local", "--count", "1"}, "not an IPv4 address"},
		{"nothing", []string{"--base", "127.0.32.50"}, "nothing to simulate"},
		{"unknown vendor", []string{"--base", "127.0.32.50", "--count", "1", "--vendors", "acme"}, "unknown vendor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if err == nil || !asExit(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("exit %v, want status 1\n%s", err, out)
			}
			if !strings.Contains(string(out), tc.want) || !strings.HasPrefix(string(out), "mfpsim: ") {
				t.Errorf("output %q, want 'mfpsim: …%s…'", out, tc.want)
			}
		})
	}
}

func asExit(err error, ee **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	*ee = e
	return ok
}

func TestReorderArgs(t *testing.T) {
	got := reorderArgs([]string{"mfpsim", "--snmprec", "a", "b", "--snmp-port", "1161", "c", "--count=2"})
	want := []string{"mfpsim", "--snmprec", "a", "--snmp-port", "1161", "--count=2", "--", "b", "c"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("reorderArgs = %q, want %q", got, want)
	}
}

// TestFaultCommaForm runs the flag parser as a technician types the
// documented comma form: every listed address gets the fault.
func TestFaultCommaForm(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		app := newApp(pw, &stderr)
		done <- app.RunContext(ctx, reorderArgs([]string{"mfpsim", "--base", "127.0.32.70", "--count", "3", "--vendors", "xerox",
			"--snmp-port", "0", "--https-port", "0", "--http-port", "0", "--no-gmail", "--fault", "slow:10ms=127.0.32.70,127.0.32.72"}))
		pw.Close()
	}()
	var lines []string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if sc.Text() == "mfpsim: ready" {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("mfpsim refused the comma form: %v\n%s", err, stderr.String())
	}
	slow := map[string]bool{}
	for _, l := range lines {
		if strings.Contains(l, "faults=slow:10ms") {
			host, _, _ := strings.Cut(strings.Fields(l)[0], ":")
			slow[host] = true
		}
	}
	if !slow["127.0.32.70"] || !slow["127.0.32.72"] || slow["127.0.32.71"] || len(slow) != 2 {
		t.Fatalf("slow devices %v, want .70 and .72:\n%s", slow, strings.Join(lines, "\n"))
	}
}
