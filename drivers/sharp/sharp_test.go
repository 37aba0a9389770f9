package sharp_test

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
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
	"github.com/mfpfleet/mfpfleet/drivers/sharp"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

// The Sharp driver's tests use 127.0.90.0 - 127.0.92.255: one address per
// simulated device or stand-in.

var (
	browser      *drivers.Browser
	browserErr   error
	artifactsDir string
	next         atomic.Uint32
)

func addr(tb testing.TB) netip.Addr {
	n := next.Add(1)
	a := netip.AddrFrom4([4]byte{127, 0, byte(90 + n/250), byte(1 + n%250)})
	if a.As4()[2] > 92 {
		tb.Fatalf("test address block exhausted at %s", a)
	}
	return a
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sharp-artifacts-")
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

func suite(t testing.TB, model, ui string) drivertest.Config {
	if browser == nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			t.Fatalf("chromium required (MFPFLEET_REQUIRE_PEERS=1): %v", browserErr)
		}
		t.Skipf("chromium not available: %v", browserErr)
	}
	return drivertest.Config{Browser: browser, ArtifactsDir: artifactsDir, Family: sim.FamilySharpMX, Model: model, UI: ui, Addr: addr, Logger: logger()}
}

func device(t *testing.T, e *drivertest.Env, o sim.DeviceOptions) (*sim.Device, drivers.Target) {
	t.Helper()
	d, tgt := e.Device(t, o)
	tgt.Device.Vendor = "sharp"
	tgt.Device.Family = sharp.FamilyMX
	return d, tgt
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func configured(pw string) []drivers.Credential {
	return []drivers.Credential{{User: "admin", Password: config.NewSecret(pw), Kind: drivers.KindConfigured, Source: "fleet.toml [[credentials]] (test)"}}
}

func open(t *testing.T, c drivertest.Config, tgt drivers.Target) drivers.Session {
	t.Helper()
	s, err := drivers.Open(ctxT(t, time.Minute), c.Browser, tgt)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// push runs the single-device flow (drivertest.Env.Push, as rollout does)
// and checks what a push to a Sharp promises: written and read back, the
// device's connection test passing, a scan arriving in the mailbox, no
// failed login, the session logged out.
func push(t *testing.T, c drivertest.Config, o sim.DeviceOptions, creds []drivers.Credential, port int, wantKind string) {
	t.Helper()
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, o)
	r, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, creds, port)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	if r.Used.Kind != wantKind {
		t.Errorf("logged in with %s (%s), want kind %s", r.Used.Describe(), r.Used.Kind, wantKind)
	}
	if r.Before.Auth || r.Before.Security != drivers.SecurityNone || r.Before.PasswordSet {
		t.Errorf("factory settings read as %v", r.Before)
	}
	want := drivers.GmailSettings("", drivertest.Account, config.Secret{}, port)
	if r.After.Server != "smtp.gmail.com" || r.After.Port != port || r.After.Security != want.Security || !r.After.Auth ||
		r.After.User != drivertest.Account || r.After.From != drivertest.Account || !r.After.PasswordSet {
		t.Errorf("read back %v, want %v", r.After, want)
	}
	st := d.SMTP()
	wantSec := sim.SecuritySTARTTLS
	if port == 465 {
		wantSec = sim.SecurityTLS
	}
	if st.Server != "smtp.gmail.com" || st.Port != port || st.Security != wantSec || st.Auth != sim.AuthSMTP || st.User != drivertest.Account {
		t.Errorf("device holds %+v", st)
	}
	if !d.SMTPPasswordIs(drivertest.AppPassword) {
		t.Errorf("device does not hold the app password")
	}
	if d.FailedLogins() != 0 {
		t.Errorf("device counted %d failed logins", d.FailedLogins())
	}
	if !errors.Is(r.TestErr, drivers.ErrNoTestAction) || !r.CheckRan || r.CheckErr != nil || !r.Check.OK {
		t.Fatalf("test: %v; connection check ran %v: %+v %v", r.TestErr, r.CheckRan, r.Check, r.CheckErr)
	}
	if j := d.ScanToEmail(context.Background(), r.TestedTo); !j.OK {
		t.Fatalf("scan to email after the push: %+v", j)
	}
	if _, err := e.Gmail.WaitMessage(ctxT(t, 20*time.Second), func(m standin.Message) bool {
		return len(m.Rcpt) > 0 && strings.EqualFold(m.Rcpt[0], r.TestedTo)
	}); err != nil {
		t.Fatalf("no mail for %s: %v", r.TestedTo, err)
	}
	if subj := e.InIMAP(t, r.TestedTo); len(subj) != 1 {
		t.Errorf("IMAP finds %d messages for %s, want 1", len(subj), r.TestedTo)
	}
	if n := d.AdminSessions(); n != 0 {
		t.Errorf("%d admin sessions left open", n)
	}
}

func TestPush587DefaultVariantB(t *testing.T) {
	push(t, suite(t, "MX-2640N", sim.UIClassic), sim.DeviceOptions{}, nil, 587, sharp.KindAdmin)
}

func TestPush465ConfiguredVariantA(t *testing.T) {
	push(t, suite(t, "MX-M6071", sim.UISharpRole), sim.DeviceOptions{AdminPassword: drivertest.AdminSecret}, configured(drivertest.AdminSecret), 465, drivers.KindConfigured)
}

func TestPush587DefaultVariantC(t *testing.T) {
	push(t, suite(t, "BP-70C45", sim.UISharpAdminLogin), sim.DeviceOptions{}, nil, 587, sharp.KindAdmin)
}

func TestAltLayout(t *testing.T) {
	push(t, suite(t, "MX-2640N", sim.UIClassic), sim.DeviceOptions{Faults: sim.Faults{AltLayout: true}}, nil, 465, sharp.KindAdmin)
}

// TestWrongPasswordNeverLocks: the admin password is none of the
// candidates; three runs never reach the (declared and simulated)
// lock-out of 3.
func TestWrongPasswordNeverLocks(t *testing.T) {
	c := suite(t, "MX-2640N", sim.UIClassic)
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "Something-Else-42", LockoutAfter: 3})
	budget := drivers.LoginBudget(tgt.Device, 0)
	for run := 1; run <= 3; run++ {
		sess := open(t, c, tgt)
		_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, configured(drivertest.AdminSecret), e.Ledger(), budget, run == 3)
		_ = sess.Logout(ctxT(t, time.Minute))
		sess.Close()
		if !errors.Is(err, drivers.ErrBadCredentials) || drivers.IsRetryable(err) {
			t.Fatalf("run %d: err = %v, want ErrBadCredentials", run, err)
		}
		if strings.Contains(err.Error(), drivertest.AdminSecret) || strings.Contains(err.Error(), "Something-Else-42") {
			t.Errorf("run %d: error shows a password: %v", run, err)
		}
		if d.LockedOut() || d.FailedLogins() >= 3 {
			t.Fatalf("run %d: device counted %d failed logins (locked %v)", run, d.FailedLogins(), d.LockedOut())
		}
	}
}

func TestLockedOut(t *testing.T) {
	c := suite(t, "MX-2640N", sim.UIClassic)
	e := drivertest.NewEnv(t, c)
	_, tgt := device(t, e, sim.DeviceOptions{Faults: sim.Faults{LockedOut: true}})
	sess := open(t, c, tgt)
	_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, configured(drivertest.AdminSecret), e.Ledger(), 2, false)
	if !errors.Is(err, drivers.ErrLockedOut) || drivers.IsRetryable(err) {
		t.Fatalf("err = %v, want ErrLockedOut", err)
	}
}

// TestWrongAppPasswordNotSaved: the connection test before saving fails,
// so the device keeps what it had.
func TestWrongAppPasswordNotSaved(t *testing.T) {
	c := suite(t, "MX-2640N", sim.UIClassic)
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, sim.DeviceOptions{})
	sess := open(t, c, tgt)
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, nil, e.Ledger(), 2, false); err != nil {
		t.Fatal(err)
	}
	defer sess.Logout(ctxT(t, time.Minute))
	err := sess.WriteSMTP(ctxT(t, time.Minute), drivers.GmailSettings("", drivertest.Account, config.NewSecret("wrongwrongwrongw"), 587))
	if !errors.Is(err, drivers.ErrTestFailed) || !strings.Contains(err.Error(), "nothing was saved") {
		t.Fatalf("err = %v, want ErrTestFailed, nothing saved", err)
	}
	if d.SMTP().Server != "" {
		t.Fatalf("saved after a failed test: %+v", d.SMTP())
	}
}

func TestNoEncryptionFirmware(t *testing.T) {
	c := suite(t, "MX-2640N", sim.UIClassic)
	e := drivertest.NewEnv(t, c)
	_, tgt := device(t, e, sim.DeviceOptions{SMTPTLS: sim.SMTPTLSNone})
	sess := open(t, c, tgt)
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, nil, e.Ledger(), 2, false); err != nil {
		t.Fatal(err)
	}
	defer sess.Logout(ctxT(t, time.Minute))
	err := sess.WriteSMTP(ctxT(t, time.Minute), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587))
	if !errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "Enable SSL") {
		t.Fatalf("err = %v, want ErrFirmware naming Enable SSL", err)
	}
}

// TestClaims: Sharp MFPs are claimed with sharp/mx; the Lexmark-built
// MX-B/MX-C models are not.
func TestClaims(t *testing.T) {
	d, ok := drivers.Lookup(sharp.Name)
	if !ok {
		t.Fatal("not registered")
	}
	in, _ := drivers.InfoOf(d)
	for _, m := range []string{"MX-3570N", "MX-2640N", "MX-M6071", "BP-70C45", "MX-2614N", "MX-C301W"} {
		f, ok := in.Claim(devices.Device{Vendor: "sharp", Model: m})
		if !ok || f.ID != sharp.FamilyMX {
			t.Errorf("%s: claimed %v %q", m, ok, f.ID)
		}
	}
	for _, m := range []string{"MX-B468F", "MX-C357F", "MX-B455W", "MX-C407P"} {
		if _, ok := in.Claim(devices.Device{Vendor: "sharp", Model: m}); ok {
			t.Errorf("%s (Lexmark-built) claimed as native", m)
		}
	}
}

func TestNoSecretsInArtifacts(t *testing.T) {
	c := suite(t, "MX-2640N", sim.UIClassic)
	e := drivertest.NewEnv(t, c)
	w := drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: drivertest.AdminSecret})
	sess := open(t, c, tgt)
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, configured(drivertest.AdminSecret), e.Ledger(), 2, false); err != nil {
		t.Fatal(err)
	}
	d.SetFaults(sim.Faults{RebootOnSave: time.Second})
	if err := sess.WriteSMTP(ctxT(t, time.Minute), w); err == nil {
		t.Fatal("write succeeded on a rebooting device")
	}
	_, tgt3 := device(t, e, sim.DeviceOptions{AdminPassword: "Other-Pass-99"})
	s3 := open(t, c, tgt3)
	_, _ = drivers.LoginWithCandidates(ctxT(t, time.Minute), s3, tgt3.Device, configured(drivertest.AdminSecret), e.Ledger(), 1, false)
	n := 0
	err := filepath.Walk(c.ArtifactsDir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		n++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range []string{drivertest.AdminSecret, drivertest.AppPassword} {
			if strings.Contains(string(b), s) {
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

// TestConformance runs the shared conformance suite (drivertest, which
// reads the driver's declared facts) against each login variant.
func TestConformance(t *testing.T) {
	for _, v := range []struct{ model, ui string }{
		{"MX-2640N", sim.UIClassic},
		{"MX-M6071", sim.UISharpRole},
		{"BP-70C45", sim.UISharpAdminLogin},
	} {
		t.Run(v.model, func(t *testing.T) { drivertest.Run(t, suite(t, v.model, v.ui)) })
	}
}
