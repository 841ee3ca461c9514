"""Run one turn of a call through the graph and publish each card the moment its node finishes.

A turn is a caller utterance, the agent's question, an action decision or the call's end. The graph streams
node updates; each becomes one event (card) on the call's channel, so the knowledge card goes out while the
diagnosis still waits on the back-office systems. Turns of one call run one at a time (the registry's lock).
The graph runs in this process, or in turn worker processes (`copilot.api.workers`) that send the cards back.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from langgraph.types import Command

from copilot.api.cards import FIRST_CARDS, OUTPUT_KEYS, stream_turn, thread_config
from copilot.api.events import EventHub
from copilot.api.forkgate import ForkGate
from copilot.api.metrics import Metrics
from copilot.api.registry import CallRecord
from copilot.api.workers import TurnWorkers
from copilot.context import CallContext
from knowledge.vocabulary import Vocabulary


class TurnRunner:
    """Runs the graph for a call's turns (here or in the workers) and publishes their cards."""

    def __init__(self, graph: Any, hub: EventHub, metrics: Metrics, vocabulary: Vocabulary,
                 concurrency: int = 2, workers: TurnWorkers | None = None, gate: ForkGate | None = None) -> None:
        self.graph = graph
        self._gate = gate or ForkGate()  # checkpoint reads and writes here: no worker is forked meanwhile
        self.hub = hub
        self.metrics = metrics
        self.vocabulary = vocabulary
        self.workers = workers
        # In process, a few turns at a time: dozens of threads taking turns on the GIL run slower than a short
        # queue. Workers run one turn each: there a turn waits for an idle worker instead.
        self._slots = threading.BoundedSemaphore(concurrency)

    def snapshot(self, call_id: str) -> dict[str, Any]:
        """What the sidebar shows for the call now."""
        with self._gate.shared():
            values = self.graph.get_state(thread_config(call_id)).values
        return {k: values[k] for k in OUTPUT_KEYS if k in values}

    def state(self, call_id: str) -> dict[str, Any]:
        """The call's whole state (transcript masked)."""
        with self._gate.shared():
            return dict(self.graph.get_state(thread_config(call_id)).values)

    def note(self, record: CallRecord, utterance: dict[str, Any]) -> dict[str, Any]:
        """Add what the agent said to the transcript without running the copilot (it answers the caller)."""
        with self._gate.shared():
            self.graph.update_state(thread_config(record.call_id), {"transcript": [utterance]})
        self.hub.publish(record.call_id, "utterance", record.turns, utterance)
        return self.snapshot(record.call_id)

    def run(self, record: CallRecord, payload: dict[str, Any] | Command, kind: str
            ) -> tuple[dict[str, Any], Any]:
        """Run a turn; returns the sidebar's snapshot and the pending interrupt (an action awaiting a decision).

        Raises:
            TurnWorkerError: With workers, the turn failed in its worker, or the worker died.
        """
        ctx = CallContext(call_id=record.call_id, msisdn=record.msisdn, agent_id=record.agent_id)
        if kind in ("utterance", "ask", "end"):
            record.turns += 1  # an action decision belongs to the turn that suggested it
        if kind == "utterance":
            for u in payload.get("transcript", []) if isinstance(payload, dict) else []:
                self.hub.publish(record.call_id, "utterance", record.turns, u)
        started = time.perf_counter()
        self.metrics.turns.labels(kind).inc()
        first = kind == "utterance"

        def publish(type_: str, data: dict[str, Any]) -> None:
            nonlocal first
            self.hub.publish(record.call_id, type_, record.turns, data)
            self.metrics.cards.labels(type_).inc()
            if first and type_ in FIRST_CARDS:
                self.metrics.first_card.observe(time.perf_counter() - started)
                first = False
            if type_ == "diagnosis":
                for read in (data.get("diagnosis") or {}).get("reads", []):
                    if not read["ok"]:
                        self.metrics.read_failures.labels(read.get("system") or read["tool"].split("_")[0]).inc()

        try:
            if self.workers is not None:
                out, interrupt = self.workers.run(ctx, payload, publish)
            else:
                with self._slots:
                    out, interrupt = stream_turn(self.graph, self.vocabulary, ctx, payload, publish)
        except Exception:
            self.metrics.turn_errors.labels(kind).inc()
            raise
        if kind == "utterance":
            self.metrics.complete.observe(time.perf_counter() - started)
        return out, interrupt
