package drivers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mfpfleet/mfpfleet/devices"
)

// LoginLedger remembers, per device and across runs, every admin login
// attempt, so that wrong passwords never add up to a lock-out (some
// firmware locks the admin after 1–10 failures and forgets the count only
// when power-cycled: Family.Lockout). The inventory implements it.
type LoginLedger interface {
	// FailedLogins returns the failed attempts recorded for the device
	// (since the technician last declared it power-cycled, if the
	// inventory supports that), in total and by credential kind.
	FailedLogins(ctx context.Context, deviceKey string) (total int, byKind map[string]int, err error)
	// RecordLoginAttempt records one attempt and its outcome. errText is
	// the error message (it never contains a password).
	RecordLoginAttempt(ctx context.Context, deviceKey, kind, user string, ok bool, errText string) error
}

// TextLedger is a LoginLedger that stores, beside each attempt's kind,
// the credential's wording (Credential.Text and .Short), so that the
// audit of an inventory reads the same when the driver that declared the
// kind is no longer built in. The inventory implements it.
type TextLedger interface {
	RecordLoginAttemptText(ctx context.Context, deviceKey, kind, text, short, user string, ok bool, errText string) error
}

// RecordAttempt records c's login attempt on the device with deviceKey in
// ledger, with c's wording when the ledger keeps it (TextLedger).
func RecordAttempt(ctx context.Context, ledger LoginLedger, deviceKey string, c Credential, ok bool, errText string) error {
	if tl, isText := ledger.(TextLedger); isText {
		text, short := c.Text, c.Short
		if text == "" {
			text, short = KindText(c.Kind)
		}
		return tl.RecordLoginAttemptText(ctx, deviceKey, c.Kind, text, short, c.User, ok, errText)
	}
	return ledger.RecordLoginAttempt(ctx, deviceKey, c.Kind, c.User, ok, errText)
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
// runs, that LoginWithCandidates stays within when the caller passes 0,
// and the budget of a family whose lock-out its driver does not declare.
const DefaultLoginBudget = 2

// Lockout is what a web-admin family's firmware does after wrong admin
// passwords, as its driver declares it.
type Lockout struct {
	// After is the number of failed admin logins after which the firmware
	// locks the administrator out (its factory setting); 0: not known.
	After int
	// Until says what clears a lock-out, for errors: "a restart
	// (power-cycle)", "15 minutes".
	Until string
}

// LockoutOf returns the lock-out dev's driver declares for its family
// (Family.Lockout; zero when no driver handles dev or its family is not
// known).
func LockoutOf(dev devices.Device) Lockout {
	f, _ := FamilyOf(dev)
	return f.Lockout
}

// LoginBudget is the number of failed admin logins, across runs, that
// mfpfleet allows itself on dev without being asked: two below the
// family's declared lock-out (one attempt is kept for an explicit
// RetryConfigured, the last is never sent), else DefaultLoginBudget.
// configured (fleet.toml rollout.login_attempt_budget) lowers it when
// positive, and sets it for a family whose lock-out is not known.
func LoginBudget(dev devices.Device, configured int) int {
	l := LockoutOf(dev)
	if l.After <= 0 {
		if configured > 0 {
			return configured
		}
		return DefaultLoginBudget
	}
	b := max(l.After-2, 1)
	if configured > 0 && configured < b {
		b = configured
	}
	return b
}

// CanRetryConfigured reports whether one more attempt beyond budget, with
// a configured password the technician says is fixed, stays below the
// lock-out: failed+1 must not reach it (when it is not known, one attempt
// beyond the budget is the limit).
func CanRetryConfigured(failed, budget int, l Lockout) bool {
	if l.After > 0 {
		return failed+1 < l.After
	}
	return failed < budget+1
}

// LoginPolicy is how LoginWithPolicy spends a device's failed logins.
type LoginPolicy struct {
	// Budget: failed logins allowed across runs (DefaultLoginBudget when
	// <= 0); see LoginBudget.
	Budget int
	// RetryDefaults (--retry-defaults) tries factory defaults refused in
	// an earlier run again, within Budget.
	RetryDefaults bool
	// RetryConfigured (--retry-configured) lets the configured password
	// (fleet.toml [[credentials]], which the technician says is fixed) be
	// tried once more even when Budget is used up, as long as that
	// attempt stays below the family's lock-out.
	RetryConfigured bool
}

// Candidates returns the credentials LoginWithCandidates tries, in order:
// the configured ones, then the factory logins of the family the session
// confirmed (see CandidatesFor), without repeating a user/password pair.
func Candidates(sess Session, configured []Credential) []Credential {
	return CandidatesFor(sess, devices.Device{}, configured)
}

// CandidatesFor is Candidates for dev: the factory logins that need the
// device (its serial number) are among them when dev tells it. The
// factory logins are the session's own when it overrides them
// (Defaulter), else those its driver declares for the family the page
// confirmed (SessionInfo.Family), else for dev's family (DefaultLogins).
func CandidatesFor(sess Session, dev devices.Device, configured []Credential) []Credential {
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
	for _, c := range SessionDefaults(sess, dev) {
		add(c)
	}
	return out
}

// SessionDefaults returns the factory logins to try on sess, in order:
// the session's own (Defaulter), else the declared ones of the family the
// page confirmed, else of dev's family (DefaultLogins).
func SessionDefaults(sess Session, dev devices.Device) []Credential {
	if d, ok := sess.(Defaulter); ok {
		return d.DefaultCredentials()
	}
	if f, ok := FamilyByID(sess.Info().Family); ok {
		return f.Credentials(dev)
	}
	return DefaultLogins(dev)
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
	return LoginWithPolicy(ctx, sess, dev, candidates, ledger, LoginPolicy{Budget: budget, RetryDefaults: retryDefaults})
}

// LoginWithPolicy is LoginWithCandidates with a LoginPolicy: the same
// order and records, and RetryConfigured's one extra attempt.
func LoginWithPolicy(ctx context.Context, sess Session, dev devices.Device, candidates []Credential, ledger LoginLedger, pol LoginPolicy) (Credential, error) {
	budget, retryDefaults := pol.Budget, pol.RetryDefaults
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
	cands := CandidatesFor(sess, dev, candidates)
	if p, ok := ledger.(DefaultPreferrer); ok {
		// Only an order: on an error the driver's order stands.
		if kind, err := p.PreferredDefault(ctx, dev); err == nil {
			cands = PreferDefault(cands, kind)
		}
	}
	cands = noLoginFirst(cands)
	var tried, skipped []string
	lockout := LockoutOf(dev)
	extra := false // RetryConfigured's attempt spent
	for _, c := range cands {
		if failed >= budget {
			if !pol.RetryConfigured || extra || c.Kind != KindConfigured || !CanRetryConfigured(failed, budget, lockout) {
				break
			}
			extra = true
		}
		if c.IsDefault() && byKind[c.Kind] > 0 && !retryDefaults {
			skipped = append(skipped, c.Describe())
			continue
		}
		err := sess.Login(ctx, c)
		if IsNoLogin(c) && errors.Is(err, ErrBadCredentials) && !errors.Is(err, ErrLockedOut) {
			// The device asks for a login: nothing was sent, nothing
			// counts.
			continue
		}
		ok := err == nil
		errText := ""
		if err != nil {
			errText = err.Error()
		}
		// A browser that died during the attempt says nothing about the
		// password: never counted.
		counted := ok || (errors.Is(err, ErrBadCredentials) || errors.Is(err, ErrLockedOut)) && !errors.Is(err, ErrBrowserCrashed)
		if counted {
			if rerr := RecordAttempt(ctx, ledger, key, c, ok, errText); rerr != nil {
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
			return Credential{}, fmt.Errorf("%s: login: %w; %s, then run again", addr, err, lockoutAdvice(lockout))
		}
		if !errors.Is(err, ErrBadCredentials) {
			return Credential{}, err
		}
		failed++
		byKind[c.Kind]++
		tried = append(tried, c.Describe())
	}
	return Credential{}, exhaustedError(addr, dev, tried, skipped, earlier, failed, budget, lockout, hasConfigured(cands))
}

// lockoutAdvice says how a lock-out the family declares ends.
func lockoutAdvice(l Lockout) string {
	if l.Until == "" {
		return "power-cycle the device to clear its lock-out"
	}
	return fmt.Sprintf("power-cycle the device to clear its lock-out (it lasts until %s)", l.Until)
}

func hasConfigured(cands []Credential) bool {
	for _, c := range cands {
		if c.Kind == KindConfigured {
			return true
		}
	}
	return false
}

// BudgetAdvice says what a technician can do about a device whose failed
// logins reached its budget: retry a fixed configured password once more
// when that stays below the lock-out, else power-cycle and reset.
func BudgetAdvice(ip string, failed, budget int, l Lockout, configured bool) string {
	until := l.Until
	if until == "" {
		until = "a restart"
	}
	reset := fmt.Sprintf("power-cycle the device (a lock-out lasts until %s), then run `mfpfleet devices reset-logins %s --power-cycled`", until, ip)
	if !CanRetryConfigured(failed, budget, l) {
		return reset
	}
	if configured {
		return fmt.Sprintf("if you fixed its [[credentials]] password in fleet.toml, try that password once more with --retry-configured (one attempt, still below the lock-out); else %s", reset)
	}
	return fmt.Sprintf("once its admin password is in fleet.toml ([[credentials]] address = %q), try it once with --retry-configured (one attempt, still below the lock-out); else %s", ip, reset)
}

func exhaustedError(addr string, dev devices.Device, tried, skipped []string, earlier, failed, budget int, l Lockout, configured bool) error {
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
	if l.After > 0 {
		fmt.Fprintf(&b, " (this family locks the administrator out after %d)", l.After)
	} else if failed > 0 {
		b.WriteString("; the device may lock the administrator out until it is power-cycled")
	}
	ip := dev.IP
	if ip == "" {
		ip = addr
	}
	fmt.Fprintf(&b, "; put its admin password in fleet.toml: %s", CredentialsHint(dev, ip))
	if failed >= budget {
		fmt.Fprintf(&b, "; then %s", BudgetAdvice(ip, failed, budget, l, configured))
	}
	return fmt.Errorf("%s: %w", b.String(), ErrBadCredentials)
}

// IsNoLogin reports whether c is a factory login that sends nothing
// (PasswordNone: the web admin asks for no login at all).
func IsNoLogin(c Credential) bool {
	if !c.IsDefault() {
		return false
	}
	l, ok := LoginByKind(c.Kind)
	return ok && l.From == PasswordNone
}

// noLoginFirst moves the logins that send nothing (IsNoLogin) ahead of
// the others, keeping every other order: trying them costs no failed
// login, and a device that asks for none is recorded as entered without
// one even when a password is configured for it.
func noLoginFirst(cands []Credential) []Credential {
	out := make([]Credential, 0, len(cands))
	for _, c := range cands {
		if IsNoLogin(c) {
			out = append(out, c)
		}
	}
	for _, c := range cands {
		if !IsNoLogin(c) {
			out = append(out, c)
		}
	}
	return out
}
