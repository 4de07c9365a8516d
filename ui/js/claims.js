// The claims ledger of the company: every year's claims with the estimate,
// the approved amount, the difference and the two dates, with totals (all
// from Rust). Each filing is set here, in a dialog: status, estimate,
// approved amount, submission and approval dates, note; "＋ 登记申报" adds
// one for any year, its clause chosen among those of the packs that apply
// to the company that year.
import { state } from "./state.js";
import { t } from "./i18n.js";
import { $, el, toast, clearBadToast } from "./dom.js";
import { api, errMessage } from "./api.js";
import { showView } from "./nav.js";

// The year the add-filing dialog opens on when the page next loads (the
// next-year banner's "record last year's filings"), or null.
let pendingAdd = null;

// Open 申报记录 with the add-filing dialog preset to `year`.
export function recordFilingsOf(year) {
  pendingAdd = year;
  showView("claims");
}

export async function loadClaims() {
  if (state.companyId == null) return;
  let v;
  try { v = await api.claims(state.companyId); }
  catch (e) { toast(errMessage(e).message, true); return; }
  renderClaims(v);
  if (pendingAdd != null) {
    const year = pendingAdd;
    pendingAdd = null;
    openFiling({ year }, $("#btn-add-filing"));
  }
}

function renderClaims(v) {
  $("#claims-title").textContent = `${t("claims")} · ${v.company}`;
  $("#claims-intro").textContent = v.count ? t("claimsIntro") : "";
  const add = el("button", { id: "btn-add-filing", type: "button", class: "ghost", text: t("filingAdd"),
    onclick: (e) => openFiling({ year: state.year }, e.currentTarget) });
  const bar = el("div", { class: "claims-actions" }, add);
  const body = $("#claims-body");
  if (!v.count) { body.replaceChildren(bar, el("p", { id: "no-claims", class: "muted", text: t("noClaims") })); return; }
  const num = (cls, text) => el("td", { class: "num " + cls, text });
  const sums = (s) => [num("estimate", s.estimate_text), num("approved", s.approved_text), num("difference", s.difference_text)];
  const head = el("thead", {}, el("tr", {},
    ...[["claimYear"], ["clause"], ["status"], ["estimate", "num"], ["approved", "num"], ["difference", "num"],
      ["submittedOn"], ["approvedOn"], ["claimNote"], ["filingActions", "sr-col"]]
      .map(([k, cls]) => el("th", { scope: "col", class: cls || "", text: t(k) }))));
  const groups = v.years.map((y) => {
    const tb = el("tbody", { "data-year": y.year });
    y.claims.forEach((c, i) => {
      const yearCell = el("td", { class: "year" });
      if (i === 0) yearCell.append(el("button", { type: "button", class: "link", title: t("openYear", { year: y.year }), text: String(y.year),
        onclick: () => { state.year = y.year; $("#year").value = String(y.year); localStorage.setItem("butie.year", state.year); showView("results"); } }));
      // The older single date, when it says more than the two dates shown.
      const oldDate = c.date && c.date !== c.submitted_on && c.date !== c.approved_on ? t("claimDateOld", { date: c.date }) : "";
      tb.append(el("tr", { "data-clause": c.clause, "data-year": c.year, class: "claim-row status-" + c.status.key },
        yearCell,
        el("td", {}, el("div", { text: c.title }), el("div", { class: "muted small", text: c.clause })),
        el("td", {}, el("span", { class: "chip claim " + c.status.key, text: c.status.label })),
        ...sums(c),
        el("td", { class: "small date submitted-on", text: c.submitted_on || "" }),
        el("td", { class: "small date approved-on", text: c.approved_on || "" }),
        el("td", { class: "small" }, c.warning ? el("div", { class: "claim-warning", text: "⚠ " + c.warning }) : "",
          c.note || "", oldDate ? el("div", { class: "muted", text: oldDate }) : ""),
        el("td", {}, el("button", { type: "button", class: "ghost small edit-filing", text: t("filingEdit"),
          "aria-label": t("filingEditOf", { year: c.year, title: c.title }),
          onclick: (e) => openFiling({ year: c.year, claim: c }, e.currentTarget) }))));
    });
    tb.append(el("tr", { class: "subtotal", "data-year": y.year },
      el("th", { scope: "row", colspan: "3", text: t("yearTotal", { year: y.year }) }),
      ...sums(y.totals), el("td", { colspan: "4" })));
    return tb;
  });
  const foot = el("tfoot", {}, el("tr", { class: "total" },
    el("th", { scope: "row", colspan: "3", text: t("allTotal") }),
    ...sums(v.totals), el("td", { colspan: "4" })));
  body.replaceChildren(bar, el("table", { id: "claims-table" }, head, ...groups, foot));
}

// ------------------------------------------------------------------ the dialog

// The form's fields: [key in the FilingForm, label word, the error fields that belong to it].
const FIELDS = [
  ["status", "filingStatus", ["claim.status"]],
  ["estimate", "filingEstimate", ["claim.estimate"]],
  ["approved", "filingApproved", ["claim.approved"]],
  ["submitted_on", "submittedOn", ["claim.submitted_on", "claim.date"]],
  ["approved_on", "approvedOn", ["claim.approved_on"]],
  ["note", "claimNote", ["claim.note"]],
];

const input = (id, attrs = {}) => el("input", { id, type: "text", autocomplete: "off", "aria-describedby": id + "-err", ...attrs });
const errBox = (id) => el("em", { id: id + "-err", class: "field-error", role: "status" });
const row = (id, word, control) => el("div", { class: "frow" }, el("label", { for: id, text: t(word) }), control, errBox(id));

// Open the filing dialog: editing `claim` (a ClaimRow), or adding one for `year`.
// `opener` gets the focus back when it closes (or, after a save, the
// re-drawn row's Edit button).
function openFiling({ year, claim }, opener) {
  const editing = !!claim;
  const behind = [$("#topbar"), $("#layout")];
  const statuses = state.meta ? state.meta.claim_statuses : [];
  const yearInput = input("filing-year", { inputmode: "numeric", maxlength: "4", value: String(year) });
  const clauseSel = el("select", { id: "filing-clause", "aria-describedby": "filing-clause-err" });
  const statusSel = el("select", { id: "filing-status", "aria-describedby": "filing-status-err" },
    ...statuses.map((s) => el("option", { value: s.key, text: s.label })));
  const amountAttrs = { inputmode: "decimal", class: "num" };
  const fields = {
    estimate: input("filing-estimate", { ...amountAttrs, placeholder: t("phEstimate") }),
    approved: input("filing-approved", { ...amountAttrs, placeholder: t("phApproved") }),
    submitted_on: input("filing-submitted_on", { inputmode: "numeric", maxlength: "10", placeholder: "2026-03-31" }),
    approved_on: input("filing-approved_on", { inputmode: "numeric", maxlength: "10", placeholder: "2026-03-31" }),
    note: input("filing-note", { maxlength: "500" }),
  };
  if (editing) {
    statusSel.value = claim.status.key;
    fields.estimate.value = claim.estimate || "";
    fields.approved.value = claim.approved || "";
    fields.submitted_on.value = claim.submitted_on || "";
    fields.approved_on.value = claim.approved_on || "";
    fields.note.value = claim.note || "";
  } else {
    statusSel.value = "submitted";
  }
  // The approved amount and the approval date belong to an approved claim only.
  const approvedOnly = () => {
    const on = statusSel.value === "approved";
    for (const k of ["approved", "approved_on"]) fields[k].disabled = !on;
  };
  statusSel.addEventListener("change", approvedOnly);
  approvedOnly();

  const title = el("h3", { id: "filing-title", text: editing ? t("filingTitleEdit", { year: claim.year, title: claim.title }) : t("filingTitleAdd") });
  const formErr = el("p", { id: "filing-form-err", class: "field-error", role: "alert" });
  const save = el("button", { type: "submit", id: "filing-save", text: t("save") });
  const cancel = el("button", { type: "button", id: "filing-cancel", class: "ghost", text: t("cancel") });
  const where = editing
    ? [el("p", { class: "muted", id: "filing-where", text: `${claim.year} · ${claim.clause}` })]
    : [row("filing-year", "claimYear", yearInput), row("filing-clause", "clause", clauseSel)];
  const form = el("form", { id: "filing-form", novalidate: "" },
    title, ...where,
    row("filing-status", "filingStatus", statusSel),
    row("filing-estimate", "filingEstimate", fields.estimate),
    row("filing-approved", "filingApproved", fields.approved),
    row("filing-submitted_on", "submittedOn", fields.submitted_on),
    row("filing-approved_on", "approvedOn", fields.approved_on),
    row("filing-note", "claimNote", fields.note),
    el("p", { class: "muted small", text: t("filingHint") }),
    formErr,
    el("div", { class: "buttons" }, save, cancel));
  const box = el("div", { class: "modal-box filing-box", role: "dialog", "aria-modal": "true", "aria-labelledby": "filing-title" }, form);
  const overlay = el("div", { id: "filing-dialog", class: "dialog-overlay" }, box);

  // Adding: the clauses of the year typed, those of the packs that apply.
  let clauses = [];
  const loadClauses = async () => {
    const y = Number(yearInput.value.trim());
    setErr("filing-year", "");
    clauseSel.replaceChildren();
    clauses = [];
    if (!/^\d{4}$/.test(yearInput.value.trim())) { setErr("filing-year", t("fieldError", { label: t("claimYear"), message: t("badYear") })); return; }
    try { clauses = await api.filingClauses(state.companyId, y); }
    catch (e) { setErr("filing-year", t("fieldError", { label: t("claimYear"), message: errMessage(e).message })); return; }
    if (!clauses.length) { setErr("filing-clause", t("filingNoClauses", { year: y })); return; }
    setErr("filing-clause", "");
    clauseSel.append(...clauses.map((c) => el("option", { value: c.id,
      text: `${c.title}${c.eligible ? "" : " · " + t("filingNotEligible")}${c.recorded ? " · " + t("filingRecorded") : ""}` })));
  };
  function setErr(id, text) {
    const n = box.querySelector("#" + id + "-err");
    if (n) n.textContent = text;
    const ctl = box.querySelector("#" + id);
    if (ctl) { if (text) ctl.setAttribute("aria-invalid", "true"); else ctl.removeAttribute("aria-invalid"); }
  }
  const clearErrs = () => {
    formErr.textContent = "";
    box.querySelectorAll(".field-error").forEach((n) => (n.textContent = ""));
    box.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
  };

  const keys = (e) => {
    if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(null); return; }
    if (e.key !== "Tab") return;
    // Tab and Shift+Tab stay inside the dialog.
    const stops = [...box.querySelectorAll("input, select, button")].filter((n) => !n.disabled);
    const i = stops.indexOf(document.activeElement);
    e.preventDefault();
    stops[e.shiftKey ? (i <= 0 ? stops.length - 1 : i - 1) : (i + 1) % stops.length].focus();
  };
  const close = (saved) => {
    document.removeEventListener("keydown", keys, true);
    overlay.remove();
    for (const n of behind) n.inert = false;
    // After a save the table is drawn again: the same row's Edit button.
    const again = saved && document.querySelector(`#claims-table tr[data-year="${saved.year}"][data-clause="${CSS.escape(saved.clause)}"] .edit-filing`);
    const back = again || (opener && opener.isConnected ? opener : $("#btn-add-filing"));
    if (back) back.focus();
  };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrs();
    const clause = editing ? claim.clause : clauseSel.value;
    const y = editing ? claim.year : Number(yearInput.value.trim());
    if (!editing && !/^\d{4}$/.test(yearInput.value.trim())) { setErr("filing-year", t("fieldError", { label: t("claimYear"), message: t("badYear") })); yearInput.focus(); return; }
    if (!clause) { setErr("filing-clause", t("fieldError", { label: t("clause"), message: t("filingPickClause") })); clauseSel.focus(); return; }
    const filing = { year: y, clause, status: statusSel.value };
    for (const [k, n] of Object.entries(fields)) filing[k] = n.disabled ? "" : n.value;
    let v;
    try { v = await api.saveFiling(state.companyId, filing); }
    catch (err) {
      const { field, message } = errMessage(err);
      // A required amount: the approved one on an approved claim, otherwise the estimate.
      const f = field === "claim.amount" ? (filing.status === "approved" ? "claim.approved" : "claim.estimate") : field;
      const hit = FIELDS.find(([, , errs]) => errs.includes(f));
      if (hit) {
        const id = "filing-" + hit[0];
        setErr(id, t("fieldError", { label: t(hit[1]), message }));
        box.querySelector("#" + id).focus();
      } else {
        formErr.textContent = message;
      }
      return;
    }
    clearBadToast();
    renderClaims(v);
    const c = v.years.flatMap((yy) => yy.claims).find((r) => r.year === y && r.clause === clause);
    if (c) toast(t("claimSaved", { title: c.title, status: c.status.label }));
    close({ year: y, clause });
  });
  cancel.addEventListener("click", () => close(null));
  yearInput.addEventListener("change", loadClauses);
  // Enter in the year shows that year's clauses (the form is not complete yet).
  yearInput.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); loadClauses(); } });

  document.addEventListener("keydown", keys, true);
  for (const n of behind) n.inert = true;
  document.body.append(overlay);
  if (editing) statusSel.focus();
  else { yearInput.focus(); loadClauses(); }
}
