// Saved evaluations: each as it was made (inputs, figures, reasons as
// recorded, the policy versions), in the words and times Rust gives.
import { state } from "./state.js";
import { t } from "./i18n.js";
import { $, el } from "./dom.js";
import { api } from "./api.js";

export async function loadHistory() {
  if (state.companyId == null) return;
  const list = await api.history(state.companyId);
  const ul = $("#history-list");
  ul.innerHTML = "";
  $("#history-detail").classList.add("hidden");
  if (!list.length) ul.append(el("li", { class: "muted", text: t("noHistory") }));
  for (const h of list) {
    const li = el("li", { class: "history-item" },
      // The saved evaluation opens from its number, a button (the whole card takes a click too).
      el("button", { type: "button", class: "link history-open", "aria-controls": "history-detail" }, el("strong", { title: `#${h.id}`, text: `${t("evalNo", { n: h.number })} · ${h.year}` })), el("span", { text: ` ${h.created_text} · ${t("total")} ${h.total_text}` }),
      el("div", { class: "muted small", text: h.packs_text }));
    li.addEventListener("click", () => showHistoryDetail(h));
    ul.append(li);
  }
}

// A saved evaluation as it was made: the inputs, each clause's figure and
// reason, and the policy versions — enough to show later what produced it.
function showHistoryDetail(h) {
  const box = $("#history-detail");
  box.classList.remove("hidden");
  box.replaceChildren(
    el("h3", { title: `#${h.id}`, text: `${t("evalNo", { n: h.number })} · ${h.year} · ${t("total")} ${h.total_text}` }),
    el("p", { class: "muted small", text: `${t("madeWith")} butie ${h.tool_version} · ${h.packs_full_text}` }),
    el("h4", { text: t("inputsUsed") }),
    el("table", { class: "mini", id: "history-inputs" }, ...h.inputs_shown.map((f) => el("tr", {}, el("td", { text: f.label, title: f.key }), el("td", { class: "num", text: f.text })))),
    el("h4", { text: t("figures") }),
    el("table", { class: "mini", id: "history-clauses" },
      el("tr", {}, el("th", { text: t("clause") }), el("th", { text: t("status") }), el("th", { text: t("amount") }), el("th", { text: t("ceiling") }), el("th", { text: t("reason") })),
      ...h.clauses.map((c) => el("tr", {}, el("td", { title: c.id, text: c.title }), el("td", { text: c.status_label }),
        el("td", { class: "num", text: c.amount_text }), el("td", { class: "num", text: c.amount_max_text }),
        el("td", { class: "small", lang: "zh-CN", title: t("recordedInChinese"), text: c.recorded_reasons.join(" ") })))),
  );
}
