"""The endpoints behind the pages: the caller card, sample calls, a knowledge document, labels, static files."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from tests.conftest import profile
from tests.copilot.api.conftest import client, start  # noqa: F401  (fixture, reused)
from tools.sim.db import SimDatabase


def test_pages_and_their_files_are_served(client: TestClient) -> None:  # noqa: F811
    for path in ("/", "/kb"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html") and "<html" in r.text
    js = client.get("/static/sidebar.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/base.css").headers["content-type"].startswith("text/css")
    for bad in ("/static/nope.js", "/static/..%2Fapi%2Fapp.py", "/static/__init__.py"):
        assert client.get(bad).status_code == 404


def test_caller_card_is_masked_with_badges(client: TestClient, sim_path: Path) -> None:  # noqa: F811
    msisdn = start(client, sim_path, "gprs_off")
    card = client.get("/v1/calls/c1/caller").json()
    assert card["msisdn"] == f"{msisdn[:3]}****{msisdn[-4:]}" and msisdn not in str(card)
    assert card["name"].endswith("*") and card["brand"] and card["plan"] and card["province"]
    assert {"label": "数据功能关闭", "level": "red", "system": "AAA"} in card["badges"]
    start(client, sim_path, "arrears_suspended", call_id="c2")
    labels = [b["label"] for b in client.get("/v1/calls/c2/caller").json()["badges"]]
    assert "欠费停机" in labels and any(re.fullmatch(r"欠费[\d.]+元", x) for x in labels)
    assert client.get("/v1/calls/nope/caller").json()["error"]["code"] == "unknown_call"


def test_sample_calls_skip_lines_an_earlier_demo_changed(client: TestClient, sim_path: Path) -> None:  # noqa: F811
    calls = {c["id"]: c for c in client.get("/v1/demo/calls").json()["calls"]}
    onu = calls["broadband_onu"]
    assert onu["msisdn"] == profile(SimDatabase(sim_path), "bb_onu_hung")
    assert [s["speaker"] for s in calls["fee_dispute"]["steps"]][-1] == "ask"
    client.post("/v1/calls", json={"call_id": "d1", "msisdn": onu["msisdn"], "agent_id": "A1"})
    client.post("/v1/calls/d1/utterances", json={"speaker": "caller", "text": "宽带上不了网，光猫灯都是绿的"})
    assert client.post("/v1/calls/d1/actions/remote_onu_reboot/confirm").json()["result"]["ok"]
    again = {c["id"]: c for c in client.get("/v1/demo/calls").json()["calls"]}
    assert again["broadband_onu"]["msisdn"] != onu["msisdn"], "the rebooted line no longer shows a hung ONU"


def test_a_knowledge_document_opens_in_full(client: TestClient) -> None:  # noqa: F811
    doc = client.get("/v1/kb/docs/KP-KD-00001").json()
    assert doc["kind"] == "point" and doc["body"] and doc["version"] >= 1 and doc["effective_from"]
    assert doc["versions"] == [{"version": doc["version"], "from": doc["effective_from"], "to": doc["effective_to"]}]
    script = client.get("/v1/kb/docs/ES-20261120-009").json()
    assert script["kind"] == "script" and script["wording"] and script["valid_to"]
    assert client.get("/v1/kb/docs/KP-NONE-1").json()["error"]["code"] == "unknown_doc"


def test_labels_come_from_the_vocabulary(client: TestClient) -> None:  # noqa: F811
    labels = client.get("/v1/ui/labels").json()
    assert labels["intents"]["data_fee_dispute"]["label"] == "流量费争议"
    assert labels["actions"]["create_repair_ticket"] == {"label": "派发报修工单", "kind": "ticket",
                                                          "needs_confirmation": True}
    assert labels["slots"]["symptoms"]["label"] == "故障现象"
    assert labels["slots"]["ordered"]["values"] == {"not_me": "称没有订过", "me": "本人订购"}
