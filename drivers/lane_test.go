package drivers

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
)

// ownBrowser starts a Chromium for one test, whose lane count is its
// own (the package's shared browser serves parallel tests).
func ownBrowser(t *testing.T, ctx context.Context) *Browser {
	t.Helper()
	needBrowser(t)
	b, err := NewBrowser(ctx, BrowserOptions{Flags: testFlags, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// TestTabReuseWipesTheLane: a closed tab's browser tab is reused for the
// next device (no new browser context, no new renderer), and nothing of
// the previous session survives in it: cookies, session and local
// storage, the HTTP Basic header.
func TestTabReuseWipesTheLane(t *testing.T) {
	ctx := tctx(t, 60*time.Second)
	b := ownBrowser(t, ctx)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "PHPSESSID", Value: "s1", Path: "/"})
		}
		c, _ := r.Cookie("PHPSESSID")
		cookie := "none"
		if c != nil {
			cookie = c.Value
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<p id=c>cookie=%s auth=%t</p><script>
document.body.insertAdjacentHTML("beforeend", "<p id=s>session=" + (sessionStorage.getItem("ssid") || "none") + " local=" + (localStorage.getItem("k") || "none") + "</p>");
</script>`, cookie, r.Header.Get("Authorization") != "")
	})
	_, addr := serve(t, testIP(), true, h)
	open := func() *Tab {
		t.Helper()
		tab, err := b.Open(ctx, Target{Address: addr})
		if err != nil {
			t.Fatal(err)
		}
		return tab
	}
	text := func(tab *Tab) string {
		t.Helper()
		if _, err := tab.Navigate(ctx, "/"); err != nil {
			t.Fatal(err)
		}
		txt, err := tab.Text(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(txt), " ")
	}

	a := open()
	if _, err := a.Navigate(ctx, "/set"); err != nil {
		t.Fatal(err)
	}
	if err := a.Eval(ctx, "store", `sessionStorage.setItem("ssid", "x1"); localStorage.setItem("k", "v")`, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.SetBasicAuth(ctx, "admin", config.NewSecret("1111")); err != nil {
		t.Fatal(err)
	}
	if got, want := text(a), "cookie=s1 auth=true session=x1 local=v"; got != want {
		t.Fatalf("first session: %q, want %q", got, want)
	}
	a.Close()
	a.Close() // twice is harmless

	b2 := open()
	defer b2.Close()
	if n := b.LanesOpened(); n != 1 {
		t.Errorf("%d browser contexts opened for two devices in a row, want 1 (reused)", n)
	}
	if got, want := text(b2), "cookie=none auth=false session=none local=none"; got != want {
		t.Fatalf("reused tab kept the previous session: %q, want %q", got, want)
	}

	// A second tab on the same device at once gets a cookie jar of its
	// own: two sessions on one device never share a cookie.
	if _, err := b2.Navigate(ctx, "/set"); err != nil {
		t.Fatal(err)
	}
	c := open()
	defer c.Close()
	if n := b.LanesOpened(); n != 2 {
		t.Errorf("LanesOpened = %d with two tabs open, want 2", n)
	}
	if got := text(c); !strings.HasPrefix(got, "cookie=none ") {
		t.Fatalf("second tab on the same device shares the first one's session: %q", got)
	}

	// Wiping one device's lane leaves the session of another device,
	// open in a parallel lane of the same browser context, alone.
	_, other := serve(t, testIP(), true, h)
	o, err := b.Open(ctx, Target{Address: other})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if _, err := o.Navigate(ctx, "/set"); err != nil {
		t.Fatal(err)
	}
	b2.Close()
	if got := text(o); !strings.HasPrefix(got, "cookie=s1 ") {
		t.Fatalf("closing another device's tab logged this one out: %q", got)
	}
}

// TestTroubledTabNotReused: a tab whose operation timed out may still be
// busy (a navigation, a script); its lane is closed, not handed on.
func TestTroubledTabNotReused(t *testing.T) {
	ctx := tctx(t, 60*time.Second)
	b := ownBrowser(t, ctx)
	release := make(chan struct{})
	defer close(release)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		fmt.Fprint(w, "ok")
	})
	_, addr := serve(t, testIP(), true, h)
	tab, err := b.Open(ctx, Target{Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	_, err = tab.Navigate(short, "/slow")
	cancel()
	if err == nil {
		t.Fatal("slow page loaded within its time-out")
	}
	tab.Close()
	tab2, err := b.Open(ctx, Target{Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer tab2.Close()
	if n := b.LanesOpened(); n != 2 {
		t.Errorf("LanesOpened = %d, want 2: the timed-out tab must not be reused", n)
	}
	if _, err := tab2.Navigate(ctx, "/"); err != nil {
		t.Fatalf("fresh tab after a troubled one: %v", err)
	}
}
