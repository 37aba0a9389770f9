package gmail_test

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

// The relay preflight's addresses: the stand-in, the site's allow-listed
// address and an address the relay does not know.
const (
	ipRelay      = "127.0.43.10"
	ipRelaySite  = "127.0.43.11"
	ipRelayOther = "127.0.43.12"
	wsSender     = "scans@client.example"
)

func relayOptions(t *testing.T, srv *standin.Server, ca string) gmail.RelayCheckOptions {
	t.Helper()
	host, p, _ := net.SplitHostPort(srv.RelayStartTLSAddr)
	port, _ := strconv.Atoi(p)
	return gmail.RelayCheckOptions{Sender: wsSender, Recipient: "scans+mfp-check@client.example", Host: host, Port: port,
		Mode: gmail.ModeSTARTTLS, CAFile: ca, LocalAddr: ipRelaySite}
}

func TestRelayCheck(t *testing.T) {
	srv, ca := startStandin(t, standin.Options{Addr: ipRelay, Account: wsSender,
		Relay: &standin.RelayOptions{AllowedIPs: []string{ipRelaySite}, RequireTLS: true}})
	ctx := context.Background()

	t.Run("allow-listed IP passes and nothing is sent", func(t *testing.T) {
		r, err := gmail.RelayCheck(ctx, relayOptions(t, srv, ca))
		if err != nil || !r.OK || !r.Accepted || r.Sent || r.TLSVersion == "" || r.Method != "relay" {
			t.Fatalf("RelayCheck = %+v, %v", r, err)
		}
		if r.EHLO != "mfpfleet-check.client.example" {
			t.Errorf("EHLO = %q, want a name in the sender's domain", r.EHLO)
		}
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("%d message(s) sent, want none (stop before DATA)", n)
		}
	})

	t.Run("--send-to delivers through the relay", func(t *testing.T) {
		o := relayOptions(t, srv, ca)
		o.SendTo = "scans+mfp-sent@client.example"
		r, err := gmail.RelayCheck(ctx, o)
		if err != nil || !r.Sent {
			t.Fatalf("RelayCheck = %+v, %v", r, err)
		}
		ms := srv.Messages()
		if len(ms) != 1 || !ms[0].Delivered || ms[0].Listener != "relay-starttls" {
			t.Fatalf("messages = %+v", ms)
		}
	})

	t.Run("implicit TLS on 465", func(t *testing.T) {
		o := relayOptions(t, srv, ca)
		_, p, _ := net.SplitHostPort(srv.RelayTLSAddr)
		o.Port, _ = strconv.Atoi(p)
		o.Mode = gmail.ModeTLS
		if r, err := gmail.RelayCheck(ctx, o); err != nil || !r.OK {
			t.Fatalf("RelayCheck = %+v, %v", r, err)
		}
	})

	diag := func(t *testing.T, o gmail.RelayCheckOptions, want gmail.Code) *gmail.Diagnosis {
		t.Helper()
		r, err := gmail.RelayCheck(ctx, o)
		var d *gmail.Diagnosis
		if !errors.As(err, &d) || d.Code != want || r.OK || r.Diagnosis != d {
			t.Fatalf("RelayCheck = %+v, %v; want diagnosis %s", r, err, want)
		}
		return d
	}

	t.Run("an unlisted IP: relay denied, the IP printed, Admin console and the hour named", func(t *testing.T) {
		o := relayOptions(t, srv, ca)
		o.LocalAddr = ipRelayOther
		d := diag(t, o, gmail.CodeRelayDenied)
		if d.ClientIP != ipRelayOther || d.ReplyCode != 550 || d.EnhancedCode != "5.7.0" || d.Stage != gmail.StageEnvelope {
			t.Errorf("diagnosis = %+v", d)
		}
		for _, w := range []string{ipRelayOther, "Routing › SMTP relay service", "up to an hour"} {
			if !strings.Contains(d.Error(), w) {
				t.Errorf("diagnosis %q does not say %q", d.Error(), w)
			}
		}
	})

	t.Run("a foreign sender domain: invalid credentials for relay", func(t *testing.T) {
		o := relayOptions(t, srv, ca)
		o.Sender = "scans@elsewhere.example"
		d := diag(t, o, gmail.CodeRelayDomain)
		if d.ReplyCode != 550 || d.EnhancedCode != "5.7.1" || !strings.Contains(d.NextStep, "account") {
			t.Errorf("diagnosis = %+v", d)
		}
	})

	t.Run("a bare EHLO name: a naming problem, not a transient one", func(t *testing.T) {
		o := relayOptions(t, srv, ca)
		o.EHLO = "XC-B8C463"
		d := diag(t, o, gmail.CodeEHLORejected)
		if d.Temporary || d.ReplyCode != 421 || !strings.Contains(d.Cause, "fully qualified") {
			t.Errorf("diagnosis = %+v", d)
		}
	})
}

func TestRelayCheckWithAuth(t *testing.T) {
	srv, ca := startStandin(t, standin.Options{Addr: "127.0.43.13", Account: wsSender,
		Relay: &standin.RelayOptions{RequireAuth: true}})
	o := relayOptions(t, srv, ca)
	o.LocalAddr = ""
	if _, err := gmail.RelayCheck(context.Background(), o); err == nil {
		t.Fatal("RelayCheck without AUTH passed a relay that requires it")
	}
	o.Auth, o.Password = true, gmail.MustAppPassword(testAppPassword)
	if r, err := gmail.RelayCheck(context.Background(), o); err != nil || !r.Authenticated || !r.OK {
		t.Fatalf("RelayCheck with AUTH = %+v, %v", r, err)
	}
	srv.RevokeAll()
	r, err := gmail.RelayCheck(context.Background(), o)
	var d *gmail.Diagnosis
	if !errors.As(err, &d) || d.Code != gmail.CodeBadCredentials || r.OK {
		t.Fatalf("after the app passwords were revoked: %+v, %v", r, err)
	}
	for _, w := range []string{"revoked", "password was changed", "spaces", "switched app passwords off"} {
		if !strings.Contains(d.Cause, w) {
			t.Errorf("535 diagnosis %q does not name the cause %q", d.Cause, w)
		}
	}
}

func TestDiagnoseGoogleAnswers(t *testing.T) {
	for reply, want := range map[string]gmail.Code{
		"534-5.7.9 Application-specific password required. For more information, go to": gmail.CodeAppPasswordRequired,
		"535-5.7.8 Username and Password not accepted. For more information":            gmail.CodeBadCredentials,
		"454 4.7.0 Too many login attempts, please try again later.":                    gmail.CodeTooManyLogins,
		"550 5.4.5 Daily user sending limit exceeded.":                                  gmail.CodeSendingLimit,
		"550 5.4.5 Daily SMTP relay limit exceeded for user.":                           gmail.CodeRelayLimit,
		"550-5.7.0 Mail relay denied [203.0.113.7]. Invalid credentials for relay":      gmail.CodeRelayDenied,
		"550-5.7.1 Invalid credentials for relay [203.0.113.7]. The IP address":         gmail.CodeRelayDomain,
		"550 5.7.0 Mail Sending denied.":                                                gmail.CodeRelayNotAllowed,
	} {
		d := gmail.DiagnoseReply(reply)
		if d == nil || d.Code != want {
			t.Errorf("%q: diagnosis %+v, want %s", reply, d, want)
			continue
		}
		if d.Code == gmail.CodeTooManyLogins && d.Temporary {
			t.Errorf("454 is marked temporary: a caller would retry it in a loop")
		}
		if d.Code == gmail.CodeRelayDenied && d.ClientIP != "203.0.113.7" {
			t.Errorf("relay denied: ClientIP = %q", d.ClientIP)
		}
	}
}

func TestEHLORefusalReadForTheRelay(t *testing.T) {
	const reply = "421-4.7.0 Try again later, closing connection. (EHLO)"
	if d := gmail.DiagnoseReply(reply); d.Code != gmail.CodeTryLater {
		t.Errorf("smtp.gmail.com's 421 (EHLO) = %s, want try_later", d.Code)
	}
	if d := gmail.DiagnoseReply(reply).ForRelay("XC-B8C463"); d.Code != gmail.CodeEHLORejected || d.Temporary || !strings.Contains(d.Cause, "XC-B8C463") {
		t.Errorf("the relay's 421 (EHLO) for a bare name = %+v", d)
	}
	if d := gmail.DiagnoseReply(reply).ForRelay("xrx.client.example"); d.Code != gmail.CodeTryLater {
		t.Errorf("the relay's 421 (EHLO) for a good name = %s, want try_later", d.Code)
	}
}
