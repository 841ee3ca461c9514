"""Provinces, cities and districts, and how each province's rules differ from the nationwide ones.

The provinces, cities and districts the simulator serves are copied here as data (the same names as
``tools/sim/generator/regions.py``; ``knowledge`` never imports ``tools``). Extra districts and cities
exist only for invented local outages, so an invented outage never lands where a simulated caller lives.

A province variant of a rule is the nationwide rule rendered with that province's terms: its own
WeChat account and SMS codes, its broadband installation and moving fees, its SIM replacement fee,
its hall hours and so on. The numbers are drawn once per (business, province) from the option lists
below, so they stay the same from one run to the next for one seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from knowledge.schema import NATIONWIDE

# province -> city -> districts (the simulator's geography; same names, same order)
SIM_GEOGRAPHY: dict[str, dict[str, tuple[str, ...]]] = {
    "江西省": {
        "南昌市": ("东湖区", "西湖区", "青云谱区", "青山湖区", "新建区", "红谷滩区", "南昌县"),
        "赣州市": ("章贡区", "南康区", "赣县区"),
        "九江市": ("浔阳区", "濂溪区", "柴桑区"),
        "上饶市": ("信州区", "广丰区"),
        "宜春市": ("袁州区",),
    },
    "广东省": {
        "广州市": ("天河区", "越秀区", "海珠区", "白云区", "番禺区"),
        "深圳市": ("福田区", "南山区", "宝安区", "龙岗区"),
    },
    "北京市": {"北京市": ("东城区", "西城区", "朝阳区", "海淀区", "丰台区")},
    "浙江省": {"杭州市": ("上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区")},
    "四川省": {"成都市": ("锦江区", "青羊区", "金牛区", "武侯区", "成华区")},
    "上海市": {"上海市": ("黄浦区", "徐汇区", "浦东新区", "闵行区", "静安区")},
    "湖北省": {"武汉市": ("江岸区", "江汉区", "武昌区", "洪山区")},
    "江苏省": {"南京市": ("玄武区", "秦淮区", "建邺区", "鼓楼区", "江宁区")},
}
PILOT_PROVINCE = "江西省"
PROVINCES: tuple[str, ...] = tuple(SIM_GEOGRAPHY)
# Callers' (province, city), with a weight like the simulator's line shares.
CALLER_CITIES: tuple[tuple[str, str, float], ...] = (
    ("江西省", "南昌市", 18.0), ("江西省", "赣州市", 8.0), ("江西省", "九江市", 6.0), ("江西省", "上饶市", 5.0),
    ("江西省", "宜春市", 3.0), ("广东省", "广州市", 6.6), ("广东省", "深圳市", 5.4), ("北京市", "北京市", 10.0),
    ("浙江省", "杭州市", 8.0), ("四川省", "成都市", 8.0), ("上海市", "上海市", 8.0), ("湖北省", "武汉市", 7.0),
    ("江苏省", "南京市", 7.0),
)

# Districts where no simulated line lives: invented local outages go here.
OTHER_DISTRICTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("江西省", "南昌市"): ("安义县", "进贤县"),
    ("江西省", "赣州市"): ("于都县", "瑞金市", "信丰县", "兴国县"),
    ("江西省", "九江市"): ("瑞昌市", "庐山市", "都昌县", "修水县"),
    ("江西省", "上饶市"): ("鄱阳县", "玉山县", "婺源县", "余干县"),
    ("江西省", "宜春市"): ("丰城市", "樟树市", "高安市", "万载县"),
    ("江西省", "景德镇市"): ("珠山区", "昌江区", "浮梁县"),
    ("江西省", "萍乡市"): ("安源区", "湘东区", "芦溪县"),
    ("江西省", "新余市"): ("渝水区", "分宜县"),
    ("江西省", "鹰潭市"): ("月湖区", "贵溪市", "余江区"),
    ("江西省", "吉安市"): ("吉州区", "青原区", "井冈山市", "泰和县"),
    ("江西省", "抚州市"): ("临川区", "东乡区", "南城县"),
    ("广东省", "广州市"): ("黄埔区", "花都区", "增城区", "南沙区"),
    ("广东省", "深圳市"): ("罗湖区", "龙华区", "光明区", "坪山区"),
    ("广东省", "佛山市"): ("禅城区", "南海区", "顺德区"),
    ("广东省", "珠海市"): ("香洲区", "金湾区", "斗门区"),
    ("广东省", "惠州市"): ("惠城区", "惠阳区", "博罗县"),
    ("北京市", "北京市"): ("通州区", "昌平区", "大兴区", "顺义区", "房山区"),
    ("浙江省", "杭州市"): ("临平区", "富阳区", "钱塘区", "临安区"),
    ("浙江省", "宁波市"): ("海曙区", "鄞州区", "北仑区"),
    ("浙江省", "温州市"): ("鹿城区", "瓯海区", "龙湾区"),
    ("四川省", "成都市"): ("双流区", "郫都区", "新都区", "龙泉驿区"),
    ("四川省", "绵阳市"): ("涪城区", "游仙区"),
    ("四川省", "宜宾市"): ("翠屏区", "叙州区"),
    ("上海市", "上海市"): ("长宁区", "普陀区", "宝山区", "嘉定区", "松江区"),
    ("湖北省", "武汉市"): ("硚口区", "汉阳区", "青山区", "江夏区"),
    ("湖北省", "宜昌市"): ("西陵区", "伍家岗区", "夷陵区"),
    ("湖北省", "襄阳市"): ("襄城区", "樊城区", "襄州区"),
    ("江苏省", "南京市"): ("栖霞区", "雨花台区", "浦口区", "六合区"),
    ("江苏省", "苏州市"): ("姑苏区", "吴中区", "相城区"),
    ("江苏省", "无锡市"): ("梁溪区", "滨湖区", "新吴区"),
}
AREA_CODES: dict[str, str] = {
    "南昌市": "0791", "赣州市": "0797", "九江市": "0792", "上饶市": "0793", "宜春市": "0795", "广州市": "020",
    "深圳市": "0755", "北京市": "010", "杭州市": "0571", "成都市": "028", "上海市": "021", "武汉市": "027",
    "南京市": "025",
}
SPOTS: tuple[str, ...] = (
    "人民路", "解放路", "建设路", "中山路", "新华路", "沿江路", "工业园", "大学城", "高铁站", "汽车站", "人民医院",
    "万达广场", "步行街", "开发区", "老城区", "体育中心", "会展中心", "城南新区", "物流园", "火车站",
)


@dataclass(frozen=True)
class ProvinceStyle:
    """How one province names its channels and runs its halls."""

    short: str  # 江西
    abbr: str  # 赣 (bulletin numbers)
    code: str  # JX (SMS codes)
    hall_hours: str
    hall_note: str
    wx: str  # WeChat account


STYLES: dict[str, ProvinceStyle] = {
    "江西省": ProvinceStyle(
        "江西", "赣", "JX", "8:30-18:00", "南昌、赣州等地市中心营业厅周末照常营业", "中国移动江西微信公众号"
    ),
    "广东省": ProvinceStyle("广东", "粤", "GD", "9:00-21:00", "广州、深圳旗舰店营业至21:30", "广东移动微信公众号"),
    "北京市": ProvinceStyle(
        "北京", "京", "BJ", "9:00-19:00", "西单、国贸旗舰店法定节假日正常营业", "北京移动微信公众号"
    ),
    "浙江省": ProvinceStyle("浙江", "浙", "ZJ", "8:30-18:30", "杭州各区中心厅提供预约取号", "浙江移动微信公众号"),
    "四川省": ProvinceStyle("四川", "川", "SC", "9:00-18:30", "成都春熙路旗舰店营业至21:00", "四川移动微信公众号"),
    "上海市": ProvinceStyle("上海", "沪", "SH", "9:00-20:00", "南京东路旗舰店全年无休", "上海移动微信公众号"),
    "湖北省": ProvinceStyle("湖北", "鄂", "HB", "8:30-18:00", "武汉江汉路旗舰店周末营业至20:00", "湖北移动微信公众号"),
    "江苏省": ProvinceStyle("江苏", "苏", "JS", "9:00-18:00", "南京新街口旗舰店周末照常营业", "江苏移动微信公众号"),
}

# Regional terms: the nationwide value, then the options a province draws from.
REGIONAL_TERMS: dict[str, tuple[object, tuple[object, ...]]] = {
    "install_fee": (0, (0, 50, 100, 120, 200)),  # 宽带调测费（元）
    "onu_deposit": (0, (0, 100, 150, 200)),  # 光猫押金（元）
    "move_fee": (50, (0, 30, 50, 80, 100)),  # 宽带移机费（元）
    "install_hours": (48, (24, 36, 48, 72)),  # 装机时限（小时）
    "repair_hours": (24, (12, 24, 36, 48)),  # 故障修复承诺（小时）
    "card_fee": (0, (0, 5, 10, 20)),  # 补换卡工本费（元）
    "roam_prepay": (200, (0, 100, 200, 300, 500)),  # 开通国际漫游需预存（元）
    "points_per_yuan": (100, (80, 100, 120, 150)),  # 多少积分抵1元
    "contract_months": (12, (12, 24, 36)),  # 合约期（月）
    "early_fee": (100, (50, 100, 150, 200, 300)),  # 提前拆机违约金（元）
    "fttr_fee": (20, (10, 15, 20, 30)),  # FTTR从光猫月费（元）
    "trial_days": (7, (3, 5, 7, 15)),  # 增值业务免费体验（天）
    "visit_fee": (0, (0, 30, 50)),  # 上门服务费（元）
    "gift_pct": (100, (60, 80, 100, 120)),  # 活动赠送比例（相对全国标准，%）
    "tenure": (0, (0, 3, 6, 12)),  # 省内附加在网时长要求（月）
    "proc_hours": (2, (1, 2, 4, 24)),  # 系统处理时限（小时）
    "callback_hours": (24, (12, 24, 48)),  # 投诉回访时限（小时）
    "seats": (0, (500, 1000, 2000, 5000)),  # 活动名额（个）
}


def region_text(province: str | None = None, city: str | None = None) -> str:
    """The scope string: 全国 / 江西省 / 江西省南昌市 (municipalities repeat: 北京市北京市)."""
    if province is None:
        return NATIONWIDE
    return f"{province}{city}" if city else province


def split_region(region: str) -> tuple[str | None, str | None]:
    """(province, city) of a scope string."""
    if region == NATIONWIDE:
        return None, None
    for province in PROVINCES:
        if region.startswith(province):
            return province, region[len(province):] or None
    for province, _city in OTHER_DISTRICTS:
        if region.startswith(province):
            return province, region[len(province):] or None
    raise ValueError(region)


@cache
def regional_terms(seed: int, business: str, province: str | None) -> dict[str, object]:
    """The regional terms for a business in a province (nationwide values when province is None; read-only)."""
    if province is None:
        return {k: base for k, (base, _opts) in REGIONAL_TERMS.items()}
    r = random.Random(f"{seed}|terms|{business}|{province}")
    terms: dict[str, object] = {}
    for key, (base, options) in REGIONAL_TERMS.items():
        pick = r.choice(options)
        if pick == base:  # a variant must differ somewhere that shows
            pick = options[(options.index(pick) + 1) % len(options)]
        terms[key] = pick
    return terms


def region_context(region: str) -> dict[str, object]:
    """Words that depend on the scope: the company, the WeChat account, hall hours, the area."""
    province, city = split_region(region)
    if province is None:
        return {
            "area": "全国", "corp": "中国移动", "wx": "中国移动10086微信公众号", "hall_hours": "9:00-18:00",
            "hall_note": "各地营业厅营业时间以当地公示为准", "prov": "", "prov_short": "", "city": "", "scope": "全国",
            "sms_prefix": "", "local": False, "nationwide": True,
        }
    style = STYLES.get(province) or STYLES[PILOT_PROVINCE]
    city_short = (city or "").removesuffix("市") if city and city != province else ""
    return {
        "area": city or province, "corp": f"{city_short or style.short}移动", "wx": style.wx,
        "hall_hours": style.hall_hours, "hall_note": style.hall_note, "prov": province, "prov_short": style.short,
        "city": city or "", "scope": f"{style.short}{city_short}" if city_short else style.short,
        "sms_prefix": style.code, "local": True, "nationwide": False,
    }


def municipality(province: str) -> bool:
    """Whether the province is a municipality (北京市, 上海市)."""
    return province.endswith("市")
