"""Knowledge points: topics of each business, their regional variants, versions and rendering.

A *topic* is one rule of one business (``全球通畅享套餐158元档 | 办理渠道 | main``, or an FAQ item). A topic has a
nationwide point and, where its text depends on regional terms (channels, fees, hall hours...), province
variants and a few city variants: separate points (own ids) with the same topic. A *draft* is one point
before rendering: topic, region, window, version and revised terms. Rendering uses an RNG seeded by the
topic and region, so a revision (new terms) reads exactly like the old version except for its numbers.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, cast

from knowledge.corpus.businesses import OVERAGE_RULE, Business, catalogue
from knowledge.corpus.campaigns import Campaign, campaign_spec, campaigns, cn_date
from knowledge.corpus.phrasing import bank, compose, holds, pick
from knowledge.corpus.regions import (
    AREA_CODES,
    PILOT_PROVINCE,
    PROVINCES,
    REGIONAL_TERMS,
    SIM_GEOGRAPHY,
    region_context,
    region_text,
    regional_terms,
    split_region,
)
from knowledge.schema import NATIONWIDE, KnowledgePoint

CHANNELS: dict[str, tuple[str, ...]] = {
    "plan": ("中国移动APP", "10086", "营业厅", "短信营业厅"), "pack": ("中国移动APP", "10086", "短信营业厅"),
    "elastic": ("10086", "中国移动APP"), "vas": ("中国移动APP", "10086", "短信营业厅"),
    "broadband": ("中国移动APP", "10086", "营业厅"), "roaming": ("中国移动APP", "10086"),
    "roampack": ("中国移动APP", "10086"), "service": ("营业厅", "中国移动APP", "10086"), "fault": ("10086",),
    "complaint": ("10086",), "campaign": ("中国移动APP", "营业厅"),
}
_BANK = {"plan": "kp_plan", "pack": "kp_pack", "vas": "kp_vas", "broadband": "kp_broadband", "roaming": "kp_roaming"}
# Terms a revision may change (never a simulator product's fee, quota or minutes).
REVISABLE = (
    "gift", "gift_gb", "gift_mb", "cut", "free_months", "subsidy", "prepay", "threshold", "min_fee", "discount", "days",
    "install_fee", "move_fee", "onu_deposit", "install_hours", "repair_hours", "early_fee", "fttr_fee", "visit_fee",
    "card_fee", "roam_prepay", "points_per_yuan", "trial_days", "stack", "family_members", "lounge", "grace",
    "vnet_fee", "contract_months", "day_fee", "add", "cap", "count", "limit", "pct",
)
_DEFAULTS: dict[str, object] = dict(stack=3, vnet_fee=3)
_SIM_CORE = {"day_fee"}


@dataclass(frozen=True, eq=False)
class Topic:
    """One rule of one business."""

    key: str
    ask: str  # what it answers, for the query bank
    biz: Business
    category: str
    titles: list[Any]
    body: list[Any]
    regional: bool = False  # provinces rewrite it
    city: bool = False  # cities rewrite it too


@dataclass(eq=False)
class Draft:
    """One knowledge point before rendering."""

    id: str
    topic: Topic
    region: str
    eff_from: date
    eff_to: date | None = None
    version: int = 1
    source: str = ""
    rev: dict[str, object] = field(default_factory=dict)
    variant_of: str | None = None  # the nationwide point this regional variant overrides
    touched: str = ""  # what the month's bulletins did to it: bumped / retired / new

    def copy(self, **changes: Any) -> Draft:
        """A copy with changes (the revised terms are copied, not shared)."""
        return replace(self, **({"rev": dict(self.rev)} | changes))


class IdPool:
    """Sequential ids per family: KP-QQT-00001, KP-QQT-00002 ..."""

    def __init__(self) -> None:
        self.counters: Counter[str] = Counter()

    def next(self, code: str) -> str:
        """A fresh id in the family."""
        self.counters[code] += 1
        return f"KP-{code}-{self.counters[code]:05d}"


def context(biz: Business, region: str, seed: int, rev: dict[str, object] | None = None) -> dict[str, Any]:
    """Everything a text of `biz` in `region` may mention."""
    province, city = split_region(region)
    ctx: dict[str, Any] = dict(_DEFAULTS) | dict(biz.terms)
    ctx |= regional_terms(seed, biz.name, None if province is None else region)
    ctx |= region_context(region)
    ctx["name"] = biz.name
    ctx["launched"] = cn_date(biz.launched)
    ctx["overage"], ctx["overage_short"] = OVERAGE_RULE, "超出套餐的国内流量按0.29元/MB计费、每1GB内封顶60元"
    ctx["hall"] = "就近营业厅" if province is None else f"{ctx['area']}各自营营业厅"
    channels = list(CHANNELS[biz.kind]) if not (biz.kind == "vas" and biz.terms.get("sp")) else ["合作方页面", "10086"]
    if province is not None:
        channels.append(str(ctx["wx"]))
    ctx["channels"], ctx["channels_text"] = channels, "、".join(channels)
    short = str(biz.terms.get("short", ""))
    ctx["sms_code"] = ctx.get("sms_code") if biz.kind == "vas" else f"{ctx['sms_prefix'] or 'KT'}{short}"
    ctx["unsub"] = f"QX{short}"
    if biz.kind == "pack":
        ctx["scope"] = bank("kp_pack")["scopes"][biz.terms["ptype"]] if province is None else ctx["scope"]
        ctx["pscope"] = bank("kp_pack")["scopes"][biz.terms["ptype"]]
        ctx["unit"] = "月" if biz.terms["validity"] in ("当月", "12个月") else "次"
    capital = next(iter(SIM_GEOGRAPHY[province])) if province in SIM_GEOGRAPHY else "南昌市"
    place = city or capital
    code = AREA_CODES.get(place, "0791")
    ctx["smsc_example"] = f"{place.removesuffix('市')}为+8613800{code.lstrip('0').ljust(3, '0')}500"
    scale = cast(tuple[str, ...], biz.terms.get("scale", ()))
    for key in scale:  # campaigns: gifts scale with the region
        ctx[key] = max(1, round(int(str(biz.terms[key])) * int(ctx["gift_pct"]) / 100))
    if "day_fee" in ctx:
        ctx["five_days"] = int(ctx["day_fee"]) * 5
    ctx |= rev or {}
    if "day_fee" in (rev or {}):
        ctx["five_days"] = int(ctx["day_fee"]) * 5
    return ctx


def _probe(biz: Business, seed: int) -> dict[str, Any]:
    """A nationwide context with a province's regional words, but nationwide area names."""
    ctx = context(biz, region_text(PILOT_PROVINCE), seed)
    national = context(biz, NATIONWIDE, seed)
    for key in ("area", "scope", "prov", "prov_short", "city", "hall"):
        ctx[key] = national[key]
    return ctx


def _spec(biz: Business) -> tuple[dict[str, Any], dict[str, Any], list[Any], list[Any], set[str], set[str], str]:
    """(titles, categories, faq, extra, variant categories, city categories, ask prefix) of a business."""
    kind = biz.kind
    if kind in _BANK:
        b = bank(_BANK[kind])
        return b["titles"], b["categories"], b.get("faq") or [], [], set(), set(), kind
    if kind == "roampack":
        b = bank("kp_roaming")["roampack"]
        return b["titles"], b["categories"], b.get("faq") or [], [], set(), set(), kind
    if kind == "elastic":
        b = bank("kp_pack")["elastic"]
        which = "policy" if biz.terms["policy"] else "tier"
        return b["titles"], {c: [v[which]] for c, v in b["categories"].items()}, b["faq"], [], set(), set(), kind
    if kind == "campaign":
        spec = campaign_spec(str(biz.terms["type_key"]))
        cats: dict[str, Any] = dict(spec["categories"])  # type: ignore[call-overload]
        faq: list[Any] = list(spec.get("faq") or [])  # type: ignore[call-overload]
        return bank("kp_campaign")["titles"], cats, faq, [], set(), set(), f"campaign:{biz.terms['type_key']}"
    b = bank(f"kp_{kind}")
    entry = next(e for e in b["businesses"] if e["name"] == biz.name)
    cats = dict(entry["categories"])
    return (b["titles"], cats, entry.get("faq") or [], entry.get("extra") or [], set(entry.get("variants") or ()),
            set(entry.get("city_variants") or ()), f"{kind}:{biz.name}")


def topics_for(biz: Business, seed: int) -> list[Topic]:
    """The topics of a business, in bank order."""
    titles, cats, faq, extra, variant_cats, city_cats, prefix = _spec(biz)
    national = context(biz, NATIONWIDE, seed)
    auto = biz.kind in _BANK or biz.kind in ("roampack",)
    probe = _probe(biz, seed) if auto else {}
    out: list[Topic] = []

    def regional(key: str, body: list[Any], chance: float) -> bool:
        if random.Random(f"{seed}|regional|{key}").random() < chance:
            return True
        if not auto:
            return False
        r1, r2 = random.Random(key), random.Random(key)
        return compose(pick(body, r1), national, r1) != compose(pick(body, r2), probe, r2)

    if biz.kind == "elastic":
        chances = {"category": 0.0, "faq": 0.0, "extra": 0.0}
    elif biz.kind in ("roaming", "roampack"):
        chances = {"category": 0.5, "faq": 0.2, "extra": 0.0}
    elif auto:
        chances = {"category": 0.85, "faq": 0.7, "extra": 0.0}
    else:
        chances = {"category": 0.35, "faq": 0.35, "extra": 0.25}
    for category, alts in cats.items():
        body = alts if isinstance(alts, list) else [alts]
        key = f"{biz.name}|{category}|main"
        title = titles.get(category) or ["{name}" + category]
        out.append(Topic(key, f"{prefix}:{category}", biz, category, title, body,
                         category in variant_cats or regional(key, body, chances["category"])
                         or (biz.kind == "elastic" and category == "投诉处理"), category in city_cats))
    for item in faq:
        if not holds(item.get("if"), national):
            continue
        key = f"{biz.name}|常见问题|{item['key']}"
        body = [item["a"]]
        out.append(Topic(key, f"{prefix}:faq:{item['key']}", biz, "常见问题", list(item["q"]), body,
                         regional(key, body, chances["faq"])))
    for item in extra:
        key = f"{biz.name}|{item['category']}|{item['key']}"
        out.append(Topic(key, f"{prefix}:x:{item['key']}", biz, item["category"], [item["title"]], [item["text"]],
                         regional(key, [item["text"]], chances["extra"])))
    return out


def _shape(topic: Topic) -> str:
    """What picks a text's sentence shapes.

    The topic, but for plan tiers the family, so that 128元档 and 158元档 read alike and differ in their numbers
    (near-duplicates a retriever has to tell apart).
    """
    if topic.biz.kind in ("plan", "elastic"):
        family = str(topic.biz.terms.get("family") or "弹性计费包")
        return topic.key.replace(topic.biz.name, family, 1)
    return topic.key


def render(d: Draft, seed: int) -> KnowledgePoint:
    """The knowledge point of a draft."""
    topic, biz = d.topic, d.topic.biz
    ctx = context(biz, d.region, seed, d.rev)
    r = random.Random(f"{seed}|{_shape(topic)}|{d.region}")
    title = _joined(compose(pick(topic.titles, r), ctx, r), biz.name)
    body = compose(pick(topic.body, r), ctx, r)
    if ctx["local"]:
        title += f"（{ctx['scope']}）"
        notes = bank("kp_common")["regional_notes"].get(topic.category) or []
        if notes:
            body += compose(pick(notes, r), ctx, r)
    local_tag = [str(ctx["prov_short"])] if ctx["local"] else []
    tags = list(dict.fromkeys([*map(str, biz.tags), topic.category, *local_tag]))
    return KnowledgePoint(
        id=d.id, title=title[:120], business=biz.name, category=topic.category, body=body, region=d.region,
        channels=list(ctx["channels"]), effective_from=d.eff_from, effective_to=d.eff_to, version=d.version,
        source=d.source, tags=tags, variant_of=d.variant_of,
    )


def _joined(title: str, name: str) -> str:
    """A title without the word its name ends on said twice (咪咕阅读包月 + 包月费用, 超时投诉 + 投诉处理流程)."""
    tail = name[-2:]
    if title.startswith(name) and title[len(name):].startswith(tail):
        return name + title[len(name) + len(tail):]
    return title


def _bumped(key: str, value: int, r: random.Random) -> int:
    if key in REGIONAL_TERMS:
        options = [int(str(o)) for o in REGIONAL_TERMS[key][1] if o != value]
        return r.choice(options)
    factor = r.choice((0.5, 0.8, 1.25, 1.5, 2.0))
    new = max(1, round(value * factor))
    return new if new != value else value + 1


def revise(d: Draft, seed: int, r: random.Random) -> bool:
    """Give the draft a new version whose numbers differ; False when nothing in its text can change."""
    biz = d.topic.biz
    ctx = context(biz, d.region, seed, d.rev)
    before = render(d, seed).body
    keys = [k for k in REVISABLE if type(ctx.get(k)) is int and not (biz.sim and k in _SIM_CORE)]
    r.shuffle(keys)
    for key in keys:
        trial = d.copy(rev=dict(d.rev) | {key: _bumped(key, int(ctx[key]), r)})
        if render(trial, seed).body != before:
            d.rev, d.version = trial.rev, d.version + 1
            return True
    return False


def old_source(r: random.Random, region: str, year: int) -> str:
    """A bulletin number from before the month (not among the generated bulletin files)."""
    province, _city = split_region(region)
    issuer = "中移客服" if province is None else f"{region_context(region)['prov_short'] and _abbr(province)}移客"
    return f"{issuer}〔{max(2016, year)}〕{r.randint(1, 299):03d}号"


def _abbr(province: str) -> str:
    from knowledge.corpus.regions import STYLES

    return STYLES[province].abbr if province in STYLES else "赣"


def _variant_regions(r: random.Random, topic: Topic) -> list[str]:
    """Province variants, and for city-level topics city variants instead of their province's variant.

    A province never has both a province variant and city variants of one topic, so each caller sees exactly
    one variant (or the nationwide point): the variant hides the nationwide point it names in ``variant_of``.
    """
    regions: list[str] = []
    with_cities = {p for p in PROVINCES if any(c != p for c in SIM_GEOGRAPHY[p])} if topic.city else set()
    if topic.regional:
        k = r.choice((2, 3, 3, 4, 4, 5, 6, 8))
        provinces = r.sample(PROVINCES, k)
        if PILOT_PROVINCE not in provinces and r.random() < 0.7:
            provinces[0] = PILOT_PROVINCE
        regions += [region_text(p) for p in PROVINCES if p in provinces and p not in with_cities]
    for province in PROVINCES:
        if province in with_cities:
            regions += [region_text(province, c) for c in SIM_GEOGRAPHY[province]]
    return regions


@dataclass
class Drafting:
    """All drafts of the corpus, the id pool and the campaign runs."""

    drafts: list[Draft]
    ids: IdPool
    runs: list[Campaign]
    topics: list[Topic]


def draft_points(seed: int, as_of: date) -> Drafting:
    """The drafts of every business, with older revisions applied (the month's bulletins come later)."""
    r = random.Random(f"{seed}|points")
    ids, drafts, all_topics = IdPool(), [], []
    latest = as_of - timedelta(days=45)
    for biz in catalogue():
        for topic in topics_for(biz, seed):
            all_topics.append(topic)
            national: str | None = None
            for region in [NATIONWIDE, *_variant_regions(r, topic)]:
                start = biz.launched
                if region != NATIONWIDE and start < latest:
                    start = start + timedelta(days=r.randint(0, max(0, (latest - start).days)))
                d = Draft(ids.next(biz.code), topic, region, start, variant_of=national)
                d.source = old_source(r, region, start.year)
                drafts.append(d)
                national = national or d.id
    runs = campaigns(seed, as_of)
    for run in runs:
        for topic in topics_for(run.business, seed):
            all_topics.append(topic)
            national = None
            for region in run.regions:  # nationwide first, when the run has one
                d = Draft(ids.next("YX"), topic, region, run.start, run.end, variant_of=national)
                d.source = old_source(r, region, run.start.year)
                drafts.append(d)
                national = national or (d.id if region == NATIONWIDE else None)
    for d in drafts:  # revisions published before the month
        if d.topic.biz.kind == "campaign" or r.random() >= 0.08 or d.eff_from >= latest - timedelta(days=30):
            continue
        when = d.eff_from + timedelta(days=r.randint(30, max(30, (latest - d.eff_from).days)))
        if revise(d, seed, r):
            d.eff_from = min(when, latest)
            if r.random() < 0.2:
                revise(d, seed, r)
            d.source = old_source(r, d.region, d.eff_from.year)
    return Drafting(drafts, ids, runs, all_topics)
