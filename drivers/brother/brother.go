// Package brother drives Brother's Web Based Management (WBM), the web
// admin of Brother's networked printers and MFPs.
//
// Confirmed ([C], docs: vendors-smtp-pages.md, vendors-others.md; public
// scripts written against real devices and Brother's FAQ): the login is
// GET /general/status.html (it sets a cookie) and a POST of the password
// box's name — a generated B-code (B12a1 on the MFC-L3750CDW), read from
// <input type="password" id="LogBox"> — with loginurl back to the same
// page; a good login is the AuthCookie cookie. The login asks only a
// password. The factory password is printed on the device's label
// ("Pwd") on current models, initpass on older ones, access on the
// oldest. Settings forms carry a CSRFToken and a numeric pageid; a
// refusal shows as page text ("rejected"). Pages live under
// /general/, /net/net/ (protocol.html), /net/security/.
//
// The label password can be derived from the serial (CVE-2024-51978) and
// the serial is readable without a login (CVE-2024-51977). mfpfleet never
// computes it: the technician supplies it (fleet.toml [[credentials]] or
// the label-password file), and the audit flags devices still on it.
//
// Guessed ([I], settle with `mfpfleet probe`): the SMTP "Advanced
// Settings" page's path and B-codes (found here by their labels: "Server
// Address", "SMTP Port", "Server Authentication Method", "SMTP-AUTH
// Account Name", "Account Password", "SSL/TLS" None / SSL / TLS where TLS
// is STARTTLS, "Verify Server Certificate", "Device E-mail Address"),
// "Test Send E-mail Configuration" and its result, the logout, the
// lock-out.
package brother

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// Name is the driver's registry name.
const Name = "brother"

// FamilyWBM is Brother's Web Based Management.
const FamilyWBM = "brother/wbm"

// Factory login kinds (inventory, ledger, audit): the audit flags a
// device still on any of them as a default admin password, the label
// password included (derivable from the serial, CVE-2024-51978).
const (
	KindLabel    = "default-brother-label"
	KindInitpass = "default-brother-initpass"
	KindAccess   = "default-brother-access"
)

// passwordMax is the Account Password field's length when the page does
// not say ([I] guess; the page's maxlength decides).
const passwordMax = 64

// Driver is the Brother driver.
type Driver struct{}

var (
	_ drivers.Driver   = (*Driver)(nil)
	_ drivers.Informer = (*Driver)(nil)
)

func init() { drivers.Register(&Driver{}) }

// lockout: [I] guess: Brother's newer firmware limits login attempts;
// the count and what clears it are not known, so mfpfleet assumes a small
// count cleared by turning the machine off and on, and spends at most the
// login budget below it.
var lockout = drivers.Lockout{After: 5, Until: "the machine is turned off and on"}

var info = drivers.Info{
	Name:    Name,
	Maker:   "Brother",
	Vendors: []string{"brother"},
	Families: []drivers.Family{{
		ID:    FamilyWBM,
		Name:  "Web Based Management",
		Match: isBrother,
		Logins: []drivers.FactoryLogin{
			{
				Kind: KindLabel, From: drivers.PasswordLabel,
				Text:  "the password printed on the device's label (\"Pwd\"), derivable from its serial (CVE-2024-51978)",
				Short: "label Pwd",
			},
			{
				Kind: KindInitpass, From: drivers.PasswordFixed, Password: "initpass",
				Text:  "the Brother factory default password (initpass)",
				Short: "default initpass",
			},
			{
				Kind: KindAccess, From: drivers.PasswordFixed, Password: "access",
				Text:  "the old Brother factory default password (access)",
				Short: "default access",
			},
		},
		Test:          drivers.TestEmail,
		Lockout:       lockout,
		SingleSession: false, // [I] not known to refuse a second admin session
		PasswordMax:   passwordMax,
		Security:      []drivers.Security{drivers.SecurityNone, drivers.SecuritySSLTLS, drivers.SecurityStartTLS},
		Confirmed: "login (status.html, the generated password-box name, AuthCookie), the factory passwords (label Pwd, initpass, access), CSRFToken/pageid forms and 'rejected' refusals are confirmed; " +
			"the SMTP Advanced Settings page's path and B-codes, Test Send E-mail, logout and lock-out are guesses found by label",
	}},
}

// Info implements drivers.Informer.
func (*Driver) Info() drivers.Info { return info }

// Name implements drivers.Driver.
func (*Driver) Name() string { return Name }

// isBrother reports whether dev runs Brother's WBM: identification names
// the vendor from the enterprise (2435) and from sysDescr, also when
// sysDescr names only the NC-xxxx print server.
func isBrother(dev devices.Device) bool {
	return strings.EqualFold(strings.TrimSpace(dev.Vendor), "brother") || strings.EqualFold(strings.TrimSpace(dev.Brand), "brother") || dev.Family == FamilyWBM ||
		strings.HasPrefix(strings.TrimPrefix(dev.SysObjectID, "."), "1.3.6.1.4.1.2435.")
}

// Supports implements drivers.Driver.
func (*Driver) Supports(dev devices.Device) bool { return isBrother(dev) }

// Paths.
const (
	statusPage   = "/general/status.html"   // [C]
	protocolPage = "/net/net/protocol.html" // [C] exists
	smtpPage     = "/net/net/smtp.html"     // [I] guess: SMTP → Advanced Settings
)

// NewSession implements drivers.Driver: it loads the status page and
// confirms WBM from its login box (or, logged in already, its tabs).
func (d *Driver) NewSession(ctx context.Context, tab *drivers.Tab) (drivers.Session, error) {
	s := &session{tab: tab, dev: tab.Device(), log: tab.Logger().With("driver", Name)}
	if err := s.detect(ctx); err != nil {
		return nil, tab.Fail(ctx, "open", err)
	}
	return s, nil
}

type session struct {
	tab *drivers.Tab
	dev devices.Device
	log *slog.Logger
	in  bool
}

var (
	_ drivers.Session   = (*session)(nil)
	_ drivers.Defaulter = (*session)(nil)
	_ drivers.Tester    = (*session)(nil)
	_ drivers.Prober    = (*session)(nil)
)

// Login box ([C]: id LogBox, a generated name).
var fLogin = drivers.Field{Key: "password", Labels: []string{"Login", "Password"}, Names: []string{"LogBox", "B12a1"}, Type: "password"}

// loggedInJS is true on a page of a logged-in session: a Logout control
// and no login box.
const loggedInJS = `(() => { const out = [...document.querySelectorAll('input[type=submit],button,a')].some(e => /^\s*log ?out\s*$/i.test(e.value || e.textContent || ""));
  return out && !document.querySelector('#LogBox'); })()`

func (s *session) detect(ctx context.Context) error {
	pg, err := s.tab.Navigate(ctx, statusPage)
	if err != nil {
		return err
	}
	if pg.Status >= 500 {
		return fmt.Errorf("the web admin answers HTTP %d: %w", pg.Status, drivers.ErrTransient)
	}
	if err := s.tab.WaitSettled(ctx, "load the status page", `!!document.body`); err != nil {
		return err
	}
	var look struct {
		Login bool `json:"login"`
		In    bool `json:"in"`
	}
	js := `({login: !!document.querySelector('#LogBox, form input[type=password]'), in: ` + loggedInJS + `})`
	if err := s.tab.Eval(ctx, "look at the status page", js, &look); err != nil {
		return err
	}
	if pg.Status == 404 || (!look.Login && !look.In) {
		return fmt.Errorf("%s is not Brother Web Based Management (HTTP %d, no login box): older Brother print servers have another web page, which this driver does not know; set SMTP by hand or run `mfpfleet probe %s` and send us the output: %w",
			statusPage, pg.Status, s.tab.Address(), drivers.ErrUnsupported)
	}
	return nil
}

// Info implements drivers.Session.
func (s *session) Info() drivers.SessionInfo {
	return drivers.SessionInfo{Driver: Name, Family: FamilyWBM, Address: s.tab.Address(), BaseURL: s.tab.BaseURL(),
		CertSHA256: s.tab.CertSHA256(), FirstContact: s.tab.FirstContact()}
}

// DefaultCredentials implements drivers.Defaulter.
func (s *session) DefaultCredentials() []drivers.Credential {
	return info.Families[0].Credentials(s.dev)
}

// Close implements drivers.Session.
func (s *session) Close() error { return s.tab.Close() }

func (s *session) fail(ctx context.Context, step string, err error) error {
	if err == nil {
		return nil
	}
	return s.tab.Fail(ctx, step, err)
}

var (
	reLocked = regexp.MustCompile(`(?i)\blocked\b|lockout|too many`)
	reBusy   = regexp.MustCompile(`(?i)another (user|administrator)[^.]{0,40}log|already logged in|in use by another`)
	reWrong  = regexp.MustCompile(`(?i)wrong password|incorrect|invalid password|try again`)
)

// Login implements drivers.Session: the status page's login box (its
// generated name read by the field finder), posted with its loginurl;
// the page that comes back decides (logged in: a Logout control and no
// login box; else its message).
func (s *session) Login(ctx context.Context, c drivers.Credential) error {
	s.tab.AddSecretValue(c.Password)
	if _, err := s.tab.NavigateSettled(ctx, statusPage, nil, drivers.FieldPresentJS(fLogin)+" || "+loggedInJS); err != nil {
		return s.fail(ctx, "login", err)
	}
	var in bool
	if err := s.tab.Eval(ctx, "look for a session", loggedInJS, &in); err != nil {
		return s.fail(ctx, "login", err)
	}
	if in {
		// A session of this browser's is still open: log it out first,
		// so that the password is checked.
		if err := s.tab.SubmitAndWait(ctx, "Status", nil, []string{"Logout", "Log out"}, nil, drivers.FieldPresentJS(fLogin)); err != nil {
			return s.fail(ctx, "login", err)
		}
	}
	if _, err := s.tab.Fill(ctx, "Login", drivers.SecretValue(fLogin, c.Password)); err != nil {
		return s.fail(ctx, "login", err)
	}
	if err := s.tab.SubmitAndWait(ctx, "Login", &fLogin, []string{"Login", "Log in", "→"}, nil, `!!document.body`); err != nil {
		return s.fail(ctx, "login", err)
	}
	if err := s.tab.Eval(ctx, "look for a session", loggedInJS, &in); err != nil {
		return s.fail(ctx, "login", err)
	}
	if in {
		s.in = true
		return nil
	}
	text, err := s.tab.Text(ctx)
	if err != nil {
		return s.fail(ctx, "login", err)
	}
	text = s.tab.Scrub(text)
	switch {
	case reLocked.MatchString(text):
		return fmt.Errorf("the device says %q: %w; it lets the administrator in again once %s", firstLine(text, reLocked), drivers.ErrLockedOut, lockout.Until)
	case reBusy.MatchString(text):
		return fmt.Errorf("the device says %q: %w", firstLine(text, reBusy), drivers.ErrBusy)
	}
	hint := ""
	if !reWrong.MatchString(text) {
		hint = " (the page shows no message)"
	}
	return fmt.Errorf("%s%s: %w; current Brother models ship with the password printed on their label (\"Pwd\"): give it as a credential for this device",
		c.Describe(), hint, drivers.ErrBadCredentials)
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

// Logout implements drivers.Session: the header's Logout button ([I]
// guess).
func (s *session) Logout(ctx context.Context) error {
	if !s.in {
		return nil
	}
	s.in = false
	if _, err := s.tab.NavigateSettled(ctx, statusPage, nil, `!!document.body`); err != nil {
		return s.fail(ctx, "logout", err)
	}
	var in bool
	if err := s.tab.Eval(ctx, "look for a session", loggedInJS, &in); err != nil || !in {
		return s.fail(ctx, "logout", err)
	}
	if err := s.tab.SubmitAndWait(ctx, "Status", nil, []string{"Logout", "Log out"}, nil, `!!document.body`); err != nil {
		return s.fail(ctx, "logout", err)
	}
	return nil
}

// SMTP page fields: labels from Brother WBM as remembered ([I]), the
// simulator's B-codes as first guesses ([I]).
var (
	fServer   = drivers.Field{Key: "server", Labels: []string{"Server Address", "SMTP Server Address", "SMTP Server"}, Names: []string{"B1f41"}, Type: "text"}
	fPort     = drivers.Field{Key: "port", Labels: []string{"SMTP Port", "Port"}, Names: []string{"B1f42"}, Type: "text"}
	fAuth     = drivers.Field{Key: "auth", Labels: []string{"Server Authentication Method", "Authentication Method"}, Names: []string{"B1f43"}, Type: "select"}
	fUser     = drivers.Field{Key: "login", Labels: []string{"SMTP-AUTH Account Name", "Account Name"}, Names: []string{"B1f44"}, Type: "text"}
	fPW       = drivers.Field{Key: "pw", Labels: []string{"Account Password", "SMTP-AUTH Account Password"}, Names: []string{"B1f45"}, Type: "password"}
	fSecurity = drivers.Field{Key: "security", Labels: []string{"SSL/TLS"}, Names: []string{"B1f46"}, Type: "select", Optional: true}
	fVerify   = drivers.Field{Key: "verify", Labels: []string{"Verify Server Certificate"}, Names: []string{"B1f47"}, Type: "checkbox", Optional: true}
	fFrom     = drivers.Field{Key: "from", Labels: []string{"Device E-mail Address", "E-mail Address"}, Names: []string{"B1f48"}, Type: "text", Optional: true}
	fTestTo   = drivers.Field{Key: "to", Labels: []string{"Destination E-mail Address", "E-mail Address"}, Names: []string{"B1f5a"}, Type: "text"}
)

// gotoSMTP opens the SMTP Advanced Settings page: its guessed path first,
// else the Protocol page's "Advanced Settings" link in the SMTP row.
// Landing on the status page means the session is gone.
func (s *session) gotoSMTP(ctx context.Context) error {
	ready := `location.pathname === "` + statusPage + `" || ` + drivers.FieldPresentJS(fServer)
	pg, err := s.tab.NavigateSettled(ctx, smtpPage, nil, ready+` || document.readyState === "complete"`)
	if err != nil {
		return err
	}
	if pg.Status == 404 {
		if _, err := s.tab.NavigateSettled(ctx, protocolPage, nil, `!!document.body`); err != nil {
			return err
		}
		l, err := s.tab.FindLink(ctx, "Protocol", []string{"Advanced Settings", "Advanced Setting"}, []string{"SMTP"})
		if err != nil {
			return fmt.Errorf("no SMTP page at %s and no SMTP \"Advanced Settings\" link on %s (%w): run `mfpfleet probe --login %s` and send us the output", smtpPage, protocolPage, err, s.tab.Address())
		}
		if _, err := s.tab.NavigateSettled(ctx, l.Href, nil, ready); err != nil {
			return err
		}
	}
	loc, err := s.tab.Location(ctx)
	if err != nil {
		return err
	}
	if strings.Contains(loc, statusPage) {
		s.in = false
		return fmt.Errorf("the device sent the SMTP page back to its status page: the admin session ended (timed out, or the device restarted): %w", drivers.ErrTransient)
	}
	return nil
}

// OpenSMTPPage implements drivers.Prober.
func (s *session) OpenSMTPPage(ctx context.Context) error { return s.gotoSMTP(ctx) }

// Brother's SSL/TLS options ([I]): "SSL" is implicit TLS (465), "TLS"
// is STARTTLS (587). A bare "TLS" means STARTTLS here, which the
// vendor-neutral helpers do not assume.
func securityOption(options []string, sec drivers.Security) (string, error) {
	want := map[drivers.Security]string{drivers.SecuritySSLTLS: "ssl", drivers.SecurityStartTLS: "tls", drivers.SecurityNone: "none"}[sec]
	for _, o := range options {
		if strings.EqualFold(strings.TrimSpace(o), want) {
			return o, nil
		}
	}
	return drivers.SecurityOption(options, sec)
}

// parseSecurity reads Brother's SSL/TLS option back.
func parseSecurity(label string) drivers.Security {
	if strings.EqualFold(strings.TrimSpace(label), "tls") {
		return drivers.SecurityStartTLS
	}
	return drivers.ParseSecurity(label)
}

// ReadSMTP implements drivers.Session.
func (s *session) ReadSMTP(ctx context.Context) (drivers.SMTPSettings, error) {
	var out drivers.SMTPSettings
	if err := s.gotoSMTP(ctx); err != nil {
		return out, s.fail(ctx, "read", err)
	}
	st, err := s.tab.Read(ctx, "SMTP", fServer, fPort, fAuth, fUser, fPW, fSecurity, fFrom)
	if err != nil {
		return out, s.fail(ctx, "read", err)
	}
	drivers.SetFromFields(&out, st)
	if f := st["security"]; f.Found {
		out.Security = parseSecurity(f.Value)
	}
	if f := st["pw"]; f.Found && !out.PasswordSet {
		// The box is shown empty; a placeholder marks a stored one.
		var ph bool
		_ = s.tab.Eval(ctx, "look for a stored password", `!!document.querySelector('input[type=password][placeholder]:not([placeholder=""])')`, &ph)
		out.PasswordSet = ph
	}
	return out, nil
}

// WriteSMTP implements drivers.Session: one form, one Submit.
func (s *session) WriteSMTP(ctx context.Context, w drivers.SMTPSettings) error {
	if err := drivers.CheckSettings(w); err != nil {
		return s.fail(ctx, "write", fmt.Errorf("%w: %w", err, drivers.ErrUnsupported))
	}
	s.tab.AddSecretValue(w.Password)
	if err := s.gotoSMTP(ctx); err != nil {
		return s.fail(ctx, "write", err)
	}
	st, err := s.tab.Read(ctx, "SMTP", fAuth, fPW, fSecurity, fVerify)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	var vals []drivers.FieldValue
	if sec := st["security"]; !sec.Found {
		if w.Security != drivers.SecurityNone {
			return s.fail(ctx, "write", fmt.Errorf("the SMTP page has no SSL/TLS setting: this print server cannot encrypt mail, and Gmail requires TLS (587) or SSL (465): %w; update the firmware, or send through a local relay", drivers.ErrFirmware))
		}
	} else {
		opt, err := securityOption(sec.Options, w.Security)
		if err != nil {
			return s.fail(ctx, "write", err)
		}
		vals = append(vals, drivers.FieldValue{Field: fSecurity, Value: opt})
		if w.Security != drivers.SecurityNone && st["verify"].Found {
			// Gmail's certificate is valid: let the device check it.
			vals = append(vals, drivers.FieldValue{Field: fVerify, Value: "true"})
		}
	}
	authOpt, err := drivers.AuthOption(st["auth"].Options, w.Auth)
	if err != nil {
		if w.Auth {
			err = fmt.Errorf("the SMTP page's Server Authentication Method offers no SMTP-AUTH (%w): this firmware cannot log in to Gmail: %w", err, drivers.ErrFirmware)
		}
		return s.fail(ctx, "write", err)
	}
	vals = append(vals, drivers.FieldValue{Field: fAuth, Value: authOpt})
	if w.Auth {
		if max := st["pw"].MaxLength; max > 0 && max < len(w.Password.Reveal()) {
			return s.fail(ctx, "write", fmt.Errorf("the SMTP page's Account Password field takes %d characters, the app password has %d: %w; update the firmware", max, len(w.Password.Reveal()), drivers.ErrFirmware))
		}
		vals = append(vals, drivers.FieldValue{Field: fUser, Value: w.User})
		if !w.Password.Empty() {
			vals = append(vals, drivers.SecretValue(fPW, w.Password))
		}
	}
	vals = append(vals,
		drivers.FieldValue{Field: fServer, Value: w.Server},
		drivers.FieldValue{Field: fPort, Value: strconv.Itoa(w.Port)},
	)
	if w.From != "" {
		vals = append(vals, drivers.FieldValue{Field: fFrom, Value: w.From})
	}
	if _, err := s.tab.Fill(ctx, "SMTP", vals...); err != nil {
		return s.fail(ctx, "write", err)
	}
	if err := s.tab.SubmitAndWait(ctx, "SMTP", nil, []string{"Submit", "OK", "Apply"}, nil, `!!document.body`); err != nil {
		return s.fail(ctx, "write", err)
	}
	return s.fail(ctx, "write", s.checkAnswer(ctx, "the SMTP settings"))
}

// checkAnswer reads the page a save led to: the status page (session
// gone) or a refusal ([C]: "rejected" in the page text).
func (s *session) checkAnswer(ctx context.Context, what string) error {
	var a struct {
		Path string `json:"path"`
		Text string `json:"text"`
	}
	if err := s.tab.Eval(ctx, "read the answer", `({path: location.pathname, text: document.body ? document.body.innerText : ""})`, &a); err != nil {
		return err
	}
	text := strings.Join(strings.Fields(s.tab.Scrub(a.Text)), " ")
	switch {
	case a.Path == statusPage:
		s.in = false
		return fmt.Errorf("saving %s led back to the status page: the admin session ended (timed out, or the device restarted): %w", what, drivers.ErrTransient)
	case strings.Contains(strings.ToLower(text), "rejected"):
		msg := firstLine(a.Text, regexp.MustCompile(`(?i)rejected`))
		if strings.Contains(strings.ToLower(msg), "expired") || strings.Contains(msg, "CSRFToken") {
			return fmt.Errorf("the device refused %s: %q (a stale page): %w", what, s.tab.Scrub(msg), drivers.ErrTransient)
		}
		return fmt.Errorf("the device refused %s: %q; set them by hand on its SMTP page, or run `mfpfleet probe --login %s` and send us the output", what, s.tab.Scrub(msg), s.tab.Address())
	}
	return nil
}

var (
	reAuthFail = regexp.MustCompile(`(?i)\b535\b|auth(entication)? (failed|error)|username and password not accepted`)
	reTLSFail  = regexp.MustCompile(`(?i)tls|ssl|handshake|protocol version|certificate`)
)

// SendTest implements drivers.Tester: "Test Send E-mail Configuration"
// on the SMTP page ([I] guess: a destination box and a result page).
func (s *session) SendTest(ctx context.Context, to string) (drivers.TestResult, error) {
	res := drivers.TestResult{At: time.Now()}
	if err := s.gotoSMTP(ctx); err != nil {
		return res, s.fail(ctx, "test", err)
	}
	l, err := s.tab.FindLink(ctx, "SMTP", []string{"Test Send E-mail Configuration", "Test Send E-mail", "Test E-mail"}, nil)
	if err != nil {
		return res, s.fail(ctx, "test", fmt.Errorf("the SMTP page has no \"Test Send E-mail Configuration\" (%w): %w", err, drivers.ErrNoTestAction))
	}
	if _, err := s.tab.NavigateSettled(ctx, l.Href, nil, drivers.FieldPresentJS(fTestTo)+` || location.pathname === "`+statusPage+`"`); err != nil {
		return res, s.fail(ctx, "test", err)
	}
	if _, err := s.tab.Fill(ctx, "Test Send E-mail", drivers.FieldValue{Field: fTestTo, Value: to}); err != nil {
		return res, s.fail(ctx, "test", err)
	}
	// The device sends before it answers: the step's deadline bounds it.
	if err := s.tab.SubmitAndWait(ctx, "Test Send E-mail", &fTestTo, []string{"Send Test E-mail", "Send", "Test"}, nil, `!!document.body`); err != nil {
		return res, s.fail(ctx, "test", err)
	}
	if err := s.checkAnswer(ctx, "the test e-mail"); err != nil {
		return res, s.fail(ctx, "test", err)
	}
	msg, err := s.tab.RowText(ctx, "Test Send E-mail", "Result")
	if err != nil {
		return res, s.fail(ctx, "test", err)
	}
	msg = s.tab.Scrub(msg)
	res.Message = msg
	l2 := strings.ToLower(msg)
	res.OK = strings.HasPrefix(l2, "test ok") || l2 == "ok" || strings.HasPrefix(l2, "success")
	if res.OK {
		return res, nil
	}
	switch {
	case msg == "":
		return res, s.fail(ctx, "test", fmt.Errorf("the device shows no test result: %w", drivers.ErrTestFailed))
	case reAuthFail.MatchString(msg):
		return res, s.fail(ctx, "test", fmt.Errorf("the device's test e-mail failed: %q: Gmail refused the login: check the account and the app password: %w", msg, drivers.ErrTestFailed))
	case reTLSFail.MatchString(msg):
		return res, s.fail(ctx, "test", fmt.Errorf("the device's test e-mail failed: %q: the encrypted connection failed; older Brother firmware lacks TLS 1.2: update the firmware: %w: %w", msg, drivers.ErrTestFailed, drivers.ErrFirmware))
	}
	return res, s.fail(ctx, "test", fmt.Errorf("the device's test e-mail failed: %q: %w", msg, drivers.ErrTestFailed))
}
