package audit

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/inventory"
)

// BenchmarkAudit measures the audit of a 500-device inventory (every
// device pushed, a third with findings) and each renderer:
//
//	go test ./audit -run '^$' -bench Audit -benchmem
func BenchmarkAudit(b *testing.B) {
	ctx := context.Background()
	db, err := inventory.Open(ctx, filepath.Join(b.TempDir(), "fleet.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	cred, _, err := db.AddCredential(ctx, "scans@acme.example", "MFP bench", auditFP("bench"))
	if err != nil {
		b.Fatal(err)
	}
	const n = 500
	for i := range n {
		d := auditXerox(fmt.Sprintf("127.0.%d.%d", 73+i/250, 1+i%250), "AltaLink C8045", fmt.Sprintf("3TB%06d", i), "xerox/connectkey")
		id, _, err := db.UpsertDevice(ctx, d, auditNow.Add(-time.Duration(i)*time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		kind := inventory.AdminConfigured
		if i%3 == 0 {
			kind = "default-1111"
		}
		if err := db.SetHolding(ctx, inventory.Holding{DeviceID: id, CredentialID: cred.ID, Account: cred.Account,
			PushedAt: auditNow.Add(-time.Hour), AdminLogin: kind, SMTPHost: "smtp.gmail.com", SMTPPort: 587, SMTPSecurity: "starttls"}); err != nil {
			b.Fatal(err)
		}
		if i%2 == 0 {
			if err := db.MarkConfirmed(ctx, id, cred.ID, auditNow); err != nil {
				b.Fatal(err)
			}
		}
	}
	rep, err := Audit(ctx, db, AuditOptions{Now: auditNow})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("audit", func(b *testing.B) {
		for b.Loop() {
			if _, err := Audit(ctx, db, AuditOptions{Now: auditNow}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, r := range []struct {
		name string
		w    func(io.Writer, Report) error
	}{{"table", WriteTable}, {"csv", WriteCSV}, {"json", WriteJSON}, {"html", WriteHTML}} {
		b.Run(r.name, func(b *testing.B) {
			for b.Loop() {
				if err := r.w(io.Discard, rep); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
