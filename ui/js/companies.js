// The company list in the sidebar, and opening a company.
import { state } from "./state.js";
import { t } from "./i18n.js";
import { $, el } from "./dom.js";
import { api } from "./api.js";
import { showView } from "./nav.js";
import { leaveForm, showCompanyForm } from "./company-form.js";
import { showPdfResult } from "./results.js";

export async function loadCompanies() {
  const list = await api.listCompanies($("#company-search").value);
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

export async function selectCompany(id) {
  if (id !== state.companyId && !(await leaveForm())) return;
  if (id !== state.companyId) { state.openDetail = null; state.lastPdf = null; showPdfResult(); }
  state.companyId = id;
  state.company = id == null ? null : await api.getCompany(id);
  $("#empty-state").classList.add("hidden");
  $("#tabs").classList.remove("hidden");
  showCompanyForm(state.company);
  await loadCompanies();
  showView(state.view === "history" || state.view === "profile" || id == null ? "profile" : state.view === "overview" || state.view === "packs" ? "results" : state.view);
}

export function showEmpty() {
  $("#empty-state").classList.remove("hidden");
  showCompanyForm(null);
}

export function wireCompanies() {
  $("#company-search").addEventListener("input", () => loadCompanies());
  $("#company-list").addEventListener("keydown", companyListKeys);
  $("#btn-new-company").addEventListener("click", async () => {
    if (!(await leaveForm())) return;
    state.companyId = null;
    state.company = null;
    $("#tabs").classList.remove("hidden");
    showView("profile");
    showCompanyForm(null);
    loadCompanies();
    $("#f-name").focus();
  });
}
