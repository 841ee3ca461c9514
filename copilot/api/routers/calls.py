"""Calls: create, add utterances, confirm or reject actions, read the state, end."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, status
from langgraph.types import Command
from pydantic import BaseModel, Field

from copilot.api.deps import BackendsDep, CallsDep, RuntimeDep
from copilot.api.registry import CallRecord, CallRegistry
from copilot.context import CallContext
from copilot.pii import mask
from tools.base.errors import BackendError
from tools.base.values import check_msisdn

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
    text: str = Field(min_length=1, max_length=MAX_UTTERANCE, description="What was said (masked before storing)")
    asr_confidence: float | None = Field(default=None, ge=0, le=1, description="Recognizer confidence")


def _snapshot(out: Any) -> dict[str, Any]:
    return {k: v for k, v in (out or {}).items() if not k.startswith("__")}


@router.post("", status_code=status.HTTP_201_CREATED)
def create_call(body: NewCall, calls: CallsDep, backends: BackendsDep) -> CallRecord:
    """Start following a call; the caller's line must exist in BOSS."""
    try:
        msisdn = check_msisdn(body.msisdn)
        backends.boss.get_subscriber(msisdn)
    except BackendError as exc:
        raise HTTPException(exc.http_status, detail=exc.to_dict()) from None
    record = CallRecord(call_id=body.call_id, msisdn=msisdn, agent_id=body.agent_id)
    if not calls.add(record):
        raise HTTPException(status.HTTP_409_CONFLICT, detail={"code": "call_exists", "message": "通话已存在"})
    return record


@router.post("/{call_id}/utterances")
def add_utterance(call_id: str, body: NewUtterance, calls: CallsDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Add an utterance (masked) and return the current suggestion."""
    record = calls.get(call_id)
    text = mask(body.text.strip())
    if not text:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail={"code": "empty_utterance", "message": "话语内容为空"})
    ctx = CallContext(call_id=call_id, msisdn=record.msisdn, agent_id=record.agent_id)
    with calls.lock(call_id):
        out = runtime.graph.invoke({"transcript": [{"speaker": body.speaker, "text": text}]},
                                   {"configurable": {"thread_id": call_id}}, context=ctx)
    return _snapshot(out)


def _decide(call_id: str, action_id: str, confirm: bool, calls: CallRegistry, runtime: Any
            ) -> dict[str, Any]:
    record = calls.get(call_id)
    ctx = CallContext(call_id=call_id, msisdn=record.msisdn, agent_id=record.agent_id)
    config = {"configurable": {"thread_id": call_id}}
    with calls.lock(call_id):
        state = runtime.graph.get_state(config).values
        if action_id not in {a["key"] for a in state.get("actions", [])}:
            raise HTTPException(status.HTTP_404_NOT_FOUND,
                                detail={"code": "unknown_action", "message": f"本通话没有建议动作 {action_id}"})
        out = runtime.graph.invoke({"requested_action": action_id}, config, context=ctx)
        if out and "__interrupt__" in out:
            out = runtime.graph.invoke(Command(resume={"confirm": confirm}), config, context=ctx)
    return {"action": action_id, "result": _snapshot(out).get("results", {}).get(action_id)}


@router.post("/{call_id}/actions/{action_id}/confirm")
def confirm_action(call_id: str, action_id: str, calls: CallsDep, runtime: RuntimeDep) -> dict[str, Any]:
    """The agent confirms a suggested action: it runs once, whatever happens after."""
    return _decide(call_id, action_id, True, calls, runtime)


@router.post("/{call_id}/actions/{action_id}/reject")
def reject_action(call_id: str, action_id: str, calls: CallsDep, runtime: RuntimeDep) -> dict[str, Any]:
    """The agent declines a suggested action."""
    return _decide(call_id, action_id, False, calls, runtime)


@router.get("/{call_id}")
def get_call(call_id: str, calls: CallsDep, runtime: RuntimeDep) -> dict[str, Any]:
    """The call's state (transcript masked)."""
    record = calls.get(call_id, open_only=False)
    values = runtime.graph.get_state({"configurable": {"thread_id": call_id}}).values
    return {"call": record.model_dump(), "state": {k: v for k, v in values.items() if k != "requested_action"}}


@router.post("/{call_id}/end")
def end_call(call_id: str, calls: CallsDep) -> CallRecord:
    """End the call; later utterances are refused."""
    record = calls.get(call_id)
    record.ended = True
    return record
