package xerox

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mfpfleet/mfpfleet/drivers"
)

// Fuji-Xerox-made small devices (WorkCentre 3615/6605/6505/6015, Phaser
// 6128MFP). Sourced: HTTP Basic on every request (a wrong password gets
// 401), Properties > Protocols > Email Settings posted to
// /setting/setemail.htm with numeric field names, SMTP TLS on its own
// page (Properties > Security > SSL, "SMTP - SSL/TLS Communication"),
// the 6015/6505 labels, a 31-character password field, and no test
// e-mail action. The credentials travel in an Authorization header set on
// the tab, never in a URL.

type fxSession struct {
	base
	loggedIn bool
}

var (
	_ drivers.Session           = (*fxSession)(nil)
	_ drivers.ConnectionChecker = (*fxSession)(nil)
	_ drivers.JobLogReader      = (*fxSession)(nil)
	_ drivers.Prober            = (*fxSession)(nil)
)

// fxMaxPassword is the Password field's limit on these models (sourced).
const fxMaxPassword = 31

var (
	fxFrom     = drivers.Field{Key: "from", Labels: []string{"Return Email Address", "Reply Address", "Device Email Address", "From Address"}, Type: "text"}
	fxServer   = drivers.Field{Key: "server", Labels: []string{"SMTP Server Address", "SMTP Server", "Server Address"}, Names: []string{"104002"}, Type: "text"}
	fxPort     = drivers.Field{Key: "port", Labels: []string{"SMTP Server Port Number", "SMTP Port Number", "Port Number", "SMTP Port"}, Names: []string{"104006"}, Type: "text"}
	fxAuth     = drivers.Field{Key: "auth", Labels: []string{"Email Send Authentication", "SMTP Authentication", "Authentication"}, Type: "select"}
	fxLogin    = drivers.Field{Key: "login", Labels: []string{"Login Name", "User Name", "SMTP AUTH Login Name"}, Type: "text"}
	fxPW       = drivers.Field{Key: "pw", Labels: []string{"Password", "SMTP AUTH Password"}, Type: "password"}
	fxSecurity = drivers.Field{Key: "security", Labels: []string{"SMTP - SSL/TLS Communication", "SMTP SSL/TLS Communication", "SMTP - SSL/TLS"}, Names: []string{"102507"}, Type: "select"}
)

// Login implements drivers.Session: a request with the credentials in
// the Authorization header (for the Email Settings page when known, else
// or when that page is gone "/"), sent only once the certificate Chromium
// was shown has been checked (detect's unauthenticated load); 200 is in, 401 is a wrong password, 403
// with a lock-out text is a locked administrator.
func (s *fxSession) Login(ctx context.Context, c drivers.Credential) error {
	if !s.tab.CertVerified() {
		// The credentials go out with the request: only to a device
		// whose certificate, as Chromium saw it, matches the pinned one.
		return s.fail(ctx, "login", fmt.Errorf("the certificate the browser was shown could not be compared with the pinned one; the password was not sent: %w", drivers.ErrTransient))
	}
	if err := s.tab.SetBasicAuth(ctx, c.User, c.Password); err != nil {
		return s.fail(ctx, "login", err)
	}
	// Every page asks for the credentials: log in on the Email Settings
	// page when this model's is known, so that ReadSMTP starts there.
	path := s.pages["email"]
	if path == "" {
		path = "/"
	}
	pg, err := s.tab.Navigate(ctx, path)
	if err == nil && pg.Status == 404 && path != "/" {
		pg, err = s.tab.Navigate(ctx, "/") // the page moved (other firmware)
	}
	if err != nil {
		return s.fail(ctx, "login", err)
	}
	switch {
	case pg.Status == 200:
		s.loggedIn = true
		return nil
	case pg.Status == 401:
		_ = s.tab.ClearBasicAuth(ctx)
		return s.fail(ctx, "login", fmt.Errorf("%s: %w", c.Describe(), drivers.ErrBadCredentials))
	case pg.Status == 403:
		_ = s.tab.ClearBasicAuth(ctx)
		text, _ := s.tab.Text(ctx)
		err := loginError(text)
		if err == drivers.ErrBadCredentials {
			err = fmt.Errorf("the device answers 403 Forbidden: %q: %w", firstLine(text), drivers.ErrLockedOut)
		}
		return s.fail(ctx, "login", fmt.Errorf("%s: %w", c.Describe(), err))
	case pg.Status >= 500:
		return s.fail(ctx, "login", fmt.Errorf("the device answers HTTP %d: %w", pg.Status, drivers.ErrTransient))
	}
	return s.fail(ctx, "login", fmt.Errorf("the device answers HTTP %d to the login", pg.Status))
}

func firstLine(text string) string {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); len(l) > 20 {
			return l
		}
	}
	return strings.TrimSpace(text)
}

// Logout implements drivers.Session: HTTP Basic has no session; the
// header is dropped from the tab.
func (s *fxSession) Logout(ctx context.Context) error {
	s.loggedIn = false
	return s.tab.ClearBasicAuth(ctx)
}

// open loads path and fails with ErrTransient when the device suddenly
// asks for credentials again (it dropped the authorization).
func (s *fxSession) open(ctx context.Context, path string) (drivers.Page, error) {
	pg, err := s.tab.Navigate(ctx, path)
	if err != nil {
		return pg, err
	}
	if pg.Status == 401 {
		return pg, fmt.Errorf("the device asked for the password again (it dropped the authorization): %w", drivers.ErrTransient)
	}
	return pg, nil
}

// gotoPage opens "email", "ssl" or "jobs", walking the menus the first
// time (Properties > Protocols > Email Settings; Properties > Security >
// SSL/TLS Settings; Jobs) and remembering the paths per model.
func (s *fxSession) gotoPage(ctx context.Context, role string) error {
	if !s.loggedIn {
		return fmt.Errorf("not logged in")
	}
	key := map[string]drivers.Field{"email": fxServer, "ssl": fxSecurity}[role]
	check := func() (bool, error) {
		if role == "jobs" {
			var ok bool
			err := s.tab.Eval(ctx, "look for the job table", `Array.from(document.querySelectorAll("table th")).some(th => /status/i.test(th.textContent))`, &ok)
			return ok, err
		}
		// The SSL page of firmware without SMTP encryption lacks the
		// field: recognise it by its heading then.
		k := key
		k.Optional = true
		st, err := s.tab.Read(ctx, role, k)
		if err != nil {
			return false, err
		}
		if !st[k.Key].Found && role == "ssl" {
			var ok bool
			err := s.tab.Eval(ctx, "look at the page", `/ssl|tls/i.test(document.title + " " + (document.querySelector("h1,h2,h3") || {textContent: ""}).textContent)`, &ok)
			return ok, err
		}
		return st[k.Key].Found, nil
	}
	if p := s.pages[role]; p != "" {
		// A page the tab shows as the device served it (the read
		// ends on SSL/TLS, where the write starts) is not loaded again.
		here, err := s.alreadyOn(ctx, role, p)
		if err != nil {
			return err
		}
		pg := drivers.Page{Status: 200}
		if !here {
			if pg, err = s.open(ctx, p); err != nil {
				return err
			}
		}
		if pg.Status < 400 {
			if ok, err := check(); err != nil || ok {
				return err
			}
		}
	}
	if _, err := s.open(ctx, "/"); err != nil {
		return err
	}
	var path []struct {
		texts []string
		rows  []string
	}
	switch role {
	case "email":
		path = append(path, struct{ texts, rows []string }{[]string{"Properties"}, nil},
			struct{ texts, rows []string }{[]string{"Email Settings", "Email", "E-mail Settings", "SMTP"}, nil})
	case "ssl":
		path = append(path, struct{ texts, rows []string }{[]string{"Properties"}, nil},
			struct{ texts, rows []string }{[]string{"SSL/TLS Settings", "SSL/TLS", "SSL", "SSL/TLS Communication"}, nil})
	case "jobs":
		path = append(path, struct{ texts, rows []string }{[]string{"Jobs", "Job History", "Job List"}, nil})
	}
	for _, step := range path {
		l, err := s.tab.FindLink(ctx, role, step.texts, step.rows)
		if err != nil {
			return err
		}
		if _, err := s.open(ctx, l.Href); err != nil {
			return err
		}
	}
	if role == "jobs" {
		if l, err := s.tab.FindLink(ctx, "Jobs", []string{"Job History", "Completed Jobs"}, nil); err == nil {
			if _, err := s.open(ctx, l.Href); err != nil {
				return err
			}
		}
	}
	ok, err := check()
	if err != nil {
		return err
	}
	if !ok {
		return &drivers.FieldError{Page: role, Label: key.Labels[0], Names: key.Names}
	}
	loc, _ := s.tab.Location(ctx)
	s.pages[role] = drivers.URLPath(loc)
	s.rememberPages(s.pages)
	return nil
}

// ReadSMTP implements drivers.Session.
func (s *fxSession) ReadSMTP(ctx context.Context) (drivers.SMTPSettings, error) {
	var out drivers.SMTPSettings
	if err := s.gotoPage(ctx, "email"); err != nil {
		return out, s.fail(ctx, "read", err)
	}
	pw := fxPW
	pw.Optional = true
	st, err := s.tab.Read(ctx, "Email Settings", fxFrom, fxServer, fxPort, fxAuth, fxLogin, pw)
	if err != nil {
		return out, s.fail(ctx, "read", err)
	}
	drivers.SetFromFields(&out, st)
	if err := s.gotoPage(ctx, "ssl"); err != nil {
		return out, s.fail(ctx, "read", err)
	}
	sec := fxSecurity
	sec.Optional = true
	st, err = s.tab.Read(ctx, "SSL/TLS Settings", sec)
	if err != nil {
		return out, s.fail(ctx, "read", err)
	}
	drivers.SetFromFields(&out, st)
	return out, nil
}

// WriteSMTP implements drivers.Session: Email Settings first (server,
// port, SMTP AUTH, login name, password, return address), then the
// SMTP TLS mode on the SSL/TLS page.
func (s *fxSession) WriteSMTP(ctx context.Context, w drivers.SMTPSettings) error {
	if err := drivers.CheckSettings(w); err != nil {
		return s.fail(ctx, "write", err)
	}
	if n := len(w.Password.Reveal()); n > fxMaxPassword {
		return s.fail(ctx, "write", fmt.Errorf("the password has %d characters; this model's Password field takes at most %d: %w", n, fxMaxPassword, drivers.ErrFirmware))
	}
	s.tab.AddSecretValue(w.Password)
	// Check encryption first: writing Gmail's server without it would
	// leave the device sending in plain text.
	if w.Security != drivers.SecurityNone {
		if err := s.gotoPage(ctx, "ssl"); err != nil {
			return s.fail(ctx, "write", err)
		}
		sec := fxSecurity
		sec.Optional = true
		st, err := s.tab.Read(ctx, "SSL/TLS Settings", sec)
		if err != nil {
			return s.fail(ctx, "write", err)
		}
		if !st["security"].Found {
			return s.fail(ctx, "write", fmt.Errorf("the SSL/TLS page has no SMTP - SSL/TLS Communication setting: this firmware cannot encrypt mail, and Gmail requires STARTTLS or SSL/TLS: %w; update the firmware or use a local relay", drivers.ErrFirmware))
		}
		opt, err := drivers.SecurityOption(st["security"].Options, w.Security)
		if err != nil {
			return s.fail(ctx, "write", err)
		}
		if err := s.apply(ctx, "SSL/TLS Settings", []drivers.FieldValue{{Field: fxSecurity, Value: opt}}); err != nil {
			return s.fail(ctx, "write", err)
		}
	}
	if err := s.gotoPage(ctx, "email"); err != nil {
		return s.fail(ctx, "write", err)
	}
	st, err := s.tab.Read(ctx, "Email Settings", fxAuth)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	authOpt, err := drivers.AuthOption(st["auth"].Options, w.Auth)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	vals := []drivers.FieldValue{
		{Field: fxServer, Value: w.Server},
		{Field: fxPort, Value: strconv.Itoa(w.Port)},
		{Field: fxAuth, Value: authOpt},
	}
	if w.From != "" {
		vals = append(vals, drivers.FieldValue{Field: fxFrom, Value: w.From})
	}
	if w.Auth {
		vals = append(vals, drivers.FieldValue{Field: fxLogin, Value: w.User})
		if !w.Password.Empty() {
			vals = append(vals, drivers.SecretValue(fxPW, w.Password))
		}
	}
	if err := s.apply(ctx, "Email Settings", vals); err != nil {
		return s.fail(ctx, "write", err)
	}
	return nil
}

// apply fills vals, presses "Apply New Settings" and checks the answer
// page.
func (s *fxSession) apply(ctx context.Context, page string, vals []drivers.FieldValue) error {
	if _, err := s.tab.Fill(ctx, page, vals...); err != nil {
		return err
	}
	near := vals[0].Field
	if err := s.tab.SubmitAndWait(ctx, page, &near, []string{"Apply New Settings", "Apply", "Save", "OK"}, nil, ""); err != nil {
		return err
	}
	var st struct {
		Auth bool   `json:"auth"`
		Text string `json:"text"`
	}
	if err := s.tab.Eval(ctx, "read the answer", `({auth: /401|unauthori[sz]ed|authorization required/i.test(document.title + " " + (document.body ? document.body.innerText.slice(0, 300) : "")), text: document.body ? document.body.innerText : ""})`, &st); err != nil {
		return err
	}
	text := s.tab.Scrub(st.Text)
	if st.Auth {
		return fmt.Errorf("the device asked for the password again while saving %s (it dropped the authorization); the settings may not be saved: %w", page, drivers.ErrTransient)
	}
	if m := saveError(text); m != "" {
		return fmt.Errorf("the device refused the %s settings: %q", page, m)
	}
	return nil
}

// ReadJobLog implements drivers.JobLogReader.
func (s *fxSession) ReadJobLog(ctx context.Context, since time.Time) ([]drivers.JobEntry, error) {
	if err := s.gotoPage(ctx, "jobs"); err != nil {
		return nil, s.fail(ctx, "joblog", err)
	}
	tables, err := s.tab.ReadTables(ctx)
	if err != nil {
		return nil, s.fail(ctx, "joblog", err)
	}
	return drivers.KeepSince(drivers.JobsFromTables(tables, jobFormat), since), nil
}

// OpenSMTPPage implements drivers.Prober.
func (s *fxSession) OpenSMTPPage(ctx context.Context) error { return s.gotoPage(ctx, "email") }

// CheckSMTPConnection implements drivers.ConnectionChecker: "Refresh
// Status" next to "SMTP Server Connection Status" on the Email Settings
// page, then the status the device shows. No mail is sent.
func (s *fxSession) CheckSMTPConnection(ctx context.Context) (drivers.TestResult, error) {
	res := drivers.TestResult{At: time.Now()}
	if err := s.gotoPage(ctx, "email"); err != nil {
		return res, s.fail(ctx, "check", err)
	}
	if err := s.tab.SubmitAndWait(ctx, "Email Settings", nil, []string{"Refresh Status", "Check Connection", "Refresh"}, nil, ""); err != nil {
		return res, s.fail(ctx, "check", err)
	}
	if loc, _ := s.tab.Location(ctx); !strings.Contains(loc, s.pages["email"]) {
		if err := s.gotoPage(ctx, "email"); err != nil {
			return res, s.fail(ctx, "check", err)
		}
	}
	st, err := s.tab.RowText(ctx, "Email Settings", "SMTP Server Connection Status", "Connection Status")
	if err != nil {
		return res, s.fail(ctx, "check", err)
	}
	res.Message = st
	l := strings.ToLower(st)
	res.OK = (strings.HasPrefix(l, "connected") || strings.HasPrefix(l, "ok") || strings.HasPrefix(l, "success") || strings.HasPrefix(l, "normal")) && !reFailure.MatchString(st)
	if !res.OK {
		if st == "" || strings.Contains(l, "not checked") {
			return res, s.fail(ctx, "check", fmt.Errorf("the device shows no connection status after Refresh Status (%q)", st))
		}
		return res, s.fail(ctx, "check", checkFailure("SMTP connection check", res))
	}
	return res, nil
}
