"""Fitting the second stage: weights learnt from labelled queries, never from the test split."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from knowledge.bench import CountingEmbedder
from knowledge.rerank import FEATURES, load_model
from knowledge.rerank_fit import collect, fit, main, read_queries, recall_at
from knowledge.store import IndexStore
from tests.knowledge.conftest import NOW, business_corpus

Make = Callable[..., tuple[IndexStore, CountingEmbedder]]
# (query, the point that answers it): near-identical siblings compete for every one
LABELLED = [
    ("来电提醒一个月多少钱", "KP-ZZ-00002"), ("来电提醒收费怎么算的", "KP-ZZ-00002"),
    ("来电提醒在哪里开通", "KP-ZZ-00003"), ("发短信能开来电提醒吗", "KP-ZZ-00003"),
    ("来电提醒不想要了怎么退", "KP-ZZ-00004"), ("帮我把来电提醒取消掉", "KP-ZZ-00004"),
    ("来电提醒啥时候开始扣钱", "KP-ZZ-00005"), ("128的全球通一个月多少钱", "KP-QQT-12801"),
    ("158的全球通怎么取消", "KP-QQT-15803"), ("158元全球通剩下的流量能留到下个月吗", "KP-QQT-15804"),
    ("全球通128在哪办理", "KP-QQT-12802"), ("换手机了来电提醒还有没有", "KP-ZZ-00007"),
]


def write_queries(path: Path, split: str, rows: list[tuple[str, str]]) -> Path:
    lines = [json.dumps({"id": f"{split}-{i}", "split": split, "query": q, "region": "江西省南昌市",
                         "at": NOW.isoformat(), "relevant": [answer]}, ensure_ascii=False)
             for i, (q, answer) in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_fitted_weights_rank_the_answers_better_than_bm25_alone(make_store: Make, tmp_path: Path) -> None:
    store, _ = make_store()
    store.build(business_corpus(), note="t")
    groups = collect(store.open(), read_queries([write_queries(tmp_path / "q.jsonl", "fresh", LABELLED)], "all"))
    assert len(groups) == len(LABELLED)
    lex_only = np.eye(len(FEATURES))[FEATURES.index("lex")]
    weights = fit(groups)
    assert recall_at(groups, weights, k=1) > recall_at(groups, lex_only, k=1)
    assert recall_at(groups, weights, k=5) == 1.0


def test_the_cli_fits_on_several_files_and_leaves_their_test_queries_out(make_store: Make, tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    store, _ = make_store()
    store.build(business_corpus(), note="t")
    first = write_queries(tmp_path / "draw1.jsonl", "fresh", LABELLED[:6])
    second = write_queries(tmp_path / "draw2.jsonl", "fresh", LABELLED[6:])
    held_out = write_queries(tmp_path / "held.jsonl", "test", LABELLED[:3])
    out = tmp_path / "rerank.yaml"
    main(["--index", str(tmp_path / "index"), "--queries", str(first), str(second), str(held_out), "--split", "all",
          "--write", "--out", str(out)])
    assert json.loads(capsys.readouterr().out)["queries"] == len(LABELLED)
    model = load_model(out)
    assert "draw1.jsonl, draw2.jsonl, held.jsonl" in model.fitted_on and f"({len(LABELLED)} queries)" in model.fitted_on
    assert set(model.weights) == set(FEATURES)


def test_the_cli_refuses_the_test_split_and_bad_query_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    queries = write_queries(tmp_path / "q.jsonl", "test", LABELLED[:2])
    with pytest.raises(SystemExit):
        main(["--index", str(tmp_path / "index"), "--queries", str(queries), "--split", "test"])
    assert "test split" in capsys.readouterr().err
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"query": "来电提醒多少钱", "region": "江西省"}\n{"query": \n', encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["--index", str(tmp_path / "index"), "--queries", str(broken), "--split", "all"])
    assert f"{broken}:1: query lacks relevant" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--index", str(tmp_path / "nothing"), "--queries", str(queries), "--split", "all"])
    assert "no queries to fit on" in capsys.readouterr().err
