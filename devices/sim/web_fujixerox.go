package sim

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Fuji-Xerox-made small devices (WorkCentre 3615/6605/6505/6015): HTTP
// Basic on every request, server EWS-NIC5, settings posted to
// /setting/*.htm with numeric field names, SMTP TLS on its own page and
// no test e-mail action, only an "SMTP Server Connection Status".

const (
	fxEmailPage   = "/properties/protocols/email.htm"
	fxSSLPage     = "/properties/security/ssltls.htm"
	fxJobsPage    = "/jobs/jobhistory.htm"
	fxRealm       = "Internet Services"
	fxMaxPassword = 31
	fxMaxText     = 63
)

// fxFields are one firmware's numeric field names.
type fxFields struct {
	From, Server, Port, Auth, User, Password, POPServer, Security, HTTPSSL string
}

var fxLayouts = map[bool]fxFields{
	false: {From: "104001", Server: "104002", Port: "104006", Auth: "104007", User: "104008", Password: "104009", POPServer: "104010", Security: "102507", HTTPSSL: "102501"},
	true:  {From: "130201", Server: "130202", Port: "130204", Auth: "130207", User: "130208", Password: "130209", POPServer: "130211", Security: "120817", HTTPSSL: "120811"},
}

func (d *Device) routesFujiXerox(mux *http.ServeMux) {
	h := http.NewServeMux()
	h.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" && r.URL.Path != "/index.htm" {
			http.NotFound(w, r)
			return
		}
		d.fxRender(w, "index", nil)
	})
	h.HandleFunc("/properties/index.htm", func(w http.ResponseWriter, r *http.Request) { d.fxRender(w, "properties", nil) })
	h.HandleFunc(fxEmailPage, func(w http.ResponseWriter, r *http.Request) { d.fxRender(w, "email", nil) })
	h.HandleFunc(fxSSLPage, func(w http.ResponseWriter, r *http.Request) { d.fxRender(w, "ssltls", nil) })
	h.HandleFunc(fxJobsPage, func(w http.ResponseWriter, r *http.Request) { d.fxRender(w, "jobs", nil) })
	h.HandleFunc("/setting/setemail.htm", d.fxSetEmail)
	h.HandleFunc(fxTCPIPPage, d.serveTCPIP)
	h.HandleFunc("/setting/setssltlscomm.htm", d.fxSetSSL)
	h.HandleFunc("/setting/smtpstatus.htm", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		status := "Connected"
		if err := d.checkConnection(r.Context()); err != nil {
			status = "Connection Error: " + err.Error()
		}
		d.mu.Lock()
		d.fxConnStatus = status
		d.mu.Unlock()
		http.Redirect(w, r, fxEmailPage, http.StatusSeeOther)
	})
	mux.Handle("/", d.fxBasicAuth(h))
}

// fxBasicAuth asks for HTTP Basic credentials on every request.
func (d *Device) fxBasicAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		challenge := func() {
			w.Header().Set("WWW-Authenticate", `Basic realm="`+fxRealm+`"`)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte("<html><head><title>401 Unauthorized</title></head><body><h1>401 Unauthorized</h1><p>Authorization Required.</p></body></html>"))
		}
		user, pw, ok := r.BasicAuth()
		if !ok {
			// No credentials yet: the usual challenge, locked or not (the
			// lock shows once credentials are sent).
			challenge()
			return
		}
		switch d.checkAdmin(user, pw) {
		case LoginLockedOut:
			d.fxLocked(w)
			return
		case LoginBadCredentials:
			if d.LockedOut() {
				d.fxLocked(w)
				return
			}
			challenge()
			return
		}
		d.mu.Lock()
		d.fxAuthCount++
		drop := d.faults.DropSessionAfter > 0 && d.fxAuthCount > d.faults.DropSessionAfter
		if drop {
			d.fxAuthCount = 0
		}
		d.mu.Unlock()
		if drop {
			d.log.Warn("authorization dropped (fault)")
			challenge()
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (d *Device) fxLocked(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte("<html><head><title>403 Forbidden</title></head><body><h1>Access Denied</h1><p id=\"lockout\">The number of failed login attempts has exceeded the limit. Administrator access is locked. Switch the printer off and on to log in again.</p></body></html>"))
}

type fxPage struct {
	Model      string
	Serial     string
	F          fxFields
	S          SMTPSettings
	Encrypt    bool
	Msg        string
	Err        bool
	AuthValue  string
	SecValue   string
	ConnStatus string
	Jobs       []Job
}

func (d *Device) fxRender(w http.ResponseWriter, page string, p *fxPage) {
	if p == nil {
		p = &fxPage{}
	}
	p.Model = d.opts.Model
	p.Serial = d.opts.Serial
	p.F = fxLayouts[d.Faults().AltLayout]
	p.S = d.SMTP()
	p.Encrypt = d.opts.SMTPTLS != SMTPTLSNone
	p.Jobs = d.Jobs()
	switch p.S.Auth {
	case AuthSMTP:
		p.AuthValue = "2"
	case AuthPOPBeforeSMTP:
		p.AuthValue = "1"
	default:
		p.AuthValue = "0"
	}
	switch d.effectiveSecurity(p.S) {
	case SecuritySTARTTLS, SecuritySTARTTLSIfAvail:
		p.SecValue = "1"
	case SecurityTLS:
		p.SecValue = "2"
	default:
		p.SecValue = "0"
	}
	d.mu.Lock()
	p.ConnStatus = d.fxConnStatus
	d.mu.Unlock()
	render(w, fxTemplates, page, p)
}

func (d *Device) fxResult(w http.ResponseWriter, msg string, ok bool, back string) {
	if !ok {
		w.WriteHeader(http.StatusOK) // the EWS shows errors on a 200 page
	}
	render(w, fxTemplates, "result", map[string]any{"Model": d.opts.Model, "Msg": msg, "OK": ok, "Back": back})
}

func (d *Device) fxSetEmail(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	f := fxLayouts[d.Faults().AltLayout]
	form := r.PostForm
	has := func(k string) bool { _, ok := form[k]; return ok }
	d.mu.Lock()
	n := d.smtp
	pw := d.smtpPW
	fail := func(msg string) {
		d.mu.Unlock()
		d.fxResult(w, msg, false, fxEmailPage)
	}
	if has(f.From) {
		v := strings.TrimSpace(form.Get(f.From))
		if len(v) > fxMaxText || (v != "" && !strings.Contains(v, "@")) {
			fail("Return Email Address: enter a valid e-mail address of up to 63 characters.")
			return
		}
		n.From = v
	}
	if has(f.Server) {
		v := strings.TrimSpace(form.Get(f.Server))
		if len(v) > fxMaxText {
			fail("SMTP Server Address: enter up to 63 characters.")
			return
		}
		n.Server = v
	}
	if has(f.Port) {
		p, err := strconv.Atoi(strings.TrimSpace(form.Get(f.Port)))
		if err != nil || p < 1 || p > 65535 {
			fail("SMTP Server Port Number: enter a number from 1 to 65535.")
			return
		}
		n.Port = p
	}
	if has(f.Auth) {
		switch form.Get(f.Auth) {
		case "0":
			n.Auth = AuthNone
		case "1":
			n.Auth = AuthPOPBeforeSMTP
		case "2":
			n.Auth = AuthSMTP
		default:
			fail("Email Send Authentication: invalid value.")
			return
		}
	}
	if has(f.User) {
		v := strings.TrimSpace(form.Get(f.User))
		if len(v) > fxMaxText {
			fail("Login Name: enter up to 63 characters.")
			return
		}
		n.User = v
	}
	if v := form.Get(f.Password); v != "" {
		if len(v) > fxMaxPassword {
			fail("Password: enter up to 31 characters.")
			return
		}
		pw = v
	}
	if d.faults.RebootOnSave > 0 {
		d.rebootNow()
		d.mu.Unlock()
		hangUp(w)
		return
	}
	d.smtp = n
	d.smtpPW = pw
	d.fxConnStatus = "Not Checked"
	d.log.Info("SMTP settings saved", "server", n.Server, "port", n.Port, "auth", n.Auth, "user", n.User, "password_set", pw != "")
	d.mu.Unlock()
	d.fxResult(w, "The new settings have been applied.", true, fxEmailPage)
}

func (d *Device) fxSetSSL(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad Request", http.StatusBadRequest)
		return
	}
	f := fxLayouts[d.Faults().AltLayout]
	v, ok := r.PostForm[f.Security]
	d.mu.Lock()
	n := d.smtp
	if ok {
		if d.opts.SMTPTLS == SMTPTLSNone {
			d.mu.Unlock()
			d.fxResult(w, "SMTP - SSL/TLS Communication is not supported by this printer.", false, fxSSLPage)
			return
		}
		switch v[0] {
		case "0":
			n.Security = SecurityNone
		case "1":
			n.Security = SecuritySTARTTLS
		case "2":
			n.Security = SecurityTLS
		default:
			d.mu.Unlock()
			d.fxResult(w, "SMTP - SSL/TLS Communication: invalid value.", false, fxSSLPage)
			return
		}
	}
	if d.faults.RebootOnSave > 0 {
		d.rebootNow()
		d.mu.Unlock()
		hangUp(w)
		return
	}
	d.smtp = n
	d.fxConnStatus = "Not Checked"
	d.mu.Unlock()
	d.fxResult(w, "The new settings have been applied.", true, fxSSLPage)
}

var fxTemplates = template.Must(template.New("fx").Funcs(template.FuncMap{"q": url.QueryEscape}).Parse(`
{{define "top"}}<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><title>{{.Model}} - CentreWare Internet Services</title>
<style>body{font-family:Arial,sans-serif;font-size:13px}#side{float:left;width:210px;background:#eef}#body{margin-left:220px}td{padding:3px}</style></head><body>
<div id="banner"><b>Xerox {{.Model}}</b> &nbsp; <a href="/">Status</a> | <a href="/jobs/jobhistory.htm">Jobs</a> | <a href="/properties/index.htm">Properties</a> | <a href="#">Support</a></div><hr>{{end}}

{{define "side"}}<div id="side"><b>Properties</b><ul>
<li>General Setup</li>
<li>Protocols<ul><li><a href="/properties/protocols/email.htm">Email Settings</a></li><li>SNMP</li><li>HTTP</li></ul></li>
<li>Security<ul><li><a href="/properties/security/ssltls.htm">SSL/TLS Settings</a></li></ul></li></ul></div>{{end}}

{{define "index"}}{{template "top" .}}<div id="body"><h2>Status</h2><table><tr><td>Printer Name</td><td>Xerox {{.Model}}</td></tr><tr><td>Serial Number</td><td>{{.Serial}}</td></tr><tr><td>Printer Status</td><td>Ready to Print</td></tr></table></div></body></html>{{end}}

{{define "properties"}}{{template "top" .}}{{template "side" .}}<div id="body"><h2>Properties</h2><p>Select an item on the left.</p></div></body></html>{{end}}

{{define "email"}}{{template "top" .}}{{template "side" .}}<div id="body"><h2>Email Settings</h2>
<form name="emailForm" method="post" action="/setting/setemail.htm">
<table>
<tr><td>Return Email Address</td><td><input type="text" name="{{.F.From}}" value="{{.S.From}}" maxlength="63" size="40"></td></tr>
<tr><td>SMTP Server Address</td><td><input type="text" name="{{.F.Server}}" value="{{.S.Server}}" maxlength="63" size="40"></td></tr>
<tr><td>SMTP Server Port Number</td><td><input type="text" name="{{.F.Port}}" value="{{.S.Port}}" maxlength="5" size="6"> (1 - 65535)</td></tr>
<tr><td>Email Send Authentication</td><td><select name="{{.F.Auth}}">
<option value="0"{{if eq .AuthValue "0"}} selected{{end}}>No Authentication</option>
<option value="1"{{if eq .AuthValue "1"}} selected{{end}}>POP before SMTP</option>
<option value="2"{{if eq .AuthValue "2"}} selected{{end}}>SMTP AUTH</option></select></td></tr>
<tr><td>POP3 Server Address</td><td><input type="text" name="{{.F.POPServer}}" value="" maxlength="63" size="40"></td></tr>
<tr><td>Login Name</td><td><input type="text" name="{{.F.User}}" value="{{.S.User}}" maxlength="63" size="40"></td></tr>
<tr><td>Password</td><td><input type="password" name="{{.F.Password}}" value="" maxlength="31" size="33"></td></tr>
</table>
<input type="submit" value="Apply New Settings"> <input type="reset" value="Restore Settings"></form>
<form name="statusForm" method="post" action="/setting/smtpstatus.htm"><table>
<tr><td>SMTP Server Connection Status</td><td id="smtpStatus">{{.ConnStatus}}</td><td><input type="submit" value="Refresh Status"></td></tr></table></form>
</div></body></html>{{end}}

{{define "ssltls"}}{{template "top" .}}{{template "side" .}}<div id="body"><h2>SSL/TLS Settings</h2>
<form name="sslForm" method="post" action="/setting/setssltlscomm.htm"><table>
<tr><td>HTTP - SSL/TLS Communication</td><td><input type="checkbox" name="{{.F.HTTPSSL}}" value="1" checked disabled> Enabled</td></tr>
{{if .Encrypt}}<tr><td>SMTP - SSL/TLS Communication</td><td><select name="{{.F.Security}}">
<option value="0"{{if eq .SecValue "0"}} selected{{end}}>Disable</option>
<option value="1"{{if eq .SecValue "1"}} selected{{end}}>STARTTLS</option>
<option value="2"{{if eq .SecValue "2"}} selected{{end}}>SSL/TLS</option></select></td></tr>{{end}}
</table><input type="submit" value="Apply New Settings"></form></div></body></html>{{end}}

{{define "jobs"}}{{template "top" .}}<div id="body"><h2>Job History</h2>
<table border="1" id="jobHistory"><tr><th>Job ID</th><th>Job Name</th><th>Recipient</th><th>Job Status</th><th>Detail</th><th>Completed</th></tr>
{{range .Jobs}}<tr><td>{{.ID}}</td><td>{{.Name}}</td><td>{{.To}}</td><td>{{if .OK}}Completed{{else}}Error{{end}}</td><td>{{.Result}}</td><td>{{.Completed.Format "2006/01/02 15:04:05"}}</td></tr>
{{else}}<tr><td colspan="6">No jobs.</td></tr>{{end}}</table></div></body></html>{{end}}

{{define "result"}}{{template "top" .}}<div id="body"><p id="result">{{.Msg}}</p><p><a href="{{.Back}}">Back</a></p></div></body></html>{{end}}
`))
