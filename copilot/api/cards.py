"""One turn's cards: stream the graph for a turn and turn each node's update into the card the sidebar shows.

This runs wherever the graph runs: in the API process, or in a turn worker process (`copilot.api.workers`),
which hands each card back to the API process to publish. Cards are plain data (JSON-able, picklable).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

from copilot.context import CallContext
from copilot.state import CallOutput
from knowledge.vocabulary import Vocabulary

OUTPUT_KEYS = tuple(f.name for f in fields(CallOutput))
FIRST_CARDS = frozenset({"knowledge", "diagnosis", "reply"})
Emit = Callable[[str, dict[str, Any]], None]
"""Called with each card's type and data, the moment its node finishes."""


def thread_config(call_id: str) -> RunnableConfig:
    """The graph's config for a call: one checkpoint thread per call."""
    return {"configurable": {"thread_id": call_id}}


def stream_turn(graph: Any, vocabulary: Vocabulary, ctx: CallContext, payload: dict[str, Any] | Command,
                emit: Emit) -> tuple[dict[str, Any], Any]:
    """Run one turn of the call in `ctx`, emitting its cards as they become ready.

    Returns:
        The sidebar's snapshot after the turn, and the pending interrupt (an action awaiting the agent's
        decision) or None.
    """
    interrupt = None
    final: dict[str, Any] = {}
    # one checkpoint per turn, written when it ends (or at an interrupt), not one per node
    for mode, chunk in graph.stream(payload, thread_config(ctx.call_id), context=ctx,
                                    stream_mode=["updates", "values"], durability="exit"):
        if mode == "values":
            final = chunk
            continue
        for node, update in chunk.items():
            if node == "__interrupt__":
                interrupt = update
                continue
            for type_, data in node_cards(vocabulary, node, update or {}, final):
                emit(type_, data)
    return {k: final[k] for k in OUTPUT_KEYS if k in final}, interrupt


def node_cards(vocabulary: Vocabulary, node: str, update: dict[str, Any], before: dict[str, Any]
               ) -> list[tuple[str, dict[str, Any]]]:
    """The cards a node's update makes (`before`: the state before it)."""
    if node == "compose" and "knowledge" in update:  # the findings' know-how joined the knowledge card
        knowledge = ("knowledge", {"hits": update["knowledge"], "scripts": before.get("scripts", [])})
        return [knowledge, *filter(None, [_card(vocabulary, node, update, before)])]
    card = _card(vocabulary, node, update, before)
    return [card] if card else []


def _card(vocabulary: Vocabulary, node: str, update: dict[str, Any], before: dict[str, Any]
          ) -> tuple[str, dict[str, Any]] | None:
    labels = vocabulary.intent_by_id
    if node == "understand":
        if "intents" not in update:
            return None
        intents = [{"id": i, "label": labels[i].label if i in labels else i, "confidence": c}
                   for i, c in update["intents"]]
        return "understanding", {"intents": intents, "emotion": update["emotion"], "risks": update["risks"],
                                 "slots": update.get("slots", {})}
    if node == "retrieve":
        if "knowledge" not in update:
            return None  # a turn that asked nothing new: the knowledge card shown stands
        return "knowledge", {"hits": update["knowledge"], "scripts": update.get("scripts", [])}
    if node == "diagnose":
        if "diagnosed_intent" not in update:
            return None  # same intent as before: the diagnosis card shown stands
        return "diagnosis", {"intent": update["diagnosed_intent"], "diagnosis": update.get("diagnosis")}
    if node == "compose":
        return "reply", {"reply": update["reply"], "sources": update["reply_sources"],
                         "actions": update["actions"], "origin": "rules"}
    if node == "draft":
        return "reply", {"reply": update.get("reply", before.get("reply")),
                         "sources": update.get("reply_sources", before.get("reply_sources", [])),
                         "actions": before.get("actions", []), "origin": update["reply_origin"],
                         "notice": update.get("reply_notice")}
    if node == "ask":
        return "answer", update["answers"][-1]
    if node == "wrapup":
        return "wrapup", update["wrapup"]
    if node == "act":
        return "action_result", {"results": update.get("results", {})}
    return None
