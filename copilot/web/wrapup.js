// The wrap-up at call end: the summary (诉求 / 核查 / 处理 / 结果), the disposition and a prefilled ticket, all
// editable; the agent copies it into the CRM and confirms it.

import { h, fill, copyText, toast } from "./dom.js";
import { api } from "./api.js";
import { feedbackBar } from "./feedback.js";
import { stamp } from "./cards.js";
import { DISPOSITIONS, TICKET_KINDS, intentLabel } from "./labels.js";

const FIELDS = ["诉求", "核查", "处理", "结果"];

function area(name, value, rows = 2) {
  const id = `wrap-${name}`;
  return [h("label", { for: id }, name), h("textarea", { id, rows, dataset: { field: name } }, value || "")];
}

export function renderWrapup(el, event, ctx) {
  const w = event.data;
  const original = { ...w.summary, disposition: w.disposition };
  const select = h("select", { id: "wrap-disposition" }, Object.entries(DISPOSITIONS).map(([value, label]) =>
    h("option", { value, selected: value === w.disposition }, label)));
  const ticket = w.ticket ? h("fieldset", { class: "ticket" },
    h("legend", {}, `待提交${TICKET_KINDS[w.ticket.kind] || "工单"}（已预填诊断，无需再问客户）`),
    area("工单标题", w.ticket.title, 1),
    area("工单内容", w.ticket.description, 4)) : null;
  const text = () => [
    ...FIELDS.map((f) => `${f}：${el.querySelector(`[data-field="${f}"]`).value}`),
    `处置：${select.options[select.selectedIndex].text}`,
    w.ticket ? `工单：${el.querySelector('[data-field="工单标题"]').value}` : null,
  ].filter(Boolean).join("\n");
  const changed = () => [
    ...FIELDS.filter((f) => el.querySelector(`[data-field="${f}"]`).value !== (original[f] || "")),
    select.value !== original.disposition ? "处置" : null,
  ].filter(Boolean);
  const done = h("button", { type: "button", class: "primary", id: "wrap-confirm", onclick: async (e) => {
    const button = e.currentTarget;
    button.disabled = true;
    await copyText(text());
    const edits = changed();
    try {
      const summary = Object.fromEntries(FIELDS.map((f) => [f, el.querySelector(`[data-field="${f}"]`).value]));
      const ticketBody = w.ticket ? { title: el.querySelector('[data-field="工单标题"]').value,
        description: el.querySelector('[data-field="工单内容"]').value } : null;
      await api.confirmWrapup(ctx.callId(), { summary, disposition: select.value, ticket: ticketBody,
        edited: edits });
      await api.feedback(ctx.callId(), { card: "wrapup", event: "used",
        ref: edits.length ? `edited:${edits.join(",")}` : "as_suggested" });
      fill(button, "小结已确认");
      toast("小结已确认并复制，可粘贴到工单系统");
    } catch (err) {
      button.disabled = false;
      toast(`小结未记录：${err.message}`, "error");
    }
  } }, "确认小结");
  fill(el,
    h("header", { class: "card-head" }, h("h2", {}, "通话小结"),
      h("span", { class: "muted" }, intentLabel(w.disposition_intent))),
    h("div", { class: "wrapup" },
      FIELDS.map((f) => area(f, w.summary?.[f], f === "核查" ? 3 : 2)),
      h("label", { for: "wrap-disposition" }, "处置结果"), select,
      ticket),
    h("div", { class: "row", style: "margin-top:6px" }, done,
      h("button", { type: "button", onclick: async () => {
        if (await copyText(text())) toast("小结已复制");
      } }, "复制小结")),
    feedbackBar(ctx.callId, "wrapup", () => String(event.seq)));
  stamp(el, event);
}
