"""A change announced for a later day: today's callers keep today's answer until the day it takes effect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest

from knowledge.bench import CountingEmbedder
from knowledge.bulletins import write_bulletin
from knowledge.catalog import Row
from knowledge.manager import KnowledgeManager
from knowledge.schema import Bulletin, KnowledgePoint
from knowledge.search import Searcher
from knowledge.store import IndexStore
from tests.knowledge.conftest import NOW, point, small_corpus

Make = Callable[..., tuple[IndexStore, CountingEmbedder]]
DECEMBER = datetime(2026, 12, 1, 9, 0)
NANCHANG = {"province": "江西省", "city": "南昌市"}


def tier_128(body: str, start: date, version: int = 2, number: str = "赣移客〔2026〕301号") -> KnowledgePoint:
    return point("KP-QQT-00128", "全球通畅享套餐128元档资费", body, business="全球通畅享套餐", category="资费",
                 start=start, version=version).model_copy(update={"source": number})


def announce(tmp_path: Path, *upserts: KnowledgePoint, number: str = "赣移客〔2026〕301号",
             published: date = date(2026, 11, 23)) -> Path:
    path = tmp_path / f"{number[-5:-1]}.md"
    write_bulletin(Bulletin(bulletin_id=number, title="关于套餐资费调整的公告", published=published,
                            upserts=list(upserts)), path)
    return path


def body_of(row: Row | None) -> str:
    assert row is not None
    doc = row.doc()
    assert isinstance(doc, KnowledgePoint)
    return doc.body


def body_at(s: Searcher, doc_id: str, at: datetime) -> str:
    return body_of(s.get(doc_id, at=at))


def found(s: Searcher, query: str, at: datetime, **region: str | None) -> list[str]:
    return [h.id for h in s.search(query, province=region.get("province"), city=region.get("city"), at=at)]


@pytest.fixture
def built(make_store: Make) -> tuple[KnowledgeManager, CountingEmbedder]:
    store, counting = make_store()
    store.build(small_corpus(), note="t")
    return KnowledgeManager(store, clock=lambda: NOW), counting


@pytest.fixture
def km(built: tuple[KnowledgeManager, CountingEmbedder]) -> KnowledgeManager:
    return built[0]


def test_a_change_from_next_month_leaves_todays_version_answering_until_then(
        built: tuple[KnowledgeManager, CountingEmbedder], tmp_path: Path) -> None:
    km, counting = built
    path = announce(tmp_path, tier_128("月费128元，含国内通用流量40GB、国内主叫500分钟，套餐外流量0.29元/MB。",
                                       date(2026, 12, 1)))
    plan = km.plan([path])
    [change] = plan.effective
    assert change.action == "changed" and "2026-12-01 起生效，此前仍按版本 1" in change.detail
    before = counting.embedded
    km.ingest([path])
    assert counting.embedded - before == 1, "only the new text is embedded; today's version keeps its vector"
    s = km.store.open()
    assert found(s, "全球通128元档资费", NOW)[0] == "KP-QQT-00128", "today's answer is still found today"
    hit = s.search("全球通128元档资费", province=None, city=None, at=NOW)[0]
    assert "30GB" in body_of(s.row(hit)), "the card shows today's text"
    assert s.changes_from(s.row(hit)) == "2026-12-01"
    assert s.changes_from(s.row(s.search("全球通128元档资费", province=None, city=None, at=DECEMBER)[0])) is None
    assert "30GB" in body_at(s, "KP-QQT-00128", NOW) and "40GB" in body_at(s, "KP-QQT-00128", DECEMBER)
    assert found(s, "全球通128元档资费", DECEMBER).count("KP-QQT-00128") == 1, "one version at a time"
    assert [(v.version, v.end_ts) for v in s.versions("KP-QQT-00128")] == [(1, "2026-11-30T23:59:59"), (2, None)]
    status = km.status()["counts"]
    assert status["point"] == len([d for d in small_corpus() if isinstance(d, KnowledgePoint)])
    assert status["point_earlier_versions"] == 1

    version = km.store.current()
    again, none = km.ingest([path])
    assert none is None and not again.effective and km.store.current() == version, "the same bulletin twice"
    km.rebuild()
    assert "30GB" in body_at(km.store.open(), "KP-QQT-00128", NOW), "a rebuild keeps the version in force today"


def test_a_scheduled_nationwide_change_stays_hidden_behind_the_province_variant(km: KnowledgeManager,
                                                                                tmp_path: Path) -> None:
    nationwide = point("KP-GPRS-00001", "手机无法上网的排查步骤", "手机上不了网时，先确认号码状态与数据功能，再检查APN，"
                       "新版本增加了VoLTE开关的检查。", start=date(2026, 12, 1), version=2)
    km.ingest([announce(tmp_path, nationwide.model_copy(update={"source": "赣移客〔2026〕301号"}))])
    s = km.store.open()
    for at in (NOW, DECEMBER):
        hits = found(s, "手机无法上网的排查步骤", at, **NANCHANG)
        assert "KP-GPRS-00002" in hits and "KP-GPRS-00001" not in hits, at
        assert "KP-GPRS-00001" in found(s, "手机无法上网的排查步骤", at, province="广西壮族自治区"), at


def test_a_correction_moves_the_change_and_an_ended_version_is_dropped(make_store: Make, tmp_path: Path) -> None:
    store, _ = make_store()
    store.build(small_corpus(), note="t")
    clock = {"now": NOW}
    km = KnowledgeManager(store, clock=lambda: clock["now"])
    km.ingest([announce(tmp_path, tier_128("月费128元，含国内通用流量40GB、国内主叫500分钟。", date(2026, 12, 1)))])
    corrected = tier_128("月费128元，含国内通用流量40GB、国内主叫600分钟。", date(2026, 11, 25), version=3,
                         number="赣移客〔2026〕302号")
    km.ingest([announce(tmp_path, corrected, number="赣移客〔2026〕302号")])
    s = km.store.open()
    assert [(v.version, v.start_ts[:10], (v.end_ts or "")[:10]) for v in s.versions("KP-QQT-00128")] == \
        [(1, "2025-01-01", "2026-11-24"), (3, "2026-11-25", "")], "v2 never took effect: it is gone"
    assert "30GB" in body_at(s, "KP-QQT-00128", NOW) and "600分钟" in body_at(s, "KP-QQT-00128", DECEMBER)

    clock["now"] = datetime(2026, 11, 26, 9, 0)  # the next ingest, once version 1's last day has passed
    km.ingest([announce(tmp_path, point("KP-5G-00001", "5G消息业务介绍", "5G消息支持图文和卡片，按条收费0.1元/条。",
                                        business="5G消息", category="业务介绍", start=date(2026, 11, 26))
                        .model_copy(update={"source": "赣移客〔2026〕303号"}), number="赣移客〔2026〕303号")])
    s = km.store.open()
    assert [v.version for v in s.versions("KP-QQT-00128")] == [3]
    assert "point_earlier_versions" not in km.status()["counts"]
    assert [r.row for r in s.rows] == list(range(len(s.rows))), "rows stay numbered 0..n-1 after a removal"
    assert found(s, "全球通128元档资费", DECEMBER)[0] == "KP-QQT-00128"


def test_two_bulletins_in_one_ingest_each_answer_their_own_days(km: KnowledgeManager, tmp_path: Path) -> None:
    now = tier_128("月费128元，含国内通用流量35GB、国内主叫500分钟。", date(2026, 11, 22), number="赣移客〔2026〕310号")
    later = tier_128("月费128元，含国内通用流量40GB、国内主叫500分钟。", date(2026, 12, 1), version=3,
                     number="赣移客〔2026〕311号")
    first = announce(tmp_path, now, number="赣移客〔2026〕310号", published=date(2026, 11, 20))
    second = announce(tmp_path, later, number="赣移客〔2026〕311号", published=date(2026, 11, 23))
    plan, _ = km.ingest([second, first])
    [change] = plan.effective
    assert change.action == "changed" and "2026-11-22 起按版本 2" in change.detail, "one change, naming both"
    s = km.store.open()
    assert "35GB" in body_at(s, "KP-QQT-00128", NOW), "the change already in force answers today"
    assert "40GB" in body_at(s, "KP-QQT-00128", DECEMBER)
    assert [(v.version, (v.end_ts or "")[:10]) for v in s.versions("KP-QQT-00128")] == [(2, "2026-11-30"), (3, "")], \
        "version 1 ended on 2026-11-21, before today: not kept"
