package sim

import (
	"html/template"
	"net/http"
	"strings"
)

// The TCP/IP page: the device's host name and domain name, which make
// up the name its SMTP client announces in EHLO (hostname.domain, or the
// bare host name when no domain is set, as Xerox firmware does). Google
// Workspace's SMTP relay drops a bare name, so a relay push sets the
// domain here.
//
// GUESS: vendors.md does not document where Xerox web admins keep these
// fields. The paths below follow each family's URL style
// (ConnectKey .php under /properties, VersaLink's /network area,
// Fuji-Xerox-made .htm under /properties), and the labels are the ones
// the user guides use ("Host Name", "Domain Name"). The driver finds
// them by label, so a different real path only costs a menu walk.
const (
	ckTCPIPPage = "/properties/network/tcpip.php"
	vlTCPIPPage = "/network/tcpip.html"
	fxTCPIPPage = "/properties/tcpip.htm"
)

// TCPIPPath is where the device's family serves the TCP/IP page.
func (d *Device) TCPIPPath() string { return d.admin.TCPIPPath }

// HostName returns the device's host name and domain name.
func (d *Device) HostName() (host, domain string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.netHost, d.netDomain
}

// SetHostName sets the host name and domain name (as the TCP/IP page
// does).
func (d *Device) SetHostName(host, domain string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.netHost, d.netDomain = host, domain
}

// ehloName is what the SMTP client announces: host.domain, or the host
// name alone when no domain is set.
func (d *Device) ehloName() string {
	host, domain := d.HostName()
	if host == "" {
		host = d.defaultHostName()
	}
	if domain == "" {
		return host
	}
	return host + "." + domain
}

// validHostLabel is one DNS label (letters, digits, hyphens).
func validHostLabel(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func validDomainName(s string) bool {
	if s == "" {
		return true
	}
	for _, l := range strings.Split(s, ".") {
		if !validHostLabel(l) {
			return false
		}
	}
	return true
}

var tcpipTemplate = template.Must(template.New("tcpip").Parse(`<!DOCTYPE html>
<html><head><title>TCP/IP</title></head>
<body>
<h2>Connectivity &gt; Protocols &gt; TCP/IP</h2>
{{if .Msg}}<p class="message" role="status">{{.Msg}}</p>{{end}}
{{if .Err}}<p class="error" role="alert">{{.Err}}</p>{{end}}
<form method="post" action="{{.Action}}">
<table>
<tr><td><label for="hostName">Host Name</label></td><td><input type="text" id="hostName" name="hostName" maxlength="63" value="{{.Host}}"></td></tr>
<tr><td><label for="domainName">Domain Name</label></td><td><input type="text" id="domainName" name="domainName" maxlength="255" value="{{.Domain}}"></td></tr>
<tr><td>IPv4 Address</td><td>{{.Addr}}</td></tr>
</table>
<input type="submit" value="Apply"> <input type="reset" value="Undo">
</form>
</body></html>`))

// serveTCPIP shows and saves the TCP/IP page; allowed reports whether the
// request has the administrator (else it has been answered).
func (d *Device) serveTCPIP(w http.ResponseWriter, r *http.Request) {
	data := struct {
		Action, Host, Domain, Addr, Msg, Err string
	}{Action: d.TCPIPPath()}
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "Bad Request", http.StatusBadRequest)
			return
		}
		host := strings.TrimSpace(r.PostForm.Get("hostName"))
		domain := strings.Trim(strings.TrimSpace(r.PostForm.Get("domainName")), ".")
		switch {
		case !validHostLabel(host):
			data.Err = "Invalid value: Host Name may contain only letters, numbers and hyphens (1-63 characters)."
		case !validDomainName(domain):
			data.Err = "Invalid value: Domain Name."
		default:
			d.SetHostName(host, domain)
			d.log.Info("host name set", "host", host, "domain", domain)
			data.Msg = "Settings have been applied."
		}
	}
	data.Host, data.Domain = d.HostName()
	if data.Host == "" {
		data.Host = d.defaultHostName()
	}
	d.webMu.Lock()
	data.Addr = d.addr.String()
	d.webMu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = tcpipTemplate.Execute(w, data)
}
