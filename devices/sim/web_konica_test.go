package sim

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var reKMToken = regexp.MustCompile(`name="h_token" value="([0-9a-f]+)"`)

func kmLoginAs(b *browser, pw string) string {
	b.t.Helper()
	_, body := b.post(kmLoginCG, url.Values{"func": {"PSL_LP1_LOG"}, "R_ADM": {"AdminAdmin"}, "username": {""}, "password": {pw}})
	return body
}

// The i-series login sequence a public tool sends ([C]): index.html for the
// ID cookie, login.cgi answering 200 with adm=AS_COU or an Err_ code; one
// admin session; three wrong passwords lock for a time window.
func TestKonicaISeriesLogin(t *testing.T) {
	old := kmLockWindow
	kmLockWindow = 300 * time.Millisecond
	t.Cleanup(func() { kmLockWindow = old })
	d := startDevice(t, DeviceOptions{Model: "bizhub C300i", Family: FamilyKonicaISeries, LockoutAfter: 3})
	a := newBrowser(t, d)
	if resp, _ := a.get(kmIndex); resp.StatusCode != http.StatusOK {
		t.Fatalf("index: %d", resp.StatusCode)
	}
	if body := kmLoginAs(a, "wrong"); !strings.Contains(body, `Code="Err_1">CommonLoginError`) {
		t.Fatalf("wrong password: %s", body)
	}
	if body := kmLoginAs(a, "1234567812345678"); !strings.Contains(body, `adm=AS_COU`) {
		t.Fatalf("right password: %s", body)
	}
	// A second client is refused as busy, not counted as a failed login.
	b := newBrowser(t, d)
	b.get(kmIndex)
	failed := d.FailedLogins()
	if body := kmLoginAs(b, "1234567812345678"); !strings.Contains(body, `Code="Err_2">AdminAnotherLoginError`) {
		t.Fatalf("second admin: %s", body)
	}
	if d.FailedLogins() != failed {
		t.Fatal("another admin's session counted as a failed login")
	}
	// Log out with the h_token, as the scripts do; b may then log in.
	_, home := a.get(kmHome)
	m := reKMToken.FindStringSubmatch(home)
	if m == nil {
		t.Fatalf("no h_token:\n%s", home)
	}
	if _, body := a.get(kmUserCG + "?func=PSL_ACO_LGO&h_token=" + m[1]); !strings.Contains(body, "Ok_1") {
		t.Fatalf("logout: %s", body)
	}
	if body := kmLoginAs(b, "1234567812345678"); !strings.Contains(body, `adm=AS_COU`) {
		t.Fatalf("after logout: %s", body)
	}
	b.post(kmUserCG, url.Values{"func": {"PSL_ACO_LGO"}})
	// Lock-out: the third failure locks, even the right password is refused,
	// and the lock ends with the window, without a power-cycle.
	kmLoginAs(b, "wrong")
	if body := kmLoginAs(b, "wrong"); !strings.Contains(body, "CommonLoginError") {
		t.Fatal(body)
	}
	if !d.LockedOut() {
		t.Fatal("three wrong passwords did not lock")
	}
	if body := kmLoginAs(b, "1234567812345678"); !strings.Contains(body, "AuthOperateProhibit") {
		t.Fatalf("locked: %s", body)
	}
	time.Sleep(kmLockWindow + 50*time.Millisecond)
	if body := kmLoginAs(b, "1234567812345678"); !strings.Contains(body, `adm=AS_COU`) {
		t.Fatalf("after the window: %s", body)
	}
}

// The classic E-mail TX page round-trip ([C] ids), the rotating h_token,
// the "password is changed" box and the test e-mail through the stand-in.
func TestKonicaClassicEmailTX(t *testing.T) {
	gm := gmailStandin(t, 0)
	d := startDevice(t, DeviceOptions{Model: "bizhub C458", Family: FamilyKonicaClassic, SMTPRoutes: routesTo(gm), SMTPRootCAs: gm.ClientTLS().RootCAs})
	b := newBrowser(t, d)
	if resp, body := b.get("/"); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="Admin_Pass"`) || !strings.Contains(body, `id="LP1_OK"`) {
		t.Fatalf("login page: %d\n%s", resp.StatusCode, body)
	}
	if resp, body := b.post(kmLoginCG, url.Values{"func": {"PSL_LP1_LOG"}, "R_ADM": {"AdminAdmin"}, "from": {"login.xml"}, "password": {"1234567812345678"}}); resp.Request.URL.Path != kmHome {
		t.Fatalf("browser login landed on %s\n%s", resp.Request.URL, body)
	}
	_, page := b.get(kmSend)
	for _, id := range []string{"AN_ESM_SMP", "AN_ESM_TSL", "AN_ESM_POR", "AN_ESM_MAI", "AN_ESM_SAU", "AN_ESM_USE", "AN_ESM_PAC", "AN_ESM_PAS", "Apply13", `value="StartTls"`} {
		if !strings.Contains(page, id) {
			t.Errorf("E-mail TX page lacks %s", id)
		}
	}
	tok := reKMToken.FindStringSubmatch(page)[1]
	form := url.Values{"func": {kmFuncSave}, "h_token": {tok}, "AN_ESM_SMP": {"smtp.gmail.com"}, "AN_ESM_TSL": {"Ssl"}, "AN_ESM_POR": {"465"},
		"AN_ESM_MAI": {testAccount}, "AN_ESM_SAU": {"on"}, "AN_ESM_USE": {testAccount}, "AN_ESM_PAS": {testAppPassword}}
	_, body := b.post(kmUserCG, form)
	if !strings.Contains(body, "Ok_1") {
		t.Fatal(body)
	}
	if d.SMTPPasswordIs(testAppPassword) {
		t.Fatal("the password was written without AN_ESM_PAC")
	}
	// The old h_token is spent.
	form.Set("AN_ESM_PAC", "on")
	if _, body = b.post(kmUserCG, form); !strings.Contains(body, "TokenError") {
		t.Fatalf("stale h_token: %s", body)
	}
	_, page = b.get(kmSend)
	form.Set("h_token", reKMToken.FindStringSubmatch(page)[1])
	if _, body = b.post(kmUserCG, form); !strings.Contains(body, "Ok_1") {
		t.Fatal(body)
	}
	if s := d.SMTP(); s.Server != "smtp.gmail.com" || s.Port != 465 || s.Security != SecurityTLS || s.Auth != AuthSMTP || !d.SMTPPasswordIs(testAppPassword) {
		t.Fatalf("settings %+v", s)
	}
	_, page = b.get(kmSend)
	if strings.Contains(page, testAppPassword) || !strings.Contains(page, `value="Ssl" selected`) {
		t.Fatalf("read-back page:\n%s", page)
	}
	to := "scans.demo+km-1@gmail.com"
	_, body = b.post(kmUserCG, url.Values{"func": {kmFuncTest}, "h_token": {reKMToken.FindStringSubmatch(page)[1]}, "AN_ESM_TAD": {to}})
	if !strings.Contains(body, "Ok_1") {
		t.Fatalf("test: %s", body)
	}
	if subj := imapFind(t, gm, to); len(subj) != 1 {
		t.Fatalf("mailbox has %q", subj)
	}
}
