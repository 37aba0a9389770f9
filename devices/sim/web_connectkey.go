package sim

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ConnectKey/AltaLink "Embedded Web Server": PHP pages, PHPSESSID, a
// hidden CSRFToken, logins posted to /userpost/xerox.set and settings to
// /dummypost/xerox.set with dotted attribute names.

const (
	ckWelcomePage = "/stat/welcome.php"
	ckBlankPage   = "/properties/blank.php"
	ckLoginPage   = "/properties/authentication/login.php"
	ckLuidPage    = "/properties/authentication/luidLogin.php"
	ckLogoutPage  = "/properties/authentication/logout.php"
	ckPropsPage   = "/properties/index.php"
	ckSetupPage   = "/properties/connectivity/setup.php"
	ckSMTPGeneral = "/properties/connectivity/smtpGeneral.php"
	ckSMTPSec     = "/properties/connectivity/smtpSecurity.php"
	ckSMTPSize    = "/properties/connectivity/smtpFileSize.php"
	ckSMTPTest    = "/properties/connectivity/smtpTest.php"
	ckJobHistory  = "/jobs/jobHistory.php"
	ckActiveJobs  = "/jobs/activeJobs.php"
)

// ckFields are one firmware's form field names (ids are derived).
type ckFields struct {
	User, Password                           string
	Server, Port, From                       string
	Security, Validate, AuthMode             string
	LoginName, SMTPPassword, Retype, SavePW  string
	MaxSize, To                              string
	SecNone, SecIfAvail, SecSTARTTLS, SecTLS string
	AuthNoneV, AuthDeviceV                   string
}

var ckLayouts = map[bool]ckFields{
	false: {
		User: "webUsername", Password: "webPassword",
		Server: "smtp.server[default].address", Port: "smtp.server[default].port", From: "smtp.device[default].emailAddress",
		Security: "smtp.server[default].connectionSecurity", Validate: "smtp.server[default].validateServerCert",
		AuthMode: "smtp.server[default].loginCredentials", LoginName: "smtp.server[default].loginName",
		SMTPPassword: "smtp.server[default].password", Retype: "smtp.server[default].passwordRetype",
		SavePW: "smtp.server[default].savePassword", MaxSize: "smtp.server[default].maxMessageSize",
		To:      "smtp.test[default].toAddress",
		SecNone: "NONE", SecIfAvail: "STARTTLS_IF_AVAILABLE", SecSTARTTLS: "STARTTLS", SecTLS: "SSL_TLS",
		AuthNoneV: "NONE", AuthDeviceV: "DEVICE",
	},
	true: {
		User: "xrxUserId", Password: "xrxUserPwd",
		Server: "email.smtpSrv[0].host", Port: "email.smtpSrv[0].tcpPort", From: "email.smtpSrv[0].replyAddr",
		Security: "email.smtpSrv[0].tlsMode", Validate: "email.smtpSrv[0].peerVerify",
		AuthMode: "email.smtpSrv[0].authSource", LoginName: "email.smtpSrv[0].authUser",
		SMTPPassword: "email.smtpSrv[0].authSecret", Retype: "email.smtpSrv[0].authSecretConfirm",
		SavePW: "email.smtpSrv[0].authSecretCommit", MaxSize: "email.smtpSrv[0].sizeLimit",
		To:      "email.testMsg.rcpt",
		SecNone: "0", SecIfAvail: "1", SecSTARTTLS: "2", SecTLS: "3",
		AuthNoneV: "0", AuthDeviceV: "1",
	},
}

// ckFieldsFor returns the device's current layout; AltaLink names its
// login fields frmwebUsername/frmwebPassword.
func (d *Device) ckFields() ckFields {
	alt := d.Faults().AltLayout
	f := ckLayouts[alt]
	if !alt && strings.HasPrefix(d.opts.Model, "AltaLink") {
		f.User, f.Password = "frmwebUsername", "frmwebPassword"
	}
	return f
}

// fieldID is the element id of a field name in the device's layout.
func fieldID(name string) string {
	r := strings.NewReplacer("[", "_", "]", "", ".", "_")
	return "f_" + r.Replace(name)
}

// headerLogin reports whether the device runs current ConnectKey
// firmware with the header login dialog (UIHeaderLogin).
func (d *Device) headerLogin() bool { return d.opts.UI == UIHeaderLogin }

// ckHome is the landing page: /home/index.php, or /stat/welcome.php on
// firmware with the header login dialog.
func (d *Device) ckHome() string {
	if d.headerLogin() {
		return ckWelcomePage
	}
	return "/home/index.php"
}

// ckProps is the Properties tab's page.
func (d *Device) ckProps() string {
	if d.headerLogin() {
		return ckBlankPage
	}
	return ckPropsPage
}

func (d *Device) routesConnectKey(mux *http.ServeMux) {
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, d.ckHome(), http.StatusFound)
	})
	if d.headerLogin() {
		d.routesHeaderLogin(mux)
	} else {
		mux.HandleFunc("/home/index.php", func(w http.ResponseWriter, r *http.Request) {
			d.ckRender(w, r, "home", nil, nil)
		})
		mux.HandleFunc("/header.php", func(w http.ResponseWriter, r *http.Request) {
			d.ckRender(w, r, "header", nil, nil)
		})
		mux.HandleFunc(ckLoginPage, d.ckLogin)
	}
	mux.HandleFunc("/userpost/xerox.set", d.ckUserPost)
	mux.HandleFunc(ckLuidPage, func(w http.ResponseWriter, r *http.Request) {
		s := d.ckSession(r)
		if !d.isAdmin(s) {
			http.Redirect(w, r, ckLoginPage, http.StatusFound)
			return
		}
		next := d.ckProps()
		d.withSession(s, func(s *session) {
			if s.redir != "" {
				next, s.redir = s.redir, ""
			}
		})
		http.Redirect(w, r, next, http.StatusFound)
	})
	mux.HandleFunc(ckLogoutPage, func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("PHPSESSID"); err == nil {
			d.dropSession(c.Value)
		}
		http.Redirect(w, r, d.ckHome(), http.StatusFound)
	})
	for path, page := range map[string]string{
		d.ckProps(): "properties", ckSetupPage: "setup",
		ckSMTPGeneral: "smtpGeneral", ckSMTPSec: "smtpSecurity", ckSMTPSize: "smtpFileSize", ckSMTPTest: "smtpTest",
	} {
		mux.HandleFunc(path, d.ckAdminPage(page))
	}
	mux.HandleFunc("/dummypost/xerox.set", d.ckDummyPost)
	mux.HandleFunc(ckTCPIPPage, func(w http.ResponseWriter, r *http.Request) {
		if !d.isAdmin(d.ckSession(r)) {
			http.Redirect(w, r, ckLoginPage+"?redir="+ckTCPIPPage, http.StatusFound)
			return
		}
		d.serveTCPIP(w, r)
	})
	mux.HandleFunc(ckJobHistory, func(w http.ResponseWriter, r *http.Request) {
		d.ckRender(w, r, "jobHistory", nil, nil)
	})
	mux.HandleFunc(ckActiveJobs, func(w http.ResponseWriter, r *http.Request) {
		d.ckRender(w, r, "activeJobs", nil, nil)
	})
}

// routesHeaderLogin serves the tabs of current ConnectKey firmware
// (UIHeaderLogin); every page carries the global header and its login
// dialog. login.php answers on AltaLink only, with the header page.
func (d *Device) routesHeaderLogin(mux *http.ServeMux) {
	welcome := func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		p := &ckPage{Invalid: q.Get("invalid") == "t", OpenLogin: q.Get("login") == "t", Locked: d.LockedOut(),
			Next: ckLocalPath(q.Get("redir"), r.URL.Path)}
		d.ckRender(w, r, "welcome", p, nil)
	}
	mux.HandleFunc(ckWelcomePage, welcome)
	for path, title := range map[string]string{
		"/scan/new_info.php": "Scan", "/addressbook/viewContact.php": "Address Book", "/support/support.php": "Support",
	} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			p := &ckPage{Invalid: r.URL.Query().Get("invalid") == "t", Locked: d.LockedOut(), Title: title}
			d.ckRender(w, r, "tabpage", p, nil)
		})
	}
	mux.HandleFunc("/jobs/active.php", func(w http.ResponseWriter, r *http.Request) {
		d.ckRender(w, r, "activeJobs", nil, nil)
	})
	if strings.HasPrefix(d.opts.Model, "AltaLink") {
		// login.php?redir=… still answers (C8170 scripts): with the
		// header page, whose dialog logs in.
		mux.HandleFunc(ckLoginPage, func(w http.ResponseWriter, r *http.Request) {
			target := ckWelcomePage
			if redir := ckLocalPath(r.URL.Query().Get("redir"), ""); redir != "" {
				target += "?redir=" + url.QueryEscape(redir)
			}
			http.Redirect(w, r, target, http.StatusFound)
		})
	}
}

// ckSession returns the request's live PHPSESSID session, or nil.
func (d *Device) ckSession(r *http.Request) *session {
	c, err := r.Cookie("PHPSESSID")
	if err != nil {
		return nil
	}
	return d.lookupSession(c.Value)
}

func (d *Device) ckEnsureSession(w http.ResponseWriter, r *http.Request) *session {
	if s := d.ckSession(r); s != nil {
		return s
	}
	s := d.newSession()
	http.SetCookie(w, &http.Cookie{Name: "PHPSESSID", Value: s.id, Path: "/", HttpOnly: true})
	return s
}

type ckPage struct {
	Dev       *Device
	Model     string
	Admin     bool
	CSRF      string
	Flash     string
	F         ckFields
	S         SMTPSettings
	Page      string
	Invalid   bool
	Locked    bool
	Redir     string
	Jobs      []Job
	Encrypt   bool
	LastTest  string
	IDs       func(string) string
	SecValue  string
	AuthValue string
	// Current ConnectKey firmware (UIHeaderLogin): the global header
	// with its login dialog.
	Header     bool
	HeaderSpan bool   // the B415's <span> login control, not a <button>
	Product    string // #productName
	Home       string // the landing page
	Props      string // the Properties tab's page
	OpenLogin  bool   // open the login dialog on load
	Next       string // where the dialog's login goes on
	Title      string // a tab page's heading
}

// ckRender renders page for session s (nil: the request's, made if
// needed).
func (d *Device) ckRender(w http.ResponseWriter, r *http.Request, page string, p *ckPage, s *session) {
	if p == nil {
		p = &ckPage{}
	}
	if s == nil {
		s = d.ckEnsureSession(w, r)
	}
	d.withSession(s, func(s *session) {
		p.Admin = s.admin
		p.CSRF = s.csrf
		p.Flash, s.flash = s.flash, ""
	})
	p.Dev = d
	p.Model = d.opts.Model
	p.Header = d.headerLogin()
	p.HeaderSpan = strings.HasPrefix(d.opts.Model, "VersaLink")
	// #productName as captured: "VersaLink® B415 Multifunction Printer",
	// "Xerox® AltaLink® C8055".
	line, num, _ := strings.Cut(d.opts.Model, " ")
	p.Product = "Xerox® " + line + "® " + num
	if p.HeaderSpan {
		p.Product = line + "® " + num + " Multifunction Printer"
	}
	p.Home, p.Props = d.ckHome(), d.ckProps()
	if p.Next == "" {
		p.Next = r.URL.Path
	}
	p.F = d.ckFields()
	p.S = d.SMTP()
	p.Page = page
	p.Jobs = d.Jobs()
	p.Encrypt = d.opts.SMTPTLS != SMTPTLSNone
	p.IDs = fieldID
	switch d.effectiveSecurity(p.S) {
	case SecurityNone:
		p.SecValue = p.F.SecNone
	case SecuritySTARTTLSIfAvail:
		p.SecValue = p.F.SecIfAvail
	case SecuritySTARTTLS:
		p.SecValue = p.F.SecSTARTTLS
	case SecurityTLS:
		p.SecValue = p.F.SecTLS
	}
	p.AuthValue = p.F.AuthNoneV
	if p.S.Auth == AuthSMTP {
		p.AuthValue = p.F.AuthDeviceV
	}
	d.mu.Lock()
	p.LastTest = d.lastTest
	d.mu.Unlock()
	render(w, ckTemplates, page, p)
}

func (d *Device) ckLogin(w http.ResponseWriter, r *http.Request) {
	p := &ckPage{Invalid: r.URL.Query().Get("invalid") == "t", Locked: d.LockedOut(), Redir: r.URL.Query().Get("redir")}
	d.ckRender(w, r, "login", p, nil)
}

// ckRedirectPage answers 200 with a page that moves the browser on, as
// the EWS's xerox.set handlers do (success and failure alike).
func ckRedirectPage(w http.ResponseWriter, next string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = ckTemplates.ExecuteTemplate(w, "redirect", next)
}

// ckUserPost handles the login form.
func (d *Device) ckUserPost(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	s := d.ckSession(r)
	if s == nil || !d.csrfOK(s, r.PostForm.Get("CSRFToken")) {
		d.ckForbidden(w)
		return
	}
	switch r.PostForm.Get("_fun_function") {
	case "HTTP_Authenticate_fn":
	case "HTTP_Logout_fn":
		d.dropSession(s.id)
		ckRedirectPage(w, d.ckHome())
		return
	default:
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	f := d.ckFields()
	user, pw := r.PostForm.Get(f.User), r.PostForm.Get(f.Password)
	refused := ckLoginPage + "?invalid=t"
	if d.headerLogin() {
		// The dialog's page again, with the dialog open and the error.
		refused = ckWelcomePage + "?invalid=t"
		if next := ckLocalPath(r.PostForm.Get("NextPage"), ""); next != "" && next != ckWelcomePage {
			refused += "&redir=" + url.QueryEscape(next)
		}
	}
	if r.PostForm.Get("frmaltDomain") != "default" {
		// Network (LDAP/Kerberos) domains are not configured.
		ckRedirectPage(w, refused)
		return
	}
	switch d.checkAdmin(user, pw) {
	case LoginOK:
		next := r.PostForm.Get("NextPage")
		if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
			next = ckLuidPage
		}
		d.withSession(s, func(s *session) {
			s.admin = true
			s.requests = 0
			if redir := r.PostForm.Get("redir"); strings.HasPrefix(redir, "/") && !strings.HasPrefix(redir, "//") {
				s.redir = redir
			}
		})
		ckRedirectPage(w, next)
	default:
		ckRedirectPage(w, refused)
	}
}

// ckLocalPath returns the path of p when it is a local path of this
// device, def otherwise.
func ckLocalPath(p, def string) string {
	u, err := url.Parse(p)
	if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return def
	}
	return u.Path
}

func (d *Device) csrfOK(s *session, tok string) bool {
	var want string
	d.withSession(s, func(s *session) { want = s.csrf })
	return tok != "" && tok == want
}

func (d *Device) ckForbidden(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	_ = ckTemplates.ExecuteTemplate(w, "forbidden", nil)
}

// ckAdminPage serves a page that needs the admin logged in; others are
// sent to the login page with ?redir=.
func (d *Device) ckAdminPage(page string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := d.ckSession(r)
		if !d.isAdmin(s) {
			if d.headerLogin() {
				// The page's tab with the login dialog open.
				http.Redirect(w, r, ckWelcomePage+"?login=t&redir="+url.QueryEscape(r.URL.Path), http.StatusFound)
				return
			}
			http.Redirect(w, r, ckLoginPage+"?redir="+url.QueryEscape(r.URL.Path), http.StatusFound)
			return
		}
		d.ckRender(w, r, page, nil, s)
	}
}

// ckDummyPost applies settings (HTTP_Set_Config_Attrib_fn) or sends the
// test e-mail (HTTP_Send_Test_Email_fn).
func (d *Device) ckDummyPost(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	s := d.ckSession(r)
	if !d.isAdmin(s) {
		// Expired or dropped session: back to the login page.
		if d.headerLogin() {
			ckRedirectPage(w, ckWelcomePage+"?login=t&redir="+url.QueryEscape(r.PostForm.Get("NextPage")))
			return
		}
		ckRedirectPage(w, ckLoginPage+"?redir="+url.QueryEscape(r.PostForm.Get("NextPage")))
		return
	}
	if !d.csrfOK(s, r.PostForm.Get("CSRFToken")) {
		d.ckForbidden(w)
		return
	}
	next := r.PostForm.Get("NextPage")
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		next = d.ckProps()
	}
	f := d.ckFields()
	switch r.PostForm.Get("_fun_function") {
	case "HTTP_Set_Config_Attrib_fn":
		msg, ok := d.ckApply(f, r.PostForm)
		if !ok && msg == "" {
			hangUp(w) // rebooting
			return
		}
		d.withSession(s, func(s *session) { s.flash = msg })
	case "HTTP_Send_Test_Email_fn":
		to := strings.TrimSpace(r.PostForm.Get(f.To))
		var msg string
		if to == "" {
			msg = "Enter a To Address."
		} else {
			j := d.TestEmail(r.Context(), to)
			if j.OK {
				msg = "Test email sent successfully to " + to + "."
			} else {
				msg = "Test email failed: " + j.Result
			}
		}
		d.mu.Lock()
		d.lastTest = msg
		d.mu.Unlock()
		d.withSession(s, func(s *session) { s.flash = msg })
	default:
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	ckRedirectPage(w, next)
}

// ckApply validates and applies the posted attributes. It returns the
// message for the next page and whether anything was applied; ("",
// false) means the device rebooted.
func (d *Device) ckApply(f ckFields, form url.Values) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.faults.RebootOnSave > 0 {
		d.rebootNow()
		return "", false
	}
	n := d.smtp
	pw := d.smtpPW
	has := func(k string) bool { _, ok := form[k]; return ok }
	if has(f.Server) {
		n.Server = strings.TrimSpace(form.Get(f.Server))
		if len(n.Server) > 255 {
			return "Server Address is too long.", false
		}
	}
	if has(f.Port) {
		p, err := strconv.Atoi(strings.TrimSpace(form.Get(f.Port)))
		if err != nil || p < 1 || p > 65535 {
			return "Outgoing SMTP Port Number must be a number from 1 to 65535. Settings were not saved.", false
		}
		n.Port = p
	}
	if has(f.From) {
		n.From = strings.TrimSpace(form.Get(f.From))
		if n.From != "" && !strings.Contains(n.From, "@") {
			return "Device Email is not a valid e-mail address. Settings were not saved.", false
		}
	}
	securityForm := has(f.AuthMode)
	if has(f.Security) {
		if d.opts.SMTPTLS == SMTPTLSNone {
			return "Connection Security is not supported by this device. Settings were not saved.", false
		}
		switch form.Get(f.Security) {
		case f.SecNone:
			n.Security = SecurityNone
		case f.SecIfAvail:
			n.Security = SecuritySTARTTLSIfAvail
		case f.SecSTARTTLS:
			n.Security = SecuritySTARTTLS
		case f.SecTLS:
			n.Security = SecurityTLS
		default:
			return "Connection Security has an invalid value. Settings were not saved.", false
		}
	}
	if securityForm && d.opts.SMTPTLS != SMTPTLSNone {
		n.ValidateCert = form.Get(f.Validate) != ""
	}
	if has(f.AuthMode) {
		switch form.Get(f.AuthMode) {
		case f.AuthNoneV:
			n.Auth = AuthNone
		case f.AuthDeviceV:
			n.Auth = AuthSMTP
		default:
			return "Login Credentials has an invalid value. Settings were not saved.", false
		}
	}
	if has(f.LoginName) {
		n.User = strings.TrimSpace(form.Get(f.LoginName))
		if len(n.User) > 128 {
			return "Login Name is too long. Settings were not saved.", false
		}
	}
	if form.Get(f.SavePW) != "" {
		p1, p2 := form.Get(f.SMTPPassword), form.Get(f.Retype)
		if p1 != p2 {
			return "Password and Retype Password do not match. Settings were not saved.", false
		}
		if len(p1) > 128 {
			return "Password is too long. Settings were not saved.", false
		}
		pw = p1
	}
	d.smtp = n
	d.smtpPW = pw
	d.log.Info("SMTP settings saved", "server", n.Server, "port", n.Port, "security", n.Security, "auth", n.Auth, "user", n.User, "password_set", pw != "")
	return "Settings have been saved.", true
}

var ckTemplates = template.Must(template.New("ck").Parse(`
{{define "top"}}<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Xerox® {{.Model}} - {{.Page}}</title>
<style>body{font-family:sans-serif;margin:0}#hdr{background:#333;color:#fff;padding:6px}#hdr a{color:#fff}
#tabs a{margin-right:12px}#nav{float:left;width:220px;padding:8px;background:#eee;min-height:400px}
#main{margin-left:240px;padding:8px}.msg{background:#ffc;border:1px solid #cc9;padding:6px;margin:6px 0}
.tabs a{padding:4px 8px;border:1px solid #aaa;margin-right:4px;text-decoration:none}.tabs a.sel{background:#ccd}
table.form td{padding:3px 6px}
.modal{position:fixed;top:80px;left:30%;background:#fff;border:1px solid #888;padding:14px;box-shadow:0 4px 16px #0005;min-width:340px}
#globalHeader{background:#222;color:#fff;padding:6px}#globalHeader a{color:#fff}.loginButton{float:right}</style></head><body>
{{if .Header}}{{template "globalheader" .}}{{else}}{{template "headerbar" .}}{{end}}
{{end}}

{{define "globalheader"}}<div id="globalHeader"><span id="productName">{{.Product}}</span> &nbsp; <span id="devStatus">Ready</span>
{{if .Admin}}<button type="button" id="globalHeaderLogoutBtn" class="loginButton" onclick="document.getElementById('logoutForm').submit()">Log Out</button>
<form id="logoutForm" method="post" action="/userpost/xerox.set" style="display:none"><input type="hidden" name="_fun_function" value="HTTP_Logout_fn"><input type="hidden" name="CSRFToken" value="{{.CSRF}}"></form>
{{else if .HeaderSpan}}<span id="globalHeaderLoginBtn" class="loginButton" onclick="OpenLogin('stat')">Log In</span>
{{else}}<button id="globalHeaderLoginBtn" class="loginButton">Log In</button>{{end}}
<div id="tabs"><a href="/stat/welcome.php">Home</a> <a href="/jobs/active.php">Jobs</a> <a href="/scan/new_info.php">Scan</a> <a href="/addressbook/viewContact.php">Address Book</a> <a href="/properties/blank.php">Properties</a> <a href="/support/support.php">Support</a></div></div>
<div id="timeout-alert" role="alert" style="display:none">Your session is about to time out.</div>
<div id="generic-modal" class="modal" style="display:none"><div id="generic-modal-body"></div><button type="button" id="generic-confirm-modal-action-confirm-ok">OK</button></div>
{{if not .Admin}}<div id="loginDialog" class="modal" role="dialog" aria-label="Log In" style="display:none"><h3>Log In</h3>
{{if .Invalid}}<div class="msg" id="loginError" role="alert">{{if .Locked}}The maximum number of login attempts has been exceeded. The administrator account is locked. Restart the device to unlock it.{{else}}The User ID or Password you entered is incorrect. Please try again.{{end}}</div>{{end}}
<form name="loginForm" id="loginForm" method="post" action="/userpost/xerox.set">
<input type="hidden" name="_fun_function" value="HTTP_Authenticate_fn">
<input type="hidden" name="NextPage" id="loginNextPage" value="{{.Next}}">
<input type="hidden" name="frmaltDomain" value="default">
<input type="hidden" name="CSRFToken" value="{{.CSRF}}">
<table class="form">
<tr><td><label for="{{call .IDs .F.User}}">User ID</label></td><td><input type="text" name="{{.F.User}}" id="{{call .IDs .F.User}}" maxlength="128" autocomplete="username"></td></tr>
<tr><td><label for="{{call .IDs .F.Password}}">Password</label></td><td><input type="password" name="{{.F.Password}}" id="{{call .IDs .F.Password}}" maxlength="128" autocomplete="current-password"></td></tr>
</table>
<button type="submit" id="loginDialogOk">Log In</button> <button type="button" onclick="document.getElementById('loginDialog').style.display='none'">Cancel</button>
</form></div>
<script>
function OpenLogin(tab) {
  document.getElementById('loginDialog').style.display = 'block';
  var u = document.getElementById('{{call .IDs .F.User}}');
  if (u) { u.focus(); }
}
(function () {
  var b = document.getElementById('globalHeaderLoginBtn');
  if (b && b.tagName === 'BUTTON') { b.addEventListener('click', function () { OpenLogin('stat'); }); }
  {{if or .OpenLogin .Invalid}}OpenLogin('stat');{{end}}
})();
</script>{{end}}{{end}}

{{define "headerbar"}}<div id="hdr"><b>Xerox® {{.Model}}</b> &nbsp; <span id="devStatus">Ready</span>
<span style="float:right">{{if .Admin}}admin &nbsp; <a id="logout" href="/properties/authentication/logout.php">Logout</a>{{else}}<a id="login" href="/properties/authentication/login.php">Login</a>{{end}}</span>
<div id="tabs"><a href="/home/index.php">Home</a> <a href="/jobs/activeJobs.php">Jobs</a> <a href="/print/index.php">Print</a> <a href="/scan/index.php">Scan</a> <a href="/addressbook/index.php">Address Book</a> <a href="/properties/index.php">Properties</a> <a href="/support/index.php">Support</a></div></div>{{end}}

{{define "header"}}<!DOCTYPE html><html><head><meta charset="utf-8"><title>header</title></head><body>{{template "headerbar" .}}</body></html>{{end}}

{{define "bottom"}}</body></html>{{end}}

{{define "redirect"}}<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url={{.}}"><title>Please wait</title>
<script>window.location.replace({{.}});</script></head><body>Please wait…</body></html>{{end}}

{{define "forbidden"}}<!DOCTYPE html><html><head><title>Forbidden</title></head><body><h1>Forbidden</h1><p>Invalid or missing security token (CSRFToken). Reload the page and try again.</p></body></html>{{end}}

{{define "welcome"}}{{template "top" .}}<div id="main"><h2>Welcome</h2><table><tr><td>Model</td><td>{{.Product}}</td></tr>
<tr><td>Serial Number</td><td>{{.Dev.Serial}}</td></tr><tr><td>Status</td><td>Ready</td></tr></table></div>{{template "bottom"}}{{end}}

{{define "tabpage"}}{{template "top" .}}<div id="main"><h2>{{.Title}}</h2><p>Nothing to show.</p></div>{{template "bottom"}}{{end}}

{{define "home"}}{{template "top" .}}<div id="main"><h2>Home</h2><table><tr><td>Model</td><td>Xerox® {{.Model}}</td></tr>
<tr><td>Serial Number</td><td>{{.Dev.Serial}}</td></tr><tr><td>Status</td><td>Ready</td></tr></table></div>{{template "bottom"}}{{end}}

{{define "login"}}{{template "top" .}}<div id="main"><h2>Log In</h2>
{{if .Invalid}}{{if .Locked}}<div class="msg" id="loginError">The maximum number of login attempts has been exceeded. The administrator account is locked. Restart the device to unlock it.</div>{{else}}<div class="msg" id="loginError">The User ID or Password you entered is incorrect. Please try again.</div>{{end}}{{end}}
<form name="loginForm" id="loginForm" method="post" action="/userpost/xerox.set">
<input type="hidden" name="_fun_function" value="HTTP_Authenticate_fn">
<input type="hidden" name="NextPage" value="/properties/authentication/luidLogin.php">
<input type="hidden" name="frmaltDomain" value="default">
<input type="hidden" name="CSRFToken" value="{{.CSRF}}">
<input type="hidden" name="redir" value="{{.Redir}}">
<table class="form">
<tr><td><label for="{{call .IDs .F.User}}">User ID</label></td><td><input type="text" name="{{.F.User}}" id="{{call .IDs .F.User}}" maxlength="128" autocomplete="username"></td></tr>
<tr><td><label for="{{call .IDs .F.Password}}">Password</label></td><td><input type="password" name="{{.F.Password}}" id="{{call .IDs .F.Password}}" maxlength="128" autocomplete="current-password"></td></tr>
</table>
<input type="submit" value="Log In" id="loginButton"> <input type="button" value="Cancel" onclick="window.location='/home/index.php'">
</form></div>{{template "bottom"}}{{end}}

{{define "propnav"}}<div id="nav"><b>Properties</b><ul>
<li><a href="{{.Props}}">Configuration Overview</a></li>
<li><a href="/properties/description.php">Description</a></li>
<li>General Setup</li>
<li>Connectivity<ul><li><a href="/properties/connectivity/setup.php">Setup</a></li></ul></li>
<li>Login / Password / Permissions</li>
<li>Security</li></ul></div>{{end}}

{{define "properties"}}{{template "top" .}}{{template "propnav" .}}<div id="main"><h2>Configuration Overview</h2>
<p>Xerox® {{.Model}}, serial number {{.Dev.Serial}}.</p></div>{{template "bottom"}}{{end}}

{{define "setup"}}{{template "top" .}}{{template "propnav" .}}<div id="main"><h2>Connectivity Setup</h2>
<h3>Protocol</h3><table border="1" id="protocols"><tr><th>Protocol</th><th>Status</th><th></th></tr>
<tr><td>HTTP</td><td>Enabled</td><td><a href="#">Edit...</a></td></tr>
<tr><td>LDAP</td><td>Not configured</td><td><a href="#">Edit...</a></td></tr>
<tr><td>SMTP</td><td>{{if .S.Server}}Configured{{else}}Not configured{{end}}</td><td><a id="smtpEdit" href="/properties/connectivity/smtpGeneral.php">Edit...</a></td></tr>
<tr><td>SNMP</td><td>Enabled</td><td><a href="#">Edit...</a></td></tr>
</table></div>{{template "bottom"}}{{end}}

{{define "smtptabs"}}<h2>SMTP</h2><div class="tabs">
<a href="/properties/connectivity/smtpGeneral.php"{{if eq .Page "smtpGeneral"}} class="sel"{{end}}>General</a>
<a href="/properties/connectivity/smtpSecurity.php"{{if eq .Page "smtpSecurity"}} class="sel"{{end}}>Security</a>
<a href="/properties/connectivity/smtpFileSize.php"{{if eq .Page "smtpFileSize"}} class="sel"{{end}}>File Size Management</a>
<a href="/properties/connectivity/smtpTest.php"{{if eq .Page "smtpTest"}} class="sel"{{end}}>Test Configuration</a></div>
{{if .Flash}}<div class="msg" id="statusMessage">{{.Flash}}</div>{{end}}{{end}}

{{define "formhead"}}<form method="post" action="/dummypost/xerox.set" name="smtpForm" id="smtpForm">
<input type="hidden" name="_fun_function" value="HTTP_Set_Config_Attrib_fn">
<input type="hidden" name="NextPage" value="{{.}}">{{end}}

{{define "smtpGeneral"}}{{template "top" .}}{{template "propnav" .}}<div id="main">{{template "smtptabs" .}}
{{template "formhead" "/properties/connectivity/smtpGeneral.php"}}<input type="hidden" name="CSRFToken" value="{{.CSRF}}">
<h3>Required Information</h3><table class="form">
<tr><td><label for="{{call .IDs .F.Server}}">Server Address</label></td><td><input type="text" name="{{.F.Server}}" id="{{call .IDs .F.Server}}" value="{{.S.Server}}" maxlength="255" size="40"> (IP Address or Host Name)</td></tr>
<tr><td><label for="{{call .IDs .F.Port}}">Outgoing SMTP Port Number</label></td><td><input type="text" name="{{.F.Port}}" id="{{call .IDs .F.Port}}" value="{{.S.Port}}" maxlength="5" size="6"> (1 - 65535)</td></tr>
<tr><td><label for="{{call .IDs .F.From}}">Device Email</label></td><td><input type="text" name="{{.F.From}}" id="{{call .IDs .F.From}}" value="{{.S.From}}" maxlength="128" size="40"></td></tr>
</table>
<input type="submit" value="Save" id="saveButton"> <input type="reset" value="Undo"></form></div>{{template "bottom"}}{{end}}

{{define "smtpSecurity"}}{{template "top" .}}{{template "propnav" .}}<div id="main">{{template "smtptabs" .}}
{{template "formhead" "/properties/connectivity/smtpSecurity.php"}}<input type="hidden" name="CSRFToken" value="{{.CSRF}}">
<table class="form">
{{if .Encrypt}}<tr><td><label for="{{call .IDs .F.Security}}">Connection Security</label></td><td><select name="{{.F.Security}}" id="{{call .IDs .F.Security}}">
<option value="{{.F.SecNone}}"{{if eq .SecValue .F.SecNone}} selected{{end}}>No Encryption</option>
<option value="{{.F.SecIfAvail}}"{{if eq .SecValue .F.SecIfAvail}} selected{{end}}>STARTTLS (If Available)</option>
<option value="{{.F.SecSTARTTLS}}"{{if eq .SecValue .F.SecSTARTTLS}} selected{{end}}>STARTTLS</option>
<option value="{{.F.SecTLS}}"{{if eq .SecValue .F.SecTLS}} selected{{end}}>SSL/TLS</option></select></td></tr>
<tr><td><label for="{{call .IDs .F.Validate}}">Validate Server Certificate</label></td><td><input type="checkbox" name="{{.F.Validate}}" id="{{call .IDs .F.Validate}}" value="1"{{if .S.ValidateCert}} checked{{end}}> Enabled</td></tr>{{end}}
<tr><td><label for="{{call .IDs .F.AuthMode}}">Login Credentials for the Device to access the SMTP server to send automated emails</label></td><td><select name="{{.F.AuthMode}}" id="{{call .IDs .F.AuthMode}}">
<option value="{{.F.AuthNoneV}}"{{if eq .AuthValue .F.AuthNoneV}} selected{{end}}>None</option>
<option value="{{.F.AuthDeviceV}}"{{if eq .AuthValue .F.AuthDeviceV}} selected{{end}}>Device</option></select></td></tr>
<tr><td><label for="{{call .IDs .F.LoginName}}">Login Name</label></td><td><input type="text" name="{{.F.LoginName}}" id="{{call .IDs .F.LoginName}}" value="{{.S.User}}" maxlength="128" size="40" autocomplete="off"></td></tr>
<tr><td><label for="{{call .IDs .F.SMTPPassword}}">Password</label></td><td><input type="password" name="{{.F.SMTPPassword}}" id="{{call .IDs .F.SMTPPassword}}" value="" maxlength="128" autocomplete="new-password">{{if .S.PasswordSet}} (a password is set){{end}}</td></tr>
<tr><td><label for="{{call .IDs .F.Retype}}">Retype Password</label></td><td><input type="password" name="{{.F.Retype}}" id="{{call .IDs .F.Retype}}" value="" maxlength="128" autocomplete="new-password"></td></tr>
<tr><td></td><td><input type="checkbox" name="{{.F.SavePW}}" id="{{call .IDs .F.SavePW}}" value="1"> <label for="{{call .IDs .F.SavePW}}">Select to save new password</label></td></tr>
</table>
<input type="submit" value="Save" id="saveButton"> <input type="reset" value="Undo"></form></div>{{template "bottom"}}{{end}}

{{define "smtpFileSize"}}{{template "top" .}}{{template "propnav" .}}<div id="main">{{template "smtptabs" .}}
{{template "formhead" "/properties/connectivity/smtpFileSize.php"}}<input type="hidden" name="CSRFToken" value="{{.CSRF}}">
<table class="form"><tr><td><label for="{{call .IDs .F.MaxSize}}">Maximum Message Size</label></td><td><input type="text" name="{{.F.MaxSize}}" id="{{call .IDs .F.MaxSize}}" value="10240" size="8"> KB (512 - 20480)</td></tr></table>
<input type="submit" value="Save" id="saveButton"> <input type="reset" value="Undo"></form></div>{{template "bottom"}}{{end}}

{{define "smtpTest"}}{{template "top" .}}{{template "propnav" .}}<div id="main">{{template "smtptabs" .}}
<form method="post" action="/dummypost/xerox.set" name="testForm" id="testForm">
<input type="hidden" name="_fun_function" value="HTTP_Send_Test_Email_fn">
<input type="hidden" name="NextPage" value="/properties/connectivity/smtpTest.php">
<input type="hidden" name="CSRFToken" value="{{.CSRF}}">
<table class="form"><tr><td><label for="{{call .IDs .F.To}}">To Address</label></td><td><input type="text" name="{{.F.To}}" id="{{call .IDs .F.To}}" maxlength="128" size="40"></td></tr></table>
<input type="submit" value="Send Email" id="sendEmailButton"></form>
{{if .LastTest}}<h3>Result</h3><div id="testResult">{{.LastTest}}</div>{{end}}
</div>{{template "bottom"}}{{end}}

{{define "jobtabs"}}<div id="nav"><b>Jobs</b><ul><li><a href="/jobs/activeJobs.php">Active Jobs</a></li><li><a href="/jobs/jobHistory.php">Job History</a></li></ul></div>{{end}}

{{define "activeJobs"}}{{template "top" .}}{{template "jobtabs" .}}<div id="main"><h2>Active Jobs</h2><p>No active jobs.</p></div>{{template "bottom"}}{{end}}

{{define "jobHistory"}}{{template "top" .}}{{template "jobtabs" .}}<div id="main"><h2>Job History</h2>
<table border="1" id="jobHistory"><tr><th>Job ID</th><th>Job Name</th><th>Type</th><th>Recipient</th><th>Status</th><th>Details</th><th>Completed</th></tr>
{{range .Jobs}}<tr><td>{{.ID}}</td><td>{{.Name}}</td><td>Email</td><td>{{.To}}</td><td>{{if .OK}}Completed{{else}}Failed{{end}}</td><td>{{.Result}}</td><td>{{.Completed.Format "2006-01-02 15:04:05"}}</td></tr>
{{else}}<tr><td colspan="7">No jobs.</td></tr>{{end}}</table></div>{{template "bottom"}}{{end}}
`))
