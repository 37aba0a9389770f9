package devices

import (
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// LargeSweep is the number of addresses (a /16) from which a sweep needs
// explicit consent: SweepOptions.AllowLarge, set by the CLI from --yes or
// from discovery.allow_large in fleet.toml.
const LargeSweep = 1 << 16

// ErrLargeSweep is wrapped by Targets.CheckSize and Sweep when a sweep of
// LargeSweep or more addresses was not consented to.
var ErrLargeSweep = errors.New("sweep of a /16 or more needs consent")

// ErrBadTarget is wrapped by ParseTargets for every spec it cannot parse.
var ErrBadTarget = errors.New("invalid target")

// Targets is a set of IPv4 addresses held as sorted, merged, inclusive
// ranges, so a /8 costs a few bytes. The zero value is the empty set.
type Targets struct {
	ranges []addrRange
	count  uint64
}

type addrRange struct{ first, last uint32 } // inclusive

// ParseTargets parses sweep targets. Each spec is an IPv4 address
// ("10.1.2.3"), a CIDR block ("10.1.2.0/24", every address in it
// including the network and broadcast addresses), or a range, either
// short ("10.1.2.10-40", the last octet) or long ("10.1.2.10-10.1.3.40").
// A spec may also hold several of these separated by commas or blanks.
// Overlaps and duplicates are merged. IPv6 is refused.
func ParseTargets(specs []string) (Targets, error) {
	var rs []addrRange
	for _, spec := range specs {
		for _, f := range strings.FieldsFunc(spec, func(r rune) bool {
			return r == ',' || r == ' ' || r == '\t' || r == '\n'
		}) {
			r, err := parseRange(f)
			if err != nil {
				return Targets{}, err
			}
			rs = append(rs, r)
		}
	}
	return newTargets(rs), nil
}

// MustParseTargets is ParseTargets for constants in tests and examples; it
// panics on error.
func MustParseTargets(specs ...string) Targets {
	t, err := ParseTargets(specs)
	if err != nil {
		panic(err)
	}
	return t
}

func newTargets(rs []addrRange) Targets {
	slices.SortFunc(rs, func(a, b addrRange) int {
		switch {
		case a.first < b.first:
			return -1
		case a.first > b.first:
			return 1
		}
		return 0
	})
	var out []addrRange
	for _, r := range rs {
		if n := len(out); n > 0 && (out[n-1].last == ^uint32(0) || r.first <= out[n-1].last+1) {
			out[n-1].last = max(out[n-1].last, r.last)
			continue
		}
		out = append(out, r)
	}
	var c uint64
	for _, r := range out {
		c += uint64(r.last-r.first) + 1
	}
	return Targets{ranges: out, count: c}
}

func parseRange(s string) (addrRange, error) {
	bad := func(why string) (addrRange, error) {
		return addrRange{}, fmt.Errorf("target %q: %s: %w (use an IPv4 address, a CIDR like 10.1.2.0/24, or a range like 10.1.2.10-40)", s, why, ErrBadTarget)
	}
	if strings.Contains(s, ":") {
		return bad("IPv6 is not supported")
	}
	if base, bits, ok := strings.Cut(s, "/"); ok {
		a, err := parseV4(base)
		if err != nil {
			return bad(err.Error())
		}
		n, err := strconv.Atoi(bits)
		if err != nil || n < 0 || n > 32 {
			return bad("prefix length must be 0 to 32")
		}
		p, _ := a.Prefix(n)
		first := v4(p.Addr())
		last := first | uint32(uint64(1)<<(32-n)-1)
		return addrRange{first, last}, nil
	}
	if lo, hi, ok := strings.Cut(s, "-"); ok {
		a, err := parseV4(lo)
		if err != nil {
			return bad(err.Error())
		}
		first := v4(a)
		var last uint32
		if strings.Contains(hi, ".") {
			b, err := parseV4(hi)
			if err != nil {
				return bad(err.Error())
			}
			last = v4(b)
		} else {
			n, err := strconv.Atoi(hi)
			if err != nil || n < 0 || n > 255 {
				return bad("the end of a short range is the last octet, 0 to 255")
			}
			last = first&^0xff | uint32(n)
		}
		if last < first {
			return bad("the range ends before it starts")
		}
		return addrRange{first, last}, nil
	}
	a, err := parseV4(s)
	if err != nil {
		return bad(err.Error())
	}
	return addrRange{v4(a), v4(a)}, nil
}

func parseV4(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, errors.New("not an IPv4 address")
	}
	if !a.Is4() {
		return netip.Addr{}, errors.New("IPv6 is not supported")
	}
	return a, nil
}

func v4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func addrOf(u uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(u >> 24), byte(u >> 16), byte(u >> 8), byte(u)})
}

// Count is the number of distinct addresses.
func (t Targets) Count() uint64 { return t.count }

// All yields every address in ascending order without building a list.
func (t Targets) All() iter.Seq[netip.Addr] {
	return func(yield func(netip.Addr) bool) {
		for _, r := range t.ranges {
			for u := r.first; ; u++ {
				if !yield(addrOf(u)) {
					return
				}
				if u == r.last {
					break
				}
			}
		}
	}
}

// At returns the i-th address in ascending order (0 <= i < Count).
func (t Targets) At(i uint64) (netip.Addr, bool) {
	for _, r := range t.ranges {
		n := uint64(r.last-r.first) + 1
		if i < n {
			return addrOf(r.first + uint32(i)), true
		}
		i -= n
	}
	return netip.Addr{}, false
}

// Index is the inverse of At.
func (t Targets) Index(a netip.Addr) (uint64, bool) {
	if !a.Is4() {
		return 0, false
	}
	u := v4(a)
	var base uint64
	for _, r := range t.ranges {
		if u >= r.first && u <= r.last {
			return base + uint64(u-r.first), true
		}
		base += uint64(r.last-r.first) + 1
	}
	return 0, false
}

// Contains reports whether a is one of the targets.
func (t Targets) Contains(a netip.Addr) bool {
	_, ok := t.Index(a)
	return ok
}

// String gives the targets back in a compact form: "10.1.2.0/24,
// 10.1.3.5-10.1.3.9".
func (t Targets) String() string {
	var parts []string
	for _, r := range t.ranges {
		parts = append(parts, rangeString(r)...)
	}
	return strings.Join(parts, ", ")
}

func rangeString(r addrRange) []string {
	if r.first == r.last {
		return []string{addrOf(r.first).String()}
	}
	// A whole aligned block prints as CIDR.
	n := uint64(r.last-r.first) + 1
	if n&(n-1) == 0 && uint64(r.first)%n == 0 {
		bits := 32
		for m := n; m > 1; m >>= 1 {
			bits--
		}
		return []string{fmt.Sprintf("%s/%d", addrOf(r.first), bits)}
	}
	return []string{addrOf(r.first).String() + "-" + addrOf(r.last).String()}
}

// CheckSize returns an error wrapping ErrLargeSweep when the targets hold
// LargeSweep (65,536) or more addresses and allowLarge is false.
func (t Targets) CheckSize(allowLarge bool) error {
	if t.count >= LargeSweep && !allowLarge {
		return fmt.Errorf("%d addresses (%s): %w: check the targets, then pass --yes or set allow_large = true under [discovery] in fleet.toml", t.count, t, ErrLargeSweep)
	}
	return nil
}
