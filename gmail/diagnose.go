package gmail

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	gomail "github.com/wneessen/go-mail"
)

// Code is a stable, machine-readable name for what went wrong. The CLI's
// --json prints it; scripts may match on it.
type Code string

// The diagnosis codes. New ones may be added; existing ones keep their
// meaning.
const (
	CodeOK                  Code = "ok"
	CodeConfig              Code = "config"                // bad options (CA file, port, account)
	CodeDNS                 Code = "dns_failure"           // the host name does not resolve
	CodeTimeout             Code = "timeout"               // no TCP answer, or no SMTP greeting
	CodeRefused             Code = "connection_refused"    // TCP RST
	CodeNetwork             Code = "network"               // other socket errors (unreachable, reset)
	CodeTLSUntrusted        Code = "tls_untrusted"         // certificate not trusted / wrong name
	CodeTLSHandshake        Code = "tls_handshake"         // version/cipher mismatch, not TLS at all
	CodeSTARTTLSMissing     Code = "starttls_missing"      // port 587 did not offer STARTTLS
	CodeAuthUnsupported     Code = "auth_unsupported"      // no AUTH PLAIN/LOGIN offered
	CodeAppPasswordRequired Code = "app_password_required" // 534 5.7.9
	CodeBadCredentials      Code = "bad_credentials"       // 535 5.7.8
	CodeSTARTTLSRequired    Code = "starttls_required"     // 530 5.7.0 Must issue a STARTTLS command first
	CodeAuthRequired        Code = "auth_required"         // 530 5.7.0 Authentication Required
	CodeTooManyLogins       Code = "too_many_logins"       // 454 4.7.0
	CodeSendingLimit        Code = "sending_limit"         // 550 5.4.5
	CodeTryLater            Code = "try_later"             // 421 4.7.0
	CodeEHLORejected        Code = "ehlo_rejected"         // 421 4.7.0 … (EHLO): the relay wants an FQDN
	CodeRelayDenied         Code = "relay_denied"          // 550 5.7.0 Mail relay denied [IP]
	CodeRelayDomain         Code = "relay_domain"          // 550 5.7.1 Invalid credentials for relay
	CodeRelayNotAllowed     Code = "relay_unsupported"     // relay for unmanaged accounts / Mail Sending denied
	CodeRelayLimit          Code = "relay_limit"           // 550 5.4.5 Daily SMTP relay limit exceeded for user
	CodeRejected            Code = "rejected"              // any other SMTP/IMAP refusal
	CodeCanceled            Code = "canceled"              // the caller's context ended
	CodeUnknown             Code = "unknown"
)

// Stage is the step of the conversation where a check stopped.
type Stage string

// The stages, in conversation order.
const (
	StageConfig   Stage = "config"
	StageDNS      Stage = "dns"
	StageConnect  Stage = "connect"
	StageTLS      Stage = "tls"
	StageGreeting Stage = "greeting"
	StageAuth     Stage = "auth"
	StageSend     Stage = "send"
	StageMailbox  Stage = "mailbox"
)

// Diagnosis explains a failure in plain language with a next step. It is
// also an error (Error gives cause and next step); errors.As(err, &d)
// with d *Diagnosis gets it back from Check's and Confirm's errors.
type Diagnosis struct {
	Code  Code  `json:"code"`
	Stage Stage `json:"stage"`
	// ReplyCode and EnhancedCode are the server's, when it answered
	// ("534", "5.7.9").
	ReplyCode    int    `json:"reply_code,omitempty"`
	EnhancedCode string `json:"enhanced_code,omitempty"`
	// Reply is the server's text after the codes.
	Reply string `json:"reply,omitempty"`
	// Cause says what most likely happened; NextStep what to do.
	Cause    string `json:"cause"`
	NextStep string `json:"next_step"`
	// Detail is the underlying error text.
	Detail string `json:"detail,omitempty"`
	// Temporary is true when waiting and retrying may help.
	Temporary bool `json:"temporary"`
	// ClientIP is the address the server says it saw (the relay prints
	// it in "Mail relay denied [IP]"): the site's public IP to allow-list.
	ClientIP string `json:"client_ip,omitempty"`

	err error
}

// Error implements error.
func (d *Diagnosis) Error() string {
	var b strings.Builder
	b.WriteString(string(d.Code))
	if d.ReplyCode != 0 {
		fmt.Fprintf(&b, " (%d", d.ReplyCode)
		if d.EnhancedCode != "" {
			b.WriteString(" " + d.EnhancedCode)
		}
		b.WriteString(")")
	}
	b.WriteString(": " + d.Cause)
	if d.NextStep != "" {
		b.WriteString(": " + d.NextStep)
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (d *Diagnosis) Unwrap() error { return d.err }

var enhancedRE = regexp.MustCompile(`^([245]\.\d{1,3}\.\d{1,3})\b\s*`)

// replyRE finds an SMTP reply inside free text, such as a printer's job
// log: "534-5.7.9 Application-specific password required".
var replyRE = regexp.MustCompile(`\b([45]\d\d)[ -]([45]\.\d{1,3}\.\d{1,3})\b\s*(.*)`)

// DiagnoseReply explains an SMTP failure reply found in free text, for
// example the error a printer shows after its test e-mail ("SMTP error:
// 534-5.7.9 Application-specific password required…") or a transcript;
// the last 4xx/5xx reply with an enhanced status code counts. It returns
// nil when the text holds no such reply.
func DiagnoseReply(text string) *Diagnosis {
	lines := strings.Split(text, "\n")
	last := -1
	var m []string
	for i, line := range lines {
		if c := replyRE.FindStringSubmatch(line); c != nil {
			last, m = i, c
		}
	}
	if m == nil {
		return nil
	}
	// A multi-line reply ("534-5.7.9 …" then "534 5.7.9 …"): join its lines.
	parts := []string{strings.TrimSpace(m[3])}
	for i := last - 1; i >= 0; i-- {
		c := replyRE.FindStringSubmatch(lines[i])
		if c == nil || c[1] != m[1] {
			break
		}
		parts = append([]string{strings.TrimSpace(c[3])}, parts...)
	}
	code, _ := strconv.Atoi(m[1])
	d := fromReply(code, m[2], strings.Join(parts, " "), StageSend)
	d.Detail = strings.TrimSpace(text)
	return d
}

// Diagnose turns an error from an SMTP conversation (go-mail, net,
// crypto/tls, net/textproto) into a Diagnosis. stage is where the caller
// was when it failed; it is refined from the error where possible. A nil
// error gives nil.
func Diagnose(err error, stage Stage, port int) *Diagnosis {
	if err == nil {
		return nil
	}
	var d *Diagnosis
	if errors.As(err, &d) {
		return d
	}
	d = classify(err, stage, port)
	d.err = err
	if d.Detail == "" {
		d.Detail = err.Error()
	}
	return d
}

func classify(err error, stage Stage, port int) *Diagnosis {
	other := otherPort(port)

	// The server answered with a reply code.
	var tp *textproto.Error
	if errors.As(err, &tp) {
		enh, text := splitEnhanced(tp.Msg)
		st := stage
		if st == StageConnect || st == StageTLS {
			st = StageGreeting
		}
		return fromReply(tp.Code, enh, text, st)
	}
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() != 0 {
		enh := se.EnhancedStatusCode()
		_, text := splitEnhanced(strings.TrimSpace(err.Error()))
		return fromReply(se.ErrorCode(), enh, text, StageSend)
	}

	if errors.Is(err, context.Canceled) {
		return &Diagnosis{Code: CodeCanceled, Stage: stage, Cause: "the check was interrupted", NextStep: "run it again"}
	}

	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return &Diagnosis{Code: CodeDNS, Stage: StageDNS,
			Cause:     fmt.Sprintf("the name %s could not be resolved", dnsErr.Name),
			NextStep:  "check the host name ([gmail] smtp_host / imap_host in fleet.toml) and that this machine has working DNS",
			Temporary: dnsErr.IsTemporary || dnsErr.IsTimeout,
		}
	}

	// Certificates.
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verr *tls.CertificateVerificationError
	if errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &invalid) || errors.As(err, &verr) {
		return &Diagnosis{Code: CodeTLSUntrusted, Stage: StageTLS,
			Cause:    "the server's TLS certificate is not trusted (unknown issuer, wrong name or expired): something on this network may intercept TLS (antivirus, proxy), or the host is not Gmail",
			NextStep: "for Gmail, leave [gmail] ca_file empty and use the system's roots; try another network; for a local test server, point ca_file at its CA",
		}
	}

	// Time-outs: before the TCP connection (SYN unanswered) or after it
	// (server accepted but never spoke, or stalled).
	if isTimeout(err) {
		d := &Diagnosis{Code: CodeTimeout, Stage: stage, Temporary: true}
		if isDial(err) {
			d.Stage = StageConnect
			d.Cause = fmt.Sprintf("no answer on port %d: the port is probably blocked on this network (some ISPs, hotels and regions block outgoing SMTP)", port)
		} else {
			if d.Stage == StageConnect || d.Stage == StageDNS {
				d.Stage = StageGreeting
			}
			d.Cause = fmt.Sprintf("the connection on port %d opened but the server did not answer in time: a firewall or proxy may hold SMTP connections", port)
		}
		d.NextStep = fmt.Sprintf("try port %d (--port %d), another network, or a VPN", other, other)
		return d
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return &Diagnosis{Code: CodeRefused, Stage: StageConnect,
			Cause:    fmt.Sprintf("the connection to port %d was refused: nothing listens there, or a firewall rejects it", port),
			NextStep: fmt.Sprintf("check smtp_host and the port in fleet.toml; try port %d (--port %d), another network, or a VPN", other, other),
		}
	}

	msg := err.Error()
	switch {
	case strings.Contains(msg, "does not support STARTTLS"):
		return &Diagnosis{Code: CodeSTARTTLSMissing, Stage: StageTLS,
			Cause:    fmt.Sprintf("the server on port %d did not offer STARTTLS, so the password was not sent: something on this network (firewall, antivirus, proxy) may strip it, or the host is not Gmail", port),
			NextStep: fmt.Sprintf("try port %d (implicit TLS), another network, or a VPN", other),
		}
	case strings.Contains(msg, "does not support SMTP AUTH"), errors.Is(err, gomail.ErrNoSupportedAuthDiscovered),
		errors.Is(err, gomail.ErrPlainAuthNotSupported), errors.Is(err, gomail.ErrLoginAuthNotSupported):
		return &Diagnosis{Code: CodeAuthUnsupported, Stage: StageAuth,
			Cause:    "the server did not offer AUTH PLAIN or LOGIN after TLS",
			NextStep: "check smtp_host: smtp.gmail.com offers both on ports 587 and 465",
		}
	}
	if isTLSError(err) {
		return &Diagnosis{Code: CodeTLSHandshake, Stage: StageTLS,
			Cause:    "the TLS handshake failed (no common TLS version or cipher, or the port does not speak TLS)",
			NextStep: fmt.Sprintf("check that port %d is the right one for its mode (587 = STARTTLS, 465 = implicit TLS); Gmail needs TLS 1.2 or newer; try another network", port),
		}
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH) {
		st := stage
		if opErr != nil && opErr.Op == "dial" {
			st = StageConnect
		}
		return &Diagnosis{Code: CodeNetwork, Stage: st, Temporary: true,
			Cause:    "the network connection failed",
			NextStep: fmt.Sprintf("check this machine's network; try port %d, another network, or a VPN", other),
		}
	}
	return &Diagnosis{Code: CodeUnknown, Stage: stage, Cause: "the check failed", NextStep: "run again with --verbose and read the detail"}
}

// fromReply explains an SMTP reply code.
func fromReply(code int, enh, text string, stage Stage) *Diagnosis {
	d := &Diagnosis{ReplyCode: code, EnhancedCode: enh, Reply: text, Stage: stage, Temporary: code >= 400 && code < 500}
	lt := strings.ToLower(text)
	switch {
	case (code == 534 || code == 535) && strings.Contains(lt, "web browser") || enh == "5.7.14":
		d.Code, d.Stage = CodeRejected, StageAuth
		d.Cause = "Gmail blocked a sign-in it found suspicious (534 5.7.14 WebLoginRequired)"
		d.NextStep = "sign in to the account once in a web browser from this network (https://accounts.google.com), then try again"
	case code == 534 || enh == "5.7.9" || strings.Contains(lt, "application-specific password required"):
		d.Code, d.Stage = CodeAppPasswordRequired, StageAuth
		d.Cause = "Gmail wants an app password: the account's normal password was given (2-Step Verification is on)"
		d.NextStep = "create an app password at " + AppPasswordsURL + " and use it instead (16 letters)"
	case code == 535 || enh == "5.7.8":
		d.Code, d.Stage = CodeBadCredentials, StageAuth
		d.Cause = "Gmail did not accept the username and password (535 5.7.8 means one of: the app password is wrong or was revoked; " +
			"the account's password was changed, which revokes every app password of the account; a Workspace admin switched app passwords off " +
			"(e.g. by enforcing security keys) or they are not available for this account; the app password was typed with its spaces; " +
			"an account password was used on an account without 2-Step Verification; or the user name is not the account the app password belongs to)"
		d.NextStep = "check that the user is the full address the app password was created for; open " + AppPasswordsURL +
			" — if the page is missing, app passwords are off for this account (Workspace: use method = \"relay\"); otherwise create a new app password and push it"
	case code == 550 && strings.Contains(lt, "mail relay denied"):
		d.Code = CodeRelayDenied
		d.ClientIP = bracketIP(text)
		ip := cmp.Or(d.ClientIP, "this site's public IP")
		d.Cause = fmt.Sprintf("the relay does not know %s: the address is not allow-listed (or the sender's domain is not one of the Workspace's domains)", ip)
		d.NextStep = fmt.Sprintf("add %s in the Admin console › Apps › Google Workspace › Gmail › Routing › SMTP relay service (\"Only accept mail from the specified IP addresses\"); changes take up to an hour, then check again", ip)
	case code == 550 && strings.Contains(lt, "invalid credentials for relay"):
		d.Code = CodeRelayDomain
		d.ClientIP = bracketIP(text)
		d.Cause = "the relay refused the sender: the envelope sender ([gmail] account) is not in one of the Workspace's domains, or the IP is registered for another domain"
		d.NextStep = "set [gmail] account (or [[sites]] account) to an address in the client's Workspace domain, or turn on SMTP AUTH for the relay (relay_auth = true)"
	case strings.Contains(lt, "unmanaged") || code == 550 && strings.Contains(lt, "mail sending denied"):
		d.Code = CodeRelayNotAllowed
		d.Cause = "the relay does not serve this sender: the account is disabled, not a user of the Workspace, or not a managed Workspace account"
		d.NextStep = "use a Workspace user of the client's domain as [gmail] account; consumer Gmail accounts cannot use the relay (method = \"app-password\")"
	case code == 550 && (enh == "5.4.5" || strings.Contains(lt, "limit")) && strings.Contains(lt, "relay"):
		d.Code = CodeRelayLimit
		d.Cause = "the relay's daily limit for this sender was reached (10,000 recipients per user a day)"
		d.NextStep = "wait up to 24 hours; spread the devices over several sender addresses"
	case code == 530 && strings.Contains(lt, "starttls"):
		d.Code = CodeSTARTTLSRequired
		d.Cause = "the server requires STARTTLS before AUTH or MAIL: the client sent them over a plain connection"
		d.NextStep = "use port 587 with STARTTLS (\"TLS\"/\"STARTTLS\" on the device) or port 465 with SSL/TLS; never port 587 without encryption"
	case code == 530:
		d.Code = CodeAuthRequired
		d.Cause = "the server wants SMTP AUTH before sending"
		d.NextStep = "turn on SMTP authentication with the full Gmail address as user and the app password"
	case code == 454 && (enh == "4.7.0" || strings.Contains(lt, "login attempts")):
		// Never retried in a loop: every attempt extends the block.
		d.Code, d.Stage, d.Temporary = CodeTooManyLogins, StageAuth, false
		d.Cause = "Gmail saw too many login attempts and blocks logins for a while"
		d.NextStep = "stop: do not retry now (each attempt prolongs the block); wait at least 10–15 minutes, turn off or fix devices that retry with a wrong password, then run once"
	case code == 550 && (enh == "5.4.5" || strings.Contains(lt, "limit")):
		d.Code = CodeSendingLimit
		d.Cause = "the account reached Gmail's daily sending limit (500 messages a day for a consumer account, 2,000 for Workspace); it cannot send for up to 24 hours"
		d.NextStep = "wait up to 24 hours; spread devices over several accounts, or use Google Workspace's SMTP relay for high volume"
	case code == 421:
		d.Code = CodeTryLater
		d.Cause = "Gmail asked to try again later: the account or this network is sending too much, or sending is temporarily restricted"
		d.NextStep = "wait (minutes to hours) and try again; if it repeats, check the account's sending limits"
	default:
		d.Code = CodeRejected
		d.Cause = fmt.Sprintf("the server refused with %d %s", code, strings.TrimSpace(enh+" "+text))
		d.NextStep = "read the server's text; Gmail's replies name a help page"
	}
	return d
}

// ForRelay reads d as the Workspace relay's answer to a client that
// announced ehlo ("" = unknown): "421 4.7.0 Try again later, closing
// connection. (EHLO)" is then the relay dropping a name that is not fully
// qualified — a naming problem that waiting does not fix — unless ehlo
// is a good name, when it stays a "try later". It returns d.
func (d *Diagnosis) ForRelay(ehlo string) *Diagnosis {
	if d == nil || d.ReplyCode != 421 || !strings.Contains(strings.ToLower(d.Reply), "(ehlo)") || (ehlo != "" && ValidEHLO(ehlo)) {
		return d
	}
	d.Code, d.Stage, d.Temporary = CodeEHLORejected, StageGreeting, false
	name := "the name given in EHLO"
	if ehlo != "" {
		name = fmt.Sprintf("the EHLO name %q", ehlo)
	}
	d.Cause = "the relay closed the connection after EHLO: " + name + " is not a fully qualified domain name (smtp-relay.gmail.com drops localhost, IP literals and bare names such as XC-B8C463)"
	d.NextStep = "give the device a host name and a domain in the client's domain (its EHLO becomes e.g. xrx-b8c463.client.example; fleet.toml [gmail] ehlo_domain); this is a naming problem, waiting does not help"
	return d
}

// ValidEHLO reports whether name is what the relay accepts in EHLO: a
// fully qualified domain name (two labels or more), not localhost, not
// an IP literal.
func ValidEHLO(name string) bool {
	n := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
	if n == "" || strings.HasPrefix(n, "[") || n == "localhost" || strings.HasSuffix(n, ".localhost") ||
		strings.HasSuffix(n, ".localdomain") || !strings.Contains(n, ".") || net.ParseIP(n) != nil {
		return false
	}
	for _, l := range strings.Split(n, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
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

var bracketIPRE = regexp.MustCompile(`\[([0-9a-fA-F.:]+)\]`)

// bracketIP returns the first "[IP]" of a reply, "" when there is none.
func bracketIP(text string) string {
	if m := bracketIPRE.FindStringSubmatch(text); m != nil {
		if ip := net.ParseIP(m[1]); ip != nil {
			return ip.String()
		}
	}
	return ""
}

func splitEnhanced(msg string) (enh, text string) {
	msg = strings.TrimSpace(msg)
	// Multi-line replies are joined with "\n" by textproto; each line may
	// repeat the enhanced code.
	lines := strings.Split(msg, "\n")
	var parts []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if m := enhancedRE.FindStringSubmatch(l); m != nil {
			if enh == "" {
				enh = m[1]
			}
			l = strings.TrimSpace(l[len(m[0]):])
		}
		if l != "" {
			parts = append(parts, l)
		}
	}
	return enh, strings.Join(parts, " ")
}

func otherPort(port int) int {
	if port == 465 {
		return 587
	}
	return 465
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isDial(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

func isTLSError(err error) bool {
	var alert tls.AlertError
	var rh tls.RecordHeaderError
	var ech *tls.ECHRejectionError
	if errors.As(err, &alert) || errors.As(err, &rh) || errors.As(err, &ech) {
		return true
	}
	return strings.Contains(err.Error(), "tls: ")
}
