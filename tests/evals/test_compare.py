"""Run comparison: metric deltas, regressions and improvements case by case, new and missing cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.compare import compare_runs, format_comparison
from tests.evals.cases import case, sug, turns, write_run

FEE = "data_fee_dispute"
BB = "broadband_fault"


def _fee(knowledge: list[str], intent: str = FEE) -> object:
    return case("fee_elastic", {"intents": [FEE], "knowledge": ["KP-LL-00012"]},
                turns(("caller", "上个月流量费扣了四百八，我根本没用那么多", sug(intent, knowledge=knowledge))),
                description="流量费争议：能否转弹性计费包")


def _onu(intent: str, knowledge: list[str]) -> object:
    return case("bb_onu_hung", {"intents": [BB], "knowledge": ["KP-KD-00106"]},
                turns(("caller", "光猫灯全亮着就是上不了网", sug(intent, knowledge=knowledge))),
                description="光猫假死，远程重启可恢复")


@pytest.fixture
def runs(tmp_path: Path) -> tuple[Path, Path]:
    a = write_run(tmp_path / "a", [
        _fee(["KP-LL-00012"]),  # A: intent right, knowledge hit
        _onu(BB, ["KP-1"]),  # A: knowledge missed
        case("only_in_a", {"intents": ["roaming"]}, turns(("caller", "出国怎么开漫游", sug("roaming")))),
    ])
    b = write_run(tmp_path / "b", [
        _fee(["KP-LL-00012"], intent="bill_inquiry"),  # B: intent lost
        _onu(BB, ["KP-KD-00106"]),  # B: knowledge found
        case("only_in_b", {"intents": ["sim_replacement"]}, turns(("caller", "手机卡坏了要补卡", sug("sim_replacement")))),
    ])
    return a, b


def test_regressions_and_improvements_name_the_checks(runs: tuple[Path, Path]) -> None:
    d = compare_runs(*runs)
    assert [(r["id"], [c["check"] for c in r["checks"]]) for r in d["regressions"]] == [("fee_elastic", ["intent"])]
    lost = d["regressions"][0]["checks"][0]
    assert (lost["expected"], lost["a"], lost["b"]) == (FEE, FEE, "bill_inquiry")
    assert [(r["id"], [c["check"] for c in r["checks"]]) for r in d["improvements"]] == [("bb_onu_hung", ["knowledge"])]
    assert d["new_cases"] == ["only_in_b"]
    assert d["missing_cases"] == ["only_in_a"]


def test_metric_deltas_know_which_way_is_better(runs: tuple[Path, Path]) -> None:
    metrics = {m["metric"]: m for m in compare_runs(*runs)["metrics"]}
    intent = metrics["intent_accuracy"]
    assert (intent["a"], intent["b"], intent["better"]) == (1.0, pytest.approx(2 / 3), False)
    assert intent["delta"] == pytest.approx(-1 / 3)
    assert metrics["retrieval_hit@5"]["better"] is True
    assert metrics["pii_leaks"]["delta"] == 0 and metrics["pii_leaks"]["better"] is None


def test_same_run_has_no_regressions(runs: tuple[Path, Path]) -> None:
    d = compare_runs(runs[0], runs[0])
    assert d["regressions"] == [] and d["improvements"] == [] and d["new_cases"] == []


def test_formatted_comparison(runs: tuple[Path, Path]) -> None:
    text = format_comparison(compare_runs(*runs))
    assert "退步（regressions）：1 个用例" in text
    assert "fee_elastic" in text and "主意图 [intent]" in text and "bill_inquiry" in text
    assert "改进（improvements）：1 个用例" in text and "bb_onu_hung" in text
    assert "仅 B 有的用例：only_in_b" in text and "B 缺少的用例（未运行，可能掩盖退步）：only_in_a" in text
    assert "intent_accuracy" in text and "↓变差" in text


def test_missing_run_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        compare_runs(tmp_path / "nope", tmp_path / "nope2")


def test_cases_skipped_in_b_are_neither_missing_nor_regressions(tmp_path: Path) -> None:
    a = write_run(tmp_path / "a", [_onu(BB, ["KP-KD-00106"])])
    b = write_run(tmp_path / "b", [case("bb_onu_hung", {"intents": [BB]}, [], ok=False,
                                        error="skipped: HTTP 模式不能注入后台故障（faults），请用进程内模式")])
    d = compare_runs(a, b)
    assert d["skipped_cases"] == ["bb_onu_hung"]
    assert d["missing_cases"] == [] and d["regressions"] == []


def test_runs_of_another_suite_world_or_mode_are_named(tmp_path: Path) -> None:
    """Found by an evaluator: a run of another suite, on another world, compared with no word of it."""
    a = write_run(tmp_path / "a", [_onu(BB, ["KP-KD-00106"])], world={"seed": 7, "kb_version": "v0001"},
                  product={"git": "abc123", "data_sha256": "1" * 64})
    b = write_run(tmp_path / "b", [_onu(BB, ["KP-KD-00106"])], suite="/tmp/mine.yaml", suite_sha256="f" * 64,
                  world={"seed": 7, "kb_version": "v0002"}, product={"git": "def456", "data_sha256": "2" * 64})
    d = compare_runs(a, b)
    assert any(m.startswith("套件不同") for m in d["mismatches"])
    assert "评测世界的知识库版本不同：A v0001，B v0002" in d["mismatches"]
    assert d["products"] == ["A abc123 → B def456；数据文件不同"]
    text = format_comparison(d)
    assert "注意：套件不同" in text and "版本：A abc123 → B def456" in text
    assert compare_runs(a, a)["mismatches"] == []
