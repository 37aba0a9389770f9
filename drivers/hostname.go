package drivers

import (
	"context"
	"strings"

	"github.com/mfpfleet/mfpfleet/devices"
)

// HostName is a device's network name: its host name and domain name
// (TCP/IP settings). Printers announce Host.Domain in SMTP EHLO, or the
// bare host name when no domain is set — which Google Workspace's SMTP
// relay refuses (421 4.7.0 … (EHLO)).
type HostName struct {
	Host   string `json:"host"`
	Domain string `json:"domain,omitempty"`
}

// EHLO is the name the device announces: host.domain, or host.
func (h HostName) EHLO() string {
	if h.Domain == "" {
		return h.Host
	}
	return h.Host + "." + h.Domain
}

// InDomain reports whether the EHLO name is fully qualified in domain
// (the domain itself or a subdomain of it).
func (h HostName) InDomain(domain string) bool {
	d := strings.ToLower(strings.TrimSuffix(h.Domain, "."))
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	return h.Host != "" && d != "" && (d == domain || strings.HasSuffix(d, "."+domain))
}

// HostNamer is a Session that can read and set the device's host name
// and domain name, so that its EHLO is a fully qualified name in the
// client's domain (what the SMTP relay needs).
type HostNamer interface {
	ReadHostName(ctx context.Context) (HostName, error)
	// WriteHostName saves h; an empty h.Host keeps the device's own.
	WriteHostName(ctx context.Context, h HostName) error
}

// HostNameSetter is a Driver that tells, before any session, whether it
// can set dev's host and domain name (for the plan a relay push shows
// first).
type HostNameSetter interface {
	CanSetHostName(dev devices.Device) bool
}

// CanSetHostName reports whether the driver for dev declares that it can
// set the device's host and domain name.
func CanSetHostName(dev devices.Device) bool {
	d, err := For(dev)
	if err != nil {
		return false
	}
	hs, ok := d.(HostNameSetter)
	return ok && hs.CanSetHostName(dev)
}
