package drivers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices"
)

// gadgetDriver declares two families of a made-up vendor: "new" (a fixed
// password, then the serial; a test e-mail; locks after 3 for 15
// minutes; one session) and "old" (declined).
type gadgetDriver struct{ stubDriver }

var (
	gadgetPIN    = FactoryLogin{Kind: "zz-gadget-pin", User: "root", From: PasswordFixed, Password: "0000", Text: "the gadget's factory PIN (root / 0000)", Short: "gadget PIN"}
	gadgetSerial = FactoryLogin{Kind: "zz-gadget-serial", User: "root", From: PasswordSerial, Text: "the gadget's serial number", Short: "gadget serial"}
	gadgetLabel  = FactoryLogin{Kind: "zz-gadget-label", User: "root", From: PasswordLabel, Text: "the password on the gadget's label", Short: "gadget label"}
)

func (d gadgetDriver) Info() Info {
	return Info{Name: d.name, Maker: "Gadget", Vendors: []string{"gadget"}, Badges: []string{"Gizmo"}, Families: []Family{
		{ID: "zz-gadget/new", Name: "Gadget new", Match: func(dev devices.Device) bool { return strings.HasPrefix(dev.Model, "N") },
			Logins: []FactoryLogin{gadgetPIN, gadgetLabel, gadgetSerial}, Test: TestEmail,
			Lockout: Lockout{After: 3, Until: "15 minutes"}, SingleSession: true},
		{ID: "zz-gadget/old", Name: "Gadget old", Match: func(dev devices.Device) bool { return strings.HasPrefix(dev.Model, "O") },
			Decline: func(dev devices.Device) error {
				return fmt.Errorf("no driver for the old gadget %s: set it by hand: %w", dev.Model, ErrUnsupported)
			}, Logins: []FactoryLogin{gadgetPIN}},
	}}
}

var registerGadget sync.Once

// TestInfoFacts: the registry's answers come from the declared facts
// alone: the driver from vendor or badge, the family from the model (the
// recorded family first), a declined family refused with the driver's
// words, the factory logins in order with their wording (a label login
// left to the technician, a serial login only with a real serial), the
// lock-out, and a login kind's wording.
func TestInfoFacts(t *testing.T) {
	registerGadget.Do(func() { Register(gadgetDriver{stubDriver{"zz-gadget", "gadget"}}) })
	newDev := devices.Device{IP: "127.0.50.220", Vendor: "gadget", Model: "N100", Serial: "G123"}
	if d, err := For(newDev); err != nil || d.Name() != "zz-gadget" {
		t.Fatalf("For = %v, %v", d, err)
	}
	if d, err := For(devices.Device{Vendor: "other", Brand: "gizmo", Model: "N1"}); err != nil || d.Name() != "zz-gadget" {
		t.Fatalf("badge: For = %v, %v", d, err)
	}
	if d, err := For(devices.Device{Family: "zz-gadget/new"}); err != nil || d.Name() != "zz-gadget" {
		t.Fatalf("recorded family: For = %v, %v", d, err)
	}
	_, err := For(devices.Device{Vendor: "gadget", Model: "O7"})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "old gadget O7") {
		t.Fatalf("declined family: %v", err)
	}
	if got := ClaimFamily(newDev); got != "zz-gadget/new" {
		t.Errorf("ClaimFamily = %q", got)
	}
	if got := ClaimFamily(devices.Device{Vendor: "gadget", Model: "X"}); got != "" {
		t.Errorf("unknown model claimed %q", got)
	}
	// The recorded family (from the page) wins over the model's.
	if f, ok := FamilyOf(devices.Device{Vendor: "gadget", Model: "O7", Family: "zz-gadget/new"}); !ok || f.ID != "zz-gadget/new" {
		t.Errorf("FamilyOf = %s, %v", f.ID, ok)
	}

	var got []string
	for _, c := range DefaultLogins(newDev) {
		got = append(got, c.Kind+"="+c.Password.Reveal())
		if c.Text == "" || c.Short == "" || !strings.Contains(c.Describe(), c.Text) {
			t.Errorf("%s: wording %q/%q, described %q", c.Kind, c.Text, c.Short, c.Describe())
		}
	}
	if strings.Join(got, ",") != "zz-gadget-pin=0000,zz-gadget-serial=G123" {
		t.Errorf("DefaultLogins = %v", got)
	}
	for _, serial := range []string{"", "XXXXXXXX"} {
		if n := len(DefaultLogins(devices.Device{Vendor: "gadget", Model: "N1", Serial: serial})); n != 1 {
			t.Errorf("serial %q: %d logins, want the PIN only", serial, n)
		}
	}
	if l := LockoutOf(newDev); l.After != 3 || LoginBudget(newDev, 0) != 1 {
		t.Errorf("lock-out %+v, budget %d", l, LoginBudget(newDev, 0))
	}
	if text, short := KindText("zz-gadget-serial"); text != gadgetSerial.Text || short != gadgetSerial.Short {
		t.Errorf("KindText = %q %q", text, short)
	}
	if text, short := KindText(KindConfigured); text != ConfiguredText || short != ConfiguredShort {
		t.Errorf("KindText(configured) = %q %q", text, short)
	}
	if text, _ := KindText("zz-unknown"); text != "zz-unknown" {
		t.Errorf("KindText(unknown) = %q", text)
	}
}

// plainSession is a session without Defaulter: its factory logins are
// its confirmed family's.
type plainSession struct {
	f      *fakeSession
	family string
}

func (p *plainSession) Info() SessionInfo {
	return SessionInfo{Address: "127.0.50.221", Family: p.family}
}
func (p *plainSession) Login(ctx context.Context, c Credential) error {
	return p.f.Login(ctx, c)
}
func (p *plainSession) ReadSMTP(ctx context.Context) (SMTPSettings, error) { return p.f.ReadSMTP(ctx) }
func (p *plainSession) WriteSMTP(ctx context.Context, s SMTPSettings) error {
	return p.f.WriteSMTP(ctx, s)
}
func (p *plainSession) Logout(ctx context.Context) error { return p.f.Logout(ctx) }
func (p *plainSession) Close() error                     { return p.f.Close() }

// textLedger records the wording it is given.
type textLedger struct {
	memLedger
	texts []string
}

func (l *textLedger) RecordLoginAttemptText(ctx context.Context, key, kind, text, short, user string, ok bool, errText string) error {
	l.texts = append(l.texts, kind+"|"+text+"|"+short)
	return l.RecordLoginAttempt(ctx, key, kind, user, ok, errText)
}

// TestLoginReadsFamily: the login loop tries the confirmed family's
// factory logins in their declared order, records each with its wording,
// and words a lock-out with what the family declares.
func TestLoginReadsFamily(t *testing.T) {
	registerGadget.Do(func() { Register(gadgetDriver{stubDriver{"zz-gadget", "gadget"}}) })
	dev := devices.Device{IP: "127.0.50.221", Vendor: "gadget", Model: "O1", Serial: "G9"}
	s := &plainSession{f: &fakeSession{password: "G9"}, family: "zz-gadget/new"}
	l := &textLedger{}
	used, err := LoginWithCandidates(context.Background(), s, dev, nil, l, 5, false)
	if err != nil || used.Kind != gadgetSerial.Kind {
		t.Fatalf("login: %+v %v (tried %v)", used, err, s.f.tried)
	}
	if strings.Join(s.f.tried, ",") != "zz-gadget-pin:root,zz-gadget-serial:root" {
		t.Errorf("tried %v", s.f.tried)
	}
	want := []string{"zz-gadget-pin|" + gadgetPIN.Text + "|gadget PIN", "zz-gadget-serial|" + gadgetSerial.Text + "|gadget serial"}
	if strings.Join(l.texts, ";") != strings.Join(want, ";") {
		t.Errorf("recorded %v, want %v", l.texts, want)
	}

	locked := &plainSession{f: &fakeSession{password: "x", err: ErrLockedOut}, family: "zz-gadget/new"}
	_, err = LoginWithCandidates(context.Background(), locked, devices.Device{IP: "127.0.50.222", Vendor: "gadget", Model: "N1"}, nil, &memLedger{}, 5, false)
	if !errors.Is(err, ErrLockedOut) || !strings.Contains(err.Error(), "15 minutes") || !strings.Contains(err.Error(), "power-cycle") {
		t.Errorf("lock-out: %v", err)
	}
}
