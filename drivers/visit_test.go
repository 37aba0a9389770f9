package drivers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// visitSession records what a Visit did to it.
type visitSession struct {
	calls     []string
	logoutErr error // the logout context's error when it ran
}

func (s *visitSession) Info() SessionInfo                       { return SessionInfo{Address: "127.0.50.250"} }
func (s *visitSession) Login(context.Context, Credential) error { return nil }
func (s *visitSession) ReadSMTP(context.Context) (SMTPSettings, error) {
	return SMTPSettings{}, nil
}
func (s *visitSession) WriteSMTP(context.Context, SMTPSettings) error { return nil }
func (s *visitSession) Logout(ctx context.Context) error {
	s.calls = append(s.calls, "logout")
	s.logoutErr = ctx.Err()
	return nil
}
func (s *visitSession) Close() error { s.calls = append(s.calls, "close"); return nil }

// TestVisitLifecycle: the logout runs whenever a login was tried (after
// a failed login, a failed work, and on a live context when the work
// was cancelled), never without one; the session is closed whenever it
// was opened (unless KeepOpen); the error is the failing phase's own.
func TestVisitLifecycle(t *testing.T) {
	errLogin := fmt.Errorf("login: %w", ErrBadCredentials)
	errWork := fmt.Errorf("write: %w", ErrTransient)
	errOpen := fmt.Errorf("open: %w", ErrNoHTTPS)
	tests := []struct {
		name      string
		openErr   error
		noLogin   bool
		loginErr  error
		cancel    bool // ctx is cancelled during the work
		keepOpen  bool
		wantErr   error
		wantCalls string
	}{
		{name: "ok", wantCalls: "open login work logout close"},
		{name: "open fails", openErr: errOpen, wantErr: ErrNoHTTPS, wantCalls: "open"},
		{name: "login fails", loginErr: errLogin, wantErr: ErrBadCredentials, wantCalls: "open login logout close"},
		{name: "work fails", wantErr: ErrTransient, wantCalls: "open login work logout close"},
		{name: "cancelled", cancel: true, wantErr: context.Canceled, wantCalls: "open login work logout close"},
		{name: "no login", noLogin: true, wantCalls: "open work close"},
		{name: "keep open", keepOpen: true, wantCalls: "open login work logout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &visitSession{}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			v := Visit{
				Open: func(context.Context) (Session, error) {
					s.calls = append(s.calls, "open")
					if tc.openErr != nil {
						return nil, tc.openErr
					}
					return s, nil
				},
				Login: func(context.Context, Session) error {
					s.calls = append(s.calls, "login")
					return tc.loginErr
				},
				KeepOpen: tc.keepOpen,
			}
			if tc.noLogin {
				v.Login = nil
			}
			err := v.Run(ctx, func(ctx context.Context, got Session) error {
				s.calls = append(s.calls, "work")
				if got != s {
					t.Errorf("work got another session")
				}
				switch {
				case tc.cancel:
					cancel()
					return ctx.Err()
				case tc.name == "work fails":
					return errWork
				}
				return nil
			})
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
			if got := strings.Join(s.calls, " "); got != tc.wantCalls {
				t.Errorf("calls %q, want %q", got, tc.wantCalls)
			}
			if s.logoutErr != nil {
				t.Errorf("the logout ran on a done context: %v", s.logoutErr)
			}
		})
	}
}

// TestVisitStart: Start runs the open and the login as one unit (the
// rollout's journalled "login" step) and sees their error.
func TestVisitStart(t *testing.T) {
	s := &visitSession{}
	var seen error
	units := 0
	err := Visit{
		Open:  func(context.Context) (Session, error) { return s, nil },
		Login: func(context.Context, Session) error { return ErrLockedOut },
		Start: func(ctx context.Context, begin func(context.Context) error) error {
			units++
			seen = begin(ctx)
			return seen
		},
	}.Run(context.Background(), func(context.Context, Session) error {
		t.Error("work ran after a failed login")
		return nil
	})
	if units != 1 || !errors.Is(seen, ErrLockedOut) || !errors.Is(err, ErrLockedOut) {
		t.Errorf("units %d, seen %v, err %v", units, seen, err)
	}
	if got := strings.Join(s.calls, " "); got != "logout close" {
		t.Errorf("calls %q", got)
	}
}

// TestAtStep: a step error is found with errors.As with its device and
// step, keeps its cause for errors.Is, and names the device once.
func TestAtStep(t *testing.T) {
	const ip = "127.0.50.251"
	for _, cause := range []error{
		fmt.Errorf("the session was dropped: %w", ErrTransient),
		fmt.Errorf("%s: write: the session was dropped: %w", ip, ErrTransient),
	} {
		err := fmt.Errorf("pass: %w", AtStep(ip, "write", cause))
		var se *StepError
		if !errors.As(err, &se) || se.Address != ip || se.Step != "write" || !errors.Is(err, ErrTransient) {
			t.Errorf("%v: not a write step error of %s", err, ip)
		}
		if strings.Count(se.Error(), ip) != 1 || !strings.HasPrefix(se.Error(), ip+": write: ") {
			t.Errorf("%q", se.Error())
		}
		if again := AtStep(ip, "write", se); again != error(se) {
			t.Errorf("wrapped twice: %v", again)
		}
	}
	if AtStep(ip, "read", nil) != nil {
		t.Error("nil became an error")
	}
	inner := &StepError{Address: ip, Step: "read", Err: ErrTransient, Screenshot: "a.png", HTML: "a.html"}
	shots, html := Artifacts(AtStep(ip, "readback", inner))
	if len(shots) != 1 || shots[0] != "a.png" || len(html) != 1 || html[0] != "a.html" {
		t.Errorf("artifacts %v %v", shots, html)
	}
}
