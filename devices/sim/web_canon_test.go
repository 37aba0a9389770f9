package sim

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// noRedirect makes b return redirects instead of following them, as the
// public scripts' clients see them (HTTP::Tiny, Metasploit).
func noRedirect(b *browser) *browser {
	c := *b.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: b.t, c: &c, base: b.base}
}

func cookieOf(b *browser, name string) string {
	u, _ := url.Parse(b.base + "/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var reIToken = regexp.MustCompile(`name="iToken" value="([0-9]+)"`)
var reRPSToken = regexp.MustCompile(`name="Token" value="([0-9]+)"`)

func tokenOf(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no page token in %.300q", body)
	}
	return m[1]
}

// TestCanonMFLoginSequence replays the Perl Canon::MF42x::RemoteUI login
// (GET / for the language cookie, POST /checkLogin.cgi with
// i0012/i0014/i0016/errText): 302 to /portal_top.html; a wrong PIN is
// never that, and 5 of them lock the System Manager out.
func TestCanonMFLoginSequence(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "MF421dw", Family: FamilyCanonImageClass, AdminPassword: CanonDefaultPIN})
	b := noRedirect(newBrowser(t, d))
	resp, _ := b.get("/")
	if resp.StatusCode != http.StatusFound || cookieOf(b, "language") == "" {
		t.Fatalf("GET /: %d, language cookie %q; want 302 and the cookie", resp.StatusCode, cookieOf(b, "language"))
	}
	login := func(b *browser, id, pin string) *http.Response {
		resp, _ := b.post("/checkLogin.cgi", url.Values{"i0012": {"1"}, "i0014": {id}, "i0016": {pin}, "errText": {"Error!"}})
		return resp
	}
	for i := 1; i <= 4; i++ {
		resp := login(b, CanonSysMgrID, "1111111")
		if loc := resp.Header.Get("Location"); resp.StatusCode == http.StatusFound && strings.HasSuffix(loc, "/portal_top.html") {
			t.Fatalf("wrong PIN %d accepted", i)
		}
		_, body := newBrowserFrom(b).get("/login.html")
		_ = body
	}
	if d.FailedLogins() != 4 || d.LockedOut() {
		t.Fatalf("after 4 wrong PINs: failed %d locked %v", d.FailedLogins(), d.LockedOut())
	}
	// The wrong-PIN answer shows its error on the login page.
	resp = login(b, CanonSysMgrID, CanonDefaultPIN)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasSuffix(loc, "/portal_top.html") {
		t.Fatalf("right PIN: %d %q, want 302 to /portal_top.html", resp.StatusCode, loc)
	}
	if cookieOf(b, "sessionid") == "" {
		t.Fatal("no session cookie after login")
	}
	if resp, body := b.get("/portal_top.html"); resp.StatusCode != 200 || !strings.Contains(body, "Remote UI: Portal") {
		t.Fatalf("portal: %d %.200q", resp.StatusCode, body)
	}
	if resp, _ := b.get("/logout.cgi"); resp.StatusCode != http.StatusFound {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/tx_email_ifax_edit.html"); resp.StatusCode != http.StatusFound {
		t.Fatalf("E-mail page after logout: %d, want a redirect to the login page", resp.StatusCode)
	}

	// Five failures in a row lock the System Manager, even with the right PIN.
	b2 := noRedirect(newBrowser(t, d))
	for range 5 {
		login(b2, CanonSysMgrID, "2222222")
	}
	if !d.LockedOut() {
		t.Fatal("not locked after 5 wrong PINs")
	}
	if resp := login(b2, CanonSysMgrID, CanonDefaultPIN); strings.HasSuffix(resp.Header.Get("Location"), "/portal_top.html") {
		t.Fatal("locked device accepted the right PIN")
	}
	_, body := newBrowserFrom(b2).get("/login.html")
	if !strings.Contains(body, "locked") {
		t.Errorf("login page after a locked login does not say so: %.300q", body)
	}
	d.PowerCycle()
	if resp := login(b2, CanonSysMgrID, CanonDefaultPIN); !strings.HasSuffix(resp.Header.Get("Location"), "/portal_top.html") {
		t.Fatal("power-cycle did not clear the lock-out")
	}
}

// newBrowserFrom follows redirects again with b's cookies.
func newBrowserFrom(b *browser) *browser {
	c := *b.c
	c.CheckRedirect = nil
	return &browser{t: b.t, c: &c, base: b.base}
}

// TestCanonMFPINOnlyLogin replays the Python script's login (i0012=1,
// i0017=2, i0019=, i2101=<PIN>), which follows the redirect and expects
// "Remote UI: Portal" on a 200.
func TestCanonMFPINOnlyLogin(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "MF644Cdw", Family: FamilyCanonImageClass, UI: UICanonPINOnly, AdminPassword: CanonDefaultPIN})
	b := newBrowser(t, d)
	resp, body := b.post("/checkLogin.cgi", url.Values{"i0012": {"1"}, "i0017": {"2"}, "i0019": {""}, "i2101": {CanonDefaultPIN}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Remote UI: Portal") {
		t.Fatalf("PIN-only login: %d %.200q", resp.StatusCode, body)
	}
	b2 := newBrowser(t, d)
	resp, body = b2.post("/checkLogin.cgi", url.Values{"i0012": {"1"}, "i0017": {"2"}, "i0019": {""}, "i2101": {"7654320"}})
	if strings.Contains(body, "Remote UI: Portal") || !strings.Contains(body, "incorrect") {
		t.Fatalf("wrong PIN: %d %.300q", resp.StatusCode, body)
	}
}

// TestCanonMFEmailRoundTrip writes the E-mail/I-Fax page as the Perl
// client does (iToken from the page, 0/1 checkboxes, i2160=1 + i2172 for
// the password), the port on the Port Number page, and sends a scan to
// the Gmail stand-in with what was saved.
func TestCanonMFEmailRoundTrip(t *testing.T) {
	gm := gmailStandin(t, 0)
	d := startDevice(t, DeviceOptions{Model: "MF421dw", Family: FamilyCanonImageClass, AdminPassword: CanonDefaultPIN, SMTPRoutes: routesTo(gm), SMTPRootCAs: gm.ClientTLS().RootCAs})
	b := noRedirect(newBrowser(t, d))
	b.post("/checkLogin.cgi", url.Values{"i0012": {"1"}, "i0014": {CanonSysMgrID}, "i0016": {CanonDefaultPIN}, "errText": {"Error!"}})
	_, page := b.get("/tx_email_ifax_edit.html")
	tok := tokenOf(t, reIToken, page)
	for _, id := range []string{"i2140A", "i2140B", "i2160B", "i2172", "i2180B"} {
		if !strings.Contains(page, `id="`+id+`"`) {
			t.Errorf("E-mail page lacks #%s", id)
		}
	}
	form := url.Values{
		"iToken": {tok}, "i2032": {"smtp.gmail.com"}, "i2042": {testAccount}, "i2052": {""}, "i2062": {""},
		"i2070": {"0"}, "i2090": {"0"}, "i2102": {"0"}, "i2120": {"0"}, "i2130": {"0"},
		"i2140": {"1"}, "i2152": {testAccount}, "i2160": {"1"}, "i2172": {testAppPassword},
		"i2180": {"1"}, "i2190": {"1"}, "i2200": {"0"}, "i2210": {"0"}, "i2220": {"0"}, "i2230": {"0"}, "errText": {"Error!"},
	}
	stale := url.Values{}
	for k, v := range form {
		stale[k] = v
	}
	stale.Set("iToken", "1234567890")
	b.post("/cgi/tx_email_ifax_edit.cgi", stale)
	if d.SMTP().Server != "" {
		t.Fatal("a post with a stale iToken was applied")
	}
	_, page = b.get("/tx_email_ifax_edit.html")
	form.Set("iToken", tokenOf(t, reIToken, page))
	if resp, _ := b.post("/cgi/tx_email_ifax_edit.cgi", form); resp.StatusCode != http.StatusFound {
		t.Fatalf("save: %d, want 302", resp.StatusCode)
	}
	got := d.SMTP()
	if got.Server != "smtp.gmail.com" || got.Auth != AuthSMTP || got.User != testAccount || got.Security != SecuritySTARTTLS || !d.SMTPPasswordIs(testAppPassword) {
		t.Fatalf("saved %+v", got)
	}
	// A browser posts hidden 0 and checkbox 1 together; no i2160 keeps the password.
	_, page = b.get("/tx_email_ifax_edit.html")
	if strings.Contains(page, testAppPassword) {
		t.Fatal("the E-mail page shows the stored SMTP password")
	}
	form.Set("iToken", tokenOf(t, reIToken, page))
	form["i2140"] = []string{"0", "1"}
	form.Set("i2160", "0")
	form.Del("i2172")
	b.post("/cgi/tx_email_ifax_edit.cgi", form)
	if d.SMTP().Auth != AuthSMTP || !d.SMTPPasswordIs(testAppPassword) {
		t.Fatalf("hidden+checkbox pair or kept password: %+v", d.SMTP())
	}
	// Port 587 on the Port Number Settings page.
	_, page = b.get("/m_network_port_edit.html")
	if resp, _ := b.post("/cgi/m_network_port_edit.cgi", url.Values{"iToken": {tokenOf(t, reIToken, page)}, "i2300": {"515"}, "i2310": {"587"}, "i2320": {"110"}}); resp.StatusCode != http.StatusFound {
		t.Fatalf("port save: %d", resp.StatusCode)
	}
	if d.SMTP().Port != 587 {
		t.Fatalf("port %d", d.SMTP().Port)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	to := "scans.demo+canon@gmail.com"
	if j := d.ScanToEmail(ctx, to); !j.OK || j.TLSVersion == "" {
		t.Fatalf("scan: %+v", j)
	}
	if subj := imapFind(t, gm, to); len(subj) != 1 {
		t.Fatalf("mailbox has %v for %s", subj, to)
	}
}

// TestCanonIRALoginSequence replays Metasploit's login (POST /login
// uri=%2f deptid password: a 30x with Location and a session cookie,
// then /rps/nativetop.cgi for the iR cookie), its refusal (no redirect)
// and nuclei's DX login (user_type_generic=true, Administrator; after
// the redirects a 200 with "Remote UI : Portal" and writeln('Log Out).
func TestCanonIRALoginSequence(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "iR-ADV C5535", Family: FamilyCanonIRAdvance, AdminPassword: CanonDefaultPIN})
	b := noRedirect(newBrowser(t, d))
	resp, _ := b.post("/login", url.Values{"uri": {"%2f"}, "deptid": {CanonSysMgrID}, "password": {"1234567"}})
	if resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusMovedPermanently {
		t.Fatalf("wrong PIN answered %d", resp.StatusCode)
	}
	resp, _ = b.post("/login", url.Values{"uri": {"%2f"}, "deptid": {CanonSysMgrID}, "password": {CanonDefaultPIN}})
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") == "" || cookieOf(b, "sessionid") == "" {
		t.Fatalf("login: %d %q cookie %q", resp.StatusCode, resp.Header.Get("Location"), cookieOf(b, "sessionid"))
	}
	if cookieOf(b, "iR") != "" {
		t.Fatal("iR cookie before nativetop.cgi")
	}
	if resp, _ := b.get("/rps/csmtp.cgi?Flag=Init_Data&PageFlag=c_smtp.tpl"); resp.StatusCode != http.StatusFound {
		t.Fatalf("/rps/ page without the iR cookie: %d, want a redirect", resp.StatusCode)
	}
	b.get("/rps/nativetop.cgi?RUIPNxBundle=&CorePGTAG=PGTAG_CONF_ENV_PAP&Dummy=1400782981064")
	if cookieOf(b, "iR") == "" {
		t.Fatal("no iR cookie after nativetop.cgi")
	}
	if resp, body := b.get("/rps/csmtp.cgi?Flag=Init_Data&PageFlag=c_smtp.tpl"); resp.StatusCode != 200 || !strings.Contains(body, `name="Token"`) {
		t.Fatalf("SMTP page: %d", resp.StatusCode)
	}

	dx := startDevice(t, DeviceOptions{Model: "iR-ADV DX C5840", Family: FamilyCanonIRAdvance, UI: UICanonUserAuth, AdminPassword: CanonDefaultPIN})
	bd := newBrowser(t, dx)
	resp, body := bd.post("/login", url.Values{"uri": {"/"}, "user_type_generic": {"true"}, "deptid": {CanonDXAdminUser}, "password": {CanonDefaultPIN}})
	if resp.StatusCode != 200 || !strings.Contains(body, "writeln('") || !strings.Contains(body, "Log Out") || !strings.Contains(body, "Remote UI : Portal") {
		t.Fatalf("DX login: %d %.300q", resp.StatusCode, body)
	}
	bd2 := newBrowser(t, dx)
	_, body = bd2.post("/login", url.Values{"uri": {"/"}, "deptid": {CanonSysMgrID}, "password": {CanonDefaultPIN}})
	if strings.Contains(body, "Remote UI : Portal") {
		t.Fatal("DX accepted the old-style System Manager login")
	}
}

// TestCanonIRASMTPRoundTrip saves the Communication Settings and the
// SMTP Send port with their Token and reads them back.
func TestCanonIRASMTPRoundTrip(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "iR-ADV C5535", Family: FamilyCanonIRAdvance, AdminPassword: CanonDefaultPIN})
	b := newBrowser(t, d)
	b.post("/login", url.Values{"uri": {"/"}, "deptid": {CanonSysMgrID}, "password": {CanonDefaultPIN}})
	b.get("/rps/nativetop.cgi?RUIPNxBundle=&CorePGTAG=PGTAG_CONF_ENV_PAP&Dummy=1")
	_, page := b.get("/rps/csmtp.cgi?Flag=Init_Data&PageFlag=c_smtp.tpl")
	form := url.Values{"PageFlag": {"c_smtp.tpl"}, "Flag": {"Exec_Data"}, "CoreNXAction": {"./csmtp.cgi"}, "CoreNXPage": {"c_smtp.tpl"}, "CoreNXFlag": {"Init_Data"},
		"Token": {tokenOf(t, reRPSToken, page)}, "SMTP_SERVER": {"smtp.gmail.com"}, "MAIL_ADDR": {testAccount}, "SMTP_AUTH": {"1"},
		"SMTP_USER": {testAccount}, "SMTP_PSWD_CHG": {"1"}, "SMTP_PSWD": {testAppPassword}, "SMTP_TLS": {"1"}, "SMTP_CERT": {"1"}}
	_, body := b.post("/rps/csmtp.cgi", form)
	if !strings.Contains(body, "applied") {
		t.Fatalf("save answer: %.300q", body)
	}
	if got := d.SMTP(); got.Server != "smtp.gmail.com" || got.Auth != AuthSMTP || got.Security != SecuritySTARTTLS || !d.SMTPPasswordIs(testAppPassword) {
		t.Fatalf("saved %+v", got)
	}
	if strings.Contains(body, testAppPassword) {
		t.Fatal("the page shows the SMTP password")
	}
	form.Set("Token", "1")
	form.Set("SMTP_SERVER", "evil.example")
	b.post("/rps/csmtp.cgi", form)
	if d.SMTP().Server != "smtp.gmail.com" {
		t.Fatal("stale Token applied")
	}
	_, page = b.get("/rps/cport.cgi?Flag=Init_Data&PageFlag=c_port.tpl")
	b.post("/rps/cport.cgi", url.Values{"Flag": {"Exec_Data"}, "Token": {tokenOf(t, reRPSToken, page)}, "SMTP_TX_PORT": {"587"}})
	if d.SMTP().Port != 587 {
		t.Fatalf("port %d", d.SMTP().Port)
	}
	// Another firmware's names (the AltLayout fault), same labels.
	d.SetFaults(Faults{AltLayout: true})
	_, page = b.get("/rps/csmtp.cgi?Flag=Init_Data&PageFlag=c_smtp.tpl")
	if strings.Contains(page, `name="SMTP_SERVER"`) || !strings.Contains(page, `name="smtpSrvAddr"`) || !strings.Contains(page, ">SMTP Server:<") {
		t.Fatalf("alt layout page: %.500q", page)
	}
	form = url.Values{"Flag": {"Exec_Data"}, "Token": {tokenOf(t, reRPSToken, page)}, "smtpSrvAddr": {"smtp.gmail.com"}, "mailAddress": {testAccount},
		"smtpAuthMode": {"1"}, "smtpAuthUser": {testAccount}, "smtpStartTls": {"1"}}
	b.post("/rps/csmtp.cgi", form)
	if got := d.SMTP(); got.Auth != AuthSMTP || got.Security != SecuritySTARTTLS || !d.SMTPPasswordIs(testAppPassword) {
		t.Fatalf("alt layout save: %+v", got)
	}
}
