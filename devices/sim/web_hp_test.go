package sim

import (
	"crypto/tls"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// HP FutureSmart at the HTTP level: the request sequences public tools
// send to real devices (vendors-others.md, vendors-smtp-pages.md) get the
// answers those devices gave.

func hpBrowser(t *testing.T, d *Device) *browser {
	b := newBrowser(t, d)
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return b
}

// hpSignInForm is what nuclei's hp-printer-default-login and HP's own
// test code post ([C]).
func hpSignInForm(t *testing.T, b *browser, pw string) url.Values {
	t.Helper()
	resp, body := b.get(hpSignIn)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", hpSignIn, resp.StatusCode)
	}
	for _, id := range []string{`id="PasswordTextBox"`, `id="signInOk"`, `id="PinDropDown"`, `value="hp_EmbeddedPin_v1"`} {
		if !strings.Contains(body, id) {
			t.Fatalf("sign-in page lacks %s", id)
		}
	}
	return url.Values{"CSRFToken": {csrfOf(t, body)}, "agentIdSelect": {"hp_EmbeddedPin_v1"}, "PinDropDown": {"AdminItem"},
		"PasswordTextBox": {pw}, "signInOk": {"Sign In"}, "DomainDropDown": {""}, "UserNameTextBox": {""}}
}

func hpSignInAs(t *testing.T, b *browser, pw string) (*http.Response, string) {
	t.Helper()
	return b.post(hpSignIn, hpSignInForm(t, b, pw))
}

func hasCookie(b *browser, name string) bool {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name && c.Value != "" {
			return true
		}
	}
	return false
}

func TestHPSignIn(t *testing.T) {
	d := startDevice(t, DeviceOptions{Family: FamilyHPFutureSmart, Model: "LaserJet MFP M528"})
	b := hpBrowser(t, d)
	resp, _ := b.get("/")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("/ answers %d", resp.StatusCode)
	}
	// Admin pages send a visitor to the sign-in page.
	resp, _ = b.get(hpBasicSend)
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), hpSignIn) {
		t.Fatalf("BasicSend without sign-in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A wrong password: 200 with the sign-in page again.
	resp, body := hpSignInAs(t, b, "not-it")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="PasswordTextBox"`) || !strings.Contains(body, "incorrect") {
		t.Fatalf("wrong password: %d\n%s", resp.StatusCode, body)
	}
	if !hasCookie(b, hpCookie) {
		t.Fatalf("no %s cookie", hpCookie)
	}
	if d.FailedLogins() != 1 {
		t.Errorf("failed logins %d, want 1", d.FailedLogins())
	}
	// The factory password is blank: 302 away from SignIn.
	resp, _ = hpSignInAs(t, b, "")
	if resp.StatusCode != http.StatusFound || strings.Contains(resp.Header.Get("Location"), "SignIn") {
		t.Fatalf("blank password: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body = b.get(hpBasicSend)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="EwsLogoff"`) || !strings.Contains(body, `id="menuTabs"`) || !strings.Contains(body, `id="FormButtonAddSmtpServer"`) {
		t.Fatalf("Email Setup after sign-in: %d\n%s", resp.StatusCode, body)
	}
	// Sign out ends the session.
	b.get(hpSignOut)
	if resp, _ := b.get(hpBasicSend); resp.StatusCode != http.StatusFound {
		t.Errorf("after sign-out Email Setup answers %d", resp.StatusCode)
	}
}

func TestHPSingleSession(t *testing.T) {
	d := startDevice(t, DeviceOptions{Family: FamilyHPFutureSmart, Model: "LaserJet MFP M528"})
	a, b := hpBrowser(t, d), hpBrowser(t, d)
	if resp, _ := hpSignInAs(t, a, ""); resp.StatusCode != http.StatusFound {
		t.Fatalf("first admin: %d", resp.StatusCode)
	}
	// A second admin: 409, with the right or a wrong password, never a
	// counted failure.
	for _, pw := range []string{"", "wrong"} {
		resp, body := hpSignInAs(t, b, pw)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Another administrator") {
			t.Fatalf("second admin (%q): %d\n%s", pw, resp.StatusCode, body)
		}
	}
	if d.FailedLogins() != 0 {
		t.Errorf("busy sign-ins counted %d failures", d.FailedLogins())
	}
	a.get(hpSignOut)
	if resp, _ := hpSignInAs(t, b, ""); resp.StatusCode != http.StatusFound {
		t.Fatalf("after the first signed out: %d", resp.StatusCode)
	}
}

func TestHPLockout(t *testing.T) {
	d := startDevice(t, DeviceOptions{Family: FamilyHPFutureSmart, Model: "LaserJet MFP M528", AdminPassword: "Right-1", LockoutAfter: 3})
	b := hpBrowser(t, d)
	for range 3 {
		hpSignInAs(t, b, "wrong")
	}
	if !d.LockedOut() {
		t.Fatal("not locked after 3 failures")
	}
	resp, body := hpSignInAs(t, b, "Right-1")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "locked out") {
		t.Fatalf("locked device, right password: %d\n%s", resp.StatusCode, body)
	}
	d.PowerCycle()
	b = hpBrowser(t, d)
	if resp, _ := hpSignInAs(t, b, "Right-1"); resp.StatusCode != http.StatusFound {
		t.Fatalf("after a power-cycle: %d", resp.StatusCode)
	}
}

func TestHPLabelPIN(t *testing.T) {
	d := startDevice(t, DeviceOptions{Family: FamilyHPFutureSmart, UI: UIHPLabelPIN, Model: "Color LaserJet MFP E57540", Serial: "CNBRR12345"})
	pin := HPLabelPIN("CNBRR12345")
	if len(pin) != 8 || pin == HPLabelPIN("CNBRR12346") {
		t.Fatalf("PIN %q", pin)
	}
	b := hpBrowser(t, d)
	if resp, _ := hpSignInAs(t, b, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("blank password on PIN firmware: %d", resp.StatusCode)
	}
	if resp, _ := hpSignInAs(t, b, pin); resp.StatusCode != http.StatusFound {
		t.Fatalf("label PIN: %d", resp.StatusCode)
	}
}

func TestHPCSRF(t *testing.T) {
	d := startDevice(t, DeviceOptions{Family: FamilyHPFutureSmart, Model: "LaserJet MFP M528"})
	b := hpBrowser(t, d)
	f := hpSignInForm(t, b, "")
	f.Set("CSRFToken", "0000")
	if resp, _ := b.post(hpSignIn, f); resp.StatusCode != http.StatusOK || d.FailedLogins() != 0 {
		t.Fatalf("sign-in with a wrong token: %d, %d failures", resp.StatusCode, d.FailedLogins())
	}
	hpSignInAs(t, b, "")
	_, page := b.get(hpBasicSend)
	old := csrfOf(t, page)
	b.get(hpBasicSend) // a fresh token per page
	resp, _ := b.post(hpBasicSave, url.Values{"CSRFToken": {old}, "FormButtonSubmit": {"Apply"}, "EmailFromAddress": {"x@example.com"}})
	if resp.StatusCode != http.StatusForbidden || d.SMTP().From != "" {
		t.Fatalf("save with the previous page's token: %d, from %q", resp.StatusCode, d.SMTP().From)
	}
}

// hpWizardStep posts one wizard step with the current page's token and
// returns the next page.
func hpWizardStep(t *testing.T, b *browser, fields url.Values, button string) string {
	t.Helper()
	_, page := b.get(hpWizard)
	fields.Set("CSRFToken", csrfOf(t, page))
	m := reWizStep.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no wizard step on\n%s", page)
	}
	fields.Set("WizardStep", m[1])
	fields.Set(button, "x")
	resp, _ := b.post(hpWizardSave, fields)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("wizard %s: %d", button, resp.StatusCode)
	}
	_, page = b.get(strings.TrimPrefix(resp.Header.Get("Location"), b.base))
	return page
}

func TestHPSMTPWizard(t *testing.T) {
	gm := gmailStandin(t, tls.VersionTLS12)
	for _, port := range []int{587, 465} {
		t.Run(map[int]string{587: "587", 465: "465"}[port], func(t *testing.T) {
			d := startDevice(t, DeviceOptions{Family: FamilyHPFutureSmart, Model: "LaserJet MFP M528",
				SMTPRoutes: routesTo(gm), SMTPRootCAs: gm.ClientTLS().RootCAs})
			b := hpBrowser(t, d)
			hpSignInAs(t, b, "")
			_, page := b.get(hpBasicSend)
			resp, _ := b.post(hpBasicSave, url.Values{"CSRFToken": {csrfOf(t, page)}, "FormButtonAddSmtpServer": {"Add..."}})
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != hpWizard {
				t.Fatalf("Add: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			page = hpWizardStep(t, b, url.Values{"SmtpServerName": {"smtp.gmail.com"}}, "FormButtonNext")
			if !strings.Contains(page, "Enable SMTP SSL Protocol") {
				t.Fatalf("step 2:\n%s", page)
			}
			hpWizardStep(t, b, url.Values{"SmtpPort": {map[int]string{587: "587", 465: "465"}[port]}, "SmtpSslEnabled": {"on"}}, "FormButtonNext")
			hpWizardStep(t, b, url.Values{"SmtpAuthentication": {"on"}, "SmtpCredentials": {"1"}, "SmtpUserName": {testAccount}, "SmtpPassword": {testAppPassword}}, "FormButtonNext")
			page = hpWizardStep(t, b, url.Values{"SmtpUsageScanToEmail": {"on"}}, "FormButtonNext")
			if !strings.Contains(page, "Summary and Test") || strings.Contains(page, testAppPassword) {
				t.Fatalf("summary:\n%s", page)
			}
			to := "scans.demo+hp" + map[int]string{587: "587", 465: "465"}[port] + "@gmail.com"
			page = hpWizardStep(t, b, url.Values{"SmtpTestEmailAddress": {to}}, "FormButtonTest")
			if !strings.Contains(page, "Test succeeded") {
				t.Fatalf("test:\n%s", page)
			}
			if subj := imapFind(t, gm, to); len(subj) != 1 || !strings.Contains(subj[0], "HP") {
				t.Fatalf("mailbox holds %q for %s", subj, to)
			}
			if d.SMTP().Server != "" {
				t.Fatalf("the test saved the settings: %+v", d.SMTP())
			}
			hpWizardStep(t, b, url.Values{}, "FormButtonFinish")
			want := gmailSettings(port)
			want.From, want.ValidateCert = "", false
			if got := d.SMTP(); got.Server != want.Server || got.Port != port || got.Security != want.Security || got.Auth != AuthSMTP || got.User != testAccount {
				t.Fatalf("device holds %+v, want %+v", got, want)
			}
			if !d.SMTPPasswordIs(testAppPassword) {
				t.Fatal("app password not stored")
			}
			// Email Setup lists the server; the sender is saved there.
			_, page = b.get(hpBasicSend)
			if !strings.Contains(page, `id="SmtpServerName_0"`) || !strings.Contains(page, "smtp.gmail.com") {
				t.Fatalf("server row missing:\n%s", page)
			}
			resp, _ = b.post(hpBasicSave, url.Values{"CSRFToken": {csrfOf(t, page)}, "EmailEnabled": {"on"}, "EmailFromAddress": {testAccount}, "FormButtonSubmit": {"Apply"}})
			if resp.StatusCode != http.StatusFound || d.SMTP().From != testAccount {
				t.Fatalf("Apply: %d from %q", resp.StatusCode, d.SMTP().From)
			}
			// Editing without typing a password keeps the stored one.
			_, page = b.get(hpBasicSend)
			b.post(hpBasicSave, url.Values{"CSRFToken": {csrfOf(t, page)}, "SmtpServerSelection": {"0"}, "FormButtonEditSmtpServer": {"Edit..."}})
			for range 4 {
				hpWizardStep(t, b, url.Values{"SmtpServerName": {"smtp.gmail.com"}, "SmtpPort": {map[int]string{587: "587", 465: "465"}[port]}, "SmtpSslEnabled": {"on"},
					"SmtpAuthentication": {"on"}, "SmtpCredentials": {"1"}, "SmtpUserName": {testAccount}, "SmtpUsageScanToEmail": {"on"}}, "FormButtonNext")
			}
			hpWizardStep(t, b, url.Values{}, "FormButtonFinish")
			if !d.SMTPPasswordIs(testAppPassword) {
				t.Fatal("editing without a password dropped the stored one")
			}
			if j := d.ScanToEmail(t.Context(), "scans.demo+scan@gmail.com"); !j.OK {
				t.Fatalf("scan after the wizard: %+v", j)
			}
		})
	}
}

func TestHPNoEncryptionFirmware(t *testing.T) {
	d := startDevice(t, DeviceOptions{Family: FamilyHPFutureSmart, Model: "LaserJet MFP M528", SMTPTLS: SMTPTLSNone})
	b := hpBrowser(t, d)
	hpSignInAs(t, b, "")
	_, page := b.get(hpBasicSend)
	b.post(hpBasicSave, url.Values{"CSRFToken": {csrfOf(t, page)}, "FormButtonAddSmtpServer": {"Add..."}})
	page = hpWizardStep(t, b, url.Values{"SmtpServerName": {"smtp.gmail.com"}}, "FormButtonNext")
	if strings.Contains(page, "SSL") && strings.Contains(page, `type="checkbox"`) {
		t.Fatalf("firmware without SMTP encryption offers an SSL checkbox:\n%s", page)
	}
}

var reWizStep = regexp.MustCompile(`name="WizardStep" value="(\d)"`)
