package sim

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
)

// WebAdmin is one simulated web-admin family: its pages and what differs
// between vendors around them. Each vendor's pages live in their own file
// (web_<vendor>.go) and register their families from init with
// RegisterWebAdmin, so that a new vendor adds its pages without touching
// anyone else's (docs/adding-a-driver.md).
type WebAdmin struct {
	// Family is the family id, as the driver declares it:
	// "xerox/connectkey".
	Family string
	// Maker names the vendor in the device's certificate, its e-mails'
	// X-Mailer and body, and String: "Xerox".
	Maker string
	// Organization is the certificate's subject organisation ("" uses
	// Maker).
	Organization string
	// UIs are the firmware variants of these pages besides UIClassic
	// (DeviceOptions.UI).
	UIs []string
	// Server is the HTTP Server header every page sends.
	Server string
	// Routes adds the family's pages to mux (the simulator's /_sim/
	// control surface is already there).
	Routes func(d *Device, mux *http.ServeMux)
	// AdminUser is the administrator's user name ("" = AdminUser).
	AdminUser string
	// DefaultPassword is the factory admin password of d when its
	// options set none (nil: the serial when PasswordIsSerial, else "").
	DefaultPassword func(d *Device) string
	// TCPIPPath is where the family serves its TCP/IP page (host and
	// domain name), "" when the simulator has none for it.
	TCPIPPath string
	// LockoutAfter is the family's factory lock-out count, used when
	// DeviceOptions.LockoutAfter is 0 (0: DefaultLockoutAfter).
	LockoutAfter int
	// SkipVerify reports whether d's mail client would skip checking the
	// server's certificate with settings s (nil: it always checks).
	SkipVerify func(d *Device, s SMTPSettings) bool
	// PreferPlain: the mail client uses AUTH PLAIN when offered (else
	// LOGIN first).
	PreferPlain bool
	// TestSubject is the Subject of the device's test e-mail (nil: "Test
	// Email from <Maker> <model>").
	TestSubject func(d *Device) string
	// JobFailure turns a failed delivery into the fault code and text the
	// device's job log shows (nil: no code, the error's text).
	JobFailure func(d *Device, err error) (fault, result string)
	// Latency is the family's realistic latency model (the seed is set
	// per run); zero: the default one.
	Latency Latency
}

var (
	webMu     sync.RWMutex
	webAdmins = map[string]WebAdmin{}
)

// RegisterWebAdmin makes a family's simulated web admin available. It
// panics on an empty family, nil Routes or a family registered twice;
// call it from init.
func RegisterWebAdmin(w WebAdmin) {
	if w.Family == "" || w.Routes == nil {
		panic("sim: RegisterWebAdmin needs a Family and Routes")
	}
	webMu.Lock()
	defer webMu.Unlock()
	if _, dup := webAdmins[w.Family]; dup {
		panic("sim: RegisterWebAdmin called twice for " + w.Family)
	}
	webAdmins[w.Family] = w
}

// LookupWebAdmin returns the simulated web admin of family.
func LookupWebAdmin(family string) (WebAdmin, bool) {
	webMu.RLock()
	defer webMu.RUnlock()
	w, ok := webAdmins[family]
	return w, ok
}

// WebFamilies returns the families the simulator has web admins for,
// sorted.
func WebFamilies() []string {
	webMu.RLock()
	defer webMu.RUnlock()
	out := make([]string, 0, len(webAdmins))
	for f := range webAdmins {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// HasWebAdmin reports whether the simulator serves pages for family.
func HasWebAdmin(family string) bool {
	_, ok := LookupWebAdmin(family)
	return ok
}

// checkWebAdmin validates a device's family and firmware variant.
func checkWebAdmin(family, ui string) (WebAdmin, error) {
	w, ok := LookupWebAdmin(family)
	if !ok {
		return WebAdmin{}, fmt.Errorf("sim: no simulated web admin for family %q (the simulator has %s)", family, strings.Join(WebFamilies(), ", "))
	}
	if ui != UIClassic && !slices.Contains(w.UIs, ui) {
		vs := []string{fmt.Sprintf("%q", UIClassic)}
		for _, u := range w.UIs {
			vs = append(vs, fmt.Sprintf("%q", u))
		}
		return WebAdmin{}, fmt.Errorf("sim: web-admin variant %q is not one of family %s's (%s)", ui, family, strings.Join(vs, ", "))
	}
	return w, nil
}

var (
	catMu sync.Mutex
)

// RegisterModels appends a vendor's models to the catalogue, from the
// init of the file that simulates their web admin. It panics on a key
// already there.
func RegisterModels(ms ...Model) {
	catMu.Lock()
	defer catMu.Unlock()
	for _, m := range ms {
		if slices.ContainsFunc(Catalog, func(c Model) bool { return c.Key == m.Key }) {
			panic("sim: RegisterModels: model key " + m.Key + " is already in the catalogue")
		}
		Catalog = append(Catalog, m)
	}
}
