package inventory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Run kinds.
const (
	RunPush   = "push"
	RunTest   = "test"
	RunRotate = "rotate"
)

// Run statuses. A run is unfinished while FinishedAt is zero, whatever its
// status says.
const (
	RunRunning     = "running"
	RunSucceeded   = "succeeded"   // every device confirmed or skipped
	RunFailed      = "failed"      // at least one device failed
	RunInterrupted = "interrupted" // stopped by Ctrl-C; --resume continues it
)

// Device statuses within a run.
const (
	DevicePending            = "pending"
	DeviceRunning            = "running"
	DeviceConfirmed          = "confirmed"
	DeviceWrittenUnconfirmed = "written-unconfirmed"
	// DeviceConnectionTested: written, and the device's own connection
	// test passed (it reached the mail server and logged in), on a model
	// whose only device-side check that is; not a confirmed message.
	DeviceConnectionTested = "connection-tested"
	DeviceFailed           = "failed"
	DeviceSkipped          = "skipped"
)

// Step names.
const (
	StepPreflight = "preflight"
	StepLogin     = "login"
	StepRead      = "read"
	StepWrite     = "write"
	StepReadback  = "readback"
	StepTest      = "test"
	StepConfirm   = "confirm"
	StepLogout    = "logout"
)

// Step statuses.
const (
	StepRunning = "running"
	StepOK      = "ok"
	StepFailed  = "failed"
	StepSkipped = "skipped"
)

// Run is one rollout run (push, test or rotate).
type Run struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	Status     string    `json:"status"`
	// Params are the run's options as JSON (never secrets), so --resume
	// can rebuild the same selection.
	Params json.RawMessage `json:"params"`
	// CredentialID is the credential being pushed (0 for none).
	CredentialID int64 `json:"credential_id,omitempty"`
}

// Finished reports whether FinishRun was called.
func (r Run) Finished() bool { return !r.FinishedAt.IsZero() }

// RunDevice is the state of one device within a run.
type RunDevice struct {
	RunID    int64  `json:"run_id"`
	DeviceID int64  `json:"device_id"`
	Status   string `json:"status"`
	// Attempts counts how often the device was set to DeviceRunning.
	Attempts  int       `json:"attempts"`
	Error     string    `json:"error,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Step is one step of one device within a run.
type Step struct {
	ID         int64     `json:"id"`
	RunID      int64     `json:"run_id"`
	DeviceID   int64     `json:"device_id"`
	Step       string    `json:"step"`
	Status     string    `json:"status"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// Duration is FinishedAt-StartedAt unless given.
	Duration time.Duration `json:"duration"`
	Error    string        `json:"error,omitempty"`
	// Artifact is the path of a screenshot or HTML excerpt, if any.
	Artifact string `json:"artifact,omitempty"`
}

// StartRun opens a run of kind (RunPush, RunTest, RunRotate) with status
// RunRunning and returns its ID. params is marshalled to JSON (a
// json.RawMessage or []byte is stored as is, and must be valid JSON); it
// must not carry secrets (config.Secret marshals redacted).
func (db *DB) StartRun(ctx context.Context, kind string, credentialID int64, params any) (int64, error) {
	if kind == "" {
		return 0, errors.New("start run: no kind")
	}
	var p []byte
	switch v := params.(type) {
	case nil:
		p = []byte("{}")
	case json.RawMessage:
		p = v
	case []byte:
		p = v
	default:
		var err error
		if p, err = json.Marshal(params); err != nil {
			return 0, fmt.Errorf("start %s run: params: %w", kind, err)
		}
	}
	if !json.Valid(p) {
		return 0, fmt.Errorf("start %s run: params are not valid JSON", kind)
	}
	var id int64
	err := db.write(ctx, func(tx querier) error {
		return tx.QueryRowContext(ctx, `INSERT INTO runs (kind, started_at, status, params, credential_id) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			kind, tsv(db.clock()), RunRunning, string(p), nullID(credentialID)).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("start %s run: %w", kind, err)
	}
	return id, nil
}

// FinishRun closes run runID with status (RunSucceeded, RunFailed,
// RunInterrupted, …). An interrupted run can be finished again later by
// its resumption.
func (db *DB) FinishRun(ctx context.Context, runID int64, status string) error {
	err := db.write(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `UPDATE runs SET finished_at = ?, status = ? WHERE id = ?`, tsv(db.clock()), status, runID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish run %d: %w", runID, err)
	}
	return nil
}

// ReopenRun marks run runID unfinished and running again (for --resume of
// a run that was finished as interrupted).
func (db *DB) ReopenRun(ctx context.Context, runID int64) error {
	err := db.write(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `UPDATE runs SET finished_at = NULL, status = ? WHERE id = ?`, RunRunning, runID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reopen run %d: %w", runID, err)
	}
	return nil
}

// SetRunDevice records device deviceID's status in run runID (and its
// error text, "" when none). Setting DeviceRunning counts an attempt.
func (db *DB) SetRunDevice(ctx context.Context, runID, deviceID int64, status, errText string) error {
	running := b2i(status == DeviceRunning)
	err := db.write(ctx, func(tx querier) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO run_devices (run_id, device_id, status, attempts, error, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (run_id, device_id) DO UPDATE SET status = excluded.status,
				attempts = run_devices.attempts + excluded.attempts, error = excluded.error, updated_at = excluded.updated_at`,
			runID, deviceID, status, running, errText, tsv(db.clock()))
		return err
	})
	if err != nil {
		return fmt.Errorf("run %d: set device %d %s: %w", runID, deviceID, status, err)
	}
	return nil
}

// RecordStep appends a step to the journal and returns its ID. A step
// with a zero StartedAt starts now; a finished step (FinishedAt set, or a
// status other than StepRunning) gets FinishedAt now if missing, and
// Duration from the two times if missing. Record a StepRunning step
// before a long action and close it with FinishStep, so a crash shows
// where the device was.
func (db *DB) RecordStep(ctx context.Context, s Step) (int64, error) {
	if s.RunID == 0 || s.DeviceID == 0 || s.Step == "" {
		return 0, errors.New("record step: run, device and step name are required")
	}
	if s.Status == "" {
		s.Status = StepRunning
	}
	now := db.clock()
	if s.StartedAt.IsZero() {
		s.StartedAt = now
	}
	if s.Status != StepRunning && s.FinishedAt.IsZero() {
		s.FinishedAt = now
	}
	if s.Duration == 0 && !s.FinishedAt.IsZero() {
		s.Duration = s.FinishedAt.Sub(s.StartedAt)
	}
	var id int64
	err := db.write(ctx, func(tx querier) error {
		return tx.QueryRowContext(ctx, `INSERT INTO steps (run_id, device_id, step, status, started_at, finished_at, duration_ms, error, artifact)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			s.RunID, s.DeviceID, s.Step, s.Status, tsv(s.StartedAt), ts(s.FinishedAt), s.Duration.Milliseconds(), s.Error, s.Artifact).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("run %d: device %d: record step %s: %w", s.RunID, s.DeviceID, s.Step, err)
	}
	return id, nil
}

// FinishStep closes step stepID (from RecordStep) with status, error text
// and artifact path; FinishedAt is now and Duration is measured from
// StartedAt.
func (db *DB) FinishStep(ctx context.Context, stepID int64, status, errText, artifact string) error {
	now := db.clock()
	err := db.write(ctx, func(tx querier) error {
		var started time.Time
		if err := tx.QueryRowContext(ctx, `SELECT started_at FROM steps WHERE id = ?`, stepID).Scan(scanTime{&started}); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE steps SET status = ?, finished_at = ?, duration_ms = ?, error = ?,
			artifact = CASE WHEN ? <> '' THEN ? ELSE artifact END WHERE id = ?`,
			status, tsv(now), now.Sub(started).Milliseconds(), errText, artifact, artifact, stepID)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish step %d: %w", stepID, err)
	}
	return nil
}

const runCols = `id, kind, started_at, finished_at, status, params, coalesce(credential_id, 0)`

func scanRun(s rowScanner) (Run, error) {
	var r Run
	var p string
	err := s.Scan(&r.ID, &r.Kind, scanTime{&r.StartedAt}, scanTime{&r.FinishedAt}, &r.Status, &p, &r.CredentialID)
	r.Params = json.RawMessage(p)
	return r, err
}

// GetRun returns run runID.
func (db *DB) GetRun(ctx context.Context, runID int64) (Run, error) {
	r, err := scanRun(db.rq().QueryRowContext(ctx, `SELECT `+runCols+` FROM runs WHERE id = ?`, runID))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("run %d: %w", runID, ErrNotFound)
	}
	if err != nil {
		return Run{}, fmt.Errorf("run %d: %w", runID, err)
	}
	return r, nil
}

// LastUnfinishedRun returns the newest run of kind that was never
// finished (crashed or killed) or finished as RunInterrupted; ErrNotFound
// (wrapped) when there is none. Runs brought in by Import are another
// inventory's to resume and are left out. A run whose process still holds
// device leases (another laptop on a shared inventory is running it) is
// refused with an error wrapping ErrLeased.
func (db *DB) LastUnfinishedRun(ctx context.Context, kind string) (Run, error) {
	r, err := scanRun(db.rq().QueryRowContext(ctx, `SELECT `+runCols+` FROM runs
		WHERE kind = ? AND (finished_at IS NULL OR status = ?) AND origin = '' ORDER BY id DESC LIMIT 1`, kind, RunInterrupted))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("no unfinished %s run to resume: %w", kind, ErrNotFound)
	}
	if err != nil {
		return Run{}, fmt.Errorf("last unfinished %s run: %w", kind, err)
	}
	holders, err := queryAll(ctx, db.rq(), func(s rowScanner) (string, error) {
		var h string
		return h, s.Scan(&h)
	}, `SELECT DISTINCT holder FROM device_leases WHERE run_id = ? AND expires_ms >= `+db.dialect.nowMillis(), r.ID)
	if err != nil {
		return Run{}, fmt.Errorf("last unfinished %s run: %w", kind, err)
	}
	for _, h := range holders {
		if !holderDead(h) {
			return Run{}, fmt.Errorf("%s run %d is still running (%s): %w; resume it once it has stopped, or %s after it died",
				kind, r.ID, h, ErrLeased, DefaultLeaseTTL)
		}
	}
	// The run's process died on this machine (killed, crashed): its
	// leases go now rather than when they lapse, for the resumption.
	for _, h := range holders {
		if err := db.ReleaseLeases(ctx, h); err != nil {
			return Run{}, err
		}
	}
	return r, nil
}

// Runs returns the newest runs first, at most limit (0 = all).
func (db *DB) Runs(ctx context.Context, limit int) ([]Run, error) {
	out, err := queryAll(ctx, db.rq(), scanRun, `SELECT `+runCols+` FROM runs ORDER BY id DESC`+limitSQL(limit))
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	return out, nil
}

// RunDevices returns the devices of run runID in the order they were
// added.
func (db *DB) RunDevices(ctx context.Context, runID int64) ([]RunDevice, error) {
	out, err := queryAll(ctx, db.rq(), func(r rowScanner) (RunDevice, error) {
		var d RunDevice
		err := r.Scan(&d.RunID, &d.DeviceID, &d.Status, &d.Attempts, &d.Error, scanTime{&d.UpdatedAt})
		return d, err
	}, `SELECT run_id, device_id, status, attempts, error, updated_at
		FROM run_devices WHERE run_id = ? ORDER BY `+db.dialect.insertOrder(), runID)
	if err != nil {
		return nil, fmt.Errorf("devices of run %d: %w", runID, err)
	}
	return out, nil
}

// Steps returns the steps of run runID in the order recorded, for one
// device or, with deviceID 0, for all.
func (db *DB) Steps(ctx context.Context, runID, deviceID int64) ([]Step, error) {
	out, err := queryAll(ctx, db.rq(), func(r rowScanner) (Step, error) {
		var s Step
		var ms int64
		err := r.Scan(&s.ID, &s.RunID, &s.DeviceID, &s.Step, &s.Status, scanTime{&s.StartedAt}, scanTime{&s.FinishedAt},
			&ms, &s.Error, &s.Artifact)
		s.Duration = time.Duration(ms) * time.Millisecond
		return s, err
	}, `SELECT id, run_id, device_id, step, status, started_at, finished_at, duration_ms, error, artifact
		FROM steps WHERE run_id = ? AND (? = 0 OR device_id = ?) ORDER BY id`, runID, deviceID, deviceID)
	if err != nil {
		return nil, fmt.Errorf("steps of run %d: %w", runID, err)
	}
	return out, nil
}
