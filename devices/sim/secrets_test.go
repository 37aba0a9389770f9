package sim

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSecretsStayOut pushes the app password into each family and sends
// a test e-mail, with debug logging on, then reads every page, JSON
// endpoint, the job log, the device's state and the logs: none may hold
// the app password or the admin password.
func TestSecretsStayOut(t *testing.T) {
	gm := gmailStandin(t, 0)
	const adminPW = "Adm1nSecretPw"
	for _, fam := range []string{FamilyConnectKey, FamilyVersaLink, FamilyFujiXerox} {
		t.Run(fam, func(t *testing.T) {
			var logs syncBuffer
			d := startDevice(t, DeviceOptions{Model: "AltaLink C8045", Family: fam, AdminPassword: adminPW,
				SMTPRoutes: routesTo(gm), SMTPRootCAs: gm.ClientTLS().RootCAs,
				Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
			b := newBrowser(t, d)
			var pages []string
			get := func(path string) {
				req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
				req.SetBasicAuth("admin", adminPW)
				_, body := b.do(req)
				pages = append(pages, body)
			}
			switch fam {
			case FamilyConnectKey:
				f := d.ckFields()
				ckLoginAs(t, b, f, "admin", adminPW)
				ckSave(t, b, ckSMTPGeneral, url.Values{f.Server: {"smtp.gmail.com"}, f.Port: {"587"}, f.From: {testAccount}})
				ckSave(t, b, ckSMTPSec, url.Values{f.Security: {f.SecSTARTTLS}, f.Validate: {"1"}, f.AuthMode: {f.AuthDeviceV}, f.LoginName: {testAccount},
					f.SMTPPassword: {testAppPassword}, f.Retype: {testAppPassword}, f.SavePW: {"1"}})
				for _, p := range []string{ckSMTPGeneral, ckSMTPSec, ckSMTPSize, ckSMTPTest, ckJobHistory, "/header.php", ckLoginPage} {
					get(p)
				}
			case FamilyVersaLink:
				vlLoginAs(t, b, "admin", adminPW, true)
				b.post("/SETSMTP.cmd", url.Values{"SERVER": {"smtp.gmail.com"}, "PORT": {"587"}, "SECURITY": {"STARTTLS"}, "AUTH": {"DEVICE"}, "LOGINNAME": {testAccount}, "PASSWORD": {testAppPassword}})
				b.post("/SETEMAIL.cmd", url.Values{"FROM": {testAccount}})
				for _, p := range []string{"/home/index.html", "/home/js/app.js", "/SMTP.cmd", "/EMAIL.cmd", "/JOBLOG.cmd", "/SESSION.cmd", "/DEVICE.cmd"} {
					get(p)
				}
			case FamilyFujiXerox:
				f := fxLayouts[false]
				b.basic(http.MethodPost, "/setting/setemail.htm", "admin", adminPW, url.Values{f.From: {testAccount}, f.Server: {"smtp.gmail.com"}, f.Port: {"587"}, f.Auth: {"2"}, f.User: {testAccount}, f.Password: {testAppPassword}})
				b.basic(http.MethodPost, "/setting/setssltlscomm.htm", "admin", adminPW, url.Values{f.Security: {"1"}})
				for _, p := range []string{fxEmailPage, fxSSLPage, fxJobsPage, "/"} {
					get(p)
				}
			}
			if !d.SMTPPasswordIs(testAppPassword) {
				t.Fatal("the push did not store the app password")
			}
			if j := d.TestEmail(context.Background(), testAccount); !j.OK {
				t.Fatalf("test e-mail: %+v", j)
			}
			get("/_sim/state")
			get("/_sim/jobs")
			all := strings.Join(pages, "\n") + logs.String() + d.String()
			for _, secret := range []string{testAppPassword, adminPW} {
				if strings.Contains(all, secret) {
					t.Errorf("a page, a log line or the state holds %q", secret)
				}
			}
			if !strings.Contains(logs.String(), "SMTP settings saved") {
				t.Fatal("no logs captured: the check proves nothing")
			}
		})
	}
}
