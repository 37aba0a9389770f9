// Command mfpsim starts a simulated MFP fleet on loopback addresses for
// tests, benchmarks and demos: synthetic devices of the main vendors
// (--base, --count, --vendors) and real snmprec recordings (--snmprec),
// one device per address, answering SNMP v1/v2c (and SNMPv3 engine
// discovery) until interrupted. Xerox devices also serve their web admin
// (HTTPS, and HTTP) as their family's real pages do, and send their test
// e-mails and scans to a local Gmail stand-in that mfpsim runs alongside;
// --state-dir writes a ready fleet.toml for it. It prints one line per
// address served and then "mfpsim: ready". `mfpsim gmail` runs the
// stand-in alone.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == "gmail" {
		os.Exit(standin.Main(ctx, os.Args[2:], os.Stdout, os.Stderr))
	}
	if err := newApp(os.Stdout, os.Stderr).RunContext(ctx, reorderArgs(os.Args)); err != nil {
		fmt.Fprintln(os.Stderr, "mfpsim:", err)
		os.Exit(1)
	}
}

// options are the parsed flags.
type options struct {
	base       string
	count      int
	vendors    []string
	recordings []string
	snmpPort   int
	community  string
	v3Only     int
	logLevel   string

	stateDir     string
	httpsPort    int
	httpPort     int
	noHTTP       bool
	faults       []string
	smtpTLS      []string
	adminPWFiles []string
	adminPWEnvs  []string
	lockoutAfter int
	noGmail      bool
	gmailAddr    string
	gmailAccount string
	gmailMinTLS  string
	gmailPorts   [3]int // STARTTLS, TLS, IMAP
	latency      string
	latencySeed  uint64
	relayAllow   []string
	relayDomains []string
	relayAuth    bool
	relaySite    []string
}

// valueFlags take a value; reorderArgs needs to know.
var valueFlags = map[string]bool{
	"base": true, "count": true, "n": true, "vendors": true, "snmprec": true,
	"snmp-port": true, "community": true, "v3-only": true, "log-level": true,
	"state-dir": true, "https-port": true, "http-port": true, "fault": true, "smtp-tls": true,
	"admin-password-file": true, "admin-password-env": true, "lockout-after": true,
	"gmail-addr": true, "gmail-account": true, "gmail-min-tls": true,
	"gmail-starttls-port": true, "gmail-tls-port": true, "gmail-imap-port": true,
	"latency": true, "latency-seed": true,
	"relay-allow": true, "relay-domain": true, "relay-site": true,
}

func newApp(stdout, stderr io.Writer) *cli.App {
	var o options
	vendors := cli.NewStringSlice()
	recs := cli.NewStringSlice()
	faults := cli.NewStringSlice()
	smtpTLS := cli.NewStringSlice()
	pwFiles := cli.NewStringSlice()
	pwEnvs := cli.NewStringSlice()
	relayAllow := cli.NewStringSlice()
	relayDomains := cli.NewStringSlice()
	relaySite := cli.NewStringSlice()
	return &cli.App{
		Name:  "mfpsim",
		Usage: "simulate a fleet of networked printers (SNMP, vendors' web admins, a Gmail stand-in) on loopback addresses",
		Description: "Synthetic devices take consecutive addresses from --base after the recordings.\n" +
			"Vendors: " + strings.Join(sim.CatalogVendors(), ", ") + ".\n" +
			"Each served address is printed as a tab-separated line (address, vendor, model,\n" +
			"serial, source, web-admin family, web URL, default admin password kind), then\n" +
			"a \"gmail\" line, the fleet.toml written (with --state-dir) and \"mfpsim: ready\".\n" +
			"Runs until SIGINT/SIGTERM; SIGHUP power-cycles every device (clears lock-outs),\n" +
			"as does POST https://ADDRESS/_sim/powercycle for one. POST /_sim/scan?to=ADDR on a\n" +
			"device sends a scan to e-mail; GET /_sim/state shows its state.\n" +
			"--fault KIND[:VALUE]=ADDR[,ADDR...] (repeatable): slow[:3s] pages, drop[:3] the\n" +
			"session after N requests, reboot[:5s] on every save, layout (other firmware's\n" +
			"field names), lockout (admin locked from the start).\n" +
			"--latency realistic answers at real devices' speed: pages about 1 s, saves 2-4 s,\n" +
			"the test e-mail in the mailbox about 8 s later (long-tailed, per family, seeded by\n" +
			"--latency-seed; faults add to it), e.g. mfpsim --count 60 --latency realistic.\n" +
			"The stand-in also plays Google Workspace's SMTP relay (smtp-relay.gmail.com, its\n" +
			"own ports): --relay-allow lists the device addresses (the site's \"public IP\") it\n" +
			"relays for without AUTH; it answers an unlisted address, a sender outside\n" +
			"--relay-domain and a bare EHLO name as Google does.\n" +
			"With --state-dir the devices keep their certificates, SMTP settings and host\n" +
			"names across restarts, and DIR/app-passwords lists the stand-in's app passwords\n" +
			"(add a line to create one, delete it to revoke it; read again while running).\n" +
			"`mfpsim gmail --help` runs the Gmail stand-in alone.\n" +
			"Exit codes: 0 stopped by a signal, 1 bad flags or an address that cannot be bound.",
		ArgsUsage: "[FILE.snmprec...]",
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "base", Value: "127.0.10.1", Usage: "first address (must be in 127.0.0.0/8)", Destination: &o.base},
			&cli.IntFlag{Name: "count", Aliases: []string{"n"}, Usage: "number of synthetic devices", Destination: &o.count},
			&cli.StringSliceFlag{Name: "vendors", Usage: "synthetic vendors to cycle through, comma-separated (default: all); or VENDOR:N entries, N devices each in the order given (then --count may be left out), e.g. xerox:12,hp:2", Destination: vendors},
			&cli.StringSliceFlag{Name: "snmprec", Usage: "snmprec recording to serve, one address each (repeatable; extra arguments count too)", Destination: recs},
			&cli.IntFlag{Name: "snmp-port", Value: 161, Usage: "UDP port on every address (0: an ephemeral port each)", Destination: &o.snmpPort},
			&cli.StringFlag{Name: "community", Usage: "only answer this community (default: any)", Destination: &o.community},
			&cli.IntFlag{Name: "v3-only", Usage: "make the last N synthetic devices SNMPv3-only (they answer only engine discovery)", Destination: &o.v3Only},
			&cli.StringFlag{Name: "log-level", Value: "warn", Usage: "debug, info, warn or error (logs go to stderr)", Destination: &o.logLevel},
			&cli.StringFlag{Name: "state-dir", Usage: "write fleet.toml, the Gmail stand-in's CA and app-password (0600) into `DIR`; keep the devices' state there across restarts", Destination: &o.stateDir},
			&cli.IntFlag{Name: "https-port", Value: 443, Usage: "web admin HTTPS port on every address (0: an ephemeral port each)", Destination: &o.httpsPort},
			&cli.IntFlag{Name: "http-port", Value: 80, Usage: "web admin plain-HTTP port on every address (0: ephemeral)", Destination: &o.httpPort},
			&cli.BoolFlag{Name: "no-http", Usage: "serve the web admins over HTTPS only", Destination: &o.noHTTP},
			&cli.StringSliceFlag{Name: "fault", Usage: "switch a fault on: `KIND[:VALUE]=ADDR[,ADDR...]` (slow, drop, reboot, layout, lockout; repeatable)", Destination: faults},
			&cli.StringSliceFlag{Name: "smtp-tls", Usage: "override a device's SMTP client: `ADDR=tls12|tls10|none` (repeatable)", Destination: smtpTLS},
			&cli.StringSliceFlag{Name: "admin-password-file", Usage: "set a device's admin password from a file: `ADDR=FILE` (repeatable)", Destination: pwFiles},
			&cli.StringSliceFlag{Name: "admin-password-env", Usage: "set a device's admin password from an environment variable: `ADDR=VAR` (repeatable)", Destination: pwEnvs},
			&cli.IntFlag{Name: "lockout-after", Value: sim.DefaultLockoutAfter, Usage: "failed admin logins that lock a device until it is power-cycled (negative: never)", Destination: &o.lockoutAfter},
			&cli.BoolFlag{Name: "no-gmail", Usage: "do not run the Gmail stand-in", Destination: &o.noGmail},
			&cli.StringFlag{Name: "gmail-addr", Value: "127.0.0.1", Usage: "loopback address of the Gmail stand-in", Destination: &o.gmailAddr},
			&cli.StringFlag{Name: "gmail-account", Value: sim.DefaultGmailAccount, Usage: "the stand-in's mailbox", Destination: &o.gmailAccount},
			&cli.StringFlag{Name: "gmail-min-tls", Value: "1.2", Usage: "lowest TLS version the stand-in accepts: 1.0, 1.1, 1.2 or 1.3", Destination: &o.gmailMinTLS},
			&cli.IntFlag{Name: "gmail-starttls-port", Usage: "stand-in STARTTLS port (0: ephemeral)", Destination: &o.gmailPorts[0]},
			&cli.IntFlag{Name: "gmail-tls-port", Usage: "stand-in implicit-TLS port (0: ephemeral)", Destination: &o.gmailPorts[1]},
			&cli.IntFlag{Name: "gmail-imap-port", Usage: "stand-in IMAP port (0: ephemeral)", Destination: &o.gmailPorts[2]},
			&cli.StringFlag{Name: "latency", Value: sim.LatencyNone, Usage: "device speed: none (loopback speed) or realistic (real devices': pages ~1 s, saves 2-4 s, test e-mail delivered ~8 s later, long-tailed)", Destination: &o.latency},
			&cli.Uint64Flag{Name: "latency-seed", Value: 1, Usage: "seed of --latency's draws: the same seed gives each device the same delays", Destination: &o.latencySeed},
			&cli.StringSliceFlag{Name: "relay-allow", Usage: "addresses or CIDRs the Workspace relay accepts without AUTH: `ADDR[,ADDR...]` (repeatable)", Destination: relayAllow},
			&cli.StringSliceFlag{Name: "relay-domain", Usage: "the Workspace's domains for the relay (default: the --gmail-account's)", Destination: relayDomains},
			&cli.StringSliceFlag{Name: "relay-site", Usage: "with --state-dir: put `ADDR[,ADDR...]` into a fleet.toml site \"branch\" whose method is relay", Destination: relaySite},
			&cli.BoolFlag{Name: "relay-require-auth", Usage: "the relay requires SMTP AUTH (\"Require SMTP Authentication\")", Destination: &o.relayAuth},
		},
		Action: func(c *cli.Context) error {
			o.faults = sim.JoinFaultSpecs(faults.Value())
			o.smtpTLS = smtpTLS.Value()
			o.adminPWFiles = pwFiles.Value()
			o.adminPWEnvs = pwEnvs.Value()
			o.relayAllow = splitList(relayAllow.Value())
			o.relayDomains = splitList(relayDomains.Value())
			o.relaySite = splitList(relaySite.Value())
			o.vendors = splitList(vendors.Value())
			o.recordings = append(splitList(recs.Value()), c.Args().Slice()...)
			return run(c.Context, o, stdout, stderr)
		},
	}
}

// run starts the fleet, prints it and waits for ctx.
func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(o.logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", o.logLevel)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	base, err := netip.ParseAddr(o.base)
	if err != nil {
		return fmt.Errorf("--base %q is not an IPv4 address: give one in 127.0.0.0/8, e.g. 127.0.10.1", o.base)
	}
	fo, err := fleetOptions(o, base, log)
	if err != nil {
		return err
	}
	fleet, err := sim.StartFleet(ctx, fo.FleetOptions)
	if err != nil {
		return err
	}
	defer fleet.Close()
	for _, d := range fleet.Devices {
		id := d.Identity
		vendor, model := id.Vendor, id.Model
		if d.SNMPAddr != nil && slices.Contains(fo.vOnly(), d.Addr) {
			model += " (SNMPv3 only)"
		}
		family, url, pw := "-", "-", "-"
		if d.Web != nil {
			family, url = d.Web.Family(), strings.Join(d.Web.URLs(), ",")
			pw = d.Web.DefaultAdminPassword()
			switch {
			case fo.AdminPasswords[d.Addr] != (config.Secret{}):
				pw = "set-by-option"
			case d.Model.PasswordIsSerial:
				pw = "serial"
			case pw == "":
				pw = "blank"
			}
			if f := d.Web.Faults(); f != (sim.Faults{}) {
				family += " faults=" + f.String()
			}
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.SNMPAddr, orDash(vendor), orDash(model), orDash(id.Serial), d.Source, family, url, pw)
	}
	if fleet.Gmail != nil {
		fmt.Fprintf(stdout, "gmail\t%s\tstarttls=%s\ttls=%s\timap=%s\trelay=%s\trelay-tls=%s\n", fleet.Account, fleet.Gmail.StartTLSAddr, fleet.Gmail.TLSAddr, fleet.Gmail.IMAPAddr, fleet.Gmail.RelayStartTLSAddr, fleet.Gmail.RelayTLSAddr)
	}
	if fleet.ConfigPath != "" {
		fmt.Fprintf(stdout, "config\t%s\n", fleet.ConfigPath)
	}
	fmt.Fprintln(stdout, "mfpsim: ready")
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return fleet.Close()
		case <-hup:
			fleet.PowerCycle()
			log.Warn("every device power-cycled (SIGHUP)")
		}
	}
}

// fleetOptions turns the flags into sim.FleetOptions.
func fleetOptions(o options, base netip.Addr, log *slog.Logger) (fleetOpts, error) {
	port := func(p int) int { // flags: 0 = ephemeral; FleetOptions: -1
		if p == 0 {
			return -1
		}
		return p
	}
	count, err := sim.FleetCount(o.vendors, o.count)
	if err != nil {
		return fleetOpts{}, err
	}
	fo := fleetOpts{FleetOptions: sim.FleetOptions{
		Base: base, Count: count, Vendors: o.vendors, Recordings: o.recordings, V3Only: o.v3Only,
		StateDir: o.stateDir, LockoutAfter: o.lockoutAfter,
		HTTPSPort: port(o.httpsPort), HTTPPort: port(o.httpPort), SNMPPort: port(o.snmpPort), NoHTTP: o.noHTTP,
		Community: o.community, NoGmail: o.noGmail, GmailAccount: o.gmailAccount,
		RelayAllowed: o.relayAllow, RelayDomains: o.relayDomains, RelayRequireAuth: o.relayAuth,
		GmailStartTLSPort: o.gmailPorts[0], GmailTLSPort: o.gmailPorts[1], GmailIMAPPort: o.gmailPorts[2],
		Faults: map[netip.Addr]sim.Faults{}, AdminPasswords: map[netip.Addr]config.Secret{}, SMTPTLS: map[netip.Addr]string{},
		Logger: log,
	}}
	if o.lockoutAfter == 0 {
		return fo, errors.New("--lockout-after 0: give a number of failed logins (1-10 on real devices), or a negative number to never lock")
	}
	ga, err := netip.ParseAddr(o.gmailAddr)
	if err != nil {
		return fo, fmt.Errorf("--gmail-addr %q is not an address: give one in 127.0.0.0/8", o.gmailAddr)
	}
	fo.GmailAddr = ga
	if len(o.relaySite) > 0 && (strings.HasSuffix(strings.ToLower(o.gmailAccount), "@gmail.com") || o.gmailAccount == "") {
		return fo, fmt.Errorf("--relay-site: the SMTP relay serves Google Workspace domains only: give a Workspace --gmail-account too, e.g. scans@client.example")
	}
	for _, a := range o.relaySite {
		ip, err := netip.ParseAddr(a)
		if err != nil {
			return fo, fmt.Errorf("--relay-site %q is not an address", a)
		}
		fo.RelaySite = append(fo.RelaySite, ip)
	}
	v, ok := map[string]uint16{"1.0": tls.VersionTLS10, "1.1": tls.VersionTLS11, "1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13}[o.gmailMinTLS]
	if !ok {
		return fo, fmt.Errorf("--gmail-min-tls %q: use 1.0, 1.1, 1.2 or 1.3", o.gmailMinTLS)
	}
	fo.GmailMinTLS = v
	if fo.Latency, err = sim.LatencyProfile(o.latency, o.latencySeed); err != nil {
		return fo, fmt.Errorf("--latency: %w", err)
	}
	for _, spec := range o.faults {
		addrs, apply, err := sim.ParseFault(spec)
		if err != nil {
			return fo, fmt.Errorf("--fault %q: %w", spec, err)
		}
		for _, a := range addrs {
			f := fo.Faults[a]
			apply(&f)
			fo.Faults[a] = f
		}
	}
	for _, spec := range o.smtpTLS {
		a, v, err := addrValue(spec)
		if err != nil {
			return fo, fmt.Errorf("--smtp-tls %q: %w", spec, err)
		}
		if v != sim.SMTPTLS12 && v != sim.SMTPTLS10 && v != sim.SMTPTLSNone {
			return fo, fmt.Errorf("--smtp-tls %q: want tls12, tls10 or none after the =", spec)
		}
		fo.SMTPTLS[a] = v
	}
	for _, spec := range o.adminPWFiles {
		a, file, err := addrValue(spec)
		if err != nil {
			return fo, fmt.Errorf("--admin-password-file %q: %w", spec, err)
		}
		s, err := config.SecretRef{Name: "--admin-password-file " + a.String(), File: file}.Resolve()
		if err != nil {
			return fo, err
		}
		fo.AdminPasswords[a] = s
	}
	for _, spec := range o.adminPWEnvs {
		a, env, err := addrValue(spec)
		if err != nil {
			return fo, fmt.Errorf("--admin-password-env %q: %w", spec, err)
		}
		s, err := config.SecretRef{Name: "--admin-password-env " + a.String(), Env: env}.Resolve()
		if err != nil {
			return fo, err
		}
		fo.AdminPasswords[a] = s
	}
	return fo, nil
}

// fleetOpts adds the printing helpers to sim.FleetOptions.
type fleetOpts struct{ sim.FleetOptions }

// vOnly lists the SNMPv3-only devices' addresses (the last V3Only
// synthetic ones).
func (fo fleetOpts) vOnly() []netip.Addr {
	var out []netip.Addr
	total := len(fo.Recordings) + fo.Count
	a := fo.Base
	for i := range total {
		if i >= total-fo.V3Only && i >= len(fo.Recordings) {
			out = append(out, a)
		}
		a = a.Next()
	}
	return out
}

// addrValue splits "ADDR=VALUE".
func addrValue(spec string) (netip.Addr, string, error) {
	k, v, ok := strings.Cut(spec, "=")
	if !ok || v == "" {
		return netip.Addr{}, "", errors.New("want ADDRESS=VALUE")
	}
	a, err := netip.ParseAddr(strings.TrimSpace(k))
	if err != nil {
		return netip.Addr{}, "", fmt.Errorf("%q is not an address", k)
	}
	return a, strings.TrimSpace(v), nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func splitList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// reorderArgs moves positional arguments (recordings) behind the flags:
// urfave/cli stops parsing flags at the first positional argument, so
// `mfpsim --snmprec a b --snmp-port 1161` would otherwise take
// "--snmp-port" for a file.
func reorderArgs(args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	var pos []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && a != "-":
			out = append(out, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && valueFlags[name] && i+1 < len(args) {
				out = append(out, args[i+1])
				i++
			}
		default:
			pos = append(pos, a)
		}
	}
	if len(pos) > 0 {
		out = append(out, "--")
		out = append(out, pos...)
	}
	return out
}
