// The window's frame: chrome words, the year list, and which page shows.
import { state } from "./state.js";
import { t } from "./i18n.js";
import { $, el } from "./dom.js";
import { refreshEvaluation, showPdfResult } from "./results.js";
import { loadHistory } from "./history.js";
import { loadClaims } from "./claims.js";
import { loadPapers } from "./papers.js";
import { showOverview } from "./portfolio.js";
import { showPacks } from "./packs.js";

// The pages of one company, in tab order.
export const VIEWS = ["profile", "interview", "results", "materials", "claims", "history"];

export function applyChrome() {
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

export function fillYears() {
  const sel = $("#year");
  sel.innerHTML = "";
  for (let y = 2023; y <= 2027; y++) sel.append(el("option", { value: y, text: String(y) }));
  sel.value = String(state.year);
}

export function showView(v) {
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

// A page that is not one company's (the overview, the packs): the company
// pages and their tabs are put away.
export function showPage(id) {
  for (const name of VIEWS) $("#view-" + name).classList.add("hidden");
  $("#tabs").classList.add("hidden");
  $("#empty-state").classList.add("hidden");
  for (const page of ["#view-overview", "#view-packs"]) $(page).classList.toggle("hidden", page !== id);
}

// ←/→ (Home/End) move between the tabs and show the one reached.
export function tabKeys(e) {
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
