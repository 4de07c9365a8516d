// The policy packs in use: import a new version (signed, or unverified with
// the user's consent) and compare a file with the version in use.
import { state } from "./state.js";
import { t } from "./i18n.js";
import { $, el, toast, confirmModal } from "./dom.js";
import { api, errMessage } from "./api.js";
import { showPage } from "./nav.js";

export async function showPacks() {
  state.view = "packs";
  showPage("#view-packs");
  $("#packs-title").textContent = t("packsTitle");
  $("#packs-intro").textContent = t("packsIntro");
  $("#btn-pack-import").textContent = t("packImport");
  $("#btn-pack-diff").textContent = t("packDiff");
  try { renderPacks(await api.packsInUse()); }
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
  try { picked = await api.pickPackFile(); }
  catch (e) { toast(errMessage(e).message, true); return; }
  if (picked.cancelled) return;
  let r;
  for (const allowUnsigned of [false, true]) {
    try { r = await api.importPack(picked.file, allowUnsigned); break; }
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
  state.meta = await api.meta();
}

async function diffPack() {
  let d;
  try { d = await api.diffPack(); }
  catch (e) { $("#pack-result").textContent = errMessage(e).message; $("#pack-result").className = "bad"; return; }
  if (d.cancelled) return;
  $("#pack-diff").classList.remove("hidden");
  $("#pack-diff-title").textContent = t("diffTitle", { pack: d.pack, old: d.old_version, new: d.new_version });
  $("#pack-diff-changes").replaceChildren(...(d.changes.length ? d.changes.map((c) => el("li", { text: c })) : [el("li", { text: t("diffNone") })]));
  $("#pack-diff-clients-title").textContent = t("diffClients", { n: d.clients.length, checked: d.checked });
  $("#pack-diff-clients").replaceChildren(...d.clients.map((c) => el("li", { text: c })));
}

export function wirePacks() {
  $("#btn-pack-import").addEventListener("click", () => importPack());
  $("#btn-pack-diff").addEventListener("click", diffPack);
}
