package devices

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosnmp/gosnmp"
)

// Defaults of SweepOptions (the CLI's come from fleet.toml's [discovery]).
const (
	DefaultPort    = 161
	DefaultRate    = 2000 // packets/s
	DefaultTimeout = 800 * time.Millisecond
	DefaultWorkers = 8 // SNMPv3 hosts identified at once
)

// Drain tuning: after the last probe of a pass the sweep waits until no
// reply has come for max(drainRTTs × the slowest round trip seen,
// drainFloor), and never longer than Timeout; the last pass also waits
// until Timeout has passed since the first pass ended.
const (
	drainRTTs  = 4
	drainFloor = 100 * time.Millisecond
)

// SweepOptions says what to sweep and how. Only Targets is required.
type SweepOptions struct {
	Targets Targets
	// AllowLarge consents to a sweep of LargeSweep (65,536) addresses or
	// more (the CLI's --yes, or discovery.allow_large).
	AllowLarge bool
	Port       int // UDP port, DefaultPort when 0
	// Rate is the most packets per second sent (DefaultRate when 0); a
	// machine too busy to wake the senders in time sends fewer.
	Rate    int
	Timeout time.Duration // per attempt, DefaultTimeout when 0
	// Retries is the number of extra passes over the addresses that did
	// not answer, and of resends of an unanswered identification GET.
	Retries int
	// Communities are tried on every address, with each of SNMPv2c and
	// SNMPv1.
	Communities []string
	// V3 users are tried, in order, on every agent that answers the
	// unauthenticated engine-ID probe and none of the communities.
	V3 []V3User
	// Versions restricts the probes: any of "1", "2c", "3"; empty = all.
	Versions []string
	// AllSNMP keeps agents that are not printers.
	AllSNMP bool
	// Workers bounds the SNMPv3 identifications run at once
	// (DefaultWorkers when 0).
	Workers int
	Logger  *slog.Logger
	// Progress, when set, is called from the sweep's goroutine about ten
	// times a second and once at the end. It must return quickly.
	Progress func(SweepProgress)

	// newClient replaces NewClient for the SNMPv3 path in tests.
	newClient func(ctx context.Context, agent netip.AddrPort, o ClientOptions) (Client, error)
}

// SweepProgress is a snapshot for a progress bar.
type SweepProgress struct {
	Sent     uint64 // packets sent so far
	Total    uint64 // packets planned so far (grows with second passes and follow-ups)
	Answered int    // addresses that answered a probe
	Found    int    // devices identified so far (printers unless AllSNMP)
}

// SweepStats describes a finished sweep.
type SweepStats struct {
	Addresses      uint64        `json:"addresses"`
	PacketsSent    uint64        `json:"packets_sent"`
	SendErrors     uint64        `json:"send_errors"`
	Replies        uint64        `json:"replies"` // datagrams that answered one of our requests
	Dropped        uint64        `json:"dropped"` // malformed, unmatched or duplicate datagrams
	Duration       time.Duration `json:"duration_ns"`
	HostsAnswering int           `json:"hosts_answering"` // addresses that answered any probe
	V3Agents       int           `json:"v3_agents"`       // addresses that answered the SNMPv3 engine-ID probe
	V3Only         int           `json:"v3_only"`         // of those, how many answered no community
	// CredentialsNeeded counts the SNMPv3 agents that answered the probe
	// but no configured user (listed as Device{CredentialsNeeded: true}).
	CredentialsNeeded int `json:"credentials_needed"`
	Passes            int `json:"passes"`
}

// PacketsPerSecond is the average send rate.
func (s SweepStats) PacketsPerSecond() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(s.PacketsSent) / s.Duration.Seconds()
}

// SweepResult is what Sweep found.
type SweepResult struct {
	// Devices are sorted by address: identified printers (every SNMP
	// agent with AllSNMP), plus SNMPv3 agents that answered the engine-ID
	// probe but no configured user, as Device{CredentialsNeeded: true}.
	Devices []Device
	Stats   SweepStats
}

// Sweep probes every target over SNMP and identifies what answers.
//
// It sends from one UDP socket (a few at high rates: one per 50,000
// packets/s, up to the number of CPUs and at most 4; batched with
// sendmmsg on Linux), paced at Rate packets per second: for each address,
// a GET for IdentityOIDs per community and version (v2c, then v1) and the
// SNMPv3 engine-ID discovery probe. Replies count only when
// their request ID and source address and port match a request we sent
// (duplicates and anything else are dropped). An agent that answered a
// community is identified from that reply, with more GETs over the same
// socket where needed (FollowUpOIDs; SNMPv1 noSuchName). An agent that
// answered only the SNMPv3 probe is handed to a bounded pool that tries
// each V3 user with its own gosnmp client.
//
// After each pass Sweep drains adaptively instead of waiting a fixed time:
// it stops once no reply came for a few of the slowest round trips seen
// (at least 100 ms, at most Timeout), and, after the last pass, once every
// address has had Timeout to answer its first probe. It re-probes only the
// addresses that stayed silent, Retries times; a late answer to an earlier
// pass still counts. Cancelling ctx stops it promptly; it then returns
// what it found so far together with the context's error.
func Sweep(ctx context.Context, o SweepOptions) (SweepResult, error) {
	s, err := newSweeper(o)
	if err != nil {
		return SweepResult{}, err
	}
	return s.run(ctx)
}

type host struct {
	addr     netip.Addr
	answered uint64     // bit k: probe kind k answered (duplicates are dropped)
	comm     *probeKind // the community probe that answered first
	g        *gather
	v3       bool
	engineID string
	v3state  int // 0 none, 1 queued, 2 done
	dev      *Device
	rtt      time.Duration
}

type request struct {
	seq    uint32
	h      *host
	oids   []string
	pkt    []byte
	sentAt time.Time
	tries  int
}

type v3result struct {
	h   *host
	dev Device
}

type sweeper struct {
	o       SweepOptions
	log     *slog.Logger
	plan    *plan
	ids     idMap
	port    uint16
	t0      time.Time
	senders []*probeSender // probe senders, one socket each
	fout    *batchWriter   // follow-up GETs, on the first sender's socket
	pace    *pacer
	count   counters
	replies chan reply
	dropped atomic.Uint64 // by the receivers
	recvWG  sync.WaitGroup

	hosts   map[netip.Addr]*host
	follow  map[uint32]*request // follow-up GETs in flight, by seq
	sendq   []*request
	nextSeq uint32

	// round trips and the drain
	ring         []atomic.Uint64 // probe send times (markSent)
	maxRTT       time.Duration
	lastTx       time.Time // last probe sent
	firstPassEnd time.Time // last probe of the first pass sent
	lastRx       time.Time // last reply matched
	nextChk      time.Time // next follow-up timeout scan

	// SNMPv3 pool: a goroutine per v3-only agent, v3sem bounds how many
	// work at once.
	v3ctx     context.Context
	v3sem     chan struct{}
	v3results chan v3result
	v3pending int
	v3wg      sync.WaitGroup

	stats    SweepStats
	total    uint64
	found    int
	lastProg time.Time
}

func newSweeper(o SweepOptions) (*sweeper, error) {
	if o.Targets.Count() == 0 {
		return nil, errors.New("nothing to sweep: give an address, a CIDR or a range, or define sites in fleet.toml")
	}
	if err := o.Targets.CheckSize(o.AllowLarge); err != nil {
		return nil, err
	}
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.Port < 1 || o.Port > 65535 {
		return nil, fmt.Errorf("port %d is not a UDP port", o.Port)
	}
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Retries < 0 {
		o.Retries = 0
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.newClient == nil {
		o.newClient = NewClient
	}
	want := map[string]bool{}
	for _, v := range o.Versions {
		switch v {
		case "1", "2c", "3":
			want[v] = true
		default:
			return nil, fmt.Errorf("snmp version %q: use 1, 2c or 3", v)
		}
	}
	all := len(want) == 0
	var kinds []*probeKind
	for _, c := range o.Communities {
		if len(c) > 127 {
			return nil, fmt.Errorf("community of %d bytes is too long: at most 127", len(c))
		}
		for _, v := range []struct {
			name string
			ver  gosnmp.SnmpVersion
		}{{"2c", gosnmp.Version2c}, {"1", gosnmp.Version1}} {
			if all || want[v.name] {
				k, err := newProbeKind(v.ver, c, IdentityOIDs)
				if err != nil {
					return nil, err
				}
				kinds = append(kinds, k)
			}
		}
	}
	if all || want["3"] {
		k, err := newProbeKind(gosnmp.Version3, "", nil)
		if err != nil {
			return nil, err
		}
		kinds = append(kinds, k)
	}
	for _, u := range o.V3 {
		if _, err := u.usm(); err != nil {
			return nil, err
		}
	}
	if len(kinds) > 64 {
		return nil, fmt.Errorf("%d communities are too many for one sweep: at most 31", len(o.Communities))
	}
	if len(kinds) == 0 {
		return nil, errors.New("nothing to send: SNMPv1/v2c need at least one community (communities under [snmp] in fleet.toml), or allow SNMPv3")
	}
	p := &plan{targets: o.Targets, kinds: kinds, passes: o.Retries + 1, n: o.Targets.Count()}
	if p.probes() >= maxProbes {
		return nil, fmt.Errorf("%d probes are too many for one sweep: split the targets, or use fewer communities or retries", p.probes())
	}
	s := &sweeper{
		o:         o,
		log:       o.Logger,
		plan:      p,
		ids:       idMap{base: rand.Uint32()},
		port:      uint16(o.Port),
		replies:   make(chan reply, 256),
		hosts:     map[netip.Addr]*host{},
		follow:    map[uint32]*request{},
		nextSeq:   uint32(p.probes()),
		pace:      newPacer(o.Rate),
		ring:      make([]atomic.Uint64, ringSize),
		v3sem:     make(chan struct{}, o.Workers),
		v3results: make(chan v3result, 16),
	}
	return s, nil
}

func (s *sweeper) run(ctx context.Context) (res SweepResult, err error) {
	s.t0 = time.Now()
	start := s.t0
	s.stats.Addresses = s.plan.n
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.v3ctx = ctx
	defer func() {
		cancel()
		for _, ps := range s.senders {
			ps.conn.Close()
		}
		s.v3wg.Wait()
		s.recvWG.Wait()
		s.stats.PacketsSent, s.stats.SendErrors = s.count.sent.Load(), s.count.errs.Load()
		s.stats.Dropped += s.dropped.Load()
		s.stats.Duration = time.Since(start)
		res = s.result()
		s.found = len(res.Devices)
		s.progress(true)
	}()
	for j := range senderCount(s.o.Rate) {
		conn, err := net.ListenUDP("udp4", &net.UDPAddr{})
		if err != nil {
			return res, fmt.Errorf("open UDP socket: %w", err)
		}
		_ = conn.SetReadBuffer(4 << 20)
		_ = conn.SetWriteBuffer(4 << 20)
		s.senders = append(s.senders, &probeSender{j: j, conn: conn, out: newBatchWriter(conn, &s.count, s.sendErr)})
		s.recvWG.Add(1)
		go s.receive(ctx, conn)
	}
	s.fout = newBatchWriter(s.senders[0].conn, &s.count, s.sendErr)

	s.log.Info("sweep", "addresses", s.plan.n, "probes_per_address", len(s.plan.kinds), "rate", s.o.Rate, "passes", s.plan.passes, "sockets", len(s.senders))
	for pass := range s.plan.passes {
		s.stats.Passes = pass + 1
		s.total += s.passProbes(pass)
		if err := s.sendPass(ctx, pass); err != nil {
			return res, err
		}
		if pass == 0 {
			s.firstPassEnd = s.lastTx
		}
		drainStart := time.Now()
		if err := s.drain(ctx, pass == s.plan.passes-1); err != nil {
			return res, err
		}
		s.log.Debug("pass done", "pass", pass+1, "answering", len(s.hosts), "drain", time.Since(drainStart).Round(time.Millisecond), "max_rtt", s.maxRTT.Round(time.Microsecond), "elapsed", time.Since(start).Round(time.Millisecond))
	}
	// Wait for the SNMPv3 pool.
	for s.v3pending > 0 {
		select {
		case r := <-s.v3results:
			s.v3done(r)
		case <-ctx.Done():
			return res, ctx.Err()
		}
	}
	return res, nil
}

// sendPass runs the probe senders over the addresses not answered yet,
// handling replies, follow-up GETs and their timeouts meanwhile.
func (s *sweeper) sendPass(ctx context.Context, pass int) error {
	var skip map[netip.Addr]uint8
	if pass > 0 {
		skip = make(map[netip.Addr]uint8, len(s.hosts))
		for a, h := range s.hosts {
			switch {
			case h.comm != nil:
				skip[a] = skipAll
			case h.v3:
				skip[a] = skipV3
			}
		}
	}
	errc := make(chan error, len(s.senders))
	for _, ps := range s.senders {
		go func() { errc <- s.sendProbes(ctx, ps, pass, skip) }()
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	var first error
	for left := len(s.senders); left > 0; {
		select {
		case err := <-errc:
			left--
			if err != nil && first == nil {
				first = err
			}
		case r := <-s.replies:
			s.handle(r)
			s.sendFollowUps()
		case r := <-s.v3results:
			s.v3done(r)
		case now := <-tick.C:
			s.checkTimeouts(now)
			s.sendFollowUps()
			s.progress(false)
		}
	}
	for _, ps := range s.senders {
		if ps.lastTx.After(s.lastTx) {
			s.lastTx = ps.lastTx
		}
	}
	return first
}

// sendFollowUps sends the queued follow-up GETs; they go before probes.
func (s *sweeper) sendFollowUps() {
	if len(s.sendq) == 0 {
		return
	}
	s.pace.force(len(s.sendq))
	now := time.Now()
	for len(s.sendq) > 0 {
		s.sendFollow(now)
	}
	s.fout.flush()
}

// drain waits for the tail of a pass: until no reply came for the quiet
// time and every follow-up GET is answered or given up. The last pass
// also waits until every address has had Timeout to answer its first
// probe (which a long sweep has long covered: it then ends after the
// quiet time).
func (s *sweeper) drain(ctx context.Context, last bool) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		now := time.Now()
		s.checkTimeouts(now)
		s.sendFollowUps()
		s.progress(false)
		quiet := s.quiet()
		sinceTx, sinceRx := now.Sub(s.lastTx), now.Sub(s.lastRx)
		busy := len(s.follow) > 0 || len(s.sendq) > 0
		covered := !last || now.Sub(s.firstPassEnd) >= s.o.Timeout
		if !busy && covered && sinceTx >= quiet && sinceRx >= quiet {
			return nil
		}
		if !busy && sinceTx >= s.o.Timeout {
			return nil
		}
		t.Reset(5 * time.Millisecond)
		select {
		case r := <-s.replies:
			s.handle(r)
		case r := <-s.v3results:
			s.v3done(r)
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// quiet is how long the drain waits without replies: a few of the slowest
// round trips seen, at least drainFloor, at most Timeout. Until a first
// reply gives a round trip, it is Timeout.
func (s *sweeper) quiet() time.Duration {
	if s.maxRTT == 0 {
		return s.o.Timeout
	}
	return min(s.o.Timeout, max(drainFloor, drainRTTs*s.maxRTT))
}

func (s *sweeper) sendErr(to netip.AddrPort, err error) {
	if s.count.errs.Load() <= 3 {
		s.log.Debug("send", "to", to.Addr(), "err", err)
	}
}

func (s *sweeper) sendFollow(now time.Time) {
	r := s.sendq[0]
	s.sendq = s.sendq[1:]
	r.sentAt = now
	r.tries++
	s.follow[r.seq] = r
	s.fout.add(r.pkt, netip.AddrPortFrom(r.h.addr, s.port))
}

// checkTimeouts resends or gives up on follow-up GETs, every 10 ms at most.
func (s *sweeper) checkTimeouts(now time.Time) {
	if now.Before(s.nextChk) || len(s.follow) == 0 {
		return
	}
	s.nextChk = now.Add(10 * time.Millisecond)
	for seq, r := range s.follow {
		if now.Sub(r.sentAt) < s.o.Timeout {
			continue
		}
		delete(s.follow, seq)
		if r.tries <= s.o.Retries {
			s.total++
			s.sendq = append(s.sendq, r)
			continue
		}
		s.log.Debug("no answer to a follow-up GET", "device", r.h.addr, "oids", len(r.oids))
		r.h.g.fail(r.oids)
		s.pump(r.h)
	}
}

func (s *sweeper) receive(ctx context.Context, conn *net.UDPConn) {
	defer s.recvWG.Done()
	m := newMatcher(s.plan, s.ids, s.port)
	buf := make([]byte, 65536)
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		at := time.Now()
		// gosnmp's values point into the buffer: decode a copy.
		r, err := m.decode(from, bytes.Clone(buf[:n]))
		if err != nil {
			s.dropped.Add(1)
			continue
		}
		r.at = at
		select {
		case s.replies <- r:
		case <-ctx.Done():
			return
		}
	}
}

// handle applies one matched reply (coordinator goroutine only).
func (s *sweeper) handle(r reply) {
	now := r.at
	if now.IsZero() {
		now = time.Now()
	}
	if !r.probe {
		req := s.follow[r.seq]
		if req == nil || req.h.addr != r.from || req.h.comm.version != r.pkt.Version || req.h.comm.community != r.pkt.Community {
			s.stats.Dropped++
			return
		}
		delete(s.follow, r.seq)
		s.stats.Replies++
		s.lastRx = now
		s.noteRTT(req.h, now.Sub(req.sentAt))
		req.h.g.answer(req.oids, r.pkt)
		s.pump(req.h)
		return
	}
	h := s.hosts[r.from]
	if h == nil {
		h = &host{addr: r.from}
		s.hosts[r.from] = h
	}
	if at, ok := s.sentAt(r.seq); ok {
		s.noteRTT(h, now.Sub(at))
	}
	bit := uint64(1) << (r.kind % 64)
	if h.answered&bit != 0 {
		s.stats.Dropped++ // a duplicate (or a late answer to a resent probe)
		return
	}
	h.answered |= bit
	s.stats.Replies++
	s.lastRx = now
	k := s.plan.kinds[r.kind]
	if k.v3() {
		h.v3, h.engineID = true, r.engineID
		s.log.Debug("snmpv3 agent", "device", h.addr, "engine_id", h.engineID)
		// Agents answer probes in order, so a community that works has
		// normally answered before this; try v3 users right away.
		s.maybeV3(h)
		return
	}
	if h.comm != nil {
		if h.comm.version != gosnmp.Version1 || k.version != gosnmp.Version2c {
			return // another community works too: one is enough
		}
		// The v1 answer came first, but v2c works as well: prefer it
		// (a v2c GET answers missing OIDs one by one, not noSuchName for
		// the lot). Start over from this reply.
		s.forget(h)
	}
	h.comm = k
	h.g = newGather()
	oids, _ := h.g.next()
	h.g.answer(oids, r.pkt)
	s.log.Debug("snmp agent", "device", h.addr, "via", k.String())
	s.pump(h)
}

// forget drops a host's identification in progress: its follow-up GETs
// in flight or queued, and its Device.
func (s *sweeper) forget(h *host) {
	for seq, r := range s.follow {
		if r.h == h {
			delete(s.follow, seq)
		}
	}
	s.sendq = slices.DeleteFunc(s.sendq, func(r *request) bool { return r.h == h })
	if h.dev != nil && (h.dev.IsPrinter || s.o.AllSNMP) {
		s.found--
	}
	h.dev, h.g = nil, nil
}

func (s *sweeper) noteRTT(h *host, d time.Duration) {
	if d <= 0 {
		return
	}
	h.rtt = d
	s.maxRTT = max(s.maxRTT, d)
}

// pump queues the host's next identification GETs, or identifies it.
func (s *sweeper) pump(h *host) {
	for {
		oids, ok := h.g.next()
		if !ok {
			break
		}
		seq := s.nextSeq
		s.nextSeq++
		p := getPacket(h.comm.version, h.comm.community, s.ids.id(seq), oids)
		b, err := p.MarshalMsg()
		if err != nil {
			s.log.Debug("encode follow-up", "device", h.addr, "err", err)
			h.g.fail(oids)
			continue
		}
		s.total++
		s.sendq = append(s.sendq, &request{seq: seq, h: h, oids: oids, pkt: b})
	}
	if h.g.done() && h.dev == nil {
		d := Identify(h.addr.String(), h.g.values)
		d.IP = h.addr.String()
		d.SNMPVersion = versionName(h.comm.version)
		h.dev = &d
		if d.IsPrinter || s.o.AllSNMP {
			s.found++
		}
		s.log.Debug("identified", "device", h.addr, "vendor", d.Vendor, "model", d.Model, "printer", d.IsPrinter)
	}
}

func versionName(v gosnmp.SnmpVersion) string {
	switch v {
	case gosnmp.Version1:
		return "1"
	case gosnmp.Version2c:
		return "2c"
	}
	return "3"
}

// maybeV3 hands a v3-only agent to the pool once, if users are configured.
func (s *sweeper) maybeV3(h *host) {
	if !h.v3 || h.comm != nil || h.v3state != 0 || len(s.o.V3) == 0 {
		return
	}
	h.v3state = 1
	s.v3pending++
	s.total++ // shown as one unit of work
	s.v3wg.Add(1)
	go func() {
		defer s.v3wg.Done()
		select {
		case s.v3sem <- struct{}{}:
		case <-s.v3ctx.Done():
			return
		}
		r := s.identifyV3(s.v3ctx, h)
		<-s.v3sem
		select {
		case s.v3results <- r:
		case <-s.v3ctx.Done():
		}
	}()
}

func (s *sweeper) v3done(r v3result) {
	s.v3pending--
	r.h.v3state = 2
	if r.h.comm != nil {
		return // a community answered meanwhile: that identification wins
	}
	d := r.dev
	r.h.dev = &d
	if d.CredentialsNeeded || d.IsPrinter || s.o.AllSNMP {
		s.found++
	}
}

// identifyV3 tries each configured user with a client of its own.
func (s *sweeper) identifyV3(ctx context.Context, h *host) v3result {
	agent := netip.AddrPortFrom(h.addr, s.port)
	// Each user costs at most (Retries+1) timeouts plus gosnmp's engine
	// discovery; cap it so a silent agent cannot hold a worker.
	budget := time.Duration(s.o.Retries+2)*s.o.Timeout + s.o.Timeout
	for _, u := range s.o.V3 {
		uctx, cancel := context.WithTimeout(ctx, budget)
		c, err := s.o.newClient(uctx, agent, ClientOptions{Version: "3", V3: u, Timeout: s.o.Timeout, Retries: s.o.Retries})
		if err != nil {
			cancel()
			s.log.Debug("snmpv3 client", "device", h.addr, "user", u.User, "err", err)
			continue
		}
		vals, err := Collect(uctx, c)
		c.Close()
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			s.log.Debug("snmpv3 user refused", "device", h.addr, "user", u.User, "level", u.level(), "err", err)
			continue
		}
		d := Identify(h.addr.String(), vals)
		d.IP = h.addr.String()
		d.SNMPVersion = "3"
		d.EngineID = h.engineID
		s.log.Debug("identified", "device", h.addr, "user", u.User, "vendor", d.Vendor, "model", d.Model, "printer", d.IsPrinter)
		return v3result{h: h, dev: d}
	}
	s.log.Info("snmpv3 agent, credentials needed", "device", h.addr, "engine_id", h.engineID)
	return v3result{h: h, dev: credsNeeded(h)}
}

func credsNeeded(h *host) Device {
	return Device{IP: h.addr.String(), SNMPVersion: "3", CredentialsNeeded: true, EngineID: h.engineID}
}

func (s *sweeper) sortedHosts() []*host {
	hs := make([]*host, 0, len(s.hosts))
	for _, h := range s.hosts {
		hs = append(hs, h)
	}
	slices.SortFunc(hs, func(a, b *host) int { return a.addr.Compare(b.addr) })
	return hs
}

func (s *sweeper) result() SweepResult {
	res := SweepResult{Devices: []Device{}}
	for _, h := range s.sortedHosts() {
		s.stats.HostsAnswering++
		if h.v3 {
			s.stats.V3Agents++
			if h.comm == nil {
				s.stats.V3Only++
			}
		}
		switch {
		case h.comm != nil && h.dev == nil:
			// Cancelled mid-identification: keep what we know.
			d := Identify(h.addr.String(), h.g.values)
			d.IP, d.SNMPVersion = h.addr.String(), versionName(h.comm.version)
			h.dev = &d
		case h.comm == nil && h.v3 && h.dev == nil:
			d := credsNeeded(h)
			h.dev = &d
		}
		if h.dev == nil {
			continue
		}
		if h.v3 && h.dev.EngineID == "" {
			h.dev.EngineID = h.engineID // known from the probe
		}
		if h.dev.CredentialsNeeded {
			s.stats.CredentialsNeeded++
		}
		if h.dev.IsPrinter || h.dev.CredentialsNeeded || s.o.AllSNMP {
			res.Devices = append(res.Devices, *h.dev)
		}
	}
	res.Stats = s.stats
	return res
}

func (s *sweeper) progress(final bool) {
	if s.o.Progress == nil {
		return
	}
	now := time.Now()
	if !final && now.Sub(s.lastProg) < 100*time.Millisecond {
		return
	}
	s.lastProg = now
	sent := s.count.sent.Load()
	s.o.Progress(SweepProgress{Sent: sent, Total: max(s.total, sent), Answered: len(s.hosts), Found: s.found})
}

// passProbes is how many probes a pass will send: every probe to every
// address in the first, then only those not answered yet.
func (s *sweeper) passProbes(pass int) uint64 {
	k := uint64(len(s.plan.kinds))
	if pass == 0 {
		return s.plan.n * k
	}
	var v3kinds uint64
	if s.plan.kinds[len(s.plan.kinds)-1].v3() {
		v3kinds = 1
	}
	skip := uint64(0)
	for _, h := range s.hosts {
		switch {
		case h.comm != nil:
			skip += k
		case h.v3:
			skip += v3kinds
		}
	}
	return s.plan.n*k - skip
}
