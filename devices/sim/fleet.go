package sim

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices"
	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

// DefaultGmailAccount is the stand-in's mailbox when FleetOptions names
// none.
const DefaultGmailAccount = "scans.demo@gmail.com"

// Files StartFleet writes into FleetOptions.StateDir.
const (
	FleetConfigFile  = "fleet.toml"
	AppPasswordFile  = "app-password"
	GmailCAFile      = "gmail-ca.pem"
	adminPasswordDir = "admin-passwords"
)

// FleetOptions configure StartFleet.
type FleetOptions struct {
	// Base is the first device address (in 127.0.0.0/8); devices take
	// consecutive addresses, recordings first.
	Base netip.Addr
	// Count synthetic devices cycle through the catalogue entries of
	// Vendors (all when empty).
	Count   int
	Vendors []string
	// Recordings are snmprec files served over SNMP only.
	Recordings []string
	// V3Only makes the last V3Only synthetic devices SNMPv3-only.
	V3Only int

	// StateDir, when set, receives fleet.toml, the stand-in's CA and the
	// app password (see WriteState).
	StateDir string

	// Faults, AdminPasswords and SMTPTLS override per device address.
	Faults         map[netip.Addr]Faults
	AdminPasswords map[netip.Addr]config.Secret
	SMTPTLS        map[netip.Addr]string
	// LockoutAfter applies to every device (0: DefaultLockoutAfter).
	LockoutAfter int
	// Latency gives each web-admin family its speed (keyed by Family*;
	// nil or a missing family: loopback speed). RealisticLatency(seed)
	// is real devices' speed; LatencyProfile reads mfpsim's --latency.
	// It composes with Faults.
	Latency map[string]Latency

	// Ports: 0 means the real one (443, 80, 161); -1 an ephemeral port
	// per address (tests). NoHTTP turns plain HTTP off.
	HTTPSPort, HTTPPort, SNMPPort int
	NoHTTP                        bool
	// Community is the only SNMP community answered ("" = any).
	Community string

	// NoGmail leaves the stand-in out (devices then reach nothing).
	NoGmail bool
	// GmailAddr is the stand-in's address (default 127.0.0.1); its ports
	// are ephemeral unless set.
	GmailAddr                                      netip.Addr
	GmailStartTLSPort, GmailTLSPort, GmailIMAPPort int
	// GmailAccount is the stand-in's mailbox (default DefaultGmailAccount).
	GmailAccount string
	// GmailMinTLS is the stand-in's lowest TLS version (0 = TLS 1.2, as
	// Gmail).
	GmailMinTLS uint16
	// AppPassword is the stand-in's app password; empty: the one in
	// StateDir/app-password if there is one, else a random one. The
	// stand-in also accepts every app password listed in
	// StateDir/app-passwords (one a line), re-read while it runs: add a
	// line to create one, delete it to revoke it (see WatchAppPasswords).
	AppPassword config.Secret

	// RelayAllowed are the client addresses (or CIDRs) the stand-in's
	// Workspace SMTP relay accepts without AUTH; the devices' own
	// addresses are their "public IP". RelayDomains are the Workspace's
	// domains (default: the account's); RelayRequireAuth is "Require
	// SMTP Authentication".
	RelayAllowed     []string
	RelayDomains     []string
	RelayRequireAuth bool
	// RelaySite puts these device addresses into a second fleet.toml
	// site, "branch", whose method is "relay" (the others stay in
	// "simulated").
	RelaySite []netip.Addr

	Logger *slog.Logger
}

// FleetDevice is one simulated device of a fleet.
type FleetDevice struct {
	Addr     netip.Addr
	SNMPAddr *net.UDPAddr
	// Source is the catalogue key or the recording's path.
	Source string
	// Model is the catalogue entry (zero for a recording).
	Model Model
	// Identity is what devices.Identify makes of the device's SNMP.
	Identity devices.Device
	// Web is the simulated web admin, nil for models whose family is not
	// simulated (other vendors, Xerox legacy, recordings).
	Web *Device
}

// Fleet is a running simulated fleet.
type Fleet struct {
	Devices []FleetDevice
	// Gmail is the stand-in (nil with NoGmail).
	Gmail *standin.Server
	// Account and AppPassword are the stand-in's test account.
	Account     string
	AppPassword config.Secret
	// ConfigPath is the fleet.toml written ("" without StateDir).
	ConfigPath string

	snmp     *SNMPFleet
	cancel   context.CancelFunc
	log      *slog.Logger
	stateDir string
	saveStop chan struct{}
	saveDone chan struct{}
}

// StartFleet starts SNMP agents and web admins on consecutive loopback
// addresses, plus one Gmail stand-in the devices' "smtp.gmail.com"
// resolves to. Everything stops when ctx ends or Close is called.
func StartFleet(ctx context.Context, o FleetOptions) (*Fleet, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	port := func(p, real int) int {
		switch {
		case p == 0:
			return real
		case p < 0:
			return 0
		}
		return p
	}
	plan, err := PlanSNMPFleet(SNMPFleetConfig{Base: o.Base, Count: o.Count, Vendors: o.Vendors, Recordings: o.Recordings, V3Only: o.V3Only})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	f := &Fleet{cancel: cancel, log: log, stateDir: o.StateDir}
	fail := func(err error) (*Fleet, error) {
		_ = f.Close()
		return nil, err
	}

	// The Gmail stand-in.
	f.Account = o.GmailAccount
	if f.Account == "" {
		f.Account = DefaultGmailAccount
	}
	var routes map[string]string
	var roots *x509.CertPool
	if !o.NoGmail {
		f.AppPassword = o.AppPassword
		if f.AppPassword.Empty() && o.StateDir != "" {
			if b, err := os.ReadFile(filepath.Join(o.StateDir, AppPasswordFile)); err == nil {
				if v := strings.TrimSpace(string(b)); validAppPassword(v) {
					f.AppPassword = config.NewSecret(v)
				}
			}
		}
		if f.AppPassword.Empty() {
			f.AppPassword = standin.RandomAppPassword()
		}
		ga := o.GmailAddr
		if !ga.IsValid() {
			ga = netip.MustParseAddr("127.0.0.1")
		}
		var accepted []config.Secret
		listed := false
		if o.StateDir != "" {
			accepted, err = readAppPasswords(filepath.Join(o.StateDir, AppPasswordsFile))
			switch {
			case err == nil:
				listed = true
			case !errors.Is(err, os.ErrNotExist):
				return fail(err)
			}
		}
		f.Gmail, err = standin.Start(ctx, standin.Options{
			Addr: ga.String(), StartTLSPort: o.GmailStartTLSPort, TLSPort: o.GmailTLSPort, IMAPPort: o.GmailIMAPPort,
			Account: f.Account, AppPassword: f.AppPassword, MinTLS: o.GmailMinTLS, Logger: log,
			DeliveryDelay: mailDelay,
			Relay:         &standin.RelayOptions{AllowedIPs: o.RelayAllowed, Domains: o.RelayDomains, RequireAuth: o.RelayRequireAuth},
		})
		if err != nil {
			return fail(fmt.Errorf("gmail stand-in: %w", err))
		}
		if listed {
			// The app-passwords file is the account's list: one left out
			// was revoked.
			f.Gmail.SetAppPasswords(accepted)
		}
		routes = map[string]string{
			"smtp.gmail.com:587":       f.Gmail.StartTLSAddr,
			"smtp.gmail.com:25":        f.Gmail.StartTLSAddr,
			"smtp.gmail.com:465":       f.Gmail.TLSAddr,
			"smtp-relay.gmail.com:587": f.Gmail.RelayStartTLSAddr,
			"smtp-relay.gmail.com:25":  f.Gmail.RelayStartTLSAddr,
			"smtp-relay.gmail.com:465": f.Gmail.RelayTLSAddr,
		}
		roots = x509.NewCertPool()
		roots.AppendCertsFromPEM(f.Gmail.CAPEM())
	}

	// SNMP.
	f.snmp, err = StartSNMPFleet(ctx, plan, port(o.SNMPPort, 161), o.Community, log)
	if err != nil {
		return fail(err)
	}

	// Web admins.
	httpPort := port(o.HTTPPort, 80)
	if o.NoHTTP {
		httpPort = -1
	}
	for i, p := range plan {
		fd := FleetDevice{Addr: p.Addr, SNMPAddr: f.snmp.Addrs[i], Source: p.Source, Model: p.Model, Identity: p.Identity}
		switch {
		case HasWebAdmin(p.Model.ServedFamily()):
			do := DeviceOptions{
				Model: p.Model.Model, Family: p.Model.ServedFamily(), UI: p.Model.UI, Serial: p.Identity.Serial, MAC: p.Identity.MAC,
				Firmware: p.Model.Firmware, SMTPTLS: p.Model.SMTPTLS, PasswordIsSerial: p.Model.PasswordIsSerial,
				AdminPassword: p.Model.DefaultAdminPassword(p.Identity.Serial), LockoutAfter: o.LockoutAfter,
				Faults: o.Faults[p.Addr], Latency: o.Latency[p.Model.Family], SMTPRoutes: routes, SMTPRootCAs: roots,
				Logger: log.With("device", p.Addr.String()),
			}
			if do.Serial == "" {
				do.Serial = SyntheticSerial(p.Model, i)
			}
			if pw, ok := o.AdminPasswords[p.Addr]; ok {
				do.AdminPassword = pw.Reveal()
			}
			if v, ok := o.SMTPTLS[p.Addr]; ok {
				do.SMTPTLS = v
			}
			d, err := NewDevice(do)
			if err != nil {
				return fail(fmt.Errorf("%s: %w", p.Addr, err))
			}
			if err := d.Serve(ctx, p.Addr, port(o.HTTPSPort, 443), httpPort); err != nil {
				return fail(fmt.Errorf("%w (is another mfpsim running there? ports below 1024 need root; --https-port changes it)", err))
			}
			if o.StateDir != "" {
				restored, err := loadDeviceState(o.StateDir, d)
				if err != nil {
					return fail(fmt.Errorf("%s: %w (delete it to start the device afresh)", p.Addr, err))
				}
				if restored {
					log.Debug("device state restored", "device", p.Addr.String())
				}
			}
			fd.Web = d
		}
		f.Devices = append(f.Devices, fd)
	}
	for a := range o.Faults {
		if d := f.Device(a); d == nil {
			return fail(fmt.Errorf("fault for %s: no simulated web admin has that address (the fleet is %s - %s; models without a simulated web admin have none)", a, plan[0].Addr, plan[len(plan)-1].Addr))
		}
	}
	for a := range o.AdminPasswords {
		if d := f.Device(a); d == nil {
			return fail(fmt.Errorf("admin password for %s: no simulated web admin has that address", a))
		}
	}
	for a := range o.SMTPTLS {
		if d := f.Device(a); d == nil {
			return fail(fmt.Errorf("SMTP TLS override for %s: no simulated web admin has that address", a))
		}
	}

	if o.StateDir != "" {
		if err := f.WriteState(o.StateDir, o); err != nil {
			return fail(err)
		}
		if err := f.SaveState(); err != nil {
			return fail(err)
		}
		f.saveStop, f.saveDone = make(chan struct{}), make(chan struct{})
		go f.keepState()
	}
	return f, nil
}

// mailDelay is the delivery delay a device with a latency model asked
// for in its message (MailDelayHeader).
func mailDelay(h mail.Header) time.Duration {
	ms, err := strconv.ParseInt(strings.TrimSpace(h.Get(MailDelayHeader)), 10, 64)
	if err != nil || ms <= 0 {
		return 0
	}
	return time.Duration(ms) * time.Millisecond
}

// keepState saves the devices' state every second and follows the
// app-passwords file until Close.
func (f *Fleet) keepState() {
	defer close(f.saveDone)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var last string
	for {
		select {
		case <-f.saveStop:
			return
		case <-t.C:
		}
		if err := f.SaveState(); err != nil {
			f.log.Warn("saving the simulated devices' state", "err", err)
		}
		if f.Gmail == nil {
			continue
		}
		path := filepath.Join(f.stateDir, AppPasswordsFile)
		b, err := os.ReadFile(path)
		if err != nil || string(b) == last {
			continue
		}
		last = string(b)
		pws, err := readAppPasswords(path)
		if err != nil {
			f.log.Warn("app-passwords file", "err", err)
			continue
		}
		f.Gmail.SetAppPasswords(pws)
		f.log.Info("gmail stand-in: the account's app passwords changed", "accepted", len(pws))
	}
}

func validAppPassword(v string) bool {
	if len(v) != 16 {
		return false
	}
	for _, r := range v {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// Device returns the web admin at addr, or nil.
func (f *Fleet) Device(addr netip.Addr) *Device {
	for _, d := range f.Devices {
		if d.Addr == addr {
			return d.Web
		}
	}
	return nil
}

// PowerCycle power-cycles every simulated web admin.
func (f *Fleet) PowerCycle() {
	for _, d := range f.Devices {
		if d.Web != nil {
			d.Web.PowerCycle()
		}
	}
}

// Close stops the whole fleet, saving the devices' state into the state
// dir first.
func (f *Fleet) Close() error {
	var errs []error
	if f.saveStop != nil {
		select {
		case <-f.saveStop:
		default:
			close(f.saveStop)
			<-f.saveDone
			errs = append(errs, f.SaveState())
		}
	}
	f.cancel()
	for _, d := range f.Devices {
		if d.Web != nil {
			errs = append(errs, d.Web.Close())
		}
	}
	if f.snmp != nil {
		errs = append(errs, f.snmp.Close())
	}
	if f.Gmail != nil {
		errs = append(errs, f.Gmail.Close())
	}
	return errors.Join(errs...)
}

// fleetFile is the fleet.toml mfpsim writes: only keys config.Config
// knows, so config.Load reads it strictly.
type fleetFile struct {
	Inventory struct {
		Path string `toml:"path"`
	} `toml:"inventory"`
	Discovery *struct {
		Port int `toml:"port"`
	} `toml:"discovery,omitempty"`
	SNMP struct {
		Communities []string `toml:"communities"`
	} `toml:"snmp"`
	Sites       []fleetSite       `toml:"sites"`
	Credentials []fleetCredential `toml:"credentials,omitempty"`
	Gmail       *fleetGmail       `toml:"gmail,omitempty"`
	Browser     struct {
		Flags []string `toml:"flags"`
	} `toml:"browser"`
}

type fleetSite struct {
	Name      string   `toml:"name"`
	Ranges    []string `toml:"ranges"`
	AllowHTTP bool     `toml:"allow_http"`
	Method    string   `toml:"method,omitempty"`
}

type fleetCredential struct {
	Address      string `toml:"address"`
	User         string `toml:"user"`
	PasswordFile string `toml:"password_file"`
}

type fleetGmail struct {
	Account        string `toml:"account"`
	SMTPHost       string `toml:"smtp_host"`
	StartTLSPort   int    `toml:"starttls_port"`
	TLSPort        int    `toml:"tls_port"`
	IMAPHost       string `toml:"imap_host"`
	IMAPPort       int    `toml:"imap_port"`
	CAFile         string `toml:"ca_file"`
	PasswordFile   string `toml:"password_file"`
	DeviceSMTPHost string `toml:"device_smtp_host"`
	DevicePort     int    `toml:"device_port"`
	// The stand-in's Workspace SMTP relay.
	RelayHost         string `toml:"relay_host,omitempty"`
	RelayStartTLSPort int    `toml:"relay_starttls_port,omitempty"`
	RelayTLSPort      int    `toml:"relay_tls_port,omitempty"`
	DeviceRelayHost   string `toml:"device_relay_host,omitempty"`
}

// WriteState writes into dir: fleet.toml (the [gmail] section pointing at
// the stand-in, one [[sites]] covering the fleet, [discovery] port when
// not 161, [[credentials]] for admin passwords set by option), the
// stand-in's CA (gmail-ca.pem) and its app password (app-password, mode
// 0600; admin passwords likewise under admin-passwords/).
func (f *Fleet) WriteState(dir string, o FleetOptions) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("state dir: %w", err)
	}
	var ff fleetFile
	ff.Inventory.Path = "fleet.db"
	if len(f.Devices) > 0 && f.snmp != nil {
		if p := f.Devices[0].SNMPAddr.Port; p != 161 {
			ff.Discovery = &struct {
				Port int `toml:"port"`
			}{Port: p}
		}
	}
	ff.SNMP.Communities = []string{"public"}
	if o.Community != "" {
		ff.SNMP.Communities = []string{o.Community}
	}
	var addrs []netip.Addr
	for _, d := range f.Devices {
		addrs = append(addrs, d.Addr)
	}
	var main, branch []netip.Addr
	for _, a := range addrs {
		if slices.Contains(o.RelaySite, a) {
			branch = append(branch, a)
		} else {
			main = append(main, a)
		}
	}
	ff.Sites = []fleetSite{{Name: "simulated", Ranges: addrRanges(main)}}
	if len(branch) > 0 {
		ff.Sites = append(ff.Sites, fleetSite{Name: "branch", Ranges: addrRanges(branch), Method: "relay"})
	}
	var pwAddrs []netip.Addr
	for a := range o.AdminPasswords {
		pwAddrs = append(pwAddrs, a)
	}
	slices.SortFunc(pwAddrs, func(a, b netip.Addr) int { return a.Compare(b) })
	for _, a := range pwAddrs {
		rel := filepath.Join(adminPasswordDir, a.String())
		if err := os.MkdirAll(filepath.Join(dir, adminPasswordDir), 0o700); err != nil {
			return fmt.Errorf("state dir: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, rel), []byte(o.AdminPasswords[a].Reveal()+"\n"), 0o600); err != nil {
			return fmt.Errorf("state dir: %w", err)
		}
		ff.Credentials = append(ff.Credentials, fleetCredential{Address: a.String(), User: AdminUser, PasswordFile: rel})
	}
	if f.Gmail != nil {
		if err := f.Gmail.WriteCA(filepath.Join(dir, GmailCAFile)); err != nil {
			return fmt.Errorf("state dir: %w", err)
		}
		pwPath := filepath.Join(dir, AppPasswordFile)
		if err := os.WriteFile(pwPath, []byte(f.AppPassword.Reveal()+"\n"), 0o600); err != nil {
			return fmt.Errorf("state dir: %w", err)
		}
		if err := os.Chmod(pwPath, 0o600); err != nil { // an older file keeps its mode otherwise
			return fmt.Errorf("state dir: %w", err)
		}
		listPath := filepath.Join(dir, AppPasswordsFile)
		if _, err := os.Stat(listPath); errors.Is(err, os.ErrNotExist) {
			body := "# The Gmail stand-in's app passwords, one a line: add a line to create one,\n" +
				"# delete it to revoke it (535 5.7.8, as Gmail). Read again while mfpsim runs.\n" +
				f.AppPassword.Reveal() + "\n"
			if err := os.WriteFile(listPath, []byte(body), 0o600); err != nil {
				return fmt.Errorf("state dir: %w", err)
			}
		}
		g := f.Gmail.GmailConfig(GmailCAFile)
		ff.Gmail = &fleetGmail{
			Account: f.Account, SMTPHost: g.SMTPHost, StartTLSPort: g.StartTLSPort, TLSPort: g.TLSPort,
			IMAPHost: g.IMAPHost, IMAPPort: g.IMAPPort, CAFile: GmailCAFile, PasswordFile: AppPasswordFile,
			DeviceSMTPHost: "smtp.gmail.com", DevicePort: 587,
		}
		if f.Gmail.RelayStartTLSAddr != "" {
			rh, rp, _ := net.SplitHostPort(f.Gmail.RelayStartTLSAddr)
			_, rtp, _ := net.SplitHostPort(f.Gmail.RelayTLSAddr)
			ff.Gmail.RelayHost, ff.Gmail.DeviceRelayHost = rh, "smtp-relay.gmail.com"
			ff.Gmail.RelayStartTLSPort, _ = strconv.Atoi(rp)
			ff.Gmail.RelayTLSPort, _ = strconv.Atoi(rtp)
		}
	}
	// Every simulated device is an IP literal in 127.0.0.0/8: keep the
	// browser's own lookups (and traffic) off the network.
	ff.Browser.Flags = []string{"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.*"}
	body, err := toml.Marshal(ff)
	if err != nil {
		return fmt.Errorf("fleet.toml: %w", err)
	}
	var b bytes.Buffer
	b.WriteString("# Written by mfpsim for the simulated fleet it is running; rewritten on\n")
	b.WriteString("# every start. Use it with: mfpfleet --config " + filepath.Join(dir, FleetConfigFile) + " …\n")
	b.WriteString("# [gmail] points at mfpsim's local Gmail stand-in; the devices' own\n")
	b.WriteString("# \"smtp.gmail.com\" reaches it too. The app password is in " + AppPasswordFile + ".\n\n")
	b.Write(body)
	path := filepath.Join(dir, FleetConfigFile)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("state dir: %w", err)
	}
	f.ConfigPath = path
	return nil
}

// addrRanges writes sorted addresses as fleet.toml ranges: runs within
// one /24 as "a.b.c.x-y", single addresses as they are.
func addrRanges(addrs []netip.Addr) []string {
	addrs = slices.Clone(addrs)
	slices.SortFunc(addrs, func(a, b netip.Addr) int { return a.Compare(b) })
	addrs = slices.Compact(addrs)
	var out []string
	for i := 0; i < len(addrs); {
		j := i
		for j+1 < len(addrs) && addrs[j+1] == addrs[j].Next() && addrs[j+1].As4()[3] != 0 {
			j++
		}
		if i == j {
			out = append(out, addrs[i].String())
		} else {
			out = append(out, addrs[i].String()+"-"+strconv.Itoa(int(addrs[j].As4()[3])))
		}
		i = j + 1
	}
	return out
}

// ClientTLS is a TLS client configuration that trusts the stand-in (for
// tests that talk to it directly).
func (f *Fleet) ClientTLS() *tls.Config {
	if f.Gmail == nil {
		return nil
	}
	return f.Gmail.ClientTLS()
}
