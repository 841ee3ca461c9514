"""Reports: report.json / report.md / a self-contained report.html with the confusion matrix and every failure."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from evals.report import charts as charts_module
from evals.report import write_reports
from tests.evals.cases import FEE_FACTS, FEE_REPLY, ONU_FACTS, ONU_READS, case, sug, to_json, turns, write_run

FEE = "data_fee_dispute"
BB = "broadband_fault"
PHONE = "13907910001"


def _run(tmp_path: Path, *, leak: bool = False) -> Path:
    caller_text = f"我号码是{PHONE}" if leak else "我号码是139****0001"
    results = [
        case("fee_ok", {"intents": [FEE], "actions": ["refund_via_elastic_package"], "pii": [PHONE]},
             turns(("caller", "上个月流量费扣了我四百八", sug(FEE, actions=["refund_via_elastic_package"],
                                                              reply=FEE_REPLY, facts=FEE_FACTS)),
                   ("caller", caller_text, sug(FEE, actions=["refund_via_elastic_package"], reply=FEE_REPLY,
                                               facts=FEE_FACTS))),
             tags=["pilot:fee_dispute", "emotion:angry"], description="流量费争议，可转弹性计费包"),
        case("bb_dispatch_wrong", {"intents": [BB], "disposition": "intercept", "actions": ["remote_onu_reboot"]},
             turns(("caller", "光猫灯都亮着<script>alert(1)</script>就是上不了网",
                    sug("mobile_data_fault", reads=ONU_READS, facts=ONU_FACTS, disposition="dispatch",
                        actions=["create_repair_ticket"], reply="我马上为您报修，师傅会在11月30日上门。")),
                   ("agent", "好的，我帮您报修", sug("mobile_data_fault", disposition="dispatch"))),
             tags=["pilot:broadband", "noise:asr"], description="光猫假死却派了单"),
    ]
    return write_run(tmp_path / "run", results)


def test_writes_three_reports(tmp_path: Path) -> None:
    run = _run(tmp_path)
    paths = write_reports(run)
    assert {k: p.name for k, p in paths.items()} == {"json": "report.json", "md": "report.md", "html": "report.html"}
    report = to_json(paths["json"])
    assert {c["id"] for c in report["cases"]} == {"fee_ok", "bb_dispatch_wrong"}
    assert report["metrics"]["intent_accuracy"]["value"] == 0.5
    assert report["target_failures"]
    failed = next(c for c in report["cases"] if c["id"] == "bb_dispatch_wrong")
    assert {"intent", "actions", "disposition", "grounded"} <= set(failed["failed"])


def test_markdown_has_summary_with_targets_per_intent_table_and_failures(tmp_path: Path) -> None:
    md = write_reports(_run(tmp_path))["md"].read_text(encoding="utf-8")
    assert "| intent_accuracy | 主意图准确率（通话结束时 top-1） | 50.0% | 2 | >= 95.0% | 未达标 |" in md
    assert "## 分意图" in md and "宽带故障投诉 (broadband_fault)" in md
    assert "### bb_dispatch_wrong — 光猫假死却派了单" in md
    assert "### fee_ok" not in md
    assert "11月30日" in md  # the ungrounded date, with its reply


def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    html = write_reports(_run(tmp_path))["html"].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.IGNORECASE)
    assert "<link" not in html and "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("data:image/png;base64,") == 3  # metrics, confusion matrix, latency


def test_html_has_confusion_matrix_and_every_failure(tmp_path: Path) -> None:
    html = write_reports(_run(tmp_path))["html"].read_text(encoding="utf-8")
    matrix = html[html.index('<table id="confusion">'):]
    matrix = matrix[:matrix.index("</table>")]
    assert "宽带故障投诉 (broadband_fault)" in matrix and "流量费争议 (data_fee_dispute)" in matrix
    assert 'title="mobile_data_fault"' in matrix
    failure = html[html.index('id="case-bb_dispatch_wrong"'):]
    assert "remote_onu_reboot" in failure  # expected
    assert "create_repair_ticket" in failure  # suggested
    assert "好的，我帮您报修" in failure  # transcript
    assert 'id="case-fee_ok"' not in html


def test_reports_add_no_personal_data(tmp_path: Path) -> None:
    paths = write_reports(_run(tmp_path))
    for path in paths.values():
        assert PHONE not in path.read_text(encoding="utf-8")
    assert to_json(paths["json"])["leaks"] == []


def test_a_stored_leak_is_reported_in_the_reports_too(tmp_path: Path) -> None:
    paths = write_reports(_run(tmp_path, leak=True))
    leaks = to_json(paths["json"])["leaks"]
    assert {leak["file"] for leak in leaks} >= {"results.jsonl", "report.html", "report.md"}
    assert all(leak["pii"] == "139******01" for leak in leaks)


def test_charts_render_without_a_cjk_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts_module, "cjk_font", lambda: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        html = write_reports(_run(tmp_path))["html"].read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 3


def test_empty_run_still_reports(tmp_path: Path) -> None:
    paths = write_reports(write_run(tmp_path / "run", []))
    assert "没有可评分的用例结果" in paths["md"].read_text(encoding="utf-8")
    assert "data:image/png" not in paths["html"].read_text(encoding="utf-8")
