"""The agent's side of the sidebar: questions to the copilot, and feedback on its cards."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from copilot.api.deps import CallsDep, HubDep, MetricsDep, TurnsDep
from copilot.api.errors import api_error
from copilot.pii import mask

router = APIRouter(prefix="/v1/calls", tags=["assist"])
MAX_QUESTION = 500


class Question(BaseModel):
    """The agent's question, in the agent's own words."""

    text: str = Field(max_length=MAX_QUESTION, description="e.g. 这个客户能办弹性计费包吗？")


class Feedback(BaseModel):
    """What the agent did with a card."""

    card: Literal["understanding", "knowledge", "diagnosis", "reply", "answer", "action", "wrapup"] = Field(
        description="Which card")
    event: Literal["shown", "used", "copied", "thumbs_up", "thumbs_down"] = Field(description="What happened")
    ref: str | None = Field(default=None, max_length=120, description="Knowledge id, action key or event seq")
    reason: str | None = Field(default=None, max_length=500, description="Why (for a thumbs down)")


@router.post("/{call_id}/ask")
def ask(call_id: str, body: Question, calls: CallsDep, turns: TurnsDep) -> dict[str, Any]:
    """A grounded answer from the call's context, the systems and the knowledge base; also sent on /events."""
    record = calls.get(call_id)
    text = mask(" ".join(body.text.split()))
    if not text:
        raise api_error(status.HTTP_422_UNPROCESSABLE_CONTENT, "empty_question", "问题内容为空")
    with calls.lock(call_id):
        out, _ = turns.run(record, {"question": text}, "ask")
    answers = out.get("answers", [])
    return answers[-1] if answers else {"question": text, "answer": None}


@router.post("/{call_id}/feedback", status_code=status.HTTP_201_CREATED)
def feedback(call_id: str, body: Feedback, calls: CallsDep, hub: HubDep, metrics: MetricsDep) -> dict[str, Any]:
    """Record feedback on a card (kept in the call's audit trail)."""
    record = calls.get(call_id, open_only=False)
    data = body.model_dump(exclude_none=True)
    if "reason" in data:
        data["reason"] = mask(data["reason"])
    event = hub.publish(call_id, "feedback", record.turns, data)
    metrics.feedback.labels(body.card, body.event).inc()
    return {"seq": event["seq"], "recorded": True}
