package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/audit"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

func newAuditCommand() *cli.Command {
	return &cli.Command{
		Name:  "audit",
		Usage: "which device holds which app password, and what needs attention",
		Description: `One row per device: site, address, model, serial, Gmail account, the
credential's label and fingerprint, when it was pushed and last confirmed,
how mfpfleet logged in (a factory-default admin password is a finding),
certificate state and when discovery last saw it. Then the findings: default
admin passwords, revoked credentials still held, devices never confirmed or
whose last test failed, failed admin logins on record (lock-out risk),
firmware that cannot reach Gmail, devices not seen for --stale-days.

--live logs into each pushed device (read-only, within the lock-out budget)
and reports settings changed on the device since the push.

The table fits the terminal (columns it cannot fit are named, --wide shows
them all); each finding is listed below it with what to do. Formats: the
table (default), --json, --csv FILE (- for stdout), and --html
FILE: a self-contained report to hand to a client (opens in any browser,
prints cleanly).

Examples:
   mfpfleet audit
   mfpfleet audit --site HQ --html hq-report.html --title "Acme Ltd, HQ"
   mfpfleet audit --csv devices.csv
   mfpfleet audit --live --json`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "site", Usage: "only devices of `SITE` (repeat for several; the HTML report groups by site with per-site totals)"},
			&cli.StringFlag{Name: "vendor", Usage: "only this `VENDOR`"},
			&cli.StringFlag{Name: "model", Usage: "only models containing `TEXT`"},
			&cli.BoolFlag{Name: "retired", Usage: "include retired devices"},
			&cli.IntFlag{Name: "stale-days", Value: 30, Usage: "report devices discovery has not seen for `N` days (0 = off)"},
			&cli.StringFlag{Name: "title", Usage: "heading of the report (e.g. the client's name)"},
			&cli.StringFlag{Name: "csv", Usage: "write CSV to `FILE` (- for stdout)"},
			&cli.StringFlag{Name: "html", Usage: "write the HTML report to `FILE`"},
			&cli.BoolFlag{Name: "live", Usage: "read each pushed device's SMTP settings back and compare"},
			&cli.BoolFlag{Name: "wide", Usage: "the table with every column (account, fingerprint, pushed, certificate, last seen, finding codes), however wide"},
			&cli.IntFlag{Name: "parallel", Usage: "with --live: `N` devices read at once (default: rollout.parallel)"},
		},
		Action: runAudit,
	}
}

func runAudit(c *cli.Context) error {
	g := getGlobals(c)
	db, err := g.openDB(c.Context)
	if err != nil {
		return err
	}
	o := audit.AuditOptions{
		Filter: inventory.Filter{Sites: c.StringSlice("site"), Vendor: c.String("vendor"), Model: c.String("model"), IncludeRetired: c.Bool("retired")},
		Title:  c.String("title"), LoginBudget: g.cfg.Rollout.LoginAttemptBudget, Logger: g.log,
	}
	if d := c.Int("stale-days"); d > 0 {
		o.StaleAfter = time.Duration(d) * 24 * time.Hour
	} else {
		o.StaleAfter = -1
	}
	if c.Bool("live") {
		b, err := drivers.NewBrowser(c.Context, g.browserOptions(""))
		if err != nil {
			return err
		}
		defer b.Close()
		cfg := g.cfg
		o.Live = &audit.LiveOptions{
			Parallel: c.Int("parallel"),
			Reader: &audit.DriverSMTPReader{
				Browser: b,
				Certs:   drivers.CertPolicy{Store: db},
				Credentials: func(dev inventory.Device) []drivers.Credential {
					creds, err := rollout.ConfiguredLogins(cfg, dev.Device)
					if err != nil {
						g.log.Warn("configured admin login unreadable; trying factory defaults only", "device", dev.IP, "err", err)
					}
					return creds
				},
				Ledger:      db.LoginLedger(),
				Budget:      cfg.Rollout.LoginAttemptBudget,
				StepTimeout: cfg.Rollout.StepTimeout.Duration,
			},
		}
		if o.Live.Parallel == 0 {
			o.Live.Parallel = cfg.Rollout.Parallel
		}
	}
	rep, err := audit.Audit(c.Context, db, o)
	if err != nil {
		return err
	}
	if path := c.String("html"); path != "" {
		var buf bytes.Buffer
		if err := audit.WriteHTML(&buf, rep); err != nil {
			return err
		}
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write the HTML report: %w", err)
		}
		fmt.Fprintf(g.stderr, "mfpfleet: audit report written to %s (%d devices)\n", path, len(rep.Rows))
	}
	if path := c.String("csv"); path != "" && path != "-" {
		var buf bytes.Buffer
		if err := audit.WriteCSV(&buf, rep); err != nil {
			return err
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("write the CSV report: %w", err)
		}
		fmt.Fprintf(g.stderr, "mfpfleet: audit CSV written to %s (%d devices)\n", path, len(rep.Rows))
	}
	switch {
	case g.json:
		return audit.WriteJSON(g.stdout, rep)
	case c.String("csv") == "-":
		return audit.WriteCSV(g.stdout, rep)
	case c.String("html") != "" || c.String("csv") != "":
		return nil
	}
	return audit.WriteTableOpts(g.stdout, rep, audit.TableOptions{Wide: c.Bool("wide"), Width: g.stdoutWidth()})
}
