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
// order is stable (mfpsim cycles through it).
var Catalog = []Model{
	{
		Key: "xerox-altalink-c8045", Vendor: "xerox", Model: "AltaLink C8045", Family: "xerox/connectkey",
		SysObjectID:  "1.3.6.1.4.1.253.8.62.1.35.2.3.1.1",
		SysDescr:     "Xerox AltaLink C8045; SS 100.002.057.09608, NC 100.002.09608, UI 100.002.09608, ME 063.022.000, CC 100.002.09608, DF 007.019.000, FI 032.054.000, FA 003.012.013, CCOS 100.007.09608, NCOS 100.007.09608, SC 013.015.006, SU 100.002.09608",
		Firmware:     "100.002.057.09608",
		SerialPrefix: "3TB", SerialDigits: 6, OUI: [3]byte{0x9c, 0x93, 0x4e},
		AdminUser: "admin", PasswordIsSerial: true, SMTPTLS: "tls12",
		vendorVars: xeroxVars("XR_PS_Office_Color"),
	},
	{
		Key: "xerox-altalink-c8070", Vendor: "xerox", Model: "AltaLink C8070", Family: "xerox/connectkey",
		SysObjectID:  "1.3.6.1.4.1.253.8.62.1.35.2.3.5.1",
		SysDescr:     "Xerox AltaLink C8070; SS 103.004.040.21100, NC 103.004.21100, UI 103.004.21100, ME 063.022.000, CC 103.004.21100, DF 007.019.000, FI 032.054.000, FA 003.012.013, CCOS 103.006.21100, NCOS 103.006.21100, SC 013.015.006, SU 103.004.21100",
		Firmware:     "103.004.040.21100",
		SerialPrefix: "3TB", SerialDigits: 6, OUI: [3]byte{0x9c, 0x93, 0x4e},
		AdminUser: "admin", AdminPassword: "1111", SMTPTLS: "tls12",
		vendorVars: xeroxVars("XR_PS_Office_Color"),
	},
	{
		Key: "xerox-workcentre-7556", Vendor: "xerox", Model: "WorkCentre 7556", Family: "xerox/connectkey",
		SysObjectID:  "1.3.6.1.4.1.253.8.62.1.20.5.17.1.1",
		SysDescr:     "Xerox WorkCentre 7556 v1 Multifunction System; System Software 061.121.225.14700, ESS 061.125.14620.LL",
		Firmware:     "061.121.225.14700",
		SerialPrefix: "FKX", SerialDigits: 6, OUI: [3]byte{0x00, 0x00, 0xaa},
		AdminUser: "admin", AdminPassword: "1111", SMTPTLS: "tls10",
		vendorVars: xeroxVars("XR_PS_Office_Color"),
	},
	{
		Key: "xerox-versalink-c405", Vendor: "xerox", Model: "VersaLink C405", Family: "xerox/versalink",
		SysObjectID:  "1.3.6.1.4.1.253.8.62.1.43.1.1.1.1",
		SysDescr:     "Xerox VersaLink C405; System 67.51.51, Controller 1.54.6, IOT 3.1.0, Panel 62.41.71, Boot 2.0.55, RSEP 1.8.23",
		Firmware:     "67.51.51",
		SerialPrefix: "3391", SerialDigits: 6, OUI: [3]byte{0x9c, 0x93, 0x4e},
		AdminUser: "admin", PasswordIsSerial: true, SMTPTLS: "tls12",
		vendorVars: xeroxVars("XR_PCL6_Office"),
	},
	{
		Key: "xerox-workcentre-6515", Vendor: "xerox", Model: "WorkCentre 6515", Family: "xerox/versalink",
		SysObjectID:  "1.3.6.1.4.1.253.8.62.1.31.1.1.1.1",
		SysDescr:     "Xerox WorkCentre 6515; System 65.31.81, Controller 1.40.6, IOT 3.1.0, Panel 62.31.81, Boot 1.0.21, RSEP 1.8.14",
		Firmware:     "65.31.81",
		SerialPrefix: "3373", SerialDigits: 6, OUI: [3]byte{0x9c, 0x93, 0x4e},
		AdminUser: "admin", AdminPassword: "1111", SMTPTLS: "tls12",
		vendorVars: xeroxVars("XR_PCL6_Office"),
	},
	{
		Key: "xerox-workcentre-6605", Vendor: "xerox", Model: "WorkCentre 6605DN", Family: "xerox/fujixerox",
		SysObjectID:  "1.3.6.1.4.1.253.8.62.1.26.1.5.1.1",
		SysDescr:     "Xerox WorkCentre 6605DN; Net 16.37,ESS 201512151148,IOT 03.02.00,ADF 01.04.00",
		Firmware:     "201512151148",
		SerialPrefix: "3182", SerialDigits: 6, OUI: [3]byte{0x9c, 0x93, 0x4e},
		AdminUser: "admin", AdminPassword: "1111", SMTPTLS: "tls12",
	},
	{
		Key: "xerox-workcentre-3615", Vendor: "xerox", Model: "WorkCentre 3615", Family: "xerox/fujixerox",
		SysObjectID:  "1.3.6.1.4.1.253.8.62.1.26.1.2.1.1",
		SysDescr:     "Xerox WorkCentre 3615; Net 16.39,ESS 201604131434,IOT 02.00.02,ADF 01.00.04",
		Firmware:     "201604131434",
		SerialPrefix: "3350", SerialDigits: 6, OUI: [3]byte{0x9c, 0x93, 0x4e},
		AdminUser: "admin", AdminPassword: "1111", SMTPTLS: "tls12",
	},
	{
		Key: "xerox-workcentre-6015", Vendor: "xerox", Model: "WorkCentre 6015NI", Family: "xerox/fujixerox",
		SysObjectID:  "1.3.6.1.4.1.253.8.62.1.26.1.1.1.1",
		SysDescr:     "Xerox WorkCentre 6015NI; Net 15.18,Controller 201309241024,Engine 04.01.00",
		Firmware:     "201309241024",
		SerialPrefix: "3014", SerialDigits: 6, OUI: [3]byte{0x9c, 0x93, 0x4e},
		AdminUser: "admin", AdminPassword: "1111", SMTPTLS: "tls12",
	},
	{
		Key: "xerox-workcentre-4250", Vendor: "xerox", Model: "WorkCentre 4250", Family: "xerox/legacy",
		SysObjectID:  "1.3.6.1.4.1.253.8.62.1.17.2.2.1.1",
		SysDescr:     "Xerox WorkCentre 4250 v1 Multifunction System; System Software 75.3.1, ESS PS4.10.0, IOT 2.20.0, UI 2.6.0, Boot 1.10.1",
		Firmware:     "75.3.1",
		SerialPrefix: "LXA", SerialDigits: 6, OUI: [3]byte{0x00, 0x00, 0xaa},
		AdminUser: "admin", AdminPassword: "1111", SMTPTLS: "none",
		vendorVars: xeroxVars("XR_PCL6_Office"),
	},
	{
		// The newer VersaLink generation: the ConnectKey PHP pages with a
		// header login dialog, not the /home/index.html app the model
		// name suggests (field capture, docs/vendors.md).
		Key: "xerox-versalink-b415", Vendor: "xerox", Model: "VersaLink B415", Family: "xerox/versalink",
		WebFamily: "xerox/connectkey", UI: UIHeaderLogin,
		SysObjectID:  "1.3.6.1.4.1.253.8.62.1.43.4.1.1.1",
		SysDescr:     "Xerox VersaLink B415; SS 107.001.013.33200, NC 107.001.33200, UI 107.001.33200, ME 084.020.002, CC 107.001.33200, DF 007.019.000, FI 032.054.000, FA 003.012.013, CCOS 107.002.33200, NCOS 107.002.33200, SC 013.015.006, SU 107.001.33200",
		Firmware:     "107.001.013.33200",
		SerialPrefix: "3TX", SerialDigits: 6, OUI: [3]byte{0x9c, 0x93, 0x4e},
		AdminUser: "admin", PasswordIsSerial: true, SMTPTLS: "tls12",
		vendorVars: xeroxVars("XR_PCL6_Office"),
	},
	{
		// A current AltaLink: the same header login button; its
		// login.php answers with the header page.
		Key: "xerox-altalink-c8055", Vendor: "xerox", Model: "AltaLink C8055", Family: "xerox/connectkey", UI: UIHeaderLogin,
		SysObjectID:  "1.3.6.1.4.1.253.8.62.1.35.2.3.3.1",
		SysDescr:     "Xerox AltaLink C8055; SS 121.003.004.27400, NC 121.003.27400, UI 121.003.27400, ME 063.022.000, CC 121.003.27400, DF 007.019.000, FI 032.054.000, FA 003.012.013, CCOS 121.007.27400, NCOS 121.007.27400, SC 013.015.006, SU 121.003.27400",
		Firmware:     "121.003.004.27400",
		SerialPrefix: "3TB", SerialDigits: 6, OUI: [3]byte{0x9c, 0x93, 0x4e},
		AdminUser: "admin", PasswordIsSerial: true, SMTPTLS: "tls12",
		vendorVars: xeroxVars("XR_PS_Office_Color"),
	},
	{
		Key: "hp-color-laserjet-mfp-m577", Vendor: "hp", Model: "Color LaserJet MFP M577", Family: "hp/futuresmart",
		SysObjectID:  "1.3.6.1.4.1.11.2.3.9.1",
		SysDescr:     "HP ETHERNET MULTI-ENVIRONMENT,SN:{serial},FN:1F31B6C,SVCID:27148,PID:HP Color LaserJet MFP M577",
		HrDeviceDesc: "HP Color LaserJet MFP M577",
		Firmware:     "2409048_052701",
		SerialPrefix: "JPBCH", SerialDigits: 5, OUI: [3]byte{0x3c, 0xa8, 0x2a},
		AdminUser: "admin", AdminPassword: "", SMTPTLS: "tls12",
		vendorVars: hpVars,
	},
	{
		Key: "ricoh-mp-c3004", Vendor: "ricoh", Model: "MP C3004", Family: "",
		SysObjectID:  "1.3.6.1.4.1.367.1.1",
		SysDescr:     "RICOH MP C3004 1.07 / RICOH Network Printer C model / RICOH Network Scanner C model / RICOH Network Facsimile C model",
		HrDeviceDesc: "RICOH MP C3004",
		Firmware:     "1.07",
		SerialPrefix: "C716R", SerialDigits: 6, OUI: [3]byte{0x00, 0x26, 0x73},
		AdminUser: "admin", AdminPassword: "", SMTPTLS: "tls12",
		vendorVars: ricohVars,
	},
	{
		Key: "savin-mp-c4503", Vendor: "ricoh", Brand: "Savin", Model: "MP C4503", Family: "",
		SysObjectID:  "1.3.6.1.4.1.367.1.1",
		SysDescr:     "SAVIN MP C4503 1.18 / SAVIN Network Printer C model / SAVIN Network Scanner C model / SAVIN Network Facsimile C model",
		HrDeviceDesc: "SAVIN MP C4503",
		Firmware:     "1.18",
		SerialPrefix: "G186R", SerialDigits: 6, OUI: [3]byte{0x00, 0x26, 0x73},
		AdminUser: "admin", AdminPassword: "", SMTPTLS: "tls12",
		vendorVars: ricohVars,
	},
	{
		Key: "canon-ir-adv-c5535", Vendor: "canon", Model: "iR-ADV C5535", Family: "canon/iradvance",
		SysObjectID:  "1.3.6.1.4.1.1602.4.7",
		SysDescr:     "Canon iR-ADV C5535 /P",
		HrDeviceDesc: "Canon iR-ADV C5535",
		Firmware:     "03.07",
		SerialPrefix: "2TX", SerialDigits: 5, OUI: [3]byte{0x00, 0x1e, 0x8f},
		AdminUser: "7654321", AdminPassword: "7654321", SMTPTLS: "tls12",
		vendorVars: canonVars,
	},
	{
		Key: "brother-mfc-l8900cdw", Vendor: "brother", Model: "MFC-L8900CDW", Family: "",
		SysObjectID:  "1.3.6.1.4.1.2435.2.3.9.1",
		SysDescr:     "Brother NC-8700w, Firmware Ver.1.05  (19.03.12),MID 8C5-K8E,FID 2",
		HrDeviceDesc: "Brother MFC-L8900CDW series",
		Firmware:     "ZB",
		SerialPrefix: "E78265", SerialDigits: 9, OUI: [3]byte{0x3c, 0x2a, 0xf4},
		AdminUser: "", AdminPassword: "initpass", SMTPTLS: "tls12",
		vendorVars: brotherVars,
	},
	{
		Key: "konica-minolta-bizhub-c300i", Vendor: "konica-minolta", Model: "bizhub C300i", Family: "",
		SysObjectID:  "1.3.6.1.4.1.18334.1.1.1.2.1.176.1.1",
		SysDescr:     "KONICA MINOLTA bizhub C300i",
		HrDeviceDesc: "KONICA MINOLTA bizhub C300i",
		Firmware:     "GC7-10",
		SerialPrefix: "AA2J0", SerialDigits: 6, OUI: [3]byte{0x00, 0x20, 0x6b},
		AdminUser: "admin", AdminPassword: "12345678", SMTPTLS: "tls12",
		vendorVars: konicaVars,
	},
	{
		Key: "lexmark-cx725", Vendor: "lexmark", Model: "CX725", Family: "",
		SysObjectID:  "1.3.6.1.4.1.641.1.5.7.51",
		SysDescr:     "Lexmark CX725 version CXTPP.230.037 kernel 4.11.12-yocto-standard All-N-1",
		HrDeviceDesc: "Lexmark CX725",
		Firmware:     "CXTPP.230.037",
		SerialPrefix: "7527", SerialDigits: 9, OUI: [3]byte{0x00, 0x21, 0xb7},
		AdminUser: "", AdminPassword: "", SMTPTLS: "tls12",
		vendorVars: lexmarkVars,
	},
	{
		Key: "epson-wf-c5790", Vendor: "epson", Model: "WF-C5790", Family: "",
		SysObjectID:  "1.3.6.1.4.1.1248.1.1.2.1.3.5.69.69.80.83.50",
		SysDescr:     "EPSON Built-in",
		HrDeviceDesc: "EPSON WF-C5790 Series",
		Firmware:     "",
		SerialPrefix: "X3B8", SerialDigits: 6, OUI: [3]byte{0x9c, 0xae, 0xd3},
		AdminUser: "", PasswordIsSerial: true, SMTPTLS: "tls12",
	},
	{
		Key: "kyocera-ecosys-m3655idn", Vendor: "kyocera", Model: "ECOSYS M3655idn", Family: "",
		SysObjectID:  "1.3.6.1.4.1.1347.41",
		SysDescr:     "KYOCERA Document Solutions Printing System",
		HrDeviceDesc: "ECOSYS M3655idn",
		Firmware:     "2R7_2000.004.201",
		SerialPrefix: "VCF", SerialDigits: 7, OUI: [3]byte{0x00, 0x17, 0xc8},
		AdminUser: "Admin", AdminPassword: "Admin", SMTPTLS: "tls12",
		vendorVars: kyoceraVars,
	},
}

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
