// Package konica drives Konica Minolta's bizhub web admin (PageScope Web
// Connection), which the Develop ineo badge runs too. Two families:
// konica/classic (the -e series and older: XSLT pages /wcd/*.xml) and
// konica/iseries (the i-series single-page app).
//
// Confirmed ([C], docs: vendors-smtp-pages.md, vendors-others.md; public
// scripts that drive real devices): GET /wcd/index.html gives the ID
// cookie; /wcd/login.cgi func=PSL_LP1_LOG R_ADM=AdminAdmin password=…
// answers HTTP 200 either way: adm=AS_COU is a good login, Err_2
// AdminAnotherLoginError another admin's open session (busy, not a failed
// login), CommonLoginError a wrong password; one admin session at a time,
// so a session is always logged out (/wcd/a_user.cgi func=PSL_ACO_LGO with
// the page's h_token); the i-series locks the administrator for 5 minutes
// after 3 wrong passwords. The E-mail TX page /wcd/a_network_send.xml has
// AN_ESM_SMP server, AN_ESM_TSL SMTP over SSL/Start TLS (value StartTls),
// AN_ESM_POR port, AN_ESM_MAI sender, AN_ESM_SAU SMTP authentication,
// AN_ESM_USE user, and the password AN_ESM_PAS written only when the
// "password is changed" box AN_ESM_PAC is ticked. Factory passwords
// 1234567812345678, older 12345678.
//
// Guessed ([I], settle with `mfpfleet probe`): the save and test funcs
// and their answers (XML Ok_/Err_ as for the other a_user.cgi posts), the
// TSL values other than StartTls, the i-series' SMTP screen (driven here
// as the classic page), the classic family's lock-out, the "Check
// Connection" test e-mail.
package konica

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// Name is the driver's registry name.
const Name = "konica"

// The web-admin families.
const (
	FamilyClassic = "konica/classic"
	FamilyISeries = "konica/iseries"
)

// Login kinds (inventory, ledger, audit).
const (
	Kind16 = "konica-1234567812345678"
	Kind8  = "konica-12345678"
)

const passwordMax = 64 // [I] guess; the page's maxlength decides

// Driver is the Konica Minolta driver.
type Driver struct{}

var (
	_ drivers.Driver   = (*Driver)(nil)
	_ drivers.Informer = (*Driver)(nil)
)

func init() { drivers.Register(&Driver{}) }

var badges = []string{"Develop", "ineo"}

var logins = []drivers.FactoryLogin{
	{Kind: Kind16, From: drivers.PasswordFixed, Password: "1234567812345678",
		Text: "the Konica Minolta factory administrator password (1234567812345678)", Short: "default 1234567812345678"},
	{Kind: Kind8, From: drivers.PasswordFixed, Password: "12345678",
		Text: "the older Konica Minolta factory administrator password (12345678)", Short: "default 12345678"},
}

var (
	lockISeries = drivers.Lockout{After: 3, Until: "5 minutes have passed"}
	// [I] guess: the classic family's lock-out is not documented; assume
	// the i-series' count so the budget stays safe.
	lockClassic = drivers.Lockout{After: 3, Until: "the device's lock-out release time has passed (or it is restarted)"}
)

var reISeries = regexp.MustCompile(`(?i)\b[a-z]*\d{3,4}i\b`)

func isKM(dev devices.Device) bool {
	return drivers.Info{Vendors: []string{"konica-minolta", "develop"}, Badges: badges}.Handles(dev) ||
		strings.HasPrefix(strings.TrimPrefix(dev.SysObjectID, "."), "1.3.6.1.4.1.18334.")
}

var sec = []drivers.Security{drivers.SecurityNone, drivers.SecuritySSLTLS, drivers.SecurityStartTLS}

var info = drivers.Info{
	Name: Name, Maker: "Konica Minolta",
	Vendors: []string{"konica-minolta"},
	Badges:  badges,
	Families: []drivers.Family{
		{
			ID: FamilyISeries, Name: "bizhub i-series Web Connection (SPA)",
			Match:  func(dev devices.Device) bool { return isKM(dev) && reISeries.MatchString(dev.Model) },
			Logins: logins, Test: drivers.TestEmail, Lockout: lockISeries, SingleSession: true,
			PasswordMax: passwordMax, Security: sec,
			Confirmed: "login.cgi sequence and Ok_/Err_ codes, one admin session, 3 failures lock 5 minutes, logout are confirmed; " +
				"the SMTP screen is a guess (driven as the classic E-mail TX page)",
		},
		{
			ID: FamilyClassic, Name: "bizhub PageScope Web Connection (classic)",
			Match:  isKM,
			Logins: logins, Test: drivers.TestEmail, Lockout: lockClassic, SingleSession: true,
			PasswordMax: passwordMax, Security: sec,
			Confirmed: "login page, E-mail TX page ids (AN_ESM_*), the password-changed box and logout are confirmed; " +
				"the save/test funcs, TSL values other than StartTls, lock-out count and the test e-mail are guesses",
		},
	},
}

// Info implements drivers.Informer.
func (*Driver) Info() drivers.Info { return info }

// Name implements drivers.Driver.
func (*Driver) Name() string { return Name }

// Supports implements drivers.Driver.
func (*Driver) Supports(dev devices.Device) bool { return isKM(dev) }

const (
	pIndex = "/wcd/index.html"
	pHome  = "/wcd/a_system_counter.xml"
	pSend  = "/wcd/a_network_send.xml"
	pUser  = "/wcd/a_user.cgi"
	pLogin = "/wcd/login.cgi"
)

// NewSession implements drivers.Driver: index.html (the ID cookie, [C]),
// then the page tells the family: a classic login page or the SPA.
func (d *Driver) NewSession(ctx context.Context, tab *drivers.Tab) (drivers.Session, error) {
	s := &session{tab: tab, dev: tab.Device(), log: tab.Logger().With("driver", Name)}
	if err := s.detect(ctx); err != nil {
		return nil, tab.Fail(ctx, "open", err)
	}
	return s, nil
}

type session struct {
	tab    *drivers.Tab
	dev    devices.Device
	log    *slog.Logger
	family string
	in     bool
}

var (
	_ drivers.Session   = (*session)(nil)
	_ drivers.Defaulter = (*session)(nil)
	_ drivers.Tester    = (*session)(nil)
	_ drivers.Prober    = (*session)(nil)
)

func (s *session) detect(ctx context.Context) error {
	pg, err := s.tab.NavigateSettled(ctx, pIndex, nil, `!!document.querySelector('input[type=password]')`)
	if err != nil {
		if pg.Status == 404 {
			return fmt.Errorf("%s has no /wcd/index.html: not a bizhub Web Connection (older magicolor models use other pages); run `mfpfleet probe %s` and send us the output: %w", s.tab.Address(), s.tab.Address(), drivers.ErrUnsupported)
		}
		return err
	}
	var look struct {
		Path string `json:"path"`
		SPA  bool   `json:"spa"`
	}
	if err := s.tab.Eval(ctx, "look at the landing page", `({path: location.pathname, spa: !!document.querySelector('#app')})`, &look); err != nil {
		return err
	}
	s.family = FamilyClassic
	if look.SPA {
		s.family = FamilyISeries
	}
	return nil
}

// Info implements drivers.Session.
func (s *session) Info() drivers.SessionInfo {
	return drivers.SessionInfo{Driver: Name, Family: s.family, Address: s.tab.Address(), BaseURL: s.tab.BaseURL(),
		CertSHA256: s.tab.CertSHA256(), FirstContact: s.tab.FirstContact()}
}

func (s *session) fam() drivers.Family {
	for _, f := range info.Families {
		if f.ID == s.family {
			return f
		}
	}
	return info.Families[1]
}

// DefaultCredentials implements drivers.Defaulter.
func (s *session) DefaultCredentials() []drivers.Credential { return s.fam().Credentials(s.dev) }

// Close implements drivers.Session.
func (s *session) Close() error { return s.tab.Close() }

func (s *session) fail(ctx context.Context, step string, err error) error {
	if err == nil {
		return nil
	}
	return s.tab.Fail(ctx, step, err)
}

var fAdminPass = drivers.Field{Key: "adminpw", Labels: []string{"Administrator Password", "Password"}, Names: []string{"Admin_Pass"}, Type: "password"}

var reTLS = regexp.MustCompile(`(?i)protocol version|tls|ssl|handshake`)

// reCode finds the answer's Item code ([C] Ok_*/Err_*).
var reCode = regexp.MustCompile(`Code="((?:Ok|Err)_\d+)">([^<]*)<`)

// post runs a form-encoded POST from the page (the way the device's own
// scripts do) and returns the answer's code, item and text. body is a
// JavaScript expression giving the URLSearchParams.
func (s *session) post(ctx context.Context, op, path, body string) (code, item, text string, err error) {
	js := `(async () => { const r = await fetch(` + strconv.Quote(path) + `, {method: "POST", credentials: "same-origin", body: ` + body + `}); return await r.text(); })()`
	if err = s.tab.Eval(ctx, op, js, &text); err != nil {
		if strings.Contains(err.Error(), "Failed to fetch") {
			return "", "", "", fmt.Errorf("%s: the device dropped the connection (restarting?): %w (%s)", op, drivers.ErrTransient, s.tab.Scrub(err.Error()))
		}
		return "", "", "", err
	}
	text = s.tab.Scrub(text)
	if m := reCode.FindStringSubmatch(text); m != nil {
		return m[1], m[2], text, nil
	}
	if strings.Contains(text, "adm=AS_COU") {
		return "Ok_1", "LoginOK", text, nil
	}
	return "", "", text, nil
}

// Login implements drivers.Session: the password goes into the page's
// password box (never into a script's text), then login.cgi as the public
// tools post it ([C]); the answer's code decides.
func (s *session) Login(ctx context.Context, c drivers.Credential) error {
	s.tab.AddSecretValue(c.Password)
	if ok, _ := s.tab.OnPage(ctx, pIndex); !ok {
		if _, err := s.tab.NavigateSettled(ctx, pIndex, nil, drivers.FieldPresentJS(fAdminPass)); err != nil {
			return s.fail(ctx, "login", err)
		}
	}
	if _, err := s.tab.Fill(ctx, "Login", drivers.SecretValue(fAdminPass, c.Password)); err != nil {
		return s.fail(ctx, "login", err)
	}
	body := `new URLSearchParams({func: "PSL_LP1_LOG", R_ADM: "AdminAdmin", username: "", password: document.querySelector('input[type=password]').value})`
	code, item, text, err := s.post(ctx, "log in", pLogin, body)
	if err != nil {
		return s.fail(ctx, "login", err)
	}
	switch {
	case strings.HasPrefix(code, "Ok_"):
		s.in = true
		return nil
	case item == "AdminAnotherLoginError":
		return fmt.Errorf("the device says AdminAnotherLoginError: another administrator is logged in (a browser, the panel, or a run that was killed); it ends when that session logs out or times out: %w", drivers.ErrBusy)
	case strings.Contains(item, "Prohibit") || strings.Contains(item, "Lock"):
		return fmt.Errorf("the device says %s: %w; it lets the administrator in again once %s", item, drivers.ErrLockedOut, s.fam().Lockout.Until)
	case item == "CommonLoginError":
		return fmt.Errorf("%s: %w", c.Describe(), drivers.ErrBadCredentials)
	}
	return s.fail(ctx, "login", fmt.Errorf("login.cgi answered %q %q, which this driver does not know: %.200s", code, item, text))
}

// Logout implements drivers.Session: func=PSL_ACO_LGO with the h_token
// of an admin page ([C]); always, since one admin session blocks the next.
func (s *session) Logout(ctx context.Context) error {
	if !s.in {
		return nil
	}
	s.in = false
	js := `(async () => { const t = await (await fetch("` + pHome + `", {credentials: "same-origin"})).text();
  const m = /name="h_token" value="([^"]*)"/.exec(t) || /id="h_token"[^>]*value="([^"]*)"/.exec(t);
  const r = await fetch("` + pUser + `", {method: "POST", credentials: "same-origin", body: new URLSearchParams({func: "PSL_ACO_LGO", h_token: m ? m[1] : ""})});
  return await r.text(); })()`
	var text string
	if err := s.tab.Eval(ctx, "log out", js, &text); err != nil {
		return s.fail(ctx, "logout", err)
	}
	if !strings.Contains(text, "Ok_") {
		return s.fail(ctx, "logout", fmt.Errorf("the device did not confirm the logout: %.200s", s.tab.Scrub(text)))
	}
	return nil
}

// E-mail TX (SMTP) fields: the [C] ids as first guesses, labels from the
// page.
var (
	fServer   = drivers.Field{Key: "server", Labels: []string{"SMTP Server Address"}, Names: []string{"AN_ESM_SMP"}, Type: "text"}
	fSecurity = drivers.Field{Key: "security", Labels: []string{"SMTP over SSL/Start TLS", "SMTP over SSL/StartTLS"}, Names: []string{"AN_ESM_TSL"}, Type: "select", Optional: true}
	fPort     = drivers.Field{Key: "port", Labels: []string{"Port Number", "Port No."}, Names: []string{"AN_ESM_POR"}, Type: "text"}
	fFrom     = drivers.Field{Key: "from", Labels: []string{"Device Mail Address", "Administrator E-mail Address"}, Names: []string{"AN_ESM_MAI"}, Type: "text"}
	fAuth     = drivers.Field{Key: "authbox", Labels: []string{"SMTP Authentication"}, Names: []string{"AN_ESM_SAU"}, Type: "checkbox", Optional: true}
	fUser     = drivers.Field{Key: "login", Labels: []string{"User ID", "User Name"}, Names: []string{"AN_ESM_USE"}, Type: "text"}
	fPWChange = drivers.Field{Key: "pwchange", Labels: []string{"Password is changed.", "Password is changed"}, Names: []string{"AN_ESM_PAC"}, Type: "checkbox", Optional: true}
	fPW       = drivers.Field{Key: "pw", Labels: []string{"Password"}, Names: []string{"AN_ESM_PAS"}, Type: "password"}
	fTestTo   = drivers.Field{Key: "testto", Labels: []string{"Check Connection: send to"}, Names: []string{"AN_ESM_TAD"}, Type: "text"} // [I]
)

func (s *session) gotoSend(ctx context.Context) error {
	if _, err := s.tab.NavigateSettled(ctx, pSend, nil, drivers.FieldPresentJS(fServer)+` || location.pathname.indexOf("index") >= 0 || location.pathname.indexOf("login") >= 0`); err != nil {
		return err
	}
	loc, err := s.tab.Location(ctx)
	if err != nil {
		return err
	}
	if !strings.Contains(loc, "a_network_send") {
		s.in = false
		return fmt.Errorf("the E-mail TX page sent the browser to %s: the admin session ended (timed out, or the device restarted): %w", loc, drivers.ErrTransient)
	}
	return nil
}

// OpenSMTPPage implements drivers.Prober.
func (s *session) OpenSMTPPage(ctx context.Context) error { return s.gotoSend(ctx) }

func securityOf(v string) drivers.Security {
	l := strings.ToLower(strings.ReplaceAll(v, " ", ""))
	switch {
	case strings.Contains(l, "starttls"):
		return drivers.SecurityStartTLS
	case strings.Contains(l, "ssl"):
		return drivers.SecuritySSLTLS
	}
	return drivers.SecurityNone
}

// ReadSMTP implements drivers.Session.
func (s *session) ReadSMTP(ctx context.Context) (drivers.SMTPSettings, error) {
	var out drivers.SMTPSettings
	if err := s.gotoSend(ctx); err != nil {
		return out, s.fail(ctx, "read", err)
	}
	st, err := s.tab.Read(ctx, "E-mail TX", fServer, fSecurity, fPort, fFrom, fAuth, fUser, fPW)
	if err != nil {
		return out, s.fail(ctx, "read", err)
	}
	out.Server = st["server"].Value
	out.Port, _ = strconv.Atoi(strings.TrimSpace(st["port"].Value))
	out.From = st["from"].Value
	out.Security = drivers.SecurityNone
	if f := st["security"]; f.Found {
		out.Security = securityOf(f.Value)
	}
	out.Auth = st["authbox"].Value == "true"
	out.User = st["login"].Value
	out.PasswordSet = st["pw"].HasValue
	return out, nil
}

// WriteSMTP implements drivers.Session: one form; the password only with
// "password is changed" ticked ([C]).
func (s *session) WriteSMTP(ctx context.Context, w drivers.SMTPSettings) error {
	if err := drivers.CheckSettings(w); err != nil {
		return s.fail(ctx, "write", fmt.Errorf("%w: %w", err, drivers.ErrUnsupported))
	}
	s.tab.AddSecretValue(w.Password)
	if err := s.gotoSend(ctx); err != nil {
		return s.fail(ctx, "write", err)
	}
	st, err := s.tab.Read(ctx, "E-mail TX", fSecurity, fAuth, fPW, fPWChange)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	vals := []drivers.FieldValue{{Field: fServer, Value: w.Server}, {Field: fPort, Value: strconv.Itoa(w.Port)}}
	if f := st["security"]; !f.Found {
		if w.Security != drivers.SecurityNone {
			return s.fail(ctx, "write", fmt.Errorf("the E-mail TX page has no \"SMTP over SSL/Start TLS\" setting: this firmware cannot encrypt mail, and Gmail requires STARTTLS or SSL/TLS: %w; update the firmware or use a local relay", drivers.ErrFirmware))
		}
	} else {
		opt, err := drivers.SecurityOption(f.Options, w.Security)
		if err != nil {
			return s.fail(ctx, "write", err)
		}
		vals = append(vals, drivers.FieldValue{Field: fSecurity, Value: opt})
	}
	if w.Auth {
		if !st["authbox"].Found {
			return s.fail(ctx, "write", fmt.Errorf("the E-mail TX page has no SMTP Authentication setting: this firmware cannot do SMTP AUTH, which Gmail requires: %w", drivers.ErrFirmware))
		}
		if max := st["pw"].MaxLength; max > 0 && max < len(w.Password.Reveal()) {
			return s.fail(ctx, "write", fmt.Errorf("the E-mail TX page's Password field takes %d characters, the app password has %d: %w; update the firmware", max, len(w.Password.Reveal()), drivers.ErrFirmware))
		}
		vals = append(vals, drivers.FieldValue{Field: fAuth, Value: "true"}, drivers.FieldValue{Field: fUser, Value: w.User})
		if !w.Password.Empty() {
			if st["pwchange"].Found {
				vals = append(vals, drivers.FieldValue{Field: fPWChange, Value: "true"})
			}
			vals = append(vals, drivers.SecretValue(fPW, w.Password))
		}
	} else if st["authbox"].Found {
		vals = append(vals, drivers.FieldValue{Field: fAuth, Value: "false"})
	}
	if w.From != "" {
		vals = append(vals, drivers.FieldValue{Field: fFrom, Value: w.From})
	}
	if _, err := s.tab.Fill(ctx, "E-mail TX", vals...); err != nil {
		return s.fail(ctx, "write", err)
	}
	body := `new URLSearchParams(new FormData(document.querySelector('[name="AN_ESM_SMP"], #AN_ESM_SMP').form))`
	code, item, text, err := s.post(ctx, "save the E-mail TX page", pUser, body)
	if err != nil {
		return s.fail(ctx, "write", err)
	}
	if !strings.HasPrefix(code, "Ok_") {
		return s.fail(ctx, "write", s.answerErr("the E-mail TX settings", item, text))
	}
	return nil
}

func (s *session) answerErr(what, item, text string) error {
	if item == "SessionTimeoutError" {
		s.in = false
		return fmt.Errorf("the device refused %s: the admin session ended (%s): %w", what, item, drivers.ErrTransient)
	}
	if item == "TokenError" {
		return fmt.Errorf("the device refused %s: a stale h_token (%s): %w", what, item, drivers.ErrTransient)
	}
	return fmt.Errorf("the device refused %s: %q; set them by hand on its E-mail TX page, or run `mfpfleet probe %s` and send us the output: %.200s", what, item, s.tab.Address(), text)
}

// SendTest implements drivers.Tester: "Check Connection" with a
// destination ([I] guess), answered with an Ok_/Err_ code.
func (s *session) SendTest(ctx context.Context, to string) (drivers.TestResult, error) {
	res := drivers.TestResult{At: time.Now()}
	if err := s.gotoSend(ctx); err != nil {
		return res, s.fail(ctx, "test", err)
	}
	if _, err := s.tab.Fill(ctx, "E-mail TX", drivers.FieldValue{Field: fTestTo, Value: to}); err != nil {
		return res, s.fail(ctx, "test", err)
	}
	body := `new URLSearchParams(new FormData(document.querySelector('[name="AN_ESM_TAD"]').form))`
	code, item, text, err := s.post(ctx, "check the connection", pUser, body)
	if err != nil {
		return res, s.fail(ctx, "test", err)
	}
	res.Code = code
	res.Message = item
	if m := regexp.MustCompile(`<ErrorDescription>([^<]*)<`).FindStringSubmatch(text); m != nil {
		res.Message = item + ": " + m[1]
	}
	res.OK = strings.HasPrefix(code, "Ok_")
	if res.OK {
		return res, nil
	}
	if item == "SessionTimeoutError" || item == "TokenError" {
		return res, s.fail(ctx, "test", s.answerErr("the test", item, text))
	}
	if reTLS.MatchString(res.Message) {
		return res, s.fail(ctx, "test", fmt.Errorf("the device's test e-mail failed: %q: the encrypted connection to Gmail failed; this firmware's mail client likely lacks TLS 1.2: update the firmware: %w: %w", res.Message, drivers.ErrTestFailed, drivers.ErrFirmware))
	}
	return res, s.fail(ctx, "test", fmt.Errorf("the device's test e-mail failed: %q: %w", res.Message, drivers.ErrTestFailed))
}
