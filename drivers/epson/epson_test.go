package epson_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
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
	"github.com/mfpfleet/mfpfleet/drivers/epson"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

// The Epson driver's tests use 127.0.90.0 - 127.0.93.255: one address per
// simulated device or stand-in.

// TestConformance runs the shared conformance suite against the facts
// this driver declares; the tests below add Epson's own cases (the
// second admin session, firmware refusals, the blank user name).
func TestConformance(t *testing.T) {
	drivertest.Run(t, suite(t))
}

var (
	browser      *drivers.Browser
	browserErr   error
	artifactsDir string
	next         atomic.Uint32
)

func addr(tb testing.TB) netip.Addr {
	n := next.Add(1)
	a := netip.AddrFrom4([4]byte{127, 0, byte(90 + n/250), byte(1 + n%250)})
	if a.As4()[2] > 93 {
		tb.Fatalf("test address block exhausted at %s", a)
	}
	return a
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "epson-artifacts-")
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

func suite(t testing.TB) drivertest.Config {
	if browser == nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			t.Fatalf("chromium required (MFPFLEET_REQUIRE_PEERS=1): %v", browserErr)
		}
		t.Skipf("chromium not available: %v", browserErr)
	}
	return drivertest.Config{Browser: browser, ArtifactsDir: artifactsDir, Family: sim.FamilyEpsonWebConfig, Model: "WF-C879R",
		Addr: addr, Logger: logger(), StepTimeout: time.Minute}
}

var serials atomic.Uint32

// device starts a simulated Web Config and returns it with a target
// identified as SNMP identifies an Epson (serial as Epson prints them).
func device(t *testing.T, e *drivertest.Env, o sim.DeviceOptions) (*sim.Device, drivers.Target) {
	t.Helper()
	if o.Serial == "" {
		o.Serial = fmt.Sprintf("X3HN%06d", serials.Add(1))
	}
	d, tgt := e.Device(t, o)
	tgt.Device.Vendor = "epson"
	tgt.Device.Family = epson.FamilyWebConfig
	return d, tgt
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// configured is a fleet.toml credential with Web Config's blank user.
func configured(pw string) []drivers.Credential {
	return []drivers.Credential{{User: "", Password: config.NewSecret(pw), Kind: drivers.KindConfigured, Source: "fleet.toml [[credentials]] (test)"}}
}

func open(t *testing.T, c drivertest.Config, tgt drivers.Target) drivers.Session {
	t.Helper()
	s, err := drivers.Open(ctxT(t, time.Minute), c.Browser, tgt)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if fam := s.Info().Family; fam != epson.FamilyWebConfig {
		t.Fatalf("session family %q", fam)
	}
	return s
}

// adminFree reports whether an administrator can log in now (no admin
// session is left open), by logging in and out over HTTP as the public
// certificate-upload script does.
func adminFree(t *testing.T, d *sim.Device, pw string) bool {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} // loopback simulator
	resp, err := c.PostForm(d.HTTPSURL()+"/PRESENTATION/ADVANCED/PASSWORD/SET", url.Values{"INPUTT_USERNAME": {""}, "access": {"https"},
		"INPUTT_PASSWORD": {pw}, "INPUTT_ACCSESSMETHOD": {"0"}, "INPUTT_DUMMY": {""}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "Administrator Logout") {
		return false
	}
	r2, err := c.Get(d.HTTPSURL() + "/PRESENTATION/ADVANCED/PASSWORD/LOGOUT")
	if err == nil {
		r2.Body.Close()
	}
	return true
}

// push runs the single-device flow and checks everything a push to Web
// Config promises: settings written and read back, the connection test
// passing without sending mail (connection-tested, not confirmed), the
// scan to the plus-address arriving in the mailbox over IMAP, no failed
// login, no admin session left open.
func push(t *testing.T, o sim.DeviceOptions, creds []drivers.Credential, port int, wantKind string) {
	t.Helper()
	c := suite(t)
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, o)
	r, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, creds, port)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	if r.Used.Kind != wantKind || r.Used.User != "" {
		t.Errorf("logged in with %s (%s), want kind %s", r.Used.Describe(), r.Used.Kind, wantKind)
	}
	if r.Before.Port != 25 || r.Before.Auth || r.Before.Security != drivers.SecurityNone || r.Before.PasswordSet {
		t.Errorf("factory settings read as %v", r.Before)
	}
	want := drivers.GmailSettings("", drivertest.Account, config.Secret{}, port)
	if r.After.Server != "smtp.gmail.com" || r.After.Port != port || r.After.Security != want.Security || !r.After.Auth ||
		r.After.User != drivertest.Account || r.After.From != drivertest.Account {
		t.Errorf("read back %v, want %v", r.After, want)
	}
	if diff := drivers.SMTPDiff(want, r.After); len(diff) != 0 {
		t.Errorf("read-back differs: %v", diff)
	}
	st := d.SMTP()
	wantSec := sim.SecuritySTARTTLS
	if port == 465 {
		wantSec = sim.SecurityTLS
	}
	if st.Server != "smtp.gmail.com" || st.Port != port || st.Security != wantSec || st.Auth != sim.AuthSMTP || st.User != drivertest.Account || st.From != drivertest.Account {
		t.Errorf("device holds %+v", st)
	}
	if !d.SMTPPasswordIs(drivertest.AppPassword) {
		t.Errorf("device does not hold the app password")
	}
	if d.FailedLogins() != 0 {
		t.Errorf("device counted %d failed logins", d.FailedLogins())
	}
	if !errors.Is(r.TestErr, drivers.ErrNoTestAction) || !strings.Contains(r.TestErr.Error(), "unconfirmed") {
		t.Fatalf("test: err = %v, want ErrNoTestAction saying unconfirmed", r.TestErr)
	}
	if !r.CheckRan || r.CheckErr != nil || !r.Check.OK {
		t.Fatalf("connection test: ran %v %+v %v", r.CheckRan, r.Check, r.CheckErr)
	}
	if n := len(e.Gmail.Messages()); n != 0 {
		t.Fatalf("the connection test sent %d messages", n)
	}
	// The technician's scan proves the written password works.
	if j := d.ScanToEmail(context.Background(), r.TestedTo); !j.OK {
		t.Fatalf("scan to email after the push: %+v", j)
	}
	m, err := e.Gmail.WaitMessage(ctxT(t, 30*time.Second), func(m standin.Message) bool {
		return len(m.Rcpt) > 0 && strings.EqualFold(m.Rcpt[0], r.TestedTo)
	})
	if err != nil {
		t.Fatalf("no mail for %s reached the stand-in: %v", r.TestedTo, err)
	}
	if m.AuthUser != drivertest.Account {
		t.Errorf("mail authenticated as %q", m.AuthUser)
	}
	if subj := e.InIMAP(t, r.TestedTo); len(subj) != 1 {
		t.Errorf("IMAP finds %d messages for %s, want 1", len(subj), r.TestedTo)
	}
	pw := d.DefaultAdminPassword()
	if o.AdminPassword != "" {
		pw = o.AdminPassword
	}
	if !adminFree(t, d, pw) {
		t.Errorf("the push left the admin session open")
	}
}

func TestPush587SerialDefault(t *testing.T) {
	push(t, sim.DeviceOptions{}, nil, 587, epson.KindSerial)
}

func TestPush465ConfiguredAdmin(t *testing.T) {
	push(t, sim.DeviceOptions{AdminPassword: drivertest.AdminSecret}, configured(drivertest.AdminSecret), 465, drivers.KindConfigured)
}

func TestAltLayout(t *testing.T) {
	push(t, sim.DeviceOptions{Faults: sim.Faults{AltLayout: true}}, nil, 587, epson.KindSerial)
}

// TestWrongPasswordNeverLocks: the device's password is neither the
// configured one nor the serial. Run 1 tries both and stops; later runs
// (same inventory) stay within the budget; the device, which locks after
// the declared 5, is never locked.
func TestWrongPasswordNeverLocks(t *testing.T) {
	c := suite(t)
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "Something-Else-42", LockoutAfter: 5})
	budget := drivers.LoginBudget(tgt.Device, 1)
	if budget >= 5 || budget < 1 {
		t.Fatalf("budget %d against a lock-out after 5", budget)
	}
	for run := 1; run <= 3; run++ {
		s := open(t, c, tgt)
		_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), s, tgt.Device, configured(drivertest.AdminSecret), e.Ledger(), budget, false)
		if err == nil || !errors.Is(err, drivers.ErrBadCredentials) && !strings.Contains(err.Error(), "budget") {
			t.Fatalf("run %d: err = %v", run, err)
		}
		_ = s.Logout(ctxT(t, 20*time.Second))
		s.Close()
	}
	if d.LockedOut() || d.FailedLogins() > budget {
		t.Fatalf("device counted %d failed logins (locked %v), budget %d", d.FailedLogins(), d.LockedOut(), budget)
	}
}

func TestLockedOut(t *testing.T) {
	c := suite(t)
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, sim.DeviceOptions{Faults: sim.Faults{LockedOut: true}})
	s := open(t, c, tgt)
	_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), s, tgt.Device, nil, e.Ledger(), 2, false)
	if !errors.Is(err, drivers.ErrLockedOut) {
		t.Fatalf("err = %v, want ErrLockedOut", err)
	}
	if d.FailedLogins() != 0 {
		t.Errorf("a locked device counted %d failures", d.FailedLogins())
	}
}

// TestSessionLeftOpen: a run killed while logged in leaves the one admin
// session open; the next run's login is busy (never a failed login, the
// right password not spent), and succeeds once the device has timed the
// old session out.
func TestSessionLeftOpen(t *testing.T) {
	c := suite(t)
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, sim.DeviceOptions{SessionTTL: 4 * time.Second})
	killed := open(t, c, tgt)
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), killed, tgt.Device, nil, e.Ledger(), 2, false); err != nil {
		t.Fatalf("login: %v", err)
	}
	killed.Close() // no Logout: the run was killed
	s := open(t, c, tgt)
	_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), s, tgt.Device, nil, e.Ledger(), 2, false)
	if !errors.Is(err, drivers.ErrBusy) || !drivers.IsRetryable(err) {
		t.Fatalf("login beside an open admin session: %v, want ErrBusy", err)
	}
	if d.FailedLogins() != 0 {
		t.Fatalf("busy counted as %d failed logins", d.FailedLogins())
	}
	time.Sleep(5 * time.Second) // the device's idle time-out (4 s here)
	used, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), s, tgt.Device, nil, e.Ledger(), 2, false)
	if err != nil || used.Kind != epson.KindSerial {
		t.Fatalf("login after the time-out: %v (%s)", err, used.Kind)
	}
	if err := s.Logout(ctxT(t, 20*time.Second)); err != nil {
		t.Fatal(err)
	}
	if d.FailedLogins() != 0 || !adminFree(t, d, d.DefaultAdminPassword()) {
		t.Fatalf("failed %d, admin session left open", d.FailedLogins())
	}
}

// TestSecondSessionBusyUntilLogout: a second login beside a live admin
// session is busy (retryable, not counted on the device nor in the
// ledger) and gets in once the first session logged out.
func TestSecondSessionBusyUntilLogout(t *testing.T) {
	c := suite(t)
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, sim.DeviceOptions{})
	first := loggedIn(t, c, e, tgt)
	second := open(t, c, tgt)
	_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), second, tgt.Device, nil, e.Ledger(), 2, false)
	if !errors.Is(err, drivers.ErrBusy) || !drivers.IsRetryable(err) {
		t.Fatalf("second admin session: %v, want ErrBusy", err)
	}
	if total, _, _ := e.Ledger().FailedLogins(context.Background(), tgt.Device.Key()); total != 0 || d.FailedLogins() != 0 {
		t.Fatalf("busy counted: ledger %d, device %d", total, d.FailedLogins())
	}
	if err := first.Logout(ctxT(t, time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), second, tgt.Device, nil, e.Ledger(), 2, false); err != nil {
		t.Fatalf("login after the first logged out: %v", err)
	}
	_ = second.Logout(ctxT(t, time.Minute))
}

func loggedIn(t *testing.T, c drivertest.Config, e *drivertest.Env, tgt drivers.Target) drivers.Session {
	t.Helper()
	s := open(t, c, tgt)
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), s, tgt.Device, nil, e.Ledger(), 2, false); err != nil {
		t.Fatalf("login: %v", err)
	}
	t.Cleanup(func() { _ = s.Logout(context.Background()) })
	return s
}

// TestFirmwareRefusals: firmware without SMTP encryption, and a password
// longer than the Authenticated Password's 20 characters, are named as
// firmware limits and nothing is saved.
func TestFirmwareRefusals(t *testing.T) {
	c := suite(t)
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, sim.DeviceOptions{SMTPTLS: sim.SMTPTLSNone})
	s := loggedIn(t, c, e, tgt)
	err := s.WriteSMTP(ctxT(t, time.Minute), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587))
	if !errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "Secure Connection") {
		t.Fatalf("no-encryption firmware: %v", err)
	}
	if d.SMTP().Server != "" {
		t.Fatalf("saved %+v", d.SMTP())
	}
	d2, tgt2 := device(t, e, sim.DeviceOptions{})
	s2 := loggedIn(t, c, e, tgt2)
	err = s2.WriteSMTP(ctxT(t, time.Minute), drivers.GmailSettings("", drivertest.Account, config.NewSecret(strings.Repeat("p", 21)), 587))
	if !errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "at most 20") {
		t.Fatalf("21-character password: %v", err)
	}
	if d2.SMTP().Server != "" {
		t.Fatalf("saved %+v", d2.SMTP())
	}
	// Firmware whose Authentication Method has no SMTP AUTH.
	d3, tgt3 := device(t, e, sim.DeviceOptions{UI: sim.UIEpsonNoAuth, Family: sim.FamilyEpsonWebConfig})
	s3 := loggedIn(t, c, e, tgt3)
	err = s3.WriteSMTP(ctxT(t, time.Minute), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587))
	if !errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "SMTP AUTH") {
		t.Fatalf("no-SMTP-AUTH firmware: %v", err)
	}
	if d3.SMTP().Server != "" {
		t.Fatalf("saved %+v", d3.SMTP())
	}
	// Opportunistic TLS is never written.
	w := drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587)
	w.Security = "starttls-if-available"
	if err := s2.WriteSMTP(ctxT(t, time.Minute), w); err == nil {
		t.Fatalf("opportunistic TLS written")
	}
}

// TestConnectionTestFails: a wrong app password fails the device's
// connection test with the server's 535.
func TestConnectionTestFails(t *testing.T) {
	c := suite(t)
	e := drivertest.NewEnv(t, c)
	_, tgt := device(t, e, sim.DeviceOptions{})
	s := loggedIn(t, c, e, tgt)
	if err := s.WriteSMTP(ctxT(t, time.Minute), drivers.GmailSettings("", drivertest.Account, config.NewSecret("wrongwrongwrongw"), 465)); err != nil {
		t.Fatal(err)
	}
	r, err := s.(drivers.ConnectionChecker).CheckSMTPConnection(ctxT(t, 2*time.Minute))
	if !errors.Is(err, drivers.ErrTestFailed) || r.OK || !strings.Contains(r.Message, "535") {
		t.Fatalf("check: %+v %v", r, err)
	}
}

// TestFirmwareTLS10: a mail client that speaks only TLS 1.0 fails the
// connection test against a Gmail that wants TLS 1.2, naming the
// firmware.
func TestFirmwareTLS10(t *testing.T) {
	c := suite(t)
	e := drivertest.NewEnv(t, c)
	_, tgt := device(t, e, sim.DeviceOptions{SMTPTLS: sim.SMTPTLS10})
	s := loggedIn(t, c, e, tgt)
	if err := s.WriteSMTP(ctxT(t, time.Minute), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587)); err != nil {
		t.Fatal(err)
	}
	r, err := s.(drivers.ConnectionChecker).CheckSMTPConnection(ctxT(t, 2*time.Minute))
	if !errors.Is(err, drivers.ErrTestFailed) || !errors.Is(err, drivers.ErrFirmware) || r.OK {
		t.Fatalf("check: %+v %v", r, err)
	}
}

// TestNoSecretsInArtifacts runs failing flows after both secrets were
// typed and greps every artifact (screenshots and HTML) for them.
func TestNoSecretsInArtifacts(t *testing.T) {
	c := suite(t)
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: drivertest.AdminSecret})
	s := open(t, c, tgt)
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), s, tgt.Device, configured(drivertest.AdminSecret), e.Ledger(), 2, false); err != nil {
		t.Fatal(err)
	}
	d.SetFaults(sim.Faults{RebootOnSave: time.Second})
	if err := s.WriteSMTP(ctxT(t, time.Minute), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587)); err == nil {
		t.Fatal("write succeeded on a rebooting device")
	}
	_, tgt3 := device(t, e, sim.DeviceOptions{AdminPassword: "Other-Pass-99"})
	s3 := open(t, c, tgt3)
	_, _ = drivers.LoginWithCandidates(ctxT(t, time.Minute), s3, tgt3.Device, configured(drivertest.AdminSecret), e.Ledger(), 1, false)
	n := 0
	err := filepath.Walk(artifactsDir, func(p string, fi os.FileInfo, err error) error {
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
		t.Errorf("no artifacts were written: the grep proves nothing")
	}
	t.Logf("grepped %d artifacts", n)
}
