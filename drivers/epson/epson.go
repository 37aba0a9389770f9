// Package epson drives Epson Web Config, the web admin of Epson
// WorkForce, WorkForce Enterprise and EcoTank printers and MFPs (family
// "epson/webconfig").
//
// What it relies on as it is was confirmed by public tools that drive
// real devices and by Epson's guides (docs/vendors-others.md and
// docs/vendors-smtp-pages.md, "Epson"): the administrator logs in by
// posting INPUTT_USERNAME and INPUTT_PASSWORD to
// /PRESENTATION/ADVANCED/PASSWORD/SET; the factory user name is blank and
// the password is the serial number; settings pages are
// /PRESENTATION/ADVANCED/<SECTION>/TOP forms with a hidden
// INPUTT_SETUPTOKEN posted to …/SET, and a save answers "Setup complete";
// the mail server items are Authentication Method (Off / SMTP AUTH / POP
// before SMTP), Authenticated Account, Authenticated Password (at most 20
// characters), Sender's Email Address, SMTP Server Address, SMTP Server
// Port Number and Secure Connection (None / SSL/TLS / STARTTLS); current
// models force HTTPS.
//
// Guesses ([I]) that `mfpfleet probe` on a real device should settle:
// the e-mail section's path (NWS_MAIL_SERVER; the driver falls back to the
// "Basic" link under "Email Server") and its field names (the driver finds
// fields by their labels, names only as first tries), the wording of a
// wrong password, a lock-out and a busy administrator, the lock-out
// policy, that one administrator may be logged in at a time, the logout
// path, and the "Connection Test" page, a check that sends no e-mail: a
// push ends connection-tested, confirmed when a scan to the plus-address
// arrives.
package epson

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// Name is the driver's registry name.
const Name = "epson"

// FamilyWebConfig is the Epson Web Config family.
const FamilyWebConfig = "epson/webconfig"

// KindSerial is the factory login's kind: blank user, the serial number
// as password.
const KindSerial = "epson-serial"

// PasswordMax is the Authenticated Password's limit ([C] 0–20 ASCII): a
// 16-letter Gmail app password fits.
const PasswordMax = 20

// lockout is what the driver assumes after wrong admin passwords. [I]
// guess: no public source states Web Config's policy; the budget stays
// two below it.
var lockout = drivers.Lockout{After: 5, Until: "the printer is restarted (power-cycle)"}

var info = drivers.Info{
	Name:    Name,
	Maker:   "Epson",
	Vendors: who.Vendors,
	Families: []drivers.Family{{
		ID:    FamilyWebConfig,
		Name:  "Web Config",
		Match: isEpsonPrinter,
		Logins: []drivers.FactoryLogin{
			{Kind: KindSerial, User: "", From: drivers.PasswordSerial,
				Text: "the factory administrator password (blank user name, the serial number as password)", Short: "default serial"},
		},
		Test:          drivers.TestConnection,
		Lockout:       lockout,
		SingleSession: true, // [I] guess
		PasswordMax:   PasswordMax,
		Security:      []drivers.Security{drivers.SecurityStartTLS, drivers.SecuritySSLTLS},
		Confirmed: "login (POST /PRESENTATION/ADVANCED/PASSWORD/SET, INPUTT_USERNAME/INPUTT_PASSWORD), the factory password (blank user, the serial), " +
			"the <SECTION>/TOP → SET pattern with INPUTT_SETUPTOKEN and \"Setup complete\", the mail server labels and choices and the 20-character " +
			"password are confirmed (a public script, Epson's guides); the e-mail section's path and field names, the wording of refused logins, " +
			"the lock-out policy, the single admin session, the logout path and the Connection Test page are guesses (run `mfpfleet probe` on a real device)",
	}},
}

// isEpsonPrinter: every Epson printer or MFP with a network interface
// runs Web Config (scanners behind a scan server are not printers and
// never reach a driver).
func isEpsonPrinter(dev devices.Device) bool { return who.Handles(dev) }

// who: the vendor slug identification reports for Epson (no OEM badges
// run Web Config).
var who = drivers.Info{Vendors: []string{"epson"}}

// Driver is the Epson driver. It remembers, per model, where the e-mail
// page was found.
type Driver struct {
	pages sync.Map // model → path of the mail server page
}

var (
	_ drivers.Driver   = (*Driver)(nil)
	_ drivers.Informer = (*Driver)(nil)
)

func init() { drivers.Register(&Driver{}) }

// Name implements drivers.Driver.
func (*Driver) Name() string { return Name }

// Info implements drivers.Informer.
func (*Driver) Info() drivers.Info { return info }

// Paths of Web Config. [C]: the login's SET; [I] guesses: the rest.
const (
	pathLogin  = "/PRESENTATION/ADVANCED/PASSWORD/TOP"
	pathLogout = "/PRESENTATION/ADVANCED/PASSWORD/LOGOUT"
	pathTop    = "/PRESENTATION/ADVANCED/COMMON/TOP"
	pathMail   = "/PRESENTATION/ADVANCED/NWS_MAIL_SERVER/TOP"
	pathTest   = "/PRESENTATION/ADVANCED/NWS_MAIL_CONNECT/TOP"
)

// NewSession implements drivers.Driver: it loads "/" and confirms Web
// Config from the /PRESENTATION/ path it lands on.
func (d *Driver) NewSession(ctx context.Context, tab *drivers.Tab) (drivers.Session, error) {
	s := &session{tab: tab, dev: tab.Device(), drv: d, log: tab.Logger().With("driver", Name)}
	if err := s.detect(ctx); err != nil {
		return nil, tab.Fail(ctx, "open", err)
	}
	return s, nil
}

type session struct {
	tab *drivers.Tab
	dev devices.Device
	drv *Driver
	log *slog.Logger
	// attempted: a login was sent, so Logout runs even if its answer was
	// lost (one admin session at a time: never leave one open).
	attempted bool
	loggedIn  bool
}

var (
	_ drivers.ConnectionChecker = (*session)(nil)
	_ drivers.Prober            = (*session)(nil)
)

func (s *session) detect(ctx context.Context) error {
	pg, err := s.tab.Navigate(ctx, "/")
	if err != nil {
		return err
	}
	if pg.Status >= 500 {
		return fmt.Errorf("the web admin answers HTTP %d: %w", pg.Status, drivers.ErrTransient)
	}
	var path string
	if err := s.tab.Eval(ctx, "look at the top page", `location.pathname`, &path); err != nil {
		return err
	}
	if !strings.HasPrefix(strings.ToUpper(path), "/PRESENTATION/") {
		return fmt.Errorf("the landing page %s is not Epson Web Config's (/PRESENTATION/…); run `mfpfleet probe %s` and send us the output: %w",
			path, s.tab.Address(), drivers.ErrUnsupported)
	}
	return nil
}

// Info implements drivers.Session.
func (s *session) Info() drivers.SessionInfo {
	return drivers.SessionInfo{Driver: Name, Family: FamilyWebConfig, Address: s.tab.Address(), BaseURL: s.tab.BaseURL(),
		CertSHA256: s.tab.CertSHA256(), FirstContact: s.tab.FirstContact()}
}

// Close implements drivers.Session.
func (s *session) Close() error { return s.tab.Close() }

func (s *session) fail(ctx context.Context, step string, err error) error {
	if err == nil {
		return nil
	}
	return s.tab.Fail(ctx, step, err)
}

// Login fields ([C] names).
var (
	fUser = drivers.Field{Key: "user", Labels: []string{"User Name"}, Names: []string{"INPUTT_USERNAME"}, Type: "text", Optional: true}
	fPass = drivers.Field{Key: "password", Labels: []string{"Current password", "Password"}, Names: []string{"INPUTT_PASSWORD"}, Type: "password"}
	// loginBox tells the login form from a settings page by the box's
	// [C] name only ("Authenticated Password" would match fPass's label).
	loginBox = drivers.FieldPresentJS(drivers.Field{Key: "password", Names: []string{"INPUTT_PASSWORD"}, Type: "password"})
)

var (
	reLocked = regexp.MustCompile(`(?i)locked|lockout|lock-out|restricted|too many (failed )?(login|log-in)`)
	reBusy   = regexp.MustCompile(`(?i)another (user|administrator|admin)|already logged in|currently logged in|in use by`)
	reLogout = `Array.from(document.querySelectorAll("a[href]")).some(a => /LOGOUT/i.test(a.getAttribute("href")) || /^\s*(administrator\s+)?log\s?-?out\s*$/i.test(a.textContent))`
)

// Login implements drivers.Session: the Administrator Login form, OK;
// success is the page with "Administrator Logout".
func (s *session) Login(ctx context.Context, c drivers.Credential) error {
	s.tab.AddSecretValue(c.Password)
	if _, err := s.tab.NavigateSettled(ctx, pathLogin, nil, drivers.FieldPresentJS(fPass)); err != nil {
		return s.fail(ctx, "login", err)
	}
	if _, err := s.tab.Fill(ctx, "login", drivers.FieldValue{Field: fUser, Value: c.User}, drivers.SecretValue(fPass, c.Password)); err != nil {
		return s.fail(ctx, "login", err)
	}
	s.attempted = true
	near := fPass
	if err := s.tab.SubmitAndWait(ctx, "login", &near, []string{"OK", "Login", "Log In"}, nil, ""); err != nil {
		return s.fail(ctx, "login", err)
	}
	var st struct {
		Logout bool   `json:"logout"`
		Form   bool   `json:"form"`
		Text   string `json:"text"`
	}
	if err := s.tab.Eval(ctx, "read the login result", `({logout: `+reLogout+`,
  form: `+loginBox+`,
  text: document.body ? document.body.innerText : ""})`, &st); err != nil {
		return s.fail(ctx, "login", err)
	}
	if st.Logout && !st.Form {
		s.loggedIn = true
		return nil
	}
	text := s.tab.Scrub(st.Text)
	var err error
	switch {
	case reBusy.MatchString(text):
		s.attempted = false // nothing of ours is open
		err = fmt.Errorf("the device says %q: Web Config lets one administrator in at a time (a browser, another tool, or a run that was killed before it logged out); the device ends an idle admin session after a few minutes, so try again later: %w",
			firstLine(text, reBusy), drivers.ErrBusy)
	case reLocked.MatchString(text):
		err = fmt.Errorf("%s: the device says %q: %w", c.Describe(), firstLine(text, reLocked), drivers.ErrLockedOut)
	default:
		s.attempted = false
		err = fmt.Errorf("%s: %w", c.Describe(), drivers.ErrBadCredentials)
	}
	return s.fail(ctx, "login", err)
}

// Logout implements drivers.Session: the Administrator Logout page,
// whenever a login was sent.
func (s *session) Logout(ctx context.Context) error {
	if !s.loggedIn && !s.attempted {
		return nil
	}
	s.loggedIn, s.attempted = false, false
	if _, err := s.tab.Navigate(ctx, pathLogout); err != nil {
		return fmt.Errorf("%s: logout: %w (the admin session stays open until the device times it out)", s.tab.Address(), err)
	}
	return nil
}

func firstLine(text string, re *regexp.Regexp) string {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && re.MatchString(l) {
			if len(l) > 200 {
				l = l[:200]
			}
			return l
		}
	}
	return ""
}

// The mail server page's fields: labels [C] (Epson's guides), names [I]
// guesses.
var (
	fAuth     = drivers.Field{Key: "auth", Labels: []string{"Authentication Method"}, Names: []string{"SEL_AUTHMETHOD"}, Type: "select", Optional: true}
	fAccount  = drivers.Field{Key: "login", Labels: []string{"Authenticated Account"}, Names: []string{"INPUTT_AUTHACCOUNT"}, Type: "text", Optional: true}
	fPW       = drivers.Field{Key: "pw", Labels: []string{"Authenticated Password"}, Names: []string{"INPUTT_AUTHPASSWORD"}, Type: "password", Optional: true}
	fFrom     = drivers.Field{Key: "from", Labels: []string{"Sender's Email Address", "Sender's E-mail Address", "Sender Email Address"}, Names: []string{"INPUTT_SENDERADDRESS"}, Type: "text", Optional: true}
	fServer   = drivers.Field{Key: "server", Labels: []string{"SMTP Server Address"}, Names: []string{"INPUTT_SMTPSERVER"}, Type: "text"}
	fPort     = drivers.Field{Key: "port", Labels: []string{"SMTP Server Port Number", "SMTP Server Port"}, Names: []string{"INPUTT_SMTPPORT"}, Type: "text"}
	fSecurity = drivers.Field{Key: "security", Labels: []string{"Secure Connection"}, Names: []string{"SEL_SECURECONNECTION"}, Type: "select", Optional: true}
)

var mailFields = []drivers.Field{fAuth, fAccount, fPW, fFrom, fServer, fPort, fSecurity}

// openMail opens the mail server page: the path remembered for this
// model, else the guessed NWS_MAIL_SERVER, else the "Basic" link under
// "Email Server" on the top page.
func (s *session) openMail(ctx context.Context) error {
	if !s.loggedIn {
		return fmt.Errorf("not logged in: %w", drivers.ErrTransient)
	}
	var tries []string
	if v, ok := s.drv.pages.Load(s.dev.Model); ok {
		tries = append(tries, v.(string))
	}
	if len(tries) == 0 || tries[0] != pathMail {
		tries = append(tries, pathMail)
	}
	for _, p := range tries {
		ok, err := s.openAndCheck(ctx, p)
		if err != nil {
			return err
		}
		if ok {
			s.remember(p)
			return nil
		}
	}
	if _, err := s.openAndCheck(ctx, pathTop); err != nil {
		return err
	}
	l, err := s.tab.FindLink(ctx, "Web Config", []string{"Basic", "Email Server", "Mail Server"}, nil)
	if err != nil {
		return fmt.Errorf("no Email Server page found (tried %s, then the Email Server > Basic link of %s): %w", strings.Join(tries, ", "), pathTop, err)
	}
	ok, err := s.openAndCheck(ctx, l.Href)
	if err != nil {
		return err
	}
	if !ok {
		return &drivers.FieldError{Page: "Email Server", Label: fServer.Labels[0], Names: fServer.Names}
	}
	s.remember(drivers.URLPath(l.Href))
	return nil
}

func (s *session) remember(p string) {
	if s.dev.Model != "" {
		s.drv.pages.Store(s.dev.Model, p)
	}
}

// openAndCheck loads p and reports whether it is the mail server page.
// Landing on the login form means the device ended the admin session:
// ErrTransient.
func (s *session) openAndCheck(ctx context.Context, p string) (bool, error) {
	pg, err := s.tab.Navigate(ctx, p)
	if err != nil {
		return false, err
	}
	if pg.Status == 404 {
		return false, nil
	}
	if pg.Status >= 500 {
		return false, fmt.Errorf("%s answers HTTP %d: %w", p, pg.Status, drivers.ErrTransient)
	}
	if err := s.sessionGone(ctx); err != nil {
		return false, err
	}
	var has bool
	if err := s.tab.Eval(ctx, "look for the SMTP server field", drivers.FieldPresentJS(fServer), &has); err != nil {
		return false, err
	}
	return has, nil
}

// sessionGone reports ErrTransient when the tab shows the login form or
// no Administrator Logout: the device ended the admin session (time-out,
// restart, someone logged it out).
func (s *session) sessionGone(ctx context.Context) error {
	var st struct {
		Logout bool `json:"logout"`
		Form   bool `json:"form"`
	}
	if err := s.tab.Eval(ctx, "am I still logged in", `({logout: `+reLogout+`, form: `+loginBox+`})`, &st); err != nil {
		return err
	}
	if st.Form || !st.Logout {
		s.loggedIn = false
		return fmt.Errorf("the device ended the admin session (the page asks for the administrator password again): %w", drivers.ErrTransient)
	}
	return nil
}

// ReadSMTP implements drivers.Session.
func (s *session) ReadSMTP(ctx context.Context) (drivers.SMTPSettings, error) {
	if err := s.openMail(ctx); err != nil {
		return drivers.SMTPSettings{}, s.fail(ctx, "read", err)
	}
	st, err := s.tab.Read(ctx, "Email Server", mailFields...)
	if err != nil {
		return drivers.SMTPSettings{}, s.fail(ctx, "read", err)
	}
	var out drivers.SMTPSettings
	out.Server = strings.TrimSpace(st["server"].Value)
	out.Port, _ = strconv.Atoi(strings.TrimSpace(st["port"].Value))
	out.From = strings.TrimSpace(st["from"].Value)
	out.Security = drivers.SecurityNone
	if f := st["security"]; f.Found {
		out.Security = drivers.ParseSecurity(f.Value)
	}
	out.Auth = st["auth"].Found && isSMTPAuth(st["auth"].Value)
	out.User = strings.TrimSpace(st["login"].Value)
	out.PasswordSet = st["pw"].HasValue
	return out, nil
}

// isSMTPAuth: "SMTP AUTH" (not "Off", not "POP before SMTP").
func isSMTPAuth(v string) bool {
	n := strings.ToLower(strings.Join(strings.Fields(v), " "))
	return strings.Contains(n, "smtp") && strings.Contains(n, "auth") && !strings.Contains(n, "pop")
}

// authOption picks the Authentication Method choice: "SMTP AUTH" on,
// "Off" off (never "POP before SMTP", which cannot be encrypted).
func authOption(options []string, on bool) (string, error) {
	for _, o := range options {
		if on && isSMTPAuth(o) {
			return o, nil
		}
	}
	if !on {
		return drivers.AuthOption(options, false)
	}
	return "", fmt.Errorf("the Authentication Method offers no SMTP AUTH (options: %s): this firmware cannot log in to Gmail: %w; update the firmware or use a local relay",
		strings.Join(options, ", "), drivers.ErrFirmware)
}

var reSaveErr = regexp.MustCompile(`(?i)enter \d+ to \d+|not valid|invalid|cannot be used|expired|error|failed`)

// WriteSMTP implements drivers.Session: the mail server page's items,
// then OK; "Setup complete" is success.
func (s *session) WriteSMTP(ctx context.Context, w drivers.SMTPSettings) error {
	if err := drivers.CheckSettings(w); err != nil {
		return s.fail(ctx, "write", err)
	}
	s.tab.AddSecretValue(w.Password)
	if err := s.openMail(ctx); err != nil {
		return s.fail(ctx, "write", err)
	}
	st, err := s.tab.Read(ctx, "Email Server", fAuth, fAccount, fPW, fSecurity, fFrom)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	vals := []drivers.FieldValue{{Field: fServer, Value: w.Server}, {Field: fPort, Value: strconv.Itoa(w.Port)}}
	if w.From != "" {
		if !st["from"].Found {
			return s.fail(ctx, "write", &drivers.FieldError{Page: "Email Server", Label: fFrom.Labels[0], Names: fFrom.Names})
		}
		vals = append(vals, drivers.FieldValue{Field: fFrom, Value: w.From})
	}
	if !st["security"].Found {
		if w.Security != drivers.SecurityNone {
			return s.fail(ctx, "write", fmt.Errorf("the Email Server page has no \"Secure Connection\" item: this firmware cannot encrypt mail (no SSL/TLS, no STARTTLS), and Gmail requires STARTTLS on 587 or SSL/TLS on 465: %w; update the firmware or use a local relay", drivers.ErrFirmware))
		}
	} else {
		opt, err := drivers.SecurityOption(st["security"].Options, w.Security)
		if err != nil {
			return s.fail(ctx, "write", err)
		}
		vals = append(vals, drivers.FieldValue{Field: fSecurity, Value: opt})
	}
	if !st["auth"].Found {
		if w.Auth {
			return s.fail(ctx, "write", fmt.Errorf("the Email Server page has no \"Authentication Method\" item: this firmware cannot log in to Gmail (no SMTP AUTH): %w; update the firmware or use a local relay", drivers.ErrFirmware))
		}
	} else {
		v, err := authOption(st["auth"].Options, w.Auth)
		if err != nil {
			return s.fail(ctx, "write", err)
		}
		vals = append(vals, drivers.FieldValue{Field: fAuth, Value: v})
	}
	if w.Auth {
		if !st["login"].Found || !st["pw"].Found {
			return s.fail(ctx, "write", fmt.Errorf("the Email Server page has SMTP AUTH but no \"Authenticated Account\"/\"Authenticated Password\": %w", drivers.ErrFirmware))
		}
		mx := st["pw"].MaxLength
		if mx <= 0 {
			mx = PasswordMax
		}
		if n := len(w.Password.Reveal()); n > mx {
			return s.fail(ctx, "write", fmt.Errorf("the Authenticated Password item takes at most %d characters, the password has %d (a Gmail app password has 16): %w", mx, n, drivers.ErrFirmware))
		}
		vals = append(vals, drivers.FieldValue{Field: fAccount, Value: w.User})
		if !w.Password.Empty() {
			vals = append(vals, drivers.SecretValue(fPW, w.Password))
		}
	}
	if _, err := s.tab.Fill(ctx, "Email Server", vals...); err != nil {
		return s.fail(ctx, "write", err)
	}
	near := fServer
	if err := s.tab.SubmitAndWait(ctx, "Email Server", &near, []string{"OK", "Apply", "Save"}, nil, ""); err != nil {
		return s.fail(ctx, "write", err)
	}
	text, err := s.tab.Text(ctx)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	if strings.Contains(text, "Setup complete") {
		return nil
	}
	if err := s.sessionGone(ctx); err != nil {
		return s.fail(ctx, "write", fmt.Errorf("while saving: %w; nothing was saved", err))
	}
	if m := firstLine(text, reSaveErr); m != "" {
		err := fmt.Errorf("the device refused the Email Server settings: %q", s.tab.Scrub(m))
		if strings.Contains(strings.ToLower(m), "expired") {
			err = fmt.Errorf("%w: %w", err, drivers.ErrTransient)
		}
		return s.fail(ctx, "write", err)
	}
	return s.fail(ctx, "write", fmt.Errorf("the device did not answer \"Setup complete\" to the Email Server settings; run `mfpfleet probe %s --login` and send us the output", s.tab.Address()))
}

// OpenSMTPPage implements drivers.Prober: the mail server page, as
// WriteSMTP finds it.
func (s *session) OpenSMTPPage(ctx context.Context) error { return s.openMail(ctx) }

var (
	reTestOK   = regexp.MustCompile(`(?i)connection test was successful|test (was )?successful|succeeded`)
	reTestFail = regexp.MustCompile(`(?i)connection test failed|failed|error|could not|cannot`)
	reTLSFault = regexp.MustCompile(`(?i)protocol version|tls|ssl|handshake`)
)

// CheckSMTPConnection implements drivers.ConnectionChecker: Email Server
// > Connection Test, Start. [I] guess: it connects, secures and logs in
// without sending mail.
func (s *session) CheckSMTPConnection(ctx context.Context) (drivers.TestResult, error) {
	if !s.loggedIn {
		return drivers.TestResult{}, s.fail(ctx, "test", fmt.Errorf("not logged in: %w", drivers.ErrTransient))
	}
	if _, err := s.tab.Navigate(ctx, pathTest); err != nil {
		return drivers.TestResult{}, s.fail(ctx, "test", err)
	}
	if err := s.sessionGone(ctx); err != nil {
		return drivers.TestResult{}, s.fail(ctx, "test", err)
	}
	if err := s.tab.SubmitAndWait(ctx, "Connection Test", nil, []string{"Start", "Check", "Test"}, nil, ""); err != nil {
		return drivers.TestResult{}, s.fail(ctx, "test", err)
	}
	wctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	text, err := s.tab.WaitText(wctx, "wait for the connection test's result", func(t string) bool {
		return reTestOK.MatchString(t) || reTestFail.MatchString(t)
	})
	cancel()
	if err != nil {
		return drivers.TestResult{}, s.fail(ctx, "test", err)
	}
	text = s.tab.Scrub(text)
	r := drivers.TestResult{At: time.Now()}
	if m := firstLine(text, reTestOK); m != "" {
		r.OK, r.Message = true, m
		return r, nil
	}
	r.Message = firstLine(text, reTestFail)
	err = fmt.Errorf("the device's connection test failed: %q: %w", r.Message, drivers.ErrTestFailed)
	if reTLSFault.MatchString(r.Message) && !strings.Contains(r.Message, "535") {
		err = fmt.Errorf("%w (the printer's mail client cannot speak the TLS Gmail needs: update the firmware): %w", err, drivers.ErrFirmware)
	}
	return r, err
}
