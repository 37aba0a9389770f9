package drivers

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
)

// lockFiveDriver declares a family that locks the admin after 5 failures.
type lockFiveDriver struct{ stubDriver }

func (d lockFiveDriver) Info() Info {
	in := d.stubDriver.Info()
	in.Families = []Family{{ID: "zz-test-lock5/any", Match: func(devices.Device) bool { return true },
		Lockout: Lockout{After: 5, Until: "a restart"}}}
	return in
}

var registerLockFive sync.Once

// TestLoginBudgetPerFamily: the budget follows the lock-out the driver
// declares (two below it), a configured budget only lowers it, and
// RetryConfigured spends the one attempt kept in reserve, with the
// configured password only, never reaching the lock-out (issue 10 §2.13).
func TestLoginBudgetPerFamily(t *testing.T) {
	registerLockFive.Do(func() { Register(lockFiveDriver{stubDriver{"zz-test-lock5", "lockfive"}}) })
	dev := devices.Device{IP: "127.0.50.210", Vendor: "lockfive", Serial: "S210"}
	if b := LoginBudget(dev, 0); b != 3 {
		t.Fatalf("budget %d, want 3 (lock-out after 5)", b)
	}
	if b := LoginBudget(dev, 2); b != 2 {
		t.Fatalf("configured 2: budget %d", b)
	}
	if b := LoginBudget(dev, 9); b != 3 {
		t.Fatalf("configured 9 must not pass the family's budget: %d", b)
	}
	if b := LoginBudget(devices.Device{Vendor: "unknown"}, 0); b != DefaultLoginBudget {
		t.Fatalf("no driver: budget %d", b)
	}

	ctx := context.Background()
	fixed := []Credential{{User: "admin", Password: config.NewSecret("Fixed-Pw-1"), Kind: KindConfigured}}
	// A stale configured password, 1111 and the serial were refused.
	l := &memLedger{fail: map[string]int{dev.Key() + "|" + KindConfigured: 1, dev.Key() + "|" + testKind1111: 1, dev.Key() + "|" + testKindSerial: 1}}
	pol := LoginPolicy{Budget: LoginBudget(dev, 0)}

	s := &fakeSession{password: "Fixed-Pw-1", defaults: defaults("S210")}
	_, err := LoginWithPolicy(ctx, s, dev, fixed, l, pol)
	if err == nil || len(s.tried) != 0 {
		t.Fatalf("budget used up: tried %v, err %v", s.tried, err)
	}
	if !strings.Contains(err.Error(), "--retry-configured") || strings.Contains(err.Error(), "reset-logins 127.0.50.210 --power-cycled`;") {
		t.Fatalf("the error does not offer --retry-configured: %v", err)
	}

	pol.RetryConfigured = true
	used, err := LoginWithPolicy(ctx, s, dev, fixed, l, pol)
	if err != nil || used.Kind != KindConfigured || strings.Join(s.tried, ",") != KindConfigured+":admin" {
		t.Fatalf("--retry-configured: used %v, tried %v, err %v", used, s.tried, err)
	}

	// Still wrong: that was the last attempt below the lock-out.
	s = &fakeSession{password: "something-else", defaults: defaults("S210")}
	if _, err := LoginWithPolicy(ctx, s, dev, fixed, l, pol); err == nil || len(s.tried) != 1 {
		t.Fatalf("wrong fixed password: tried %v, err %v", s.tried, err)
	}
	s2 := &fakeSession{password: "Fixed-Pw-1", defaults: defaults("S210")}
	_, err = LoginWithPolicy(ctx, s2, dev, fixed, l, pol)
	if err == nil || len(s2.tried) != 0 || !strings.Contains(err.Error(), "power-cycle") || strings.Contains(err.Error(), "--retry-configured") {
		t.Fatalf("4 of 5 used: tried %v, err %v (want no attempt, and power-cycle advice only)", s2.tried, err)
	}
}
