package sim

import (
	"crypto/rand"
	"fmt"
	"html/template"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Canon's two Remote UIs (docs/vendors-smtp-pages.md, "Canon"; tags as
// there: [C] confirmed by a public tool that drives the real device or
// the vendor's manual, [I] a guess that `mfpfleet probe` should settle).
//
// imageCLASS / i-SENSYS MF ("portal_top.html" Remote UI, MF42x):
//   - [C] POST /checkLogin.cgi with i0012=1 (System Manager Mode),
//     i0014=<ID>, i0016=<PIN>, errText=Error! → 302 to /portal_top.html;
//     other firmware posts i0012=1, i0017=2, i0019=, i2101=<PIN> (no ID);
//     the browser form is /login.html with #i0012A, #i2101, #submitButton.
//     A cookie "language" is set on "/". Logout is GET /logout.cgi.
//   - [C] the E-mail/I-Fax page GET /tx_email_ifax_edit.html (hidden
//     numeric iToken) posted to /cgi/tx_email_ifax_edit.cgi (302/200):
//     i2032 SMTP server, i2042 device address, i2140 SMTP AUTH, i2152
//     user, i2160 "change password" + i2172 password (0/absent keeps the
//     stored one), i2180 TLS for SMTP, i2190 verify certificate …;
//     checkboxes are hidden(0)+checkbox(1) pairs with ids iNNNNA/iNNNNB.
//     No port field on that page.
//   - [I] guess: a wrong PIN answers 302 back to /login.html, which shows
//     the error; the session cookie is "sessionid"; the SMTP port is on
//     /m_network_port_edit.html (TCP/IP → Port Number Settings); the
//     System Manager is locked for a while after 5 wrong PINs (Canon's
//     "Lockout" setting); labels are those of the English manual.
//
// imageRUNNER ADVANCE (/rps/ Remote UI):
//   - [C] POST /login with uri=/, deptid=<System Manager ID>,
//     password=<PIN> → 301/302 with Location and a "sessionid" cookie;
//     a wrong PIN is no redirect; the DX generation adds
//     user_type_generic=true and deptid=Administrator; after at most two
//     redirects the page says "Remote UI : Portal" and writes a
//     "Log Out" link with document.writeln. The "iR" cookie appears only
//     after GET /rps/nativetop.cgi?RUIPNxBundle=&CorePGTAG=…&Dummy=<ms>;
//     /rps/*.cgi pages carry PageFlag, Flag (Init_Data to read,
//     Exec_Data to write), CoreNXAction/CoreNXPage/CoreNXFlag, Dummy
//     and a Token.
//   - [I] guess: the E-mail page (/rps/csmtp.cgi) and the port page
//     (/rps/cport.cgi), their field names, the logout URL (/logout), the
//     wrong-login text, and a lock-out after 5 failures of the DX
//     user-authentication login (Canon's Lockout Settings; System
//     Manager ID/PIN logins are not locked, per the manual).
//
// Neither UI has a test e-mail action (none found [I]): the settings are
// proved by a scan (/_sim/scan).

// Canon web-admin families.
const (
	FamilyCanonImageClass = "canon/imageclass"
	FamilyCanonIRAdvance  = "canon/iradvance"
)

// Canon firmware variants (DeviceOptions.UI).
const (
	// UICanonPINOnly: imageCLASS firmware whose login asks the System
	// Manager PIN only (i0017=2, i2101) [C].
	UICanonPINOnly = "pin-only"
	// UICanonUserAuth: the imageRUNNER ADVANCE DX generation's
	// user-authentication login (Administrator / 7654321) [C].
	UICanonUserAuth = "user-auth"
	// UICanonNoAuth: firmware whose E-mail page has no SMTP AUTH ([I]
	// guess: very old MF firmware); with SMTPTLS "none" the page has no
	// TLS checkbox either.
	UICanonNoAuth = "no-smtp-auth"
	// UICanonShortPassword: firmware whose SMTP password field takes
	// only 12 characters ([I] guess, to prove the check: a Gmail app
	// password has 16).
	UICanonShortPassword = "short-password"
)

// Canon's factory System Manager ID and PIN [C], and the DX user [C].
const (
	CanonSysMgrID    = "7654321"
	CanonDefaultPIN  = "7654321"
	CanonDXAdminUser = "Administrator"
)

// canonLockoutWindow is how long a Canon lock-out lasts ([I] guess).
const canonLockoutWindow = 10 * time.Minute

// canonPasswordMax is the SMTP password field's maxlength ([I] guess).
const canonPasswordMax = 32

func init() {
	ln := LongTail
	pin := func(*Device) string { return CanonDefaultPIN }
	lat := Latency{Page: ln(800*time.Millisecond, 0.5), Asset: ln(150*time.Millisecond, 0.5), Save: ln(2*time.Second, 0.6)} // [I] guess
	RegisterWebAdmin(WebAdmin{
		Family: FamilyCanonImageClass, Maker: "Canon", Organization: "Canon Inc.",
		UIs:             []string{UICanonPINOnly, UICanonNoAuth, UICanonShortPassword},
		Server:          "CANON HTTP Server", // [I] guess
		Routes:          func(d *Device, mux *http.ServeMux) { d.routesCanonMF(mux) },
		DefaultPassword: pin,
		SkipVerify:      func(_ *Device, s SMTPSettings) bool { return !s.ValidateCert },
		Latency:         lat,
	})
	RegisterWebAdmin(WebAdmin{
		Family: FamilyCanonIRAdvance, Maker: "Canon", Organization: "Canon Inc.",
		UIs:             []string{UICanonUserAuth},
		Server:          "CANON HTTP Server", // [I] guess
		Routes:          func(d *Device, mux *http.ServeMux) { d.routesCanonIRA(mux) },
		DefaultPassword: pin,
		SkipVerify:      func(_ *Device, s SMTPSettings) bool { return !s.ValidateCert },
		Latency:         lat,
	})
	RegisterModels(canonModels...)
}

// canonState is the Canon-only state of a device: page tokens, the iR
// cookie of each session, when the lock-out started.
type canonState struct {
	mu       sync.Mutex
	tokens   map[string]string // session id → current page token
	ir       map[string]string // session id → iR cookie value
	lockedAt time.Time
}

var canonStates sync.Map // *Device → *canonState

func (d *Device) canon() *canonState {
	v, _ := canonStates.LoadOrStore(d, &canonState{tokens: map[string]string{}, ir: map[string]string{}})
	return v.(*canonState)
}

// canonToken returns a fresh numeric page token for session id (each
// page load issues a new one; a post must carry the latest).
func (d *Device) canonToken(id string) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(9_000_000_000))
	tok := strconv.FormatInt(n.Int64()+1_000_000_000, 10)
	c := d.canon()
	c.mu.Lock()
	c.tokens[id] = tok
	c.mu.Unlock()
	return tok
}

func (d *Device) canonTokenOK(id, tok string) bool {
	c := d.canon()
	c.mu.Lock()
	defer c.mu.Unlock()
	want := c.tokens[id]
	return want != "" && tok == want
}

// canonCheck checks a Canon admin login: the user (System Manager ID,
// or the DX user name; "" where the page asks only the PIN) and the PIN.
// Failures count toward the lock-out, which lasts canonLockoutWindow (or
// until a power-cycle).
func (d *Device) canonCheck(user, pin string) LoginResult {
	c := d.canon()
	d.mu.Lock()
	defer d.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if d.locked && !d.faults.LockedOut && !c.lockedAt.IsZero() && time.Since(c.lockedAt) > canonLockoutWindow {
		d.locked, d.failed, c.lockedAt = false, 0, time.Time{}
	}
	if d.locked {
		return LoginLockedOut
	}
	wantUser := CanonSysMgrID
	switch {
	case d.opts.UI == UICanonUserAuth:
		wantUser = CanonDXAdminUser
	case d.opts.UI == UICanonPINOnly:
		wantUser = ""
	}
	if user == wantUser && pin == d.adminPW {
		d.failed = 0
		return LoginOK
	}
	d.failed++
	if d.opts.LockoutAfter > 0 && d.failed >= d.opts.LockoutAfter {
		d.locked = true
		c.lockedAt = time.Now()
		d.log.Warn("admin locked out", "failed_logins", d.failed)
	} else {
		d.log.Info("admin login failed", "failed_logins", d.failed)
	}
	return LoginBadCredentials
}

// canonSession returns the request's live session ("sessionid" cookie).
func (d *Device) canonSession(r *http.Request) *session {
	c, err := r.Cookie("sessionid")
	if err != nil {
		return nil
	}
	return d.lookupSession(c.Value)
}

func (d *Device) canonLoggedIn(r *http.Request) *session {
	s := d.canonSession(r)
	if !d.isAdmin(s) {
		return nil
	}
	return s
}

// canonStartSession makes an admin session and sets its cookie.
func (d *Device) canonStartSession(w http.ResponseWriter) *session {
	s := d.newSession()
	d.withSession(s, func(s *session) { s.admin = true })
	http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: s.id, Path: "/", HttpOnly: true})
	return s
}

func (d *Device) canonEndSession(r *http.Request) {
	if c, err := r.Cookie("sessionid"); err == nil {
		d.dropSession(c.Value)
		cs := d.canon()
		cs.mu.Lock()
		delete(cs.tokens, c.Value)
		delete(cs.ir, c.Value)
		cs.mu.Unlock()
	}
}

// canonFlash sets a one-shot message for the next page of the browser
// behind r (an anonymous session when it has none).
func (d *Device) canonFlash(w http.ResponseWriter, r *http.Request, msg string) {
	s := d.canonSession(r)
	if s == nil {
		s = d.newSession()
		http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: s.id, Path: "/", HttpOnly: true})
	}
	d.withSession(s, func(s *session) { s.flash = msg })
}

func (d *Device) canonTakeFlash(r *http.Request) string {
	s := d.canonSession(r)
	if s == nil {
		return ""
	}
	var m string
	d.withSession(s, func(s *session) { m, s.flash = s.flash, "" })
	return m
}

// formOn reads a Canon checkbox: hidden 0 + checkbox 1, or a single
// 0/1 (scripts): on when any value is 1.
func formOn(f url.Values, name string) bool {
	return slices.Contains(f[name], "1")
}

// iraNames are one iR-ADV firmware's field names on the Communication
// Settings and Port Number pages (all [I] guesses; the AltLayout fault
// serves the second set, same labels).
type iraNames struct {
	Server, Addr, Auth, User, PwChg, Pw, TLS, Cert, TxPort string
}

var iraLayouts = map[bool]iraNames{
	false: {"SMTP_SERVER", "MAIL_ADDR", "SMTP_AUTH", "SMTP_USER", "SMTP_PSWD_CHG", "SMTP_PSWD", "SMTP_TLS", "SMTP_CERT", "SMTP_TX_PORT"},
	true:  {"smtpSrvAddr", "mailAddress", "smtpAuthMode", "smtpAuthUser", "smtpAuthPwdChange", "smtpAuthPwd", "smtpStartTls", "smtpCertVerify", "smtpSendPort"},
}

func (d *Device) iraNames() iraNames { return iraLayouts[d.Faults().AltLayout] }

// canonPage is what a Canon template shows.
type canonPage struct {
	N                           iraNames
	Model, Serial, Flash, Token string
	UI                          string
	Locked                      bool
	SMTP                        SMTPSettings
	PasswordSet                 bool
	HasTLS, HasAuth             bool
	PasswordMax                 int
	Dummy                       int64
}

func (d *Device) canonPage(r *http.Request, tok string) *canonPage {
	return &canonPage{
		Model: d.opts.Model, Serial: d.opts.Serial, Flash: d.canonTakeFlash(r), Token: tok, UI: d.opts.UI,
		Locked: d.LockedOut(), SMTP: d.SMTP(), PasswordSet: d.SMTP().PasswordSet,
		HasTLS: d.opts.SMTPTLS != SMTPTLSNone, HasAuth: d.opts.UI != UICanonNoAuth,
		PasswordMax: d.canonPasswordMax(), Dummy: time.Now().UnixMilli(), N: d.iraNames(),
	}
}

// canonPasswordMax is the SMTP password field's maxlength on d.
func (d *Device) canonPasswordMax() int {
	if d.opts.UI == UICanonShortPassword {
		return 12
	}
	return canonPasswordMax
}

func canonRender(w http.ResponseWriter, t *template.Template, name string, p *canonPage) {
	render(w, t, name, p)
}

// ---- imageCLASS / i-SENSYS MF ----

const (
	mfLoginPage  = "/login.html"
	mfPortal     = "/portal_top.html"
	mfEmailView  = "/tx_email_ifax.html"
	mfEmailEdit  = "/tx_email_ifax_edit.html"
	mfEmailPost  = "/cgi/tx_email_ifax_edit.cgi"
	mfPortView   = "/m_network_port.html"      // [I] guess
	mfPortEdit   = "/m_network_port_edit.html" // [I] guess
	mfPortPost   = "/cgi/m_network_port_edit.cgi"
	mfSettings   = "/m_network_top.html" // [I] guess: Settings/Registration → Network Settings
	mfLogoutPath = "/logout.cgi"
)

func (d *Device) routesCanonMF(mux *http.ServeMux) {
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "language", Value: "en", Path: "/"})
		if d.canonLoggedIn(r) != nil {
			http.Redirect(w, r, mfPortal, http.StatusFound)
			return
		}
		http.Redirect(w, r, mfLoginPage, http.StatusFound)
	})
	mux.HandleFunc(mfLoginPage, func(w http.ResponseWriter, r *http.Request) {
		canonRender(w, canonMFTmpl, "login", d.canonPage(r, ""))
	})
	mux.HandleFunc("/checkLogin.cgi", d.mfCheckLogin)
	mux.HandleFunc(mfLogoutPath, func(w http.ResponseWriter, r *http.Request) {
		d.canonEndSession(r)
		http.Redirect(w, r, mfLoginPage, http.StatusFound)
	})
	admin := func(page string, token bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			s := d.canonLoggedIn(r)
			if s == nil {
				http.Redirect(w, r, mfLoginPage, http.StatusFound)
				return
			}
			tok := ""
			if token {
				tok = d.canonToken(s.id)
			}
			canonRender(w, canonMFTmpl, page, d.canonPage(r, tok))
		}
	}
	mux.HandleFunc(mfPortal, admin("portal", false))
	mux.HandleFunc(mfSettings, admin("settings", false))
	mux.HandleFunc(mfEmailView, admin("emailView", false))
	mux.HandleFunc(mfEmailEdit, admin("emailEdit", true))
	mux.HandleFunc(mfPortView, admin("portView", false))
	mux.HandleFunc(mfPortEdit, admin("portEdit", true))
	mux.HandleFunc(mfEmailPost, d.mfPost(mfEmailEdit, mfEmailView, d.mfApplyEmail))
	mux.HandleFunc(mfPortPost, d.mfPost(mfPortEdit, mfPortView, d.mfApplyPort))
}

// mfCheckLogin is POST /checkLogin.cgi [C]: 302 to /portal_top.html on
// success; [I] guess: 302 back to /login.html, which shows the error,
// otherwise.
func (d *Device) mfCheckLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Redirect(w, r, mfLoginPage, http.StatusFound)
		return
	}
	_ = r.ParseForm()
	f := r.PostForm
	if f.Get("i0012") != "1" {
		d.canonFlash(w, r, "Log in in System Manager Mode to change settings.")
		http.Redirect(w, r, mfLoginPage, http.StatusFound)
		return
	}
	user, pin := f.Get("i0014"), f.Get("i0016")
	if d.opts.UI == UICanonPINOnly || f.Has("i2101") {
		user, pin = "", f.Get("i2101")
		if d.opts.UI != UICanonPINOnly {
			user = "\x00" // this firmware asks the ID too
		}
	}
	switch d.canonCheck(user, pin) {
	case LoginOK:
		d.canonEndSession(r)
		d.canonStartSession(w)
		http.Redirect(w, r, mfPortal, http.StatusFound)
	case LoginLockedOut:
		d.canonFlash(w, r, "The System Manager is locked because the number of failed login attempts exceeded the limit. Wait a while, then try again.")
		http.Redirect(w, r, mfLoginPage, http.StatusFound)
	default:
		d.canonFlash(w, r, "The System Manager ID or PIN is incorrect.")
		http.Redirect(w, r, mfLoginPage, http.StatusFound)
	}
}

// mfPost checks the session and the iToken, applies the form and
// answers 302 to the view page [C: 302/200]; a refused value shows the
// edit page again with the error ([I] guess).
func (d *Device) mfPost(edit, view string, apply func(url.Values) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := d.canonLoggedIn(r)
		if s == nil {
			http.Redirect(w, r, mfLoginPage, http.StatusFound)
			return
		}
		if r.Method != http.MethodPost {
			http.Redirect(w, r, edit, http.StatusFound)
			return
		}
		_ = r.ParseForm()
		if !d.canonTokenOK(s.id, r.PostForm.Get("iToken")) {
			// [I] guess: an out-of-date page is refused.
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			fmt.Fprint(w, `<html><head><title>Remote UI</title></head><body><p class="ErrorMessage">Error! The operation could not be performed. The page may be out of date: display it again.</p><a href="`+edit+`">Back</a></body></html>`)
			return
		}
		if d.Faults().RebootOnSave > 0 {
			d.mu.Lock()
			d.rebootNow()
			d.mu.Unlock()
			hangUp(w)
			return
		}
		if msg := apply(r.PostForm); msg != "" {
			d.canonFlash(w, r, msg)
			http.Redirect(w, r, edit, http.StatusFound)
			return
		}
		http.Redirect(w, r, view, http.StatusFound)
	}
}

func (d *Device) mfApplyEmail(f url.Values) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.smtp
	s.Server = strings.TrimSpace(f.Get("i2032"))
	s.From = strings.TrimSpace(f.Get("i2042"))
	pw := d.smtpPW
	if d.opts.UI != UICanonNoAuth {
		s.Auth = AuthNone
		if formOn(f, "i2140") {
			s.Auth = AuthSMTP
		}
		s.User = strings.TrimSpace(f.Get("i2152"))
		if formOn(f, "i2160") {
			pw = f.Get("i2172")
			if len(pw) > d.canonPasswordMax() {
				return fmt.Sprintf("Error! Password: enter up to %d characters.", d.canonPasswordMax())
			}
		}
	}
	if d.opts.SMTPTLS != SMTPTLSNone {
		s.Security = SecurityNone
		if formOn(f, "i2180") {
			s.Security = SecuritySTARTTLS
		}
		s.ValidateCert = formOn(f, "i2190")
	}
	if s.Auth == AuthSMTP && s.User == "" {
		return "Error! SMTP Authentication: enter the user name."
	}
	d.smtp, d.smtpPW = s, pw
	return ""
}

func (d *Device) mfApplyPort(f url.Values) string {
	p, err := strconv.Atoi(strings.TrimSpace(f.Get("i2310")))
	if err != nil || p < 1 || p > 65535 {
		return "Error! SMTP: enter a number from 1 to 65535."
	}
	d.mu.Lock()
	d.smtp.Port = p
	d.mu.Unlock()
	return ""
}

// ---- imageRUNNER ADVANCE ----

const (
	iraLoginPost = "/login"
	iraLogout    = "/logout" // [I] guess
	iraNativeTop = "/rps/nativetop.cgi"
	iraSettings  = "/rps/csettings.cgi" // [I] guess
	iraSMTP      = "/rps/csmtp.cgi"     // [I] guess
	iraPort      = "/rps/cport.cgi"     // [I] guess
)

func (d *Device) routesCanonIRA(mux *http.ServeMux) {
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		if d.canonLoggedIn(r) != nil {
			canonRender(w, canonIRATmpl, "portal", d.canonPage(r, ""))
			return
		}
		canonRender(w, canonIRATmpl, "login", d.canonPage(r, ""))
	})
	mux.HandleFunc(iraLoginPost, d.iraLogin)
	mux.HandleFunc(iraLogout, func(w http.ResponseWriter, r *http.Request) {
		d.canonEndSession(r)
		http.Redirect(w, r, "/", http.StatusFound)
	})
	mux.HandleFunc(iraNativeTop, func(w http.ResponseWriter, r *http.Request) {
		s := d.canonLoggedIn(r)
		if s == nil {
			http.Redirect(w, r, "/", http.StatusFound)
			return
		}
		cs := d.canon()
		cs.mu.Lock()
		v := cs.ir[s.id]
		if v == "" {
			v = randomToken(8)
			cs.ir[s.id] = v
		}
		cs.mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "iR", Value: v, Path: "/"})
		canonRender(w, canonIRATmpl, "settings", d.canonPage(r, ""))
	})
	mux.HandleFunc(iraSettings, d.iraPage("settings", nil))
	mux.HandleFunc(iraSMTP, d.iraPage("smtp", d.iraApplySMTP))
	mux.HandleFunc(iraPort, d.iraPage("port", d.iraApplyPort))
}

// iraLogin is POST /login [C]: a redirect to uri with the sessionid
// cookie on success; a wrong login is no redirect: 200 with the login
// page and the error ([I] guess: the wording).
func (d *Device) iraLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Redirect(w, r, "/", http.StatusFound)
		return
	}
	_ = r.ParseForm()
	f := r.PostForm
	user := f.Get("deptid")
	if (d.opts.UI == UICanonUserAuth) != (f.Get("user_type_generic") == "true") {
		user = "\x00" // the other generation's form never matches
	}
	res := d.canonCheck(user, f.Get("password"))
	if res == LoginOK {
		d.canonEndSession(r)
		d.canonStartSession(w)
		http.Redirect(w, r, iraLocal(f.Get("uri")), http.StatusFound)
		return
	}
	p := d.canonPage(r, "")
	if res == LoginLockedOut {
		p.Flash = "This user is locked because the number of failed login attempts exceeded the limit. Wait a while, then log in again."
	} else if d.opts.UI == UICanonUserAuth {
		p.Flash = "The user name or password is incorrect."
	} else {
		p.Flash = "The System Manager ID or PIN is incorrect."
	}
	canonRender(w, canonIRATmpl, "login", p)
}

// iraLocal keeps a post-login target on this device (uri=/ or %2f).
func iraLocal(u string) string {
	if v, err := url.QueryUnescape(u); err == nil {
		u = v
	}
	if !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") {
		return "/"
	}
	return u
}

// iraPage serves a /rps/ page: both cookies needed [C]; Flag=Init_Data
// shows it with a fresh Token, Flag=Exec_Data (POST) saves it.
func (d *Device) iraPage(page string, apply func(url.Values) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := d.canonLoggedIn(r)
		if s == nil {
			http.Redirect(w, r, "/", http.StatusFound)
			return
		}
		c, err := r.Cookie("iR")
		cs := d.canon()
		cs.mu.Lock()
		ir := cs.ir[s.id]
		cs.mu.Unlock()
		if err != nil || ir == "" || c.Value != ir {
			// [I] guess: without the iR cookie the settings pages
			// send the browser to the top of the settings.
			http.Redirect(w, r, iraNativeTop+"?RUIPNxBundle=&CorePGTAG=PGTAG_CONF_ENV_PAP&Dummy="+strconv.FormatInt(time.Now().UnixMilli(), 10), http.StatusFound)
			return
		}
		_ = r.ParseForm()
		if r.Method == http.MethodPost && r.PostForm.Get("Flag") == "Exec_Data" && apply != nil {
			if !d.canonTokenOK(s.id, r.PostForm.Get("Token")) {
				p := d.canonPage(r, d.canonToken(s.id))
				p.Flash = "The operation could not be performed because the page is out of date. Display it again."
				canonRender(w, canonIRATmpl, page, p)
				return
			}
			if d.Faults().RebootOnSave > 0 {
				d.mu.Lock()
				d.rebootNow()
				d.mu.Unlock()
				hangUp(w)
				return
			}
			p := d.canonPage(r, d.canonToken(s.id))
			if msg := apply(r.PostForm); msg != "" {
				p.Flash = msg
			} else {
				p = d.canonPage(r, d.canonToken(s.id))
				p.Flash = "The settings were applied."
			}
			canonRender(w, canonIRATmpl, page, p)
			return
		}
		canonRender(w, canonIRATmpl, page, d.canonPage(r, d.canonToken(s.id)))
	}
}

func (d *Device) iraApplySMTP(f url.Values) string {
	n := d.iraNames()
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.smtp
	s.Server = strings.TrimSpace(f.Get(n.Server))
	s.From = strings.TrimSpace(f.Get(n.Addr))
	s.Auth = AuthNone
	if f.Get(n.Auth) == "1" {
		s.Auth = AuthSMTP
	}
	s.User = strings.TrimSpace(f.Get(n.User))
	pw := d.smtpPW
	if formOn(f, n.PwChg) {
		pw = f.Get(n.Pw)
		if len(pw) > canonPasswordMax {
			return fmt.Sprintf("Password: enter up to %d characters.", canonPasswordMax)
		}
	}
	if d.opts.SMTPTLS != SMTPTLSNone {
		s.Security = SecurityNone
		if formOn(f, n.TLS) {
			s.Security = SecuritySTARTTLS
		}
		s.ValidateCert = formOn(f, n.Cert)
	}
	if s.Auth == AuthSMTP && s.User == "" {
		return "SMTP Authentication: enter the user name."
	}
	d.smtp, d.smtpPW = s, pw
	return ""
}

func (d *Device) iraApplyPort(f url.Values) string {
	n := d.iraNames()
	p, err := strconv.Atoi(strings.TrimSpace(f.Get(n.TxPort)))
	if err != nil || p < 1 || p > 65535 {
		return "SMTP Send: enter a number from 1 to 65535."
	}
	d.mu.Lock()
	d.smtp.Port = p
	d.mu.Unlock()
	return ""
}

// ---- pages ----

const canonCSS = `<style>body{font-family:sans-serif;margin:0}#header{background:#c00;color:#fff;padding:6px 12px}
#nav{float:left;width:200px;padding:8px}#main{margin-left:220px;padding:8px}
table.form th{text-align:left;font-weight:normal;padding:3px 8px}.ErrorMessage{color:#c00;font-weight:bold}</style>`

var canonMFTmpl = template.Must(template.New("canonmf").Parse(`
{{define "head"}}<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Remote UI: {{.}}</title>` + canonCSS + `</head><body>{{end}}
{{define "top"}}<div id="header">Remote UI <span id="deviceName">{{.Model}}</span>
<a id="logout" href="/logout.cgi" style="color:#fff;float:right">Log Out</a></div>
<div id="nav"><a href="/portal_top.html">Status Monitor/Cancel</a><br><a href="/m_network_top.html">Settings/Registration</a></div>{{end}}
{{define "flash"}}{{if .Flash}}<p class="ErrorMessage" id="errorMessage">{{.Flash}}</p>{{end}}{{end}}

{{define "login"}}{{template "head" "Login"}}
<div id="header">Remote UI <span id="deviceName">{{.Model}}</span></div>
<div id="main"><h1>Login</h1>{{template "flash" .}}
<form name="loginForm" method="post" action="/checkLogin.cgi">
<input type="hidden" name="errText" value="Error!">
<p><input type="radio" name="i0012" id="i0012A" value="1" checked><label for="i0012A">System Manager Mode</label></p>
{{if eq .UI "pin-only"}}<input type="hidden" name="i0017" value="2"><input type="hidden" name="i0019" value="">
<table class="form"><tr><th><label for="i2101">System Manager PIN:</label></th><td><input type="password" name="i2101" id="i2101" maxlength="7" size="10"></td></tr></table>
{{else}}<table class="form"><tr><th><label for="i0014">System Manager ID:</label></th><td><input type="text" name="i0014" id="i0014" maxlength="7" size="10"></td></tr>
<tr><th><label for="i0016">System Manager PIN:</label></th><td><input type="password" name="i0016" id="i0016" maxlength="7" size="10"></td></tr></table>{{end}}
<p><input type="radio" name="i0012" id="i0012B" value="2"><label for="i0012B">General User Mode</label></p>
<p><input type="submit" id="submitButton" value="Log In"></p>
</form></div></body></html>{{end}}

{{define "portal"}}{{template "head" "Portal"}}{{template "top" .}}
<div id="main"><h1>Remote UI: Portal: {{.Model}}</h1>
<table class="form"><tr><th>Device Name:</th><td>{{.Model}}</td></tr><tr><th>Serial Number:</th><td>{{.Serial}}</td></tr>
<tr><th>Device Status:</th><td>Printer: Ready to print. Scanner: Ready to scan.</td></tr></table></div></body></html>{{end}}

{{define "settings"}}{{template "head" "Settings/Registration"}}{{template "top" .}}
<div id="main"><h1>Settings/Registration: Network Settings</h1><ul>
<li><a href="/m_network_port.html">TCP/IP Settings: Port Number Settings</a></li>
<li><a href="/tx_email_ifax.html">E-Mail/I-Fax Settings</a></li></ul></div></body></html>{{end}}

{{define "emailView"}}{{template "head" "E-Mail/I-Fax Settings"}}{{template "top" .}}
<div id="main"><h1>Network Settings: E-Mail/I-Fax Settings</h1>
<p><input type="button" id="editButton" value="Edit..." onclick="location.href='/tx_email_ifax_edit.html'"></p>
<table class="form"><tr><th>SMTP Server:</th><td>{{.SMTP.Server}}</td></tr><tr><th>E-Mail Address:</th><td>{{.SMTP.From}}</td></tr>
<tr><th>Use SMTP Authentication (SMTP AUTH):</th><td>{{if eq .SMTP.Auth "smtp-auth"}}On{{else}}Off{{end}}</td></tr>
<tr><th>Use TLS for SMTP:</th><td>{{if eq .SMTP.Security "starttls"}}On{{else}}Off{{end}}</td></tr></table></div></body></html>{{end}}


{{define "emailEdit"}}{{template "head" "E-Mail/I-Fax Settings"}}{{template "top" .}}
<div id="main"><h1>E-Mail/I-Fax Settings: Edit</h1>{{template "flash" .}}
<form name="editForm" method="post" action="/cgi/tx_email_ifax_edit.cgi">
<input type="hidden" name="iToken" value="{{.Token}}"><input type="hidden" name="errText" value="Error!">
<table class="form">
<tr><th><label for="i2032">SMTP Server:</label></th><td><input type="text" name="i2032" id="i2032" maxlength="48" value="{{.SMTP.Server}}"></td></tr>
<tr><th><label for="i2042">E-Mail Address:</label></th><td><input type="text" name="i2042" id="i2042" maxlength="120" value="{{.SMTP.From}}"></td></tr>
<tr><th><label for="i2052">POP Server:</label></th><td><input type="text" name="i2052" id="i2052" maxlength="48" value=""></td></tr>
<tr><th><label for="i2062">User Name:</label></th><td><input type="text" name="i2062" id="i2062" maxlength="64" value=""></td></tr>
<tr><th><label for="i2070B">Set/Change Password</label></th><td><input type="hidden" name="i2070" id="i2070A" value="0"><input type="checkbox" name="i2070" id="i2070B" value="1" onclick="document.getElementById('i2082').disabled=!this.checked"></td></tr>
<tr><th><label for="i2082">Password:</label></th><td><input type="password" name="i2082" id="i2082" maxlength="32" disabled></td></tr>
<tr><th><label for="i2090B">POP RX</label></th><td><input type="hidden" name="i2090" id="i2090A" value="0"><input type="checkbox" name="i2090" id="i2090B" value="1"></td></tr>
<tr><th><label for="i2102">POP Interval:</label></th><td><input type="text" name="i2102" id="i2102" maxlength="2" value="0"> min</td></tr>
<tr><th><label for="i2120B">POP Authentication Before Sending</label></th><td><input type="hidden" name="i2120" id="i2120A" value="0"><input type="checkbox" name="i2120" id="i2120B" value="1"></td></tr>
<tr><th><label for="i2130B">Use APOP Authentication</label></th><td><input type="hidden" name="i2130" id="i2130A" value="0"><input type="checkbox" name="i2130" id="i2130B" value="1"></td></tr>
{{if .HasAuth}}<tr><th><label for="i2140B">Use SMTP Authentication (SMTP AUTH)</label></th><td><input type="hidden" name="i2140" id="i2140A" value="0"><input type="checkbox" name="i2140" id="i2140B" value="1"{{if eq .SMTP.Auth "smtp-auth"}} checked{{end}}></td></tr>
<tr><th><label for="i2152">User Name:</label></th><td><input type="text" name="i2152" id="i2152" maxlength="64" value="{{.SMTP.User}}"></td></tr>
<tr><th><label for="i2160B">Set/Change Password</label></th><td><input type="hidden" name="i2160" id="i2160A" value="0"><input type="checkbox" name="i2160" id="i2160B" value="1" onclick="document.getElementById('i2172').disabled=!this.checked"></td></tr>
<tr><th><label for="i2172">Password:</label></th><td><input type="password" name="i2172" id="i2172" maxlength="{{.PasswordMax}}" value="{{if .PasswordSet}}********{{end}}" disabled></td></tr>{{end}}
{{if .HasTLS}}<tr><th><label for="i2180B">Use TLS for SMTP</label></th><td><input type="hidden" name="i2180" id="i2180A" value="0"><input type="checkbox" name="i2180" id="i2180B" value="1"{{if eq .SMTP.Security "starttls"}} checked{{end}}></td></tr>
<tr><th><label for="i2190B">Verify Certificate for SMTP TLS</label></th><td><input type="hidden" name="i2190" id="i2190A" value="0"><input type="checkbox" name="i2190" id="i2190B" value="1"{{if .SMTP.ValidateCert}} checked{{end}}></td></tr>
<tr><th><label for="i2200B">Add CN to Verification Items for SMTP TLS</label></th><td><input type="hidden" name="i2200" id="i2200A" value="0"><input type="checkbox" name="i2200" id="i2200B" value="1"></td></tr>
<tr><th><label for="i2210B">Use TLS for POP</label></th><td><input type="hidden" name="i2210" id="i2210A" value="0"><input type="checkbox" name="i2210" id="i2210B" value="1"></td></tr>
<tr><th><label for="i2220B">Verify Certificate for POP TLS</label></th><td><input type="hidden" name="i2220" id="i2220A" value="0"><input type="checkbox" name="i2220" id="i2220B" value="1"></td></tr>
<tr><th><label for="i2230B">Add CN to Verification Items for POP TLS</label></th><td><input type="hidden" name="i2230" id="i2230A" value="0"><input type="checkbox" name="i2230" id="i2230B" value="1"></td></tr>{{end}}
</table>
<p><input type="submit" id="submitButton" value="OK"> <input type="button" value="Cancel" onclick="location.href='/tx_email_ifax.html'"></p>
</form></div></body></html>{{end}}

{{define "portView"}}{{template "head" "Port Number Settings"}}{{template "top" .}}
<div id="main"><h1>TCP/IP Settings: Port Number Settings</h1>
<p><input type="button" id="editButton" value="Edit..." onclick="location.href='/m_network_port_edit.html'"></p>
<table class="form"><tr><th>SMTP:</th><td>{{.SMTP.Port}}</td></tr><tr><th>POP3:</th><td>110</td></tr></table></div></body></html>{{end}}

{{define "portEdit"}}{{template "head" "Port Number Settings"}}{{template "top" .}}
<div id="main"><h1>Port Number Settings: Edit</h1>{{template "flash" .}}
<form name="editForm" method="post" action="/cgi/m_network_port_edit.cgi">
<input type="hidden" name="iToken" value="{{.Token}}"><input type="hidden" name="errText" value="Error!">
<table class="form"><tr><th><label for="i2300">LPD:</label></th><td><input type="text" name="i2300" id="i2300" maxlength="5" value="515"></td></tr>
<tr><th><label for="i2310">SMTP:</label></th><td><input type="text" name="i2310" id="i2310" maxlength="5" value="{{.SMTP.Port}}"></td></tr>
<tr><th><label for="i2320">POP3:</label></th><td><input type="text" name="i2320" id="i2320" maxlength="5" value="110"></td></tr></table>
<p><input type="submit" id="submitButton" value="OK"></p>
</form></div></body></html>{{end}}
`))

var canonIRATmpl = template.Must(template.New("canonira").Parse(`
{{define "head"}}<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Remote UI : {{.}}</title>` + canonCSS + `</head><body>{{end}}
{{define "top"}}<div id="header">{{.Model}} <span style="float:right"><script>document.writeln('<a id="logoutLink" href="/logout" style="color:#fff">Log Out</a>');</script></span></div>
<div id="nav"><a href="/">Portal</a><br><a href="/rps/nativetop.cgi?RUIPNxBundle=&amp;CorePGTAG=PGTAG_CONF_ENV_PAP&amp;Dummy={{.Dummy}}">Settings/Registration</a></div>{{end}}
{{define "flash"}}{{if .Flash}}<p class="ErrorMessage" id="errorMessage">{{.Flash}}</p>{{end}}{{end}}
{{define "rps"}}<input type="hidden" name="Flag" value="Exec_Data"><input type="hidden" name="CoreNXAction" value="./{{.}}"><input type="hidden" name="CoreNXFlag" value="Init_Data">{{end}}

{{define "login"}}{{template "head" "Login"}}
<div id="header">{{.Model}}</div><div id="main"><h1>Login</h1>{{template "flash" .}}
<form name="loginForm" method="post" action="/login">
<input type="hidden" name="uri" value="/">
{{if eq .UI "user-auth"}}<input type="hidden" name="user_type_generic" value="true">
<table class="form"><tr><th><label for="deptid">User Name:</label></th><td><input type="text" name="deptid" id="deptid" maxlength="32"></td></tr>
<tr><th><label for="password">Password:</label></th><td><input type="password" name="password" id="password" maxlength="32"></td></tr></table>
{{else}}<table class="form"><tr><th><label for="deptid">System Manager ID:</label></th><td><input type="text" name="deptid" id="deptid" maxlength="7"></td></tr>
<tr><th><label for="password">System Manager PIN:</label></th><td><input type="password" name="password" id="password" maxlength="7"></td></tr></table>{{end}}
<p><input type="submit" id="submitButton" value="Log In"></p>
</form></div></body></html>{{end}}

{{define "portal"}}{{template "head" "Portal"}}{{template "top" .}}
<div id="main"><h1>Remote UI : Portal</h1><p>Device Name: {{.Model}} / Serial Number: {{.Serial}}</p>
<p>Printer: Ready to print. Scanner: Ready to scan.</p></div></body></html>{{end}}

{{define "settings"}}{{template "head" "Settings/Registration"}}{{template "top" .}}
<div id="main"><h1>Settings/Registration</h1><h2>Preferences: Network Settings</h2><ul>
<li><a href="/rps/cport.cgi?Flag=Init_Data&amp;PageFlag=c_port.tpl&amp;Dummy={{.Dummy}}">TCP/IP Settings: Port Number Settings</a></li>
<li><a href="/rps/csmtp.cgi?Flag=Init_Data&amp;PageFlag=c_smtp.tpl&amp;Dummy={{.Dummy}}">E-Mail/I-Fax Settings: Communication Settings</a></li></ul></div></body></html>{{end}}

{{define "smtp"}}{{template "head" "Communication Settings"}}{{template "top" .}}
<div id="main"><h1>E-Mail/I-Fax Settings: Communication Settings</h1>{{template "flash" .}}
<form name="SMTP_FORM" method="post" action="/rps/csmtp.cgi">
<input type="hidden" name="PageFlag" value="c_smtp.tpl">{{template "rps" "csmtp.cgi"}}<input type="hidden" name="CoreNXPage" value="c_smtp.tpl">
<input type="hidden" name="Dummy" value="{{.Dummy}}"><input type="hidden" name="Token" value="{{.Token}}">
<table class="form">
<tr><th><label for="{{.N.Server}}">SMTP Server:</label></th><td><input type="text" name="{{.N.Server}}" id="{{.N.Server}}" maxlength="48" value="{{.SMTP.Server}}"></td></tr>
<tr><th><label for="{{.N.Addr}}">E-Mail Address:</label></th><td><input type="text" name="{{.N.Addr}}" id="{{.N.Addr}}" maxlength="120" value="{{.SMTP.From}}"></td></tr>
<tr><th>SMTP Authentication (SMTP AUTH):</th><td><input type="radio" name="{{.N.Auth}}" id="{{.N.Auth}}_OFF" value="0"{{if ne .SMTP.Auth "smtp-auth"}} checked{{end}}><label for="{{.N.Auth}}_OFF">Off</label>
<input type="radio" name="{{.N.Auth}}" id="{{.N.Auth}}_ON" value="1"{{if eq .SMTP.Auth "smtp-auth"}} checked{{end}}><label for="{{.N.Auth}}_ON">On</label></td></tr>
<tr><th><label for="{{.N.User}}">User Name:</label></th><td><input type="text" name="{{.N.User}}" id="{{.N.User}}" maxlength="64" value="{{.SMTP.User}}"></td></tr>
<tr><th><label for="{{.N.PwChg}}">Change Password</label></th><td><input type="checkbox" name="{{.N.PwChg}}" id="{{.N.PwChg}}" value="1" onclick="document.getElementById('{{.N.Pw}}').disabled=!this.checked"></td></tr>
<tr><th><label for="{{.N.Pw}}">Password:</label></th><td><input type="password" name="{{.N.Pw}}" id="{{.N.Pw}}" maxlength="{{.PasswordMax}}" value="{{if .PasswordSet}}********{{end}}" disabled></td></tr>
{{if .HasTLS}}<tr><th><label for="{{.N.TLS}}">Allow TLS (SMTP Send)</label></th><td><input type="checkbox" name="{{.N.TLS}}" id="{{.N.TLS}}" value="1"{{if eq .SMTP.Security "starttls"}} checked{{end}}></td></tr>
<tr><th><label for="{{.N.Cert}}">Confirm TLS Certificate for SMTP Send</label></th><td><input type="checkbox" name="{{.N.Cert}}" id="{{.N.Cert}}" value="1"{{if .SMTP.ValidateCert}} checked{{end}}></td></tr>{{end}}
<tr><th><label for="POP_BEFORE">POP Authentication Before Sending</label></th><td><input type="checkbox" name="POP_BEFORE" id="POP_BEFORE" value="1"></td></tr>
</table>
<p><input type="submit" id="submitButton" value="OK"></p></form></div></body></html>{{end}}

{{define "port"}}{{template "head" "Port Number Settings"}}{{template "top" .}}
<div id="main"><h1>TCP/IP Settings: Port Number Settings</h1>{{template "flash" .}}
<form name="PORT_FORM" method="post" action="/rps/cport.cgi">
<input type="hidden" name="PageFlag" value="c_port.tpl">{{template "rps" "cport.cgi"}}<input type="hidden" name="CoreNXPage" value="c_port.tpl">
<input type="hidden" name="Dummy" value="{{.Dummy}}"><input type="hidden" name="Token" value="{{.Token}}">
<table class="form"><tr><th><label for="SMTP_RX_PORT">SMTP Receive:</label></th><td><input type="text" name="SMTP_RX_PORT" id="SMTP_RX_PORT" maxlength="5" value="25"></td></tr>
<tr><th><label for="{{.N.TxPort}}">SMTP Send:</label></th><td><input type="text" name="{{.N.TxPort}}" id="{{.N.TxPort}}" maxlength="5" value="{{.SMTP.Port}}"></td></tr>
<tr><th><label for="POP3_PORT">POP3:</label></th><td><input type="text" name="POP3_PORT" id="POP3_PORT" maxlength="5" value="110"></td></tr></table>
<p><input type="submit" id="submitButton" value="OK"></p></form></div></body></html>{{end}}
`))

// canonModels are the Canon models the simulator adds to the catalogue
// (the iR-ADV C5535 is in catalog.go); Family is the Remote UI each
// serves, which the Canon driver claims from the SNMP identity.
var canonModels = []Model{
	{
		Key: "canon-i-sensys-mf421dw", Vendor: "canon", Model: "MF421dw", Family: FamilyCanonImageClass,
		SysObjectID:  "1.3.6.1.4.1.1602.4.7",
		SysDescr:     "Canon MF420 Series /P",
		HrDeviceDesc: "Canon MF420 Series",
		Firmware:     "03.04",
		SerialPrefix: "XNE", SerialDigits: 5, OUI: [3]byte{0x00, 0x1e, 0x8f},
		AdminUser: CanonSysMgrID, AdminPassword: CanonDefaultPIN, SMTPTLS: "tls12",
		vendorVars: canonVars,
	},
}

// canonSeedModels are the catalogue's first canon models (Catalog keeps their
// place in its order; more are added with RegisterModels).
var canonSeedModels = []Model{
	{
		Key: "canon-ir-adv-c5535", Vendor: "canon", Model: "iR-ADV C5535", Family: "canon/iradvance",
		SysObjectID:  "1.3.6.1.4.1.1602.4.7",
		SysDescr:     "Canon iR-ADV C5535 /P",
		HrDeviceDesc: "Canon iR-ADV C5535",
		Firmware:     "03.07",
		SerialPrefix: "2TX", SerialDigits: 5, OUI: [3]byte{0x00, 0x1e, 0x8f},
		AdminUser: "7654321", AdminPassword: "7654321", SMTPTLS: "tls12",
		vendorVars: canonVars,
	},
}
