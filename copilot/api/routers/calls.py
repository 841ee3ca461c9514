"""Calls: start one, add what is said, read its state, end it (with the wrap-up)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from copilot.api.cards import thread_config
from copilot.api.deps import AuditDep, BackendsDep, CallsDep, GateDep, HubDep, MetricsDep, RuntimeDep, TurnsDep
from copilot.api.errors import api_error
from copilot.api.registry import CallRecord
from copilot.api.responses import PlainJSON
from copilot.pii import mask, mask_in_call, other_line_asked_about
from tools.base.errors import BackendError
from tools.base.values import check_msisdn

_VISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\u2060\ufeff]")
"""Control characters and zero-width marks that show nothing (an ASR or copy-paste artefact): not stored."""

router = APIRouter(prefix="/v1/calls", tags=["calls"])
MAX_UTTERANCE = 2000


class NewCall(BaseModel):
    """A call that starts."""

    call_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$", description="Call id")
    msisdn: str = Field(description="Caller's number, from the switch (never from the transcript)")
    agent_id: str = Field(min_length=1, max_length=64, description="Agent id")


class NewUtterance(BaseModel):
    """One utterance from the speech recognizer."""

    speaker: Literal["caller", "agent"] = Field(description="Who spoke")
    text: str = Field(max_length=MAX_UTTERANCE,
                      description=f"What was said, at most {MAX_UTTERANCE} characters (masked before storing)")
    asr_confidence: float | None = Field(default=None, ge=0, le=1, description="Recognizer confidence")


@router.post("", status_code=status.HTTP_201_CREATED)
def create_call(body: NewCall, calls: CallsDep, backends: BackendsDep, audit: AuditDep,
                metrics: MetricsDep, gate: GateDep, runtime: RuntimeDep) -> CallRecord:
    """Start following a call; the caller's line must exist in BOSS."""
    try:
        msisdn = check_msisdn(body.msisdn)
        with gate.shared():  # the simulator's SQLite and the clients' locks: no worker is forked meanwhile
            backends.boss.get_subscriber(msisdn)
    except BackendError as exc:
        raise api_error(exc.http_status, exc.code, exc.message) from None
    record = CallRecord(call_id=body.call_id, msisdn=msisdn, agent_id=body.agent_id)
    if runtime.checkpoints.saver.get_tuple(thread_config(body.call_id)) is not None:
        # a call of an earlier run of the server: its thread would hand the new call the old transcript and state
        raise api_error(status.HTTP_409_CONFLICT, "call_exists", f"通话编号 {body.call_id} 已被之前的通话用过")
    if not calls.add(record):
        raise api_error(status.HTTP_409_CONFLICT, "call_exists", f"通话 {body.call_id} 已存在")
    audit.start(record.call_id, msisdn, record.agent_id)
    metrics.open_calls.set(calls.open_count())
    return record


@router.post("/{call_id}/utterances", response_class=PlainJSON)
def add_utterance(call_id: str, body: NewUtterance, calls: CallsDep, turns: TurnsDep) -> Any:
    """Add an utterance (masked) and return the complete suggestion; its cards also stream on /events."""
    record = calls.get(call_id)
    raw = " ".join(_VISIBLE.sub(" ", body.text).split())
    if not any(unicodedata.category(ch)[0] not in "CZ" for ch in raw):  # zero-width marks alone are nothing said
        raise api_error(status.HTTP_422_UNPROCESSABLE_CONTENT, "empty_utterance", "话语内容为空")
    utterance: dict[str, Any] = {"speaker": body.speaker}
    if body.asr_confidence is not None:
        utterance["asr_confidence"] = body.asr_confidence
    if body.speaker == "caller" and other_line_asked_about(raw, record.msisdn):
        utterance["other_number"] = True  # never looked up: the line is the one the switch gave
    with calls.lock(call_id):
        if record.ended:
            raise api_error(status.HTTP_409_CONFLICT, "call_ended", f"通话 {call_id} 已结束")
        # masked in the call's order: a number read out in pieces over turns is masked in each piece
        utterance["text"], record.number_turns = mask_in_call(raw, record.number_turns)
        if body.speaker == "agent":
            return PlainJSON(turns.note(record, utterance))
        snapshot, _ = turns.run(record, {"transcript": [utterance]}, "utterance")
    return PlainJSON(snapshot)  # plain JSON: the snapshot is built by the graph, not a response model


@router.get("/{call_id}")
def get_call(call_id: str, calls: CallsDep, turns: TurnsDep) -> dict[str, Any]:
    """The call's record and state (transcript masked)."""
    record = calls.get(call_id, open_only=False)
    values = turns.state(call_id)
    call = record.model_dump()
    call["msisdn"] = mask(call["msisdn"])
    return {"call": call, "state": {k: v for k, v in values.items() if k not in ("requested_action", "question")}}


@router.get("/{call_id}/audit")
def get_audit(call_id: str, calls: CallsDep, audit: AuditDep, after: int = 0) -> dict[str, Any]:
    """Everything the agent was shown on the call, in order (for audit and quality review)."""
    calls.get(call_id, open_only=False)
    return {"call": audit.call(call_id), "events": audit.events(call_id, after)}


class ConfirmedWrapup(BaseModel):
    """The wrap-up as the agent confirmed it (edited or as suggested)."""

    summary: dict[Literal["诉求", "核查", "处理", "结果"], str] = Field(
        description="The four parts, each at most 1000 characters")
    disposition: Literal["intercept", "resolve", "dispatch", "escalate", "inform"] = Field(
        description="How the call ended")
    ticket: dict[str, str | list[str] | None] | None = Field(
        default=None, description="The ticket to submit: the suggestion's own (title, description, evidence ...) "
                                  "as edited; texts and lists of texts are kept, masked")
    edited: list[str] = Field(default_factory=list, description="Which parts the agent says they changed (the "
                                                                "server works it out from the suggestion and keeps "
                                                                "that; this is only a hint for older clients)")


def _masked_ticket(ticket: dict[str, str | list[str] | None] | None) -> dict[str, Any] | None:
    """The ticket as kept: each text masked, and each text of a list."""
    if not ticket:
        return None
    return {k: mask(v) if isinstance(v, str) else [mask(x) for x in v] if isinstance(v, list) else v
            for k, v in ticket.items()}


def _edited(suggested: dict[str, Any] | None, body: ConfirmedWrapup) -> list[str]:
    """The parts of the confirmed wrap-up that differ from the copilot's suggestion (诉求 …, 处置, 工单标题/内容)."""
    if not suggested:
        return list(body.edited)
    summary = suggested.get("summary") or {}
    parts = [k for k in ("诉求", "核查", "处理", "结果") if body.summary.get(k, "") != summary.get(k, "")]
    if body.disposition != suggested.get("disposition"):
        parts.append("处置")
    ticket = suggested.get("ticket") or {}
    given = body.ticket or {}
    parts += [name for name, key in (("工单标题", "title"), ("工单内容", "description"))
              if (given.get(key) or "") != (ticket.get(key) or "")]
    return parts


@router.put("/{call_id}/wrapup")
def confirm_wrapup(call_id: str, body: ConfirmedWrapup, calls: CallsDep, turns: TurnsDep,
                   hub: HubDep) -> dict[str, Any]:
    """Store the wrap-up the agent confirmed (masked) in the call's audit trail; allowed once the call ended.

    What the agent changed (``edited``) is worked out here against the suggestion, not taken on the client's word.
    """
    record = calls.get(call_id, open_only=False)
    if not record.ended:
        raise api_error(status.HTTP_409_CONFLICT, "call_not_ended", f"通话 {call_id} 尚未结束，先结束通话再确认小结")
    too_long = [k for k, v in body.summary.items() if len(v) > 1000]
    if too_long or len(body.summary) != 4:
        raise api_error(status.HTTP_422_UNPROCESSABLE_CONTENT, "bad_wrapup",
                        "小结需包含 诉求/核查/处理/结果 四项，每项不超过1000字" + (f"（超长：{'、'.join(too_long)}）"
                                                                       if too_long else ""))
    data = {"summary": {k: mask(v) for k, v in body.summary.items()}, "disposition": body.disposition,
            "ticket": _masked_ticket(body.ticket),
            "edited": _edited(turns.state(call_id).get("wrapup"), body)}
    event = hub.audit.append(call_id, "wrapup_confirmed", record.turns, data)
    return {"seq": event["seq"], "recorded": True}


@router.post("/{call_id}/end")
def end_call(call_id: str, calls: CallsDep, turns: TurnsDep, audit: AuditDep, hub: HubDep,
             metrics: MetricsDep) -> dict[str, Any]:
    """End the call: the wrap-up (summary, disposition, prefilled ticket); later utterances are refused."""
    record = calls.get(call_id)
    with calls.lock(call_id):
        if record.ended:
            raise api_error(status.HTTP_409_CONFLICT, "call_ended", f"通话 {call_id} 已结束")
        snapshot, _ = turns.run(record, {"ending": True}, "end")
        record.ended = True
    audit.end(call_id)
    hub.close_call(call_id)
    metrics.open_calls.set(calls.open_count())
    if snapshot.get("wrapup") is None:
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR)
    return {"call_id": call_id, "ended": True, "wrapup": snapshot["wrapup"]}
