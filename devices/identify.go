package devices

import "strings"

// FollowUpOIDs returns vendor-specific OIDs to GET in a second request when
// the standard ones left gaps (nil when nothing more is needed).
func FollowUpOIDs(v Values) []string {
	return nil
}

// Identify builds a Device from the answers (IP set, Site left empty).
func Identify(ip string, v Values) Device {
	d := Device{IP: ip}
	if b, ok := v[OIDSysDescr].([]byte); ok {
		d.SysDescr = strings.TrimSpace(string(b))
	}
	if s, ok := v[OIDSysObjectID].(string); ok {
		d.SysObjectID = strings.TrimPrefix(s, ".")
	}
	return d
}
