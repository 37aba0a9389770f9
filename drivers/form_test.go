package drivers

import (
	"errors"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/config"
)

// The form helpers are pure functions: table tests with option texts as
// the vendors' web admins write them (Xerox ConnectKey, VersaLink and
// Fuji Xerox today; docs/vendors for the others).

func TestSecurityOption(t *testing.T) {
	ck := []string{"No Encryption", "STARTTLS (If Available)", "STARTTLS", "SSL/TLS"}
	cases := []struct {
		name    string
		options []string
		sec     Security
		want    string
		err     error
	}{
		{"strict starttls, never if available", ck, SecurityStartTLS, "STARTTLS", nil},
		{"ssl/tls", ck, SecuritySSLTLS, "SSL/TLS", nil},
		{"none", ck, SecurityNone, "No Encryption", nil},
		{"only opportunistic starttls is refused", []string{"Off", "STARTTLS (If Available)", "SSL"}, SecurityStartTLS, "", ErrFirmware},
		{"negotiate is refused", []string{"Disabled", "Negotiate", "Required"}, SecurityStartTLS, "", ErrFirmware},
		{"optional starttls is refused", []string{"None", "STARTTLS (optional)"}, SecurityStartTLS, "", ErrFirmware},
		{"fuji xerox", []string{"Disable", "STARTTLS", "SSL/TLS"}, SecuritySSLTLS, "SSL/TLS", nil},
		{"plain SSL", []string{"None", "SSL"}, SecuritySSLTLS, "SSL", nil},
		{"smtps", []string{"None", "STARTTLS", "SMTPS"}, SecuritySSLTLS, "SMTPS", nil},
		{"implicit", []string{"None", "Implicit TLS"}, SecuritySSLTLS, "Implicit TLS", nil},
		{"ssl/tls never picks starttls", []string{"None", "STARTTLS over SSL port"}, SecuritySSLTLS, "", ErrFirmware},
		{"starttls variant", []string{"None", "STARTTLS (Required)"}, SecurityStartTLS, "STARTTLS (Required)", nil},
		{"start tls with a space", []string{"Off", "Start TLS"}, SecurityStartTLS, "Start TLS", nil},
		{"exact label beats a longer one", []string{"STARTTLS (Required)", "  starttls  "}, SecurityStartTLS, "  starttls  ", nil},
		{"bare TLS is ambiguous", []string{"None", "TLS"}, SecuritySSLTLS, "", ErrFirmware},
		{"no encryption firmware", []string{"None"}, SecuritySSLTLS, "", ErrFirmware},
		{"no options at all", nil, SecurityStartTLS, "", ErrFirmware},
		{"none among labels", []string{"STARTTLS", "Disabled"}, SecurityNone, "Disabled", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SecurityOption(tc.options, tc.sec)
			if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("got %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
			if err != nil && len(tc.options) > 0 && !strings.Contains(err.Error(), tc.options[0]) {
				t.Errorf("the error does not list the options: %v", err)
			}
		})
	}
}

func TestIsOpportunistic(t *testing.T) {
	for label, want := range map[string]bool{
		"STARTTLS (If Available)": true,
		"Negotiate":               true,
		"STARTTLS (Optional)":     true,
		"TLS when possible":       true,
		"STARTTLS":                false,
		"STARTTLS (Required)":     false,
		"SSL/TLS":                 false,
	} {
		if got := IsOpportunistic(label); got != want {
			t.Errorf("IsOpportunistic(%q) = %v, want %v", label, got, want)
		}
	}
}

func TestParseSecurity(t *testing.T) {
	for in, want := range map[string]Security{
		"STARTTLS":                SecurityStartTLS,
		"Start TLS":               SecurityStartTLS,
		"STARTTLS (If Available)": SecurityStartTLSIfAvailable,
		"starttls (negotiate)":    SecurityStartTLSIfAvailable,
		"SSL/TLS":                 SecuritySSLTLS,
		"SSL":                     SecuritySSLTLS,
		"SMTPS":                   SecuritySSLTLS,
		"No Encryption":           SecurityNone,
		"Disable":                 SecurityNone,
		"":                        SecurityNone,
	} {
		if got := ParseSecurity(in); got != want {
			t.Errorf("ParseSecurity(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestSecurityRoundTrip: the option SecurityOption writes reads back as
// the same mode, for every writable mode.
func TestSecurityRoundTrip(t *testing.T) {
	for _, opts := range [][]string{
		{"No Encryption", "STARTTLS (If Available)", "STARTTLS", "SSL/TLS"},
		{"Disable", "STARTTLS", "SSL/TLS"},
		{"Off", "Start TLS", "SSL"},
	} {
		for _, sec := range []Security{SecurityNone, SecurityStartTLS, SecuritySSLTLS} {
			o, err := SecurityOption(opts, sec)
			if err != nil {
				t.Fatalf("%v %s: %v", opts, sec, err)
			}
			if got := ParseSecurity(o); got != sec {
				t.Errorf("%v: wrote %q for %s, reads back as %s", opts, o, sec, got)
			}
		}
	}
}

func TestAuthOption(t *testing.T) {
	cases := []struct {
		options []string
		on      bool
		want    string
		err     error
	}{
		{[]string{"None", "Device"}, true, "Device", nil},
		{[]string{"No Authentication", "POP before SMTP", "SMTP AUTH"}, true, "SMTP AUTH", nil},
		{[]string{"No Authentication", "SMTP AUTH"}, false, "No Authentication", nil},
		{[]string{" off ", "On"}, false, " off ", nil},
		{[]string{"Disabled", "Enabled"}, true, "Enabled", nil},
		{[]string{"User", "System", "Device"}, true, "Device", nil}, // the device's own credentials first
		{[]string{"Kerberos"}, true, "", ErrUnsupported},
		{[]string{"POP before SMTP", "SMTP AUTH"}, false, "", ErrUnsupported},
	}
	for _, tc := range cases {
		got, err := AuthOption(tc.options, tc.on)
		if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("AuthOption(%q, %v) = %q, %v; want %q, %v", tc.options, tc.on, got, err, tc.want, tc.err)
		}
	}
}

func TestAuthIsOn(t *testing.T) {
	for option, want := range map[string]bool{
		"Device":                           true,
		"SMTP AUTH":                        true,
		"System":                           true,
		"None":                             false,
		" no authentication ":              false,
		"Off":                              false,
		"":                                 false,
		"POP before SMTP":                  false,
		"POP Before SMTP (then SMTP AUTH)": false,
	} {
		if got := AuthIsOn(option); got != want {
			t.Errorf("AuthIsOn(%q) = %v, want %v", option, got, want)
		}
	}
	// What AuthOption writes reads back as what was asked.
	opts := []string{"No Authentication", "POP before SMTP", "SMTP AUTH"}
	for _, on := range []bool{true, false} {
		o, err := AuthOption(opts, on)
		if err != nil || AuthIsOn(o) != on {
			t.Errorf("on=%v: wrote %q (%v), reads back as %v", on, o, err, AuthIsOn(o))
		}
	}
}

func TestCheckSettings(t *testing.T) {
	ok := GmailSettings("", "scans@example.com", config.Secret{}, 587)
	for _, tc := range []struct {
		name string
		edit func(*SMTPSettings)
		want string // "" = no error
	}{
		{"gmail 587", func(*SMTPSettings) {}, ""},
		{"gmail 465", func(s *SMTPSettings) { s.Port, s.Security = 465, SecuritySSLTLS }, ""},
		{"no encryption may be written", func(s *SMTPSettings) { s.Security = SecurityNone }, ""},
		{"no server", func(s *SMTPSettings) { s.Server = "" }, "nothing sensible"},
		{"port 0", func(s *SMTPSettings) { s.Port = 0 }, "nothing sensible"},
		{"port too big", func(s *SMTPSettings) { s.Port = 65536 }, "nothing sensible"},
		{"opportunistic starttls", func(s *SMTPSettings) { s.Security = SecurityStartTLSIfAvailable }, "never written"},
		{"unknown security", func(s *SMTPSettings) { s.Security = "tls1.0" }, "never written"},
	} {
		s := ok
		tc.edit(&s)
		err := CheckSettings(s)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestSecurityAndAuth(t *testing.T) {
	sec := Field{Key: "security", Labels: []string{"Connection Security"}, Type: "select"}
	auth := Field{Key: "auth", Labels: []string{"SMTP Authentication"}, Type: "select"}
	form := map[string]FieldState{
		"security": {Key: "security", Found: true, Options: []string{"No Encryption", "STARTTLS (If Available)", "STARTTLS", "SSL/TLS"}},
		"auth":     {Key: "auth", Found: true, Options: []string{"None", "SMTP AUTH"}},
	}
	w := GmailSettings("", "scans@example.com", config.Secret{}, 587)
	vals, err := SecurityAndAuth(form, w, sec, auth, "SMTP page")
	if err != nil || len(vals) != 2 || vals[0].Key != "security" || vals[0].Value != "STARTTLS" || vals[1].Key != "auth" || vals[1].Value != "SMTP AUTH" {
		t.Fatalf("got %+v, %v", vals, err)
	}
	// Firmware without a security setting: refused for Gmail, named by
	// the field's label and the form.
	noSec := map[string]FieldState{"security": {Key: "security"}, "auth": form["auth"]}
	_, err = SecurityAndAuth(noSec, w, sec, auth, "SMTP page")
	if !errors.Is(err, ErrFirmware) || !strings.Contains(err.Error(), "the SMTP page has no Connection Security setting") {
		t.Fatalf("no security field: %v", err)
	}
	// ... but fine when no encryption is asked for: auth only.
	plain := w
	plain.Security = SecurityNone
	vals, err = SecurityAndAuth(noSec, plain, sec, auth, "SMTP page")
	if err != nil || len(vals) != 1 || vals[0].Key != "auth" {
		t.Fatalf("plain: %+v, %v", vals, err)
	}
	// Keys follow the fields given, not fixed names.
	other := map[string]FieldState{
		"tls":  {Key: "tls", Found: true, Options: []string{"Off", "SSL/TLS"}},
		"smtp": {Key: "smtp", Found: true, Options: []string{"Off", "On"}},
	}
	w465 := GmailSettings("", "scans@example.com", config.Secret{}, 465)
	vals, err = SecurityAndAuth(other, w465, Field{Key: "tls"}, Field{Key: "smtp"}, "E-mail page")
	if err != nil || len(vals) != 2 || vals[0].Value != "SSL/TLS" || vals[1].Value != "On" {
		t.Fatalf("other keys: %+v, %v", vals, err)
	}
	// An authentication select without the device's own credentials.
	bad := map[string]FieldState{"security": form["security"], "auth": {Key: "auth", Found: true, Options: []string{"Kerberos"}}}
	if _, err := SecurityAndAuth(bad, w, sec, auth, "SMTP page"); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("kerberos only: %v", err)
	}
}

func TestSetFromFields(t *testing.T) {
	out := SMTPSettings{Server: "old.example.com", Port: 25, Security: SecuritySSLTLS}
	// A General page: server and port; security, auth and login untouched.
	SetFromFields(&out, map[string]FieldState{
		"server": {Key: "server", Found: true, Value: "smtp.gmail.com"},
		"port":   {Key: "port", Found: true, Value: " 587 "},
	})
	if out.Server != "smtp.gmail.com" || out.Port != 587 || out.Security != SecuritySSLTLS {
		t.Fatalf("after General: %+v", out)
	}
	// A Security page without an encryption field: none.
	SetFromFields(&out, map[string]FieldState{
		"security": {Key: "security"},
		"auth":     {Key: "auth", Found: true, Value: "SMTP AUTH"},
		"login":    {Key: "login", Found: true, Value: "scans@gmail.com"},
		"pw":       {Key: "pw", Found: true, HasValue: true},
		"from":     {Key: "from", Found: true, Value: "scans@gmail.com"},
	})
	if out.Security != SecurityNone || !out.Auth || out.User != "scans@gmail.com" || !out.PasswordSet || out.Server != "smtp.gmail.com" || out.From != "scans@gmail.com" {
		t.Fatalf("after Security: %+v", out)
	}
	SetFromFields(&out, map[string]FieldState{"security": {Key: "security", Found: true, Value: "STARTTLS (If Available)"}})
	if out.Security != SecurityStartTLSIfAvailable {
		t.Fatalf("opportunistic read as %s", out.Security)
	}
}

func TestSMTPDiff(t *testing.T) {
	want := GmailSettings("", "scans@example.com", config.Secret{}, 587)
	for _, tc := range []struct {
		name string
		edit func(*SMTPSettings)
		want []string
	}{
		{"kept", func(*SMTPSettings) {}, nil},
		{"server case and spaces", func(s *SMTPSettings) { s.Server = " SMTP.Gmail.com " }, nil},
		{"user case", func(s *SMTPSettings) { s.User = "Scans@Example.com" }, nil},
		{"from is not compared", func(s *SMTPSettings) { s.From = "" }, nil},
		{"password set is not compared", func(s *SMTPSettings) { s.PasswordSet = false }, nil},
		{"port", func(s *SMTPSettings) { s.Port = 25 }, []string{"port 25 instead of 587"}},
		{"server", func(s *SMTPSettings) { s.Server = "mail.example.com" }, []string{`server "mail.example.com" instead of "smtp.gmail.com"`}},
		{"opportunistic", func(s *SMTPSettings) { s.Security = SecurityStartTLSIfAvailable }, []string{`security "starttls-if-available" instead of "starttls"`}},
		{"auth off and user", func(s *SMTPSettings) { s.Auth, s.User = false, "" }, []string{"SMTP AUTH false instead of true", `user "" instead of "scans@example.com"`}},
		{"several", func(s *SMTPSettings) { s.Port, s.Security = 25, SecurityNone }, []string{"port 25 instead of 587", `security "none" instead of "starttls"`}},
	} {
		got := want
		got.Password = config.Secret{}
		tc.edit(&got)
		if d := SMTPDiff(want, got); strings.Join(d, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: %q, want %q", tc.name, d, tc.want)
		}
	}
	// With AUTH off on both sides, devices keep the old user name.
	off := SMTPSettings{Server: "relay.example.com", Port: 25, Security: SecurityNone}
	if d := SMTPDiff(off, SMTPSettings{Server: "relay.example.com", Port: 25, Security: SecurityNone, User: "old"}); d != nil {
		t.Errorf("AUTH off: %q", d)
	}
}
