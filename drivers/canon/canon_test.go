package canon_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
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
	"github.com/mfpfleet/mfpfleet/drivers/canon"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
)

// The Canon driver's tests use 127.0.87.0 - 127.0.89.255: one address per
// simulated device or stand-in.

var (
	browser      *drivers.Browser
	browserErr   error
	artifactsDir string
	next         atomic.Uint32
	serials      atomic.Uint32
)

func addr(tb testing.TB) netip.Addr {
	n := next.Add(1)
	a := netip.AddrFrom4([4]byte{127, 0, byte(87 + n/250), byte(1 + n%250)})
	if a.As4()[2] > 89 {
		tb.Fatalf("test address block exhausted at %s", a)
	}
	return a
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "canon-artifacts-")
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

// variant is one simulated Canon web admin.
type variant struct {
	name, family, model, ui string
}

var variants = []variant{
	{"imageclass", sim.FamilyCanonImageClass, "MF421dw", ""},
	{"imageclass-pin-only", sim.FamilyCanonImageClass, "MF644Cdw", sim.UICanonPINOnly},
	{"iradvance", sim.FamilyCanonIRAdvance, "iR-ADV C5535", ""},
	{"iradvance-dx", sim.FamilyCanonIRAdvance, "iR-ADV DX C5840", sim.UICanonUserAuth},
}

func env(t *testing.T) *drivertest.Env {
	t.Helper()
	if browser == nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			t.Fatalf("chromium required (MFPFLEET_REQUIRE_PEERS=1): %v", browserErr)
		}
		t.Skipf("chromium not available: %v", browserErr)
	}
	return drivertest.NewEnv(t, drivertest.Config{Browser: browser, ArtifactsDir: artifactsDir, Addr: addr, Logger: logger()})
}

// device starts a simulated Canon of v (o's other options as given) and
// returns it with the Target that reaches it over HTTPS, pinned in the
// inventory, identified as SNMP would (vendor canon, the model).
func device(t *testing.T, e *drivertest.Env, v variant, o sim.DeviceOptions) (*sim.Device, drivers.Target) {
	t.Helper()
	o.Model, o.Family, o.UI = v.model, v.family, v.ui
	if o.AdminPassword == "" {
		o.AdminPassword = sim.CanonDefaultPIN
	}
	o.Serial = fmt.Sprintf("XCN%05d", serials.Add(1))
	o.SMTPRoutes = map[string]string{"smtp.gmail.com:587": e.Gmail.StartTLSAddr, "smtp.gmail.com:465": e.Gmail.TLSAddr}
	o.SMTPRootCAs = e.Gmail.ClientTLS().RootCAs
	o.Logger = logger()
	d, err := sim.NewDevice(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); _ = d.Close() })
	if err := d.Serve(ctx, addr(t), 0, -1); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(d.HTTPSURL())
	if err != nil {
		t.Fatal(err)
	}
	dev := devices.Device{IP: d.Addr().String(), Vendor: "canon", Model: v.model, Serial: o.Serial, Firmware: "03.04"}
	return d, drivers.Target{Address: u.Host, Device: dev, Certs: drivers.CertPolicy{Store: e.DB}}
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// user is the configured System Manager ID / user name of v.
func user(v variant) string {
	if v.ui == sim.UICanonUserAuth {
		return sim.CanonDXAdminUser
	}
	return sim.CanonSysMgrID
}

// adminSecret is the admin password the configured tests set: a 7-digit
// PIN where the page asks a System Manager PIN, drivertest's password on
// the DX user-authentication login.
func adminSecret(v variant) string {
	if v.ui == sim.UICanonUserAuth {
		return drivertest.AdminSecret
	}
	return pinSecret
}

const pinSecret = "4826193"

func configured(v variant, pw string) []drivers.Credential {
	return []drivers.Credential{{User: user(v), Password: config.NewSecret(pw), Kind: drivers.KindConfigured, Source: "fleet.toml [[credentials]] (test)"}}
}

// TestPush runs the whole flow on every variant, with the factory login
// and with a configured one: login, read, write Gmail on 587, read back,
// no test action (written-unconfirmed), then a scan to the plus-address
// confirmed by the mailbox.
func TestPush(t *testing.T) {
	for _, v := range variants {
		for _, conf := range []bool{false, true} {
			name := v.name + "/default"
			if conf {
				name = v.name + "/configured"
			}
			t.Run(name, func(t *testing.T) {
				e := env(t)
				var o sim.DeviceOptions
				var creds []drivers.Credential
				if conf {
					o.AdminPassword = adminSecret(v)
					creds = configured(v, adminSecret(v))
				}
				d, tgt := device(t, e, v, o)
				r, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, creds, 587)
				if err != nil {
					t.Fatalf("push: %v", err)
				}
				if conf && r.Used.Kind != drivers.KindConfigured || !conf && !r.Used.IsDefault() {
					t.Errorf("logged in with %s (kind %s)", r.Used.Describe(), r.Used.Kind)
				}
				// The device resets its count on success; the ledger keeps
				// every refused attempt.
				if total, _, err := e.Ledger().FailedLogins(ctxT(t, time.Minute), tgt.Device.Key()); err != nil || total != 0 || d.FailedLogins() != 0 {
					t.Errorf("%d failed logins on the way (device: %d, %v)", total, d.FailedLogins(), err)
				}
				if r.Before.Port != 25 || r.Before.Security != drivers.SecurityNone {
					t.Errorf("read before: %+v", r.Before)
				}
				want := drivers.SMTPSettings{Server: "smtp.gmail.com", Port: 587, Security: drivers.SecurityStartTLS, Auth: true, User: drivertest.Account, From: drivertest.Account, PasswordSet: true}
				if r.After != want {
					t.Errorf("read back %+v, want %+v", r.After, want)
				}
				got := d.SMTP()
				if got.Server != "smtp.gmail.com" || got.Port != 587 || got.Security != sim.SecuritySTARTTLS || got.Auth != sim.AuthSMTP ||
					got.User != drivertest.Account || !d.SMTPPasswordIs(drivertest.AppPassword) {
					t.Errorf("device holds %+v", got)
				}
				if !errors.Is(r.TestErr, drivers.ErrNoTestAction) || !strings.Contains(r.TestErr.Error(), r.TestedTo) {
					t.Errorf("test: %v, want ErrNoTestAction naming %s", r.TestErr, r.TestedTo)
				}
				// The technician's scan to the plus-address confirms it.
				if j := d.ScanToEmail(ctxT(t, time.Minute), r.TestedTo); !j.OK {
					t.Fatalf("scan: %+v", j)
				}
				if subj := e.InIMAP(t, r.TestedTo); len(subj) != 1 {
					t.Errorf("mailbox has %v for %s", subj, r.TestedTo)
				}
				if n := len(d.Jobs()); n != 1 {
					t.Errorf("%d jobs", n)
				}
			})
		}
	}
}

// open opens a session on tgt.
func open(t *testing.T, tgt drivers.Target) drivers.Session {
	t.Helper()
	sess, err := drivers.Open(ctxT(t, time.Minute), browser, tgt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return sess
}

func loggedIn(t *testing.T, e *drivertest.Env, tgt drivers.Target, creds []drivers.Credential) drivers.Session {
	t.Helper()
	sess := open(t, tgt)
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, creds, e.Ledger(), 0, false); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sess.Logout(context.Background()) })
	return sess
}

// Test465 is refused (Canon offers STARTTLS only) without touching the
// device.
func Test465(t *testing.T) {
	for _, v := range []variant{variants[0], variants[2]} {
		t.Run(v.name, func(t *testing.T) {
			e := env(t)
			d, tgt := device(t, e, v, sim.DeviceOptions{})
			sess := loggedIn(t, e, tgt, nil)
			err := sess.WriteSMTP(ctxT(t, time.Minute), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 465))
			if !errors.Is(err, drivers.ErrUnsupported) || !strings.Contains(err.Error(), "587") {
				t.Fatalf("465: %v, want ErrUnsupported naming 587", err)
			}
			if d.SMTP().Server != "" {
				t.Error("something was written")
			}
		})
	}
}

// TestWrongPassword: a configured password that is wrong, then the
// factory default that is not set either, stay within the budget (below
// the declared lock-out), across two runs; the device is never locked.
func TestWrongPassword(t *testing.T) {
	for _, v := range []variant{variants[0], variants[3]} {
		t.Run(v.name, func(t *testing.T) {
			e := env(t)
			d, tgt := device(t, e, v, sim.DeviceOptions{AdminPassword: "7777777"})
			budget := drivers.LoginBudget(tgt.Device, 0)
			fam, _ := (&canon.Driver{}).Info().Claim(tgt.Device)
			if budget >= fam.Lockout.After {
				t.Fatalf("budget %d reaches the declared lock-out %d", budget, fam.Lockout.After)
			}
			for run := range 2 {
				sess := open(t, tgt)
				_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, configured(v, "1234567"), e.Ledger(), budget, false)
				if !errors.Is(err, drivers.ErrBadCredentials) || errors.Is(err, drivers.ErrLockedOut) {
					t.Fatalf("run %d: %v, want bad credentials", run, err)
				}
				sess.Close()
			}
			if d.LockedOut() || d.FailedLogins() > budget {
				t.Fatalf("device: %d failed logins, locked %v (budget %d)", d.FailedLogins(), d.LockedOut(), budget)
			}
		})
	}
}

// TestLockedOut: a locked System Manager is ErrLockedOut at once, never
// a wrong password.
func TestLockedOut(t *testing.T) {
	for _, v := range []variant{variants[0], variants[2]} {
		t.Run(v.name, func(t *testing.T) {
			e := env(t)
			d, tgt := device(t, e, v, sim.DeviceOptions{Faults: sim.Faults{LockedOut: true}})
			sess := open(t, tgt)
			_, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, nil, e.Ledger(), 0, false)
			if !errors.Is(err, drivers.ErrLockedOut) {
				t.Fatalf("%v, want ErrLockedOut", err)
			}
			if d.FailedLogins() != 0 {
				t.Errorf("%d failed logins counted", d.FailedLogins())
			}
		})
	}
}

// TestFirmware: an E-mail page without TLS or without SMTP AUTH is
// ErrFirmware naming what is missing.
func TestFirmware(t *testing.T) {
	cases := []struct {
		name    string
		v       variant
		o       sim.DeviceOptions
		missing string
	}{
		{"no-tls", variants[0], sim.DeviceOptions{SMTPTLS: sim.SMTPTLSNone}, "TLS"},
		{"no-auth", variant{"imageclass-no-auth", sim.FamilyCanonImageClass, "MF8280Cw", sim.UICanonNoAuth}, sim.DeviceOptions{}, "SMTP AUTH"},
		{"iradv-no-tls", variants[2], sim.DeviceOptions{SMTPTLS: sim.SMTPTLSNone}, "TLS"},
		{"short-password", variant{"imageclass-short-password", sim.FamilyCanonImageClass, "MF8280Cw", sim.UICanonShortPassword}, sim.DeviceOptions{}, "takes only 12 characters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := env(t)
			d, tgt := device(t, e, c.v, c.o)
			sess := loggedIn(t, e, tgt, nil)
			err := sess.WriteSMTP(ctxT(t, time.Minute), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587))
			if !errors.Is(err, drivers.ErrFirmware) || !strings.Contains(err.Error(), c.missing) {
				t.Fatalf("%v, want ErrFirmware naming %s", err, c.missing)
			}
			if d.SMTP().Server != "" {
				t.Error("something was written")
			}
		})
	}
}

// TestKeepPassword: a write without a password keeps the stored one.
func TestKeepPassword(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, variants[0], sim.DeviceOptions{})
	sess := loggedIn(t, e, tgt, nil)
	ctx := ctxT(t, 2*time.Minute)
	if err := sess.WriteSMTP(ctx, drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587)); err != nil {
		t.Fatal(err)
	}
	if err := sess.WriteSMTP(ctx, drivers.GmailSettings("", drivertest.Account, config.NewSecret(""), 587)); err != nil {
		t.Fatal(err)
	}
	if !d.SMTPPasswordIs(drivertest.AppPassword) {
		t.Fatal("the stored SMTP password was changed by a write without one")
	}
}

// TestSecretGrep: failures that happen after both secrets were typed
// leave screenshots and HTML excerpts without either secret.
func TestSecretGrep(t *testing.T) {
	e := env(t)
	for _, v := range []variant{variants[0], variants[2]} {
		d, tgt := device(t, e, v, sim.DeviceOptions{AdminPassword: adminSecret(v)})
		sess := loggedIn(t, e, tgt, configured(v, adminSecret(v)))
		d.SetFaults(sim.Faults{RebootOnSave: time.Second})
		if err := sess.WriteSMTP(ctxT(t, time.Minute), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587)); err == nil {
			t.Fatal("write succeeded on a rebooting device")
		}
		_, tgt2 := device(t, e, v, sim.DeviceOptions{AdminPassword: "1357913"})
		s2 := open(t, tgt2)
		_, _ = drivers.LoginWithCandidates(ctxT(t, time.Minute), s2, tgt2.Device, configured(v, adminSecret(v)), e.Ledger(), 1, false)
	}
	// A DX login with a wrong password, and a configured password too
	// long for a PIN field (refused before it is typed).
	dx := variants[3]
	_, tgt3 := device(t, e, dx, sim.DeviceOptions{AdminPassword: "Other-Pass-99"})
	s3 := open(t, tgt3)
	_, _ = drivers.LoginWithCandidates(ctxT(t, time.Minute), s3, tgt3.Device, configured(dx, drivertest.AdminSecret), e.Ledger(), 1, false)
	_, tgt4 := device(t, e, variants[0], sim.DeviceOptions{})
	s4 := open(t, tgt4)
	if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), s4, tgt4.Device, configured(variants[0], drivertest.AdminSecret), e.Ledger(), 1, false); !errors.Is(err, drivers.ErrBadCredentials) {
		t.Errorf("a configured password longer than the PIN field: %v", err)
	}
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
		for _, s := range []string{drivertest.AdminSecret, drivertest.AppPassword, pinSecret} {
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
		t.Fatal("no artifacts were written: the grep proves nothing")
	}
	t.Logf("grepped %d artifacts", n)
}

// TestPorts: an iR-ADV whose Remote UI answers only on 8443 (HTTPS), or
// only on 8000 (plain HTTP, where the site allows it), is found there
// from its address alone, in the declared order.
func TestPorts(t *testing.T) {
	e := env(t)
	for _, c := range []struct {
		name             string
		https, http      int
		allowHTTP        bool
		wantBase, errHas string
	}{
		{"https-8443", 8443, -1, false, "https://%s:8443", ""},
		{"http-8000", 0, 8000, true, "http://%s:8000", ""},
		{"http-8000-not-allowed", 0, 8000, false, "", "allow_http"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := sim.NewDevice(sim.DeviceOptions{Model: "iR-ADV C5535", Family: sim.FamilyCanonIRAdvance, Serial: fmt.Sprintf("XCN%05d", serials.Add(1)),
				AdminPassword: sim.CanonDefaultPIN, Logger: logger()})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(func() { cancel(); _ = d.Close() })
			if err := d.Serve(ctx, addr(t), c.https, c.http); err != nil {
				t.Fatal(err)
			}
			ip := d.Addr().String()
			tgt := drivers.Target{Address: ip, AllowHTTP: c.allowHTTP, Certs: drivers.CertPolicy{Store: e.DB},
				Device: devices.Device{IP: ip, Vendor: "canon", Model: "iR-ADV C5535", Serial: d.Serial()}}
			sess, err := drivers.Open(ctxT(t, time.Minute), browser, tgt)
			if c.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), c.errHas) {
					t.Fatalf("open: %v, want an error naming %s", err, c.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			if got, want := sess.Info().BaseURL, fmt.Sprintf(c.wantBase, ip); got != want || sess.Info().Family != canon.FamilyIRAdvance {
				t.Fatalf("opened %s (%s), want %s", got, sess.Info().Family, want)
			}
			if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), sess, tgt.Device, nil, e.Ledger(), 0, false); err != nil {
				t.Fatal(err)
			}
			_ = sess.Logout(ctxT(t, time.Minute))
		})
	}
}

// TestKilledRun: a session a killed run left open (logged in, never
// logged out) does not stand in the next run's way — Canon's Remote UIs
// are not declared single-session — and costs no failed login.
func TestKilledRun(t *testing.T) {
	for _, v := range []variant{variants[0], variants[2]} {
		t.Run(v.name, func(t *testing.T) {
			e := env(t)
			d, tgt := device(t, e, v, sim.DeviceOptions{})
			in := (&canon.Driver{}).Info()
			if fam, _ := in.Claim(tgt.Device); fam.SingleSession {
				t.Fatalf("%s is declared single-session: this test expects the other rule", fam.ID)
			}
			killed := open(t, tgt)
			if _, err := drivers.LoginWithCandidates(ctxT(t, time.Minute), killed, tgt.Device, nil, e.Ledger(), 0, false); err != nil {
				t.Fatal(err)
			}
			killed.Close() // no Logout: the run was killed
			r, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, nil, 587)
			if err != nil {
				t.Fatalf("the next run: %v", err)
			}
			if !r.Used.IsDefault() || d.FailedLogins() != 0 {
				t.Fatalf("logged in with %s after %d failed logins", r.Used.Describe(), d.FailedLogins())
			}
			total, _, err := e.Ledger().FailedLogins(ctxT(t, time.Minute), tgt.Device.Key())
			if err != nil || total != 0 {
				t.Fatalf("ledger: %d failed logins (%v)", total, err)
			}
		})
	}
}

// TestAltLayout: iR-ADV firmware whose Communication Settings and Port
// Number fields have other names (the names are guesses) is still found
// by the labels.
func TestAltLayout(t *testing.T) {
	e := env(t)
	d, tgt := device(t, e, variants[2], sim.DeviceOptions{Faults: sim.Faults{AltLayout: true}})
	r, err := e.Push(ctxT(t, 3*time.Minute), t, tgt, nil, 587)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.SMTP(); got.Port != 587 || got.Security != sim.SecuritySTARTTLS || !d.SMTPPasswordIs(drivertest.AppPassword) || r.After.Server != "smtp.gmail.com" {
		t.Fatalf("device holds %+v, read back %+v", got, r.After)
	}
}

// TestDropped: a device that drops the admin session mid-flow is a
// transient error (retried later), never a wrong password.
func TestDropped(t *testing.T) {
	for _, v := range []variant{variants[0], variants[2]} {
		t.Run(v.name, func(t *testing.T) {
			e := env(t)
			d, tgt := device(t, e, v, sim.DeviceOptions{})
			sess := loggedIn(t, e, tgt, nil)
			d.SetFaults(sim.Faults{DropSessionAfter: 1})
			err := sess.WriteSMTP(ctxT(t, time.Minute), drivers.GmailSettings("", drivertest.Account, config.NewSecret(drivertest.AppPassword), 587))
			if !errors.Is(err, drivers.ErrTransient) || errors.Is(err, drivers.ErrBadCredentials) {
				t.Fatalf("%v, want ErrTransient", err)
			}
		})
	}
}
