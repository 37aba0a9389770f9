package inventory

import (
	"bytes"
	"context"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices"
)

// TestLoginTextsMigration: an inventory written before login kinds were
// data (schema 3) reads, after the migration, with the wording the audit
// used for its kinds; new records keep the wording they are given; an
// unknown kind stays without one.
func TestLoginTextsMigration(t *testing.T) {
	ctx := context.Background()
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = saved[:3]
	path := testTarget(t)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for i, kind := range []string{AdminConfigured, AdminDefault1111, AdminDefaultSerial, AdminDefaultOther, "default-gadget"} {
		id, _, err := db.UpsertDevice(ctx, devices.Device{IP: "127.0.61." + string(rune('1'+i)), Serial: "OLD" + kind, Vendor: "xerox", Model: "AltaLink C8045"}, day(1))
		if err != nil {
			t.Fatal(err)
		}
		ids[kind] = id
		if err := db.write(ctx, func(tx querier) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO holdings (device_id, admin_login, updated_at) VALUES (?, ?, ?)`, id, kind, tsv(day(1))); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO login_attempts (device_id, kind, "user", ok, at) VALUES (?, ?, 'admin', 0, ?)`, id, kind, tsv(day(1)))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	migrations = saved
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := map[string]LoginText{
		AdminConfigured:    {"the configured password", "configured"},
		AdminDefault1111:   {"the factory default password (admin / 1111)", "default 1111"},
		AdminDefaultSerial: {"the factory default password (the serial number)", "default serial"},
		AdminDefaultOther:  {"a vendor factory default password", "vendor default"},
		"default-gadget":   {},
	}
	for kind, w := range want {
		h, err := db.Holding(ctx, ids[kind])
		if err != nil {
			t.Fatal(err)
		}
		if h.AdminLogin != kind || h.AdminLoginText != w.Text || h.AdminLoginShort != w.Short {
			t.Errorf("holding %s: %q %q %q, want %q %q", kind, h.AdminLogin, h.AdminLoginText, h.AdminLoginShort, w.Text, w.Short)
		}
		at, err := db.LoginAttempts(ctx, ids[kind], 0)
		if err != nil || len(at) != 1 || at[0].Text != w.Text || at[0].Short != w.Short {
			t.Errorf("login attempt %s: %+v %v, want %q %q", kind, at, err, w.Text, w.Short)
		}
	}

	// New records carry their driver's wording.
	if err := db.LoginLedger().RecordLoginAttemptText(ctx, "serial:OLDdefault-gadget", "default-gadget", "the gadget's PIN", "gadget PIN", "", true, ""); err != nil {
		t.Fatal(err)
	}
	texts, err := db.LoginTexts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want["default-gadget"] = LoginText{"the gadget's PIN", "gadget PIN"}
	for kind, w := range want {
		if texts[kind] != w {
			t.Errorf("LoginTexts[%s] = %+v, want %+v", kind, texts[kind], w)
		}
	}
}

// TestImportOldExportWording: an export written before schema 4 carries
// login kinds without their wording; importing it gives them the
// migration's wording, while a current export's empty wording stays so.
func TestImportOldExportWording(t *testing.T) {
	ctx := context.Background()
	src := openTest(t)
	id, _, err := src.UpsertDevice(ctx, devices.Device{IP: "127.0.61.20", Serial: "OLDEXP1", Vendor: "xerox", Model: "AltaLink C8045"}, day(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := src.RecordLoginAttempt(ctx, id, LoginAttempt{Kind: AdminDefault1111, User: "admin", At: day(1), Error: "denied"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		schema int
		want   string
	}{{3, "the factory default password (admin / 1111)"}, {SchemaVersion(), ""}} {
		var buf bytes.Buffer
		if _, err := src.ExportTo(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		exp, err := ReadExport(&buf)
		if err != nil {
			t.Fatal(err)
		}
		exp.Schema = tc.schema
		dst := openTest(t)
		if _, err := dst.Import(ctx, exp); err != nil {
			t.Fatal(err)
		}
		did, err := dst.DeviceIDByKey(ctx, "serial:OLDEXP1")
		if err != nil {
			t.Fatal(err)
		}
		at, err := dst.LoginAttempts(ctx, did, 0)
		if err != nil || len(at) != 1 || at[0].Text != tc.want {
			t.Errorf("schema %d: imported attempts %+v %v, want wording %q", tc.schema, at, err, tc.want)
		}
	}
}
