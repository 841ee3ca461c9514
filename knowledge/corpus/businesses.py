"""The business catalogue, as data: plan families and tiers, packs, VAS, broadband, roaming, services.

Every business is one `Business`: its id family (the ``KP-<FAMILY>-`` part of its knowledge points), the
name agents see, its kind (which phrase bank renders it) and its terms (fees, quotas, flags) that the
phrase banks fill in. The products the simulator bills (``tools/sim/generator/catalog.py``) carry the same
names and numbers here and are marked ``sim``: their core numbers are never revised by a bulletin.
Services, faults, complaints and government-and-enterprise products have their text in
``data/kp_service.yaml`` (keyed by name); campaigns are built from ``data/kp_campaign.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from knowledge.corpus.phrasing import bank

OVERAGE_RULE = (
    "套餐外国内通用流量按0.29元/MB计费，不足1MB按1MB计；每1GB（1024MB）内费用累计达60元后该GB内不再收费，"
    "超出1GB后重新按0.29元/MB计费，以此类推"
)


@dataclass(frozen=True, eq=False)
class Business:
    """One business: what its knowledge points are about."""

    code: str  # id family: KP-<code>-00001
    name: str  # KnowledgePoint.business
    kind: str  # plan pack elastic vas broadband roaming service fault complaint campaign
    terms: dict[str, object] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    launched: date = date(2021, 1, 1)
    sim: bool = False  # mirrors a simulator product


def _mb(data_mb: int) -> str:
    return f"{data_mb // 1024}GB" if data_mb >= 1024 and data_mb % 1024 == 0 else f"{data_mb}MB"


# Plan families: the words their texts use.
_FAMILIES: dict[str, dict[str, object]] = {
    "qqt": dict(brand="全球通", family="全球通畅享套餐", family_desc="的4G/5G融合主套餐", audience="个人实名客户",
                fit="流量和通话需求都较大、注重服务品质的商务人士", star="银卡"),
    "5g": dict(brand="全球通", family="5G智享不限量套餐", family_desc="的5G不限量套餐", audience="持5G终端的个人客户",
               fit="追剧、游戏、直播等重度流量用户", unlimited=True, speed="1Mbps"),
    "dg": dict(brand="动感地带", family="动感地带", family_desc="的年轻客群套餐", audience="年满16周岁的个人客户",
               fit="爱看视频的学生和年轻用户"),
    "hjt": dict(brand="全球通", family="和家庭融合套餐", family_desc="的手机+宽带家庭融合套餐",
                audience="有家庭宽带需求的个人客户", fit="三口之家等需要手机和宽带一起办的家庭", star="银卡"),
    "zq": dict(brand="全球通", family="政企商务套餐", family_desc="的政企客户商务套餐",
               audience="政企单位员工（集团统付或个人付费）", fit="差旅多、通话多的单位员工"),
    "szx": dict(brand="神州行", family="神州行", family_desc="的基础套餐", audience="所有个人客户",
                fit="通话少、上网少的中老年及备用号码客户"),
    "dc": dict(brand="神州行", family="数据卡", family_desc="的数据卡套餐", audience="个人及企业客户",
               fit="随身WiFi、平板电脑、车载WiFi等上网设备", datacard=True, excluded=True),
    "iot": dict(brand="物联网", family="物联网卡", family_desc="的行业物联网卡资费", audience="签约物联网行业客户",
                fit="车载终端、智能手表、共享设备、POS机等物联网终端", iot=True, excluded=True),
}
# code | name | fee | data MB | minutes | launched | retired | SMS short code | family | sim
_PLAN_TABLE = """
QQT  | 全球通畅享套餐128元档               | 128 |  30720 |  500 | 2022-04-01 | -          | QQT128  | qqt | Y
QQT  | 全球通畅享套餐158元档               | 158 |  40960 |  700 | 2022-04-01 | -          | QQT158  | qqt | Y
QQT  | 全球通畅享套餐158元档（2024升级版） | 158 |  51200 |  700 | 2024-07-01 | -          | QQT158S | qqt | Y
QQT  | 全球通畅享套餐198元档               | 198 |  61440 | 1000 | 2022-04-01 | -          | QQT198  | qqt | Y
QQT  | 全球通畅享套餐238元档               | 238 |  81920 | 1200 | 2022-04-01 | -          | QQT238  | qqt | Y
QQT  | 全球通畅享套餐288元档               | 288 | 102400 | 1500 | 2022-04-01 | -          | QQT288  | qqt | Y
QQT  | 全球通畅享套餐388元档               | 388 | 153600 | 2000 | 2023-03-01 | -          | QQT388  | qqt | N
QQT  | 全球通畅享套餐588元档               | 588 | 307200 | 3000 | 2023-03-01 | -          | QQT588  | qqt | N
QQT  | 全球通4G商旅套餐88元档              |  88 |   2048 |  300 | 2017-03-01 | 2020-12-31 | QQT88   | qqt | Y
QQT  | 全球通4G飞享套餐138元档             | 138 |  10240 |  500 | 2018-01-01 | 2021-06-30 | QQT138  | qqt | Y
WZX  | 5G智享不限量套餐169元档             | 169 |  40960 |  500 | 2019-11-01 | -          | 5GZX169 | 5g  | Y
WZX  | 5G智享不限量套餐239元档             | 239 |  81920 | 1000 | 2019-11-01 | -          | 5GZX239 | 5g  | Y
WZX  | 5G智享不限量套餐299元档             | 299 | 102400 | 1500 | 2023-06-01 | -          | 5GZX299 | 5g  | N
WZX  | 5G智享不限量套餐199元档（2020版）   | 199 |  61440 |  800 | 2020-01-01 | 2023-12-31 | 5GZX199 | 5g  | Y
DGDD | 动感地带芒果卡19元                  |  19 |   5120 |  100 | 2020-06-01 | -          | DGMG19  | dg  | Y
DGDD | 动感地带芒果卡39元                  |  39 |  15360 |  200 | 2020-06-01 | -          | DGMG39  | dg  | Y
DGDD | 动感地带校园套餐18元                |  18 |   3072 |  100 | 2019-09-01 | 2022-08-31 | DGXY18  | dg  | Y
DGDD | 动感地带宝藏卡29元                  |  29 |  10240 |  100 | 2023-05-01 | -          | DGBZ29  | dg  | N
DGDD | 动感地带宝藏卡59元                  |  59 |  30720 |  300 | 2023-05-01 | -          | DGBZ59  | dg  | N
HJT  | 和家庭融合套餐99元档                |  99 |  20480 |  300 | 2024-01-01 | -          | HJT99   | hjt | N
HJT  | 和家庭融合套餐129元档               | 129 |  40960 |  500 | 2024-01-01 | -          | HJT129  | hjt | N
HJT  | 和家庭融合套餐169元档               | 169 |  61440 |  800 | 2024-01-01 | -          | HJT169  | hjt | N
HJT  | 和家庭融合套餐199元档               | 199 | 102400 | 1000 | 2024-01-01 | -          | HJT199  | hjt | N
ZQ   | 政企商务套餐98元档                  |  98 |  20480 |  800 | 2023-01-01 | -          | ZQ98    | zq  | N
ZQ   | 政企商务套餐138元档                 | 138 |  40960 | 1500 | 2023-01-01 | -          | ZQ138   | zq  | N
SZX  | 神州行8元保号套餐                   |   8 |    102 |    0 | 2019-01-01 | -          | SZX8    | szx | Y
SZX  | 神州行畅聊套餐18元                  |  18 |   1024 |  100 | 2019-01-01 | -          | SZX18   | szx | Y
SZX  | 神州行畅享套餐28元                  |  28 |   3072 |  200 | 2019-01-01 | -          | SZX28   | szx | Y
SZX  | 神州行轻松卡38元                    |  38 |    512 |  200 | 2016-01-01 | 2020-06-30 | SZX38   | szx | Y
SZX  | 神州行长辈卡18元                    |  18 |   2048 |  300 | 2024-03-01 | -          | SZXZB18 | szx | N
SJK  | 4G随身WiFi数据卡30元档              |  30 |  10240 |    0 | 2019-03-01 | -          | SJK30   | dc  | Y
SJK  | 数据卡50元档                        |  50 |  30720 |    0 | 2022-01-01 | -          | SJK50   | dc  | N
SJK  | 数据卡100元档                       | 100 | 102400 |    0 | 2023-01-01 | -          | SJK100  | dc  | N
IOT  | 物联网卡10元档（车载/穿戴）         |  10 |   1024 |    0 | 2018-06-01 | -          | IOT10   | iot | Y
IOT  | 物联网卡5元档（定位/表计）          |   5 |    200 |    0 | 2020-01-01 | -          | IOT5    | iot | N
IOT  | 物联网卡20元档（车载娱乐）          |  20 |   5120 |    0 | 2021-01-01 | -          | IOT20   | iot | N
IOT  | 物联网卡年包60元（共享设备）        |  60 |   6144 |    0 | 2022-01-01 | -          | IOT60Y  | iot | N
"""
_PLAN_EXTRA: dict[str, str] = {  # extra terms by SMS short code (k=v; a bare word is a flag)
    "QQT128": "fusion_bb=300 deputies=1",
    "QQT158": "fusion_bb=300 deputies=2 star=金卡 lounge=2",
    "QQT158S": "fusion_bb=300 deputies=2 star=金卡 lounge=2",
    "QQT198": "fusion_bb=300 deputies=2 star=金卡 lounge=4",
    "QQT238": "fusion_bb=1000 deputies=3 star=白金卡 lounge=6",
    "QQT288": "fusion_bb=1000 deputies=4 star=白金卡 lounge=8",
    "QQT388": "fusion_bb=1000 deputies=4 star=钻石卡 lounge=12",
    "QQT588": "fusion_bb=1000 deputies=4 star=钻石卡 lounge=20",
    "QQT88": "legacy star=",
    "QQT138": "legacy",
    "5GZX169": "deputies=1",
    "5GZX239": "deputies=2 star=金卡 lounge=2",
    "5GZX299": "deputies=3 star=白金卡 lounge=4",
    "5GZX199": "legacy",
    "DGMG19": "extra=芒果TV等定向流量30GB",
    "DGMG39": "extra=芒果TV等定向流量30GB",
    "DGXY18": "legacy audience=在校学生",
    "DGBZ29": "extra=咪咕视频、哔哩哔哩等定向流量30GB",
    "DGBZ59": "extra=咪咕视频、哔哩哔哩等定向流量30GB deputies=1",
    "HJT99": "fusion_bb=300 deputies=1",
    "HJT129": "fusion_bb=300 deputies=2",
    "HJT169": "fusion_bb=1000 deputies=2 star=金卡 lounge=2",
    "HJT199": "fusion_bb=1000 deputies=3 star=金卡 lounge=4",
    "ZQ138": "deputies=1",
    "SZX8": "fit=只需保留号码、接听电话的备用号码客户",
    "SZX38": "legacy",
    "SZXZB18": "audience=年满60周岁的个人客户 fit=年满60周岁、以通话为主的长辈",
}


def _extra(text: str) -> dict[str, object]:
    """``fusion_bb=300 legacy star=金卡`` -> terms (bare words are flags; numbers become ints)."""
    out: dict[str, object] = {}
    for item in text.split():
        key, eq, value = item.partition("=")
        out[key] = (int(value) if value.isdigit() else value) if eq else True
    return out


# (code, name, fee, data MB, validity, pack type, launched, short code, sim)
_PACKS: tuple[tuple[str, int, int, str, str, str, str, bool], ...] = (
    ("流量月包10元1GB", 10, 1024, "当月", "general", "2019-01-01", "LL10", True),
    ("流量月包20元3GB", 20, 3072, "当月", "general", "2019-01-01", "LL20", True),
    ("流量月包30元5GB", 30, 5120, "当月", "general", "2019-01-01", "LL30", True),
    ("流量月包50元10GB", 50, 10240, "当月", "general", "2022-01-01", "LL50", False),
    ("假日流量包5元", 5, 2048, "当月", "holiday", "2021-01-01", "JRB5", True),
    ("夜间流量包10元", 10, 10240, "当月", "night", "2020-01-01", "YJB10", True),
    ("视频定向流量包9元", 9, 20480, "当月", "video", "2021-05-01", "SPDX9", True),
    ("抖音定向流量包15元", 15, 40960, "当月", "video", "2022-03-01", "DYDX15", False),
    ("流量日包3元2GB", 3, 2048, "当日", "general", "2021-06-01", "RB3", False),
    ("流量7天包15元10GB", 15, 10240, "7天", "general", "2022-06-01", "QTB15", False),
    ("流量季包60元30GB", 60, 30720, "3个月", "general", "2021-09-01", "JB60", False),
    ("流量半年包100元60GB", 100, 61440, "6个月", "general", "2021-09-01", "BNB100", False),
    ("流量加油包5元500MB", 5, 500, "当月", "booster", "2020-05-01", "JYB5", False),
    ("5G加速包10元", 10, 0, "当月", "accel", "2021-03-01", "5GJS10", False),
    ("游戏加速包6元", 6, 0, "当月", "game", "2022-08-01", "YXJS6", False),
    ("流量年包240元120GB", 240, 122880, "12个月", "general", "2023-01-01", "NB240", False),
    ("周末流量包8元5GB", 8, 5120, "当月", "holiday", "2022-05-01", "ZMB8", False),
    ("哔哩哔哩定向流量包9元", 9, 20480, "当月", "video", "2022-09-01", "BLDX9", False),
    ("夜间流量包5元3GB", 5, 3072, "当月", "night", "2023-02-01", "YJB5", False),
    ("流量畅享合约包20元30GB（12个月）", 20, 30720, "12个月", "contract", "2023-01-01", "CXHY20", False),
)

_VAS: tuple[tuple[str, str, int, str, str, bool, str], ...] = (
    # (code, name, fee, content, sms code, SP, launched)
    ("ZZ", "彩铃", 5, "为主叫方播放个性化回铃音，曲库内歌曲可任选", "KTCL", False, "2010-01-01"),
    ("ZZ", "视频彩铃个性版", 6, "为主叫方播放视频回铃，可自设视频或使用曲库视频", "KTSPCL", False, "2021-01-01"),
    ("ZZ", "和彩云个人会员", 10, "移动云盘空间200GB，相册自动备份、文件极速传输", "KTHCY", False, "2018-01-01"),
    ("ZZ", "和彩云家庭会员", 20, "家庭共享云空间1TB，最多6名家庭成员共同使用", "KTHCYJT", False, "2022-01-01"),
    ("ZZ", "咪咕视频钻石会员", 15, "咪咕视频会员影视、体育赛事直播、免广告", "KTMGSP", False, "2019-01-01"),
    ("ZZ", "咪咕音乐白金会员", 10, "无损音质下载、会员曲库、彩铃免费换", "KTMGYY", False, "2019-01-01"),
    ("ZZ", "咪咕阅读包月", 5, "咪咕阅读会员书库畅读、听书", "KTMGYD", False, "2019-06-01"),
    ("ZZ", "咪咕快游会员", 12, "云游戏免下载即点即玩，每月畅玩时长不限", "KTMGKY", False, "2021-01-01"),
    ("ZZ", "139邮箱", 5, "139邮箱VIP版，超大附件、邮件到达短信提醒", "KT139", False, "2010-01-01"),
    ("ZZ", "手机报", 3, "每日早晚两期新闻资讯彩信", "KTSJB", False, "2010-01-01"),
    ("ZZ", "来电提醒", 2, "关机、无信号或通话中时未接来电以短信形式提醒", "KTLDTX", False, "2012-01-01"),
    ("ZZ", "和多号", 5, "一张卡再申请最多3个副号，副号可独立拨打接听", "KTHDH", False, "2016-01-01"),
    ("ZZ", "高频骚扰拦截", 3, "拦截骚扰、诈骗、推销来电并短信告知", "KTSRLJ", False, "2020-01-01"),
    ("ZZ", "来电名片", 3, "拨打电话时在对方手机屏幕显示企业或个人名片", "KTLDMP", False, "2021-06-01"),
    ("ZZ", "和家亲看护会员", 10, "家庭摄像头云存储7天循环录像、异常告警推送", "KTHJQ", False, "2020-06-01"),
    ("ZZ", "云手机会员", 19, "云端手机一台，8GB运行内存，手机电脑多端登录", "KTYSJ", False, "2023-01-01"),
    ("ZZ", "语音信箱", 1, "来电无人接听时可留言，留言以语音短信推送", "KTYYXX", False, "2012-01-01"),
    ("ZZ", "移动云盘AI会员", 15, "云盘空间1TB，AI相册整理、智能检索与文档摘要", "KTYPAI", False, "2025-03-01"),
    ("ZZ", "咪咕善跑会员", 6, "运动课程、跑步计划及赛事报名优先", "KTMGSP6", False, "2022-04-01"),
    ("ZZ", "小移看家", 8, "家庭摄像头云回看3天、人形侦测提醒", "KTXYKJ", False, "2023-08-01"),
    ("ZZ", "5G消息会员", 3, "5G消息富媒体卡片服务、消息云端存储", "KT5GXX", False, "2024-01-01"),
    ("SP", "天气早报短信包月", 2, "第三方SP天气预报短信，每日早7点推送", "0000", True, "2019-05-01"),
    ("SP", "英语每日一句包月", 5, "第三方SP英语学习短信", "0000", True, "2020-02-01"),
    ("SP", "天天游戏厅点卡包月", 6, "第三方SP游戏点卡包月，由合作方天天游戏厅计费", "0000", True, "2020-01-01"),
    ("SP", "云端书城阅读包月", 10, "第三方SP阅读包月，由合作方云端书城计费", "0000", True, "2020-01-01"),
    ("SP", "乐看影视会员包月", 15, "第三方SP影视会员包月，由合作方乐看影视计费", "0000", True, "2021-01-01"),
    ("SP", "健康早知道短信包月", 3, "第三方SP健康资讯短信，每日一条", "0000", True, "2019-01-01"),
    ("SP", "开心笑话彩信包月", 2, "第三方SP笑话彩信，每周三期", "0000", True, "2018-01-01"),
    ("SP", "星座运势包月", 3, "第三方SP星座运势短信", "0000", True, "2018-06-01"),
    ("SP", "掌上股讯包月", 10, "第三方SP股市行情及研报短信", "0000", True, "2019-03-01"),
    ("SP", "畅读小说包月", 8, "第三方SP网络小说包月阅读", "0000", True, "2020-09-01"),
    ("SP", "铃音盒子包月", 5, "第三方SP彩铃铃音盒，每月可更换多首铃音", "0000", True, "2017-01-01"),
    ("SP", "车主违章提醒包月", 3, "第三方SP车辆违章信息短信提醒", "0000", True, "2021-03-01"),
    ("SP", "宝宝成长课堂包月", 9, "第三方SP早教视频包月", "0000", True, "2022-01-01"),
)
_SIM_VAS = {
    "彩铃", "和彩云个人会员", "咪咕视频钻石会员", "139邮箱", "手机报", "来电提醒", "天天游戏厅点卡包月",
    "云端书城阅读包月", "乐看影视会员包月",
}

# (name, mbps, fee, launched, flags, sim)
_BROADBAND: tuple[tuple[str, int, int, str, dict[str, object], bool], ...] = (
    ("家庭宽带100M包月", 100, 30, "2019-01-01", {}, True),
    ("家庭宽带300M包月", 300, 50, "2020-01-01", {}, True),
    ("家庭宽带500M包月", 500, 80, "2021-01-01", {}, True),
    ("家庭宽带千兆1000M包月", 1000, 100, "2021-06-01", {}, True),
    ("全家享融合宽带300M（主套餐内含）", 300, 0, "2022-04-01", dict(bundled=True, need="全球通128元及以上套餐"), True),
    ("全家享融合宽带1000M（主套餐内含）", 1000, 0, "2022-04-01", dict(bundled=True, need="全球通238元及以上套餐"),
        True),
    ("家庭宽带50M包月（老用户）", 50, 20, "2016-01-01", dict(legacy=True, retired="2020年12月31日"), True),
    ("家庭宽带100M包年", 100, 300, "2019-01-01", dict(yearly=True), False),
    ("家庭宽带300M包年", 300, 500, "2020-01-01", dict(yearly=True), False),
    ("FTTR全屋光宽带千兆", 1000, 139, "2023-01-01", dict(fttr=True), False),
    ("校园宽带100M学期包", 100, 150, "2021-09-01", dict(campus=True), False),
    ("宽带提速包（300M升千兆）", 1000, 20, "2022-01-01", dict(upgrade=True), False),
)
# (destination, group); group A/B/C sets the fees below
_DESTINATIONS: tuple[tuple[str, str], ...] = (
    ("中国香港", "A"), ("中国澳门", "A"), ("中国台湾", "A"), ("日本", "A"), ("韩国", "A"), ("泰国", "A"), ("新加坡",
        "A"),
    ("马来西亚", "A"), ("越南", "A"), ("印度尼西亚", "A"), ("菲律宾", "A"), ("美国", "B"), ("加拿大", "B"), ("英国",
        "B"),
    ("法国", "B"), ("德国", "B"), ("意大利", "B"), ("西班牙", "B"), ("瑞士", "B"), ("荷兰", "B"), ("澳大利亚", "B"),
    ("新西兰", "B"), ("俄罗斯", "B"), ("阿联酋", "B"), ("土耳其", "B"), ("柬埔寨", "C"), ("老挝", "C"), ("缅甸", "C"),
    ("印度", "C"), ("斯里兰卡", "C"), ("尼泊尔", "C"), ("马尔代夫", "C"), ("沙特阿拉伯", "C"), ("卡塔尔", "C"),
        ("埃及", "C"),
    ("南非", "C"), ("肯尼亚", "C"), ("墨西哥", "C"), ("巴西", "C"), ("阿根廷", "C"), ("哈萨克斯坦", "C"), ("蒙古", "C"),
    ("斐济", "C"), ("希腊", "B"), ("奥地利", "B"), ("比利时", "B"), ("丹麦", "B"), ("瑞典", "B"), ("挪威", "B"),
    ("芬兰", "B"), ("葡萄牙", "B"), ("爱尔兰", "B"), ("捷克", "B"), ("匈牙利", "B"), ("波兰", "B"), ("孟加拉国", "C"),
    ("巴基斯坦", "C"), ("乌兹别克斯坦", "C"), ("智利", "C"), ("秘鲁", "C"),
)
_SIM_DAY_PASS = {"中国香港", "中国澳门", "日本", "韩国", "泰国", "新加坡"}
_GROUPS: dict[str, dict[str, object]] = {
    "A": dict(day_fee=25, quota_mb=1024, throttle="512kbps", call_rate="0.99", sms_rate="0.5", group_name="一类方向"),
    "B": dict(day_fee=30, quota_mb=800, throttle="256kbps", call_rate="1.99", sms_rate="1", group_name="二类方向"),
    "C": dict(day_fee=35, quota_mb=500, throttle="128kbps", call_rate="2.99", sms_rate="1.29", group_name="三类方向"),
}
_ROAM_PACKS: tuple[tuple[str, int, int, int, str], ...] = (
    # (name, fee, days, data MB, area)
    ("国际漫游多天包（亚洲5天）", 68, 5, 5120, "中国港澳台、日韩及东南亚11个方向"),
    ("国际漫游多天包（亚洲7天）", 88, 7, 8192, "中国港澳台、日韩及东南亚11个方向"),
    ("国际漫游多天包（欧美7天）", 128, 7, 5120, "欧洲、北美及澳新14个方向"),
    ("国际漫游多天包（全球15天）", 268, 15, 10240, "全部开通日套餐的44个方向"),
    ("港澳台3日流量包", 30, 3, 3072, "中国香港、中国澳门、中国台湾"),
    ("国际漫游语音包（100分钟）", 50, 30, 0, "全部方向拨打中国内地及当地"),
)
_ELASTIC = ((10, 1024), (20, 3072), (30, 6144), (50, 12288), (80, 20480))


def _plans() -> list[Business]:
    out = []
    for row in _PLAN_TABLE.strip().splitlines():
        code, name, fee_s, mb_s, min_s, start, retired, short, fam, sim = (c.strip() for c in row.split("|"))
        extra = _PLAN_EXTRA.get(short, "")
        fee, data_mb, minutes = int(fee_s), int(mb_s), int(min_s)
        terms: dict[str, object] = dict(speed="1Mbps", deputies=0, fusion_bb=0, family_members=8, lounge=0, grace=15,
                                        star="", extra="", unlimited=False, legacy=False, iot=False, datacard=False,
                                        excluded=False)
        terms |= _FAMILIES[fam] | _extra(extra) | dict(fee=fee, data_mb=data_mb, data=_mb(data_mb), minutes=minutes,
                                                      short=short, retired=_cn(retired) if retired != "-" else "",
                                                      half_fee=round(fee * 15 / 30))
        terms |= dict(voice=minutes > 0, fusion=bool(terms["fusion_bb"]), has_extra=bool(terms["extra"]),
                      excluded=bool(terms["excluded"] or terms["unlimited"]))
        tags = (str(terms["brand"]), str(terms["family"]), f"{fee}元档", "套餐", "主资费")
        out.append(Business(code, name, "plan", terms, tags, date.fromisoformat(start), sim == "Y"))
    for biz in out:  # the next tier up in the same family, for comparisons
        ups = [b for b in out if b.terms["family"] == biz.terms["family"] and not b.terms["legacy"]
               and int(str(b.terms["fee"])) > int(str(biz.terms["fee"])) and b.code == biz.code]
        nxt = min(ups, key=lambda b: int(str(b.terms["fee"])), default=None)
        biz.terms["has_next"] = nxt is not None and not biz.terms["legacy"]
        if nxt is not None:
            t = nxt.terms
            biz.terms.update(next_name=nxt.name, next_fee=t["fee"], next_data=t["data"], next_minutes=t["minutes"],
                              diff=int(str(t["fee"])) - int(str(biz.terms["fee"])),
                              more_data=_mb(int(str(t["data_mb"])) - int(str(biz.terms["data_mb"]))))
    return out


def _cn(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def _packs() -> list[Business]:
    out = []
    for name, fee, data_mb, validity, ptype, start, short, sim in _PACKS:
        terms: dict[str, object] = dict(fee=fee, data_mb=data_mb, data=_mb(data_mb) if data_mb else "",
                                        validity=validity, ptype=ptype, short=short,
                                        general=ptype in ("general", "booster", "contract"),
                                        directional=ptype == "video", timed=ptype in ("night", "holiday"),
                                        speedup=ptype in ("accel", "game"), contract=ptype == "contract",
                                        monthly=validity == "当月", day=validity == "当日",
                                            multi=validity not in ("当月",
                                            "当日"))
        tags = ("流量包", "叠加包", validity, "流量")
        out.append(Business("LLB", name, "pack", terms, tags, date.fromisoformat(start), sim))
    return out


def _elastic() -> list[Business]:
    out = [Business("TXB", "弹性计费包", "elastic", dict(policy=True, fee=0, data="", data_mb=0),
                    ("弹性计费包", "流量费争议", "套外流量", "退费"), date(2021, 1, 1), True)]
    for fee, data_mb in _ELASTIC:
        out.append(Business("TXB", f"弹性计费包{fee}元档（{data_mb // 1024}GB）", "elastic",
                            dict(policy=False, fee=fee, data_mb=data_mb, data=_mb(data_mb), plain=round(data_mb * 0.29),
                                 capped=60 * (data_mb // 1024)),
                            ("弹性计费包", "流量费争议", f"{fee}元档"), date(2021, 1, 1), True))
    return out


def _vas() -> list[Business]:
    out = []
    for code, name, fee, content, sms, sp, start in _VAS:
        partner = name.removesuffix("包月").removesuffix("短信").removesuffix("彩信") if sp else "中国移动"
        terms: dict[str, object] = dict(fee=fee, content=content, sms_code=sms, sp=sp, partner=partner, own=not sp,
                                        unsub_code="0000" if sp else f"QX{sms[2:]}")
        tags = ("增值业务", "SP业务" if sp else "自有业务", "包月", "退订")
        out.append(Business(code, name, "vas", terms, tags, date.fromisoformat(start), name in _SIM_VAS))
    return out


def _broadband() -> list[Business]:
    out = []
    for name, mbps, fee, start, flags, sim in _BROADBAND:
        terms: dict[str, object] = dict(mbps=mbps, fee=fee, up=max(20, mbps // 5) if mbps < 1000 else 100,
                                        bundled=False, legacy=False, yearly=False, fttr=False, campus=False,
                                        upgrade=False, need="", retired="")
        terms |= flags
        terms["plain"] = not any(terms[k] for k in ("bundled", "legacy", "yearly", "fttr", "campus", "upgrade"))
        tags = ("家庭宽带", f"{mbps}M" if mbps < 1000 else "千兆", "光猫", "装机", "FTTH")
        out.append(Business("KD", name, "broadband", terms, tags, date.fromisoformat(start), sim))
    return out


def _roaming() -> list[Business]:
    out = []
    for dest, group in _DESTINATIONS:
        terms = dict(_GROUPS[group]) | dict(dest=dest, group=group, hmt=dest.startswith("中国"), groupA=group == "A")
        terms["quota"] = _mb(int(str(terms["quota_mb"])))
        out.append(Business("MY", f"国际漫游日套餐（{dest}）", "roaming", terms, ("国际漫游", "日套餐", dest, "出境"),
                            date(2023, 1, 1), dest in _SIM_DAY_PASS))
    for name, fee, days, data_mb, area in _ROAM_PACKS:
        terms = dict(fee=fee, days=days, data_mb=data_mb, data=_mb(data_mb) if data_mb else "", area_list=area,
                     voice_pack=not data_mb)
        out.append(Business("MY", name, "roampack", terms, ("国际漫游", "多天包", "出境流量"), date(2023, 6, 1)))
    return out


def _from_bank(name: str, kind: str) -> list[Business]:
    out = []
    for entry in bank(name)["businesses"]:
        terms = dict(entry.get("terms") or {})
        out.append(Business(entry["code"], entry["name"], kind, terms, tuple(str(t) for t in entry.get("tags") or ()),
                            date.fromisoformat(str(entry.get("launched", "2020-01-01")))))
    return out


@cache
def catalogue() -> tuple[Business, ...]:
    """Every business except campaigns (which depend on the as-of date), in a fixed order."""
    return tuple(_plans() + _packs() + _elastic() + _vas() + _broadband() + _roaming()
                 + _from_bank("kp_service", "service") + _from_bank("kp_fault", "fault")
                 + _from_bank("kp_complaint", "complaint"))
