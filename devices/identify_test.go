package devices

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mfpfleet/mfpfleet/devices/snmprec"
)

// recordingsDir is the copy of the project brief's snmprec folder (LibreNMS fixtures, GPL-3.0; see its NOTICE.md)
// with its GROUND_TRUTH.tsv and README.md.
const recordingsDir = "testdata/snmprec"

// agentGET answers a GET of oids the way an agent serving t does: exact
// OIDs only, missing ones absent (v2c noSuchObject/noSuchInstance; a v1
// agent's noSuchName makes the sweep retry without them, same result).
func agentGET(t *snmprec.Table, oids []string) Values {
	v := Values{}
	for _, o := range oids {
		if x, ok := t.Get(o); ok && x.Type != snmprec.Null {
			v[x.OID] = x.Value
		}
	}
	return v
}

// identifyTable runs the sweep's two GETs against t.
func identifyTable(t *snmprec.Table) (Device, []string) {
	v := agentGET(t, IdentityOIDs)
	more := FollowUpOIDs(v)
	for k, x := range agentGET(t, more) {
		v[k] = x
	}
	return Identify("192.0.2.1", v), more
}

type gtRow map[string]string

func readGroundTruth(t *testing.T) []gtRow {
	t.Helper()
	f, err := os.Open(filepath.Join(recordingsDir, "GROUND_TRUTH.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var header []string
	var rows []gtRow
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = cols
			continue
		}
		r := gtRow{}
		for i, h := range header {
			if i < len(cols) {
				r[h] = cols[i]
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// oemSlug turns the ground truth's vendor column (a brand, with rebadges
// noted as "Savin (Ricoh OEM)") into the platform vendor slug.
func oemSlug(col string) (vendor, brand string) {
	if g := regexp.MustCompile(`^(.*) \((.*) OEM\)$`).FindStringSubmatch(col); g != nil {
		brand, col = g[1], g[2]
	}
	switch col {
	case "FUJIFILM (ex Fuji Xerox)", "Fuji Xerox":
		return "fujifilm", brand
	case "Konica Minolta":
		return "konica-minolta", brand
	case "Toshiba TEC":
		return "toshiba", brand
	}
	return strings.ToLower(col), brand
}

// none marks a field expected empty.
const none = "∅"

// override is where this package's answer departs from, or adds to, the
// ground truth; why says which is the defensible value.
type override struct {
	vendor, brand, model, serial, firmware string
	notPrinter                             bool
	why                                    string
}

var overrides = map[string]override{
	// GT model departs from what the device says, or GT expects null
	// where the device names a value.
	"librenms/jetdirect_m130nw.snmprec": {model: "LaserJet MFP M130nw",
		why: "LibreNMS reads the device-ID MDL field (the driver family M129-M134); hrDeviceDescr, DES and sysDescr PID all name the device itself: M130nw"},
	"librenms/brother.snmprec": {
		why: "spliced fixture: hrDeviceDescr (MFC-L2710DW) is the printer, sysDescr is its NC-8300h NIC; the PJL MDL (MFC-8440) is ignored because hrDeviceDescr comes first"},
	"librenms/konica.snmprec": {brand: "Develop", model: "ineo+ 280",
		why: "spliced fixture: Konica's own model OID says Develop ineo+ 280 (as LibreNMS and GT), so the badge is Develop and the model ineo+ 280; sysDescr's bizhub C3110 comes second"},
	"librenms/konica_2.snmprec": {model: "bizhub 25e",
		why: "GT null (LibreNMS reads only the Konica model OID, absent here); sysDescr and hrDeviceDescr both say bizhub 25e"},
	"librenms/epson.snmprec": {model: "WF-C5790BA",
		why: "GT null; hrDeviceDescr is the Epson model (LibreNMS's epson OS reads no hardware)"},
	"librenms/sharp.snmprec": {model: "MX-3570N",
		why: "GT null; sysDescr and hrDeviceDescr both say SHARP MX-3570N"},
	"librenms/samsungprinter_m4080fx.snmprec": {model: "M4080FX", firmware: "V11.01.03.04_02-27-2017",
		why: "GT null; Samsung's sysDescr carries the model and the firmware (its S/N field is empty)"},
	"librenms/xerox.snmprec": {firmware: "100.002.057.09608",
		why: "GT null firmware; the sysDescr's SS (system software) version is the firmware Xerox shows"},
	"librenms/xerox_apeosport.snmprec": {brand: "Fuji Xerox", model: "ApeosPort-VI C4471", firmware: "1.0.217",
		why: "GT null model/firmware (LibreNMS's xerox regex wants 'Xerox ' + space); sysDescr names ApeosPort-VI C4471 and ESS 1.0.217"},
	"librenms/fujifilmprinter_c7580.snmprec": {model: "Apeos C7580",
		why: "GT includes the brand word; the model is Apeos C7580"},
	"librenms/utax.snmprec": {brand: "UTAX", firmware: "2TP_S000.003.402",
		why: "GT null firmware; Kyocera's firmware OID 1347.43.5.4.1.5.1.1 answers 2TP_S000.003.402"},
	"librenms/zebra.snmprec": {model: "TLP 2824 Plus",
		why: "LibreNMS reports 79071, the ZebraNet print server's part number (683.1.4.0); Zebra's own model OID 10642.1.1.0 names the printer: ZTC TLP 2824 Plus"},
	"librenms/okilan_9450g.snmprec": {
		why: "the NIC (9450g) is a print server; model and firmware are those of the attached MC873"},
	// Files without expected json: values from the GT notes and columns,
	// and the model a person would read off the sysDescr.
	"librenms/gestetner.snmprec":                          {brand: "Gestetner", model: "MPC2500/DSc525", firmware: "1.71", serial: "M6394300657", why: "GT notes (Ricoh private OIDs)"},
	"librenms/kyocera.snmprec":                            {model: "FS-1028MFP", serial: "QUV9600664", firmware: "2H9_2F00.002.002", why: "GT notes (Kyocera private OIDs)"},
	"librenms/lanier.snmprec":                             {brand: "Lanier", model: "MP C3501/LD635C", firmware: "2.01", why: "Ricoh sysDescr: model then firmware"},
	"librenms/savin_c4503.snmprec":                        {brand: "Savin", model: "MP C4503", firmware: "1.18", why: "Ricoh sysDescr"},
	"librenms/nrg.snmprec":                                {brand: "NRG", model: "SP 4210N", firmware: "1.05", why: "Ricoh sysDescr"},
	"librenms/ricoh.snmprec":                              {model: "MP 3053", firmware: "1.09", why: "Ricoh sysDescr"},
	"librenms/ricoh_aficio.snmprec":                       {model: "Aficio MP 201", firmware: "1.04", why: "Ricoh sysDescr"},
	"librenms/developprinter.snmprec":                     {brand: "Develop", model: "ineo 280", why: "Develop badge on Konica Minolta; sysDescr's double space collapsed"},
	"librenms/canonprinter_d1180.snmprec":                 {model: "D1180/MF6680", why: "Canon sysDescr without the /P suffix"},
	"librenms/canonprinter_ir-adv.snmprec":                {model: "iR-ADV C5235", why: "Canon sysDescr"},
	"librenms-history/canonprinter_lbp@4dbab407b.snmprec": {model: "LBP7660C", why: "Canon sysDescr"},
	"librenms/canonprinter_mf.snmprec":                    {model: none, why: "placeholder 'Canon MF' is no model"},
	"librenms/samsungprinter_c.snmprec":                   {model: none, why: "placeholder"},
	"librenms/samsungprinter_s.snmprec":                   {model: none, why: "placeholder"},
	"librenms/samsungprinter_scx.snmprec":                 {model: none, why: "placeholder"},
	"librenms/samsungprinter_clx.snmprec":                 {model: "CLX-3170", firmware: "V1.00.01.64", serial: none, why: "sysDescr S/N is hand-masked (AAAAAAA000AAAA000): a placeholder, not a serial"},
	"librenms/samsungprinter_ml.snmprec":                  {model: "ML-2850", firmware: "1.01.15.47", why: "Samsung sysDescr"},
	"murrant-librenms-snmpsim/samsung-ml.snmprec":         {model: "ML-2850", firmware: "1.01.15.47", why: "Samsung sysDescr; serial (with a trailing space) from Printer-MIB"},
	"murrant-librenms-snmpsim/brother-nc7700w.snmprec":    {model: "MFC-9970CDW", why: "hrDeviceDescr; sysDescr is the NC-7700w NIC"},
	"librenms/dell-laser.snmprec":                         {vendor: "lexmark", brand: "Dell", model: "B3460dn", firmware: "NH5.CY.N543", why: "Dell on Lexmark firmware (sysDescr '… version … kernel … All-N-1')"},
	"librenms/dell-laser_color.snmprec":                   {model: none, why: "placeholder 'Dell Color Laser'"},
	"librenms/dell-laser_mfp.snmprec":                     {model: "MFP Laser 3115cn", firmware: "200709110910", why: "Fuji Xerox-built Dell: sysDescr model, Controller version"},
	"librenms/lexmarkprinter.snmprec":                     {model: "T640", firmware: "NS.NP.N219", why: "Lexmark sysDescr"},
	"librenms/toshiba-tec_estudio305.snmprec":             {vendor: "lexmark", brand: "Toshiba", model: "e-STUDIO305CS", firmware: "NH63.GM.N639", why: "Toshiba on Lexmark (sysObjectID 641.2.x): the web admin is Lexmark's"},
	"librenms/toshiba-tec_estudio2505.snmprec":            {model: "e-STUDIO2505AC", why: "Toshiba sysDescr"},
	"librenms/toshiba-tec_ev4.snmprec":                    {model: "B-EV4", why: "Toshiba TEC label printer"},
	"librenms/toshiba-tec_fv4.snmprec":                    {model: "B-FV4", why: "Toshiba TEC label printer"},
	"librenms/toshiba-tec_sx5t.snmprec":                   {model: "B-SX5T", why: "Toshiba TEC label printer"},
	"librenms/tsc.snmprec":                                {model: "TTP244CE", firmware: "7.02", why: "TSC label printer: 'model Version: x'"},
	"librenms/okilan.snmprec":                             {model: "MC342", firmware: "02.70", why: "the printer attached to the OkiLAN NIC"},
	"librenms/sharp_mx2614n.snmprec":                      {model: "MX-2614N", why: "sysDescr"},
	"librenms/sharp_mx3140n.snmprec":                      {model: "MX-3140N", why: "sysDescr"},
	"librenms/sharp_mxc301w.snmprec":                      {model: "MX-C301W", why: "sysDescr"},
	"librenms/xerox_color.snmprec":                        {model: "Color 570", firmware: "55.40.61", why: "Xerox sysDescr; the Color 570 is none of the four modelled web admins"},
	"librenms/xerox_docuprint.snmprec":                    {brand: "Fuji Xerox", model: "DocuPrint CM305 df", firmware: "201210101131", why: "Fuji Xerox sysDescr, ESS version"},
	"librenms/jetdirect_1.snmprec":                        {model: none, why: "an external JetDirect EX print server answering with Kyocera's sysObjectID: the agent and web admin are HP's; the printer behind it is unknown"},
	"librenms-history/jetdirect@a28ab1293.snmprec":        {model: none, why: "embedded JetDirect stub: no printer model in the recording"},
	"librenms/jetdirect_2.snmprec":                        {notPrinter: true, why: "only sysObjectID 1.3.6.1.4.1.11.1: HP's enterprise alone (switches, servers) does not make a printer"},
	"librenms/epson-scanner_ds-860.snmprec":               {notPrinter: true, why: "a scanner behind a scan server: no print engine, hrDeviceType other, no Printer-MIB"},
	"librenms/zebra_1.snmprec":                            {model: none, why: "placeholder 'Zebra Wired'"},
}

// gtValue maps a ground-truth cell to an expectation: "" = not checked.
func gtValue(cell string) string {
	switch cell {
	case "n/a", "":
		return ""
	case "null", "(empty)":
		return none
	}
	return strings.TrimSpace(cell)
}

func check(t *testing.T, field, got, want, why string) {
	t.Helper()
	switch want {
	case "":
	case none:
		if got != "" {
			t.Errorf("%s = %q, want none (%s)", field, got, why)
		}
	default:
		if got != want {
			t.Errorf("%s = %q, want %q (%s)", field, got, want, why)
		}
	}
}

// TestIdentifyRecordings identifies every recording of the shared set from
// what an agent serving it answers to IdentityOIDs + FollowUpOIDs, and
// compares with the ground truth (and the documented overrides).
func TestIdentifyRecordings(t *testing.T) {
	rows := readGroundTruth(t)
	files, _ := filepath.Glob(filepath.Join(recordingsDir, "*", "*.snmprec"))
	if len(rows) != len(files) || len(rows) < 57 {
		t.Fatalf("%d ground-truth rows, %d recordingsDir: want one row per recording (57)", len(rows), len(files))
	}
	seen := map[string]bool{}
	for _, r := range rows {
		file := r["file"]
		seen[file] = true
		t.Run(file, func(t *testing.T) {
			tab, err := snmprec.ParseFile(filepath.Join(recordingsDir, file))
			if err != nil {
				t.Fatal(err)
			}
			d, more := identifyTable(tab)
			o := overrides[file]
			why := o.why
			if why == "" {
				why = "ground truth"
			}
			wantVendor, wantBrand := oemSlug(r["vendor"])
			if o.vendor != "" {
				wantVendor = o.vendor
			}
			if o.brand != "" {
				wantBrand = o.brand
			}
			check(t, "vendor", d.Vendor, wantVendor, why)
			if wantBrand != "" {
				check(t, "brand", d.Brand, wantBrand, why)
			}
			wantModel := gtValue(r["model_hardware"])
			if o.model != "" {
				wantModel = o.model
			}
			wantSerial := gtValue(r["serial"])
			if wantSerial == "" {
				// No json: the Printer-MIB serial the recording holds.
				if s := gtValue(r["prtGeneralSerialNumber"]); s != none {
					wantSerial = s
				}
			}
			if o.serial != "" {
				wantSerial = o.serial
			}
			wantFW := gtValue(r["firmware_version"])
			if o.firmware != "" {
				wantFW = o.firmware
			}
			check(t, "model", d.Model, wantModel, why)
			check(t, "serial", d.Serial, wantSerial, why)
			check(t, "firmware", d.Firmware, wantFW, why)
			check(t, "mac", d.MAC, gtValue(r["mac_ifPhysAddress"]), "first non-zero ifPhysAddress")
			// The driver claims the family (drivers.ClaimFamily).
			check(t, "family", d.Family, "", "identification leaves the web-admin family to the driver")
			if d.IsPrinter == o.notPrinter {
				t.Errorf("IsPrinter = %v, want %v (%s)", d.IsPrinter, !o.notPrinter, why)
			}
			if want := gtValue(r["sysObjectID"]); want != "" && want != none {
				check(t, "sysObjectID", d.SysObjectID, want, "recording")
			}
			if d.Vendor == "" || strings.ContainsAny(d.Model+d.Serial+d.Firmware, "\x00\n\r\t") {
				t.Errorf("garbage: %+v", d)
			}
			t.Logf("%s %q brand=%q serial=%q fw=%q mac=%s family=%q printer=%v follow-up=%d",
				d.Vendor, d.Model, d.Brand, d.Serial, d.Firmware, d.MAC, d.Family, d.IsPrinter, len(more))
		})
	}
	for _, f := range files {
		rel, _ := filepath.Rel(recordingsDir, f)
		if !seen[filepath.ToSlash(rel)] {
			t.Errorf("%s has no ground-truth row", rel)
		}
	}
	for f := range overrides {
		if !seen[f] {
			t.Errorf("override for unknown recording %s", f)
		}
	}
}

func TestIdentifySynthetic(t *testing.T) {
	b := func(s string) []byte { return []byte(s) }
	tests := []struct {
		name string
		v    Values
		want Device
	}{
		{
			name: "hex-encoded Xerox sysDescr",
			v: Values{
				OIDSysDescr:    b("58 65 72 6F 78 C2 AE 20 57 6F 72 6B 43 65 6E 74 72 65 20 35 37 33 35 3B 20 53 53 20 30 36 31 2E 31 33 32 2E 32 32 36"),
				OIDSysObjectID: "1.3.6.1.4.1.253.8.62.1.20.5.29.1.1",
			},
			want: Device{Vendor: "xerox", Model: "WorkCentre 5735", Firmware: "061.132.226", IsPrinter: true},
		},
		{
			name: "Xerox(R) text and placeholder serial",
			v: Values{
				OIDSysDescr:          b("Xerox(R) WorkCentre 6515; System 65.31.81, Controller 1.40.6"),
				OIDSysObjectID:       ".1.3.6.1.4.1.253.8.62.1.31.1.1.1.1",
				OIDPrtGeneralSerial1: b("XXXXXXXXXX"),
				OIDHrDeviceType1:     OIDHrDevicePrinter,
			},
			want: Device{Vendor: "xerox", Model: "WorkCentre 6515", Firmware: "65.31.81", IsPrinter: true},
		},
		{
			name: "Xerox VersaLink with serial and MAC on ifIndex 2",
			v: Values{
				OIDSysDescr:               b("Xerox VersaLink C405; System 67.51.51, Controller 1.54.6"),
				OIDSysObjectID:            "1.3.6.1.4.1.253.8.62.1.43.1.1.1.1",
				OIDPrtGeneralSerial1:      b("3391123456"),
				OIDIfPhysAddress + ".1":   []byte{},
				OIDIfPhysAddress + ".2":   []byte{0x9c, 0x93, 0x4e, 1, 2, 3},
				OIDPrtGeneralPrinterName1: b("Xerox VersaLink C405"),
			},
			want: Device{Vendor: "xerox", Model: "VersaLink C405", Serial: "3391123456", Firmware: "67.51.51", MAC: "9c:93:4e:01:02:03", IsPrinter: true},
		},
		{
			name: "WorkCentre 6605DN is Fuji-Xerox-made",
			v:    Values{OIDSysDescr: b("Xerox WorkCentre 6605DN; Net 16.37,ESS 201512151148,IOT 03.02.00"), OIDSysObjectID: "1.3.6.1.4.1.253.8.62.1.26.1.5.1.1"},
			want: Device{Vendor: "xerox", Model: "WorkCentre 6605DN", Firmware: "201512151148", IsPrinter: true},
		},
		{
			name: "legacy WorkCentre Pro",
			v:    Values{OIDSysDescr: b("Xerox WorkCentre Pro 245 v1 Multifunction System; System Software 18.1.12")},
			want: Device{Vendor: "xerox", Model: "WorkCentre Pro 245", Firmware: "18.1.12", IsPrinter: true},
		},
		{
			name: "ColorQube 8900X is ConnectKey",
			v:    Values{OIDSysDescr: b("Xerox ColorQube 8900X; System Software 071.161.203.04200"), OIDSysObjectID: "1.3.6.1.4.1.253.8.62.1.24.3.2.2.1"},
			want: Device{Vendor: "xerox", Model: "ColorQube 8900X", Firmware: "071.161.203.04200", IsPrinter: true},
		},
		{
			name: "MAC as text, Latin-1 location",
			v: Values{
				OIDSysDescr:             b("Brother NC-8300h, Firmware Ver.1.14"),
				OIDSysObjectID:          "1.3.6.1.4.1.2435.2.3.9.1",
				OIDSysLocation:          []byte{'B', 0xfc, 'r', 'o'},
				OIDHrDeviceDescr1:       b("Brother HL-L5100DN series"),
				OIDIfPhysAddress + ".1": b("0:15:99:7d:b1:6a"),
			},
			want: Device{Vendor: "brother", Model: "HL-L5100DN", MAC: "00:15:99:7d:b1:6a", Location: "Büro", IsPrinter: true},
		},
		{
			name: "a switch is not a printer",
			v: Values{
				OIDSysDescr:             b("ProCurve J9280A Switch 2510G-48, revision Y.11.16"),
				OIDSysObjectID:          "1.3.6.1.4.1.11.2.3.7.11.87",
				OIDIfPhysAddress + ".1": []byte{0, 0x1b, 0x3f, 1, 2, 3},
			},
			want: Device{Vendor: "hp", Model: "", MAC: "00:1b:3f:01:02:03", IsPrinter: false},
		},
		{
			name: "Linux host",
			v:    Values{OIDSysDescr: b("Linux fileserver 6.1.0-18-amd64 #1 SMP"), OIDSysObjectID: "1.3.6.1.4.1.8072.3.2.10"},
			want: Device{Vendor: "", Model: "", IsPrinter: false},
		},
		{
			name: "a maker named further in is no claim",
			v:    Values{OIDSysDescr: b("Linux canon-gateway 5.10.0-28-amd64 #1 SMP Debian"), OIDSysObjectID: "1.3.6.1.4.1.8072.3.2.10"},
			want: Device{},
		},
		{
			name: "HP serial with binary prefix, firmware",
			v: Values{
				OIDSysDescr:       b("HP ETHERNET MULTI-ENVIRONMENT,SN:JPBCH12345,FN:1F31B6C,SVCID:27148,PID:HP Color LaserJet MFP M577"),
				OIDSysObjectID:    "1.3.6.1.4.1.11.2.3.9.1",
				OIDHrDeviceDescr1: b("HP Color LaserJet MFP M577"),
				oidHPSerial:       append([]byte{1, 0x15}, "JPBCH12345"...),
				oidHPFirmware:     append([]byte{1, 0x15}, "2409048_052701"...),
			},
			want: Device{Vendor: "hp", Model: "Color LaserJet MFP M577", Serial: "JPBCH12345", Firmware: "2409048_052701", IsPrinter: true},
		},
		{
			name: "Samsung-made Xerox Phaser",
			v:    Values{OIDSysDescr: b("Xerox Phaser 3320; OS V1.50.00.25 09-27-2016, Engine 1.02.04, NIC V4.03.07(P3320) 09-27-2016"), OIDSysObjectID: "1.3.6.1.4.1.253.8.62.1.28.1.1.1.1"},
			want: Device{Vendor: "xerox", Model: "Phaser 3320", Firmware: "V1.50.00.25", IsPrinter: true},
		},
		{
			name: "trailing MFP word",
			v:    Values{OIDSysDescr: b("Xerox VersaLink B405 MFP; System 38.81.21, Controller 1.54.6"), OIDSysObjectID: "1.3.6.1.4.1.253.8.62.1.43.2.1.1.1"},
			want: Device{Vendor: "xerox", Model: "VersaLink B405", Firmware: "38.81.21", IsPrinter: true},
		},
		{
			name: "Fuji Xerox-built Dell",
			v:    Values{OIDSysDescr: b("Dell 2155cn Color MFP; Net 11.55, Controller 201208161449, Engine 05.12.00"), OIDSysObjectID: "1.3.6.1.4.1.674.10898.100.2.1.1.1"},
			want: Device{Vendor: "dell", Model: "2155cn", Firmware: "201208161449", IsPrinter: true},
		},
		{
			name: "Dell on Lexmark with its sysObjectID",
			v:    Values{OIDSysDescr: b("Dell Color MFP H625cdw version CXLBL.075.272 kernel 4.11.12-yocto-standard All-N-1"), OIDSysObjectID: "1.3.6.1.4.1.674.10898.100.2.1.1.1"},
			want: Device{Vendor: "lexmark", Brand: "Dell", Model: "Color MFP H625cdw", Firmware: "CXLBL.075.272", IsPrinter: true},
		},
		{
			name: "Epson inkjet with a print-server sysDescr",
			v: Values{OIDSysDescr: b("EPSON Built-in 11b/g/n Print Server"), OIDSysObjectID: "1.3.6.1.4.1.1248.1.1.2.1.3.5.69.69.80.83.50",
				OIDHrDeviceDescr1: b("EPSON ET-4850 Series"), OIDHrDeviceType1: OIDHrDevicePrinter, OIDPrtGeneralSerial1: b("X6QZ012345")},
			want: Device{Vendor: "epson", Model: "ET-4850", Serial: "X6QZ012345", IsPrinter: true},
		},
		{
			name: "HP FutureSmart",
			v: Values{OIDSysDescr: b("HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI23900012,CIDATE 02/18/2020"), OIDSysObjectID: "1.3.6.1.4.1.11.2.3.9.1",
				OIDHrDeviceDescr1: b("HP LaserJet Enterprise M507"), OIDPrtGeneralSerial1: b("PHBLL12345")},
			want: Device{Vendor: "hp", Model: "LaserJet Enterprise M507", Serial: "PHBLL12345", IsPrinter: true},
		},
		{
			name: "Kyocera model from hrDeviceDescr",
			v: Values{OIDSysDescr: b("KYOCERA Document Solutions Printing System"), OIDSysObjectID: "1.3.6.1.4.1.1347.41",
				OIDHrDeviceDescr1: b("ECOSYS M3655idn"), oidKyoceraFirmware: b("2R7_2000.004.201")},
			want: Device{Vendor: "kyocera", Model: "ECOSYS M3655idn", Firmware: "2R7_2000.004.201", IsPrinter: true},
		},
		{
			name: "Copystar badge on Kyocera",
			v:    Values{OIDSysDescr: b("COPYSTAR Printing System"), OIDSysObjectID: "1.3.6.1.4.1.1347.41", OIDHrDeviceDescr1: b("CS 3554ci")},
			want: Device{Vendor: "kyocera", Brand: "Copystar", Model: "CS 3554ci", IsPrinter: true},
		},
		{
			name: "empty answer",
			v:    Values{},
			want: Device{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Identify("127.0.30.1", tc.v)
			tc.want.IP = "127.0.30.1"
			tc.want.SysDescr = got.SysDescr
			tc.want.SysObjectID = got.SysObjectID
			if got != tc.want {
				t.Errorf("Identify =\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

// TestIdentifyDescriptions checks model and firmware parsing on real
// descriptions of devices outside the recordings (the sysDescr and
// hrDeviceDescr strings, with the models people gave them, from
// FusionInventory agent's hardware tests and vendor documentation).
func TestIdentifyDescriptions(t *testing.T) {
	tests := []struct {
		descr, oid, hr    string
		vendor, model, fw string
	}{
		{"Xerox DocuPrint N2125 Network Laser Printer - 2.12-02 ", "1.3.6.1.4.1.253.8.62.1.6.1.1", "", "xerox", "DocuPrint N2125", "2.12-02"},
		{"Xerox Phaser 5550DT; System 1.3.7.P, OS 8.2, PS 5.1.0, Eng 11.58.00, Net 40.46.04.03.2009, Adobe PostScript 3016.101 (14), PCL 5e/6 Version 7.0.1, Finisher 5.03.00", "", "", "xerox", "Phaser 5550DT", "1.3.7.P"},
		{"Xerox Phaser 6180MFP-D; Net 11.74,ESS 200802151717,IOT 05.09.00,Boot 200706151125", "", "", "xerox", "Phaser 6180MFP-D", "200802151717"},
		{"Xerox WorkCentre 5632 v1 Multifunction System; System Software 025.054.055.00060, ESS 061.060.03400", "", "", "xerox", "WorkCentre 5632", "025.054.055.00060"},
		{"Xerox WorkCentre 7125;System 71.21.21,ESS1.210.4,IOT 5.12.0,FIN A15.2.0,ADF 11.0.1,SJFI3.0.16,SSMI1.14.1", "", "", "xerox", "WorkCentre 7125", "71.21.21"},
		{"Xerox WorkCentre 7435;System 75.3.1,ESS PS1.222.18,IOT 41.1.0,FIN B13.8.0,IIT 22.13.1,ADF 20.0.0", "", "", "xerox", "WorkCentre 7435", "75.3.1"},
		{"Xerox Phaser 8560DN; OS 9.82, PS 4.7.0, Eng 22.L0.4.7.0, Net 37.54.03.02.2008, Adobe PostScript 3016.101 (11), PCL 5c Version 5.0", "", "", "xerox", "Phaser 8560DN", "9.82"},
		{"Xerox ColorQube 8570DN; System 1.3.8.P, OS 10.62, PS 4.10.0, Eng 23.P1.4.10.0, Net 42.40.09.02.2011", "", "", "xerox", "ColorQube 8570DN", "1.3.8.P"},
		{"Xerox Phaser 8550DP;PS 3.11.0,Net 24.38.04.28.2005,Eng 18.P1.3.11.0,OS 4.278", "", "", "xerox", "Phaser 8550DP", "4.278"},
		{"Xerox WorkCentre 6515; System 65.31.81, Controller 1.40.6, IOT 1.0.0, IOT2 4.11.0, ADF 42.0.0, Fax 104.7.0, Panel 91.6.11, Boot 11.1.200, RSEP 1.8.23", "", "", "xerox", "WorkCentre 6515", "65.31.81"},
		{"HP ETHERNET MULTI-ENVIRONMENT,ROM B.25.01,JETDIRECT,JD119,EEPROM V.28.05,CIDATE 04/22/2004", "1.3.6.1.4.1.11.2.3.9.1", "hp LaserJet 1320 series", "hp", "LaserJet 1320", ""},
		{"HP ETHERNET MULTI-ENVIRONMENT,ROM V.29.11,JETDIRECT,JD115,EEPROM V.29.13,CIDATE 08/11/2005", "1.3.6.1.4.1.11.2.3.9.1", "HP Business Inkjet 2800", "hp", "Business Inkjet 2800", ""},
		{"HP LaserJet 100 colorMFP M175nw", "1.3.6.1.4.1.11.2.3.9.1", "HP LaserJet 100 colorMFP M175nw", "hp", "LaserJet 100 colorMFP M175nw", ""},
		{"Lexmark T622 version 54.30.06 kernel 2.4.0-test6 All-N-1", "1.3.6.1.4.1.641.1.5.7.8", "Lexmark T622 41XT225  543.006", "lexmark", "T622", "54.30.06"},
		{"Lexmark X792 version NH.HS2.N211La kernel 2.6.28.10.1 All-N-1", "", "", "lexmark", "X792", "NH.HS2.N211La"},
		{"KONICA MINOLTA bizhub 421", "1.3.6.1.4.1.18334.1.1.1.2.1.50.1.1", "", "konica-minolta", "bizhub 421", ""},
		{"KONICA MINOLTA bizhub C224e", "", "", "konica-minolta", "bizhub C224e", ""},
		{"RICOH Aficio AP3800C 1.12 / RICOH Network Printer C model / RICOH Network Scanner C model", "1.3.6.1.4.1.367.1.1", "", "ricoh", "Aficio AP3800C", "1.12"},
		{"RICOH Aficio SP C420DN 1.05 / RICOH Network Printer C model", "1.3.6.1.4.1.367.1.1", "", "ricoh", "Aficio SP C420DN", "1.05"},
	}
	for _, tc := range tests {
		t.Run(tc.descr, func(t *testing.T) {
			v := Values{OIDSysDescr: []byte(tc.descr)}
			if tc.oid != "" {
				v[OIDSysObjectID] = tc.oid
			}
			if tc.hr != "" {
				v[OIDHrDeviceDescr1] = []byte(tc.hr)
			}
			d := Identify("127.0.30.1", v)
			if d.Vendor != tc.vendor || d.Model != tc.model || d.Firmware != tc.fw || d.Family != "" || !d.IsPrinter {
				t.Errorf("got %s %q fw %q family %q printer %v, want %s %q fw %q family \"\" (the driver's to claim)",
					d.Vendor, d.Model, d.Firmware, d.Family, d.IsPrinter, tc.vendor, tc.model, tc.fw)
			}
		})
	}
}

func TestFollowUpOIDs(t *testing.T) {
	b := func(s string) []byte { return []byte(s) }
	// Complete answer: nothing more to ask.
	full := Values{
		OIDSysDescr:             b("Xerox AltaLink C8045; SS 100.002.057.09608"),
		OIDSysObjectID:          "1.3.6.1.4.1.253.8.62.1.35.2.3.1.1",
		OIDPrtGeneralSerial1:    b("3TB123456"),
		OIDIfPhysAddress + ".2": []byte{0x9c, 0x93, 0x4e, 1, 2, 3},
	}
	if got := FollowUpOIDs(full); got != nil {
		t.Errorf("FollowUpOIDs(complete) = %v, want nil", got)
	}
	// Ricoh without serial and MAC: the Ricoh OIDs and more interfaces.
	ricoh := Values{OIDSysDescr: b("RICOH MP C3004 1.07 / RICOH Network Printer C model"), OIDSysObjectID: "1.3.6.1.4.1.367.1.1",
		OIDIfPhysAddress + ".1": []byte{}, OIDIfPhysAddress + ".2": make([]byte, 6)}
	got := FollowUpOIDs(ricoh)
	for _, want := range []string{oidRicohSerial, OIDIfPhysAddress + ".3"} {
		if !slices.Contains(got, want) {
			t.Errorf("FollowUpOIDs(ricoh) = %v, want it to include %s", got, want)
		}
	}
	for _, o := range got {
		if slices.Contains(IdentityOIDs, o) {
			t.Errorf("FollowUpOIDs repeats identity OID %s", o)
		}
	}
	// No ifTable at all (both ifPhysAddress absent): no interface
	// follow-up, which would cost an SNMPv1 agent a round trip each.
	delete(ricoh, OIDIfPhysAddress+".1")
	delete(ricoh, OIDIfPhysAddress+".2")
	if got := FollowUpOIDs(ricoh); slices.Contains(got, OIDIfPhysAddress+".3") {
		t.Errorf("FollowUpOIDs without an ifTable = %v, want no ifPhysAddress", got)
	}
	// Nothing answered: nothing to follow up.
	if got := FollowUpOIDs(Values{}); got != nil {
		t.Errorf("FollowUpOIDs(empty) = %v, want nil", got)
	}
}

func TestPlaceholderSerial(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "XXXXXXXXXX": true, "xxxxxx": true, "0000000000": true, "AAA0A00000": true,
		"AAAAAAA000AAAA000": true, "VNB3J99999": true, "JDI99999999": true, "unknown": true, "<private>": true,
		"3TB123456": false, "X3B8022793": false, "6509415X00": false, "W492KB03439": false, "000A5J431816": false,
		"TC101642170085": false, "7062184": false,
	} {
		if got := placeholderSerial(s); got != want {
			t.Errorf("placeholderSerial(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzIdentify feeds arbitrary bytes into every identity OID: Identify and
// FollowUpOIDs must never panic and never return control characters.
func FuzzIdentify(f *testing.F) {
	f.Add([]byte("Xerox AltaLink C8045; SS 100.002.057.09608"), "1.3.6.1.4.1.253.8.62.1.35.2.3.1.1", []byte("3TB123456"), []byte{0, 1, 2, 3, 4, 5})
	f.Add([]byte("58 65 72 6F 78 C2 AE"), ".1.3", []byte("XXXX"), []byte("0:15:99:7d:b1:6a"))
	f.Add([]byte("HP ETHERNET MULTI-ENVIRONMENT,SN:,PID:"), "1.3.6.1.4.1.1347.41", []byte{1, 0x15}, []byte{})
	f.Add([]byte("Samsung X;;;S/N"), "1.3.6.1.4.1.", []byte{0xff, 0xfe}, []byte("::::::"))
	f.Fuzz(func(t *testing.T, descr []byte, oid string, serial, mac []byte) {
		v := Values{
			OIDSysDescr: descr, OIDSysObjectID: oid, OIDPrtGeneralSerial1: serial,
			OIDIfPhysAddress + ".1": mac, OIDHrDeviceDescr1: descr, OIDPrtGeneralPrinterName1: serial,
		}
		for _, o := range FollowUpOIDs(v) {
			v[o] = serial
		}
		d := Identify("127.0.30.1", v)
		for _, s := range []string{d.Vendor, d.Model, d.Serial, d.Firmware, d.MAC} {
			if strings.ContainsAny(s, "\x00\n\r\t") {
				t.Fatalf("control character in %+v", d)
			}
		}
		// Wrong types must not panic either.
		_ = Identify("", Values{OIDSysDescr: 42, OIDSysObjectID: []byte(oid), OIDIfPhysAddress + ".1": "x"})
	})
}

// BenchmarkIdentify measures Identify on a full HP walk's identity answers.
func BenchmarkIdentify(b *testing.B) {
	tab, err := snmprec.ParseFile(filepath.Join(recordingsDir, "librenms/jetdirect_m130nw.snmprec"))
	if err != nil {
		b.Fatal(err)
	}
	v := agentGET(tab, IdentityOIDs)
	for k, x := range agentGET(tab, FollowUpOIDs(v)) {
		v[k] = x
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Identify("127.0.30.1", v)
	}
}
