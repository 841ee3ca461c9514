"""Mobile data: detailed sessions (话单) and the monthly usage summary derived from them.

For the current and the previous month the sessions are generated first and
``data_usage`` is their exact aggregate: every session's MB is rounded to 2 decimals,
``used_mb`` is ``round(sum of domestic session MB, 2)`` and ``roaming_mb`` the same over
roaming sessions. The oldest month of the window is a summary without session detail.
Then ``overage_mb = round(max(0, used_mb - quota_mb), 2)`` (0 on unlimited plans, which get
``speed_capped = 1`` instead once past their quota), ``overage_fee_fen =
overage_fee_fen(overage_mb)`` and ``roaming_fee_fen = 2500 × distinct roaming days``.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from itertools import accumulate, pairwise

from tools.sim.generator.catalog import overage_fee_fen, roaming_fee_fen
from tools.sim.generator.model import Cell, Line, Month, Tables, UsageMonth, Window
from tools.sim.generator.network import Network

APPS = ("视频", "短视频", "社交", "游戏", "下载", "浏览", "系统更新", "导航")
_PHONE_MIX = (14, 22, 25, 8, 5, 18, 2, 6)
_CARD_MIX = (30, 5, 8, 0, 25, 25, 7, 0)
_IOT_MIX = (0, 0, 0, 0, 0, 40, 20, 40)
_TYPICAL_MB = {"视频": 250.0, "短视频": 120.0, "社交": 15.0, "游戏": 40.0, "下载": 180.0, "浏览": 12.0,
               "系统更新": 400.0, "导航": 8.0}
ROAMING_PLACES = (("中国香港", "454-12"), ("中国澳门", "455-07"), ("日本", "440-10"), ("韩国", "450-05"),
                  ("泰国", "520-03"), ("新加坡", "525-01"))
_ROAM_APPS = ("导航", "社交", "浏览", "短视频")
# (apn, mb, cell_id, roaming, roaming_country, app_category)
_Detail = tuple[str, float, str, int, str | None, str]


def _mix(line: Line) -> tuple[float, ...]:
    pid = line.plan.product_id
    weights = _IOT_MIX if pid == "P-IOT-10" else _CARD_MIX if pid == "P-DATA-30" else _PHONE_MIX
    return tuple(accumulate(weights))


def quota_for(line: Line, month: Month) -> int:
    """The month's domestic quota: plan plus every data pack active at some point of the month."""
    packs = sum(a.product.data_quota_mb for a in line.addons if a.product.kind == "data_pack" and a.active_in(month))
    return line.plan.data_quota_mb + packs


def usage_rows(rng: random.Random, lines: list[Line], tables: Tables, window: Window, net: Network) -> None:
    """Fill ``data_sessions`` and keep each line's monthly usage (written later by `usage_table_rows`)."""
    sessions = tables["data_sessions"]
    clocks = {month.key: _Clock(month) for month in window.months}
    for line in lines:
        cells = net.by_district[line.district.key]
        for month in window.months:
            if not line.exists_in(month):
                continue
            usage = UsageMonth(quota_for(line, month))
            if month is window.oldest:
                usage.used_mb = _summary_only(rng, line, month, usage.quota_mb)
            else:
                domestic: list[float] = []
                roaming: list[float] = []
                days: set[int] = set()
                clock = clocks[month.key]
                for begin, finish, s in _month_sessions(rng, line, month, window, cells, usage.quota_mb):
                    sessions.append((f"DS{len(sessions) + 1:09d}", line.msisdn, s[0], clock.text(begin),
                                     clock.text(finish), *s[1:]))
                    if s[3]:
                        roaming.append(s[1])
                        days.add(begin // 86400)
                    else:
                        domestic.append(s[1])
                usage.used_mb = round(math.fsum(domestic), 2)
                usage.roaming_mb = round(math.fsum(roaming), 2)
                usage.roaming_days = len(days)
            _settle(line, usage)
            line.usage[month.key] = usage


class _Clock:
    """Formats "seconds since the month's start" as ISO timestamps, fast."""

    _hms: tuple[str, ...] = ()

    def __init__(self, month: Month) -> None:
        if not _Clock._hms:
            _Clock._hms = tuple(f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60))
        self._days = tuple(f"{month.start + timedelta(days=d):%Y-%m-%d}T" for d in range(33))

    def text(self, seconds: int) -> str:
        day_index, rest = divmod(seconds, 86400)
        return self._days[day_index] + self._hms[rest]


def _settle(line: Line, usage: UsageMonth) -> None:
    if line.plan.unlimited:
        usage.speed_capped = int(usage.used_mb > usage.quota_mb)
    else:
        usage.overage_mb = round(max(0.0, usage.used_mb - usage.quota_mb), 2)
        usage.overage_fee_fen = overage_fee_fen(usage.overage_mb)
    usage.roaming_fee_fen = roaming_fee_fen(usage.roaming_days)


def usage_table_rows(lines: list[Line], tables: Tables) -> None:
    """Fill ``data_usage`` from the settled usage (after elastic conversions are priced)."""
    for line in lines:
        for key, u in line.usage.items():
            tables["data_usage"].append((
                line.msisdn, key, u.quota_mb, u.used_mb, u.overage_mb, u.roaming_mb, u.overage_fee_fen,
                u.roaming_fee_fen, u.speed_capped,
            ))


def _active_span(line: Line, month: Month, window: Window) -> tuple[datetime, datetime, float]:
    end = min(month.end, window.as_of)
    if line.cutoff is not None:
        end = min(end, line.cutoff)
    full = (month.end - month.start).total_seconds()
    return month.start, end, max(0.0, (end - month.start).total_seconds() / full)


def _summary_only(rng: random.Random, line: Line, month: Month, quota: int) -> float:
    target = line.overage_targets.get(month.key)
    if target is not None:
        return round(quota + target, 2)
    frac = max(0.0, min(1.0, ((line.cutoff or month.end) - month.start) / (month.end - month.start)))
    return round(quota * rng.uniform(0.15, 0.8) * frac, 2)


def _month_sessions(
    rng: random.Random, line: Line, month: Month, window: Window, cells: list[Cell], quota: int
) -> list[tuple[int, int, _Detail]]:
    """One month's sessions in time order: (start, end) in seconds from the month's start, and the rest."""
    start, end, frac = _active_span(line, month, window)
    span = int((end - start).total_seconds())
    if span < 600:
        return []
    target = line.overage_targets.get(month.key)
    if target is not None:
        normal_total = quota * rng.uniform(0.85, 0.97)
        huge_total = quota - normal_total + target
    else:
        normal_total = quota * rng.uniform(0.15, 0.75) * frac
        huge_total = 0.0
        if line.mobile_sit == "weak_coverage":
            normal_total *= 0.5
    apn = "cmiot" if line.plan.product_id == "P-IOT-10" else "cmnet"
    home = line.home_cell.cell_id if line.home_cell else cells[0].cell_id
    stay = 0.85 if line.mobile_sit == "weak_coverage" else 0.7
    n = max(2, round((rng.randint(10, 16) + min(9, int(normal_total / 3000))) * max(frac, 0.2)))
    apps = rng.choices(APPS, cum_weights=_mix(line), k=n)
    random_ = rng.random
    weights = [_TYPICAL_MB[a] * (0.3 + 1.4 * random_()) for a in apps]
    scale = normal_total / sum(weights)
    trip = _trip(rng, span) if line.roaming_month == month.key else None
    rows: list[tuple[int, int, _Detail]] = []
    for app, weight in zip(apps, weights, strict=True):
        mb = max(0.01, round(weight * scale, 2))
        begin = int(random_() * span)
        if 1 <= (begin // 3600) % 24 < 7 and begin + 8 * 3600 < span and random_() < 0.7:
            begin += 8 * 3600  # few sessions in the small hours
        if trip is not None and trip[0] <= begin < trip[1]:
            continue
        cell = home if random_() < stay else cells[int(random_() * len(cells))].cell_id
        rows.append(_session(begin, span, mb / (0.3 + 3.7 * random_()), (apn, mb, cell, 0, None, app)))
    for mb in _split(rng, huge_total):
        app = rng.choice(("系统更新", "视频", "下载"))
        begin = _night_or_evening(rng, span, app)
        rows.append(_session(begin, span, mb / rng.uniform(2.0, 8.0), (apn, mb, home, 0, None, app)))
    if trip is not None:
        country, plmn = rng.choice(ROAMING_PLACES)
        for day_start in range(trip[0], trip[1], 86400):
            for _ in range(rng.randint(2, 5)):
                begin = day_start + rng.randint(8 * 3600, 23 * 3600)
                cell = f"{plmn}-{rng.randint(1000, 65000)}-{rng.randint(1, 9)}"
                mb = round(rng.uniform(15, 350), 2)
                rows.append(_session(begin, span, mb / rng.uniform(0.3, 4.0),
                                     ("cmnet", mb, cell, 1, country, rng.choice(_ROAM_APPS))))
    rows.sort(key=lambda r: r[0])
    return rows


def _session(begin: int, limit: int, seconds: float, detail: _Detail) -> tuple[int, int, _Detail]:
    duration = min(4 * 3600, max(30, int(seconds)))
    finish = begin + duration
    if finish > limit:  # cut short by the end of the active span
        finish = limit
        begin = min(begin, limit - 60)
    return begin, finish, detail


def _split(rng: random.Random, total: float) -> list[float]:
    if total <= 0:
        return []
    parts = rng.randint(1, 3)
    cuts = sorted(rng.uniform(0.25, 0.75) for _ in range(parts - 1))
    bounds = [0.0, *cuts, 1.0]
    return [round(total * (b - a), 2) for a, b in pairwise(bounds)]


def _night_or_evening(rng: random.Random, span: int, app: str) -> int:
    days = max(1, span // 86400)
    hour = rng.randint(1, 4) if app == "系统更新" else rng.randint(19, 22)
    moment = rng.randrange(days) * 86400 + hour * 3600 + rng.randint(0, 3599)
    if moment >= span - 3600:
        moment = rng.randint(0, max(0, span - 3600))
    return moment


def _trip(rng: random.Random, span: int) -> tuple[int, int] | None:
    length = min(rng.randint(2, 5), span // 86400)
    last_start = span // 86400 - length
    if length < 1:
        return None
    first = rng.randint(0, last_start) * 86400
    return first, first + length * 86400
