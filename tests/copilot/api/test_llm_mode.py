"""LLM mode through the API: the rules' cards first, then the model's reply; any failure leaves the rules' reply."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from copilot.api.app import create_app
from copilot.settings import Settings
from tests.conftest import ServerThread
from tests.copilot.api.conftest import event_types, start
from tests.copilot.llm.scripted_server import ScriptedModel, Turn, say

UNDERSTOOD = json.dumps({"intents": [{"intent": "broadband_fault", "confidence": 0.9}], "slots": {},
                         "emotion": "angry", "risks": ["complaint_escalation"]}, ensure_ascii=False)


@pytest.fixture(scope="module")
def model_url() -> Iterator[tuple[ScriptedModel, str]]:
    scripted = ScriptedModel()
    with ServerThread(scripted.app()) as server:
        yield scripted, f"{server.url}/v1"


@pytest.fixture
def llm_client(model_url: tuple[ScriptedModel, str], sim_path: Path, kb_dir: Path, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, ScriptedModel]]:
    scripted, url = model_url
    for key, value in {"BASE_URL": url, "MODEL": "qwen-scripted", "API_KEY": "sk-test", "FIRST_TOKEN_S": "5",
                       "TIMEOUT_S": "20"}.items():
        monkeypatch.setenv(f"HOTLINE_LLM_{key}", value)
    settings = Settings(sim_db=sim_path, kb_dir=kb_dir, data_dir=tmp_path / "data")
    with TestClient(create_app(settings)) as client:
        yield client, scripted


def test_the_models_reply_follows_the_rules_cards(llm_client: tuple[TestClient, ScriptedModel],
                                                  sim_path: Path) -> None:
    client, model = llm_client
    msisdn = start(client, sim_path, "bb_los_fibre_cut")
    model.script(say("您好，系统显示您家光猫收不到光信号[R1]，我马上为您派单报修。"), plain=(say(UNDERSTOOD),))
    body = client.post("/v1/calls/c1/utterances",
                       json={"speaker": "caller", "text": f"我号码{msisdn}，宽带断了，光猫红灯一直闪，再不修我就投诉"}).json()
    assert body["reply_origin"] == "llm" and body["reply"].startswith("您好，系统显示您家光猫收不到光信号")
    assert body["emotion"] == "angry" and "complaint_escalation" in body["risks"]
    assert body["actions"][0]["action"] == "create_repair_ticket"  # actions stay the rules'; the model proposes none
    client.post("/v1/calls/c1/end")
    replies = [e["data"] for e in event_types(client, "c1") if e["type"] == "reply"]
    assert [r["origin"] for r in replies] == ["rules", "llm"]
    for request in model.bodies:
        assert msisdn not in request


def test_an_acknowledgement_is_not_sent_to_the_model_to_be_read(llm_client: tuple[TestClient, ScriptedModel],
                                                                sim_path: Path) -> None:
    client, model = llm_client
    start(client, sim_path, "bb_los_fibre_cut")
    model.script(say("您好，系统显示您家光猫收不到光信号[R1]，我马上为您派单报修。"), plain=(say(UNDERSTOOD),))
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "宽带断了，光猫红灯一直闪，再不修我就投诉"})
    model.script(say("好的，师傅上门前会先给您打电话，请您保持电话畅通。"))  # forgets the requests so far
    body = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "好的，谢谢"}).json()
    assert [r.get("stream") for r in model.requests] == [True], "only the reply is drafted, the call not read again"
    assert body["reply_origin"] == "llm" and body["emotion"] == "angry"
    assert body["intents"][0][0] == "broadband_fault"


@pytest.mark.parametrize("failure", [Turn(status=500, content="boom"), say("您好，需要赔偿您500元[R9]。")])
def test_a_failing_model_leaves_the_rules_reply_and_says_so(llm_client: tuple[TestClient, ScriptedModel],
                                                            sim_path: Path, failure: Turn) -> None:
    client, model = llm_client
    start(client, sim_path, "bb_los_fibre_cut")
    model.script(failure, plain=(say("这不是JSON"),))
    body = client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "宽带断了，光猫红灯一直闪"}).json()
    assert body["reply_origin"] == "rules" and "规则建议" in body["reply_notice"]
    assert body["intents"][0][0] == "broadband_fault" and body["reply_sources"]


def test_the_agents_question_is_answered_by_the_model_from_the_grounds(
        llm_client: tuple[TestClient, ScriptedModel], sim_path: Path) -> None:
    client, model = llm_client
    start(client, sim_path, "big_overage_elastic_eligible")
    model.script(say("好的"), plain=(say(UNDERSTOOD),))
    client.post("/v1/calls/c1/utterances", json={"speaker": "caller", "text": "上个月流量费怎么扣了这么多"})
    model.script(say("可以办理，系统核查显示客户符合弹性计费包条件[R2]。"))
    answer = client.post("/v1/calls/c1/ask", json={"text": "这个客户能办弹性计费包吗？"}).json()
    assert answer["origin"] == "llm" and answer["grounded"] and answer["answer"].startswith("可以办理")
