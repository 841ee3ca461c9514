// What a reply or answer rests on: knowledge points and scripts (opened in place: full text, version, effective
// dates) and the system facts it cites.

import { api } from "./api.js";
import { h, fill } from "./dom.js";
import { placeName } from "./labels.js";

const DOC_ID = /^[A-Z][A-Z0-9]*-[A-Za-z0-9-]+$/;
const FACT = /^([a-z_]+):\s*(.*?)(?:\s*\(([A-Z]+)\))?$/;
const docs = new Map();

export const isDocId = (source) => DOC_ID.test(source);

/** "boss_get_bill: 2026-10账单合计 = 119.3元 (BOSS)" -> {system: "BOSS", text: "2026-10账单合计 = 119.3元"}. */
export function parseFact(source) {
  const m = FACT.exec(source);
  return m ? { system: m[3] || m[1].split("_")[0].toUpperCase(), text: m[2] } : { system: "", text: source };
}

function dateText(value) {
  return value ? String(value).replace("T", " ").slice(0, 16) : "长期有效";
}

function renderDoc(doc) {
  if (doc.kind === "script") {
    return h("div", { class: "doc", dataset: { doc: doc.id } },
      h("b", {}, doc.title), "\n", doc.wording, "\n",
      h("span", { class: "doc-meta" },
        `应急口径 ${doc.id} · 有效 ${dateText(doc.valid_from)} 至 ${dateText(doc.valid_to)} · `
        + `${placeName(doc.region)}${doc.district || ""} · 发布：${doc.source}`));
  }
  return h("div", { class: "doc", dataset: { doc: doc.id } },
    h("b", {}, doc.title), "\n", doc.body, "\n",
    h("span", { class: "doc-meta" },
      `${doc.id} · 第${doc.version}版 · 生效 ${doc.effective_from} 至 ${doc.effective_to || "长期"} · `
      + `${placeName(doc.region)} · ${doc.business}/${doc.category} · 来源：${doc.source}`));
}

/** Open (or close) a knowledge point or script inside `slot`. */
export async function toggleDoc(slot, id) {
  if (slot.dataset.open === id) {
    slot.replaceChildren();
    delete slot.dataset.open;
    return;
  }
  slot.dataset.open = id;
  fill(slot, h("div", { class: "doc muted" }, `正在打开 ${id}…`));
  try {
    if (!docs.has(id)) docs.set(id, await api.doc(id));
    if (slot.dataset.open === id) fill(slot, renderDoc(docs.get(id)));
  } catch (err) {
    if (slot.dataset.open === id) fill(slot, h("div", { class: "doc error" }, `${id} 打不开：${err.message}`));
  }
}

/** A button that opens a document in `slot`. */
export function docButton(id, label, slot) {
  const button = h("button", { type: "button", class: "src", dataset: { doc: id }, title: `查看 ${id} 全文`,
    onclick: () => toggleDoc(slot, id) }, label || id);
  if (!label) { // name it by its title once known
    const known = docs.get(id);
    const named = known ? Promise.resolve(known) : api.doc(id).then((doc) => { docs.set(id, doc); return doc; });
    named.then((doc) => { button.textContent = doc.title; }).catch(() => {});
  }
  return button;
}

/**
 * The sources block under a reply or an answer.
 * @param {string[]} sources knowledge ids and "tool: fact (SYSTEM)" strings
 * @param {Map<string,string>} titles known document titles by id
 */
export function sourcesBlock(sources, titles) {
  const unique = [...new Set(sources || [])];
  if (!unique.length) return h("div", { class: "sources muted" }, "依据：无");
  const slot = h("div", { class: "doc-slot" });
  const ids = unique.filter(isDocId);
  const facts = unique.filter((s) => !isDocId(s)).map(parseFact);
  return h("div", { class: "sources" },
    h("span", { class: "muted" }, "依据："),
    ids.map((id) => docButton(id, titles.get(id), slot)),
    facts.length ? h("details", { class: "facts" }, h("summary", {}, `系统数据 ${facts.length} 条`),
      h("ul", {}, facts.map((f) => h("li", {}, f.system ? `[${f.system}] ` : "", f.text)))) : null,
    slot);
}

/** What the search heard a misrecognised word as, by its sound: "淘餐 → 套餐，口钱 → 扣钱". */
export function heardText(heard) {
  return Object.entries(heard).map(([said, meant]) => `${said} → ${meant}`).join("，");
}
