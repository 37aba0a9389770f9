package gmail

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestSuggestLabel(t *testing.T) {
	tests := []struct{ model, serial, want string }{
		{"AltaLink C8070", "3TB123456", "MFP AltaLink C8070 3TB123456"},
		{"  VersaLink   C405 ", " X1Y-2 ", "MFP VersaLink C405 X1Y-2"},
		{"", "3TB123456", "MFP 3TB123456"},
		{"AltaLink C8070", "", "MFP AltaLink C8070"},
		{"", "", "MFP"},
		{"AltaLink", strings.Repeat("S", 45), "MFP " + strings.Repeat("S", 36)},
		{"Xerox® AltaLink® C8070 (H/W: 1.0)", "3TB123456", "MFP Xerox AltaLink C8070 H/W 3TB123456"},
		{"Konica Minolta bizhub C750i with a very long firmware suffix", "AA2J021000123", "MFP Konica Minolta bizhub AA2J021000123"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			got := SuggestLabel(tc.model, tc.serial)
			if got != tc.want {
				t.Errorf("SuggestLabel(%q, %q) = %q, want %q", tc.model, tc.serial, got, tc.want)
			}
			if len([]rune(got)) > MaxLabelLen {
				t.Errorf("%q is longer than %d", got, MaxLabelLen)
			}
			if tc.serial != "" && len(tc.serial) < 30 && !strings.HasSuffix(got, strings.TrimSpace(tc.serial)) {
				t.Errorf("%q lost the serial", got)
			}
		})
	}
	if got := SiteLabel("HQ"); got != "MFP site HQ" {
		t.Errorf("SiteLabel = %q", got)
	}
	if got := SiteLabel("Branch <Nord>, 2nd floor"); got != "MFP site Branch Nord 2nd floor" {
		t.Errorf("SiteLabel = %q", got)
	}
}

func TestPlusAddress(t *testing.T) {
	tests := []struct {
		account, token, want string
		wantErr              bool
	}{
		{"it.scans@gmail.com", "mfp-3tb123456-k7q2mx", "it.scans+mfp-3tb123456-k7q2mx@gmail.com", false},
		{"It.Scans@GMAIL.com", "MFP 3TB/123_456 k7", "It.Scans+mfp-3tb-123-456-k7@gmail.com", false},
		{"it.scans+old@gmail.com", "mfp-x", "it.scans+mfp-x@gmail.com", false},
		{"scans@corp.example", "mfp-x", "scans+mfp-x@corp.example", false},
		{"no-at-sign", "mfp-x", "", true},
		{"@gmail.com", "mfp-x", "", true},
		{"a@gmail.com", "+++", "", true},
		{"a b@gmail.com", "mfp", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.account+" "+tc.token, func(t *testing.T) {
			got, err := PlusAddress(tc.account, tc.token)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("PlusAddress = %q, want an error", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("PlusAddress = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	_, err := PlusAddress("nope", "x")
	if !errors.Is(err, ErrNotAnAddress) {
		t.Errorf("err = %v, want ErrNotAnAddress", err)
	}
	long := strings.Repeat("a", 50) + "@gmail.com"
	got, err := PlusAddress(long, "mfp-3tb123456-k7q2mx")
	if err != nil {
		t.Fatal(err)
	}
	if local := got[:strings.IndexByte(got, '@')]; len(local) > 64 || !strings.HasSuffix(local, "k7q2mx") {
		t.Errorf("long local part %q (%d)", local, len(local))
	}
}

func TestNewToken(t *testing.T) {
	re := regexp.MustCompile(`^mfp-3tb123456-[a-z2-9]{6}$`)
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		tok := NewToken("3TB123456")
		if !re.MatchString(tok) {
			t.Fatalf("token %q", tok)
		}
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
	}
	if tok := NewToken("  "); !regexp.MustCompile(`^mfp-[a-z2-9]{6}$`).MatchString(tok) {
		t.Errorf("token without serial %q", tok)
	}
	addr, err := PlusAddress("it.scans@gmail.com", NewToken("X/1 2"))
	if err != nil || !regexp.MustCompile(`^it\.scans\+mfp-x-1-2-[a-z2-9]{6}@gmail\.com$`).MatchString(addr) {
		t.Errorf("PlusAddress(NewToken) = %q, %v", addr, err)
	}
}

func TestDiagnoseReply(t *testing.T) {
	tests := []struct {
		text string
		code Code
		enh  string
		next string
	}{
		{"SMTP error: 534-5.7.9 Application-specific password required. For more information, go to\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor x1-20020a", CodeAppPasswordRequired, "5.7.9", "apppasswords"},
		{"535-5.7.8 Username and Password not accepted.", CodeBadCredentials, "5.7.8", "full address"},
		{"Error: 530 5.7.0 Must issue a STARTTLS command first. d2-20020a", CodeSTARTTLSRequired, "5.7.0", "STARTTLS"},
		{"530-5.7.0 Authentication Required. For more information", CodeAuthRequired, "5.7.0", "authentication"},
		{"454 4.7.0 Too many login attempts, please try again later.", CodeTooManyLogins, "4.7.0", "wait"},
		{"550 5.4.5 Daily user sending limit exceeded.", CodeSendingLimit, "5.4.5", "24 hours"},
		{"421 4.7.0 Try again later, closing connection.", CodeTryLater, "4.7.0", "wait"},
		{"250 2.0.0 OK\n554 5.7.1 Message rejected", CodeRejected, "5.7.1", "server's text"},
	}
	for _, tc := range tests {
		t.Run(string(tc.code), func(t *testing.T) {
			d := DiagnoseReply(tc.text)
			if d == nil || d.Code != tc.code || d.EnhancedCode != tc.enh || !strings.Contains(d.NextStep, tc.next) {
				t.Fatalf("DiagnoseReply = %+v", d)
			}
		})
	}
	if d := DiagnoseReply("250 2.0.0 OK queued"); d != nil {
		t.Errorf("success reply diagnosed: %+v", d)
	}
	if d := DiagnoseReply("Connection timed out"); d != nil {
		t.Errorf("no reply, still diagnosed: %+v", d)
	}
	d := DiagnoseReply("534-5.7.9 Application-specific password required. For more information, go to\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor")
	if !strings.Contains(d.Reply, "Application-specific") || !strings.Contains(d.Reply, "InvalidSecondFactor") {
		t.Errorf("multi-line reply joined as %q", d.Reply)
	}
}
