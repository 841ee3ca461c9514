"""The call's intent read from its caller turns, and the development calls that chose how."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from copilot.understand.acknowledgements import load_acknowledgements
from copilot.understand.calls import INTENT_UTTERANCES, PATTERNS, DevCallsError, load_dev_calls, read_call
from copilot.understand.classifier import IntentClassifier, load_or_train
from knowledge.embedding import UseM3Embedder
from knowledge.vocabulary import load_vocabulary


@pytest.fixture(scope="module")
def classifier(models_dir: Path) -> IntentClassifier:
    return load_or_train(UseM3Embedder(threads=1), models_dir)


def _read(classifier: IntentClassifier, turns: list[str], utterances: int = INTENT_UTTERANCES) -> str:
    intents: list[tuple[str, float]] = []
    for k in range(1, len(turns) + 1):
        intents, _ = read_call(classifier, turns[:k], intents, utterances)
    return intents[0][0]


def test_a_need_raised_late_becomes_the_calls_intent_unless_the_whole_call_is_read(
        classifier: IntentClassifier) -> None:
    turns = ["宽带断了好几天了，报修了也没人来", "你们师傅到底什么时候来", "另外我还想问下怎么改服务密码"]
    assert _read(classifier, turns) == "password_reset"  # the copilot reads the last two turns
    assert _read(classifier, turns, utterances=6) == "broadband_fault"


def test_filler_keeps_what_the_call_is_about(classifier: IntentClassifier) -> None:
    assert _read(classifier, ["我手机有信号就是上不了网", "好的谢谢", "嗯"]) == "mobile_data_fault"


def test_an_acknowledgement_is_not_read_and_the_call_keeps_its_intents(classifier: IntentClassifier) -> None:
    heard = load_acknowledgements()
    before, reading = read_call(classifier, ["我手机有信号就是上不了网"], [], acknowledgements=heard)
    assert reading is not None and before[0][0] == "mobile_data_fault"
    after, reading = read_call(classifier, ["我手机有信号就是上不了网", "好的，谢谢"], before, acknowledgements=heard)
    assert after == before and reading is None
    _, reading = read_call(classifier, ["好的"], [], acknowledgements=heard)
    assert reading is not None, "a call's first turn is always read"


def test_the_need_said_last_is_read_when_the_turns_together_are_unsure(classifier: IntentClassifier) -> None:
    # together the two turns lean, unsure, to the suspension the caller only mentions; the points asked about
    # last are clear on their own
    assert _read(classifier, ["我前两天去营业厅办了停机保号", "我想问下我的积分怎么兑换话费"]) == "points_rewards"
    assert _read(classifier, ["我前两天去营业厅办了停机保号", "好的"]) == "suspend_resume"


def test_the_development_calls_are_labelled_with_the_vocabulary() -> None:
    calls = load_dev_calls()
    intents = {i.id for i in load_vocabulary().intents}
    assert len(calls) >= 150
    for call in calls:
        assert set(call.intents) <= intents and len(set(call.intents)) == len(call.intents), call
        assert "other" not in call.intents or call.intents == ("other",), call
    mains = Counter(call.intents[0] for call in calls)
    assert set(mains) == intents and min(mains.values()) >= 3
    assert set(Counter(call.pattern for call in calls)) == set(PATTERNS)
    assert all(len(call.intents) == 2 for call in calls if call.pattern == "two_needs")


def test_a_bad_call_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_text('{"turns": ["宽带断了"], "intents": ["broadband_fault"], "clear_at": 1, "pattern": "direct"}\n'
                    '{"turns": ["宽带断了"], "intents": ["broadband_fault"], "clear_at": 2, "pattern": "direct"}\n',
                    encoding="utf-8")
    with pytest.raises(DevCallsError, match=f"{path}:2: .*clear_at"):
        load_dev_calls(path)
