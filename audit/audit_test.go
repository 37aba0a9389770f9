package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/inventory"
)

// The audit tests use a real SQLite inventory in t.TempDir(), filled only
// through the inventory API, with addresses from 127.0.73.0/24 (nothing
// is contacted: the audit only reads the inventory, and --live is tested
// with a reader that answers from memory).

// auditNow is the fixture's "now".
var auditNow = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

func auditDay(n int) time.Time { return auditNow.Add(time.Duration(n) * 24 * time.Hour) }

// auditFP is a fixed, realistic-looking fingerprint (64 hex digits), so
// golden files do not depend on the inventory's random HMAC key.
func auditFP(s string) string {
	h := sha256.Sum256([]byte("audit-fixture " + s))
	return hex.EncodeToString(h[:])
}

// auditHostileLocation is a sysLocation as a hostile or broken device
// could report it.
const auditHostileLocation = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> & "Floor 2"`

type auditFixture struct {
	db  *inventory.DB
	ids map[string]int64 // by address
	// holdings by address, as pushed
	holdings map[string]inventory.Holding
}

func auditXerox(ip, model, serial, family string) devices.Device {
	return devices.Device{IP: ip, Vendor: "xerox", Model: model, Serial: serial, MAC: "",
		Firmware: "103.008.000", SysName: "mfp-" + strings.ToLower(serial), SysDescr: "Xerox " + model,
		SysObjectID: "1.3.6.1.4.1.253.8.62.1.1", Location: "2nd floor", Site: "HQ", Family: family,
		IsPrinter: true, SNMPVersion: "2c"}
}

// newAuditFixture builds an inventory with one device per finding (and
// one with none):
//
//	.10 ok                       .11 default admin 1111
//	.12 default serial, no push  .13 holds the revoked credential
//	.14 never confirmed          .15 last test failed
//	.16 not seen for 45 days     .17 two failed admin logins
//	.18 firmware TLS 1.0         .19 firmware without SMTP TLS
//	.20 VersaLink, no test button
//	.21 certificate mismatch     .22 certificate replaced and accepted
//	.23 retired, holds the live credential (only with IncludeRetired)
//	.24 hostile sysLocation, nothing pushed (site Annex)
func newAuditFixture(t testing.TB) *auditFixture {
	t.Helper()
	ctx := context.Background()
	db, err := inventory.Open(ctx, filepath.Join(t.TempDir(), "fleet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	clock := auditDay(-10)
	db.SetClock(func() time.Time { return clock })
	f := &auditFixture{db: db, ids: map[string]int64{}, holdings: map[string]inventory.Holding{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	oldCred, _, err := db.AddCredential(ctx, "scans@acme.example", "MFP HQ 2025", auditFP("old"))
	must(err)
	cur, _, err := db.AddCredential(ctx, "scans@acme.example", "MFP HQ 2026", auditFP("current"))
	must(err)

	type dev struct {
		d    devices.Device
		seen time.Time
	}
	devs := []dev{
		{auditXerox("127.0.73.10", "AltaLink C8045", "3TB000010", "xerox/connectkey"), auditDay(-1)},
		{auditXerox("127.0.73.11", "AltaLink C8070", "3TB000011", "xerox/connectkey"), auditDay(-1)},
		{auditXerox("127.0.73.12", "VersaLink C405", "3TB000012", "xerox/versalink"), auditDay(-1)},
		{auditXerox("127.0.73.13", "AltaLink B8045", "3TB000013", "xerox/connectkey"), auditDay(-1)},
		{auditXerox("127.0.73.14", "WorkCentre 7855", "3TB000014", "xerox/connectkey"), auditDay(-1)},
		{auditXerox("127.0.73.15", "AltaLink C8035", "3TB000015", "xerox/connectkey"), auditDay(-1)},
		{auditXerox("127.0.73.16", "AltaLink C8030", "3TB000016", "xerox/connectkey"), auditDay(-45)},
		{auditXerox("127.0.73.17", "VersaLink B405", "3TB000017", "xerox/versalink"), auditDay(-1)},
		{auditXerox("127.0.73.18", "WorkCentre 5335", "3TB000018", "xerox/connectkey"), auditDay(-1)},
		{auditXerox("127.0.73.19", "WorkCentre 3615", "3TB000019", "xerox/fujixerox"), auditDay(-1)},
		{auditXerox("127.0.73.20", "WorkCentre 6515", "3TB000020", "xerox/versalink"), auditDay(-1)},
		{auditXerox("127.0.73.21", "AltaLink C8055", "3TB000021", "xerox/connectkey"), auditDay(-1)},
		{auditXerox("127.0.73.22", "AltaLink C8055", "3TB000022", "xerox/connectkey"), auditDay(-1)},
		{auditXerox("127.0.73.23", "VersaLink C7020", "3TB000023", "xerox/versalink"), auditDay(-20)},
		{auditXerox("127.0.73.24", "WorkCentre 6605", "3TB000024", "xerox/fujixerox"), auditDay(-2)},
	}
	devs[14].d.Location = auditHostileLocation
	devs[14].d.SysName = `<b>mfp</b>`
	devs[14].d.Site = "Annex"
	for _, d := range devs {
		id, _, err := db.UpsertDevice(ctx, d.d, d.seen)
		must(err)
		f.ids[d.d.IP] = id
	}

	gmail := func(ip string, cred inventory.Credential, pushed time.Time, admin string, limits ...string) inventory.Holding {
		h := inventory.Holding{DeviceID: f.ids[ip], CredentialID: cred.ID, Account: cred.Account, PushedAt: pushed,
			AdminLogin: admin, SMTPHost: "smtp.gmail.com", SMTPPort: 587, SMTPSecurity: "starttls",
			SMTPUser: cred.Account, SMTPFrom: cred.Account, TLSVersion: "TLS 1.3", Limits: limits}
		must(db.SetHolding(ctx, h))
		f.holdings[ip] = h
		return h
	}
	confirm := func(ip string, cred inventory.Credential, at time.Time) {
		must(db.RecordTest(ctx, f.ids[ip], at, true, ""))
		must(db.MarkConfirmed(ctx, f.ids[ip], cred.ID, at))
	}
	login := func(ip, kind string, ok bool, at time.Time, errText string) {
		must(db.RecordLoginAttempt(ctx, f.ids[ip], inventory.LoginAttempt{Kind: kind, User: "admin", OK: ok, At: at, Error: errText}))
	}
	cert := func(ip string) { must(db.SetCertFingerprint(ctx, ip, auditFP("cert "+ip))) }
	for _, d := range devs {
		if d.d.IP != "127.0.73.24" {
			cert(d.d.IP)
		}
	}

	// .10: everything right.
	login("127.0.73.10", inventory.AdminConfigured, true, auditDay(-3), "")
	gmail("127.0.73.10", cur, auditDay(-3), inventory.AdminConfigured)
	confirm("127.0.73.10", cur, auditDay(-3).Add(40*time.Second))
	// .11: pushed and confirmed, but in with admin/1111.
	login("127.0.73.11", "default-1111", true, auditDay(-3), "")
	gmail("127.0.73.11", cur, auditDay(-3), "default-1111")
	confirm("127.0.73.11", cur, auditDay(-3).Add(time.Minute))
	// .12: a probe got in with the serial; nothing pushed.
	login("127.0.73.12", "default-serial", true, auditDay(-4), "")
	// .13: confirmed with the old credential, revoked since.
	gmail("127.0.73.13", oldCred, auditDay(-200), inventory.AdminConfigured)
	confirm("127.0.73.13", oldCred, auditDay(-200).Add(time.Minute))
	// .14: written, no test result.
	gmail("127.0.73.14", cur, auditDay(-3), inventory.AdminConfigured)
	// .15: written, test failed.
	gmail("127.0.73.15", cur, auditDay(-3), inventory.AdminConfigured)
	must(db.RecordTest(ctx, f.ids["127.0.73.15"], auditDay(-3).Add(2*time.Minute), false,
		"device reported: 535 5.7.8 Username and Password not accepted"))
	// .16: confirmed long ago, not seen since.
	gmail("127.0.73.16", cur, auditDay(-50), inventory.AdminConfigured)
	confirm("127.0.73.16", cur, auditDay(-50).Add(time.Minute))
	// .17: two defaults refused, then the configured password worked.
	login("127.0.73.17", "default-1111", false, auditDay(-3), "admin login refused")
	login("127.0.73.17", "default-serial", false, auditDay(-3), "admin login refused")
	login("127.0.73.17", inventory.AdminConfigured, true, auditDay(-3), "")
	gmail("127.0.73.17", cur, auditDay(-3), inventory.AdminConfigured)
	confirm("127.0.73.17", cur, auditDay(-3).Add(time.Minute))
	// .18: old firmware, TLS 1.0 only.
	h := gmail("127.0.73.18", cur, auditDay(-3), inventory.AdminConfigured, inventory.LimitOldTLS)
	h.TLSVersion = "TLS 1.0"
	must(db.SetHolding(ctx, h))
	f.holdings["127.0.73.18"] = h
	must(db.RecordTest(ctx, f.ids["127.0.73.18"], auditDay(-3).Add(time.Minute), false, "TLS handshake failed: protocol version not supported"))
	// .19: no SMTP encryption at all.
	h = gmail("127.0.73.19", cur, auditDay(-3), "default-other", inventory.LimitNoSMTPTLS)
	h.SMTPSecurity, h.TLSVersion = "none", ""
	must(db.SetHolding(ctx, h))
	f.holdings["127.0.73.19"] = h
	// .20: written; the model has no test button.
	gmail("127.0.73.20", cur, auditDay(-3), inventory.AdminConfigured, inventory.LimitNoTestAction)
	// .21: the certificate changed and was refused.
	gmail("127.0.73.21", cur, auditDay(-30), inventory.AdminConfigured)
	confirm("127.0.73.21", cur, auditDay(-30).Add(time.Minute))
	must(db.RecordCertMismatch(ctx, "127.0.73.21", auditFP("new cert .21")))
	// .22: the certificate changed and was accepted.
	gmail("127.0.73.22", cur, auditDay(-3), inventory.AdminConfigured)
	confirm("127.0.73.22", cur, auditDay(-3).Add(time.Minute))
	must(db.AcceptNewCert(ctx, "127.0.73.22", auditFP("new cert .22")))
	// .23: lost, retired, still holding the current credential.
	gmail("127.0.73.23", cur, auditDay(-60), inventory.AdminConfigured)
	confirm("127.0.73.23", cur, auditDay(-60).Add(time.Minute))
	must(db.RetireDevice(ctx, f.ids["127.0.73.23"], "stolen from the Annex"))

	// A push run that included some of them.
	run, err := db.StartRun(ctx, inventory.RunPush, cur.ID, map[string]any{"site": "HQ"})
	must(err)
	for ip, st := range map[string][2]string{
		"127.0.73.10": {inventory.DeviceConfirmed},
		"127.0.73.14": {inventory.DeviceWrittenUnconfirmed},
		"127.0.73.15": {inventory.DeviceFailed, "127.0.73.15: write: the device rebooted while saving: transient failure (gave up after 3 attempts; run again when the device is back)"},
		"127.0.73.17": {inventory.DeviceFailed, "127.0.73.17: login: tried user \"admin\" with the factory default password 1111, then user \"admin\" with the serial number as password: all refused"},
		"127.0.73.12": {inventory.DeviceFailed, "127.0.73.12: login: device refuses the administrator (locked out); power-cycle the device to clear its lock-out, then run again"},
		"127.0.73.16": {inventory.DeviceFailed, "127.0.73.16: open: nothing answers on HTTPS (127.0.73.16:443): transient failure (gave up after 3 attempts; run again when the device is back)"},
	} {
		must(db.SetRunDevice(ctx, run, f.ids[ip], st[0], st[1]))
	}
	must(db.FinishRun(ctx, run, inventory.RunFailed))

	// The old credential is revoked after .13 was left behind.
	clock = auditDay(-5)
	must(db.RevokeCredential(ctx, oldCred.ID))
	return f
}

// auditWant is the expected findings per address, in report order.
var auditWant = map[string][]string{
	"127.0.73.10": {},
	"127.0.73.11": {FindingDefaultAdmin},
	"127.0.73.12": {FindingLoginRefused, FindingDefaultAdmin},
	"127.0.73.13": {FindingRevokedCredential},
	"127.0.73.14": {FindingNeverConfirmed},
	"127.0.73.15": {FindingTestFailed},
	"127.0.73.16": {FindingRunFailed, FindingNotSeen},
	"127.0.73.17": {FindingFailedLogins},
	"127.0.73.18": {FindingTestFailed, FindingOldTLS},
	"127.0.73.19": {FindingNoSMTPTLS, FindingDefaultAdmin, FindingNeverConfirmed},
	"127.0.73.20": {FindingNoTestAction},
	"127.0.73.21": {FindingCertMismatch},
	"127.0.73.22": {FindingCertChanged},
	"127.0.73.23": {FindingRetiredHoldsCredential},
	"127.0.73.24": {FindingNotPushed},
}

func auditCodes(r AuditRow) []string {
	out := []string{}
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	return out
}

func auditRowByIP(t testing.TB, rep Report, ip string) AuditRow {
	t.Helper()
	for _, r := range rep.Rows {
		if r.IP == ip {
			return r
		}
	}
	t.Fatalf("no row for %s in the report", ip)
	return AuditRow{}
}

func TestAuditFindings(t *testing.T) {
	f := newAuditFixture(t)
	rep, err := Audit(context.Background(), f.db, AuditOptions{Now: auditNow, Filter: inventory.Filter{IncludeRetired: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != len(auditWant) {
		t.Fatalf("%d rows, want %d", len(rep.Rows), len(auditWant))
	}
	for _, ip := range slices.Sorted(func(yield func(string) bool) {
		for k := range auditWant {
			if !yield(k) {
				return
			}
		}
	}) {
		t.Run(ip, func(t *testing.T) {
			row := auditRowByIP(t, rep, ip)
			if got := auditCodes(row); !slices.Equal(got, auditWant[ip]) {
				t.Errorf("findings %v, want %v", got, auditWant[ip])
			}
			for _, fd := range row.Findings {
				if fd.Message == "" || fd.Action == "" || fd.Severity == "" {
					t.Errorf("finding %s incomplete: %+v", fd.Code, fd)
				}
				if strings.HasSuffix(fd.Message, ".") || strings.HasSuffix(fd.Action, ".") {
					t.Errorf("finding %s ends with a period (the renderers add punctuation): %+v", fd.Code, fd)
				}
				if FindingTitle(fd.Code) == fd.Code {
					t.Errorf("finding %s has no title in the catalogue", fd.Code)
				}
			}
			for i := 1; i < len(row.Findings); i++ {
				if row.Findings[i-1].Severity.rank() > row.Findings[i].Severity.rank() {
					t.Errorf("findings not worst first: %v", row.Findings)
				}
			}
		})
	}

	// Specific wording the technician acts on.
	checks := []struct {
		ip, code string
		in       []string
	}{
		{"127.0.73.11", FindingDefaultAdmin, []string{"admin / 1111", `address = "127.0.73.11"`, "mfpfleet push --ip 127.0.73.11 --force"}},
		{"127.0.73.12", FindingDefaultAdmin, []string{"the serial number"}},
		{"127.0.73.13", FindingRevokedCredential, []string{`"MFP HQ 2025"`, "2026-11-15", auditFP("old")[:12], "mfpfleet rotate --from"}},
		{"127.0.73.15", FindingTestFailed, []string{"535 5.7.8", "mfpfleet test --ip 127.0.73.15"}},
		{"127.0.73.16", FindingNotSeen, []string{"2026-10-06", "45 days", "--exclude 127.0.73.16"}},
		{"127.0.73.17", FindingFailedLogins, []string{"2 failed", "default 1111 ×1", "default serial ×1", "power-cycle", ResetLoginsCommand + " 127.0.73.17"}},
		{"127.0.73.18", FindingOldTLS, []string{"TLS 1.0", "TLS 1.2"}},
		{"127.0.73.18", FindingTestFailed, []string{"protocol version"}},
		{"127.0.73.19", FindingNoSMTPTLS, []string{"cannot use TLS", "relay"}},
		{"127.0.73.20", FindingNoTestAction, []string{"no test e-mail button", "mfpfleet test --wait --ip 127.0.73.20", "scan a page"}},
		{"127.0.73.21", FindingCertMismatch, []string{auditFP("new cert .21")[:12], auditFP("cert 127.0.73.21")[:12], "--accept-new-cert 127.0.73.21"}},
		{"127.0.73.22", FindingCertChanged, []string{auditFP("cert 127.0.73.22")[:12], auditFP("new cert .22")[:12]}},
		{"127.0.73.23", FindingRetiredHoldsCredential, []string{"stolen from the Annex", `"MFP HQ 2026"`, "--exclude 127.0.73.23", "myaccount.google.com/apppasswords"}},
	}
	for _, c := range checks {
		t.Run("text/"+c.ip+"/"+c.code, func(t *testing.T) {
			row := auditRowByIP(t, rep, c.ip)
			i := slices.IndexFunc(row.Findings, func(f Finding) bool { return f.Code == c.code })
			if i < 0 {
				t.Fatalf("no %s finding", c.code)
			}
			text := row.Findings[i].Message + " / " + row.Findings[i].Action
			for _, s := range c.in {
				if !strings.Contains(text, s) {
					t.Errorf("%q lacks %q", text, s)
				}
			}
		})
	}

	// Row fields.
	r := auditRowByIP(t, rep, "127.0.73.13")
	if r.CredentialLabel != "MFP HQ 2025" || r.CredentialFingerprint != auditFP("old") || !r.CredentialRevoked ||
		r.Account != "scans@acme.example" || r.AdminLogin != inventory.AdminConfigured || r.CertState != inventory.CertTrusted ||
		!r.PushedAt.Equal(auditDay(-200)) || !r.ConfirmedAt.Equal(auditDay(-200).Add(time.Minute)) || r.Serial != "3TB000013" {
		t.Errorf("row .13 = %+v", r)
	}
	if r := auditRowByIP(t, rep, "127.0.73.12"); r.AdminLogin != "default-serial" || !r.PushedAt.IsZero() || r.CredentialLabel != "" {
		t.Errorf("row .12 = %+v", r)
	}
	if r := auditRowByIP(t, rep, "127.0.73.10"); r.LastRunStatus != inventory.DeviceConfirmed || r.ShortFingerprint() != auditFP("current")[:12] {
		t.Errorf("row .10: last run %q, short fp %q", r.LastRunStatus, r.ShortFingerprint())
	}

	// Summary.
	s := rep.Summary
	want := AuditSummary{Devices: 15, Pushed: 13, Confirmed: 8, OK: 1, WithFindings: 14}
	if s.Devices != want.Devices || s.Pushed != want.Pushed || s.Confirmed != want.Confirmed || s.OK != want.OK || s.WithFindings != want.WithFindings {
		t.Errorf("summary %+v, want %+v", s, want)
	}
	perCode := map[string]int{}
	crit, warn, info := 0, 0, 0
	for _, codes := range auditWant {
		for _, c := range codes {
			perCode[c]++
			switch _, sev, _ := auditFindingKind(c); sev {
			case SeverityCritical:
				crit++
			case SeverityWarning:
				warn++
			default:
				info++
			}
		}
	}
	if s.Critical != crit || s.Warning != warn || s.Info != info {
		t.Errorf("severity counts %d/%d/%d, want %d/%d/%d", s.Critical, s.Warning, s.Info, crit, warn, info)
	}
	if len(s.Findings) != len(perCode) {
		t.Errorf("%d finding counts, want %d: %+v", len(s.Findings), len(perCode), s.Findings)
	}
	for i, fc := range s.Findings {
		if fc.Devices != perCode[fc.Code] || fc.Action == "" || fc.Title == "" {
			t.Errorf("count %+v, want %d devices", fc, perCode[fc.Code])
		}
		if i > 0 && s.Findings[i-1].Severity.rank() > fc.Severity.rank() {
			t.Errorf("finding counts not worst first at %d", i)
		}
	}

	// Credentials in use.
	if len(rep.Credentials) != 2 {
		t.Fatalf("credentials %+v", rep.Credentials)
	}
	old, cur := rep.Credentials[0], rep.Credentials[1]
	if old.Label != "MFP HQ 2025" || old.Devices != 1 || old.Confirmed != 1 || old.RevokedAt.IsZero() {
		t.Errorf("old credential %+v", old)
	}
	if cur.Label != "MFP HQ 2026" || cur.Devices != 12 || cur.Confirmed != 7 || !cur.RevokedAt.IsZero() {
		t.Errorf("current credential %+v", cur)
	}
}

func TestAuditOptions(t *testing.T) {
	f := newAuditFixture(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		opts  AuditOptions
		rows  int
		check func(t *testing.T, rep Report)
	}{
		{"retired left out by default", AuditOptions{Now: auditNow}, 14, func(t *testing.T, rep Report) {
			for _, r := range rep.Rows {
				if r.IP == "127.0.73.23" {
					t.Error("retired device listed")
				}
			}
		}},
		{"site", AuditOptions{Now: auditNow, Filter: inventory.Filter{Site: "annex"}}, 1, func(t *testing.T, rep Report) {
			if rep.Scope.Site != "annex" || rep.Rows[0].IP != "127.0.73.24" {
				t.Errorf("scope %+v rows %+v", rep.Scope, rep.Rows)
			}
		}},
		{"model", AuditOptions{Now: auditNow, Filter: inventory.Filter{Model: "versalink"}}, 2, nil},
		{"stale after 60 days", AuditOptions{Now: auditNow, StaleAfter: 60 * 24 * time.Hour}, 14, func(t *testing.T, rep Report) {
			if auditRowByIP(t, rep, "127.0.73.16").Has(FindingNotSeen) || rep.Scope.StaleAfterDays != 60 {
				t.Error("device seen 45 days ago reported stale after 60")
			}
		}},
		{"stale after 1 day", AuditOptions{Now: auditNow, StaleAfter: 36 * time.Hour}, 14, func(t *testing.T, rep Report) {
			if !auditRowByIP(t, rep, "127.0.73.24").Has(FindingNotSeen) || auditRowByIP(t, rep, "127.0.73.10").Has(FindingNotSeen) {
				t.Error("wrong stale devices for 36h")
			}
		}},
		{"stale off", AuditOptions{Now: auditNow, StaleAfter: -1}, 14, func(t *testing.T, rep Report) {
			if auditRowByIP(t, rep, "127.0.73.16").Has(FindingNotSeen) || rep.Scope.StaleAfterDays != 0 {
				t.Error("stale finding with StaleAfter < 0")
			}
		}},
		{"login budget 5", AuditOptions{Now: auditNow, LoginBudget: 5}, 14, func(t *testing.T, rep Report) {
			f := auditRowByIP(t, rep, "127.0.73.17").Findings[len(auditRowByIP(t, rep, "127.0.73.17").Findings)-1]
			if strings.Contains(f.Message, "budget") || !strings.Contains(f.Message, "may lock") {
				t.Errorf("below budget: %q", f.Message)
			}
		}},
		{"title", AuditOptions{Now: auditNow, Title: "Acme Ltd"}, 14, func(t *testing.T, rep Report) {
			if rep.Title != "Acme Ltd" || !rep.GeneratedAt.Equal(auditNow) {
				t.Errorf("title %q at %v", rep.Title, rep.GeneratedAt)
			}
		}},
		{"no match", AuditOptions{Now: auditNow, Filter: inventory.Filter{Vendor: "ricoh"}}, 0, func(t *testing.T, rep Report) {
			if rep.Summary.Devices != 0 || rep.Summary.Findings == nil || rep.Credentials == nil {
				t.Errorf("empty report %+v", rep)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Audit(ctx, f.db, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Rows) != tc.rows {
				t.Fatalf("%d rows, want %d", len(rep.Rows), tc.rows)
			}
			if tc.check != nil {
				tc.check(t, rep)
			}
		})
	}

	// A reset (after a power-cycle) clears the failed-login finding.
	if _, err := f.db.ResetFailedLogins(ctx, f.ids["127.0.73.17"]); err != nil {
		t.Fatal(err)
	}
	rep, err := Audit(ctx, f.db, AuditOptions{Now: auditNow})
	if err != nil {
		t.Fatal(err)
	}
	if r := auditRowByIP(t, rep, "127.0.73.17"); len(r.Findings) != 0 {
		t.Errorf("after reset: %v", r.Findings)
	}
	// A successful test after the failure clears last-test-failed; a push
	// of the current credential to .13 clears the revoked finding.
	if err := f.db.RecordTest(ctx, f.ids["127.0.73.15"], auditDay(-1), true, ""); err != nil {
		t.Fatal(err)
	}
	if err := f.db.MarkConfirmed(ctx, f.ids["127.0.73.15"], f.holdings["127.0.73.15"].CredentialID, auditDay(-1)); err != nil {
		t.Fatal(err)
	}
	h := f.holdings["127.0.73.10"]
	h.DeviceID, h.PushedAt = f.ids["127.0.73.13"], auditDay(-1)
	if err := f.db.SetHolding(ctx, h); err != nil {
		t.Fatal(err)
	}
	rep, err = Audit(ctx, f.db, AuditOptions{Now: auditNow})
	if err != nil {
		t.Fatal(err)
	}
	if got := auditCodes(auditRowByIP(t, rep, "127.0.73.15")); len(got) != 0 {
		t.Errorf(".15 after a good test: %v", got)
	}
	if got := auditCodes(auditRowByIP(t, rep, "127.0.73.13")); !slices.Equal(got, []string{FindingNeverConfirmed}) {
		t.Errorf(".13 after a new push: %v", got)
	}

	// A cancelled context is an error, not an empty report.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Audit(cctx, f.db, AuditOptions{Now: auditNow}); err == nil {
		t.Error("Audit with a cancelled context succeeded")
	}
}

// auditFakeDevices answers ReadSMTP from memory: the settings each
// "device" shows now. It stands in for the browser-backed reader the
// engine supplies (see TestAuditLive).
type auditFakeDevices struct {
	mu      sync.Mutex
	shows   map[string]drivers.SMTPSettings
	fail    map[string]error
	read    []string
	active  int
	maxSeen int
}

func (d *auditFakeDevices) ReadSMTP(ctx context.Context, dev inventory.Device) (drivers.SMTPSettings, error) {
	d.mu.Lock()
	d.read = append(d.read, dev.IP)
	d.active++
	d.maxSeen = max(d.maxSeen, d.active)
	s, ok := d.shows[dev.IP]
	err := d.fail[dev.IP]
	d.mu.Unlock()
	defer func() { d.mu.Lock(); d.active--; d.mu.Unlock() }()
	select { // give other workers a chance to overlap
	case <-time.After(5 * time.Millisecond):
	case <-ctx.Done():
		return drivers.SMTPSettings{}, fmt.Errorf("%s: read: %w", dev.IP, drivers.ErrTransient)
	}
	if err != nil {
		return drivers.SMTPSettings{}, err
	}
	if !ok {
		return drivers.SMTPSettings{}, fmt.Errorf("%s: no such device", dev.IP)
	}
	return s, nil
}

func TestAuditLive(t *testing.T) {
	f := newAuditFixture(t)
	ctx := context.Background()
	asPushed := func(ip string) drivers.SMTPSettings {
		h := f.holdings[ip]
		sec := drivers.SecurityStartTLS
		if h.SMTPSecurity == "none" {
			sec = drivers.SecurityNone
		}
		return drivers.SMTPSettings{Server: strings.ToUpper(h.SMTPHost), Port: h.SMTPPort, Security: sec, Auth: true,
			User: h.SMTPUser, From: h.SMTPFrom, PasswordSet: true}
	}
	fake := &auditFakeDevices{shows: map[string]drivers.SMTPSettings{}, fail: map[string]error{}}
	for ip := range f.holdings {
		fake.shows[ip] = asPushed(ip)
	}
	// .14: someone pointed it at the office relay, port 25, no auth.
	fake.shows["127.0.73.14"] = drivers.SMTPSettings{Server: "relay.acme.example", Port: 25, Security: drivers.SecurityNone, From: "scans@acme.example"}
	// .22: same server, but implicit TLS on 465 (a real change).
	s := asPushed("127.0.73.22")
	s.Port, s.Security = 465, drivers.SecuritySSLTLS
	fake.shows["127.0.73.22"] = s
	// .16: unreachable.
	fake.fail["127.0.73.16"] = fmt.Errorf("127.0.73.16: open: %w", drivers.ErrTransient)

	rep, err := Audit(ctx, f.db, AuditOptions{Now: auditNow, Live: &LiveOptions{Reader: fake, Parallel: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Scope.Live {
		t.Error("scope does not say live")
	}
	// Read: every pushed device in service, once; not .12/.24 (nothing
	// pushed) nor the retired .23.
	slices.Sort(fake.read)
	var want []string
	for ip := range f.holdings {
		if ip != "127.0.73.23" {
			want = append(want, ip)
		}
	}
	slices.Sort(want)
	if !slices.Equal(fake.read, want) {
		t.Errorf("read %v, want %v", fake.read, want)
	}
	if fake.maxSeen > 3 || fake.maxSeen < 2 {
		t.Errorf("%d reads at once with Parallel 3", fake.maxSeen)
	}

	r14 := auditRowByIP(t, rep, "127.0.73.14")
	if !r14.Has(FindingSMTPChanged) || r14.Live == nil || len(r14.Live.Differences) != 4 {
		t.Fatalf(".14 = %+v live %+v", r14.Findings, r14.Live)
	}
	for _, s := range []string{`server: pushed "smtp.gmail.com", device has "relay.acme.example"`, `port: pushed "587", device has "25"`, "security", "SMTP authentication: pushed on, device has it off"} {
		if !slices.ContainsFunc(r14.Live.Differences, func(d string) bool { return strings.Contains(d, s) }) {
			t.Errorf(".14 differences %q lack %q", r14.Live.Differences, s)
		}
	}
	r22 := auditRowByIP(t, rep, "127.0.73.22")
	if !r22.Has(FindingSMTPChanged) || len(r22.Live.Differences) != 2 {
		t.Errorf(".22 = %v %v", r22.Findings, r22.Live)
	}
	r16 := auditRowByIP(t, rep, "127.0.73.16")
	if !r16.Has(FindingLiveReadFailed) || r16.Has(FindingSMTPChanged) || !strings.Contains(r16.Live.Error, "transient") {
		t.Errorf(".16 = %v %+v", r16.Findings, r16.Live)
	}
	for _, ip := range []string{"127.0.73.10", "127.0.73.19", "127.0.73.18"} {
		r := auditRowByIP(t, rep, ip)
		if r.Has(FindingSMTPChanged) || r.Has(FindingLiveReadFailed) || r.Live == nil || r.Live.Server == "" {
			t.Errorf("%s (unchanged, case aside) = %v %+v", ip, r.Findings, r.Live)
		}
	}
	if r := auditRowByIP(t, rep, "127.0.73.12"); r.Live != nil {
		t.Errorf(".12 (nothing pushed) was read: %+v", r.Live)
	}
	for code, n := range map[string]int{FindingSMTPChanged: 2, FindingLiveReadFailed: 1} {
		if !slices.ContainsFunc(rep.Summary.Findings, func(c FindingCount) bool { return c.Code == code && c.Devices == n }) {
			t.Errorf("summary lacks %d × %s: %+v", n, code, rep.Summary.Findings)
		}
	}

	// A cancelled audit stops reading and fails.
	cctx, cancel := context.WithCancel(ctx)
	slow := SMTPReaderFunc(func(ctx context.Context, dev inventory.Device) (drivers.SMTPSettings, error) {
		cancel()
		<-ctx.Done()
		return drivers.SMTPSettings{}, ctx.Err()
	})
	if _, err := Audit(cctx, f.db, AuditOptions{Now: auditNow, Live: &LiveOptions{Reader: slow}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled live audit: %v", err)
	}
	if _, err := Audit(ctx, f.db, AuditOptions{Live: &LiveOptions{}}); err == nil {
		t.Error("live audit without a reader succeeded")
	}
}

func TestAuditSMTPDiff(t *testing.T) {
	pushed := inventory.Holding{SMTPHost: "smtp.gmail.com", SMTPPort: 465, SMTPSecurity: "ssl/tls", SMTPUser: "a@b.example", SMTPFrom: "a@b.example"}
	base := drivers.SMTPSettings{Server: "smtp.gmail.com ", Port: 465, Security: drivers.SecuritySSLTLS, Auth: true, User: "A@b.example"}
	tests := []struct {
		name string
		h    inventory.Holding
		mod  func(*drivers.SMTPSettings)
		want int
	}{
		{"same (case, spaces, no From shown)", pushed, nil, 0},
		{"ssl spelled ssl", func() inventory.Holding { h := pushed; h.SMTPSecurity = "SSL"; return h }(), nil, 0},
		{"opportunistic STARTTLS", pushed, func(s *drivers.SMTPSettings) { s.Security = drivers.SecurityStartTLSIfAvailable }, 1},
		{"other user", pushed, func(s *drivers.SMTPSettings) { s.User = "x@b.example" }, 1},
		{"auth off", pushed, func(s *drivers.SMTPSettings) { s.Auth = false }, 1},
		{"other from", pushed, func(s *drivers.SMTPSettings) { s.From = "x@b.example" }, 1},
		{"everything", pushed, func(s *drivers.SMTPSettings) {
			*s = drivers.SMTPSettings{Server: "mail", Port: 25, Security: drivers.SecurityNone, Auth: true, User: "x", From: "y"}
		}, 5},
		{"nothing recorded", inventory.Holding{}, func(s *drivers.SMTPSettings) { *s = drivers.SMTPSettings{} }, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			if tc.mod != nil {
				tc.mod(&s)
			}
			if got := auditSMTPDiff(tc.h, s); len(got) != tc.want {
				t.Errorf("differences %q, want %d", got, tc.want)
			}
		})
	}
}
