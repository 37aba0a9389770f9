// Package hp drives HP's FutureSmart Embedded Web Server (LaserJet and
// PageWide Enterprise and Managed MFPs): sign-in with the page's
// CSRFToken, Scan/Digital Send → Email Setup, the Outgoing Email Server
// wizard and its test step. The LaserJet Pro / OfficeJet Pro web admin
// (LEDM) is recognised and declined: it has no driver yet.
//
// What is confirmed [C] (public tools that drive real devices, HP's own
// test code; see docs/vendors.md and the shared research notes) is
// relied on as it is: the sign-in URL and form, its answers (302, 200
// with the page again, 409 while another admin is signed in), the
// element ids of the sign-in page, the Email Setup page and the wizard's
// server and authentication steps. The rest (the wizard's port/SSL step,
// its usage and summary steps, the test there) is found the way a person
// finds it: by labels and button texts, with guessed ids first.
package hp

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// Name is the driver's registry name.
const Name = "hp"

// Web-admin families.
const (
	// FamilyFutureSmart is the FutureSmart EWS of Enterprise and Managed
	// LaserJet/PageWide MFPs.
	FamilyFutureSmart = "hp/futuresmart"
	// FamilyLEDM is the LEDM EWS of LaserJet Pro / OfficeJet Pro models
	// (declined: no driver yet).
	FamilyLEDM = "hp/ledm"
)

// Factory logins. The kinds are what the inventory records; they never
// change.
var (
	// loginBlank: FutureSmart ships without an admin password ([C]
	// nuclei hp-printer-default-login, a Puppeteer script that signs in
	// by clicking Sign In with nothing typed).
	loginBlank = drivers.FactoryLogin{Kind: "hp-blank", User: "", From: drivers.PasswordBlank,
		Text: "the factory default (no admin password)", Short: "default blank"}
	// loginLabelPIN: newer firmware (FutureSmart 4.10+/5) is reported to
	// set the admin password to a PIN printed on the device's label ([I]
	// guess: not in stored sources); the technician puts it in fleet.toml.
	loginLabelPIN = drivers.FactoryLogin{Kind: "hp-label-pin", User: "", From: drivers.PasswordLabel,
		Text: "the admin PIN printed on the device's label (put it in fleet.toml [[credentials]])", Short: "label PIN"}
)

// lockout: FutureSmart's Account Policy locks the local administrator
// after failed sign-ins ([I] guess: 5 and until a restart or the
// lockout interval; the simulator locks until a power-cycle).
var lockout = drivers.Lockout{After: 5, Until: "a restart"}

var info = drivers.Info{
	Name:    Name,
	Maker:   "HP",
	Vendors: []string{"hp", "hewlett-packard"},
	Families: []drivers.Family{
		{
			ID:     FamilyFutureSmart,
			Name:   "HP FutureSmart Embedded Web Server (LaserJet/PageWide Enterprise)",
			Match:  func(dev devices.Device) bool { return modelFamily(dev.Model) == FamilyFutureSmart },
			Logins: []drivers.FactoryLogin{loginBlank, loginLabelPIN},
			// The wizard's summary step sends a test e-mail where the
			// firmware has it ([I]); without it the push ends written but
			// unconfirmed.
			Test:          drivers.TestEmail,
			Lockout:       lockout,
			SingleSession: true, // [C] 409 Conflict while another admin session is open
			PasswordMax:   0,    // not known
			// One "Enable SMTP SSL Protocol" checkbox: implicit TLS on
			// 465, STARTTLS on other ports ([I] guess).
			Security: []drivers.Security{drivers.SecurityNone, drivers.SecurityStartTLS, drivers.SecuritySSLTLS},
			Confirmed: "sign-in (CSRFToken, sessionId, 302/200/409), the Email Setup page and the wizard's server and authentication ids [C]; " +
				"the wizard's port/SSL step, its test step and the lock-out [I]",
		},
		{
			ID:        FamilyLEDM,
			Name:      "HP LEDM Embedded Web Server (LaserJet Pro, OfficeJet Pro)",
			Match:     func(dev devices.Device) bool { return modelFamily(dev.Model) == FamilyLEDM },
			Decline:   declineLEDM,
			Logins:    []drivers.FactoryLogin{loginBlank},
			Test:      drivers.TestNone,
			Confirmed: "not driven: the technician sets it by hand",
		},
	},
}

// Driver is the HP driver.
type Driver struct{}

func init() { drivers.Register(&Driver{}) }

// Name implements drivers.Driver.
func (*Driver) Name() string { return Name }

// Info implements drivers.Driver.
func (*Driver) Info() drivers.Info { return info }

func declineLEDM(dev devices.Device) error {
	addr := dev.IP
	if addr == "" {
		addr = "ADDRESS"
	}
	return fmt.Errorf("no driver for the HP %s: its LaserJet Pro / OfficeJet Pro web admin (LEDM) is not supported yet; set Gmail SMTP by hand on https://%s/ (Scan → Scan to Email → Outgoing Email Profiles), or run `mfpfleet probe %s` and send us the output: %w",
		strings.TrimSpace(dev.Model), addr, addr, drivers.ErrUnsupported)
}

var (
	// reModelNo is HP's model number: M + 3 digits (M528, M577), E + 5
	// digits (E57540), or X/P + digits for PageWide (X57945, P77940).
	reModelNo = regexp.MustCompile(`(?i)\b([MEXP])(\d{3,5})[a-z]{0,4}\b`)
)

// modelFamily tells the web admin from the model name, "" when it does
// not. Enterprise, Managed, Flow and the E-series (E5xxxx…E8xxxx)
// are FutureSmart; Pro, the small M1xx–M4xx and OfficeJet/DeskJet
// models are LEDM. The series number decides what the name leaves out
// (HP agents report "LaserJet MFP M528", without "Enterprise").
func modelFamily(model string) string {
	m := strings.ToLower(model)
	switch {
	case m == "":
		return ""
	case strings.Contains(m, "enterprise") || strings.Contains(m, "managed") || strings.Contains(m, "flow"):
		return FamilyFutureSmart
	case strings.Contains(m, " pro") || strings.HasPrefix(m, "pro ") || strings.Contains(m, "officejet") ||
		strings.Contains(m, "deskjet") || strings.Contains(m, "envy") || strings.Contains(m, "smart tank") || strings.Contains(m, "neverstop"):
		return FamilyLEDM
	}
	sm := reModelNo.FindStringSubmatch(model)
	if sm == nil {
		return ""
	}
	letter, digits := strings.ToUpper(sm[1]), sm[2]
	switch {
	case letter == "E" && len(digits) == 5, letter == "X" && len(digits) == 5, letter == "P" && len(digits) == 5:
		return FamilyFutureSmart
	case letter == "M" && len(digits) == 3:
		switch digits {
		case "406", "407", "430", "431": // Enterprise M4xx, FutureSmart
			return FamilyFutureSmart
		}
		if digits[0] >= '5' {
			return FamilyFutureSmart
		}
		return FamilyLEDM
	}
	return ""
}
