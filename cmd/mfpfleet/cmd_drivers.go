package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mfpfleet/mfpfleet/drivers"
)

// driverFamily is one line of `mfpfleet drivers --json`: what a driver
// declares about one web-admin family (never a password).
type driverFamily struct {
	Driver        string             `json:"driver"`
	Maker         string             `json:"maker"`
	Vendors       []string           `json:"vendors"`
	Badges        []string           `json:"badges,omitempty"`
	Family        string             `json:"family"`
	Name          string             `json:"name"`
	Driven        bool               `json:"driven"` // false: declined (set up by hand)
	Logins        []driverLogin      `json:"factory_logins"`
	Test          string             `json:"test_action"`
	LockoutAfter  int                `json:"lockout_after,omitempty"`
	LockoutUntil  string             `json:"lockout_until,omitempty"`
	SingleSession bool               `json:"single_session"`
	PasswordMax   int                `json:"password_max,omitempty"`
	Security      []drivers.Security `json:"security,omitempty"`
	Confirmed     string             `json:"confirmed,omitempty"`
}

type driverLogin struct {
	Kind  string `json:"kind"`
	User  string `json:"user"`
	Text  string `json:"text"`
	Short string `json:"short"`
}

func driverFamilies() []driverFamily {
	var out []driverFamily
	for _, in := range drivers.Infos() {
		for _, f := range in.Families {
			df := driverFamily{Driver: in.Name, Maker: in.Maker, Vendors: in.Vendors, Badges: in.Badges,
				Family: f.ID, Name: f.Name, Driven: f.Decline == nil, Test: f.Test.String(),
				LockoutAfter: f.Lockout.After, LockoutUntil: f.Lockout.Until, SingleSession: f.SingleSession,
				PasswordMax: f.PasswordMax, Security: f.Security, Confirmed: f.Confirmed, Logins: []driverLogin{}}
			for _, l := range f.Logins {
				df.Logins = append(df.Logins, driverLogin{Kind: l.Kind, User: l.User, Text: l.Text, Short: l.Short})
			}
			out = append(out, df)
		}
	}
	return out
}

func newDriversCommand() *cli.Command {
	return &cli.Command{
		Name:  "drivers",
		Usage: "list the web admins mfpfleet drives and what each driver declares about them",
		Description: `Lists every web-admin family of every built-in driver: the vendors and
OEM badges it handles, the factory logins tried when fleet.toml has no
[[credentials]] for a device (in the order they are tried), whether the
device can send a test e-mail or only test its connection, after how many
wrong passwords it locks the administrator out and until when, and whether
it allows one admin session at a time. Families marked "by hand" are
recognised but not driven: push plans them as skipped, saying what to do.

Examples:
   mfpfleet drivers
   mfpfleet drivers --json
   mfpfleet drivers --markdown     # the README's vendor table`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "markdown", Usage: "print the vendor table as Markdown: per family, what is built on confirmed facts and what on guesses"},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageError("drivers takes no arguments (got %q)", c.Args().First())
			}
			g := getGlobals(c)
			fams := driverFamilies()
			if g.json {
				return g.printJSON(fams)
			}
			if c.Bool("markdown") {
				_, err := fmt.Fprint(g.stdout, driversMarkdown(fams))
				return err
			}
			rows := make([][]string, 0, len(fams))
			for _, f := range fams {
				logins := make([]string, 0, len(f.Logins))
				for _, l := range f.Logins {
					logins = append(logins, fmt.Sprintf("%s (%s)", l.Short, userText(l.User)))
				}
				lock := "not known"
				if f.LockoutAfter > 0 {
					lock = fmt.Sprintf("after %d", f.LockoutAfter)
					if f.LockoutUntil != "" {
						lock += ", until " + f.LockoutUntil
					}
				}
				mode := "pushed"
				if !f.Driven {
					mode = "by hand"
				}
				one := "no"
				if f.SingleSession {
					one = "yes"
				}
				rows = append(rows, []string{f.Family, f.Name, mode, strings.Join(logins, ", then "), f.Test, lock, one})
			}
			return g.table([]string{"FAMILY", "WEB ADMIN", "MODE", "FACTORY LOGINS", "TEST", "LOCK-OUT", "ONE SESSION"}, rows)
		},
	}
}

// userText names an admin user for people ("no user name" when the page
// asks only a password).
func userText(u string) string {
	if u == "" {
		return "no user name"
	}
	return u
}

// driversMarkdown is the README's vendor table: per family, what the
// driver declares and what of it rests on confirmed facts or guesses.
func driversMarkdown(fams []driverFamily) string {
	esc := func(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
	var b strings.Builder
	b.WriteString("| vendor (badges) | family | web admin | mode | factory logins, in order | test | lock-out | one session | confirmed facts and guesses |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, f := range fams {
		vendor := f.Maker
		if len(f.Badges) > 0 {
			vendor += " (" + strings.Join(f.Badges, ", ") + ")"
		}
		var logins []string
		for _, l := range f.Logins {
			logins = append(logins, l.Short)
		}
		if len(logins) == 0 {
			logins = []string{"-"}
		}
		lock := "not known"
		if f.LockoutAfter > 0 {
			lock = fmt.Sprintf("after %d, until %s", f.LockoutAfter, f.LockoutUntil)
		}
		mode, one := "pushed", "no"
		if !f.Driven {
			mode = "by hand"
		}
		if f.SingleSession {
			one = "yes"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s | %s | %s | %s |\n", esc(vendor), f.Family, esc(f.Name), mode,
			esc(strings.Join(logins, ", then ")), f.Test, esc(lock), one, esc(f.Confirmed))
	}
	return b.String()
}
