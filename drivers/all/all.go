// Package all registers every web-admin driver; import it for its side
// effect:
//
//	import _ "github.com/mfpfleet/mfpfleet/drivers/all"
package all

import (
	// Lexmark: the webglue EWS (also Dell and Lexmark-built Sharp).
	_ "github.com/mfpfleet/mfpfleet/drivers/lexmark"
	// Xerox: ConnectKey/AltaLink, VersaLink, Fuji-Xerox-made WorkCentres.
	_ "github.com/mfpfleet/mfpfleet/drivers/xerox"
)
