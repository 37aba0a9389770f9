// Package xerox drives Xerox web admins: the ConnectKey PHP "Embedded Web
// Server" (AltaLink, WorkCentre 5xxx/7xxx, ColorQube), the VersaLink
// single-page app (also WorkCentre 6515, Phaser 6510) and the
// Fuji-Xerox-made small devices with HTTP Basic (WorkCentre 3615, 6505,
// 6605, 6015). The family comes from the SNMP identity and is confirmed
// from the page; the legacy .dhtml admin is reported as unsupported.
//
// Only the facts vendors.md marks as sourced are relied on as they are
// (login.php and /userpost/xerox.set, /home/index.html, HTTP Basic, the
// menu names). Everything else is found the way a person finds it: by
// the label next to a field, the text of a link or a button, with known
// names only as first guesses.
package xerox

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/drivers"
)

// Name is the driver's registry name.
const Name = "xerox"

// Web-admin families (devices.Device.Family).
const (
	FamilyConnectKey = "xerox/connectkey"
	FamilyVersaLink  = "xerox/versalink"
	FamilyFujiXerox  = "xerox/fujixerox"
	FamilyLegacy     = "xerox/legacy"
)

// Driver is the Xerox driver. It remembers, per model, where the SMTP
// pages were found, so that the next device of the same model goes
// straight there (and walks the menus again if that fails).
type Driver struct {
	pages sync.Map // model → map[string]string (page role → path)
}

var _ drivers.Driver = (*Driver)(nil)

func init() { drivers.Register(&Driver{}) }

// Name implements drivers.Driver.
func (*Driver) Name() string { return Name }

// fmtDecline is the legacy family's Decline error: what to do instead.
func fmtDecline(model, addr string) error {
	return fmt.Errorf("no driver for the Xerox %s: its legacy .dhtml web admin (CentreWare) is not supported; set Gmail SMTP by hand on the device's own web page (http://%s/, its Properties tab), or run `mfpfleet probe %s --http` and send us the files it writes: %w",
		model, addr, addr, drivers.ErrUnsupported)
}

// NewSession implements drivers.Driver: it loads the landing page and
// confirms the family from it (a login.php form or .php pages for
// ConnectKey, the /home/index.html script app for VersaLink, a 401
// Basic challenge for the Fuji-Xerox-made devices). The page wins over
// the SNMP identity when they disagree.
func (d *Driver) NewSession(ctx context.Context, tab *drivers.Tab) (drivers.Session, error) {
	b := base{tab: tab, dev: tab.Device(), drv: d, log: tab.Logger().With("driver", Name)}
	b.pages = b.cachedPages()
	fam, err := b.detect(ctx)
	if err != nil {
		return nil, tab.Fail(ctx, "open", err)
	}
	if want := b.dev.Family; want != "" && want != fam {
		// Expected for some models (a VersaLink B415 serves the ConnectKey
		// pages): the page decides.
		b.log.Info("web admin family differs from what the model name suggests; following the page", "snmp_family", want, "page_family", fam)
	}
	b.family = fam
	switch fam {
	case FamilyConnectKey:
		return &ckSession{base: b}, nil
	case FamilyVersaLink:
		return &vlSession{base: b}, nil
	case FamilyFujiXerox:
		return &fxSession{base: b}, nil
	}
	return nil, tab.Fail(ctx, "open", fmt.Errorf("the legacy .dhtml web admin (WorkCentre Pro, M20i, 4150/4250) is not supported yet; set it up by hand or run `mfpfleet probe %s` and send us the output: %w", tab.Address(), drivers.ErrUnsupported))
}

// base is what the three families share.
type base struct {
	tab    *drivers.Tab
	dev    devices.Device
	drv    *Driver
	family string
	log    *slog.Logger
	// onLogin: detect left the tab on the ConnectKey login page, so
	// the first Login need not load it again.
	onLogin bool
	// header: current ConnectKey firmware (a current AltaLink, the newer
	// VersaLink generation such as the B415) whose pages log in through
	// a header button (#globalHeaderLoginBtn) that opens a login dialog
	// rather than through login.php's form.
	header bool
	// pages: role → path of this model's pages, remembered from its
	// earlier devices (ConnectKey: smtp, general, security, test, jobs;
	// Fuji-Xerox: email, ssl, jobs).
	pages map[string]string
}

// alreadyOn reports whether the tab shows the page at path as the device
// served it (Tab.OnPage), so that it need not be loaded again. The job
// history never is: it is read for what is new.
func (b *base) alreadyOn(ctx context.Context, role, path string) (bool, error) {
	if role == "jobs" {
		return false, nil
	}
	return b.tab.OnPage(ctx, path)
}

// detect loads "/" and tells the family from what the device serves.
// When SNMP says ConnectKey it tries the login page first (see
// ckLoginURL): a .php page with a password field confirms the family and
// is where Login starts.
func (b *base) detect(ctx context.Context) (string, error) {
	if b.dev.Family == FamilyConnectKey {
		pg, err := b.tab.Navigate(ctx, ckLoginURL(b.pages))
		if err != nil {
			return "", err
		}
		var lp struct {
			PHP      bool `json:"php"`
			Password bool `json:"password"`
			Header   bool `json:"header"`
		}
		if pg.Status == 200 {
			if err := b.tab.Eval(ctx, "look at the login page", `({php: /\.php$/.test(location.pathname),
  password: !!document.querySelector("input[type=password]") && `+ckPasswordVisible+`,
  header: `+ckHeaderLoginJS+`})`, &lp); err != nil {
				return "", err
			}
		}
		switch {
		case lp.PHP && lp.Password:
			b.onLogin = true
			return FamilyConnectKey, nil
		case lp.PHP && lp.Header:
			// login.php led to a page whose header logs in (a current
			// AltaLink).
			b.header = true
			return FamilyConnectKey, nil
		}
	}
	pg, err := b.tab.Navigate(ctx, "/")
	if err != nil {
		return "", err
	}
	if pg.Status == 401 {
		if b.dev.Family == FamilyLegacy {
			return FamilyLegacy, nil
		}
		return FamilyFujiXerox, nil
	}
	if pg.Status >= 500 {
		return "", fmt.Errorf("the web admin answers HTTP %d: %w", pg.Status, drivers.ErrTransient)
	}
	// Redirects and script apps: give the landing page a moment.
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = b.tab.WaitSettled(wctx, "load the landing page", `document.querySelector("frame,iframe,a,input,button") || (document.body && document.body.innerText.trim().length > 0)`)
	cancel()
	if err != nil && ctx.Err() != nil {
		return "", err
	}
	var probe struct {
		Path   string `json:"path"`
		PHP    bool   `json:"php"`
		DHTML  bool   `json:"dhtml"`
		Script bool   `json:"script"`
		Header bool   `json:"header"`
	}
	if err := b.tab.Eval(ctx, "look at the landing page", `({
  path: location.pathname,
  php: /\.php$/.test(location.pathname) || !!document.querySelector('a[href*=".php"], form[action*="xerox.set"]'),
  dhtml: /\.dhtml$/.test(location.pathname) || !!document.querySelector('a[href*=".dhtml"], frame[src*=".dhtml"], iframe[src*=".dhtml"]'),
  script: document.querySelectorAll("script[src]").length > 0,
  header: `+ckHeaderLoginJS+`
})`, &probe); err != nil {
		return "", err
	}
	switch {
	case probe.PHP:
		// The PHP pages decide, whatever the model name says: the newer
		// VersaLink generation (B415) serves them too.
		b.header = probe.Header
		return FamilyConnectKey, nil
	case probe.DHTML:
		return FamilyLegacy, nil
	case probe.Path == "/home/index.html" || probe.Script && b.dev.Family == FamilyVersaLink:
		return FamilyVersaLink, nil
	}
	return "", fmt.Errorf("the landing page %s looks like none of the Xerox web admins this driver knows (ConnectKey, VersaLink, Fuji-Xerox-made); run `mfpfleet probe %s` and send us the output: %w", probe.Path, b.tab.Address(), drivers.ErrUnsupported)
}

// Info implements drivers.Session.
func (b *base) Info() drivers.SessionInfo {
	return drivers.SessionInfo{Driver: Name, Family: b.family, Address: b.tab.Address(), BaseURL: b.tab.BaseURL(),
		CertSHA256: b.tab.CertSHA256(), FirstContact: b.tab.FirstContact()}
}

// Close implements drivers.Session.
func (b *base) Close() error { return b.tab.Close() }

// fail wraps err for step with the page's artifacts.
func (b *base) fail(ctx context.Context, step string, err error) error {
	if err == nil {
		return nil
	}
	return b.tab.Fail(ctx, step, err)
}

// cachedPages returns the page paths remembered for this model.
func (b *base) cachedPages() map[string]string {
	if v, ok := b.drv.pages.Load(b.dev.Model); ok {
		m := v.(map[string]string)
		out := make(map[string]string, len(m))
		for k, p := range m {
			out[k] = p
		}
		return out
	}
	return map[string]string{}
}

func (b *base) rememberPages(m map[string]string) {
	if b.dev.Model == "" {
		return
	}
	cp := make(map[string]string, len(m))
	for k, v := range m {
		cp[k] = v
	}
	b.drv.pages.Store(b.dev.Model, cp)
}

var (
	reLocked  = regexp.MustCompile(`(?i)locked|maximum number of (failed )?(login|log-in|log in) attempts|too many (failed )?(login|log-in|log in)|attempts has exceeded|attempts have exceeded|switch the printer off and on|restart the device to`)
	reBusy    = regexp.MustCompile(`(?i)another (user|administrator|admin)[^.]{0,40}logged in|already logged in|in use by another`)
	reFault   = regexp.MustCompile(`\b0\d\d-\d\d\d\b`)
	reSuccess = regexp.MustCompile(`(?i)\b(sent|success(ful(ly)?)?|completed)\b`)
	reFailure = regexp.MustCompile(`(?i)\b(fail(ed|ure)?|error|unable|could not|cannot|refused|timed? ?out)\b`)
	reSaveErr = regexp.MustCompile(`(?i)not saved|not applied|invalid|must be|too long|do not match|error|enter (a|up)`)
)

// plainSuccess reports whether a device's message says the test was
// sent and nothing about a failure.
func plainSuccess(msg string) bool {
	return reSuccess.MatchString(msg) && !reFailure.MatchString(msg)
}

// loginError classifies a refused login from what the page says.
func loginError(text string) error {
	switch {
	case reLocked.MatchString(text):
		return fmt.Errorf("the device says %q: %w", firstMatchLine(text, reLocked), drivers.ErrLockedOut)
	case reBusy.MatchString(text):
		return fmt.Errorf("the device says %q: %w", firstMatchLine(text, reBusy), drivers.ErrBusy)
	}
	return drivers.ErrBadCredentials
}

// firstMatchLine returns the first line of text that re matches.
func firstMatchLine(text string, re *regexp.Regexp) string {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && re.MatchString(l) {
			if len(l) > 200 {
				l = l[:200]
			}
			return l
		}
	}
	return ""
}

// saveError returns the line of an answer page that reports a refused
// save ("" when none does). Status lines (a connection status showing an
// old error) do not count.
func saveError(text string) string {
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.Contains(strings.ToLower(l), "status") {
			continue
		}
		if reSaveErr.MatchString(l) {
			if len(l) > 200 {
				l = l[:200]
			}
			return l
		}
	}
	return ""
}

// testMessage picks the device's words about the test e-mail from the
// page text: the lines that report success or failure.
func testMessage(text, to string) string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || len(l) > 400 {
			continue
		}
		lower := strings.ToLower(l)
		mailish := strings.Contains(lower, "mail") || strings.Contains(lower, "test") || strings.Contains(lower, "smtp") || strings.Contains(l, to) || reFault.MatchString(l)
		if mailish && (reSuccess.MatchString(l) || reFailure.MatchString(l) || reFault.MatchString(l)) && !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, " ")
}

var (
	reTLSFail  = regexp.MustCompile(`(?i)tls|ssl|handshake|protocol version|certificate`)
	reAuthFail = regexp.MustCompile(`(?i)\b53[45]\b|username and password not accepted|authentication (failed|credentials)|application-specific password`)
	reNoConn   = regexp.MustCompile(`(?i)unable to connect|connection (refused|timed out)|could not connect|resolve|dns`)
)

// testFailure turns the device's negative test result into an error that
// names the likely cause.
func testFailure(res drivers.TestResult) error { return checkFailure("test e-mail", res) }

// checkFailure is testFailure for any device-side check (what).
func checkFailure(what string, res drivers.TestResult) error {
	msg := res.Message
	switch {
	case reAuthFail.MatchString(msg):
		return fmt.Errorf("the device's %s failed: %q: Gmail refused the login: check the account and the app password (and that it was saved on the device): %w", what, msg, drivers.ErrTestFailed)
	case reTLSFail.MatchString(msg):
		return fmt.Errorf("the device's %s failed: %q: the encrypted connection to the mail server failed; the likely cause is the device's firmware (old Xerox firmware speaks only TLS 1.0, which Gmail refuses): update the firmware: %w: %w", what, msg, drivers.ErrTestFailed, drivers.ErrFirmware)
	case reNoConn.MatchString(msg):
		return fmt.Errorf("the device's %s failed: %q: the device could not reach the mail server: check its DNS and that ports 587/465 are open from the device's network: %w", what, msg, drivers.ErrTestFailed)
	}
	return fmt.Errorf("the device's %s failed: %q: %w", what, msg, drivers.ErrTestFailed)
}

// jobFormat is how the Xerox web admins' job-history tables read: the
// default English headers and layouts, and a fault code such as 016-781
// in a job's details when the table has no fault column.
var jobFormat = drivers.JobTableFormat{FaultCode: reFault.FindString}
