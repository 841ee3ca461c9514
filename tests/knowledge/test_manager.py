"""Corpus loading and status: bad records are named, nothing is built from a bad corpus."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from knowledge import lexical
from knowledge.bench import CountingEmbedder
from knowledge.embedding import UseM3Embedder
from knowledge.lexical import Lexicon, Tokenizer, lexicon_signature, load_lexicon
from knowledge.manager import CorpusError, KnowledgeManager, load_jsonl
from knowledge.schema import EmergencyScript, KnowledgePoint
from knowledge.store import IndexStore
from tests.knowledge.conftest import NOW, business_corpus, small_corpus


def write_corpus(root: Path, lines: list[str] | None = None) -> tuple[Path, Path]:
    root.mkdir(parents=True, exist_ok=True)
    points = root / "knowledge_points.jsonl"
    scripts = root / "scripts.jsonl"
    docs = small_corpus()
    points.write_text("\n".join(lines if lines is not None else
                                [d.model_dump_json() for d in docs if isinstance(d, KnowledgePoint)]) + "\n",
                      encoding="utf-8")
    scripts.write_text("\n".join(d.model_dump_json() for d in docs if isinstance(d, EmergencyScript)) + "\n",
                       encoding="utf-8")
    return points, scripts


def test_bad_records_are_each_named(tmp_path: Path) -> None:
    good = json.loads(small_corpus()[0].model_dump_json())
    no_region = {k: v for k, v in good.items() if k != "region"} | {"id": "KP-GPRS-00101"}
    bad_date = good | {"id": "KP-GPRS-00102", "effective_from": "2026-02-30"}
    huge = good | {"id": "KP-GPRS-00103", "body": "很长" * 3_000_000}
    lines = [json.dumps(good, ensure_ascii=False), json.dumps(no_region, ensure_ascii=False),
             json.dumps(bad_date, ensure_ascii=False), json.dumps(huge, ensure_ascii=False),
             json.dumps(good, ensure_ascii=False)]
    points, _ = write_corpus(tmp_path, lines)
    with pytest.raises(CorpusError) as exc:
        load_jsonl(points, KnowledgePoint)
    text = str(exc.value)
    assert ":2 [KP-GPRS-00101] region" in text
    assert ":3 [KP-GPRS-00102] effective_from" in text
    assert ":4 [KP-GPRS-00103] body" in text
    assert ":5 [KP-GPRS-00001] 编号重复" in text
    assert len(text) < 5000, "a 6 MB body is not echoed back"


def test_non_utf8_corpus_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "knowledge_points.jsonl"
    path.write_bytes("知识点".encode("gbk"))
    with pytest.raises(CorpusError, match="无法读取"):
        load_jsonl(path, KnowledgePoint)


def test_rebuild_from_a_bad_corpus_builds_nothing(
    tmp_path: Path, make_store: Callable[..., tuple[IndexStore, CountingEmbedder]]
) -> None:
    store, _ = make_store()
    manager = KnowledgeManager(store, clock=lambda: NOW)
    good = manager.rebuild(write_corpus(tmp_path / "good"))
    bad = write_corpus(tmp_path / "bad", ['{"id": "KP-X-001"}'])
    with pytest.raises(CorpusError):
        manager.rebuild(bad)
    assert store.current().name == good.name  # type: ignore[union-attr]
    status = manager.status()
    assert status["index"] == good.name and status["counts"]["point"] == 12 and status["counts"]["script"] == 3
    assert status["expired_in_index"] == 2 and status["not_yet_effective"] == 1
    assert status["embedding_model"].startswith("use-m3")


def test_an_index_cut_with_another_lexicon_says_so_until_rebuilt(tmp_path: Path, embedder: UseM3Embedder) -> None:
    def store_with(lexicon: Lexicon) -> IndexStore:
        tokenizer = Tokenizer(lexicon)
        return IndexStore(tmp_path / "index", lambda: embedder, lambda: tokenizer)

    shipped = load_lexicon()
    manager = KnowledgeManager(store_with(shipped), clock=lambda: NOW)
    manager.rebuild(write_corpus(tmp_path / "corpus", [d.model_dump_json() for d in business_corpus()
                                                      if isinstance(d, KnowledgePoint)]))
    assert manager.status()["lexicon_changed"] is False

    edited = shipped.model_copy(update={"synonyms": [*shipped.synonyms, ["漏话提醒", "来电提醒"]]})
    manager = KnowledgeManager(store_with(edited), clock=lambda: NOW)
    status = manager.status()
    assert status["lexicon_changed"] is True and "hotline kb rebuild" in status["message"]

    def matched() -> list[str]:  # the words of the best BM25 hit that the question shares
        hits = manager.store.open().search("漏话提醒多少钱", province="江西省", city="南昌市", at=NOW, mode="bm25")
        return hits[0].why["matched_terms"] if hits[0].id.startswith("KP-ZZ") else []

    assert "漏话提醒" not in matched(), "the old index never cut 来电提醒 as 漏话提醒"
    manager.store.apply([business_corpus()[0].model_copy(update={"body": "来电提醒：改版后的说明。"})],
                        reembed={business_corpus()[0].id}, note="ingest")
    assert manager.status()["lexicon_changed"] is True, "an ingest keeps the other documents' old words"
    manager.rebuild()  # from the serving index, with the edited lexicon
    assert manager.status()["lexicon_changed"] is False and "message" not in manager.status()
    assert "漏话提醒" in matched()


def test_a_release_that_cuts_words_differently_is_another_signature(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An index (and the intent model) cut by older code is stale, as after a lexicon edit."""
    assert all(path.is_file() for path in lexical.CUTTING_CODE), "the signature reads the code that cuts words"
    code = tmp_path / "numbers.py"
    code.write_text("# reads 一百五一个月 as 151个月\n", encoding="utf-8")
    monkeypatch.setattr(lexical, "CUTTING_CODE", (code,))
    old = lexicon_signature(load_lexicon())
    code.write_text("# reads 一百五一个月 as 150 1个月\n", encoding="utf-8")
    assert lexicon_signature(load_lexicon()) != old
    assert lexicon_signature(load_lexicon()) == Tokenizer(load_lexicon()).signature
