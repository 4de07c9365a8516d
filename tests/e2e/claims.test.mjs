// Filings recorded on 申报记录 in the real window, by keyboard: a filing
// added for a year that has none (its clause among those of the packs that
// apply that year) with both dates, the estimate and the approved amount;
// listed with its dates; edited, a bad date and an approval before the
// submission refused beside their field in the user's language; Esc
// cancels and the focus returns to the row; the next-year banner opens the
// page with the dialog set to last year. Run by scripts/e2e.sh on its own
// workspace (target/e2e/claims-workspace.sqlite), a new one with the sample
// company.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { App, wd } from "./driver.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const APP = process.env.BUTIE_APP || path.join(ROOT, "target/release/butie-app");
const OUT = path.join(ROOT, "target/e2e");
const SHOTS = process.env.SCREENSHOT_DIR || path.join(OUT, "screenshots");
const WORKSPACE = path.join(OUT, "claims-workspace.sqlite");
const TZ = "台州市椒江海跃跨境电子商务有限公司";
const MARK = "tz.brand.trademark";
const ROW = `#claims-table tr[data-year="2026"][data-clause="${MARK}"]`;
const ENTER = "\uE007", TAB = "\uE004", ESC = "\uE00C";

// Keys to whatever has the focus, as a person types.
async function keys(app, text) {
  const v = await wd("GET", app.s("/element/active"));
  const id = Object.values(v)[0];
  await wd("POST", app.s(`/element/${id}/value`), { text });
}
const focused = (app) => app.js("const a=document.activeElement; return a ? (a.id || a.className) : ''");
// Type into the focused field after emptying it (select all, delete).
async function retype(app, text) {
  await app.js("document.activeElement.select && document.activeElement.select()");
  await keys(app, "\uE017" + text);
}
const cell = (app, cls) => app.js(`const r=document.querySelector(arguments[0]); return r ? r.querySelector(arguments[1]).textContent : null`, [ROW, cls]);

test("a filing with both dates and an estimate is set on 申报记录 by keyboard, in both languages", async (t) => {
  fs.rmSync(WORKSPACE, { force: true });
  const app = await App.start(APP, ["--workspace", WORKSPACE]);
  try {
    await app.js("if (state.lang !== 'zh') document.querySelector('#btn-lang').click();");
    await app.waitFor(() => app.js("return state.lang"), (l) => l === "zh");
    await app.openCompany(TZ);
    await app.click("#tab-claims");
    await app.waitFor(() => app.count("#btn-add-filing"), (n) => n === 1);

    await t.test("＋ 登记申报 adds a filing for a year with none, by keyboard", async () => {
      assert.equal(await app.text("#btn-add-filing"), "＋ 登记申报");
      await app.js("document.querySelector('#btn-add-filing').focus()");
      await keys(app, ENTER);
      await app.waitFor(() => app.count("#filing-dialog"), (n) => n === 1);
      assert.equal(await focused(app), "filing-year", "the year has the focus");
      await retype(app, "2026");
      await keys(app, TAB);
      await app.waitFor(() => app.js(`return !!document.querySelector('#filing-clause option[value="${MARK}"]')`), (x) => x === true);
      assert.equal(await focused(app), "filing-clause");
      // Every clause offered is one of the Taizhou packs, which apply to this company.
      const offered = await app.js("return [...document.querySelectorAll('#filing-clause option')].map(o => o.value)");
      assert.ok(offered.length > 1 && offered.every((c) => c.startsWith("tz.")), offered.join());
      await app.select("#filing-clause", MARK);
      await keys(app, TAB);
      assert.equal(await focused(app), "filing-status");
      await app.select("#filing-status", "approved");
      const labels = await app.js("return [...document.querySelectorAll('#filing-form label')].map(l => l.textContent)");
      assert.deepEqual(labels, ["年度", "条款", "申报状态", "申报金额（元）", "批准金额（元）", "申报日期", "批准日期", "备注"]);
      assert.equal(await app.js("return document.querySelector('#filing-submitted_on').type + ' ' + document.querySelector('#filing-submitted_on').placeholder"), "text 2026-03-31");
      for (const [text, id] of [["93000", "filing-estimate"], ["9万", "filing-approved"], ["2026-03-31", "filing-submitted_on"], ["2026-04-10", "filing-approved_on"], ["台商务〔2026〕8号", "filing-note"]]) {
        await keys(app, TAB);
        assert.equal(await focused(app), id);
        await keys(app, text);
      }
      await app.shot(SHOTS, "claims-add-filing");
      await keys(app, ENTER);
      await app.waitFor(() => app.count("#filing-dialog"), (n) => n === 0);
      await app.waitFor(() => app.count(ROW), (n) => n === 1);
      assert.equal(await cell(app, "td.submitted-on"), "2026-03-31");
      assert.equal(await cell(app, "td.approved-on"), "2026-04-10");
      assert.equal(await cell(app, "td.estimate"), "93,000.00");
      assert.equal(await cell(app, "td.approved"), "90,000.00");
      assert.equal(await cell(app, "td.difference"), "-3,000.00");
      const heads = await app.js("return [...document.querySelectorAll('#claims-table thead th')].map(h => h.textContent)");
      assert.ok(heads.includes("申报日期") && heads.includes("批准日期"), heads.join());
      assert.equal(await focused(app), "ghost small edit-filing", "the focus is on the row's Edit button");
      assert.equal(await app.js(`return document.activeElement.closest('tr').dataset.clause`), MARK);
    });

    await t.test("an approval before the submission is refused beside its field; Esc cancels and the focus returns", async () => {
      await keys(app, ENTER);
      await app.waitFor(() => app.count("#filing-dialog"), (n) => n === 1);
      assert.equal(await focused(app), "filing-status");
      assert.equal(await app.js("return document.querySelector('#filing-estimate').value"), "93000.00", "the estimate is kept");
      await app.js("document.querySelector('#filing-approved_on').focus()");
      await retype(app, "2026-03-01");
      await keys(app, ENTER);
      const err = await app.waitText("#filing-approved_on-err", (s) => s !== "");
      assert.equal(err, "批准日期：批准日期 2026-03-01 早于申报日期 2026-03-31，请核对");
      assert.equal(await focused(app), "filing-approved_on");
      await keys(app, ESC);
      await app.waitFor(() => app.count("#filing-dialog"), (n) => n === 0);
      assert.equal(await cell(app, "td.approved-on"), "2026-04-10", "nothing changed");
      assert.equal(await app.js(`return document.activeElement.closest('tr') && document.activeElement.closest('tr').dataset.clause`), MARK);
    });

    await t.test("in English: the dates read the same, a bad date is named, the estimate edited", async () => {
      await app.click("#btn-lang");
      await app.waitFor(() => app.js("return state.lang"), (l) => l === "en");
      await app.waitFor(() => app.js("return [...document.querySelectorAll('#claims-table thead th')].map(h => h.textContent).join('|')"), (s) => s.includes("Submitted on|Approved on"));
      assert.equal(await cell(app, "td.submitted-on"), "2026-03-31");
      assert.equal(await app.text("#btn-add-filing"), "+ Add a filing");
      await app.js(`document.querySelector('${ROW} .edit-filing').focus()`);
      await keys(app, ENTER);
      await app.waitFor(() => app.count("#filing-dialog"), (n) => n === 1);
      await app.js("document.querySelector('#filing-estimate').focus()");
      await retype(app, "95000");
      await keys(app, TAB + TAB);
      assert.equal(await focused(app), "filing-submitted_on");
      await retype(app, "2026-02-30");
      await keys(app, ENTER);
      const err = await app.waitText("#filing-submitted_on-err", (s) => s !== "");
      assert.equal(err, 'Submitted on: "2026-02-30" is not a real date written YYYY-MM-DD (such as 2025-06-30)');
      await retype(app, "2026-03-30");
      await keys(app, ENTER);
      await app.waitFor(() => app.count("#filing-dialog"), (n) => n === 0);
      await app.waitFor(() => cell(app, "td.submitted-on"), (s) => s === "2026-03-30");
      assert.equal(await cell(app, "td.estimate"), "95,000.00");
      assert.equal(await cell(app, "td.approved"), "90,000.00");
      assert.equal(await cell(app, "td.approved-on"), "2026-04-10");
      await app.shot(SHOTS, "claims-filings-en");
    });

    await t.test("the next-year banner opens 申报记录 with the dialog set to last year", async () => {
      await app.js("const y=document.querySelector('#year'); y.value='2026'; y.dispatchEvent(new Event('change'));");
      await app.click("#tab-interview");
      await app.waitFor(() => app.visible("#btn-carry-filings"), (v) => v === true);
      assert.equal(await app.text("#btn-carry-filings"), "Record 2025's filings under Filings");
      await app.click("#btn-lang");
      await app.waitFor(() => app.text("#btn-carry-filings"), (s) => s === "到“申报记录”登记 2025 年度的申报");
      await app.js("document.querySelector('#btn-carry-filings').focus()");
      await keys(app, ENTER);
      await app.waitFor(() => app.count("#filing-dialog"), (n) => n === 1);
      assert.equal(await app.js("return state.view"), "claims");
      assert.equal(await app.js("return document.querySelector('#filing-year').value"), "2025");
      await app.waitFor(() => app.count("#filing-clause option"), (n) => n > 0);
      await keys(app, ESC);
      await app.waitFor(() => app.count("#filing-dialog"), (n) => n === 0);
      assert.equal(await focused(app), "btn-add-filing");
    });
  } finally {
    await app.quit();
  }
});
