package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/gmail"
)

func newGmailCommand() *cli.Command {
	return &cli.Command{
		Name:  "gmail",
		Usage: "check a Gmail account and app password before touching any device",
		Subcommands: []*cli.Command{{
			Name:  "check",
			Usage: "log in to smtp.gmail.com with the app password (and optionally send a test)",
			Description: `Connects to Gmail's SMTP server exactly as a printer will: port 587 with
STARTTLS, or 465 with implicit TLS, and authenticates with the account and
its app password. Every failure comes with its likely cause and what to do:
534 5.7.9 (an account password was given, not an app password), 535 5.7.8
(wrong or revoked app password, or wrong account), a blocked port, TLS.

Exit status 0 only when authentication succeeded.

Examples:
   mfpfleet gmail check --account scans@client.com
   mfpfleet gmail check --port both --password-file app-password.txt
   mfpfleet gmail check --send-to me@client.com --json < /dev/null`,
			Flags: append([]cli.Flag{
				&cli.StringFlag{Name: "account", Usage: "Gmail `ADDRESS` (default: [gmail] account)"},
				&cli.StringFlag{Name: "port", Value: "587", Usage: "587 (STARTTLS), 465 (SSL/TLS) or both"},
				&cli.StringFlag{Name: "send-to", Usage: "also send a test message to `ADDRESS`"},
				&cli.DurationFlag{Name: "timeout", Value: 0, Usage: "give up after `DURATION` (default: 15s)"},
			}, passwordFlags()...),
			Action: runGmailCheck,
		}},
	}
}

func runGmailCheck(c *cli.Context) error {
	g := getGlobals(c)
	acct, err := account(c)
	if err != nil {
		return err
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
			d := r.Diagnosis
			if d == nil {
				fmt.Fprintf(g.stdout, "FAIL  %s\n", label)
				continue
			}
			code := ""
			if d.ReplyCode != 0 {
				code = fmt.Sprintf(" (%d %s)", d.ReplyCode, d.EnhancedCode)
			}
			fmt.Fprintf(g.stdout, "FAIL  %s: %s%s\n      next: %s\n", label, d.Cause, code, d.NextStep)
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
