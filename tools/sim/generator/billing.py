"""Bills and bill items, built from the line's plan, add-ons and settled usage.

A bill's ``total_fen`` is the exact sum of its items. The item of category 套餐外流量费
equals ``data_usage.overage_fee_fen`` (after an elastic conversion both hold the tier's
fee, and the item name notes it, as the BOSS write path does); the 国际及港澳台漫游费 item
equals ``data_usage.roaming_fee_fen``. Past months are issued on the 1st of the next month
(``paid``, or ``unpaid`` for the last month of a line in arrears); the current month is ``open``.
"""

from __future__ import annotations

import random

from tools.sim.generator.catalog import ELASTIC_TIERS, SMS_FEN, SUSPENSION_FEE_FEN, VOICE_FEN_PER_MIN
from tools.sim.generator.model import Line, Month, Tables, Window, day

OVERAGE_ITEM = "国内通用流量套餐外费用"
_TIER_NAMES = {t[0]: t[1] for t in ELASTIC_TIERS}


def bill_rows(rng: random.Random, lines: list[Line], tables: Tables, window: Window) -> None:
    """Fill ``bills`` and ``bill_items`` and record each month's total on the line."""
    for line in lines:
        for month in window.months:
            usage = line.usage.get(month.key)
            if usage is None:
                continue
            items = _items(rng, line, month)
            bill_id = f"B{line.msisdn}{month.key.replace('-', '')}"
            total = sum(amount for *_, amount in items)
            if month is window.current:
                status, issued = "open", None
            else:
                status = "unpaid" if line.arrears and month is window.last else "paid"
                issued = day(month.end)
            tables["bills"].append((bill_id, line.msisdn, month.key, total, status, issued))
            tables["bill_items"].extend(
                (bill_id, seq, category, name, product_id, amount)
                for seq, (category, name, product_id, amount) in enumerate(items, start=1)
            )
            line.bills[month.key] = total


def _items(rng: random.Random, line: Line, month: Month) -> list[tuple[str, str, str | None, int]]:
    if line.status == "suspended_request" and line.status_since <= month.start:
        return [("套餐及固定费", "停机保号费", None, SUSPENSION_FEE_FEN)]
    plan = line.plan
    usage = line.usage[month.key]
    items: list[tuple[str, str, str | None, int]] = [("套餐及固定费", plan.name, plan.product_id, plan.monthly_fee_fen)]
    for addon in line.addons:
        product = addon.product
        if product.kind in ("plan", "elastic_pack") or not addon.active_in(month) or product.monthly_fee_fen == 0:
            continue
        category = "增值业务费" if product.kind == "vas" else "套餐及固定费"
        items.append((category, product.name, product.product_id, product.monthly_fee_fen))
    if plan.voice_minutes == 0 and plan.product_id not in ("P-DATA-30", "P-IOT-10"):
        minutes = rng.randint(5, 80)
        items.append(("语音通信费", f"国内主叫通话{minutes}分钟（0.19元/分钟）", None, minutes * VOICE_FEN_PER_MIN))
    elif plan.voice_minutes > 0 and rng.random() < 0.08:
        minutes = rng.randint(10, 150)
        items.append(("语音通信费", f"套餐外国内主叫{minutes}分钟（0.19元/分钟）", None, minutes * VOICE_FEN_PER_MIN))
    if plan.voice_minutes > 0 and rng.random() < 0.12:
        count = rng.randint(3, 40)
        items.append(("短彩信费", f"国内短信{count}条（0.1元/条）", None, count * SMS_FEN))
    if usage.overage_fee_fen > 0:
        name = OVERAGE_ITEM
        if month.key in line.elastic_months:
            name += f"（已转{_TIER_NAMES[line.elastic_months[month.key][0]]}）"
        items.append(("套餐外流量费", name, None, usage.overage_fee_fen))
    if usage.roaming_fee_fen > 0:
        items.append(("国际及港澳台漫游费", f"国际及港澳台数据漫游日租费（{usage.roaming_days}天×25元）", None,
                      usage.roaming_fee_fen))
    if line.star >= 4 and plan.monthly_fee_fen >= 12800 and rng.random() < 0.3:
        items.append(("优惠减免", "全球通星级客户话费优惠", None, -1000))
    return items
