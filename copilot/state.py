"""The call's state: one dataclass with reducers, and the narrower input and output states."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Annotated, Any


def merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """Reducer: later keys win."""
    return {**left, **right}


@dataclass
class CallState:
    """Everything the copilot knows about one call (thread id = call id)."""

    transcript: Annotated[list[dict[str, Any]], operator.add] = field(default_factory=list)
    requested_action: str | None = None
    region: list[str | None] | None = None
    intents: list[tuple[str, float]] = field(default_factory=list)
    emotion: str = "calm"
    risks: list[str] = field(default_factory=list)
    diagnosed_intent: str | None = None
    diagnosis: dict[str, Any] | None = None
    knowledge: list[dict[str, Any]] = field(default_factory=list)
    scripts: list[dict[str, Any]] = field(default_factory=list)
    reply: str | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)
    results: Annotated[dict[str, dict[str, Any]], merge] = field(default_factory=dict)


@dataclass
class CallInput:
    """What comes in: a new (masked) utterance, or the agent asking to run an action."""

    transcript: Annotated[list[dict[str, Any]], operator.add] = field(default_factory=list)
    requested_action: str | None = None


@dataclass
class CallOutput:
    """What the sidebar shows."""

    intents: list[tuple[str, float]] = field(default_factory=list)
    emotion: str = "calm"
    risks: list[str] = field(default_factory=list)
    diagnosis: dict[str, Any] | None = None
    knowledge: list[dict[str, Any]] = field(default_factory=list)
    scripts: list[dict[str, Any]] = field(default_factory=list)
    reply: str | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
