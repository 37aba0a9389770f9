package sim

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// ckLogin loads the login page and posts the form as a browser would.
func ckLoginAs(t *testing.T, b *browser, f ckFields, user, pw string) (landing, body string) {
	t.Helper()
	resp, page := b.get(ckLoginPage)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login page: %d", resp.StatusCode)
	}
	form := url.Values{
		"_fun_function": {"HTTP_Authenticate_fn"},
		"NextPage":      {ckLuidPage},
		"frmaltDomain":  {"default"},
		"CSRFToken":     {csrfOf(t, page)},
		f.User:          {user},
		f.Password:      {pw},
	}
	resp, body = b.post("/userpost/xerox.set", form)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("xerox.set answered %d, want 200 (success and failure alike)", resp.StatusCode)
	}
	landing = redirectOf(t, body)
	_, body = b.get(landing)
	return landing, body
}

func TestConnectKeyLogin(t *testing.T) {
	cases := []struct {
		name, model    string
		serialPW       bool
		wantUser, want string
	}{
		{"workcentre 1111", "WorkCentre 7556", false, "webUsername", "1111"},
		{"altalink serial", "AltaLink C8045", true, "frmwebUsername", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := startDevice(t, DeviceOptions{Model: tc.model, Family: FamilyConnectKey, Serial: "3TB123456", PasswordIsSerial: tc.serialPW, LockoutAfter: 3})
			b := newBrowser(t, d)
			f := d.ckFields()
			if f.User != tc.wantUser {
				t.Fatalf("user field %q, want %q", f.User, tc.wantUser)
			}
			resp, page := b.get(ckLoginPage)
			if !strings.Contains(resp.Header.Get("Set-Cookie"), "PHPSESSID=") {
				t.Errorf("login page sets no PHPSESSID: %q", resp.Header.Get("Set-Cookie"))
			}
			for _, want := range []string{`action="/userpost/xerox.set"`, `value="HTTP_Authenticate_fn"`, `name="frmaltDomain" value="default"`, `name="` + f.User + `"`, `type="password" name="` + f.Password + `"`, ">User ID<", ">Password<"} {
				if !strings.Contains(page, want) {
					t.Errorf("login page lacks %s", want)
				}
			}
			right := tc.want
			if tc.serialPW {
				right = "3TB123456"
				// The serial is case-sensitive.
				if landing, _ := ckLoginAs(t, b, f, "admin", "3tb123456"); landing != ckLoginPage+"?invalid=t" {
					t.Fatalf("lower-case serial landed on %s", landing)
				}
			}
			landing, body := ckLoginAs(t, b, f, "admin", "wrong")
			if landing != ckLoginPage+"?invalid=t" || !strings.Contains(body, "incorrect") {
				t.Fatalf("wrong password landed on %s", landing)
			}
			if _, hdr := b.get("/header.php"); strings.Contains(hdr, "Logout") {
				t.Fatal("header shows Logout after a failed login")
			}
			if d.FailedLogins() == 0 || d.LockedOut() {
				t.Fatalf("failed=%d locked=%v", d.FailedLogins(), d.LockedOut())
			}
			landing, _ = ckLoginAs(t, b, f, "admin", right)
			if landing != ckLuidPage {
				t.Fatalf("right password landed on %s", landing)
			}
			if _, hdr := b.get("/header.php"); !strings.Contains(hdr, "Logout") {
				t.Fatalf("header.php has no Logout link after login:\n%s", hdr)
			}
			if resp, _ := b.get(ckSMTPGeneral); resp.Request.URL.Path != ckSMTPGeneral {
				t.Fatalf("SMTP page redirected to %s after login", resp.Request.URL)
			}
		})
	}
}

func TestConnectKeyLockoutAndPowerCycle(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "AltaLink C8070", Family: FamilyConnectKey, LockoutAfter: 3})
	b := newBrowser(t, d)
	f := d.ckFields()
	for i := 1; i <= 3; i++ {
		ckLoginAs(t, b, f, "admin", "nope")
		if d.FailedLogins() != i {
			t.Fatalf("after %d wrong passwords FailedLogins = %d", i, d.FailedLogins())
		}
	}
	if !d.LockedOut() {
		t.Fatal("not locked out after 3 failures")
	}
	landing, body := ckLoginAs(t, b, f, "admin", "1111")
	if landing != ckLoginPage+"?invalid=t" || !strings.Contains(body, "locked") {
		t.Fatalf("right password on a locked device landed on %s:\n%s", landing, body)
	}
	d.PowerCycle()
	if d.LockedOut() || d.FailedLogins() != 0 {
		t.Fatal("power-cycle did not clear the lock-out")
	}
	if landing, _ := ckLoginAs(t, b, f, "admin", "1111"); landing != ckLuidPage {
		t.Fatalf("after power-cycle the right password landed on %s", landing)
	}
}

func TestConnectKeyCSRF(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "WorkCentre 7556", Family: FamilyConnectKey})
	b := newBrowser(t, d)
	f := d.ckFields()
	b.get(ckLoginPage)
	for _, tok := range []string{"", "0123456789abcdef0123456789abcdef"} {
		resp, _ := b.post("/userpost/xerox.set", url.Values{
			"_fun_function": {"HTTP_Authenticate_fn"}, "NextPage": {ckLuidPage}, "frmaltDomain": {"default"},
			"CSRFToken": {tok}, f.User: {"admin"}, f.Password: {"1111"},
		})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("login with CSRFToken %q: %d, want 403", tok, resp.StatusCode)
		}
	}
	if d.FailedLogins() != 0 {
		t.Fatal("a refused CSRF counted as a login attempt")
	}
	ckLoginAs(t, b, f, "admin", "1111")
	resp, _ := b.post("/dummypost/xerox.set", url.Values{
		"_fun_function": {"HTTP_Set_Config_Attrib_fn"}, "NextPage": {ckSMTPGeneral}, f.Server: {"smtp.gmail.com"},
	})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("write without CSRFToken: %d, want 403", resp.StatusCode)
	}
	if d.SMTP().Server != "" {
		t.Fatal("write without CSRFToken was applied")
	}
}

// ckSave posts one SMTP tab as the browser would, with the page's token.
func ckSave(t *testing.T, b *browser, page string, fields url.Values) string {
	t.Helper()
	_, body := b.get(page)
	fields.Set("_fun_function", "HTTP_Set_Config_Attrib_fn")
	fields.Set("NextPage", page)
	fields.Set("CSRFToken", csrfOf(t, body))
	resp, body := b.post("/dummypost/xerox.set", fields)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	_, body = b.get(redirectOf(t, body))
	return body
}

func TestConnectKeySMTPPushAndTestEmail(t *testing.T) {
	gm := gmailStandin(t, 0)
	d := startDevice(t, DeviceOptions{Model: "AltaLink C8045", Family: FamilyConnectKey, SMTPRoutes: routesTo(gm), SMTPRootCAs: gm.ClientTLS().RootCAs})
	b := newBrowser(t, d)
	f := d.ckFields()
	ckLoginAs(t, b, f, "admin", "1111")

	_, page := b.get(ckSMTPGeneral)
	for _, label := range []string{">Server Address<", ">Outgoing SMTP Port Number<", ">Device Email<", ">General<", ">Security<", ">File Size Management<", ">Test Configuration<"} {
		if !strings.Contains(page, label) {
			t.Errorf("General tab lacks %s", label)
		}
	}
	body := ckSave(t, b, ckSMTPGeneral, url.Values{f.Server: {"smtp.gmail.com"}, f.Port: {"587"}, f.From: {testAccount}})
	if !strings.Contains(body, "Settings have been saved.") {
		t.Fatalf("no confirmation:\n%s", body)
	}
	_, page = b.get(ckSMTPSec)
	for _, label := range []string{">Connection Security<", ">No Encryption<", ">STARTTLS (If Available)<", ">STARTTLS<", ">SSL/TLS<", ">Validate Server Certificate<", ">Login Name<", ">Password<", ">Retype Password<", ">Select to save new password<", ">None<", ">Device<"} {
		if !strings.Contains(page, label) {
			t.Errorf("Security tab lacks %s", label)
		}
	}
	sec := url.Values{f.Security: {f.SecSTARTTLS}, f.Validate: {"1"}, f.AuthMode: {f.AuthDeviceV}, f.LoginName: {testAccount}}

	t.Run("password not saved without the checkbox", func(t *testing.T) {
		v := cloneValues(sec)
		v.Set(f.SMTPPassword, testAppPassword)
		v.Set(f.Retype, testAppPassword)
		ckSave(t, b, ckSMTPSec, v)
		if s := d.SMTP(); s.PasswordSet || s.User != testAccount || s.Security != SecuritySTARTTLS || !s.ValidateCert {
			t.Fatalf("settings %+v", s)
		}
	})
	t.Run("mismatched retype refused", func(t *testing.T) {
		v := cloneValues(sec)
		v.Set(f.SMTPPassword, testAppPassword)
		v.Set(f.Retype, "something-else")
		v.Set(f.SavePW, "1")
		body := ckSave(t, b, ckSMTPSec, v)
		if !strings.Contains(body, "do not match") || d.SMTP().PasswordSet {
			t.Fatal("a mismatched retype was saved")
		}
	})
	t.Run("password saved with the checkbox", func(t *testing.T) {
		v := cloneValues(sec)
		v.Set(f.SMTPPassword, testAppPassword)
		v.Set(f.Retype, testAppPassword)
		v.Set(f.SavePW, "1")
		ckSave(t, b, ckSMTPSec, v)
		if !d.SMTPPasswordIs(testAppPassword) {
			t.Fatal("password not stored")
		}
		// A later save without the box keeps it.
		ckSave(t, b, ckSMTPSec, cloneValues(sec))
		if !d.SMTPPasswordIs(testAppPassword) {
			t.Fatal("a save without the box lost the password")
		}
		if _, page := b.get(ckSMTPSec); strings.Contains(page, testAppPassword) {
			t.Fatal("the page shows the stored password")
		}
	})

	to := "scans.demo+mfp-3tb-1@gmail.com"
	_, page = b.get(ckSMTPTest)
	resp, body := b.post("/dummypost/xerox.set", url.Values{
		"_fun_function": {"HTTP_Send_Test_Email_fn"}, "NextPage": {ckSMTPTest}, "CSRFToken": {csrfOf(t, page)}, f.To: {to},
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("test email: %d", resp.StatusCode)
	}
	_, body = b.get(redirectOf(t, body))
	if !strings.Contains(body, "Test email sent successfully") {
		t.Fatalf("test page does not show success:\n%s", body)
	}
	jobs := d.Jobs()
	if len(jobs) != 1 || !jobs[0].OK || jobs[0].TLSVersion == "" {
		t.Fatalf("job log %+v", jobs)
	}
	if subj := imapFind(t, gm, to); len(subj) != 1 || !strings.Contains(subj[0], "AltaLink C8045") {
		t.Fatalf("mailbox has %q for %s", subj, to)
	}
	if _, hist := b.get(ckJobHistory); !strings.Contains(hist, "Completed") || !strings.Contains(html.UnescapeString(hist), to) {
		t.Fatalf("job history:\n%s", hist)
	}
	ms := gm.Messages()
	if len(ms) != 1 || ms[0].AuthMech != "LOGIN" || ms[0].AuthUser != testAccount {
		t.Fatalf("stand-in saw %+v", ms)
	}
}

func TestConnectKeySessionExpiry(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "WorkCentre 7556", Family: FamilyConnectKey, SessionTTL: 300 * time.Millisecond})
	b := newBrowser(t, d)
	ckLoginAs(t, b, d.ckFields(), "admin", "1111")
	time.Sleep(600 * time.Millisecond)
	resp, _ := b.get(ckSMTPGeneral)
	if resp.Request.URL.Path != ckLoginPage {
		t.Fatalf("expired session reached %s", resp.Request.URL)
	}
}

func TestConnectKeyFailedTestEmail(t *testing.T) {
	gm := gmailStandin(t, 0)
	d := startDevice(t, DeviceOptions{Model: "AltaLink C8045", Family: FamilyConnectKey, SMTPRoutes: routesTo(gm), SMTPRootCAs: gm.ClientTLS().RootCAs})
	s := gmailSettings(587)
	wrong := "zyxwvutsrqponmlk"
	d.SetSMTP(s, &wrong)
	j := d.TestEmail(context.Background(), testAccount)
	if j.OK || !strings.Contains(j.Result, "535 5.7.8") {
		t.Fatalf("job %+v, want a 535 5.7.8 failure", j)
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// TestHeaderLoginVariant: current ConnectKey firmware as the field
// captures show it: a VersaLink B415 serves the PHP tabs and a header
// login control (a <span> calling OpenLogin('stat')) and no login.php; a
// current AltaLink C8055 has a <button id="globalHeaderLoginBtn"> and a
// login.php that leads to the header page. The dialog's form logs in
// through /userpost/xerox.set; a refusal reopens it with the error.
func TestHeaderLoginVariant(t *testing.T) {
	for _, tc := range []struct {
		model, control, product string
		loginPHP                bool
	}{
		{"VersaLink B415", `<span id="globalHeaderLoginBtn" class="loginButton" onclick="OpenLogin('stat')">`, "VersaLink® B415 Multifunction Printer", false},
		{"AltaLink C8055", `<button id="globalHeaderLoginBtn" class="loginButton">`, "Xerox® AltaLink® C8055", true},
	} {
		t.Run(tc.model, func(t *testing.T) {
			d := startDevice(t, DeviceOptions{Model: tc.model, Family: FamilyConnectKey, UI: UIHeaderLogin, Serial: "3TX123456", LockoutAfter: 5})
			b := newBrowser(t, d)
			resp, page := b.get("/")
			if resp.Request.URL.Path != ckWelcomePage {
				t.Fatalf("/ lands on %s, want %s", resp.Request.URL.Path, ckWelcomePage)
			}
			page = html.UnescapeString(page)
			for _, want := range []string{tc.control, `<span id="productName">` + tc.product,
				`href="/properties/blank.php"`, `href="/jobs/active.php"`, `href="/scan/new_info.php"`, `href="/addressbook/viewContact.php"`, `href="/support/support.php"`,
				`id="generic-modal"`, `id="generic-confirm-modal-action-confirm-ok"`, `id="timeout-alert"`, `action="/userpost/xerox.set"`} {
				if !strings.Contains(page, want) {
					t.Errorf("welcome page lacks %s", want)
				}
			}
			resp, _ = b.get(ckLoginPage + "?redir=" + url.QueryEscape(ckSMTPGeneral))
			if tc.loginPHP {
				if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != ckWelcomePage {
					t.Errorf("login.php: %d at %s, want the header page", resp.StatusCode, resp.Request.URL)
				}
			} else if resp.StatusCode != http.StatusNotFound {
				t.Errorf("login.php answers %d on a %s, want 404", resp.StatusCode, tc.model)
			}
			if resp, _ := b.get(ckPropsPage); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s answers %d, want 404 (this firmware has %s)", ckPropsPage, resp.StatusCode, ckBlankPage)
			}
			f := d.ckFields()
			post := func(pw string) string {
				_, page := b.get(ckWelcomePage)
				resp, body := b.post("/userpost/xerox.set", url.Values{
					"_fun_function": {"HTTP_Authenticate_fn"}, "NextPage": {ckSMTPGeneral}, "frmaltDomain": {"default"},
					"CSRFToken": {csrfOf(t, page)}, f.User: {"admin"}, f.Password: {pw},
				})
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("xerox.set answered %d", resp.StatusCode)
				}
				return redirectOf(t, body)
			}
			next := post("wrong")
			if !strings.HasPrefix(next, ckWelcomePage+"?invalid=t") {
				t.Fatalf("refused login goes to %s", next)
			}
			if _, body := b.get(next); !strings.Contains(body, "incorrect") || !strings.Contains(body, "OpenLogin('stat');") {
				t.Errorf("refused login: the dialog does not reopen with the error")
			}
			if next := post("1111"); next != ckSMTPGeneral {
				t.Fatalf("login goes to %s, want %s", next, ckSMTPGeneral)
			}
			if _, body := b.get(ckSMTPGeneral); !strings.Contains(body, `id="globalHeaderLogoutBtn"`) || strings.Contains(body, `id="globalHeaderLoginBtn"`) {
				t.Errorf("logged in: the header shows no Log Out")
			}
		})
	}
}
