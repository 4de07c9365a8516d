// The installed app: the .deb unpacked into a scratch root (dpkg -x, nothing
// changed on the machine), its binary started from there under Xvfb with
// tauri-driver. No BUTIE_FONT_DIR and a root outside the source tree: a PDF
// that comes out proves the fonts were found through the bundle's resource
// path. Run by scripts/installed-test.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { App, sleep } from "../e2e/driver.mjs";

const APP = process.env.BUTIE_INSTALLED_APP;
const FILES = process.env.BUTIE_E2E_DIR;
const SHOTS = process.env.SCREENSHOT_DIR;
const WORKSPACE = process.env.BUTIE_INSTALLED_WORKSPACE;

test("the installed app opens on the sample company and writes its PDFs", async (t) => {
  assert.ok(APP && fs.existsSync(APP), `the installed binary exists: ${APP}`);
  assert.equal(process.env.BUTIE_FONT_DIR, undefined, "no font folder is handed to the installed app");
  const app = await App.start(APP, ["--workspace", WORKSPACE]);
  try {
    await t.test("the sample company's results", async () => {
      await app.waitText("#total", (x) => x.includes("470,175.25"));
      assert.equal(await app.count(".company-item"), 1);
      assert.match(await app.text("tr[data-clause='tz.brand.trademark'] .amount"), /93,000\.00/);
      await app.shot(SHOTS, "installed-results");
    });

    await t.test("PDFs written with the fonts the package installed", async () => {
      await app.click("#btn-pdf");
      const msg = await app.waitText("#pdf-result", (x) => x.includes("已生成") || x.includes("字体"), 60000);
      assert.match(msg, /已生成 \d+ 个文件/);
      const dir = path.join(FILES, "pdf");
      const files = fs.readdirSync(dir).filter((f) => f.endsWith(".pdf"));
      assert.ok(files.length >= 2, files.join(", "));
      const summary = files.find((f) => f.endsWith("补贴测算汇总.pdf"));
      assert.ok(summary, files.join(", "));
      const text = execFileSync("pdftotext", [path.join(dir, summary), "-"]).toString();
      assert.match(text, /台州/);
      assert.match(text, /470,175\.25/);
      const fonts = execFileSync("pdffonts", [path.join(dir, summary)]).toString();
      assert.match(fonts, /NotoSansCJK|NotoSans/);
    });
  } finally {
    await app.quit();
  }
  await sleep(200);
});
