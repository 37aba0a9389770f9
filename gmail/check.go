package gmail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Gmail's defaults.
const (
	DefaultSMTPHost     = "smtp.gmail.com"
	DefaultStartTLSPort = 587
	DefaultTLSPort      = 465
	DefaultIMAPHost     = "imap.gmail.com"
	DefaultIMAPPort     = 993
	DefaultTimeout      = 15 * time.Second
)

// Mode is how TLS is started on an SMTP port.
type Mode string

// The modes. ModeAuto picks ModeTLS for port 465 and ModeSTARTTLS for
// every other port.
const (
	ModeAuto     Mode = ""
	ModeSTARTTLS Mode = "starttls" // plain greeting, STARTTLS mandatory (587)
	ModeTLS      Mode = "tls"      // implicit TLS from the first byte (465)
)

// CheckOptions configures Check.
type CheckOptions struct {
	Account  string      // full address, the SMTP user
	Password AppPassword // normalised app password
	Host     string      // "" = smtp.gmail.com
	Port     int         // 0 = 587
	Mode     Mode        // "" = by port: 465 implicit TLS, else STARTTLS
	// CAFile is a PEM bundle to trust instead of the system roots (a
	// local stand-in's CA); "" = system roots.
	CAFile string
	// SendTo, when set, also sends a short test message there after
	// authenticating (e.g. a PlusAddress of the account).
	SendTo string
	// Timeout bounds the whole check; 0 = 15 s.
	Timeout time.Duration
	// Logger receives one line per stage at debug level; nil = discard.
	// The password is never logged.
	Logger *slog.Logger
	// Resolver resolves Host before connecting (to tell DNS failures
	// from blocked ports); nil = net.DefaultResolver.
	Resolver *net.Resolver
}

// Result is what Check found. It marshals to the JSON the CLI's --json
// prints.
type Result struct {
	// Method is "relay" for RelayCheck, "" for Check (app password).
	Method        string `json:"method,omitempty"`
	Account       string `json:"account"`
	Host          string `json:"host"`
	Port          int    `json:"port"`
	Mode          Mode   `json:"mode"`
	OK            bool   `json:"ok"`
	Authenticated bool   `json:"authenticated"`
	// EHLO, Recipient and Accepted are RelayCheck's: the name announced,
	// RCPT TO, and whether the relay accepted sender and recipient.
	EHLO       string     `json:"ehlo,omitempty"`
	Recipient  string     `json:"recipient,omitempty"`
	Accepted   bool       `json:"accepted,omitempty"`
	Sent       bool       `json:"sent"`
	SentTo     string     `json:"sent_to,omitempty"`
	TLSVersion string     `json:"tls_version,omitempty"`
	Started    time.Time  `json:"started"`
	ElapsedMS  int64      `json:"elapsed_ms"`
	Diagnosis  *Diagnosis `json:"diagnosis,omitempty"`
}

func (o *CheckOptions) defaults() {
	if o.Host == "" {
		o.Host = DefaultSMTPHost
	}
	if o.Port == 0 {
		o.Port = DefaultStartTLSPort
	}
	if o.Mode == ModeAuto {
		if o.Port == DefaultTLSPort {
			o.Mode = ModeTLS
		} else {
			o.Mode = ModeSTARTTLS
		}
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Check tries the app password against the SMTP server: resolve the
// host, connect, STARTTLS (mandatory) or implicit TLS, AUTH (always), and
// with SendTo set, send a test message. Result.OK is true only when
// authentication (and the optional send) succeeded. On failure Result
// carries a Diagnosis and the error is that *Diagnosis.
func Check(ctx context.Context, o CheckOptions) (Result, error) {
	o.defaults()
	res := Result{Account: o.Account, Host: o.Host, Port: o.Port, Mode: o.Mode, Started: time.Now().UTC(), SentTo: o.SendTo}
	log := o.Logger.With("host", o.Host, "port", o.Port, "mode", string(o.Mode), "account", o.Account)
	fail := func(d *Diagnosis) (Result, error) {
		res.ElapsedMS = time.Since(res.Started).Milliseconds()
		res.Diagnosis = d
		log.Debug("gmail check failed", "code", string(d.Code), "stage", string(d.Stage), "reply_code", d.ReplyCode, "enhanced_code", d.EnhancedCode)
		return res, d
	}
	cfgErr := func(cause, next string) (Result, error) {
		return fail(&Diagnosis{Code: CodeConfig, Stage: StageConfig, Cause: cause, NextStep: next})
	}
	switch {
	case !strings.Contains(o.Account, "@"):
		return cfgErr(fmt.Sprintf("account %q is not a full e-mail address", o.Account), "pass --account with the full Gmail address, e.g. it.scans@gmail.com")
	case o.Password.IsZero():
		return cfgErr("no app password", "give the app password with --password-stdin, --password-file or "+DefaultPasswordEnv)
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	tlsCfg, d := prepareDial(ctx, o.Host, o.Port, o.Mode, o.CAFile, o.Resolver)
	if d != nil {
		return fail(d)
	}

	opts := []gomail.Option{
		gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), // PLAIN over TLS; never no-auth
		gomail.WithUsername(o.Account),
		gomail.WithPassword(o.Password.Reveal()),
		gomail.WithTLSConfig(tlsCfg),
		gomail.WithTimeout(o.Timeout),
		gomail.WithHELO("mfpfleet.localdomain"),
	}
	if o.Mode == ModeTLS {
		opts = append(opts, gomail.WithSSLPort(false)) // implicit TLS, no plaintext fallback
	} else {
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.TLSMandatory))
	}
	opts = append(opts, gomail.WithPort(o.Port)) // after the policies, which set defaults
	client, err := gomail.NewClient(o.Host, opts...)
	if err != nil {
		return cfgErr(err.Error(), "check smtp_host and the port")
	}
	stage := StageConnect
	if o.Mode == ModeTLS {
		stage = StageTLS
	}
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		if ctxErr := context.Cause(ctx); errors.Is(ctxErr, context.Canceled) {
			return fail(Diagnose(ctxErr, stage, o.Port))
		}
		d := Diagnose(err, stage, o.Port)
		if d.Code == CodeTimeout && d.Stage == StageGreeting {
			d.NextStep += "; check that the port matches its mode: 587 = STARTTLS, 465 = implicit TLS (SSL)"
		}
		return fail(d)
	}
	defer func() { _ = client.CloseWithSMTPClient(sc) }()
	res.Authenticated = true
	if st, err := sc.GetTLSConnectionState(); err == nil && st != nil {
		res.TLSVersion = tls.VersionName(st.Version)
	}
	log.Debug("gmail check: authenticated", "tls", res.TLSVersion)

	if o.SendTo != "" {
		m := gomail.NewMsg()
		if err := m.From(o.Account); err != nil {
			return cfgErr(err.Error(), "pass --account with the full address")
		}
		if err := m.To(o.SendTo); err != nil {
			return cfgErr(fmt.Sprintf("--send-to %q: %v", o.SendTo, err), "pass a full e-mail address")
		}
		m.Subject("mfpfleet preflight " + res.Started.Format(time.RFC3339))
		m.SetBodyString(gomail.TypeTextPlain, "Sent by mfpfleet gmail check to test SMTP sending with this app password.\n")
		if err := client.SendWithSMTPClient(sc, m); err != nil {
			return fail(Diagnose(err, StageSend, o.Port))
		}
		res.Sent = true
		log.Debug("gmail check: test message sent", "to", o.SendTo)
	}
	res.OK = true
	res.ElapsedMS = time.Since(res.Started).Milliseconds()
	return res, nil
}

// CheckBoth runs Check on the STARTTLS port and on the implicit-TLS port
// (o.Port and o.Mode are ignored), one after the other. The error is nil
// only when both succeeded; otherwise it joins the failed ports'
// diagnoses. Each Result says how its port fared.
func CheckBoth(ctx context.Context, o CheckOptions, startTLSPort, tlsPort int) ([]Result, error) {
	if startTLSPort == 0 {
		startTLSPort = DefaultStartTLSPort
	}
	if tlsPort == 0 {
		tlsPort = DefaultTLSPort
	}
	var out []Result
	var errs []error
	for _, pm := range []struct {
		port int
		mode Mode
	}{{startTLSPort, ModeSTARTTLS}, {tlsPort, ModeTLS}} {
		oo := o
		oo.Port, oo.Mode = pm.port, pm.mode
		r, err := Check(ctx, oo)
		out = append(out, r)
		if err != nil {
			errs = append(errs, fmt.Errorf("port %d (%s): %w", pm.port, pm.mode, err))
		}
	}
	return out, errors.Join(errs...)
}

// clientTLS is TLS 1.2+ with the host's name, trusting caFile's
// certificates when given (instead of the system roots).
func clientTLS(host, caFile string) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca_file %s: no PEM certificate in it", caFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// prepareDial is what both checks do before connecting: the port and TLS
// mode checked, the TLS configuration built (ca_file), and the host
// resolved first, so that a DNS failure is told apart from a blocked port.
func prepareDial(ctx context.Context, host string, port int, mode Mode, caFile string, r *net.Resolver) (*tls.Config, *Diagnosis) {
	cfgErr := func(cause, next string) *Diagnosis {
		return &Diagnosis{Code: CodeConfig, Stage: StageConfig, Cause: cause, NextStep: next}
	}
	switch {
	case port < 1 || port > 65535:
		return nil, cfgErr(fmt.Sprintf("port %d is out of range", port), "use 587 (STARTTLS) or 465 (SSL/TLS)")
	case mode != ModeSTARTTLS && mode != ModeTLS:
		return nil, cfgErr(fmt.Sprintf("unknown TLS mode %q", mode), "use starttls or tls")
	}
	tlsCfg, err := clientTLS(host, caFile)
	if err != nil {
		return nil, cfgErr(err.Error(), "point [gmail] ca_file at a PEM file with the CA certificate, or leave it empty for the system roots")
	}
	if net.ParseIP(host) == nil {
		if r == nil {
			r = net.DefaultResolver
		}
		if _, err := r.LookupHost(ctx, host); err != nil {
			return nil, Diagnose(err, StageDNS, port)
		}
	}
	return tlsCfg, nil
}
