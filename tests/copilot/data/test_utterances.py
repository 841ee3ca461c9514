"""Checks on the labelled caller utterances (copilot/data/utterances) that train the no-LLM understanding step."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from copilot.understand.classifier import TRAINING
from knowledge.vocabulary import load_vocabulary

DATA_DIR = Path(__file__).resolve().parents[3] / "copilot" / "data" / "utterances"
SPLITS = ("train", "dev")
FIELDS = {"id", "text", "intents", "emotion", "risk", "noise"}
EMOTIONS = ("calm", "anxious", "angry")
RISKS = ("complaint_escalation", "media_threat", "injection", "fraud_risk", "elderly")
NOISES = ("clean", "asr", "dialect", "elderly")
PILOTS = ("data_fee_dispute", "mobile_data_fault", "broadband_fault")
MIN_TRAIN, MIN_TRAIN_PILOT, MIN_LABEL = 40, 120, 30
NEAR_COPY = 0.4  # character-bigram Jaccard at which two texts count as near-copies (the split rule's threshold)
_STRIP = re.compile(r"[\s，。？！、；：“”‘’,.?!:;\"'()（）…—-]")


@cache
def load(split: str) -> tuple[dict[str, Any], ...]:
    path = DATA_DIR / f"{split}.jsonl"
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path.name}:{n}: blank line"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            pytest.fail(f"{path.name}:{n}: not JSON: {exc}")
        assert isinstance(row, dict), f"{path.name}:{n}: not an object"
        rows.append(row)
    return tuple(rows)


def everything() -> list[dict[str, Any]]:
    return [row for split in SPLITS for row in load(split)]


def bigrams(text: str) -> frozenset[str]:
    t = _STRIP.sub("", text.lower())
    return frozenset(t[i : i + 2] for i in range(len(t) - 1)) or frozenset({t})


@pytest.mark.parametrize("split", [*SPLITS, "held_back"])
def test_every_line_parses_with_valid_fields(split: str) -> None:
    intent_ids = {i.id for i in load_vocabulary().intents}
    rows = load(split)
    assert rows, f"{split} is empty"
    for row in rows:
        where = f"{split} {row.get('id')}"
        assert set(row) == FIELDS, f"{where}: fields {sorted(row)}"
        pattern = r"H\d{5}" if split == "held_back" else r"U\d{5}"
        assert isinstance(row["id"], str) and re.fullmatch(pattern, row["id"]), where
        text = row["text"]
        assert isinstance(text, str) and text.strip() == text and text, f"{where}: empty or padded text"
        assert len(text) <= 200, f"{where}: text longer than 200 chars"
        intents = row["intents"]
        assert isinstance(intents, list) and 1 <= len(intents) <= 2, f"{where}: intents {intents}"
        assert len(set(intents)) == len(intents), f"{where}: repeated intent"
        for intent in intents:
            assert intent in intent_ids, f"{where}: unknown intent {intent!r}"
        assert "other" not in intents or intents == ["other"], f"{where}: 'other' combined with a real intent"
        assert row["emotion"] in EMOTIONS, f"{where}: emotion {row['emotion']!r}"
        risk = row["risk"]
        assert isinstance(risk, list) and len(set(risk)) == len(risk), f"{where}: risk {risk}"
        assert set(risk) <= set(RISKS), f"{where}: unknown risk in {risk}"
        assert row["noise"] in NOISES, f"{where}: noise {row['noise']!r}"


def test_held_back_lines_are_not_learned_from() -> None:
    held = {row["text"] for row in load("held_back")}
    assert held and not held & {row["text"] for row in everything()}
    assert "held_back.jsonl" not in {path.name for path in TRAINING}


def test_ids_are_sequential_in_file_order() -> None:
    ids = [row["id"] for row in everything()]
    assert ids == [f"U{n:05d}" for n in range(1, len(ids) + 1)]


def test_size_and_dev_share() -> None:
    train, dev = len(load("train")), len(load("dev"))
    assert train + dev >= 1300
    assert 0.15 <= dev / (train + dev) <= 0.25


def test_train_lines_per_intent() -> None:
    vocab = load_vocabulary()
    assert {i.id for i in vocab.intents if i.pilot} >= set(PILOTS)
    counts = Counter(intent for row in load("train") for intent in row["intents"])
    for intent in vocab.intents:
        need = MIN_TRAIN_PILOT if intent.id in PILOTS else MIN_TRAIN
        assert counts[intent.id] >= need, f"{intent.id}: {counts[intent.id]} train lines, need {need}"


def test_every_intent_is_in_dev() -> None:
    counts = Counter(intent for row in load("dev") for intent in row["intents"])
    missing = [i.id for i in load_vocabulary().intents if counts[i.id] < 5]
    assert not missing, f"fewer than 5 dev lines for {missing}"


def test_no_duplicate_texts() -> None:
    texts = [row["text"] for row in everything()]
    dupes = [t for t, n in Counter(texts).items() if n > 1]
    assert not dupes, f"duplicate texts: {dupes[:5]}"


def test_dev_is_not_a_near_copy_of_train() -> None:
    train = [(bigrams(row["text"]), row["text"]) for row in load("train")]
    for row in load("dev"):
        grams = bigrams(row["text"])
        for other, text in train:
            score = len(grams & other) / len(grams | other)
            assert score < NEAR_COPY, f"dev {row['id']} {row['text']!r} ~ train {text!r} ({score:.2f})"


def test_each_emotion_and_risk_label_has_enough_examples() -> None:
    rows = everything()
    emotions = Counter(row["emotion"] for row in rows)
    risks = Counter(r for row in rows for r in row["risk"])
    for label in EMOTIONS:
        assert emotions[label] >= MIN_LABEL, f"emotion {label}: {emotions[label]}"
    for label in RISKS:
        assert risks[label] >= MIN_LABEL, f"risk {label}: {risks[label]}"


def test_mix_of_emotion_noise_and_multi_intent() -> None:
    rows = everything()
    total = len(rows)
    emotions = Counter(row["emotion"] for row in rows)
    assert emotions["calm"] / total >= 0.4
    assert emotions["anxious"] / total >= 0.2
    assert emotions["angry"] / total >= 0.15
    noises = Counter(row["noise"] for row in rows)
    assert noises["asr"] / total >= 0.2
    assert noises["dialect"] / total >= 0.06
    assert noises["elderly"] / total >= 0.06
    multi = sum(len(row["intents"]) == 2 for row in rows) / total
    assert 0.05 <= multi <= 0.12, f"two-intent share {multi:.2%}"
