"""The situations the simulator stages, and which line gets which.

A line has a mobile situation (BOSS, fees, mobile data; ``healthy`` when nothing is wrong)
and, when it has a broadband account, a broadband situation (``bb_healthy`` when the line
is fine). A line shows at most one problem: a broadband problem comes with a healthy
mobile side (``bb_arrears``: the whole account is in arrears). In ``sim_profiles`` a line
is labelled with its problem only; ``healthy`` (plus ``bb_healthy`` when it has broadband)
marks lines where nothing at all is wrong.
Every situation is guaranteed once, at deterministic random positions, whatever the size;
the other lines draw situations by realistic shares.
"""

from __future__ import annotations

import random

HEALTHY = "healthy"
BB_HEALTHY = "bb_healthy"

MOBILE_SITUATIONS: tuple[str, ...] = (
    "arrears_suspended", "request_suspended", "cancelled", "big_overage_elastic_eligible",
    "big_overage_elastic_used", "overage_excluded_plan", "roaming_charges", "unknown_vas", "not_real_name",
    "gprs_off", "wrong_apn", "account_locked", "speed_capped", "area_outage_mobile", "weak_coverage",
    "arrears_data_reject", "open_fee_dispute",
)
BB_SITUATIONS: tuple[str, ...] = (
    "bb_arrears", "bb_los_fibre_cut", "bb_low_rx_power", "bb_dying_gasp", "bb_onu_hung", "bb_bad_password",
    "bb_radius_locked", "bb_area_outage", "bb_open_repair_ticket",
)
ALL_SITUATIONS: tuple[str, ...] = (HEALTHY, *MOBILE_SITUATIONS, BB_HEALTHY, *BB_SITUATIONS)

ARREARS_SITUATIONS = ("arrears_suspended", "arrears_data_reject", "bb_arrears")
# Mobile situations whose line cannot also hold a working broadband account.
_NO_BROADBAND = ("arrears_suspended", "arrears_data_reject", "request_suspended", "cancelled",
                 "overage_excluded_plan")

# Shares (percent of lines) for lines past the guaranteed block.
_MOBILE_SHARES: dict[str, float] = {
    "arrears_suspended": 2.5, "request_suspended": 1.5, "cancelled": 0.6, "big_overage_elastic_eligible": 3.0,
    "big_overage_elastic_used": 1.5, "overage_excluded_plan": 0.8, "roaming_charges": 1.5, "unknown_vas": 2.0,
    "not_real_name": 1.0, "gprs_off": 1.0, "wrong_apn": 0.7, "account_locked": 0.5, "speed_capped": 2.0,
    "area_outage_mobile": 0.8, "weak_coverage": 1.5, "arrears_data_reject": 1.0, "open_fee_dispute": 0.6,
}
_BB_SHARES: dict[str, float] = {
    "bb_arrears": 1.5, "bb_los_fibre_cut": 2.0, "bb_low_rx_power": 2.0, "bb_dying_gasp": 1.5, "bb_onu_hung": 2.0,
    "bb_bad_password": 1.5, "bb_radius_locked": 1.0, "bb_area_outage": 1.5, "bb_open_repair_ticket": 1.5,
}
BROADBAND_SHARE = 0.33


def _weighted(rng: random.Random, shares: dict[str, float], rest: str) -> str:
    roll = rng.random() * 100.0
    for code, share in shares.items():
        if roll < share:
            return code
        roll -= share
    return rest


def assign_situations(rng: random.Random, n: int) -> list[tuple[str | None, str | None]]:
    """For each of ``n`` lines, its ``(mobile situation, broadband situation)``.

    The first occurrence of every situation sits at positions drawn with ``rng``; when ``n``
    is smaller than the number of situations, only the first ``n`` are guaranteed.
    """
    forced: list[tuple[str | None, str | None]] = [(code, None) for code in MOBILE_SITUATIONS]
    forced += [(None if code == "bb_arrears" else HEALTHY, code) for code in BB_SITUATIONS]
    forced += [(HEALTHY, BB_HEALTHY), (HEALTHY, None)]
    forced = forced[:n]
    positions = rng.sample(range(n), len(forced))
    plan: list[tuple[str | None, str | None]] = []
    for _ in range(n):
        bb: str | None = None
        if rng.random() < BROADBAND_SHARE:
            bb = _weighted(rng, _BB_SHARES, BB_HEALTHY)
        if bb == "bb_arrears":
            plan.append((None, bb))
        elif bb is not None and bb != BB_HEALTHY:
            plan.append((HEALTHY, bb))
        else:
            mobile = _weighted(rng, _MOBILE_SHARES, HEALTHY)
            plan.append((mobile, None if mobile in _NO_BROADBAND else bb))
    for pos, spec in zip(positions, forced, strict=True):
        plan[pos] = spec
    return plan
