// Package drivertest is the conformance suite every web-admin driver
// runs against the simulator (devices/sim) with a real Chromium, a real
// SQLite inventory as login ledger and certificate store, and the Gmail
// stand-in receiving the devices' test e-mails (rclone's fstests style).
// A driver's _test.go is just:
//
//	func TestConnectKey(t *testing.T) {
//		drivertest.Run(t, drivertest.Config{Browser: b, Family: sim.FamilyConnectKey, Model: "AltaLink C8045", …})
//	}
//
// The suite reads what it expects from the facts the family's driver
// declares (drivers.Info, found by Config.Family in the registry): the
// factory logins and their order, whether a test e-mail or a connection
// test exists, the lock-out, a single admin session. The same suite
// proves every vendor.
package drivertest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
	"github.com/mfpfleet/mfpfleet/inventory"
)

// Test account of the Gmail stand-in.
const (
	Account     = "scans.drivertest@gmail.com"
	AppPassword = "qzvbnmwertyuiopl" // 16 letters, what Google hands out
	// AdminSecret is the admin password the "configured" tests set on
	// devices; the secret-grep test looks for it in every artifact.
	AdminSecret = "Adm1n-Secret-7781"
)

// Config describes one driver family to test.
type Config struct {
	// Browser is the test binary's shared Chromium.
	Browser *drivers.Browser
	// ArtifactsDir is the Browser's artifacts dir (for the secret grep).
	ArtifactsDir string
	// Family is the web-admin family the simulated device serves, a
	// family id a registered driver declares (drivers.Family.ID); the
	// suite finds the rest in the registry (Facts). Model is the
	// simulated device's model.
	Family string
	Model  string
	// UI is the simulated firmware variant (sim.UIHeaderLogin), "" for
	// the family's classic pages.
	UI string
	// SNMPFamily is the family the model name suggests (what discovery
	// records), when the firmware serves another one: a VersaLink B415
	// serves the ConnectKey pages. "" = Family.
	SNMPFamily string
	// FaultCode is the fault code the family reports for a failed e-mail
	// job ("016-781" on VersaLink), "" when it shows none.
	FaultCode string
	// Addr returns a fresh loopback address from the caller's block for
	// each device and stand-in.
	Addr func(tb testing.TB) netip.Addr
	// StepTimeout bounds each driver step (default 30s).
	StepTimeout time.Duration
	Logger      *slog.Logger
	// AdminSecret is the configured admin password the "configured"
	// tests set ("" = the package's AdminSecret): a family whose login
	// takes another shape sets one that fits (a Canon System Manager PIN
	// is at most 7 digits). The secret-grep test looks for it.
	AdminSecret string
}

// Facts returns the declared family c.Family and its driver's Info.
func (c *Config) Facts(tb testing.TB) (drivers.Family, drivers.Info) {
	tb.Helper()
	for _, in := range drivers.Infos() {
		for _, f := range in.Families {
			if f.ID == c.Family {
				return f, in
			}
		}
	}
	tb.Fatalf("drivertest: no registered driver declares family %q (import the driver's package)", c.Family)
	return drivers.Family{}, drivers.Info{}
}

// hasTest reports whether c's family has a device test e-mail.
func (c *Config) hasTest(tb testing.TB) bool {
	f, _ := c.Facts(tb)
	return f.Test == drivers.TestEmail
}

func (c *Config) step() time.Duration {
	if c.StepTimeout <= 0 {
		return 30 * time.Second
	}
	return c.StepTimeout
}

// Env is one test's world: the stand-in, the inventory, and devices.
type Env struct {
	C     Config
	Gmail *standin.Server
	DB    *inventory.DB
}

var serials atomic.Uint32

// NewEnv starts the Gmail stand-in (TLS 1.2 minimum, like Gmail) and
// opens a fresh SQLite inventory.
func NewEnv(tb testing.TB, c Config) *Env {
	tb.Helper()
	return NewEnvTLS(tb, c, tls.VersionTLS12)
}

// NewEnvTLS is NewEnv with the stand-in's minimum TLS version.
func NewEnvTLS(tb testing.TB, c Config, minTLS uint16) *Env {
	tb.Helper()
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	gm, err := standin.Start(ctx, standin.Options{
		Addr: c.Addr(tb).String(), Account: Account, AppPassword: config.NewSecret(AppPassword),
		AccountPassword: config.NewSecret("normal-password-1"), MinTLS: minTLS, Logger: c.Logger,
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = gm.Close() })
	db, err := inventory.Open(ctx, filepath.Join(tb.TempDir(), "fleet.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return &Env{C: c, Gmail: gm, DB: db}
}

// Device starts a simulated device of the configured family (o's Model,
// Family, Serial, SMTPRoutes and SMTPRootCAs are filled in when empty)
// and returns it with the Target that reaches it over HTTPS, pinned in
// the inventory.
func (e *Env) Device(tb testing.TB, o sim.DeviceOptions) (*sim.Device, drivers.Target) {
	tb.Helper()
	if o.Model == "" {
		o.Model = e.C.Model
	}
	if o.Family == "" {
		o.Family = e.C.Family
		if o.UI == "" {
			o.UI = e.C.UI
		}
	}
	if o.Serial == "" {
		o.Serial = fmt.Sprintf("XDT%06d", serials.Add(1))
	}
	if o.SMTPRoutes == nil {
		o.SMTPRoutes = map[string]string{
			"smtp.gmail.com:587": e.Gmail.StartTLSAddr,
			"smtp.gmail.com:465": e.Gmail.TLSAddr,
		}
	}
	if o.SMTPRootCAs == nil {
		o.SMTPRootCAs = e.Gmail.ClientTLS().RootCAs
	}
	if o.Logger == nil {
		o.Logger = e.C.Logger
	}
	d, err := sim.NewDevice(o)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(func() { cancel(); _ = d.Close() })
	if err := d.Serve(ctx, e.C.Addr(tb), 0, -1); err != nil {
		tb.Fatal(err)
	}
	u, err := url.Parse(d.HTTPSURL())
	if err != nil {
		tb.Fatal(err)
	}
	fam := o.Family
	if e.C.SNMPFamily != "" && o.Family == e.C.Family {
		fam = e.C.SNMPFamily
	}
	_, in := e.C.Facts(tb)
	vendor := ""
	if len(in.Vendors) > 0 {
		vendor = in.Vendors[0]
	}
	dev := devices.Device{IP: d.Addr().String(), Vendor: vendor, Model: o.Model, Serial: o.Serial, Family: fam, Firmware: o.Firmware}
	return d, drivers.Target{Address: u.Host, Device: dev, Certs: drivers.CertPolicy{Store: e.DB}}
}

// Ledger is the inventory's login ledger.
func (e *Env) Ledger() drivers.LoginLedger { return e.DB.LoginLedger() }

// Result is what Push did.
type Result struct {
	Used     drivers.Credential
	Before   drivers.SMTPSettings
	After    drivers.SMTPSettings
	Test     drivers.TestResult
	TestErr  error // ErrNoTestAction for families without a test action
	TestedTo string
	// Check is the device's SMTP connection test, run (as rollout does)
	// when the family has no test e-mail but a connection test
	// (drivers.ConnectionChecker); CheckRan says whether it ran.
	Check    drivers.TestResult
	CheckErr error
	CheckRan bool
	// Steps is how long each step took: open, login, read, write,
	// readback, test, logout.
	Steps map[string]time.Duration
}

// Push runs the whole single-device flow the way rollout does, through
// drivers.Visit: open, login (configured, then defaults, within budget
// 2), read, write Gmail settings for port, read back, test to a
// plus-address, logout, close.
func (e *Env) Push(ctx context.Context, tb testing.TB, t drivers.Target, configured []drivers.Credential, port int) (Result, error) {
	r := Result{Steps: map[string]time.Duration{}}
	last := time.Now()
	lap := func(name string) {
		now := time.Now()
		r.Steps[name] = now.Sub(last)
		last = now
	}
	err := drivers.Visit{
		Open: func(c context.Context) (drivers.Session, error) {
			s, err := e.C.Browser.OpenSession(c, t)
			lap("open")
			return s, err
		},
		Login: func(c context.Context, sess drivers.Session) error {
			var err error
			r.Used, err = drivers.LoginWithCandidates(c, sess, t.Device, configured, e.Ledger(), 2, false)
			lap("login")
			return err
		},
		StepTimeout:   e.C.step(),
		LogoutTimeout: e.C.step(),
		OnLogout: func(err error) {
			if err != nil {
				tb.Logf("logout: %v", err)
			}
			lap("logout")
		},
	}.Run(ctx, func(ctx context.Context, sess drivers.Session) error {
		step := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, e.C.step()) }
		c, cancel := step()
		var err error
		r.Before, err = sess.ReadSMTP(c)
		cancel()
		lap("read")
		if err != nil {
			return err
		}
		c, cancel = step()
		err = sess.WriteSMTP(c, drivers.GmailSettings("", Account, config.NewSecret(AppPassword), port))
		cancel()
		lap("write")
		if err != nil {
			return err
		}
		c, cancel = step()
		r.After, err = sess.ReadSMTP(c)
		cancel()
		lap("readback")
		if err != nil {
			return err
		}
		r.TestedTo = plus(t.Device.Serial)
		c, cancel = step()
		r.Test, r.TestErr = drivers.SendTest(c, sess, r.TestedTo)
		cancel()
		if cc, ok := sess.(drivers.ConnectionChecker); ok && errors.Is(r.TestErr, drivers.ErrNoTestAction) {
			c, cancel = step()
			r.Check, r.CheckErr = cc.CheckSMTPConnection(c)
			r.CheckRan = true
			cancel()
		}
		lap("test")
		return nil
	})
	return r, err
}

var nonce atomic.Uint32

// plus is the confirmation plus-address for serial.
func plus(serial string) string {
	user, domain, _ := strings.Cut(Account, "@")
	return fmt.Sprintf("%s+mfp-%s-%d@%s", user, strings.ToLower(serial), nonce.Add(1), domain)
}

// InIMAP logs into the stand-in's mailbox over IMAP (TLS) with the app
// password and returns the subjects of the messages addressed to to.
func (e *Env) InIMAP(tb testing.TB, to string) []string {
	tb.Helper()
	c, err := imapclient.DialTLS(e.Gmail.IMAPAddr, &imapclient.Options{TLSConfig: e.Gmail.ClientTLS()})
	if err != nil {
		tb.Fatalf("imap dial: %v", err)
	}
	defer c.Close()
	if err := c.Login(Account, AppPassword).Wait(); err != nil {
		tb.Fatalf("imap login: %v", err)
	}
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		tb.Fatalf("imap select: %v", err)
	}
	sd, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "To", Value: to}}}, nil).Wait()
	if err != nil {
		tb.Fatalf("imap search: %v", err)
	}
	uids := sd.AllUIDs()
	if len(uids) == 0 {
		return nil
	}
	var set imap.UIDSet
	set.AddNum(uids...)
	msgs, err := c.Fetch(set, &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil {
		tb.Fatalf("imap fetch: %v", err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.Envelope.Subject)
	}
	_ = c.Logout().Wait()
	return out
}

// adminSecret is the configured admin password of c's tests
// (Config.AdminSecret, else the package's AdminSecret).
func (c Config) adminSecret() string {
	if c.AdminSecret != "" {
		return c.AdminSecret
	}
	return AdminSecret
}

// configuredAdmin is a fleet.toml credential for AdminSecret.
// Its user is the one of the family's first declared factory login
// ("admin" when it declares none).
func (c Config) configuredAdmin(pw string) []drivers.Credential {
	user := "admin"
	if f, ok := drivers.FamilyByID(c.Family); ok && len(f.Logins) > 0 {
		user = f.Logins[0].User
	}
	return []drivers.Credential{{User: user, Password: config.NewSecret(pw), Kind: drivers.KindConfigured, Source: "fleet.toml [[credentials]] (test)"}}
}

// Run runs the conformance suite for c.
func Run(t *testing.T, c Config) {
	if c.Browser == nil {
		t.Fatal("drivertest: no browser")
	}
	t.Run("Push587", func(t *testing.T) { testPush(t, c, 587, false) })
	t.Run("Push465ConfiguredAdmin", func(t *testing.T) { testPush(t, c, 465, true) })
	t.Run("SerialDefault", func(t *testing.T) { testSerialDefault(t, c) })
	t.Run("WrongPasswordNeverLocks", func(t *testing.T) { testWrongPassword(t, c) })
	t.Run("LockedOut", func(t *testing.T) { testLockedOut(t, c) })
	t.Run("SingleSession", func(t *testing.T) { testSingleSession(t, c) })
	t.Run("KeepsPasswordWhenEmpty", func(t *testing.T) { testKeepPassword(t, c) })
	t.Run("AltLayout", func(t *testing.T) { testAltLayout(t, c) })
	t.Run("FirmwareTLS10", func(t *testing.T) { testTLS10(t, c) })
	t.Run("FirmwareNoEncryption", func(t *testing.T) { testNoEncryption(t, c) })
	t.Run("CertificateChanged", func(t *testing.T) { testCertChanged(t, c) })
	t.Run("SlowPage", func(t *testing.T) { testSlow(t, c) })
	t.Run("RebootMidWrite", func(t *testing.T) { testReboot(t, c) })
	t.Run("SessionDropped", func(t *testing.T) { testDropped(t, c) })
	t.Run("JobLog", func(t *testing.T) { testJobLog(t, c) })
	t.Run("ConnectionCheck", func(t *testing.T) { testConnectionCheck(t, c) })
	t.Run("NoSecretsInArtifacts", func(t *testing.T) { testSecretGrep(t, c) })
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func testPush(t *testing.T, c Config, port int, configured bool) {
	e := NewEnv(t, c)
	if f, _ := c.Facts(t); port == 465 && !slices.Contains(f.Security, drivers.SecuritySSLTLS) {
		// The family offers STARTTLS only: 465 is refused before anything
		// is written, naming 587; the rest of the test pushes on 587.
		d, tgt := e.Device(t, sim.DeviceOptions{})
		_, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, nil, 465)
		if !errors.Is(err, drivers.ErrUnsupported) || !strings.Contains(err.Error(), "587") || drivers.IsRetryable(err) {
			t.Fatalf("465 on a family without SSL/TLS: err = %v, want ErrUnsupported naming 587", err)
		}
		if st := d.SMTP(); st.Server != "" || d.SMTPPasswordIs(AppPassword) {
			t.Fatalf("465 refused, but the device holds %+v", st)
		}
		port = 587
	}
	o := sim.DeviceOptions{}
	var creds []drivers.Credential
	if configured {
		o.AdminPassword = c.adminSecret()
		creds = c.configuredAdmin(c.adminSecret())
	}
	d, tgt := e.Device(t, o)
	r, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, creds, port)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	// The simulator's factory password is the family's first declared
	// login's.
	first := firstLogin(t, c, tgt.Device)
	want := first
	if configured {
		want = c.configuredAdmin(c.adminSecret())[0]
	}
	if r.Used.Kind != want.Kind || r.Used.User != want.User {
		t.Errorf("logged in with %s (%s), want kind %s user %q", r.Used.Describe(), r.Used.Kind, want.Kind, want.User)
	}
	if !configured && (r.Used.Text != first.Text || r.Used.Text == "") {
		t.Errorf("login %s carries the wording %q, want the declared %q", r.Used.Kind, r.Used.Text, first.Text)
	}
	if r.Before.Port != 25 || r.Before.Auth || r.Before.Security != drivers.SecurityNone {
		t.Errorf("factory settings read as %v", r.Before)
	}
	wantSet := drivers.GmailSettings("", Account, config.Secret{}, port)
	if diffs := drivers.SMTPDiff(wantSet, r.After); len(diffs) > 0 || r.After.From != Account {
		t.Errorf("read back %v (%s; from %q), want %v", r.After, strings.Join(diffs, ", "), r.After.From, wantSet)
	}
	st := d.SMTP()
	wantSec := sim.SecuritySTARTTLS
	if port == 465 {
		wantSec = sim.SecurityTLS
	}
	if st.Server != "smtp.gmail.com" || st.Port != port || st.Security != wantSec || st.Auth != sim.AuthSMTP || st.User != Account {
		t.Errorf("device holds %+v", st)
	}
	if !d.SMTPPasswordIs(AppPassword) {
		t.Errorf("device does not hold the app password (the save-new-password step failed)")
	}
	if d.FailedLogins() != 0 {
		t.Errorf("device counted %d failed logins", d.FailedLogins())
	}
	if c.hasTest(t) {
		if r.TestErr != nil || !r.Test.OK {
			t.Fatalf("test e-mail: %+v %v", r.Test, r.TestErr)
		}
	} else {
		if f, _ := c.Facts(t); f.Test == drivers.TestConnection && !r.CheckRan {
			t.Errorf("%s declares a connection test, but its session is no drivers.ConnectionChecker", c.Family)
		}
		if !errors.Is(r.TestErr, drivers.ErrNoTestAction) || !strings.Contains(r.TestErr.Error(), "unconfirmed") || drivers.IsRetryable(r.TestErr) {
			t.Fatalf("family without a test action: err = %v, want ErrNoTestAction saying unconfirmed", r.TestErr)
		}
		// Its connection test (where it has one) passes: the device
		// reached the server and logged in, and sent nothing.
		if r.CheckRan && (r.CheckErr != nil || !r.Check.OK) {
			t.Fatalf("connection test after the push: %+v %v", r.Check, r.CheckErr)
		}
		if n := len(e.Gmail.Messages()); r.CheckRan && n != 0 {
			t.Fatalf("the connection test sent %d messages", n)
		}
		// The technician's scan proves the written password works.
		if j := d.ScanToEmail(context.Background(), r.TestedTo); !j.OK {
			t.Fatalf("scan to email after the push: %+v", j)
		}
	}
	ctx := ctxT(t, 20*time.Second)
	m, err := e.Gmail.WaitMessage(ctx, func(m standin.Message) bool {
		return len(m.Rcpt) > 0 && strings.EqualFold(m.Rcpt[0], r.TestedTo)
	})
	if err != nil {
		t.Fatalf("no mail for %s reached the stand-in: %v", r.TestedTo, err)
	}
	if m.AuthUser != Account {
		t.Errorf("mail authenticated as %q", m.AuthUser)
	}
	if subj := e.InIMAP(t, r.TestedTo); len(subj) != 1 {
		t.Errorf("IMAP finds %d messages for %s, want 1", len(subj), r.TestedTo)
	}
}

// firstLogin is the first factory login c's family declares for dev, as
// a credential.
func firstLogin(t *testing.T, c Config, dev devices.Device) drivers.Credential {
	t.Helper()
	f, _ := c.Facts(t)
	creds := f.Credentials(dev)
	if len(creds) == 0 {
		t.Fatalf("%s declares no factory login that works without the technician", c.Family)
	}
	return creds[0]
}

// paidLogins are the family's factory logins for dev that send a
// password: a refused one counts against the lock-out (a factory state
// with no admin login, drivers.PasswordNone, costs nothing).
func paidLogins(t *testing.T, c Config, dev devices.Device) []drivers.Credential {
	t.Helper()
	f, _ := c.Facts(t)
	var out []drivers.Credential
	for _, cr := range f.Credentials(dev) {
		if !drivers.IsNoLogin(cr) {
			out = append(out, cr)
		}
	}
	return out
}

// openFactory reports whether the family's factory state has no admin
// login at all (Lexmark): a device is secured by giving it an admin
// password, and only a secured one can refuse, lock or drop a session.
func openFactory(t *testing.T, c Config) bool {
	f, _ := c.Facts(t)
	return len(f.Logins) > 0 && f.Logins[0].From == drivers.PasswordNone
}

// testSerialDefault: a device whose admin password is its serial number
// is logged into with the family's serial login, after exactly the
// declared logins before it failed (in the declared order).
func testSerialDefault(t *testing.T, c Config) {
	f, _ := c.Facts(t)
	before := -1
	for i, l := range f.Logins {
		if l.From == drivers.PasswordSerial {
			before = i
			break
		}
	}
	if before < 0 {
		t.Skipf("%s declares no serial-number login", c.Family)
	}
	e := NewEnv(t, c)
	d, tgt := e.Device(t, sim.DeviceOptions{PasswordIsSerial: true})
	sess := open(t, c, tgt)
	used, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, nil, e.Ledger(), before+1, false)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if used.Kind != f.Logins[before].Kind {
		t.Errorf("used %s, want the serial number (%s)", used.Describe(), f.Logins[before].Kind)
	}
	if d.FailedLogins() != before || d.LockedOut() {
		t.Errorf("device counted %d failed logins (locked %v), want %d (the declared logins before the serial's first)", d.FailedLogins(), d.LockedOut(), before)
	}
	_ = sess.Logout(ctxT(t, 20*time.Second))
}

func open(t *testing.T, c Config, tgt drivers.Target) drivers.Session {
	t.Helper()
	s, err := drivers.Open(ctxT(t, c.step()), c.Browser, tgt)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if fam := s.Info().Family; fam != c.Family {
		t.Fatalf("session family %q, want %q", fam, c.Family)
	}
	return s
}

// testWrongPassword: the device's admin password is not the configured
// one nor a default. Run 1 tries the configured one and the family's
// first factory login and stops at the budget; runs 2 and 3 (same
// inventory) try nothing; the device (which locks after 3) is never
// locked.
func testWrongPassword(t *testing.T, c Config) {
	e := NewEnv(t, c)
	d, tgt := e.Device(t, sim.DeviceOptions{AdminPassword: "Something-Else-42", LockoutAfter: 3})
	creds := c.configuredAdmin(c.adminSecret())
	// The configured password and the first factory one that sends a
	// password use the budget of 2; a no-login factory entry is free.
	wantFailed := min(2, 1+len(paidLogins(t, c, tgt.Device)))
	for run := 1; run <= 3; run++ {
		sess := open(t, c, tgt)
		_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, creds, e.Ledger(), 2, run == 3)
		sess.Close()
		if !errors.Is(err, drivers.ErrBadCredentials) || drivers.IsRetryable(err) {
			t.Fatalf("run %d: err = %v, want ErrBadCredentials, not retryable", run, err)
		}
		msg := err.Error()
		for _, w := range []string{"[[credentials]]", "password_env", "fleet.toml", tgt.Device.IP, fmt.Sprintf("user = %q", c.configuredAdmin(c.adminSecret())[0].User)} {
			if !strings.Contains(msg, w) {
				t.Errorf("run %d: error does not say %q: %s", run, w, msg)
			}
		}
		if run == 1 {
			words := []string{"from fleet.toml"}
			if paid := paidLogins(t, c, tgt.Device); len(paid) > 0 {
				// The configured login and a factory one use the budget of 2.
				words = append(words, paid[0].Text, "power-cycle")
			}
			for _, w := range words {
				if !strings.Contains(msg, w) {
					t.Errorf("run 1: error does not name %q: %s", w, msg)
				}
			}
		}
		for _, s := range []string{c.adminSecret(), "Something-Else-42"} {
			if strings.Contains(msg, s) {
				t.Errorf("run %d: error shows a password", run)
			}
		}
		// Run 1 spends wantFailed; later runs stay within the budget of 2
		// (a family whose first run left budget retries the configured
		// password once more), and the device never locks.
		if n := d.FailedLogins(); (run == 1 && n != wantFailed) || n > 2 || d.LockedOut() {
			t.Fatalf("run %d: device counted %d failed logins (locked %v), want %d after run 1, never over the budget of 2, not locked", run, n, d.LockedOut(), wantFailed)
		}
	}
	total, _, err := e.Ledger().FailedLogins(context.Background(), tgt.Device.Key())
	if err != nil || total != d.FailedLogins() {
		t.Errorf("ledger: %d failed logins (%v), the device saw %d", total, err, d.FailedLogins())
	}
}

func testLockedOut(t *testing.T, c Config) {
	e := NewEnv(t, c)
	o := sim.DeviceOptions{Faults: sim.Faults{LockedOut: true}}
	if openFactory(t, c) {
		o.AdminPassword = c.adminSecret() // only a secured device locks
	}
	d, tgt := e.Device(t, o)
	sess := open(t, c, tgt)
	_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, c.configuredAdmin(c.adminSecret()), e.Ledger(), 5, false)
	if !errors.Is(err, drivers.ErrLockedOut) || drivers.IsRetryable(err) {
		t.Fatalf("err = %v, want ErrLockedOut, not retryable", err)
	}
	if !strings.Contains(err.Error(), "power-cycle") {
		t.Errorf("error does not say to power-cycle: %v", err)
	}
	if f, _ := c.Facts(t); f.Lockout.Until != "" && !strings.Contains(err.Error(), f.Lockout.Until) {
		t.Errorf("error does not say what clears the declared lock-out (%s): %v", f.Lockout.Until, err)
	}
	total, _, _ := e.Ledger().FailedLogins(context.Background(), tgt.Device.Key())
	if total != 1 {
		t.Errorf("%d attempts recorded, want 1 (stop at the first lock-out)", total)
	}
	_ = d
}

// testSingleSession: a family that allows one admin session at a time
// (Family.SingleSession) answers a second login with ErrBusy, which is
// neither retried as a wrong password nor counted, and lets it in once
// the first session logged out.
func testSingleSession(t *testing.T, c Config) {
	if f, _ := c.Facts(t); !f.SingleSession {
		t.Skipf("%s allows several admin sessions", c.Family)
	}
	e := NewEnv(t, c)
	_, tgt := e.Device(t, sim.DeviceOptions{})
	first := loggedIn(t, c, e, tgt, nil)
	second := open(t, c, tgt)
	_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), second, tgt.Device, nil, e.Ledger(), 2, false)
	if !errors.Is(err, drivers.ErrBusy) || !drivers.IsRetryable(err) {
		t.Fatalf("second admin session: err = %v, want ErrBusy (retryable)", err)
	}
	if total, _, _ := e.Ledger().FailedLogins(context.Background(), tgt.Device.Key()); total != 0 {
		t.Errorf("a busy device counted %d failed logins, want 0", total)
	}
	if err := first.Logout(ctxT(t, c.step())); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), second, tgt.Device, nil, e.Ledger(), 2, false); err != nil {
		t.Fatalf("login after the first session logged out: %v", err)
	}
	_ = second.Logout(ctxT(t, c.step()))
}

func loggedIn(t *testing.T, c Config, e *Env, tgt drivers.Target, creds []drivers.Credential) drivers.Session {
	t.Helper()
	sess := open(t, c, tgt)
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, creds, e.Ledger(), 2, false); err != nil {
		t.Fatalf("login: %v", err)
	}
	return sess
}

func testKeepPassword(t *testing.T, c Config) {
	e := NewEnv(t, c)
	d, tgt := e.Device(t, sim.DeviceOptions{})
	old := "oldoldoldoldoldo"
	d.SetSMTP(sim.SMTPSettings{Server: "relay.example.com", Port: 25, Security: sim.SecurityNone, Auth: sim.AuthSMTP, User: "x@example.com"}, &old)
	sess := loggedIn(t, c, e, tgt, nil)
	w := drivers.GmailSettings("", Account, config.Secret{}, 587)
	if err := sess.WriteSMTP(ctxT(t, c.step()), w); err != nil {
		t.Fatalf("write without password: %v", err)
	}
	if !d.SMTPPasswordIs(old) {
		t.Errorf("an empty password overwrote the stored one")
	}
	if d.SMTP().Server != "smtp.gmail.com" {
		t.Errorf("server not written: %+v", d.SMTP())
	}
}

func testAltLayout(t *testing.T, c Config) {
	e := NewEnv(t, c)
	d, tgt := e.Device(t, sim.DeviceOptions{Faults: sim.Faults{AltLayout: true}})
	r, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, nil, 587)
	if err != nil {
		t.Fatalf("push on another firmware layout: %v", err)
	}
	if !d.SMTPPasswordIs(AppPassword) || d.SMTP().Server != "smtp.gmail.com" {
		t.Errorf("device holds %+v", d.SMTP())
	}
	if c.hasTest(t) && (!r.Test.OK || r.TestErr != nil) {
		t.Errorf("test: %+v %v", r.Test, r.TestErr)
	}
}

// testTLS10: firmware whose SMTP client speaks only TLS 1.0 against a
// Gmail that wants TLS 1.2: the test fails naming firmware; families
// without a test action cannot tell (the scan fails instead).
func testTLS10(t *testing.T, c Config) {
	e := NewEnv(t, c)
	d, tgt := e.Device(t, sim.DeviceOptions{SMTPTLS: sim.SMTPTLS10})
	r, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, nil, 587)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	if !c.hasTest(t) {
		if !errors.Is(r.TestErr, drivers.ErrNoTestAction) {
			t.Fatalf("test: %v", r.TestErr)
		}
		if j := d.ScanToEmail(context.Background(), r.TestedTo); j.OK {
			t.Fatalf("a TLS 1.0 device delivered to a TLS 1.2 server")
		}
		return
	}
	if r.Test.OK || !errors.Is(r.TestErr, drivers.ErrTestFailed) || !errors.Is(r.TestErr, drivers.ErrFirmware) || !strings.Contains(r.TestErr.Error(), "firmware") {
		t.Fatalf("test: %+v err %v, want a failure naming firmware", r.Test, r.TestErr)
	}
	if drivers.IsRetryable(r.TestErr) {
		t.Errorf("firmware failure classed retryable")
	}
	if c.FaultCode != "" && r.Test.Code != c.FaultCode {
		t.Errorf("fault code %q, want %q (result %+v)", r.Test.Code, c.FaultCode, r.Test)
	}
	if r.Test.Message == "" {
		t.Errorf("no device message in the failed result")
	}
}

func testNoEncryption(t *testing.T, c Config) {
	e := NewEnv(t, c)
	d, tgt := e.Device(t, sim.DeviceOptions{SMTPTLS: sim.SMTPTLSNone})
	_, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, nil, 587)
	if !errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "firmware") || drivers.IsRetryable(err) {
		t.Fatalf("err = %v, want ErrFirmware naming firmware", err)
	}
	if d.SMTPPasswordIs(AppPassword) && d.SMTP().Security == sim.SecurityNone {
		t.Logf("note: the app password was stored on a device that would send it in plain text")
	}
}

func testCertChanged(t *testing.T, c Config) {
	e := NewEnv(t, c)
	d, tgt := e.Device(t, sim.DeviceOptions{})
	s := open(t, c, tgt)
	if !s.Info().FirstContact || s.Info().CertSHA256 != d.CertFingerprint() {
		t.Fatalf("first contact: %+v, device %s", s.Info(), d.CertFingerprint())
	}
	s.Close()
	if err := d.ReplaceCertificate(); err != nil {
		t.Fatal(err)
	}
	_, err := drivers.Open(ctxT(t, c.step()), c.Browser, tgt)
	if !errors.Is(err, drivers.ErrCertChanged) || drivers.IsRetryable(err) || !strings.Contains(err.Error(), "--accept-new-cert") {
		t.Fatalf("err = %v, want ErrCertChanged naming --accept-new-cert", err)
	}
	tgt.Certs.AcceptNew = true
	s2, err := drivers.Open(ctxT(t, c.step()), c.Browser, tgt)
	if err != nil {
		t.Fatalf("--accept-new-cert: %v", err)
	}
	s2.Close()
}

func testSlow(t *testing.T, c Config) {
	e := NewEnv(t, c)
	d, tgt := e.Device(t, sim.DeviceOptions{})
	sess := loggedIn(t, c, e, tgt, nil)
	d.SetFaults(sim.Faults{Slow: 5 * time.Second})
	_, err := sess.ReadSMTP(ctxT(t, 2*time.Second))
	if !errors.Is(err, drivers.ErrTransient) || !drivers.IsRetryable(err) {
		t.Fatalf("slow page: err = %v, want transient", err)
	}
}

func testReboot(t *testing.T, c Config) {
	e := NewEnv(t, c)
	d, tgt := e.Device(t, sim.DeviceOptions{})
	sess := loggedIn(t, c, e, tgt, nil)
	d.SetFaults(sim.Faults{RebootOnSave: 3 * time.Second})
	err := sess.WriteSMTP(ctxT(t, c.step()), drivers.GmailSettings("", Account, config.NewSecret(AppPassword), 587))
	if !errors.Is(err, drivers.ErrTransient) || !drivers.IsRetryable(err) {
		t.Fatalf("reboot mid-write: err = %v, want transient", err)
	}
	if d.SMTPPasswordIs(AppPassword) && d.SMTP().Server == "smtp.gmail.com" {
		t.Errorf("settings applied although the device rebooted")
	}
}

func testDropped(t *testing.T, c Config) {
	e := NewEnv(t, c)
	var o sim.DeviceOptions
	var creds []drivers.Credential
	if openFactory(t, c) {
		// Only a secured device has a session to drop.
		o.AdminPassword, creds = c.adminSecret(), c.configuredAdmin(c.adminSecret())
	}
	d, tgt := e.Device(t, o)
	sess := loggedIn(t, c, e, tgt, creds)
	d.SetFaults(sim.Faults{DropSessionAfter: 1})
	err := sess.WriteSMTP(ctxT(t, c.step()), drivers.GmailSettings("", Account, config.NewSecret(AppPassword), 587))
	if !errors.Is(err, drivers.ErrTransient) || !drivers.IsRetryable(err) {
		t.Fatalf("dropped session: err = %v, want transient", err)
	}
}

// testSecretGrep runs failing and passing flows with a configured admin
// password and the app password, then greps every artifact.
func testSecretGrep(t *testing.T, c Config) {
	if c.ArtifactsDir == "" {
		t.Skip("no artifacts dir")
	}
	e := NewEnv(t, c)
	// A flow that fails after typing both secrets (reboot on save).
	d, tgt := e.Device(t, sim.DeviceOptions{AdminPassword: c.adminSecret()})
	sess := loggedIn(t, c, e, tgt, c.configuredAdmin(c.adminSecret()))
	d.SetFaults(sim.Faults{RebootOnSave: time.Second})
	if err := sess.WriteSMTP(ctxT(t, c.step()), drivers.GmailSettings("", Account, config.NewSecret(AppPassword), 587)); err == nil {
		t.Fatal("write succeeded on a rebooting device")
	}
	// A flow that fails at the field stage while the app password is typed.
	d2, tgt2 := e.Device(t, sim.DeviceOptions{AdminPassword: c.adminSecret(), SMTPTLS: sim.SMTPTLSNone})
	sess2 := loggedIn(t, c, e, tgt2, c.configuredAdmin(c.adminSecret()))
	_ = sess2.WriteSMTP(ctxT(t, c.step()), drivers.GmailSettings("", Account, config.NewSecret(AppPassword), 587))
	_ = d2
	// A wrong login (the tried password is typed into the page).
	_, tgt3 := e.Device(t, sim.DeviceOptions{AdminPassword: "Other-Pass-99"})
	s3 := open(t, c, tgt3)
	_, _ = drivers.LoginWithCandidates(ctxT(t, time.Minute), s3, tgt3.Device, c.configuredAdmin(c.adminSecret()), e.Ledger(), 1, false)
	n := 0
	shots := map[string]bool{} // artifact stem → has a screenshot
	err := filepath.Walk(c.ArtifactsDir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		n++
		stem := strings.TrimSuffix(p, filepath.Ext(p))
		shots[stem] = shots[stem] || filepath.Ext(p) == ".png"
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range []string{c.adminSecret(), AppPassword} {
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
	// Every failure of these flows kept its screenshot next to its HTML
	// excerpt. (Other tests' artifacts are grepped too, but a page a
	// slow device left parser-blocked on a script, as SlowPage does to
	// pages that load their data by script, draws no frame to take.)
	ours := func(stem string) bool {
		base := filepath.Base(stem)
		for _, ip := range []string{tgt.Device.IP, tgt2.Device.IP, tgt3.Device.IP} {
			if strings.HasPrefix(base, ip+"-") {
				return true
			}
		}
		return false
	}
	for stem, ok := range shots {
		if !ok && ours(stem) {
			t.Errorf("%s: an HTML excerpt without its screenshot", stem)
		}
	}
	t.Logf("grepped %d artifacts", n)
}

// testConnectionCheck: a family with a device-side connection check
// (drivers.ConnectionChecker) passes it after a push, and fails it naming
// firmware on a TLS 1.0-only device.
func testConnectionCheck(t *testing.T, c Config) {
	e := NewEnv(t, c)
	for _, tc := range []struct {
		name string
		tls  string
		ok   bool
	}{{"modern", "", true}, {"tls10", sim.SMTPTLS10, false}} {
		t.Run(tc.name, func(t *testing.T) {
			_, tgt := e.Device(t, sim.DeviceOptions{SMTPTLS: tc.tls})
			sess := loggedIn(t, c, e, tgt, nil)
			cc, ok := sess.(drivers.ConnectionChecker)
			if f, _ := c.Facts(t); f.Test == drivers.TestConnection && !ok {
				t.Fatalf("%s declares a connection test, but its session is no drivers.ConnectionChecker", c.Family)
			}
			if !ok {
				t.Skipf("%s has no connection check", c.Family)
			}
			if err := sess.WriteSMTP(ctxT(t, c.step()), drivers.GmailSettings("", Account, config.NewSecret(AppPassword), 587)); err != nil {
				t.Fatal(err)
			}
			res, err := cc.CheckSMTPConnection(ctxT(t, c.step()))
			if tc.ok {
				if err != nil || !res.OK {
					t.Fatalf("check: %+v %v", res, err)
				}
				return
			}
			if res.OK || !errors.Is(err, drivers.ErrTestFailed) || !errors.Is(err, drivers.ErrFirmware) {
				t.Fatalf("check on TLS 1.0 firmware: %+v %v, want a failure naming firmware", res, err)
			}
		})
	}
}

// testJobLog: after a scan (and a test e-mail where there is one), the
// device's job log read by the driver shows them with their outcome.
func testJobLog(t *testing.T, c Config) {
	e := NewEnv(t, c)
	d, tgt := e.Device(t, sim.DeviceOptions{})
	sess := loggedIn(t, c, e, tgt, nil)
	jl, ok := sess.(drivers.JobLogReader)
	if !ok {
		t.Skipf("%s has no job log reader", c.Family)
	}
	since := time.Now().Add(-time.Minute)
	// A scan before any settings fails (no SMTP server): a failed job.
	to := plus(tgt.Device.Serial)
	if j := d.ScanToEmail(context.Background(), to); j.OK {
		t.Fatal("scan succeeded on factory settings")
	}
	jobs, err := jl.ReadJobLog(ctxT(t, c.step()), since)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, j := range jobs {
		if strings.EqualFold(j.To, to) {
			found = true
			if j.OK {
				t.Errorf("failed job read as OK: %+v", j)
			}
			if c.FaultCode != "" && j.Code != c.FaultCode {
				t.Errorf("job fault %q, want %q", j.Code, c.FaultCode)
			}
		}
	}
	if !found {
		t.Fatalf("job for %s not in %+v", to, jobs)
	}
}
