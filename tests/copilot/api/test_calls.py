"""The calls API: utterances in, suggestions out; actions only after confirmation, once; bad input named."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from copilot.api.app import create_app
from copilot.settings import Settings
from tests.conftest import profile
from tools.sim.db import SimDatabase


@pytest.fixture
def client(sim_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(sim_db=sim_path))) as c:
        yield c


def start(client: TestClient, sim_path: Path, situation: str, call_id: str = "c1") -> str:
    msisdn = profile(SimDatabase(sim_path), situation)
    r = client.post("/v1/calls", json={"call_id": call_id, "msisdn": msisdn, "agent_id": "A1001"})
    assert r.status_code == 201, r.text
    return msisdn


def test_a_broadband_call_end_to_end(client: TestClient, sim_path: Path) -> None:
    msisdn = start(client, sim_path, "bb_los_fibre_cut")
    r = client.post("/v1/calls/c1/utterances",
                    json={"speaker": "caller", "text": f"我的号码是{msisdn}，家里宽带断了，光猫红灯一直闪"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["intents"][0][0] == "broadband_fault"
    assert body["actions"][0]["action"] == "create_repair_ticket"
    state = client.get("/v1/calls/c1").json()["state"]
    assert msisdn not in state["transcript"][0]["text"] and msisdn[:3] + "****" in state["transcript"][0]["text"]

    first = client.post("/v1/calls/c1/actions/create_repair_ticket/confirm").json()
    second = client.post("/v1/calls/c1/actions/create_repair_ticket/confirm").json()
    assert first["result"]["ok"] and second["result"] == first["result"]
    tickets = SimDatabase(sim_path).query("SELECT ticket_id FROM tickets WHERE msisdn = ? AND created_by = 'A1001'",
                                          (msisdn,))
    assert len(tickets) == 1


def test_rejected_action_runs_nothing(client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "bb_onu_hung")
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "宽带连着WiFi但是网页打不开，光猫灯是亮的"})
    r = client.post("/v1/calls/c1/actions/remote_onu_reboot/reject").json()
    assert r["result"]["ok"] is False
    assert not SimDatabase(sim_path).query("SELECT 1 FROM audit_log WHERE operation = 'pon.reboot_onu'")


def test_bad_input_is_named(client: TestClient, sim_path: Path) -> None:
    assert client.post("/v1/calls/nope/utterances", json={"speaker": "caller", "text": "喂"}).status_code == 404
    r = client.post("/v1/calls", json={"call_id": "x", "msisdn": "13000000000", "agent_id": "A1"})
    assert r.status_code == 404 and r.json()["detail"]["code"] == "not_found"
    r = client.post("/v1/calls", json={"call_id": "x", "msisdn": "1380", "agent_id": "A1"})
    assert r.status_code == 422
    start(client, sim_path, "healthy")
    assert client.post("/v1/calls", json={"call_id": "c1", "msisdn": profile(SimDatabase(sim_path), "healthy"),
                                          "agent_id": "A1"}).status_code == 409
    assert client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": ""}).status_code == 422
    assert client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "啊" * 20_000}).status_code == 422
    assert client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "   "}).status_code == 422
    assert client.post("/v1/calls/c1/actions/teleport/confirm").status_code == 404
    assert client.post("/v1/calls/c1/end").json()["ended"] is True
    assert client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "还有"}).status_code == 409
