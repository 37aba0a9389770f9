package drivers

// jsLib finds form controls the way a person does: by the text next to
// them. It defines __mfp (idempotently) and is prefixed to every script
// that looks up fields.
const jsLib = `
if (!window.__mfp) window.__mfp = (function () {
  const norm = s => (s || "").replace(/[\u00a0\s]+/g, " ").trim().replace(/[\s:*\uff1a]+$/, "").replace(/^[\s*]+/, "").toLowerCase();
  const skip = {hidden: 1, submit: 1, button: 1, reset: 1, image: 1, file: 1};
  const kind = e => {
    const tag = e.tagName.toLowerCase();
    if (tag === "select") return "select";
    if (tag === "textarea") return "textarea";
    const t = (e.getAttribute("type") || "text").toLowerCase();
    if (t === "password" || t === "checkbox" || t === "radio") return t;
    return "text";
  };
  const controls = root => Array.from((root || document).querySelectorAll("input,select,textarea"))
    .filter(e => !skip[(e.getAttribute("type") || "").toLowerCase()]);
  const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
  const isControl = n => n.nodeType === 1 && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(n.tagName);
  // textOf: an element's text without the text of controls inside it.
  const textOf = el => {
    if (!el) return "";
    if (!el.querySelector || !el.querySelector("select,textarea,option")) return el.textContent || "";
    const c = el.cloneNode(true);
    c.querySelectorAll("select,textarea,option,script,style").forEach(x => x.remove());
    return c.textContent || "";
  };
  const hasControls = el => el.nodeType === 1 && (isControl(el) || !!el.querySelector("input:not([type=hidden]),select,textarea"));
  // labelsOf returns [text, source] pairs, best sources first.
  const labelsOf = e => {
    const out = [];
    const push = (t, src) => { const n = norm(t); if (n) out.push([n, src, (t || "").replace(/[\u00a0\s]+/g, " ").trim().replace(/[\s:*\uff1a]+$/, "")]); };
    if (e.labels) for (const l of e.labels) push(textOf(l), "label");
    const lb = e.getAttribute("aria-labelledby");
    if (lb) lb.split(/\s+/).forEach(id => { const x = document.getElementById(id); if (x) push(textOf(x), "aria"); });
    push(e.getAttribute("aria-label"), "aria");
    // Table layout: the cells before the control's cell in its row.
    const td = e.closest("td,th");
    const tr = e.closest("tr");
    if (td && tr) {
      const before = [];
      for (const cell of tr.cells) { if (cell === td || cell.contains(e)) break; if (!hasControls(cell)) before.push(textOf(cell)); }
      if (before.length) { push(before[before.length - 1], "row"); push(before.join(" "), "row"); }
    }
    // Sibling layout: <span>Label</span><input>, <dt>Label</dt><dd><input></dd>.
    let node = e;
    for (let depth = 0; depth < 4 && node && node !== document.body; depth++) {
      let prev = node.previousSibling, txt = "";
      while (prev) {
        if (prev.nodeType === 3) { txt = prev.textContent + txt; if (norm(txt)) break; }
        else if (prev.nodeType === 1) {
          if (hasControls(prev)) break;
          txt = textOf(prev) + txt; if (norm(txt)) break;
        }
        prev = prev.previousSibling;
      }
      if (norm(txt)) { push(txt, "sibling"); break; }
      const p = node.parentElement;
      if (!p || controls(p).length > 1) break;
      node = p;
    }
    push(e.getAttribute("placeholder"), "placeholder");
    push(e.getAttribute("title"), "title");
    return out;
  };
  const srcBonus = {label: 4, aria: 3, row: 2, sibling: 2, placeholder: 1, title: 0};
  const escRe = w => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const hasWord = (text, w) => new RegExp("(^|\\W)" + escRe(w) + "(\\W|$)").test(text);
  const score = (text, want) => {
    want = norm(want);
    if (!want) return 0;
    if (text === want) return 100;
    if (new RegExp("^" + escRe(want) + "\\b").test(text)) return 60 - Math.min(20, (text.length - want.length) / 4);
    if (hasWord(text, want)) return 40 - Math.min(20, (text.length - want.length) / 4);
    return 0;
  };
  const typeOK = (e, want) => {
    if (!want) return true;
    const k = kind(e);
    return want === k || (want === "text" && k === "textarea");
  };
  const scope = spec => {
    if (spec.within) { const r = document.querySelector(spec.within); if (r) return r; }
    return document;
  };
  const byName = (spec, root) => {
    for (const n of spec.names || []) {
      const cands = Array.from(root.querySelectorAll("[name]")).filter(e => e.getAttribute("name") === n);
      const id = (root.getElementById ? root.getElementById(n) : root.querySelector("#" + CSS.escape(n)));
      if (id) cands.push(id);
      for (const e of cands) if (/^(INPUT|SELECT|TEXTAREA)$/.test(e.tagName) && typeOK(e, spec.type)) return e;
    }
    return null;
  };
  const labelText = e => { const l = labelsOf(e); return l.length ? l[0][0] : ""; };
  // find returns the best control for spec, or null.
  const find = spec => {
    const root = scope(spec);
    if (spec.type === "radio") return findRadio(spec, root);
    const named = byName(spec, root);
    if (named) return {el: named, how: "name", label: labelText(named)};
    let best = null;
    for (const e of controls(root)) {
      if (!typeOK(e, spec.type)) continue;
      for (const [t, src] of labelsOf(e)) {
        for (const want of spec.labels || []) {
          let s = score(t, want);
          if (!s) continue;
          s += srcBonus[src] + (visible(e) ? 5 : 0) + (e.disabled ? 0 : 1);
          if (!best || s > best.score) best = {el: e, how: src, label: t, score: s};
        }
      }
    }
    return best;
  };
  // Radios: spec.labels name the group (row text, fieldset legend) and
  // spec.names the group's name; the option is chosen by its own label.
  const radioGroup = (spec, root) => {
    let radios = Array.from(root.querySelectorAll("input[type=radio]"));
    if (spec.names && spec.names.length) {
      const r = radios.filter(e => spec.names.includes(e.getAttribute("name")));
      if (r.length) return r;
    }
    if (spec.labels && spec.labels.length) {
      const r = radios.filter(e => {
        const fs = e.closest("fieldset"), lg = fs && fs.querySelector("legend");
        const tr = e.closest("tr");
        const texts = [];
        if (lg) texts.push(norm(textOf(lg)));
        if (tr) for (const c of tr.cells) { if (c.contains(e)) break; texts.push(norm(textOf(c))); }
        for (const [t] of labelsOf(e)) texts.push(t);
        const grp = e.closest("[role=radiogroup]");
        if (grp) texts.push(norm(grp.getAttribute("aria-label")));
        return texts.some(t => spec.labels.some(w => score(t, w) > 0));
      });
      if (r.length) {
        const name = r[0].getAttribute("name");
        return name ? radios.filter(e => e.getAttribute("name") === name) : r;
      }
    }
    return [];
  };
  const ownLabel = e => {
    if (e.labels && e.labels.length) return norm(textOf(e.labels[0]));
    let n = e.nextSibling, t = "";
    while (n && !(n.nodeType === 1 && isControl(n))) { t += n.textContent || ""; if (norm(t)) break; n = n.nextSibling; }
    return norm(t) || norm(e.getAttribute("aria-label")) || norm(e.value);
  };
  const findRadio = (spec, root) => {
    const group = radioGroup(spec, root);
    if (!group.length) return null;
    const checked = group.find(e => e.checked);
    return {el: checked || group[0], group: group, how: "radio", label: ""};
  };
  const optionText = o => norm(o.textContent || o.label);
  const pickOption = (sel, want) => {
    const w = norm(want), opts = Array.from(sel.options);
    return opts.find(o => optionText(o) === w) || opts.find(o => o.value === want)
      || opts.find(o => optionText(o).startsWith(w)) || null;
  };
  const pickRadio = (group, want) => {
    const w = norm(want);
    return group.find(e => ownLabel(e) === w) || group.find(e => e.value === want)
      || group.find(e => ownLabel(e).startsWith(w)) || null;
  };
  const state = (spec, f) => {
    const e = f.el, k = f.group ? "radio" : kind(e);
    const st = {key: spec.key, found: true, how: f.how, label: f.label, name: e.getAttribute("name") || "", id: e.id || "",
      type: k, disabled: !!e.disabled, visible: visible(e)};
    if (k === "password") {
      // Web admins never show a stored password: they show a mask or say
      // that one is set next to the (empty) field.
      const row = e.closest("tr, li, p, label") || e.parentElement;
      const near = ((row && row.textContent) || "") + " " + (e.placeholder || "");
      st.hasValue = e.value.length > 0 || /password (is )?(set|stored|saved|configured)|[*\u2022\u25cf]{4,}/i.test(near);
    }
    else if (k === "checkbox") { st.checked = e.checked; st.value = e.checked ? "true" : "false"; }
    else if (k === "select") {
      const o = e.options[e.selectedIndex];
      st.value = o ? (o.textContent || o.label).replace(/\s+/g, " ").trim() : "";
      st.optionValue = o ? o.value : "";
      st.options = Array.from(e.options).map(o => (o.textContent || o.label).replace(/\s+/g, " ").trim());
    } else if (k === "radio") {
      const c = f.group.find(r => r.checked);
      st.value = c ? ownLabel(c) : "";
      st.optionValue = c ? c.value : "";
      st.options = f.group.map(ownLabel);
      st.name = f.group[0].getAttribute("name") || "";
    } else { st.value = e.value; }
    if (e.maxLength > 0) st.maxLength = e.maxLength;
    return st;
  };
  const setNative = (e, v) => {
    const proto = e.tagName === "TEXTAREA" ? HTMLTextAreaElement.prototype : e.tagName === "SELECT" ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
    const d = Object.getOwnPropertyDescriptor(proto, "value");
    if (d && d.set) d.set.call(e, v); else e.value = v;
  };
  const fire = (e, names) => names.forEach(n => e.dispatchEvent(new Event(n, {bubbles: true})));
  const truthy = v => /^(true|1|on|yes|checked)$/i.test(String(v));
  // set applies one value; returns "" or a problem.
  const set = (spec, f, v) => {
    const e = f.el;
    if (f.group) {
      const r = pickRadio(f.group, v);
      if (!r) return "no option " + JSON.stringify(v) + " (options: " + f.group.map(ownLabel).join(", ") + ")";
      if (r.disabled) return "option " + JSON.stringify(v) + " is disabled";
      if (!r.checked) r.click();
      if (!r.checked) { r.checked = true; fire(r, ["input", "change"]); }
      return "";
    }
    if (e.disabled) return "disabled";
    const k = kind(e);
    if (k === "checkbox") {
      const want = truthy(v);
      if (e.checked !== want) e.click();
      if (e.checked !== want) { e.checked = want; fire(e, ["input", "change"]); }
      return "";
    }
    if (k === "select") {
      const o = pickOption(e, v);
      if (!o) return "no option " + JSON.stringify(v) + " (options: " + Array.from(e.options).map(o => (o.textContent || o.label).replace(/\s+/g, " ").trim()).join(", ") + ")";
      if (o.disabled) return "option " + JSON.stringify(v) + " is disabled";
      setNative(e, o.value);
      fire(e, ["input", "change"]);
      return "";
    }
    if (e.maxLength > 0 && String(v).length > e.maxLength) return "value longer than the field allows (" + e.maxLength + " characters)";
    e.focus && e.focus();
    setNative(e, String(v));
    fire(e, ["input", "change"]);
    e.blur && e.blur();
    return "";
  };
  // rowHas: whether a table row's (or list item's) text holds one of
  // words as a whole word ("SMTP" in "SMTP Server  Edit...").
  const rowHas = (row, words) => {
    const rt = norm(row.cells ? Array.from(row.cells).map(c => c.textContent).join(" ") : (row.innerText || row.textContent));
    return words.some(w => hasWord(rt, norm(w)));
  };
  // caption: the text a button or link shows.
  const caption = e => norm(e.tagName === "INPUT" ? e.value : e.textContent);
  return {norm, find, state, set, controls, labelsOf, kind, visible, textOf, ownLabel, rowHas, caption};
})();
`

// jsFind: arg = [{key,labels,names,type,within}], returns states
// (found=false for the missing ones).
const jsFind = jsLib + `
(function (specs) {
  return specs.map(s => { const f = __mfp.find(s); return f ? __mfp.state(s, f) : {key: s.key, found: false}; });
})(__ARG__)`

// jsFill: arg = [{spec..., value}]. Finds every field first; fills only
// when all required ones are there, in order, in this one evaluation.
const jsFill = jsLib + `
(function (items) {
  const found = items.map(it => __mfp.find(it));
  const missing = items.filter((it, i) => !found[i] && !it.optional).map(it => it.key);
  if (missing.length) return {missing: missing, problems: {}};
  window.__mfpEdited = true; // the page no longer shows what the device served (Tab.OnPage)
  const problems = {};
  items.forEach((it, i) => {
    if (!found[i]) return;
    if (it.type !== "radio" && found[i].el.disabled && !it.optional) {
      // A checkbox earlier in the list may enable it: look again.
      found[i] = __mfp.find(it) || found[i];
    }
    const p = __mfp.set(it, found[i], it.value);
    if (p && !it.optional) problems[it.key] = p;
  });
  return {missing: [], problems: problems, states: items.map((it, i) => found[i] ? __mfp.state(it, found[i]) : {key: it.key, found: false})};
})(__ARG__)`

// jsMask blanks password fields, fields holding a secret and text nodes
// showing one, remembering the values for jsUnmask. Arg: secrets.
const jsMask = `
(function (secrets) {
  secrets = secrets.filter(s => s && s.length > 0);
  const has = v => secrets.some(s => v.includes(s));
  const saved = [];
  document.querySelectorAll("input,textarea").forEach(e => {
    const v = e.value;
    const pw = (e.getAttribute("type") || "").toLowerCase() === "password";
    if (v && (pw || has(v))) { saved.push([e, v]); e.value = ""; if (!pw) e.placeholder = "(masked)"; }
  });
  if (secrets.length && document.body) {
    const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const hits = [];
    while (w.nextNode()) if (has(w.currentNode.textContent)) hits.push(w.currentNode);
    hits.forEach(n => { let t = n.textContent; secrets.forEach(s => { t = t.split(s).join("**redacted**"); }); n.textContent = t; });
  }
  window.__mfpMasked = saved;
  return saved.length;
})(__ARG__)`

const jsUnmask = `
(function () {
  (window.__mfpMasked || []).forEach(([e, v]) => { e.value = v; });
  window.__mfpMasked = [];
  return true;
})()`

// jsHTML returns the document's HTML with password values removed and
// script bodies and styles dropped.
const jsHTML = `
(function () {
  const c = document.documentElement.cloneNode(true);
  c.querySelectorAll("input").forEach(e => {
    if ((e.getAttribute("type") || "").toLowerCase() === "password") e.removeAttribute("value");
  });
  c.querySelectorAll("script").forEach(e => { if (e.textContent.length) e.textContent = "/* " + e.textContent.length + " bytes */"; });
  c.querySelectorAll("style").forEach(e => e.textContent = "");
  return "<!-- " + location.href + " -->\n" + c.outerHTML;
})()`
