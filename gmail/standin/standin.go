// Package standin is a local Gmail for tests, the simulator (mfpsim) and
// the README's demo: SMTP with STARTTLS on one port and implicit TLS on
// another, AUTH PLAIN and LOGIN that accept only the configured app
// password and answer with Gmail's own reply codes and texts, delivery of
// the account's (plus-)addressed mail into an INBOX served over IMAP with
// implicit TLS, and a throw-away CA that clients trust through a file.
//
// It listens on loopback only. Nothing here is meant for real mail.
package standin

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-smtp"

	"github.com/mfpfleet/mfpfleet/config"
)

// Fault makes the stand-in answer like a Gmail that is limiting the
// account. Set it with Server.SetFault.
type Fault int

// The faults.
const (
	FaultNone Fault = iota
	// FaultTooManyLogins answers every AUTH with 454 4.7.0.
	FaultTooManyLogins
	// FaultDailyLimit answers MAIL FROM with 550 5.4.5.
	FaultDailyLimit
	// FaultTryLater answers EHLO/HELO with 421 4.7.0.
	FaultTryLater
)

// Gmail's replies, word for word where known.
var (
	replyAppPassword = &smtp.SMTPError{Code: 534, EnhancedCode: smtp.EnhancedCode{5, 7, 9},
		Message: "Application-specific password required. For more information, go to https://support.google.com/mail/?p=InvalidSecondFactor"}
	replyBadCredentials = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8},
		Message: "Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials"}
	replySTARTTLSFirst = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0},
		Message: "Must issue a STARTTLS command first."}
	replyAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0},
		Message: "Authentication Required. For more information, go to https://support.google.com/mail/?p=WantAuthError"}
	replyTooManyLogins = &smtp.SMTPError{Code: 454, EnhancedCode: smtp.EnhancedCode{4, 7, 0},
		Message: "Too many login attempts, please try again later. For more information, go to https://support.google.com/mail/answer/7126229"}
	replyDailyLimit = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 4, 5},
		Message: "Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852"}
	replyTryLater = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0},
		Message: "Try again later, closing connection. (EHLO)"}
	replyBadMechanism = &smtp.SMTPError{Code: 504, EnhancedCode: smtp.EnhancedCode{5, 7, 4},
		Message: "Unrecognized authentication type."}
)

// The relay's replies (smtp-relay.gmail.com), word for word where known;
// %s is the client's IP as the relay saw it.
const (
	relayDeniedText = "Mail relay denied [%s]. Invalid credentials for relay for one of the domains in: %s (as obtained from HELO and MAIL FROM). Email is being sent from a domain or IP address which isn't registered in your Workspace account. Please login to your Workspace account and verify that your domain is registered. For more information, go to https://support.google.com/a/answer/6140680#maildenied"
	relayDomainText = "Invalid credentials for relay [%s]. The IP address you've registered in your Workspace SMTP Relay service doesn't match the domain of the account this email is being sent from. If you are trying to relay mail from a domain that isn't registered under your Workspace account or has empty envelope-from, you must configure your mail server either to use SMTP AUTH to identify the sending domain or to present one of your domain names in the HELO or EHLO command. For more information, go to https://support.google.com/a/answer/6140680#invalidcred"
	relayLimitText  = "Daily SMTP relay limit exceeded for user. For more information on SMTP relay sending limits please visit https://support.google.com/a/answer/166852"
)

// RelayOptions turn on the Workspace SMTP relay (smtp-relay.gmail.com)
// next to the Gmail ports: the same mailbox, its own ports, and the
// relay's rules — an allow-list of client addresses (Admin console "Only
// accept mail from the specified IP addresses"), the client's domains
// ("Only addresses in my domains"), optional SMTP AUTH ("Require SMTP
// Authentication") and the EHLO rule (localhost, IP literals and
// single-label names are dropped with 421 4.7.0).
type RelayOptions struct {
	// StartTLSPort and TLSPort fix the relay's ports; 0 = ephemeral.
	StartTLSPort, TLSPort int
	// AllowedIPs are the client addresses (or CIDRs) relayed without AUTH.
	AllowedIPs []string
	// Domains are the Workspace's domains; the envelope sender must be in
	// one of them (subdomains count). Empty: the account's domain.
	Domains []string
	// RequireAuth refuses unauthenticated mail even from allowed IPs.
	RequireAuth bool
	// RequireTLS ("Require TLS encryption") refuses MAIL before TLS.
	RequireTLS bool
}

// Options configures Start.
type Options struct {
	// Addr is the loopback IP to listen on ("127.0.40.1"); "" = 127.0.0.1.
	Addr string
	// StartTLSPort, TLSPort and IMAPPort fix the ports; 0 = ephemeral.
	StartTLSPort, TLSPort, IMAPPort int
	// PlainPort, when > 0 (or -1 for ephemeral), also opens a plain SMTP
	// port without STARTTLS that advertises AUTH but answers AUTH and
	// MAIL with "530 5.7.0 Must issue a STARTTLS command first." — what a
	// device configured for "no encryption" hears.
	PlainPort int

	// Account is the one mailbox ("it.scans@gmail.com").
	Account string
	// AppPassword is the account's first app password (16 letters; SMTP
	// and IMAP).
	AppPassword config.Secret
	// AppPasswords are further app passwords of the account accepted
	// like AppPassword (one per device or site); RevokeAppPassword and
	// RevokeAll take them back.
	AppPasswords []config.Secret
	// AccountPassword is the account's "normal" password: AUTH with it
	// gets 534 5.7.9, like Gmail with 2-Step Verification on. Optional.
	AccountPassword config.Secret

	// Relay, when set, also serves the Workspace SMTP relay.
	Relay *RelayOptions

	// MinTLS is the lowest TLS version accepted; 0 = TLS 1.2. Lower it
	// (tls.VersionTLS10) for old printers.
	MinTLS uint16
	// MaxTLS caps the version; 0 = no cap (TLS 1.3).
	MaxTLS uint16

	// Logger gets connection errors and one line per delivered message;
	// nil = discard.
	Logger *slog.Logger
	// Now is the clock; nil = time.Now.
	Now func() time.Time
	// DeliveryDelay, when set, is asked for every accepted message with
	// its header: a positive answer puts the message into the INBOX (and
	// Messages) that much later, as Gmail's delivery sometimes takes tens
	// of seconds; the SMTP client is answered at once. The simulator's
	// latency model uses it (sim.MailDelayHeader).
	DeliveryDelay func(header mail.Header) time.Duration
}

// Message is one message the stand-in accepted.
type Message struct {
	At        time.Time `json:"at"`
	Listener  string    `json:"listener"` // "starttls", "tls", "relay-starttls", "relay-tls"
	ClientIP  string    `json:"client_ip"`
	EHLO      string    `json:"ehlo"` // the name the client gave in EHLO/HELO
	TLS       string    `json:"tls"`  // negotiated version, "TLS 1.3"
	AuthUser  string    `json:"auth_user"`
	AuthMech  string    `json:"auth_mech"`
	MailFrom  string    `json:"mail_from"`
	Rcpt      []string  `json:"rcpt"`
	Subject   string    `json:"subject"`
	From      string    `json:"from"` // the From: header
	Size      int       `json:"size"`
	Delivered bool      `json:"delivered"` // put into the account's INBOX
}

// AuthAttempt is one AUTH command and how it was answered.
type AuthAttempt struct {
	At       time.Time `json:"at"`
	Listener string    `json:"listener"`
	Mech     string    `json:"mech"`
	User     string    `json:"user"`
	Code     int       `json:"code"` // 235 on success
}

// Server is a running stand-in.
type Server struct {
	// StartTLSAddr is host:port of the STARTTLS SMTP port (Gmail's 587).
	StartTLSAddr string
	// TLSAddr is host:port of the implicit-TLS SMTP port (Gmail's 465).
	TLSAddr string
	// IMAPAddr is host:port of the implicit-TLS IMAP port (Gmail's 993).
	IMAPAddr string
	// PlainAddr is host:port of the plain port, "" unless asked for.
	PlainAddr string
	// RelayStartTLSAddr and RelayTLSAddr are host:port of the relay's
	// STARTTLS (587) and implicit-TLS (465) ports, "" without
	// Options.Relay.
	RelayStartTLSAddr, RelayTLSAddr string

	opts   Options
	log    *slog.Logger
	ca     *authority
	tlsCfg *tls.Config

	smtpSTARTTLS, smtpTLS, smtpPlain *smtp.Server
	relaySTARTTLS, relayTLS          *smtp.Server
	imapSrv                          *imapserver.Server
	user                             *imapmemserver.User

	mu sync.Mutex
	// appPWs are the accepted app passwords; revoked ones are removed.
	appPWs   []string
	relayIPs []netip.Prefix
	relayDom []string
	fault    Fault
	messages []Message
	auths    []AuthAttempt
	imapOK   int
	imapPW   string
	closed   bool
	stop     chan struct{}
	wg       sync.WaitGroup
	// listeners are the bound sockets, closed by Close too.
	listeners []net.Listener
}

// Start opens the listeners and serves until Close or until ctx ends.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1"
	}
	ip := net.ParseIP(o.Addr)
	if ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("standin: address %q: the stand-in listens on loopback IPs only (127.x.y.z)", o.Addr)
	}
	if !strings.Contains(o.Account, "@") {
		return nil, fmt.Errorf("standin: account %q is not an e-mail address", o.Account)
	}
	if o.AppPassword.Empty() {
		return nil, errors.New("standin: no app password set")
	}
	if o.MinTLS == 0 {
		o.MinTLS = tls.VersionTLS12
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ca, err := newAuthority(ip, o.Now())
	if err != nil {
		return nil, fmt.Errorf("standin: %w", err)
	}
	s := &Server{opts: o, log: log.With("component", "gmail-standin"), ca: ca, stop: make(chan struct{})}
	s.tlsCfg = &tls.Config{
		Certificates: []tls.Certificate{ca.leaf},
		MinVersion:   o.MinTLS,
		MaxVersion:   o.MaxTLS,
	}

	// IMAP mailbox.
	mem := imapmemserver.New()
	s.appPWs = append(s.appPWs, o.AppPassword.Reveal())
	for _, p := range o.AppPasswords {
		if !p.Empty() {
			s.appPWs = append(s.appPWs, p.Reveal())
		}
	}
	if o.Relay != nil {
		for _, a := range o.Relay.AllowedIPs {
			pfx, err := parsePrefix(a)
			if err != nil {
				return nil, fmt.Errorf("standin: relay allow-list: %w", err)
			}
			s.relayIPs = append(s.relayIPs, pfx)
		}
		s.relayDom = relayDomains(o.Relay.Domains, o.Account)
	}
	// The IMAP user's own password is internal: imapSession.Login checks
	// the app passwords (several, revocable) and then logs in with it.
	s.imapPW = RandomAppPassword().Reveal()
	s.user = imapmemserver.NewUser(strings.ToLower(o.Account), s.imapPW)
	if err := s.user.Create("INBOX", nil); err != nil {
		return nil, fmt.Errorf("standin: create INBOX: %w", err)
	}
	mem.AddUser(s.user)
	s.imapSrv = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &imapSession{Session: mem.NewSession(), s: s}, nil, nil
		},
		Caps:      imap.CapSet{imap.CapIMAP4rev1: {}},
		TLSConfig: s.tlsCfg,
		Logger:    printfLogger{s.log},
	})

	// SMTP: one server for the TLS-capable ports, one without TLS for the
	// optional plain port.
	newSMTP := func(tlsCfg *tls.Config, listener string) *smtp.Server {
		srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
			return s.newSession(c, listener)
		}))
		srv.Domain = "smtp.gmail.com"
		srv.TLSConfig = tlsCfg
		// AUTH before TLS is answered (with 530) instead of go-smtp's 523,
		// but never advertised: see session.AuthMechanisms.
		srv.AllowInsecureAuth = true
		srv.ReadTimeout = 60 * time.Second
		srv.WriteTimeout = 60 * time.Second
		srv.MaxMessageBytes = 35 << 20 // Gmail: 35 MB
		srv.MaxRecipients = 100
		srv.ErrorLog = printfLogger{s.log}
		return srv
	}
	s.smtpSTARTTLS = newSMTP(s.tlsCfg, "starttls")
	s.smtpTLS = newSMTP(s.tlsCfg, "tls")
	s.smtpPlain = newSMTP(nil, "plain")
	s.relaySTARTTLS = newSMTP(s.tlsCfg, "relay-starttls")
	s.relayTLS = newSMTP(s.tlsCfg, "relay-tls")
	s.relaySTARTTLS.Domain = "smtp-relay.gmail.com"
	s.relayTLS.Domain = "smtp-relay.gmail.com"

	listen := func(port int) (net.Listener, error) {
		if port < 0 {
			port = 0
		}
		return net.Listen("tcp", net.JoinHostPort(o.Addr, strconv.Itoa(port)))
	}
	var lns []net.Listener
	cleanup := func() {
		for _, l := range lns {
			_ = l.Close()
		}
	}
	startTLSLn, err := listen(o.StartTLSPort)
	if err != nil {
		return nil, fmt.Errorf("standin: STARTTLS port: %w", err)
	}
	lns = append(lns, startTLSLn)
	tlsRaw, err := listen(o.TLSPort)
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("standin: TLS port: %w", err)
	}
	lns = append(lns, tlsRaw)
	imapRaw, err := listen(o.IMAPPort)
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("standin: IMAP port: %w", err)
	}
	lns = append(lns, imapRaw)
	var plainLn net.Listener
	if o.PlainPort != 0 {
		plainLn, err = listen(o.PlainPort)
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("standin: plain port: %w", err)
		}
		s.PlainAddr = plainLn.Addr().String()
	}
	var relayLn, relayTLSLn net.Listener
	if o.Relay != nil {
		if relayLn, err = listen(o.Relay.StartTLSPort); err != nil {
			cleanup()
			return nil, fmt.Errorf("standin: relay STARTTLS port: %w", err)
		}
		lns = append(lns, relayLn)
		if relayTLSLn, err = listen(o.Relay.TLSPort); err != nil {
			cleanup()
			return nil, fmt.Errorf("standin: relay TLS port: %w", err)
		}
		lns = append(lns, relayTLSLn)
		s.RelayStartTLSAddr = relayLn.Addr().String()
		s.RelayTLSAddr = relayTLSLn.Addr().String()
	}
	// Close closes these itself: go-smtp's and go-imap's Close only know a
	// listener once Serve has registered it, and a Close right after Start
	// (a fleet that failed to bind) would otherwise leave Serve blocked in
	// Accept forever.
	s.listeners = lns
	if plainLn != nil {
		s.listeners = append(s.listeners, plainLn)
	}
	s.StartTLSAddr = startTLSLn.Addr().String()
	s.TLSAddr = tlsRaw.Addr().String()
	s.IMAPAddr = imapRaw.Addr().String()

	serve := func(f func() error) {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := f(); err != nil && !s.isClosed() {
				s.log.Warn("listener stopped", "err", err)
			}
		}()
	}
	serve(func() error { return s.smtpSTARTTLS.Serve(startTLSLn) })
	serve(func() error { return s.smtpTLS.Serve(tls.NewListener(tlsRaw, s.tlsCfg)) })
	serve(func() error { return s.imapSrv.Serve(tls.NewListener(imapRaw, s.tlsCfg)) })
	if plainLn != nil {
		serve(func() error { return s.smtpPlain.Serve(plainLn) })
	}
	if relayLn != nil {
		serve(func() error { return s.relaySTARTTLS.Serve(relayLn) })
		serve(func() error { return s.relayTLS.Serve(tls.NewListener(relayTLSLn, s.tlsCfg)) })
	}
	go func() {
		select {
		case <-ctx.Done():
			_ = s.Close()
		case <-s.stop:
		}
	}()
	s.log.Debug("started", "starttls", s.StartTLSAddr, "tls", s.TLSAddr, "imap", s.IMAPAddr, "plain", s.PlainAddr)
	return s, nil
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close stops every listener and connection.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.stop)
	s.mu.Unlock()
	err := errors.Join(s.smtpSTARTTLS.Close(), s.smtpTLS.Close(), s.smtpPlain.Close(), s.relaySTARTTLS.Close(), s.relayTLS.Close(), s.imapSrv.Close())
	for _, ln := range s.listeners {
		_ = ln.Close() // already closed when Serve had registered it
	}
	s.wg.Wait()
	if errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// CAPEM is the CA certificate in PEM form.
func (s *Server) CAPEM() []byte { return append([]byte(nil), s.ca.caPEM...) }

// WriteCA writes the CA certificate (PEM) to path, for ca_file.
func (s *Server) WriteCA(path string) error {
	return os.WriteFile(path, s.ca.caPEM, 0o644)
}

// ClientTLS is a client configuration that trusts the stand-in.
func (s *Server) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: s.ca.pool, ServerName: s.opts.Addr, MinVersion: tls.VersionTLS12}
}

// Host is the IP the stand-in listens on.
func (s *Server) Host() string { return s.opts.Addr }

// GmailConfig is fleet.toml's [gmail] table pointing at the stand-in;
// caFile is where WriteCA put the CA.
func (s *Server) GmailConfig(caFile string) config.Gmail {
	port := func(addr string) int {
		_, p, _ := net.SplitHostPort(addr)
		n, _ := strconv.Atoi(p)
		return n
	}
	return config.Gmail{
		Account:        s.opts.Account,
		SMTPHost:       s.opts.Addr,
		StartTLSPort:   port(s.StartTLSAddr),
		TLSPort:        port(s.TLSAddr),
		IMAPHost:       s.opts.Addr,
		IMAPPort:       port(s.IMAPAddr),
		CAFile:         caFile,
		DevicePort:     587,
		DeviceSMTPHost: "smtp.gmail.com",
	}
}

// SetFault switches a Gmail limit on (or off with FaultNone).
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

func (s *Server) currentFault() Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fault
}

// Messages returns what was accepted so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		m.Rcpt = append([]string(nil), m.Rcpt...)
		out[i] = m
	}
	return out
}

// AuthAttempts returns every AUTH command seen, oldest first.
func (s *Server) AuthAttempts() []AuthAttempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]AuthAttempt(nil), s.auths...)
}

// WaitMessage blocks until a message for which match returns true was
// accepted, or ctx ends.
func (s *Server) WaitMessage(ctx context.Context, match func(Message) bool) (Message, error) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		for _, m := range s.Messages() {
			if match(m) {
				return m, nil
			}
		}
		select {
		case <-ctx.Done():
			return Message{}, ctx.Err()
		case <-t.C:
		}
	}
}

func (s *Server) recordAuth(a AuthAttempt) {
	s.mu.Lock()
	s.auths = append(s.auths, a)
	s.mu.Unlock()
}

// checkLogin says how Gmail would answer user/password: nil, 534 or 535.
func (s *Server) checkLogin(user, pass string) *smtp.SMTPError {
	if !strings.EqualFold(strings.TrimSpace(user), s.opts.Account) {
		return replyBadCredentials
	}
	if s.isAppPassword(pass) {
		return nil
	}
	if !s.opts.AccountPassword.Empty() && subtle.ConstantTimeCompare([]byte(pass), []byte(s.opts.AccountPassword.Reveal())) == 1 {
		return replyAppPassword
	}
	return replyBadCredentials
}

// isAppPassword reports whether pass is one of the account's app
// passwords that has not been revoked.
func (s *Server) isAppPassword(pass string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ok := false
	for _, p := range s.appPWs {
		if subtle.ConstantTimeCompare([]byte(pass), []byte(p)) == 1 {
			ok = true
		}
	}
	return ok
}

// AddAppPassword makes the account accept one more app password, as
// creating one at myaccount.google.com/apppasswords does.
func (s *Server) AddAppPassword(pw config.Secret) {
	if pw.Empty() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.appPWs, pw.Reveal()) {
		s.appPWs = append(s.appPWs, pw.Reveal())
	}
}

// RevokeAppPassword stops accepting pw (SMTP then answers 535 5.7.8, IMAP
// "Invalid credentials"), as revoking it in the Google account does. It
// reports whether pw was accepted before.
func (s *Server) RevokeAppPassword(pw config.Secret) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.appPWs)
	s.appPWs = slices.DeleteFunc(s.appPWs, func(p string) bool { return p == pw.Reveal() })
	return len(s.appPWs) != n
}

// SetAppPasswords makes pws the account's app passwords: the ones left
// out are revoked, new ones accepted.
func (s *Server) SetAppPasswords(pws []config.Secret) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appPWs = nil
	for _, p := range pws {
		if !p.Empty() && !slices.Contains(s.appPWs, p.Reveal()) {
			s.appPWs = append(s.appPWs, p.Reveal())
		}
	}
}

// RevokeAll revokes every app password of the account, as Google does
// when the account's password is changed.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	s.appPWs = nil
	s.mu.Unlock()
}

// AllowRelayFrom adds a client address or CIDR to the relay's
// allow-list (the Admin console's SMTP relay service setting).
func (s *Server) AllowRelayFrom(addr string) error {
	pfx, err := parsePrefix(addr)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.relayIPs = append(s.relayIPs, pfx)
	s.mu.Unlock()
	return nil
}

func (s *Server) relayAllowed(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.relayIPs {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// relayDomainOK reports whether addr's domain is one of the Workspace's
// domains or a subdomain of one.
func (s *Server) relayDomainOK(addr string) bool {
	addr = strings.ToLower(strings.Trim(addr, "<> "))
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return false
	}
	dom := addr[at+1:]
	for _, d := range s.relayDom {
		if dom == d || strings.HasSuffix(dom, "."+d) {
			return true
		}
	}
	return false
}

func relayDomains(doms []string, account string) []string {
	var out []string
	for _, d := range doms {
		if d = strings.ToLower(strings.Trim(strings.TrimSpace(d), ".")); d != "" {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		if at := strings.LastIndexByte(account, '@'); at >= 0 {
			out = append(out, strings.ToLower(account[at+1:]))
		}
	}
	return out
}

func parsePrefix(a string) (netip.Prefix, error) {
	a = strings.TrimSpace(a)
	if strings.Contains(a, "/") {
		p, err := netip.ParsePrefix(a)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an address or CIDR", a)
		}
		return p.Masked(), nil
	}
	ip, err := netip.ParseAddr(a)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an address or CIDR", a)
	}
	return netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()), nil
}

// ValidEHLO reports whether name passes the relay's EHLO rule: a fully
// qualified domain name (two labels or more), not localhost, not an IP
// literal.
func ValidEHLO(name string) bool {
	n := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
	switch {
	case n == "", strings.HasPrefix(n, "["), n == "localhost", strings.HasSuffix(n, ".localhost"),
		strings.HasSuffix(n, ".localdomain"), !strings.Contains(n, "."):
		return false
	}
	if _, err := netip.ParseAddr(n); err == nil {
		return false
	}
	for _, l := range strings.Split(n, ".") {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// isAccountAddress reports whether addr is the account or a
// plus-address of it.
func (s *Server) isAccountAddress(addr string) bool {
	addr = strings.ToLower(strings.Trim(addr, "<> "))
	acct := strings.ToLower(s.opts.Account)
	if addr == acct {
		return true
	}
	at := strings.LastIndexByte(addr, '@')
	aat := strings.LastIndexByte(acct, '@')
	if at < 0 || aat < 0 || addr[at+1:] != acct[aat+1:] {
		return false
	}
	local := addr[:at]
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return local == acct[:aat]
}

type printfLogger struct{ l *slog.Logger }

func (p printfLogger) Printf(format string, v ...any) {
	p.l.Debug(strings.TrimSpace(fmt.Sprintf(format, v...)))
}

func (p printfLogger) Println(v ...any) {
	p.l.Debug(strings.TrimSpace(fmt.Sprintln(v...)))
}

// imapSession answers a login with the account password like Gmail and
// makes the user name case-insensitive.
type imapSession struct {
	imapserver.Session
	s *Server
}

func (sess *imapSession) Login(username, password string) error {
	o := sess.s.opts
	if strings.EqualFold(username, o.Account) && !o.AccountPassword.Empty() &&
		subtle.ConstantTimeCompare([]byte(password), []byte(o.AccountPassword.Reveal())) == 1 {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAlert,
			Text: "Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)"}
	}
	if !strings.EqualFold(username, o.Account) || !sess.s.isAppPassword(password) {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed,
			Text: "Invalid credentials (Failure)"}
	}
	if err := sess.Session.Login(strings.ToLower(username), sess.s.imapPW); err != nil {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed,
			Text: "Invalid credentials (Failure)"}
	}
	sess.s.mu.Lock()
	sess.s.imapOK++
	sess.s.mu.Unlock()
	return nil
}

// IMAPLogins counts successful IMAP logins (Gmail allows 15
// simultaneous connections per account; tests check clients share one).
func (s *Server) IMAPLogins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.imapOK
}
