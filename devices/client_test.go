package devices

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gosnmp/gosnmp"

	"github.com/mfpfleet/mfpfleet/config"
	"github.com/mfpfleet/mfpfleet/devices/snmprec"
)

// fakeClient answers GETs from a recording, the way an SNMPv1 or SNMPv2c
// agent would, and records every request.
type fakeClient struct {
	table    *snmprec.Table
	version  gosnmp.SnmpVersion
	requests [][]string
	// errAt makes request number i (0-based) fail at the transport.
	errAt map[int]error
	// status makes request number i answer with this error status.
	status map[int]gosnmp.SNMPError
	// maxOids answers tooBig to larger requests (0: no limit).
	maxOids int
}

func (f *fakeClient) Get(_ context.Context, oids []string) (*gosnmp.SnmpPacket, error) {
	n := len(f.requests)
	f.requests = append(f.requests, slices.Clone(oids))
	if err := f.errAt[n]; err != nil {
		return nil, err
	}
	pkt := &gosnmp.SnmpPacket{Version: f.version, PDUType: gosnmp.GetResponse}
	if st, ok := f.status[n]; ok {
		pkt.Error, pkt.ErrorIndex = st, 1
		return pkt, nil
	}
	if f.maxOids > 0 && len(oids) > f.maxOids {
		pkt.Error = gosnmp.TooBig
		return pkt, nil
	}
	for i, o := range oids {
		v, ok := f.table.Get(strings.TrimPrefix(o, "."))
		if !ok || v.Type == snmprec.Null {
			if f.version == gosnmp.Version1 {
				// v1: the whole request fails, pointing at the first bad OID.
				return &gosnmp.SnmpPacket{Version: f.version, PDUType: gosnmp.GetResponse, Error: gosnmp.NoSuchName, ErrorIndex: uint8(i + 1)}, nil
			}
			pkt.Variables = append(pkt.Variables, gosnmp.SnmpPDU{Name: "." + o, Type: gosnmp.NoSuchObject})
			continue
		}
		pkt.Variables = append(pkt.Variables, pduOf(v))
	}
	return pkt, nil
}

func (f *fakeClient) Close() error { return nil }

// pduOf converts a recorded variable into what gosnmp's decoder yields.
func pduOf(v snmprec.Var) gosnmp.SnmpPDU {
	p := gosnmp.SnmpPDU{Name: "." + v.OID, Type: gosnmp.Asn1BER(v.Type)}
	switch x := v.Value.(type) {
	case []byte:
		p.Value = x
	case string:
		if v.Type == snmprec.ObjectIdentifier {
			p.Value = "." + x
		} else {
			p.Value = x
		}
	case int64:
		p.Value = int(x)
	case uint64:
		switch v.Type {
		case snmprec.Counter64:
			p.Value = x
		case snmprec.TimeTicks:
			p.Value = uint32(x)
		default:
			p.Value = uint(x)
		}
	}
	return p
}

func recordings(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/snmprec/*/*.snmprec")
	if err != nil || len(files) == 0 {
		t.Fatalf("no recordings under testdata/snmprec: %v", err)
	}
	return files
}

// TestCollectRecordings runs the identification GETs against every shared
// recording, as an SNMPv2c and as an SNMPv1 agent: both must give the same
// values (v1 by dropping the noSuchName OIDs one by one), exactly the
// recorded ones, and the same Device.
func TestCollectRecordings(t *testing.T) {
	for _, file := range recordings(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			table, err := snmprec.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			v2 := &fakeClient{table: table, version: gosnmp.Version2c}
			got2, err := Collect(t.Context(), v2)
			if err != nil {
				t.Fatal(err)
			}
			v1 := &fakeClient{table: table, version: gosnmp.Version1}
			got1, err := Collect(t.Context(), v1)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got1, got2) {
				t.Errorf("v1 values %v\n!= v2c values %v", got1, got2)
			}
			if !slices.Equal(v2.requests[0], IdentityOIDs) || !slices.Equal(v1.requests[0], IdentityOIDs) {
				t.Errorf("first request %v, want IdentityOIDs", v2.requests[0])
			}
			// Every asked OID that the recording has is in the values,
			// with the recorded value; nothing else is.
			asked := map[string]bool{}
			for _, r := range v2.requests {
				for _, o := range r {
					asked[o] = true
				}
			}
			want := Values{}
			for o := range asked {
				if v, ok := table.Get(o); ok && v.Type != snmprec.Null {
					want[o] = v.Value
				}
			}
			if !reflect.DeepEqual(normalise(got2), normalise(want)) {
				t.Errorf("values %v\nwant %v", got2, want)
			}
			// The follow-up is exactly FollowUpOIDs of the first answer,
			// minus what is known already.
			if fu := FollowUpOIDs(valuesOf(table, IdentityOIDs)); len(fu) > 0 && len(v2.requests) < 2 {
				t.Errorf("no follow-up request for FollowUpOIDs %v", fu)
			}
			// v1: each retry drops exactly one OID.
			missing := 0
			for _, o := range IdentityOIDs {
				if _, ok := got1[o]; !ok {
					missing++
				}
			}
			if id1 := countPrefixRequests(v1.requests, IdentityOIDs); missing > 0 && id1 != missing+1 && len(got1) > 0 {
				t.Errorf("v1: %d identity requests for %d missing OIDs", id1, missing)
			}
			d1, d2 := Identify("127.0.20.1", got1), Identify("127.0.20.1", got2)
			if !reflect.DeepEqual(d1, d2) {
				t.Errorf("v1 and v2c identify differently:\n%+v\n%+v", d1, d2)
			}
		})
	}
}

// normalise makes recorded and decoded numbers comparable.
func normalise(v Values) map[string]string {
	m := map[string]string{}
	for k, x := range v {
		m[k] = fmt.Sprintf("%v", x)
	}
	return m
}

func valuesOf(t *snmprec.Table, oids []string) Values {
	v := Values{}
	for _, o := range oids {
		if x, ok := t.Get(o); ok && x.Value != nil {
			v[o] = x.Value
		}
	}
	return v
}

// countPrefixRequests counts the requests made only of identity OIDs.
func countPrefixRequests(reqs [][]string, ids []string) int {
	n := 0
	for _, r := range reqs {
		all := true
		for _, o := range r {
			if !slices.Contains(ids, o) {
				all = false
			}
		}
		if all {
			n++
		}
	}
	return n
}

func TestCollectErrors(t *testing.T) {
	table := snmprec.NewTable(
		snmprec.OctetStr(OIDSysDescr, "Xerox AltaLink C8045; SS 100.002.057.09608"),
		snmprec.OID(OIDSysObjectID, "1.3.6.1.4.1.253.8.62.1.35.2.3.1.1"),
		snmprec.OctetStr(OIDSysName, "xrx"),
		snmprec.OctetStr(OIDPrtGeneralSerial1, "XAB123456"),
	)
	t.Run("no answer", func(t *testing.T) {
		f := &fakeClient{table: table, version: gosnmp.Version2c, errAt: map[int]error{0: errors.New("request timeout")}}
		_, err := Collect(t.Context(), f)
		if !errors.Is(err, ErrNoAnswer) || !strings.Contains(err.Error(), "timeout") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("genErr splits the request", func(t *testing.T) {
		f := &fakeClient{table: table, version: gosnmp.Version2c, status: map[int]gosnmp.SNMPError{0: gosnmp.GenErr}}
		v, err := Collect(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		if string(v[OIDSysDescr].([]byte)) == "" || string(v[OIDPrtGeneralSerial1].([]byte)) != "XAB123456" || len(v) != 4 {
			t.Errorf("values %v", v)
		}
		if len(f.requests) != 3 || len(f.requests[1])+len(f.requests[2]) != len(IdentityOIDs) {
			t.Errorf("requests %v: want the identity GET, then its two halves", f.requests)
		}
	})
	t.Run("tooBig splits until it fits", func(t *testing.T) {
		f := &fakeClient{table: table, version: gosnmp.Version2c, maxOids: 3}
		v, err := Collect(t.Context(), f)
		if err != nil || len(v) != 4 {
			t.Fatalf("values %v, err %v", v, err)
		}
		for _, r := range f.requests[1:] {
			if len(r) > 5 {
				t.Errorf("request of %d OIDs after tooBig", len(r))
			}
		}
	})
	t.Run("a later timeout keeps what came", func(t *testing.T) {
		f := &fakeClient{table: table, version: gosnmp.Version1, errAt: map[int]error{1: errors.New("request timeout")}}
		v, err := Collect(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		// Request 0 got noSuchName, the retry (1) timed out: nothing is
		// known, but Collect still ends.
		if len(v) != 0 || len(f.requests) != 2 {
			t.Errorf("values %v after requests %v", v, f.requests)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		f := &fakeClient{table: table, version: gosnmp.Version2c, errAt: map[int]error{0: context.Canceled}}
		if _, err := Collect(ctx, f); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestV3UserValidation(t *testing.T) {
	tests := []struct {
		name string
		u    V3User
		want string
	}{
		{"no user", V3User{}, "no name"},
		{"bad auth", V3User{User: "u", AuthProtocol: "SHA3", AuthPassword: secret("x")}, "auth_protocol"},
		{"no auth password", V3User{User: "u", AuthProtocol: "SHA"}, "auth password is missing"},
		{"priv without auth", V3User{User: "u", PrivProtocol: "AES"}, "needs an auth_protocol"},
		{"bad priv", V3User{User: "u", AuthProtocol: "SHA", AuthPassword: secret("x"), PrivProtocol: "3DES", PrivPassword: secret("y")}, "priv_protocol"},
		{"no priv password", V3User{User: "u", AuthProtocol: "SHA-256", AuthPassword: secret("x"), PrivProtocol: "AES"}, "priv password is missing"},
		{"ok", V3User{User: "u", AuthProtocol: "sha256", AuthPassword: secret("x"), PrivProtocol: "aes-256", PrivPassword: secret("y")}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.u.usm()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(fmt.Sprintf("%v %+v", err, tc.u), "x y") {
				t.Error("secret printed")
			}
		})
	}
}

func secret(s string) config.Secret { return config.NewSecret(s) }
