"""An app over a private simulator world and the small knowledge base of `tests/copilot/conftest.py`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from copilot.api.app import create_app
from copilot.settings import Settings
from tests.conftest import profile
from tools.sim.db import SimDatabase


@pytest.fixture
def settings(sim_path: Path, kb_dir: Path, tmp_path: Path) -> Settings:
    """The app's settings: the private world, the small knowledge base, a private data dir."""
    return Settings(sim_db=sim_path, kb_dir=kb_dir, data_dir=tmp_path / "data")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app, started."""
    with TestClient(create_app(settings)) as c:
        yield c


def start(client: TestClient, sim_path: Path, situation: str, call_id: str = "c1") -> str:
    """Start a call from a line that shows `situation`; returns its number."""
    msisdn = profile(SimDatabase(sim_path), situation)
    r = client.post("/v1/calls", json={"call_id": call_id, "msisdn": msisdn, "agent_id": "A1001"})
    assert r.status_code == 201, r.text
    return msisdn


def event_types(client: TestClient, call_id: str, after: int = 0) -> list[dict[str, Any]]:
    """The events of an ended call, replayed over SSE."""
    import json

    events = []
    with client.stream("GET", f"/v1/calls/{call_id}/events", params={"after": after}) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                events.append(json.loads(line[5:]))
    return events
