package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/inventory"
)

// runParams is what a run stores as its parameters (no secrets), so that
// --resume rebuilds the same selection.
type runParams struct {
	Select  Selector `json:"select"`
	Account string   `json:"account"`
	Label   string   `json:"label,omitempty"`
	Force   bool     `json:"force,omitempty"`
	Wait    bool     `json:"wait,omitempty"`
}

// MakePlan works out what Push (kind inventory.RunPush), Test
// (inventory.RunTest) or a rotation (inventory.RunRotate) would do with o,
// without touching any device. Push with DryRun returns the same plan in
// its Summary; the CLI needs no separate call.
func MakePlan(ctx context.Context, o Options, kind string) (Plan, error) {
	if err := o.defaults(); err != nil {
		return Plan{}, err
	}
	return makePlan(ctx, &o, kind)
}

func makePlan(ctx context.Context, o *Options, kind string) (Plan, error) {
	db, cfg := o.DB, o.Config
	plan := Plan{Kind: kind, Account: o.Account}
	if plan.Account == "" {
		return plan, fmt.Errorf("%w: pass --account ADDRESS or set [gmail] account in fleet.toml", ErrNoAccount)
	}
	sel := o.Select
	var resumed inventory.Run
	doneInRun := map[int64]string{}
	if o.Resume {
		run, err := db.LastUnfinishedRun(ctx, kind)
		if errors.Is(err, inventory.ErrNotFound) {
			return plan, fmt.Errorf("%w of kind %s: run the same command without --resume (devices already confirmed are skipped anyway)", ErrNoResume, kind)
		}
		if err != nil {
			return plan, err
		}
		resumed = run
		plan.ResumeRun = run.ID
		var p runParams
		if len(run.Params) > 0 {
			_ = json.Unmarshal(run.Params, &p)
		}
		if sel.Empty() {
			sel = p.Select // the interrupted run's own selection
		}
		if o.Label == "" {
			o.Label = p.Label
		}
		if p.Account != "" && p.Account != o.Account {
			return plan, fmt.Errorf("run %d pushed to %s, not %s: resume it with --account %s, or start a new push without --resume", run.ID, p.Account, o.Account, p.Account)
		}
		rds, err := db.RunDevices(ctx, run.ID)
		if err != nil {
			return plan, err
		}
		for _, rd := range rds {
			switch rd.Status {
			case inventory.DeviceConfirmed, inventory.DeviceWrittenUnconfirmed, inventory.DeviceConnectionTested, inventory.DeviceSkipped:
				doneInRun[rd.DeviceID] = rd.Status
			}
		}
	}
	o.Select = sel
	devs, missing, err := Select(ctx, db, sel)
	if err != nil {
		return plan, err
	}
	if len(missing) > 0 {
		if err := o.Discover(ctx, missing); err != nil {
			if ctx.Err() != nil {
				return plan, fmt.Errorf("%w while discovering %s: nothing was touched: %w", ErrInterrupted, strings.Join(missing, ", "), err)
			}
			return plan, fmt.Errorf("%s: not in the inventory, and discovering it failed: %w", strings.Join(missing, ", "), err)
		}
		devs, missing, err = Select(ctx, db, sel)
		if err != nil {
			return plan, err
		}
		if len(missing) > 0 {
			return plan, fmt.Errorf("%s: not in the inventory and no SNMP agent answered there: check the address, the SNMP community ([snmp] communities in fleet.toml), or run `mfpfleet discover %s`", strings.Join(missing, ", "), strings.Join(missing, " "))
		}
	}
	if len(devs) == 0 {
		return plan, fmt.Errorf("%w: nothing in the inventory matches (run `mfpfleet discover` first, or check --site/--vendor/--model)", ErrNothingSelected)
	}

	var cred inventory.Credential
	if !o.AppPassword.IsZero() {
		fp := db.Fingerprint(o.AppPassword.Reveal())
		creds, err := db.ListCredentials(ctx, true)
		if err != nil {
			return plan, err
		}
		for _, c := range creds {
			if c.Fingerprint == fp && strings.EqualFold(c.Account, o.Account) {
				cred = c
			}
		}
		if cred.Revoked() && kind != inventory.RunTest {
			return plan, fmt.Errorf("this app password (credential %q, %s) was marked revoked on %s: create a new one at %s and push that", cred.Label, cred.ShortFingerprint(), cred.RevokedAt.Format("2006-01-02"), gmail.AppPasswordsURL)
		}
		plan.CredentialID = cred.ID
		if resumed.ID != 0 && resumed.CredentialID != 0 && resumed.CredentialID != cred.ID && kind != inventory.RunTest {
			return plan, fmt.Errorf("run %d pushed another app password (credential %d): give the same app password to resume it, or start a new push without --resume", resumed.ID, resumed.CredentialID)
		}
	}

	ledger := db.LoginLedger()
	for _, d := range devs {
		t := Target{Device: d, Family: d.Family, Account: cfg.AccountFor(d.Site), Method: o.methodOf(d.Site), TestAction: testActionOf(d.Device)}
		if drv, err := drivers.For(d.Device); err == nil {
			t.Driver = drv.Name()
		}
		plan.Targets = append(plan.Targets, t)
		tp := &plan.Targets[len(plan.Targets)-1]
		if err := o.planTarget(ctx, kind, tp, cred, ledger, doneInRun); err != nil {
			return plan, err
		}
		if kind != inventory.RunTest {
			o.planRelay(tp)
		}
	}
	if kind != inventory.RunTest {
		plan.Label = o.Label
		if plan.Label == "" {
			if cred.Label != "" {
				plan.Label = cred.Label
			} else {
				plan.Label = suggestLabel(cfg, plan.Runnable())
			}
		}
	}
	if cfg.Rollout.SiteLabels && kind != inventory.RunTest {
		var sites []string
		for _, t := range plan.Runnable() {
			if !slices.Contains(sites, t.Device.Site) {
				sites = append(sites, t.Device.Site)
			}
		}
		if len(sites) > 1 {
			plan.spansSites = fmt.Sprintf("[rollout] site_labels is on (one app password per site) but the selection spans sites %s: push one site at a time with --site", strings.Join(sites, ", "))
			plan.Warnings = append(plan.Warnings, plan.spansSites)
		}
	}
	return plan, nil
}

// planTarget fills in how t will be treated.
func (o *Options) planTarget(ctx context.Context, kind string, t *Target, cred inventory.Credential, ledger inventory.LoginLedger, doneInRun map[int64]string) error {
	db, cfg := o.DB, o.Config
	d := t.Device
	if a, ok, err := configuredLogin(cfg, d.Device); err != nil {
		return err
	} else if ok {
		t.FirstLoginKind = drivers.KindConfigured
		t.FirstLogin = fmt.Sprintf("user %q from %s", a.User, describeLogin(a))
		if c, err := loginCredential(a); err != nil {
			t.Fail = fmt.Sprintf("%s: login: %v", d.IP, err)
		} else {
			t.configured = []drivers.Credential{c}
		}
	}
	failed, byKind, err := ledger.FailedLogins(ctx, d.Key())
	if err != nil {
		return err
	}
	t.FailedLogins = failed
	if t.FirstLoginKind == "" && t.Driver != "" {
		t.FirstLogin = "the factory defaults, in the driver's order"
		if defs := drivers.DefaultLogins(t.Device.Device); len(defs) > 0 {
			// As LoginWithCandidates orders them, from what is known now
			// (a run learns as it goes). On an error, the driver's order
			// (so does the login).
			kind, _ := ledger.PreferredDefault(ctx, t.Device.Device)
			defs = drivers.PreferDefault(defs, kind)
			t.FirstLoginKind, t.FirstLogin = firstDefault(defs, byKind, o.RetryDefaults)
		}
	}
	switch {
	case d.Retired:
		t.Skip = fmt.Sprintf("retired on %s (%s)", d.RetiredAt.Format("2006-01-02"), d.RetiredWhy)
		return nil
	case t.Driver == "":
		_, err := drivers.For(d.Device)
		t.Skip = fmt.Sprintf("%s: %v", d.IP, err)
		return nil
	case !strings.EqualFold(t.Account, o.Account):
		t.Skip = fmt.Sprintf("site %q sends as %s (fleet.toml [[sites]] account), not %s: run it separately with --site %s --account %s", d.Site, t.Account, o.Account, d.Site, t.Account)
		return nil
	}
	if st, ok := doneInRun[d.ID]; ok && !o.Force {
		t.Skip = fmt.Sprintf("already %s in run being resumed", st)
		return nil
	}
	h, herr := db.Holding(ctx, d.ID)
	hasHolding := herr == nil
	if herr != nil && !errors.Is(herr, inventory.ErrNotFound) {
		return herr
	}
	switch kind {
	case inventory.RunTest:
		connOnly := t.TestAction == "connection" || (hasHolding && h.HasLimit(inventory.LimitConnectionTestOnly))
		if connOnly && !o.Wait {
			// No test e-mail, but the device's connection test shows
			// whether it still reaches Gmail and logs in (a revoked app
			// password answers 535 there too).
			t.TestAction = "connection"
			break
		}
		if t.TestAction == "no" || t.TestAction == "connection" || (hasHolding && h.HasLimit(inventory.LimitNoTestAction)) {
			t.TestAction = "no"
			if !o.Wait {
				t.Skip = fmt.Sprintf("%s web admin has no test e-mail action: scan a page to its test address, then run `mfpfleet test --wait`", d.Family)
				return nil
			}
			if !hasHolding || h.RunID == 0 {
				t.Skip = "no test action and nothing pushed by mfpfleet yet: push first, then scan a page to the address the push names"
				return nil
			}
			t.PendingConfirm = o.testAddress(h.RunID, d)
			t.prevRunID = h.RunID
		}
	default:
		if hasHolding && t.Method == config.MethodRelay && !o.needsAppPassword(*t) && h.Method == config.MethodRelay && !h.ConfirmedAt.IsZero() && !o.Force {
			t.Skip = fmt.Sprintf("already confirmed on the relay on %s (--force pushes again)", h.ConfirmedAt.Local().Format("2006-01-02 15:04"))
			return nil
		}
		if hasHolding && cred.ID != 0 && h.CredentialID == cred.ID && cmpOr(h.Method, config.MethodAppPassword) == t.Method && !o.Force {
			switch {
			case !h.ConfirmedAt.IsZero():
				t.Skip = fmt.Sprintf("already confirmed with credential %q on %s (--force pushes again)", cred.Label, h.ConfirmedAt.Local().Format("2006-01-02 15:04"))
				return nil
			case h.HasLimit(inventory.LimitConnectionTestOnly) && h.LastTestOK && !h.LastTestAt.Before(h.PushedAt):
				t.Skip = fmt.Sprintf("written and connection-tested on %s, unconfirmed: no test e-mail action; scan a page to %s, then run `mfpfleet test --wait` (--force pushes again)", h.PushedAt.Local().Format("2006-01-02 15:04"), o.testAddress(h.RunID, d))
				return nil
			case h.HasLimit(inventory.LimitNoTestAction):
				t.Skip = fmt.Sprintf("written on %s, unconfirmed: no test action; scan a page to %s, then run `mfpfleet test --wait` (--force pushes again)", h.PushedAt.Local().Format("2006-01-02 15:04"), o.testAddress(h.RunID, d))
				return nil
			case h.RunID != 0:
				// Written and tested by an earlier (killed) run? Then its
				// message may already be in the mailbox: look before
				// touching the device again.
				steps, err := db.Steps(ctx, h.RunID, d.ID)
				if err != nil {
					return err
				}
				for _, s := range steps {
					if s.Step == inventory.StepTest && (s.Status == inventory.StepOK || s.Status == inventory.StepRunning) {
						t.PendingConfirm = o.testAddress(h.RunID, d)
						t.prevRunID = h.RunID
					}
				}
			}
		}
	}
	budget := drivers.LoginBudget(d.Device, o.LoginBudget)
	lockout := drivers.LockoutOf(d.Device)
	retry := o.RetryConfigured && len(t.configured) > 0 && drivers.CanRetryConfigured(failed, budget, lockout)
	if t.PendingConfirm == "" && len(t.configured) == 0 && t.Driver != "" && t.FirstLoginKind == "" && strings.HasPrefix(t.FirstLogin, "none left") {
		// Nothing would be tried: no configured password and every
		// factory default refused in an earlier run. Say so without
		// opening the device.
		t.Fail = fmt.Sprintf("%s: login: not tried: no configured admin password and every factory default was refused in an earlier run (%d of %d allowed failed logins used): put its admin password in fleet.toml (%s), or add --retry-defaults to try the defaults again",
			d.IP, failed, budget, drivers.CredentialsHint(d.Device, d.IP))
		return nil
	}
	if failed >= budget && t.PendingConfirm == "" && !retry {
		locks := "the device may lock the administrator out"
		if lockout.After > 0 {
			locks = fmt.Sprintf("its firmware locks the administrator out after %d", lockout.After)
		}
		t.Fail = fmt.Sprintf("%s: login: not tried: %d failed admin logins already recorded for this device (budget %d); %s: %s",
			d.IP, failed, budget, locks, drivers.BudgetAdvice(d.IP, failed, budget, lockout, len(t.configured) > 0))
	}
	return nil
}

// testAddress is the plus-address a run sends device d's test message
// to. It is derived from the run and the device (keyed by the
// inventory's own HMAC key, so outsiders cannot predict it) rather than
// random, so that a run killed after the test message was sent finds
// that message on resume instead of sending another.
func (o *Options) testAddress(runID int64, d inventory.Device) string {
	serial := d.Serial
	if serial == "" {
		serial = fmt.Sprintf("d%d", d.ID)
	}
	nonce := o.DB.Fingerprint(fmt.Sprintf("mfpfleet test address\x00%d\x00%d", runID, d.ID))[:6]
	addr, err := gmail.PlusAddress(o.Account, "mfp-"+serial+"-"+nonce)
	if err != nil {
		return o.Account
	}
	return addr
}

// firstDefault names the factory login a push tries first: the first of
// defaults not refused in an earlier run (all of them with
// --retry-defaults), as LoginWithCandidates picks it.
func firstDefault(defaults []drivers.Credential, refused map[string]int, retry bool) (kind, text string) {
	for i, c := range defaults {
		if refused[c.Kind] > 0 && !retry {
			continue
		}
		text = c.Describe()
		if i+1 < len(defaults) {
			text += ", then " + defaults[i+1].Describe()
		}
		return c.Kind, text
	}
	return "", "none left: every factory default was refused before; put the admin password in fleet.toml"
}
