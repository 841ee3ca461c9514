"""A small eval world built once per session, a shared embedder, and suite files written from Python."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from copilot.settings import Settings
from evals.scenario import ScenarioError, load_suite
from evals.world import World, WorldSpec, keep_ids_of, prepare_world
from knowledge.embedding import Embedder, QueryCache, UseM3Embedder

SAMPLE = 200
"""Knowledge points in the test world (plus the scripts near its as-of): small enough to build in seconds."""
SMOKE = Path(__file__).resolve().parents[2] / "evals" / "suites" / "smoke.yaml"


@pytest.fixture(scope="session")
def eval_embedder() -> Embedder:
    """One embedder for the world build and every in-process run of the session."""
    return QueryCache(UseM3Embedder(threads=1))


def smoke_knowledge() -> tuple[str, ...]:
    """The gold knowledge ids of the smoke suite (kept in the test world, so the smoke suite can run on it)."""
    try:
        return keep_ids_of([s.gold.knowledge for s in load_suite(SMOKE)])
    except ScenarioError:
        return ()


@pytest.fixture(scope="session")
def eval_world(tmp_path_factory: pytest.TempPathFactory, eval_embedder: Embedder) -> World:
    """The standard eval world (seed 7, 400 lines, as of 2026-11-20 10:00) with a sampled knowledge base.

    It keeps the smoke suite's gold knowledge ids; `WorldSpec(kb_sample=SAMPLE)` (any smaller `keep_ids`) reuses it.
    """
    root = tmp_path_factory.mktemp("eval") / "world"
    return prepare_world(root, WorldSpec(kb_sample=SAMPLE, keep_ids=smoke_knowledge()), embedder=lambda: eval_embedder)


@pytest.fixture
def eval_settings(tmp_path: Path, models_dir: Path) -> Settings:
    """Deterministic settings: a private data dir, the session's trained models, no model server."""
    return Settings(data_dir=tmp_path / "data", models_dir=models_dir, llm_base_url=None, llm_model=None,
                    llm_api_key=None)


def write_suite(path: Path, cases: list[dict[str, Any]]) -> Path:
    """A YAML suite file of `cases`."""
    path.write_text(yaml.safe_dump({"scenarios": cases}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def case(case_id: str, turns: list[str | tuple[str, str]], *, intents: list[str], **fields: Any) -> dict[str, Any]:
    """A scenario: turns are caller texts, or (speaker, text) pairs; `fields` go in as given (gold merged)."""
    gold = {"intents": intents, **fields.pop("gold", {})}
    said = [{"speaker": t[0], "text": t[1]} if isinstance(t, tuple) else {"speaker": "caller", "text": t}
            for t in turns]
    out: dict[str, Any] = {"id": case_id, "description": f"{case_id} 测试场景", "turns": said, "gold": gold, **fields}
    out.setdefault("fixture", {"situation": "healthy"})
    return out


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory: pytest.TempPathFactory, eval_world: World, eval_embedder: Embedder,
              models_dir: Path) -> Path:
    """The smoke suite replayed in process on the test world, with its reports written: one run per session."""
    from evals.harness import run_suite
    from evals.report import write_reports

    base = tmp_path_factory.mktemp("smoke")
    out = base / "run"
    settings = Settings(data_dir=base / "data", models_dir=models_dir, llm_base_url=None, llm_model=None,
                        llm_api_key=None)
    run_suite(SMOKE, out, world_dir=eval_world.root, world_spec=WorldSpec(kb_sample=SAMPLE), settings=settings,
              embedder=eval_embedder)
    write_reports(out)
    return out
