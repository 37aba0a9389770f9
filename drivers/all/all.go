// Package all registers every web-admin driver; import it for its side
// effect:
//
//	import _ "github.com/mfpfleet/mfpfleet/drivers/all"
package all

import (
	// Canon: imageCLASS/i-SENSYS MF and imageRUNNER ADVANCE Remote UIs.
	_ "github.com/mfpfleet/mfpfleet/drivers/canon"
	// Xerox: ConnectKey/AltaLink, VersaLink, Fuji-Xerox-made WorkCentres.
	_ "github.com/mfpfleet/mfpfleet/drivers/xerox"
)
