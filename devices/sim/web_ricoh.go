package sim

import (
	"encoding/base64"
	"html/template"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Ricoh Web Image Monitor (also badged Savin, Lanier, Gestetner, NRG):
// the family FamilyRicohWIM.
//
// Built from the confirmed facts of docs/vendors-others.md and
// docs/vendors-smtp-pages.md ("Ricoh") and the
// public tools that drive real devices ([C]):
//
//   - "/" answers 200 (Server: Web-Server/<ver>) with a script that sends
//     the browser to /web/guest/<lang>/websys/webArch/mainFrame.cgi; the
//     <lang> segment is reused in every later URL (nmap's
//     http-default-accounts fingerprint).
//   - GET …/webArch/authForm.cgi (cookie cookieOnOffChecker=on) answers
//     the login form with <input type="hidden" name="wimToken"
//     value="…">, and sets the risessionid and wimsesid=-- cookies.
//   - POST …/webArch/login.cgi with wimToken, userid_work=, userid=
//     base64(user), password_work=, password=base64(password), open=
//     answers 302 to …/mainFrame.cgi with a numeric wimsesid cookie on
//     success (nmap). nuclei posts an empty wimToken and PaperCut
//     "--" with the password in plain text: real devices take both, so
//     the login's wimToken is not checked, and a password that is not
//     valid base64 is compared as it is.
//   - A request without any cookie gets the "Cookie Error" page ("Enable
//     cookies in the browser"), 200 (a stored real page).
//   - Admin pages live under /web/entry/<lang>/…; logout is
//     …/webArch/logout.cgi (entry and guest); scripts always call it
//     because an admin session left open blocks the next admin login
//     ("session-full").
//   - Config pages are GET …/websys/config/get<Name>.cgi with their own
//     hidden wimToken and title=MENU_…, posted to set<Name>.cgi.
//
// The rest is [I] (guesses, marked where they are made): the e-mail
// page's name and field names (the labels are Ricoh's), the answers to a
// wrong password, a lock-out and a busy admin session, the lock-out
// policy (5 attempts, released after 60 minutes or a restart), and that
// the e-mail page has no test action.

// FamilyRicohWIM is the Ricoh Web Image Monitor family.
const FamilyRicohWIM = "ricoh/wim"

// UIRicohSSLOnly is older Web Image Monitor firmware whose "Use Secure
// Connection (SSL)" is On/Off: implicit SSL (465) only, no STARTTLS.
// [I] guess from Ricoh guides of the MP C2x03 era; newer firmware offers
// Off / SSL / STARTTLS.
const UIRicohSSLOnly = "ssl-only"

// RicohLockoutWindow is how long the simulated Web Image Monitor keeps
// the administrator locked out ([I] guess: Ricoh's "Lockout Release
// Timer" factory value); a power-cycle clears it too.
const RicohLockoutWindow = 60 * time.Minute

const (
	ricohServer  = "Web-Server/3.0"
	ricohLangDef = "en"
)

// ricohState is the Web Image Monitor's own state beside Device's.
type ricohState struct {
	mu sync.Mutex
	// lockedAt is when the admin was locked out (zero: not, or locked
	// by the LockedOut fault, which only a power-cycle ends).
	lockedAt time.Time
	// authAddr is "SMTP Auth. Email Address"; authEnc "SMTP Auth.
	// Encryption" (auto, active, inactive).
	authAddr string
	authEnc  string
	// tokens are the wimTokens issued per session id (the last page's).
	tokens map[string]string
}

var ricohStates sync.Map // *Device → *ricohState

// The Web Image Monitor family and the Ricoh-made models the simulator
// serves it for (badges included). SNMP identities follow the LibreNMS
// recordings in devices/testdata/snmprec (sysObjectID 367.1.1, sysDescr
// "<BADGE> <model> <fw> / <BADGE> Network Printer C model / …", the model,
// firmware and serial at Ricoh's private OIDs); the IM C4500's text is
// the same pattern ([I]: no recording of an IM model).
func init() {
	ln := LongTail
	RegisterWebAdmin(WebAdmin{
		Family: FamilyRicohWIM, Maker: "Ricoh", Organization: "RICOH COMPANY,LTD.",
		UIs:    []string{UIRicohSSLOnly},
		Server: ricohServer,
		Routes: func(d *Device, mux *http.ServeMux) { d.routesRicohWIM(mux) },
		// [I] guess: Web Image Monitor pages are a little slower than
		// ConnectKey's; saves take a few seconds.
		Latency: Latency{Page: ln(800*time.Millisecond, 0.5), Asset: ln(200*time.Millisecond, 0.5), Save: ln(3*time.Second, 0.6)},
	})
	// The catalogue's two Ricoh-made models (catalog.go) serve these
	// pages too.
	catMu.Lock()
	for i, m := range Catalog {
		if m.Vendor == "ricoh" && m.ServedFamily() == "" {
			Catalog[i].Family = FamilyRicohWIM
		}
	}
	catMu.Unlock()
	ricohModel := func(key, brand, model, fw, descrTail, prefix string) Model {
		b := "RICOH"
		if brand != "" {
			b = strings.ToUpper(brand)
			if brand == "Gestetner" {
				b = brand // as its recording writes it
			}
		}
		return Model{
			Key: key, Vendor: "ricoh", Brand: brand, Model: model, Family: FamilyRicohWIM,
			SysObjectID:  "1.3.6.1.4.1.367.1.1",
			SysDescr:     b + " " + model + " " + fw + " / " + strings.ReplaceAll(descrTail, "{B}", b),
			HrDeviceDesc: b + " " + model,
			Firmware:     fw,
			SerialPrefix: prefix, SerialDigits: 6, OUI: [3]byte{0x00, 0x26, 0x73},
			AdminUser: "admin", SMTPTLS: SMTPTLS12,
			vendorVars: ricohVars,
		}
	}
	const mfp = "{B} Network Printer C model / {B} Network Scanner C model / {B} Network Facsimile C model"
	imC4500 := ricohModel("ricoh-im-c4500", "", "IM C4500", "1.03", mfp, "3100R")
	imC4500.PasswordIsSerial = true // newer IM models: the serial number (Praeda II, tested on an IM C4500)
	mpC2003 := ricohModel("ricoh-mp-c2003", "", "MP C2003", "1.12", mfp, "E155M")
	mpC2003.UI = UIRicohSSLOnly // [I] guess: SSL On/Off only
	aficio := ricohModel("ricoh-aficio-mp-201", "", "Aficio MP 201", "1.04", "{B} Network Printer C model / {B} Network Scanner C model", "K206")
	aficio.SMTPTLS = SMTPTLSNone // [I] guess: 2006 firmware, no SMTP encryption
	RegisterModels(
		imC4500, mpC2003, aficio,
		ricohModel("lanier-mp-c3501", "Lanier", "MP C3501/LD635C", "2.01", mfp, "V2205"),
		ricohModel("gestetner-mpc2500", "Gestetner", "MPC2500/DSc525", "1.71", mfp, "M6394"),
		ricohModel("nrg-sp-4210n", "NRG", "SP 4210N", "1.05", "{B} Network Printer C model", "Z3809"),
	)
}

func (d *Device) ricoh() *ricohState {
	if v, ok := ricohStates.Load(d); ok {
		return v.(*ricohState)
	}
	v, _ := ricohStates.LoadOrStore(d, &ricohState{authEnc: "auto", tokens: map[string]string{}})
	return v.(*ricohState)
}

// ricohFields are one firmware's field names on the e-mail page ([I]
// guesses; AltLayout serves the other set, same labels).
type ricohFields struct {
	Admin, Server, Port, SSL, Auth, AuthAddr, User, Password, AuthEnc, PopBefore string
	UserID, Passwd                                                               string // login page, visible fields
}

var ricohLayouts = map[bool]ricohFields{
	false: {Admin: "adminMailAddress", Server: "smtpServerName", Port: "smtpPortNo", SSL: "smtpSsl", Auth: "smtpAuth",
		AuthAddr: "smtpAuthMailAddress", User: "smtpAuthUserName", Password: "smtpAuthPassword", AuthEnc: "smtpAuthEncrypt",
		PopBefore: "popBeforeSmtp", UserID: "userid_work", Passwd: "password_work"},
	true: {Admin: "mailAdminAddr", Server: "smtpSvName", Port: "smtpPort", SSL: "smtpSecure", Auth: "smtpAuthOnOff",
		AuthAddr: "smtpAuthAddr", User: "smtpAuthUser", Password: "smtpAuthPw", AuthEnc: "smtpAuthEnc",
		PopBefore: "popBefore", UserID: "userid_work", Passwd: "password_work"},
}

func (d *Device) ricohFields() ricohFields { return ricohLayouts[d.Faults().AltLayout] }

// ricohNumber is a numeric token or session id, as the device issues
// them (wimsesid must be digits: nmap checks it).
func ricohNumber() string { return strconv.FormatUint(1_000_000_000+rand.Uint64N(8_999_999_999), 10) }

func (d *Device) routesRicohWIM(mux *http.ServeMux) {
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		d.ricohRender(w, "root", &ricohPage{Lang: ricohLangDef})
	})
	const pre = "/web/{mode}/{lang}/websys/"
	mux.HandleFunc(pre+"webArch/mainFrame.cgi", d.ricohMainFrame)
	mux.HandleFunc(pre+"webArch/topPage.cgi", d.ricohMainFrame)
	mux.HandleFunc(pre+"webArch/authForm.cgi", d.ricohAuthForm)
	mux.HandleFunc(pre+"webArch/login.cgi", d.ricohLogin)
	mux.HandleFunc(pre+"webArch/logout.cgi", d.ricohLogout)
	mux.HandleFunc(pre+"webArch/configList.cgi", d.ricohAdmin("configList"))
	mux.HandleFunc(pre+"config/getEmail.cgi", d.ricohAdmin("email"))
	mux.HandleFunc(pre+"easySecurity/getEasySecurity.cgi", d.ricohAdmin("easySecurity"))
	mux.HandleFunc(pre+"config/setEmail.cgi", d.ricohSetEmail)
	mux.HandleFunc(pre+"webArch/message.cgi", func(w http.ResponseWriter, r *http.Request) {
		d.ricohRender(w, "message", &ricohPage{Lang: r.PathValue("lang"), Title: "Message", Message: r.URL.Query().Get("messageID")})
	})
}

type ricohPage struct {
	Model, Brand, Lang, Mode string
	Admin                    bool
	Token                    string
	Title                    string
	Message                  string
	Error                    string
	F                        ricohFields
	S                        SMTPSettings
	AuthAddr, AuthEnc        string
	PasswordSet              bool
	Encrypt                  bool
	SSLOnly                  bool
	SecValue                 string
	Back                     string
}

func (d *Device) ricohRender(w http.ResponseWriter, page string, p *ricohPage) {
	p.Model = d.opts.Model
	p.Brand = "RICOH"
	if b, _, ok := strings.Cut(d.opts.Model, " "); ok && strings.ToUpper(b) == b && b != "MP" && b != "IM" && b != "SP" {
		p.Brand = b // "SAVIN MP C4503": the badge's logo
	}
	if p.Lang == "" {
		p.Lang = ricohLangDef
	}
	render(w, ricohTemplates, page, p)
}

// ricohSession returns the request's live admin session (wimsesid), or
// nil.
func (d *Device) ricohSession(r *http.Request) *session {
	c, err := r.Cookie("wimsesid")
	if err != nil || c.Value == "--" || c.Value == "" {
		return nil
	}
	s := d.lookupSession(c.Value)
	if s == nil || !d.isAdmin(s) {
		return nil
	}
	return s
}

func (d *Device) ricohMainFrame(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	s := d.ricohSession(r)
	if r.PathValue("mode") == "entry" && s == nil {
		// [I] guess: an entry page without a live admin session goes
		// back to the guest top page.
		http.Redirect(w, r, "/web/guest/"+lang+"/websys/webArch/mainFrame.cgi", http.StatusFound)
		return
	}
	d.ricohRender(w, "main", &ricohPage{Lang: lang, Admin: s != nil, Mode: r.PathValue("mode"), Title: "Top Page"})
}

// ricohNeedsCookie answers the Cookie Error page when the browser sent no
// cookie at all (a stored real login.cgi answer).
func (d *Device) ricohNeedsCookie(w http.ResponseWriter, r *http.Request) bool {
	if len(r.Cookies()) > 0 {
		return false
	}
	d.ricohRender(w, "cookieError", &ricohPage{Lang: r.PathValue("lang"), Title: "Cookie Error"})
	return true
}

func (d *Device) ricohAuthForm(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie("risessionid"); err != nil {
		http.SetCookie(w, &http.Cookie{Name: "risessionid", Value: ricohNumber(), Path: "/"})
	}
	if _, err := r.Cookie("wimsesid"); err != nil {
		http.SetCookie(w, &http.Cookie{Name: "wimsesid", Value: "--", Path: "/"})
	}
	d.ricohLoginForm(w, r, "")
}

func (d *Device) ricohLoginForm(w http.ResponseWriter, r *http.Request, msg string) {
	d.ricohRender(w, "login", &ricohPage{Lang: r.PathValue("lang"), Token: ricohNumber(), Title: "Login", Error: msg, F: d.ricohFields()})
}

// Messages of the login page ([I] guesses at Ricoh's wording).
const (
	ricohMsgBad    = "Login user name or login password is not correct."
	ricohMsgLocked = "This user is currently locked out. Too many login attempts failed. Wait until the lockout is released or contact the administrator."
	ricohMsgBusy   = "Cannot log in because another administrator is currently logged in. Please try again later."
)

// ricohDecode decodes a base64 login field; a value that is not base64
// is taken as it is (PaperCut posts the password in plain text).
func ricohDecode(v string) string {
	if b, err := base64.StdEncoding.DecodeString(v); err == nil {
		return string(b)
	}
	return v
}

func (d *Device) ricohLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Redirect(w, r, "authForm.cgi", http.StatusFound)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	if d.ricohNeedsCookie(w, r) {
		return
	}
	lang := r.PathValue("lang")
	user, pw := ricohDecode(r.PostForm.Get("userid")), ricohDecode(r.PostForm.Get("password"))
	st := d.ricoh()
	// The lock-out release timer.
	st.mu.Lock()
	release := !st.lockedAt.IsZero() && time.Since(st.lockedAt) >= RicohLockoutWindow
	if release {
		st.lockedAt = time.Time{}
	}
	st.mu.Unlock()
	if release {
		d.mu.Lock()
		if !d.faults.LockedOut {
			d.locked, d.failed = false, 0
		}
		d.mu.Unlock()
	}
	wasLocked := d.LockedOut()
	switch d.checkAdmin(user, pw) {
	case LoginLockedOut:
		d.ricohLoginForm(w, r, ricohMsgLocked)
		return
	case LoginBadCredentials:
		if !wasLocked && d.LockedOut() {
			st.mu.Lock()
			st.lockedAt = time.Now()
			st.mu.Unlock()
		}
		d.ricohLoginForm(w, r, ricohMsgBad)
		return
	}
	// One administrator at a time: a live admin session elsewhere (a
	// browser, a run that was killed) makes the login fail as busy; it
	// is not a failed login.
	now := time.Now()
	d.mu.Lock()
	for id, s := range d.sessions {
		if now.Sub(s.lastUsed) > d.opts.SessionTTL {
			delete(d.sessions, id)
			continue
		}
		if s.admin {
			d.mu.Unlock()
			d.log.Info("admin login refused: another admin session is open")
			d.ricohLoginForm(w, r, ricohMsgBusy)
			return
		}
	}
	s := &session{id: ricohNumber(), csrf: ricohNumber(), admin: true, lastUsed: now}
	d.sessions[s.id] = s
	d.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: "wimsesid", Value: s.id, Path: "/"})
	w.Header().Set("Location", "/web/entry/"+lang+"/websys/webArch/mainFrame.cgi")
	w.WriteHeader(http.StatusFound)
}

func (d *Device) ricohLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie("wimsesid"); err == nil && c.Value != "--" {
		d.dropSession(c.Value)
		st := d.ricoh()
		st.mu.Lock()
		delete(st.tokens, c.Value)
		st.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: "wimsesid", Value: "--", Path: "/"})
	http.Redirect(w, r, "/web/guest/"+r.PathValue("lang")+"/websys/webArch/mainFrame.cgi", http.StatusFound)
}

// ricohAdmin serves an admin page; without a live admin session it sends
// the browser to the guest top page ([I] guess).
func (d *Device) ricohAdmin(page string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lang := r.PathValue("lang")
		s := d.ricohSession(r)
		if s == nil || r.PathValue("mode") != "entry" {
			http.Redirect(w, r, "/web/guest/"+lang+"/websys/webArch/mainFrame.cgi", http.StatusFound)
			return
		}
		p := &ricohPage{Lang: lang, Admin: true, Mode: "entry", Title: "Configuration"}
		if page == "email" {
			d.ricohEmailPage(p, s)
		}
		d.ricohRender(w, page, p)
	}
}

func (d *Device) ricohEmailPage(p *ricohPage, s *session) {
	st := d.ricoh()
	p.Title = "Email"
	p.Token = ricohNumber()
	st.mu.Lock()
	st.tokens[s.id] = p.Token
	p.AuthAddr, p.AuthEnc = st.authAddr, st.authEnc
	st.mu.Unlock()
	p.F = d.ricohFields()
	p.S = d.SMTP()
	p.PasswordSet = p.S.PasswordSet
	p.Encrypt = d.opts.SMTPTLS != SMTPTLSNone
	p.SSLOnly = d.opts.UI == UIRicohSSLOnly
	switch d.effectiveSecurity(p.S) {
	case SecurityTLS:
		p.SecValue = "ssl"
	case SecuritySTARTTLS, SecuritySTARTTLSIfAvail:
		p.SecValue = "starttls"
	default:
		p.SecValue = "off"
	}
}

func (d *Device) ricohSetEmail(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	if r.Method != http.MethodPost {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	s := d.ricohSession(r)
	if s == nil || r.PathValue("mode") != "entry" {
		http.Redirect(w, r, "/web/guest/"+lang+"/websys/webArch/mainFrame.cgi", http.StatusFound)
		return
	}
	st := d.ricoh()
	st.mu.Lock()
	want := st.tokens[s.id]
	delete(st.tokens, s.id) // one use
	st.mu.Unlock()
	back := "/web/entry/" + lang + "/websys/config/getEmail.cgi"
	if tok := r.PostForm.Get("wimToken"); tok == "" || tok != want {
		// [I] guess: a stale or missing wimToken is refused with an
		// error page, nothing saved.
		d.ricohRender(w, "message", &ricohPage{Lang: lang, Admin: true, Title: "Error", Error: "The page has expired or the operation is invalid. Open the page again.", Back: back})
		return
	}
	msg, ok := d.ricohApply(r.PostForm)
	if !ok && msg == "" {
		hangUp(w) // rebooting
		return
	}
	p := &ricohPage{Lang: lang, Admin: true, Title: "Email", Back: back}
	if ok {
		p.Message = msg
	} else {
		p.Error = msg
	}
	d.ricohRender(w, "message", p)
}

// ricohApply validates and applies the e-mail form. ("", false) means
// the device rebooted.
func (d *Device) ricohApply(form url.Values) (string, bool) {
	f := d.ricohFields()
	st := d.ricoh()
	st.mu.Lock()
	authAddr, authEnc := st.authAddr, st.authEnc
	st.mu.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.faults.RebootOnSave > 0 {
		d.rebootNow()
		return "", false
	}
	n := d.smtp
	pw := d.smtpPW
	has := func(k string) bool { _, ok := form[k]; return ok }
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	if has(f.Server) {
		n.Server = get(f.Server)
		if len(n.Server) > 127 {
			return "SMTP Server Name: the value is too long.", false
		}
	}
	if has(f.Port) {
		p, err := strconv.Atoi(get(f.Port))
		if err != nil || p < 1 || p > 65535 {
			return "SMTP Port No.: the value entered is out of range (1-65535). The settings were not changed.", false
		}
		n.Port = p
	}
	if has(f.Admin) {
		n.From = get(f.Admin)
		if n.From != "" && !strings.Contains(n.From, "@") {
			return "Administrator Email Address: the value entered is not valid. The settings were not changed.", false
		}
	}
	if has(f.SSL) {
		if d.opts.SMTPTLS == SMTPTLSNone {
			return "Use Secure Connection (SSL) cannot be set on this machine.", false
		}
		switch form.Get(f.SSL) {
		case "off":
			n.Security = SecurityNone
		case "ssl", "on":
			n.Security = SecurityTLS
		case "starttls":
			if d.opts.UI == UIRicohSSLOnly {
				return "Use Secure Connection (SSL): the value is invalid.", false
			}
			n.Security = SecuritySTARTTLS
		default:
			return "Use Secure Connection (SSL): the value is invalid.", false
		}
	}
	if has(f.Auth) {
		switch form.Get(f.Auth) {
		case "on":
			n.Auth = AuthSMTP
		case "off":
			n.Auth = AuthNone
		default:
			return "SMTP Authentication: the value is invalid.", false
		}
	}
	if has(f.AuthAddr) {
		authAddr = get(f.AuthAddr)
	}
	if has(f.AuthEnc) {
		switch v := form.Get(f.AuthEnc); v {
		case "auto", "active", "inactive":
			authEnc = v
		default:
			return "SMTP Auth. Encryption: the value is invalid.", false
		}
	}
	if has(f.User) {
		n.User = get(f.User)
		if len(n.User) > 191 {
			return "SMTP Auth. User Name: the value is too long.", false
		}
	}
	// [I] guess: an empty password field keeps the stored password.
	if v := form.Get(f.Password); v != "" {
		if len(v) > 128 {
			return "SMTP Auth. Password: the value is too long.", false
		}
		pw = v
	}
	d.smtp = n
	d.smtpPW = pw
	st.mu.Lock() // order: d.mu, then st.mu (never the other way)
	st.authAddr, st.authEnc = authAddr, authEnc
	st.mu.Unlock()
	d.log.Info("SMTP settings saved", "server", n.Server, "port", n.Port, "security", n.Security, "auth", n.Auth, "user", n.User, "password_set", pw != "")
	return "The settings have been updated.", true
}

var ricohTemplates = template.Must(template.New("ricoh").Funcs(template.FuncMap{
	"sel": func(a, b string) template.HTMLAttr {
		if a == b {
			return "selected"
		}
		return ""
	},
	"chk": func(b bool) template.HTMLAttr {
		if b {
			return "checked"
		}
		return ""
	},
}).Parse(`
{{define "top"}}<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>Web Image Monitor{{if .Title}} - {{.Title}}{{end}}</title>
<style>body{font-family:sans-serif;margin:0}#frameHead{background:#eee;padding:6px;border-bottom:2px solid #c00}
#logo h1,#logo h2,#logo h3{display:inline;margin-right:12px;font-size:16px}#rightAreaBox{float:right}
#main{padding:10px}.err{color:#c00;border:1px solid #c00;padding:6px;margin:6px 0}.msg{background:#ffd;border:1px solid #cc9;padding:6px;margin:6px 0}
table.set td{padding:3px 8px}h4{background:#ddd;padding:3px}</style></head><body>
<div id="frameHead"><div id="logoArea"><div id="logo"><h1>{{.Brand}}</h1><h2 id="modelName">{{.Model}}</h2><h3 id="tradeName">Web Image Monitor</h3></div></div>
<div id="rightArea"><div id="rightAreaBox">{{if .Admin}}<span id="loginUser">Administrator</span> <a id="logoutLink" href="/web/entry/{{.Lang}}/websys/webArch/logout.cgi">Logout</a>{{else}}<a id="loginLink" href="/web/guest/{{.Lang}}/websys/webArch/authForm.cgi">Login</a>{{end}}</div></div></div>
<div id="main">
{{end}}

{{define "bottom"}}</div></body></html>{{end}}

{{define "root"}}<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<noscript><meta http-equiv="refresh" content="1; URL=/web/guest/{{.Lang}}/websys/webArch/message.cgi?messageID=MSG_JAVASCRIPTOFF&buttonURL=/../../../"></noscript>
<script language="JavaScript" type="text/javascript">
document.cookie = "cookieOnOffChecker=on; path=/";
location.href="/web/guest/{{.Lang}}/websys/webArch/mainFrame.cgi";
</script></head><body></body></html>{{end}}

{{define "main"}}{{template "top" .}}
<h3>{{if .Admin}}Administrator{{else}}Guest{{end}}</h3>
<ul id="menu">
<li><a href="/web/{{if .Admin}}entry{{else}}guest{{end}}/{{.Lang}}/websys/webArch/topPage.cgi">Home</a></li>
<li><a href="/web/{{if .Admin}}entry{{else}}guest{{end}}/{{.Lang}}/websys/webArch/jobList.cgi">Job</a></li>
{{if .Admin}}<li>Device Management<ul><li><a id="configLink" href="/web/entry/{{.Lang}}/websys/webArch/configList.cgi">Configuration</a></li>
<li><a href="/web/entry/{{.Lang}}/websys/webArch/mainFrame.cgi?open=websys/easySecurity/getEasySecurity.cgi">Easy Security Settings</a></li></ul></li>{{end}}
</ul>
<p>Status: Ready</p>
{{template "bottom" .}}{{end}}

{{define "cookieError"}}{{template "top" .}}
<div>Cookie Error</div><div>Error</div><div class="responseMessage">Enable cookies in the browser.</div>
<form name="form1"><input type="hidden" name="wimToken" value="1727646085"><a href="/web/guest/{{.Lang}}/websys/webArch/mainFrame.cgi">OK</a></form>
{{template "bottom" .}}{{end}}

{{define "login"}}{{template "top" .}}
<h3>Login</h3>
{{if .Error}}<div class="err" id="errorMessage">{{.Error}}</div>{{end}}
<form name="form1" method="post" action="login.cgi" onsubmit="return doLogin(this)">
<input type="hidden" name="wimToken" value="{{.Token}}">
<table class="set">
<tr><td><label for="{{.F.UserID}}">Login User Name</label></td><td><input type="text" id="{{.F.UserID}}" name="{{.F.UserID}}" value="" maxlength="32"></td></tr>
<tr><td><label for="{{.F.Passwd}}">Login Password</label></td><td><input type="password" id="{{.F.Passwd}}" name="{{.F.Passwd}}" value="" maxlength="128"></td></tr>
</table>
<input type="hidden" name="userid" value=""><input type="hidden" name="password" value=""><input type="hidden" name="open" value="">
<input type="submit" id="loginButton" value="Login"> <input type="button" value="Cancel" onclick="location.href='mainFrame.cgi'">
</form>
<script>
function b64(s){return btoa(unescape(encodeURIComponent(s)));}
function doLogin(f){
  const u = f.elements[{{.F.UserID}}], p = f.elements[{{.F.Passwd}}];
  f.elements["userid"].value = b64(u.value);
  f.elements["password"].value = b64(p.value);
  u.value = ""; p.value = "";
  return true;
}
</script>
{{template "bottom" .}}{{end}}

{{define "configList"}}{{template "top" .}}
<h3>Configuration</h3>
<table class="set" id="configList">
<tr><th>Device Settings</th><th>Network</th><th>Security</th></tr>
<tr><td><a href="/web/entry/{{.Lang}}/websys/config/getSystem.cgi">System</a></td><td><a href="/web/entry/{{.Lang}}/websys/config/getIPv4.cgi">IPv4</a></td><td><a href="/web/entry/{{.Lang}}/websys/config/getUserLockout.cgi">User Lockout Policy</a></td></tr>
<tr><td><a href="/web/entry/{{.Lang}}/websys/config/getDateTime.cgi">Date/Time</a></td><td><a href="/web/entry/{{.Lang}}/websys/config/getSNMP.cgi">SNMP</a></td><td><a href="/web/entry/{{.Lang}}/websys/config/getSSLTLS.cgi">SSL/TLS</a></td></tr>
<tr><td><a id="emailLink" href="/web/entry/{{.Lang}}/websys/config/getEmail.cgi">Email</a></td><td></td><td></td></tr>
<tr><td><a href="/web/entry/{{.Lang}}/websys/config/getAutoEmail.cgi">Auto Email Notification</a></td><td></td><td></td></tr>
</table>
{{template "bottom" .}}{{end}}

{{define "email"}}{{template "top" .}}
<h3>Email</h3>
<form name="form1" method="post" action="setEmail.cgi">
<input type="hidden" name="wimToken" value="{{.Token}}"><input type="hidden" name="title" value="MENU_EMAIL">
<h4>Common Settings</h4>
<table class="set">
<tr><td><label for="{{.F.Admin}}">Administrator Email Address</label></td><td><input type="text" id="{{.F.Admin}}" name="{{.F.Admin}}" value="{{.S.From}}" maxlength="128"></td></tr>
</table>
<h4>SMTP</h4>
<table class="set">
<tr><td><label for="{{.F.Server}}">SMTP Server Name</label></td><td><input type="text" id="{{.F.Server}}" name="{{.F.Server}}" value="{{.S.Server}}" maxlength="127"></td></tr>
<tr><td><label for="{{.F.Port}}">SMTP Port No.</label></td><td><input type="text" id="{{.F.Port}}" name="{{.F.Port}}" value="{{.S.Port}}" maxlength="5"></td></tr>
{{if .Encrypt}}<tr><td><label for="{{.F.SSL}}">Use Secure Connection (SSL)</label></td><td><select id="{{.F.SSL}}" name="{{.F.SSL}}">
{{if .SSLOnly}}<option value="off" {{sel .SecValue "off"}}>Off</option><option value="on" {{sel .SecValue "ssl"}}>On</option>
{{else}}<option value="off" {{sel .SecValue "off"}}>Off</option><option value="ssl" {{sel .SecValue "ssl"}}>SSL</option><option value="starttls" {{sel .SecValue "starttls"}}>STARTTLS</option>{{end}}
</select></td></tr>{{end}}
<tr><td>SMTP Authentication</td><td><label><input type="radio" name="{{.F.Auth}}" value="on" {{chk (eq .S.Auth "smtp-auth")}}>On</label> <label><input type="radio" name="{{.F.Auth}}" value="off" {{chk (ne .S.Auth "smtp-auth")}}>Off</label></td></tr>
<tr><td><label for="{{.F.AuthAddr}}">SMTP Auth. Email Address</label></td><td><input type="text" id="{{.F.AuthAddr}}" name="{{.F.AuthAddr}}" value="{{.AuthAddr}}" maxlength="128"></td></tr>
<tr><td><label for="{{.F.User}}">SMTP Auth. User Name</label></td><td><input type="text" id="{{.F.User}}" name="{{.F.User}}" value="{{.S.User}}" maxlength="191"></td></tr>
<tr><td><label for="{{.F.Password}}">SMTP Auth. Password</label></td><td><input type="password" id="{{.F.Password}}" name="{{.F.Password}}" value="" maxlength="128" autocomplete="off">{{if .PasswordSet}} <span class="pwNote">(Password is set)</span>{{end}}</td></tr>
<tr><td><label for="{{.F.AuthEnc}}">SMTP Auth. Encryption</label></td><td><select id="{{.F.AuthEnc}}" name="{{.F.AuthEnc}}"><option value="auto" {{sel .AuthEnc "auto"}}>Auto Select</option><option value="active" {{sel .AuthEnc "active"}}>Active</option><option value="inactive" {{sel .AuthEnc "inactive"}}>Inactive</option></select></td></tr>
<tr><td>POP before SMTP</td><td><label><input type="radio" name="{{.F.PopBefore}}" value="on">On</label> <label><input type="radio" name="{{.F.PopBefore}}" value="off" checked>Off</label></td></tr>
</table>
<p><input type="submit" id="okButton" value="OK"> <input type="button" value="Cancel" onclick="location.href='/web/entry/{{.Lang}}/websys/webArch/configList.cgi'"></p>
</form>
{{template "bottom" .}}{{end}}

{{define "easySecurity"}}{{template "top" .}}
<h3>Easy Security Settings</h3>
<p>[I] guess: a placeholder; only its address is confirmed (public scripts read it as the first admin-only page).</p>
{{template "bottom" .}}{{end}}

{{define "message"}}{{template "top" .}}
<h3>{{.Title}}</h3>
{{if .Error}}<div class="err" id="errorMessage">{{.Error}}</div>{{end}}
{{if .Message}}<div class="msg" id="resultMessage">{{.Message}}</div>{{end}}
{{if .Back}}<p><a href="{{.Back}}">OK</a></p>{{end}}
{{template "bottom" .}}{{end}}
`))

// ricohSeedModels are the catalogue's first ricoh models (Catalog keeps their
// place in its order; more are added with RegisterModels).
var ricohSeedModels = []Model{
	{
		Key: "ricoh-mp-c3004", Vendor: "ricoh", Model: "MP C3004", Family: "",
		SysObjectID:  "1.3.6.1.4.1.367.1.1",
		SysDescr:     "RICOH MP C3004 1.07 / RICOH Network Printer C model / RICOH Network Scanner C model / RICOH Network Facsimile C model",
		HrDeviceDesc: "RICOH MP C3004",
		Firmware:     "1.07",
		SerialPrefix: "C716R", SerialDigits: 6, OUI: [3]byte{0x00, 0x26, 0x73},
		AdminUser: "admin", AdminPassword: "", SMTPTLS: "tls12",
		vendorVars: ricohVars,
	},
	{
		Key: "savin-mp-c4503", Vendor: "ricoh", Brand: "Savin", Model: "MP C4503", Family: "",
		SysObjectID:  "1.3.6.1.4.1.367.1.1",
		SysDescr:     "SAVIN MP C4503 1.18 / SAVIN Network Printer C model / SAVIN Network Scanner C model / SAVIN Network Facsimile C model",
		HrDeviceDesc: "SAVIN MP C4503",
		Firmware:     "1.18",
		SerialPrefix: "G186R", SerialDigits: 6, OUI: [3]byte{0x00, 0x26, 0x73},
		AdminUser: "admin", AdminPassword: "", SMTPTLS: "tls12",
		vendorVars: ricohVars,
	},
}
