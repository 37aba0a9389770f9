// Package all registers every web-admin driver; import it for its side
// effect:
//
//	import _ "github.com/mfpfleet/mfpfleet/drivers/all"
package all

import (
	// Xerox: ConnectKey/AltaLink, VersaLink, Fuji-Xerox-made WorkCentres.
	_ "github.com/mfpfleet/mfpfleet/drivers/xerox"

	// Kyocera Command Center RX (also TA Triumph-Adler, UTAX, Copystar, Olivetti).
	_ "github.com/mfpfleet/mfpfleet/drivers/kyocera"
)
