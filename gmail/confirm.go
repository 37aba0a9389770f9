package gmail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// ErrNotArrived is wrapped by Confirm's error when the deadline passed
// without the message arriving.
var ErrNotArrived = errors.New("the test message has not arrived")

// ErrMailboxLogin is wrapped by Confirm's error when the IMAP server
// refused the login (wrong or revoked app password, wrong account, IMAP
// turned off).
var ErrMailboxLogin = errors.New("mailbox login refused")

// ConfirmOptions configures Confirm.
type ConfirmOptions struct {
	Account  string      // the mailbox's address (IMAP user)
	Password AppPassword // the same app password works for IMAP
	Host     string      // "" = imap.gmail.com
	Port     int         // 0 = 993 (implicit TLS)
	CAFile   string      // "" = system roots
	// To is the address to look for, normally a PlusAddress of Account.
	To string
	// Since skips messages that arrived before it (zero = no limit).
	// IMAP compares dates only, so it is also checked per message.
	Since time.Time
	// Timeout is how long to wait for the message; 0 = 2 minutes.
	Timeout time.Duration
	// PollInitial and PollMax bound the wait between searches; the wait
	// doubles from PollInitial up to PollMax (0 = 1 s and 15 s).
	PollInitial, PollMax time.Duration
	// Logger gets one debug line per poll; nil = discard.
	Logger *slog.Logger
}

// Arrival is the message Confirm found.
type Arrival struct {
	At      time.Time `json:"at"`      // the server's INTERNALDATE
	From    string    `json:"from"`    // sender address
	Subject string    `json:"subject"` // decoded subject
	To      string    `json:"to"`      // the address searched for
	UID     uint32    `json:"uid"`     // IMAP UID in Mailbox
	Mailbox string    `json:"mailbox"` // "INBOX"
	WaitMS  int64     `json:"wait_ms"` // how long Confirm waited
	Polls   int       `json:"polls"`   // searches made
	Matches int       `json:"matches"` // messages that matched (the newest is reported)
}

// mailbox is the little of IMAP Confirm needs, so the beta client
// library stays behind it.
type mailbox interface {
	// Find returns messages in the inbox addressed to "to" (To, Cc or
	// Delivered-To), oldest first.
	Find(ctx context.Context, to string, since time.Time) ([]Arrival, error)
	// FetchNew returns the inbox's messages with a UID above after (or,
	// for after 0, those since the date of since) and its UIDVALIDITY.
	FetchNew(ctx context.Context, after imap.UID, since time.Time) (uint32, []newMessage, error)
	Close() error
}

func (o *ConfirmOptions) defaults() {
	if o.Host == "" {
		o.Host = DefaultIMAPHost
	}
	if o.Port == 0 {
		o.Port = DefaultIMAPPort
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	if o.PollInitial <= 0 {
		o.PollInitial = time.Second
	}
	if o.PollMax <= 0 {
		o.PollMax = 15 * time.Second
	}
	if o.PollMax < o.PollInitial {
		o.PollMax = o.PollInitial
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Confirm waits until a message addressed to o.To is in the account's
// inbox, searching over IMAP (implicit TLS) with backoff, and reports
// when it arrived and from whom. The error wraps ErrNotArrived when the
// time-out passed, ErrMailboxLogin when the login was refused, and
// otherwise carries a *Diagnosis for connection and TLS failures.
func Confirm(ctx context.Context, o ConfirmOptions) (Arrival, error) {
	o.defaults()
	if o.To == "" || !strings.Contains(o.To, "@") {
		return Arrival{}, fmt.Errorf("confirm: no address to look for (want the plus-address the test message was sent to)")
	}
	if o.Password.IsZero() {
		return Arrival{}, fmt.Errorf("confirm: no app password")
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	where := fmt.Sprintf("INBOX of %s on %s", o.Account, net.JoinHostPort(o.Host, strconv.Itoa(o.Port)))
	log := o.Logger.With("imap", net.JoinHostPort(o.Host, strconv.Itoa(o.Port)), "account", o.Account, "to", o.To)

	var mb mailbox
	defer func() {
		if mb != nil {
			_ = mb.Close()
		}
	}()
	wait := o.PollInitial
	polls := 0
	var lastErr error
	for {
		if mb == nil {
			var err error
			mb, err = dialIMAP(ctx, &o)
			if err != nil {
				mb = nil
				if polls == 0 || !retryable(err) {
					return Arrival{}, fmt.Errorf("confirm: %s: %w", where, err)
				}
				lastErr = err
				log.Debug("gmail confirm: connect failed, will retry", "err", err)
			}
		}
		if mb != nil {
			polls++
			found, err := mb.Find(ctx, o.To, o.Since)
			if err != nil {
				if ctx.Err() == nil {
					lastErr = err
				}
				log.Debug("gmail confirm: search failed, reconnecting", "err", err)
				_ = mb.Close()
				mb = nil
			} else if len(found) > 0 {
				a := found[len(found)-1]
				a.To, a.Polls, a.Matches = o.To, polls, len(found)
				a.WaitMS = time.Since(start).Milliseconds()
				log.Debug("gmail confirm: arrived", "uid", a.UID, "from", a.From)
				return a, nil
			} else {
				log.Debug("gmail confirm: not yet", "poll", polls)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				msg := fmt.Sprintf("confirm: no message to %s in the %s after %s (%d searches)", o.To, where, o.Timeout.Round(time.Second), polls)
				if lastErr != nil {
					msg += fmt.Sprintf("; last error: %v", lastErr)
				}
				return Arrival{}, fmt.Errorf("%s: %w (check the device's SMTP log, Gmail's Spam folder, and that the device sent to this exact address)", msg, ErrNotArrived)
			}
			return Arrival{}, fmt.Errorf("confirm: %w", ctx.Err())
		case <-t.C:
		}
		wait *= 2
		if wait > o.PollMax {
			wait = o.PollMax
		}
	}
}

// imapMailbox is mailbox over go-imap/v2's client.
type imapMailbox struct {
	c *imapclient.Client
}

func dialIMAP(ctx context.Context, o *ConfirmOptions) (mailbox, error) {
	tlsCfg, err := clientTLS(o.Host, o.CAFile)
	if err != nil {
		return nil, &Diagnosis{Code: CodeConfig, Stage: StageConfig, Cause: err.Error(), NextStep: "point [gmail] ca_file at a PEM file with the CA certificate, or leave it empty", err: err}
	}
	addr := net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
	d := tls.Dialer{NetDialer: &net.Dialer{Timeout: 15 * time.Second}, Config: tlsCfg}
	dctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	conn, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		diag := Diagnose(err, StageConnect, o.Port)
		diag.Stage = StageMailbox
		if diag.Code == CodeTimeout || diag.Code == CodeRefused {
			diag.NextStep = fmt.Sprintf("IMAP needs port %d open to %s; try another network or a VPN", o.Port, o.Host)
		}
		return nil, diag
	}
	c := imapclient.New(conn, &imapclient.Options{})
	// Bound each conversation by the context.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	if err := c.WaitGreeting(); err != nil {
		_ = c.Close()
		return nil, Diagnose(err, StageMailbox, o.Port)
	}
	if err := c.Login(o.Account, o.Password.Reveal()).Wait(); err != nil {
		_ = c.Close()
		var ie *imap.Error
		if errors.As(err, &ie) {
			hint := "check that the account is the full address the app password was made for, that the app password was not revoked (" + AppPasswordsURL + "), and that IMAP is not turned off in Gmail's settings"
			if strings.Contains(strings.ToLower(ie.Text), "application-specific password") {
				hint = "the account's normal password was given: create an app password at " + AppPasswordsURL
			}
			return nil, fmt.Errorf("imap %s: %s: %w: %s", addr, ie.Text, ErrMailboxLogin, hint)
		}
		return nil, Diagnose(err, StageMailbox, o.Port)
	}
	return &imapMailbox{c: c}, nil
}

func (m *imapMailbox) Find(ctx context.Context, to string, since time.Time) ([]Arrival, error) {
	stop := context.AfterFunc(ctx, func() { _ = m.c.Close() })
	defer stop()
	// SELECT again on every poll: simple, and it refreshes the view.
	if _, err := m.c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return nil, fmt.Errorf("select INBOX: %w", err)
	}
	crit := &imap.SearchCriteria{
		Or: [][2]imap.SearchCriteria{{
			{Header: []imap.SearchCriteriaHeaderField{{Key: "To", Value: to}}},
			{Header: []imap.SearchCriteriaHeaderField{{Key: "Delivered-To", Value: to}}},
		}},
	}
	if !since.IsZero() {
		crit.Since = since.Truncate(24 * time.Hour).Add(-24 * time.Hour) // date granularity, time-zone slack
	}
	sd, err := m.c.UIDSearch(crit, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	uids := sd.AllUIDs()
	if len(uids) == 0 {
		return nil, nil
	}
	var set imap.UIDSet
	set.AddNum(uids...)
	msgs, err := m.c.Fetch(set, &imap.FetchOptions{UID: true, Envelope: true, InternalDate: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	var out []Arrival
	for _, msg := range msgs {
		if !since.IsZero() && msg.InternalDate.Before(since.Add(-time.Second)) {
			continue
		}
		a := Arrival{At: msg.InternalDate, UID: uint32(msg.UID), Mailbox: "INBOX"}
		if msg.Envelope != nil {
			a.Subject = msg.Envelope.Subject
			if len(msg.Envelope.From) > 0 {
				a.From = msg.Envelope.From[0].Addr()
			}
		}
		out = append(out, a)
	}
	// Oldest first, by arrival then UID.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && (out[j].At.Before(out[j-1].At) || out[j].At.Equal(out[j-1].At) && out[j].UID < out[j-1].UID); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

func (m *imapMailbox) Close() error {
	t := time.AfterFunc(2*time.Second, func() { _ = m.c.Close() })
	defer t.Stop()
	_ = m.c.Logout().Wait()
	return m.c.Close()
}

// retryable says whether a failed connection is worth trying again
// before the deadline: time-outs and network trouble are, a refused
// login or an untrusted certificate are not.
func retryable(err error) bool {
	if errors.Is(err, ErrMailboxLogin) {
		return false
	}
	var d *Diagnosis
	if !errors.As(err, &d) {
		return false
	}
	switch d.Code {
	case CodeTimeout, CodeRefused, CodeNetwork, CodeTryLater:
		return true
	}
	return d.Temporary
}
