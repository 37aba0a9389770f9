package sim

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func decodeJSON(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	return m
}

func vlLoginAs(t *testing.T, b *browser, user, pw string, usePost bool) (*http.Response, map[string]any) {
	t.Helper()
	var resp *http.Response
	var body string
	if usePost {
		req, _ := http.NewRequest(http.MethodPost, b.base+"/LOGIN.cmd", strings.NewReader(url.Values{"NAME": {b64(user)}, "PSW": {b64(pw)}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Referer", b.base+"/home/index.html")
		resp, body = b.do(req)
	} else {
		resp, body = b.get("/LOGIN.cmd?" + url.Values{"NAME": {b64(user)}, "PSW": {b64(pw)}}.Encode())
	}
	return resp, decodeJSON(t, body)
}

func TestVersaLinkLogin(t *testing.T) {
	d := startDevice(t, DeviceOptions{Model: "VersaLink C405", Family: FamilyVersaLink, Serial: "VLC123456", PasswordIsSerial: true, LockoutAfter: 2})
	b := newBrowser(t, d)
	resp, page := b.get("/")
	if resp.Request.URL.Path != "/home/index.html" || !strings.Contains(page, "/home/js/app.js") {
		t.Fatalf("/ led to %s", resp.Request.URL)
	}
	keys := []string{"errorCode", "globalIP", "koDefault", "passwordChangeRequired", "result", "snmpDefault"}
	shape := func(m map[string]any) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sortStrings(ks)
		return ks
	}
	resp, m := vlLoginAs(t, b, "admin", "1111", false)
	if m["result"] == "0" || m["errorCode"] == "0" || !reflect.DeepEqual(shape(m), keys) {
		t.Fatalf("wrong password answered %v", m)
	}
	if strings.Contains(resp.Header.Get("Set-Cookie"), "ssid=") {
		t.Fatal("a failed login set ssid")
	}
	if r, _ := b.get("/SMTP.cmd"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("SMTP.cmd without a session: %d", r.StatusCode)
	}
	resp, m = vlLoginAs(t, b, "admin", "VLC123456", true)
	if m["result"] != "0" || m["errorCode"] != "0" || m["passwordChangeRequired"] != "0" || !reflect.DeepEqual(shape(m), keys) {
		t.Fatalf("right password answered %v", m)
	}
	if !strings.Contains(resp.Header.Get("Set-Cookie"), "ssid=") {
		t.Fatalf("no ssid cookie: %q", resp.Header.Get("Set-Cookie"))
	}
	if r, body := b.get("/SMTP.cmd"); r.StatusCode != http.StatusOK || decodeJSON(t, body)["result"] != "0" {
		t.Fatalf("SMTP.cmd with a session: %d %s", r.StatusCode, body)
	}

	// Lock-out after two failures; the right password is then refused
	// with its own code until a power-cycle.
	vlLoginAs(t, b, "admin", "x", false)
	if !d.LockedOut() {
		t.Fatalf("not locked after %d failures", d.FailedLogins())
	}
	_, m = vlLoginAs(t, b, "admin", "VLC123456", false)
	if m["result"] != "1" || m["errorCode"] != "5" {
		t.Fatalf("locked device answered %v", m)
	}
	d.PowerCycle()
	if r, _ := b.get("/SMTP.cmd"); r.StatusCode != http.StatusUnauthorized {
		t.Fatal("a session survived the power-cycle")
	}
	if _, m = vlLoginAs(t, b, "admin", "VLC123456", false); m["result"] != "0" {
		t.Fatalf("after power-cycle: %v", m)
	}
}

func TestVersaLinkSMTPAndConnectionTest(t *testing.T) {
	gm := gmailStandin(t, 0)
	d := startDevice(t, DeviceOptions{Model: "VersaLink C405", Family: FamilyVersaLink, SMTPRoutes: routesTo(gm), SMTPRootCAs: gm.ClientTLS().RootCAs})
	b := newBrowser(t, d)
	vlLoginAs(t, b, "admin", "1111", true)
	set := func(v url.Values) map[string]any {
		t.Helper()
		_, body := b.post("/SETSMTP.cmd", v)
		return decodeJSON(t, body)
	}
	if m := set(url.Values{"SERVER": {"smtp.gmail.com"}, "PORT": {"465"}, "SECURITY": {"SSL"}, "AUTH": {"DEVICE"}, "LOGINNAME": {testAccount}, "PASSWORD": {testAppPassword}}); m["result"] != "0" {
		t.Fatalf("SETSMTP: %v", m)
	}
	// Without PASSWORD the stored one is kept.
	if m := set(url.Values{"SERVER": {"smtp.gmail.com"}, "PORT": {"465"}, "SECURITY": {"SSL"}, "AUTH": {"DEVICE"}, "LOGINNAME": {testAccount}}); m["result"] != "0" {
		t.Fatalf("SETSMTP: %v", m)
	}
	if !d.SMTPPasswordIs(testAppPassword) {
		t.Fatal("password lost by a save without PASSWORD")
	}
	if m := set(url.Values{"PASSWORD": {strings.Repeat("a", 65)}}); m["result"] != "1" {
		t.Fatal("a 65-character password was accepted")
	}
	if _, body := b.post("/SETEMAIL.cmd", url.Values{"FROM": {testAccount}}); decodeJSON(t, body)["result"] != "0" {
		t.Fatal(body)
	}
	_, body := b.get("/SMTP.cmd")
	if strings.Contains(body, testAppPassword) {
		t.Fatal("SMTP.cmd reveals the password")
	}
	if m := decodeJSON(t, body); m["SECURITY"] != "SSL" || m["PASSWORDSET"] != "1" || m["PORT"] != "465" {
		t.Fatalf("SMTP.cmd %v", m)
	}

	// The page's only check is the connection test: no mail is sent.
	_, body = b.post("/SMTPCONNTEST.cmd", url.Values{})
	if m := decodeJSON(t, body); m["result"] != "0" {
		t.Fatalf("SMTPCONNTEST: %v", m)
	}
	if ms := gm.Messages(); len(ms) != 0 {
		t.Fatalf("a connection test sent mail: %+v", ms)
	}
	if r, _ := b.post("/TESTMAIL.cmd", url.Values{"TO": {"x@gmail.com"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("TESTMAIL.cmd answers %d: the live page has no test e-mail", r.StatusCode)
	}
	to := "scans.demo+mfp-vl-1@gmail.com"
	if j := d.ScanToEmail(context.Background(), to); !j.OK {
		t.Fatalf("scan: %+v", j)
	}
	if subj := imapFind(t, gm, to); len(subj) != 1 {
		t.Fatalf("mailbox has %q", subj)
	}
	if ms := gm.Messages(); len(ms) != 1 || ms[0].Listener != "tls" || ms[0].AuthMech != "PLAIN" {
		t.Fatalf("stand-in saw %+v", ms)
	}

	// A wrong password: the connection test fails with Gmail's 535, and a
	// scan fails with fault 016-781 in the job log.
	if m := set(url.Values{"PASSWORD": {"wrongwrongwrongw"}}); m["result"] != "0" {
		t.Fatal(m)
	}
	_, body = b.post("/SMTPCONNTEST.cmd", url.Values{})
	if m := decodeJSON(t, body); m["result"] != "1" || !strings.Contains(m["message"].(string), "535") {
		t.Fatalf("failed SMTPCONNTEST: %v", m)
	}
	if j := d.ScanToEmail(context.Background(), to); j.OK || j.Fault != "016-781" {
		t.Fatalf("scan with a wrong password: %+v", j)
	}
	_, body = b.get("/JOBLOG.cmd")
	if !strings.Contains(body, "016-781") || !strings.Contains(body, "535") {
		t.Fatalf("job log:\n%s", body)
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
