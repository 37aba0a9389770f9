package rollout_test

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/audit"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// TestPushConnectionTested: a VersaLink (whose SMTP page, as a live
// device shows it, has a connection test and no test e-mail) ends
// "connection-tested", never "confirmed": in the summary, the journal,
// the inventory, the audit's finding, table, HTML and JSON. A connection
// test that fails (TLS 1.0-only firmware) fails the device at the test
// step naming the firmware. A scan to the plus-address then confirms it.
//
//	.4 VersaLink C405  connection test passes
//	.5 WorkCentre 6515 TLS 1.0 only: the connection test fails
func TestPushConnectionTested(t *testing.T) {
	e := newPushEnv(t, "127.0.67.1", 5, sim.FleetOptions{
		SMTPTLS: map[netip.Addr]string{netip.MustParseAddr("127.0.67.5"): sim.SMTPTLS10},
	})
	ctx := context.Background()
	o := e.options()
	o.Select = rollout.Selector{IPs: []string{e.addr(3), e.addr(4)}}
	sum, err := rollout.Push(ctx, o)
	if !errors.Is(err, rollout.ErrSomeFailed) {
		t.Fatalf("want the TLS 1.0 device failed, got %v\n%s", err, pushJSON(t, sum))
	}
	res := pushByIP(sum)
	ok, bad := res[e.addr(3)], res[e.addr(4)]
	if ok.Status != rollout.StatusConnectionTested || sum.Counts.ConnectionTested != 1 || sum.Counts.Confirmed != 0 ||
		!strings.Contains(ok.Reason, "connection test passed") || !strings.Contains(ok.Reason, ok.TestAddress) || !strings.Contains(ok.Reason, "test --wait") {
		t.Fatalf("VersaLink: %+v, counts %+v", ok, sum.Counts)
	}
	if !strings.Contains(ok.DeviceSays, "Successful") {
		t.Errorf("the device's words are not kept: %q", ok.DeviceSays)
	}
	if bad.Status != rollout.StatusFailed || bad.FailedStep != inventory.StepTest || !strings.Contains(bad.Reason, "connection test failed") || !strings.Contains(bad.Reason, "firmware") {
		t.Errorf("TLS 1.0 VersaLink: %+v", bad)
	}
	if n := pushTestJobs(e.web(3)) + len(e.web(3).Jobs()); n != 0 {
		t.Errorf("the connection test made %d jobs: nothing should be sent", n)
	}
	if n := e.testMessages(e.web(3).Serial()); n != 0 {
		t.Errorf("%d messages in the mailbox after a connection test", n)
	}

	// Journal and inventory.
	rds, err := e.db.RunDevices(ctx, sum.RunID)
	if err != nil {
		t.Fatal(err)
	}
	id3 := e.deviceID(t, 3)
	for _, rd := range rds {
		if rd.DeviceID == id3 && rd.Status != inventory.DeviceConnectionTested {
			t.Errorf("journal: %s is %q, want %q", e.addr(3), rd.Status, inventory.DeviceConnectionTested)
		}
	}
	h, err := e.db.Holding(ctx, id3)
	if err != nil || !h.HasLimit(inventory.LimitConnectionTestOnly) || !h.HasLimit(inventory.LimitNoTestAction) || !h.LastTestOK || !h.ConfirmedAt.IsZero() {
		t.Errorf("holding: %+v %v", h, err)
	}

	// Audit: its own finding, shown in the table, the HTML and the JSON.
	rep, err := audit.Audit(ctx, e.db, audit.AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var row *audit.AuditRow
	for i := range rep.Rows {
		if rep.Rows[i].IP == e.addr(3) {
			row = &rep.Rows[i]
		}
	}
	if row == nil || !row.ConnectionTested {
		t.Fatalf("audit row: %+v", row)
	}
	found := false
	for _, f := range row.Findings {
		switch f.Code {
		case audit.FindingConnectionTested:
			found = strings.Contains(f.Message, "connection test passed") && strings.Contains(f.Action, "test --wait --ip "+e.addr(3))
		case audit.FindingNoTestAction, audit.FindingNeverConfirmed:
			t.Errorf("connection-tested device also reported as %s", f.Code)
		}
	}
	if !found {
		t.Errorf("no connection-tested finding: %+v", row.Findings)
	}
	var js, tab, html bytes.Buffer
	if err := audit.WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	if err := audit.WriteTable(&tab, rep); err != nil {
		t.Fatal(err)
	}
	if err := audit.WriteHTML(&html, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"connection_tested": true`) || !strings.Contains(js.String(), audit.FindingConnectionTested) {
		t.Errorf("JSON lacks the connection-tested state")
	}
	if !strings.Contains(tab.String(), "connection-tested") {
		t.Errorf("table lacks the connection-tested state:\n%s", tab.String())
	}
	if !strings.Contains(html.String(), "connection-tested") {
		t.Errorf("HTML lacks the connection-tested state")
	}

	// A re-run leaves it alone; a scan to its address confirms it.
	o.Select = rollout.Selector{IPs: []string{e.addr(3)}}
	sum2, err := rollout.Push(ctx, o)
	if err != nil || pushByIP(sum2)[e.addr(3)].Status != rollout.StatusSkipped || !strings.Contains(pushByIP(sum2)[e.addr(3)].Reason, "connection-tested") {
		t.Errorf("re-run: %v\n%s", err, pushJSON(t, sum2))
	}
	if j := e.web(3).ScanToEmail(ctx, ok.TestAddress); !j.OK {
		t.Fatalf("scan: %+v", j)
	}
	to := e.options()
	to.Select = rollout.Selector{IPs: []string{e.addr(3)}}
	to.Wait = true
	sum3, err := rollout.Test(ctx, to)
	if err != nil || sum3.Counts.Confirmed != 1 {
		t.Fatalf("test --wait: %v\n%s", err, pushJSON(t, sum3))
	}
}
