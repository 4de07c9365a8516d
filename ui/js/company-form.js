// The company form: fields, the credit code checked as it is typed (Rust
// counts, tidies and places it), save, delete, export and import.
import { state } from "./state.js";
import { t, cityName } from "./i18n.js";
import { $, el, toast, confirmModal } from "./dom.js";
import { api, errMessage } from "./api.js";
import { loadCompanies, selectCompany, showEmpty } from "./companies.js";

// The live check of the credit code waits for a pause in typing; an answer
// to an earlier check (typed on, or saved, meanwhile) is dropped.
let usccTimer = null;
let usccAsked = 0;

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

// The cities (and their districts) of the packs in use.
export function fillCities() {
  const citySel = $("#f-city");
  citySel.innerHTML = "";
  for (const c of Object.keys(state.meta.cities)) citySel.append(el("option", { value: c, text: cityName(c) }));
}

export function showCompanyForm(c) {
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
  // What the form held when shown: an edit typed back to it is no change.
  shownFields = JSON.stringify(formFields());
  // A saved code naming another place (an imported row, a moved company) is said at once.
  if (c && v.uscc) api.checkUscc(v.uscc).then((ok) => { if (state.company === c || state.companyId === c.id) regionFromUscc(ok); }).catch(() => {});
}

// The form's fields as last shown or saved (JSON), to tell a real edit.
let shownFields = "";
const markDirty = () => { state.formDirty = JSON.stringify(formFields()) !== shownFields; };

// True when there is nothing unsaved, or the user agrees to drop it.
export async function leaveForm() {
  if (!state.formDirty) return true;
  const ok = await confirmModal(t("discardForm"), t("leave"));
  if (ok) state.formDirty = false;
  return ok;
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
  usccAsked++;
  clearFieldErrors();
  try {
    const r = await api.saveCompany(state.companyId, formFields());
    toast(t("saved"));
    state.formDirty = false;
    await selectCompany(r.id);
  } catch (e) {
    const { field, message } = errMessage(e);
    const slot = field && $("#err-" + field.replace("company.", ""));
    if (slot) slot.textContent = message; else $("#form-error").textContent = message;
    // The toast names the field, as the message beside it does by its place.
    const input = field && $("#f-" + field.replace("company.", ""));
    const label = input && input.closest("label") && input.closest("label").querySelector("span");
    const name = label && label.textContent && !message.includes(label.textContent) ? label.textContent + " — " : "";
    toast(t("notSaved") + name + message, true);
  }
}

// Only a complete code is judged (Rust does not count the spaces and
// hyphens of a pasted code); while typing, the count shows.
function checkUsccLive() {
  clearTimeout(usccTimer);
  const asked = ++usccAsked;
  usccTimer = setTimeout(async () => {
    let ok, refused;
    try { ok = await api.checkUscc($("#f-uscc").value); } catch (e) { refused = errMessage(e).message; }
    if (asked !== usccAsked) return;
    const slot = $("#err-uscc");
    slot.classList.toggle("soft", !!(ok && ok.typing));
    if (ok && ok.typing) { slot.textContent = ok.typing; return; }
    slot.textContent = refused || "";
    if (ok) regionFromUscc(ok);
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
    warn.textContent = t("regionDisagrees", { where: ok.city + (ok.district || ""), code: ok.division });
  }
}

async function deleteCompany() {
  if (!state.company) return;
  const ok = await confirmModal(t("confirmDelete", { name: state.company.company.name }), t("deleteIt"), true);
  if (!ok) return;
  try {
    const r = await api.deleteCompany(state.companyId);
    toast(r.archived ? t("archived") : t("deleted"));
    state.companyId = null;
    state.company = null;
    const list = await loadCompanies();
    if (list.length) await selectCompany(list[0].id); else showEmpty();
  } catch (e) { toast(errMessage(e).message, true); }
}

async function exportCompany() {
  try {
    const r = await api.exportCompany(state.companyId, state.company.company.name);
    if (!r.cancelled) toast(t("exported", { file: r.file }));
  } catch (e) { toast(errMessage(e).message, true); }
}

async function importCompany() {
  try {
    const r = await api.importCompany();
    if (r.cancelled) return;
    toast(t("imported", { n: r.ids.length }));
    await loadCompanies();
    if (r.ids.length) await selectCompany(r.ids[0]);
  } catch (e) { toast(t("importFailed") + errMessage(e).message, true); }
}

export function wireCompanyForm() {
  const citySel = $("#f-city");
  citySel.addEventListener("change", () => { citySel.dataset.touched = "1"; fillDistricts(citySel.value); checkUsccLive(); });
  $("#f-district").addEventListener("change", () => { citySel.dataset.touched = "1"; checkUsccLive(); });
  $("#f-district-text").addEventListener("change", () => { citySel.dataset.touched = "1"; checkUsccLive(); });
  // Typed but not saved: asked before it is thrown away.
  $("#company-form").addEventListener("input", markDirty);
  $("#company-form").addEventListener("change", markDirty);
  $("#company-form").addEventListener("submit", saveCompany);
  $("#f-uscc").addEventListener("input", checkUsccLive);
  $("#btn-delete").addEventListener("click", deleteCompany);
  $("#btn-export").addEventListener("click", exportCompany);
  $("#btn-import").addEventListener("click", importCompany);
}
