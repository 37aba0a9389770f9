package standin

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// session is one SMTP conversation (go-smtp makes a new one after
// STARTTLS).
type session struct {
	s        *Server
	conn     *smtp.Conn
	listener string // "starttls", "tls" or "plain"
	tls      bool
	tlsVer   string

	relay    bool   // smtp-relay.gmail.com
	clientIP string // as the relay reports it in "[IP]"
	ehlo     string

	authUser, authMech string
	from               string
	rcpt               []string
}

func (s *Server) newSession(c *smtp.Conn, listener string) (smtp.Session, error) {
	if s.currentFault() == FaultTryLater {
		return nil, replyTryLater
	}
	sess := &session{s: s, conn: c, listener: listener, relay: strings.HasPrefix(listener, "relay-"), ehlo: c.Hostname()}
	if ra, ok := c.Conn().RemoteAddr().(*net.TCPAddr); ok {
		sess.clientIP = ra.IP.String()
	}
	if sess.relay && !ValidEHLO(sess.ehlo) {
		// The relay drops localhost, IP literals and single-label names.
		s.log.Info("relay: EHLO refused", "ehlo", sess.ehlo, "client", sess.clientIP)
		return nil, replyTryLater
	}
	if st, ok := c.TLSConnectionState(); ok {
		sess.tls = true
		sess.tlsVer = tls.VersionName(st.Version)
	}
	return sess, nil
}

var _ smtp.AuthSession = (*session)(nil)

// gmailMechanisms is what smtp.gmail.com advertises after TLS, in its
// order (some printers take the first one). Only LOGIN and PLAIN work
// with an app password; the OAuth ones are answered with 535.
var gmailMechanisms = []string{sasl.Login, sasl.Plain, "XOAUTH2", "PLAIN-CLIENTTOKEN", "OAUTHBEARER", "XOAUTH"}

// AuthMechanisms advertises AUTH only on encrypted connections — except
// on the plain port, which mimics a server that offers AUTH in the clear
// and then refuses it.
func (se *session) AuthMechanisms() []string {
	if se.tls || se.listener == "plain" {
		return gmailMechanisms
	}
	return nil
}

// Auth answers AUTH. Before TLS: 530 5.7.0, like Gmail.
func (se *session) Auth(mech string) (sasl.Server, error) {
	if !se.tls {
		se.s.recordAuth(AuthAttempt{At: se.s.opts.Now(), Listener: se.listener, Mech: mech, Code: replySTARTTLSFirst.Code})
		return nil, replySTARTTLSFirst
	}
	check := func(user, pass string) error {
		a := AuthAttempt{At: se.s.opts.Now(), Listener: se.listener, Mech: mech, User: user, Code: 235}
		var rerr *smtp.SMTPError
		if se.s.currentFault() == FaultTooManyLogins {
			rerr = replyTooManyLogins
		} else {
			rerr = se.s.checkLogin(user, pass)
		}
		if rerr != nil {
			a.Code = rerr.Code
			se.s.recordAuth(a)
			return rerr
		}
		se.s.recordAuth(a)
		se.authUser, se.authMech = user, mech
		return nil
	}
	switch strings.ToUpper(mech) {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, user, pass string) error {
			if identity != "" && identity != user {
				return replyBadCredentials
			}
			return check(user, pass)
		}), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	case "XOAUTH2", "PLAIN-CLIENTTOKEN", "OAUTHBEARER", "XOAUTH":
		se.s.recordAuth(AuthAttempt{At: se.s.opts.Now(), Listener: se.listener, Mech: mech, Code: replyBadCredentials.Code})
		return nil, replyBadCredentials // no OAuth tokens here
	}
	return nil, replyBadMechanism
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	if se.relay {
		return se.relayMail(from)
	}
	switch {
	case !se.tls:
		return replySTARTTLSFirst
	case se.authUser == "":
		return replyAuthRequired
	case se.s.currentFault() == FaultDailyLimit:
		return replyDailyLimit
	}
	se.from = from
	return nil
}

// relayMail applies smtp-relay.gmail.com's rules to MAIL FROM: the
// client is known by AUTH or by an allow-listed address, and the sender
// is in one of the Workspace's domains.
func (se *session) relayMail(from string) error {
	ro := se.s.opts.Relay
	if ro.RequireTLS && !se.tls {
		return replySTARTTLSFirst
	}
	authed := se.authUser != ""
	if !authed && (ro.RequireAuth || !se.s.relayAllowed(se.clientIP)) {
		doms := se.ehlo
		if at := strings.LastIndexByte(from, '@'); at >= 0 {
			doms = strings.Trim(from[at+1:], "<> ") + "," + doms
		}
		se.s.log.Info("relay: denied", "client", se.clientIP, "from", from, "require_auth", ro.RequireAuth)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: fmt.Sprintf(relayDeniedText, se.clientIP, doms)}
	}
	if !se.s.relayDomainOK(from) {
		se.s.log.Info("relay: sender outside the domains", "client", se.clientIP, "from", from)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: fmt.Sprintf(relayDomainText, se.clientIP)}
	}
	if se.s.currentFault() == FaultDailyLimit {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 4, 5}, Message: relayLimitText}
	}
	se.from = from
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !se.tls && !se.relay {
		return replySTARTTLSFirst
	}
	if se.from == "" && se.relay {
		return &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "MAIL first."}
	}
	if se.authUser == "" && !se.relay {
		return replyAuthRequired
	}
	if _, err := mail.ParseAddress(to); err != nil {
		return &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 1, 3},
			Message: "The recipient address <" + to + "> is not a valid RFC 5321 address."}
	}
	se.rcpt = append(se.rcpt, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	now := se.s.opts.Now()
	m := Message{At: now, Listener: se.listener, ClientIP: se.clientIP, EHLO: se.ehlo, TLS: se.tlsVer, AuthUser: se.authUser, AuthMech: se.authMech,
		MailFrom: se.from, Rcpt: append([]string(nil), se.rcpt...), Size: len(body)}
	var hold time.Duration
	if msg, err := mail.ReadMessage(bytes.NewReader(body)); err == nil {
		if se.s.opts.DeliveryDelay != nil {
			hold = se.s.opts.DeliveryDelay(msg.Header)
		}
		dec := new(mime.WordDecoder)
		subj := msg.Header.Get("Subject")
		if d, err := dec.DecodeHeader(subj); err == nil {
			subj = d
		}
		m.Subject = subj
		if from, err := msg.Header.AddressList("From"); err == nil && len(from) > 0 {
			m.From = from[0].Address
		} else {
			m.From = msg.Header.Get("From")
		}
	}
	var deliveredTo string
	for _, rc := range se.rcpt {
		if se.s.isAccountAddress(rc) {
			deliveredTo = rc
			break
		}
	}
	host, with := "smtp.gmail.com", "ESMTPSA"
	if se.relay {
		host, with = "smtp-relay.gmail.com", "ESMTPS"
		if se.authUser != "" {
			with = "ESMTPSA"
		}
	}
	hdr := fmt.Sprintf("Delivered-To: %s\r\nReceived: from %s ([%s]) by %s with %s (%s); %s\r\n",
		deliveredTo, se.conn.Hostname(), se.clientIP, host, with, se.tlsVer, now.Format("Mon, 2 Jan 2006 15:04:05 -0700"))
	raw := append([]byte(hdr), body...)
	if hold <= 0 {
		if err := se.s.deliver(m, deliveredTo, raw); err != nil {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Mail server temporarily rejected message."}
		}
		return nil
	}
	// Held: answered now, in the mailbox later (unless the stand-in
	// closes first).
	if se.s.isClosed() {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Service not available, closing connection."}
	}
	se.s.wg.Add(1)
	go func() {
		defer se.s.wg.Done()
		t := time.NewTimer(hold)
		defer t.Stop()
		select {
		case <-t.C:
		case <-se.s.stop:
			return
		}
		m.At = se.s.opts.Now()
		if err := se.s.deliver(m, deliveredTo, raw); err != nil {
			se.s.log.Warn("held message not delivered", "err", err)
		}
	}()
	return nil
}

// deliver puts raw into the INBOX when deliveredTo is the account's, and
// records m.
func (s *Server) deliver(m Message, deliveredTo string, raw []byte) error {
	if deliveredTo != "" {
		if _, err := s.user.Append("INBOX", literal{bytes.NewReader(raw), int64(len(raw))}, &imap.AppendOptions{Time: m.At}); err != nil {
			return err
		}
		m.Delivered = true
	}
	s.mu.Lock()
	s.messages = append(s.messages, m)
	s.mu.Unlock()
	s.log.Info("message accepted", "listener", m.Listener, "auth_user", m.AuthUser, "mail_from", m.MailFrom,
		"rcpt", strings.Join(m.Rcpt, ","), "subject", m.Subject, "delivered", m.Delivered)
	return nil
}

func (se *session) Reset() {
	se.from = ""
	se.rcpt = nil
}

func (se *session) Logout() error { return nil }

type literal struct {
	*bytes.Reader
	n int64
}

func (l literal) Size() int64 { return l.n }

// loginServer is the server side of AUTH LOGIN with the standard
// prompts ("334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6"): go-sasl dropped its
// own, and some printers give up on any other prompt text.
type loginServer struct {
	step  int
	user  string
	check func(user, pass string) error
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch l.step {
	case 0:
		if len(response) > 0 { // AUTH LOGIN <base64 user>
			l.user = string(response)
			l.step = 2
			return []byte("Password:"), false, nil
		}
		l.step = 1
		return []byte("Username:"), false, nil
	case 1:
		l.user = string(response)
		l.step = 2
		return []byte("Password:"), false, nil
	case 2:
		l.step = 3
		return nil, true, l.check(l.user, string(response))
	}
	return nil, true, replyBadMechanism
}
