package drivers

// Job-log table parsing shared by the drivers: a web admin's job history
// is an HTML table (Tab.Tables) whose columns are found by their header
// text; what differs per vendor (header wording, fault-code format, date
// layout) is a JobTableFormat.

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// JobColumns are the header texts that identify each column of a job
// history table, each a list of alternatives for Table.Column (exact
// match first, then prefix; case-insensitive).
type JobColumns struct {
	ID, Type, To, Status, Code, Message, Time []string
}

// DefaultJobColumns are English job-history headers as Xerox and most
// web admins write them.
var DefaultJobColumns = JobColumns{
	ID:      []string{"Job ID", "ID", "Job Number"},
	Type:    []string{"Job Name", "Name", "Type"},
	To:      []string{"Recipient", "To", "Destination", "Recipients"},
	Status:  []string{"Status", "Job Status", "Result"},
	Code:    []string{"Fault", "Fault Code", "Error Code"},
	Message: []string{"Details", "Detail", "Reason", "Message"},
	Time:    []string{"Completed", "Time", "Date"},
}

// DefaultJobTimeFormats are the date layouts tried on the time column
// when JobTableFormat.TimeFormats is nil.
var DefaultJobTimeFormats = []string{"2006-01-02 15:04:05", "2006/01/02 15:04:05", "01/02/2006 15:04:05", "2006-01-02 15:04", "2006/01/02 15:04"}

// JobTableFormat says how one vendor's job-history tables read. The zero
// value reads DefaultJobColumns with DefaultJobTimeFormats in local time
// and no fault codes in messages.
type JobTableFormat struct {
	// Columns are the headers (a nil list: DefaultJobColumns' list for
	// that column).
	Columns JobColumns
	// FaultCode finds the device's fault code in a job's message, used
	// when the table has no code column or the cell is empty (nil: none).
	// A job with a fault code is not OK, whatever its status says.
	FaultCode func(message string) string
	// TimeFormats are the layouts of the time column (nil:
	// DefaultJobTimeFormats), read in Location (nil: time.Local: web
	// admins show the device's wall clock).
	TimeFormats []string
	Location    *time.Location
}

func (f JobTableFormat) columns() JobColumns {
	c, d := f.Columns, DefaultJobColumns
	or := func(got *[]string, def []string) {
		if *got == nil {
			*got = def
		}
	}
	or(&c.ID, d.ID)
	or(&c.Type, d.Type)
	or(&c.To, d.To)
	or(&c.Status, d.Status)
	or(&c.Code, d.Code)
	or(&c.Message, d.Message)
	or(&c.Time, d.Time)
	return c
}

// reJobOK and reJobNotOK read a job's status: done, unless the status
// also says it failed or was not done ("Not Sent", "Completed with
// errors"). Whole words only: "Incomplete" and "Unsuccessful" are not
// done.
var (
	reJobOK    = regexp.MustCompile(`(?i)\b(complete|completed|success|successful|successfully|sent|done|ok)\b`)
	reJobNotOK = regexp.MustCompile(`(?i)\b(not|fail|failed|failure|error|errors|cancel+ed|aborted|unable|cannot|refused|rejected)\b`)
)

// JobStatusOK reports whether a job-history status says the job was done
// ("Completed", "Successful", "Sent", "OK"), and nothing about a failure
// or a job not done ("Not Sent", "Completed with errors", "Cancelled").
func JobStatusOK(status string) bool {
	return reJobOK.MatchString(status) && !reJobNotOK.MatchString(status)
}

// JobsFromTables returns every job of the page's job-history tables (the
// tables with a status column), in the page's order (devices list the
// newest first). Time is zero when the time column is missing or does not
// parse.
func JobsFromTables(tables []Table, f JobTableFormat) []JobEntry {
	var out []JobEntry
	for _, tb := range tables {
		out = append(out, jobsOfTable(tb, f)...)
	}
	return out
}

func jobsOfTable(tb Table, f JobTableFormat) []JobEntry {
	c := f.columns()
	sc := tb.Column(c.Status...)
	if sc < 0 {
		return nil
	}
	ic, nc, rc, fc, dc, tc := tb.Column(c.ID...), tb.Column(c.Type...), tb.Column(c.To...), tb.Column(c.Code...), tb.Column(c.Message...), tb.Column(c.Time...)
	formats := f.TimeFormats
	if formats == nil {
		formats = DefaultJobTimeFormats
	}
	loc := f.Location
	if loc == nil {
		loc = time.Local
	}
	var out []JobEntry
	for _, r := range tb.Rows {
		if len(r) <= sc {
			continue
		}
		get := func(i int) string {
			if i >= 0 && i < len(r) {
				return r[i]
			}
			return ""
		}
		e := JobEntry{ID: get(ic), Type: get(nc), To: get(rc), Status: get(sc), Code: get(fc), Message: get(dc)}
		if e.Code == "" && f.FaultCode != nil {
			e.Code = f.FaultCode(e.Message)
		}
		e.OK = JobStatusOK(e.Status) && e.Code == ""
		if at := strings.TrimSpace(get(tc)); at != "" {
			for _, layout := range formats {
				if t, err := time.ParseInLocation(layout, at, loc); err == nil {
					e.At = t
					break
				}
			}
		}
		out = append(out, e)
	}
	return out
}

// JobFromTables finds the newest job sent to recipient to (compared
// case-insensitively) in the page's job-history tables: the highest
// numeric job ID, else the first listed, in the first table that has a
// job for to. Tables without a recipient column are skipped.
func JobFromTables(tables []Table, to string, f JobTableFormat) (JobEntry, bool) {
	to = strings.TrimSpace(to)
	for _, tb := range tables {
		if tb.Column(f.columns().To...) < 0 {
			continue
		}
		var best JobEntry
		found := false
		for _, e := range jobsOfTable(tb, f) {
			if !strings.EqualFold(strings.TrimSpace(e.To), to) {
				continue
			}
			if !found || newerJobID(e.ID, best.ID) {
				best, found = e, true
			}
		}
		if found {
			return best, true
		}
	}
	return JobEntry{}, false
}

// newerJobID reports whether job ID a is newer than b: both numbers and a
// greater; a number beats a non-number.
func newerJobID(a, b string) bool {
	var x, y int
	if _, err := fmt.Sscan(a, &x); err != nil {
		return false
	}
	if _, err := fmt.Sscan(b, &y); err != nil {
		return true
	}
	return x > y
}

// KeepSince keeps the jobs at or after since, and those without a time
// (they may be newer), in their order; a zero since keeps them all.
func KeepSince(jobs []JobEntry, since time.Time) []JobEntry {
	if since.IsZero() {
		return jobs
	}
	var out []JobEntry
	for _, j := range jobs {
		if j.At.IsZero() || !j.At.Before(since) {
			out = append(out, j)
		}
	}
	return out
}
