"""The BOSS simulator's write operations, each applied inside `SimDatabase.write`'s transaction."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from typing import Any

from tools.base.errors import OperationRejected, RecordNotFound
from tools.base.values import System, fen_to_yuan

SYS = System.BOSS
OVERAGE_CATEGORY = "套餐外流量费"
Outcome = tuple[str, dict[str, Any]]


def _subscriber(conn: sqlite3.Connection, msisdn: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM subscribers WHERE msisdn = ?", (msisdn,)).fetchone()
    if row is None:
        raise RecordNotFound(SYS, f"BOSS 中没有号码 {msisdn}")
    return row


def _require_active(sub: sqlite3.Row, what: str) -> None:
    if sub["status"] != "active":
        raise OperationRejected(SYS, f"号码当前状态为 {sub['status']}，不能{what}")


def _set_overage_fee(conn: sqlite3.Connection, msisdn: str, month: str, new_fee_fen: int, note: str) -> int:
    """Set a month's domestic overage fee in usage and on the bill; return the change (fen)."""
    usage = conn.execute(
        "SELECT overage_fee_fen FROM data_usage WHERE msisdn = ? AND month = ?", (msisdn, month)
    ).fetchone()
    delta = new_fee_fen - usage["overage_fee_fen"]
    conn.execute(
        "UPDATE data_usage SET overage_fee_fen = ? WHERE msisdn = ? AND month = ?", (new_fee_fen, msisdn, month)
    )
    bill = conn.execute("SELECT bill_id FROM bills WHERE msisdn = ? AND month = ?", (msisdn, month)).fetchone()
    if bill is not None:
        item = conn.execute(
            "SELECT seq, item_name FROM bill_items WHERE bill_id = ? AND category = ?",
            (bill["bill_id"], OVERAGE_CATEGORY),
        ).fetchone()
        if item is not None:
            conn.execute(
                "UPDATE bill_items SET amount_fen = ?, item_name = ? WHERE bill_id = ? AND seq = ?",
                (new_fee_fen, f"{item['item_name'].split('（')[0]}（{note}）", bill["bill_id"], item["seq"]),
            )
        conn.execute(
            "UPDATE bills SET total_fen = (SELECT SUM(amount_fen) FROM bill_items WHERE bill_id = ?)"
            " WHERE bill_id = ?",
            (bill["bill_id"], bill["bill_id"]),
        )
    conn.execute("UPDATE subscribers SET balance_fen = balance_fen - ? WHERE msisdn = ?", (delta, msisdn))
    return delta


def apply_elastic_package(conn: sqlite3.Connection, ts: str, msisdn: str, month: str, tier_id: str,
                          fee_before_fen: int, tier_fee_fen: int) -> Outcome:
    """Record the application and replace the overage fee by the tier's fee (refunding the difference)."""
    conn.execute(
        "INSERT INTO elastic_applications (application_id, msisdn, month, tier_id, applied_ts,"
        " fee_before_fen, fee_after_fen) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (f"EA{msisdn}{month.replace('-', '')}", msisdn, month, tier_id, ts, fee_before_fen, tier_fee_fen),
    )
    tier = conn.execute("SELECT name FROM elastic_tiers WHERE tier_id = ?", (tier_id,)).fetchone()
    _set_overage_fee(conn, msisdn, month, tier_fee_fen, f"已转{tier['name']}")
    saving = fee_before_fen - tier_fee_fen
    return (
        f"{month} 超出流量已转为{tier['name']}，流量费由 {fen_to_yuan(fee_before_fen):.2f}元 调整为 "
        f"{fen_to_yuan(tier_fee_fen):.2f}元，差额 {fen_to_yuan(saving):.2f}元 退回话费账户",
        {"month": month, "tier_id": tier_id, "fee_before_yuan": fen_to_yuan(fee_before_fen),
         "fee_after_yuan": fen_to_yuan(tier_fee_fen), "refund_yuan": fen_to_yuan(saving)},
    )


def subscribe_data_pack(conn: sqlite3.Connection, ts: str, msisdn: str, product_id: str) -> Outcome:
    """Order a data pack: it counts toward this month's quota at once."""
    sub = _subscriber(conn, msisdn)
    _require_active(sub, "订购流量包")
    product = conn.execute(
        "SELECT * FROM products WHERE product_id = ? AND kind = 'data_pack'", (product_id,)
    ).fetchone()
    if product is None:
        raise RecordNotFound(SYS, f"没有流量包产品 {product_id}")
    today = ts[:10]
    if product["effective_from"] > today or (product["effective_to"] and product["effective_to"] <= today):
        raise OperationRejected(SYS, f"{product['name']} 当前不在售")
    month = ts[:7]
    sub_id = f"S{msisdn}{product_id}{ts.replace('-', '').replace(':', '').replace('T', '')}"
    conn.execute(
        "INSERT INTO subscriptions (subscription_id, msisdn, product_id, status, start_date, end_date, channel)"
        " VALUES (?, ?, ?, 'active', ?, NULL, '10086热线')",
        (sub_id, msisdn, product_id, today),
    )
    usage = conn.execute("SELECT * FROM data_usage WHERE msisdn = ? AND month = ?", (msisdn, month)).fetchone()
    if usage is not None:
        quota = usage["quota_mb"] + product["data_quota_mb"]
        plan = conn.execute("SELECT unlimited FROM products WHERE product_id = ?", (sub["plan_id"],)).fetchone()
        overage = 0.0 if plan["unlimited"] else round(max(0.0, usage["used_mb"] - quota), 2)
        old_overage = usage["overage_mb"]
        new_fee = round(usage["overage_fee_fen"] * overage / old_overage) if old_overage else 0
        conn.execute(
            "UPDATE data_usage SET quota_mb = ?, overage_mb = ? WHERE msisdn = ? AND month = ?",
            (quota, overage, msisdn, month),
        )
        if new_fee != usage["overage_fee_fen"]:
            _set_overage_fee(conn, msisdn, month, new_fee, f"订购{product['name']}后重算")
    bill = conn.execute("SELECT bill_id FROM bills WHERE msisdn = ? AND month = ?", (msisdn, month)).fetchone()
    if bill is not None:
        seq = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM bill_items WHERE bill_id = ?", (bill["bill_id"],)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO bill_items (bill_id, seq, category, item_name, product_id, amount_fen)"
            " VALUES (?, ?, '套餐及固定费', ?, ?, ?)",
            (bill["bill_id"], seq, product["name"], product_id, product["monthly_fee_fen"]),
        )
        conn.execute("UPDATE bills SET total_fen = total_fen + ? WHERE bill_id = ?",
                     (product["monthly_fee_fen"], bill["bill_id"]))
    conn.execute("UPDATE subscribers SET balance_fen = balance_fen - ? WHERE msisdn = ?",
                 (product["monthly_fee_fen"], msisdn))
    return (
        f"已订购{product['name']}（{fen_to_yuan(product['monthly_fee_fen']):.2f}元），立即生效",
        {"subscription_id": sub_id, "product_id": product_id, "data_mb": product["data_quota_mb"],
         "fee_yuan": fen_to_yuan(product["monthly_fee_fen"])},
    )


def resume_service(conn: sqlite3.Connection, ts: str, msisdn: str) -> Outcome:
    """Resume a suspended line; an arrears suspension needs a non-negative balance."""
    sub = _subscriber(conn, msisdn)
    if sub["status"] == "active":
        raise OperationRejected(SYS, "号码状态正常，无需复机")
    if sub["status"] == "cancelled":
        raise OperationRejected(SYS, "号码已销户，不能复机")
    if sub["status"] == "suspended_arrears" and sub["balance_fen"] < 0:
        raise OperationRejected(
            SYS, f"仍欠费 {fen_to_yuan(-sub['balance_fen']):.2f}元，请先缴清欠费，缴费后系统自动复机"
        )
    conn.execute("UPDATE subscribers SET status = 'active', status_since = ? WHERE msisdn = ?", (ts, msisdn))
    return "已复机，号码恢复正常使用（约5分钟内生效）", {"previous_status": sub["status"]}


def unsubscribe_vas(conn: sqlite3.Connection, ts: str, msisdn: str, product_id: str) -> Outcome:
    """Cancel an active VAS subscription."""
    _subscriber(conn, msisdn)
    row = conn.execute(
        "SELECT s.subscription_id, p.name, p.monthly_fee_fen FROM subscriptions s"
        " JOIN products p ON p.product_id = s.product_id"
        " WHERE s.msisdn = ? AND s.product_id = ? AND s.status = 'active' AND p.kind = 'vas'",
        (msisdn, product_id),
    ).fetchone()
    if row is None:
        raise RecordNotFound(SYS, f"号码 {msisdn} 没有在用的增值业务 {product_id}")
    conn.execute(
        "UPDATE subscriptions SET status = 'cancelled', end_date = ? WHERE subscription_id = ?",
        (ts[:10], row["subscription_id"]),
    )
    return (
        f"已退订{row['name']}（{fen_to_yuan(row['monthly_fee_fen']):.2f}元/月），次月起不再收费",
        {"subscription_id": row["subscription_id"], "product_id": product_id},
    )


def reset_service_password(conn: sqlite3.Connection, ts: str, msisdn: str) -> Outcome:
    """Set a new random service password; only its hash is stored, the SMS carries it."""
    sub = _subscriber(conn, msisdn)
    if sub["status"] == "cancelled":
        raise OperationRejected(SYS, "号码已销户，不能重置服务密码")
    new_password = f"{secrets.randbelow(10**6):06d}"
    digest = hashlib.sha256(f"{msisdn}:{new_password}".encode()).hexdigest()
    conn.execute(
        "UPDATE subscribers SET service_password_hash = ?, password_reset_at = ? WHERE msisdn = ?",
        (digest, ts, msisdn),
    )
    return "服务密码已重置，新密码已通过短信发送至本机", {"sms_sent": True}


def enable_roaming(conn: sqlite3.Connection, ts: str, msisdn: str) -> Outcome:
    """Turn on international roaming (needs an active, real-name line)."""
    sub = _subscriber(conn, msisdn)
    _require_active(sub, "开通国际漫游")
    if not sub["real_name_verified"]:
        raise OperationRejected(SYS, "号码未实名登记，不能开通国际漫游")
    profile = conn.execute("SELECT roaming_enabled FROM aaa_profiles WHERE msisdn = ?", (msisdn,)).fetchone()
    if profile is not None and profile["roaming_enabled"]:
        raise OperationRejected(SYS, "国际漫游功能已开通，无需重复办理")
    conn.execute("UPDATE aaa_profiles SET roaming_enabled = 1 WHERE msisdn = ?", (msisdn,))
    return "国际及港澳台漫游功能已开通，即时生效", {"roaming_enabled": True}
