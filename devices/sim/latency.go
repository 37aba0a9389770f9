package sim

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Latency profiles FleetOptions.Latency and mfpsim's --latency accept.
const (
	LatencyNone      = "none"      // answer at loopback speed (the default)
	LatencyRealistic = "realistic" // RealisticLatency: real device speed
)

// LogNormal is a long-tailed delay: log-normally distributed around
// Median with shape Sigma (the standard deviation of its logarithm),
// never more than Max. A zero Median means no delay.
//
// With Sigma 0.5, 5 % of draws exceed 2.3× the median and 1 % 3.2×;
// with Sigma 0.8, 3.7× and 6.4×.
type LogNormal struct {
	Median time.Duration
	Sigma  float64
	Max    time.Duration
}

// Draw returns one delay from the distribution using r.
func (l LogNormal) Draw(r *rand.Rand) time.Duration {
	if l.Median <= 0 {
		return 0
	}
	d := time.Duration(float64(l.Median) * math.Exp(l.Sigma*r.NormFloat64()))
	if l.Max > 0 && d > l.Max {
		d = l.Max
	}
	return d
}

func (l LogNormal) String() string {
	if l.Median <= 0 {
		return "0"
	}
	return fmt.Sprintf("median %v σ %.1f max %v", l.Median, l.Sigma, l.Max)
}

// Latency is how fast one device family answers: every web response is
// delayed by a draw from one of its distributions before the device
// handles it, and a delivered e-mail reaches the mailbox a draw of Mail
// after the device's SMTP conversation ended. It composes with Faults
// (Faults.Slow is added on top; a rebooting device still hangs up at
// once).
type Latency struct {
	// Page: a page or an API call (GET, and a login POST).
	Page LogNormal
	// Asset: a script, style sheet or image a page pulls in.
	Asset LogNormal
	// Save: a POST that changes settings or starts the test e-mail.
	Save LogNormal
	// Mail: from the device's finished SMTP conversation to the message
	// being in the mailbox (the device's queue and Gmail's delivery).
	Mail LogNormal
	// Seed makes a device's draws reproducible: with the same Seed, the
	// n-th request to a device gets the same delay in every run.
	Seed uint64
}

// Zero reports whether l delays nothing.
func (l Latency) Zero() bool {
	return l.Page.Median <= 0 && l.Asset.Median <= 0 && l.Save.Median <= 0 && l.Mail.Median <= 0
}

// LongTail is a log-normal delay around median (sigma its spread),
// capped at ten medians: what a family's WebAdmin.Latency is made of.
func LongTail(median time.Duration, sigma float64) LogNormal {
	return LogNormal{Median: median, Sigma: sigma, Max: 10 * median}
}

// RealisticLatency is the per-family speed of real devices, seeded. The
// figures (README, "Simulated device speed") come from what the vendors'
// embedded web servers are known to do on real networks:
//
//   - ConnectKey (AltaLink, WorkCentre): a PHP admin on the device's
//     embedded Linux, one server-rendered page per click: pages about
//     1 s (σ 0.5, so one in twenty takes over 2.3 s); saves about 2.5 s
//     (σ 0.6): applying network settings restarts a service before the
//     device answers; the test e-mail is sent before the page returns.
//   - VersaLink: a single-page app over a JSON API: the app shell about
//     1.5 s, each API call about 0.6 s, saves about 2 s.
//   - Fuji-Xerox-made (EWS-NIC): older, slower firmware: pages about
//     1.2 s (σ 0.6), saves about 4 s (σ 0.6; the network stack is
//     reinitialised).
//
// For every family the test message reaches the mailbox about 8 s after
// the device sent it (σ 0.8: one in twenty after 30 s, capped at 90 s):
// the device's outgoing queue plus Gmail's delivery into the inbox,
// which is seconds to tens of seconds. Every draw is capped at ten
// medians (90 s for mail) so a run's length stays bounded.
func RealisticLatency(seed uint64) map[string]Latency {
	ln := LongTail
	mail := LogNormal{Median: 8 * time.Second, Sigma: 0.8, Max: 90 * time.Second}
	asset := ln(150*time.Millisecond, 0.5)
	out := map[string]Latency{}
	for _, f := range WebFamilies() {
		w, _ := LookupWebAdmin(f)
		l := w.Latency
		if l.Zero() {
			// A family that declares none: a second a page, 2.5 s a save.
			l = Latency{Page: ln(time.Second, 0.5), Asset: asset, Save: ln(2500*time.Millisecond, 0.6)}
		}
		if l.Mail.Median == 0 {
			l.Mail = mail
		}
		l.Seed = seed
		out[f] = l
	}
	return out
}

// LatencyProfile returns the per-family latencies for a profile name
// (LatencyNone or LatencyRealistic); nil for none.
func LatencyProfile(name string, seed uint64) (map[string]Latency, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", LatencyNone:
		return nil, nil
	case LatencyRealistic:
		return RealisticLatency(seed), nil
	}
	return nil, fmt.Errorf("latency profile %q: use %q (real device speed) or %q", name, LatencyRealistic, LatencyNone)
}

// MailDelayHeader carries a test message's delivery delay from a device
// with a Latency to the Gmail stand-in (see StartFleet), in
// milliseconds. Simulator-only: no real device writes it.
const MailDelayHeader = "X-Mfpsim-Deliver-After-Ms"

// latencyState draws one device's delays in order.
type latencyState struct {
	l  Latency
	mu sync.Mutex
	r  *rand.Rand
}

func newLatencyState(l Latency, serial string) *latencyState {
	h := fnv.New64a()
	h.Write([]byte(serial))
	return &latencyState{l: l, r: rand.New(rand.NewPCG(l.Seed, h.Sum64()))}
}

func (s *latencyState) draw(d LogNormal) time.Duration {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return d.Draw(s.r)
}

// requestDelay is the delay for one web request.
func (s *latencyState) requestDelay(r *http.Request) time.Duration {
	if s == nil {
		return 0
	}
	return s.draw(s.classify(r))
}

func (s *latencyState) classify(r *http.Request) LogNormal {
	p := strings.ToLower(r.URL.Path)
	switch {
	case r.Method == http.MethodPost && !isLoginPath(p):
		return s.l.Save
	case r.Method == http.MethodGet && isAsset(p):
		return s.l.Asset
	}
	return s.l.Page
}

func isLoginPath(p string) bool {
	return strings.Contains(p, "login") || strings.Contains(p, "logout") || strings.HasPrefix(p, "/userpost/")
}

func isAsset(p string) bool {
	for _, ext := range []string{".js", ".css", ".png", ".gif", ".jpg", ".svg", ".ico", ".woff", ".woff2"} {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}
