package drivers

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"
)

// Tests here run real Chromium against small pages served on
// 127.0.50.0/24 (not 127.0.0.1, to catch resolver-rule mistakes).

var (
	testBrowser  *Browser
	browserErr   error
	artifactsDir string
)

// testFlags are the flags every test browser gets: no DNS leaves the box.
var testFlags = []string{"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.*"}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "drivers-artifacts-")
	if err != nil {
		panic(err)
	}
	artifactsDir = dir
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	testBrowser, browserErr = NewBrowser(ctx, BrowserOptions{Flags: testFlags, ArtifactsDir: dir, Logger: testLogger()})
	cancel()
	code := m.Run()
	if testBrowser != nil {
		testBrowser.Close()
	}
	if os.Getenv("MFPFLEET_KEEP_ARTIFACTS") == "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

func testLogger() *slog.Logger {
	if os.Getenv("MFPFLEET_TEST_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// needBrowser skips (or fails under MFPFLEET_REQUIRE_PEERS=1) when
// Chromium is missing.
func needBrowser(t testing.TB) *Browser {
	t.Helper()
	if testBrowser == nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			t.Fatalf("chromium required (MFPFLEET_REQUIRE_PEERS=1): %v", browserErr)
		}
		t.Skipf("chromium not available: %v", browserErr)
	}
	return testBrowser
}

var (
	ipMu   sync.Mutex
	nextIP = 10
)

// testIP returns a fresh address in 127.0.50.0/24.
func testIP() string {
	ipMu.Lock()
	defer ipMu.Unlock()
	nextIP++
	return fmt.Sprintf("127.0.50.%d", nextIP)
}

// serve starts h on ip:0, over TLS when tlsOn, and returns the address
// (ip:port).
func serve(t testing.TB, ip string, tlsOn bool, h http.Handler) (*httptest.Server, string) {
	t.Helper()
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewUnstartedServer(h)
	s.Listener.Close()
	s.Listener = l
	if tlsOn {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s, l.Addr().String()
}

// memCerts is an in-memory CertStore.
type memCerts struct {
	mu       sync.Mutex
	m        map[string]string
	mismatch map[string]string
}

func newMemCerts() *memCerts { return &memCerts{m: map[string]string{}, mismatch: map[string]string{}} }

func (c *memCerts) CertFingerprint(_ context.Context, a string) (string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fp, ok := c.m[a]
	return fp, ok, nil
}

func (c *memCerts) SetCertFingerprint(_ context.Context, a, fp string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[a]; ok && old != fp {
		return ErrCertChanged
	}
	c.m[a] = fp
	return nil
}

func (c *memCerts) AcceptNewCert(_ context.Context, a, fp string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[a] = fp
	return nil
}

func (c *memCerts) RecordCertMismatch(_ context.Context, a, fp string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mismatch[a] = fp
	return nil
}

// openTab opens a tab on addr (HTTPS when the server has TLS).
func openTab(t testing.TB, addr string, allowHTTP bool) *Tab {
	t.Helper()
	b := needBrowser(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tab, err := b.Open(ctx, Target{Address: addr, AllowHTTP: allowHTTP, HTTPPort: portOf(addr)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tab.Close() })
	return tab
}

func portOf(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	var n int
	fmt.Sscan(p, &n)
	return n
}

func tctx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// newCert makes a self-signed certificate for ip.
func newCert(t testing.TB, ip string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: ip},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP(ip)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
