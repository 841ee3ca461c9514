"""BOSS: the lines (subscribers), what they hold (subscriptions), payments and elastic-pack history.

`make_lines` decides everything about a line that later steps depend on: place, plan,
status and since when, the moment data activity stops (``cutoff``), add-ons, and the
overage each staged month must show. Usage, bills and network records are derived from it.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, time, timedelta

from tools.sim.generator.catalog import (
    BROADBAND,
    DATA_PACKS,
    ELASTIC_MAX_MB,
    NO_BROADBAND_PLANS,
    OWN_VAS_IDS,
    PLAN_MIX,
    PLANS,
    PRODUCT_BY_ID,
    SMALL_QUOTA_PLANS,
    SP_PRODUCT_IDS,
    UNLIMITED_PLANS,
    Product,
    elastic_tier_for,
    overage_fee_fen,
)
from tools.sim.generator.model import Addon, Line, Tables, Window, day, rand_date, ts
from tools.sim.generator.network import Network
from tools.sim.generator.regions import District, chinese_name, masked_id_number, pick_district
from tools.sim.generator.situations import ARREARS_SITUATIONS, BB_HEALTHY

MSISDN_PREFIXES = ("134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
                   "178", "182", "183", "184", "187", "188", "195", "198")
CREDIT_BY_STAR = (0, 5000, 10000, 20000, 30000, 50000, 100000, 200000)  # 信用额度 by 星级
ORDER_CHANNELS = ("营业厅", "中国移动APP", "短信", "10086热线")
THIRD_PARTY = "第三方合作渠道"
PAY_CHANNELS = ("微信", "支付宝", "中国移动APP", "营业厅", "银行代扣")
_FIRST_OPEN = date(2003, 1, 1)
_PLAN_IDS = tuple(p for p, _ in PLAN_MIX)
_PLAN_WEIGHTS = tuple(w for _, w in PLAN_MIX)
_PHONE_PLAN_IDS = tuple(p for p in _PLAN_IDS if p not in NO_BROADBAND_PLANS)
_PHONE_PLAN_WEIGHTS = tuple(w for p, w in PLAN_MIX if p not in NO_BROADBAND_PLANS)
_BIG_OVERAGE = ("big_overage_elastic_eligible", "big_overage_elastic_used", "not_real_name", "open_fee_dispute")


def _pick_plan(rng: random.Random, mobile: str | None, has_bb: bool) -> Product:
    if mobile in _BIG_OVERAGE:
        return PRODUCT_BY_ID[rng.choice(SMALL_QUOTA_PLANS)]
    if mobile == "overage_excluded_plan":
        return PRODUCT_BY_ID["P-DATA-30"]
    if mobile == "speed_capped":
        return PRODUCT_BY_ID[rng.choice(UNLIMITED_PLANS)]
    if mobile == "roaming_charges":
        return PRODUCT_BY_ID[rng.choice(("P-QQT-128", "P-QQT-158", "P-QQT-198", "P-QQT-138-2018", "P-QQT-288"))]
    if has_bb or mobile not in (None, "healthy"):
        return PRODUCT_BY_ID[rng.choices(_PHONE_PLAN_IDS, weights=_PHONE_PLAN_WEIGHTS)[0]]
    return PRODUCT_BY_ID[rng.choices(_PLAN_IDS, weights=_PLAN_WEIGHTS)[0]]


def _ago(rng: random.Random, as_of: datetime, lo_hours: float, hi_hours: float) -> datetime:
    return as_of - timedelta(seconds=rng.randint(int(lo_hours * 3600), int(hi_hours * 3600)))


def _since(d: date, rng: random.Random) -> datetime:
    return datetime.combine(d, time(rng.randint(8, 20), rng.randint(0, 59), rng.randint(0, 59)))


def make_lines(
    rng: random.Random, plan: list[tuple[str | None, str | None]], window: Window, net: Network,
    bb_outage_districts: list[District],
) -> list[Line]:
    """One `Line` per situation pair, with place, plan, status, add-ons and staged overage."""
    as_of, m0, m1 = window.as_of, window.current, window.last
    window_start = window.oldest.start.date()
    used: set[str] = set()
    lines: list[Line] = []
    for idx, (mobile, bb) in enumerate(plan):
        while True:
            msisdn = rng.choice(MSISDN_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if msisdn not in used:
                used.add(msisdn)
                break
        product = _pick_plan(rng, mobile, bb is not None)
        if mobile == "area_outage_mobile":
            outage = rng.choice(net.outages)
            district, home = outage.district, rng.choice(outage.cells)
        elif bb == "bb_area_outage":
            district = rng.choice(bb_outage_districts)
            home = rng.choice(net.normal[district.key])
        else:
            district = pick_district(rng)
            home = net.weak[district.key] if mobile == "weak_coverage" else rng.choice(net.normal[district.key])
        line = Line(idx, msisdn, mobile, bb, district, product, home_cell=home, name=chinese_name(rng))
        line.labels = [s for s in (mobile, bb) if s is not None]
        if bb not in (None, BB_HEALTHY):  # "healthy" means nothing wrong anywhere: a broadband problem is its own label
            line.labels = [bb]
        # Tenure and the plan's subscription date (inside the plan's sale period, before the window).
        plan_from = date.fromisoformat(product.effective_from)
        # effective_to is the first day off sale (as the BOSS reads it): subscribe strictly before it
        plan_to = date.fromisoformat(product.effective_to) - timedelta(days=1) if product.effective_to else window_start
        plan_to = min(plan_to, window_start - timedelta(days=1))
        line.open_date = rand_date(rng, _FIRST_OPEN, plan_to - timedelta(days=30))
        plan_start = rand_date(rng, max(line.open_date, plan_from), plan_to)
        line.status_since = _since(plan_start, rng)
        _status(rng, line, as_of, net)
        line.real_name = 0 if mobile == "not_real_name" else 1
        tenure_years = (as_of.date() - line.open_date).days / 365
        base_star = min(7, product.monthly_fee_fen // 4000 + int(tenure_years // 5))
        line.star = rng.randint(0, 2) if line.arrears else max(0, min(7, base_star + rng.randint(-1, 1)))
        line.credit_limit_fen = CREDIT_BY_STAR[line.star]
        line.balance_fen = _balance(rng, line)
        line.contract_until = _contract(rng, line, as_of)
        _subscriptions(rng, line, plan_start, window)
        _overage_targets(rng, line, window)
        if mobile == "roaming_charges":  # just back from a trip; early in a month, the trip was last month
            line.roaming_month = m1.key if as_of - m0.start < timedelta(days=4) else m0.key
        if mobile == "big_overage_elastic_eligible" and rng.random() < 0.5:
            old = m0.shifted(-rng.randint(8, 11))
            line.elastic_months[old.key] = _fabricated_application(rng)
        elif mobile in (None, "healthy") and product.product_id in SMALL_QUOTA_PLANS and rng.random() < 0.06:
            old = m0.shifted(-rng.randint(3, 11))
            line.elastic_months[old.key] = _fabricated_application(rng)
        lines.append(line)
    return lines


def _status(rng: random.Random, line: Line, as_of: datetime, net: Network) -> None:
    sit = line.mobile_sit
    if sit in ARREARS_SITUATIONS or line.bb_sit in ARREARS_SITUATIONS:
        line.status, line.status_since = "suspended_arrears", _ago(rng, as_of, 20, 12 * 24)
        line.cutoff = line.status_since
    elif sit == "request_suspended":
        line.status, line.status_since = "suspended_request", _ago(rng, as_of, 5 * 24, 70 * 24)
        line.cutoff = line.status_since
    elif sit == "cancelled":
        line.status, line.status_since = "cancelled", _ago(rng, as_of, 10 * 24, 45 * 24)
        line.cutoff = line.status_since
    elif sit == "gprs_off":
        line.cutoff = _ago(rng, as_of, 12, 96)
    elif sit == "wrong_apn":
        line.cutoff = _ago(rng, as_of, 4, 72)
    elif sit == "account_locked":
        line.cutoff = _ago(rng, as_of, 2, 48)
    elif sit == "area_outage_mobile":
        line.cutoff = next(o.start for o in net.outages if line.home_cell in o.cells)


def _balance(rng: random.Random, line: Line) -> int:
    if line.arrears:
        return -(line.credit_limit_fen + rng.randint(300, 9000))
    if line.status == "cancelled":
        return 0
    if line.status == "suspended_request":
        return rng.randint(0, 3000)
    if line.credit_limit_fen > 1000 and rng.random() < 0.04:
        return -rng.randint(100, line.credit_limit_fen - 100)  # 信用额度内透支, still active
    return rng.randint(500, 30000)


def _contract(rng: random.Random, line: Line, as_of: datetime) -> str | None:
    if line.mobile_sit in ("big_overage_elastic_eligible", "big_overage_elastic_used", "not_real_name",
                           "overage_excluded_plan"):
        return None if rng.random() < 0.7 else day(as_of - timedelta(days=rng.randint(400, 1000)))
    roll = rng.random()
    if roll < 0.2:
        return day(as_of + timedelta(days=rng.randint(30, 700)))
    if roll < 0.3:
        return day(as_of - timedelta(days=rng.randint(30, 900)))
    return None


def _fabricated_application(rng: random.Random) -> tuple[str, int, int]:
    """An application outside the usage window: (tier id, fee before, fee after)."""
    overage = round(rng.uniform(300, 8000), 2)
    tier = elastic_tier_for(overage)
    assert tier is not None
    return tier[0], overage_fee_fen(overage), tier[3]


def _subscriptions(rng: random.Random, line: Line, plan_start: date, window: Window) -> None:
    window_start = window.oldest.start.date()
    as_of_day = window.as_of.date()
    line.addons.append(Addon(line.plan, plan_start, None, rng.choice(ORDER_CHANNELS[:2])))
    if (plan_start - line.open_date).days > 90:
        prev = [p for p in PLANS if p.brand == line.plan.brand and p.product_id != line.plan.product_id
                and p.effective_from <= day(line.open_date) and (p.effective_to or "9999") > day(line.open_date)]
        if prev:
            line.addons.insert(0, Addon(rng.choice(prev), line.open_date, plan_start - timedelta(days=1), "营业厅"))
    phone = line.plan.product_id not in NO_BROADBAND_PLANS
    if phone and rng.random() < 0.22:
        pack = rng.choice(DATA_PACKS[:3]) if rng.random() < 0.7 else rng.choice(DATA_PACKS[3:])
        if rng.random() < 0.5:
            start = rand_date(rng, max(line.open_date, date.fromisoformat(pack.effective_from)), window_start)
            line.addons.append(Addon(pack, start, None, rng.choice(ORDER_CHANNELS)))
        else:
            month = rng.choice(window.months)
            start = rand_date(rng, month.start.date(), min(month.last_day, as_of_day))
            line.addons.append(Addon(pack, start, month.last_day, rng.choice(ORDER_CHANNELS)))
    for vas_id, share in zip(OWN_VAS_IDS, (0.3, 0.1, 0.08, 0.05, 0.05, 0.15), strict=True):
        if phone and rng.random() < share:
            vas = PRODUCT_BY_ID[vas_id]
            start = rand_date(rng, max(line.open_date, date.fromisoformat(vas.effective_from)), window_start)
            end = rand_date(rng, start, window_start - timedelta(days=1)) if rng.random() < 0.15 else None
            line.addons.append(Addon(vas, start, end, rng.choice(ORDER_CHANNELS)))
    if line.mobile_sit == "unknown_vas":
        sp = PRODUCT_BY_ID[rng.choice(SP_PRODUCT_IDS)]
        month = rng.choice(window.months[:2])
        line.addons.append(Addon(sp, rand_date(rng, month.start.date(), month.last_day), None, THIRD_PARTY))
    elif phone and rng.random() < 0.02:
        sp = PRODUCT_BY_ID[rng.choice(SP_PRODUCT_IDS)]
        start = rand_date(rng, max(line.open_date, date.fromisoformat(sp.effective_from)), window_start)
        line.addons.append(Addon(sp, start, rand_date(rng, start, window_start - timedelta(days=1)), "短信"))
    if line.bb_sit is not None:
        line.addons.append(_broadband_product(rng, line, window_start))
    if line.status == "cancelled":
        end = line.status_since.date()
        line.addons = [Addon(a.product, a.start, min(a.end, end) if a.end else end, a.channel)
                       for a in line.addons if a.start <= end]


def _broadband_product(rng: random.Random, line: Line, window_start: date) -> Addon:
    fee, plan_id = line.plan.monthly_fee_fen, line.plan.product_id
    by_id = {p.product_id: p for p in BROADBAND}
    if plan_id.startswith("P-QQT-") and plan_id[6:9].isdigit() and fee >= 23800:
        product = by_id["BB-RH-1000"]
    elif plan_id.startswith("P-QQT-") and "-20" not in plan_id and fee >= 12800:
        product = by_id["BB-RH-300"]
    elif line.open_date.year < 2019 and rng.random() < 0.08:
        product = by_id["BB-50-2018"]
    else:
        product = by_id[rng.choices(("BB-100", "BB-300", "BB-500", "BB-1000"), weights=(3, 5, 2, 1))[0]]
    lo = max(line.open_date, date.fromisoformat(product.effective_from))
    hi = date.fromisoformat(product.effective_to) - timedelta(days=1) if product.effective_to else window_start
    return Addon(product, rand_date(rng, lo, min(hi, window_start - timedelta(days=1))), None, "营业厅")


def _overage_targets(rng: random.Random, line: Line, window: Window) -> None:
    """Stage the overage each month must show (MB beyond quota) and in-window elastic applications.

    Early in a month (less than 3 days in) the "current" fee situations are staged on the
    previous month, which the caller can still dispute and convert.
    """
    early = window.as_of - window.current.start < timedelta(days=3)
    stage = window.last if early else window.current
    m0, m1, m2 = stage.key, window.last.key, window.oldest.key
    keys = [m.key for m in window.months]
    sit, t = line.mobile_sit, line.overage_targets
    if sit == "big_overage_elastic_eligible":
        t[m0 if early else rng.choice((m0, m1))] = rng.uniform(600, 10000)
    elif sit == "big_overage_elastic_used":
        t[m0] = rng.uniform(800, 8000)
        applied = stage.shifted(-rng.randint(1, 4))
        if applied.key in keys:
            t[applied.key] = rng.uniform(600, 5000)
            line.elastic_months[applied.key] = ("", 0, 0)  # priced from the month's usage
        else:
            line.elastic_months[applied.key] = _fabricated_application(rng)
    elif sit == "overage_excluded_plan":
        t[m0 if early else rng.choice((m0, m1))] = rng.uniform(1000, 6000)
    elif sit == "not_real_name":
        t[m0] = rng.uniform(300, 3000)
    elif sit == "open_fee_dispute":
        t[m1] = rng.uniform(1500, 8000)
    elif sit == "speed_capped":
        t[window.current.key] = rng.uniform(1024, 8192)
    elif line.plan.product_id in SMALL_QUOTA_PLANS and rng.random() < 0.15 and line.status == "active":
        t[m2] = rng.uniform(30, 800)
    assert all(v < ELASTIC_MAX_MB for v in t.values())


def price_applications(lines: list[Line], window: Window) -> None:
    """Price the staged in-window applications from the month's usage, and stage M-2 conversions."""
    for line in lines:
        for key, (tier_id, _, _) in list(line.elastic_months.items()):
            if tier_id or key not in line.usage:
                continue
            usage = line.usage[key]
            tier = elastic_tier_for(usage.overage_mb)
            assert tier is not None and tier[3] < usage.overage_fee_fen
            line.elastic_months[key] = (tier[0], usage.overage_fee_fen, tier[3])
            usage.overage_fee_fen = tier[3]


def subscriber_rows(rng: random.Random, lines: list[Line], tables: Tables, window: Window) -> None:
    """Fill ``subscribers``, ``subscriptions``, ``elastic_applications`` and ``sim_profiles``."""
    as_of = window.as_of
    sub_seq = 0
    for line in lines:
        d = line.district
        password = f"{rng.randrange(10**6):06d}"
        reset = _ago(rng, as_of, 24, 90 * 24) if rng.random() < 0.05 else None
        tables["subscribers"].append((
            line.msisdn, line.name, masked_id_number(rng, d), d.province, d.city, d.district, line.plan.brand,
            line.plan.product_id, line.status, ts(line.status_since), line.balance_fen, line.credit_limit_fen,
            line.real_name, line.star, day(line.open_date), line.home_cell.cell_id if line.home_cell else None,
            hashlib.sha256(f"{line.msisdn}:{password}".encode()).hexdigest(), ts(reset) if reset else None,
            line.contract_until,
        ))
        for addon in line.addons:
            sub_seq += 1
            ended = addon.end is not None and addon.end < as_of.date()
            tables["subscriptions"].append((
                f"SUB{sub_seq:09d}", line.msisdn, addon.product.product_id, "cancelled" if ended else "active",
                day(addon.start), day(addon.end) if addon.end else None, addon.channel,
            ))
        for month_key, (tier_id, before, after) in sorted(line.elastic_months.items()):
            year, mon = int(month_key[:4]), int(month_key[5:])
            applied = datetime(year, mon, 1) + timedelta(days=rng.randint(20, 35), hours=rng.randint(9, 20))
            applied = min(applied, as_of - timedelta(hours=rng.randint(30, 200)))
            tables["elastic_applications"].append((
                f"EA{line.msisdn}{month_key.replace('-', '')}", line.msisdn, month_key, tier_id, ts(applied),
                before, after,
            ))
        tables["sim_profiles"].extend((line.msisdn, label) for label in line.labels)


def payment_rows(rng: random.Random, lines: list[Line], tables: Tables, window: Window) -> None:
    """Fill ``payments``: regular top-ups; nothing in the last 60 days for lines in arrears."""
    as_of, seq = window.as_of, 0
    for line in lines:
        end = line.cutoff if line.status != "active" and line.cutoff else as_of
        if line.arrears:
            end = min(end, as_of - timedelta(days=60))
        payments: list[tuple[datetime, int, str]] = []
        previous_bill = 0
        for month in window.months:
            start, stop = month.start, min(month.end, end)
            if stop > start and (rng.random() < (0.5 if line.arrears else 0.75) or month is window.last):
                channel = rng.choice(PAY_CHANNELS)
                if channel == "银行代扣" and previous_bill > 0:
                    amount = previous_bill
                else:
                    floor = max(previous_bill, line.plan.monthly_fee_fen)
                    amount = rng.choice([a for a in (3000, 5000, 10000, 20000, 30000, 50000) if a >= floor] or [50000])
                    channel = "微信" if channel == "银行代扣" else channel
                payments.append((_moment(rng, start, stop), amount, channel))
            previous_bill = line.bills.get(month.key, 0)
        for moment, amount, channel in sorted(payments):
            seq += 1
            tables["payments"].append((f"PAY{seq:09d}", line.msisdn, ts(moment), amount, channel))


def _moment(rng: random.Random, start: datetime, stop: datetime) -> datetime:
    return start + timedelta(seconds=rng.randint(0, max(0, int((stop - start).total_seconds()) - 1)))
