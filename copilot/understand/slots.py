"""Slots the caller mentions: amounts, data volumes, dates and months, addresses, numbers, and the fault.

Runs on masked text (a phone number arrives as ``138****1234``); spoken numerals are turned into digits first,
so "两百块" is an amount of 200 元 and "五个G" is 5 GB.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from knowledge.numbers import normalize_numbers

# "500多块" / "30来个G": an approximate amount counts as its lower bound, which is what the caller said
_YUAN = re.compile(r"(\d+(?:\.\d+)?)\s*(?:多|来|几)?\s*(?:元|块钱?|rmb)", re.IGNORECASE)
_DATA = re.compile(r"(\d+(?:\.\d+)?)\s*(?:多|来|几)?\s*个?\s*(GB|G|MB|M|兆)(?![a-zA-Z])", re.IGNORECASE)
_NETWORK = re.compile(r"(?<![\d.])[2-5]G(?![Bb]|流量|的流量)")
"""5G信号 / 4G标志: the network, not gigabytes (a bare 2G-5G is read as one unless 流量 follows)."""
_DAY = re.compile(r"(?:(\d{1,2})月)?(\d{1,2})[号日]")
_MONTH = re.compile(r"(?<!\d)(\d{1,2})月份?(?!\d{1,2}[号日])")
_RELATIVE_DAY = {"今天": 0, "昨天": 1, "前天": 2, "大前天": 3}
_RELATIVE_MONTH = re.compile(r"(?P<two>上上个?月)|(?P<one>上个?月)|这个月|本月")
_ADDRESS = re.compile(
    r"[\u4e00-\u9fa5A-Za-z0-9]{2,12}(?:小区|花园|公寓|大厦|新村|家园|苑|村|路\d+号|街\d+号|大道\d+号)"
    r"(?:[\dA-Za-z一二三四五六七八九十]+(?:栋|幢|号楼|单元|楼|室|号))*"
)
_MASKED_PHONE = re.compile(r"1[3-9]\d\*{4}\d{4}")
_SYMPTOMS = {  # how the line fails, in the caller's words (a few common misrecognitions too: 王速 for 网速)
    "no_internet": re.compile(r"上不了网|上不去网|网上不去|没网|没有网|断网|网断了|连不上|无法上网|不能上网|打不开网页"
                              r"|完全用不了"),
    "slow": re.compile(r"[网王]速(?:很|太|特别|非常)?慢|速度(?:很|太)?慢|网络?(?:很|太|好|有点|特别)卡"
                       r"|(?<!没有)(?<!没)卡顿|卡得|慢得很|慢死了|测速.{0,6}不够"),
    "intermittent": re.compile(r"时断时续|时好时坏|断断续续|(?:老|总|经常|一直|老是)掉线"
                               r"|一会儿?有一会儿?没"),
}
_NO_RED = re.compile(r"(?<!有)(?:没有|没|不是|无|也没)(?:亮)?红灯|红灯(?:没|不|也没)(?:亮|有)"
                     r"|灯(?:看着|看起来|都|全|也){0,2}(?:正常|是绿的?|绿的)|都是绿灯")
_RED = re.compile(r"(?<!有没有)(?<!有没)红灯|红色的灯|LOS灯?|los灯?")  # not "有没有红灯", a question
LATEST_LAST = frozenset({"months", "lights"})
"""Slots whose last-said value is what the caller means now."""


def _month_back(today: date, back: int) -> str:
    year, month = today.year, today.month - back
    while month <= 0:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}"


class Places:
    """Finds the roaming destinations a caller names ("下周去曼谷" -> 泰国), from the lexicon's places."""

    def __init__(self, names: Mapping[str, str] | None = None) -> None:
        """Look for the names in `names` (every name of a place -> its destination, as `Tokenizer.places`)."""
        self._names = dict(names or {})
        longest_first = sorted(self._names, key=lambda n: (-len(n), n))
        self._pattern = re.compile("|".join(map(re.escape, longest_first))) if longest_first else None

    def find(self, text: str) -> list[str]:
        """The destinations named in `text`, in the order they are first named."""
        if self._pattern is None:
            return []
        return list(dict.fromkeys(self._names[m.group(0)] for m in self._pattern.finditer(text)))


def extract_slots(text: str, today: date, places: Places | None = None) -> dict[str, Any]:
    """Slots in one utterance (only those present).

    Args:
        text: The masked utterance.
        today: The call's date, to resolve 昨天 / 上个月 and months without a year.
        places: The roaming destinations to look for; none looks for none.

    Returns:
        Any of ``amounts_yuan`` (list of floats), ``data_mb`` (list of floats), ``dates`` (ISO days),
        ``months`` (``YYYY-MM``), ``addresses``, ``numbers`` (masked phone numbers), ``symptoms`` (how the
        line fails: ``no_internet``, ``slow``, ``intermittent``) and ``lights`` (what the caller says of the
        光猫's red LOS light: ``red`` or ``no_red``) and ``destinations`` (roaming destinations, as the knowledge
        writes them).
    """
    plain = normalize_numbers(text)
    slots: dict[str, Any] = {}
    amounts = [float(m.group(1)) for m in _YUAN.finditer(plain)]
    if amounts:
        slots["amounts_yuan"] = amounts
    data = []
    for m in _DATA.finditer(_NETWORK.sub("", plain)):
        value, unit = float(m.group(1)), m.group(2).upper()
        data.append(value * 1024 if unit in ("GB", "G") else value)
    if data:
        slots["data_mb"] = data
    days = [(today - timedelta(days=back)).isoformat() for word, back in _RELATIVE_DAY.items()
            if word in plain and not (word == "前天" and "大前天" in plain)]
    for m in _DAY.finditer(plain):
        month = int(m.group(1)) if m.group(1) else today.month
        day = int(m.group(2))
        year = today.year if month <= today.month else today.year - 1
        try:
            days.append(date(year, month, day).isoformat())
        except ValueError:
            continue
    if days:
        slots["dates"] = sorted(set(days))
    said = [(m.start(), _month_back(today, 2 if m.group("two") else 1 if m.group("one") else 0))
            for m in _RELATIVE_MONTH.finditer(plain)]
    for m in _MONTH.finditer(plain):
        month = int(m.group(1))
        if 1 <= month <= 12:
            year = today.year if month <= today.month else today.year - 1
            said.append((m.start(), f"{year:04d}-{month:02d}"))
    if said:  # in the order said, each month where it was last said
        slots["months"] = _latest_last(month for _, month in sorted(said))
    addresses = [m.group(0) for m in _ADDRESS.finditer(text)]
    if addresses:
        slots["addresses"] = addresses
    numbers = _MASKED_PHONE.findall(text)
    if numbers:
        slots["numbers"] = numbers
    symptoms = [name for name, pattern in _SYMPTOMS.items() if pattern.search(text)]
    if symptoms:
        slots["symptoms"] = symptoms
    # the last thing said of the light stands ("之前没有红灯，现在红灯亮了"); "有没有红灯" asks, it does not say
    negated = [range(m.start(), m.end()) for m in _NO_RED.finditer(text)]
    said = [(span.start, "no_red") for span in negated]
    said += [(m.start(), "red") for m in _RED.finditer(text) if not any(m.start() in span for span in negated)]
    if said:
        slots["lights"] = [max(said)[1]]
    destinations = places.find(text) if places else []
    if destinations:
        slots["destinations"] = destinations
    return slots


def merge_slots(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Slots of the call so far: lists gain the new values, in order, without repeats.

    A month or the light's state said again moves to the end: the last one the caller named is the one meant
    ("上个月……哦不对，这个月……还是上个月的").
    """
    merged = dict(old)
    for key, values in new.items():
        both = [*old.get(key, []), *values]
        merged[key] = _latest_last(both) if key in LATEST_LAST else list(dict.fromkeys(both))
    return merged


def _latest_last(values: Iterable[Any]) -> list[Any]:
    """Each value once, where it last came."""
    return list(reversed(dict.fromkeys(reversed(list(values)))))
