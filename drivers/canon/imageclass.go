package canon

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mfpfleet/mfpfleet/drivers"
)

// imageCLASS / i-SENSYS MF Remote UI. Sourced [C]: /login.html with the
// System Manager Mode radio (#i0012A), the ID (i0014) and PIN (i0016, or
// i2101 on PIN-only firmware) and #submitButton; success lands on
// /portal_top.html; /logout.cgi; the E-mail/I-Fax page
// /tx_email_ifax_edit.html and its fields (i2032 server, i2042 address,
// i2140 SMTP AUTH, i2152 user, i2160 change password + i2172, i2180 TLS).
// Guessed [I]: the Port Number page (/m_network_port_edit.html, found by
// label "SMTP" there) and the error wordings.

const (
	mfLoginPath  = "/login.html"
	mfPortalPath = "/portal_top.html"
	mfEmailPath  = "/tx_email_ifax_edit.html"
	mfPortPath   = "/m_network_port_edit.html"
	mfLogoutPath = "/logout.cgi"
)

var (
	mfMode = drivers.Field{Key: "mode", Labels: []string{"System Manager Mode"}, Names: []string{"i0012"}, Type: "radio", Optional: true}
	mfID   = drivers.Field{Key: "id", Labels: []string{"System Manager ID", "Department ID", "ID"}, Names: []string{"i0014"}, Type: "text", Optional: true}
	mfPIN  = drivers.Field{Key: "pin", Labels: []string{"System Manager PIN", "PIN", "Password"}, Names: []string{"i0016", "i2101"}, Type: "password"}

	mfServer = drivers.Field{Key: "server", Labels: []string{"SMTP Server", "SMTP Server Name"}, Names: []string{"i2032"}, Type: "text"}
	mfFrom   = drivers.Field{Key: "from", Labels: []string{"E-Mail Address", "E-mail Address", "Device E-Mail Address"}, Names: []string{"i2042"}, Type: "text"}
	mfAuth   = drivers.Field{Key: "auth", Labels: []string{"Use SMTP Authentication (SMTP AUTH)", "SMTP Authentication (SMTP AUTH)", "SMTP Authentication"}, Names: []string{"i2140B"}, Type: "checkbox"}
	mfUser   = drivers.Field{Key: "login", Labels: []string{"User Name"}, Names: []string{"i2152"}, Type: "text"}
	mfChange = drivers.Field{Key: "change", Labels: []string{"Set/Change Password", "Change Password"}, Names: []string{"i2160B"}, Type: "checkbox", Optional: true}
	mfPW     = drivers.Field{Key: "pw", Labels: []string{"Password"}, Names: []string{"i2172"}, Type: "password"}
	mfTLS    = drivers.Field{Key: "tls", Labels: []string{"Use TLS for SMTP", "Allow TLS (SMTP Send)", "Use TLS"}, Names: []string{"i2180B"}, Type: "checkbox"}

	mfPort = drivers.Field{Key: "port", Labels: []string{"SMTP", "SMTP Send", "SMTP Port"}, Names: []string{"i2310"}, Type: "text"}
)

var mfSubmit = []string{"OK", "Apply", "Log In", "Login"}

type mfSession struct {
	base
}

var (
	_ drivers.Session   = (*mfSession)(nil)
	_ drivers.Defaulter = (*mfSession)(nil)
	_ drivers.Prober    = (*mfSession)(nil)
)

// DefaultCredentials implements drivers.Defaulter.
func (s *mfSession) DefaultCredentials() []drivers.Credential { return s.credentials(FamilyImageClass) }

// Login implements drivers.Session.
func (s *mfSession) Login(ctx context.Context, c drivers.Credential) error {
	s.tab.AddSecretValue(c.Password)
	if !s.onLogin {
		if _, err := s.tab.NavigateSettled(ctx, mfLoginPath, nil, drivers.FieldPresentJS(mfPIN)); err != nil {
			return s.fail(ctx, "login", err)
		}
	}
	s.onLogin = false
	if err := pinFits(ctx, s.tab, mfPIN, c); err != nil {
		s.onLogin = true
		return s.fail(ctx, "login", err)
	}
	vals := []drivers.FieldValue{{Field: mfMode, Value: "System Manager Mode"}, {Field: mfID, Value: c.User}, drivers.SecretValue(mfPIN, c.Password)}
	if _, err := s.tab.Fill(ctx, "Login", vals...); err != nil {
		return s.fail(ctx, "login", err)
	}
	near := mfPIN
	if err := s.tab.SubmitAndWait(ctx, "Login", &near, mfSubmit, []string{"checkLogin.cgi"}, ""); err != nil {
		return s.fail(ctx, "login", err)
	}
	var st struct {
		Path  string `json:"path"`
		Login bool   `json:"login"`
		Text  string `json:"text"`
	}
	if err := s.tab.Eval(ctx, "read the login result", `({path: location.pathname, login: !!document.querySelector("form[action*='checkLogin.cgi']"),
  text: document.body ? document.body.innerText : ""})`, &st); err != nil {
		return s.fail(ctx, "login", err)
	}
	if strings.HasSuffix(st.Path, mfPortalPath) {
		s.loggedIn = true
		return nil
	}
	s.onLogin = st.Login
	return s.fail(ctx, "login", loginError(c, s.tab.Scrub(st.Text)))
}

// Logout implements drivers.Session: GET /logout.cgi [C].
func (s *mfSession) Logout(ctx context.Context) error {
	if !s.loggedIn {
		return nil
	}
	s.loggedIn = false
	if _, err := s.tab.Navigate(ctx, mfLogoutPath); err != nil {
		return fmt.Errorf("%s: logout: %w", s.tab.Address(), err)
	}
	return nil
}

// open loads an admin page; the login page instead means the device
// dropped the session (transient).
func (s *mfSession) open(ctx context.Context, path string, key drivers.Field) (bool, error) {
	if !s.loggedIn {
		return false, errors.New("not logged in")
	}
	pg, err := s.tab.NavigateSettled(ctx, path, nil, "")
	if err != nil {
		return false, err
	}
	loc, _ := s.tab.Location(ctx)
	if strings.Contains(loc, mfLoginPath) {
		s.loggedIn = false
		return false, fmt.Errorf("the device dropped the admin session (sent back to the login page): %w", drivers.ErrTransient)
	}
	if pg.Status >= 400 {
		return false, nil
	}
	key.Optional = true
	st, err := s.tab.Read(ctx, path, key)
	if err != nil {
		return false, err
	}
	return st[key.Key].Found, nil
}

// gotoEmail opens the E-mail/I-Fax edit page.
func (s *mfSession) gotoEmail(ctx context.Context) error {
	ok, err := s.open(ctx, mfEmailPath, mfServer)
	if err != nil {
		return err
	}
	if !ok {
		return &drivers.FieldError{Page: "E-Mail/I-Fax Settings (" + mfEmailPath + ")", Label: mfServer.Labels[0], Names: mfServer.Names}
	}
	return nil
}

// gotoPort opens the Port Number Settings edit page: its guessed path
// [I], else the way a person goes there (Settings/Registration → Port
// Number Settings → Edit...).
func (s *mfSession) gotoPort(ctx context.Context) error {
	ok, err := s.open(ctx, mfPortPath, mfPort)
	if err != nil || ok {
		return err
	}
	s.log.Debug("port page not at its usual path; walking the menus", "path", mfPortPath)
	if _, err := s.tab.NavigateSettled(ctx, mfPortalPath, nil, ""); err != nil {
		return err
	}
	for _, texts := range [][]string{{"Settings/Registration"}, {"Port Number Settings", "TCP/IP Settings: Port Number Settings", "TCP/IP Settings"}} {
		l, err := s.tab.FindLink(ctx, "Settings/Registration", texts, nil)
		if err != nil {
			return err
		}
		if _, err := s.tab.NavigateSettled(ctx, l.Href, nil, ""); err != nil {
			return err
		}
	}
	if _, err := s.tab.ClickNavigate(ctx, "Port Number Settings", "", "Edit...", "Edit"); err != nil {
		return err
	}
	_, err = s.tab.Read(ctx, "Port Number Settings", mfPort)
	return err
}

// ReadSMTP implements drivers.Session: the E-mail/I-Fax page, then the
// SMTP port from the Port Number page.
func (s *mfSession) ReadSMTP(ctx context.Context) (drivers.SMTPSettings, error) {
	var out drivers.SMTPSettings
	if err := s.gotoEmail(ctx); err != nil {
		return out, s.fail(ctx, "read", err)
	}
	st, err := s.readEmail(ctx)
	if err != nil {
		return out, s.fail(ctx, "read", err)
	}
	out.Server, out.From = st["server"].Value, st["from"].Value
	out.Auth = st["auth"].Found && st["auth"].Checked
	out.User = st["login"].Value
	out.PasswordSet = st["pw"].HasValue
	out.Security = drivers.SecurityNone
	if st["tls"].Found && st["tls"].Checked {
		out.Security = drivers.SecurityStartTLS
	}
	if err := s.gotoPort(ctx); err != nil {
		return out, s.fail(ctx, "read", err)
	}
	pst, err := s.tab.Read(ctx, "Port Number Settings", mfPort)
	if err != nil {
		return out, s.fail(ctx, "read", err)
	}
	out.Port, _ = strconv.Atoi(strings.TrimSpace(pst["port"].Value))
	return out, nil
}

func (s *mfSession) readEmail(ctx context.Context) (map[string]drivers.FieldState, error) {
	from, auth, user, pw, tls := mfFrom, mfAuth, mfUser, mfPW, mfTLS
	from.Optional, auth.Optional, user.Optional, pw.Optional, tls.Optional = true, true, true, true, true
	return s.tab.Read(ctx, "E-Mail/I-Fax Settings", mfServer, from, auth, user, pw, tls)
}

// WriteSMTP implements drivers.Session: the E-mail/I-Fax page (server,
// address, SMTP AUTH, user, "Set/Change Password" + password, TLS), then
// the SMTP port.
func (s *mfSession) WriteSMTP(ctx context.Context, w drivers.SMTPSettings) error {
	if err := checkSettings(w); err != nil {
		return s.fail(ctx, "write", err)
	}
	s.tab.AddSecretValue(w.Password)
	if err := s.gotoEmail(ctx); err != nil {
		return s.fail(ctx, "write", err)
	}
	st, err := s.readEmail(ctx)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	if err := firmwareChecks(st, w, "E-Mail/I-Fax Settings"); err != nil {
		return s.fail(ctx, "write", err)
	}
	vals := []drivers.FieldValue{{Field: mfServer, Value: w.Server}}
	if w.From != "" {
		vals = append(vals, drivers.FieldValue{Field: mfFrom, Value: w.From})
	}
	if st["tls"].Found {
		vals = append(vals, drivers.FieldValue{Field: mfTLS, Value: boolText(w.Security == drivers.SecurityStartTLS)})
	}
	if st["auth"].Found {
		vals = append(vals, drivers.FieldValue{Field: mfAuth, Value: boolText(w.Auth)})
	}
	if w.Auth {
		vals = append(vals, drivers.FieldValue{Field: mfUser, Value: w.User})
		if !w.Password.Empty() {
			// Tick "Set/Change Password" first: it enables the field.
			vals = append(vals, drivers.FieldValue{Field: mfChange, Value: "true"}, drivers.SecretValue(mfPW, w.Password))
		}
	}
	if err := s.save(ctx, "E-Mail/I-Fax Settings", mfEmailPath, vals); err != nil {
		return s.fail(ctx, "write", err)
	}
	if err := s.gotoPort(ctx); err != nil {
		return s.fail(ctx, "write", err)
	}
	if err := s.save(ctx, "Port Number Settings", mfPortPath, []drivers.FieldValue{{Field: mfPort, Value: strconv.Itoa(w.Port)}}); err != nil {
		return s.fail(ctx, "write", err)
	}
	return nil
}

// save fills vals, presses OK and checks the answer: the device moves
// on to the settings' view page [C: 302]; back on the edit page or an
// error text means it refused.
func (s *mfSession) save(ctx context.Context, page, editPath string, vals []drivers.FieldValue) error {
	if _, err := s.tab.Fill(ctx, page, vals...); err != nil {
		return err
	}
	near := vals[0].Field
	if err := s.tab.SubmitAndWait(ctx, page, &near, mfSubmit, []string{".cgi"}, ""); err != nil {
		return err
	}
	var st struct {
		Path string `json:"path"`
		Text string `json:"text"`
	}
	if err := s.tab.Eval(ctx, "read the answer", `({path: location.pathname, text: document.body ? document.body.innerText : ""})`, &st); err != nil {
		return err
	}
	if strings.HasSuffix(st.Path, mfLoginPath) {
		s.loggedIn = false
		return fmt.Errorf("the device dropped the admin session while saving (sent back to the login page); the %s were not saved: %w", page, drivers.ErrTransient)
	}
	text := s.tab.Scrub(st.Text)
	if m := firstMatch(text, reError); m != "" && (strings.HasSuffix(st.Path, editPath) || !strings.HasSuffix(st.Path, ".html")) {
		return fmt.Errorf("the device refused the %s: %q", page, m)
	}
	return nil
}

// OpenSMTPPage implements drivers.Prober.
func (s *mfSession) OpenSMTPPage(ctx context.Context) error { return s.gotoEmail(ctx) }
