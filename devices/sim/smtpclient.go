package sim

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime/multipart"
	"net"
	"net/netip"
	"net/smtp"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"time"
)

// resolveSMTP maps the configured server and port to a loopback address
// through the device's routes. It never returns an address outside
// 127.0.0.0/8: a name without a route "does not resolve".
func (d *Device) resolveSMTP(server string, port int) (string, error) {
	hp := net.JoinHostPort(server, strconv.Itoa(port))
	target, ok := d.opts.SMTPRoutes[strings.ToLower(hp)]
	if !ok {
		target = hp
	}
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		return "", fmt.Errorf("unable to resolve %s", server)
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.Unmap().IsLoopback() {
		if !ok {
			return "", fmt.Errorf("unable to resolve the SMTP server name %s (DNS lookup failed)", server)
		}
		return "", fmt.Errorf("route for %s is %s, which is not a loopback address: the simulator only talks to 127.0.0.0/8", hp, target)
	}
	return target, nil
}

func (d *Device) smtpTLSConfig(s SMTPSettings) *tls.Config {
	c := &tls.Config{ServerName: s.Server, RootCAs: d.opts.SMTPRootCAs, MinVersion: tls.VersionTLS12}
	if d.opts.SMTPTLS == SMTPTLS10 {
		c.MinVersion = tls.VersionTLS10
		c.MaxVersion = tls.VersionTLS10
	}
	// ConnectKey has a "Validate Server Certificate" switch; the
	// Fuji-Xerox-made small devices never validate; VersaLink always does.
	if d.admin.SkipVerify != nil {
		c.InsecureSkipVerify = d.admin.SkipVerify(d, s)
	}
	return c
}

// effectiveSecurity is what the firmware really does with the setting.
func (d *Device) effectiveSecurity(s SMTPSettings) Security {
	if d.opts.SMTPTLS == SMTPTLSNone {
		return SecurityNone
	}
	if s.Security == "" {
		return SecurityNone
	}
	return s.Security
}

// deliver sends one message with settings s. It returns the TLS version
// used ("" for plain text) and an error worded the way the device's job
// log words it.
//
// hold > 0 asks the Gmail stand-in to put the message into the mailbox
// that much later (MailDelayHeader; the latency model's Mail).
func (d *Device) deliver(ctx context.Context, s SMTPSettings, password, to, jobName string, hold time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, d.opts.SMTPTimeout)
	defer cancel()
	c, tlsv, err := d.smtpConnect(ctx, s, password)
	if err != nil {
		return tlsv, err
	}
	defer c.Close()
	from := s.From
	if from == "" {
		from = s.User
	}
	if from == "" {
		return tlsv, errors.New("the device e-mail address is not set")
	}
	if to == "" {
		return tlsv, errors.New("no recipient address")
	}
	msg := d.message(from, to, jobName)
	if hold > 0 {
		msg = append([]byte(fmt.Sprintf("%s: %d\r\n", MailDelayHeader, hold.Milliseconds())), msg...)
	}
	if err := c.Mail(from); err != nil {
		return tlsv, smtpErr("sending MAIL FROM", err)
	}
	if err := c.Rcpt(to); err != nil {
		return tlsv, smtpErr("sending RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return tlsv, smtpErr("sending DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return tlsv, smtpErr("sending the message", err)
	}
	if err := w.Close(); err != nil {
		return tlsv, smtpErr("sending the message", err)
	}
	_ = c.Quit()
	return tlsv, nil
}

// smtpConnect opens, secures and authenticates an SMTP session, as the
// device does before sending (and for the Fuji-Xerox connection status).
func (d *Device) smtpConnect(ctx context.Context, s SMTPSettings, password string) (*smtp.Client, string, error) {
	if s.Server == "" {
		return nil, "", errors.New("the SMTP server is not set")
	}
	if s.Port <= 0 {
		s.Port = 25
	}
	if s.Auth == AuthPOPBeforeSMTP {
		return nil, "", errors.New("POP before SMTP: unable to connect to the POP3 server")
	}
	addr, err := d.resolveSMTP(s.Server, s.Port)
	if err != nil {
		return nil, "", err
	}
	var dl net.Dialer
	// From the device's own address, as a printer on the site's network
	// would (the relay's allow-list judges the source).
	d.webMu.Lock()
	if d.addr.IsValid() {
		dl.LocalAddr = &net.TCPAddr{IP: d.addr.AsSlice()}
	}
	d.webMu.Unlock()
	conn, err := dl.DialContext(ctx, "tcp", addr)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Err != nil {
			err = oe.Err
		}
		return nil, "", fmt.Errorf("unable to connect to the SMTP server %s:%d (%v)", s.Server, s.Port, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	sec := d.effectiveSecurity(s)
	tc := d.smtpTLSConfig(s)
	tlsv := ""
	if sec == SecurityTLS {
		tconn := tls.Client(conn, tc)
		if err := tconn.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, "", fmt.Errorf("SSL/TLS handshake with the SMTP server failed: %v", err)
		}
		tlsv = tls.VersionName(tconn.ConnectionState().Version)
		conn = tconn
	}
	c, err := smtp.NewClient(conn, s.Server)
	if err != nil {
		conn.Close()
		return nil, tlsv, smtpErr("connecting", err)
	}
	if err := c.Hello(d.ehloName()); err != nil {
		c.Close()
		return nil, tlsv, smtpErr("greeting the SMTP server", err)
	}
	if sec == SecuritySTARTTLS || sec == SecuritySTARTTLSIfAvail {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tc); err != nil {
				c.Close()
				return nil, "", fmt.Errorf("STARTTLS with the SMTP server failed: %v", err)
			}
			if st, ok := c.TLSConnectionState(); ok {
				tlsv = tls.VersionName(st.Version)
			}
		} else if sec == SecuritySTARTTLS {
			c.Close()
			return nil, "", errors.New("the SMTP server does not offer STARTTLS")
		}
	}
	if s.Auth == AuthSMTP {
		if s.User == "" {
			c.Close()
			return nil, tlsv, errors.New("SMTP AUTH is on but no login name is set")
		}
		if err := c.Auth(&deviceAuth{mech: d.authMechanism(c), user: s.User, password: password}); err != nil {
			c.Close()
			return nil, tlsv, smtpErr("authenticating", err)
		}
	}
	return c, tlsv, nil
}

// deviceAuth is the firmware's SMTP AUTH: PLAIN, or LOGIN with the
// standard "Username:"/"Password:" prompts (firmware quits on others).
// Unlike net/smtp.PlainAuth it sends credentials over plain text when the
// device is set so, as old firmware does.
type deviceAuth struct {
	mech, user, password string
	step                 int
}

func (a *deviceAuth) Start(*smtp.ServerInfo) (string, []byte, error) {
	if a.mech == "PLAIN" {
		return "PLAIN", []byte("\x00" + a.user + "\x00" + a.password), nil
	}
	return "LOGIN", nil, nil
}

func (a *deviceAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	a.step++
	switch {
	case a.mech == "LOGIN" && a.step == 1 && strings.EqualFold(string(fromServer), "Username:"):
		return []byte(a.user), nil
	case a.mech == "LOGIN" && a.step == 2 && strings.EqualFold(string(fromServer), "Password:"):
		return []byte(a.password), nil
	}
	return nil, fmt.Errorf("unexpected AUTH %s challenge %q", a.mech, fromServer)
}

// authMechanism picks the AUTH mechanism as the family's firmware does:
// ConnectKey and the Fuji-Xerox-made devices prefer LOGIN, VersaLink
// PLAIN. Servers that advertise no AUTH get LOGIN (old firmware tries
// anyway).
func (d *Device) authMechanism(c *smtp.Client) string {
	_, mechs := c.Extension("AUTH")
	has := func(m string) bool { return slices.Contains(strings.Fields(strings.ToUpper(mechs)), m) }
	plain, login := has("PLAIN"), has("LOGIN")
	switch {
	case d.admin.PreferPlain && plain:
		return "PLAIN"
	case login:
		return "LOGIN"
	case plain:
		return "PLAIN"
	}
	return "LOGIN"
}

// hostname is the name the device gives in EHLO.
func (d *Device) defaultHostName() string {
	h := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, "XRX"+d.opts.MAC)
	if h == "XRX" {
		h = "XRX" + d.opts.Serial
	}
	return h
}

// checkConnection connects, secures and authenticates without sending,
// as the Fuji-Xerox "SMTP Server Connection Status" does.
func (d *Device) checkConnection(ctx context.Context) error {
	d.mu.Lock()
	s := d.smtp
	pw := d.smtpPW
	d.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, d.opts.SMTPTimeout)
	defer cancel()
	c, _, err := d.smtpConnect(ctx, s, pw)
	if err != nil {
		return err
	}
	_ = c.Quit()
	c.Close()
	return nil
}

func smtpErr(doing string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		return fmt.Errorf("SMTP server error while %s: %d %s", doing, te.Code, te.Msg)
	}
	return fmt.Errorf("SMTP error while %s: %v", doing, err)
}

// message builds the e-mail a device sends: a short text for a test, a
// text and a small PDF for a scan.
func (d *Device) message(from, to, jobName string) []byte {
	now := time.Now()
	var b bytes.Buffer
	h := textproto.MIMEHeader{}
	h.Set("From", from)
	h.Set("To", to)
	h.Set("Date", now.Format(time.RFC1123Z))
	h.Set("Message-ID", fmt.Sprintf("<%d.%s@%s>", now.UnixNano(), d.opts.Serial, d.ehloName()))
	h.Set("MIME-Version", "1.0")
	h.Set("X-Mailer", d.admin.Maker+" "+d.opts.Model)
	body := fmt.Sprintf("This is a %s from the %s %s (serial number %s, firmware %s).\r\n", strings.ToLower(jobName), d.admin.Maker, d.opts.Model, d.opts.Serial, d.opts.Firmware)
	if jobName == "Scan to Email" {
		h.Set("Subject", "Scan from a "+d.admin.Maker+" "+d.opts.Model)
		mw := multipart.NewWriter(&b)
		h.Set("Content-Type", "multipart/mixed; boundary="+mw.Boundary())
		var hb bytes.Buffer
		writeHeader(&hb, h)
		tp, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}})
		_, _ = tp.Write([]byte(body))
		pp, _ := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {"application/pdf"},
			"Content-Disposition":       {fmt.Sprintf(`attachment; filename="Scan_%s.pdf"`, now.Format("20060102150405"))},
			"Content-Transfer-Encoding": {"base64"},
		})
		_, _ = pp.Write([]byte("JVBERi0xLjQKJcK1wrYKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoKdHJhaWxlcgo8PC9Sb290IDEgMCBSPj4KJSVFT0YK\r\n"))
		_ = mw.Close()
		return append(hb.Bytes(), b.Bytes()...)
	}
	if d.admin.TestSubject != nil {
		h.Set("Subject", d.admin.TestSubject(d))
	} else {
		h.Set("Subject", "Test Email from "+d.admin.Maker+" "+d.opts.Model)
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	writeHeader(&b, h)
	b.WriteString(body)
	return b.Bytes()
}

func writeHeader(b *bytes.Buffer, h textproto.MIMEHeader) {
	for _, k := range []string{"From", "To", "Date", "Subject", "Message-ID", "MIME-Version", "X-Mailer", "Content-Type"} {
		if v := h.Get(k); v != "" {
			fmt.Fprintf(b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
}
