package drivers

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
)

// Info is what a driver knows about the web admins it handles, declared
// once as a value (like rclone's RegInfo). The rollout, the inventory,
// the audit and the CLI read these facts and never name a vendor, a
// family, a login kind or a default password themselves: adding a vendor
// is one folder under drivers/, one simulated web admin and one line in
// drivers/all (docs/adding-a-driver.md).
type Info struct {
	// Name is the registry name, lower-case: "xerox".
	Name string
	// Maker is the vendor as people write it: "Xerox", "Konica Minolta".
	Maker string
	// Vendors are the devices.Device.Vendor slugs whose devices it
	// handles ("xerox"; "fujifilm" where a family runs the same pages).
	Vendors []string
	// Badges are the OEM badges (devices.Device.Brand) whose devices run
	// this vendor's web admin: "Savin", "Lanier", "Gestetner", "NRG" for
	// Ricoh. Identification reports the badge; the driver claims it.
	Badges []string
	// Families are the web admins the driver tells apart, in the order
	// Claim tries their Match.
	Families []Family
}

// Family is one web-admin family of a vendor: what it looks like, how to
// get in, what it can do. Every field is a fact the driver declares; the
// comments in the driver say where each comes from ([C] confirmed by a
// public tool or the manual, [I] a guess that probe should settle).
type Family struct {
	// ID is "<driver>/<family>": "xerox/connectkey". It is what the
	// inventory records as the device's family.
	ID string
	// Name is the family as a technician knows it: "ConnectKey / AltaLink
	// Embedded Web Server".
	Name string
	// Match reports whether dev, as SNMP identified it (vendor, badge,
	// model, firmware, sysObjectID), runs this family's web admin. nil
	// matches nothing: a family told only from the page. The driver
	// confirms the family from the page when a session opens
	// (SessionInfo.Family); the page wins.
	Match func(dev devices.Device) bool `json:"-"`
	// Decline, when set, tells why the driver cannot drive dev of this
	// family and what the technician can do instead; its error wraps
	// ErrUnsupported. A plan never schedules a push that can only fail.
	Decline func(dev devices.Device) error `json:"-"`
	// Logins are the factory logins in the order to try them.
	Logins []FactoryLogin
	// Test is what the device can do to prove the settings work.
	Test TestAction
	// Lockout is what the firmware does after wrong admin passwords.
	Lockout Lockout
	// SingleSession: the web admin allows one admin session at a time
	// (a second login answers busy), so a session is always logged out,
	// also on errors and Ctrl-C, and a session a killed run left open is
	// waited out, never counted as a failed login.
	SingleSession bool
	// PasswordMax is the longest SMTP password the form takes; 0 when not
	// known. A Gmail app password is 16 letters.
	PasswordMax int
	// Security are the SMTP security choices the page offers (what
	// WriteSMTP can set); Gmail needs SecurityStartTLS (587) or
	// SecuritySSLTLS (465).
	Security []Security
	// Confirmed says, for the README's vendor table, what of this family
	// is built on confirmed facts and what on guesses.
	Confirmed string
	// HTTPSPorts are the ports its web admin may serve HTTPS on, in the
	// order to try them (nil: 443 only); HTTPPorts the plain-HTTP ones,
	// tried only where the site allows HTTP (nil: 80, or
	// Target.HTTPPort). An address with an explicit port uses that.
	HTTPSPorts []int
	HTTPPorts  []int
}

// TestAction is how a family's device proves its SMTP settings.
type TestAction int

const (
	// TestNone: no device-side test; the settings stay written but
	// unconfirmed until a scan to the plus-address arrives.
	TestNone TestAction = iota
	// TestEmail: the device sends a test e-mail (Tester); confirmed when
	// it arrives in the mailbox.
	TestEmail
	// TestConnection: the device only checks its connection to the server
	// (ConnectionChecker); the device's word, never a confirmation.
	TestConnection
)

// String names the test action for plans and the audit.
func (t TestAction) String() string {
	switch t {
	case TestEmail:
		return "test e-mail"
	case TestConnection:
		return "connection test only"
	}
	return "none"
}

// PasswordFrom says where a factory login's password comes from.
type PasswordFrom int

const (
	// PasswordFixed: the same for every device (FactoryLogin.Password).
	PasswordFixed PasswordFrom = iota
	// PasswordBlank: no password.
	PasswordBlank
	// PasswordSerial: the device's serial number.
	PasswordSerial
	// PasswordLabel: printed on the device's label; the technician
	// supplies it (mfpfleet never derives it).
	PasswordLabel
	// PasswordNone: the web admin asks for no login at all (Lexmark's
	// factory state: no login method is set up). Nothing is sent: the
	// session's Login with it succeeds on a device that asks for none
	// and wraps ErrBadCredentials on one that asks for a login, which
	// LoginWithPolicy neither counts nor records. It is tried before the
	// configured credentials, and the audit reports a device entered
	// this way like one on a factory password.
	PasswordNone
)

// FactoryLogin is one factory login of a family.
type FactoryLogin struct {
	// Kind is the login kind recorded in the inventory and the ledger,
	// unique among all drivers' kinds: "default-1111".
	Kind string
	// User is the admin user name ("" where the page asks only a
	// password).
	User string
	// From says where the password comes from; Password is it when
	// From is PasswordFixed.
	From     PasswordFrom
	Password string
	// Text is the sentence the audit and the errors use: "the factory
	// default password (admin / 1111)".
	Text string
	// Short is the audit table's column: "default 1111".
	Short string
}

// Informer is what declares an Info; every Driver is one (Driver.Info).
type Informer interface {
	Info() Info
}

// InfoOf returns d's declared Info (false when d declares none).
func InfoOf(d Driver) (Info, bool) {
	if in, ok := d.(Informer); ok {
		return in.Info(), true
	}
	return Info{}, false
}

// Infos returns the Info of every registered driver that declares one,
// by name.
func Infos() []Info {
	var out []Info
	for _, n := range Names() {
		d, _ := Lookup(n)
		if in, ok := InfoOf(d); ok {
			out = append(out, in)
		}
	}
	return out
}

// FamilyByID returns the family id among all drivers' declarations.
func FamilyByID(id string) (Family, bool) {
	for _, in := range Infos() {
		for _, f := range in.Families {
			if f.ID == id {
				return f, true
			}
		}
	}
	return Family{}, false
}

// LoginByKind returns the factory login of kind among all drivers'
// declarations.
func LoginByKind(kind string) (FactoryLogin, bool) {
	for _, in := range Infos() {
		for _, f := range in.Families {
			for _, l := range f.Logins {
				if l.Kind == kind {
					return l, true
				}
			}
		}
	}
	return FactoryLogin{}, false
}

// Handles reports whether in's driver handles dev's vendor or badge.
func (in Info) Handles(dev devices.Device) bool {
	eq := func(a string) func(string) bool {
		return func(b string) bool { return strings.EqualFold(strings.TrimSpace(a), b) }
	}
	if dev.Vendor != "" && slices.ContainsFunc(in.Vendors, eq(dev.Vendor)) {
		return true
	}
	return dev.Brand != "" && slices.ContainsFunc(in.Badges, eq(dev.Brand))
}

// Claim returns the family of in that dev's SNMP identity names: the
// first whose Match is true (false when none does).
func (in Info) Claim(dev devices.Device) (Family, bool) {
	for _, f := range in.Families {
		if f.Match != nil && f.Match(dev) {
			return f, true
		}
	}
	return Family{}, false
}

// Credentials returns f's factory logins for dev as credentials, in
// order, each carrying its wording (Text, Short). A serial login is left
// out when dev's serial is not known (or only a placeholder of X's), a
// label login unless the technician gave the label's password for dev's
// serial (SetLabelPasswords).
func (f Family) Credentials(dev devices.Device) []Credential {
	var out []Credential
	for _, l := range f.Logins {
		c := Credential{User: l.User, Kind: l.Kind, Text: l.Text, Short: l.Short}
		switch l.From {
		case PasswordFixed:
			c.Password = config.NewSecret(l.Password)
		case PasswordBlank:
			c.Password = config.NewSecret("")
		case PasswordSerial:
			s := strings.TrimSpace(dev.Serial)
			if strings.Trim(s, "Xx") == "" {
				// Unknown, or a placeholder of X's.
				continue
			}
			c.Password = config.NewSecret(s)
		case PasswordLabel:
			pw, ok := LabelPassword(dev.Serial)
			if !ok {
				continue
			}
			c.Password = pw
		case PasswordNone:
			c.Password = config.NewSecret("")
		default:
			panic(fmt.Sprintf("drivers: family %s login %s: unknown PasswordFrom %d", f.ID, l.Kind, l.From))
		}
		out = append(out, c)
	}
	return out
}

// AdminUser is the admin user name to suggest for dev in fleet.toml
// [[credentials]]: the user of its family's first declared factory login
// ("" for a web admin that asks only a password), "admin" when no driver
// declares dev's family.
func AdminUser(dev devices.Device) string {
	if f, ok := FamilyOf(dev); ok && len(f.Logins) > 0 {
		return f.Logins[0].User
	}
	return "admin"
}

// CredentialsHint is the fleet.toml line that gives dev's admin password:
// `[[credentials]] address = "10.1.0.7" user = "admin" password_env = "MFP_ADMIN_PASSWORD"`.
func CredentialsHint(dev devices.Device, addr string) string {
	return fmt.Sprintf("[[credentials]] address = %q user = %q password_env = \"MFP_ADMIN_PASSWORD\"", addr, AdminUser(dev))
}
