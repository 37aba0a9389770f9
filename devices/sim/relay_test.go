package sim

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The relay and state tests use 127.0.38.0/24.

func relayFleet(t *testing.T, dir string, allow ...string) *Fleet {
	t.Helper()
	return relayFleetN(t, 3, dir, allow...)
}

func relayFleetN(t *testing.T, n int, dir string, allow ...string) *Fleet {
	t.Helper()
	f, err := StartFleet(context.Background(), FleetOptions{
		Base: netip.MustParseAddr("127.0.38.1"), Count: n, Vendors: []string{"xerox"}, StateDir: dir,
		HTTPSPort: -1, HTTPPort: -1, SNMPPort: -1, GmailAddr: netip.MustParseAddr("127.0.38.250"),
		GmailAccount: "scans@client.example", RelayAllowed: allow, Logger: testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func relaySettings() SMTPSettings {
	return SMTPSettings{Server: "smtp-relay.gmail.com", Port: 587, Security: SecuritySTARTTLS, Auth: AuthNone, From: "scans@client.example"}
}

func TestDeviceSendsThroughTheRelayWithItsHostName(t *testing.T) {
	f := relayFleet(t, "", "127.0.38.1/32")
	defer f.Close()
	d := f.Devices[0].Web
	d.SetSMTP(relaySettings(), nil)
	ctx := context.Background()

	// A bare host name, as the firmware ships: the relay drops it.
	job := d.TestEmail(ctx, "scans+mfp-a@client.example")
	if job.OK || !strings.Contains(job.Result, "421") {
		t.Fatalf("bare EHLO name: job = %+v, want a 421 refusal", job)
	}

	// The TCP/IP page sets the domain (through the web admin, as the
	// driver does).
	if d.Family() != FamilyFujiXerox && d.Family() != FamilyConnectKey && d.Family() != FamilyVersaLink {
		t.Fatalf("family %s", d.Family())
	}
	host, _ := d.HostName()
	d.SetHostName(host, "client.example")
	job = d.TestEmail(ctx, "scans+mfp-b@client.example")
	if !job.OK {
		t.Fatalf("with a domain: job = %+v", job)
	}
	ms := f.Gmail.Messages()
	m := ms[len(ms)-1]
	if m.Listener != "relay-starttls" || m.ClientIP != "127.0.38.1" || !strings.HasSuffix(m.EHLO, ".client.example") || !m.Delivered {
		t.Fatalf("message = %+v", m)
	}

	// Another device of the site whose address is not allow-listed.
	d2 := f.Devices[1].Web
	d2.SetSMTP(relaySettings(), nil)
	h2, _ := d2.HostName()
	d2.SetHostName(h2, "client.example")
	job = d2.TestEmail(ctx, "scans+mfp-c@client.example")
	if job.OK || !strings.Contains(job.Result, "Mail relay denied [127.0.38.2]") {
		t.Fatalf("unlisted address: job = %+v", job)
	}
}

func TestTCPIPPage(t *testing.T) {
	f := relayFleetN(t, 12, "")
	defer f.Close()
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, Timeout: 10 * time.Second}
	for _, fd := range f.Devices {
		if fd.Web == nil || fd.Web.Family() != FamilyFujiXerox {
			continue
		}
		d := fd.Web
		u := d.URLs()[0] + d.TCPIPPath()
		req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(url.Values{"hostName": {"XRX0000AA"}, "domainName": {"print.client.example"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(AdminUser, d.DefaultAdminPassword())
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if h, dom := d.HostName(); h != "XRX0000AA" || dom != "print.client.example" || d.ehloName() != "XRX0000AA.print.client.example" {
			t.Fatalf("after the TCP/IP page: %q %q", h, dom)
		}
		return
	}
	t.Fatal("no Fuji-Xerox-made device in the fleet")
}

func TestStateSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	f := relayFleet(t, dir)
	d := f.Devices[0].Web
	fp := d.CertFingerprint()
	pw := "qwertyuiopasdfgh"
	s := relaySettings()
	s.Auth, s.User = AuthSMTP, "scans@client.example"
	d.SetSMTP(s, &pw)
	d.SetHostName("XRXAB12", "client.example")
	first := f.AppPassword
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	f = relayFleet(t, dir)
	defer f.Close()
	d = f.Devices[0].Web
	if got := d.CertFingerprint(); got != fp {
		t.Errorf("certificate changed across the restart: %s → %s", fp, got)
	}
	if got := d.SMTP(); got.Server != s.Server || got.User != s.User || !got.PasswordSet || !d.SMTPPasswordIs(pw) {
		t.Errorf("SMTP settings after the restart: %+v", got)
	}
	if h, dom := d.HostName(); h != "XRXAB12" || dom != "client.example" {
		t.Errorf("host name after the restart: %q %q", h, dom)
	}
	if f.AppPassword != first {
		t.Errorf("app password changed across the restart")
	}
	if fi, err := os.Stat(filepath.Join(dir, deviceStateDir, "127.0.38.1.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("device state file: %v %v", fi, err)
	}
}

func TestAppPasswordsFileAddsAndRevokes(t *testing.T) {
	dir := t.TempDir()
	f := relayFleet(t, dir)
	defer f.Close()
	listPath := filepath.Join(dir, AppPasswordsFile)
	old := f.AppPassword.Reveal()
	const newPW = "zxcvbnmlkjhgfdsa"
	d := f.Devices[0].Web
	send := func(pw string) Job {
		s := SMTPSettings{Server: "smtp.gmail.com", Port: 587, Security: SecuritySTARTTLS, Auth: AuthSMTP, User: f.Account, From: f.Account}
		d.SetSMTP(s, &pw)
		return d.TestEmail(context.Background(), f.Account)
	}
	if j := send(old); !j.OK {
		t.Fatalf("the first app password: %+v", j)
	}
	// Create a second one, revoke the first: the file is re-read.
	if err := os.WriteFile(listPath, []byte(newPW+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		j := send(old)
		if !j.OK && strings.Contains(j.Result, "535") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the revoked app password still works: %+v", j)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if j := send(newPW); !j.OK {
		t.Fatalf("the new app password: %+v", j)
	}
	// And the list is kept across a restart.
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f2 := relayFleet(t, dir)
	defer f2.Close()
	if j := func() Job {
		pw := old
		d := f2.Devices[0].Web
		d.SetSMTP(SMTPSettings{Server: "smtp.gmail.com", Port: 587, Security: SecuritySTARTTLS, Auth: AuthSMTP, User: f2.Account, From: f2.Account}, &pw)
		return d.TestEmail(context.Background(), f2.Account)
	}(); j.OK {
		t.Fatalf("the revoked app password works again after a restart")
	}
}
