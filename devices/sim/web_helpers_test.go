package sim

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

// The web-side tests use 127.0.35.0 - 127.0.39.255. Each test takes its
// own address so runs never collide.
var nextTestAddr atomic.Uint32

func testAddr(t *testing.T) netip.Addr {
	t.Helper()
	n := nextTestAddr.Add(1)
	a := netip.AddrFrom4([4]byte{127, 0, byte(35 + n/250), byte(1 + n%250)})
	if a.As4()[2] > 38 { // 127.0.39.0/24 is the fleet tests' block
		t.Fatalf("test address block exhausted at %s", a)
	}
	return a
}

// requirePeer skips (or, with MFPFLEET_REQUIRE_PEERS=1, fails) when an
// external binary is missing.
func requirePeer(t *testing.T, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
		t.Fatalf("%s not found on PATH and MFPFLEET_REQUIRE_PEERS=1", strings.Join(names, " / "))
	}
	t.Skipf("%s not found on PATH", strings.Join(names, " / "))
	return ""
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

const (
	testAccount     = "scans.demo@gmail.com"
	testAppPassword = "abcdefghijklmnop"
)

// gmailStandin starts the Gmail helper's stand-in on its own address.
func gmailStandin(t *testing.T, minTLS uint16) *standin.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s, err := standin.Start(ctx, standin.Options{
		Addr: testAddr(t).String(), Account: testAccount,
		AppPassword: config.NewSecret(testAppPassword), AccountPassword: config.NewSecret("normal-password-1"),
		MinTLS: minTLS, Logger: testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// routesTo sends smtp.gmail.com's ports to the stand-in.
func routesTo(s *standin.Server) map[string]string {
	return map[string]string{
		"smtp.gmail.com:587": s.StartTLSAddr,
		"smtp.gmail.com:25":  s.StartTLSAddr,
		"smtp.gmail.com:465": s.TLSAddr,
	}
}

// startDevice makes a device and serves its web admin on a fresh test
// address with ephemeral ports.
func startDevice(t *testing.T, o DeviceOptions) *Device {
	t.Helper()
	if o.Serial == "" {
		o.Serial = "XTS" + fmt.Sprint(nextTestAddr.Load()+100000)
	}
	if o.Logger == nil {
		o.Logger = testLogger(t)
	}
	d, err := NewDevice(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); _ = d.Close() })
	if err := d.Serve(ctx, testAddr(t), 0, 0); err != nil {
		t.Fatal(err)
	}
	return d
}

// browser is an HTTP client with cookies that pins the device's
// certificate, as a technician's browser would after accepting it.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
}

func newBrowser(t *testing.T, d *Device) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	fp := d.CertFingerprint()
	tr := &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, // self-signed: pinned below instead
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			sum := sha256.Sum256(raw[0])
			if hex.EncodeToString(sum[:]) != fp {
				return fmt.Errorf("certificate changed")
			}
			return nil
		},
	}, DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &browser{t: t, c: &http.Client{Jar: jar, Transport: tr, Timeout: 60 * time.Second}, base: d.HTTPSURL()}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var (
	reCSRF     = regexp.MustCompile(`name="CSRFToken" value="([0-9a-f]+)"`)
	reRedirect = regexp.MustCompile(`window\.location\.replace\("([^"]+)"\)`)
)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := reCSRF.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRFToken in page:\n%s", body)
	}
	return m[1]
}

// redirectOf is where a 200 "please wait" page sends the browser.
func redirectOf(t *testing.T, body string) string {
	t.Helper()
	m := reRedirect.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no redirect in page:\n%s", body)
	}
	s := strings.ReplaceAll(m[1], `\/`, `/`)
	s = strings.ReplaceAll(s, `\u0026`, `&`)
	return s
}

// imapFind logs into the stand-in's mailbox over IMAP (TLS) and returns
// the subjects of the messages addressed to to.
func imapFind(t *testing.T, s *standin.Server, to string) []string {
	t.Helper()
	cfg := s.ClientTLS()
	c, err := imapclient.DialTLS(s.IMAPAddr, &imapclient.Options{TLSConfig: cfg})
	if err != nil {
		t.Fatalf("imap dial: %v", err)
	}
	defer c.Close()
	if err := c.Login(testAccount, testAppPassword).Wait(); err != nil {
		t.Fatalf("imap login: %v", err)
	}
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("imap select: %v", err)
	}
	sd, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "To", Value: to}}}, nil).Wait()
	if err != nil {
		t.Fatalf("imap search: %v", err)
	}
	uids := sd.AllUIDs()
	if len(uids) == 0 {
		return nil
	}
	var set imap.UIDSet
	set.AddNum(uids...)
	msgs, err := c.Fetch(set, &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil {
		t.Fatalf("imap fetch: %v", err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.Envelope.Subject)
	}
	_ = c.Logout().Wait()
	return out
}

// gmailSettings are the settings a correct push writes.
func gmailSettings(port int) SMTPSettings {
	sec := SecuritySTARTTLS
	if port == 465 {
		sec = SecurityTLS
	}
	return SMTPSettings{Server: "smtp.gmail.com", Port: port, From: testAccount, Security: sec, ValidateCert: true, Auth: AuthSMTP, User: testAccount}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// checkAdminPeek reports whether pw is the admin password without
// counting a failure.
func (d *Device) checkAdminPeek(pw string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.adminPW == pw
}
