// Algocode web console: a single page over the public HTTP API only
// (docs/api.md).  Tokens live in memory (never in storage); an expired
// access token is renewed once by the refresh endpoint.  Live results come
// from the Server-Sent Events stream, read with fetch (EventSource cannot
// send the Authorization header); the result poll is the fallback.
import { EditorState, Compartment } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, highlightActiveLine,
         highlightActiveLineGutter, drawSelection } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { syntaxHighlighting, defaultHighlightStyle, indentOnInput,
         bracketMatching } from "@codemirror/language";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { cpp } from "@codemirror/lang-cpp";
import { java } from "@codemirror/lang-java";
import { python } from "@codemirror/lang-python";
import { marked } from "marked";
import DOMPurify from "dompurify";

const auth = { access: null, refresh: null, user: null };
const main = document.getElementById("main");
let languages = null;
let view = null; // the editor of the open problem
let streamAbort = null;
let runAbort = null; // the poll of a custom-input run
// Does the server offer runs with custom input (POST /api/v1/code/run/)?
// null until asked: OPTIONS on the route answers 200 where it exists and
// the api's 404 where it does not (an older server); a POST answering 404
// or 405 also turns the Run button off (docs/console.md).
let runOffered = null;
const cspNonce = (document.querySelector('meta[name="csp-nonce"]') || {}).content || "";

// ------------------------------------------------------------ helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function toast(msg) {
  const t = document.getElementById("toast");
  t.textContent = msg;
  t.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove("show"), 4000);
}

function setView(title, ...nodes) {
  if (streamAbort) { streamAbort.abort(); streamAbort = null; }
  if (runAbort) { runAbort.abort(); runAbort = null; }
  view = null;
  document.title = title ? `${title} · Algocode` : "Algocode";
  main.replaceChildren(...nodes);
  main.focus({ preventScroll: true });
}

function verdictCell(code, text) {
  return h("span", { class: `v-${code || "pending"}` }, text || code || "pending");
}

function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

class ApiError extends Error {
  constructor(status, detail) { super(detail); this.status = status; }
}

async function refreshTokens() {
  if (!auth.refresh) return false;
  const r = await fetch("/api/v1/auth/token/refresh/", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refresh: auth.refresh }) });
  if (!r.ok) { signOut(); return false; }
  const d = await r.json();
  auth.access = d.access || d.access_token;
  auth.refresh = d.refresh || d.refresh_token || auth.refresh;
  return true;
}

// fetch with the access token; one refresh and retry on 401.
async function api(path, { method = "GET", body, authed = true, raw = false, signal } = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (authed && auth.access) headers.Authorization = `Bearer ${auth.access}`;
    const r = await fetch(path, { method, headers, signal,
      body: body === undefined ? undefined : JSON.stringify(body) });
    if (r.status === 401 && authed && attempt === 0 && await refreshTokens()) continue;
    if (raw) return r;
    let d = null;
    try { d = await r.json(); } catch { d = null; }
    if (!r.ok && r.status !== 202) {
      let msg = d && d.detail ? d.detail : `HTTP ${r.status}`;
      if (d && !d.detail && typeof d === "object")
        msg = Object.entries(d).map(([k, v]) => `${k}: ${[].concat(v).join(" ")}`).join("; ");
      throw new ApiError(r.status, msg);
    }
    return d;
  }
}

function signOut() {
  if (auth.refresh)
    fetch("/api/v1/auth/logout/", { method: "POST",
      headers: { "Content-Type": "application/json",
                 ...(auth.access ? { Authorization: `Bearer ${auth.access}` } : {}) },
      body: JSON.stringify({ refresh: auth.refresh }) }).catch(() => {});
  auth.access = auth.refresh = auth.user = null;
  updateNav();
}

function updateNav() {
  const signed = !!auth.access;
  for (const el of document.querySelectorAll("[data-auth]"))
    el.hidden = (el.dataset.auth === "in") !== signed;
  document.getElementById("who").textContent =
    auth.user ? (auth.user.username || auth.user.email || "") : "";
}

function needLogin() {
  if (auth.access) return false;
  sessionNext = location.hash;
  location.hash = "#/login";
  return true;
}
let sessionNext = null;

// ------------------------------------------------------------ accounts

function formField(label, name, type = "text", extra = {}) {
  const id = `f-${name}`;
  return [h("label", { for: id, text: label }),
          h("input", { id, name, type, required: true, ...extra })];
}

function loginView() {
  const err = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "card", id: "login-form" },
    ...formField("E-mail", "email", "email", { autocomplete: "username" }),
    ...formField("Password", "password", "password", { autocomplete: "current-password" }),
    h("div", { class: "row" }, h("button", { class: "primary", type: "submit", text: "Log in" })),
    err,
    h("p", {}, "No account? ", h("a", { href: "#/signup", text: "Sign up" })));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.textContent = "";
    const f = new FormData(form);
    try {
      const d = await api("/api/v1/auth/login/", { method: "POST", authed: false,
        body: { email: f.get("email"), password: f.get("password") } });
      auth.access = d.access_token || d.access;
      auth.refresh = d.refresh_token || d.refresh;
      auth.user = d.user || null;
      try { auth.user = { ...auth.user, ...(await api("/api/v1/auth/user/")) }; } catch {}
      updateNav();
      location.hash = sessionNext && sessionNext !== "#/login" ? sessionNext : "#/";
      sessionNext = null;
    } catch (x) { err.textContent = x.message; }
  });
  setView("Log in", h("h1", { text: "Log in" }), form);
}

function signupView() {
  const err = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "card", id: "signup-form" },
    ...formField("Username", "username", "text", { autocomplete: "username" }),
    ...formField("E-mail", "email", "email", { autocomplete: "email" }),
    ...formField("First name", "first_name", "text", { required: false, autocomplete: "given-name" }),
    ...formField("Last name", "last_name", "text", { required: false, autocomplete: "family-name" }),
    ...formField("Password", "password1", "password", { autocomplete: "new-password" }),
    ...formField("Password again", "password2", "password", { autocomplete: "new-password" }),
    h("div", { class: "row" }, h("button", { class: "primary", type: "submit", text: "Sign up" })),
    err);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.textContent = "";
    const body = Object.fromEntries(new FormData(form));
    try {
      await api("/api/v1/auth/registration/", { method: "POST", authed: false, body });
      toast("Account created: log in.");
      location.hash = "#/login";
    } catch (x) { err.textContent = x.message; }
  });
  setView("Sign up", h("h1", { text: "Sign up" }), form);
}

// ------------------------------------------------------------ problems

async function problemsView(params) {
  const title = params.get("title") || "";
  const tags = params.get("tags") || "";
  const page = params.get("page") || "1";
  const search = h("input", { type: "search", id: "search", value: title,
    "aria-label": "Search problems by title", placeholder: "Search by title" });
  const form = h("form", { class: "row", role: "search" }, search,
    h("button", { type: "submit", text: "Search" }));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if (search.value) q.set("title", search.value);
    if (tags) q.set("tags", tags);
    location.hash = `#/?${q}`;
  });
  const list = h("div", { class: "table-wrap" }, h("p", { class: "muted", text: "Loading…" }));
  setView("Problems", h("h1", { text: "Problems" }), form, list);
  const q = new URLSearchParams();
  if (title) q.set("title", title);
  if (tags) q.set("tags", tags);
  if (page !== "1") q.set("page", page);
  let d;
  try { d = await api(`/api/v1/problem/all/?${q}`, { authed: false }); }
  catch (x) { list.replaceChildren(h("p", { class: "error", text: x.message })); return; }
  const qs = d.questions;
  const tagLink = (t) => {
    const on = tags.split(",").includes(t);
    const nq = new URLSearchParams();
    if (title) nq.set("title", title);
    if (!on) nq.set("tags", t);
    return h("button", { type: "button", class: "tag", "aria-pressed": on ? "true" : "false",
      onclick: () => { location.hash = `#/?${nq}`; } }, t);
  };
  const rows = qs.results.map((p) => h("tr", {},
    h("td", {}, h("a", { href: `#/problem/${encodeURIComponent(p.id)}`, text: p.title })),
    h("td", { text: p.difficulty || "" }),
    h("td", {}, (p.tags || []).map(tagLink))));
  const nav = h("div", { class: "row" });
  const pg = Number(page);
  const mk = (label, n) => {
    const nq = new URLSearchParams(q); nq.set("page", String(n));
    return h("a", { href: `#/?${nq}`, text: label });
  };
  if (qs.previous) nav.append(mk("← Previous", pg - 1));
  if (qs.next) nav.append(mk("Next →", pg + 1));
  list.replaceChildren(
    h("p", { class: "muted", text: `${qs.count} problem${qs.count === 1 ? "" : "s"}${tags ? ` tagged ${tags}` : ""}` }),
    h("table", {}, h("caption", { class: "muted", hidden: true, text: "Problems" }),
      h("thead", {}, h("tr", {}, h("th", { text: "Title" }), h("th", { text: "Difficulty" }), h("th", { text: "Tags" }))),
      h("tbody", {}, rows)),
    nav);
}

function langExtension(name) {
  if (/^(c|cpp|c\+\+|cc)/.test(name)) return cpp();
  if (/^java/.test(name)) return java();
  if (/^py/.test(name)) return python();
  return [];
}

function makeEditor(parent, lang, onSubmit, onRun) {
  const langConf = new Compartment();
  const state = EditorState.create({
    doc: "",
    extensions: [
      lineNumbers(), highlightActiveLineGutter(), history(), drawSelection(),
      indentOnInput(), bracketMatching(), highlightActiveLine(), highlightSelectionMatches(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      keymap.of([{ key: "Mod-Enter", run: () => { onSubmit(); return true; } },
                 { key: "Shift-Mod-Enter", run: () => { onRun(); return true; } },
                 ...defaultKeymap, ...historyKeymap, ...searchKeymap, indentWithTab]),
      langConf.of(langExtension(lang)),
      EditorView.contentAttributes.of({ "aria-label": "Source code" }),
      // The editor's generated styles carry the page's CSP nonce.
      EditorView.cspNonce.of(cspNonce),
    ],
  });
  const v = new EditorView({ state, parent });
  v.setLang = (l) => v.dispatch({ effects: langConf.reconfigure(langExtension(l)) });
  return v;
}

async function problemView(id) {
  if (!languages)
    languages = await api("/api/v1/languages/", { authed: false }).catch(() => []);
  let d;
  try { d = (await api(`/api/v1/problem/${encodeURIComponent(id)}/`, { authed: false })).question; }
  catch (x) { setView("Problem", h("p", { class: "error", text: x.message })); return; }
  const statement = h("div", { class: "statement" });
  statement.innerHTML = DOMPurify.sanitize(marked.parse(d.description || ""),
    { USE_PROFILES: { html: true } });
  const first = statement.firstElementChild; // the title, shown above already
  if (first && first.tagName === "H1" && first.textContent.trim() === d.title) first.remove();
  const c = d.constraints || {};
  const samples = (d.testcases_example || []).map((t, i) => h("div", {},
    h("h3", { text: `Sample ${i + 1}` }),
    h("div", { class: "samples" },
      h("div", {}, h("div", { class: "muted", text: "Input" }), h("pre", { class: "sample", text: t.input })),
      h("div", {}, h("div", { class: "muted", text: "Output" }), h("pre", { class: "sample", text: t.output })))));
  const left = h("section", { "aria-label": "Statement" },
    h("h1", { text: d.title }),
    h("p", { class: "muted" },
      [c.time_limit_ms ? `Time ${c.time_limit_ms / 1000} s` : null,
       c.memory_mb ? `memory ${c.memory_mb} MiB` : null, d.difficulty].filter(Boolean).join(" · ")),
    statement, samples);
  const select = h("select", { id: "lang", "aria-label": "Language" },
    languages.map((l) => h("option", { value: l.name, text: l.display || l.name })));
  const pref = localStorage.getItem("algocode.lang");
  if (pref && languages.some((l) => l.name === pref)) select.value = pref;
  const button = h("button", { class: "primary", type: "button", id: "submit",
    text: "Submit", title: "Submit (Ctrl+Enter)" });
  const runButton = h("button", { type: "button", id: "run", hidden: runOffered !== true,
    text: "Run", title: "Run on the custom input (Ctrl+Shift+Enter)" });
  const editorBox = h("div", { class: "editor", id: "editor" });
  const firstInput = ((d.testcases_example || [])[0] || {}).input || "";
  const runInput = h("textarea", { id: "run-input", rows: 4, spellcheck: "false",
    autocomplete: "off", title: "Ctrl+Enter runs" });
  runInput.value = firstInput;
  const runResult = h("div", { id: "run-result", "aria-live": "polite" });
  const runBox = h("section", { id: "run-box", class: "run", hidden: runOffered !== true,
    "aria-label": "Run with custom input" },
    h("label", { for: "run-input", text: "Custom input" }), runInput, runResult);
  const result = h("section", { id: "result", "aria-live": "polite", "aria-label": "Result" });
  const mine = h("section", { id: "mine", "aria-label": "My submissions of this problem" });
  const right = h("section", { "aria-label": "Solution" },
    h("div", { class: "row" }, h("label", { for: "lang", text: "Language" }), select, button, runButton),
    editorBox, runBox, result, mine);
  setView(d.title, h("div", { class: "problem" }, left, right));
  const submit = () => submitSolution(d.id, select.value, button, result, mine);
  const offer = (on) => { runButton.hidden = runBox.hidden = !on; };
  const run = () => {
    if (runOffered === true) runCode(select.value, runButton, runInput.value, runResult, offer);
  };
  view = makeEditor(editorBox, select.value, submit, run);
  select.addEventListener("change", () => {
    localStorage.setItem("algocode.lang", select.value); // a preference, not a secret
    view.setLang(select.value);
  });
  button.addEventListener("click", submit);
  runButton.addEventListener("click", run);
  runInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); }
  });
  if (runOffered === null) probeRun().then(offer);
  if (auth.access) loadSubmissions(mine, d.id);
}

// ------------------------------------------------------------ custom-input runs

async function probeRun() {
  if (runOffered !== null) return runOffered;
  try {
    const r = await fetch("/api/v1/code/run/", { method: "OPTIONS" });
    runOffered = r.ok;
  } catch { return false; } // the network: ask again next time
  return runOffered;
}

function fmtMem(kb) { return `${Math.round((kb || 0) / 1024 * 10) / 10} MiB`; }

function runOutcome(r) {
  const facts = [`${r.time_ms ?? 0} ms`, fmtMem(r.memory_kb)];
  if (r.signal) facts.push(`signal ${r.signal}`);
  else if (r.exit_code != null) facts.push(`exit code ${r.exit_code}`);
  const out = [h("p", { class: "run-verdict" }, verdictCell(r.verdict_code, r.verdict || r.verdict_code),
    h("span", { class: "muted", text: ` · ${facts.join(" · ")}` }),
    r.message ? h("span", { class: "muted", text: ` · ${r.message}` }) : null),
    h("div", { class: "muted", text: "Output" }),
    // textContent only: the program's output is never markup.
    h("pre", { class: "log run-stdout", text: r.stdout || "" })];
  if (r.stdout_truncated) out.push(h("p", { class: "muted", text: "(output truncated)" }));
  if (r.stderr)
    out.push(h("div", { class: "muted", text: r.stderr_truncated ? "Standard error (head)" : "Standard error" }),
      h("pre", { class: "log run-stderr", text: r.stderr }));
  return out;
}

function showRun(box, doc) {
  const runs = doc.runs || [];
  const head = h("p", { class: "verdict", id: "run-verdict" },
    verdictCell(doc.verdict_code, doc.verdict || doc.verdict_code));
  const parts = [h("h2", { text: "Run" }), head];
  if (doc.message) parts.push(h("p", { class: "error", text: doc.message }));
  if (doc.compile && doc.compile.ok === false)
    parts.push(h("div", { id: "run-compile" }, h("h3", { text: "Compiler output" }),
      h("pre", { class: "log", text: doc.compile.log || "" })));
  if (runs.length === 1) {
    const [v, ...rest] = runOutcome(runs[0]);
    head.replaceChildren(...v.childNodes);
    parts.push(...rest);
  } else {
    runs.forEach((r, i) => parts.push(h("h3", { text: r.name || `Input ${i + 1}` }), ...runOutcome(r)));
  }
  box.replaceChildren(...parts);
}

async function runCode(lang, button, input, box, offer) {
  if (needLogin()) return;
  const code = view.state.doc.toString();
  if (!code.trim()) { toast("Write a program first."); return; }
  if (runAbort) runAbort.abort();
  const ctl = new AbortController();
  runAbort = ctl;
  button.disabled = true;
  const status = h("p", { class: "verdict", id: "run-verdict" }, verdictCell("pending", "Running…"));
  box.replaceChildren(h("h2", { text: "Run" }), status);
  const failed = (msg) => { status.replaceChildren(h("span", { class: "error", text: msg })); };
  try {
    const r = await api("/api/v1/code/run/", { method: "POST", raw: true, signal: ctl.signal,
      body: { lang, code, input } });
    let d = null;
    try { d = await r.json(); } catch { d = null; }
    if (r.status === 404 || r.status === 405) {
      runOffered = false;
      offer(false);
      toast("This server does not offer runs with custom input.");
      return;
    }
    if (r.status === 429 || r.status === 503) {
      const after = r.headers.get("Retry-After");
      failed(`${r.status === 429 ? "Too many runs" : "The server is busy"}: ` +
        (after ? `try again in ${after} s.` : "try again later."));
      return;
    }
    if (!r.ok) { failed(d && d.detail ? d.detail : `HTTP ${r.status}`); return; }
    const id = d && d.result && d.result.run_id;
    if (!id) { failed("The server answered without a run id."); return; }
    // Poll: the server parks each GET up to api.result_wait_s and answers
    // 202 while the run is pending.
    for (let errors = 0; !ctl.signal.aborted;) {
      const t0 = Date.now();
      const p = await api(`/api/v1/code/run/${encodeURIComponent(id)}/`, { raw: true, signal: ctl.signal });
      if (p.status === 200) {
        const doc = await p.json();
        if (doc.status === "success" && doc.data) { showRun(box, doc.data); return; }
      } else if (p.status === 404) {
        failed("The run was forgotten by the server (expired or restarted)."); return;
      } else if (p.status !== 202 && ++errors >= 5) {
        failed(`HTTP ${p.status}`); return;
      }
      const spent = Date.now() - t0;
      if (spent < 1000) await new Promise((res) => setTimeout(res, p.status === 202 ? 1000 - spent : 2000));
    }
  } catch (x) {
    if (!ctl.signal.aborted) failed(x.message);
  } finally {
    if (runAbort === ctl) runAbort = null;
    button.disabled = false;
  }
}

// ------------------------------------------------------------ judging

function resultTable() {
  const body = h("tbody");
  const table = h("table", { id: "tests" },
    h("thead", {}, h("tr", {}, h("th", { class: "num", text: "#" }), h("th", { text: "Test" }),
      h("th", { text: "Verdict" }), h("th", { class: "num", text: "Time" }),
      h("th", { class: "num", text: "Memory" }))), body);
  return { table, body };
}

function testRow(t) {
  return h("tr", { "data-index": t.index },
    h("td", { class: "num", text: (t.index ?? 0) + 1 }), h("td", { text: t.name }),
    h("td", {}, verdictCell(t.verdict_code, t.verdict || t.verdict_code)),
    h("td", { class: "num", text: `${t.time_ms} ms` }),
    h("td", { class: "num", text: `${Math.round((t.memory_kb || 0) / 1024 * 10) / 10} MiB` }));
}

// Parse a text/event-stream body; onEvent(name, data) per event.
async function readStream(resp, onEvent) {
  const reader = resp.body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += dec.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const k = line.split(":", 1)[0];
        let v = line.slice(k.length + 1);
        if (v.startsWith(" ")) v = v.slice(1);
        if (k === "event") name = v;
        else if (k === "data") data.push(v);
      }
      if (data.length && onEvent(name, JSON.parse(data.join("\n"))) === false) {
        reader.cancel().catch(() => {});
        return;
      }
    }
  }
}

async function submitSolution(problemId, lang, button, result, mine) {
  if (needLogin()) return;
  const code = view.state.doc.toString();
  if (!code.trim()) { toast("Write a solution first."); return; }
  button.disabled = true;
  const status = h("p", { class: "verdict", id: "verdict" }, verdictCell("pending", "Submitting…"));
  const { table, body } = resultTable();
  const compile = h("div", { id: "compile" });
  result.replaceChildren(h("h2", { text: "Result" }), status, compile, h("div", { class: "table-wrap" }, table));
  let id;
  try {
    const d = await api("/api/v1/code/submit/", { method: "POST",
      body: { problem_id: problemId, lang, code } });
    id = d.result.submission_id;
  } catch (x) {
    status.replaceChildren(h("span", { class: "error", text: x.message }));
    button.disabled = false;
    return;
  }
  status.replaceChildren(verdictCell("pending", "Judging…"));
  const seen = new Set();
  const addTest = (t) => {
    if (seen.has(t.index)) return;
    seen.add(t.index);
    body.append(testRow(t));
  };
  const final = (doc) => {
    (doc.tests || []).forEach((t, i) => addTest({ ...t, index: i }));
    if (doc.compile && doc.compile.ok === false)
      compile.replaceChildren(h("h3", { text: "Compiler output" }),
        h("pre", { class: "log", text: doc.compile.log || "" }));
    const ran = (doc.tests || []).length > 0;
    table.hidden = !ran;
    status.replaceChildren(verdictCell(doc.verdict_code, doc.verdict),
      ran ? h("span", { class: "muted", text: ` · ${doc.time_ms} ms · ${Math.round(doc.memory_kb / 1024 * 10) / 10} MiB` }) : null);
    button.disabled = false;
    loadSubmissions(mine, problemId);
  };
  const ctl = new AbortController();
  streamAbort = ctl;
  let done = false;
  try {
    const r = await api(`/api/v1/result/stream/${id}/`, { raw: true, signal: ctl.signal });
    if (!r.ok) throw new ApiError(r.status, `HTTP ${r.status}`);
    await readStream(r, (name, data) => {
      if (name === "compile" && data.ok) status.replaceChildren(verdictCell("pending", "Running tests…"));
      else if (name === "test") addTest(data);
      else if (name === "result") { final(data); done = true; return false; }
      return true;
    });
  } catch (x) {
    if (ctl.signal.aborted) return;
  }
  // The stream ended early (a proxy, a restart): poll for the result.
  while (!done && !ctl.signal.aborted) {
    try {
      const d = await api(`/api/v1/result/check/${id}/`, { signal: ctl.signal });
      if (d && d.status === "success") { final(d.data); done = true; }
    } catch (x) {
      if (ctl.signal.aborted) return;
      await new Promise((res) => setTimeout(res, 2000));
    }
  }
}

// ------------------------------------------------------------ submissions

function submissionsTable(d, withProblem) {
  return h("div", { class: "table-wrap" }, h("table", { class: "submissions" },
    h("thead", {}, h("tr", {},
      h("th", { text: "Submitted" }), withProblem ? h("th", { text: "Problem" }) : null,
      h("th", { text: "Language" }), h("th", { text: "Verdict" }),
      h("th", { class: "num", text: "Time" }), h("th", { class: "num", text: "Memory" }))),
    h("tbody", {}, d.results.map((s) => h("tr", {},
      h("td", { text: fmtTime(s.submitted_at) }),
      withProblem ? h("td", {}, h("a", { href: `#/problem/${encodeURIComponent(s.problem_id)}`, text: s.problem_id })) : null,
      h("td", { text: s.lang }),
      h("td", {}, verdictCell(s.verdict_code, s.verdict || "Pending")),
      h("td", { class: "num", text: s.time_ms == null ? "" : `${s.time_ms} ms` }),
      h("td", { class: "num", text: s.memory_kb == null ? "" : `${Math.round(s.memory_kb / 1024 * 10) / 10} MiB` }))))));
}

async function loadSubmissions(box, problemId) {
  try {
    const d = await api(`/api/v1/submissions/?problem=${encodeURIComponent(problemId)}`);
    box.replaceChildren(h("h2", { text: "My submissions" }),
      d.count ? submissionsTable(d, false) : h("p", { class: "muted", text: "None yet." }));
  } catch (x) { box.replaceChildren(h("p", { class: "error", text: x.message })); }
}

async function mySubmissionsView(params) {
  if (needLogin()) return;
  const page = Number(params.get("page") || "1");
  const box = h("div", {}, h("p", { class: "muted", text: "Loading…" }));
  setView("My submissions", h("h1", { text: "My submissions" }), box);
  try {
    const d = await api(`/api/v1/submissions/?page=${page}`);
    const nav = h("div", { class: "row" });
    if (d.previous) nav.append(h("a", { href: `#/submissions?page=${page - 1}`, text: "← Newer" }));
    if (d.next) nav.append(h("a", { href: `#/submissions?page=${page + 1}`, text: "Older →" }));
    box.replaceChildren(h("p", { class: "muted", text: `${d.count} submission${d.count === 1 ? "" : "s"}` }),
      submissionsTable(d, true), nav);
  } catch (x) { box.replaceChildren(h("p", { class: "error", text: x.message })); }
}

// ------------------------------------------------------------ routing

function route() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  let m;
  if (path === "/login") loginView();
  else if (path === "/signup") signupView();
  else if (path === "/submissions") mySubmissionsView(params);
  else if ((m = path.match(/^\/problem\/(.+)$/))) problemView(decodeURIComponent(m[1]));
  else problemsView(params);
}

document.getElementById("logout").addEventListener("click", () => { signOut(); location.hash = "#/"; });
window.addEventListener("hashchange", route);
updateNav();
route();
