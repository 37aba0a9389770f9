package xerox

import (
	"errors"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

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

// TestJobFormat: the Xerox job-history tables through the shared parser
// (drivers.JobFromTables): the fault code from the Fault column
// (VersaLink) or, without one, from the details (ConnectKey: "016-781
// Unable to connect ...").
func TestJobFormat(t *testing.T) {
	vl := drivers.Table{Headers: []string{"Job ID", "Job Name", "Type", "Recipient", "Status", "Fault", "Details", "Completed"},
		Rows: [][]string{
			{"3", "Test Email", "Email", "a+x@gmail.com", "Failed", "016-781", "Unable to connect", "2026/11/28 10:00:02"},
			{"2", "Test Email", "Email", "a+y@gmail.com", "Completed", "", "Completed", "2026/11/28 10:00:01"},
			{"1", "Test Email", "Email", "a+x@gmail.com", "Completed", "", "Completed", "2026/11/28 10:00:00"},
		}}
	j, ok := drivers.JobFromTables([]drivers.Table{vl}, "a+x@gmail.com", jobFormat)
	if !ok || j.ID != "3" || j.OK || j.Code != "016-781" {
		t.Fatalf("got %+v %v: want the newest job (3), failed with 016-781", j, ok)
	}
	ck := drivers.Table{Headers: []string{"Job ID", "Job Name", "Type", "Recipient", "Status", "Details", "Completed"},
		Rows: [][]string{
			{"7", "Test Email", "Email", "a+x@gmail.com", "Completed", "016-506 SMTP server rejected the message", "2026-11-28 10:00:02"},
		}}
	jobs := drivers.JobsFromTables([]drivers.Table{ck}, jobFormat)
	if len(jobs) != 1 || jobs[0].Code != "016-506" || jobs[0].OK || jobs[0].At.IsZero() {
		t.Fatalf("ConnectKey job with a fault in its details: %+v", jobs)
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
