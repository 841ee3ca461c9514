"""Prometheus metrics of one app (its own registry: two apps in one process never share counters)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """What the copilot counts and times."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.turns = Counter("hotline_turns", "Turns run, by kind (utterance, ask, action, end)", ["kind"],
                             registry=r)
        self.turn_errors = Counter("hotline_turn_errors", "Turns that failed, by kind", ["kind"], registry=r)
        self.first_card = Histogram("hotline_first_card_seconds", "Utterance to its first card",
                                    buckets=LATENCY_BUCKETS, registry=r)
        self.complete = Histogram("hotline_complete_suggestion_seconds", "Utterance to the complete suggestion",
                                  buckets=LATENCY_BUCKETS, registry=r)
        self.cards = Counter("hotline_cards", "Cards published, by type", ["type"], registry=r)
        self.read_failures = Counter("hotline_read_failures", "Playbook reads that failed, by system",
                                     ["system"], registry=r)
        self.actions = Counter("hotline_actions", "Actions decided by agents, by action and outcome",
                               ["action", "outcome"], registry=r)
        self.feedback = Counter("hotline_feedback", "Agent feedback on cards", ["card", "event"], registry=r)
        self.open_calls = Gauge("hotline_open_calls", "Calls being followed", registry=r)
        self.streams = Gauge("hotline_event_streams", "Open SSE streams", registry=r)
