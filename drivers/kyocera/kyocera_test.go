package kyocera_test

// The Kyocera driver against the simulated Command Center RX
// (devices/sim, family kyocera/ccrx) with a real Chromium, a real SQLite
// inventory as login ledger and the Gmail stand-in: the shared
// conformance suite (TestConformance, drivertest.Run reading the
// family's declared facts), then what only Kyocera has (its firmware
// refusals, the Connection Test's answers, identification of its
// badges, probe).

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
	"github.com/mfpfleet/mfpfleet/devices/snmprec"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
	"github.com/mfpfleet/mfpfleet/drivers/kyocera"
)

// The Kyocera driver's tests use 127.0.121.0 - 127.0.124.255.

var (
	browser      *drivers.Browser
	browserErr   error
	artifactsDir string
	next         atomic.Uint32
)

func addr(tb testing.TB) netip.Addr {
	n := next.Add(1)
	a := netip.AddrFrom4([4]byte{127, 0, byte(121 + n/250), byte(1 + n%250)})
	if a.As4()[2] > 124 {
		tb.Fatalf("test address block exhausted at %s", a)
	}
	return a
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kyocera-artifacts-")
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

func env(t *testing.T) *drivertest.Env {
	t.Helper()
	if browser == nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			t.Fatalf("chromium required (MFPFLEET_REQUIRE_PEERS=1): %v", browserErr)
		}
		t.Skipf("chromium not available: %v", browserErr)
	}
	return drivertest.NewEnv(t, drivertest.Config{Browser: browser, ArtifactsDir: artifactsDir,
		Family: sim.FamilyKyoceraCCRX, Model: "TASKalfa 3253ci", Addr: addr, Logger: logger()})
}

// device starts a simulated CCRX and returns the target as discovery
// would record it (vendor kyocera, no family: the driver claims it).
func device(t *testing.T, e *drivertest.Env, o sim.DeviceOptions) (*sim.Device, drivers.Target) {
	t.Helper()
	d, tgt := e.Device(t, o)
	tgt.Device.Vendor = "kyocera"
	tgt.Device.Family = ""
	return d, tgt
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

const step = 30 * time.Second

func configured(pw string) []drivers.Credential {
	return []drivers.Credential{{User: "Admin", Password: config.NewSecret(pw), Kind: drivers.KindConfigured, Source: "fleet.toml [[credentials]] (test)"}}
}

func open(t *testing.T, tgt drivers.Target) drivers.Session {
	t.Helper()
	sess, err := drivers.Open(ctxT(t, step), browser, tgt)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess
}

func loggedIn(t *testing.T, e *drivertest.Env, tgt drivers.Target, creds []drivers.Credential) drivers.Session {
	t.Helper()
	sess := open(t, tgt)
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, creds, e.Ledger(), 2, false); err != nil {
		t.Fatalf("login: %v", err)
	}
	return sess
}

// push runs the whole flow and checks what a correct push leaves: the
// device's settings, the read-back, the Connection Test passed (the
// device's word), and the confirmation: a scan to the plus-address
// arriving in the mailbox.
func push(t *testing.T, e *drivertest.Env, d *sim.Device, tgt drivers.Target, creds []drivers.Credential, port int, wantKind string) {
	t.Helper()
	r, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, creds, port)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	if r.Used.Kind != wantKind {
		t.Errorf("logged in with %s, want %s", r.Used.Kind, wantKind)
	}
	want := drivers.GmailSettings("", drivertest.Account, config.Secret{}, port)
	want.PasswordSet = true
	if r.After != want {
		t.Errorf("read back %+v, want %+v", r.After, want)
	}
	sec := sim.SecuritySTARTTLS
	if port == 465 {
		sec = sim.SecurityTLS
	}
	got := d.SMTP()
	if got.Server != "smtp.gmail.com" || got.Port != port || got.Security != sec || got.Auth != sim.AuthSMTP ||
		got.User != drivertest.Account || got.From != drivertest.Account || !d.SMTPPasswordIs(drivertest.AppPassword) {
		t.Errorf("device holds %+v (app password saved: %v)", got, d.SMTPPasswordIs(drivertest.AppPassword))
	}
	if !errors.Is(r.TestErr, drivers.ErrNoTestAction) || !strings.Contains(r.TestErr.Error(), r.TestedTo) {
		t.Errorf("test: %v, want ErrNoTestAction naming %s (CCRX has a Connection Test only)", r.TestErr, r.TestedTo)
	}
	if !r.CheckRan || r.CheckErr != nil || !r.Check.OK {
		t.Errorf("connection test: ran %v, %+v, %v", r.CheckRan, r.Check, r.CheckErr)
	}
	if d.FailedLogins() != 0 {
		t.Errorf("%d failed logins", d.FailedLogins())
	}
	if j := d.ScanToEmail(ctxT(t, time.Minute), r.TestedTo); !j.OK {
		t.Fatalf("scan to %s: %+v", r.TestedTo, j)
	}
	if subj := e.InIMAP(t, r.TestedTo); len(subj) != 1 {
		t.Errorf("mailbox has %q for %s, want the scan", subj, r.TestedTo)
	}
}

// TestConformance runs the shared conformance suite on every family the
// driver declares, each on a model the simulator serves it with.
func TestConformance(t *testing.T) {
	for _, tc := range []struct{ family, model string }{
		{kyocera.FamilyCCRX, "TASKalfa 3253ci"},
	} {
		t.Run(tc.family, func(t *testing.T) {
			env(t) // skips without Chromium
			drivertest.Run(t, drivertest.Config{Browser: browser, ArtifactsDir: artifactsDir,
				Family: tc.family, Model: tc.model, Addr: addr, Logger: logger()})
		})
	}
}

func TestPush587FactoryLogin(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{})
	push(t, e, d, tgt, nil, 587, kyocera.KindDefault)
}

func TestPush465ConfiguredLogin(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: drivertest.AdminSecret})
	push(t, e, d, tgt, configured(drivertest.AdminSecret), 465, drivers.KindConfigured)
}

// TestWrongPasswordNeverLocks: a device whose password is neither the
// configured one nor Admin: three runs stay within the budget the
// declared lock-out (3) leaves: one failed login, never a lock-out.
func TestWrongPasswordNeverLocks(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "Something-Else-42"})
	budget := drivers.LoginBudget(tgt.Device, 0)
	if budget != 1 {
		t.Fatalf("budget %d, want 1 (lock-out after 3, two kept back)", budget)
	}
	for run := 1; run <= 3; run++ {
		sess := open(t, tgt)
		_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, configured(drivertest.AdminSecret), e.Ledger(), budget, run == 3)
		sess.Close()
		if !errors.Is(err, drivers.ErrBadCredentials) || drivers.IsRetryable(err) {
			t.Fatalf("run %d: err = %v, want ErrBadCredentials", run, err)
		}
		for _, s := range []string{drivertest.AdminSecret, "Something-Else-42"} {
			if strings.Contains(err.Error(), s) {
				t.Fatalf("run %d: the error shows a password", run)
			}
		}
		if d.FailedLogins() != 1 || d.LockedOut() {
			t.Fatalf("run %d: device counted %d failed logins (locked %v), want 1", run, d.FailedLogins(), d.LockedOut())
		}
	}
}

func TestLockedOut(t *testing.T) {
	e := env(t)
	_, tgt := device(t, e, sim.DeviceOptions{Faults: sim.Faults{LockedOut: true}})
	sess := open(t, tgt)
	_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, nil, e.Ledger(), 2, false)
	if !errors.Is(err, drivers.ErrLockedOut) || drivers.IsRetryable(err) {
		t.Fatalf("err = %v, want ErrLockedOut", err)
	}
	if !strings.Contains(err.Error(), "lockout duration") {
		t.Errorf("the error does not say what clears the lock-out: %v", err)
	}
}

// TestSessionLeftOpen: a run killed after its login leaves its session
// open; CCRX allows another admin session, so the next run logs in and
// pushes, and nothing counts as a failed login.
func TestSessionLeftOpen(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{})
	killed := loggedIn(t, e, tgt, nil)
	killed.Close() // no Logout: the run died
	push(t, e, d, tgt, nil, 587, kyocera.KindDefault)
}

func TestLogoutEndsSession(t *testing.T) {
	e := env(t)
	_, tgt := device(t, e, sim.DeviceOptions{})
	sess := loggedIn(t, e, tgt, nil)
	if err := sess.Logout(ctxT(t, step)); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.ReadSMTP(ctxT(t, step)); !errors.Is(err, drivers.ErrTransient) {
		t.Fatalf("read after logout: %v, want the session gone (transient)", err)
	}
}

func TestKeepsPasswordWhenEmpty(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{})
	old := "oldoldoldoldoldo"
	d.SetSMTP(sim.SMTPSettings{Server: "relay.example.com", Port: 25, Security: sim.SecurityNone, Auth: sim.AuthSMTP, User: "x@example.com"}, &old)
	sess := loggedIn(t, e, tgt, nil)
	before, err := sess.ReadSMTP(ctxT(t, step))
	if err != nil || !before.PasswordSet || before.Server != "relay.example.com" || !before.Auth {
		t.Fatalf("read: %+v %v", before, err)
	}
	if err := sess.WriteSMTP(ctxT(t, step), drivers.GmailSettings("", drivertest.Account, config.Secret{}, 587)); err != nil {
		t.Fatal(err)
	}
	if !d.SMTPPasswordIs(old) || d.SMTP().Server != "smtp.gmail.com" {
		t.Fatalf("stored password changed or nothing written: %+v", d.SMTP())
	}
}

func TestAltLayout(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{Faults: sim.Faults{AltLayout: true}})
	push(t, e, d, tgt, nil, 587, kyocera.KindDefault)
}

func TestFirmwareTLS10(t *testing.T) {
	e := env(t)
	_, tgt := device(t, e, sim.DeviceOptions{Model: "FS-C2126MFP+", SMTPTLS: sim.SMTPTLS10})
	sess := loggedIn(t, e, tgt, nil)
	if err := sess.WriteSMTP(ctxT(t, step), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587)); err != nil {
		t.Fatal(err)
	}
	res, err := sess.(drivers.ConnectionChecker).CheckSMTPConnection(ctxT(t, step))
	if res.OK || !errors.Is(err, drivers.ErrTestFailed) || !errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "TLS 1.2") {
		t.Fatalf("check on TLS 1.0 firmware: %+v %v, want a failure naming the firmware's TLS", res, err)
	}
}

func TestFirmwareWrongAppPassword(t *testing.T) {
	e := env(t)
	_, tgt := device(t, e, sim.DeviceOptions{})
	sess := loggedIn(t, e, tgt, nil)
	if err := sess.WriteSMTP(ctxT(t, step), drivers.GmailSettings("", drivertest.Account, config.NewSecret("notthepasswordxx"), 465)); err != nil {
		t.Fatal(err)
	}
	res, err := sess.(drivers.ConnectionChecker).CheckSMTPConnection(ctxT(t, step))
	if res.OK || !errors.Is(err, drivers.ErrTestFailed) || errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "app password") {
		t.Fatalf("check with a wrong app password: %+v %v", res, err)
	}
}

func TestFirmwareNoEncryption(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{SMTPTLS: sim.SMTPTLSNone})
	sess := loggedIn(t, e, tgt, nil)
	err := sess.WriteSMTP(ctxT(t, step), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587))
	if !errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "SMTP Security") {
		t.Fatalf("err = %v, want ErrFirmware naming SMTP Security", err)
	}
	if d.SMTP().Server != "" {
		t.Fatal("Gmail written to a device that would send in plain text")
	}
}

func TestFirmwareShortPasswordField(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{UI: sim.UIKyoceraShortPassword})
	sess := loggedIn(t, e, tgt, nil)
	err := sess.WriteSMTP(ctxT(t, step), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587))
	if !errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "Login Password") {
		t.Fatalf("err = %v, want ErrFirmware naming the Login Password field", err)
	}
	if d.SMTP().Server != "" {
		t.Fatal("written although the password does not fit")
	}
}

func TestFirmwareNoSMTPAuth(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{UI: sim.UIKyoceraNoAuth})
	sess := loggedIn(t, e, tgt, nil)
	err := sess.WriteSMTP(ctxT(t, step), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587))
	if !errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "SMTP AUTH") {
		t.Fatalf("err = %v, want ErrFirmware naming SMTP AUTH", err)
	}
	if d.SMTP().Server != "" {
		t.Fatal("written although the device cannot authenticate")
	}
}

// TestSMTPProtocolOff: a device whose SMTP (E-mail TX) protocol is off
// is not written (it would send nothing); the error says where to turn
// it on.
func TestSMTPProtocolOff(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{})
	d.SetKyoceraSMTPProtocol(false)
	sess := loggedIn(t, e, tgt, nil)
	err := sess.WriteSMTP(ctxT(t, step), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587))
	if !errors.Is(err, drivers.ErrUnsupported) || drivers.IsRetryable(err) || !strings.Contains(err.Error(), "Network Settings → Protocol") {
		t.Fatalf("err = %v, want ErrUnsupported naming where to turn SMTP on", err)
	}
	if d.SMTP().Server != "" {
		t.Fatal("written to a device whose SMTP protocol is off")
	}
}

func TestRebootMidWrite(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{})
	sess := loggedIn(t, e, tgt, nil)
	d.SetFaults(sim.Faults{RebootOnSave: 3 * time.Second})
	err := sess.WriteSMTP(ctxT(t, step), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587))
	if !errors.Is(err, drivers.ErrTransient) || !drivers.IsRetryable(err) {
		t.Fatalf("reboot mid-write: %v, want transient", err)
	}
	if d.SMTP().Server == "smtp.gmail.com" {
		t.Error("settings applied although the device rebooted")
	}
}

func TestSessionDropped(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{})
	sess := loggedIn(t, e, tgt, nil)
	d.SetFaults(sim.Faults{DropSessionAfter: 1})
	err := sess.WriteSMTP(ctxT(t, step), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587))
	if !errors.Is(err, drivers.ErrTransient) || !drivers.IsRetryable(err) {
		t.Fatalf("dropped session: %v, want transient", err)
	}
}

// TestNoSecretsInArtifacts runs failing flows after the admin and app
// passwords were typed, then greps every screenshot and HTML excerpt.
func TestNoSecretsInArtifacts(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: drivertest.AdminSecret})
	sess := loggedIn(t, e, tgt, configured(drivertest.AdminSecret))
	d.SetFaults(sim.Faults{RebootOnSave: time.Second})
	if err := sess.WriteSMTP(ctxT(t, step), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587)); err == nil {
		t.Fatal("write succeeded on a rebooting device")
	}
	_, tgt2 := device(t, e, sim.DeviceOptions{AdminPassword: drivertest.AdminSecret, UI: sim.UIKyoceraShortPassword})
	sess2 := loggedIn(t, e, tgt2, configured(drivertest.AdminSecret))
	_ = sess2.WriteSMTP(ctxT(t, step), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587))
	_, tgt3 := device(t, e, sim.DeviceOptions{AdminPassword: "Other-Pass-99"})
	s3 := open(t, tgt3)
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
		t.Error("no artifacts were written: the grep proves nothing")
	}
	t.Logf("grepped %d artifacts", n)
}

// TestIdentifyAndClaim: Kyocera's recordings (and its badges') are
// identified as Kyocera and claimed by this driver as Command Center RX,
// also when sysDescr names no model or only the network card.
func TestIdentifyAndClaim(t *testing.T) {
	rec := func(file string) devices.Device {
		tab, err := snmprec.ParseFile(filepath.Join("..", "..", "devices", "testdata", "snmprec", file))
		if err != nil {
			t.Fatal(err)
		}
		return sim.IdentifyTable("127.0.121.250", tab)
	}
	b := func(s string) []byte { return []byte(s) }
	cases := []struct {
		name  string
		dev   devices.Device
		model string
	}{
		{"librenms kyocera (sysDescr names no model)", rec("librenms/kyocera.snmprec"), "FS-1028MFP"},
		{"librenms utax", rec("librenms/utax.snmprec"), "P-4532DN"},
		{"network card only", devices.Identify("127.0.121.251", devices.Values{
			devices.OIDSysDescr: b("IB-50 Gigabit Ethernet Print Server Ver 1.3.2"), devices.OIDSysObjectID: "1.3.6.1.4.1.1347.41",
			devices.OIDHrDeviceDescr1: b("ECOSYS M3655idn")}), "ECOSYS M3655idn"},
		{"Copystar badge", devices.Identify("127.0.121.252", devices.Values{
			devices.OIDSysDescr: b("COPYSTAR Printing System"), devices.OIDSysObjectID: "1.3.6.1.4.1.1347.41", devices.OIDHrDeviceDescr1: b("CS 3554ci")}), "CS 3554ci"},
		{"Kyocera-made Olivetti", devices.Identify("127.0.121.253", devices.Values{
			devices.OIDSysDescr: b("Olivetti d-COPIA 4023MF"), devices.OIDSysObjectID: "1.3.6.1.4.1.1347.41", devices.OIDHrDeviceDescr1: b("d-COPIA 4023MF")}), "d-COPIA 4023MF"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.dev.Model != tc.model {
				t.Errorf("model %q, want %q (%+v)", tc.dev.Model, tc.model, tc.dev)
			}
			d, err := drivers.For(tc.dev)
			if err != nil || d.Name() != kyocera.Name {
				t.Fatalf("driver for %+v: %v %v", tc.dev, d, err)
			}
			in, _ := drivers.InfoOf(d)
			if f, ok := in.Claim(tc.dev); !ok || f.ID != kyocera.FamilyCCRX {
				t.Fatalf("claimed as %q %v", f.ID, ok)
			}
		})
	}
	// Not Kyocera: an Olivetti made by Konica Minolta, an HP JetDirect
	// box answering with Kyocera's sysObjectID.
	for _, dev := range []devices.Device{
		devices.Identify("127.0.121.254", devices.Values{
			devices.OIDSysDescr: b("Olivetti d-Color MF3300"), devices.OIDSysObjectID: "1.3.6.1.4.1.18334.1.2.1.2.1.50.2.2"}),
		rec("librenms/jetdirect_1.snmprec"),
	} {
		if d, err := drivers.For(dev); err == nil && d.Name() == kyocera.Name {
			t.Errorf("%+v claimed by the Kyocera driver", dev)
		}
	}
}

// TestInfo: the declared facts are what the pages and docs say.
func TestInfo(t *testing.T) {
	d, ok := drivers.Lookup(kyocera.Name)
	if !ok {
		t.Fatal("not registered")
	}
	in, ok := drivers.InfoOf(d)
	if !ok || len(in.Families) != 1 {
		t.Fatalf("info %+v", in)
	}
	f := in.Families[0]
	if f.ID != kyocera.FamilyCCRX || f.Test != drivers.TestConnection || f.Lockout.After != 3 || f.SingleSession {
		t.Errorf("family facts %+v", f)
	}
	creds := f.Credentials(devices.Device{Vendor: "kyocera", Serial: "W2P1234567"})
	if len(creds) != 1 || creds[0].User != "Admin" || creds[0].Password.Reveal() != "Admin" || creds[0].Kind != kyocera.KindDefault {
		t.Errorf("factory logins %+v", creds)
	}
	if l, ok := drivers.LoginByKind(kyocera.KindDefault); !ok || l.Text == "" || l.Short == "" {
		t.Errorf("login kind %q: %+v %v", kyocera.KindDefault, l, ok)
	}
}

// TestProbe: `mfpfleet probe` on a CCRX shows the login form inside the
// wlmframe and, with --login, the E-mail page's fields: what a driver
// author needs when a real device differs from the simulator.
func TestProbe(t *testing.T) {
	e := env(t)
	_, tgt := device(t, e, sim.DeviceOptions{})
	login := configured("Admin")[0]
	rep, err := drivers.ProbeWith(ctxT(t, time.Minute), browser, tgt, drivers.ProbeOptions{Login: &login, Ledger: e.Ledger(), Budget: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Driver != kyocera.Name || !rep.LoggedIn {
		t.Fatalf("driver %q, logged in %v (%s; notes %v)", rep.Driver, rep.LoggedIn, rep.LoginError, rep.Notes)
	}
	has := func(role, name string) bool {
		for _, p := range rep.Pages {
			if p.Role != role {
				continue
			}
			for _, f := range p.Forms {
				for _, fl := range f.Fields {
					if fl.Name == name {
						return true
					}
				}
			}
		}
		return false
	}
	for _, w := range [][2]string{{"frame", "arg01_UserName"}, {"frame", "arg02_Password"}, {"smtp", "arg02_SmtpServerName"}, {"smtp", "arg09_SmtpSecurity"}, {"smtp", "hidden"}} {
		if !has(w[0], w[1]) {
			t.Errorf("probe report has no %s field %s", w[0], w[1])
		}
	}
}
