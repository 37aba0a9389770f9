// Command mfpfleet provisions Gmail SMTP settings (an app password) into
// fleets of networked multifunction printers: it discovers them over SNMP,
// records them in an SQLite inventory, writes the settings through each
// device's web admin with headless Chromium, confirms a test e-mail really
// arrives, and keeps a journal for audit and rotation.
//
// This package only parses flags, calls one package function per command
// and prints the result; the work lives in devices, drivers, inventory,
// gmail and rollout.
package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	// Every vendor driver registers itself.
	_ "github.com/mfpfleet/mfpfleet/drivers/all"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	if n := len(args); n == 0 || args[n-1] != "--generate-bash-completion" {
		// Completion requests (completion.go) keep urfave/cli's order.
		args = reorderArgs(app, args)
	}
	err := app.RunContext(ctx, args)
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil && !errors.Is(err, errSomeFailed) {
		err = classify(errCancelled, err)
	}
	return reportError(stderr, err)
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:    "mfpfleet",
		Usage:   "provision Gmail app passwords into fleets of multifunction printers",
		Version: buildVersion().String(),
		Description: `A typical first run, against a client's network:

   mfpfleet discover 10.1.0.0/24            # find the MFPs over SNMP, record them
   mfpfleet devices list                    # what was found
   mfpfleet gmail check --account scans@client.com   # is the app password good?
   mfpfleet push --site HQ --dry-run        # the plan: which devices, which login
   mfpfleet push --site HQ                  # write, test and confirm each device
   mfpfleet audit --html report.html        # who holds which credential

The app password is never given on the command line: it is read from
--password-stdin, --password-file, $MFPFLEET_APP_PASSWORD, or a no-echo
prompt. Flags may come before or after targets.`,
		Reader:               stdin,
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		HideHelpCommand:      true,
		Flags:                globalFlags(),
		Before:               setupGlobals,
		After:                closeGlobals,
		Commands: []*cli.Command{
			newDiscoverCommand(),
			newDevicesCommand(),
			newGmailCommand(),
			newCredentialsCommand(),
			newPushCommand(),
			newTestCommand(),
			newRotateCommand(),
			newAuditCommand(),
			newInventoryCommand(),
			newProbeCommand(),
			newDriversCommand(),
			newDoctorCommand(),
			newVersionCommand(),
			newCompletionCommand(),
		},
		// Errors are printed once, by reportError, with their hint.
		ExitErrHandler: func(*cli.Context, error) {},
	}
	app.CustomAppHelpTemplate = cli.AppHelpTemplate + exitCodesHelp
	refuseStrayArgs("mfpfleet", app.Commands)
	return app
}

// refuseStrayArgs makes every command that takes no positional argument
// (no ArgsUsage) refuse one, instead of silently ignoring it: `audit
// bogus-arg` or `audit --csv a.csv` from an older habit must not look
// like success. A group (devices, credentials, gmail) refuses an unknown
// subcommand the same way.
func refuseStrayArgs(path string, cmds []*cli.Command) {
	for _, c := range cmds {
		c := c
		name := path + " " + c.Name
		if len(c.Subcommands) > 0 {
			refuseStrayArgs(name, c.Subcommands)
			if c.Action == nil {
				c.Action = func(ctx *cli.Context) error {
					if ctx.NArg() == 0 {
						return cli.ShowSubcommandHelp(ctx)
					}
					return withHint(usageError("%s: no subcommand %q", strings.TrimPrefix(name, "mfpfleet "), ctx.Args().First()), "see '%s --help'", name)
				}
			}
			continue
		}
		if c.ArgsUsage != "" || c.Action == nil {
			continue
		}
		action := c.Action
		c.Action = func(ctx *cli.Context) error {
			if ctx.NArg() > 0 {
				return withHint(usageError("%s takes no arguments, got %q", strings.TrimPrefix(name, "mfpfleet "), strings.Join(ctx.Args().Slice(), " ")),
					"options are flags (--site HQ, --ip ADDRESS); see '%s --help'", name)
			}
			return action(ctx)
		}
	}
}
