package xerox

import (
	"errors"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

func TestSecurityOption(t *testing.T) {
	ck := []string{"No Encryption", "STARTTLS (If Available)", "STARTTLS", "SSL/TLS"}
	cases := []struct {
		name    string
		options []string
		sec     drivers.Security
		want    string
		err     error
	}{
		{"strict starttls, never if available", ck, drivers.SecurityStartTLS, "STARTTLS", nil},
		{"ssl/tls", ck, drivers.SecuritySSLTLS, "SSL/TLS", nil},
		{"none", ck, drivers.SecurityNone, "No Encryption", nil},
		{"only opportunistic starttls is refused", []string{"Off", "STARTTLS (If Available)", "SSL"}, drivers.SecurityStartTLS, "", drivers.ErrFirmware},
		{"negotiate is refused", []string{"Disabled", "Negotiate", "Required"}, drivers.SecurityStartTLS, "", drivers.ErrFirmware},
		{"fuji xerox", []string{"Disable", "STARTTLS", "SSL/TLS"}, drivers.SecuritySSLTLS, "SSL/TLS", nil},
		{"plain SSL", []string{"None", "SSL"}, drivers.SecuritySSLTLS, "SSL", nil},
		{"starttls variant", []string{"None", "STARTTLS (Required)"}, drivers.SecurityStartTLS, "STARTTLS (Required)", nil},
		{"no encryption firmware", []string{"None"}, drivers.SecuritySSLTLS, "", drivers.ErrFirmware},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := securityOption(tc.options, tc.sec)
			if got != tc.want || !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("got %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestParseSecurity(t *testing.T) {
	for in, want := range map[string]drivers.Security{
		"STARTTLS":                drivers.SecurityStartTLS,
		"STARTTLS (If Available)": drivers.SecurityStartTLSIfAvailable,
		"SSL/TLS":                 drivers.SecuritySSLTLS,
		"SSL":                     drivers.SecuritySSLTLS,
		"No Encryption":           drivers.SecurityNone,
		"Disable":                 drivers.SecurityNone,
	} {
		if got := parseSecurity(in); got != want {
			t.Errorf("parseSecurity(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestAuthOption(t *testing.T) {
	if o, err := authOption([]string{"None", "Device"}, true); o != "Device" || err != nil {
		t.Errorf("got %q %v", o, err)
	}
	if o, err := authOption([]string{"No Authentication", "POP before SMTP", "SMTP AUTH"}, true); o != "SMTP AUTH" || err != nil {
		t.Errorf("got %q %v", o, err)
	}
	if o, err := authOption([]string{"No Authentication", "SMTP AUTH"}, false); o != "No Authentication" || err != nil {
		t.Errorf("got %q %v", o, err)
	}
	if _, err := authOption([]string{"Kerberos"}, true); !errors.Is(err, drivers.ErrUnsupported) {
		t.Errorf("err = %v", err)
	}
	if authIsOn("POP before SMTP") || !authIsOn("Device") || authIsOn("None") {
		t.Error("authIsOn")
	}
}

func TestTestFailure(t *testing.T) {
	cases := []struct {
		msg      string
		firmware bool
		hint     string
	}{
		{"Failed: 016-781 Unable to connect to the SMTP server: STARTTLS with the SMTP server failed: remote error: tls: protocol version not supported", true, "firmware"},
		{"Test email failed: SMTP server error while authenticating: 535 5.7.8 Username and Password not accepted.", false, "app password"},
		{"Test email failed: unable to connect to the SMTP server smtp.gmail.com:587 (connection refused)", false, "ports 587/465"},
	}
	for _, tc := range cases {
		err := testFailure(drivers.TestResult{Message: tc.msg})
		if !errors.Is(err, drivers.ErrTestFailed) || errors.Is(err, drivers.ErrFirmware) != tc.firmware || !strings.Contains(err.Error(), tc.hint) {
			t.Errorf("%q: %v", tc.msg, err)
		}
	}
}

func TestJobFromTables(t *testing.T) {
	tb := drivers.Table{Headers: []string{"Job ID", "Job Name", "Type", "Recipient", "Status", "Fault", "Details", "Completed"},
		Rows: [][]string{
			{"3", "Test Email", "Email", "a+x@gmail.com", "Failed", "016-781", "Unable to connect", "2026/11/28 10:00:02"},
			{"2", "Test Email", "Email", "a+y@gmail.com", "Completed", "", "Completed", "2026/11/28 10:00:01"},
			{"1", "Test Email", "Email", "a+x@gmail.com", "Completed", "", "Completed", "2026/11/28 10:00:00"},
		}}
	j, ok := jobFromTables([]drivers.Table{tb}, "a+x@gmail.com")
	if !ok || j.ID != "3" || j.OK || j.Code != "016-781" {
		t.Fatalf("got %+v %v: want the newest job (3), failed with 016-781", j, ok)
	}
	j, ok = jobFromTables([]drivers.Table{tb}, "a+y@gmail.com")
	if !ok || !j.OK {
		t.Fatalf("got %+v", j)
	}
	if _, ok := jobFromTables([]drivers.Table{tb}, "nobody@gmail.com"); ok {
		t.Fatal("found a job for nobody")
	}
	all := jobsFromTables([]drivers.Table{tb})
	if len(all) != 3 || all[0].At.IsZero() {
		t.Fatalf("jobs %+v", all)
	}
}

func TestDefaultCredentials(t *testing.T) {
	for _, tc := range []struct {
		family, serial string
		want           []string
	}{
		{FamilyConnectKey, "3TB123456", []string{"default-1111:admin", "default-serial:admin"}},
		{FamilyVersaLink, "XXXXXXXX", []string{"default-1111:admin"}},
		{FamilyFujiXerox, "", []string{"default-1111:admin", "default-other:11111"}},
	} {
		f, ok := drivers.FamilyByID(tc.family)
		if !ok {
			t.Fatalf("family %s not declared", tc.family)
		}
		var got []string
		for _, c := range f.Credentials(devices.Device{Serial: tc.serial}) {
			got = append(got, c.Kind+":"+c.User)
			if c.Text == "" || c.Short == "" {
				t.Errorf("%s: no wording", c.Kind)
			}
			if c.Kind == loginSerial.Kind && c.Password.Reveal() != tc.serial {
				t.Errorf("serial credential is not the serial")
			}
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s/%q: %v, want %v", tc.family, tc.serial, got, tc.want)
		}
	}
}

func TestSaveError(t *testing.T) {
	if m := saveError("SMTP\nSettings have been saved.\nSMTP Server Connection Status Connection Error: x"); m != "" {
		t.Errorf("false alarm: %q", m)
	}
	if m := saveError("Outgoing SMTP Port Number must be a number from 1 to 65535. Settings were not saved."); m == "" {
		t.Error("refusal not seen")
	}
}

func TestSupports(t *testing.T) {
	d := &Driver{}
	for dev, want := range map[devices.Device]bool{
		{Vendor: "xerox"}:                  true,
		{Vendor: "fujixerox"}:              true,
		{Family: "xerox/versalink"}:        true,
		{Vendor: "ricoh"}:                  false,
		{Vendor: "hp", Brand: "Xerox-ish"}: false,
	} {
		if got := drivers.Supports(d, dev); got != want {
			t.Errorf("Supports(%+v) = %v", dev, got)
		}
	}
}

func TestTestMessage(t *testing.T) {
	text := "SMTP\nGeneral Security\nTest email sent successfully to a@b.c.\nTo Address\nResult\nTest email sent successfully to a@b.c.\n"
	if got := testMessage(text, "a@b.c"); got != "Test email sent successfully to a@b.c." {
		t.Errorf("got %q", got)
	}
}

func TestSetFromFields(t *testing.T) {
	out := drivers.SMTPSettings{Server: "old.example.com", Port: 25, Security: drivers.SecuritySSLTLS}
	// A General page: server and port; security, auth and login untouched.
	setFromFields(&out, map[string]drivers.FieldState{
		"server": {Key: "server", Found: true, Value: "smtp.gmail.com"},
		"port":   {Key: "port", Found: true, Value: " 587 "},
	})
	if out.Server != "smtp.gmail.com" || out.Port != 587 || out.Security != drivers.SecuritySSLTLS {
		t.Fatalf("after General: %+v", out)
	}
	// A Security page without an encryption field: none.
	setFromFields(&out, map[string]drivers.FieldState{
		"security": {Key: "security"},
		"auth":     {Key: "auth", Found: true, Value: "SMTP AUTH"},
		"login":    {Key: "login", Found: true, Value: "scans@gmail.com"},
		"pw":       {Key: "pw", Found: true, HasValue: true},
	})
	if out.Security != drivers.SecurityNone || !out.Auth || out.User != "scans@gmail.com" || !out.PasswordSet || out.Server != "smtp.gmail.com" {
		t.Fatalf("after Security: %+v", out)
	}
}
