package konica_test

// The Konica Minolta driver against the simulated bizhub web admins
// (devices/sim/web_konica.go) with real Chromium: the shared conformance
// suite (conformance_test.go) and Konica Minolta's own cases through
// drivertest.Env with this driver's facts.
//
// Addresses: 127.0.91.0 - 127.0.92.255.

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
	"github.com/mfpfleet/mfpfleet/drivers/konica"
)

var (
	browser      *drivers.Browser
	browserErr   error
	artifactsDir string
	next         atomic.Uint32
)

func addr(tb testing.TB) netip.Addr {
	n := next.Add(1)
	a := netip.AddrFrom4([4]byte{127, 0, byte(91 + n/250), byte(1 + n%250)})
	if a.As4()[2] > 92 {
		tb.Fatalf("test address block exhausted at %s", a)
	}
	return a
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "konica-artifacts-")
	if err != nil {
		panic(err)
	}
	artifactsDir = dir
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	browser, browserErr = drivers.NewBrowser(ctx, drivers.BrowserOptions{
		Flags:        []string{"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.*"},
		ArtifactsDir: dir,
		Logger:       logger(),
	})
	cancel()
	code := m.Run()
	if browser != nil {
		browser.Close()
	}
	if os.Getenv("MFPFLEET_KEEP_ARTIFACTS") == "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

func logger() *slog.Logger {
	if os.Getenv("MFPFLEET_TEST_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func env(t *testing.T, family, model string) *drivertest.Env {
	if browser == nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			t.Fatalf("chromium required (MFPFLEET_REQUIRE_PEERS=1): %v", browserErr)
		}
		t.Skipf("chromium not available: %v", browserErr)
	}
	return drivertest.NewEnv(t, drivertest.Config{Browser: browser, ArtifactsDir: artifactsDir, Family: family, Model: model,
		Addr: addr, Logger: logger()})
}

// device starts a simulated bizhub; the target is what discovery records
// for it (Konica Minolta, the model, no family: the driver claims it).
func device(t *testing.T, e *drivertest.Env, o sim.DeviceOptions) (*sim.Device, drivers.Target) {
	d, tgt := e.Device(t, o)
	tgt.Device.Vendor = "konica-minolta"
	tgt.Device.Family = ""
	tgt.Device.SysObjectID = "1.3.6.1.4.1.18334.1.1.1.2.1.176.1.1"
	return d, tgt
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func admin(pw string) []drivers.Credential {
	return []drivers.Credential{{Password: config.NewSecret(pw), Kind: drivers.KindConfigured, Source: "fleet.toml [[credentials]] (test)"}}
}

var families = []struct{ family, model string }{
	{sim.FamilyKonicaClassic, "bizhub C458"},
	{sim.FamilyKonicaISeries, "bizhub C300i"},
}

func TestPush(t *testing.T) {
	for _, f := range families {
		for _, port := range []int{587, 465} {
			t.Run(f.family+"/"+map[int]string{587: "587default", 465: "465configured"}[port], func(t *testing.T) {
				e := env(t, f.family, f.model)
				o := sim.DeviceOptions{LockoutAfter: 3}
				var creds []drivers.Credential
				wantKind := konica.Kind16
				if port == 465 {
					o.AdminPassword = drivertest.AdminSecret
					creds = admin(drivertest.AdminSecret)
					wantKind = drivers.KindConfigured
				}
				d, tgt := device(t, e, o)
				r, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, creds, port)
				if err != nil {
					t.Fatalf("push: %v", err)
				}
				if r.Used.Kind != wantKind {
					t.Errorf("logged in with kind %s, want %s", r.Used.Kind, wantKind)
				}
				if r.Before.Port != 25 || r.Before.Auth || r.Before.Security != drivers.SecurityNone {
					t.Errorf("factory settings read as %v", r.Before)
				}
				wantSec := drivers.SecurityStartTLS
				if port == 465 {
					wantSec = drivers.SecuritySSLTLS
				}
				if r.After.Server != "smtp.gmail.com" || r.After.Port != port || r.After.Security != wantSec || !r.After.Auth ||
					r.After.User != drivertest.Account || r.After.From != drivertest.Account || !r.After.PasswordSet {
					t.Errorf("read back %v", r.After)
				}
				if !d.SMTPPasswordIs(drivertest.AppPassword) {
					t.Error("device does not hold the app password")
				}
				if d.FailedLogins() != 0 {
					t.Errorf("device counted %d failed logins", d.FailedLogins())
				}
				if r.TestErr != nil || !r.Test.OK {
					t.Fatalf("test e-mail: %+v %v", r.Test, r.TestErr)
				}
				if subj := e.InIMAP(t, r.TestedTo); len(subj) != 1 {
					t.Errorf("IMAP finds %d messages for %s, want 1", len(subj), r.TestedTo)
				}
				// Logged out: a new admin login is not refused as busy.
				s, err := browser.OpenSession(ctxT(t, time.Minute), tgt)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), s, tgt.Device, creds, e.Ledger(), 2, false); err != nil {
					t.Fatalf("login after the push (was the session logged out?): %v", err)
				}
				_ = s.Logout(ctxT(t, time.Minute))
			})
		}
	}
}

// A wrong configured password over three runs: ErrBadCredentials naming
// the fix, never the i-series' third failure.
func TestWrongPasswordNeverLocks(t *testing.T) {
	e := env(t, sim.FamilyKonicaISeries, "bizhub C300i")
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "Something-Else-42", LockoutAfter: 3})
	for run := 1; run <= 3; run++ {
		s, err := browser.OpenSession(ctxT(t, time.Minute), tgt)
		if err != nil {
			t.Fatal(err)
		}
		_, err = drivers.LoginWithCandidates(ctxT(t, time.Minute), s, tgt.Device, admin(drivertest.AdminSecret), e.Ledger(), 2, run == 3)
		s.Close()
		if !errors.Is(err, drivers.ErrBadCredentials) || drivers.IsRetryable(err) {
			t.Fatalf("run %d: err = %v, want ErrBadCredentials", run, err)
		}
		if !strings.Contains(err.Error(), "fleet.toml") || strings.Contains(err.Error(), drivertest.AdminSecret) {
			t.Errorf("run %d: error %v", run, err)
		}
		if d.LockedOut() || d.FailedLogins() > 2 {
			t.Fatalf("run %d: %d failed logins, locked %v", run, d.FailedLogins(), d.LockedOut())
		}
	}
}

// A session left open by a killed run: the next login is busy (not a
// failed login, nothing counted), and works once the device's session
// times out.
func TestSingleSession(t *testing.T) {
	for _, f := range families {
		t.Run(f.family, func(t *testing.T) {
			e := env(t, f.family, f.model)
			d, tgt := device(t, e, sim.DeviceOptions{LockoutAfter: 3, SessionTTL: 3 * time.Second})
			killed, err := browser.OpenSession(ctxT(t, time.Minute), tgt)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), killed, tgt.Device, nil, e.Ledger(), 2, false); err != nil {
				t.Fatal(err)
			}
			killed.Close() // no logout: the run was killed
			s, err := browser.OpenSession(ctxT(t, time.Minute), tgt)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			_, err = drivers.LoginWithCandidates(ctxT(t, time.Minute), s, tgt.Device, nil, e.Ledger(), 2, false)
			if !errors.Is(err, drivers.ErrBusy) {
				t.Fatalf("err = %v, want ErrBusy", err)
			}
			if d.FailedLogins() != 0 {
				t.Fatalf("busy counted as %d failed logins", d.FailedLogins())
			}
			time.Sleep(3500 * time.Millisecond) // the device's session time-out
			if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), s, tgt.Device, nil, e.Ledger(), 2, false); err != nil {
				t.Fatalf("after the open session timed out: %v", err)
			}
			_ = s.Logout(ctxT(t, time.Minute))
		})
	}
}

func TestLockedOut(t *testing.T) {
	e := env(t, sim.FamilyKonicaISeries, "bizhub C300i")
	_, tgt := device(t, e, sim.DeviceOptions{Faults: sim.Faults{LockedOut: true}})
	s, err := browser.OpenSession(ctxT(t, time.Minute), tgt)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = drivers.LoginWithCandidates(ctxT(t, time.Minute), s, tgt.Device, admin(drivertest.AdminSecret), e.Ledger(), 5, false)
	if !errors.Is(err, drivers.ErrLockedOut) || !strings.Contains(err.Error(), "5 minutes") {
		t.Fatalf("err = %v, want ErrLockedOut saying 5 minutes", err)
	}
}

// Firmware without SMTP over SSL/Start TLS: ErrFirmware naming it; and
// no secret in any screenshot or HTML the failures left.
func TestNoTLSFirmwareAndSecrets(t *testing.T) {
	e := env(t, sim.FamilyKonicaClassic, "bizhub C353")
	_, tgt := device(t, e, sim.DeviceOptions{UI: sim.UIKonicaNoTLS, AdminPassword: drivertest.AdminSecret})
	s, err := browser.OpenSession(ctxT(t, time.Minute), tgt)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), s, tgt.Device, admin(drivertest.AdminSecret), e.Ledger(), 2, false); err != nil {
		t.Fatal(err)
	}
	err = s.WriteSMTP(ctxT(t, time.Minute), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587))
	if !errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "SSL/Start TLS") {
		t.Fatalf("err = %v, want ErrFirmware naming SMTP over SSL/Start TLS", err)
	}
	_ = s.Logout(ctxT(t, time.Minute))
	// A wrong login types the tried password into the page.
	_, tgt2 := device(t, e, sim.DeviceOptions{AdminPassword: "Other-Pass-99"})
	s2, err := browser.OpenSession(ctxT(t, time.Minute), tgt2)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	_, _ = drivers.LoginWithCandidates(ctxT(t, time.Minute), s2, tgt2.Device, admin(drivertest.AdminSecret), e.Ledger(), 1, false)
	n := 0
	err = filepath.Walk(artifactsDir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		n++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, sec := range []string{drivertest.AdminSecret, drivertest.AppPassword} {
			if strings.Contains(string(b), sec) {
				t.Errorf("%s contains a secret", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Error("no artifacts were written: the grep proves nothing")
	}
}
