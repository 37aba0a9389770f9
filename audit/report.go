package audit

// Renderers of the audit Report: a terminal table, JSON, CSV and a
// self-contained HTML file for the client. Nothing secret is in a Report
// (credential labels and fingerprints only), so none of them can leak one.

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mfpfleet/mfpfleet/drivers"
	"github.com/mfpfleet/mfpfleet/inventory"
)

// WriteJSON writes r as indented JSON: {"title", "generated_at", "scope",
// "summary", "credentials", "devices": [rows]}. Times are RFC 3339 in UTC;
// fingerprints are in full.
func WriteJSON(w io.Writer, r Report) error {
	r.GeneratedAt = r.GeneratedAt.UTC()
	if r.Rows == nil {
		r.Rows = []AuditRow{}
	}
	if r.Credentials == nil {
		r.Credentials = []CredentialUse{}
	}
	if r.Summary.Findings == nil {
		r.Summary.Findings = []FindingCount{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// CSVHeader is the header row WriteCSV writes.
var CSVHeader = []string{
	"site", "ip", "vendor", "model", "serial", "firmware", "location", "retired",
	"account", "credential_label", "credential_fingerprint", "credential_revoked",
	"pushed_at", "confirmed_at", "last_test_at", "last_test_ok",
	"admin_login", "failed_logins",
	"smtp_host", "smtp_port", "smtp_security", "tls_version", "limits",
	"cert_state", "last_seen", "finding_codes", "findings",
}

// WriteCSV writes one RFC 4180 row per device (CRLF line ends, quoted as
// needed) under CSVHeader. Times are RFC 3339 UTC or empty; findings are
// joined with " | ". Text that a spreadsheet would run as a formula
// (starting with =, +, -, @) is prefixed with an apostrophe: device
// strings come from the network.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, row := range r.Rows {
		codes := make([]string, len(row.Findings))
		texts := make([]string, len(row.Findings))
		for i, f := range row.Findings {
			codes[i] = f.Code
			texts[i] = f.String()
		}
		port := ""
		if row.SMTPPort != 0 {
			port = strconv.Itoa(row.SMTPPort)
		}
		testOK := ""
		if !row.LastTestAt.IsZero() {
			testOK = strconv.FormatBool(row.LastTestOK)
		}
		rec := []string{
			row.Site, row.IP, row.Vendor, row.Model, row.Serial, row.Firmware, row.Location, strconv.FormatBool(row.Retired),
			row.Account, row.CredentialLabel, row.CredentialFingerprint, auditBoolIf(row.CredentialLabel != "" || row.CredentialFingerprint != "", row.CredentialRevoked),
			ts(row.PushedAt), ts(row.ConfirmedAt), ts(row.LastTestAt), testOK,
			row.AdminLogin, strconv.Itoa(row.FailedLogins),
			row.SMTPHost, port, row.SMTPSecurity, row.TLSVersion, strings.Join(row.Limits, " "),
			row.CertState, ts(row.LastSeen), strings.Join(codes, " "), strings.Join(texts, " | "),
		}
		for i := range rec {
			rec[i] = auditCSVSafe(auditClean(rec[i]))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func auditBoolIf(known, v bool) string {
	if !known {
		return ""
	}
	return strconv.FormatBool(v)
}

// auditCSVSafe defuses spreadsheet formulas (OWASP "CSV injection").
func auditCSVSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}

// auditClean removes control characters (terminal escapes, tabs, line
// breaks) from text that came from a device.
func auditClean(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

const auditTimeLayout = "2006-01-02 15:04"

func (r Report) fmtTime(t time.Time, never string) string {
	if t.IsZero() {
		return never
	}
	return t.In(r.GeneratedAt.Location()).Format(auditTimeLayout)
}

// summaryLine is "12 devices: 8 pushed, 5 confirmed, 3 with no finding".
func (r Report) summaryLine() string {
	s := r.Summary
	return fmt.Sprintf("%d devices: %d pushed, %d confirmed, %d without findings; findings: %d critical, %d warning, %d info",
		s.Devices, s.Pushed, s.Confirmed, s.OK, s.Critical, s.Warning, s.Info)
}

// auditVendorName turns a vendor slug into a name: "konica-minolta" → "Konica
// Minolta", "hp" → "HP".
func auditVendorName(slug string) string {
	switch strings.ToLower(slug) {
	case "hp":
		return "HP"
	case "":
		return ""
	}
	parts := strings.FieldsFunc(slug, func(r rune) bool { return r == '-' || r == '_' || r == ' ' })
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, " ")
}

// deviceName is "Xerox AltaLink C8045" (the badge first for OEM devices).
func (row AuditRow) deviceName() string {
	v := row.Brand
	if v == "" {
		v = auditVendorName(row.Vendor)
	}
	if v != "" && row.Model != "" && strings.HasPrefix(strings.ToLower(row.Model), strings.ToLower(v)) {
		return row.Model
	}
	return strings.TrimSpace(v + " " + row.Model)
}

// WriteTable writes r for a terminal: a summary, one line per device and
// then every finding with what to do.
func WriteTable(w io.Writer, r Report) error {
	return WriteTableOpts(w, r, TableOptions{})
}

// TableOptions shape WriteTableOpts' device table.
type TableOptions struct {
	// Wide prints every column in full (the layout before the terminal
	// fit: credential fingerprint, account, pushed, certificate, last
	// seen, finding codes).
	Wide bool
	// Width is the terminal's width in columns: the compact table drops
	// its least needed columns (serial, site, credential) until it fits,
	// and says so. 0: no limit (a pipe or a file).
	Width int
}

// tableColumn is one column of the compact device table.
type tableColumn struct {
	head string
	// drop: the order in which columns go to fit the width (0: never).
	drop int
	cell func(AuditRow) string
}

// WriteTableOpts writes r for a terminal: a summary, a compact line per
// device (or every column with Wide), then every finding with what to do.
func WriteTableOpts(w io.Writer, r Report, o TableOptions) error {
	if o.Wide {
		return writeWideTable(w, r)
	}
	var b bytes.Buffer
	if !r.writeTableHead(&b) {
		_, err := w.Write(b.Bytes())
		return err
	}
	b.WriteString("\n")
	cols := []tableColumn{
		{"SITE", 2, func(row AuditRow) string { return auditCut(row.Site, 14) }},
		{"ADDRESS", 0, func(row AuditRow) string { return row.IP }},
		{"DEVICE", 0, func(row AuditRow) string { return auditCut(row.deviceName(), 24) }},
		{"SERIAL", 1, func(row AuditRow) string { return row.Serial }},
		{"APP PASSWORD", 3, func(row AuditRow) string {
			if row.CredentialRevoked {
				return auditCut("REVOKED "+row.CredentialLabel, 24)
			}
			return auditCut(row.CredentialLabel, 24)
		}},
		{"CONFIRMED", 0, func(row AuditRow) string {
			if row.ConfirmedAt.IsZero() {
				return "never"
			}
			return row.ConfirmedAt.In(r.GeneratedAt.Location()).Format("2006-01-02")
		}},
		{"ADMIN LOGIN", 0, func(row AuditRow) string { return auditAdminShort(row) }},
		{"FINDINGS", 0, auditFindingsShort},
	}
	render := func(cols []tableColumn) (string, int) {
		var tb bytes.Buffer
		tw := tabwriter.NewWriter(&tb, 0, 0, 2, ' ', 0)
		heads := make([]string, len(cols))
		for i, c := range cols {
			heads[i] = c.head
		}
		fmt.Fprintln(tw, strings.Join(heads, "\t"))
		for _, row := range r.Rows {
			cells := make([]string, len(cols))
			for i, c := range cols {
				if cells[i] = auditClean(c.cell(row)); cells[i] == "" {
					cells[i] = "-"
				}
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		_ = tw.Flush()
		width := 0
		for _, l := range strings.Split(tb.String(), "\n") {
			width = max(width, utf8.RuneCountInString(strings.TrimRight(l, " ")))
		}
		return tb.String(), width
	}
	table, width := render(cols)
	var hidden []string
	for o.Width > 0 && width > o.Width {
		worst := -1
		for i, c := range cols {
			if c.drop > 0 && (worst < 0 || c.drop < cols[worst].drop) {
				worst = i
			}
		}
		if worst < 0 {
			break
		}
		hidden = append(hidden, strings.ToLower(cols[worst].head))
		cols = slices.Delete(slices.Clone(cols), worst, worst+1)
		table, width = render(cols)
	}
	b.WriteString(table)
	if len(hidden) > 0 {
		fmt.Fprintf(&b, "(%s left out to fit the terminal; --wide shows every column)\n", strings.Join(hidden, ", "))
	}
	writeTableTail(&b, r)
	_, err := w.Write(b.Bytes())
	return err
}

// summary says what a live read found and what changed since the push:
// "smtp.gmail.com:587 starttls, AUTH as a@b (password set); as pushed".
func (l *LiveSMTP) summary() string {
	if l.Error != "" {
		return "not read: " + auditOneLine(l.Error, 200)
	}
	s := fmt.Sprintf("%s:%d %s", cmp.Or(l.Server, "(no server)"), l.Port, cmp.Or(l.Security, "no security"))
	switch {
	case l.Auth && l.PasswordSet:
		s += ", AUTH as " + cmp.Or(l.User, "(no user)") + " (password set)"
	case l.Auth:
		s += ", AUTH as " + cmp.Or(l.User, "(no user)") + " (no password shown)"
	default:
		s += ", no AUTH"
	}
	if len(l.Differences) == 0 {
		return s + "; as pushed"
	}
	return s + "; changed since the push: " + strings.Join(l.Differences, "; ")
}

// auditCut shortens s to n characters, marking the cut with "…".
func auditCut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// auditFindingsShort is the compact table's FINDINGS cell: how many of
// the worst severity, and how many others ("2 critical +1"); the findings
// themselves follow the table.
func auditFindingsShort(row AuditRow) string {
	if len(row.Findings) == 0 {
		return "none"
	}
	worst := row.Findings[0].Severity // worst first
	n := 0
	for _, f := range row.Findings {
		if f.Severity == worst {
			n++
		}
	}
	if rest := len(row.Findings) - n; rest > 0 {
		return fmt.Sprintf("%d %s +%d", n, worst, rest)
	}
	return fmt.Sprintf("%d %s", n, worst)
}

// writeTableHead writes the title, the summary and the account-wide
// block (once, at the top) of both table layouts; false when there is no
// device row to follow (it said so).
func (r Report) writeTableHead(b *bytes.Buffer) bool {
	fmt.Fprintf(b, "%s, %s\n%s\n", auditClean(r.Title), r.GeneratedAt.Format("2006-01-02 15:04 MST"), r.summaryLine())
	if len(r.AccountFindings)+len(r.Budgets) > 0 {
		b.WriteString("\n")
		_ = WriteAccountFindings(b, r.AccountFindings, r.Budgets)
		if bytes.HasSuffix(b.Bytes(), []byte("\n\n")) {
			b.Truncate(b.Len() - 1) // the table's own blank line follows
		}
	}
	if len(r.Rows) == 0 {
		b.WriteString("\nno devices match; run `mfpfleet discover` first, or check --site/--vendor/--model\n")
		return false
	}
	return true
}

// writeWideTable is the table with every column (--wide).
func writeWideTable(w io.Writer, r Report) error {
	var b bytes.Buffer
	if !r.writeTableHead(&b) {
		_, err := w.Write(b.Bytes())
		return err
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SITE\tADDRESS\tDEVICE\tSERIAL\tACCOUNT\tCREDENTIAL\tFINGERPRINT\tPUSHED\tCONFIRMED\tADMIN LOGIN\tCERT\tLAST SEEN\tFINDINGS")
	dash := func(s string) string {
		if s = auditClean(s); s == "" {
			return "-"
		}
		return s
	}
	for _, row := range r.Rows {
		codes := make([]string, len(row.Findings))
		for i, f := range row.Findings {
			codes[i] = f.Code
		}
		cred := row.CredentialLabel
		if row.CredentialRevoked {
			cred += " (revoked)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			dash(row.Site), dash(row.IP), dash(row.deviceName()), dash(row.Serial), dash(row.Account),
			dash(cred), dash(row.ShortFingerprint()),
			r.fmtTime(row.PushedAt, "never"), r.fmtTime(row.ConfirmedAt, row.unconfirmedText()),
			auditAdminShort(row), auditCertText(row.CertState), r.fmtTime(row.LastSeen, "never"),
			dash(strings.Join(codes, ",")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	writeTableTail(&b, r)
	_, err := w.Write(b.Bytes())
	return err
}

// writeTableTail writes what follows the device table: what a live read
// found, the app passwords in use and every finding with what to do.
func writeTableTail(b *bytes.Buffer, r Report) {
	dash := func(s string) string {
		if s = auditClean(s); s == "" {
			return "-"
		}
		return s
	}
	if r.Scope.Live {
		b.WriteString("\nRead live from the devices (--live):\n")
		for _, row := range r.Rows {
			l := row.Live
			if l == nil {
				continue
			}
			fmt.Fprintf(b, "  %s %s: %s\n", dash(row.IP), dash(row.deviceName()), auditClean(l.summary()))
		}
	}
	if len(r.Credentials) > 0 {
		b.WriteString("\nApp passwords in use (as listed at https://myaccount.google.com/apppasswords):\n")
		tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		for _, c := range r.Credentials {
			state := "in use"
			if !c.RevokedAt.IsZero() {
				state = "revoked " + r.fmtTime(c.RevokedAt, "")
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%d device(s), %d confirmed\t%s\n",
				dash(c.Label), dash(c.Account), c.ShortFingerprint(), c.Devices, c.Confirmed, state)
		}
		_ = tw.Flush()
	}
	if len(r.Summary.Findings) > 0 {
		b.WriteString("\nFindings:\n")
		for _, fc := range r.Summary.Findings {
			fmt.Fprintf(b, "\n%s %s: %s (%d device(s))\n", strings.ToUpper(string(fc.Severity)), fc.Code, fc.Title, fc.Devices)
			for _, row := range r.Rows {
				for _, f := range row.Findings {
					if f.Code != fc.Code {
						continue
					}
					fmt.Fprintf(b, "  %s %s: %s\n      → %s\n", dash(row.IP), dash(row.deviceName()), auditClean(f.Message), auditClean(f.Action))
				}
			}
		}
	} else {
		b.WriteString("\nNo findings.\n")
	}
}

//go:embed templates/audit_report.html.tmpl
var auditHTMLTemplate string

var auditHTML = template.Must(template.New("audit").Funcs(template.FuncMap{"segments": auditSegments, "sentence": auditSentence}).Parse(auditHTMLTemplate))

// auditSegment is a piece of a finding's text: plain, or a command the
// text quotes in backticks (shown as code).
type auditSegment struct {
	Text string
	Code bool
}

func auditSegments(s string) []auditSegment {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // unbalanced: show as written
		return []auditSegment{{Text: s}}
	}
	out := make([]auditSegment, 0, len(parts))
	for i, p := range parts {
		if p != "" {
			out = append(out, auditSegment{Text: p, Code: i%2 == 1})
		}
	}
	return out
}

// auditHTMLTime is a time split for a narrow column ("" when zero).
type auditHTMLTime struct{ Date, Time string }

func (r Report) htmlTime(t time.Time) auditHTMLTime {
	if t.IsZero() {
		return auditHTMLTime{}
	}
	t = t.In(r.GeneratedAt.Location())
	return auditHTMLTime{Date: t.Format("2006-01-02"), Time: t.Format("15:04")}
}

type auditHTMLFinding struct {
	Finding
	Title string
}

// unconfirmedText is what the CONFIRMED column says of a device with no
// confirmation: "connection-tested" when its connection test passed.
func (row AuditRow) unconfirmedText() string {
	if row.ConnectionTested {
		return "connection-tested"
	}
	return "never"
}

type auditHTMLRow struct {
	AuditRow
	Device       string
	Short        string
	Pushed       auditHTMLTime
	Confirmed    auditHTMLTime
	LastTest     auditHTMLTime
	LastSeen     auditHTMLTime
	Admin        string
	AdminDefault bool
	Cert         string
	Findings     []auditHTMLFinding
	SiteStart    *auditHTMLSite // first row of a site, in a report across sites
}

type auditHTMLGroupDevice struct {
	IP, Device, Serial, Message, Action string
}

type auditHTMLGroup struct {
	FindingCount
	Devices []auditHTMLGroupDevice
}

type auditHTMLCred struct {
	CredentialUse
	Short   string
	Revoked string
}

type auditHTMLView struct {
	Title       string
	Generated   string
	GeneratedTS string
	Zone        string
	Scope       string
	Summary     AuditSummary
	Groups      []auditHTMLGroup
	Creds       []auditHTMLCred
	Rows        []auditHTMLRow
	Sites       []SiteTotals // more than one: the report groups by site
	Live        bool
	// Account-wide findings and the sending budget, as at the top of
	// the text audit.
	AccountFindings []AccountFinding
	Budgets         []SendingBudget
}

// WriteHTML writes r as one self-contained HTML page (inline CSS, no
// scripts, no external resources) that a technician can hand to a client:
// the summary and the findings with what to do first, then the app
// passwords in use and a table with exactly one row per device. It prints
// on landscape pages with the table header repeated and no row cut in
// two. Every device string is HTML-escaped.
func WriteHTML(w io.Writer, r Report) error {
	v := auditHTMLView{
		Title:       r.Title,
		Generated:   r.GeneratedAt.Format("2 January 2006, 15:04 MST"),
		GeneratedTS: r.GeneratedAt.UTC().Format(time.RFC3339),
		Zone:        r.GeneratedAt.Format("MST"),
		Summary:     r.Summary,
		Live:        r.Scope.Live,

		AccountFindings: r.AccountFindings,
		Budgets:         r.Budgets,
	}
	var scope []string
	for _, s := range []struct{ k, v string }{{"site", r.Scope.Site}, {"vendor", r.Scope.Vendor}, {"model", r.Scope.Model}} {
		if s.v != "" {
			scope = append(scope, s.k+" "+s.v)
		}
	}
	if len(r.Scope.Addresses) > 0 {
		scope = append(scope, "addresses "+strings.Join(r.Scope.Addresses, ", "))
	}
	if len(scope) == 0 {
		scope = append(scope, "all devices")
	}
	if r.Scope.IncludeRetired {
		scope = append(scope, "retired included")
	}
	if r.Scope.Live {
		scope = append(scope, "settings read back from each device")
	}
	v.Scope = strings.Join(scope, "; ")

	for _, fc := range r.Summary.Findings {
		g := auditHTMLGroup{FindingCount: fc}
		for _, row := range r.Rows {
			for _, f := range row.Findings {
				if f.Code == fc.Code {
					g.Devices = append(g.Devices, auditHTMLGroupDevice{IP: row.IP, Device: row.deviceName(), Serial: row.Serial, Message: f.Message, Action: f.Action})
				}
			}
		}
		v.Groups = append(v.Groups, g)
	}
	for _, c := range r.Credentials {
		hc := auditHTMLCred{CredentialUse: c, Short: c.ShortFingerprint()}
		if !c.RevokedAt.IsZero() {
			hc.Revoked = r.fmtTime(c.RevokedAt, "")
		}
		v.Creds = append(v.Creds, hc)
	}
	for _, row := range r.Rows {
		hr := auditHTMLRow{
			AuditRow:     row,
			Device:       row.deviceName(),
			Short:        row.ShortFingerprint(),
			Pushed:       r.htmlTime(row.PushedAt),
			Confirmed:    r.htmlTime(row.ConfirmedAt),
			LastTest:     r.htmlTime(row.LastTestAt),
			LastSeen:     r.htmlTime(row.LastSeen),
			Admin:        auditAdminShort(row),
			AdminDefault: drivers.IsDefaultKind(row.AdminLogin),
			Cert:         auditCertText(row.CertState),
		}
		for _, f := range row.Findings {
			hr.Findings = append(hr.Findings, auditHTMLFinding{Finding: f, Title: FindingTitle(f.Code)})
		}
		v.Rows = append(v.Rows, hr)
	}
	if len(r.Sites) > 1 {
		v.Sites = r.Sites
	}
	v.Rows = groupBySite(v.Rows, r.Sites)
	var b bytes.Buffer
	if err := auditHTML.Execute(&b, v); err != nil {
		return fmt.Errorf("audit html: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// auditCertText describes a certificate state for the client.
func auditCertText(state string) string {
	switch state {
	case inventory.CertNone, "":
		return "not checked"
	case inventory.CertTrusted:
		return "pinned"
	case inventory.CertAccepted:
		return "replaced, accepted"
	case inventory.CertMismatch:
		return "changed, refused"
	}
	return state
}

// auditSentence starts s with a capital and ends it with a period; a
// sentence that starts with a command ("mfpfleet push …") is left as
// written, commands are not capitalised.
func auditSentence(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if !strings.HasPrefix(s, "mfpfleet ") && !strings.HasPrefix(s, "`") {
		r[0] = unicode.ToUpper(r[0])
	}
	if !strings.HasSuffix(s, ".") {
		r = append(r, '.')
	}
	return string(r)
}
