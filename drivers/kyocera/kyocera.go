// Package kyocera drives Kyocera's Command Center RX (CCRX) web admin,
// which Kyocera's ECOSYS and TASKalfa MFPs serve, and so do the badges
// built on them: TA Triumph-Adler, UTAX, Copystar and the Kyocera-made
// Olivetti d-COPIA models.
//
// Confirmed ([C], docs: vendors-smtp-pages.md, vendors-others.md; public
// clients written against real devices): the UI is a frameset (frame
// "wlmframe") whose login form has #arg01_UserName, #arg02_Password and a
// "Login" button posting /startwlm/login.cgi; the answer is HTTP 200
// either way and a good login is the ID1 cookie; the factory login is
// Admin / Admin. Settings pages are /<area>/<Page>.htm with their data in
// /js/jssrc/model/<area>/<Page>.model.htm (_pp.hiddenvalue is the CSRF
// value); writes post /<area>/set.cgi and succeed when the answer names
// the okhtmfile. The e-mail data page is
// funcset/email/FuncSet_Email_EmailSet.model.htm.
//
// Guessed ([I], settle with `mfpfleet probe`): the e-mail view page's
// path and field names (found here by their labels: "SMTP Server Name",
// "SMTP Port Number", "Authentication Protocol", "Authenticate as",
// "Login User Name", "Login Password", "SMTP Security", "Sender
// Address"), the "Connection Test" [Test] button and its result, the
// logout, the lock-out policy's factory values.
package kyocera

import (
	"context"
	"errors"
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
const Name = "kyocera"

// FamilyCCRX is the Command Center RX web admin.
const FamilyCCRX = "kyocera/ccrx"

// KindDefault is the factory login's kind (inventory, ledger, audit).
const KindDefault = "kyocera-admin-admin"

// passwordMax is the SMTP Login Password field's length on current
// firmware ([I] guess; the page's maxlength decides).
const passwordMax = 64

// Driver is the Kyocera driver.
type Driver struct{}

var (
	_ drivers.Driver   = (*Driver)(nil)
	_ drivers.Informer = (*Driver)(nil)
)

func init() { drivers.Register(&Driver{}) }

// lockout is the CCRX "Account Lockout Policy" as this driver assumes
// it: [I] guess: 3 retries, the administrator locked for a while (the
// policy's Lockout Duration) or until a restart. Some firmware ships
// with the policy off; 3 keeps mfpfleet safe either way.
var lockout = drivers.Lockout{After: 3, Until: "the Account Lockout Policy's lockout duration has passed (or the device is restarted)"}

// badges are the OEM badges on Kyocera's platform ([C] docs/vendors.md).
// Olivetti is not one of them: its d-COPIA models are Kyocera-made and
// answer with Kyocera's sysObjectID, which identification reports as
// vendor "kyocera"; its Konica-Minolta-made models are not Kyocera's.
var badges = []string{"TA Triumph-Adler", "UTAX", "Copystar"}

var info = drivers.Info{
	Name:    Name,
	Maker:   "Kyocera",
	Vendors: []string{"kyocera"},
	Badges:  badges,
	Families: []drivers.Family{{
		ID:   FamilyCCRX,
		Name: "Command Center RX",
		// Every Kyocera (and badge) this driver handles: the earlier
		// Command Center is told from the page (NewSession declines it).
		Match: func(devices.Device) bool { return true },
		Logins: []drivers.FactoryLogin{{
			Kind: KindDefault, User: "Admin", From: drivers.PasswordFixed, Password: "Admin",
			Text:  "the Kyocera factory default login (Admin / Admin)",
			Short: "default Admin/Admin",
		}},
		Test:          drivers.TestConnection,
		Lockout:       lockout,
		SingleSession: false, // [I] not known to refuse a second admin session
		PasswordMax:   passwordMax,
		Security:      []drivers.Security{drivers.SecurityNone, drivers.SecuritySSLTLS, drivers.SecurityStartTLS},
		Confirmed: "login (login.cgi, ID1 cookie, Admin/Admin), the page/model/set.cgi pattern and the e-mail data page are confirmed; " +
			"the e-mail form's field names, Connection Test, logout and lock-out values are guesses found by label",
	}},
}

// Info implements drivers.Informer.
func (*Driver) Info() drivers.Info { return info }

// Name implements drivers.Driver.
func (*Driver) Name() string { return Name }

// Paths ([C] unless marked).
const (
	// emailPage is the e-mail view page ([I]: the model path is [C], the
	// view page follows the pattern).
	emailPage = "/funcset/email/FuncSet_Email_EmailSet.htm"
	// frameDefault is the wlmframe's page when the frameset does not say
	// ([I] guess, from the login form's language= value).
	frameDefault = "/wlmeng/index.htm"
)

// NewSession implements drivers.Driver: it loads "/" and confirms the
// CCRX frameset (frame "wlmframe", or a page under /startwlm/).
func (d *Driver) NewSession(ctx context.Context, tab *drivers.Tab) (drivers.Session, error) {
	s := &session{tab: tab, dev: tab.Device(), log: tab.Logger().With("driver", Name)}
	if err := s.detect(ctx); err != nil {
		return nil, tab.Fail(ctx, "open", err)
	}
	return s, nil
}

type session struct {
	tab   *drivers.Tab
	dev   devices.Device
	log   *slog.Logger
	frame string // the wlmframe's path (the login form's page)
	in    bool   // logged in
}

var (
	_ drivers.Session           = (*session)(nil)
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
	var look struct {
		Path  string `json:"path"`
		Frame string `json:"frame"`
		Login bool   `json:"login"`
	}
	js := `(() => {
  const f = document.querySelector('frame[name=wlmframe], iframe[name=wlmframe]');
  let src = "";
  if (f) { try { src = new URL(f.getAttribute("src"), location.href).pathname; } catch (e) {} }
  return {path: location.pathname, frame: src, login: !!document.querySelector('#arg01_UserName, form[action*="login.cgi"]')};
})()`
	if err := s.tab.WaitSettled(ctx, "load the landing page", `document.querySelector("frame,iframe,form,a")`); err != nil && ctx.Err() != nil {
		return err
	}
	if err := s.tab.Eval(ctx, "look at the landing page", js, &look); err != nil {
		return err
	}
	if look.Frame == "" && !look.Login && !strings.HasPrefix(look.Path, "/startwlm/") {
		return fmt.Errorf("the landing page %s is not Command Center RX (no wlmframe, no /startwlm/ login): older Kyocera models run the earlier Command Center, which this driver does not know; set SMTP by hand or run `mfpfleet probe %s` and send us the output: %w",
			look.Path, s.tab.Address(), drivers.ErrUnsupported)
	}
	s.frame = look.Frame
	if s.frame == "" {
		if look.Login {
			s.frame = look.Path
		} else {
			s.frame = frameDefault
		}
	}
	return nil
}

// Info implements drivers.Session.
func (s *session) Info() drivers.SessionInfo {
	return drivers.SessionInfo{Driver: Name, Family: FamilyCCRX, Address: s.tab.Address(), BaseURL: s.tab.BaseURL(),
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

// Login fields ([C] ids).
var (
	fUser = drivers.Field{Key: "user", Labels: []string{"Login User Name", "User Name"}, Names: []string{"arg01_UserName"}, Type: "text"}
	fPass = drivers.Field{Key: "password", Labels: []string{"Login Password", "Password"}, Names: []string{"arg02_Password"}, Type: "password"}
)

var (
	reLocked = regexp.MustCompile(`(?i)\block(ed)?\b|lockout|too many`)
	reBusy   = regexp.MustCompile(`(?i)another (user|administrator)[^.]{0,40}(logged|log) ?in|already logged in|in use by another`)
)

// hasID1JS is true once the browser holds the ID1 cookie ([C]: the sign
// of a good login).
const hasID1JS = `document.cookie.split(/;\s*/).some(c => c.startsWith("ID1=") && c.length > 4)`

// frameTextJS is the visible text of the wlmframe (or of the page when it
// has no frames).
const frameTextJS = `(() => {
  const f = document.querySelector('frame[name=wlmframe], iframe[name=wlmframe]');
  let d = document;
  if (f) { try { d = f.contentDocument || d; } catch (e) {} }
  return d && d.body ? d.body.innerText : "";
})()`

// Login implements drivers.Session: the wlmframe's form (opened on its
// own, not inside the frameset), then the ID1 cookie decides.
func (s *session) Login(ctx context.Context, c drivers.Credential) error {
	s.tab.AddSecretValue(c.Password)
	if _, err := s.tab.NavigateSettled(ctx, s.frame, nil, drivers.FieldPresentJS(fPass)+" || "+hasID1JS); err != nil {
		return s.fail(ctx, "login", err)
	}
	if _, err := s.tab.Fill(ctx, "Login", drivers.FieldValue{Field: fUser, Value: c.User}, drivers.SecretValue(fPass, c.Password)); err != nil {
		return s.fail(ctx, "login", err)
	}
	// The answer is the frameset (okhtmfile and failhtmfile alike): wait
	// for its wlmframe to load, then look at the cookie.
	cond := `(() => { const f = document.querySelector('frame[name=wlmframe], iframe[name=wlmframe]');
  if (!f) return !!document.body; try { return f.contentDocument && f.contentDocument.readyState === "complete" && f.contentDocument.body; } catch (e) { return true; } })()`
	if err := s.tab.SubmitAndWait(ctx, "Login", &fPass, []string{"Login", "Log in"}, nil, cond); err != nil {
		return s.fail(ctx, "login", err)
	}
	var ok bool
	if err := s.tab.Eval(ctx, "look for the ID1 cookie", hasID1JS, &ok); err != nil {
		return s.fail(ctx, "login", err)
	}
	if ok {
		s.in = true
		return nil
	}
	var text string
	if err := s.tab.Eval(ctx, "read the login answer", frameTextJS, &text); err != nil {
		return s.fail(ctx, "login", err)
	}
	text = s.tab.Scrub(text)
	switch {
	case reLocked.MatchString(text):
		return fmt.Errorf("the device says %q: %w; it lets the administrator in again once %s", firstLine(text, reLocked), drivers.ErrLockedOut, lockout.Until)
	case reBusy.MatchString(text):
		return fmt.Errorf("the device says %q: %w", firstLine(text, reBusy), drivers.ErrBusy)
	}
	return fmt.Errorf("%s: %w", c.Describe(), drivers.ErrBadCredentials)
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

// Logout implements drivers.Session: the frame's Logout button ([I]
// guess), posted as a form so that it works without the frameset.
func (s *session) Logout(ctx context.Context) error {
	if !s.in {
		return nil
	}
	s.in = false
	if _, err := s.tab.NavigateSettled(ctx, s.frame, nil, `!!document.body`); err != nil {
		return s.fail(ctx, "logout", err)
	}
	err := s.tab.SubmitAndWait(ctx, "Logout", nil, []string{"Logout", "Log out"}, nil, "")
	if err != nil {
		return s.fail(ctx, "logout", err)
	}
	return nil
}

// E-mail page fields: labels from Kyocera's guides ([I]), the names the
// simulator uses as first guesses ([I]).
var (
	fProto    = drivers.Field{Key: "protocol", Labels: []string{"SMTP Protocol", "SMTP (E-mail TX)"}, Names: []string{"arg01_SmtpMode"}, Type: "select", Optional: true}
	fServer   = drivers.Field{Key: "server", Labels: []string{"SMTP Server Name", "SMTP Server"}, Names: []string{"arg02_SmtpServerName"}, Type: "text"}
	fPort     = drivers.Field{Key: "port", Labels: []string{"SMTP Port Number", "SMTP Port"}, Names: []string{"arg03_SmtpPort"}, Type: "text"}
	fAuth     = drivers.Field{Key: "auth", Labels: []string{"Authentication Protocol", "SMTP Authentication"}, Names: []string{"arg05_SmtpAuth"}, Type: "select"}
	fAuthAs   = drivers.Field{Key: "authas", Labels: []string{"Authenticate as"}, Names: []string{"arg06_SmtpAuthAs"}, Type: "select", Optional: true}
	fLogin    = drivers.Field{Key: "login", Labels: []string{"Login User Name", "User Name"}, Names: []string{"arg07_SmtpLoginUser"}, Type: "text"}
	fPW       = drivers.Field{Key: "pw", Labels: []string{"Login Password", "Password"}, Names: []string{"arg08_SmtpLoginPassword"}, Type: "password"}
	fSecurity = drivers.Field{Key: "security", Labels: []string{"SMTP Security", "Security", "SSL/TLS"}, Names: []string{"arg09_SmtpSecurity"}, Type: "select", Optional: true}
	fFrom     = drivers.Field{Key: "from", Labels: []string{"Sender Address", "Sender E-mail Address"}, Names: []string{"arg10_SenderAddress"}, Type: "text"}
)

// gotoEmail loads the e-mail page and waits for its model script to
// have filled it. Landing back on the start page means the session is
// gone.
func (s *session) gotoEmail(ctx context.Context) error {
	// The page's fields are filled by script from its model file, the
	// CSRF value ([C] hidden = _pp.hiddenvalue) with them: wait for it.
	filled := `(() => { const h = document.querySelector('form input[name="hidden"]'); return !h || h.value !== ""; })()`
	if _, err := s.tab.NavigateSettled(ctx, emailPage, nil, `location.pathname.startsWith("/startwlm/") || (`+drivers.FieldPresentJS(fServer)+` && `+filled+`)`); err != nil {
		return err
	}
	loc, err := s.tab.Location(ctx)
	if err != nil {
		return err
	}
	if strings.Contains(loc, "/startwlm/") {
		s.in = false
		return fmt.Errorf("the device sent the e-mail page back to its start page: the admin session ended (timed out, or the device restarted): %w", drivers.ErrTransient)
	}
	return nil
}

// OpenSMTPPage implements drivers.Prober: the E-mail page, filled by
// its model script.
func (s *session) OpenSMTPPage(ctx context.Context) error { return s.gotoEmail(ctx) }

// ReadSMTP implements drivers.Session.
func (s *session) ReadSMTP(ctx context.Context) (drivers.SMTPSettings, error) {
	var out drivers.SMTPSettings
	if err := s.gotoEmail(ctx); err != nil {
		return out, s.fail(ctx, "read", err)
	}
	st, err := s.tab.Read(ctx, "E-mail", fServer, fPort, fAuth, fAuthAs, fLogin, fPW, fSecurity, fFrom)
	if err != nil {
		return out, s.fail(ctx, "read", err)
	}
	drivers.SetFromFields(&out, st)
	return out, nil
}

// optionLike returns the first of options equal to one of want (case
// and surrounding space ignored).
func optionLike(options []string, want ...string) (string, bool) {
	for _, w := range want {
		for _, o := range options {
			if strings.EqualFold(strings.TrimSpace(o), w) {
				return o, true
			}
		}
	}
	return "", false
}

// WriteSMTP implements drivers.Session: one form, one Submit.
func (s *session) WriteSMTP(ctx context.Context, w drivers.SMTPSettings) error {
	if err := drivers.CheckSettings(w); err != nil {
		return s.fail(ctx, "write", fmt.Errorf("%w: %w", err, drivers.ErrUnsupported))
	}
	s.tab.AddSecretValue(w.Password)
	if err := s.gotoEmail(ctx); err != nil {
		return s.fail(ctx, "write", err)
	}
	st, err := s.tab.Read(ctx, "E-mail", fProto, fAuth, fAuthAs, fPW, fSecurity)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	// The E-mail page only shows the protocol switch, which lives under
	// Network Settings → Protocol ([C] _pp.sndSmtpMode; the page's
	// location [I]): with it off the device sends nothing.
	if p := st["protocol"]; p.Found && strings.EqualFold(strings.TrimSpace(p.Value), "Off") {
		return s.fail(ctx, "write", fmt.Errorf("the device's SMTP (E-mail TX) protocol is Off, so it would send no mail: turn it On in its web admin under Network Settings → Protocol → SMTP (E-mail TX), then push again: %w", drivers.ErrUnsupported))
	}
	// SMTP Security (Off / SSL/TLS / STARTTLS; none at all on firmware
	// that cannot encrypt) and Authentication Protocol (On / Off; no On
	// on firmware without SMTP AUTH).
	vals, err := drivers.SecurityAndAuth(st, w, fSecurity, fAuth, "E-mail page")
	if err != nil {
		if w.Auth && !errors.Is(err, drivers.ErrFirmware) {
			err = fmt.Errorf("the E-mail page's Authentication Protocol cannot be turned on (%w): this firmware cannot do SMTP AUTH, which Gmail requires: %w", err, drivers.ErrFirmware)
		}
		return s.fail(ctx, "write", err)
	}
	if w.Auth {
		if max := st["pw"].MaxLength; max > 0 && max < len(w.Password.Reveal()) {
			return s.fail(ctx, "write", fmt.Errorf("the E-mail page's Login Password field takes %d characters, the app password has %d: %w; update the firmware", max, len(w.Password.Reveal()), drivers.ErrFirmware))
		}
	}
	vals = append(vals,
		drivers.FieldValue{Field: fServer, Value: w.Server},
		drivers.FieldValue{Field: fPort, Value: strconv.Itoa(w.Port)},
	)
	if w.Auth {
		if as := st["authas"]; as.Found {
			other, ok := optionLike(as.Options, "Other")
			if !ok {
				return s.fail(ctx, "write", fmt.Errorf("the E-mail page's Authenticate as offers no \"Other\" (options: %s), so the Gmail address cannot be the SMTP login: %w",
					strings.Join(as.Options, ", "), drivers.ErrFirmware))
			}
			vals = append(vals, drivers.FieldValue{Field: fAuthAs, Value: other})
		}
		vals = append(vals, drivers.FieldValue{Field: fLogin, Value: w.User})
		if !w.Password.Empty() {
			vals = append(vals, drivers.SecretValue(fPW, w.Password))
		}
	}
	if w.From != "" {
		vals = append(vals, drivers.FieldValue{Field: fFrom, Value: w.From})
	}
	if _, err := s.tab.Fill(ctx, "E-mail", vals...); err != nil {
		return s.fail(ctx, "write", err)
	}
	if err := s.tab.SubmitAndWait(ctx, "E-mail", nil, []string{"Submit", "OK", "Apply"}, []string{"/set.cgi"}, `!!document.body`); err != nil {
		return s.fail(ctx, "write", err)
	}
	return s.fail(ctx, "write", s.checkAnswer(ctx, "the E-mail settings"))
}

// checkAnswer reads the page set.cgi led to: the okhtmfile, or the
// failhtmfile with the device's reason, or the start page (session gone).
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
	case strings.HasPrefix(a.Path, "/startwlm/"):
		s.in = false
		return fmt.Errorf("saving %s led back to the start page: the admin session ended (timed out, or the device restarted): %w", what, drivers.ErrTransient)
	case strings.Contains(strings.ToLower(a.Path), "err"):
		if strings.Contains(strings.ToLower(text), "expired") {
			return fmt.Errorf("the device refused %s: %q (a stale page): %w", what, text, drivers.ErrTransient)
		}
		return fmt.Errorf("the device refused %s: %q; set them by hand on its E-mail page, or run `mfpfleet probe %s` and send us the output", what, text, s.tab.Address())
	}
	return nil
}

var (
	reAuthFail = regexp.MustCompile(`(?i)\b535\b|auth(entication)? (failed|error)|username and password not accepted|login`)
	reTLSFail  = regexp.MustCompile(`(?i)tls|ssl|handshake|protocol version|certificate`)
)

// CheckSMTPConnection implements drivers.ConnectionChecker: the E-mail
// page's "Connection Test" [Test] ([I] guess: its result page). The
// device connects, secures and logs in without sending mail: its word
// only, never a confirmation.
func (s *session) CheckSMTPConnection(ctx context.Context) (drivers.TestResult, error) {
	res := drivers.TestResult{At: time.Now()}
	if err := s.gotoEmail(ctx); err != nil {
		return res, s.fail(ctx, "check", err)
	}
	near := fServer
	if err := s.tab.SubmitAndWait(ctx, "E-mail", &near, []string{"Test", "Connection Test"}, []string{"/set.cgi"}, `!!document.body`); err != nil {
		return res, s.fail(ctx, "check", err)
	}
	if err := s.checkAnswer(ctx, "the Connection Test"); err != nil {
		return res, s.fail(ctx, "check", err)
	}
	msg, err := s.tab.RowText(ctx, "Connection Test", "SMTP")
	if err != nil {
		return res, s.fail(ctx, "check", err)
	}
	res.Message = msg
	l := strings.ToLower(msg)
	res.OK = strings.HasPrefix(l, "ok") || strings.HasPrefix(l, "connection ok") || strings.HasPrefix(l, "success")
	if res.OK {
		return res, nil
	}
	switch {
	case msg == "":
		return res, s.fail(ctx, "check", fmt.Errorf("the device shows no Connection Test result: %w", drivers.ErrTestFailed))
	case reAuthFail.MatchString(msg):
		return res, s.fail(ctx, "check", fmt.Errorf("the device's Connection Test failed: %q: Gmail refused the login: check the account and the app password (and that it was saved on the device): %w", msg, drivers.ErrTestFailed))
	case reTLSFail.MatchString(msg):
		return res, s.fail(ctx, "check", fmt.Errorf("the device's Connection Test failed: %q: the encrypted connection to the mail server failed; older Kyocera firmware needs TLS 1.2 turned on (Security Settings → Network Security) or a firmware update: %w: %w", msg, drivers.ErrTestFailed, drivers.ErrFirmware))
	}
	return res, s.fail(ctx, "check", fmt.Errorf("the device's Connection Test failed: %q: %w", msg, drivers.ErrTestFailed))
}
