// Package drivers automates printers' embedded web admins with a headless
// Chromium: it logs in, reads and writes the SMTP settings that
// scan-to-email needs for Gmail, triggers the device's own test e-mail and
// reads its result.
//
// A Driver knows one vendor's web admin. Drivers register themselves at
// init (like database/sql drivers; import drivers/all for every one) and
// are chosen from the device's SNMP identity with For. The work on one
// device happens in a Session, bound to one browser tab:
//
//	b, err := drivers.NewBrowser(ctx, drivers.BrowserOptions{...}) // once per run
//	defer b.Close()
//	sess, err := drivers.Open(ctx, b, drivers.Target{Address: ip, Device: dev, Certs: policy})
//	defer sess.Close()
//	used, err := drivers.LoginWithCandidates(ctx, sess, dev, configured, ledger, budget, retryDefaults)
//	defer sess.Logout(ctx) // always: some vendors allow one admin session at a time
//	cur, err := sess.ReadSMTP(ctx)
//	err = sess.WriteSMTP(ctx, drivers.GmailSettings("", account, appPassword, 587))
//	back, err := sess.ReadSMTP(ctx)
//	res, err := drivers.SendTest(ctx, sess, plusAddress) // ErrNoTestAction: written, unconfirmed
//
// Callers do not write that open/login/logout/close sequence themselves:
// Visit owns a session's life (the logout also after Ctrl-C).
//
// Capabilities that not every web admin has are optional interfaces found
// by type assertion on the Session: Tester (a test e-mail action),
// JobLogReader (the device's job log). What a driver knows about its
// vendor (families, factory logins, test action, lock-out) it declares
// in one Info value (info.go).
//
// The Browser is one Chromium for the whole run, started once; each
// device gets a tab, reused from the previous device of the same worker
// once that device's cookies, storage, headers and page are wiped (see
// Browser). Site isolation is off by default: every device is its own
// site, and a renderer process per device costs more than it protects
// between printer admin pages (BrowserOptions).
// Device certificates are trusted on first use (CertStore).
//
// Errors wrap the sentinel errors below; IsRetryable tells the ones a
// rollout may retry with backoff (ErrTransient, ErrBusy) from the ones it
// must not (a lock-out is never retried). A failure inside a browser step
// is a *StepError that names the saved screenshot and HTML excerpt, both
// scrubbed of passwords.
package drivers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
)

// Sentinel errors. Drivers wrap them (fmt.Errorf("...: %w", ErrX)) so that
// callers can test with errors.Is; the text around them names the device
// and the fix.
var (
	// ErrBadCredentials: the device rejected the user name or password.
	ErrBadCredentials = errors.New("admin login refused (wrong user or password)")
	// ErrLockedOut: the device refuses the administrator, whatever the
	// password (too many failed logins; usually until power-cycled).
	// Never retried.
	ErrLockedOut = errors.New("device refuses the administrator (locked out)")
	// ErrBusy: another administrator is logged in and the device allows
	// one admin session at a time. Retryable later.
	ErrBusy = errors.New("another administrator is logged in")
	// ErrUnsupported: no driver for this device, or this driver cannot do
	// the step on this model or firmware.
	ErrUnsupported = errors.New("not supported")
	// ErrCertChanged: the device's HTTPS certificate differs from the one
	// recorded at first contact. Never retried.
	ErrCertChanged = errors.New("device certificate changed")
	// ErrFieldNotFound: a field the driver needs is not on the page; the
	// *FieldError wrapping it says which label was looked for.
	ErrFieldNotFound = errors.New("field not found on the page")
	// ErrTransient: a time-out, a dropped session, a device that stopped
	// answering or is rebooting. Retryable with backoff.
	ErrTransient = errors.New("transient failure")
	// ErrTestFailed: the device ran its test e-mail and reported a failure
	// (the TestResult holds its own words).
	ErrTestFailed = errors.New("device test e-mail failed")
	// ErrNoTestAction: the device has no test e-mail action; settings are
	// written but unconfirmed until a scan to the test address arrives.
	ErrNoTestAction = errors.New("device has no test e-mail action")
	// ErrFirmware: the device's firmware cannot do what Gmail needs (no
	// SMTP encryption, TLS 1.0 only, a password field too short).
	ErrFirmware = errors.New("device firmware cannot reach Gmail")
	// ErrNoHTTPS: the device serves no HTTPS and plain HTTP is not allowed
	// for it (allow_http in the site's fleet.toml section).
	ErrNoHTTPS = errors.New("device has no HTTPS web admin")
	// ErrNoChromium: no Chromium binary was found.
	ErrNoChromium = errors.New("chromium not found")
)

// IsRetryable reports whether err is worth retrying later with backoff:
// transient failures and a busy admin session. A lock-out, bad
// credentials, a changed certificate, a missing field, unsupported models
// and firmware limits are not, even when wrapped together with a
// transient error.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	for _, fatal := range []error{ErrLockedOut, ErrBadCredentials, ErrCertChanged, ErrUnsupported,
		ErrFieldNotFound, ErrFirmware, ErrNoHTTPS, ErrNoChromium, ErrTestFailed, ErrNoTestAction} {
		if errors.Is(err, fatal) {
			return false
		}
	}
	return errors.Is(err, ErrTransient) || errors.Is(err, ErrBusy)
}

// FieldError says which field of which page was not found.
type FieldError struct {
	Page  string   // the page or dialog, e.g. "SMTP Security"
	Label string   // the label text looked for, e.g. "Outgoing SMTP Port Number"
	Names []string // the name/id first guesses
}

func (e *FieldError) Error() string {
	s := `no field labelled "` + e.Label + `"`
	if len(e.Names) > 0 {
		s += fmt.Sprintf(" (nor named %s)", strings.Join(e.Names, ", "))
	}
	if e.Page != "" {
		s += " on the " + e.Page + " page"
	}
	return s + ": " + ErrFieldNotFound.Error() + " (run `mfpfleet probe ADDRESS` and send us the output)"
}

// Unwrap makes errors.Is(err, ErrFieldNotFound) true.
func (e *FieldError) Unwrap() error { return ErrFieldNotFound }

// StepError is a failure inside a browser step, with the artifacts saved
// for it (screenshot with password fields masked, HTML excerpt with
// password values stripped). The paths are "" when nothing was saved.
type StepError struct {
	Address    string
	Step       string // "open", "login", "read", "write", "test", "logout", "probe"
	Err        error
	Screenshot string
	HTML       string
}

func (e *StepError) Error() string {
	s := e.Err.Error()
	if e.Address == "" || !strings.Contains(s, e.Address) { // else the cause names the device already
		s = e.Address + ": " + e.Step + ": " + s
	}
	var arts []string
	if e.Screenshot != "" {
		arts = append(arts, "screenshot "+e.Screenshot)
	}
	if e.HTML != "" {
		arts = append(arts, "html "+e.HTML)
	}
	if len(arts) > 0 {
		s += " (saved " + strings.Join(arts, ", ") + ")"
	}
	return s
}

// Unwrap returns the cause.
func (e *StepError) Unwrap() error { return e.Err }

// Credential is a web-admin login to try.
type Credential struct {
	User     string
	Password config.Secret
	// Kind says where it comes from, for the ledger, the audit and error
	// messages (never the password): KindConfigured, or the kind of the
	// driver's FactoryLogin it was made from.
	Kind string
	// Source describes a configured credential for messages, e.g.
	// `fleet.toml [[credentials]] address=10.1.0.7`.
	Source string
	// Text and Short are a factory login's wording as its driver
	// declares it (FactoryLogin.Text, .Short). Family.Credentials fills
	// them; a configured credential leaves them empty (see KindText).
	Text  string
	Short string
}

// KindConfigured is the kind of a credential from fleet.toml
// [[credentials]]. Every other kind is a factory login a driver declares
// (FactoryLogin.Kind).
const KindConfigured = "configured"

// Wording of KindConfigured for the audit (KindText).
const (
	ConfiguredText  = "the configured password"
	ConfiguredShort = "configured"
)

// IsDefault reports whether the credential is a vendor default rather
// than a configured one (a finding for the audit).
func (c Credential) IsDefault() bool { return IsDefaultKind(c.Kind) }

// IsDefaultKind reports whether a login kind is a factory login: any
// kind but KindConfigured and "".
func IsDefaultKind(kind string) bool { return kind != KindConfigured && kind != "" }

// KindText returns the wording of a login kind: the configured one's, or
// the declaring driver's (FactoryLogin.Text, .Short); the kind itself
// when no registered driver declares it.
func KindText(kind string) (text, short string) {
	if kind == KindConfigured {
		return ConfiguredText, ConfiguredShort
	}
	if l, ok := LoginByKind(kind); ok {
		return l.Text, l.Short
	}
	return kind, kind
}

// KindShort is the short wording of a login kind for tables ("default
// Admin/Admin", "configured"): KindText's short form ("" for "").
func KindShort(kind string) string {
	if kind == "" {
		return ""
	}
	_, short := KindText(kind)
	return short
}

// Describe names the credential for messages without its password.
func (c Credential) Describe() string {
	if c.Kind == KindConfigured {
		if c.Source != "" {
			return fmt.Sprintf("user %q from %s", c.User, c.Source)
		}
		return fmt.Sprintf("user %q from fleet.toml", c.User)
	}
	text := c.Text
	if text == "" && c.Kind != "" {
		if t, _ := KindText(c.Kind); t != c.Kind {
			text = t
		}
	}
	if text != "" {
		return fmt.Sprintf("user %q with %s", c.User, text)
	}
	return fmt.Sprintf("user %q (%s)", c.User, c.Kind)
}

// Security is an SMTP connection security mode.
type Security string

// Security modes. Gmail needs StartTLS on 587 or SSLTLS on 465;
// StartTLSIfAvailable (opportunistic, may fall back to plain text) is
// only ever read from a device, never written.
const (
	SecurityNone                Security = "none"
	SecurityStartTLS            Security = "starttls"
	SecurityStartTLSIfAvailable Security = "starttls-if-available"
	SecuritySSLTLS              Security = "ssl/tls"
)

// SMTPSettings is what a device's SMTP client is set to.
type SMTPSettings struct {
	Server   string
	Port     int
	Security Security
	Auth     bool // SMTP AUTH with User/Password
	User     string
	// Password is written when not empty. ReadSMTP leaves it empty: no
	// device shows it back.
	Password config.Secret
	// PasswordSet, from ReadSMTP, is true when the page shows that a
	// password is stored (masked dots); false when unknown or empty.
	PasswordSet bool
	From        string // device / From / reply address
}

// String prints the settings without the password.
func (s SMTPSettings) String() string {
	auth := "no auth"
	if s.Auth {
		auth = "auth as " + s.User
	}
	return fmt.Sprintf("%s:%d %s, %s, from %s", s.Server, s.Port, s.Security, auth, s.From)
}

// GmailSettings returns what a device needs for Gmail: smtp.gmail.com
// (or server when not empty), 587 with strict STARTTLS or 465 with
// SSL/TLS, AUTH on with the full address as user name and as From.
func GmailSettings(server, account string, appPassword config.Secret, port int) SMTPSettings {
	if server == "" {
		server = "smtp.gmail.com"
	}
	sec := SecurityStartTLS
	if port == 465 {
		sec = SecuritySSLTLS
	}
	return SMTPSettings{Server: server, Port: port, Security: sec, Auth: true, User: account, Password: appPassword, From: account}
}

// TestResult is the device's own verdict on its test e-mail.
type TestResult struct {
	OK      bool
	Message string // the device's words, e.g. "Email sent successfully" or "016-781 ..."
	Code    string // a fault code when the device gives one (VersaLink 016-781)
	JobID   string // when the device shows one
	At      time.Time
}

// JobEntry is one line of a device's job log.
type JobEntry struct {
	ID      string
	Type    string // "email", "test email", …
	To      string // recipient, when the log shows one
	Status  string // as the device writes it
	OK      bool
	Code    string
	Message string
	At      time.Time
}

// SessionInfo describes an open session.
type SessionInfo struct {
	Driver  string // registry name, "xerox"
	Family  string // confirmed from the page: "xerox/connectkey", …
	Address string
	BaseURL string // https://127.0.50.3 or http://…
	// CertSHA256 is the fingerprint (lower-case hex) of the HTTPS
	// certificate; "" over HTTP.
	CertSHA256 string
	// FirstContact is true when CertSHA256 was recorded by this session.
	FirstContact bool
}

// Session is a driver at work on one device, in one browser tab. Its
// methods are called from one goroutine; each takes a context whose
// deadline bounds the step.
//
// Errors: every method's errors wrap ErrTransient for time-outs, dropped
// sessions, devices that stop answering or reboot; *FieldError
// (ErrFieldNotFound) when the page lacks a field; ErrUnsupported when the
// family or firmware cannot do the step. Browser failures come as
// *StepError with the saved artifacts.
type Session interface {
	// Info describes the session (family confirmed from the page).
	Info() SessionInfo
	// Login logs in as the administrator. A wrong password wraps
	// ErrBadCredentials; a device refusing the admin whatever the
	// password wraps ErrLockedOut; another admin logged in wraps ErrBusy.
	// Use LoginWithCandidates rather than calling it in a loop.
	Login(ctx context.Context, c Credential) error
	// ReadSMTP reads the current SMTP settings (Password left empty).
	ReadSMTP(ctx context.Context) (SMTPSettings, error)
	// WriteSMTP writes s. A non-empty s.Password is saved (ticking "save
	// new password", filling the retype field). Security must be StartTLS
	// or SSLTLS or None; a device offering no encryption wraps ErrFirmware.
	WriteSMTP(ctx context.Context, s SMTPSettings) error
	// Logout ends the admin session. Always call it, also after errors:
	// some devices allow one admin session at a time.
	Logout(ctx context.Context) error
	// Close ends the session's tab (its device's cookies and storage
	// are wiped before the tab serves another device).
	Close() error
}

// Tester is a Session whose device has a test e-mail action.
type Tester interface {
	// SendTest triggers the device's test e-mail to `to` and returns the
	// device's own result. A failure the device reports returns the
	// result and an error wrapping ErrTestFailed.
	SendTest(ctx context.Context, to string) (TestResult, error)
}

// JobLogReader is a Session that can read the device's job log.
type JobLogReader interface {
	// ReadJobLog returns the job log entries newer than since, newest first.
	ReadJobLog(ctx context.Context, since time.Time) ([]JobEntry, error)
}

// ConnectionChecker is a Session whose device can check its SMTP
// connection (server, encryption, login) without sending mail, like the
// Fuji-Xerox-made "SMTP Server Connection Status". A passing check is the
// device's word only, never a confirmation: the settings stay unconfirmed
// until a message arrives. A failing check returns the result and an
// error wrapping ErrTestFailed (and ErrFirmware when the cause is the
// firmware's TLS).
type ConnectionChecker interface {
	CheckSMTPConnection(ctx context.Context) (TestResult, error)
}

// Defaulter is a Session that overrides the factory credentials of its
// family (Family.Credentials for the family the page confirmed, which
// LoginWithCandidates tries otherwise).
type Defaulter interface {
	DefaultCredentials() []Credential
}

// SendTest triggers sess's test e-mail when it has one. A session without
// a test action returns ErrNoTestAction in a message that says so
// plainly: the settings are written but unconfirmed until a scan to `to`
// arrives.
func SendTest(ctx context.Context, sess Session, to string) (TestResult, error) {
	if t, ok := sess.(Tester); ok {
		return t.SendTest(ctx, to)
	}
	info := sess.Info()
	return TestResult{}, fmt.Errorf("%s: test: %s web admin has no test e-mail action: the settings are written but unconfirmed until a scan to %s arrives (scan a page to that address, then run `mfpfleet test --wait`): %w",
		info.Address, info.Family, to, ErrNoTestAction)
}

// Driver knows one vendor's web admin.
type Driver interface {
	// Name is the registry name, lower-case (Info().Name).
	Name() string
	// Info declares what the driver knows: the vendors and badges it
	// handles, its web-admin families and each family's factory logins,
	// test action, lock-out, single session, limits. For, FamilyOf,
	// DefaultLogins and LockoutOf read it; the core reads nothing else
	// about a vendor.
	Info() Info
	// NewSession starts work on the device open in tab: it loads the
	// landing page and confirms the web-admin family from what it sees.
	// A device that turns out to be a family the driver cannot handle
	// wraps ErrUnsupported.
	NewSession(ctx context.Context, tab *Tab) (Session, error)
}

// Supports reports whether d handles dev, from its SNMP identity: its
// vendor or badge is one d's Info names, or its recorded family is one
// of d's families.
func Supports(d Driver, dev devices.Device) bool {
	in := d.Info()
	if in.Handles(dev) {
		return true
	}
	if dev.Family == "" {
		return false
	}
	for _, f := range in.Families {
		if f.ID == dev.Family {
			return true
		}
	}
	return false
}

var (
	regMu    sync.RWMutex
	registry = map[string]Driver{}
)

// Register makes a driver available. It panics on a nil driver, an empty
// name or a name registered twice. Call it from the driver's init.
func Register(d Driver) {
	if d == nil {
		panic("drivers: Register of a nil driver")
	}
	name := d.Name()
	if name == "" {
		panic("drivers: Register of a driver with an empty name")
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[name]; dup {
		panic("drivers: Register called twice for driver " + name)
	}
	registry[name] = d
}

// Names returns the registered drivers' names, sorted.
func Names() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the driver registered under name.
func Lookup(name string) (Driver, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	d, ok := registry[name]
	return d, ok
}

// For returns the driver for dev, chosen from its SNMP identity (see
// Supports). A family the driver declines (Family.Decline) and an
// unsupported or unknown vendor wrap ErrUnsupported with what to do.
func For(dev devices.Device) (Driver, error) {
	for _, n := range Names() {
		d, _ := Lookup(n)
		if Supports(d, dev) {
			if f, ok := familyOf(d, dev); ok && f.Decline != nil {
				if err := f.Decline(dev); err != nil {
					return nil, err
				}
			}
			return d, nil
		}
	}
	addr := dev.IP
	if addr == "" {
		addr = "ADDRESS"
	}
	what := dev.Vendor
	if what == "" {
		what = "this device (vendor unknown: " + describeIdentity(dev) + ")"
	}
	if len(Names()) > 0 && slices.Contains(Names(), dev.Vendor) {
		what = dev.Vendor + " " + dev.Model + " (" + dev.Family + ")"
	}
	return nil, fmt.Errorf("no driver for %s yet; run `mfpfleet probe %s` and send us the output: %w", what, addr, ErrUnsupported)
}

// familyOf returns the family of d that dev runs: its recorded family
// when d declares it, else the one d claims from the SNMP identity.
func familyOf(d Driver, dev devices.Device) (Family, bool) {
	in := d.Info()
	if dev.Family != "" {
		for _, f := range in.Families {
			if f.ID == dev.Family {
				return f, true
			}
		}
	}
	return in.Claim(dev)
}

// FamilyOf returns the declared family of dev: the family recorded for
// it (devices.Device.Family, from discovery or the page) when its driver
// declares it, else the one its driver claims from the SNMP identity.
// false when no driver handles dev or none of its families matches.
func FamilyOf(dev devices.Device) (Family, bool) {
	for _, n := range Names() {
		d, _ := Lookup(n)
		if Supports(d, dev) {
			return familyOf(d, dev)
		}
	}
	return Family{}, false
}

// ClaimFamily returns the id of the family whose driver claims dev from
// its SNMP identity (vendor, badge, model, firmware): what discovery
// records as devices.Device.Family. "" when no driver handles dev or
// none of its families matches (the page tells once a session opens).
func ClaimFamily(dev devices.Device) string {
	for _, n := range Names() {
		d, _ := Lookup(n)
		if in := d.Info(); in.Handles(dev) {
			if f, ok := in.Claim(dev); ok {
				return f.ID
			}
			return ""
		}
	}
	return ""
}

// DefaultLogins returns the factory logins dev's driver declares for its
// family, in order, as credentials (Family.Credentials), before any
// session: for the plan a push shows first. A device whose family is not
// known yet gets its driver's first family's logins (the page confirms
// the family when the session opens). nil when no driver handles dev.
func DefaultLogins(dev devices.Device) []Credential {
	for _, n := range Names() {
		d, _ := Lookup(n)
		if !Supports(d, dev) {
			continue
		}
		if f, ok := familyOf(d, dev); ok {
			return f.Credentials(dev)
		}
		if fs := d.Info().Families; len(fs) > 0 {
			return fs[0].Credentials(dev)
		}
		return nil
	}
	return nil
}

func describeIdentity(dev devices.Device) string {
	switch {
	case dev.SysDescr != "":
		return fmt.Sprintf("sysDescr %q", dev.SysDescr)
	case dev.SysObjectID != "":
		return "sysObjectID " + dev.SysObjectID
	}
	return "no SNMP identity; run `mfpfleet discover` first"
}

// Open opens a tab on t with the driver chosen for t.Device and starts a
// session. On error nothing stays open.
func Open(ctx context.Context, b Opener, t Target) (Session, error) {
	d, err := For(t.Device)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.Address, err)
	}
	tab, err := b.Open(ctx, t)
	if err != nil {
		return nil, err
	}
	s, err := d.NewSession(ctx, tab)
	if err != nil {
		tab.Close()
		return nil, err
	}
	return s, nil
}
