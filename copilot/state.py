"""The call's state: one dataclass with reducers, and the narrower input and output states."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Annotated, Any


def merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """Reducer: later keys win."""
    return {**left, **right}


def once_each(left: list[str], right: list[str]) -> list[str]:
    """Reducer: the items of both, in order of first appearance, each once."""
    return left + [x for x in dict.fromkeys(right) if x not in left]


@dataclass
class CallState:
    """Everything the copilot knows about one call (thread id = call id).

    The caller's transcript and the agent's own questions are kept apart: `transcript` is what was said on the
    line (masked), `questions`/`answers` are the agent's chat with the copilot in the sidebar.
    """

    transcript: Annotated[list[dict[str, Any]], operator.add] = field(default_factory=list)
    requested_action: str | None = None
    question: str | None = None
    ending: bool = False
    region: list[str | None] | None = None
    intents: list[tuple[str, float]] = field(default_factory=list)
    needs: Annotated[list[str], once_each] = field(default_factory=list)
    """Every main intent the call was worked on as (its playbook found something), in order: the wrap-up's 诉求."""
    emotion: str = "calm"
    risks: list[str] = field(default_factory=list)
    call_risks: Annotated[list[str], once_each] = field(default_factory=list)
    """Every risk raised anywhere in the call (a threat made once still stands at the wrap-up)."""
    slots: Annotated[dict[str, Any], merge] = field(default_factory=dict)
    diagnosed_intent: str | None = None
    diagnosed_slots: dict[str, Any] = field(default_factory=dict)
    diagnosis: dict[str, Any] | None = None
    knowledge: list[dict[str, Any]] = field(default_factory=list)
    knowledge_guides: list[str] = field(default_factory=list)
    scripts: list[dict[str, Any]] = field(default_factory=list)
    reply: str | None = None
    reply_sources: list[str] = field(default_factory=list)
    reply_origin: str = "rules"
    reply_notice: str | None = None
    rules_replies: Annotated[list[str], once_each] = field(default_factory=list)
    """Every reply the call's playbooks gave so far, before it was said to this caller (a follow-up question
    that would get one of them again is answered instead: `copilot.followup`)."""
    actions: list[dict[str, Any]] = field(default_factory=list)
    results: Annotated[dict[str, dict[str, Any]], merge] = field(default_factory=dict)
    questions: Annotated[list[dict[str, Any]], operator.add] = field(default_factory=list)
    answers: Annotated[list[dict[str, Any]], operator.add] = field(default_factory=list)
    wrapup: dict[str, Any] | None = None


@dataclass
class CallInput:
    """What comes in: a new (masked) utterance, the agent's question, a requested action, or the call's end."""

    transcript: Annotated[list[dict[str, Any]], operator.add] = field(default_factory=list)
    requested_action: str | None = None
    question: str | None = None
    ending: bool = False


@dataclass
class CallOutput:
    """What the sidebar shows."""

    intents: list[tuple[str, float]] = field(default_factory=list)
    emotion: str = "calm"
    risks: list[str] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    diagnosis: dict[str, Any] | None = None
    knowledge: list[dict[str, Any]] = field(default_factory=list)
    scripts: list[dict[str, Any]] = field(default_factory=list)
    reply: str | None = None
    reply_sources: list[str] = field(default_factory=list)
    reply_origin: str = "rules"
    reply_notice: str | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    answers: list[dict[str, Any]] = field(default_factory=list)
    wrapup: dict[str, Any] | None = None
