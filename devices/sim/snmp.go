package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/mfpfleet/mfpfleet/devices/snmprec"
)

// OIDSysUpTime is sysUpTime.0; an agent serving a table that has it
// answers with the recorded value plus the time it has been running.
const OIDSysUpTime = "1.3.6.1.2.1.1.3.0"

const (
	// maxResponseBytes bounds a GETBULK answer, as an agent with a
	// 1500-byte MTU would: the answer stops short rather than grow past it.
	maxResponseBytes = 1400
	// maxRepetitions caps what a GETBULK may ask for, whatever it says.
	maxRepetitions = 64
	// maxCommunity is the longest community gosnmp encodes correctly.
	maxCommunity = 127
)

// SNMPAgent answers SNMPv1 and SNMPv2c GET, GETNEXT and GETBULK from an OID
// table, like a printer's agent: v1 answers noSuchName for the whole PDU
// when one OID is missing, v2c marks each missing OID noSuchObject /
// noSuchInstance / endOfMibView. SET is refused (read-only agent).
// Malformed packets, unknown PDU types and wrong communities are dropped
// without an answer, as real agents do.
//
// With EngineID set, an SNMPv3 request (the unauthenticated engine-ID
// discovery probe that nmap and net-snmp send) gets a report PDU carrying
// that engine ID and usmStatsUnknownEngineIDs, so the device looks like an
// SNMPv3 agent whose credentials are unknown; any other v3 request gets
// usmStatsUnknownUserNames. With V3Only set as well, v1 and v2c requests
// are dropped.
type SNMPAgent struct {
	Table     *snmprec.Table
	Community string // "" accepts any community
	EngineID  string // text engine ID for SNMPv3 discovery reports; "" ignores v3
	V3Only    bool   // drop v1/v2c (needs EngineID)
	Log       *slog.Logger

	start       time.Time
	unknownEIDs atomic.Uint32
	unknownUser atomic.Uint32
}

// ServeSNMP answers SNMP requests on conn from table until ctx is
// cancelled (then it returns nil) or conn fails. community "" accepts any
// community. conn is not closed.
func ServeSNMP(ctx context.Context, conn net.PacketConn, table *snmprec.Table, community string, log *slog.Logger) error {
	a := &SNMPAgent{Table: table, Community: community, Log: log}
	return a.Serve(ctx, conn)
}

// Serve answers requests on conn until ctx is cancelled (then it returns
// nil) or reading conn fails. conn is not closed.
func (a *SNMPAgent) Serve(ctx context.Context, conn net.PacketConn) error {
	if a.Table == nil {
		return errors.New("snmp agent: no OID table")
	}
	if a.start.IsZero() {
		a.start = time.Now()
	}
	log := a.logger()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 65536)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("snmp agent on %s: %w", conn.LocalAddr(), err)
		}
		out := a.Handle(buf[:n])
		if out == nil {
			continue
		}
		if _, err := conn.WriteTo(out, from); err != nil {
			log.Debug("snmp reply not sent", "to", from.String(), "err", err)
		}
	}
}

func (a *SNMPAgent) logger() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Handle answers one request datagram; nil means no answer (dropped).
// It never panics, whatever the input.
func (a *SNMPAgent) Handle(pkt []byte) (out []byte) {
	defer func() {
		if r := recover(); r != nil {
			a.logger().Debug("snmp request dropped: decoder panic", "panic", fmt.Sprint(r))
			out = nil
		}
	}()
	if a.start.IsZero() {
		a.start = time.Now()
	}
	dec := &gosnmp.GoSNMP{}
	req, err := dec.SnmpDecodePacket(pkt)
	if err != nil {
		if req != nil && req.Version == gosnmp.Version3 && req.SecurityParameters != nil {
			// An encrypted v3 request we cannot read: still report the
			// engine, as a real agent reports unknown users.
			return a.v3Report(req)
		}
		a.logger().Debug("snmp request dropped: undecodable", "err", err)
		return nil
	}
	if req.Version == gosnmp.Version3 {
		return a.v3Report(req)
	}
	if a.V3Only && a.EngineID != "" {
		return nil
	}
	if req.Version != gosnmp.Version1 && req.Version != gosnmp.Version2c {
		return nil
	}
	if a.Community != "" && req.Community != a.Community {
		a.logger().Debug("snmp request dropped: wrong community")
		return nil
	}
	if len(req.Community) > maxCommunity {
		return nil
	}
	resp := &gosnmp.SnmpPacket{
		Version:   req.Version,
		Community: req.Community,
		PDUType:   gosnmp.GetResponse,
		RequestID: req.RequestID,
	}
	v1 := req.Version == gosnmp.Version1
	switch req.PDUType {
	case gosnmp.GetRequest:
		a.get(req, resp, v1)
	case gosnmp.GetNextRequest:
		a.getNext(req, resp, v1)
	case gosnmp.GetBulkRequest:
		if v1 {
			return nil // no GETBULK in SNMPv1
		}
		a.getBulk(req, resp)
	case gosnmp.SetRequest:
		resp.Variables = req.Variables
		resp.ErrorIndex = 1
		if v1 {
			resp.Error = gosnmp.NoSuchName
		} else {
			resp.Error = gosnmp.NotWritable
		}
	default:
		return nil
	}
	b, err := resp.MarshalMsg()
	if err != nil {
		// A value the encoder refuses: answer genErr rather than nothing.
		a.logger().Debug("snmp reply: encode failed", "err", err)
		resp.Variables = echo(req.Variables)
		resp.Error, resp.ErrorIndex = gosnmp.GenErr, 1
		if b, err = resp.MarshalMsg(); err != nil {
			return nil
		}
	}
	return b
}

// echo returns the request varbinds with NULL values, as an error response
// carries them.
func echo(vbs []gosnmp.SnmpPDU) []gosnmp.SnmpPDU {
	out := make([]gosnmp.SnmpPDU, len(vbs))
	for i, v := range vbs {
		out[i] = gosnmp.SnmpPDU{Name: v.Name, Type: gosnmp.Null}
	}
	return out
}

func (a *SNMPAgent) lookup(oid string) (snmprec.Var, bool) {
	v, ok := a.Table.Get(oid)
	if ok && v.OID == OIDSysUpTime {
		v = a.uptime(v)
	}
	return v, ok
}

func (a *SNMPAgent) next(oid string, v1 bool) (snmprec.Var, bool) {
	for {
		v, ok := a.Table.Next(oid)
		if !ok {
			return v, false
		}
		// SNMPv1 cannot carry Counter64: skip it (RFC 3584 §4.2.2.1).
		if v1 && v.Type == snmprec.Counter64 {
			oid = v.OID
			continue
		}
		if v.OID == OIDSysUpTime {
			v = a.uptime(v)
		}
		return v, true
	}
}

func (a *SNMPAgent) uptime(v snmprec.Var) snmprec.Var {
	base := uint64(0)
	switch x := v.Value.(type) {
	case uint64:
		base = x
	case int64:
		if x > 0 {
			base = uint64(x)
		}
	}
	ticks := base + uint64(time.Since(a.start)/(10*time.Millisecond))
	return snmprec.Var{OID: v.OID, Type: snmprec.TimeTicks, Value: ticks & 0xFFFFFFFF}
}

func reqOID(name string) string { return strings.TrimPrefix(name, ".") }

func (a *SNMPAgent) get(req, resp *gosnmp.SnmpPacket, v1 bool) {
	for i, vb := range req.Variables {
		oid := reqOID(vb.Name)
		v, ok := a.lookup(oid)
		if ok && v1 && v.Type == snmprec.Counter64 {
			ok = false
		}
		if !ok {
			if v1 {
				resp.Error, resp.ErrorIndex = gosnmp.NoSuchName, uint8(min(i+1, math.MaxUint8))
				resp.Variables = echo(req.Variables)
				return
			}
			resp.Variables = append(resp.Variables, gosnmp.SnmpPDU{Name: vb.Name, Type: a.missingType(oid)})
			continue
		}
		resp.Variables = append(resp.Variables, toPDU(v))
	}
}

// missingType tells noSuchInstance (the object exists in the table but
// not this instance) from noSuchObject.
func (a *SNMPAgent) missingType(oid string) gosnmp.Asn1BER {
	if i := strings.LastIndexByte(oid, '.'); i > 0 {
		parent := oid[:i] + "."
		if n, ok := a.Table.Next(oid[:i]); ok && strings.HasPrefix(n.OID, parent) {
			return gosnmp.NoSuchInstance
		}
	}
	return gosnmp.NoSuchObject
}

func (a *SNMPAgent) getNext(req, resp *gosnmp.SnmpPacket, v1 bool) {
	for i, vb := range req.Variables {
		v, ok := a.next(reqOID(vb.Name), v1)
		if !ok {
			if v1 {
				resp.Error, resp.ErrorIndex = gosnmp.NoSuchName, uint8(min(i+1, math.MaxUint8))
				resp.Variables = echo(req.Variables)
				return
			}
			resp.Variables = append(resp.Variables, gosnmp.SnmpPDU{Name: vb.Name, Type: gosnmp.EndOfMibView})
			continue
		}
		resp.Variables = append(resp.Variables, toPDU(v))
	}
}

func (a *SNMPAgent) getBulk(req, resp *gosnmp.SnmpPacket) {
	vbs := req.Variables
	nonRep := min(int(req.NonRepeaters), len(vbs))
	size := 0
	add := func(p gosnmp.SnmpPDU) bool {
		s := pduSize(p)
		if size+s > maxResponseBytes && len(resp.Variables) > 0 {
			return false
		}
		size += s
		resp.Variables = append(resp.Variables, p)
		return true
	}
	for _, vb := range vbs[:nonRep] {
		p := gosnmp.SnmpPDU{Name: vb.Name, Type: gosnmp.EndOfMibView}
		if v, ok := a.next(reqOID(vb.Name), false); ok {
			p = toPDU(v)
		}
		if !add(p) {
			return
		}
	}
	reps := vbs[nonRep:]
	if len(reps) == 0 {
		return
	}
	cur := make([]string, len(reps))
	for i, vb := range reps {
		cur[i] = reqOID(vb.Name)
	}
	maxRep := min(int(req.MaxRepetitions), maxRepetitions)
	for r := 0; r < maxRep; r++ {
		allEnd := true
		for i := range reps {
			p := gosnmp.SnmpPDU{Name: "." + cur[i], Type: gosnmp.EndOfMibView}
			if v, ok := a.next(cur[i], false); ok {
				p = toPDU(v)
				cur[i] = v.OID
				allEnd = false
			}
			if !add(p) {
				return
			}
		}
		if allEnd {
			return
		}
	}
}

// pduSize estimates the encoded size of a varbind.
func pduSize(p gosnmp.SnmpPDU) int {
	n := len(p.Name)/2 + 8
	switch x := p.Value.(type) {
	case []byte:
		n += len(x)
	case string:
		n += len(x)
	default:
		n += 9
	}
	return n
}

// toPDU converts a table variable to what gosnmp's encoder wants.
func toPDU(v snmprec.Var) gosnmp.SnmpPDU {
	p := gosnmp.SnmpPDU{Name: "." + v.OID, Type: gosnmp.Asn1BER(v.Type)}
	switch v.Type {
	case snmprec.Integer:
		n, _ := v.Value.(int64)
		p.Value = int(max(min(n, math.MaxInt32), math.MinInt32))
	case snmprec.Counter32, snmprec.Gauge32, snmprec.TimeTicks:
		n, _ := v.Value.(uint64)
		p.Value = uint32(n & 0xFFFFFFFF)
	case snmprec.Counter64:
		n, _ := v.Value.(uint64)
		p.Value = n
	case snmprec.OctetString, snmprec.Opaque:
		b, _ := v.Value.([]byte)
		if b == nil {
			b = []byte{}
		}
		p.Value = b
	case snmprec.ObjectIdentifier:
		s, _ := v.Value.(string)
		p.Value = "." + s
	case snmprec.IPAddress:
		s, _ := v.Value.(string)
		p.Value = s
	case snmprec.Null:
		p.Type = gosnmp.Null
	default:
		b, _ := v.Value.([]byte)
		p.Type, p.Value = gosnmp.OctetString, b
	}
	return p
}

// usmStats OIDs a report PDU carries.
const (
	oidUsmStatsUnknownUserNames = "1.3.6.1.6.3.15.1.1.3.0"
	oidUsmStatsUnknownEngineIDs = "1.3.6.1.6.3.15.1.1.4.0"
)

// v3Report answers an SNMPv3 request with a report, as an agent that knows
// no users does: usmStatsUnknownEngineIDs for a discovery probe (empty
// engine ID), usmStatsUnknownUserNames otherwise.
func (a *SNMPAgent) v3Report(req *gosnmp.SnmpPacket) []byte {
	if a.EngineID == "" {
		return nil
	}
	usm, _ := req.SecurityParameters.(*gosnmp.UsmSecurityParameters)
	if usm == nil {
		return nil
	}
	var vb gosnmp.SnmpPDU
	if usm.AuthoritativeEngineID == "" {
		vb = gosnmp.SnmpPDU{Name: "." + oidUsmStatsUnknownEngineIDs, Type: gosnmp.Counter32, Value: a.unknownEIDs.Add(1)}
	} else {
		vb = gosnmp.SnmpPDU{Name: "." + oidUsmStatsUnknownUserNames, Type: gosnmp.Counter32, Value: a.unknownUser.Add(1)}
	}
	resp := &gosnmp.SnmpPacket{
		Version:       gosnmp.Version3,
		MsgFlags:      gosnmp.NoAuthNoPriv,
		SecurityModel: gosnmp.UserSecurityModel,
		SecurityParameters: &gosnmp.UsmSecurityParameters{
			AuthoritativeEngineID:    a.EngineID,
			AuthoritativeEngineBoots: 1,
			AuthoritativeEngineTime:  uint32(time.Since(a.start) / time.Second),
			UserName:                 usm.UserName,
			Logger:                   gosnmp.NewLogger(nil),
		},
		MsgID:           req.MsgID,
		MsgMaxSize:      65507,
		ContextEngineID: a.EngineID,
		PDUType:         gosnmp.Report,
		RequestID:       req.RequestID,
		Variables:       []gosnmp.SnmpPDU{vb},
	}
	b, err := resp.MarshalMsg()
	if err != nil {
		a.logger().Debug("snmpv3 report: encode failed", "err", err)
		return nil
	}
	return b
}
