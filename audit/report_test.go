package audit

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/inventory"
)

// -update rewrites the golden files under testdata/. The flag is shared
// with the other tests of the package: define it only if nobody has.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files in testdata/")
	}
}

func auditUpdating() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	b, _ := g.Get().(bool)
	return b
}

// auditGolden compares got with testdata/name, or rewrites it with -update.
func auditGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if auditUpdating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./rollout -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update if the change is intended):\n--- got\n%s", path, got)
	}
}

// auditFixtureReport is the fixture's full report (retired included).
func auditFixtureReport(t *testing.T) Report {
	t.Helper()
	f := newAuditFixture(t)
	rep, err := Audit(context.Background(), f.db, AuditOptions{Now: auditNow, Title: "Acme Ltd: scan-to-email audit",
		Filter: inventory.Filter{IncludeRetired: true}})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestAuditRenderGolden(t *testing.T) {
	rep := auditFixtureReport(t)
	for _, tc := range []struct {
		name  string
		write func(*bytes.Buffer, Report) error
	}{
		{"audit_report.txt", func(b *bytes.Buffer, r Report) error { return WriteTable(b, r) }},
		{"audit_report.csv", func(b *bytes.Buffer, r Report) error { return WriteCSV(b, r) }},
		{"audit_report.json", func(b *bytes.Buffer, r Report) error { return WriteJSON(b, r) }},
		{"audit_report.html", func(b *bytes.Buffer, r Report) error { return WriteHTML(b, r) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b, rep); err != nil {
				t.Fatal(err)
			}
			auditGolden(t, tc.name, b.Bytes())
		})
	}
}

func TestAuditJSON(t *testing.T) {
	rep := auditFixtureReport(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		GeneratedAt string                       `json:"generated_at"`
		Summary     map[string]any               `json:"summary"`
		Devices     []map[string]json.RawMessage `json:"devices"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.GeneratedAt != "2026-11-20T09:30:00Z" || len(doc.Devices) != len(rep.Rows) {
		t.Fatalf("generated_at %q, %d devices", doc.GeneratedAt, len(doc.Devices))
	}
	// The fields the issue names are present on every row, whatever the
	// device's state.
	required := []string{"ip", "serial", "account", "credential_label", "credential_fingerprint", "pushed_at", "confirmed_at", "admin_login", "findings"}
	for i, d := range doc.Devices {
		for _, k := range required {
			if _, ok := d[k]; !ok {
				t.Errorf("device %d lacks %q", i, k)
			}
		}
		var fs []Finding
		if err := json.Unmarshal(d["findings"], &fs); err != nil || fs == nil {
			t.Errorf("device %d findings = %s (%v), want an array", i, d["findings"], err)
		}
	}
	byIP := map[string]map[string]json.RawMessage{}
	for _, d := range doc.Devices {
		var ip string
		json.Unmarshal(d["ip"], &ip) //nolint:errcheck // checked by the lookups below
		byIP[ip] = d
	}
	tests := []struct{ ip, key, want string }{
		{"127.0.73.13", "credential_fingerprint", `"` + auditFP("old") + `"`}, // full, not short
		{"127.0.73.13", "pushed_at", `"2026-05-04T09:30:00Z"`},
		{"127.0.73.14", "confirmed_at", `null`},
		{"127.0.73.24", "pushed_at", `null`},
		{"127.0.73.24", "credential_label", `""`},
		{"127.0.73.11", "admin_login", `"default-1111"`},
		{"127.0.73.12", "admin_login", `"default-serial"`},
		{"127.0.73.10", "findings", `[]`},
	}
	for _, tc := range tests {
		if got := string(byIP[tc.ip][tc.key]); got != tc.want {
			t.Errorf("%s %s = %s, want %s", tc.ip, tc.key, got, tc.want)
		}
	}
}

func TestAuditCSV(t *testing.T) {
	rep := auditFixtureReport(t)
	rep.Rows[0].Location = "=HYPERLINK(\"http://x.example\",\"click\")"
	rep.Rows[1].Location = "line one\nline two, \"quoted\"\x1b[31m"
	var b bytes.Buffer
	if err := WriteCSV(&b, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\r\n") {
		t.Error("CSV lines do not end in CRLF (RFC 4180)")
	}
	recs, err := csv.NewReader(bytes.NewReader(b.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(rep.Rows)+1 {
		t.Fatalf("%d records, want header + %d", len(recs), len(rep.Rows))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, k := range []string{"ip", "serial", "account", "credential_label", "credential_fingerprint", "pushed_at", "confirmed_at", "admin_login", "findings"} {
		if _, ok := col[k]; !ok {
			t.Errorf("no %q column", k)
		}
	}
	for i, r := range recs[1:] {
		if len(r) != len(CSVHeader) {
			t.Errorf("record %d has %d fields", i, len(r))
		}
		if r[col["ip"]] != rep.Rows[i].IP {
			t.Errorf("record %d is %s, want %s (one row per device, in order)", i, r[col["ip"]], rep.Rows[i].IP)
		}
	}
	if got := recs[1][col["location"]]; got != `'=HYPERLINK("http://x.example","click")` {
		t.Errorf("formula not defused: %q", got)
	}
	if got := recs[2][col["location"]]; got != `line one line two, "quoted" [31m` {
		t.Errorf("control characters kept: %q", got)
	}
	r19 := recs[10]
	if r19[col["ip"]] != "127.0.73.19" || r19[col["finding_codes"]] != "firmware-no-smtp-tls default-admin-password never-confirmed" ||
		strings.Count(r19[col["findings"]], " | ") != 2 || r19[col["smtp_security"]] != "none" {
		t.Errorf(".19 record %q", r19)
	}
}

func TestAuditHTMLEscapes(t *testing.T) {
	rep := auditFixtureReport(t)
	rep.Title = `Acme <b>"HQ"</b>`
	var b bytes.Buffer
	if err := WriteHTML(&b, rep); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, bad := range []string{"<script", "<img", "<b>mfp", `<b>"HQ"`, "onerror=\"", "http://", "src=\"http", "<link", "@import"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	for _, good := range []string{"&lt;script&gt;window.__pwned=1&lt;/script&gt;", "Acme &lt;b&gt;&#34;HQ&#34;&lt;/b&gt;"} {
		if !strings.Contains(html, good) {
			t.Errorf("HTML lacks the escaped %q", good)
		}
	}
	if n := strings.Count(html, "<tr data-ip="); n != len(rep.Rows) {
		t.Errorf("%d device rows, want %d", n, len(rep.Rows))
	}
}

// TestAuditNoSecrets renders every format from an inventory that once
// fingerprinted real app passwords and checks none of them appears.
func TestAuditNoSecrets(t *testing.T) {
	f := newAuditFixture(t)
	ctx := context.Background()
	secrets := []string{"abcdwxyzabcdwxyz", "qrstqrstqrstqrst"}
	for i, s := range secrets {
		c, _, err := f.db.AddCredential(ctx, "scans@acme.example", "MFP real "+string(rune('A'+i)), f.db.Fingerprint(s))
		if err != nil {
			t.Fatal(err)
		}
		h := f.holdings["127.0.73.10"]
		h.CredentialID, h.DeviceID = c.ID, f.ids[[]string{"127.0.73.10", "127.0.73.11"}[i]]
		if err := f.db.SetHolding(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Audit(ctx, f.db, AuditOptions{Now: auditNow})
	if err != nil {
		t.Fatal(err)
	}
	var all bytes.Buffer
	for _, w := range []func(*bytes.Buffer, Report) error{
		func(b *bytes.Buffer, r Report) error { return WriteTable(b, r) },
		func(b *bytes.Buffer, r Report) error { return WriteCSV(b, r) },
		func(b *bytes.Buffer, r Report) error { return WriteJSON(b, r) },
		func(b *bytes.Buffer, r Report) error { return WriteHTML(b, r) },
	} {
		if err := w(&all, rep); err != nil {
			t.Fatal(err)
		}
	}
	out := strings.ToLower(all.String())
	for _, s := range secrets {
		spaced := s[:4] + " " + s[4:8] + " " + s[8:12] + " " + s[12:]
		if strings.Contains(out, s) || strings.Contains(out, spaced) {
			t.Errorf("an app password appears in the output")
		}
	}
	if !strings.Contains(all.String(), "MFP real A") {
		t.Error("the label of the credential is missing")
	}
}

func TestAuditRenderEmpty(t *testing.T) {
	f := newAuditFixture(t)
	rep, err := Audit(context.Background(), f.db, AuditOptions{Now: auditNow, Filter: inventory.Filter{Site: "nowhere"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		write func(*bytes.Buffer, Report) error
		want  []string
	}{
		{"table", func(b *bytes.Buffer, r Report) error { return WriteTable(b, r) }, []string{"0 devices", "no devices match", "mfpfleet discover"}},
		{"csv", func(b *bytes.Buffer, r Report) error { return WriteCSV(b, r) }, []string{strings.Join(CSVHeader, ",") + "\r\n"}},
		{"json", func(b *bytes.Buffer, r Report) error { return WriteJSON(b, r) }, []string{`"devices": []`, `"credentials": []`, `"findings": []`, `"site": "nowhere"`}},
		{"html", func(b *bytes.Buffer, r Report) error { return WriteHTML(b, r) }, []string{"No devices match", `data-count="devices">0<`, "site nowhere"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b, rep); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, b.String())
				}
			}
		})
	}
}
