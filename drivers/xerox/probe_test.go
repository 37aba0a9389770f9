package xerox_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
)

// TestUnknownPages: a legacy .dhtml admin and a page of no known family
// are refused as unsupported, with what to do.
func TestUnknownPages(t *testing.T) {
	c := suite(t, sim.FamilyConnectKey, "AltaLink C8045")
	for _, tc := range []struct {
		name, family, body, want string
	}{
		{"legacy dhtml", "xerox/legacy", `<html><frameset><frame src="/properties/index.dhtml"></frameset></html>`, "legacy .dhtml"},
		{"unknown page", "", `<html><body><h1>Welcome</h1><p>Some other web server</p></body></html>`, "mfpfleet probe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ip := addr(t).String()
			l, err := net.Listen("tcp", ip+":0")
			if err != nil {
				t.Fatal(err)
			}
			s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tc.body) }))
			s.Listener.Close()
			s.Listener = l
			s.StartTLS()
			defer s.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err = drivers.Open(ctx, c.Browser, drivers.Target{Address: l.Addr().String(),
				Device: devices.Device{IP: ip, Vendor: "xerox", Model: "WorkCentre Pro 45", Family: tc.family}})
			if !errors.Is(err, drivers.ErrUnsupported) || !strings.Contains(err.Error(), tc.want) || drivers.IsRetryable(err) {
				t.Fatalf("err = %v, want ErrUnsupported saying %q", err, tc.want)
			}
		})
	}
}

// TestProbe: without a login, the landing/login page's forms and fields;
// with one, the SMTP page too; password values never appear.
func TestProbe(t *testing.T) {
	c := suite(t, sim.FamilyConnectKey, "AltaLink C8045")
	e := drivertest.NewEnv(t, c)
	d, tgt := e.Device(t, sim.DeviceOptions{AdminPassword: drivertest.AdminSecret})
	pw := "stored-smtp-secret-42"
	d.SetSMTP(sim.SMTPSettings{Server: "relay.example.com", Port: 25, Security: sim.SecurityNone, Auth: sim.AuthSMTP, User: "u@example.com"}, &pw)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rep, err := drivers.Probe(ctx, c.Browser, tgt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Driver != "xerox" || rep.CertSHA256 != d.CertFingerprint() || len(rep.Pages) != 2 || rep.Pages[1].Role != "login" || rep.LoggedIn {
		t.Fatalf("report %+v", rep)
	}
	txt := rep.String()
	for _, w := range []string{"landing page", "login page", "screenshot", `POST "/userpost/xerox.set"`, "CSRFToken", `label="Password"`} {
		if !strings.Contains(txt, w) {
			t.Errorf("probe text lacks %q:\n%s", w, txt)
		}
	}
	login := &drivers.Credential{User: "admin", Password: config.NewSecret(drivertest.AdminSecret), Kind: drivers.KindConfigured}
	rep, err = drivers.Probe(ctx, c.Browser, tgt, login)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.LoggedIn || len(rep.Pages) != 3 || rep.Pages[2].Role != "smtp" {
		t.Fatalf("report after login: %s", rep)
	}
	txt = rep.String()
	for _, w := range []string{"Connection Security", "Select to save new password", "STARTTLS (If Available)", "POST \"/dummypost/xerox.set\"", "password"} {
		if !strings.Contains(txt, w) {
			t.Errorf("probe text lacks %q:\n%s", w, txt)
		}
	}
	j, _ := rep.JSON()
	for _, out := range []string{txt, string(j)} {
		if strings.Contains(out, drivertest.AdminSecret) || strings.Contains(out, pw) {
			t.Errorf("probe output shows a password")
		}
	}
	dir := t.TempDir()
	jp, tp, err := drivers.SaveProbe(rep, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append([]string{jp, tp}, rep.Pages[2].Screenshot, rep.Pages[2].HTML) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), drivertest.AdminSecret) {
			t.Errorf("%s shows the admin password", p)
		}
	}
	if d.FailedLogins() != 0 {
		t.Errorf("probe caused %d failed logins", d.FailedLogins())
	}
	if testing.Verbose() {
		t.Log(txt)
	}
}

// TestProbeBasicAuth: a Fuji-Xerox-made device answers 401; the probe
// says so and, with a login, shows its Email Settings form.
func TestProbeBasicAuth(t *testing.T) {
	c := suite(t, sim.FamilyFujiXerox, "WorkCentre 6605")
	e := drivertest.NewEnv(t, c)
	_, tgt := e.Device(t, sim.DeviceOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	login := &drivers.Credential{User: "admin", Password: config.NewSecret("1111"), Kind: "default-1111"}
	rep, err := drivers.Probe(ctx, c.Browser, tgt, login)
	if err != nil {
		t.Fatal(err)
	}
	txt := rep.String()
	for _, w := range []string{"HTTP Basic", "104002", "SMTP Server Address", "/setting/setemail.htm"} {
		if !strings.Contains(txt, w) {
			t.Errorf("probe text lacks %q:\n%s", w, txt)
		}
	}
}
