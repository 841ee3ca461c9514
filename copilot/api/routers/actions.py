"""Suggested actions: the agent confirms (it runs once, whatever happens after) or rejects."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from langgraph.types import Command

from copilot.api.deps import CallsDep, MetricsDep, TurnsDep
from copilot.api.errors import api_error
from copilot.api.registry import CallRegistry
from copilot.api.turns import TurnRunner

router = APIRouter(prefix="/v1/calls", tags=["actions"])


def _decide(call_id: str, action_id: str, confirm: bool, calls: CallRegistry, turns: TurnRunner) -> dict[str, Any]:
    record = calls.get(call_id)
    with calls.lock(call_id):
        state = turns.state(call_id)
        done = state.get("results", {}).get(action_id)
        if done and done.get("ok"):  # confirmed before, even if later turns no longer suggest it: never twice
            return {"action": action_id, "result": done, "repeated": True}
        action = next((a for a in state.get("actions", []) if a["key"] == action_id), None)
        if action is None:
            raise api_error(status.HTTP_404_NOT_FOUND, "unknown_action", f"本通话没有建议动作 {action_id}")
        _, pending = turns.run(record, {"requested_action": action_id}, "action")
        out, _ = turns.run(record, Command(resume={"confirm": confirm}), "action") if pending else ({}, None)
    result = out.get("results", {}).get(action_id) or turns.state(call_id).get("results", {}).get(action_id)
    return {"action": action_id, "result": result, "repeated": False}


@router.post("/{call_id}/actions/{action_id}/confirm")
def confirm_action(call_id: str, action_id: str, calls: CallsDep, turns: TurnsDep, metrics: MetricsDep
                   ) -> dict[str, Any]:
    """The agent confirms a suggested action of this call: it runs once; a second confirm returns the result."""
    out = _decide(call_id, action_id, True, calls, turns)
    if not out["repeated"]:
        metrics.actions.labels(action_id.split("-")[0], "ok" if (out["result"] or {}).get("ok") else "failed").inc()
    return out


@router.post("/{call_id}/actions/{action_id}/reject")
def reject_action(call_id: str, action_id: str, calls: CallsDep, turns: TurnsDep, metrics: MetricsDep
                  ) -> dict[str, Any]:
    """The agent declines a suggested action (an action already carried out stays done)."""
    out = _decide(call_id, action_id, False, calls, turns)
    if not out["repeated"]:
        metrics.actions.labels(action_id.split("-")[0], "rejected").inc()
    return out
