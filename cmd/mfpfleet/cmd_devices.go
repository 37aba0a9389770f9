package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/inventory"
)

func newDevicesCommand() *cli.Command {
	filters := []cli.Flag{
		&cli.StringFlag{Name: "site", Usage: "only devices of this `SITE`"},
		&cli.StringFlag{Name: "vendor", Usage: "only this `VENDOR` (xerox, hp, ricoh, …)"},
		&cli.StringFlag{Name: "model", Usage: "only models containing `TEXT` (c8070 finds AltaLink C8070)"},
		&cli.BoolFlag{Name: "retired", Usage: "include retired devices"},
	}
	return &cli.Command{
		Name:  "devices",
		Usage: "list, show and export the inventory's devices",
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "one line per device",
				Description: `Address, site, vendor, model, serial, firmware and when discovery last
saw each device in the inventory; --json for scripts.

Examples:
   mfpfleet devices list
   mfpfleet devices list --site HQ --model c8070
   mfpfleet devices list --retired --json`,
				Flags:  filters,
				Action: runDevicesList,
			},
			{
				Name:      "show",
				Usage:     "everything known of one device, with its address history",
				ArgsUsage: "ADDRESS|SERIAL",
				Description: `Everything the inventory knows of one device (SNMP identity, the
addresses it had, failed admin logins on record, the credential it holds).
A device is found by its current address or its serial number.

Examples:
   mfpfleet devices show 10.1.0.23
   mfpfleet devices show 3TB484937 --json`,
				Action: runDevicesShow,
			},
			{
				Name:      "reset-logins",
				Usage:     "forget a device's failed admin logins, after it was power-cycled",
				ArgsUsage: "ADDRESS|SERIAL",
				Description: `Failed admin logins are counted per device across runs, because much
printer firmware locks the administrator after a few of them and clears
its own count only on a restart (LOCK-OUT in 'mfpfleet drivers'). Once the device has been power-cycled (or its
lock-out cleared at the panel), reset the count here so push may try
again. Confirm with --power-cycled.

Examples:
   mfpfleet devices reset-logins 10.1.0.23 --power-cycled
   mfpfleet devices reset-logins 3TB484937 --power-cycled`,
				Flags:  []cli.Flag{&cli.BoolFlag{Name: "power-cycled", Usage: "confirm the device was restarted since the failures"}},
				Action: runDevicesResetLogins,
			},
			{
				Name:      "retire",
				Usage:     "mark a device gone (lost, decommissioned): left out of pushes and audits",
				ArgsUsage: "ADDRESS|SERIAL",
				Description: `A retired device is left out of push, test and audit (audit --retired
shows it again). Rotate its app password afterwards if it was lost.

Examples:
   mfpfleet devices retire 10.1.0.44 --why "stolen from reception"
   mfpfleet devices retire 3TB484937`,
				Flags:  []cli.Flag{&cli.StringFlag{Name: "why", Value: "retired by technician", Usage: "reason recorded with it"}},
				Action: runDevicesRetire,
			},
			{
				Name:  "export",
				Usage: "the inventory as CSV or JSON on stdout",
				Description: `Every field of every device, one row each, for a spreadsheet or
another tool.

Examples:
   mfpfleet devices export > devices.csv
   mfpfleet devices export --format json --site HQ`,
				Flags: append([]cli.Flag{
					&cli.StringFlag{Name: "format", Value: "csv", Usage: "`FORMAT`: csv or json"},
				}, filters...),
				Action: runDevicesExport,
			},
		},
	}
}

func deviceFilter(c *cli.Context) inventory.Filter {
	return inventory.Filter{Site: c.String("site"), Vendor: c.String("vendor"), Model: c.String("model"), IncludeRetired: c.Bool("retired")}
}

func runDevicesList(c *cli.Context) error {
	g := getGlobals(c)
	db, err := g.openDB(c.Context)
	if err != nil {
		return err
	}
	list, err := db.ListDevices(c.Context, deviceFilter(c))
	if err != nil {
		return err
	}
	if g.json {
		if list == nil {
			list = []inventory.Device{}
		}
		return g.printJSON(list)
	}
	if len(list) == 0 {
		fmt.Fprintln(g.stderr, "mfpfleet: no devices match; run 'mfpfleet discover TARGET' first")
		return nil
	}
	rows := make([][]string, 0, len(list))
	for _, d := range list {
		model := d.Model
		if d.CredentialsNeeded {
			model = "SNMPv3 agent, credentials needed"
		}
		rows = append(rows, []string{d.IP, d.Site, d.Vendor, model, d.Serial, d.Firmware, d.LastSeen.Local().Format("2006-01-02 15:04")})
	}
	return g.table([]string{"ADDRESS", "SITE", "VENDOR", "MODEL", "SERIAL", "FIRMWARE", "LAST SEEN"}, rows)
}

func runDevicesShow(c *cli.Context) error {
	g := getGlobals(c)
	db, d, err := findDeviceArg(c)
	if err != nil {
		return err
	}
	addrs, err := db.DeviceAddresses(c.Context, d.ID)
	if err != nil {
		return err
	}
	h, herr := db.Holding(c.Context, d.ID)
	hasHolding := herr == nil
	if herr != nil && !errors.Is(herr, inventory.ErrNotFound) {
		return herr
	}
	failed, _, err := db.FailedLogins(c.Context, d.ID)
	if err != nil {
		return err
	}
	if g.json {
		out := map[string]any{"device": d, "addresses": addrs, "failed_admin_logins": failed}
		if hasHolding {
			out["holding"] = h
		}
		return g.printJSON(out)
	}
	kv := [][2]string{
		{"address", d.IP}, {"site", d.Site}, {"vendor", d.Vendor}, {"brand", d.Brand}, {"model", d.Model},
		{"family", d.Family}, {"serial", d.Serial}, {"firmware", d.Firmware}, {"mac", d.MAC},
		{"sys name", d.SysName}, {"location", d.Location}, {"sys descr", d.SysDescr},
		{"sys object id", d.SysObjectID}, {"snmp version", d.SNMPVersion},
		{"first seen", d.FirstSeen.Local().Format("2006-01-02 15:04:05")},
		{"last seen", d.LastSeen.Local().Format("2006-01-02 15:04:05")},
		{"failed admin logins", fmt.Sprint(failed)},
	}
	if d.Retired {
		kv = append(kv, [2]string{"retired", d.RetiredAt.Local().Format("2006-01-02") + " " + d.RetiredWhy})
	}
	if hasHolding {
		kv = append(kv, [2]string{"holds credential", fmt.Sprint(h.CredentialID)})
	}
	for _, p := range kv {
		if p[1] != "" {
			fmt.Fprintf(g.stdout, "%-20s %s\n", p[0]+":", p[1])
		}
	}
	fmt.Fprintln(g.stdout, "addresses:")
	for _, a := range addrs {
		fmt.Fprintf(g.stdout, "  %-16s first %s  last %s\n", a.Address, a.FirstSeen.Local().Format("2006-01-02 15:04"), a.LastSeen.Local().Format("2006-01-02 15:04"))
	}
	return nil
}

func runDevicesExport(c *cli.Context) error {
	g := getGlobals(c)
	db, err := g.openDB(c.Context)
	if err != nil {
		return err
	}
	list, err := db.ListDevices(c.Context, deviceFilter(c))
	if err != nil {
		return err
	}
	switch strings.ToLower(c.String("format")) {
	case "json":
		if list == nil {
			list = []inventory.Device{}
		}
		return g.printJSON(list)
	case "csv":
		w := csv.NewWriter(g.stdout)
		_ = w.Write([]string{"ip", "site", "vendor", "brand", "model", "serial", "firmware", "mac", "sys_name", "location", "sys_descr", "sys_object_id", "family", "snmp_version", "first_seen", "last_seen", "retired"})
		for _, d := range list {
			_ = w.Write([]string{d.IP, d.Site, d.Vendor, d.Brand, d.Model, d.Serial, d.Firmware, d.MAC, d.SysName, d.Location, d.SysDescr, d.SysObjectID, d.Family, d.SNMPVersion,
				d.FirstSeen.UTC().Format("2006-01-02T15:04:05Z"), d.LastSeen.UTC().Format("2006-01-02T15:04:05Z"), fmt.Sprint(d.Retired)})
		}
		w.Flush()
		return w.Error()
	}
	return usageError("--format %q: use csv or json", c.String("format"))
}

func findDeviceArg(c *cli.Context) (*inventory.DB, inventory.Device, error) {
	g := getGlobals(c)
	if c.NArg() != 1 {
		return nil, inventory.Device{}, usageError("%s takes one ADDRESS or SERIAL", c.Command.Name)
	}
	db, err := g.openDB(c.Context)
	if err != nil {
		return nil, inventory.Device{}, err
	}
	d, err := db.FindDevice(c.Context, c.Args().First())
	if errors.Is(err, inventory.ErrNotFound) {
		return nil, d, withHint(err, "list what the inventory holds with 'mfpfleet devices list'")
	}
	return db, d, err
}

func runDevicesResetLogins(c *cli.Context) error {
	g := getGlobals(c)
	db, d, err := findDeviceArg(c)
	if err != nil {
		return err
	}
	if !c.Bool("power-cycled") {
		return withHint(usageError("refusing to reset %s's failed admin logins without --power-cycled", d.IP),
			"the device keeps counting until it restarts: power-cycle it first, then run this again with --power-cycled")
	}
	n, err := db.ResetFailedLogins(c.Context, d.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "%s (%s %s): %d failed admin logins forgotten\n", d.IP, d.Model, d.Serial, n)
	return nil
}

func runDevicesRetire(c *cli.Context) error {
	g := getGlobals(c)
	db, d, err := findDeviceArg(c)
	if err != nil {
		return err
	}
	if err := db.RetireDevice(c.Context, d.ID, c.String("why")); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "%s (%s %s) retired: %s\n", d.IP, d.Model, d.Serial, c.String("why"))
	return nil
}
