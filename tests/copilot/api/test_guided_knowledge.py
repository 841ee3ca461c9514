"""Guided knowledge: the playbook's and its findings' searches put the right know-how at the top of the card."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.copilot.api.conftest import event_types, start


def test_a_finding_puts_its_know_how_first(client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "bb_los_fibre_cut")
    body = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "家里宽带用不了了，你们看看"}).json()
    assert [f["rule"] for f in body["diagnosis"]["findings"]] == ["fibre_cut_los"]
    top = body["knowledge"][0]
    assert top["id"] == "KP-KD-00001" and top["why"]["guide"] == "宽带光猫LOS红灯排查步骤"
    assert [k["rank"] for k in body["knowledge"]] == list(range(1, len(body["knowledge"]) + 1))
    assert len({k["id"] for k in body["knowledge"]}) == len(body["knowledge"])

    client.post("/v1/calls/c1/end")
    cards = [e["type"] for e in event_types(client, "c1")]
    assert cards.count("knowledge") == 2, "the findings' know-how is published as an updated knowledge card"
    assert cards.index("diagnosis") < len(cards) - 1 - cards[::-1].index("knowledge") < cards.index("reply")


def test_the_call_types_procedure_joins_the_callers_words(client: TestClient, sim_path: Path) -> None:
    start(client, sim_path, "gprs_off")
    body = client.post("/v1/calls/c1/utterances",
                       json={"speaker": "caller", "text": "手机流量用不了，微信发不出去"}).json()
    assert body["intents"][0][0] == "mobile_data_fault"
    guided = [k for k in body["knowledge"] if "guide" in k["why"]]
    assert guided and guided[0]["id"].startswith("KP-GPRS-")
    assert {k["why"]["guide"] for k in guided} <= {"手机上网故障处理流程", "飞行模式与移动数据排查步骤"}
    again = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "好的，那你帮我弄一下"}).json()
    assert [k["id"] for k in again["knowledge"]][:len(guided)] == [k["id"] for k in guided], \
        "a thin follow-up keeps the guided know-how on top"
