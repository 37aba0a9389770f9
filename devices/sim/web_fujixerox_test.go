package sim

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func (b *browser) basic(method, path, user, pw string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if user != "" || pw != "" {
		req.SetBasicAuth(user, pw)
	}
	return b.do(req)
}

func TestFujiXeroxBasicAuthAndLockout(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "WorkCentre 6605", Family: FamilyFujiXerox, LockoutAfter: 3})
	b := newBrowser(t, d)
	resp, _ := b.basic(http.MethodGet, fxEmailPage, "", "", nil)
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic ") {
		t.Fatalf("no credentials: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if !strings.HasPrefix(resp.Header.Get("Server"), "EWS-NIC5/") {
		t.Fatalf("Server header %q", resp.Header.Get("Server"))
	}
	if d.FailedLogins() != 0 {
		t.Fatal("a request without credentials counted as a failed login")
	}
	resp, _ = b.basic(http.MethodGet, fxEmailPage, "admin", "1111", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("right password: %d", resp.StatusCode)
	}
	for i := 0; i < 3; i++ {
		if resp, _ = b.basic(http.MethodGet, fxEmailPage, "admin", "wrong", nil); i < 2 && resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", resp.StatusCode)
		}
	}
	if !d.LockedOut() {
		t.Fatal("not locked out")
	}
	resp, body := b.basic(http.MethodGet, fxEmailPage, "admin", "1111", nil)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "locked") {
		t.Fatalf("locked device, right password: %d %s", resp.StatusCode, body)
	}
	d.PowerCycle()
	if resp, _ = b.basic(http.MethodGet, fxEmailPage, "admin", "1111", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("after power-cycle: %d", resp.StatusCode)
	}
}

func TestFujiXeroxEmailSettings(t *testing.T) {
	gm := gmailStandin(t, 0)
	d := startDevice(t, DeviceOptions{Model: "WorkCentre 6015", Family: FamilyFujiXerox, SMTPRoutes: routesTo(gm)})
	b := newBrowser(t, d)
	_, page := b.basic(http.MethodGet, fxEmailPage, "admin", "1111", nil)
	for _, want := range []string{`action="/setting/setemail.htm"`, `name="104002"`, `name="104006"`, "Return Email Address", "SMTP Server Address", "SMTP Server Port Number", "Email Send Authentication", ">No Authentication<", ">POP before SMTP<", ">SMTP AUTH<", "Login Name", `maxlength="31"`, "SMTP Server Connection Status", "Refresh Status"} {
		if !strings.Contains(page, want) {
			t.Errorf("Email Settings page lacks %s", want)
		}
	}
	if strings.Contains(strings.ToLower(page), "test") {
		t.Error("the Fuji-Xerox-made page must have no test e-mail action")
	}
	f := fxLayouts[false]
	form := url.Values{f.From: {testAccount}, f.Server: {"smtp.gmail.com"}, f.Port: {"465"}, f.Auth: {"2"}, f.User: {testAccount}, f.Password: {strings.Repeat("p", 32)}}
	if _, body := b.basic(http.MethodPost, "/setting/setemail.htm", "admin", "1111", form); !strings.Contains(body, "31 characters") || d.SMTP().Server != "" {
		t.Fatalf("a 32-character password was accepted:\n%s", body)
	}
	form.Set(f.Password, testAppPassword)
	if _, body := b.basic(http.MethodPost, "/setting/setemail.htm", "admin", "1111", form); !strings.Contains(body, "applied") {
		t.Fatal(body)
	}
	// An empty password field keeps the stored password.
	form.Set(f.Password, "")
	b.basic(http.MethodPost, "/setting/setemail.htm", "admin", "1111", form)
	if !d.SMTPPasswordIs(testAppPassword) {
		t.Fatal("an empty password field cleared the password")
	}
	_, page = b.basic(http.MethodGet, fxSSLPage, "admin", "1111", nil)
	if !strings.Contains(page, "SMTP - SSL/TLS Communication") || !strings.Contains(page, `name="102507"`) || !strings.Contains(page, `action="/setting/setssltlscomm.htm"`) {
		t.Fatalf("SSL/TLS page:\n%s", page)
	}
	b.basic(http.MethodPost, "/setting/setssltlscomm.htm", "admin", "1111", url.Values{f.Security: {"2"}})
	if s := d.SMTP(); s.Security != SecurityTLS || s.Port != 465 || s.Auth != AuthSMTP {
		t.Fatalf("settings %+v", s)
	}
	resp, page := b.basic(http.MethodPost, "/setting/smtpstatus.htm", "admin", "1111", url.Values{})
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<td id="smtpStatus">Connected</td>`) {
		t.Fatalf("connection status:\n%s", page)
	}
	if len(gm.Messages()) != 0 {
		t.Fatal("the status check sent a message")
	}

	// The simulator's control: a scan to e-mail.
	to := "scans.demo+mfp-fx-1@gmail.com"
	resp, body := b.basic(http.MethodPost, "/_sim/scan?to="+url.QueryEscape(to), "", "", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"ok": true`) {
		t.Fatalf("/_sim/scan: %d %s", resp.StatusCode, body)
	}
	if subj := imapFind(t, gm, to); len(subj) != 1 {
		t.Fatalf("mailbox has %q", subj)
	}
	if _, hist := b.basic(http.MethodGet, fxJobsPage, "admin", "1111", nil); !strings.Contains(hist, "Scan to Email") {
		t.Fatalf("job history:\n%s", hist)
	}

	// Wrong password: the status says so.
	wrong := "wrongwrongwrongw"
	s := d.SMTP()
	d.SetSMTP(s, &wrong)
	_, page = b.basic(http.MethodPost, "/setting/smtpstatus.htm", "admin", "1111", url.Values{})
	if !strings.Contains(page, "Connection Error") || !strings.Contains(page, "535") {
		t.Fatalf("connection status with a wrong password:\n%s", page)
	}
	if j := d.ScanToEmail(context.Background(), to); j.OK {
		t.Fatal("scan with a wrong password succeeded")
	}
}
