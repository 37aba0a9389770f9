package sim

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Old firmware against a Gmail that wants TLS 1.2: each family's way of
// failing ends in the job log with the cause.
func TestOldFirmwareCannotReachGmail(t *testing.T) {
	gm := gmailStandin(t, 0) // TLS 1.2 minimum, Gmail's default
	cases := []struct {
		name    string
		opts    DeviceOptions
		port    int
		wantErr []string
	}{
		{"tls 1.0 only, STARTTLS", DeviceOptions{Model: "WorkCentre 7556", Family: FamilyConnectKey, SMTPTLS: SMTPTLS10}, 587, []string{"STARTTLS", "protocol version"}},
		{"tls 1.0 only, SSL/TLS", DeviceOptions{Model: "WorkCentre 7556", Family: FamilyConnectKey, SMTPTLS: SMTPTLS10}, 465, []string{"SSL/TLS handshake", "protocol version"}},
		{"no encryption", DeviceOptions{Model: "WorkCentre 6015", Family: FamilyFujiXerox, SMTPTLS: SMTPTLSNone}, 587, []string{"530 5.7.0 Must issue a STARTTLS command first"}},
		{"no encryption, versalink", DeviceOptions{Model: "WorkCentre 6515", Family: FamilyVersaLink, SMTPTLS: SMTPTLSNone}, 587, []string{"016-781", "530 5.7.0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.SMTPRoutes = routesTo(gm)
			tc.opts.SMTPRootCAs = gm.ClientTLS().RootCAs
			d := startDevice(t, tc.opts)
			pw := testAppPassword
			d.SetSMTP(gmailSettings(tc.port), &pw)
			j := d.TestEmail(context.Background(), testAccount)
			if j.OK {
				t.Fatal("old firmware reached Gmail")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(j.Fault+" "+j.Result, w) {
					t.Errorf("job %q lacks %q", j.Fault+" "+j.Result, w)
				}
			}
			if j.TLSVersion != "" {
				t.Errorf("TLS version %q recorded for a failed handshake", j.TLSVersion)
			}
		})
	}
	if n := len(gm.Messages()); n != 0 {
		t.Fatalf("stand-in accepted %d messages", n)
	}

	// The same TLS 1.0 model does reach a server that still takes TLS 1.0.
	t.Run("tls 1.0 against a permissive server", func(t *testing.T) {
		old := gmailStandin(t, tls.VersionTLS10)
		d := startDevice(t, DeviceOptions{Model: "WorkCentre 7556", Family: FamilyConnectKey, SMTPTLS: SMTPTLS10, SMTPRoutes: routesTo(old), SMTPRootCAs: old.ClientTLS().RootCAs})
		pw := testAppPassword
		d.SetSMTP(gmailSettings(587), &pw)
		if j := d.TestEmail(context.Background(), testAccount); !j.OK || j.TLSVersion != "TLS 1.0" {
			t.Fatalf("job %+v", j)
		}
	})
}

func TestSMTPRoutesStayOnLoopback(t *testing.T) {
	d, err := NewDevice(DeviceOptions{Model: "VersaLink C405", Family: FamilyVersaLink, Serial: "X1",
		SMTPRoutes: map[string]string{"evil.example:25": "192.0.2.1:25"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host string
		port int
		want string
	}{
		{"smtp.gmail.com", 587, "unable to resolve"},
		{"192.0.2.7", 25, "unable to resolve"},
		{"evil.example", 25, "not a loopback address"},
	} {
		if _, err := d.resolveSMTP(tc.host, tc.port); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:%d: %v, want %q", tc.host, tc.port, err, tc.want)
		}
	}
	if a, err := d.resolveSMTP("127.0.0.9", 25); err != nil || a != "127.0.0.9:25" {
		t.Errorf("loopback literal: %q %v", a, err)
	}
}

func TestValidateServerCertificate(t *testing.T) {
	gm := gmailStandin(t, 0)
	// The device does not trust the stand-in's CA: with validation on the
	// test fails, with it off (ConnectKey's switch) it goes through.
	d := startDevice(t, DeviceOptions{Model: "AltaLink C8070", Family: FamilyConnectKey, SMTPRoutes: routesTo(gm)})
	pw := testAppPassword
	s := gmailSettings(587)
	d.SetSMTP(s, &pw)
	if j := d.TestEmail(context.Background(), testAccount); j.OK || !strings.Contains(j.Result, "certificate") {
		t.Fatalf("validating against an unknown CA: %+v", j)
	}
	s.ValidateCert = false
	d.SetSMTP(s, nil)
	if j := d.TestEmail(context.Background(), testAccount); !j.OK {
		t.Fatalf("without validation: %+v", j)
	}
}

func TestFaults(t *testing.T) {
	t.Run("slow pages", func(t *testing.T) {
		d := startDevice(t, DeviceOptions{Model: "VersaLink C405", Family: FamilyVersaLink, Faults: Faults{Slow: 3 * time.Second}})
		b := newBrowser(t, d)
		b.c.Timeout = 500 * time.Millisecond
		if _, err := b.c.Get(b.base + "/home/index.html"); err == nil {
			t.Fatal("a slow page answered within 500 ms")
		}
		d.SetFaults(Faults{})
		if resp, _ := b.get("/home/index.html"); resp.StatusCode != http.StatusOK {
			t.Fatal(resp.Status)
		}
	})
	t.Run("dropped session", func(t *testing.T) {
		d := startDevice(t, DeviceOptions{Model: "AltaLink C8070", Family: FamilyConnectKey, Faults: Faults{DropSessionAfter: 3}})
		b := newBrowser(t, d)
		ckLoginAs(t, b, d.ckFields(), "admin", "1111") // luidLogin.php and index.php are requests 1 and 2
		if resp, _ := b.get(ckSMTPGeneral); resp.Request.URL.Path != ckSMTPGeneral {
			t.Fatalf("request 3 went to %s", resp.Request.URL)
		}
		if resp, _ := b.get(ckSMTPGeneral); resp.Request.URL.Path != ckLoginPage {
			t.Fatalf("request 4 went to %s, want the login page", resp.Request.URL)
		}
	})
	t.Run("dropped authorization (basic)", func(t *testing.T) {
		d := startDevice(t, DeviceOptions{Model: "WorkCentre 6605", Family: FamilyFujiXerox, Faults: Faults{DropSessionAfter: 1}})
		b := newBrowser(t, d)
		if r, _ := b.basic(http.MethodGet, fxEmailPage, "admin", "1111", nil); r.StatusCode != http.StatusOK {
			t.Fatal(r.Status)
		}
		if r, _ := b.basic(http.MethodGet, fxEmailPage, "admin", "1111", nil); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("second request: %s", r.Status)
		}
		if d.FailedLogins() != 0 {
			t.Fatal("a dropped authorization counted as a failed login")
		}
	})
	t.Run("reboot mid-write", func(t *testing.T) {
		for _, fam := range []string{FamilyConnectKey, FamilyVersaLink, FamilyFujiXerox} {
			t.Run(fam, func(t *testing.T) {
				d := startDevice(t, DeviceOptions{Model: "Test", Family: fam, Faults: Faults{RebootOnSave: 700 * time.Millisecond}})
				b := newBrowser(t, d)
				var req *http.Request
				switch fam {
				case FamilyConnectKey:
					f := d.ckFields()
					ckLoginAs(t, b, f, "admin", "1111")
					_, page := b.get(ckSMTPGeneral)
					form := url.Values{"_fun_function": {"HTTP_Set_Config_Attrib_fn"}, "NextPage": {ckSMTPGeneral}, "CSRFToken": {csrfOf(t, page)}, f.Server: {"smtp.gmail.com"}}
					req, _ = http.NewRequest(http.MethodPost, b.base+"/dummypost/xerox.set", strings.NewReader(form.Encode()))
				case FamilyVersaLink:
					vlLoginAs(t, b, "admin", "1111", false)
					req, _ = http.NewRequest(http.MethodPost, b.base+"/SETSMTP.cmd", strings.NewReader(url.Values{"SERVER": {"smtp.gmail.com"}}.Encode()))
				case FamilyFujiXerox:
					req, _ = http.NewRequest(http.MethodPost, b.base+"/setting/setemail.htm", strings.NewReader(url.Values{"104002": {"smtp.gmail.com"}}.Encode()))
					req.SetBasicAuth("admin", "1111")
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if _, err := b.c.Do(req); err == nil {
					t.Fatal("the save answered; want the connection closed")
				}
				if d.SMTP().Server != "" {
					t.Fatal("the interrupted save was applied")
				}
				if _, err := b.c.Get(b.base + "/"); err == nil {
					t.Fatal("a rebooting device answered")
				}
				time.Sleep(900 * time.Millisecond)
				d.SetFaults(Faults{})
				req, _ = http.NewRequest(http.MethodGet, b.base+"/", nil)
				req.SetBasicAuth("admin", "1111")
				resp, err := b.c.Do(req)
				if err != nil {
					t.Fatalf("device did not come back: %v", err)
				}
				resp.Body.Close()
				if fam == FamilyConnectKey {
					if resp, _ := b.get(ckSMTPGeneral); resp.Request.URL.Path != ckLoginPage {
						t.Fatal("the session survived the reboot")
					}
				}
			})
		}
	})
	t.Run("wrong firmware layout", func(t *testing.T) {
		d := startDevice(t, DeviceOptions{Model: "AltaLink C8045", Family: FamilyConnectKey, Faults: Faults{AltLayout: true}})
		b := newBrowser(t, d)
		std, alt := ckLayouts[false], d.ckFields()
		if std.Server == alt.Server || std.User == alt.User {
			t.Fatal("alternative layout uses the standard names")
		}
		_, page := b.get(ckLoginPage)
		if strings.Contains(page, `name="frmwebUsername"`) || !strings.Contains(page, ">User ID<") {
			t.Fatal("login page: names not changed or label lost")
		}
		// The old names log nobody in; the page's own names do.
		if landing, _ := ckLoginAs(t, b, ckLayouts[false], "admin", "1111"); landing != ckLoginPage+"?invalid=t" {
			t.Fatalf("standard field names logged in on the other firmware (%s)", landing)
		}
		if landing, _ := ckLoginAs(t, b, alt, "admin", "1111"); landing != ckLuidPage {
			t.Fatal("the layout's own names do not log in")
		}
		body := ckSave(t, b, ckSMTPGeneral, url.Values{alt.Server: {"smtp.gmail.com"}, alt.Port: {"587"}})
		if !strings.Contains(body, "Outgoing SMTP Port Number") || d.SMTP().Server != "smtp.gmail.com" {
			t.Fatal("save with the layout's names failed")
		}
	})
	t.Run("wrong firmware layout, versalink and fuji-xerox", func(t *testing.T) {
		vl := startDevice(t, DeviceOptions{Model: "VersaLink C405", Family: FamilyVersaLink, Faults: Faults{AltLayout: true}})
		if _, page := newBrowser(t, vl).get("/home/index.html"); !strings.Contains(page, vlLayouts[true].Server) || strings.Contains(page, `"smtpServer"`) {
			t.Fatalf("VersaLink page does not carry the other layout:\n%s", page)
		}
		fx := startDevice(t, DeviceOptions{Model: "WorkCentre 6605", Family: FamilyFujiXerox, Faults: Faults{AltLayout: true}})
		b := newBrowser(t, fx)
		_, page := b.basic(http.MethodGet, fxEmailPage, "admin", "1111", nil)
		if !strings.Contains(page, `name="130202"`) || strings.Contains(page, `name="104002"`) || !strings.Contains(page, "SMTP Server Address") {
			t.Fatalf("Fuji-Xerox page does not carry the other layout:\n%s", page)
		}
		b.basic(http.MethodPost, "/setting/setemail.htm", "admin", "1111", url.Values{"104002": {"smtp.gmail.com"}})
		if fx.SMTP().Server != "" {
			t.Fatal("the standard field name was applied on the other firmware")
		}
		b.basic(http.MethodPost, "/setting/setemail.htm", "admin", "1111", url.Values{"130202": {"smtp.gmail.com"}})
		if fx.SMTP().Server != "smtp.gmail.com" {
			t.Fatal("the layout's own field name was not applied")
		}
	})
	t.Run("locked out from the start", func(t *testing.T) {
		d := startDevice(t, DeviceOptions{Model: "VersaLink C405", Family: FamilyVersaLink, Faults: Faults{LockedOut: true}})
		b := newBrowser(t, d)
		if _, m := vlLoginAs(t, b, "admin", "1111", false); m["errorCode"] != "5" {
			t.Fatalf("locked device: %v", m)
		}
	})
}

func TestNewDeviceErrors(t *testing.T) {
	for _, o := range []DeviceOptions{
		{Model: "x", Family: "xerox/legacy", Serial: "1"},
		{Model: "x", Family: FamilyVersaLink},
		{Model: "x", Family: FamilyVersaLink, Serial: "1", SMTPTLS: "ssl3"},
	} {
		if _, err := NewDevice(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	d, _ := NewDevice(DeviceOptions{Model: "x", Family: FamilyVersaLink, Serial: "1"})
	if err := d.Serve(context.Background(), mustAddr("192.0.2.1"), 0, -1); err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("serving on a non-loopback address: %v", err)
	}
}
