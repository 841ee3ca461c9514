"""Run one turn of a call through the graph and publish each card the moment its node finishes.

A turn is a caller utterance, the agent's question, an action decision or the call's end. The graph streams
node updates; each becomes one event (card) on the call's channel, so the knowledge card goes out while the
diagnosis still waits on the back-office systems. Turns of one call run one at a time (the registry's lock).
"""

from __future__ import annotations

import threading
import time
from dataclasses import fields
from typing import Any

from langgraph.types import Command

from copilot.api.events import EventHub
from copilot.api.metrics import Metrics
from copilot.api.registry import CallRecord
from copilot.context import CallContext
from copilot.state import CallOutput
from knowledge.vocabulary import Vocabulary

OUTPUT_KEYS = tuple(f.name for f in fields(CallOutput))
FIRST_CARDS = frozenset({"knowledge", "diagnosis", "reply"})


def _config(call_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": call_id}}


class TurnRunner:
    """Streams the graph for a call's turns and publishes their cards."""

    def __init__(self, graph: Any, hub: EventHub, metrics: Metrics, vocabulary: Vocabulary,
                 concurrency: int = 2) -> None:
        self.graph = graph
        self.hub = hub
        self.metrics = metrics
        self.vocabulary = vocabulary
        # A few turns at a time: dozens of threads taking turns on the GIL run slower than a short queue
        self._slots = threading.BoundedSemaphore(concurrency)

    def snapshot(self, call_id: str) -> dict[str, Any]:
        """What the sidebar shows for the call now."""
        values = self.graph.get_state(_config(call_id)).values
        return {k: values[k] for k in OUTPUT_KEYS if k in values}

    def state(self, call_id: str) -> dict[str, Any]:
        """The call's whole state (transcript masked)."""
        return dict(self.graph.get_state(_config(call_id)).values)

    def note(self, record: CallRecord, utterance: dict[str, Any]) -> dict[str, Any]:
        """Add what the agent said to the transcript without running the copilot (it answers the caller)."""
        self.graph.update_state(_config(record.call_id), {"transcript": [utterance]})
        self.hub.publish(record.call_id, "utterance", record.turns, utterance)
        return self.snapshot(record.call_id)

    def run(self, record: CallRecord, payload: dict[str, Any] | Command, kind: str
            ) -> tuple[dict[str, Any], Any]:
        """Run a turn; returns the sidebar's snapshot and the pending interrupt (an action awaiting a decision)."""
        ctx = CallContext(call_id=record.call_id, msisdn=record.msisdn, agent_id=record.agent_id)
        if kind in ("utterance", "ask", "end"):
            record.turns += 1  # an action decision belongs to the turn that suggested it
        if kind == "utterance":
            for u in payload.get("transcript", []) if isinstance(payload, dict) else []:
                self.hub.publish(record.call_id, "utterance", record.turns, u)
        started = time.perf_counter()
        self.metrics.turns.labels(kind).inc()
        with self._slots:
            return self._stream(record, payload, kind, ctx, started)

    def _stream(self, record: CallRecord, payload: dict[str, Any] | Command, kind: str, ctx: CallContext,
                started: float) -> tuple[dict[str, Any], Any]:
        first = True
        interrupt = None
        final: dict[str, Any] = {}
        try:
            # one checkpoint per turn, written when it ends (or at an interrupt), not one per node
            for mode, chunk in self.graph.stream(payload, _config(record.call_id), context=ctx,
                                                 stream_mode=["updates", "values"], durability="exit"):
                if mode == "values":
                    final = chunk
                    continue
                for node, update in chunk.items():
                    if node == "__interrupt__":
                        interrupt = update
                        continue
                    for card in self._cards(node, update or {}, final):
                        self.hub.publish(record.call_id, card[0], record.turns, card[1])
                        self.metrics.cards.labels(card[0]).inc()
                        if kind == "utterance" and first and card[0] in FIRST_CARDS:
                            self.metrics.first_card.observe(time.perf_counter() - started)
                            first = False
        except Exception:
            self.metrics.turn_errors.labels(kind).inc()
            raise
        if kind == "utterance":
            self.metrics.complete.observe(time.perf_counter() - started)
        return {k: final[k] for k in OUTPUT_KEYS if k in final}, interrupt

    def _cards(self, node: str, update: dict[str, Any], before: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        if node == "compose" and "knowledge" in update:  # the findings' know-how joined the knowledge card
            knowledge = ("knowledge", {"hits": update["knowledge"], "scripts": before.get("scripts", [])})
            return [knowledge, *filter(None, [self._card(node, update, before)])]
        card = self._card(node, update, before)
        return [card] if card else []

    def _card(self, node: str, update: dict[str, Any], before: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        labels = self.vocabulary.intent_by_id
        if node == "understand":
            if "intents" not in update:
                return None
            intents = [{"id": i, "label": labels[i].label if i in labels else i, "confidence": c}
                       for i, c in update["intents"]]
            return "understanding", {"intents": intents, "emotion": update["emotion"], "risks": update["risks"],
                                     "slots": update.get("slots", {})}
        if node == "retrieve":
            return "knowledge", {"hits": update.get("knowledge", []), "scripts": update.get("scripts", [])}
        if node == "diagnose":
            if "diagnosed_intent" not in update:
                return None  # same intent as before: the diagnosis card shown stands
            diagnosis = update.get("diagnosis")
            for read in (diagnosis or {}).get("reads", []):
                if not read["ok"]:
                    self.metrics.read_failures.labels(read.get("system") or read["tool"].split("_")[0]).inc()
            return "diagnosis", {"intent": update["diagnosed_intent"], "diagnosis": diagnosis}
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
