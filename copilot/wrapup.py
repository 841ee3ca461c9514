"""The call's wrap-up: a summary (诉求 / 核查 / 处理 / 结果), the disposition intent and a prefilled ticket."""

from __future__ import annotations

from typing import Any

from copilot.aftercare import changed_a_system
from copilot.compose import snippet
from knowledge.vocabulary import Vocabulary

OUTCOMES = {
    "intercept": "已在线处理，无需派单",
    "resolve": "已当场解决",
    "dispatch": "需派单上门维修",
    "escalate": "需升级处理",
    "inform": "已向客户解释说明",
}
TICKET_OF = {"dispatch": "repair", "escalate": "complaint"}
TICKET_ACTIONS = {"create_repair_ticket": "repair", "create_complaint_ticket": "complaint",
                  "create_fee_dispute_ticket": "fee_dispute"}


def _ask(transcript: list[dict[str, Any]]) -> str:
    said = [u["text"] for u in transcript if u["speaker"] == "caller"]
    return snippet("，".join(said[:2]), 60) if said else "未说明"


def _action_of(key: str) -> str:
    """The action id of a suggested action's key (``create_repair_ticket-2`` -> ``create_repair_ticket``)."""
    head, _, n = key.rpartition("-")
    return head if head and n.isdigit() else key


def _checked(state: Any, intent: str, diagnosis: dict[str, Any]) -> tuple[list[str], str]:
    """The findings to report and the disposition.

    A write done on the call for its need rests on the diagnosis shown when the agent confirmed it
    (`copilot.aftercare`): after it the systems answer differently ("该月已办理过弹性计费包" is the refund just made),
    so the call's checks and outcome are those. Otherwise (no write, or the need moved on) the last diagnosis's.
    The playbook's own disposition: it reads the outage scripts for the caller's line itself, while the card's
    scripts are every active one of the caller's area, on other lines' equipment too.
    """
    writes = [r for r in state.results.values() if changed_a_system(r) and r.get("basis")]
    bases = [r["basis"] for r in writes if r.get("intent") == intent]
    findings = [f for r in writes for f in r["basis"]["findings"]]
    if not bases:
        findings += [f["text"] for f in diagnosis.get("findings", [])]
    disposition = (bases[-1]["disposition"] if bases else None) or diagnosis.get("disposition") or "inform"
    return list(dict.fromkeys(findings)), disposition


def wrap_up(state: Any, vocabulary: Vocabulary, agent_id: str) -> dict[str, Any]:
    """Summarise the call for the ticket system and the audit trail.

    Args:
        state: The call's state at its end.
        vocabulary: Intent and action labels.
        agent_id: The agent who handled the call.

    Returns:
        ``summary`` (诉求/核查/处理/结果), ``disposition_intent`` and ``ticket``: a prefilled ticket when the
        call needs one and none was created during the call, else None.
    """
    d = state.diagnosis or {}
    intent = state.intents[0][0] if state.intents else "other"
    label = vocabulary.intent_by_id[intent].label if intent in vocabulary.intent_by_id else intent
    done, declined, created = [], [], set()
    for key, result in state.results.items():
        action_id = result.get("action") or _action_of(key)
        known = vocabulary.action_by_id.get(action_id)
        name = result.get("label") or (known.label if known else key)
        if result.get("ok"):
            done.append(f"{name}（{result.get('message', '')}）")
            if action_id in TICKET_ACTIONS:
                created.add(TICKET_ACTIONS[action_id])
        else:
            declined.append(f"{name}：{result.get('message', '')}")
    findings, disposition = _checked(state, intent, d)
    handled = done + [f"未执行 {x}" for x in declined]
    summary = {
        "诉求": f"{label}：{_ask(state.transcript)}",
        "核查": "；".join(findings) or "未做系统核查",
        "处理": "；".join(handled) or ("按应急口径解释" if state.scripts else "解释说明"),
        "结果": OUTCOMES.get(disposition, disposition),
    }
    ticket = None
    kind = TICKET_OF.get(disposition)
    if kind and kind not in created:
        ticket = {
            "kind": kind,
            "intent": intent,
            "title": f"{label}：{findings[0] if findings else _ask(state.transcript)}"[:80],
            "description": "\n".join(f"{k}：{v}" for k, v in summary.items()),
            "evidence": [e for f in d.get("findings", []) for e in f.get("evidence", [])][:6],
            "region": "".join(p for p in (state.region or []) if p) or None,
            "agent_id": agent_id,
        }
    return {"summary": summary, "disposition_intent": intent, "disposition": disposition,
            "ticket": ticket, "questions_asked": len(state.questions)}
