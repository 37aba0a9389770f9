package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/inventory/pgtest"
)

// TestInventoryExportImportPostgres carries an offline site's SQLite
// inventory into a real PostgreSQL with the commands a technician types:
// the audits of the two are equal, a second import adds nothing, the
// password in the URL never shows, and the HTML audit across the two
// sites groups them with their totals.
func TestInventoryExportImportPostgres(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	site := filepath.Join(dir, "site.db")
	db, err := inventory.Open(ctx, site)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range []string{"north", "north", "south"} {
		d := devices.Device{IP: "127.0.84." + string(rune('1'+i)), Serial: "3TB84000" + string(rune('1'+i)), Vendor: "xerox",
			Model: "AltaLink C8070", Site: s, IsPrinter: true}
		id, _, err := db.UpsertDevice(ctx, d, time.Now().Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.RecordLoginAttempt(ctx, id, inventory.LoginAttempt{Kind: "default-1111", User: "admin", Error: "denied"}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	out := filepath.Join(dir, "north.json")
	r := mfpfleet(t, "", "--db", site, "inventory", "export", "--out", out)
	if r.code != 0 || !strings.Contains(r.stdout, "exported 3 devices") {
		t.Fatalf("export: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "hmac_key") {
		t.Error("the export holds the fingerprint key")
	}

	srv := pgtest.Private(t)
	url := strings.Replace(srv.URL("postgres"), "postgres@", "postgres:sekrit-pw@", 1)
	cfg := filepath.Join(dir, "central.toml")
	writeFile(t, cfg, "[inventory]\npath = \""+url+"\"\n")
	r = mfpfleet(t, "", "--config", cfg, "--json", "inventory", "import", out)
	if r.code != 0 {
		t.Fatalf("import: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	var sum inventory.ImportSummary
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || sum.DevicesNew != 3 || sum.LoginAttemptsNew != 3 {
		t.Fatalf("import summary %+v, %v: %s", sum, err, r.stdout)
	}
	r = mfpfleet(t, "", "--db", url, "inventory", "import", out)
	if r.code != 0 || !strings.Contains(r.stdout, "0 new devices, 3 merged") || !strings.Contains(r.stdout, "0 new runs") {
		t.Fatalf("second import: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "sekrit-pw") {
		t.Errorf("the database password was printed: %s %s", r.stdout, r.stderr)
	}

	audit := func(db string) map[string]any {
		t.Helper()
		r := mfpfleet(t, "", "--db", db, "--json", "audit", "--stale-days", "0")
		if r.code != 0 && r.code != 1 && !strings.HasPrefix(r.stdout, "{") {
			t.Fatalf("audit %s: exit %d: %s", db, r.code, r.stderr)
		}
		var rep map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("audit %s: %v: %s", db, err, r.stdout)
		}
		for _, k := range []string{"generated_at", "title", "scope"} {
			delete(rep, k)
		}
		for _, d := range rep["devices"].([]any) {
			delete(d.(map[string]any), "device_id")
		}
		return rep
	}
	a, b := audit(site), audit(url)
	ja, _ := json.MarshalIndent(a, "", " ")
	jb, _ := json.MarshalIndent(b, "", " ")
	if string(ja) != string(jb) {
		t.Fatalf("audit of the site file and of PostgreSQL differ:\n%s\n---\n%s", ja, jb)
	}
	if !strings.Contains(string(jb), `"failed_logins": 1`) {
		t.Errorf("the audit lost the failed logins: %s", jb)
	}

	html := filepath.Join(dir, "audit.html")
	r = mfpfleet(t, "", "--db", url, "audit", "--site", "north", "--site", "SOUTH", "--html", html)
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatalf("audit --html: exit %d: %v %s", r.code, err, r.stderr)
	}
	for _, want := range []string{`data-site-group="north"`, `data-site-group="south"`, `<tr data-site="north"><td>north</td><td>2</td>`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the HTML audit lacks %s", want)
		}
	}
	r = mfpfleet(t, "", "--db", url, "--json", "audit", "--site", "south")
	if !strings.Contains(r.stdout, `"site": "south"`) || strings.Contains(r.stdout, `"site": "north"`) {
		t.Errorf("audit --site south: %s", r.stdout)
	}
}
