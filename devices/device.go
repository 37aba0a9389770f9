// Package devices knows what a networked MFP is and how to find one: the
// Device record, SNMP sweeps over address ranges (v1, v2c and v3), and the
// identification rules that turn SNMP answers into vendor, model, serial
// and firmware. The simulated fleet lives in devices/sim.
package devices

// Device is one printer as identified over SNMP. Field names match the
// JSON that `mfpfleet discover --json` prints.
type Device struct {
	IP          string `json:"ip"`
	Vendor      string `json:"vendor"`          // lower-case slug of the maker whose web admin it runs: xerox, hp, ricoh, konica-minolta, …
	Brand       string `json:"brand,omitempty"` // the badge when it differs from Vendor (OEM): "Savin", "Develop", "UTAX"
	Model       string `json:"model"`           // as a person writes it: "AltaLink C8045"
	Serial      string `json:"serial"`
	Firmware    string `json:"firmware"`
	MAC         string `json:"mac"` // aa:bb:cc:dd:ee:ff
	SysName     string `json:"sys_name"`
	SysDescr    string `json:"sys_descr"`
	SysObjectID string `json:"sys_object_id"` // dotted, no leading dot
	Location    string `json:"location"`
	Site        string `json:"site"`

	// Family is the web-admin family, "<driver>/<family>", when the
	// identity tells it; "" when unknown. Identify leaves it empty: the
	// driver that handles the device claims it (drivers.ClaimFamily,
	// which discovery calls), and a session confirms it from the page.
	Family string `json:"family,omitempty"`
	// IsPrinter is false for SNMP agents that are not printers (kept
	// only with --all-snmp).
	IsPrinter bool `json:"is_printer"`
	// SNMPVersion is the version that answered: "1", "2c" or "3".
	SNMPVersion string `json:"snmp_version,omitempty"`
	// CredentialsNeeded is set for an SNMPv3-only agent that answered the
	// unauthenticated engine-ID probe but none of the configured users.
	CredentialsNeeded bool `json:"credentials_needed,omitempty"`
	// EngineID is the SNMPv3 authoritative engine ID, hex, when known.
	EngineID string `json:"engine_id,omitempty"`
}

// Key is the inventory identity of a device: serial number, else MAC,
// else address.
func (d Device) Key() string {
	switch {
	case d.Serial != "":
		return "serial:" + d.Serial
	case d.MAC != "":
		return "mac:" + d.MAC
	}
	return "ip:" + d.IP
}
