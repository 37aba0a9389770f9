package main

import (
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestReorderArgs(t *testing.T) {
	app := newApp(strings.NewReader(""), io.Discard, io.Discard)
	cases := []struct {
		name string
		in   string
		want string
	}{
		{"flags first stay", "discover --yes 10.0.0.0/24", "discover --yes -- 10.0.0.0/24"},
		{"flags after targets", "discover 10.0.0.0/24 --yes", "discover --yes -- 10.0.0.0/24"},
		{"valued flag after target", "discover 10.0.0.0/24 --rate 500 10.0.1.1", "discover --rate 500 -- 10.0.0.0/24 10.0.1.1"},
		{"flag=value", "discover 10.0.0.1 --rate=500", "discover --rate=500 -- 10.0.0.1"},
		{"global after command", "discover 10.0.0.1 --json", "--json discover -- 10.0.0.1"},
		{"global valued after command", "devices list --db x.db --site HQ", "--db x.db devices list --site HQ"},
		{"leading global kept", "--config f.toml discover 10.0.0.1 --yes", "--config f.toml discover --yes -- 10.0.0.1"},
		{"double dash respected", "discover --yes -- --odd", "discover --yes -- --odd"},
		{"subcommand", "credentials revoke 3 --json", "--json credentials revoke -- 3"},
		{"no command", "--help", "--help"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := reorderArgs(app, append([]string{"mfpfleet"}, strings.Fields(tc.in)...))
			want := append([]string{"mfpfleet"}, strings.Fields(tc.want)...)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("reorderArgs(%q)\n got %q\nwant %q", tc.in, got[1:], want[1:])
			}
		})
	}
}
