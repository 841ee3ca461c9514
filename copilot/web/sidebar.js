// The agent's sidebar: follows one call over SSE and renders each card as it arrives.
// /?call=<id> follows a call the telephony side started; without it the page opens in demo mode.

import { api } from "./api.js";
import { CallStream } from "./stream.js";
import { h, fill, toast } from "./dom.js";
import {
  addUtterance, renderBanner, renderCaller, renderCallerError, renderDiagnosis, renderKnowledge,
  renderUnderstanding,
} from "./cards.js";
import { ReplyCard } from "./reply.js";
import { Chat } from "./chat.js";
import { renderWrapup } from "./wrapup.js";
import { installKeys } from "./keys.js";
import { Demo } from "./demo.js";
import { vocab } from "./labels.js";

const el = (id) => document.getElementById(id);
const state = { callId: null, ended: false, stream: null, scripts: new Map(), rendered: [] };
const ctx = {
  callId: () => state.callId,
  ended: () => state.ended,
  titles: new Map(),
  results: {},
  risks: new Set(),
};
const reply = new ReplyCard(el("reply"), ctx);
const chat = new Chat(ctx);
const demo = new Demo(ctx, startCall, chat);

// for tests and for anyone debugging a live sidebar: what was rendered, in order, and the stream
window.hotline = { state, ctx, reply, get stream() { return state.stream; } };

function setStatus(text, which) {
  const status = el("call-status");
  status.textContent = text;
  status.dataset.state = which;
}

function setConnection(which, reconnects) {
  const conn = el("conn");
  conn.dataset.state = which;
  conn.dataset.reconnects = String(reconnects);
  conn.title = { open: "实时推送：已连接", reconnecting: "实时推送：重连中…", closed: "实时推送：已结束" }[which] || "";
}

function onEvent(event) {
  state.rendered.push({ seq: event.seq, type: event.type, turn: event.turn, speaker: event.data?.speaker });
  const d = event.data;
  switch (event.type) {
    case "utterance":
      addUtterance(el("transcript"), event);
      break;
    case "understanding":
      renderUnderstanding(el("understanding"), event, ctx);
      break;
    case "knowledge":
      for (const s of d.scripts || []) state.scripts.set(s.id, s);
      renderBanner(el("banner"), state.scripts, ctx);
      renderKnowledge(el("knowledge"), event, ctx);
      break;
    case "diagnosis":
      renderDiagnosis(el("diagnosis"), event, ctx);
      break;
    case "reply":
      reply.render(event);
      break;
    case "answer":
      chat.render(event);
      break;
    case "action_result":
      for (const [key, result] of Object.entries(d.results || {})) {
        ctx.results[key] = { ...result, repeated: ctx.results[key]?.repeated };
      }
      reply.showResults();
      break;
    case "wrapup":
      markEnded();
      renderWrapup(el("wrapup"), event, ctx);
      el("wrapup").scrollIntoView({ block: "start" });
      break;
    default:
      break; // feedback events are the agent's own clicks
  }
}

function markEnded() {
  state.ended = true;
  setStatus("通话已结束", "ended");
  el("end-call").hidden = true;
  el("new-call").hidden = false;
  chat.setEnabled(false);
  demo.stop();
  reply.showResults();
}

function resetCall() {
  if (state.stream) state.stream.close();
  Object.assign(state, { callId: null, ended: false, stream: null, scripts: new Map(), rendered: [] });
  ctx.results = {};
  ctx.titles.clear();
  ctx.risks.clear();
  for (const id of ["understanding", "diagnosis", "reply", "knowledge", "wrapup", "banner"]) {
    fill(el(id));
    el(id).hidden = true;
  }
  fill(el("transcript"));
  for (const id of ["caller-name", "caller-region", "caller-plan", "caller-badges"]) fill(el(id));
  fill(el("caller-number"), "—");
  chat.reset();
  el("end-call").hidden = false;
  el("end-call").disabled = false;
  el("new-call").hidden = true;
}

/** Follow a call that exists: caller card, then every card over SSE (from the start of the call). */
async function attach(callId) {
  resetCall();
  state.callId = callId;
  el("demo").hidden = true;
  el("call").hidden = false;
  setStatus("通话中", "live");
  el("call-status").title = `通话 ${callId}`;
  state.stream = new CallStream(callId, onEvent, setConnection);
  state.stream.open(0);
  try {
    renderCaller(await api.caller(callId));
  } catch (err) {
    renderCallerError(`客户信息暂不可用：${err.message}`);
  }
}

/** Start a call (as the switch would) and follow it. */
async function startCall(callId, msisdn, agentId) {
  await api.createCall(callId, msisdn, agentId);
  history.replaceState(null, "", `/?call=${encodeURIComponent(callId)}`);
  await attach(callId);
}

async function endCall() {
  const button = el("end-call");
  button.disabled = true;
  try {
    await api.end(state.callId);
  } catch (err) {
    if (err.code === "call_ended") markEnded();
    else {
      button.disabled = false;
      toast(`结束通话失败：${err.message}`, "error");
    }
  }
}

function backToDemo() {
  resetCall();
  demo.stop();
  history.replaceState(null, "", "/");
  el("call").hidden = true;
  el("demo").hidden = false;
  setStatus("未接入通话", "idle");
  setConnection("idle", 0);
  demo.load(new URLSearchParams());
}

function actTop() {
  if (state.ended) return;
  const action = reply.topAction();
  if (action) reply.ask(action);
  else toast("没有待执行的建议动作");
}

async function main() {
  el("end-call").addEventListener("click", endCall);
  el("new-call").addEventListener("click", backToDemo);
  el("help-btn").addEventListener("click", () => el("help-dialog").showModal());
  el("follow-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const callId = el("follow-id").value.trim();
    if (!callId) return;
    try {
      await api.getCall(callId);
      history.replaceState(null, "", `/?call=${encodeURIComponent(callId)}`);
      await attach(callId);
    } catch (err) {
      toast(`无法跟随通话 ${callId}：${err.message}`, "error");
    }
  });
  installKeys({
    copy: () => reply.copy(),
    act: actTop,
    ask: () => { if (!el("call").hidden) chat.focus(); },
    say: () => { if (!el("caller-say").hidden) el("caller-input").focus(); },
    help: () => el("help-dialog").showModal(),
  });
  try {
    Object.assign(vocab, await api.labels());
  } catch {
    // labels fall back to the ids
  }
  const params = new URLSearchParams(location.search);
  const callId = params.get("call");
  if (callId) {
    try {
      await api.getCall(callId);
      await attach(callId);
      document.body.dataset.ready = "true";
      return;
    } catch (err) {
      toast(`无法跟随通话 ${callId}：${err.message}`, "error");
      history.replaceState(null, "", "/");
    }
  }
  fill(el("call-status"), "未接入通话");
  await demo.load(params);
  document.body.dataset.ready = "true";
}

main().catch((err) => {
  document.body.prepend(h("p", { class: "error", role: "alert" }, `侧边栏出错：${err.message}`));
});
