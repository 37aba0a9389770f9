package hp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// FutureSmart pages ([C]: every page is /hp/device/<Controller>/Index).
const (
	fsSignIn    = "/hp/device/SignIn/Index"
	fsBasicSend = "/hp/device/BasicSend/Index"
	fsSignOut   = "/hp/device/SignOut/Index" // [I] a public script's best effort; #EwsLogoff's href first
)

// Fields, [C] ids first where known.
var (
	fsPin  = drivers.Field{Key: "pin", Labels: []string{"Access Code", "Sign In As", "Sign-in method"}, Names: []string{"PinDropDown"}, Type: "select", Optional: true}
	fsPass = drivers.Field{Key: "password", Labels: []string{"Password", "PIN", "Access Code"}, Names: []string{"PasswordTextBox"}, Type: "password"}

	fsEnabled = drivers.Field{Key: "enabled", Labels: []string{"Enable Scan to Email", "Enable Send to Email", "Scan to Email"}, Names: []string{"EmailEnabled"}, Type: "checkbox", Optional: true}
	fsFrom    = drivers.Field{Key: "from", Labels: []string{"Default From", "From", "From Address", "Default From Address", "Email Address"}, Names: []string{"EmailFromAddress"}, Type: "text"}

	// The wizard's fields, each optional: the loop fills what a step
	// shows.
	fsServer  = drivers.Field{Key: "server", Labels: []string{"Server Name or Address", "Server Name", "Server Address", "SMTP Server", "Outgoing Email Server", "Server"}, Names: []string{"SmtpServerName"}, Type: "text", Optional: true}
	fsPort    = drivers.Field{Key: "port", Labels: []string{"Port", "SMTP Port", "Port Number"}, Names: []string{"SmtpPort"}, Type: "text", Optional: true}
	fsSSL     = drivers.Field{Key: "ssl", Labels: []string{"Enable SMTP SSL Protocol", "Enable SMTP SSL", "Use SSL", "SSL"}, Names: []string{"SmtpSslEnabled"}, Type: "checkbox", Optional: true}
	fsAuth    = drivers.Field{Key: "auth", Labels: []string{"Server requires authentication", "Server requires authentication.", "SMTP Authentication"}, Names: []string{"SmtpAuthentication"}, Type: "checkbox", Optional: true}
	fsCreds   = drivers.Field{Key: "creds", Labels: []string{"Credentials", "Credentials to use", "Use credentials"}, Names: []string{"SmtpCredentials"}, Type: "select", Optional: true}
	fsUser    = drivers.Field{Key: "user", Labels: []string{"User Name", "Username", "User ID"}, Names: []string{"SmtpUserName"}, Type: "text", Optional: true}
	fsPW      = drivers.Field{Key: "pw", Labels: []string{"Password"}, Names: []string{"SmtpPassword"}, Type: "password", Optional: true}
	fsUseScan = drivers.Field{Key: "usescan", Labels: []string{"Scan to email", "Scan to Email", "Send to Email"}, Names: []string{"SmtpUsageScanToEmail"}, Type: "checkbox", Optional: true}
	fsTestTo  = drivers.Field{Key: "testto", Labels: []string{"Send a test email to", "Send test email to", "Test email address", "Email Address", "To"}, Names: []string{"SmtpTestEmailAddress"}, Type: "text", Optional: true}
)

// alwaysCreds is the SmtpCredentials option that makes the device use
// the written user name and password ([C] value 1).
const alwaysCreds = "Always use these credentials"

// Button ids ([C]: shared EWS ids) and the texts to fall back on.
var (
	btnSignIn = button{"signInOk", []string{"Sign In", "Sign in", "OK"}}
	btnAdd    = button{"FormButtonAddSmtpServer", []string{"Add...", "Add…", "Add"}}
	btnEdit   = button{"FormButtonEditSmtpServer", []string{"Edit...", "Edit…", "Edit"}}
	btnNext   = button{"FormButtonNext", []string{"Next", "Next >"}}
	btnFinish = button{"FormButtonFinish", []string{"Finish"}}
	btnCancel = button{"FormButtonCancel", []string{"Cancel"}}
	btnApply  = button{"FormButtonSubmit", []string{"Apply", "OK"}}
	btnTest   = button{"FormButtonTest", []string{"Test", "Send Test Email", "Test Configuration"}} // [I] guess
)

type button struct {
	id    string
	texts []string
}

// NewSession implements drivers.Driver: it loads the landing page and
// tells the family from it (FutureSmart's /hp/device/ pages and their
// sign-in link, or the LEDM app).
func (d *Driver) NewSession(ctx context.Context, tab *drivers.Tab) (drivers.Session, error) {
	s := &fsSession{tab: tab, dev: tab.Device(), log: tab.Logger().With("driver", Name)}
	fam, err := s.detect(ctx)
	if err != nil {
		return nil, tab.Fail(ctx, "open", err)
	}
	if want := s.dev.Family; want != "" && want != fam {
		s.log.Info("web admin family differs from what the model name suggests; following the page", "snmp_family", want, "page_family", fam)
	}
	if fam == FamilyLEDM {
		return nil, tab.Fail(ctx, "open", declineLEDM(s.dev))
	}
	return s, nil
}

// fsSession is a FutureSmart session.
type fsSession struct {
	tab      *drivers.Tab
	dev      devices.Device
	log      *slog.Logger
	loggedIn bool
	// tried: a sign-in was posted since the last logout; Logout then
	// signs out even when the sign-in's result was not seen (an error
	// or Ctrl-C after the POST), so that no admin session is left taken.
	tried bool
}

var (
	_ drivers.Session = (*fsSession)(nil)
	_ drivers.Tester  = (*fsSession)(nil)
	_ drivers.Prober  = (*fsSession)(nil)
)

// detect loads "/" and looks for FutureSmart's marks.
func (s *fsSession) detect(ctx context.Context) (string, error) {
	pg, err := s.tab.Navigate(ctx, "/")
	if err != nil {
		return "", err
	}
	if pg.Status >= 500 {
		return "", fmt.Errorf("the web admin answers HTTP %d: %w", pg.Status, drivers.ErrTransient)
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = s.tab.WaitSettled(wctx, "load the landing page", `document.querySelector("a,input,button,frame,iframe") || (document.body && document.body.innerText.trim().length > 0)`)
	cancel()
	if err != nil && ctx.Err() != nil {
		return "", err
	}
	var p struct {
		Path string `json:"path"`
		FS   bool   `json:"fs"`
		LEDM bool   `json:"ledm"`
	}
	if err := s.tab.Eval(ctx, "look at the landing page", `({path: location.pathname,
  fs: location.pathname.startsWith("/hp/device/") || !!document.querySelector('#EwsLogin, #EwsLogoff, a[href*="/hp/device/"]'),
  ledm: !!document.querySelector('a[href*="#hId-"], [id^="hId-"]') || /\/(DevMgmt|ews)\b/i.test(location.pathname)})`, &p); err != nil {
		return "", err
	}
	switch {
	case p.FS:
		return FamilyFutureSmart, nil
	case p.LEDM:
		return FamilyLEDM, nil
	}
	return "", fmt.Errorf("the landing page %s looks like no HP web admin this driver knows (FutureSmart's /hp/device/ pages); run `mfpfleet probe %s` and send us the output: %w", p.Path, s.tab.Address(), drivers.ErrUnsupported)
}

// Info implements drivers.Session.
func (s *fsSession) Info() drivers.SessionInfo {
	return drivers.SessionInfo{Driver: Name, Family: FamilyFutureSmart, Address: s.tab.Address(), BaseURL: s.tab.BaseURL(),
		CertSHA256: s.tab.CertSHA256(), FirstContact: s.tab.FirstContact()}
}

// Close implements drivers.Session.
func (s *fsSession) Close() error { return s.tab.Close() }

func (s *fsSession) fail(ctx context.Context, step string, err error) error {
	if err == nil {
		return nil
	}
	return s.tab.Fail(ctx, step, err)
}

var (
	reLocked = regexp.MustCompile(`(?i)locked|maximum number of (failed )?(sign-?in|log-?in) attempts|too many (failed )?(sign-?in|log-?in)`)
	reBusy   = regexp.MustCompile(`(?i)another (user|administrator|admin)[^.]{0,60}(signed|logged) in|only one administrator|session (is )?in use`)
)

// Login implements drivers.Session: the sign-in page's form with
// "Administrator" chosen and the password typed ([C] ids and answers).
func (s *fsSession) Login(ctx context.Context, c drivers.Credential) error {
	s.tab.AddSecretValue(c.Password)
	s.tried = true
	pg, err := s.tab.Navigate(ctx, fsSignIn)
	if err != nil {
		return s.fail(ctx, "login", err)
	}
	if pg.Status >= 500 {
		return s.fail(ctx, "login", fmt.Errorf("the sign-in page answers HTTP %d: %w", pg.Status, drivers.ErrTransient))
	}
	if ok, err := s.signedIn(ctx); err != nil {
		return s.fail(ctx, "login", err)
	} else if ok && !strings.Contains(pg.URL, "/SignIn/") {
		s.loggedIn = true // this tab's session is still signed in
		return nil
	}
	vals := []drivers.FieldValue{drivers.SecretValue(fsPass, c.Password)}
	st, err := s.tab.Read(ctx, "sign-in", fsPin)
	if err != nil {
		return s.fail(ctx, "login", err)
	}
	if st["pin"].Found {
		opt := pickOption(st["pin"].Options, "Administrator", "Admin")
		if opt == "" {
			return s.fail(ctx, "login", fmt.Errorf("the sign-in page offers no Administrator access code (options: %s)", strings.Join(st["pin"].Options, ", ")))
		}
		vals = append([]drivers.FieldValue{{Field: fsPin, Value: opt}}, vals...)
	}
	if _, err := s.tab.Fill(ctx, "sign-in", vals...); err != nil {
		return s.fail(ctx, "login", err)
	}
	// The status matters here (409 is "busy"), so submit with SubmitJS.
	pg, err = s.tab.SubmitJS(ctx, "sign in", clickJS(btnSignIn, `document.querySelector("#PasswordTextBox") && document.querySelector("#PasswordTextBox").form`))
	if err != nil {
		return s.fail(ctx, "login", err)
	}
	text, _ := s.tab.Text(ctx)
	text = s.tab.Scrub(text)
	switch {
	case pg.Status == 409:
		// [C] another admin session is open (a browser tab, a killed
		// run's session): wait it out, never a failed login.
		return s.fail(ctx, "login", fmt.Errorf("the device answers 409 Conflict (%s): another administrator session is open; it ends when that user signs out or after the EWS inactivity timeout: %w",
			firstLine(text, reBusy, "another administrator is signed in"), drivers.ErrBusy))
	case pg.Status >= 500:
		return s.fail(ctx, "login", fmt.Errorf("the device answers HTTP %d to the sign-in: %w", pg.Status, drivers.ErrTransient))
	}
	ok, err := s.signedIn(ctx)
	if err != nil {
		return s.fail(ctx, "login", err)
	}
	if ok {
		s.loggedIn = true
		return nil
	}
	switch {
	case reLocked.MatchString(text):
		return s.fail(ctx, "login", fmt.Errorf("%s: the device says %q: %w", c.Describe(), firstLine(text, reLocked, ""), drivers.ErrLockedOut))
	case reBusy.MatchString(text):
		return s.fail(ctx, "login", fmt.Errorf("the device says %q: %w", firstLine(text, reBusy, ""), drivers.ErrBusy))
	}
	return s.fail(ctx, "login", fmt.Errorf("%s: %w", c.Describe(), drivers.ErrBadCredentials))
}

// signedIn reports whether the page shows the administrator signed in:
// the sign-out link #EwsLogoff ([C]) or a "Sign Out" link.
func (s *fsSession) signedIn(ctx context.Context) (bool, error) {
	var ok bool
	err := s.tab.Eval(ctx, "look for Sign Out", `!!document.querySelector("#EwsLogoff") || Array.from(document.querySelectorAll("a")).some(a => /^\s*sign\s?-?out\s*$/i.test(a.textContent))`, &ok)
	return ok, err
}

// Logout implements drivers.Session: the EWS sign-out link ([C]
// #EwsLogoff), else /hp/device/SignOut/Index ([I]). FutureSmart allows
// one admin session at a time, so this matters.
func (s *fsSession) Logout(ctx context.Context) error {
	if !s.loggedIn && !s.tried {
		return nil
	}
	s.loggedIn, s.tried = false, false
	var href string
	if err := s.tab.Eval(ctx, "find Sign Out", `(function(){ const a = document.querySelector("#EwsLogoff") || Array.from(document.querySelectorAll("a[href]")).find(e => /^\s*sign\s?-?out\s*$/i.test(e.textContent)); return a && a.href ? a.href : ""; })()`, &href); err != nil {
		href = ""
	}
	if href == "" || strings.HasPrefix(href, "javascript:") {
		href = fsSignOut
	}
	if _, err := s.tab.Navigate(ctx, href); err != nil {
		return fmt.Errorf("%s: logout: %w", s.tab.Address(), err)
	}
	return nil
}

// openEmailSetup loads Scan/Digital Send → Email Setup. A sign-in page
// instead means the device ended the session (timeout, reboot).
func (s *fsSession) openEmailSetup(ctx context.Context) error {
	if ok, err := s.tab.OnPage(ctx, fsBasicSend); err != nil || ok {
		return err
	}
	pg, err := s.tab.Navigate(ctx, fsBasicSend)
	if err != nil {
		return err
	}
	return s.checkPage(ctx, pg, "Email Setup")
}

// checkPage turns what a load answered into an error when it is not the
// page asked for: the sign-in page (session ended), a server error.
func (s *fsSession) checkPage(ctx context.Context, pg drivers.Page, what string) error {
	if pg.Status >= 500 || pg.Status == 0 {
		return fmt.Errorf("the %s page answers HTTP %d: %w", what, pg.Status, drivers.ErrTransient)
	}
	var loc string
	if err := s.tab.Eval(ctx, "where", `location.pathname`, &loc); err != nil {
		return err
	}
	if strings.Contains(loc, "/SignIn/") {
		s.loggedIn = false
		return fmt.Errorf("the device ended the admin session (it shows the sign-in page instead of %s; a timeout or a restart): %w", what, drivers.ErrTransient)
	}
	if pg.Status == 403 {
		return fmt.Errorf("the device refused the %s page's form (HTTP 403: a stale CSRFToken): %w", what, drivers.ErrTransient)
	}
	if pg.Status >= 400 {
		return fmt.Errorf("the %s page answers HTTP %d: run `mfpfleet probe %s` and send us the output: %w", what, pg.Status, s.tab.Address(), drivers.ErrUnsupported)
	}
	return nil
}

// ReadSMTP implements drivers.Session: the sender from Email Setup and
// the first outgoing server from its table (Server Name, Port, SMTP SSL,
// Authentication, User Name: [I] the columns).
func (s *fsSession) ReadSMTP(ctx context.Context) (drivers.SMTPSettings, error) {
	if err := s.openEmailSetup(ctx); err != nil {
		return drivers.SMTPSettings{}, s.fail(ctx, "read", err)
	}
	st, err := s.tab.Read(ctx, "Email Setup", fsFrom)
	if err != nil {
		return drivers.SMTPSettings{}, s.fail(ctx, "read", err)
	}
	out := drivers.SMTPSettings{From: st["from"].Value, Port: 25, Security: drivers.SecurityNone}
	row, found, err := s.serverRow(ctx)
	if err != nil {
		return drivers.SMTPSettings{}, s.fail(ctx, "read", err)
	}
	if !found {
		// No outgoing server yet: the wizard's defaults (port 25, no
		// SSL, no authentication).
		return out, nil
	}
	if !row.Full {
		// A table that shows less than the port, SSL, authentication and
		// user: read them from the wizard's steps instead.
		return s.readWizard(ctx, out)
	}
	out.Server = row.Server
	if p, err := strconv.Atoi(strings.TrimSpace(row.Port)); err == nil {
		out.Port = p
	}
	out.Security = securityOf(yes(row.SSL), out.Port)
	out.Auth = yes(row.Auth)
	out.User = row.User
	return out, nil
}

// readWizard reads the first server's settings from the wizard's steps
// (Edit…, Next to the last step, Cancel: nothing is saved).
func (s *fsSession) readWizard(ctx context.Context, out drivers.SMTPSettings) (drivers.SMTPSettings, error) {
	if err := s.openWizard(ctx, true); err != nil {
		return out, s.fail(ctx, "read", err)
	}
	ssl := false
	for range 10 {
		ws, err := s.wizard(ctx)
		if err != nil {
			return out, s.fail(ctx, "read", err)
		}
		st, err := s.tab.Read(ctx, "Outgoing Email Server", fsServer, fsPort, fsSSL, fsAuth, fsUser, fsPW)
		if err != nil {
			return out, s.fail(ctx, "read", err)
		}
		if f := st["server"]; f.Found {
			out.Server = f.Value
		}
		if f := st["port"]; f.Found {
			if p, err := strconv.Atoi(strings.TrimSpace(f.Value)); err == nil {
				out.Port = p
			}
		}
		if f := st["ssl"]; f.Found {
			ssl = f.Checked || f.Value == "true"
		}
		if f := st["auth"]; f.Found {
			out.Auth = f.Checked || f.Value == "true"
		}
		if f := st["user"]; f.Found {
			out.User = f.Value
		}
		if f := st["pw"]; f.Found {
			out.PasswordSet = f.HasValue
		}
		if !ws.Next || ws.Finish {
			break
		}
		if err := s.press(ctx, "Outgoing Email Server", btnNext); err != nil {
			return out, s.fail(ctx, "read", err)
		}
		if err := s.afterSave(ctx, "Outgoing Email Server"); err != nil {
			return out, s.fail(ctx, "read", err)
		}
	}
	out.Security = securityOf(ssl, out.Port)
	if !out.Auth {
		out.User = ""
	}
	return out, s.fail(ctx, "read", s.cancel(ctx, nil))
}

// serverRowJS reads the Outgoing Email Servers table: the first row of
// the table whose header names a server, by column headers.
const serverRowJS = `(function(){
  const norm = s => (s || "").replace(/\s+/g, " ").trim().toLowerCase();
  for (const t of document.querySelectorAll("table")) {
    const head = Array.from(t.querySelectorAll("thead th, tr:first-child th")).map(th => norm(th.textContent));
    const col = (...names) => head.findIndex(h => names.some(n => h === n || h.startsWith(n)));
    const sc = col("server name", "smtp server", "server", "outgoing email server");
    if (sc < 0) continue;
    const rows = Array.from(t.querySelectorAll("tbody tr")).filter(r => r.querySelectorAll("td").length > sc);
    if (!rows.length) return {found: false};
    const cells = Array.from(rows[0].querySelectorAll("td")).map(td => td.textContent.replace(/\s+/g, " ").trim());
    const get = i => i >= 0 && i < cells.length ? cells[i] : "";
    const pc = col("port"), lc = col("smtp ssl", "ssl", "use ssl"), ac = col("authentication", "auth"), uc = col("user name", "username", "user");
    return {found: !!get(sc), full: pc >= 0 && lc >= 0 && ac >= 0 && uc >= 0, server: get(sc), port: get(pc), ssl: get(lc), auth: get(ac), user: get(uc)};
  }
  return {found: false};
})()`

type serverRow struct {
	Found  bool   `json:"found"`
	Full   bool   `json:"full"` // the table shows port, SSL, authentication and user
	Server string `json:"server"`
	Port   string `json:"port"`
	SSL    string `json:"ssl"`
	Auth   string `json:"auth"`
	User   string `json:"user"`
}

func (s *fsSession) serverRow(ctx context.Context) (serverRow, bool, error) {
	var r serverRow
	if err := s.tab.Eval(ctx, "read the Outgoing Email Servers table", serverRowJS, &r); err != nil {
		return r, false, err
	}
	return r, r.Found, nil
}

func yes(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "on", "enabled", "true", "✓":
		return true
	}
	return false
}

// securityOf is what FutureSmart's one "Enable SMTP SSL Protocol"
// checkbox does: implicit TLS on 465, STARTTLS on other ports ([I]
// guess; vendors-others.md notes firmware differences).
func securityOf(ssl bool, port int) drivers.Security {
	switch {
	case !ssl:
		return drivers.SecurityNone
	case port == 465:
		return drivers.SecuritySSLTLS
	}
	return drivers.SecurityStartTLS
}

// WriteSMTP implements drivers.Session: the Outgoing Email Server wizard
// (Edit… on the first server, else Add…), then the sender on Email
// Setup and Apply.
func (s *fsSession) WriteSMTP(ctx context.Context, w drivers.SMTPSettings) error {
	if err := checkSettings(w); err != nil {
		return err
	}
	if !w.Password.Empty() {
		s.tab.AddSecretValue(w.Password)
	}
	if err := s.openWizard(ctx, false); err != nil {
		return s.fail(ctx, "write", err)
	}
	if err := s.walkWizard(ctx, w); err != nil {
		return s.fail(ctx, "write", err)
	}
	// Back on Email Setup: enable Scan to Email, the sender, Apply.
	if err := s.openEmailSetup(ctx); err != nil {
		return s.fail(ctx, "write", err)
	}
	if _, err := s.tab.Fill(ctx, "Email Setup", drivers.FieldValue{Field: fsEnabled, Value: "true"}, drivers.FieldValue{Field: fsFrom, Value: w.From}); err != nil {
		return s.fail(ctx, "write", err)
	}
	if err := s.press(ctx, "Email Setup", btnApply); err != nil {
		return s.fail(ctx, "write", err)
	}
	if err := s.afterSave(ctx, "Email Setup"); err != nil {
		return s.fail(ctx, "write", err)
	}
	return nil
}

// checkSettings refuses what FutureSmart cannot write: what no device
// may be written (drivers.CheckSettings: opportunistic TLS, no server),
// and SSL/STARTTLS on a port where its one checkbox means the other.
func checkSettings(w drivers.SMTPSettings) error {
	if err := drivers.CheckSettings(w); err != nil {
		return err
	}
	switch {
	case w.Security == drivers.SecurityStartTLS && w.Port == 465:
		return fmt.Errorf("write: STARTTLS on port 465: FutureSmart's \"Enable SMTP SSL Protocol\" means implicit SSL/TLS on 465; use 587 for STARTTLS: %w", drivers.ErrUnsupported)
	case w.Security == drivers.SecuritySSLTLS && w.Port != 465:
		return fmt.Errorf("write: SSL/TLS on port %d: FutureSmart's \"Enable SMTP SSL Protocol\" means STARTTLS on ports other than 465; use 465 for SSL/TLS: %w", w.Port, drivers.ErrUnsupported)
	}
	return nil
}

// openWizard opens the Outgoing Email Server wizard from Email Setup:
// Edit… on the first server when there is one (or when editOnly), else
// Add….
func (s *fsSession) openWizard(ctx context.Context, editOnly bool) error {
	if err := s.openEmailSetup(ctx); err != nil {
		return err
	}
	_, found, err := s.serverRow(ctx)
	if err != nil {
		return err
	}
	if !found && editOnly {
		return errors.New("the Email Setup page lists no outgoing email server")
	}
	b := btnAdd
	if found {
		// Select the row ([C] #SmtpServerName_0 is selectable).
		if err := s.tab.Eval(ctx, "select the server", `(function(){ const r = document.querySelector("#SmtpServerName_0") || document.querySelector("table input[type=radio], table input[type=checkbox]"); if (r && !r.checked) { window.__mfpEdited = true; r.click(); } return true; })()`, nil); err != nil {
			return err
		}
		b = btnEdit
	}
	if err := s.press(ctx, "Email Setup", b); err != nil {
		return err
	}
	return s.afterSave(ctx, "Outgoing Email Server")
}

// wizardState is what a wizard step shows.
type wizardState struct {
	Step   string `json:"step"`
	Next   bool   `json:"next"`
	Finish bool   `json:"finish"`
	Test   bool   `json:"test"`
	Error  string `json:"error"`
	Path   string `json:"path"`
}

const wizardStateJS = `(function(){
  const vis = e => !!(e && !e.disabled && (e.offsetWidth || e.offsetHeight));
  const byText = re => Array.from(document.querySelectorAll("input[type=submit],input[type=button],button")).some(e => vis(e) && re.test(e.tagName === "INPUT" ? e.value : e.textContent));
  const err = document.querySelector("#WizardError, .error, .validation-summary-errors, [role=alert]");
  return {step: (document.querySelector("#WizardStepIndicator, .wizard-step") || {}).textContent || document.title,
    next: vis(document.querySelector("#FormButtonNext")) || byText(/^\s*next\b/i),
    finish: vis(document.querySelector("#FormButtonFinish")) || byText(/^\s*finish\s*$/i),
    test: vis(document.querySelector("#FormButtonTest")) || byText(/^\s*(test|send test email|test configuration)\s*$/i),
    error: err && (err.offsetWidth || err.offsetHeight) ? err.textContent.replace(/\s+/g, " ").trim() : "",
    path: location.pathname};
})()`

func (s *fsSession) wizard(ctx context.Context) (wizardState, error) {
	var st wizardState
	err := s.tab.Eval(ctx, "look at the wizard", wizardStateJS, &st)
	return st, err
}

// walkWizard fills each step with what it shows of w and goes Next until
// Finish. Steps are recognised by their fields, not their order: the
// server name, the port and "Enable SMTP SSL Protocol", the
// authentication, the usage ([I] which steps there are beyond [C] ids).
func (s *fsSession) walkWizard(ctx context.Context, w drivers.SMTPSettings) error {
	seen := map[string]bool{}
	for range 10 {
		ws, err := s.wizard(ctx)
		if err != nil {
			return err
		}
		if ws.Error != "" {
			return s.cancel(ctx, fmt.Errorf("the wizard says %q at %q", s.tab.Scrub(ws.Error), strings.TrimSpace(ws.Step)))
		}
		st, err := s.tab.Read(ctx, "Outgoing Email Server", fsServer, fsPort, fsSSL, fsAuth, fsCreds, fsUser, fsPW, fsUseScan)
		if err != nil {
			return err
		}
		var vals []drivers.FieldValue
		if st["server"].Found {
			vals = append(vals, drivers.FieldValue{Field: fsServer, Value: w.Server})
			seen["server"] = true
		}
		if st["port"].Found {
			seen["port"] = true
			if !st["ssl"].Found && w.Security != drivers.SecurityNone {
				return s.cancel(ctx, fmt.Errorf("the Outgoing Email Server wizard has no \"Enable SMTP SSL Protocol\" setting next to the port: this firmware cannot encrypt mail, and Gmail requires STARTTLS or SSL/TLS: update the firmware (FutureSmart 4 or later) or use a local relay: %w", drivers.ErrFirmware))
			}
			vals = append(vals, drivers.FieldValue{Field: fsPort, Value: strconv.Itoa(w.Port)})
		}
		if st["ssl"].Found {
			seen["ssl"] = true
			vals = append(vals, drivers.FieldValue{Field: fsSSL, Value: strconv.FormatBool(w.Security != drivers.SecurityNone)})
		}
		if st["auth"].Found {
			seen["auth"] = true
			vals = append(vals, drivers.FieldValue{Field: fsAuth, Value: strconv.FormatBool(w.Auth)})
		}
		if w.Auth {
			if st["creds"].Found {
				opt := pickOption(st["creds"].Options, alwaysCreds, "Always use")
				if opt == "" {
					return s.cancel(ctx, fmt.Errorf("the authentication step offers no %q choice (options: %s): %w", alwaysCreds, strings.Join(st["creds"].Options, ", "), drivers.ErrUnsupported))
				}
				vals = append(vals, drivers.FieldValue{Field: fsCreds, Value: opt})
			}
			if st["user"].Found {
				seen["user"] = true
				vals = append(vals, drivers.FieldValue{Field: fsUser, Value: w.User})
			}
			if st["pw"].Found {
				seen["pw"] = true
				if ml := st["pw"].MaxLength; ml > 0 && len(w.Password.Reveal()) > ml {
					return s.cancel(ctx, fmt.Errorf("the SMTP password field takes at most %d characters, the app password has %d: %w", ml, len(w.Password.Reveal()), drivers.ErrFirmware))
				}
				if !w.Password.Empty() {
					vals = append(vals, drivers.SecretValue(fsPW, w.Password))
				}
			}
		}
		if st["usescan"].Found {
			vals = append(vals, drivers.FieldValue{Field: fsUseScan, Value: "true"})
		}
		if len(vals) > 0 {
			if _, err := s.tab.Fill(ctx, "Outgoing Email Server", vals...); err != nil {
				return err
			}
		}
		switch {
		case ws.Next:
			if err := s.press(ctx, "Outgoing Email Server", btnNext); err != nil {
				return err
			}
			if err := s.afterSave(ctx, "Outgoing Email Server"); err != nil {
				return err
			}
		case ws.Finish:
			if !seen["server"] {
				return s.cancel(ctx, &drivers.FieldError{Page: "Outgoing Email Server", Label: fsServer.Labels[0], Names: fsServer.Names})
			}
			if w.Security != drivers.SecurityNone && !seen["ssl"] {
				return s.cancel(ctx, fmt.Errorf("the Outgoing Email Server wizard has no \"Enable SMTP SSL Protocol\" setting: this firmware cannot encrypt mail, and Gmail requires STARTTLS or SSL/TLS: update the firmware or use a local relay: %w", drivers.ErrFirmware))
			}
			if w.Auth && !seen["auth"] && !seen["user"] {
				return s.cancel(ctx, fmt.Errorf("the Outgoing Email Server wizard has no \"Server requires authentication\" setting: this firmware cannot log in to Gmail (SMTP AUTH): update the firmware: %w", drivers.ErrFirmware))
			}
			if !seen["port"] {
				return s.cancel(ctx, &drivers.FieldError{Page: "Outgoing Email Server", Label: fsPort.Labels[0], Names: fsPort.Names})
			}
			if err := s.press(ctx, "Outgoing Email Server", btnFinish); err != nil {
				return err
			}
			return s.afterSave(ctx, "Email Setup")
		default:
			return fmt.Errorf("the Outgoing Email Server wizard shows neither Next nor Finish at %q: run `mfpfleet probe %s` and send us the output", strings.TrimSpace(ws.Step), s.tab.Address())
		}
	}
	return s.cancel(ctx, errors.New("the Outgoing Email Server wizard did not reach Finish in 10 steps"))
}

// cancel leaves the wizard (Cancel) and returns err.
func (s *fsSession) cancel(ctx context.Context, err error) error {
	if e := s.press(ctx, "Outgoing Email Server", btnCancel); e != nil {
		s.log.Debug("cancel the wizard", "err", e)
	}
	return err
}

// press clicks b (its id, else its text) and waits for the page it
// submits to.
func (s *fsSession) press(ctx context.Context, page string, b button) error {
	var text string
	if err := s.tab.Eval(ctx, "find "+b.id, `(function(){ const e = document.getElementById(`+jsString(b.id)+`); return e && !e.disabled ? (e.tagName === "INPUT" ? e.value : e.textContent).trim() : ""; })()`, &text); err != nil {
		return err
	}
	texts := b.texts
	if text != "" {
		texts = []string{text}
	}
	return s.tab.SubmitAndWait(ctx, page, nil, texts, nil, "")
}

// afterSave checks where a submit landed: the sign-in page means the
// session ended; a 403 page a refused token.
func (s *fsSession) afterSave(ctx context.Context, what string) error {
	var st struct {
		Path      string `json:"path"`
		Forbidden bool   `json:"forbidden"`
	}
	if err := s.tab.Eval(ctx, "where", `({path: location.pathname, forbidden: /^\s*403\b/.test(document.title) || /403 Forbidden/.test(document.body ? document.body.innerText.slice(0, 200) : "")})`, &st); err != nil {
		return err
	}
	switch {
	case strings.Contains(st.Path, "/SignIn/"):
		s.loggedIn = false
		return fmt.Errorf("the device ended the admin session (it shows the sign-in page instead of %s; a timeout or a restart): %w", what, drivers.ErrTransient)
	case st.Forbidden:
		return fmt.Errorf("the device refused the form with 403 (a stale CSRFToken) on the way to %s: %w", what, drivers.ErrTransient)
	}
	return nil
}

// SendTest implements drivers.Tester: the wizard's test step on the
// first server (Edit…, Next to the step with Test, the address, Test;
// then Cancel, leaving the saved settings as they are). Firmware whose
// wizard has no test step ends written but unconfirmed.
func (s *fsSession) SendTest(ctx context.Context, to string) (drivers.TestResult, error) {
	if err := s.openWizard(ctx, true); err != nil {
		return drivers.TestResult{}, s.fail(ctx, "test", err)
	}
	for range 10 {
		ws, err := s.wizard(ctx)
		if err != nil {
			return drivers.TestResult{}, s.fail(ctx, "test", err)
		}
		if ws.Error != "" {
			return drivers.TestResult{}, s.fail(ctx, "test", s.cancel(ctx, fmt.Errorf("the wizard says %q at %q", s.tab.Scrub(ws.Error), strings.TrimSpace(ws.Step))))
		}
		st, err := s.tab.Read(ctx, "Outgoing Email Server", fsTestTo)
		if err != nil {
			return drivers.TestResult{}, s.fail(ctx, "test", err)
		}
		if ws.Test && st["testto"].Found {
			return s.runTest(ctx, to)
		}
		if !ws.Next {
			info := s.Info()
			return drivers.TestResult{}, s.cancel(ctx, fmt.Errorf("%s: test: this firmware's Outgoing Email Server wizard has no test step: the settings are written but unconfirmed until a scan to %s arrives (scan a page to that address, then run `mfpfleet test --wait`): %w",
				info.Address, to, drivers.ErrNoTestAction))
		}
		if err := s.press(ctx, "Outgoing Email Server", btnNext); err != nil {
			return drivers.TestResult{}, s.fail(ctx, "test", err)
		}
		if err := s.afterSave(ctx, "Outgoing Email Server"); err != nil {
			return drivers.TestResult{}, s.fail(ctx, "test", err)
		}
	}
	return drivers.TestResult{}, s.fail(ctx, "test", s.cancel(ctx, errors.New("the wizard's test step was not found in 10 steps")))
}

var (
	reTestOK   = regexp.MustCompile(`(?i)\b(succeeded|success(ful(ly)?)?|was sent|sent successfully)\b`)
	reTestFail = regexp.MustCompile(`(?i)\b(fail(ed|ure)?|error|unable|could not|cannot|refused|timed? ?out)\b`)
	reTLSFail  = regexp.MustCompile(`(?i)tls|ssl|handshake|protocol version|certificate`)
	reAuthFail = regexp.MustCompile(`(?i)\b53[45]\b|username and password not accepted|authentication (failed|credentials)|application-specific password`)
	reNoConn   = regexp.MustCompile(`(?i)unable to (connect|resolve)|connection (refused|timed out)|could not connect|resolve|dns`)
)

// runTest types the address, presses Test, reads the device's words and
// leaves the wizard with Cancel.
func (s *fsSession) runTest(ctx context.Context, to string) (drivers.TestResult, error) {
	if _, err := s.tab.Fill(ctx, "Outgoing Email Server", drivers.FieldValue{Field: fsTestTo, Value: to}); err != nil {
		return drivers.TestResult{}, s.fail(ctx, "test", err)
	}
	if err := s.press(ctx, "Outgoing Email Server", btnTest); err != nil {
		return drivers.TestResult{}, s.fail(ctx, "test", err)
	}
	if err := s.afterSave(ctx, "Outgoing Email Server"); err != nil {
		return drivers.TestResult{}, s.fail(ctx, "test", err)
	}
	var msg string
	if err := s.tab.Eval(ctx, "read the test result", `(function(){
  const r = document.querySelector("#SmtpTestResult, .test-result");
  if (r) return r.textContent.replace(/\s+/g, " ").trim();
  const lines = (document.body ? document.body.innerText : "").split("\n").map(l => l.trim());
  return lines.filter(l => /test/i.test(l) && /(succe|fail|error|unable|sent)/i.test(l)).join(" ");
})()`, &msg); err != nil {
		return drivers.TestResult{}, s.fail(ctx, "test", err)
	}
	msg = s.tab.Scrub(msg)
	res := drivers.TestResult{Message: msg, At: time.Now(), OK: reTestOK.MatchString(msg) && !reTestFail.MatchString(msg)}
	if err := s.cancel(ctx, nil); err != nil {
		return res, err
	}
	if msg == "" {
		return res, s.fail(ctx, "test", fmt.Errorf("the wizard's Test showed no result: run `mfpfleet probe %s` and send us the output", s.tab.Address()))
	}
	if !res.OK {
		return res, testFailure(res)
	}
	return res, nil
}

// testFailure names the likely cause of a failed test.
func testFailure(res drivers.TestResult) error {
	msg := res.Message
	switch {
	case reAuthFail.MatchString(msg):
		return fmt.Errorf("the device's test e-mail failed: %q: Gmail refused the login: check the account and the app password (and that it was saved on the device): %w", msg, drivers.ErrTestFailed)
	case reTLSFail.MatchString(msg):
		return fmt.Errorf("the device's test e-mail failed: %q: the encrypted connection to the mail server failed; the likely cause is the device's firmware (old firmware speaks only TLS 1.0, which Gmail refuses): update the firmware: %w: %w", msg, drivers.ErrTestFailed, drivers.ErrFirmware)
	case reNoConn.MatchString(msg):
		return fmt.Errorf("the device's test e-mail failed: %q: the device could not reach the mail server: check its DNS and that ports 587/465 are open from the device's network: %w", msg, drivers.ErrTestFailed)
	}
	return fmt.Errorf("the device's test e-mail failed: %q: %w", msg, drivers.ErrTestFailed)
}

// OpenSMTPPage implements drivers.Prober: the Email Setup page.
func (s *fsSession) OpenSMTPPage(ctx context.Context) error { return s.openEmailSetup(ctx) }

// pickOption returns the option among options equal to (else starting
// with) one of wants, ignoring case; "" when none is.
func pickOption(options []string, wants ...string) string {
	for _, w := range wants {
		for _, o := range options {
			if strings.EqualFold(strings.TrimSpace(o), w) {
				return o
			}
		}
	}
	for _, w := range wants {
		for _, o := range options {
			if strings.HasPrefix(strings.ToLower(strings.TrimSpace(o)), strings.ToLower(w)) {
				return o
			}
		}
	}
	return ""
}

// firstLine returns the first line of text that re matches (def when
// none does).
func firstLine(text string, re *regexp.Regexp, def string) string {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && re.MatchString(l) {
			if len(l) > 200 {
				l = l[:200]
			}
			return l
		}
	}
	return def
}

// clickJS clicks b by id, else a submit whose value or text is one of
// b's texts, else submits the form formExpr names.
func clickJS(b button, formExpr string) string {
	texts, _ := json.Marshal(b.texts)
	return `(function(){
  window.__mfpEdited = true;
  let e = document.getElementById(` + jsString(b.id) + `);
  if (!e) { const ts = ` + string(texts) + `.map(t => t.toLowerCase());
    e = Array.from(document.querySelectorAll("input[type=submit],button")).find(x => ts.includes((x.tagName === "INPUT" ? x.value : x.textContent).trim().toLowerCase())); }
  if (e) { e.click(); return true; }
  const f = ` + formExpr + `;
  if (f) { f.submit(); return true; }
  throw new Error("no Sign In button");
})()`
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// DefaultCredentials implements drivers.Defaulter: the FutureSmart
// family's declared factory logins for this device (the label PIN is
// the technician's to configure).
func (s *fsSession) DefaultCredentials() []drivers.Credential {
	return info.Families[0].Credentials(s.dev)
}
