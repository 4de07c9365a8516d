// 补贴通 front end: plain JavaScript over the app's own Tauri commands.
// Every number shown comes from the Rust side; nothing is computed here.
"use strict";

const invoke = (cmd, args) => window.__TAURI__.core.invoke(cmd, args);
const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
};

const state = {
  lang: localStorage.getItem("butie.lang") || "zh",
  year: Number(localStorage.getItem("butie.year")) || 2025,
  meta: null,
  companyId: null,
  company: null,
  view: "profile",
  result: null,
  openDetail: null,
};

const t = (k, vars = {}) => (T[state.lang][k] || k).replace(/\{(\w+)\}/g, (_, v) => vars[v] ?? "");

// Every command fails with one { field, message } object; the message is in
// the chosen language and never repeats the field name.
function errMessage(e) {
  if (e && typeof e === "object" && typeof e.message === "string") return { field: e.field || "", message: e.message };
  return { field: "", message: String(e) };
}

function toast(msg, bad = false) {
  const box = $("#toast");
  box.textContent = msg;
  box.className = bad ? "bad" : "";
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => box.classList.add("hidden"), 4000);
}

// ------------------------------------------------------------ chrome

function applyChrome() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  $("#app-title").textContent = state.lang === "zh" ? "补贴通" : "Butie";
  $("#app-sub").textContent = t("sub");
  $("#lbl-year").textContent = t("year");
  $("#btn-lang").textContent = t("langBtn");
  // The button names the other language in that language.
  $("#btn-lang").lang = state.lang === "zh" ? "en" : "zh-CN";
  $("#company-search").placeholder = t("search");
  $("#company-search").setAttribute("aria-label", t("searchLabel"));
  $("#company-list").setAttribute("aria-label", t("companyList"));
  $("#tabs").setAttribute("aria-label", t("tabsLabel"));
  $("#btn-new-company").textContent = t("newCompany");
  $("#btn-import").textContent = t("import");
  $("#btn-overview").textContent = t("overview");
  $("#btn-packs").textContent = t("packs");
  $("#overview-filter").placeholder = t("ovFilter");
  $("#f-district-text").placeholder = t("districtFree");
  $("#f-district-text").setAttribute("aria-label", t("district"));
  $("#overview-filter").setAttribute("aria-label", t("ovFilter"));
  $("#overview-city").setAttribute("aria-label", t("ovPlace"));
  $("#btn-sheet-import").textContent = t("sheetImport");
  $("#btn-template").textContent = t("template");
  $("#btn-overview-export").textContent = t("ovExport");
  $("#pdf-job-cancel").textContent = t("pdfJobCancel");
  for (const v of VIEWS) $("#tab-" + v).textContent = t(v);
  document.querySelectorAll("[data-t]").forEach((n) => (n.textContent = t(n.dataset.t)));
  $("#btn-save-company").textContent = t("save");
  $("#btn-export").textContent = t("export");
  $("#btn-delete").textContent = t("del");
  $("#btn-save-eval").textContent = t("saveEval");
  $("#btn-pdf").textContent = t("pdf");
  $("#modal-ok").textContent = t("ok");
  $("#modal-cancel").textContent = t("cancel");
  $("#empty-state").textContent = t("noCompany");
  if (state.meta) $("#workspace-path").textContent = t("workspace") + state.meta.workspace;
  showPdfResult();
}

function showPdfResult() {
  const r = state.lastPdf;
  $("#pdf-result").textContent = !r ? "" : r.error ? r.error : r.cancelled ? t("cancelled") : t("pdfDone", { n: r.files.length, dir: r.dir });
}

function fillYears() {
  const sel = $("#year");
  sel.innerHTML = "";
  for (let y = 2023; y <= 2027; y++) sel.append(el("option", { value: y, text: String(y) }));
  sel.value = String(state.year);
}

const VIEWS = ["profile", "interview", "results", "materials", "claims", "history"];

function showView(v) {
  if (v === "overview") return showOverview();
  if (v === "packs") return showPacks();
  $("#view-overview").classList.add("hidden");
  $("#view-packs").classList.add("hidden");
  if (state.companyId != null) $("#tabs").classList.remove("hidden");
  if (v !== state.view) $("#main").scrollTop = 0;
  state.view = v;
  for (const name of VIEWS) {
    $("#view-" + name).classList.toggle("hidden", name !== v);
    const tab = $("#tab-" + name);
    tab.classList.toggle("active", name === v);
    // A tablist: the chosen tab is the one Tab stops at; arrows move between them.
    tab.setAttribute("aria-selected", String(name === v));
    tab.tabIndex = name === v ? 0 : -1;
  }
  if (v === "interview" || v === "results") refreshEvaluation();
  if (v === "history") loadHistory();
  if (v === "claims") loadClaims();
  if (v === "materials") loadPapers();
}

// ------------------------------------------------------------ overview

// Every client for the chosen year, sortable and filterable; a row opens it.
// ------------------------------------------------------------ policy packs

async function showPacks() {
  state.view = "packs";
  for (const name of VIEWS) $("#view-" + name).classList.add("hidden");
  $("#tabs").classList.add("hidden");
  $("#empty-state").classList.add("hidden");
  $("#view-overview").classList.add("hidden");
  $("#view-packs").classList.remove("hidden");
  $("#packs-title").textContent = t("packsTitle");
  $("#packs-intro").textContent = t("packsIntro");
  $("#btn-pack-import").textContent = t("packImport");
  $("#btn-pack-diff").textContent = t("packDiff");
  try { renderPacks(await invoke("packs_in_use", { lang: state.lang })); }
  catch (e) { toast(errMessage(e).message, true); }
}

function renderPacks(list) {
  $("#packs-table thead tr").replaceChildren(...["packCol", "packVersion", "packTerm", "packTrust"].map((k) => el("th", { text: t(k) })));
  $("#packs-table tbody").replaceChildren(...list.map((p) => el("tr", { "data-pack": p.id },
    el("td", {}, el("strong", { text: p.title }), el("div", { class: "muted small", text: `${p.city} · ${p.id} · sha256:${p.sha256.slice(0, 12)}` })),
    el("td", { text: p.version }),
    el("td", { text: `${p.valid_from} — ${p.valid_to}` }),
    el("td", {}, el("span", { class: "chip trust-" + p.trust, text: p.trust_text })))));
}

async function importPack() {
  $("#pack-result").textContent = "";
  let picked;
  try { picked = await invoke("pick_pack_file", { lang: state.lang }); }
  catch (e) { toast(errMessage(e).message, true); return; }
  if (picked.cancelled) return;
  let r;
  for (const allowUnsigned of [false, true]) {
    try { r = await invoke("import_pack", { file: picked.file, allowUnsigned, lang: state.lang }); break; }
    catch (e) {
      const err = errMessage(e);
      // Unsigned, or a key not trusted: only with the user's consent.
      if (err.field === "pack.unsigned" && !allowUnsigned && await confirmModal(t("confirmUnsigned", { message: err.message }), t("importAnyway"))) continue;
      if (err.field !== "pack.unsigned") { $("#pack-result").textContent = err.message; $("#pack-result").className = "bad"; }
      return;
    }
  }
  $("#pack-result").className = "";
  $("#pack-result").textContent = r.text;
  renderPacks(r.packs);
  state.meta = await invoke("meta", { lang: state.lang });
}

async function diffPack() {
  let d;
  try { d = await invoke("diff_pack", { lang: state.lang }); }
  catch (e) { $("#pack-result").textContent = errMessage(e).message; $("#pack-result").className = "bad"; return; }
  if (d.cancelled) return;
  $("#pack-diff").classList.remove("hidden");
  $("#pack-diff-title").textContent = t("diffTitle", { pack: d.pack, old: d.old_version, new: d.new_version });
  $("#pack-diff-changes").replaceChildren(...(d.changes.length ? d.changes.map((c) => el("li", { text: c })) : [el("li", { text: t("diffNone") })]));
  $("#pack-diff-clients-title").textContent = t("diffClients", { n: d.clients.length, checked: d.checked });
  $("#pack-diff-clients").replaceChildren(...d.clients.map((c) => el("li", { text: c })));
}

async function showOverview() {
  state.view = "overview";
  $("#view-packs").classList.add("hidden");
  for (const name of VIEWS) $("#view-" + name).classList.add("hidden");
  $("#tabs").classList.add("hidden");
  $("#empty-state").classList.add("hidden");
  $("#view-overview").classList.remove("hidden");
  $("#overview-title").textContent = t("overviewTitle", { year: state.year });
  try {
    state.overview = await invoke("overview", { year: state.year, lang: state.lang });
  } catch (e) { toast(errMessage(e).message, true); state.overview = []; }
  const city = $("#overview-city");
  const chosen = city.value;
  city.replaceChildren(el("option", { value: "", text: t("allCities") }), ...Object.keys(state.meta.cities).map((c) => el("option", { value: c, text: c })));
  city.value = chosen;
  renderOverview();
}

const OVERVIEW_COLUMNS = [
  ["name", "ovCompany", false], ["place", "ovPlace", false], ["total", "total", true], ["total_provisional", "ovProvisional", true],
  ["total_max", "ovMax", true], ["eligible", "ovEligible", true], ["open", "ovOpen", true], ["filed", "ovFiled", true], ["deadline", "ovDeadline", true],
];

function renderOverview() {
  const sort = state.overviewSort || { key: "total", dir: -1 };
  const q = $("#overview-filter").value.trim().toLowerCase();
  const city = $("#overview-city").value;
  const value = (r, k) => k === "place" ? r.city + r.district
    : k === "filed" ? (r.claims.submitted || 0) + (r.claims.approved || 0)
    : k === "deadline" ? (r.deadline && r.deadline.days_left != null ? r.deadline.days_left : Infinity)
    : ["total", "total_max", "total_provisional"].includes(k) ? Number(r[k]) : r[k];
  const rows = (state.overview || [])
    .filter((r) => (!city || r.city === city) && (!q || [r.name, r.uscc || "", r.city + r.district].some((x) => x.toLowerCase().includes(q))))
    .sort((a, b) => { const x = value(a, sort.key), y = value(b, sort.key); return (x < y ? -1 : x > y ? 1 : 0) * sort.dir || a.id - b.id; });
  // Export and PDFs take the companies listed, in the order shown.
  state.overviewRows = rows;
  $("#btn-overview-pdfs").textContent = t("ovPdfs", { n: rows.length });
  $("#btn-overview-pdfs").disabled = rows.length === 0 || !!state.pdfJob;
  $("#btn-overview-export").disabled = rows.length === 0;
  $("#overview-head").replaceChildren(...OVERVIEW_COLUMNS.map(([k, label, num]) => el("th", { class: num ? "num" : "", "aria-sort": sort.key === k ? (sort.dir > 0 ? "ascending" : "descending") : "none" },
    el("button", { type: "button", class: "link sort", text: t(label) + (sort.key === k ? (sort.dir > 0 ? " ▲" : " ▼") : ""),
      onclick: () => { state.overviewSort = { key: k, dir: sort.key === k ? -sort.dir : (num ? -1 : 1) }; renderOverview(); } }))));
  const statusText = (r) => Object.entries(r.claims).map(([k, n]) => `${(state.meta.claim_statuses.find((s) => s.key === k) || { label: k }).label} ${n}`).join(state.lang === "zh" ? "，" : ", ");
  $("#overview-table tbody").replaceChildren(...rows.map((r) => {
    const tr = el("tr", { "data-company": r.id },
      el("td", {}, el("button", { type: "button", class: "link", text: r.name, onclick: () => openFromOverview(r.id) }), r.sample ? el("span", { class: "badge sample", text: t("sample") }) : null),
      el("td", { text: r.city + r.district }),
      el("td", { class: "num", text: grouped(r.total) }),
      el("td", { class: "num", text: r.total_provisional !== r.total ? "≈ " + grouped(r.total_provisional) : "" }),
      el("td", { class: "num", text: grouped(r.total_max) }),
      el("td", { class: "num", text: String(r.eligible) }),
      el("td", { class: "num", text: String(r.open) }),
      el("td", { class: "small", text: statusText(r) }),
      el("td", { class: "small deadline-cell" + (r.deadline && r.deadline.overdue ? " overdue" : ""), title: r.deadline ? `${r.deadline.pack_title} · ${r.deadline.end} · ${r.deadline.notice}` : "",
        text: r.deadline ? `${r.deadline.end}（${r.deadline.text}）` : "" }));
    return tr;
  }));
}

// Import: the file is read and every row checked; the user sees the rows
// accepted and refused, and only "save" writes (one transaction).
async function importSheet() {
  let p;
  try { p = await invoke("import_sheet", { year: state.year, lang: state.lang }); }
  catch (e) { toast(errMessage(e).message, true); return; }
  if (p.cancelled) return;
  state.sheet = p;
  const box = $("#sheet-preview");
  const name = p.file.split(/[\\/]/).pop();
  $("#sheet-preview-title").textContent = t("sheetTitle", { file: name });
  $("#sheet-preview-summary").textContent = p.accepted.length ? t("sheetSummary", { read: p.read, ok: p.accepted.length, bad: p.refused_rows }) : t("sheetNothing");
  $("#sheet-save").textContent = t("sheetSave", { n: p.accepted.length });
  $("#sheet-save").disabled = p.accepted.length === 0;
  $("#sheet-discard").textContent = t("sheetDiscard");
  const head = (tbl, cols) => $(tbl + " thead tr").replaceChildren(...cols.map((c) => el("th", { text: c })));
  $("#sheet-refused-title").textContent = t("sheetRefused") + ` (${p.refused_rows})`;
  $("#sheet-refused-title").classList.toggle("hidden", !p.refused.length);
  $("#sheet-refused").classList.toggle("hidden", !p.refused.length);
  head("#sheet-refused", [t("row"), t("sheetCol"), t("sheetProblem")]);
  $("#sheet-refused tbody").replaceChildren(...p.refused.map((r) => el("tr", { class: "refused" },
    el("td", { class: "num", text: String(r.row) }), el("td", { text: r.column }), el("td", { text: r.message }))));
  $("#sheet-accepted-title").textContent = t("sheetAccepted") + ` (${p.accepted.length})`;
  head("#sheet-accepted", [t("row"), t("name"), t("uscc"), t("ovPlace"), t("claimYear"), t("sheetAction")]);
  $("#sheet-accepted tbody").replaceChildren(...p.accepted.map((r) => el("tr", {},
    el("td", { class: "num", text: String(r.row) }), el("td", { text: r.name }), el("td", { text: r.uscc || "" }),
    el("td", { text: r.city + r.district }), el("td", { text: String(r.year) }), el("td", { text: r.action_text }))));
  box.classList.remove("hidden");
  (p.accepted.length ? $("#sheet-save") : $("#sheet-discard")).focus();
}

async function saveSheet() {
  try {
    const r = await invoke("save_sheet", { lang: state.lang });
    toast(r.text);
  } catch (e) { toast(errMessage(e).message, true); }
  state.sheet = null;
  $("#sheet-preview").classList.add("hidden");
  await loadCompanies();
  await showOverview();
}

async function discardSheet() {
  await invoke("discard_sheet");
  state.sheet = null;
  $("#sheet-preview").classList.add("hidden");
  $("#btn-sheet-import").focus();
}

async function saveTemplate() {
  try {
    const r = await invoke("save_template", { lang: state.lang });
    if (!r.cancelled) toast(t("templateSaved", { file: r.file }));
  } catch (e) { toast(errMessage(e).message, true); }
}

async function exportOverview() {
  const ids = (state.overviewRows || []).map((r) => r.id);
  try {
    const r = await invoke("export_overview", { ids, year: state.year, lang: state.lang });
    if (!r.cancelled) toast(t("ovExported", { n: ids.length, file: r.file }));
  } catch (e) { toast(errMessage(e).message, true); }
}

// PDFs for every listed company run on their own thread; the window polls
// the count, so it stays usable, and may cancel.
async function portfolioPdfs() {
  const ids = (state.overviewRows || []).map((r) => r.id);
  let st;
  try { st = await invoke("portfolio_pdfs", { ids, year: state.year, lang: state.lang }); }
  catch (e) { toast(errMessage(e).message, true); return; }
  if (st.cancelled) return;
  state.pdfJob = true;
  $("#btn-overview-pdfs").disabled = true;
  $("#pdf-job").classList.remove("hidden");
  $("#pdf-job-cancel").classList.remove("hidden");
  $("#pdf-job-cancel").disabled = false;
  $("#pdf-job-cancel").textContent = t("pdfJobCancel");
  showPdfJob(st);
  const poll = async () => {
    try { st = await invoke("pdf_job"); } catch (e) { st = { running: false, outcome: { Err: errMessage(e) } }; }
    showPdfJob(st);
    if (st.running || !st.outcome) { setTimeout(poll, 250); return; }
    state.pdfJob = false;
    $("#pdf-job-cancel").classList.add("hidden");
    $("#btn-overview-pdfs").disabled = !(state.overviewRows || []).length;
    const o = st.outcome;
    if (o.Ok) { $("#pdf-job-text").textContent = o.Ok.text + (o.Ok.failed.length ? "：" + o.Ok.failed.join("；") : ""); }
    else { $("#pdf-job-text").textContent = errMessage(o.Err).message; $("#pdf-job-text").classList.add("bad"); }
  };
  setTimeout(poll, 250);
}

function showPdfJob(st) {
  $("#pdf-job-text").classList.remove("bad");
  $("#pdf-job-bar").max = Math.max(1, st.total);
  $("#pdf-job-bar").value = st.done;
  $("#pdf-job-text").textContent = st.cancelling && st.running ? t("pdfJobCancelling") : t("pdfJobRunning", { done: st.done, total: st.total });
}

async function openFromOverview(id) {
  state.view = "results";
  await selectCompany(id);
}

// ------------------------------------------------------------ companies

let usccTimer = null;

async function loadCompanies() {
  const list = await invoke("list_companies", { search: $("#company-search").value, lang: state.lang });
  const ul = $("#company-list");
  // The list is rebuilt; the item the keyboard was on keeps the focus.
  const had = ul.contains(document.activeElement) ? document.activeElement.dataset.id : null;
  ul.innerHTML = "";
  for (const c of list) {
    const on = c.id === state.companyId;
    const li = el("li", { class: "company-item" + (on ? " selected" : ""), "data-id": c.id, id: "company-" + c.id,
      role: "option", "aria-selected": String(on), tabindex: "-1" },
      el("strong", { text: c.name }, c.sample ? el("span", { class: "badge sample", text: t("sample") }) : null),
      el("span", { class: "muted small", text: `${c.city}${c.district} · ${c.uscc || "—"}` }));
    li.addEventListener("click", () => selectCompany(c.id));
    ul.append(li);
  }
  // One item is the list's Tab stop (roving tabindex): the selected one, else the first.
  const stop = ul.querySelector(".company-item.selected") || ul.querySelector(".company-item");
  if (stop) stop.tabIndex = 0;
  if (had != null) { const n = ul.querySelector(`.company-item[data-id="${had}"]`) || stop; if (n) n.focus(); }
  // First run: one line saying what the sample is and what to do next.
  $("#sample-hint").textContent = list.length === 1 && list[0].sample ? t("sampleHint") : "";
  return list;
}

// ↑/↓ (Home/End) move through the companies, Enter or Space opens one.
function companyListKeys(e) {
  const items = [...document.querySelectorAll("#company-list .company-item")];
  const i = items.indexOf(document.activeElement);
  if (i < 0) return;
  let j = null;
  if (e.key === "ArrowDown") j = Math.min(i + 1, items.length - 1);
  else if (e.key === "ArrowUp") j = Math.max(i - 1, 0);
  else if (e.key === "Home") j = 0;
  else if (e.key === "End") j = items.length - 1;
  else if (e.key === "Enter" || e.key === " ") { e.preventDefault(); items[i].click(); return; }
  if (j == null) return;
  e.preventDefault();
  items.forEach((n, k) => (n.tabIndex = k === j ? 0 : -1));
  items[j].focus();
}

// ←/→ (Home/End) move between the tabs and show the one reached.
function tabKeys(e) {
  const tabs = [...document.querySelectorAll("#tabs [role=tab]")];
  const i = tabs.indexOf(document.activeElement);
  if (i < 0) return;
  const j = e.key === "ArrowRight" ? (i + 1) % tabs.length : e.key === "ArrowLeft" ? (i - 1 + tabs.length) % tabs.length
    : e.key === "Home" ? 0 : e.key === "End" ? tabs.length - 1 : null;
  if (j == null) return;
  e.preventDefault();
  // Refused (no company saved yet): the focus stays where it was.
  tabs[j].click();
  if (tabs[j].getAttribute("aria-selected") === "true") tabs[j].focus();
}

// A city a pack covers whole (江苏省's cities, say) has no list of
// districts: the district is typed instead of chosen.
function fillDistricts(city, selected) {
  const sel = $("#f-district"), text = $("#f-district-text");
  const list = state.meta.cities[city] || [];
  sel.innerHTML = "";
  for (const d of list) sel.append(el("option", { value: d, text: d }));
  sel.classList.toggle("hidden", list.length === 0);
  text.classList.toggle("hidden", list.length > 0);
  if (list.length === 0) text.value = selected || "";
  else if (selected) sel.value = selected;
}

function districtValue() {
  return (state.meta.cities[$("#f-city").value] || []).length ? $("#f-district").value : $("#f-district-text").value.trim();
}

function clearFieldErrors() {
  document.querySelectorAll(".field-error").forEach((n) => (n.textContent = ""));
  $("#form-error").textContent = "";
}

function showCompanyForm(c) {
  clearFieldErrors();
  state.formDirty = false;
  $("#f-city").dataset.touched = c ? "1" : "";
  $("#warn-region").textContent = "";
  $("#profile-title").textContent = c ? c.company.name : t("newTitle");
  const v = c ? c.company : { city: Object.keys(state.meta.cities)[0] };
  for (const k of ["name", "uscc", "legal_rep", "contact", "phone", "bank", "bank_account"]) $("#f-" + k).value = v[k] || "";
  $("#f-city").value = v.city;
  fillDistricts(v.city, v.district);
  $("#btn-delete").classList.toggle("hidden", !c);
  $("#btn-export").classList.toggle("hidden", !c);
}

// True when there is nothing unsaved, or the user agrees to drop it.
async function leaveForm() {
  if (!state.formDirty) return true;
  const ok = await confirmModal(t("discardForm"));
  if (ok) state.formDirty = false;
  return ok;
}

async function selectCompany(id) {
  if (id !== state.companyId && !(await leaveForm())) return;
  if (id !== state.companyId) { state.openDetail = null; state.lastPdf = null; showPdfResult(); }
  state.companyId = id;
  state.company = id == null ? null : await invoke("get_company", { id, lang: state.lang });
  $("#empty-state").classList.add("hidden");
  $("#tabs").classList.remove("hidden");
  showCompanyForm(state.company);
  await loadCompanies();
  showView(state.view === "history" || state.view === "profile" || id == null ? "profile" : state.view === "overview" || state.view === "packs" ? "results" : state.view);
}

function formFields() {
  const f = {};
  for (const k of ["name", "uscc", "city", "legal_rep", "contact", "phone", "bank", "bank_account"]) f[k] = $("#f-" + k).value;
  f.district = districtValue();
  // 严重失信 is asked once, in the interview (a fact of each year); the
  // company record keeps whatever it held (an import may have set it).
  const c = state.companyId != null && state.company ? state.company.company : null;
  f.serious_dishonesty_listed = c ? c.serious_dishonesty_listed ?? null : null;
  return f;
}

async function saveCompany(ev) {
  ev.preventDefault();
  // A live check still pending must not wipe what the save is about to say.
  clearTimeout(usccTimer);
  clearFieldErrors();
  try {
    const r = await invoke("save_company", { id: state.companyId, fields: formFields(), lang: state.lang });
    toast(t("saved"));
    state.formDirty = false;
    await selectCompany(r.id);
  } catch (e) {
    const { field, message } = errMessage(e);
    const slot = field && $("#err-" + field.replace("company.", ""));
    if (slot) slot.textContent = message; else $("#form-error").textContent = message;
    toast(t("notSaved") + message, true);
  }
}

function checkUsccLive() {
  clearTimeout(usccTimer);
  usccTimer = setTimeout(async () => {
    const v = $("#f-uscc").value;
    const slot = $("#err-uscc");
    // Only judge a complete code (spaces and hyphens of a pasted code do not
    // count); while typing, count the characters.
    const n = v.replace(/[\s\-－]/g, "").length;
    if (n > 0 && n < 18) { slot.textContent = `${n}/18`; slot.classList.add("soft"); return; }
    slot.classList.remove("soft");
    try { const ok = await invoke("check_uscc", { uscc: v, lang: state.lang }); slot.textContent = ""; regionFromUscc(ok); }
    catch (e) { slot.textContent = errMessage(e).message; }
  }, 150);
}

// The credit code's division code names the city (and usually the
// district): fill them in for a new company the user has not placed yet,
// and warn when the chosen ones disagree.
function regionFromUscc(ok) {
  const warn = $("#warn-region");
  warn.textContent = "";
  if (!ok || !ok.city) return;
  const placed = $("#f-city").dataset.touched === "1";
  if (state.companyId == null && !placed) {
    $("#f-city").value = ok.city;
    fillDistricts(ok.city, ok.district);
    return;
  }
  const city = $("#f-city").value, district = districtValue();
  if (city !== ok.city || (ok.district && district !== ok.district)) {
    warn.textContent = t("regionDisagrees", { where: ok.city + (ok.district || ""), code: $("#f-uscc").value.replace(/[\s\-－]/g, "").slice(2, 8) });
  }
}

function confirmModal(text, okLabel) {
  $("#modal-ok").textContent = okLabel || t("ok");
  return new Promise((resolve) => {
    // The control that opened the dialog gets the focus back when it closes.
    const opener = document.activeElement;
    const behind = [$("#topbar"), $("#layout")];
    const buttons = [$("#modal-ok"), $("#modal-cancel")];
    $("#modal-text").textContent = text;
    $("#modal").classList.remove("hidden");
    // While it is open the dialog is all there is: Tab and Shift+Tab cycle
    // through its buttons, Esc is Cancel, the window behind is out of reach.
    const keys = (e) => {
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); done(false); return; }
      if (e.key !== "Tab") return;
      e.preventDefault();
      const i = buttons.indexOf(document.activeElement);
      buttons[e.shiftKey ? (i <= 0 ? buttons.length - 1 : i - 1) : (i + 1) % buttons.length].focus();
    };
    const done = (v) => {
      $("#modal").classList.add("hidden");
      document.removeEventListener("keydown", keys, true);
      for (const n of behind) n.inert = false;
      if (opener && opener.isConnected && opener.offsetParent !== null) opener.focus();
      resolve(v);
    };
    document.addEventListener("keydown", keys, true);
    for (const n of behind) n.inert = true;
    $("#modal-ok").onclick = () => done(true);
    $("#modal-cancel").onclick = () => done(false);
    // The safe choice has the focus.
    $("#modal-cancel").focus();
  });
}

async function deleteCompany() {
  if (!state.company) return;
  const ok = await confirmModal(t("confirmDelete", { name: state.company.company.name }));
  if (!ok) return;
  try {
    const r = await invoke("delete_company", { id: state.companyId, lang: state.lang });
    toast(r.archived ? t("archived") : t("deleted"));
    state.companyId = null;
    state.company = null;
    const list = await loadCompanies();
    if (list.length) await selectCompany(list[0].id); else showEmpty();
  } catch (e) { toast(errMessage(e).message, true); }
}

function showEmpty() {
  $("#empty-state").classList.remove("hidden");
  showCompanyForm(null);
}

// ------------------------------------------------------------ evaluation

async function refreshEvaluation() {
  if (state.companyId == null) return;
  try {
    state.result = await invoke("evaluate", { id: state.companyId, year: state.year, lang: state.lang });
    state.coverage = await invoke("coverage", { id: state.companyId, year: state.year, lang: state.lang });
    renderInterview();
    renderResults();
  } catch (e) { toast(errMessage(e).message, true); }
}

// Display only: grouped digits of the exact decimal string from Rust.
function grouped(s) {
  if (s == null) return "";
  const [i, f] = s.split(".");
  return i.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (f ? "." + f : "");
}

function renderInterview() {
  const r = state.result;
  const { answered, open } = r.progress;
  const pct = answered + open === 0 ? 100 : Math.round((100 * answered) / (answered + open));
  $("#progress-fill").style.width = pct + "%";
  $("#progress-bar").setAttribute("aria-valuenow", String(pct));
  $("#progress-text").textContent = t("progress", { a: answered, o: open });
  $("#interview-intro").textContent = !r.any_pack_applies ? t("noPackThisYear", { year: r.year }) : open === 0 ? t("allDone") : t("intro");
  offerCarryOver();
  const box = $("#questions");
  // Keep focus where the user is typing.
  const focused = document.activeElement && document.activeElement.id;
  const inQuestion = box.contains(document.activeElement) ? document.activeElement.closest(".question") : null;
  const order = [...box.querySelectorAll(".question")].map((n) => n.dataset.key);
  // Questions already on screen are updated in place, not rebuilt: a field
  // the user is in, or about to tab into, must not vanish under them.
  const old = new Map();
  box.querySelectorAll(".question").forEach((n) => old.set(n.dataset.key, n));
  const groups = new Map();
  for (const q of r.questions) {
    const topic = q.topic === "company" ? t("topicCompany") : state.meta.topics[q.topic] || "";
    if (!groups.has(topic)) groups.set(topic, []);
    groups.get(topic).push(q);
  }
  const sets = [];
  for (const [topic, qs] of groups) {
    const fs = el("fieldset", { class: "topic" }, el("legend", { text: topic }));
    for (const q of qs) {
      const prev = old.get(q.key);
      fs.append(prev && prev.dataset.lang === state.lang && q.def.kind !== "list" ? updateQuestion(prev, q) : renderQuestion(q));
    }
    sets.push(fs);
  }
  box.replaceChildren(...sets);
  if (focused) { const f = document.getElementById(focused); if (f && f !== document.activeElement) f.focus(); }
  // The control the user was on is gone (a list redrawn, or the answer
  // settled the question): the same question, else the next one, takes the
  // focus, never the page.
  if (inQuestion && !box.contains(document.activeElement)) {
    const keys = order.slice(Math.max(order.indexOf(inQuestion.dataset.key), 0));
    const next = keys.map((k) => box.querySelector(`.question[data-key="${k}"]`)).find(Boolean) || box.querySelector(".question");
    const c = next && next.querySelector("input, select, button.choice");
    if (c) c.focus();
  }
  // Enter moved on to the next question: the answer may have brought in a
  // follow-up right after the one answered, which is then the next question.
  const adv = advanceAfter;
  advanceAfter = null;
  if (adv && Date.now() < adv.until && document.activeElement && document.activeElement.id === adv.to) {
    const qs = [...box.querySelectorAll(".question")];
    const i = qs.findIndex((n) => n.dataset.key === adv.key);
    const c = i >= 0 && qs.slice(i + 1).map((n) => n.querySelector("input, select, button.choice")).find(Boolean);
    if (c && c !== document.activeElement) c.focus();
  }
}

// A year with no answers yet: offer the standing answers (recognitions,
// business types, leases) of the latest earlier year.
async function offerCarryOver() {
  const box = $("#carry-over");
  const years = ((state.company && state.company.years) || []).filter((y) => y < state.year);
  const answeredHere = state.result.questions.some((q) => q.answered && q.key !== "serious_dishonesty_listed");
  if (!years.length || answeredHere || !state.result.any_pack_applies) { box.classList.add("hidden"); return; }
  const from = Math.max(...years);
  try {
    const n = await invoke("standing_to_copy", { id: state.companyId, from, to: state.year, lang: state.lang });
    if (!n) { box.classList.add("hidden"); return; }
    $("#carry-over-text").textContent = t("carryOverOffer", { from, n });
    const b = $("#btn-carry-over");
    b.textContent = t("carryOver", { from });
    b.onclick = async () => {
      try {
        const r = await invoke("copy_facts", { id: state.companyId, from, to: state.year, lang: state.lang });
        state.result = r.evaluation;
        toast(t("carriedOver", { from: r.from, n: r.labels.length, list: r.labels.join(state.lang === "zh" ? "、" : ", ") }));
        box.classList.add("hidden");
        renderInterview();
        renderResults();
      } catch (e) { toast(errMessage(e).message, true); }
    };
    box.classList.remove("hidden");
  } catch { box.classList.add("hidden"); }
}

function updateQuestion(node, q) {
  node.classList.toggle("done", q.answered);
  const badge = node.querySelector(".badge");
  badge.className = "badge " + (q.answered ? "ok" : "todo");
  badge.textContent = q.answered ? t("answered") : t("unanswered");
  if (q.def.kind === "bool") {
    for (const [suffix, val] of [["yes", true], ["no", false], ["unknown", null]]) {
      const b = node.querySelector(`#q-${q.key}-${suffix}`);
      if (b) { b.classList.toggle("on", q.value === val); b.setAttribute("aria-pressed", String(q.value === val)); }
    }
  } else {
    const input = node.querySelector("#q-" + q.key);
    // A field showing a refused entry keeps it, so the user can correct it.
    const refused = node.querySelector(".field-error").textContent !== "";
    if (input && input !== document.activeElement && !refused) {
      input.value = q.value ?? "";
      input.dispatchEvent(new Event("input"));
    }
  }
  return node;
}

function renderQuestion(q) {
  const d = q.def;
  const wrap = el("div", { class: "question" + (q.answered ? " done" : ""), id: "question-" + q.key, "data-key": q.key, "data-lang": state.lang },
    el("div", { class: "q-label" },
      // The question names its field (a number or a choice list); yes/no
      // buttons and list rows are a group named by it.
      d.kind === "bool" || d.kind === "list" ? el("span", { id: "qlabel-" + q.key, text: d.label }) : el("label", { id: "qlabel-" + q.key, for: "q-" + q.key, text: d.label }), el("span", { class: "badge " + (q.answered ? "ok" : "todo"), text: q.answered ? t("answered") : t("unanswered") })));
  if (d.help) wrap.append(el("div", { class: "q-help muted small", text: d.help }));
  const err = el("em", { class: "field-error", id: "qerr-" + q.key });
  const send = async (value) => {
    err.textContent = "";
    try {
      state.result = await invoke("set_fact", { id: state.companyId, year: state.year, key: q.key, value, lang: state.lang });
      // An earlier refusal no longer stands once a value is saved.
      if ($("#toast").classList.contains("bad")) $("#toast").classList.add("hidden");
      renderInterview();
      renderResults();
    } catch (e) {
      const m = errMessage(e).message;
      const slot = document.getElementById("qerr-" + q.key);
      if (slot) slot.textContent = m;
      toast(`${t("notSaved")}${d.label} — ${m}`, true);
    }
  };
  let input;
  if (d.kind === "bool") {
    input = el("div", { class: "choices", role: "group", "aria-labelledby": "qlabel-" + q.key });
    for (const [val, label] of [[true, t("yes")], [false, t("no")], [null, t("unknown")]]) {
      const b = el("button", { type: "button", id: `q-${q.key}-${val === null ? "unknown" : val ? "yes" : "no"}`, class: "choice" + (val === null ? " unknown" : "") + (q.value === val ? " on" : ""), "aria-pressed": String(q.value === val), text: label });
      b.addEventListener("click", () => send(val));
      input.append(b);
    }
  } else if (d.kind === "enum") {
    input = el("select", { id: "q-" + q.key });
    input.append(el("option", { value: "", text: "—" }));
    for (const [k, label] of Object.entries(d.options)) input.append(el("option", { value: k, text: label }));
    input.value = q.value || "";
    input.addEventListener("change", () => send(input.value || null));
  } else if (d.kind === "list") {
    input = renderList(q, send);
  } else {
    input = el("div", { class: "numfield" });
    const box = el("input", { id: "q-" + q.key, inputmode: "decimal", value: q.value ?? "" });
    box.addEventListener("change", () => send(box.value.trim() === "" ? null : box.value));
    // Enter saves and moves on to the next question, as Tab does.
    box.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); focusNextQuestion(box); } });
    const unit = d.kind === "money" ? (state.lang === "zh" ? "元" : "yuan") : d.kind === "money_usd" ? (state.lang === "zh" ? "美元" : "USD") : d.unit;
    // What the typed text is read as (236,500,000 / 18200万 / ６.２万), as it is typed.
    const understood = el("span", { class: "understood muted small", id: "qval-" + q.key, "aria-live": "polite" });
    let timer;
    const preview = () => {
      clearTimeout(timer);
      const text = box.value.trim();
      if (text === "") { understood.textContent = ""; return; }
      timer = setTimeout(async () => {
        try { const u = await invoke("read_number", { key: q.key, text, lang: state.lang }); if (box.value.trim() === text) understood.textContent = u.text; }
        catch (e) { if (box.value.trim() === text) understood.textContent = "✗ " + errMessage(e).message; }
      }, 120);
    };
    box.addEventListener("input", preview);
    input.append(box, el("span", { class: "unit", text: unit || "" }), understood);
    if (q.value != null && q.value !== "") preview();
  }
  wrap.append(input, err);
  return wrap;
}

// The first control of the question after the one holding `from` (its
// change event fires as focus leaves, so the answer is saved on the way).
function focusNextQuestion(from) {
  const qs = [...document.querySelectorAll("#questions .question")];
  const i = qs.findIndex((q) => q.contains(from));
  const next = qs.slice(i + 1).map((q) => q.querySelector("input, select, button.choice")).find(Boolean);
  // If the answer brings in a follow-up question right after this one, the
  // redrawn questionnaire moves the focus on to it (see renderInterview).
  advanceAfter = i >= 0 && next && next.id ? { key: qs[i].dataset.key, to: next.id, until: Date.now() + 3000 } : null;
  if (next) next.focus(); else from.blur();
}
let advanceAfter = null;

function renderList(q, send) {
  const d = q.def;
  const rows = Array.isArray(q.value) ? q.value.map((r) => ({ ...r })) : [];
  const box = el("div", { class: "list-editor", id: "q-" + q.key });
  const fields = Object.entries(d.fields);
  const table = el("table", { class: "mini" });
  table.append(el("tr", {}, ...fields.map(([, f]) => el("th", { text: f.label + (f.unit ? `（${f.unit}）` : f.kind === "money" ? (state.lang === "zh" ? "（元）" : " (yuan)") : "") })), el("th", {}, el("span", { class: "sr-only", text: t("removeRow") }))));
  rows.forEach((r, i) => {
    const tr = el("tr");
    for (const [k] of fields) {
      const inp = el("input", { value: r[k] ?? "", inputmode: "decimal", id: `q-${q.key}-${i}-${k}`, "aria-label": `${d.label} · ${t("rowN", { n: i + 1 })} · ${d.fields[k].label}` });
      inp.addEventListener("change", () => { rows[i][k] = inp.value.trim(); if (fields.every(([fk]) => rows[i][fk] !== "" && rows[i][fk] != null)) send(rows); });
      tr.append(el("td", {}, inp));
    }
    tr.append(el("td", {}, el("button", { type: "button", class: "ghost small", text: t("removeRow"), onclick: () => { rows.splice(i, 1); send(rows); } })));
    table.append(tr);
  });
  const add = el("button", { type: "button", class: "ghost small", id: `q-${q.key}-add`, text: t("addRow") });
  add.addEventListener("click", () => {
    rows.push(Object.fromEntries(fields.map(([k]) => [k, ""])));
    q.value = rows;
    const fresh = renderList(q, send);
    box.replaceWith(fresh);
    // The new row's first field takes the focus.
    const first = document.getElementById(`q-${q.key}-${rows.length - 1}-${fields[0][0]}`);
    if (first) first.focus();
  });
  if (rows.length === 0) send.empty = true;
  const none = el("button", { type: "button", class: "ghost small", id: `q-${q.key}-none`, text: state.lang === "zh" ? "没有" : "None", onclick: () => send([]) });
  box.append(table, el("div", { class: "buttons" }, add, none));
  return box;
}

// Unsaved entries in the filing controls (a status picked but refused, an
// amount typed but not yet saved) and the control the user is in survive a
// refresh of the table; the row just saved shows what was saved instead.
function claimDrafts(savedClause) {
  const drafts = new Map();
  document.querySelectorAll("#results-table .claim-status, #results-table .claim-amount").forEach((n) => {
    if (n.dataset.clause !== savedClause && n.value !== n.dataset.saved) drafts.set(n.id, n.value);
  });
  const a = document.activeElement;
  const focus = a && a.id && $("#results-table").contains(a) ? { id: a.id, start: a.selectionStart, end: a.selectionEnd } : null;
  return { drafts, focus };
}

function restoreDrafts({ drafts, focus }) {
  for (const [id, v] of drafts) { const n = document.getElementById(id); if (n) n.value = v; }
  // A drafted status enables or disables its amount field as it did.
  for (const [id] of drafts) { const n = document.getElementById(id); if (n && n.reshape) n.reshape(); }
  if (focus) {
    const n = document.getElementById(focus.id);
    if (n) { n.focus({ preventScroll: true }); if (n.tagName === "INPUT" && focus.start != null) try { n.setSelectionRange(focus.start, focus.end); } catch (_) {} }
  }
}

// The filing controls of a results row: every eligible clause, and any
// clause that already has a claim for the year. What the one amount means
// (applied for, approved, none) comes with each status from Rust.
function filingCell(c) {
  const td = el("td", { class: "filing" });
  if (!c.claim && !(c.status === "eligible" && !c.excluded_by)) return td;
  const statusOf = (key) => state.meta.claim_statuses.find((x) => x.key === key);
  // The claim belongs to the company and year shown when the row was made.
  const company = state.companyId, year = state.result.year;
  const sid = "claim-status-" + c.id, aid = "claim-amount-" + c.id, eid = "claimerr-" + c.id;
  const sel = el("select", { id: sid, class: "claim-status", "data-clause": c.id, "aria-describedby": eid });
  if (!c.claim) sel.append(el("option", { value: "", text: t("notFiled") }));
  for (const st of state.meta.claim_statuses) sel.append(el("option", { value: st.key, text: st.label }));
  sel.value = c.claim ? c.claim.status.key : "";
  sel.dataset.saved = sel.value;
  const amt = el("input", { id: aid, class: "claim-amount", "data-clause": c.id, inputmode: "decimal", autocomplete: "off", "aria-describedby": eid });
  amt.value = (c.claim && c.claim.amount) || "";
  amt.dataset.saved = amt.value;
  const err = el("em", { class: "field-error", id: eid, role: "status" });
  const box = el("div", { class: "numfield" }, amt, el("span", { class: "unit", text: t("yuan") }));
  // The amount field follows the status: enabled only when it takes an amount.
  const shape = () => {
    const kind = (statusOf(sel.value) || {}).amount;
    amt.disabled = !kind;
    amt.placeholder = kind === "approved" ? t("phApproved") : kind === "applied" ? t("phApplied") : "";
    box.classList.toggle("hidden", !kind);
    sel.dataset.kind = kind || "";
  };
  sel.reshape = shape;
  shape();
  const save = async () => {
    clearTimeout(sel.timer);
    sel.timer = null;
    // Nothing is recorded until a status is chosen.
    const st = statusOf(sel.value);
    if (!st) return;
    err.textContent = "";
    err.classList.remove("soft");
    sel.removeAttribute("aria-invalid");
    amt.removeAttribute("aria-invalid");
    const amount = st.amount && amt.value.trim() !== "" ? amt.value : null;
    if (st.amount_required && amount == null) { err.textContent = t("enterApproved"); err.classList.add("soft"); return; }
    try {
      const r = await invoke("set_claim", {
        id: company, year, clause: c.id, status: st.key, amount,
        date: c.claim ? c.claim.date : null, note: c.claim ? c.claim.note : null, lang: state.lang,
      });
      if ($("#toast").classList.contains("bad")) $("#toast").classList.add("hidden");
      toast(t("claimSaved", { title: c.title, status: st.label }));
      // Saved; the page may have moved to another company or year meanwhile.
      if (state.companyId !== company || state.year !== year) return;
      state.result = r;
      renderInterview();
      renderResults(c.id);
    } catch (e) {
      const { field, message } = errMessage(e);
      if (state.companyId === company && state.year === year) {
        const slot = document.getElementById(eid);
        if (slot) slot.textContent = message;
        const ctl = document.getElementById(field === "claim.status" ? sid : aid);
        if (ctl && (field === "claim.status" || field === "claim.amount")) ctl.setAttribute("aria-invalid", "true");
      }
      toast(`${t("notSaved")}${c.title} — ${message}`, true);
    }
  };
  sel.addEventListener("change", () => {
    // An amount applied for is not the amount approved: a new meaning starts empty.
    const before = sel.dataset.kind;
    shape();
    if (sel.dataset.kind !== before) amt.value = "";
    // Arrow keys on a closed list change it at every step: save the one the
    // user stops at (or leaves the list on), not every status passed.
    clearTimeout(sel.timer);
    sel.timer = setTimeout(save, 400);
  });
  sel.addEventListener("blur", () => { if (sel.timer) save(); });
  amt.addEventListener("change", save);
  amt.addEventListener("keydown", (e) => { if (e.key === "Enter") amt.blur(); });
  // The controls live in a clickable row: using them does not open the detail.
  for (const n of [sel, amt]) n.addEventListener("click", (e) => e.stopPropagation());
  td.append(
    el("label", { class: "sr-only", for: sid, text: t("claimStatusOf", { title: c.title }) }), sel,
    el("label", { class: "sr-only", for: aid, text: t("claimAmountOf", { title: c.title }) }),
    box,
    err);
  if (c.claim && c.claim.estimate && c.claim.status.key !== "submitted") {
    td.append(el("div", { class: "muted small claim-estimate", text: `${t("estimateLabel")} ${grouped(c.claim.estimate)}` }));
  }
  if (c.claim && c.claim.warning) td.append(el("div", { class: "small claim-warning", role: "note", text: "⚠ " + c.claim.warning }));
  return td;
}

function renderResults(savedClause) {
  const ev = state.result;
  // Drafts belong to one company and year: another one starts clean.
  const key = `${state.companyId}:${ev.year}`;
  const keep = $("#results-table tbody").dataset.key === key ? claimDrafts(savedClause) : { drafts: new Map(), focus: null };
  $("#totals").innerHTML = "";
  $("#totals").append(
    el("div", { class: "total-card" }, el("div", { class: "muted", text: t("total") }), el("div", { id: "total", class: "big", text: grouped(ev.total) + (state.lang === "zh" ? " 元" : " yuan") })),
    el("div", { class: "total-card" }, el("div", { class: "muted", text: t("totalMax") }), el("div", { id: "total-max", class: "big soft", text: grouped(ev.total_max) + (state.lang === "zh" ? " 元" : " yuan") })),
    el("div", { class: "total-card" }, el("div", { class: "muted", text: ev.company }), el("div", { class: "big soft", text: `${ev.year} · ${ev.city}${ev.district}` })),
  );
  // Confirmed and provisional side by side while yes/no questions are open.
  const provisional = ev.total_provisional !== ev.total;
  if (provisional) {
    // The most it can be, on the same footing as the provisional total.
    $("#total-max").textContent = grouped(ev.total_max_provisional) + (state.lang === "zh" ? " 元" : " yuan");
  }
  if (provisional) {
    $("#totals").insertBefore(
      el("div", { class: "total-card provisional", title: t("provisionalAssumes") + ev.provisional_assumes.join("；") },
        el("div", { class: "muted", text: t("totalProvisional") }),
        el("div", { id: "total-provisional", class: "big", text: grouped(ev.total_provisional) + (state.lang === "zh" ? " 元" : " yuan") })),
      $("#totals").children[1]);
  }
  // Only measures that publish no figure (reference packs): no "0.00 元".
  if (Number(ev.total_max) === 0 && ev.clauses.some((c) => c.applies && c.status === "eligible" && !c.amount_max)) {
    $("#total").textContent = t("noFigureTotal");
    $("#total-max").textContent = "—";
  }
  $("#pack-notes").innerHTML = "";
  if (ev.assumed_in_total) $("#pack-notes").append(el("div", { class: "pack-note assumed", id: "assumed-note", text: t("assumedInTotal", { n: ev.assumed_in_total }) }));
  // Packs of other cities: one line naming them (their notes in the tooltip).
  const other = ev.packs.filter((p) => p.status === "other_city");
  for (const p of ev.packs.filter((x) => x.status !== "other_city")) {
    const unverified = p.unverified;
    $("#pack-notes").append(el("div", { class: "pack-note " + p.status + (unverified ? " unverified" : ""), text: p.note }));
    if (p.principle) $("#pack-notes").append(el("div", { class: "pack-note principle", id: "principle-" + p.id, text: p.principle }));
  }
  if (other.length) {
    const title = (id) => ((state.meta.packs || []).find((m) => m.id === id) || {}).title || id;
    $("#pack-notes").append(el("div", { class: "pack-note other_city", id: "other-packs", title: other.map((p) => p.note).join("\n"), text: t("otherCities", { names: other.map((p) => title(p.id)).join(state.lang === "zh" ? "、" : ", ") }) }));
  }
  // Which data years the city's packs cover; said plainly once a term has ended.
  for (const c of state.coverage || []) {
    $("#pack-notes").append(el("div", { class: "pack-note coverage" + (c.warn ? " warn" : ""), "data-coverage": c.pack, text: c.text }));
  }
  $("#hints").innerHTML = "";
  if (ev.hints.length) $("#hints").append(el("h3", { text: t("hints") }), el("ul", {}, ...ev.hints.map((h) => el("li", { text: h }))));
  const tbody = $("#results-table tbody");
  tbody.innerHTML = "";
  tbody.dataset.key = key;
  for (const c of ev.clauses) {
    if (!c.applies) continue;
    const status = c.excluded_by ? "excluded" : c.status;
    const mark = c.interpretations.length ? " ※" : "";
    const tr = el("tr", { "data-clause": c.id, class: "row-" + status },
      el("td", {}, el("button", { type: "button", id: "detail-link-" + c.id, class: "link detail-link", title: t("trace"), text: c.title + mark, onclick: (e) => { e.stopPropagation(); showDetail(c); } }),
        el("div", { class: "muted small", text: `${c.place} · ${c.id}` },
          c.unverified ? el("span", { class: "badge unverified", text: " " + t("unverifiedBadge") }) : null,
          c.draft ? el("span", { class: "badge draft", text: " " + t("draftBadge") }) : null),
        c.materials ? el("button", { type: "button", class: "link small materials-chip" + (c.materials[0] >= c.materials[1] ? " done" : ""), text: t("materialsChip", { ready: c.materials[0], needed: c.materials[1] }),
          onclick: (e) => { e.stopPropagation(); showView("materials"); } }) : null),
      el("td", {}, el("span", { class: "chip " + status, text: state.meta.statuses[status] })),
      ...amountCells(c),
      el("td", { class: "reason" }, el("span", { text: c.headline }), c.provisional ? el("span", { class: "provisional-text", text: c.provisional.text }) : null),
      filingCell(c));
    tr.addEventListener("click", () => showDetail(c));
    tbody.append(tr);
  }
  restoreDrafts(keep);
  const open = state.openDetail && ev.clauses.find((x) => x.id === state.openDetail && x.applies);
  if (open) showDetail(open, false); else $("#detail").classList.add("hidden");
}

// A needs-input clause with a provisional figure shows it, marked as such.
function amountCells(c) {
  const p = c.status === "needs_input" && c.provisional;
  if (p) {
    return [
      el("td", { class: "num amount provisional", title: p.text, text: p.amount ? "≈ " + grouped(p.amount) : "" }),
      el("td", { class: "num ceiling provisional", title: p.text, text: p.amount_max ? "≈ " + grouped(p.amount_max) : "" }),
    ];
  }
  return [
    el("td", { class: "num amount", text: c.amount ? grouped(c.amount) : c.status === "eligible" && c.amount_max ? "—" : "" }),
    el("td", { class: "num ceiling", text: c.amount_max ? grouped(c.amount_max) : "" }),
  ];
}

// A stored time (UTC, ISO 8601) in the user's local time.
function localTime(iso) {
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + "Z");
  if (isNaN(d)) return iso;
  return d.toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB", { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

// A fact by its label in the window's language (the key as a tooltip).
function factLabel(k) {
  if (k === "company") return t("topicCompany");
  const f = state.meta.facts[k];
  return f ? f.label : k;
}

function shownValue(k, v) {
  const f = state.meta.facts[k];
  if (typeof v === "boolean") return v ? t("yes") : t("no");
  if (f && f.kind === "enum" && f.options[v]) return f.options[v];
  if (typeof v === "object") return JSON.stringify(v);
  if (f && (f.kind === "money" || f.kind === "money_usd")) return grouped(String(v)) + " " + (f.kind === "money" ? t("yuan") : (state.lang === "zh" ? "美元" : "USD"));
  if (f && f.unit) return grouped(String(v)) + " " + f.unit;
  return String(v);
}

function showDetail(c, scroll = true) {
  const ci = c;
  state.openDetail = c.id;
  const d = $("#detail");
  d.classList.remove("hidden");
  d.innerHTML = "";
  d.append(
    el("h3", { text: `${ci.title} · ${ci.place}` }),
    el("h4", { text: t("trace") }),
    el("ol", { id: "detail-trace" }, ...c.trace.map((x) => el("li", { text: x }))),
    el("div", { id: "detail-reasons" }, ...c.reasons.map((x) => el("p", { class: x.interpretation ? "interp" : "", text: x.text }))),
  );
  if (c.claim) {
    const k = c.claim;
    const parts = [k.status.label];
    if (k.approved) parts.push(`${t("approvedLabel")} ${grouped(k.approved)} ${t("yuan")}`);
    if (k.estimate) parts.push(`${t("estimateLabel")} ${grouped(k.estimate)} ${t("yuan")}`);
    if (k.date) parts.push(k.date);
    if (k.note) parts.push(k.note);
    d.append(el("h4", { text: t("claimThisYear", { year: state.result.year }) }), el("p", { id: "detail-claim", text: parts.join(" · ") }));
  }
  d.append(
    el("h4", { text: t("quote") }),
    el("blockquote", { id: "detail-quote", text: `《${ci.document}》${ci.place}：“${ci.quote}”` }),
    el("p", { id: "detail-frequency", class: "muted small", text: `${t("frequency")}${t("freq_" + ci.frequency)}` }),
  );
  if (scroll) d.scrollIntoView({ block: "nearest" });
}

async function saveEvaluation() {
  try {
    const r = await invoke("save_evaluation", { id: state.companyId, year: state.year, lang: state.lang });
    toast(t("evalSaved", { id: r.id }));
  } catch (e) { toast(errMessage(e).message, true); }
}

async function generatePdfs() {
  $("#pdf-result").textContent = "…";
  try {
    state.lastPdf = await invoke("generate_pdfs", { id: state.companyId, year: state.year, lang: state.lang });
  } catch (e) { state.lastPdf = { error: errMessage(e).message }; }
  showPdfResult();
}

// ------------------------------------------------------------ materials

// The 申报材料 page: each filed clause's materials with status and evidence,
// the year's filing windows, and the packet. Everything comes from Rust.
async function loadPapers() {
  if (state.companyId == null) return;
  let v;
  try { v = await invoke("papers", { id: state.companyId, year: state.year, lang: state.lang }); }
  catch (e) { toast(errMessage(e).message, true); return; }
  renderPapers(v);
}

function renderPapers(v) {
  state.papers = v;
  $("#materials-title").textContent = t("materialsTitle", { year: v.year });
  $("#materials-intro").textContent = t("materialsIntro");
  $("#btn-packet").textContent = t("packet");
  $("#btn-packet").disabled = v.clauses.length === 0;
  $("#deadlines-title").textContent = t("deadlinesTitle");
  $("#materials-list-title").textContent = t("materialsListTitle");
  for (const [id, k] of [["lbl-dl-pack", "dlPack"], ["lbl-dl-start", "dlStart"], ["lbl-dl-end", "dlEnd"], ["lbl-dl-notice", "dlNotice"]]) $("#" + id).textContent = t(k);
  $("#dl-save").textContent = t("dlSave");
  const pack = $("#dl-pack");
  const chosen = pack.value;
  pack.replaceChildren(...v.packs.map((p) => el("option", { value: p.id, text: p.title })));
  if (v.packs.some((p) => p.id === chosen)) pack.value = chosen;
  $("#deadline-form").classList.toggle("hidden", v.packs.length === 0);
  $("#deadline-list").replaceChildren(...(v.deadlines.length ? v.deadlines.map((d) => el("li", { class: "deadline" + (d.overdue ? " overdue" : ""), "data-pack": d.pack },
    el("strong", { text: d.pack_title }), " · ",
    el("span", { text: (d.start ? d.start + " – " : "") + d.end }), " · ",
    el("span", { class: "days-left" + (d.overdue ? " overdue" : ""), text: d.text }), " · ",
    el("span", { class: "muted", text: d.notice }), " ",
    el("button", { type: "button", class: "link", text: t("dlRemove"), onclick: () => clearDeadline(d.pack) }))) : [el("li", { class: "muted", text: t("noDeadlines") })]));
  const body = $("#materials-body");
  const others = v.others.length ? el("div", { class: "material-clause others" },
    el("h4", { text: t("otherEvidence") }),
    el("ul", { class: "evidence" }, ...v.others.map((f) => el("li", { "data-evidence": String(f.id) },
      el("span", { text: `${f.name}（${f.size_text}） · ${f.clause} · ${f.item}` }), " ",
      el("button", { type: "button", class: "link danger-link", text: t("remove"), onclick: () => removeEvidence(f) }))))) : null;
  if (!v.clauses.length) { body.replaceChildren(el("p", { class: "muted", text: t("noFiled") }), ...(others ? [others] : [])); return; }
  body.replaceChildren(...v.clauses.map((c) => el("div", { class: "material-clause", "data-clause": c.clause },
    el("h4", {}, el("span", { text: `${c.title} · ${c.place}` }), " ", el("span", { class: "chip " + (c.ready >= c.needed ? "eligible" : "needs_input"), text: t("readyCount", { ready: c.ready, needed: c.needed }) })),
    el("ol", { class: "material-items" }, ...c.items.map((m) => {
      const sel = el("select", { class: "material-status", "aria-label": t("materialStatusOf", { item: m.item }), "data-item": String(m.number),
        onchange: (e) => setMaterial(c.clause, m.number, e.target.value) },
        ...["ready", "not_ready", "not_applicable"].map((k) => el("option", { value: k, text: t(k) })));
      sel.value = m.status;
      return el("li", { class: "material " + m.status, "data-item": String(m.number) },
        el("div", { class: "material-row" }, el("span", { class: "material-text", text: m.item }), sel,
          el("button", { type: "button", class: "ghost small attach", text: t("attach"), onclick: () => attachEvidence(c.clause, m.number) })),
        m.evidence.length ? el("ul", { class: "evidence" }, ...m.evidence.map((f) => el("li", { "data-evidence": String(f.id) },
          el("span", { text: `${f.name}（${f.size_text}）` }), " ",
          el("code", { class: "sha", title: "SHA-256 " + f.sha256, text: f.sha256.slice(0, 16) + "…" }), " ",
          el("button", { type: "button", class: "link", text: t("open"), onclick: () => openEvidence(f.id) }), " ",
          el("button", { type: "button", class: "link danger-link", text: t("remove"), onclick: () => removeEvidence(f) })))) : null);
    })))));
  if (others) body.append(others);
}

async function setMaterial(clause, item, status) {
  try { renderPapers(await invoke("set_material", { id: state.companyId, year: state.year, clause, item, status, lang: state.lang })); }
  catch (e) { toast(errMessage(e).message, true); loadPapers(); }
}

async function attachEvidence(clause, item) {
  try {
    const r = await invoke("attach_evidence", { id: state.companyId, year: state.year, clause, item, lang: state.lang });
    if (r.cancelled) return;
    renderPapers(r);
    const c = r.clauses.find((x) => x.clause === clause);
    const m = c && c.items.find((x) => x.number === item);
    const f = m && m.evidence[m.evidence.length - 1];
    if (f) toast(t("evidenceSaved", { name: f.name }));
  } catch (e) { toast(errMessage(e).message, true); }
}

async function openEvidence(evidence) {
  try { await invoke("open_evidence", { evidence, lang: state.lang }); }
  catch (e) { toast(errMessage(e).message, true); }
}

async function removeEvidence(f) {
  if (!(await confirmModal(t("confirmRemoveEvidence", { name: f.name })))) return;
  try {
    renderPapers(await invoke("remove_evidence", { id: state.companyId, year: state.year, evidence: f.id, lang: state.lang }));
    toast(t("evidenceRemoved", { name: f.name }));
  } catch (e) { toast(errMessage(e).message, true); }
}

async function saveDeadline(ev) {
  ev.preventDefault();
  $("#dl-error").textContent = "";
  try {
    renderPapers(await invoke("set_deadline", { id: state.companyId, year: state.year, pack: $("#dl-pack").value,
      start: $("#dl-start").value || null, end: $("#dl-end").value, notice: $("#dl-notice").value, lang: state.lang }));
    toast(t("deadlineSaved"));
  } catch (e) { $("#dl-error").textContent = errMessage(e).message; }
}

async function clearDeadline(pack) {
  try { renderPapers(await invoke("clear_deadline", { id: state.companyId, year: state.year, pack, lang: state.lang })); }
  catch (e) { toast(errMessage(e).message, true); }
}

async function generatePacket() {
  $("#packet-result").textContent = "…";
  try {
    const r = await invoke("generate_packet", { id: state.companyId, year: state.year, name: state.company.company.name, lang: state.lang });
    $("#packet-result").textContent = r.cancelled ? t("cancelled") : t("packetDone", { file: r.file });
  } catch (e) { $("#packet-result").textContent = errMessage(e).message; }
}

// The claims ledger of the company: every year's claims with the estimate,
// the approved amount and the difference, with totals (all from Rust).
async function loadClaims() {
  if (state.companyId == null) return;
  let v;
  try { v = await invoke("claims", { id: state.companyId, lang: state.lang }); }
  catch (e) { toast(errMessage(e).message, true); return; }
  state.claims = v;
  $("#claims-title").textContent = `${t("claims")} · ${v.company}`;
  $("#claims-intro").textContent = v.count ? t("claimsIntro") : "";
  const body = $("#claims-body");
  if (!v.count) { body.replaceChildren(el("p", { id: "no-claims", class: "muted", text: t("noClaims") })); return; }
  const money = (x) => (x == null ? "" : grouped(x));
  const num = (cls, x) => el("td", { class: "num " + cls, text: money(x) });
  const head = el("thead", {}, el("tr", {},
    ...[["claimYear"], ["clause"], ["status"], ["estimate", "num"], ["approved", "num"], ["difference", "num"], ["claimDate"], ["claimNote"]]
      .map(([k, cls]) => el("th", { scope: "col", class: cls || "", text: t(k) }))));
  const groups = v.years.map((y) => {
    const tb = el("tbody", { "data-year": y.year });
    y.claims.forEach((c, i) => {
      const yearCell = el("td", { class: "year" });
      if (i === 0) yearCell.append(el("button", { type: "button", class: "link", title: t("openYear", { year: y.year }), text: String(y.year),
        onclick: () => { state.year = y.year; $("#year").value = String(y.year); localStorage.setItem("butie.year", state.year); showView("results"); } }));
      tb.append(el("tr", { "data-clause": c.clause, "data-year": c.year, class: "claim-row status-" + c.status.key },
        yearCell,
        el("td", {}, el("div", { text: c.title }), el("div", { class: "muted small", text: c.clause })),
        el("td", {}, el("span", { class: "chip claim " + c.status.key, text: c.status.label })),
        num("estimate", c.estimate), num("approved", c.approved), num("difference", c.difference),
        el("td", { class: "small", text: c.date || "" }),
        el("td", { class: "small" }, c.warning ? el("div", { class: "claim-warning", text: "⚠ " + c.warning }) : "", c.note || "")));
    });
    tb.append(el("tr", { class: "subtotal", "data-year": y.year },
      el("th", { scope: "row", colspan: "3", text: t("yearTotal", { year: y.year }) }),
      num("estimate", y.totals.estimate), num("approved", y.totals.approved), num("difference", y.totals.difference), el("td", { colspan: "2" })));
    return tb;
  });
  const foot = el("tfoot", {}, el("tr", { class: "total" },
    el("th", { scope: "row", colspan: "3", text: t("allTotal") }),
    num("estimate", v.totals.estimate), num("approved", v.totals.approved), num("difference", v.totals.difference), el("td", { colspan: "2" })));
  body.replaceChildren(el("table", { id: "claims-table" }, head, ...groups, foot));
}

async function loadHistory() {
  if (state.companyId == null) return;
  const list = await invoke("history", { id: state.companyId, lang: state.lang });
  const ul = $("#history-list");
  ul.innerHTML = "";
  $("#history-detail").classList.add("hidden");
  if (!list.length) ul.append(el("li", { class: "muted", text: t("noHistory") }));
  for (const h of list) {
    const packs = (h.packs || []).map((p) => `${p.id}@${p.version} sha256:${(p.content_hash || "").slice(0, 12)}`).join(state.lang === "zh" ? "，" : ", ");
    const li = el("li", { class: "history-item" },
      // The saved evaluation opens from its number, a button (the whole card takes a click too).
      el("button", { type: "button", class: "link history-open", "aria-controls": "history-detail" }, el("strong", { text: `#${h.id} · ${h.year}` })), el("span", { text: ` ${localTime(h.created_at)} · ${t("total")} ${grouped(h.total)}` }),
      el("div", { class: "muted small", text: packs }));
    li.addEventListener("click", () => showHistoryDetail(h));
    ul.append(li);
  }
}

// A saved evaluation as it was made: the inputs, each clause's figure and
// reason, and the policy versions — enough to show later what produced it.
function showHistoryDetail(h) {
  const box = $("#history-detail");
  box.classList.remove("hidden");
  const facts = (h.inputs && h.inputs.facts) || {};
  box.replaceChildren(
    el("h3", { text: `#${h.id} · ${h.year} · ${t("total")} ${grouped(h.total)}` }),
    el("p", { class: "muted small", text: `${t("madeWith")} butie ${h.tool_version} · ${(h.packs || []).map((p) => `${p.id}@${p.version} sha256:${p.content_hash}`).join(state.lang === "zh" ? "，" : ", ")}` }),
    el("h4", { text: t("inputsUsed") }),
    el("table", { class: "mini", id: "history-inputs" }, ...Object.entries(facts).map(([k, v]) => el("tr", {}, el("td", { text: factLabel(k), title: k }), el("td", { class: "num", text: shownValue(k, v) })))),
    el("h4", { text: t("figures") }),
    el("table", { class: "mini", id: "history-clauses" },
      el("tr", {}, el("th", { text: t("clause") }), el("th", { text: t("status") }), el("th", { text: t("amount") }), el("th", { text: t("ceiling") }), el("th", { text: t("reason") })),
      ...h.clauses.map((c) => el("tr", {}, el("td", { title: c.id, text: c.title }), el("td", { text: c.status_label }),
        el("td", { class: "num", text: c.amount ? grouped(c.amount) : "" }), el("td", { class: "num", text: c.amount_max ? grouped(c.amount_max) : "" }),
        el("td", { class: "small", lang: "zh-CN", title: t("recordedInChinese"), text: c.recorded_reasons.join(" ") })))),
  );
}

async function exportCompany() {
  try {
    const r = await invoke("export_company", { id: state.companyId, name: state.company.company.name, lang: state.lang });
    if (!r.cancelled) toast(t("exported", { file: r.file }));
  } catch (e) { toast(errMessage(e).message, true); }
}

async function importCompany() {
  try {
    const r = await invoke("import_company", { lang: state.lang });
    if (r.cancelled) return;
    toast(t("imported", { n: r.ids.length }));
    await loadCompanies();
    if (r.ids.length) await selectCompany(r.ids[0]);
  } catch (e) { toast(t("importFailed") + errMessage(e).message, true); }
}

// ------------------------------------------------------------ start

// The workspace could not be opened: say why, in the chosen language, and
// offer nothing else (no command would work).
async function showStartupError(err) {
  $("#startup-error").classList.remove("hidden");
  $("#layout").classList.add("hidden");
  $("#startup-error-title").textContent = t("startupFailed");
  $("#startup-error-text").textContent = err.message;
  document.body.dataset.ready = "startup-error";
}

async function start() {
  applyChrome();
  fillYears();
  const failed = await invoke("startup_error", { lang: state.lang });
  if (failed) {
    $("#btn-lang").addEventListener("click", async () => {
      state.lang = state.lang === "zh" ? "en" : "zh";
      localStorage.setItem("butie.lang", state.lang);
      applyChrome();
      showStartupError(await invoke("startup_error", { lang: state.lang }));
    });
    return showStartupError(failed);
  }
  state.meta = await invoke("meta", { lang: state.lang });
  applyChrome();
  const citySel = $("#f-city");
  citySel.innerHTML = "";
  for (const c of Object.keys(state.meta.cities)) citySel.append(el("option", { value: c, text: c }));
  citySel.addEventListener("change", () => { citySel.dataset.touched = "1"; fillDistricts(citySel.value); checkUsccLive(); });
  $("#f-district").addEventListener("change", () => { citySel.dataset.touched = "1"; checkUsccLive(); });
  $("#f-district-text").addEventListener("change", () => { citySel.dataset.touched = "1"; checkUsccLive(); });
  // Typed but not saved: asked before it is thrown away.
  $("#company-form").addEventListener("input", () => { state.formDirty = true; });
  $("#company-form").addEventListener("change", () => { state.formDirty = true; });
  $("#company-form").addEventListener("submit", saveCompany);
  $("#f-uscc").addEventListener("input", checkUsccLive);
  $("#btn-delete").addEventListener("click", deleteCompany);
  $("#btn-export").addEventListener("click", exportCompany);
  $("#btn-import").addEventListener("click", importCompany);
  $("#btn-new-company").addEventListener("click", async () => { if (!(await leaveForm())) return; state.companyId = null; state.company = null; $("#tabs").classList.remove("hidden"); showView("profile"); showCompanyForm(null); loadCompanies(); $("#f-name").focus(); });
  $("#company-search").addEventListener("input", () => loadCompanies());
  $("#company-list").addEventListener("keydown", companyListKeys);
  $("#tabs").addEventListener("keydown", tabKeys);
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => {
    if (state.companyId == null && b.dataset.view !== "profile") { toast(t("requiredFirst"), true); return; }
    showView(b.dataset.view);
  });
  $("#year").addEventListener("change", () => { state.lastPdf = null; showPdfResult(); state.year = Number($("#year").value); localStorage.setItem("butie.year", state.year); if (state.view === "overview") showOverview(); else refreshEvaluation(); });
  $("#btn-overview").addEventListener("click", async () => { if (await leaveForm()) showOverview(); });
  $("#btn-packs").addEventListener("click", async () => { if (await leaveForm()) showPacks(); });
  $("#btn-pack-import").addEventListener("click", () => importPack());
  $("#btn-pack-diff").addEventListener("click", diffPack);
  $("#overview-filter").addEventListener("input", renderOverview);
  $("#overview-city").addEventListener("change", renderOverview);
  $("#btn-sheet-import").addEventListener("click", importSheet);
  $("#btn-template").addEventListener("click", saveTemplate);
  $("#btn-overview-export").addEventListener("click", exportOverview);
  $("#btn-overview-pdfs").addEventListener("click", portfolioPdfs);
  $("#sheet-save").addEventListener("click", saveSheet);
  $("#sheet-discard").addEventListener("click", discardSheet);
  $("#pdf-job-cancel").addEventListener("click", async () => {
    $("#pdf-job-cancel").disabled = true;
    await invoke("cancel_pdf_job");
    $("#pdf-job-text").textContent = t("pdfJobCancelling");
  });
  $("#btn-lang").addEventListener("click", async () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("butie.lang", state.lang);
    state.meta = await invoke("meta", { lang: state.lang });
    await loadCompanies(); // the list's 示例 badge follows the language
    applyChrome();
    showView(state.view);
  });
  $("#btn-save-eval").addEventListener("click", saveEvaluation);
  $("#btn-pdf").addEventListener("click", generatePdfs);
  $("#btn-packet").addEventListener("click", generatePacket);
  $("#deadline-form").addEventListener("submit", saveDeadline);
  const list = await loadCompanies();
  if (list.length) {
    await selectCompany(list[0].id);
    // A newcomer sees results at once; a portfolio starts with its overview.
    if (state.meta.first_run) showView("results");
    else if (list.length > 1) await showOverview();
  } else showEmpty();
  document.body.dataset.ready = "1";
}

start().catch((e) => { document.body.dataset.ready = "error"; toast(String(e), true); });
