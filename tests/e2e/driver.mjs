// A small WebDriver client for the desktop app (tauri-driver +
// WebKitWebDriver over plain HTTP, no npm packages) and a reader for the
// workbooks the app writes. Used by portfolio.test.mjs; app.test.mjs and
// a11y.test.mjs still carry their own copies of the client.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const DRIVER = process.env.WEBDRIVER_URL || "http://127.0.0.1:4444";
const W3C = "element-6066-11e4-a52e-4f735466cecf";
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function wd(method, url, body) {
  const r = await fetch(DRIVER + url, { method, headers: { "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(60000) });
  const j = await r.json();
  if (!r.ok) throw new Error(`${method} ${url}: ${JSON.stringify(j.value).slice(0, 300)}`);
  return j.value;
}

export class App {
  static async start(app, args = [], ready = "1") {
    const v = await wd("POST", "/session", { capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application: app, args } } } });
    const a = new App(v.sessionId);
    try {
      await a.waitFor(() => a.js("return document.body.dataset.ready || ''"), (x) => x === ready, 30000);
    } catch (e) {
      // tauri-driver holds one session: never leave it taken for the next test file.
      const toast = await a.js("return document.querySelector('#toast').textContent").catch(() => "");
      await a.quit().catch(() => {});
      throw new Error(`${e.message} (the window says: ${toast})`);
    }
    return a;
  }
  constructor(id) { this.id = id; }
  s(p) { return `/session/${this.id}${p}`; }
  js(script, args = []) { return wd("POST", this.s("/execute/sync"), { script, args }); }
  async find(css) { const v = await wd("POST", this.s("/element"), { using: "css selector", value: css }); return v[W3C]; }
  // A page that re-renders between finding and clicking leaves a stale node: find it again.
  async click(css) {
    for (let i = 0; ; i++) {
      try { return await wd("POST", this.s(`/element/${await this.find(css)}/click`), {}); } catch (e) {
        if (i >= 5 || !/stale element/.test(e.message)) throw e;
        await sleep(100);
      }
    }
  }
  // Clear a field and type into it as a user would (keys, not a value set).
  async type(css, text) {
    const id = await this.find(css);
    await wd("POST", this.s(`/element/${id}/clear`), {});
    await wd("POST", this.s(`/element/${id}/value`), { text });
  }
  async select(css, value) {
    await this.js("const s=document.querySelector(arguments[0]); s.value=arguments[1]; s.dispatchEvent(new Event('change', { bubbles: true }));", [css, value]);
  }
  // The window's outer size, as a user drags it.
  async setSize(width, height) { return wd("POST", this.s("/window/rect"), { width, height }); }
  async text(css) { return wd("GET", this.s(`/element/${await this.find(css)}/text`)); }
  async count(css) { return this.js("return document.querySelectorAll(arguments[0]).length", [css]); }
  async visible(css) { return this.js("const e=document.querySelector(arguments[0]); return !!e && !e.closest('.hidden') && e.getClientRects().length > 0", [css]); }
  async waitFor(get, ok, ms = 10000) {
    const end = Date.now() + ms;
    let last;
    while (Date.now() < end) {
      try { last = await get(); if (ok(last)) return last; } catch (e) { last = e.message; }
      await sleep(50);
    }
    throw new Error("timed out; last value: " + JSON.stringify(last));
  }
  async waitText(css, pred, ms) { return this.waitFor(() => this.text(css), pred, ms); }
  async shot(dir, name) {
    if (!dir) return;
    // WebKitWebDriver's screenshot waits for the next paint, and an idle page
    // under Xvfb without compositing may never paint again: touch one pixel.
    await this.js("const d=document.createElement('div'); d.style.cssText='position:fixed;left:0;top:0;width:1px;height:1px;opacity:0.01'; document.body.append(d); setTimeout(()=>d.remove(),50);");
    const b64 = await wd("GET", this.s("/screenshot"));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, name + ".png"), Buffer.from(b64, "base64"));
  }
  // Click a company in the list by name and wait until its page is loaded.
  async openCompany(name) {
    await this.js("document.querySelectorAll('.company-item').forEach(e => { if (e.textContent.includes(arguments[0])) e.click(); })", [name]);
    await this.waitFor(() => this.js("return state.company && state.company.company.name"), (x) => x === name);
  }
  async quit() { await wd("DELETE", this.s("")); }
}

// The files of a zip archive, by name (stored or deflated entries).
function unzip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("not a zip file");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = {};
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error("bad zip central directory");
    const method = buf.readUInt16LE(p + 10), size = buf.readUInt32LE(p + 20);
    const n = buf.readUInt16LE(p + 28), x = buf.readUInt16LE(p + 30), c = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + n);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    files[name] = method === 8 ? zlib.inflateRawSync(data) : data;
    p += 46 + n + x + c;
  }
  return files;
}

const unescape = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");

// An .xlsx file as { sheetName: [[cell text, …], …] } (shared and inline
// strings, numbers as written; enough for checking what the app wrote).
export function readXlsx(file) {
  const z = unzip(fs.readFileSync(file));
  const text = (name) => (z[name] ? z[name].toString("utf8") : "");
  const shared = [...text("xl/sharedStrings.xml").matchAll(/<si>([\s\S]*?)<\/si>/g)]
    .map((m) => unescape([...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join("")));
  const rels = Object.fromEntries([...text("xl/_rels/workbook.xml.rels").matchAll(/<Relationship [^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"/g)].map((m) => [m[1], m[2]]));
  const out = {};
  for (const m of text("xl/workbook.xml").matchAll(/<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"/g)) {
    const target = rels[m[2]].replace(/^\/?xl\//, "");
    const rows = [];
    for (const r of text("xl/" + target).matchAll(/<row [^>]*?r="(\d+)"[^>]*>([\s\S]*?)<\/row>/g)) {
      const cells = [];
      for (const c of r[2].matchAll(/<c r="([A-Z]+)\d+"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const col = [...c[1]].reduce((a, ch) => a * 26 + ch.charCodeAt(0) - 64, 0) - 1;
        const v = (c[3] || "").match(/<v>([\s\S]*?)<\/v>/);
        const inline = (c[3] || "").match(/<t[^>]*>([\s\S]*?)<\/t>/);
        cells[col] = /t="s"/.test(c[2]) ? shared[Number(v[1])] : inline ? unescape(inline[1]) : v ? unescape(v[1]) : "";
      }
      rows[Number(r[1]) - 1] = Array.from(cells, (x) => x ?? "");
    }
    out[unescape(m[1])] = Array.from(rows, (x) => x ?? []);
  }
  return out;
}
