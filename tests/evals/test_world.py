"""The eval world: fixed seed and as-of, built once and reused, rebuilt when half-built or different."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import evals.world as world_module
from evals.world import (
    MANIFEST,
    World,
    WorldError,
    WorldSpec,
    open_searcher,
    open_world,
    prepare_world,
    publish_scripts,
)
from knowledge.embedding import Embedder
from knowledge.lexical import Tokenizer, load_lexicon
from knowledge.schema import EmergencyScript
from tests.evals.conftest import SAMPLE


def test_the_world_has_a_fixed_as_of_and_every_situation(eval_world: World) -> None:
    assert eval_world.manifest["as_of"] == "2026-11-20T10:00:00" and eval_world.manifest["seed"] == 7
    conn = sqlite3.connect(eval_world.sim_db)
    assert conn.execute("SELECT value FROM meta WHERE key = 'as_of'").fetchone()[0] == "2026-11-20T10:00:00"
    situations = {r[0] for r in conn.execute("SELECT DISTINCT situation FROM sim_profiles")}
    assert {"gprs_off", "bb_onu_hung", "big_overage_elastic_eligible", "bb_area_outage"} <= situations
    assert eval_world.serve_db.is_file(), "the database a server runs on is ready"
    assert eval_world.manifest["kb_counts"]["point"] >= SAMPLE and eval_world.manifest["kb_version"]


def test_a_matching_world_is_reused(eval_world: World) -> None:
    said: list[str] = []
    again = prepare_world(eval_world.root, WorldSpec(kb_sample=SAMPLE), say=said.append)
    assert said == [] and again.manifest == eval_world.manifest


def _fake_build(calls: list[WorldSpec]) -> Any:
    def build(tmp: Path, spec: WorldSpec, embedder: Any, clock: Any, say: Any) -> dict[str, Any]:
        calls.append(spec)
        (tmp / "sim.sqlite").write_bytes(b"")
        (tmp / "kb" / "index").mkdir(parents=True)
        (tmp / "kb" / "index" / "CURRENT").write_text("v0001")
        manifest = {**spec.key(), "kb_version": "v0001"}
        (tmp / MANIFEST).write_text(json.dumps(manifest))
        return manifest

    return build


def test_a_half_built_or_different_world_is_rebuilt_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             ) -> None:
    calls: list[WorldSpec] = []
    monkeypatch.setattr(world_module, "_build_into", _fake_build(calls))
    root = tmp_path / "world"
    root.mkdir()
    (root / "sim.sqlite").write_bytes(b"half")  # killed before its manifest was written
    with pytest.raises(WorldError, match="不存在或不完整"):
        open_world(root)
    built = prepare_world(root, WorldSpec(kb_sample=10))
    assert len(calls) == 1 and (root / "sim.sqlite").read_bytes() == b"" and built.manifest["kb_sample"] == 10
    prepare_world(root, WorldSpec(kb_sample=10))
    assert len(calls) == 1, "reused"
    prepare_world(root, WorldSpec(kb_sample=10, keep_ids=("KP-TS-00001",)))
    assert len(calls) == 2, "another sample: built again"
    prepare_world(root, WorldSpec(kb_sample=10))
    assert len(calls) == 2, "a sample that keeps more ids than asked for is reused"
    assert [p.name for p in tmp_path.iterdir()] == ["world"], "no temporary directories left behind"


def test_a_sample_keeps_the_ids_asked_for(eval_world: World) -> None:
    from knowledge.catalog import Doc
    from knowledge.corpus import CorpusPaths
    from knowledge.manager import load_jsonl
    from knowledge.schema import KnowledgePoint

    points: list[Doc] = load_jsonl(CorpusPaths.under(eval_world.kb_dir / "corpus").points, KnowledgePoint)
    wanted = points[-1].id
    docs, missing = world_module.sample_docs(points, WorldSpec(kb_sample=5, keep_ids=(wanted, "KP-NO-99999")))
    assert wanted in {d.id for d in docs} and len(docs) == 6 and missing == ["KP-NO-99999"]
    again, _ = world_module.sample_docs(points, WorldSpec(kb_sample=5, keep_ids=(wanted,)))
    assert [d.id for d in again] == [d.id for d in docs], "the same sample on every machine"


def test_scripts_are_published_to_a_copy_of_the_index(eval_world: World, eval_embedder: Embedder,
                                                      tmp_path: Path) -> None:
    script = EmergencyScript(
        id="ES-20261120-977", title="测试口径", topic="service_notice", region="全国", keywords=["测试"],
        wording="您好，这是一条评测用的测试口径，请按此解释。", valid_from=datetime(2026, 11, 20, 8),
        valid_to=datetime(2026, 11, 20, 18), source="评测〔2026〕1号")
    current = (eval_world.index_dir / "CURRENT").read_text()
    tokenizer = Tokenizer(load_lexicon())
    searcher = publish_scripts(eval_world, [script], tmp_path / "index", eval_embedder, tokenizer)
    assert searcher.get(script.id) is not None
    assert (eval_world.index_dir / "CURRENT").read_text() == current, "the world's index is untouched"
    assert open_searcher(eval_world, eval_embedder, tokenizer).get(script.id) is None
