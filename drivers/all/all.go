// Package all registers every web-admin driver; import it for its side
// effect:
//
//	import _ "github.com/mfpfleet/mfpfleet/drivers/all"
package all

import (
	// Xerox: ConnectKey/AltaLink, VersaLink, Fuji-Xerox-made WorkCentres.
	_ "github.com/mfpfleet/mfpfleet/drivers/xerox"
	// Brother: Web Based Management.
	_ "github.com/mfpfleet/mfpfleet/drivers/brother"
)
