package drivers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mfpfleet/mfpfleet/devices"
)

// LoginLedger remembers, per device and across runs, every admin login
// attempt, so that wrong passwords never add up to a lock-out (VersaLink
// and Fuji-Xerox-lineage firmware lock the admin after 1–10 failures and
// forget the count only when power-cycled). The inventory implements it.
type LoginLedger interface {
	// FailedLogins returns the failed attempts recorded for the device
	// (since the technician last declared it power-cycled, if the
	// inventory supports that), in total and by credential kind.
	FailedLogins(ctx context.Context, deviceKey string) (total int, byKind map[string]int, err error)
	// RecordLoginAttempt records one attempt and its outcome. errText is
	// the error message (it never contains a password).
	RecordLoginAttempt(ctx context.Context, deviceKey, kind, user string, ok bool, errText string) error
}

// DefaultPreferrer is a LoginLedger that knows which factory default
// worked on other devices like dev (same vendor, model and firmware):
// LoginWithCandidates then tries that one first among the defaults. The
// inventory implements it.
type DefaultPreferrer interface {
	PreferredDefault(ctx context.Context, dev devices.Device) (kind string, err error)
}

// PreferDefault moves the factory defaults of kind ahead of the other
// defaults in cands, keeping every other order (configured credentials
// stay first). kind "" leaves cands as they are.
func PreferDefault(cands []Credential, kind string) []Credential {
	if kind == "" {
		return cands
	}
	out := make([]Credential, 0, len(cands))
	for _, c := range cands {
		if !c.IsDefault() {
			out = append(out, c)
		}
	}
	for _, c := range cands {
		if c.IsDefault() && c.Kind == kind {
			out = append(out, c)
		}
	}
	for _, c := range cands {
		if c.IsDefault() && c.Kind != kind {
			out = append(out, c)
		}
	}
	return out
}

// DefaultLoginBudget is the number of failed logins per device, across
// runs, that LoginWithCandidates stays within when the caller passes 0.
const DefaultLoginBudget = 2

// Candidates returns the credentials LoginWithCandidates tries, in order:
// the configured ones, then the session's factory defaults (Defaulter),
// without repeating a user/password pair.
func Candidates(sess Session, configured []Credential) []Credential {
	out := make([]Credential, 0, len(configured)+3)
	seen := map[string]bool{}
	add := func(c Credential) {
		k := c.User + "\x00" + c.Password.Reveal()
		if seen[k] {
			return
		}
		seen[k] = true
		out = append(out, c)
	}
	for _, c := range configured {
		if c.Kind == "" {
			c.Kind = KindConfigured
		}
		add(c)
	}
	if d, ok := sess.(Defaulter); ok {
		for _, c := range d.DefaultCredentials() {
			add(c)
		}
	}
	return out
}

// LoginWithCandidates logs sess in with the first credential that works,
// staying below the device's lock-out threshold:
//
//   - candidates (configured, from fleet.toml) are tried first, then the
//     session's factory defaults (see Candidates), the one that worked on
//     devices of the same model and firmware first when the ledger knows
//     (DefaultPreferrer);
//   - every attempt is recorded in the ledger before the next one starts;
//   - failed attempts recorded for the device, in this run and earlier
//     ones, never exceed budget (DefaultLoginBudget when budget <= 0);
//   - a default that already failed in an earlier run is skipped unless
//     retryDefaults (--retry-defaults);
//   - ErrLockedOut stops at once; ErrBusy and transient errors stop too
//     (they are not wrong passwords, and are not counted as such).
//
// It returns the credential that worked. When none did, the error wraps
// ErrBadCredentials, names every credential kind tried (never a
// password), warns that the device may be locked until power-cycled and
// says what to put in fleet.toml.
func LoginWithCandidates(ctx context.Context, sess Session, dev devices.Device, candidates []Credential, ledger LoginLedger, budget int, retryDefaults bool) (Credential, error) {
	if budget <= 0 {
		budget = DefaultLoginBudget
	}
	addr := sess.Info().Address
	if addr == "" {
		addr = dev.IP
	}
	key := dev.Key()
	if dev.Serial == "" && dev.MAC == "" && dev.IP == "" {
		key = "ip:" + addr
	}
	failed, byKind, err := ledger.FailedLogins(ctx, key)
	if err != nil {
		return Credential{}, fmt.Errorf("%s: login: read the failed-login count: %w", addr, err)
	}
	if byKind == nil {
		byKind = map[string]int{}
	}
	earlier := failed
	cands := Candidates(sess, candidates)
	if p, ok := ledger.(DefaultPreferrer); ok {
		// Only an order: on an error the driver's order stands.
		if kind, err := p.PreferredDefault(ctx, dev); err == nil {
			cands = PreferDefault(cands, kind)
		}
	}
	var tried, skipped []string
	for _, c := range cands {
		if failed >= budget {
			break
		}
		if c.IsDefault() && byKind[c.Kind] > 0 && !retryDefaults {
			skipped = append(skipped, c.Describe())
			continue
		}
		err := sess.Login(ctx, c)
		ok := err == nil
		errText := ""
		if err != nil {
			errText = err.Error()
		}
		// A browser that died during the attempt says nothing about the
		// password: never counted.
		counted := ok || (errors.Is(err, ErrBadCredentials) || errors.Is(err, ErrLockedOut)) && !errors.Is(err, ErrBrowserCrashed)
		if counted {
			if rerr := ledger.RecordLoginAttempt(ctx, key, c.Kind, c.User, ok, errText); rerr != nil {
				// Without a record we cannot promise to stay below the
				// threshold next run: stop here.
				if ok {
					return c, nil
				}
				return Credential{}, fmt.Errorf("%s: login: record the failed attempt: %w (stopped before trying another password)", addr, rerr)
			}
		}
		if ok {
			return c, nil
		}
		if errors.Is(err, ErrLockedOut) {
			return Credential{}, fmt.Errorf("%s: login: %w; power-cycle the device to clear its lock-out, then run again", addr, err)
		}
		if !errors.Is(err, ErrBadCredentials) {
			return Credential{}, err
		}
		failed++
		byKind[c.Kind]++
		tried = append(tried, c.Describe())
	}
	return Credential{}, exhaustedError(addr, dev, tried, skipped, earlier, failed, budget)
}

func exhaustedError(addr string, dev devices.Device, tried, skipped []string, earlier, failed, budget int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: login: ", addr)
	switch {
	case len(tried) > 0:
		fmt.Fprintf(&b, "tried %s: all refused", strings.Join(tried, ", then "))
	case earlier >= budget:
		fmt.Fprintf(&b, "not tried: %d failed admin logins already recorded for this device in earlier runs (budget %d)", earlier, budget)
	default:
		b.WriteString("no credential left to try")
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, "; skipped %s (already refused in an earlier run; --retry-defaults tries again)", strings.Join(skipped, ", "))
	}
	fmt.Fprintf(&b, "; %d of %d allowed failed logins used", failed, budget)
	if failed > 0 {
		b.WriteString("; the device may lock the administrator out until it is power-cycled")
	}
	ip := dev.IP
	if ip == "" {
		ip = addr
	}
	fmt.Fprintf(&b, "; put its admin password in fleet.toml: [[credentials]] address = %q user = \"admin\" password_env = \"MFP_ADMIN_PASSWORD\"", ip)
	return fmt.Errorf("%s: %w", b.String(), ErrBadCredentials)
}
