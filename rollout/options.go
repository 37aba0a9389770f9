package rollout

import (
	"context"
	"log/slog"
	"time"

	"github.com/mfpfleet/mfpfleet/audit"
	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/inventory"
)

// Options configure Push and Test. Zero durations and counts take the
// config's [rollout] values.
type Options struct {
	Config *config.Config
	DB     *inventory.DB

	// Select says which devices.
	Select Selector
	// Account is the Gmail account pushed (the SMTP user and From); ""
	// means [gmail] account. Devices whose site sends as another account
	// (fleet.toml [[sites]] account) are skipped with a reason.
	Account string
	// AppPassword is the app password to push (Push) or to read the
	// mailbox with (Test). Not needed for a plan-only dry run.
	AppPassword gmail.AppPassword
	// Method, when set (config.MethodAppPassword or config.MethodRelay),
	// pushes every selected device with it; "" = each device's site's
	// method (fleet.toml [[sites]] method, else [gmail] method).
	Method string
	// Label names the app password in Google's list and the inventory;
	// "" = suggested (the device's model and serial for one device, the
	// site for one site, else "MFP fleet").
	Label string

	// DryRun plans and stops: no preflight, no device touched. With
	// DryRunLogin, or when exactly one device is selected by --ip, it
	// also logs into each runnable device read-only and reports its
	// current SMTP settings (DeviceResult.Current), writing nothing to the
	// device and no run to the journal (login attempts are recorded: they
	// count against the lock-out budget).
	DryRun      bool
	DryRunLogin bool

	// Resume continues the newest unfinished run of the same kind (its
	// selection when Select is empty). Without it a re-run is a new run
	// that skips devices already confirmed with the same credential.
	Resume bool
	// Force pushes to devices already confirmed with this credential.
	Force bool
	// RetryDefaults tries factory-default admin passwords again even when
	// they already failed on a device in an earlier run (still within the
	// lock-out budget).
	RetryDefaults bool
	// RetryConfigured (--retry-configured) tries the fleet.toml
	// [[credentials]] password once more on a device whose failed-login
	// budget is used up, as long as that stays below its family's
	// lock-out (drivers.LoginPolicy).
	RetryConfigured bool
	// AcceptNewCert lists addresses whose changed HTTPS certificate is
	// accepted (--accept-new-cert).
	AcceptNewCert []string
	// Discover identifies addresses not in the inventory over SNMP before
	// planning (for `push --ip` of a device never discovered), within ctx
	// (Ctrl-C stops it: the run returns ErrInterrupted). nil: rollout's
	// Discover with the config's [discovery] settings.
	Discover func(ctx context.Context, ips []string) error

	// Wait (Test only): for devices without a test action, wait up to
	// ConfirmTimeout for a scan to their plus-address instead of skipping.
	Wait bool

	// Parallel is how many devices are in flight at once, a browser tab
	// each: 0 = [rollout] parallel, ParallelAuto = AutoParallel.
	Parallel int
	// TabsPerBrowser starts another Chromium for every so many tabs
	// (0 = [browser] tabs_per_browser; there 0 = DefaultTabsPerBrowser).
	TabsPerBrowser int
	// Retries is how often a transient failure (time-out, dropped
	// session, reboot) is retried per device; 0 = the config's, negative
	// = never.
	Retries int
	// LoginBudget caps the failed admin logins per device (fleet.toml
	// rollout.login_attempt_budget); 0: each family's own budget
	// (drivers.LoginBudget, from the lock-out its driver declares).
	LoginBudget    int
	StepTimeout    time.Duration
	ConfirmTimeout time.Duration
	// Backoff is the first wait before retrying a transient failure; it
	// doubles per retry up to 30 s (0 = 2 s).
	Backoff time.Duration
	// ConfirmParallel bounds simultaneous mailbox searches (0 = 8; Gmail
	// allows 15 IMAP connections per account).
	ConfirmParallel int
	// ConfirmPoll is the first wait between mailbox searches (0 = 1 s).
	ConfirmPoll time.Duration
	// ArtifactsDir receives screenshots and HTML excerpts of failed steps
	// ("" = [rollout] artifacts_dir).
	ArtifactsDir string

	// Browser is a running Chromium to use (benchmarks, tests); nil starts
	// one for the run from [browser] and closes it at the end. Either way,
	// a browser that crashes is replaced by one started from [browser].
	Browser *drivers.Browser
	// StartBrowser starts a browser for the run (and again after a
	// crash); nil: a Chromium from [browser] (drivers.NewBrowser). Tests
	// give fakes here (the Browser seam).
	StartBrowser func(ctx context.Context) (Browser, error)

	// CrashLimit browser crashes within CrashWindow stop the run with
	// ErrBrowserCrashing (defaults DefaultCrashLimit, DefaultCrashWindow).
	CrashLimit  int
	CrashWindow time.Duration

	// Progress receives events as the run goes; calls are serialised
	// (never concurrent), so it may draw directly. nil = none.
	Progress func(Event)
	Logger   *slog.Logger
}

// EventKind says what an Event reports.
type EventKind string

// Event kinds, in the order a run produces them.
const (
	EventPlan       EventKind = "plan"        // Total devices planned, Skipped already decided
	EventPreflight  EventKind = "preflight"   // the app password check, Status ok/failed
	EventRunStarted EventKind = "run-started" // RunID known
	EventDevice     EventKind = "device"      // a device started (Attempt 1) or restarted (Attempt>1)
	EventStep       EventKind = "step"        // a step of a device started (running) or ended
	EventWaiting    EventKind = "waiting"     // test --wait: TestAddress to scan to, until Until
	EventDone       EventKind = "done"        // a device ended: Status, Reason
	EventRunDone    EventKind = "run-done"    // the run ended: Status
)

// Event is one progress report. Device events carry the device's address
// as Device; Done and Total count finished devices for an overall bar.
type Event struct {
	Kind     EventKind `json:"kind"`
	Time     time.Time `json:"time"`
	RunID    int64     `json:"run_id,omitempty"`
	Device   string    `json:"device,omitempty"`
	DeviceID int64     `json:"device_id,omitempty"`
	Model    string    `json:"model,omitempty"`
	Serial   string    `json:"serial,omitempty"`
	Step     string    `json:"step,omitempty"`
	// Status: a step's (running/ok/failed/skipped), a device's final
	// status for EventDone, the run's for EventRunDone.
	Status  string `json:"status,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Attempt int    `json:"attempt,omitempty"`
	Done    int    `json:"done"`
	Total   int    `json:"total"`

	// TestAddress and Until (EventWaiting): the plus-address a person
	// scans to from the device's panel, and when the wait ends.
	TestAddress string    `json:"test_address,omitempty"`
	Until       time.Time `json:"until,omitzero"`
}

// SMTPView is a device's SMTP settings as read (never the password).
type SMTPView struct {
	Server      string `json:"server"`
	Port        int    `json:"port"`
	Security    string `json:"security"`
	Auth        bool   `json:"auth"`
	User        string `json:"user,omitempty"`
	PasswordSet bool   `json:"password_set"`
	From        string `json:"from,omitempty"`
}

func viewOf(s drivers.SMTPSettings) *SMTPView {
	return &SMTPView{Server: s.Server, Port: s.Port, Security: string(s.Security), Auth: s.Auth, User: s.User, PasswordSet: s.PasswordSet, From: s.From}
}

// DeviceResult is one device's outcome.
type DeviceResult struct {
	DeviceID int64  `json:"device_id"`
	IP       string `json:"ip"`
	Serial   string `json:"serial,omitempty"`
	Model    string `json:"model,omitempty"`
	Site     string `json:"site,omitempty"`
	Family   string `json:"family,omitempty"`
	// Method is how the device sends ("app-password", "relay").
	Method string `json:"method,omitempty"`
	// EHLO is the name a relay device announces, as the push set it.
	EHLO string `json:"ehlo,omitempty"`
	// Status is one of the Status* constants.
	Status string `json:"status"`
	// Reason says why a device failed, was skipped or is unconfirmed; for
	// a failure it names the device, the step and what to do.
	Reason string `json:"reason,omitempty"`
	// FailedStep is the step that failed ("" otherwise).
	FailedStep string `json:"failed_step,omitempty"`
	// AdminLogin is how mfpfleet got in: configured, or the factory login
	// kind its driver declares (drivers.FactoryLogin.Kind).
	AdminLogin string `json:"admin_login,omitempty"`
	// TestAddress is the plus-address the test message went to (for a
	// device without a test action: where a scan confirms it).
	TestAddress string `json:"test_address,omitempty"`
	// ConfirmedAt is when the message arrived in the mailbox.
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
	// DeviceSays is the device's own test result text.
	DeviceSays string `json:"device_says,omitempty"`
	// Current is what a dry run (or the read step) found on the device.
	Current *SMTPView `json:"current,omitempty"`
	// Written is what was written (no password).
	Written    *SMTPView `json:"written,omitempty"`
	Attempts   int       `json:"attempts,omitempty"`
	DurationMS int64     `json:"duration_ms"`
	// Artifacts are screenshots and HTML excerpts saved for failed steps.
	Artifacts []string `json:"artifacts,omitempty"`
}

// Counts summarise a run.
type Counts struct {
	Confirmed          int `json:"confirmed"`
	WrittenUnconfirmed int `json:"written_unconfirmed"`
	ConnectionTested   int `json:"connection_tested"`
	Failed             int `json:"failed"`
	Skipped            int `json:"skipped"`
	Read               int `json:"read,omitempty"`
	Pending            int `json:"pending,omitempty"`
}

// Summary is what Push and Test return: it marshals to the JSON that
// `--json` prints.
type Summary struct {
	Kind  string `json:"kind"`
	RunID int64  `json:"run_id,omitempty"`
	// Resumed is true when the run continued an interrupted one.
	Resumed bool `json:"resumed,omitempty"`
	// DryRun is true for a plan (and read-only login) only.
	DryRun     bool          `json:"dry_run,omitempty"`
	Account    string        `json:"account,omitempty"`
	Credential *CredInfo     `json:"credential,omitempty"`
	Status     string        `json:"status"` // the run's: succeeded, failed, interrupted; "planned" for a dry run
	StartedAt  time.Time     `json:"started_at"`
	FinishedAt time.Time     `json:"finished_at"`
	DurationMS int64         `json:"duration_ms"`
	Counts     Counts        `json:"counts"`
	Plan       *Plan         `json:"plan,omitempty"`
	Preflight  *gmail.Result `json:"preflight,omitempty"`
	// RelayPreflight is the relay check, when some device goes through
	// smtp-relay.gmail.com.
	RelayPreflight *gmail.Result `json:"relay_preflight,omitempty"`
	// AccountFindings are account-wide failures (every device holding
	// the account's app password refused with 535), shown once.
	AccountFindings []audit.AccountFinding `json:"account_findings,omitempty"`
	Devices         []DeviceResult         `json:"devices"`
	// DevicesPerMinute is the throughput over the devices touched.
	DevicesPerMinute float64 `json:"devices_per_minute,omitempty"`
}

// CredInfo names a credential without its secret.
type CredInfo struct {
	ID          int64  `json:"id"`
	Label       string `json:"label"`
	Fingerprint string `json:"fingerprint"` // the first 12 hex digits
	Account     string `json:"account"`
}

func credInfo(c inventory.Credential) *CredInfo {
	return &CredInfo{ID: c.ID, Label: c.Label, Fingerprint: c.ShortFingerprint(), Account: c.Account}
}

// Failed returns the devices that failed.
func (s Summary) Failed() []DeviceResult {
	var out []DeviceResult
	for _, d := range s.Devices {
		if d.Status == StatusFailed {
			out = append(out, d)
		}
	}
	return out
}
