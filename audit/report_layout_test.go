package audit

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestAuditTableFitsTheTerminal (issue 10 §2.15): the device table fits
// the terminal's width, says which columns it left out, and --wide shows
// them all.
func TestAuditTableFitsTheTerminal(t *testing.T) {
	rep := auditFixtureReport(t)
	table := func(o TableOptions) (string, []string) {
		var b bytes.Buffer
		if err := WriteTableOpts(&b, rep, o); err != nil {
			t.Fatal(err)
		}
		s := b.String()
		start := strings.Index(s, "\nSITE ")
		if start < 0 {
			start = strings.Index(s, "\nADDRESS ")
		}
		end := strings.Index(s, "\nApp passwords in use")
		if start < 0 || end < start {
			t.Fatalf("no device table in:\n%s", s)
		}
		return s, strings.Split(strings.TrimSpace(s[start:end]), "\n")
	}
	for _, width := range []int{80, 100, 120} {
		s, lines := table(TableOptions{Width: width})
		for _, l := range lines {
			if n := utf8.RuneCountInString(l); n > width && !strings.HasPrefix(l, "(") {
				t.Errorf("width %d: a %d-column line: %q", width, n, l)
			}
		}
		if !strings.Contains(s, "127.0.73.10") || !strings.Contains(s, "Findings:") {
			t.Errorf("width %d: devices or findings missing:\n%s", width, s)
		}
		if width < 110 && !strings.Contains(s, "--wide shows every column") {
			t.Errorf("width %d: does not say columns were left out:\n%s", width, s)
		}
	}
	s, _ := table(TableOptions{})
	if strings.Contains(s, "left out") {
		t.Errorf("no width (a pipe): nothing is left out:\n%s", s)
	}
	wide, _ := table(TableOptions{Wide: true})
	for _, col := range []string{"FINGERPRINT", "PUSHED", "CERT", "LAST SEEN", FindingDefaultAdmin} {
		if !strings.Contains(wide, col) {
			t.Errorf("--wide lacks %q", col)
		}
	}
}

// TestAuditHTMLFailedPushAndRefusedLogin (§2.15): the HTML report shows a
// device whose last push failed and a refused admin login as critical
// findings, and says things the way a person writes them.
func TestAuditHTMLFailedPushAndRefusedLogin(t *testing.T) {
	rep := auditFixtureReport(t)
	var b bytes.Buffer
	if err := WriteHTML(&b, rep); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	for code, ip := range map[string]string{FindingRunFailed: "127.0.73.16", FindingLoginRefused: "127.0.73.12"} {
		i := strings.Index(h, `<div class="group critical" data-code="`+code+`"`)
		if i < 0 {
			t.Errorf("no critical %s group in the HTML report", code)
			continue
		}
		if j := strings.Index(h[i:], "</div>"); j < 0 || !strings.Contains(h[i:i+j], ip) {
			t.Errorf("the %s group does not list %s", code, ip)
		}
	}
	if strings.Contains(h, "Mfpfleet") {
		t.Error(`"Mfpfleet" (a command capitalised as a sentence)`)
	}
	if !strings.Contains(h, "devices without findings") || strings.Contains(h, `<span class="l">no findings</span>`) {
		t.Error(`the summary card reads "0 NO FINDINGS"`)
	}
}
