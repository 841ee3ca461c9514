"""`hotline sim ...` as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from copilot.cli import app
from tests.conftest import profile
from tools.sim.db import SimDatabase
from tools.sim.server import OPENAPI_PATH

runner = CliRunner()


def test_generate_is_deterministic(tmp_path: Path) -> None:
    outs = []
    for name in ("a.sqlite", "b.sqlite"):
        result = runner.invoke(app, ["sim", "generate", "--subscribers", "120", "--seed", "3",
                                     "--as-of", "2026-11-20T10:00:00", "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        outs.append(json.loads(result.output))
    assert outs[0]["rows"] == outs[1]["rows"] and outs[0]["rows"]["subscribers"] == 120
    assert (tmp_path / "a.sqlite").read_bytes() == (tmp_path / "b.sqlite").read_bytes()


def test_generate_rejects_a_bad_date(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sim", "generate", "--as-of", "yesterday", "--out", str(tmp_path / "x.sqlite")])
    assert result.exit_code != 0 and "yesterday" in result.output
    assert not (tmp_path / "x.sqlite").exists()


def test_lookup_json_covers_all_five_systems(sim_path: Path) -> None:
    msisdn = profile(SimDatabase(sim_path), "bb_los_fibre_cut")
    result = runner.invoke(app, ["sim", "lookup", msisdn, "--db", str(sim_path), "--json"])
    assert result.exit_code == 0, result.output
    picture = json.loads(result.output)
    assert set(picture) >= {"boss", "aaa", "pon", "coverage", "ticketing"}
    assert picture["boss"]["subscriber"]["msisdn"] == msisdn
    line = next(iter(picture["pon"]["lines"].values()))
    assert line["onu"]["online"] is False
    assert {a["alarm_type"] for a in line["active_alarms"]} >= {"LOS"}


def test_lookup_table_view(sim_path: Path) -> None:
    msisdn = profile(SimDatabase(sim_path), "arrears_suspended")
    result = runner.invoke(app, ["sim", "lookup", msisdn, "--db", str(sim_path)])
    assert result.exit_code == 0, result.output
    assert "欠费停机" in result.output and "PON" in result.output


def test_lookup_bad_numbers(sim_path: Path) -> None:
    unknown = runner.invoke(app, ["sim", "lookup", "13000000000", "--db", str(sim_path)])
    assert unknown.exit_code == 1 and "13000000000" in unknown.output
    malformed = runner.invoke(app, ["sim", "lookup", "1380", "--db", str(sim_path)])
    assert malformed.exit_code == 1 and "格式不正确" in malformed.output


def test_missing_database_says_how_to_make_one(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sim", "lookup", "13800000000", "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 2 and "hotline sim generate" in result.output


def test_examples_lists_situations(sim_path: Path) -> None:
    result = runner.invoke(app, ["sim", "examples", "--db", str(sim_path)])
    assert result.exit_code == 0
    assert "bb_los_fibre_cut" in result.output and "big_overage_elastic_eligible" in result.output


def test_committed_contract_matches_the_served_one() -> None:
    result = runner.invoke(app, ["sim", "openapi"])
    assert result.exit_code == 0
    assert result.output == OPENAPI_PATH.read_text(encoding="utf-8"), (
        "tools/openapi.json is stale: run `hotline sim openapi --out tools/openapi.json`"
    )


def test_every_command_has_help() -> None:
    for args in ([], ["sim"], ["sim", "generate"], ["sim", "lookup"], ["sim", "serve"], ["sim", "openapi"],
                 ["sim", "examples"], ["serve"], ["vocab", "check"]):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, args
