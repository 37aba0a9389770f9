package gmail_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

// sendVia sends one message through the stand-in's STARTTLS port the way
// a printer would (AUTH LOGIN), with go-mail.
func sendVia(t *testing.T, srv *standin.Server, ca, from string, to []string, subject string) {
	t.Helper()
	host, port := hostPort(t, srv.StartTLSAddr)
	tlsCfg := srv.ClientTLS()
	c, err := gomail.NewClient(host, gomail.WithTLSPortPolicy(gomail.TLSMandatory), gomail.WithPort(port),
		gomail.WithSMTPAuth(gomail.SMTPAuthLogin), gomail.WithUsername(testAccount), gomail.WithPassword(testAppPassword),
		gomail.WithTLSConfig(tlsCfg), gomail.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	m := gomail.NewMsg()
	if err := m.From(from); err != nil {
		t.Fatal(err)
	}
	if err := m.To(to...); err != nil {
		t.Fatal(err)
	}
	m.Subject(subject)
	m.SetBodyString(gomail.TypeTextPlain, "scan attached\n")
	if err := c.DialAndSendWithContext(context.Background(), m); err != nil {
		t.Fatalf("send %q: %v", subject, err)
	}
}

func TestConfirm(t *testing.T) {
	srv, ca := startStandin(t, standin.Options{Addr: ipConfirm})
	ip, imapPort := hostPort(t, srv.IMAPAddr)
	app := gmail.MustAppPassword(testAppPassword)

	token := gmail.NewToken("3TB123456")
	want, err := gmail.PlusAddress(testAccount, token)
	if err != nil {
		t.Fatal(err)
	}
	// Noise: other plus-tokens (including one that shares a prefix), other
	// recipients, and a token in the subject only.
	other, _ := gmail.PlusAddress(testAccount, gmail.NewToken("3TB123456"))
	prefix, _ := gmail.PlusAddress(testAccount, "mfp-3tb123456")
	for i := 0; i < 5; i++ {
		sendVia(t, srv, ca, "scanner-a@printers.example", []string{other}, fmt.Sprintf("noise %d", i))
	}
	sendVia(t, srv, ca, "scanner-b@printers.example", []string{prefix}, "prefix only")
	sendVia(t, srv, ca, "scanner-c@printers.example", []string{"someone@example.org"}, "not ours "+want)
	sendVia(t, srv, ca, "scanner-d@printers.example", []string{testAccount}, "plain account")

	o := gmail.ConfirmOptions{Account: testAccount, Password: app, Host: ip, Port: imapPort, CAFile: ca, To: want,
		Timeout: 10 * time.Second, PollInitial: 50 * time.Millisecond, PollMax: 200 * time.Millisecond}

	t.Run("arrives while polling", func(t *testing.T) {
		sent := make(chan time.Time, 1)
		go func() {
			time.Sleep(300 * time.Millisecond)
			sent <- time.Now()
			sendVia(t, srv, ca, "altalink-c8070@printers.example", []string{want}, "Scan from AltaLink C8070")
		}()
		a, err := gmail.Confirm(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		at := <-sent
		if a.From != "altalink-c8070@printers.example" || a.Subject != "Scan from AltaLink C8070" || a.To != want || a.Matches != 1 {
			t.Errorf("arrival = %+v", a)
		}
		if a.At.Before(at.Add(-2*time.Second)) || a.At.After(time.Now().Add(time.Second)) {
			t.Errorf("arrival time %v, sent at %v", a.At, at)
		}
		if a.WaitMS < 300 {
			t.Errorf("waited %d ms for a message sent after 300 ms", a.WaitMS)
		}
	})

	t.Run("delivered-to fallback", func(t *testing.T) {
		// BCC: the plus-address is only in the envelope, so only in
		// Delivered-To.
		bcc, _ := gmail.PlusAddress(testAccount, gmail.NewToken("BCC1"))
		host, port := hostPort(t, srv.StartTLSAddr)
		c, err := gomail.NewClient(host, gomail.WithTLSPortPolicy(gomail.TLSMandatory), gomail.WithPort(port),
			gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(testAccount), gomail.WithPassword(testAppPassword),
			gomail.WithTLSConfig(srv.ClientTLS()))
		if err != nil {
			t.Fatal(err)
		}
		m := gomail.NewMsg()
		_ = m.From("versalink@printers.example")
		_ = m.To("someone@example.org")
		_ = m.Bcc(bcc)
		m.Subject("bcc copy")
		m.SetBodyString(gomail.TypeTextPlain, "x\n")
		if err := c.DialAndSend(m); err != nil {
			t.Fatal(err)
		}
		oo := o
		oo.To = bcc
		a, err := gmail.Confirm(context.Background(), oo)
		if err != nil {
			t.Fatal(err)
		}
		if a.Subject != "bcc copy" {
			t.Errorf("arrival = %+v", a)
		}
	})

	t.Run("times out with ErrNotArrived", func(t *testing.T) {
		missing, _ := gmail.PlusAddress(testAccount, gmail.NewToken("NEVERSENT"))
		oo := o
		oo.To = missing
		oo.Timeout = 700 * time.Millisecond
		start := time.Now()
		_, err := gmail.Confirm(context.Background(), oo)
		if !errors.Is(err, gmail.ErrNotArrived) {
			t.Fatalf("err = %v, want ErrNotArrived", err)
		}
		if !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "INBOX of "+testAccount) {
			t.Errorf("error does not say what was searched for and where: %v", err)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("took %v", time.Since(start))
		}
	})

	t.Run("wrong app password", func(t *testing.T) {
		oo := o
		oo.Password = gmail.MustAppPassword("zzzzyyyyxxxxwwww")
		_, err := gmail.Confirm(context.Background(), oo)
		if !errors.Is(err, gmail.ErrMailboxLogin) || !strings.Contains(err.Error(), "apppasswords") {
			t.Fatalf("err = %v, want ErrMailboxLogin with a hint", err)
		}
	})

	t.Run("account password", func(t *testing.T) {
		oo := o
		oo.Password = gmail.MustAppPassword(testAccountPassword)
		_, err := gmail.Confirm(context.Background(), oo)
		if !errors.Is(err, gmail.ErrMailboxLogin) || !strings.Contains(err.Error(), "normal password") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("untrusted certificate", func(t *testing.T) {
		oo := o
		oo.CAFile = ""
		_, err := gmail.Confirm(context.Background(), oo)
		var d *gmail.Diagnosis
		if !errors.As(err, &d) || d.Code != gmail.CodeTLSUntrusted {
			t.Fatalf("err = %v, want tls_untrusted", err)
		}
	})

	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(200*time.Millisecond, cancel)
		oo := o
		oo.To, _ = gmail.PlusAddress(testAccount, "mfp-never")
		_, err := gmail.Confirm(ctx, oo)
		if !errors.Is(err, context.Canceled) || errors.Is(err, gmail.ErrNotArrived) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}
