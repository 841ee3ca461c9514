"""Slots the caller mentions: amounts, data volumes, dates and months, addresses, numbers, places, statements.

Runs on masked text (a phone number arrives as ``138****1234``); spoken numerals are turned into digits first,
so "两百块" is an amount of 200 元 and "五个G" is 5 GB.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Collection, Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from copilot.understand.statements import Statements
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
_NEXT_MONTH = re.compile(r"下个?月的?$")
_THERE = re.compile(r"(?:在|到了|来了)$")
"""Just before a destination, these say the caller is there now..."""
_THEN = re.compile(r"(?:期间|的时候|那几天|那段|时)")
"""...unless these follow it ("在泰国期间接了几个电话": a trip gone by)."""
MASKED_PHONE = re.compile(r"1[3-9]\d\*{4}\d{4}")
"""A phone number as masking leaves it (138****1234)."""
LATEST_LAST = frozenset({"months"})
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

    def there_now(self, text: str) -> bool:
        """Whether `text` says the caller is at a destination now ("我在泰国旅游呢", "现在在日本", "到了曼谷")."""
        if self._pattern is None:
            return False
        return any(_THERE.search(text[max(0, m.start() - 3):m.start()]) and not _THEN.match(text, m.end())
                   for m in self._pattern.finditer(text))


def extract_slots(text: str, today: date, places: Places | None = None,
                  statements: Statements | None = None) -> dict[str, Any]:
    """Slots in one utterance (only those present).

    Args:
        text: The masked utterance.
        today: The call's date, to resolve 昨天 / 上个月 and months without a year.
        places: The roaming destinations to look for; none looks for none.
        statements: What callers say of their situation (`copilot.understand.statements`); none looks for none.

    Returns:
        Any of ``amounts_yuan`` (list of floats), ``data_mb`` (list of floats), ``dates`` (ISO days),
        ``months`` (``YYYY-MM``), ``addresses``, ``numbers`` (masked phone numbers), ``destinations`` (roaming
        destinations, as the knowledge writes them) and each statement's slot (``symptoms``: ``no_internet`` ...,
        ``lights``: ``red`` or ``no_red`` ...).
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
        day = int(m.group(2))
        if not m.group(1) and _NEXT_MONTH.search(plain[max(0, m.start() - 4):m.start()]):
            year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
            days.append(date(year, month, min(day, monthrange(year, month)[1])).isoformat())
            continue  # "下个月十号去新加坡": the 10th of next month, not of this one
        month = int(m.group(1)) if m.group(1) else today.month
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
    numbers = MASKED_PHONE.findall(text)
    if numbers:
        slots["numbers"] = numbers
    destinations = places.find(text) if places else []
    if destinations:
        slots["destinations"] = destinations
    if statements is not None:
        slots |= statements.find(text)
        if "trip" in statements.names and "trip" not in slots and places is not None and places.there_now(text):
            slots["trip"] = ["abroad"]  # 在 + a destination: where the caller is now (a trip said with a day stands)
    return slots


def merge_slots(old: dict[str, Any], new: dict[str, Any], replaced: Collection[str] = ()) -> dict[str, Any]:
    """Slots of the call so far: lists gain the new values, in order, without repeats.

    A month said again moves to the end: the last one the caller named is the one meant ("上个月……哦不对，
    这个月……还是上个月的"). A slot in `replaced` (a statement kept `last`: the light's state, whether the
    caller ordered it) holds only what was said of it last.
    """
    merged = dict(old)
    for key, values in new.items():
        if key in replaced:
            merged[key] = list(values)
            continue
        both = [*old.get(key, []), *values]
        merged[key] = _latest_last(both) if key in LATEST_LAST else list(dict.fromkeys(both))
    return merged


def _latest_last(values: Iterable[Any]) -> list[Any]:
    """Each value once, where it last came."""
    return list(reversed(dict.fromkeys(reversed(list(values)))))
