package rollout_test

// Shared helpers of the push/test/rotate tests. Identifiers start with
// "push" so they cannot collide with other test files of the package.
// Addresses: 127.0.60.0 – 127.0.69.255 (this package's test block).

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/netip"
	"os"

	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	_ "github.com/mfpfleet/mfpfleet/drivers/all"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

// pushResolverFlag keeps Chromium's DNS on the box.
const pushResolverFlag = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.*"

// pushNeedChromium skips (or fails under MFPFLEET_REQUIRE_PEERS=1) when
// Chromium is missing.
func pushNeedChromium(t testing.TB) {
	t.Helper()
	_, err := drivers.FindChromium("")
	if err == nil {
		return
	}
	if os.Getenv("MFPFLEET_REQUIRE_PEERS") == "1" {
		t.Fatalf("chromium required (MFPFLEET_REQUIRE_PEERS=1): %v", err)
	}
	t.Skip(err)
}

// pushSyncBuffer is a log sink safe for concurrent writers.
type pushSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *pushSyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *pushSyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// pushEnv is a simulated fleet with its Gmail stand-in, the fleet.toml it
// wrote, and an inventory that knows every device.
type pushEnv struct {
	fleet  *sim.Fleet
	cfg    *config.Config
	db     *inventory.DB
	pw     gmail.AppPassword
	dir    string
	logs   *pushSyncBuffer
	logger *slog.Logger
}

// newPushEnv starts count Xerox devices from base (consecutive
// addresses, HTTPS on 443, no plain HTTP) and records them in a fresh
// inventory in site "simulated".
func newPushEnv(t *testing.T, base string, count int, fo sim.FleetOptions) *pushEnv {
	t.Helper()
	pushNeedChromium(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	fo.Base = netip.MustParseAddr(base)
	fo.Count = count
	if fo.Vendors == nil {
		fo.Vendors = []string{"xerox"}
	}
	fo.StateDir = filepath.Join(dir, "state")
	fo.NoHTTP = true
	fo.SNMPPort = -1
	if !fo.GmailAddr.IsValid() {
		fo.GmailAddr = netip.MustParseAddr("127.0.69.1")
	}
	logs := &pushSyncBuffer{}
	lg := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	fo.Logger = lg.With("component", "sim")
	f, err := sim.StartFleet(ctx, fo)
	if err != nil {
		t.Fatalf("start fleet: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	cfg, err := config.Load(f.ConfigPath)
	if err != nil {
		t.Fatalf("load %s: %v", f.ConfigPath, err)
	}
	cfg.Browser.Flags = append(cfg.Browser.Flags, pushResolverFlag)
	cfg.Rollout.ArtifactsDir = filepath.Join(dir, "artifacts")
	db, err := inventory.Open(ctx, cfg.Inventory.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	for _, d := range f.Devices {
		id := d.Identity
		id.Site = "simulated"
		if _, _, err := db.UpsertDevice(ctx, id, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	pw, err := gmail.NormalizeAppPassword(f.AppPassword.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() && os.Getenv("MFPFLEET_TEST_DEBUG") != "" {
			out := logs.String()
			if len(out) > 20000 {
				out = out[len(out)-20000:]
			}
			t.Logf("logs (tail):\n%s", out)
		}
	})
	return &pushEnv{fleet: f, cfg: cfg, db: db, pw: pw, dir: dir, logs: logs, logger: lg}
}

// options are fast settings for two cores.
func (e *pushEnv) options() rollout.Options {
	return rollout.Options{
		Config: e.cfg, DB: e.db, AppPassword: e.pw,
		Parallel: 3, Retries: 2, StepTimeout: 20 * time.Second, ConfirmTimeout: 20 * time.Second,
		Backoff: 300 * time.Millisecond, ConfirmPoll: 100 * time.Millisecond,
		Logger: e.logger.With("component", "rollout"),
	}
}

// addr is the i-th device's address (0-based).
func (e *pushEnv) addr(i int) string { return e.fleet.Devices[i].Addr.String() }

// web is the i-th device's simulated web admin.
func (e *pushEnv) web(i int) *sim.Device { return e.fleet.Devices[i].Web }

// deviceID is the inventory ID of the i-th device.
func (e *pushEnv) deviceID(t *testing.T, i int) int64 {
	t.Helper()
	d, err := e.db.FindDevice(context.Background(), e.addr(i))
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// testMessages counts the stand-in's messages to device serial's
// plus-addresses.
func (e *pushEnv) testMessages(serial string) int {
	n := 0
	tag := "+mfp-" + strings.ToLower(serial) + "-"
	for _, m := range e.fleet.Gmail.Messages() {
		for _, r := range m.Rcpt {
			if strings.Contains(strings.ToLower(r), tag) {
				n++
				break
			}
		}
	}
	return n
}

// testJobs counts the device's "Test Email" jobs.
func pushTestJobs(d *sim.Device) int {
	n := 0
	for _, j := range d.Jobs() {
		if strings.Contains(strings.ToLower(j.Name), "test") {
			n++
		}
	}
	return n
}

// byIP indexes a summary's device results.
func pushByIP(s rollout.Summary) map[string]rollout.DeviceResult {
	m := map[string]rollout.DeviceResult{}
	for _, d := range s.Devices {
		m[d.IP] = d
	}
	return m
}

func pushJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// pushEvents collects progress events.
type pushEvents struct {
	mu  sync.Mutex
	evs []rollout.Event
	on  func(rollout.Event)
}

func (p *pushEvents) add(ev rollout.Event) {
	p.mu.Lock()
	p.evs = append(p.evs, ev)
	on := p.on
	p.mu.Unlock()
	if on != nil {
		on(ev)
	}
}

func (p *pushEvents) all() []rollout.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]rollout.Event(nil), p.evs...)
}

func gmailPassword(s string) (gmail.AppPassword, error) { return gmail.NormalizeAppPassword(s) }
