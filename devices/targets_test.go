package devices

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestParseTargets(t *testing.T) {
	tests := []struct {
		name  string
		specs []string
		count uint64
		first string
		last  string
		str   string
	}{
		{"address", []string{"127.0.20.7"}, 1, "127.0.20.7", "127.0.20.7", "127.0.20.7"},
		{"cidr", []string{"127.0.20.0/24"}, 256, "127.0.20.0", "127.0.20.255", "127.0.20.0/24"},
		{"cidr not aligned", []string{"127.0.20.77/30"}, 4, "127.0.20.76", "127.0.20.79", "127.0.20.76/30"},
		{"host cidr", []string{"127.0.20.9/32"}, 1, "127.0.20.9", "127.0.20.9", "127.0.20.9"},
		{"short range", []string{"127.0.20.10-20"}, 11, "127.0.20.10", "127.0.20.20", "127.0.20.10-127.0.20.20"},
		{"long range", []string{"127.0.20.250-127.0.21.5"}, 12, "127.0.20.250", "127.0.21.5", "127.0.20.250-127.0.21.5"},
		{"dedup and merge", []string{"127.0.20.0/25", "127.0.20.100-200", "127.0.20.7", "127.0.20.201"}, 202, "127.0.20.0", "127.0.20.201", "127.0.20.0-127.0.20.201"},
		{"adjacent merge", []string{"127.0.20.0/25", "127.0.20.128/25"}, 256, "127.0.20.0", "127.0.20.255", "127.0.20.0/24"},
		{"comma separated", []string{"127.0.20.1, 127.0.20.3 127.0.20.2"}, 3, "127.0.20.1", "127.0.20.3", "127.0.20.1-127.0.20.3"},
		{"disjoint", []string{"127.0.22.1", "127.0.20.1"}, 2, "127.0.20.1", "127.0.22.1", "127.0.20.1, 127.0.22.1"},
		{"slash eight", []string{"127.0.0.0/8"}, 1 << 24, "127.0.0.0", "127.255.255.255", "127.0.0.0/8"},
		{"everything", []string{"0.0.0.0/0", "1.2.3.4"}, 1 << 32, "0.0.0.0", "255.255.255.255", "0.0.0.0/0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := ParseTargets(tc.specs)
			if err != nil {
				t.Fatal(err)
			}
			if tg.Count() != tc.count {
				t.Errorf("Count = %d, want %d", tg.Count(), tc.count)
			}
			first, _ := tg.At(0)
			last, _ := tg.At(tg.Count() - 1)
			if first.String() != tc.first || last.String() != tc.last {
				t.Errorf("first, last = %v, %v; want %s, %s", first, last, tc.first, tc.last)
			}
			if _, ok := tg.At(tg.Count()); ok {
				t.Error("At(Count) is valid")
			}
			if tg.String() != tc.str {
				t.Errorf("String = %q, want %q", tg.String(), tc.str)
			}
			if tc.count <= 4096 {
				var all []netip.Addr
				for a := range tg.All() {
					all = append(all, a)
				}
				if uint64(len(all)) != tc.count {
					t.Fatalf("All yielded %d", len(all))
				}
				if !slices.IsSortedFunc(all, netip.Addr.Compare) || len(slices.Compact(slices.Clone(all))) != len(all) {
					t.Error("All is not sorted and unique")
				}
				for i, a := range all {
					if j, ok := tg.Index(a); !ok || j != uint64(i) {
						t.Fatalf("Index(%v) = %d, %v; want %d", a, j, ok, i)
					}
					if b, _ := tg.At(uint64(i)); b != a {
						t.Fatalf("At(%d) = %v, want %v", i, b, a)
					}
				}
			}
		})
	}
}

func TestParseTargetsErrors(t *testing.T) {
	tests := []struct {
		spec string
		want string
	}{
		{"::1", "IPv6 is not supported"},
		{"fe80::/64", "IPv6 is not supported"},
		{"127.0.20.300", "not an IPv4 address"},
		{"printer.example", "not an IPv4 address"},
		{"127.0.20.0/33", "prefix length"},
		{"127.0.20.0/x", "prefix length"},
		{"127.0.20.9-3", "ends before it starts"},
		{"127.0.20.9-256", "last octet"},
		{"127.0.21.1-127.0.20.1", "ends before it starts"},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			_, err := ParseTargets([]string{tc.spec})
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrBadTarget) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.spec) {
				t.Errorf("error %q: want ErrBadTarget naming %q and %q", err, tc.spec, tc.want)
			}
		})
	}
}

func TestTargetsLazy(t *testing.T) {
	// A /0 must not be materialised: taking three addresses is instant.
	tg := MustParseTargets("0.0.0.0/0")
	n := 0
	for a := range tg.All() {
		n++
		if n == 3 {
			if a.String() != "0.0.0.2" {
				t.Errorf("third address %v", a)
			}
			break
		}
	}
	if i, ok := tg.Index(netip.MustParseAddr("255.255.255.255")); !ok || i != 1<<32-1 {
		t.Errorf("Index(broadcast) = %d, %v", i, ok)
	}
}

func TestCheckSize(t *testing.T) {
	tests := []struct {
		spec    string
		allow   bool
		wantErr bool
	}{
		{"127.0.0.0/17", false, false},
		{"127.0.0.0/16", false, true},
		{"127.0.0.0/16", true, false},
		{"127.0.0.0/8", false, true},
		{"127.0.0.0-127.0.255.254", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			err := MustParseTargets(tc.spec).CheckSize(tc.allow)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err != nil && (!errors.Is(err, ErrLargeSweep) || !strings.Contains(err.Error(), "--yes") || !strings.Contains(err.Error(), "allow_large")) {
				t.Errorf("error %q does not say how to consent", err)
			}
		})
	}
	_, err := Sweep(t.Context(), SweepOptions{Targets: MustParseTargets("127.0.0.0/16"), Communities: []string{"public"}})
	if !errors.Is(err, ErrLargeSweep) {
		t.Errorf("Sweep of a /16 without consent: %v", err)
	}
}
