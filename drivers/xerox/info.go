package xerox

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// Factory logins of Xerox web admins, as the inventory and the ledger
// record them. The kinds are the ones inventories written before
// drivers declared their facts hold (schema migration 4 fills in their
// wording), so they never change.
var (
	// loginDefault1111 is admin/1111, Xerox's factory default before
	// 2020 ([C] docs/vendors.md).
	loginDefault1111 = drivers.FactoryLogin{Kind: "default-1111", User: "admin", From: drivers.PasswordFixed, Password: "1111",
		Text: "the factory default password (admin / 1111)", Short: "default 1111"}
	// loginSerial is admin with the serial number: devices shipped since
	// 2020, or updated since ([C] docs/vendors.md).
	loginSerial = drivers.FactoryLogin{Kind: "default-serial", User: "admin", From: drivers.PasswordSerial,
		Text: "the factory default password (the serial number)", Short: "default serial"}
	// loginFujiXerox is 11111/x-admin, the Fuji Xerox factory default of
	// the Fuji-Xerox-made WorkCentres ([C] docs/vendors.md).
	loginFujiXerox = drivers.FactoryLogin{Kind: "default-other", User: "11111", From: drivers.PasswordFixed, Password: "x-admin",
		Text: "a vendor factory default password", Short: "vendor default"}
)

// security is what the three drivable families' SMTP pages offer.
var security = []drivers.Security{drivers.SecurityNone, drivers.SecurityStartTLS, drivers.SecuritySSLTLS}

// lockout: ConnectKey and VersaLink firmware lock the administrator after
// "Maximum Login Attempts by System Administrator" failures (1-10,
// sourced: docs/vendors.md, VersaLink security guide) until a restart; 5
// is taken as the factory setting (as the simulator has it; not
// sourced). The Fuji-Xerox-made devices' lock-out is not documented.
var lockout = drivers.Lockout{After: 5, Until: "a restart"}

// info is the Xerox driver's declaration (drivers.Info).
var info = drivers.Info{
	Name:    Name,
	Maker:   "Xerox",
	Vendors: []string{"xerox", "fujixerox", "fuji-xerox", "fuji xerox"},
	Families: []drivers.Family{
		{
			ID:       FamilyConnectKey,
			Name:     "ConnectKey / AltaLink Embedded Web Server",
			Match:    match(FamilyConnectKey),
			Logins:   []drivers.FactoryLogin{loginDefault1111, loginSerial},
			Test:     drivers.TestEmail,
			Lockout:  lockout,
			Security: security,
			Confirmed: "login.php and /userpost/xerox.set, the menu names and the test e-mail [C]; " +
				"field labels found as a person finds them",
		},
		{
			ID:     FamilyVersaLink,
			Name:   "VersaLink web app",
			Match:  match(FamilyVersaLink),
			Logins: []drivers.FactoryLogin{loginDefault1111, loginSerial},
			// The VersaLink app (as a live device of its lineage shows
			// it) has a connection test, not a test e-mail. The page
			// decides: a VersaLink B415 serves the ConnectKey pages and
			// their test e-mail.
			Test:      drivers.TestConnection,
			Lockout:   lockout,
			Security:  security,
			Confirmed: "/home/index.html app [C]; the SMTP dialog's labels and the connection test [I]",
		},
		{
			ID:     FamilyFujiXerox,
			Name:   "Fuji-Xerox-made WorkCentre (HTTP Basic)",
			Match:  match(FamilyFujiXerox),
			Logins: []drivers.FactoryLogin{loginDefault1111, loginSerial, loginFujiXerox},
			// "SMTP Server Connection Status": a connection check, no
			// test e-mail.
			Test:      drivers.TestConnection,
			Security:  security,
			Confirmed: "HTTP Basic and 11111/x-admin [C]; the Email Settings and SSL/TLS pages [I]",
		},
		{
			ID:        FamilyLegacy,
			Name:      "legacy CentreWare .dhtml web admin",
			Match:     match(FamilyLegacy),
			Decline:   declineLegacy,
			Logins:    []drivers.FactoryLogin{loginDefault1111},
			Test:      drivers.TestNone,
			Confirmed: "not driven: the technician sets it by hand",
		},
	},
}

// match reports whether a Xerox device's model names family fam
// (modelFamily). Fuji Xerox and FUJIFILM-badged devices are told from
// their page.
func match(fam string) func(devices.Device) bool {
	return func(dev devices.Device) bool {
		return strings.EqualFold(strings.TrimSpace(dev.Vendor), "xerox") && modelFamily(dev.Model) == fam
	}
}

// Info implements drivers.Driver.
func (*Driver) Info() drivers.Info { return info }

// declineLegacy: the legacy .dhtml web admin (WorkCentre Pro, M20i,
// WorkCentre 4150/4250/4260) has no driver, so it is planned as such
// rather than pushed into a dead end.
func declineLegacy(dev devices.Device) error {
	addr := dev.IP
	if addr == "" {
		addr = "ADDRESS"
	}
	return fmtDecline(strings.TrimSpace(dev.Model), addr)
}

var (
	reWorkCentre = regexp.MustCompile(`(?i)^WorkCentre\s+(\d{4})`)
	reColorQube  = regexp.MustCompile(`(?i)^ColorQube\s+(\d{4})`)
	rePhaser     = regexp.MustCompile(`(?i)^Phaser\s+(\d{4})`)
)

// modelFamily tells the Xerox web-admin family from the model name (see
// docs/vendors.md): the marketing name does not decide, the platform
// does ("WorkCentre 6515" is a VersaLink inside). "" when the name does
// not tell; the page does once a session opens.
func modelFamily(model string) string {
	m := strings.TrimSpace(model)
	lower := strings.ToLower(m)
	switch {
	case strings.HasPrefix(lower, "altalink"):
		return FamilyConnectKey
	case strings.HasPrefix(lower, "versalink"):
		return FamilyVersaLink
	case strings.HasPrefix(lower, "workcentre pro"), strings.HasPrefix(lower, "m20"):
		return FamilyLegacy
	}
	if g := reColorQube.FindStringSubmatch(m); g != nil {
		n, _ := strconv.Atoi(g[1])
		if n == 8700 || n == 8900 || n/100 == 93 {
			return FamilyConnectKey
		}
		return ""
	}
	if g := rePhaser.FindStringSubmatch(m); g != nil {
		switch g[1] {
		case "6510":
			return FamilyVersaLink
		case "6128":
			return FamilyFujiXerox
		}
		return ""
	}
	if g := reWorkCentre.FindStringSubmatch(m); g != nil {
		n, _ := strconv.Atoi(g[1])
		switch {
		case n >= 5600 && n <= 5999, n >= 7525 && n <= 7999, n == 3655, n == 6655:
			return FamilyConnectKey
		case n == 6515:
			return FamilyVersaLink
		case n == 3615, n == 6605, n == 6505, n == 6015, n == 6025, n == 6027:
			return FamilyFujiXerox
		case n == 4150, n == 4250, n == 4260:
			return FamilyLegacy
		}
	}
	return ""
}
