package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/internal/private"
	"github.com/mfpfleet/mfpfleet/inventory"
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
driver. It tries no password unless --login is given (one attempt with
the credential fleet.toml configures for the device), so it cannot
contribute to a lock-out.

Examples:
   mfpfleet probe 10.1.0.23
   mfpfleet probe 10.1.0.23 --out probe-files --json`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: ".", Usage: "write probe-ADDRESS.json/.txt and the screenshot into `DIR`"},
			&cli.BoolFlag{Name: "http", Usage: "allow plain HTTP if the device has no HTTPS"},
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
	if db, err := g.openDB(c.Context); err == nil {
		if d, ferr := db.FindDevice(c.Context, addr); ferr == nil {
			dev = d.Device
		} else if !errors.Is(ferr, inventory.ErrNotFound) {
			return ferr
		}
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
	rep, err := drivers.Probe(c.Context, b, drivers.Target{Address: addr, Device: dev, AllowHTTP: c.Bool("http")}, nil)
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
