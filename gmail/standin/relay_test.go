package standin

import (
	"context"
	"crypto/tls"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mfpfleet/mfpfleet/config"
)

// The relay tests' addresses: the stand-in on ipRelay, clients dialling
// from an allow-listed "site" address or from another one.
const (
	ipRelay     = "127.0.43.20"
	ipSite      = "127.0.43.21"
	ipElsewhere = "127.0.43.22"
	wsAccount   = "scans@client.example"
)

func startRelay(t *testing.T, ro RelayOptions) *Server {
	t.Helper()
	s, err := Start(context.Background(), Options{Addr: ipRelay, Account: wsAccount,
		AppPassword: config.NewSecret(appPw), Relay: &ro})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// dialFrom opens a conversation from the local address from.
func dialFrom(t *testing.T, addr, from string) *conv {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	c := &conv{t: t, conn: conn, tp: textproto.NewConn(conn)}
	t.Cleanup(func() { _ = c.tp.Close() })
	c.expect(220)
	return c
}

func TestRelayRules(t *testing.T) {
	s := startRelay(t, RelayOptions{AllowedIPs: []string{ipSite}})
	if s.RelayStartTLSAddr == "" || s.RelayTLSAddr == "" {
		t.Fatal("no relay ports")
	}

	t.Run("allow-listed address, FQDN, sender in the domain: delivered without AUTH", func(t *testing.T) {
		c := dialFrom(t, s.RelayStartTLSAddr, ipSite)
		c.must("EHLO xrx-b8c463.client.example", 250)
		c.startTLS(s.ClientTLS())
		c.must("EHLO xrx-b8c463.client.example", 250)
		c.must("MAIL FROM:<"+wsAccount+">", 250)
		c.must("RCPT TO:<scans+mfp-1@client.example>", 250)
		c.must("DATA", 354)
		if err := c.tp.PrintfLine("Subject: relay test\r\n\r\nhello\r\n."); err != nil {
			t.Fatal(err)
		}
		c.expect(250)
		ms := s.Messages()
		if len(ms) != 1 || !ms[0].Delivered || ms[0].Listener != "relay-starttls" || ms[0].EHLO != "xrx-b8c463.client.example" || ms[0].ClientIP != ipSite || ms[0].AuthUser != "" {
			t.Fatalf("messages = %+v", ms)
		}
	})

	t.Run("an address not on the list: 550 5.7.0 Mail relay denied naming it", func(t *testing.T) {
		c := dialFrom(t, s.RelayStartTLSAddr, ipElsewhere)
		c.must("EHLO xrx.client.example", 250)
		c.startTLS(s.ClientTLS())
		c.must("EHLO xrx.client.example", 250)
		code, msg := c.cmd("MAIL FROM:<" + wsAccount + ">")
		if code != 550 || !strings.HasPrefix(msg, "5.7.0 Mail relay denied ["+ipElsewhere+"]") {
			t.Fatalf("MAIL = %d %q", code, msg)
		}
	})

	t.Run("a sender outside the domains: 550 5.7.1 Invalid credentials for relay", func(t *testing.T) {
		c := dialFrom(t, s.RelayStartTLSAddr, ipSite)
		c.must("EHLO xrx.client.example", 250)
		c.startTLS(s.ClientTLS())
		c.must("EHLO xrx.client.example", 250)
		code, msg := c.cmd("MAIL FROM:<scans@other.example>")
		if code != 550 || !strings.HasPrefix(msg, "5.7.1 Invalid credentials for relay ["+ipSite+"]") {
			t.Fatalf("MAIL = %d %q", code, msg)
		}
		// A subdomain of the Workspace's domain counts.
		c.must("MAIL FROM:<scans@branch.client.example>", 250)
	})

	for _, name := range []string{"XC-B8C463", "localhost", "[127.0.43.21]", "printer.localdomain"} {
		t.Run("EHLO "+name+": 421 4.7.0 (EHLO)", func(t *testing.T) {
			c := dialFrom(t, s.RelayStartTLSAddr, ipSite)
			code, msg := c.cmd("EHLO " + name)
			if code != 421 || msg != "4.7.0 Try again later, closing connection. (EHLO)" {
				t.Fatalf("EHLO %s = %d %q", name, code, msg)
			}
		})
	}

	t.Run("smtp.gmail.com itself keeps accepting a bare EHLO", func(t *testing.T) {
		c := dialFrom(t, s.StartTLSAddr, ipSite)
		c.must("EHLO XC-B8C463", 250)
	})

	t.Run("implicit TLS port", func(t *testing.T) {
		d := &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(ipSite)}}
		conn, err := tls.DialWithDialer(d, "tcp", s.RelayTLSAddr, s.ClientTLS())
		if err != nil {
			t.Fatal(err)
		}
		c := &conv{t: t, conn: conn, tp: textproto.NewConn(conn)}
		t.Cleanup(func() { _ = c.tp.Close() })
		c.expect(220)
		c.must("EHLO xrx.client.example", 250)
		c.must("MAIL FROM:<"+wsAccount+">", 250)
	})
}

func TestRelayRequireAuth(t *testing.T) {
	s := startRelay(t, RelayOptions{AllowedIPs: []string{ipSite}, RequireAuth: true})
	c := dialFrom(t, s.RelayStartTLSAddr, ipSite)
	c.must("EHLO xrx.client.example", 250)
	c.startTLS(s.ClientTLS())
	c.must("EHLO xrx.client.example", 250)
	if code, msg := c.cmd("MAIL FROM:<" + wsAccount + ">"); code != 550 || !strings.Contains(msg, "Mail relay denied") {
		t.Fatalf("MAIL without AUTH = %d %q", code, msg)
	}
	c.must("AUTH PLAIN "+b64("\x00"+wsAccount+"\x00"+appPw), 235)
	c.must("MAIL FROM:<"+wsAccount+">", 250)
}

func TestSeveralAppPasswordsAndRevocation(t *testing.T) {
	const second, third = "zxcvbnmlkjhgfdsa", "poiuytrewqlkjhgf"
	s, err := Start(context.Background(), Options{Addr: "127.0.43.30", Account: account,
		AppPassword: config.NewSecret(appPw), AppPasswords: []config.Secret{config.NewSecret(second)}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.AddAppPassword(config.NewSecret(third))
	auth := func(pw string) int {
		t.Helper()
		c := dialConv(t, s.TLSAddr, s.ClientTLS())
		c.must("EHLO printer", 250)
		code, _ := c.cmd("AUTH PLAIN " + b64("\x00"+account+"\x00"+pw))
		return code
	}
	imapLogin := func(pw string) error {
		t.Helper()
		ic, err := imapclient.DialTLS(s.IMAPAddr, &imapclient.Options{TLSConfig: s.ClientTLS()})
		if err != nil {
			t.Fatal(err)
		}
		defer ic.Close()
		return ic.Login(account, pw).Wait()
	}
	for _, pw := range []string{appPw, second, third} {
		if code := auth(pw); code != 235 {
			t.Fatalf("AUTH with an accepted app password = %d", code)
		}
	}
	if !s.RevokeAppPassword(config.NewSecret(second)) {
		t.Fatal("RevokeAppPassword: not known")
	}
	if code := auth(second); code != 535 {
		t.Fatalf("AUTH with a revoked app password = %d, want 535", code)
	}
	if err := imapLogin(second); err == nil {
		t.Fatal("IMAP login with a revoked app password succeeded")
	}
	if code := auth(appPw); code != 235 {
		t.Fatalf("AUTH with another app password after a revocation = %d", code)
	}
	if err := imapLogin(third); err != nil {
		t.Fatalf("IMAP with an accepted app password: %v", err)
	}
	s.RevokeAll() // the account's password was changed
	for _, pw := range []string{appPw, third} {
		if code := auth(pw); code != 535 {
			t.Fatalf("AUTH after RevokeAll = %d, want 535", code)
		}
	}
	if err := imapLogin(appPw); err == nil {
		t.Fatal("IMAP login after RevokeAll succeeded")
	}
}

func TestValidEHLO(t *testing.T) {
	for name, want := range map[string]bool{
		"xrx-b8c463.client.example": true, "printer.client.example.": true,
		"XC-B8C463": false, "localhost": false, "[127.0.0.1]": false, "127.0.0.1": false,
		"": false, "a..b": false, "bad_name.example": false, "mfpfleet.localdomain": false,
	} {
		if got := ValidEHLO(name); got != want {
			t.Errorf("ValidEHLO(%q) = %v, want %v", name, got, want)
		}
	}
}
