// Policy packs as files in the real window: a pack signed with the test key
// (trusted beforehand with `butie keys add`) imports as 已验证; an unsigned
// one only after the user confirms, and its figures then say 未验证; a
// changed copy is compared with the pack in use; a Chengdu company is told
// its pack's term has ended. BUTIE_E2E_DIR stands in for the open dialog
// (pack.toml, diff.toml). Run by scripts/e2e.sh; own workspace
// (target/e2e/packs-workspace.sqlite).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { App, sleep } from "./driver.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const APP = process.env.BUTIE_APP || path.join(ROOT, "target/release/butie-app");
const CLI = process.env.BUTIE_CLI || path.join(ROOT, "target/release/butie");
const OUT = path.join(ROOT, "target/e2e");
const FILES = process.env.BUTIE_E2E_DIR || path.join(OUT, "files");
const SHOTS = process.env.SCREENSHOT_DIR || path.join(OUT, "screenshots");
const WORKSPACE = path.join(OUT, "packs-workspace.sqlite");
const SIGNED = path.join(ROOT, "tests/fixtures/packs/chengdu-cbec-2023-v2.toml");
const CHENGDU = "成都蓉欧优品跨境电子商务有限公司";
const JIANGSU = "泰州海陵跨境贸易有限公司";
const TIANJIN = "天津滨海跨境电商有限公司";

const cli = (...args) => execFileSync(CLI, ["--workspace", WORKSPACE, ...args]).toString();
const row = (app, id) => app.js("const r=document.querySelector(`#packs-table tr[data-pack='${arguments[0]}']`); return r ? [...r.cells].map(c => c.textContent) : null", [id]);

test("a consultant imports policy packs from files, compares versions, and sees what is verified", async (t) => {
  fs.mkdirSync(FILES, { recursive: true });
  fs.rmSync(WORKSPACE, { force: true });
  for (const f of ["pack.toml", "pack.toml.minisig", "diff.toml"]) fs.rmSync(path.join(FILES, f), { force: true });
  cli("import", path.join(ROOT, "samples/chengdu-sample.json"));
  const tianjin = path.join(OUT, "tianjin-company.json");
  fs.writeFileSync(tianjin, JSON.stringify({ company: { name: TIANJIN, city: "天津市", district: "滨海新区" }, year: 2025, facts: { tj_cbec_enterprise: true } }));
  cli("import", tianjin);
  cli("keys", "add", "园区商务办（测试公钥）", path.join(ROOT, "tests/fixtures/keys/butie-test.pub"));
  const app = await App.start(APP, ["--workspace", WORKSPACE]);
  try {
    await app.js("if (state.lang !== 'zh') document.querySelector('#btn-lang').click();");
    await app.waitFor(() => app.js("return state.lang"), (l) => l === "zh");

    await t.test("the packs in use, built in", async () => {
      await app.click("#btn-packs");
      await app.waitFor(() => row(app, "chengdu-cbec-2023"), (r) => r && r[1] === "2023-02-14");
      assert.match((await row(app, "chengdu-cbec-2023"))[3], /随程序提供/);
    });

    await t.test("a pack signed with a trusted key imports as 已验证", async () => {
      fs.copyFileSync(SIGNED, path.join(FILES, "pack.toml"));
      fs.copyFileSync(SIGNED + ".minisig", path.join(FILES, "pack.toml.minisig"));
      await app.click("#btn-pack-import");
      await app.waitText("#pack-result", (s) => s.includes("已导入政策包 chengdu-cbec-2023 版本 2025-06-01"));
      assert.match(await app.text("#pack-result"), /已验证：园区商务办（测试公钥）/);
      const r = await row(app, "chengdu-cbec-2023");
      assert.equal(r[1], "2025-06-01");
      assert.match(r[3], /已验证/);
      await app.shot(SHOTS, "packs-verified");
    });

    await t.test("an unsigned pack imports only after the user confirms, and is 未验证", async () => {
      fs.writeFileSync(path.join(FILES, "pack.toml"), fs.readFileSync(SIGNED, "utf8").replace('version = "2025-06-01"', 'version = "2025-09-01"'));
      fs.rmSync(path.join(FILES, "pack.toml.minisig"));
      await app.click("#btn-pack-import");
      await app.waitFor(() => app.visible("#modal"), (v) => v === true);
      assert.match(await app.text("#modal-text"), /没有签名/);
      assert.equal(await app.text("#modal-ok"), "以未验证导入");
      // Cancel first: nothing changes.
      await app.click("#modal-cancel");
      await sleep(200);
      assert.equal((await row(app, "chengdu-cbec-2023"))[1], "2025-06-01");
      await app.click("#btn-pack-import");
      await app.waitFor(() => app.visible("#modal"), (v) => v === true);
      await app.click("#modal-ok");
      await app.waitFor(() => row(app, "chengdu-cbec-2023"), (r) => r && r[1] === "2025-09-01");
      assert.match((await row(app, "chengdu-cbec-2023"))[3], /未验证/);
    });

    await t.test("the results of a company under the unverified pack say 未验证, and the ended term is said plainly", async () => {
      await app.openCompany(CHENGDU);
      await app.js("const y=document.querySelector('#year'); y.value='2024'; y.dispatchEvent(new Event('change'));");
      await app.click("#tab-results");
      await app.waitFor(() => app.js("return [...document.querySelectorAll('#pack-notes .pack-note')].map(n => n.textContent).join('|')"), (s) => s.includes("【未验证】"));
      const cover = await app.text("#pack-notes .pack-note.coverage");
      assert.match(cover, /已于 2025-12-31 结束/);
      assert.match(cover, /2026 年度起/);
      await app.shot(SHOTS, "packs-unverified-results");
      await app.js("const y=document.querySelector('#year'); y.value='2026'; y.dispatchEvent(new Event('change'));");
      await app.waitFor(() => app.text("#pack-notes .pack-note.coverage"), (s) => /2026 年度起/.test(s) && /导入政策包/.test(s));
      assert.equal(await app.js("return document.querySelector('#pack-notes .pack-note.coverage').classList.contains('warn')"), true);
    });

    await t.test("a changed copy is compared with the pack in use, in words, with the clients it changes", async () => {
      const text = fs.readFileSync(path.join(ROOT, "policies/chengdu-cbec-2023.toml"), "utf8");
      fs.writeFileSync(path.join(FILES, "diff.toml"), text.replace(/(base = "sichuan_made_export", rate = "0\.03", cap = )"1000000"/, '$1"1500000"'));
      await app.click("#btn-packs");
      await app.click("#btn-pack-diff");
      await app.waitFor(() => app.visible("#pack-diff"), (v) => v === true).catch(async (e) => {
        throw new Error(`${e.message}; the window says: ${await app.js("return document.querySelector('#toast').textContent")}`);
      });
      const changes = await app.js("return [...document.querySelectorAll('#pack-diff-changes li')].map(l => l.textContent)");
      assert.ok(changes.some((c) => c.includes("cd.transform.sichuan_made") && c.includes("封顶 1000000 → 1500000")), changes.join("\n"));
      assert.match(await app.text("#pack-diff-clients-title"), /个企业年度中有 \d+ 个/);
      await app.shot(SHOTS, "packs-diff");
    });

    await t.test("a Jiangsu company sees its province's measures, without figures; 泰州 is not 台州", async () => {
      await app.click("#btn-new-company");
      await app.type("#f-name", JIANGSU);
      await app.select("#f-city", "泰州市");
      // A city covered whole has no list of districts: the district is typed.
      await app.waitFor(() => app.visible("#f-district-text"), (v) => v === true);
      assert.equal(await app.visible("#f-district"), false);
      await app.type("#f-district-text", "海陵区");
      await app.click("#btn-save-company");
      await app.waitFor(() => app.js("return state.company && state.company.company.district"), (d) => d === "海陵区");
      await app.js("const y=document.querySelector('#year'); y.value='2025'; y.dispatchEvent(new Event('change'));");
      await app.click("#tab-results");
      await app.waitFor(() => app.count("#results-table tr[data-clause^='js.']"), (n) => n === 33);
      assert.equal(await app.count("#results-table tr[data-clause^='tz.']"), 0, "台州's clauses are not 泰州's");
      const notes = await app.js("return [...document.querySelectorAll('#pack-notes .pack-note')].map(n => n.textContent).join('|')");
      assert.match(notes, /本文件未公布具体标准/);
      assert.match(await app.text("#results-table tr[data-clause='js.overseas_warehouse']"), /公共海外仓/);
      // A measure that is no money says so, not "no published amount".
      assert.match(await app.text("#results-table tr[data-clause='js.fx.netting']"), /不涉及资金|需要补充/);
      await app.shot(SHOTS, "packs-jiangsu-reference");
    });

    await t.test("a Tianjin company is told its document is a draft for comments", async () => {
      await app.waitFor(() => app.count(".company-item"), (n) => n === 3);
      await app.openCompany(TIANJIN);
      await app.js("const y=document.querySelector('#year'); y.value='2025'; y.dispatchEvent(new Event('change'));");
      await app.click("#tab-results");
      await app.waitFor(() => app.count("#results-table tr[data-clause^='tj.'] .badge.draft"), (n) => n === 45);
      const notes = await app.js("return [...document.querySelectorAll('#pack-notes .pack-note')].map(n => n.textContent).join('|')");
      assert.match(notes, /【征求意见稿】/);
      await app.shot(SHOTS, "packs-tianjin-draft");
    });
  } finally {
    await app.quit();
  }
  await sleep(200);
});
