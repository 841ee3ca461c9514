"""Geography and people: provinces, cities, districts with real place names, and Chinese names.

江西省 is the pilot province and carries about 40% of the lines. Each district has its
administrative code (the first six digits of a resident ID number issued there), the
city's telephone area code (the prefix of broadband account ids) and a few real roads and
landmarks used to name cells, OLTs, addresses and weak-coverage spots.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate


@dataclass(frozen=True)
class District:
    """A district (区/县) with what the generator needs to name things in it."""

    province: str
    city: str
    district: str
    admin_code: str  # 6-digit administrative division code (ID-number prefix)
    area_code: str  # telephone area code, e.g. "0791"
    province_abbr: str  # JX, GD, ... (network element names)
    city_abbr: str  # NC, GZ, ... (outage ids, BRAS names)
    landmarks: tuple[str, ...]
    weight: float  # share of all lines

    @property
    def key(self) -> str:
        """A stable key: city + district (district names repeat across cities, e.g. 西湖区)."""
        return f"{self.city}{self.district}"

    @property
    def city_short(self) -> str:
        """City name without the 市 suffix, for element names (南昌, 北京)."""
        return self.city.removesuffix("市")

    @property
    def address_prefix(self) -> str:
        """Postal address prefix; municipalities are written once (北京市朝阳区)."""
        if self.province == self.city:
            return f"{self.city}{self.district}"
        return f"{self.province}{self.city}{self.district}"


# (province, abbr, weight %, [(city, area code, city abbr, city share, [(district, code, share, landmarks)])])
_DistrictRaw = tuple[str, str, float, str]
_CityRaw = tuple[str, str, str, float, tuple[_DistrictRaw, ...]]
_RAW: tuple[tuple[str, str, float, tuple[_CityRaw, ...]], ...] = (
    ("江西省", "JX", 40.0, (
        ("南昌市", "0791", "NC", 45.0, (
            ("东湖区", "360102", 1.2, "八一广场 八一大道 胜利路 阳明路"),
            ("西湖区", "360103", 1.2, "朝阳洲 丁公路 系马桩 桃苑"),
            ("青云谱区", "360104", 0.8, "洪都大道 井冈山大道 青云谱路"),
            ("青山湖区", "360111", 1.3, "高新大道 北京东路 京东大道 湖坊"),
            ("新建区", "360112", 0.8, "长堎 望城 学府大道"),
            ("红谷滩区", "360113", 1.3, "万达广场 丰和中大道 红谷中大道 秋水广场"),
            ("南昌县", "360121", 0.9, "莲塘 向塘 澄湖"),
        )),
        ("赣州市", "0797", "GANZ", 20.0, (
            ("章贡区", "360702", 1.4, "文清路 黄金广场 赣江源大道"),
            ("南康区", "360703", 0.8, "蓉江路 家具城 东山大道"),
            ("赣县区", "360704", 0.6, "梅林 赣新大道"),
        )),
        ("九江市", "0792", "JJ", 15.0, (
            ("浔阳区", "360403", 1.2, "浔阳路 甘棠湖 长虹大道"),
            ("濂溪区", "360402", 0.9, "十里大道 莲花 九江学院"),
            ("柴桑区", "360404", 0.6, "沙河街 柴桑大道"),
        )),
        ("上饶市", "0793", "SR", 12.0, (
            ("信州区", "361102", 1.3, "中山路 三清山大道 凤凰大道"),
            ("广丰区", "361103", 0.7, "永丰大道 月兔广场"),
        )),
        ("宜春市", "0795", "YC", 8.0, (
            ("袁州区", "360902", 1.0, "宜阳大道 中山路 明月山大道"),
        )),
    )),
    ("广东省", "GD", 12.0, (
        ("广州市", "020", "GZ", 55.0, (
            ("天河区", "440106", 1.4, "体育西路 珠江新城 天河北路 岗顶"),
            ("越秀区", "440104", 1.0, "北京路 东风中路 农林下路"),
            ("海珠区", "440105", 1.0, "江南西路 客村 琶洲"),
            ("白云区", "440111", 1.1, "同和 京溪 嘉禾望岗"),
            ("番禺区", "440113", 0.9, "市桥 大学城 祈福新邨"),
        )),
        ("深圳市", "0755", "SZ", 45.0, (
            ("福田区", "440304", 1.1, "华强北 车公庙 福田口岸"),
            ("南山区", "440305", 1.2, "科技园 蛇口 前海"),
            ("宝安区", "440306", 1.2, "西乡 福永 宝安中心"),
            ("龙岗区", "440307", 1.0, "坂田 布吉 龙岗中心城"),
        )),
    )),
    ("北京市", "BJ", 10.0, (
        ("北京市", "010", "BJ", 100.0, (
            ("东城区", "110101", 0.8, "王府井 东直门 崇文门"),
            ("西城区", "110102", 0.9, "西单 金融街 德胜门"),
            ("朝阳区", "110105", 1.5, "国贸 望京 三里屯 大望路"),
            ("海淀区", "110108", 1.4, "中关村 五道口 公主坟 西二旗"),
            ("丰台区", "110106", 1.0, "丰台科技园 方庄 马家堡"),
        )),
    )),
    ("浙江省", "ZJ", 8.0, (
        ("杭州市", "0571", "HZ", 100.0, (
            ("上城区", "330102", 1.0, "湖滨 钱江新城 四季青"),
            ("拱墅区", "330105", 1.0, "武林广场 大关 运河新城"),
            ("西湖区", "330106", 1.1, "文三路 黄龙 西溪"),
            ("滨江区", "330108", 0.9, "江南大道 长河 物联网街"),
            ("萧山区", "330109", 1.0, "市心路 钱江世纪城 湘湖"),
            ("余杭区", "330110", 1.0, "未来科技城 良渚 仓前"),
        )),
    )),
    ("四川省", "SC", 8.0, (
        ("成都市", "028", "CD", 100.0, (
            ("锦江区", "510104", 1.0, "春熙路 东大街 三圣乡"),
            ("青羊区", "510105", 1.0, "宽窄巷子 人民公园 光华大道"),
            ("金牛区", "510106", 1.0, "火车北站 茶店子 沙湾"),
            ("武侯区", "510107", 1.1, "高升桥 玉林 桐梓林"),
            ("成华区", "510108", 0.9, "建设路 东郊记忆 理工大学"),
        )),
    )),
    ("上海市", "SH", 8.0, (
        ("上海市", "021", "SH", 100.0, (
            ("黄浦区", "310101", 0.8, "南京东路 外滩 打浦桥"),
            ("徐汇区", "310104", 1.0, "徐家汇 漕河泾 田林"),
            ("浦东新区", "310115", 1.6, "陆家嘴 张江 金桥 川沙"),
            ("闵行区", "310112", 1.1, "莘庄 七宝 虹桥"),
            ("静安区", "310106", 0.9, "静安寺 大宁 彭浦"),
        )),
    )),
    ("湖北省", "HB", 7.0, (
        ("武汉市", "027", "WH", 100.0, (
            ("江岸区", "420102", 1.0, "江汉路 后湖 黄浦大街"),
            ("江汉区", "420103", 0.9, "武广 王家墩 新华路"),
            ("武昌区", "420106", 1.0, "中南路 积玉桥 武昌火车站"),
            ("洪山区", "420111", 1.3, "光谷广场 街道口 南湖"),
        )),
    )),
    ("江苏省", "JS", 7.0, (
        ("南京市", "025", "NJ", 100.0, (
            ("玄武区", "320102", 0.9, "新街口 珠江路 玄武湖"),
            ("秦淮区", "320104", 1.0, "夫子庙 中华门 大光路"),
            ("建邺区", "320105", 1.0, "河西万达 奥体中心 江东中路"),
            ("鼓楼区", "320106", 1.0, "湖南路 鼓楼广场 凤凰西街"),
            ("江宁区", "320115", 1.1, "百家湖 东山 九龙湖"),
        )),
    )),
)


def _build_districts() -> tuple[District, ...]:
    out: list[District] = []
    for province, p_abbr, p_weight, cities in _RAW:
        city_total = sum(c[3] for c in cities)
        for city, area, c_abbr, c_share, districts in cities:
            d_total = sum(d[2] for d in districts)
            for name, code, d_share, landmarks in districts:
                weight = p_weight / 100.0 * c_share / city_total * d_share / d_total
                out.append(District(province, city, name, code, area, p_abbr, c_abbr, tuple(landmarks.split()), weight))
    return tuple(out)


DISTRICTS: tuple[District, ...] = _build_districts()
_CUM_WEIGHTS: tuple[float, ...] = tuple(accumulate(d.weight for d in DISTRICTS))
PILOT_PROVINCE = "江西省"


def pick_district(rng: random.Random) -> District:
    """A district drawn by its share of lines."""
    return rng.choices(DISTRICTS, cum_weights=_CUM_WEIGHTS)[0]


# ---------------------------------------------------------------- names
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢熊万涂付钟邹"
)
_SURNAME_CUM = tuple(accumulate(1.0 / (rank + 4) for rank in range(len(_SURNAMES))))
_COMPOUND_SURNAMES = ("欧阳", "上官", "司马")
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉鹏玲萍红燕俊斌浩宇轩涵欣怡梓子晨博晓雪琳婷雨思佳嘉宏志"
    "海波林鑫峰凯丹倩颖慧琴兰梅春秋宁安晴悦诗一泽睿然航铭金荣德福秀凤"
)


def chinese_name(rng: random.Random) -> str:
    """A common Chinese full name: surname plus a one- or two-character given name."""
    if rng.random() < 0.01:
        surname = rng.choice(_COMPOUND_SURNAMES)
    else:
        surname = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]
    given = rng.choice(_GIVEN) if rng.random() < 0.3 else rng.choice(_GIVEN) + rng.choice(_GIVEN)
    return surname + given


def masked_id_number(rng: random.Random, district: District) -> str:
    """A masked resident ID number: district code, 8 stars, last 4 (the last may be X)."""
    last = rng.choice("0123456789X") if rng.random() < 0.1 else str(rng.randrange(10))
    return f"{district.admin_code}********{rng.randrange(1000):03d}{last}"


_COMMUNITY_HEADS = ("阳光", "锦绣", "翠苑", "滨江", "幸福", "香樟", "绿地", "金色", "紫荆", "怡景", "御景", "书香")
_COMMUNITY_TAILS = ("花园", "小区", "家园", "新村", "公寓", "华府", "名苑")


def street_address(rng: random.Random, district: District) -> str:
    """A residential address in the district, down to the flat (…3栋2单元1502室)."""
    road = rng.choice(district.landmarks)
    community = rng.choice(_COMMUNITY_HEADS) + rng.choice(_COMMUNITY_TAILS)
    floor, flat = rng.randint(1, 28), rng.randint(1, 4)
    return (
        f"{district.address_prefix}{road}{rng.randint(1, 399)}号{community}"
        f"{rng.randint(1, 24)}栋{rng.randint(1, 4)}单元{floor}{flat:02d}室"
    )
