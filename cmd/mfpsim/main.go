// Command mfpsim starts a simulated MFP fleet on loopback addresses for
// tests, benchmarks and demos: synthetic devices of the main vendors
// (--base, --count, --vendors) and real snmprec recordings (--snmprec),
// one device per address, answering SNMP v1/v2c (and SNMPv3 engine
// discovery) until interrupted. It prints one line per address served and
// then "mfpsim: ready".
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/devices/sim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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
}

// valueFlags take a value; reorderArgs needs to know.
var valueFlags = map[string]bool{
	"base": true, "count": true, "n": true, "vendors": true, "snmprec": true,
	"snmp-port": true, "community": true, "v3-only": true, "log-level": true,
}

func newApp(stdout, stderr io.Writer) *cli.App {
	var o options
	vendors := cli.NewStringSlice()
	recs := cli.NewStringSlice()
	return &cli.App{
		Name:  "mfpsim",
		Usage: "simulate a fleet of networked printers (SNMP) on loopback addresses",
		Description: "Synthetic devices take consecutive addresses from --base after the recordings.\n" +
			"Vendors: " + strings.Join(sim.CatalogVendors(), ", ") + ".\n" +
			"Each served address is printed as a tab-separated line (address, vendor, model,\n" +
			"serial, source), then \"mfpsim: ready\". Runs until SIGINT/SIGTERM.\n" +
			"Exit codes: 0 stopped by a signal, 1 bad flags or an address that cannot be bound.",
		ArgsUsage: "[FILE.snmprec...]",
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "base", Value: "127.0.10.1", Usage: "first address (must be in 127.0.0.0/8)", Destination: &o.base},
			&cli.IntFlag{Name: "count", Aliases: []string{"n"}, Usage: "number of synthetic devices", Destination: &o.count},
			&cli.StringSliceFlag{Name: "vendors", Usage: "synthetic vendors to cycle through, comma-separated (default: all)", Destination: vendors},
			&cli.StringSliceFlag{Name: "snmprec", Usage: "snmprec recording to serve, one address each (repeatable; extra arguments count too)", Destination: recs},
			&cli.IntFlag{Name: "snmp-port", Value: 161, Usage: "UDP port on every address (0: an ephemeral port each)", Destination: &o.snmpPort},
			&cli.StringFlag{Name: "community", Usage: "only answer this community (default: any)", Destination: &o.community},
			&cli.IntFlag{Name: "v3-only", Usage: "make the last N synthetic devices SNMPv3-only (they answer only engine discovery)", Destination: &o.v3Only},
			&cli.StringFlag{Name: "log-level", Value: "warn", Usage: "debug, info, warn or error (logs go to stderr)", Destination: &o.logLevel},
		},
		Action: func(c *cli.Context) error {
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
	devs, err := sim.PlanSNMPFleet(sim.SNMPFleetConfig{
		Base: base, Count: o.count, Vendors: o.vendors, Recordings: o.recordings,
		V3Only: o.v3Only,
	})
	if err != nil {
		return err
	}
	fleet, err := sim.StartSNMPFleet(ctx, devs, o.snmpPort, o.community, log)
	if err != nil {
		return err
	}
	for i, d := range fleet.Devices {
		id := d.Identity
		vendor, model := id.Vendor, id.Model
		if d.V3Only {
			model += " (SNMPv3 only)"
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\n", fleet.Addrs[i], orDash(vendor), orDash(model), orDash(id.Serial), d.Source)
	}
	fmt.Fprintln(stdout, "mfpsim: ready")
	<-ctx.Done()
	if err := fleet.Close(); err != nil {
		return err
	}
	return nil
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
