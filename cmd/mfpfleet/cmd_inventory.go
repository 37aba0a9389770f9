package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/inventory"
)

func newInventoryCommand() *cli.Command {
	return &cli.Command{
		Name:  "inventory",
		Usage: "carry an offline site's inventory to another (export, import)",
		Description: `A site with no route to the central PostgreSQL inventory works on its own
SQLite file; its technician exports it to one file and the history is
imported into the central inventory (or any other, SQLite or PostgreSQL).
The file holds no secret: no password, not the fingerprint key.

Import merges devices by serial (else MAC, else address, as discovery does),
keeps every address, run, step and login attempt, and takes the newer of two
holdings. Importing the same file twice adds nothing the second time.

Examples:
  mfpfleet --db site-north.db inventory export --out north.json
  PGPASSWORD=... mfpfleet --db postgres://mfpfleet@db.example.net/fleet inventory import north.json
  mfpfleet audit --site north --html audit.html    # one audit across sites`,
		Subcommands: []*cli.Command{
			{
				Name:      "export",
				Usage:     "write the whole inventory to one JSON file (no secrets)",
				ArgsUsage: " ",
				Description: `Writes devices, their addresses, runs, steps, login attempts, holdings
and the credential registry (fingerprints, never a password, not the
fingerprint key) to one JSON file, for a site with no route to the
central inventory.

Examples:
   mfpfleet inventory export --out north.json
   mfpfleet --db site-north.db inventory export --out - | gzip > north.json.gz`,
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write to `FILE` (\"-\" for stdout)", Required: true},
				},
				Action: runInventoryExport,
			},
			{
				Name:      "import",
				Usage:     "merge an export into this inventory",
				ArgsUsage: "FILE",
				Description: `Merges devices by serial (else MAC, else address) and keeps their
history; the newer holding wins. Importing the same file twice adds
nothing. FILE "-" reads standard input.

Examples:
   mfpfleet inventory import north.json
   PGPASSWORD=... mfpfleet --db postgres://mfpfleet@db.example.net/fleet inventory import north.json`,
				Action: runInventoryImport,
			},
		},
	}
}

func runInventoryExport(c *cli.Context) error {
	g := getGlobals(c)
	if c.NArg() > 0 {
		return usageError("inventory export takes no arguments: give the file with --out FILE")
	}
	db, err := g.openDB(c.Context)
	if err != nil {
		return err
	}
	out := c.String("out")
	if out == "-" {
		w := bufio.NewWriter(g.stdout)
		if _, err := db.ExportTo(c.Context, w); err != nil {
			return err
		}
		return w.Flush()
	}
	// Written beside the target and renamed into place, so a failure or
	// Ctrl-C never leaves half a file under the name asked for.
	tmp, err := os.CreateTemp(filepath.Dir(out), ".mfpfleet-export-*")
	if err != nil {
		return fmt.Errorf("export: %w (check that the folder of %s exists and is writable)", err, out)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	exp, err := db.ExportTo(c.Context, w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	type result struct {
		File        string `json:"file"`
		InventoryID string `json:"inventory_id"`
		Devices     int    `json:"devices"`
		Runs        int    `json:"runs"`
		Credentials int    `json:"credentials"`
	}
	r := result{File: out, InventoryID: exp.InventoryID, Devices: len(exp.Devices), Runs: len(exp.Runs), Credentials: len(exp.Credentials)}
	if g.json {
		return g.printJSON(r)
	}
	fmt.Fprintf(g.stdout, "exported %d devices, %d runs, %d credentials (fingerprints only) from %s to %s\n",
		r.Devices, r.Runs, r.Credentials, db.Path(), out)
	return nil
}

func runInventoryImport(c *cli.Context) error {
	g := getGlobals(c)
	if c.NArg() != 1 {
		return usageError("inventory import takes one FILE (from mfpfleet inventory export; \"-\" for stdin)")
	}
	var in io.Reader = os.Stdin
	if name := c.Args().First(); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		in = bufio.NewReader(f)
	}
	exp, err := inventory.ReadExport(in)
	if err != nil {
		return err
	}
	db, err := g.openDB(c.Context)
	if err != nil {
		return err
	}
	sum, err := db.Import(c.Context, exp)
	if err != nil {
		return err
	}
	if g.json {
		return g.printJSON(sum)
	}
	fmt.Fprintf(g.stdout, "imported into %s: %d new devices, %d merged by serial/MAC/address; %d new runs (%d already here); %d login attempts; %d holdings updated; %d credentials; %d certificates\n",
		db.Path(), sum.DevicesNew, sum.DevicesMerged, sum.RunsNew, sum.RunsKnown, sum.LoginAttemptsNew, sum.HoldingsUpdated, sum.CredentialsNew, sum.CertsNew)
	if sum.ForeignKey && sum.CredentialsNew > 0 {
		fmt.Fprintln(g.stderr, "mfpfleet: note: the export's credentials were fingerprinted under its own inventory's key: they are kept for the audit, but an app password entered here is matched only against credentials registered here")
	}
	return nil
}
