package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
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
	// Browser is the run's Chromium (drivers.NewBrowser); required.
	Browser *drivers.Browser
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

	c, cancel := context.WithTimeout(ctx, step)
	sess, err := drivers.Open(c, r.Browser, t)
	cancel()
	if err != nil {
		return drivers.SMTPSettings{}, auditDeviceErr(dev, "open", err)
	}
	defer sess.Close()

	c, cancel = context.WithTimeout(ctx, step)
	_, err = drivers.LoginWithCandidates(c, sess, dev.Device, creds, r.Ledger, drivers.LoginBudget(dev.Device, r.Budget), false)
	cancel()
	if err != nil {
		return drivers.SMTPSettings{}, auditDeviceErr(dev, "login", err)
	}
	defer func() {
		// Always log out, with its own budget: some devices allow one
		// admin session at a time.
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), step)
		defer cancel()
		_ = sess.Logout(c)
	}()

	c, cancel = context.WithTimeout(ctx, step)
	got, err := sess.ReadSMTP(c)
	cancel()
	if err != nil {
		return drivers.SMTPSettings{}, auditDeviceErr(dev, "read", err)
	}
	return got, nil
}

// auditDeviceErr prefixes err with the device address and step unless the
// drivers already named the device.
func auditDeviceErr(dev inventory.Device, step string, err error) error {
	var se *drivers.StepError
	if errors.As(err, &se) || dev.IP == "" || strings.HasPrefix(err.Error(), dev.IP) {
		return err
	}
	return fmt.Errorf("%s: %s: %w", dev.IP, step, err)
}
