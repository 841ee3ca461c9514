"""Slots are what the caller said: approximate amounts, yuan and jiao, and 5G the network is no data volume."""

from __future__ import annotations

from datetime import date

import pytest

from copilot.understand.slots import Places, extract_slots, merge_slots
from copilot.understand.statements import load_statements
from knowledge.lexical import load_lexicon

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(("said", "slots"), [
    ("上个月扣了我五百多块，怎么回事", {"amounts_yuan": [500.0], "months": ["2026-10"]}),
    ("两百来块钱的流量费", {"amounts_yuan": [200.0]}),
    ("一个月用了三十多个G", {"data_mb": [30 * 1024.0]}),
    ("五块五一天的那个包", {"amounts_yuan": [5.5]}),
    ("每个月十块五个G", {"amounts_yuan": [10.0], "data_mb": [5 * 1024.0]}),
    ("我这5G手机信号老是不好", {}),
    ("5G信号不好，超了5G流量", {"data_mb": [5 * 1024.0]}),
    ("手机上4G标志也没了，用了30G", {"data_mb": [30 * 1024.0]}),
    ("扣了好几百块", {}),
])
def test_the_slots_are_what_the_caller_said(said: str, slots: dict[str, object]) -> None:
    assert extract_slots(said, TODAY) == slots


@pytest.mark.parametrize(("said", "symptoms", "lights"), [
    ("宽带上不了网了，光猫红灯一直在闪", ["no_internet"], ["red"]),
    ("没有红灯，灯都是绿的，就是网速很慢", ["slow"], ["no_red"]),
    ("光猫上没亮红灯，老掉线", ["intermittent"], ["no_red"]),
    ("宽带上不了网了，光猫灯看着都正常", ["no_internet"], ["no_red"]),
    ("光猫灯不正常，一直在闪", None, None),
    ("你等一下，我看看有没有红灯", None, None),
    ("之前没有红灯，现在红灯亮了", None, ["red"]),
    ("红灯不闪了，一直亮着", None, ["red"]),
    ("我用的是上网卡，网络卡不卡我也不知道", None, None),
    ("LOS灯亮了", None, ["red"]),
    ("测速测出来速度不够", ["slow"], None),
    ("王速太慢了，一会儿有一会儿没", ["slow", "intermittent"], None),
    ("我想问下话费", None, None),
])
def test_what_the_caller_says_of_the_fault(said: str, symptoms: list[str] | None, lights: list[str] | None) -> None:
    slots = extract_slots(said, TODAY, statements=load_statements())
    assert slots.get("symptoms") == symptoms and slots.get("lights") == lights


def test_a_trip_is_read_as_the_destination_the_knowledge_writes() -> None:
    places = Places(load_lexicon().place_names())
    assert extract_slots("下个月去曼谷玩几天，然后转去东京", TODAY, places)["destinations"] == ["泰国", "日本"]
    assert extract_slots("我在香港，手机上不了网", TODAY, places)["destinations"] == ["中国香港"]
    assert "destinations" not in extract_slots("下个月去曼谷", TODAY), "no places given, none looked for"
    said = load_statements()
    assert extract_slots("我在泰国旅游呢，手机流量用不了", TODAY, places, said)["trip"] == ["abroad"], "在 + where"
    assert extract_slots("我现在在日本，手机没信号", TODAY, places, said)["trip"] == ["abroad"]
    assert extract_slots("下礼拜要在泰国待几天", TODAY, places, said)["trip"] == ["upcoming"], "said with a day"
    assert "trip" not in extract_slots("泰国那个流量包多少钱", TODAY, places, said)
    assert extract_slots("我在泰国期间接了几个电话，收费吗", TODAY, places, said)["trip"] == ["back"], "a trip gone by"
    assert extract_slots("刚从日本回来，漫游费怎么这么多", TODAY, places, said)["trip"] == ["back"]


def test_the_month_meant_is_the_last_one_the_caller_named() -> None:
    """The fee-dispute playbook explains the last month named (this or last): months keep the order they were said."""
    assert extract_slots("这个月还好，上个月扣了我三百流量费", TODAY)["months"] == ["2026-11", "2026-10"]
    assert extract_slots("上上个月的流量费", TODAY)["months"] == ["2026-09"], "two months back, not last month"
    assert extract_slots("上个月的账单", date(2026, 1, 5))["months"] == ["2025-12"]
    assert extract_slots("下个月十号去新加坡旅游", TODAY)["dates"] == ["2026-12-10"], "next month's 10th"
    assert extract_slots("下月3号出发", date(2026, 12, 20))["dates"] == ["2027-01-03"]
    call = merge_slots({}, extract_slots("上个月扣了我流量费", TODAY))
    call = merge_slots(call, extract_slots("这个月好像也有", TODAY))
    assert call["months"] == ["2026-10", "2026-11"]
    call = merge_slots(call, extract_slots("主要是上个月那笔", TODAY))
    assert call["months"] == ["2026-11", "2026-10"], "named again: last month is meant"
    assert merge_slots({"addresses": ["A小区"]}, {"addresses": ["B小区", "A小区"]})["addresses"] == ["A小区", "B小区"]
