package lexmark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// Paths of the webglue API ([C] unless marked).
const (
	pathLoginMethods = "/webglue/rawcontent?c=LoginMethod&lang=en"
	pathLogin        = "/webglue/session/create"
	pathLogout       = "/webglue/session/destroy" // [I] guess of its use: POST with the session's cookies
	pathEmail        = "/webglue/content?c=%2FSettings%2FEmail&lang=en"
	pathSave         = "/webglue/content"
	pathTest         = "/webglue/testSMTPFromEmail?sendToAddr="
)

// emailBox is the element the e-mail form's HTML is put into, as the
// EWS app does with the content endpoint's answer.
const emailBox = "mfpfleet-lexmark-email"

// The E-mail Setup fields: labels as the page shows them, the known
// setting ids first ([C] ids except the password's and trust's).
var (
	fServer   = drivers.Field{Key: "server", Labels: []string{"Primary SMTP Gateway"}, Names: []string{"setting_16510"}, Type: "text", Within: "#" + emailBox}
	fPort     = drivers.Field{Key: "port", Labels: []string{"Primary SMTP Gateway Port"}, Names: []string{"setting_16511"}, Type: "text", Within: "#" + emailBox}
	fSecurity = drivers.Field{Key: "security", Labels: []string{"Use SSL/TLS"}, Names: []string{"setting_17072"}, Type: "select", Within: "#" + emailBox, Optional: true}
	fAuth     = drivers.Field{Key: "auth", Labels: []string{"SMTP Server Authentication"}, Names: []string{"setting_16528"}, Type: "select", Within: "#" + emailBox, Optional: true}
	fLogin    = drivers.Field{Key: "login", Labels: []string{"Device Userid", "Device User ID"}, Names: []string{"setting_16526"}, Type: "text", Within: "#" + emailBox, Optional: true}
	fPassword = drivers.Field{Key: "pw", Labels: []string{"Device Password"}, Names: []string{"setting_16527"}, Type: "password", Within: "#" + emailBox, Optional: true}
	fFrom     = drivers.Field{Key: "from", Labels: []string{"Reply Address"}, Names: []string{"setting_16515"}, Type: "text", Within: "#" + emailBox, Optional: true}
)

// The save keys to use when an input has no name attribute: [C] for the
// gateway, port and SSL/TLS, [I] guesses for the rest.
var fallbackKeys = map[string]string{
	"server": "EmailPrimarySmtpGateway", "port": "EmailPrimarySmtpGatewayPort", "security": "EmailUseSslTls",
	"auth": "EmailSmtpServerAuthentication", "login": "EmailDeviceUserid", "pw": "EmailDevicePassword", "from": "EmailReplyAddress",
}

// NewSession implements drivers.Driver: it loads "/" and asks the webglue
// API for the login methods, which only the webglue EWS answers.
func (d *Driver) NewSession(ctx context.Context, tab *drivers.Tab) (drivers.Session, error) {
	s := &session{tab: tab, dev: tab.Device(), log: tab.Logger().With("driver", Name)}
	if err := s.detect(ctx); err != nil {
		return nil, tab.Fail(ctx, "open", err)
	}
	return s, nil
}

// loginMethod is one entry of LOGIN_METHODS_WITH_CREDS.lms [C].
type loginMethod struct {
	Credentials []string `json:"credentials"`
	ID          int      `json:"lmid"`
	Name        string   `json:"lmname"`
	Type        int      `json:"lmtype"`
	Selected    int      `json:"selected"`
}

type session struct {
	tab     *drivers.Tab
	dev     devices.Device
	log     *slog.Logger
	methods []loginMethod
	open    bool   // the device asks for no login
	key     string // the webglue sessionKey (CSRF token) while logged in
}

var (
	_ drivers.Session   = (*session)(nil)
	_ drivers.Tester    = (*session)(nil)
	_ drivers.Defaulter = (*session)(nil)
	_ drivers.Prober    = (*session)(nil)
)

// Info implements drivers.Session.
func (s *session) Info() drivers.SessionInfo {
	return drivers.SessionInfo{Driver: Name, Family: FamilyWebglue, Address: s.tab.Address(), BaseURL: s.tab.BaseURL(),
		CertSHA256: s.tab.CertSHA256(), FirstContact: s.tab.FirstContact()}
}

// DefaultCredentials implements drivers.Defaulter: the no-login entry
// (tried first, sending nothing). Lexmark has no factory password.
func (s *session) DefaultCredentials() []drivers.Credential {
	return info.Families[0].Credentials(s.dev)
}

// reply is what api returns: the HTTP status (0 when the request failed:
// the device hung up or did not answer in time) and the body.
type reply struct {
	Status  int    `json:"status"`
	Body    string `json:"body"`
	Error   string `json:"error"`
	Aborted bool   `json:"aborted"`
}

// api sends one request from the page (same origin, the page's cookies)
// as the EWS's own script does, with the headers the public clients send,
// bounded by limit (or ctx's deadline). form, when not nil, is posted
// URL-encoded.
func (s *session) api(ctx context.Context, op, method, path string, form url.Values, limit time.Duration) (reply, error) {
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl) - 500*time.Millisecond; limit <= 0 || left < limit {
			limit = left
		}
	}
	if limit <= 0 {
		limit = 30 * time.Second
	}
	args, _ := json.Marshal(map[string]any{"method": method, "path": path, "body": form.Encode(), "post": form != nil,
		"key": s.key, "ms": limit.Milliseconds()})
	js := `(async (a) => {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), a.ms);
  const headers = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json, text/javascript, */*; q=0.01"};
  if (a.post) headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8";
  if (a.key) headers["X-CSRF-Token"] = a.key;
  try {
    const r = await fetch(a.path, {method: a.method, credentials: "same-origin", headers, body: a.post ? a.body : undefined, signal: ctl.signal, cache: "no-store"});
    return {status: r.status, body: await r.text()};
  } catch (e) {
    return {status: 0, error: String(e && e.message || e), aborted: ctl.signal.aborted};
  } finally { clearTimeout(timer); }
})(` + string(args) + `)`
	var r reply
	if err := s.tab.Eval(ctx, op, js, &r); err != nil {
		return r, err
	}
	if r.Status == 0 {
		if r.Aborted {
			return r, fmt.Errorf("%s: no answer within %s (the device is slow or stopped answering): %w", op, limit.Round(time.Second), drivers.ErrTransient)
		}
		return r, fmt.Errorf("%s: the device stopped answering (%s): %w", op, s.tab.Scrub(r.Error), drivers.ErrTransient)
	}
	if r.Status >= 500 {
		return r, fmt.Errorf("%s: the device answered HTTP %d: %w", op, r.Status, drivers.ErrTransient)
	}
	return r, nil
}

// detect loads the landing page and reads the login methods.
func (s *session) detect(ctx context.Context) error {
	pg, err := s.tab.Navigate(ctx, "/")
	if err != nil {
		return err
	}
	if pg.Status >= 500 {
		return fmt.Errorf("the web admin answers HTTP %d: %w", pg.Status, drivers.ErrTransient)
	}
	if err := s.loginMethods(ctx); err != nil {
		if errors.Is(err, drivers.ErrTransient) {
			return err
		}
		return fmt.Errorf("the web admin at %s does not answer Lexmark's webglue API (%v): older Lexmark firmware serves the classic web admin, which this driver does not know; set the e-mail server by hand or run `mfpfleet probe %s` and send us the output: %w",
			s.tab.BaseURL(), err, s.tab.Address(), drivers.ErrUnsupported)
	}
	return nil
}

// loginMethods reads the login methods the device offers (none: the
// factory state, no login at all).
func (s *session) loginMethods(ctx context.Context) error {
	r, err := s.api(ctx, "read the login methods", "GET", pathLoginMethods, nil, 0)
	if err != nil {
		return err
	}
	var lm struct {
		M *struct {
			LMS []loginMethod `json:"lms"`
		} `json:"LOGIN_METHODS_WITH_CREDS"`
	}
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &lm) != nil || lm.M == nil {
		return fmt.Errorf("GET %s answered HTTP %d without LOGIN_METHODS_WITH_CREDS", pathLoginMethods, r.Status)
	}
	s.methods = lm.M.LMS
	s.log.Debug("login methods", "count", len(s.methods))
	return nil
}

func (s *session) methodNames() string {
	var n []string
	for _, m := range s.methods {
		n = append(n, fmt.Sprintf("%q (%s)", m.Name, strings.Join(m.Credentials, "+")))
	}
	return strings.Join(n, ", ")
}

// pick chooses the login method for c and the creds to send: a method
// asking for a user name when c has one, else one asking only a
// password, else a PIN method.
func (s *session) pick(c drivers.Credential) (loginMethod, map[string]string, error) {
	pw := c.Password.Reveal()
	var best *loginMethod
	score := -1
	for i, m := range s.methods {
		has := func(k string) bool {
			for _, x := range m.Credentials {
				if strings.EqualFold(x, k) {
					return true
				}
			}
			return false
		}
		sc := -1
		switch {
		case has("username") && has("password") && c.User != "":
			sc = 3
		case has("password") && !has("username"):
			sc = 2
		case has("pin"):
			sc = 1
		}
		if sc > score || sc == score && m.Selected == 1 {
			best, score = &s.methods[i], sc
		}
	}
	if best == nil || score < 0 {
		return loginMethod{}, nil, fmt.Errorf("the device offers no login method mfpfleet can use with a password (it offers %s); set up the built-in admin password or a local account under Security → Login Methods: %w",
			s.methodNames(), drivers.ErrUnsupported)
	}
	switch score {
	case 3:
		return *best, map[string]string{"username": c.User, "password": pw}, nil
	case 2:
		return *best, map[string]string{"password": pw}, nil
	}
	return *best, map[string]string{"pin": pw}, nil
}

var reLocked = regexp.MustCompile(`(?i)lock|too many|maximum number`)

// Login implements drivers.Session.
func (s *session) Login(ctx context.Context, c drivers.Credential) error {
	if drivers.IsNoLogin(c) || len(s.methods) == 0 {
		if len(s.methods) == 0 {
			// Nothing to log in to: every setting is open.
			s.open = true
			s.log.Info("the device asks for no admin login (factory state)")
			return nil
		}
		return fmt.Errorf("the device asks for a login (%s), so it is not in its open factory state: %w", s.methodNames(), drivers.ErrBadCredentials)
	}
	m, creds, err := s.pick(c)
	if err != nil {
		return s.tab.Fail(ctx, "login", err)
	}
	s.tab.AddSecretValue(c.Password)
	data, _ := json.Marshal(map[string]any{"authtype": m.Type, "authId": m.ID, "creds": creds})
	// The public clients send these cookies with the login [C].
	_ = s.tab.Eval(ctx, "set the login cookies", `document.cookie = 'lexlang="0"; path=/'; document.cookie = "autoLogin=false; path=/"; true`, nil)
	r, err := s.api(ctx, "log in", "POST", pathLogin, url.Values{"data": {string(data)}}, 0)
	if err != nil {
		return err
	}
	var ans struct {
		Status json.Number `json:"status"`
		ID     string      `json:"sessionId"`
		Key    string      `json:"sessionKey"`
		Name   string      `json:"sessionName"`
		Error  string      `json:"error"`
	}
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &ans) != nil {
		return s.tab.Fail(ctx, "login", fmt.Errorf("POST %s answered HTTP %d, not the JSON a webglue login answers: %w", pathLogin, r.Status, drivers.ErrUnsupported))
	}
	// Success is status 0 AND a key AND no error [C]: the XM3350
	// answered status 0 with an error and no key to a refused login.
	if ans.Status.String() == "0" && ans.Key != "" && ans.Error == "" {
		s.key = ans.Key
		js, _ := json.Marshal(map[string]string{"sessionId": ans.ID, "sessionKey": ans.Key, "sessionName": ans.Name})
		if err := s.tab.Eval(ctx, "keep the session", `((c) => { for (const k in c) document.cookie = k + "=" + encodeURIComponent(c[k]) + "; path=/"; return true; })(`+string(js)+`)`, nil); err != nil {
			return err
		}
		s.tab.AddSecret(ans.Key)
		return nil
	}
	words := strings.TrimSpace(ans.Error)
	if words == "" {
		words = "status " + ans.Status.String() + " without a session key"
	}
	if reLocked.MatchString(words) {
		return fmt.Errorf("the device refuses the login: %q (Login Restrictions locked the account): %w", words, drivers.ErrLockedOut)
	}
	return fmt.Errorf("the device refused %s with the %s login method: %q: %w", c.Describe(), m.Name, words, drivers.ErrBadCredentials)
}

// emailForm is the E-mail Setup form as read: field states and each
// select's options (value → text).
type emailForm struct {
	st      map[string]drivers.FieldState
	options map[string][][2]string
}

// openEmail fetches the E-mail Setup form and puts its HTML into the
// page, where its fields are found by their labels.
func (s *session) openEmail(ctx context.Context, step string) (emailForm, error) {
	r, err := s.api(ctx, "read the e-mail settings", "GET", pathEmail, nil, 0)
	if err != nil {
		return emailForm{}, err
	}
	if r.Status == 401 || r.Status == 403 {
		if s.key != "" {
			return emailForm{}, fmt.Errorf("the device ended the admin session (HTTP %d on the e-mail settings): %w", r.Status, drivers.ErrTransient)
		}
		return emailForm{}, s.tab.Fail(ctx, step, fmt.Errorf("the e-mail settings need a login (HTTP %d): log in first", r.Status))
	}
	var page struct {
		HTML string `json:"html"`
	}
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &page) != nil || page.HTML == "" {
		return emailForm{}, s.tab.Fail(ctx, step, fmt.Errorf("GET %s answered HTTP %d without the e-mail form; run `mfpfleet probe %s` and send us the output", pathEmail, r.Status, s.tab.Address()))
	}
	h, _ := json.Marshal(page.HTML)
	put := `((h) => {
  let box = document.getElementById("` + emailBox + `");
  if (!box) { box = document.createElement("div"); box.id = "` + emailBox + `"; (document.getElementById("content") || document.body).replaceChildren(box); }
  box.innerHTML = h;
  return true;
})(` + string(h) + `)`
	if err := s.tab.Eval(ctx, "show the e-mail settings", put, nil); err != nil {
		return emailForm{}, err
	}
	st, err := s.tab.Read(ctx, "E-mail Setup", fServer, fPort, fSecurity, fAuth, fLogin, fPassword, fFrom)
	if err != nil {
		return emailForm{}, s.tab.Fail(ctx, step, err)
	}
	f := emailForm{st: st, options: map[string][][2]string{}}
	for _, k := range []string{"security", "auth"} {
		fs := st[k]
		if !fs.Found {
			continue
		}
		sel, _ := json.Marshal(map[string]string{"id": fs.ID, "name": fs.Name})
		var opts [][2]string
		js := `((a) => {
  const box = document.getElementById("` + emailBox + `");
  const e = (a.id && box.querySelector("#" + CSS.escape(a.id))) || (a.name && box.querySelector("[name='" + CSS.escape(a.name) + "']"));
  return e ? Array.from(e.options).map(o => [o.value, o.textContent.trim()]) : [];
})(` + string(sel) + `)`
		if err := s.tab.Eval(ctx, "read the "+k+" options", js, &opts); err != nil {
			return emailForm{}, err
		}
		f.options[k] = opts
	}
	return f, nil
}

// OpenSMTPPage implements drivers.Prober: the e-mail form in the page.
func (s *session) OpenSMTPPage(ctx context.Context) error {
	_, err := s.openEmail(ctx, "probe")
	return err
}

// security reads Use SSL/TLS: Required is implicit TLS on 465 and strict
// STARTTLS elsewhere ([I] guess), Negotiate is opportunistic STARTTLS.
func security(value, text string, port int) drivers.Security {
	t := strings.ToLower(text)
	switch {
	case value == "2" || strings.Contains(t, "required"):
		if port == 465 {
			return drivers.SecuritySSLTLS
		}
		return drivers.SecurityStartTLS
	case value == "1" || strings.Contains(t, "negotiate"):
		return drivers.SecurityStartTLSIfAvailable
	}
	return drivers.SecurityNone
}

// ReadSMTP implements drivers.Session.
func (s *session) ReadSMTP(ctx context.Context) (drivers.SMTPSettings, error) {
	f, err := s.openEmail(ctx, "read")
	if err != nil {
		return drivers.SMTPSettings{}, err
	}
	var out drivers.SMTPSettings
	out.Server = strings.TrimSpace(f.st["server"].Value)
	out.Port, _ = strconv.Atoi(strings.TrimSpace(f.st["port"].Value))
	out.User = f.st["login"].Value
	out.From = f.st["from"].Value
	out.PasswordSet = f.st["pw"].HasValue
	out.Security = drivers.SecurityNone
	if sec := f.st["security"]; sec.Found {
		out.Security = security(sec.OptionValue, sec.Value, out.Port)
	}
	if a := f.st["auth"]; a.Found {
		out.Auth = a.OptionValue != "0" && !strings.Contains(strings.ToLower(a.Value), "no authentication") && a.Value != ""
	}
	return out, nil
}

// option returns the value of the option of f's select key whose text or
// value pred picks.
func (f emailForm) option(key string, pred func(value, text string) bool) (string, bool) {
	for _, o := range f.options[key] {
		if pred(o[0], strings.ToLower(o[1])) {
			return o[0], true
		}
	}
	return "", false
}

func (f emailForm) texts(key string) string {
	var t []string
	for _, o := range f.options[key] {
		t = append(t, o[1])
	}
	return strings.Join(t, ", ")
}

// keyOf is the JSON key a save posts for field key: the input's name.
func (f emailForm) keyOf(key string) string {
	if n := f.st[key].Name; n != "" {
		return n
	}
	return fallbackKeys[key]
}

// WriteSMTP implements drivers.Session: the settings go as one JSON save
// of the page's own keys; the password only when given (a save without
// it keeps the stored one).
func (s *session) WriteSMTP(ctx context.Context, w drivers.SMTPSettings) error {
	if err := drivers.CheckSettings(w); err != nil {
		return err
	}
	f, err := s.openEmail(ctx, "write")
	if err != nil {
		return err
	}
	data := map[string]any{f.keyOf("server"): w.Server, f.keyOf("port"): strconv.Itoa(w.Port)}
	// Use SSL/TLS: Required for both Gmail pairings, Disabled for none;
	// never Negotiate, which falls back to plain text.
	if !f.st["security"].Found {
		if w.Security != drivers.SecurityNone {
			return s.tab.Fail(ctx, "write", fmt.Errorf("the E-mail Setup page has no Use SSL/TLS setting: this firmware cannot encrypt mail, and Gmail requires STARTTLS or SSL/TLS: %w; update the firmware or relay through a local SMTP server", drivers.ErrFirmware))
		}
	} else {
		want := func(v, t string) bool { return v == "0" && t == "" || strings.Contains(t, "disabled") || t == "off" }
		if w.Security != drivers.SecurityNone {
			want = func(v, t string) bool { return strings.Contains(t, "required") }
		}
		v, ok := f.option("security", want)
		if !ok {
			return s.tab.Fail(ctx, "write", fmt.Errorf("the Use SSL/TLS setting offers %s, no strict choice for %s (Negotiate falls back to plain text and is never written): %w", f.texts("security"), w.Security, drivers.ErrFirmware))
		}
		data[f.keyOf("security")] = v
	}
	if !f.st["auth"].Found {
		if w.Auth {
			return s.tab.Fail(ctx, "write", fmt.Errorf("the E-mail Setup page has no SMTP Server Authentication setting: this firmware cannot log in to Gmail: %w", drivers.ErrFirmware))
		}
	} else {
		want := func(v, t string) bool { return v == "0" || strings.Contains(t, "no authentication") || t == "none" }
		if w.Auth {
			want = func(v, t string) bool { return strings.Contains(t, "login") || strings.Contains(t, "plain") }
		}
		v, ok := f.option("auth", want)
		if !ok {
			return s.tab.Fail(ctx, "write", fmt.Errorf("SMTP Server Authentication offers %s, none that Gmail takes (Login / Plain): %w", f.texts("auth"), drivers.ErrFirmware))
		}
		data[f.keyOf("auth")] = v
	}
	if w.Auth {
		if !f.st["login"].Found {
			return s.tab.Fail(ctx, "write", &drivers.FieldError{Page: "E-mail Setup", Label: fLogin.Labels[0], Names: fLogin.Names})
		}
		data[f.keyOf("login")] = w.User
	}
	if f.st["from"].Found && w.From != "" {
		data[f.keyOf("from")] = w.From
	}
	if pw := w.Password.Reveal(); pw != "" {
		s.tab.AddSecretValue(w.Password)
		pf := f.st["pw"]
		if !pf.Found {
			return s.tab.Fail(ctx, "write", &drivers.FieldError{Page: "E-mail Setup", Label: fPassword.Labels[0], Names: fPassword.Names})
		}
		max := passwordMax
		if pf.MaxLength > 0 {
			max = pf.MaxLength
		}
		if len(pw) > max {
			return s.tab.Fail(ctx, "write", fmt.Errorf("the password has %d characters; this firmware's Device Password field takes at most %d: %w", len(pw), max, drivers.ErrFirmware))
		}
		data[f.keyOf("pw")] = pw
	}
	body, _ := json.Marshal(data)
	r, err := s.api(ctx, "save the e-mail settings", "POST", pathSave, url.Values{"c": {"Email"}, "lang": {"en"}, "data": {string(body)}}, 0)
	if err != nil {
		return err
	}
	if r.Status == 401 || r.Status == 403 {
		if s.key != "" || s.open {
			return fmt.Errorf("the device refused the save (HTTP %d): the admin session ended: %w", r.Status, drivers.ErrTransient)
		}
		return s.tab.Fail(ctx, "write", fmt.Errorf("the save needs a login (HTTP %d)", r.Status))
	}
	var ans map[string]struct {
		Status json.Number `json:"status"`
		Error  string      `json:"error"`
	}
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &ans) != nil {
		return s.tab.Fail(ctx, "write", fmt.Errorf("the save answered HTTP %d, not the per-field status JSON the EWS answers (%.200s)", r.Status, s.tab.Scrub(r.Body)))
	}
	var bad []string
	firmware := false
	for k, a := range ans {
		if a.Status.String() != "0" {
			bad = append(bad, fmt.Sprintf("%s: %s", k, cmpOr(a.Error, "status "+a.Status.String())))
			if k == f.keyOf("security") {
				firmware = true
			}
		}
	}
	if len(bad) > 0 {
		err := fmt.Errorf("the device refused the e-mail settings (%s)", strings.Join(bad, "; "))
		if firmware {
			err = fmt.Errorf("%w: this firmware cannot set Use SSL/TLS: %w", err, drivers.ErrFirmware)
		}
		return s.tab.Fail(ctx, "write", err)
	}
	s.log.Info("e-mail settings saved", "server", w.Server, "port", w.Port, "security", w.Security)
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// testLimit bounds the test request, which hangs while the device tries
// to send ([C]); the device's own SMTP time-out is usually shorter.
const testLimit = 90 * time.Second

var (
	reTLSFail  = regexp.MustCompile(`(?i)tls|ssl|handshake|protocol version|certificate`)
	reAuthFail = regexp.MustCompile(`(?i)\b53[45]\b|username and password not accepted|authentication|application-specific password`)
	reNoConn   = regexp.MustCompile(`(?i)unable to connect|connection (refused|timed out)|could not connect|resolve|dns`)
)

// SendTest implements drivers.Tester: GET testSMTPFromEmail, bounded.
func (s *session) SendTest(ctx context.Context, to string) (drivers.TestResult, error) {
	r, err := s.api(ctx, "send the test e-mail", "GET", pathTest+url.QueryEscape(to), nil, testLimit)
	if err != nil {
		if errors.Is(err, drivers.ErrTransient) {
			return drivers.TestResult{}, fmt.Errorf("%w; the device may still be trying: check the mailbox for %s before testing again", err, to)
		}
		return drivers.TestResult{}, err
	}
	if r.Status == 401 || r.Status == 403 {
		return drivers.TestResult{}, fmt.Errorf("the device refused the test (HTTP %d): the admin session ended: %w", r.Status, drivers.ErrTransient)
	}
	var ans struct {
		Status  json.Number `json:"status"`
		Message string      `json:"message"`
		Error   string      `json:"error"`
	}
	if r.Status != 200 || json.Unmarshal([]byte(r.Body), &ans) != nil {
		return drivers.TestResult{}, s.tab.Fail(ctx, "test", fmt.Errorf("the test answered HTTP %d (%.200s); the settings are written: confirm by a scan to %s", r.Status, s.tab.Scrub(r.Body), to))
	}
	res := drivers.TestResult{At: time.Now(), OK: ans.Status.String() == "0" && ans.Error == ""}
	res.Message = cmpOr(ans.Message, ans.Error)
	if res.OK {
		return res, nil
	}
	msg := res.Message
	switch {
	case reAuthFail.MatchString(msg):
		return res, fmt.Errorf("the device's test e-mail failed: %q: Gmail refused the login: check the account and the app password: %w", msg, drivers.ErrTestFailed)
	case reTLSFail.MatchString(msg):
		return res, fmt.Errorf("the device's test e-mail failed: %q: the encrypted connection to the mail server failed; the likely cause is the device's firmware (a TLS older than 1.2, which Gmail refuses): update the firmware: %w: %w", msg, drivers.ErrTestFailed, drivers.ErrFirmware)
	case reNoConn.MatchString(msg):
		return res, fmt.Errorf("the device's test e-mail failed: %q: the device could not reach the mail server: check its DNS and that ports 587/465 are open from its network: %w", msg, drivers.ErrTestFailed)
	}
	return res, fmt.Errorf("the device's test e-mail failed: %q: %w", msg, drivers.ErrTestFailed)
}

// Logout implements drivers.Session: it destroys the webglue session
// (nothing to do on a device that asks for no login) and drops its
// cookies.
func (s *session) Logout(ctx context.Context) error {
	if s.key == "" {
		return nil
	}
	r, err := s.api(ctx, "log out", "POST", pathLogout, url.Values{}, 0)
	s.key = ""
	_ = s.tab.Eval(ctx, "drop the session cookies", `["sessionId","sessionKey","sessionName"].forEach(k => document.cookie = k + "=; path=/; max-age=0"); true`, nil)
	if err != nil {
		return err
	}
	if r.Status != 200 && r.Status != 401 {
		return fmt.Errorf("log out: %s answered HTTP %d", pathLogout, r.Status)
	}
	return nil
}

// Close implements drivers.Session.
func (s *session) Close() error { return s.tab.Close() }
