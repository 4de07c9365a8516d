// A consultant's portfolio in the real window: a spreadsheet imported
// through the import button (one bad row refused with its reason, the rest
// saved after the preview), the overview sorted by total, exported to
// .xlsx and read back, and every company's PDFs written with the progress
// bar showing. Run by scripts/e2e.sh; the app runs on its own workspace
// (target/e2e/portfolio-workspace.sqlite). BUTIE_E2E_DIR stands in for the
// native dialogs, which WebDriver cannot drive: the app reads import.xlsx
// from it and writes overview.xlsx and portfolio/ into it.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { App, readXlsx, sleep } from "./driver.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const APP = process.env.BUTIE_APP || path.join(ROOT, "target/release/butie-app");
const OUT = path.join(ROOT, "target/e2e");
const FILES = process.env.BUTIE_E2E_DIR || path.join(OUT, "files");
const SHOTS = process.env.SCREENSHOT_DIR || path.join(OUT, "screenshots");
const WORKSPACE = path.join(OUT, "portfolio-workspace.sqlite");

const yuan = (s) => Number(String(s).replace(/[^0-9.]/g, ""));

test("a consultant imports clients from a spreadsheet, sorts, exports and writes every company's PDFs", async (t) => {
  fs.mkdirSync(FILES, { recursive: true });
  fs.copyFileSync(path.join(ROOT, "tests/fixtures/portfolio-import.xlsx"), path.join(FILES, "import.xlsx"));
  fs.rmSync(path.join(FILES, "overview.xlsx"), { force: true });
  fs.rmSync(path.join(FILES, "portfolio"), { recursive: true, force: true });
  fs.rmSync(WORKSPACE, { force: true });
  const app = await App.start(APP, ["--workspace", WORKSPACE]);
  try {
    // An earlier test file may have left English or another year chosen.
    await app.js("if (state.lang !== 'zh') document.querySelector('#btn-lang').click();");
    await app.waitFor(() => app.js("return state.lang"), (l) => l === "zh");
    await app.js("const y=document.querySelector('#year'); y.value='2025'; y.dispatchEvent(new Event('change'));");
    await app.click("#btn-overview");
    await app.waitFor(() => app.count("#overview-table tbody tr"), (n) => n === 1);

    await t.test("the import shows the rows accepted and the row refused, and saves nothing yet", async () => {
      await app.click("#btn-sheet-import");
      await app.waitFor(() => app.visible("#sheet-preview"), (v) => v === true);
      const summary = await app.text("#sheet-preview-summary");
      assert.match(summary, /共 4 行：可保存 3 行，拒绝 1 行/);
      const refused = await app.js("return [...document.querySelectorAll('#sheet-refused tbody tr')].map(r => [...r.cells].map(c => c.textContent))");
      assert.equal(refused.length, 1);
      assert.equal(refused[0][0], "5");
      assert.match(refused[0][1], /统一社会信用代码（B列）/);
      assert.match(refused[0][2], /校验位错误/);
      const accepted = await app.js("return [...document.querySelectorAll('#sheet-accepted tbody tr')].map(r => [...r.cells].map(c => c.textContent))");
      assert.deepEqual(accepted.map((r) => [r[0], r[5]]), [["3", "新增"], ["4", "新增"], ["6", "新增"]]);
      assert.equal(await app.count("#overview-table tbody tr"), 1, "nothing is saved before the user confirms");
      assert.equal(await app.js("return document.activeElement.id"), "sheet-save", "the save button has the focus");
      await app.shot(SHOTS, "portfolio-import-preview");
    });

    await t.test("saving adds the three good rows in one go; the overview lists them with their totals", async () => {
      await app.click("#sheet-save");
      await app.waitText("#toast", (s) => s.includes("新增 3 家"));
      await app.waitFor(() => app.count("#overview-table tbody tr"), (n) => n === 4);
      assert.equal(await app.visible("#sheet-preview"), false);
      const names = await app.js("return [...document.querySelectorAll('#overview-table tbody tr td:first-child button')].map(b => b.textContent)");
      for (const n of ["台州甬台跨境电商有限公司", "成都锦城出海科技有限公司", "台州温岭鞋业跨境有限公司"]) assert.ok(names.includes(n), names.join());
      assert.ok(!names.includes("台州信用代码写错有限公司"));
    });

    const totals = () => app.js("return [...document.querySelectorAll('#overview-table tbody tr')].map(r => r.cells[3].textContent)");
    await t.test("sorting by total orders the rows by it, both ways", async () => {
      const header = "#overview-head th:nth-child(4) button";
      await app.click(header); // the default is the total, largest first: now smallest first
      let v = (await totals()).map(yuan);
      assert.deepEqual(v, [...v].sort((a, b) => a - b), v.join());
      assert.equal(await app.js("return document.querySelector('#overview-head th:nth-child(4)').getAttribute('aria-sort')"), "ascending");
      await app.click(header);
      v = (await totals()).map(yuan);
      assert.deepEqual(v, [...v].sort((a, b) => b - a), v.join());
      assert.ok(new Set(v).size >= 3, "the clients' totals differ: " + v.join());
      await app.shot(SHOTS, "portfolio-overview-sorted");
    });

    await t.test("the overview exports to .xlsx in the order shown, and reads back", async () => {
      const shown = await app.js("return [...document.querySelectorAll('#overview-table tbody tr')].map(r => [r.cells[0].querySelector('button').textContent, r.cells[3].textContent])");
      await app.click("#btn-overview-export");
      await app.waitText("#toast", (s) => s.includes("已导出 4 家企业"));
      const wb = readXlsx(path.join(FILES, "overview.xlsx"));
      assert.deepEqual(Object.keys(wb), ["汇总", "明细"]);
      assert.equal(wb["汇总"][0][0], "企业编号");
      assert.equal(wb["汇总"][0][6], "测算合计（元）");
      const rows = wb["汇总"].slice(1);
      assert.deepEqual(rows.map((r) => [r[2], yuan(r[6])]), shown.map(([n, total]) => [n, yuan(total)]));
      // 明细: one line per clause and company, with the clause ids.
      assert.ok(wb["明细"].some((r) => r[2] === "台州甬台跨境电商有限公司" && /^tz\./.test(r[4])));
      assert.ok(wb["明细"].some((r) => r[2] === "成都锦城出海科技有限公司" && /^cd\./.test(r[4])));
    });

    await t.test("every listed company's PDFs are written with a progress bar, and the window stays usable", async () => {
      await app.click("#btn-overview-pdfs");
      await app.waitFor(() => app.visible("#pdf-job"), (v) => v === true);
      // The window answers while the PDFs are written: the filter still filters.
      await app.js("const f=document.querySelector('#overview-filter'); f.value='成都'; f.dispatchEvent(new Event('input'));");
      assert.equal(await app.count("#overview-table tbody tr"), 1);
      await app.js("const f=document.querySelector('#overview-filter'); f.value=''; f.dispatchEvent(new Event('input'));");
      await app.shot(SHOTS, "portfolio-pdfs-progress");
      const done = await app.waitText("#pdf-job-text", (s) => /已为 4 家企业写出 \d+ 个 PDF 文件/.test(s), 60000);
      assert.deepEqual(await app.js("return [document.querySelector('#pdf-job-bar').value, document.querySelector('#pdf-job-bar').max]"), [4, 4]);
      await app.shot(SHOTS, "portfolio-pdfs-done");
      const dirs = fs.readdirSync(path.join(FILES, "portfolio"));
      assert.equal(dirs.length, 4, dirs.join());
      const files = dirs.flatMap((d) => fs.readdirSync(path.join(FILES, "portfolio", d)));
      assert.equal(files.length, Number(done.match(/写出 (\d+) 个/)[1]));
      assert.ok(files.every((f) => f.endsWith(".pdf")) && files.some((f) => f.includes("汇总")), files.join());
      assert.equal(await app.js("return document.querySelector('#btn-overview-pdfs').disabled"), false);
    });

    await t.test("a run cancelled at once stops, says how far it got, and the next run may start", async () => {
      await app.click("#btn-overview-pdfs");
      await app.click("#pdf-job-cancel");
      const text = await app.waitText("#pdf-job-text", (s) => /^(已取消|已为 4 家)/.test(s), 60000);
      const m = text.match(/^已取消：4 家中已完成 (\d) 家/);
      if (m) assert.ok(Number(m[1]) < 4, text);
      assert.equal(await app.js("return document.querySelector('#btn-overview-pdfs').disabled"), false);
      assert.equal(await app.visible("#pdf-job-cancel"), false);
    });

    await t.test("the template holds one region's columns; its notes point to the window's import", async () => {
      fs.rmSync(path.join(FILES, "template.xlsx"), { force: true });
      assert.equal(await app.js("return document.querySelector('#template-city').value"), "台州市");
      await app.click("#btn-template");
      await app.waitText("#toast", (s) => s.includes("模板已保存"));
      const tz = readXlsx(path.join(FILES, "template.xlsx"));
      assert.deepEqual(Object.keys(tz), ["企业", "说明"]);
      const keys = tz["企业"][0];
      assert.ok(keys.includes("patent_application_fee") && !keys.includes("cbec_volume"), keys.join());
      assert.ok(keys.length < 40, `${keys.length} columns`);
      assert.match(tz["说明"][0][0], /导入表格/);
      assert.ok(!tz["企业"][1].some((h) => /（美元）（美元）/.test(h || "")));
      await app.select("#template-city", "*");
      fs.rmSync(path.join(FILES, "template.xlsx"), { force: true });
      await app.click("#btn-template");
      await app.waitFor(() => fs.existsSync(path.join(FILES, "template.xlsx")), (x) => x);
      await sleep(300);
      const all = readXlsx(path.join(FILES, "template.xlsx"));
      assert.ok(all["企业"][0].length > keys.length + 20, "every region's columns");
    });

    await t.test("the year after: an ended policy, a county's estimate and another place's credit code are said in the overview", async () => {
      await app.js("const y=document.querySelector('#year'); y.value='2026'; y.dispatchEvent(new Event('change'));");
      await app.waitText("#overview-title", (s) => s.includes("2026"));
      const marks = async () => app.js("return Object.fromEntries([...document.querySelectorAll('#overview-table tbody tr')].map(r => [r.cells[0].querySelector('button').textContent, [...r.querySelectorAll('.mark')].map(m => m.className.replace('mark small ', '') + ':' + m.textContent)]))");
      const m = await app.waitFor(marks, (x) => (x["成都锦城出海科技有限公司"] || []).length > 0);
      assert.deepEqual(m["成都锦城出海科技有限公司"], ["ended:政策已于 2025-12-31 到期"]);
      assert.deepEqual(m["台州甬台跨境电商有限公司"], []);
      await app.shot(SHOTS, "portfolio-2026-marks");
      // English: 台州市 and 泰州市 are told apart; the marks are in English too.
      await app.click("#btn-lang");
      await app.waitFor(() => app.js("return state.lang"), (l) => l === "en");
      const cities = await app.waitFor(() => app.js("return [...document.querySelectorAll('#overview-city option')].map(o => o.textContent)"), (c) => c.includes("Taizhou (Zhejiang)"));
      assert.ok(cities.includes("Taizhou (Zhejiang)") && cities.includes("Taizhou (Jiangsu)"), cities.join());
      const en = await app.waitFor(marks, (x) => (x["成都锦城出海科技有限公司"] || [])[0] === "ended:policy ended 2025-12-31");
      await app.click("#btn-lang");
      await app.waitFor(() => app.js("return state.lang"), (l) => l === "zh");
    });

    await t.test("at the smallest window (960×640) the overview fits: no cut-off column, no header broken mid-word", async () => {
      await app.setSize(960, 640);
      await sleep(300);
      const fit = await app.js("const t=document.querySelector('#overview-table'); const box=t.closest('.table-scroll') || t.parentElement; return { table: t.getBoundingClientRect().right, view: document.documentElement.clientWidth, scroll: box.scrollWidth > box.clientWidth }");
      assert.ok(fit.table <= fit.view + 1 || fit.scroll, JSON.stringify(fit));
      const broken = await app.js("return [...document.querySelectorAll('#overview-head th button')].filter(b => b.getClientRects().length > 1).map(b => b.textContent)");
      assert.deepEqual(broken, []);
      await app.shot(SHOTS, "portfolio-960x640");
      await app.js("const y=document.querySelector('#year'); y.value='2025'; y.dispatchEvent(new Event('change'));");
      await app.waitText("#overview-title", (s) => s.includes("2025"));
      await app.shot(SHOTS, "portfolio-960x640-2025");
    });
  } finally {
    await app.quit();
  }
  await sleep(200);
});
