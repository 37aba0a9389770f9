package drivers

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestFailureArtifactsWhenThePageIsGone: when the page died (its renderer
// crashed), the failure's screenshot gives up at once with a reason
// instead of waiting out its 15-second budget (issue 10 §2.11).
func TestFailureArtifactsWhenThePageIsGone(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<title>home</title>home") })
	_, addr := serve(t, testIP(), true, mux)
	tab := openTab(t, addr, false)
	ctx := tctx(t, 30*time.Second)
	if _, err := tab.Navigate(ctx, "/"); err != nil {
		t.Fatal(err)
	}
	// A page that answers gets its screenshot.
	png, _, err := tab.SaveArtifacts(ctx, "alive")
	if err != nil || png == "" {
		t.Fatalf("live page: %q %v", png, err)
	}
	os.Remove(png)

	cctx, cancel := context.WithTimeout(tab.ctx, 2*time.Second)
	_, _ = chromedp.Call(cctx, page.Crash, cdp.Empty{}) // never answers: the renderer is gone
	cancel()
	start := time.Now()
	png, htm, err := tab.SaveArtifacts(ctx, "gone")
	t.Logf("SaveArtifacts on a crashed page returned after %s: %v", time.Since(start).Round(time.Millisecond), err)
	if png != "" || htm != "" || err == nil || !strings.Contains(err.Error(), "the page is gone") {
		t.Fatalf("crashed page: png %q html %q err %v, want no files and 'the page is gone'", png, htm, err)
	}
}
