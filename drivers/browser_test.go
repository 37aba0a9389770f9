package drivers

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
)

func TestFindChromium(t *testing.T) {
	_, err := FindChromium("/nonexistent/chromium")
	if !errors.Is(err, ErrNoChromium) || !strings.Contains(err.Error(), "apt-get install chromium") {
		t.Fatalf("err = %v", err)
	}
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	_, err = FindChromium("")
	if !errors.Is(err, ErrNoChromium) || !strings.Contains(err.Error(), "apt-get install chromium-headless-shell") {
		t.Fatalf("err = %v", err)
	}
	// The headless shell is preferred over the full browser when both
	// are installed; the full browser is used when it is alone.
	for _, name := range []string{"chromium", "chromium-headless-shell"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		got, err := FindChromium("")
		if err != nil || filepath.Base(got) != name {
			t.Fatalf("with %s on PATH: FindChromium = %q, %v; want %s", name, got, err, name)
		}
	}
}

func TestFlagOption(t *testing.T) {
	// Just exercise the parser: "--a=b=c" keeps "b=c" as the value.
	for _, f := range []string{"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.*", "--no-pings", "x=y=z"} {
		if flagOption(f) == nil {
			t.Fatalf("nil option for %q", f)
		}
	}
}

// TestCertPinning: the first contact records the fingerprint; the same
// certificate passes; a new certificate on the same address is refused
// with both fingerprints and the flag to accept it; AcceptNew accepts it.
func TestCertPinning(t *testing.T) {
	b := needBrowser(t)
	ip := testIP()
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<title>ok</title>ok") })
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	s1 := httptest.NewUnstartedServer(page)
	s1.Listener.Close()
	s1.Listener = l
	s1.StartTLS()
	fp1 := Fingerprint(s1.Certificate().Raw)
	store := newMemCerts()
	ctx := tctx(t, 30*time.Second)
	open := func(accept bool) (*Tab, error) {
		return b.Open(ctx, Target{Address: addr, Certs: CertPolicy{Store: store, AcceptNew: accept}})
	}
	tab, err := open(false)
	if err != nil {
		t.Fatal(err)
	}
	if !tab.FirstContact() || tab.CertSHA256() != fp1 || store.m[addr] != fp1 {
		t.Fatalf("first contact not recorded: first=%v fp=%s store=%v", tab.FirstContact(), tab.CertSHA256(), store.m)
	}
	if _, err := tab.Navigate(ctx, "/"); err != nil {
		t.Fatalf("navigate with the pinned certificate: %v", err)
	}
	tab.Close()
	tab, err = open(false)
	if err != nil || tab.FirstContact() {
		t.Fatalf("second contact: first=%v err=%v", tab != nil && tab.FirstContact(), err)
	}
	tab.Close()

	// Same address, new certificate (the device was "replaced").
	s1.Close()
	l2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s2 := httptest.NewUnstartedServer(page)
	s2.Listener.Close()
	s2.Listener = l2
	s2.TLS = &tls.Config{Certificates: []tls.Certificate{newCert(t, ip)}}
	s2.StartTLS()
	defer s2.Close()
	fp2 := Fingerprint(s2.TLS.Certificates[0].Certificate[0])
	if fp2 == fp1 {
		t.Fatal("test setup: same certificate")
	}
	_, err = open(false)
	if !errors.Is(err, ErrCertChanged) || IsRetryable(err) {
		t.Fatalf("changed certificate: err = %v, want ErrCertChanged, not retryable", err)
	}
	for _, want := range []string{FormatFingerprint(fp1), FormatFingerprint(fp2), "--accept-new-cert " + addr} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if store.m[addr] != fp1 || store.mismatch[addr] != fp2 {
		t.Errorf("store after refusal: %v mismatch %v", store.m, store.mismatch)
	}
	tab, err = open(true)
	if err != nil {
		t.Fatalf("--accept-new-cert: %v", err)
	}
	defer tab.Close()
	if store.m[addr] != fp2 {
		t.Errorf("new certificate not recorded")
	}
	if _, err := tab.Navigate(ctx, "/"); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserCertCheck: the certificate Chromium sees is compared with the
// pinned one, so a swap after the pre-check is caught before a password
// is typed.
func TestBrowserCertCheck(t *testing.T) {
	_, addr := serve(t, testIP(), true, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	tab := openTab(t, addr, false)
	tab.certFP = strings.Repeat("ab", 32) // pretend another certificate was pinned
	_, err := tab.Navigate(tctx(t, 10*time.Second), "/")
	if !errors.Is(err, ErrCertChanged) {
		t.Fatalf("err = %v, want ErrCertChanged", err)
	}
}

func TestHTTPFallback(t *testing.T) {
	b := needBrowser(t)
	_, addr := serve(t, testIP(), false, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "plain") }))
	ctx := tctx(t, 20*time.Second)
	_, err := b.Open(ctx, Target{Address: addr, HTTPPort: portOf(addr)})
	if !errors.Is(err, ErrNoHTTPS) || !strings.Contains(err.Error(), "allow_http") {
		t.Fatalf("err = %v, want ErrNoHTTPS naming allow_http", err)
	}
	tab, err := b.Open(ctx, Target{Address: addr, AllowHTTP: true, HTTPPort: portOf(addr)})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	if tab.HTTPS() || !strings.HasPrefix(tab.BaseURL(), "http://") {
		t.Fatalf("base %s", tab.BaseURL())
	}
	pg, err := tab.Navigate(ctx, "/")
	if err != nil || pg.Status != 200 || pg.TLS != "" {
		t.Fatalf("pg %+v err %v", pg, err)
	}
	// Nothing listening at all: transient.
	l, _ := net.Listen("tcp", testIP()+":0")
	dead := l.Addr().String()
	l.Close()
	_, err = b.Open(ctx, Target{Address: dead, AllowHTTP: true, HTTPPort: portOf(dead)})
	if !errors.Is(err, ErrTransient) || !IsRetryable(err) {
		t.Fatalf("device down: err = %v, want transient", err)
	}
}

// TestTransientFailures: a slow page, a device that goes away mid-session
// and a dropped connection are transient and retryable, and the tab
// survives a time-out.
func TestTransientFailures(t *testing.T) {
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<title>home</title>home") })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/drop", func(w http.ResponseWriter, r *http.Request) {
		hj, _ := w.(http.Hijacker)
		c, _, _ := hj.Hijack()
		c.Close()
	})
	srv, addr := serve(t, testIP(), true, mux)
	defer close(release)
	tab := openTab(t, addr, false)

	ctx := tctx(t, 10*time.Second)
	if _, err := tab.Navigate(ctx, "/"); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	_, err := tab.Navigate(short, "/slow")
	cancel()
	if !errors.Is(err, ErrTransient) || !IsRetryable(err) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("slow page: err = %v, want a transient time-out", err)
	}
	// The tab survives its step's time-out.
	if _, err := tab.Navigate(ctx, "/"); err != nil {
		t.Fatalf("tab unusable after a time-out: %v", err)
	}
	_, err = tab.Navigate(ctx, "/drop")
	if !errors.Is(err, ErrTransient) {
		t.Fatalf("dropped connection: err = %v, want transient", err)
	}
	srv.Close()
	_, err = tab.Navigate(ctx, "/")
	if !errors.Is(err, ErrTransient) {
		t.Fatalf("device down: err = %v, want transient", err)
	}
	// A caller's own cancellation is not dressed up as transient.
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	_, err = tab.Navigate(cctx, "/")
	if err == nil || errors.Is(err, ErrTransient) {
		t.Fatalf("cancelled: err = %v, want the cancellation", err)
	}
}

func TestBasicAuthHeader(t *testing.T) {
	pw := config.NewSecret("x-admin-secret")
	var favicons atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/favicon.ico" {
			favicons.Add(1)
		}
		u, p, ok := r.BasicAuth()
		if !ok || u != "admin" || p != pw.Reveal() {
			w.Header().Set("WWW-Authenticate", `Basic realm="EWS"`)
			w.WriteHeader(401)
			fmt.Fprint(w, "unauthorized")
			return
		}
		if strings.Contains(r.URL.String(), pw.Reveal()) {
			t.Errorf("password in the URL")
		}
		fmt.Fprint(w, "<title>in</title>welcome")
	})
	_, addr := serve(t, testIP(), true, h)
	tab := openTab(t, addr, false)
	ctx := tctx(t, 10*time.Second)
	pg, err := tab.Navigate(ctx, "/")
	if err != nil || pg.Status != 401 {
		t.Fatalf("without credentials: %+v %v", pg, err)
	}
	if err := tab.SetBasicAuth(ctx, "admin", pw); err != nil {
		t.Fatal(err)
	}
	pg, err = tab.Navigate(ctx, "/")
	if err != nil || pg.Status != 200 {
		t.Fatalf("with credentials: %+v %v", pg, err)
	}
	time.Sleep(300 * time.Millisecond)
	if n := favicons.Load(); n != 0 {
		t.Errorf("%d favicon requests: each is a login attempt on an HTTP Basic device", n)
	}
	if got := tab.Scrub("Basic " + "YWRtaW46eC1hZG1pbi1zZWNyZXQ="); strings.Contains(got, "YWRta") {
		t.Errorf("basic token not scrubbed: %s", got)
	}
}

func TestBrowserContextsIsolateCookies(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "PHPSESSID", Value: "s1", Path: "/"})
		}
		c, _ := r.Cookie("PHPSESSID")
		if c != nil {
			fmt.Fprint(w, "cookie="+c.Value)
			return
		}
		fmt.Fprint(w, "cookie=none")
	})
	_, addr := serve(t, testIP(), true, h)
	ctx := tctx(t, 15*time.Second)
	a := openTab(t, addr, false)
	if _, err := a.Navigate(ctx, "/set"); err != nil {
		t.Fatal(err)
	}
	b := openTab(t, addr, false)
	if _, err := b.Navigate(ctx, "/"); err != nil {
		t.Fatal(err)
	}
	txt, _ := b.Text(ctx)
	if txt != "cookie=none" {
		t.Fatalf("second tab sees the first tab's session: %q", txt)
	}
	if _, err := a.Navigate(ctx, "/"); err != nil {
		t.Fatal(err)
	}
	if txt, _ := a.Text(ctx); txt != "cookie=s1" {
		t.Fatalf("first tab lost its cookie: %q", txt)
	}
}

// TestOldTLSRefused: a web admin that only speaks TLS 1.0 is reported as
// unsupported, not retried and never downgraded to HTTP.
func TestOldTLSRefused(t *testing.T) {
	b := needBrowser(t)
	ip := testIP()
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "old") }))
	s.Listener.Close()
	s.Listener = l
	s.TLS = &tls.Config{Certificates: []tls.Certificate{newCert(t, ip)}, MaxVersion: tls.VersionTLS10, MinVersion: tls.VersionTLS10}
	s.StartTLS()
	defer s.Close()
	_, err = b.Open(tctx(t, 20*time.Second), Target{Address: l.Addr().String(), AllowHTTP: true, HTTPPort: portOf(l.Addr().String())})
	if !errors.Is(err, ErrUnsupported) || IsRetryable(err) || !strings.Contains(err.Error(), "handshake") {
		t.Fatalf("err = %v, want an unsupported handshake", err)
	}
}
