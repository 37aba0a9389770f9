package drivers

import "testing"

// TestKindShort: tables show a login kind in its declared short wording,
// configured as "configured", and a kind no driver declares as itself.
func TestKindShort(t *testing.T) {
	registerGadget.Do(func() { Register(gadgetDriver{stubDriver{"zz-gadget", "gadget"}}) })
	for kind, want := range map[string]string{gadgetPIN.Kind: gadgetPIN.Short, KindConfigured: ConfiguredShort, "gone-kind": "gone-kind", "": ""} {
		if got := KindShort(kind); got != want {
			t.Errorf("KindShort(%q) = %q, want %q", kind, got, want)
		}
	}
}
