package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fillSite writes a small site's history into db: two devices (one
// moved address), a credential, a confirmed push run with steps, failed
// and good admin logins, a certificate record.
func fillSite(t *testing.T, db *DB, site, ipBase, serialBase string) {
	t.Helper()
	ctx := context.Background()
	a := xerox(ipBase+"1", serialBase+"1", "")
	a.Site = site
	b := xerox(ipBase+"2", serialBase+"2", "9c:93:4e:00:02:"+serialBase[len(serialBase)-2:])
	b.Site = site
	ida, _, err := db.UpsertDevice(ctx, a, day(0))
	if err != nil {
		t.Fatal(err)
	}
	b2 := b
	b2.IP = ipBase + "3" // moved by DHCP
	if _, _, err := db.UpsertDevice(ctx, b, day(0)); err != nil {
		t.Fatal(err)
	}
	idb, _, err := db.UpsertDevice(ctx, b2, day(2))
	if err != nil {
		t.Fatal(err)
	}
	cred, _, err := db.AddCredential(ctx, "scan@example.com", "MFP site "+site, db.Fingerprint("aaaabbbbccccdddd"))
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.StartRun(ctx, RunPush, cred.ID, map[string]string{"site": site})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{ida, idb} {
		if err := db.RecordLoginAttempt(ctx, id, LoginAttempt{Kind: AdminDefault1111, User: "admin", At: day(3), Error: "denied"}); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordLoginAttempt(ctx, id, LoginAttempt{Kind: AdminDefaultSerial, User: "admin", OK: true, At: day(3).Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetRunDevice(ctx, run, id, DeviceRunning, ""); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{StepLogin, StepWrite, StepTest} {
			if _, err := db.RecordStep(ctx, Step{RunID: run, DeviceID: id, Step: s, Status: StepOK, StartedAt: day(3), FinishedAt: day(3).Add(time.Second)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SetHolding(ctx, Holding{DeviceID: id, CredentialID: cred.ID, Account: "scan@example.com", RunID: run, PushedAt: day(3),
			AdminLogin: AdminDefaultSerial, SMTPHost: "smtp.gmail.com", SMTPPort: 587, SMTPSecurity: "starttls", Limits: []string{LimitNoTestAction}, Method: "relay", EHLO: "xrx1.client.example"}); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkConfirmed(ctx, id, cred.ID, day(3).Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := db.SetRunDevice(ctx, run, id, DeviceConfirmed, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetCertFingerprint(ctx, ipBase+"1", strings.Repeat("ab", 32)); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishRun(ctx, run, RunSucceeded); err != nil {
		t.Fatal(err)
	}
}

// auditJSON is the audit of db with the inventory's own ids taken out,
// so two inventories holding the same history compare equal.
func auditJSON(t *testing.T, db *DB, f Filter) string {
	t.Helper()
	rows, err := db.AuditRows(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		r := &rows[i]
		r.Device.ID = 0
		if r.Holding != nil {
			r.Holding.DeviceID, r.Holding.CredentialID, r.Holding.RunID = 0, 0, 0
			r.Holding.UpdatedAt = time.Time{}
		}
		if r.Credential != nil {
			r.Credential.ID = 0
			r.Credential.CreatedAt = time.Time{}
		}
		if r.LastRun != nil {
			r.LastRun.RunID, r.LastRun.DeviceID = 0, 0
			r.LastRun.UpdatedAt = time.Time{}
		}
		r.Cert.FirstSeen, r.Cert.LastSeen = time.Time{}, time.Time{}
	}
	b, err := json.MarshalIndent(rows, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestExportImport exports an SQLite inventory and imports it into the
// backend under test (SQLite, then PostgreSQL on the second pass): the
// audits are equal, the export holds no secret, a second import of the
// same file adds nothing, and a second site merges in by serial with its
// failed logins added.
func TestExportImport(t *testing.T) {
	ctx := context.Background()
	src, err := Open(ctx, filepath.Join(t.TempDir(), "site.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	fillSite(t, src, "north", "127.0.63.", "3TB30000")

	var buf bytes.Buffer
	if _, err := src.ExportTo(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToLower(buf.String()), "aaaabbbbccccdddd") {
		t.Fatal("the export holds the app password")
	}
	if strings.Contains(buf.String(), "hmac_key") {
		t.Fatal("the export holds the fingerprint key")
	}
	exp, err := ReadExport(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}

	dst := openTest(t)
	sum, err := dst.Import(ctx, exp)
	if err != nil {
		t.Fatal(err)
	}
	if sum.DevicesNew != 2 || sum.RunsNew != 1 || sum.CredentialsNew != 1 || sum.LoginAttemptsNew != 4 || sum.CertsNew != 1 || !sum.ForeignKey {
		t.Errorf("first import: %+v", sum)
	}
	want := auditJSON(t, src, Filter{})
	if got := auditJSON(t, dst, Filter{}); got != want {
		t.Fatalf("audit after import differs:\n--- source\n%s\n--- imported\n%s", want, got)
	}
	for _, d := range []*DB{src, dst} {
		dev, err := d.FindDevice(ctx, "3TB300002")
		if err != nil {
			t.Fatal(err)
		}
		as, err := d.DeviceAddresses(ctx, dev.ID)
		if err != nil || len(as) != 2 {
			t.Errorf("address history: %+v, %v", as, err)
		}
	}
	runs, _ := dst.Runs(ctx, 0)
	if len(runs) != 1 {
		t.Fatalf("runs after import: %d", len(runs))
	}
	if steps, _ := dst.Steps(ctx, runs[0].ID, 0); len(steps) != 6 {
		t.Errorf("steps after import: %d, want 6", len(steps))
	}
	if _, err := dst.LastUnfinishedRun(ctx, RunPush); err == nil {
		t.Error("an imported run is offered for --resume")
	}

	// The same file again: nothing is added or counted twice.
	again, err := dst.Import(ctx, exp)
	if err != nil {
		t.Fatal(err)
	}
	if again.DevicesNew != 0 || again.RunsNew != 0 || again.CredentialsNew != 0 || again.LoginAttemptsNew != 0 || again.CertsNew != 0 {
		t.Errorf("second import added: %+v", again)
	}
	if got := auditJSON(t, dst, Filter{}); got != want {
		t.Fatalf("audit after a second import differs:\n%s", got)
	}

	// Another site's laptop saw one of the same devices (by serial) and
	// failed to log in there too: one device, both failures counted.
	other, err := Open(ctx, filepath.Join(t.TempDir(), "other.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	dup := xerox("127.0.63.9", "3TB300001", "")
	dup.Site = "north"
	id, _, err := other.UpsertDevice(ctx, dup, day(5))
	if err != nil {
		t.Fatal(err)
	}
	if err := other.RecordLoginAttempt(ctx, id, LoginAttempt{Kind: AdminConfigured, User: "admin", At: day(5), Error: "denied"}); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if _, err := other.ExportTo(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	exp2, err := ReadExport(&buf)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := dst.Import(ctx, exp2)
	if err != nil {
		t.Fatal(err)
	}
	if s2.DevicesNew != 0 || s2.DevicesMerged != 1 {
		t.Errorf("merge by serial: %+v", s2)
	}
	dev, err := dst.FindDevice(ctx, "3TB300001")
	if err != nil {
		t.Fatal(err)
	}
	if n, _, _ := dst.FailedLogins(ctx, dev.ID); n != 2 || dev.IP != "127.0.63.9" {
		t.Errorf("merged device at %s with %d failed logins, want 127.0.63.9 and 2", dev.IP, n)
	}
	if as, _ := dst.DeviceAddresses(ctx, dev.ID); len(as) != 2 {
		t.Errorf("merged address history: %+v", as)
	}
	// The older export once more: the device stays where it was last seen.
	if _, err := dst.Import(ctx, exp); err != nil {
		t.Fatal(err)
	}
	if dev, err = dst.FindDevice(ctx, "3TB300001"); err != nil || dev.IP != "127.0.63.9" {
		t.Errorf("an older export moved the device back: %s, %v", dev.IP, err)
	}
}

func TestReadExportRejects(t *testing.T) {
	for _, in := range []string{`not json`, `{"format":"other","version":1}`, `{"format":"mfpfleet-inventory-export","version":9,"inventory_id":"x"}`} {
		if _, err := ReadExport(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "mfpfleet") {
			t.Errorf("ReadExport(%q) = %v", in, err)
		}
	}
}
