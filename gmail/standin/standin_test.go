package standin

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mfpfleet/mfpfleet/config"
)

// This package's loopback addresses: 127.0.43.0/24.
const (
	ip       = "127.0.43.1"
	ipOld    = "127.0.43.2"
	ipMain   = "127.0.43.3"
	account  = "it.scans@gmail.com"
	appPw    = "qwertyuiopasdfgh"
	normalPw = "Winter-2026!"
)

func start(t *testing.T, o Options) *Server {
	t.Helper()
	if o.Addr == "" {
		o.Addr = ip
	}
	o.Account = account
	o.AppPassword = config.NewSecret(appPw)
	o.AccountPassword = config.NewSecret(normalPw)
	s, err := Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// conv is a raw SMTP conversation.
type conv struct {
	t    *testing.T
	conn net.Conn
	tp   *textproto.Conn
}

func dialConv(t *testing.T, addr string, tlsCfg *tls.Config) *conv {
	t.Helper()
	var conn net.Conn
	var err error
	d := &net.Dialer{Timeout: 5 * time.Second}
	if tlsCfg != nil {
		conn, err = tls.DialWithDialer(d, "tcp", addr, tlsCfg)
	} else {
		conn, err = d.Dial("tcp", addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	c := &conv{t: t, conn: conn, tp: textproto.NewConn(conn)}
	t.Cleanup(func() { _ = c.tp.Close() })
	c.expect(220)
	return c
}

// cmd sends a line and returns the reply's code and full text.
func (c *conv) cmd(line string) (int, string) {
	c.t.Helper()
	if err := c.tp.PrintfLine("%s", line); err != nil {
		c.t.Fatal(err)
	}
	code, msg, err := c.tp.ReadResponse(0)
	if err != nil {
		var tpErr *textproto.Error
		if !errors.As(err, &tpErr) {
			c.t.Fatalf("%s: %v", line, err)
		}
	}
	return code, msg
}

func (c *conv) expect(code int) string {
	c.t.Helper()
	_, msg, err := c.tp.ReadResponse(code)
	if err != nil {
		c.t.Fatalf("want %d: %v", code, err)
	}
	return msg
}

func (c *conv) must(line string, want int) string {
	c.t.Helper()
	code, msg := c.cmd(line)
	if code != want {
		c.t.Fatalf("%q: got %d %s, want %d", line, code, msg, want)
	}
	return msg
}

func (c *conv) startTLS(cfg *tls.Config) {
	c.t.Helper()
	c.must("STARTTLS", 220)
	tc := tls.Client(c.conn, cfg)
	if err := tc.Handshake(); err != nil {
		c.t.Fatal(err)
	}
	c.conn = tc
	c.tp = textproto.NewConn(tc)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestSMTPConversation(t *testing.T) {
	s := start(t, Options{PlainPort: -1})

	t.Run("before STARTTLS: no AUTH offered, 530 for AUTH and MAIL", func(t *testing.T) {
		c := dialConv(t, s.StartTLSAddr, nil)
		ehlo := c.must("EHLO printer", 250)
		if !strings.Contains(ehlo, "STARTTLS") || strings.Contains(ehlo, "AUTH") {
			t.Errorf("EHLO before TLS = %q: want STARTTLS and no AUTH", ehlo)
		}
		code, msg := c.cmd("AUTH PLAIN " + b64("\x00"+account+"\x00"+appPw))
		if code != 530 || msg != "5.7.0 Must issue a STARTTLS command first." {
			t.Errorf("AUTH before TLS = %d %q", code, msg)
		}
		code, msg = c.cmd("MAIL FROM:<" + account + ">")
		if code != 530 || !strings.Contains(msg, "STARTTLS") {
			t.Errorf("MAIL before TLS = %d %q", code, msg)
		}
	})

	t.Run("AUTH LOGIN uses the standard prompts", func(t *testing.T) {
		c := dialConv(t, s.StartTLSAddr, nil)
		c.must("EHLO printer", 250)
		c.startTLS(s.ClientTLS())
		ehlo := c.must("EHLO printer", 250)
		if !strings.Contains(ehlo, "AUTH LOGIN PLAIN XOAUTH2") || strings.Contains(ehlo, "STARTTLS") {
			t.Errorf("EHLO after TLS = %q", ehlo)
		}
		if err := c.tp.PrintfLine("AUTH LOGIN"); err != nil {
			t.Fatal(err)
		}
		line, _ := c.tp.ReadLine()
		if line != "334 VXNlcm5hbWU6" {
			t.Fatalf("first prompt %q, want 334 VXNlcm5hbWU6", line)
		}
		_ = c.tp.PrintfLine("%s", b64(account))
		line, _ = c.tp.ReadLine()
		if line != "334 UGFzc3dvcmQ6" {
			t.Fatalf("second prompt %q, want 334 UGFzc3dvcmQ6", line)
		}
		_ = c.tp.PrintfLine("%s", b64(appPw))
		c.expect(235)
		c.must("MAIL FROM:<scanner@printers.example>", 250)
		c.must("RCPT TO:<it.scans+mfp-x1-abc@gmail.com>", 250)
		c.must("DATA", 354)
		_ = c.tp.PrintfLine("From: Scanner <scanner@printers.example>\r\nTo: it.scans+mfp-x1-abc@gmail.com\r\nSubject: =?UTF-8?Q?Scan_=C3=A0_HQ?=\r\n\r\nhello\r\n.")
		c.expect(250)
		m, err := s.WaitMessage(context.Background(), func(m Message) bool { return m.Subject == "Scan à HQ" })
		if err != nil {
			t.Fatal(err)
		}
		if m.AuthMech != "LOGIN" || m.AuthUser != account || m.Listener != "starttls" || !m.Delivered || m.From != "scanner@printers.example" || m.TLS != "TLS 1.3" {
			t.Errorf("message = %+v", m)
		}
	})

	t.Run("AUTH LOGIN with the user as initial response", func(t *testing.T) {
		c := dialConv(t, s.TLSAddr, s.ClientTLS())
		c.must("EHLO printer", 250)
		if msg := c.must("AUTH LOGIN "+b64(account), 334); msg != "UGFzc3dvcmQ6" {
			t.Fatalf("prompt %q", msg)
		}
		c.must(b64(appPw), 235)
	})

	tests := []struct {
		name, user, pass string
		code             int
		text             string
	}{
		{"app password", account, appPw, 235, ""},
		{"app password, other case of account", "IT.Scans@Gmail.com", appPw, 235, ""},
		{"normal password", account, normalPw, 534, "5.7.9 Application-specific password required. For more information, go to https://support.google.com/mail/?p=InvalidSecondFactor"},
		{"wrong password", account, "abcdabcdabcdabcd", 535, "5.7.8 Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials"},
		{"wrong account", "other@gmail.com", appPw, 535, "5.7.8 Username and Password not accepted."},
		{"app password with spaces", account, "qwer tyui opas dfgh", 535, "5.7.8"},
	}
	for _, tc := range tests {
		for _, mech := range []string{"PLAIN", "LOGIN"} {
			t.Run(mech+" "+tc.name, func(t *testing.T) {
				c := dialConv(t, s.TLSAddr, s.ClientTLS())
				c.must("EHLO printer", 250)
				var code int
				var msg string
				if mech == "PLAIN" {
					code, msg = c.cmd("AUTH PLAIN " + b64("\x00"+tc.user+"\x00"+tc.pass))
				} else {
					c.must("AUTH LOGIN", 334)
					c.must(b64(tc.user), 334)
					code, msg = c.cmd(b64(tc.pass))
				}
				if code != tc.code || !strings.HasPrefix(msg, tc.text) {
					t.Errorf("got %d %q, want %d %q", code, msg, tc.code, tc.text)
				}
			})
		}
	}

	t.Run("MAIL without AUTH", func(t *testing.T) {
		c := dialConv(t, s.TLSAddr, s.ClientTLS())
		c.must("EHLO printer", 250)
		if code, msg := c.cmd("MAIL FROM:<" + account + ">"); code != 530 || !strings.Contains(msg, "Authentication Required") {
			t.Errorf("got %d %q", code, msg)
		}
	})

	t.Run("plain port advertises AUTH and refuses it", func(t *testing.T) {
		c := dialConv(t, s.PlainAddr, nil)
		ehlo := c.must("EHLO printer", 250)
		if strings.Contains(ehlo, "STARTTLS") || !strings.Contains(ehlo, "AUTH") {
			t.Errorf("EHLO = %q", ehlo)
		}
		c.must("AUTH LOGIN", 530)
	})

	t.Run("faults", func(t *testing.T) {
		defer s.SetFault(FaultNone)
		s.SetFault(FaultTooManyLogins)
		c := dialConv(t, s.TLSAddr, s.ClientTLS())
		c.must("EHLO printer", 250)
		if code, msg := c.cmd("AUTH PLAIN " + b64("\x00"+account+"\x00"+appPw)); code != 454 || !strings.HasPrefix(msg, "4.7.0 Too many login attempts") {
			t.Errorf("454: got %d %q", code, msg)
		}
		s.SetFault(FaultDailyLimit)
		c = dialConv(t, s.TLSAddr, s.ClientTLS())
		c.must("EHLO printer", 250)
		c.must("AUTH PLAIN "+b64("\x00"+account+"\x00"+appPw), 235)
		if code, msg := c.cmd("MAIL FROM:<" + account + ">"); code != 550 || !strings.HasPrefix(msg, "5.4.5 Daily user sending limit exceeded") {
			t.Errorf("550: got %d %q", code, msg)
		}
		s.SetFault(FaultTryLater)
		c = dialConv(t, s.TLSAddr, s.ClientTLS())
		if code, msg := c.cmd("EHLO printer"); code != 421 || !strings.HasPrefix(msg, "4.7.0") {
			t.Errorf("421: got %d %q", code, msg)
		}
	})
}

func TestMinTLS(t *testing.T) {
	s := start(t, Options{})
	old := start(t, Options{Addr: ipOld, MinTLS: tls.VersionTLS10})
	tls10 := func(srv *Server) *tls.Config {
		cfg := srv.ClientTLS()
		cfg.MinVersion, cfg.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
		return cfg
	}
	t.Run("TLS 1.0 client refused by default", func(t *testing.T) {
		for _, addr := range []string{s.TLSAddr, s.IMAPAddr} {
			conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, tls10(s))
			if err == nil {
				conn.Close()
				t.Fatalf("%s: TLS 1.0 handshake succeeded", addr)
			}
			if !strings.Contains(err.Error(), "protocol version") {
				t.Errorf("%s: %v", addr, err)
			}
		}
		// STARTTLS too.
		c := dialConv(t, s.StartTLSAddr, nil)
		c.must("EHLO printer", 250)
		c.must("STARTTLS", 220)
		if err := tls.Client(c.conn, tls10(s)).Handshake(); err == nil {
			t.Fatal("TLS 1.0 STARTTLS handshake succeeded")
		}
	})
	t.Run("TLS 1.0 accepted when lowered", func(t *testing.T) {
		c := dialConv(t, old.TLSAddr, tls10(old))
		c.must("EHLO printer", 250)
		c.must("AUTH PLAIN "+b64("\x00"+account+"\x00"+appPw), 235)
	})
}

func TestIMAPDelivery(t *testing.T) {
	s := start(t, Options{})
	send := func(rcpt, subject string) {
		c := dialConv(t, s.TLSAddr, s.ClientTLS())
		c.must("EHLO printer", 250)
		c.must("AUTH PLAIN "+b64("\x00"+account+"\x00"+appPw), 235)
		c.must("MAIL FROM:<scanner@printers.example>", 250)
		c.must("RCPT TO:<"+rcpt+">", 250)
		c.must("DATA", 354)
		_ = c.tp.PrintfLine("From: scanner@printers.example\r\nTo: %s\r\nSubject: %s\r\n\r\nbody\r\n.", rcpt, subject)
		c.expect(250)
	}
	send("it.scans+mfp-a@gmail.com", "plus a")
	send("IT.Scans@gmail.com", "plain")
	send("someone@example.org", "elsewhere")
	send("it.scans@other.example", "other domain")

	msgs := s.Messages()
	if len(msgs) != 4 {
		t.Fatalf("%d messages recorded", len(msgs))
	}
	wantDelivered := []bool{true, true, false, false}
	for i, m := range msgs {
		if m.Delivered != wantDelivered[i] {
			t.Errorf("%q delivered = %v", m.Subject, m.Delivered)
		}
	}

	dial := func(user, pass string) (*imapclient.Client, error) {
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", s.IMAPAddr, s.ClientTLS())
		if err != nil {
			t.Fatal(err)
		}
		c := imapclient.New(conn, nil)
		t.Cleanup(func() { _ = c.Close() })
		return c, c.Login(user, pass).Wait()
	}
	if _, err := dial(account, normalPw); err == nil || !strings.Contains(err.Error(), "Application-specific password required") {
		t.Errorf("IMAP login with the normal password: %v", err)
	}
	if _, err := dial(account, "abcdabcdabcdabcd"); err == nil || !strings.Contains(err.Error(), "Invalid credentials") {
		t.Errorf("IMAP login with a wrong password: %v", err)
	}
	c, err := dial("IT.Scans@gmail.com", appPw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msgsIMAP, err := c.Fetch(imap.SeqSetNum(1, 2, 3), &imap.FetchOptions{Envelope: true, InternalDate: true,
		BodySection: []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierHeader}}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgsIMAP) != 2 {
		t.Fatalf("INBOX has %d messages, want 2", len(msgsIMAP))
	}
	if msgsIMAP[0].Envelope.Subject != "plus a" || msgsIMAP[1].Envelope.Subject != "plain" {
		t.Errorf("subjects %q, %q", msgsIMAP[0].Envelope.Subject, msgsIMAP[1].Envelope.Subject)
	}
	for _, b := range msgsIMAP[0].BodySection {
		if !bytes.Contains(b.Bytes, []byte("Delivered-To: it.scans+mfp-a@gmail.com")) {
			t.Errorf("header without Delivered-To: %s", b.Bytes)
		}
	}
	if d := time.Since(msgsIMAP[0].InternalDate); d < 0 || d > time.Minute {
		t.Errorf("internal date %v", msgsIMAP[0].InternalDate)
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	_, err := Start(context.Background(), Options{Addr: "192.0.2.1", Account: account, AppPassword: config.NewSecret(appPw)})
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err = %v", err)
	}
}

func TestMain_(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "app-password")
	caFile := filepath.Join(dir, "ca.pem")
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan int)
	go func() {
		done <- Main(ctx, []string{"--addr", ipMain, "--app-password-file", pwFile, "--ca-out", caFile}, &out, &errOut)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !bytes.Contains(out.bytes(), []byte("}\n")) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.bytes())
	}
	var info struct {
		StartTLSAddr string       `json:"starttls_addr"`
		Gmail        config.Gmail `json:"gmail"`
		CAFile       string       `json:"ca_file"`
	}
	if err := json.Unmarshal(out.bytes(), &info); err != nil {
		t.Fatalf("%v: %s", err, out.bytes())
	}
	if !strings.HasPrefix(info.StartTLSAddr, ipMain+":") || info.CAFile != caFile {
		t.Errorf("info = %+v", info)
	}
	pw, err := os.ReadFile(pwFile)
	if err != nil || len(strings.TrimSpace(string(pw))) != 16 {
		t.Fatalf("generated app password file: %v %q", err, pw)
	}
	if bytes.Contains(out.bytes(), bytes.TrimSpace(pw)) || bytes.Contains(errOut.bytes(), bytes.TrimSpace(pw)) {
		t.Errorf("the app password was printed")
	}
	if ca, err := os.ReadFile(caFile); err != nil || !bytes.Contains(ca, []byte("BEGIN CERTIFICATE")) {
		t.Errorf("CA file: %v", err)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.b.Bytes()...)
}

// A Close right after Start must not hang: the serving goroutines may
// not have registered their listeners with go-smtp and go-imap yet.
func TestCloseRightAfterStart(t *testing.T) {
	for i := 0; i < 20; i++ {
		s, err := Start(context.Background(), Options{Addr: "127.0.44.9", Account: "a.b@gmail.com", AppPassword: RandomAppPassword()})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- s.Close() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("close %d: %v", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Close right after Start hung (iteration %d)", i)
		}
	}
}
