package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/devices/snmprec"
)

// loopback is the only network the simulator serves on.
var loopback = netip.MustParsePrefix("127.0.0.0/8")

// SNMPFleetConfig says which simulated SNMP agents to start.
type SNMPFleetConfig struct {
	// Base is the first address; devices take consecutive addresses from
	// it, recordings first. It must lie in 127.0.0.0/8.
	Base netip.Addr
	// Count is the number of synthetic devices, cycling through the
	// catalogue entries of Vendors (all vendors when empty).
	Count   int
	Vendors []string
	// Recordings are snmprec files, one served per address.
	Recordings []string
	// V3Only makes the last V3Only synthetic devices answer nothing but
	// SNMPv3 engine discovery ("SNMPv3 agent, credentials needed").
	V3Only int
}

// SNMPDevice is one planned simulated agent.
type SNMPDevice struct {
	Addr netip.Addr
	// Source is the catalogue key for a synthetic device, the file path
	// for a recording.
	Source string
	// Model is the catalogue entry (zero for a recording).
	Model Model
	// Serial and MAC are what a synthetic device serves ("" for a
	// recording: see Identity).
	Serial, MAC string
	// Identity is what devices.Identify makes of the table (for a
	// recording: whatever the recording says).
	Identity devices.Device
	Table    *snmprec.Table
	EngineID string // SNMPv3 engine ID it reports ("" for recordings)
	V3Only   bool
}

// CheckLoopback refuses an address outside 127.0.0.0/8.
func CheckLoopback(a netip.Addr) error {
	if !a.IsValid() || !loopback.Contains(a.Unmap()) {
		return fmt.Errorf("%s is not a loopback address: the simulator serves only 127.0.0.0/8, give --base 127.x.y.z", a)
	}
	return nil
}

// PlanSNMPFleet decides address, table and identity of every device:
// recordings first, from Base on, then Count synthetic devices cycling
// through the catalogue. Serials and MACs are deterministic
// (SyntheticSerial/SyntheticMAC with the device's position).
func PlanSNMPFleet(cfg SNMPFleetConfig) ([]SNMPDevice, error) {
	if err := CheckLoopback(cfg.Base); err != nil {
		return nil, err
	}
	if cfg.Count < 0 {
		return nil, fmt.Errorf("count %d: want 0 or more synthetic devices", cfg.Count)
	}
	seq, err := modelSequence(cfg.Vendors, cfg.Count)
	if err != nil {
		return nil, err
	}
	cfg.Count = len(seq)
	if cfg.Count == 0 && len(cfg.Recordings) == 0 {
		return nil, errors.New("nothing to simulate: give --count N or --snmprec FILE")
	}
	total := len(cfg.Recordings) + cfg.Count
	addrs := make([]netip.Addr, total)
	a := cfg.Base.Unmap()
	for i := range total {
		if !loopback.Contains(a) {
			return nil, fmt.Errorf("%d devices from %s run past 127.255.255.255: give a lower --base or a smaller --count", total, cfg.Base)
		}
		addrs[i] = a
		a = a.Next()
	}
	out := make([]SNMPDevice, 0, total)
	for i, f := range cfg.Recordings {
		t, err := snmprec.ParseFile(f)
		if err != nil {
			return nil, fmt.Errorf("recording %s: %w", f, err)
		}
		out = append(out, SNMPDevice{
			Addr:     addrs[i],
			Source:   f,
			Table:    t,
			Identity: IdentifyTable(addrs[i].String(), t),
		})
	}
	nth := map[string]int{}
	for i := range cfg.Count {
		m := seq[i]
		n := nth[m.Key] // the n-th device of this model
		nth[m.Key]++
		serial := SyntheticSerial(m, n)
		mac := SyntheticMAC(m, n)
		t := SyntheticTable(m, serial, mac)
		addr := addrs[len(cfg.Recordings)+i]
		out = append(out, SNMPDevice{
			Addr:     addr,
			Source:   m.Key,
			Model:    m,
			Serial:   serial,
			MAC:      mac,
			Table:    t,
			Identity: IdentifyTable(addr.String(), t),
			EngineID: "mfpsim-" + serial,
			V3Only:   i >= cfg.Count-cfg.V3Only,
		})
	}
	return out, nil
}

// IdentifyTable runs devices.Identify on what an agent serving t answers
// to devices.IdentityOIDs and then to devices.FollowUpOIDs, with GET
// semantics (a missing OID is absent).
func IdentifyTable(ip string, t *snmprec.Table) devices.Device {
	v := TableValues(t, devices.IdentityOIDs)
	if more := devices.FollowUpOIDs(v); len(more) > 0 {
		for k, x := range TableValues(t, more) {
			v[k] = x
		}
	}
	return devices.Identify(ip, v)
}

// TableValues answers a GET of oids from t as devices.Values.
func TableValues(t *snmprec.Table, oids []string) devices.Values {
	v := devices.Values{}
	for _, o := range oids {
		if x, ok := t.Get(o); ok && x.Type != snmprec.Null {
			v[x.OID] = x.Value
		}
	}
	return v
}

// SNMPFleet is a running set of simulated agents.
type SNMPFleet struct {
	Devices []SNMPDevice
	// Addrs are the bound UDP addresses, in Devices order.
	Addrs []*net.UDPAddr

	cancel context.CancelFunc
	wg     sync.WaitGroup
	conns  []net.PacketConn
	mu     sync.Mutex
	errs   []error
}

// StartSNMPFleet binds every planned device's UDP port (0: an ephemeral
// port per address, see Addrs) and serves it until ctx is cancelled or
// Close is called. A bind failure closes what was
// bound and says which address failed.
func StartSNMPFleet(ctx context.Context, devs []SNMPDevice, port int, community string, log *slog.Logger) (*SNMPFleet, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("udp port %d: want 1-65535, or 0 for an ephemeral port per address", port)
	}
	ctx, cancel := context.WithCancel(ctx)
	f := &SNMPFleet{Devices: devs, cancel: cancel}
	for _, d := range devs {
		if err := CheckLoopback(d.Addr); err != nil {
			f.Close()
			return nil, err
		}
		addr := net.JoinHostPort(d.Addr.String(), strconv.Itoa(port))
		c, err := net.ListenPacket("udp4", addr)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: listen: %w (is another simulator or snmpd running there? port %d below 1024 needs root)", addr, err, port)
		}
		f.conns = append(f.conns, c)
		f.Addrs = append(f.Addrs, c.LocalAddr().(*net.UDPAddr))
		agent := &SNMPAgent{
			Table:     d.Table,
			Community: community,
			EngineID:  d.EngineID,
			V3Only:    d.V3Only,
			Log:       log.With("device", d.Addr.String(), "source", filepath.Base(d.Source)),
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			if err := agent.Serve(ctx, c); err != nil {
				f.mu.Lock()
				f.errs = append(f.errs, err)
				f.mu.Unlock()
				log.Error("snmp agent stopped", "device", d.Addr.String(), "err", err)
			}
		}()
	}
	return f, nil
}

// Close stops every agent, closes the sockets and returns the first
// error an agent stopped with.
func (f *SNMPFleet) Close() error {
	f.cancel()
	f.wg.Wait()
	for _, c := range f.conns {
		_ = c.Close()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return errors.Join(f.errs...)
}

// modelSequence returns the catalogue model of each synthetic device in
// address order. vendors are slugs (every vendor when empty), the
// devices cycling through their models in catalogue order; or
// "vendor:N" entries, N devices each cycling through that vendor's
// models, in the order given ("xerox:12,hp:2": a mixed fleet whose
// addresses stay put when a vendor is added at the end). count must be
// 0 or the sum of the Ns then.
func modelSequence(vendors []string, count int) ([]Model, error) {
	var plain []string
	type group struct {
		vendor string
		n      int
	}
	var groups []group
	for _, v := range vendors {
		for _, e := range strings.Split(v, ",") {
			e = strings.TrimSpace(e)
			if e == "" {
				continue
			}
			name, num, counted := strings.Cut(e, ":")
			if !counted {
				plain = append(plain, name)
				continue
			}
			n, err := strconv.Atoi(num)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("--vendors %q: want VENDOR:COUNT with a count of 0 or more", e)
			}
			groups = append(groups, group{name, n})
		}
	}
	if len(groups) == 0 {
		models, err := FilterCatalog(plain)
		if err != nil {
			return nil, err
		}
		seq := make([]Model, count)
		for i := range seq {
			seq[i] = models[i%len(models)]
		}
		return seq, nil
	}
	if len(plain) > 0 {
		return nil, fmt.Errorf("--vendors: give every vendor a count (%s:N) or none", plain[0])
	}
	var seq []Model
	for _, g := range groups {
		models, err := FilterCatalog([]string{g.vendor})
		if err != nil {
			return nil, err
		}
		for i := range g.n {
			seq = append(seq, models[i%len(models)])
		}
	}
	if count != 0 && count != len(seq) {
		return nil, fmt.Errorf("--count %d but --vendors counts add up to %d: drop --count or make them agree", count, len(seq))
	}
	return seq, nil
}

// FleetCount returns the number of synthetic devices --vendors and
// --count ask for (the sum of "vendor:N" entries when given).
func FleetCount(vendors []string, count int) (int, error) {
	seq, err := modelSequence(vendors, count)
	return len(seq), err
}
