package drivers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
)

type stubDriver struct{ name, vendor string }

func (d stubDriver) Name() string                                      { return d.name }
func (d stubDriver) Info() Info                                        { return Info{Name: d.name, Vendors: []string{d.vendor}} }
func (d stubDriver) NewSession(context.Context, *Tab) (Session, error) { return nil, ErrUnsupported }

func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", name)
		}
	}()
	f()
}

func TestRegistry(t *testing.T) {
	Register(stubDriver{"zz-test-b", "vendor-b"})
	Register(stubDriver{"zz-test-a", "vendor-a"})
	mustPanic(t, "nil", func() { Register(nil) })
	mustPanic(t, "empty name", func() { Register(stubDriver{"", "x"}) })
	mustPanic(t, "duplicate", func() { Register(stubDriver{"zz-test-a", "x"}) })
	names := Names()
	if !slices.IsSorted(names) || !slices.Contains(names, "zz-test-a") || !slices.Contains(names, "zz-test-b") {
		t.Fatalf("Names() = %v", names)
	}
	d, err := For(devices.Device{Vendor: "vendor-b"})
	if err != nil || d.Name() != "zz-test-b" {
		t.Fatalf("For = %v, %v", d, err)
	}
	_, err = For(devices.Device{IP: "127.0.50.9", Vendor: "ricoh", Model: "IM C3000"})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "no driver for ricoh yet") || !strings.Contains(err.Error(), "mfpfleet probe 127.0.50.9") {
		t.Fatalf("err = %v", err)
	}
	_, err = For(devices.Device{IP: "127.0.50.9", SysDescr: "Some Box 1.0"})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "Some Box 1.0") {
		t.Fatalf("unknown vendor: err = %v", err)
	}
}

func TestIsRetryable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{ErrTransient, true},
		{ErrBusy, true},
		{ErrLockedOut, false},
		{errors.Join(ErrTransient, ErrLockedOut), false},
		{errors.Join(ErrTransient, ErrCertChanged), false},
		{&StepError{Address: "a", Step: "write", Err: ErrTransient}, true},
		{&FieldError{Label: "x"}, false},
		{context.Canceled, false},
		{errors.New("other"), false},
	} {
		if got := IsRetryable(tc.err); got != tc.want {
			t.Errorf("IsRetryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestGmailSettings(t *testing.T) {
	s := GmailSettings("", "a@gmail.com", config.NewSecret("x"), 465)
	if s.Server != "smtp.gmail.com" || s.Security != SecuritySSLTLS || !s.Auth || s.User != "a@gmail.com" || s.From != "a@gmail.com" {
		t.Fatalf("%+v", s)
	}
	if GmailSettings("", "a@gmail.com", config.NewSecret("x"), 587).Security != SecurityStartTLS {
		t.Fatal("587 is not STARTTLS")
	}
	s.Password = config.NewSecret("uniquepasswordzz")
	if strings.Contains(s.String(), "uniquepasswordzz") || strings.Contains(fmt.Sprintf("%+v", s), "uniquepasswordzz") {
		t.Fatal("settings print the password")
	}
}
