package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/mfpfleet/mfpfleet/devices/snmprec"
)

// Model is one entry of the simulator's model catalogue: what a synthetic
// device of that model answers over SNMP and what its web admin is like.
type Model struct {
	Key    string // unique, stable: "xerox-altalink-c8045"
	Vendor string // platform slug, as devices.Identify reports it
	Brand  string // OEM badge when it differs from Vendor ("" otherwise)
	Model  string // as a person writes it: "AltaLink C8045"
	Family string // web-admin family: "xerox/connectkey", …; "" when not modelled
	// WebFamily is the family of the web admin the firmware really serves
	// when it is not the one the model name suggests ("" = Family): a
	// VersaLink B415 serves the ConnectKey PHP pages.
	WebFamily string
	// UI is the firmware variant of the web admin (DeviceOptions.UI).
	UI string

	SysObjectID string // dotted, no leading dot
	// SysDescr is the sysDescr text; "{serial}" in it is replaced by the
	// device's serial (HP and Samsung put it there).
	SysDescr     string
	HrDeviceDesc string // hrDeviceDescr.1; "" leaves the hrDevice table out
	Firmware     string // as devices.Identify reports it
	// SerialPrefix starts every synthetic serial; SerialDigits digits
	// follow.
	SerialPrefix string
	SerialDigits int
	OUI          [3]byte // first half of every synthetic MAC

	// AdminUser is the web admin's user name ("" for a password-only
	// login); the default password is AdminPassword, or the serial
	// number when PasswordIsSerial is set (Xerox from 2020, Epson).
	AdminUser        string
	AdminPassword    string
	PasswordIsSerial bool
	// SMTPTLS is what the firmware's mail client can do: "tls12" (TLS 1.2
	// and later: can reach Gmail), "tls10" (TLS 1.0 only: Xerox firmware
	// from before about 2017) or "none" (no SMTP encryption at all).
	SMTPTLS string

	// vendorVars adds vendor-private OIDs to the synthetic table.
	vendorVars func(m Model, serial string) []snmprec.Var
}

// ServedFamily is the family of the web admin a device of this model
// serves (WebFamily, else Family).
func (m Model) ServedFamily() string {
	if m.WebFamily != "" {
		return m.WebFamily
	}
	return m.Family
}

// DefaultAdminPassword is the factory admin password of a device of this
// model with this serial.
func (m Model) DefaultAdminPassword(serial string) string {
	if m.PasswordIsSerial {
		return serial
	}
	return m.AdminPassword
}

// Catalog lists the synthetic models, Xerox first. Keys are unique; the
// order is stable (mfpsim cycles through it). Each vendor's models are
// declared beside its simulated pages (web_<vendor>.go).
var Catalog = slices.Concat(
	xeroxSeedModels,
	hpSeedModels,
	ricohSeedModels,
	canonSeedModels,
	brotherSeedModels,
	konicaSeedModels,
	lexmarkSeedModels,
	epsonSeedModels,
	kyoceraSeedModels,
)

// CatalogModel returns the catalogue entry with this key.
func CatalogModel(key string) (Model, bool) {
	i := slices.IndexFunc(Catalog, func(m Model) bool { return m.Key == key })
	if i < 0 {
		return Model{}, false
	}
	return Catalog[i], true
}

// CatalogVendors returns the catalogue's vendor slugs, sorted.
func CatalogVendors() []string {
	var out []string
	for _, m := range Catalog {
		if !slices.Contains(out, m.Vendor) {
			out = append(out, m.Vendor)
		}
	}
	slices.Sort(out)
	return out
}

// FilterCatalog returns the catalogue entries whose vendor is one of
// vendors (all of them when vendors is empty), in catalogue order, or an
// error naming an unknown vendor.
func FilterCatalog(vendors []string) ([]Model, error) {
	if len(vendors) == 0 {
		return slices.Clone(Catalog), nil
	}
	known := CatalogVendors()
	for _, v := range vendors {
		if !slices.Contains(known, strings.ToLower(strings.TrimSpace(v))) {
			return nil, fmt.Errorf("unknown vendor %q: the simulator has %s", v, strings.Join(known, ", "))
		}
	}
	var out []Model
	for _, m := range Catalog {
		for _, v := range vendors {
			if strings.EqualFold(strings.TrimSpace(v), m.Vendor) {
				out = append(out, m)
				break
			}
		}
	}
	return out, nil
}

// hash64 is a small deterministic hash for synthetic identities.
func hash64(parts ...string) uint64 {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return binary.BigEndian.Uint64(h[:8])
}

// SyntheticSerial returns the i-th device's serial number for model m:
// deterministic, distinct for distinct i (up to 9·10^(SerialDigits-1)),
// in the model's style (prefix + digits). The last digit is never 9, so
// no serial ends in the run of 9s that masks a serial in a recording.
func SyntheticSerial(m Model, i int) string {
	digits := m.SerialDigits
	if digits < 2 {
		digits = 6
	}
	mod := uint64(9)
	for range digits - 1 {
		mod *= 10
	}
	// An affine map i -> (a*i + b) mod 9*10^(d-1), a coprime to 2, 3 and
	// 5, is a bijection: serials never collide and still look random.
	const a = 7919
	b := hash64("serial", m.Key) % mod
	n := (a*uint64(max(i, 0)) + b) % mod
	return fmt.Sprintf("%s%0*d%d", m.SerialPrefix, digits-1, n/9, n%9)
}

// SyntheticMAC returns the i-th device's MAC address for model m:
// the model's OUI and three bytes from i, as aa:bb:cc:dd:ee:ff.
func SyntheticMAC(m Model, i int) string {
	n := uint32(hash64("mac", m.Key)&0xffffff) ^ uint32(i&0xffffff)
	hw := net.HardwareAddr{m.OUI[0], m.OUI[1], m.OUI[2], byte(n >> 16), byte(n >> 8), byte(n)}
	return hw.String()
}

// Standard OIDs a synthetic table carries.
const (
	oidSysDescr        = "1.3.6.1.2.1.1.1.0"
	oidSysObjectID     = "1.3.6.1.2.1.1.2.0"
	oidSysContact      = "1.3.6.1.2.1.1.4.0"
	oidSysName         = "1.3.6.1.2.1.1.5.0"
	oidSysLocation     = "1.3.6.1.2.1.1.6.0"
	oidSysServices     = "1.3.6.1.2.1.1.7.0"
	oidIfNumber        = "1.3.6.1.2.1.2.1.0"
	oidHrDeviceType    = "1.3.6.1.2.1.25.3.2.1.2.1"
	oidHrDeviceDescr   = "1.3.6.1.2.1.25.3.2.1.3.1"
	oidHrDeviceStatus  = "1.3.6.1.2.1.25.3.2.1.5.1"
	oidHrPrinterStatus = "1.3.6.1.2.1.25.3.5.1.1.1"
	oidPrtPrinterName  = "1.3.6.1.2.1.43.5.1.1.16.1"
	oidPrtSerial       = "1.3.6.1.2.1.43.5.1.1.17.1"
	oidHrDevicePrinter = "1.3.6.1.2.1.25.3.1.5"
)

// SyntheticTable builds the OID table a device of model m with this serial
// and MAC (aa:bb:cc:dd:ee:ff) answers: the system group, the interface
// table, hrDeviceType/hrDeviceDescr of a printer, Printer-MIB serial and
// name, and the vendor's private identity OIDs. devices.Identify
// identifies it as m.
func SyntheticTable(m Model, serial, mac string) *snmprec.Table {
	descr := strings.ReplaceAll(m.SysDescr, "{serial}", serial)
	hw, err := net.ParseMAC(mac)
	if err != nil || len(hw) != 6 {
		hw = net.HardwareAddr{m.OUI[0], m.OUI[1], m.OUI[2], 0, 0, 1}
	}
	name := strings.ToUpper(strings.ReplaceAll(m.Vendor, "-", "")) + "-" + serial
	vars := []snmprec.Var{
		snmprec.OctetStr(oidSysDescr, descr),
		snmprec.OID(oidSysObjectID, m.SysObjectID),
		snmprec.Uint(OIDSysUpTime, snmprec.TimeTicks, 360000),
		snmprec.OctetStr(oidSysContact, "IT helpdesk"),
		snmprec.OctetStr(oidSysName, name),
		snmprec.OctetStr(oidSysLocation, "Simulated fleet"),
		snmprec.Int(oidSysServices, 72),
		snmprec.Int(oidIfNumber, 2),
		// ifTable: 1 = loopback, 2 = the Ethernet port (as many printers
		// number them), so ifPhysAddress.1 is empty.
		snmprec.Int("1.3.6.1.2.1.2.2.1.1.1", 1),
		snmprec.Int("1.3.6.1.2.1.2.2.1.1.2", 2),
		snmprec.OctetStr("1.3.6.1.2.1.2.2.1.2.1", "lo0"),
		snmprec.OctetStr("1.3.6.1.2.1.2.2.1.2.2", "eth0"),
		snmprec.Int("1.3.6.1.2.1.2.2.1.3.1", 24),
		snmprec.Int("1.3.6.1.2.1.2.2.1.3.2", 6),
		snmprec.Bytes("1.3.6.1.2.1.2.2.1.6.1", []byte{}),
		snmprec.Bytes("1.3.6.1.2.1.2.2.1.6.2", []byte(hw)),
		snmprec.Int("1.3.6.1.2.1.2.2.1.8.1", 1),
		snmprec.Int("1.3.6.1.2.1.2.2.1.8.2", 1),
		snmprec.OID(oidHrDeviceType, oidHrDevicePrinter),
		snmprec.Int(oidHrDeviceStatus, 2),
		snmprec.Int(oidHrPrinterStatus, 3),
		snmprec.Bytes(oidPrtSerial, []byte(serial)),
	}
	if m.HrDeviceDesc != "" {
		vars = append(vars, snmprec.OctetStr(oidHrDeviceDescr, m.HrDeviceDesc))
	} else {
		vars = append(vars, snmprec.OctetStr(oidHrDeviceDescr, strings.TrimSpace(m.brandName()+" "+m.Model)))
	}
	vars = append(vars, snmprec.OctetStr(oidPrtPrinterName, strings.TrimSpace(m.brandName()+" "+m.Model)))
	if m.vendorVars != nil {
		vars = append(vars, m.vendorVars(m, serial)...)
	}
	return snmprec.NewTable(vars...)
}

// brandName is how the badge is written in front of the model.
func (m Model) brandName() string {
	if m.Brand != "" {
		return m.Brand
	}
	switch m.Vendor {
	case "hp":
		return "HP"
	case "konica-minolta":
		return "KONICA MINOLTA"
	case "ricoh", "epson", "sharp", "oki":
		return strings.ToUpper(m.Vendor)
	}
	return strings.ToUpper(m.Vendor[:1]) + m.Vendor[1:]
}

// xeroxVars adds the Xerox device-ID string (253.8.51.1.2.1.20.1).
func xeroxVars(cid string) func(Model, string) []snmprec.Var {
	return func(m Model, _ string) []snmprec.Var {
		return []snmprec.Var{snmprec.OctetStr("1.3.6.1.4.1.253.8.51.1.2.1.20.1",
			"MFG:Xerox; CMD:PCL, PJL, PostScript, XPS; MDL:"+m.Model+"; CLS:Printer; DES:Xerox "+m.Model+"; CID:"+cid)}
	}
}

// hpVars adds HP's device-ID string and the serial/firmware OIDs, which
// HP agents send with a two-byte 0x01 0x15 prefix.
func hpVars(m Model, serial string) []snmprec.Var {
	pfx := []byte{0x01, 0x15}
	return []snmprec.Var{
		snmprec.OctetStr("1.3.6.1.4.1.11.2.3.9.1.1.7.0", "MFG:HP;CMD:PJL,PCL,PCLXL,POSTSCRIPT,PDF,PWGRASTER;MDL:HP "+m.Model+";CLS:PRINTER;DES:HP "+m.Model+";"),
		snmprec.Bytes("1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.3.0", append(slices.Clone(pfx), serial...)),
		snmprec.Bytes("1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.5.0", append(slices.Clone(pfx), m.Firmware...)),
	}
}

func ricohVars(m Model, serial string) []snmprec.Var {
	name := m.Model
	if m.Brand != "" {
		name = m.Brand + " " + m.Model
	}
	return []snmprec.Var{
		snmprec.OctetStr("1.3.6.1.4.1.367.3.2.1.1.1.1.0", name),
		snmprec.OctetStr("1.3.6.1.4.1.367.3.2.1.1.1.2.0", m.Firmware),
		snmprec.OctetStr("1.3.6.1.4.1.367.3.2.1.2.1.4.0", serial),
	}
}

func canonVars(m Model, serial string) []snmprec.Var {
	return []snmprec.Var{
		snmprec.OctetStr("1.3.6.1.4.1.1602.1.1.1.1.0", m.Model),
		snmprec.OctetStr("1.3.6.1.4.1.1602.1.1.1.4.0", m.Firmware),
		snmprec.OctetStr("1.3.6.1.4.1.1602.1.2.1.4.0", serial),
	}
}

func brotherVars(m Model, serial string) []snmprec.Var {
	return []snmprec.Var{
		snmprec.OctetStr("1.3.6.1.4.1.2435.2.3.9.1.1.7.0", "MFG:Brother;CMD:PJL,PCL,PCLXL,URF,POSTSCRIPT;MDL:"+m.Model+" series;CLS:PRINTER;CID:Brother Laser Type1;"),
		snmprec.OctetStr("1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0", serial),
		snmprec.OctetStr("1.3.6.1.4.1.2435.2.4.3.1240.6.5.0", "Firmware Ver."+m.Firmware),
	}
}

func konicaVars(m Model, _ string) []snmprec.Var {
	return []snmprec.Var{
		snmprec.OctetStr("1.3.6.1.4.1.18334.1.1.1.1.6.1.0", m.Firmware),
		snmprec.OctetStr("1.3.6.1.4.1.18334.1.1.1.1.6.2.1.0", "KONICA MINOLTA "+m.Model),
	}
}

func lexmarkVars(_ Model, serial string) []snmprec.Var {
	return []snmprec.Var{snmprec.OctetStr("1.3.6.1.4.1.641.2.1.2.1.6.1", serial)}
}

func kyoceraVars(m Model, serial string) []snmprec.Var {
	return []snmprec.Var{
		snmprec.OctetStr("1.3.6.1.4.1.1347.43.5.1.1.1.1", m.Model),
		snmprec.OctetStr("1.3.6.1.4.1.1347.43.5.1.1.28.1", serial),
		snmprec.OctetStr("1.3.6.1.4.1.1347.43.5.4.1.5.1.1", m.Firmware),
	}
}
