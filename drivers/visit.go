package drivers

import (
	"context"
	"errors"
	"slices"
	"time"
)

// SessionOpener opens a driver session on a device. *Browser is the real
// one (a tab, with the driver For the device); the rollout's unit tests
// open fake sessions through it, without Chromium.
type SessionOpener interface {
	OpenSession(ctx context.Context, t Target) (Session, error)
}

var _ SessionOpener = (*Browser)(nil)

// OpenSession implements SessionOpener with Open.
func (b *Browser) OpenSession(ctx context.Context, t Target) (Session, error) { return Open(ctx, b, t) }

// DefaultLogoutTimeout bounds a Visit's logout when it sets none.
const DefaultLogoutTimeout = 10 * time.Second

// Visit is one session's whole life on one device, in one place for
// every caller (the rollout, `audit --live`, `probe`, the conformance
// suite): open, log in, work, log out, close.
//
//   - the logout runs whenever a login was attempted, also when the login
//     or the work failed and when ctx is cancelled (on a context of its
//     own, bounded by LogoutTimeout): some web admins allow one
//     admin session at a time and would refuse the next login;
//   - the session is closed whenever it was opened;
//   - the error returned is the open's, the login's or the work's, as
//     they returned it; a logout failure goes to OnLogout only.
type Visit struct {
	// Open starts the session; required. For a browser:
	// func(c context.Context) (Session, error) { return b.OpenSession(c, t) }.
	Open func(ctx context.Context) (Session, error)
	// Login logs the session in (LoginWithPolicy, usually); nil: the work
	// runs without a login and there is no logout.
	Login func(ctx context.Context, s Session) error
	// Start, when not nil, runs the open and the login (begin) as one
	// unit under a time-out and a name of its own: the rollout journals
	// them as its "login" step. nil: begin runs as it is.
	Start func(ctx context.Context, begin func(context.Context) error) error
	// StepTimeout bounds the open and the login each (0: ctx only).
	StepTimeout time.Duration
	// LogoutTimeout bounds the logout (0: DefaultLogoutTimeout).
	LogoutTimeout time.Duration
	// OnLogout, when not nil, is called after the logout with its error
	// (nil when it worked), for logs and timings.
	OnLogout func(err error)
	// KeepOpen leaves the session (its tab) open at the end: the caller
	// closes the tab it opened the session on (probe).
	KeepOpen bool
}

// Run opens the session, logs in, calls work with the logged-in session,
// logs out and closes the session. work gets ctx itself: it bounds its
// own steps.
func (v Visit) Run(ctx context.Context, work func(ctx context.Context, s Session) error) (err error) {
	if v.Open == nil {
		return errors.New("drivers: Visit without Open (a bug in the caller)")
	}
	var (
		sess      Session
		attempted bool // a login was tried: log out
	)
	defer func() {
		if sess == nil {
			return
		}
		if attempted {
			v.logout(ctx, sess)
		}
		if !v.KeepOpen {
			_ = sess.Close()
		}
	}()
	begin := func(c context.Context) error {
		oc, cancel := v.bound(c)
		s, err := v.Open(oc)
		cancel()
		if err != nil {
			return err
		}
		sess = s
		if v.Login == nil {
			return nil
		}
		if err := c.Err(); err != nil {
			return err
		}
		attempted = true
		lc, cancel := v.bound(c)
		defer cancel()
		return v.Login(lc, s)
	}
	if v.Start != nil {
		err = v.Start(ctx, begin)
	} else {
		err = begin(ctx)
	}
	if err != nil {
		return err
	}
	if work == nil {
		return nil
	}
	return work(ctx, sess)
}

func (v Visit) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if v.StepTimeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, v.StepTimeout)
}

// logout ends the admin session within LogoutTimeout, on a context of its
// own that ctx's cancellation does not end (Ctrl-C must not leave a
// device's only admin session taken).
func (v Visit) logout(ctx context.Context, s Session) {
	d := v.LogoutTimeout
	if d <= 0 {
		d = DefaultLogoutTimeout
	}
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), d)
	err := s.Logout(c)
	cancel()
	if v.OnLogout != nil {
		v.OnLogout(err)
	}
}

// AtStep returns err as a *StepError that names the device (addr) and
// the step, so that a caller finds both with errors.As instead of
// reading the message; err as it is when it already is that step's
// *StepError. nil stays nil.
func AtStep(addr, step string, err error) error {
	if err == nil {
		return nil
	}
	var se *StepError
	if errors.As(err, &se) && se.Address == addr && se.Step == step {
		return err
	}
	return &StepError{Address: addr, Step: step, Err: err}
}

// Artifacts returns the screenshots and HTML excerpts saved for err, from
// every *StepError in its chain, without repeats.
func Artifacts(err error) (screenshots, html []string) {
	var se *StepError
	for e := err; errors.As(e, &se); e = se.Err {
		if se.Screenshot != "" && !slices.Contains(screenshots, se.Screenshot) {
			screenshots = append(screenshots, se.Screenshot)
		}
		if se.HTML != "" && !slices.Contains(html, se.HTML) {
			html = append(html, se.HTML)
		}
	}
	return screenshots, html
}
