"""The labelled query set for retrieval benchmarking (``queries.jsonl``).

How the queries are written
    Every query is built from ``data/queries.yaml``, a phrase bank kept apart from the knowledge-point banks:
    callers' own sentences ("我能不能办158升级版", "我这个月流量费好几百 你们那个弹性包能不能给我弄一下"),
    the names callers give businesses ("158升级版", "十块钱一个G的流量包", "香港"), and per-province dialect
    words. No query reuses a knowledge point's title or body. A query then gets one of three noise levels:

    * ``clean``: the caller's sentence, punctuated;
    * ``colloquial``: fillers and hesitations ("呃", "那个", "喂 你好"), the caller's province's dialect words
      (江西 "冇", 四川 "啥子", 广东 "点解" ...) and trailing asides;
    * ``asr``: colloquial speech as a speech recogniser writes it: homophones (流量→留量, 宽带→款待,
      光猫→光毛 ...), one or two dropped characters, numbers in Chinese words, no punctuation.

What is relevant
    A point query asks about one rule (a topic: business × category × item; a campaign's topic spans its runs).
    Its ``relevant`` ids are the points of that topic that the caller sees on ``date``: in force that day and
    covering the caller's province and city, except a nationwide point that a regional variant in force for the
    caller overrides (the variant's ``variant_of``): a 南昌 caller gets 江西省's variant, never 广东省's, and not the
    nationwide point it replaces. (A province has either a province variant or city variants of a rule, never
    both, so a caller sees exactly one version of a rule.) Tiers are named in
    the query ("158升级版"), so near-duplicate tiers are not relevant to each other. A script query (``kind:
    script``, about 15%) is asked at a moment ``at`` by a caller in an area with an active script then (an
    outage query also carries the caller's ``district``); ``relevant`` is every script active at that moment for
    that caller on the same matter (same outage district and service, or the same incident). Queries are
    generated only where at least one id is relevant.

Split
    30% ``dev`` and 70% ``test``, deterministic by id: a query is ``dev`` when the first 8 hex digits of
    ``sha256(id)`` modulo 10 are below 3.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from knowledge.corpus.phrasing import bank
from knowledge.corpus.points import Topic
from knowledge.corpus.regions import CALLER_CITIES, SIM_GEOGRAPHY, region_text
from knowledge.corpus.scripts import Scripts
from knowledge.schema import EmergencyScript, KnowledgePoint, RegionScope

N_POINT, N_SCRIPT = 620, 110
_KIND_WEIGHT = {"plan": 3.0, "pack": 2.0, "elastic": 1.5, "vas": 2.0, "broadband": 2.0, "roaming": 1.5,
                "roampack": 0.5, "service": 2.5, "fault": 2.0, "complaint": 1.5, "campaign": 2.0}
_NOISE = (("clean", 0.3), ("colloquial", 0.35), ("asr", 0.35))
_DIGITS = "零一二三四五六七八九"


def split_of(qid: str) -> str:
    """Dev for 30% of ids, test for the rest, by hash."""
    return "dev" if int(hashlib.sha256(qid.encode()).hexdigest()[:8], 16) % 10 < 3 else "test"


def group_of(topic: Topic) -> str:
    """What a query asks about: the topic, or for campaigns the topic across the campaign's runs."""
    if topic.biz.kind == "campaign":
        return f"campaign:{topic.biz.terms['type_key']}|{topic.key.split('|', 1)[1]}"
    return topic.key


def resolve(points: list[KnowledgePoint], province: str, city: str, day: date) -> list[str]:
    """The ids a caller sees on a day.

    Those in force that day and covering the caller, minus the nationwide points that a regional variant in force
    for the caller overrides (``variant_of``).
    """
    seen = [p for p in points if p.in_force(day) and p.scope.covers(province, city)]
    hidden = {p.variant_of for p in seen if p.variant_of}
    return sorted(p.id for p in seen if p.id not in hidden)


def _cn_number(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    parts, units = [], ["", "十", "百", "千"]
    s = str(n)
    for i, ch in enumerate(s):
        d, unit = int(ch), units[len(s) - 1 - i]
        if d:
            parts.append(("" if (d == 1 and unit == "十" and i == 0) else _DIGITS[d]) + unit)
        elif parts and not parts[-1].endswith("零") and i < len(s) - 1 and any(c != "0" for c in s[i:]):
            parts.append("零")
    return "".join(parts)


def _numbers_to_words(text: str, r: random.Random) -> str:
    out, num = [], ""
    for ch in text + " ":
        if ch.isdigit():
            num += ch
            continue
        if num:
            out.append(_cn_number(int(num)) if len(num) <= 4 and r.random() < 0.7 else num)
            num = ""
        out.append(ch)
    return "".join(out).rstrip(" ")


def noisy(text: str, noise: str, province: str, r: random.Random) -> str:
    """The caller's sentence at a noise level (see the module docstring)."""
    nb = bank("queries")["noise"]
    if noise == "clean":
        text = text.replace(" ", "，")
        return text if text.endswith(("？", "。", "！")) else text + "？"
    dialect = nb["dialect"].get(province) or {}
    for src, dst in (dialect.get("swap") or {}).items():
        if src in text and r.random() < 0.6:
            text = text.replace(src, dst, 1)
    pre = r.choice(nb["fillers"]) + " " if r.random() < 0.7 else ""
    if dialect and r.random() < 0.4:
        pre = r.choice(dialect["pre"]) + " " + pre
    tail = ""
    if r.random() < 0.4:
        tail = " " + r.choice(nb["tails"])
    elif dialect and r.random() < 0.5:
        tail = r.choice(dialect["tail"])
    text = pre + text + tail
    words = text.split(" ")
    i = r.randrange(len(words))
    if r.random() < 0.3 and all("\u4e00" <= c <= "\u9fff" for c in words[i][:2]):
        words.insert(i, words[i][:2])  # a false start: "我想 我想办..."
        text = " ".join(words)
    if noise == "colloquial":
        return text.replace(" ", "，") if r.random() < 0.5 else text
    hits = [w for w in nb["homophones"] if w in text]
    for w in r.sample(hits, min(len(hits), r.randint(1, 2))):
        text = text.replace(w, r.choice(nb["homophones"][w]), 1)
    text = _numbers_to_words(text, r)
    chars = [c for c in text if c not in " ，。？！"]
    for _ in range(r.randint(1, 2) if len(chars) > 12 else 0):
        i = r.randrange(2, len(chars) - 1)
        if not chars[i].isascii():
            del chars[i]
    return "".join(chars)


@dataclass
class _Group:
    key: str
    topic: Topic
    points: list[KnowledgePoint]


def _alias(biz_name: str, r: random.Random) -> str:
    aliases = bank("queries")["aliases"].get(biz_name)
    return r.choice(aliases) if aliases else biz_name.split("（")[0]


def _fill(template: str, topic: Topic, r: random.Random) -> str:
    biz = topic.biz
    ctx: dict[str, Any] = {"b": _alias(biz.name, r)}
    if biz.kind == "campaign":
        ctx["b"] = r.choice(bank("queries")["campaign_alias"][biz.terms["type_key"]])
    if "next_name" in biz.terms:
        ctx["b2"] = _alias(str(biz.terms["next_name"]), r)
    if "dest" in biz.terms:
        dest = str(biz.terms["dest"])
        ctx["dest"] = r.choice(bank("queries")["dest_alias"].get(dest) or [dest])
    return template.format_map(ctx)


def _templates(topic: Topic) -> list[str]:
    asks = bank("queries")["asks"]
    if topic.biz.kind == "campaign":
        return list(asks.get(f"campaign:{topic.category}") or []) if topic.key.endswith("|main") else []
    return list(asks.get(topic.ask) or [])


def _caller(r: random.Random, points: list[KnowledgePoint]) -> tuple[str, str]:
    local = [p for p in points if p.scope.level != "nationwide"]
    if local and r.random() < 0.6:
        scope = r.choice(local).scope
        assert scope.province is not None
        if scope.city:
            return scope.province, scope.city
        cities = list(SIM_GEOGRAPHY.get(scope.province) or {})
        if cities:
            return scope.province, r.choice(cities)
    province, city, _w = r.choices(CALLER_CITIES, weights=[c[2] for c in CALLER_CITIES])[0]
    return province, city


def _day(r: random.Random, points: list[KnowledgePoint], first: date, last: date) -> date:
    p = r.choice(points)
    lo, hi = max(first, p.effective_from), min(last, p.effective_to or last)
    if lo > hi:
        lo, hi = first, last
    return lo + timedelta(days=r.randint(0, (hi - lo).days))


def _point_queries(r: random.Random, points: list[KnowledgePoint], topic_of: dict[str, Topic], first: date,
                   last: date) -> list[dict[str, Any]]:
    groups: dict[str, _Group] = {}
    for p in points:
        topic = topic_of[p.id]
        g = groups.setdefault(group_of(topic), _Group(group_of(topic), topic, []))
        g.points.append(p)
    by_kind: dict[str, list[_Group]] = defaultdict(list)
    for g in groups.values():
        if _templates(g.topic):
            by_kind[g.topic.biz.kind].append(g)
    kinds = sorted(by_kind)
    # hard cases: revised rules, and rules that start or end within the month
    hard = [g for k in kinds for g in by_kind[k] if any(
        p.version >= 2 or first <= p.effective_from <= last or (p.effective_to and first <= p.effective_to <= last)
        for p in g.points)]
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    while len(out) < N_POINT:
        kind = r.choices(kinds, weights=[_KIND_WEIGHT.get(k, 1.0) for k in kinds])[0]
        g = r.choice(hard) if hard and r.random() < 0.2 else r.choice(by_kind[kind])
        province, city = _caller(r, g.points)
        day = _day(r, g.points, first, last)
        relevant = resolve(g.points, province, city, day)
        if not relevant:
            continue
        noise = r.choices([n for n, _w in _NOISE], weights=[w for _n, w in _NOISE])[0]
        text = noisy(_fill(r.choice(_templates(g.topic)), g.topic, r), noise, province, r)
        region = region_text(province, city)
        if (text, region, day.isoformat()) in seen:
            continue
        seen.add((text, region, day.isoformat()))
        out.append(dict(query=text, region=region, date=day.isoformat(), relevant=relevant, kind="point", noise=noise))
    return out


def _same_matter(a: EmergencyScript, b: EmergencyScript, meta: Scripts) -> bool:
    ma, mb = meta.meta[a.id], meta.meta[b.id]
    if ma.topic != mb.topic:
        return False
    if ma.topic == "outage":
        services = {ma.item, mb.item}
        return (a.district == b.district or a.district is None) and ("all" in services or len(services) == 1)
    return ma.item == mb.item


def _script_queries(r: random.Random, scripts: Scripts, first: date, last: date) -> list[dict[str, Any]]:
    qb = bank("queries")
    pool = [s for s in scripts.scripts if s.valid_from.date() <= last and s.valid_to.date() >= first]
    outages = [s for s in pool if s.topic == "outage"]
    others = [s for s in pool if s.topic != "outage"]
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    while len(out) < N_SCRIPT:
        s = r.choice(outages if r.random() < 0.5 else others)
        m = scripts.meta[s.id]
        scope = s.scope
        if scope.level == "city":
            province, city = str(scope.province), str(scope.city)
        else:
            cities = [(p, c) for p, c, _w in CALLER_CITIES if scope.level == "nationwide" or p == scope.province]
            province, city = r.choice(cities)
        lo, hi = max(first, s.valid_from.date()), min(last, s.valid_to.date())
        day = lo + timedelta(days=r.randint(0, (hi - lo).days))
        if m.topic == "outage":
            template = r.choice(qb["scripts"]["outage"][m.item])
            text = template.format(district=m.district or city, spot=m.spot or "")
        else:
            template = r.choice(qb["scripts"][m.topic])
            say = qb["system_say"][m.item] if m.topic == "system_maintenance" else qb["incident_say"][m.item]
            text = template.format(incident_say=say, system_say=say)
        start = max(datetime.combine(day, time()), s.valid_from)
        end = min(datetime.combine(day, time(23, 59)), s.valid_to)
        at = start + timedelta(minutes=r.randint(0, max(0, int((end - start).total_seconds() // 60))))
        relevant = sorted(x.id for x in pool if x.valid_from <= at <= x.valid_to and x.scope.covers(province, city)
                          and _same_matter(s, x, scripts))
        if s.id not in relevant:
            continue
        noise = r.choices([n for n, _w in _NOISE], weights=[w for _n, w in _NOISE])[0]
        text = noisy(text, noise, province, r)
        region = region_text(province, city)
        if (text, region, day.isoformat()) in seen:
            continue
        seen.add((text, region, day.isoformat()))
        extra = {"district": m.district} if m.topic == "outage" and m.district and scope.level == "city" else {}
        out.append(dict(query=text, region=region, date=day.isoformat(), at=at.isoformat(timespec="minutes"),
                        relevant=relevant, kind="script", noise=noise, **extra))
    return out


def build_queries(seed: int, as_of: date, points: list[KnowledgePoint], topic_of: dict[str, Topic],
                  scripts: Scripts, days: int = 30) -> list[dict[str, Any]]:
    """The labelled queries, dated within the month up to as_of, point and script queries interleaved."""
    r = random.Random(f"{seed}|queries")
    first = as_of - timedelta(days=days - 1)
    items = _point_queries(r, points, topic_of, first, as_of) + _script_queries(r, scripts, first, as_of)
    r.shuffle(items)
    out = []
    for i, item in enumerate(items, 1):
        qid = f"Q{i:04d}"
        out.append({"id": qid, "split": split_of(qid), **item})
    return out


def check_relevance(q: dict[str, Any], points: dict[str, KnowledgePoint], scripts: dict[str, EmergencyScript]) -> None:
    """Raise AssertionError unless every relevant id exists and applies to the query's caller and date."""
    scope = RegionScope.parse(q["region"])
    day = date.fromisoformat(q["date"])
    for rid in q["relevant"]:
        if q["kind"] == "point":
            p = points[rid]
            assert p.in_force(day) and p.scope.covers(scope.province, scope.city), (q["id"], rid)
        else:
            s = scripts[rid]
            at = datetime.fromisoformat(q["at"])
            assert s.active(at) and at.date() == day and s.scope.covers(scope.province, scope.city), (q["id"], rid)
