"""A reply is said as an agent would at that point of the call: one greeting, an apology to an angry caller."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.register import Register, RegisterError, load_register
from tests.copilot.conftest import refused

REPLY = "您好，帮您查到您家的光猫离线了，我可以现在帮您远程重启一下。"


@pytest.fixture
def register() -> Register:
    return load_register()


def test_the_first_reply_greets_and_later_ones_do_not(register: Register) -> None:
    assert register.adapt(REPLY, 1, "calm") == REPLY
    assert register.adapt(REPLY, 2, "calm") == "帮您查到您家的光猫离线了，我可以现在帮您远程重启一下。"
    assert register.adapt("您好！请问还有什么可以帮您？", 3, None) == "请问还有什么可以帮您？"
    assert register.adapt("好的，刚才已经为您重启光猫。", 3, "calm") == "好的，刚才已经为您重启光猫。"


def test_an_angry_caller_hears_an_apology_first_and_not_the_same_one_each_turn(register: Register) -> None:
    first = register.adapt(REPLY, 1, "angry")
    second = register.adapt(REPLY, 2, "angry")
    assert first == "实在抱歉让您着急了，帮您查到您家的光猫离线了，我可以现在帮您远程重启一下。"
    assert second.startswith("非常理解您的心情，帮您查到") and second != first
    already = "很抱歉，这笔费用不能办理弹性计费包。"
    assert register.adapt(already, 2, "angry") == already, "the reply apologises already"
    assert register.adapt(REPLY, 2, "anxious") == register.adapt(REPLY, 2, "calm")
    assert register.adapt("好的，刚才已经为您重启光猫。", 4, "angry") == "实在抱歉让您着急了，刚才已经为您重启光猫。"


def test_the_default_register_changes_nothing() -> None:
    assert Register().adapt(REPLY, 5, "angry") == REPLY


@pytest.mark.parametrize(("text", "named"), [
    ("greetings: ['您好，', ' ']\n", "greetings"),
    ("angry_openers: 实在抱歉\nshout: true\n", "shout"),
    ("- 您好\n", "文件须为映射"),
])
def test_a_bad_register_file_is_refused_naming_the_entry(tmp_path: Path, text: str, named: str) -> None:
    assert named in refused(load_register, RegisterError, tmp_path, "register.yaml", text)
