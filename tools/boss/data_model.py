"""BOSS records as the copilot sees them (amounts in yuan)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

SubscriberStatus = Literal["active", "suspended_arrears", "suspended_request", "cancelled"]

STATUS_LABELS: dict[str, str] = {
    "active": "正常",
    "suspended_arrears": "欠费停机",
    "suspended_request": "申请停机（报停）",
    "cancelled": "已销户",
}


class Subscriber(BaseModel):
    """A mobile line and its account."""

    msisdn: str = Field(description="11-digit mobile number")
    name: str = Field(description="Customer name (masked when shown)")
    id_number_masked: str = Field(description="ID card number, masked in BOSS itself")
    province: str = Field(description="Province of the line's home region")
    city: str = Field(description="City")
    district: str = Field(description="District")
    brand: str = Field(description="全球通 / 动感地带 / 神州行")
    plan_id: str = Field(description="Current plan's product id")
    plan_name: str = Field(description="Current plan's name")
    status: SubscriberStatus = Field(description="Account status")
    status_label: str = Field(description="Status in Chinese")
    status_since: str = Field(description="When the status last changed")
    balance_yuan: float = Field(description="Balance; negative when in arrears")
    credit_limit_yuan: float = Field(description="Credit limit (信用额度)")
    real_name_verified: bool = Field(description="Real-name registration done")
    star_level: int = Field(description="星级 0..7")
    open_date: str = Field(description="Date the line was opened")
    home_cell_id: str = Field(description="Cell the line is mostly served by")
    contract_until: str | None = Field(default=None, description="End of a contract period, if any")


class Product(BaseModel):
    """A plan, data pack, VAS, elastic pack or broadband product."""

    product_id: str = Field(description="Product id")
    name: str = Field(description="Product name")
    kind: Literal["plan", "data_pack", "vas", "elastic_pack", "broadband"] = Field(description="Product kind")
    brand: str | None = Field(default=None, description="Brand for plans")
    monthly_fee_yuan: float = Field(description="Monthly fee")
    data_quota_mb: int = Field(description="Domestic data included per month (MB)")
    voice_minutes: int = Field(description="Voice minutes included")
    unlimited: bool = Field(description="不限量 plan: speed cap instead of overage fees")
    speed_cap_kbps: int | None = Field(default=None, description="Speed cap after the quota")
    bandwidth_mbps: int | None = Field(default=None, description="Broadband bandwidth")
    elastic_excluded: bool = Field(description="Holders may not use the elastic billing package")
    description: str = Field(description="Rules in Chinese")
    effective_from: str = Field(description="On sale from")
    effective_to: str | None = Field(default=None, description="Retired on")


class Subscription(BaseModel):
    """A product a line holds."""

    subscription_id: str = Field(description="Subscription id")
    product_id: str = Field(description="Product id")
    product_name: str = Field(description="Product name")
    kind: str = Field(description="Product kind")
    monthly_fee_yuan: float = Field(description="Monthly fee")
    status: Literal["active", "cancelled"] = Field(description="Active or cancelled")
    start_date: str = Field(description="Start date")
    end_date: str | None = Field(default=None, description="End date")
    channel: str = Field(description="Where it was ordered (营业厅 / APP / 第三方合作渠道 ...)")


class BillItem(BaseModel):
    """One line of a bill."""

    category: str = Field(description="套餐及固定费 / 套餐外流量费 / 增值业务费 / 国际及港澳台漫游费 ...")
    item_name: str = Field(description="Item name")
    product_id: str | None = Field(default=None, description="Product behind the item")
    amount_yuan: float = Field(description="Amount; negative for discounts")


class Bill(BaseModel):
    """A monthly bill (the current month's is open, not yet issued)."""

    bill_id: str = Field(description="Bill id")
    msisdn: str = Field(description="Line")
    month: str = Field(description="Billing month YYYY-MM")
    total_yuan: float = Field(description="Total = sum of items")
    status: Literal["paid", "unpaid", "open"] = Field(description="paid / unpaid / open (current month)")
    issued_date: str | None = Field(default=None, description="Issue date")
    items: list[BillItem] = Field(description="Items")


class DataUsage(BaseModel):
    """Data use in one billing month."""

    month: str = Field(description="Billing month")
    quota_mb: int = Field(description="Domestic quota: plan + data packs")
    used_mb: float = Field(description="Domestic use")
    overage_mb: float = Field(description="Use beyond the quota (0 on unlimited plans)")
    roaming_mb: float = Field(description="International/HK-Macao-Taiwan roaming use")
    overage_fee_yuan: float = Field(description="Domestic overage charge")
    roaming_fee_yuan: float = Field(description="Roaming charge")
    speed_capped: bool = Field(description="Unlimited plan past its quota, speed capped")


class DataSession(BaseModel):
    """One data session record (CDR / 详单)."""

    session_id: str = Field(description="Session id")
    apn: str = Field(description="APN")
    start_ts: str = Field(description="Start")
    end_ts: str = Field(description="End")
    mb: float = Field(description="Volume (MB)")
    cell_id: str = Field(description="Serving cell")
    roaming: bool = Field(description="Roaming abroad")
    roaming_country: str | None = Field(default=None, description="Where, when roaming")
    app_category: str = Field(description="视频 / 短视频 / 社交 / 游戏 / 下载 / 浏览 / 系统更新 / 导航")


class Payment(BaseModel):
    """A top-up or bill payment."""

    payment_id: str = Field(description="Payment id")
    ts: str = Field(description="When")
    amount_yuan: float = Field(description="Amount")
    channel: str = Field(description="微信 / 支付宝 / 中国移动APP / 营业厅 / 银行代扣")


class ElasticTier(BaseModel):
    """One tier of the elastic billing package (弹性计费包)."""

    tier_id: str = Field(description="Tier id")
    name: str = Field(description="Name")
    data_mb: int = Field(description="Data the tier covers (MB)")
    fee_yuan: float = Field(description="Fee")


class RuleCheck(BaseModel):
    """One eligibility rule and whether the line passes it."""

    rule_code: str = Field(description="Rule code")
    description: str = Field(description="The rule in Chinese")
    passed: bool = Field(description="Whether the line passes")
    detail: str = Field(description="Why, with the values checked")


class ElasticEligibility(BaseModel):
    """Whether a month's domestic overage can be converted into an elastic pack, and what it saves."""

    msisdn: str = Field(description="Line")
    month: str = Field(description="Billing month checked")
    eligible: bool = Field(description="All rules pass and the tier is cheaper than the overage fee")
    already_applied: bool = Field(description="An elastic pack was already applied to this month")
    overage_mb: float = Field(description="Domestic overage in the month")
    overage_fee_yuan: float = Field(description="Overage fee as billed now")
    tier: ElasticTier | None = Field(default=None, description="Smallest tier that covers the overage")
    fee_after_yuan: float | None = Field(default=None, description="Fee after conversion")
    saving_yuan: float = Field(description="overage fee - tier fee, 0 when not eligible")
    checks: list[RuleCheck] = Field(description="Each rule and its outcome")


class PortEligibility(BaseModel):
    """Whether a line can port out now (携号转网), each condition with the values checked."""

    msisdn: str = Field(description="Line")
    eligible: bool = Field(description="Every condition passes")
    checks: list[RuleCheck] = Field(description="Each condition and its outcome")
    contract_until: str | None = Field(default=None, description="End of the contract period, if any")
    arrears_yuan: float = Field(description="Amount owed now (0 when none)")
    notes: list[str] = Field(description="What the caller gives up or must settle, though it does not block")
