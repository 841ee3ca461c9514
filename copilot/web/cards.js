// Rendering of the read-only cards: caller, transcript, understanding, emergency banner, diagnosis, knowledge.
// Every card shows what the API sent; nothing here calls the back-office systems.

import { h, fill, flash, pct, maskPhones, copyText, toast } from "./dom.js";
import { feedbackBar, used } from "./feedback.js";
import { docButton, heardText, parseFact } from "./sources.js";
import {
  EMOTIONS, RISKS, SYSTEMS, STATE_TEXT, intentLabel, actionLabel, placeName, slotLabel, slotValueLabel,
} from "./labels.js";

/** Mark a card as holding event `event` (seq and turn as data attributes) and show it. */
export function stamp(el, event) {
  el.dataset.seq = event.seq;
  el.dataset.turn = event.turn;
  el.hidden = false;
  flash(el);
}

export function renderCaller(card) {
  fill(document.getElementById("caller-number"), card.msisdn);
  fill(document.getElementById("caller-name"), card.name);
  fill(document.getElementById("caller-region"), placeName(`${card.province}${card.city}${card.district}`));
  const broadband = (card.broadband || []).map((b) => `宽带：${b.product}（${b.status}）`).join("；");
  fill(document.getElementById("caller-plan"),
    `${card.brand} · ${card.plan} · 余额 ${Number(card.balance_yuan).toFixed(2)} 元 · ${card.star_level}星`,
    broadband ? h("div", { class: "muted" }, broadband) : null);
  fill(document.getElementById("caller-badges"),
    card.badges.map((b) => h("span", { class: "badge", dataset: { level: b.level, system: b.system } }, b.label)));
}

export function renderCallerError(message) {
  fill(document.getElementById("caller-badges"), h("span", { class: "badge", dataset: { level: "grey" } }, message));
}

const WHO = { caller: "客户", agent: "坐席" };

export function addUtterance(list, event) {
  const u = event.data;
  const item = h("li", { dataset: { speaker: u.speaker, seq: event.seq } },
    h("span", { class: "who" }, WHO[u.speaker] || u.speaker), " ", u.text,
    u.other_number ? h("span", { class: "badge", dataset: { level: "amber" } }, "提到他人号码，未查询") : null,
    u.asr_confidence !== undefined && u.asr_confidence < 0.6
      ? h("span", { class: "badge" }, "识别置信度低") : null);
  list.append(item);
  list.scrollTop = list.scrollHeight;
  list.classList.toggle("long", list.scrollHeight > list.clientHeight);
}

export function renderUnderstanding(el, event, ctx) {
  const d = event.data;
  const alerts = [];
  if (EMOTIONS[d.emotion]) alerts.push(EMOTIONS[d.emotion]);
  for (const risk of d.risks || []) ctx.risks.add(risk); // a risk raised once stays for the call
  for (const risk of ctx.risks) alerts.push(RISKS[risk] || { level: "amber", text: `风险：${risk}` });
  const intents = (d.intents || []).filter((i, n) => n === 0 || i.confidence >= 0.05);
  const slots = Object.entries(d.slots || {}).filter(([, v]) => v && v.length);
  fill(el,
    h("header", { class: "card-head" }, h("h2", {}, "来电意图"),
      feedbackBar(ctx.callId, "understanding", () => String(event.seq))),
    alerts.length ? h("ul", { class: "alerts", role: "alert" },
      alerts.map((a) => h("li", { class: "alert", dataset: { level: a.level } }, a.text))) : null,
    h("div", { class: "chips" }, intents.map((i, n) => h("span", {
      class: n === 0 ? "chip top" : "chip", dataset: { intent: i.id }, title: `置信度 ${pct(i.confidence)}`,
    }, i.label || intentLabel(i.id), h("span", { class: "pct" }, pct(i.confidence))))),
    slots.length ? h("div", { class: "chips", style: "margin-top:4px" }, slots.map(([k, v]) =>
      h("span", { class: "chip" },
        `${slotLabel(k)}：${maskPhones([].concat(v).map((x) => slotValueLabel(k, x)).join("、"))}`))) : null);
  stamp(el, event);
}

/** The red banner: every active emergency script that covers the caller, to be read verbatim. */
export function renderBanner(el, scripts, ctx) {
  if (!scripts.size) return;
  fill(el, [...scripts.values()].map((s) => h("section", { dataset: { script: s.id } },
    h("h2", {}, `应急口径（请逐字宣读）· ${s.title}`),
    h("p", { class: "wording" }, s.wording),
    h("p", { class: "meta" }, `${s.id} · ${placeName(s.region)} · 有效至 ${String(s.valid_to || "").slice(0, 16)}`),
    h("div", { class: "row" },
      h("button", { type: "button", class: "small", onclick: async () => {
        if (await copyText(s.wording)) toast("口径已复制");
        used(ctx.callId(), "knowledge", "copied", s.id);
      } }, "复制口径"),
      h("button", { type: "button", class: "small", onclick: (e) => {
        used(ctx.callId(), "knowledge", "used", s.id);
        e.target.disabled = true;
        e.target.textContent = "已宣读";
      } }, "已宣读")))));
  el.hidden = false;
}

const systemOf = (read) => read.system || read.tool.split("_")[0].toUpperCase();
const skipped = (read) => !read.ok && !read.system && !read.ms; // not called: an input it needs is missing

function systemRows(diagnosis) {
  const reads = diagnosis.reads || [];
  const worst = {};
  const rank = { green: 1, amber: 2, red: 3 };
  for (const f of diagnosis.findings || []) {
    const systems = new Set((f.evidence || []).map((e) => parseFact(e).system));
    for (const s of systems) if ((rank[f.severity] || 0) > (rank[worst[s]] || 0)) worst[s] = f.severity;
  }
  return SYSTEMS.map(([system, name]) => {
    const mine = reads.filter((r) => systemOf(r) === system);
    const failed = mine.filter((r) => !r.ok && !skipped(r));
    const answered = mine.filter((r) => r.ok);
    let state = "none";
    if (failed.length) state = "failed";
    else if (answered.length) state = worst[system] || "green";
    else if (mine.length) state = "skipped";
    const facts = answered.flatMap((r) => r.facts || []).map((f) => parseFact(`x: ${f}`).text);
    const errors = mine.filter((r) => !r.ok).map((r) => `${r.tool}：${r.error || "无响应"}`);
    const summary = state === "failed" ? `${name}查询失败，相关判断暂为未知`
      : state === "skipped" ? "缺少上游数据，未能查询" : facts.slice(0, 2).join("；");
    const evidence = [...errors, ...facts];
    return h("li", {
      class: "sys", tabindex: "0", dataset: { system, state },
      title: evidence.join("\n") || STATE_TEXT[state],
    },
    h("span", { class: "dot", "aria-hidden": "true" }),
    h("b", {}, name),
    h("span", { class: "sum" }, h("span", { class: "state" }, STATE_TEXT[state]), summary ? ` · ${summary}` : ""),
    evidence.length ? h("ul", { class: "evidence", role: "tooltip" }, evidence.map((e) => h("li", {}, e))) : null);
  });
}

export function renderDiagnosis(el, event, ctx) {
  const d = event.data.diagnosis;
  if (!d) {
    fill(el, h("header", { class: "card-head" }, h("h2", {}, "一屏诊断")), h("p", { class: "muted" }, "本意图无需查询系统"));
    stamp(el, event);
    return;
  }
  const names = Object.fromEntries(SYSTEMS);
  const failedSystems = [...new Set((d.reads || []).filter((r) => !r.ok && !skipped(r)).map(systemOf))]
    .map((sys) => names[sys] || sys);
  fill(el,
    h("header", { class: "card-head" }, h("h2", {}, `一屏诊断 · ${intentLabel(event.data.intent)}`),
      feedbackBar(ctx.callId, "diagnosis", () => String(event.seq))),
    h("ul", { class: "systems" }, systemRows(d)),
    failedSystems.length ? h("p", { class: "unknown", role: "alert" },
      `${failedSystems.join("、")}查询失败：`,
      d.unknown?.length ? `${d.unknown.length} 项判断暂无法给出，请勿据此下结论` : "请稍后重试或人工核实") : null,
    h("ul", { class: "findings" }, (d.findings || []).map((f) => h("li", {
      class: "finding", dataset: { severity: f.severity, rule: f.rule },
    }, f.text, f.evidence?.length ? h("details", {}, h("summary", {}, "证据"),
      h("ul", {}, f.evidence.map((e) => h("li", {}, parseFact(e).text)))) : null))),
    d.figures?.length ? h("details", { class: "figures" }, h("summary", {}, `核算（${d.figures.length}）`),
      h("ul", {}, d.figures.map((x) => h("li", {}, x)))) : null,
    d.forbidden?.length ? h("p", { class: "forbidden" }, `已排除：${d.forbidden.map(actionLabel).join("、")}`) : null,
    d.questions?.length ? h("p", { class: "questions" }, "建议追问：", d.questions.join(" ")) : null);
  stamp(el, event);
}

/** Words the recogniser misheard and the search read by their sound (淘餐 → 套餐), so the agent can tell. */
function heardAs(hits) {
  const heard = hits.find((hit) => hit.why?.heard_as)?.why.heard_as;
  if (!heard) return null;
  return h("p", { class: "heard", title: "语音识别可能听错，检索按读音纠正" }, `按读音理解：${heardText(heard)}`);
}

export function renderKnowledge(el, event, ctx) {
  const hits = event.data.hits || [];
  for (const hit of hits) ctx.titles.set(hit.id, hit.title);
  for (const s of event.data.scripts || []) ctx.titles.set(s.id, s.title);
  const slot = h("div", { class: "doc-slot" });
  fill(el,
    h("header", { class: "card-head" }, h("h2", {}, `知识推荐 `, h("span", { class: "muted" }, `${hits.length} 条`)),
      feedbackBar(ctx.callId, "knowledge", () => hits[0]?.id || String(event.seq))),
    heardAs(hits),
    hits.length ? h("ol", { class: "hits" }, hits.map((hit) => h("li", { class: "hit", dataset: { doc: hit.id } },
      h("div", {}, docButton(hit.id, hit.title, slot), " ",
        h("span", { class: "badge", dataset: { level: hit.kind === "script" ? "red" : "blue" } },
          hit.kind === "script" ? "应急口径" : placeName(hit.region))),
      hit.snippet ? h("div", { class: "snippet" }, hit.snippet) : null,
      hit.changes_from ? h("div", { class: "why" }, `${hit.changes_from} 起按新版本执行（公告已发布）`) : null,
      hit.why?.matched_terms?.length
        ? h("div", { class: "why" }, `命中：${hit.why.matched_terms.slice(0, 6).join(" / ")}`) : null)))
      : h("p", { class: "muted" }, "没有找到相关知识"),
    slot);
  stamp(el, event);
}
