package drivers

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/headlessexperimental"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/internal/private"
)

// Tab is one browser tab on one device (cookies and storage are kept
// per host, and wiped before the tab serves another device; see
// Browser). Drivers build sessions on it. Every method takes a context
// whose deadline bounds that call only; the tab stays open until Close.
//
// Errors from a Tab's methods wrap ErrTransient for time-outs and for a
// device that stops answering (connection refused/reset, empty reply),
// and never contain a registered secret (see AddSecret).
type Tab struct {
	b            *Browser
	target       Target
	address      string
	base         string
	certFP       string
	tlsVersion   string
	firstContact bool
	certChecked  bool
	certUnshown  bool // Chromium had no certificate to show (CertVerified)
	ctx          context.Context
	cancel       context.CancelFunc
	lane         *lane
	ownContext   bool // open the tab in a browser context of its own
	closeOnce    sync.Once
	troubled     atomic.Bool // an operation timed out or was cancelled: do not reuse the lane
	log          *slog.Logger

	mu      sync.Mutex
	secrets []string
}

// Address is the device's host (no port).
func (t *Tab) Address() string { return t.address }

// BaseURL is https://host[:port] or, when allowed and needed, http://host.
func (t *Tab) BaseURL() string { return t.base }

// HTTPS reports whether the tab talks HTTPS to the device.
func (t *Tab) HTTPS() bool { return strings.HasPrefix(t.base, "https://") }

// Target is what the tab was opened on.
func (t *Tab) Target() Target { return t.target }

// Device is the SNMP identity of the device.
func (t *Tab) Device() devices.Device { return t.target.Device }

// CertSHA256 is the pinned certificate fingerprint ("" over HTTP).
func (t *Tab) CertSHA256() string { return t.certFP }

// FirstContact is true when this tab recorded the fingerprint.
func (t *Tab) FirstContact() bool { return t.firstContact }

// TLSVersion is the TLS version the device's web server negotiated.
func (t *Tab) TLSVersion() string { return t.tlsVersion }

// Logger is the tab's logger (with the device address).
func (t *Tab) Logger() *slog.Logger { return t.log }

// Context is the chromedp context of the tab, for drivers that need raw
// chromedp calls. Derive deadlines from it with WithDeadlineOf; never
// cancel it (Close does).
func (t *Tab) Context() context.Context { return t.ctx }

// Close ends the tab. Its lane (browser tab and context) is wiped and
// kept for the next device, unless an operation on it timed out or was
// cancelled: then it is closed with its browser context. Safe to call
// twice.
func (t *Tab) Close() error {
	t.closeOnce.Do(func() {
		if t.cancel != nil {
			t.cancel()
		}
		if t.lane != nil {
			t.b.releaseLane(t.lane, t.address, t.base, !t.troubled.Load())
		}
	})
	return nil
}

// AddSecret registers a string that must never appear in an artifact or
// an error message of this tab (a password being typed).
func (t *Tab) AddSecret(s string) {
	if s == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.secrets = append(t.secrets, s)
}

// AddSecretValue is AddSecret for a config.Secret.
func (t *Tab) AddSecretValue(s config.Secret) { t.AddSecret(s.Reveal()) }

func (t *Tab) secretList() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string(nil), t.secrets...)
}

// Scrub replaces every registered secret (and its HTML-escaped,
// URL-encoded and base64 forms) in s with **redacted**.
func (t *Tab) Scrub(s string) string { return scrub(s, t.secretList()) }

func scrub(s string, secrets []string) string {
	// Longest first: a secret's encoding can contain a shorter one's.
	secrets = append([]string(nil), secrets...)
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		for _, form := range []string{sec, html.EscapeString(sec), url.QueryEscape(sec), url.PathEscape(sec),
			base64.StdEncoding.EncodeToString([]byte(sec)), base64.RawStdEncoding.EncodeToString([]byte(sec)),
			base64.URLEncoding.EncodeToString([]byte(sec))} {
			if form != "" {
				s = strings.ReplaceAll(s, form, "**redacted**")
			}
		}
	}
	return s
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// WithDeadlineOf returns a context of the tab that ends when ctx ends
// (same deadline and cancellation), so that a time-out of one call does
// not close the tab.
func (t *Tab) WithDeadlineOf(ctx context.Context) (context.Context, context.CancelFunc) {
	c, cancel := context.WithCancel(t.ctx)
	if dl, ok := ctx.Deadline(); ok {
		var cancel2 context.CancelFunc
		c, cancel2 = context.WithDeadline(c, dl)
		prev := cancel
		cancel = func() { cancel2(); prev() }
	}
	stop := context.AfterFunc(ctx, cancel)
	return c, func() { stop(); cancel() }
}

var transientLoad = regexp.MustCompile(`ERR_(CONNECTION_(REFUSED|RESET|CLOSED|ABORTED|TIMED_OUT|FAILED)|EMPTY_RESPONSE|TIMED_OUT|ADDRESS_UNREACHABLE|NETWORK_CHANGED|SOCKET_NOT_CONNECTED|INTERNET_DISCONNECTED)`)

// classify turns a chromedp error into one that says what happened:
// time-outs and a device that stopped answering wrap ErrTransient; the
// caller's own cancellation is returned as is.
func (t *Tab) classify(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	var se *StepError
	if errors.As(err, &se) || errors.Is(err, ErrTransient) || errors.Is(err, ErrCertChanged) || errors.Is(err, ErrBrowserCrashed) {
		return err
	}
	if ce := t.b.crashed(err); ce != nil {
		// Chromium died under the call: not the device's doing.
		t.troubled.Store(true)
		return fmt.Errorf("%s: %w", op, ce)
	}
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, chromedp.ErrTargetDetached) ||
		errors.Is(err, chromedp.ErrChannelClosed) || t.ctx.Err() != nil {
		// Something may still be running in the tab (a navigation, a
		// script): it is not handed to another device.
		t.troubled.Store(true)
	}
	if ctx.Err() == context.Canceled {
		return err // the caller's own cancellation
	}
	msg := t.Scrub(err.Error())
	switch {
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded:
		return &scrubbedError{msg: fmt.Sprintf("%s: timed out (the device is slow or stopped answering)", op), err: ErrTransient}
	case strings.Contains(msg, "ERR_SSL_") || strings.Contains(msg, "ERR_CERT_"):
		return &scrubbedError{msg: fmt.Sprintf("%s: the browser refused the device's HTTPS (%s): its web server may only speak a TLS version or cipher that current browsers refuse; update its firmware, or set it up by hand", op, msg), err: ErrUnsupported}
	case transientLoad.MatchString(msg):
		return &scrubbedError{msg: fmt.Sprintf("%s: the device stopped answering (%s)", op, msg), err: ErrTransient}
	case errors.Is(err, chromedp.ErrTargetDetached), errors.Is(err, chromedp.ErrChannelClosed), t.ctx.Err() != nil:
		return &scrubbedError{msg: fmt.Sprintf("%s: the browser tab went away (%s)", op, msg), err: ErrTransient}
	}
	return &scrubbedError{msg: op + ": " + msg, err: err}
}

// Do runs chromedp actions on the tab within ctx's deadline.
func (t *Tab) Do(ctx context.Context, op string, steps ...chromedp.Action[chromedp.Void]) error {
	c, cancel := t.WithDeadlineOf(ctx)
	defer cancel()
	return t.classify(ctx, op, chromedp.Do(c, steps...))
}

// Page describes a loaded document.
type Page struct {
	Status int    // HTTP status of the document
	URL    string // after redirects
	// TLS is the protocol Chromium negotiated ("TLS 1.3"), "" over HTTP.
	TLS string
}

// URL returns the absolute URL of path on the device.
func (t *Tab) URL(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return t.base + path
}

// Navigate loads path (relative to BaseURL) and waits for its load
// event. The first HTTPS navigation also checks that Chromium saw the
// pinned certificate (ErrCertChanged otherwise).
func (t *Tab) Navigate(ctx context.Context, path string) (Page, error) {
	u := t.URL(path)
	c, cancel := t.WithDeadlineOf(ctx)
	defer cancel()
	resp, err := chromedp.Run(c, chromedp.NavigateResponse(u))
	if isAuthRefused(err) {
		// The device asks for HTTP Basic credentials: check what
		// Chromium was shown before a driver sends them.
		return Page{Status: 401, URL: u}, t.verifyCert(c)
	}
	if err != nil {
		return Page{}, t.classify(ctx, "load "+pathOf(u), err)
	}
	return t.afterLoad(c, resp)
}

// isAuthRefused: headless Chromium turns a 401 with a Basic challenge
// into this load error (it has no dialog to ask for credentials).
func isAuthRefused(err error) bool {
	var le *chromedp.LoadError
	return errors.As(err, &le) && strings.Contains(le.ErrorText, "ERR_INVALID_AUTH_CREDENTIALS")
}

func pathOf(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Path
	}
	return u
}

// RunNavigate runs steps that cause a navigation (a click on a submit
// button, a script that submits a form) and waits until the new document
// has loaded. For pages that update without navigating, use WaitJS.
func (t *Tab) RunNavigate(ctx context.Context, op string, steps ...chromedp.Action[chromedp.Void]) (Page, error) {
	c, cancel := t.WithDeadlineOf(ctx)
	defer cancel()
	resp, err := chromedp.RunResponse(c, steps...)
	if isAuthRefused(err) {
		return Page{Status: 401}, nil
	}
	if err != nil {
		return Page{}, t.classify(ctx, op, err)
	}
	return t.afterLoad(c, resp)
}

// SubmitJS evaluates js (which submits a form or clicks a button) and
// waits for the navigation it causes.
func (t *Tab) SubmitJS(ctx context.Context, op, js string) (Page, error) {
	return t.RunNavigate(ctx, op, chromedp.Evaluate[chromedp.Void](js))
}

func (t *Tab) afterLoad(c context.Context, resp *network.Response) (Page, error) {
	p := Page{}
	if resp != nil {
		p.Status = int(resp.Status)
		p.URL = resp.URL
		if resp.SecurityDetails != nil {
			p.TLS = resp.SecurityDetails.Protocol
		}
	}
	return p, t.verifyCert(c)
}

// verifyCert compares, once per tab, the certificate Chromium used with
// the pinned one (checkBrowserCert).
func (t *Tab) verifyCert(c context.Context) error {
	if !t.HTTPS() || t.certChecked {
		return nil
	}
	checked, err := t.checkBrowserCert(c)
	if err != nil {
		return err
	}
	t.certChecked = checked
	t.certUnshown = !checked
	return nil
}

// CertVerified reports whether the certificate Chromium was shown has
// been compared with the pinned one (always true over plain HTTP, where
// there is none), or Chromium had none to show for the device's origin:
// the full browser after an HTTP Basic challenge, where the pre-check
// dial's pin (Browser.Open) is the only check. Drivers that send
// credentials with a request rather than typing them into a page (HTTP
// Basic) make sure of it first.
func (t *Tab) CertVerified() bool { return !t.HTTPS() || t.certChecked || t.certUnshown }

// checkBrowserCert compares the certificate Chromium used for the device
// with the pinned one, so that a swap between the pre-check dial and the
// navigation cannot go unnoticed.
// It reports checked=false when Chromium has no certificate for the
// device's origin to show (an error page served from elsewhere).
func (t *Tab) checkBrowserCert(c context.Context) (checked bool, err error) {
	res, err := chromedp.Call(c, network.GetCertificate, network.GetCertificateParams{Origin: t.base})
	if err != nil {
		return false, t.classify(c, "read the certificate the browser saw", err)
	}
	if len(res.TableNames) == 0 {
		return false, nil
	}
	der, err := base64.StdEncoding.DecodeString(res.TableNames[0])
	if err != nil {
		return false, fmt.Errorf("%s: decode the browser's certificate: %w", t.address, err)
	}
	if got := Fingerprint(der); got != t.certFP {
		return false, fmt.Errorf("%s: the browser was shown certificate %s, not the pinned %s: %w; someone may be intercepting the connection",
			t.address, FormatFingerprint(got), FormatFingerprint(t.certFP), ErrCertChanged)
	}
	return true, nil
}

// pin applies the tab's CertPolicy to the fingerprint from the pre-check.
func (t *Tab) pin(ctx context.Context) error {
	st := t.target.Certs.Store
	if st == nil {
		return nil
	}
	key := t.target.Address
	old, ok, err := st.CertFingerprint(ctx, key)
	if err != nil {
		return fmt.Errorf("%s: read the pinned certificate: %w", t.address, err)
	}
	old = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(old), ":", ""))
	switch {
	case !ok || old == "":
		if err := st.SetCertFingerprint(ctx, key, t.certFP); err != nil {
			return fmt.Errorf("%s: record the certificate: %w", t.address, err)
		}
		t.firstContact = true
		t.log.Info("first contact: certificate recorded (trust on first use)", "sha256", FormatFingerprint(t.certFP))
	case old == t.certFP:
		if err := st.SetCertFingerprint(ctx, key, t.certFP); err != nil {
			return fmt.Errorf("%s: refresh the certificate record: %w", t.address, err)
		}
	case t.target.Certs.AcceptNew:
		if err := st.AcceptNewCert(ctx, key, t.certFP); err != nil {
			return fmt.Errorf("%s: record the new certificate: %w", t.address, err)
		}
		// Connections the browser still holds to the device carry the
		// old certificate: this tab gets a browser context of its own.
		t.ownContext = true
		t.log.Warn("certificate changed: accepted as asked (--accept-new-cert)",
			"old_sha256", FormatFingerprint(old), "new_sha256", FormatFingerprint(t.certFP))
	default:
		if r, ok := st.(CertMismatchRecorder); ok {
			if err := r.RecordCertMismatch(ctx, key, t.certFP); err != nil {
				t.log.Warn("could not record the refused certificate", "err", err)
			}
		}
		// The error says it all; a WARN line would only repeat it.
		t.log.Debug("certificate changed: refusing", "old_sha256", FormatFingerprint(old), "new_sha256", FormatFingerprint(t.certFP))
		return fmt.Errorf("%s: HTTPS certificate changed since first contact: was %s, now %s: %w; if the device was reset or its certificate renewed, check the new fingerprint on the device itself and run again with --accept-new-cert %s; otherwise someone may be intercepting the connection",
			t.address, FormatFingerprint(old), FormatFingerprint(t.certFP), ErrCertChanged, t.target.Address)
	}
	return nil
}

// Eval evaluates a JavaScript expression in the page and decodes its
// JSON result into out (nil ignores it). Promises are awaited.
func (t *Tab) Eval(ctx context.Context, op, js string, out any) error {
	c, cancel := t.WithDeadlineOf(ctx)
	defer cancel()
	raw, err := chromedp.Run(c, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if err != nil {
		if errors.Is(err, chromedp.ErrJSUndefined) && out == nil {
			return nil
		}
		return t.classify(ctx, op, err)
	}
	if out == nil || len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: decode the page's answer: %w", op, err)
	}
	return nil
}

// WaitJS polls the JavaScript condition cond until it is truthy or ctx
// ends (a time-out wraps ErrTransient): for pages that update by script
// (AJAX replies, dialogs) instead of navigating.
// It polls inside the page (WaitSettled, so it also waits for the page
// to have finished loading): chromedp.Poll needs the DOM agent, which
// tabs run without.
func (t *Tab) WaitJS(ctx context.Context, op, cond string) error {
	return t.WaitSettled(ctx, op, cond)
}

// WaitReady waits until the document has finished loading (readyState
// complete) and the page's scripts have run, bounded by ctx.
func (t *Tab) WaitReady(ctx context.Context) error {
	return t.WaitJS(ctx, "wait for the page", `document.readyState === "complete"`)
}

// SetBasicAuth sends HTTP Basic credentials with every request of this
// tab (as a header, never in a URL), for web admins that use HTTP Basic
// instead of a login form. Call before the first navigation.
func (t *Tab) SetBasicAuth(ctx context.Context, user string, pw config.Secret) error {
	t.AddSecretValue(pw)
	tok := base64.StdEncoding.EncodeToString([]byte(user + ":" + pw.Reveal()))
	t.AddSecret(tok)
	c, cancel := t.WithDeadlineOf(ctx)
	defer cancel()
	_, err := chromedp.Call(c, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Authorization": "Basic " + tok}})
	return t.classify(ctx, "set the login header", err)
}

// ClearBasicAuth stops sending Basic credentials.
func (t *Tab) ClearBasicAuth(ctx context.Context) error {
	c, cancel := t.WithDeadlineOf(ctx)
	defer cancel()
	return t.classify(ctx, "clear the login header", clearHeaders(c))
}

// clearHeaders drops the extra request headers of the tab in ctx.
func clearHeaders(ctx context.Context) error {
	_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{}})
	return err
}

// Text returns the visible text of the page (document.body.innerText),
// scrubbed of secrets.
func (t *Tab) Text(ctx context.Context) (string, error) {
	var s string
	err := t.Eval(ctx, "read the page", `document.body ? document.body.innerText : ""`, &s)
	return t.Scrub(s), err
}

// Location is the current URL.
func (t *Tab) Location(ctx context.Context) (string, error) {
	var s string
	err := t.Eval(ctx, "read the location", `location.href`, &s)
	return s, err
}

// Fail saves a masked screenshot and a scrubbed HTML excerpt of the page
// and returns err as a *StepError naming them. An err that is already a
// *StepError is returned unchanged.
func (t *Tab) Fail(ctx context.Context, step string, err error) error {
	if err == nil {
		return nil
	}
	var se *StepError
	if errors.As(err, &se) {
		return err
	}
	if errors.Is(err, ErrBrowserCrashed) || t.b.Crashed() != nil {
		// Nothing to take a picture of; the browser's own output is
		// saved (CrashError.Log).
		return err
	}
	se = &StepError{Address: t.address, Step: step, Err: err}
	if t.b.opts.ArtifactsDir != "" {
		png, htm, aerr := t.SaveArtifacts(ctx, step)
		if aerr != nil {
			t.log.Info("could not save the failure's screenshot", "err", aerr) // the failure itself is reported
		}
		se.Screenshot, se.HTML = png, htm
	}
	return se
}

// SaveArtifacts writes a screenshot (password fields and registered
// secrets masked) and a short HTML excerpt (password values stripped,
// secrets scrubbed) into the artifacts dir. It uses its own 15-second
// budget, so it works after ctx has timed out.
func (t *Tab) SaveArtifacts(ctx context.Context, step string) (png, htm string, err error) {
	dir := t.b.opts.ArtifactsDir
	if dir == "" {
		return "", "", errors.New("no artifacts dir configured")
	}
	if err := private.MkdirAll(dir); err != nil {
		return "", "", err
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	// A page that is gone (its renderer crashed, the tab closed) answers
	// nothing: find that out in a moment instead of waiting out the
	// budget for each capture.
	pctx, pcancel := context.WithTimeout(actx, 5*time.Second)
	perr := t.Eval(pctx, "check the page is there", `1`, nil)
	pcancel()
	if perr != nil {
		return "", "", fmt.Errorf("no screenshot: the page is gone: %w", perr)
	}
	stem := filepath.Join(dir, fmt.Sprintf("%s-%s-%s", safeName(t.address), safeName(step), time.Now().UTC().Format("20060102T150405.000")))
	img, err := t.MaskedScreenshot(actx)
	if err == nil {
		png = stem + ".png"
		if err = os.WriteFile(png, img, 0o600); err != nil {
			png = ""
		}
	}
	ex, herr := t.HTMLExcerpt(actx, 64<<10)
	if herr == nil {
		htm = stem + ".html"
		if herr = os.WriteFile(htm, []byte(ex), 0o600); herr != nil {
			htm = ""
		}
	}
	return png, htm, errors.Join(err, herr)
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string { return strings.Trim(unsafeChars.ReplaceAllString(s, "_"), "_") }

// MaskedScreenshot captures the viewport with every password field, every
// field holding a registered secret and every text showing one blanked.
func (t *Tab) MaskedScreenshot(ctx context.Context) ([]byte, error) {
	secrets, _ := json.Marshal(append([]string{}, t.secretList()...))
	if err := t.Eval(ctx, "mask passwords", withArg(jsMask, secrets), nil); err != nil {
		return nil, err
	}
	c, cancel := t.WithDeadlineOf(ctx)
	defer cancel()
	var img []byte
	var err error
	if t.framesOnDemand() {
		// The tab draws only on demand: draw a frame and keep it. A tab
		// whose renderer is still setting up its first frame gives no
		// image, so try a few times, a moment apart.
		for try := 0; try < 5 && err == nil && len(img) == 0; try++ {
			if try > 0 {
				select {
				case <-c.Done():
				case <-time.After(time.Duration(try) * 50 * time.Millisecond):
				}
			}
			var r headlessexperimental.BeginFrameResult
			r, err = t.lane.beginFrame(c, headlessexperimental.BeginFrameParams{
				Screenshot: &headlessexperimental.ScreenshotParams{Format: headlessexperimental.ScreenshotParamsFormatPng}})
			img = r.ScreenshotData
		}
		if err == nil && len(img) == 0 {
			err = errors.New("the browser drew no frame")
		}
	} else {
		img, err = chromedp.Run(c, chromedp.CaptureScreenshot())
	}
	// Restore the typed values: the page may still be used.
	_ = t.Eval(ctx, "unmask", jsUnmask, nil)
	if err != nil {
		return nil, t.classify(ctx, "screenshot", err)
	}
	return img, nil
}

// HTMLExcerpt returns the page's HTML with password values, script
// bodies and styles removed and secrets scrubbed, cut to max bytes.
func (t *Tab) HTMLExcerpt(ctx context.Context, max int) (string, error) {
	var s string
	if err := t.Eval(ctx, "read the page's HTML", jsHTML, &s); err != nil {
		return "", err
	}
	s = t.Scrub(stripPasswordValues(s))
	if len(s) > max {
		s = s[:max] + "\n<!-- cut at " + fmt.Sprint(max) + " bytes -->"
	}
	return s, nil
}

var pwInput = regexp.MustCompile(`(?is)<input\b[^>]*\btype\s*=\s*["']?password[^>]*>`)
var valueAttr = regexp.MustCompile(`(?is)\svalue\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)

// stripPasswordValues removes value attributes of password inputs (a
// second line of defence behind the in-page stripping).
func stripPasswordValues(s string) string {
	return pwInput.ReplaceAllStringFunc(s, func(tag string) string { return valueAttr.ReplaceAllString(tag, "") })
}
