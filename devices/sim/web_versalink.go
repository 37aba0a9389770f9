package sim

import (
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"
)

// VersaLink: a single-page JavaScript app at /home/index.html that logs
// in through /LOGIN.cmd (base64 NAME/PSW, JSON reply, cookie ssid) and
// talks to upper-case *.cmd JSON endpoints.

// vlLayout are the DOM ids of one firmware's UI (labels never change).
// The default ones are those of the live page (a Fujifilm Apeos C3530,
// same web app lineage as VersaLink: docs/vendors.md, "Field
// captures"); the alternative layout renames every id.
type vlLayout struct {
	LoginName, LoginPsw                          string
	Server, ServerOK, Port, SecGroup, Auth, User string
	Password, Retype, From, ConnTest, Save       string
	Cancel, AppFrom                              string
}

var vlLayouts = map[bool]vlLayout{
	false: {LoginName: "loginName", LoginPsw: "loginPsw", Server: "manualAddrInput", ServerOK: "serverAddressSettingOk", Port: "portNum1",
		SecGroup: "radio_sslTls", Auth: "smtpAuthType", User: "loginName", Password: "password", Retype: "passwordConfirm",
		From: "smtpEmailAddress", ConnTest: "smtpConnButtonId", Save: "save", Cancel: "cancel", AppFrom: "emailFrom"},
	true: {LoginName: "txtUserId", LoginPsw: "txtUserPass", Server: "txtSmtpAddr", ServerOK: "btnSmtpAddrOk", Port: "txtSmtpPortNo",
		SecGroup: "rdoSmtpSsl", Auth: "selSmtpAuthType", User: "txtSmtpAuthUser", Password: "pwdSmtpAuth", Retype: "pwdSmtpAuthConfirm",
		From: "txtMailFrom", ConnTest: "btnSmtpConnTest", Save: "btnSave", Cancel: "btnCancel", AppFrom: "txtAppMailFrom"},
}

func (d *Device) routesVersaLink(mux *http.ServeMux) {
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, "/home/index.html", http.StatusFound)
	})
	mux.HandleFunc("/home/index.html", func(w http.ResponseWriter, r *http.Request) {
		layout, _ := json.Marshal(vlLayouts[d.Faults().AltLayout])
		render(w, vlIndex, "index", map[string]any{"Model": d.opts.Model, "Layout": template.JS(layout)})
	})
	mux.HandleFunc("/home/js/app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		_, _ = w.Write([]byte(vlAppJS))
	})
	mux.HandleFunc("/LOGIN.cmd", d.vlLogin)
	mux.HandleFunc(vlTCPIPPage, func(w http.ResponseWriter, r *http.Request) {
		if !d.isAdmin(d.vlSession(r)) {
			http.Redirect(w, r, "/home/index.html", http.StatusFound)
			return
		}
		d.serveTCPIP(w, r)
	})
	mux.HandleFunc("/LOGOUT.cmd", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("ssid"); err == nil {
			d.dropSession(c.Value)
		}
		http.SetCookie(w, &http.Cookie{Name: "ssid", Value: "", Path: "/", MaxAge: -1})
		writeJSON(w, http.StatusOK, map[string]string{"result": "0"})
	})
	mux.HandleFunc("/DEVICE.cmd", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{
			"result": "0", "model": "Xerox® " + d.opts.Model, "serial": d.opts.Serial, "firmware": d.opts.Firmware,
			"encryption": boolStr(d.opts.SMTPTLS != SMTPTLSNone),
		})
	})
	mux.HandleFunc("/SESSION.cmd", func(w http.ResponseWriter, r *http.Request) {
		s := d.vlSession(r)
		writeJSON(w, http.StatusOK, map[string]string{"result": "0", "loggedIn": boolStr(d.isAdmin(s))})
	})
	mux.HandleFunc("/SMTP.cmd", d.vlAdmin(func(w http.ResponseWriter, r *http.Request, _ *session) {
		s := d.SMTP()
		writeJSON(w, http.StatusOK, map[string]string{
			"result": "0", "SERVER": s.Server, "PORT": strconv.Itoa(s.Port), "SECURITY": vlSecurity(d.effectiveSecurity(s)),
			"AUTH": vlAuth(s.Auth), "LOGINNAME": s.User, "PASSWORDSET": boolStr(s.PasswordSet), "FROM": s.From,
			"ENCRYPTION": boolStr(d.opts.SMTPTLS != SMTPTLSNone),
		})
	}))
	// The page's connection test ("Start"): the device connects to the
	// saved SMTP server, negotiates TLS and logs in, sending nothing. The
	// live page has no test e-mail.
	mux.HandleFunc("/SMTPCONNTEST.cmd", d.vlAdmin(func(w http.ResponseWriter, r *http.Request, _ *session) {
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, vlErr("405", "use POST"))
			return
		}
		if err := d.checkConnection(r.Context()); err != nil {
			d.log.Info("SMTP connection test failed", "err", err)
			writeJSON(w, http.StatusOK, map[string]string{"result": "1", "errorCode": "781", "message": err.Error()})
			return
		}
		d.log.Info("SMTP connection test passed")
		writeJSON(w, http.StatusOK, map[string]string{"result": "0", "message": "Connection test completed successfully."})
	}))
	mux.HandleFunc("/SETSMTP.cmd", d.vlAdmin(d.vlSetSMTP))
	mux.HandleFunc("/EMAIL.cmd", d.vlAdmin(func(w http.ResponseWriter, r *http.Request, _ *session) {
		writeJSON(w, http.StatusOK, map[string]string{"result": "0", "FROM": d.SMTP().From})
	}))
	mux.HandleFunc("/SETEMAIL.cmd", d.vlAdmin(func(w http.ResponseWriter, r *http.Request, _ *session) {
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, vlErr("405", "use POST"))
			return
		}
		from := strings.TrimSpace(r.PostFormValue("FROM"))
		if from != "" && (!strings.Contains(from, "@") || len(from) > 128) {
			writeJSON(w, http.StatusOK, vlErr("22", "Enter a valid e-mail address."))
			return
		}
		d.mu.Lock()
		if d.faults.RebootOnSave > 0 {
			d.rebootNow()
			d.mu.Unlock()
			hangUp(w)
			return
		}
		d.smtp.From = from
		d.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]string{"result": "0"})
	}))
	mux.HandleFunc("/JOBLOG.cmd", func(w http.ResponseWriter, r *http.Request) {
		type row struct {
			ID, Name, Type, Recipient, Status, Fault, Detail, Completed string
		}
		rows := []row{}
		jobs := d.Jobs()
		for i := len(jobs) - 1; i >= 0; i-- {
			j := jobs[i]
			st := "Completed"
			if !j.OK {
				st = "Failed"
			}
			rows = append(rows, row{strconv.Itoa(j.ID), j.Name, "Email", j.To, st, j.Fault, j.Result, j.Completed.Format("2006/01/02 15:04:05")})
		}
		writeJSON(w, http.StatusOK, map[string]any{"result": "0", "jobs": rows})
	})
}

func boolStr(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func vlErr(code, msg string) map[string]string {
	return map[string]string{"result": "1", "errorCode": code, "message": msg}
}

func vlSecurity(s Security) string {
	switch s {
	case SecuritySTARTTLSIfAvail:
		return "STARTTLS_IF_AVAILABLE"
	case SecuritySTARTTLS:
		return "STARTTLS"
	case SecurityTLS:
		return "SSL"
	}
	return "OFF"
}

func vlAuth(a SMTPAuth) string {
	if a == AuthSMTP {
		return "DEVICE"
	}
	return "NONE"
}

func (d *Device) vlSession(r *http.Request) *session {
	c, err := r.Cookie("ssid")
	if err != nil {
		return nil
	}
	return d.lookupSession(c.Value)
}

// vlAdmin guards an endpoint that needs the admin: 401 with a JSON error
// otherwise (the app then asks to log in again).
func (d *Device) vlAdmin(f func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := d.vlSession(r)
		if !d.isAdmin(s) {
			writeJSON(w, http.StatusUnauthorized, vlErr("401", "Login required."))
			return
		}
		f(w, r, s)
	}
}

// vlLogin is /LOGIN.cmd: NAME and PSW base64-encoded, in the query or a
// POST form.
func (d *Device) vlLogin(w http.ResponseWriter, r *http.Request) {
	reply := func(result, code string) map[string]string {
		return map[string]string{"result": result, "errorCode": code, "koDefault": "0", "snmpDefault": "0", "globalIP": "0", "passwordChangeRequired": "0"}
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, reply("1", "2"))
		return
	}
	name, err1 := base64.StdEncoding.DecodeString(r.Form.Get("NAME"))
	psw, err2 := base64.StdEncoding.DecodeString(r.Form.Get("PSW"))
	if err1 != nil || err2 != nil || r.Form.Get("NAME") == "" {
		writeJSON(w, http.StatusOK, reply("1", "2"))
		return
	}
	switch d.checkAdmin(string(name), string(psw)) {
	case LoginOK:
		if c, err := r.Cookie("ssid"); err == nil {
			d.dropSession(c.Value)
		}
		s := d.newSession()
		d.withSession(s, func(s *session) { s.admin = true })
		http.SetCookie(w, &http.Cookie{Name: "ssid", Value: s.id, Path: "/", HttpOnly: true})
		writeJSON(w, http.StatusOK, reply("0", "0"))
	case LoginLockedOut:
		writeJSON(w, http.StatusOK, reply("1", "5"))
	default:
		writeJSON(w, http.StatusOK, reply("1", "1"))
	}
}

// vlSetSMTP is /SETSMTP.cmd. PASSWORD is changed only when sent: the app
// sends it only after the user typed into the field.
func (d *Device) vlSetSMTP(w http.ResponseWriter, r *http.Request, _ *session) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, vlErr("405", "use POST"))
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, vlErr("400", "bad request"))
		return
	}
	f := r.PostForm
	d.mu.Lock()
	defer d.mu.Unlock()
	n := d.smtp
	pw := d.smtpPW
	if v, ok := f["SERVER"]; ok {
		n.Server = strings.TrimSpace(v[0])
		if len(n.Server) > 255 {
			writeJSON(w, http.StatusOK, vlErr("22", "SMTP Server is too long."))
			return
		}
	}
	if v, ok := f["PORT"]; ok {
		p, err := strconv.Atoi(strings.TrimSpace(v[0]))
		if err != nil || p < 1 || p > 65535 {
			writeJSON(w, http.StatusOK, vlErr("22", "Outgoing SMTP Port Number must be from 1 to 65535."))
			return
		}
		n.Port = p
	}
	if v, ok := f["SECURITY"]; ok {
		if d.opts.SMTPTLS == SMTPTLSNone {
			writeJSON(w, http.StatusOK, vlErr("22", "Connection Security is not supported."))
			return
		}
		switch v[0] {
		case "OFF":
			n.Security = SecurityNone
		case "STARTTLS_IF_AVAILABLE":
			n.Security = SecuritySTARTTLSIfAvail
		case "STARTTLS":
			n.Security = SecuritySTARTTLS
		case "SSL":
			n.Security = SecurityTLS
		default:
			writeJSON(w, http.StatusOK, vlErr("22", "Connection Security is invalid."))
			return
		}
	}
	if v, ok := f["AUTH"]; ok {
		switch v[0] {
		case "NONE":
			n.Auth = AuthNone
		case "DEVICE":
			n.Auth = AuthSMTP
		default:
			writeJSON(w, http.StatusOK, vlErr("22", "SMTP Authentication is invalid."))
			return
		}
	}
	if v, ok := f["LOGINNAME"]; ok {
		n.User = strings.TrimSpace(v[0])
		if len(n.User) > 128 {
			writeJSON(w, http.StatusOK, vlErr("22", "Login Name is too long."))
			return
		}
	}
	if v, ok := f["FROM"]; ok {
		n.From = strings.TrimSpace(v[0])
		if n.From != "" && (!strings.Contains(n.From, "@") || len(n.From) > 128) {
			writeJSON(w, http.StatusOK, vlErr("22", "Device Email Address is not a valid e-mail address."))
			return
		}
	}
	if v, ok := f["PASSWORD"]; ok {
		if len(v[0]) > 64 {
			writeJSON(w, http.StatusOK, vlErr("22", "Password must be 64 characters or fewer."))
			return
		}
		pw = v[0]
	}
	if d.faults.RebootOnSave > 0 {
		d.rebootNow()
		hangUp(w)
		return
	}
	d.smtp = n
	d.smtpPW = pw
	d.log.Info("SMTP settings saved", "server", n.Server, "port", n.Port, "security", n.Security, "auth", n.Auth, "user", n.User, "password_set", pw != "")
	writeJSON(w, http.StatusOK, map[string]string{"result": "0"})
}

var vlIndex = template.Must(template.New("vl").Parse(`{{define "index"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Xerox® {{.Model}}</title>
<meta name="viewport" content="width=device-width">
<style>
body{font-family:sans-serif;margin:0}#top{background:#1d2b3a;color:#fff;padding:8px;display:flex;justify-content:space-between}
#menu{position:absolute;top:44px;left:0;width:180px;background:#f2f2f2;bottom:0}#menu a{display:block;padding:8px;color:#222;text-decoration:none}
#menu a.sel{background:#cfe0f3}#content{margin-left:190px;padding:8px}
.dialog{position:absolute;top:60px;left:240px;background:#fff;border:1px solid #888;padding:12px;box-shadow:0 4px 16px #0005;min-width:380px}
.dialog .row{margin:6px 0}.dialog label{display:inline-block;width:200px}.error{color:#b00}.item{padding:6px;border-bottom:1px solid #ddd;cursor:pointer}
#toast{position:fixed;bottom:12px;left:240px;background:#333;color:#fff;padding:6px 10px}
</style></head>
<body><noscript>Enable JavaScript to use the Embedded Web Server.</noscript>
<div id="app"><div id="loading">Loading…</div></div>
<script>window.XRX_LAYOUT = {{.Layout}};</script>
<script src="/home/js/app.js"></script>
</body></html>{{end}}`))

// vlAppJS is the VersaLink web app. It keeps a model per dialog that is
// updated only on input/change events, as the real app's framework does:
// setting an element's value from a script without dispatching events
// changes nothing that is saved.
const vlAppJS = `(function () {
'use strict';
var L = window.XRX_LAYOUT;
var state = { loggedIn: false, device: {}, view: 'Home' };
var MENU = ['Home', 'Apps', 'Address Book', 'Jobs', 'Connectivity', 'Permissions', 'Accounting', 'System'];

function el(tag, attrs, children) {
  var e = document.createElement(tag);
  attrs = attrs || {};
  Object.keys(attrs).forEach(function (k) {
    if (k === 'text') { e.textContent = attrs[k]; }
    else if (k === 'onclick') { e.addEventListener('click', attrs[k]); }
    else { e.setAttribute(k, attrs[k]); }
  });
  (children || []).forEach(function (c) { if (c) { e.appendChild(c); } });
  return e;
}

function b64(s) { return btoa(unescape(encodeURIComponent(s))); }

function form(obj) {
  return Object.keys(obj).map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(obj[k]); }).join('&');
}

function api(cmd, data) {
  var opts = { credentials: 'same-origin', headers: {} };
  if (data) {
    opts.method = 'POST';
    opts.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    opts.body = form(data);
  }
  return fetch('/' + cmd + '.cmd', opts).then(function (r) {
    return r.json().then(function (j) {
      if (r.status === 401) { state.loggedIn = false; renderTop(); showLogin('Your session has expired. Log in again.'); throw new Error('session'); }
      return j;
    });
  }, function () {
    toast('The device is not responding. Check that it is turned on, then try again.');
    throw new Error('network');
  });
}

function toast(msg) {
  var t = document.getElementById('toast');
  if (t) { t.remove(); }
  t = el('div', { id: 'toast', role: 'status', text: msg });
  document.body.appendChild(t);
  setTimeout(function () { if (t.parentNode) { t.remove(); } }, 8000);
}

function closeDialogs() {
  Array.prototype.forEach.call(document.querySelectorAll('.dialog'), function (d) { d.remove(); });
}

// field binds an input to model[key] through input/change events only.
function field(label, id, type, model, key, extra) {
  var input;
  extra = extra || {};
  if (type === 'select') {
    input = el('select', { id: id, name: id });
    extra.options.forEach(function (o) {
      var opt = el('option', { value: o[0], text: o[1] });
      if (model[key] === o[0]) { opt.selected = true; }
      input.appendChild(opt);
    });
  } else {
    input = el('input', { id: id, name: id, type: type });
    if (type !== 'password' && model[key] !== undefined) { input.value = model[key]; }
    if (extra.maxlength) { input.setAttribute('maxlength', extra.maxlength); }
  }
  var update = function () { model[key] = input.value; if (extra.onchange) { extra.onchange(); } };
  input.addEventListener('input', update);
  input.addEventListener('change', update);
  var row = el('div', { 'class': 'row' }, [el('label', { 'for': id, text: label }), input]);
  return row;
}

function dialog(title, body, buttons) {
  closeDialogs();
  var old = document.getElementById('toast');
  if (old) { old.remove(); }
  var d = el('div', { 'class': 'dialog', role: 'dialog', 'aria-label': title }, [el('h3', { text: title })]);
  body.forEach(function (b) { d.appendChild(b); });
  d.appendChild(el('div', { 'class': 'error', id: 'dialogError', role: 'alert' }));
  var bar = el('div', { 'class': 'buttons' });
  buttons.forEach(function (b) {
    var a = { type: 'button', text: b[0], onclick: b[1] };
    if (b[2]) { a.id = b[2]; }
    bar.appendChild(el('button', a));
  });
  d.appendChild(bar);
  document.body.appendChild(d);
  return d;
}

function setError(msg) {
  var e = document.getElementById('dialogError');
  if (e) { e.textContent = msg; }
}

function showLogin(msg) {
  var m = { name: '', psw: '' };
  dialog('Log In', [
    field('User Name', L.LoginName, 'text', m, 'name'),
    field('Password', L.LoginPsw, 'password', m, 'psw')
  ], [['Cancel', closeDialogs], ['Log In', function () {
    api('LOGIN', { NAME: b64(m.name), PSW: b64(m.psw) }).then(function (j) {
      if (j.result === '0') {
        state.loggedIn = true;
        closeDialogs();
        renderTop();
        renderView();
      } else if (j.errorCode === '5') {
        setError('The maximum number of login attempts has been exceeded. Restart the device to log in again.');
      } else {
        setError('Incorrect user name or password.');
      }
    });
  }]]);
  if (msg) { setError(msg); }
}

function requireAdmin(f) {
  return function () { if (!state.loggedIn) { showLogin(); return; } f(); };
}

// The SMTP page as the live app shows it ("Protocols / SMTP"): the
// server address is confirmed with its own OK, Connection Security is a
// radio group, Email Send Authentication a select, and the only check is
// a connection test ("Start"), which uses the saved settings.
var SEC = [['OFF', 'Off', 'OFF'], ['STARTTLS_IF_AVAILABLE', 'STARTTLS (If Available)', 'STARTTLS'], ['STARTTLS', 'STARTTLS', 'STARTTLS_REQ'], ['SSL', 'SSL/TLS', 'ON']];

function radios(legend, group, model, key, options) {
  var fs = el('fieldset', { 'class': 'row', role: 'radiogroup', 'aria-label': legend }, [el('legend', { text: legend })]);
  options.forEach(function (o) {
    var id = group + o[2];
    var r = el('input', { type: 'radio', name: group, id: id, value: o[0] });
    if (model[key] === o[0]) { r.checked = true; }
    r.addEventListener('change', function () { if (r.checked) { model[key] = o[0]; } });
    fs.appendChild(el('span', {}, [r, el('label', { 'for': id, text: o[1] })]));
  });
  return fs;
}

function showSMTP() {
  api('SMTP').then(function (s) {
    var m = { SERVER: s.SERVER, PORT: s.PORT, SECURITY: s.SECURITY, AUTH: s.AUTH, LOGINNAME: s.LOGINNAME, FROM: s.FROM };
    var typed = { SERVER: s.SERVER, PW: '', PW2: '' };
    var serverRow = field('Server Address', L.Server, 'text', typed, 'SERVER', { maxlength: 255 });
    var shown = el('span', { id: 'serverAddressDisplay', text: s.SERVER });
    serverRow.appendChild(el('button', { type: 'button', id: L.ServerOK, text: 'OK', onclick: function () {
      m.SERVER = typed.SERVER; shown.textContent = typed.SERVER;
    } }));
    serverRow.appendChild(shown);
    var rows = [serverRow, field('Outgoing SMTP Port Number', L.Port, 'text', m, 'PORT', { maxlength: 5 })];
    if (s.ENCRYPTION === '1') {
      rows.push(radios('Connection Security', L.SecGroup, m, 'SECURITY', SEC));
    } else {
      delete m.SECURITY;
    }
    var authRow = field('Email Send Authentication', L.Auth, 'select', m, 'AUTH', { options: [['NONE', 'Off'], ['DEVICE', 'SMTP AUTH']], onchange: syncAuth });
    var userRow = field('SMTP AUTH Login Name', L.User, 'text', m, 'LOGINNAME', { maxlength: 128 });
    var pwRow = field('SMTP AUTH Password', L.Password, 'password', typed, 'PW', { maxlength: 64 });
    var pw2Row = field('Retype Password', L.Retype, 'password', typed, 'PW2', { maxlength: 64 });
    if (s.PASSWORDSET === '1') { pwRow.querySelector('input').setAttribute('placeholder', '••••••••'); }
    var status = el('span', { id: 'smtpConnStatus', role: 'status' });
    var conn = el('div', { 'class': 'row' }, [el('label', { 'for': L.ConnTest, text: 'Connection Test' }),
      el('button', { type: 'button', id: L.ConnTest, text: 'Start', onclick: function () {
        status.textContent = 'Testing…';
        api('SMTPCONNTEST', {}).then(function (j) {
          status.textContent = j.result === '0' ? 'Connection test: Successful. ' + j.message : 'Connection test: Failed. ' + j.message;
        });
      } }), status]);
    rows.push(authRow, userRow, pwRow, pw2Row,
      field('Device Email Address', L.From, 'text', m, 'FROM', { maxlength: 128 }), conn);
    function syncAuth() {
      var off = m.AUTH !== 'DEVICE';
      [userRow, pwRow, pw2Row].forEach(function (r) { r.querySelector('input').disabled = off; });
    }
    dialog('Protocols / SMTP', rows, [
      ['Cancel', closeDialogs, L.Cancel],
      ['Save', function () {
        setError('');
        if (typed.PW !== typed.PW2) { setError('The passwords do not match.'); return; }
        var send = Object.assign({}, m);
        if (typed.PW !== '') { send.PASSWORD = typed.PW; }
        api('SETSMTP', send).then(function (j) {
          if (j.result === '0') { closeDialogs(); toast('Settings saved.'); } else { setError(j.message || 'The settings could not be saved.'); }
        });
      }, L.Save]
    ]);
    syncAuth();
  });
}

function showEmailApp() {
  api('EMAIL').then(function (s) {
    var m = { FROM: s.FROM };
    dialog('Email', [field('Email \'From\' Address', L.AppFrom, 'text', m, 'FROM', { maxlength: 128 })], [
      ['Cancel', closeDialogs],
      ['OK', function () {
        api('SETEMAIL', m).then(function (j) {
          if (j.result === '0') { closeDialogs(); toast('Settings saved.'); } else { setError(j.message); }
        });
      }]
    ]);
  });
}

function item(text, onclick) {
  return el('div', { 'class': 'item', role: 'button', tabindex: '0', text: text, onclick: onclick });
}

var VIEWS = {
  'Home': function (c) {
    c.appendChild(el('h2', { text: 'Home' }));
    c.appendChild(el('p', { text: state.device.model + ' — Serial Number ' + state.device.serial }));
    var st = el('p', { id: 'deviceStatus', text: 'Ready' });
    c.appendChild(st);
    api('JOBLOG').then(function (j) {
      var last = j.jobs[0];
      if (last && last.Fault) {
        st.textContent = 'Alert';
        c.appendChild(el('div', { id: 'alerts', role: 'alert', text: last.Fault + ' Unable to connect to the SMTP server. ' + last.Detail }));
      }
    });
  },
  'Apps': function (c) {
    c.appendChild(el('h2', { text: 'Apps' }));
    ['Copy', 'Email', 'Scan To', 'Print From', 'Fax', 'Workflow Scanning'].forEach(function (a) {
      c.appendChild(item(a, a === 'Email' ? requireAdmin(showEmailApp) : function () {}));
    });
  },
  'Jobs': function (c) {
    c.appendChild(el('h2', { text: 'Jobs' }));
    var t = el('table', { id: 'jobLog', border: '1' });
    t.appendChild(el('tr', {}, ['Job ID', 'Job Name', 'Type', 'Recipient', 'Status', 'Fault', 'Details', 'Completed'].map(function (h) { return el('th', { text: h }); })));
    c.appendChild(t);
    api('JOBLOG').then(function (j) {
      j.jobs.forEach(function (r) {
        t.appendChild(el('tr', {}, [r.ID, r.Name, r.Type, r.Recipient, r.Status, r.Fault, r.Detail, r.Completed].map(function (v) { return el('td', { text: v }); })));
      });
    });
  },
  'Connectivity': function (c) {
    c.appendChild(el('h2', { text: 'Connectivity' }));
    c.appendChild(el('h3', { text: 'Connections' }));
    c.appendChild(item('Ethernet', function () {}));
    c.appendChild(el('h3', { text: 'Protocols' }));
    ['HTTP', 'LDAP', 'SMTP', 'SNMP', 'IPP'].forEach(function (p) {
      c.appendChild(item(p, p === 'SMTP' ? requireAdmin(showSMTP) : function () {}));
    });
  }
};

function renderView() {
  var c = document.getElementById('content');
  c.innerHTML = '';
  (VIEWS[state.view] || function (c) { c.appendChild(el('h2', { text: state.view })); })(c);
  Array.prototype.forEach.call(document.querySelectorAll('#menu a'), function (a) {
    a.className = a.textContent === state.view ? 'sel' : '';
  });
}

function renderTop() {
  var r = document.getElementById('account');
  r.innerHTML = '';
  if (state.loggedIn) {
    r.appendChild(el('span', { text: 'admin ' }));
    r.appendChild(el('button', { type: 'button', id: 'logoutButton', text: 'Log Out', onclick: function () {
      api('LOGOUT', {}).then(function () { state.loggedIn = false; renderTop(); renderView(); });
    } }));
  } else {
    r.appendChild(el('button', { type: 'button', id: 'loginButton', text: 'Log In', onclick: function () { showLogin(); } }));
  }
}

function route() {
  var h = decodeURIComponent(location.hash.replace(/^#hash/, ''));
  state.view = MENU.indexOf(h) >= 0 ? h : 'Home';
  renderView();
}

function start() {
  var app = document.getElementById('app');
  app.innerHTML = '';
  app.appendChild(el('div', { id: 'top' }, [el('span', { id: 'title', text: state.device.model }), el('span', { id: 'account' })]));
  var menu = el('nav', { id: 'menu' });
  MENU.forEach(function (m) { menu.appendChild(el('a', { href: '#hash' + m, text: m })); });
  app.appendChild(menu);
  app.appendChild(el('main', { id: 'content' }));
  renderTop();
  window.addEventListener('hashchange', route);
  route();
}

Promise.all([
  fetch('/DEVICE.cmd').then(function (r) { return r.json(); }),
  fetch('/SESSION.cmd', { credentials: 'same-origin' }).then(function (r) { return r.json(); })
]).then(function (res) {
  state.device = res[0];
  state.loggedIn = res[1].loggedIn === '1';
  start();
});
})();
`
