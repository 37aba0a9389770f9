package drivers

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/headlessexperimental"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/mfpfleet/mfpfleet/devices"
)

// BrowserOptions configures the one Chromium process of a run.
type BrowserOptions struct {
	// Path of the Chromium binary; "" searches for one (FindBrowser),
	// the headless shell first.
	Path string
	// Flags are extra command-line flags, "--name=value" or "--name"
	// (tests add --host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.*).
	Flags []string
	// SiteIsolation keeps Chromium's per-site renderer processes. Off by
	// default: every device is its own site, and a new renderer per
	// device costs ~110 ms per navigation on two cores (see peers.md).
	// Each device's cookies and storage stay its own either way.
	SiteIsolation bool
	// RenderFrames has the headless shell draw frames continuously, as a
	// visible browser does. Off by default: with the headless shell the
	// lanes' tabs are created under DevTools frame control and draw a
	// frame only when a wait has not been met for a quarter second (so
	// that pages animating by requestAnimationFrame or CSS transitions
	// move on) or a screenshot is saved. Page loads then cost Chromium
	// about a third less CPU (README, Performance). The full browser
	// always draws frames.
	RenderFrames bool
	// ArtifactsDir receives screenshots and HTML excerpts of failed
	// steps ("" = none saved).
	ArtifactsDir string
	// Logger; nil discards.
	Logger *slog.Logger
	// DialTimeout bounds the TLS/TCP pre-check of a device (default 5s).
	DialTimeout time.Duration
}

// Browser is one headless Chromium for the whole run. Tabs are opened
// with Open, one per device; Browser is safe for concurrent use by one
// goroutine per tab.
//
// A tab lives in a lane: a Chromium tab in the run's off-the-record
// browser context. A closed tab's lane is wiped (the device's cookies,
// its session and local storage, the tab's headers, the page) and handed
// to the next Open, so a worker going through a fleet keeps one tab and
// one renderer process instead of starting a browser context, a window
// and renderers per device, which was most of what Chromium cost per
// device (see README, Performance). Lanes share one cookie jar; cookies
// are kept per host, and every device is its own host. A second tab on
// an address that already has one open gets a browser context of its
// own, so that two sessions on one device never share a cookie. A lane
// whose operation timed out or was cancelled is closed, not reused.
type Browser struct {
	opts     BrowserOptions
	log      *slog.Logger
	exe      string
	dataDir  string
	ctx      context.Context // the browser context: never given a deadline
	cancel   context.CancelFunc
	allocEnd context.CancelFunc
	once     sync.Once

	shared cdp.BrowserContextID // the lanes' browser context
	// frameless: lanes' tabs draw frames only on demand (RenderFrames).
	frameless bool

	mu      sync.Mutex
	idle    []*lane
	busy    map[string]int // host → open tabs
	closed  bool
	lanes   int // lanes created (for tests and logs)
	execCmd *exec.Cmd

	frames frameGate     // frames on demand: one in flight at a time
	out    *outputTail   // the end of Chromium's output (crash reports)
	dead   chan struct{} // closed when Chromium died without Close
	crash  *CrashError   // how it died, set before dead is closed
}

// lane is a reusable tab.
type lane struct {
	ctx       context.Context
	cancel    context.CancelFunc
	private   bool // in a browser context of its own: closed after use
	frameless bool // frames only on demand (Browser.frameless)

	// frames is the browser's: one frame in flight at a time.
	frames *frameGate
}

// frameGate lets one HeadlessExperimental.beginFrame be in flight in the
// whole browser at a time (see lane.beginFrame).
type frameGate struct {
	mu    sync.Mutex
	owner *lane
	// done is non-nil while a frame is in flight, and closed when
	// Chromium has answered it.
	done chan struct{}
}

// beginFrame has the lane's tab draw a frame (HeadlessExperimental.
// beginFrame) while no other frame is in flight in the whole browser.
//
// Why: in the headless shell (Chromium 156 measured) the frames of
// every tab under frame control are issued to one GPU-side frame source,
// so a frame requested on one tab while another tab's is still being
// drawn reaches the GPU process as a second, overlapping one. It treats
// that as a bad message ("Mojo error in GPU process: Received bad user
// message: Got overlapping IssueExternalBeginFrame", the DCHECK of
// viz::ExternalBeginFrameSourceMojo::IssueExternalBeginFrame) and dies
// with a CHECK failure (`trap int3` in the kernel log, exit code 5);
// after a few deaths in a row the browser gives up on its GPU process
// and exits (exit status 133 through Debian's wrapper script), taking
// every tab with it. Chromium's own guard ("Another frame is pending")
// is per tab, so parallel tabs, slow pages (frames wait for them) and
// Ctrl-C (frames abandoned by their caller) made it frequent.
//
// The request runs on the lane's own context, so it is answered (and
// the gate opened for the next one) even when ctx, the caller's, ends
// first. A request made while a frame is in flight waits for it, within
// ctx.
func (l *lane) beginFrame(ctx context.Context, p headlessexperimental.BeginFrameParams) (headlessexperimental.BeginFrameResult, error) {
	for {
		ch, pending := l.startFrame(p)
		if ch != nil {
			select {
			case a := <-ch:
				return a.r, a.err
			case <-ctx.Done():
				return headlessexperimental.BeginFrameResult{}, ctx.Err()
			}
		}
		select {
		case <-pending:
		case <-ctx.Done():
			return headlessexperimental.BeginFrameResult{}, ctx.Err()
		}
	}
}

type frameAnswer struct {
	r   headlessexperimental.BeginFrameResult
	err error
}

// startFrame sends a beginFrame when none is in flight in the browser
// and returns the channel its answer comes on; otherwise it returns nil
// and the channel closed when the frame in flight is answered.
func (l *lane) startFrame(p headlessexperimental.BeginFrameParams) (<-chan frameAnswer, <-chan struct{}) {
	g := l.frames
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.done != nil {
		return nil, g.done
	}
	done := make(chan struct{})
	g.done, g.owner = done, l
	ch := make(chan frameAnswer, 1)
	go func() {
		r, err := chromedp.Call(l.ctx, headlessexperimental.BeginFrame, p)
		g.mu.Lock()
		g.done, g.owner = nil, nil
		g.mu.Unlock()
		close(done)
		ch <- frameAnswer{r, err}
	}()
	return ch, nil
}

// frameSettled waits, up to d, until no frame of the lane's is in
// flight, and reports whether none is.
func (l *lane) frameSettled(d time.Duration) bool {
	g := l.frames
	g.mu.Lock()
	pending := g.done
	mine := g.owner == l
	g.mu.Unlock()
	if pending == nil || !mine {
		return true
	}
	select {
	case <-pending:
		return true
	case <-time.After(d):
		return false
	}
}

// RequiredFlags are the Chromium flags every run uses, beyond chromedp's
// defaults (which already disable background networking, sync,
// extensions, default apps and the first-run UI).
var RequiredFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--no-first-run", "--disable-default-apps", "--disable-extensions",
	"--metrics-recording-only", "--disable-domain-reliability", "--no-pings",
	// Device admins use self-signed certificates; mfpfleet pins each
	// device's certificate itself (trust on first use, see Browser.Open).
	"--ignore-certificate-errors",
}

// IsHeadlessShell reports whether exe is Chromium's old headless shell
// (Debian's chromium-headless-shell, Chrome's chrome-headless-shell),
// the only build that lets DevTools control when a tab draws a frame.
func IsHeadlessShell(exe string) bool {
	return strings.Contains(filepath.Base(exe), "headless-shell")
}

// NewBrowser starts Chromium with a fresh profile. ctx bounds only the
// start; the browser lives until Close (cancel the run by calling Close).
func NewBrowser(ctx context.Context, o BrowserOptions) (*Browser, error) {
	exe, err := findChromiumLogged(o.Path, o.Logger)
	if err != nil {
		return nil, err
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 5 * time.Second
	}
	lg := o.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	dir, err := os.MkdirTemp("", "mfpfleet-chromium-")
	if err != nil {
		return nil, fmt.Errorf("browser profile: %w", err)
	}
	b := &Browser{opts: o, log: lg, exe: exe, dataDir: dir, busy: map[string]int{},
		out: newOutputTail(256 << 10), dead: make(chan struct{})}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(dir),
		// Chromium's output, kept so that a crash explains itself
		// (its FATAL line, saved into the artifacts dir).
		chromedp.CombinedOutput(b.out),
		chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) {
			setProcAttr(cmd)
			b.mu.Lock()
			b.execCmd = cmd
			b.mu.Unlock()
		}),
	)
	for _, f := range RequiredFlags {
		opts = append(opts, flagOption(f))
	}
	if !o.SiteIsolation {
		opts = append(opts,
			chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,SitePerProcess,IsolateOrigins"),
			chromedp.Flag("disable-site-isolation-trials", true),
			// Without a limit Chromium starts a new renderer process
			// for nearly every navigation to another device (a new
			// site); with it, lanes keep the renderer they have. The
			// lanes' pages then share one renderer (they share a
			// browser context): measured, that is as fast as a
			// renderer per lane, since the run is CPU-bound either
			// way, and uses less memory (README, Performance).
			chromedp.Flag("renderer-process-limit", "1"))
	}
	frameless := !o.RenderFrames && IsHeadlessShell(exe)
	if frameless {
		opts = append(opts,
			chromedp.Flag("enable-begin-frame-control", true),
			// Needed for a screenshot from HeadlessExperimental.beginFrame.
			chromedp.Flag("run-all-compositor-stages-before-draw", true))
	}
	for _, f := range o.Flags {
		opts = append(opts, flagOption(f))
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.WithoutCancel(ctx), opts...)
	bctx, bcancel := chromedp.NewContext(allocCtx,
		chromedp.WithLogf(func(f string, a ...any) { lg.Debug(fmt.Sprintf(f, a...)) }),
		chromedp.WithErrorf(func(f string, a ...any) { lg.Debug("chromedp: " + fmt.Sprintf(f, a...)) }))
	b.ctx, b.cancel, b.allocEnd, b.frameless = bctx, bcancel, allocCancel, frameless
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(bctx) }() // starts Chromium, no deadline on this context
	select {
	case err = <-started:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err == nil {
		var res target.CreateBrowserContextResult
		res, err = chromedp.CallBrowser(bctx, target.CreateBrowserContext, target.CreateBrowserContextParams{DisposeOnDetach: new(true)})
		b.shared = res.BrowserContextID
	}
	if err != nil {
		b.Close()
		return nil, diedStarting(fmt.Errorf("start %s: %w", exe, err))
	}
	if c := chromedp.FromContext(bctx); c != nil && c.Browser != nil {
		if ea, ok := chromedp.FromContext(allocCtx).Allocator.(*chromedp.ExecAllocator); ok {
			go b.watch(c.Browser.LostConnection, ea)
		}
	}
	lg.Debug("chromium started", "path", exe, "site_isolation", o.SiteIsolation, "frames_on_demand", frameless)
	return b, nil
}

func flagOption(f string) chromedp.ExecAllocatorOption {
	f = strings.TrimLeft(f, "-")
	name, val, hasVal := strings.Cut(f, "=")
	if !hasVal {
		return chromedp.Flag(name, true)
	}
	return chromedp.Flag(name, val)
}

// Close stops Chromium and removes its profile. Safe to call twice.
func (b *Browser) Close() error {
	b.once.Do(func() {
		b.mu.Lock()
		b.closed = true
		idle := b.idle
		b.idle = nil
		b.mu.Unlock()
		for _, l := range idle {
			l.cancel()
		}
		b.cancel()
		b.allocEnd()
		select {
		case <-b.dead: // reported when it died
		default:
			b.reportQuietCrashes()
		}
		os.RemoveAll(b.dataDir)
	})
	return nil
}

// Path is the Chromium binary in use.
func (b *Browser) Path() string { return b.exe }

// CertStore remembers the HTTPS certificate fingerprint of each device
// address (trust on first use). *inventory.DB implements it.
// Fingerprints are SHA-256 of the DER certificate, lower-case hex.
type CertStore interface {
	// CertFingerprint returns the recorded fingerprint for address,
	// ok=false when none is recorded (first contact).
	CertFingerprint(ctx context.Context, address string) (fp string, ok bool, err error)
	// SetCertFingerprint records fp on first contact, or refreshes the
	// record when it matches. It need not replace a different one.
	SetCertFingerprint(ctx context.Context, address, fp string) error
	// AcceptNewCert replaces the recorded fingerprint (--accept-new-cert).
	AcceptNewCert(ctx context.Context, address, fp string) error
}

// CertMismatchRecorder is a CertStore that also records refused
// certificates for the audit.
type CertMismatchRecorder interface {
	RecordCertMismatch(ctx context.Context, address, fp string) error
}

// CertPolicy says how a device's certificate is trusted.
type CertPolicy struct {
	// Store pins fingerprints. nil: the certificate is accepted and only
	// reported (SessionInfo.CertSHA256); for probe, not for pushes.
	Store CertStore
	// AcceptNew accepts a changed certificate and records it
	// (--accept-new-cert ADDRESS).
	AcceptNew bool
}

// Target is a device to open a tab on.
type Target struct {
	// Address is the device's IP or host name, optionally host:port for an
	// HTTPS port other than 443.
	Address string
	Device  devices.Device
	// AllowHTTP permits plain HTTP when the device has no HTTPS (from
	// the site's allow_http).
	AllowHTTP bool
	// HTTPPort overrides port 80 for plain HTTP (tests); 0 = 80.
	HTTPPort int
	Certs    CertPolicy
	// Secrets are strings scrubbed from every artifact of this tab
	// (the admin and app passwords); sessions add the ones they type.
	Secrets []string
}

func hostOnly(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// Open checks how the device serves its web admin (HTTPS first, HTTP only
// if it has no HTTPS and t.AllowHTTP), pins its certificate per
// t.Certs, and opens a tab (a reused one when one is idle, see Browser).
// Errors: ErrCertChanged
// (never retried: the message names both fingerprints and
// --accept-new-cert), ErrNoHTTPS, ErrTransient when the device does not
// answer.
func (b *Browser) Open(ctx context.Context, t Target) (*Tab, error) {
	host := hostOnly(t.Address)
	httpsAddrs := []string{t.Address}
	httpPorts := []int{t.HTTPPort}
	if t.HTTPPort == 0 {
		httpPorts[0] = 80
	}
	if _, _, err := net.SplitHostPort(t.Address); err != nil {
		// No port given: the ports the device's family declares, in
		// order (a Canon iR-ADV: 443, 8443, then HTTP 8000, 80).
		httpsAddrs = []string{net.JoinHostPort(t.Address, "443")}
		if f, ok := FamilyOf(t.Device); ok {
			if len(f.HTTPSPorts) > 0 {
				httpsAddrs = httpsAddrs[:0]
				for _, p := range f.HTTPSPorts {
					httpsAddrs = append(httpsAddrs, net.JoinHostPort(t.Address, strconv.Itoa(p)))
				}
			}
			if len(f.HTTPPorts) > 0 && t.HTTPPort == 0 {
				httpPorts = f.HTTPPorts
			}
		}
	}
	tab := &Tab{b: b, target: t, address: host, log: b.log.With("device", host)}
	tab.secrets = append(tab.secrets, t.Secrets...)
	var fp, proto, httpsAddr string
	var err error
	for _, a := range httpsAddrs {
		httpsAddr = a
		if fp, proto, err = b.certOf(ctx, a); err == nil || !noTLS(err) {
			break
		}
	}
	switch {
	case err == nil:
		tab.base = "https://" + strings.TrimSuffix(httpsAddr, ":443")
		tab.certFP = fp
		tab.tlsVersion = proto
		if err := tab.pin(ctx); err != nil {
			return nil, err
		}
	case noTLS(err):
		if !t.AllowHTTP {
			return nil, fmt.Errorf("%s: open: nothing answers on HTTPS (%s): %w; if this device really has no HTTPS, set allow_http = true in its [[sites]] section of fleet.toml", host, strings.Join(httpsAddrs, ", "), ErrNoHTTPS)
		}
		var hp string
		var c net.Conn
		for _, port := range httpPorts {
			hp = net.JoinHostPort(host, fmt.Sprint(port))
			d := net.Dialer{Timeout: b.opts.DialTimeout}
			if c, err = d.DialContext(ctx, "tcp", hp); err == nil {
				break
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: open: neither HTTPS nor HTTP answers (%v): %w", host, err, ErrTransient)
		}
		c.Close()
		tab.base = "http://" + strings.TrimSuffix(hp, ":80")
		b.log.Warn("device has no HTTPS: using plain HTTP as allowed by fleet.toml", "device", host)
	case isHandshake(err):
		// HTTPS is there but unusable: never fall back to HTTP on that
		// (a broken handshake is also what a downgrade attack looks like).
		return nil, fmt.Errorf("%s: open: the HTTPS handshake fails (%v): the device's web server may only speak a TLS version or cipher that current browsers refuse: %w; update its firmware, or set it up by hand", host, err, ErrUnsupported)
	default:
		return nil, fmt.Errorf("%s: open: HTTPS does not answer (%v): %w; check the device is on and reachable", host, err, ErrTransient)
	}
	l, err := b.takeLane(ctx, host, tab.ownContext)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", host, err)
	}
	tab.lane = l
	tab.ctx, tab.cancel = context.WithCancel(l.ctx)
	return tab, nil
}

// takeLane returns an idle lane, or opens a new tab for host: in the
// shared browser context, or in one of its own when host already has a
// tab open or private is set (a newly accepted certificate: the shared
// context may hold connections made with the old one).
func (b *Browser) takeLane(ctx context.Context, host string, private bool) (*lane, error) {
	if ce := b.Crashed(); ce != nil {
		return nil, fmt.Errorf("open a browser tab: %w", ce)
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, fmt.Errorf("open a browser tab: the browser is closed: %w", ErrTransient)
	}
	private = private || b.busy[host] > 0
	b.busy[host]++
	if n := len(b.idle); n > 0 && !private {
		l := b.idle[n-1]
		b.idle = b.idle[:n-1]
		b.mu.Unlock()
		return l, nil
	}
	b.lanes++
	b.mu.Unlock()
	l, err := b.newLane(ctx, private)
	if err != nil {
		b.mu.Lock()
		b.busy[host]--
		b.mu.Unlock()
		if ce := b.crashed(err); ce != nil {
			return nil, fmt.Errorf("open a browser tab: %w", ce)
		}
	}
	return l, err
}

func (b *Browser) newLane(ctx context.Context, private bool) (*lane, error) {
	opt := chromedp.WithExistingBrowserContext(b.shared)
	frameless := b.frameless && !private
	var created target.ID
	if private {
		opt = chromedp.WithNewBrowserContext()
	} else if frameless {
		// Frame control is set when a tab is created: create it here
		// and let chromedp attach to it (and close it with the lane).
		res, err := chromedp.CallBrowser(b.ctx, target.CreateTarget, target.CreateTargetParams{
			URL: "about:blank", BrowserContextID: b.shared, NewWindow: new(true), EnableBeginFrameControl: new(true)})
		if err != nil {
			return nil, fmt.Errorf("open a browser tab: %v: %w", err, ErrTransient)
		}
		created = res.TargetID
		opt = chromedp.WithTargetID(created)
	}
	lctx, cancel := chromedp.NewContext(b.ctx, opt)
	l := &lane{ctx: lctx, cancel: cancel, private: private, frameless: frameless, frames: &b.frames}
	// The first call creates the browser context and the tab (or, for
	// a tab created above, attaches to it); its context must be the lane's own (a derived one with a deadline
	// would close the tab when it ends).
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	if err := chromedp.Do(lctx); err != nil {
		cancel()
		if created != "" {
			// Not attached, so chromedp does not close the tab.
			_, _ = chromedp.CallBrowser(b.ctx, target.CloseTarget, target.CloseTargetParams{TargetID: created})
		}
		return nil, fmt.Errorf("open a browser tab: %v: %w", err, ErrTransient)
	}
	// No favicon requests: with HTTP Basic, each one would be another
	// login attempt the device counts.
	if _, err := chromedp.Call(lctx, network.SetBlockedURLs, network.SetBlockedURLsParams{
		URLPatterns: []*network.BlockPattern{{URLPattern: "*://*:*/favicon.ico", Block: true}}}); err != nil {
		cancel()
		return nil, fmt.Errorf("set up the browser tab: %v: %w", err, ErrTransient)
	}
	// chromedp turns on the DOM and CSS agents for its node-based
	// actions (selectors, Poll) and fetches the whole document after
	// every load; the renderer then reports every DOM change of a
	// script-driven admin page. The drivers read and fill pages with
	// script evaluations only, so both agents are turned off: measured,
	// 7 % less CPU per device (README, Performance). chromedp's node
	// actions do not work on these tabs.
	for _, disable := range []cdp.Command[cdp.Empty, cdp.Empty]{dom.Disable, css.Disable} {
		if _, err := chromedp.Call(lctx, disable, cdp.Empty{}); err != nil {
			cancel()
			return nil, fmt.Errorf("set up the browser tab: %v: %w", err, ErrTransient)
		}
	}
	return l, nil
}

// releaseLane wipes a lane for the next device: the device's cookies,
// the page's session and local storage, the tab's extra headers (HTTP
// Basic) and the page itself. A lane that cannot be wiped, a private
// one, or one whose tab saw an error (reusable false), is closed.
func (b *Browser) releaseLane(l *lane, host, base string, reusable bool) {
	b.mu.Lock()
	if b.busy[host]--; b.busy[host] <= 0 {
		delete(b.busy, host)
	}
	b.mu.Unlock()
	keep := reusable && !l.private
	if keep && !l.frameSettled(5*time.Second) {
		// A frame Chromium has not drawn yet would overlap the next
		// device's first one: the lane is closed instead.
		b.log.Debug("browser tab not reused: a frame is still being drawn")
		keep = false
	}
	if keep {
		c, cancel := context.WithTimeout(l.ctx, 5*time.Second)
		err := b.wipe(c, base)
		cancel()
		if err != nil {
			b.log.Debug("browser tab not reused", "err", err)
			keep = false
		}
	}
	b.mu.Lock()
	if keep && !b.closed {
		b.idle = append(b.idle, l)
		b.mu.Unlock()
		return
	}
	b.mu.Unlock()
	l.cancel()
}

// wipe removes what a device session left in a lane's tab.
func (b *Browser) wipe(c context.Context, base string) error {
	if base != "" {
		res, err := chromedp.Call(c, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
		if err != nil {
			return err
		}
		for _, ck := range res.Cookies {
			if _, err := chromedp.Call(c, network.DeleteCookies, network.DeleteCookiesParams{Name: ck.Name, Domain: ck.Domain, Path: ck.Path}); err != nil {
				return err
			}
		}
	}
	if err := chromedp.Do(c, chromedp.Evaluate[chromedp.Void](`try { sessionStorage.clear(); localStorage.clear(); } catch (e) {}`)); err != nil {
		return err
	}
	if err := clearHeaders(c); err != nil {
		return err
	}
	return chromedp.Do(c, chromedp.Navigate("about:blank"))
}

// LanesOpened is how many browser contexts (tabs) the browser has
// opened so far; with reuse it stays at the number of parallel tabs.
func (b *Browser) LanesOpened() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lanes
}

// isHandshake reports whether a TLS dial reached a TLS server that
// refused the handshake (protocol version, ciphers).
func isHandshake(err error) bool {
	var ae tls.AlertError
	return errors.As(err, &ae) || strings.Contains(err.Error(), "tls: ") && !strings.Contains(err.Error(), "timeout")
}

// noTLS reports whether a TLS dial failed because nothing serves TLS
// there (connection refused, or a plain-HTTP server answering).
func noTLS(err error) bool {
	var rh tls.RecordHeaderError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &rh)
}

// certOf dials the device over TLS and returns the leaf certificate's
// SHA-256 fingerprint and the negotiated TLS version.
func (b *Browser) certOf(ctx context.Context, addr string) (string, string, error) {
	d := tls.Dialer{NetDialer: &net.Dialer{Timeout: b.opts.DialTimeout}, Config: &tls.Config{
		InsecureSkipVerify: true, // trust on first use: the fingerprint is checked by pin
		// What Chromium accepts: a device it cannot talk to is reported
		// here, before a tab is opened.
		MinVersion: tls.VersionTLS12,
	}}
	dctx, cancel := context.WithTimeout(ctx, b.opts.DialTimeout)
	defer cancel()
	c, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return "", "", err
	}
	defer c.Close()
	st := c.(*tls.Conn).ConnectionState()
	if len(st.PeerCertificates) == 0 {
		return "", "", errors.New("no certificate presented")
	}
	return Fingerprint(st.PeerCertificates[0].Raw), tls.VersionName(st.Version), nil
}

// Fingerprint is the lower-case hex SHA-256 of a DER certificate.
func Fingerprint(der []byte) string {
	s := sha256.Sum256(der)
	return hex.EncodeToString(s[:])
}

// FormatFingerprint writes fp as colon-separated upper-case pairs, the
// way browsers show it.
func FormatFingerprint(fp string) string {
	var parts []string
	for i := 0; i+2 <= len(fp); i += 2 {
		parts = append(parts, strings.ToUpper(fp[i:i+2]))
	}
	return strings.Join(parts, ":")
}
