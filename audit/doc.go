// Package audit is `mfpfleet audit`: for every device in the inventory,
// which app password it holds and since when, whether a test e-mail or a
// scan confirmed it, how mfpfleet got into its web admin, and what the
// technician should do about it (findings with stable codes, worst
// first), plus the account-wide findings and Google's sending budgets.
//
// Audit builds a Report from the inventory alone; with
// AuditOptions.Live it also reads the SMTP settings back from each
// pushed device (DriverSMTPReader, through the drivers package, writing
// nothing) and compares them with what was pushed. Reports cover one
// site or several (SiteTotals). WriteTable, WriteJSON, WriteCSV and
// WriteHTML render a Report; none of them can leak a secret, because a
// Report holds credential labels and fingerprints only.
//
// The push/test engine (package rollout) uses the account-wide finding
// (Account535Finding, WriteAccountFindings) for its own summaries; this
// package does not depend on the engine.
package audit
