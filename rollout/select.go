package rollout

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/inventory"
)

// Selector says which devices a push, test or rotation is about. Set
// fields combine with AND; the values within one field with OR. An empty
// Selector selects nothing unless All is set.
type Selector struct {
	Sites   []string `json:"sites,omitempty"`
	Vendors []string `json:"vendors,omitempty"`
	// Models match case-insensitive substrings ("c8070").
	Models []string `json:"models,omitempty"`
	// IPs are device addresses. An address the inventory does not know is
	// discovered over SNMP first (see Options.Discover).
	IPs []string `json:"ips,omitempty"`
	// All selects every device in service.
	All bool `json:"all,omitempty"`
	// Holding is a credential reference (ID, label or fingerprint prefix):
	// only devices that hold it.
	Holding string `json:"holding,omitempty"`
	// DeviceIDs selects by inventory ID (rotation, resume).
	DeviceIDs []int64 `json:"device_ids,omitempty"`
}

// Empty reports whether the selector names nothing.
func (s Selector) Empty() bool {
	return !s.All && len(s.Sites) == 0 && len(s.Vendors) == 0 && len(s.Models) == 0 &&
		len(s.IPs) == 0 && s.Holding == "" && len(s.DeviceIDs) == 0
}

// Select returns the devices s names, in service or retired (a retired
// device named by address is returned so the plan can say why it is
// skipped), ordered by address. Unknown IP addresses are returned in
// missing; the caller discovers them or reports them.
func Select(ctx context.Context, db *inventory.DB, s Selector) (devs []inventory.Device, missing []string, err error) {
	if s.Empty() {
		return nil, nil, fmt.Errorf("%w: say which devices (--all, --site, --vendor, --model, --ip or --holding)", ErrNothingSelected)
	}
	base := inventory.Filter{IDs: s.DeviceIDs}
	if s.Holding != "" {
		c, err := db.FindCredential(ctx, s.Holding)
		if err != nil {
			return nil, nil, fmt.Errorf("--holding %s: %w (list them with `mfpfleet audit`)", s.Holding, err)
		}
		base.HoldingCredential = c.ID
	}
	if len(s.IPs) > 0 {
		base.Addresses = s.IPs
		base.IncludeRetired = true
	}
	or := func(vals []string) []string {
		if len(vals) == 0 {
			return []string{""}
		}
		return vals
	}
	seen := map[int64]bool{}
	for _, site := range or(s.Sites) {
		for _, vendor := range or(s.Vendors) {
			for _, model := range or(s.Models) {
				f := base
				f.Site, f.Vendor, f.Model = site, vendor, model
				got, err := db.ListDevices(ctx, f)
				if err != nil {
					return nil, nil, err
				}
				for _, d := range got {
					if !seen[d.ID] {
						seen[d.ID] = true
						devs = append(devs, d)
					}
				}
			}
		}
	}
	slices.SortStableFunc(devs, func(a, b inventory.Device) int { return compareAddr(a.IP, b.IP) })
	for _, ip := range s.IPs {
		if !slices.ContainsFunc(devs, func(d inventory.Device) bool { return d.IP == ip }) {
			// Not there, or there but filtered out by another field.
			if _, err := db.FindDevice(ctx, ip); errors.Is(err, inventory.ErrNotFound) {
				missing = append(missing, ip)
			}
		}
	}
	return devs, missing, nil
}

func compareAddr(a, b string) int {
	pa, ea := netip.ParseAddr(a)
	pb, eb := netip.ParseAddr(b)
	if ea == nil && eb == nil {
		return pa.Compare(pb)
	}
	return strings.Compare(a, b)
}

// Target is one device of a plan: what will be done to it and how.
type Target struct {
	Device inventory.Device `json:"device"`
	// Driver is the registry name of the driver chosen ("" = none).
	Driver string `json:"driver,omitempty"`
	// Family is the web-admin family from the SNMP identity, if known.
	Family string `json:"family,omitempty"`
	// Account is the Gmail account the device will send with.
	Account string `json:"account,omitempty"`
	// FirstLogin describes the admin login tried first (never a password).
	FirstLogin string `json:"first_login,omitempty"`
	// FirstLoginKind is configured, a factory login kind the driver
	// declares (drivers.FactoryLogin.Kind), or "".
	FirstLoginKind string `json:"first_login_kind,omitempty"`
	// Method is how the device will send: "app-password" or "relay".
	Method string `json:"method,omitempty"`
	// EHLODomain is the domain a relay device's EHLO name is put in.
	EHLODomain string `json:"ehlo_domain,omitempty"`
	// Note says what the push will do beyond the SMTP settings (relay:
	// the device's domain name), or what the technician must do first.
	Note string `json:"note,omitempty"`
	// TestAction is "yes", "connection" (no test e-mail; the device's
	// connection test is run, and the settings stay unconfirmed until a
	// scan arrives), "no" (written, unconfirmed until a scan arrives) or
	// "unknown" (found out after login).
	TestAction string `json:"test_action"`
	// FailedLogins are the failed admin logins on record (lock-out budget).
	FailedLogins int `json:"failed_logins,omitempty"`
	// Skip is why the device will not be touched ("" = it will be).
	Skip string `json:"skip,omitempty"`
	// Fail is why it will be reported failed without being touched (its
	// lock-out budget is used up): a technician must act first.
	Fail string `json:"fail,omitempty"`
	// PendingConfirm is a plus-address from an earlier run whose test
	// message may already be in the mailbox; it is checked before the
	// device is touched again.
	PendingConfirm string `json:"pending_confirm,omitempty"`

	configured []drivers.Credential
	prevRunID  int64
}

// Plan is what a push, test or rotation will do, device by device.
// `--dry-run` prints it.
type Plan struct {
	Kind    string `json:"kind"`
	Account string `json:"account"`
	// Label is the app name to give Google for the app password (and the
	// credential's label in the inventory).
	Label string `json:"label,omitempty"`
	// CredentialID is the registered credential being pushed (0 if not yet
	// registered or not known without the password).
	CredentialID int64    `json:"credential_id,omitempty"`
	Targets      []Target `json:"targets"`
	// ResumeRun is the interrupted run this one continues (0 = a new run).
	ResumeRun int64 `json:"resume_run,omitempty"`
	// Warnings are remarks for the technician (printed before the plan).
	Warnings []string `json:"warnings,omitempty"`
	// spansSites is the warning that stops a push with [rollout]
	// site_labels on: the selection spans sites ("" when it does not).
	spansSites string
}

// Runnable returns the targets that will be touched.
func (p Plan) Runnable() []Target {
	var out []Target
	for _, t := range p.Targets {
		if t.Skip == "" && t.Fail == "" {
			out = append(out, t)
		}
	}
	return out
}

// testActionOf tells from the family dev's driver declares whether the
// device has a test e-mail action (Family.Test): "yes", "connection"
// (a connection test only), "no"; "unknown" when the family is not known
// before the page is seen. The page decides: a model whose name suggests
// one family may serve another's pages and test action.
func testActionOf(dev devices.Device) string {
	f, ok := drivers.FamilyOf(dev)
	if !ok {
		return "unknown"
	}
	switch f.Test {
	case drivers.TestEmail:
		return "yes"
	case drivers.TestConnection:
		return "connection"
	}
	return "no"
}

// configuredLogin returns the fleet.toml [[credentials]] entry for dev,
// the most specific match winning: address, then model, then vendor,
// then site, then a catch-all. ok is false when none matches. Every set
// field of an entry must match.
func configuredLogin(cfg *config.Config, dev devices.Device) (config.AdminLogin, bool, error) {
	best, bestRank, found := config.AdminLogin{}, -1, false
	for _, a := range cfg.Credentials {
		rank := 0
		if a.Address != "" {
			t, err := devices.ParseTargets([]string{a.Address})
			if err != nil {
				return config.AdminLogin{}, false, fmt.Errorf("fleet.toml [[credentials]] address %q: %w", a.Address, err)
			}
			ip, err := netip.ParseAddr(dev.IP)
			if err != nil || !t.Contains(ip) {
				continue
			}
			rank = 4
			if strings.Contains(a.Address, "/") || strings.Contains(a.Address, "-") {
				rank = 3 // a range is less specific than one address, more than a model
			}
			rank += 10
		}
		if a.Model != "" {
			if !strings.Contains(strings.ToLower(dev.Model), strings.ToLower(a.Model)) {
				continue
			}
			rank = max(rank, 3)
		}
		if a.Vendor != "" {
			if !strings.EqualFold(a.Vendor, dev.Vendor) && !strings.EqualFold(a.Vendor, dev.Brand) {
				continue
			}
			rank = max(rank, 2)
		}
		if a.Site != "" {
			if !strings.EqualFold(a.Site, dev.Site) {
				continue
			}
			rank = max(rank, 1)
		}
		if rank > bestRank {
			best, bestRank, found = a, rank, true
		}
	}
	return best, found, nil
}

// describeLogin names a configured login for messages.
func describeLogin(a config.AdminLogin) string {
	var parts []string
	for _, kv := range [][2]string{{"address", a.Address}, {"model", a.Model}, {"vendor", a.Vendor}, {"site", a.Site}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if len(parts) == 0 {
		return "fleet.toml [[credentials]] (catch-all)"
	}
	return "fleet.toml [[credentials]] " + strings.Join(parts, ",")
}

// suggestLabel is the app-password label for a set of targets: the
// device's own for one device, the site's for one site, else a fleet
// label.
func suggestLabel(cfg *config.Config, targets []Target) string {
	if len(targets) == 1 && !cfg.Rollout.SiteLabels {
		d := targets[0].Device
		return gmail.SuggestLabel(d.Model, d.Serial)
	}
	sites := map[string]bool{}
	for _, t := range targets {
		sites[t.Device.Site] = true
	}
	if len(sites) == 1 {
		for s := range sites {
			if s != "" {
				return gmail.SiteLabel(s)
			}
		}
	}
	return "MFP fleet"
}
