package inventory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
)

// Device is a device as the inventory knows it: the SNMP identity from the
// last discovery (with IP = the address it was last seen at) plus the
// inventory's own bookkeeping.
type Device struct {
	devices.Device

	// ID is the inventory's key for the device; stable across address
	// changes and merges of the surviving record.
	ID int64 `json:"id"`
	// FirstSeen and LastSeen bound the discoveries that saw the device.
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// AddressSuperseded is true when another device was seen at IP after
	// this one: IP is then only its last known address.
	AddressSuperseded bool `json:"address_superseded,omitempty"`
	// Retired devices (gone, lost, decommissioned) are left out of lists,
	// rollouts and DevicesHolding unless asked for.
	Retired    bool      `json:"retired,omitempty"`
	RetiredAt  time.Time `json:"retired_at,omitzero"`
	RetiredWhy string    `json:"retired_why,omitempty"`
}

// Address is one address a device was seen at.
type Address struct {
	Address   string    `json:"address"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// Filter selects devices. Empty fields match everything; all set fields
// must match.
type Filter struct {
	// Site and Vendor match exactly, case-insensitively.
	Site string
	// Sites keeps devices of any of these sites (with Site, any of all).
	Sites  []string
	Vendor string
	// Model matches a case-insensitive substring ("c8070" finds
	// "AltaLink C8070").
	Model string
	// Addresses keeps devices currently at one of these addresses (not
	// those another device has since been seen at).
	Addresses []string
	// IncludeRetired also returns retired devices.
	IncludeRetired bool
	// IDs keeps only these device IDs.
	IDs []int64
	// HoldingCredential keeps devices that hold this credential ID.
	HoldingCredential int64
}

const deviceCols = `d.id, d.address, d.address_superseded, d.serial, d.mac, d.vendor, d.brand, d.model,
	d.firmware, d.sys_name, d.sys_location, d.sys_descr, d.sys_object_id, d.site, d.family,
	d.snmp_version, d.engine_id, d.is_printer, d.credentials_needed, d.first_seen, d.last_seen,
	d.retired, d.retired_at, d.retired_why`

type rowScanner interface{ Scan(dest ...any) error }

func scanDevice(s rowScanner) (Device, error) {
	var d Device
	err := s.Scan(&d.ID, &d.IP, &d.AddressSuperseded, &d.Serial, &d.MAC, &d.Vendor, &d.Brand, &d.Model,
		&d.Firmware, &d.SysName, &d.Location, &d.SysDescr, &d.SysObjectID, &d.Site, &d.Family,
		&d.SNMPVersion, &d.EngineID, &d.IsPrinter, &d.CredentialsNeeded, scanTime{&d.FirstSeen}, scanTime{&d.LastSeen},
		&d.Retired, scanTime{&d.RetiredAt}, &d.RetiredWhy)
	return d, err
}

// textFields are the identity columns UpsertDevice refreshes, paired with
// the discovered value; an empty discovered value never blanks a known one.
func textFields(d devices.Device) []struct {
	col string
	val string
} {
	return []struct {
		col string
		val string
	}{
		{"vendor", d.Vendor}, {"brand", d.Brand}, {"model", d.Model}, {"firmware", d.Firmware},
		{"sys_name", d.SysName}, {"sys_location", d.Location}, {"sys_descr", d.SysDescr},
		{"sys_object_id", d.SysObjectID}, {"site", d.Site}, {"family", d.Family},
		{"snmp_version", d.SNMPVersion}, {"engine_id", d.EngineID},
	}
}

// UpsertDevice records one discovery of d at time seen and returns the
// device's inventory ID and whether it is new.
//
// Identity follows devices.Device.Key: serial, else MAC, else address.
// Re-discovery refreshes the record but never blanks a known field with an
// empty value, and extends the address history (first/last seen per
// address). A record created from an address alone (an SNMPv3 agent that
// needed credentials, a device whose serial was not readable) is merged
// into the serial's record once the serial is known, with its address
// history, login attempts, journal and holding; a device that moved to a
// new DHCP address stays one device with two address rows. When a
// different device is seen at an address, the previous occupant keeps it
// as its last known address with AddressSuperseded set. Retired devices
// stay retired (their LastSeen is updated).
func (db *DB) UpsertDevice(ctx context.Context, d devices.Device, seen time.Time) (id int64, isNew bool, err error) {
	d, err = normDevice(d)
	if err != nil {
		return 0, false, err
	}
	if seen.IsZero() {
		seen = db.clock()
	}
	err = db.writeSerial(ctx, lockDevices, func(tx querier) error {
		id, isNew, err = upsertTx(ctx, tx, d, tsv(seen))
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("record device %s: %w", deviceRef(d), err)
	}
	return id, isNew, nil
}

// Upserted is the outcome of one device in UpsertDevices.
type Upserted struct {
	ID    int64
	IsNew bool
}

// UpsertDevices records a whole discovery in one transaction (much faster
// than one UpsertDevice per device; same rules). Results are in the order
// of ds (a device listed twice is new only the first time). Either all are
// recorded or, on error, none.
func (db *DB) UpsertDevices(ctx context.Context, ds []devices.Device, seen time.Time) ([]Upserted, error) {
	norm := make([]devices.Device, len(ds))
	for i, d := range ds {
		var err error
		if norm[i], err = normDevice(d); err != nil {
			return nil, err
		}
	}
	if seen.IsZero() {
		seen = db.clock()
	}
	out := make([]Upserted, len(ds))
	err := db.writeSerial(ctx, lockDevices, func(tx querier) error {
		for i, d := range norm {
			id, isNew, err := upsertTx(ctx, tx, d, tsv(seen))
			if err != nil {
				return fmt.Errorf("%s: %w", deviceRef(d), err)
			}
			out[i] = Upserted{ID: id, IsNew: isNew}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record %d devices: %w", len(ds), err)
	}
	return out, nil
}

func normDevice(d devices.Device) (devices.Device, error) {
	d.IP = strings.TrimSpace(d.IP)
	d.Serial = strings.TrimSpace(d.Serial)
	d.MAC = strings.ToLower(strings.TrimSpace(d.MAC))
	if d.IP == "" && d.Serial == "" && d.MAC == "" {
		return d, errors.New("record device: it has no address, serial or MAC")
	}
	return d, nil
}

// addrMerge widens a device_addresses row to cover the excluded one.
const addrMerge = `first_seen = CASE WHEN excluded.first_seen < device_addresses.first_seen
					THEN excluded.first_seen ELSE device_addresses.first_seen END,
				last_seen = CASE WHEN excluded.last_seen > device_addresses.last_seen
					THEN excluded.last_seen ELSE device_addresses.last_seen END`

// upsertTx is UpsertDevice inside tx; d is already normalised.
func upsertTx(ctx context.Context, tx querier, d devices.Device, at string) (id int64, isNew bool, err error) {
	var serialID, macID, addrID int64
	if d.Serial != "" {
		if serialID, err = lookupID(ctx, tx, `SELECT id FROM devices WHERE serial = ?`, d.Serial); err != nil {
			return 0, false, err
		}
	}
	if d.MAC != "" {
		if macID, err = lookupID(ctx, tx, `SELECT id FROM devices WHERE mac = ? AND (serial = '' OR serial = ?)
			ORDER BY retired, last_seen DESC LIMIT 1`, d.MAC, d.Serial); err != nil {
			return 0, false, err
		}
	}
	if d.IP != "" {
		// The device currently at this address, if what we know of it
		// does not contradict what was just discovered.
		if addrID, err = lookupID(ctx, tx, `SELECT id FROM devices
			WHERE address = ? AND retired = 0 AND address_superseded = 0
			  AND (serial = '' OR ? = '' OR serial = ?)
			  AND (mac = '' OR ? = '' OR mac = ?)
			ORDER BY last_seen DESC LIMIT 1`, d.IP, d.Serial, d.Serial, d.MAC, d.MAC); err != nil {
			return 0, false, err
		}
	}
	primary := serialID
	if primary == 0 {
		primary = macID
	}
	if primary == 0 {
		primary = addrID
	}
	if primary == 0 {
		err := tx.QueryRowContext(ctx, `INSERT INTO devices (address, serial, mac, vendor, brand, model, firmware,
			sys_name, sys_location, sys_descr, sys_object_id, site, family, snmp_version, engine_id,
			is_printer, credentials_needed, first_seen, last_seen)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			d.IP, d.Serial, d.MAC, d.Vendor, d.Brand, d.Model, d.Firmware,
			d.SysName, d.Location, d.SysDescr, d.SysObjectID, d.Site, d.Family, d.SNMPVersion, d.EngineID,
			b2i(d.IsPrinter), b2i(d.CredentialsNeeded), at, at).Scan(&id)
		if err != nil {
			return 0, false, fmt.Errorf("insert: %w", err)
		}
		isNew = true
	} else {
		id = primary
		set := []string{
			"address = CASE WHEN ? <> '' THEN ? ELSE address END",
			"address_superseded = CASE WHEN ? <> '' THEN 0 ELSE address_superseded END",
			"serial = CASE WHEN ? <> '' THEN ? ELSE serial END",
			"mac = CASE WHEN ? <> '' THEN ? ELSE mac END",
			"is_printer = CASE WHEN ? = 1 THEN 1 ELSE is_printer END",
			"credentials_needed = ?",
			"first_seen = CASE WHEN ? < first_seen THEN ? ELSE first_seen END",
			"last_seen = CASE WHEN ? > last_seen THEN ? ELSE last_seen END",
		}
		args := []any{d.IP, d.IP, d.IP, d.Serial, d.Serial, d.MAC, d.MAC,
			b2i(d.IsPrinter), b2i(d.CredentialsNeeded), at, at, at, at}
		for _, f := range textFields(d) {
			set = append(set, f.col+" = CASE WHEN ? <> '' THEN ? ELSE "+f.col+" END")
			args = append(args, f.val, f.val)
		}
		args = append(args, id)
		if _, err := tx.ExecContext(ctx, `UPDATE devices SET `+strings.Join(set, ", ")+` WHERE id = ?`, args...); err != nil {
			return 0, false, fmt.Errorf("update device %d: %w", id, err)
		}
		victims := []int64{macID}
		if addrID != macID {
			victims = append(victims, addrID)
		}
		for _, victim := range victims {
			if victim == 0 || victim == id {
				continue
			}
			if err := mergeDevice(ctx, tx, victim, id); err != nil {
				return 0, false, err
			}
		}
	}
	if d.IP != "" {
		if _, err := tx.ExecContext(ctx, `INSERT INTO device_addresses (device_id, address, first_seen, last_seen)
			VALUES (?, ?, ?, ?)
			ON CONFLICT (device_id, address) DO UPDATE SET `+addrMerge, id, d.IP, at, at); err != nil {
			return 0, false, fmt.Errorf("address history: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE devices SET address_superseded = 1
			WHERE address = ? AND id <> ? AND address_superseded = 0`, d.IP, id); err != nil {
			return 0, false, fmt.Errorf("supersede previous occupant of %s: %w", d.IP, err)
		}
	}
	return id, isNew, nil
}

func deviceRef(d devices.Device) string {
	switch {
	case d.IP != "" && d.Serial != "":
		return d.IP + " (serial " + d.Serial + ")"
	case d.IP != "":
		return d.IP
	case d.Serial != "":
		return "serial " + d.Serial
	}
	return "mac " + d.MAC
}

// mergeDevice folds device victim into device into: address history,
// login attempts, journal rows and holding move over, fields still empty in
// into are filled from victim, and victim is deleted.
func mergeDevice(ctx context.Context, tx querier, victim, into int64) error {
	// Refuse to merge two devices whose MACs disagree; the caller only
	// proposes victims whose serial is empty or equal.
	var vMAC, iMAC string
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT mac FROM devices WHERE id = ?), (SELECT mac FROM devices WHERE id = ?)`,
		victim, into).Scan(&vMAC, &iMAC); err != nil {
		return fmt.Errorf("merge device %d into %d: %w", victim, into, err)
	}
	if vMAC != "" && iMAC != "" && vMAC != iMAC {
		return nil
	}
	stmts := []struct {
		what string
		q    string
		args []any
	}{
		{"addresses", `INSERT INTO device_addresses (device_id, address, first_seen, last_seen)
			SELECT CAST(? AS BIGINT), address, first_seen, last_seen FROM device_addresses WHERE device_id = ? AND true
			ON CONFLICT (device_id, address) DO UPDATE SET ` + addrMerge, []any{into, victim}},
		{"login attempts", `UPDATE login_attempts SET device_id = ? WHERE device_id = ?`, []any{into, victim}},
		{"steps", `UPDATE steps SET device_id = ? WHERE device_id = ?`, []any{into, victim}},
		// A run that had both keeps into's row; the victim's goes with it.
		{"run devices", `UPDATE run_devices SET device_id = ? WHERE device_id = ?
			AND run_id NOT IN (SELECT r2.run_id FROM run_devices r2 WHERE r2.device_id = ?)`, []any{into, victim, into}},
		{"holding", `UPDATE holdings SET device_id = ? WHERE device_id = ?
			AND NOT EXISTS (SELECT 1 FROM holdings h2 WHERE h2.device_id = ?)`, []any{into, victim, into}},
		{"lease", `DELETE FROM device_leases WHERE device_id = ?`, []any{victim}},
	}
	var fill []string
	for _, c := range []string{"address", "mac", "vendor", "brand", "model", "firmware", "sys_name", "sys_location",
		"sys_descr", "sys_object_id", "site", "family", "snmp_version", "engine_id"} {
		fill = append(fill, c+" = CASE WHEN "+c+" = '' THEN (SELECT v."+c+" FROM devices v WHERE v.id = ?) ELSE "+c+" END")
	}
	fillArgs := make([]any, 0, len(fill)+2)
	for range fill {
		fillArgs = append(fillArgs, victim)
	}
	fillArgs = append(fillArgs, victim, victim, into)
	stmts = append(stmts, struct {
		what string
		q    string
		args []any
	}{"fields", `UPDATE devices SET ` + strings.Join(fill, ", ") + `,
		first_seen = CASE WHEN (SELECT v.first_seen FROM devices v WHERE v.id = ?) < first_seen
			THEN (SELECT v.first_seen FROM devices v WHERE v.id = ?) ELSE first_seen END WHERE id = ?`, fillArgs},
		struct {
			what string
			q    string
			args []any
		}{"delete", `DELETE FROM devices WHERE id = ?`, []any{victim}},
	)
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s.q, s.args...); err != nil {
			return fmt.Errorf("merge device %d into %d: %s: %w", victim, into, s.what, err)
		}
	}
	return nil
}

func lookupID(ctx context.Context, q querier, query string, args ...any) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, query, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("look up device: %w", err)
	}
	return id, nil
}

// filterSQL turns f into a WHERE clause over devices d.
func filterSQL(f Filter) (string, []any) {
	var where []string
	var args []any
	if !f.IncludeRetired {
		where = append(where, "d.retired = 0")
	}
	if sites := siteList(f); len(sites) > 0 {
		var or []string
		for _, s := range sites {
			or = append(or, "lower(d.site) = lower(CAST(? AS TEXT))")
			args = append(args, s)
		}
		where = append(where, "("+strings.Join(or, " OR ")+")")
	}
	if f.Vendor != "" {
		where = append(where, "lower(d.vendor) = lower(CAST(? AS TEXT))")
		args = append(args, f.Vendor)
	}
	if f.Model != "" {
		where = append(where, "instr(lower(d.model), lower(CAST(? AS TEXT))) > 0")
		args = append(args, f.Model)
	}
	if len(f.Addresses) > 0 {
		where = append(where, "d.address_superseded = 0 AND d.address IN ("+placeholders(len(f.Addresses))+")")
		for _, a := range f.Addresses {
			args = append(args, strings.TrimSpace(a))
		}
	}
	if len(f.IDs) > 0 {
		where = append(where, "d.id IN ("+placeholders(len(f.IDs))+")")
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if f.HoldingCredential != 0 {
		where = append(where, "d.id IN (SELECT device_id FROM holdings WHERE credential_id = ?)")
		args = append(args, f.HoldingCredential)
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

func siteList(f Filter) []string {
	var out []string
	for _, s := range append([]string{f.Site}, f.Sites...) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// ListDevices returns the devices matching f, ordered by address
// (numerically for IP addresses), then serial.
func (db *DB) ListDevices(ctx context.Context, f Filter) ([]Device, error) {
	where, args := filterSQL(f)
	ds, err := queryDevices(ctx, db.rq(), `SELECT `+deviceCols+` FROM devices d`+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	sortDevices(ds)
	return ds, nil
}

func queryDevices(ctx context.Context, q querier, query string, args ...any) ([]Device, error) {
	return queryAll(ctx, q, scanDevice, query, args...)
}

// sortDevices orders by address (IPs numerically, others after), then
// serial, then ID.
func sortDevices(ds []Device) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, aerr := netip.ParseAddr(ds[i].IP)
		b, berr := netip.ParseAddr(ds[j].IP)
		switch {
		case aerr == nil && berr == nil && a != b:
			return a.Less(b)
		case aerr == nil && berr != nil:
			return true
		case aerr != nil && berr == nil:
			return false
		case aerr != nil && berr != nil && ds[i].IP != ds[j].IP:
			return ds[i].IP < ds[j].IP
		}
		if ds[i].Serial != ds[j].Serial {
			return ds[i].Serial < ds[j].Serial
		}
		return ds[i].ID < ds[j].ID
	})
}

// GetDevice returns the device with inventory ID id, retired or not.
func (db *DB) GetDevice(ctx context.Context, id int64) (Device, error) {
	d, err := scanDevice(db.rq().QueryRowContext(ctx, `SELECT `+deviceCols+` FROM devices d WHERE d.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Device{}, fmt.Errorf("device %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Device{}, fmt.Errorf("device %d: %w", id, err)
	}
	return d, nil
}

// FindDevice finds the device a technician means by ref: its current
// address, its serial number (case-insensitive) or its MAC. Devices still
// in service win over retired ones, and the current occupant of an address
// over devices that have since left it. No match wraps ErrNotFound; more
// than one wraps ErrAmbiguous and names the candidates.
func (db *DB) FindDevice(ctx context.Context, ref string) (Device, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return Device{}, errors.New("find device: empty reference: give an address or a serial number")
	}
	ds, err := queryDevices(ctx, db.rq(), `SELECT `+deviceCols+` FROM devices d
		WHERE d.address = ? OR (d.serial <> '' AND lower(d.serial) = lower(CAST(? AS TEXT))) OR (d.mac <> '' AND d.mac = lower(CAST(? AS TEXT)))`,
		ref, ref, ref)
	if err != nil {
		return Device{}, fmt.Errorf("find device %s: %w", ref, err)
	}
	// Narrow step by step, keeping the previous set when a step would
	// leave nothing.
	narrow := func(keep func(Device) bool) {
		var k []Device
		for _, d := range ds {
			if keep(d) {
				k = append(k, d)
			}
		}
		if len(k) > 0 {
			ds = k
		}
	}
	narrow(func(d Device) bool { return !d.Retired })
	narrow(func(d Device) bool { return d.IP != ref || !d.AddressSuperseded })
	switch len(ds) {
	case 0:
		return Device{}, fmt.Errorf("no device with address, serial or MAC %q in the inventory (run mfpfleet discover, or check mfpfleet devices list): %w", ref, ErrNotFound)
	case 1:
		return ds[0], nil
	}
	sortDevices(ds)
	var names []string
	for _, d := range ds {
		names = append(names, fmt.Sprintf("#%d %s serial %q", d.ID, d.IP, d.Serial))
	}
	return Device{}, fmt.Errorf("%q matches %d devices (%s): give the serial number instead: %w", ref, len(ds), strings.Join(names, "; "), ErrAmbiguous)
}

// DeviceAddresses returns every address device id was seen at, most
// recently seen first.
func (db *DB) DeviceAddresses(ctx context.Context, id int64) ([]Address, error) {
	out, err := queryAll(ctx, db.rq(), func(r rowScanner) (Address, error) {
		var a Address
		err := r.Scan(&a.Address, scanTime{&a.FirstSeen}, scanTime{&a.LastSeen})
		return a, err
	}, `SELECT address, first_seen, last_seen FROM device_addresses
		WHERE device_id = ? ORDER BY last_seen DESC, address`, id)
	if err != nil {
		return nil, fmt.Errorf("addresses of device %d: %w", id, err)
	}
	return out, nil
}

// RetireDevice marks device id as gone (lost, decommissioned, excluded from
// a rotation) with the reason why. Its history, holding and journal stay.
// Retiring a retired device keeps the first date and reason.
func (db *DB) RetireDevice(ctx context.Context, id int64, why string) error {
	err := db.write(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `UPDATE devices SET retired = 1, retired_at = coalesce(retired_at, ?),
			retired_why = CASE WHEN retired = 1 AND retired_why <> '' THEN retired_why ELSE ? END WHERE id = ?`,
			tsv(db.clock()), why, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("retire device %d: %w", id, err)
	}
	return nil
}

// UnretireDevice puts a retired device back in service.
func (db *DB) UnretireDevice(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `UPDATE devices SET retired = 0, retired_at = NULL, retired_why = '' WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("unretire device %d: %w", id, err)
	}
	return nil
}
