package rollout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/inventory"
)

// DiscoverOptions says what `mfpfleet discover` sweeps and how. Zero
// fields take their value from the config's [discovery] and [snmp].
type DiscoverOptions struct {
	// Targets are addresses, CIDRs or ranges; empty = every configured site.
	Targets []string
	// Versions restricts the sweep to SNMP versions ("1", "2c", "3").
	Versions []string
	Rate     int
	Timeout  time.Duration
	Retries  int // -1 = the config's
	Port     int
	// Yes consents to sweeping a /16 or more.
	Yes     bool
	AllSNMP bool
	// Progress is passed to devices.Sweep.
	Progress func(devices.SweepProgress)
	Logger   *slog.Logger
}

// Discovered is one device found by a sweep, as recorded.
type Discovered struct {
	devices.Device
	ID  int64 `json:"id"`
	New bool  `json:"new"`
}

// DiscoverResult is what Discover found and recorded.
type DiscoverResult struct {
	Devices []Discovered       `json:"devices"`
	Stats   devices.SweepStats `json:"stats"`
	Targets string             `json:"targets"`
}

// ErrNoTargets is returned by Discover when no target was given and the
// config defines no sites.
var ErrNoTargets = errors.New("nothing to sweep")

// Discover sweeps the targets (or the config's sites) over SNMP, assigns
// each device to the site whose ranges hold its address, and records
// everything in the inventory. Devices are recorded as they are
// identified, so a cancelled sweep keeps what it found.
func Discover(ctx context.Context, db *inventory.DB, cfg *config.Config, o DiscoverOptions) (DiscoverResult, error) {
	specs := o.Targets
	if len(specs) == 0 {
		for _, s := range cfg.Sites {
			specs = append(specs, s.Ranges...)
		}
		if len(specs) == 0 {
			return DiscoverResult{}, fmt.Errorf("%w: give addresses, CIDRs or ranges (mfpfleet discover 10.1.0.0/24) or define [[sites]] with ranges in fleet.toml", ErrNoTargets)
		}
	}
	targets, err := devices.ParseTargets(specs)
	if err != nil {
		return DiscoverResult{}, err
	}
	sites, err := siteTargets(cfg)
	if err != nil {
		return DiscoverResult{}, err
	}
	v3, err := devices.V3UsersFromConfig(cfg.SNMP.V3)
	if err != nil {
		return DiscoverResult{}, err
	}
	so := devices.SweepOptions{
		Targets:     targets,
		AllowLarge:  o.Yes || cfg.Discovery.AllowLarge,
		Port:        pick(o.Port, cfg.Discovery.Port),
		Rate:        pick(o.Rate, cfg.Discovery.Rate),
		Timeout:     o.Timeout,
		Retries:     cfg.Discovery.Retries,
		Communities: cfg.SNMP.Communities,
		V3:          v3,
		Versions:    o.Versions,
		AllSNMP:     o.AllSNMP || cfg.Discovery.AllSNMP,
		Logger:      o.Logger,
		Progress:    o.Progress,
	}
	if so.Timeout == 0 {
		so.Timeout = cfg.Discovery.Timeout.Duration
	}
	if o.Retries >= 0 {
		so.Retries = o.Retries
	}
	if len(so.Versions) == 0 {
		so.Versions = cfg.Discovery.SNMPVersions
	}
	res, err := devices.Sweep(ctx, so)
	out := DiscoverResult{Stats: res.Stats, Targets: targets.String()}
	now := time.Now()
	for _, d := range res.Devices {
		if d.Site == "" {
			if a, perr := netip.ParseAddr(d.IP); perr == nil {
				d.Site = sites.siteOf(a)
			}
		}
		if d.Family == "" {
			// Identification tells vendor, badge, model and firmware;
			// the driver claims the web-admin family.
			d.Family = drivers.ClaimFamily(d)
		}
		// Record even when the sweep was cancelled: what was found is kept.
		id, isNew, uerr := db.UpsertDevice(context.WithoutCancel(ctx), d, now)
		if uerr != nil {
			return out, fmt.Errorf("record %s in the inventory: %w", d.IP, uerr)
		}
		out.Devices = append(out.Devices, Discovered{Device: d, ID: id, New: isNew})
	}
	return out, err
}

type siteSet []struct {
	name    string
	targets devices.Targets
}

func siteTargets(cfg *config.Config) (siteSet, error) {
	var s siteSet
	for _, site := range cfg.Sites {
		t, err := devices.ParseTargets(site.Ranges)
		if err != nil {
			return nil, fmt.Errorf("fleet.toml: site %q: %w", site.Name, err)
		}
		s = append(s, struct {
			name    string
			targets devices.Targets
		}{site.Name, t})
	}
	return s, nil
}

func (s siteSet) siteOf(a netip.Addr) string {
	for _, site := range s {
		if site.targets.Contains(a) {
			return site.name
		}
	}
	return ""
}

func pick(v, def int) int {
	if v != 0 {
		return v
	}
	return def
}
