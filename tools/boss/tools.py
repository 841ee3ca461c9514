"""LangChain tools over BOSS: account, subscriptions, bills, usage, sessions, elastic pack; and its writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from tools.base.toolkit import Toolkit, ToolType, is_tool, write_result
from tools.base.values import FactMaker, System, ToolResult
from tools.boss.client import BossClient

SYS = System.BOSS


_fact = FactMaker(SYS, "boss")


def _where(roaming: bool, country: str | None) -> str:
    return f"漫游 {country or ''}".strip() if roaming else "国内"


class BossToolkit(Toolkit):
    """BOSS tools. Months default to the current billing month by `clock`."""

    system = SYS

    def __init__(self, client: BossClient, clock: Callable[[], datetime]) -> None:
        self.client = client
        self.clock = clock

    def _month(self, month: str | None) -> str:
        return month or self.clock().strftime("%Y-%m")

    @is_tool(ToolType.READ)
    def boss_get_account(self, msisdn: str) -> ToolResult:
        """Look up a line's account in BOSS: status, balance, credit limit, brand, plan, real-name, region.

        Args:
            msisdn: The caller's 11-digit mobile number.

        Returns:
            Facts such as 账户状态 = 欠费停机 (BOSS) and 账户余额 = -23.5元 (BOSS).
        """
        s = self.client.get_subscriber(msisdn)
        facts = [
            _fact("账户状态", s.status_label, "subscriber.status"),
            *([_fact("状态起始", s.status_since, "subscriber.status_since")] if s.status != "active" else []),
            _fact("账户余额", s.balance_yuan, "subscriber.balance", "元"),
            _fact("信用额度", s.credit_limit_yuan, "subscriber.credit_limit", "元"),
            _fact("品牌", s.brand, "subscriber.brand"),
            _fact("当前套餐", s.plan_name, "subscriber.plan"),
            _fact("实名登记", s.real_name_verified, "subscriber.real_name"),
            _fact("星级", s.star_level, "subscriber.star_level", "星"),
            _fact("归属地", f"{s.province}{s.city}{s.district}", "subscriber.region"),
            _fact("入网日期", s.open_date, "subscriber.open_date"),
            *([_fact("合约期至", s.contract_until, "subscriber.contract_until")] if s.contract_until else []),
        ]
        return ToolResult(tool="boss_get_account", system=SYS, ok=True, facts=facts, data=s.model_dump())

    @is_tool(ToolType.READ)
    def boss_get_subscriptions(self, msisdn: str) -> ToolResult:
        """List the plans, data packs and value-added services (VAS) a line holds now, with fees and channel.

        Args:
            msisdn: The caller's 11-digit mobile number.

        Returns:
            One fact per active subscription, e.g. 增值业务 = 咪咕视频会员 15.0元/月（第三方合作渠道 2026-09-03订购）.
        """
        subs = self.client.list_subscriptions(msisdn)
        labels = {"plan": "套餐", "data_pack": "流量包", "vas": "增值业务", "elastic_pack": "弹性计费包",
                  "broadband": "宽带"}
        facts = [
            _fact(labels.get(s.kind, s.kind),
                  f"{s.product_name} {s.monthly_fee_yuan}元/月（{s.channel} {s.start_date}订购）",
                  f"subscription.{s.subscription_id}")
            for s in subs
        ]
        return ToolResult(tool="boss_get_subscriptions", system=SYS, ok=True, facts=facts,
                          data=[s.model_dump() for s in subs])

    @is_tool(ToolType.READ)
    def boss_get_bill(self, msisdn: str, month: str | None = None) -> ToolResult:
        """Get a month's bill with every item (plan fee, data overage, VAS, roaming, discounts).

        Args:
            msisdn: The caller's 11-digit mobile number.
            month: Billing month YYYY-MM; the current month when omitted.

        Returns:
            Facts for the total, each category's subtotal (套餐及固定费小计 = 69.0元) and each item.
        """
        bill = self.client.get_bill(msisdn, self._month(month))
        facts = [_fact(f"{bill.month}账单合计", bill.total_yuan, f"bill.{bill.month}.total", "元")]
        subtotals: dict[str, float] = {}
        for i in bill.items:
            subtotals[i.category] = round(subtotals.get(i.category, 0.0) + i.amount_yuan, 2)
        facts += [_fact(f"{bill.month} {category}小计", amount, f"bill.{bill.month}.subtotal.{category}", "元")
                  for category, amount in subtotals.items()]
        facts += [
            _fact(f"{bill.month} {i.category}", f"{i.item_name} {i.amount_yuan}元", f"bill.{bill.month}.item.{n}")
            for n, i in enumerate(bill.items)
        ]
        return ToolResult(tool="boss_get_bill", system=SYS, ok=True, facts=facts, data=bill.model_dump())

    @is_tool(ToolType.READ)
    def boss_get_data_usage(self, msisdn: str, month: str | None = None) -> ToolResult:
        """Get a month's data use: quota, used, overage and its fee, roaming use and fee, speed cap.

        Args:
            msisdn: The caller's 11-digit mobile number.
            month: Billing month YYYY-MM; the current month when omitted.

        Returns:
            Facts such as 套餐外流量 = 2355.0MB (BOSS) and 套餐外流量费 = 60.0元 (BOSS).
        """
        u = self.client.get_data_usage(msisdn, self._month(month))
        ref = f"usage.{u.month}"
        facts = [
            _fact(f"{u.month}国内流量额度", u.quota_mb, f"{ref}.quota", "MB"),
            _fact(f"{u.month}国内已用流量", u.used_mb, f"{ref}.used", "MB"),
            _fact(f"{u.month}国内剩余流量", round(max(0.0, u.quota_mb - u.used_mb), 1), f"{ref}.left", "MB"),
            _fact(f"{u.month}套餐外流量", u.overage_mb, f"{ref}.overage", "MB"),
            _fact(f"{u.month}套餐外流量费", u.overage_fee_yuan, f"{ref}.overage_fee", "元"),
            _fact(f"{u.month}国际漫游流量", u.roaming_mb, f"{ref}.roaming", "MB"),
            _fact(f"{u.month}国际漫游费", u.roaming_fee_yuan, f"{ref}.roaming_fee", "元"),
            _fact(f"{u.month}已达量限速", u.speed_capped, f"{ref}.speed_capped"),
        ]
        if u.speed_capped:  # the cap lifts when the next billing month starts
            year, number = int(u.month[:4]), int(u.month[5:7])
            lifted = f"{year + number // 12}-{number % 12 + 1:02d}-01"
            facts.append(_fact(f"{u.month}限速解除日期", lifted, f"{ref}.cap_lifted"))
        return ToolResult(tool="boss_get_data_usage", system=SYS, ok=True, facts=facts, data=u.model_dump())

    @is_tool(ToolType.READ)
    def boss_get_data_sessions(
        self, msisdn: str, start: str | None = None, end: str | None = None, limit: int = 500
    ) -> ToolResult:
        """Get data session records (上网详单): totals by day and by app, and the largest sessions.

        Args:
            msisdn: The caller's 11-digit mobile number.
            start: ISO start time; the start of the current month when omitted.
            end: ISO end time (exclusive); now when omitted.
            limit: Most sessions to read (1..5000).

        Returns:
            Facts for the three largest sessions and the top app category; data has by_day and by_app totals.
        """
        now = self.clock()
        start = start or now.strftime("%Y-%m-01T00:00:00")
        sessions = self.client.list_data_sessions(msisdn, start, end, limit)
        by_day: dict[str, float] = defaultdict(float)
        by_app: dict[str, float] = defaultdict(float)
        for s in sessions:
            by_day[s.start_ts[:10]] += s.mb
            by_app[s.app_category] += s.mb
        largest = sorted(sessions, key=lambda s: (-s.mb, s.session_id))[:3]
        facts = [
            _fact("大流量会话",
                  f"{s.start_ts} {s.app_category} {s.mb}MB（{_where(s.roaming, s.roaming_country)}，APN {s.apn}）",
                  f"session.{s.session_id}")
            for s in largest
        ]
        if by_app:
            app, mb = max(by_app.items(), key=lambda kv: (kv[1], kv[0]))
            facts.append(_fact("用量最多的应用类别", f"{app} {mb:.1f}MB", "sessions.by_app"))
        data = {
            "start": start, "end": end, "count": len(sessions),
            "by_day": {k: round(v, 2) for k, v in sorted(by_day.items())},
            "by_app": {k: round(v, 2) for k, v in sorted(by_app.items(), key=lambda kv: -kv[1])},
            "largest": [s.model_dump() for s in largest],
        }
        return ToolResult(tool="boss_get_data_sessions", system=SYS, ok=True, facts=facts, data=data)

    @is_tool(ToolType.READ)
    def boss_check_elastic_eligibility(self, msisdn: str, month: str | None = None) -> ToolResult:
        """Judge the elastic billing package (弹性计费包) for a month's overage: each rule, the tier, the saving.

        Args:
            msisdn: The caller's 11-digit mobile number.
            month: Billing month YYYY-MM; the current month when omitted.

        Returns:
            Facts: eligible or not, the tier and the fee it saves, and each failed rule with why.
        """
        e = self.client.check_elastic_eligibility(msisdn, self._month(month))
        ref = f"elastic.{e.month}"
        facts = [
            _fact(f"{e.month}可办理弹性计费包", e.eligible, f"{ref}.eligible"),
            _fact(f"{e.month}已办理弹性计费包", e.already_applied, f"{ref}.already_applied"),
        ]
        if e.tier:
            facts.append(_fact("适用档位", f"{e.tier.name}（{e.tier.fee_yuan}元）", f"{ref}.tier"))
        if e.eligible:
            facts.append(_fact("办理后可节省", e.saving_yuan, f"{ref}.saving", "元"))
        facts += [_fact("不符合条件", f"{c.description}：{c.detail}", f"{ref}.rule.{c.rule_code}")
                  for c in e.checks if not c.passed]
        return ToolResult(tool="boss_check_elastic_eligibility", system=SYS, ok=True, facts=facts,
                          data=e.model_dump())

    @is_tool(ToolType.READ)
    def boss_get_payments(self, msisdn: str, limit: int = 5) -> ToolResult:
        """List the latest payments (top-ups) of a line.

        Args:
            msisdn: The caller's 11-digit mobile number.
            limit: How many, newest first.

        Returns:
            One fact per payment.
        """
        pays = self.client.list_payments(msisdn, limit)
        facts = [_fact("缴费记录", f"{p.ts} {p.channel} {p.amount_yuan}元", f"payment.{p.payment_id}") for p in pays]
        return ToolResult(tool="boss_get_payments", system=SYS, ok=True, facts=facts,
                          data=[p.model_dump() for p in pays])

    @is_tool(ToolType.READ)
    def boss_get_product(self, product_id: str) -> ToolResult:
        """Look up one product of the catalogue (plan, data pack, VAS, broadband): fee, allowances, on sale or retired.

        Args:
            product_id: The product id, e.g. the line's plan_id from boss_get_account.

        Returns:
            Facts such as 月费 = 128.0元 (BOSS), 在售状态 = 已下架（2020-12-31起停售） (BOSS).

        Raises:
            RecordNotFound: No such product (the tool answers ok = False, code not_found).
        """
        p = self.client.get_product(product_id)
        ref = f"product.{p.product_id}"
        facts = [
            _fact("产品名称", p.name, f"{ref}.name"),
            _fact("月费", p.monthly_fee_yuan, f"{ref}.fee", "元"),
            _fact("国内通用流量", p.data_quota_mb, f"{ref}.quota", "MB"),
            _fact("国内语音", p.voice_minutes, f"{ref}.minutes", "分钟"),
            _fact("不限量", p.unlimited, f"{ref}.unlimited"),
            _fact("在售状态", f"已下架（{p.effective_to}起停售）" if p.effective_to else "在售", f"{ref}.effective_to"),
            _fact("产品说明", p.description, f"{ref}.description"),
        ]
        return ToolResult(tool="boss_get_product", system=SYS, ok=True, facts=facts, data=p.model_dump())

    @is_tool(ToolType.READ)
    def boss_list_products(self, kind: str | None = None) -> ToolResult:
        """List the products on sale today, cheapest first, to compare plans or pick a pack.

        Args:
            kind: plan, data_pack, vas, elastic_pack or broadband; every kind when omitted.

        Returns:
            One fact per product with its fee and allowances; data holds the full records.

        Raises:
            SystemUnavailable: BOSS is down (the tool answers ok = False naming BOSS).
        """
        products = self.client.list_products(kind)
        labels = {"plan": "在售套餐", "data_pack": "在售流量包", "vas": "在售增值业务",
                  "elastic_pack": "弹性计费包档位", "broadband": "在售宽带"}
        facts = [
            _fact(labels.get(p.kind, p.kind),
                  f"{p.name}（{p.product_id}）{p.monthly_fee_yuan}元/月，流量{p.data_quota_mb}MB，语音{p.voice_minutes}分钟",
                  f"product.{p.product_id}")
            for p in products
        ]
        return ToolResult(tool="boss_list_products", system=SYS, ok=True, facts=facts,
                          data=[p.model_dump() for p in products])

    @is_tool(ToolType.READ)
    def boss_check_port_eligibility(self, msisdn: str) -> ToolResult:
        """Judge number portability (携号转网) for a line: each condition, what blocks it, what the caller gives up.

        Args:
            msisdn: The caller's 11-digit mobile number.

        Returns:
            Facts: 可携号转网 (yes/no), each failed condition with the values checked, and 携转提示 notes
            (star level and points, VAS that end, balance to refund).

        Raises:
            RecordNotFound: No such line (the tool answers ok = False, code not_found).
            InvalidInput: Not an 11-digit mobile number (ok = False, code invalid_input).
        """
        e = self.client.check_port_eligibility(msisdn)
        facts = [_fact("可携号转网", e.eligible, "porting.eligible")]
        facts += [_fact("不符合条件", f"{c.description}：{c.detail}", f"porting.rule.{c.rule_code}")
                  for c in e.checks if not c.passed]
        facts += [_fact("携转提示", note, f"porting.note.{n}") for n, note in enumerate(e.notes)]
        return ToolResult(tool="boss_check_port_eligibility", system=SYS, ok=True, facts=facts,
                          data=e.model_dump())

    @is_tool(ToolType.WRITE, action="refund_via_elastic_package")
    def boss_apply_elastic_package(self, msisdn: str, month: str, actor: str, idempotency_key: str) -> ToolResult:
        """Convert a month's data overage into the elastic billing package and refund the difference.

        Args:
            msisdn: The caller's 11-digit mobile number.
            month: Billing month YYYY-MM of the overage.
            actor: The agent's id.
            idempotency_key: Unique per confirmed action; the same key twice acts once.

        Returns:
            The outcome: fee before and after, refund.
        """
        res = self.client.apply_elastic_package(msisdn, month, actor=actor, idempotency_key=idempotency_key)
        return write_result("boss_apply_elastic_package", SYS, res)

    @is_tool(ToolType.WRITE, action="offer_data_pack")
    def boss_subscribe_data_pack(self, msisdn: str, product_id: str, actor: str, idempotency_key: str) -> ToolResult:
        """Order a data pack for the line, effective at once.

        Args:
            msisdn: The caller's 11-digit mobile number.
            product_id: The data pack's product id.
            actor: The agent's id.
            idempotency_key: Unique per confirmed action; the same key twice acts once.

        Returns:
            The outcome with the pack's data and fee.
        """
        res = self.client.subscribe_data_pack(msisdn, product_id, actor=actor, idempotency_key=idempotency_key)
        return write_result("boss_subscribe_data_pack", SYS, res)

    @is_tool(ToolType.WRITE, action="resume_service")
    def boss_resume_service(self, msisdn: str, actor: str, idempotency_key: str) -> ToolResult:
        """Resume a suspended line (an arrears suspension needs the arrears paid first).

        Args:
            msisdn: The caller's 11-digit mobile number.
            actor: The agent's id.
            idempotency_key: Unique per confirmed action; the same key twice acts once.

        Returns:
            The outcome.
        """
        res = self.client.resume_service(msisdn, actor=actor, idempotency_key=idempotency_key)
        return write_result("boss_resume_service", SYS, res)

    @is_tool(ToolType.WRITE, action="unsubscribe_vas")
    def boss_unsubscribe_vas(self, msisdn: str, product_id: str, actor: str, idempotency_key: str) -> ToolResult:
        """Cancel a value-added service the caller does not want.

        Args:
            msisdn: The caller's 11-digit mobile number.
            product_id: The VAS product id (from boss_get_subscriptions).
            actor: The agent's id.
            idempotency_key: Unique per confirmed action; the same key twice acts once.

        Returns:
            The outcome.
        """
        res = self.client.unsubscribe_vas(msisdn, product_id, actor=actor, idempotency_key=idempotency_key)
        return write_result("boss_unsubscribe_vas", SYS, res)

    @is_tool(ToolType.WRITE, action="reset_password")
    def boss_reset_password(self, msisdn: str, actor: str, idempotency_key: str) -> ToolResult:
        """Reset the line's service password; the new one is sent to the line by SMS.

        Args:
            msisdn: The caller's 11-digit mobile number.
            actor: The agent's id.
            idempotency_key: Unique per confirmed action; the same key twice acts once.

        Returns:
            The outcome.
        """
        res = self.client.reset_service_password(msisdn, actor=actor, idempotency_key=idempotency_key)
        return write_result("boss_reset_password", SYS, res)

    @is_tool(ToolType.WRITE, action="enable_roaming")
    def boss_enable_roaming(self, msisdn: str, actor: str, idempotency_key: str) -> ToolResult:
        """Turn on international and HK/Macao/Taiwan roaming.

        Args:
            msisdn: The caller's 11-digit mobile number.
            actor: The agent's id.
            idempotency_key: Unique per confirmed action; the same key twice acts once.

        Returns:
            The outcome.
        """
        res = self.client.enable_roaming(msisdn, actor=actor, idempotency_key=idempotency_key)
        return write_result("boss_enable_roaming", SYS, res)
