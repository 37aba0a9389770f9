// Package all registers every web-admin driver; import it for its side
// effect:
//
//	import _ "github.com/mfpfleet/mfpfleet/drivers/all"
package all

import (
	// Canon: imageCLASS/i-SENSYS MF and imageRUNNER ADVANCE Remote UIs.
	_ "github.com/mfpfleet/mfpfleet/drivers/canon"
	// HP: FutureSmart (LaserJet/PageWide Enterprise); LEDM declined.
	_ "github.com/mfpfleet/mfpfleet/drivers/hp"
	// Lexmark: the webglue EWS (also Dell and Lexmark-built Sharp).
	_ "github.com/mfpfleet/mfpfleet/drivers/lexmark"
	// Ricoh Web Image Monitor (also Savin, Lanier, Gestetner, NRG).
	_ "github.com/mfpfleet/mfpfleet/drivers/ricoh"
	// Xerox: ConnectKey/AltaLink, VersaLink, Fuji-Xerox-made WorkCentres.
	_ "github.com/mfpfleet/mfpfleet/drivers/xerox"
	// Konica Minolta bizhub (and the Develop ineo badge): classic and i-series Web Connection.
	_ "github.com/mfpfleet/mfpfleet/drivers/konica"
	// Brother: Web Based Management.
	_ "github.com/mfpfleet/mfpfleet/drivers/brother"
	// Sharp: the native MX/BP web admin.
	_ "github.com/mfpfleet/mfpfleet/drivers/sharp"
	// Epson: Web Config.
	_ "github.com/mfpfleet/mfpfleet/drivers/epson"
	// Kyocera Command Center RX (also TA Triumph-Adler, UTAX, Copystar).
	_ "github.com/mfpfleet/mfpfleet/drivers/kyocera"
)
