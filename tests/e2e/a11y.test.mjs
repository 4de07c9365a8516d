// Accessibility and keyboard use of the real desktop app: axe-core (the npm
// package pinned in tests/e2e/package-lock.json) is injected into the window
// on every screen, and a company is created and its interview answered with
// the keyboard alone. Run by scripts/e2e.sh (Xvfb, tauri-driver), after
// `npm ci` in tests/e2e. The app runs on its own workspace
// (target/e2e/a11y-workspace.sqlite), apart from app.test.mjs's.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const DRIVER = process.env.WEBDRIVER_URL || "http://127.0.0.1:4444";
const APP = process.env.BUTIE_APP || path.join(ROOT, "target/release/butie-app");
const OUT = path.join(ROOT, "target/e2e");
const WORKSPACE = path.join(OUT, "a11y-workspace.sqlite");
const AXE_DIR = process.env.AXE_DIR || path.join(OUT, "axe");
const SHOTS = process.env.SCREENSHOT_DIR || path.join(OUT, "screenshots");
const AXE_SRC = path.join(HERE, "node_modules/axe-core/axe.min.js");
const W3C = "element-6066-11e4-a52e-4f735466cecf";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// WebDriver key codes.
const K = { Tab: "\uE004", Enter: "\uE007", Shift: "\uE008", Escape: "\uE00C", Space: "\uE00D", End: "\uE010", Home: "\uE011",
  Left: "\uE012", Up: "\uE013", Right: "\uE014", Down: "\uE015" };

async function wd(method, url, body) {
  const r = await fetch(DRIVER + url, { method, headers: { "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(60000) });
  const j = await r.json();
  if (!r.ok) throw new Error(`${method} ${url}: ${JSON.stringify(j.value).slice(0, 300)}`);
  return j.value;
}

// The WebDriver client of app.test.mjs, cut to what these tests use, plus the keyboard.
class App {
  static async start(args = [], ready = "1") {
    const v = await wd("POST", "/session", { capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: APP, args } } } });
    const app = new App(v.sessionId);
    try {
      await app.waitFor(() => app.js("return document.body.dataset.ready || ''"), (x) => x === ready, 30000);
    } catch (e) {
      // tauri-driver holds one session: never leave it taken for the next test file.
      const toast = await app.js("return document.querySelector('#toast').textContent").catch(() => "");
      await app.quit().catch(() => {});
      throw new Error(`${e.message} (the window says: ${toast})`);
    }
    return app;
  }
  constructor(id) { this.id = id; }
  s(p) { return `/session/${this.id}${p}`; }
  js(script, args = []) { return wd("POST", this.s("/execute/sync"), { script, args }); }
  async find(css) { const v = await wd("POST", this.s("/element"), { using: "css selector", value: css }); return v[W3C]; }
  async click(css) {
    for (let i = 0; ; i++) {
      try { return await wd("POST", this.s(`/element/${await this.find(css)}/click`), {}); } catch (e) {
        if (i >= 5 || !/stale element/.test(e.message)) throw e;
        await sleep(100);
      }
    }
  }
  async text(css) { return wd("GET", this.s(`/element/${await this.find(css)}/text`)); }
  async count(css) { return this.js("return document.querySelectorAll(arguments[0]).length", [css]); }
  async select(css, value) {
    await this.js("const e=document.querySelector(arguments[0]); e.value=arguments[1]; e.dispatchEvent(new Event('change',{bubbles:true}));", [css, value]);
  }
  async waitFor(get, ok, ms = 10000) {
    const end = Date.now() + ms;
    let last;
    while (Date.now() < end) {
      try { last = await get(); if (ok(last)) return last; } catch (e) { last = e.message; }
      await sleep(100);
    }
    throw new Error("timed out; last value: " + JSON.stringify(last));
  }
  async waitText(css, pred, ms) { return this.waitFor(() => this.text(css), pred, ms); }
  async shot(name) {
    await this.js("const d=document.createElement('div'); d.style.cssText='position:fixed;left:0;top:0;width:1px;height:1px;opacity:0.01'; document.body.append(d); setTimeout(()=>d.remove(),50);");
    const b64 = await wd("GET", this.s("/screenshot"));
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.writeFileSync(path.join(SHOTS, name + ".png"), Buffer.from(b64, "base64"));
  }
  async quit() { await wd("DELETE", this.s("")); }

  // ---- the keyboard: real key presses to whatever has the focus.
  async press(...keys) {
    const actions = [];
    for (const k of keys) actions.push({ type: "keyDown", value: k }, { type: "keyUp", value: k });
    await wd("POST", this.s("/actions"), { actions: [{ type: "key", id: "keyboard", actions }] });
    await sleep(60);
  }
  async shiftTab() {
    await wd("POST", this.s("/actions"), { actions: [{ type: "key", id: "keyboard", actions: [
      { type: "keyDown", value: K.Shift }, { type: "keyDown", value: K.Tab }, { type: "keyUp", value: K.Tab }, { type: "keyUp", value: K.Shift }] }] });
    await sleep(60);
  }
  // Typing into the focused element (found as the active element, never clicked).
  async typeHere(text) {
    const a = await wd("GET", this.s("/element/active"));
    await wd("POST", this.s(`/element/${a[W3C]}/value`), { text });
  }
  focused() {
    return this.js("const a=document.activeElement; return a ? { id: a.id, tag: a.tagName.toLowerCase(), role: a.getAttribute('role'), key: (a.closest('.question') || {dataset:{}}).dataset.key || null, inModal: !!a.closest('#modal') } : null");
  }
  // Tab (or Shift+Tab) until the focus is where `ok` says, at most `max` presses.
  async tabTo(ok, { back = false, max = 40 } = {}) {
    const seen = [];
    for (let i = 0; i <= max; i++) {
      const f = await this.focused();
      if (f && ok(f)) return f;
      seen.push(f && (f.id || f.tag));
      if (back) await this.shiftTab(); else await this.press(K.Tab);
    }
    throw new Error("focus never got there; went through " + seen.join(" → "));
  }

  // A closed drop-down list, focused, moved to `value` with ↓ (then ↑).
  async arrowTo(css, value) {
    const now = () => this.js("return document.querySelector(arguments[0]).value", [css]);
    for (const key of [K.Down, K.Up]) {
      for (let i = 0; i < 40 && (await now()) !== value; i++) await this.press(key);
    }
  }

  // ---- axe-core in the real window.
  async axe(name) {
    if (!(await this.js("return typeof window.axe === 'object'"))) {
      await this.js(fs.readFileSync(AXE_SRC, "utf8") + "\n;return typeof window.axe;");
    }
    // Let the page settle (renders after answers, toasts) before it is read.
    await sleep(300);
    await this.js("window.__axeResult = null; axe.run(document, { resultTypes: ['violations'] }).then(r => { window.__axeResult = JSON.stringify(r); }, e => { window.__axeResult = JSON.stringify({ error: String(e) }); });");
    const raw = await this.waitFor(() => this.js("return window.__axeResult"), (x) => typeof x === "string", 60000);
    const r = JSON.parse(raw);
    fs.mkdirSync(AXE_DIR, { recursive: true });
    fs.writeFileSync(path.join(AXE_DIR, name + ".json"), JSON.stringify(r, null, 2));
    if (r.error) throw new Error("axe failed: " + r.error);
    await this.shot("a11y-" + name);
    return r;
  }
}

// Serious and critical violations fail the screen; the rest are recorded in the JSON.
async function clean(t, app, name) {
  const r = await app.axe(name);
  const all = r.violations.map((v) => `${v.id}(${v.impact}, ${v.nodes.length})`);
  t.diagnostic(`${name}: ${all.length ? all.join(" ") : "no violations"}`);
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id} [${v.impact}] ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`), [],
    `axe found serious or critical violations on "${name}"`);
}

// GB 32100 check character of a unified social credit code.
function usccCheck(first17) {
  const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...first17].reduce((s, c, i) => s + chars.indexOf(c) * w[i], 0);
  return chars[(31 - (sum % 31)) % 31];
}

test("accessibility (axe-core) and keyboard use", async (t) => {
  assert.ok(fs.existsSync(APP), "BUTIE_APP points at the built app");
  assert.ok(fs.existsSync(AXE_SRC), "axe-core is installed (npm ci in tests/e2e)");
  for (const f of [WORKSPACE, WORKSPACE + "-wal", WORKSPACE + "-shm"]) fs.rmSync(f, { force: true });
  fs.mkdirSync(OUT, { recursive: true });
  const app = await App.start(["--workspace", WORKSPACE]);
  let english = false;
  t.after(async () => {
    // The web view's storage (language) is shared with app.test.mjs: leave it as found.
    try {
      if (english) await app.click("#btn-lang");
      await app.js("localStorage.clear()");
      await sleep(1500);
    } catch (_) {}
    await app.quit().catch(() => {});
  });
  const SAMPLE = "台州市椒江海跃跨境电子商务有限公司";
  const CD = "成都键盘跨境电子商务有限公司";
  const CD_USCC = "91510107MA6KB1234" + usccCheck("91510107MA6KB1234");

  await t.test("the sample's results, with a clause's working open", async (t) => {
    await app.waitText("#total", (x) => x.includes("470,175.25"));
    await app.click("tr[data-clause='tz.brand.trademark'] button.detail-link");
    await app.waitText("#detail-trace", (x) => x.includes("186,000.00"));
    await clean(t, app, "results-detail");
  });

  await t.test("company list and profile form", async (t) => {
    await app.click("#tab-profile");
    await app.waitFor(() => app.js("return document.querySelector('#f-name').value"), (x) => x === SAMPLE);
    assert.equal(await app.js("return document.querySelector('#company-list').getAttribute('role')"), "listbox");
    assert.equal(await app.js("return document.querySelector('.company-item.selected').getAttribute('aria-selected')"), "true");
    await clean(t, app, "profile");
  });

  await t.test("interview", async (t) => {
    await app.click("#tab-interview");
    await app.waitFor(() => app.count("#questions .question"), (n) => n > 0);
    await clean(t, app, "interview");
  });

  await t.test("filings tab with a claim", async (t) => {
    await app.click("#tab-results");
    const mark = "tr[data-clause='tz.brand.trademark'] select.claim-status";
    await app.waitFor(() => app.count(mark), (n) => n === 1);
    await app.select(mark, "submitted");
    await app.waitFor(() => app.js("return (state.result.clauses.find(c => c.id === 'tz.brand.trademark').claim || {}).status"), (s) => s && s.key === "submitted");
    await app.click("#tab-claims");
    await app.waitFor(() => app.count("#claims-table tr.claim-row"), (n) => n === 1);
    await clean(t, app, "claims");
  });

  await t.test("history tab with a saved evaluation open", async (t) => {
    await app.click("#tab-results");
    await app.click("#btn-save-eval");
    await app.waitText("#toast", (x) => x.includes("已保存测算记录"));
    await app.click("#tab-history");
    await app.waitFor(() => app.count(".history-item"), (n) => n === 1);
    await app.click(".history-item .history-open");
    await app.waitFor(() => app.count("#history-inputs"), (n) => n === 1);
    await clean(t, app, "history");
  });

  await t.test("the delete dialog", async (t) => {
    await app.click("#tab-profile");
    await app.click("#btn-delete");
    await app.waitText("#modal-text", (x) => x.includes("确定删除"));
    const box = await app.js("const b=document.querySelector('#modal .modal-box'); return [b.getAttribute('role'), b.getAttribute('aria-modal'), b.getAttribute('aria-labelledby')]");
    assert.deepEqual(box, ["dialog", "true", "modal-text"]);
    await clean(t, app, "delete-dialog");
    await app.click("#modal-cancel");
    await app.waitFor(() => app.js("return document.querySelector('#modal').classList.contains('hidden')"), (x) => x === true);
  });

  await t.test("the new-company form", async (t) => {
    await app.click("#btn-new-company");
    await app.waitFor(() => app.js("return state.companyId"), (x) => x === null);
    await clean(t, app, "new-company");
    await app.click(".company-item");
    await app.waitFor(() => app.js("return state.company && state.company.company.name"), (x) => x === SAMPLE);
  });

  await t.test("keyboard only: a company created, three questions answered, the delete dialog opened and closed", async () => {
    // From nothing focused, Tab to 新建企业 and press Enter: the form opens with the name field focused.
    await app.js("document.activeElement && document.activeElement.blur()");
    await app.tabTo((f) => f.id === "btn-new-company");
    await app.press(K.Enter);
    await app.waitFor(() => app.focused(), (f) => f.id === "f-name");
    assert.equal(await app.js("return state.companyId"), null);
    await app.typeHere(CD);
    await app.press(K.Tab);
    assert.equal((await app.focused()).id, "f-uscc");
    await app.typeHere(CD_USCC);
    await app.press(K.Tab);
    assert.equal((await app.focused()).id, "f-city");
    // The city and district lists are chosen with the arrow keys (unless the
    // credit code's region code has already placed the company).
    await sleep(400);
    await app.arrowTo("#f-city", "成都市");
    assert.equal(await app.js("return document.querySelector('#f-city').value"), "成都市");
    await app.press(K.Tab);
    assert.equal((await app.focused()).id, "f-district");
    await app.arrowTo("#f-district", "武侯区");
    assert.equal(await app.js("return document.querySelector('#f-district').value"), "武侯区");
    await app.shot("a11y-keyboard-01-new-company");
    await app.tabTo((f) => f.id === "btn-save-company");
    await app.press(K.Enter);
    await app.waitFor(() => app.js("return state.company && state.company.company.name"), (x) => x === CD);
    assert.equal(await app.count(".company-item"), 2);

    // The tabs: Shift+Tab back to the tab list, → to 申报问卷.
    await app.tabTo((f) => f.role === "tab", { back: true });
    assert.equal((await app.focused()).id, "tab-profile");
    await app.press(K.Right);
    await app.waitFor(() => app.focused(), (f) => f.id === "tab-interview");
    assert.equal(await app.js("return document.querySelector('#tab-interview').getAttribute('aria-selected')"), "true");
    await app.waitFor(() => app.count("#q-cbec_volume"), (n) => n === 1);

    // A yes/no question: Tab to 否, Space; the focus stays on it.
    await app.tabTo((f) => f.id === "q-serious_dishonesty_listed-no");
    await app.press(K.Space);
    await app.waitFor(() => app.js("return state.result.questions.find(q => q.key === 'serious_dishonesty_listed').value"), (v) => v === false);
    await app.waitFor(() => app.js("return document.querySelector('#q-serious_dishonesty_listed-no').getAttribute('aria-pressed')"), (x) => x === "true");
    assert.equal((await app.focused()).id, "q-serious_dishonesty_listed-no", "the focus stays on the answer given");

    // A number: typed as clerks type it, Enter saves and moves to the next question.
    await app.tabTo((f) => f.id === "q-cbec_volume");
    await app.typeHere("236,500,000");
    await app.press(K.Enter);
    await app.waitFor(() => app.js("return state.result.questions.find(q => q.key === 'cbec_volume').value"), (v) => String(v) === "236500000");
    // The next question is the one right after it once the answer is in (a
    // follow-up it brings in, such as last year's volume, comes first).
    const where = () => app.js("const keys=[...document.querySelectorAll('#questions .question')].map(q => q.dataset.key); const a=document.activeElement.closest('.question'); return { at: a && a.dataset.key, next: keys[keys.indexOf('cbec_volume') + 1] };");
    await app.waitFor(where, (w) => w.at && w.at === w.next, 5000);

    // A choice list: arrow keys pick an option; it is saved and the list keeps the focus.
    await app.tabTo((f) => f.id === "q-park_rating", { max: 80 });
    await app.press(K.Down);
    await app.waitFor(() => app.js("return state.result.questions.find(q => q.key === 'park_rating').value"), (v) => v === "marked");
    await sleep(300);
    assert.equal((await app.focused()).id, "q-park_rating");
    await app.shot("a11y-keyboard-02-interview");

    // The delete dialog: Enter opens it with the focus inside, Tab stays
    // inside, Esc closes it as Cancel and gives the focus back.
    await app.tabTo((f) => f.role === "tab", { back: true, max: 120 });
    await app.press(K.Home);
    await app.waitFor(() => app.focused(), (f) => f.id === "tab-profile");
    await app.tabTo((f) => f.id === "btn-delete");
    await app.press(K.Enter);
    await app.waitFor(() => app.focused(), (f) => f.inModal);
    assert.equal((await app.focused()).id, "modal-cancel");
    const trail = [];
    for (let i = 0; i < 4; i++) { await app.press(K.Tab); trail.push(await app.focused()); }
    for (let i = 0; i < 3; i++) { await app.shiftTab(); trail.push(await app.focused()); }
    assert.ok(trail.every((f) => f.inModal), "Tab and Shift+Tab stay in the dialog: " + trail.map((f) => f.id).join(" "));
    assert.deepEqual([...new Set(trail.map((f) => f.id))].sort(), ["modal-cancel", "modal-ok"]);
    await app.shot("a11y-keyboard-03-dialog");
    await app.press(K.Escape);
    await app.waitFor(() => app.js("return document.querySelector('#modal').classList.contains('hidden')"), (x) => x === true);
    assert.equal((await app.focused()).id, "btn-delete", "the focus is back on the button that opened the dialog");
    assert.equal(await app.count(".company-item"), 2, "Esc deleted nothing");

    // The company list: ↑/↓ move, Enter opens.
    await app.tabTo((f) => f.role === "option", { back: true });
    const cur = await app.focused();
    assert.equal(cur.id, `company-${await app.js("return state.companyId")}`, "the selected company is the list's Tab stop");
    await app.press(K.Up);
    await app.press(K.Home);
    const first = await app.focused();
    assert.equal(first.role, "option");
    await app.press(K.Down);
    assert.notEqual((await app.focused()).id, first.id, "↓ moves to the next company");
    await app.press(K.Up);
    assert.equal((await app.focused()).id, first.id);
    await app.press(K.Enter);
    await app.waitFor(() => app.js("return state.company && state.company.company.name"), (x) => x === SAMPLE);
    await app.waitFor(() => app.focused(), (f) => f.id === first.id);
    assert.equal(await app.js("return document.querySelector('#' + arguments[0]).getAttribute('aria-selected')", [first.id]), "true");
    await app.shot("a11y-keyboard-04-list");
  });

  await t.test("the keyboard-made company's interview and results, in English", async (t) => {
    await app.js("document.querySelectorAll('.company-item').forEach(e => { if (e.textContent.includes(arguments[0])) e.click(); })", [CD]);
    await app.waitFor(() => app.js("return state.company && state.company.company.name"), (x) => x === CD);
    await app.click("#btn-lang");
    english = true;
    await app.waitFor(() => app.js("return document.documentElement.lang"), (x) => x === "en");
    await app.click("#tab-interview");
    await app.waitText("#tab-interview", (x) => x === "Interview");
    await app.waitFor(() => app.count("#q-park_rating"), (n) => n === 1);
    await clean(t, app, "interview-en");
    await app.click("#tab-results");
    await app.waitFor(() => app.count("#results-table tbody tr"), (n) => n > 0);
    await app.click("tr[data-clause='cd.trade.growth_tier'] button.detail-link");
    await app.waitFor(() => app.count("#detail-trace"), (n) => n === 1);
    await clean(t, app, "results-en");
    await app.click("#btn-lang");
    english = false;
    await app.waitFor(() => app.js("return document.documentElement.lang"), (x) => x === "zh-CN");
  });
});
