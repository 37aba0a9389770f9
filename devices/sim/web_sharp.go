package sim

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mfpfleet/mfpfleet/devices/snmprec"
)

// Sharp native MX/BP web admin: the family FamilySharpMX.
//
// Built from the confirmed facts of docs/vendors-smtp-pages.md ("Sharp")
// and the public tools that drive real devices ([C]):
//
//   - Every admin page goes through /login.html?/<target page> with the
//     cookie MFPSESSIONID and a hidden token2 that is fresh in every form
//     the device renders: a stale token2 fails.
//   - Three login variants across firmware:
//     (a) UISharpRole (MX-M6071): ggt_select(10009)=3 (Administrator),
//     ggt_textbox(10003)=<pw>, action=loginbtn, token2, ordinate=0,
//     ggt_hidden(10008)=5 → 302 to the target;
//     (b) UIClassic (MX-2640N): ggt_textbox(10002)=<user>,
//     ggt_textbox(10003)=<pw>, ggt_select(10004)=0, action=loginbtn,
//     ordinate=0, ggt_hidden(10008)=0 → 302 to main.html;
//     (c) UISharpAdminLogin (newer UI): POST /login.html
//     action=adminloginbtn, ggt_hidden(10008)=2, then
//     ggt_textbox(10006)=<pw>, action=loginbtn, ggt_hidden(10008)=3, a
//     fresh token2 each time; success is a page with "Machine
//     Identification".
//   - The factory login is admin/admin.
//   - SMTP page /nw_service_smtp.html (MX-2640N ids): ggt_textbox(1)
//     Primary Server, (2) Secondary Server, (3) Port, (4) Timeout, (5)
//     Reply Address, ggt_checkbox(6) SMTP Authentication, ggt_textbox(7)
//     user, (8) password (rendered masked: posting the mask back keeps
//     the stored password), ggt_checkbox(9) POP before SMTP, …,
//     ggt_checkbox(22) Enable SSL; checkboxes are sent =1 when on and
//     left out when off; ordinate=0. The connection test is the same
//     POST with action=testButton: it tests the posted values without
//     saving them.
//   - Ids differ between firmware: a driver maps labels to ids from the
//     page (the AltLayout fault and UISharpRole serve other ids).
//
// [I] guesses, marked where they are made: the save action name
// (submitbtn), the answers to a wrong password, a lock-out and a stale
// token, the lock-out policy, the logout page, what "Enable SSL" means per
// port, the ids of other firmware.

// FamilySharpMX is the Sharp native MX/BP web admin family.
const FamilySharpMX = "sharp/mx"

// Sharp firmware variants of the login (UIClassic is variant b).
const (
	UISharpRole       = "role"       // variant (a): role select + password
	UISharpAdminLogin = "adminlogin" // variant (c): "Administrator Login" button first
)

// SharpLockoutWindow is how long a locked-out Sharp admin stays locked
// ([I] guess: Sharp's "Disable login for 5 minutes" after repeated
// failures); a power-cycle clears it too.
const SharpLockoutWindow = 5 * time.Minute

// sharpMask is what the password box shows for a stored password ([I]
// guess at the exact text: Sharp renders a masked value).
const sharpMask = "********"

type sharpState struct {
	mu       sync.Mutex
	lockedAt time.Time
	tokens   map[string]string // MFPSESSIONID → the last token2 issued
	step2    map[string]bool   // variant (c): adminloginbtn done
}

func init() {
	ln := LongTail
	RegisterWebAdmin(WebAdmin{
		Family: FamilySharpMX, Maker: "Sharp", Organization: "SHARP CORPORATION",
		UIs:             []string{UISharpRole, UISharpAdminLogin},
		Server:          "Rapid Logic/1.1", // [I] guess: the embedded server's banner
		Routes:          func(d *Device, mux *http.ServeMux) { d.routesSharp(mux) },
		DefaultPassword: func(*Device) string { return "admin" },
		// [I] guess: Sharp pages are quick, saves take a couple of seconds.
		Latency: Latency{Page: ln(500*time.Millisecond, 0.5), Asset: ln(150*time.Millisecond, 0.5), Save: ln(2*time.Second, 0.6)},
	})
	sharp := func(key, model, fw, ui, prefix string) Model {
		return Model{
			Key: key, Vendor: "sharp", Model: model, WebFamily: FamilySharpMX, UI: ui,
			// The LibreNMS recording of an MX-3570N: sysObjectID
			// 2385.3.1.112.1.2, sysDescr and hrDeviceDescr "SHARP <model>".
			SysObjectID:  "1.3.6.1.4.1.2385.3.1.112.1.2",
			SysDescr:     "SHARP " + model,
			HrDeviceDesc: "SHARP " + model,
			Firmware:     fw,
			SerialPrefix: prefix, SerialDigits: 5, OUI: [3]byte{0x24, 0x31, 0x84},
			AdminUser: "admin", AdminPassword: "admin", SMTPTLS: SMTPTLS12,
			// The firmware at Sharp's own OID, as the recording has it.
			vendorVars: func(m Model, _ string) []snmprec.Var {
				return []snmprec.Var{snmprec.OctetStr("1.3.6.1.4.1.2385.2.1.1.2.1.2.1", m.Firmware)}
			},
		}
	}
	RegisterModels(
		sharp("sharp-mx-2640n", "MX-2640N", "1.04", UIClassic, "6509"),
		sharp("sharp-mx-m6071", "MX-M6071", "2.01", UISharpRole, "5501"),
		sharp("sharp-bp-70c45", "BP-70C45", "3.10", UISharpAdminLogin, "0502"),
	)
}

var sharpStates sync.Map // *Device → *sharpState

func (d *Device) sharp() *sharpState {
	if v, ok := sharpStates.Load(d); ok {
		return v.(*sharpState)
	}
	v, _ := sharpStates.LoadOrStore(d, &sharpState{tokens: map[string]string{}, step2: map[string]bool{}})
	return v.(*sharpState)
}

// sharpIDs are one firmware's ids on the SMTP page.
type sharpIDs struct{ Server, Server2, Port, Timeout, From, Auth, User, Password, POP, SSL int }

// The MX-2640N ids [C]; the other set is an [I] guess standing for "ids
// differ between firmware" (same labels).
var (
	sharpIDsClassic = sharpIDs{Server: 1, Server2: 2, Port: 3, Timeout: 4, From: 5, Auth: 6, User: 7, Password: 8, POP: 9, SSL: 22}
	sharpIDsOther   = sharpIDs{Server: 31, Server2: 32, Port: 33, Timeout: 34, From: 36, Auth: 37, User: 38, Password: 39, POP: 40, SSL: 45}
)

func (d *Device) sharpIDs() sharpIDs {
	if d.Faults().AltLayout || d.opts.UI == UISharpRole {
		return sharpIDsOther
	}
	return sharpIDsClassic
}

func tb(n int) string { return "ggt_textbox(" + strconv.Itoa(n) + ")" }
func cb(n int) string { return "ggt_checkbox(" + strconv.Itoa(n) + ")" }

func (d *Device) routesSharp(mux *http.ServeMux) {
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, "/main.html", http.StatusFound)
	})
	mux.HandleFunc("/main.html", func(w http.ResponseWriter, r *http.Request) {
		id := d.sharpCookie(w, r)
		d.sharpRender(w, "main", &sharpPage{Title: "Status", Admin: d.sharpAdmin(id) != nil})
	})
	mux.HandleFunc("/login.html", d.sharpLogin)
	mux.HandleFunc("/logout.html", d.sharpLogout) // [I] guess: the logout page
	mux.HandleFunc("/nw_service_smtp.html", d.sharpSMTP)
	mux.HandleFunc("/sysmgt_machineid.html", d.sharpAdminPage("machineid", "Machine Identification"))
}

type sharpPage struct {
	Model, Title, Token, Target, Error, Message string
	Admin                                       bool
	UI                                          string
	Step2                                       bool
	F                                           sharpFields
	S                                           SMTPSettings
	Encrypt                                     bool
}

// sharpFields are the SMTP page's field names, ready for the template.
type sharpFields struct{ Server, Server2, Port, Timeout, From, Auth, User, Password, POP, SSL string }

func (d *Device) sharpRender(w http.ResponseWriter, page string, p *sharpPage) {
	p.Model = d.opts.Model
	p.UI = d.opts.UI
	render(w, sharpTemplates, page, p)
}

// sharpCookie returns the request's MFPSESSIONID, setting a new one when
// it has none or an unknown one.
func (d *Device) sharpCookie(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie("MFPSESSIONID"); err == nil && c.Value != "" && d.lookupSession(c.Value) != nil {
		return c.Value
	}
	s := d.newSession()
	http.SetCookie(w, &http.Cookie{Name: "MFPSESSIONID", Value: s.id, Path: "/", HttpOnly: true})
	return s.id
}

// sharpAdmin returns the live admin session called id, or nil.
func (d *Device) sharpAdmin(id string) *session {
	s := d.lookupSession(id)
	if s == nil || !d.isAdmin(s) {
		return nil
	}
	return s
}

// sharpToken issues a fresh token2 for session id; earlier ones go stale.
func (d *Device) sharpToken(id string) string {
	t := randomToken(16)
	st := d.sharp()
	st.mu.Lock()
	st.tokens[id] = t
	st.mu.Unlock()
	return t
}

// sharpTokenOK checks (and uses up) the posted token2.
func (d *Device) sharpTokenOK(id, tok string) bool {
	st := d.sharp()
	st.mu.Lock()
	defer st.mu.Unlock()
	want := st.tokens[id]
	delete(st.tokens, id)
	return tok != "" && tok == want
}

// Messages ([I] guesses at Sharp's wording).
const (
	sharpMsgBad    = "Login failed. The password is incorrect."
	sharpMsgLocked = "Login is disabled because of repeated failed attempts. Please wait and try again later."
	sharpMsgToken  = "The page has expired. Please reload the page and try again."
)

// sharpTarget is the page after "/login.html?" ("/nw_service_smtp.html").
func sharpTarget(r *http.Request) string {
	t := r.URL.RawQuery
	if u, err := url.QueryUnescape(t); err == nil {
		t = u // a browser posting the form's action sends "%2f…"
	}
	if t == "" || !strings.HasPrefix(t, "/") || strings.HasPrefix(t, "//") {
		return "/main.html"
	}
	if i := strings.IndexAny(t, "&"); i >= 0 {
		t = t[:i]
	}
	return t
}

func (d *Device) sharpLoginForm(w http.ResponseWriter, r *http.Request, id, msg string, step2 bool) {
	d.sharpRender(w, "login", &sharpPage{Title: "Login", Token: d.sharpToken(id), Target: sharpTarget(r), Error: msg, Step2: step2})
}

func (d *Device) sharpLogin(w http.ResponseWriter, r *http.Request) {
	id := d.sharpCookie(w, r)
	st := d.sharp()
	if r.Method != http.MethodPost {
		st.mu.Lock()
		delete(st.step2, id)
		st.mu.Unlock()
		d.sharpLoginForm(w, r, id, "", false)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	f := r.PostForm
	if !d.sharpTokenOK(id, f.Get("token2")) {
		// [I] guess: a stale token2 shows the login page again with a
		// message; it is not a failed login.
		d.sharpLoginForm(w, r, id, sharpMsgToken, false)
		return
	}
	var user, pw string
	switch d.opts.UI {
	case UISharpAdminLogin:
		if f.Get("action") == "adminloginbtn" {
			st.mu.Lock()
			st.step2[id] = true
			st.mu.Unlock()
			d.sharpLoginForm(w, r, id, "", true)
			return
		}
		st.mu.Lock()
		ok := st.step2[id]
		st.mu.Unlock()
		if !ok || f.Get("action") != "loginbtn" {
			d.sharpLoginForm(w, r, id, "", false)
			return
		}
		user, pw = AdminUser, f.Get("ggt_textbox(10006)")
	case UISharpRole:
		if f.Get("action") != "loginbtn" {
			d.sharpLoginForm(w, r, id, "", false)
			return
		}
		if f.Get("ggt_select(10009)") != "3" {
			// [I] guess: another role (user) never has admin pages.
			d.sharpLoginForm(w, r, id, sharpMsgBad, false)
			return
		}
		user, pw = AdminUser, f.Get("ggt_textbox(10003)")
	default:
		if f.Get("action") != "loginbtn" {
			d.sharpLoginForm(w, r, id, "", false)
			return
		}
		user, pw = f.Get("ggt_textbox(10002)"), f.Get("ggt_textbox(10003)")
	}
	// The lock-out window ([I] guess).
	st.mu.Lock()
	release := !st.lockedAt.IsZero() && time.Since(st.lockedAt) >= SharpLockoutWindow
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
		d.sharpLoginForm(w, r, id, sharpMsgLocked, d.opts.UI == UISharpAdminLogin)
		return
	case LoginBadCredentials:
		if !wasLocked && d.LockedOut() {
			st.mu.Lock()
			st.lockedAt = time.Now()
			st.mu.Unlock()
		}
		d.sharpLoginForm(w, r, id, sharpMsgBad, d.opts.UI == UISharpAdminLogin)
		return
	}
	d.mu.Lock()
	if s := d.sessions[id]; s != nil {
		s.admin = true
	}
	d.mu.Unlock()
	st.mu.Lock()
	delete(st.step2, id)
	st.mu.Unlock()
	switch d.opts.UI {
	case UISharpAdminLogin:
		d.sharpRender(w, "machineid", &sharpPage{Title: "Machine Identification", Admin: true})
	case UISharpRole:
		http.Redirect(w, r, sharpTarget(r), http.StatusFound)
	default:
		http.Redirect(w, r, "/main.html", http.StatusFound)
	}
}

func (d *Device) sharpLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie("MFPSESSIONID"); err == nil {
		d.dropSession(c.Value)
		st := d.sharp()
		st.mu.Lock()
		delete(st.tokens, c.Value)
		delete(st.step2, c.Value)
		st.mu.Unlock()
	}
	http.Redirect(w, r, "/main.html", http.StatusFound)
}

func (d *Device) sharpAdminPage(page, title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := d.sharpCookie(w, r)
		if d.sharpAdmin(id) == nil {
			http.Redirect(w, r, "/login.html?"+r.URL.Path, http.StatusFound)
			return
		}
		d.sharpRender(w, page, &sharpPage{Title: title, Admin: true})
	}
}

func (d *Device) sharpFieldNames() sharpFields {
	i := d.sharpIDs()
	return sharpFields{Server: tb(i.Server), Server2: tb(i.Server2), Port: tb(i.Port), Timeout: tb(i.Timeout), From: tb(i.From),
		Auth: cb(i.Auth), User: tb(i.User), Password: tb(i.Password), POP: cb(i.POP), SSL: cb(i.SSL)}
}

func (d *Device) sharpSMTPPage(w http.ResponseWriter, id, errMsg, msg string) {
	s := d.SMTP()
	d.sharpRender(w, "smtp", &sharpPage{Title: "SMTP", Admin: true, Token: d.sharpToken(id), F: d.sharpFieldNames(), S: s,
		Encrypt: d.opts.SMTPTLS != SMTPTLSNone, Error: errMsg, Message: msg})
}

func (d *Device) sharpSMTP(w http.ResponseWriter, r *http.Request) {
	id := d.sharpCookie(w, r)
	if d.sharpAdmin(id) == nil {
		http.Redirect(w, r, "/login.html?/nw_service_smtp.html", http.StatusFound)
		return
	}
	if r.Method != http.MethodPost {
		d.sharpSMTPPage(w, id, "", "")
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	if !d.sharpTokenOK(id, r.PostForm.Get("token2")) {
		d.sharpSMTPPage(w, id, sharpMsgToken, "")
		return
	}
	n, pw, msg := d.sharpParse(r.PostForm)
	if msg != "" {
		d.sharpSMTPPage(w, id, msg, "")
		return
	}
	switch r.PostForm.Get("action") {
	case "testButton":
		// [C] the connection test uses the posted values and saves nothing.
		ctx, cancel := context.WithTimeout(r.Context(), d.opts.SMTPTimeout)
		defer cancel()
		c, _, err := d.smtpConnect(ctx, n, pw)
		if err != nil {
			d.log.Info("SMTP connection test failed", "err", err)
			d.sharpSMTPPage(w, id, "Connection test failed. "+err.Error(), "")
			return
		}
		_ = c.Quit()
		c.Close()
		d.log.Info("SMTP connection test succeeded")
		d.sharpSMTPPage(w, id, "", "Connection test succeeded.")
	case "submitbtn": // [I] guess: the save action's name
		d.mu.Lock()
		if d.faults.RebootOnSave > 0 {
			d.rebootNow()
			d.mu.Unlock()
			hangUp(w)
			return
		}
		n.PasswordSet = pw != ""
		d.smtp, d.smtpPW = n, pw
		d.mu.Unlock()
		d.log.Info("SMTP settings saved", "server", n.Server, "port", n.Port, "security", n.Security, "auth", n.Auth, "user", n.User, "password_set", pw != "")
		d.sharpSMTPPage(w, id, "", "The settings have been saved.")
	default:
		d.sharpSMTPPage(w, id, "", "")
	}
}

// sharpParse reads the posted SMTP form over the stored settings. A
// non-empty message is the page's error (nothing applied).
func (d *Device) sharpParse(f url.Values) (SMTPSettings, string, string) {
	names := d.sharpFieldNames()
	d.mu.Lock()
	n, pw := d.smtp, d.smtpPW
	d.mu.Unlock()
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	n.Server = get(names.Server)
	if len(n.Server) > 127 {
		return n, pw, "Primary Server: the value is too long."
	}
	if v := get(names.Port); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			return n, pw, "Port Number: enter a value from 1 to 65535."
		}
		n.Port = p
	}
	n.From = get(names.From)
	if n.From != "" && !strings.Contains(n.From, "@") {
		return n, pw, "Reply Address: the value is not a valid e-mail address."
	}
	// Checkboxes: =1 when on, left out when off [C].
	if f.Get(names.Auth) == "1" {
		n.Auth = AuthSMTP
	} else {
		n.Auth = AuthNone
	}
	n.User = get(names.User)
	if len(n.User) > 64 { // [I] guess: 64 characters
		return n, pw, "User Name: the value is too long."
	}
	// [C] the masked value posted back keeps the stored password.
	if v := f.Get(names.Password); v != sharpMask {
		if len(v) > 36 { // [I] guess: 36 characters
			return n, pw, "Password: the value is too long."
		}
		pw = v
	}
	n.Security = SecurityNone
	if f.Get(names.SSL) == "1" {
		if d.opts.SMTPTLS == SMTPTLSNone {
			return n, pw, "Enable SSL cannot be set on this machine."
		}
		// [I] guess: "Enable SSL" is implicit TLS on 465 and STARTTLS on
		// any other port.
		if n.Port == 465 {
			n.Security = SecurityTLS
		} else {
			n.Security = SecuritySTARTTLS
		}
	}
	n.ValidateCert = true
	return n, pw, ""
}

var sharpTemplates = template.Must(template.New("sharp").Funcs(template.FuncMap{
	"chk": func(b bool) template.HTMLAttr {
		if b {
			return "checked"
		}
		return ""
	},
	"mask": func(b bool) string {
		if b {
			return sharpMask
		}
		return ""
	},
	"secure": func(s Security) bool { return s != SecurityNone && s != "" },
}).Parse(`
{{define "top"}}<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Model}}{{if .Title}} - {{.Title}}{{end}}</title>
<style>body{font-family:sans-serif;margin:0}#header{background:#1a3c8c;color:#fff;padding:6px}#main{padding:10px}
.err{color:#c00;border:1px solid #c00;padding:6px;margin:6px 0}.msg{background:#ffd;border:1px solid #cc9;padding:6px;margin:6px 0}td{padding:3px 8px}</style></head><body>
<div id="header"><span id="brand">SHARP</span> <span id="modelName">{{.Model}}</span>
{{if .Admin}}<a id="logout" href="/logout.html" style="color:#fff;float:right">Logout</a>{{else}}<a id="adminLink" href="/login.html?/main.html" style="color:#fff;float:right">Login</a>{{end}}</div>
<div id="main">
{{if .Error}}<div class="err" id="errorMessage">{{.Error}}</div>{{end}}
{{if .Message}}<div class="msg" id="resultMessage">{{.Message}}</div>{{end}}
{{end}}
{{define "bottom"}}</div></body></html>{{end}}

{{define "main"}}{{template "top" .}}
<h3>Device Status</h3><p>Ready</p>
<ul>{{if .Admin}}<li><a href="/nw_service_smtp.html">Network Settings &gt; Services Settings &gt; SMTP</a></li>{{end}}</ul>
{{template "bottom" .}}{{end}}

{{define "machineid"}}{{template "top" .}}
<h3>Machine Identification</h3><p>Machine Name: {{.Model}}</p>
<p><a href="/nw_service_smtp.html">SMTP</a></p>
{{template "bottom" .}}{{end}}

{{define "login"}}{{template "top" .}}
<h3>Login</h3>
<form name="login" method="post" action="/login.html?{{.Target}}">
<input type="hidden" name="token2" value="{{.Token}}"><input type="hidden" name="ordinate" value="0">
{{if eq .UI "adminlogin"}}{{if .Step2}}<input type="hidden" name="ggt_hidden(10008)" value="3">
<table><tr><td><label for="pw">Password</label></td><td><input type="password" id="pw" name="ggt_textbox(10006)" maxlength="32"></td></tr></table>
<input type="submit" name="loginbtn" value="Login(L)" onclick="this.form.action.value='loginbtn'"><input type="hidden" name="action" value="loginbtn">
{{else}}<input type="hidden" name="ggt_hidden(10008)" value="2"><input type="hidden" name="action" value="adminloginbtn">
<input type="submit" name="adminloginbtn" value="Administrator Login(C)">{{end}}
{{else if eq .UI "role"}}<input type="hidden" name="ggt_hidden(10008)" value="5"><input type="hidden" name="action" value="loginbtn">
<table><tr><td><label for="role">Login Name</label></td><td><select id="role" name="ggt_select(10009)"><option value="1">Users</option><option value="3" selected>Administrator</option></select></td></tr>
<tr><td><label for="pw">Password</label></td><td><input type="password" id="pw" name="ggt_textbox(10003)" maxlength="32"></td></tr></table>
<input type="submit" name="loginbtn" value="Login(L)">
{{else}}<input type="hidden" name="ggt_hidden(10008)" value="0"><input type="hidden" name="action" value="loginbtn">
<table><tr><td><label for="user">User Name</label></td><td><input type="text" id="user" name="ggt_textbox(10002)" maxlength="32"></td></tr>
<tr><td><label for="pw">Password</label></td><td><input type="password" id="pw" name="ggt_textbox(10003)" maxlength="32"></td></tr>
<tr><td><label for="dest">Login to</label></td><td><select id="dest" name="ggt_select(10004)"><option value="0" selected>Web page</option></select></td></tr></table>
<input type="submit" name="loginbtn" value="Login(L)">{{end}}
</form>
{{template "bottom" .}}{{end}}

{{define "smtp"}}{{template "top" .}}
<h3>SMTP Settings</h3>
<form name="smtp" method="post" action="/nw_service_smtp.html">
<input type="hidden" name="token2" value="{{.Token}}"><input type="hidden" name="ordinate" value="0"><input type="hidden" name="action" value="">
<table>
<tr><td><label for="{{.F.Server}}">Primary Server</label></td><td><input type="text" id="{{.F.Server}}" name="{{.F.Server}}" value="{{.S.Server}}" maxlength="127"></td></tr>
<tr><td><label for="{{.F.Server2}}">Secondary Server</label></td><td><input type="text" id="{{.F.Server2}}" name="{{.F.Server2}}" value="" maxlength="127"></td></tr>
<tr><td><label for="{{.F.Port}}">Port Number</label></td><td><input type="text" id="{{.F.Port}}" name="{{.F.Port}}" value="{{if .S.Port}}{{.S.Port}}{{else}}25{{end}}" maxlength="5"></td></tr>
<tr><td><label for="{{.F.Timeout}}">Timeout</label></td><td><input type="text" id="{{.F.Timeout}}" name="{{.F.Timeout}}" value="20" maxlength="3"></td></tr>
<tr><td><label for="{{.F.From}}">Reply Address</label></td><td><input type="text" id="{{.F.From}}" name="{{.F.From}}" value="{{.S.From}}" maxlength="64"></td></tr>
{{if .Encrypt}}<tr><td><label for="{{.F.SSL}}">Enable SSL</label></td><td><input type="checkbox" id="{{.F.SSL}}" name="{{.F.SSL}}" value="1" {{chk (secure .S.Security)}}></td></tr>{{end}}
<tr><td><label for="{{.F.Auth}}">SMTP Authentication</label></td><td><input type="checkbox" id="{{.F.Auth}}" name="{{.F.Auth}}" value="1" {{chk (eq .S.Auth "smtp-auth")}}></td></tr>
<tr><td><label for="{{.F.User}}">User Name</label></td><td><input type="text" id="{{.F.User}}" name="{{.F.User}}" value="{{.S.User}}" maxlength="64"></td></tr>
<tr><td><label for="{{.F.Password}}">Password</label></td><td><input type="password" id="{{.F.Password}}" name="{{.F.Password}}" value="{{mask .S.PasswordSet}}" maxlength="36" autocomplete="off"></td></tr>
<tr><td><label for="{{.F.POP}}">POP before SMTP</label></td><td><input type="checkbox" id="{{.F.POP}}" name="{{.F.POP}}" value="1"></td></tr>
</table>
<p><input type="submit" id="submitbtn" name="submitbtn" value="Submit(U)" onclick="this.form.action.value='submitbtn'">
<input type="submit" id="testButton" name="testButton" value="Connection Test" onclick="this.form.action.value='testButton'"></p>
</form>
{{template "bottom" .}}{{end}}
`))

// AdminSessions counts d's live admin sessions (a test's check that a
// driver logged out).
func (d *Device) AdminSessions() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, s := range d.sessions {
		if s.admin && time.Since(s.lastUsed) <= d.opts.SessionTTL {
			n++
		}
	}
	return n
}
