// Package lexmark drives the Lexmark Embedded Web Server of current
// ("Moja") firmware through its JSON "webglue" API, which Dell's
// Lexmark-built MFPs and the small Lexmark-built Sharp MX-B / MX-C models
// serve too.
//
// Confirmed ([C], docs/vendors.md; public clients run against real
// devices: PaperCut's sharp/smtp/mxb468_passback on an MX-B468F,
// Lexmark's own MFPSecurity Java, an XM3350 capture):
//
//   - factory state: no admin login at all, every setting open;
//   - the login methods at GET /webglue/rawcontent?c=LoginMethod&lang=en;
//     login POST /webglue/session/create, form data=<JSON>
//     {"authtype":<lmtype>,"authId":<lmid>,"creds":{…}}, whose reply's
//     sessionId, sessionKey (also the CSRF token) and sessionName become
//     cookies; success is status 0 AND a sessionKey AND no error;
//   - the e-mail settings at GET /webglue/content?c=%2FSettings%2FEmail
//     (JSON {"html": …}: inputs setting_16510 Primary SMTP Gateway,
//     16511 port, 17072 Use SSL/TLS 0 Disabled / 1 Negotiate / 2
//     Required, 16528 SMTP Server Authentication, 16526 Device Userid,
//     16515 Reply Address), saved as JSON to POST /webglue/content
//     (c=Email), each field answering "status":0;
//   - the test: GET /webglue/testSMTPFromEmail?sendToAddr=ADDR, which may
//     hang while the device tries: it is bounded here.
//
// Guessed ([I], settle with `mfpfleet probe`): the JSON keys of the
// authentication, user, password and reply fields (taken from the
// inputs' name attributes, found by their labels), the Device Password
// field, that "Required" means STARTTLS on 587 and implicit TLS on 465,
// the test's reply, session/destroy, Login Restrictions' factory values.
// Use SSL/TLS "Negotiate" is never written: it falls back to plain text.
package lexmark

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// Name is the driver's registry name.
const Name = "lexmark"

// Families.
const (
	// FamilyWebglue is the EWS with the webglue JSON API.
	FamilyWebglue = "lexmark/webglue"
	// FamilyClassic is the older EWS (/cgi-bin/dynamic/… pages), which
	// this driver recognises and declines.
	FamilyClassic = "lexmark/classic"
)

// KindNoLogin is the login kind of a device that asks for no login (the
// factory state).
const KindNoLogin = "default-no-login"

// passwordMax is the Device Password field's length ([I] guess; the
// page's maxlength decides).
const passwordMax = 64

// lockout is Login Restrictions as this driver assumes it: [I] guess:
// 3 failures within 5 minutes lock the account for 5 minutes.
var lockout = drivers.Lockout{After: 3, Until: "Login Restrictions' lockout time (5 minutes by default) has passed, or the device restarts"}

// badges are the OEMs whose devices run Lexmark's web admin ([C]
// docs/vendors.md: Dell and the small Sharp MX-B/MX-C models; Toshiba
// e-STUDIO models on Lexmark firmware answer Lexmark's sysObjectID, as
// a LibreNMS recording shows).
var badges = []string{"Dell", "Sharp", "Toshiba"}

var info = drivers.Info{
	Name:    Name,
	Maker:   "Lexmark",
	Vendors: []string{"lexmark"},
	Badges:  badges,
	Families: []drivers.Family{
		{
			ID:    FamilyWebglue,
			Name:  "Lexmark Embedded Web Server (webglue)",
			Match: func(dev devices.Device) bool { return isLexmark(dev) && !classicFirmware(dev.Firmware) },
			Logins: []drivers.FactoryLogin{{
				Kind: KindNoLogin, From: drivers.PasswordNone,
				Text:  "no admin login at all (the factory state: anyone on the network can change its settings)",
				Short: "no login",
			}},
			Test:          drivers.TestEmail,
			Lockout:       lockout,
			SingleSession: false, // [I] not known to refuse a second session
			PasswordMax:   passwordMax,
			Security:      []drivers.Security{drivers.SecurityNone, drivers.SecurityStartTLS, drivers.SecuritySSLTLS},
			Confirmed: "confirmed: the open factory state, the login methods and session/create with its answers, the e-mail page's ids " +
				"(gateway, port, Use SSL/TLS, authentication, user id, reply address), the JSON save of the gateway, port and SSL/TLS keys, " +
				"the test e-mail request; guesses: the save keys of authentication, user, password and reply address (read from the page), " +
				"the Device Password field, Required on 587 being STARTTLS, the test's reply, session/destroy, the lock-out values",
		},
		{
			ID:    FamilyClassic,
			Name:  "Lexmark Embedded Web Server (classic, /cgi-bin/dynamic)",
			Match: func(dev devices.Device) bool { return isLexmark(dev) && classicFirmware(dev.Firmware) },
			Decline: func(dev devices.Device) error {
				return fmt.Errorf("%s %s runs the older Lexmark web admin (firmware %s, /cgi-bin/dynamic pages), which mfpfleet has no driver for yet: set the e-mail server by hand (Settings → E-mail → E-mail Setup: smtp.gmail.com, 587, Use SSL/TLS Required, Login / Plain, the Gmail address and app password), or run `mfpfleet probe %s` and send us the output: %w",
					dev.Vendor, dev.Model, dev.Firmware, orAddress(dev.IP), drivers.ErrUnsupported)
			},
			Logins:    nil,
			Test:      drivers.TestNone,
			Lockout:   lockout,
			Confirmed: "recognised only (the classic login form is confirmed); no driver",
		},
	},
}

func orAddress(ip string) string {
	if ip == "" {
		return "ADDRESS"
	}
	return ip
}

// sharpLexmark matches the small Sharp models Lexmark builds ([I] guess
// of the ranges: MX-B355W…MX-B4xx, MX-C357F…MX-C5xx; the older MX-C300W
// / MX-C301W are Sharp-made).
var sharpLexmark = regexp.MustCompile(`(?i)^(SHARP\s+)?MX-(B3[5-9]\d|B4\d\d|C3[5-9]\d|C[45]\d\d)[A-Z]*$`)

// isLexmark reports whether dev runs Lexmark's web admin: identified as
// Lexmark (Dell, Sharp and Toshiba badges on Lexmark firmware are), or a
// Sharp whose model is a Lexmark-built one.
func isLexmark(dev devices.Device) bool {
	if strings.EqualFold(dev.Vendor, "sharp") {
		return sharpLexmark.MatchString(strings.TrimSpace(dev.Model))
	}
	return strings.EqualFold(dev.Vendor, "lexmark") || strings.HasPrefix(dev.Family, "lexmark/")
}

// newFirmware matches current Lexmark firmware versions ("CXTPP.230.037",
// "MXTGM.081.216": five letters and two three-digit numbers); older
// firmware ("NS.NP.N219", "NH63.GM.N639", "LW40.…") serves the classic
// EWS ([I] guess of where the line runs; the page decides).
var newFirmware = regexp.MustCompile(`^[A-Z]{5}\.\d{3}\.\d{3}`)

// classicFirmware reports whether fw is known and older than the
// webglue EWS.
func classicFirmware(fw string) bool {
	fw = strings.TrimSpace(fw)
	return fw != "" && !newFirmware.MatchString(fw)
}

// Driver is the Lexmark driver.
type Driver struct{}

// The driver is a drivers.Driver and drivers.Informer; DefaultLogins,
// Lockout and Decline serve cores that ask for them by interface rather
// than read Info.
var (
	_ drivers.Driver   = (*Driver)(nil)
	_ drivers.Informer = (*Driver)(nil)
)

func init() { drivers.Register(&Driver{}) }

// Info implements drivers.Informer.
func (*Driver) Info() drivers.Info { return info }

// Name implements drivers.Driver.
func (*Driver) Name() string { return Name }

// Supports implements drivers.Driver.
func (*Driver) Supports(dev devices.Device) bool { return isLexmark(dev) }

// Decline implements drivers.Decliner: the classic EWS is not driven.
func (*Driver) Decline(dev devices.Device) error {
	if f, ok := info.Claim(dev); ok && f.Decline != nil {
		return f.Decline(dev)
	}
	return nil
}

// Lockout implements drivers.LockoutDeclarer.
func (*Driver) Lockout(devices.Device) drivers.Lockout { return lockout }

// DefaultLogins implements drivers.DefaultLister: a device that asks for
// no login.
func (*Driver) DefaultLogins(dev devices.Device) []drivers.Credential {
	return info.Families[0].Credentials(dev)
}
