package xerox_test

import (
	"context"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
	"github.com/mfpfleet/mfpfleet/drivers/xerox"
)

// TestHostName reads and sets the TCP/IP host and domain name on each
// family, so that the device's EHLO becomes host.domain.
func TestHostName(t *testing.T) {
	for _, fm := range []struct{ family, model string }{
		{sim.FamilyConnectKey, "AltaLink C8045"},
		{sim.FamilyVersaLink, "VersaLink C405"},
		{sim.FamilyFujiXerox, "WorkCentre 6605"},
	} {
		t.Run(fm.family, func(t *testing.T) {
			c := suite(t, fm.family, fm.model)
			e := drivertest.NewEnv(t, c)
			d, tgt := e.Device(t, sim.DeviceOptions{MAC: "9C:93:4E:0A:1B:2C"})
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			sess, err := drivers.Open(ctx, c.Browser, tgt)
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			if _, err := drivers.LoginWithCandidates(ctx, sess, tgt.Device, nil, e.Ledger(), 2, false); err != nil {
				t.Fatal(err)
			}
			defer sess.Logout(ctx)
			hn, ok := sess.(drivers.HostNamer)
			if !ok {
				t.Fatalf("%T is not a drivers.HostNamer", sess)
			}
			if !drivers.CanSetHostName(tgt.Device) {
				t.Errorf("the driver does not declare that it sets host names")
			}
			h, err := hn.ReadHostName(ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantHost, _ := d.HostName()
			if h.Host == "" || h.Domain != "" || (wantHost != "" && h.Host != wantHost) {
				t.Fatalf("ReadHostName = %+v", h)
			}
			if err := hn.WriteHostName(ctx, drivers.HostName{Domain: "client.example"}); err != nil {
				t.Fatal(err)
			}
			host, dom := d.HostName()
			if host != h.Host || dom != "client.example" {
				t.Fatalf("device keeps host %q domain %q, want %q client.example", host, dom, h.Host)
			}
			// The session still works for the SMTP pages afterwards.
			if _, err := sess.ReadSMTP(ctx); err != nil {
				t.Fatalf("ReadSMTP after the host name: %v", err)
			}
		})
	}
	_ = xerox.Name
}
