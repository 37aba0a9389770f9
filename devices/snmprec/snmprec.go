// Package snmprec reads SNMP recordings in snmpsim's "snmprec" format
// (one `OID|TAG|VALUE` per line) into an OID table with the exact lookup
// semantics an agent needs: GET by OID and GETNEXT to the first OID
// lexicographically after a given one. The simulator (devices/sim) serves
// these tables over UDP, and the identification tests in devices emulate
// an agent with them.
//
// Values are decoded the way devices.Values holds them: OCTET STRING ->
// []byte, OBJECT IDENTIFIER -> string (dotted, no leading dot), INTEGER ->
// int64, Counter32/Gauge32/TimeTicks/Counter64 -> uint64, IpAddress ->
// string (dotted quad), NULL -> nil.
//
// Quirks of real recordings that are accepted:
//   - a tag ending in "x" (`4x`, `64x`, `6x`…) carries its value as hex,
//     upper or lower case, optionally with spaces or colons;
//   - an OID, or an OBJECT IDENTIFIER value, with a leading dot;
//   - ifPhysAddress written as text ("88:51:fb:e8:48:c7", "0:15:99:7d:b1:6a")
//     by snmpwalk converters is turned back into the 6 raw bytes a device
//     sends;
//   - snmpsim variation suffixes (`2:numeric`, `4:writecache`) are ignored
//     and the static value is served;
//   - empty values, blank lines, `#` comments, CRLF line ends and a missing
//     final newline;
//   - lines out of order or repeated (the last one wins; the table is
//     sorted).
package snmprec

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Tag is the ASN.1/SNMP type of a variable as a BER tag number (the numbers
// snmprec files use).
type Tag byte

// The SNMP types snmprec files use.
const (
	Integer          Tag = 0x02
	OctetString      Tag = 0x04
	Null             Tag = 0x05
	ObjectIdentifier Tag = 0x06
	IPAddress        Tag = 0x40
	Counter32        Tag = 0x41
	Gauge32          Tag = 0x42
	TimeTicks        Tag = 0x43
	Opaque           Tag = 0x44
	Counter64        Tag = 0x46
)

// String names the tag the way SNMP tools write it.
func (t Tag) String() string {
	switch t {
	case Integer:
		return "INTEGER"
	case OctetString:
		return "OCTET STRING"
	case Null:
		return "NULL"
	case ObjectIdentifier:
		return "OBJECT IDENTIFIER"
	case IPAddress:
		return "IpAddress"
	case Counter32:
		return "Counter32"
	case Gauge32:
		return "Gauge32"
	case TimeTicks:
		return "TimeTicks"
	case Opaque:
		return "Opaque"
	case Counter64:
		return "Counter64"
	}
	return "tag " + strconv.Itoa(int(t))
}

// Var is one variable of a recording.
type Var struct {
	OID   string // dotted, no leading dot
	Type  Tag
	Value any // []byte, string, int64, uint64 or nil; see the package doc
}

// OctetStr returns a Var holding an OCTET STRING.
func OctetStr(oid, s string) Var { return Var{OID: oid, Type: OctetString, Value: []byte(s)} }

// Bytes returns a Var holding an OCTET STRING of raw bytes.
func Bytes(oid string, b []byte) Var { return Var{OID: oid, Type: OctetString, Value: b} }

// OID returns a Var holding an OBJECT IDENTIFIER.
func OID(oid, value string) Var {
	return Var{OID: oid, Type: ObjectIdentifier, Value: strings.TrimPrefix(value, ".")}
}

// Int returns a Var holding an INTEGER.
func Int(oid string, n int64) Var { return Var{OID: oid, Type: Integer, Value: n} }

// Uint returns a Var of an unsigned type (Counter32, Gauge32, TimeTicks,
// Counter64).
func Uint(oid string, t Tag, n uint64) Var { return Var{OID: oid, Type: t, Value: n} }

// entry is a Var with its OID parsed for ordering.
type entry struct {
	sub []uint32
	v   Var
}

// Table is a sorted OID table. It is safe for concurrent use; Set may be
// called while an agent serves the table.
type Table struct {
	mu       sync.RWMutex
	entries  []entry
	warnings []string
}

// Warnings lists the lines Parse skipped, with their line numbers and why.
func (t *Table) Warnings() []string { return slices.Clone(t.warnings) }

// NewTable builds a table from vars in any order; for a repeated OID the
// last one wins. Vars whose OID is not a valid dotted OID are dropped.
func NewTable(vars ...Var) *Table {
	t := &Table{}
	for _, v := range vars {
		t.set(v)
	}
	return t
}

// ParseOID parses a dotted OID, with or without a leading dot, into its
// sub-identifiers. It needs at least two sub-identifiers.
func ParseOID(s string) ([]uint32, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), ".")
	if s == "" {
		return nil, fmt.Errorf("empty oid")
	}
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 128 {
		return nil, fmt.Errorf("oid %q: want 2 to 128 sub-identifiers", s)
	}
	sub := make([]uint32, len(parts))
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("oid %q: sub-identifier %q is not a number", s, p)
		}
		sub[i] = uint32(n)
	}
	return sub, nil
}

// FormatOID writes sub-identifiers as a dotted OID without a leading dot.
func FormatOID(sub []uint32) string {
	var b strings.Builder
	for i, n := range sub {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.FormatUint(uint64(n), 10))
	}
	return b.String()
}

// CompareOID orders two dotted OIDs lexicographically by sub-identifier, as
// SNMP does. Invalid OIDs sort before valid ones.
func CompareOID(a, b string) int {
	sa, _ := ParseOID(a)
	sb, _ := ParseOID(b)
	return slices.Compare(sa, sb)
}

func (t *Table) search(sub []uint32) (int, bool) {
	return slices.BinarySearchFunc(t.entries, sub, func(e entry, s []uint32) int {
		return slices.Compare(e.sub, s)
	})
}

// Set adds or replaces a variable. An invalid OID is ignored.
func (t *Table) Set(v Var) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.set(v)
}

func (t *Table) set(v Var) {
	sub, err := ParseOID(v.OID)
	if err != nil {
		return
	}
	v.OID = FormatOID(sub)
	i, found := t.search(sub)
	if found {
		t.entries[i].v = v
		return
	}
	t.entries = slices.Insert(t.entries, i, entry{sub: sub, v: v})
}

// Get returns the variable with exactly this OID.
func (t *Table) Get(oid string) (Var, bool) {
	sub, err := ParseOID(oid)
	if err != nil {
		return Var{}, false
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	i, found := t.search(sub)
	if !found {
		return Var{}, false
	}
	return t.entries[i].v, true
}

// Next returns the first variable whose OID sorts strictly after oid (the
// GETNEXT semantics); false at the end of the table. An unparsable oid
// (such as "" or "1") is treated as sorting before everything.
func (t *Table) Next(oid string) (Var, bool) {
	sub, _ := ParseOID(oid)
	t.mu.RLock()
	defer t.mu.RUnlock()
	i, found := t.search(sub)
	if found {
		i++
	}
	if i >= len(t.entries) {
		return Var{}, false
	}
	return t.entries[i].v, true
}

// Len is the number of variables.
func (t *Table) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.entries)
}

// Vars returns the variables in OID order.
func (t *Table) Vars() []Var {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]Var, len(t.entries))
	for i, e := range t.entries {
		out[i] = e.v
	}
	return out
}

// Clone returns an independent copy of the table (values are shared; they
// are never modified in place).
func (t *Table) Clone() *Table {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return &Table{entries: slices.Clone(t.entries)}
}

// ParseFile reads a snmprec file.
func ParseFile(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse reads snmprec text. Real recordings carry the odd corrupt line
// (a Counter32 of "6git3159"): such a line is skipped and noted in
// Warnings rather than losing the whole recording. The error is only for
// read failures.
func Parse(r io.Reader) (*Table, error) {
	t := &Table{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	var vars []Var
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		v, err := ParseLine(line)
		if err != nil {
			t.warnings = append(t.warnings, fmt.Sprintf("line %d: %v", n, err))
			continue
		}
		vars = append(vars, v)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	// Building from an unsorted slice in one go is cheaper than inserting.
	t.entries = make([]entry, 0, len(vars))
	for _, v := range vars {
		sub, _ := ParseOID(v.OID)
		t.entries = append(t.entries, entry{sub: sub, v: v})
	}
	slices.SortStableFunc(t.entries, func(a, b entry) int { return slices.Compare(a.sub, b.sub) })
	// Keep the last of equal OIDs.
	out := t.entries[:0]
	for i, e := range t.entries {
		if i+1 < len(t.entries) && slices.Equal(e.sub, t.entries[i+1].sub) {
			continue
		}
		out = append(out, e)
	}
	t.entries = out
	return t, nil
}

var textMAC = regexp.MustCompile(`^[0-9A-Fa-f]{1,2}([:-][0-9A-Fa-f]{1,2}){5}$`)

const ifPhysAddressPrefix = "1.3.6.1.2.1.2.2.1.6."

// ParseLine decodes one `OID|TAG|VALUE` line.
func ParseLine(line string) (Var, error) {
	parts := strings.SplitN(line, "|", 3)
	if len(parts) != 3 {
		return Var{}, fmt.Errorf("want OID|TAG|VALUE, got %q", truncate(line))
	}
	sub, err := ParseOID(parts[0])
	if err != nil {
		return Var{}, err
	}
	oid := FormatOID(sub)
	tagText := strings.TrimSpace(parts[1])
	// snmpsim variation modules: "2:numeric", "4x:writecache".
	if i := strings.IndexByte(tagText, ':'); i >= 0 {
		tagText = tagText[:i]
	}
	isHex := strings.HasSuffix(tagText, "x")
	tagText = strings.TrimSuffix(tagText, "x")
	// "4e" (snmpsim's escaped form) is not used by these recordings, but
	// treat any other trailing letter as a plain value.
	tagText = strings.TrimRight(tagText, "abcdefghijklmnopqrstuvwyz")
	tn, err := strconv.ParseUint(tagText, 10, 8)
	if err != nil {
		return Var{}, fmt.Errorf("oid %s: tag %q is not a number", oid, parts[1])
	}
	tag := Tag(tn)
	raw := parts[2]
	var data []byte
	if isHex {
		clean := strings.Map(func(r rune) rune {
			switch r {
			case ' ', ':', '\t', '-':
				return -1
			}
			return r
		}, raw)
		data, err = hex.DecodeString(clean)
		if err != nil {
			return Var{}, fmt.Errorf("oid %s: bad hex value %q", oid, truncate(raw))
		}
	} else {
		data = []byte(raw)
	}
	v := Var{OID: oid, Type: tag}
	switch tag {
	case OctetString, Opaque:
		if !isHex && strings.HasPrefix(oid, ifPhysAddressPrefix) && textMAC.MatchString(raw) {
			data = macFromText(raw)
		}
		v.Value = data
	case Null:
		v.Value = nil
	case ObjectIdentifier:
		s := strings.TrimPrefix(strings.TrimSpace(string(data)), ".")
		if s == "0" {
			s = "0.0" // zeroDotZero written short
		}
		if _, err := ParseOID(s); err != nil {
			return Var{}, fmt.Errorf("oid %s: object identifier value: %w", oid, err)
		}
		v.Value = s
	case IPAddress:
		switch {
		case isDottedQuad(strings.TrimSpace(string(data))) && !isHex:
			v.Value = strings.TrimSpace(string(data))
		case len(data) == 4:
			v.Value = netip.AddrFrom4([4]byte(data)).String()
		default:
			return Var{}, fmt.Errorf("oid %s: bad ip address %q", oid, truncate(raw))
		}
	case Integer:
		n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
		if err != nil {
			return Var{}, fmt.Errorf("oid %s: bad integer %q", oid, truncate(raw))
		}
		v.Value = n
	case Counter32, Gauge32, TimeTicks, Counter64:
		n, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
		if err != nil {
			return Var{}, fmt.Errorf("oid %s: bad %s %q", oid, tag, truncate(raw))
		}
		if tag != Counter64 && n > 0xFFFFFFFF {
			n &= 0xFFFFFFFF
		}
		v.Value = n
	default:
		// Unknown application types: serve the bytes as an OCTET STRING
		// rather than refuse the whole recording.
		v.Type = OctetString
		v.Value = data
	}
	return v, nil
}

func isDottedQuad(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

func macFromText(s string) []byte {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == '-' })
	out := make([]byte, 0, len(parts))
	for _, p := range parts {
		n, _ := strconv.ParseUint(p, 16, 8)
		out = append(out, byte(n))
	}
	return out
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// Write prints the table in snmprec format: OCTET STRINGs that are not
// printable ASCII as `4x` hex, the rest as text.
func (t *Table) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, v := range t.Vars() {
		if _, err := bw.WriteString(FormatLine(v) + "\n"); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// FormatLine renders one variable as a snmprec line.
func FormatLine(v Var) string {
	tag := strconv.Itoa(int(v.Type))
	var val string
	switch x := v.Value.(type) {
	case []byte:
		if printable(x) {
			val = string(x)
		} else {
			tag += "x"
			val = hex.EncodeToString(x)
		}
	case string:
		val = x
	case int64:
		val = strconv.FormatInt(x, 10)
	case uint64:
		val = strconv.FormatUint(x, 10)
	case nil:
	default:
		val = fmt.Sprint(x)
	}
	return v.OID + "|" + tag + "|" + val
}

func printable(b []byte) bool {
	if bytes.ContainsAny(b, "|") {
		return false
	}
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
