"""Personal data is masked before it is stored, logged or sent to a model."""

from __future__ import annotations

import pytest

from copilot.pii import mask


@pytest.mark.parametrize(("said", "stored"), [
    ("我的号码是13807911234帮我查下", "我的号码是138****1234帮我查下"),
    ("号码是 138 0791 1234", "号码是 138****1234"),
    ("身份证360102199001011234", "身份证360102********1234"),
    ("身份证号36010219900101123X", "身份证号360102********123X"),
    ("卡号6222021234567890", "卡号6222********7890"),
    ("卡号6222 0212 3456 7890", "卡号6222********7890"),
])
def test_numbers_are_masked(said: str, stored: str) -> None:
    assert mask(said) == stored


@pytest.mark.parametrize("text", ["一百二十八的套餐", "扣了80多块", "工单T2026112300001", "2026-11-23 10:00", "光功率-27dBm"])
def test_other_numbers_are_left_alone(text: str) -> None:
    assert mask(text) == text


def test_several_in_one_utterance() -> None:
    masked = mask("我叫张三，手机13807911234，身份证360102199001011234，银行卡6222021234567890")
    assert "13807911234" not in masked and "199001011234" not in masked and "021234567890" not in masked
