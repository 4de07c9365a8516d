// The claims ledger of the company: every year's claims with the estimate,
// the approved amount and the difference, with totals (all from Rust).
import { state } from "./state.js";
import { t } from "./i18n.js";
import { $, el, toast } from "./dom.js";
import { api, errMessage } from "./api.js";
import { showView } from "./nav.js";

export async function loadClaims() {
  if (state.companyId == null) return;
  let v;
  try { v = await api.claims(state.companyId); }
  catch (e) { toast(errMessage(e).message, true); return; }
  $("#claims-title").textContent = `${t("claims")} · ${v.company}`;
  $("#claims-intro").textContent = v.count ? t("claimsIntro") : "";
  const body = $("#claims-body");
  if (!v.count) { body.replaceChildren(el("p", { id: "no-claims", class: "muted", text: t("noClaims") })); return; }
  const num = (cls, text) => el("td", { class: "num " + cls, text });
  const sums = (s) => [num("estimate", s.estimate_text), num("approved", s.approved_text), num("difference", s.difference_text)];
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
        ...sums(c),
        el("td", { class: "small", text: c.date || "" }),
        el("td", { class: "small" }, c.warning ? el("div", { class: "claim-warning", text: "⚠ " + c.warning }) : "", c.note || "")));
    });
    tb.append(el("tr", { class: "subtotal", "data-year": y.year },
      el("th", { scope: "row", colspan: "3", text: t("yearTotal", { year: y.year }) }),
      ...sums(y.totals), el("td", { colspan: "2" })));
    return tb;
  });
  const foot = el("tfoot", {}, el("tr", { class: "total" },
    el("th", { scope: "row", colspan: "3", text: t("allTotal") }),
    ...sums(v.totals), el("td", { colspan: "2" })));
  body.replaceChildren(el("table", { id: "claims-table" }, head, ...groups, foot));
}
