package rollout_test

// The engine through its Browser seam (Options.StartBrowser): fake
// browsers open fake sessions, so that retry, the lock-out budget,
// interruption and a crashed browser are tested in milliseconds without
// Chromium. Everything else is real: the SQLite inventory file, the
// Gmail stand-in (preflight over SMTP with STARTTLS and AUTH, the fake
// devices' test messages sent to it over SMTP, confirmation over IMAP
// with TLS). Addresses: 127.0.69.100 – 127.0.69.139.

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

const seamAccount = "it.scans@gmail.com"

// seamDevice is one fake device's web admin: its admin password, its
// SMTP settings, and what happened to it.
type seamDevice struct {
	ip, serial, password string

	mu sync.Mutex
	// on, when set, runs at the start of every step ("login", "read",
	// "write", "test") of session s; an error it returns is the step's.
	on func(ctx context.Context, s *seamSession, step string) error
	// transientWrites: so many writes fail as a dropped session would.
	transientWrites int
	lockedOut       bool

	smtp                            drivers.SMTPSettings
	appPW                           string
	opens, closes, logins, badLogin int
	writes, logouts                 int
	logoutCtxErr                    []error // ctx.Err() each logout saw
}

func (d *seamDevice) count(f func(d *seamDevice) int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return f(d)
}

// seamBrowser is a fake browser: it opens sessions on the fake devices
// and can die (then every call on it fails as Chromium's death does).
type seamBrowser struct {
	env   *seamEnv
	n     int // 1 for the first started
	mu    sync.Mutex
	crash error
}

func (b *seamBrowser) OpenSession(ctx context.Context, t drivers.Target) (drivers.Session, error) {
	if c := b.Crashed(); c != nil {
		return nil, fmt.Errorf("%s: open: %w", t.Address, c)
	}
	d := b.env.dev(t.Address)
	if d == nil {
		return nil, fmt.Errorf("%s: no such fake device: %w", t.Address, drivers.ErrTransient)
	}
	d.mu.Lock()
	d.opens++
	d.mu.Unlock()
	return &seamSession{b: b, d: d}, nil
}

func (b *seamBrowser) Crashed() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.crash
}

func (b *seamBrowser) CrashOf(err error) error {
	if c := b.Crashed(); c != nil && errors.Is(err, drivers.ErrBrowserCrashed) {
		return c
	}
	return nil
}

func (b *seamBrowser) Close() error { return nil }

// die kills the browser and returns its crash.
func (b *seamBrowser) die() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.crash == nil {
		b.crash = &drivers.CrashError{Exit: fmt.Sprintf("signal: trace/breakpoint trap (fake browser %d)", b.n)}
	}
	return b.crash
}

// seamSession is a fake driver session on one fake device.
type seamSession struct {
	b *seamBrowser
	d *seamDevice
}

var (
	_ drivers.Session = (*seamSession)(nil)
	_ drivers.Tester  = (*seamSession)(nil)
)

func (s *seamSession) Info() drivers.SessionInfo {
	return drivers.SessionInfo{Driver: "xerox", Family: "xerox/connectkey", Address: s.d.ip, BaseURL: "https://" + s.d.ip}
}

// enter runs a step's common part: a dead browser fails it, then the
// device's hook.
func (s *seamSession) enter(ctx context.Context, step string) error {
	if c := s.b.Crashed(); c != nil {
		return fmt.Errorf("%s: %s: %w", s.d.ip, step, c)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %s: %w", s.d.ip, step, err)
	}
	s.d.mu.Lock()
	on := s.d.on
	s.d.mu.Unlock()
	if on != nil {
		return on(ctx, s, step)
	}
	return nil
}

func (s *seamSession) Login(ctx context.Context, c drivers.Credential) error {
	if err := s.enter(ctx, "login"); err != nil {
		return err
	}
	d := s.d
	d.mu.Lock()
	defer d.mu.Unlock()
	d.logins++
	switch {
	case d.lockedOut:
		return fmt.Errorf("%s: login: %w", d.ip, drivers.ErrLockedOut)
	case c.Password.Reveal() != d.password:
		d.badLogin++
		return fmt.Errorf("%s: login: %w", d.ip, drivers.ErrBadCredentials)
	}
	return nil
}

func (s *seamSession) ReadSMTP(ctx context.Context) (drivers.SMTPSettings, error) {
	if err := s.enter(ctx, "read"); err != nil {
		return drivers.SMTPSettings{}, err
	}
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	got := s.d.smtp
	got.Password = config.Secret{}
	got.PasswordSet = s.d.appPW != ""
	return got, nil
}

func (s *seamSession) WriteSMTP(ctx context.Context, w drivers.SMTPSettings) error {
	if err := s.enter(ctx, "write"); err != nil {
		return err
	}
	d := s.d
	d.mu.Lock()
	defer d.mu.Unlock()
	d.writes++
	if d.transientWrites > 0 {
		d.transientWrites--
		return fmt.Errorf("%s: write: the session was dropped: %w", d.ip, drivers.ErrTransient)
	}
	if !w.Password.Empty() {
		d.appPW = w.Password.Reveal()
	}
	w.Password = config.Secret{}
	d.smtp = w
	return nil
}

// SendTest sends the device's test message to the Gmail stand-in over
// SMTP (STARTTLS, AUTH PLAIN with the written app password), as a
// device does.
func (s *seamSession) SendTest(ctx context.Context, to string) (drivers.TestResult, error) {
	if err := s.enter(ctx, "test"); err != nil {
		return drivers.TestResult{}, err
	}
	s.d.mu.Lock()
	user, pw := s.d.smtp.User, s.d.appPW
	s.d.mu.Unlock()
	if err := s.b.env.send(ctx, user, pw, to); err != nil {
		return drivers.TestResult{Message: err.Error()}, fmt.Errorf("%s: test: %v: %w", s.d.ip, err, drivers.ErrTestFailed)
	}
	return drivers.TestResult{OK: true, Message: "Email sent successfully", At: time.Now()}, nil
}

func (s *seamSession) Logout(ctx context.Context) error {
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	s.d.logouts++
	s.d.logoutCtxErr = append(s.d.logoutCtxErr, ctx.Err())
	return nil
}

func (s *seamSession) Close() error {
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	s.d.closes++
	return nil
}

// seamEnv is an inventory file with n fake Xerox AltaLinks, the Gmail
// stand-in, and the browsers the runs started.
type seamEnv struct {
	db   *inventory.DB
	cfg  *config.Config
	pw   gmail.AppPassword
	gm   *standin.Server
	devs []*seamDevice

	mu       sync.Mutex
	browsers []*seamBrowser
	// onStart, when set, is asked for every browser start (n counts
	// from 1); an error fails the start.
	onStart func(n int) error
}

func newSeamEnv(t *testing.T, gmailIP string, firstIP int, n int) *seamEnv {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	dir := t.TempDir()
	const appPW = "seamseamseamseam"
	gm, err := standin.Start(ctx, standin.Options{Addr: gmailIP, Account: seamAccount, AppPassword: config.NewSecret(appPW)})
	if err != nil {
		t.Fatalf("gmail stand-in: %v", err)
	}
	t.Cleanup(func() { _ = gm.Close() })
	ca := filepath.Join(dir, "ca.pem")
	if err := gm.WriteCA(ca); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Gmail = gm.GmailConfig(ca)
	db, err := inventory.Open(ctx, filepath.Join(dir, "fleet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	pw, err := gmail.NormalizeAppPassword(appPW)
	if err != nil {
		t.Fatal(err)
	}
	e := &seamEnv{db: db, cfg: &cfg, pw: pw, gm: gm}
	for i := range n {
		ip := fmt.Sprintf("127.0.69.%d", firstIP+i)
		d := &seamDevice{ip: ip, serial: fmt.Sprintf("SEAM%03d", firstIP+i), password: "1111"}
		dev := devices.Device{IP: ip, Vendor: "xerox", Model: "AltaLink C8070", Serial: d.serial, Family: "xerox/connectkey", IsPrinter: true}
		if _, _, err := db.UpsertDevice(ctx, dev, time.Now()); err != nil {
			t.Fatal(err)
		}
		e.devs = append(e.devs, d)
	}
	return e
}

func (e *seamEnv) dev(ip string) *seamDevice {
	for _, d := range e.devs {
		if d.ip == ip {
			return d
		}
	}
	return nil
}

// start is Options.StartBrowser.
func (e *seamEnv) start(ctx context.Context) (rollout.Browser, error) {
	e.mu.Lock()
	n := len(e.browsers) + 1
	on := e.onStart
	e.mu.Unlock()
	if on != nil {
		if err := on(n); err != nil {
			return nil, err
		}
	}
	b := &seamBrowser{env: e, n: n}
	e.mu.Lock()
	e.browsers = append(e.browsers, b)
	e.mu.Unlock()
	return b, nil
}

func (e *seamEnv) started() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.browsers)
}

// send delivers a test message to the stand-in as a device would.
func (e *seamEnv) send(ctx context.Context, user, pw, to string) error {
	var dl net.Dialer
	conn, err := dl.DialContext(ctx, "tcp", e.gm.StartTLSAddr)
	if err != nil {
		return err
	}
	host, _, _ := net.SplitHostPort(e.gm.StartTLSAddr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	tc := e.gm.ClientTLS()
	if err := c.StartTLS(&tls.Config{RootCAs: tc.RootCAs, ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
		return err
	}
	if err := c.Auth(smtp.PlainAuth("", user, pw, host)); err != nil {
		return err
	}
	if err := c.Mail(user); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "From: %s\r\nTo: %s\r\nSubject: Test e-mail from a fake AltaLink\r\n\r\nfake device test\r\n", user, to)
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// options are a push of every device with fast timings.
func (e *seamEnv) options() rollout.Options {
	var ips []string
	for _, d := range e.devs {
		ips = append(ips, d.ip)
	}
	return rollout.Options{
		Config: e.cfg, DB: e.db, AppPassword: e.pw, Select: rollout.Selector{IPs: ips},
		Parallel: 2, Retries: 2, StepTimeout: 10 * time.Second, ConfirmTimeout: 20 * time.Second,
		Backoff: time.Millisecond, ConfirmPoll: 20 * time.Millisecond,
		StartBrowser: e.start,
	}
}

func seamRunStatus(t *testing.T, db *inventory.DB, id int64) string {
	t.Helper()
	r, err := db.GetRun(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r.Status
}

// TestSeamRetryTransient: a device that drops the session on the first
// two writes is retried (from its login, logged out after each attempt)
// and confirmed on the third; one that keeps dropping it fails after
// Retries+1 attempts, saying so, and is never counted as a login
// problem.
func TestSeamRetryTransient(t *testing.T) {
	e := newSeamEnv(t, "127.0.69.100", 101, 2)
	e.devs[0].transientWrites = 2
	e.devs[1].transientWrites = 100
	sum, err := rollout.Push(context.Background(), e.options())
	if !errors.Is(err, rollout.ErrSomeFailed) || errors.Is(err, rollout.ErrAdminLogin) {
		t.Fatalf("err = %v, want ErrSomeFailed without ErrAdminLogin", err)
	}
	got := pushByIP(sum)
	ok, bad := got[e.devs[0].ip], got[e.devs[1].ip]
	if ok.Status != rollout.StatusConfirmed || ok.Attempts != 3 {
		t.Errorf("flaky device: %s after %d attempts (%s), want confirmed after 3", ok.Status, ok.Attempts, ok.Reason)
	}
	if bad.Status != rollout.StatusFailed || bad.Attempts != 3 || bad.FailedStep != inventory.StepWrite ||
		!strings.Contains(bad.Reason, "gave up after 3 attempts") || !strings.HasPrefix(bad.Reason, e.devs[1].ip+": write: ") {
		t.Errorf("dropping device: %+v, want failed at write after 3 attempts, reason naming it", bad)
	}
	for _, d := range e.devs {
		if n := d.count(func(d *seamDevice) int { return d.writes }); n != 3 {
			t.Errorf("%s: %d writes, want 3", d.ip, n)
		}
		opens, logouts, closes := d.count(func(d *seamDevice) int { return d.opens }), d.count(func(d *seamDevice) int { return d.logouts }), d.count(func(d *seamDevice) int { return d.closes })
		if opens != 3 || logouts != 3 || closes != 3 {
			t.Errorf("%s: %d sessions opened, %d logged out, %d closed; want 3 of each", d.ip, opens, logouts, closes)
		}
	}
	if n := len(e.gm.Messages()); n != 1 {
		t.Errorf("%d test messages reached Gmail, want 1", n)
	}
}

// TestSeamLoginBudget: a device whose admin password nobody knows gets
// no more failed logins than its family's budget (across two runs, the
// second trying none), a locked-out one one login a run, and neither is
// retried although retries are allowed; both need a technician.
func TestSeamLoginBudget(t *testing.T) {
	e := newSeamEnv(t, "127.0.69.105", 106, 2)
	unknown, locked := e.devs[0], e.devs[1]
	unknown.password = "nobody-knows-it"
	locked.lockedOut = true
	dev, err := e.db.FindDevice(context.Background(), unknown.ip)
	if err != nil {
		t.Fatal(err)
	}
	budget := drivers.LoginBudget(dev.Device, 0)
	for run := 1; run <= 2; run++ {
		sum, err := rollout.Push(context.Background(), e.options())
		if !errors.Is(err, rollout.ErrSomeFailed) || !errors.Is(err, rollout.ErrAdminLogin) {
			t.Fatalf("run %d: err = %v, want ErrSomeFailed and ErrAdminLogin", run, err)
		}
		got := pushByIP(sum)
		for _, d := range e.devs {
			if r := got[d.ip]; r.Status != rollout.StatusFailed || r.FailedStep != inventory.StepLogin || r.Attempts > 1 {
				t.Errorf("run %d: %s: %s at %q after %d attempts, want failed at login, not retried", run, d.ip, r.Status, r.FailedStep, r.Attempts)
			}
		}
		if run == 2 && !strings.Contains(got[unknown.ip].Reason, "not tried") {
			t.Errorf("run 2: %s", got[unknown.ip].Reason)
		}
		if n := unknown.count(func(d *seamDevice) int { return d.badLogin }); n != min(2, budget) {
			t.Errorf("run %d: the device saw %d wrong passwords, want %d (two defaults, budget %d)", run, n, min(2, budget), budget)
		}
		// A lock-out stops the login at once: one attempt a run.
		if n := locked.count(func(d *seamDevice) int { return d.logins }); n != run {
			t.Errorf("run %d: locked-out device: %d logins in all, want %d", run, n, run)
		}
	}
	total, _, err := e.db.LoginLedger().FailedLogins(context.Background(), dev.Key())
	if err != nil || total != min(2, budget) {
		t.Errorf("ledger: %d failed logins (%v)", total, err)
	}
}

// TestSeamBudgetAcrossRuns: a budget of 1 (fleet.toml
// login_attempt_budget) lets the first run try only 1111, and the next
// run nothing: the serial is never sent.
func TestSeamBudgetAcrossRuns(t *testing.T) {
	e := newSeamEnv(t, "127.0.69.110", 111, 1)
	d := e.devs[0]
	d.password = d.serial + "-changed"
	o := e.options()
	o.LoginBudget = 1
	for run := 1; run <= 2; run++ {
		if _, err := rollout.Push(context.Background(), o); !errors.Is(err, rollout.ErrAdminLogin) {
			t.Fatalf("run %d: %v", run, err)
		}
		if n := d.count(func(d *seamDevice) int { return d.logins }); n != 1 {
			t.Fatalf("run %d: %d logins, want 1 in all", run, n)
		}
	}
}

// TestSeamInterrupted: Ctrl-C while a device is being written. That
// device is logged out anyway (on a live context), its session closed,
// and it is left pending "interrupted during write"; the devices not
// started are pending "not started"; nothing failed; the run is
// journalled interrupted and returns ErrInterrupted. The same command
// again resumes it and confirms all three.
func TestSeamInterrupted(t *testing.T) {
	e := newSeamEnv(t, "127.0.69.115", 116, 3)
	first := e.devs[0]
	reached := make(chan struct{})
	var once sync.Once
	first.on = func(ctx context.Context, s *seamSession, step string) error {
		if step != "write" {
			return nil
		}
		once.Do(func() { close(reached) })
		<-ctx.Done()
		return fmt.Errorf("%s: write: %w", first.ip, ctx.Err())
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-reached
		cancel()
	}()
	o := e.options()
	o.Parallel = 1
	sum, err := rollout.Push(ctx, o)
	if !errors.Is(err, rollout.ErrInterrupted) || errors.Is(err, rollout.ErrSomeFailed) {
		t.Fatalf("err = %v, want ErrInterrupted only", err)
	}
	if sum.Counts.Failed != 0 || sum.Counts.Pending != 3 {
		t.Errorf("counts %+v, want 3 pending, none failed", sum.Counts)
	}
	got := pushByIP(sum)
	if r := got[first.ip]; r.Status != rollout.StatusPending || !strings.Contains(r.Reason, "interrupted during write") {
		t.Errorf("device in flight: %s %q", r.Status, r.Reason)
	}
	for _, d := range e.devs[1:] {
		if r := got[d.ip]; r.Status != rollout.StatusPending || !strings.Contains(r.Reason, "not started") {
			t.Errorf("%s: %s %q, want pending, not started", d.ip, r.Status, r.Reason)
		}
	}
	first.mu.Lock()
	logouts, closes, lerrs := first.logouts, first.closes, append([]error(nil), first.logoutCtxErr...)
	first.on = nil
	first.mu.Unlock()
	if logouts != 1 || closes != 1 || lerrs[0] != nil {
		t.Errorf("interrupted device: %d logouts (contexts %v), %d closes; want one logout on a live context, one close", logouts, lerrs, closes)
	}
	if s := seamRunStatus(t, e.db, sum.RunID); s != inventory.RunInterrupted {
		t.Errorf("run journalled %q, want interrupted", s)
	}
	rds, err := e.db.RunDevices(context.Background(), sum.RunID)
	if err != nil {
		t.Fatal(err)
	}
	for _, rd := range rds {
		if rd.Status == inventory.DeviceFailed {
			t.Errorf("journal: device %d failed", rd.DeviceID)
		}
	}

	sum2, err := rollout.Push(context.Background(), e.options())
	if err != nil || sum2.Counts.Confirmed != 3 {
		t.Fatalf("re-run: %v, %+v", err, sum2.Counts)
	}
}

// TestSeamBrowserCrash: the browser dies while a device's settings are
// read. A new browser is started, the device starts again from its
// login (not a retry: its attempt count stays 1, no failed login is
// recorded) and is confirmed; the run succeeds.
func TestSeamBrowserCrash(t *testing.T) {
	e := newSeamEnv(t, "127.0.69.120", 121, 2)
	victim := e.devs[0]
	var crashed atomic.Bool
	victim.on = func(ctx context.Context, s *seamSession, step string) error {
		if step == "read" && crashed.CompareAndSwap(false, true) {
			return fmt.Errorf("%s: read: %w", victim.ip, s.b.die())
		}
		return nil
	}
	o := e.options()
	o.Parallel = 1
	o.Retries = -1 // a crash must not need a retry
	sum, err := rollout.Push(context.Background(), o)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	if e.started() != 2 {
		t.Errorf("%d browsers started, want 2 (one after the crash)", e.started())
	}
	r := pushByIP(sum)[victim.ip]
	if r.Status != rollout.StatusConfirmed || r.Attempts != 1 {
		t.Errorf("device under the crash: %s after %d attempts (%s), want confirmed, attempt 1", r.Status, r.Attempts, r.Reason)
	}
	if n := victim.count(func(d *seamDevice) int { return d.logins }); n != 2 {
		t.Errorf("%d logins, want 2 (again from login after the crash)", n)
	}
	if total, _, _ := e.db.LoginLedger().FailedLogins(context.Background(), "serial:"+victim.serial); total != 0 {
		t.Errorf("%d failed logins recorded for a crash", total)
	}
	if sum.Counts.Confirmed != 2 || seamRunStatus(t, e.db, sum.RunID) != inventory.RunSucceeded {
		t.Errorf("counts %+v, run %s", sum.Counts, seamRunStatus(t, e.db, sum.RunID))
	}
}

// TestSeamBrowserKeepsCrashing: every browser dies at its first login.
// After CrashLimit crashes the run stops with ErrBrowserCrashing (the
// CLI's exit 7): no device failed or is blamed, all are left pending
// "not attempted", no failed login is recorded, and the run is
// journalled interrupted so that a re-run carries on.
func TestSeamBrowserKeepsCrashing(t *testing.T) {
	e := newSeamEnv(t, "127.0.69.125", 126, 3)
	for _, d := range e.devs {
		d.on = func(ctx context.Context, s *seamSession, step string) error {
			if step == "login" {
				return fmt.Errorf("%s: login: %w", s.d.ip, s.b.die())
			}
			return nil
		}
	}
	o := e.options()
	o.CrashLimit = 3
	sum, err := rollout.Push(context.Background(), o)
	if !errors.Is(err, rollout.ErrBrowserCrashing) || errors.Is(err, rollout.ErrSomeFailed) {
		t.Fatalf("err = %v, want ErrBrowserCrashing only", err)
	}
	if sum.Counts.Failed != 0 || sum.Counts.Pending != 3 {
		t.Errorf("counts %+v, want 3 pending", sum.Counts)
	}
	for _, r := range sum.Devices {
		if !strings.Contains(r.Reason, "not attempted") || !strings.Contains(r.Reason, "fake browser") {
			t.Errorf("%s: %q, want not attempted, naming the crash", r.IP, r.Reason)
		}
	}
	if n := e.started(); n != 3 {
		t.Errorf("%d browsers started, want 3 (the limit)", n)
	}
	for _, d := range e.devs {
		if total, _, _ := e.db.LoginLedger().FailedLogins(context.Background(), "serial:"+d.serial); total != 0 {
			t.Errorf("%s: %d failed logins recorded", d.ip, total)
		}
	}
	if s := seamRunStatus(t, e.db, sum.RunID); s != inventory.RunInterrupted {
		t.Errorf("run journalled %q, want interrupted", s)
	}
}

// TestSeamStepErrorTyped: a failed device's error is a
// *drivers.StepError naming the device and the step (its FailedStep
// comes from it), and its reason names both once, whether the driver's
// error named the device (the first) or not (the second).
func TestSeamStepErrorTyped(t *testing.T) {
	e := newSeamEnv(t, "127.0.69.130", 131, 2)
	for i, d := range e.devs {
		d.on = func(ctx context.Context, s *seamSession, step string) error {
			if step != "read" {
				return nil
			}
			err := error(&drivers.FieldError{Page: "Email", Label: "SMTP Server"})
			if i == 0 {
				err = fmt.Errorf("%s: read: %w", s.d.ip, err)
			}
			return err
		}
	}
	sum, err := rollout.Push(context.Background(), e.options())
	if !errors.Is(err, rollout.ErrSomeFailed) {
		t.Fatal(err)
	}
	for _, d := range e.devs {
		r := pushByIP(sum)[d.ip]
		if r.FailedStep != inventory.StepRead || strings.Count(r.Reason, d.ip) != 1 || !strings.HasPrefix(r.Reason, d.ip+": read: ") {
			t.Errorf("%q at %q, want the device and the step named once", r.Reason, r.FailedStep)
		}
	}
}

// TestDiscoverInterrupted: Ctrl-C while `push --ip` discovers an
// address the inventory does not know (its SNMP agent never answers):
// the run stops with ErrInterrupted, nothing is touched.
func TestDiscoverInterrupted(t *testing.T) {
	e := newSeamEnv(t, "127.0.69.135", 136, 0)
	// A silent SNMP agent: it reads the requests and never answers.
	pc, err := net.ListenPacket("udp", "127.0.69.137:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	got := make(chan struct{}, 1)
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
			select {
			case got <- struct{}{}:
			default:
			}
		}
	}()
	e.cfg.Discovery.Port = pc.LocalAddr().(*net.UDPAddr).Port
	e.cfg.Discovery.Timeout = config.Duration{Duration: time.Minute}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-got
		cancel()
	}()
	o := e.options()
	o.Select = rollout.Selector{IPs: []string{"127.0.69.137"}}
	done := make(chan error, 1)
	go func() {
		_, err := rollout.Push(ctx, o)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, rollout.ErrInterrupted) || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want ErrInterrupted", err)
		}
	case <-time.After(45 * time.Second):
		t.Fatal("the discovery did not stop on Ctrl-C")
	}
	if e.started() != 0 {
		t.Errorf("a browser was started")
	}
}

// TestSeamSiteLabelsSpan: with [rollout] site_labels on, a push whose
// selection spans sites stops before any preflight or browser.
func TestSeamSiteLabelsSpan(t *testing.T) {
	e := newSeamEnv(t, "127.0.69.138", 139, 0)
	var ips []string
	for i, site := range []string{"north", "south"} {
		ip := fmt.Sprintf("127.0.69.%d", 139-i*2)
		dev := devices.Device{IP: ip, Vendor: "xerox", Model: "AltaLink C8070", Serial: fmt.Sprintf("SITE%d", i), Family: "xerox/connectkey", IsPrinter: true, Site: site}
		if _, _, err := e.db.UpsertDevice(context.Background(), dev, time.Now()); err != nil {
			t.Fatal(err)
		}
		ips = append(ips, ip)
	}
	e.cfg.Rollout.SiteLabels = true
	o := e.options()
	o.Select = rollout.Selector{IPs: ips}
	_, err := rollout.Push(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "spans sites") || e.started() != 0 || len(e.gm.AuthAttempts()) != 0 {
		t.Fatalf("err = %v, %d browsers, %d AUTH attempts; want a stop naming the sites before anything", err, e.started(), len(e.gm.AuthAttempts()))
	}
}
