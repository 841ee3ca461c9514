// Feedback on a card: 有用 / 没用 (+ a reason). Recorded in the call's audit trail.

import { api } from "./api.js";
import { h, toast } from "./dom.js";

export const REASONS = ["内容不准确", "与来电无关", "信息过时", "太长不好读", "其他"];

/**
 * A feedback bar for a card.
 * @param {() => string} callId the current call
 * @param {string} card understanding | knowledge | diagnosis | reply | answer | action | wrapup
 * @param {() => (string|null)} ref what exactly (event seq, knowledge id, action key)
 */
export function feedbackBar(callId, card, ref = () => null) {
  const bar = h("div", { class: "feedback", dataset: { card } });
  const status = h("span", { class: "fb-status" });
  const send = async (event, reason) => {
    try {
      await api.feedback(callId(), { card, event, ref: ref() || undefined, reason: reason || undefined });
      bar.dataset.done = "true";
      status.textContent = event === "thumbs_up" ? "已反馈：有用" : `已反馈：没用（${reason || "未说明"}）`;
      reasons.replaceChildren();
    } catch (err) {
      toast(`反馈未记录：${err.message}`, "error");
    }
  };
  const reasons = h("span", { class: "reasons" });
  const askReason = () => {
    reasons.replaceChildren(
      ...REASONS.map((reason) => h("button", { type: "button", class: "small", onclick: () => send("thumbs_down", reason) },
        reason)),
    );
    reasons.querySelector("button")?.focus();
  };
  bar.append(
    h("button", { type: "button", "aria-label": "有用", onclick: () => send("thumbs_up") }, "有用"),
    h("button", { type: "button", "aria-label": "没用", onclick: askReason }, "没用"),
    reasons,
    status,
  );
  return bar;
}

/** Tell the API a card was used (copied, read aloud, acted on); never interrupts the agent. */
export function used(callId, card, event, ref) {
  api.feedback(callId, { card, event, ref: ref || undefined }).catch(() => {});
}
