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
"""What the playbook's disposition means for the call, when what it called for was done (or needs nothing)."""
UNRESOLVED = "已告知处理办法，未在通话中办理"
"""A resolve whose write was not confirmed on the call."""
DONE = {"dispatch": "已派单上门维修", "escalate": "已升级处理"}
"""A dispatch or an escalation whose ticket was made on the call (else its ticket is prefilled)."""
THREATS = frozenset({"escalation_threat", "media_threat"})
UNSOLVED = {"resolve": "已办理，但客户反映问题仍未解决",
            "intercept": "已在线处理，但客户反映问题仍未解决，需跟进或派单"}
"""What was done, when the caller's last words say it has not fixed it."""
TICKET_OF = {"dispatch": "repair", "escalate": "complaint"}
TICKET_ACTIONS = {"create_repair_ticket": "repair", "create_complaint_ticket": "complaint",
                  "create_fee_dispute_ticket": "fee_dispute"}


CALLER_WORDS_CHARS = 300
"""How much of what the caller said a ticket carries."""


def with_callers_words(description: str, transcript: list[dict[str, Any]]) -> str:
    """A ticket's description with the caller's own words on the call (masked as stored), not asked for again."""
    said = "；".join(u["text"] for u in transcript if u["speaker"] == "caller")
    return f"{description}\n来电人陈述：{snippet(said, CALLER_WORDS_CHARS)}" if said else description


COMPLAINT = "complaint_escalation"
"""The risk of a caller who says they will complain (要投诉): named in the outcome when no complaint was made."""
ASK_CHARS = 60
LAST_WORDS_CHARS = 40


def _ask(transcript: list[dict[str, Any]], last_words: str | None = None) -> str:
    """What the caller asked: the start of their first turn, and the end of their last (where "我要投诉" comes).

    `last_words`: the last turn that says something (a closing "好的" does not), when the caller knows it.
    """
    said = [u["text"] for u in transcript if u["speaker"] == "caller"]
    if not said:
        return "未说明"
    first = snippet(said[0], ASK_CHARS)
    last = " ".join((last_words if last_words is not None else said[-1]).split())
    if len(said) == 1 or not last or last == " ".join(said[0].split()):
        return first
    return f"{first}……{'…' + last[-LAST_WORDS_CHARS:] if len(last) > LAST_WORDS_CHARS else last}"


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


def _outcome(state: Any, intent: str, disposition: str, succeeded: set[str], created: set[str],
             unsolved: bool) -> str:
    """结果: the disposition as it stands at the end of the call, from what was done on it.

    A resolve is 已当场解决 only when a write for the need went through (an offer the agent did not confirm is
    not a solution); a dispatch or an escalation says whether its ticket was made; a caller who last said it
    still fails, or who threatened to go over the hotline's head and was not escalated, is named.
    """
    writes = [r for r in state.results.values() if changed_a_system(r)]
    acted = any(r.get("intent") == intent for r in writes)
    supervisor = "escalate_supervisor" in succeeded
    escalated = bool({"complaint", "fee_dispute"} & created) or supervisor
    outcome = OUTCOMES.get(disposition, disposition)
    if disposition == "resolve" and not acted:
        outcome = UNRESOLVED
    elif (disposition == "dispatch" and "repair" in created) or (disposition == "escalate" and escalated):
        outcome = DONE[disposition]
    if unsolved:
        outcome = UNSOLVED.get(disposition, outcome + "；客户反映问题仍未解决")
    if supervisor and disposition != "escalate":
        outcome += "；已转值班长处理"
    if THREATS & set(state.call_risks) and not escalated:
        outcome += "；客户表示要越级或向媒体投诉，未升级处理"
    elif COMPLAINT in state.call_risks and not escalated:
        outcome += "；客户表示要投诉，未登记投诉"
    return outcome


def wrap_up(state: Any, vocabulary: Vocabulary, agent_id: str, unsolved: bool = False,
            last_words: str | None = None) -> dict[str, Any]:
    """Summarise the call for the ticket system and the audit trail.

    Args:
        state: The call's state at its end.
        vocabulary: Intent and action labels.
        agent_id: The agent who handled the call.
        unsolved: The caller's last words say what was done has not fixed it ("还是上不去").
        last_words: The caller's last turn that says something (not a closing "好的"); the last turn when None.

    Returns:
        ``summary`` (诉求/核查/处理/结果), ``disposition_intent`` and ``ticket``: a prefilled ticket when the
        call needs one (a dispatch, an escalation, or a caller whose last words say it still fails) and none
        was created during the call, else None.
    """
    d = state.diagnosis or {}
    intent = state.intents[0][0] if state.intents else "other"
    label = vocabulary.intent_by_id[intent].label if intent in vocabulary.intent_by_id else intent
    done, declined, created, succeeded = [], [], set(), set()
    for key, result in state.results.items():
        action_id = result.get("action") or _action_of(key)  # a guidance action's result names no action
        known = vocabulary.action_by_id.get(action_id)
        name = result.get("label") or (known.label if known else key)
        if result.get("ok"):
            succeeded.add(action_id)
            done.append(f"{name}（{result.get('message', '')}）")
            if action_id in TICKET_ACTIONS:
                created.add(TICKET_ACTIONS[action_id])
        else:
            declined.append(f"{name}：{result.get('message', '')}")
    findings, disposition = _checked(state, intent, d)
    handled = done + [f"未执行 {x}" for x in declined]
    needs = [n for n in state.needs if n != intent] + [intent]
    labels = [vocabulary.intent_by_id[n].label if n in vocabulary.intent_by_id else n for n in needs]
    read_script = any(s["id"] in state.reply_sources for s in state.scripts)
    summary = {
        "诉求": f"{'、'.join(labels)}：{_ask(state.transcript, last_words)}",
        "核查": "；".join(findings) or "未做系统核查",
        "处理": "；".join(handled) or ("按应急口径解释" if read_script else "解释说明"),
        "结果": _outcome(state, intent, disposition, succeeded, created, unsolved),
    }
    ticket = None
    # still failing, and no ticket made on the call: someone follows it up
    kind = TICKET_OF.get(disposition) or ("complaint" if unsolved and not created else None)
    if kind and kind not in created:
        ticket = {
            "kind": kind,
            "intent": intent,
            "title": f"{label}：{findings[0] if findings else _ask(state.transcript, last_words)}"[:80],
            "description": "\n".join(f"{k}：{v}" for k, v in summary.items()),
            "evidence": [e for f in d.get("findings", []) for e in f.get("evidence", [])][:6],
            "region": "".join(p for p in (state.region or []) if p) or None,
            "agent_id": agent_id,
        }
    return {"summary": summary, "disposition_intent": intent, "disposition": disposition,
            "ticket": ticket, "questions_asked": len(state.questions)}
