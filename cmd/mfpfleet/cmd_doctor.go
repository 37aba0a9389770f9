package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/internal/private"
)

// Doctor check statuses.
const (
	checkOK   = "ok"
	checkWarn = "warn" // works, with a remark
	checkFail = "fail" // will not work: Fix says what to do
	checkSkip = "skip" // not checked (an earlier check failed)
)

// doctorCheck is one line of `mfpfleet doctor`.
type doctorCheck struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// doctorReport is `mfpfleet doctor --json`.
type doctorReport struct {
	Version  string        `json:"version"`
	Platform string        `json:"platform"`
	OK       bool          `json:"ok"` // no check failed
	Checks   []doctorCheck `json:"checks"`
}

// errDoctor is doctor's non-zero exit: the lines already say what to fix.
var errDoctor = errors.New("doctor found problems")

func newDoctorCommand() *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "check this laptop before the visit: browser, inventory, SNMP, Gmail ports, config",
		Description: `Run it first, on the laptop you take on site (and again on the client's
network). Each line is ok, or says what to fix:

   config     fleet.toml parses and is valid
   browser    Chrome, Chromium or Edge is found and starts headless
   inventory  the inventory file (--db, [inventory] path) can be written
   snmp       UDP datagrams to port 161 can be sent (what discover does)
   smtp 587   smtp.gmail.com answers on 587 with STARTTLS ([gmail] smtp_host, starttls_port)
   smtp 465   smtp.gmail.com answers on 465 with TLS ([gmail] tls_port)

Nothing is written to a device or sent by e-mail; no password is needed.
The exit status is 0 when no line failed, 1 otherwise.

Examples:
   mfpfleet doctor
   mfpfleet doctor --config 'C:\Users\me\fleet.toml'
   mfpfleet doctor --json | jq '.checks[] | select(.status != "ok")'`,
		Flags: []cli.Flag{
			&cli.DurationFlag{Name: "timeout", Value: 10 * time.Second, Usage: "how long each network check waits"},
		},
		Action: runDoctor,
	}
}

func runDoctor(c *cli.Context) error {
	if c.Args().Present() {
		return usageError("doctor takes no arguments (got %q)", c.Args().First())
	}
	g := getGlobals(c)
	timeout := c.Duration("timeout")
	rep := doctorReport{Version: buildVersion().Version, Platform: runtime.GOOS + "/" + runtime.GOARCH, OK: true}

	add := func(ch doctorCheck) {
		rep.Checks = append(rep.Checks, ch)
		if ch.Status == checkFail {
			rep.OK = false
		}
		if !g.json {
			printCheck(g, ch)
		}
	}
	if !g.json {
		fmt.Fprintf(g.stdout, "mfpfleet doctor (%s, %s)\n", rep.Version, rep.Platform)
	}
	add(doctorConfig(g))
	// The network checks run while the browser starts.
	var wg sync.WaitGroup
	net3 := make([]doctorCheck, 3)
	wg.Add(3)
	go func() { defer wg.Done(); net3[0] = doctorSNMP(g) }()
	go func() { defer wg.Done(); net3[1] = doctorSMTP(c.Context, g, g.cfg.Gmail.StartTLSPort, true, timeout) }()
	go func() { defer wg.Done(); net3[2] = doctorSMTP(c.Context, g, g.cfg.Gmail.TLSPort, false, timeout) }()
	add(doctorBrowser(c.Context, g))
	add(doctorInventory(g))
	wg.Wait()
	for _, ch := range net3 {
		add(ch)
	}
	if c.Context.Err() != nil {
		return c.Context.Err()
	}
	if g.json {
		if err := g.printJSON(rep); err != nil {
			return err
		}
	} else if rep.OK {
		fmt.Fprintln(g.stdout, "This laptop is ready. Next, on site: mfpfleet discover <the client's range>")
	}
	if !rep.OK {
		return errDoctor
	}
	return nil
}

func printCheck(g *globals, ch doctorCheck) {
	fmt.Fprintf(g.stdout, "%-4s  %-9s  %s\n", strings.ToUpper(ch.Status), ch.Name, ch.Detail)
	if ch.Fix != "" {
		fmt.Fprintf(g.stdout, "      %-9s  fix: %s\n", "", ch.Fix)
	}
}

// doctorConfig reports how fleet.toml loaded (setupGlobals kept its error
// for doctor instead of stopping).
func doctorConfig(g *globals) doctorCheck {
	ch := doctorCheck{Name: "config", Status: checkOK}
	switch {
	case g.cfgErr != nil:
		ch.Status = checkFail
		ch.Detail = g.cfgErr.Error()
		ch.Fix = "correct fleet.toml where the message says (fleet.example.toml documents every key); the checks below use the built-in defaults"
		if strings.Contains(ch.Detail, "escape") || strings.Contains(ch.Detail, "control character") {
			ch.Fix = `write Windows paths in single quotes, path = 'C:\Users\me\fleet.db' (in "double quotes" a backslash starts an escape), or with forward slashes; ` + ch.Fix
		}
	case g.cfg.Path == "":
		ch.Detail = "no fleet.toml here: built-in defaults (copy fleet.example.toml to fleet.toml to set sites, credentials and the Gmail account)"
	default:
		ch.Detail = "loaded " + g.cfg.Path
		if len(g.cfg.Warnings) > 0 {
			ch.Status = checkWarn
			ch.Detail += "; " + strings.Join(g.cfg.Warnings, "; ")
		}
	}
	return ch
}

// doctorBrowser finds the browser and starts it headless once.
func doctorBrowser(ctx context.Context, g *globals) doctorCheck {
	ch := doctorCheck{Name: "browser"}
	found, err := drivers.FindBrowser(g.cfg.Browser.Path)
	if err != nil {
		ch.Status = checkFail
		msg, fix, _ := strings.Cut(err.Error(), "; ")
		ch.Detail, ch.Fix = msg, fix
		return ch
	}
	sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	opts := g.browserOptions("")
	opts.ArtifactsDir = ""
	opts.Path = found.Path
	b, err := drivers.NewBrowser(sctx, opts)
	if err != nil {
		ch.Status = checkFail
		ch.Detail = fmt.Sprintf("%s (%s) did not start headless: %v", found.Path, found.Why, err)
		ch.Fix = "update that browser or point [browser] path at another one (Chrome, Chromium or Edge); check [browser] flags in fleet.toml; run with --log-level debug for Chromium's messages"
		return ch
	}
	_ = b.Close()
	ch.Status = checkOK
	ch.Detail = fmt.Sprintf("%s (%s) starts headless", found.Path, found.Why)
	if !drivers.IsHeadlessShell(found.Path) && runtime.GOOS == "linux" {
		ch.Detail += "; chromium-headless-shell would use about half the CPU"
	}
	return ch
}

// doctorInventory checks that the inventory can be written, without
// creating or migrating it.
func doctorInventory(g *globals) doctorCheck {
	ch := doctorCheck{Name: "inventory"}
	path := g.dbPath
	abs, err := filepath.Abs(path)
	if err == nil {
		path = abs
	}
	moveFix := "or put it in a folder you can write: --db PATH, $MFPFLEET_DB or [inventory] path in fleet.toml (e.g. in your Documents folder)"
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		ch.Status, ch.Detail = checkFail, path+" is a folder, not an inventory file"
		ch.Fix = "name a file: --db " + filepath.Join(path, "fleet.db")
		return ch
	case err == nil:
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			ch.Status, ch.Detail = checkFail, fmt.Sprintf("%s cannot be written: %v", path, errWithoutPath(err))
			ch.Fix = "give yourself write access to it (a copy from another machine may be read-only) " + moveFix
			return ch
		}
		f.Close()
		// SQLite also writes its -wal and -shm next to the file.
		if err := probeDirWritable(filepath.Dir(path)); err != nil {
			ch.Status, ch.Detail = checkFail, fmt.Sprintf("%s is writable but its folder is not (SQLite writes %s-wal beside it): %v", path, filepath.Base(path), err)
			ch.Fix = "make the folder writable " + moveFix
			return ch
		}
		ch.Status, ch.Detail = checkOK, fmt.Sprintf("%s is writable (%d KiB)", path, st.Size()/1024)
		if why := private.Exposed(path); why != "" {
			ch.Status = checkWarn
			ch.Detail += "; " + why
		}
		return ch
	case !errors.Is(err, fs.ErrNotExist):
		ch.Status, ch.Detail = checkFail, fmt.Sprintf("%s: %v", path, errWithoutPath(err))
		ch.Fix = moveFix
		return ch
	}
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); err != nil {
		ch.Status, ch.Detail = checkFail, fmt.Sprintf("the folder of the inventory %s does not exist", dir)
		ch.Fix = "create it, " + moveFix
		return ch
	}
	if err := probeDirWritable(dir); err != nil {
		ch.Status, ch.Detail = checkFail, fmt.Sprintf("the inventory %s cannot be created: folder %s is read-only (%v)", path, dir, err)
		ch.Fix = "run mfpfleet from a folder you can write, " + moveFix
		return ch
	}
	ch.Status, ch.Detail = checkOK, fmt.Sprintf("%s will be created on the first discover (the folder is writable)", path)
	return ch
}

func otherSMTPPort(port int) int {
	if port == 465 {
		return 587
	}
	return 465
}

func probeDirWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".mfpfleet-doctor-*")
	if err != nil {
		return errWithoutPath(err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func errWithoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// doctorSNMP sends one SNMP datagram to port 161 (the discovery port) on
// this machine, as a sweep does to every address: a firewall or a
// security product that blocks outgoing UDP 161 refuses it here.
func doctorSNMP(g *globals) doctorCheck {
	ch := doctorCheck{Name: "snmp"}
	port := g.cfg.Discovery.Port
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{})
	if err != nil {
		ch.Status, ch.Detail = checkFail, fmt.Sprintf("cannot open a UDP socket: %v", err)
		ch.Fix = "a security product or sandbox blocks network access for mfpfleet: allow it, or run from a normal terminal"
		return ch
	}
	defer conn.Close()
	// An SNMPv2c GetRequest for sysDescr.0, community "public".
	pkt := []byte{0x30, 0x29, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c',
		0xa0, 0x1c, 0x02, 0x04, 0x00, 0x00, 0x00, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
		0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00}
	to := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	if _, err := conn.WriteToUDP(pkt, to); err != nil {
		ch.Status, ch.Detail = checkFail, fmt.Sprintf("sending an SNMP datagram to UDP port %d was refused: %v", port, err)
		ch.Fix = fmt.Sprintf("allow outgoing UDP to port %d for mfpfleet in this laptop's firewall or security product (discover cannot find devices otherwise)", port)
		return ch
	}
	ch.Status = checkOK
	ch.Detail = fmt.Sprintf("UDP datagrams to port %d can be sent", port)
	if n := lanAddrs(); n == "" {
		ch.Status = checkWarn
		ch.Detail += "; this laptop has no network address besides loopback: connect it to the client's LAN before discover"
	} else {
		ch.Detail += " (this laptop's addresses: " + n + ")"
	}
	switch runtime.GOOS {
	case "windows":
		ch.Detail += `; Windows Firewall may ask on the first discover: allow mfpfleet on "Private networks"`
	case "darwin":
		ch.Detail += "; macOS may ask to let mfpfleet find devices on the local network: allow it"
	}
	return ch
}

// lanAddrs lists the laptop's IPv4 addresses other than loopback.
func lanAddrs() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	var out []string
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLoopback() && !ipn.IP.IsLinkLocalUnicast() {
			out = append(out, ipn.String())
		}
	}
	return strings.Join(out, ", ")
}

// doctorSMTP connects to the SMTP host as a device will: STARTTLS on
// starttls_port, TLS on tls_port; it reads the greeting, starts TLS and
// checks the certificate, and quits without logging in.
func doctorSMTP(ctx context.Context, g *globals, port int, startTLS bool, timeout time.Duration) doctorCheck {
	host := g.cfg.Gmail.SMTPHost
	ch := doctorCheck{Name: "smtp " + strconv.Itoa(port)}
	mode := "TLS"
	if startTLS {
		mode = "STARTTLS"
	}
	fail := func(stage gmail.Stage, err error) doctorCheck {
		d := gmail.Diagnose(err, stage, port)
		ch.Status = checkFail
		ch.Detail = fmt.Sprintf("%s port %d (%s): %s", host, port, mode, d.Cause)
		if d.Detail != "" && d.Detail != d.Cause {
			ch.Detail += " (" + d.Detail + ")"
		}
		ch.Fix = strings.ReplaceAll(d.NextStep, fmt.Sprintf("(--port %d)", otherSMTPPort(port)),
			fmt.Sprintf("(the devices: [gmail] device_port = %d; mfpfleet gmail check --port %d)", otherSMTPPort(port), otherSMTPPort(port)))
		return ch
	}
	tlsCfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if g.cfg.Gmail.CAFile != "" {
		pem, err := os.ReadFile(g.cfg.Gmail.CAFile)
		if err != nil {
			ch.Status, ch.Detail = checkFail, fmt.Sprintf("[gmail] ca_file: %v", err)
			ch.Fix = "fix ca_file in fleet.toml, or remove it to use the system's certificates (right for Gmail)"
			return ch
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			ch.Status, ch.Detail = checkFail, fmt.Sprintf("[gmail] ca_file %s holds no PEM certificate", g.cfg.Gmail.CAFile)
			ch.Fix = "point ca_file at a PEM CA certificate, or remove it for Gmail"
			return ch
		}
		tlsCfg.RootCAs = pool
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d := net.Dialer{}
	conn, err := d.DialContext(dctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM) {
		// Refused by this machine before any packet left: a local
		// firewall rule or a security product's mail shield.
		ch.Status = checkFail
		ch.Detail = fmt.Sprintf("%s port %d (%s): a firewall or security product on this laptop blocks outgoing connections to port %d (%v)", host, port, mode, port, errWithoutPath(err))
		ch.Fix = fmt.Sprintf("allow mfpfleet out on port %d in the firewall / antivirus, or use port %d (the devices can send on either: [gmail] device_port), or a VPN", port, otherSMTPPort(port))
		return ch
	}
	if err != nil {
		return fail(gmail.StageConnect, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(timeout))
	var c *smtp.Client
	if startTLS {
		c, err = smtp.NewClientStartTLS(conn, tlsCfg)
		if err != nil {
			return fail(gmail.StageTLS, err)
		}
	} else {
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(dctx); err != nil {
			return fail(gmail.StageTLS, err)
		}
		c = smtp.NewClient(tc)
		if err := c.Hello("localhost"); err != nil {
			return fail(gmail.StageGreeting, err)
		}
	}
	defer c.Close()
	if ok, _ := c.Extension("AUTH"); !ok {
		ch.Status = checkFail
		ch.Detail = fmt.Sprintf("%s port %d (%s) answers but offers no login (AUTH)", host, port, mode)
		ch.Fix = "something on this network rewrites SMTP (a proxy or antivirus mail shield): disable it, try another network or a VPN"
		return ch
	}
	_ = c.Quit()
	ch.Status = checkOK
	ch.Detail = fmt.Sprintf("%s port %d answers with %s and a valid certificate", host, port, mode)
	return ch
}
