package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// Exit codes, one table for every command (printed by --help); errors
// are sorted into them by exitClasses. 7 is kept for "the browser keeps
// crashing".
const (
	exitOK         = 0
	exitError      = 1   // anything not listed below
	exitUsage      = 2   // bad flags or arguments
	exitConfig     = 3   // fleet.toml missing or invalid
	exitSomeFailed = 4   // push/test/rotate: at least one device failed
	exitGmail      = 5   // the Gmail preflight failed (app password, network)
	exitLocked     = 6   // a device refused the admin or may lock out: act by hand
	exitBrowser    = 7   // the browser kept crashing: run stopped, devices not attempted
	exitCancelled  = 130 // interrupted (Ctrl-C); re-run to resume
)

const exitCodesHelp = `
EXIT CODES:
   0    success
   1    error
   2    usage error (bad flag, argument or address)
   3    configuration error (fleet.toml, or a setting it lacks: [gmail] account)
   4    some devices failed (push, test, rotate); the failed ones are listed
   5    Gmail preflight failed (app password, account or network)
   6    admin login refused or lock-out risk: a device needs a technician
   7    the browser (Chromium) kept crashing: the run stopped, the devices left
        are not attempted (none failed); re-run to carry on
   130  interrupted; re-run the same command to resume
`

var (
	errUsage      = errors.New("usage")
	errConfig     = errors.New("configuration")
	errSomeFailed = errors.New("some devices failed")
	errGmail      = errors.New("gmail preflight failed")
	errLocked     = errors.New("admin login refused")
	errCancelled  = errors.New("interrupted")
	errBrowser    = errors.New("the browser keeps crashing")
)

// exitClasses is the one classification of errors into exit codes, for
// every command: the first class with a sentinel that errors.Is finds in
// the error wins. Commands return the packages' errors as they are (or
// wrapped with %w); they need not map them themselves.
var exitClasses = []struct {
	code      int
	sentinels []error
}{
	// First: a run the browser stopped is also journalled as interrupted.
	{exitBrowser, []error{errBrowser, rollout.ErrBrowserCrashing}},
	{exitCancelled, []error{errCancelled, rollout.ErrInterrupted}},
	{exitUsage, []error{errUsage,
		devices.ErrBadTarget, devices.ErrLargeSweep, rollout.ErrNoTargets,
		rollout.ErrNothingSelected, rollout.ErrNoResume, inventory.ErrAmbiguous,
		gmail.ErrNoAppPassword, gmail.ErrNoPasswordSource, gmail.ErrAppPasswordLength,
		gmail.ErrLooksLikeAccountPassword, gmail.ErrNotAnAddress}},
	{exitConfig, []error{errConfig, rollout.ErrNoAccount, config.ErrNotFound}},
	{exitLocked, []error{errLocked, rollout.ErrAdminLogin}},
	{exitGmail, []error{errGmail, rollout.ErrPreflight}},
	{exitSomeFailed, []error{errSomeFailed, rollout.ErrSomeFailed}},
}

// exitCode classifies err by exitClasses; exitError when none matches.
func exitCode(err error) int {
	for _, c := range exitClasses {
		for _, s := range c.sentinels {
			if errors.Is(err, s) {
				return c.code
			}
		}
	}
	return exitError
}

// hinted is an error with advice printed on its own line.
type hinted struct {
	err  error
	hint string
}

func (h hinted) Error() string { return h.err.Error() }
func (h hinted) Unwrap() error { return h.err }

func withHint(err error, format string, a ...any) error {
	return hinted{err: err, hint: fmt.Sprintf(format, a...)}
}

// kinded classifies err for the exit-code table without changing its
// message: errors.Is(k, kind) and errors.Is(k, err's sentinels) both hold.
type kinded struct{ kind, err error }

func (k kinded) Error() string   { return k.err.Error() }
func (k kinded) Unwrap() []error { return []error{k.kind, k.err} }

func classify(kind, err error) error { return kinded{kind: kind, err: err} }

func usageError(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
}

// reportError prints err (and its hints) and returns the exit code.
func reportError(w io.Writer, err error) int {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, errUsage.Error()+": ")
	fmt.Fprintf(w, "mfpfleet: %s\n", msg)
	var h hinted
	for e := err; errors.As(e, &h); e = h.err {
		if h.hint != "" {
			fmt.Fprintf(w, "hint: %s\n", h.hint)
		}
	}
	code := exitCode(err)
	if code == exitCancelled {
		fmt.Fprintln(w, "hint: nothing written so far is lost; run the same command again to resume")
	}
	if code == exitError && isFlagError(msg) {
		fmt.Fprintln(w, "hint: see 'mfpfleet --help' or 'mfpfleet COMMAND --help'")
		code = exitUsage
	}
	return code
}

func isFlagError(msg string) bool {
	for _, s := range []string{"flag provided but not defined", "invalid value", "Required flag", "flag needs an argument", "No help topic"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
