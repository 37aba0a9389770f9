package drivers

import (
	"bytes"
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

// TestWaitJSAndOnPage: WaitJS polls in the page (the tabs run without
// chromedp's DOM agent, which chromedp.Poll needs); OnPage is true only
// on the loaded path of this device, until a field is filled or the
// form is submitted.
func TestWaitJSAndOnPage(t *testing.T) {
	_, addr := serve(t, testIP(), true, http.FileServer(http.Dir("testdata")))
	tab := openTab(t, addr, false)
	ctx := tctx(t, 15*time.Second)
	if _, err := tab.Navigate(ctx, "/rows.html"); err != nil {
		t.Fatal(err)
	}
	if err := tab.Eval(ctx, "arm", `setTimeout(() => { window.__later = true; }, 300); true`, nil); err != nil {
		t.Fatal(err)
	}
	if err := tab.WaitJS(ctx, "wait for the flag", `window.__later === true`); err != nil {
		t.Fatalf("WaitJS: %v", err)
	}
	short := tctx(t, 400*time.Millisecond)
	if err := tab.WaitJS(short, "wait for nothing", `window.__never === true`); !errors.Is(err, ErrTransient) {
		t.Fatalf("WaitJS on a condition that never holds: %v", err)
	}
	on := func(path string) bool {
		t.Helper()
		ok, err := tab.OnPage(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !on("/rows.html") || on("/layouts.html") || on("/rows.html?x=1") {
		t.Fatal("OnPage: wrong answer on a freshly loaded page")
	}
	if _, err := tab.Navigate(ctx, "/layouts.html"); err != nil {
		t.Fatal(err)
	}
	if !on("/layouts.html") {
		t.Fatal("OnPage false on the page just loaded")
	}
	if _, err := tab.Fill(ctx, "layouts", FieldValue{Field: Field{Key: "server", Labels: []string{"SMTP Server"}, Type: "text"}, Value: "smtp.gmail.com"}); err != nil {
		t.Fatal(err)
	}
	if on("/layouts.html") {
		t.Fatal("OnPage true after a field was filled")
	}
}

// TestFramesOnDemand: with the headless shell, tabs draw frames only
// when a wait is not met at once or a screenshot is taken. Fields that a
// page adds by requestAnimationFrame or at the end of a CSS transition
// still appear, and screenshots are real images.
func TestFramesOnDemand(t *testing.T) {
	_, addr := serve(t, testIP(), true, http.FileServer(http.Dir("testdata")))
	tab := openTab(t, addr, false)
	if IsHeadlessShell(tab.b.Path()) != tab.lane.frameless {
		t.Fatalf("browser %s: frames on demand = %v", tab.b.Path(), tab.lane.frameless)
	}
	if !tab.lane.frameless {
		t.Logf("%s draws frames itself: checking the waits only", tab.b.Path())
	}
	ctx := tctx(t, 20*time.Second)
	if _, err := tab.Navigate(ctx, "/animated.html"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []Field{
		{Key: "server", Labels: []string{"SMTP Server"}, Type: "text"},
		{Key: "port", Labels: []string{"Port Number"}, Type: "text"},
	} {
		if err := tab.WaitSettled(ctx, "wait for "+f.Key, FieldPresentJS(f)); err != nil {
			t.Fatalf("field %s never appeared: %v", f.Key, err)
		}
	}
	shot := func(when string) {
		t.Helper()
		img, err := tab.MaskedScreenshot(ctx)
		if err != nil {
			t.Fatalf("screenshot %s: %v", when, err)
		}
		if len(img) < 1000 || !bytes.HasPrefix(img, []byte("\x89PNG")) {
			t.Fatalf("screenshot %s: %d bytes, not a PNG", when, len(img))
		}
	}
	shot("after the waits")
	// A brand-new tab that has never drawn (a fresh browser's first).
	fresh, err := ownBrowser(t, ctx).Open(ctx, Target{Address: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if _, err := fresh.Navigate(ctx, "/rows.html"); err != nil {
		t.Fatal(err)
	}
	if img, err := fresh.MaskedScreenshot(ctx); err != nil || !bytes.HasPrefix(img, []byte("\x89PNG")) {
		t.Fatalf("screenshot in a new tab: %d bytes, %v", len(img), err)
	}
	// Right after a load, before any frame was drawn (as when a login
	// is refused and the failure is recorded).
	for _, p := range []string{"/rows.html", "/layouts.html", "/rows.html"} {
		if _, err := tab.Navigate(ctx, p); err != nil {
			t.Fatal(err)
		}
		shot("right after loading " + p)
	}
}

// TestCertCheckedOnBasicChallenge: a device that answers the first
// request with an HTTP Basic challenge (Fuji-Xerox-made) has had the
// certificate Chromium saw compared with the pinned one before a driver
// sends the password in a header (the full browser shows none after a
// challenge; there the pre-check dial's pin is the check).
func TestCertCheckedOnBasicChallenge(t *testing.T) {
	_, addr := serve(t, testIP(), true, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="EWS"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	tab := openTab(t, addr, false)
	if tab.CertVerified() {
		t.Fatal("verified before any page was loaded")
	}
	pg, err := tab.Navigate(tctx(t, 15*time.Second), "/")
	if err != nil || pg.Status != 401 {
		t.Fatalf("load: %+v, %v", pg, err)
	}
	if !tab.CertVerified() {
		t.Fatal("the certificate was not checked on the 401")
	}
	// The headless shell shows the 401 page and its certificate: a real
	// comparison, not the full browser's "nothing to show".
	if IsHeadlessShell(tab.b.Path()) && !tab.certChecked {
		t.Fatal("the headless shell's certificate was not compared")
	}
}

func TestURLPath(t *testing.T) {
	for in, want := range map[string]string{
		"https://127.0.0.5/properties/email.php?x=1": "/properties/email.php?x=1",
		"http://10.1.0.7:8000/rps/csmtp.cgi":         "/rps/csmtp.cgi",
		"https://127.0.0.5":                          "/",
		"https://127.0.0.5/home/index.html#/smtp":    "/home/index.html#/smtp",
		"/web/entry/en/websys/config/getEmail.cgi":   "/web/entry/en/websys/config/getEmail.cgi",
	} {
		if got := URLPath(in); got != want {
			t.Errorf("URLPath(%q) = %q, want %q", in, got, want)
		}
	}
}
