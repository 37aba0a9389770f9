package main

import (
	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/rollout"
)

func newTestCommand() *cli.Command {
	return &cli.Command{
		Name:  "test",
		Usage: "trigger and confirm the test e-mail on devices, without writing settings",
		Description: `Logs in to each selected device, triggers its test e-mail to a unique
plus-address of the account and confirms the message arrives in the
mailbox (read over IMAP with the app password). Nothing is written to the
devices; the result is recorded for the audit.

Devices without a test action (TEST in 'mfpfleet drivers') are skipped,
unless --wait: then the command prints the plus-address to scan to, waits
(rollout.confirm_timeout, or --confirm-timeout) with a countdown for a scan
someone sends from the device's panel, and exits 4 if nothing arrived.

Examples:
   mfpfleet test --site HQ
   mfpfleet test --ip 10.1.0.31 --wait`,
		Flags: append(append(append([]cli.Flag{
			&cli.StringFlag{Name: "account", Usage: "Gmail `ADDRESS` (default: [gmail] account)"},
			&cli.BoolFlag{Name: "wait", Usage: "for devices without a test action, wait for a scan to their plus-address"},
		}, selectionFlags()...), runFlags()...), passwordFlags()...),
		Action: runTest,
	}
}

func runTest(c *cli.Context) error {
	g := getGlobals(c)
	o, err := rolloutOptions(c)
	if err != nil {
		return err
	}
	o.Wait = c.Bool("wait")
	if o.Select.Empty() {
		return usageError("test needs devices: --site, --vendor, --model, --ip, --holding or --all")
	}
	if o.AppPassword, err = readAppPassword(c, "Gmail app password for "+o.Account+" (to read the mailbox): "); err != nil {
		return err
	}
	pp := g.newPushProgress()
	o.Progress = pp.event
	sum, err := rollout.Test(c.Context, o)
	pp.done()
	return g.reportRun(sum, err)
}
