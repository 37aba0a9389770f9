package drivers

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFindLink(t *testing.T) {
	_, addr := serve(t, testIP(), true, http.FileServer(http.Dir("testdata")))
	tab := openTab(t, addr, false)
	ctx := tctx(t, 15*time.Second)
	if _, err := tab.Navigate(ctx, "/rows.html"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name        string
		texts, rows []string
		want        string
	}{
		{"plain", []string{"Setup"}, nil, "/setup.php"},
		{"edit in the SMTP row", []string{"Edit...", "Edit"}, []string{"SMTP"}, "/smtp.php"},
		{"edit in the SNMP row", []string{"Edit"}, []string{"SNMP"}, "/snmp.php"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, err := tab.FindLink(ctx, "rows", tc.texts, tc.rows)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(l.Href, tc.want) {
				t.Fatalf("got %+v, want %s", l, tc.want)
			}
		})
	}
	_, err := tab.FindLink(ctx, "rows", []string{"Edit"}, []string{"IPP"})
	if !errors.Is(err, ErrFieldNotFound) {
		t.Fatalf("err = %v", err)
	}
	// The IPP row's Edit is a script button: SubmitInRow follows it.
	if err := tab.SubmitInRow(ctx, "rows", []string{"IPP"}, []string{"Edit..."}, nil); err != nil {
		t.Fatal(err)
	}
	if loc, _ := tab.Location(ctx); !strings.HasSuffix(loc, "/layouts.html") {
		t.Fatalf("at %s", loc)
	}
	if err := tab.SubmitInRow(ctx, "rows", []string{"FTP"}, []string{"Edit"}, nil); !errors.Is(err, ErrFieldNotFound) {
		t.Fatalf("err = %v", err)
	}
}
