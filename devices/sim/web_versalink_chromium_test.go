package sim

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestVersaLinkPageInChromium is the package's one browser test: the
// VersaLink app renders its login form in headless Chromium, logs in
// through /LOGIN.cmd, and saves only values whose fields saw input or
// change events (a script that sets .value alone saves nothing), as the
// real single-page app does. The driver tests cover the full flows.
func TestVersaLinkPageInChromium(t *testing.T) {
	path := requirePeer(t, "chromium", "chromium-browser", "google-chrome")
	d := startDevice(t, DeviceOptions{Model: "VersaLink C405", Family: FamilyVersaLink})

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.IgnoreCertErrors,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.*"),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()

	step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			html, _ := chromedp.Run(bctx, chromedp.OuterHTML(chromedp.CSS("body")))
			t.Fatalf("%s: %v\npage: %s", what, err, html)
		}
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	const setWithEvents = `(function(id, v){var e=document.getElementById(id); e.value=v;
		e.dispatchEvent(new Event('input',{bubbles:true})); e.dispatchEvent(new Event('change',{bubbles:true})); return 'ok';})`
	clickButton := func(text string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.Search(`//div[@role="dialog"]//button[text()="`+text+`"]`), chromedp.NodeVisible)
	}

	step("load the app", chromedp.Navigate(d.HTTPSURL()+"/home/index.html"), chromedp.WaitVisible(chromedp.ID("loginButton")))
	if menu := eval(`Array.from(document.querySelectorAll('#menu a')).map(a => a.textContent).join(',')`); menu != "Home,Apps,Address Book,Jobs,Connectivity,Permissions,Accounting,System" {
		t.Fatalf("left menu %q", menu)
	}
	step("open the login form", chromedp.Click(chromedp.ID("loginButton")), chromedp.WaitVisible(chromedp.ID("loginName")))
	if l := eval(`document.querySelector('label[for=loginName]').textContent + '/' + document.querySelector('label[for=loginPsw]').textContent + '/' + document.getElementById('loginPsw').type`); l != "User Name/Password/password" {
		t.Fatalf("login form labels %q", l)
	}
	eval(setWithEvents + `('loginName','admin')`)
	eval(setWithEvents + `('loginPsw','1111')`)
	step("log in", clickButton("Log In"), chromedp.WaitVisible(chromedp.ID("logoutButton")))

	openSMTP := func() {
		t.Helper()
		step("open the SMTP dialog",
			chromedp.Navigate(d.HTTPSURL()+"/home/index.html#hashConnectivity"),
			chromedp.Click(chromedp.Search(`//div[@class="item" and text()="SMTP"]`), chromedp.NodeVisible),
			chromedp.WaitVisible(chromedp.ID("manualAddrInput")))
	}
	openSMTP()
	if got := eval(`document.querySelector('.dialog h3').textContent + '|' + Array.from(document.querySelectorAll('input[name=radio_sslTls]')).map(r => r.id + '=' + r.labels[0].textContent).join(',') + '|' +
		['manualAddrInput','portNum1','loginName','password','smtpEmailAddress','smtpConnButtonId'].map(id => document.querySelector('label[for=' + id + ']').textContent).join(',') + '|' +
		document.getElementById('smtpConnButtonId').textContent`); got != "Protocols / SMTP|radio_sslTlsOFF=Off,radio_sslTlsSTARTTLS=STARTTLS (If Available),radio_sslTlsSTARTTLS_REQ=STARTTLS,radio_sslTlsON=SSL/TLS|"+
		"Server Address,Outgoing SMTP Port Number,SMTP AUTH Login Name,SMTP AUTH Password,Device Email Address,Connection Test|Start" {
		t.Fatalf("SMTP page as captured: got %q", got)
	}
	// .value alone: the app's model never hears of it.
	eval(`(function(){document.getElementById('portNum1').value='587'; return 'ok'})()`)
	step("save", clickButton("Save"), chromedp.WaitNotPresent(chromedp.CSS(".dialog")))
	if s := d.SMTP(); s.Port != 25 {
		t.Fatalf("a value set without events was saved: %+v", s)
	}
	openSMTP()
	// A server address typed but not confirmed with its OK is not saved.
	eval(setWithEvents + `('manualAddrInput','smtp.gmail.com')`)
	step("save", clickButton("Save"), chromedp.WaitNotPresent(chromedp.CSS(".dialog")))
	if s := d.SMTP(); s.Server != "" {
		t.Fatalf("an unconfirmed server address was saved: %+v", s)
	}
	openSMTP()
	eval(setWithEvents + `('manualAddrInput','smtp.gmail.com')`)
	step("confirm the address", chromedp.Click(chromedp.ID("serverAddressSettingOk"), chromedp.NodeVisible))
	eval(setWithEvents + `('portNum1','587')`)
	step("pick strict STARTTLS", chromedp.Click(chromedp.ID("radio_sslTlsSTARTTLS_REQ"), chromedp.NodeVisible))
	step("save", clickButton("Save"), chromedp.WaitNotPresent(chromedp.CSS(".dialog")))
	if s := d.SMTP(); s.Server != "smtp.gmail.com" || s.Port != 587 || s.Security != SecuritySTARTTLS {
		t.Fatalf("settings after a save with events: %+v", s)
	}
}
