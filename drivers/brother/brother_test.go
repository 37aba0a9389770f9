package brother_test

// The Brother driver against the simulated Web Based Management
// (devices/sim, family brother/wbm) with a real Chromium, a real SQLite
// inventory as login ledger and the Gmail stand-in: the shared
// conformance suite (TestConformance) and Brother's own cases on
// drivertest's Env (stand-in, inventory, Push).

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
	"github.com/mfpfleet/mfpfleet/drivers/brother"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
)

// The Brother driver's tests use 127.0.151.0 - 127.0.154.255.

var (
	browser      *drivers.Browser
	browserErr   error
	artifactsDir string
	next         atomic.Uint32
)

func addr(tb testing.TB) netip.Addr {
	n := next.Add(1)
	a := netip.AddrFrom4([4]byte{127, 0, byte(151 + n/250), byte(1 + n%250)})
	if a.As4()[2] > 154 {
		tb.Fatalf("test address block exhausted at %s", a)
	}
	return a
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "brother-artifacts-")
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
		Family: sim.FamilyBrotherWBM, Model: "MFC-L3780CDW", Addr: addr, Logger: logger()})
}

// device starts a simulated WBM and returns the target as discovery
// would record it (vendor brother, no family: the driver claims it).
func device(t *testing.T, e *drivertest.Env, o sim.DeviceOptions) (*sim.Device, drivers.Target) {
	t.Helper()
	d, tgt := e.Device(t, o)
	tgt.Device.Vendor = "brother"
	tgt.Device.Family = ""
	return d, tgt
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

const step = 30 * time.Second

// configured is a fleet.toml credential (Brother asks no user name).
func configured(pw string) []drivers.Credential {
	return []drivers.Credential{{Password: config.NewSecret(pw), Kind: drivers.KindConfigured, Source: "fleet.toml [[credentials]] (test)"}}
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
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, creds, e.Ledger(), 3, false); err != nil {
		t.Fatalf("login: %v", err)
	}
	return sess
}

// push runs the whole flow and checks what a correct push leaves: the
// device's settings, the read-back, the device's test e-mail passed and
// confirmed: it arrived in the mailbox.
func push(t *testing.T, e *drivertest.Env, d *sim.Device, tgt drivers.Target, creds []drivers.Credential, port int, wantKind string, wantFailed int) {
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
	if got.Server != "smtp.gmail.com" || got.Port != port || got.Security != sec || got.Auth != sim.AuthSMTP || !got.ValidateCert ||
		got.User != drivertest.Account || got.From != drivertest.Account || !d.SMTPPasswordIs(drivertest.AppPassword) {
		t.Errorf("device holds %+v (app password saved: %v)", got, d.SMTPPasswordIs(drivertest.AppPassword))
	}
	if r.TestErr != nil || !r.Test.OK {
		t.Errorf("test e-mail: %+v %v", r.Test, r.TestErr)
	}
	if d.FailedLogins() != wantFailed {
		t.Errorf("%d failed logins, want %d", d.FailedLogins(), wantFailed)
	}
	if subj := e.InIMAP(t, r.TestedTo); len(subj) != 1 || !strings.Contains(subj[0], "Brother") {
		t.Errorf("mailbox has %q for %s, want the device's test e-mail", subj, r.TestedTo)
	}
}

// TestPush587Initpass: an older model on its factory initpass.
func TestPush587Initpass(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "initpass"})
	push(t, e, d, tgt, nil, 587, brother.KindInitpass, 0)
}

func TestPush465ConfiguredLogin(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: drivertest.AdminSecret})
	push(t, e, d, tgt, configured(drivertest.AdminSecret), 465, drivers.KindConfigured, 0)
}

// TestOldestAccess: the oldest models' access, after initpass failed
// (one failed login, far below the lock-out).
func TestOldestAccess(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "access"})
	push(t, e, d, tgt, nil, 587, brother.KindAccess, 1)
}

// TestLabelPassword: a current model on the password printed on its
// label. mfpfleet never derives it: without it the factory logins it
// knows fail within the budget and the error says to give the label's
// password; given (as a technician types it from the label), it works.
func TestLabelPassword(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{UI: sim.UIBrotherLabel})
	sess := open(t, tgt)
	_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, nil, e.Ledger(), drivers.LoginBudget(tgt.Device, 0), false)
	if !errors.Is(err, drivers.ErrBadCredentials) {
		t.Fatalf("err = %v, want ErrBadCredentials", err)
	}
	if d.FailedLogins() != 2 || d.LockedOut() {
		t.Fatalf("%d failed logins (locked %v), want 2 (initpass, access)", d.FailedLogins(), d.LockedOut())
	}
	d2, tgt2 := device(t, e, sim.DeviceOptions{UI: sim.UIBrotherLabel})
	label := []drivers.Credential{{Password: config.NewSecret(sim.BrotherLabelPassword(d2.Serial())), Kind: drivers.KindConfigured, Source: "the label (test)"}}
	push(t, e, d2, tgt2, label, 587, drivers.KindConfigured, 0)
}

// TestLabelPasswordFile: the label passwords a technician typed into
// the [rollout] label_passwords file are tried first, as the label login
// (its kind tells the audit the device is still on it).
func TestLabelPasswordFile(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{UI: sim.UIBrotherLabel})
	lp, err := config.ParseLabelPasswords("test", []byte(strings.ToLower(d.Serial())+","+sim.BrotherLabelPassword(d.Serial())+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	drivers.SetLabelPasswords(lp)
	t.Cleanup(func() { drivers.SetLabelPasswords(nil) })
	push(t, e, d, tgt, nil, 465, brother.KindLabel, 0)
}

// TestWrongPasswordNeverLocks: a device whose password is none of those
// tried: three runs stay within the budget the declared lock-out (5)
// leaves (3), never a lock-out.
func TestWrongPasswordNeverLocks(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "Something-Else-42"})
	budget := drivers.LoginBudget(tgt.Device, 0)
	if budget != 3 {
		t.Fatalf("budget %d, want 3 (lock-out after 5, two kept back)", budget)
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
		if d.FailedLogins() > budget || d.LockedOut() {
			t.Fatalf("run %d: device counted %d failed logins (locked %v), want at most %d", run, d.FailedLogins(), d.LockedOut(), budget)
		}
	}
}

func TestLockedOut(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "initpass", Faults: sim.Faults{LockedOut: true}})
	if !d.LockedOut() {
		t.Fatal("the simulated device is not locked")
	}
	sess := open(t, tgt)
	_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, nil, e.Ledger(), 3, false)
	if !errors.Is(err, drivers.ErrLockedOut) || drivers.IsRetryable(err) {
		t.Fatalf("err = %v, want ErrLockedOut", err)
	}
	if !strings.Contains(err.Error(), "turned off and on") {
		t.Errorf("the error does not say what clears the lock-out: %v", err)
	}
}

// TestSessionLeftOpen: a run killed after its login leaves its session
// open; WBM allows another admin session, so the next run logs in and
// pushes, and nothing counts as a failed login.
func TestSessionLeftOpen(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "initpass"})
	killed := loggedIn(t, e, tgt, nil)
	killed.Close() // no Logout: the run died
	push(t, e, d, tgt, nil, 587, brother.KindInitpass, 0)
}

func TestLogoutEndsSession(t *testing.T) {
	e := env(t)
	_, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "initpass"})
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
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "initpass"})
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

// TestAltLayout: another firmware's generated names (login box and SMTP
// page): found by their labels.
func TestAltLayout(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "initpass", Faults: sim.Faults{AltLayout: true}})
	push(t, e, d, tgt, nil, 465, brother.KindInitpass, 0)
}

func TestFirmwareTLS10(t *testing.T) {
	e := env(t)
	_, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "initpass", SMTPTLS: sim.SMTPTLS10})
	sess := loggedIn(t, e, tgt, nil)
	if err := sess.WriteSMTP(ctxT(t, step), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587)); err != nil {
		t.Fatal(err)
	}
	res, err := sess.(drivers.Tester).SendTest(ctxT(t, time.Minute), "x@gmail.com")
	if res.OK || !errors.Is(err, drivers.ErrTestFailed) || !errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "TLS 1.2") {
		t.Fatalf("test on TLS 1.0 firmware: %+v %v, want a failure naming the firmware's TLS", res, err)
	}
}

func TestWrongAppPassword(t *testing.T) {
	e := env(t)
	_, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "initpass"})
	sess := loggedIn(t, e, tgt, nil)
	if err := sess.WriteSMTP(ctxT(t, step), drivers.GmailSettings("", drivertest.Account, config.NewSecret("notthepasswordxx"), 465)); err != nil {
		t.Fatal(err)
	}
	res, err := sess.(drivers.Tester).SendTest(ctxT(t, time.Minute), "x@gmail.com")
	if res.OK || !errors.Is(err, drivers.ErrTestFailed) || errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "app password") {
		t.Fatalf("test with a wrong app password: %+v %v", res, err)
	}
}

// TestFirmwareNoEncryption: an old print server without SSL/TLS for SMTP
// (the simulated MFC-8890DW) is refused before anything is written.
func TestFirmwareNoEncryption(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{Model: "MFC-8890DW", AdminPassword: "access", SMTPTLS: sim.SMTPTLSNone})
	sess := loggedIn(t, e, tgt, nil)
	for _, port := range []int{587, 465} {
		err := sess.WriteSMTP(ctxT(t, step), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), port))
		if !errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), "SSL/TLS") {
			t.Fatalf("port %d: err = %v, want ErrFirmware naming SSL/TLS", port, err)
		}
	}
	if d.SMTP().Server != "" {
		t.Fatal("Gmail written to a device that would send in plain text")
	}
}

func TestRebootMidWrite(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "initpass"})
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
	d, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "initpass"})
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
	_, tgt2 := device(t, e, sim.DeviceOptions{AdminPassword: drivertest.AdminSecret, SMTPTLS: sim.SMTPTLSNone})
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

// TestIdentifyAndClaim: Brother's recordings are identified as Brother
// and claimed by this driver as Web Based Management, also when sysDescr
// names only the NC-xxxx print server.
func TestIdentifyAndClaim(t *testing.T) {
	rec := func(file string) devices.Device {
		tab, err := snmprec.ParseFile(filepath.Join("..", "..", "devices", "testdata", "snmprec", file))
		if err != nil {
			t.Fatal(err)
		}
		return sim.IdentifyTable("127.0.151.250", tab)
	}
	b := func(s string) []byte { return []byte(s) }
	cases := []struct {
		name  string
		dev   devices.Device
		model string
	}{
		{"librenms brother (sysDescr is the NC-8300h)", rec("librenms/brother.snmprec"), "MFC-L2710DW"},
		{"murrant NC-7700w", rec("murrant-librenms-snmpsim/brother-nc7700w.snmprec"), "MFC-9970CDW"},
		{"network card only", devices.Identify("127.0.151.251", devices.Values{
			devices.OIDSysDescr: b("Brother NC-8900w, Firmware Ver.1.02  (23.05.18),MID 8CE-H2C,FID 2"), devices.OIDSysObjectID: "1.3.6.1.4.1.2435.2.3.9.1",
			devices.OIDHrDeviceDescr1: b("Brother MFC-L3780CDW series")}), "MFC-L3780CDW"},
	}
	for _, m := range sim.Catalog {
		if m.ServedFamily() != sim.FamilyBrotherWBM {
			continue
		}
		serial := sim.SyntheticSerial(m, 1)
		cases = append(cases, struct {
			name  string
			dev   devices.Device
			model string
		}{"catalogue " + m.Key, sim.IdentifyTable("127.0.151.252", sim.SyntheticTable(m, serial, sim.SyntheticMAC(m, 1))), m.Model})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.dev.Model != tc.model || tc.dev.Vendor != "brother" {
				t.Errorf("vendor %q model %q, want brother %q (%+v)", tc.dev.Vendor, tc.dev.Model, tc.model, tc.dev)
			}
			d, err := drivers.For(tc.dev)
			if err != nil || d.Name() != brother.Name {
				t.Fatalf("driver for %+v: %v %v", tc.dev, d, err)
			}
			in, _ := drivers.InfoOf(d)
			if f, ok := in.Claim(tc.dev); !ok || f.ID != brother.FamilyWBM {
				t.Fatalf("claimed as %q %v", f.ID, ok)
			}
		})
	}
	if d, err := drivers.For(rec("librenms/jetdirect_1.snmprec")); err == nil && d.Name() == brother.Name {
		t.Error("an HP JetDirect claimed by the Brother driver")
	}
}

// TestConformance runs the shared conformance suite (drivers/drivertest,
// which reads the driver's declared facts) against the simulated WBM.
func TestConformance(t *testing.T) {
	if browser == nil {
		t.Skipf("chromium not available: %v", browserErr)
	}
	drivertest.Run(t, drivertest.Config{Browser: browser, ArtifactsDir: artifactsDir,
		Family: sim.FamilyBrotherWBM, Model: "MFC-L8900CDW", Addr: addr, Logger: logger()})
}

// TestInfo: the declared facts: the label password first (never
// derived: left out unless the technician gives it), then initpass,
// then access.
func TestInfo(t *testing.T) {
	d, ok := drivers.Lookup(brother.Name)
	if !ok {
		t.Fatal("not registered")
	}
	in, ok := drivers.InfoOf(d)
	if !ok || len(in.Families) != 1 {
		t.Fatalf("info %+v", in)
	}
	f := in.Families[0]
	if f.ID != brother.FamilyWBM || f.Test != drivers.TestEmail || f.Lockout.After != 5 || f.SingleSession {
		t.Errorf("family facts %+v", f)
	}
	if len(f.Logins) != 3 || f.Logins[0].From != drivers.PasswordLabel || !strings.Contains(f.Logins[0].Text, "CVE-2024-51978") {
		t.Errorf("factory logins %+v", f.Logins)
	}
	creds := f.Credentials(devices.Device{Vendor: "brother", Serial: "E81234A3N123456"})
	if len(creds) != 2 || creds[0].Password.Reveal() != "initpass" || creds[1].Password.Reveal() != "access" || creds[0].User != "" {
		t.Errorf("factory credentials %+v", creds)
	}
	for _, k := range []string{brother.KindLabel, brother.KindInitpass, brother.KindAccess} {
		if l, ok := drivers.LoginByKind(k); !ok || l.Text == "" || l.Short == "" {
			t.Errorf("login kind %q: %+v %v", k, l, ok)
		}
	}
}

// TestProbe: `mfpfleet probe` on WBM shows the status page's login box
// with its generated name and, with --login, the SMTP page's fields.
func TestProbe(t *testing.T) {
	e := env(t)
	_, tgt := device(t, e, sim.DeviceOptions{AdminPassword: "initpass"})
	login := configured("initpass")[0]
	rep, err := drivers.ProbeWith(ctxT(t, time.Minute), browser, tgt, drivers.ProbeOptions{Login: &login, Ledger: e.Ledger(), Budget: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Driver != brother.Name || !rep.LoggedIn {
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
	for _, w := range [][2]string{{"landing", "B12a1"}, {"smtp", "B1f41"}, {"smtp", "B1f46"}, {"smtp", "CSRFToken"}} {
		if !has(w[0], w[1]) {
			t.Errorf("probe report has no %s field %s", w[0], w[1])
		}
	}
	if t.Failed() {
		for _, p := range rep.Pages {
			t.Logf("page %s %s: %+v", p.Role, p.URL, p.Forms)
		}
	}
}
