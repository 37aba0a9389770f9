package drivers

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// BenchmarkNewDeviceTab measures opening a tab on a device never seen
// before (a new site for Chromium), loading a page and closing the tab,
// with and without site isolation and with and without a browser context
// of its own (cookie isolation):
//
//	go test ./drivers -run '^$' -bench NewDeviceTab -benchtime 20x
func BenchmarkNewDeviceTab(b *testing.B) {
	needBrowser(b)
	const devices = 30
	addrs := make([]string, devices)
	for i := range addrs {
		_, addrs[i] = serve(b, fmt.Sprintf("127.0.58.%d", i+1), true, http.FileServer(http.Dir("testdata")))
	}
	for _, iso := range []bool{false, true} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		br, err := NewBrowser(ctx, BrowserOptions{Flags: testFlags, SiteIsolation: iso})
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		for _, ownContext := range []bool{true, false} {
			b.Run(fmt.Sprintf("site-isolation=%v/browser-context=%v", iso, ownContext), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					addr := addrs[i%devices]
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					if ownContext {
						tab, err := br.Open(ctx, Target{Address: addr})
						if err != nil {
							b.Fatal(err)
						}
						if _, err := tab.Navigate(ctx, "/layouts.html"); err != nil {
							b.Fatal(err)
						}
						tab.Close()
					} else {
						tctx, tcancel := chromedp.NewContext(br.ctx)
						if err := chromedp.Do(tctx, chromedp.Navigate("https://"+addr+"/layouts.html")); err != nil {
							b.Fatal(err)
						}
						tcancel()
					}
					cancel()
				}
			})
		}
		br.Close()
	}
}
