"""`hotline kb ...` as a knowledge manager runs it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from knowledge.bulletins import write_bulletin
from knowledge.schema import Retirement
from tests.knowledge.test_ingest import bulletin
from tests.knowledge.test_manager import write_corpus

runner = CliRunner()
AT = "2026-11-23T10:00:00"


@pytest.fixture
def kb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sim_path: Path) -> Path:
    monkeypatch.setenv("HOTLINE_KB_DIR", str(tmp_path / "kb"))
    monkeypatch.setenv("HOTLINE_SIM_DB", str(sim_path))  # the playbooks' guides are checked over its tools
    write_corpus(tmp_path / "kb" / "corpus")
    result = runner.invoke(app, ["kb", "rebuild"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["counts"] == {"point": 12, "script": 3}
    return tmp_path


def test_search_json_explains_hits(kb: Path) -> None:
    result = runner.invoke(app, ["kb", "search", "光毛红灯一直闪", "--region", "江西省南昌市", "--at", AT, "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    top = body["hits"][0]
    assert top["id"] == "KP-KD-00001" and top["why"]["bm25_rank"] == 1 and "光猫" in top["why"]["matched_terms"]
    assert body["index"].startswith("v")


def test_search_respects_the_callers_district_and_kind(kb: Path) -> None:
    result = runner.invoke(app, ["kb", "search", "我手机怎么上不了网", "--region", "江西省南昌市", "--district", "西湖区",
                                 "--at", AT, "--kind", "script", "--json"])
    hits = json.loads(result.output)["hits"]
    assert [h["id"] for h in hits] == ["ES-20261123-001"] and hits[0]["why"]["pinned"]


def test_status_json(kb: Path) -> None:
    result = runner.invoke(app, ["kb", "status", "--json"])
    status = json.loads(result.output)
    assert status["counts"]["point"] == 12 and status["embedding_model"].startswith("use-m3")


def test_ingest_dry_run_then_apply_then_noop(kb: Path) -> None:
    path = kb / "bulletin.docx"
    write_bulletin(bulletin(), path)
    dry = runner.invoke(app, ["kb", "ingest", str(path), "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["summary"]["point_new"] == 1
    assert all(g["id"] == "KP-XH-00001" for g in json.loads(dry.output)["guides_losing"])
    applied = runner.invoke(app, ["kb", "ingest", str(path)])
    assert applied.exit_code == 0, applied.output
    assert json.loads(applied.output.strip().splitlines()[-1])["applied"] is True
    again = runner.invoke(app, ["kb", "ingest", str(path)])
    assert json.loads(again.output.strip().splitlines()[-1])["applied"] is False


def test_bad_input_is_named(kb: Path) -> None:
    bad_region = runner.invoke(app, ["kb", "search", "宽带", "--region", "火星"])
    assert bad_region.exit_code == 2 and "适用地区格式不正确" in bad_region.output
    corrupt = kb / "broken.pdf"
    corrupt.write_bytes(b"%PDF-1.4 not really")
    result = runner.invoke(app, ["kb", "ingest", str(corrupt)])
    assert result.exit_code == 1 and "broken.pdf" in result.output and "未应用" in result.output


def test_search_without_an_index_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_KB_DIR", str(tmp_path / "empty"))
    result = runner.invoke(app, ["kb", "search", "宽带", "--at", AT])
    assert result.exit_code == 2 and "hotline kb rebuild" in result.output


def test_rebuild_without_a_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_KB_DIR", str(tmp_path / "none"))
    result = runner.invoke(app, ["kb", "rebuild"])
    assert result.exit_code == 2 and "hotline kb generate" in result.output


def test_generate_ties_scripts_to_the_simulators_outages(tmp_path: Path, sim_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_SIM_DB", str(sim_path))
    out = tmp_path / "corpus"
    result = runner.invoke(app, ["kb", "generate", "--out", str(out), "--as-of", "2026-11-20"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["points"] >= 10_000 and summary["businesses"] >= 300 and summary["outages"] > 0
    outage_ids = {json.loads(line).get("outage_id") for line in (out / "scripts.jsonl").read_text().splitlines()}
    assert any(o and o.startswith(("NC-", "GZ-", "SH-", "SZ-", "HZ-", "NJ-", "WH-", "CD-")) for o in outage_ids)


def test_rebuild_if_lexicon_changed_rebuilds_only_an_index_cut_with_another_lexicon(kb: Path) -> None:
    def rebuild_if_changed() -> dict[str, object]:
        result = runner.invoke(app, ["kb", "rebuild", "--if-lexicon-changed"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output.strip().splitlines()[-1])  # type: ignore[no-any-return]

    serving = kb / "kb" / "index" / (kb / "kb" / "index" / "CURRENT").read_text().strip()
    assert rebuild_if_changed()["rebuilt"] is False
    manifest = json.loads((serving / "manifest.json").read_text(encoding="utf-8"))
    del manifest["lexicon"]  # as an index built before lexicons were recorded
    (serving / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    status = json.loads(runner.invoke(app, ["kb", "status", "--json"]).output)
    assert status["lexicon_changed"] is True
    rebuilt = rebuild_if_changed()
    assert rebuilt["version"] != serving.name and rebuilt["note"] == "rebuild from serving index"
    assert json.loads(runner.invoke(app, ["kb", "status", "--json"]).output)["lexicon_changed"] is False


def test_ingest_names_the_guides_that_lose_their_know_how(kb: Path) -> None:
    path = kb / "retire.md"
    write_bulletin(bulletin().model_copy(update={"retirements": [
        Retirement(id="KP-KD-00001", effective_to=date(2026, 11, 30), reason="流程调整")]}), path)
    dry = runner.invoke(app, ["kb", "ingest", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "剧本指引" in dry.output and "宽带光猫LOS红灯排查步骤" in dry.output and "KP-KD-00001" in dry.output
