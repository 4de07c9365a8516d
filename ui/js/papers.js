// The 申报材料 page and the packet.
import { state } from "./state.js";
import { t, paren } from "./i18n.js";
import { $, el, toast, confirmModal } from "./dom.js";
import { api, errMessage } from "./api.js";

// The 申报材料 page: each filed clause's materials with status and evidence,
// the year's filing windows, and the packet. Everything comes from Rust.
export async function loadPapers() {
  if (state.companyId == null) return;
  let v;
  try { v = await api.papers(state.companyId, state.year); }
  catch (e) { toast(errMessage(e).message, true); return; }
  renderPapers(v);
}

function renderPapers(v) {
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
      el("span", { text: `${f.name}${paren(f.size_text)} · ${f.clause} · ${f.item}` }), " ",
      el("button", { type: "button", class: "link danger-link", text: t("remove"), onclick: () => removeEvidence(f) }))))) : null;
  if (!v.clauses.length) { body.replaceChildren(el("p", { class: "muted", text: t("noFiled") }), ...(others ? [others] : [])); return; }
  const common = v.common.length ? el("div", { class: "material-clause common" },
    el("h4", { text: t("commonTitle") }),
    el("ol", { class: "material-items" }, ...v.common.map((d) => materialItem(d.clause, d.material, d.serves.length,
      el("p", { class: "muted serves", text: t("commonServes", { n: d.serves.length, list: d.serves.map((s) => s.title).join(state.lang === "en" ? "; " : "、") }) }))))) : null;
  body.replaceChildren(...(common ? [common] : []), ...v.clauses.map((c) => el("div", { class: "material-clause", "data-clause": c.clause },
    el("h4", {}, el("span", { text: `${c.title} · ${c.place}` }), " ", el("span", { class: "chip " + (c.ready >= c.needed ? "eligible" : "needs_input"), text: t("readyCount", { ready: c.ready, needed: c.needed }) })),
    el("ol", { class: "material-items" }, ...c.items.map((m) => m.shared == null ? materialItem(c.clause, m, 1, null)
      : el("li", { class: "material shared-ref " + m.status, "data-item": String(m.number), "data-shared": String(m.shared) },
        el("div", { class: "material-row" }, el("span", { class: "material-text", text: m.item + paren(t("sharedRef")) }),
          el("span", { class: "muted", text: m.label }))))))));
  if (others) body.append(others);
}

// One material with its status, attach button and files; `serves` is how
// many clauses it serves (a shared document's removal says so).
function materialItem(clause, m, serves, extra) {
  const sel = el("select", { class: "material-status", "aria-label": t("materialStatusOf", { item: m.item }), "data-item": String(m.number),
    onchange: (e) => setMaterial(clause, m.number, e.target.value) },
    ...["ready", "not_ready", "not_applicable"].map((k) => el("option", { value: k, text: t(k) })));
  sel.value = m.status;
  return el("li", { class: "material " + m.status, "data-item": String(m.number), ...(serves > 1 ? { "data-common": m.item } : {}) },
    el("div", { class: "material-row" }, el("span", { class: "material-text", text: m.item }), sel,
      el("button", { type: "button", class: "ghost small attach", text: t("attach"), onclick: () => attachEvidence(clause, m.number) })),
    extra,
    m.evidence.length ? el("ul", { class: "evidence" }, ...m.evidence.map((f) => el("li", { "data-evidence": String(f.id) },
      el("span", { text: f.name + paren(f.size_text) }), " ",
      el("code", { class: "sha", title: "SHA-256 " + f.sha256, text: f.sha256.slice(0, 16) + "…" }), " ",
      el("button", { type: "button", class: "link", text: t("open"), onclick: () => openEvidence(f.id) }), " ",
      el("button", { type: "button", class: "link danger-link", text: t("remove"), onclick: () => removeEvidence(f, serves) })))) : null);
}

async function setMaterial(clause, item, status) {
  try { renderPapers(await api.setMaterial(state.companyId, state.year, clause, item, status)); }
  catch (e) { toast(errMessage(e).message, true); loadPapers(); }
}

async function attachEvidence(clause, item) {
  try {
    const r = await api.attachEvidence(state.companyId, state.year, clause, item);
    if (r.cancelled) return;
    renderPapers(r);
    const c = r.clauses.find((x) => x.clause === clause);
    let m = c && c.items.find((x) => x.number === item);
    if (m && m.shared != null) m = r.common[m.shared].material;
    const f = m && m.evidence[m.evidence.length - 1];
    if (f) toast(t("evidenceSaved", { name: f.name }));
  } catch (e) { toast(errMessage(e).message, true); }
}

async function openEvidence(evidence) {
  try { await api.openEvidence(evidence); }
  catch (e) { toast(errMessage(e).message, true); }
}

async function removeEvidence(f, serves = 1) {
  const ask = serves > 1 ? t("confirmRemoveShared", { name: f.name, n: serves }) : t("confirmRemoveEvidence", { name: f.name });
  if (!(await confirmModal(ask, t("remove"), true))) return;
  try {
    renderPapers(await api.removeEvidence(state.companyId, state.year, f.id));
    toast(t("evidenceRemoved", { name: f.name }));
  } catch (e) { toast(errMessage(e).message, true); }
}

async function saveDeadline(ev) {
  ev.preventDefault();
  $("#dl-error").textContent = "";
  try {
    renderPapers(await api.setDeadline(state.companyId, state.year, $("#dl-pack").value,
      $("#dl-start").value || null, $("#dl-end").value, $("#dl-notice").value));
    toast(t("deadlineSaved"));
  } catch (e) { $("#dl-error").textContent = errMessage(e).message; }
}

async function clearDeadline(pack) {
  try { renderPapers(await api.clearDeadline(state.companyId, state.year, pack)); }
  catch (e) { toast(errMessage(e).message, true); }
}

async function generatePacket() {
  $("#packet-result").textContent = "…";
  try {
    const r = await api.generatePacket(state.companyId, state.year, state.company.company.name);
    $("#packet-result").textContent = r.cancelled ? t("cancelled") : t("packetDone", { file: r.file });
  } catch (e) { $("#packet-result").textContent = errMessage(e).message; }
}

export function wirePapers() {
  $("#btn-packet").addEventListener("click", generatePacket);
  $("#deadline-form").addEventListener("submit", saveDeadline);
}
