package audit

import (
	"cmp"
	"slices"
	"strings"

	"github.com/mfpfleet/mfpfleet/inventory"
)

// NoSite is how the audit names the group of devices with no site.
const NoSite = "(no site)"

// SiteTotals are one site's summary counts, for an audit across sites
// (several sites in one PostgreSQL inventory, or imported exports).
type SiteTotals struct {
	Site string `json:"site"`
	AuditSummary
}

// auditSites sums rows per site, in site order (devices with no site
// last).
func auditSites(rows []AuditRow) []SiteTotals {
	by := map[string][]AuditRow{}
	for _, r := range rows {
		by[siteName(r.Site)] = append(by[siteName(r.Site)], r)
	}
	out := make([]SiteTotals, 0, len(by))
	for site, rs := range by {
		out = append(out, SiteTotals{Site: site, AuditSummary: auditSummarise(rs)})
	}
	slices.SortFunc(out, func(a, b SiteTotals) int { return compareSites(a.Site, b.Site) })
	return out
}

func siteName(s string) string {
	if s == "" {
		return NoSite
	}
	return s
}

func compareSites(a, b string) int {
	if (a == NoSite) != (b == NoSite) {
		if a == NoSite {
			return 1
		}
		return -1
	}
	return cmp.Compare(a, b)
}

// scopeSites names the sites a filter selects ("" for all).
func scopeSites(f inventory.Filter) string {
	sites := f.Sites
	if f.Site != "" {
		sites = append([]string{f.Site}, sites...)
	}
	return strings.Join(sites, ", ")
}

// auditHTMLSite is a site's header row in the HTML device table.
type auditHTMLSite struct {
	SiteTotals
}

// groupBySite orders the HTML rows by site (stable: the address order
// stays within a site) and marks the first row of each site with the
// site's totals, when the report covers more than one site.
func groupBySite(rows []auditHTMLRow, sites []SiteTotals) []auditHTMLRow {
	if len(sites) < 2 {
		return rows
	}
	slices.SortStableFunc(rows, func(a, b auditHTMLRow) int { return compareSites(siteName(a.Site), siteName(b.Site)) })
	tot := map[string]SiteTotals{}
	for _, s := range sites {
		tot[s.Site] = s
	}
	prev := ""
	for i := range rows {
		if s := siteName(rows[i].Site); i == 0 || s != prev {
			rows[i].SiteStart = &auditHTMLSite{tot[s]}
			prev = s
		}
	}
	return rows
}
