package canon

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/mfpfleet/mfpfleet/drivers"
)

// imageRUNNER ADVANCE Remote UI. Sourced [C]: the login form posts
// uri, deptid, password (and user_type_generic=true on the DX
// generation) to /login; success is a redirect to the portal ("Remote UI
// : Portal", a Log Out link written by script); the iR cookie the /rps/
// pages need comes from /rps/nativetop.cgi?RUIPNxBundle=&CorePGTAG=…
// Guessed [I]: where the E-mail (Communication Settings) and Port Number
// pages are and their field names (found by label), the logout URL when
// no Log Out link is on the page, the save answer.

const (
	iraNativeTop = "/rps/nativetop.cgi?RUIPNxBundle=&CorePGTAG=PGTAG_CONF_ENV_PAP&Dummy="
	iraSMTPPath  = "/rps/csmtp.cgi?Flag=Init_Data&PageFlag=c_smtp.tpl&Dummy=" // [I]
	iraPortPath  = "/rps/cport.cgi?Flag=Init_Data&PageFlag=c_port.tpl&Dummy=" // [I]
	iraLogout    = "/logout"                                                  // [I]
)

var (
	iraUser = drivers.Field{Key: "user", Labels: []string{"System Manager ID", "Department ID", "User Name", "Login User Name"}, Names: []string{"deptid"}, Type: "text"}
	iraPass = drivers.Field{Key: "password", Labels: []string{"System Manager PIN", "PIN", "Password"}, Names: []string{"password"}, Type: "password"}

	iraServer = drivers.Field{Key: "server", Labels: []string{"SMTP Server"}, Names: []string{"SMTP_SERVER"}, Type: "text"}
	iraFrom   = drivers.Field{Key: "from", Labels: []string{"E-Mail Address", "E-mail Address"}, Names: []string{"MAIL_ADDR"}, Type: "text"}
	iraAuth   = drivers.Field{Key: "auth", Labels: []string{"SMTP Authentication (SMTP AUTH)", "SMTP Authentication", "Use SMTP Authentication (SMTP AUTH)"}, Names: []string{"SMTP_AUTH"}, Type: "radio"}
	iraLogin  = drivers.Field{Key: "login", Labels: []string{"User Name"}, Names: []string{"SMTP_USER"}, Type: "text"}
	iraChange = drivers.Field{Key: "change", Labels: []string{"Change Password", "Set/Change Password"}, Names: []string{"SMTP_PSWD_CHG"}, Type: "checkbox", Optional: true}
	iraPW     = drivers.Field{Key: "pw", Labels: []string{"Password"}, Names: []string{"SMTP_PSWD"}, Type: "password"}
	iraTLS    = drivers.Field{Key: "tls", Labels: []string{"Allow TLS (SMTP Send)", "Use TLS for SMTP", "Allow SSL (SMTP Send)"}, Names: []string{"SMTP_TLS"}, Type: "checkbox"}

	iraPort = drivers.Field{Key: "port", Labels: []string{"SMTP Send", "SMTP (Send)", "SMTP"}, Names: []string{"SMTP_TX_PORT"}, Type: "text"}
)

var reIRAPortal = regexp.MustCompile(`Remote UI\s*:\s*Portal`)

const iraHasLogout = `Array.from(document.querySelectorAll("a,button,input[type=button],input[type=submit]")).some(e => /^\s*log\s?-?out\s*$/i.test(e.tagName === "INPUT" ? e.value : e.textContent))`

type iraSession struct {
	base
	// irCookie: /rps/nativetop.cgi was loaded in this session.
	irCookie bool
}

var (
	_ drivers.Session   = (*iraSession)(nil)
	_ drivers.Defaulter = (*iraSession)(nil)
	_ drivers.Prober    = (*iraSession)(nil)
)

// DefaultCredentials implements drivers.Defaulter: the factory login of
// the generation the page shows (a user-name login: Administrator; a
// System Manager ID: 7654321), so that the other one is never spent.
func (s *iraSession) DefaultCredentials() []drivers.Credential {
	var out []drivers.Credential
	for _, c := range s.credentials(FamilyIRAdvance) {
		if (c.Kind == KindIRAAdminDX) == s.dx {
			out = append(out, c)
		}
	}
	return out
}

// Login implements drivers.Session.
func (s *iraSession) Login(ctx context.Context, c drivers.Credential) error {
	s.tab.AddSecretValue(c.Password)
	if !s.onLogin {
		if _, err := s.tab.NavigateSettled(ctx, "/", nil, drivers.FieldPresentJS(iraPass)+" || "+iraHasLogout); err != nil {
			return s.fail(ctx, "login", err)
		}
	}
	s.onLogin = false
	if err := pinFits(ctx, s.tab, iraPass, c); err != nil {
		s.onLogin = true
		return s.fail(ctx, "login", err)
	}
	if _, err := s.tab.Fill(ctx, "Login", drivers.FieldValue{Field: iraUser, Value: c.User}, drivers.SecretValue(iraPass, c.Password)); err != nil {
		return s.fail(ctx, "login", err)
	}
	near := iraPass
	if err := s.tab.SubmitAndWait(ctx, "Login", &near, []string{"Log In", "Login", "OK"}, nil, ""); err != nil {
		return s.fail(ctx, "login", err)
	}
	var st struct {
		Login  bool   `json:"login"`
		Logout bool   `json:"logout"`
		Text   string `json:"text"`
	}
	if err := s.tab.Eval(ctx, "read the login result", `({login: !!document.querySelector("input[name=deptid]"), logout: `+iraHasLogout+`,
  text: document.title + "\n" + (document.body ? document.body.innerText : "")})`, &st); err != nil {
		return s.fail(ctx, "login", err)
	}
	text := s.tab.Scrub(st.Text)
	if !st.Login && (st.Logout || reIRAPortal.MatchString(text)) {
		s.loggedIn, s.irCookie = true, false
		return nil
	}
	s.onLogin = st.Login
	return s.fail(ctx, "login", loginError(c, text))
}

// Logout implements drivers.Session: the page's Log Out link, else
// /logout [I].
func (s *iraSession) Logout(ctx context.Context) error {
	if !s.loggedIn {
		return nil
	}
	s.loggedIn = false
	href := ""
	_ = s.tab.Eval(ctx, "find Log Out", `(function(){ const a = Array.from(document.querySelectorAll("a[href]")).find(e => /^\s*log\s?-?out\s*$/i.test(e.textContent)); return a ? a.href : ""; })()`, &href)
	if href == "" {
		href = iraLogout
	}
	if _, err := s.tab.Navigate(ctx, href); err != nil {
		return fmt.Errorf("%s: logout: %w", s.tab.Address(), err)
	}
	return nil
}

// open loads a /rps/ settings page, getting the iR cookie first [C];
// the login page instead means the session is gone (transient).
func (s *iraSession) open(ctx context.Context, path string, key drivers.Field) (bool, error) {
	if !s.loggedIn {
		return false, errors.New("not logged in")
	}
	if !s.irCookie {
		if _, err := s.tab.NavigateSettled(ctx, iraNativeTop+dummy(), nil, ""); err != nil {
			return false, err
		}
		if s.sentToLogin(ctx) {
			return false, fmt.Errorf("the device dropped the admin session (sent back to the login page): %w", drivers.ErrTransient)
		}
		s.irCookie = true
	}
	pg, err := s.tab.NavigateSettled(ctx, path, nil, "")
	if err != nil {
		return false, err
	}
	if s.sentToLogin(ctx) {
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

func (s *iraSession) sentToLogin(ctx context.Context) bool {
	var login bool
	_ = s.tab.Eval(ctx, "check the session", `!!document.querySelector("form[action$='/login'] input[name=deptid]")`, &login)
	if login {
		s.loggedIn = false
	}
	return login
}

// gotoPage opens the page at path ([I]) or, failing that, walks from the
// Settings/Registration top through links whose texts are given.
func (s *iraSession) gotoPage(ctx context.Context, path string, key drivers.Field, page string, links ...[]string) error {
	ok, err := s.open(ctx, path+dummy(), key)
	if err != nil || ok {
		return err
	}
	s.log.Debug("settings page not at its usual path; walking the menus", "page", page)
	if _, err := s.tab.NavigateSettled(ctx, iraNativeTop+dummy(), nil, ""); err != nil {
		return err
	}
	for _, texts := range links {
		l, err := s.tab.FindLink(ctx, "Settings/Registration", texts, nil)
		if err != nil {
			return err
		}
		if _, err := s.tab.NavigateSettled(ctx, l.Href, nil, ""); err != nil {
			return err
		}
	}
	_, err = s.tab.Read(ctx, page, key)
	return err
}

func (s *iraSession) gotoSMTP(ctx context.Context) error {
	return s.gotoPage(ctx, iraSMTPPath, iraServer, "Communication Settings",
		[]string{"E-Mail/I-Fax Settings: Communication Settings", "Communication Settings", "E-Mail/I-Fax Settings"})
}

func (s *iraSession) gotoPort(ctx context.Context) error {
	return s.gotoPage(ctx, iraPortPath, iraPort, "Port Number Settings",
		[]string{"TCP/IP Settings: Port Number Settings", "Port Number Settings", "TCP/IP Settings"})
}

func (s *iraSession) readSMTPPage(ctx context.Context) (map[string]drivers.FieldState, error) {
	from, auth, login, pw, tls := iraFrom, iraAuth, iraLogin, iraPW, iraTLS
	from.Optional, auth.Optional, login.Optional, pw.Optional, tls.Optional = true, true, true, true, true
	return s.tab.Read(ctx, "Communication Settings", iraServer, from, auth, login, pw, tls)
}

// ReadSMTP implements drivers.Session.
func (s *iraSession) ReadSMTP(ctx context.Context) (drivers.SMTPSettings, error) {
	var out drivers.SMTPSettings
	if err := s.gotoSMTP(ctx); err != nil {
		return out, s.fail(ctx, "read", err)
	}
	st, err := s.readSMTPPage(ctx)
	if err != nil {
		return out, s.fail(ctx, "read", err)
	}
	out.Server, out.From, out.User = st["server"].Value, st["from"].Value, st["login"].Value
	out.Auth = st["auth"].Found && strings.EqualFold(strings.TrimSpace(st["auth"].Value), "On")
	out.PasswordSet = st["pw"].HasValue
	out.Security = drivers.SecurityNone
	if st["tls"].Found && st["tls"].Checked {
		out.Security = drivers.SecurityStartTLS
	}
	if err := s.gotoPort(ctx); err != nil {
		return out, s.fail(ctx, "read", err)
	}
	pst, err := s.tab.Read(ctx, "Port Number Settings", iraPort)
	if err != nil {
		return out, s.fail(ctx, "read", err)
	}
	out.Port, _ = strconv.Atoi(strings.TrimSpace(pst["port"].Value))
	return out, nil
}

// WriteSMTP implements drivers.Session.
func (s *iraSession) WriteSMTP(ctx context.Context, w drivers.SMTPSettings) error {
	if err := checkSettings(w); err != nil {
		return s.fail(ctx, "write", err)
	}
	s.tab.AddSecretValue(w.Password)
	if err := s.gotoSMTP(ctx); err != nil {
		return s.fail(ctx, "write", err)
	}
	st, err := s.readSMTPPage(ctx)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	if err := firmwareChecks(st, w, "Communication Settings"); err != nil {
		return s.fail(ctx, "write", err)
	}
	vals := []drivers.FieldValue{{Field: iraServer, Value: w.Server}}
	if w.From != "" {
		vals = append(vals, drivers.FieldValue{Field: iraFrom, Value: w.From})
	}
	if st["tls"].Found {
		vals = append(vals, drivers.FieldValue{Field: iraTLS, Value: boolText(w.Security == drivers.SecurityStartTLS)})
	}
	if st["auth"].Found {
		on := "Off"
		if w.Auth {
			on = "On"
		}
		vals = append(vals, drivers.FieldValue{Field: iraAuth, Value: on})
	}
	if w.Auth {
		vals = append(vals, drivers.FieldValue{Field: iraLogin, Value: w.User})
		if !w.Password.Empty() {
			vals = append(vals, drivers.FieldValue{Field: iraChange, Value: "true"}, drivers.SecretValue(iraPW, w.Password))
		}
	}
	if err := s.save(ctx, "Communication Settings", vals); err != nil {
		return s.fail(ctx, "write", err)
	}
	if err := s.gotoPort(ctx); err != nil {
		return s.fail(ctx, "write", err)
	}
	if err := s.save(ctx, "Port Number Settings", []drivers.FieldValue{{Field: iraPort, Value: strconv.Itoa(w.Port)}}); err != nil {
		return s.fail(ctx, "write", err)
	}
	return nil
}

// save fills vals, presses OK and reads the device's answer (the page
// again, with a message).
func (s *iraSession) save(ctx context.Context, page string, vals []drivers.FieldValue) error {
	if _, err := s.tab.Fill(ctx, page, vals...); err != nil {
		return err
	}
	near := vals[0].Field
	if err := s.tab.SubmitAndWait(ctx, page, &near, []string{"OK", "Apply", "Save"}, nil, ""); err != nil {
		return err
	}
	if s.sentToLogin(ctx) {
		return fmt.Errorf("the device dropped the admin session while saving (sent back to the login page); the %s were not saved: %w", page, drivers.ErrTransient)
	}
	var msg string
	if err := s.tab.Eval(ctx, "read the answer", `(function(){ const e = document.querySelector(".ErrorMessage, #errorMessage, .error"); return e ? e.innerText : ""; })()`, &msg); err != nil {
		return err
	}
	msg = strings.TrimSpace(s.tab.Scrub(msg))
	if msg != "" && !reSaveOK.MatchString(msg) && reError.MatchString(msg) {
		return fmt.Errorf("the device refused the %s: %q", page, msg)
	}
	return nil
}

// OpenSMTPPage implements drivers.Prober.
func (s *iraSession) OpenSMTPPage(ctx context.Context) error { return s.gotoSMTP(ctx) }
