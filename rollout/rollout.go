// Package rollout is the engine behind `mfpfleet push`, `mfpfleet test`
// and `mfpfleet rotate`: it selects devices from the inventory, plans what
// will happen to each, preflights the Gmail app password once, and runs
// the devices through the driver steps (login → read → write → read-back →
// test → confirm) with a bounded number of workers sharing one Chromium,
// journalling every run, device and step in the inventory as it happens.
//
// It sits between the drivers (one device's web admin), gmail (preflight
// and mailbox confirmation) and inventory (journal, holdings, credentials),
// none of which knows about the others; the CLI calls one function here
// per command and renders the Events and the Summary it gets back.
//
// A command calls exactly one of:
//
//	sum, err := rollout.Push(ctx, rollout.Options{...})   // push, push --dry-run, push --resume
//	sum, err := rollout.Test(ctx, rollout.Options{...})   // test, test --wait
//	res, err := rollout.Rotate(ctx, rollout.RotateOptions{...})
//
// Errors: ErrPreflight (the app password failed before any device was
// touched), ErrSomeFailed (the run finished, some devices failed; the
// Summary lists them and why), ErrAdminLogin (joined with ErrSomeFailed
// when a device refused the admin login or its lock-out budget is used
// up: a technician must act), ErrInterrupted (ctx was cancelled; the run
// is journalled as interrupted and a re-run resumes it), ErrNothingSelected.
package rollout

import (
	"errors"
	"strings"
)

// Sentinel errors returned (wrapped) by Push, Test and Rotate.
var (
	// ErrSomeFailed: the run finished but at least one device failed; the
	// Summary names each one with its reason. The CLI exits 4.
	ErrSomeFailed = errors.New("some devices failed")
	// ErrAdminLogin is joined to ErrSomeFailed when at least one device
	// failed because its admin login was refused, it is locked out, or its
	// failed-login budget is used up: a technician has to act (put the
	// password in fleet.toml, power-cycle the device).
	ErrAdminLogin = errors.New("admin login refused or lock-out risk")
	// ErrPreflight: the Gmail app password did not pass the SMTP check;
	// no device was touched. The error carries the *gmail.Diagnosis.
	ErrPreflight = errors.New("gmail preflight failed")
	// ErrInterrupted: ctx was cancelled (Ctrl-C). What was done is
	// journalled; the run is left "interrupted" and a re-run (or
	// --resume) continues it.
	ErrInterrupted = errors.New("interrupted")
	// ErrNothingSelected: the selector matched no device, or no selector
	// was given.
	ErrNothingSelected = errors.New("no devices selected")
	// ErrNoResume: Resume was asked for but no unfinished run exists.
	ErrNoResume = errors.New("no interrupted run to resume")
	// ErrNoAccount: no Gmail account was given and fleet.toml has none.
	ErrNoAccount = errors.New("no Gmail account")
)

// Device outcome statuses in a Summary (the inventory's run-device
// statuses).
const (
	StatusConfirmed          = "confirmed"
	StatusWrittenUnconfirmed = "written-unconfirmed"
	// StatusConnectionTested: written, and the device's connection test
	// passed (it reached Gmail and authenticated) on a model whose only
	// device-side check that is. Not a confirmation: that still needs a
	// scan to the device's plus-address.
	StatusConnectionTested = "connection-tested"
	StatusFailed           = "failed"
	StatusSkipped          = "skipped"
	// StatusRead is a dry run's outcome: logged in and read, nothing written.
	StatusRead = "read"
	// StatusPending is a device not reached because the run was interrupted.
	StatusPending = "pending"
)

// scrubber replaces secrets in text before it reaches the journal, logs,
// events or the summary. Drivers scrub their own errors; this is the
// rollout's own belt and braces.
type scrubber []string

func (s scrubber) scrub(text string) string {
	for _, v := range s {
		if len(v) >= 3 {
			text = strings.ReplaceAll(text, v, "**redacted**")
		}
	}
	return text
}
