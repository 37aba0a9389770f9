package drivers

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/devices"
)

// TestProbeUnknownVendor: no driver claims the device; the probe lists
// the landing page's form (password value masked) and follows the mail
// link.
func TestProbeUnknownVendor(t *testing.T) {
	b := needBrowser(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			http.ServeFile(w, r, "testdata/probe_landing.html")
			return
		}
		http.FileServer(http.Dir("testdata")).ServeHTTP(w, r)
	})
	_, addr := serve(t, testIP(), true, mux)
	rep, err := Probe(tctx(t, 30*time.Second), b, Target{Address: addr, Device: devices.Device{Vendor: "lexmark", Model: "CX725"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	txt := rep.String()
	for _, w := range []string{`POST "/login.cgi"`, `label="Login Password"`, `value="********"`, "no driver for lexmark", "Primary SMTP Gateway", "* Negotiate", "screenshot"} {
		if !strings.Contains(txt, w) {
			t.Errorf("probe lacks %q:\n%s", w, txt)
		}
	}
	if strings.Contains(txt, "prefilled-secret-77") {
		t.Errorf("probe shows a password value")
	}
	for _, p := range rep.Pages {
		if p.HTML == "" {
			t.Errorf("no HTML excerpt for %s", p.URL)
			continue
		}
		b, err := os.ReadFile(p.HTML)
		if err != nil || strings.Contains(string(b), "prefilled-secret-77") {
			t.Errorf("%s: %v, or it shows the password value", p.HTML, err)
		}
	}
	j, _ := rep.JSON()
	if strings.Contains(string(j), "prefilled-secret-77") {
		t.Errorf("probe JSON shows a password value")
	}
}
