package audit

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/gmail"
)

// Account-wide finding codes.
const (
	// FindingAccountAppPasswords: every device holding an app password
	// of the account fails with 535 5.7.8 — the account's password was
	// probably changed, which revokes all its app passwords.
	FindingAccountAppPasswords = "account-app-passwords-revoked"
)

// AccountFinding is one thing wrong with a whole account rather than a
// device; the audit and `test` show it once, at the top.
type AccountFinding struct {
	Account  string   `json:"account"`
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Action   string   `json:"action"`
	Devices  []string `json:"devices"`
}

// SendingBudget is what the devices sending through one account may send
// a day, as Google limits it.
type SendingBudget struct {
	Account string `json:"account"`
	// Method is "app-password" or "relay".
	Method  string `json:"method"`
	Devices int    `json:"devices"`
	// DailyLimit is Google's limit for the account (messages a day for
	// app passwords: 500 consumer, 2,000 Workspace; recipients a day for
	// a relay user: 10,000).
	DailyLimit int    `json:"daily_limit"`
	LimitText  string `json:"limit_text"`
	// MessageLimitMB is Gmail's outgoing message size limit.
	MessageLimitMB int `json:"message_limit_mb"`
	// DeviceMaxSize says what is known of the devices' own maximum e-mail
	// size against it.
	DeviceMaxSize string `json:"device_max_size"`
}

// consumerDomain reports whether account is a consumer Gmail address.
func consumerDomain(account string) bool {
	d := strings.ToLower(account[strings.LastIndexByte(account, '@')+1:])
	return d == "gmail.com" || d == "googlemail.com"
}

// Is535 reports whether a test error is Gmail's 535 5.7.8.
func Is535(text string) bool {
	if d := gmail.DiagnoseReply(text); d != nil {
		return d.Code == gmail.CodeBadCredentials
	}
	return strings.Contains(text, "535") && strings.Contains(text, "5.7.8")
}

// Account535Finding is the account-wide finding that every device
// holding an app password of acct (their addresses: ips) fails with 535
// 5.7.8; `test`, `push` and the audit show it.
func Account535Finding(acct string, ips []string) AccountFinding {
	return AccountFinding{
		Account: acct, Code: FindingAccountAppPasswords, Severity: SeverityCritical, Devices: ips,
		Message: fmt.Sprintf("all app passwords of %s stopped working (535 5.7.8 on all %d devices that hold one) — the account's password was probably changed, which revokes every app password of the account", acct, len(ips)),
		Action: fmt.Sprintf("sign in to %s, check the password change was intended (and that 2-Step Verification is still on), create a new app password at %s, then `mfpfleet push --force --account %s` (Workspace with a fixed IP: `mfpfleet rotate --to relay --account %s` instead)",
			acct, gmail.AppPasswordsURL, acct, acct),
	}
}

// auditAccounts finds the account-wide breakage and the sending budgets
// among the rows, and points the rows that the breakage explains at it.
func auditAccounts(rows []AuditRow) ([]AccountFinding, []SendingBudget) {
	type acc struct {
		holders, failing535 []int
		relay, appPW        int
	}
	byAcct := map[string]*acc{}
	var order []string
	for i, r := range rows {
		if r.Retired || r.Account == "" || r.PushedAt.IsZero() {
			continue
		}
		a := byAcct[r.Account]
		if a == nil {
			a = &acc{}
			byAcct[r.Account] = a
			order = append(order, r.Account)
		}
		if r.Method == config.MethodRelay {
			a.relay++
		} else {
			a.appPW++
		}
		if r.CredentialID == 0 {
			continue
		}
		a.holders = append(a.holders, i)
		if !r.LastTestOK && r.LastTestAt.After(r.PushedAt.Add(-1)) && Is535(r.LastTestError) {
			a.failing535 = append(a.failing535, i)
		}
	}
	slices.Sort(order)
	var fs []AccountFinding
	var bs []SendingBudget
	for _, acct := range order {
		a := byAcct[acct]
		if len(a.holders) >= 2 && len(a.failing535) == len(a.holders) {
			var ips []string
			for _, i := range a.holders {
				ips = append(ips, rows[i].IP)
				for j, f := range rows[i].Findings {
					if f.Code == FindingTestFailed {
						rows[i].Findings[j].Message = "535 5.7.8: one of the account-wide failure's devices (see the account finding at the top)"
						rows[i].Findings[j].Action = "follow the account finding"
					}
				}
			}
			fs = append(fs, Account535Finding(acct, ips))
		}
		if a.appPW > 0 {
			b := SendingBudget{Account: acct, Method: config.MethodAppPassword, Devices: a.appPW, DailyLimit: 2000,
				LimitText: "2,000 messages a day (Google Workspace)", MessageLimitMB: 25,
				DeviceMaxSize: "not read (no driver reads it yet): keep the devices' maximum e-mail size at 25 MB or less, or split scans"}
			if consumerDomain(acct) {
				b.DailyLimit, b.LimitText = 500, "500 messages a day (consumer Gmail)"
			}
			bs = append(bs, b)
		}
		if a.relay > 0 {
			bs = append(bs, SendingBudget{Account: acct, Method: config.MethodRelay, Devices: a.relay, DailyLimit: 10000,
				LimitText: "10,000 recipients a day per relay user (the envelope sender)", MessageLimitMB: 25,
				DeviceMaxSize: "not read (no driver reads it yet): keep the devices' maximum e-mail size at 25 MB or less, or split scans"})
		}
	}
	return fs, bs
}

// WriteAccountFindings writes the account-wide findings (once each) and,
// with budgets, the sending budget per account: what the audit table and
// `test` print first.
func WriteAccountFindings(w io.Writer, fs []AccountFinding, budgets []SendingBudget) error {
	for _, f := range fs {
		if _, err := fmt.Fprintf(w, "%s %s\n  %s\n  what to do: %s\n\n", strings.ToUpper(string(f.Severity)), f.Code, f.Message, f.Action); err != nil {
			return err
		}
	}
	if len(budgets) == 0 {
		return nil
	}
	if _, err := fmt.Fprintln(w, "SENDING BUDGET (per account, Google's limits)"); err != nil {
		return err
	}
	for _, b := range budgets {
		if _, err := fmt.Fprintf(w, "  %s via %s: %d device(s) share %s; messages up to %d MB (device maximum: %s)\n",
			b.Account, b.Method, b.Devices, b.LimitText, b.MessageLimitMB, b.DeviceMaxSize); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}
