// 补贴通 front end: plain JavaScript modules over the app's own Tauri
// commands. Every figure, its grouping and unit, every order and every
// sentence about the data come from the Rust side; the window builds the
// page, shows and hides, and keeps its own state (state.js).
import { state } from "./state.js";
import { t } from "./i18n.js";
import { $, toast } from "./dom.js";
import { api } from "./api.js";
import { applyChrome, fillYears, showView, tabKeys } from "./nav.js";
import { loadCompanies, selectCompany, showEmpty, wireCompanies } from "./companies.js";
import { fillCities, leaveForm, wireCompanyForm } from "./company-form.js";
import { refreshEvaluation, showPdfResult, wireResults } from "./results.js";
import { wirePapers } from "./papers.js";
import { showPacks, wirePacks } from "./packs.js";
import { showOverview, wirePortfolio } from "./portfolio.js";

// The end-to-end tests read the window's state from outside.
window.state = state;

// The workspace could not be opened: say why, in the chosen language, and
// offer nothing else (no command would work).
function showStartupError(err) {
  $("#startup-error").classList.remove("hidden");
  $("#layout").classList.add("hidden");
  $("#startup-error-title").textContent = t("startupFailed");
  $("#startup-error-text").textContent = err.message;
  document.body.dataset.ready = "startup-error";
}

const otherLang = () => {
  state.lang = state.lang === "zh" ? "en" : "zh";
  localStorage.setItem("butie.lang", state.lang);
};

async function start() {
  applyChrome();
  fillYears();
  const failed = await api.startupError(state.lang);
  if (failed) {
    $("#btn-lang").addEventListener("click", async () => {
      otherLang();
      applyChrome();
      showStartupError(await api.startupError(state.lang));
    });
    return showStartupError(failed);
  }
  await api.setLang(state.lang);
  state.meta = await api.meta();
  applyChrome();
  fillCities();
  wireCompanyForm();
  wireCompanies();
  wireResults();
  wirePapers();
  wirePacks();
  wirePortfolio();
  $("#tabs").addEventListener("keydown", tabKeys);
  for (const b of document.querySelectorAll("#tabs button")) b.addEventListener("click", () => {
    if (state.companyId == null && b.dataset.view !== "profile") { toast(t("requiredFirst"), true); return; }
    showView(b.dataset.view);
  });
  $("#year").addEventListener("change", () => {
    state.lastPdf = null;
    showPdfResult();
    state.year = Number($("#year").value);
    localStorage.setItem("butie.year", state.year);
    if (state.view === "overview") showOverview(); else refreshEvaluation();
  });
  $("#btn-overview").addEventListener("click", async () => { if (await leaveForm()) showOverview(); });
  $("#btn-packs").addEventListener("click", async () => { if (await leaveForm()) showPacks(); });
  $("#btn-lang").addEventListener("click", async () => {
    otherLang();
    await api.setLang(state.lang);
    state.meta = await api.meta();
    await loadCompanies(); // the list's 示例 badge follows the language
    // City names follow the language too (台州市 / Taizhou (Zhejiang)); the choice stays.
    const cityNow = $("#f-city").value;
    fillCities();
    $("#f-city").value = cityNow;
    // Status lines said in the other language go, rather than staying behind
    // in it; the PDF line is said again in the new one.
    for (const id of ["#pack-result", "#form-error"]) { const n = $(id); if (n) n.textContent = ""; }
    if (!state.pdfJob) $("#pdf-job").classList.add("hidden");
    $("#toast").classList.add("hidden");
    if (state.lastPdf && state.lastPdf.error) state.lastPdf = null;
    showPdfResult();
    applyChrome();
    showView(state.view);
  });
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
