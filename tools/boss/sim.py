"""BOSS over the simulator database."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from tools.base.errors import InvalidInput, OperationRejected, RecordNotFound
from tools.base.faults import FaultInjector
from tools.base.values import System, WriteResult, check_month, check_msisdn, fen_to_yuan
from tools.boss import sim_porting, sim_writes
from tools.boss.data_model import (
    STATUS_LABELS,
    Bill,
    BillItem,
    DataSession,
    DataUsage,
    ElasticEligibility,
    ElasticTier,
    Payment,
    PortEligibility,
    Product,
    RuleCheck,
    Subscriber,
    Subscription,
)
from tools.sim.db import SimDatabase

SYS = System.BOSS


def _month_shift(month: str, delta: int) -> str:
    year, mon = int(month[:4]), int(month[5:])
    index = year * 12 + (mon - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _product(row: sqlite3.Row) -> Product:
    return Product(
        product_id=row["product_id"], name=row["name"], kind=row["kind"], brand=row["brand"],
        monthly_fee_yuan=fen_to_yuan(row["monthly_fee_fen"]), data_quota_mb=row["data_quota_mb"],
        voice_minutes=row["voice_minutes"], unlimited=bool(row["unlimited"]),
        speed_cap_kbps=row["speed_cap_kbps"], bandwidth_mbps=row["bandwidth_mbps"],
        elastic_excluded=bool(row["elastic_excluded"]), description=row["description"],
        effective_from=row["effective_from"], effective_to=row["effective_to"],
    )


class SimBossClient:
    """BOSS backed by the simulator (see `BossClient` for the contract)."""

    def __init__(self, db: SimDatabase, faults: FaultInjector | None = None) -> None:
        self.db = db
        self.faults = faults or FaultInjector(SYS)

    # ------------------------------------------------------------------ reads
    def _subscriber_row(self, msisdn: str) -> sqlite3.Row:
        row = self.db.one(
            "SELECT s.*, p.name AS plan_name, p.elastic_excluded FROM subscribers s"
            " JOIN products p ON p.product_id = s.plan_id WHERE s.msisdn = ?",
            (msisdn,),
        )
        if row is None:
            raise RecordNotFound(SYS, f"BOSS 中没有号码 {msisdn}")
        return row

    def get_subscriber(self, msisdn: str) -> Subscriber:
        """See `BossClient.get_subscriber`."""
        msisdn = check_msisdn(msisdn, SYS)
        self.faults.apply("get_subscriber")
        r = self._subscriber_row(msisdn)
        return Subscriber(
            msisdn=r["msisdn"], name=r["name"], id_number_masked=r["id_number_masked"],
            province=r["province"], city=r["city"], district=r["district"], brand=r["brand"],
            plan_id=r["plan_id"], plan_name=r["plan_name"], status=r["status"],
            status_label=STATUS_LABELS[r["status"]], status_since=r["status_since"],
            balance_yuan=fen_to_yuan(r["balance_fen"]), credit_limit_yuan=fen_to_yuan(r["credit_limit_fen"]),
            real_name_verified=bool(r["real_name_verified"]), star_level=r["star_level"],
            open_date=r["open_date"], home_cell_id=r["home_cell_id"], contract_until=r["contract_until"],
        )

    def get_product(self, product_id: str) -> Product:
        """See `BossClient.get_product`."""
        self.faults.apply("get_product")
        row = self.db.one("SELECT * FROM products WHERE product_id = ?", (product_id,))
        if row is None:
            raise RecordNotFound(SYS, f"产品目录中没有 {product_id}")
        return _product(row)

    def list_products(self, kind: str | None = None) -> list[Product]:
        """See `BossClient.list_products`."""
        self.faults.apply("list_products")
        today = self.db.now().date().isoformat()
        rows = self.db.query(
            "SELECT * FROM products WHERE (? IS NULL OR kind = ?) AND effective_from <= ?"
            " AND (effective_to IS NULL OR effective_to > ?) ORDER BY kind, monthly_fee_fen, product_id",
            (kind, kind, today, today),
        )
        return [_product(r) for r in rows]

    def list_subscriptions(self, msisdn: str, active_only: bool = True) -> list[Subscription]:
        """See `BossClient.list_subscriptions`."""
        msisdn = check_msisdn(msisdn, SYS)
        self.faults.apply("list_subscriptions")
        self._subscriber_row(msisdn)
        rows = self.db.query(
            "SELECT s.*, p.name, p.kind, p.monthly_fee_fen FROM subscriptions s"
            " JOIN products p ON p.product_id = s.product_id"
            " WHERE s.msisdn = ? AND (? = 0 OR s.status = 'active') ORDER BY s.start_date, s.subscription_id",
            (msisdn, int(active_only)),
        )
        return [
            Subscription(
                subscription_id=r["subscription_id"], product_id=r["product_id"], product_name=r["name"],
                kind=r["kind"], monthly_fee_yuan=fen_to_yuan(r["monthly_fee_fen"]), status=r["status"],
                start_date=r["start_date"], end_date=r["end_date"], channel=r["channel"],
            )
            for r in rows
        ]

    def get_bill(self, msisdn: str, month: str) -> Bill:
        """See `BossClient.get_bill`."""
        msisdn, month = check_msisdn(msisdn, SYS), check_month(month, SYS)
        self.faults.apply("get_bill")
        bill = self.db.one("SELECT * FROM bills WHERE msisdn = ? AND month = ?", (msisdn, month))
        if bill is None:
            self._subscriber_row(msisdn)
            raise RecordNotFound(SYS, f"号码 {msisdn} 没有 {month} 的账单")
        items = self.db.query("SELECT * FROM bill_items WHERE bill_id = ? ORDER BY seq", (bill["bill_id"],))
        return Bill(
            bill_id=bill["bill_id"], msisdn=msisdn, month=month, total_yuan=fen_to_yuan(bill["total_fen"]),
            status=bill["status"], issued_date=bill["issued_date"],
            items=[
                BillItem(category=i["category"], item_name=i["item_name"], product_id=i["product_id"],
                         amount_yuan=fen_to_yuan(i["amount_fen"]))
                for i in items
            ],
        )

    def get_data_usage(self, msisdn: str, month: str) -> DataUsage:
        """See `BossClient.get_data_usage`."""
        msisdn, month = check_msisdn(msisdn, SYS), check_month(month, SYS)
        self.faults.apply("get_data_usage")
        r = self.db.one("SELECT * FROM data_usage WHERE msisdn = ? AND month = ?", (msisdn, month))
        if r is None:
            self._subscriber_row(msisdn)
            raise RecordNotFound(SYS, f"号码 {msisdn} 没有 {month} 的流量使用记录")
        return DataUsage(
            month=month, quota_mb=r["quota_mb"], used_mb=r["used_mb"], overage_mb=r["overage_mb"],
            roaming_mb=r["roaming_mb"], overage_fee_yuan=fen_to_yuan(r["overage_fee_fen"]),
            roaming_fee_yuan=fen_to_yuan(r["roaming_fee_fen"]), speed_capped=bool(r["speed_capped"]),
        )

    def list_data_sessions(
        self, msisdn: str, start: str | None = None, end: str | None = None, limit: int = 200
    ) -> list[DataSession]:
        """See `BossClient.list_data_sessions`."""
        msisdn = check_msisdn(msisdn, SYS)
        for label, value in (("start", start), ("end", end)):
            if value is not None:
                try:
                    datetime.fromisoformat(value)
                except ValueError:
                    raise InvalidInput(SYS, f"{label} 时间格式不正确: {value!r}") from None
        if not 1 <= limit <= 5000:
            raise InvalidInput(SYS, f"limit 应在 1..5000 之间: {limit}")
        self.faults.apply("list_data_sessions")
        self._subscriber_row(msisdn)
        rows = self.db.query(
            "SELECT * FROM data_sessions WHERE msisdn = ? AND (? IS NULL OR start_ts >= ?)"
            " AND (? IS NULL OR start_ts < ?) ORDER BY start_ts DESC, session_id LIMIT ?",
            (msisdn, start, start, end, end, limit),
        )
        return [
            DataSession(
                session_id=r["session_id"], apn=r["apn"], start_ts=r["start_ts"], end_ts=r["end_ts"],
                mb=r["mb"], cell_id=r["cell_id"], roaming=bool(r["roaming"]),
                roaming_country=r["roaming_country"], app_category=r["app_category"],
            )
            for r in rows
        ]

    def list_payments(self, msisdn: str, limit: int = 20) -> list[Payment]:
        """See `BossClient.list_payments`."""
        msisdn = check_msisdn(msisdn, SYS)
        self.faults.apply("list_payments")
        self._subscriber_row(msisdn)
        rows = self.db.query(
            "SELECT * FROM payments WHERE msisdn = ? ORDER BY ts DESC, payment_id LIMIT ?", (msisdn, limit)
        )
        return [
            Payment(payment_id=r["payment_id"], ts=r["ts"], amount_yuan=fen_to_yuan(r["amount_fen"]),
                    channel=r["channel"])
            for r in rows
        ]

    def check_elastic_eligibility(self, msisdn: str, month: str) -> ElasticEligibility:
        """See `BossClient.check_elastic_eligibility`."""
        msisdn, month = check_msisdn(msisdn, SYS), check_month(month, SYS)
        self.faults.apply("check_elastic_eligibility")
        return self._eligibility(self.db.conn(), msisdn, month)

    def _eligibility(self, conn: sqlite3.Connection, msisdn: str, month: str) -> ElasticEligibility:
        sub = self._subscriber_row(msisdn)
        usage = conn.execute("SELECT * FROM data_usage WHERE msisdn = ? AND month = ?", (msisdn, month)).fetchone()
        if usage is None:
            raise RecordNotFound(SYS, f"号码 {msisdn} 没有 {month} 的流量使用记录")
        applied = conn.execute(
            "SELECT month FROM elastic_applications WHERE msisdn = ? ORDER BY month DESC", (msisdn,)
        ).fetchall()
        applied_months = [r["month"] for r in applied]
        overage_mb, fee_fen = usage["overage_mb"], usage["overage_fee_fen"]
        tier_row = conn.execute(
            "SELECT * FROM elastic_tiers WHERE data_mb >= ? ORDER BY fee_fen LIMIT 1", (overage_mb,)
        ).fetchone()
        tier = (
            ElasticTier(tier_id=tier_row["tier_id"], name=tier_row["name"], data_mb=tier_row["data_mb"],
                        fee_yuan=fen_to_yuan(tier_row["fee_fen"]))
            if tier_row and overage_mb > 0 else None
        )
        now_month = self.db.now().strftime("%Y-%m")
        checks = [
            self._check(rule, sub, month, now_month, applied_months, overage_mb, usage["roaming_mb"])
            for rule in conn.execute("SELECT * FROM elastic_rules ORDER BY rule_code").fetchall()
        ]
        checks.append(RuleCheck(
            rule_code="tier_available", description="存在覆盖超出流量且比按量计费更便宜的弹性档位",
            passed=tier is not None and tier_row is not None and tier_row["fee_fen"] < fee_fen,
            detail=(f"超出 {overage_mb:.0f}MB，按量 {fen_to_yuan(fee_fen):.2f}元，"
                    + (f"{tier.name} {tier.fee_yuan:.2f}元" if tier else "无可用档位")),
        ))
        already = month in applied_months
        eligible = all(c.passed for c in checks) and not already
        fee_after = tier.fee_yuan if (eligible and tier) else None
        return ElasticEligibility(
            msisdn=msisdn, month=month, eligible=eligible, already_applied=already, overage_mb=overage_mb,
            overage_fee_yuan=fen_to_yuan(fee_fen), tier=tier, fee_after_yuan=fee_after,
            saving_yuan=round(fen_to_yuan(fee_fen) - fee_after, 2) if fee_after is not None else 0.0,
            checks=checks,
        )

    @staticmethod
    def _check(rule: sqlite3.Row, sub: sqlite3.Row, month: str, now_month: str,
               applied: list[str], overage_mb: float, roaming_mb: float) -> RuleCheck:
        code, param = rule["rule_code"], rule["param"]
        passed: bool
        if code == "status_active":
            passed, detail = sub["status"] == "active", f"号码状态：{STATUS_LABELS[sub['status']]}"
        elif code == "real_name":
            passed, detail = bool(sub["real_name_verified"]), "已实名" if sub["real_name_verified"] else "未实名"
        elif code == "plan_not_excluded":
            passed = not sub["elastic_excluded"]
            detail = f"当前套餐：{sub['plan_name']}" + ("（不可办理）" if not passed else "")
        elif code == "once_per_6_months":
            window = int(param or 6)
            recent = [m for m in applied if m != month and _month_shift(month, -window) < m <= month]
            passed = not recent
            detail = f"近{window}个月已办理：{'、'.join(recent)}" if recent else f"近{window}个月未办理过"
        elif code == "current_or_last_month":
            passed = month in (now_month, _month_shift(now_month, -1))
            detail = f"账期 {month}，当前 {now_month}"
        elif code == "domestic_only":
            passed = overage_mb > 0
            detail = f"国内超出 {overage_mb:.0f}MB；国际漫游 {roaming_mb:.0f}MB 不适用"
        elif code == "no_contract_conflict":
            until = sub["contract_until"]
            passed = until is None or until < f"{month}-01"
            detail = f"合约期至 {until}" if until else "无在约合约"
        else:
            passed, detail = False, f"未知规则 {code}，按不符合处理"
        return RuleCheck(rule_code=code, description=rule["description"], passed=passed, detail=detail)

    def check_port_eligibility(self, msisdn: str) -> PortEligibility:
        """See `BossClient.check_port_eligibility`."""
        msisdn = check_msisdn(msisdn, SYS)
        self.faults.apply("check_port_eligibility")
        sub = self._subscriber_row(msisdn)
        return sim_porting.port_eligibility(self.db.conn(), sub, self.db.now().date())

    # ------------------------------------------------------------------ writes
    def apply_elastic_package(self, msisdn: str, month: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `BossClient.apply_elastic_package`."""
        msisdn, month = check_msisdn(msisdn, SYS), check_month(month, SYS)
        self.faults.apply("apply_elastic_package")

        def apply(conn: sqlite3.Connection, ts: str) -> sim_writes.Outcome:
            check = self._eligibility(conn, msisdn, month)
            if check.already_applied:
                raise OperationRejected(SYS, f"{month} 已办理过弹性计费包")
            if not check.eligible or check.tier is None:
                failed = "；".join(c.detail for c in check.checks if not c.passed)
                raise OperationRejected(SYS, f"不符合弹性计费包办理条件：{failed}")
            return sim_writes.apply_elastic_package(
                conn, ts, msisdn, month, check.tier.tier_id,
                round(check.overage_fee_yuan * 100), round(check.tier.fee_yuan * 100),
            )

        return self.db.write(system=SYS, operation="boss.apply_elastic_package", target=msisdn, actor=actor,
                             idempotency_key=idempotency_key, params={"month": month}, apply=apply)

    def subscribe_data_pack(
        self, msisdn: str, product_id: str, *, actor: str, idempotency_key: str
    ) -> WriteResult:
        """See `BossClient.subscribe_data_pack`."""
        msisdn = check_msisdn(msisdn, SYS)
        self.faults.apply("subscribe_data_pack")
        return self.db.write(
            system=SYS, operation="boss.subscribe_data_pack", target=msisdn, actor=actor,
            idempotency_key=idempotency_key, params={"product_id": product_id},
            apply=lambda conn, ts: sim_writes.subscribe_data_pack(conn, ts, msisdn, product_id),
        )

    def resume_service(self, msisdn: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `BossClient.resume_service`."""
        msisdn = check_msisdn(msisdn, SYS)
        self.faults.apply("resume_service")
        return self.db.write(
            system=SYS, operation="boss.resume_service", target=msisdn, actor=actor,
            idempotency_key=idempotency_key, params={},
            apply=lambda conn, ts: sim_writes.resume_service(conn, ts, msisdn),
        )

    def unsubscribe_vas(self, msisdn: str, product_id: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `BossClient.unsubscribe_vas`."""
        msisdn = check_msisdn(msisdn, SYS)
        self.faults.apply("unsubscribe_vas")
        return self.db.write(
            system=SYS, operation="boss.unsubscribe_vas", target=msisdn, actor=actor,
            idempotency_key=idempotency_key, params={"product_id": product_id},
            apply=lambda conn, ts: sim_writes.unsubscribe_vas(conn, ts, msisdn, product_id),
        )

    def reset_service_password(self, msisdn: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `BossClient.reset_service_password`."""
        msisdn = check_msisdn(msisdn, SYS)
        self.faults.apply("reset_service_password")
        return self.db.write(
            system=SYS, operation="boss.reset_service_password", target=msisdn, actor=actor,
            idempotency_key=idempotency_key, params={},
            apply=lambda conn, ts: sim_writes.reset_service_password(conn, ts, msisdn),
        )

    def enable_roaming(self, msisdn: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `BossClient.enable_roaming`."""
        msisdn = check_msisdn(msisdn, SYS)
        self.faults.apply("enable_roaming")
        return self.db.write(
            system=SYS, operation="boss.enable_roaming", target=msisdn, actor=actor,
            idempotency_key=idempotency_key, params={},
            apply=lambda conn, ts: sim_writes.enable_roaming(conn, ts, msisdn),
        )
