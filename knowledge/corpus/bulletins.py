"""The month's business bulletins, and one pending bulletin for the day after as-of.

One bulletin a day for the 30 days before as-of, formats cycling Markdown, DOCX, PDF. Each announces new
versions of existing points (numbers changed, version + 1), brand-new points (province variants and
campaign runs), retirements, and a few of that day's scripts. The corpus files are the state *after* every
bulletin: a bulletin's upserts are the corpus's points (except where a later bulletin bumped the same id
again), a retirement's date is the point's ``effective_to``, a published script is the corpus's script.

``pending/next_day.md`` is dated as-of + 1 and is NOT reflected in the corpus: new points, changed
points, a retirement and a script, for demonstrating and testing incremental ingest.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import islice
from pathlib import Path

from knowledge.corpus.points import Draft, Drafting, render, revise
from knowledge.corpus.regions import PROVINCES, region_text
from knowledge.corpus.scripts import Scripts, pending_script
from knowledge.schema import NATIONWIDE, Bulletin, EmergencyScript, KnowledgePoint, Retirement

DAYS = 30
FORMATS = ("md", "docx", "pdf")
PENDING = Path("pending") / "next_day.md"
_RETIRABLE = frozenset({"plan", "pack", "vas", "broadband", "roaming"})
"""What a month's bulletins retire: products (停售, 整合下线). A handling procedure (故障处理, 投诉处理, 业务办理) is
changed by a new version rather than retired without a successor, which would leave the call types that lead
with it (光猫远程重启排查步骤 on a hung 光猫) showing another business's steps."""
_REASONS = (
    "产品停售，存量客户按原规则执行至失效日", "规则已并入新版知识点", "活动提前结束", "业务整合下线",
    "系统改造后流程取消",
)
_SCRIPT_TOPICS = ("policy_change", "service_notice", "billing_incident", "fraud_alert")


@dataclass(frozen=True)
class Planned:
    """A bulletin and the file name it is written to."""

    bulletin: Bulletin
    filename: str


def _in_force(d: Draft, day: date) -> bool:
    return d.eff_from <= day and (d.eff_to is None or d.eff_to >= day)


def _title(day: date, seq: int, ups: list[KnowledgePoint], rets: list[Retirement]) -> str:
    if ups and seq % 3 == 0:
        return f"关于调整{ups[0].business}等业务规则的通知"
    if rets and seq % 3 == 1:
        return f"关于{day.month}月部分业务下线及知识更新的通知"
    return f"关于{day.year}年{day.month}月第{seq}批业务知识更新的通知"


def plan_bulletins(seed: int, as_of: date, drafting: Drafting, scripts: Scripts) -> list[Planned]:
    """Decide the month's bulletins and apply them to the drafts and scripts (in place)."""
    r = random.Random(f"{seed}|bulletins")
    drafts = drafting.drafts
    pool = [d for d in drafts if d.topic.biz.kind != "campaign" and d.version == 1]
    r.shuffle(pool)
    fresh = [d for d in pool if d.region != NATIONWIDE]
    window = (as_of - timedelta(days=DAYS), as_of + timedelta(days=25))
    runs = sorted((run for run in drafting.runs if window[0] < run.start <= window[1]), key=lambda run: run.start)
    by_id = {s.id: i for i, s in enumerate(scripts.scripts)}
    planned: list[Planned] = []
    bumped: list[Draft] = []
    number = 180 + r.randint(0, 40)
    for i in range(DAYS):
        day = as_of - timedelta(days=DAYS - i)
        number += r.randint(1, 4)
        bid = f"{'中移客服' if i % 5 == 4 else '赣移客'}〔{day.year}〕{number}号"
        ups: list[KnowledgePoint] = []
        for _ in range(r.randint(3, 6)):  # new versions
            cands = []
            if bumped and r.random() < 0.05:  # now and then a second change to a point already changed this month
                cands = [d for d in bumped if _in_force(d, day) and d.source != bid and d.touched == "bumped"]
                r.shuffle(cands)
            cands = cands or list(islice((d for d in pool if not d.touched and _in_force(d, day)), 12))
            for d in cands:
                if revise(d, seed, r):
                    d.eff_from, d.source = max(d.eff_from, day), bid
                    d.touched = "bumped" if d.touched != "bumped" else "bumped twice"
                    bumped.append(d)
                    ups.append(render(d, seed))
                    break
        for d in [d for d in fresh if not d.touched][: r.randint(3, 7)]:  # new province variants
            d.eff_from = day + timedelta(days=r.choice((0, 0, 1, 3, 7, 15, 30)))
            d.source, d.touched, d.version = bid, "new", 1
            ups.append(render(d, seed))
        while runs and runs[0].start <= day + timedelta(days=25) and len(ups) < 24:  # campaign launches
            run = runs.pop(0)
            for d in drafts:
                if d.topic.biz is run.business and d.region in run.regions[:2]:
                    d.source, d.touched = bid, "new"
                    ups.append(render(d, seed))
        rets: list[Retirement] = []
        for d in [d for d in pool if not d.touched and _in_force(d, day)][: r.randint(1, 3)]:
            end, reason = day + timedelta(days=r.randint(0, 20)), r.choice(_REASONS)
            if d.topic.biz.kind not in _RETIRABLE:  # kept in force; marked, so that the month goes on as drawn
                d.touched = "kept"
                continue
            d.eff_to, d.touched = end, "retired"
            rets.append(Retirement(id=d.id, effective_to=d.eff_to, reason=reason))
        chosen = [s for s in scripts.scripts if s.id.startswith(f"ES-{day:%Y%m%d}-") and s.topic in _SCRIPT_TOPICS]
        published: list[EmergencyScript] = []
        for s in r.sample(chosen, min(len(chosen), r.randint(2, 3))):
            s2 = s.model_copy(update={"source": bid})
            scripts.scripts[by_id[s.id]] = s2
            published.append(s2)
        published.sort(key=lambda s: s.id)
        bulletin = Bulletin(bulletin_id=bid, title=_title(day, i + 1, ups, rets), published=day, upserts=ups,
                            retirements=rets, scripts=published)
        planned.append(Planned(bulletin, f"{day:%Y%m%d}_{FORMATS[i % 3]}_bulletin.{FORMATS[i % 3]}"))
    return planned


def pending_bulletin(seed: int, as_of: date, drafting: Drafting, number: int) -> Bulletin:
    """The bulletin of as-of + 1; it changes nothing in the drafts."""
    r = random.Random(f"{seed}|pending")
    day = as_of + timedelta(days=1)
    bid = f"赣移客〔{day.year}〕{number}号"
    ups: list[KnowledgePoint] = []
    have = {(d.topic.key, d.region) for d in drafting.drafts}
    national = {d.topic.key: d.id for d in drafting.drafts if d.region == NATIONWIDE}
    topics = [t for t in drafting.topics if t.regional and not t.city and t.biz.kind != "campaign"]
    r.shuffle(topics)
    for topic in topics:
        if len(ups) >= 3:
            break
        missing = [p for p in PROVINCES if (topic.key, region_text(p)) not in have]
        if missing:
            d = Draft(drafting.ids.next(topic.biz.code), topic, region_text(r.choice(missing)), day, source=bid,
                      variant_of=national.get(topic.key))
            ups.append(render(d, seed))
    live = [d for d in drafting.drafts if not d.touched and d.version == 1 and _in_force(d, as_of)
            and d.topic.biz.kind != "campaign"]
    r.shuffle(live)
    changed = 0
    for d in live[:40]:
        trial = d.copy()
        if changed < 3 and revise(trial, seed, r):
            trial.eff_from, trial.source = day, bid
            ups.append(render(trial, seed))
            changed += 1
    retire = next(d for d in live[40:] if d.eff_to is None and d.topic.biz.kind in _RETIRABLE)
    rets = [Retirement(id=retire.id, effective_to=day + timedelta(days=6), reason=_REASONS[0])]
    script = pending_script(seed, day).model_copy(update={"source": bid})
    return Bulletin(bulletin_id=bid, title=f"关于{day.year}年{day.month}月{day.day}日业务知识更新的通知", published=day,
                    upserts=ups, retirements=rets, scripts=[script])


def write_bulletins(planned: list[Planned], pending: Bulletin, folder: Path) -> dict[str, int]:
    """Write every bulletin under folder (and pending/next_day.md); counts by format."""
    from knowledge.bulletins import write_bulletin

    counts = {f: 0 for f in FORMATS}
    folder.mkdir(parents=True, exist_ok=True)
    for p in planned:
        write_bulletin(p.bulletin, folder / p.filename)
        counts[p.filename.rsplit(".", 1)[1]] += 1
    (folder / PENDING).parent.mkdir(parents=True, exist_ok=True)
    write_bulletin(pending, folder / PENDING)
    return counts
