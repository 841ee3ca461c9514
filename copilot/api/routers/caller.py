"""The caller card: who is calling, from where, on what plan, and the account states an agent must see first.

Read-only and cheap: BOSS for the line, AAA for the data profile, PON for broadband accounts and ticketing for
open tickets. A system that fails turns into a grey badge naming it; the rest of the card still comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from copilot.api.deps import BackendsDep, CallsDep, GateDep
from copilot.api.errors import api_error
from copilot.pii import mask
from tools.backends import Backends
from tools.base.errors import BackendError
from tools.boss.data_model import STATUS_LABELS, Subscriber

router = APIRouter(prefix="/v1/calls", tags=["calls"])
LOW_BALANCE_YUAN = 10.0
SYSTEM_LABELS = {"BOSS": "BOSS", "AAA": "AAA", "PON": "PON网管", "TICKETING": "工单系统"}


def _badge(label: str, level: str, system: str) -> dict[str, str]:
    return {"label": label, "level": level, "system": system}


def mask_name(name: str) -> str:
    """Keep the surname only: 张三丰 -> 张**."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def _line_badges(sub: Subscriber) -> list[dict[str, str]]:
    badges = []
    if sub.status == "active":
        badges.append(_badge("正常在用", "green", "BOSS"))
    else:
        badges.append(_badge(sub.status_label or STATUS_LABELS.get(sub.status, sub.status), "red", "BOSS"))
    if sub.balance_yuan < 0:
        badges.append(_badge(f"欠费{-sub.balance_yuan:.2f}元", "red", "BOSS"))
    elif sub.balance_yuan < LOW_BALANCE_YUAN:
        badges.append(_badge("余额不足10元", "amber", "BOSS"))
    if not sub.real_name_verified:
        badges.append(_badge("未实名", "amber", "BOSS"))
    return badges


def _try(fn: Callable[[], Any], system: str, failed: list[str]) -> Any:
    try:
        return fn()
    except BackendError:
        failed.append(system)
        return None


def caller_card(backends: Backends, msisdn: str) -> dict[str, Any]:
    """The caller card for `msisdn`: masked identity, region, brand and plan, and status badges.

    Raises:
        HTTPException: BOSS cannot give the line (the card has nothing to show without it).
    """
    try:
        sub = backends.boss.get_subscriber(msisdn)
    except BackendError as exc:
        raise api_error(exc.http_status if exc.http_status < 500 else 503, exc.code,
                        f"BOSS 查询失败：{exc.message}") from None
    failed: list[str] = []
    badges = _line_badges(sub)
    profile = _try(lambda: backends.aaa.get_profile(msisdn), "AAA", failed)
    if profile is not None:
        if not profile.gprs_enabled:
            badges.append(_badge("数据功能关闭", "red", "AAA"))
        if profile.account_locked:
            badges.append(_badge("数据账号锁定", "red", "AAA"))
        if profile.speed_cap_kbps:
            badges.append(_badge("已限速", "amber", "AAA"))
        if profile.roaming_enabled:
            badges.append(_badge("已开国际漫游", "grey", "AAA"))
    accounts = _try(lambda: backends.pon.find_accounts(msisdn), "PON", failed) or []
    broadband = []
    for account in accounts:
        broadband.append({"product": account.product_name, "status": STATUS_LABELS.get(account.status, account.status),
                          "district": account.district})
        if account.status != "active":
            badges.append(_badge(f"宽带{STATUS_LABELS.get(account.status, account.status)}", "red", "PON"))
        if account.radius_locked:
            badges.append(_badge("宽带账号锁定", "red", "AAA"))
    tickets = _try(lambda: backends.ticketing.list_tickets(msisdn), "TICKETING", failed) or []
    open_tickets = [t for t in tickets if t.status in ("open", "in_progress")]
    if open_tickets:
        badges.append(_badge(f"在途工单{len(open_tickets)}张", "amber", "TICKETING"))
    badges += [_badge(f"{SYSTEM_LABELS.get(s, s)}查询失败", "grey", s) for s in failed]
    return {
        "msisdn": mask(sub.msisdn),
        "name": mask_name(sub.name),
        "province": sub.province,
        "city": sub.city,
        "district": sub.district,
        "brand": sub.brand,
        "plan": sub.plan_name,
        "status": sub.status,
        "status_label": sub.status_label,
        "balance_yuan": sub.balance_yuan,
        "star_level": sub.star_level,
        "broadband": broadband,
        "open_tickets": len(open_tickets),
        "badges": badges,
        "failed": failed,
    }


@router.get("/{call_id}/caller")
def get_caller(call_id: str, calls: CallsDep, backends: BackendsDep, gate: GateDep) -> dict[str, Any]:
    """The caller card: masked number and name, region, brand and plan, account status badges."""
    record = calls.get(call_id, open_only=False)
    with gate.shared():  # the simulator's SQLite and the clients' locks: no worker is forked meanwhile
        return caller_card(backends, record.msisdn)
