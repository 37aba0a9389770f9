package drivers

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/headlessexperimental"
)

// WaitSettled waits until the JavaScript condition cond is truthy,
// tolerating the moments during a navigation when the page cannot run
// scripts (redirect pages, meta refresh, location.replace). The page
// itself re-checks cond every 25 ms for up to 2 s per call (250 ms on a
// tab that draws frames on demand, which then draws one), so a wait
// costs one DevTools round trip per document rather than one per check.
// A time-out wraps ErrTransient.
func (t *Tab) WaitSettled(ctx context.Context, op, cond string) error {
	// On a tab that draws frames only on demand, a condition not met
	// within 250 ms gets a frame drawn before the next check, so that
	// pages that move on by requestAnimationFrame or CSS transitions do.
	slice, frameless := "2000", t.framesOnDemand()
	if frameless {
		slice = "250"
	}
	js := `new Promise(resolve => {
  const end = Date.now() + ` + slice + `;
  const check = () => {
    let ok = false;
    try { ok = document.readyState === "complete" && !!(` + cond + `); } catch (e) {}
    if (ok || Date.now() > end) { resolve(ok); return; }
    setTimeout(check, 25);
  };
  check();
})`
	var last error
	for {
		var ok bool
		c, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := t.Eval(c, op, js, &ok)
		cancel()
		if err == nil && ok {
			return nil
		}
		if err == nil && frameless {
			t.drawFrame()
		}
		if err != nil {
			last = err
			if errors.Is(err, ErrCertChanged) || (ctx.Err() == nil && t.ctx.Err() != nil) {
				return err
			}
		}
		// A navigation ended the document the promise lived in: look
		// again soon.
		select {
		case <-ctx.Done():
			if ctx.Err() == context.DeadlineExceeded {
				msg := op + ": timed out (the device is slow or stopped answering)"
				if last != nil && !errors.Is(last, ErrTransient) {
					msg += " (" + t.Scrub(last.Error()) + ")"
				}
				return &scrubbedError{msg: msg, err: ErrTransient}
			}
			return ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// framesOnDemand reports whether the tab draws frames only when asked
// (BrowserOptions.RenderFrames).
func (t *Tab) framesOnDemand() bool { return t.lane != nil && t.lane.frameless }

// drawFrame has a tab that draws only on demand draw one frame (see
// WaitSettled), unless a frame (of any tab) is still being drawn: then
// it does nothing, since a second request would overlap the first and
// crash Chromium's GPU process (see lane.beginFrame); the next check
// asks again. It does not wait for the frame: the next check does.
func (t *Tab) drawFrame() {
	t.lane.startFrame(headlessexperimental.BeginFrameParams{})
}

// Link is a link found by FindLink.
type Link struct {
	Text string `json:"text"`
	Href string `json:"href"`
}

// FindLink returns the link whose text best matches one of texts (exact,
// then starts-with). When rowTexts is not empty, only links in a table
// row (or list item) whose text contains one of rowTexts as a word
// qualify, e.g. the "Edit..." link in the "SMTP" row.
func (t *Tab) FindLink(ctx context.Context, page string, texts, rowTexts []string) (Link, error) {
	arg, _ := json.Marshal(map[string]any{"texts": texts, "rows": rowTexts})
	var l *Link
	err := t.Eval(ctx, "find the link "+strings.Join(texts, "/"), withArg(jsLib+`
(function (a) {
  const N = __mfp.norm;
  let best = null, bestScore = 0;
  for (const e of document.querySelectorAll("a[href]")) {
    const href = e.getAttribute("href");
    if (!href || href === "#" || href.startsWith("javascript:")) continue;
    const txt = N(e.textContent || e.getAttribute("title") || "");
    if (a.rows && a.rows.length) {
      const row = e.closest("tr,li");
      if (!row || !__mfp.rowHas(row, a.rows)) continue;
    }
    for (const w0 of a.texts) {
      const w = N(w0);
      let s = txt === w ? 100 : (w && txt.startsWith(w) ? 50 : 0);
      if (s && __mfp.visible(e)) s += 5;
      if (s > bestScore) { best = {text: txt, href: e.href}; bestScore = s; }
    }
  }
  return best;
})(__ARG__)`, arg), &l)
	if err != nil {
		return Link{}, err
	}
	if l == nil {
		label := strings.Join(texts, `" or "`)
		if len(rowTexts) > 0 {
			label += `" in the row "` + strings.Join(rowTexts, `" or "`)
		}
		return Link{}, &FieldError{Page: page, Label: label}
	}
	return *l, nil
}

// ClickNear clicks the button matching texts that is closest to the
// field near (the smallest container holding both): the "Log In" of a
// login dialog rather than the one in the page header. It does not wait.
func (t *Tab) ClickNear(ctx context.Context, page string, near Field, texts ...string) error {
	arg, _ := json.Marshal(map[string]any{"spec": specOf(near), "texts": texts})
	err := t.Eval(ctx, "click "+strings.Join(texts, "/"), withArg(jsLib+`
(function (a) {
  const f = __mfp.find(a.spec);
  if (!f) throw new Error("mfp-not-found");
  const N = __mfp.norm;
  const match = e => a.texts.some(w => __mfp.caption(e) === N(w));
  for (let c = f.el.parentElement; c; c = c.parentElement) {
    const b = Array.from(c.querySelectorAll("button,input[type=submit],input[type=button],a,[role=button]")).find(e => match(e) && __mfp.visible(e));
    if (b) { window.__mfpEdited = true; b.click(); return true; }
  }
  throw new Error("mfp-not-found");
})(__ARG__)`, arg), nil)
	return notFound(page, texts, err)
}

// Table is an HTML table read by ReadTables: its header cells and rows.
type Table struct {
	ID      string     `json:"id"`
	Headers []string   `json:"headers"`
	Rows    [][]string `json:"rows"`
}

// Column returns the index of the first header matching one of names
// (case-insensitive, exact then prefix), -1 when none does.
func (tb Table) Column(names ...string) int {
	for _, exact := range []bool{true, false} {
		for _, n := range names {
			n = strings.ToLower(n)
			for i, h := range tb.Headers {
				h = strings.ToLower(strings.TrimSpace(h))
				if (exact && h == n) || (!exact && strings.HasPrefix(h, n)) {
					return i
				}
			}
		}
	}
	return -1
}

// ReadTables returns the page's tables that have a header row.
func (t *Tab) ReadTables(ctx context.Context) ([]Table, error) {
	var out []Table
	err := t.Eval(ctx, "read the tables", `(function () {
  const txt = c => c.textContent.replace(/\s+/g, " ").trim();
  return Array.from(document.querySelectorAll("table")).map(tb => {
    const rows = Array.from(tb.rows);
    const hi = rows.findIndex(r => r.querySelector("th"));
    if (hi < 0) return null;
    return {id: tb.id || "", headers: Array.from(rows[hi].cells).map(txt),
      rows: rows.slice(hi + 1).map(r => Array.from(r.cells).map(txt))};
  }).filter(Boolean);
})()`, &out)
	for i := range out {
		for j := range out[i].Rows {
			for k := range out[i].Rows[j] {
				out[i].Rows[j][k] = t.Scrub(out[i].Rows[j][k])
			}
		}
	}
	return out, err
}

// SubmitAndWait clicks the button matching texts (the one nearest to the
// field near, when near is not nil) and waits until a new document has
// replaced the current one, redirect pages have moved on (the location
// no longer ends in one of skipPaths) and cond (JavaScript, "" = true)
// holds. A device that hangs up instead of answering (rebooting) wraps
// ErrTransient.
func (t *Tab) SubmitAndWait(ctx context.Context, page string, near *Field, texts []string, skipPaths []string, cond string) error {
	if err := t.Eval(ctx, "mark the page", `window.__mfpOld = true`, nil); err != nil {
		return err
	}
	var err error
	if near != nil {
		err = t.ClickNear(ctx, page, *near, texts...)
	} else {
		err = t.Click(ctx, page, "", texts...)
	}
	if err != nil {
		return err
	}
	return t.waitNewPage(ctx, "wait for the answer to "+strings.Join(texts, "/"), skipPaths, cond)
}

func (t *Tab) waitNewPage(ctx context.Context, op string, skipPaths []string, cond string) error {
	skip, _ := json.Marshal(append([]string{}, skipPaths...))
	full := `!window.__mfpOld && !` + string(skip) + `.some(p => location.pathname.endsWith(p))`
	if cond != "" {
		full += ` && (location.protocol === "chrome-error:" || (` + cond + `))`
	}
	if err := t.WaitSettled(ctx, op, full); err != nil {
		return err
	}
	var loc struct {
		Proto string `json:"proto"`
		Text  string `json:"text"`
	}
	if err := t.Eval(ctx, op, `({proto: location.protocol, text: document.body ? document.body.innerText.slice(0, 300) : ""})`, &loc); err != nil {
		return err
	}
	if loc.Proto == "chrome-error:" {
		msg := strings.Join(strings.Fields(t.Scrub(loc.Text)), " ")
		return &scrubbedError{msg: op + ": the device stopped answering (" + msg + ")", err: ErrTransient}
	}
	return nil
}

// OnPage reports whether the tab shows path (path and query, as a
// driver's remembered page paths have them) on the device as the device
// served it: loaded, and neither filled, clicked in nor submitted since.
// A driver reads such a page where it is (say, the page a save landed
// on) instead of loading it again: each page load costs Chromium more
// CPU than everything else a step does.
func (t *Tab) OnPage(ctx context.Context, path string) (bool, error) {
	var st struct {
		Origin  string `json:"origin"`
		Path    string `json:"path"`
		Touched bool   `json:"touched"`
		Ready   bool   `json:"ready"`
	}
	err := t.Eval(ctx, "look at the page", `({origin: location.origin, path: location.pathname + location.search,
  touched: !!(window.__mfpEdited || window.__mfpOld), ready: document.readyState === "complete"})`, &st)
	if err != nil {
		return false, err
	}
	return st.Ready && !st.Touched && st.Origin == t.base && st.Path == path, nil
}

// NavigateSettled loads path like Navigate, then waits for redirect pages
// (skipPaths) to move on and cond to hold.
func (t *Tab) NavigateSettled(ctx context.Context, path string, skipPaths []string, cond string) (Page, error) {
	pg, err := t.Navigate(ctx, path)
	if err != nil || pg.Status == 401 {
		return pg, err
	}
	skip, _ := json.Marshal(append([]string{}, skipPaths...))
	full := `!` + string(skip) + `.some(p => location.pathname.endsWith(p))`
	if cond != "" {
		full += ` && (` + cond + `)`
	}
	return pg, t.WaitSettled(ctx, "wait for "+path, full)
}

// FieldPresentJS is a JavaScript expression that is true when the page
// has the control f describes (for WaitSettled and WaitJS).
func FieldPresentJS(f Field) string {
	arg, _ := json.Marshal(specOf(f))
	return withArg(`(function (spec) {`+jsLib+` const r = __mfp.find(spec); return !!(r && __mfp.visible(r.el)); })(__ARG__)`, arg)
}

// WaitText polls the page's visible text (scrubbed) until pred accepts
// it, and returns it. A time-out wraps ErrTransient.
func (t *Tab) WaitText(ctx context.Context, op string, pred func(text string) bool) (string, error) {
	var last string
	for {
		c, cancel := context.WithTimeout(ctx, 3*time.Second)
		txt, err := t.Text(c)
		cancel()
		if err == nil {
			last = txt
			if pred(txt) {
				return txt, nil
			}
			if t.framesOnDemand() {
				t.drawFrame() // see WaitSettled
			}
		}
		select {
		case <-ctx.Done():
			if ctx.Err() == context.DeadlineExceeded {
				return last, &scrubbedError{msg: op + ": timed out waiting for the device's answer", err: ErrTransient}
			}
			return last, ctx.Err()
		case <-time.After(150 * time.Millisecond):
		}
	}
}

// RowText returns the text of the cell after the one whose text matches
// one of labels (exact, case-insensitive) in a table row or a label/value
// pair: the value of a read-only setting such as a status. It returns ""
// and a *FieldError when no row matches.
func (t *Tab) RowText(ctx context.Context, page string, labels ...string) (string, error) {
	arg, _ := json.Marshal(labels)
	var out *string
	err := t.Eval(ctx, "read "+strings.Join(labels, "/"), withArg(jsLib+`
(function (labels) {
  const want = labels.map(__mfp.norm);
  for (const c of document.querySelectorAll("td,th,dt,label,span")) {
    if (!want.includes(__mfp.norm(c.textContent))) continue;
    const next = c.nextElementSibling;
    if (next) return next.textContent.replace(/\s+/g, " ").trim();
  }
  return null;
})(__ARG__)`, arg), &out)
	if err != nil {
		return "", err
	}
	if out == nil {
		return "", &FieldError{Page: page, Label: strings.Join(labels, `" or "`)}
	}
	return t.Scrub(*out), nil
}

// SubmitInRow clicks the button or link matching texts in the table row
// (or list item) whose text contains one of rowTexts as a word, and
// waits for the page it leads to (like SubmitAndWait): for "Edit..."
// buttons that are script buttons rather than links.
func (t *Tab) SubmitInRow(ctx context.Context, page string, rowTexts, texts []string, skipPaths []string) error {
	arg, _ := json.Marshal(map[string]any{"texts": texts, "rows": rowTexts})
	err := t.Eval(ctx, "click "+strings.Join(texts, "/"), withArg(jsLib+`
(function (a) {
  const N = __mfp.norm;
  for (const row of document.querySelectorAll("tr,li")) {
    if (!__mfp.rowHas(row, a.rows)) continue;
    for (const e of row.querySelectorAll("a,button,input[type=button],input[type=submit],[role=button]")) {
      const txt = __mfp.caption(e);
      if (a.texts.some(w => txt === N(w) || txt.startsWith(N(w)))) { window.__mfpOld = true; e.click(); return true; }
    }
  }
  throw new Error("mfp-not-found");
})(__ARG__)`, arg), nil)
	if err != nil {
		label := strings.Join(texts, `" or "`) + `" in the row "` + strings.Join(rowTexts, `" or "`)
		if strings.Contains(err.Error(), "mfp-not-found") {
			return &FieldError{Page: page, Label: label}
		}
		return err
	}
	return t.waitNewPage(ctx, "wait for the page after "+strings.Join(texts, "/"), skipPaths, "")
}

// URLPath is the path of an absolute URL with its query and fragment
// ("/" for a bare host), as a driver remembers where a model's page was
// found; a relative reference is returned as it is.
func URLPath(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return u
	}
	s := p.RequestURI()
	if p.Fragment != "" {
		s += "#" + p.EscapedFragment()
	}
	return s
}
