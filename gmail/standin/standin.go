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
	"os"
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
	// AppPassword is the only password accepted (16 letters; SMTP and
	// IMAP).
	AppPassword config.Secret
	// AccountPassword is the account's "normal" password: AUTH with it
	// gets 534 5.7.9, like Gmail with 2-Step Verification on. Optional.
	AccountPassword config.Secret

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
	Listener  string    `json:"listener"` // "starttls", "tls"
	TLS       string    `json:"tls"`      // negotiated version, "TLS 1.3"
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

	opts   Options
	log    *slog.Logger
	ca     *authority
	tlsCfg *tls.Config

	smtpSTARTTLS, smtpTLS, smtpPlain *smtp.Server
	imapSrv                          *imapserver.Server
	user                             *imapmemserver.User

	mu       sync.Mutex
	fault    Fault
	messages []Message
	auths    []AuthAttempt
	imapOK   int
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
	s.user = imapmemserver.NewUser(strings.ToLower(o.Account), o.AppPassword.Reveal())
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
	err := errors.Join(s.smtpSTARTTLS.Close(), s.smtpTLS.Close(), s.smtpPlain.Close(), s.imapSrv.Close())
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
	if subtle.ConstantTimeCompare([]byte(pass), []byte(s.opts.AppPassword.Reveal())) == 1 {
		return nil
	}
	if !s.opts.AccountPassword.Empty() && subtle.ConstantTimeCompare([]byte(pass), []byte(s.opts.AccountPassword.Reveal())) == 1 {
		return replyAppPassword
	}
	return replyBadCredentials
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
	if err := sess.Session.Login(strings.ToLower(username), password); err != nil {
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
