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
