package audit

// This file is `mfpfleet audit`: which device holds which app password,
// since when, confirmed or not, how mfpfleet got into its web admin, and
// what the technician should do about each device (findings). The
// renderers (table, JSON, CSV, HTML) are in report.go.

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/inventory"
)

// DefaultStaleAfter is how long a device may go unseen by discovery before
// the audit reports it (AuditOptions.StaleAfter 0).
const DefaultStaleAfter = 30 * 24 * time.Hour

// DefaultAuditTitle is the report title when AuditOptions.Title is empty.
const DefaultAuditTitle = "Scan-to-email audit"

// ResetLoginsCommand is the command the failed-login finding tells the
// technician to run, after power-cycling the device, to clear mfpfleet's
// count of failed admin logins (inventory.DB.ResetFailedLogins).
const ResetLoginsCommand = "mfpfleet devices reset-logins --power-cycled"

// AuditOptions says which devices `mfpfleet audit` covers and how.
type AuditOptions struct {
	// Filter selects the devices (site, vendor, model, …); retired
	// devices only with Filter.IncludeRetired.
	Filter inventory.Filter
	// StaleAfter reports devices that discovery has not seen for longer
	// (`--stale-days N`). 0 means DefaultStaleAfter; negative turns the
	// finding off.
	StaleAfter time.Duration
	// Now is the audit's clock (zero: time.Now()). Times in the table and
	// HTML are written in Now's location.
	Now time.Time
	// Title heads the HTML report and the table ("" = DefaultAuditTitle),
	// e.g. "Acme Ltd — printers at HQ".
	Title string
	// LoginBudget is the number of failed admin logins at which a device
	// is reported as at its lock-out budget (0 = each family's,
	// drivers.LoginBudget, as the push uses).
	LoginBudget int
	// Live, when set (`--live`), reads the SMTP settings back from every
	// device mfpfleet pushed to and compares them with the push.
	Live *LiveOptions
	// Logger receives progress of the live reads; nil discards.
	Logger *slog.Logger
}

// SMTPReader reads a device's current SMTP settings from its web admin
// (log in, read, log out), for `mfpfleet audit --live`. The engine
// supplies one built on drivers.Open, LoginWithCandidates and
// Session.ReadSMTP. Errors name the device and the fix; the audit shows
// them as findings and carries on with the next device. It is called from
// several goroutines at once when LiveOptions.Parallel > 1.
type SMTPReader interface {
	ReadSMTP(ctx context.Context, dev inventory.Device) (drivers.SMTPSettings, error)
}

// SMTPReaderFunc adapts a function to SMTPReader.
type SMTPReaderFunc func(ctx context.Context, dev inventory.Device) (drivers.SMTPSettings, error)

// ReadSMTP implements SMTPReader.
func (f SMTPReaderFunc) ReadSMTP(ctx context.Context, dev inventory.Device) (drivers.SMTPSettings, error) {
	return f(ctx, dev)
}

// LiveOptions configures `--live`.
type LiveOptions struct {
	// Reader reads one device's settings; required.
	Reader SMTPReader
	// Parallel is how many devices are read at once (0 = 4).
	Parallel int
	// Timeout bounds each device's read (0 = 2 minutes).
	Timeout time.Duration
}

// Severity ranks findings: critical (scan-to-email is broken or a secret
// is exposed), warning (needs the technician's attention soon), info.
type Severity string

// Severities, worst first.
const (
	SeverityCritical Severity = "critical"
	SeverityWarning  Severity = "warning"
	SeverityInfo     Severity = "info"
)

func (s Severity) rank() int {
	switch s {
	case SeverityCritical:
		return 0
	case SeverityWarning:
		return 1
	default:
		return 2
	}
}

// Finding codes. They are stable: scripts match on them.
const (
	// The device's web admin still has a factory default password.
	FindingDefaultAdmin = "default-admin-password"
	// The device holds an app password that was revoked.
	FindingRevokedCredential = "revoked-credential"
	// A retired (lost, decommissioned) device still holds an app password
	// that is not revoked.
	FindingRetiredHoldsCredential = "retired-holds-credential"
	// The device's latest test e-mail failed.
	FindingTestFailed = "last-test-failed"
	// Settings were written but no test message ever arrived.
	FindingNeverConfirmed = "never-confirmed"
	// Settings were written to a model without a test action and no
	// scan has confirmed them yet.
	FindingNoTestAction = "unconfirmed-no-test-action"
	// Settings were written to a model whose only device-side check is a
	// connection test, which passed (the device reached Gmail and logged
	// in); no scan has confirmed them yet.
	FindingConnectionTested = "unconfirmed-connection-tested"
	// mfpfleet never pushed an app password to the device.
	FindingNotPushed = "not-pushed"
	// --live: the device's SMTP settings differ from what was pushed.
	FindingSMTPChanged = "smtp-changed-on-device"
	// --live: the settings could not be read back.
	FindingLiveReadFailed = "live-read-failed"
	// Discovery has not seen the device for longer than StaleAfter.
	FindingNotSeen = "not-seen-recently"
	// Failed admin logins are on record: the device may lock out.
	FindingFailedLogins = "failed-admin-logins"
	// The firmware's SMTP client cannot encrypt.
	FindingNoSMTPTLS = "firmware-no-smtp-tls"
	// The firmware's SMTP client's TLS is older than Gmail accepts.
	FindingOldTLS = "firmware-old-tls"
	// The web admin presented a different certificate, refused.
	FindingCertMismatch = "certificate-mismatch"
	// The web admin's certificate changed and the change was accepted.
	FindingCertChanged = "certificate-changed"
	// The newest run that included the device failed at its admin login
	// (refused, locked out, or not tried for the lock-out budget).
	FindingLoginRefused = "admin-login-refused"
	// The newest run that included the device failed there.
	FindingRunFailed = "last-run-failed"
)

// auditFindingKinds is the catalogue of findings in report order (within a
// severity) with their titles.
var auditFindingKinds = []struct {
	Code     string
	Severity Severity
	Title    string
}{
	{FindingLoginRefused, SeverityCritical, "Admin login refused"},
	{FindingRunFailed, SeverityCritical, "Last push or test failed"},
	{FindingRevokedCredential, SeverityCritical, "Holds a revoked app password"},
	{FindingRetiredHoldsCredential, SeverityCritical, "Retired device holds a live app password"},
	{FindingTestFailed, SeverityCritical, "Last test e-mail failed"},
	{FindingSMTPChanged, SeverityCritical, "SMTP settings changed on the device"},
	{FindingNoSMTPTLS, SeverityCritical, "Firmware cannot encrypt SMTP"},
	{FindingOldTLS, SeverityCritical, "Firmware TLS too old for Gmail"},
	{FindingDefaultAdmin, SeverityCritical, "Default admin password"},
	{FindingCertMismatch, SeverityCritical, "Web admin certificate changed (refused)"},
	{FindingFailedLogins, SeverityWarning, "Failed admin logins on record"},
	{FindingNeverConfirmed, SeverityWarning, "Never confirmed"},
	{FindingNoTestAction, SeverityWarning, "Unconfirmed: model has no test button"},
	{FindingConnectionTested, SeverityWarning, "Unconfirmed: connection test passed, no test button"},
	{FindingNotSeen, SeverityWarning, "Not seen recently"},
	{FindingLiveReadFailed, SeverityWarning, "Settings could not be read back"},
	{FindingCertChanged, SeverityInfo, "Web admin certificate replaced"},
	{FindingNotPushed, SeverityInfo, "No app password pushed"},
}

func auditFindingKind(code string) (int, Severity, string) {
	for i, k := range auditFindingKinds {
		if k.Code == code {
			return i, k.Severity, k.Title
		}
	}
	return len(auditFindingKinds), SeverityInfo, code
}

// FindingTitle returns the short title of a finding code ("Default admin
// password"), or the code itself when unknown.
func FindingTitle(code string) string { _, _, t := auditFindingKind(code); return t }

// Finding is one thing the technician should look at on one device.
type Finding struct {
	// Code is stable (Finding* constants).
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	// Message says what is wrong on this device.
	Message string `json:"message"`
	// Action says what to do about it.
	Action string `json:"action"`
}

// String is "critical default-admin-password: message; action".
func (f Finding) String() string {
	return fmt.Sprintf("%s %s: %s; %s", f.Severity, f.Code, f.Message, f.Action)
}

// LiveSMTP is what `--live` read back from a device.
type LiveSMTP struct {
	ReadAt      time.Time `json:"read_at"`
	Server      string    `json:"server,omitempty"`
	Port        int       `json:"port,omitempty"`
	Security    string    `json:"security,omitempty"`
	Auth        bool      `json:"auth"`
	User        string    `json:"user,omitempty"`
	From        string    `json:"from,omitempty"`
	PasswordSet bool      `json:"password_set"`
	// Differences lists what differs from the push, e.g.
	// `server: pushed "smtp.gmail.com", device has "mail.example.com"`.
	Differences []string `json:"differences,omitempty"`
	// Error is why the settings could not be read ("" when read).
	Error string `json:"error,omitempty"`
}

// AuditRow is one device in the audit. Its JSON always carries ip, serial,
// account, credential_label, credential_fingerprint (in full), pushed_at,
// confirmed_at (null when never), admin_login and findings (an array,
// possibly empty).
type AuditRow struct {
	DeviceID int64  `json:"device_id"`
	Site     string `json:"site"`
	IP       string `json:"ip"`
	Vendor   string `json:"vendor"`
	Brand    string `json:"brand,omitempty"`
	Model    string `json:"model"`
	Serial   string `json:"serial"`
	Firmware string `json:"firmware,omitempty"`
	Family   string `json:"family,omitempty"`
	// Location and SysName are as the device reports them over SNMP.
	Location string `json:"location,omitempty"`
	SysName  string `json:"sys_name,omitempty"`
	Retired  bool   `json:"retired,omitempty"`

	Account string `json:"account"`
	// Method is how the device sends: "app-password" or "relay" ("" when
	// nothing was pushed); EHLO the name a relay device announces.
	Method                string    `json:"method"`
	EHLO                  string    `json:"ehlo,omitempty"`
	CredentialID          int64     `json:"credential_id,omitempty"`
	CredentialLabel       string    `json:"credential_label"`
	CredentialFingerprint string    `json:"credential_fingerprint"`
	CredentialRevoked     bool      `json:"credential_revoked"`
	PushedAt              time.Time `json:"pushed_at"`
	ConfirmedAt           time.Time `json:"confirmed_at"`
	LastTestAt            time.Time `json:"last_test_at"`
	LastTestOK            bool      `json:"last_test_ok"`
	LastTestError         string    `json:"last_test_error,omitempty"`
	// ConnectionTested: written to a model whose only device-side check
	// is a connection test, which passed after the push (LastTestAt): the
	// device reached the mail server and logged in. Not a confirmation.
	ConnectionTested bool `json:"connection_tested,omitempty"`

	// AdminLogin is how mfpfleet last got into the web admin:
	// "configured" or the factory login kind its driver declares, ""
	// when it never logged in. AdminLoginText and AdminLoginShort are
	// its wording, as the inventory recorded it.
	AdminLogin      string `json:"admin_login"`
	AdminLoginText  string `json:"admin_login_text,omitempty"`
	AdminLoginShort string `json:"admin_login_short,omitempty"`
	// kindTexts is the inventory's wording of login kinds (for
	// FailedByKind).
	kindTexts    map[string]inventory.LoginText
	FailedLogins int            `json:"failed_logins"`
	FailedByKind map[string]int `json:"failed_by_kind,omitempty"`

	// The SMTP settings as pushed (never the password).
	SMTPHost     string   `json:"smtp_host,omitempty"`
	SMTPPort     int      `json:"smtp_port,omitempty"`
	SMTPSecurity string   `json:"smtp_security,omitempty"`
	SMTPUser     string   `json:"smtp_user,omitempty"`
	TLSVersion   string   `json:"tls_version,omitempty"`
	Limits       []string `json:"limits,omitempty"`

	// CertState is one of the inventory.Cert* states.
	CertState       string `json:"cert_state"`
	CertFingerprint string `json:"cert_fingerprint,omitempty"`

	LastSeen      time.Time `json:"last_seen"`
	LastRunStatus string    `json:"last_run_status,omitempty"`

	// Live is what --live read back (nil without --live or when the
	// device was not read).
	Live *LiveSMTP `json:"live,omitempty"`

	Findings []Finding `json:"findings"`
}

// ShortFingerprint is the credential fingerprint's short form, as tables
// show it ("" when none).
func (r AuditRow) ShortFingerprint() string { return auditShortFP(r.CredentialFingerprint) }

// Worst is the row's worst finding severity ("" when it has none).
func (r AuditRow) Worst() Severity {
	if len(r.Findings) == 0 {
		return ""
	}
	return r.Findings[0].Severity
}

// Has reports whether the row has a finding with code.
func (r AuditRow) Has(code string) bool {
	return slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Code == code })
}

// FindingCount is how many devices have one finding.
type FindingCount struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Devices  int      `json:"devices"`
	// Action is what to do, in general terms (each device's finding has
	// its own, naming the device).
	Action string `json:"action"`
}

// AuditSummary counts what the audit found.
type AuditSummary struct {
	Devices int `json:"devices"`
	// Pushed devices hold an app password pushed by mfpfleet; Confirmed
	// ones had their test message arrive with it.
	Pushed    int `json:"pushed"`
	Confirmed int `json:"confirmed"`
	// OK devices have no finding at all; WithFindings have at least one.
	OK           int `json:"ok"`
	WithFindings int `json:"with_findings"`
	// Critical, Warning and Info count findings by severity.
	Critical int `json:"critical"`
	Warning  int `json:"warning"`
	Info     int `json:"info"`
	// Findings counts devices per finding code, worst first.
	Findings []FindingCount `json:"findings"`
}

// CredentialUse is one app password and the devices in the report that
// hold it: what to look up under myaccount.google.com/apppasswords.
type CredentialUse struct {
	ID          int64     `json:"id"`
	Account     string    `json:"account"`
	Label       string    `json:"label"`
	Fingerprint string    `json:"fingerprint"`
	RevokedAt   time.Time `json:"revoked_at,omitzero"`
	Devices     int       `json:"devices"`
	Confirmed   int       `json:"confirmed"`
}

// ShortFingerprint is the fingerprint's short form.
func (c CredentialUse) ShortFingerprint() string { return auditShortFP(c.Fingerprint) }

// AuditScope records what the audit covered.
type AuditScope struct {
	Site           string   `json:"site,omitempty"`
	Vendor         string   `json:"vendor,omitempty"`
	Model          string   `json:"model,omitempty"`
	Addresses      []string `json:"addresses,omitempty"`
	IncludeRetired bool     `json:"include_retired,omitempty"`
	// StaleAfterDays is the not-seen threshold in days (0 = off).
	StaleAfterDays float64 `json:"stale_after_days"`
	Live           bool    `json:"live"`
}

// Report is the result of Audit, ready for the Write* renderers.
type Report struct {
	Title       string          `json:"title"`
	GeneratedAt time.Time       `json:"generated_at"`
	Scope       AuditScope      `json:"scope"`
	Summary     AuditSummary    `json:"summary"`
	Sites       []SiteTotals    `json:"sites"` // per-site totals (audit_sites.go)
	Credentials []CredentialUse `json:"credentials"`
	Rows        []AuditRow      `json:"devices"`
	// AccountFindings are account-wide (shown once, at the top);
	// Budgets the sending budget per account and method.
	AccountFindings []AccountFinding `json:"account_findings"`
	Budgets         []SendingBudget  `json:"sending_budgets"`
}

// Audit builds the audit report of the devices opts.Filter selects: one row
// per device with its findings, the summary counts and the credentials in
// use. With opts.Live it first reads every pushed device's SMTP settings
// back (a device that cannot be read gets a live-read-failed finding; the
// audit itself fails only when the inventory does or ctx ends).
func Audit(ctx context.Context, db *inventory.DB, opts AuditOptions) (Report, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	stale := opts.StaleAfter
	if stale == 0 {
		stale = DefaultStaleAfter
	}
	budget := opts.LoginBudget
	title := opts.Title
	if title == "" {
		title = DefaultAuditTitle
	}
	if opts.Live != nil && opts.Live.Reader == nil {
		return Report{}, errors.New("audit --live: no SMTP reader was given (a bug in the caller)")
	}

	inv, err := db.AuditRows(ctx, opts.Filter)
	if err != nil {
		return Report{}, fmt.Errorf("audit: %w; check the inventory file (--db) is readable", err)
	}

	var live map[int64]*LiveSMTP
	if opts.Live != nil {
		live, err = auditReadLive(ctx, inv, *opts.Live, opts.Logger)
		if err != nil {
			return Report{}, err
		}
		// Reading logged in: read the inventory again for the login
		// attempts (and any certificate change) the reads recorded.
		if inv, err = db.AuditRows(ctx, opts.Filter); err != nil {
			return Report{}, fmt.Errorf("audit: %w; check the inventory file (--db) is readable", err)
		}
	}

	rep := Report{
		Title:       title,
		GeneratedAt: now,
		Scope: AuditScope{
			Site: scopeSites(opts.Filter), Vendor: opts.Filter.Vendor, Model: opts.Filter.Model,
			Addresses: opts.Filter.Addresses, IncludeRetired: opts.Filter.IncludeRetired,
			Live: opts.Live != nil,
		},
		Rows: make([]AuditRow, 0, len(inv)),
	}
	if stale > 0 {
		rep.Scope.StaleAfterDays = stale.Hours() / 24
	}
	texts, err := db.LoginTexts(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("audit: %w; check the inventory file (--db) is readable", err)
	}
	for _, ir := range inv {
		row := newAuditRow(ir, texts)
		row.Live = live[ir.Device.ID]
		row.Findings = auditFindings(ir, row, now, stale, drivers.LoginBudget(ir.Device.Device, budget))
		rep.Rows = append(rep.Rows, row)
	}
	rep.AccountFindings, rep.Budgets = auditAccounts(rep.Rows)
	rep.Summary = auditSummarise(rep.Rows)
	rep.Sites = auditSites(rep.Rows)
	rep.Credentials = auditCredentialUses(inv)
	return rep, nil
}

func newAuditRow(ir inventory.AuditRow, texts map[string]inventory.LoginText) AuditRow {
	d := ir.Device
	r := AuditRow{
		DeviceID: d.ID, Site: d.Site, IP: d.IP, Vendor: d.Vendor, Brand: d.Brand, Model: d.Model,
		Serial: d.Serial, Firmware: d.Firmware, Family: d.Family, Location: d.Location, SysName: d.SysName,
		Retired:      d.Retired,
		Account:      ir.Account(),
		FailedLogins: ir.FailedLogins, FailedByKind: ir.FailedByKind,
		CertState:       cmp.Or(ir.Cert.State, inventory.CertNone),
		CertFingerprint: ir.Cert.Fingerprint,
		LastSeen:        d.LastSeen,
		AdminLogin:      ir.LastLoginKind,
	}
	if h := ir.Holding; h != nil {
		r.CredentialID = h.CredentialID
		r.PushedAt, r.ConfirmedAt = h.PushedAt, h.ConfirmedAt
		r.LastTestAt, r.LastTestOK, r.LastTestError = h.LastTestAt, h.LastTestOK, h.LastTestError
		r.ConnectionTested = ir.ConnectionTested()
		r.AdminLogin = cmp.Or(h.AdminLogin, r.AdminLogin)
		r.SMTPHost, r.SMTPPort, r.SMTPSecurity, r.SMTPUser = h.SMTPHost, h.SMTPPort, h.SMTPSecurity, h.SMTPUser
		r.TLSVersion = h.TLSVersion
		r.Limits = slices.Clone(h.Limits)
		r.EHLO = h.EHLO
		if h.AdminLogin != "" && h.AdminLoginText != "" {
			r.AdminLoginText, r.AdminLoginShort = h.AdminLoginText, h.AdminLoginShort
		}
		if !h.PushedAt.IsZero() {
			r.Method = cmp.Or(h.Method, config.MethodAppPassword)
		}
	}
	if c := ir.Credential; c != nil {
		r.CredentialLabel, r.CredentialFingerprint, r.CredentialRevoked = c.Label, c.Fingerprint, c.Revoked()
	}
	if ir.LastRun != nil {
		r.LastRunStatus = ir.LastRun.Status
	}
	if r.AdminLogin != "" && r.AdminLoginText == "" {
		r.AdminLoginText, r.AdminLoginShort = auditLoginWording(r.AdminLogin, texts)
	}
	r.kindTexts = texts
	return r
}

// pushed reports whether mfpfleet wrote an app password to the device.
func auditPushed(ir inventory.AuditRow) bool {
	return ir.Holding != nil && !ir.Holding.PushedAt.IsZero()
}

// findings derives the row's findings, worst first.
func auditFindings(ir inventory.AuditRow, row AuditRow, now time.Time, stale time.Duration, budget int) []Finding {
	var fs []Finding
	add := func(code, msg, action string) {
		_, sev, _ := auditFindingKind(code)
		fs = append(fs, Finding{Code: code, Severity: sev, Message: msg, Action: action})
	}
	ip := cmp.Or(row.IP, row.Serial, fmt.Sprintf("id:%d", row.DeviceID))
	h := ir.Holding
	cred := ir.Credential
	label := "(no label)"
	if cred != nil && cred.Label != "" {
		label = cred.Label
	}

	if ir.HoldsRevoked() {
		add(FindingRevokedCredential,
			fmt.Sprintf("holds app password %q (%s), marked revoked on %s: scan-to-email stops once it is revoked at Google, if it is not already",
				label, auditShortFP(cred.Fingerprint), cred.RevokedAt.In(now.Location()).Format("2006-01-02")),
			fmt.Sprintf("push the current app password: `mfpfleet push --ip %s --force`, or `mfpfleet rotate --from %q --account %s` for every device that holds it",
				ip, label, cmp.Or(row.Account, "ADDRESS")))
	}
	if row.Retired && cred != nil && !cred.Revoked() {
		add(FindingRetiredHoldsCredential,
			fmt.Sprintf("retired (%s) but still holds app password %q (%s), which is not revoked",
				cmp.Or(ir.Device.RetiredWhy, "no reason given"), label, auditShortFP(cred.Fingerprint)),
			fmt.Sprintf("rotate it: `mfpfleet rotate --from %q --account %s --exclude %s`, then revoke %q at https://myaccount.google.com/apppasswords",
				label, cmp.Or(row.Account, "ADDRESS"), ip, label))
	}

	switch {
	case ir.LastTestFailed():
		what := "the test e-mail"
		if h.HasLimit(inventory.LimitConnectionTestOnly) {
			what = "the device's SMTP connection test"
		}
		msg := fmt.Sprintf("%s on %s failed", what, auditDate(h.LastTestAt, now))
		if h.LastTestError != "" {
			msg += ": " + auditOneLine(h.LastTestError, 200)
		}
		if !h.ConfirmedAt.IsZero() {
			msg += fmt.Sprintf(" (it was confirmed on %s)", auditDate(h.ConfirmedAt, now))
		}
		add(FindingTestFailed, msg,
			fmt.Sprintf("fix what the error names (app password, SMTP settings, network to smtp.gmail.com), then `mfpfleet test --ip %s`", ip))
	case auditPushed(ir) && ir.ConnectionTested():
		add(FindingConnectionTested,
			fmt.Sprintf("settings written on %s and the device's connection test passed on %s (it reached the mail server and logged in), but no message has confirmed them: this model has no test e-mail button",
				auditDate(h.PushedAt, now), auditDate(h.LastTestAt, now)),
			fmt.Sprintf("run `mfpfleet test --wait --ip %s` and ask someone at the printer to scan a page to the address it prints", ip))
	case auditPushed(ir) && !ir.Confirmed() && h.HasLimit(inventory.LimitNoTestAction):
		add(FindingNoTestAction,
			fmt.Sprintf("settings written on %s but not confirmed: this model has no test e-mail button", auditDate(h.PushedAt, now)),
			fmt.Sprintf("run `mfpfleet test --wait --ip %s` and ask someone at the printer to scan a page to the address it prints", ip))
	case auditPushed(ir) && !ir.Confirmed():
		add(FindingNeverConfirmed,
			fmt.Sprintf("settings written on %s, but no test message has arrived in the mailbox", auditDate(h.PushedAt, now)),
			fmt.Sprintf("run `mfpfleet test --ip %s`; if it fails, push again with `mfpfleet push --ip %s`", ip, ip))
	}

	if l := row.Live; l != nil {
		switch {
		case l.Error != "":
			add(FindingLiveReadFailed, "could not read the SMTP settings back: "+auditOneLine(l.Error, 200),
				fmt.Sprintf("check the device is on and reachable (`mfpfleet probe %s`), then run the audit with --live again", ip))
		case len(l.Differences) > 0:
			add(FindingSMTPChanged,
				"the SMTP settings on the device differ from what mfpfleet pushed: "+strings.Join(l.Differences, "; "),
				fmt.Sprintf("find out who changed them, then `mfpfleet push --ip %s --force` and `mfpfleet test --ip %s`", ip, ip))
		}
	}

	if h != nil && h.HasLimit(inventory.LimitNoSMTPTLS) {
		add(FindingNoSMTPTLS, "the firmware's SMTP client cannot use TLS, which Gmail requires",
			"update the firmware to a release with SMTP over TLS 1.2, or relay through a local SMTP server that accepts plain SMTP and forwards to Gmail over TLS")
	}
	if h != nil && h.HasLimit(inventory.LimitOldTLS) {
		tv := cmp.Or(h.TLSVersion, "an old version")
		add(FindingOldTLS, fmt.Sprintf("the firmware's SMTP client speaks only %s; Gmail requires TLS 1.2 or newer", tv),
			"update the firmware to a release with TLS 1.2 (check the vendor's support site for this model), or relay through a local SMTP server")
	}

	if ir.DefaultAdmin() {
		add(FindingDefaultAdmin,
			fmt.Sprintf("mfpfleet got into the web admin with %s: anyone on the network can change its settings", auditAdminLoginText(row)),
			fmt.Sprintf("set a unique admin password on the device, put it in fleet.toml ([[credentials]] address = %q, password_env or password_file), then `mfpfleet push --ip %s --force` to record it", ip, ip))
	}

	switch ir.Cert.State {
	case inventory.CertMismatch:
		add(FindingCertMismatch,
			fmt.Sprintf("the web admin presented a different certificate (%s) from the one recorded (%s); mfpfleet refuses to log in",
				auditShortFP(ir.Cert.Mismatch), auditShortFP(ir.Cert.Fingerprint)),
			fmt.Sprintf("check at the printer's panel that it was replaced or its certificate renewed; if so, `mfpfleet push --ip %s --accept-new-cert %s`", ip, ip))
	case inventory.CertAccepted:
		add(FindingCertChanged,
			fmt.Sprintf("the web admin certificate changed (was %s, now %s) and was accepted on %s",
				auditShortFP(ir.Cert.Previous), auditShortFP(ir.Cert.Fingerprint), auditDate(ir.Cert.AcceptedAt, now)),
			"nothing to do if the device was replaced or its certificate renewed on purpose")
	}

	if ir.FailedLogins > 0 {
		msg := fmt.Sprintf("%d failed admin login(s) on record (%s)", ir.FailedLogins, auditKindsText(ir.FailedByKind, row.kindTexts))
		if ir.FailedLogins >= budget {
			msg += fmt.Sprintf("; at the lock-out budget of %d, mfpfleet will not try this device again", budget)
		} else {
			msg += "; the device may lock the administrator out"
		}
		add(FindingFailedLogins, msg,
			fmt.Sprintf("put the right admin password in fleet.toml [[credentials]]; if the web admin refuses every login, power-cycle the printer, then `%s %s`", ResetLoginsCommand, ip))
	}

	if stale > 0 && ir.NotSeenFor(now, stale) {
		add(FindingNotSeen,
			fmt.Sprintf("not seen by discovery since %s (%d days)", auditDate(row.LastSeen, now), int(now.Sub(row.LastSeen).Hours()/24)),
			fmt.Sprintf("run `mfpfleet discover` on its site; if the printer is gone, exclude it at the next rotation (`mfpfleet rotate … --exclude %s`) so it is retired", ip))
	}

	// The newest run failed on the device, and nothing has worked there
	// since (a push, a test, a confirmation; a failed test says more).
	runFailed := ir.LastRun != nil && ir.LastRun.Status == inventory.DeviceFailed && !row.Retired && !ir.LastTestFailed()
	if runFailed && h != nil {
		at := ir.LastRun.UpdatedAt
		runFailed = !h.PushedAt.After(at) && !h.ConfirmedAt.After(at) && !(h.LastTestOK && h.LastTestAt.After(at))
	}
	loginRefused := runFailed && strings.Contains(ir.LastRun.Error, ": login: ")
	if loginRefused && ir.FailedLogins == 0 && !strings.Contains(ir.LastRun.Error, "locked") {
		runFailed = false // the failed logins were reset since (power-cycled)
	}
	if runFailed {
		when := auditDate(ir.LastRun.UpdatedAt, now)
		why := auditOneLine(ir.LastRun.Error, 300)
		if loginRefused {
			add(FindingLoginRefused, fmt.Sprintf("run %d on %s could not log in to the web admin: %s", ir.LastRun.RunID, when, why),
				fmt.Sprintf("put the device's admin password in fleet.toml ([[credentials]] address = %q), then `mfpfleet push --ip %s` (the error says whether --retry-configured or a power-cycle is needed)", ip, ip))
		} else {
			add(FindingRunFailed, fmt.Sprintf("run %d on %s failed: %s", ir.LastRun.RunID, when, why),
				fmt.Sprintf("fix what the error names, then `mfpfleet push --ip %s`", ip))
		}
	}
	if !auditPushed(ir) && !row.Retired && !runFailed {
		add(FindingNotPushed, "mfpfleet has not pushed an app password to this device",
			fmt.Sprintf("`mfpfleet push --ip %s` if it should send scan-to-email through Gmail", ip))
	}

	slices.SortStableFunc(fs, func(a, b Finding) int {
		ia, _, _ := auditFindingKind(a.Code)
		ib, _, _ := auditFindingKind(b.Code)
		return cmp.Or(cmp.Compare(a.Severity.rank(), b.Severity.rank()), cmp.Compare(ia, ib))
	})
	if fs == nil {
		fs = []Finding{}
	}
	return fs
}

// auditGenericActions are the summary's what-to-do lines per code.
var auditGenericActions = map[string]string{
	FindingRevokedCredential:      "push the current app password to these devices (mfpfleet push --force or mfpfleet rotate)",
	FindingRetiredHoldsCredential: "rotate the app password these retired devices hold, then revoke it at myaccount.google.com/apppasswords",
	FindingTestFailed:             "fix what each device's error names, then mfpfleet test",
	FindingSMTPChanged:            "find out who changed the settings, then mfpfleet push --force and mfpfleet test",
	FindingNoSMTPTLS:              "update the firmware or relay through a local SMTP server",
	FindingOldTLS:                 "update the firmware to a release with TLS 1.2, or relay through a local SMTP server",
	FindingDefaultAdmin:           "set unique admin passwords, put them in fleet.toml [[credentials]], push again",
	FindingCertMismatch:           "check the devices were replaced or renewed, then --accept-new-cert",
	FindingLoginRefused:           "put the admin passwords in fleet.toml [[credentials]] and push again",
	FindingRunFailed:              "fix what each device's error names, then push again",
	FindingFailedLogins:           "fix the admin password in fleet.toml; power-cycle locked devices, then " + ResetLoginsCommand,
	FindingNeverConfirmed:         "run mfpfleet test on these devices",
	FindingNoTestAction:           "run mfpfleet test --wait and have someone scan a page to the address it prints",
	FindingConnectionTested:       "run mfpfleet test --wait and have someone scan a page to the address it prints",
	FindingNotSeen:                "run mfpfleet discover; retire devices that are gone",
	FindingLiveReadFailed:         "check the devices are reachable, then audit --live again",
	FindingCertChanged:            "nothing, if the replacement was intended",
	FindingNotPushed:              "run mfpfleet push on the devices that should send scan-to-email",
}

func auditSummarise(rows []AuditRow) AuditSummary {
	s := AuditSummary{Devices: len(rows), Findings: []FindingCount{}}
	per := map[string]int{}
	for _, r := range rows {
		if !r.PushedAt.IsZero() {
			s.Pushed++
		}
		if r.CredentialID != 0 && !r.ConfirmedAt.IsZero() {
			s.Confirmed++
		}
		if len(r.Findings) == 0 {
			s.OK++
		} else {
			s.WithFindings++
		}
		for _, f := range r.Findings {
			per[f.Code]++
			switch f.Severity {
			case SeverityCritical:
				s.Critical++
			case SeverityWarning:
				s.Warning++
			default:
				s.Info++
			}
		}
	}
	for _, k := range auditFindingKinds {
		if n := per[k.Code]; n > 0 {
			s.Findings = append(s.Findings, FindingCount{Code: k.Code, Severity: k.Severity, Title: k.Title, Devices: n, Action: auditGenericActions[k.Code]})
		}
	}
	slices.SortStableFunc(s.Findings, func(a, b FindingCount) int { return cmp.Compare(a.Severity.rank(), b.Severity.rank()) })
	return s
}

func auditCredentialUses(inv []inventory.AuditRow) []CredentialUse {
	byID := map[int64]*CredentialUse{}
	var order []int64
	for _, ir := range inv {
		c := ir.Credential
		if c == nil {
			continue
		}
		u, ok := byID[c.ID]
		if !ok {
			u = &CredentialUse{ID: c.ID, Account: c.Account, Label: c.Label, Fingerprint: c.Fingerprint, RevokedAt: c.RevokedAt}
			byID[c.ID] = u
			order = append(order, c.ID)
		}
		u.Devices++
		if ir.Confirmed() {
			u.Confirmed++
		}
	}
	slices.Sort(order)
	out := make([]CredentialUse, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out
}

// auditReadLive reads the settings of every pushed, in-service device with
// o.Reader, o.Parallel at a time, and returns them by device ID.
func auditReadLive(ctx context.Context, rows []inventory.AuditRow, o LiveOptions, log *slog.Logger) (map[int64]*LiveSMTP, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	par := o.Parallel
	if par <= 0 {
		par = 4
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	out := make([]*LiveSMTP, len(rows))
	byID := make(map[int64]*LiveSMTP, len(rows))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range par {
		wg.Go(func() {
			for i := range jobs {
				ir := rows[i]
				dctx, cancel := context.WithTimeout(ctx, timeout)
				got, err := o.Reader.ReadSMTP(dctx, ir.Device)
				cancel()
				l := &LiveSMTP{ReadAt: time.Now()}
				if err != nil {
					log.Warn("live read failed", "device", ir.Device.IP, "err", err)
					l.Error = err.Error()
				} else {
					l.Server, l.Port, l.Security = got.Server, got.Port, string(got.Security)
					l.Auth, l.User, l.From, l.PasswordSet = got.Auth, got.User, got.From, got.PasswordSet
					l.Differences = auditSMTPDiff(*ir.Holding, got)
					log.Info("live read", "device", ir.Device.IP, "differences", len(l.Differences))
				}
				out[i] = l
			}
		})
	}
	func() {
		defer close(jobs)
		for i, ir := range rows {
			if !auditPushed(ir) || ir.Device.Retired {
				continue
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("audit --live: %w", err)
	}
	for i, l := range out {
		if l != nil {
			byID[rows[i].Device.ID] = l
		}
	}
	return byID, nil
}

// auditSMTPDiff compares what was pushed (h) with what the device shows
// (got). Only fields the push recorded are compared.
func auditSMTPDiff(h inventory.Holding, got drivers.SMTPSettings) []string {
	var d []string
	diff := func(field, pushed, now string) {
		d = append(d, fmt.Sprintf("%s: pushed %q, device has %q", field, pushed, now))
	}
	if h.SMTPHost != "" && !strings.EqualFold(strings.TrimSpace(h.SMTPHost), strings.TrimSpace(got.Server)) {
		diff("server", h.SMTPHost, got.Server)
	}
	if h.SMTPPort != 0 && h.SMTPPort != got.Port {
		diff("port", fmt.Sprint(h.SMTPPort), fmt.Sprint(got.Port))
	}
	if h.SMTPSecurity != "" && auditNormSecurity(h.SMTPSecurity) != auditNormSecurity(string(got.Security)) {
		diff("security", h.SMTPSecurity, string(got.Security))
	}
	if h.SMTPUser != "" {
		if !got.Auth {
			d = append(d, "SMTP authentication: pushed on, device has it off")
		} else if !strings.EqualFold(strings.TrimSpace(h.SMTPUser), strings.TrimSpace(got.User)) {
			diff("user", h.SMTPUser, got.User)
		}
	}
	if h.SMTPFrom != "" && got.From != "" && !strings.EqualFold(strings.TrimSpace(h.SMTPFrom), strings.TrimSpace(got.From)) {
		diff("from", h.SMTPFrom, got.From)
	}
	return d
}

func auditNormSecurity(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "ssl", "tls", "ssl/tls", "smtps", "implicit-tls":
		return "ssl/tls"
	case "starttls", "start-tls", "starttls-required":
		return "starttls"
	case "", "off", "no":
		return "none"
	}
	return s
}

// auditShortFP is the first 12 hex digits of a fingerprint (the inventory's
// FindCredential accepts any prefix of 8 or more).
func auditShortFP(fp string) string {
	const n = 12
	if len(fp) <= n {
		return fp
	}
	return fp[:n]
}

func auditDate(t, now time.Time) string {
	if t.IsZero() {
		return "an unknown date"
	}
	return t.In(now.Location()).Format("2006-01-02")
}

// auditLoginWording is a login kind's wording for people and the audit
// table's column: as the inventory recorded it beside the kind (texts),
// else as the configured login or the declaring driver words it.
func auditLoginWording(kind string, texts map[string]inventory.LoginText) (text, short string) {
	if kind == "" {
		return "no recorded login", "unknown"
	}
	if t, ok := texts[kind]; ok && t.Text != "" {
		return t.Text, cmp.Or(t.Short, kind)
	}
	return drivers.KindText(kind)
}

// auditAdminLoginText describes row's admin login for people.
func auditAdminLoginText(row AuditRow) string {
	if row.AdminLoginText != "" {
		return row.AdminLoginText
	}
	t, _ := auditLoginWording(row.AdminLogin, nil)
	return t
}

// auditAdminShort is the admin_login column's text.
func auditAdminShort(row AuditRow) string {
	if row.AdminLoginShort != "" {
		return row.AdminLoginShort
	}
	_, s := auditLoginWording(row.AdminLogin, nil)
	return s
}

func auditKindsText(m map[string]int, texts map[string]inventory.LoginText) string {
	if len(m) == 0 {
		return "kind unknown"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		_, short := auditLoginWording(k, texts)
		parts[i] = fmt.Sprintf("%s ×%d", short, m[k])
	}
	return strings.Join(parts, ", ")
}

// auditOneLine folds s onto one line and cuts it to max runes.
func auditOneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

// MarshalJSON writes the row with times in UTC and never-happened times
// (pushed_at, confirmed_at, last_test_at, last_seen) as null, so that every
// documented field is always present.
func (r AuditRow) MarshalJSON() ([]byte, error) {
	type plain AuditRow
	p := plain(r)
	if p.Findings == nil {
		p.Findings = []Finding{}
	}
	return json.Marshal(struct {
		plain
		PushedAt    *time.Time `json:"pushed_at"`
		ConfirmedAt *time.Time `json:"confirmed_at"`
		LastTestAt  *time.Time `json:"last_test_at"`
		LastSeen    *time.Time `json:"last_seen"`
	}{p, auditUTC(r.PushedAt), auditUTC(r.ConfirmedAt), auditUTC(r.LastTestAt), auditUTC(r.LastSeen)})
}

func auditUTC(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
