package audit

import (
	"context"
	"errors"
	"time"

	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/inventory"
)

// DriverSMTPReader is the SMTPReader for `mfpfleet audit --live` built on
// the drivers package: for each device it opens a tab on the shared
// Browser, logs in the way a push does (configured credentials first,
// then factory defaults, within the lock-out budget, every attempt in the
// ledger), reads the SMTP settings, logs out and closes the tab. It
// writes nothing to the device.
type DriverSMTPReader struct {
	// Browser is the run's Chromium (drivers.NewBrowser), or any
	// SessionOpener; required.
	Browser drivers.SessionOpener
	// Target says how to reach a device (nil: its IP over HTTPS on port
	// 443 with certificates pinned by Certs, no plain HTTP).
	Target func(dev inventory.Device) drivers.Target
	// Certs pins certificates when Target is nil (Store: the inventory).
	Certs drivers.CertPolicy
	// Credentials returns the configured admin logins for a device (from
	// fleet.toml [[credentials]]); nil tries the factory defaults only.
	Credentials func(dev inventory.Device) []drivers.Credential
	// Ledger records login attempts across runs (the inventory's
	// LoginLedger); required, so the lock-out budget holds.
	Ledger drivers.LoginLedger
	// Budget caps the failed-login budget per device (0 = each family's,
	// drivers.LoginBudget).
	Budget int
	// StepTimeout bounds each step: open, login, read, logout (0 = 30s).
	StepTimeout time.Duration
}

var _ SMTPReader = (*DriverSMTPReader)(nil)

// ReadSMTP implements SMTPReader. Errors name the device and wrap the
// drivers' sentinel errors (ErrBadCredentials, ErrLockedOut,
// ErrCertChanged, ErrTransient, …).
func (r *DriverSMTPReader) ReadSMTP(ctx context.Context, dev inventory.Device) (drivers.SMTPSettings, error) {
	if r.Browser == nil || r.Ledger == nil {
		return drivers.SMTPSettings{}, errors.New("audit --live: the reader has no browser or login ledger (a bug in the caller)")
	}
	step := r.StepTimeout
	if step <= 0 {
		step = 30 * time.Second
	}
	var t drivers.Target
	if r.Target != nil {
		t = r.Target(dev)
	} else {
		t = drivers.Target{Address: dev.IP, Device: dev.Device, Certs: r.Certs}
	}
	var creds []drivers.Credential
	if r.Credentials != nil {
		creds = r.Credentials(dev)
	}

	phase := "open"
	var got drivers.SMTPSettings
	err := drivers.Visit{
		Open: func(c context.Context) (drivers.Session, error) { return r.Browser.OpenSession(c, t) },
		Login: func(c context.Context, sess drivers.Session) error {
			phase = "login"
			_, err := drivers.LoginWithCandidates(c, sess, dev.Device, creds, r.Ledger, drivers.LoginBudget(dev.Device, r.Budget), false)
			return err
		},
		StepTimeout:   step,
		LogoutTimeout: step,
	}.Run(ctx, func(ctx context.Context, sess drivers.Session) error {
		phase = "read"
		c, cancel := context.WithTimeout(ctx, step)
		defer cancel()
		var err error
		got, err = sess.ReadSMTP(c)
		return err
	})
	if err != nil {
		return drivers.SMTPSettings{}, auditDeviceErr(dev, phase, err)
	}
	return got, nil
}

// auditDeviceErr makes err a *drivers.StepError naming the device and
// the step (its text names the device once, whether the drivers did or
// not).
func auditDeviceErr(dev inventory.Device, step string, err error) error {
	if dev.IP == "" {
		return err
	}
	return drivers.AtStep(dev.IP, step, err)
}
