// Package xerox drives Xerox web admins: the ConnectKey PHP "Embedded Web
// Server" (AltaLink, WorkCentre 5xxx/7xxx, ColorQube), the VersaLink
// single-page app (also WorkCentre 6515, Phaser 6510) and the
// Fuji-Xerox-made small devices with HTTP Basic (WorkCentre 3615, 6505,
// 6605, 6015). The family is chosen from the SNMP identity and confirmed
// from the page; the legacy .dhtml admin is reported as unsupported.
package xerox

import (
	"context"
	"fmt"
	"strings"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// Name is the driver's registry name.
const Name = "xerox"

// Driver is the Xerox driver.
type Driver struct{}

var _ drivers.Driver = (*Driver)(nil)

func init() { drivers.Register(&Driver{}) }

// Name implements drivers.Driver.
func (*Driver) Name() string { return Name }

// Supports implements drivers.Driver: Xerox and Fuji Xerox devices.
func (*Driver) Supports(dev devices.Device) bool {
	v := strings.ToLower(dev.Vendor)
	return v == "xerox" || v == "fujixerox" || v == "fuji-xerox" || strings.HasPrefix(dev.Family, "xerox/")
}

// NewSession implements drivers.Driver.
func (d *Driver) NewSession(ctx context.Context, tab *drivers.Tab) (drivers.Session, error) {
	return nil, fmt.Errorf("%s: xerox: %w", tab.Address(), drivers.ErrUnsupported)
}
