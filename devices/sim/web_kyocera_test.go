package sim

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// kyLoginForm is the form the public CCRX clients post ([C]: the C# and
// Java clients' fields; the Python one adds hidden=, language= and the
// hiddRefresh* fields, which the device ignores).
func kyLoginForm(user, pw string) url.Values {
	return url.Values{
		"func": {"authLogin"}, "arg01_UserName": {user}, "arg02_Password": {pw},
		"arg03_LoginType": {"_mode_off"}, "arg04_LoginFrom": {"_wlm_login"},
		"arg05_AccountId": {""}, "arg06_DomainName": {""},
		"okhtmfile": {kyStart}, "failhtmfile": {kyStart}, "Login": {"Login"},
	}
}

// hasID1 reports whether the client holds the ID1 cookie, the public
// clients' test for a good login.
func (b *browser) hasID1() bool {
	u, _ := url.Parse(b.base + "/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "ID1" && c.Value != "" {
			return true
		}
	}
	return false
}

var reHiddenValue = regexp.MustCompile(`_pp\.hiddenvalue\s*=\s*'([^']+)'`)

func kyToken(t *testing.T, b *browser) string {
	t.Helper()
	_, js := b.get(kyEmailJS)
	m := reHiddenValue.FindStringSubmatch(js)
	if m == nil {
		t.Fatalf("no _pp.hiddenvalue in the model:\n%s", js)
	}
	return m[1]
}

func kyEmailForm(tok string, f kyFields, port int, sec, pw string) url.Values {
	return url.Values{
		"okhtmfile": {kyOKPage}, "failhtmfile": {kyErrPage}, "func": {"setEmailSet"}, "hidden": {tok}, "submit001": {"Submit"},
		f.Server: {"smtp.gmail.com"}, f.Port: {strconv.Itoa(port)}, f.Timeout: {"10"},
		f.Auth: {kyOn}, f.AuthAs: {kyAsOther}, f.User: {testAccount}, f.Password: {pw},
		f.Security: {sec}, f.From: {testAccount}, f.Size: {"0"},
	}
}

func TestKyoceraLoginSequence(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "TASKalfa 3253ci", Family: FamilyKyoceraCCRX})
	b := newBrowser(t, d)
	resp, body := b.get("/")
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != kyStart || !strings.Contains(body, `name="wlmframe"`) {
		t.Fatalf("GET /: %d %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	if resp.Header.Get("Server") == "" || strings.Contains(resp.Header.Get("Server"), "Xerox") {
		t.Errorf("Server header %q", resp.Header.Get("Server"))
	}
	_, frame := b.get(kyFrame)
	for _, want := range []string{`id="arg01_UserName"`, `id="arg02_Password"`, `name="Login"`, `action="/startwlm/login.cgi"`} {
		if !strings.Contains(frame, want) {
			t.Errorf("login frame lacks %s", want)
		}
	}
	// Not logged in: the model is a stub, the page goes to the start.
	if _, js := b.get(kyEmailJS); strings.Contains(js, "_pp.") {
		t.Fatalf("model without a login has properties:\n%s", js)
	}
	if resp, _ := b.get(kyEmailPage); resp.Request.URL.Path != kyStart {
		t.Fatalf("e-mail page without a login: ended on %s", resp.Request.URL)
	}
	// A wrong password: 200, no ID1, one failed login, the message.
	resp, body = b.post(kyLoginCGI, kyLoginForm("Admin", "admin"))
	if resp.StatusCode != http.StatusOK || b.hasID1() || d.FailedLogins() != 1 {
		t.Fatalf("wrong password: %d ID1=%v failed=%d", resp.StatusCode, b.hasID1(), d.FailedLogins())
	}
	if !strings.Contains(body, "arg1=1") {
		t.Fatalf("wrong password: the frame names no reason:\n%s", body)
	}
	if _, fr := b.get(kyFrame + "?arg1=1"); !strings.Contains(fr, "incorrect") {
		t.Fatalf("no message on the frame:\n%s", fr)
	}
	// The factory login: 200 and ID1.
	resp, _ = b.post(kyLoginCGI, kyLoginForm("Admin", "Admin"))
	if resp.StatusCode != http.StatusOK || !b.hasID1() {
		t.Fatalf("Admin/Admin: %d ID1=%v", resp.StatusCode, b.hasID1())
	}
	if _, fr := b.get(kyFrame); !strings.Contains(fr, "Logout") {
		t.Fatalf("logged-in frame has no Logout:\n%s", fr)
	}
	tok := kyToken(t, b)
	if tok == "" {
		t.Fatal("empty token")
	}
	// The browser form as the Python client posts it (extra hidden fields,
	// hidden= empty, language=, hiddRefresh*): the same answer.
	b2 := newBrowser(t, d)
	py := kyLoginForm("Admin", "Admin")
	for k, v := range map[string]string{"hidden": "", "language": b2.base + "/wlmeng/index.htm", "hiddRefreshDevice": "../startwlm/Hme_DvcSts.htm",
		"hiddRefreshPanelUsed": "../startwlm/Hme_PnlUsg.htm", "hiddnBackNavIndx": "1", "hiddDestHistoryID": "0", "hndHeight": "0"} {
		py.Set(k, v)
	}
	if resp, _ := b2.post(kyLoginCGI, py); resp.StatusCode != http.StatusOK || !b2.hasID1() {
		t.Fatalf("the browser's login form: %d ID1=%v", resp.StatusCode, b2.hasID1())
	}
	// Logout ends the session.
	b.post(kyLoginCGI, url.Values{"func": {"authLogout"}, "okhtmfile": {kyStart}})
	if _, js := b.get(kyEmailJS); strings.Contains(js, "_pp.") {
		t.Fatal("model still served after logout")
	}
}

func TestKyoceraLockoutWindow(t *testing.T) {
	old := kyLockoutFor
	kyLockoutFor = 300 * time.Millisecond
	t.Cleanup(func() { kyLockoutFor = old })
	d := startDevice(t, DeviceOptions{Model: "TASKalfa 3253ci", Family: FamilyKyoceraCCRX})
	b := newBrowser(t, d)
	for range 3 {
		b.post(kyLoginCGI, kyLoginForm("Admin", "nope"))
	}
	if !d.LockedOut() {
		t.Fatalf("not locked after 3 failures (failed=%d)", d.FailedLogins())
	}
	_, body := b.post(kyLoginCGI, kyLoginForm("Admin", "Admin"))
	if b.hasID1() || !strings.Contains(body, "arg1=2") {
		t.Fatalf("locked device let the right password in, or named no lock-out:\n%s", body)
	}
	if _, fr := b.get(kyFrame + "?arg1=2"); !strings.Contains(fr, "locked") {
		t.Fatalf("no lock-out message:\n%s", fr)
	}
	time.Sleep(400 * time.Millisecond)
	if b.post(kyLoginCGI, kyLoginForm("Admin", "Admin")); !b.hasID1() {
		t.Fatal("lock-out did not end after its period")
	}
	if d.FailedLogins() != 0 {
		t.Fatalf("failed logins after the lock-out period: %d", d.FailedLogins())
	}
}

func TestKyoceraEmailRoundTripAndConnectionTest(t *testing.T) {
	gm := gmailStandin(t, 0)
	d := startDevice(t, DeviceOptions{Model: "TASKalfa 3253ci", Family: FamilyKyoceraCCRX, SMTPRoutes: routesTo(gm), SMTPRootCAs: gm.ClientTLS().RootCAs})
	b := newBrowser(t, d)
	b.post(kyLoginCGI, kyLoginForm("Admin", "Admin"))
	_, page := b.get(kyEmailPage)
	for _, want := range []string{"SMTP Server Name", "SMTP Port Number", "Authentication Protocol", "Authenticate as", "Login User Name", "Login Password", "SMTP Security", ">STARTTLS<", ">SSL/TLS<", "Sender Address", "Connection Test", `value="Test"`, `action="/funcset/set.cgi"`, kyEmailJS} {
		if !strings.Contains(page, want) {
			t.Errorf("e-mail page lacks %s", want)
		}
	}
	f := d.kyFields()
	// A stale token is refused.
	_, body := b.post(kySetCGI, kyEmailForm("0123", f, 587, kySecStart, testAppPassword))
	if !strings.Contains(body, kyErrPage) || d.SMTP().Server != "" {
		t.Fatalf("stale token accepted:\n%s", body)
	}
	if _, res := b.get(kyErrPage); !strings.Contains(res, "expired") {
		t.Fatalf("error page: %s", res)
	}
	tok := kyToken(t, b)
	_, body = b.post(kySetCGI, kyEmailForm(tok, f, 587, kySecStart, testAppPassword))
	if !strings.Contains(body, kyOKPage) {
		t.Fatalf("save: the answer does not name the okhtmfile:\n%s", body)
	}
	want := SMTPSettings{Server: "smtp.gmail.com", Port: 587, From: testAccount, Security: SecuritySTARTTLS, Auth: AuthSMTP, User: testAccount, PasswordSet: true}
	if got := d.SMTP(); got != want || !d.SMTPPasswordIs(testAppPassword) {
		t.Fatalf("saved %+v, want %+v (password ok %v)", got, want, d.SMTPPasswordIs(testAppPassword))
	}
	_, js := b.get(kyEmailJS)
	for _, w := range []string{"_pp.smtpServerName = 'smtp.gmail.com'", "_pp.smtpPort = '587'", "_pp.smtpSecurity = '" + kySecStart + "'", "_pp.senderAddress = 'scans.demo@gmail.com'", "_pp.smtpMode = '_mode_on'"} {
		if !strings.Contains(js, w) {
			t.Errorf("model lacks %s:\n%s", w, js)
		}
	}
	if strings.Contains(js, testAppPassword) || strings.Contains(page, testAppPassword) {
		t.Fatal("the page shows the SMTP password")
	}
	// An empty Login Password keeps the stored one; 465 SSL/TLS.
	_, body = b.post(kySetCGI, kyEmailForm(tok, f, 465, kySecSSL, ""))
	if !strings.Contains(body, kyOKPage) || !d.SMTPPasswordIs(testAppPassword) || d.SMTP().Security != SecurityTLS {
		t.Fatalf("465 with empty password: %+v\n%s", d.SMTP(), body)
	}
	// Connection Test: a real SMTP conversation with the stand-in.
	test := kyEmailForm(tok, f, 465, kySecSSL, "")
	test.Set("func", "setSmtpConnTest")
	test.Set("okhtmfile", kyTestPage)
	if _, body = b.post(kySetCGI, test); !strings.Contains(body, kyTestPage) {
		t.Fatalf("connection test answer:\n%s", body)
	}
	if _, res := b.get(kyTestPage); !strings.Contains(res, ">OK<") {
		t.Fatalf("connection test result:\n%s", res)
	}
	// A wrong app password fails the test with the server's words.
	pw := "wrongwrongwrongx"
	d.SetSMTP(d.SMTP(), &pw)
	b.post(kySetCGI, test)
	if _, res := b.get(kyTestPage); !strings.Contains(res, "Connection failed") || !strings.Contains(res, "535") {
		t.Fatalf("connection test with a wrong password:\n%s", res)
	}
	// A scan to e-mail goes through the stand-in for real.
	pw = testAppPassword
	d.SetSMTP(d.SMTP(), &pw)
	to := "scans.demo+ky@gmail.com"
	if j := d.ScanToEmail(t.Context(), to); !j.OK {
		t.Fatalf("scan: %+v", j)
	}
	if subj := imapFind(t, gm, to); len(subj) != 1 {
		t.Fatalf("mailbox has %v for %s", subj, to)
	}
}

func TestKyoceraFirmwareVariants(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "TASKalfa 3253ci", Family: FamilyKyoceraCCRX, UI: UIKyoceraShortPassword})
	b := newBrowser(t, d)
	b.post(kyLoginCGI, kyLoginForm("Admin", "Admin"))
	if _, page := b.get(kyEmailPage); !strings.Contains(page, `maxlength="15"`) {
		t.Fatal("short-password firmware: no 15-character password field")
	}
	_, body := b.post(kySetCGI, kyEmailForm(kyToken(t, b), d.kyFields(), 587, kySecStart, testAppPassword))
	if !strings.Contains(body, kyErrPage) || d.SMTP().PasswordSet {
		t.Fatalf("a 16-character password was accepted:\n%s", body)
	}

	d = startDevice(t, DeviceOptions{Model: "TASKalfa 3253ci", Family: FamilyKyoceraCCRX, UI: UIKyoceraNoAuth})
	b = newBrowser(t, d)
	b.post(kyLoginCGI, kyLoginForm("Admin", "Admin"))
	_, page := b.get(kyEmailPage)
	if m := regexp.MustCompile(`(?s)name="arg05_SmtpAuth">(.*?)</select>`).FindStringSubmatch(page); m == nil || strings.Contains(m[1], ">On<") {
		t.Fatal("firmware without SMTP AUTH offers Authentication Protocol On")
	}
	if _, body := b.post(kySetCGI, kyEmailForm(kyToken(t, b), d.kyFields(), 587, kySecStart, testAppPassword)); !strings.Contains(body, kyErrPage) || d.SMTP().Auth != AuthNone {
		t.Fatalf("firmware without SMTP AUTH accepted it:\n%s", body)
	}

	d = startDevice(t, DeviceOptions{Model: "FS-C2126MFP+", Family: FamilyKyoceraCCRX, SMTPTLS: SMTPTLSNone})
	b = newBrowser(t, d)
	b.post(kyLoginCGI, kyLoginForm("Admin", "Admin"))
	if _, page := b.get(kyEmailPage); strings.Contains(page, "SMTP Security") {
		t.Fatal("firmware without SMTP encryption shows SMTP Security")
	}

	d = startDevice(t, DeviceOptions{Model: "TASKalfa 3253ci", Family: FamilyKyoceraCCRX, Faults: Faults{AltLayout: true}})
	b = newBrowser(t, d)
	b.post(kyLoginCGI, kyLoginForm("Admin", "Admin"))
	_, page = b.get(kyEmailPage)
	if strings.Contains(page, "arg02_SmtpServerName") || !strings.Contains(page, "SMTP Server Name") {
		t.Fatal("AltLayout: same names, or labels gone")
	}
}
