package devices

// Values maps dotted OIDs (no leading dot) to decoded values:
// OCTET STRING -> []byte, OBJECT IDENTIFIER -> string (dotted, no leading
// dot), INTEGER/Counter/Gauge/TimeTicks -> int64 or uint64, IpAddress ->
// string. Missing OIDs (noSuchObject/noSuchInstance/endOfMibView) are absent.
type Values map[string]any

// Standard OIDs asked of every responder.
const (
	OIDSysDescr               = "1.3.6.1.2.1.1.1.0"
	OIDSysObjectID            = "1.3.6.1.2.1.1.2.0"
	OIDSysName                = "1.3.6.1.2.1.1.5.0"
	OIDSysLocation            = "1.3.6.1.2.1.1.6.0"
	OIDHrDeviceType1          = "1.3.6.1.2.1.25.3.2.1.2.1"
	OIDHrDeviceDescr1         = "1.3.6.1.2.1.25.3.2.1.3.1"
	OIDPrtGeneralPrinterName1 = "1.3.6.1.2.1.43.5.1.1.16.1"
	OIDPrtGeneralSerial1      = "1.3.6.1.2.1.43.5.1.1.17.1"
	// OIDIfPhysAddress is the ifPhysAddress column; append ".N" for ifIndex N.
	OIDIfPhysAddress = "1.3.6.1.2.1.2.2.1.6"
	// OIDHrDevicePrinter is the hrDeviceType value of a printer.
	OIDHrDevicePrinter = "1.3.6.1.2.1.25.3.1.5"
)

// IdentityOIDs is what a sweep asks every responder in its first GET.
var IdentityOIDs = []string{
	OIDSysDescr,
	OIDSysObjectID,
	OIDSysName,
	OIDSysLocation,
	OIDPrtGeneralSerial1,
	OIDPrtGeneralPrinterName1,
	OIDHrDeviceDescr1,
	OIDHrDeviceType1,
	OIDIfPhysAddress + ".1",
	OIDIfPhysAddress + ".2",
}
