// Package all registers every web-admin driver; import it for its side
// effect:
//
//	import _ "github.com/mfpfleet/mfpfleet/drivers/all"
package all

import (
	// Xerox: ConnectKey/AltaLink, VersaLink, Fuji-Xerox-made WorkCentres.
	_ "github.com/mfpfleet/mfpfleet/drivers/xerox"
	// Konica Minolta bizhub (and the Develop ineo badge): classic and i-series Web Connection.
	_ "github.com/mfpfleet/mfpfleet/drivers/konica"
)
