package drivers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
)

// fakeSession answers Login from a table: the admin password, a
// lock-out after n failures, or a fixed error. It stands in for a
// device only in these logic tests; the real flows run against the
// simulator in drivertest.
type fakeSession struct {
	password  string
	lockAfter int
	failed    int
	err       error
	tried     []string
	defaults  []Credential
}

func (f *fakeSession) Info() SessionInfo { return SessionInfo{Address: "127.0.50.200", Family: "fake"} }
func (f *fakeSession) Login(_ context.Context, c Credential) error {
	f.tried = append(f.tried, c.Kind+":"+c.User)
	if f.err != nil {
		return f.err
	}
	if f.lockAfter > 0 && f.failed >= f.lockAfter {
		return fmt.Errorf("locked: %w", ErrLockedOut)
	}
	if c.Password.Reveal() == f.password {
		return nil
	}
	f.failed++
	return fmt.Errorf("%s: %w", c.Describe(), ErrBadCredentials)
}
func (f *fakeSession) ReadSMTP(context.Context) (SMTPSettings, error) { return SMTPSettings{}, nil }
func (f *fakeSession) WriteSMTP(context.Context, SMTPSettings) error  { return nil }
func (f *fakeSession) Logout(context.Context) error                   { return nil }
func (f *fakeSession) Close() error                                   { return nil }
func (f *fakeSession) DefaultCredentials() []Credential               { return f.defaults }

// memLedger is an in-memory LoginLedger (the inventory's is tested in
// drivertest with SQLite).
type memLedger struct {
	rows []string // kind:user:ok
	fail map[string]int
}

func (m *memLedger) FailedLogins(_ context.Context, key string) (int, map[string]int, error) {
	by := map[string]int{}
	total := 0
	for k, n := range m.fail {
		if strings.HasPrefix(k, key+"|") {
			by[strings.TrimPrefix(k, key+"|")] += n
			total += n
		}
	}
	return total, by, nil
}

func (m *memLedger) RecordLoginAttempt(_ context.Context, key, kind, user string, ok bool, errText string) error {
	if m.fail == nil {
		m.fail = map[string]int{}
	}
	m.rows = append(m.rows, fmt.Sprintf("%s:%s:%v", kind, user, ok))
	if !ok {
		m.fail[key+"|"+kind]++
	}
	return nil
}

func defaults(serial string) []Credential {
	return []Credential{
		{User: "admin", Password: config.NewSecret("1111"), Kind: testKind1111},
		{User: "admin", Password: config.NewSecret(serial), Kind: testKindSerial},
	}
}

func TestLoginWithCandidates(t *testing.T) {
	dev := devices.Device{IP: "127.0.50.200", Serial: "SER123"}
	conf := []Credential{{User: "admin", Password: config.NewSecret("Conf-Pass-1"), Kind: KindConfigured, Source: "fleet.toml"}}
	ctx := context.Background()
	cases := []struct {
		name       string
		password   string
		configured []Credential
		budget     int
		wantKind   string
		wantTried  []string
		wantErr    error
	}{
		{"configured first", "Conf-Pass-1", conf, 2, KindConfigured, []string{"configured:admin"}, nil},
		{"default 1111", "1111", nil, 2, testKind1111, []string{"default-1111:admin"}, nil},
		{"serial after 1111", "SER123", nil, 2, testKindSerial, []string{"default-1111:admin", "default-serial:admin"}, nil},
		{"budget stops before the serial", "SER123", conf, 2, "", []string{"configured:admin", "default-1111:admin"}, ErrBadCredentials},
		{"budget 1", "1111", conf, 1, "", []string{"configured:admin"}, ErrBadCredentials},
		{"configured equal to a default is tried once", "nope", []Credential{{User: "admin", Password: config.NewSecret("1111"), Kind: KindConfigured}}, 5, "", []string{"configured:admin", "default-serial:admin"}, ErrBadCredentials},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &fakeSession{password: tc.password, defaults: defaults("SER123")}
			l := &memLedger{}
			used, err := LoginWithCandidates(ctx, s, dev, tc.configured, l, tc.budget, false)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if used.Kind != tc.wantKind {
				t.Errorf("used %q, want %q", used.Kind, tc.wantKind)
			}
			if strings.Join(s.tried, ",") != strings.Join(tc.wantTried, ",") {
				t.Errorf("tried %v, want %v", s.tried, tc.wantTried)
			}
			if len(l.rows) != len(s.tried) {
				t.Errorf("recorded %v for %d attempts", l.rows, len(s.tried))
			}
			if err != nil {
				for _, w := range []string{"127.0.50.200", "[[credentials]]", "password_env", "power-cycled"} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error lacks %q: %v", w, err)
					}
				}
				if strings.Contains(err.Error(), "Conf-Pass-1") || strings.Contains(err.Error(), "SER123\"") {
					t.Errorf("error shows a password: %v", err)
				}
			}
		})
	}
}

// TestLoginAcrossRuns: the ledger carries failures to the next run; a
// default that failed is not retried unless asked; nothing is tried once
// the budget is spent.
func TestLoginAcrossRuns(t *testing.T) {
	ctx := context.Background()
	dev := devices.Device{IP: "127.0.50.201", Serial: "SER9"}
	l := &memLedger{}
	s := &fakeSession{password: "unknown", defaults: defaults("SER9"), lockAfter: 3}
	// Run 1, budget 1: 1111 fails.
	if _, err := LoginWithCandidates(ctx, s, dev, nil, l, 1, false); !errors.Is(err, ErrBadCredentials) {
		t.Fatal(err)
	}
	// Run 2, budget 2: 1111 is skipped (failed before), the serial is tried.
	_, err := LoginWithCandidates(ctx, s, dev, nil, l, 2, false)
	if !errors.Is(err, ErrBadCredentials) || !strings.Contains(err.Error(), "skipped") || !strings.Contains(err.Error(), "--retry-defaults") {
		t.Fatalf("run 2: %v", err)
	}
	if got := strings.Join(s.tried, ","); got != "default-1111:admin,default-serial:admin" {
		t.Fatalf("tried %s", got)
	}
	// Run 3: budget spent, nothing tried, even with retryDefaults.
	_, err = LoginWithCandidates(ctx, s, dev, nil, l, 2, true)
	if !errors.Is(err, ErrBadCredentials) || !strings.Contains(err.Error(), "earlier runs") {
		t.Fatalf("run 3: %v", err)
	}
	if len(s.tried) != 2 || s.failed != 2 {
		t.Fatalf("run 3 tried again: %v", s.tried)
	}
	// retryDefaults with budget left retries 1111.
	s2 := &fakeSession{password: "1111", defaults: defaults("SER9")}
	used, err := LoginWithCandidates(ctx, s2, dev, nil, l, 3, true)
	if err != nil || used.Kind != testKind1111 {
		t.Fatalf("retry defaults: %v %v", used, err)
	}
}

func TestLoginStopsOnLockoutBusyTransient(t *testing.T) {
	ctx := context.Background()
	dev := devices.Device{IP: "127.0.50.202"}
	for _, tc := range []struct {
		name    string
		err     error
		counted int
	}{
		{"locked", fmt.Errorf("x: %w", ErrLockedOut), 1},
		{"busy", fmt.Errorf("x: %w", ErrBusy), 0},
		{"transient", fmt.Errorf("x: %w", ErrTransient), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &fakeSession{err: tc.err, defaults: defaults("S")}
			l := &memLedger{}
			_, err := LoginWithCandidates(ctx, s, dev, nil, l, 5, false)
			if !errors.Is(err, tc.err) && !errors.Is(err, errors.Unwrap(tc.err)) {
				t.Fatalf("err = %v", err)
			}
			if len(s.tried) != 1 {
				t.Errorf("tried %v, want one attempt", s.tried)
			}
			total, _, _ := l.FailedLogins(ctx, dev.Key())
			if total != tc.counted {
				t.Errorf("counted %d failures, want %d", total, tc.counted)
			}
		})
	}
}

type ledgerErr struct{ memLedger }

func (ledgerErr) RecordLoginAttempt(context.Context, string, string, string, bool, string) error {
	return errors.New("disk full")
}

func TestLoginStopsWhenLedgerFails(t *testing.T) {
	s := &fakeSession{password: "x", defaults: defaults("S")}
	_, err := LoginWithCandidates(context.Background(), s, devices.Device{IP: "127.0.50.203"}, nil, &ledgerErr{}, 5, false)
	if err == nil || !strings.Contains(err.Error(), "disk full") || len(s.tried) != 1 {
		t.Fatalf("err = %v, tried %v: want a stop after the unrecorded failure", err, s.tried)
	}
}

// prefLedger is a memLedger that knows which factory default worked on
// devices like the one logging in.
type prefLedger struct {
	memLedger
	kind string
}

func (p *prefLedger) PreferredDefault(context.Context, devices.Device) (string, error) {
	return p.kind, nil
}

func TestPreferDefault(t *testing.T) {
	conf := Credential{User: "ops", Password: config.NewSecret("x"), Kind: KindConfigured}
	other := Credential{User: "11111", Password: config.NewSecret("x-admin"), Kind: testKindOther}
	cands := append([]Credential{conf}, append(defaults("3TB1"), other)...)
	kinds := func(cs []Credential) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Kind)
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct{ prefer, want string }{
		{"", "configured,default-1111,default-serial,default-other"},
		{testKindSerial, "configured,default-serial,default-1111,default-other"},
		{testKindOther, "configured,default-other,default-1111,default-serial"},
		{testKind1111, "configured,default-1111,default-serial,default-other"},
		{"default-unknown", "configured,default-1111,default-serial,default-other"},
	} {
		if got := kinds(PreferDefault(cands, tc.prefer)); got != tc.want {
			t.Errorf("PreferDefault(%q) = %s, want %s", tc.prefer, got, tc.want)
		}
	}
}

// TestLoginPrefersWhatWorked: when the ledger knows that devices like
// this one took the serial, the serial is tried first and the device
// records no failed login; a configured password still comes first.
func TestLoginPrefersWhatWorked(t *testing.T) {
	ctx := context.Background()
	dev := devices.Device{IP: "127.0.50.210", Serial: "3TB210", Model: "AltaLink C8045"}
	s := &fakeSession{password: "3TB210", defaults: defaults("3TB210")}
	l := &prefLedger{kind: testKindSerial}
	used, err := LoginWithCandidates(ctx, s, dev, nil, l, 2, false)
	if err != nil || used.Kind != testKindSerial {
		t.Fatalf("used %q, %v", used.Kind, err)
	}
	if got := strings.Join(s.tried, ","); got != "default-serial:admin" || len(l.fail) != 0 {
		t.Errorf("tried %s, failures %v; want the serial alone", got, l.fail)
	}
	s = &fakeSession{password: "3TB210", defaults: defaults("3TB210")}
	conf := []Credential{{User: "ops", Password: config.NewSecret("wrong"), Kind: KindConfigured}}
	if _, err := LoginWithCandidates(ctx, s, dev, conf, &prefLedger{kind: testKindSerial}, 2, false); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.tried, ","); got != "configured:ops,default-serial:admin" {
		t.Errorf("tried %s", got)
	}
	// Without the ledger's knowledge: the driver's order.
	s = &fakeSession{password: "3TB210", defaults: defaults("3TB210")}
	if _, err := LoginWithCandidates(ctx, s, dev, nil, &memLedger{}, 2, false); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.tried, ","); got != "default-1111:admin,default-serial:admin" {
		t.Errorf("tried %s", got)
	}
}

// openStub declares a family whose factory state asks for no login
// (PasswordNone), like Lexmark's.
type openStub struct{ stubDriver }

func (openStub) Info() Info {
	return Info{Name: "zz-test-open", Vendors: []string{"vendor-open"}, Families: []Family{{ID: "zz-test-open/x",
		Logins: []FactoryLogin{{Kind: "zz-test-no-login", From: PasswordNone, Text: "no admin login at all", Short: "no login"}}}}}
}

// openSession is a device that asks for no login (open) or for the
// password.
type openSession struct {
	fakeSession
	open bool
}

func (o *openSession) Login(ctx context.Context, c Credential) error {
	if IsNoLogin(c) {
		o.tried = append(o.tried, c.Kind)
		if o.open {
			return nil
		}
		return fmt.Errorf("the device asks for a login: %w", ErrBadCredentials)
	}
	if o.open {
		o.tried = append(o.tried, c.Kind+":"+c.User)
		return nil
	}
	return o.fakeSession.Login(ctx, c)
}

// TestNoLoginEntry: a factory login that sends nothing (PasswordNone) is
// tried before the configured ones, records a success on an open device
// (so the audit sees the device open even with a password configured),
// and on a device that asks for a login is neither recorded nor counted
// against the budget.
func TestNoLoginEntry(t *testing.T) {
	Register(openStub{stubDriver{"zz-test-open", "vendor-open"}})
	ctx := context.Background()
	dev := devices.Device{IP: "127.0.50.201", Vendor: "vendor-open", Serial: "OPEN1"}
	noLogin := openStub{}.Info().Families[0].Credentials(dev)
	if len(noLogin) != 1 || !IsNoLogin(noLogin[0]) || noLogin[0].Password.Reveal() != "" {
		t.Fatalf("PasswordNone credentials: %+v", noLogin)
	}
	conf := []Credential{{User: "admin", Password: config.NewSecret("Conf-Pass-1"), Kind: KindConfigured, Source: "fleet.toml"}}

	s := &openSession{fakeSession: fakeSession{defaults: noLogin}, open: true}
	l := &memLedger{}
	used, err := LoginWithCandidates(ctx, s, dev, conf, l, 1, false)
	if err != nil || used.Kind != "zz-test-no-login" || strings.Join(s.tried, ",") != "zz-test-no-login" {
		t.Fatalf("open device: used %q, tried %v, err %v", used.Kind, s.tried, err)
	}
	if strings.Join(l.rows, ",") != "zz-test-no-login::true" {
		t.Errorf("open device: recorded %v", l.rows)
	}

	s = &openSession{fakeSession: fakeSession{password: "Other", defaults: noLogin}}
	l = &memLedger{}
	_, err = LoginWithCandidates(ctx, s, dev, conf, l, 1, false)
	if !errors.Is(err, ErrBadCredentials) || strings.Join(s.tried, ",") != "zz-test-no-login,configured:admin" {
		t.Fatalf("secured device: tried %v, err %v", s.tried, err)
	}
	if strings.Join(l.rows, ",") != "configured:admin:false" {
		t.Errorf("secured device: recorded %v, want only the configured attempt", l.rows)
	}
}

// Factory login kinds of a fake driver (the drivers package names none).
const (
	testKind1111   = "default-1111"
	testKindSerial = "default-serial"
	testKindOther  = "default-other"
)
