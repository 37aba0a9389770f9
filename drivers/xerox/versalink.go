package xerox

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mfpfleet/mfpfleet/drivers"
)

// VersaLink (also WorkCentre 6515, Phaser 6510): a single-page JavaScript
// app at /home/index.html that logs in through /LOGIN.cmd. Sourced: the
// home page, LOGIN.cmd, the left menu (Home, Apps, Address Book, Jobs,
// Connectivity, …), SMTP under Connectivity, fault 016-781 in the job
// log. The SMTP page as a live device of that app's lineage shows it (a
// Fujifilm Apeos C3530, docs/vendors.md "Field captures"):
// "Protocols / SMTP" with a server address confirmed by its own OK, a
// radio group for the connection security (Off, "STARTTLS (If
// Available)", "STARTTLS", "SSL/TLS"), "Email Send Authentication",
// "SMTP AUTH Login Name"/"Password", "Device Email Address", Save, and a
// connection test ("Start") rather than a test e-mail. The driver works
// the app as a person does: it clicks, fills the dialogs (dispatching
// input/change events, which the app's model listens to) and reads what
// the app shows.

type vlSession struct {
	base
	loggedIn bool
}

var (
	_ drivers.Session           = (*vlSession)(nil)
	_ drivers.ConnectionChecker = (*vlSession)(nil)
	_ drivers.JobLogReader      = (*vlSession)(nil)
	_ drivers.Prober            = (*vlSession)(nil)
)

var (
	vlUser = drivers.Field{Key: "user", Labels: []string{"User Name", "User ID", "Username", "Login Name"}, Type: "text"}
	vlPass = drivers.Field{Key: "password", Labels: []string{"Password", "Passcode"}, Type: "password"}

	vlServer = drivers.Field{Key: "server", Labels: []string{"Server Address", "SMTP Server", "SMTP Server Address", "Host Name"}, Names: []string{"manualAddrInput"}, Type: "text"}
	vlPort   = drivers.Field{Key: "port", Labels: []string{"Outgoing SMTP Port Number", "Port Number", "SMTP Port", "Port"}, Names: []string{"portNum1"}, Type: "text"}
	// The connection security is a select on some firmware and a radio
	// group (radio_sslTls) on the live page.
	vlSecurity      = drivers.Field{Key: "security", Labels: []string{"Connection Security", "SMTP - SSL/TLS Communication", "SSL/TLS Communication", "Security", "Encryption"}, Type: "select"}
	vlSecurityRadio = drivers.Field{Key: "security", Labels: vlSecurity.Labels, Names: []string{"radio_sslTls"}, Type: "radio"}
	vlAuth          = drivers.Field{Key: "auth", Labels: []string{"Email Send Authentication", "SMTP Authentication", "Authentication", "Login Credentials"}, Type: "select"}
	vlLogin         = drivers.Field{Key: "login", Labels: []string{"SMTP AUTH Login Name", "Login Name", "User Name", "Username"}, Type: "text"}
	vlPW            = drivers.Field{Key: "pw", Labels: []string{"SMTP AUTH Password", "Password"}, Names: []string{"password"}, Type: "password"}
	vlRetype        = drivers.Field{Key: "retype", Labels: []string{"Retype Password", "Confirm Password", "Re-enter Password"}, Names: []string{"passwordConfirm"}, Type: "password", Optional: true}
	vlSavePW        = drivers.Field{Key: "save", Labels: []string{"Select to save new password", "Save new password", "Change Password"}, Type: "checkbox", Optional: true}
	vlFrom          = drivers.Field{Key: "from", Labels: []string{"Device Email Address", "Device Email", "Email 'From' Address", "Email From Address", "From Address", "From", "Reply Address"}, Names: []string{"smtpEmailAddress"}, Type: "text"}
)

// vlHasLogout is true when the app shows a Log Out control.
const vlHasLogout = `Array.from(document.querySelectorAll("button,a,[role=button]")).some(e => /^\s*log\s?-?out\s*$/i.test(e.textContent) && (e.offsetWidth || e.offsetHeight))`
const vlHasLogin = `Array.from(document.querySelectorAll("button,a,[role=button]")).some(e => /^\s*log\s?-?in\s*$/i.test(e.textContent) && (e.offsetWidth || e.offsetHeight))`

// vlAlert is the text the app shows as an error next to a dialog; an
// error is cleared before each action, so any text is new.
const vlAlert = `Array.from(document.querySelectorAll("[role=alert],.error,.alert")).map(e => e.textContent.trim()).filter(Boolean).join(" ")`

// vlStatus is the app's status notices (toasts), which may linger from an
// earlier action: only a "not responding" notice in them counts.
const vlStatus = `Array.from(document.querySelectorAll("[role=status]")).map(e => e.textContent.trim()).filter(Boolean).join(" ")`

// vlNotResponding is true when a notice says the device stopped answering.
const vlNotResponding = `/not responding|no response|connection (lost|error)/i.test(` + vlAlert + ` + " " + ` + vlStatus + `)`

var reNotResponding = regexp.MustCompile(`(?i)not responding|no response|cannot connect to the device|connection (lost|error)`)

// ready waits until the app has rendered its top bar.
func (s *vlSession) ready(ctx context.Context) error {
	return s.tab.WaitSettled(ctx, "wait for the web app", vlHasLogout+" || "+vlHasLogin)
}

// Login implements drivers.Session.
func (s *vlSession) Login(ctx context.Context, c drivers.Credential) error {
	s.tab.AddSecretValue(c.Password)
	if err := s.ready(ctx); err != nil {
		// After an earlier attempt the page may be elsewhere: reload.
		if _, nerr := s.tab.NavigateSettled(ctx, "/home/index.html", nil, vlHasLogout+" || "+vlHasLogin); nerr != nil {
			return s.fail(ctx, "login", err)
		}
	}
	var in bool
	if err := s.tab.Eval(ctx, "check the session", vlHasLogout, &in); err != nil {
		return s.fail(ctx, "login", err)
	}
	if in {
		// Someone (this tab) is already logged in: log out first so the
		// credential is really checked.
		if err := s.Logout(ctx); err != nil {
			return s.fail(ctx, "login", err)
		}
	}
	if !s.dialogOpen(ctx, vlPass) {
		if err := s.tab.Click(ctx, "home", "", "Log In", "Login", "Log in"); err != nil {
			return s.fail(ctx, "login", err)
		}
		if err := s.tab.WaitSettled(ctx, "wait for the login dialog", drivers.FieldPresentJS(vlPass)); err != nil {
			return s.fail(ctx, "login", err)
		}
	}
	if _, err := s.tab.Fill(ctx, "login", drivers.FieldValue{Field: vlUser, Value: c.User}, drivers.SecretValue(vlPass, c.Password)); err != nil {
		return s.fail(ctx, "login", err)
	}
	if err := s.tab.Eval(ctx, "clear old messages", `document.querySelectorAll("[role=alert]").forEach(e => e.textContent = ""); true`, nil); err != nil {
		return s.fail(ctx, "login", err)
	}
	if err := s.tab.ClickNear(ctx, "login", vlPass, "Log In", "Login", "OK", "Sign In"); err != nil {
		return s.fail(ctx, "login", err)
	}
	if err := s.tab.WaitSettled(ctx, "wait for the login answer", vlHasLogout+" || ("+vlAlert+").length > 0 || "+vlNotResponding); err != nil {
		return s.fail(ctx, "login", err)
	}
	var out struct {
		In    bool   `json:"in"`
		Alert string `json:"alert"`
	}
	if err := s.tab.Eval(ctx, "read the login answer", `({in: `+vlHasLogout+`, alert: `+vlAlert+` + " " + `+vlStatus+`})`, &out); err != nil {
		return s.fail(ctx, "login", err)
	}
	if out.In {
		s.loggedIn = true
		return nil
	}
	alert := strings.TrimSpace(s.tab.Scrub(out.Alert))
	if reNotResponding.MatchString(alert) {
		return s.fail(ctx, "login", fmt.Errorf("the app says %q: %w", alert, drivers.ErrTransient))
	}
	return s.fail(ctx, "login", fmt.Errorf("%s: the app says %q: %w", c.Describe(), alert, loginError(alert)))
}

func (s *vlSession) dialogOpen(ctx context.Context, f drivers.Field) bool {
	var ok bool
	_ = s.tab.Eval(ctx, "look for a dialog", drivers.FieldPresentJS(f), &ok)
	return ok
}

// Logout implements drivers.Session.
func (s *vlSession) Logout(ctx context.Context) error {
	s.loggedIn = false
	var in bool
	if err := s.tab.Eval(ctx, "check the session", vlHasLogout, &in); err != nil {
		return fmt.Errorf("%s: logout: %w", s.tab.Address(), err)
	}
	if !in {
		return nil
	}
	s.closeDialog(ctx, vlServer) // ReadSMTP leaves it open
	if err := s.tab.Click(ctx, "home", "", "Log Out", "Logout", "Log out"); err != nil {
		return fmt.Errorf("%s: logout: %w", s.tab.Address(), err)
	}
	if err := s.tab.WaitSettled(ctx, "wait for the logout", vlHasLogin); err != nil {
		return fmt.Errorf("%s: logout: %w", s.tab.Address(), err)
	}
	return nil
}

// menu opens a view of the left menu (sourced names).
func (s *vlSession) menu(ctx context.Context, name string) error {
	if !s.loggedIn {
		return fmt.Errorf("not logged in")
	}
	l, err := s.tab.FindLink(ctx, "home", []string{name}, nil)
	if err == nil && name != "Home" {
		// Already on that view: the app would not render it again, so
		// step to Home first to get fresh contents.
		var here bool
		if e := s.tab.Eval(ctx, "where", `location.href === `+strconv.Quote(l.Href), &here); e == nil && here {
			if err := s.menu(ctx, "Home"); err != nil {
				return err
			}
		}
	}
	if err == nil {
		if err := s.tab.Eval(ctx, "open "+name, `(function(h){ const a = Array.from(document.querySelectorAll("a[href]")).find(e => e.href === h); if (a) a.click(); return true; })(`+strconv.Quote(l.Href)+`)`, nil); err != nil {
			return err
		}
	} else if err := s.tab.Click(ctx, "home", "", name); err != nil {
		return err
	}
	return s.sessionAlive(ctx)
}

// sessionAlive fails with ErrTransient when the app has fallen back to
// its login dialog (the device dropped the session).
func (s *vlSession) sessionAlive(ctx context.Context) error {
	var out struct {
		In    bool   `json:"in"`
		Alert string `json:"alert"`
	}
	if err := s.tab.Eval(ctx, "check the session", `({in: `+vlHasLogout+`, alert: `+vlAlert+` + " " + `+vlStatus+`})`, &out); err != nil {
		return err
	}
	if !out.In {
		s.loggedIn = false
		return fmt.Errorf("the device dropped the admin session (the app asks to log in again): %w", drivers.ErrTransient)
	}
	if reNotResponding.MatchString(out.Alert) {
		return fmt.Errorf("the app says %q: %w", s.tab.Scrub(out.Alert), drivers.ErrTransient)
	}
	return nil
}

// openItem opens the item (a clickable entry) named item of a menu view
// and waits for its dialog, recognised by the field key.
func (s *vlSession) openItem(ctx context.Context, view, item string, key drivers.Field) error {
	if s.dialogOpen(ctx, key) {
		return nil
	}
	if err := s.menu(ctx, view); err != nil {
		return err
	}
	if err := s.tab.WaitSettled(ctx, "wait for "+view, `Array.from(document.querySelectorAll("[role=button],button,a,li,div")).some(e => e.children.length === 0 && e.textContent.trim() === `+strconv.Quote(item)+`)`); err != nil {
		return err
	}
	if err := s.tab.Click(ctx, view, "", item); err != nil {
		return err
	}
	return s.waitDialog(ctx, item, key)
}

// waitDialog waits until a dialog shows the field key, or the app
// falls back to its login or shows an error.
func (s *vlSession) waitDialog(ctx context.Context, name string, key drivers.Field) error {
	if err := s.tab.WaitSettled(ctx, "wait for the "+name+" dialog", drivers.FieldPresentJS(key)+" || !("+vlHasLogout+") || /not responding/i.test("+vlAlert+")"); err != nil {
		return err
	}
	if !s.dialogOpen(ctx, key) {
		if err := s.sessionAlive(ctx); err != nil {
			return err
		}
		return &drivers.FieldError{Page: name, Label: key.Labels[0]}
	}
	return nil
}

func (s *vlSession) openSMTP(ctx context.Context) error {
	return s.openItem(ctx, "Connectivity", "SMTP", vlServer)
}

// closeDialog presses Cancel near key, if the dialog is open, and waits
// (up to 3 s) until it is gone, so that the next opening is a new one.
func (s *vlSession) closeDialog(ctx context.Context, key drivers.Field) {
	if !s.dialogOpen(ctx, key) {
		return
	}
	if err := s.tab.ClickNear(ctx, "dialog", key, "Cancel", "Close"); err != nil {
		return
	}
	wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	_ = s.tab.WaitSettled(wctx, "wait for the dialog to close", "!("+drivers.FieldPresentJS(key)+")")
}

// readSecurity reads the connection security of the open SMTP dialog,
// a select or a radio group, and returns the field it found (missing:
// firmware without SMTP encryption).
func (s *vlSession) readSecurity(ctx context.Context) (drivers.FieldState, drivers.Field, error) {
	for _, f := range []drivers.Field{vlSecurity, vlSecurityRadio} {
		f.Optional = true
		st, err := s.tab.Read(ctx, "SMTP", f)
		if err != nil {
			return drivers.FieldState{}, f, err
		}
		if st["security"].Found {
			return st["security"], f, nil
		}
	}
	return drivers.FieldState{Key: "security"}, vlSecurity, nil
}

// ReadSMTP implements drivers.Session. It reads the SMTP page (with the
// Device Email Address on it) and leaves it open: the write and the
// connection test, which start there, then do not open it again (each
// opening is a view the app renders and fetches anew). Firmware whose
// SMTP dialog has no sender field keeps it in Apps → Email, read first.
func (s *vlSession) ReadSMTP(ctx context.Context) (drivers.SMTPSettings, error) {
	var out drivers.SMTPSettings
	// A dialog left open (by an earlier read, or a write that failed)
	// may show what was typed rather than what the device holds: read
	// from new ones.
	s.closeDialog(ctx, vlServer)
	s.closeDialog(ctx, vlFrom)
	if err := s.openSMTP(ctx); err != nil {
		return out, s.fail(ctx, "read", err)
	}
	from := vlFrom
	from.Optional = true
	pw := vlPW
	pw.Optional = true
	st, err := s.tab.Read(ctx, "SMTP", vlServer, vlPort, vlAuth, vlLogin, pw, from)
	if err != nil {
		return out, s.fail(ctx, "read", err)
	}
	sec, _, err := s.readSecurity(ctx)
	if err != nil {
		return out, s.fail(ctx, "read", err)
	}
	st["security"] = sec
	if !st["from"].Found {
		delete(st, "from")
		s.closeDialog(ctx, vlServer)
		if err := s.openItem(ctx, "Apps", "Email", vlFrom); err != nil {
			return out, s.fail(ctx, "read", err)
		}
		fst, err := s.tab.Read(ctx, "Email", vlFrom)
		if err != nil {
			return out, s.fail(ctx, "read", err)
		}
		drivers.SetFromFields(&out, fst)
		s.closeDialog(ctx, vlFrom)
		if err := s.openSMTP(ctx); err != nil {
			return out, s.fail(ctx, "read", err)
		}
	}
	drivers.SetFromFields(&out, st)
	return out, nil
}

// WriteSMTP implements drivers.Session.
func (s *vlSession) WriteSMTP(ctx context.Context, w drivers.SMTPSettings) error {
	if err := drivers.CheckSettings(w); err != nil {
		return s.fail(ctx, "write", err)
	}
	if len(w.Password.Reveal()) > 64 {
		return s.fail(ctx, "write", fmt.Errorf("the password is longer than the 64 characters VersaLink accepts: %w", drivers.ErrFirmware))
	}
	s.tab.AddSecretValue(w.Password)
	if err := s.openSMTP(ctx); err != nil {
		return s.fail(ctx, "write", err)
	}
	from := vlFrom
	from.Optional = true
	st, err := s.tab.Read(ctx, "SMTP", vlAuth, from)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	secSt, secField, err := s.readSecurity(ctx)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	st["security"] = secSt
	// The server address first, confirmed with its own OK where the page
	// has one (the live page keeps a typed address only then).
	if _, err := s.tab.Fill(ctx, "SMTP", drivers.FieldValue{Field: vlServer, Value: w.Server}); err != nil {
		return s.fail(ctx, "write", err)
	}
	if err := s.confirmServer(ctx); err != nil {
		return s.fail(ctx, "write", err)
	}
	vals := []drivers.FieldValue{{Field: vlPort, Value: strconv.Itoa(w.Port)}}
	secAuth, err := drivers.SecurityAndAuth(st, w, secField, vlAuth, "SMTP dialog")
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	vals = append(vals, secAuth...)
	if w.Auth {
		vals = append(vals, drivers.FieldValue{Field: vlLogin, Value: w.User})
		if !w.Password.Empty() {
			vals = append(vals, drivers.FieldValue{Field: vlSavePW, Value: "true"}, drivers.SecretValue(vlPW, w.Password), drivers.SecretValue(vlRetype, w.Password))
		}
	}
	fromOnPage := st["from"].Found
	if w.From != "" && fromOnPage {
		vals = append(vals, drivers.FieldValue{Field: vlFrom, Value: w.From})
	}
	if err := s.submitDialog(ctx, "SMTP", vals); err != nil {
		return s.fail(ctx, "write", err)
	}
	if w.From != "" && !fromOnPage {
		if err := s.openItem(ctx, "Apps", "Email", vlFrom); err != nil {
			return s.fail(ctx, "write", err)
		}
		if err := s.submitDialog(ctx, "Email", []drivers.FieldValue{{Field: vlFrom, Value: w.From}}); err != nil {
			return s.fail(ctx, "write", err)
		}
	}
	return nil
}

// confirmServer presses the OK that confirms a typed server address
// (#serverAddressSettingOk on the live page): the OK nearest to the
// field, when the dialog saves with a Save of its own (else its OK is
// the dialog's save, pressed last).
func (s *vlSession) confirmServer(ctx context.Context) error {
	var hasSave bool
	if err := s.tab.Eval(ctx, "look for Save", `Array.from(document.querySelectorAll("[role=dialog] button, [role=dialog] input[type=button]")).some(e => /^\s*save\s*$/i.test(e.tagName === "INPUT" ? e.value : e.textContent))`, &hasSave); err != nil {
		return err
	}
	if !hasSave {
		return nil
	}
	err := s.tab.ClickNear(ctx, "SMTP", vlServer, "OK")
	if errors.As(err, new(*drivers.FieldError)) {
		s.log.Debug("no confirmation button next to the server address")
		return nil
	}
	return err
}

// submitDialog fills the open dialog, presses OK and waits until it
// closes (saved) or shows an error.
func (s *vlSession) submitDialog(ctx context.Context, name string, vals []drivers.FieldValue) error {
	if _, err := s.tab.Fill(ctx, name, vals...); err != nil {
		return err
	}
	key := vals[0].Field
	if err := s.tab.Eval(ctx, "clear old messages", `document.querySelectorAll("[role=alert]").forEach(e => e.textContent = ""); true`, nil); err != nil {
		return err
	}
	// Save, where the dialog has it (the live SMTP page has an OK that
	// only confirms the server address), else OK.
	if err := s.tab.Click(ctx, name, "[role=dialog]", "Save", "Apply"); err != nil {
		if !errors.As(err, new(*drivers.FieldError)) {
			return err
		}
		if err := s.tab.ClickNear(ctx, name, key, "OK", "Save", "Apply"); err != nil {
			return err
		}
	}
	if err := s.tab.WaitSettled(ctx, "wait for the "+name+" dialog to save", "!("+drivers.FieldPresentJS(key)+") || ("+vlAlert+").length > 0 || "+vlNotResponding); err != nil {
		return err
	}
	var out struct {
		Open  bool   `json:"open"`
		Alert string `json:"alert"`
		Down  bool   `json:"down"`
		In    bool   `json:"in"`
	}
	if err := s.tab.Eval(ctx, "read the answer", `({open: `+drivers.FieldPresentJS(key)+`, alert: `+vlAlert+`, down: `+vlNotResponding+`, in: `+vlHasLogout+`})`, &out); err != nil {
		return err
	}
	alert := s.tab.Scrub(out.Alert)
	switch {
	case !out.In:
		s.loggedIn = false
		return fmt.Errorf("the device dropped the admin session while saving %s: %w", name, drivers.ErrTransient)
	case out.Down && out.Open:
		return fmt.Errorf("saving %s: the app says the device is not responding: %w", name, drivers.ErrTransient)
	case out.Open:
		return fmt.Errorf("the device refused the %s settings: %q", name, alert)
	}
	return nil
}

// CheckSMTPConnection implements drivers.ConnectionChecker: the SMTP
// page's connection test ("Start"), which connects to the saved server,
// negotiates the encryption and logs in without sending mail, then the
// result the app shows. It is the only device-side check the live page
// has: a pass says the device reached the server and authenticated,
// never that a message arrived.
func (s *vlSession) CheckSMTPConnection(ctx context.Context) (drivers.TestResult, error) {
	res := drivers.TestResult{At: time.Now()}
	if err := s.openSMTP(ctx); err != nil {
		return res, s.fail(ctx, "check", err)
	}
	// Old notices (the toast of the save) must not be taken for the
	// answer.
	if err := s.tab.Eval(ctx, "clear old messages", `document.querySelectorAll("[role=status],[role=alert]").forEach(e => e.textContent = ""); true`, nil); err != nil {
		return res, s.fail(ctx, "check", err)
	}
	if err := s.tab.Click(ctx, "SMTP", "[role=dialog]", "Start", "Test Connection", "Connection Test", "Check Connection"); err != nil {
		return res, s.fail(ctx, "check", err)
	}
	status := `Array.from(document.querySelectorAll("[role=dialog] [role=status], [role=dialog] [role=alert]")).map(e => e.textContent.trim()).filter(Boolean).join(" ")`
	if err := s.tab.WaitSettled(ctx, "wait for the connection test", `/success|succeeded|fail|error|unable|could not/i.test(`+status+`) || `+vlNotResponding); err != nil {
		return res, s.fail(ctx, "check", err)
	}
	var msg string
	if err := s.tab.Eval(ctx, "read the connection test", status, &msg); err != nil {
		return res, s.fail(ctx, "check", err)
	}
	msg = strings.TrimSpace(s.tab.Scrub(msg))
	if msg == "" {
		return res, s.fail(ctx, "check", fmt.Errorf("the app says the device is not responding: %w", drivers.ErrTransient))
	}
	res.Message = msg
	res.Code = reFault.FindString(msg)
	res.OK = plainSuccess(msg)
	if !res.OK {
		return res, s.fail(ctx, "check", checkFailure("SMTP connection test", res))
	}
	return res, nil
}

// jobTables opens Jobs and waits for its table (and for a row naming
// want, when not empty).
func (s *vlSession) jobTables(ctx context.Context, want string) ([]drivers.Table, error) {
	if err := s.menu(ctx, "Jobs"); err != nil {
		return nil, err
	}
	cond := `Array.from(document.querySelectorAll("table th")).some(th => /status/i.test(th.textContent))`
	if err := s.tab.WaitSettled(ctx, "wait for the job log", cond); err != nil {
		return nil, err
	}
	// The rows arrive by script after the table: wait until the wanted
	// row (or, without one, any row) shows, for at most 5 seconds; an
	// empty log stays empty.
	rows := `Array.from(document.querySelectorAll("table")).some(t => t.rows.length > 1)`
	if want != "" {
		rows = `document.body.innerText.includes(` + strconv.Quote(want) + `)`
	}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	werr := s.tab.WaitSettled(wctx, "wait for the job log rows", rows)
	cancel()
	if werr != nil && ctx.Err() != nil {
		return nil, werr
	}
	return s.tab.ReadTables(ctx)
}

// ReadJobLog implements drivers.JobLogReader.
func (s *vlSession) ReadJobLog(ctx context.Context, since time.Time) ([]drivers.JobEntry, error) {
	tables, err := s.jobTables(ctx, "")
	if err != nil {
		return nil, s.fail(ctx, "joblog", err)
	}
	return drivers.KeepSince(drivers.JobsFromTables(tables, jobFormat), since), nil
}

// OpenSMTPPage implements drivers.Prober.
func (s *vlSession) OpenSMTPPage(ctx context.Context) error { return s.openSMTP(ctx) }
