// Demo mode: pick a sample call and watch it replay in real time (the page posts each utterance after a pause,
// as a speech recognizer would), or play the caller yourself. URL: /?demo=<id>&mode=replay|type&pace=1&steps=N.

import { api } from "./api.js";
import { h, fill, sleep, toast } from "./dom.js";

const CHAR_S = 0.12; // seconds of speech per character, at normal pace

export class Demo {
  /**
   * @param {object} ctx the sidebar's shared context
   * @param {(callId: string, msisdn: string, agentId: string) => Promise<void>} startCall
   * @param {import("./chat.js").Chat} chat
   */
  constructor(ctx, startCall, chat) {
    this.ctx = ctx;
    this.startCall = startCall;
    this.chat = chat;
    this.calls = [];
    this.running = null;
    this.panel = document.getElementById("demo");
    this.list = document.getElementById("demo-list");
    this.pace = document.getElementById("demo-pace");
    this.progress = document.getElementById("demo-progress");
    this.say = document.getElementById("caller-say");
    this.input = document.getElementById("caller-input");
    this.say.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      this.input.value = "";
      this.post("caller", text);
    });
  }

  async load(params) {
    if (params.has("pace")) this.pace.value = params.get("pace");
    try {
      this.calls = (await api.demoCalls()).calls;
    } catch (err) {
      fill(this.list, h("li", { class: "error" }, `示例来电不可用：${err.message}`));
      return;
    }
    fill(this.list, this.calls.map((call) => h("li", {},
      h("button", { type: "button", class: "demo-call", dataset: { demo: call.id }, onclick: () => this.begin(call) },
        h("b", {}, call.title, call.pilot ? h("span", { class: "tag" }, "试点场景") : null),
        h("span", {}, call.summary),
        h("span", {}, `来电号码 ${call.msisdn_masked} · ${call.steps.length} 句`)))));
    const wanted = params.get("demo");
    const call = this.calls.find((c) => c.id === wanted);
    if (call) this.begin(call, params.get("mode") || undefined, Number(params.get("steps")) || undefined);
  }

  mode() {
    return document.querySelector('input[name="demo-mode"]:checked')?.value || "replay";
  }

  /** Start a sample call: replay it, or let the user play the caller. */
  async begin(call, mode = this.mode(), limit = undefined) {
    const callId = `demo-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    try {
      await this.startCall(callId, call.msisdn, "DEMO01");
    } catch (err) {
      toast(`无法开始演示：${err.message}`, "error");
      return;
    }
    const firstCaller = call.steps.find((s) => s.speaker === "caller");
    this.input.placeholder = firstCaller ? `以客户身份说话，如：${firstCaller.text.slice(0, 16)}…` : "以客户身份说一句话";
    if (mode === "type") {
      this.say.hidden = false;
      fill(this.progress, "演示：由你扮演客户");
      this.input.focus();
      return;
    }
    await this.replay(call, limit);
  }

  async replay(call, limit = call.steps.length) {
    const run = {};
    this.running = run;
    const steps = call.steps.slice(0, limit);
    for (const [i, step] of steps.entries()) {
      if (this.running !== run || this.ctx.ended()) return;
      fill(this.progress, `回放中 ${i + 1}/${steps.length}`);
      const pace = Number(this.pace.value);
      await sleep(1000 * pace * (step.pause_s + CHAR_S * step.text.length));
      if (this.running !== run || this.ctx.ended()) return;
      if (step.speaker === "ask") await this.typeQuestion(step.text, pace);
      else await this.post(step.speaker, step.text);
    }
    if (this.running === run) {
      this.running = null;
      this.say.hidden = steps.length < call.steps.length; // a partial replay stops mid-call
      fill(this.progress, steps.length < call.steps.length ? `已回放 ${steps.length}/${call.steps.length} 句`
        : "回放结束：可继续以客户身份输入，或结束通话看小结");
      document.body.dataset.demo = "done";
    }
  }

  /** Type the agent's question into the chat box, visibly, then send it. */
  async typeQuestion(text, pace) {
    const input = document.getElementById("ask-input");
    for (let n = 1; n <= text.length && pace > 0; n += 1) {
      input.value = text.slice(0, n);
      await sleep(60 * pace);
    }
    input.value = "";
    await this.chat.ask(text);
  }

  async post(speaker, text) {
    try {
      await api.say(this.ctx.callId(), speaker, text);
    } catch (err) {
      toast(`发送失败：${err.message}`, "error");
    }
  }

  stop() {
    this.running = null;
    this.say.hidden = true;
    fill(this.progress, "");
    delete document.body.dataset.demo;
  }
}
