package sim

// The simulated Kyocera Command Center RX (CCRX) web admin, family
// "kyocera/ccrx" (also the TA Triumph-Adler, UTAX, Copystar and Olivetti
// badges, which run the same firmware).
//
// What is built from confirmed facts ([C], docs/vendors-smtp-pages.md
// and vendors-others.md: public clients written against real devices):
//   - GET / leads to /startwlm/Start_Wlm.htm, a frameset whose frame is
//     named "wlmframe"; the login form in it has #arg01_UserName,
//     #arg02_Password and a button named "Login".
//   - POST /startwlm/login.cgi, form-encoded: func=authLogin,
//     arg01_UserName, arg02_Password, arg03_LoginType=_mode_off,
//     arg04_LoginFrom=_wlm_login, arg05_AccountId, arg06_DomainName,
//     okhtmfile/failhtmfile=/startwlm/Start_Wlm.htm, Login=Login (a
//     browser adds hidden=, language=, hiddRefresh*…). HTTP 200 either
//     way; success is the cookie ID1. Factory login Admin / Admin.
//   - Settings pages are /<area>/<Page>.htm; their data is the script
//     /js/jssrc/model/<area>/<Page>.model.htm, lines `_pp.<name> = '…';`,
//     with the CSRF value _pp.hiddenvalue. Without a login the model is a
//     stub with no properties.
//   - Writes POST /<area>/set.cgi with okhtmfile, failhtmfile, func,
//     argNN_<Name> fields, hidden=<token>, submit001=Submit; success is
//     an answer whose body names the okhtmfile.
//   - The e-mail model /js/jssrc/model/funcset/email/FuncSet_Email_EmailSet.model.htm
//     has _pp.smtpMode, _pp.sndSmtpMode ('_mode_on'), _pp.smtpServerName,
//     _pp.senderAddress, _pp.emailSize.
//
// Everything else is marked "[I] guess" below: the e-mail view page's
// field names (argNN_…), the func names, the result pages, the messages,
// the port/security/auth model names, the "Connection Test" call, the
// logout, the lock-out policy. The labels come from Kyocera's CCRX guides
// as remembered ([I]): "SMTP Server Name", "SMTP Port Number", "SMTP
// Server Timeout", "Authentication Protocol", "Authenticate as", "Login
// User Name", "Login Password", "SMTP Security" (Off / SSL/TLS /
// STARTTLS), "Sender Address", "Connection Test" [Test].

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FamilyKyoceraCCRX is the Kyocera Command Center RX web admin.
const FamilyKyoceraCCRX = "kyocera/ccrx"

// UIKyoceraShortPassword is CCRX firmware whose SMTP "Login Password"
// field takes only 15 characters ([I] guess, to exercise the driver's
// "password field too short" refusal: a Gmail app password has 16).
const UIKyoceraShortPassword = "short-password"

// UIKyoceraNoAuth is CCRX firmware whose mail client has no SMTP
// authentication ([I] guess: the Authentication Protocol select offers
// only Off), to exercise the driver's "no SMTP AUTH" refusal.
const UIKyoceraNoAuth = "no-smtp-auth"

// Kyocera's factory administrator ([C]: Admin / Admin, case-sensitive).
const (
	kyAdminUser     = "Admin"
	kyAdminPassword = "Admin"
)

// kyLockoutAfter and kyLockoutFor are the simulated "Account Lockout
// Policy": [I] guess: 3 failed logins lock the administrator for 1
// minute (or until a restart). Tests shorten kyLockoutFor.
var (
	kyLockoutAfter = 3
	kyLockoutFor   = time.Minute
)

// Paths of the simulated CCRX.
const (
	kyStart     = "/startwlm/Start_Wlm.htm"
	kyLoginCGI  = "/startwlm/login.cgi"
	kyFrame     = "/wlmeng/index.htm" // [I] guess: the wlmframe's page (the login form's language= value names it)
	kyEmailPage = "/funcset/email/FuncSet_Email_EmailSet.htm"
	kyEmailJS   = "/js/jssrc/model/funcset/email/FuncSet_Email_EmailSet.model.htm"
	kySetCGI    = "/funcset/set.cgi"
	kyOKPage    = "/funcset/FuncSet_Rslt.htm"                      // [I] guess
	kyErrPage   = "/funcset/FuncSet_Err.htm"                       // [I] guess
	kyTestPage  = "/funcset/email/FuncSet_Email_ConnTest_Rslt.htm" // [I] guess
)

// kyProtocolOff holds the devices whose "SMTP (E-mail TX)" protocol is
// switched off (Network Settings → Protocol; [C]: the model's
// _pp.sndSmtpMode): their E-mail page shows SMTP Protocol Off and they
// send nothing.
var kyProtocolOff sync.Map // *Device → struct{}

// SetKyoceraSMTPProtocol switches a Kyocera device's SMTP (E-mail TX)
// protocol on or off (a technician's change on the Protocol page).
func (d *Device) SetKyoceraSMTPProtocol(on bool) {
	if on {
		kyProtocolOff.Delete(d)
	} else {
		kyProtocolOff.Store(d, struct{}{})
	}
}

func (d *Device) kySMTPOn() bool { _, off := kyProtocolOff.Load(d); return !off }

// kyFields are the e-mail form's names ([I] guess: the argNN_ pattern is
// confirmed, these names are not); AltLayout serves another numbering,
// as another firmware would.
type kyFields struct {
	SmtpMode, Server, Port, Timeout, Auth, AuthAs, User, Password, Security, From, Size string
}

func (d *Device) kyFields() kyFields {
	if d.Faults().AltLayout {
		return kyFields{"arg21_SmtpProtocol", "arg22_SmtpSrvName", "arg23_SmtpPortNo", "arg24_SmtpTimeOut", "arg25_AuthProtocol",
			"arg26_AuthAs", "arg27_LoginUser", "arg28_LoginPass", "arg29_SmtpSecure", "arg30_SenderAddr", "arg31_MailSize"}
	}
	return kyFields{"arg01_SmtpMode", "arg02_SmtpServerName", "arg03_SmtpPort", "arg04_SmtpTimeout", "arg05_SmtpAuth",
		"arg06_SmtpAuthAs", "arg07_SmtpLoginUser", "arg08_SmtpLoginPassword", "arg09_SmtpSecurity", "arg10_SenderAddress", "arg11_EmailSize"}
}

// Values of the e-mail form's selects ([I] guess, in the _mode_ style
// the confirmed _pp.smtpMode = '_mode_on' shows).
const (
	kyOn       = "_mode_on"
	kyOff      = "_mode_off"
	kySecSSL   = "_mode_ssltls"
	kySecStart = "_mode_starttls"
	kyAsOther  = "_mode_other"
	kyAsPOP    = "_mode_pop3"
)

// kyPasswordMax is the SMTP Login Password field's length ([I] guess).
func (d *Device) kyPasswordMax() int {
	if d.opts.UI == UIKyoceraShortPassword {
		return 15
	}
	return 64
}

// The simulated CCRX registers itself (webadmin.go).
func init() {
	ln := LongTail
	RegisterWebAdmin(WebAdmin{
		Family: FamilyKyoceraCCRX, Maker: "Kyocera", Organization: "KYOCERA Document Solutions Inc.",
		UIs: []string{UIKyoceraShortPassword, UIKyoceraNoAuth},
		// [I] guess: the CCRX's embedded server name.
		Server:          "KM-MFP-http/V0.0.1",
		Routes:          func(d *Device, mux *http.ServeMux) { d.routesKyocera(mux) },
		AdminUser:       kyAdminUser,
		LockoutAfter:    kyLockoutAfter,
		DefaultPassword: func(*Device) string { return kyAdminPassword },
		// SkipVerify nil: [I] guess: CCRX has no "verify the server
		// certificate" switch on its E-mail page; its mail client checks.
		// [I] guess: CCRX pages are quick, saves take a couple of seconds.
		Latency: Latency{Page: ln(700*time.Millisecond, 0.5), Asset: ln(200*time.Millisecond, 0.5), Save: ln(2*time.Second, 0.6)},
	})
}

func (d *Device) routesKyocera(mux *http.ServeMux) {
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, kyStart, http.StatusFound)
	})
	mux.HandleFunc("GET "+kyStart, d.kyStartPage)
	mux.HandleFunc("GET "+kyFrame, d.kyFramePage)
	mux.HandleFunc("POST "+kyLoginCGI, d.kyLogin)
	mux.HandleFunc("GET "+kyEmailPage, d.kyEmail)
	mux.HandleFunc("GET "+kyEmailJS, d.kyEmailModel)
	mux.HandleFunc("POST "+kySetCGI, d.kySet)
	mux.HandleFunc("GET "+kyOKPage, d.kyResultPage(true))
	mux.HandleFunc("GET "+kyErrPage, d.kyResultPage(false))
	mux.HandleFunc("GET "+kyTestPage, d.kyTestResult)
}

// kySession returns the admin session the ID1 cookie names (nil when
// none: not logged in, logged out, expired, dropped).
func (d *Device) kySession(r *http.Request) *session {
	c, err := r.Cookie("ID1")
	if err != nil || c.Value == "" {
		return nil
	}
	s := d.lookupSession(c.Value)
	if s == nil || !d.isAdmin(s) {
		return nil
	}
	return s
}

// kyStartPage is the frameset every visit starts from (and what login.cgi
// answers, its okhtmfile and failhtmfile). The wlmframe's query carries
// a failed login's message code ([I] guess).
func (d *Device) kyStartPage(w http.ResponseWriter, r *http.Request) {
	// [C]: browsers have rtl=0 before they log in.
	http.SetCookie(w, &http.Cookie{Name: "rtl", Value: "0", Path: "/"})
	src := kyFrame
	if m := r.URL.Query().Get("arg1"); m != "" {
		src += "?arg1=" + url.QueryEscape(m)
	}
	render(w, kyTemplates, "start", map[string]any{"Model": d.opts.Model, "Src": src})
}

// Login messages on the wlmframe ([I] guess: the texts).
var kyMessages = map[string]string{
	"1": "Login user name or password is incorrect.",
	"2": "This user account is locked. Wait for the lockout period to end, or turn the machine off and on.",
}

func (d *Device) kyFramePage(w http.ResponseWriter, r *http.Request) {
	s := d.kySession(r)
	data := map[string]any{"Model": d.opts.Model, "Serial": d.opts.Serial, "Admin": s != nil,
		"Message": kyMessages[r.URL.Query().Get("arg1")], "User": kyAdminUser,
		"Start": kyStart, "Email": kyEmailPage, "Login": kyLoginCGI}
	render(w, kyTemplates, "frame", data)
}

// kyCheckAdmin checks a CCRX login against the Account Lockout Policy:
// a lock-out ends after kyLockoutFor (or at a restart), unless the
// LockedOut fault holds it.
func (d *Device) kyCheckAdmin(user, password string) LoginResult {
	d.mu.Lock()
	if d.locked && !d.faults.LockedOut && !d.lockedAt.IsZero() && time.Since(d.lockedAt) >= kyLockoutFor {
		d.locked, d.failed, d.lockedAt = false, 0, time.Time{}
		d.log.Info("lock-out period over")
	}
	d.mu.Unlock()
	res := d.checkAdmin(user, password)
	d.mu.Lock()
	if d.locked && d.lockedAt.IsZero() {
		d.lockedAt = time.Now()
	}
	d.mu.Unlock()
	return res
}

// kyLogin is POST /startwlm/login.cgi: func=authLogin logs in (200 and
// the ID1 cookie, [C]); func=authLogout ([I] guess) ends the session.
func (d *Device) kyLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	switch r.PostForm.Get("func") {
	case "authLogout":
		if c, err := r.Cookie("ID1"); err == nil {
			d.dropSession(c.Value)
			d.log.Info("admin logged out")
		}
		http.SetCookie(w, &http.Cookie{Name: "ID1", Value: "", Path: "/", MaxAge: -1})
		d.kyStartPage(w, r)
		return
	case "authLogin":
	default:
		http.Error(w, "unknown func", http.StatusBadRequest)
		return
	}
	fail := func(code string) {
		// The failhtmfile, with the reason for the wlmframe ([I] guess).
		r.URL.RawQuery = "arg1=" + code
		d.kyStartPage(w, r)
	}
	switch d.kyCheckAdmin(r.PostForm.Get("arg01_UserName"), r.PostForm.Get("arg02_Password")) {
	case LoginLockedOut:
		fail("2")
		return
	case LoginBadCredentials:
		fail("1")
		return
	}
	s := d.newSession()
	d.withSession(s, func(s *session) { s.admin = true })
	d.log.Info("admin logged in")
	// [I] guess: not HttpOnly (the CCRX pages' scripts read their cookies).
	http.SetCookie(w, &http.Cookie{Name: "ID1", Value: s.id, Path: "/", Secure: r.TLS != nil})
	d.kyStartPage(w, r)
}

func (d *Device) kyEmail(w http.ResponseWriter, r *http.Request) {
	if d.kySession(r) == nil {
		// [I] guess: pages without a login go back to the start.
		http.Redirect(w, r, kyStart, http.StatusFound)
		return
	}
	render(w, kyTemplates, "email", map[string]any{
		"Model": d.opts.Model, "F": d.kyFields(), "Model_JS": kyEmailJS, "Action": kySetCGI,
		"OK": kyOKPage, "Err": kyErrPage, "Test": kyTestPage, "Security": d.opts.SMTPTLS != SMTPTLSNone,
		"PasswordMax": d.kyPasswordMax(), "Auth": d.opts.UI != UIKyoceraNoAuth, "Start": kyStart, "Login": kyLoginCGI,
		"On": kyOn, "Off": kyOff, "SecSSL": kySecSSL, "SecStart": kySecStart, "AsOther": kyAsOther, "AsPOP": kyAsPOP,
	})
}

// kyEmailModel is the e-mail page's data script. Without a login it is
// a stub with no properties ([C]).
func (d *Device) kyEmailModel(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	s := d.kySession(r)
	if s == nil {
		fmt.Fprint(w, "// no data\n")
		return
	}
	smtp := d.SMTP()
	var tok string
	d.withSession(s, func(s *session) { tok = s.csrf })
	sec := kyOff
	switch smtp.Security {
	case SecurityTLS:
		sec = kySecSSL
	case SecuritySTARTTLS, SecuritySTARTTLSIfAvail:
		sec = kySecStart
	}
	auth := kyOff
	if smtp.Auth == AuthSMTP {
		auth = kyOn
	}
	pwSet := "0"
	if smtp.PasswordSet {
		pwSet = "1"
	}
	port := smtp.Port
	if port == 0 {
		port = 25
	}
	var b strings.Builder
	line := func(k, v string) { fmt.Fprintf(&b, "_pp.%s = '%s';\n", k, template.JSEscapeString(v)) }
	line("hiddenvalue", tok)
	mode := kyOn
	if !d.kySMTPOn() {
		mode = kyOff
	}
	line("smtpMode", mode)    // [C] name
	line("sndSmtpMode", mode) // [C] name
	line("smtpServerName", smtp.Server)
	line("smtpPort", strconv.Itoa(port)) // [I] guess from here on, except senderAddress and emailSize
	line("smtpTimeout", "10")
	line("smtpAuthMode", auth)
	line("smtpAuthAs", kyAsOther)
	line("smtpLoginUser", smtp.User)
	line("smtpPasswordSet", pwSet)
	if d.opts.SMTPTLS != SMTPTLSNone {
		line("smtpSecurity", sec)
	}
	line("senderAddress", smtp.From) // [C] name
	line("emailSize", "0")           // [C] name
	fmt.Fprint(w, b.String())
}

// kyAnswer is set.cgi's answer: a page that names the result page and
// moves the browser there ([C]: success is a body that names the
// okhtmfile; the script form is a guess).
func kyAnswer(w http.ResponseWriter, page string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><script>window.location.replace(%q);</script></head><body></body></html>\n", page)
}

// kySet is POST /funcset/set.cgi: func=setEmailSet saves the e-mail
// form, func=setSmtpConnTest runs the Connection Test ([I] guess: both
// func names).
func (d *Device) kySet(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	s := d.kySession(r)
	if s == nil {
		http.Redirect(w, r, kyStart, http.StatusFound)
		return
	}
	okPage, errPage := r.PostForm.Get("okhtmfile"), r.PostForm.Get("failhtmfile")
	if okPage == "" || errPage == "" {
		http.Error(w, "missing okhtmfile/failhtmfile", http.StatusBadRequest)
		return
	}
	failWith := func(msg string) {
		d.withSession(s, func(s *session) { s.flash = msg })
		d.log.Info("set.cgi refused", "why", msg)
		kyAnswer(w, errPage)
	}
	var tok string
	d.withSession(s, func(s *session) { tok = s.csrf })
	if r.PostForm.Get("hidden") != tok {
		failWith("The page has expired. Reload the page and try again.")
		return
	}
	switch r.PostForm.Get("func") {
	case "setEmailSet":
		msg, ok, rebooted := d.kyApply(r.PostForm)
		if rebooted {
			hangUp(w)
			return
		}
		if !ok {
			failWith(msg)
			return
		}
		kyAnswer(w, okPage)
	case "setSmtpConnTest":
		err := d.checkConnection(r.Context())
		if !d.kySMTPOn() {
			err = errors.New("SMTP (E-mail TX) protocol is disabled")
		}
		res := "OK"
		if err != nil {
			res = "Connection failed. " + err.Error()
		}
		d.withSession(s, func(s *session) { s.flash = res })
		d.log.Info("SMTP connection test", "result", res)
		kyAnswer(w, okPage)
	default:
		failWith("Unknown function.")
	}
}

// kyApply validates and saves the e-mail form. rebooted: the RebootOnSave
// fault hit and nothing was saved.
func (d *Device) kyApply(form url.Values) (msg string, ok, rebooted bool) {
	f := d.kyFields()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.faults.RebootOnSave > 0 {
		d.rebootNow()
		return "", false, true
	}
	n := d.smtp
	pw := d.smtpPW
	has := func(k string) bool { _, ok := form[k]; return ok }
	if has(f.Server) {
		n.Server = strings.TrimSpace(form.Get(f.Server))
		if len(n.Server) > 64 {
			return "SMTP Server Name: enter up to 64 characters.", false, false
		}
	}
	if has(f.Port) {
		p, err := strconv.Atoi(strings.TrimSpace(form.Get(f.Port)))
		if err != nil || p < 1 || p > 65535 {
			return "SMTP Port Number: enter a number from 1 to 65535.", false, false
		}
		n.Port = p
	}
	if has(f.Security) {
		if d.opts.SMTPTLS == SMTPTLSNone {
			return "SMTP Security is not supported.", false, false
		}
		switch form.Get(f.Security) {
		case kyOff:
			n.Security = SecurityNone
		case kySecSSL:
			n.Security = SecurityTLS
		case kySecStart:
			n.Security = SecuritySTARTTLS
		default:
			return "SMTP Security: invalid value.", false, false
		}
	}
	if has(f.Auth) {
		switch form.Get(f.Auth) {
		case kyOff:
			n.Auth = AuthNone
		case kyOn:
			if d.opts.UI == UIKyoceraNoAuth {
				return "Authentication Protocol: invalid value.", false, false
			}
			n.Auth = AuthSMTP
			if as := form.Get(f.AuthAs); as != "" && as != kyAsOther {
				// [I] guess: "POP3" authenticates with the RX account,
				// which the simulator does not have.
				n.Auth = AuthPOPBeforeSMTP
			}
		default:
			return "Authentication Protocol: invalid value.", false, false
		}
	}
	if has(f.User) {
		n.User = strings.TrimSpace(form.Get(f.User))
		if len(n.User) > 64 {
			return "Login User Name: enter up to 64 characters.", false, false
		}
	}
	// [I] guess: an empty Login Password keeps the stored one.
	if p := form.Get(f.Password); p != "" {
		if len(p) > d.kyPasswordMax() {
			return fmt.Sprintf("Login Password: enter up to %d characters.", d.kyPasswordMax()), false, false
		}
		pw = p
	}
	if has(f.From) {
		n.From = strings.TrimSpace(form.Get(f.From))
		if n.From != "" && !strings.Contains(n.From, "@") {
			return "Sender Address: invalid e-mail address.", false, false
		}
	}
	d.smtp = n
	d.smtpPW = pw
	d.log.Info("SMTP settings saved", "server", n.Server, "port", n.Port, "security", n.Security, "auth", n.Auth, "user", n.User, "password_set", pw != "")
	return "", true, false
}

func (d *Device) kyResultPage(ok bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := d.kySession(r)
		if s == nil {
			http.Redirect(w, r, kyStart, http.StatusFound)
			return
		}
		var msg string
		d.withSession(s, func(s *session) { msg, s.flash = s.flash, "" })
		render(w, kyTemplates, "result", map[string]any{"OK": ok, "Message": msg, "Back": kyEmailPage})
	}
}

func (d *Device) kyTestResult(w http.ResponseWriter, r *http.Request) {
	s := d.kySession(r)
	if s == nil {
		http.Redirect(w, r, kyStart, http.StatusFound)
		return
	}
	var msg string
	d.withSession(s, func(s *session) { msg, s.flash = s.flash, "" })
	render(w, kyTemplates, "conntest", map[string]any{"Result": msg, "Back": kyEmailPage})
}

var kyTemplates = template.Must(template.New("ky").Parse(`
{{define "start"}}<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Command Center RX - {{.Model}}</title></head>
<frameset rows="*" border="0"><frame name="wlmframe" src="{{.Src}}"></frameset></html>
{{end}}
{{define "frame"}}<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Command Center RX</title>
<style>body{font-family:sans-serif}#hdr{background:#3a5a8c;color:#fff;padding:6px}.msg{color:#c00}</style></head>
<body><div id="hdr">{{.Model}} <span id="snum">{{.Serial}}</span> Command Center RX</div>
{{if .Admin}}
<div id="loginstatus">Administrator: <b>{{.User}}</b>
<form method="post" action="{{.Login}}" target="_top" style="display:inline">
<input type="hidden" name="func" value="authLogout"><input type="hidden" name="okhtmfile" value="{{.Start}}">
<input type="submit" name="Logout" value="Logout"></form></div>
<ul id="menu"><li>Function Settings<ul><li><a href="{{.Email}}" target="_top">E-mail</a></li></ul></li></ul>
{{else}}
{{if .Message}}<p class="msg" id="errmsg">{{.Message}}</p>{{end}}
<form name="loginform" method="post" action="{{.Login}}" target="_top">
<input type="hidden" name="failhtmfile" value="{{.Start}}"><input type="hidden" name="okhtmfile" value="{{.Start}}">
<input type="hidden" name="func" value="authLogin"><input type="hidden" name="arg03_LoginType" value="_mode_off">
<input type="hidden" name="arg04_LoginFrom" value="_wlm_login"><input type="hidden" name="hidden" value="">
<input type="hidden" name="arg05_AccountId" value=""><input type="hidden" name="arg06_DomainName" value="">
<input type="hidden" name="language" value="/wlmeng/index.htm">
<input type="hidden" name="hiddRefreshDevice" value="../startwlm/Hme_DvcSts.htm"><input type="hidden" name="hndHeight" value="0">
<table>
<tr><td><label for="arg01_UserName">Login User Name</label></td><td><input type="text" id="arg01_UserName" name="arg01_UserName" maxlength="64"></td></tr>
<tr><td><label for="arg02_Password">Login Password</label></td><td><input type="password" id="arg02_Password" name="arg02_Password" maxlength="64"></td></tr>
</table>
<input type="submit" name="Login" value="Login">
</form>
{{end}}
</body></html>
{{end}}
{{define "email"}}<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Function Settings : E-mail</title>
<script>var _pp = {};</script>
<script src="{{.Model_JS}}"></script>
<style>body{font-family:sans-serif}td{padding:2px 6px}</style></head>
<body><h2>Function Settings : E-mail</h2>
<form name="emailform" method="post" action="{{.Action}}">
<input type="hidden" name="okhtmfile" value="{{.OK}}"><input type="hidden" name="failhtmfile" value="{{.Err}}">
<input type="hidden" name="func" value="setEmailSet"><input type="hidden" name="hidden" value="">
<input type="hidden" name="submit001" value="Submit">
<h3>SMTP</h3>
<table>
<tr><td>SMTP Protocol</td><td><select name="{{.F.SmtpMode}}" id="{{.F.SmtpMode}}" disabled><option value="{{.On}}">On</option><option value="{{.Off}}">Off</option></select></td></tr>
<tr><td><label for="{{.F.Server}}">SMTP Server Name</label></td><td><input type="text" id="{{.F.Server}}" name="{{.F.Server}}" maxlength="64"></td></tr>
<tr><td><label for="{{.F.Port}}">SMTP Port Number</label></td><td><input type="text" id="{{.F.Port}}" name="{{.F.Port}}" maxlength="5"></td></tr>
<tr><td><label for="{{.F.Timeout}}">SMTP Server Timeout</label></td><td><input type="text" id="{{.F.Timeout}}" name="{{.F.Timeout}}" maxlength="2"> seconds</td></tr>
<tr><td><label for="{{.F.Auth}}">Authentication Protocol</label></td><td><select id="{{.F.Auth}}" name="{{.F.Auth}}"><option value="{{.Off}}">Off</option>{{if .Auth}}<option value="{{.On}}">On</option>{{end}}</select></td></tr>
<tr><td><label for="{{.F.AuthAs}}">Authenticate as</label></td><td><select id="{{.F.AuthAs}}" name="{{.F.AuthAs}}"><option value="{{.AsPOP}}">POP3 (E-mail RX)</option><option value="{{.AsOther}}">Other</option></select></td></tr>
<tr><td><label for="{{.F.User}}">Login User Name</label></td><td><input type="text" id="{{.F.User}}" name="{{.F.User}}" maxlength="64"></td></tr>
<tr><td><label for="{{.F.Password}}">Login Password</label></td><td><input type="password" id="{{.F.Password}}" name="{{.F.Password}}" maxlength="{{.PasswordMax}}" autocomplete="off"></td></tr>
{{if .Security}}<tr><td><label for="{{.F.Security}}">SMTP Security</label></td><td><select id="{{.F.Security}}" name="{{.F.Security}}"><option value="{{.Off}}">Off</option><option value="{{.SecSSL}}">SSL/TLS</option><option value="{{.SecStart}}">STARTTLS</option></select></td></tr>{{end}}
<tr><td>Connection Test</td><td><input type="button" id="conntest" value="Test" onclick="kyConnTest()"></td></tr>
<tr><td><label for="{{.F.Size}}">E-mail Size Limit</label></td><td><input type="text" id="{{.F.Size}}" name="{{.F.Size}}" maxlength="5"> KB</td></tr>
<tr><td><label for="{{.F.From}}">Sender Address</label></td><td><input type="text" id="{{.F.From}}" name="{{.F.From}}" maxlength="128"></td></tr>
</table>
<input type="submit" id="submit001" value="Submit"> <input type="reset" value="Reset">
</form>
<script>
(function () {
  var f = document.forms.emailform;
  function set(name, v) { var e = f.elements[name]; if (e && v !== undefined) e.value = v; }
  f.elements.hidden.value = _pp.hiddenvalue || "";
  set("{{.F.SmtpMode}}", _pp.smtpMode);
  set("{{.F.Server}}", _pp.smtpServerName);
  set("{{.F.Port}}", _pp.smtpPort);
  set("{{.F.Timeout}}", _pp.smtpTimeout);
  set("{{.F.Auth}}", _pp.smtpAuthMode);
  set("{{.F.AuthAs}}", _pp.smtpAuthAs);
  set("{{.F.User}}", _pp.smtpLoginUser);
  set("{{.F.Security}}", _pp.smtpSecurity);
  set("{{.F.From}}", _pp.senderAddress);
  set("{{.F.Size}}", _pp.emailSize);
  if (_pp.smtpPasswordSet === "1") f.elements["{{.F.Password}}"].placeholder = "********";
  document.body.setAttribute("data-loaded", "1");
})();
function kyConnTest() {
  var f = document.forms.emailform;
  f.elements.func.value = "setSmtpConnTest";
  f.elements.okhtmfile.value = "{{.Test}}";
  f.submit();
}
</script>
</body></html>
{{end}}
{{define "result"}}<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Command Center RX</title></head>
<body>{{if .OK}}<p id="result">Completed.</p>{{else}}<p id="result" class="msg">Error. {{.Message}}</p>{{end}}
<a href="{{.Back}}">Back</a></body></html>
{{end}}
{{define "conntest"}}<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Connection Test</title></head>
<body><h3>Connection Test</h3><table><tr><th>Destination</th><th>Result</th></tr>
<tr><td>SMTP</td><td id="conntestresult">{{.Result}}</td></tr></table>
<a href="{{.Back}}">Back</a></body></html>
{{end}}
`))

// kyoceraSeedModels are the catalogue's first kyocera models (Catalog keeps their
// place in its order; more are added with RegisterModels).
var kyoceraSeedModels = []Model{
	{
		Key: "kyocera-ecosys-m3655idn", Vendor: "kyocera", Model: "ECOSYS M3655idn", Family: "",
		SysObjectID:  "1.3.6.1.4.1.1347.41",
		SysDescr:     "KYOCERA Document Solutions Printing System",
		HrDeviceDesc: "ECOSYS M3655idn",
		Firmware:     "2R7_2000.004.201",
		SerialPrefix: "VCF", SerialDigits: 7, OUI: [3]byte{0x00, 0x17, 0xc8},
		AdminUser: "Admin", AdminPassword: "Admin", SMTPTLS: "tls12",
		vendorVars: kyoceraVars,
	},
}
