package rollout

import (
	"fmt"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// ConfiguredLogins returns the fleet.toml [[credentials]] login for dev
// (the most specific match), with its password read from its env var or
// file; nil when none matches, so the driver's factory defaults are tried.
func ConfiguredLogins(cfg *config.Config, dev devices.Device) ([]drivers.Credential, error) {
	a, ok, err := configuredLogin(cfg, dev)
	if err != nil || !ok {
		return nil, err
	}
	c, err := loginCredential(a)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dev.IP, err)
	}
	return []drivers.Credential{c}, nil
}

// loginCredential reads a configured login's password into the credential
// the drivers try.
func loginCredential(a config.AdminLogin) (drivers.Credential, error) {
	pw, err := a.Ref().Resolve()
	if err != nil {
		return drivers.Credential{}, fmt.Errorf("the admin password for %s cannot be read: %w", describeLogin(a), err)
	}
	return drivers.Credential{User: a.User, Password: pw, Kind: drivers.KindConfigured, Source: describeLogin(a)}, nil
}
