"""Per-call settings, passed to the graph as LangGraph run context (never stored in the state)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CallContext:
    """Who is on the call: the caller's number comes from here, never from the transcript or a model."""

    call_id: str
    msisdn: str
    agent_id: str
