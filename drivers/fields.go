package drivers

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/mfpfleet/mfpfleet/config"
)

// Field describes a form control the way a person finds it. Lookup order:
// Names (name or id attributes, the known first guesses), then the
// control whose label best matches one of Labels: a <label for>, a
// wrapping <label>, aria-label(ledby), the text of the cells before it in
// its table row, the text just before it, its placeholder or title.
// Matching ignores case, spacing and trailing colons; an exact match
// beats "starts with", which beats "contains as words"; visible and
// enabled controls win ties.
type Field struct {
	Key    string   // the caller's name for it ("server"), used in results and errors
	Labels []string // visible label texts, e.g. "SMTP Server", "Host Name"
	Names  []string // name/id first guesses, e.g. "smtpServer"
	// Type restricts the control: "text" (any text-like input or
	// textarea), "password", "checkbox", "select", "radio" ("" = any).
	// For "radio", Labels/Names identify the group and the value picks
	// the option by its own label.
	Type string
	// Within is a CSS selector that scopes the search (a dialog, a form).
	Within string
	// Optional fields that are missing are skipped instead of failing.
	Optional bool
}

// FieldValue is a Field and what to put in it: text for text and
// password fields, "true"/"false" for a checkbox, the visible option text
// (or value) for a select or a radio group.
type FieldValue struct {
	Field
	Value string
	// Secret marks Value as a password: it is registered with the tab so
	// that no artifact or error shows it.
	Secret bool
}

// SecretValue builds a FieldValue for a password.
func SecretValue(f Field, s config.Secret) FieldValue {
	return FieldValue{Field: f, Value: s.Reveal(), Secret: true}
}

// FieldState is what the page shows in a control.
type FieldState struct {
	Key      string `json:"key"`
	Found    bool   `json:"found"`
	How      string `json:"how,omitempty"`   // name, label, aria, row, sibling, placeholder, title, radio
	Label    string `json:"label,omitempty"` // the label text that matched (normalised)
	Name     string `json:"name,omitempty"`
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"`
	Disabled bool   `json:"disabled,omitempty"`
	Visible  bool   `json:"visible,omitempty"`
	// Value: text, "true"/"false" for a checkbox, the selected option's
	// text for a select or radio group; never a password field's value.
	Value       string   `json:"value,omitempty"`
	OptionValue string   `json:"optionValue,omitempty"`
	Checked     bool     `json:"checked,omitempty"`
	HasValue    bool     `json:"hasValue,omitempty"` // password fields: something is typed/stored
	Options     []string `json:"options,omitempty"`
	MaxLength   int      `json:"maxLength,omitempty"`
}

type fieldSpec struct {
	Key      string   `json:"key"`
	Labels   []string `json:"labels"`
	Names    []string `json:"names"`
	Type     string   `json:"type"`
	Within   string   `json:"within,omitempty"`
	Optional bool     `json:"optional"`
	Value    string   `json:"value"`
}

func specOf(f Field) fieldSpec {
	return fieldSpec{Key: f.Key, Labels: f.Labels, Names: f.Names, Type: f.Type, Within: f.Within, Optional: f.Optional}
}

func withArg(js string, arg []byte) string { return strings.Replace(js, "__ARG__", string(arg), 1) }

// Read finds the fields and returns what they show, keyed by Field.Key.
// A missing field that is not Optional is a *FieldError (page names the
// page for the message).
func (t *Tab) Read(ctx context.Context, page string, fields ...Field) (map[string]FieldState, error) {
	specs := make([]fieldSpec, len(fields))
	for i, f := range fields {
		specs[i] = specOf(f)
	}
	arg, _ := json.Marshal(specs)
	var states []FieldState
	if err := t.Eval(ctx, "read the "+page+" page", withArg(jsFind, arg), &states); err != nil {
		return nil, err
	}
	out := make(map[string]FieldState, len(states))
	for i, st := range states {
		if !st.Found && !fields[i].Optional {
			return nil, fieldErr(page, fields[i])
		}
		out[st.Key] = st
	}
	return out, nil
}

func fieldErr(page string, f Field) *FieldError {
	label := f.Key
	if len(f.Labels) > 0 {
		label = f.Labels[0]
	}
	return &FieldError{Page: page, Label: label, Names: f.Names}
}

// Fill finds every field, and only when all required ones are present
// fills them in order (ticking checkboxes with a click, so that page
// scripts enabling dependent fields run), dispatching input and change
// events, all in one script evaluation. It returns the fields' states
// after filling. Secret values are registered with the tab first.
func (t *Tab) Fill(ctx context.Context, page string, values ...FieldValue) (map[string]FieldState, error) {
	specs := make([]fieldSpec, len(values))
	byKey := map[string]Field{}
	for i, v := range values {
		if v.Secret {
			t.AddSecret(v.Value)
		}
		specs[i] = specOf(v.Field)
		specs[i].Value = v.Value
		byKey[v.Key] = v.Field
	}
	arg, _ := json.Marshal(specs)
	var res struct {
		Missing  []string          `json:"missing"`
		Problems map[string]string `json:"problems"`
		States   []FieldState      `json:"states"`
	}
	if err := t.Eval(ctx, "fill the "+page+" page", withArg(jsFill, arg), &res); err != nil {
		return nil, err
	}
	if len(res.Missing) > 0 {
		return nil, fieldErr(page, byKey[res.Missing[0]])
	}
	if len(res.Problems) > 0 {
		keys := make([]string, 0, len(res.Problems))
		for k := range res.Problems {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+": "+res.Problems[k])
		}
		return nil, fmt.Errorf("fill the %s page: %s", page, t.Scrub(strings.Join(parts, "; ")))
	}
	out := make(map[string]FieldState, len(res.States))
	for _, st := range res.States {
		out[st.Key] = st
	}
	return out, nil
}

// Click clicks the first button, link or input whose visible text, value,
// title or aria-label matches one of texts (same matching as labels),
// scoped by within (a CSS selector, "" = document), without waiting for
// anything. It returns ErrFieldNotFound (as *FieldError) when nothing
// matches.
func (t *Tab) Click(ctx context.Context, page, within string, texts ...string) error {
	return notFound(page, texts, t.Eval(ctx, "click "+strings.Join(texts, "/"), clickJS(within, texts, false), nil))
}

func notFound(page string, texts []string, err error) error {
	if err != nil && strings.Contains(err.Error(), "mfp-not-found") {
		return &FieldError{Page: page, Label: strings.Join(texts, `" or "`)}
	}
	return err
}

// ClickNavigate is Click followed by a wait for the navigation it causes.
func (t *Tab) ClickNavigate(ctx context.Context, page, within string, texts ...string) (Page, error) {
	if err := t.Eval(ctx, "find "+strings.Join(texts, "/"), clickJS(within, texts, true), nil); err != nil {
		return Page{}, notFound(page, texts, err)
	}
	return t.SubmitJS(ctx, "click "+strings.Join(texts, "/"), `window.__mfpEdited = true; window.__mfpClickTarget.click()`)
}

// clickJS builds a script that finds the element to click; with findOnly
// it stores it in window.__mfpClickTarget instead of clicking it. A miss
// throws "mfp-not-found".
func clickJS(within string, texts []string, findOnly bool) string {
	arg, _ := json.Marshal(map[string]any{"within": within, "texts": texts, "findOnly": findOnly})
	return withArg(jsLib+`
(function (a) {
  const root = (a.within && document.querySelector(a.within)) || document;
  const els = Array.from(root.querySelectorAll("button,a,input[type=submit],input[type=button],input[type=image],[role=button],[onclick]"));
  const text = e => __mfp.norm(e.tagName === "INPUT" ? (e.value || e.getAttribute("alt") || "") : e.textContent);
  let best = null, bestScore = 0;
  for (const e of els) {
    const cands = [text(e), __mfp.norm(e.getAttribute("title")), __mfp.norm(e.getAttribute("aria-label"))];
    for (const w of a.texts) {
      const n = __mfp.norm(w);
      for (const c of cands) {
        let s = c === n ? 100 : (c.startsWith(n) ? 50 : 0);
        if (s && __mfp.visible(e)) s += 5;
        if (s > bestScore) { best = e; bestScore = s; }
      }
    }
  }
  if (!best) throw new Error("mfp-not-found");
  if (a.findOnly) { window.__mfpClickTarget = best; return true; }
  window.__mfpEdited = true; // Tab.OnPage: the page may have changed
  best.click();
  return true;
})(__ARG__)`, arg)
}
