"""A reply is said as an agent would at that point of the call: one greeting, an apology to an angry caller."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.register import Notice, Register, RegisterError, load_register, script_again
from copilot.runtime import checked_register
from copilot.understand.risk import load_risks
from knowledge.vocabulary import load_vocabulary
from tests.copilot.conftest import refused

REPLY = "您好，帮您查到您家的光猫离线了，我可以现在帮您远程重启一下。"


@pytest.fixture
def register() -> Register:
    return load_register()


def test_the_first_reply_greets_and_later_ones_do_not(register: Register) -> None:
    assert register.adapt(REPLY, 1, ["calm"]) == REPLY
    assert register.adapt(REPLY, 2, ["calm"]) == "帮您查到您家的光猫离线了，我可以现在帮您远程重启一下。"
    assert register.adapt("您好！请问还有什么可以帮您？", 3) == "请问还有什么可以帮您？"
    assert register.adapt("好的，刚才已经为您重启光猫。", 3, ["calm"]) == "好的，刚才已经为您重启光猫。"


def test_an_angry_caller_hears_an_apology_first_and_not_the_same_one_each_turn(register: Register) -> None:
    first = register.adapt(REPLY, 1, ["angry"])
    second = register.adapt(REPLY, 2, ["angry"])
    assert first == "实在抱歉让您着急了，帮您查到您家的光猫离线了，我可以现在帮您远程重启一下。"
    assert second.startswith("非常理解您的心情，帮您查到") and second != first
    already = "很抱歉，这笔费用不能办理弹性计费包。"
    assert register.adapt(already, 2, ["angry"]) == already, "the reply apologises already"
    assert register.adapt(REPLY, 2, ["anxious"]) == register.adapt(REPLY, 2, ["calm"])
    assert register.adapt("好的，刚才已经为您重启光猫。", 4, ["angry"]) == "实在抱歉让您着急了，刚才已经为您重启光猫。"


def test_an_elderly_caller_is_told_they_will_be_taken_step_by_step(register: Register) -> None:
    said = register.adapt(REPLY, 1, ["calm", "elderly"])
    assert said == "您别着急，我一步一步跟您说：帮您查到您家的光猫离线了，我可以现在帮您远程重启一下。"
    assert register.adapt(REPLY, 2, ["angry", "elderly"]).startswith("非常理解您的心情，"), "the first listed wins"


def test_a_caller_asking_about_someone_elses_number_is_told_why_first(register: Register) -> None:
    """Found by a new user: "我妈那个号码…帮我也查一下" raised the risk card, and the reply said nothing of it."""
    first = register.adapt(REPLY, 1, ["calm", "third_party_number"])
    assert first.startswith("您好，您提到的另一个号码，为了保护机主的信息，需要机主本人来电") and first.endswith(REPLY[3:])
    later = register.adapt(REPLY, 3, ["angry", "third_party_number"])
    assert later.startswith("给您添麻烦了，真的很抱歉，您提到的另一个号码") and later.endswith(REPLY[3:])
    own = "您好，您说的这个号码不是您本人来电的号码，需要机主本人来电核实身份。"
    assert register.adapt(own, 1, ["third_party_number"]) == own, "the playbook answered it already"
    assert register.adapt(REPLY, 2, ["calm"]) == REPLY[3:], "said only on the turn that asks"
    fraud = "您好，感谢您的举报，我们会核查这个号码。"  # reviewed: a number reported is not one asked about
    assert register.adapt(fraud, 1, ["third_party_number"], "fraud_report") == fraud


def test_an_opener_for_what_the_copilot_never_reads_is_refused(register: Register) -> None:
    with pytest.raises(RegisterError) as caught:
        checked_register(Register(openers={"angy": ("抱歉，",)}), load_risks())
    assert "angy" in str(caught.value) and "register.yaml" in str(caught.value)
    assert checked_register(register, load_risks()) is register
    intents = load_vocabulary().intent_by_id
    assert checked_register(register, load_risks(), intents) is register
    typo = Register(notices={"third_party_number": Notice(say="另一个号码不能查", not_on=("fraud_reprot",))})
    with pytest.raises(RegisterError, match="fraud_reprot"):
        checked_register(typo, load_risks(), intents)


def test_the_default_register_changes_nothing() -> None:
    assert Register().adapt(REPLY, 5, ["angry"]) == REPLY


@pytest.mark.parametrize(("text", "named"), [
    ("greetings: ['您好，', ' ']\n", "greetings"),
    ("angry_openers: 实在抱歉\nshout: true\n", "shout"),
    ("- 您好\n", "文件须为映射"),
    ("openers:\n  angry: []\n", "开场白不能为空列表"),
    ("notices:\n  third_party_number: {say: 另一个号码, unles: [机主]}\n", "unles"),
])
def test_a_bad_register_file_is_refused_naming_the_entry(tmp_path: Path, text: str, named: str) -> None:
    assert named in refused(load_register, RegisterError, tmp_path, "register.yaml", text)


def test_a_script_read_again_is_its_estimate_only(register: Register) -> None:
    wording = "您好，东湖区因主干光缆被挖断影响宽带，抢修人员已在现场，预计恢复时间为11月25日19:20。请您暂时不用报修。"
    assert script_again(register, wording) == ("刚才说的故障还在抢修中，预计恢复时间为11月25日19:20，恢复前不用报修；"
                                               "恢复后如果还不能用，请您再打10086。")
    assert script_again(register, "您好，西湖区基站故障，正在抢修。") == (
        "刚才说的故障还在抢修中，恢复前不用报修；恢复后如果还不能用，请您再打10086。")


@pytest.mark.parametrize(("text", "named"), [("script_again: 还在抢修{when}\n", "{when}"),
                                             ("script_again: 还在抢修{eta\n", "占位符写法有误")])
def test_a_script_reminder_with_another_placeholder_is_refused(tmp_path: Path, text: str, named: str) -> None:
    assert named in refused(load_register, RegisterError, tmp_path, "register.yaml", text)
