package sim

import (
	"net/netip"
	"testing"
	"time"
)

func TestParseFault(t *testing.T) {
	a3, a4 := netip.MustParseAddr("127.0.35.3"), netip.MustParseAddr("127.0.35.4")
	cases := []struct {
		spec  string
		addrs int
		want  Faults
		bad   bool
	}{
		{spec: "slow=127.0.35.3", addrs: 1, want: Faults{Slow: DefaultSlow}},
		{spec: "slow:250ms=127.0.35.3,127.0.35.4", addrs: 2, want: Faults{Slow: 250 * time.Millisecond}},
		{spec: "drop:2=127.0.35.3", addrs: 1, want: Faults{DropSessionAfter: 2}},
		{spec: "drop=127.0.35.3", addrs: 1, want: Faults{DropSessionAfter: DefaultDropAfter}},
		{spec: "reboot:1s=127.0.35.3", addrs: 1, want: Faults{RebootOnSave: time.Second}},
		{spec: "layout=127.0.35.3", addrs: 1, want: Faults{AltLayout: true}},
		{spec: "lockout=127.0.35.3", addrs: 1, want: Faults{LockedOut: true}},
		{spec: "lockout:1=127.0.35.3", bad: true},
		{spec: "slow:fast=127.0.35.3", bad: true},
		{spec: "drop:0=127.0.35.3", bad: true},
		{spec: "melt=127.0.35.3", bad: true},
		{spec: "slow", bad: true},
		{spec: "slow=printer", bad: true},
	}
	for _, tc := range cases {
		t.Run(tc.spec, func(t *testing.T) {
			addrs, apply, err := ParseFault(tc.spec)
			if tc.bad {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(addrs) != tc.addrs || addrs[0] != a3 || (tc.addrs == 2 && addrs[1] != a4) {
				t.Fatalf("addrs %v", addrs)
			}
			var f Faults
			apply(&f)
			if f != tc.want {
				t.Fatalf("%+v, want %+v", f, tc.want)
			}
		})
	}
}

func TestJoinFaultSpecs(t *testing.T) {
	// What urfave/cli's StringSliceFlag makes of
	// --fault slow:1s=A,B --fault layout=C,D,E.
	got := JoinFaultSpecs([]string{"slow:1s=127.0.35.3", "127.0.35.4", "layout=127.0.35.5", "127.0.35.6", " 127.0.35.7"})
	want := []string{"slow:1s=127.0.35.3,127.0.35.4", "layout=127.0.35.5,127.0.35.6, 127.0.35.7"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %q, want %q", got, want)
		}
		if _, _, err := ParseFault(got[i]); err != nil {
			t.Errorf("%q: %v", got[i], err)
		}
	}
	// A lone first piece without "=" stays, and ParseFault refuses it.
	if got := JoinFaultSpecs([]string{"127.0.35.3"}); len(got) != 1 || got[0] != "127.0.35.3" {
		t.Errorf("got %q", got)
	}
}
