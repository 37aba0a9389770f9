package gmail_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/wneessen/go-mail/smtp"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

// Loopback block of this package's tests: 127.0.40.0 – 127.0.44.255.
const (
	ipCheck   = "127.0.40.1"
	ipOldTLS  = "127.0.40.2"
	ipConfirm = "127.0.41.1"
	ipSwaks   = "127.0.42.1"
	ipMailpit = "127.0.42.2"
	ipSecrets = "127.0.44.1"
	ipSilent  = "127.0.40.9"
)

const (
	testAccount = "it.scans@gmail.com"
	// The app password as Google shows it, and the account's "normal"
	// password (16 letters, so that it passes NormalizeAppPassword and
	// reaches the server, which answers 534).
	testAppPasswordSpaced = "qwer tyui opas dfgh"
	testAppPassword       = "qwertyuiopasdfgh"
	testAccountPassword   = "correcthorsebatt"
)

// requirePeer returns the path of an external program, skipping the test
// when it is missing unless MFPFLEET_REQUIRE_PEERS=1.
func requirePeer(t *testing.T, name string, paths ...string) string {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
		t.Fatalf("%s is not installed and MFPFLEET_REQUIRE_PEERS=1", name)
	}
	t.Skipf("%s is not installed (set MFPFLEET_REQUIRE_PEERS=1 to fail instead)", name)
	return ""
}

func startStandin(t *testing.T, o standin.Options) (*standin.Server, string) {
	t.Helper()
	if o.Account == "" {
		o.Account = testAccount
	}
	if o.AppPassword.Empty() {
		o.AppPassword = config.NewSecret(testAppPassword)
	}
	if o.AccountPassword.Empty() {
		o.AccountPassword = config.NewSecret(testAccountPassword)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := standin.Start(ctx, o)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = srv.Close()
	})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := srv.WriteCA(ca); err != nil {
		t.Fatal(err)
	}
	return srv, ca
}

func hostPort(t *testing.T, addr string) (string, int) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

// silentListener accepts connections and never says a word.
func silentListener(t *testing.T, ip string) string {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// closedPort returns an address where nothing listens.
func closedPort(t *testing.T, ip string) string {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func TestCheckAgainstStandin(t *testing.T) {
	srv, ca := startStandin(t, standin.Options{Addr: ipCheck, PlainPort: -1})
	old, oldCA := startStandin(t, standin.Options{Addr: ipOldTLS, MinTLS: tls.VersionTLS10, MaxTLS: tls.VersionTLS10})
	_, startTLSPort := hostPort(t, srv.StartTLSAddr)
	_, tlsPort := hostPort(t, srv.TLSAddr)
	_, plainPort := hostPort(t, srv.PlainAddr)
	_, oldTLSPort := hostPort(t, old.TLSAddr)
	_, silentPort := hostPort(t, silentListener(t, ipSilent))
	_, refusedPort := hostPort(t, closedPort(t, ipSilent))

	app := gmail.MustAppPassword(testAppPasswordSpaced)
	wrongApp := gmail.MustAppPassword("aaaa bbbb cccc dddd")
	acctPw := gmail.MustAppPassword(testAccountPassword)

	tests := []struct {
		name      string
		opts      gmail.CheckOptions
		fault     standin.Fault
		wantCode  gmail.Code
		wantReply int
		wantEnh   string
		wantStage gmail.Stage
		wantNext  string // a phrase of the next step
	}{
		{name: "ok starttls", opts: gmail.CheckOptions{Port: startTLSPort, Mode: gmail.ModeSTARTTLS}, wantCode: gmail.CodeOK},
		{name: "ok implicit tls", opts: gmail.CheckOptions{Port: tlsPort, Mode: gmail.ModeTLS}, wantCode: gmail.CodeOK},
		{name: "ok and send", opts: gmail.CheckOptions{Port: startTLSPort, Mode: gmail.ModeSTARTTLS, SendTo: "it.scans+mfp-check@gmail.com"}, wantCode: gmail.CodeOK},
		{name: "534 account password", opts: gmail.CheckOptions{Port: startTLSPort, Password: acctPw},
			wantCode: gmail.CodeAppPasswordRequired, wantReply: 534, wantEnh: "5.7.9", wantStage: gmail.StageAuth, wantNext: "myaccount.google.com/apppasswords"},
		{name: "535 wrong app password", opts: gmail.CheckOptions{Port: tlsPort, Mode: gmail.ModeTLS, Password: wrongApp},
			wantCode: gmail.CodeBadCredentials, wantReply: 535, wantEnh: "5.7.8", wantStage: gmail.StageAuth, wantNext: "full address"},
		{name: "535 wrong account", opts: gmail.CheckOptions{Port: startTLSPort, Account: "someone.else@gmail.com"},
			wantCode: gmail.CodeBadCredentials, wantReply: 535, wantEnh: "5.7.8", wantStage: gmail.StageAuth, wantNext: "create a new app password"},
		{name: "454 too many logins", opts: gmail.CheckOptions{Port: startTLSPort}, fault: standin.FaultTooManyLogins,
			wantCode: gmail.CodeTooManyLogins, wantReply: 454, wantEnh: "4.7.0", wantStage: gmail.StageAuth, wantNext: "wait"},
		{name: "550 daily limit", opts: gmail.CheckOptions{Port: startTLSPort, SendTo: testAccount}, fault: standin.FaultDailyLimit,
			wantCode: gmail.CodeSendingLimit, wantReply: 550, wantEnh: "5.4.5", wantStage: gmail.StageSend, wantNext: "24 hours"},
		{name: "421 try later", opts: gmail.CheckOptions{Port: tlsPort, Mode: gmail.ModeTLS}, fault: standin.FaultTryLater,
			wantCode: gmail.CodeTryLater, wantReply: 421, wantEnh: "4.7.0", wantStage: gmail.StageGreeting, wantNext: "wait"},
		{name: "no starttls offered", opts: gmail.CheckOptions{Port: plainPort, Mode: gmail.ModeSTARTTLS},
			wantCode: gmail.CodeSTARTTLSMissing, wantStage: gmail.StageTLS, wantNext: "another network"},
		{name: "refused", opts: gmail.CheckOptions{Host: ipSilent, Port: refusedPort},
			wantCode: gmail.CodeRefused, wantStage: gmail.StageConnect, wantNext: "try port 465"},
		{name: "silent server starttls", opts: gmail.CheckOptions{Host: ipSilent, Port: silentPort, Mode: gmail.ModeSTARTTLS, Timeout: 400 * time.Millisecond},
			wantCode: gmail.CodeTimeout, wantStage: gmail.StageGreeting, wantNext: "VPN"},
		{name: "silent server tls", opts: gmail.CheckOptions{Host: ipSilent, Port: silentPort, Mode: gmail.ModeTLS, Timeout: 400 * time.Millisecond},
			wantCode: gmail.CodeTimeout, wantNext: "VPN"},
		{name: "untrusted certificate", opts: gmail.CheckOptions{Port: startTLSPort, CAFile: oldCA},
			wantCode: gmail.CodeTLSUntrusted, wantStage: gmail.StageTLS, wantNext: "ca_file"},
		{name: "system roots do not trust the stand-in", opts: gmail.CheckOptions{Port: tlsPort, Mode: gmail.ModeTLS, CAFile: "-"},
			wantCode: gmail.CodeTLSUntrusted, wantStage: gmail.StageTLS, wantNext: "ca_file"},
		{name: "server only speaks TLS 1.0", opts: gmail.CheckOptions{Host: ipOldTLS, Port: oldTLSPort, Mode: gmail.ModeTLS, CAFile: oldCA},
			wantCode: gmail.CodeTLSHandshake, wantStage: gmail.StageTLS, wantNext: "TLS 1.2"},
		{name: "dns failure", opts: gmail.CheckOptions{Host: "smtp.mfpfleet.invalid", Port: 587, Resolver: deadResolver(ipSilent)},
			wantCode: gmail.CodeDNS, wantStage: gmail.StageDNS, wantNext: "smtp_host"},
		{name: "no password", opts: gmail.CheckOptions{Port: startTLSPort, Password: gmail.AppPassword{}},
			wantCode: gmail.CodeConfig, wantStage: gmail.StageConfig, wantNext: "--password-stdin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			if o.Account == "" {
				o.Account = testAccount
			}
			if o.Host == "" {
				o.Host = ipCheck
			}
			if o.Password.IsZero() && tc.name != "no password" {
				o.Password = app
			}
			switch o.CAFile {
			case "":
				o.CAFile = ca
			case "-":
				o.CAFile = ""
			}
			if o.Timeout == 0 {
				o.Timeout = 5 * time.Second
			}
			srv.SetFault(tc.fault)
			defer srv.SetFault(standin.FaultNone)

			res, err := gmail.Check(context.Background(), o)
			if tc.wantCode == gmail.CodeOK {
				if err != nil || !res.OK || !res.Authenticated {
					t.Fatalf("Check = %+v, %v; want OK", res, err)
				}
				if res.TLSVersion == "" {
					t.Errorf("no TLS version in %+v", res)
				}
				if o.SendTo != "" {
					if !res.Sent {
						t.Errorf("Sent = false")
					}
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					m, err := srv.WaitMessage(ctx, func(m standin.Message) bool { return len(m.Rcpt) == 1 && m.Rcpt[0] == o.SendTo })
					if err != nil {
						t.Fatalf("test message not at the stand-in: %v", err)
					}
					if m.AuthUser != testAccount || m.MailFrom != testAccount || !m.Delivered {
						t.Errorf("message = %+v", m)
					}
				}
				return
			}
			if err == nil || res.OK {
				t.Fatalf("Check = %+v, nil error; want %s", res, tc.wantCode)
			}
			var d *gmail.Diagnosis
			if !errors.As(err, &d) {
				t.Fatalf("error %v is not a *Diagnosis", err)
			}
			if res.Diagnosis != d {
				t.Errorf("Result.Diagnosis %+v differs from the error %+v", res.Diagnosis, d)
			}
			if d.Code != tc.wantCode {
				t.Fatalf("code = %s (%s), want %s", d.Code, d.Error(), tc.wantCode)
			}
			if d.ReplyCode != tc.wantReply || d.EnhancedCode != tc.wantEnh {
				t.Errorf("reply = %d %s, want %d %s (%s)", d.ReplyCode, d.EnhancedCode, tc.wantReply, tc.wantEnh, d.Detail)
			}
			if tc.wantStage != "" && d.Stage != tc.wantStage {
				t.Errorf("stage = %s, want %s", d.Stage, tc.wantStage)
			}
			if d.Cause == "" || !strings.Contains(d.NextStep, tc.wantNext) {
				t.Errorf("cause %q / next step %q: want a cause and %q in the next step", d.Cause, d.NextStep, tc.wantNext)
			}
		})
	}

	t.Run("password never crosses a plain connection", func(t *testing.T) {
		for _, a := range srv.AuthAttempts() {
			if a.Listener == "plain" {
				t.Errorf("an AUTH reached the plain port: %+v", a)
			}
		}
	})
}

// deadResolver is a Go resolver whose DNS server is a loopback port
// where nothing answers, so lookups fail without leaving the machine.
func deadResolver(ip string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", net.JoinHostPort(ip, "1"))
	}}
}

// TestSTARTTLSRequired530 drives the 530 5.7.0 answers with an SMTP client
// that does send AUTH in the clear (Check never does), and feeds the
// replies to Diagnose.
func TestSTARTTLSRequired530(t *testing.T) {
	srv, _ := startStandin(t, standin.Options{Addr: ipCheck, PlainPort: -1})
	for _, addr := range []string{srv.StartTLSAddr, srv.PlainAddr} {
		t.Run(addr, func(t *testing.T) {
			host, _ := hostPort(t, addr)
			dial := func() *gosmtp.Client {
				conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				c, err := gosmtp.NewClient(conn, host)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = c.Close() })
				if err := c.Hello("printer.local"); err != nil {
					t.Fatal(err)
				}
				return c
			}
			c := dial()
			if addr == srv.StartTLSAddr {
				if ok, _ := c.Extension("STARTTLS"); !ok {
					t.Errorf("STARTTLS port does not offer STARTTLS")
				}
				if ok, _ := c.Extension("AUTH"); ok {
					t.Errorf("AUTH advertised before STARTTLS")
				}
			}
			err := c.Auth(gosmtp.PlainAuth("", testAccount, testAppPassword, host, true))
			d := gmail.Diagnose(err, gmail.StageAuth, 587)
			if d == nil || d.Code != gmail.CodeSTARTTLSRequired || d.ReplyCode != 530 || d.EnhancedCode != "5.7.0" {
				t.Fatalf("AUTH before STARTTLS: %v -> %+v", err, d)
			}
			if !strings.Contains(d.Reply, "Must issue a STARTTLS command first") || !strings.Contains(d.NextStep, "587") {
				t.Errorf("diagnosis %+v", d)
			}
			err = dial().Mail(testAccount)
			if d := gmail.Diagnose(err, gmail.StageSend, 587); d == nil || d.Code != gmail.CodeSTARTTLSRequired {
				t.Errorf("MAIL before STARTTLS: %v -> %+v", err, d)
			}
		})
	}
}

func TestCheckBoth(t *testing.T) {
	srv, ca := startStandin(t, standin.Options{Addr: ipCheck})
	_, p587 := hostPort(t, srv.StartTLSAddr)
	_, p465 := hostPort(t, srv.TLSAddr)
	o := gmail.CheckOptions{Account: testAccount, Password: gmail.MustAppPassword(testAppPassword), Host: ipCheck, CAFile: ca, Timeout: 5 * time.Second}
	res, err := gmail.CheckBoth(context.Background(), o, p587, p465)
	if err != nil || len(res) != 2 || !res[0].OK || !res[1].OK || res[0].Mode != gmail.ModeSTARTTLS || res[1].Mode != gmail.ModeTLS {
		t.Fatalf("CheckBoth = %+v, %v", res, err)
	}
	res, err = gmail.CheckBoth(context.Background(), o, p587, closedPortNum(t))
	if err == nil || !res[0].OK || res[1].OK || res[1].Diagnosis.Code != gmail.CodeRefused {
		t.Fatalf("CheckBoth with 465 closed = %+v, %v", res, err)
	}
	if !strings.Contains(err.Error(), "(tls)") {
		t.Errorf("error does not name the failing port: %v", err)
	}
}

func closedPortNum(t *testing.T) int {
	_, p := hostPort(t, closedPort(t, ipCheck))
	return p
}

// TestCheckUsesAuth makes sure a check never "passes" without sending
// AUTH (go-mail's default is no AUTH at all).
func TestCheckUsesAuth(t *testing.T) {
	srv, ca := startStandin(t, standin.Options{Addr: ipCheck})
	_, p := hostPort(t, srv.StartTLSAddr)
	before := len(srv.AuthAttempts())
	_, err := gmail.Check(context.Background(), gmail.CheckOptions{Account: testAccount, Password: gmail.MustAppPassword(testAppPassword), Host: ipCheck, Port: p, CAFile: ca})
	if err != nil {
		t.Fatal(err)
	}
	a := srv.AuthAttempts()
	if len(a) != before+1 || a[len(a)-1].Code != 235 || a[len(a)-1].Mech != "PLAIN" || a[len(a)-1].Listener != "starttls" {
		t.Fatalf("auth attempts = %+v", a)
	}
}

// BenchmarkCheck measures one full preflight (TCP, TLS, EHLO, AUTH,
// QUIT) against the stand-in on loopback, per mode.
func BenchmarkCheck(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := standin.Start(ctx, standin.Options{Addr: "127.0.40.3", Account: testAccount,
		AppPassword: config.NewSecret(testAppPassword)})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ca := filepath.Join(b.TempDir(), "ca.pem")
	if err := srv.WriteCA(ca); err != nil {
		b.Fatal(err)
	}
	for _, m := range []struct {
		name string
		addr string
		mode gmail.Mode
	}{{"starttls", srv.StartTLSAddr, gmail.ModeSTARTTLS}, {"tls", srv.TLSAddr, gmail.ModeTLS}} {
		b.Run(m.name, func(b *testing.B) {
			_, p, _ := net.SplitHostPort(m.addr)
			port, _ := strconv.Atoi(p)
			o := gmail.CheckOptions{Account: testAccount, Password: gmail.MustAppPassword(testAppPassword), Host: "127.0.40.3",
				Port: port, Mode: m.mode, CAFile: ca}
			for b.Loop() {
				if _, err := gmail.Check(context.Background(), o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
