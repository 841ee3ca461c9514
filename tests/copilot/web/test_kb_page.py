"""The knowledge manager's page in a real browser: upload, diff, apply, status and search; a bad bulletin."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from knowledge.bulletins import write_bulletin
from knowledge.schema import Retirement
from tests.copilot.web.conftest import Served, own_settings, serve
from tests.knowledge.test_ingest import bulletin


@pytest.fixture
def own_kb(sim_path: Path, kb_dir: Path, tmp_path: Path, trained: Path) -> Iterator[Served]:
    """An app over a private copy of the knowledge base (this test changes it)."""
    kb = tmp_path / "kb"
    shutil.copytree(kb_dir, kb)
    yield from serve(own_settings(sim_path, kb, tmp_path))


def test_upload_diff_apply_then_search(own_kb: Served, page: Page, tmp_path: Path) -> None:
    doc = tmp_path / "宽带复通公告.docx"
    write_bulletin(bulletin(), doc)
    page.goto(f"{own_kb.url}/kb")
    status = page.locator("#status")
    expect(status).to_have_attribute("data-index", "v0001")

    page.locator("#bulletin-files").set_input_files(str(doc))
    page.locator("#plan-btn").click()
    summary = page.locator("#plan-summary")
    for key, text in (("point_new", "新增知识点 1"), ("point_changed", "变更知识点 1"),
                      ("point_retired", "下线知识点 1"), ("script_new", "新应急口径 1")):
        expect(summary.locator(f'[data-key="{key}"]')).to_have_text(text)
    expect(page.locator('#plan tr[data-id="KP-KD-00002"]')).to_contain_text("变更")
    expect(page.locator('#plan tr[data-id="KP-XH-00001"]')).to_contain_text("下线")
    expect(status).to_have_attribute("data-index", "v0001")  # a dry run applies nothing

    page.locator("#apply-btn").click()
    expect(page.locator("#applied")).to_contain_text("已入库")
    expect(status).to_have_attribute("data-index", "v0002")
    # found by a knowledge manager: the heading still said 试运行, and the last change was raw JSON
    expect(page.locator("#plan-heading")).to_have_text("已入库的变更")
    change = page.locator("#last-change")
    expect(change).to_contain_text("最近变更：导入 宽带复通公告.docx（")
    expect(change).to_contain_text("新增知识点 1")
    expect(change).not_to_contain_text("{")
    expect(change).not_to_contain_text("无变化")

    page.locator("#q").fill("复通后请重启光猫")
    page.locator("#region").fill("江西省南昌市")
    page.locator("#at").fill("2026-11-23T10:00:00")
    page.locator("#mode").select_option("bm25")
    page.locator("#search-form button[type=submit]").click()
    first = page.locator("#results li.hit").first
    expect(first).to_have_attribute("data-doc", "KP-KD-00002")
    first.locator("button.src").click()
    expect(page.locator('#results .doc[data-doc="KP-KD-00002"]')).to_contain_text("第2版")


def test_a_bad_bulletin_shows_reasons_per_record_and_applies_nothing(server: Served, page: Page,
                                                                      tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    write_bulletin(bulletin(), good)
    bad = tmp_path / "bad.md"
    bad.write_text(good.read_text(encoding="utf-8").replace("生效日期：2026-11-22", "生效日期：2026-13-45", 1),
                   encoding="utf-8")
    page.goto(f"{server.url}/kb")
    expect(page.locator("#status")).to_have_attribute("data-index", "v0001")
    page.locator("#bulletin-files").set_input_files([str(good), str(bad)])
    page.locator("#plan-btn").click()
    problems = page.locator("#plan .problems")
    expect(problems).to_be_visible()
    expect(problems.locator("h3")).to_have_text(["bad.md"])
    expect(problems.locator("li").first).to_contain_text("2026-13-45")
    expect(problems).to_contain_text("全部未应用")
    assert page.locator("#apply-btn").count() == 0
    assert server.http.get("/v1/kb/status").json()["index"] == "v0001"


def test_an_index_cut_with_another_lexicon_tells_the_knowledge_manager(own_kb: Served, page: Page,
                                                                       tmp_path: Path) -> None:
    page.goto(f"{own_kb.url}/kb")
    expect(page.locator("#status")).to_have_attribute("data-index", "v0001")
    expect(page.locator("#lexicon-changed")).to_have_count(0)
    manifest = tmp_path / "kb" / "index" / "v0001" / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"lexicon"', '"lexicon_before"'),
                        encoding="utf-8")  # as an index built before the lexicon was last edited
    page.locator("#status-refresh").click()
    expect(page.locator("#lexicon-changed")).to_contain_text("hotline kb rebuild")


def test_an_upload_that_retires_a_playbooks_know_how_says_which_call_types_lose_it(own_kb: Served, page: Page,
                                                                                    tmp_path: Path) -> None:
    doc = tmp_path / "下线公告.md"
    write_bulletin(bulletin().model_copy(update={"retirements": [
        Retirement(id="KP-KD-00001", effective_to=date(2026, 11, 30), reason="流程调整")]}), doc)
    page.goto(f"{own_kb.url}/kb")
    page.locator("#bulletin-files").set_input_files(str(doc))
    page.locator("#plan-btn").click()
    expect(page.locator("#guides-losing")).to_contain_text("broadband_fault「宽带光猫LOS红灯排查步骤」→ KP-KD-00001")
    expect(page.locator("#apply-btn")).to_be_enabled()  # a warning, not a refusal
