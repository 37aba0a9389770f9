package sim

import (
	"context"
	"crypto/tls"
	"math/rand/v2"
	"net/http"
	"net/mail"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/gmail/standin"
)

// TestRealisticLatencyDistribution: the realistic model's page delays
// have the documented median and a long tail, every draw stays under its
// cap, and the same seed gives the same draws.
func TestRealisticLatencyDistribution(t *testing.T) {
	for fam, l := range RealisticLatency(7) {
		for name, d := range map[string]LogNormal{"page": l.Page, "save": l.Save, "mail": l.Mail} {
			r := rand.New(rand.NewPCG(7, 1))
			v := make([]time.Duration, 4000)
			for i := range v {
				v[i] = d.Draw(r)
				if v[i] <= 0 || v[i] > d.Max {
					t.Fatalf("%s %s: draw %v outside (0, %v]", fam, name, v[i], d.Max)
				}
			}
			slices.Sort(v)
			med, p95 := v[len(v)/2], v[len(v)*95/100]
			if med < d.Median*85/100 || med > d.Median*115/100 {
				t.Errorf("%s %s: median %v, want about %v", fam, name, med, d.Median)
			}
			if p95 < 2*d.Median {
				t.Errorf("%s %s: 95th percentile %v is not a long tail (median %v)", fam, name, p95, d.Median)
			}
		}
	}
	ck := RealisticLatency(7)[FamilyConnectKey]
	if ck.Page.Median != time.Second || ck.Mail.Median < 5*time.Second {
		t.Errorf("ConnectKey: page %v, mail %v; want a page of 1 s and mail in seconds", ck.Page, ck.Mail)
	}
	seq := func(seed uint64) []time.Duration {
		s := newLatencyState(Latency{Page: ck.Page, Seed: seed}, "3TB123456")
		var out []time.Duration
		for range 20 {
			out = append(out, s.draw(s.l.Page))
		}
		return out
	}
	if a, b := seq(1), seq(1); !slices.Equal(a, b) {
		t.Errorf("same seed, different draws: %v / %v", a, b)
	}
	if a, b := seq(1), seq(2); slices.Equal(a, b) {
		t.Errorf("different seeds, same draws: %v", a)
	}
	if _, err := LatencyProfile("fast", 1); err == nil || !strings.Contains(err.Error(), "realistic") {
		t.Errorf("LatencyProfile(fast) = %v, want an error naming realistic", err)
	}
	if m, err := LatencyProfile("none", 1); m != nil || err != nil {
		t.Errorf("LatencyProfile(none) = %v, %v", m, err)
	}
}

// TestLatencyFleet: a fleet with a latency model answers pages and saves
// no sooner than its delays (with the slow fault added on top), and the
// test message reaches the mailbox its delay after the device reported
// it sent, not before.
func TestLatencyFleet(t *testing.T) {
	const page, save, hold = 300 * time.Millisecond, 700 * time.Millisecond, 1500 * time.Millisecond
	fixed := func(d time.Duration) LogNormal { return LogNormal{Median: d} } // σ 0: exactly d
	lat := Latency{Page: fixed(page), Asset: fixed(page), Save: fixed(save), Mail: fixed(hold), Seed: 1}
	slow := netip.MustParseAddr("127.0.38.2")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f, err := StartFleet(ctx, FleetOptions{
		Base: netip.MustParseAddr("127.0.38.1"), Count: 2, Vendors: []string{"xerox"},
		HTTPSPort: -1, HTTPPort: -1, SNMPPort: -1, NoHTTP: true, GmailAddr: netip.MustParseAddr("127.0.38.250"),
		Latency: map[string]Latency{FamilyConnectKey: lat},
		Faults:  map[netip.Addr]Faults{slow: {Slow: 400 * time.Millisecond}},
		Logger:  testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := f.Devices[0].Web
	if d == nil || d.Family() != FamilyConnectKey || f.Devices[1].Web.Family() != FamilyConnectKey {
		t.Fatalf("want two ConnectKey devices first, got %+v", f.Devices)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} // the device's self-signed certificate
	timed := func(dev *Device, method, path string) time.Duration {
		t.Helper()
		req, _ := http.NewRequest(method, dev.HTTPSURL()+path, strings.NewReader(""))
		start := time.Now()
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return time.Since(start)
	}
	if el := timed(d, http.MethodGet, "/home/index.php"); el < page {
		t.Errorf("page answered after %v, want at least %v", el, page)
	}
	if el := timed(d, http.MethodPost, "/dummypost/xerox.set"); el < save {
		t.Errorf("save answered after %v, want at least %v", el, save)
	}
	if el := timed(f.Devices[1].Web, http.MethodGet, "/home/index.php"); el < page+400*time.Millisecond {
		t.Errorf("page with the slow fault answered after %v, want at least %v", el, page+400*time.Millisecond)
	}
	if el := timed(d, http.MethodGet, "/_sim/state"); el >= page {
		t.Logf("control surface took %v (it has no latency; a loaded machine?)", el)
	}

	pw := f.AppPassword.Reveal()
	d.SetSMTP(SMTPSettings{Server: "smtp.gmail.com", Port: 587, From: f.Account, Security: SecuritySTARTTLS, ValidateCert: true, Auth: AuthSMTP, User: f.Account}, &pw)
	to := strings.Replace(f.Account, "@", "+latency@", 1)
	j := d.TestEmail(ctx, to)
	sent := time.Now()
	if !j.OK {
		t.Fatalf("test e-mail: %s", j.Result)
	}
	for _, m := range f.Gmail.Messages() {
		if slices.Contains(m.Rcpt, to) {
			t.Fatalf("the message is in the mailbox at once, want it %v later", hold)
		}
	}
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if _, err := f.Gmail.WaitMessage(wctx, func(m standin.Message) bool { return slices.Contains(m.Rcpt, to) }); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(sent); el < hold-100*time.Millisecond {
		t.Errorf("delivered %v after the device sent it, want about %v", el, hold)
	}
}

func TestMailDelayHeader(t *testing.T) {
	h := mail.Header{MailDelayHeader: {"2500"}}
	if got := mailDelay(h); got != 2500*time.Millisecond {
		t.Errorf("mailDelay = %v", got)
	}
	if got := mailDelay(mail.Header{}); got != 0 {
		t.Errorf("mailDelay without the header = %v", got)
	}
}
