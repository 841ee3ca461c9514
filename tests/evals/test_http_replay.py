"""HTTP replay against a real uvicorn server running on the eval world."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from copilot.api.app import create_app
from copilot.settings import Settings
from evals.harness import run_suite
from evals.http_replay import HttpReplayer, ServerError
from evals.world import World
from tests.conftest import ServerThread, free_port
from tests.evals.conftest import case, write_suite

SUITE = [
    case("http-gprs", ["喂，我手机上不了网了，4G图标都没有", ("agent", "您好，我帮您查一下"), "好的，麻烦快一点"],
         intents=["mobile_data_fault"], gold={"findings": ["gprs_off"]},
         fixture={"situation": "healthy", "tables": {"aaa_profiles": {"gprs_enabled": 0}}}),
    case("http-fault", ["我这个月流量费怎么这么多"], intents=["data_fee_dispute"],
         fixture={"situation": "big_overage_elastic_eligible"}, faults=[{"system": "BOSS"}]),
    case("http-later", ["宽带断了"], intents=["broadband_fault"], now="{now+1d}"),
    case("http-onu", ["家里宽带连着WiFi但是打不开网页，光猫灯都是亮的"], intents=["broadband_fault"],
         fixture={"situation": "bb_onu_hung"}),
]


@pytest.fixture(scope="module")
def server(eval_world: World, tmp_path_factory: pytest.TempPathFactory, models_dir: Path) -> Iterator[str]:
    """The API on the world, started the way World.serve_command says."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("serve"), sim_db=eval_world.serve_db,
                        kb_dir=eval_world.kb_dir, models_dir=models_dir, llm_base_url=None)
    with ServerThread(create_app(settings)) as running:
        yield running.url


def _gprs(db: Path, msisdn: str) -> int:
    return int(sqlite3.connect(db).execute("SELECT gprs_enabled FROM aaa_profiles WHERE msisdn = ?",
                                           (msisdn,)).fetchone()[0])


def test_a_suite_replays_over_http(server: str, eval_world: World, tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "http.yaml", SUITE)
    outcome = run_suite(suite, tmp_path / "run", url=server, world_dir=eval_world.root)
    results = {r.id: r for r in outcome.results}
    gprs = results["http-gprs"]
    assert gprs.ok, gprs.error
    first = gprs.turns[0].suggestion
    assert first.intents[0][0] == "mobile_data_fault" and "gprs_off" in first.findings, "the fixture reached it"
    assert first.knowledge and len(first.knowledge_text) == len(first.knowledge) + len(first.scripts)
    assert [t.speaker for t in gprs.turns] == ["caller", "agent", "caller"]
    assert any(t.first_card_ms is not None for t in gprs.turns if t.speaker == "caller")
    assert gprs.wrapup is not None
    onu = results["http-onu"]
    assert onu.ok and "onu_hung" in onu.turns[0].suggestion.findings, "the previous case's fixture was reset"
    assert results["http-fault"].error is not None and results["http-fault"].error.startswith("skipped: ")
    assert results["http-later"].error is not None and "通话时刻" in results["http-later"].error

    saved = outcome.run_dir / "calls"
    state = json.loads((saved / f"{gprs.call_id}.json").read_text(encoding="utf-8"))
    audit = json.loads((saved / f"{gprs.call_id}.audit.json").read_text(encoding="utf-8"))
    assert len(state["state"]["transcript"]) == 3 and "****" in state["call"]["msisdn"]
    assert any(e["type"] == "wrapup" for e in audit["events"])
    caller = sqlite3.connect(eval_world.sim_db).execute(
        "SELECT msisdn FROM sim_profiles WHERE situation = 'healthy' ORDER BY msisdn").fetchone()[0]
    assert _gprs(eval_world.sim_db, caller) == 1, "the pristine world is never written"


def test_a_server_that_is_not_on_the_world_is_refused(server: str, tmp_path: Path) -> None:
    elsewhere = World(tmp_path / "other", {"as_of": "2026-11-20T10:00:00"})
    with pytest.raises(ServerError, match=r"没有运行在评测世界上.*hotline serve"):
        HttpReplayer(server, elsewhere, tmp_path)
    with pytest.raises(ServerError, match="无法连接"):
        HttpReplayer(f"http://127.0.0.1:{free_port()}", elsewhere, tmp_path)


def test_a_run_whose_mode_is_not_the_servers_is_refused(server: str, eval_world: World, tmp_path: Path) -> None:
    """Found by an evaluator: --config llm against a rules-only server ran, and was labelled an LLM run."""
    with pytest.raises(ServerError, match=r"deterministic 模式，本次 --config llm"):
        HttpReplayer(server, eval_world, tmp_path, config="llm")
    HttpReplayer(server, eval_world, tmp_path, config="deterministic").close()
