package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/inventory"
)

func newCredentialsCommand() *cli.Command {
	return &cli.Command{
		Name:  "credentials",
		Usage: "the registry of app passwords (fingerprints and labels, never the passwords)",
		Description: `Each app password is recorded by account, label (the app name given to
Google, so myaccount.google.com/apppasswords maps back to devices) and a
fingerprint (HMAC-SHA256 with this inventory's own key). A CREDENTIAL
reference is its id, its label, or 8+ hex digits of its fingerprint.`,
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Usage: "the registered app passwords and how many devices hold each",
				Description: `Id, account, label, fingerprint, how many devices hold each app password,
when it was registered and revoked.

Examples:
   mfpfleet credentials list
   mfpfleet credentials list --revoked --json`,
				Flags:  []cli.Flag{&cli.BoolFlag{Name: "revoked", Usage: "include revoked credentials"}},
				Action: runCredentialsList,
			},
			{
				Name:  "add",
				Usage: "check an app password against Gmail and register it",
				Description: `Checks the app password against Gmail (unless --skip-check) and records
its fingerprint under the label it has at Google. push registers the app
password it pushes by itself; add is for one created ahead of time.

Examples:
   mfpfleet credentials add --site HQ --password-file app-password.txt
   mfpfleet credentials add --label "MFP AltaLink C8070 3TB123456" --account scans@client.com`,
				Flags: append([]cli.Flag{
					&cli.StringFlag{Name: "account", Usage: "Gmail `ADDRESS` (default: [gmail] account)"},
					&cli.StringFlag{Name: "label", Usage: "the app name it was created under at Google (default: \"MFP <site>\" or asked for)"},
					&cli.StringFlag{Name: "site", Usage: "suggest the label \"MFP site SITE\""},
					&cli.BoolFlag{Name: "skip-check", Usage: "register without the Gmail preflight (offline)"},
				}, passwordFlags()...),
				Action: runCredentialsAdd,
			},
			{
				Name:      "revoke",
				Usage:     "mark a credential revoked (after revoking it at Google)",
				ArgsUsage: "CREDENTIAL",
				Description: `Marks the app password revoked in the inventory (revoke it at
myaccount.google.com/apppasswords too): audit then flags every device
still holding it, and push refuses to push it again.

Examples:
   mfpfleet credentials revoke "MFP site HQ"
   mfpfleet credentials revoke 3`,
				Action: runCredentialsRevoke,
			},
		},
	}
}

func runCredentialsList(c *cli.Context) error {
	g := getGlobals(c)
	db, err := g.openDB(c.Context)
	if err != nil {
		return err
	}
	creds, err := db.ListCredentials(c.Context, c.Bool("revoked"))
	if err != nil {
		return err
	}
	type row struct {
		inventory.Credential
		Devices int `json:"devices"`
	}
	rows := make([]row, 0, len(creds))
	for _, cr := range creds {
		holders, err := db.DevicesHolding(c.Context, cr.ID)
		if err != nil {
			return err
		}
		rows = append(rows, row{cr, len(holders)})
	}
	if g.json {
		return g.printJSON(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(g.stderr, "mfpfleet: no credentials registered; 'mfpfleet credentials add' or 'mfpfleet push' registers one")
		return nil
	}
	t := make([][]string, 0, len(rows))
	for _, r := range rows {
		revoked := ""
		if r.Revoked() {
			revoked = r.RevokedAt.Local().Format("2006-01-02")
		}
		t = append(t, []string{fmt.Sprint(r.ID), r.Account, r.Label, r.ShortFingerprint(), fmt.Sprint(r.Devices), r.CreatedAt.Local().Format("2006-01-02"), revoked})
	}
	return g.table([]string{"ID", "ACCOUNT", "LABEL", "FINGERPRINT", "DEVICES", "CREATED", "REVOKED"}, t)
}

func runCredentialsAdd(c *cli.Context) error {
	g := getGlobals(c)
	acct, err := account(c)
	if err != nil {
		return err
	}
	label := c.String("label")
	if label == "" && c.String("site") != "" {
		label = gmail.SiteLabel(c.String("site"))
	}
	if label == "" {
		return usageError("give --label (the app name you typed at Google, e.g. \"MFP AltaLink C8070 3TB123456\") or --site")
	}
	pw, err := readAppPassword(c, "Gmail app password for "+acct+": ")
	if err != nil {
		return err
	}
	if !c.Bool("skip-check") {
		_, err := gmail.Check(c.Context, gmail.CheckOptions{
			Account: acct, Password: pw, Host: g.cfg.Gmail.SMTPHost, Port: g.cfg.Gmail.StartTLSPort,
			CAFile: g.cfg.Gmail.CAFile, Logger: g.log,
		})
		if err != nil {
			var d *gmail.Diagnosis
			if errors.As(err, &d) {
				return withHint(fmt.Errorf("%w: %s", errGmail, d.Cause), "%s", d.NextStep)
			}
			return fmt.Errorf("%w: %w", errGmail, err)
		}
	}
	db, err := g.openDB(c.Context)
	if err != nil {
		return err
	}
	cr, created, err := db.AddCredential(c.Context, acct, label, db.Fingerprint(pw.Reveal()))
	if err != nil {
		return err
	}
	if g.json {
		return g.printJSON(map[string]any{"credential": cr, "created": created})
	}
	verb := "registered"
	if !created {
		verb = "already registered"
	}
	fmt.Fprintf(g.stdout, "%s credential %d: %s %q fingerprint %s\n", verb, cr.ID, cr.Account, cr.Label, cr.ShortFingerprint())
	return nil
}

func runCredentialsRevoke(c *cli.Context) error {
	g := getGlobals(c)
	if c.NArg() != 1 {
		return usageError("credentials revoke takes one CREDENTIAL (id, label or fingerprint prefix)")
	}
	db, err := g.openDB(c.Context)
	if err != nil {
		return err
	}
	cr, err := db.FindCredential(c.Context, c.Args().First())
	if err != nil {
		return withHint(err, "see 'mfpfleet credentials list'")
	}
	holders, err := db.DevicesHolding(c.Context, cr.ID)
	if err != nil {
		return err
	}
	if err := db.RevokeCredential(c.Context, cr.ID); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "credential %d %q marked revoked\n", cr.ID, cr.Label)
	if len(holders) > 0 {
		fmt.Fprintf(g.stderr, "warning: %d devices still hold it and can no longer send; 'mfpfleet rotate --from %d' pushes a new app password to them\n", len(holders), cr.ID)
	}
	fmt.Fprintf(g.stderr, "hint: revoke %q at %s too, if not done yet\n", cr.Label, gmail.AppPasswordsURL)
	return nil
}
