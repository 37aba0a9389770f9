package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/internal/private"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

func newProbeCommand() *cli.Command {
	return &cli.Command{
		Name:      "probe",
		Usage:     "save the forms, fields and a masked screenshot of an unknown model's web admin",
		ArgsUsage: "ADDRESS",
		Description: `For a model no driver knows yet: opens the device's web admin in headless
Chromium, lists every form (action, method) and field (name, id, type,
label, options) of the landing and login pages — password values masked —
follows links that mention e-mail or SMTP, and saves a screenshot with
password fields blanked. Send the files it writes to whoever extends the
driver. It tries no password unless --login is given: then, for a model
a driver knows, one attempt with the admin password fleet.toml configures
for the device ([[credentials]]), never a factory default, recorded with
the device's failed logins and refused when its lock-out budget is used
up, and the SMTP page is saved too.

Examples:
   mfpfleet probe 10.1.0.23
   mfpfleet probe 10.1.0.23 --out probe-files --json
   mfpfleet probe 10.1.0.23 --login`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: ".", Usage: "write probe-ADDRESS.json/.txt and the screenshot into `DIR`"},
			&cli.BoolFlag{Name: "http", Usage: "allow plain HTTP if the device has no HTTPS"},
			&cli.BoolFlag{Name: "login", Usage: "log in once with the device's [[credentials]] admin password (within the lock-out budget) and save the SMTP page too"},
		},
		Action: runProbe,
	}
}

func runProbe(c *cli.Context) error {
	g := getGlobals(c)
	if c.NArg() != 1 {
		return usageError("probe takes one ADDRESS")
	}
	addr := c.Args().First()
	dev := devices.Device{IP: addr}
	db, dberr := g.openDB(c.Context)
	if dberr == nil {
		if d, ferr := db.FindDevice(c.Context, addr); ferr == nil {
			dev = d.Device
		} else if !errors.Is(ferr, inventory.ErrNotFound) {
			return ferr
		}
	}
	var po drivers.ProbeOptions
	if c.Bool("login") {
		if dberr != nil {
			return dberr // the attempt must be recorded
		}
		creds, err := rollout.ConfiguredLogins(g.cfg, dev)
		if err != nil {
			return fmt.Errorf("%w: %w", errConfig, err)
		}
		if len(creds) == 0 {
			return fmt.Errorf("%w: probe --login tries only the admin password fleet.toml configures for %s, and none matches: add %s", errConfig, addr, drivers.CredentialsHint(dev, addr))
		}
		po = drivers.ProbeOptions{Login: &creds[0], Ledger: db.LoginLedger(), Budget: drivers.LoginBudget(dev, g.cfg.Rollout.LoginAttemptBudget)}
	}
	out := c.String("out")
	if err := private.MkdirAll(out); err != nil {
		return err
	}
	b, err := drivers.NewBrowser(c.Context, g.browserOptions(out))
	if err != nil {
		return err
	}
	defer b.Close()
	rep, err := drivers.ProbeWith(c.Context, b, drivers.Target{Address: addr, Device: dev, AllowHTTP: c.Bool("http")}, po)
	if err != nil && len(rep.Pages) == 0 {
		return fmt.Errorf("%s: probe: %w", addr, err)
	}
	jsonPath, txtPath, serr := drivers.SaveProbe(rep, out)
	if serr != nil {
		return serr
	}
	if g.json {
		if perr := g.printJSON(rep); perr != nil {
			return perr
		}
	} else {
		fmt.Fprint(g.stdout, rep.String())
	}
	fmt.Fprintf(g.stderr, "mfpfleet: probe of %s saved to %s and %s\n", addr, jsonPath, txtPath)
	if err == nil && po.Login != nil && !rep.LoggedIn {
		msg := rep.LoginError
		if msg == "" {
			msg = "no driver for this model logs in (the pages without a login are saved)"
		}
		return classify(errLocked, fmt.Errorf("%s: probe --login: %s", addr, msg))
	}
	return err
}

// browserOptions builds the Chromium settings from [browser] and
// [rollout] artifacts_dir (or dir when given).
func (g *globals) browserOptions(dir string) drivers.BrowserOptions {
	if dir == "" {
		dir = g.cfg.Rollout.ArtifactsDir
	}
	return drivers.BrowserOptions{
		Path:          g.cfg.Browser.Path,
		Flags:         g.cfg.Browser.Flags,
		SiteIsolation: g.cfg.Browser.SiteIsolation,
		RenderFrames:  g.cfg.Browser.RenderFrames,
		ArtifactsDir:  dir,
		Logger:        g.log,
	}
}
