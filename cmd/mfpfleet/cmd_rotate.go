package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/rollout"
)

func newRotateCommand() *cli.Command {
	return &cli.Command{
		Name:  "rotate",
		Usage: "replace an app password on every device that holds it (lost device, leak)",
		Description: `Finds every device holding the old credential, pushes the new app password
to each and confirms each. Devices that are gone (lost, decommissioned) are
given with --exclude: they are marked retired and skipped. Once no device
in service holds the old credential it is marked revoked, and you are told
its label so you can revoke it at myaccount.google.com/apppasswords.

Create the new app password at Google first; give it a new label.

--to relay moves a Google Workspace account's devices off app passwords:
every device holding one of the account's app passwords (or only --from's)
gets smtp-relay.gmail.com without AUTH and a domain name that makes its EHLO
fully qualified, each is confirmed, and the app passwords no device holds
any more are listed to revoke at myaccount.google.com/apppasswords. Allow
the site's public IP in the Admin console first ('mfpfleet gmail check
--method relay' tells). The app password asked for then only reads the
mailbox to confirm the test e-mails.

Examples:
   mfpfleet rotate --from "MFP site HQ" --label "MFP site HQ 2026-11"
   mfpfleet rotate --from 3 --exclude 10.1.0.44 --password-file new-app-password.txt
   mfpfleet rotate --to relay --account scans@client.com`,
		Flags: append(append([]cli.Flag{
			&cli.StringFlag{Name: "from", Usage: "the old `CREDENTIAL` (id, label or fingerprint prefix, see 'mfpfleet credentials list'); with --to relay: only its devices"},
			&cli.StringFlag{Name: "to", Usage: "relay: move the devices to the Workspace SMTP relay instead of a new app password"},
			&cli.StringFlag{Name: "account", Usage: "Gmail `ADDRESS` of the new app password (default: the old credential's)"},
			&cli.StringFlag{Name: "label", Usage: "the app name of the NEW app password at Google"},
			&cli.StringSliceFlag{Name: "exclude", Usage: "a device that is gone: `ADDRESS|SERIAL` (repeatable); marked retired"},
		}, runFlags()...), passwordFlags()...),
		Action: runRotate,
	}
}

func runRotate(c *cli.Context) error {
	g := getGlobals(c)
	o, err := rolloutOptions(c)
	if err != nil {
		return err
	}
	o.Account = c.String("account")
	o.Label = c.String("label")
	o.Select = rollout.Selector{}
	to := c.String("to")
	switch to {
	case "", config.MethodAppPassword:
		if c.String("from") == "" {
			return usageError("say which app password to replace: --from CREDENTIAL (or --to relay to move the devices to the Workspace SMTP relay)")
		}
		if o.AppPassword, err = readAppPassword(c, "NEW Gmail app password: "); err != nil {
			return err
		}
	case config.MethodRelay:
		// Only to read the mailbox (and for relay_auth); without one the
		// devices end written-unconfirmed.
		if o.AppPassword, err = readAppPassword(c, "app password to read the mailbox with (confirmations): "); err != nil && g.cfg.Gmail.RelayAuth {
			return err
		}
	default:
		return usageError("--to %q: use --to relay (or leave it out to replace an app password)", to)
	}
	pp := g.newPushProgress()
	o.Progress = pp.event
	res, err := rollout.Rotate(c.Context, rollout.RotateOptions{Options: o, From: c.String("from"), Exclude: c.StringSlice("exclude"), To: to})
	pp.done()
	if g.json {
		if perr := g.printJSON(res); perr != nil {
			return perr
		}
		return runError(err, res.Summary)
	}
	g.printSummary(res.Summary)
	for _, d := range res.Excluded {
		fmt.Fprintf(g.stderr, "retired: %s %s %s\n", d.IP, d.Model, d.Serial)
	}
	for _, cr := range res.ToRevoke {
		fmt.Fprintf(g.stdout, "revoke: %q (%s, %s) at %s\n", cr.Label, cr.Account, cr.Fingerprint, res.RevokeURL)
	}
	if res.Next != "" {
		fmt.Fprintf(g.stdout, "\nnext: %s\n", res.Next)
	}
	return runError(err, res.Summary)
}
