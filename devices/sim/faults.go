package sim

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Fault defaults when a spec gives no value.
const (
	DefaultSlow         = 3 * time.Second
	DefaultDropAfter    = 3
	DefaultRebootOnSave = 5 * time.Second
)

// ParseFault reads a fault spec "KIND[:VALUE]=ADDR[,ADDR...]" (mfpsim's
// --fault): slow[:DURATION], drop[:REQUESTS], reboot[:DURATION], layout,
// lockout. It returns the addresses and a function that switches the
// fault on in a Faults value.
func ParseFault(spec string) ([]netip.Addr, func(*Faults), error) {
	kindVal, addrList, ok := strings.Cut(spec, "=")
	if !ok || addrList == "" {
		return nil, nil, errors.New("want KIND[:VALUE]=ADDRESS[,ADDRESS...], e.g. slow:2s=127.0.10.3")
	}
	var addrs []netip.Addr
	for _, s := range strings.Split(addrList, ",") {
		a, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			return nil, nil, fmt.Errorf("%q is not an address", s)
		}
		addrs = append(addrs, a)
	}
	kind, val, hasVal := strings.Cut(strings.TrimSpace(kindVal), ":")
	dur := func(def time.Duration) (time.Duration, error) {
		if !hasVal {
			return def, nil
		}
		d, err := time.ParseDuration(val)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("%s: %q is not a positive duration (write e.g. 2s)", kind, val)
		}
		return d, nil
	}
	noVal := func() error {
		if hasVal {
			return fmt.Errorf("%s takes no value", kind)
		}
		return nil
	}
	var apply func(*Faults)
	switch strings.ToLower(kind) {
	case "slow":
		d, err := dur(DefaultSlow)
		if err != nil {
			return nil, nil, err
		}
		apply = func(f *Faults) { f.Slow = d }
	case "reboot":
		d, err := dur(DefaultRebootOnSave)
		if err != nil {
			return nil, nil, err
		}
		apply = func(f *Faults) { f.RebootOnSave = d }
	case "drop":
		n := DefaultDropAfter
		if hasVal {
			var err error
			if n, err = strconv.Atoi(val); err != nil || n < 1 {
				return nil, nil, fmt.Errorf("drop: %q is not a number of requests (1 or more)", val)
			}
		}
		apply = func(f *Faults) { f.DropSessionAfter = n }
	case "layout":
		if err := noVal(); err != nil {
			return nil, nil, err
		}
		apply = func(f *Faults) { f.AltLayout = true }
	case "lockout":
		if err := noVal(); err != nil {
			return nil, nil, err
		}
		apply = func(f *Faults) { f.LockedOut = true }
	default:
		return nil, nil, fmt.Errorf("unknown fault %q: use slow, drop, reboot, layout or lockout", kind)
	}
	return addrs, apply, nil
}

// JoinFaultSpecs undoes the comma splitting of a repeatable string flag:
// urfave/cli cuts "slow:1s=A,B" into "slow:1s=A" and "B", so a piece with
// no "=" is an address list continuing the spec before it.
func JoinFaultSpecs(pieces []string) []string {
	var out []string
	for _, p := range pieces {
		if len(out) > 0 && !strings.Contains(p, "=") {
			out[len(out)-1] += "," + p
			continue
		}
		out = append(out, p)
	}
	return out
}

// String lists the faults that are on, "none" when none is.
func (f Faults) String() string {
	var p []string
	if f.Slow > 0 {
		p = append(p, "slow:"+f.Slow.String())
	}
	if f.DropSessionAfter > 0 {
		p = append(p, "drop:"+strconv.Itoa(f.DropSessionAfter))
	}
	if f.RebootOnSave > 0 {
		p = append(p, "reboot:"+f.RebootOnSave.String())
	}
	if f.AltLayout {
		p = append(p, "layout")
	}
	if f.LockedOut {
		p = append(p, "lockout")
	}
	if len(p) == 0 {
		return "none"
	}
	return strings.Join(p, ",")
}
