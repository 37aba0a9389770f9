package inventory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
)

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }

func xerox(ip, serial, mac string) devices.Device {
	return devices.Device{IP: ip, Vendor: "xerox", Model: "AltaLink C8070", Serial: serial, MAC: mac,
		Firmware: "103.008.000", SysName: "mfp-" + serial, SysDescr: "Xerox AltaLink C8070", SysObjectID: "1.3.6.1.4.1.253.8.62.1.1",
		Location: "2nd floor", Site: "HQ", Family: "xerox/connectkey", IsPrinter: true, SNMPVersion: "2c"}
}

type sighting struct {
	d    devices.Device
	seen time.Time
}

type wantDevice struct {
	ip, serial, mac string
	addresses       []string
	superseded      bool
}

func TestUpsertDevice(t *testing.T) {
	v3only := devices.Device{IP: "127.0.60.9", SNMPVersion: "3", CredentialsNeeded: true, EngineID: "80001f8880"}
	v3found := xerox("127.0.60.9", "3TB000009", "")
	v3found.SNMPVersion = "3"
	tests := []struct {
		name      string
		sightings []sighting
		wantNew   []bool
		want      []wantDevice
	}{
		{
			name:      "rediscovery updates one device",
			sightings: []sighting{{xerox("127.0.60.1", "3TB000001", "9c:93:4e:00:00:01"), day(0)}, {xerox("127.0.60.1", "3TB000001", "9c:93:4e:00:00:01"), day(1)}},
			wantNew:   []bool{true, false},
			want:      []wantDevice{{ip: "127.0.60.1", serial: "3TB000001", mac: "9c:93:4e:00:00:01", addresses: []string{"127.0.60.1"}}},
		},
		{
			name: "dhcp move keeps one device with two addresses",
			sightings: []sighting{
				{xerox("127.0.60.1", "3TB000001", "9c:93:4e:00:00:01"), day(0)},
				{xerox("127.0.60.2", "3TB000001", "9c:93:4e:00:00:01"), day(1)},
			},
			wantNew: []bool{true, false},
			want:    []wantDevice{{ip: "127.0.60.2", serial: "3TB000001", mac: "9c:93:4e:00:00:01", addresses: []string{"127.0.60.2", "127.0.60.1"}}},
		},
		{
			name: "address then serial merges",
			sightings: []sighting{
				{v3only, day(0)},
				{v3found, day(1)},
			},
			wantNew: []bool{true, false},
			want:    []wantDevice{{ip: "127.0.60.9", serial: "3TB000009", addresses: []string{"127.0.60.9"}}},
		},
		{
			name: "address-only record merges into an existing serial",
			sightings: []sighting{
				{xerox("127.0.60.3", "3TB000003", ""), day(0)},                      // seen at .3
				{devices.Device{IP: "127.0.60.4", CredentialsNeeded: true}, day(1)}, // something at .4, no identity
				{xerox("127.0.60.4", "3TB000003", ""), day(2)},                      // it was the same printer
			},
			wantNew: []bool{true, true, false},
			want:    []wantDevice{{ip: "127.0.60.4", serial: "3TB000003", addresses: []string{"127.0.60.4", "127.0.60.3"}}},
		},
		{
			name: "mac then serial merges",
			sightings: []sighting{
				{devices.Device{IP: "127.0.60.5", MAC: "9C:93:4E:00:00:05", Vendor: "xerox"}, day(0)},
				{xerox("127.0.60.6", "3TB000005", "9c:93:4e:00:00:05"), day(1)},
			},
			wantNew: []bool{true, false},
			want:    []wantDevice{{ip: "127.0.60.6", serial: "3TB000005", mac: "9c:93:4e:00:00:05", addresses: []string{"127.0.60.6", "127.0.60.5"}}},
		},
		{
			name: "empty values do not blank known ones",
			sightings: []sighting{
				{xerox("127.0.60.7", "3TB000007", "9c:93:4e:00:00:07"), day(0)},
				{devices.Device{IP: "127.0.60.7", Serial: "3TB000007"}, day(1)},
			},
			wantNew: []bool{true, false},
			want:    []wantDevice{{ip: "127.0.60.7", serial: "3TB000007", mac: "9c:93:4e:00:00:07", addresses: []string{"127.0.60.7"}}},
		},
		{
			name: "another printer takes the address",
			sightings: []sighting{
				{xerox("127.0.60.8", "3TB000008", ""), day(0)},
				{xerox("127.0.60.8", "3TB000018", ""), day(1)},
			},
			wantNew: []bool{true, true},
			want: []wantDevice{
				{ip: "127.0.60.8", serial: "3TB000008", addresses: []string{"127.0.60.8"}, superseded: true},
				{ip: "127.0.60.8", serial: "3TB000018", addresses: []string{"127.0.60.8"}},
			},
		},
		{
			name: "conflicting mac at the address is another device",
			sightings: []sighting{
				{devices.Device{IP: "127.0.60.10", MAC: "9c:93:4e:00:00:10"}, day(0)},
				{devices.Device{IP: "127.0.60.10", MAC: "9c:93:4e:00:00:11"}, day(1)},
			},
			wantNew: []bool{true, true},
			want: []wantDevice{
				{ip: "127.0.60.10", mac: "9c:93:4e:00:00:10", addresses: []string{"127.0.60.10"}, superseded: true},
				{ip: "127.0.60.10", mac: "9c:93:4e:00:00:11", addresses: []string{"127.0.60.10"}},
			},
		},
		{
			name: "two moves and back",
			sightings: []sighting{
				{xerox("127.0.60.11", "3TB000011", ""), day(0)},
				{xerox("127.0.60.12", "3TB000011", ""), day(1)},
				{xerox("127.0.60.11", "3TB000011", ""), day(2)},
			},
			wantNew: []bool{true, false, false},
			want:    []wantDevice{{ip: "127.0.60.11", serial: "3TB000011", addresses: []string{"127.0.60.11", "127.0.60.12"}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := openTest(t)
			for i, s := range tc.sightings {
				_, isNew, err := db.UpsertDevice(ctx, s.d, s.seen)
				if err != nil {
					t.Fatalf("sighting %d: %v", i, err)
				}
				if isNew != tc.wantNew[i] {
					t.Errorf("sighting %d: isNew = %v, want %v", i, isNew, tc.wantNew[i])
				}
			}
			ds, err := db.ListDevices(ctx, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != len(tc.want) {
				t.Fatalf("%d devices, want %d: %+v", len(ds), len(tc.want), ds)
			}
			for i, w := range tc.want {
				d := ds[i]
				if d.IP != w.ip || d.Serial != w.serial || d.MAC != w.mac || d.AddressSuperseded != w.superseded {
					t.Errorf("device %d = ip %s serial %s mac %s superseded %v; want %+v", i, d.IP, d.Serial, d.MAC, d.AddressSuperseded, w)
				}
				addrs, err := db.DeviceAddresses(ctx, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, a := range addrs {
					got = append(got, a.Address)
				}
				if !slices.Equal(got, w.addresses) {
					t.Errorf("device %d addresses %v, want %v", i, got, w.addresses)
				}
				if d.FirstSeen.After(d.LastSeen) || d.FirstSeen.IsZero() {
					t.Errorf("device %d seen %v..%v", i, d.FirstSeen, d.LastSeen)
				}
			}
		})
	}
}

func TestUpsertKeepsFieldsAndHistory(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	full := xerox("127.0.60.20", "3TB000020", "9c:93:4e:00:00:20")
	id, _, err := db.UpsertDevice(ctx, full, day(0))
	if err != nil {
		t.Fatal(err)
	}
	newer := full
	newer.Firmware = "104.000.000"
	newer.IP = "127.0.60.21"
	newer.Location = ""
	if _, _, err := db.UpsertDevice(ctx, newer, day(3)); err != nil {
		t.Fatal(err)
	}
	d, err := db.GetDevice(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Firmware != "104.000.000" || d.Location != "2nd floor" || d.Model != "AltaLink C8070" || d.Family != "xerox/connectkey" {
		t.Errorf("device after update: %+v", d.Device)
	}
	if !d.FirstSeen.Equal(day(0)) || !d.LastSeen.Equal(day(3)) {
		t.Errorf("seen %v..%v, want %v..%v", d.FirstSeen, d.LastSeen, day(0), day(3))
	}
	addrs, err := db.DeviceAddresses(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := []Address{{"127.0.60.21", day(3), day(3)}, {"127.0.60.20", day(0), day(0)}}
	if !slices.Equal(addrs, want) {
		t.Errorf("addresses %+v, want %+v", addrs, want)
	}
	if _, _, err := db.UpsertDevice(ctx, devices.Device{}, day(1)); err == nil {
		t.Error("a device with no address, serial or MAC was accepted")
	}
}

func TestMergeMovesHistory(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	// An SNMPv3 agent is first known by address only; mfpfleet logs into
	// it, records a holding and journal; later discovery learns its serial
	// while a record with that serial already exists from another address.
	serialID, _, err := db.UpsertDevice(ctx, xerox("127.0.60.30", "3TB000030", ""), day(0))
	if err != nil {
		t.Fatal(err)
	}
	addrID, _, err := db.UpsertDevice(ctx, devices.Device{IP: "127.0.60.31", CredentialsNeeded: true}, day(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordLoginAttempt(ctx, addrID, LoginAttempt{Kind: AdminDefault1111, User: "admin", At: day(1), Error: "bad password"}); err != nil {
		t.Fatal(err)
	}
	cred, _, err := db.AddCredential(ctx, "a@example.com", "MFP x", db.Fingerprint("abcdefghijklmnop"))
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.StartRun(ctx, RunPush, cred.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetRunDevice(ctx, run, addrID, DeviceFailed, "login: bad password"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordStep(ctx, Step{RunID: run, DeviceID: addrID, Step: StepLogin, Status: StepFailed}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetHolding(ctx, Holding{DeviceID: addrID, CredentialID: cred.ID, Account: "a@example.com", PushedAt: day(1)}); err != nil {
		t.Fatal(err)
	}

	id, isNew, err := db.UpsertDevice(ctx, xerox("127.0.60.31", "3TB000030", ""), day(2))
	if err != nil {
		t.Fatal(err)
	}
	if id != serialID || isNew {
		t.Fatalf("merged into %d (new %v), want %d", id, isNew, serialID)
	}
	if _, err := db.GetDevice(ctx, addrID); !errors.Is(err, ErrNotFound) {
		t.Errorf("address-only record still there: %v", err)
	}
	total, _, err := db.FailedLogins(ctx, id)
	if err != nil || total != 1 {
		t.Errorf("failed logins after merge = %d, %v; want 1", total, err)
	}
	h, err := db.Holding(ctx, id)
	if err != nil || h.CredentialID != cred.ID {
		t.Errorf("holding after merge = %+v, %v", h, err)
	}
	rds, err := db.RunDevices(ctx, run)
	if err != nil || len(rds) != 1 || rds[0].DeviceID != id {
		t.Errorf("run devices after merge = %+v, %v", rds, err)
	}
	steps, err := db.Steps(ctx, run, id)
	if err != nil || len(steps) != 1 {
		t.Errorf("steps after merge = %+v, %v", steps, err)
	}
	addrs, err := db.DeviceAddresses(ctx, id)
	if err != nil || len(addrs) != 2 {
		t.Errorf("addresses after merge = %+v, %v", addrs, err)
	}
}

func TestFindAndListDevices(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	mk := func(ip, serial, site, vendor, model string) int64 {
		t.Helper()
		id, _, err := db.UpsertDevice(ctx, devices.Device{IP: ip, Serial: serial, Site: site, Vendor: vendor, Model: model,
			MAC: fmt.Sprintf("02:00:00:00:00:%02x", len(serial)+int(ip[len(ip)-1]))}, day(0))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	a := mk("127.0.60.40", "3TB000040", "HQ", "xerox", "AltaLink C8070")
	b := mk("127.0.60.100", "3TB000041", "HQ", "xerox", "VersaLink C405")
	c := mk("127.0.60.9", "E123", "Branch", "hp", "LaserJet M507")
	gone := mk("127.0.60.50", "3TB000050", "HQ", "xerox", "AltaLink C8070")
	if err := db.RetireDevice(ctx, gone, "stolen"); err != nil {
		t.Fatal(err)
	}
	// Serial "3TB000040" seen at another device's old address .100 is
	// not ambiguous: the newest occupant wins.
	list := []struct {
		name string
		f    Filter
		want []int64
	}{
		{"all in service, by address", Filter{}, []int64{c, a, b}},
		{"site", Filter{Site: "hq"}, []int64{a, b}},
		{"vendor", Filter{Vendor: "HP"}, []int64{c}},
		{"model substring", Filter{Model: "c8070"}, []int64{a}},
		{"model with retired", Filter{Model: "c8070", IncludeRetired: true}, []int64{a, gone}},
		{"addresses", Filter{Addresses: []string{"127.0.60.100", "127.0.60.9", "127.0.60.77"}}, []int64{c, b}},
		{"ids", Filter{IDs: []int64{b}}, []int64{b}},
		{"nothing", Filter{Site: "Nowhere"}, nil},
	}
	for _, tc := range list {
		t.Run("list "+tc.name, func(t *testing.T) {
			ds, err := db.ListDevices(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, d := range ds {
				got = append(got, d.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}

	// A second printer appears at a's address: a is superseded there.
	newcomer := mk("127.0.60.40", "3TB000060", "HQ", "xerox", "AltaLink B8090")
	if ds, err := db.ListDevices(ctx, Filter{Addresses: []string{"127.0.60.40"}}); err != nil || len(ds) != 1 || ds[0].ID != newcomer {
		t.Errorf("devices at 127.0.60.40 = %+v, %v; want only the newcomer", ds, err)
	}
	find := []struct {
		ref     string
		want    int64
		wantErr error
	}{
		{ref: "127.0.60.100", want: b},
		{ref: "3tb000041", want: b},
		{ref: "127.0.60.40", want: newcomer},
		{ref: "3TB000040", want: a},
		{ref: "3TB000050", want: gone}, // retired devices are still found by serial
		{ref: "127.0.60.50", want: gone},
		{ref: "127.0.60.77", wantErr: ErrNotFound},
		{ref: "nope", wantErr: ErrNotFound},
	}
	for _, tc := range find {
		t.Run("find "+tc.ref, func(t *testing.T) {
			d, err := db.FindDevice(ctx, tc.ref)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("FindDevice(%q) = %d, %v; want %v", tc.ref, d.ID, err, tc.wantErr)
				}
				return
			}
			if err != nil || d.ID != tc.want {
				t.Fatalf("FindDevice(%q) = %d, %v; want %d", tc.ref, d.ID, err, tc.want)
			}
		})
	}

	// Ambiguity: a serial that equals another device's address.
	odd := mk("127.0.60.60", "127.0.60.100", "HQ", "xerox", "x")
	_ = odd
	if _, err := db.FindDevice(ctx, "127.0.60.100"); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("address equal to another device's serial: %v, want ErrAmbiguous", err)
	}

	gd, err := db.GetDevice(ctx, gone)
	if err != nil || !gd.Retired || gd.RetiredWhy != "stolen" || gd.RetiredAt.IsZero() {
		t.Errorf("retired device reads %+v, %v", gd, err)
	}
	if err := db.RetireDevice(ctx, 9999, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("retire missing device: %v", err)
	}
	if err := db.UnretireDevice(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if gd, _ := db.GetDevice(ctx, gone); gd.Retired {
		t.Error("still retired after UnretireDevice")
	}
}

func TestUpsertDevicesBatch(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	batch := []devices.Device{
		xerox("127.0.60.130", "3TB000130", ""),
		{IP: "127.0.60.131", CredentialsNeeded: true},
		xerox("127.0.60.130", "3TB000130", ""), // listed twice
	}
	res, err := db.UpsertDevices(ctx, batch, day(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || !res[0].IsNew || !res[1].IsNew || res[2].IsNew || res[2].ID != res[0].ID {
		t.Errorf("results %+v", res)
	}
	// Second sweep learns the v3 agent's serial: merged, nothing new.
	res, err = db.UpsertDevices(ctx, []devices.Device{xerox("127.0.60.131", "3TB000131", "")}, day(1))
	if err != nil || res[0].IsNew || res[0].ID != 2 {
		t.Errorf("second sweep %+v, %v", res, err)
	}
	// A bad entry fails the whole batch, recording nothing.
	if _, err := db.UpsertDevices(ctx, []devices.Device{xerox("127.0.60.132", "3TB000132", ""), {}}, day(2)); err == nil {
		t.Error("batch with an empty device accepted")
	}
	if ds, _ := db.ListDevices(ctx, Filter{}); len(ds) != 2 {
		t.Errorf("%d devices after the failed batch, want 2", len(ds))
	}
}
