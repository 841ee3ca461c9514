"""Number-portability (携号转网) eligibility, judged from the BOSS records the simulator already holds.

The conditions follow the porting rules a 10086 agent checks before a caller asks for an authorisation code:
the line is in normal use, registered under a real name, owes nothing, has been in service for 120 days,
is not inside a contract period, is a phone line (not a data or IoT card), and carries no converged
(融合) product such as broadband bundled in the plan.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from tools.base.values import fen_to_yuan
from tools.boss.data_model import STATUS_LABELS, PortEligibility, RuleCheck

MIN_TENURE_DAYS = 120
#: Plans that are data-only or IoT cards (no phone service), which cannot port.
NON_PHONE_PLANS = ("P-DATA-30", "P-IOT-10")

RULES: tuple[tuple[str, str], ...] = (
    ("status_active", "号码状态正常（非停机、非销户）"),
    ("real_name", "号码已完成实名登记"),
    ("no_arrears", "无欠费，账单已结清"),
    ("tenure", f"入网满{MIN_TENURE_DAYS}天"),
    ("no_contract", "不在合约期内（合约期内需先解除合约）"),
    ("phone_line", "为手机号码（数据卡、物联网卡不支持携号转网）"),
    ("no_converged", "无融合业务（主套餐内含的宽带等融合业务需先解除）"),
)


def port_eligibility(conn: sqlite3.Connection, sub: sqlite3.Row, today: date) -> PortEligibility:
    """Judge every porting condition for the subscriber row `sub` on `today`."""
    msisdn = sub["msisdn"]
    unpaid = conn.execute(
        "SELECT month, total_fen FROM bills WHERE msisdn = ? AND status = 'unpaid' ORDER BY month", (msisdn,)
    ).fetchall()
    subs = conn.execute(
        "SELECT p.product_id, p.name, p.kind, p.monthly_fee_fen FROM subscriptions s"
        " JOIN products p ON p.product_id = s.product_id WHERE s.msisdn = ? AND s.status = 'active'"
        " ORDER BY s.start_date, s.subscription_id",
        (msisdn,),
    ).fetchall()
    converged = [s["name"] for s in subs if s["kind"] == "broadband" and s["monthly_fee_fen"] == 0]
    balance = sub["balance_fen"]
    tenure = (today - date.fromisoformat(sub["open_date"])).days
    until = sub["contract_until"]
    in_contract = until is not None and until >= today.isoformat()
    outcome = {
        "status_active": (sub["status"] == "active", f"号码状态：{STATUS_LABELS[sub['status']]}"),
        "real_name": (bool(sub["real_name_verified"]), "已实名" if sub["real_name_verified"] else "未实名"),
        "no_arrears": (balance >= 0 and not unpaid, f"余额{fen_to_yuan(balance):.2f}元" + (
            f"，未缴账单{'、'.join(r['month'] for r in unpaid)}" if unpaid else "")),
        "tenure": (tenure >= MIN_TENURE_DAYS, f"{sub['open_date']}入网，已{tenure}天"),
        "no_contract": (not in_contract, f"合约期至{until}" if until else "无合约"),
        "phone_line": (sub["plan_id"] not in NON_PHONE_PLANS, f"当前套餐：{sub['plan_name']}"),
        "no_converged": (not converged, f"融合业务：{'、'.join(converged)}" if converged else "无融合业务"),
    }
    checks = [RuleCheck(rule_code=code, description=text, passed=outcome[code][0], detail=outcome[code][1])
              for code, text in RULES]
    notes = []
    if sub["star_level"] > 0:
        notes.append(f"{sub['star_level']}星级客户：携出后星级服务及积分权益不随号码转移，积分请在携转前使用")
    vas = [s["name"] for s in subs if s["kind"] == "vas"]
    if vas:
        notes.append(f"在用增值业务{len(vas)}项（{'、'.join(vas)}），携出后终止")
    if balance > 0:
        notes.append(f"账户余额{fen_to_yuan(balance):.2f}元，携出后可申请退还")
    return PortEligibility(
        msisdn=msisdn, eligible=all(c.passed for c in checks), checks=checks, contract_until=until,
        arrears_yuan=fen_to_yuan(max(0, -balance)), notes=notes,
    )
