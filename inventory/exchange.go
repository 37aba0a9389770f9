package inventory

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// ExportFormat names mfpfleet's inventory export files.
const ExportFormat = "mfpfleet-inventory-export"

// Export is a whole inventory in one JSON document, for a site with no
// route to the central database: devices with their address history,
// holdings and login attempts, the credential registry (fingerprints
// only), certificate records, and every run with its devices and steps.
// It holds no secret: no app or admin password, and not the fingerprint
// key (KeyID only tells an importer whether the fingerprints are
// comparable with its own).
type Export struct {
	Format      string    `json:"format"`
	Version     int       `json:"version"`
	Schema      int       `json:"schema"`
	InventoryID string    `json:"inventory_id"`
	KeyID       string    `json:"key_id"`
	ExportedAt  time.Time `json:"exported_at"`

	Devices     []ExportDevice `json:"devices"`
	Credentials []Credential   `json:"credentials"`
	Runs        []ExportRun    `json:"runs"`
	Certs       []CertInfo     `json:"certs"`
}

// ExportDevice is one device with its history.
type ExportDevice struct {
	Device
	Addresses     []Address     `json:"addresses,omitempty"`
	Holding       *Holding      `json:"holding,omitempty"`
	LoginAttempts []ExportLogin `json:"login_attempts,omitempty"`
}

// ExportLogin is a login attempt with its identity across inventories.
type ExportLogin struct {
	LoginAttempt
	ID     int64  `json:"id"`
	Origin string `json:"origin,omitempty"`
}

// ExportRun is a run with its devices and steps.
type ExportRun struct {
	Run
	Origin  string      `json:"origin,omitempty"`
	Devices []RunDevice `json:"devices,omitempty"`
	Steps   []Step      `json:"steps,omitempty"`
}

// ImportSummary counts what Import added or merged.
type ImportSummary struct {
	From             string `json:"from"` // the exporting inventory's id
	DevicesNew       int    `json:"devices_new"`
	DevicesMerged    int    `json:"devices_merged"`
	CredentialsNew   int    `json:"credentials_new"`
	RunsNew          int    `json:"runs_new"`
	RunsKnown        int    `json:"runs_known"`
	LoginAttemptsNew int    `json:"login_attempts_new"`
	HoldingsUpdated  int    `json:"holdings_updated"`
	CertsNew         int    `json:"certs_new"`
	// ForeignKey is true when the export's fingerprints were made under
	// another inventory's key: its credentials are kept as records but
	// will not match an app password entered here.
	ForeignKey bool `json:"foreign_key"`
}

// ID returns the inventory's own random id (exports carry it, so that a
// run imported twice is recognised).
func (db *DB) ID() string { return db.id }

// keyID identifies the fingerprint key without revealing it.
func (db *DB) keyID() string {
	m := hmac.New(sha256.New, db.key)
	m.Write([]byte("mfpfleet export key id"))
	return hex.EncodeToString(m.Sum(nil))[:16]
}

// ExportTo writes the whole inventory to w as one JSON document (see
// Export), read in one snapshot.
func (db *DB) ExportTo(ctx context.Context, w io.Writer) (Export, error) {
	exp, err := db.export(ctx)
	if err != nil {
		return exp, fmt.Errorf("export inventory: %w", err)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(exp); err != nil {
		return exp, fmt.Errorf("export inventory: write: %w", err)
	}
	return exp, nil
}

func (db *DB) export(ctx context.Context) (Export, error) {
	exp := Export{Format: ExportFormat, Version: 1, Schema: SchemaVersion(), InventoryID: db.id, KeyID: db.keyID(),
		ExportedAt: db.clock()}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == dialectPostgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	raw, err := db.r.BeginTx(ctx, opts)
	if err != nil {
		return exp, err
	}
	defer raw.Rollback() //nolint:errcheck // read-only
	tx := bound{q: raw, d: db.dialect}

	ds, err := queryDevices(ctx, tx, `SELECT `+deviceCols+` FROM devices d`)
	if err != nil {
		return exp, fmt.Errorf("devices: %w", err)
	}
	sortDevices(ds)
	idx := map[int64]int{}
	for i, d := range ds {
		exp.Devices = append(exp.Devices, ExportDevice{Device: d})
		idx[d.ID] = i
	}
	if err := eachRow(ctx, tx, `SELECT device_id, address, first_seen, last_seen FROM device_addresses ORDER BY device_id, first_seen`, nil,
		func(s rowScanner) error {
			var id int64
			var a Address
			if err := s.Scan(&id, &a.Address, scanTime{&a.FirstSeen}, scanTime{&a.LastSeen}); err != nil {
				return err
			}
			if i, ok := idx[id]; ok {
				exp.Devices[i].Addresses = append(exp.Devices[i].Addresses, a)
			}
			return nil
		}); err != nil {
		return exp, fmt.Errorf("addresses: %w", err)
	}
	if err := eachRow(ctx, tx, `SELECT `+holdingCols+` FROM holdings h`, nil, func(s rowScanner) error {
		h, err := scanHolding(s)
		if err != nil {
			return err
		}
		if i, ok := idx[h.DeviceID]; ok {
			exp.Devices[i].Holding = &h
		}
		return nil
	}); err != nil {
		return exp, fmt.Errorf("holdings: %w", err)
	}
	if err := eachRow(ctx, tx, `SELECT id, device_id, kind, "user", ok, at, error, reset_at, origin, kind_text, kind_short FROM login_attempts ORDER BY id`, nil,
		func(s rowScanner) error {
			var l ExportLogin
			var dev int64
			if err := s.Scan(&l.ID, &dev, &l.Kind, &l.User, &l.OK, scanTime{&l.At}, &l.Error, scanTime{&l.ResetAt}, &l.Origin, &l.Text, &l.Short); err != nil {
				return err
			}
			if i, ok := idx[dev]; ok {
				exp.Devices[i].LoginAttempts = append(exp.Devices[i].LoginAttempts, l)
			}
			return nil
		}); err != nil {
		return exp, fmt.Errorf("login attempts: %w", err)
	}
	if exp.Credentials, err = queryCredentials(ctx, tx, `SELECT `+credCols+` FROM credentials ORDER BY id`); err != nil {
		return exp, fmt.Errorf("credentials: %w", err)
	}
	if exp.Certs, err = queryAll(ctx, tx, scanCert, `SELECT `+certCols+` FROM device_certs ORDER BY address`); err != nil {
		return exp, fmt.Errorf("certificates: %w", err)
	}
	runIdx := map[int64]int{}
	if err := eachRow(ctx, tx, `SELECT `+runCols+`, origin FROM runs ORDER BY id`, nil, func(s rowScanner) error {
		var r ExportRun
		var p string
		if err := s.Scan(&r.ID, &r.Kind, scanTime{&r.StartedAt}, scanTime{&r.FinishedAt}, &r.Status, &p, &r.CredentialID, &r.Origin); err != nil {
			return err
		}
		r.Params = json.RawMessage(p)
		runIdx[r.ID] = len(exp.Runs)
		exp.Runs = append(exp.Runs, r)
		return nil
	}); err != nil {
		return exp, fmt.Errorf("runs: %w", err)
	}
	if err := eachRow(ctx, tx, `SELECT run_id, device_id, status, attempts, error, updated_at FROM run_devices ORDER BY run_id, `+db.dialect.insertOrder(), nil,
		func(s rowScanner) error {
			var d RunDevice
			if err := s.Scan(&d.RunID, &d.DeviceID, &d.Status, &d.Attempts, &d.Error, scanTime{&d.UpdatedAt}); err != nil {
				return err
			}
			if i, ok := runIdx[d.RunID]; ok {
				exp.Runs[i].Devices = append(exp.Runs[i].Devices, d)
			}
			return nil
		}); err != nil {
		return exp, fmt.Errorf("run devices: %w", err)
	}
	if err := eachRow(ctx, tx, `SELECT id, run_id, device_id, step, status, started_at, finished_at, duration_ms, error, artifact FROM steps ORDER BY id`, nil,
		func(r rowScanner) error {
			var s Step
			var ms int64
			if err := r.Scan(&s.ID, &s.RunID, &s.DeviceID, &s.Step, &s.Status, scanTime{&s.StartedAt}, scanTime{&s.FinishedAt},
				&ms, &s.Error, &s.Artifact); err != nil {
				return err
			}
			s.Duration = time.Duration(ms) * time.Millisecond
			if i, ok := runIdx[s.RunID]; ok {
				exp.Runs[i].Steps = append(exp.Runs[i].Steps, s)
			}
			return nil
		}); err != nil {
		return exp, fmt.Errorf("steps: %w", err)
	}
	return exp, nil
}

// ReadExport decodes and checks an export file.
func ReadExport(r io.Reader) (Export, error) {
	var exp Export
	dec := json.NewDecoder(r)
	if err := dec.Decode(&exp); err != nil {
		return exp, fmt.Errorf("read export: %w (is this a file from mfpfleet inventory export?)", err)
	}
	if exp.Format != ExportFormat {
		return exp, fmt.Errorf("read export: format %q is not %q (is this a file from mfpfleet inventory export?)", exp.Format, ExportFormat)
	}
	if exp.Version != 1 {
		return exp, fmt.Errorf("read export: version %d is newer than this mfpfleet reads (1): upgrade mfpfleet", exp.Version)
	}
	if exp.InventoryID == "" {
		return exp, errors.New("read export: no inventory id: the file is damaged")
	}
	return exp, nil
}

// origin is the identity of a record (kind "run" or "login") across
// inventories: where it was first written. A record that came in by an
// earlier import keeps its first origin.
func origin(inv, kind string, id int64, had string) string {
	if had != "" {
		return had
	}
	return inv + "/" + kind + "/" + strconv.FormatInt(id, 10)
}

// localID returns the local id when origin names this inventory.
func (db *DB) localID(o, kind string) (int64, bool) {
	rest, ok := strings.CutPrefix(o, db.id+"/"+kind+"/")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil
}

// Import merges exp into the inventory in one transaction: devices by
// serial (else MAC, else address, as discovery does) with their address
// history; credentials by account and fingerprint; runs with their
// devices and steps, and login attempts, by origin, so importing the same
// export twice adds nothing the second time; a device's holding when the
// export's is newer; certificate records for addresses with none. Either
// all of it is imported or, on error, none.
func (db *DB) Import(ctx context.Context, exp Export) (ImportSummary, error) {
	sum := ImportSummary{From: exp.InventoryID, ForeignKey: exp.KeyID != db.keyID()}
	if exp.InventoryID == db.id {
		return sum, errors.New("import: this export was made from this very inventory: nothing to merge")
	}
	err := db.writeSerial(ctx, lockDevices, func(tx querier) error {
		return db.importTx(ctx, tx, exp, &sum)
	})
	if err != nil {
		return ImportSummary{}, fmt.Errorf("import from inventory %s: %w (nothing was imported)", exp.InventoryID, err)
	}
	return sum, nil
}

func (db *DB) importTx(ctx context.Context, tx querier, exp Export, sum *ImportSummary) error {
	// Credentials.
	creds := map[int64]int64{}
	for _, c := range exp.Credentials {
		if len(c.Fingerprint) != 64 || !isHex(c.Fingerprint) {
			return fmt.Errorf("credential %d: the fingerprint is not a hex HMAC-SHA256", c.ID)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO credentials (account, label, fingerprint, created_at, revoked_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, fingerprint) DO NOTHING`,
			strings.ToLower(c.Account), c.Label, c.Fingerprint, tsv(c.CreatedAt), ts(c.RevokedAt))
		if err != nil {
			return fmt.Errorf("credential %d: %w", c.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			sum.CredentialsNew++
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM credentials WHERE account = ? AND fingerprint = ?`,
			strings.ToLower(c.Account), c.Fingerprint).Scan(&id); err != nil {
			return fmt.Errorf("credential %d: %w", c.ID, err)
		}
		if !c.RevokedAt.IsZero() {
			if _, err := tx.ExecContext(ctx, `UPDATE credentials SET revoked_at = ? WHERE id = ? AND (revoked_at IS NULL OR revoked_at > ?)`,
				tsv(c.RevokedAt), id, tsv(c.RevokedAt)); err != nil {
				return fmt.Errorf("credential %d: %w", c.ID, err)
			}
		}
		if c.Label != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE credentials SET label = ? WHERE id = ? AND label = ''`, c.Label, id); err != nil {
				return fmt.Errorf("credential %d: %w", c.ID, err)
			}
		}
		creds[c.ID] = id
	}

	// Devices, with their address history.
	devs := map[int64]int64{}
	for _, d := range exp.Devices {
		nd, err := normDevice(d.Device.Device)
		if err != nil {
			return fmt.Errorf("device %d: %w", d.ID, err)
		}
		seen := d.LastSeen
		if seen.IsZero() {
			seen = db.clock()
		}
		if nd.Serial != "" {
			// A device seen here since the export was made keeps the
			// address it was last seen at; the older one joins its
			// history below.
			var newer int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM devices WHERE serial = ? AND last_seen > ?`,
				nd.Serial, tsv(seen)).Scan(&newer); err != nil {
				return fmt.Errorf("device %s: %w", deviceRef(nd), err)
			}
			if newer > 0 {
				nd.IP = ""
			}
		}
		id, isNew, err := upsertTx(ctx, tx, nd, tsv(seen))
		if err != nil {
			return fmt.Errorf("device %s: %w", deviceRef(nd), err)
		}
		if isNew {
			sum.DevicesNew++
		} else {
			sum.DevicesMerged++
		}
		devs[d.ID] = id
		if !d.FirstSeen.IsZero() {
			if _, err := tx.ExecContext(ctx, `UPDATE devices SET first_seen = ? WHERE id = ? AND first_seen > ?`,
				tsv(d.FirstSeen), id, tsv(d.FirstSeen)); err != nil {
				return fmt.Errorf("device %s: %w", deviceRef(nd), err)
			}
		}
		if d.Retired {
			if _, err := tx.ExecContext(ctx, `UPDATE devices SET retired = 1, retired_at = coalesce(retired_at, ?),
				retired_why = CASE WHEN retired_why = '' THEN ? ELSE retired_why END WHERE id = ?`,
				ts(d.RetiredAt), d.RetiredWhy, id); err != nil {
				return fmt.Errorf("device %s: %w", deviceRef(nd), err)
			}
		}
		for _, a := range d.Addresses {
			if _, err := tx.ExecContext(ctx, `INSERT INTO device_addresses (device_id, address, first_seen, last_seen)
				VALUES (?, ?, ?, ?) ON CONFLICT (device_id, address) DO UPDATE SET `+addrMerge,
				id, a.Address, tsv(a.FirstSeen), tsv(a.LastSeen)); err != nil {
				return fmt.Errorf("device %s: address %s: %w", deviceRef(nd), a.Address, err)
			}
		}
		for _, l := range d.LoginAttempts {
			o := origin(exp.InventoryID, "login", l.ID, l.Origin)
			if _, mine := db.localID(o, "login"); mine {
				continue // it started here
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO login_attempts (device_id, kind, "user", ok, at, error, reset_at, origin, kind_text, kind_short)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (origin) WHERE origin <> '' DO NOTHING`,
				id, l.Kind, l.User, b2i(l.OK), tsv(l.At), l.Error, ts(l.ResetAt), o, l.Text, l.Short)
			if err != nil {
				return fmt.Errorf("device %s: login attempt: %w", deviceRef(nd), err)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				sum.LoginAttemptsNew++
			}
		}
	}

	// Runs, with their devices and steps.
	runs := map[int64]int64{}
	for _, r := range exp.Runs {
		o := origin(exp.InventoryID, "run", r.ID, r.Origin)
		if id, mine := db.localID(o, "run"); mine {
			runs[r.ID] = id
			sum.RunsKnown++
			continue
		}
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM runs WHERE origin = ?`, o).Scan(&id)
		if err == nil {
			runs[r.ID] = id
			sum.RunsKnown++
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("run %d: %w", r.ID, err)
		}
		params := string(r.Params)
		if params == "" {
			params = "{}"
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO runs (kind, started_at, finished_at, status, params, credential_id, origin)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.Kind, tsv(r.StartedAt), ts(r.FinishedAt), r.Status, params, nullID(creds[r.CredentialID]), o).Scan(&id); err != nil {
			return fmt.Errorf("run %d: %w", r.ID, err)
		}
		runs[r.ID] = id
		sum.RunsNew++
		for _, rd := range r.Devices {
			dev, ok := devs[rd.DeviceID]
			if !ok {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO run_devices (run_id, device_id, status, attempts, error, updated_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, device_id) DO NOTHING`,
				id, dev, rd.Status, rd.Attempts, rd.Error, tsv(rd.UpdatedAt)); err != nil {
				return fmt.Errorf("run %d: device %d: %w", r.ID, rd.DeviceID, err)
			}
		}
		for _, s := range r.Steps {
			dev, ok := devs[s.DeviceID]
			if !ok {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO steps (run_id, device_id, step, status, started_at, finished_at, duration_ms, error, artifact)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, dev, s.Step, s.Status, tsv(s.StartedAt), ts(s.FinishedAt), s.Duration.Milliseconds(), s.Error, s.Artifact); err != nil {
				return fmt.Errorf("run %d: step %d: %w", r.ID, s.ID, err)
			}
		}
	}

	// Holdings: the newer record wins.
	for _, d := range exp.Devices {
		h := d.Holding
		if h == nil {
			continue
		}
		id := devs[d.ID]
		res, err := tx.ExecContext(ctx, `INSERT INTO holdings (device_id, credential_id, account, run_id,
			pushed_at, confirmed_at, last_test_at, last_test_ok, last_test_error, admin_login,
			smtp_host, smtp_port, smtp_security, smtp_user, smtp_from, tls_version, limits, updated_at, method, ehlo,
			admin_login_text, admin_login_short)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (device_id) DO UPDATE SET `+replaceHolding+` WHERE holdings.updated_at < excluded.updated_at`,
			id, nullID(creds[h.CredentialID]), strings.ToLower(h.Account), nullID(runs[h.RunID]),
			ts(h.PushedAt), ts(h.ConfirmedAt), ts(h.LastTestAt), b2i(h.LastTestOK), h.LastTestError, h.AdminLogin,
			h.SMTPHost, h.SMTPPort, h.SMTPSecurity, h.SMTPUser, h.SMTPFrom, h.TLSVersion,
			strings.Join(h.Limits, ","), tsv(h.UpdatedAt), h.Method, h.EHLO, h.AdminLoginText, h.AdminLoginShort)
		if err != nil {
			return fmt.Errorf("holding of device %d: %w", d.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			sum.HoldingsUpdated++
		}
	}

	// Certificates: the record already here stands (it is what this
	// inventory trusts); addresses with none take the export's.
	for _, c := range exp.Certs {
		if c.Fingerprint == "" {
			continue
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO device_certs (address, fingerprint, first_seen, last_seen, previous, accepted_at, mismatch, mismatch_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (address) DO NOTHING`,
			c.Address, c.Fingerprint, tsv(c.FirstSeen), tsv(c.LastSeen), c.Previous, ts(c.AcceptedAt), c.Mismatch, ts(c.MismatchAt))
		if err != nil {
			return fmt.Errorf("certificate of %s: %w", c.Address, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			sum.CertsNew++
		}
	}
	// An export from a build before schema 4 carries kinds without
	// their wording: give them the wording the migration gives.
	if exp.Schema < schemaLoginTexts {
		if err := execScript(ctx, tx, oldLoginTexts); err != nil {
			return fmt.Errorf("login wording: %w", err)
		}
	}
	return nil
}
