package gmail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

// TestSwaksAgainstStandin: swaks (Debian's, written by nobody here)
// authenticates to the stand-in with LOGIN and PLAIN, over STARTTLS and
// implicit TLS, and each message is then found over IMAP by Confirm.
// The password reaches swaks through SWAKS_OPT_auth_password, not argv.
func TestSwaksAgainstStandin(t *testing.T) {
	swaks := requirePeer(t, "swaks", "/usr/bin/swaks")
	srv, ca := startStandin(t, standin.Options{Addr: ipSwaks})
	host, startTLSPort := hostPort(t, srv.StartTLSAddr)
	_, tlsPort := hostPort(t, srv.TLSAddr)
	_, imapPort := hostPort(t, srv.IMAPAddr)

	run := func(t *testing.T, password string, args ...string) (string, error) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, swaks, append([]string{"--server", host, "--auth-user", testAccount,
			"--from", "swaks@printers.example", "--timeout", "10"}, args...)...)
		cmd.Env = append(os.Environ(), "SWAKS_OPT_auth_password="+password)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	tests := []struct {
		name string
		args []string
	}{
		{"starttls login", []string{"--port", strconv.Itoa(startTLSPort), "--tls", "--auth", "LOGIN"}},
		{"starttls plain", []string{"--port", strconv.Itoa(startTLSPort), "--tls", "--auth", "PLAIN"}},
		{"implicit tls login", []string{"--port", strconv.Itoa(tlsPort), "--tlsc", "--auth", "LOGIN"}},
		{"implicit tls plain", []string{"--port", strconv.Itoa(tlsPort), "--tlsc", "--auth", "PLAIN"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			to, err := gmail.PlusAddress(testAccount, gmail.NewToken("SWAKS"))
			if err != nil {
				t.Fatal(err)
			}
			subject := "swaks " + tc.name
			out, err := run(t, testAppPassword, append(tc.args, "--to", to, "--header", "Subject: "+subject)...)
			if err != nil {
				t.Fatalf("swaks: %v\n%s", err, out)
			}
			if strings.Contains(tc.name, "login") && (!strings.Contains(out, "334 VXNlcm5hbWU6") || !strings.Contains(out, "334 UGFzc3dvcmQ6")) {
				t.Errorf("LOGIN prompts not in the transcript:\n%s", out)
			}
			a, err := gmail.Confirm(context.Background(), gmail.ConfirmOptions{Account: testAccount, Password: gmail.MustAppPassword(testAppPassword),
				Host: host, Port: imapPort, CAFile: ca, To: to, Timeout: 10 * time.Second, PollInitial: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if a.From != "swaks@printers.example" || a.Subject != subject {
				t.Errorf("arrival = %+v", a)
			}
		})
	}
	t.Run("normal password gets 534", func(t *testing.T) {
		out, err := run(t, testAccountPassword, "--port", strconv.Itoa(startTLSPort), "--tls", "--auth", "LOGIN", "--to", testAccount)
		if err == nil || !strings.Contains(out, "534 5.7.9 Application-specific password required") {
			t.Fatalf("swaks: %v\n%s", err, out)
		}
		if d := gmail.DiagnoseReply(out); d == nil || d.Code != gmail.CodeAppPasswordRequired {
			t.Errorf("DiagnoseReply on the transcript = %+v", d)
		}
	})
	t.Run("no AUTH offered before STARTTLS", func(t *testing.T) {
		out, err := run(t, testAppPassword, "--port", strconv.Itoa(startTLSPort), "--auth", "PLAIN", "--to", testAccount)
		if err == nil || strings.Contains(out, "235 ") {
			t.Fatalf("swaks authenticated without TLS:\n%s", out)
		}
		if !strings.Contains(out, "250-STARTTLS") || strings.Contains(out, "250-AUTH") || strings.Contains(out, "250 AUTH") {
			t.Errorf("EHLO before TLS should offer STARTTLS and no AUTH:\n%s", out)
		}
	})
}

// TestCheckAgainstMailpit: Check passes and fails correctly against
// Mailpit, a real SMTP server nobody here wrote, with an auth file, a TLS
// certificate and STARTTLS required.
func TestCheckAgainstMailpit(t *testing.T) {
	mailpit := requirePeer(t, "mailpit", "/root/go/bin/mailpit")
	dir := t.TempDir()
	certFile, keyFile := writeSelfSigned(t, dir, ipMailpit)
	authFile := filepath.Join(dir, "auth.txt")
	if err := os.WriteFile(authFile, []byte(testAccount+":"+testAppPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	smtpAddr := freeAddr(t, ipMailpit)
	httpAddr := freeAddr(t, ipMailpit)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, mailpit, "--listen", httpAddr, "--smtp", smtpAddr,
		"--smtp-auth-file", authFile, "--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile,
		"--smtp-require-starttls", "--smtp-disable-rdns", "--disable-version-check",
		"--database", filepath.Join(dir, "mail.db"))
	logFile, _ := os.Create(filepath.Join(dir, "mailpit.log"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		_ = logFile.Close()
	})
	waitHTTP(t, "http://"+httpAddr+"/readyz", 15*time.Second)

	host, port := hostPort(t, smtpAddr)
	base := gmail.CheckOptions{Account: testAccount, Password: gmail.MustAppPassword(testAppPasswordSpaced), Host: host, Port: port,
		Mode: gmail.ModeSTARTTLS, CAFile: certFile, Timeout: 10 * time.Second}

	t.Run("ok with send", func(t *testing.T) {
		o := base
		o.SendTo = "it.scans+mfp-mailpit@gmail.com"
		res, err := gmail.Check(context.Background(), o)
		if err != nil || !res.OK || !res.Sent {
			t.Fatalf("Check = %+v, %v", res, err)
		}
		var list struct {
			Messages []struct {
				Subject  string
				Username string
				To       []struct{ Address string }
			} `json:"messages"`
		}
		getJSON(t, "http://"+httpAddr+"/api/v1/messages", &list)
		// Mailpit records Username only for AUTH LOGIN, not PLAIN (which
		// go-mail picks); with an auth file it refuses unauthenticated mail.
		if len(list.Messages) != 1 || len(list.Messages[0].To) != 1 ||
			list.Messages[0].To[0].Address != o.SendTo || !strings.HasPrefix(list.Messages[0].Subject, "mfpfleet preflight") {
			t.Errorf("mailpit has %+v", list.Messages)
		}
	})
	t.Run("wrong app password", func(t *testing.T) {
		o := base
		o.Password = gmail.MustAppPassword("aaaabbbbccccdddd")
		_, err := gmail.Check(context.Background(), o)
		var d *gmail.Diagnosis
		if !errors.As(err, &d) || d.Code != gmail.CodeBadCredentials || d.ReplyCode != 535 || d.EnhancedCode != "5.7.8" {
			t.Fatalf("err = %v (%+v)", err, d)
		}
	})
	t.Run("wrong account", func(t *testing.T) {
		o := base
		o.Account = "other@gmail.com"
		_, err := gmail.Check(context.Background(), o)
		var d *gmail.Diagnosis
		if !errors.As(err, &d) || d.Code != gmail.CodeBadCredentials {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("implicit tls on a starttls port", func(t *testing.T) {
		o := base
		o.Mode = gmail.ModeTLS
		o.Timeout = 3 * time.Second
		_, err := gmail.Check(context.Background(), o)
		var d *gmail.Diagnosis
		if !errors.As(err, &d) || (d.Code != gmail.CodeTLSHandshake && d.Code != gmail.CodeTimeout) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		o := base
		o.CAFile = ""
		_, err := gmail.Check(context.Background(), o)
		var d *gmail.Diagnosis
		if !errors.As(err, &d) || d.Code != gmail.CodeTLSUntrusted {
			t.Fatalf("err = %v", err)
		}
	})
}

// writeSelfSigned writes a self-signed server certificate for ip.
func writeSelfSigned(t *testing.T, dir, ip string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "mailpit test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP(ip)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func freeAddr(t *testing.T, ip string) string {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHTTP(t *testing.T, url string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s not ready after %v", url, d)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(fmt.Errorf("GET %s: %w", url, err))
	}
}
