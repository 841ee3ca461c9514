"""Marketing campaigns: each campaign type runs in some of three windows around the as-of date.

* the *past* run ended before as-of (its points are expired, but were in force during part of the month);
* the *current* run covers as-of;
* the *next* run starts after as-of (its points are not yet in force).

A run is one business (``存费送费活动（2026年11月档）``) with points nationwide and/or in several provinces and a
few cities; a province's gift amounts are the nationwide ones scaled by its ``gift_pct``.
"""

from __future__ import annotations

import random
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from knowledge.corpus.businesses import Business
from knowledge.corpus.phrasing import bank
from knowledge.corpus.regions import PILOT_PROVINCE, PROVINCES, SIM_GEOGRAPHY, region_text


@dataclass(frozen=True)
class Campaign:
    """A run of a campaign type: its business, window and regions."""

    business: Business
    type_key: str
    start: date
    end: date
    regions: tuple[str, ...]


def _first(d: date) -> date:
    return d.replace(day=1)


def _last(d: date) -> date:
    return d.replace(day=monthrange(d.year, d.month)[1])


def windows(as_of: date) -> dict[str, tuple[date, date]]:
    """The three windows: past (ended before as-of), current (covers it), next (starts after it)."""
    past = (_first(as_of - timedelta(days=80)), _last(as_of - timedelta(days=35)))
    current = (past[1] + timedelta(days=1), _last(as_of + timedelta(days=40)))  # right after past: no overlap
    nxt_start = _first(_last(as_of) + timedelta(days=1))
    return {"past": past, "current": current, "next": (nxt_start, _last(nxt_start + timedelta(days=45)))}


def cn_date(d: date) -> str:
    """2026年11月1日."""
    return f"{d.year}年{d.month}月{d.day}日"


def campaigns(seed: int, as_of: date) -> list[Campaign]:
    """Every campaign run, in a fixed order."""
    r = random.Random(f"{seed}|campaigns")
    wins = windows(as_of)
    out: list[Campaign] = []
    for spec in bank("kp_campaign")["types"]:
        periods = [p for p in ("past", "current", "next") if r.random() < 0.75] or ["current"]
        for period in periods:
            start, end = wins[period]
            name = f"{spec['name']}（{start.year}年{start.month}月档）"
            regions: list[str] = []
            if r.random() < 0.35:
                regions.append(region_text())
            provinces = r.sample(PROVINCES, r.randint(2, 6))
            if PILOT_PROVINCE not in provinces and r.random() < 0.8:
                provinces[0] = PILOT_PROVINCE
            city_run = None  # a few runs are city-only in one province (no province-wide points there)
            if r.random() < 0.3:
                province = r.choice([p for p in provinces if len(SIM_GEOGRAPHY[p]) > 1] or [PILOT_PROVINCE])
                city_run = (province, r.choice(sorted(SIM_GEOGRAPHY[province])))
            regions += [region_text(p) for p in PROVINCES if p in provinces and (not city_run or p != city_run[0])]
            if city_run:
                regions.append(region_text(*city_run))
            terms = dict(spec.get("terms") or {}) | dict(start=cn_date(start), end=cn_date(end), type_key=spec["key"],
                                                         scale=tuple(spec.get("scale") or ()))
            biz = Business("YX", name, "campaign", terms, tuple(spec.get("tags") or ()), start)
            out.append(Campaign(biz, spec["key"], start, end, tuple(regions)))
    return out


def campaign_spec(type_key: str) -> dict[str, object]:
    """The bank entry of a campaign type."""
    for spec in bank("kp_campaign")["types"]:
        if spec["key"] == type_key:
            return dict(spec)
    raise KeyError(type_key)
