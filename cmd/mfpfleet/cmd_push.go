package main

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/audit"
	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// selectionFlags choose devices for push, test and audit.
func selectionFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "site", Usage: "devices of `SITE` (repeatable)"},
		&cli.StringSliceFlag{Name: "vendor", Usage: "devices of `VENDOR` (repeatable)"},
		&cli.StringSliceFlag{Name: "model", Usage: "models containing `TEXT` (repeatable)"},
		&cli.StringSliceFlag{Name: "ip", Usage: "the device at `ADDRESS` (repeatable; discovered first if unknown)"},
		&cli.StringFlag{Name: "holding", Usage: "devices holding `CREDENTIAL` (id, label or fingerprint prefix)"},
		&cli.BoolFlag{Name: "all", Usage: "every device in service"},
	}
}

func runFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "parallel", Aliases: []string{"p"}, Usage: "`N` devices at once, one Chromium tab each: a number, or auto (from this machine's cores and memory; default: rollout.parallel)"},
		&cli.BoolFlag{Name: "retry-defaults", Usage: "try factory-default admin passwords again even where they failed before (within the lock-out budget)"},
		&cli.BoolFlag{Name: "retry-configured", Usage: "after fixing a device's [[credentials]] password in fleet.toml: try it once more even though the failed-login budget is used up (never up to the lock-out)"},
		&cli.StringSliceFlag{Name: "accept-new-cert", Usage: "accept the changed HTTPS certificate of `ADDRESS` (repeatable, or a comma list: 10.1.0.23,10.1.0.24)"},
		&cli.DurationFlag{Name: "confirm-timeout", Usage: "wait `DURATION` for each test e-mail to arrive (default: rollout.confirm_timeout)"},
	}
}

func selector(c *cli.Context) rollout.Selector {
	return rollout.Selector{
		Sites: c.StringSlice("site"), Vendors: c.StringSlice("vendor"), Models: c.StringSlice("model"),
		IPs: c.StringSlice("ip"), Holding: c.String("holding"), All: c.Bool("all"),
	}
}

func newPushCommand() *cli.Command {
	return &cli.Command{
		Name:  "push",
		Usage: "write the Gmail SMTP settings and app password into devices, test and confirm each",
		Description: `For each selected device: log in to its web admin (the credentials fleet.toml
configures for it, else the vendor defaults, never more failed attempts
across runs than the device family's budget: two below the lock-out its
driver declares, or rollout.login_attempt_budget if lower), write smtp.gmail.com with 587 +
STARTTLS (or 465 + SSL/TLS, gmail.device_port), SMTP AUTH with the account
and the app password, read the settings back, trigger the device's test
e-mail to a unique plus-address of the account, and confirm the message
really arrived in the mailbox.

The app password is checked against Gmail once before any device is touched.
Every step is journalled: after Ctrl-C or a crash, run the same command again
(or push --resume) and it carries on; confirmed devices are skipped unless
--force. Devices whose model has no test e-mail action end
"written-unconfirmed", or "connection-tested" where the device's own SMTP
connection test passed (models whose TEST in 'mfpfleet drivers' is a
connection test only: the device reached Gmail and logged in, but sent
nothing): 'mfpfleet test --wait' confirms them when a scan to their
plus-address arrives.

Google Workspace sites may send through the SMTP relay instead ([gmail]
method or [[sites]] method = "relay", or --method relay): the devices get
smtp-relay.gmail.com without AUTH (the site's public IP is allow-listed)
and a domain name that makes their EHLO fully qualified; nothing secret is
stored on them. The app password then only reads the mailbox to confirm
the test e-mails (without one they end written-unconfirmed).

--dry-run prints the plan (which devices, which login first, skips) and
touches nothing; with --login, or for a single --ip, it also logs in
read-only and shows each device's current SMTP settings.

Examples:
   mfpfleet push --site HQ --dry-run
   mfpfleet push --site HQ --password-file app-password.txt
   mfpfleet push --ip 10.1.0.23 --account scans@client.com
   mfpfleet push --resume
   mfpfleet push --site Branch --method relay --dry-run`,
		Flags: append(append(append([]cli.Flag{
			&cli.StringFlag{Name: "account", Usage: "Gmail `ADDRESS` the devices send as (default: [gmail] account)"},
			&cli.StringFlag{Name: "label", Usage: "the app name this app password has at Google (default: suggested per device or site)"},
			&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "print the plan and stop"},
			&cli.BoolFlag{Name: "login", Usage: "with --dry-run: also log in read-only and show current settings"},
			&cli.BoolFlag{Name: "resume", Usage: "continue the last interrupted push"},
			&cli.BoolFlag{Name: "force", Usage: "push again to devices already confirmed with this app password"},
			&cli.StringFlag{Name: "method", Usage: "app-password or relay for every selected device (default: each site's method, else [gmail] method)"},
		}, selectionFlags()...), runFlags()...), passwordFlags()...),
		Action: runPush,
	}
}

func runPush(c *cli.Context) error {
	g := getGlobals(c)
	o, err := rolloutOptions(c)
	if err != nil {
		return err
	}
	o.DryRun = c.Bool("dry-run")
	o.DryRunLogin = c.Bool("login")
	o.Resume = c.Bool("resume")
	o.Force = c.Bool("force")
	o.Label = c.String("label")
	switch m := c.String("method"); m {
	case "", config.MethodAppPassword, config.MethodRelay:
		o.Method = m
	default:
		return usageError("--method %q: use %s or %s", m, config.MethodAppPassword, config.MethodRelay)
	}
	if o.Select.Empty() && !o.Resume {
		return withHint(usageError("push needs devices: --site, --vendor, --model, --ip, --holding or --all"), "see the plan first with 'mfpfleet push --all --dry-run'")
	}
	if !o.DryRun || o.DryRunLogin || len(o.Select.IPs) == 1 {
		if o.AppPassword, err = readAppPassword(c, "Gmail app password for "+o.Account+": "); err != nil && !o.DryRun && !relayByIPOnly(g.cfg, o) {
			return err
		}
	}
	pp := g.newPushProgress()
	o.Progress = pp.event
	sum, err := rollout.Push(c.Context, o)
	pp.done()
	return g.reportRun(sum, err)
}

// rolloutOptions builds the options shared by push, test and rotate.
func rolloutOptions(c *cli.Context) (rollout.Options, error) {
	g := getGlobals(c)
	par, err := parseParallel(c.String("parallel"))
	if err != nil {
		return rollout.Options{}, err
	}
	db, err := g.openDB(c.Context)
	if err != nil {
		return rollout.Options{}, err
	}
	acct := c.String("account")
	if acct == "" {
		acct = g.cfg.Gmail.Account
	}
	for _, ip := range c.StringSlice("ip") {
		if a, perr := netip.ParseAddr(ip); perr != nil || !a.Is4() {
			return rollout.Options{}, usageError("--ip %q is not an IPv4 address (write it like 10.1.0.23)", ip)
		}
	}
	return rollout.Options{
		Config: g.cfg, DB: db, Select: selector(c), Account: acct,
		RetryDefaults: c.Bool("retry-defaults"), RetryConfigured: c.Bool("retry-configured"), AcceptNewCert: c.StringSlice("accept-new-cert"),
		Parallel: par, ConfirmTimeout: c.Duration("confirm-timeout"),
		Logger: g.log,
	}, nil
}

// reportRun prints a push/test summary (or plan) and maps its error.
func (g *globals) reportRun(sum rollout.Summary, err error) error {
	if !g.json && len(sum.AccountFindings) > 0 {
		_ = audit.WriteAccountFindings(g.stdout, sum.AccountFindings, nil)
	}
	if g.json {
		if sum.Devices == nil {
			sum.Devices = []rollout.DeviceResult{}
		}
		if perr := g.printJSON(sum); perr != nil {
			return perr
		}
	} else if sum.Plan != nil && sum.DryRun {
		g.printPlan(sum)
	} else {
		g.printSummary(sum)
	}
	return runError(err, sum)
}

func (g *globals) printPlan(sum rollout.Summary) {
	p := sum.Plan
	for _, w := range p.Warnings {
		fmt.Fprintf(g.stderr, "warning: %s\n", w)
	}
	rows := make([][]string, 0, len(p.Targets))
	for _, t := range p.Targets {
		what := "push"
		if t.Method == config.MethodRelay {
			what = "push (relay)"
		}
		switch {
		case t.Fail != "":
			what = "FAIL: " + t.Fail
		case t.Skip != "":
			what = "skip: " + t.Skip
		}
		current := ""
		for _, d := range sum.Devices {
			if d.DeviceID == t.Device.ID && d.Current != nil {
				cur := d.Current
				current = fmt.Sprintf("%s:%d %s user=%s", cur.Server, cur.Port, cur.Security, cur.User)
			}
		}
		rows = append(rows, []string{t.Device.IP, t.Device.Model, t.Device.Serial, t.Driver, drivers.KindShort(t.FirstLoginKind), t.TestAction, fmt.Sprint(t.FailedLogins), current, what})
	}
	g.table([]string{"ADDRESS", "MODEL", "SERIAL", "DRIVER", "LOGIN FIRST", "TEST", "FAILED LOGINS", "CURRENT SMTP", "PLAN"}, rows) //nolint:errcheck
	g.printPlanNotes(p)
	fmt.Fprintf(g.stderr, "mfpfleet: plan for %s as %s", p.Kind, p.Account)
	if p.Label != "" {
		fmt.Fprintf(g.stderr, "; app password label %q", p.Label)
	}
	fmt.Fprintf(g.stderr, ": %d devices to touch, nothing written (dry run)\n", len(p.Runnable()))
}

func (g *globals) printSummary(sum rollout.Summary) {
	if len(sum.Devices) == 0 {
		return
	}
	rows := make([][]string, 0, len(sum.Devices))
	for _, d := range sum.Devices {
		when := ""
		if !d.ConfirmedAt.IsZero() {
			when = d.ConfirmedAt.Local().Format("15:04:05")
		}
		reason := d.Reason
		if d.Status == rollout.StatusConfirmed {
			reason = d.DeviceSays
		}
		login := d.AdminLogin
		if login != "" {
			// The declared short wording ("default 1111", "configured").
			_, login = drivers.KindText(login)
		}
		rows = append(rows, []string{d.Status, d.IP, d.Model, d.Serial, login, when, oneLine(reason)})
	}
	fmt.Fprintln(g.stdout)
	g.table([]string{"STATUS", "ADDRESS", "MODEL", "SERIAL", "ADMIN LOGIN", "CONFIRMED", "DETAIL"}, rows) //nolint:errcheck
	n := sum.Counts
	fmt.Fprintf(g.stderr, "mfpfleet: %s run %d %s in %s: %d confirmed, ", sum.Kind, sum.RunID, sum.Status, (time.Duration(sum.DurationMS) * time.Millisecond).Round(time.Second), n.Confirmed)
	if n.ConnectionTested > 0 {
		fmt.Fprintf(g.stderr, "%d connection-tested (unconfirmed), ", n.ConnectionTested)
	}
	fmt.Fprintf(g.stderr, "%d written but unconfirmed, %d failed, %d skipped", n.WrittenUnconfirmed, n.Failed, n.Skipped)
	if sum.DevicesPerMinute > 0 {
		fmt.Fprintf(g.stderr, " (%.0f devices/min)", sum.DevicesPerMinute)
	}
	fmt.Fprintln(g.stderr)
	if sum.Credential != nil && sum.Kind == "push" {
		fmt.Fprintf(g.stderr, "hint: the app password is registered as %q (fingerprint %s): give it that name at %s so it can be found when it must be revoked\n",
			sum.Credential.Label, shortFP(sum.Credential.Fingerprint), gmail.AppPasswordsURL)
	}
	if n.ConnectionTested > 0 {
		fmt.Fprintln(g.stderr, "hint: connection-tested devices reached Gmail and logged in, but have no test e-mail action: nothing was sent, so confirm each with a scan to the plus-address shown, then 'mfpfleet test --wait --ip ADDRESS'")
	}
	if n.WrittenUnconfirmed > 0 {
		fmt.Fprintln(g.stderr, "hint: written-but-unconfirmed devices have no test action: scan a page to the plus-address shown, then 'mfpfleet test --wait --ip ADDRESS'")
	}
	for _, d := range sum.Failed() {
		for _, a := range d.Artifacts {
			fmt.Fprintf(g.stderr, "  %s: %s\n", d.IP, a)
		}
	}
}

// rerunHint says how to go on after failures, as the next run behaves: a
// push (or rotation) skips the devices it confirmed; a test checks every
// selected device again, so it names the failed ones to test alone.
func rerunHint(sum rollout.Summary) string {
	if sum.Kind != "test" {
		return "fix what each failed device says and run the same command again: confirmed devices are skipped"
	}
	var ips []string
	for _, d := range sum.Failed() {
		ips = append(ips, "--ip "+d.IP)
	}
	if len(ips) == 0 {
		return "fix what each failed device says and run the same command again"
	}
	return "fix what each failed device says, then test only those: mfpfleet test " + strings.Join(ips, " ") +
		" (a test checks every device it selects again, confirmed ones too)"
}

func shortFP(fp string) string {
	if len(fp) > 12 {
		return fp[:12]
	}
	return fp
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}

// runError maps the rollout's sentinel errors to exit codes and hints.
func runError(err error, sum rollout.Summary) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, rollout.ErrPreflight):
		hint := "run 'mfpfleet gmail check' for the full diagnosis"
		if sum.Preflight != nil && sum.Preflight.Diagnosis != nil {
			hint = sum.Preflight.Diagnosis.NextStep
		}
		return withHint(classify(errGmail, err), "%s", hint)
	case errors.Is(err, rollout.ErrInterrupted):
		return classify(errCancelled, err)
	case errors.Is(err, rollout.ErrBrowserCrashing):
		return withHint(classify(errBrowser, err), "the devices not attempted are listed above; run the same command again to carry on")
	case errors.Is(err, rollout.ErrAdminLogin):
		return withHint(classify(errLocked, err), "the devices listed need a technician: configure their admin password in fleet.toml ([[credentials]] address = \"…\" user = \"…\" password_env = \"…\") and run again (add --retry-configured where the budget is used up, as each device says), or power-cycle a locked one and run 'mfpfleet devices reset-logins ADDRESS --power-cycled'")
	case errors.Is(err, rollout.ErrSomeFailed):
		return withHint(classify(errSomeFailed, err), "%s", rerunHint(sum))
	case errors.Is(err, rollout.ErrNothingSelected), errors.Is(err, rollout.ErrNoResume):
		return withHint(usageError("%v", err), "'mfpfleet devices list' shows the inventory; 'mfpfleet discover' fills it")
	}
	return err
}

// parseParallel reads --parallel: "" (rollout.parallel), auto, or a
// number of devices.
func parseParallel(v string) (int, error) {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		return 0, nil
	case strings.EqualFold(v, "auto"):
		return rollout.ParallelAuto, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("--parallel %q: give a number of devices at once (e.g. --parallel 16) or auto", v)
	}
	return n, nil
}
