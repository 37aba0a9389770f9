package sim

import (
	"net/http"
	"time"
)

// Web-admin families of the simulated Xerox devices. They match
// devices.Device.Family.
const (
	FamilyConnectKey = "xerox/connectkey"
	FamilyVersaLink  = "xerox/versalink"
	FamilyFujiXerox  = "xerox/fujixerox"
)

// The three simulated Xerox web-admin families (web_connectkey.go,
// web_versalink.go, web_fujixerox.go) and what differs around their
// pages: the Server header, the mail client, the realistic latency
// (figures and reasons in RealisticLatency's comment).
func init() {
	ln := LongTail
	xeroxPassword := func(d *Device) string {
		if d.opts.PasswordIsSerial {
			return d.opts.Serial
		}
		return "1111"
	}
	RegisterWebAdmin(WebAdmin{
		Family: FamilyConnectKey, Maker: "Xerox", Organization: "Xerox Corporation",
		UIs:    []string{UIHeaderLogin},
		Server: "Xerox_MicroServer/Xerox11",
		Routes: func(d *Device, mux *http.ServeMux) {
			d.routesConnectKey(mux)
		},
		DefaultPassword: xeroxPassword,
		TCPIPPath:       ckTCPIPPage,
		// ConnectKey has a "Validate Server Certificate" switch.
		SkipVerify: func(_ *Device, s SMTPSettings) bool { return !s.ValidateCert },
		Latency:    Latency{Page: ln(time.Second, 0.5), Asset: ln(150*time.Millisecond, 0.5), Save: ln(2500*time.Millisecond, 0.6)},
	})
	RegisterWebAdmin(WebAdmin{
		Family: FamilyVersaLink, Maker: "Xerox", Organization: "Xerox Corporation",
		Server:          "Xerox_MicroServer/Xerox11",
		Routes:          func(d *Device, mux *http.ServeMux) { d.routesVersaLink(mux) },
		DefaultPassword: xeroxPassword,
		TCPIPPath:       vlTCPIPPage,
		PreferPlain:     true,
		TestSubject:     func(d *Device) string { return "Xerox " + d.opts.Model + " Test E-mail" },
		JobFailure: func(_ *Device, err error) (string, string) {
			return "016-781", "Unable to connect to the SMTP server: " + err.Error()
		},
		Latency: Latency{Page: ln(600*time.Millisecond, 0.5), Asset: ln(1500*time.Millisecond, 0.5), Save: ln(2*time.Second, 0.6)},
	})
	RegisterWebAdmin(WebAdmin{
		Family: FamilyFujiXerox, Maker: "Xerox", Organization: "Xerox Corporation",
		Server:          "EWS-NIC5/1.75",
		Routes:          func(d *Device, mux *http.ServeMux) { d.routesFujiXerox(mux) },
		DefaultPassword: xeroxPassword,
		TCPIPPath:       fxTCPIPPage,
		// The Fuji-Xerox-made small devices never validate.
		SkipVerify: func(*Device, SMTPSettings) bool { return true },
		Latency:    Latency{Page: ln(1200*time.Millisecond, 0.6), Asset: ln(150*time.Millisecond, 0.5), Save: ln(4*time.Second, 0.6)},
	})
}

// xeroxSeedModels are the catalogue's first xerox models (Catalog keeps their
// place in its order; more are added with RegisterModels).
var xeroxSeedModels = []Model{
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
}
