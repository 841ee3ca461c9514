"""Building, searching, updating and switching index versions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import numpy as np
import pytest

from knowledge.bench import CountingEmbedder
from knowledge.search import Searcher
from knowledge.store import IndexStore, KnowledgeIndexError
from tests.knowledge.conftest import NOW, point, small_corpus

Make = Callable[..., tuple[IndexStore, CountingEmbedder]]


def ids(searcher: Searcher, query: str, region: tuple[str | None, str | None], at: datetime = NOW,
        **kw: object) -> list[str]:
    return [h.id for h in searcher.search(query, province=region[0], city=region[1], at=at, **kw)]  # type: ignore[arg-type]


def test_region_filter_never_shows_another_provinces_variant(make_store: Make) -> None:
    store, _ = make_store()
    store.build(small_corpus(), note="t")
    s = store.open()
    nanchang = ids(s, "手机上不了网怎么办", ("江西省", "南昌市"), kinds=("point",))
    assert "KP-GPRS-00002" in nanchang and "KP-GPRS-00009" in nanchang
    assert "KP-GPRS-00003" not in nanchang
    assert "KP-GPRS-00001" not in nanchang, "the 江西省 variant supersedes the nationwide rule"
    guangzhou = ids(s, "手机上不了网怎么办", ("广东省", "广州市"), kinds=("point",))
    assert "KP-GPRS-00003" in guangzhou and "KP-GPRS-00002" not in guangzhou and "KP-GPRS-00009" not in guangzhou
    beijing = ids(s, "手机上不了网怎么办", ("北京市", "北京市"), kinds=("point",))
    assert beijing[0] == "KP-GPRS-00001"


def test_date_filter_hides_expired_and_future_points(make_store: Make) -> None:
    store, _ = make_store()
    store.build(small_corpus(), note="t")
    s = store.open()
    assert "KP-YX-00001" not in ids(s, "流量月包半价活动", ("江西省", "南昌市"))
    assert "KP-YX-00001" in ids(s, "流量月包半价活动", ("江西省", "南昌市"), at=datetime(2026, 11, 5, 9))
    assert "KP-YX-00002" not in ids(s, "元旦流量礼包", ("江西省", "南昌市"))
    assert "KP-YX-00002" in ids(s, "元旦流量礼包", ("江西省", "南昌市"), at=datetime(2027, 1, 1, 0, 0, 1))
    assert "ES-20261120-001" not in ids(s, "冒充客服退费诈骗", ("江西省", "南昌市"))


def test_a_window_opens_and_closes_on_the_second_whatever_was_asked_before(make_store: Make) -> None:
    store, _ = make_store()
    store.build(small_corpus(), note="t")
    s = store.open()

    def shown(at: datetime) -> bool:
        return "ES-20261123-001" in [r.id for r in s.active_scripts("江西省", "南昌市", at)]

    opens, closes = datetime(2026, 11, 23, 8, 50), datetime(2026, 11, 23, 14, 0)
    moments = [opens.replace(minute=49, second=59), opens, closes, closes.replace(second=1), opens]
    assert [shown(m) for m in moments] == [False, True, True, False, True]
    with pytest.raises(ValueError, match="read-only"):
        s.mask("江西省", "南昌市", opens)[0] = True  # one mask serves many searches: none may change it


def test_outage_script_for_the_callers_district_ranks_first(make_store: Make) -> None:
    store, _ = make_store()
    store.build(small_corpus(), note="t")
    s = store.open()
    hits = s.search("我手机怎么上不了网", province="江西省", city="南昌市", district="西湖区", at=NOW)
    assert hits[0].id == "ES-20261123-001" and hits[0].why["pinned"]
    elsewhere = s.search("我手机怎么上不了网", province="江西省", city="南昌市", district="东湖区", at=NOW)
    assert elsewhere[0].id != "ES-20261123-001"
    assert [r.id for r in s.active_scripts("江西省", "南昌市", NOW, "西湖区")] == ["ES-20261123-001"]
    assert not any(h.id == "ES-20261123-002" for h in hits)


def test_hits_explain_why_and_modes_differ(make_store: Make) -> None:
    store, _ = make_store()
    store.build(small_corpus(), note="t")
    s = store.open()
    hit = s.search("光毛红灯一直闪", province="江西省", city="南昌市", at=NOW, k=3)[0]
    assert hit.id == "KP-KD-00001"
    assert "光猫" in hit.why["matched_terms"] and hit.why["bm25_rank"] == 1
    assert ids(s, "158的套餐多少流量", ("江西省", "南昌市"), mode="bm25")[0] == "KP-QQT-00158"
    assert ids(s, "携号转网要什么条件", ("江西省", "南昌市"), mode="dense")[0] == "KP-XH-00001"


def test_the_dense_scan_scores_exactly_the_rows_a_caller_may_see(make_store: Make) -> None:
    store, _ = make_store()
    store.build(small_corpus(), note="t")
    s, info = store.open(), store.current()
    assert info is not None
    with store.vectors(info.name, info.path) as stored:
        keys, matrix = stored.all()[:2]
    vector_of = dict(zip(keys, matrix, strict=True))
    query = "手机上不了网怎么办"
    qv = s.embedder.embed_query(s.lexical.tokenizer.normalize(query))
    for province, city in (("江西省", "南昌市"), ("江西省", "九江市"), ("广东省", "广州市"), (None, None)):
        for kinds in (("point", "script"), ("point",), ("script",)):
            allowed = np.flatnonzero(s.mask(province, city, NOW, kinds))
            expected = sorted(((float(vector_of[s.rows[i].key] @ qv), s.rows[i].id) for i in allowed), reverse=True)
            hits = s.search(query, province=province, city=city, at=NOW, kinds=kinds, k=50, mode="dense",
                            heard=False)
            assert [h.id for h in hits] == [i for _, i in expected], (province, city, kinds)
            assert [h.why["cosine"] for h in hits] == pytest.approx([c for c, _ in expected], abs=1e-3)


def test_a_scope_is_the_regions_holding_what_a_caller_may_see(make_store: Make) -> None:
    store, _ = make_store()
    store.build(small_corpus(), note="t")
    s = store.open()
    assert s.scope("江西省", "南昌市", ("point",)) == ("全国", "江西省", "江西省南昌市")
    assert s.scope("江西省", "九江市", ("point",)) == ("全国", "江西省"), "no point is written for 九江"
    assert s.scope("广东省", "广州市", ("script",)) == ("全国", "广东省广州市")
    assert s.scope("北京市", "北京市") == ("全国",)
    assert ids(s, "手机上不了网", ("江西省", "九江市"), kinds=("point",)) \
        == ids(s, "手机上不了网", ("江西省", None), kinds=("point",))


def test_incremental_apply_replaces_in_every_index_and_embeds_only_changes(make_store: Make) -> None:
    store, counting = make_store()
    first = store.build(small_corpus(), note="t")
    phrases = len(store.open().reranker.phrases)  # title aspects and business names, once each (second stage)
    assert counting.embedded == len(small_corpus()) + phrases
    changed = point("KP-KD-00002", "宽带账号欠费停机的处理", "宽带欠费停机后，缴费成功约10分钟内自动复通，复通后请重启光猫。",
                    business="家庭宽带", version=2)
    retired = point("KP-XH-00001", "携号转网办理条件", small_corpus()[10].body, business="携号转网",  # type: ignore[union-attr]
                    category="办理条件", end=date(2026, 11, 22))
    before = counting.embedded
    second = store.apply([changed, retired], reembed={"KP-KD-00002"}, note="bulletin")
    assert counting.embedded - before == 1, "a retirement keeps its vector"
    assert second.name != first.name and store.current().name == second.name  # type: ignore[union-attr]
    s = store.open()
    assert s.get("KP-KD-00002").version == 2  # type: ignore[union-attr]
    assert ids(s, "复通后重启光猫", ("江西省", "南昌市"), mode="bm25")[0] == "KP-KD-00002"
    assert ids(s, "Radius认证拒绝", ("江西省", "南昌市"), mode="bm25", kinds=("point",))[:1] != ["KP-KD-00002"]
    assert "KP-XH-00001" not in ids(s, "携号转网授权码", ("江西省", "南昌市"))


def test_failed_validation_leaves_the_serving_version(make_store: Make) -> None:
    store, _ = make_store()
    good = store.build(small_corpus(), note="t")
    with pytest.raises(KnowledgeIndexError, match="校验失败"):
        store.build(small_corpus()[:3], note="bad", validate=lambda s: ["golden query failed"])
    assert store.current().name == good.name  # type: ignore[union-attr]
    assert len(store.open().rows) == len(small_corpus())
    store.build(small_corpus(), note="again")
    assert not any(not (p / "manifest.json").exists() for p in store.root.glob("v*")), "unfinished versions removed"


def test_open_without_index_says_what_to_do(make_store: Make) -> None:
    store, _ = make_store()
    with pytest.raises(KnowledgeIndexError, match="hotline kb rebuild"):
        store.open()
