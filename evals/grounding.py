"""Groundedness: every amount, data quantity, date, time and percentage a reply states must come from a source.

`mentions` finds those values in Chinese text however they are written (``480元`` / ``480.00元`` /
``四百八十元``; ``3GB`` / ``3G流量`` / ``3个G`` / ``3072MB``; ``2026-11-20`` / ``11月20日`` / ``20号`` /
``11-24 08:33``; ``10:30`` / ``10点30分`` / ``下午3点半``; ``50%`` / ``百分之五十`` / ``八折``) and normalizes
them (yuan, MB, calendar fields, minutes of the day, percent). `ungrounded` returns the mentions of a reply that
no source (a fact the diagnosis fetched, or a shown knowledge text) states, judged at the precision the reply
wrote: ``3.5GB`` is grounded by ``3584MB`` and by ``3600MB`` (3.52 GB rounds to 3.5), ``10点`` by any time that
rounds to ten o'clock. Durations (``48小时``, ``3分钟``), counts and phone numbers are not scored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

Kind = Literal["money", "data", "date", "time", "percent"]

_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
          "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
_CN = "零〇一二两俩三四五六七八九十百千万亿"
_CN_NUM = rf"[{_CN}]+(?:点[零〇一二三四五六七八九]+)?"
_AR_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?(?:\s*[万千亿](?![兆瓦]))?"
_NUM = rf"(?<![\dA-Za-z.{_CN}])(?:{_AR_NUM}|{_CN_NUM})"
_SMALL_NUM = rf"(?<![\d{_CN}])(?:\d{{1,4}}|[{_CN}]{{1,4}})"

_MONEY = re.compile(rf"(?:[¥￥]\s*(?P<pre>{_AR_NUM})|(?P<num>{_NUM})\s*(?P<unit>元|块钱|块(?!儿)|圆|毛|角))")
_DATA = re.compile(rf"(?P<num>{_NUM})\s*"
                   r"(?P<unit>[TGMK][Bb](?![a-zA-Z])|个[Gg]|[Gg](?![a-zA-Z])|M(?:bps)?(?![a-zA-Z])|兆)(?=(?P<after>.?.?))")
_PERCENT = re.compile(rf"(?P<num>{_NUM})\s*%|百分之(?P<cn>{_NUM})"
                      rf"|(?P<fold>{_SMALL_NUM}(?:\.\d)?|[{_CN}]点五)折(?!扣|算)")
_ISO = re.compile(r"(?<!\d)(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})(?!\d)日?")
_YEAR_MONTH = re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})(?![\d-])")
_MONTH_DAY_TIME = re.compile(r"(?<![\d-])(?P<m>\d{1,2})-(?P<d>\d{1,2})\s+(?=\d{1,2}:\d{2})")
_CN_DATE = re.compile(
    rf"(?:(?P<y>\d{{4}}|[{_CN}]{{4}})\s*年\s*)?(?:(?P<m>{_SMALL_NUM})\s*月(?:份)?\s*)?"
    rf"(?:(?P<d>{_SMALL_NUM})\s*(?:日|号)(?![楼线码卡段机位键门院窗常期志记程]))?")
_CLOCK = re.compile(r"(?<![\d:.])(?P<h>\d{1,2}):(?P<mi>\d{2})(?::\d{2})?(?![\d:])")
_CN_CLOCK = re.compile(
    rf"(?P<part>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜间)?\s*(?P<h>{_SMALL_NUM})\s*[点时]"
    rf"(?:\s*(?P<mi>{_SMALL_NUM})\s*分|(?P<half>半)|(?P<whole>整))?(?=(?P<after>.?.?))")
_CLOCK_AFTER = ("前", "之前", "以前", "后", "之后", "以后", "左右", "钟")
_DIGIT_CLOCK_AFTER = ("起", "到", "至", "-", "～", "~")  # 5点起, 3点到5点; not 早一点起床, 早一点到营业厅
_TECH_G = {Decimal(2), Decimal(3), Decimal(4), Decimal(5), Decimal("2.4"), Decimal("5.8")}
_DATA_EXP = {"KB": -1, "MB": 0, "M": 0, "兆": 0, "GB": 1, "G": 1, "TB": 2}
_EPSILON = Decimal("1e-9")
_PM = {"下午", "傍晚", "晚上", "夜里", "夜间"}


@dataclass(frozen=True)
class Mention:
    """One value found in a text.

    Attributes:
        kind: money (yuan), data (MB), date, time (minute of the day), percent.
        text: The words as written.
        values: The readings of the value, each (normalized number, tolerance): yuan, MB, percent or minute of
            the day, with half the unit of the last digit written as tolerance. Data has two readings (x1024 and
            x1000: ``3.5GB`` is 3584 or 3500 MB); a time said without 上午/下午 (``3点``) has two (3:00, 15:00).
            Empty for dates.
        date: (year, month, day) for dates, each None when not said.
    """

    kind: Kind
    text: str
    values: tuple[tuple[Decimal, Decimal], ...] = ()
    date: tuple[int | None, int | None, int | None] | None = None

def normalize(text: str) -> str:
    """Full-width to half-width (NFKC), so ``４８０元`` and ``％`` read as ``480元`` and ``%``."""
    return unicodedata.normalize("NFKC", text)


def _cn_int(text: str) -> int | None:
    """A Chinese integer: 四百八十 -> 480, 四百八 -> 480, 一千零五 -> 1005, 两万五 -> 25000, 二零二六 -> 2026."""
    if not any(c in _SMALL or c in _BIG for c in text):
        if not all(c in _DIGIT for c in text):
            return None
        return int("".join(str(_DIGIT[c]) for c in text))
    total = section = 0
    number: int | None = None
    last_unit = 1
    zero = False
    for char in text:
        if char in _DIGIT:
            zero = zero or _DIGIT[char] == 0
            number = _DIGIT[char]
        elif char in _SMALL:
            section += (1 if number is None else number) * _SMALL[char]
            last_unit, number, zero = _SMALL[char], None, False
        elif char in _BIG:
            section += number or 0
            total += max(section, 1) * _BIG[char]
            section, number, last_unit, zero = 0, None, _BIG[char], False
        else:
            return None
    if number is not None:  # a trailing digit: 四百八 (480) but 四百零八 (408) and 十八 (18)
        section += number * (last_unit // 10) if last_unit >= 100 and not zero else number
    return total + section


def parse_number(text: str) -> tuple[Decimal, int] | None:
    """A number written in digits or Chinese, with how many decimals it was written with.

    Returns:
        (value, decimals), e.g. ``480.00`` -> (480, 2), ``三点五`` -> (3.5, 1), ``1.5万`` -> (15000, 0); None when
        `text` is not a number.
    """
    text = text.replace(",", "").replace(" ", "")
    if not text:
        return None
    scale = Decimal(1)
    if text[-1] in "万千亿" and text[:-1] and text[-2].isdigit():
        scale = Decimal({"万": 10_000, "千": 1000, "亿": 100_000_000}[text[-1]])
        text = text[:-1]
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        try:
            value = Decimal(text) * scale
        except InvalidOperation:  # pragma: no cover - the pattern only lets decimals through
            return None
        places = len(text.split(".")[1]) if "." in text and scale == 1 else 0
        return value, places
    whole, _, fraction = text.partition("点")
    integer = _cn_int(whole)
    if integer is None or any(c not in _DIGIT for c in fraction):
        return None
    digits = "".join(str(_DIGIT[c]) for c in fraction)
    return Decimal(f"{integer}.{digits}" if digits else str(integer)), len(digits)


def _half(places: int) -> Decimal:
    return Decimal(5) * Decimal(10) ** (-places - 1)


def _money(text: str, out: list[Mention]) -> None:
    for match in _MONEY.finditer(text):
        parsed = parse_number(match.group("pre") or match.group("num"))
        if parsed is None:
            continue
        value, places = parsed
        unit = match.group("unit") or "元"
        if unit == "块" and match.group("num") == "一":
            continue  # 一块去: "together", not one yuan
        factor = Decimal("0.1") if unit in ("毛", "角") else Decimal(1)
        out.append(Mention("money", match.group(0).strip(), ((abs(value) * factor, _half(places) * factor),)))


def _data_unit(unit: str) -> str:
    if unit.startswith("个") or unit in ("G", "g"):
        return "G"
    return "M" if unit.startswith("M") and unit.upper() != "MB" else unit.upper()


def _data(text: str, out: list[Mention]) -> None:
    for match in _DATA.finditer(text):
        if match.group("num") in ("千", "百", "万"):  # 千兆宽带: a tier's name, not a quantity
            continue
        parsed = parse_number(match.group("num"))
        if parsed is None:
            continue
        value, places = parsed
        unit = _data_unit(match.group("unit"))
        bare_g = unit == "G" and not match.group("unit").startswith("个")
        if bare_g and value in _TECH_G and not match.group("after").startswith("流量"):
            continue  # 4G/5G网络, 2.4G频段: a technology, not a quota
        exp = _DATA_EXP[unit]
        words = match.group(0)[: match.end("unit") - match.start()].strip()
        readings = tuple((value * Decimal(base) ** exp, _half(places) * Decimal(base) ** exp) for base in (1024, 1000))
        out.append(Mention("data", words, readings))


def _percent(text: str, out: list[Mention]) -> None:
    for match in _PERCENT.finditer(text):
        raw = match.group("num") or match.group("cn") or match.group("fold")
        parsed = parse_number(raw)
        if parsed is None:
            continue
        value, places = parsed
        if match.group("fold"):  # 八折 = 80%, 8.5折 = 85%
            value, places = value * 10, max(places - 1, 0)
        out.append(Mention("percent", match.group(0), ((value, _half(places)),)))


def _ok_date(y: int | None, m: int | None, d: int | None) -> bool:
    return (m is None or 1 <= m <= 12) and (d is None or 1 <= d <= 31) and (y is None or 1900 <= y <= 2100)


def _small(text: str | None) -> int | None:
    if not text:
        return None
    parsed = parse_number(text)
    return int(parsed[0]) if parsed is not None and parsed[0] == parsed[0].to_integral_value() else None


def _dates(text: str, out: list[Mention]) -> str:
    """Append the dates in `text`; return `text` with them blanked (so their digits are not read again)."""
    spans: list[tuple[int, int]] = []

    def add(match: re.Match[str], y: int | None, m: int | None, d: int | None) -> None:
        if _ok_date(y, m, d) and (m is not None or d is not None or y is not None):
            out.append(Mention("date", match.group(0).strip(), date=(y, m, d)))
            spans.append(match.span())

    for match in _ISO.finditer(text):
        add(match, int(match.group("y")), int(match.group("m")), int(match.group("d")))
    for match in _YEAR_MONTH.finditer(text):
        add(match, int(match.group("y")), int(match.group("m")), None)
    for match in _MONTH_DAY_TIME.finditer(text):
        add(match, None, int(match.group("m")), int(match.group("d")))
    text = _blank(text, spans)
    spans = []
    for match in _CN_DATE.finditer(text):
        if not match.group(0).strip():
            continue
        y, m, d = _small(match.group("y")), _small(match.group("m")), _small(match.group("d"))
        said = [(match.group(g), v) for g, v in (("y", y), ("m", m), ("d", d))]
        if any(words and value is None for words, value in said):
            continue
        if y is not None and m is None and d is None and len(match.group("y")) != 4:
            continue
        add(match, y, m, d)
    return _blank(text, spans)


def _times(text: str, out: list[Mention]) -> str:
    spans: list[tuple[int, int]] = []
    for match in _CLOCK.finditer(text):
        hour, minute = int(match.group("h")), int(match.group("mi"))
        if hour <= 23 and minute <= 59:
            out.append(Mention("time", match.group(0), ((Decimal(hour * 60 + minute), Decimal(0)),)))
            spans.append(match.span())
    text = _blank(text, spans)
    spans = []
    for match in _CN_CLOCK.finditer(text):
        said_hour, said_minute = _small(match.group("h")), _small(match.group("mi"))
        part, after = match.group("part"), match.group("after")
        precise = match.group("mi") is not None or bool(match.group("half") or match.group("whole"))
        if said_hour is None or said_hour > 24 or (match.group("mi") and (said_minute is None or said_minute > 59)):
            continue
        digits = match.group("h").isdigit()
        if not (part or precise or after.startswith(_CLOCK_AFTER) or (digits and after.startswith(_DIGIT_CLOCK_AFTER))):
            continue  # 以下3点: points of a list, not a time
        if not (part or precise or digits) and match.group("h") == "一":
            continue  # 快一点, 早一点前: "a little", not one o'clock
        if (part in _PM and said_hour < 12) or (part == "中午" and said_hour < 6):
            said_hour += 12
        at = Decimal(said_hour % 24 * 60 + (30 if match.group("half") else (said_minute or 0)))
        tolerance = Decimal(0) if precise else Decimal(30)  # 10点: judged to the hour
        readings = ((at, tolerance), (at + 720, tolerance)) if part is None and said_hour < 12 else ((at, tolerance),)
        out.append(Mention("time", text[match.start():match.start("after")].strip(), readings))
        spans.append((match.start(), match.start("after")))
    return _blank(text, spans)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = "\x00" * (end - start)
    return "".join(chars)


def mentions(text: str) -> list[Mention]:
    """Every amount, data quantity, date, time and percentage in `text`, normalized."""
    out: list[Mention] = []
    rest = _dates(normalize(text), out)
    rest = _times(rest, out)
    _money(rest, out)
    _data(rest, out)
    _percent(rest, out)
    return out


def _same_date(said: tuple[int | None, ...], source: tuple[int | None, ...]) -> bool:
    return all(s is None or s == t for s, t in zip(said, source, strict=True))


def _grounded_by(said: Mention, source: Mention) -> bool:
    if said.kind != source.kind:
        return False
    if said.kind == "date":
        return said.date is not None and source.date is not None and _same_date(said.date, source.date)
    return any(abs(stated - value) <= tolerance + _EPSILON
               for value, tolerance in said.values for stated, _ in source.values)


def ungrounded(text: str, sources: list[str]) -> list[Mention]:
    """The mentions in `text` (a reply) that no source states.

    Args:
        text: The reply, as read aloud.
        sources: The facts the diagnosis fetched and the text of the knowledge and scripts shown.

    Returns:
        The ungrounded mentions, in the order they appear (empty when the reply is grounded).
    """
    pool = [m for source in sources for m in mentions(source)]
    return [said for said in mentions(text) if not any(_grounded_by(said, source) for source in pool)]
