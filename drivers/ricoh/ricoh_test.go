package ricoh_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
	"github.com/mfpfleet/mfpfleet/drivers/ricoh"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

// The Ricoh driver's tests use 127.0.70.0 - 127.0.73.255: one address per
// simulated device or stand-in.

var (
	browser      *drivers.Browser
	browserErr   error
	artifactsDir string
	next         atomic.Uint32
)

func addr(tb testing.TB) netip.Addr {
	n := next.Add(1)
	a := netip.AddrFrom4([4]byte{127, 0, byte(70 + n/250), byte(1 + n%250)})
	if a.As4()[2] > 73 {
		tb.Fatalf("test address block exhausted at %s", a)
	}
	return a
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ricoh-artifacts-")
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

func suite(t testing.TB, model string) drivertest.Config {
	if browser == nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			t.Fatalf("chromium required (MFPFLEET_REQUIRE_PEERS=1): %v", browserErr)
		}
		t.Skipf("chromium not available: %v", browserErr)
	}
	return drivertest.Config{Browser: browser, ArtifactsDir: artifactsDir, Family: sim.FamilyRicohWIM, Model: model, Addr: addr, Logger: logger()}
}

// device starts a simulated Web Image Monitor and returns it with a
// target identified as SNMP identifies a Ricoh.
func device(t *testing.T, e *drivertest.Env, o sim.DeviceOptions) (*sim.Device, drivers.Target) {
	t.Helper()
	d, tgt := e.Device(t, o)
	tgt.Device.Vendor = "ricoh"
	tgt.Device.Family = ricoh.FamilyWIM
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
	if fam := s.Info().Family; fam != ricoh.FamilyWIM {
		t.Fatalf("session family %q", fam)
	}
	return s
}

// adminFree reports whether an administrator can log in now (no admin
// session is left open), by logging in and out over HTTP as nmap does.
func adminFree(t *testing.T, d *sim.Device, pw string) bool {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, // loopback simulator
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u, _ := url.Parse(d.HTTPSURL())
	jar.SetCookies(u, []*http.Cookie{{Name: "cookieOnOffChecker", Value: "on", Path: "/"}})
	get := func(p string) string {
		resp, err := c.Get(d.HTTPSURL() + p)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	page := get("/web/guest/en/websys/webArch/authForm.cgi")
	m := regexp.MustCompile(`name="wimToken" value="(\d+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no wimToken: %s", page)
	}
	b64 := base64.StdEncoding.EncodeToString
	resp, err := c.PostForm(d.HTTPSURL()+"/web/guest/en/websys/webArch/login.cgi", url.Values{"wimToken": {m[1]}, "userid_work": {""},
		"userid": {b64([]byte("admin"))}, "password_work": {""}, "password": {b64([]byte(pw))}, "open": {""}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return false
	}
	get("/web/entry/en/websys/webArch/logout.cgi")
	return true
}

// push runs the single-device flow and checks everything a push to a
// Ricoh promises: the settings written and read back, no test action
// (written-unconfirmed), the scan to the plus-address arriving in the
// mailbox over IMAP, no failed login, no admin session left open.
func push(t *testing.T, c drivertest.Config, o sim.DeviceOptions, creds []drivers.Credential, port int, wantKind string) (*sim.Device, drivertest.Result) {
	t.Helper()
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, o)
	r, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, creds, port)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	if r.Used.Kind != wantKind || r.Used.User != "admin" {
		t.Errorf("logged in with %s (%s), want kind %s", r.Used.Describe(), r.Used.Kind, wantKind)
	}
	if r.Before.Port != 25 || r.Before.Auth || r.Before.Security != drivers.SecurityNone || r.Before.PasswordSet {
		t.Errorf("factory settings read as %v", r.Before)
	}
	want := drivers.GmailSettings("", drivertest.Account, config.Secret{}, port)
	if r.After.Server != "smtp.gmail.com" || r.After.Port != port || r.After.Security != want.Security || !r.After.Auth ||
		r.After.User != drivertest.Account || r.After.From != drivertest.Account || !r.After.PasswordSet {
		t.Errorf("read back %v (password set %v), want %v", r.After, r.After.PasswordSet, want)
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
	if d.FailedLogins() != 0 && wantKind != ricoh.KindSerial {
		t.Errorf("device counted %d failed logins", d.FailedLogins())
	}
	if !errors.Is(r.TestErr, drivers.ErrNoTestAction) || !strings.Contains(r.TestErr.Error(), "unconfirmed") || !strings.Contains(r.TestErr.Error(), r.TestedTo) {
		t.Fatalf("test: err = %v, want ErrNoTestAction saying unconfirmed until a scan to %s", r.TestErr, r.TestedTo)
	}
	// The technician's scan proves the written password works.
	if j := d.ScanToEmail(context.Background(), r.TestedTo); !j.OK {
		t.Fatalf("scan to email after the push: %+v", j)
	}
	m, err := e.Gmail.WaitMessage(ctxT(t, 20*time.Second), func(m standin.Message) bool {
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
	pw := o.AdminPassword
	if o.PasswordIsSerial {
		pw = d.Serial()
	}
	if !adminFree(t, d, pw) {
		t.Errorf("the push left its admin session open: the next login is refused")
	}
	return d, r
}

func TestPush587Default(t *testing.T) {
	push(t, suite(t, "MP C3004"), sim.DeviceOptions{}, nil, 587, ricoh.KindBlank)
}

func TestPush465ConfiguredAdmin(t *testing.T) {
	push(t, suite(t, "MP C3004"), sim.DeviceOptions{AdminPassword: drivertest.AdminSecret}, configured(drivertest.AdminSecret), 465, drivers.KindConfigured)
}

// TestSerialDefault: newer IM models take the serial number: blank is
// tried first (one failed login), then the serial.
func TestSerialDefault(t *testing.T) {
	d, _ := push(t, suite(t, "IM C4500"), sim.DeviceOptions{PasswordIsSerial: true}, nil, 587, ricoh.KindSerial)
	if d.FailedLogins() != 1 || d.LockedOut() {
		t.Errorf("device counted %d failed logins (locked %v), want 1 (the blank password first)", d.FailedLogins(), d.LockedOut())
	}
}

// TestBadges: a Savin (and the other badges) is claimed by the driver
// with the Web Image Monitor family.
func TestBadges(t *testing.T) {
	d, ok := drivers.Lookup(ricoh.Name)
	if !ok {
		t.Fatal("not registered")
	}
	in, _ := drivers.InfoOf(d)
	for _, b := range []string{"Savin", "Lanier", "Gestetner", "NRG"} {
		dev := devicesDevice("ricoh", b)
		f, ok := in.Claim(dev)
		if !ok || f.ID != ricoh.FamilyWIM {
			t.Errorf("%s: claimed %v %q", b, ok, f.ID)
		}
		if got, err := drivers.For(dev); err != nil || got.Name() != ricoh.Name {
			t.Errorf("%s: drivers.For = %v, %v", b, got, err)
		}
	}
	if _, ok := in.Claim(devicesDevice("xerox", "")); ok {
		t.Error("a Xerox claimed as Web Image Monitor")
	}
}

// TestWrongPasswordNeverLocks: the admin password is none of the
// candidates. Run 1 tries the configured one, blank and the serial (the
// budget, two below the declared lock-out), runs 2 and 3 try nothing;
// the device (locking after 5) never locks.
func TestWrongPasswordNeverLocks(t *testing.T) {
	c := suite(t, "IM C4500")
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "Something-Else-42"})
	budget := drivers.LoginBudget(tgt.Device, 0)
	if budget != 3 {
		t.Fatalf("budget %d, want 3 (lock-out 5 minus 2)", budget)
	}
	for run := 1; run <= 3; run++ {
		sess := open(t, c, tgt)
		_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, configured(drivertest.AdminSecret), e.Ledger(), budget, run == 3)
		_ = sess.Logout(ctxT(t, time.Minute))
		sess.Close()
		if !errors.Is(err, drivers.ErrBadCredentials) || drivers.IsRetryable(err) {
			t.Fatalf("run %d: err = %v, want ErrBadCredentials", run, err)
		}
		for _, s := range []string{drivertest.AdminSecret, "Something-Else-42", tgt.Device.Serial} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("run %d: error shows a password: %v", run, err)
			}
		}
		if !strings.Contains(err.Error(), "fleet.toml") {
			t.Errorf("run %d: error does not say what to put in fleet.toml: %v", run, err)
		}
		if d.FailedLogins() != 3 || d.LockedOut() {
			t.Fatalf("run %d: device counted %d failed logins (locked %v), want 3, not locked", run, d.FailedLogins(), d.LockedOut())
		}
	}
}

func TestLockedOut(t *testing.T) {
	c := suite(t, "MP C3004")
	e := drivertest.NewEnv(t, c)
	_, tgt := device(t, e, sim.DeviceOptions{Faults: sim.Faults{LockedOut: true}})
	sess := open(t, c, tgt)
	_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, configured(drivertest.AdminSecret), e.Ledger(), 3, false)
	if !errors.Is(err, drivers.ErrLockedOut) || drivers.IsRetryable(err) {
		t.Fatalf("err = %v, want ErrLockedOut", err)
	}
	total, _, _ := e.Ledger().FailedLogins(context.Background(), tgt.Device.Key())
	if total != 1 {
		t.Errorf("%d attempts recorded, want 1 (stop at the first lock-out)", total)
	}
}

// TestSessionLeftOpen: a run killed after logging in (its tab closed, no
// logout) leaves the device's one admin session open. The next run is
// told "busy" (retryable, never a failed login, nothing in the ledger)
// until the device's idle time-out ends the session; then it logs in.
func TestSessionLeftOpen(t *testing.T) {
	c := suite(t, "MP C3004")
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, sim.DeviceOptions{SessionTTL: 4 * time.Second})
	killed := open(t, c, tgt)
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), killed, tgt.Device, nil, e.Ledger(), 3, false); err != nil {
		t.Fatalf("first run: %v", err)
	}
	killed.Close() // killed: no logout
	sess := open(t, c, tgt)
	_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, nil, e.Ledger(), 3, false)
	if !errors.Is(err, drivers.ErrBusy) || !drivers.IsRetryable(err) || errors.Is(err, drivers.ErrBadCredentials) {
		t.Fatalf("err = %v, want ErrBusy, retryable", err)
	}
	if d.FailedLogins() != 0 {
		t.Errorf("a busy device counted %d failed logins", d.FailedLogins())
	}
	if total, _, _ := e.Ledger().FailedLogins(context.Background(), tgt.Device.Key()); total != 0 {
		t.Errorf("busy recorded as %d failed logins", total)
	}
	// Waited out: the rollout retries a busy device later.
	deadline := time.Now().Add(time.Minute)
	for {
		time.Sleep(time.Second)
		_, err = drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, nil, e.Ledger(), 3, false)
		if err == nil || !errors.Is(err, drivers.ErrBusy) || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("after the idle time-out: %v", err)
	}
	if err := sess.Logout(ctxT(t, time.Minute)); err != nil {
		t.Fatal(err)
	}
	if !adminFree(t, d, "") {
		t.Error("logout left the session open")
	}
}

// TestLogoutAfterFailedStep: a step that fails after login (firmware
// without SMTP encryption) still logs out.
func TestNoEncryptionFirmware(t *testing.T) {
	c := suite(t, "Aficio MP 301")
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, sim.DeviceOptions{SMTPTLS: sim.SMTPTLSNone})
	_, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, nil, 587)
	if !errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "firmware") || drivers.IsRetryable(err) {
		t.Fatalf("err = %v, want ErrFirmware naming firmware", err)
	}
	if d.SMTP().Server != "" || d.SMTPPasswordIs(drivertest.AppPassword) {
		t.Errorf("settings written to a device that cannot encrypt: %+v", d.SMTP())
	}
	if !adminFree(t, d, "") {
		t.Error("the failed push left its admin session open")
	}
}

// TestSSLOnlyFirmware: older firmware offers SSL (465) only: 587 is
// refused naming 465, 465 works.
func TestSSLOnlyFirmware(t *testing.T) {
	c := suite(t, "MP C2003")
	c.UI = sim.UIRicohSSLOnly
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, sim.DeviceOptions{})
	_, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, nil, 587)
	if !errors.Is(err, drivers.ErrUnsupported) || !strings.Contains(err.Error(), "465") || errors.Is(err, drivers.ErrFirmware) {
		t.Fatalf("587 on SSL-only firmware: err = %v, want ErrUnsupported naming 465", err)
	}
	push(t, c, sim.DeviceOptions{}, nil, 465, ricoh.KindBlank)
	_ = d
}

func TestTLS10Firmware(t *testing.T) {
	c := suite(t, "MP C3004")
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, sim.DeviceOptions{SMTPTLS: sim.SMTPTLS10})
	r, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, nil, 587)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	if j := d.ScanToEmail(context.Background(), r.TestedTo); j.OK {
		t.Fatal("a TLS 1.0 device delivered to a TLS 1.2 server")
	}
}

func TestKeepsPasswordWhenEmpty(t *testing.T) {
	c := suite(t, "MP C3004")
	e := drivertest.NewEnv(t, c)
	d, tgt := device(t, e, sim.DeviceOptions{})
	old := "oldoldoldoldoldo"
	d.SetSMTP(sim.SMTPSettings{Server: "relay.example.com", Port: 25, Security: sim.SecurityNone, Auth: sim.AuthSMTP, User: "x@example.com"}, &old)
	sess := open(t, c, tgt)
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, nil, e.Ledger(), 3, false); err != nil {
		t.Fatal(err)
	}
	defer sess.Logout(ctxT(t, time.Minute))
	back, err := sess.ReadSMTP(ctxT(t, time.Minute))
	if err != nil || !back.PasswordSet || back.Server != "relay.example.com" {
		t.Fatalf("read %+v %v", back, err)
	}
	if err := sess.WriteSMTP(ctxT(t, time.Minute), drivers.GmailSettings("", drivertest.Account, config.Secret{}, 587)); err != nil {
		t.Fatalf("write without password: %v", err)
	}
	if !d.SMTPPasswordIs(old) || d.SMTP().Server != "smtp.gmail.com" {
		t.Errorf("device holds %+v (old password kept: %v)", d.SMTP(), d.SMTPPasswordIs(old))
	}
}

// TestAltLayout: other field names, same labels.
func TestAltLayout(t *testing.T) {
	push(t, suite(t, "MP C3004"), sim.DeviceOptions{Faults: sim.Faults{AltLayout: true}}, nil, 587, ricoh.KindBlank)
}

func loggedIn(t *testing.T, c drivertest.Config, e *drivertest.Env, tgt drivers.Target, creds []drivers.Credential) drivers.Session {
	t.Helper()
	sess := open(t, c, tgt)
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, creds, e.Ledger(), 3, false); err != nil {
		t.Fatalf("login: %v", err)
	}
	t.Cleanup(func() { _ = sess.Logout(ctxT(t, time.Minute)) })
	return sess
}

func TestTransientFaults(t *testing.T) {
	c := suite(t, "MP C3004")
	e := drivertest.NewEnv(t, c)
	w := drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587)
	t.Run("SlowPage", func(t *testing.T) {
		d, tgt := device(t, e, sim.DeviceOptions{})
		sess := loggedIn(t, c, e, tgt, nil)
		d.SetFaults(sim.Faults{Slow: 5 * time.Second})
		if _, err := sess.ReadSMTP(ctxT(t, 2*time.Second)); !errors.Is(err, drivers.ErrTransient) || !drivers.IsRetryable(err) {
			t.Fatalf("slow page: err = %v, want transient", err)
		}
		d.SetFaults(sim.Faults{})
		// The step's context is gone (as after Ctrl-C); logging out with
		// a fresh one still frees the device's one admin session.
		if err := sess.Logout(ctxT(t, time.Minute)); err != nil {
			t.Fatalf("logout after an interrupted step: %v", err)
		}
		if !adminFree(t, d, "") {
			t.Error("the admin session stayed open after an interrupted step")
		}
	})
	t.Run("RebootMidWrite", func(t *testing.T) {
		d, tgt := device(t, e, sim.DeviceOptions{})
		sess := loggedIn(t, c, e, tgt, nil)
		d.SetFaults(sim.Faults{RebootOnSave: 3 * time.Second})
		if err := sess.WriteSMTP(ctxT(t, time.Minute), w); !errors.Is(err, drivers.ErrTransient) || !drivers.IsRetryable(err) {
			t.Fatalf("reboot mid-write: err = %v, want transient", err)
		}
		if d.SMTPPasswordIs(drivertest.AppPassword) {
			t.Errorf("settings applied although the device rebooted")
		}
	})
	t.Run("SessionDropped", func(t *testing.T) {
		d, tgt := device(t, e, sim.DeviceOptions{})
		sess := loggedIn(t, c, e, tgt, nil)
		d.SetFaults(sim.Faults{DropSessionAfter: 1})
		if err := sess.WriteSMTP(ctxT(t, time.Minute), w); !errors.Is(err, drivers.ErrTransient) || !drivers.IsRetryable(err) {
			t.Fatalf("dropped session: err = %v, want transient", err)
		}
	})
}

// TestNoSecretsInArtifacts runs failing flows with a configured admin
// password and the app password typed, then greps every artifact.
func TestNoSecretsInArtifacts(t *testing.T) {
	c := suite(t, "MP C3004")
	e := drivertest.NewEnv(t, c)
	w := drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: drivertest.AdminSecret})
	sess := loggedIn(t, c, e, tgt, configured(drivertest.AdminSecret))
	d.SetFaults(sim.Faults{RebootOnSave: time.Second})
	if err := sess.WriteSMTP(ctxT(t, time.Minute), w); err == nil {
		t.Fatal("write succeeded on a rebooting device")
	}
	_, tgt2 := device(t, e, sim.DeviceOptions{AdminPassword: drivertest.AdminSecret, SMTPTLS: sim.SMTPTLSNone})
	sess2 := loggedIn(t, c, e, tgt2, configured(drivertest.AdminSecret))
	_ = sess2.WriteSMTP(ctxT(t, time.Minute), w)
	_, tgt3 := device(t, e, sim.DeviceOptions{AdminPassword: "Other-Pass-99"})
	s3 := open(t, c, tgt3)
	_, _ = drivers.LoginWithCandidates(ctxT(t, time.Minute), s3, tgt3.Device, configured(drivertest.AdminSecret), e.Ledger(), 1, false)
	n := 0
	secrets := []string{drivertest.AdminSecret, drivertest.AppPassword,
		base64.StdEncoding.EncodeToString([]byte(drivertest.AdminSecret)), base64.StdEncoding.EncodeToString([]byte(drivertest.AppPassword))}
	err := filepath.Walk(c.ArtifactsDir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		n++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range secrets {
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
	t.Logf("grepped %d artifacts", n)
}

func devicesDevice(vendor, brand string) devices.Device {
	return devices.Device{IP: "127.0.70.250", Vendor: vendor, Brand: brand, Model: "MP C4503", SysObjectID: "1.3.6.1.4.1.367.1.1"}
}
