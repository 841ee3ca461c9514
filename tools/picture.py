"""The caller's picture across all five systems, as one read-only snapshot."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from tools.backends import Backends
from tools.base.errors import BackendError
from tools.base.values import check_msisdn


def caller_picture(backends: Backends, msisdn: str, clock: Callable[[], datetime]) -> dict[str, Any]:
    """Everything the five systems say about a caller, each part marked with its source.

    A part whose system fails is replaced by ``{"error": {...}}`` naming that system;
    the rest of the picture still comes back.

    Args:
        backends: The clients.
        msisdn: The caller's line.
        clock: Now, for the current billing month.

    Returns:
        A JSON-ready dict with keys boss, aaa, pon, coverage, ticketing; usage, bills and the
        elastic-package check cover last month and this month.

    Raises:
        InvalidInput: The MSISDN is malformed.
        RecordNotFound: BOSS has no such line.
    """
    msisdn = check_msisdn(msisdn)
    now = clock()
    month = now.strftime("%Y-%m")
    last_month = (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    sub = backends.boss.get_subscriber(msisdn)

    def part(fn: Callable[[], Any]) -> Any:
        try:
            value = fn()
        except BackendError as exc:
            return {"error": exc.to_dict()}
        if isinstance(value, list):
            return [v.model_dump() for v in value]
        return value.model_dump()

    accounts = part(lambda: backends.pon.find_accounts(msisdn))
    account_ids = [a["account_id"] for a in accounts] if isinstance(accounts, list) else []
    lines: dict[str, Any] = {}
    radius: dict[str, Any] = {}
    for account_id in account_ids:
        lines[account_id] = part(functools.partial(backends.pon.get_line_status, account_id))
        radius[account_id] = part(functools.partial(backends.aaa.list_auth_log, account_id, "broadband", 5))
    return {
        "msisdn": msisdn,
        "as_of": clock().isoformat(timespec="seconds"),
        "boss": {
            "subscriber": sub.model_dump(),
            "subscriptions": part(lambda: backends.boss.list_subscriptions(msisdn)),
            "usage": {m: part(functools.partial(backends.boss.get_data_usage, msisdn, m)) for m in (last_month, month)},
            "bill": {m: part(functools.partial(backends.boss.get_bill, msisdn, m)) for m in (last_month, month)},
            "elastic": {m: part(functools.partial(backends.boss.check_elastic_eligibility, msisdn, m))
                        for m in (last_month, month)},
            "payments": part(lambda: backends.boss.list_payments(msisdn, 5)),
        },
        "aaa": {
            "profile": part(lambda: backends.aaa.get_profile(msisdn)),
            "auth_log": part(lambda: backends.aaa.list_auth_log(msisdn, "mobile_data", 10)),
            "online": part(lambda: backends.aaa.list_online_sessions(msisdn, "mobile_data")),
            "broadband_auth_log": radius,
        },
        "pon": {"accounts": accounts, "lines": lines},
        "coverage": part(lambda: backends.coverage.check_area(sub.province, sub.city, sub.district,
                                                              sub.home_cell_id)),
        "ticketing": part(lambda: backends.ticketing.list_tickets(msisdn)),
    }
