package drivers

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mfpfleet/mfpfleet/config"
)

func layoutTab(t *testing.T) *Tab {
	t.Helper()
	_, addr := serve(t, testIP(), true, http.FileServer(http.Dir("testdata")))
	tab := openTab(t, addr, false)
	ctx := tctx(t, 15*time.Second)
	pg, err := tab.Navigate(ctx, "/layouts.html")
	if err != nil {
		t.Fatal(err)
	}
	if pg.Status != 200 || pg.TLS == "" {
		t.Fatalf("page %+v: want 200 over TLS", pg)
	}
	return tab
}

func TestFindFieldsByLabel(t *testing.T) {
	tab := layoutTab(t)
	ctx := tctx(t, 15*time.Second)
	cases := []struct {
		name     string
		field    Field
		wantName string
		wantHow  string
	}{
		{"label for", Field{Key: "k", Labels: []string{"SMTP Server"}}, "x1", "label"},
		{"wrapping label", Field{Key: "k", Labels: []string{"Outgoing SMTP Port Number"}}, "x2", "label"},
		{"table row td", Field{Key: "k", Labels: []string{"Login Name"}}, "x3", "row"},
		{"exact beats contains", Field{Key: "k", Labels: []string{"Password"}, Type: "password"}, "x4", "row"},
		{"retype", Field{Key: "k", Labels: []string{"Retype Password"}, Type: "password"}, "x5", "row"},
		{"checkbox label", Field{Key: "k", Labels: []string{"Select to save new password"}, Type: "checkbox"}, "x6", "label"},
		{"select", Field{Key: "k", Labels: []string{"Connection Security"}, Type: "select"}, "x7", "row"},
		{"aria-label", Field{Key: "k", Labels: []string{"Device Email"}}, "x8", "aria"},
		{"placeholder", Field{Key: "k", Labels: []string{"Reply Address"}}, "x9", "placeholder"},
		{"sibling span", Field{Key: "k", Labels: []string{"Host Name"}}, "x10", "sibling"},
		{"dt dd", Field{Key: "k", Labels: []string{"Size Limit"}}, "x11", "sibling"},
		{"second label alternative", Field{Key: "k", Labels: []string{"Mail Server", "SMTP Server"}}, "x1", "label"},
		{"name first guess wins", Field{Key: "k", Labels: []string{"SMTP Server"}, Names: []string{"x9"}}, "x9", "name"},
		{"wrong name guess falls back to label", Field{Key: "k", Labels: []string{"SMTP Server"}, Names: []string{"smtpServer"}}, "x1", "label"},
		{"case and colon", Field{Key: "k", Labels: []string{"smtp server:"}}, "x1", "label"},
		{"radio group by legend", Field{Key: "k", Labels: []string{"SMTP Authentication"}, Type: "radio"}, "x12", "radio"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, err := tab.Read(ctx, "layouts", tc.field)
			if err != nil {
				t.Fatal(err)
			}
			got := st["k"]
			if got.Name != tc.wantName || got.How != tc.wantHow {
				t.Fatalf("found %+v, want name %s via %s", got, tc.wantName, tc.wantHow)
			}
		})
	}
	t.Run("missing field names the label", func(t *testing.T) {
		_, err := tab.Read(ctx, "SMTP", Field{Key: "k", Labels: []string{"Validate Server Certificate"}, Names: []string{"validate"}})
		var fe *FieldError
		if !errors.As(err, &fe) || !errors.Is(err, ErrFieldNotFound) || fe.Label != "Validate Server Certificate" {
			t.Fatalf("err = %v, want a FieldError for the label", err)
		}
		if !strings.Contains(err.Error(), "mfpfleet probe") {
			t.Errorf("error does not say what to do: %v", err)
		}
	})
	t.Run("optional missing field", func(t *testing.T) {
		st, err := tab.Read(ctx, "SMTP", Field{Key: "k", Labels: []string{"Nothing Like This"}, Optional: true})
		if err != nil || st["k"].Found {
			t.Fatalf("st=%+v err=%v", st, err)
		}
	})
}

func TestFillOneEvaluation(t *testing.T) {
	tab := layoutTab(t)
	ctx := tctx(t, 15*time.Second)
	pw := config.NewSecret("abcdefghijklmnop")
	states, err := tab.Fill(ctx, "SMTP",
		FieldValue{Field: Field{Key: "server", Labels: []string{"SMTP Server"}}, Value: "smtp.gmail.com"},
		FieldValue{Field: Field{Key: "port", Labels: []string{"Outgoing SMTP Port Number"}}, Value: "587"},
		FieldValue{Field: Field{Key: "sec", Labels: []string{"Connection Security"}, Type: "select"}, Value: "STARTTLS"},
		FieldValue{Field: Field{Key: "user", Labels: []string{"Login Name"}}, Value: "a@gmail.com"},
		// The password fields are disabled until the checkbox is ticked:
		// the fill ticks it first with a click so the page's handler runs.
		FieldValue{Field: Field{Key: "save", Labels: []string{"Select to save new password"}, Type: "checkbox"}, Value: "true"},
		SecretValue(Field{Key: "pw", Labels: []string{"Password"}, Type: "password"}, pw),
		SecretValue(Field{Key: "pw2", Labels: []string{"Retype Password"}, Type: "password"}, pw),
		FieldValue{Field: Field{Key: "auth", Labels: []string{"SMTP Authentication"}, Type: "radio"}, Value: "Device"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if states["sec"].Value != "STARTTLS" || states["sec"].OptionValue != "2" {
		t.Errorf("strict STARTTLS not chosen (a prefix match must not pick \"If Available\"): %+v", states["sec"])
	}
	if !states["pw"].HasValue || states["pw"].Value != "" {
		t.Errorf("password state %+v: want HasValue and no value shown", states["pw"])
	}
	if states["auth"].Value != "device" {
		t.Errorf("radio = %+v", states["auth"])
	}
	var events []string
	if err := tab.Eval(ctx, "events", "window.events", &events); err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(events, " ")
	for _, want := range []string{"input:x1", "change:x1", "input:x2", "change:x7", "change:x6", "input:x4", "change:x5", "change:x12"} {
		if !strings.Contains(joined, want) {
			t.Errorf("event %s not dispatched; got %s", want, joined)
		}
	}
	var vals map[string]string
	if err := tab.Eval(ctx, "values", `({x1: document.getElementsByName("x1")[0].value, x2: document.getElementsByName("x2")[0].value, x4: document.getElementsByName("x4")[0].value, x7: document.getElementsByName("x7")[0].value})`, &vals); err != nil {
		t.Fatal(err)
	}
	if vals["x1"] != "smtp.gmail.com" || vals["x2"] != "587" || vals["x4"] != pw.Reveal() || vals["x7"] != "2" {
		t.Errorf("values = %v", vals)
	}

	t.Run("nothing filled when a field is missing", func(t *testing.T) {
		_, err := tab.Fill(ctx, "SMTP",
			FieldValue{Field: Field{Key: "server", Labels: []string{"SMTP Server"}}, Value: "changed.example"},
			FieldValue{Field: Field{Key: "nope", Labels: []string{"Not On This Page"}}, Value: "x"})
		if !errors.Is(err, ErrFieldNotFound) {
			t.Fatalf("err = %v", err)
		}
		st, _ := tab.Read(ctx, "SMTP", Field{Key: "server", Labels: []string{"SMTP Server"}})
		if st["server"].Value != "smtp.gmail.com" {
			t.Errorf("server changed to %q although the fill failed", st["server"].Value)
		}
	})
	t.Run("unknown option names the options", func(t *testing.T) {
		_, err := tab.Fill(ctx, "SMTP", FieldValue{Field: Field{Key: "sec", Labels: []string{"Connection Security"}, Type: "select"}, Value: "TLS 1.3 only"})
		if err == nil || !strings.Contains(err.Error(), "SSL/TLS") {
			t.Fatalf("err = %v, want the options listed", err)
		}
	})
	t.Run("fill error does not show the secret", func(t *testing.T) {
		_, err := tab.Fill(ctx, "SMTP", SecretValue(Field{Key: "sec", Labels: []string{"Connection Security"}, Type: "select"}, pw))
		if err == nil || strings.Contains(err.Error(), pw.Reveal()) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestClick(t *testing.T) {
	tab := layoutTab(t)
	ctx := tctx(t, 15*time.Second)
	if err := tab.Eval(ctx, "hook", `document.getElementById("cancel").onclick = () => { window.cancelled = true; }; true`, nil); err != nil {
		t.Fatal(err)
	}
	if err := tab.Click(ctx, "layouts", "", "Cancel"); err != nil {
		t.Fatal(err)
	}
	var got bool
	if err := tab.Eval(ctx, "read", "window.cancelled === true", &got); err != nil || !got {
		t.Fatalf("cancel not clicked: %v %v", got, err)
	}
	err := tab.Click(ctx, "layouts", "", "Send Email")
	if !errors.Is(err, ErrFieldNotFound) {
		t.Fatalf("err = %v, want ErrFieldNotFound", err)
	}
}

func TestMaskingAndArtifacts(t *testing.T) {
	const admin = "TopSecretAdmin9"
	app := config.NewSecret("qwertyuiopasdfgh")
	_, addr := serve(t, testIP(), true, http.FileServer(http.Dir("testdata")))
	tab := openTab(t, addr, false)
	tab.AddSecret(admin)
	ctx := tctx(t, 20*time.Second)
	if _, err := tab.Navigate(ctx, "/secrets.html"); err != nil {
		t.Fatal(err)
	}
	if _, err := tab.Fill(ctx, "login", SecretValue(Field{Key: "t", Labels: []string{"App password (shown as text)"}}, app)); err != nil {
		t.Fatal(err)
	}
	// While masked, no control or text shows a secret.
	if err := tab.Eval(ctx, "mask", withArg(jsMask, []byte(`["`+admin+`","`+app.Reveal()+`"]`)), nil); err != nil {
		t.Fatal(err)
	}
	var shown string
	if err := tab.Eval(ctx, "read", `Array.from(document.querySelectorAll("input")).map(e => e.value).join("|") + document.body.innerText`, &shown); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(shown, admin) || strings.Contains(shown, app.Reveal()) {
		t.Fatalf("masked page still shows a secret: %q", shown)
	}
	if err := tab.Eval(ctx, "unmask", jsUnmask, nil); err != nil {
		t.Fatal(err)
	}
	var restored string
	if err := tab.Eval(ctx, "read", `document.getElementById("t").value`, &restored); err != nil || restored != app.Reveal() {
		t.Fatalf("typed value not restored after the screenshot: %v", err)
	}

	err := tab.Fail(ctx, "login", errors.New("boom"))
	var se *StepError
	if !errors.As(err, &se) || se.Screenshot == "" || se.HTML == "" {
		t.Fatalf("err = %#v, want a StepError with artifacts", err)
	}
	if !strings.Contains(err.Error(), se.Screenshot) || !strings.Contains(err.Error(), tab.Address()+": login: boom") {
		t.Errorf("error text %q does not name the device, step and artifacts", err)
	}
	for _, p := range []string{se.Screenshot, se.HTML} {
		if filepath.Dir(p) != artifactsDir {
			t.Errorf("artifact %s not in %s", p, artifactsDir)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{admin, app.Reveal()} {
			if strings.Contains(string(b), s) {
				t.Errorf("%s contains a secret", p)
			}
		}
	}
	png, _ := os.ReadFile(se.Screenshot)
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		t.Errorf("screenshot is not a PNG")
	}
	htm, _ := os.ReadFile(se.HTML)
	if !strings.Contains(string(htm), "webPassword") || !strings.Contains(string(htm), "**redacted**") {
		t.Errorf("html excerpt lacks the form or the redaction marker:\n%s", htm)
	}
}

func TestStripPasswordValues(t *testing.T) {
	in := `<input type="password" name="p" value="hunter2"><input name="u" value="admin"><INPUT VALUE='x1' TYPE=password>`
	out := stripPasswordValues(in)
	if strings.Contains(out, "hunter2") || strings.Contains(out, "x1") || !strings.Contains(out, `value="admin"`) {
		t.Fatalf("got %s", out)
	}
}

func TestScrub(t *testing.T) {
	s := scrub("a p@ss&w0rd b p%40ss%26w0rd c cEBzcyZ3MHJk d p@ss&amp;w0rd", []string{"p@ss&w0rd"})
	if strings.Contains(s, "w0rd") || strings.Contains(s, "cEBzcyZ3MHJk") {
		t.Fatalf("not scrubbed: %s", s)
	}
}
