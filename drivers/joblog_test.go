package drivers

import (
	"regexp"
	"testing"
	"time"
)

func TestJobStatusOK(t *testing.T) {
	for status, want := range map[string]bool{
		"Completed":              true,
		"Complete":               true,
		"Successful":             true,
		"Sent":                   true,
		"OK":                     true,
		"Done":                   true,
		"Failed":                 false,
		"Error":                  false,
		"Not Sent":               false,
		"Incomplete":             false,
		"Unsuccessful":           false,
		"Completed with errors":  false,
		"Cancelled":              false,
		"Canceled":               false,
		"Sending":                false,
		"Waiting":                false,
		"":                       false,
		"Completed - not sent":   false,
		"Transmission completed": true,
	} {
		if got := JobStatusOK(status); got != want {
			t.Errorf("JobStatusOK(%q) = %v, want %v", status, got, want)
		}
	}
}

var jobTable = Table{Headers: []string{"Job ID", "Job Name", "Type", "Recipient", "Status", "Fault", "Details", "Completed"},
	Rows: [][]string{
		{"3", "Test Email", "Email", "a+x@gmail.com", "Failed", "016-781", "Unable to connect", "2026/11/28 10:00:02"},
		{"2", "Test Email", "Email", "a+y@gmail.com", "Completed", "", "Completed", "2026/11/28 10:00:01"},
		{"1", "Test Email", "Email", "A+X@gmail.com ", "Completed", "", "Completed", "2026/11/28 10:00:00"},
	}}

func TestJobFromTables(t *testing.T) {
	j, ok := JobFromTables([]Table{jobTable}, "a+x@gmail.com", JobTableFormat{})
	if !ok || j.ID != "3" || j.OK || j.Code != "016-781" || j.Message != "Unable to connect" || j.Type != "Test Email" {
		t.Fatalf("got %+v %v: want the newest job (3), failed with 016-781", j, ok)
	}
	if want := time.Date(2026, 11, 28, 10, 0, 2, 0, time.Local); !j.At.Equal(want) {
		t.Errorf("at %v, want %v", j.At, want)
	}
	j, ok = JobFromTables([]Table{jobTable}, "a+y@gmail.com", JobTableFormat{})
	if !ok || !j.OK || j.ID != "2" {
		t.Fatalf("got %+v", j)
	}
	if _, ok := JobFromTables([]Table{jobTable}, "nobody@gmail.com", JobTableFormat{}); ok {
		t.Fatal("found a job for nobody")
	}
	// Oldest first on the page: the highest ID still wins.
	rev := Table{Headers: jobTable.Headers, Rows: [][]string{jobTable.Rows[2], jobTable.Rows[1], jobTable.Rows[0]}}
	if j, _ := JobFromTables([]Table{rev}, "a+x@gmail.com", JobTableFormat{}); j.ID != "3" {
		t.Errorf("oldest-first page: job %s, want 3", j.ID)
	}
	// IDs that are not numbers: the first listed (devices list the
	// newest first).
	named := Table{Headers: []string{"Job ID", "To", "Result"}, Rows: [][]string{{"b", "x@y.z", "OK"}, {"a", "x@y.z", "Error"}}}
	if j, ok := JobFromTables([]Table{named}, "x@y.z", JobTableFormat{}); !ok || j.ID != "b" || !j.OK {
		t.Errorf("non-numeric IDs: %+v", j)
	}
	// A table without a recipient column is skipped; the next one is read.
	noTo := Table{Headers: []string{"Job ID", "Status"}, Rows: [][]string{{"9", "Completed"}}}
	if j, ok := JobFromTables([]Table{noTo, jobTable}, "a+y@gmail.com", JobTableFormat{}); !ok || j.ID != "2" {
		t.Errorf("skipping a table without recipients: %+v %v", j, ok)
	}
}

func TestJobsFromTables(t *testing.T) {
	all := JobsFromTables([]Table{jobTable}, JobTableFormat{})
	if len(all) != 3 || all[0].ID != "3" || all[2].ID != "1" {
		t.Fatalf("jobs %+v", all)
	}
	for _, j := range all {
		if j.At.IsZero() {
			t.Errorf("job %s: no time", j.ID)
		}
	}
	// Tables without a status column, and short rows, are no jobs.
	menu := Table{Headers: []string{"Setting", "Value"}, Rows: [][]string{{"a", "b"}}}
	short := Table{Headers: []string{"Job ID", "Status"}, Rows: [][]string{{"5"}, {"6", "Completed"}}}
	got := JobsFromTables([]Table{menu, short}, JobTableFormat{})
	if len(got) != 1 || got[0].ID != "6" || !got[0].OK || !got[0].At.IsZero() {
		t.Fatalf("menu and short rows: %+v", got)
	}
}

// TestJobTableFormat: a vendor's own headers, fault codes in messages,
// date layout and time zone.
func TestJobTableFormat(t *testing.T) {
	loc := time.FixedZone("device", 2*3600)
	f := JobTableFormat{
		Columns:     JobColumns{ID: []string{"No."}, To: []string{"Address"}, Status: []string{"Result"}, Time: []string{"End Time"}},
		FaultCode:   regexp.MustCompile(`\bE\d{3}\b`).FindString,
		TimeFormats: []string{"02.01.2006 15:04"},
		Location:    loc,
	}
	tb := Table{Headers: []string{"No.", "Job Name", "Address", "Result", "Details", "End Time"},
		Rows: [][]string{
			{"12", "Scan", "a@b.c", "OK", "E402 authentication failed", "28.11.2026 10:00"},
			{"11", "Scan", "a@b.c", "OK", "", "28.11.2026 09:00"},
		}}
	jobs := JobsFromTables([]Table{tb}, f)
	if len(jobs) != 2 {
		t.Fatalf("jobs %+v", jobs)
	}
	if j := jobs[0]; j.ID != "12" || j.To != "a@b.c" || j.Code != "E402" || j.OK || j.Type != "Scan" || j.Message != "E402 authentication failed" {
		t.Errorf("job 12: %+v (a fault code in the details makes it not OK)", j)
	}
	if j := jobs[1]; !j.OK || !j.At.Equal(time.Date(2026, 11, 28, 9, 0, 0, 0, loc)) {
		t.Errorf("job 11: %+v", j)
	}
	// Headers the vendor did not name keep the default list (Job Name,
	// Details above).
	if j, ok := JobFromTables([]Table{tb}, "a@b.c", f); !ok || j.ID != "12" {
		t.Errorf("newest for a@b.c: %+v %v", j, ok)
	}
}

func TestKeepSince(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2026, 11, 28, 10, m, 0, 0, time.UTC) }
	jobs := []JobEntry{{ID: "4", At: at(3)}, {ID: "3"}, {ID: "2", At: at(2)}, {ID: "1", At: at(1)}}
	ids := func(js []JobEntry) (s string) {
		for _, j := range js {
			s += j.ID
		}
		return s
	}
	if got := ids(KeepSince(jobs, at(2))); got != "432" {
		t.Errorf("since 10:02: %s, want 432 (at or after, and the job without a time)", got)
	}
	if got := ids(KeepSince(jobs, time.Time{})); got != "4321" {
		t.Errorf("zero since: %s", got)
	}
	if got := ids(KeepSince(jobs, at(9))); got != "3" {
		t.Errorf("since 10:09: %s", got)
	}
}
