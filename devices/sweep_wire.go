package devices

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/gosnmp/gosnmp"
)

// The wire side of the sweep: how probes are encoded, how their request
// IDs map back to (pass, address, probe kind), and how a datagram is
// decoded and matched. Everything that reads bytes from the network goes
// through matcher.decode, which FuzzSweepDecode exercises.

// Request IDs (and SNMPv3 msgIDs) are kept in [idLow, idLow+idSpace) so
// that BER always encodes them in exactly four bytes: a probe template is
// marshalled once and its ID patched in place for every address.
const (
	idLow   = 1 << 24
	idSpace = 1<<31 - idLow
	// maxProbes bounds the probe sequence numbers; follow-up GETs use the
	// rest of the ID space.
	maxProbes = idSpace / 2
)

// probeKind is one packet sent to every address in a pass.
type probeKind struct {
	version   gosnmp.SnmpVersion
	community string // v1/v2c
	tmpl      []byte // marshalled once
	idAt      []int  // offsets of the 4-byte ID fields in tmpl
}

func (k *probeKind) v3() bool { return k.version == gosnmp.Version3 }

func (k *probeKind) String() string {
	if k.v3() {
		return "v3 engine-ID probe"
	}
	return "v" + versionName(k.version) + " community"
}

// encode writes the probe with the given ID into buf.
func (k *probeKind) encode(buf []byte, id uint32) []byte {
	buf = append(buf[:0], k.tmpl...)
	for _, at := range k.idAt {
		binary.BigEndian.PutUint32(buf[at:], id)
	}
	return buf
}

// newProbeKind marshals the probe twice with two different IDs and finds
// where the ID sits in the bytes, so later probes cost a copy and a patch.
func newProbeKind(version gosnmp.SnmpVersion, community string, oids []string) (*probeKind, error) {
	mk := func(id uint32) ([]byte, error) {
		var p *gosnmp.SnmpPacket
		if version == gosnmp.Version3 {
			p = v3ProbePacket(id)
		} else {
			p = getPacket(version, community, id, oids)
		}
		return p.MarshalMsg()
	}
	const a, b = 0x01020304, 0x7a6b5c4d
	pa, err := mk(a)
	if err != nil {
		return nil, err
	}
	pb, err := mk(b)
	if err != nil {
		return nil, err
	}
	k := &probeKind{version: version, community: community, tmpl: pa}
	if len(pa) != len(pb) {
		return nil, errors.New("probe encoding depends on its request ID")
	}
	for i := 0; i < len(pa); {
		if pa[i] == pb[i] {
			i++
			continue
		}
		// A differing run must be a whole 4-byte ID.
		j := i - 3
		for ; j <= i; j++ {
			if j >= 0 && j+4 <= len(pa) && binary.BigEndian.Uint32(pa[j:]) == a && binary.BigEndian.Uint32(pb[j:]) == b {
				break
			}
		}
		if j > i {
			return nil, fmt.Errorf("probe encoding: cannot locate the request ID at byte %d", i)
		}
		k.idAt = append(k.idAt, j)
		i = j + 4
	}
	if len(k.idAt) == 0 {
		return nil, errors.New("probe encoding: no request ID found")
	}
	return k, nil
}

// getPacket is a v1/v2c GET for oids.
func getPacket(version gosnmp.SnmpVersion, community string, id uint32, oids []string) *gosnmp.SnmpPacket {
	vbs := make([]gosnmp.SnmpPDU, len(oids))
	for i, o := range oids {
		vbs[i] = gosnmp.SnmpPDU{Name: o, Type: gosnmp.Null}
	}
	return &gosnmp.SnmpPacket{
		Version:   version,
		Community: community,
		PDUType:   gosnmp.GetRequest,
		RequestID: id,
		Variables: vbs,
	}
}

// v3ProbePacket is the unauthenticated engine-ID discovery request of RFC
// 3414 section 4 (what nmap's snmp-info sends): reportable, noAuthNoPriv,
// empty user and engine ID, an empty GET. Agents answer with a Report
// carrying their engine ID, boots and time.
func v3ProbePacket(id uint32) *gosnmp.SnmpPacket {
	return &gosnmp.SnmpPacket{
		Version:            gosnmp.Version3,
		MsgFlags:           gosnmp.Reportable | gosnmp.NoAuthNoPriv,
		SecurityModel:      gosnmp.UserSecurityModel,
		SecurityParameters: &gosnmp.UsmSecurityParameters{},
		PDUType:            gosnmp.GetRequest,
		MsgID:              id,
		RequestID:          id,
		MsgMaxSize:         1472,
	}
}

// idMap turns sequence numbers into wire IDs and back. base randomises
// the IDs of each sweep.
type idMap struct{ base uint32 }

func (m idMap) id(seq uint32) uint32 { return idLow + (m.base+seq)%idSpace }

func (m idMap) seq(id uint32) (uint32, bool) {
	if id < idLow || id >= idLow+idSpace {
		return 0, false
	}
	return (id - idLow + idSpace - m.base%idSpace) % idSpace, true
}

// plan lays the probes out: sequence number = (pass*N + index)*K + kind.
type plan struct {
	targets Targets
	kinds   []*probeKind
	passes  int
	n       uint64 // targets.Count()
}

func (p *plan) probes() uint64 { return uint64(p.passes) * p.n * uint64(len(p.kinds)) }

func (p *plan) probeSeq(pass int, index uint64, kind int) uint32 {
	return uint32((uint64(pass)*p.n+index)*uint64(len(p.kinds)) + uint64(kind))
}

func (p *plan) split(seq uint32) (pass int, index uint64, kind int) {
	k := uint64(len(p.kinds))
	s := uint64(seq)
	kind = int(s % k)
	s /= k
	return int(s / p.n), s % p.n, kind
}

// reply is a datagram that decoded and passed every stateless check.
type reply struct {
	at   time.Time // when it was read from the socket
	from netip.Addr
	pkt  *gosnmp.SnmpPacket
	seq  uint32
	// Set for probe replies (seq < plan.probes()).
	probe bool
	pass  int
	kind  int
	// engineID is the v3 authoritative engine ID, hex.
	engineID string
}

// matcher decodes datagrams. It is used by one goroutine only: gosnmp's
// decoder keeps state in the GoSNMP value it runs on.
type matcher struct {
	plan *plan
	ids  idMap
	port uint16
	dec  *gosnmp.GoSNMP
}

func newMatcher(p *plan, ids idMap, port uint16) *matcher {
	return &matcher{plan: p, ids: ids, port: port, dec: &gosnmp.GoSNMP{Version: gosnmp.Version2c}}
}

// Reasons a datagram is dropped; counted in SweepStats.Dropped.
var (
	errMalformed = errors.New("malformed")
	errUnmatched = errors.New("unmatched")
)

// decode parses b, sent from "from", and checks it answers one of our
// probes (right ID, right source address and port, same version and
// community) or is a candidate answer to a follow-up GET (seq >= probes;
// the caller checks those against its table). Anything else is an error;
// it never panics, whatever b holds.
func (m *matcher) decode(from netip.AddrPort, b []byte) (r reply, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = reply{}, fmt.Errorf("%w: decoder panic: %v", errMalformed, p)
		}
	}()
	if len(b) < 2 || b[0] != 0x30 {
		return reply{}, errMalformed
	}
	if from.Port() != m.port {
		return reply{}, fmt.Errorf("%w: from port %d", errUnmatched, from.Port())
	}
	pkt, err := m.dec.SnmpDecodePacket(b)
	if err != nil {
		return reply{}, fmt.Errorf("%w: %v", errMalformed, err)
	}
	r = reply{from: from.Addr().Unmap(), pkt: pkt}
	id := pkt.RequestID
	switch pkt.Version {
	case gosnmp.Version1, gosnmp.Version2c:
		if pkt.PDUType != gosnmp.GetResponse {
			return reply{}, fmt.Errorf("%w: PDU type %v", errUnmatched, pkt.PDUType)
		}
	case gosnmp.Version3:
		if pkt.PDUType != gosnmp.Report && pkt.PDUType != gosnmp.GetResponse {
			return reply{}, fmt.Errorf("%w: PDU type %v", errUnmatched, pkt.PDUType)
		}
		usm, ok := pkt.SecurityParameters.(*gosnmp.UsmSecurityParameters)
		if !ok || len(usm.AuthoritativeEngineID) < 5 || len(usm.AuthoritativeEngineID) > 32 {
			return reply{}, fmt.Errorf("%w: no valid engine ID", errMalformed)
		}
		r.engineID = hex.EncodeToString([]byte(usm.AuthoritativeEngineID))
		id = pkt.MsgID
	default:
		return reply{}, fmt.Errorf("%w: version %d", errMalformed, pkt.Version)
	}
	seq, ok := m.ids.seq(id)
	if !ok {
		return reply{}, fmt.Errorf("%w: id %d", errUnmatched, id)
	}
	r.seq = seq
	if uint64(seq) >= m.plan.probes() {
		return r, nil // a follow-up: the caller owns that table
	}
	var index uint64
	r.probe = true
	r.pass, index, r.kind = m.plan.split(seq)
	want, ok := m.plan.targets.At(index)
	if !ok || want != r.from {
		return reply{}, fmt.Errorf("%w: id of %v from %v", errUnmatched, want, r.from)
	}
	k := m.plan.kinds[r.kind]
	if k.version != pkt.Version || (!k.v3() && k.community != pkt.Community) {
		return reply{}, fmt.Errorf("%w: version or community differs from the probe", errUnmatched)
	}
	return r, nil
}

// pduValues turns varbinds into Values: OCTET STRING -> []byte, OID ->
// dotted string, integers -> int64 / uint64, IpAddress -> string. Missing
// objects (noSuchObject, noSuchInstance, endOfMibView, NULL) are left out.
func pduValues(dst Values, vbs []gosnmp.SnmpPDU) {
	for _, vb := range vbs {
		oid := strings.TrimPrefix(vb.Name, ".")
		switch vb.Type {
		case gosnmp.OctetString, gosnmp.Opaque, gosnmp.BitString:
			if b, ok := vb.Value.([]byte); ok {
				dst[oid] = bytes.Clone(b)
			}
		case gosnmp.ObjectIdentifier:
			if s, ok := vb.Value.(string); ok {
				dst[oid] = strings.TrimPrefix(s, ".")
			}
		case gosnmp.IPAddress:
			if s, ok := vb.Value.(string); ok {
				dst[oid] = s
			}
		case gosnmp.Integer:
			if n, ok := vb.Value.(int); ok {
				dst[oid] = int64(n)
			}
		case gosnmp.Counter32, gosnmp.Gauge32, gosnmp.TimeTicks, gosnmp.Uinteger32:
			switch n := vb.Value.(type) {
			case uint:
				dst[oid] = uint64(n)
			case uint32:
				dst[oid] = uint64(n)
			}
		case gosnmp.Counter64:
			if n, ok := vb.Value.(uint64); ok {
				dst[oid] = n
			}
		}
	}
}
