package rollout

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/inventory"
)

func (o *Options) defaults() error {
	if o.Config == nil || o.DB == nil {
		return errors.New("rollout: Options.Config and Options.DB are required")
	}
	r := o.Config.Rollout
	if o.Account == "" {
		o.Account = o.Config.Gmail.Account
	}
	o.Parallel = max(resolveParallel(o.Parallel, r.Parallel), 1)
	if o.TabsPerBrowser == 0 {
		o.TabsPerBrowser = o.Config.Browser.TabsPerBrowser
		if o.TabsPerBrowser == 0 {
			o.TabsPerBrowser = DefaultTabsPerBrowser
		}
	}
	if o.Retries == 0 {
		o.Retries = r.Retries
	}
	if o.Retries < 0 {
		o.Retries = 0
	}
	if o.LoginBudget <= 0 {
		o.LoginBudget = r.LoginAttemptBudget // 0: per family, drivers.LoginBudget
	}
	if o.StepTimeout <= 0 {
		o.StepTimeout = r.StepTimeout.Duration
		if o.StepTimeout <= 0 {
			o.StepTimeout = 30 * time.Second
		}
	}
	if o.ConfirmTimeout <= 0 {
		o.ConfirmTimeout = r.ConfirmTimeout.Duration
		if o.ConfirmTimeout <= 0 {
			o.ConfirmTimeout = 2 * time.Minute
		}
	}
	if o.Backoff <= 0 {
		o.Backoff = 2 * time.Second
	}
	if o.CrashLimit <= 0 {
		o.CrashLimit = DefaultCrashLimit
	}
	if o.CrashWindow <= 0 {
		o.CrashWindow = DefaultCrashWindow
	}
	if o.ConfirmParallel <= 0 {
		o.ConfirmParallel = 8
	}
	if o.ConfirmPoll <= 0 {
		o.ConfirmPoll = time.Second
	}
	if o.ArtifactsDir == "" {
		o.ArtifactsDir = r.ArtifactsDir
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Discover == nil {
		db, cfg, lg := o.DB, o.Config, o.Logger
		o.Discover = func(ctx context.Context, ips []string) error {
			_, err := Discover(ctx, db, cfg, DiscoverOptions{Targets: ips, Retries: -1, Logger: lg})
			return err
		}
	}
	return nil
}

// Push pushes the app password to the selected devices: plan, preflight
// once (a failure stops before any device is touched, wrapping
// ErrPreflight), register the credential, then run every device through
// login → read → write → read-back → test with Parallel workers sharing
// one Chromium (a tab each), and confirm each test message in the mailbox
// (confirmations overlap and hold no tab). Every step is journalled as it
// happens. With DryRun it returns the plan (and, see Options.DryRunLogin,
// the current settings) only.
//
// The error is nil when every device ended confirmed, written-unconfirmed
// (no test action) or skipped; it wraps ErrSomeFailed (and ErrAdminLogin
// when a login was the problem) when some failed, ErrInterrupted when ctx
// was cancelled. The Summary is filled in all those cases.
func Push(ctx context.Context, o Options) (Summary, error) {
	return execute(ctx, o, inventory.RunPush)
}

// Test triggers and confirms the test e-mail on the selected devices
// without writing settings, and records the result (a confirmation also
// marks the device's holding confirmed when it holds this app password).
// Devices without a test action are skipped unless Wait, which waits for
// a scan to the plus-address their push named.
func Test(ctx context.Context, o Options) (Summary, error) {
	return execute(ctx, o, inventory.RunTest)
}

type engine struct {
	o        *Options
	kind     string
	db       *inventory.DB
	dbctx    context.Context // journal writes survive cancellation
	log      *slog.Logger
	runID    int64
	cred     inventory.Credential
	browsers *browserKeeper
	secrets  scrubber

	mu      sync.Mutex // results, done, progress calls
	results map[int64]*DeviceResult
	login   map[int64]bool // failures that need a technician
	done    int
	total   int

	csem chan struct{}
	cwg  sync.WaitGroup

	leases *leaser // per-device leases in the inventory (lease.go)

	// Many devices in flight (scale.go): one mailbox connection for
	// every confirmation (the browsers are the keeper's).
	watch      *gmail.Watcher
	watchSince time.Time
}

func execute(ctx context.Context, o Options, kind string) (Summary, error) {
	if err := o.defaults(); err != nil {
		return Summary{}, err
	}
	started := time.Now()
	plan, err := makePlan(ctx, &o, kind)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Kind: kind, Account: plan.Account, StartedAt: started, Plan: &plan}
	e := &engine{o: &o, kind: kind, db: o.DB, dbctx: context.WithoutCancel(ctx), log: o.Logger,
		results: map[int64]*DeviceResult{}, login: map[int64]bool{}, total: len(plan.Targets),
		csem: make(chan struct{}, o.ConfirmParallel)}
	e.secrets = scrubber{}
	if !o.AppPassword.IsZero() {
		e.secrets = append(e.secrets, o.AppPassword.Reveal(), o.AppPassword.Spaced())
	}
	for _, t := range plan.Targets {
		for _, c := range t.configured {
			e.secrets = append(e.secrets, c.Password.Reveal())
		}
	}
	e.emit(Event{Kind: EventPlan, Total: len(plan.Targets)})

	if o.DryRun {
		sum.DryRun, sum.Status = true, "planned"
		if kind != inventory.RunTest && (o.DryRunLogin || (len(o.Select.IPs) == 1 && len(plan.Runnable()) == 1)) {
			err = e.readOnly(ctx, plan)
		}
		e.collect(&sum, plan)
		return sum, err
	}
	if plan.spansSites != "" && o.Config.Rollout.SiteLabels && kind != inventory.RunTest {
		return sum, errors.New(plan.spansSites)
	}
	// Which delivery methods this run pushes: the app-password preflight
	// and credential only when some device gets an app password; the
	// relay preflight when some device goes through the relay.
	var needPW, relay bool
	relayDomain := ""
	for _, t := range plan.Runnable() {
		if kind == inventory.RunTest || o.needsAppPassword(t) {
			needPW = true
		}
		if t.Method == config.MethodRelay && kind != inventory.RunTest {
			relay = true
			relayDomain = cmpOr(relayDomain, t.EHLODomain)
		}
	}
	if !relay {
		needPW = true // nothing to push, or only app-password devices: as before
	}
	if needPW && o.AppPassword.IsZero() {
		return sum, fmt.Errorf("no app password given: %w", gmail.ErrNoPasswordSource)
	}

	// Preflight, once, before any device is touched.
	if needPW {
		port := o.Config.Gmail.StartTLSPort
		if o.Config.Gmail.DevicePort == gmail.DefaultTLSPort {
			port = o.Config.Gmail.TLSPort
		}
		pre, err := gmail.Check(ctx, gmail.CheckOptions{
			Account: plan.Account, Password: o.AppPassword, Host: o.Config.Gmail.SMTPHost, Port: port,
			CAFile: o.Config.Gmail.CAFile, Timeout: o.StepTimeout, Logger: o.Logger,
		})
		sum.Preflight = &pre
		if err != nil {
			e.emit(Event{Kind: EventPreflight, Status: "failed", Reason: e.secrets.scrub(err.Error())})
			if ctx.Err() != nil {
				return sum, fmt.Errorf("%w before the preflight finished: %w", ErrInterrupted, ctx.Err())
			}
			return sum, fmt.Errorf("%w: %s:%d: %w (no device was touched)", ErrPreflight, pre.Host, pre.Port, err)
		}
	}
	if relay {
		pre, err := relayPreflight(ctx, &o, relayDomain)
		sum.RelayPreflight = &pre
		if err != nil {
			e.emit(Event{Kind: EventPreflight, Status: "failed", Reason: e.secrets.scrub(err.Error())})
			if ctx.Err() != nil {
				return sum, fmt.Errorf("%w before the preflight finished: %w", ErrInterrupted, ctx.Err())
			}
			return sum, fmt.Errorf("%w: SMTP relay %s:%d: %w (no device was touched)", ErrPreflight, pre.Host, pre.Port, err)
		}
	}
	e.emit(Event{Kind: EventPreflight, Status: "ok"})

	// The credential (app-password devices; the relay holds none unless
	// it requires SMTP AUTH).
	if needPW {
		fp := o.DB.Fingerprint(o.AppPassword.Reveal())
		if kind == inventory.RunTest {
			if plan.CredentialID != 0 {
				e.cred, _ = o.DB.GetCredential(ctx, plan.CredentialID)
			}
		} else {
			e.cred, _, err = o.DB.AddCredential(ctx, plan.Account, plan.Label, fp)
			if err != nil {
				return sum, fmt.Errorf("register the app password in the inventory: %w", err)
			}
			sum.Credential = credInfo(e.cred)
		}
		if e.cred.ID != 0 {
			sum.Credential = credInfo(e.cred)
		}
	}

	// The run.
	if plan.ResumeRun != 0 {
		e.runID = plan.ResumeRun
		if err := o.DB.ReopenRun(ctx, e.runID); err != nil {
			return sum, err
		}
		sum.Resumed = true
	} else {
		p := runParams{Select: o.Select, Account: plan.Account, Label: plan.Label, Force: o.Force, Wait: o.Wait}
		e.runID, err = o.DB.StartRun(ctx, kind, e.cred.ID, p)
		if err != nil {
			return sum, err
		}
	}
	sum.RunID = e.runID
	e.leases = startLeaser(e.dbctx, o.DB, o.Logger, e.runID)
	defer e.leases.stop()
	e.emit(Event{Kind: EventRunStarted, Total: len(plan.Targets)})

	// Devices decided without touching them.
	for _, t := range plan.Targets {
		switch {
		case t.Skip != "":
			e.finish(t, &DeviceResult{}, StatusSkipped, t.Skip, "", time.Now())
		case t.Fail != "":
			e.mu.Lock()
			e.login[t.Device.ID] = true
			e.mu.Unlock()
			e.finish(t, &DeviceResult{FailedStep: inventory.StepLogin}, StatusFailed, t.Fail, "", time.Now())
		}
	}

	runnable := plan.Runnable()
	needBrowser := slices.ContainsFunc(runnable, func(t Target) bool { return t.PendingConfirm == "" || kind != inventory.RunTest })
	e.browsers = &browserKeeper{start: e.startBrowser, n: drivers.BrowsersFor(o.Parallel, o.TabsPerBrowser), limit: o.CrashLimit, window: o.CrashWindow, log: o.Logger}
	defer e.browsers.close()
	if len(runnable) > 0 && needBrowser {
		if o.Browser != nil {
			e.browsers.use(o.Browser)
		} else {
			if e.browsers.n > 1 {
				e.log.Info("starting browsers", "browsers", e.browsers.n, "tabs", o.Parallel)
			}
			if err := e.browsers.startFirst(ctx); err != nil {
				if ctx.Err() != nil || errors.Is(err, ErrBrowserCrashing) {
					// Ctrl-C while Chromium was starting, or it kept
					// dying as it started: nothing was attempted,
					// nothing failed.
					reason := "not started: the run was interrupted; run the command again to continue"
					if ctx.Err() == nil {
						reason = notAttempted(err)
					}
					for _, t := range runnable {
						e.finish(t, &DeviceResult{}, StatusPending, reason, "", time.Now())
					}
					return e.finishRun(ctx, &sum, plan, started)
				}
				for _, t := range runnable {
					e.finish(t, &DeviceResult{FailedStep: "open"}, StatusFailed, fmt.Sprintf("%s: not started: %v", t.Device.IP, err), "", time.Now())
				}
				e.finishRun(ctx, &sum, plan, started)
				return sum, fmt.Errorf("%w: %w", ErrSomeFailed, err)
			}
		}
	}

	if len(runnable) > 0 {
		e.startWatcher(ctx, started.Add(-time.Minute))
		if e.watch != nil {
			defer e.watch.Close()
		}
	}
	jobs := make(chan Target)
	var wg sync.WaitGroup
	for range min(o.Parallel, max(len(runnable), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range jobs {
				e.device(ctx, t)
			}
		}()
	}
	var notStarted []Target
feed:
	for i, t := range runnable {
		if e.browsers.stopped() != nil {
			notStarted = runnable[i:]
			break
		}
		select {
		case jobs <- t:
		case <-ctx.Done():
			notStarted = runnable[i:]
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	e.cwg.Wait()
	for _, t := range notStarted {
		reason := "not started: the run was interrupted; run the command again to continue"
		if stop := e.browsers.stopped(); stop != nil && ctx.Err() == nil {
			reason = notAttempted(stop)
		}
		e.finish(t, &DeviceResult{}, StatusPending, reason, "", time.Now())
	}
	return e.finishRun(ctx, &sum, plan, started)
}

// finishRun closes the run in the journal and builds the summary and
// the returned error.
func (e *engine) finishRun(ctx context.Context, sum *Summary, plan Plan, started time.Time) (Summary, error) {
	e.collect(sum, plan)
	foldAccountWide535(sum)
	status := inventory.RunSucceeded
	var err error
	switch {
	case ctx.Err() != nil:
		status = inventory.RunInterrupted
		err = fmt.Errorf("%w: run %d stopped (%d of %d devices done); run the same command again to resume: %w", ErrInterrupted, e.runID, e.done, e.total, ctx.Err())
	case e.browsers != nil && e.browsers.stopped() != nil:
		// Left interrupted: a re-run (or --resume) carries on.
		status = inventory.RunInterrupted
		err = fmt.Errorf("run %d stopped (%d of %d devices done): %w", e.runID, e.done, e.total, e.browsers.stopped())
		if sum.Counts.Failed > 0 {
			err = fmt.Errorf("%w; besides, %d of %d devices failed: %w", err, sum.Counts.Failed, len(sum.Devices), ErrSomeFailed)
		}
	case sum.Counts.Failed > 0:
		status = inventory.RunFailed
		err = fmt.Errorf("%w: %d of %d devices failed", ErrSomeFailed, sum.Counts.Failed, len(sum.Devices))
		if len(e.login) > 0 {
			err = fmt.Errorf("%w (%d need a technician: %w)", err, len(e.login), ErrAdminLogin)
		}
	}
	if e.runID != 0 {
		if ferr := e.db.FinishRun(e.dbctx, e.runID, status); ferr != nil && err == nil {
			err = ferr
		}
	}
	sum.Status = status
	e.emit(Event{Kind: EventRunDone, Status: status})
	return *sum, err
}

func (e *engine) collect(sum *Summary, plan Plan) {
	e.mu.Lock()
	defer e.mu.Unlock()
	sum.Devices = sum.Devices[:0]
	sum.Counts = Counts{}
	touched := 0
	for _, t := range plan.Targets {
		r, ok := e.results[t.Device.ID]
		if !ok {
			continue
		}
		sum.Devices = append(sum.Devices, *r)
		switch r.Status {
		case StatusConfirmed:
			sum.Counts.Confirmed++
		case StatusWrittenUnconfirmed:
			sum.Counts.WrittenUnconfirmed++
		case StatusConnectionTested:
			sum.Counts.ConnectionTested++
		case StatusFailed:
			sum.Counts.Failed++
		case StatusSkipped:
			sum.Counts.Skipped++
		case StatusRead:
			sum.Counts.Read++
		case StatusPending:
			sum.Counts.Pending++
		}
		if workedOn(r) {
			touched++
		}
	}
	if sum.Devices == nil {
		sum.Devices = []DeviceResult{}
	}
	sum.FinishedAt = time.Now()
	sum.DurationMS = sum.FinishedAt.Sub(sum.StartedAt).Milliseconds()
	if d := sum.FinishedAt.Sub(sum.StartedAt); touched > 0 && d > 0 {
		sum.DevicesPerMinute = float64(touched) / d.Minutes() // only devices worked on (see workedOn)
	}
}

func (e *engine) emit(ev Event) {
	if e.o.Progress == nil {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ev.RunID = e.runID
	ev.Done, ev.Total = e.done, e.total
	e.o.Progress(ev)
}

func deviceEvent(kind EventKind, t Target) Event {
	return Event{Kind: kind, Device: t.Device.IP, DeviceID: t.Device.ID, Model: t.Device.Model, Serial: t.Device.Serial}
}

// finish records a device's outcome in the journal and the results.
func (e *engine) finish(t Target, r *DeviceResult, status, reason, step string, started time.Time) {
	d := t.Device
	e.leases.release(d.ID)
	r.DeviceID, r.IP, r.Serial, r.Model, r.Site, r.Method = d.ID, d.IP, d.Serial, d.Model, d.Site, t.Method
	if r.Family == "" { // else the family the page showed (Session.Info)
		r.Family = d.Family
	}
	r.Status, r.Reason = status, e.secrets.scrub(reason)
	if step != "" {
		r.FailedStep = step
	}
	r.DurationMS = time.Since(started).Milliseconds()
	if e.runID != 0 {
		js := status
		if status == StatusRead {
			js = inventory.DeviceSkipped
		}
		errText := ""
		if status != StatusConfirmed {
			errText = r.Reason
		}
		if err := e.db.SetRunDevice(e.dbctx, e.runID, d.ID, js, errText); err != nil {
			e.log.Error("journal", "device", d.IP, "err", err)
		}
	}
	e.mu.Lock()
	e.results[d.ID] = r
	if status != StatusPending {
		e.done++
	}
	e.mu.Unlock()
	ev := deviceEvent(EventDone, t)
	ev.Status, ev.Reason, ev.Attempt = status, r.Reason, r.Attempts
	e.emit(ev)
}

// step runs fn as one journalled step of device t, bounded by timeout.
func (e *engine) step(ctx context.Context, t Target, r *DeviceResult, name string, timeout time.Duration, fn func(context.Context) error) error {
	var id int64
	if e.runID != 0 {
		var err error
		id, err = e.db.RecordStep(e.dbctx, inventory.Step{RunID: e.runID, DeviceID: t.Device.ID, Step: name, Status: inventory.StepRunning})
		if err != nil {
			return fmt.Errorf("%s: journal: %w", t.Device.IP, err)
		}
	}
	ev := deviceEvent(EventStep, t)
	ev.Step, ev.Status, ev.Attempt = name, inventory.StepRunning, r.Attempts
	e.emit(ev)
	sctx, cancel := context.WithTimeout(ctx, timeout)
	err := fn(sctx)
	cancel()
	status, errText, artifact := inventory.StepOK, "", ""
	if err != nil {
		status = inventory.StepFailed
		if errors.Is(err, drivers.ErrNoTestAction) {
			status = inventory.StepSkipped
		}
		errText = e.secrets.scrub(err.Error())
		shots, html := drivers.Artifacts(err)
		for _, p := range append(shots, html...) {
			if !slices.Contains(r.Artifacts, p) {
				r.Artifacts = append(r.Artifacts, p)
			}
		}
		if len(shots) > 0 {
			artifact = shots[0]
		} else if len(html) > 0 {
			artifact = html[0]
		}
	}
	if id != 0 {
		if ferr := e.db.FinishStep(e.dbctx, id, status, errText, artifact); ferr != nil {
			e.log.Error("journal", "device", t.Device.IP, "step", name, "err", ferr)
		}
	}
	ev.Status, ev.Reason, ev.Time = status, errText, time.Now()
	e.emit(ev)
	return err
}

// outcome of one pass over a device with a tab.
type outcome int

const (
	outTested     outcome = iota // the device sent its test message: confirm it
	outNoTest                    // written; the device has no test action
	outConnTested                // written; no test action, its connection test passed
	outRead                      // dry run: read only
)

// device runs one device to its end (or hands it to a confirmation).
func (e *engine) device(ctx context.Context, t Target) {
	started := time.Now()
	r := &DeviceResult{}
	if ctx.Err() != nil {
		e.finish(t, r, StatusPending, "not started: the run was interrupted; run the command again to continue", "", started)
		return
	}
	if err := e.leases.acquire(t.Device.ID); err != nil {
		// Another run (another laptop or site on the same inventory) is
		// working on it: left pending, for the next run or --resume.
		e.finish(t, r, StatusPending, fmt.Sprintf("%s: not started: %v", t.Device.IP, err), "", started)
		return
	}
	if err := e.db.SetRunDevice(e.dbctx, e.runID, t.Device.ID, inventory.DeviceRunning, ""); err != nil {
		e.finish(t, r, StatusFailed, fmt.Sprintf("%s: journal: %v", t.Device.IP, err), "", started)
		return
	}
	ev := deviceEvent(EventDevice, t)
	ev.Attempt = 1
	e.emit(ev)

	if t.PendingConfirm != "" && !e.o.AppPassword.IsZero() {
		// An earlier run (killed, or interrupted during confirmation) had
		// the device send its test message: look for it first.
		h, _ := e.db.Holding(ctx, t.Device.ID)
		since := h.PushedAt.Add(-time.Minute)
		timeout := min(e.o.ConfirmTimeout, 15*time.Second)
		if e.kind == inventory.RunTest && e.o.Wait {
			timeout = e.o.ConfirmTimeout // waiting for a person to scan
		}
		r.TestAddress = t.PendingConfirm
		if e.kind == inventory.RunTest && e.o.Wait {
			ev := deviceEvent(EventWaiting, t)
			ev.TestAddress, ev.Until = t.PendingConfirm, time.Now().Add(timeout)
			e.emit(ev)
		}
		arr, err := e.confirm(ctx, t, r, t.PendingConfirm, since, timeout)
		if err == nil {
			e.confirmed(t, r, arr, started)
			return
		}
		if ctx.Err() != nil {
			e.finish(t, r, StatusPending, "interrupted while checking the mailbox; run the command again to continue", "", started)
			return
		}
		if e.kind == inventory.RunTest && e.o.Wait {
			reason := e.confirmFailure(t, err)
			if errors.Is(err, gmail.ErrNotArrived) {
				reason = fmt.Sprintf("%s: nothing arrived at %s within %s; the settings stay written: scan a page to that address from the device's panel (Scan to E-mail), then run `mfpfleet test --wait --ip %s` again", t.Device.IP, t.PendingConfirm, timeout, t.Device.IP)
			}
			e.finish(t, r, StatusFailed, reason, inventory.StepConfirm, started)
			return
		}
		e.log.Info("earlier test message not found; pushing again", "device", t.Device.IP)
	}

	backoff := e.o.Backoff
	requeued := 0 // starts again from login because the browser died
	for attempt := 1; ; attempt++ {
		r.Attempts = attempt
		if attempt > 1 || requeued > 0 {
			_ = e.db.SetRunDevice(e.dbctx, e.runID, t.Device.ID, inventory.DeviceRunning, "")
			ev := deviceEvent(EventDevice, t)
			ev.Attempt = attempt
			e.emit(ev)
		}
		b, release, berr := e.browsers.acquire()
		if berr != nil {
			e.finish(t, r, StatusPending, notAttempted(berr), "", started)
			return
		}
		out, addr, testAt, err := e.pass(ctx, b, t, r)
		release()
		step := stepOf(err)
		if err == nil {
			switch out {
			case outNoTest:
				e.finish(t, r, StatusWrittenUnconfirmed, fmt.Sprintf("written and read back; the %s web admin has no test e-mail action, so it stays unconfirmed until a scan to %s arrives (scan a page there, then run `mfpfleet test --wait`)", t.Device.Family, addr), "", started)
			case outConnTested:
				e.finish(t, r, StatusConnectionTested, connectionTestedReason(r, t, addr), "", started)
			case outTested:
				if e.o.AppPassword.IsZero() {
					// A relay-only run without the mailbox's password.
					e.finish(t, r, StatusWrittenUnconfirmed, fmt.Sprintf("written; the device sent its test message through the relay, but no app password was given to read the mailbox: look for the message to %s, or run `mfpfleet test` with the mailbox's app password", addr), "", started)
					return
				}
				e.confirmAsync(ctx, t, r, addr, testAt, started)
			}
			return
		}
		if ctx.Err() != nil {
			e.finish(t, r, StatusPending, fmt.Sprintf("interrupted during %s; run the command again to start this device again from login", step), "", started)
			return
		}
		if browserDied(b, err) {
			// Chromium died under the device: not the device's fault,
			// not a failed login, not one of its retries. Start the
			// browser again (or find it started by another worker) and
			// the device again from its login.
			if gerr := e.browsers.crashed(ctx, b); gerr != nil {
				e.finish(t, r, StatusPending, notAttempted(gerr), "", started)
				return
			}
			if ctx.Err() != nil {
				e.finish(t, r, StatusPending, fmt.Sprintf("interrupted during %s; run the command again to start this device again from login", step), "", started)
				return
			}
			if requeued++; requeued > maxDeviceRequeues {
				e.finish(t, r, StatusPending, fmt.Sprintf("not attempted to the end: the browser crashed %d times while working on this device (last: %s); run the command again to continue", requeued, summary(b.CrashOf(err))), "", started)
				return
			}
			e.log.Info("the browser crashed during this device's "+step+": starting it again from its login", "device", t.Device.IP)
			attempt--
			continue
		}
		if drivers.IsRetryable(err) && attempt <= e.o.Retries {
			e.log.Info("transient failure, retrying", "device", t.Device.IP, "step", step, "attempt", attempt, "err", e.secrets.scrub(err.Error()))
			tm := time.NewTimer(backoff)
			select {
			case <-tm.C:
			case <-ctx.Done():
				tm.Stop()
				e.finish(t, r, StatusPending, "interrupted while waiting to retry; run the command again to continue", "", started)
				return
			}
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		reason := failureReason(err) // a *drivers.StepError: names the device and the step
		if drivers.IsRetryable(err) {
			reason += fmt.Sprintf(" (gave up after %d attempts; run again when the device is back)", attempt)
		}
		if errors.Is(err, drivers.ErrBadCredentials) || errors.Is(err, drivers.ErrLockedOut) {
			e.mu.Lock()
			e.login[t.Device.ID] = true
			e.mu.Unlock()
		}
		e.finish(t, r, StatusFailed, reason, step, started)
		return
	}
}

// pass is one attempt at a device in browser b: open and log in
// (drivers.Visit), then per kind read/write/read back/test, and log out.
// A failure is a *drivers.StepError naming the device and the step that
// failed.
func (e *engine) pass(ctx context.Context, b drivers.SessionOpener, t Target, r *DeviceResult) (out outcome, addr string, testAt time.Time, err error) {
	d := t.Device
	accept := slices.Contains(e.o.AcceptNewCert, d.IP)
	allowHTTP := false
	if s, ok := e.o.Config.Site(d.Site); ok {
		allowHTTP = s.AllowHTTP
	}
	tgt := drivers.Target{
		Address: d.IP, Device: d.Device, AllowHTTP: allowHTTP,
		Certs:   drivers.CertPolicy{Store: e.db, AcceptNew: accept},
		Secrets: e.secrets,
	}
	step := inventory.StepLogin
	v := drivers.Visit{
		Open: func(c context.Context) (drivers.Session, error) {
			s, err := b.OpenSession(c, tgt)
			if err == nil {
				if info := s.Info(); info.Family != "" {
					r.Family = info.Family
				}
			}
			return s, err
		},
		Login: func(c context.Context, s drivers.Session) error {
			used, err := drivers.LoginWithPolicy(c, s, d.Device, t.configured, e.db.LoginLedger(), drivers.LoginPolicy{
				Budget: drivers.LoginBudget(d.Device, e.o.LoginBudget), RetryDefaults: e.o.RetryDefaults, RetryConfigured: e.o.RetryConfigured})
			if err != nil {
				return err
			}
			r.AdminLogin = used.Kind
			return nil
		},
		// The open and the login are the journal's one "login" step.
		Start: func(c context.Context, begin func(context.Context) error) error {
			return e.step(c, t, r, inventory.StepLogin, e.o.StepTimeout*3, begin)
		},
		LogoutTimeout: min(e.o.StepTimeout, drivers.DefaultLogoutTimeout),
		OnLogout: func(err error) {
			if err != nil {
				e.log.Debug("logout", "device", d.IP, "err", e.secrets.scrub(err.Error()))
			}
		},
	}
	err = v.Run(ctx, func(ctx context.Context, sess drivers.Session) error {
		var werr error
		out, addr, testAt, step, werr = e.work(ctx, sess, t, r)
		return werr
	})
	return out, addr, testAt, drivers.AtStep(d.IP, step, err)
}

// work is a pass's part between login and logout; it returns the step
// that failed with the error.
func (e *engine) work(ctx context.Context, sess drivers.Session, t Target, r *DeviceResult) (out outcome, addr string, testAt time.Time, step string, err error) {
	d := t.Device
	_, canCheck := sess.(drivers.ConnectionChecker)
	if _, ok := sess.(drivers.Tester); !ok && !canCheck && e.kind == inventory.RunTest {
		return 0, "", time.Time{}, inventory.StepTest, fmt.Errorf("%s: test: %s web admin has no test e-mail action: scan a page to the address its push named, then run `mfpfleet test --wait`: %w", d.IP, sess.Info().Family, drivers.ErrNoTestAction)
	}

	if e.kind != inventory.RunTest {
		var cur drivers.SMTPSettings
		step = inventory.StepRead
		if err = e.step(ctx, t, r, step, e.o.StepTimeout, func(c context.Context) error {
			var err error
			cur, err = sess.ReadSMTP(c)
			return err
		}); err != nil {
			return 0, "", time.Time{}, step, err
		}
		r.Current = viewOf(cur)
		if e.o.DryRun {
			return outRead, "", time.Time{}, "", nil
		}

		want := e.o.settingsFor(t.Method)
		if t.Method == config.MethodRelay {
			// The relay drops a bare EHLO name: put the device's name
			// in the client's domain first.
			step = StepHostName
			if err = e.step(ctx, t, r, step, e.o.StepTimeout*2, func(c context.Context) error {
				var err error
				r.EHLO, err = setHostName(c, sess, d.IP, t.EHLODomain)
				return err
			}); err != nil {
				return 0, "", time.Time{}, step, err
			}
		}
		step = inventory.StepWrite
		if !want.Auth && (cur.Auth || cur.PasswordSet || cur.User != "") {
			// AUTH goes off (the relay by IP), but web admins keep the
			// stored password while it is off: overwrite it first with
			// a random value, so that the old app password leaves the
			// device.
			// (The value is of no use to anyone; the tab keeps it out
			// of artifacts like any password it types.)
			wipe := wipeSettings(want, cur, e.o.Account)
			if err = e.step(ctx, t, r, step, e.o.StepTimeout, func(c context.Context) error { return sess.WriteSMTP(c, wipe) }); err != nil {
				return 0, "", time.Time{}, step, err
			}
		}
		if err = e.step(ctx, t, r, step, e.o.StepTimeout, func(c context.Context) error { return sess.WriteSMTP(c, want) }); err != nil {
			if errors.Is(err, drivers.ErrFirmware) {
				e.addLimit(d.ID, inventory.LimitNoSMTPTLS)
			}
			return 0, "", time.Time{}, step, err
		}
		step = inventory.StepReadback
		var back drivers.SMTPSettings
		if err = e.step(ctx, t, r, step, e.o.StepTimeout, func(c context.Context) error {
			var err error
			if back, err = sess.ReadSMTP(c); err != nil {
				return err
			}
			return compareSettings(d.IP, want, back)
		}); err != nil {
			return 0, "", time.Time{}, step, err
		}
		r.Written = viewOf(want)
		noTest, connOnly := false, false
		if _, ok := sess.(drivers.Tester); !ok {
			noTest = true
			_, connOnly = sess.(drivers.ConnectionChecker)
		}
		credID := e.cred.ID
		if !e.o.needsAppPassword(t) {
			credID = 0 // nothing secret on the device
		}
		h := inventory.Holding{
			DeviceID: d.ID, CredentialID: credID, Account: e.o.Account, RunID: e.runID, PushedAt: time.Now(),
			AdminLogin: r.AdminLogin, SMTPHost: want.Server, SMTPPort: want.Port, SMTPSecurity: string(want.Security),
			SMTPUser: want.User, SMTPFrom: want.From, Method: t.Method, EHLO: r.EHLO,
		}
		if h.AdminLogin != "" {
			// The wording its driver declares, kept beside the kind.
			h.AdminLoginText, h.AdminLoginShort = drivers.KindText(h.AdminLogin)
		}
		if noTest {
			h.Limits = []string{inventory.LimitNoTestAction}
		}
		if connOnly {
			h.Limits = append(h.Limits, inventory.LimitConnectionTestOnly)
		}
		if err = e.db.SetHolding(e.dbctx, h); err != nil {
			return 0, "", time.Time{}, step, fmt.Errorf("%s: record the holding: %w", d.IP, err)
		}
	}

	addr = e.o.testAddress(e.runID, d)
	r.TestAddress = addr
	step = inventory.StepTest
	var res drivers.TestResult
	testAt = time.Now()
	// A model without a test e-mail whose only device-side check is a
	// connection test runs that instead: a distinct outcome, never a
	// confirmation.
	cc, connCheck := sess.(drivers.ConnectionChecker)
	if _, ok := sess.(drivers.Tester); ok {
		connCheck = false
	}
	err = e.step(ctx, t, r, step, e.o.StepTimeout*2, func(c context.Context) error {
		var err error
		if connCheck {
			res, err = cc.CheckSMTPConnection(c)
			return err
		}
		res, err = drivers.SendTest(c, sess, addr)
		return err
	})
	r.DeviceSays = res.Message
	switch {
	case connCheck && err == nil:
		_ = e.db.RecordTest(e.dbctx, d.ID, time.Now(), true, "")
		return outConnTested, addr, testAt, "", nil
	case errors.Is(err, drivers.ErrNoTestAction):
		return outNoTest, addr, testAt, "", nil
	case errors.Is(err, drivers.ErrTestFailed):
		_ = e.db.RecordTest(e.dbctx, d.ID, time.Now(), false, e.secrets.scrub(res.Message))
		msg := err.Error()
		diag := gmail.DiagnoseReply(res.Message)
		if t.Method == config.MethodRelay {
			diag = diag.ForRelay(r.EHLO)
		}
		if diag != nil {
			msg += ": " + diag.Error()
			if diag.Code == gmail.CodeTLSHandshake {
				e.addLimit(d.ID, inventory.LimitOldTLS)
			}
		}
		if errors.Is(err, drivers.ErrFirmware) {
			e.addLimit(d.ID, inventory.LimitOldTLS)
		}
		return 0, addr, testAt, step, errors.New(msg)
	case err != nil:
		if errors.Is(err, drivers.ErrFirmware) {
			e.addLimit(d.ID, inventory.LimitOldTLS)
		}
		return 0, addr, testAt, step, err
	}
	return outTested, addr, testAt, "", nil
}

// connectionTestedReason says what a passed connection test proves and
// what it does not.
func connectionTestedReason(r *DeviceResult, t Target, addr string) string {
	reached := "the device reached the mail server and logged in with the app password"
	if t.Method == config.MethodRelay {
		reached = "the device reached the SMTP relay and was accepted"
	}
	return fmt.Sprintf("connection test passed (%s); the %s web admin has no test e-mail, so nothing was sent: unconfirmed until a scan to %s arrives (scan a page there, then run `mfpfleet test --wait --ip %s`)",
		reached, cmp.Or(r.Family, t.Device.Family), addr, t.Device.IP)
}

// addLimit adds a firmware limitation flag to a device's holding,
// keeping what it holds.
func (e *engine) addLimit(deviceID int64, flag string) {
	h, err := e.db.Holding(e.dbctx, deviceID)
	if err != nil {
		h = inventory.Holding{DeviceID: deviceID}
	}
	if slices.Contains(h.Limits, flag) {
		return
	}
	h.Limits = append(h.Limits, flag)
	if err := e.db.SetHolding(e.dbctx, h); err != nil {
		e.log.Error("record firmware limit", "device", deviceID, "err", err)
	}
}

// compareSettings checks what the device shows after the write.
func compareSettings(ip string, want, got drivers.SMTPSettings) error {
	diffs := drivers.SMTPDiff(want, got)
	if len(diffs) == 0 {
		return nil
	}
	// A device that silently dropped the save (rebooted, session lost) is
	// worth another try.
	return fmt.Errorf("%s: readback: the device shows %s after saving: it did not keep the settings: %w", ip, strings.Join(diffs, ", "), drivers.ErrTransient)
}

// confirmAsync waits for the test message in the mailbox without holding
// a tab or a worker.
func (e *engine) confirmAsync(ctx context.Context, t Target, r *DeviceResult, addr string, testAt time.Time, started time.Time) {
	e.cwg.Add(1)
	go func() {
		defer e.cwg.Done()
		arr, err := e.confirm(ctx, t, r, addr, testAt.Add(-time.Minute), e.o.ConfirmTimeout)
		switch {
		case err == nil:
			e.confirmed(t, r, arr, started)
		case ctx.Err() != nil:
			e.finish(t, r, StatusPending, "interrupted while waiting for the test message; run the command again: it looks in the mailbox before touching the device", "", started)
		default:
			_ = e.db.RecordTest(e.dbctx, t.Device.ID, time.Now(), false, e.secrets.scrub(err.Error()))
			e.finish(t, r, StatusFailed, e.confirmFailure(t, err), inventory.StepConfirm, started)
		}
	}()
}

func (e *engine) confirmFailure(t Target, err error) string {
	msg := t.Device.IP + ": confirm: " + strings.TrimPrefix(failureReason(err), "confirm: ")
	if errors.Is(err, gmail.ErrNotArrived) && (t.TestAction == "yes" || t.TestAction == "unknown") {
		msg += "; the device reported its test e-mail as sent, so look at its job log and Gmail's Spam folder"
	}
	return msg
}

func (e *engine) confirm(ctx context.Context, t Target, r *DeviceResult, addr string, since time.Time, timeout time.Duration) (gmail.Arrival, error) {
	if e.watch != nil && !since.Before(e.watchSince) {
		var arr gmail.Arrival
		err := e.step(ctx, t, r, inventory.StepConfirm, timeout+e.o.StepTimeout, func(c context.Context) error {
			var err error
			arr, _, err = e.waitWatched(c, addr, since, timeout)
			return err
		})
		return arr, err
	}
	select {
	case e.csem <- struct{}{}:
	case <-ctx.Done():
		return gmail.Arrival{}, ctx.Err()
	}
	defer func() { <-e.csem }()
	var arr gmail.Arrival
	err := e.step(ctx, t, r, inventory.StepConfirm, timeout+e.o.StepTimeout, func(c context.Context) error {
		var err error
		arr, err = gmail.Confirm(c, gmail.ConfirmOptions{
			Account: e.o.Account, Password: e.o.AppPassword,
			Host: e.o.Config.Gmail.IMAPHost, Port: e.o.Config.Gmail.IMAPPort, CAFile: e.o.Config.Gmail.CAFile,
			To: addr, Since: since, Timeout: timeout, PollInitial: e.o.ConfirmPoll, Logger: e.log,
		})
		return err
	})
	return arr, err
}

// confirmed records a message that arrived.
func (e *engine) confirmed(t Target, r *DeviceResult, arr gmail.Arrival, started time.Time) {
	at := arr.At
	if at.IsZero() {
		at = time.Now()
	}
	r.ConfirmedAt = at
	h, herr := e.db.Holding(e.dbctx, t.Device.ID)
	credID := e.cred.ID
	if herr == nil && h.Method == config.MethodRelay && h.CredentialID == 0 {
		credID = 0 // the relay by IP: the holding names no credential
		if err := e.db.MarkConfirmed(e.dbctx, t.Device.ID, 0, at); err != nil {
			e.finish(t, r, StatusFailed, fmt.Sprintf("%s: confirm: record the confirmation: %v", t.Device.IP, err), inventory.StepConfirm, started)
			return
		}
	} else if herr == nil && credID != 0 && h.CredentialID == credID {
		if err := e.db.MarkConfirmed(e.dbctx, t.Device.ID, credID, at); err != nil {
			e.finish(t, r, StatusFailed, fmt.Sprintf("%s: confirm: record the confirmation: %v", t.Device.IP, err), inventory.StepConfirm, started)
			return
		}
	} else if err := e.db.RecordTest(e.dbctx, t.Device.ID, at, true, ""); err != nil {
		e.log.Error("record test", "device", t.Device.IP, "err", err)
	}
	e.finish(t, r, StatusConfirmed, fmt.Sprintf("test message to %s arrived %s", r.TestAddress, at.Local().Format("15:04:05")), "", started)
}

// readOnly logs into each runnable device and reads its SMTP settings
// (dry run): nothing written, no run journalled.
func (e *engine) readOnly(ctx context.Context, plan Plan) error {
	runnable := plan.Runnable()
	if len(runnable) == 0 {
		return nil
	}
	var b Browser
	if e.o.Browser != nil {
		b = e.o.Browser
	} else {
		var err error
		if b, err = e.startBrowser(ctx); err != nil {
			return err
		}
		defer b.Close()
	}
	jobs := make(chan Target)
	var wg sync.WaitGroup
	for range min(e.o.Parallel, len(runnable)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range jobs {
				started := time.Now()
				r := &DeviceResult{Attempts: 1}
				_, _, _, err := e.pass(ctx, b, t, r)
				if err != nil {
					e.finish(t, r, StatusFailed, err.Error(), stepOf(err), started)
					continue
				}
				e.finish(t, r, StatusRead, "dry run: logged in and read the current settings; nothing written", "", started)
			}
		}()
	}
	for _, t := range runnable {
		if ctx.Err() != nil {
			break
		}
		jobs <- t
	}
	close(jobs)
	wg.Wait()
	for _, t := range plan.Targets {
		if t.Skip != "" {
			e.finish(t, &DeviceResult{}, StatusSkipped, t.Skip, "", time.Now())
		} else if t.Fail != "" {
			e.finish(t, &DeviceResult{}, StatusFailed, t.Fail, inventory.StepLogin, time.Now())
		}
	}
	var failed int
	for _, r := range e.results {
		if r.Status == StatusFailed {
			failed++
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %w", ErrInterrupted, ctx.Err())
	}
	if failed > 0 {
		return fmt.Errorf("%w: %d devices could not be read", ErrSomeFailed, failed)
	}
	return nil
}

// startBrowser starts a browser for the run: Options.StartBrowser's, else
// a Chromium from [browser] (browserOptions).
func (e *engine) startBrowser(ctx context.Context) (Browser, error) {
	if e.o.StartBrowser != nil {
		return e.o.StartBrowser(ctx)
	}
	b, err := drivers.NewBrowser(ctx, e.browserOptions())
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return b, nil
}

// stepOf is the step a pass failed at, from its *drivers.StepError.
func stepOf(err error) string {
	var se *drivers.StepError
	if errors.As(err, &se) {
		return se.Step
	}
	return ""
}

// notAttempted is the reason of a device the run did not finish because
// the browser kept crashing.
func notAttempted(stop error) string {
	return "not attempted: " + stop.Error()
}
