package audit

import (
	"bytes"
	"context"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// auditChromium starts Debian's headless Chromium for one test (flags from
// the project brief; no DNS leaves the box). It skips when Chromium is
// missing, unless MFPFLEET_REQUIRE_PEERS=1.
func auditChromium(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
			t.Fatal("chromium required (MFPFLEET_REQUIRE_PEERS=1) but not on PATH: apt-get install chromium")
		}
		t.Skip("chromium not on PATH (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.*"),
		chromedp.WindowSize(1400, 900),
	)
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(allocCancel)
	bctx, bcancel := chromedp.NewContext(allocCtx)
	t.Cleanup(bcancel)
	// The first Do starts the browser; no deadline on it (its context is
	// the browser's). Tabs get deadlines.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// TestAuditHTMLInChromium opens the HTML report in headless Chromium: it
// renders, has exactly one row per device, the counts match the summary,
// the hostile sysLocation is text, and it prints to a multi-page PDF with
// the print rules in force. A screenshot is saved (set
// MFPFLEET_AUDIT_ARTIFACTS=DIR to keep it and the PDF).
func TestAuditHTMLInChromium(t *testing.T) {
	bctx := auditChromium(t)
	rep := auditFixtureReport(t)

	dir := t.TempDir()
	if keep := os.Getenv("MFPFLEET_AUDIT_ARTIFACTS"); keep != "" {
		dir = keep
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "audit.html")
	var b bytes.Buffer
	if err := WriteHTML(&b, rep); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	tctx, cancel := chromedp.NewContext(bctx)
	defer cancel()
	tctx, cancel2 := context.WithTimeout(tctx, 60*time.Second)
	defer cancel2()

	u := url.URL{Scheme: "file", Path: file}
	if err := chromedp.Do(tctx, chromedp.Navigate(u.String())); err != nil {
		t.Fatal(err)
	}

	type pageFacts struct {
		Title      string         `json:"title"`
		Rows       int            `json:"rows"`
		RowIPs     []string       `json:"rowIPs"`
		Counts     map[string]int `json:"counts"`
		Groups     map[string]int `json:"groups"`
		Scripts    int            `json:"scripts"`
		Images     int            `json:"images"`
		Pwned      any            `json:"pwned"`
		Location   string         `json:"location"`
		SysName    string         `json:"sysName"`
		Resources  int            `json:"resources"`
		Width      int            `json:"width"`
		BodyWidth  int            `json:"bodyWidth"`
		SiteHeads  []string       `json:"siteHeads"`
		SiteTotals []string       `json:"siteTotals"`
	}
	facts, err := chromedp.Run(tctx, chromedp.Evaluate[pageFacts](`(() => {
		const q = s => Array.from(document.querySelectorAll(s));
		const counts = {}; q('#summary [data-count]').forEach(e => counts[e.dataset.count] = +e.textContent.trim());
		const groups = {}; q('.group[data-code]').forEach(e => groups[e.dataset.code] = e.querySelectorAll('li').length);
		const hostile = document.querySelector('#devices tr[data-ip="127.0.73.24"] .location');
		return {
			title: document.title,
			rows: q('#devices tbody tr[data-ip]').length,
			rowIPs: q('#devices tbody tr[data-ip]').map(r => r.dataset.ip),
			siteHeads: q('#devices tr.site').map(r => r.dataset.siteGroup),
			siteTotals: q('#sites tbody tr').map(r => r.dataset.site),
			counts, groups,
			scripts: q('script').length,
			images: q('img').length,
			pwned: window.__pwned ?? null,
			location: hostile ? hostile.textContent : null,
			resources: performance.getEntriesByType('resource').length,
			width: document.documentElement.scrollWidth,
			bodyWidth: window.innerWidth,
		};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(facts.Title, rep.Title) {
		t.Errorf("title %q", facts.Title)
	}
	if facts.Rows != len(rep.Rows) {
		t.Errorf("%d table rows, want one per device (%d)", facts.Rows, len(rep.Rows))
	}
	// Grouped by site (the fixture has several), address order within.
	byIP := slices.Clone(rep.Rows)
	slices.SortStableFunc(byIP, func(a, b AuditRow) int { return compareSites(siteName(a.Site), siteName(b.Site)) })
	for i, ip := range facts.RowIPs {
		if i < len(byIP) && ip != byIP[i].IP {
			t.Errorf("row %d is %s, want %s", i, ip, byIP[i].IP)
		}
	}
	var sites []string
	for _, s := range rep.Sites {
		sites = append(sites, s.Site)
	}
	if len(sites) < 2 || !slices.Equal(facts.SiteHeads, sites) || !slices.Equal(facts.SiteTotals, sites) {
		t.Errorf("site groups %q, site totals %q; want %q", facts.SiteHeads, facts.SiteTotals, sites)
	}
	s := rep.Summary
	for k, want := range map[string]int{"devices": s.Devices, "pushed": s.Pushed, "confirmed": s.Confirmed, "ok": s.OK,
		"critical": s.Critical, "warning": s.Warning, "info": s.Info} {
		if got, ok := facts.Counts[k]; !ok || got != want {
			t.Errorf("summary card %q shows %d (present %v), want %d", k, got, ok, want)
		}
	}
	if len(facts.Groups) != len(s.Findings) {
		t.Errorf("%d finding groups, want %d", len(facts.Groups), len(s.Findings))
	}
	for _, fc := range s.Findings {
		if facts.Groups[fc.Code] != fc.Devices {
			t.Errorf("finding %s lists %d devices, want %d", fc.Code, facts.Groups[fc.Code], fc.Devices)
		}
	}
	if facts.Scripts != 0 || facts.Images != 0 || facts.Pwned != nil {
		t.Errorf("hostile sysLocation became markup: %d scripts, %d images, __pwned=%v", facts.Scripts, facts.Images, facts.Pwned)
	}
	if facts.Location != auditHostileLocation {
		t.Errorf("sysLocation shown as %q, want the text %q", facts.Location, auditHostileLocation)
	}
	if facts.Resources != 0 {
		t.Errorf("the report loads %d resources: it must be self-contained", facts.Resources)
	}

	// A screenshot of the whole page, for people (and a PNG check).
	shot, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 600 {
		t.Errorf("screenshot is %v: the page did not render", b)
	}
	shotPath := filepath.Join(dir, "audit.png")
	if err := os.WriteFile(shotPath, shot, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", shotPath)

	// The print rules: header repeated on every page, rows never cut.
	type printFacts struct {
		Thead    string `json:"thead"`
		RowBreak string `json:"rowBreak"`
		Group    string `json:"group"`
	}
	if err := chromedp.Do(tctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	pf, err := chromedp.Run(tctx, chromedp.Evaluate[printFacts](`(() => {
		const cs = s => getComputedStyle(document.querySelector(s));
		return {thead: cs('#devices thead').display, rowBreak: cs('#devices tbody tr').breakInside, group: cs('.group').breakInside};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if pf.Thead != "table-header-group" || pf.RowBreak != "avoid" || pf.Group != "avoid" {
		t.Errorf("print rules: %+v", pf)
	}

	pdf, err := chromedp.Run(tctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("PrintToPDF returned %d bytes that are not a PDF", len(pdf))
	}
	pages := bytes.Count(pdf, []byte("/Type /Page")) - bytes.Count(pdf, []byte("/Type /Pages"))
	if pages < 2 {
		t.Errorf("the report printed on %d page(s); want the summary and findings, then the devices on a new page", pages)
	}
	if err := os.WriteFile(filepath.Join(dir, "audit.pdf"), pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("pdf: %d bytes, %d pages", len(pdf), pages)
}
