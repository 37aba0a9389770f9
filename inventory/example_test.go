package inventory_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/inventory"
)

// A discovery, a push with its journal, and the audit row it leaves.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "inventory-example")
	defer os.RemoveAll(dir)
	db, err := inventory.Open(ctx, filepath.Join(dir, "fleet.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	id, isNew, _ := db.UpsertDevice(ctx, devices.Device{IP: "127.0.60.1", Vendor: "xerox", Model: "AltaLink C8070", Serial: "3TB123456"}, time.Now())
	fmt.Println("new device:", isNew)

	// The caller normalised the app password; only its fingerprint is stored.
	cred, _, _ := db.AddCredential(ctx, "scans@example.com", "MFP AltaLink C8070 3TB123456", db.Fingerprint("abcdefghijklmnop"))

	run, _ := db.StartRun(ctx, inventory.RunPush, cred.ID, map[string]any{"ip": "127.0.60.1"})
	_ = db.SetRunDevice(ctx, run, id, inventory.DeviceRunning, "")
	_ = db.RecordLoginAttempt(ctx, id, inventory.LoginAttempt{Kind: "default-1111", User: "admin", OK: true})
	_, _ = db.RecordStep(ctx, inventory.Step{RunID: run, DeviceID: id, Step: inventory.StepLogin, Status: inventory.StepOK})
	_ = db.SetHolding(ctx, inventory.Holding{DeviceID: id, CredentialID: cred.ID, Account: cred.Account, RunID: run,
		PushedAt: time.Now(), AdminLogin: "default-1111", SMTPHost: "smtp.gmail.com", SMTPPort: 587, SMTPSecurity: "starttls"})
	_ = db.MarkConfirmed(ctx, id, cred.ID, time.Now())
	_ = db.SetRunDevice(ctx, run, id, inventory.DeviceConfirmed, "")
	_ = db.FinishRun(ctx, run, inventory.RunSucceeded)

	rows, _ := db.AuditRows(ctx, inventory.Filter{})
	for _, r := range rows {
		fmt.Println(r.Device.IP, r.Device.Serial, r.Credential.Label, "confirmed:", r.Confirmed(), "default admin:", r.DefaultAdmin())
	}
	// Output:
	// new device: true
	// 127.0.60.1 3TB123456 MFP AltaLink C8070 3TB123456 confirmed: true default admin: true
}
