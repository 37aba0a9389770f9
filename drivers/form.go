package drivers

// Vendor-neutral helpers for a web admin's SMTP form, shared by every
// driver: which option of a select to pick for a security mode or for
// SMTP AUTH, what an option read back means, what may be written at all,
// and how the settings read back differ from those written. They are pure
// functions of what Tab.Read found (option texts, values), so a driver
// keeps only its labels and page flow.
//
// Field keys: the helpers that take a map of FieldStates (SetFromFields,
// SecurityAndAuth) expect the SMTP fields read under these Field.Key
// names, as the Xerox driver does: "server", "port", "from", "security",
// "auth", "login" (the SMTP AUTH user name) and "pw" (the password).

import (
	"fmt"
	"strconv"
	"strings"
)

// SecurityOption picks the option text to write for sec among a select's
// (or radio group's) options, by label, case- and space-insensitively:
//
//   - SecurityStartTLS: an option naming STARTTLS ("STARTTLS",
//     "STARTTLS (Required)"), never an opportunistic one ("If Available",
//     "Negotiate", "Optional", "When Possible": IsOpportunistic), which
//     may fall back to plain text;
//   - SecuritySSLTLS: implicit TLS ("SSL/TLS", "SSL", "SMTPS",
//     "Implicit…"), never a STARTTLS option;
//   - SecurityNone: "No Encryption", "None", "Off", "Disable(d)", "No".
//
// An exact label beats one that only contains the word. A bare "TLS" is
// not picked for either mode: vendors use it for both. When the device
// offers no such option the error wraps ErrFirmware and names the options
// it does offer.
func SecurityOption(options []string, sec Security) (string, error) {
	type cand struct {
		text  string
		score int
	}
	var best cand
	for _, o := range options {
		n := strings.ToLower(strings.Join(strings.Fields(o), " "))
		s := 0
		switch sec {
		case SecurityStartTLS:
			if IsOpportunistic(n) {
				continue
			}
			switch {
			case n == "starttls":
				s = 100
			case strings.Contains(n, "starttls") || strings.Contains(n, "start tls"):
				s = 50
			}
		case SecuritySSLTLS:
			if strings.Contains(n, "starttls") || strings.Contains(n, "start tls") {
				continue
			}
			switch {
			case n == "ssl/tls" || n == "ssl" || n == "smtps":
				s = 100
			case strings.Contains(n, "ssl") || strings.Contains(n, "implicit"):
				s = 50
			}
		case SecurityNone:
			switch n {
			case "no encryption", "none", "disable", "disabled", "off", "no":
				s = 100
			}
		}
		if s > best.score {
			best = cand{o, s}
		}
	}
	if best.score == 0 {
		return "", fmt.Errorf("the device offers no %q connection security (options: %s): %w; Gmail needs STARTTLS on 587 or SSL/TLS on 465: update the firmware",
			sec, strings.Join(options, ", "), ErrFirmware)
	}
	return best.text, nil
}

// IsOpportunistic reports whether a security option's label says the
// encryption is used only when the server offers it ("STARTTLS (If
// Available)", "Negotiate", "Optional", "When Possible"): such a setting
// may send the app password in plain text, so it is never written.
func IsOpportunistic(label string) bool {
	n := strings.ToLower(label)
	return strings.Contains(n, "if available") || strings.Contains(n, "negotiat") || strings.Contains(n, "optional") || strings.Contains(n, "when possible")
}

// ParseSecurity maps the security option a device shows to a Security:
// a STARTTLS label is SecurityStartTLS, or SecurityStartTLSIfAvailable
// when it is opportunistic; a label naming SSL, TLS or SMTPS is
// SecuritySSLTLS; anything else (including "None", "Off") is
// SecurityNone.
func ParseSecurity(label string) Security {
	n := strings.ToLower(label)
	switch {
	case strings.Contains(n, "starttls") || strings.Contains(n, "start tls"):
		if IsOpportunistic(n) {
			return SecurityStartTLSIfAvailable
		}
		return SecurityStartTLS
	case strings.Contains(n, "ssl") || strings.Contains(n, "tls") || strings.Contains(n, "smtps"):
		return SecuritySSLTLS
	}
	return SecurityNone
}

// authOnLabels and authOffLabels are the SMTP authentication options in
// order of preference (compared case-insensitively, whole label).
var (
	authOnLabels  = []string{"device", "smtp auth", "smtp-auth", "smtp authentication", "system", "on", "enabled", "yes"}
	authOffLabels = []string{"none", "no authentication", "off", "disabled", "no"}
)

// AuthOption picks the option of an SMTP authentication select that turns
// SMTP AUTH with the device's own user name and password on (on) or off:
// on prefers "Device", "SMTP AUTH", "SMTP Authentication", "System", "On",
// "Enabled", "Yes"; off prefers "None", "No Authentication", "Off",
// "Disabled", "No". POP-before-SMTP and per-user credentials are never
// chosen. With no such option the error wraps ErrUnsupported and lists the
// options.
func AuthOption(options []string, on bool) (string, error) {
	prefs := authOnLabels
	if !on {
		prefs = authOffLabels
	}
	for _, p := range prefs {
		for _, o := range options {
			if strings.EqualFold(strings.TrimSpace(o), p) {
				return o, nil
			}
		}
	}
	return "", fmt.Errorf("no SMTP authentication option to choose among %s: %w", strings.Join(options, ", "), ErrUnsupported)
}

// AuthIsOn reports whether the authentication option a device shows means
// SMTP AUTH is on: anything but an empty or "off" label (AuthOption's off
// labels) and POP before SMTP.
func AuthIsOn(option string) bool {
	n := strings.ToLower(strings.TrimSpace(option))
	if n == "" || strings.Contains(n, "pop before") {
		return false
	}
	for _, off := range authOffLabels {
		if n == off {
			return false
		}
	}
	return true
}

// CheckSettings validates what a Session's WriteSMTP is asked to write
// before anything is touched: a server, a port in 1-65535, and a security
// mode that may be written (strict STARTTLS, SSL/TLS or none; never the
// opportunistic STARTTLS).
func CheckSettings(s SMTPSettings) error {
	if s.Server == "" || s.Port <= 0 || s.Port > 65535 {
		return fmt.Errorf("write: server %q port %d: nothing sensible to write", s.Server, s.Port)
	}
	switch s.Security {
	case SecurityStartTLS, SecuritySSLTLS, SecurityNone:
	default:
		return fmt.Errorf("write: connection security %q is never written (use starttls on 587 or ssl/tls on 465)", s.Security)
	}
	return nil
}

// SecurityAndAuth returns the field values that set the connection
// security and SMTP authentication of w, from what Tab.Read found on the
// form (st, with secField read optional and authField read). A form
// without the security field is firmware that cannot encrypt mail: an
// ErrFirmware, unless w asks for no encryption. where names the form in
// errors ("SMTP page").
func SecurityAndAuth(st map[string]FieldState, w SMTPSettings, secField, authField Field, where string) ([]FieldValue, error) {
	var vals []FieldValue
	if sec := st[secField.Key]; !sec.Found {
		if w.Security != SecurityNone {
			label := "connection security"
			if len(secField.Labels) > 0 {
				label = secField.Labels[0]
			}
			return nil, fmt.Errorf("the %s has no %s setting: this firmware cannot encrypt mail, and Gmail requires STARTTLS or SSL/TLS: %w; update the firmware or use a local relay", where, label, ErrFirmware)
		}
	} else {
		opt, err := SecurityOption(sec.Options, w.Security)
		if err != nil {
			return nil, err
		}
		vals = append(vals, FieldValue{Field: secField, Value: opt})
	}
	authOpt, err := AuthOption(st[authField.Key].Options, w.Auth)
	if err != nil {
		return nil, err
	}
	return append(vals, FieldValue{Field: authField, Value: authOpt}), nil
}

// SetFromFields copies the SMTP fields a page showed (st, by the keys in
// this file's comment) into out. Keys not read leave out as it is, so a
// driver calls it once per page of a form spread over several; a security
// field read (optional) but not found means firmware without SMTP
// encryption: SecurityNone.
func SetFromFields(out *SMTPSettings, st map[string]FieldState) {
	if f, ok := st["server"]; ok {
		out.Server = f.Value
	}
	if f, ok := st["port"]; ok {
		out.Port, _ = strconv.Atoi(strings.TrimSpace(f.Value))
	}
	if f, ok := st["from"]; ok {
		out.From = f.Value
	}
	if f, ok := st["security"]; ok {
		out.Security = SecurityNone
		if f.Found {
			out.Security = ParseSecurity(f.Value)
		}
	}
	if f, ok := st["auth"]; ok {
		out.Auth = AuthIsOn(f.Value)
	}
	if f, ok := st["login"]; ok {
		out.User = f.Value
	}
	if f, ok := st["pw"]; ok {
		out.PasswordSet = f.HasValue
	}
}

// SMTPDiff compares the settings read back after a write (got) with those
// written (want) and returns one phrase per difference ("port 25 instead
// of 587"), nil when the device kept them. Compared: the server (case and
// surrounding space ignored), the port, the security mode, whether SMTP
// AUTH is on and, with AUTH on, the user name (case ignored; with AUTH off
// devices keep the old name). The password is not compared (no device
// shows it), nor is the From address.
func SMTPDiff(want, got SMTPSettings) []string {
	var diffs []string
	if !strings.EqualFold(strings.TrimSpace(got.Server), want.Server) {
		diffs = append(diffs, fmt.Sprintf("server %q instead of %q", got.Server, want.Server))
	}
	if got.Port != want.Port {
		diffs = append(diffs, fmt.Sprintf("port %d instead of %d", got.Port, want.Port))
	}
	if got.Security != want.Security {
		diffs = append(diffs, fmt.Sprintf("security %q instead of %q", got.Security, want.Security))
	}
	if got.Auth != want.Auth {
		diffs = append(diffs, fmt.Sprintf("SMTP AUTH %v instead of %v", got.Auth, want.Auth))
	}
	if want.Auth && !strings.EqualFold(got.User, want.User) {
		diffs = append(diffs, fmt.Sprintf("user %q instead of %q", got.User, want.User))
	}
	return diffs
}
