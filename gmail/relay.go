package gmail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail/smtp"
)

// The Workspace SMTP relay's defaults.
const (
	DefaultRelayHost = "smtp-relay.gmail.com"
)

// StageEnvelope is MAIL FROM / RCPT TO, where the relay decides.
const StageEnvelope Stage = "envelope"

// RelayCheckOptions configure RelayCheck.
type RelayCheckOptions struct {
	// Sender is the envelope sender (MAIL FROM): [gmail] account, an
	// address in the client's Workspace domain.
	Sender string
	// Recipient is RCPT TO, the address a device's test e-mail goes to
	// ("" = Sender).
	Recipient string
	// EHLO is the name announced, as a device would; "" = "mfpfleet-check."
	// and the sender's domain. The relay drops names that are not fully
	// qualified: the check sends what it is given, so that a device's
	// would-be name can be tried.
	EHLO string
	// Host and Port: "" = smtp-relay.gmail.com, 0 = 587.
	Host string
	Port int
	Mode Mode
	// CAFile as in CheckOptions.
	CAFile string
	// Auth logs in with Sender and Password before MAIL FROM (the Admin
	// console's "Require SMTP Authentication").
	Auth     bool
	Password AppPassword
	// SendTo, when set, sends a short message there (DATA); otherwise the
	// check stops before DATA and sends nothing.
	SendTo string
	// LocalAddr is the source IP to connect from ("" = the system's
	// choice), for a laptop with several networks.
	LocalAddr string
	Timeout   time.Duration
	Logger    *slog.Logger
	Resolver  *net.Resolver
}

// RelayCheck connects to the Workspace SMTP relay as a printer will:
// EHLO with a fully qualified name, STARTTLS (or implicit TLS on 465),
// optionally AUTH, MAIL FROM the sender, RCPT TO the recipient, and stops
// before DATA unless SendTo asks for a message. Result.OK is true when
// the relay accepted sender and recipient (and the message). On failure
// the error is a *Diagnosis; the relay's "Mail relay denied [IP]" puts
// the public address it saw into Diagnosis.ClientIP.
func RelayCheck(ctx context.Context, o RelayCheckOptions) (Result, error) {
	if o.Host == "" {
		o.Host = DefaultRelayHost
	}
	if o.Port == 0 {
		o.Port = DefaultStartTLSPort
	}
	if o.Mode == ModeAuto {
		o.Mode = ModeSTARTTLS
		if o.Port == DefaultTLSPort {
			o.Mode = ModeTLS
		}
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Recipient == "" {
		o.Recipient = o.Sender
	}
	if o.EHLO == "" {
		if at := strings.LastIndexByte(o.Sender, '@'); at >= 0 {
			o.EHLO = "mfpfleet-check." + strings.ToLower(o.Sender[at+1:])
		}
	}
	res := Result{Method: "relay", Account: o.Sender, Host: o.Host, Port: o.Port, Mode: o.Mode, EHLO: o.EHLO,
		Recipient: o.Recipient, Started: time.Now().UTC(), SentTo: o.SendTo}
	log := o.Logger.With("host", o.Host, "port", o.Port, "mode", string(o.Mode), "sender", o.Sender, "ehlo", o.EHLO)
	fail := func(d *Diagnosis) (Result, error) {
		d = d.ForRelay(o.EHLO)
		res.ElapsedMS = time.Since(res.Started).Milliseconds()
		res.Diagnosis = d
		log.Debug("relay check failed", "code", string(d.Code), "stage", string(d.Stage), "reply_code", d.ReplyCode)
		return res, d
	}
	cfgErr := func(cause, next string) (Result, error) {
		return fail(&Diagnosis{Code: CodeConfig, Stage: StageConfig, Cause: cause, NextStep: next})
	}
	switch {
	case !strings.Contains(o.Sender, "@"):
		return cfgErr(fmt.Sprintf("sender %q is not a full e-mail address", o.Sender), "set [gmail] account (or --account) to an address in the client's Workspace domain")
	case o.Auth && o.Password.IsZero():
		return cfgErr("relay_auth is on but no app password was given", "give the Workspace user's app password with --password-stdin, --password-file or "+DefaultPasswordEnv)
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	tlsCfg, d := prepareDial(ctx, o.Host, o.Port, o.Mode, o.CAFile, o.Resolver)
	if d != nil {
		return fail(d)
	}
	dl := net.Dialer{}
	if o.LocalAddr != "" {
		ip := net.ParseIP(o.LocalAddr)
		if ip == nil {
			return cfgErr(fmt.Sprintf("source address %q is not an IP", o.LocalAddr), "give an address of this machine")
		}
		dl.LocalAddr = &net.TCPAddr{IP: ip}
	}
	conn, err := dl.DialContext(ctx, "tcp", net.JoinHostPort(o.Host, strconv.Itoa(o.Port)))
	if err != nil {
		return fail(Diagnose(err, StageConnect, o.Port))
	}
	if d, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	defer func() { _ = conn.Close() }()
	if o.Mode == ModeTLS {
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail(Diagnose(err, StageTLS, o.Port))
		}
		res.TLSVersion = tls.VersionName(tc.ConnectionState().Version)
		conn = tc
	}
	c, err := smtp.NewClient(conn, o.Host)
	if err != nil {
		return fail(Diagnose(ctxOr(ctx, err), StageGreeting, o.Port))
	}
	defer func() { _ = c.Close() }()
	if err := c.Hello(o.EHLO); err != nil {
		return fail(Diagnose(ctxOr(ctx, err), StageGreeting, o.Port))
	}
	// go-mail's client sends EHLO lazily: ask for an extension to make it
	// happen here, so that a refused EHLO is reported as such.
	hasTLS, _ := c.Extension("STARTTLS")
	if err := c.Noop(); err != nil {
		return fail(Diagnose(ctxOr(ctx, err), StageGreeting, o.Port))
	}
	if o.Mode == ModeSTARTTLS {
		if !hasTLS {
			return fail(&Diagnosis{Code: CodeSTARTTLSMissing, Stage: StageTLS,
				Cause:    fmt.Sprintf("the server on port %d did not offer STARTTLS: something on this network may strip it, or the host is not the relay", o.Port),
				NextStep: "try port 465 (implicit TLS), another network, or a VPN"})
		}
		if err := c.StartTLS(tlsCfg); err != nil {
			return fail(Diagnose(ctxOr(ctx, err), StageTLS, o.Port))
		}
		if st, ok := c.TLSConnectionState(); ok {
			res.TLSVersion = tls.VersionName(st.Version)
		}
	}
	log.Debug("relay check: greeted", "tls", res.TLSVersion)
	if o.Auth {
		if err := c.Auth(smtp.PlainAuth("", o.Sender, o.Password.Reveal(), o.Host, false)); err != nil {
			return fail(Diagnose(ctxOr(ctx, err), StageAuth, o.Port))
		}
		res.Authenticated = true
	}
	if err := c.Mail(o.Sender); err != nil {
		return fail(envelope(Diagnose(ctxOr(ctx, err), StageEnvelope, o.Port)))
	}
	if err := c.Rcpt(o.Recipient); err != nil {
		return fail(envelope(Diagnose(ctxOr(ctx, err), StageEnvelope, o.Port)))
	}
	res.Accepted = true
	log.Debug("relay check: sender and recipient accepted")
	if o.SendTo != "" {
		if o.SendTo != o.Recipient {
			if err := c.Rcpt(o.SendTo); err != nil {
				return fail(envelope(Diagnose(ctxOr(ctx, err), StageEnvelope, o.Port)))
			}
		}
		w, err := c.Data()
		if err != nil {
			return fail(Diagnose(ctxOr(ctx, err), StageSend, o.Port))
		}
		msg := fmt.Sprintf("From: <%s>\r\nTo: <%s>\r\nSubject: mfpfleet relay preflight %s\r\nDate: %s\r\n\r\nSent by mfpfleet gmail check through the SMTP relay.\r\n",
			o.Sender, o.SendTo, res.Started.Format(time.RFC3339), res.Started.Format(time.RFC1123Z))
		if _, err := w.Write([]byte(msg)); err != nil {
			return fail(Diagnose(ctxOr(ctx, err), StageSend, o.Port))
		}
		if err := w.Close(); err != nil {
			return fail(Diagnose(ctxOr(ctx, err), StageSend, o.Port))
		}
		res.Sent = true
	} else {
		_ = c.Reset()
	}
	_ = c.Quit()
	res.OK = true
	res.ElapsedMS = time.Since(res.Started).Milliseconds()
	return res, nil
}

// envelope keeps a refusal of MAIL/RCPT at the envelope stage.
func envelope(d *Diagnosis) *Diagnosis {
	if d.Stage == StageSend || d.Stage == StageGreeting {
		d.Stage = StageEnvelope
	}
	return d
}

// ctxOr prefers the context's error (a time-out of the whole check)
// over the connection error it caused.
func ctxOr(ctx context.Context, err error) error {
	if ce := ctx.Err(); ce != nil && !isReply(err) {
		return fmt.Errorf("%w: %w", ce, err)
	}
	return err
}

func isReply(err error) bool {
	var tp *textproto.Error
	return errors.As(err, &tp)
}
