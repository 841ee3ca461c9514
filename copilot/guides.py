"""Guided knowledge: the searches a playbook names, merged into the knowledge card ahead of the caller's words.

A caller's last words are often thin ("好的，麻烦快点") or beside the point ("我一个十八块的套餐"); what the agent
needs is the handling procedure of the call type (流量费争议投诉处理流程) and the know-how of what the systems
found (宽带光猫LOS红灯排查步骤). Playbooks name those as searches (`knowledge:` on the playbook and on its
rules), so a knowledge manager can point a call type or a finding at the right knowledge without code. Each
search contributes its best point for the caller's region and day; the caller's own words fill the rest.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from typing import Any

from copilot.compose import knowledge_card
from copilot.playbooks.schema import Playbook
from knowledge.schema import RegionScope
from knowledge.search import Searcher

GUIDE_SLOTS = 3
"""At most this many guided points head the card, so the caller's own words keep the rest."""
CARD_SIZE = 5


def guide_queries(playbook: Playbook | None, diagnosis: dict[str, Any] | None) -> list[str]:
    """The searches for the current intent: its findings' (when diagnosed for it), then the playbook's own."""
    if playbook is None:
        return []
    found = list((diagnosis or {}).get("knowledge_queries") or []) \
        if (diagnosis or {}).get("intent") == playbook.intent else []
    return list(dict.fromkeys([*found, *playbook.knowledge]))


class GuidedKnowledge:
    """The best point of each guided search, remembered per index version, scope and day.

    A guided search depends only on its words, the points in force where the caller is (`Searcher.scope`:
    the nation and the province, or the city where a point is written for one) and the day (points take
    effect by the day), not on the caller, so every call in one province asks the same few searches;
    remembering them keeps guidance off each turn's bill. The index version is part of the key: a re-ingest
    is seen at once.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._cache: OrderedDict[tuple[Any, ...], list[dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def card(self, searcher: Searcher, queries: list[str], region: list[str | None] | None,
             at: datetime) -> list[dict[str, Any]]:
        """The best knowledge point of each search, for the caller's region and day (no point: nothing)."""
        province, city = (region or (None, None))[:2]
        scope = searcher.scope(province, city, ("point",))  # the district matters to outage scripts alone
        card = []
        for query in queries:
            key = (searcher.version, query, scope, at.date())
            with self._lock:
                found = self._cache.get(key)
                if found is not None:
                    self._cache.move_to_end(key)
            if found is None:
                # a playbook's words are written, not heard: nothing in them is respelled by its sound
                hits = searcher.search(query, province=province, city=city, at=at, kinds=("point",), k=1,
                                       heard=False)
                found = [entry | {"why": {**entry["why"], "guide": query}} for entry in knowledge_card(searcher, hits)]
                with self._lock:
                    self._cache[key] = found
                    if len(self._cache) > self.size:
                        self._cache.popitem(last=False)
            card.extend(found)
        return card


def guides_losing(searcher: Searcher, playbooks: dict[str, Playbook], ids: set[str],
                  at: datetime) -> list[dict[str, str]]:
    """The playbooks' guided searches whose know-how today is one of `ids` (points a bulletin retires).

    Once such a point ends, its guide falls back to the best other point, which may be another business's (the
    hung-光猫 card led with LOS steps after 光猫远程重启排查步骤 ended): the knowledge manager retiring it is told
    which call types lose it, to publish a successor or edit the playbook. Searched for a nationwide caller and
    one in each province the index covers; searches written over a call's reads (``{vas.name}退订规则``) are
    not checked.

    Returns:
        One entry per (intent, guide): ``intent``, ``guide`` (the search), ``id`` and ``title`` of the point.
    """
    if not ids:
        return []
    regions = {r.region for r in searcher.rows}
    provinces = sorted({p for region in regions if (p := RegionScope.parse(region).province) is not None})
    named: dict[str, list[str]] = {}  # guide -> the intents whose playbooks name it (each searched once)
    for intent, book in sorted(playbooks.items()):
        for guide in [*book.knowledge, *(q for rule in book.rules for q in rule.knowledge)]:
            if "{" not in guide and intent not in named.setdefault(guide, []):
                named[guide].append(intent)
    out = []
    for guide, intents in named.items():
        for province in [None, *provinces]:
            hits = searcher.search(guide, province=province, city=None, at=at, kinds=("point",), k=1, heard=False)
            if hits and hits[0].id in ids:
                out += [{"intent": i, "guide": guide, "id": hits[0].id, "title": hits[0].title} for i in intents]
                break
    return sorted(out, key=lambda g: (g["intent"], g["guide"]))


def merge_cards(guided: list[dict[str, Any]], rest: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Guided points first (at most `GUIDE_SLOTS`), then the rest, each once, ranked anew."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for entry in [*guided[:GUIDE_SLOTS], *rest]:
        if entry["id"] in seen:
            continue
        seen.add(entry["id"])
        out.append(entry | {"rank": len(out) + 1})
    return out[:CARD_SIZE]
