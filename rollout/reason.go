package rollout

import (
	"errors"
	"regexp"
	"strings"

	"github.com/mfpfleet/mfpfleet/audit"
	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// reasonSentinels are errors whose text is appended to a chain only so
// that errors.Is finds them: the words before them already say it.
var reasonSentinels = []error{drivers.ErrTestFailed, drivers.ErrFirmware, drivers.ErrTransient}

// reJobLog is the device's own job-log line a driver adds to a test
// failure: "(job log: Failed: TEXT)".
var reJobLog = regexp.MustCompile(`\s*\(job log: (?:Failed: )?([^()]*)\)`)

// failureReason is err as one clear line for a device's reason (issue 10
// §2.10): the sentinel texts carried for errors.Is are cut, a job-log
// line that repeats the device's message is dropped, and a part said
// twice in a row ("confirm: confirm:") is said once.
func failureReason(err error) string {
	s := err.Error()
	for _, sen := range reasonSentinels {
		if errors.Is(err, sen) {
			s = strings.ReplaceAll(s, ": "+sen.Error(), "")
		}
	}
	s = reJobLog.ReplaceAllStringFunc(s, func(m string) string {
		text := strings.TrimSpace(reJobLog.FindStringSubmatch(m)[1])
		if text != "" && strings.Count(s, text) > 1 {
			return ""
		}
		return m
	})
	return dedupeParts(s)
}

// dedupeParts removes a ": "-separated part equal to the one before it.
func dedupeParts(s string) string {
	parts := strings.Split(s, ": ")
	out := parts[:0]
	for i, p := range parts {
		if i > 0 && p == parts[i-1] {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, ": ")
}

// workedOn reports whether a device counts in a run's rate: it ended
// written (confirmed or not) or read, or failed after its login, where
// the work is done. A device that failed before any page answered (not
// started, no HTTPS, refused login, a browser that died) was not worked
// on: a run where everything failed at once has no rate.
func workedOn(r *DeviceResult) bool {
	switch r.Status {
	case StatusConfirmed, StatusWrittenUnconfirmed, StatusRead:
		return true
	case StatusFailed:
		switch r.FailedStep {
		case "", "open", "login":
			return false
		}
		return r.Attempts > 0
	}
	return false
}

// foldAccountWide535 adds the account-wide finding to a test or push
// summary when every device of the run that holds the account's app
// password failed with 535, and shortens those devices' reasons.
func foldAccountWide535(sum *Summary) {
	var ips []int
	tried := 0
	for i, d := range sum.Devices {
		if d.Status == StatusSkipped || d.Method == config.MethodRelay {
			continue
		}
		tried++
		if d.Status == StatusFailed && audit.Is535(d.Reason) {
			ips = append(ips, i)
		}
	}
	if len(ips) < 2 || len(ips) != tried {
		return
	}
	var list []string
	for _, i := range ips {
		list = append(list, sum.Devices[i].IP)
		sum.Devices[i].Reason = sum.Devices[i].IP + ": 535 5.7.8 — see the account finding above"
	}
	sum.AccountFindings = append(sum.AccountFindings, audit.Account535Finding(sum.Account, list))
}
