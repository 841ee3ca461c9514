"""Emergency scripts (应急口径): a month of days up to and including the as-of date, 80+ published a day.

Every simulator outage whose window overlaps a day gets that day's script, tied to its outage id, with a
valid window from the outage start to its recovery (or estimated recovery) plus two hours. The rest of a
day is invented: local outages in districts where no simulated line lives (``regions.OTHER_DISTRICTS``),
billing incidents, policy changes, maintenance nights, fraud alerts and service notices, in varied regions.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Literal

from pydantic import BaseModel

from knowledge.corpus.phrasing import bank, compose
from knowledge.corpus.regions import (
    CALLER_CITIES,
    OTHER_DISTRICTS,
    PILOT_PROVINCE,
    SPOTS,
    STYLES,
    region_context,
    region_text,
)
from knowledge.schema import EmergencyScript

DAYS = 30
MIN_PER_DAY = 82
_CST = timezone(timedelta(hours=8))


class OutageRef(BaseModel):
    """What the generator needs to know of an outage from the simulator's coverage system."""

    outage_id: str
    province: str
    city: str
    district: str | None
    service: Literal["mobile_data", "voice", "broadband", "all"]
    cause: str
    description: str
    start_ts: datetime
    est_recovery_ts: datetime | None
    recovered_ts: datetime | None


@dataclass(frozen=True)
class ScriptMeta:
    """What a script is about, for the query set: topic, item, place and services."""

    topic: str
    item: str  # outage service, or the bank item key
    incident: str
    province: str | None
    city: str | None
    district: str | None
    spot: str | None


@dataclass
class Scripts:
    """The month's scripts and what each is about."""

    scripts: list[EmergencyScript]
    meta: dict[str, ScriptMeta]


def _naive(ts: datetime) -> datetime:
    return ts.astimezone(_CST).replace(tzinfo=None) if ts.tzinfo else ts


def _hm(ts: datetime) -> str:
    return f"{ts.month}月{ts.day}日{ts.hour}:{ts.minute:02d}"


def _md(d: date) -> str:
    return f"{d.month}月{d.day}日"


def _spot(o: OutageRef) -> str:
    """The landmark named in a simulator outage's description (``东湖区八一广场附近...``), or ''."""
    rest = o.description.removeprefix(o.district or "") if o.district and o.description.startswith(o.district) else ""
    m = re.match(r"^(.{2,8}?)(附近|区域|周边|一带)", rest)
    return m.group(1) if m else ""


def outage_window(o: OutageRef) -> tuple[datetime, datetime]:
    """The outage's span: start to recovery, estimated recovery, or a day after start."""
    start = _naive(o.start_ts)
    end = o.recovered_ts or o.est_recovery_ts
    return start, _naive(end) if end else start + timedelta(hours=24)


def _outage_script(r: random.Random, sid: str, region: tuple[str, str], district: str | None, spot: str, service: str,
                   cause: str, start: datetime, end: datetime, eta: datetime | None,
                   outage_id: str | None) -> EmergencyScript:
    b = bank("scripts")["outage"]
    province, city = region
    svc = b["services"][service]
    area = f"{city}{district or ''}"
    long = (end - start) >= timedelta(hours=6)
    ctx: dict[str, Any] = dict(area=area, spot=spot, cause=cause, svc=svc, since=_hm(start),
                               eta=_hm(eta) if eta else "抢修完成", comp=b["compensation"] if long else "")
    title = compose(r.choice(b["titles"]), ctx, r)
    wording = compose(r.choice(b["wording"]), ctx, r)
    place = [w for w in (district, spot) if w]
    keywords = list(dict.fromkeys([*r.sample(b["keywords"][service], 4), *place]))
    return EmergencyScript(
        id=sid, title=title, topic="outage", region=region_text(province, city), district=district, outage_id=outage_id,
        services=[service], keywords=keywords, wording=wording, valid_from=start, valid_to=end + timedelta(hours=2),
        source=compose(b["source"], region_context(province), r),
    )


def _pick_region(r: random.Random) -> tuple[str | None, str | None]:
    roll = r.random()
    province, city, _w = r.choices(CALLER_CITIES, weights=[c[2] for c in CALLER_CITIES])[0]
    if roll < 0.08:
        return None, None
    if roll < 0.6:
        return province, None
    return province, city


_Busy = dict[tuple[str, str, str], list[tuple[datetime, datetime]]]


def _invented_outage(r: random.Random, sid: str, day: date, busy: _Busy) -> tuple[EmergencyScript, ScriptMeta]:
    keys = list(OTHER_DISTRICTS)
    weights = [3.0 if p == PILOT_PROVINCE else 1.0 for p, _c in keys]
    while True:
        province, city = r.choices(keys, weights=weights)[0]
        district = r.choice(OTHER_DISTRICTS[(province, city)])
        service = r.choices(("mobile_data", "broadband", "voice", "all"), weights=(5, 3, 1, 1))[0]
        start = datetime.combine(day, time(r.randint(0, 21), r.choice((0, 10, 15, 20, 30, 40, 45, 50))))
        hours = r.choice((1, 2, 2, 3, 3, 4, 5, 6, 8, 12, 18, 30))
        end = start + timedelta(hours=hours, minutes=r.choice((0, 30)))
        spans = busy.setdefault((f"{province}{city}", district, service), [])
        if all(end + timedelta(hours=2) < s or start > e + timedelta(hours=2) for s, e in spans):
            spans.append((start, end))
            break
    cause = r.choice(bank("scripts")["outage"]["causes"][service])
    spot = r.choice(SPOTS)
    script = _outage_script(r, sid, (province, city), district, spot, service, cause, start, end, end, None)
    return script, ScriptMeta("outage", service, cause, province, city, district, spot)


def _other(r: random.Random, sid: str, day: date, topic: str,
           busy: dict[tuple[str, str], list[tuple[date, date]]] | None = None) -> tuple[EmergencyScript, ScriptMeta]:
    b = bank("scripts")["topics"][topic]
    for _try in range(30):  # the same notice is not re-published where one is still active
        item = r.choice(b["items"])
        province, city = _pick_region(r)
        if item.get("level") == "city" and city is None:
            province, city, _w = r.choices(CALLER_CITIES, weights=[c[2] for c in CALLER_CITIES])[0]
        lo, hi = b.get("days") or (1, 2)
        last = day + timedelta(days=r.randint(lo, hi))
        spans = (busy or {}).setdefault((str(item["key"]), region_text(province, city)), [])
        if all(last < s or day > e for s, e in spans):
            spans.append((day, last))
            break
    rctx = region_context(region_text(province, city)) if province else region_context("全国")
    published = datetime.combine(day, time(r.randint(7, 11), r.choice((0, 30))))
    if topic == "system_maintenance":
        night = day + timedelta(days=r.choice((0, 1, 1, 2)))
        t_from = r.choice((0, 1, 22, 23))
        start = datetime.combine(night if t_from < 12 else night - timedelta(days=1), time(t_from))
        if start <= published:
            start += timedelta(days=1)
        end = start + timedelta(hours=r.choice((2, 4, 5, 6)))
        ctx = dict(area=rctx["area"] if province else "", system=item["system"], d1=_md(start.date()),
                   t_from=f"{start.hour}:00", t_to=("次日" if end.date() > start.date() else "") + f"{end.hour}:00")
        title = compose(b["title"], ctx, r)
        wording = compose(r.choice(b["wording"]), ctx, r)
        valid_to = end + timedelta(hours=2)
        incident = str(item["system"])
    else:
        valid_to = datetime.combine(last, time(23, 59))
        refund = day + timedelta(days=r.randint(3, 10))
        ctx = dict(area=rctx["area"] if province else "全国", d0=_md(day), refund=_md(refund),
                   month=(day.month - 2) % 12 + 1, amount=r.choice(item.get("amounts") or (10, 20, 30, 50)),
                   t_from=f"{r.randint(8, 16)}:00", year=day.year - 1, year2=day.year, spot=r.choice(SPOTS),
                   hall_name=f"{r.choice(SPOTS)}营业厅",
                   hall_hours=rctx["hall_hours"], weather=r.choice(("寒潮降温", "强降雨", "大风", "冰冻雨雪")))
        title = compose(item["title"], ctx, r)
        wording = compose(item["wording"], ctx, r)
        incident = str(item.get("incident") or item["key"])
    if len(wording) < 100 and b.get("tail"):
        wording += b["tail"]
    script = EmergencyScript(
        id=sid, title=title[:120], topic=topic, region=region_text(province, city), services=list(b["services"]),
        keywords=list(item["keywords"]), wording=wording, valid_from=published, valid_to=valid_to,
        source=compose(b["source"], rctx if province else dict(prov_short="中国"), r),
    )
    return script, ScriptMeta(topic, str(item["key"]), incident, province, city, None, None)


_MIX = (
    ("billing_incident", 8), ("policy_change", 9), ("system_maintenance", 11), ("fraud_alert", 9),
    ("service_notice", 13),
)


def generate_scripts(seed: int, as_of: date, outages: list[OutageRef]) -> Scripts:
    """The month's scripts (30 days ending with as_of), ids ES-YYYYMMDD-NNN in publication order."""
    r = random.Random(f"{seed}|scripts")
    out: list[EmergencyScript] = []
    meta: dict[str, ScriptMeta] = {}
    busy: dict[tuple[str, str, str], list[tuple[datetime, datetime]]] = {}
    busy_items: dict[tuple[str, str], list[tuple[date, date]]] = {}
    for offset in range(DAYS - 1, -1, -1):
        day = as_of - timedelta(days=offset)
        seq = iter(range(1, 1000))
        day_start, day_end = datetime.combine(day, time()), datetime.combine(day, time(23, 59, 59))
        for o in sorted(outages, key=lambda o: o.outage_id):
            start, end = outage_window(o)
            if start > day_end or end < day_start:
                continue
            known = o.est_recovery_ts or o.recovered_ts
            eta = _naive(known) if known else None
            sid = f"ES-{day:%Y%m%d}-{next(seq):03d}"
            spot = _spot(o)
            s = _outage_script(r, sid, (o.province, o.city), o.district, spot, o.service, o.cause, start, end, eta,
                               o.outage_id)
            out.append(s)
            meta[sid] = ScriptMeta("outage", o.service, o.cause, o.province, o.city, o.district, spot)
        plan = [("outage", r.randint(26, 34))] + [(t, max(1, n + r.randint(-2, 3))) for t, n in _MIX]
        total = sum(n for _t, n in plan)
        if total < MIN_PER_DAY:
            plan[0] = ("outage", plan[0][1] + MIN_PER_DAY - total)
        for topic, n in plan:
            for _ in range(n):
                sid = f"ES-{day:%Y%m%d}-{next(seq):03d}"
                if topic == "outage":
                    s, m = _invented_outage(r, sid, day, busy)
                else:
                    s, m = _other(r, sid, day, topic, busy_items)
                out.append(s)
                meta[sid] = m
    return Scripts(out, meta)


def pending_script(seed: int, day: date) -> EmergencyScript:
    """One script for the day after as-of (published only by the pending bulletin)."""
    r = random.Random(f"{seed}|pending-script")
    script, _meta = _other(r, f"ES-{day:%Y%m%d}-001", day, "service_notice")
    return script


def style_abbr(province: str | None) -> str:
    """The province's bulletin abbreviation (赣, 粤 ...), 中 for nationwide."""
    return STYLES[province].abbr if province in STYLES else "中"
