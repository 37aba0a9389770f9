package rollout

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/gmail"
)

// TestFailureReasonSaysItOnce (issue 10 §2.10): the chains a technician
// saw, as the drivers and gmail build them, read as one clear line.
func TestFailureReasonSaysItOnce(t *testing.T) {
	testErr := &drivers.StepError{Address: "127.0.100.3", Step: "test"}
	testErr.Err = fmt.Errorf("%w: %w", fmt.Errorf("the device's test e-mail failed: %q: the encrypted connection to the mail server failed: update the firmware",
		"Test email failed: STARTTLS with the SMTP server failed: remote error: tls: protocol version not supported (job log: Failed: STARTTLS with the SMTP server failed: remote error: tls: protocol version not supported)"),
		fmt.Errorf("%w: %w", drivers.ErrTestFailed, drivers.ErrFirmware))
	got := failureReason(testErr)
	for _, twice := range []string{"test e-mail failed", "protocol version not supported"} {
		if n := strings.Count(got, twice); n != 1 {
			t.Errorf("%q said %d times in %q", twice, n, got)
		}
	}
	if !strings.Contains(got, "update the firmware") || !strings.HasPrefix(got, "127.0.100.3: test: ") {
		t.Errorf("lost the substance: %q", got)
	}
	if !errors.Is(testErr, drivers.ErrFirmware) {
		t.Fatal("the sentinel must still be found")
	}

	e := &engine{}
	tg := Target{}
	tg.Device.IP = "127.0.100.6"
	conf := e.confirmFailure(tg, fmt.Errorf("confirm: no message to a+b@example.com in the INBOX after 2m0s (12 searches): %w", gmail.ErrNotArrived))
	if strings.Count(conf, "confirm:") != 1 {
		t.Errorf("confirm said twice: %q", conf)
	}
}

// TestRateOnlyOverDevicesWorkedOn: a run where everything failed at once
// has no devices/min rate.
func TestRateOnlyOverDevicesWorkedOn(t *testing.T) {
	for _, tc := range []struct {
		r    DeviceResult
		want bool
	}{
		{DeviceResult{Status: StatusConfirmed, Attempts: 1}, true},
		{DeviceResult{Status: StatusWrittenUnconfirmed, Attempts: 1}, true},
		{DeviceResult{Status: StatusFailed, FailedStep: "test", Attempts: 1}, true},
		{DeviceResult{Status: StatusFailed, FailedStep: "open", Attempts: 3}, false},
		{DeviceResult{Status: StatusFailed, FailedStep: "login", Attempts: 1}, false},
		{DeviceResult{Status: StatusFailed, Attempts: 1}, false},
		{DeviceResult{Status: StatusSkipped}, false},
		{DeviceResult{Status: StatusPending, Attempts: 1}, false},
	} {
		if got := workedOn(&tc.r); got != tc.want {
			t.Errorf("%+v: worked on %v, want %v", tc.r, got, tc.want)
		}
	}
	e := &engine{results: map[int64]*DeviceResult{}}
	plan := Plan{}
	for i := range 40 {
		tg := Target{}
		tg.Device.ID = int64(i + 1)
		plan.Targets = append(plan.Targets, tg)
		e.results[tg.Device.ID] = &DeviceResult{Status: StatusFailed, FailedStep: "open", Attempts: 1}
	}
	sum := Summary{StartedAt: time.Now().Add(-1300 * time.Millisecond)}
	e.collect(&sum, plan)
	if sum.DevicesPerMinute != 0 || sum.Counts.Failed != 40 {
		t.Errorf("40 devices failed at once: %.0f devices/min, %d failed", sum.DevicesPerMinute, sum.Counts.Failed)
	}
}
