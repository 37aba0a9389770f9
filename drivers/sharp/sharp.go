// Package sharp drives the native web admin of Sharp MX/BP MFPs (family
// "sharp/mx").
//
// What it relies on as it is was confirmed by public tools that drive
// real devices (docs/vendors-smtp-pages.md, "Sharp"): admin pages are
// reached through /login.html?/<target page> with the MFPSESSIONID cookie
// and a hidden token2 that is fresh in every form (the browser posts the
// form it was given, so the token is always the current one); three
// login variants across firmware (a role select with Administrator and a
// password; a user name and password; an "Administrator Login" button
// first, then a password); the factory login admin/admin; the SMTP page
// /nw_service_smtp.html (Primary Server, Port, Reply Address, SMTP
// Authentication, User Name, Password, Enable SSL), whose password box
// shows a mask that, posted back, keeps the stored password; and the
// Connection Test, the same form posted with action=testButton, which
// tests the posted values without saving them. Field ids differ between
// firmware, so fields are found by their labels, the MX-2640N ids
// (ggt_textbox(1) …) only as first guesses.
//
// Guesses ([I], for probe on a real device to settle): the save button
// (Submit), the lock-out policy, the wording of refused logins, what
// "Enable SSL" means on each port, the logout page.
package sharp

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// Name is the driver's registry name.
const Name = "sharp"

// FamilyMX is the Sharp native MX/BP web admin.
const FamilyMX = "sharp/mx"

// KindAdmin is the factory login's kind (admin / admin).
const KindAdmin = "sharp-admin-admin"

// smtpPath is the SMTP page [C].
const smtpPath = "/nw_service_smtp.html"

// lockout: [I] guess. Sharp's "Disable login after failed attempts"
// factory policy is not confirmed by a public source; the budget stays
// below three.
var lockout = drivers.Lockout{After: 3, Until: "5 minutes pass or the device restarts"}

// who: the vendors the driver handles (apart from info, which refers
// to isNative).
var who = drivers.Info{Vendors: []string{"sharp"}}

var info = drivers.Info{
	Name:    Name,
	Maker:   "Sharp",
	Vendors: who.Vendors,
	Families: []drivers.Family{{
		ID:    FamilyMX,
		Name:  "Sharp MX/BP web admin",
		Match: isNative,
		Logins: []drivers.FactoryLogin{
			{Kind: KindAdmin, User: "admin", From: drivers.PasswordFixed, Password: "admin",
				Text: "the factory default login (admin / admin)", Short: "default admin"},
		},
		Test:          drivers.TestConnection,
		Lockout:       lockout,
		SingleSession: false, // [I] not reported for Sharp; Logout always runs anyway
		PasswordMax:   36,    // [I] guess; read from the page's maxlength when writing
		Security:      []drivers.Security{drivers.SecurityStartTLS, drivers.SecuritySSLTLS},
		Confirmed: "login variants (token2, MFPSESSIONID), admin/admin, the SMTP page, its MX-2640N ids, the masked password and the " +
			"Connection Test (action=testButton, without saving) are confirmed by public scripts; the save button, the lock-out policy, " +
			"refusal wording, Enable SSL per port and other firmware's ids are guesses (run `mfpfleet probe` on a real device)",
	}},
}

// isNative: Sharp MFPs run the native web admin, except the small
// Lexmark-built MX-B/MX-C models (MX-B4xx, MX-C3xx/4xx, "W" models),
// which run Lexmark's and are left to that driver.
func isNative(dev devices.Device) bool {
	if !who.Handles(dev) {
		return false
	}
	return !lexmarkBuilt(dev.Model)
}

// reLexmarkBuilt: the Lexmark-built Sharp models (docs/vendors-others.md:
// MX-B355W, MX-B468F, MX-C357F [C]; the rule — desktop MX-B/MX-C whose
// number ends in 5-8 with a P/F/W suffix, MX-B450P, MX-C407P … — is an
// [I] guess). The older Sharp-made MX-C300W/C301W run the native UI.
var reLexmarkBuilt = regexp.MustCompile(`(?i)\bMX-[BC]\d\d[5-8][PFW]\b`)

func lexmarkBuilt(model string) bool { return reLexmarkBuilt.MatchString(model) }

// Driver is the Sharp driver.
type Driver struct{}

var _ drivers.Driver = (*Driver)(nil)

func init() { drivers.Register(&Driver{}) }

// Name implements drivers.Driver.
func (*Driver) Name() string { return Name }

// Info implements drivers.Informer.
func (*Driver) Info() drivers.Info { return info }

// Supports implements drivers.Driver.
func (*Driver) Supports(dev devices.Device) bool {
	return isNative(dev) || strings.HasPrefix(dev.Family, Name+"/")
}

// NewSession implements drivers.Driver: it loads the login page of the
// SMTP page and tells the login variant from it.
func (*Driver) NewSession(ctx context.Context, tab *drivers.Tab) (drivers.Session, error) {
	s := &session{tab: tab, dev: tab.Device(), log: tab.Logger().With("driver", Name)}
	return s, nil
}

type session struct {
	tab       *drivers.Tab
	dev       devices.Device
	log       *slog.Logger
	attempted bool
	loggedIn  bool
}

var (
	_ drivers.Defaulter         = (*session)(nil)
	_ drivers.ConnectionChecker = (*session)(nil)
	_ drivers.Prober            = (*session)(nil)
)

// Info implements drivers.Session.
func (s *session) Info() drivers.SessionInfo {
	return drivers.SessionInfo{Driver: Name, Family: FamilyMX, Address: s.tab.Address(), BaseURL: s.tab.BaseURL(),
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

// Login fields: the three variants' boxes ([C] names).
var (
	fLoginUser = drivers.Field{Key: "user", Labels: []string{"User Name", "Login Name", "User ID"}, Names: []string{"ggt_textbox(10002)"}, Type: "text", Optional: true}
	fRole      = drivers.Field{Key: "role", Labels: []string{"Login Name", "Login User"}, Names: []string{"ggt_select(10009)"}, Type: "select", Optional: true}
	fLoginPW   = drivers.Field{Key: "password", Labels: []string{"Password"}, Names: []string{"ggt_textbox(10003)", "ggt_textbox(10006)"}, Type: "password"}
)

var (
	reLocked = regexp.MustCompile(`(?i)locked|disabled because|too many|repeated failed`)
	reBusy   = regexp.MustCompile(`(?i)another (user|administrator)|already logged in|currently logged in`)
)

// loginState is what a page says about the session.
type loginState struct {
	Admin      bool   `json:"admin"`
	AdminBtn   bool   `json:"adminBtn"`
	Role       bool   `json:"role"`
	PW         bool   `json:"pw"`
	Text       string `json:"text"`
	Path       string `json:"path"`
	HasLogout  bool   `json:"hasLogout"`
	MachineID  bool   `json:"machineId"`
	SMTPServer bool   `json:"smtpServer"`
}

const stateJS = `(() => {
  const txt = document.body ? document.body.innerText : "";
  const btns = Array.from(document.querySelectorAll("input[type=submit],input[type=button],button"));
  return {
    adminBtn: btns.some(b => b.name === "adminloginbtn" || /administrator\s*login/i.test(b.value || b.textContent)),
    role: !!document.querySelector("select[name='ggt_select(10009)']"),
    pw: !!document.querySelector("input[type=password]"),
    text: txt,
    path: location.pathname,
    hasLogout: Array.from(document.querySelectorAll("a[href]")).some(a => /logout/i.test(a.getAttribute("href")) || /^\s*log\s?-?out\s*$/i.test(a.textContent)),
    machineId: /Machine Identification/.test(txt),
  };
})()`

func (s *session) state(ctx context.Context) (loginState, error) {
	var st loginState
	err := s.tab.Eval(ctx, "read the page", stateJS, &st)
	st.Admin = st.HasLogout || st.MachineID
	return st, err
}

// Login implements drivers.Session: /login.html?/nw_service_smtp.html,
// whichever variant the firmware shows.
func (s *session) Login(ctx context.Context, c drivers.Credential) error {
	s.tab.AddSecretValue(c.Password)
	if _, err := s.tab.NavigateSettled(ctx, "/login.html?"+smtpPath, nil, ""); err != nil {
		return s.fail(ctx, "login", err)
	}
	st, err := s.state(ctx)
	if err != nil {
		return s.fail(ctx, "login", err)
	}
	if st.AdminBtn && !st.PW {
		// Variant (c): "Administrator Login" first, then the password.
		s.attempted = true
		if err := s.tab.SubmitAndWait(ctx, "login", nil, []string{"Administrator Login(C)", "Administrator Login"}, nil, ""); err != nil {
			return s.fail(ctx, "login", err)
		}
	}
	vals := []drivers.FieldValue{drivers.SecretValue(fLoginPW, c.Password)}
	if st.Role {
		vals = append(vals, drivers.FieldValue{Field: fRole, Value: "Administrator"})
	} else if !st.AdminBtn {
		user := c.User
		if user == "" {
			user = "admin"
		}
		vals = append([]drivers.FieldValue{{Field: fLoginUser, Value: user}}, vals...)
	}
	if _, err := s.tab.Fill(ctx, "login", vals...); err != nil {
		return s.fail(ctx, "login", err)
	}
	s.attempted = true
	near := fLoginPW
	if err := s.tab.SubmitAndWait(ctx, "login", &near, []string{"Login(L)", "Login", "Log In", "OK"}, nil, ""); err != nil {
		return s.fail(ctx, "login", err)
	}
	st, err = s.state(ctx)
	if err != nil {
		return s.fail(ctx, "login", err)
	}
	if st.Admin {
		s.loggedIn = true
		return nil
	}
	text := s.tab.Scrub(st.Text)
	switch {
	case reLocked.MatchString(text):
		err = fmt.Errorf("%s: the device says %q: %w", c.Describe(), firstLine(text, reLocked), drivers.ErrLockedOut)
	case reBusy.MatchString(text):
		s.attempted = false
		return fmt.Errorf("%s: login: the device says %q: try again later: %w", s.tab.Address(), firstLine(text, reBusy), drivers.ErrBusy)
	case strings.Contains(text, "expired"):
		err = fmt.Errorf("the login form's token2 had expired (the device says %q): %w", firstLine(text, regexp.MustCompile(`expired`)), drivers.ErrTransient)
	default:
		s.attempted = false
		err = fmt.Errorf("%s: %w", c.Describe(), drivers.ErrBadCredentials)
	}
	return s.fail(ctx, "login", err)
}

// Logout implements drivers.Session: /logout.html whenever a login was
// sent ([I] guess at the page; a Sharp admin session otherwise lasts
// until its auto-logout timer).
func (s *session) Logout(ctx context.Context) error {
	if !s.loggedIn && !s.attempted {
		return nil
	}
	s.loggedIn, s.attempted = false, false
	if _, err := s.tab.Navigate(ctx, "/logout.html"); err != nil {
		return fmt.Errorf("%s: logout: %w (the admin session stays open until the device's auto-logout timer ends it)", s.tab.Address(), err)
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

// The SMTP page's fields: labels first ([C] MX-2640N), its ids as first
// guesses (other firmware has other ids).
var (
	fServer = drivers.Field{Key: "server", Labels: []string{"Primary Server", "SMTP Server", "Primary SMTP Server"}, Names: []string{"ggt_textbox(1)"}, Type: "text"}
	fPort   = drivers.Field{Key: "port", Labels: []string{"Port Number", "Port", "SMTP Port"}, Names: []string{"ggt_textbox(3)"}, Type: "text"}
	fFrom   = drivers.Field{Key: "from", Labels: []string{"Reply Address", "Sender Address", "Reply-to Address"}, Names: []string{"ggt_textbox(5)"}, Type: "text", Optional: true}
	fAuth   = drivers.Field{Key: "auth", Labels: []string{"SMTP Authentication"}, Names: []string{"ggt_checkbox(6)"}, Type: "checkbox", Optional: true}
	fUser   = drivers.Field{Key: "user", Labels: []string{"User Name", "SMTP User Name"}, Names: []string{"ggt_textbox(7)"}, Type: "text", Optional: true}
	fPW     = drivers.Field{Key: "pw", Labels: []string{"Password", "SMTP Password"}, Names: []string{"ggt_textbox(8)"}, Type: "password", Optional: true}
	fSSL    = drivers.Field{Key: "ssl", Labels: []string{"Enable SSL", "Enable SSL/TLS", "SSL"}, Names: []string{"ggt_checkbox(22)"}, Type: "checkbox", Optional: true}
)

var smtpFields = []drivers.Field{fServer, fPort, fFrom, fAuth, fUser, fPW, fSSL}

// openSMTP opens the SMTP page; landing on the login page means the
// device ended the session.
func (s *session) openSMTP(ctx context.Context) error {
	if !s.loggedIn {
		return fmt.Errorf("not logged in: %w", drivers.ErrTransient)
	}
	pg, err := s.tab.NavigateSettled(ctx, smtpPath, nil, "")
	if err != nil {
		return err
	}
	if pg.Status >= 500 {
		return fmt.Errorf("%s answers HTTP %d: %w", smtpPath, pg.Status, drivers.ErrTransient)
	}
	var path string
	if err := s.tab.Eval(ctx, "where am I", `location.pathname`, &path); err != nil {
		return err
	}
	if path == "/login.html" {
		s.loggedIn = false
		return fmt.Errorf("the device ended the admin session (sent to its login page): %w", drivers.ErrTransient)
	}
	return nil
}

// ReadSMTP implements drivers.Session.
func (s *session) ReadSMTP(ctx context.Context) (drivers.SMTPSettings, error) {
	if err := s.openSMTP(ctx); err != nil {
		return drivers.SMTPSettings{}, s.fail(ctx, "read", err)
	}
	st, err := s.tab.Read(ctx, "SMTP", smtpFields...)
	if err != nil {
		return drivers.SMTPSettings{}, s.fail(ctx, "read", err)
	}
	var out drivers.SMTPSettings
	out.Server = strings.TrimSpace(st["server"].Value)
	out.Port, _ = strconv.Atoi(strings.TrimSpace(st["port"].Value))
	out.From = strings.TrimSpace(st["from"].Value)
	out.Auth = st["auth"].Found && st["auth"].Checked
	out.User = strings.TrimSpace(st["user"].Value)
	out.PasswordSet = st["pw"].HasValue
	out.Security = securityOf(st["ssl"].Found && st["ssl"].Checked, out.Port)
	return out, nil
}

// securityOf: [I] guess: "Enable SSL" is implicit TLS on 465 and STARTTLS
// on any other port.
func securityOf(ssl bool, port int) drivers.Security {
	switch {
	case !ssl:
		return drivers.SecurityNone
	case port == 465:
		return drivers.SecuritySSLTLS
	}
	return drivers.SecurityStartTLS
}

// fill puts w into the SMTP page.
func (s *session) fill(ctx context.Context, w drivers.SMTPSettings) error {
	st, err := s.tab.Read(ctx, "SMTP", fAuth, fUser, fPW, fSSL)
	if err != nil {
		return err
	}
	vals := []drivers.FieldValue{{Field: fServer, Value: w.Server}, {Field: fPort, Value: strconv.Itoa(w.Port)}}
	if w.From != "" {
		vals = append(vals, drivers.FieldValue{Field: fFrom, Value: w.From})
	}
	if !st["ssl"].Found {
		if w.Security != drivers.SecurityNone {
			return fmt.Errorf("the SMTP page has no \"Enable SSL\" setting: this firmware cannot encrypt mail, and Gmail requires STARTTLS or SSL: %w; update the firmware or use a local relay", drivers.ErrFirmware)
		}
	} else {
		if w.Security == drivers.SecuritySSLTLS && w.Port != 465 || w.Security == drivers.SecurityStartTLS && w.Port == 465 {
			return fmt.Errorf("this Sharp's \"Enable SSL\" picks implicit TLS on 465 and STARTTLS on other ports, so %s on port %d cannot be set: use 587 for STARTTLS or 465 for SSL/TLS in fleet.toml [gmail] device_port: %w", w.Security, w.Port, drivers.ErrUnsupported)
		}
		vals = append(vals, drivers.FieldValue{Field: fSSL, Value: strconv.FormatBool(w.Security != drivers.SecurityNone)})
	}
	if !st["auth"].Found {
		if w.Auth {
			return fmt.Errorf("the SMTP page has no \"SMTP Authentication\" setting: this firmware cannot log in to Gmail: %w; update the firmware or use a local relay", drivers.ErrFirmware)
		}
	} else {
		vals = append(vals, drivers.FieldValue{Field: fAuth, Value: strconv.FormatBool(w.Auth)})
	}
	if w.Auth {
		if !st["user"].Found || !st["pw"].Found {
			return fmt.Errorf("the SMTP page has \"SMTP Authentication\" but no \"User Name\"/\"Password\": %w", drivers.ErrFirmware)
		}
		if mx := st["pw"].MaxLength; mx > 0 && len(w.Password.Reveal()) > mx {
			return fmt.Errorf("the SMTP Password field takes at most %d characters, the password has %d: %w", mx, len(w.Password.Reveal()), drivers.ErrFirmware)
		}
		vals = append(vals, drivers.FieldValue{Field: fUser, Value: w.User})
		if !w.Password.Empty() {
			vals = append(vals, drivers.SecretValue(fPW, w.Password))
		}
		// An empty password leaves the mask in the box: posted back, the
		// device keeps the stored password [C].
	}
	_, err = s.tab.Fill(ctx, "SMTP", vals...)
	return err
}

var (
	reTestOK  = regexp.MustCompile(`(?i)connection test (succeeded|successful|completed|ok)|test succeeded|connected successfully`)
	reTestBad = regexp.MustCompile(`(?i)connection test failed|test failed|could not connect|failed to connect|error`)
	reSaveErr = regexp.MustCompile(`(?i)invalid|out of range|too long|not valid|cannot be set|expired|enter a value|error`)
)

// runTest clicks Connection Test on the filled page and reads the
// device's answer.
func (s *session) runTest(ctx context.Context) (drivers.TestResult, error) {
	near := fServer
	if err := s.tab.SubmitAndWait(ctx, "SMTP", &near, []string{"Connection Test", "Test"}, nil, ""); err != nil {
		return drivers.TestResult{}, err
	}
	text, err := s.tab.Text(ctx)
	if err != nil {
		return drivers.TestResult{}, err
	}
	text = s.tab.Scrub(text)
	if m := firstLine(text, reTestOK); m != "" {
		return drivers.TestResult{OK: true, Message: m}, nil
	}
	m := firstLine(text, reTestBad)
	if m == "" {
		m = "no result shown"
	}
	res := drivers.TestResult{Message: m}
	return res, checkFailure(res)
}

var (
	reTLSFail  = regexp.MustCompile(`(?i)tls|ssl|handshake|protocol version|certificate`)
	reAuthFail = regexp.MustCompile(`(?i)\b53[45]\b|username and password not accepted|auth(entication)? (failed|error|credentials)|application-specific password`)
	reNoConn   = regexp.MustCompile(`(?i)unable to connect|connection (refused|timed out)|could not connect|resolve|dns`)
)

// checkFailure turns the device's failed connection test into an error
// naming the likely cause.
func checkFailure(res drivers.TestResult) error {
	msg := res.Message
	switch {
	case reAuthFail.MatchString(msg):
		return fmt.Errorf("the device's connection test failed: %q: Gmail refused the login: check the account and the app password in fleet.toml: %w", msg, drivers.ErrTestFailed)
	case reTLSFail.MatchString(msg):
		return fmt.Errorf("the device's connection test failed: %q: the encrypted connection to the mail server failed; the likely cause is the device's firmware (Gmail needs TLS 1.2): update the firmware: %w: %w", msg, drivers.ErrTestFailed, drivers.ErrFirmware)
	case reNoConn.MatchString(msg):
		return fmt.Errorf("the device's connection test failed: %q: the device could not reach the mail server: check its DNS and that ports 587/465 are open from the device's network: %w", msg, drivers.ErrTestFailed)
	}
	return fmt.Errorf("the device's connection test failed: %q: %w", msg, drivers.ErrTestFailed)
}

// WriteSMTP implements drivers.Session: the SMTP page filled, its
// Connection Test run on the new values first (it does not save), then
// Submit. A failing test saves nothing.
func (s *session) WriteSMTP(ctx context.Context, w drivers.SMTPSettings) error {
	if err := drivers.CheckSettings(w); err != nil {
		return s.fail(ctx, "write", err)
	}
	s.tab.AddSecretValue(w.Password)
	if err := s.openSMTP(ctx); err != nil {
		return s.fail(ctx, "write", err)
	}
	if err := s.fill(ctx, w); err != nil {
		return s.fail(ctx, "write", err)
	}
	if w.Auth && !w.Password.Empty() {
		// The Connection Test on the new values first (it saves
		// nothing): a password Gmail refuses never replaces the stored
		// one. Other failures (old TLS, no route) are saved anyway and
		// reported by the check after saving, which names the cause.
		res, err := s.runTest(ctx)
		switch {
		case err != nil && res.Message == "":
			return s.fail(ctx, "write", err)
		case err != nil && reAuthFail.MatchString(res.Message):
			return s.fail(ctx, "write", fmt.Errorf("before saving: %w; nothing was saved", err))
		case err != nil:
			s.log.Warn("connection test before saving failed; saving anyway", "device_says", res.Message)
		default:
			s.log.Info("connection test before saving passed")
		}
		// The page comes back with the stored values: fill again.
		if err := s.openSMTP(ctx); err != nil {
			return s.fail(ctx, "write", err)
		}
		if err := s.fill(ctx, w); err != nil {
			return s.fail(ctx, "write", err)
		}
	}
	near := fServer
	if err := s.tab.SubmitAndWait(ctx, "SMTP", &near, []string{"Submit(U)", "Submit", "OK", "Save"}, nil, ""); err != nil {
		return s.fail(ctx, "write", err)
	}
	text, err := s.tab.Text(ctx)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	if m := firstLine(s.tab.Scrub(text), reSaveErr); m != "" {
		err := fmt.Errorf("the device refused the SMTP settings: %q", m)
		if strings.Contains(strings.ToLower(m), "expired") {
			err = fmt.Errorf("%w: %w", err, drivers.ErrTransient)
		}
		return s.fail(ctx, "write", err)
	}
	return nil
}

// CheckSMTPConnection implements drivers.ConnectionChecker: the stored
// settings (the masked password posted back) through Connection Test.
func (s *session) CheckSMTPConnection(ctx context.Context) (drivers.TestResult, error) {
	if err := s.openSMTP(ctx); err != nil {
		return drivers.TestResult{}, s.fail(ctx, "test", err)
	}
	res, err := s.runTest(ctx)
	if err != nil && res.Message == "" {
		return res, s.fail(ctx, "test", err)
	}
	return res, err // the device's own words: no screenshot
}

// OpenSMTPPage implements drivers.Prober.
func (s *session) OpenSMTPPage(ctx context.Context) error { return s.openSMTP(ctx) }
