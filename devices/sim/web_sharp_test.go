package sim

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// sharpClient posts as the public Sharp scripts do: a cookie jar for
// MFPSESSIONID, redirects not followed.
type sharpClient struct {
	t    *testing.T
	c    *http.Client
	base string
}

func newSharpClient(t *testing.T, d *Device) *sharpClient {
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, DisableKeepAlives: true} // loopback sim, self-signed
	t.Cleanup(tr.CloseIdleConnections)
	return &sharpClient{t: t, base: d.HTTPSURL(), c: &http.Client{Jar: jar, Transport: tr, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *sharpClient) do(method, path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var reToken2 = regexp.MustCompile(`name="token2" value="([0-9a-f]+)"`)

func (c *sharpClient) token(path string) string {
	c.t.Helper()
	_, body := c.do(http.MethodGet, path, nil)
	m := reToken2.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no token2 on %s:\n%s", path, body)
	}
	return m[1]
}

const sharpSMTPPath = "/nw_service_smtp.html"

// loginB is variant (b), as the MX-2640N script posts it.
func (c *sharpClient) loginB(pw string) (*http.Response, string) {
	tok := c.token("/login.html?" + sharpSMTPPath)
	return c.do(http.MethodPost, "/login.html?"+sharpSMTPPath, url.Values{"ggt_textbox(10002)": {"admin"}, "ggt_textbox(10003)": {pw},
		"ggt_select(10004)": {"0"}, "action": {"loginbtn"}, "token2": {tok}, "ordinate": {"0"}, "ggt_hidden(10008)": {"0"}})
}

func TestSharpLoginVariants(t *testing.T) {
	// (b) MX-2640N: 302 to main.html.
	d := startDevice(t, DeviceOptions{Model: "MX-2640N", Family: FamilySharpMX})
	c := newSharpClient(t, d)
	if resp, _ := c.loginB("admin"); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/main.html" {
		t.Fatalf("variant b: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := c.do(http.MethodGet, sharpSMTPPath, nil); resp.StatusCode != 200 || !strings.Contains(body, "Primary Server") {
		t.Fatalf("SMTP page after login: %d", resp.StatusCode)
	}

	// (a) MX-M6071: role 3 + password, 302 to the target.
	d = startDevice(t, DeviceOptions{Model: "MX-M6071", Family: FamilySharpMX, UI: UISharpRole})
	c = newSharpClient(t, d)
	tok := c.token("/login.html?" + sharpSMTPPath)
	resp, _ := c.do(http.MethodPost, "/login.html?"+sharpSMTPPath, url.Values{"ggt_select(10009)": {"3"}, "ggt_textbox(10003)": {"admin"},
		"action": {"loginbtn"}, "token2": {tok}, "ordinate": {"0"}, "ggt_hidden(10008)": {"5"}})
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != sharpSMTPPath {
		t.Fatalf("variant a: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := c.do(http.MethodGet, sharpSMTPPath, nil); !strings.Contains(body, `name="ggt_textbox(31)"`) {
		t.Fatal("variant a firmware should serve its own ids")
	}

	// (c) newer UI: adminloginbtn, then the password, a fresh token2 each time.
	d = startDevice(t, DeviceOptions{Model: "BP-70C45", Family: FamilySharpMX, UI: UISharpAdminLogin})
	c = newSharpClient(t, d)
	tok = c.token("/login.html")
	_, body := c.do(http.MethodPost, "/login.html", url.Values{"action": {"adminloginbtn"}, "ggt_hidden(10008)": {"2"}, "token2": {tok}, "ordinate": {"0"}})
	m := reToken2.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "ggt_textbox(10006)") {
		t.Fatalf("variant c step 1: %s", body)
	}
	// The first token is stale now.
	if _, body := c.do(http.MethodPost, "/login.html", url.Values{"action": {"loginbtn"}, "ggt_textbox(10006)": {"admin"}, "ggt_hidden(10008)": {"3"}, "token2": {tok}}); strings.Contains(body, "Machine Identification") {
		t.Fatal("a stale token2 logged in")
	}
	if d.FailedLogins() != 0 {
		t.Fatal("a stale token counted as a failed login")
	}
	tok = c.token("/login.html")
	_, body = c.do(http.MethodPost, "/login.html", url.Values{"action": {"adminloginbtn"}, "ggt_hidden(10008)": {"2"}, "token2": {tok}})
	tok = reToken2.FindStringSubmatch(body)[1]
	_, body = c.do(http.MethodPost, "/login.html", url.Values{"action": {"loginbtn"}, "ggt_textbox(10006)": {"admin"}, "ggt_hidden(10008)": {"3"}, "token2": {tok}})
	if !strings.Contains(body, "Machine Identification") {
		t.Fatalf("variant c: %s", body)
	}
}

func TestSharpWrongPasswordAndLockout(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "MX-2640N", Family: FamilySharpMX, LockoutAfter: 3})
	c := newSharpClient(t, d)
	resp, body := c.loginB("wrong")
	if resp.StatusCode != 200 || !strings.Contains(body, sharpMsgBad) || d.FailedLogins() != 1 {
		t.Fatalf("wrong password: %d failed=%d", resp.StatusCode, d.FailedLogins())
	}
	c.loginB("wrong")
	c.loginB("wrong")
	if !d.LockedOut() {
		t.Fatal("not locked after 3 failures")
	}
	if _, body := c.loginB("admin"); !strings.Contains(body, sharpMsgLocked) {
		t.Fatal("locked device accepted the right password")
	}
	d.PowerCycle()
	c = newSharpClient(t, d)
	if resp, _ := c.loginB("admin"); resp.StatusCode != http.StatusFound {
		t.Fatal("power-cycle did not clear the lock-out")
	}
}

func TestSharpSMTPRoundTripAndTest(t *testing.T) {
	gm := gmailStandin(t, tls.VersionTLS12)
	d := startDevice(t, DeviceOptions{Model: "MX-2640N", Family: FamilySharpMX, SMTPRoutes: routesTo(gm), SMTPRootCAs: gm.ClientTLS().RootCAs})
	c := newSharpClient(t, d)
	if resp, _ := c.do(http.MethodGet, sharpSMTPPath, nil); resp.StatusCode != http.StatusFound {
		t.Fatal("SMTP page without login")
	}
	c.loginB("admin")
	form := func(pw, port string) url.Values {
		return url.Values{"token2": {c.token(sharpSMTPPath)}, "ordinate": {"0"}, "ggt_textbox(1)": {"smtp.gmail.com"}, "ggt_textbox(3)": {port},
			"ggt_textbox(4)": {"20"}, "ggt_textbox(5)": {testAccount}, "ggt_checkbox(6)": {"1"}, "ggt_textbox(7)": {testAccount},
			"ggt_textbox(8)": {pw}, "ggt_checkbox(22)": {"1"}}
	}
	// The test before saving uses the posted values and saves nothing.
	f := form(testAppPassword, "587")
	f.Set("action", "testButton")
	if _, body := c.do(http.MethodPost, sharpSMTPPath, f); !strings.Contains(body, "Connection test succeeded") {
		t.Fatalf("test: %s", body)
	}
	if d.SMTP().Server != "" {
		t.Fatal("the connection test saved")
	}
	f = form("wrong-app-password", "587")
	f.Set("action", "testButton")
	if _, body := c.do(http.MethodPost, sharpSMTPPath, f); !strings.Contains(body, "Connection test failed") {
		t.Fatal("a wrong app password passed the test")
	}
	// A stale token2 saves nothing.
	f = form(testAppPassword, "465")
	f.Set("action", "submitbtn")
	stale := f.Get("token2")
	c.token(sharpSMTPPath)
	if _, body := c.do(http.MethodPost, sharpSMTPPath, f); !strings.Contains(body, sharpMsgToken) || d.SMTP().Server != "" {
		t.Fatal("stale token2 saved")
	}
	f = form(testAppPassword, "465")
	f.Set("action", "submitbtn")
	if _, body := c.do(http.MethodPost, sharpSMTPPath, f); !strings.Contains(body, "saved") {
		t.Fatalf("save: %s", body)
	}
	if f.Get("token2") == stale {
		t.Fatal("token2 not fresh per form")
	}
	st := d.SMTP()
	if st.Server != "smtp.gmail.com" || st.Port != 465 || st.Security != SecurityTLS || st.Auth != AuthSMTP || st.User != testAccount || !d.SMTPPasswordIs(testAppPassword) {
		t.Fatalf("device holds %+v", st)
	}
	// Read back: the password masked; posting the mask keeps it.
	_, page := c.do(http.MethodGet, sharpSMTPPath, nil)
	if strings.Contains(page, testAppPassword) || !strings.Contains(page, `value="`+sharpMask+`"`) {
		t.Fatal("read-back page shows the password or no mask")
	}
	f = form(sharpMask, "587")
	f.Set("action", "submitbtn")
	c.do(http.MethodPost, sharpSMTPPath, f)
	if st := d.SMTP(); st.Port != 587 || st.Security != SecuritySTARTTLS || !d.SMTPPasswordIs(testAppPassword) {
		t.Fatalf("after posting the mask: %+v", st)
	}
	// The test after saving, with the mask, tests the stored password.
	f = form(sharpMask, "587")
	f.Set("action", "testButton")
	if _, body := c.do(http.MethodPost, sharpSMTPPath, f); !strings.Contains(body, "Connection test succeeded") {
		t.Fatalf("test after save: %s", body)
	}
	to := "scans.demo+sharp@gmail.com"
	if j := d.ScanToEmail(context.Background(), to); !j.OK {
		t.Fatalf("scan: %+v", j)
	}
	if subj := imapFind(t, gm, to); len(subj) != 1 {
		t.Fatalf("mailbox has %d messages for %s", len(subj), to)
	}
	c.do(http.MethodGet, "/logout.html", nil)
	if resp, _ := c.do(http.MethodGet, sharpSMTPPath, nil); resp.StatusCode != http.StatusFound {
		t.Fatal("admin page after logout")
	}
}
