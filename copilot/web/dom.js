// Small DOM helpers shared by the pages: element building (text only, never HTML strings), clipboard, toast.

/** Build an element: h("li", {class: "x", dataset: {seq: 3}, onclick: fn}, "text", child, ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** Copy text to the clipboard; falls back to a hidden textarea where the Clipboard API is refused. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h("textarea", { class: "sr-only", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

let toastTimer = null;
/** A short message at the bottom of the screen. */
export function toast(message, level = "info") {
  const el = document.getElementById("toast");
  if (!el) return;
  el.textContent = message;
  el.dataset.level = level;
  el.classList.add("show");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove("show"), level === "error" ? 5000 : 2000);
}

/** Briefly highlight a card that just changed. */
export function flash(el) {
  el.classList.remove("updated");
  void el.offsetWidth; // restart the animation
  el.classList.add("updated");
}

export const pct = (x) => `${Math.round((Number(x) || 0) * 100)}%`;

/** Mask mobile numbers in text shown on screen (parameters carry the caller's number in full). */
export const maskPhones = (text) => String(text).replace(/(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g, "$1****$2");

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
