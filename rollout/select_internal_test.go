package rollout

import (
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// TestConfiguredLoginMostSpecificWins: address beats a range, a range
// beats a model, a model beats a vendor, a vendor beats a site, a site
// beats the catch-all; an entry whose set fields do not all match is
// never chosen.
func TestConfiguredLoginMostSpecificWins(t *testing.T) {
	cfg := &config.Config{Credentials: []config.AdminLogin{
		{User: "catchall"},
		{Site: "HQ", User: "site"},
		{Vendor: "xerox", User: "vendor"},
		{Model: "C8070", User: "model"},
		{Address: "10.1.0.0/24", User: "range"},
		{Address: "10.1.0.7", User: "address"},
		{Address: "10.1.0.8", Vendor: "ricoh", User: "address-but-ricoh"},
	}}
	dev := func(ip, vendor, model, site string) devices.Device {
		return devices.Device{IP: ip, Vendor: vendor, Model: model, Site: site}
	}
	for _, tc := range []struct {
		name string
		dev  devices.Device
		want string
	}{
		{"address", dev("10.1.0.7", "xerox", "AltaLink C8070", "HQ"), "address"},
		{"range over model", dev("10.1.0.9", "xerox", "AltaLink C8070", "HQ"), "range"},
		{"address entry with a vendor that does not match", dev("10.1.0.8", "xerox", "AltaLink C8045", "HQ"), "range"},
		{"model", dev("10.2.0.1", "xerox", "AltaLink C8070", "HQ"), "model"},
		{"vendor", dev("10.2.0.1", "xerox", "VersaLink C405", "HQ"), "vendor"},
		{"site", dev("10.2.0.1", "ricoh", "MP C3004", "HQ"), "site"},
		{"catch-all", dev("10.2.0.1", "ricoh", "MP C3004", "Branch"), "catchall"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, ok, err := configuredLogin(cfg, tc.dev)
			if err != nil || !ok || a.User != tc.want {
				t.Errorf("got %q (ok %v, err %v), want %q", a.User, ok, err, tc.want)
			}
		})
	}
	if _, ok, _ := configuredLogin(&config.Config{Credentials: []config.AdminLogin{{Site: "HQ", User: "x"}}}, dev("10.0.0.1", "xerox", "", "Branch")); ok {
		t.Error("a login for another site matched")
	}
	if _, _, err := configuredLogin(&config.Config{Credentials: []config.AdminLogin{{Address: "not-an-address", User: "x"}}}, dev("10.0.0.1", "xerox", "", "")); err == nil {
		t.Error("a bad address in fleet.toml was not reported")
	}
}

// TestScrubber removes each secret wherever it appears.
func TestScrubber(t *testing.T) {
	s := scrubber{"abcdefghijklmnop", "abcd efgh ijkl mnop", "Adm1n!"}
	got := s.scrub("pw abcdefghijklmnop / abcd efgh ijkl mnop / Adm1n! / 1111")
	if got != "pw **redacted** / **redacted** / **redacted** / 1111" {
		t.Errorf("scrub: %q", got)
	}
}

// TestFirstDefault: the plan names the factory login the driver will try
// first, skipping defaults refused in an earlier run unless retried.
func TestFirstDefault(t *testing.T) {
	defs := []drivers.Credential{{User: "admin", Kind: "default-1111", Text: "the factory default password (admin / 1111)"},
		{User: "admin", Kind: "default-serial", Text: "the factory default password (the serial number)"}}
	for _, c := range []struct {
		refused  map[string]int
		retry    bool
		kind     string
		contains string
	}{
		{nil, false, "default-1111", "1111), then user \"admin\" with the factory default password (the serial number)"},
		{map[string]int{"default-1111": 1}, false, "default-serial", "serial number"},
		{map[string]int{"default-1111": 1}, true, "default-1111", "1111"},
		{map[string]int{"default-1111": 1, "default-serial": 2}, false, "", "none left"},
	} {
		kind, text := firstDefault(defs, c.refused, c.retry)
		if kind != c.kind || !strings.Contains(text, c.contains) {
			t.Errorf("refused %v retry %v: %q %q, want %q containing %q", c.refused, c.retry, kind, text, c.kind, c.contains)
		}
	}
}
