// The application packet in the real window: the sample company's
// materials marked, a file attached (the test places it where the app's
// open dialog would have led; BUTIE_E2E_DIR stands in for the dialogs) and
// opened, a filing window set and its days left seen on the page and in the
// overview, the packet generated, found on disk and read back with
// pdftotext; screenshots of the page and of the packet's first pages.
// Run by scripts/e2e.sh; the app runs on its own workspace
// (target/e2e/packet-workspace.sqlite).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { App, sleep } from "./driver.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const APP = process.env.BUTIE_APP || path.join(ROOT, "target/release/butie-app");
const OUT = path.join(ROOT, "target/e2e");
const FILES = process.env.BUTIE_E2E_DIR || path.join(OUT, "files");
const SHOTS = process.env.SCREENSHOT_DIR || path.join(OUT, "screenshots");
const WORKSPACE = path.join(OUT, "packet-workspace.sqlite");
const SAMPLE = "台州市椒江海跃跨境电子商务有限公司";

// A date `days` from today in this machine's time zone, YYYY-MM-DD.
function dayFromToday(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

const rows = (app, css) => app.js("return [...document.querySelectorAll(arguments[0])].map(e => e.textContent)", [css]);

test("a finance clerk prepares the materials, sets the deadline and generates the packet", async (t) => {
  fs.mkdirSync(FILES, { recursive: true });
  const evidence = Buffer.from("%PDF-1.4\n% 商标注册费发票（测试文件）\n" + "x".repeat(5000));
  fs.writeFileSync(path.join(FILES, "evidence.pdf"), evidence);
  const sha = crypto.createHash("sha256").update(evidence).digest("hex");
  for (const f of ["packet.pdf", "opened"]) fs.rmSync(path.join(FILES, f), { recursive: true, force: true });
  fs.rmSync(WORKSPACE, { force: true });
  const app = await App.start(APP, ["--workspace", WORKSPACE]);
  try {
    await app.js("if (state.lang !== 'zh') document.querySelector('#btn-lang').click();");
    await app.waitFor(() => app.js("return state.lang"), (l) => l === "zh");
    await app.js("const y=document.querySelector('#year'); y.value='2025'; y.dispatchEvent(new Event('change'));");
    await app.waitFor(() => app.js("return state.company && state.company.company.name"), (n) => n === SAMPLE);

    await t.test("the results show how many materials each clause has ready", async () => {
      await app.click("#tab-results");
      await app.waitFor(() => app.count("#results-table .materials-chip"), (n) => n >= 9);
      const chip = await app.text("tr[data-clause='tz.brand.trademark'] .materials-chip");
      assert.equal(chip, "材料 0/3");
    });

    await t.test("the materials page lists each filed clause's materials; one is marked 不适用", async () => {
      await app.click("tr[data-clause='tz.brand.trademark'] .materials-chip");
      await app.waitFor(() => app.visible("#view-materials"), (v) => v === true);
      await app.waitFor(() => app.count(".material-clause"), (n) => n >= 9);
      const items = await rows(app, ".material-clause[data-clause='tz.brand.trademark'] .material-text");
      assert.deepEqual(items, ["营业执照复印件（见通用材料）", "商标国际注册证书", "注册费用发票及付款凭证"]);
      // 营业执照复印件 is shown once, among the common documents, with the clauses it serves.
      assert.equal(await app.count(".material-clause.common li[data-common]"), 1);
      const serves = await app.text(".material-clause.common .serves");
      const n = Number(serves.match(/用于 (\d+) 项申报/)[1]);
      assert.ok(n >= 9 && serves.includes("商标国际注册一次性扶持"), serves);
      assert.equal(await app.count("li.shared-ref"), n, "each clause's list points at it");
      await app.js("const s=document.querySelector(\".material-clause.common li[data-common] select\"); s.value='not_applicable'; s.dispatchEvent(new Event('change'));");
      await app.waitText(".material-clause[data-clause='tz.brand.trademark'] h4 .chip", (s) => s === "已准备 0/2");
      await app.waitFor(() => app.count("li.shared-ref.not_applicable"), (k) => k === n);
    });

    await t.test("a file attached to a material is kept with its hash, marks it ready and opens", async () => {
      await app.click(".material-clause[data-clause='tz.brand.trademark'] li[data-item='3'] button.attach");
      await app.waitFor(() => app.count(".material-clause[data-clause='tz.brand.trademark'] li[data-item='3'] .evidence li"), (n) => n === 1);
      await app.waitText("#toast", (s) => s.includes("已附上：evidence.pdf"));
      const line = await app.text(".material-clause[data-clause='tz.brand.trademark'] li[data-item='3'] .evidence li");
      assert.match(line, /evidence\.pdf（4\.\d KB）/);
      assert.equal(await app.js("return document.querySelector(\".material-clause[data-clause='tz.brand.trademark'] li[data-item='3'] code.sha\").title"), "SHA-256 " + sha);
      assert.equal(await app.js("return document.querySelector(\".material-clause[data-clause='tz.brand.trademark'] li[data-item='3'] select\").value"), "ready");
      await app.waitText(".material-clause[data-clause='tz.brand.trademark'] h4 .chip", (s) => s === "已准备 1/2");
      await app.click(".material-clause[data-clause='tz.brand.trademark'] li[data-item='3'] .evidence button.link");
      const opened = path.join(FILES, "opened");
      await app.waitFor(() => (fs.existsSync(opened) ? fs.readdirSync(opened) : []), (l) => l.length === 1);
      const file = path.join(opened, fs.readdirSync(opened)[0]);
      assert.deepEqual(fs.readFileSync(file), evidence, "the copy opened holds the very bytes attached");
    });

    await t.test("a filing window shows the days left here and in the overview", async () => {
      const end = dayFromToday(10);
      // Dates are typed and shown as YYYY-MM-DD whatever the system's locale.
      assert.equal(await app.js("return document.querySelector('#dl-end').placeholder"), "YYYY-MM-DD");
      await app.type("#dl-end", end);
      assert.equal(await app.js("return document.querySelector('#dl-end').value"), end, "typed as it reads");
      await app.js("document.querySelector('#dl-notice').value = '关于组织申报2025年度跨境电商扶持资金的通知';");
      await app.click("#dl-save");
      await app.waitText("#deadline-list li", (s) => s.includes("还剩 10 天"));
      assert.match(await app.text("#deadline-list li"), new RegExp(end));
      await app.shot(SHOTS, "materials-checklist");
      // A window already past is said to be overdue, in red.
      await app.js("document.querySelector('#dl-end').value = arguments[0];", [dayFromToday(-3)]);
      await app.click("#dl-save");
      await app.waitText("#deadline-list li", (s) => s.includes("已逾期 3 天"));
      assert.equal(await app.js("return getComputedStyle(document.querySelector('#deadline-list .days-left')).color"), "rgb(196, 50, 10)");
      await app.js("document.querySelector('#dl-end').value = arguments[0];", [end]);
      await app.click("#dl-save");
      await app.waitText("#deadline-list li", (s) => s.includes("还剩 10 天"));
      // A window that ends before it starts is refused beside the form.
      await app.js("document.querySelector('#dl-start').value = arguments[0];", [dayFromToday(20)]);
      await app.click("#dl-save");
      await app.waitText("#dl-error", (s) => s.includes("早于开始日期"));
      await app.js("document.querySelector('#dl-start').value = '';");
      await app.click("#btn-overview");
      await app.waitFor(() => app.count("#overview-table tbody tr"), (n) => n === 1);
      assert.match(await app.text("#overview-table tbody tr .deadline-cell"), /还剩 10 天/);
      await app.click("#overview-table tbody tr td button.link");
      await app.waitFor(() => app.js("return state.view"), (v) => v === "results");
    });

    await t.test("the packet is generated, found on disk, and holds the filing with its evidence hash", async () => {
      await app.click("#tab-materials");
      await app.waitFor(() => app.count(".material-clause"), (n) => n >= 9);
      await app.click("#btn-packet");
      const said = await app.waitText("#packet-result", (s) => s.startsWith("已生成申报材料"), 30000);
      const pdf = path.join(FILES, "packet.pdf");
      assert.ok(said.includes(pdf), said);
      const text = execFileSync("pdftotext", ["-layout", pdf, "-"]).toString();
      const flat = text.replace(/\s+/g, "");
      for (const s of [SAMPLE, "91331002MA2A8K5L0Y", "目录", "第一部分申报表", "测算说明", "材料清单", "承诺书", sha, "【不适用】", "93,000.00", "通用材料1.营业执照复印件【不适用】"]) {
        assert.ok(flat.includes(s.replace(/\s+/g, "")), s);
      }
      const info = execFileSync("pdfinfo", [pdf]).toString();
      assert.match(info, /Author:\s+台州市椒江海跃跨境电子商务有限公司/);
      assert.match(info, /Creator:\s+补贴通 Butie/);
      execFileSync("pdftoppm", ["-r", "60", "-png", "-f", "1", "-l", "2", pdf, path.join(SHOTS, "packet-page")]);
      assert.ok(fs.readdirSync(SHOTS).filter((f) => f.startsWith("packet-page")).length === 2);
    });

    await t.test("an evidence file is removed after asking", async () => {
      await app.click(".material-clause[data-clause='tz.brand.trademark'] li[data-item='3'] .evidence .danger-link");
      await app.waitFor(() => app.visible("#modal"), (v) => v === true);
      await app.click("#modal-ok");
      await app.waitFor(() => app.count(".material-clause[data-clause='tz.brand.trademark'] li[data-item='3'] .evidence li"), (n) => n === 0);
      await app.waitText("#toast", (s) => s.includes("已删除：evidence.pdf"));
    });

    await t.test("a common document attached once serves every clause, and its removal says how many", async () => {
      await app.click(".material-clause.common li[data-common] button.attach");
      await app.waitFor(() => app.count(".material-clause.common li[data-common] .evidence li"), (k) => k === 1);
      assert.equal(await app.count(".material-clause:not(.common) .evidence li"), 0, "the file is listed once, not under each clause");
      await app.click(".material-clause.common li[data-common] .evidence .danger-link");
      await app.waitFor(() => app.visible("#modal"), (v) => v === true);
      const n = await app.count("li.shared-ref");
      assert.ok((await app.text("#modal")).includes(`它用于 ${n} 项申报`));
      await app.click("#modal-ok");
      await app.waitFor(() => app.count(".material-clause.common li[data-common] .evidence li"), (k) => k === 0);
    });
  } finally {
    await app.quit();
  }
  await sleep(200);
});
