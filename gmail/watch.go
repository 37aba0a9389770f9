package gmail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
)

// WatchOptions configures Watch.
type WatchOptions struct {
	Account  string
	Password AppPassword
	Host     string // "" = imap.gmail.com
	Port     int    // 0 = 993
	CAFile   string // "" = system roots
	// Since ignores messages that arrived earlier; zero = one minute
	// before Watch was called.
	Since time.Time
	// Interval is the time between two looks at the inbox while someone
	// waits; 0 = 2 s.
	Interval time.Duration
	Logger   *slog.Logger
}

// Watcher confirms many test messages over a single IMAP connection.
// Gmail allows at most 15 simultaneous IMAP connections per account, so
// a rollout confirming dozens of devices at once must share one: start a
// Watcher, call Wait from each worker, Close at the end.
type Watcher struct {
	o     WatchOptions
	where string
	log   *slog.Logger
	dial  func(ctx context.Context) (mailbox, error)

	mu       sync.Mutex
	seen     map[string][]Arrival // lower-cased address → arrivals
	changed  chan struct{}        // closed and replaced after every poll
	waiters  int
	fatal    error
	lastErr  error
	polls    int
	kick     chan struct{}
	cancel   context.CancelFunc
	done     chan struct{}
	closeErr error
}

// Watch logs in (so a wrong password fails here, wrapped in
// ErrMailboxLogin) and starts watching the inbox in the background
// until Close or until ctx ends.
func Watch(ctx context.Context, o WatchOptions) (*Watcher, error) {
	if o.Host == "" {
		o.Host = DefaultIMAPHost
	}
	if o.Port == 0 {
		o.Port = DefaultIMAPPort
	}
	if o.Interval <= 0 {
		o.Interval = 2 * time.Second
	}
	if o.Since.IsZero() {
		o.Since = time.Now().Add(-time.Minute)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Password.IsZero() {
		return nil, errors.New("watch: no app password")
	}
	addr := net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
	co := &ConfirmOptions{Account: o.Account, Password: o.Password, Host: o.Host, Port: o.Port, CAFile: o.CAFile}
	w := &Watcher{
		o: o, where: fmt.Sprintf("INBOX of %s on %s", o.Account, addr),
		log:     o.Logger.With("imap", addr, "account", o.Account),
		dial:    func(ctx context.Context) (mailbox, error) { return dialIMAP(ctx, co) },
		seen:    map[string][]Arrival{},
		changed: make(chan struct{}),
		kick:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	mb, err := w.dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch: %s: %w", w.where, err)
	}
	ctx, w.cancel = context.WithCancel(ctx)
	go w.run(ctx, mb)
	return w, nil
}

// Close stops watching and logs out.
func (w *Watcher) Close() error {
	w.cancel()
	<-w.done
	return w.closeErr
}

// Wait blocks until a message addressed to "to" (To, Cc or Delivered-To)
// has arrived since WatchOptions.Since, or timeout passes (error wraps
// ErrNotArrived), or ctx ends. A message that arrived before Wait was
// called counts too. Safe for concurrent use.
func (w *Watcher) Wait(ctx context.Context, to string, timeout time.Duration) (Arrival, error) {
	key := strings.ToLower(strings.TrimSpace(to))
	start := time.Now()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	w.mu.Lock()
	w.waiters++
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.waiters--
		w.mu.Unlock()
	}()
	w.poke()
	for {
		w.mu.Lock()
		found, fatal, changed, polls, lastErr := w.seen[key], w.fatal, w.changed, w.polls, w.lastErr
		w.mu.Unlock()
		if len(found) > 0 {
			a := found[len(found)-1]
			a.To, a.Matches, a.Polls = to, len(found), polls
			a.WaitMS = time.Since(start).Milliseconds()
			return a, nil
		}
		if fatal != nil {
			return Arrival{}, fatal
		}
		select {
		case <-changed:
		case <-timer.C:
			msg := fmt.Sprintf("confirm: no message to %s in the %s after %s", to, w.where, timeout.Round(time.Second))
			if lastErr != nil {
				msg += fmt.Sprintf("; last error: %v", lastErr)
			}
			return Arrival{}, fmt.Errorf("%s: %w (check the device's SMTP log, Gmail's Spam folder, and that the device sent to this exact address)", msg, ErrNotArrived)
		case <-ctx.Done():
			return Arrival{}, fmt.Errorf("confirm: %w", ctx.Err())
		case <-w.done:
			return Arrival{}, errors.New("confirm: watcher closed")
		}
	}
}

func (w *Watcher) poke() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

func (w *Watcher) run(ctx context.Context, mb mailbox) {
	defer close(w.done)
	defer func() {
		if mb != nil {
			w.closeErr = mb.Close()
		}
	}()
	var uidValidity uint32
	var lastUID imap.UID
	for {
		// Idle until someone waits, then poll every Interval.
		w.mu.Lock()
		idle := w.waiters == 0
		w.mu.Unlock()
		if idle {
			select {
			case <-ctx.Done():
				return
			case <-w.kick:
			}
		}
		if mb == nil {
			var err error
			mb, err = w.dial(ctx)
			if err != nil {
				mb = nil
				w.finishPoll(nil, err, errors.Is(err, ErrMailboxLogin))
			}
		}
		if mb != nil {
			v, msgs, err := mb.FetchNew(ctx, lastUID, w.o.Since)
			switch {
			case err != nil:
				_ = mb.Close()
				mb = nil
				w.finishPoll(nil, err, false)
			default:
				if v != uidValidity {
					uidValidity, lastUID = v, 0
				}
				for _, m := range msgs {
					if imap.UID(m.UID) > lastUID {
						lastUID = imap.UID(m.UID)
					}
				}
				w.finishPoll(msgs, nil, false)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(w.o.Interval):
		case <-w.kick:
		}
	}
}

func (w *Watcher) finishPoll(msgs []newMessage, err error, fatal bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.polls++
	w.lastErr = err
	if fatal {
		w.fatal = fmt.Errorf("confirm: %s: %w", w.where, err)
	}
	for _, m := range msgs {
		if m.At.Before(w.o.Since.Add(-time.Second)) {
			continue
		}
		for _, a := range m.addrs {
			if !containsArrival(w.seen[a], m.UID) {
				w.seen[a] = append(w.seen[a], m.Arrival)
			}
		}
	}
	if err != nil {
		w.log.Debug("gmail watch: poll failed", "err", err)
	}
	close(w.changed)
	w.changed = make(chan struct{})
}

func containsArrival(l []Arrival, uid uint32) bool {
	for _, a := range l {
		if a.UID == uid {
			return true
		}
	}
	return false
}

// newMessage is a message seen by FetchNew with every address it was
// sent to.
type newMessage struct {
	Arrival
	addrs []string // lower-cased, from To, Cc and Delivered-To
}

var addrRE = regexp.MustCompile(`[^\s<>,;:"()\[\]]+@[^\s<>,;:"()\[\]]+`)

// FetchNew returns the messages with a UID above after (all since the
// date of since when after is 0), and the mailbox's UIDVALIDITY.
func (m *imapMailbox) FetchNew(ctx context.Context, after imap.UID, since time.Time) (uint32, []newMessage, error) {
	stop := context.AfterFunc(ctx, func() { _ = m.c.Close() })
	defer stop()
	sel, err := m.c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return 0, nil, fmt.Errorf("select INBOX: %w", err)
	}
	var uids []imap.UID
	if after == 0 {
		crit := &imap.SearchCriteria{Since: since.Truncate(24 * time.Hour).Add(-24 * time.Hour)}
		sd, err := m.c.UIDSearch(crit, nil).Wait()
		if err != nil {
			return 0, nil, fmt.Errorf("search: %w", err)
		}
		uids = sd.AllUIDs()
	} else {
		if sel.UIDNext != 0 && sel.UIDNext <= after+1 {
			return sel.UIDValidity, nil, nil // nothing new
		}
		sd, err := m.c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: after + 1, Stop: 0}}}}, nil).Wait()
		if err != nil {
			return 0, nil, fmt.Errorf("search: %w", err)
		}
		for _, u := range sd.AllUIDs() {
			if u > after {
				uids = append(uids, u)
			}
		}
	}
	if len(uids) == 0 {
		return sel.UIDValidity, nil, nil
	}
	var set imap.UIDSet
	set.AddNum(uids...)
	hdr := &imap.FetchItemBodySection{Specifier: imap.PartSpecifierHeader, HeaderFields: []string{"To", "Cc", "Delivered-To", "X-Original-To"}, Peek: true}
	msgs, err := m.c.Fetch(set, &imap.FetchOptions{UID: true, Envelope: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{hdr}}).Collect()
	if err != nil {
		return 0, nil, fmt.Errorf("fetch: %w", err)
	}
	out := make([]newMessage, 0, len(msgs))
	for _, msg := range msgs {
		nm := newMessage{Arrival: Arrival{At: msg.InternalDate, UID: uint32(msg.UID), Mailbox: "INBOX"}}
		if msg.Envelope != nil {
			nm.Subject = msg.Envelope.Subject
			if len(msg.Envelope.From) > 0 {
				nm.From = msg.Envelope.From[0].Addr()
			}
		}
		raw := msg.FindBodySection(hdr)
		if mm, err := mail.ReadMessage(bytes.NewReader(append(raw, '\r', '\n'))); err == nil {
			for _, k := range []string{"To", "Cc", "Delivered-To", "X-Original-To"} {
				for _, v := range mm.Header[k] {
					for _, a := range addrRE.FindAllString(v, -1) {
						nm.addrs = append(nm.addrs, strings.ToLower(a))
					}
				}
			}
		}
		out = append(out, nm)
	}
	return sel.UIDValidity, out, nil
}
