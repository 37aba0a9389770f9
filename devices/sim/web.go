package sim

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"
)

// session is one web-admin session (ConnectKey PHPSESSID, VersaLink ssid).
type session struct {
	id       string
	csrf     string
	admin    bool
	lastUsed time.Time
	requests int
	redir    string
	flash    string // one-shot message shown on the next page
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newSession makes and stores an anonymous session.
func (d *Device) newSession() *session {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := &session{id: randomToken(16), csrf: randomToken(16), lastUsed: time.Now()}
	d.sessions[s.id] = s
	return s
}

// lookupSession returns the live session called id, counting an
// authenticated request against the DropSessionAfter fault. It returns
// nil for an unknown, expired or dropped session.
func (d *Device) lookupSession(id string) *session {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.sessions[id]
	if s == nil {
		return nil
	}
	if time.Since(s.lastUsed) > d.opts.SessionTTL {
		delete(d.sessions, id)
		return nil
	}
	s.lastUsed = time.Now()
	if s.admin {
		s.requests++
		if n := d.faults.DropSessionAfter; n > 0 && s.requests > n {
			delete(d.sessions, id)
			d.log.Warn("admin session dropped (fault)", "after_requests", n)
			return nil
		}
	}
	return s
}

func (d *Device) dropSession(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.sessions, id)
}

// isAdmin reports whether s is a live admin session.
func (d *Device) isAdmin(s *session) bool {
	if s == nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return s.admin
}

// withSession runs f on a live session under the device lock.
func (d *Device) withSession(s *session, f func(*session)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f(s)
}

// Handler is the device's web admin (both HTTPS and HTTP serve it).
func (d *Device) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/_sim/", d.serveControl)
	d.admin.Routes(d, mux)
	return d.middleware(mux)
}

// middleware adds what every page shares: the reboot fault (connection
// closed without an answer), the latency model's and the slow-page fault's
// delays (added up) and the Server header.
func (d *Device) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		isControl := len(r.URL.Path) >= 6 && r.URL.Path[:6] == "/_sim/"
		if !isControl && d.down() {
			hangUp(w)
			return
		}
		delay := d.Faults().Slow
		if !isControl {
			delay += d.lat.requestDelay(r)
		}
		if delay > 0 && !isControl {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if d.admin.Server != "" {
			w.Header().Set("Server", d.admin.Server)
		}
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// hangUp closes the client's connection without an answer, as a device
// that is rebooting does.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			c.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// serveControl is the simulator's own control surface, not part of any
// real device: /_sim/state, /_sim/scan?to=, /_sim/powercycle,
// /_sim/jobs.
func (d *Device) serveControl(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_sim/state":
		writeJSON(w, http.StatusOK, d.State())
	case "/_sim/jobs":
		writeJSON(w, http.StatusOK, d.Jobs())
	case "/_sim/scan":
		if r.Method != http.MethodPost && r.Method != http.MethodGet {
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return
		}
		to := r.FormValue("to")
		if to == "" {
			http.Error(w, "missing ?to=ADDRESS", http.StatusBadRequest)
			return
		}
		j := d.ScanToEmail(r.Context(), to)
		code := http.StatusOK
		if !j.OK {
			code = http.StatusBadGateway
		}
		writeJSON(w, code, j)
	case "/_sim/powercycle":
		if r.Method != http.MethodPost {
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return
		}
		d.PowerCycle()
		writeJSON(w, http.StatusOK, d.State())
	default:
		http.NotFound(w, r)
	}
}

// State is a device's observable state, without secrets.
type State struct {
	Model        string       `json:"model"`
	Family       string       `json:"family"`
	Serial       string       `json:"serial"`
	MAC          string       `json:"mac"`
	Firmware     string       `json:"firmware"`
	SMTPTLS      string       `json:"smtp_tls"`
	URLs         []string     `json:"urls"`
	CertSHA256   string       `json:"cert_sha256"`
	SMTP         SMTPSettings `json:"smtp"`
	FailedLogins int          `json:"failed_logins"`
	LockedOut    bool         `json:"locked_out"`
	PowerCycles  int          `json:"power_cycles"`
	Faults       Faults       `json:"faults"`
	Jobs         int          `json:"jobs"`
}

// State returns the device's state for the control endpoint and logs.
func (d *Device) State() State {
	st := State{
		Model: d.opts.Model, Family: d.opts.Family, Serial: d.opts.Serial, MAC: d.opts.MAC,
		Firmware: d.opts.Firmware, SMTPTLS: d.opts.SMTPTLS, URLs: d.URLs(),
		SMTP: d.SMTP(),
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	st.CertSHA256 = d.certFP
	st.FailedLogins = d.failed
	st.LockedOut = d.locked
	st.PowerCycles = d.powerCycles
	st.Faults = d.faults
	st.Jobs = len(d.jobs)
	return st
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// Serve starts the web admin on addr: HTTPS on httpsPort and, when
// httpPort is not negative, plain HTTP on httpPort (0 = an ephemeral
// port for either). It returns once both listen; they stop when ctx ends
// or Close is called.
func (d *Device) Serve(ctx context.Context, addr netip.Addr, httpsPort, httpPort int) error {
	if !addr.Unmap().IsLoopback() {
		return fmt.Errorf("sim: %s is not a loopback address: the simulator serves on 127.0.0.0/8 only", addr)
	}
	d.webMu.Lock()
	first := !d.addr.IsValid()
	d.addr = addr
	d.webMu.Unlock()
	if first {
		if err := d.ReplaceCertificate(); err != nil { // now with the address in it
			return err
		}
	}
	h := d.Handler()
	var lc net.ListenConfig
	type lst struct {
		ln     net.Listener
		scheme string
	}
	var ls []lst
	ln, err := lc.Listen(ctx, "tcp", netip.AddrPortFrom(addr, uint16(httpsPort)).String())
	if err != nil {
		return fmt.Errorf("sim: %s: web admin (HTTPS): %w", addr, err)
	}
	ls = append(ls, lst{tls.NewListener(ln, &tls.Config{GetCertificate: d.getCertificate, MinVersion: tls.VersionTLS12}), "https"})
	if httpPort >= 0 {
		ln, err := lc.Listen(ctx, "tcp", netip.AddrPortFrom(addr, uint16(httpPort)).String())
		if err != nil {
			ls[0].ln.Close()
			return fmt.Errorf("sim: %s: web admin (HTTP): %w", addr, err)
		}
		ls = append(ls, lst{ln, "http"})
	}
	d.webMu.Lock()
	defer d.webMu.Unlock()
	for _, l := range ls {
		srv := &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			// Real devices speak HTTP/1.1; an empty map also keeps
			// Hijack (the reboot fault) working over TLS.
			TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
			// TLS handshake errors (a browser refusing the self-signed
			// certificate) are routine: debug level.
			ErrorLog: slog.NewLogLogger(d.log.Handler(), slog.LevelDebug),
		}
		srv.SetKeepAlivesEnabled(true)
		d.web = append(d.web, srv)
		ap := l.ln.Addr().(*net.TCPAddr).AddrPort()
		u := l.scheme + "://" + netip.AddrPortFrom(addr, ap.Port()).String()
		if (l.scheme == "https" && ap.Port() == 443) || (l.scheme == "http" && ap.Port() == 80) {
			u = l.scheme + "://" + addr.String()
		}
		d.webURLs = append(d.webURLs, u)
		go func() { _ = srv.Serve(l.ln) }()
	}
	context.AfterFunc(ctx, func() { d.Close() })
	return nil
}

// URLs are the web admin's base URLs, HTTPS first.
func (d *Device) URLs() []string {
	d.webMu.Lock()
	defer d.webMu.Unlock()
	return append([]string(nil), d.webURLs...)
}

// HTTPSURL is the web admin's HTTPS base URL ("" before Serve).
func (d *Device) HTTPSURL() string {
	for _, u := range d.URLs() {
		if len(u) > 5 && u[:6] == "https:" {
			return u
		}
	}
	return ""
}

// HTTPURL is the web admin's plain-HTTP base URL ("" when not served).
func (d *Device) HTTPURL() string {
	for _, u := range d.URLs() {
		if len(u) > 4 && u[:5] == "http:" {
			return u
		}
	}
	return ""
}

// Addr is the address the device serves on (invalid before Serve).
func (d *Device) Addr() netip.Addr {
	d.webMu.Lock()
	defer d.webMu.Unlock()
	return d.addr
}

// Close stops the web admin.
func (d *Device) Close() error {
	d.webMu.Lock()
	srvs := d.web
	d.web = nil
	d.webMu.Unlock()
	var errs []error
	for _, s := range srvs {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := s.Shutdown(ctx); err != nil {
			errs = append(errs, s.Close())
		}
		cancel()
	}
	return errors.Join(errs...)
}

// render executes a page template.
func render(w http.ResponseWriter, t *template.Template, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := t.ExecuteTemplate(w, name, data); err != nil {
		http.Error(w, "template: "+err.Error(), http.StatusInternalServerError)
	}
}
