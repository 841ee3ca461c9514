"""`hotline eval`: world, run (with reports and --check), report and compare."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

from typer.testing import CliRunner

from evals.cli import app
from evals.world import World
from tests.evals.conftest import SAMPLE, case, write_suite

runner = CliRunner()


def test_hotline_eval_is_a_plugin_of_hotline() -> None:
    found = [ep for ep in entry_points(group="hotline.cli") if ep.name == "eval"]
    assert found and found[0].load() is app


def test_world_reuses_the_world_and_says_how_to_serve_it(eval_world: World) -> None:
    result = runner.invoke(app, ["world", "--world", str(eval_world.root), "--kb-sample", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert manifest["as_of"] == "2026-11-20T10:00:00" and manifest["built_at"] == eval_world.manifest["built_at"]
    assert f"HOTLINE_SIM_DB={eval_world.serve_db}" in result.stderr and "hotline serve" in result.stderr


def test_run_report_and_compare(eval_world: World, tmp_path: Path) -> None:
    suite = write_suite(tmp_path / "cli.yaml", [
        case("cli-gprs", ["我手机上不了网了"], intents=["mobile_data_fault"], gold={"findings": ["gprs_off"]},
             fixture={"situation": "gprs_off"}),
        case("cli-wrong-gold", ["家里宽带断了，光猫红灯一直闪"], intents=["roaming"],
             fixture={"situation": "bb_los_fibre_cut"}),
    ])
    out = tmp_path / "run"
    args = ["run", str(suite), "--out", str(out), "--world", str(eval_world.root), "--kb-sample", str(SAMPLE)]
    result = runner.invoke(app, [*args, "--check"])
    assert result.exit_code == 1, result.output  # the wrong gold intent misses the intent-accuracy target
    assert "未达标" in result.stderr
    summary = json.loads(result.stdout)
    assert summary["cases"] == 2 and summary["ok"] == 2 and summary["ran"] == 2
    assert (out / "report.html").is_file() and (out / "report.json").is_file()

    again = runner.invoke(app, args)
    assert again.exit_code == 0 and json.loads(again.stdout)["ran"] == 0, "resumed: nothing left to run"
    (out / "report.md").unlink()
    assert runner.invoke(app, ["report", str(out)]).exit_code == 0 and (out / "report.md").is_file()
    same = runner.invoke(app, ["compare", str(out), str(out)])
    assert same.exit_code == 0, same.output
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["product"]["data_sha256"] and manifest["world"]["kb_version"]

    # found by an evaluator: B lacking a case A ran exited 0 (a dropped case can hide a regression)
    fewer = tmp_path / "fewer"
    fewer.mkdir()
    (fewer / "run.json").write_text(json.dumps({**manifest, "cases": 1}), encoding="utf-8")
    kept = [line for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines() if "cli-gprs" in line]
    (fewer / "results.jsonl").write_text(kept[0] + "\n", encoding="utf-8")
    dropped = runner.invoke(app, ["compare", str(out), str(fewer)])
    assert dropped.exit_code == 1 and "B 缺少的用例（未运行，可能掩盖退步）：cli-wrong-gold" in dropped.output

    # a run resumed after a data file changed would mix old and new results
    edited = {**manifest, "product": {**manifest["product"], "data_sha256": "0" * 64}}
    (out / "run.json").write_text(json.dumps(edited), encoding="utf-8")
    refused = runner.invoke(app, args)
    assert refused.exit_code != 0 and "--fresh" in refused.output


def test_bad_input_exits_with_the_place_named(tmp_path: Path, eval_world: World) -> None:
    bad = write_suite(tmp_path / "bad.yaml", [{"id": "x", "description": "d", "turns": [], "gold": {"intents": ["other"]},
                                              "fixture": {"situation": "healthy"}}])
    result = runner.invoke(app, ["run", str(bad), "--out", str(tmp_path / "run"), "--world", str(eval_world.root)])
    assert result.exit_code == 2 and "bad.yaml: case 'x': turns" in result.stderr
    assert runner.invoke(app, ["report", str(tmp_path)]).exit_code == 2
    llm = write_suite(tmp_path / "ok.yaml", [case("o", ["喂"], intents=["other"])])
    result = runner.invoke(app, ["run", str(llm), "--out", str(tmp_path / "r2"), "--config", "llm",
                                 "--world", str(eval_world.root)])
    assert result.exit_code == 2 and "HOTLINE_LLM_BASE_URL" in result.stderr
