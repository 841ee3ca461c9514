"""Guided knowledge: the searches a playbook names, merged into the knowledge card ahead of the caller's words.

A caller's last words are often thin ("好的，麻烦快点") or beside the point ("我一个十八块的套餐"); what the agent
needs is the handling procedure of the call type (流量费争议投诉处理流程) and the know-how of what the systems
found (宽带光猫LOS红灯排查步骤). Playbooks name those as searches (`knowledge:` on the playbook and on its
rules), so a knowledge manager can point a call type or a finding at the right knowledge without code. Each
search contributes its best point for the caller's region and day; the caller's own words fill the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from copilot.compose import knowledge_card
from copilot.playbooks.schema import Playbook
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


def guided_card(searcher: Searcher, queries: list[str], region: list[str | None] | None,
                at: datetime) -> list[dict[str, Any]]:
    """The best knowledge point of each search, for the caller's region and day (no point: nothing)."""
    province, city, district = region or (None, None, None)
    card = []
    for query in queries:
        hits = searcher.search(query, province=province, city=city, district=district, at=at,
                               kinds=("point",), k=1)
        for entry in knowledge_card(searcher, hits):
            card.append(entry | {"why": {**entry["why"], "guide": query}})
    return card


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
