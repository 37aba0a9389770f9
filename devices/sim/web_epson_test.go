package sim

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var reEpsonToken = regexp.MustCompile(`name="INPUTT_SETUPTOKEN" value="([0-9a-f]+)"`)

func epsonToken(t *testing.T, body string) string {
	t.Helper()
	m := reEpsonToken.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no INPUTT_SETUPTOKEN in page:\n%s", body)
	}
	return m[1]
}

// epsonLogin posts the login exactly as the public certificate-upload
// script does (no page fetched first, no token).
func epsonLogin(b *browser, user, pw string) (*http.Response, string) {
	return b.post("/PRESENTATION/ADVANCED/PASSWORD/SET", url.Values{
		"INPUTT_USERNAME": {user}, "access": {"https"}, "INPUTT_PASSWORD": {pw},
		"INPUTT_ACCSESSMETHOD": {"0"}, "INPUTT_DUMMY": {""},
	})
}

func epsonDevice(t *testing.T, o DeviceOptions) *Device {
	t.Helper()
	if o.Model == "" {
		o.Model = "WF-C879R"
	}
	o.Family = FamilyEpsonWebConfig
	return startDevice(t, o)
}

func TestEpsonLoginSequence(t *testing.T) {
	d := epsonDevice(t, DeviceOptions{Serial: "X3HN012345", LockoutAfter: 3})
	if d.DefaultAdminPassword() != "X3HN012345" {
		t.Fatalf("factory password %q, want the serial", d.DefaultAdminPassword())
	}
	b := newBrowser(t, d)
	// The login form is served where printmaster looks for it.
	for _, p := range []string{"/PRESENTATION/ADVANCED/PASSWORD", "/PRESENTATION/ADVANCED/PASSWORD/TOP"} {
		if resp, body := b.get(p); resp.StatusCode != 200 || !strings.Contains(body, `action="/PRESENTATION/ADVANCED/PASSWORD/SET"`) || !strings.Contains(body, `name="INPUTT_PASSWORD"`) {
			t.Fatalf("GET %s: %d\n%s", p, resp.StatusCode, body)
		}
	}
	// Wrong password: 200, the login page again with the reason, counted.
	resp, body := epsonLogin(b, "", "wrong-one")
	if resp.StatusCode != 200 || !strings.Contains(body, epsonMsgBad) || d.FailedLogins() != 1 {
		t.Fatalf("wrong password: %d failed=%d\n%s", resp.StatusCode, d.FailedLogins(), body)
	}
	// A user name on a device whose admin has none fails too.
	if _, body := epsonLogin(b, "admin", "X3HN012345"); !strings.Contains(body, epsonMsgBad) {
		t.Fatalf("user admin accepted:\n%s", body)
	}
	// Admin pages need the session.
	if _, body := b.get(epsonMailPage); !strings.Contains(body, `name="INPUTT_PASSWORD"`) || strings.Contains(body, "SMTP Server Address") {
		t.Fatalf("mail page without login:\n%s", body)
	}
	resp, body = epsonLogin(b, "", "X3HN012345")
	if resp.StatusCode != 200 || !strings.Contains(body, "Administrator Logout") {
		t.Fatalf("login: %d\n%s", resp.StatusCode, body)
	}
	u, _ := url.Parse(d.HTTPSURL())
	if cs := b.c.Jar.Cookies(u); len(cs) != 1 || cs[0].Name != epsonCookie {
		t.Fatalf("cookies after login: %v", cs)
	}
	if _, body := b.get(epsonMailPage); !strings.Contains(body, "SMTP Server Address") {
		t.Fatalf("mail page after login:\n%s", body)
	}
	// Single admin session: a second client is busy, not a failed login,
	// whatever password it sends.
	other := newBrowser(t, d)
	before := d.FailedLogins()
	for _, pw := range []string{"X3HN012345", "wrong-two"} {
		if _, body := epsonLogin(other, "", pw); !strings.Contains(body, epsonMsgBusy) {
			t.Fatalf("second admin (%s): not busy\n%s", pw, body)
		}
	}
	if d.FailedLogins() != before {
		t.Fatalf("busy logins counted as failures: %d → %d", before, d.FailedLogins())
	}
	// Logout frees it.
	b.get(epsonLogoutPage)
	if _, body := epsonLogin(other, "", "X3HN012345"); !strings.Contains(body, "Administrator Logout") {
		t.Fatalf("login after logout:\n%s", body)
	}
	other.get(epsonLogoutPage)
	// Lock-out after 3 failures: even the right password is refused
	// until a power-cycle.
	for i := 0; i < 2; i++ {
		epsonLogin(b, "", "wrong")
	}
	if !d.LockedOut() {
		t.Fatalf("not locked after %d failures", d.FailedLogins())
	}
	if _, body := epsonLogin(b, "", "X3HN012345"); !strings.Contains(body, epsonMsgLocked) {
		t.Fatalf("locked device:\n%s", body)
	}
	d.PowerCycle()
	if _, body := epsonLogin(b, "", "X3HN012345"); !strings.Contains(body, "Administrator Logout") {
		t.Fatalf("login after power-cycle:\n%s", body)
	}
}

func TestEpsonHTTPSForced(t *testing.T) {
	d := epsonDevice(t, DeviceOptions{})
	c := &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} // loopback simulator
	resp, err := c.Get(d.HTTPURL() + epsonLoginPage)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || loc != d.HTTPSURL()+epsonLoginPage {
		t.Fatalf("plain HTTP: %d %q", resp.StatusCode, loc)
	}
}

// TestEpsonMailRoundTrip: the mail server page round-trips, the setup
// token is single-use, the password limit holds, and the connection test
// reaches the Gmail stand-in (STARTTLS, AUTH) without sending mail; a
// scan then delivers for real.
func TestEpsonMailRoundTrip(t *testing.T) {
	gm := gmailStandin(t, tls.VersionTLS12)
	d := epsonDevice(t, DeviceOptions{Serial: "X3HN000777", SMTPRoutes: routesTo(gm), SMTPRootCAs: gm.ClientTLS().RootCAs})
	b := newBrowser(t, d)
	if _, body := epsonLogin(b, "", "X3HN000777"); !strings.Contains(body, "Administrator Logout") {
		t.Fatalf("login:\n%s", body)
	}
	f := epsonLayouts[false]
	_, page := b.get(epsonMailPage)
	tok := epsonToken(t, page)
	form := url.Values{"INPUTT_SETUPTOKEN": {tok}, f.Auth: {epsonAuthSMTP}, f.Account: {testAccount}, f.Password: {testAppPassword},
		f.From: {testAccount}, f.Server: {"smtp.gmail.com"}, f.Port: {"587"}, f.Security: {epsonSecStart}}
	if _, body := b.post(epsonMailSet, form); !strings.Contains(body, "Setup complete") {
		t.Fatalf("save:\n%s", body)
	}
	st := d.SMTP()
	if st.Server != "smtp.gmail.com" || st.Port != 587 || st.Security != SecuritySTARTTLS || st.Auth != AuthSMTP || st.User != testAccount || st.From != testAccount || !d.SMTPPasswordIs(testAppPassword) {
		t.Fatalf("device holds %+v", st)
	}
	// The token was used: a replay is refused and changes nothing.
	form.Set(f.Port, "465")
	if _, body := b.post(epsonMailSet, form); !strings.Contains(body, epsonMsgToken) || d.SMTP().Port != 587 {
		t.Fatalf("replayed token:\n%s", body)
	}
	// The page reads back what was saved, never the password.
	_, page = b.get(epsonMailPage)
	if !strings.Contains(page, `value="smtp.gmail.com"`) || !strings.Contains(page, `value="STARTTLS" selected`) || !strings.Contains(page, `value="SMTPAUTH" selected`) || strings.Contains(page, testAppPassword) {
		t.Fatalf("read back:\n%s", page)
	}
	// An empty password keeps the stored one; 21 characters are refused.
	form = url.Values{"INPUTT_SETUPTOKEN": {epsonToken(t, page)}, f.Password: {""}, f.Port: {"465"}, f.Security: {epsonSecTLS}}
	if _, body := b.post(epsonMailSet, form); !strings.Contains(body, "Setup complete") || !d.SMTPPasswordIs(testAppPassword) || d.SMTP().Security != SecurityTLS {
		t.Fatalf("keep password:\n%s", body)
	}
	_, page = b.get(epsonMailPage)
	form = url.Values{"INPUTT_SETUPTOKEN": {epsonToken(t, page)}, f.Password: {strings.Repeat("x", 21)}}
	if _, body := b.post(epsonMailSet, form); !strings.Contains(body, "0 to 20 characters") || !d.SMTPPasswordIs(testAppPassword) {
		t.Fatalf("21 characters:\n%s", body)
	}
	// POP before SMTP cannot be encrypted.
	_, page = b.get(epsonMailPage)
	form = url.Values{"INPUTT_SETUPTOKEN": {epsonToken(t, page)}, f.Auth: {epsonAuthPOP}}
	if _, body := b.post(epsonMailSet, form); !strings.Contains(body, "POP before SMTP") || d.SMTP().Auth != AuthSMTP {
		t.Fatalf("POP before SMTP with SSL/TLS:\n%s", body)
	}
	// Connection test over 465: logs in, sends nothing.
	_, page = b.get(epsonTestPage)
	if _, body := b.post(epsonTestSet, url.Values{"INPUTT_SETUPTOKEN": {epsonToken(t, page)}}); !strings.Contains(body, "Connection test was successful.") {
		t.Fatalf("connection test:\n%s", body)
	}
	if n := len(gm.Messages()); n != 0 {
		t.Fatalf("connection test sent %d messages", n)
	}
	// A scan delivers with those settings, over IMAP too.
	to := strings.Replace(testAccount, "@", "+x3hn000777@", 1)
	if j := d.ScanToEmail(context.Background(), to); !j.OK {
		t.Fatalf("scan: %+v", j)
	}
	if subj := imapFind(t, gm, to); len(subj) != 1 {
		t.Fatalf("IMAP finds %v", subj)
	}
	// A wrong app password fails the connection test with the server's
	// word.
	_, page = b.get(epsonMailPage)
	b.post(epsonMailSet, url.Values{"INPUTT_SETUPTOKEN": {epsonToken(t, page)}, f.Password: {"wrongwrongwrongw"}})
	_, page = b.get(epsonTestPage)
	if _, body := b.post(epsonTestSet, url.Values{"INPUTT_SETUPTOKEN": {epsonToken(t, page)}}); !strings.Contains(body, "Connection test failed.") || !strings.Contains(body, "535") {
		t.Fatalf("connection test with a wrong password:\n%s", body)
	}
}

// TestEpsonNoEncryptionFirmware: firmware without SMTP encryption has no
// Secure Connection item and refuses one posted anyway.
func TestEpsonNoEncryptionFirmware(t *testing.T) {
	d := epsonDevice(t, DeviceOptions{Serial: "X3HN000888", SMTPTLS: SMTPTLSNone})
	b := newBrowser(t, d)
	epsonLogin(b, "", "X3HN000888")
	_, page := b.get(epsonMailPage)
	if strings.Contains(page, "Secure Connection") {
		t.Fatalf("page offers Secure Connection:\n%s", page)
	}
	f := epsonLayouts[false]
	if _, body := b.post(epsonMailSet, url.Values{"INPUTT_SETUPTOKEN": {epsonToken(t, page)}, f.Security: {epsonSecStart}}); strings.Contains(body, "Setup complete") {
		t.Fatalf("accepted a security:\n%s", body)
	}
}
