package inventory

import (
	"context"
	"errors"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices"
)

// The drivers package declares these interfaces; the inventory (or its
// key-based ledger) must keep satisfying them.
var (
	_ interface {
		CertFingerprint(ctx context.Context, address string) (fp string, ok bool, err error)
		SetCertFingerprint(ctx context.Context, address, fp string) error
		AcceptNewCert(ctx context.Context, address, fp string) error
		RecordCertMismatch(ctx context.Context, address, fp string) error
	} = (*DB)(nil)
	_ interface {
		FailedLogins(ctx context.Context, deviceKey string) (total int, byKind map[string]int, err error)
		RecordLoginAttempt(ctx context.Context, deviceKey, kind, user string, ok bool, errText string) error
	} = LoginLedger{}
)

func TestDeviceIDByKeyAndLedger(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	full := xerox("127.0.60.120", "3TB000120", "9c:93:4e:00:01:20")
	id, _, err := db.UpsertDevice(ctx, full, day(0))
	if err != nil {
		t.Fatal(err)
	}
	keys := []struct {
		key     string
		want    int64
		wantErr error
	}{
		{key: full.Key(), want: id},
		{key: "mac:9C:93:4E:00:01:20", want: id},
		{key: "ip:127.0.60.120", want: id},
		{key: "id:1", want: id},
		{key: "serial:nope", wantErr: ErrNotFound},
		{key: "ip:127.0.60.121", wantErr: ErrNotFound},
		{key: "nonsense"},
		{key: "host:x"},
	}
	for _, tc := range keys {
		t.Run(tc.key, func(t *testing.T) {
			got, err := db.DeviceIDByKey(ctx, tc.key)
			switch {
			case tc.want != 0:
				if err != nil || got != tc.want {
					t.Errorf("= %d, %v; want %d", got, err, tc.want)
				}
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("= %d, %v; want %v", got, err, tc.wantErr)
				}
			default:
				if err == nil || errors.Is(err, ErrNotFound) {
					t.Errorf("malformed key: %v", err)
				}
			}
		})
	}

	ledger := db.LoginLedger()
	if err := ledger.RecordLoginAttempt(ctx, full.Key(), AdminDefault1111, "admin", false, "wrong password"); err != nil {
		t.Fatal(err)
	}
	total, byKind, err := ledger.FailedLogins(ctx, full.Key())
	if err != nil || total != 1 || byKind[AdminDefault1111] != 1 {
		t.Errorf("FailedLogins = %d %v %v", total, byKind, err)
	}
	// A device never discovered (push --ip) is recorded from its key.
	unknown := devices.Device{IP: "127.0.60.121"}
	if total, byKind, err := ledger.FailedLogins(ctx, unknown.Key()); err != nil || total != 0 || byKind == nil {
		t.Errorf("unknown device: %d %v %v", total, byKind, err)
	}
	if err := ledger.RecordLoginAttempt(ctx, unknown.Key(), AdminDefaultSerial, "admin", false, "wrong password"); err != nil {
		t.Fatal(err)
	}
	if total, _, err := ledger.FailedLogins(ctx, unknown.Key()); err != nil || total != 1 {
		t.Errorf("after recording on an unknown device: %d %v", total, err)
	}
	if d, err := db.FindDevice(ctx, "127.0.60.121"); err != nil || d.Serial != "" {
		t.Errorf("device created from key: %+v %v", d, err)
	}
}
