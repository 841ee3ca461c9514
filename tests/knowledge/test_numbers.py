"""Spoken numbers become digits the way a caller means them."""

from __future__ import annotations

import pytest

from knowledge.numbers import chinese_to_int, normalize_numbers


@pytest.mark.parametrize(("spoken", "value"), [
    ("两百九十九", 299), ("十五", 15), ("一二八", 128), ("一百", 100), ("两万", 20000), ("一万零五百", 10500),
    ("二百四", 240), ("三千五", 3500), ("一万二", 12000), ("一万五千三", 15300), ("二百零四", 204), ("一百零八", 108),
    ("二百三八", 238), ("一二十八", 128), ("一九十九", 199), ("一百五六十", 150), ("两百五六", 250),
    ("一千二三百", 1200), ("十二十二", 12), ("一百二五", 125), ("三千二百零五", 3205), ("九十九", 99),
])
def test_a_spoken_number_has_the_value_a_caller_means(spoken: str, value: int) -> None:
    assert chinese_to_int(spoken) == value


def test_a_caller_shortening_a_number_is_not_misread() -> None:
    assert normalize_numbers("我这个月又多了二百四 是不是漫游了") == "我这个月又多了240 是不是漫游了"
    assert normalize_numbers("一百二十八的套餐送五个G") == "128的套餐送5GB"
    assert normalize_numbers("扣了八块钱，宽带一百兆") == "扣了8元，宽带100M"
    assert chinese_to_int("两千x") is None


def test_a_number_after_digits_and_more_than_some_gigabytes_stay_apart() -> None:
    assert normalize_numbers("240一年的包") == "240 1年的包", "not 2401年"
    assert normalize_numbers("和家庭一百九十九一个月多少钱") == "和家庭199 1个月多少钱", "not 191个月"
    assert normalize_numbers("一百零八一个月") == "108 1个月", "not 181个月"
    assert normalize_numbers("二零二六年") == "2026年", "a year read digit by digit stays one number"
    assert normalize_numbers("一百五一个月") == "150 1个月", "a shortened 150, not 151个月"
    assert normalize_numbers("三千五一年") == "3500 1年"
    assert normalize_numbers("二十一二十二号") == "21 22号"


def test_a_range_is_read_as_its_lower_end_not_as_two_numbers() -> None:
    assert normalize_numbers("三十五六块") == "35元", "thirty-five or six, not 35 then 6元"
    assert normalize_numbers("十二三个G") == "12GB"
    assert normalize_numbers("七十五六岁的老人") == "75岁的老人"
    assert normalize_numbers("1个小时跑了两个多G") == "1个小时跑了2GB多"
    assert normalize_numbers("用了1千块") == "用了1千块"
    assert normalize_numbers("我超了二十多个G") == "我超了20GB多"
    assert normalize_numbers("二十二十块的流量包") == "20元的流量包", "a repeated number is said twice, not added"


def test_yuan_and_jiao_and_a_few_hundred_are_read_as_meant() -> None:
    assert normalize_numbers("五块五一天") == "5.5元1天"
    assert normalize_numbers("两块八毛钱") == "2.8元钱"
    assert normalize_numbers("每个月十块五个G") == "每个月10元5GB", "五 here starts the next amount"
    assert normalize_numbers("流量费扣了好几百块") == "流量费扣了好几百块", "a few hundred is no 100元"
    assert normalize_numbers("十几块钱") == "十几块钱"
