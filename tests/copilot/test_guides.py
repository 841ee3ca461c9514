"""Guided knowledge: a playbook's searches, answered once for every caller who is shown the same points."""

from __future__ import annotations

from typing import Any

from copilot.guides import GuidedKnowledge
from knowledge.search import Searcher
from tests.knowledge.conftest import NOW


class CountingSearcher:
    """The searcher, counting the searches it runs."""

    def __init__(self, inner: Searcher) -> None:
        self.inner = inner
        self.searches = 0

    def search(self, *args: Any, **kwargs: Any) -> Any:
        self.searches += 1
        return self.inner.search(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_callers_shown_the_same_points_share_one_search(searcher: Searcher) -> None:
    guides, counting = GuidedKnowledge(), CountingSearcher(searcher)
    query = ["手机无法上网的排查步骤"]
    jiujiang = guides.card(counting, query, ["江西省", "九江市", "浔阳区"], NOW)  # type: ignore[arg-type]
    ganzhou = guides.card(counting, query, ["江西省", "赣州市", "章贡区"], NOW)  # type: ignore[arg-type]
    assert counting.searches == 1, "no point is written for 九江 or 赣州: one search serves both"
    assert [e["id"] for e in jiujiang] == [e["id"] for e in ganzhou] == ["KP-GPRS-00002"]
    guides.card(counting, query, ["广东省", "广州市", "番禺区"], NOW)  # type: ignore[arg-type]
    assert counting.searches == 2, "another province sees other points"


def test_a_city_with_its_own_points_is_searched_for_itself(searcher: Searcher) -> None:
    guides, counting = GuidedKnowledge(), CountingSearcher(searcher)
    query = ["南昌手机上网自助开通"]
    jiujiang = guides.card(counting, query, ["江西省", "九江市", None], NOW)  # type: ignore[arg-type]
    nanchang = guides.card(counting, query, ["江西省", "南昌市", "东湖区"], NOW)  # type: ignore[arg-type]
    again = guides.card(counting, query, ["江西省", "南昌市", "西湖区"], NOW)  # type: ignore[arg-type]
    assert counting.searches == 2, "the district is not a scope of points"
    assert nanchang[0]["id"] == again[0]["id"] == "KP-GPRS-00009"
    assert jiujiang[0]["id"] != "KP-GPRS-00009", "南昌's point is not shown in 九江"
