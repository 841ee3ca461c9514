// The agent's own questions to the copilot ("问助手"), kept apart from the caller's transcript. Answers arrive as
// `answer` events (so a reconnect replays them once); the question waits as a pending line until then.

import { api } from "./api.js";
import { h, fill, flash } from "./dom.js";
import { feedbackBar } from "./feedback.js";
import { sourcesBlock } from "./sources.js";

export class Chat {
  constructor(ctx) {
    this.ctx = ctx;
    this.list = document.getElementById("answers");
    this.form = document.getElementById("ask-form");
    this.input = document.getElementById("ask-input");
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = "";
      this.ask(text);
    });
  }

  reset() {
    this.list.replaceChildren();
    this.input.value = "";
    this.setEnabled(true);
  }

  setEnabled(on) {
    this.input.disabled = !on;
    this.form.querySelector("button").disabled = !on;
  }

  focus() {
    this.input.focus();
  }

  /** Ask a question (the answer is rendered when its event arrives). */
  async ask(text) {
    const pending = h("li", { class: "pending" }, h("div", { class: "q" }, `问：${text}`),
      h("div", { class: "a" }, "正在查询…"));
    this.list.append(pending);
    try {
      await api.ask(this.ctx.callId(), text);
    } catch (err) {
      pending.classList.remove("pending");
      fill(pending.querySelector(".a"), h("span", { class: "error" }, `没有得到回答：${err.message}`));
    }
  }

  /** Render an `answer` event in place of the oldest pending question. */
  render(event) {
    const d = event.data;
    const item = h("li", { dataset: { seq: event.seq, grounded: String(Boolean(d.grounded)) } },
      h("div", { class: "q" }, `问：${d.question}`),
      h("div", { class: "a" }, d.answer || "没有找到能支撑回答的依据，请人工核实。"),
      h("span", { class: "badge", dataset: { level: d.grounded ? "green" : "amber" } },
        d.grounded ? "有依据" : "无依据支撑，勿直接答复客户"),
      sourcesBlock(d.sources, this.ctx.titles),
      feedbackBar(this.ctx.callId, "answer", () => String(event.seq)));
    const pending = this.list.querySelector("li.pending");
    if (pending) pending.replaceWith(item);
    else this.list.append(item);
    const card = document.getElementById("chat");
    card.dataset.seq = event.seq;
    card.dataset.turn = event.turn;
    flash(card);
  }
}
