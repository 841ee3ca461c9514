// The reply card: the suggested wording (one-click copy), what it rests on, and the ranked actions, each behind a
// confirm dialog, then its result. Confirming acts once: the button is disabled at the first click and the API
// itself is idempotent (a repeated confirm returns the first result).

import { api } from "./api.js";
import { h, fill, copyText, toast, maskPhones } from "./dom.js";
import { feedbackBar, used } from "./feedback.js";
import { sourcesBlock } from "./sources.js";
import { stamp } from "./cards.js";
import { ACTION_KINDS, PARAM_NAMES, actionLabel, vocab } from "./labels.js";

const ORIGINS = { rules: "规则", llm: "模型润色" };

function paramList(params) {
  const entries = Object.entries(params || {});
  if (!entries.length) return null;
  return h("dl", { class: "params" }, entries.flatMap(([k, v]) => [
    h("dt", {}, PARAM_NAMES[k] || k), h("dd", {}, maskPhones(typeof v === "object" ? JSON.stringify(v) : v)),
  ]));
}

const cleanMessage = (message) => String(message || "").replace(/^办理结果 = /, "").replace(/\s*\([A-Z]+\)$/, "");

export class ReplyCard {
  constructor(el, ctx) {
    this.el = el;
    this.ctx = ctx;
    this.event = null;
    this.pending = new Set();
  }

  get reply() {
    return this.event?.data.reply || "";
  }

  get actions() {
    return this.event?.data.actions || [];
  }

  render(event) {
    this.event = event;
    const d = event.data;
    const kind = (a) => vocab.actions[a.action]?.kind;
    this.list = h("ol", { class: "actions" }, this.actions.map((a) => h("li", {
      class: "action", dataset: { action: a.key, confirm: String(Boolean(a.needs_confirmation)) },
    },
    h("div", { class: "row" },
      h("b", {}, a.label || actionLabel(a.action)),
      h("span", { class: "kind" }, ACTION_KINDS[kind(a)] || (a.needs_confirmation ? "需确认" : "指引"))),
    paramList(a.params),
    h("div", { class: "row" },
      h("button", { type: "button", class: "primary small", dataset: { role: "go" }, onclick: () => this.ask(a) },
        a.needs_confirmation ? "执行…" : "已按指引处理…"),
      a.needs_confirmation ? h("button", { type: "button", class: "small", dataset: { role: "reject" },
        onclick: () => this.reject(a) }, "不采用") : null),
    h("div", { class: "result", hidden: true, role: "status" }))));
    fill(this.el,
      h("header", { class: "card-head" }, h("h2", {}, "建议话术 ",
        h("span", { class: "badge", dataset: { level: d.origin === "rules" ? "grey" : "blue" } },
          ORIGINS[d.origin] || d.origin)),
      feedbackBar(this.ctx.callId, "reply", () => String(event.seq))),
      h("p", { class: "reply-text", id: "reply-text" }, this.reply),
      d.notice ? h("p", { class: "notice" }, d.notice) : null,
      h("div", { class: "row" },
        h("button", { type: "button", id: "copy-reply", class: "primary", onclick: () => this.copy() },
          "复制话术 ", h("kbd", {}, "C"))),
      sourcesBlock(d.sources, this.ctx.titles),
      h("h3", {}, this.actions.length ? "建议动作" : "暂无建议动作"),
      this.list);
    stamp(this.el, event);
    this.showResults();
  }

  async copy() {
    if (!this.reply) return;
    const ok = await copyText(this.reply);
    toast(ok ? "话术已复制" : "复制失败，请手动选择", ok ? "info" : "error");
    if (ok) used(this.ctx.callId(), "reply", "copied", this.event ? String(this.event.seq) : null);
  }

  /** The first action still to do (what the A shortcut confirms). */
  topAction() {
    return this.actions.find((a) => !this.ctx.results[a.key]?.ok && !this.pending.has(a.key)) || null;
  }

  item(key) {
    return this.list?.querySelector(`li[data-action="${CSS.escape(key)}"]`) || null;
  }

  /** Open the confirm dialog for an action. */
  ask(action) {
    if (this.ctx.ended() || this.ctx.results[action.key]?.ok) return;
    const dialog = document.getElementById("confirm-dialog");
    const go = document.getElementById("confirm-go");
    const writes = action.needs_confirmation;
    fill(document.getElementById("confirm-title"), `${writes ? "确认执行" : "确认已处理"}：${action.label}`);
    fill(document.getElementById("confirm-note"), writes
      ? `将写入${action.tool ? ` ${action.tool.split("_")[0].toUpperCase()} ` : ""}系统，请先向客户确认。同一通话只会执行一次。`
      : "确认已按此指引向客户说明，将记入通话小结。");
    fill(document.getElementById("confirm-params"), ...(paramList(action.params)?.childNodes || []));
    go.disabled = false;
    fill(go, writes ? "确认执行" : "确认");
    go.onclick = async () => {
      if (go.disabled) return;
      go.disabled = true; // a double click acts once
      fill(go, "执行中…");
      await this.confirm(action);
      dialog.close();
    };
    dialog.showModal();
    go.focus();
  }

  async confirm(action) {
    const li = this.item(action.key);
    this.pending.add(action.key);
    li?.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    try {
      const out = await api.confirm(this.ctx.callId(), action.key);
      this.ctx.results[action.key] = { ...(out.result || {}), repeated: out.repeated };
      used(this.ctx.callId(), "action", "used", action.key);
    } catch (err) {
      this.ctx.results[action.key] = { ok: false, message: `执行失败：${err.message}` };
    } finally {
      this.pending.delete(action.key);
      this.showResults();
    }
  }

  async reject(action) {
    try {
      const out = await api.reject(this.ctx.callId(), action.key);
      if (!this.ctx.results[action.key]?.ok) this.ctx.results[action.key] = out.result || { ok: false, message: "坐席未采用" };
    } catch (err) {
      toast(`操作失败：${err.message}`, "error");
    }
    this.showResults();
  }

  /** Put each known result under its action. */
  showResults() {
    for (const a of this.actions) {
      const li = this.item(a.key);
      const result = this.ctx.results[a.key];
      if (!li) continue;
      const box = li.querySelector(".result");
      const done = Boolean(result?.ok);
      li.dataset.done = String(done);
      li.querySelectorAll("button").forEach((b) => { b.disabled = done || this.pending.has(a.key) || this.ctx.ended(); });
      if (!result) continue;
      box.hidden = false;
      box.dataset.ok = String(done);
      fill(box, done ? "✓ " : "✗ ", cleanMessage(result.message) || (done ? "已完成" : "未执行"),
        result.repeated ? "（此前已执行，未重复办理）" : "");
    }
  }
}
