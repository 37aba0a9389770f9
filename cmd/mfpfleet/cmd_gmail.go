package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/gmail"
)

func newGmailCommand() *cli.Command {
	return &cli.Command{
		Name:  "gmail",
		Usage: "check a Gmail account and app password before touching any device",
		Subcommands: []*cli.Command{{
			Name:  "check",
			Usage: "log in to smtp.gmail.com with the app password, or try the Workspace SMTP relay from this network",
			Description: `Connects to Gmail's SMTP server exactly as a printer will: port 587 with
STARTTLS, or 465 with implicit TLS, and authenticates with the account and
its app password. Every failure comes with its likely cause and what to do:
534 5.7.9 (an account password was given, not an app password), 535 5.7.8
(wrong or revoked app password, or wrong account), a blocked port, TLS.

With method "relay" ([gmail] method, the site's [[sites]] method, or
--method relay) it talks to smtp-relay.gmail.com as a printer of the site
will, from the site's network: EHLO with a fully qualified name in the
client's domain, STARTTLS, MAIL FROM the account, RCPT TO the confirmation
address, and it stops before DATA (nothing is sent) unless --send-to asks
for a message. No password is needed unless relay_auth is on. Google's
answers become a diagnosis: 550 5.7.0 "Mail relay denied [IP]" prints the
public IP Google saw, to allow-list in the Admin console (changes take up
to an hour); 550 5.7.1 "Invalid credentials for relay" (the sender is not
in the client's domains); 421 4.7.0 (EHLO) (the name is not fully
qualified). Run it on the site's network: the relay judges the IP.

Exit status 0 only when authentication (relay: sender and recipient)
succeeded.

Examples:
   mfpfleet gmail check --account scans@client.com
   mfpfleet gmail check --port both --password-file app-password.txt
   mfpfleet gmail check --send-to me@client.com --json < /dev/null
   mfpfleet gmail check --method relay --account scans@client.com
   mfpfleet gmail check --site HQ --ehlo xrx-b8c463.client.com`,
			Flags: append([]cli.Flag{
				&cli.StringFlag{Name: "account", Usage: "Gmail `ADDRESS` (default: [gmail] account)"},
				&cli.StringFlag{Name: "port", Value: "587", Usage: "587 (STARTTLS), 465 (SSL/TLS) or both"},
				&cli.StringFlag{Name: "send-to", Usage: "also send a test message to `ADDRESS`"},
				&cli.DurationFlag{Name: "timeout", Value: 0, Usage: "give up after `DURATION` (default: 15s)"},
				&cli.StringFlag{Name: "method", Usage: "app-password or relay (default: the site's, else [gmail] method)"},
				&cli.StringFlag{Name: "site", Usage: "use `NAME`'s [[sites]] account, method and ehlo_domain"},
				&cli.StringFlag{Name: "ehlo", Usage: "relay: announce `NAME` in EHLO (default: mfpfleet-check.DOMAIN), e.g. a device's would-be name"},
			}, passwordFlags()...),
			Action: runGmailCheck,
		}},
	}
}

func runGmailCheck(c *cli.Context) error {
	g := getGlobals(c)
	if c.Args().Present() {
		return usageError("unexpected argument %q (gmail check takes flags only)", c.Args().First())
	}
	site := c.String("site")
	if site != "" {
		if _, ok := g.cfg.Site(site); !ok {
			return usageError("--site %q is not a [[sites]] name in %s", site, g.cfg.Path)
		}
	}
	method := c.String("method")
	if method == "" {
		method = g.cfg.MethodFor(site)
	}
	switch method {
	case config.MethodAppPassword:
	case config.MethodRelay:
		return runRelayCheck(c, site)
	default:
		return usageError("--method %q: use %s or %s", method, config.MethodAppPassword, config.MethodRelay)
	}
	if c.IsSet("ehlo") {
		return usageError("--ehlo is for --method relay (smtp.gmail.com accepts any name)")
	}
	acct, err := account(c)
	if err != nil {
		return err
	}
	if site != "" && !c.IsSet("account") {
		acct = g.cfg.AccountFor(site)
	}
	pw, err := readAppPassword(c, "Gmail app password for "+acct+": ")
	if err != nil {
		return err
	}
	o := gmail.CheckOptions{
		Account: acct, Password: pw, Host: g.cfg.Gmail.SMTPHost, CAFile: g.cfg.Gmail.CAFile,
		SendTo: c.String("send-to"), Timeout: c.Duration("timeout"), Logger: g.log,
	}
	var results []gmail.Result
	switch c.String("port") {
	case "587", "starttls":
		o.Port = g.cfg.Gmail.StartTLSPort
		o.Mode = gmail.ModeSTARTTLS
	case "465", "ssl", "tls":
		o.Port = g.cfg.Gmail.TLSPort
		o.Mode = gmail.ModeTLS
	case "both":
		results, err = gmail.CheckBoth(c.Context, o, g.cfg.Gmail.StartTLSPort, g.cfg.Gmail.TLSPort)
	default:
		return usageError("--port %q: use 587, 465 or both", c.String("port"))
	}
	if results == nil {
		var r gmail.Result
		r, err = gmail.Check(c.Context, o)
		results = []gmail.Result{r}
	}
	if g.json {
		if perr := g.printJSON(results); perr != nil {
			return perr
		}
	} else {
		for _, r := range results {
			label := fmt.Sprintf("%s port %d (%s)", r.Host, r.Port, r.Mode)
			if r.OK {
				extra := ""
				if r.Sent {
					extra = ", test message sent to " + r.SentTo
				}
				fmt.Fprintf(g.stdout, "ok    %s: %s authenticated with the app password, %s%s\n", label, r.Account, r.TLSVersion, extra)
				continue
			}
			printCheckFailure(g.stdout, label, r.Diagnosis)
		}
	}
	if err != nil {
		var d *gmail.Diagnosis
		if errors.As(err, &d) {
			return fmt.Errorf("%w: %s", errGmail, d.Cause)
		}
		return fmt.Errorf("%w: %w", errGmail, err)
	}
	return nil
}

// runRelayCheck is `gmail check` for the Workspace SMTP relay.
func runRelayCheck(c *cli.Context, site string) error {
	g := getGlobals(c)
	acct := c.String("account")
	if acct == "" {
		acct = g.cfg.AccountFor(site)
	}
	if acct == "" {
		return usageError("no sender: give --account scans@client.com or set [gmail] account in fleet.toml (an address in the client's Workspace domain)")
	}
	gc := g.cfg.Gmail
	rcpt, err := gmail.PlusAddress(acct, "mfp-check")
	if err != nil {
		rcpt = acct
	}
	ehlo := c.String("ehlo")
	if ehlo == "" {
		if d := g.cfg.EHLODomainFor(site); d != "" {
			ehlo = "mfpfleet-check." + d
		}
	}
	o := gmail.RelayCheckOptions{
		Sender: acct, Recipient: rcpt, EHLO: ehlo, Host: gc.RelayHost, CAFile: gc.CAFile,
		SendTo: c.String("send-to"), Timeout: c.Duration("timeout"), Logger: g.log, Auth: gc.RelayAuth,
	}
	if gc.RelayAuth {
		if o.Password, err = readAppPassword(c, "app password of the Workspace user "+acct+": "); err != nil {
			return err
		}
	}
	type portMode struct {
		port int
		mode gmail.Mode
	}
	var ports []portMode
	switch c.String("port") {
	case "587", "starttls":
		ports = []portMode{{gc.RelayStartTLSPort, gmail.ModeSTARTTLS}}
	case "465", "ssl", "tls":
		ports = []portMode{{gc.RelayTLSPort, gmail.ModeTLS}}
	case "both":
		ports = []portMode{{gc.RelayStartTLSPort, gmail.ModeSTARTTLS}, {gc.RelayTLSPort, gmail.ModeTLS}}
	default:
		return usageError("--port %q: use 587, 465 or both", c.String("port"))
	}
	var results []gmail.Result
	var errs []error
	for _, p := range ports {
		oo := o
		oo.Port, oo.Mode = p.port, p.mode
		r, err := gmail.RelayCheck(c.Context, oo)
		results = append(results, r)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if g.json {
		if err := g.printJSON(results); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			label := fmt.Sprintf("%s port %d (%s, relay, EHLO %s)", r.Host, r.Port, r.Mode, r.EHLO)
			if r.OK {
				how := "by this network's IP address"
				if r.Authenticated {
					how = "with SMTP AUTH as " + r.Account
				}
				extra := "; stopped before DATA, nothing was sent"
				if r.Sent {
					extra = ", test message sent to " + r.SentTo
				}
				fmt.Fprintf(g.stdout, "ok    %s: the relay accepted MAIL FROM %s and RCPT TO %s %s, %s%s\n", label, r.Account, r.Recipient, how, r.TLSVersion, extra)
				continue
			}
			printCheckFailure(g.stdout, label, r.Diagnosis)
		}
	}
	if err := errors.Join(errs...); err != nil {
		var d *gmail.Diagnosis
		if errors.As(err, &d) {
			return fmt.Errorf("%w: %s", errGmail, d.Cause)
		}
		return fmt.Errorf("%w: %w", errGmail, err)
	}
	return nil
}

// printCheckFailure prints one failed check line and its next step.
func printCheckFailure(w io.Writer, label string, d *gmail.Diagnosis) {
	if d == nil {
		fmt.Fprintf(w, "FAIL  %s\n", label)
		return
	}
	code := ""
	if d.ReplyCode != 0 {
		code = fmt.Sprintf(" (%d %s)", d.ReplyCode, d.EnhancedCode)
	}
	fmt.Fprintf(w, "FAIL  %s: %s%s\n      next: %s\n", label, d.Cause, code, d.NextStep)
}
