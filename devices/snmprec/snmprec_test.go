package snmprec

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    Var
		wantErr bool
	}{
		{"text", "1.3.6.1.2.1.1.1.0|4|Xerox AltaLink C8045; SS 1", OctetStr("1.3.6.1.2.1.1.1.0", "Xerox AltaLink C8045; SS 1"), false},
		{"value with pipe", "1.3.6.1.2.1.1.1.0|4|a|b", OctetStr("1.3.6.1.2.1.1.1.0", "a|b"), false},
		{"empty", "1.3.6.1.2.1.2.2.1.6.3|4|", Bytes("1.3.6.1.2.1.2.2.1.6.3", []byte{}), false},
		{"hex upper", "1.3.6.1.2.1.2.2.1.6.1|4x|001BA90BA752", Bytes("1.3.6.1.2.1.2.2.1.6.1", []byte{0, 0x1b, 0xa9, 0x0b, 0xa7, 0x52}), false},
		{"hex lower", "1.3.6.1.2.1.1.1.0|4x|58657278c2ae", OctetStr("1.3.6.1.2.1.1.1.0", "Xerx\u00ae"), false},
		{"text mac", "1.3.6.1.2.1.2.2.1.6.2|4|0:15:99:7d:b1:6a", Bytes("1.3.6.1.2.1.2.2.1.6.2", []byte{0, 0x15, 0x99, 0x7d, 0xb1, 0x6a}), false},
		{"text mac elsewhere stays text", "1.3.6.1.2.1.1.5.0|4|0:15:99:7d:b1:6a", OctetStr("1.3.6.1.2.1.1.5.0", "0:15:99:7d:b1:6a"), false},
		{"oid value leading dot", "1.3.6.1.2.1.1.2.0|6|.1.3.6.1.4.1.1129.1.2.1", OID("1.3.6.1.2.1.1.2.0", "1.3.6.1.4.1.1129.1.2.1"), false},
		{"oid leading dot", ".1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.253", OID("1.3.6.1.2.1.1.2.0", "1.3.6.1.4.1.253"), false},
		{"integer", "1.3.6.1.2.1.1.7.0|2|-72", Int("1.3.6.1.2.1.1.7.0", -72), false},
		{"timeticks", "1.3.6.1.2.1.1.3.0|67|123456", Uint("1.3.6.1.2.1.1.3.0", TimeTicks, 123456), false},
		{"counter64", "1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615", Uint("1.3.6.1.2.1.31.1.1.1.6.1", Counter64, 18446744073709551615), false},
		{"ip text", "1.3.6.1.2.1.4.20.1.1.10.1.2.3|64|10.1.2.3", Var{"1.3.6.1.2.1.4.20.1.1.10.1.2.3", IPAddress, "10.1.2.3"}, false},
		{"ip hex", "1.3.6.1.2.1.4.20.1.3.1|64x|ffffff00", Var{"1.3.6.1.2.1.4.20.1.3.1", IPAddress, "255.255.255.0"}, false},
		{"null", "1.3.6.1.2.1.1.9.0|5|", Var{"1.3.6.1.2.1.1.9.0", Null, nil}, false},
		{"variation module", "1.3.6.1.2.1.1.3.0|67:numeric|42", Uint("1.3.6.1.2.1.1.3.0", TimeTicks, 42), false},
		{"hex with spaces", "1.3.6.1.2.1.1.1.0|4x|58 65 72 6F 78", OctetStr("1.3.6.1.2.1.1.1.0", "Xerox"), false},
		{"no tag", "1.3.6.1.2.1.1.1.0", Var{}, true},
		{"bad oid", "1.3.x|4|a", Var{}, true},
		{"bad hex", "1.3.6.1|4x|zz", Var{}, true},
		{"bad int", "1.3.6.1|2|ten", Var{}, true},
		{"bad ip", "1.3.6.1|64|1.2.3", Var{}, true},
		{"bad oid value", "1.3.6.1|6|hello", Var{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseLine(tc.line)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseLine(%q) error = %v, want error %v", tc.line, err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if FormatLine(got) != FormatLine(tc.want) || got.Type != tc.want.Type {
				t.Errorf("ParseLine(%q) = %#v, want %#v", tc.line, got, tc.want)
			}
		})
	}
}

func TestTableGetNext(t *testing.T) {
	tab, err := Parse(strings.NewReader(strings.Join([]string{
		"# comment",
		"1.3.6.1.2.1.1.5.0|4|name",
		"1.3.6.1.2.1.1.1.0|4|descr\r",
		"",
		"1.3.6.1.2.1.1.10.0|4|ten",
		"1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.253",
		"1.3.6.1.2.1.1.5.0|4|name2", // repeated: the last one wins
		"1.3.6.1.2.1.2.2.1.6.1|4x|0001",
	}, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() != 5 {
		t.Fatalf("Len = %d, want 5", tab.Len())
	}
	if v, ok := tab.Get("1.3.6.1.2.1.1.5.0"); !ok || string(v.Value.([]byte)) != "name2" {
		t.Errorf("Get sysName = %v %v, want name2", v, ok)
	}
	if v, ok := tab.Get(".1.3.6.1.2.1.1.1.0"); !ok || string(v.Value.([]byte)) != "descr" {
		t.Errorf("Get with leading dot = %v %v", v, ok)
	}
	if _, ok := tab.Get("1.3.6.1.2.1.1.1"); ok {
		t.Error("Get of a prefix found a value")
	}
	nexts := []struct{ from, want string }{
		{"", "1.3.6.1.2.1.1.1.0"},
		{"1", "1.3.6.1.2.1.1.1.0"},
		{"1.3", "1.3.6.1.2.1.1.1.0"},
		{"1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0"},
		{"1.3.6.1.2.1.1.2", "1.3.6.1.2.1.1.2.0"},
		{"1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.5.0"},
		{"1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.10.0"}, // numeric, not string, order
		{"1.3.6.1.2.1.1.9.9.9", "1.3.6.1.2.1.1.10.0"},
		{"1.3.6.1.2.1.1.10.0", "1.3.6.1.2.1.2.2.1.6.1"},
	}
	for _, n := range nexts {
		v, ok := tab.Next(n.from)
		if !ok || v.OID != n.want {
			t.Errorf("Next(%q) = %q %v, want %q", n.from, v.OID, ok, n.want)
		}
	}
	if v, ok := tab.Next("1.3.6.1.2.1.2.2.1.6.1"); ok {
		t.Errorf("Next past the end = %v, want none", v)
	}
	tab.Set(OctetStr("1.3.6.1.2.1.1.6.0", "lab"))
	if v, ok := tab.Next("1.3.6.1.2.1.1.5.0"); !ok || v.OID != "1.3.6.1.2.1.1.6.0" {
		t.Errorf("after Set, Next = %v", v.OID)
	}
}

// TestParseRecordings parses every shared recording and checks that writing
// and re-reading a table gives the same table.
func TestParseRecordings(t *testing.T) {
	files, _ := filepath.Glob("../testdata/snmprec/*/*.snmprec")
	if len(files) < 50 {
		t.Fatalf("found %d recordings under ../testdata/snmprec, want the 57 shared ones", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			tab, err := ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := os.ReadFile(f)
			lines := 0
			for _, l := range strings.Split(string(raw), "\n") {
				if strings.TrimSpace(l) != "" {
					lines++
				}
			}
			for _, w := range tab.Warnings() {
				t.Logf("skipped %s", w)
			}
			if tab.Len()+len(tab.Warnings()) != lines {
				t.Errorf("Len = %d + %d skipped, file has %d lines", tab.Len(), len(tab.Warnings()), lines)
			}
			if len(tab.Warnings()) > 1 {
				t.Errorf("%d lines skipped, want at most 1 corrupt line", len(tab.Warnings()))
			}
			var buf bytes.Buffer
			if err := tab.Write(&buf); err != nil {
				t.Fatal(err)
			}
			again, err := Parse(&buf)
			if err != nil {
				t.Fatalf("re-reading written table: %v", err)
			}
			a, b := tab.Vars(), again.Vars()
			if len(a) != len(b) {
				t.Fatalf("round trip: %d vars, want %d", len(b), len(a))
			}
			for i := range a {
				if FormatLine(a[i]) != FormatLine(b[i]) {
					t.Errorf("round trip: %q became %q", FormatLine(a[i]), FormatLine(b[i]))
				}
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add("1.3.6.1.2.1.1.1.0|4|hello\n1.3.6.1.2.1.1.2.0|6|.1.3.6.1.4.1.253\n")
	f.Add("1.3.6.1.2.1.2.2.1.6.1|4x|001BA90BA752")
	f.Add("1.3.6.1.2.1.2.2.1.6.1|4|0:15:99:7d:b1:6a")
	f.Add("1.3.6.1.2.1.4.20.1.1.1|64x|0ab47401\n1.3|67:numeric|5")
	f.Fuzz(func(t *testing.T, s string) {
		tab, err := Parse(strings.NewReader(s))
		if err != nil {
			return
		}
		prev := ""
		for _, v := range tab.Vars() {
			if prev != "" && CompareOID(prev, v.OID) >= 0 {
				t.Fatalf("table out of order: %s then %s", prev, v.OID)
			}
			prev = v.OID
			if _, ok := tab.Get(v.OID); !ok {
				t.Fatalf("Get(%s) missing", v.OID)
			}
			_ = FormatLine(v)
		}
		tab.Next("")
		tab.Next(prev)
	})
}
