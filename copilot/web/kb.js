// The knowledge manager's page: index status, bulletin upload (dry-run diff, then apply), and search as agents get it.

import { api } from "./api.js";
import { h, fill, toast } from "./dom.js";
import { placeName } from "./labels.js";
import { docButton, heardText } from "./sources.js";

const el = (id) => document.getElementById(id);
const SUMMARY_LABELS = {
  point_new: "新增知识点", point_changed: "变更知识点", point_retired: "下线知识点", point_unchanged: "无变化",
  point_older: "旧版本(忽略)", script_new: "新应急口径", script_changed: "变更口径", script_unchanged: "口径无变化",
  script_older: "旧版口径(忽略)",
};
const EFFECTIVE = new Set(["new", "changed", "retired"]);
const KINDS = { point: "知识点", script: "应急口径" };
let chosen = [];

function stat(value, label) {
  return h("div", { class: "stat" }, h("b", {}, value ?? "—"), h("span", {}, label));
}

async function loadStatus() {
  try {
    const s = await api.kbStatus();
    if (!s.index) {
      fill(el("status"), h("p", { class: "error" }, s.message || "知识库索引不存在"));
      return;
    }
    const c = s.counts || {};
    fill(el("status"),
      h("div", { class: "stats" },
        stat(s.index, "在用索引版本"),
        stat(c.point_in_force, `在用知识点（共 ${c.point ?? 0}）`),
        stat(c.script_in_force, `在用应急口径（共 ${c.script ?? 0}）`),
        stat(s.expired_in_index, "已过期"),
        stat(s.not_yet_effective, "未生效")),
      h("p", { class: "muted", id: "last-change" }, `最近变更：${changeNote(s.last_change)} · 构建于 ${s.built_at || "—"} · `
        + `向量模型 ${s.embedding_model || "—"} · 业务时间 ${s.as_of || "—"}`),
      s.lexicon_changed ? h("p", { class: "error", role: "alert", id: "lexicon-changed" }, s.message) : null);
    el("status").dataset.index = s.index;
  } catch (err) {
    fill(el("status"), h("p", { class: "error" }, `读取状态失败：${err.message}`));
  }
}

/** The index's note on its last change, as words: an ingest's files and what it changed (the note is JSON). */
function changeNote(note) {
  if (!note) return "—";
  try {
    const parsed = JSON.parse(note);
    if (parsed && Array.isArray(parsed.ingest)) {
      const done = Object.entries(parsed.summary || {}).filter(([key]) => !/_(unchanged|older)$/.test(key))
        .map(([key, n]) => `${SUMMARY_LABELS[key] || key} ${n}`);
      return `导入 ${parsed.ingest.join("、")}${done.length ? `（${done.join("，")}）` : ""}`;
    }
  } catch {
    // not JSON: a rebuild's own words
  }
  return note;
}

function problemsBlock(err) {
  const problems = err.detail?.problems || {};
  return h("div", { class: "problems", role: "alert" },
    h("b", {}, err.message || "公告未入库"),
    Object.entries(problems).map(([file, reasons]) => [
      h("h3", {}, file),
      h("ul", {}, [].concat(reasons).map((r) => h("li", {}, r)))]),
    h("p", {}, "本批公告全部未应用，请修改后重新上传。"));
}

function changesTable(changes) {
  return h("table", { class: "changes" },
    h("thead", {}, h("tr", {}, ["变更", "类型", "编号", "标题", "说明", "文件"].map((t) => h("th", {}, t)))),
    h("tbody", {}, changes.map((c) => h("tr", { dataset: { action: c.action, id: c.id } },
      h("td", {}, c.label), h("td", {}, KINDS[c.kind] || c.kind), h("td", {}, c.id), h("td", {}, c.title),
      h("td", {}, c.detail || ""), h("td", {}, c.file || "")))));
}

/** The call types whose cards lead with a point this upload retires: publish a successor or edit the playbook. */
function losingBlock(losing) {
  if (!losing.length) return null;
  return h("div", { class: "losing", id: "guides-losing", role: "alert" },
    h("p", { class: "error" }, `注意：以下 ${losing.length} 条剧本指引目前展示的知识将被下线，下线后坐席卡片会改为其他知识点，请同时发布替代知识或调整剧本：`),
    h("ul", {}, losing.map((g) => h("li", { dataset: { id: g.id, intent: g.intent } },
      `${g.intent}「${g.guide}」→ ${g.id} ${g.title}`))));
}

function renderPlan(out) {
  const plan = out.plan;
  const effective = plan.changes.filter((c) => EFFECTIVE.has(c.action));
  const summary = Object.entries(plan.summary || {});
  const apply = h("button", { type: "button", id: "apply-btn", class: "primary", disabled: !effective.length,
    onclick: () => applyPlan(apply) }, "确认入库");
  fill(el("plan"),
    h("h3", { id: "plan-heading" }, "将要产生的变更（试运行，尚未入库）"),
    plan.bulletins.length ? h("p", { class: "muted" },
      plan.bulletins.map((b) => `${b.id}《${b.title}》${b.published}`).join("；")) : null,
    h("div", { class: "badges", id: "plan-summary" }, summary.map(([key, n]) => h("span", {
      class: "badge", dataset: { key, level: key.endsWith("retired") ? "red" : key.endsWith("new") ? "green"
        : key.endsWith("changed") ? "amber" : "grey" },
    }, `${SUMMARY_LABELS[key] || key} ${n}`))),
    changesTable(plan.changes),
    losingBlock(out.guides_losing || []),
    h("div", { class: "row", style: "margin-top:8px" }, apply,
      effective.length ? h("span", { class: "muted" }, `入库后坐席立即检索到新内容（${effective.length} 项变更）`)
        : h("span", { class: "muted" }, "没有需要入库的变更")));
}

async function planUpload(e) {
  e.preventDefault();
  chosen = [...el("bulletin-files").files];
  if (!chosen.length) {
    toast("请先选择公告文件", "error");
    return;
  }
  const button = el("plan-btn");
  button.disabled = true;
  fill(el("plan"), h("p", { class: "muted" }, "正在解析公告…"));
  try {
    renderPlan(await api.kbIngest(chosen, true));
  } catch (err) {
    fill(el("plan"), err.detail?.problems ? problemsBlock(err) : h("p", { class: "error", role: "alert" }, err.message));
  } finally {
    button.disabled = false;
  }
}

async function applyPlan(button) {
  button.disabled = true;
  fill(button, "正在入库…");
  try {
    const out = await api.kbIngest(chosen, false);
    el("plan").append(h("div", { class: "applied", id: "applied", role: "status" }, out.index
      ? `已入库：索引切换到 ${out.index}，坐席助手已在使用新内容。`
      : "没有变化：内容与在用索引一致，未生成新版本。"));
    fill(button, "已入库");
    fill(el("plan-heading"), out.index ? "已入库的变更" : "变更（内容未变，未入库）");
    await loadStatus();
  } catch (err) {
    button.disabled = false;
    fill(button, "确认入库");
    el("plan").append(err.detail?.problems ? problemsBlock(err) : h("p", { class: "error", role: "alert" }, err.message));
  }
}

async function search(e) {
  e.preventDefault();
  const form = new FormData(el("search-form"));
  const params = {};
  for (const [key, value] of form.entries()) if (String(value).trim()) params[key] = String(value).trim();
  fill(el("results"), h("p", { class: "muted" }, "检索中…"));
  try {
    const out = await api.kbSearch(params);
    const slot = h("div", { class: "doc-slot" });
    fill(el("results"),
      h("p", { class: "muted" }, `索引 ${out.index} · 地区 ${placeName(out.region)} · 时间 ${out.at.replace("T", " ")} · ${out.hits.length} 条`),
      out.hits.length ? h("ol", { class: "hits" }, out.hits.map((hit) => h("li", { class: "hit", dataset: { doc: hit.id } },
        h("div", {}, `${hit.rank}. `, docButton(hit.id, hit.title, slot), " ",
          h("span", { class: "badge", dataset: { level: hit.kind === "script" ? "red" : "blue" } },
            hit.kind === "script" ? "应急口径" : "知识点"), " ",
          h("span", { class: "badge" }, placeName(hit.region)), " ", h("span", { class: "muted" }, hit.id)),
        h("div", { class: "why" }, whyText(hit)),
        hit.changes_from ? h("div", { class: "why" }, `${hit.changes_from} 起按新版本执行（公告已发布）`) : null)))
        : h("p", {}, "没有符合条件的结果"),
      slot);
  } catch (err) {
    fill(el("results"), h("p", { class: "error", role: "alert" }, err.message));
  }
}

function whyText(hit) {
  const w = hit.why || {};
  return [
    w.pinned ? `置顶：${w.pinned}` : null,
    w.heard_as ? `按读音理解：${heardText(w.heard_as)}` : null,
    w.matched_terms?.length ? `命中词：${w.matched_terms.join(" / ")}` : null,
    w.bm25_rank ? `关键词排名 ${w.bm25_rank}` : null,
    w.dense_rank ? `语义排名 ${w.dense_rank}` : null,
    w.question_type ? `问题类型：${w.question_type}` : null,
    `得分 ${Number(hit.score).toFixed(2)}`,
  ].filter(Boolean).join(" · ");
}

el("upload-form").addEventListener("submit", planUpload);
el("bulletin-files").addEventListener("change", () => fill(el("plan")));
el("search-form").addEventListener("submit", search);
el("status-refresh").addEventListener("click", loadStatus);
loadStatus().then(() => { document.body.dataset.ready = "true"; });
