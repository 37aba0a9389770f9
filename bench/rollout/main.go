//go:build linux

// Command rollout benchmarks provisioning throughput for
// bench/rollout/run.sh: the simulator's web admins (every catalogue
// model whose web-admin family a registered driver drives; a model its
// driver declines is left out; 48 by default, -devices 50,500 for fleets of other sizes) pushed by
// rollout.Push with confirmation on, at several --parallel levels
// (numbers or auto), at loopback speed or at real devices' speed
// (-latency realistic: sim.RealisticLatency). It reports devices per
// minute, the peak memory of the pushing process tree (the push process
// and its Chromium, summed PSS and RSS sampled from /proc every 100 ms),
// CPU, and the load average around each run; medians over the runs.
//
// Three roles, one binary:
//
//	rollout                 the orchestrator: starts the simulator child,
//	                        then one push child per run, samples its tree
//	rollout -role sim       the fleet and the Gmail stand-in (own process,
//	                        so its memory is not counted)
//	rollout -role push      discover (SNMP) into a fresh inventory, then
//	                        one rollout.Push; prints the Summary as JSON
//
// Every address is in 127.0.70.0 – 127.0.72.255 (loopback).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/devices/sim"
	"github.com/mfpfleet/mfpfleet/drivers"
	_ "github.com/mfpfleet/mfpfleet/drivers/all"
	"github.com/mfpfleet/mfpfleet/gmail"
	"github.com/mfpfleet/mfpfleet/inventory"
	"github.com/mfpfleet/mfpfleet/rollout"
)

const (
	fleetBase = "127.0.70.1"
	gmailAddr = "127.0.76.250"
)

// pushable reports whether a simulated model serves a web admin that a
// driver pushes to (not declined).
func pushable(m sim.Model) bool {
	if m.ServedFamily() == "" {
		return false
	}
	_, err := drivers.For(devices.Device{Vendor: m.Vendor, Brand: m.Brand, Model: m.Model, Family: m.Family})
	return err == nil
}

// cycle is the catalogue models a fleet of webVendors cycles through
// (the simulator's order).
func cycle() []sim.Model {
	ms, err := sim.FilterCatalog(webVendors)
	if err != nil {
		panic(err)
	}
	return ms
}

// fleetCount is the simulated fleet for n devices with a web admin:
// devices cycle through webVendors' models, some of which a driver
// declines (not selected), so the fleet is larger than n.
func fleetCount(n int) int {
	ms := cycle()
	count, web := 0, 0
	for web < n {
		if pushable(ms[count%len(ms)]) {
			web++
		}
		count++
	}
	return count
}

// webCount is how many devices of a fleet of count have a web admin.
func webCount(count int) int {
	ms := cycle()
	web := 0
	for i := range count {
		if pushable(ms[i%len(ms)]) {
			web++
		}
	}
	return web
}

// webVendors are the simulated vendors whose devices serve a web admin
// (-vendor narrows it to one).
var webVendors = func() []string {
	var out []string
	for _, m := range sim.Catalog {
		if m.ServedFamily() != "" && !slices.Contains(out, m.Vendor) {
			out = append(out, m.Vendor)
		}
	}
	return out
}()

// webModelsOf lists the models of webVendors a driver pushes to.
func webModelsOf() []string {
	var out []string
	for _, m := range sim.Catalog {
		if slices.Contains(webVendors, m.Vendor) && pushable(m) && !slices.Contains(out, m.Model) {
			out = append(out, m.Model)
		}
	}
	return out
}

// webModels selects the devices with a web admin to push to.
var webModels = webModelsOf()

func main() {
	var (
		role      = flag.String("role", "", "internal: sim or push")
		state     = flag.String("state", "", "state folder (default: a temporary one)")
		levels    = flag.String("parallel", "1,2,4,8", "parallel levels, comma-separated (a number or auto)")
		runs      = flag.Int("runs", 3, "runs per level")
		parallel  = flag.String("p", "4", "push role: workers (a number or auto)")
		sizes     = flag.String("devices", "48", "fleet sizes (devices with a web admin), comma-separated: each gets its own simulator")
		count     = flag.Int("count", 54, "sim role: simulated devices")
		latency   = flag.String("latency", "none", "device speed: none or realistic (mfpsim --latency)")
		seed      = flag.Uint64("seed", 1, "seed of the latency model")
		tabsPer   = flag.Int("tabs-per-browser", 0, "another Chromium for every N tabs (0: one)")
		frames    = flag.Bool("render-frames", false, "[browser] render_frames: draw frames all the time")
		vendor    = flag.String("vendor", "", "only this vendor's models (a simulator vendor slug: xerox, hp, ricoh, …; default: every vendor with a web admin)")
		models    = flag.String("models", "", "only these models, comma-separated substrings (e.g. C8045; default: all 48 with a web admin)")
		dbPath    = flag.String("db", "", "push role: inventory file")
		siteIso   = flag.Bool("site-isolation", false, "keep Chromium's site isolation (slower)")
		poll      = flag.Duration("confirm-poll", 250*time.Millisecond, "first wait between mailbox searches")
		debug     = flag.Bool("debug", false, "debug logs on stderr")
		flags     = flag.String("chromium-flags", "", "extra Chromium flags, space-separated (tuning experiments)")
		chromium  = flag.String("chromium", "", "Chromium binary (fleet.toml [browser] path; default: the headless shell, else chromium, on PATH)")
		cpuProf   = flag.String("cpuprofile", "", "push role: write the pushing process's CPU profile here (go tool pprof)")
		startOnly = flag.Bool("sim-only", false, "start the simulator and wait (for manual runs)")
	)
	flag.Parse()
	benchRenderFrames = *frames
	if *vendor != "" {
		if !slices.Contains(webVendors, *vendor) {
			fmt.Fprintf(os.Stderr, "bench/rollout: -vendor %q: the simulator's vendors with a web admin are %s\n", *vendor, strings.Join(webVendors, ", "))
			os.Exit(2)
		}
		webVendors, benchVendor = []string{*vendor}, *vendor
		webModels = webModelsOf()
	}
	chromiumPath = *chromium
	if *models != "" {
		webModels = strings.Split(*models, ",")
	}
	lvl := slog.LevelWarn
	if *debug {
		lvl = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch *role {
	case "sim":
		err = runSim(ctx, *state, *count, *latency, *seed, log)
	case "push":
		if *cpuProf != "" {
			f, perr := os.Create(*cpuProf)
			if perr != nil {
				fmt.Fprintln(os.Stderr, "bench/rollout:", perr)
				os.Exit(1)
			}
			defer f.Close()
			if perr := pprof.StartCPUProfile(f); perr != nil {
				fmt.Fprintln(os.Stderr, "bench/rollout:", perr)
				os.Exit(1)
			}
			defer pprof.StopCPUProfile()
		}
		var p int
		if p, err = parseLevel(*parallel); err == nil {
			err = runPush(ctx, *state, *dbPath, p, *tabsPer, *siteIso, *poll, strings.Fields(*flags), log)
		}
	case "":
		benchLatency, benchSeed, benchTabsPer = *latency, *seed, *tabsPer
		for _, sz := range strings.Split(*sizes, ",") {
			n, aerr := strconv.Atoi(strings.TrimSpace(sz))
			if aerr != nil || n < 1 {
				err = fmt.Errorf("-devices: %q is not a number", sz)
				break
			}
			if err = orchestrate(ctx, *state, fleetCount(n), *levels, *runs, *siteIso, *poll, *debug, *startOnly, *flags); err != nil {
				break
			}
		}
	default:
		err = fmt.Errorf("unknown role %q", *role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/rollout:", err)
		os.Exit(1)
	}
}

// Orchestrator settings passed on to each child.
var (
	benchLatency string
	benchSeed    uint64
	benchTabsPer int
	// benchVendor is -vendor (both roles).
	benchVendor string
	// benchRenderFrames is -render-frames (both roles).
	benchRenderFrames bool
)

// parseLevel reads a --parallel level: a number or auto.
func parseLevel(v string) (int, error) {
	if strings.EqualFold(strings.TrimSpace(v), "auto") {
		return rollout.ParallelAuto, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("-parallel: %q is not a number or auto", v)
	}
	return n, nil
}

// runSim starts the fleet, writes its state and says "ready".
func runSim(ctx context.Context, state string, fleetCount int, latency string, seed uint64, log *slog.Logger) error {
	lat, err := sim.LatencyProfile(latency, seed)
	if err != nil {
		return err
	}
	// The pre-2017 WorkCentre 7556 speaks TLS 1.0 only and cannot reach
	// Gmail; give the benchmark's ones updated firmware.
	tls := map[netip.Addr]string{}
	plan, err := sim.PlanSNMPFleet(sim.SNMPFleetConfig{Base: netip.MustParseAddr(fleetBase), Count: fleetCount, Vendors: webVendors})
	if err != nil {
		return err
	}
	for _, d := range plan {
		if d.Model.SMTPTLS == sim.SMTPTLS10 {
			tls[d.Addr] = sim.SMTPTLS12
		}
	}
	f, err := sim.StartFleet(ctx, sim.FleetOptions{
		Base: netip.MustParseAddr(fleetBase), Count: fleetCount, Vendors: webVendors,
		StateDir: state, NoHTTP: true, GmailAddr: netip.MustParseAddr(gmailAddr), SMTPTLS: tls,
		LockoutAfter: -1, Latency: lat, Logger: log,
	})
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Println("ready")
	<-ctx.Done()
	return nil
}

// chromiumPath is the -chromium flag, passed on to each push run.
var chromiumPath string

// runPush discovers the fleet into a fresh inventory and pushes once.
func runPush(ctx context.Context, state, dbPath string, parallel, tabsPer int, siteIso bool, poll time.Duration, flags []string, log *slog.Logger) error {
	cfg, err := config.Load(filepath.Join(state, sim.FleetConfigFile))
	if err != nil {
		return err
	}
	cfg.Inventory.Path = dbPath
	cfg.Browser.Flags = append(cfg.Browser.Flags, "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.*")
	cfg.Browser.SiteIsolation = siteIso
	cfg.Browser.RenderFrames = benchRenderFrames
	cfg.Browser.Path = chromiumPath
	cfg.Browser.Flags = append(cfg.Browser.Flags, flags...)
	cfg.Rollout.ArtifactsDir = filepath.Join(filepath.Dir(dbPath), "artifacts")
	pw, err := gmail.ReadAppPassword(ctx, gmail.PasswordSource{File: filepath.Join(state, sim.AppPasswordFile)})
	if err != nil {
		return err
	}
	db, err := inventory.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := rollout.Discover(ctx, db, cfg, rollout.DiscoverOptions{Retries: -1, Logger: log}); err != nil {
		return fmt.Errorf("discover: %w", err)
	}
	if parallel == rollout.ParallelAuto {
		parallel = rollout.MachineParallel()
	}
	fmt.Fprintf(os.Stderr, "push-start %d\n", parallel)
	sum, err := rollout.Push(ctx, rollout.Options{
		Config: cfg, DB: db, AppPassword: pw, Select: rollout.Selector{Models: webModels},
		Parallel: parallel, TabsPerBrowser: tabsPer, ConfirmPoll: poll, Logger: log,
	})
	if b, jerr := json.Marshal(sum); jerr == nil {
		fmt.Println(string(b))
	}
	stepStats(db, sum.RunID)
	return err
}

// stepStats prints, on stderr, the mean and maximum duration of each
// step of the run, to see where the time goes.
func stepStats(db *inventory.DB, runID int64) {
	steps, err := db.Steps(context.Background(), runID, 0)
	if err != nil {
		return
	}
	type agg struct {
		n        int
		sum, max time.Duration
	}
	by := map[string]*agg{}
	var order []string
	for _, s := range steps {
		a := by[s.Step]
		if a == nil {
			a = &agg{}
			by[s.Step] = a
			order = append(order, s.Step)
		}
		a.n++
		a.sum += s.Duration
		a.max = max(a.max, s.Duration)
	}
	var parts []string
	for _, k := range order {
		a := by[k]
		parts = append(parts, fmt.Sprintf("%s %d× mean %v max %v", k, a.n, (a.sum/time.Duration(a.n)).Round(time.Millisecond), a.max.Round(time.Millisecond)))
	}
	fmt.Fprintln(os.Stderr, "  steps: "+strings.Join(parts, "; "))
}

// sample is one run's figures.
type sample struct {
	level              string // "16", "auto=64"
	load0, load1       string // 1-minute load average at the start and end
	devices, failed    int
	seconds            float64
	perMinute          float64
	peakPSS, peakRSS   int64 // bytes
	confirmed, unconfd int
	ctested            int // connection-tested: the families without a test e-mail
	// CPU seconds: the push process tree (push + Chromium, from wait4's
	// rusage), the push process alone, and the simulator meanwhile.
	cpuTree, cpuPush, cpuSim float64
	// CPU seconds the whole machine was busy during the push (every
	// process: Chromium's renderers are not all in the tree's rusage,
	// the zygote reaps them), and that as a share of all cores.
	cpuMachine, busyShare float64
	// cpuSampled: the CPU seconds of every process of the push tree
	// (Chromium's included), from /proc every 100 ms.
	cpuSampled float64
}

func orchestrate(ctx context.Context, state string, fleetCount int, levels string, runs int, siteIso bool, poll time.Duration, debug, simOnly bool, flags string) error {
	if state != "" {
		state = filepath.Join(state, fmt.Sprintf("fleet-%d", fleetCount))
		if err := os.MkdirAll(state, 0o700); err != nil {
			return err
		}
	} else {
		d, err := os.MkdirTemp("", "bench-rollout-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		state = d
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	simCmd := exec.CommandContext(ctx, self, "-role", "sim", "-state", state, "-count", strconv.Itoa(fleetCount),
		"-latency", benchLatency, "-seed", strconv.FormatUint(benchSeed, 10), "-vendor", benchVendor)
	simCmd.Stderr = os.Stderr
	out, err := simCmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := simCmd.Start(); err != nil {
		return err
	}
	defer func() { _ = simCmd.Process.Signal(syscall.SIGTERM); _ = simCmd.Wait() }()
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			return fmt.Errorf("the simulator did not start")
		}
	case <-time.After(5 * time.Minute):
		return fmt.Errorf("the simulator did not start within 5 minutes")
	}
	fmt.Printf("simulator ready: %d devices from %s (%d with a web admin), latency %s (seed %d), state %s\n", fleetCount, fleetBase, webCount(fleetCount), benchLatency, benchSeed, state)
	if simOnly {
		<-ctx.Done()
		return nil
	}
	var ps []string
	for _, s := range strings.Split(levels, ",") {
		if _, err := parseLevel(s); err != nil {
			return err
		}
		ps = append(ps, strings.TrimSpace(s))
	}
	fmt.Printf("%-8s %-4s %8s %9s %10s %12s %12s %s\n", "parallel", "run", "devices", "seconds", "dev/min", "peak PSS", "peak RSS", "confirmed/unconfirmed/conn-tested/failed")
	results := map[string][]sample{}
	for _, p := range ps {
		for r := 1; r <= runs; r++ {
			s, err := onePush(ctx, self, state, p, r, siteIso, poll, debug, simCmd.Process.Pid, flags)
			if err != nil {
				return fmt.Errorf("parallel %s run %d: %w", p, r, err)
			}
			results[p] = append(results[p], s)
			fmt.Printf("%-8s %-4d %8d %9.1f %10.1f %12s %12s %d/%d/%d/%d   cpu s: push tree %.0f (%.2f per device), machine %.0f (%.0f%% busy), push process %.0f, simulator %.0f; load %s → %s\n", s.level, r, s.devices, s.seconds, s.perMinute, mib(s.peakPSS), mib(s.peakRSS), s.confirmed, s.unconfd, s.ctested, s.failed, s.cpuSampled, s.cpuSampled/float64(max(s.devices, 1)), s.cpuMachine, 100*s.busyShare, s.cpuPush, s.cpuSim, s.load0, s.load1)
		}
	}
	fmt.Printf("\nmedians over %d run(s), %d devices of %s, latency %s, models %q, confirmation on, site isolation %v, tabs per browser %d, chromium %q, extra flags %q:\n", runs, webCount(fleetCount), strings.Join(webVendors, "+"), benchLatency, strings.Join(webModels, ","), siteIso, benchTabsPer, chromiumPath, flags)
	fmt.Printf("| --parallel | devices | devices/min | seconds | peak PSS (tree) | peak RSS (tree) | tree CPU s per device | machine CPU s per device | cores busy | load avg (1 min) start → end |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, p := range ps {
		ss := results[p]
		fmt.Printf("| %s | %d | %.0f | %.1f | %s | %s | %.2f | %.2f | %.0f%% | %s → %s |\n", ss[0].level, ss[0].devices,
			median(ss, func(s sample) float64 { return s.perMinute }),
			median(ss, func(s sample) float64 { return s.seconds }),
			mib(int64(median(ss, func(s sample) float64 { return float64(s.peakPSS) }))),
			mib(int64(median(ss, func(s sample) float64 { return float64(s.peakRSS) }))),
			median(ss, func(s sample) float64 { return s.cpuSampled / float64(max(s.devices, 1)) }),
			median(ss, func(s sample) float64 { return s.cpuMachine / float64(max(s.devices, 1)) }),
			100*median(ss, func(s sample) float64 { return s.busyShare }), ss[0].load0, ss[len(ss)-1].load1)
	}
	return nil
}

func onePush(ctx context.Context, self, state string, p string, r int, siteIso bool, poll time.Duration, debug bool, simPid int, flags string) (sample, error) {
	simCPU0 := procCPU(simPid)
	dir, err := os.MkdirTemp(state, fmt.Sprintf("run-p%s-%d-", p, r))
	if err != nil {
		return sample{}, err
	}
	defer os.RemoveAll(dir)
	args := []string{"-role", "push", "-state", state, "-db", filepath.Join(dir, "fleet.db"), "-p", p, "-confirm-poll", poll.String(),
		"-tabs-per-browser", strconv.Itoa(benchTabsPer),
		"-models", strings.Join(webModels, ",")}
	if siteIso {
		args = append(args, "-site-isolation")
	}
	if benchRenderFrames {
		args = append(args, "-render-frames")
	}
	if flags != "" {
		args = append(args, "-chromium-flags", flags)
	}
	if chromiumPath != "" {
		args = append(args, "-chromium", chromiumPath)
	}
	if debug {
		args = append(args, "-debug")
	}
	load0 := loadAvg()
	cmd := exec.CommandContext(ctx, self, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return sample{}, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return sample{}, err
	}
	if err := cmd.Start(); err != nil {
		return sample{}, err
	}
	// The clock starts when discovery is done and the push begins.
	started := make(chan time.Time, 1)
	var busy0 float64
	level := p
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if n, ok := strings.CutPrefix(sc.Text(), "push-start "); ok {
				busy0 = machineBusy()
				if p != n {
					level = p + "=" + n
				}
				started <- time.Now()
				continue
			}
			fmt.Fprintln(os.Stderr, sc.Text())
		}
	}()
	var sumLine []byte
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			sumLine = append([]byte(nil), sc.Bytes()...)
		}
	}()
	var peakPSS, peakRSS int64
	var ownCPU float64
	treeCPU := map[int]float64{}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
sampling:
	for {
		select {
		case <-done:
			break sampling
		case <-tick.C:
			pss, rss := treeMemory(cmd.Process.Pid, treeCPU)
			peakPSS, peakRSS = max(peakPSS, pss), max(peakRSS, rss)
			if c := procCPU(cmd.Process.Pid); c > 0 {
				ownCPU = c
			}
		}
	}
	end := time.Now()
	busy1 := machineBusy()
	werr := cmd.Wait()
	var t0 time.Time
	select {
	case t0 = <-started:
	default:
		return sample{}, fmt.Errorf("the push never started: %v", werr)
	}
	var sum rollout.Summary
	if err := json.Unmarshal(sumLine, &sum); err != nil {
		return sample{}, fmt.Errorf("no summary (%v): %w", werr, err)
	}
	s := sample{level: level, load0: load0, load1: loadAvg(), seconds: end.Sub(t0).Seconds(), peakPSS: peakPSS, peakRSS: peakRSS,
		confirmed: sum.Counts.Confirmed, unconfd: sum.Counts.WrittenUnconfirmed, ctested: sum.Counts.ConnectionTested, failed: sum.Counts.Failed}
	s.devices = s.confirmed + s.unconfd + s.ctested
	s.cpuPush, s.cpuSim = ownCPU, procCPU(simPid)-simCPU0
	for _, c := range treeCPU {
		s.cpuSampled += c
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.cpuTree = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	s.perMinute = float64(s.devices) / (s.seconds / 60)
	s.cpuMachine = busy1 - busy0
	s.busyShare = s.cpuMachine / (s.seconds * float64(runtime.NumCPU()))
	if s.failed > 0 {
		for _, d := range sum.Failed() {
			fmt.Fprintf(os.Stderr, "  failed %s: %s\n", d.IP, d.Reason)
		}
	}
	return s, nil
}

// loadAvg is the 1-minute load average.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

// machineBusy is the CPU seconds all cores have been busy since boot
// (/proc/stat: everything but idle and iowait).
func machineBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var busy float64
	for i, v := range f[1:] {
		n, _ := strconv.ParseFloat(v, 64)
		if i != 3 && i != 4 && i < 8 { // idle, iowait; guest time is in user already
			busy += n
		}
	}
	return busy / 100 // USER_HZ
}

// procCPU is the user+system CPU seconds of pid itself (0 if gone).
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ
}

// treeMemory sums PSS and RSS (bytes) of pid and all its descendants,
// and records each one's CPU seconds so far in cpu (pid → seconds; a
// process's last sample is its total, so the tree's CPU is the sum over
// cpu, also on a machine busy with other work).
func treeMemory(root int, cpu map[int]float64) (pss, rss int64) {
	children := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parens.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], pid)
	}
	queue := []int{root}
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		queue = append(queue, children[pid]...)
		if c := procCPU(pid); c > 0 && cpu != nil {
			cpu[pid] = c
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			switch f[0] {
			case "Pss:":
				pss += kb * 1024
			case "Rss:":
				rss += kb * 1024
			}
		}
	}
	return pss, rss
}

func median(ss []sample, f func(sample) float64) float64 {
	v := make([]float64, 0, len(ss))
	for _, s := range ss {
		v = append(v, f(s))
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
