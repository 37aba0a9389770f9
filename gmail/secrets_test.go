package gmail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSecretsStayOut runs checks and confirmations, good and bad, with
// debug logging captured from both sides, marshals every result, and
// searches all of it for the app password in every form it was given or
// sent in.
func TestSecretsStayOut(t *testing.T) {
	var out syncBuf
	log := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	textLog := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, ca := startStandin(t, standin.Options{Addr: ipSecrets, Logger: log})
	host, p587 := hostPort(t, srv.StartTLSAddr)
	_, p465 := hostPort(t, srv.TLSAddr)
	_, pIMAP := hostPort(t, srv.IMAPAddr)

	app, err := gmail.NormalizeAppPassword(testAppPasswordSpaced)
	if err != nil {
		t.Fatal(err)
	}
	record := func(label string, v any, err error) {
		j, _ := json.Marshal(v)
		fmt.Fprintf(&out, "%s: %s\n%v\n%+v\n%#v\n", label, j, v, v, v)
		if err != nil {
			fmt.Fprintf(&out, "error: %v | %+v | %#v\n", err, err, err)
		}
	}
	to, _ := gmail.PlusAddress(testAccount, gmail.NewToken("SECRET1"))
	for _, lg := range []*slog.Logger{log, textLog} {
		o := gmail.CheckOptions{Account: testAccount, Password: app, Host: host, Port: p587, CAFile: ca, SendTo: to, Logger: lg, Timeout: 5 * time.Second}
		res, err := gmail.Check(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		record("check ok", res, err)
		o.Account = "wrong@gmail.com"
		res, err = gmail.Check(context.Background(), o)
		if err == nil {
			t.Fatal("wrong account accepted")
		}
		record("check fail", res, err)
		both, err := gmail.CheckBoth(context.Background(), o, p587, p465)
		record("check both", both, err)
		record("options", o, nil)
		lg.Info("options", "opts", o, "password", app)

		co := gmail.ConfirmOptions{Account: testAccount, Password: app, Host: host, Port: pIMAP, CAFile: ca, To: to,
			Timeout: 5 * time.Second, PollInitial: 20 * time.Millisecond, Logger: lg}
		a, err := gmail.Confirm(context.Background(), co)
		if err != nil {
			t.Fatal(err)
		}
		record("confirm ok", a, err)
		co.To, co.Timeout = "it.scans+never@gmail.com", 300*time.Millisecond
		a, err = gmail.Confirm(context.Background(), co)
		record("confirm missing", a, err)
		co.Password = gmail.MustAppPassword("zzzz zzzz zzzz zzzz")
		a, err = gmail.Confirm(context.Background(), co)
		record("confirm wrong password", a, err)
		record("confirm options", co, nil)
	}
	record("stand-in messages", srv.Messages(), nil)
	record("stand-in auths", srv.AuthAttempts(), nil)

	all := out.String()
	if !strings.Contains(all, "check ok") || !strings.Contains(all, "gmail check") || !strings.Contains(all, "message accepted") {
		t.Fatalf("capture incomplete:\n%s", all)
	}
	for _, leak := range []string{
		testAppPassword,
		testAppPasswordSpaced,
		strings.ToUpper(testAppPassword),
		base64.StdEncoding.EncodeToString([]byte(testAppPassword)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + testAccount + "\x00" + testAppPassword)),
		"qwer", // any group of four
		"tyui",
	} {
		if strings.Contains(all, leak) {
			i := strings.Index(all, leak)
			t.Errorf("found %q in captured output near: %q", leak, all[max(0, i-200):min(len(all), i+50)])
		}
	}
}
