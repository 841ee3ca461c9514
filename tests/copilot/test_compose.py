"""The knowledge card shows the version in force, and says when an announced change takes over."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from copilot.compose import compose_reply, knowledge_card
from knowledge.embedding import UseM3Embedder
from knowledge.lexical import Tokenizer, load_lexicon
from knowledge.schema import KnowledgePoint
from knowledge.store import IndexStore
from tests.knowledge.conftest import NOW, point, small_corpus


def test_the_card_reads_todays_version_and_names_the_day_the_next_one_starts(tmp_path: Path) -> None:
    docs = [d for d in small_corpus() if d.id != "KP-QQT-00128"]
    today = point("KP-QQT-00128", "全球通畅享套餐128元档资费", "月费128元，含国内通用流量30GB、国内主叫500分钟。",
                  business="全球通畅享套餐", category="资费", end=date(2026, 11, 30))
    december = today.model_copy(update={"body": "月费128元，含国内通用流量40GB、国内主叫500分钟。", "version": 2,
                                        "effective_from": date(2026, 12, 1), "effective_to": None})
    store = IndexStore(tmp_path / "index", UseM3Embedder, lambda: Tokenizer(load_lexicon()))
    store.build([*docs, today, december], note="two versions")
    searcher = store.open()

    def card(at: datetime) -> dict[str, object]:
        hits = searcher.search("全球通128元档资费", province="江西省", city="南昌市", at=at, kinds=("point",), k=3)
        return next(c for c in knowledge_card(searcher, hits) if c["id"] == "KP-QQT-00128")

    now = card(NOW)
    assert "30GB" in str(now["snippet"]) and now["changes_from"] == "2026-12-01"
    later = card(datetime(2026, 12, 2, 9, 0))
    assert "40GB" in str(later["snippet"]) and "changes_from" not in later
    assert isinstance(searcher.get("KP-QQT-00128", at=NOW).doc(), KnowledgePoint)  # type: ignore[union-attr]


def test_a_field_two_findings_rest_on_is_cited_once() -> None:
    evidence = ["boss_get_bill: 2026-10 套餐外流量费 = 480.0元 (BOSS)"]
    diagnosis = {"reply": "您好", "findings": [{"text": "a", "evidence": evidence}, {"text": "b", "evidence": evidence}]}
    assert compose_reply("data_fee_dispute", diagnosis, [], [])["reply_sources"] == evidence


def test_a_script_no_outage_notice_backs_does_not_override_a_fault_found_on_the_line() -> None:
    """Reviewed: a knowledge manager's district script read to a caller whose fibre is cut told them not to report
    it; the line's own fault comes first, a tied script (its outage checked by the playbook) still reads."""
    untied = {"id": "ES-20261120-201", "wording": "您好，您所在区域宽带故障正在抢修，无需报修。", "services": ["broadband"],
              "outage_id": None}
    los = {"reply": "您好，需要派师傅上门。", "disposition": "dispatch", "findings": [
        {"rule": "fibre_cut_los", "severity": "red", "text": "LOS", "evidence": ["pon_get_line_status: 当前告警 = LOS"]}],
        "actions": [{"action": "create_repair_ticket", "label": "派发报修工单", "params": {}}]}
    kept = compose_reply("broadband_fault", los, [], [untied])
    assert kept["reply"] == los["reply"] and kept["actions"][0]["action"] == "create_repair_ticket"
    healthy = {"reply": "您好，线路正常。", "disposition": "intercept", "findings": [
        {"rule": "line_healthy", "severity": "green", "text": "正常", "evidence": ["pon_get_line_status: 光猫状态 = 在线"]}]}
    assert compose_reply("broadband_fault", healthy, [], [untied])["reply"] == untied["wording"]
    tied = {**untied, "outage_id": "NC-20261120-001"}
    assert compose_reply("broadband_fault", los, [], [tied])["reply"] == tied["wording"]
