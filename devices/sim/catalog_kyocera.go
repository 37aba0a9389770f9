package sim

// Kyocera's models in the simulator catalogue: they serve the Command
// Center RX web admin (web_kyocera.go), the family the kyocera driver
// claims for them from SNMP (Family: what discovery records). The SNMP identity is what Kyocera
// agents answer ([C]: enterprise 1347, sysObjectID 1.3.6.1.4.1.1347.41,
// sysDescr "KYOCERA Document Solutions Printing System" /
// "TA_UTAX Printing System" / "COPYSTAR Printing System" naming no model,
// the model, serial and firmware under 1347.43.5; see
// devices/testdata/snmprec/GROUND_TRUTH.tsv). Model names, firmware
// strings and serial prefixes are plausible, not recorded ([I]).

func init() {
	for i := range Catalog {
		if Catalog[i].Key == "kyocera-ecosys-m3655idn" && Catalog[i].WebFamily == "" && Catalog[i].Family == "" {
			Catalog[i].Family = FamilyKyoceraCCRX
		}
	}
	RegisterModels(kyoceraModels...)
}

var kyoceraModels = []Model{
	{
		Key: "kyocera-taskalfa-3253ci", Vendor: "kyocera", Model: "TASKalfa 3253ci", Family: FamilyKyoceraCCRX,
		SysObjectID:  "1.3.6.1.4.1.1347.41",
		SysDescr:     "KYOCERA Document Solutions Printing System",
		HrDeviceDesc: "TASKalfa 3253ci",
		Firmware:     "2V9_S000.002.508",
		SerialPrefix: "W2P", SerialDigits: 7, OUI: [3]byte{0x00, 0x17, 0xc8},
		AdminUser: kyAdminUser, AdminPassword: kyAdminPassword, SMTPTLS: "tls12",
		vendorVars: kyoceraVars,
	},
	{
		Key: "utax-p-c3565i", Vendor: "kyocera", Brand: "UTAX", Model: "P-C3565i", Family: FamilyKyoceraCCRX,
		SysObjectID:  "1.3.6.1.4.1.1347.41",
		SysDescr:     "TA_UTAX Printing System",
		Firmware:     "2TD_S000.002.317",
		SerialPrefix: "R4M", SerialDigits: 7, OUI: [3]byte{0x00, 0x17, 0xc8},
		AdminUser: kyAdminUser, AdminPassword: kyAdminPassword, SMTPTLS: "tls12",
		vendorVars: kyoceraVars,
	},
	{
		Key: "ta-triumph-adler-3206ci", Vendor: "kyocera", Brand: "TA Triumph-Adler", Model: "3206ci", Family: FamilyKyoceraCCRX,
		SysObjectID:  "1.3.6.1.4.1.1347.41",
		SysDescr:     "TA Triumph-Adler Printing System",
		Firmware:     "2NP_S000.004.303",
		SerialPrefix: "N3T", SerialDigits: 7, OUI: [3]byte{0x00, 0x17, 0xc8},
		AdminUser: kyAdminUser, AdminPassword: kyAdminPassword, SMTPTLS: "tls12",
		vendorVars: kyoceraVars,
	},
	{
		Key: "copystar-cs-3554ci", Vendor: "kyocera", Brand: "Copystar", Model: "CS 3554ci", Family: FamilyKyoceraCCRX,
		SysObjectID:  "1.3.6.1.4.1.1347.41",
		SysDescr:     "COPYSTAR Printing System",
		Firmware:     "2YN_S000.001.215",
		SerialPrefix: "RDV", SerialDigits: 7, OUI: [3]byte{0x00, 0x17, 0xc8},
		AdminUser: kyAdminUser, AdminPassword: kyAdminPassword, SMTPTLS: "tls12",
		vendorVars: kyoceraVars,
	},
	{
		// [I] guess: a 2012 model whose mail client speaks TLS 1.0 only.
		Key: "kyocera-fs-c2126mfp", Vendor: "kyocera", Model: "FS-C2126MFP+", Family: FamilyKyoceraCCRX,
		SysObjectID:  "1.3.6.1.4.1.1347.41",
		SysDescr:     "KYOCERA Document Solutions Printing System",
		HrDeviceDesc: "FS-C2126MFP+",
		Firmware:     "2N3_2000.002.003",
		SerialPrefix: "LAM", SerialDigits: 7, OUI: [3]byte{0x00, 0x17, 0xc8},
		AdminUser: kyAdminUser, AdminPassword: kyAdminPassword, SMTPTLS: "tls10",
		vendorVars: kyoceraVars,
	},
}
