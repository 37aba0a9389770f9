// Package ricoh drives the Ricoh Web Image Monitor, the web admin of
// Ricoh MFPs and of the same machines badged Savin, Lanier, Gestetner and
// NRG (family "ricoh/wim").
//
// What it relies on as it is was confirmed by public tools that drive
// real devices (docs/vendors-others.md and docs/vendors-smtp-pages.md,
// "Ricoh"): the root page's redirect to
// /web/guest/<lang>/websys/webArch/mainFrame.cgi whose <lang> is reused
// everywhere; authForm.cgi's login form (wimToken, userid/password sent
// base64) posted to login.cgi, which answers 302 and a wimsesid cookie;
// admin pages under /web/entry/<lang>/…; logout.cgi; the factory login
// admin with a blank password, then the serial number on newer IM models;
// and that only one administrator may be logged in, so a session is
// always logged out. The e-mail page's path and field names are not
// confirmed: the driver finds the page by its menu link ("Email") when
// the guessed path fails, and its fields by their labels ("SMTP Server
// Name", "SMTP Port No.", "Use Secure Connection (SSL)", "SMTP
// Authentication", "SMTP Auth. User Name", …), with the guessed names
// only as first tries. No e-mail test action is known on the device, so
// a push ends written-unconfirmed until a scan to the plus-address
// arrives.
package ricoh

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
const Name = "ricoh"

// FamilyWIM is the Web Image Monitor family.
const FamilyWIM = "ricoh/wim"

// Login kinds of the factory logins (unique among all drivers).
const (
	KindBlank  = "ricoh-blank"
	KindSerial = "ricoh-serial"
)

// lockout is Web Image Monitor's "User Lockout Policy" as the driver
// assumes it. [I] guess: 5 attempts, released by the "Lockout Release
// Timer" (60 minutes) or a restart; not confirmed by a public source, so
// the budget stays two below it.
var lockout = drivers.Lockout{After: 5, Until: "its lock-out release timer runs out (60 minutes by default) or a restart"}

// who: Ricoh and the badges its machines are sold under (docs/vendors.md).
var who = drivers.Info{
	Vendors: []string{"ricoh"},
	Badges:  []string{"Savin", "Lanier", "Gestetner", "NRG", "Nashuatec", "Rex-Rotary", "infotec"},
}

var info = drivers.Info{
	Name:    Name,
	Maker:   "Ricoh",
	Vendors: who.Vendors,
	Badges:  who.Badges,
	Families: []drivers.Family{{
		ID:    FamilyWIM,
		Name:  "Web Image Monitor",
		Match: isRicoh,
		Logins: []drivers.FactoryLogin{
			{Kind: KindBlank, User: "admin", From: drivers.PasswordBlank,
				Text: "the factory default login (admin with a blank password)", Short: "default blank"},
			{Kind: KindSerial, User: "admin", From: drivers.PasswordSerial,
				Text: "the serial number as password (admin / serial, newer IM models)", Short: "default serial"},
		},
		Test:          drivers.TestNone,
		Lockout:       lockout,
		SingleSession: true,
		PasswordMax:   128, // [I] guess: the SMTP Auth. Password field's maxlength; read from the page when it writes
		Security:      []drivers.Security{drivers.SecurityStartTLS, drivers.SecuritySSLTLS},
		Confirmed: "login (authForm.cgi → login.cgi, base64, wimsesid), paths, logout, factory admin/blank and the single admin session are confirmed " +
			"(nmap, nuclei, PaperCut, public scripts); the e-mail page's path and field names, the lock-out policy and the wording of refused logins are " +
			"guesses (run `mfpfleet probe` on a real device); no device test e-mail is known",
	}},
}

// isRicoh: every Ricoh-made MFP with a web admin runs Web Image Monitor,
// whatever its badge.
func isRicoh(dev devices.Device) bool { return who.Handles(dev) }

// Driver is the Ricoh driver. It remembers, per model, where the e-mail
// page was found.
type Driver struct {
	pages sync.Map // model → path of the e-mail page
}

var _ drivers.Driver = (*Driver)(nil)

func init() { drivers.Register(&Driver{}) }

// Name implements drivers.Driver.
func (*Driver) Name() string { return Name }

// Info implements drivers.Driver.
func (*Driver) Info() drivers.Info { return info }

// Supports implements drivers.Driver: Ricoh and its badges.
func (*Driver) Supports(dev devices.Device) bool {
	return info.Handles(dev) || strings.HasPrefix(dev.Family, Name+"/")
}

// reLang finds the <lang> segment (and guest/entry) in a Web Image
// Monitor path.
var reLang = regexp.MustCompile(`^/web/(guest|entry)/([^/]+)/websys/`)

// NewSession implements drivers.Driver: it loads "/" (a script sends the
// browser to the guest top page) and confirms Web Image Monitor from the
// path it lands on, taking the <lang> segment from it.
func (d *Driver) NewSession(ctx context.Context, tab *drivers.Tab) (drivers.Session, error) {
	s := &session{tab: tab, dev: tab.Device(), drv: d, log: tab.Logger().With("driver", Name)}
	if err := s.detect(ctx); err != nil {
		return nil, tab.Fail(ctx, "open", err)
	}
	return s, nil
}

type session struct {
	tab  *drivers.Tab
	dev  devices.Device
	drv  *Driver
	log  *slog.Logger
	lang string
	// attempted: a login was sent, so Logout goes to logout.cgi even if
	// its answer was lost (one admin session at a time: never leave one
	// open).
	attempted bool
	loggedIn  bool
}

var _ drivers.Defaulter = (*session)(nil)

func (s *session) detect(ctx context.Context) error {
	pg, err := s.tab.Navigate(ctx, "/")
	if err != nil {
		return err
	}
	if pg.Status >= 500 {
		return fmt.Errorf("the web admin answers HTTP %d: %w", pg.Status, drivers.ErrTransient)
	}
	// The root page moves on by script.
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = s.tab.WaitSettled(wctx, "load the top page", `/\/websys\//.test(location.pathname) && document.readyState === "complete"`)
	cancel()
	if err != nil && ctx.Err() != nil {
		return err
	}
	var top struct {
		Path  string `json:"path"`
		Trade string `json:"trade"`
	}
	if err := s.tab.Eval(ctx, "look at the top page", `({path: location.pathname,
  trade: ((document.getElementById("tradeName") || {}).textContent || "") + " " + document.title})`, &top); err != nil {
		return err
	}
	m := reLang.FindStringSubmatch(top.Path)
	if m == nil {
		return fmt.Errorf("the landing page %s is not Web Image Monitor's (/web/guest/<lang>/websys/webArch/mainFrame.cgi); run `mfpfleet probe %s` and send us the output: %w",
			top.Path, s.tab.Address(), drivers.ErrUnsupported)
	}
	s.lang = m[2]
	s.log.Debug("Web Image Monitor", "lang", s.lang, "title", strings.TrimSpace(top.Trade))
	return nil
}

// path is a Web Image Monitor path in mode (guest or entry) and the
// device's language.
func (s *session) path(mode, rest string) string {
	return "/web/" + mode + "/" + s.lang + "/websys/" + rest
}

// Info implements drivers.Session.
func (s *session) Info() drivers.SessionInfo {
	return drivers.SessionInfo{Driver: Name, Family: FamilyWIM, Address: s.tab.Address(), BaseURL: s.tab.BaseURL(),
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

// Login fields: the visible boxes of authForm.cgi, whose script sends
// them base64 in userid/password ([C] names).
var (
	fUser = drivers.Field{Key: "user", Labels: []string{"Login User Name", "User Name", "Login Name"}, Names: []string{"userid_work"}, Type: "text"}
	fPass = drivers.Field{Key: "password", Labels: []string{"Login Password", "Password"}, Names: []string{"password_work"}, Type: "password"}
)

var (
	reLocked = regexp.MustCompile(`(?i)locked|lockout|lock-out|too many (failed )?(login|log-in)`)
	reBusy   = regexp.MustCompile(`(?i)another (user|administrator|admin)|already logged in|currently logged in|session[^.]{0,20}full|maximum number of (sessions|users)|in use by`)
	reCookie = regexp.MustCompile(`(?i)enable cookies`)
)

// Login implements drivers.Session: authForm.cgi, the user and password
// typed into the visible boxes, Login; 302 to /web/entry/… is success.
func (s *session) Login(ctx context.Context, c drivers.Credential) error {
	s.tab.AddSecretValue(c.Password)
	if _, err := s.tab.NavigateSettled(ctx, s.path("guest", "webArch/authForm.cgi"), nil, drivers.FieldPresentJS(fPass)); err != nil {
		return s.fail(ctx, "login", err)
	}
	if _, err := s.tab.Fill(ctx, "login", drivers.FieldValue{Field: fUser, Value: c.User}, drivers.SecretValue(fPass, c.Password)); err != nil {
		return s.fail(ctx, "login", err)
	}
	s.attempted = true
	near := fPass
	if err := s.tab.SubmitAndWait(ctx, "login", &near, []string{"Login", "Log In", "OK"}, nil, ""); err != nil {
		return s.fail(ctx, "login", err)
	}
	var st struct {
		Path   string `json:"path"`
		Logout bool   `json:"logout"`
		Text   string `json:"text"`
	}
	if err := s.tab.Eval(ctx, "read the login result", `({path: location.pathname,
  logout: Array.from(document.querySelectorAll("a[href]")).some(a => /logout\.cgi/.test(a.getAttribute("href")) || /^\s*log\s?-?out\s*$/i.test(a.textContent)),
  text: document.body ? document.body.innerText : ""})`, &st); err != nil {
		return s.fail(ctx, "login", err)
	}
	if strings.HasPrefix(st.Path, "/web/entry/") || st.Logout {
		s.loggedIn = true
		return nil
	}
	text := s.tab.Scrub(st.Text)
	var err error
	switch {
	case reLocked.MatchString(text):
		err = fmt.Errorf("%s: the device says %q: %w", c.Describe(), firstLine(text, reLocked), drivers.ErrLockedOut)
	case reBusy.MatchString(text):
		s.attempted = false // nothing of ours is open
		// An expected state, retried later: no screenshot for it (the
		// device's words are in the error).
		return fmt.Errorf("%s: login: the device says %q: Web Image Monitor lets one administrator in at a time (a browser, the operation panel, or a run that was killed before it logged out); it ends an idle admin session after its auto-logout timer, so try again later: %w",
			s.tab.Address(), firstLine(text, reBusy), drivers.ErrBusy)
	case reCookie.MatchString(text):
		err = fmt.Errorf("the device answered its cookie error page (%q): %w", firstLine(text, reCookie), drivers.ErrTransient)
	default:
		s.attempted = false
		err = fmt.Errorf("%s: %w", c.Describe(), drivers.ErrBadCredentials)
	}
	return s.fail(ctx, "login", err)
}

// Logout implements drivers.Session: logout.cgi, whenever a login was
// sent (one admin session at a time).
func (s *session) Logout(ctx context.Context) error {
	if !s.loggedIn && !s.attempted {
		return nil
	}
	s.loggedIn, s.attempted = false, false
	if _, err := s.tab.Navigate(ctx, s.path("entry", "webArch/logout.cgi")); err != nil {
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

// The e-mail page's fields: labels are Ricoh's ([I] from its guides),
// names are guesses.
var (
	fFrom     = drivers.Field{Key: "from", Labels: []string{"Administrator Email Address", "Administrator E-mail Address"}, Names: []string{"adminMailAddress"}, Type: "text", Optional: true}
	fServer   = drivers.Field{Key: "server", Labels: []string{"SMTP Server Name", "SMTP Server Address", "SMTP Server"}, Names: []string{"smtpServerName"}, Type: "text"}
	fPort     = drivers.Field{Key: "port", Labels: []string{"SMTP Port No.", "SMTP Port Number", "SMTP Port"}, Names: []string{"smtpPortNo"}, Type: "text"}
	fSecurity = drivers.Field{Key: "security", Labels: []string{"Use Secure Connection (SSL)", "Use Secure Connection", "Secure Connection"}, Names: []string{"smtpSsl"}, Type: "select", Optional: true}
	fAuth     = drivers.Field{Key: "auth", Labels: []string{"SMTP Authentication"}, Names: []string{"smtpAuth"}, Type: "radio", Optional: true}
	fAuthAddr = drivers.Field{Key: "authAddr", Labels: []string{"SMTP Auth. Email Address", "SMTP Auth. E-mail Address"}, Names: []string{"smtpAuthMailAddress"}, Type: "text", Optional: true}
	fLogin    = drivers.Field{Key: "login", Labels: []string{"SMTP Auth. User Name", "SMTP Auth. Login User Name"}, Names: []string{"smtpAuthUserName"}, Type: "text", Optional: true}
	fPW       = drivers.Field{Key: "pw", Labels: []string{"SMTP Auth. Password", "SMTP Auth. Login Password"}, Names: []string{"smtpAuthPassword"}, Type: "password", Optional: true}
	fAuthEnc  = drivers.Field{Key: "authEnc", Labels: []string{"SMTP Auth. Encryption"}, Names: []string{"smtpAuthEncrypt"}, Type: "select", Optional: true}
)

// openEmail opens the e-mail page: the path remembered for this model,
// else the guessed getEmail.cgi, else the "Email" link of Device
// Management → Configuration.
func (s *session) openEmail(ctx context.Context) error {
	if !s.loggedIn {
		return fmt.Errorf("not logged in: %w", drivers.ErrTransient)
	}
	var tries []string
	if v, ok := s.drv.pages.Load(s.dev.Model); ok {
		tries = append(tries, v.(string))
	}
	guess := s.path("entry", "config/getEmail.cgi")
	if len(tries) == 0 || tries[0] != guess {
		tries = append(tries, guess)
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
	list := s.path("entry", "webArch/configList.cgi")
	if _, err := s.openAndCheck(ctx, list); err != nil {
		return err
	}
	l, err := s.tab.FindLink(ctx, "Configuration", []string{"Email", "E-mail", "E-mail Settings", "SMTP"}, nil)
	if err != nil {
		return fmt.Errorf("no Email page found (tried %s, then the Email link of %s): %w", strings.Join(tries, ", "), list, err)
	}
	ok, err := s.openAndCheck(ctx, l.Href)
	if err != nil {
		return err
	}
	if !ok {
		return &drivers.FieldError{Page: "Email", Label: fServer.Labels[0], Names: fServer.Names}
	}
	s.remember(drivers.URLPath(l.Href))
	return nil
}

func (s *session) remember(p string) {
	if s.dev.Model != "" {
		s.drv.pages.Store(s.dev.Model, p)
	}
}

// openAndCheck loads p and reports whether it is the e-mail page (it has
// an SMTP server field). Landing on a guest page means the device ended
// the admin session: ErrTransient.
func (s *session) openAndCheck(ctx context.Context, p string) (bool, error) {
	pg, err := s.tab.Navigate(ctx, p)
	if err != nil {
		return false, err
	}
	if err := s.sessionGone(ctx); err != nil {
		return false, err
	}
	if pg.Status == 404 {
		return false, nil
	}
	if pg.Status >= 500 {
		return false, fmt.Errorf("%s answers HTTP %d: %w", p, pg.Status, drivers.ErrTransient)
	}
	var has bool
	if err := s.tab.Eval(ctx, "look for the SMTP server field", drivers.FieldPresentJS(fServer), &has); err != nil {
		return false, err
	}
	return has, nil
}

// sessionGone reports ErrTransient when the tab shows a guest page: the
// device dropped the admin session (time-out, reboot, someone logged it
// out).
func (s *session) sessionGone(ctx context.Context) error {
	var p string
	if err := s.tab.Eval(ctx, "where am I", `location.pathname`, &p); err != nil {
		return err
	}
	if strings.HasPrefix(p, "/web/guest/") {
		s.loggedIn = false
		return fmt.Errorf("the device ended the admin session (sent to the guest page %s): %w", p, drivers.ErrTransient)
	}
	return nil
}

var emailFields = []drivers.Field{fFrom, fServer, fPort, fSecurity, fAuth, fAuthAddr, fLogin, fPW, fAuthEnc}

// ReadSMTP implements drivers.Session.
func (s *session) ReadSMTP(ctx context.Context) (drivers.SMTPSettings, error) {
	if err := s.openEmail(ctx); err != nil {
		return drivers.SMTPSettings{}, s.fail(ctx, "read", err)
	}
	st, err := s.tab.Read(ctx, "Email", emailFields...)
	if err != nil {
		return drivers.SMTPSettings{}, s.fail(ctx, "read", err)
	}
	var out drivers.SMTPSettings
	out.Server = strings.TrimSpace(st["server"].Value)
	out.Port, _ = strconv.Atoi(strings.TrimSpace(st["port"].Value))
	out.From = strings.TrimSpace(st["from"].Value)
	out.Security = drivers.SecurityNone
	if f := st["security"]; f.Found {
		out.Security = parseSecurity(f.Value, f.Options)
	}
	out.Auth = st["auth"].Found && drivers.AuthIsOn(st["auth"].Value)
	out.User = strings.TrimSpace(st["login"].Value)
	out.PasswordSet = st["pw"].HasValue
	return out, nil
}

func isOn(v string) bool {
	n := strings.ToLower(strings.TrimSpace(v))
	return n == "on" || n == "active" || n == "enable" || n == "enabled" || n == "yes"
}

// sslOnly reports whether a security select is the older On/Off one:
// "On" is implicit SSL (465); there is no STARTTLS.
func sslOnly(options []string) bool {
	for _, o := range options {
		if strings.Contains(strings.ToLower(o), "starttls") || strings.Contains(strings.ToLower(o), "start tls") {
			return false
		}
	}
	for _, o := range options {
		if isOn(o) {
			return true
		}
	}
	return false
}

// parseSecurity reads "Use Secure Connection (SSL)": on the older On/Off
// select, On is SSL.
func parseSecurity(v string, options []string) drivers.Security {
	if isOn(v) && sslOnly(options) {
		return drivers.SecuritySSLTLS
	}
	return drivers.ParseSecurity(v)
}

// securityOption picks the option of "Use Secure Connection (SSL)" for
// sec (drivers.SecurityOption). Older firmware offers only On/Off (SSL on
// 465): On is its SSL, and asked for STARTTLS it wraps ErrUnsupported
// saying to use 465.
func securityOption(options []string, sec drivers.Security, port int) (string, error) {
	if sslOnly(options) {
		for _, o := range options {
			if sec == drivers.SecuritySSLTLS && isOn(o) || sec == drivers.SecurityNone && !isOn(o) {
				return o, nil
			}
		}
		if sec == drivers.SecurityStartTLS {
			return "", fmt.Errorf("this firmware's \"Use Secure Connection (SSL)\" offers only SSL (implicit TLS on port 465), not STARTTLS on %d: set [gmail] device_port = 465 in fleet.toml (or update the firmware): %w", port, drivers.ErrUnsupported)
		}
	}
	return drivers.SecurityOption(options, sec)
}

var reSaveErr = regexp.MustCompile(`(?i)invalid|out of range|too long|not valid|not (been )?changed|cannot be set|expired|error`)

// WriteSMTP implements drivers.Session: the e-mail page's SMTP block and
// the Administrator Email Address (the sender), then OK.
func (s *session) WriteSMTP(ctx context.Context, w drivers.SMTPSettings) error {
	if err := drivers.CheckSettings(w); err != nil {
		return s.fail(ctx, "write", err)
	}
	s.tab.AddSecretValue(w.Password)
	if err := s.openEmail(ctx); err != nil {
		return s.fail(ctx, "write", err)
	}
	st, err := s.tab.Read(ctx, "Email", fSecurity, fAuth, fPW, fAuthEnc, fLogin, fAuthAddr)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	vals := []drivers.FieldValue{{Field: fServer, Value: w.Server}, {Field: fPort, Value: strconv.Itoa(w.Port)}}
	if w.From != "" {
		vals = append(vals, drivers.FieldValue{Field: fFrom, Value: w.From})
	}
	if !st["security"].Found {
		if w.Security != drivers.SecurityNone {
			return s.fail(ctx, "write", fmt.Errorf("the Email page has no \"Use Secure Connection (SSL)\" setting: this firmware cannot encrypt mail, and Gmail requires STARTTLS or SSL: %w; update the firmware or use a local relay", drivers.ErrFirmware))
		}
	} else {
		opt, err := securityOption(st["security"].Options, w.Security, w.Port)
		if err != nil {
			return s.fail(ctx, "write", err)
		}
		vals = append(vals, drivers.FieldValue{Field: fSecurity, Value: opt})
	}
	if !st["auth"].Found {
		if w.Auth {
			return s.fail(ctx, "write", fmt.Errorf("the Email page has no \"SMTP Authentication\" setting: this firmware cannot log in to Gmail: %w; update the firmware or use a local relay", drivers.ErrFirmware))
		}
	} else {
		v, err := drivers.AuthOption(st["auth"].Options, w.Auth)
		if err != nil {
			return s.fail(ctx, "write", err)
		}
		vals = append(vals, drivers.FieldValue{Field: fAuth, Value: v})
	}
	if w.Auth {
		if !st["login"].Found || !st["pw"].Found {
			return s.fail(ctx, "write", fmt.Errorf("the Email page has \"SMTP Authentication\" but no \"SMTP Auth. User Name\"/\"SMTP Auth. Password\": %w", drivers.ErrFirmware))
		}
		if mx := st["pw"].MaxLength; mx > 0 && len(w.Password.Reveal()) > mx {
			return s.fail(ctx, "write", fmt.Errorf("the SMTP Auth. Password field takes at most %d characters, the password has %d: %w", mx, len(w.Password.Reveal()), drivers.ErrFirmware))
		}
		vals = append(vals, drivers.FieldValue{Field: fLogin, Value: w.User})
		if st["authAddr"].Found {
			vals = append(vals, drivers.FieldValue{Field: fAuthAddr, Value: w.User})
		}
		if f := st["authEnc"]; f.Found {
			// Gmail offers PLAIN and LOGIN only: "Active" would allow
			// only CRAM-MD5/DIGEST-MD5.
			for _, o := range f.Options {
				if n := strings.ToLower(o); strings.HasPrefix(n, "auto") {
					vals = append(vals, drivers.FieldValue{Field: fAuthEnc, Value: o})
					break
				}
			}
		}
		if !w.Password.Empty() {
			vals = append(vals, drivers.SecretValue(fPW, w.Password))
		}
	}
	if _, err := s.tab.Fill(ctx, "Email", vals...); err != nil {
		return s.fail(ctx, "write", err)
	}
	near := fServer
	if err := s.tab.SubmitAndWait(ctx, "Email", &near, []string{"OK", "Apply", "Save"}, nil, ""); err != nil {
		return s.fail(ctx, "write", err)
	}
	if err := s.sessionGone(ctx); err != nil {
		return s.fail(ctx, "write", fmt.Errorf("while saving: %w; nothing was saved", err))
	}
	text, err := s.tab.Text(ctx)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	if m := firstLine(text, reSaveErr); m != "" {
		err := fmt.Errorf("the device refused the Email settings: %q", m)
		if strings.Contains(strings.ToLower(m), "expired") {
			err = fmt.Errorf("%w: %w", err, drivers.ErrTransient)
		}
		return s.fail(ctx, "write", err)
	}
	return nil
}

var _ drivers.Prober = (*session)(nil)

// OpenSMTPPage implements drivers.Prober: the e-mail page, as WriteSMTP
// finds it.
func (s *session) OpenSMTPPage(ctx context.Context) error { return s.openEmail(ctx) }
