package drivers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/internal/private"
)

// ProbeReport is what `mfpfleet probe ADDRESS` saves about an unknown
// model's web admin: enough to write a driver from. Password values are
// never in it.
type ProbeReport struct {
	Address    string         `json:"address"`
	Device     devices.Device `json:"device"`
	BaseURL    string         `json:"base_url"`
	CertSHA256 string         `json:"cert_sha256,omitempty"`
	TLSVersion string         `json:"tls_version,omitempty"`
	Driver     string         `json:"driver,omitempty"` // the driver that claims the device, if any
	LoggedIn   bool           `json:"logged_in"`
	Pages      []ProbePage    `json:"pages"`
	Notes      []string       `json:"notes,omitempty"`

	// LoginError says why the --login attempt failed or was not made.
	LoginError string `json:"login_error,omitempty"`
}

// ProbePage is one page the probe looked at.
type ProbePage struct {
	Role       string      `json:"role"` // landing, frame, login, smtp, link
	URL        string      `json:"url"`
	Status     int         `json:"status,omitempty"`
	Title      string      `json:"title"`
	Screenshot string      `json:"screenshot,omitempty"` // masked PNG
	HTML       string      `json:"html,omitempty"`       // scrubbed excerpt
	Forms      []ProbeForm `json:"forms"`
	// Loose are controls outside any <form> (script-driven pages).
	Loose   []ProbeField `json:"loose_fields,omitempty"`
	Buttons []string     `json:"buttons,omitempty"`
	Links   []ProbeLink  `json:"links,omitempty"`
	Frames  []string     `json:"frames,omitempty"`
	Text    string       `json:"text,omitempty"` // the first 2 KB of visible text
}

// ProbeForm is one <form>.
type ProbeForm struct {
	ID     string       `json:"id,omitempty"`
	Name   string       `json:"name,omitempty"`
	Action string       `json:"action"`
	Method string       `json:"method"`
	Fields []ProbeField `json:"fields"`
}

// ProbeField is one control.
type ProbeField struct {
	Tag      string   `json:"tag"`
	Type     string   `json:"type"`
	Name     string   `json:"name,omitempty"`
	ID       string   `json:"id,omitempty"`
	Label    string   `json:"label,omitempty"` // the best label text found for it
	Value    string   `json:"value,omitempty"` // "********" for password fields that hold something
	Checked  bool     `json:"checked,omitempty"`
	Options  []string `json:"options,omitempty"`
	Hidden   bool     `json:"hidden,omitempty"`
	Disabled bool     `json:"disabled,omitempty"`
	MaxLen   int      `json:"maxlength,omitempty"`
}

// ProbeLink is a link whose text suggests mail or SMTP settings.
type ProbeLink struct {
	Text string `json:"text"`
	Href string `json:"href"`
}

// Prober is a Session that knows where its device's SMTP settings are,
// so that Probe can show that page too after logging in.
type Prober interface {
	// OpenSMTPPage navigates to the SMTP settings page or dialog.
	OpenSMTPPage(ctx context.Context) error
}

const jsProbe = jsLib + `
(function () {
  const field = e => {
    const t = (e.getAttribute("type") || (e.tagName === "INPUT" ? "text" : e.tagName.toLowerCase())).toLowerCase();
    const f = {tag: e.tagName.toLowerCase(), type: t, name: e.getAttribute("name") || "", id: e.id || ""};
    const l = __mfp.labelsOf(e); if (l.length) f.label = l[0][2];
    if (t === "password") { if (e.value) f.value = "********"; }
    else if (e.tagName === "SELECT") { f.options = Array.from(e.options).map(o => (o.selected ? "* " : "") + o.textContent.trim() + (o.value !== o.textContent.trim() ? " [" + o.value + "]" : "")); }
    else if (t === "checkbox" || t === "radio") { f.checked = e.checked; f.value = e.value; if (t === "radio") f.label = __mfp.ownLabel(e) + (f.label ? " (" + f.label + ")" : ""); }
    else f.value = (e.value || "").slice(0, 200);
    f.hidden = t === "hidden" || !__mfp.visible(e);
    f.disabled = !!e.disabled;
    if (e.maxLength > 0) f.maxlength = e.maxLength;
    return f;
  };
  const all = Array.from(document.querySelectorAll("input,select,textarea"));
  const forms = Array.from(document.forms).map(fm => ({id: fm.id || "", name: fm.getAttribute("name") || "",
    action: fm.getAttribute("action") || "", method: (fm.getAttribute("method") || "get").toLowerCase(),
    fields: Array.from(fm.elements).filter(e => /^(INPUT|SELECT|TEXTAREA)$/.test(e.tagName)).map(field)}));
  const loose = all.filter(e => !e.form).map(field);
  const buttons = Array.from(document.querySelectorAll("button,input[type=submit],input[type=button],[role=button]"))
    .map(b => (b.tagName === "INPUT" ? b.value : b.textContent).replace(/\s+/g, " ").trim()).filter(Boolean).slice(0, 60);
  const links = Array.from(document.querySelectorAll("a[href]")).map(a => ({text: a.textContent.replace(/\s+/g, " ").trim(), href: a.href}))
    .filter(l => /smtp|e-?mail|mail|connectivity|protocol|network|login|log in|sign ?-?in|properties/i.test(l.text + " " + l.href)).slice(0, 60);
  const frames = Array.from(document.querySelectorAll("iframe,frame")).map(f => f.src);
  return {title: document.title, url: location.href, forms, loose, buttons, links, frames,
    text: (document.body ? document.body.innerText : "").slice(0, 2048)};
})()`

// ProbePage records the page open in the tab under role: its forms,
// fields (password values masked), buttons, mail-related links, a masked
// screenshot and an HTML excerpt (saved when the browser has an
// artifacts dir).
func (t *Tab) ProbePage(ctx context.Context, role string) (ProbePage, error) {
	var p struct {
		Title   string       `json:"title"`
		URL     string       `json:"url"`
		Forms   []ProbeForm  `json:"forms"`
		Loose   []ProbeField `json:"loose"`
		Buttons []string     `json:"buttons"`
		Links   []ProbeLink  `json:"links"`
		Frames  []string     `json:"frames"`
		Text    string       `json:"text"`
	}
	if err := t.Eval(ctx, "probe the page", jsProbe, &p); err != nil {
		return ProbePage{}, err
	}
	pg := ProbePage{Role: role, URL: p.URL, Title: p.Title, Forms: p.Forms, Loose: p.Loose, Buttons: p.Buttons,
		Links: p.Links, Frames: p.Frames, Text: t.Scrub(p.Text)}
	for i := range pg.Forms {
		for j := range pg.Forms[i].Fields {
			pg.Forms[i].Fields[j].Value = t.Scrub(pg.Forms[i].Fields[j].Value)
		}
	}
	for j := range pg.Loose {
		pg.Loose[j].Value = t.Scrub(pg.Loose[j].Value)
	}
	if t.b.opts.ArtifactsDir != "" {
		png, htm, err := t.SaveArtifacts(ctx, "probe-"+role)
		if err != nil {
			t.log.Warn("probe: could not save screenshot", "err", err)
		}
		pg.Screenshot, pg.HTML = png, htm
	}
	return pg, nil
}

// Probe looks at an unknown model's web admin: the landing page (and the
// login page it leads to), and, when a registered driver supports the
// device and login is not nil, the SMTP page after one login attempt
// with login (no other credential is tried: probing must not count
// towards a lock-out). Without a driver it follows up to three links
// whose text mentions mail or SMTP.
func Probe(ctx context.Context, b *Browser, t Target, login *Credential) (ProbeReport, error) {
	return ProbeWith(ctx, b, t, ProbeOptions{Login: login})
}

// ProbeOptions are Probe's login settings.
type ProbeOptions struct {
	// Login, when not nil, is the one credential tried (the one fleet.toml
	// configures for the device); no factory default is.
	Login *Credential
	// Ledger, when not nil, records the attempt and refuses it when the
	// device's failed logins reached Budget (see LoginBudget), as a push
	// would.
	Ledger LoginLedger
	Budget int
}

// ProbeWith is Probe with a login that follows the lock-out budget and is
// recorded in the ledger.
func ProbeWith(ctx context.Context, b *Browser, t Target, o ProbeOptions) (ProbeReport, error) {
	login := o.Login
	if t.Device.IP == "" {
		t.Device.IP = hostOnly(t.Address)
	}
	rep := ProbeReport{Address: hostOnly(t.Address), Device: t.Device}
	if login != nil {
		t.Secrets = append(t.Secrets, login.Password.Reveal())
	}
	tab, err := b.Open(ctx, t)
	if err != nil {
		return rep, err
	}
	defer tab.Close()
	rep.BaseURL, rep.CertSHA256, rep.TLSVersion = tab.BaseURL(), tab.CertSHA256(), tab.TLSVersion()
	pg, err := tab.Navigate(ctx, "/")
	if err != nil {
		return rep, tab.Fail(ctx, "probe", err)
	}
	_ = tab.WaitReady(ctx)
	// Let script-driven pages render their first view.
	time.Sleep(300 * time.Millisecond)
	landing, err := tab.ProbePage(ctx, "landing")
	if err != nil {
		return rep, tab.Fail(ctx, "probe", err)
	}
	landing.Status = pg.Status
	if pg.Status == 401 {
		rep.Notes = append(rep.Notes, "the device answers 401: HTTP Basic (or Digest) authentication on every page")
	}
	rep.Pages = append(rep.Pages, landing)
	// A landing page without a password field usually links to the
	// login page: look at that too.
	if !hasPassword(landing) && pg.Status != 401 {
		for _, l := range landing.Links {
			if !reLoginLink.MatchString(l.Text) || !strings.HasPrefix(l.Href, tab.BaseURL()) {
				continue
			}
			lp, err := tab.Navigate(ctx, l.Href)
			if err != nil {
				rep.Notes = append(rep.Notes, "could not open the login page "+l.Href+": "+err.Error())
				break
			}
			_ = tab.WaitReady(ctx)
			if login, err := tab.ProbePage(ctx, "login"); err == nil {
				login.Status = lp.Status
				rep.Pages = append(rep.Pages, login)
			}
			break
		}
	}

	// A framed admin (Kyocera's wlmframe) has its login form in a frame:
	// look at the first frame of the device's own.
	if !hasPassword(landing) && pg.Status != 401 && len(rep.Pages) == 1 {
		for _, f := range landing.Frames {
			if !strings.HasPrefix(f, tab.BaseURL()) {
				continue
			}
			fp, err := tab.Navigate(ctx, f)
			if err != nil {
				rep.Notes = append(rep.Notes, "could not open the frame "+f+": "+err.Error())
				break
			}
			_ = tab.WaitReady(ctx)
			if fr, err := tab.ProbePage(ctx, "frame"); err == nil {
				fr.Status = fp.Status
				rep.Pages = append(rep.Pages, fr)
			}
			break
		}
	}

	drv, derr := For(t.Device)
	if derr == nil {
		rep.Driver = drv.Name()
	}
	if derr == nil && login != nil {
		sess, err := drv.NewSession(ctx, tab)
		if err != nil {
			rep.Notes = append(rep.Notes, "driver "+drv.Name()+" could not start: "+tab.Scrub(err.Error()))
			return rep, nil
		}
		if p, ok := sess.(Prober); ok {
			err := Visit{
				Open:  func(context.Context) (Session, error) { return sess, nil }, // on the probe's tab
				Login: func(c context.Context, s Session) error { return probeLogin(c, s, t.Device, *login, o) },
				// The probe closes its tab itself.
				KeepOpen: true,
			}.Run(ctx, func(ctx context.Context, _ Session) error {
				rep.LoggedIn = true
				if err := p.OpenSMTPPage(ctx); err != nil {
					rep.Notes = append(rep.Notes, "could not open the SMTP page: "+tab.Scrub(err.Error()))
				} else if smtp, err := tab.ProbePage(ctx, "smtp"); err == nil {
					rep.Pages = append(rep.Pages, smtp)
				}
				return nil
			})
			if err != nil {
				rep.Notes = append(rep.Notes, "login with "+login.Describe()+" failed: "+tab.Scrub(err.Error()))
				rep.LoginError = tab.Scrub(err.Error())
			}
		}
		return rep, nil
	}
	if derr != nil {
		rep.Notes = append(rep.Notes, tab.Scrub(derr.Error()))
	}
	followed := 0
	for _, l := range landing.Links {
		if followed == 3 || !strings.HasPrefix(l.Href, tab.BaseURL()) {
			continue
		}
		if !strings.Contains(strings.ToLower(l.Text+l.Href), "mail") && !strings.Contains(strings.ToLower(l.Text+l.Href), "smtp") {
			continue
		}
		followed++
		lp, err := tab.Navigate(ctx, l.Href)
		if err != nil {
			rep.Notes = append(rep.Notes, "could not open "+l.Href+": "+err.Error())
			continue
		}
		pp, err := tab.ProbePage(ctx, "link")
		if err == nil {
			pp.Status = lp.Status
			rep.Pages = append(rep.Pages, pp)
		}
	}
	return rep, nil
}

// probeLogin makes Probe's one login attempt: refused without trying
// when the device's failed logins reached the budget, recorded in the
// ledger like a push's.
func probeLogin(ctx context.Context, sess Session, dev devices.Device, c Credential, o ProbeOptions) error {
	if o.Ledger == nil {
		return sess.Login(ctx, c)
	}
	budget := o.Budget
	if budget <= 0 {
		budget = DefaultLoginBudget
	}
	failed, _, err := o.Ledger.FailedLogins(ctx, dev.Key())
	if err != nil {
		return fmt.Errorf("read the failed-login count: %w", err)
	}
	if failed >= budget {
		return fmt.Errorf("not tried: %d failed admin logins already recorded for this device (budget %d); %s: %w",
			failed, budget, BudgetAdvice(dev.IP, failed, budget, LockoutOf(dev), true), ErrBadCredentials)
	}
	err = sess.Login(ctx, c)
	if err == nil || errors.Is(err, ErrBadCredentials) || errors.Is(err, ErrLockedOut) {
		errText := ""
		if err != nil {
			errText = err.Error()
		}
		if rerr := RecordAttempt(ctx, o.Ledger, dev.Key(), c, err == nil, errText); rerr != nil {
			return errors.Join(err, fmt.Errorf("record the login attempt: %w", rerr))
		}
	}
	return err
}

var reLoginLink = regexp.MustCompile(`(?i)^\s*(log ?in|sign ?in|log on|administrator login)\s*$`)

func hasPassword(p ProbePage) bool {
	for _, f := range p.Forms {
		for _, fl := range f.Fields {
			if fl.Type == "password" {
				return true
			}
		}
	}
	for _, fl := range p.Loose {
		if fl.Type == "password" {
			return true
		}
	}
	return false
}

// JSON renders the report as indented JSON.
func (r ProbeReport) JSON() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }

// String renders the report as text for a technician to send.
func (r ProbeReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "device %s", r.Address)
	if r.Device.Vendor != "" || r.Device.Model != "" {
		fmt.Fprintf(&b, " (%s %s, family %q, firmware %q)", r.Device.Vendor, r.Device.Model, r.Device.Family, r.Device.Firmware)
	}
	fmt.Fprintf(&b, "\nweb admin %s", r.BaseURL)
	if r.CertSHA256 != "" {
		fmt.Fprintf(&b, " (%s, certificate SHA-256 %s)", r.TLSVersion, FormatFingerprint(r.CertSHA256))
	}
	if r.Driver != "" {
		fmt.Fprintf(&b, "\ndriver: %s", r.Driver)
	}
	for _, p := range r.Pages {
		fmt.Fprintf(&b, "\n\n== %s page: %s", p.Role, p.URL)
		if p.Status != 0 {
			fmt.Fprintf(&b, " (HTTP %d)", p.Status)
		}
		fmt.Fprintf(&b, "\ntitle: %q", p.Title)
		if p.Screenshot != "" {
			fmt.Fprintf(&b, "\nscreenshot: %s", p.Screenshot)
		}
		if p.HTML != "" {
			fmt.Fprintf(&b, "\nhtml: %s", p.HTML)
		}
		for i, f := range p.Forms {
			fmt.Fprintf(&b, "\nform %d: %s %q", i+1, strings.ToUpper(f.Method), f.Action)
			if f.ID != "" || f.Name != "" {
				fmt.Fprintf(&b, " (id %q, name %q)", f.ID, f.Name)
			}
			for _, fld := range f.Fields {
				b.WriteString("\n  " + fld.line())
			}
		}
		if len(p.Loose) > 0 {
			b.WriteString("\ncontrols outside forms:")
			for _, fld := range p.Loose {
				b.WriteString("\n  " + fld.line())
			}
		}
		if len(p.Buttons) > 0 {
			fmt.Fprintf(&b, "\nbuttons: %s", strings.Join(p.Buttons, " | "))
		}
		for _, l := range p.Links {
			fmt.Fprintf(&b, "\nlink: %q -> %s", l.Text, l.Href)
		}
		for _, f := range p.Frames {
			fmt.Fprintf(&b, "\nframe: %s", f)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\nnote: %s", n)
	}
	return b.String() + "\n"
}

func (f ProbeField) line() string {
	s := fmt.Sprintf("%-8s name=%q id=%q", f.Type, f.Name, f.ID)
	if f.Label != "" {
		s += fmt.Sprintf(" label=%q", f.Label)
	}
	if f.Value != "" {
		s += fmt.Sprintf(" value=%q", f.Value)
	}
	if f.Type == "checkbox" || f.Type == "radio" {
		s += fmt.Sprintf(" checked=%v", f.Checked)
	}
	if len(f.Options) > 0 {
		s += " options=[" + strings.Join(f.Options, "; ") + "]"
	}
	if f.MaxLen > 0 {
		s += fmt.Sprintf(" maxlength=%d", f.MaxLen)
	}
	if f.Hidden {
		s += " hidden"
	}
	if f.Disabled {
		s += " disabled"
	}
	return s
}

// SaveProbe writes the report as probe-<address>.json and .txt into dir
// and returns the two paths.
func SaveProbe(r ProbeReport, dir string) (string, string, error) {
	if err := private.MkdirAll(dir); err != nil {
		return "", "", err
	}
	stem := filepath.Join(dir, "probe-"+safeName(r.Address))
	j, err := r.JSON()
	if err != nil {
		return "", "", err
	}
	if err := os.WriteFile(stem+".json", j, 0o600); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(stem+".txt", []byte(r.String()), 0o600); err != nil {
		return "", "", err
	}
	return stem + ".json", stem + ".txt", nil
}
