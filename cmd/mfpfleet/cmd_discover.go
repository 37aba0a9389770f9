package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/rollout"
)

func newDiscoverCommand() *cli.Command {
	return &cli.Command{
		Name:      "discover",
		Usage:     "find MFPs over SNMP and record them in the inventory",
		ArgsUsage: "[TARGET...]",
		Description: `TARGET is an address (10.1.0.7), a CIDR (10.1.0.0/24) or a range
(10.1.0.10-50 or 10.1.0.10-10.1.0.50). With no target, every [[sites]] range
in fleet.toml is swept.

Communities and SNMPv3 users come from [snmp] in fleet.toml. SNMPv3 agents
that answer none of them are listed as "credentials needed", not dropped.
A sweep of a /16 or more needs --yes (or discovery.allow_large = true).

Examples:
   mfpfleet discover 10.1.0.0/24
   mfpfleet discover 10.1.0.0/16 --yes --rate 5000
   mfpfleet discover --snmp-version 3 10.2.0.10-40 --json`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "snmp-version", Usage: "sweep with only this SNMP `VERSION`: 1, 2c or 3 (default: all)"},
			&cli.IntFlag{Name: "rate", Usage: "send at most `N` SNMP packets per second (default: discovery.rate, 2000)"},
			&cli.DurationFlag{Name: "timeout", Usage: "wait `DURATION` per attempt, e.g. 800ms (default: discovery.timeout)"},
			&cli.IntFlag{Name: "retries", Value: -1, Usage: "`N` more passes for addresses that did not answer (default: discovery.retries)"},
			&cli.IntFlag{Name: "port", Usage: "SNMP UDP `PORT` (default: discovery.port, 161)"},
			&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "consent to sweeping a /16 or more"},
			&cli.BoolFlag{Name: "all-snmp", Usage: "also record SNMP agents that are not printers"},
		},
		Action: runDiscover,
	}
}

func runDiscover(c *cli.Context) error {
	g := getGlobals(c)
	o := rollout.DiscoverOptions{
		Targets: c.Args().Slice(),
		Rate:    c.Int("rate"),
		Timeout: c.Duration("timeout"),
		Retries: c.Int("retries"),
		Port:    c.Int("port"),
		Yes:     c.Bool("yes"),
		AllSNMP: c.Bool("all-snmp"),
		Logger:  g.log,
	}
	if v := c.String("snmp-version"); v != "" {
		v = strings.TrimPrefix(strings.ToLower(v), "v")
		if v != "1" && v != "2c" && v != "3" {
			return usageError("--snmp-version %q: use 1, 2c or 3", c.String("snmp-version"))
		}
		o.Versions = []string{v}
	}
	db, err := g.openDB(c.Context)
	if err != nil {
		return err
	}
	bar := g.newSweepBar()
	o.Progress = bar.update
	res, err := rollout.Discover(c.Context, db, g.cfg, o)
	bar.done()
	switch {
	case errors.Is(err, devices.ErrLargeSweep):
		return withHint(usageError("%v", err), "add --yes, or set discovery.allow_large = true in fleet.toml, if sweeping that many addresses is really meant")
	case errors.Is(err, devices.ErrBadTarget), errors.Is(err, rollout.ErrNoTargets):
		return usageError("%v", err)
	}
	if g.json {
		if res.Devices == nil {
			res.Devices = []rollout.Discovered{}
		}
		if perr := g.printJSON(res.Devices); perr != nil {
			return perr
		}
	} else {
		rows := make([][]string, 0, len(res.Devices))
		for _, d := range res.Devices {
			model := d.Model
			if d.CredentialsNeeded {
				model = "SNMPv3 agent, credentials needed"
			}
			isNew := ""
			if d.New {
				isNew = "new"
			}
			rows = append(rows, []string{d.IP, d.Vendor, model, d.Serial, d.Firmware, d.MAC, d.Site, isNew})
		}
		if len(rows) > 0 {
			if terr := g.table([]string{"ADDRESS", "VENDOR", "MODEL", "SERIAL", "FIRMWARE", "MAC", "SITE", ""}, rows); terr != nil {
				return terr
			}
		}
		s := res.Stats
		fmt.Fprintf(g.stderr, "mfpfleet: swept %d addresses in %s (%d packets, %.0f/s): %d answered, %d devices recorded in %s\n",
			s.Addresses, s.Duration.Round(1e6), s.PacketsSent, s.PacketsPerSecond(), s.HostsAnswering, len(res.Devices), redactDB(g.dbPath))
		if s.CredentialsNeeded > 0 {
			fmt.Fprintf(g.stderr, "hint: %d SNMPv3 agents answered no configured user (listed as \"credentials needed\"): add an [[snmp.v3]] user in fleet.toml to identify them\n", s.CredentialsNeeded)
		}
	}
	return err
}
