"""Tickets (工单): past repairs, complaints and fee disputes, and the staged open ones.

Every ticket is due 48 hours after it was created. Only the lines staged for
``open_fee_dispute`` and ``bb_open_repair_ticket`` have a ticket still open; history is
resolved or closed, mostly within the 48 hours. Ids are ``T`` + creation date + a daily
sequence, assigned in creation order.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import datetime, timedelta

from tools.sim.generator.model import Line, Tables, Window, ts

SLA = timedelta(hours=48)
_HISTORY = {
    "repair": (
        ("宽带无法上网", "用户反映家中宽带无法上网，光猫LOS灯红色闪烁，已指导重启无效，派单上门检修"),
        ("宽带频繁掉线", "用户反映宽带晚间频繁掉线，需检查入户光纤及光功率"),
        ("宽带网速慢", "用户反映宽带实测速率远低于签约带宽，需上门测速排查"),
    ),
    "complaint": (
        ("手机信号差", "用户反映小区内手机信号差，室内经常无服务，要求尽快改善覆盖"),
        ("营业厅服务态度", "用户投诉营业厅工作人员办理业务时态度不佳"),
        ("上网卡顿", "用户反映近期手机上网卡顿、网页打不开，已排除终端问题"),
    ),
    "fee_dispute": (
        ("流量费争议", "用户对当月套餐外流量费有异议，称未使用大量流量，要求核查"),
        ("增值业务扣费争议", "用户称未订购增值业务，对增值业务费有异议，要求退订并退费"),
        ("国际漫游费争议", "用户对出境期间的国际漫游费有异议，要求核实计费"),
    ),
}


def _agent(rng: random.Random) -> str:
    return f"KF{rng.randint(1000, 9999)}"


def _dump(data: dict[str, object]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def ticket_rows(rng: random.Random, lines: list[Line], tables: Tables, window: Window) -> None:
    """Fill ``tickets``."""
    as_of = window.as_of
    accounts = {row[1]: str(row[0]) for row in tables["broadband_accounts"]}
    onu_alarms = {str(row[1]): str(row[4]) for row in tables["pon_alarms"] if row[1] is not None and row[6] is None}
    onu_of = {str(row[0]): str(row[12]) for row in tables["broadband_accounts"]}
    specs: list[tuple[datetime, str, Line, str | None, str, str, str, str, datetime | None, str | None]] = []
    for line in lines:
        if line.mobile_sit == "open_fee_dispute":
            created = as_of - timedelta(minutes=rng.randint(60, 30 * 60))
            usage = line.usage[window.last.key]
            fee = usage.overage_fee_fen / 100
            diagnosis = _dump({
                "source": "hotline-copilot", "month": window.last.key, "overage_mb": usage.overage_mb,
                "overage_fee_yuan": fee, "quota_mb": usage.quota_mb, "used_mb": usage.used_mb,
            })
            specs.append((created, "fee_dispute", line, None, "对上月套餐外流量费有异议",
                          f"用户反映{window.last.key}账单套餐外流量费{fee:.2f}元过高，称未使用大量流量，要求核查并减免",
                          "open", "urgent" if rng.random() < 0.3 else "normal", None, diagnosis))
        if line.bb_sit == "bb_open_repair_ticket":
            assert line.fault_at is not None
            created = min(line.fault_at + timedelta(minutes=rng.randint(20, 180)), as_of - timedelta(minutes=30))
            account = accounts[line.msisdn]
            diagnosis = _dump({
                "source": "hotline-copilot", "account_id": account, "onu_online": False,
                "active_alarms": [onu_alarms.get(onu_of[account], "")], "rx_power_dbm": None,
            })
            specs.append((created, "repair", line, account, "宽带无法上网（光猫LOS红灯）",
                          "用户反映宽带无法上网，光猫LOS灯红色闪烁；PON网管显示光猫离线、收光为空，疑似入户光纤中断，派单上门",
                          rng.choice(("open", "in_progress")), "normal", None, diagnosis))
    n_history = 3 + len(lines) // 25
    for _ in range(n_history):
        line = rng.choice(lines)
        kinds = ["complaint", "fee_dispute"] + (["repair", "repair"] if line.msisdn in accounts else [])
        kind = rng.choice(kinds)
        title, text = rng.choice(_HISTORY[kind])
        created = as_of - timedelta(minutes=rng.randint(4 * 24 * 60, 90 * 24 * 60))
        late = rng.random() < 0.04
        resolved = created + timedelta(minutes=rng.randint(49 * 60, 90 * 60) if late else rng.randint(90, 46 * 60))
        status = "closed" if rng.random() < 0.65 else "resolved"
        specs.append((created, kind, line, accounts.get(line.msisdn) if kind == "repair" else None, title, text,
                      status, "urgent" if rng.random() < 0.1 else "normal", min(resolved, as_of), None))
    specs.sort(key=lambda s: (s[0], s[2].msisdn, s[1]))
    per_day: Counter[str] = Counter()
    for created, kind, line, acct, title, text, status, priority, resolved_at, diag in specs:
        date_key = f"{created:%Y%m%d}"
        per_day[date_key] += 1
        tables["tickets"].append((
            f"T{date_key}{per_day[date_key]:04d}", kind, line.msisdn, acct, title, text, status, priority,
            ts(created), ts(created + SLA), ts(resolved_at) if resolved_at else None, _agent(rng), diag,
        ))
