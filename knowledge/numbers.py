"""Spoken numbers to digits, so that "两百九十九的套餐" meets "299元档" and "5个G" meets "5GB"."""

from __future__ import annotations

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
_SHORTENED = {"百": 10, "千": 100, "万": 1000}  # 二百四: the 四 is 四十
_HUNDRED_DROPPED = re.compile(r"[一二两三四五六七八九][一二两三四五六七八九]十[一二三四五六七八九]")
_RUN = re.compile(
    r"[零〇一二两三四五六七八九十百千万]{2,}"  # a run of numerals
    r"|(?<![几多数])[零〇一二两三四五六七八九十百千](?=[块元档个G兆分天号月年岁]|个G)"  # or one, before a unit
)  # (not 几百块 / 好几十块: "a few hundred" is no amount)
_NEXT_NUMBER = re.compile(  # 九十九一个月: 99, then 1个月; 一百五一个月 (a 百 or 千 shortened): 150, then 1个月
    r"(?<=[十零〇][一二两三四五六七八九])[一二两三四五六七八九]"
    r"|(?<=[百千][一二两三四五六七八九])一(?=个|[年月天周])")
_GB = re.compile(r"(\d+(?:\.\d+)?)\s*(?:个\s*[Gg](?![Bb])|[Gg](?=流量|的流量))")  # "5G" alone is the network
_GB_MORE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:个多|多个)\s*[Gg](?![Bb])")  # 两个多G, 二十多个G: 2GB多, 20GB多
_YUAN = re.compile(r"(\d+(?:\.\d+)?)\s*块钱?")
_MEGA = re.compile(r"(\d+)\s*兆")
_JIAO = re.compile(  # 五块五 / 两块八毛 / 5块5: 5.5元, 2.8元, 5.5元 (not 十块五个G)
    r"([零〇一二两三四五六七八九十百千万]+|\d+)\s*块([一二两三四五六七八九1-9])(?:毛|角)?"
    r"(?![零〇二两三四五六七八九十百千万\d个G兆分天号月年岁块元.]|一(?![天分个月年小条次周]))")  # 一天: per day


def chinese_to_int(text: str) -> int | None:
    """Value of a Chinese numeral ("两百九十九" -> 299, "十五" -> 15, "一二八" -> 128), or None.

    A last digit straight after 百, 千 or 万 counts in the next unit down, as callers shorten numbers:
    "二百四" is 240, "三千五" 3,500, "一万二" 12,000 (but "二百零四" is 204), and "二百三八" is 238. Two
    neighbouring digits are a range, read as its lower end: "一百五六十" 150, "两百五六" 250.
    """
    if not text:
        return None
    half = len(text) // 2
    if half >= 2 and text[:half] == text[half:] and any(c in UNITS for c in text):
        text = text[:half]  # 二十二十: a caller repeating himself says 20, not 40
    if _HUNDRED_DROPPED.fullmatch(text):  # 一二十八: 128 with its 百 dropped (not 两三十, "twenty or thirty")
        return DIGITS[text[0]] * 100 + (chinese_to_int(text[1:]) or 0)
    if all(c in DIGITS for c in text):  # digit by digit, as numbers are read out: 一二八
        return int("".join(str(DIGITS[c]) for c in text))
    total, section, current, unit = 0, 0, 0, 0
    for i, ch in enumerate(text):
        if ch in DIGITS:
            if current and unit >= 100:  # a digit straight after another, after 百 or 千
                if DIGITS[ch] == current + 1:  # 一百五六十, 两百五六: "fifty or sixty", the lower is meant
                    if text[i + 1:i + 2] not in UNITS:
                        section, current = section + current * unit // 10, 0
                    continue
                section += current * unit // 10  # 二百三八: the 三 was 三十
            current = DIGITS[ch]
        elif ch in UNITS:
            section += (current or 1) * UNITS[ch]
            current, unit = 0, UNITS[ch]
        elif ch == "万":
            total += (section + current) * 10000
            section, current, unit = 0, 0, 0
        else:
            return None
    if len(text) >= 2 and text[-1] in DIGITS and text[-1] not in "零〇" and text[-2] in _SHORTENED:
        current *= _SHORTENED[text[-2]]
    return total + section + current


def normalize_numbers(text: str) -> str:
    """Rewrite spoken numbers and units: 一百二十八 -> 128, 八块 -> 8元, 五块五 -> 5.5元, 5个G -> 5GB, 100兆 -> 100M.

    More than some gigabytes keeps its 多 after the unit (两个多G, 二十多个G -> 2GB多, 20GB多), so the amount meets
    the 2GB a knowledge point writes and is never taken for a price.
    """

    def number(m: re.Match[str]) -> str:
        run = m.group(0)
        after_digits = m.start() > 0 and m.string[m.start() - 1].isdigit()
        # (not 二零二六; the character after the run is seen: 一百五一个月)
        tail = _NEXT_NUMBER.search(run + m.string[m.end():m.end() + 1]) if any(c in UNITS for c in run) else None
        if tail and tail.end() == len(run) and run[tail.start() - 2] == "十" \
                and DIGITS[tail.group()] == DIGITS[run[tail.start() - 1]] + 1:
            # 三十五六块, 十二三个G: "thirty-five or six", a range, read as its lower end
            return spoken(run[:tail.start()], after_digits)
        if tail:  # a digit after a number's ones starts the next number
            return f"{spoken(run[:tail.start()], after_digits)} {spoken(run[tail.start():], False)}"
        return spoken(run, after_digits)

    def spoken(run: str, after_digits: bool) -> str:
        value = chinese_to_int(run)
        if value is None:
            return run
        if after_digits:  # 240一年: 240 1年, not 2401年
            return run if run[0] in UNITS else f" {value}"  # (1千 is left as written)
        return str(value)

    def yuan_jiao(m: re.Match[str]) -> str:
        whole = int(m.group(1)) if m.group(1).isdigit() else chinese_to_int(m.group(1))
        tenth = DIGITS.get(m.group(2), m.group(2))
        return m.group(0) if whole is None else f"{whole}.{tenth}元"

    text = _JIAO.sub(yuan_jiao, text)
    text = _RUN.sub(number, text)
    text = _GB.sub(r"\1GB", text)
    text = _GB_MORE.sub(r"\1GB多", text)
    text = _YUAN.sub(r"\1元", text)
    return _MEGA.sub(r"\1M", text)
