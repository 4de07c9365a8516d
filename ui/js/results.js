// The results: totals, pack notes, each clause's figure and reason with its
// working, the filing controls of its row, and the PDFs.
import { state } from "./state.js";
import { t } from "./i18n.js";
import { $, el, toast, clearBadToast } from "./dom.js";
import { api, errMessage } from "./api.js";
import { renderInterview } from "./interview.js";
import { showView } from "./nav.js";

export async function refreshEvaluation() {
  if (state.companyId == null) return;
  try {
    state.result = await api.evaluate(state.companyId, state.year);
    state.coverage = await api.coverage(state.companyId, state.year);
    renderInterview();
    renderResults();
  } catch (e) { toast(errMessage(e).message, true); }
}

export function showPdfResult() {
  const r = state.lastPdf;
  $("#pdf-result").textContent = !r ? "" : r.error ? r.error : r.cancelled ? t("cancelled") : t("pdfDone", { n: r.files.length, dir: r.dir });
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
      const r = await api.setClaim(company, year, c.id, st.key, amount, c.claim ? c.claim.date : null, c.claim ? c.claim.note : null);
      clearBadToast();
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
  if (c.claim && c.claim.estimate_text && c.claim.status.key !== "submitted") {
    td.append(el("div", { class: "muted small claim-estimate", text: `${t("estimateLabel")} ${c.claim.estimate_text}` }));
  }
  if (c.claim && c.claim.warning) td.append(el("div", { class: "small claim-warning", role: "note", text: "⚠ " + c.claim.warning }));
  return td;
}

export function renderResults(savedClause) {
  const ev = state.result;
  // Drafts belong to one company and year: another one starts clean.
  const key = `${state.companyId}:${ev.year}`;
  const keep = $("#results-table tbody").dataset.key === key ? claimDrafts(savedClause) : { drafts: new Map(), focus: null };
  const totals = [
    el("div", { class: "total-card" }, el("div", { class: "muted", text: t("total") }), el("div", { id: "total", class: "big", text: ev.total_text })),
    el("div", { class: "total-card" }, el("div", { class: "muted", text: t("totalMax") }), el("div", { id: "total-max", class: "big soft", text: ev.total_max_text })),
    el("div", { class: "total-card" }, el("div", { class: "muted", text: ev.company }), el("div", { class: "big soft", text: `${ev.year} · ${ev.city}${ev.district}` })),
  ];
  // Confirmed and provisional side by side while yes/no questions are open.
  if (ev.provisional_text != null) {
    totals.splice(1, 0, el("div", { class: "total-card provisional", title: t("provisionalAssumes") + ev.provisional_assumes.join("；") },
      el("div", { class: "muted", text: t("totalProvisional") }),
      el("div", { id: "total-provisional", class: "big", text: ev.provisional_text })));
  }
  $("#totals").replaceChildren(...totals);
  $("#pack-notes").innerHTML = "";
  if (ev.assumed_in_total) $("#pack-notes").append(el("div", { class: "pack-note assumed", id: "assumed-note", text: t("assumedInTotal", { n: ev.assumed_in_total }) }));
  // Packs of other cities: one line naming them (their notes in the tooltip).
  for (const p of ev.packs.filter((x) => x.status !== "other_city")) {
    $("#pack-notes").append(el("div", { class: "pack-note " + p.status + (p.unverified ? " unverified" : ""), text: p.note }));
    if (p.principle) $("#pack-notes").append(el("div", { class: "pack-note principle", id: "principle-" + p.id, text: p.principle }));
  }
  if (ev.other_cities) {
    const notes = ev.packs.filter((p) => p.status === "other_city").map((p) => p.note);
    $("#pack-notes").append(el("div", { class: "pack-note other_city", id: "other-packs", title: notes.join("\n"), text: t("otherCities", { names: ev.other_cities }) }));
  }
  // Which data years the city's packs cover; said plainly once a term has ended.
  for (const c of state.coverage) {
    $("#pack-notes").append(el("div", { class: "pack-note coverage" + (c.warn ? " warn" : ""), "data-coverage": c.pack, text: c.text }));
  }
  $("#hints").innerHTML = "";
  if (ev.hints.length) $("#hints").append(el("h3", { text: t("hints") }), el("ul", {}, ...ev.hints.map((h) => el("li", { text: h }))));
  const tbody = $("#results-table tbody");
  // The working's box may sit in the table: kept out of the redraw.
  $("#interp-legend").after(detailBox());
  detailRow.remove();
  tbody.innerHTML = "";
  // ※ is explained under the table whenever a row carries it.
  const marked = ev.clauses.some((c) => c.applies && c.interpretations.length);
  $("#interp-legend").textContent = t("interpLegend");
  $("#interp-legend").classList.toggle("hidden", !marked);
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
  if (open) showDetail(open, false); else hideDetail();
}

// The working opens in a row of its own right under the clause's row (not
// below the whole table), takes the focus when opened by the user, and Esc
// closes it with the focus back on the clause's title.
const detailBox = () => document.getElementById("detail");
const detailRow = el("tr", { class: "detail-row" }, el("td", { colspan: "6" }));

function hideDetail(refocus = false) {
  const d = detailBox();
  const id = state.openDetail;
  d.classList.add("hidden");
  $("#interp-legend").after(d);
  detailRow.remove();
  if (refocus && id) {
    state.openDetail = null;
    const link = document.getElementById("detail-link-" + id);
    if (link) link.focus();
  }
}

// The amount and ceiling cells, as Rust words them; a clause waiting for
// answers shows its provisional figure, marked as such.
function amountCells(c) {
  const p = c.provisional;
  if (p) {
    return [
      el("td", { class: "num amount provisional", title: p.text, text: c.amount_text }),
      el("td", { class: "num ceiling provisional", title: p.text, text: c.amount_max_text }),
    ];
  }
  return [el("td", { class: "num amount", text: c.amount_text }), el("td", { class: "num ceiling", text: c.amount_max_text })];
}

function showDetail(c, byUser = true) {
  state.openDetail = c.id;
  const d = detailBox();
  const row = document.querySelector(`#results-table tbody tr[data-clause="${CSS.escape(c.id)}"]`);
  if (row) { detailRow.firstChild.append(d); row.after(detailRow); }
  d.classList.remove("hidden");
  d.innerHTML = "";
  d.tabIndex = -1;
  d.setAttribute("role", "region");
  d.setAttribute("aria-label", `${t("trace")} · ${c.title}`);
  d.onkeydown = (e) => { if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); hideDetail(true); } };
  d.append(
    el("div", { class: "detail-head" },
      el("h3", { text: `${c.title} · ${c.place}` }),
      el("button", { type: "button", class: "ghost small", id: "detail-close", title: "Esc", text: t("closeDetail"), onclick: () => hideDetail(true) })),
    el("h4", { text: t("trace") }),
    el("ol", { id: "detail-trace" }, ...c.trace.map((x) => el("li", { text: x }))),
    el("div", { id: "detail-reasons" }, ...c.reasons.map((x) => el("p", { class: x.interpretation ? "interp" : "", text: x.text }))),
  );
  if (c.claim) {
    const k = c.claim;
    const parts = [k.status.label];
    if (k.approved_with_unit) parts.push(`${t("approvedLabel")} ${k.approved_with_unit}`);
    if (k.estimate_with_unit) parts.push(`${t("estimateLabel")} ${k.estimate_with_unit}`);
    if (k.date) parts.push(k.date);
    if (k.note) parts.push(k.note);
    d.append(el("h4", { text: t("claimThisYear", { year: state.result.year }) }), el("p", { id: "detail-claim", text: parts.join(" · ") }));
  }
  d.append(
    el("h4", { text: t("quote") }),
    el("blockquote", { id: "detail-quote", text: `《${c.document}》${c.place}：“${c.quote}”` }),
    el("p", { id: "detail-frequency", class: "muted small", text: `${t("frequency")}${t("freq_" + c.frequency)}` }),
  );
  if (byUser) { d.scrollIntoView({ block: "nearest" }); d.focus({ preventScroll: true }); }
}

async function saveEvaluation() {
  try {
    const r = await api.saveEvaluation(state.companyId, state.year);
    toast(t("evalSaved", { id: r.id }));
  } catch (e) { toast(errMessage(e).message, true); }
}

async function generatePdfs() {
  $("#pdf-result").textContent = "…";
  try {
    state.lastPdf = await api.generatePdfs(state.companyId, state.year);
  } catch (e) { state.lastPdf = { error: errMessage(e).message }; }
  showPdfResult();
}

export function wireResults() {
  $("#btn-save-eval").addEventListener("click", saveEvaluation);
  $("#btn-pdf").addEventListener("click", generatePdfs);
}
