// Package all registers every web-admin driver; import it for its side
// effect:
//
//	import _ "github.com/mfpfleet/mfpfleet/drivers/all"
package all

import (
	// HP: FutureSmart (LaserJet/PageWide Enterprise); LEDM declined.
	_ "github.com/mfpfleet/mfpfleet/drivers/hp"
	// Xerox: ConnectKey/AltaLink, VersaLink, Fuji-Xerox-made WorkCentres.
	_ "github.com/mfpfleet/mfpfleet/drivers/xerox"
)
