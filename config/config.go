// Package config loads and validates fleet.toml, mfpfleet's configuration.
//
// Decoding is strict: an unknown key or a value of the wrong type is an
// error that names the key and the line. Secrets (SNMPv3 passwords, device
// admin passwords) are never stored in the Config as plain strings: a
// SecretRef names where the secret comes from (an environment variable, a
// file, or, discouraged, the config itself) and Resolve returns a Secret
// that redacts itself when printed or logged.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"os"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// Config is the whole of fleet.toml. Every key is documented in
// fleet.example.toml at the repository root.
type Config struct {
	Inventory   Inventory    `toml:"inventory"`
	Discovery   Discovery    `toml:"discovery"`
	SNMP        SNMP         `toml:"snmp"`
	Sites       []Site       `toml:"sites"`
	Credentials []AdminLogin `toml:"credentials"`
	Gmail       Gmail        `toml:"gmail"`
	Rollout     Rollout      `toml:"rollout"`
	Browser     Browser      `toml:"browser"`

	// Path is the file the config was read from ("" for defaults).
	Path string `toml:"-"`
	// Warnings are non-fatal remarks found while loading (for example a
	// plaintext password in the file). The CLI prints them on stderr.
	Warnings []string `toml:"-"`
}

// Inventory configures the inventory.
type Inventory struct {
	// Path of the SQLite file, relative to the config file's folder, or
	// a postgres:// URL of a PostgreSQL database shared by many sites.
	Path string `toml:"path"`
}

// Discovery holds the defaults of `mfpfleet discover`.
type Discovery struct {
	Rate         int      `toml:"rate"`          // packets per second
	Timeout      Duration `toml:"timeout"`       // wait for a reply, per attempt
	Retries      int      `toml:"retries"`       // second passes for non-responders
	Port         int      `toml:"port"`          // UDP port, 161
	AllowLarge   bool     `toml:"allow_large"`   // consent to sweep /16 or larger without --yes
	AllSNMP      bool     `toml:"all_snmp"`      // keep non-printers too
	SNMPVersions []string `toml:"snmp_versions"` // "1", "2c", "3"; empty = all
}

// SNMP holds the credentials tried during discovery.
type SNMP struct {
	Communities []string `toml:"communities"`
	V3          []SNMPv3 `toml:"v3"`
}

// SNMPv3 is one USM user.
type SNMPv3 struct {
	User             string `toml:"user"`
	AuthProtocol     string `toml:"auth_protocol"` // MD5, SHA, SHA224, SHA256, SHA384, SHA512; "" = noAuthNoPriv
	AuthPasswordEnv  string `toml:"auth_password_env"`
	AuthPasswordFile string `toml:"auth_password_file"`
	AuthPassword     string `toml:"auth_password"` // discouraged
	PrivProtocol     string `toml:"priv_protocol"` // DES, AES, AES192, AES256; "" = authNoPriv
	PrivPasswordEnv  string `toml:"priv_password_env"`
	PrivPasswordFile string `toml:"priv_password_file"`
	PrivPassword     string `toml:"priv_password"` // discouraged
	ContextName      string `toml:"context_name"`
}

// AuthRef returns where the v3 auth password comes from.
func (v SNMPv3) AuthRef() SecretRef {
	return SecretRef{Name: "snmp.v3[" + v.User + "].auth_password", Env: v.AuthPasswordEnv, File: v.AuthPasswordFile, Plain: v.AuthPassword}
}

// PrivRef returns where the v3 privacy password comes from.
func (v SNMPv3) PrivRef() SecretRef {
	return SecretRef{Name: "snmp.v3[" + v.User + "].priv_password", Env: v.PrivPasswordEnv, File: v.PrivPasswordFile, Plain: v.PrivPassword}
}

// Site is a named group of address ranges.
type Site struct {
	Name string `toml:"name"`
	// Ranges are addresses, CIDRs (10.1.0.0/24) or ranges (10.1.0.10-50).
	Ranges []string `toml:"ranges"`
	// AllowHTTP permits plain-HTTP web admin on this site's devices when
	// they have no HTTPS. Off by default.
	AllowHTTP bool `toml:"allow_http"`
	// Account is the Gmail account used for this site's devices
	// (defaults to [gmail] account).
	Account string `toml:"account"`
	// Method is how this site's devices send: MethodAppPassword or
	// MethodRelay ("" = [gmail] method).
	Method string `toml:"method"`
	// EHLODomain is the domain the site's devices are named in when they
	// send through the relay ("" = [gmail] ehlo_domain).
	EHLODomain string `toml:"ehlo_domain"`
}

// The delivery methods.
const (
	// MethodAppPassword: smtp.gmail.com with SMTP AUTH and an app
	// password on every device (consumer Gmail, or Workspace without a
	// fixed public IP).
	MethodAppPassword = "app-password"
	// MethodRelay: Google Workspace's SMTP relay, smtp-relay.gmail.com,
	// the site's public IP allow-listed (no secret on the device), or
	// with SMTP AUTH when [gmail] relay_auth is on.
	MethodRelay = "relay"
)

// AdminLogin is a device web-admin credential. The most specific match
// wins: address, then model, then vendor, then site, then a catch-all.
type AdminLogin struct {
	Site         string `toml:"site"`
	Vendor       string `toml:"vendor"`
	Model        string `toml:"model"`
	Address      string `toml:"address"` // address, CIDR or range
	User         string `toml:"user"`
	PasswordEnv  string `toml:"password_env"`
	PasswordFile string `toml:"password_file"`
	Password     string `toml:"password"` // discouraged: warned about
}

// Ref returns where this login's password comes from.
func (a AdminLogin) Ref() SecretRef {
	return SecretRef{Name: "credentials[" + a.describe() + "].password", Env: a.PasswordEnv, File: a.PasswordFile, Plain: a.Password}
}

func (a AdminLogin) describe() string {
	var parts []string
	for _, kv := range [][2]string{{"site", a.Site}, {"vendor", a.Vendor}, {"model", a.Model}, {"address", a.Address}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if len(parts) == 0 {
		return "*"
	}
	return strings.Join(parts, ",")
}

// Gmail says which account the devices send with and where Gmail is
// reached. The hosts and ports are settable so tests and the simulator
// can point them at a local stand-in.
type Gmail struct {
	Account      string `toml:"account"`
	SMTPHost     string `toml:"smtp_host"`
	StartTLSPort int    `toml:"starttls_port"`
	TLSPort      int    `toml:"tls_port"`
	IMAPHost     string `toml:"imap_host"`
	IMAPPort     int    `toml:"imap_port"`
	CAFile       string `toml:"ca_file"`
	// DevicePort is the pairing written into devices: 587 (STARTTLS) or
	// 465 (SSL/TLS).
	DevicePort int `toml:"device_port"`
	// DeviceSMTPHost is the SMTP server name written into devices.
	DeviceSMTPHost string `toml:"device_smtp_host"`
	// PasswordFile and PasswordEnv say where the app password is read
	// from when neither --password-stdin nor --password-file is given.
	PasswordFile string `toml:"password_file"`
	PasswordEnv  string `toml:"password_env"`

	// Method is the default delivery method: MethodAppPassword or
	// MethodRelay (per site: [[sites]] method).
	Method string `toml:"method"`
	// RelayHost and its ports are where the relay preflight connects
	// (tests point them at a stand-in, like smtp_host).
	RelayHost         string `toml:"relay_host"`
	RelayStartTLSPort int    `toml:"relay_starttls_port"`
	RelayTLSPort      int    `toml:"relay_tls_port"`
	// DeviceRelayHost is the relay's name written into devices.
	DeviceRelayHost string `toml:"device_relay_host"`
	// RelayAuth: the Admin console's relay rule has "Require SMTP
	// Authentication": devices log in with the account and an app
	// password, as with MethodAppPassword, but through the relay.
	RelayAuth bool `toml:"relay_auth"`
	// EHLODomain is the domain the devices' host names are put in so that
	// their EHLO is a fully qualified name ("" = the account's domain).
	EHLODomain string `toml:"ehlo_domain"`
}

// Rollout holds the defaults of push, test and rotate.
type Rollout struct {
	Parallel           int      `toml:"parallel"`
	LoginAttemptBudget int      `toml:"login_attempt_budget"` // wrong admin passwords per device, across runs
	StepTimeout        Duration `toml:"step_timeout"`
	ConfirmTimeout     Duration `toml:"confirm_timeout"`
	Retries            int      `toml:"retries"` // transient failures per device
	ArtifactsDir       string   `toml:"artifacts_dir"`
	SiteLabels         bool     `toml:"site_labels"`     // one app password per site instead of per device
	LabelPasswords     string   `toml:"label_passwords"` // file of serial,password lines (mode 0600): passwords printed on devices' labels
}

// Browser configures the headless Chromium.
type Browser struct {
	Path  string   `toml:"path"`  // "" = chromium-headless-shell / chromium / google-chrome on PATH
	Flags []string `toml:"flags"` // extra command-line flags, "--name=value"
	// SiteIsolation keeps Chromium's per-site renderer processes (slower).
	SiteIsolation bool `toml:"site_isolation"`
	// RenderFrames has the headless shell draw frames as a visible
	// browser does, instead of only while a driver waits or saves a
	// screenshot (drivers.BrowserOptions.RenderFrames).
	RenderFrames bool `toml:"render_frames"`
	// TabsPerBrowser starts another Chromium for every so many devices
	// in flight (0: the default, 16).
	TabsPerBrowser int `toml:"tabs_per_browser"`
}

// Duration is a time.Duration written as "1.5s", "2m" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (write e.g. \"1.5s\" or \"2m\")", b)
	}
	if v < 0 {
		return fmt.Errorf("duration %q is negative", b)
	}
	d.Duration = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }

// Default returns the configuration used when keys are absent.
func Default() Config {
	return Config{
		Inventory: Inventory{Path: "fleet.db"},
		Discovery: Discovery{Rate: 2000, Timeout: Duration{800 * time.Millisecond}, Retries: 1, Port: 161},
		SNMP:      SNMP{Communities: []string{"public"}},
		Gmail: Gmail{
			SMTPHost: "smtp.gmail.com", StartTLSPort: 587, TLSPort: 465,
			IMAPHost: "imap.gmail.com", IMAPPort: 993,
			DevicePort: 587, DeviceSMTPHost: "smtp.gmail.com",
			PasswordEnv: "MFPFLEET_APP_PASSWORD",
			Method:      MethodAppPassword,
			RelayHost:   "smtp-relay.gmail.com", RelayStartTLSPort: 587, RelayTLSPort: 465,
			DeviceRelayHost: "smtp-relay.gmail.com",
		},
		Rollout: Rollout{
			Parallel: 4, LoginAttemptBudget: 0, Retries: 2,
			StepTimeout: Duration{30 * time.Second}, ConfirmTimeout: Duration{2 * time.Minute},
			ArtifactsDir: "mfpfleet-artifacts",
		},
	}
}

// ErrNotFound is returned by Load when the file does not exist.
var ErrNotFound = errors.New("config file not found")

// Load reads path strictly over the defaults. Relative paths inside the
// file (inventory, password files, CA file, artifacts) are resolved
// against the file's folder.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w (copy fleet.example.toml to fleet.toml, or pass --config)", path, ErrNotFound)
		}
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.Path = path
	c.resolvePaths()
	return c, nil
}

// Parse decodes TOML bytes strictly over the defaults and validates them.
func Parse(b []byte) (*Config, error) {
	c := Default()
	dec := toml.NewDecoder(bytes.NewReader(b)).DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, pathHint(describeDecodeError(err))
	}
	if err := c.checkPathChars(); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func describeDecodeError(err error) error {
	var sme *toml.StrictMissingError
	if errors.As(err, &sme) {
		var msgs []string
		for _, e := range sme.Errors {
			row, col := e.Position()
			msgs = append(msgs, fmt.Sprintf("line %d, column %d: unknown key %q (see fleet.example.toml for the keys that exist)", row, col, strings.Join(e.Key(), ".")))
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		key := strings.Join(de.Key(), ".")
		if key != "" {
			return fmt.Errorf("line %d, column %d: key %q: %s", row, col, key, de.Error())
		}
		return fmt.Errorf("line %d, column %d: %s", row, col, de.Error())
	}
	return err
}

// Validate checks values that decode but make no sense, and collects
// warnings about plaintext secrets.
func (c *Config) Validate() error {
	var errs []error
	if c.Discovery.Rate <= 0 {
		errs = append(errs, errors.New("discovery.rate must be a positive number of packets per second"))
	}
	if c.Discovery.Port <= 0 || c.Discovery.Port > 65535 {
		errs = append(errs, fmt.Errorf("discovery.port %d is not a UDP port", c.Discovery.Port))
	}
	for _, v := range c.Discovery.SNMPVersions {
		if v != "1" && v != "2c" && v != "3" {
			errs = append(errs, fmt.Errorf("discovery.snmp_versions: %q is not one of \"1\", \"2c\", \"3\"", v))
		}
	}
	for i, u := range c.SNMP.V3 {
		if u.User == "" {
			errs = append(errs, fmt.Errorf("snmp.v3[%d]: user is missing", i))
		}
		switch strings.ToUpper(u.AuthProtocol) {
		case "", "MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512":
		default:
			errs = append(errs, fmt.Errorf("snmp.v3[%s]: auth_protocol %q is not MD5, SHA, SHA224, SHA256, SHA384 or SHA512", u.User, u.AuthProtocol))
		}
		switch strings.ToUpper(u.PrivProtocol) {
		case "", "DES", "AES", "AES192", "AES256", "AES192C", "AES256C":
		default:
			errs = append(errs, fmt.Errorf("snmp.v3[%s]: priv_protocol %q is not DES, AES, AES192 or AES256", u.User, u.PrivProtocol))
		}
		if u.PrivProtocol != "" && u.AuthProtocol == "" {
			errs = append(errs, fmt.Errorf("snmp.v3[%s]: priv_protocol needs an auth_protocol too (SNMPv3 has no privacy without authentication)", u.User))
		}
		if u.AuthProtocol != "" && u.AuthRef().empty() {
			errs = append(errs, fmt.Errorf("snmp.v3[%s]: auth password is missing, required for SNMPv3 with auth: set auth_password_env or auth_password_file", u.User))
		}
		if u.PrivProtocol != "" && u.PrivRef().empty() {
			errs = append(errs, fmt.Errorf("snmp.v3[%s]: priv password is missing, required for SNMPv3 with priv: set priv_password_env or priv_password_file", u.User))
		}
		if u.AuthPassword != "" || u.PrivPassword != "" {
			c.Warnings = append(c.Warnings, fmt.Sprintf("snmp.v3[%s] has a plaintext password in the config file; prefer auth_password_env/auth_password_file", u.User))
		}
	}
	seen := map[string]bool{}
	for i, s := range c.Sites {
		if s.Name == "" {
			errs = append(errs, fmt.Errorf("sites[%d]: name is missing", i))
		}
		if seen[s.Name] {
			errs = append(errs, fmt.Errorf("sites: %q is defined twice", s.Name))
		}
		seen[s.Name] = true
		if s.Account != "" && !validEmail(s.Account) {
			errs = append(errs, fmt.Errorf("sites[%s].account %q is not an e-mail address", s.Name, s.Account))
		}
		if s.Method != "" && s.Method != MethodAppPassword && s.Method != MethodRelay {
			errs = append(errs, fmt.Errorf("sites[%s].method %q: use %q or %q", s.Name, s.Method, MethodAppPassword, MethodRelay))
		}
		if s.EHLODomain != "" && !validDomain(s.EHLODomain) {
			errs = append(errs, fmt.Errorf("sites[%s].ehlo_domain %q is not a domain name such as client.example", s.Name, s.EHLODomain))
		}
	}
	for _, a := range c.Credentials {
		if a.Site != "" && !seen[a.Site] {
			errs = append(errs, fmt.Errorf("credentials[%s]: site %q is not defined under [[sites]]", a.describe(), a.Site))
		}
		n := 0
		for _, s := range []string{a.PasswordEnv, a.PasswordFile, a.Password} {
			if s != "" {
				n++
			}
		}
		if n > 1 {
			errs = append(errs, fmt.Errorf("credentials[%s]: give only one of password_env, password_file, password", a.describe()))
		}
		if a.Password != "" {
			c.Warnings = append(c.Warnings, fmt.Sprintf("credentials[%s] has a plaintext password in the config file; prefer password_env or password_file", a.describe()))
		}
	}
	if c.Gmail.Account != "" && !validEmail(c.Gmail.Account) {
		errs = append(errs, fmt.Errorf("gmail.account %q is not an e-mail address", c.Gmail.Account))
	}
	if c.Gmail.Method != MethodAppPassword && c.Gmail.Method != MethodRelay {
		errs = append(errs, fmt.Errorf("gmail.method %q: use %q (smtp.gmail.com, an app password on each device) or %q (Google Workspace's smtp-relay.gmail.com)", c.Gmail.Method, MethodAppPassword, MethodRelay))
	}
	if c.Gmail.EHLODomain != "" && !validDomain(c.Gmail.EHLODomain) {
		errs = append(errs, fmt.Errorf("gmail.ehlo_domain %q is not a domain name such as client.example", c.Gmail.EHLODomain))
	}
	for _, p := range []struct {
		key string
		v   int
	}{{"relay_starttls_port", c.Gmail.RelayStartTLSPort}, {"relay_tls_port", c.Gmail.RelayTLSPort}} {
		if p.v < 1 || p.v > 65535 {
			errs = append(errs, fmt.Errorf("gmail.%s %d is not a TCP port", p.key, p.v))
		}
	}
	for _, s := range append([]Site{{Name: ""}}, c.Sites...) {
		if s.Name != "" && s.Method == "" && s.Account == "" {
			continue
		}
		acct := c.AccountFor(s.Name)
		if c.MethodFor(s.Name) == MethodRelay && isConsumerGmail(acct) {
			where := "gmail.method"
			if s.Name != "" {
				where = "sites[" + s.Name + "].method"
			}
			errs = append(errs, fmt.Errorf("%s = \"relay\" but the account %s is consumer Gmail: the SMTP relay serves Google Workspace domains only; set the account to a Workspace address or use \"app-password\"", where, acct))
		}
	}
	if c.Gmail.DevicePort != 587 && c.Gmail.DevicePort != 465 {
		errs = append(errs, fmt.Errorf("gmail.device_port must be 587 (STARTTLS) or 465 (SSL/TLS), not %d", c.Gmail.DevicePort))
	}
	if c.Rollout.Parallel < 0 {
		errs = append(errs, errors.New("rollout.parallel must be 0 (auto: from the machine's cores and memory) or a number of devices"))
	}
	if c.Browser.TabsPerBrowser < 0 {
		errs = append(errs, errors.New("browser.tabs_per_browser cannot be negative (0: the default, a Chromium per 16 tabs)"))
	}
	if c.Rollout.LoginAttemptBudget < 0 {
		errs = append(errs, errors.New("rollout.login_attempt_budget cannot be negative"))
	}
	return errors.Join(errs...)
}

func isConsumerGmail(acct string) bool {
	a := strings.ToLower(acct)
	return strings.HasSuffix(a, "@gmail.com") || strings.HasSuffix(a, "@googlemail.com")
}

// validDomain reports whether s is a fully qualified domain name.
func validDomain(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if !strings.Contains(s, ".") || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s, "@")
}

// Site returns the site called name.
func (c *Config) Site(name string) (Site, bool) {
	for _, s := range c.Sites {
		if s.Name == name {
			return s, true
		}
	}
	return Site{}, false
}

// AccountFor returns the Gmail account for a site (the site's own, else
// [gmail] account).
func (c *Config) AccountFor(site string) string {
	if s, ok := c.Site(site); ok && s.Account != "" {
		return s.Account
	}
	return c.Gmail.Account
}

// MethodFor returns the delivery method for a site (the site's own, else
// [gmail] method, else MethodAppPassword).
func (c *Config) MethodFor(site string) string {
	if s, ok := c.Site(site); ok && s.Method != "" {
		return s.Method
	}
	if c.Gmail.Method == "" {
		return MethodAppPassword
	}
	return c.Gmail.Method
}

// EHLODomainFor returns the domain a site's devices are named in for the
// relay: the site's ehlo_domain, else [gmail] ehlo_domain, else the
// domain of the site's account.
func (c *Config) EHLODomainFor(site string) string {
	if s, ok := c.Site(site); ok && s.EHLODomain != "" {
		return strings.ToLower(strings.TrimSuffix(s.EHLODomain, "."))
	}
	if c.Gmail.EHLODomain != "" {
		return strings.ToLower(strings.TrimSuffix(c.Gmail.EHLODomain, "."))
	}
	acct := c.AccountFor(site)
	if at := strings.LastIndexByte(acct, '@'); at >= 0 {
		return strings.ToLower(acct[at+1:])
	}
	return ""
}

func (c *Config) resolvePaths() {
	c.Inventory.Path = c.rel(c.Inventory.Path)
	c.Gmail.CAFile = c.rel(c.Gmail.CAFile)
	c.Gmail.PasswordFile = c.rel(c.Gmail.PasswordFile)
	c.Rollout.ArtifactsDir = c.rel(c.Rollout.ArtifactsDir)
	c.Rollout.LabelPasswords = c.rel(c.Rollout.LabelPasswords)
	for i := range c.Credentials {
		c.Credentials[i].PasswordFile = c.rel(c.Credentials[i].PasswordFile)
	}
	for i := range c.SNMP.V3 {
		c.SNMP.V3[i].AuthPasswordFile = c.rel(c.SNMP.V3[i].AuthPasswordFile)
		c.SNMP.V3[i].PrivPasswordFile = c.rel(c.SNMP.V3[i].PrivPasswordFile)
	}
}
