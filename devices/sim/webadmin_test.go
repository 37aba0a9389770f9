package sim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// A family registered by a vendor's file is served by NewDevice, its
// pages behind the shared middleware (Server header) and its factory
// password; an unknown family or variant is refused naming what exists.
func TestWebAdminRegistry(t *testing.T) {
	for _, f := range []string{FamilyConnectKey, FamilyVersaLink, FamilyFujiXerox} {
		if !slices.Contains(WebFamilies(), f) {
			t.Errorf("WebFamilies() = %v, lacks %s", WebFamilies(), f)
		}
	}
	RegisterWebAdmin(WebAdmin{
		Family: "acme/test", Maker: "Acme", Server: "AcmeHTTPd/1.0",
		Routes: func(d *Device, mux *http.ServeMux) {
			mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "hello from "+d.String())
			})
		},
		DefaultPassword: func(*Device) string { return "acme-default" },
	})
	t.Cleanup(func() {
		webMu.Lock()
		delete(webAdmins, "acme/test")
		webMu.Unlock()
	})
	d, err := NewDevice(DeviceOptions{Model: "Roadrunner 9", Family: "acme/test", Serial: "AC123"})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.DefaultAdminPassword(); got != "acme-default" {
		t.Errorf("DefaultAdminPassword() = %q", got)
	}
	rec := httptest.NewRecorder()
	d.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/hello", nil))
	if rec.Body.String() != "hello from Acme Roadrunner 9 (acme/test, serial AC123)" || rec.Header().Get("Server") != "AcmeHTTPd/1.0" {
		t.Errorf("GET /hello: %q, Server %q", rec.Body.String(), rec.Header().Get("Server"))
	}
	if _, err := NewDevice(DeviceOptions{Model: "X", Family: "nobody/none", Serial: "1"}); err == nil || !strings.Contains(err.Error(), FamilyConnectKey) {
		t.Errorf("unknown family: %v", err)
	}
	if _, err := NewDevice(DeviceOptions{Model: "X", Family: "acme/test", UI: UIHeaderLogin, Serial: "1"}); err == nil || !strings.Contains(err.Error(), "acme/test") {
		t.Errorf("unknown variant: %v", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("registering a family twice did not panic")
			}
		}()
		RegisterWebAdmin(WebAdmin{Family: "acme/test", Routes: func(*Device, *http.ServeMux) {}})
	}()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("registering a catalogue key twice did not panic")
			}
		}()
		RegisterModels(Catalog[0])
	}()
}
