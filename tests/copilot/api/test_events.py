"""Server-Sent Events: one event per card as it becomes ready; a slow system never holds back a fast card."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from copilot.api.app import create_app
from copilot.api.routers import events as events_router
from copilot.settings import Settings
from tests.conftest import ServerThread, profile
from tests.copilot.api.conftest import event_types, start
from tools.base.faults import FaultConfig
from tools.sim.db import SimDatabase


def test_each_turn_streams_understanding_then_cards_with_the_reply_last(client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "bb_los_fibre_cut")
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "家里宽带断了，光猫红灯一直闪"})
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "从昨天晚上就这样了"})
    client.post("/v1/calls/c1/end")
    events = event_types(client, "c1")
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    turn1 = [e["type"] for e in events if e["turn"] == 1]
    assert turn1[:2] == ["utterance", "understanding"] and turn1[-1] == "reply"
    assert turn1[2:4] == ["knowledge", "diagnosis"], "retrieval runs first: its card never waits for the systems"
    turn2 = [e["type"] for e in events if e["turn"] == 2]
    assert turn2 == ["utterance", "understanding", "knowledge", "reply"]  # same intent: the diagnosis stands
    assert events[-1]["type"] == "wrapup"
    later = event_types(client, "c1", after=events[3]["seq"])
    assert [e["seq"] for e in later] == [e["seq"] for e in events[4:]]


def test_knowledge_arrives_before_a_slow_diagnosis(sim_path: Path, kb_dir: Path, tmp_path: Path) -> None:
    settings = Settings(sim_db=sim_path, kb_dir=kb_dir, data_dir=tmp_path / "data",
                        sim_faults={"PON": FaultConfig(latency_ms=800)})
    msisdn = profile(SimDatabase(sim_path), "bb_los_fibre_cut")
    with ServerThread(create_app(settings)) as server:
        base = server.url
        httpx.post(f"{base}/v1/calls", json={"call_id": "live", "msisdn": msisdn, "agent_id": "A1"}).raise_for_status()
        received: list[dict[str, Any]] = []
        ready = threading.Event()

        def listen() -> None:
            with httpx.stream("GET", f"{base}/v1/calls/live/events", timeout=30) as stream:
                ready.set()
                for line in stream.iter_lines():
                    if line.startswith("data:"):
                        received.append(json.loads(line[5:]))
                        if received[-1]["type"] == "reply":
                            return

        listener = threading.Thread(target=listen)
        listener.start()
        assert ready.wait(10)
        r = httpx.post(f"{base}/v1/calls/live/utterances", timeout=30,
                       json={"speaker": "caller", "text": "家里宽带断了，光猫红灯一直闪"})
        listener.join(30)
    assert r.status_code == 200
    types = [e["type"] for e in received]
    assert types == ["utterance", "understanding", "knowledge", "diagnosis", "reply"]
    assert received[2]["data"]["hits"][0]["id"] == "KP-KD-00001"


def test_a_quiet_stream_is_kept_open_with_pings(sim_path: Path, kb_dir: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events_router, "PING_S", 0.05)
    settings = Settings(sim_db=sim_path, kb_dir=kb_dir, data_dir=tmp_path / "data")
    msisdn = profile(SimDatabase(sim_path), "gprs_off")
    with ServerThread(create_app(settings)) as server:
        httpx.post(f"{server.url}/v1/calls", json={"call_id": "quiet", "msisdn": msisdn, "agent_id": "A1"}
                   ).raise_for_status()
        with httpx.stream("GET", f"{server.url}/v1/calls/quiet/events", timeout=10) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines()
            assert next(lines) == ": ping"  # nothing said yet: a comment, not an event
