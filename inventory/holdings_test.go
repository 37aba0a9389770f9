package inventory

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
)

func TestHoldings(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	dev, _, err := db.UpsertDevice(ctx, xerox("127.0.60.90", "3TB000090", ""), day(0))
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := db.UpsertDevice(ctx, xerox("127.0.60.91", "3TB000091", ""), day(0))
	if err != nil {
		t.Fatal(err)
	}
	old, _, err := db.AddCredential(ctx, "scan@example.com", "MFP site HQ", db.Fingerprint("aaaaaaaaaaaaaaaa"))
	if err != nil {
		t.Fatal(err)
	}
	neu, _, err := db.AddCredential(ctx, "scan@example.com", "MFP site HQ 2", db.Fingerprint("bbbbbbbbbbbbbbbb"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Holding(ctx, dev); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Holding before any push: %v", err)
	}

	h := Holding{DeviceID: dev, CredentialID: old.ID, Account: "Scan@Example.com", PushedAt: day(1), AdminLogin: AdminDefault1111,
		SMTPHost: "smtp.gmail.com", SMTPPort: 587, SMTPSecurity: "starttls", SMTPUser: "scan@example.com", SMTPFrom: "scan@example.com",
		TLSVersion: "TLS 1.2", Limits: []string{LimitNoTestAction, LimitNoTestAction}}
	if err := db.SetHolding(ctx, h); err != nil {
		t.Fatal(err)
	}
	if err := db.SetHolding(ctx, Holding{DeviceID: other, CredentialID: old.ID, Account: "scan@example.com", PushedAt: day(1), AdminLogin: AdminConfigured}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkConfirmed(ctx, dev, neu.ID, day(1)); err == nil {
		t.Error("confirmation with a credential the device does not hold was accepted")
	}
	if err := db.MarkConfirmed(ctx, 999, old.ID, day(1)); !errors.Is(err, ErrNotFound) {
		t.Errorf("confirming a device with no holding: %v", err)
	}
	if err := db.MarkConfirmed(ctx, dev, old.ID, day(1).Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err := db.Holding(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	if got.Account != "scan@example.com" || !got.ConfirmedAt.Equal(day(1).Add(time.Minute)) || !got.LastTestOK ||
		got.SMTPPort != 587 || got.AdminLogin != AdminDefault1111 || !slices.Equal(got.Limits, []string{LimitNoTestAction}) ||
		!got.HasLimit(LimitNoTestAction) || got.HasLimit(LimitOldTLS) {
		t.Errorf("holding %+v", got)
	}
	if err := db.RecordTest(ctx, dev, day(2), false, "550 5.4.5 daily sending quota exceeded"); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Holding(ctx, dev)
	if got.LastTestOK || got.LastTestError == "" || got.ConfirmedAt.IsZero() {
		t.Errorf("after a failed test: %+v", got)
	}

	holding, err := db.DevicesHolding(ctx, old.ID)
	if err != nil || len(holding) != 2 {
		t.Fatalf("DevicesHolding(old) = %d, %v", len(holding), err)
	}
	// Rotation: push the new credential to dev, retire other.
	if err := db.SetHolding(ctx, Holding{DeviceID: dev, CredentialID: neu.ID, Account: "scan@example.com", PushedAt: day(3), AdminLogin: AdminConfigured}); err != nil {
		t.Fatal(err)
	}
	got, _ = db.Holding(ctx, dev)
	if !got.ConfirmedAt.IsZero() || got.CredentialID != neu.ID {
		t.Errorf("a new push must clear the old confirmation: %+v", got)
	}
	if err := db.RetireDevice(ctx, other, "excluded from rotation: lost"); err != nil {
		t.Fatal(err)
	}
	if holding, _ := db.DevicesHolding(ctx, old.ID); len(holding) != 0 {
		t.Errorf("old credential still held by %d devices in service", len(holding))
	}
	if holding, _ := db.DevicesHolding(ctx, neu.ID); len(holding) != 1 || holding[0].ID != dev {
		t.Errorf("DevicesHolding(new) = %+v", holding)
	}
	// A test on a device never pushed to creates a holding without credential.
	third, _, _ := db.UpsertDevice(ctx, xerox("127.0.60.92", "3TB000092", ""), day(0))
	if err := db.RecordTest(ctx, third, day(4), true, "ignored"); err != nil {
		t.Fatal(err)
	}
	if h, err := db.Holding(ctx, third); err != nil || h.CredentialID != 0 || !h.LastTestOK || h.LastTestError != "" {
		t.Errorf("holding from a test only: %+v, %v", h, err)
	}
	if err := db.SetHolding(ctx, Holding{}); err == nil {
		t.Error("holding without device accepted")
	}
}

func TestLoginAttempts(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	dev, _, err := db.UpsertDevice(ctx, xerox("127.0.60.95", "3TB000095", ""), day(0))
	if err != nil {
		t.Fatal(err)
	}
	attempts := []LoginAttempt{
		{Kind: AdminDefault1111, User: "admin", At: day(1), Error: "invalid password"},
		{Kind: AdminDefaultSerial, User: "admin", At: day(1).Add(time.Second), Error: "invalid password"},
		{Kind: AdminConfigured, User: "admin", OK: true, At: day(1).Add(2 * time.Second), Error: "dropped when ok"},
		{Kind: AdminDefault1111, User: "admin", At: day(2), Error: "invalid password"},
	}
	for _, a := range attempts {
		if err := db.RecordLoginAttempt(ctx, dev, a); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.RecordLoginAttempt(ctx, dev, LoginAttempt{}); err == nil {
		t.Error("attempt without kind accepted")
	}
	if err := db.RecordLoginAttempt(ctx, 999, LoginAttempt{Kind: AdminConfigured}); err == nil {
		t.Error("attempt on a missing device accepted (foreign keys off?)")
	}
	total, byKind, err := db.FailedLogins(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || byKind[AdminDefault1111] != 2 || byKind[AdminDefaultSerial] != 1 || byKind[AdminConfigured] != 0 {
		t.Errorf("FailedLogins = %d %v", total, byKind)
	}
	hist, err := db.LoginAttempts(ctx, dev, 2)
	if err != nil || len(hist) != 2 || hist[0].Kind != AdminDefault1111 || !hist[1].OK || hist[1].Error != "" {
		t.Errorf("LoginAttempts = %+v, %v", hist, err)
	}
	n, err := db.ResetFailedLogins(ctx, dev)
	if err != nil || n != 3 {
		t.Errorf("ResetFailedLogins = %d, %v", n, err)
	}
	if total, _, _ := db.FailedLogins(ctx, dev); total != 0 {
		t.Errorf("%d failures after reset", total)
	}
	if hist, _ := db.LoginAttempts(ctx, dev, 0); len(hist) != 4 || hist[0].ResetAt.IsZero() {
		t.Errorf("history after reset: %+v", hist)
	}
	if _, err := db.ResetFailedLogins(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("reset on missing device: %v", err)
	}
}

func TestDefaultThatWorked(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	add := func(ip, serial, firmware string) devices.Device {
		d := xerox(ip, serial, "")
		d.Firmware = firmware
		if _, _, err := db.UpsertDevice(ctx, d, day(0)); err != nil {
			t.Fatal(err)
		}
		return d
	}
	a := add("127.0.60.101", "3TB000101", "103.008.000")
	b := add("127.0.60.102", "3TB000102", "103.008.000")
	c := add("127.0.60.103", "3TB000103", "103.008.000")
	other := add("127.0.60.104", "3TB000104", "100.002.000") // other firmware
	l := db.LoginLedger()
	record := func(d devices.Device, kind string, ok bool) {
		if err := l.RecordLoginAttempt(ctx, d.Key(), kind, "admin", ok, ""); err != nil {
			t.Fatal(err)
		}
	}
	want := func(d devices.Device, kind string) {
		t.Helper()
		got, err := l.PreferredDefault(ctx, d)
		if err != nil || got != kind {
			t.Errorf("PreferredDefault(%s) = %q, %v; want %q", d.IP, got, err, kind)
		}
	}
	want(b, "")
	// Failures and configured passwords say nothing about the factory
	// default.
	record(a, AdminDefault1111, false)
	record(a, AdminConfigured, true)
	want(b, "")
	record(a, AdminDefaultSerial, true)
	want(b, AdminDefaultSerial)
	want(a, "")     // its own success does not count
	want(other, "") // another firmware: no guess
	record(other, AdminDefault1111, true)
	want(b, AdminDefaultSerial)
	// The kind that worked on more devices wins.
	record(a, AdminDefaultSerial, true)
	record(a, AdminDefaultSerial, true) // one device, counted once
	record(c, AdminDefault1111, true)
	record(b, AdminDefault1111, true)
	got, err := db.DefaultThatWorked(ctx, "xerox", a.Model, a.Firmware, 0)
	if err != nil || got != AdminDefault1111 {
		t.Errorf("DefaultThatWorked = %q, %v; want %q (two devices against one)", got, err, AdminDefault1111)
	}
	// A device the inventory has never seen gets the fleet's answer.
	want(xerox("127.0.60.106", "3TB000106", ""), AdminDefault1111)
}

func TestCerts(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	const addr = "127.0.60.96"
	fp1 := strings.Repeat("ab", 32)
	fp2 := strings.Repeat("cd", 32)
	if _, ok, err := db.CertFingerprint(ctx, addr); ok || err != nil {
		t.Fatalf("first contact: ok=%v err=%v", ok, err)
	}
	if c, _ := db.Cert(ctx, addr); c.State != CertNone {
		t.Errorf("state %q", c.State)
	}
	// Colon-separated upper case is the same fingerprint.
	colon := strings.ToUpper(fp1[:2]) + ":" + strings.ToUpper(fp1[2:])
	steps := []struct {
		name      string
		do        func() error
		wantErr   error
		wantFP    string
		wantState string
	}{
		{"first use", func() error { return db.SetCertFingerprint(ctx, addr, fp1) }, nil, fp1, CertTrusted},
		{"same again", func() error { return db.SetCertFingerprint(ctx, addr, colon) }, nil, fp1, CertTrusted},
		{"changed refused", func() error { return db.SetCertFingerprint(ctx, addr, fp2) }, ErrCertChanged, fp1, CertTrusted},
		{"mismatch noted", func() error { return db.RecordCertMismatch(ctx, addr, fp2) }, nil, fp1, CertMismatch},
		{"accepted", func() error { return db.AcceptNewCert(ctx, addr, fp2) }, nil, fp2, CertAccepted},
		{"new one sticks", func() error { return db.SetCertFingerprint(ctx, addr, fp2) }, nil, fp2, CertAccepted},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			err := s.do()
			if s.wantErr != nil {
				if !errors.Is(err, s.wantErr) || !strings.Contains(err.Error(), "--accept-new-cert "+addr) {
					t.Fatalf("err = %v, want %v naming the flag", err, s.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			fp, ok, err := db.CertFingerprint(ctx, addr)
			if err != nil || !ok || fp != s.wantFP {
				t.Errorf("CertFingerprint = %s %v %v, want %s", fp, ok, err, s.wantFP)
			}
			c, err := db.Cert(ctx, addr)
			if err != nil || c.State != s.wantState {
				t.Errorf("Cert = %+v, %v; want state %s", c, err, s.wantState)
			}
		})
	}
	c, _ := db.Cert(ctx, addr)
	if c.Previous != fp1 || c.AcceptedAt.IsZero() || c.Mismatch != "" {
		t.Errorf("after acceptance: %+v", c)
	}
}

func TestAuditRows(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a, _, _ := db.UpsertDevice(ctx, xerox("127.0.60.101", "3TB000101", ""), day(0))
	b, _, _ := db.UpsertDevice(ctx, xerox("127.0.60.102", "3TB000102", ""), day(5))
	c, _, _ := db.UpsertDevice(ctx, devices.Device{IP: "127.0.60.103", Serial: "E1", Vendor: "hp", Site: "Branch"}, day(5))
	cred, _, _ := db.AddCredential(ctx, "scan@example.com", "MFP site HQ", db.Fingerprint("cccccccccccccccc"))
	if err := db.SetHolding(ctx, Holding{DeviceID: a, CredentialID: cred.ID, Account: "scan@example.com", PushedAt: day(1), AdminLogin: AdminDefaultSerial}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkConfirmed(ctx, a, cred.ID, day(1)); err != nil {
		t.Fatal(err)
	}
	if err := db.SetHolding(ctx, Holding{DeviceID: b, CredentialID: cred.ID, Account: "scan@example.com", PushedAt: day(1), AdminLogin: AdminConfigured,
		Limits: []string{LimitOldTLS}}); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordTest(ctx, b, day(1), false, "tls handshake failure"); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordLoginAttempt(ctx, b, LoginAttempt{Kind: AdminDefault1111, User: "admin", At: day(1)}); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordLoginAttempt(ctx, b, LoginAttempt{Kind: AdminConfigured, User: "admin", OK: true, At: day(1).Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCertFingerprint(ctx, "127.0.60.101", strings.Repeat("ef", 32)); err != nil {
		t.Fatal(err)
	}
	run, _ := db.StartRun(ctx, RunPush, cred.ID, nil)
	if err := db.SetRunDevice(ctx, run, b, DeviceFailed, "old tls"); err != nil {
		t.Fatal(err)
	}
	run2, _ := db.StartRun(ctx, RunTest, cred.ID, nil)
	if err := db.SetRunDevice(ctx, run2, b, DeviceFailed, "test failed"); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeCredential(ctx, cred.ID); err != nil {
		t.Fatal(err)
	}

	rows, err := db.AuditRows(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Device.ID != a || rows[1].Device.ID != b || rows[2].Device.ID != c {
		t.Fatalf("rows %+v", rows)
	}
	ra, rb, rc := rows[0], rows[1], rows[2]
	now := day(10)
	checks := []struct {
		name string
		ok   bool
	}{
		{"a default admin", ra.DefaultAdmin()},
		{"a confirmed", ra.Confirmed()},
		{"a holds revoked", ra.HoldsRevoked()},
		{"a account", ra.Account() == "scan@example.com"},
		{"a credential label", ra.Credential != nil && ra.Credential.Label == "MFP site HQ"},
		{"a cert tofu", ra.Cert.State == CertTrusted},
		{"a not seen for 7 days", ra.NotSeenFor(now, 7*24*time.Hour)},
		{"b configured admin", !rb.DefaultAdmin()},
		{"b not confirmed", !rb.Confirmed()},
		{"b last test failed", rb.LastTestFailed()},
		{"b failed logins", rb.FailedLogins == 1 && rb.FailedByKind[AdminDefault1111] == 1},
		{"b last login", rb.LastLoginKind == AdminConfigured && rb.LastLoginAt.Equal(day(1).Add(time.Second))},
		{"b limits", rb.Holding != nil && rb.Holding.HasLimit(LimitOldTLS)},
		{"b last run", rb.LastRun != nil && rb.LastRun.RunID == run2 && rb.LastRun.Error == "test failed"},
		{"b cert none", rb.Cert.State == CertNone},
		{"b seen recently", !rb.NotSeenFor(now, 7*24*time.Hour)},
		{"c no holding", rc.Holding == nil && rc.Credential == nil && rc.Account() == "" && rc.LastRun == nil},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("%s: no", ch.name)
		}
	}
	only, err := db.AuditRows(ctx, Filter{Site: "branch"})
	if err != nil || len(only) != 1 || only[0].Device.ID != c {
		t.Errorf("filtered audit %+v, %v", only, err)
	}
	held, err := db.AuditRows(ctx, Filter{HoldingCredential: cred.ID})
	if err != nil || len(held) != 2 {
		t.Errorf("audit of holders %d, %v", len(held), err)
	}
}

// TestSecretNeverStored stores everything mfpfleet records about a push
// of a known app password, then searches the raw database and WAL bytes
// for the password, with and without Google's spaces.
func TestSecretNeverStored(t *testing.T) {
	sqliteOnly(t) // reads the file's bytes; the PostgreSQL writes are the same statements
	ctx := context.Background()
	const shown = "vkqe mzrt hwyb lpsn" // as Google shows it
	normalised := strings.ReplaceAll(shown, " ", "")
	path := filepath.Join(t.TempDir(), "fleet.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	secret := config.NewSecret(normalised)
	dev, _, err := db.UpsertDevice(ctx, xerox("127.0.60.110", "3TB000110", "9c:93:4e:00:01:10"), day(0))
	if err != nil {
		t.Fatal(err)
	}
	cred, _, err := db.AddCredential(ctx, "scan@example.com", "MFP AltaLink C8070 3TB000110", db.Fingerprint(secret.Reveal()))
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.StartRun(ctx, RunPush, cred.ID, struct {
		Account  string        `json:"account"`
		Password config.Secret `json:"password"`
	}{"scan@example.com", secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordStep(ctx, Step{RunID: run, DeviceID: dev, Step: StepWrite, Status: StepOK}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetHolding(ctx, Holding{DeviceID: dev, CredentialID: cred.ID, Account: "scan@example.com", RunID: run, PushedAt: day(1),
		AdminLogin: AdminDefault1111, SMTPHost: "smtp.gmail.com", SMTPPort: 587, SMTPSecurity: "starttls", SMTPUser: "scan@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkConfirmed(ctx, dev, cred.ID, day(1)); err != nil {
		t.Fatal(err)
	}
	// A mistaken caller handing over the plaintext as fingerprint is refused.
	if _, _, err := db.AddCredential(ctx, "scan@example.com", "oops", normalised); err == nil {
		t.Fatal("plaintext accepted as a fingerprint")
	}

	needles := [][]byte{[]byte(normalised), []byte(shown), []byte(strings.ToUpper(normalised))}
	search := func(when string) {
		t.Helper()
		found := 0
		for _, suffix := range []string{"", "-wal", "-journal", "-shm"} {
			b, err := os.ReadFile(path + suffix)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			found++
			low := bytes.ToLower(b)
			for _, n := range needles {
				if bytes.Contains(low, bytes.ToLower(n)) {
					t.Errorf("%s: %s%s contains the app password %q", when, filepath.Base(path), suffix, n)
				}
			}
			// Sanity: the search does see what was stored.
			if when == "while open" && suffix == "-wal" && !bytes.Contains(b, []byte("MFP AltaLink C8070 3TB000110")) {
				t.Errorf("%s: the WAL does not hold the label, so the search proves nothing", when)
			}
		}
		if found == 0 {
			t.Fatalf("%s: no database files found", when)
		}
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("expected a WAL file while open: %v", err)
	}
	search("while open")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	search("after close")
	b, _ := os.ReadFile(path)
	if !bytes.Contains(b, []byte(db.Fingerprint(normalised))) {
		t.Error("the main file lacks the fingerprint after close: the search proves nothing")
	}
}
