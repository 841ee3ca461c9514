"""The product catalogue and the charging rules, as data.

Every fee in the simulator is computed from the constants and functions here, so any
later formula can recompute it exactly:

* Domestic data beyond the month's quota (套餐外国内通用流量): 0.29元/MB, a started MB
  counts as a whole MB; within each GB (1024 MB) the charge stops growing at 60元
  (流量安心包式封顶), and the next GB starts again at 0.29元/MB. See `overage_fee_fen`.
* International / Hong Kong-Macao-Taiwan data roaming: a day pass of 25元 for every
  calendar day (Beijing time, taken from a roaming session's ``start_ts``) with any
  roaming data. See `roaming_fee_fen`.
* The elastic billing package (弹性计费包): after the fact, a month's domestic overage fee
  is replaced by the fee of the cheapest tier whose ``data_mb`` covers the overage, when
  that is cheaper (rules in `ELASTIC_RULES`).
* The month's domestic quota is the plan's ``data_quota_mb`` plus the ``data_quota_mb`` of
  every data-pack subscription that is active at some point of the month
  (``start_date <= last day`` and ``end_date`` NULL or ``>= first day``). Holiday, night and
  video-directional packs have ``data_quota_mb = 0``: their allowance is not general data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

OVERAGE_FEN_PER_MB = 29
OVERAGE_BLOCK_MB = 1024
OVERAGE_BLOCK_CAP_FEN = 6000
OVERAGE_RULE_TEXT = (
    "套餐外国内通用流量按0.29元/MB计费，不足1MB按1MB计；每1GB（1024MB）内费用累计达60元后该GB内不再收费，"
    "超出1GB后重新按0.29元/MB计费，以此类推"
)
ROAMING_DAY_FEN = 2500
ROAMING_RULE_TEXT = (
    "国际及港澳台数据漫游按自然日计费：漫游期间当日（北京时间）产生数据流量即收取25元日租费，"
    "当日不产生流量不收费；适用中国香港、中国澳门、日本、韩国、泰国、新加坡等方向"
)
VOICE_FEN_PER_MIN = 19  # 套餐外国内语音 0.19元/分钟
SMS_FEN = 10  # 国内短信 0.1元/条
SUSPENSION_FEE_FEN = 500  # 停机保号费 5元/月


def overage_fee_fen(overage_mb: float) -> int:
    """The domestic overage charge in fen for a month's ``overage_mb`` (see `OVERAGE_RULE_TEXT`)."""
    if overage_mb <= 0:
        return 0
    charged_mb = math.ceil(round(overage_mb, 2))
    blocks, rest = divmod(charged_mb, OVERAGE_BLOCK_MB)
    return blocks * OVERAGE_BLOCK_CAP_FEN + min(rest * OVERAGE_FEN_PER_MB, OVERAGE_BLOCK_CAP_FEN)


def roaming_fee_fen(roaming_days: int) -> int:
    """The roaming charge in fen for the number of calendar days with roaming data."""
    return roaming_days * ROAMING_DAY_FEN


@dataclass(frozen=True)
class Product:
    """One row of ``products``."""

    product_id: str
    name: str
    kind: str
    brand: str | None
    monthly_fee_fen: int
    data_quota_mb: int
    voice_minutes: int
    unlimited: int
    speed_cap_kbps: int | None
    bandwidth_mbps: int | None
    elastic_excluded: int
    description: str
    effective_from: str
    effective_to: str | None

    def row(self) -> tuple[object, ...]:
        """The row in schema column order."""
        return (
            self.product_id, self.name, self.kind, self.brand, self.monthly_fee_fen, self.data_quota_mb,
            self.voice_minutes, self.unlimited, self.speed_cap_kbps, self.bandwidth_mbps, self.elastic_excluded,
            self.description, self.effective_from, self.effective_to,
        )


GB = 1024
QQT, DGDD, SZX = "全球通", "动感地带", "神州行"
_OVER = "超出后" + OVERAGE_RULE_TEXT.removeprefix("套餐外")


def _plan(pid: str, name: str, brand: str, yuan: int, gb: float, minutes: int, desc: str, start: str,
          end: str | None = None, *, unlimited: bool = False, excluded: bool = False) -> Product:
    quota = round(gb * GB)
    tail = "达量后限速至1Mbps，不收取套餐外流量费" if unlimited else _OVER
    text = f"{desc}；月费{yuan}元，含国内通用流量{quota}MB、国内语音{minutes}分钟；{tail}"
    if excluded:
        text += "；不可办理弹性计费包"
    return Product(pid, name, "plan", brand, yuan * 100, quota, minutes, int(unlimited), 1000 if unlimited else None,
                   None, int(excluded or unlimited), text, start, end)


def _addon(pid: str, name: str, kind: str, fen: int, quota_mb: int, desc: str, start: str,
           end: str | None = None, bandwidth: int | None = None) -> Product:
    return Product(pid, name, kind, None, fen, quota_mb, 0, 0, None, bandwidth, 0, desc, start, end)


PLANS: tuple[Product, ...] = (
    _plan("P-QQT-128", "全球通畅享套餐128元档", QQT, 128, 30, 500, "全球通主力套餐，银卡及以上星级权益", "2022-04-01"),
    _plan("P-QQT-158", "全球通畅享套餐158元档", QQT, 158, 40, 700, "全球通主力套餐，含家庭宽带融合权益", "2022-04-01"),
    _plan("P-QQT-158A", "全球通畅享套餐158元档（2024升级版）", QQT, 158, 50, 700,
          "2024年升级版，流量较原158元档增加10GB", "2024-07-01"),
    _plan("P-QQT-198", "全球通畅享套餐198元档", QQT, 198, 60, 1000, "全球通主力套餐，含家庭宽带融合权益", "2022-04-01"),
    _plan("P-QQT-238", "全球通畅享套餐238元档", QQT, 238, 80, 1200, "含千兆宽带融合权益", "2022-04-01"),
    _plan("P-QQT-288", "全球通畅享套餐288元档", QQT, 288, 100, 1500, "含千兆宽带融合权益及机场贵宾厅", "2022-04-01"),
    _plan("P-QQT-88-2017", "全球通4G商旅套餐88元档", QQT, 88, 2, 300, "已下架老套餐，老用户可继续使用",
          "2017-03-01", "2020-12-31"),
    _plan("P-QQT-138-2018", "全球通4G飞享套餐138元档", QQT, 138, 10, 500, "已下架老套餐，老用户可继续使用",
          "2018-01-01", "2021-06-30"),
    _plan("P-5G-169", "5G智享不限量套餐169元档", QQT, 169, 40, 500, "5G不限量套餐", "2019-11-01", unlimited=True),
    _plan("P-5G-239", "5G智享不限量套餐239元档", QQT, 239, 80, 1000, "5G不限量套餐", "2019-11-01", unlimited=True),
    _plan("P-5G-199-2020", "5G智享不限量套餐199元档（2020版）", QQT, 199, 60, 800, "已下架老套餐，老用户可继续使用",
          "2020-01-01", "2023-12-31", unlimited=True),
    _plan("P-DGDD-MG19", "动感地带芒果卡19元", DGDD, 19, 5, 100, "另含芒果TV等定向流量30GB（不计入通用流量）",
          "2020-06-01"),
    _plan("P-DGDD-MG39", "动感地带芒果卡39元", DGDD, 39, 15, 200, "另含芒果TV等定向流量30GB（不计入通用流量）",
          "2020-06-01"),
    _plan("P-DGDD-XY18-2019", "动感地带校园套餐18元", DGDD, 18, 3, 100, "已下架校园套餐", "2019-09-01", "2022-08-31"),
    _plan("P-SZX-8", "神州行8元保号套餐", SZX, 8, 0.1, 0, "保号套餐，通话0.19元/分钟", "2019-01-01"),
    _plan("P-SZX-18", "神州行畅聊套餐18元", SZX, 18, 1, 100, "神州行基础套餐", "2019-01-01"),
    _plan("P-SZX-28", "神州行畅享套餐28元", SZX, 28, 3, 200, "神州行基础套餐", "2019-01-01"),
    _plan("P-SZX-38-2016", "神州行轻松卡38元", SZX, 38, 0.5, 200, "已下架老套餐，老用户可继续使用",
          "2016-01-01", "2020-06-30"),
    _plan("P-DATA-30", "4G随身WiFi数据卡30元档", SZX, 30, 10, 0, "数据卡，仅上网不含语音", "2019-03-01",
          excluded=True),
    _plan("P-IOT-10", "物联网卡10元档（车载/穿戴）", SZX, 10, 1, 0, "物联网行业卡，APN为cmiot", "2018-06-01",
          excluded=True),
)

DATA_PACKS: tuple[Product, ...] = (
    _addon("DP-M-1G", "流量月包10元1GB", "data_pack", 1000, 1 * GB, "国内通用流量1GB，当月有效，计入当月通用流量",
           "2019-01-01"),
    _addon("DP-M-3G", "流量月包20元3GB", "data_pack", 2000, 3 * GB, "国内通用流量3GB，当月有效，计入当月通用流量",
           "2019-01-01"),
    _addon("DP-M-5G", "流量月包30元5GB", "data_pack", 3000, 5 * GB, "国内通用流量5GB，当月有效，计入当月通用流量",
           "2019-01-01"),
    _addon("DP-HOL-2G", "假日流量包5元", "data_pack", 500, 0,
           "法定节假日及周末可用2GB，不计入通用流量，不抵扣套餐外流量", "2021-01-01"),
    _addon("DP-NIGHT-10G", "夜间流量包10元", "data_pack", 1000, 0,
           "每日23:00-次日07:00可用10GB，不计入通用流量，不抵扣套餐外流量", "2020-01-01"),
    _addon("DP-VIDEO-20G", "视频定向流量包9元", "data_pack", 900, 0,
           "咪咕视频/抖音/腾讯视频定向流量20GB，不计入通用流量，不抵扣套餐外流量", "2021-05-01"),
)

VAS: tuple[Product, ...] = (
    _addon("VAS-CL", "彩铃", "vas", 500, 0, "彩铃功能费5元/月", "2010-01-01"),
    _addon("VAS-HCY", "和彩云个人会员", "vas", 1000, 0, "云盘空间200GB，10元/月", "2018-01-01"),
    _addon("VAS-MIGU", "咪咕视频钻石会员", "vas", 1500, 0, "咪咕视频会员权益，15元/月", "2019-01-01"),
    _addon("VAS-139", "139邮箱", "vas", 500, 0, "139邮箱VIP版，5元/月", "2010-01-01"),
    _addon("VAS-SJB", "手机报", "vas", 300, 0, "早晚报资讯，3元/月", "2010-01-01"),
    _addon("VAS-LDTX", "来电提醒", "vas", 200, 0, "关机或无信号时的来电短信提醒，2元/月", "2012-01-01"),
    _addon("SP-GAME-6", "天天游戏厅点卡包月", "vas", 600, 0, "第三方SP游戏点卡包月6元，由合作方计费", "2020-01-01"),
    _addon("SP-READ-10", "云端书城阅读包月", "vas", 1000, 0, "第三方SP阅读包月10元，由合作方计费", "2020-01-01"),
    _addon("SP-VIDEO-15", "乐看影视会员包月", "vas", 1500, 0, "第三方SP影视会员包月15元，由合作方计费", "2021-01-01"),
)
SP_PRODUCT_IDS = ("SP-GAME-6", "SP-READ-10", "SP-VIDEO-15")
OWN_VAS_IDS = ("VAS-CL", "VAS-HCY", "VAS-MIGU", "VAS-139", "VAS-SJB", "VAS-LDTX")

# (tier id, data MB, fee fen)
_TIERS = (("EP-10", 1 * GB, 1000), ("EP-20", 3 * GB, 2000), ("EP-30", 6 * GB, 3000), ("EP-50", 12 * GB, 5000),
          ("EP-80", 20 * GB, 8000))
_ELASTIC_TEXT = ("弹性计费包：事后将当月或上月的国内套餐外流量费，转换为覆盖超出流量的最便宜档位（仅当更便宜时），"
                 "差额退回话费账户；每6个月限办理1次，国际漫游费不适用")
ELASTIC_PACKS: tuple[Product, ...] = tuple(
    _addon(tid, f"弹性计费包{fee // 100}元档（{mb // GB}GB）", "elastic_pack", fee, mb, _ELASTIC_TEXT, "2021-01-01")
    for tid, mb, fee in _TIERS
)
ELASTIC_TIERS: tuple[tuple[str, str, int, int], ...] = tuple(
    (tid, f"弹性计费包{fee // 100}元档（{mb // GB}GB）", mb, fee) for tid, mb, fee in _TIERS
)
ELASTIC_MAX_MB = _TIERS[-1][1]
ELASTIC_RULES: tuple[tuple[str, str, str | None], ...] = (
    ("status_active", "号码状态正常（非欠费停机、非申请停机、非销户）", None),
    ("real_name", "号码已完成实名登记", None),
    ("plan_not_excluded", "主套餐可办理：不限量套餐、数据卡、物联网卡等不可办理弹性计费包", None),
    ("once_per_6_months", "近6个自然月内未办理过弹性计费包（每6个月限办理1次）", "6"),
    ("domestic_only", "仅适用于国内套餐外流量费，国际及港澳台漫游费不适用", None),
    ("current_or_last_month", "只能转换当月或上月产生的套餐外流量费", "1"),
    ("no_contract_conflict", "该账期不在流量类合约期内（合约期内的资费按合约执行，不可转换）", None),
)


def elastic_tier_for(overage_mb: float) -> tuple[str, str, int, int] | None:
    """The cheapest tier covering ``overage_mb`` (``(tier_id, name, data_mb, fee_fen)``), if any."""
    fits = [t for t in ELASTIC_TIERS if t[2] >= overage_mb]
    return min(fits, key=lambda t: t[3]) if fits and overage_mb > 0 else None


BROADBAND: tuple[Product, ...] = (
    _addon("BB-100", "家庭宽带100M包月", "broadband", 3000, 0, "家庭宽带100Mbps，30元/月", "2019-01-01", None, 100),
    _addon("BB-300", "家庭宽带300M包月", "broadband", 5000, 0, "家庭宽带300Mbps，50元/月", "2020-01-01", None, 300),
    _addon("BB-500", "家庭宽带500M包月", "broadband", 8000, 0, "家庭宽带500Mbps，80元/月", "2021-01-01", None, 500),
    _addon("BB-1000", "家庭宽带千兆1000M包月", "broadband", 10000, 0, "千兆宽带1000Mbps，100元/月", "2021-06-01",
           None, 1000),
    _addon("BB-RH-300", "全家享融合宽带300M（主套餐内含）", "broadband", 0, 0,
           "全球通128元及以上套餐内含300M宽带，不另收费", "2022-04-01", None, 300),
    _addon("BB-RH-1000", "全家享融合宽带1000M（主套餐内含）", "broadband", 0, 0,
           "全球通238元及以上套餐内含千兆宽带，不另收费", "2022-04-01", None, 1000),
    _addon("BB-50-2018", "家庭宽带50M包月（老用户）", "broadband", 2000, 0, "已下架老产品，老用户可继续使用",
           "2016-01-01", "2020-12-31", 50),
)

PRODUCTS: tuple[Product, ...] = PLANS + DATA_PACKS + VAS + ELASTIC_PACKS + BROADBAND
PRODUCT_BY_ID: dict[str, Product] = {p.product_id: p for p in PRODUCTS}

# Plan mix for ordinary lines: (plan id, weight).
PLAN_MIX: tuple[tuple[str, float], ...] = (
    ("P-QQT-128", 9), ("P-QQT-158", 7), ("P-QQT-158A", 4), ("P-QQT-198", 5), ("P-QQT-238", 2), ("P-QQT-288", 1.5),
    ("P-QQT-88-2017", 2), ("P-QQT-138-2018", 3), ("P-5G-169", 6), ("P-5G-239", 3), ("P-5G-199-2020", 2),
    ("P-DGDD-MG19", 8), ("P-DGDD-MG39", 7), ("P-DGDD-XY18-2019", 2), ("P-SZX-8", 6), ("P-SZX-18", 8),
    ("P-SZX-28", 9), ("P-SZX-38-2016", 2), ("P-DATA-30", 1.5), ("P-IOT-10", 0.8),
)
# Small-quota, elastic-eligible plans: the lines that run into overage fees.
SMALL_QUOTA_PLANS = ("P-SZX-8", "P-SZX-18", "P-SZX-28", "P-SZX-38-2016", "P-DGDD-MG19", "P-DGDD-XY18-2019",
                     "P-QQT-88-2017")
UNLIMITED_PLANS = ("P-5G-169", "P-5G-239", "P-5G-199-2020")
NO_BROADBAND_PLANS = ("P-DATA-30", "P-IOT-10")
