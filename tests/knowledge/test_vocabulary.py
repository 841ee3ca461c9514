"""The shared vocabulary file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.vocabulary import DEFAULT_PATH, REQUIRED_ACTIONS, REQUIRED_INTENTS, VocabularyError, load_vocabulary


def test_packaged_vocabulary_has_every_required_id_with_chinese_labels() -> None:
    vocab = load_vocabulary()
    assert set(REQUIRED_INTENTS) <= set(vocab.intent_by_id)
    assert set(REQUIRED_ACTIONS) <= set(vocab.action_by_id)
    assert {i.id for i in vocab.intents if i.pilot} == {"data_fee_dispute", "mobile_data_fault", "broadband_fault"}
    for entry in [*vocab.intents, *vocab.actions]:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in entry.label), entry.id


def _write(tmp_path: Path, mutate: object) -> Path:
    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    mutate(raw)  # type: ignore[operator]
    path = tmp_path / "vocab.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda raw: raw["intents"].append(dict(raw["intents"][0])))
    with pytest.raises(VocabularyError, match="重复的 intent id: data_fee_dispute"):
        load_vocabulary(path)


def test_a_bad_entry_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda raw: raw["actions"][3].update(kind="magic"))
    with pytest.raises(VocabularyError) as exc:
        load_vocabulary(path)
    assert "actions.3.kind" in str(exc.value) and "guide_apn_reset" in str(exc.value)


def test_a_missing_required_id_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda raw: raw["intents"].pop(0))
    with pytest.raises(VocabularyError, match="data_fee_dispute"):
        load_vocabulary(path)


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_bytes(b"\xff\xfe not utf8 \x81")
    with pytest.raises(VocabularyError, match="无法读取"):
        load_vocabulary(path)
