// The interview: only the questions that still change a result, grouped by
// topic, saved as they are answered; numbers read back as Rust reads them.
import { state } from "./state.js";
import { t } from "./i18n.js";
import { $, el, toast, clearBadToast, confirmModal } from "./dom.js";
import { api, errMessage } from "./api.js";
import { renderResults } from "./results.js";
import { recordFilingsOf } from "./claims.js";

export function renderInterview() {
  const r = state.result;
  const { answered, open, percent } = r.progress;
  $("#progress-fill").style.width = percent + "%";
  $("#progress-bar").setAttribute("aria-valuenow", String(percent));
  $("#progress-text").textContent = t("progress", { a: answered, o: open });
  $("#interview-intro").textContent = !r.any_pack_applies ? t("noPackThisYear", { year: r.year }) : open === 0 ? t("allDone") : t("intro");
  offerCarryOver();
  const box = $("#questions");
  // Keep focus where the user is typing.
  const focused = document.activeElement && document.activeElement.id;
  const inQuestion = box.contains(document.activeElement) ? document.activeElement.closest(".question") : null;
  const order = [...box.querySelectorAll(".question")].map((n) => n.dataset.key);
  // Questions already on screen are updated in place, not rebuilt: a field
  // the user is in, or about to tab into, must not vanish under them.
  const old = new Map();
  box.querySelectorAll(".question").forEach((n) => old.set(n.dataset.key, n));
  const groups = new Map();
  for (const q of r.questions) {
    const topic = q.topic === "company" ? t("topicCompany") : state.meta.topics[q.topic] || "";
    if (!groups.has(topic)) groups.set(topic, []);
    groups.get(topic).push(q);
  }
  const sets = [];
  for (const [topic, qs] of groups) {
    const fs = el("fieldset", { class: "topic" }, el("legend", { text: topic }));
    for (const q of qs) {
      const prev = old.get(q.key);
      fs.append(prev && prev.dataset.lang === state.lang && q.def.kind !== "list" ? updateQuestion(prev, q) : renderQuestion(q));
    }
    sets.push(fs);
  }
  box.replaceChildren(...sets);
  if (focused) { const f = document.getElementById(focused); if (f && f !== document.activeElement) f.focus(); }
  // The control the user was on is gone (a list redrawn, or the answer
  // settled the question): the same question, else the next one, takes the
  // focus, never the page.
  if (inQuestion && !box.contains(document.activeElement)) {
    const keys = order.slice(Math.max(order.indexOf(inQuestion.dataset.key), 0));
    const next = keys.map((k) => box.querySelector(`.question[data-key="${k}"]`)).find(Boolean) || box.querySelector(".question");
    const c = next && next.querySelector("input, select, button.choice");
    if (c) c.focus();
  }
  // Enter moved on to the next question: the answer may have brought in a
  // follow-up right after the one answered, which is then the next question.
  const adv = state.advanceAfter;
  state.advanceAfter = null;
  if (adv && Date.now() < adv.until && document.activeElement && document.activeElement.id === adv.to) {
    const qs = [...box.querySelectorAll(".question")];
    const i = qs.findIndex((n) => n.dataset.key === adv.key);
    const c = i >= 0 && qs.slice(i + 1).map((n) => n.querySelector("input, select, button.choice")).find(Boolean);
    if (c && c !== document.activeElement) c.focus();
  }
}

// A year with no answers yet: Rust offers the standing answers
// (recognitions, business types, leases) of the latest earlier year.
function offerCarryOver() {
  const box = $("#carry-over");
  const offer = state.result.carry_over;
  if (!offer) { box.classList.add("hidden"); return; }
  const { from, count } = offer;
  $("#carry-over-text").textContent = t("carryOverOffer", { from, n: count });
  const b = $("#btn-carry-over");
  b.textContent = t("carryOver", { from });
  // Last year's filings are recorded on 申报记录, in its add-filing dialog set to that year.
  const f = $("#btn-carry-filings");
  f.textContent = t("carryOverFilings", { from });
  f.onclick = () => recordFilingsOf(from);
  b.onclick = async () => {
    try {
      const r = await api.copyFacts(state.companyId, from, state.year);
      state.result = r.evaluation;
      toast(t("carriedOver", { from: r.from, n: r.labels.length, list: r.labels_text }));
      box.classList.add("hidden");
      renderInterview();
      renderResults();
    } catch (e) { toast(errMessage(e).message, true); }
  };
  box.classList.remove("hidden");
}

function updateQuestion(node, q) {
  node.classList.toggle("done", q.answered);
  const badge = node.querySelector(".badge");
  badge.className = "badge " + (q.answered ? "ok" : "todo");
  badge.textContent = q.answered ? t("answered") : t("unanswered");
  if (q.def.kind === "bool") {
    for (const [suffix, val] of [["yes", true], ["no", false], ["unknown", null]]) {
      const b = node.querySelector(`#q-${q.key}-${suffix}`);
      if (b) { b.classList.toggle("on", q.value === val); b.setAttribute("aria-pressed", String(q.value === val)); }
    }
  } else {
    const input = node.querySelector("#q-" + q.key);
    // A field showing a refused entry keeps it, so the user can correct it.
    const refused = node.querySelector(".field-error").textContent !== "";
    if (input && input !== document.activeElement && !refused) {
      if (input.tagName === "INPUT") input.value = shownNumber(q); else input.value = q.value ?? "";
      input.dispatchEvent(new Event("input"));
    }
  }
  return node;
}

function renderQuestion(q) {
  const d = q.def;
  const wrap = el("div", { class: "question" + (q.answered ? " done" : ""), id: "question-" + q.key, "data-key": q.key, "data-lang": state.lang },
    el("div", { class: "q-label" },
      // The question names its field (a number or a choice list); yes/no
      // buttons and list rows are a group named by it.
      d.kind === "bool" || d.kind === "list" ? el("span", { id: "qlabel-" + q.key, text: d.label }) : el("label", { id: "qlabel-" + q.key, for: "q-" + q.key, text: d.label }), el("span", { class: "badge " + (q.answered ? "ok" : "todo"), text: q.answered ? t("answered") : t("unanswered") })));
  if (d.help) wrap.append(el("div", { class: "q-help muted small", text: d.help }));
  const err = el("em", { class: "field-error", id: "qerr-" + q.key });
  const send = async (value) => {
    err.textContent = "";
    try {
      state.result = await api.setFact(state.companyId, state.year, q.key, value);
      clearBadToast();
      renderInterview();
      renderResults();
    } catch (e) {
      const m = errMessage(e).message;
      const slot = document.getElementById("qerr-" + q.key);
      if (slot) slot.textContent = m;
      toast(`${t("notSaved")}${d.label} — ${m}`, true);
    }
  };
  let input;
  if (d.kind === "bool") {
    input = el("div", { class: "choices", role: "group", "aria-labelledby": "qlabel-" + q.key });
    for (const [val, label] of [[true, t("yes")], [false, t("no")], [null, t("unknown")]]) {
      const b = el("button", { type: "button", id: `q-${q.key}-${val === null ? "unknown" : val ? "yes" : "no"}`, class: "choice" + (val === null ? " unknown" : "") + (q.value === val ? " on" : ""), "aria-pressed": String(q.value === val), text: label });
      b.addEventListener("click", () => send(val));
      input.append(b);
    }
  } else if (d.kind === "enum") {
    input = el("select", { id: "q-" + q.key });
    input.append(el("option", { value: "", text: "—" }));
    for (const [k, label] of Object.entries(d.options)) input.append(el("option", { value: k, text: label }));
    input.value = q.value || "";
    input.addEventListener("change", () => send(input.value || null));
  } else if (d.kind === "list") {
    input = renderList(q, send);
  } else {
    input = el("div", { class: "numfield" });
    const box = el("input", { id: "q-" + q.key, inputmode: "decimal", value: shownNumber(q) });
    box.addEventListener("change", async () => {
      const text = box.value.trim();
      if (text === "") { send(null); return; }
      if (!(await keepDespiteDoubt(q.key, text, box))) {
        // Not kept: the field goes back to what is saved, so that no figure
        // that was never saved stands there as the answer.
        box.value = shownNumber(q);
        box.dispatchEvent(new Event("input"));
        box.select();
        return;
      }
      send(box.value);
    });
    // Enter saves and moves on to the next question, as Tab does.
    box.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); focusNextQuestion(box); } });
    // What the typed text is read as (236,500,000 / 18200万 / ６.２万), as it is typed.
    const understood = el("span", { class: "understood muted small", id: "qval-" + q.key, "aria-live": "polite" });
    let timer;
    const preview = () => {
      clearTimeout(timer);
      const text = box.value.trim();
      if (text === "") { understood.textContent = ""; return; }
      timer = setTimeout(async () => {
        try { const u = await api.readNumber(q.key, text); if (box.value.trim() === text) understood.textContent = u.text; }
        catch (e) { if (box.value.trim() === text) understood.textContent = "✗ " + errMessage(e).message; }
      }, 120);
    };
    box.addEventListener("input", preview);
    input.append(box, el("span", { class: "unit", text: d.unit }), understood);
    if (q.value != null && q.value !== "") preview();
  }
  wrap.append(input, err);
  return wrap;
}

// A money answer far outside what the clauses expect (ten times the answer
// that reaches a cap, or a fee above the company's whole trade: a 万 typed
// by mistake, most often) is questioned once before it is saved; kept, it
// is never questioned again. Nothing is refused here: the save decides.
async function keepDespiteDoubt(key, text, box) {
  let u;
  try { u = await api.readNumber(key, text, state.companyId, state.year); } catch { return true; }
  const mark = `${state.companyId}/${state.year}/${key}=${u.value}`;
  if (!u.doubt || state.doubtsKept.has(mark)) return true;
  if (await confirmModal(u.doubt, t("keepAsTyped"))) { state.doubtsKept.add(mark); return true; }
  box.focus();
  box.select();
  return false;
}

// A saved number as the field shows it: amounts grouped (236,500,000.00 is
// read back exactly as saved; the digits are only regrouped as text).
function shownNumber(q) {
  const v = q.value;
  if (v == null || v === "") return "";
  const s = String(v);
  if (!/^(money|money_usd)$/.test(q.def.kind) || !/^-?\d+(\.\d+)?$/.test(s)) return s;
  const [int, frac] = s.split(".");
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (frac ? "." + frac : "");
}

// The first control of the question after the one holding `from` (its
// change event fires as focus leaves, so the answer is saved on the way).
function focusNextQuestion(from) {
  const qs = [...document.querySelectorAll("#questions .question")];
  const i = qs.findIndex((q) => q.contains(from));
  // A list question's first control is its first row's field, or its
  // "+ add row" button while it has no rows.
  const next = qs.slice(i + 1).map((q) => q.querySelector("input, select, button.choice, .list-editor button")).find(Boolean);
  // If the answer brings in a follow-up question right after this one, the
  // redrawn questionnaire moves the focus on to it (see renderInterview).
  state.advanceAfter = i >= 0 && next && next.id ? { key: qs[i].dataset.key, to: next.id, until: Date.now() + 3000 } : null;
  // After the last question the focus goes on to the results tab (Enter
  // opens them), never to the page itself.
  const after = next || document.querySelector("#tabs button[data-view='results']");
  if (after) after.focus(); else from.blur();
}

function renderList(q, send) {
  const d = q.def;
  const rows = Array.isArray(q.value) ? q.value.map((r) => ({ ...r })) : [];
  const box = el("div", { class: "list-editor", id: "q-" + q.key });
  const fields = Object.entries(d.fields);
  const table = el("table", { class: "mini" });
  table.append(el("tr", {}, ...fields.map(([, f]) => el("th", { text: f.heading })), el("th", {}, el("span", { class: "sr-only", text: t("removeRow") }))));
  rows.forEach((r, i) => {
    const tr = el("tr");
    for (const [k] of fields) {
      const inp = el("input", { value: r[k] ?? "", inputmode: "decimal", id: `q-${q.key}-${i}-${k}`, "aria-label": `${d.label} · ${t("rowN", { n: i + 1 })} · ${d.fields[k].label}` });
      inp.addEventListener("change", () => { rows[i][k] = inp.value.trim(); if (fields.every(([fk]) => rows[i][fk] !== "" && rows[i][fk] != null)) send(rows); });
      // Enter moves on through the row's fields, then to the next question.
      inp.addEventListener("keydown", (e) => {
        if (e.key !== "Enter") return;
        e.preventDefault();
        const inputs = [...box.querySelectorAll("input")];
        const j = inputs.indexOf(inp);
        if (j >= 0 && j < inputs.length - 1) inputs[j + 1].focus(); else focusNextQuestion(inp);
      });
      tr.append(el("td", {}, inp));
    }
    tr.append(el("td", {}, el("button", { type: "button", class: "ghost small", text: t("removeRow"), onclick: () => { rows.splice(i, 1); send(rows); } })));
    table.append(tr);
  });
  const add = el("button", { type: "button", class: "ghost small", id: `q-${q.key}-add`, text: t("addRow") });
  add.addEventListener("click", () => {
    rows.push(Object.fromEntries(fields.map(([k]) => [k, ""])));
    q.value = rows;
    const fresh = renderList(q, send);
    box.replaceWith(fresh);
    // The new row's first field takes the focus.
    const first = document.getElementById(`q-${q.key}-${rows.length - 1}-${fields[0][0]}`);
    if (first) first.focus();
  });
  if (rows.length === 0) send.empty = true;
  // 没有 stays pressed while the answer is "none" (an empty list saved).
  const isNone = q.answered && Array.isArray(q.value) && q.value.length === 0;
  const none = el("button", { type: "button", class: "ghost small choice-none" + (isNone ? " on" : ""), "aria-pressed": String(isNone), id: `q-${q.key}-none`, text: t("none"), onclick: () => send([]) });
  box.append(table, el("div", { class: "buttons" }, add, none));
  return box;
}
