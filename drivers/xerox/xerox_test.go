package xerox_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/drivers/drivertest"
	"github.com/mfpfleet/mfpfleet/drivers/xerox"
)

// The Xerox driver's tests use 127.0.51.0 - 127.0.54.255: one address per
// simulated device or stand-in.

var (
	browser      *drivers.Browser
	browserErr   error
	artifactsDir string
	next         atomic.Uint32
)

func addr(tb testing.TB) netip.Addr {
	n := next.Add(1)
	a := netip.AddrFrom4([4]byte{127, 0, byte(51 + n/250), byte(1 + n%250)})
	if a.As4()[2] > 54 {
		tb.Fatalf("test address block exhausted at %s", a)
	}
	return a
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "xerox-artifacts-")
	if err != nil {
		panic(err)
	}
	artifactsDir = dir
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	browser, browserErr = drivers.NewBrowser(ctx, drivers.BrowserOptions{
		Flags:        []string{"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.*"},
		ArtifactsDir: dir,
		Logger:       logger(),
	})
	cancel()
	code := m.Run()
	if browser != nil {
		browser.Close()
	}
	if os.Getenv("MFPFLEET_KEEP_ARTIFACTS") == "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

func logger() *slog.Logger {
	if os.Getenv("MFPFLEET_TEST_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func suite(t testing.TB, family, model string, faultCode ...string) drivertest.Config {
	if browser == nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			t.Fatalf("chromium required (MFPFLEET_REQUIRE_PEERS=1): %v", browserErr)
		}
		t.Skipf("chromium not available: %v", browserErr)
	}
	return drivertest.Config{Browser: browser, ArtifactsDir: artifactsDir, Family: family, Model: model,
		FaultCode: strings.Join(faultCode, ""), Addr: addr, Logger: logger()}
}

func TestConnectKey(t *testing.T) {
	drivertest.Run(t, suite(t, sim.FamilyConnectKey, "AltaLink C8045"))
}

// TestConnectKeyHeaderLogin: a current AltaLink (C8055) whose login.php
// leads to a page whose header button opens the login dialog.
func TestConnectKeyHeaderLogin(t *testing.T) {
	c := suite(t, sim.FamilyConnectKey, "AltaLink C8055")
	c.UI = sim.UIHeaderLogin
	drivertest.Run(t, c)
}

// TestVersaLinkB415: the newer VersaLink generation serves the ConnectKey
// PHP pages with the header login dialog, not the /home/index.html app
// its model name (and so discovery) suggests: the driver follows the
// page.
func TestVersaLinkB415(t *testing.T) {
	c := suite(t, sim.FamilyConnectKey, "VersaLink B415")
	c.UI = sim.UIHeaderLogin
	c.SNMPFamily = sim.FamilyVersaLink
	drivertest.Run(t, c)
}

func TestVersaLink(t *testing.T) {
	drivertest.Run(t, suite(t, sim.FamilyVersaLink, "VersaLink C405", "016-781"))
}

func TestFujiXerox(t *testing.T) {
	drivertest.Run(t, suite(t, sim.FamilyFujiXerox, "WorkCentre 6605"))
}

// TestParallelTabs pushes to devices of all three families at once, one
// tab each in the shared browser, as `push --parallel` does.
func TestParallelTabs(t *testing.T) {
	type job struct {
		family, model string
	}
	jobs := []job{
		{sim.FamilyConnectKey, "AltaLink C8045"}, {sim.FamilyConnectKey, "AltaLink C8045"},
		{sim.FamilyVersaLink, "VersaLink C405"}, {sim.FamilyFujiXerox, "WorkCentre 6605"},
	}
	c := suite(t, sim.FamilyConnectKey, "AltaLink C8045")
	e := drivertest.NewEnv(t, c)
	type dev struct {
		d   *sim.Device
		tgt drivers.Target
	}
	devs := make([]dev, len(jobs))
	for i, j := range jobs {
		devs[i].d, devs[i].tgt = e.Device(t, sim.DeviceOptions{Family: j.family, Model: j.model})
	}
	errs := make(chan error, len(jobs))
	for i := range jobs {
		go func(i int) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			_, err := e.Push(ctx, t, devs[i].tgt, nil, 587)
			if err == nil && !devs[i].d.SMTPPasswordIs(drivertest.AppPassword) {
				err = fmt.Errorf("%s: app password not stored", devs[i].tgt.Address)
			}
			errs <- err
		}(i)
	}
	for range jobs {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestFullChromium pushes one device of each family through the full
// browser (`chromium --headless`), for technicians who have only that:
// the rest of the suite runs on the headless shell FindChromium prefers.
func TestFullChromium(t *testing.T) {
	c := suite(t, sim.FamilyConnectKey, "AltaLink C8045")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	full, err := drivers.NewBrowser(ctx, drivers.BrowserOptions{
		Path:         "chromium",
		Flags:        []string{"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.*"},
		ArtifactsDir: artifactsDir,
		Logger:       logger(),
	})
	cancel()
	if err != nil {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			t.Fatalf("chromium required (MFPFLEET_REQUIRE_PEERS=1): %v", err)
		}
		t.Skipf("chromium not available: %v", err)
	}
	defer full.Close()
	if filepath.Base(full.Path()) != "chromium" {
		t.Fatalf("browser is %s, want the full chromium", full.Path())
	}
	c.Browser = full
	e := drivertest.NewEnv(t, c)
	for _, m := range []struct{ family, model string }{
		{sim.FamilyConnectKey, "AltaLink C8045"}, {sim.FamilyVersaLink, "VersaLink C405"}, {sim.FamilyFujiXerox, "WorkCentre 6605"},
	} {
		d, tgt := e.Device(t, sim.DeviceOptions{Family: m.family, Model: m.model})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		r, err := e.Push(ctx, t, tgt, nil, 587)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", m.family, err)
		}
		if !d.SMTPPasswordIs(drivertest.AppPassword) || r.After.Server != "smtp.gmail.com" {
			t.Fatalf("%s: settings not stored (read back %+v)", m.family, r.After)
		}
	}
}

// TestRememberedPagesMoved: a model's SMTP pages remembered from an
// earlier device are not where this device has them (other firmware).
// ConnectKey logs in asking to land on a page that is gone, Fuji-Xerox
// sends its credentials to one; both find the pages again through the
// menus and push.
func TestRememberedPagesMoved(t *testing.T) {
	for _, m := range []struct {
		family, model string
		pages         map[string]string
	}{
		{sim.FamilyConnectKey, "AltaLink C8070", map[string]string{"smtp": "/properties/gone/smtp.php", "general": "/properties/gone/general.php", "security": "/properties/gone/security.php", "test": "/properties/gone/test.php"}},
		{sim.FamilyFujiXerox, "WorkCentre 3615", map[string]string{"email": "/setting/gone.htm", "ssl": "/setting/gone-ssl.htm"}},
	} {
		t.Run(m.family, func(t *testing.T) {
			c := suite(t, m.family, m.model)
			e := drivertest.NewEnv(t, c)
			d, tgt := e.Device(t, sim.DeviceOptions{Family: m.family, Model: m.model})
			xerox.RememberPages(tgt.Device.Model, m.pages)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			r, err := e.Push(ctx, t, tgt, nil, 587)
			if err != nil {
				t.Fatalf("push: %v", err)
			}
			if !d.SMTPPasswordIs(drivertest.AppPassword) || r.After.Server != "smtp.gmail.com" {
				t.Fatalf("settings not stored (read back %+v)", r.After)
			}
		})
	}
}

// TestFamilyFromPage: the family comes from the page the device serves,
// not from the model name discovery recorded: a VersaLink B415 (SNMP:
// VersaLink) serving the ConnectKey PHP pages opens a ConnectKey session,
// and so does an AltaLink C8055 whose login.php shows no login form.
func TestFamilyFromPage(t *testing.T) {
	c := suite(t, sim.FamilyConnectKey, "VersaLink B415")
	c.UI = sim.UIHeaderLogin
	c.SNMPFamily = sim.FamilyVersaLink
	e := drivertest.NewEnv(t, c)
	for _, tc := range []struct{ model, snmp string }{
		{"VersaLink B415", xerox.FamilyVersaLink},
		{"VersaLink B415", xerox.FamilyConnectKey}, // no login.php to try first
		{"AltaLink C8055", xerox.FamilyConnectKey},
	} {
		t.Run(tc.model+"/"+tc.snmp, func(t *testing.T) {
			_, tgt := e.Device(t, sim.DeviceOptions{Model: tc.model, Family: sim.FamilyConnectKey, UI: sim.UIHeaderLogin})
			tgt.Device.Family = tc.snmp
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			s, err := drivers.Open(ctx, browser, tgt)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := s.Info().Family; got != xerox.FamilyConnectKey {
				t.Fatalf("session family %q, want %q (from the page)", got, xerox.FamilyConnectKey)
			}
			if _, err := drivers.LoginWithCandidates(ctx, s, tgt.Device, nil, e.Ledger(), 2, false); err != nil {
				t.Fatalf("login through the header dialog: %v", err)
			}
			if err := s.Logout(ctx); err != nil {
				t.Errorf("logout through the header: %v", err)
			}
		})
	}
}
