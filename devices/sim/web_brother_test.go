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

	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

var reBrLoginBox = regexp.MustCompile(`<input type="password" id="LogBox" name="([^"]+)"`)

// brLoginAs runs the sequence a public script sends ([C]): GET
// /general/status.html (cookie), read the password box's generated name,
// POST it with loginurl, following redirects, and take an AuthCookie in
// the answer it ends on as success. It also checks that the cookie
// names an admin session.
func brLoginAs(t *testing.T, b *browser, d *Device, pw string) (*http.Response, string, bool) {
	t.Helper()
	resp, body := b.get(brStatus)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status page: %d", resp.StatusCode)
	}
	m := reBrLoginBox.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no LogBox on the status page:\n%s", body)
	}
	resp, body = b.post(brStatus, url.Values{m[1]: {pw}, "loginurl": {brStatus}})
	for _, c := range resp.Cookies() {
		if c.Name == brAuthName && c.Value != "" {
			if !d.isAdmin(d.lookupSession(c.Value)) {
				t.Fatalf("AuthCookie %q names no admin session", c.Name)
			}
			return resp, body, true
		}
	}
	return resp, body, false
}

func TestBrotherLogin(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "MFC-L3780CDW", Family: FamilyBrotherWBM, UI: UIBrotherLabel, Serial: "E81234A3N123456"})
	b := newBrowser(t, d)
	// The factory password is the label's, not initpass.
	if _, body, ok := brLoginAs(t, b, d, "initpass"); ok || !strings.Contains(body, "Wrong password") {
		t.Fatalf("initpass on a label-password device: admin=%v, page:\n%s", ok, body)
	}
	if d.FailedLogins() != 1 {
		t.Fatalf("failed logins = %d, want 1", d.FailedLogins())
	}
	_, body, ok := brLoginAs(t, b, d, BrotherLabelPassword(d.Serial()))
	if !ok {
		t.Fatalf("label password refused:\n%s", body)
	}
	if !strings.Contains(body, "Logout") {
		t.Fatalf("after login the page has no Logout:\n%s", body)
	}
	// Admin pages need the cookie; logging out ends the session.
	if resp, _ := b.get(brSMTP); resp.Request.URL.Path != brSMTP {
		t.Fatalf("SMTP page led to %s", resp.Request.URL.Path)
	}
	_, body = b.get(brStatus)
	b.post(brLogout, url.Values{"CSRFToken": {csrfOf(t, body)}})
	if resp, _ := b.get(brSMTP); resp.Request.URL.Path != brStatus {
		t.Fatalf("after logout the SMTP page led to %s, want the status page", resp.Request.URL.Path)
	}
}

func TestBrotherAltLayoutLoginName(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "MFC-L3780CDW", Family: FamilyBrotherWBM, AdminPassword: "initpass", Faults: Faults{AltLayout: true}})
	b := newBrowser(t, d)
	// The old model's name is no password on this firmware.
	b.get(brStatus)
	b.post(brStatus, url.Values{"B12a1": {"initpass"}, "loginurl": {brStatus}})
	if _, _, ok := brLoginAs(t, b, d, "initpass"); !ok {
		t.Fatal("the page's own login name was refused")
	}
	if d.FailedLogins() != 1 {
		t.Fatalf("failed logins = %d, want 1 (the wrong name)", d.FailedLogins())
	}
}

func TestBrotherLockout(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "MFC-L3780CDW", Family: FamilyBrotherWBM, AdminPassword: "right-one", LockoutAfter: 3})
	b := newBrowser(t, d)
	for i := 0; i < 3; i++ {
		brLoginAs(t, b, d, "wrong")
	}
	if _, body, ok := brLoginAs(t, b, d, "right-one"); ok || !strings.Contains(body, "locked") {
		t.Fatalf("locked device: admin=%v, page:\n%s", ok, body)
	}
	d.PowerCycle()
	if _, _, ok := brLoginAs(t, b, d, "right-one"); !ok {
		t.Fatal("after a power-cycle the right password is refused")
	}
}

var reBrValue = func(name string) *regexp.Regexp {
	return regexp.MustCompile(`name="` + name + `" value="([^"]*)"`)
}

func TestBrotherSMTPRoundTripAndTest(t *testing.T) {
	gm := gmailStandin(t, tls.VersionTLS12)
	d := startDevice(t, DeviceOptions{Model: "MFC-L3780CDW", Family: FamilyBrotherWBM, AdminPassword: "pw-1",
		SMTPRoutes: routesTo(gm), SMTPRootCAs: gm.ClientTLS().RootCAs})
	b := newBrowser(t, d)
	if _, _, ok := brLoginAs(t, b, d, "pw-1"); !ok {
		t.Fatal("login refused")
	}
	f := d.brFields()
	_, body := b.get(brSMTP)
	tok := csrfOf(t, body)
	form := url.Values{"CSRFToken": {tok}, "pageid": {brSMTPPageID},
		f.Server: {"smtp.gmail.com"}, f.Port: {"465"}, f.Auth: {brAuthSMTP}, f.User: {testAccount},
		f.Password: {testAppPassword}, f.Security: {brSecSSL}, f.Verify: {"1"}, f.From: {testAccount}}
	// A stale token is rejected and saves nothing.
	stale := url.Values{}
	for k, v := range form {
		stale[k] = v
	}
	stale.Set("CSRFToken", "0123")
	if _, body := b.post(brSMTP, stale); !regexp.MustCompile(`<div[^>]*>[^<]*rejected`).MatchString(body) {
		t.Fatalf("stale CSRFToken not rejected:\n%s", body)
	}
	if d.SMTP().Server != "" {
		t.Fatal("a rejected form was saved")
	}
	_, body = b.post(brSMTP, form)
	if !strings.Contains(body, "saved") {
		t.Fatalf("save: %s", body)
	}
	s := d.SMTP()
	if s.Server != "smtp.gmail.com" || s.Port != 465 || s.Security != SecurityTLS || s.Auth != AuthSMTP || s.User != testAccount || !s.ValidateCert || !d.SMTPPasswordIs(testAppPassword) {
		t.Fatalf("saved %+v", s)
	}
	// The page shows the settings back, never the password.
	if m := reBrValue(f.Server).FindStringSubmatch(body); m == nil || m[1] != "smtp.gmail.com" {
		t.Fatalf("server not shown back:\n%s", body)
	}
	if strings.Contains(body, testAppPassword) {
		t.Fatal("the SMTP page shows the stored password")
	}
	// An empty Account Password keeps the stored one.
	form.Set("CSRFToken", csrfOf(t, body))
	form.Set(f.Password, "")
	form.Set(f.Port, "587")
	form.Set(f.Security, brSecTLS)
	b.post(brSMTP, form)
	if s := d.SMTP(); s.Port != 587 || s.Security != SecuritySTARTTLS || !d.SMTPPasswordIs(testAppPassword) {
		t.Fatalf("after an empty password: %+v", s)
	}
	// Test Send E-mail sends a real message through the stand-in.
	_, body = b.get(brTest)
	to := "scans.demo+brother@gmail.com"
	_, body = b.post(brTest, url.Values{"CSRFToken": {csrfOf(t, body)}, "pageid": {brTestPageID}, f.TestTo: {to}})
	if !strings.Contains(body, "Test OK") {
		t.Fatalf("test result:\n%s", body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := gm.WaitMessage(ctx, func(m standin.Message) bool { return strings.Contains(strings.Join(m.Rcpt, ","), to) }); err != nil {
		t.Fatalf("test e-mail not in the stand-in: %v", err)
	}
}

func TestBrotherNoTLSFirmware(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "MFC-8890DW", Family: FamilyBrotherWBM, AdminPassword: "access", SMTPTLS: SMTPTLSNone})
	b := newBrowser(t, d)
	if _, _, ok := brLoginAs(t, b, d, "access"); !ok {
		t.Fatal("login refused")
	}
	_, body := b.get(brSMTP)
	if strings.Contains(body, ">SSL/TLS<") {
		t.Fatal("a print server without SMTP encryption shows SSL/TLS")
	}
	f := d.brFields()
	_, body = b.post(brSMTP, url.Values{"CSRFToken": {csrfOf(t, body)}, "pageid": {brSMTPPageID}, f.Security: {brSecSSL}})
	if !strings.Contains(body, "rejected") {
		t.Fatalf("SSL on a no-TLS print server not rejected:\n%s", body)
	}
}
