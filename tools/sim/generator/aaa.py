"""AAA for mobile data: HSS/AAA profiles, the authentication log and current online sessions.

The log covers the last three days. Ordinary lines show a few successful attaches; a
staged fault shows successes until the line's ``cutoff`` and then the matching rejection
(arrears, lock, data function off, wrong APN), or silence when the serving cell is down.
Only lines that can actually be online have an online session, opened by an ``ok`` attach.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from tools.sim.generator.catalog import NO_BROADBAND_PLANS
from tools.sim.generator.model import Ids, Line, Tables, Window, ts

LOCK_REASONS = ("疑似异常流量（被盗用风险），安全部门临时锁定", "短时间内多次鉴权失败，系统自动锁定",
                "用户挂失后临时锁定")
_REJECTS = {
    "gprs_off": ("reject_no_service", None, "数据业务功能（GPRS）未开通，拒绝接入"),
    "wrong_apn": ("reject_no_service", "cmwap", "APN错误：终端请求cmwap，签约APN为cmnet"),
    "account_locked": ("reject_locked", None, "账号已锁定：{reason}"),
    "arrears": ("reject_arrears", None, "欠费停机，数据业务已暂停"),
    "suspended_request": ("reject_no_service", None, "用户申请停机（报停），数据业务暂停"),
}
_NOT_ONLINE = ("gprs_off", "wrong_apn", "account_locked", "area_outage_mobile")


def aaa_rows(rng: random.Random, lines: list[Line], tables: Tables, window: Window, ids: Ids) -> None:
    """Fill ``aaa_profiles``, the mobile part of ``auth_log`` and of ``online_sessions``."""
    as_of = window.as_of
    current = window.current.key
    for line in lines:
        sit = line.mobile_sit
        cancelled = line.status == "cancelled"
        apn = "cmiot" if line.plan.product_id == "P-IOT-10" else "cmnet"
        reason = rng.choice(LOCK_REASONS) if sit == "account_locked" else None
        usage = line.usage.get(current)
        capped = usage is not None and usage.speed_capped == 1
        roaming_ok = sit == "roaming_charges" or (
            line.real_name == 1 and rng.random() < (0.55 if line.plan.brand == "全球通" else 0.12)
        )
        tables["aaa_profiles"].append((
            line.msisdn, 0 if sit == "gprs_off" or cancelled else 1,
            0 if line.plan.product_id in NO_BROADBAND_PLANS or rng.random() < 0.08 else 1,
            int(roaming_ok), apn, int(sit == "account_locked"), reason,
            line.plan.speed_cap_kbps if capped else None,
        ))
        if cancelled:
            continue
        nas = f"{line.district.province_abbr}-PGW-{rng.randint(1, 4):02d}"
        cell = line.home_cell.cell_id if line.home_cell else None
        stop = line.cutoff or as_of
        log = tables["auth_log"]
        oks = sorted(_moments(rng, max(as_of - timedelta(days=3), stop - timedelta(days=3)), stop, rng.randint(1, 3)))
        for moment in oks:
            log.append((ids.next("AU"), "mobile_data", line.msisdn, ts(moment), "ok", apn, nas, cell, None))
        kind = "arrears" if line.arrears else line.status if line.status == "suspended_request" else sit
        if kind in _REJECTS and line.cutoff is not None:
            result, req_apn, detail = _REJECTS[kind]
            start = max(line.cutoff, as_of - timedelta(days=3))
            for moment in sorted(_moments(rng, start, as_of, rng.randint(2, 5))):
                log.append((ids.next("AU"), "mobile_data", line.msisdn, ts(moment), result, req_apn or apn, nas, cell,
                            detail.format(reason=reason)))
        can_be_online = line.status == "active" and sit not in _NOT_ONLINE
        if can_be_online and rng.random() < 0.55:
            since = as_of - timedelta(seconds=rng.randint(300, 10 * 3600))
            log.append((ids.next("AU"), "mobile_data", line.msisdn, ts(since), "ok", apn, nas, cell, None))
            ip = f"10.{rng.randint(32, 191)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            tables["online_sessions"].append((ids.next("OS"), "mobile_data", line.msisdn, ts(since), ip, nas, cell))


def _moments(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    span = int((end - start).total_seconds())
    if span <= 0:
        return []
    return [start + timedelta(seconds=rng.randint(0, span)) for _ in range(count)]
