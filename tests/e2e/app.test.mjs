// End-to-end tests of the real desktop app: tauri-driver + WebKitWebDriver
// under Xvfb, driven over plain WebDriver HTTP (no npm packages needed).
// Run by scripts/e2e.sh, which starts Xvfb and tauri-driver and sets
// BUTIE_APP, BUTIE_WORKSPACE, BUTIE_E2E_DIR and SCREENSHOT_DIR.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const DRIVER = process.env.WEBDRIVER_URL || "http://127.0.0.1:4444";
const APP = process.env.BUTIE_APP;
const E2E_DIR = process.env.BUTIE_E2E_DIR;
const SHOTS = process.env.SCREENSHOT_DIR;
const METRICS = process.env.METRICS_FILE;
const W3C = "element-6066-11e4-a52e-4f735466cecf";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function wd(method, url, body) {
  const r = await fetch(DRIVER + url, { method, headers: { "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(60000) });
  const j = await r.json();
  if (!r.ok) throw new Error(`${method} ${url}: ${JSON.stringify(j.value).slice(0, 300)}`);
  return j.value;
}

class App {
  static async start(args = [], ready = "1") {
    const t0 = Date.now();
    const v = await wd("POST", "/session", { capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: APP, args } } } });
    const app = new App(v.sessionId);
    await app.waitFor(() => app.js("return document.body.dataset.ready || ''"), (x) => x === ready, 30000);
    app.startMs = Date.now() - t0;
    return app;
  }
  constructor(id) { this.id = id; }
  s(p) { return `/session/${this.id}${p}`; }
  js(script, args = []) { return wd("POST", this.s("/execute/sync"), { script, args }); }
  async find(css) { const v = await wd("POST", this.s("/element"), { using: "css selector", value: css }); return v[W3C]; }
  // A page that re-renders between finding and clicking leaves a stale node:
  // find it again, as a person would look again.
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
  async type(css, text) {
    const e = await this.find(css);
    await wd("POST", this.s(`/element/${e}/clear`), {});
    await wd("POST", this.s(`/element/${e}/value`), { text });
  }
  // Click a company in the list by name and wait until its page is loaded.
  async openCompany(name) {
    await this.js("document.querySelectorAll('.company-item').forEach(e => { if (e.textContent.includes(arguments[0])) e.click(); })", [name]);
    await this.waitFor(() => this.js("return state.company && state.company.company.name"), (x) => x === name);
  }
  // Empty a field with the keyboard, as a person would (End, then Backspace).
  async erase(css) {
    const e = await this.find(css);
    const n = (await this.js("return document.querySelector(arguments[0]).value.length", [css])) || 0;
    await wd("POST", this.s(`/element/${e}/value`), { text: "\uE010" + "\uE003".repeat(n) });
  }
  // Type, then leave the field (Tab) so the page saves it, as a person would.
  async answer(css, text) { await this.type(css, text + "\uE004"); }
  // Press a yes/no button until it shows pressed: a click that lands while
  // the questionnaire is redrawn after the previous answer is lost (seen
  // once in CI); a person sees the button unpressed and clicks again.
  async press(css) {
    for (let i = 0; ; i++) {
      await this.click(css);
      try {
        return await this.waitFor(() => this.js("const e = document.querySelector(arguments[0]); return !!e && e.classList.contains('on')", [css]), (x) => x === true, 3000);
      } catch (e) {
        if (i >= 2) throw e;
      }
    }
  }
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
    if (!SHOTS) return;
    // WebKitWebDriver's screenshot waits for the next paint, and an idle page
    // under Xvfb without compositing may never paint again: touch one pixel.
    await this.js("const d=document.createElement('div'); d.style.cssText='position:fixed;left:0;top:0;width:1px;height:1px;opacity:0.01'; document.body.append(d); setTimeout(()=>d.remove(),50);");
    const b64 = await wd("GET", this.s("/screenshot"));
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.writeFileSync(path.join(SHOTS, name + ".png"), Buffer.from(b64, "base64"));
  }
  async quit() { await wd("DELETE", this.s("")); }
}

const metrics = {};
after(() => { if (METRICS) fs.writeFileSync(METRICS, JSON.stringify(metrics, null, 2)); });

// Memory of the running app: its own process and the WebKit web and network
// processes it starts. RSS counts shared libraries once per process; PSS
// shares them out; USS is what this app alone holds.
// GB 32100 check character of a unified social credit code.
function usccCheck(first17) {
  const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...first17].reduce((s, c, i) => s + chars.indexOf(c) * w[i], 0);
  return chars[(31 - (sum % 31)) % 31];
}

function memoryOfApp() {
  const sum = { rss_kb: 0, pss_kb: 0, uss_kb: 0, processes: [] };
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let comm, roll;
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      if (!/^(butie-app|WebKitWebProces|WebKitNetworkPr)/.test(comm)) continue;
      roll = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
    } catch { continue; }
    const kb = (k) => Number((roll.match(new RegExp(`^${k}:\\s+(\\d+)`, "m")) || [0, 0])[1]);
    sum.rss_kb += kb("Rss");
    sum.pss_kb += kb("Pss");
    sum.uss_kb += kb("Private_Clean") + kb("Private_Dirty");
    sum.processes.push(comm);
  }
  return sum;
}

test("the desktop app, as a person uses it", async (t) => {
  assert.ok(APP && fs.existsSync(APP), "BUTIE_APP points at the built app");
  let app = await App.start();
  metrics.start_to_interactive_ms = app.startMs;
  // Always close the window, even when a step fails, so the next run starts clean.
  t.after(() => app.quit().catch(() => {}));

  await t.test("first run shows the sample company's results at once", async () => {
    await app.waitText("#total", (x) => x.includes("470,175.25"));
    assert.equal(await app.count(".company-item"), 1);
    assert.match(await app.text("tr[data-clause='tz.brand.trademark'] .amount"), /93,000\.00/);
    // ※ is explained under the table whenever a row carries it.
    const marked = await app.js("return [...document.querySelectorAll('.detail-link')].some((b) => b.textContent.includes('※'))");
    assert.equal(await app.js("const e = document.querySelector('#interp-legend'); return !e.classList.contains('hidden') && e.getClientRects().length > 0"), marked);
    if (marked) assert.match(await app.text("#interp-legend"), /^※ .*解释/);
    await app.shot("01-results-sample");
    await app.click("tr[data-clause='tz.brand.trademark'] button.detail-link");
    await app.waitText("#detail-trace", (x) => x.includes("186,000.00") && x.includes("50%"));
    assert.match(await app.text("#detail-quote"), /商标国际注册费用50%/);
    // The working opens right under its clause's row, with the focus; Esc
    // closes it and the focus goes back to the clause's title.
    assert.equal(await app.js("const d = document.querySelector('#detail'); return d.closest('tr.detail-row').previousElementSibling.dataset.clause"), "tz.brand.trademark");
    assert.equal(await app.js("return document.activeElement.id"), "detail");
    await app.shot("02-results-trace");
    await app.js("document.querySelector('#detail').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))");
    await app.waitFor(() => app.js("return document.activeElement.id"), (id) => id === "detail-link-tz.brand.trademark");
    assert.equal(await app.js("return document.querySelector('#detail').classList.contains('hidden')"), true);
  });

  await t.test("a fee typed 万 too large is questioned once before it is saved, and kept when the user says so", async () => {
    const modalOpen = () => app.js("return !document.querySelector('#modal').classList.contains('hidden')");
    await app.click("#tab-interview");
    const before = await app.js("return state.result.total");
    // Typed in (set whole: WebDriver's clear would itself save an empty answer).
    await app.js("const b = document.querySelector('#q-patent_application_fee'); b.focus(); b.value = '１８２００万'; b.dispatchEvent(new Event('input')); b.dispatchEvent(new Event('change'))");
    await app.waitFor(() => modalOpen(), (v) => v === true);
    const text = await app.text("#modal-text");
    assert.match(text, /182,000,000\.00 元/);
    assert.match(text, /200,000\.00 元 的 10 倍/);
    await app.shot("02c-sense-check");
    await app.click("#modal-cancel");
    assert.equal(await app.js("return state.result.total"), before, "nothing saved when the user goes back to fix it");
    assert.equal(await app.js("return document.activeElement.id"), "q-patent_application_fee");
    // Not kept: the field shows the saved answer again, not the figure never saved.
    await app.waitFor(() => app.js("return document.querySelector('#q-patent_application_fee').value"), (v) => v === "42,350.50");
    await app.js("const b = document.querySelector('#q-patent_application_fee'); b.value = '１８２００万'; b.dispatchEvent(new Event('input')); b.dispatchEvent(new Event('change'))");
    await app.waitFor(() => modalOpen(), (v) => v === true);
    await app.click("#modal-ok");
    await app.waitFor(() => app.js("return (state.result.clauses.find(c => c.id === 'tz.brand.patent') || {}).amount"), (x) => x === "100000.00");
    // Asked once: the same answer again is not questioned.
    await app.js("document.querySelector('#q-patent_application_fee').dispatchEvent(new Event('change'))");
    await sleep(400);
    assert.equal(await modalOpen(), false);
    // Back to the sample's own answer.
    await app.answer("#q-patent_application_fee", "42350.50");
    await app.waitFor(() => app.js("return state.result.total"), (x) => x === before);
    await app.click("#tab-results");
  });

  await t.test("Taizhou's 就高不重复 is shown once, and the training working adds up", async () => {
    assert.equal(await app.count("#pack-notes .principle"), 1);
    assert.match(await app.text("#principle-taizhou-cbec-2025"), /就高不重复[\s\S]*附件 五\(四\)/);
    await app.click("#tab-interview");
    const sessions = [["150", "100000.02"], ["200", "33333.33"], ["150", "0.01"]];
    for (const [i, [people, cost]] of sessions.entries()) {
      await app.click("#q-training_sessions-add");
      await app.answer(`#q-training_sessions-${i}-participants`, people);
      await app.answer(`#q-training_sessions-${i}-cost`, cost);
      await app.waitFor(() => app.js("return (state.result.clauses.find(c => c.id === 'tz.eco.training') || {}).trace || []"), (x) => x.length > i);
    }
    // 50,000 (capped) + 16,666.665 + 0.005 = 66,666.67; 470,175.25 + 66,666.67.
    await app.waitFor(() => app.js("return state.result.total"), (x) => x === "536841.92");
    await app.click("#tab-results");
    await app.click("tr[data-clause='tz.eco.training'] button.detail-link");
    const trace = await app.waitText("#detail-trace", (x) => x.includes("16,666.665"));
    assert.match(trace, /50,000\.01 元 → 单项封顶 50,000\.00 元/);
    assert.match(trace, /0\.005 元/);
    assert.match(trace, /合计 3 项 = 66,666\.67 元/);
    assert.match(await app.text("#detail-frequency"), /原文未规定/);
    await app.shot("02b-training-trace-adds-up");
    await app.click("#tab-interview");
    await app.click("#q-training_sessions-none");
    await app.waitFor(() => app.js("return state.result.total"), (x) => x === "470175.25");
    await app.click("#tab-results");
  });

  await t.test("a wrong USCC is caught as you type and nothing is saved", async () => {
    await app.click("#btn-new-company");
    await app.type("#f-name", "成都测试跨境电子商务有限公司");
    await app.select("#f-city", "成都市");
    await app.select("#f-district", "武侯区");
    await app.type("#f-uscc", "91510107MA6DG8HL5X");
    await app.waitText("#err-uscc", (x) => x.includes("校验位错误"));
    await app.click("#btn-save-company");
    await app.waitText("#err-uscc", (x) => x.includes("末位应为 P"));
    // The toast names the field the refusal is about.
    assert.match(await app.text("#toast"), /^未保存：统一社会信用代码 — /);
    await app.shot("03-company-bad-uscc");
    assert.equal(await app.count(".company-item"), 1, "nothing saved");
  });

  await t.test("a good company is saved", async () => {
    await app.type("#f-uscc", "91510107MA6DG8HL5P");
    await app.waitText("#err-uscc", (x) => x === "");
    await app.click("#btn-save-company");
    await app.waitFor(() => app.count(".company-item"), (n) => n === 2);
    assert.match(await app.text(".company-item.selected"), /成都测试/);
    await app.shot("04-company-saved");
  });

  await t.test("the interview asks what matters and refuses bad numbers", async () => {
    await app.click("#tab-interview");
    await app.waitFor(() => app.count("#q-cbec_volume"), (n) => n === 1);
    assert.equal(await app.count("#q-intl_trademark_fee"), 0, "Taizhou questions are not asked of a Chengdu company");
    const before = await app.js("return [...document.querySelectorAll('#questions .question')].map(q => q.dataset.key)");
    // Options in the order the policy declares them (其他 last).
    assert.deepEqual(await app.js("return [...document.querySelectorAll('#q-park_rating option')].map(o => o.value)"), ["", "marked", "good", "initial", "none"]);
    await app.shot("05-interview");
    await app.answer("#q-cbec_volume", "abc");
    await app.waitText("#qerr-cbec_volume", (x) => x.includes("不是数字"));
    await app.answer("#q-cbec_volume", "-5");
    await app.waitText("#qerr-cbec_volume", (x) => x.includes("不能为负数"));
    await app.shot("06-interview-bad-number");
    // Numbers as a clerk types them: grouped, 万, full-width digits; the field
    // says what it understood.
    await app.type("#q-cbec_volume", "236,500,000");
    await app.waitText("#qval-cbec_volume", (x) => x === "= 236,500,000.00 元");
    await app.answer("#q-cbec_volume", "236,500,000");
    await app.waitFor(() => app.count("#q-cbec_volume_prev_year"), (n) => n === 1);
    await app.type("#q-cbec_volume_prev_year", "１８２００万");
    await app.waitText("#qval-cbec_volume_prev_year", (x) => x === "= 182,000,000.00 元");
    await app.shot("06a-numbers-understood");
    await app.answer("#q-cbec_volume_prev_year", "１８２００万");
    await app.press("#q-provincial_public_overseas_warehouse-yes");
    await app.waitFor(() => app.count("#q-overseas_warehouse_area_sqm"), (n) => n === 1);
    await app.type("#q-overseas_warehouse_area_sqm", "6.2万");
    await app.waitText("#qval-overseas_warehouse_area_sqm", (x) => x === "= 62,000 平方米");
    await app.answer("#q-overseas_warehouse_area_sqm", "6.2万");
    // 严重失信 still open: nothing is confirmed, but the provisional figures
    // show what answering "否" would give, side by side with the total.
    await app.waitFor(() => app.js("return state.result.total_provisional"), (x) => x === "3000000.00");
    assert.equal(await app.js("return state.result.total"), "0.00");
    await app.click("#tab-results");
    await app.waitText("#total-provisional", (x) => x.includes("3,000,000.00"));
    assert.match(await app.text("tr[data-clause='cd.trade.growth_tier'] .amount"), /≈ 2,000,000\.00/);
    assert.match(await app.text("tr[data-clause='cd.trade.growth_tier'] .reason"), /若“是否列入严重失信名单”为“否”：测算可得 2,000,000\.00 元/);
    await app.shot("06b-provisional-figures");
    await app.click("#tab-interview");
    assert.equal(await app.js("return document.querySelector('#q-serious_dishonesty_listed-unknown').classList.contains('on')"), true);
    await app.click("#q-serious_dishonesty_listed-no");
    await app.waitFor(() => app.js("return state.result.total"), (x) => x === "3000000.00");
    assert.equal(await app.js("return state.result.total_provisional"), "3000000.00");
    // The questionnaire kept its order while it was answered.
    const after = await app.js("return [...document.querySelectorAll('#questions .question')].map(q => q.dataset.key)");
    const common = before.filter((k) => after.includes(k));
    assert.deepEqual(after.filter((k) => common.includes(k)), common, "same order before and after answering");
    assert.equal(after[0], "serious_dishonesty_listed", "the exclusion question comes first");
  });

  await t.test("results show the expected amounts", async () => {
    await app.click("#tab-results");
    await app.waitText("#total", (x) => x.includes("3,000,000.00"));
    assert.match(await app.text("tr[data-clause='cd.trade.growth_tier'] .amount"), /2,000,000\.00/);
    assert.match(await app.text("tr[data-clause='cd.overseas_warehouse'] .amount"), /1,000,000\.00/);
    await app.shot("07-results-chengdu");
  });

  await t.test("saving an evaluation and generating PDFs", async () => {
    await app.click("#btn-save-eval");
    await app.waitText("#toast", (x) => x.includes("已保存测算记录"));
    await app.click("#btn-pdf");
    const msg = await app.waitText("#pdf-result", (x) => x.includes("已生成"), 30000);
    assert.match(msg, /已生成 3 个文件/);
    const files = fs.readdirSync(path.join(E2E_DIR, "pdf")).sort();
    assert.equal(files.length, 3, files.join(", "));
    assert.ok(files.some((f) => f.endsWith("补贴测算汇总.pdf")));
    assert.ok(files.some((f) => f.includes("公共海外仓一次性奖励-申报表.pdf")));
    for (const f of files) assert.ok(fs.statSync(path.join(E2E_DIR, "pdf", f)).size > 10000);
    await app.click("#tab-history");
    await app.waitText("#history-list", (x) => x.includes("3,000,000.00"));
    await app.click(".history-item");
    await app.waitText("#history-inputs", (x) => x.includes("年度跨境电商交易额") && x.includes("236,500,000"));
    assert.match(await app.text("#history-clauses"), /公共海外仓一次性奖励[\s\S]*1,000,000\.00/);
    await app.shot("08-history");
  });

  await t.test("English", async () => {
    await app.click("#btn-lang");
    await app.click("#tab-results");
    await app.waitText("#tab-results", (x) => x === "Results");
    await app.waitText("tr[data-clause='cd.trade.growth_tier'] .reason", (x) => x.startsWith("eligible"));
    await app.shot("09-results-english");
    // A credit code that belongs to another company: said in English, beside the field.
    await app.click("#tab-profile");
    await app.type("#f-uscc", "91331002MA2A8K5L0Y");
    await app.click("#btn-save-company");
    const msg = await app.waitText("#err-uscc", (x) => x.includes("already belongs to company #1"));
    assert.doesNotMatch(msg.replace("台州市椒江海跃跨境电子商务有限公司", ""), /[\u4e00-\u9fff]/, msg);
    assert.doesNotMatch(msg, /company\.uscc/, "no field names in the message");
    await app.shot("09b-uscc-taken-english");
    await sleep(400);
    assert.match(await app.text("#err-uscc"), /already belongs/, "the message stays beside the field");
    // Leaving the unsaved form asks first, in English, on a plain button
    // that says what it does (not a red "Delete").
    await app.click(".company-item:not(.selected)");
    await app.waitText("#modal-text", (x) => x.includes("unsaved changes"));
    assert.equal(await app.text("#modal-ok"), "Leave without saving");
    assert.equal(await app.js("return document.querySelector('#modal-ok').className"), "");
    await app.shot("09c-leave-unsaved-english");
    await app.click("#modal-cancel");
    // Reopening the company (its list item) drops the unsaved code.
    await app.click("#company-list .company-item.selected");
    await app.waitFor(() => app.js("return document.querySelector('#f-uscc').value"), (x) => x === "91510107MA6DG8HL5P");
    await app.click("#btn-lang");
    await app.waitText("#tab-results", (x) => x === "测算结果");
  });

  await t.test("English everywhere: no Chinese outside company data and quoted policy text", async () => {
    // Company names, credit codes and place names are the user's data; text
    // in “…” or 《…》 quotes the policy; all else must be English.
    const scan = () => app.js(`
      const data = new Set([...Object.keys(state.meta.cities), ...Object.values(state.meta.cities).flat()]);
      document.querySelectorAll('.company-item strong').forEach(n => data.add(n.firstChild ? n.firstChild.textContent : ''));
      if (state.company) data.add(state.company.company.name);
      // Hidden from readers (the seal), or marked as Chinese on purpose (the
      // 中文 button, reasons recorded in the filing language): not window text.
      const skip = [...document.querySelectorAll('[aria-hidden="true"], [lang^="zh"]')].filter(n => n !== document.documentElement);
      skip.forEach(n => { n.dataset.scanDisplay = n.style.display; });
      skip.forEach(n => { n.style.display = 'none'; });
      let text = document.querySelector('main').innerText + '\\n' + document.querySelector('header').innerText;
      skip.forEach(n => n.style.display = n.dataset.scanDisplay || '');
      text = text.replace(/“[^”]*”/g, '').replace(/《[^》]*》/g, '');
      for (const d of [...data].filter(Boolean).sort((a, b) => b.length - a.length)) text = text.split(d).join('');
      const out = [];
      for (const m of text.matchAll(/[\\u3400-\\u9fff]+/g)) out.push(text.slice(Math.max(0, m.index - 25), m.index + m[0].length + 15).replace(/\\s+/g, ' '));
      return out;`);
    await app.openCompany("成都测试跨境电子商务有限公司");
    await app.click("#btn-lang");
    await app.waitText("#tab-results", (x) => x === "Results");
    const found = {};
    for (const [tab, name] of [["#tab-results", "results"], ["#tab-interview", "interview"], ["#tab-profile", "profile"], ["#tab-claims", "claims"], ["#tab-history", "history"]]) {
      await app.click(tab);
      await sleep(300);
      if (name === "results") {
        await app.click("tr[data-clause='cd.overseas_warehouse'] button.detail-link");
        await app.waitText("#detail-trace", (x) => x.length > 0);
      }
      if (name === "history" && (await app.count(".history-item"))) {
        await app.click(".history-item");
        await sleep(300);
      }
      await app.shot(`09c-english-${name}`);
      const hits = await scan();
      if (hits.length) found[name] = hits;
    }
    await app.click("#btn-lang");
    await app.waitText("#tab-results", (x) => x === "测算结果");
    assert.deepEqual(found, {}, "Chinese text in English mode:\n" + JSON.stringify(found, null, 1));
  });

  await t.test("deleting asks first", async () => {
    await app.click(".company-item:not(.selected)");
    await app.click("#tab-profile");
    await app.click("#btn-delete");
    await app.waitText("#modal-text", (x) => x.includes("确定删除"));
    // Deleting is the red button and says so.
    assert.equal(await app.text("#modal-ok"), "删除");
    assert.equal(await app.js("return document.querySelector('#modal-ok').className"), "danger");
    await app.shot("10-delete-confirm");
    await app.click("#modal-cancel");
    assert.equal(await app.count(".company-item"), 2);
  });

  await t.test("search, export, and import that refuses bad files", async () => {
    await app.type("#company-search", "椒江");
    await app.waitFor(() => app.count(".company-item"), (n) => n === 1);
    await app.erase("#company-search");
    await app.waitFor(() => app.count(".company-item"), (n) => n === 2);
    await app.openCompany("成都测试跨境电子商务有限公司");
    await app.click("#tab-profile");
    await app.click("#btn-export");
    await app.waitText("#toast", (x) => x.includes("已导出"));
    const exported = JSON.parse(fs.readFileSync(path.join(E2E_DIR, "export.json"), "utf8"));
    assert.match(JSON.stringify(exported), /91510107MA6DG8HL5P/);
    assert.match(JSON.stringify(exported), /236500000/);

    // A file cut short by a failing USB stick.
    const text = JSON.stringify(exported);
    fs.writeFileSync(path.join(E2E_DIR, "import.json"), text.slice(0, text.length / 2));
    await app.click("#btn-import");
    await app.waitText("#toast", (x) => x.includes("未导入") && x.includes("文件不完整"));
    await app.shot("11-import-refused");
    // The same company again: its USCC is already in the workspace.
    fs.writeFileSync(path.join(E2E_DIR, "import.json"), text);
    await app.click("#btn-import");
    await app.waitText("#toast", (x) => x.includes("未导入") && x.includes("91510107MA6DG8HL5P"));
    assert.equal(await app.count(".company-item"), 2, "nothing imported");

    // A colleague's company, with a different name and credit code.
    const other = JSON.parse(text.replaceAll("91510107MA6DG8HL5P", "91510100MA61XXXXX" + usccCheck("91510100MA61XXXXX")).replaceAll("成都测试跨境电子商务有限公司", "成都导入跨境电子商务有限公司"));
    fs.writeFileSync(path.join(E2E_DIR, "import.json"), JSON.stringify(other));
    await app.click("#btn-import");
    await app.waitText("#toast", (x) => x.includes("已导入 1 家企业"));
    await app.waitFor(() => app.count(".company-item"), (n) => n === 3);
    await app.click("#tab-results");
    await app.waitText("#total", (x) => x.includes("3,000,000.00"));
  });

  await t.test("a claim approved in 2025 blocks the one-time award in 2026; the filings tab reconciles", async () => {
    const TZ = "台州市椒江海跃跨境电子商务有限公司";
    const brand = "tr[data-clause='tz.brand.provincial_brand']";
    const mark = "tr[data-clause='tz.brand.trademark']";
    const clause = (id) => app.js("return state.result.clauses.find(c => c.id === arguments[0])", [id]);
    const onScreen = (css) => app.js("document.querySelector(arguments[0]).scrollIntoView({ block: 'center' })", [css]);
    await app.openCompany(TZ);
    await app.select("#year", "2025");
    await app.click("#tab-results");
    await app.waitText("#total", (x) => x.includes("470,175.25"));
    await app.waitFor(() => app.count(`${brand} select.claim-status`), (n) => n === 1);
    // Real controls, each with its label, reachable with the keyboard.
    assert.equal(await app.js("return document.querySelector(`label[for='claim-status-tz.brand.provincial_brand']`).textContent"), "省级跨境电商出口知名品牌奖励：申报状态");
    assert.equal(await app.js("return document.querySelector(`label[for='claim-amount-tz.brand.provincial_brand']`).textContent"), "省级跨境电商出口知名品牌奖励：批准或申报金额（元）");
    assert.equal(await app.js("return document.querySelector(arguments[0]).tabIndex", [`${brand} input.claim-amount`]), 0);

    // Submitted: with nothing typed, the claim applies for the year's estimate.
    await app.select(`${brand} select.claim-status`, "submitted");
    await app.waitFor(() => clause("tz.brand.provincial_brand"), (c) => c.claim && c.claim.status.key === "submitted" && c.claim.estimate === "100000.00");
    await app.waitFor(() => app.js("return document.querySelector(arguments[0]).value", [`${brand} input.claim-amount`]), (x) => x === "100000.00");
    // Approved: the approved amount is asked for, then saved in place.
    await app.select(`${brand} select.claim-status`, "approved");
    await app.waitText(`${brand} .field-error`, (x) => x.includes("请填写批准金额"));
    assert.equal((await clause("tz.brand.provincial_brand")).claim.status.key, "submitted", "nothing saved without the approved amount");
    await app.answer(`${brand} input.claim-amount`, "100000");
    await app.waitFor(() => clause("tz.brand.provincial_brand"), (c) => c.claim && c.claim.status.key === "approved" && c.claim.approved === "100000.00");
    await app.waitFor(() => app.js("return document.querySelector(arguments[0]).value", [`${brand} select.claim-status`]), (x) => x === "approved");
    assert.equal(await app.js("return document.querySelector(arguments[0]).value", [`${brand} input.claim-amount`]), "100000.00");
    assert.equal((await clause("tz.brand.provincial_brand")).status, "eligible", "a claim of the year evaluated does not block itself");
    await app.waitText("#total", (x) => x.includes("470,175.25"));
    // A wrong amount is refused beside the field and nothing changes.
    await app.answer(`${brand} input.claim-amount`, "-5");
    await app.waitText(`${brand} .field-error`, (x) => x.includes("不能为负数"));
    assert.equal((await clause("tz.brand.provincial_brand")).claim.approved, "100000.00");
    await app.answer(`${brand} input.claim-amount`, "100000");
    await app.waitText(`${brand} .field-error`, (x) => x === "");
    // The trademark support: applied for the estimate (93,000.00), approved at less.
    await app.select(`${mark} select.claim-status`, "submitted");
    await app.waitFor(() => clause("tz.brand.trademark"), (c) => c.claim && c.claim.estimate === "93000.00");
    await app.select(`${mark} select.claim-status`, "approved");
    await app.answer(`${mark} input.claim-amount`, "90000");
    await app.waitFor(() => clause("tz.brand.trademark"), (c) => c.claim && c.claim.approved === "90000.00");
    await onScreen(brand);
    await app.shot("13-claim-set");

    // 2026 (no facts yet): the award is not paid twice, so once fair
    // attendance settles 四(四) (the other clause that asks about the brand),
    // the interview does not ask whether the company holds the brand title.
    await app.select("#year", "2026");
    await app.waitFor(() => app.js("return state.result.year"), (y) => y === 2026);
    await app.click("#tab-interview");
    await app.waitFor(() => app.count("#questions .question"), (n) => n > 0);
    await app.click("#q-attended_cbec_exhibition-yes");
    await app.waitFor(() => app.count("#question-provincial_famous_brand"), (n) => n === 0, 10000);
    await app.click("#tab-results");
    const blocked = await app.waitFor(() => clause("tz.brand.provincial_brand"), (c) => c.status === "ineligible");
    assert.equal(blocked.amount, null);
    assert.match(blocked.headline, /2025/);
    const reason = await app.waitText(`${brand} .reason`, (x) => x.includes("2025"));
    assert.match(reason, /2025/);
    assert.equal(await app.count(`${brand} select.claim-status`), 0, "no filing for a clause that cannot be paid");
    await onScreen(brand);
    await app.shot("14-blocked-2026");
    await app.click(`${brand} button.detail-link`);
    const detail = await app.waitText("#detail-reasons", (x) => x.includes("2025"));
    assert.match(detail, /已于2025年度获批（100,000\.00 元），一次性奖励不再重复/);
    await onScreen("#detail");
    await app.shot("14b-blocked-2026-detail");

    // 申报记录: estimate, approval and difference per claim, per year and overall.
    await app.click("#tab-claims");
    await app.waitFor(() => app.count("#claims-table tr.claim-row"), (n) => n === 2);
    const cell = (tr, c) => app.text(`${tr} td.${c}`);
    const b = "#claims-table tr.claim-row[data-clause='tz.brand.provincial_brand'][data-year='2025']";
    const m = "#claims-table tr.claim-row[data-clause='tz.brand.trademark'][data-year='2025']";
    assert.equal(await cell(b, "estimate"), "100,000.00");
    assert.equal(await cell(b, "approved"), "100,000.00");
    assert.equal(await cell(b, "difference"), "0.00");
    assert.match(await app.text(b), /已批准/);
    assert.equal(await cell(m, "estimate"), "93,000.00");
    assert.equal(await cell(m, "approved"), "90,000.00");
    assert.equal(await cell(m, "difference"), "-3,000.00");
    const y = "#claims-table tr.subtotal[data-year='2025']";
    assert.match(await app.text(y), /2025 年度合计/);
    assert.equal(await cell(y, "estimate"), "193,000.00");
    assert.equal(await cell(y, "approved"), "190,000.00");
    assert.equal(await cell(y, "difference"), "-3,000.00");
    assert.equal(await cell("#claims-table tfoot tr.total", "difference"), "-3,000.00");
    await app.shot("15-filings-tab");
    await app.click("#btn-lang");
    await app.waitText("#tab-claims", (x) => x === "Filings");
    await app.waitText(b, (x) => x.includes("approved") && x.includes("Provincial famous export brand award"));
    await app.click("#btn-lang");
    await app.waitText("#tab-claims", (x) => x === "申报记录");
    // Back to the year the other steps use.
    await app.select("#year", "2025");
    // An approved amount above the clause's most (商标: 10 万 in all) is
    // kept as given, with a warning beside it; back to 90,000 it goes away.
    await app.click("#tab-results");
    await app.waitFor(() => app.count(`${mark} input.claim-amount`), (n) => n === 1);
    await app.answer(`${mark} input.claim-amount`, "150000");
    await app.waitFor(() => clause("tz.brand.trademark"), (c) => c.claim && c.claim.approved === "150000.00");
    const warned = await app.waitText(`${mark} .claim-warning`, (x) => x.includes("100,000.00"));
    assert.match(warned, /批准金额 150,000\.00 元超过本条 2025 年度最多可得的 100,000\.00 元/);
    await onScreen(mark);
    await app.shot("15b-claim-above-most");
    await app.answer(`${mark} input.claim-amount`, "90000");
    await app.waitFor(() => clause("tz.brand.trademark"), (c) => c.claim && c.claim.approved === "90000.00" && !c.claim.warning);
    assert.equal(await app.count(`${mark} .claim-warning`), 0);
  });

  metrics.memory = memoryOfApp();
  await app.quit();

  await t.test("reopening the app finds everything still there", async () => {
    app = await App.start();
    assert.equal(await app.count(".company-item"), 3);
    // Several clients: the app opens on the overview of all of them.
    await app.waitFor(() => app.js("return [...document.querySelectorAll('#overview-table tbody tr')].map(r => r.innerText.split('\\t')[0])"), (rows) => rows.length === 3);
    assert.equal(await app.js("return document.querySelector('#view-overview').classList.contains('hidden')"), false);
    const firstTotal = () => app.js("return document.querySelector('#overview-table tbody tr td.num').textContent");
    assert.equal(await firstTotal(), "3,000,000.00", "sorted by total, highest first");
    await app.click("#overview-head th:nth-child(4) button");
    await app.waitFor(firstTotal, (x) => x !== "3,000,000.00");
    await app.type("#overview-filter", "91510107");
    await app.waitFor(() => app.count("#overview-table tbody tr"), (n) => n === 1);
    await app.shot("16-overview");
    await app.erase("#overview-filter");
    await app.openCompany("成都测试跨境电子商务有限公司");
    await app.click("#tab-results");
    await app.waitText("#total", (x) => x.includes("3,000,000.00"));
    assert.equal(await app.js("return state.company.company.uscc"), "91510107MA6DG8HL5P");
    await app.click("#tab-history");
    await app.waitFor(() => app.count(".history-item"), (n) => n === 1);
    await app.openCompany("台州市椒江海跃跨境电子商务有限公司");
    await app.click("#tab-claims");
    await app.waitFor(() => app.count("#claims-table tr.claim-row"), (n) => n === 2);
    await app.quit();
  });

  await t.test("a file that is not a workspace is refused, said in either language, and left as it was", async () => {
    const junk = path.join(E2E_DIR, "notes.sqlite");
    fs.writeFileSync(junk, "meeting notes, not a database\n".repeat(40));
    const before = fs.readFileSync(junk);
    app = await App.start(["--workspace", junk], "startup-error");
    await app.waitText("#startup-error-text", (x) => x.includes("notes.sqlite") && /[\u4e00-\u9fff]/.test(x));
    await app.click("#btn-lang");
    const en = await app.waitText("#startup-error-text", (x) => !/[\u4e00-\u9fff]/.test(x.replace(junk, "")));
    assert.match(en, /workspace/i);
    assert.match(await app.text("#startup-error-title"), /cannot be opened/);
    await app.shot("12-not-a-workspace-english");
    await app.click("#btn-lang");
    await app.quit();
    assert.deepEqual(fs.readFileSync(junk), before, "the file is untouched");
  });
});
