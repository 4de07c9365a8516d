// Plain DOM helpers: find, make, the toast and the confirm dialog.
import { t } from "./i18n.js";

export const $ = (sel) => document.querySelector(sel);

export const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
};

let toastTimer = null;

export function toast(msg, bad = false) {
  const box = $("#toast");
  box.textContent = msg;
  box.className = bad ? "bad" : "";
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.classList.add("hidden"), 4000);
}

// An earlier refusal no longer stands once something is saved.
export function clearBadToast() {
  if ($("#toast").classList.contains("bad")) $("#toast").classList.add("hidden");
}

// `danger`: the OK button is red (deleting, removing); otherwise plain.
export function confirmModal(text, okLabel, danger = false) {
  $("#modal-ok").textContent = okLabel || t("ok");
  $("#modal-ok").className = danger ? "danger" : "";
  return new Promise((resolve) => {
    // The control that opened the dialog gets the focus back when it closes.
    const opener = document.activeElement;
    const behind = [$("#topbar"), $("#layout")];
    const buttons = [$("#modal-ok"), $("#modal-cancel")];
    $("#modal-text").textContent = text;
    $("#modal").classList.remove("hidden");
    // While it is open the dialog is all there is: Tab and Shift+Tab cycle
    // through its buttons, Esc is Cancel, the window behind is out of reach.
    const keys = (e) => {
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); done(false); return; }
      if (e.key !== "Tab") return;
      e.preventDefault();
      const i = buttons.indexOf(document.activeElement);
      buttons[e.shiftKey ? (i <= 0 ? buttons.length - 1 : i - 1) : (i + 1) % buttons.length].focus();
    };
    const done = (v) => {
      $("#modal").classList.add("hidden");
      document.removeEventListener("keydown", keys, true);
      for (const n of behind) n.inert = false;
      if (opener && opener.isConnected && opener.offsetParent !== null) opener.focus();
      resolve(v);
    };
    document.addEventListener("keydown", keys, true);
    for (const n of behind) n.inert = true;
    $("#modal-ok").onclick = () => done(true);
    $("#modal-cancel").onclick = () => done(false);
    // The safe choice has the focus.
    $("#modal-cancel").focus();
  });
}
