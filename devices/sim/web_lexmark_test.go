package sim

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// lexClient speaks the webglue API as the public tools do (PaperCut's
// mxb468_passback, Lexmark's MFPSecurity): JSON over form posts, the
// session's cookies set from the login reply.
type lexClient struct {
	*browser
	key string
}

func newLexClient(t *testing.T, d *Device) *lexClient { return &lexClient{browser: newBrowser(t, d)} }

func (c *lexClient) req(method, path string, form url.Values) (*http.Response, map[string]any) {
	c.t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	req.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
	if c.key != "" {
		req.Header.Set("X-CSRF-Token", c.key)
	}
	resp, text := c.do(req)
	var m map[string]any
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		c.t.Fatalf("%s %s: not JSON (%d): %s", method, path, resp.StatusCode, text)
	}
	return resp, m
}

// login posts session/create with the built-in admin password method
// (authtype 2, as the XM3350's own page does) and sets the cookies.
func (c *lexClient) login(pw string) map[string]any {
	c.t.Helper()
	data, _ := json.Marshal(map[string]any{"authtype": 2, "authId": -1, "creds": map[string]string{"password": pw}})
	_, m := c.req(http.MethodPost, "/webglue/session/create", url.Values{"data": {string(data)}})
	if k, _ := m["sessionKey"].(string); k != "" {
		c.key = k
		u, _ := url.Parse(c.base)
		c.c.Jar.SetCookies(u, []*http.Cookie{{Name: "sessionId", Value: m["sessionId"].(string)}, {Name: "sessionKey", Value: k}})
	}
	return m
}

var reLexSetting = regexp.MustCompile(`id="setting_(\d+)" name="(\w+)"[^>]*?(?: value="([^"]*)")?>`)

// email reads the E-mail settings page: setting id → value, and id →
// the JSON key a save posts.
func (c *lexClient) email() (values, keys map[string]string, html string) {
	c.t.Helper()
	resp, m := c.req(http.MethodGet, "/webglue/content?c=%2FSettings%2FEmail&lang=en", nil)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("e-mail page: %d %v", resp.StatusCode, m)
	}
	html, _ = m["html"].(string)
	values, keys = map[string]string{}, map[string]string{}
	for _, g := range reLexSetting.FindAllStringSubmatch(html, -1) {
		values[g[1]], keys[g[1]] = g[3], g[2]
	}
	for _, id := range []string{"17072", "16528"} {
		if re := regexp.MustCompile(`id="setting_` + id + `"[^>]*>(?s:.*?)<option value="(\d)" selected`); re.MatchString(html) {
			values[id] = re.FindStringSubmatch(html)[1]
		}
	}
	return values, keys, html
}

func (c *lexClient) save(data map[string]any) (*http.Response, map[string]any) {
	c.t.Helper()
	b, _ := json.Marshal(data)
	return c.req(http.MethodPost, "/webglue/content", url.Values{"c": {"Email"}, "lang": {"en"}, "data": {string(b)}})
}

func lexGmail(port int, tls string) map[string]any {
	return map[string]any{
		"EmailPrimarySmtpGateway": "smtp.gmail.com", "EmailPrimarySmtpGatewayPort": port,
		"EmailUseSslTls": tls, "EmailSmtpServerAuthentication": "1",
		"EmailDeviceUserid": testAccount, "EmailDevicePassword": testAppPassword, "EmailReplyAddress": testAccount,
	}
}

// TestLexmarkFactoryStateIsOpen: a factory-fresh device lists no login
// method and lets anyone read and save the e-mail settings and run the
// test, the request sequence PaperCut's module sends to an MX-B468F.
func TestLexmarkFactoryStateIsOpen(t *testing.T) {
	gm := gmailStandin(t, tls.VersionTLS12)
	d := startDevice(t, DeviceOptions{Model: "MX-B468F", Family: FamilyLexmarkWebglue, SMTPRoutes: routesTo(gm), SMTPRootCAs: gm.ClientTLS().RootCAs})
	c := newLexClient(t, d)
	_, lm := c.req(http.MethodGet, "/webglue/rawcontent?c=LoginMethod&lang=en", nil)
	if lms := lm["LOGIN_METHODS_WITH_CREDS"].(map[string]any)["lms"].([]any); len(lms) != 0 {
		t.Fatalf("factory device lists login methods %v", lms)
	}
	v, keys, _ := c.email()
	if v["16510"] != "" || v["16511"] != "25" || v["17072"] != "0" || v["16528"] != "0" {
		t.Fatalf("factory e-mail settings %v", v)
	}
	if keys["16510"] != "EmailPrimarySmtpGateway" || keys["16511"] != "EmailPrimarySmtpGatewayPort" || keys["17072"] != "EmailUseSslTls" {
		t.Fatalf("keys %v", keys)
	}
	resp, rep := c.save(lexGmail(587, "2"))
	if resp.StatusCode != 200 || rep["EmailPrimarySmtpGateway"].(map[string]any)["status"].(float64) != 0 {
		t.Fatalf("save: %d %v", resp.StatusCode, rep)
	}
	st := d.SMTP()
	if st.Server != "smtp.gmail.com" || st.Port != 587 || st.Security != SecuritySTARTTLS || st.Auth != AuthSMTP || st.User != testAccount || !d.SMTPPasswordIs(testAppPassword) {
		t.Fatalf("device holds %+v", st)
	}
	v, _, html := c.email()
	if v["17072"] != "2" || v["16528"] != "1" || v["16526"] != testAccount || v["16515"] != testAccount {
		t.Fatalf("read back %v", v)
	}
	if strings.Contains(html, testAppPassword) {
		t.Fatal("the e-mail page shows the stored password")
	}
	to := strings.Replace(testAccount, "@", "+lexmark-test@", 1)
	_, tr := c.req(http.MethodGet, "/webglue/testSMTPFromEmail?sendToAddr="+url.QueryEscape(to), nil)
	if tr["status"].(float64) != 0 {
		t.Fatalf("test: %v", tr)
	}
	if subj := imapFind(t, gm, to); len(subj) != 1 || !strings.Contains(subj[0], "MX-B468F") {
		t.Fatalf("mailbox has %v", subj)
	}
}

// TestLexmarkRequiredOn465IsImplicitTLS: "Required" is implicit TLS on
// 465 (the test e-mail goes through the stand-in's SMTPS port); a save
// without the password keeps the stored one; Negotiate reads as
// opportunistic STARTTLS.
func TestLexmarkRequiredOn465IsImplicitTLS(t *testing.T) {
	gm := gmailStandin(t, tls.VersionTLS12)
	d := startDevice(t, DeviceOptions{Model: "MX622adhe", Family: FamilyLexmarkWebglue, SMTPRoutes: routesTo(gm), SMTPRootCAs: gm.ClientTLS().RootCAs})
	c := newLexClient(t, d)
	c.save(lexGmail(465, "2"))
	if st := d.SMTP(); st.Security != SecurityTLS || st.Port != 465 {
		t.Fatalf("device holds %+v", st)
	}
	if j := d.TestEmail(context.Background(), "scans+465@gmail.com"); !j.OK || j.TLSVersion == "" {
		t.Fatalf("test over 465: %+v", j)
	}
	g := lexGmail(587, "1")
	delete(g, "EmailDevicePassword")
	c.save(g)
	if st := d.SMTP(); st.Security != SecuritySTARTTLSIfAvail || !d.SMTPPasswordIs(testAppPassword) {
		t.Fatalf("after a save without password: %+v", st)
	}
	_, rep := c.save(map[string]any{"EmailPrimarySmtpGatewayPort": 70000})
	if rep["EmailPrimarySmtpGatewayPort"].(map[string]any)["status"].(float64) == 0 || d.SMTP().Port != 587 {
		t.Fatalf("a bad port was saved: %v", rep)
	}
}

// TestLexmarkSecuredLogin: a device with an admin password answers the
// XM3350's shapes: one Password method, a refused login as status 0 with
// an error and no key, 401 on reads without a session; a good login
// gives a session whose key writes need; destroy ends it. Three wrong
// passwords lock the admin out even for the right one.
func TestLexmarkSecuredLogin(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "CX725", Family: FamilyLexmarkWebglue, AdminPassword: "Right-Pass-1"})
	c := newLexClient(t, d)
	_, lm := c.req(http.MethodGet, "/webglue/rawcontent?c=LoginMethod&lang=en", nil)
	lms := lm["LOGIN_METHODS_WITH_CREDS"].(map[string]any)["lms"].([]any)
	if len(lms) != 1 || lms[0].(map[string]any)["lmtype"].(float64) != 2 {
		t.Fatalf("login methods %v", lms)
	}
	if resp, _ := c.req(http.MethodGet, "/webglue/content?c=%2FSettings%2FEmail&lang=en", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("e-mail page without a session: %d", resp.StatusCode)
	}
	m := c.login("wrong-1")
	if m["status"].(float64) != 0 || m["error"] == nil || m["sessionKey"] != nil {
		t.Fatalf("refused login answered %v", m)
	}
	if d.FailedLogins() != 1 {
		t.Fatalf("failed logins %d", d.FailedLogins())
	}
	m = c.login("Right-Pass-1")
	if m["sessionKey"] == nil || m["error"] != nil {
		t.Fatalf("login: %v", m)
	}
	c.email()
	// A write without the session's key is refused.
	key := c.key
	c.key = ""
	u, _ := url.Parse(c.base)
	c.c.Jar.SetCookies(u, []*http.Cookie{{Name: "sessionKey", Value: "x"}})
	if resp, _ := c.save(lexGmail(587, "2")); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("save without the key: %d", resp.StatusCode)
	}
	c.key = key
	if resp, _ := c.save(lexGmail(587, "2")); resp.StatusCode != 200 || d.SMTP().Server != "smtp.gmail.com" {
		t.Fatalf("save with the key: %d", resp.StatusCode)
	}
	if resp, _ := c.req(http.MethodPost, "/webglue/session/destroy", url.Values{}); resp.StatusCode != 200 {
		t.Fatalf("destroy: %d", resp.StatusCode)
	}
	if resp, _ := c.req(http.MethodGet, "/webglue/content?c=%2FSettings%2FEmail&lang=en", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("e-mail page after destroy: %d", resp.StatusCode)
	}
	// The failed count was not reset by the good login (Login
	// Restrictions count failures in a time frame); two more lock.
	c2 := newLexClient(t, d)
	c2.login("wrong-2")
	c2.login("wrong-3")
	if !d.LockedOut() {
		t.Fatalf("not locked after %d failures", d.FailedLogins())
	}
	m = c2.login("Right-Pass-1")
	if m["sessionKey"] != nil || !strings.Contains(m["error"].(string), "locked") {
		t.Fatalf("locked device answered %v", m)
	}
	// The lock-out ends after its window: pretend it began long ago.
	d.lex().mu.Lock()
	d.lex().lockedAt = time.Now().Add(-lexLockoutWindow - time.Second)
	d.lex().mu.Unlock()
	if m = c2.login("Right-Pass-1"); m["sessionKey"] == nil {
		t.Fatalf("after the lock-out window: %v", m)
	}
}

// TestLexmarkTestHangsWhileTheDeviceTries: the test request answers only
// when the SMTP conversation ends (here: a server that never answers,
// bounded by the device's SMTP timeout), with the device's error.
func TestLexmarkTestHangsWhileTheDeviceTries(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "MX622adhe", Family: FamilyLexmarkWebglue, SMTPTimeout: 2 * time.Second,
		SMTPRoutes: map[string]string{"smtp.gmail.com:587": "127.0.0.1:9"}})
	c := newLexClient(t, d)
	c.save(lexGmail(587, "2"))
	_, tr := c.req(http.MethodGet, "/webglue/testSMTPFromEmail?sendToAddr=a%40b.example", nil)
	if tr["status"].(float64) == 0 || !strings.Contains(tr["error"].(string), "failed") {
		t.Fatalf("test against a dead server: %v", tr)
	}
	if j := d.Jobs(); len(j) != 1 || j[0].OK {
		t.Fatalf("jobs %+v", j)
	}
}

// TestLexmarkNoEncryptionFirmware: firmware without SMTP encryption has
// no Use SSL/TLS setting and refuses the key.
func TestLexmarkNoEncryptionFirmware(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "MX622adhe", Family: FamilyLexmarkWebglue, SMTPTLS: SMTPTLSNone})
	c := newLexClient(t, d)
	if _, _, html := c.email(); strings.Contains(html, "Use SSL/TLS") {
		t.Fatal("the page offers SSL/TLS on firmware without it")
	}
	if _, rep := c.save(lexGmail(587, "2")); rep["EmailUseSslTls"].(map[string]any)["status"].(float64) == 0 {
		t.Fatalf("saved SSL/TLS: %v", rep)
	}
}
