// The portfolio: every client for the year (sorted by Rust, filtered
// here), spreadsheet import with a preview, export to Excel, and PDFs for
// every company listed on a thread of their own.
import { state } from "./state.js";
import { t, cityName, paren } from "./i18n.js";
import { $, el, toast } from "./dom.js";
import { api, errMessage } from "./api.js";
import { showPage } from "./nav.js";
import { loadCompanies, selectCompany } from "./companies.js";

// Column key (Rust's sort key), heading, and whether it holds a figure
// (a figure column first sorts highest first).
// The deadline, the urgent one, comes right after the place, so that it
// stays in view when the window is narrow.
const OVERVIEW_COLUMNS = [
  ["name", "ovCompany", false], ["place", "ovPlace", false], ["deadline", "ovDeadline", true], ["total", "total", true], ["total_provisional", "ovProvisional", true],
  ["total_max", "ovMax", true], ["eligible", "ovEligible", true], ["open", "ovOpen", true], ["filed", "ovFiled", true],
];

// Answers to an earlier request (a sort clicked twice quickly) are dropped.
let overviewAsked = 0;

async function loadOverview() {
  const asked = ++overviewAsked;
  let rows;
  try { rows = await api.overview(state.year, state.overviewSort); } catch (e) { toast(errMessage(e).message, true); rows = []; }
  if (asked === overviewAsked) state.overview = rows;
}

export async function showOverview() {
  state.view = "overview";
  showPage("#view-overview");
  $("#overview-title").textContent = t("overviewTitle", { year: state.year });
  await loadOverview();
  const city = $("#overview-city");
  const chosen = city.value;
  city.replaceChildren(el("option", { value: "", text: t("allCities") }), ...Object.keys(state.meta.cities).map((c) => el("option", { value: c, text: cityName(c) })));
  city.value = chosen;
  fillTemplateCities();
  renderOverview();
}

function renderOverview() {
  const sort = state.overviewSort;
  const q = $("#overview-filter").value.trim().toLowerCase();
  const city = $("#overview-city").value;
  const rows = state.overview.filter((r) => (!city || r.city === city) && (!q || [r.name, r.uscc || "", r.place].some((x) => x.toLowerCase().includes(q))));
  // Export and PDFs take the companies listed, in the order shown.
  state.overviewRows = rows;
  $("#btn-overview-pdfs").textContent = t("ovPdfs", { n: rows.length });
  $("#btn-overview-pdfs").disabled = rows.length === 0 || state.pdfJob;
  $("#btn-overview-export").disabled = rows.length === 0;
  const dir = sort.descending ? "descending" : "ascending";
  $("#overview-head").replaceChildren(...OVERVIEW_COLUMNS.map(([k, label, num]) => el("th", { class: num ? "num" : "", "aria-sort": sort.key === k ? dir : "none" },
    el("button", { type: "button", class: "link sort", text: t(label) + (sort.key === k ? (sort.descending ? " ▼" : " ▲") : ""),
      onclick: async () => {
        state.overviewSort = { key: k, descending: sort.key === k ? !sort.descending : num };
        await loadOverview();
        renderOverview();
      } }))));
  $("#overview-table tbody").replaceChildren(...rows.map((r) => el("tr", { "data-company": r.id },
    el("td", {}, el("button", { type: "button", class: "link", text: r.name, onclick: () => openFromOverview(r.id) }), r.sample ? el("span", { class: "badge sample", text: t("sample") }) : null,
      // Why a row reads 0.00 or is an estimate, and a credit code naming another place.
      ...r.marks.map((m) => el("div", { class: "mark small " + m.key, text: (m.key === "region" ? "⚠ " : "") + m.text }))),
    el("td", { text: r.place }),
    el("td", { class: "small deadline-cell" + (r.deadline && r.deadline.overdue ? " overdue" : "") + (r.deadline && r.deadline.filed ? " filed" : ""), title: r.deadline ? `${r.deadline.pack_title} · ${r.deadline.end} · ${r.deadline.notice}` : "",
      text: r.deadline ? r.deadline.end + paren(r.deadline.text) : "" }),
    el("td", { class: "num", text: r.total_text }),
    el("td", { class: "num", text: r.provisional_text ? "≈ " + r.provisional_text : "" }),
    el("td", { class: "num", text: r.total_max_text }),
    el("td", { class: "num", text: String(r.eligible) }),
    el("td", { class: "num", text: String(r.open) }),
    el("td", { class: "small", text: r.claims_text }))));
}

// Import: the file is read and every row checked; the user sees the rows
// accepted and refused, and only "save" writes (one transaction).
async function importSheet() {
  let p;
  try { p = await api.importSheet(state.year); }
  catch (e) { toast(errMessage(e).message, true); return; }
  if (p.cancelled) return;
  const box = $("#sheet-preview");
  $("#sheet-preview-title").textContent = t("sheetTitle", { file: p.file_name });
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
    const r = await api.saveSheet();
    toast(r.text);
  } catch (e) { toast(errMessage(e).message, true); }
  $("#sheet-preview").classList.add("hidden");
  await loadCompanies();
  await showOverview();
}

async function discardSheet() {
  await api.discardSheet();
  $("#sheet-preview").classList.add("hidden");
  $("#btn-sheet-import").focus();
}

// The template holds the columns of one region's policies (the city the
// overview is filtered to, or the one chosen beside the button), or every
// region's when so chosen.
function fillTemplateCities() {
  const sel = $("#template-city");
  const chosen = sel.value || $("#overview-city").value || Object.keys(state.meta.cities)[0];
  $("#template-city-label").textContent = t("templateCity");
  sel.replaceChildren(...Object.keys(state.meta.cities).map((c) => el("option", { value: c, text: cityName(c) })), el("option", { value: "*", text: t("templateAll") }));
  sel.value = chosen;
}

async function saveTemplate() {
  try {
    const city = $("#template-city").value;
    const r = await api.saveTemplate(city === "*" ? null : city);
    if (!r.cancelled) toast(t("templateSaved", { file: r.file }));
  } catch (e) { toast(errMessage(e).message, true); }
}

async function exportOverview() {
  const ids = state.overviewRows.map((r) => r.id);
  try {
    const r = await api.exportOverview(ids, state.year);
    if (!r.cancelled) toast(t("ovExported", { n: ids.length, file: r.file }));
  } catch (e) { toast(errMessage(e).message, true); }
}

// PDFs for every listed company run on their own thread; the window polls
// the count, so it stays usable, and may cancel.
async function portfolioPdfs() {
  const ids = state.overviewRows.map((r) => r.id);
  let st;
  try { st = await api.portfolioPdfs(ids, state.year); }
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
    try { st = await api.pdfJob(); } catch (e) { st = { running: false, outcome: { Err: errMessage(e) } }; }
    showPdfJob(st);
    if (st.running || !st.outcome) { setTimeout(poll, 250); return; }
    state.pdfJob = false;
    $("#pdf-job-cancel").classList.add("hidden");
    $("#btn-overview-pdfs").disabled = !state.overviewRows.length;
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
  // The client's page opens at its top, not at the overview's scroll position.
  $("#main").scrollTop = 0;
}

export function wirePortfolio() {
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
    await api.cancelPdfJob();
    $("#pdf-job-text").textContent = t("pdfJobCancelling");
  });
}
