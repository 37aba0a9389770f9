// Package sim is mfpfleet's simulated printer fleet, for tests, benchmarks
// and demos (cmd/mfpsim). It never talks to anything outside 127.0.0.0/8.
//
// The SNMP side (ServeSNMP, the model Catalog, SyntheticTable,
// StartSNMPFleet) answers as the catalogued models do. The web side
// (Device) is a Xerox device's embedded web admin, modelled on the three
// real families of docs/vendors.md: the ConnectKey/AltaLink PHP
// pages (PHPSESSID, hidden CSRFToken, /userpost/xerox.set and
// /dummypost/xerox.set), the VersaLink single-page app (/LOGIN.cmd with
// base64 NAME/PSW, cookie ssid, *.cmd JSON endpoints, a model updated
// only by input/change events) and the Fuji-Xerox-made WorkCentres (HTTP
// Basic, numeric field names, SMTP TLS on its own page, no test action).
// A Device enforces its admin password (1111, the serial number, or one
// set by option), locks the admin out after a number of failed logins
// until PowerCycle, keeps "save new password" semantics, and sends its
// test e-mails and scans over real SMTP (STARTTLS, implicit TLS, AUTH
// PLAIN/LOGIN; TLS 1.0-only and unencrypted firmware too) through a name
// override to the Gmail stand-in. Faults (slow pages, dropped sessions,
// reboots mid-save, another firmware's field names, lock-out) switch on
// per device. StartFleet runs all of it and writes a ready fleet.toml.
package sim

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// SMTP client capabilities of a model's firmware (DeviceOptions.SMTPTLS).
const (
	SMTPTLS12   = "tls12" // modern firmware: TLS 1.2 and later
	SMTPTLS10   = "tls10" // pre-2017 firmware: TLS 1.0 only
	SMTPTLSNone = "none"  // no SMTP encryption at all (no security options on its pages)
)

// Firmware variants of a family's web admin (DeviceOptions.UI).
const (
	// UIClassic is the family's web admin as the simulator first had it:
	// ConnectKey's login.php form, the VersaLink app at /home/index.html.
	UIClassic = ""
	// UIHeaderLogin is current ConnectKey firmware (a current AltaLink
	// C8055, and the newer VersaLink generation such as the B415, which
	// serves these PHP pages rather than the /home/index.html app): tabs
	// under /stat/welcome.php, /properties/blank.php, … and a header
	// login button (#globalHeaderLoginBtn, OpenLogin('stat')) that opens
	// a login dialog. login.php answers with the header page on AltaLink
	// and not at all on VersaLink (see docs/vendors.md, "Field
	// captures").
	UIHeaderLogin = "header-login"
)

// AdminUser is the administrator's user name on every simulated device.
const AdminUser = "admin"

// DefaultLockoutAfter is how many failed administrator logins lock a device
// when DeviceOptions.LockoutAfter is 0.
const DefaultLockoutAfter = 5

// Security is a device's SMTP connection security.
type Security string

// The SMTP connection securities a device can be set to.
const (
	SecurityNone            Security = "none"              // plain text
	SecuritySTARTTLSIfAvail Security = "starttls-if-avail" // STARTTLS when offered, else plain text
	SecuritySTARTTLS        Security = "starttls"          // STARTTLS required
	SecurityTLS             Security = "tls"               // implicit TLS (SMTPS, "SSL/TLS")
)

// SMTPAuth is whether and how the device authenticates to its SMTP server.
type SMTPAuth string

// The SMTP authentication modes.
const (
	AuthNone          SMTPAuth = "none"
	AuthSMTP          SMTPAuth = "smtp-auth"       // "Device" credentials / "SMTP AUTH"
	AuthPOPBeforeSMTP SMTPAuth = "pop-before-smtp" // Fuji-Xerox-made models only; the simulator cannot do it
)

// SMTPSettings is a device's SMTP configuration as its pages would show
// it. The password itself is not included: PasswordSet says whether one
// is stored and Device.SMTPPasswordIs compares it.
type SMTPSettings struct {
	Server       string   `json:"server"`
	Port         int      `json:"port"`
	From         string   `json:"from"` // "Device Email", "Email 'From' Address", "Return Email Address"
	Security     Security `json:"security"`
	ValidateCert bool     `json:"validate_cert"`
	Auth         SMTPAuth `json:"auth"`
	User         string   `json:"user"`
	PasswordSet  bool     `json:"password_set"`
}

// Faults are misbehaviours a device can be switched to, per device.
type Faults struct {
	// Slow delays every web response by this long.
	Slow time.Duration `json:"slow,omitempty"`
	// DropSessionAfter invalidates an admin session after this many
	// authenticated requests (0 = never). Fuji-Xerox-made devices, which
	// have no session, answer 401 once instead.
	DropSessionAfter int `json:"drop_session_after,omitempty"`
	// RebootOnSave makes every settings save reboot the device: the save
	// is not applied, the connection is closed, sessions are lost and the
	// web admin does not answer for this long.
	RebootOnSave time.Duration `json:"reboot_on_save,omitempty"`
	// AltLayout serves the pages of another firmware: field names and ids
	// differ, labels are the same.
	AltLayout bool `json:"alt_layout,omitempty"`
	// LockedOut starts (and, after each power-cycle, restarts) the device
	// with its administrator locked out.
	LockedOut bool `json:"locked_out,omitempty"`
}

// DeviceOptions describe one simulated device.
type DeviceOptions struct {
	Model  string // as a person writes it: "AltaLink C8045"
	Family string // a registered WebAdmin family (WebFamilies)
	// UI is the firmware variant of the family's web admin: UIClassic
	// ("") or UIHeaderLogin (ConnectKey only).
	UI       string
	Serial   string
	MAC      string
	Firmware string
	// SMTPTLS is the firmware's SMTP client capability: SMTPTLS12 (""),
	// SMTPTLS10 or SMTPTLSNone.
	SMTPTLS string
	// PasswordIsSerial makes the default admin password the serial number
	// (case-sensitive) instead of 1111.
	PasswordIsSerial bool
	// AdminPassword overrides the default admin password.
	AdminPassword string
	// LockoutAfter is the number of failed admin logins that lock the
	// admin out until a power-cycle: 0 means DefaultLockoutAfter, a
	// negative number never locks.
	LockoutAfter int
	// SessionTTL is how long an idle admin session lives (0 = 15 minutes).
	SessionTTL time.Duration
	Faults     Faults
	// Latency is the device's speed (zero: loopback speed); see
	// RealisticLatency.
	Latency Latency

	// SMTPRoutes overrides where the device's SMTP client connects:
	// "smtp.gmail.com:587" → "127.0.0.1:40587". Names not listed do not
	// resolve; loopback IP literals are dialled as they are. Nothing
	// outside 127.0.0.0/8 is ever dialled.
	SMTPRoutes map[string]string
	// SMTPRootCAs are the CAs the device's SMTP client trusts (nil = the
	// system's).
	SMTPRootCAs *x509.CertPool
	// SMTPTimeout bounds one SMTP conversation (0 = 20 s).
	SMTPTimeout time.Duration

	Logger *slog.Logger
}

// Job is one entry of a device's job log.
type Job struct {
	ID        int       `json:"id"`
	Name      string    `json:"name"` // "Test Email", "Scan to Email"
	To        string    `json:"to"`
	Submitted time.Time `json:"submitted"`
	Completed time.Time `json:"completed"`
	OK        bool      `json:"ok"`
	// Fault is the device fault code of a failed job ("016-781" on
	// VersaLink), "" otherwise.
	Fault string `json:"fault,omitempty"`
	// Result is "Completed" or the reason the job failed, as the device
	// shows it (the SMTP server's reply where there was one).
	Result string `json:"result"`
	// TLSVersion is the TLS version the SMTP conversation used, "" for
	// plain text.
	TLSVersion string `json:"tls_version,omitempty"`
}

// LoginResult is the outcome of one administrator login attempt.
type LoginResult int

// Login outcomes.
const (
	LoginOK LoginResult = iota
	LoginBadCredentials
	LoginLockedOut
)

// Device is one simulated Xerox device: identity, state and web admin.
// It is safe for concurrent use.
type Device struct {
	opts  DeviceOptions
	admin WebAdmin // the family's simulated web admin
	log   *slog.Logger

	mu           sync.Mutex
	adminPW      string
	failed       int
	locked       bool
	smtp         SMTPSettings
	smtpPW       string
	jobs         []Job
	nextJob      int
	sessions     map[string]*session
	downUntil    time.Time
	faults       Faults
	cert         tls.Certificate
	certFP       string
	powerCycles  int
	fxConnStatus string
	netHost      string // TCP/IP page (network.go); "" = defaultHostName
	netDomain    string
	fxAuthCount  int
	lastTest     string
	lat          *latencyState // nil: no latency model
	lockedAt     time.Time     // when a timed lock-out began (a family's own login check keeps it)

	webMu   sync.Mutex
	web     []*http.Server
	webURLs []string
	addr    netip.Addr
}

// NewDevice makes a device from opts, with factory SMTP settings and its
// own self-signed certificate.
func NewDevice(opts DeviceOptions) (*Device, error) {
	admin, err := checkWebAdmin(opts.Family, opts.UI)
	if err != nil {
		return nil, err
	}
	switch opts.SMTPTLS {
	case "":
		opts.SMTPTLS = SMTPTLS12
	case SMTPTLS12, SMTPTLS10, SMTPTLSNone:
	default:
		return nil, fmt.Errorf("sim: SMTPTLS %q is not %q, %q or %q", opts.SMTPTLS, SMTPTLS12, SMTPTLS10, SMTPTLSNone)
	}
	if opts.Serial == "" {
		return nil, errors.New("sim: a device needs a serial number")
	}
	if opts.LockoutAfter == 0 {
		opts.LockoutAfter = cmp.Or(admin.LockoutAfter, DefaultLockoutAfter)
	}
	if opts.SessionTTL == 0 {
		opts.SessionTTL = 15 * time.Minute
	}
	if opts.SMTPTimeout == 0 {
		opts.SMTPTimeout = 20 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	d := &Device{opts: opts, admin: admin, log: opts.Logger.With("model", opts.Model, "serial", opts.Serial)}
	d.adminPW = opts.AdminPassword
	if d.adminPW == "" {
		d.adminPW = d.DefaultAdminPassword()
	}
	d.faults = opts.Faults
	if !opts.Latency.Zero() {
		d.lat = newLatencyState(opts.Latency, opts.Serial)
	}
	d.factoryReset()
	d.resetVolatile()
	if err := d.ReplaceCertificate(); err != nil {
		return nil, err
	}
	return d, nil
}

// DefaultAdminPassword is the factory admin password: the family's
// (WebAdmin.DefaultPassword), else the serial number on models and
// firmware that ship with it, else none.
func (d *Device) DefaultAdminPassword() string {
	if d.admin.DefaultPassword != nil {
		return d.admin.DefaultPassword(d)
	}
	if d.opts.PasswordIsSerial {
		return d.opts.Serial
	}
	return ""
}

func (d *Device) factoryReset() {
	d.smtp = SMTPSettings{Port: 25, Security: SecurityNone, Auth: AuthNone}
	d.smtpPW = ""
	d.fxConnStatus = "Not Checked"
}

// resetVolatile is what a power-cycle clears. d.mu must be held (or d
// not yet shared).
func (d *Device) resetVolatile() {
	d.failed = 0
	d.locked = d.faults.LockedOut
	d.sessions = map[string]*session{}
	d.fxAuthCount = 0
	d.lastTest = ""
	d.lockedAt = time.Time{}
}

// Options returns the options the device was made with.
func (d *Device) Options() DeviceOptions { return d.opts }

// Model, Family and Serial return the device's identity.
func (d *Device) Model() string { return d.opts.Model }

// Family returns the device's web-admin family.
func (d *Device) Family() string { return d.opts.Family }

// Serial returns the device's serial number.
func (d *Device) Serial() string { return d.opts.Serial }

// SMTP returns the device's current SMTP settings.
func (d *Device) SMTP() SMTPSettings {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.smtp
	s.PasswordSet = d.smtpPW != ""
	return s
}

// SetSMTP replaces the SMTP settings and, when password is non-nil, the
// stored SMTP password (tests use it to set a starting state).
func (d *Device) SetSMTP(s SMTPSettings, password *string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.smtp = s
	if password != nil {
		d.smtpPW = *password
	}
}

// SMTPPasswordIs reports whether the stored SMTP password equals v,
// without revealing it.
func (d *Device) SMTPPasswordIs(v string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return subtle.ConstantTimeCompare([]byte(d.smtpPW), []byte(v)) == 1
}

// SetAdminPassword changes the admin password (a technician's change).
func (d *Device) SetAdminPassword(pw string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.adminPW = pw
}

// FailedLogins is the number of failed admin logins since the last
// power-cycle.
func (d *Device) FailedLogins() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.failed
}

// LockedOut reports whether the admin is locked out.
func (d *Device) LockedOut() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.locked
}

// PowerCycles is how many times the device was power-cycled.
func (d *Device) PowerCycles() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.powerCycles
}

// PowerCycle restarts the device: the failed-login count and lock-out
// are cleared (unless the LockedOut fault is on), sessions are lost,
// settings are kept.
func (d *Device) PowerCycle() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.powerCycles++
	d.downUntil = time.Time{}
	d.resetVolatile()
	d.log.Info("power-cycled")
}

// Faults returns the device's current faults.
func (d *Device) Faults() Faults {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.faults
}

// SetFaults switches the device's faults.
func (d *Device) SetFaults(f Faults) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if f.LockedOut && !d.faults.LockedOut {
		d.locked = true
	}
	d.faults = f
}

// Jobs returns the job log, oldest first.
func (d *Device) Jobs() []Job {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.jobs)
}

// CertFingerprint is the SHA-256 of the web admin's certificate, hex.
func (d *Device) CertFingerprint() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.certFP
}

// ReplaceCertificate gives the web admin a new self-signed certificate
// (and key), as a firmware reset or a replaced device would.
func (d *Device) ReplaceCertificate() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("sim: device key: %w", err)
	}
	sn, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	tmpl := &x509.Certificate{
		SerialNumber: sn,
		Subject: pkix.Name{
			CommonName:   d.admin.Maker + " " + d.opts.Model + " " + d.opts.Serial,
			Organization: []string{cmp.Or(d.admin.Organization, d.admin.Maker)},
		},
		NotBefore:   time.Now().Add(-time.Hour),
		NotAfter:    time.Now().AddDate(10, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	d.webMu.Lock()
	if d.addr.IsValid() {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.IP(d.addr.AsSlice()))
	}
	d.webMu.Unlock()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("sim: device certificate: %w", err)
	}
	sum := sha256.Sum256(der)
	d.mu.Lock()
	d.cert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	d.certFP = hex.EncodeToString(sum[:])
	d.mu.Unlock()
	return nil
}

func (d *Device) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.cert
	return &c, nil
}

// checkAdmin checks an admin login and counts failures. A locked device
// refuses even the right password.
func (d *Device) checkAdmin(user, password string) LoginResult {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.locked {
		d.log.Info("admin login refused: locked out")
		return LoginLockedOut
	}
	okUser := subtle.ConstantTimeCompare([]byte(user), []byte(cmp.Or(d.admin.AdminUser, AdminUser))) == 1
	okPW := subtle.ConstantTimeCompare([]byte(password), []byte(d.adminPW)) == 1
	if okUser && okPW {
		return LoginOK
	}
	d.failed++
	if d.opts.LockoutAfter > 0 && d.failed >= d.opts.LockoutAfter {
		d.locked = true
		d.log.Warn("admin locked out", "failed_logins", d.failed)
	} else {
		d.log.Info("admin login failed", "failed_logins", d.failed)
	}
	return LoginBadCredentials
}

// rebootNow simulates a reboot in the middle of a save. d.mu must be held.
func (d *Device) rebootNow() {
	d.downUntil = time.Now().Add(d.faults.RebootOnSave)
	d.resetVolatile() // a reboot is a restart: sessions, failed logins and lock-out go
	d.log.Warn("rebooting during a save (fault)", "down_for", d.faults.RebootOnSave)
}

func (d *Device) down() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return time.Now().Before(d.downUntil)
}

// addJob records a finished job.
func (d *Device) addJob(j Job) Job {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.nextJob++
	j.ID = d.nextJob
	d.jobs = append(d.jobs, j)
	return j
}

// ScanToEmail simulates a scan to e-mail sent to to with the device's
// current SMTP settings, as a person at the device would start it. It
// blocks until the SMTP conversation ends and returns the job as logged.
func (d *Device) ScanToEmail(ctx context.Context, to string) Job {
	return d.sendJob(ctx, "Scan to Email", to)
}

// TestEmail sends the device's test e-mail (the web admin's test action).
func (d *Device) TestEmail(ctx context.Context, to string) Job {
	return d.sendJob(ctx, "Test Email", to)
}

func (d *Device) sendJob(ctx context.Context, name, to string) Job {
	d.mu.Lock()
	s := d.smtp
	pw := d.smtpPW
	d.mu.Unlock()
	j := Job{Name: name, To: to, Submitted: time.Now()}
	var hold time.Duration
	if d.lat != nil {
		hold = d.lat.draw(d.lat.l.Mail)
	}
	tlsv, err := d.deliver(ctx, s, pw, to, name, hold)
	j.Completed = time.Now()
	j.TLSVersion = tlsv
	if err != nil {
		j.Result = err.Error()
		if d.admin.JobFailure != nil {
			j.Fault, j.Result = d.admin.JobFailure(d, err)
		}
	} else {
		j.OK = true
		j.Result = "Completed"
	}
	j = d.addJob(j)
	d.log.Info("email job", "job", j.ID, "name", name, "ok", j.OK, "result", j.Result, "tls", j.TLSVersion)
	return j
}

// String names the device (never its passwords).
func (d *Device) String() string {
	return fmt.Sprintf("%s %s (%s, serial %s)", d.admin.Maker, d.opts.Model, d.opts.Family, d.opts.Serial)
}
