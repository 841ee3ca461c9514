"""Understanding the transcript over real HTTP (one non-streamed JSON answer), and its failures."""

from __future__ import annotations

import json

import pytest

from copilot.llm import LlmAdvisor, LlmFailure, Understanding
from knowledge.vocabulary import load_vocabulary
from tests.copilot.llm.scripted_server import ScriptedModel, Turn, say

SAID = ["喂，我上个月怎么扣了四百多块流量费", "我号码13512302702，你们再不处理我就去工信部投诉"]


def vocabulary() -> dict[str, str]:
    return {i.id: i.label for i in load_vocabulary().intents}


def test_intents_come_from_the_vocabulary_only(model: ScriptedModel, advisor: LlmAdvisor) -> None:
    answer = {"intents": [{"intent": "make_me_rich", "confidence": 0.95},
                          {"intent": "data_fee_dispute", "confidence": 0.9},
                          {"intent": "bill_inquiry", "confidence": 0.2}],
              "slots": {"amount": "四百多块", "phone": "135****2702", "month": None},
              "emotion": "angry", "risks": ["complaint_escalation", "world_domination"]}
    model.script(say("```json\n" + json.dumps(answer, ensure_ascii=False) + "\n```"))
    out = advisor.understand(SAID, vocabulary())

    assert isinstance(out, Understanding), out
    known = [i for i in ("data_fee_dispute", "bill_inquiry") if i in vocabulary()]
    assert [i.intent for i in out.intents] == known and out.intents[0].confidence == 0.9
    assert out.slots == {"amount": "四百多块", "phone": "135****2702"}
    assert out.emotion == "angry" and out.risks == ["complaint_escalation"]
    assert {"make_me_rich", "world_domination"} <= set(out.dropped)
    (request,) = model.requests
    assert not request.get("stream") and "tools" not in request, "understanding is one plain completion"
    system, user = request["messages"][0]["content"], request["messages"][1]["content"]
    assert "data_fee_dispute" in system and "complaint_escalation" in system
    assert "135****2702" in user


@pytest.mark.parametrize(("content", "kind", "reason"), [
    ("好的，这位客户想投诉流量费。", "invalid_json", "invalid JSON"),
    ('{"intents": [{"intent": "data_fee_dispute", "confidence": 0.9}], "emotion": "furious"}',
     "invalid_output", "emotion"),
    ('{"intents": [{"intent": "data_fee_dispute", "confidence": 7}], "emotion": "calm"}',
     "invalid_output", "intents.0.confidence"),
    ('[{"intent": "data_fee_dispute"}]', "invalid_json", "not a JSON object"),
])
def test_an_invalid_answer_is_a_typed_failure(model: ScriptedModel, advisor: LlmAdvisor, content: str, kind: str,
                                               reason: str) -> None:
    model.script(say(content))
    out = advisor.understand(SAID, vocabulary())
    assert isinstance(out, LlmFailure) and out.kind == kind and reason in out.reason


def test_a_server_error_while_understanding(model: ScriptedModel, advisor: LlmAdvisor) -> None:
    model.script(Turn(status=503))
    assert advisor.understand(SAID, vocabulary()) == LlmFailure(kind="http_error", reason="HTTP 503")
