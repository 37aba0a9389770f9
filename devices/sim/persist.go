package sim

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
)

// Files under FleetOptions.StateDir that keep the simulation across
// restarts with the same --state-dir: each device's web certificate and
// key, SMTP settings (and stored SMTP password) and host name, and the
// Gmail stand-in's accepted app passwords.
const (
	deviceStateDir   = "devices"
	AppPasswordsFile = "app-passwords"
)

// deviceState is what a device keeps across simulator restarts.
type deviceState struct {
	Serial   string       `json:"serial"`
	CertPEM  string       `json:"cert_pem"`
	KeyPEM   string       `json:"key_pem"`
	SMTP     SMTPSettings `json:"smtp"`
	SMTPPW   string       `json:"smtp_password,omitempty"`
	Host     string       `json:"host_name,omitempty"`
	Domain   string       `json:"domain_name,omitempty"`
	PowerCyc int          `json:"power_cycles,omitempty"`
	SavedAt  time.Time    `json:"saved_at"`
}

func (d *Device) exportState() (deviceState, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := deviceState{Serial: d.opts.Serial, SMTP: d.smtp, SMTPPW: d.smtpPW, Host: d.netHost, Domain: d.netDomain,
		PowerCyc: d.powerCycles, SavedAt: time.Now().UTC()}
	st.SMTP.PasswordSet = d.smtpPW != ""
	if len(d.cert.Certificate) > 0 {
		st.CertPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d.cert.Certificate[0]}))
		key, ok := d.cert.PrivateKey.(*ecdsa.PrivateKey)
		if !ok {
			return st, errors.New("device key is not ECDSA")
		}
		der, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return st, err
		}
		st.KeyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	}
	return st, nil
}

func (d *Device) importState(st deviceState) error {
	if st.Serial != d.opts.Serial {
		return fmt.Errorf("state is of device %s, not %s", st.Serial, d.opts.Serial)
	}
	cert, err := tls.X509KeyPair([]byte(st.CertPEM), []byte(st.KeyPEM))
	if err != nil {
		return fmt.Errorf("certificate: %w", err)
	}
	sum := sha256.Sum256(cert.Certificate[0])
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cert, d.certFP = cert, hex.EncodeToString(sum[:])
	st.SMTP.PasswordSet = false
	d.smtp, d.smtpPW = st.SMTP, st.SMTPPW
	d.netHost, d.netDomain = st.Host, st.Domain
	d.powerCycles = st.PowerCyc
	return nil
}

func deviceStatePath(dir string, d *Device) string {
	return filepath.Join(dir, deviceStateDir, d.addrString()+".json")
}

func (d *Device) addrString() string {
	d.webMu.Lock()
	defer d.webMu.Unlock()
	return d.addr.String()
}

// loadDeviceState restores d from dir when a state for the same serial
// number is there; it reports whether it did.
func loadDeviceState(dir string, d *Device) (bool, error) {
	b, err := os.ReadFile(deviceStatePath(dir, d))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var st deviceState
	if err := json.Unmarshal(b, &st); err != nil {
		return false, fmt.Errorf("%s: %w", deviceStatePath(dir, d), err)
	}
	if st.Serial != d.opts.Serial {
		return false, nil // another fleet lived here: start afresh
	}
	if err := d.importState(st); err != nil {
		return false, fmt.Errorf("%s: %w", deviceStatePath(dir, d), err)
	}
	return true, nil
}

// saveDeviceState writes d's state into dir (0600: it holds the SMTP
// password and the certificate's key).
func saveDeviceState(dir string, d *Device) error {
	st, err := d.exportState()
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	p := deviceStatePath(dir, d)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// SaveState writes every device's state into the state dir (a no-op
// without one). StartFleet restores it on the next start.
func (f *Fleet) SaveState() error {
	if f.stateDir == "" {
		return nil
	}
	var errs []error
	for _, fd := range f.Devices {
		if fd.Web != nil {
			if err := saveDeviceState(f.stateDir, fd.Web); err != nil {
				errs = append(errs, fmt.Errorf("%s: save state: %w", fd.Addr, err))
			}
		}
	}
	return errors.Join(errs...)
}

// readAppPasswords reads the app-passwords file: one app password per
// line (spaces ignored, # comments).
func readAppPasswords(path string) ([]config.Secret, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []config.Secret
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		v := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(line), " ", ""))
		if v == "" {
			continue
		}
		if !validAppPassword(v) {
			return nil, fmt.Errorf("%s: a line is not an app password (16 letters a-z)", path)
		}
		out = append(out, config.NewSecret(v))
	}
	return out, nil
}
