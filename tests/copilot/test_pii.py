"""Personal data is masked before it is stored, logged or sent to a model."""

from __future__ import annotations

import pytest

from copilot.pii import (
    about_someone_else,
    mask,
    mask_in_call,
    other_line_asked_about,
    phone_numbers,
    without_number,
)


@pytest.mark.parametrize(("said", "stored"), [
    ("我的号码是13807911234帮我查下", "我的号码是138****1234帮我查下"),
    ("号码是 138 0791 1234", "号码是 138****1234"),
    # found by an evaluator: written with dots or slashes, these were stored as said
    ("帮我查一下138.0791.2345这个号码", "帮我查一下138****2345这个号码"),
    ("138/0791/2345", "138****2345"),
    ("银行卡6222.0215.0300.1234.567被扣了两次", "银行卡6222********4567被扣了两次"),
    ("身份证360102.19850312.1234", "身份证360102********1234"),
    ("幺三八.零七九一.二三四五", "138****2345"),
    ("身份证360102199001011234", "身份证360102********1234"),
    ("身份证号36010219900101123X", "身份证号360102********123X"),
    ("卡号6222021234567890", "卡号6222********7890"),
    ("卡号6222 0212 3456 7890", "卡号6222********7890"),
    # a 19-digit card read in groups of four, its last group short: no group of it is left readable
    ("卡号6222 0212 3456 7890 123", "卡号6222********0123"),
    ("卡号6222-0212-3456-7890-123，户名张三", "卡号6222********0123，户名张三"),
    ("卡号622202 1234567890123", "卡号6222********0123"),
    ("卡号6222 0212 3456 7890 1234 好像多念了一位", "卡号6222********1234 好像多念了一位"),
])
def test_numbers_are_masked(said: str, stored: str) -> None:
    assert mask(said) == stored


@pytest.mark.parametrize("text", ["一百二十八的套餐", "扣了80多块", "工单T2026112300001", "2026-11-23 10:00", "光功率-27dBm",
                                  "话费128.50元，2026/11/20扣的", "光猫地址192.168.1.1", "用了12.5GB"])
def test_other_numbers_are_left_alone(text: str) -> None:
    assert mask(text) == text


def test_several_in_one_utterance() -> None:
    masked = mask("我叫张三，手机13807911234，身份证360102199001011234，银行卡6222021234567890")
    assert "13807911234" not in masked and "199001011234" not in masked and "021234567890" not in masked


# --- numbers spoken in Chinese numerals (as the recognizer writes them), or mixed with digits

@pytest.mark.parametrize(("said", "stored"), [
    ("另外一个号码，幺三九七九幺四零七二六，我等下去交钱", "另外一个号码，139****0726，我等下去交钱"),
    ("号码是一三八零七九一一二三四", "号码是138****1234"),
    ("打这个幺八两零七九一一二三四", "打这个182****1234"),
    ("幺三八〇七九一一二三四", "138****1234"),
    ("幺三八，零七九一，一二三四", "138****1234"),
    ("幺三八、零七九一、一二三四", "138****1234"),
    ("幺三八 零七九一 一二三四", "138****1234"),
    ("幺三八-零七九一-一二三四", "138****1234"),
    ("幺三八杠零七九一杠一二三四", "138****1234"),
    ("幺 三 八 零 七 九 一 一 二 三 四", "138****1234"),
    ("138零七九1一二三四", "138****1234"),
    ("幺38，0791，一二三4", "138****1234"),
    ("138，0791，1234", "138****1234"),
    ("１３８０７９１１２３４", "138****1234"),
    ("八六幺三八零七九一一二三四", "86138****1234"),
    ("+8613807911234", "+86138****1234"),
])
def test_spoken_phone_numbers_are_masked(said: str, stored: str) -> None:
    assert mask(said) == stored


@pytest.mark.parametrize(("said", "stored"), [
    ("我的身份证号码是三六零四零三一九五五零八一二一零二四，你记一下", "我的身份证号码是360403********1024，你记一下"),
    ("身份证三六零一零二一九八七零九二六三一二叉", "身份证360102********312X"),
    ("身份证三六零一零二一九八七零九二六三一二X", "身份证360102********312X"),
    ("三六零一零二，一九八七零九二六，三一二叉", "360102********312X"),
    ("三六零四零二 一九七八 零五一五 三三一八", "360402********3318"),
    ("360402一九七八0515三三一八", "360402********3318"),
])
def test_spoken_id_card_numbers_are_masked(said: str, stored: str) -> None:
    assert mask(said) == stored


@pytest.mark.parametrize(("said", "stored"), [
    ("卡号六二二二零二一二零八零零九八七六五四三", "卡号6222********6543"),
    ("卡号六二二二 零二一二 三四五六 七八九零", "卡号6222********7890"),
    ("卡号六二一七，零零三三，二零零一，二三四五，六七八", "卡号6217********5678"),
])
def test_spoken_bank_card_numbers_are_masked(said: str, stored: str) -> None:
    assert mask(said) == stored


@pytest.mark.parametrize(("said", "stored"), [
    ("号码是幺三八零七九一一二三四一下午都在", "号码是138****1234一下午都在"),  # 一 of 一下午 is a word
    ("幺三八零七九一一二三四两个号都能打", "138****1234两个号都能打"),
    ("13807911234一直打不通", "138****1234一直打不通"),
    ("卡号6222 0212 3456 7890 两张卡", "卡号6222********7890 两张卡"),
    ("卡号6222021234567890，三张卡", "卡号6222********7890，三张卡"),
    ("先打一零零八六，再打幺三八零七九一一二三四", "先打一零零八六，再打138****1234"),
    ("号码幺三八零七九一一二三四，身份证三六零一零二一九八七零九二六三一二叉",
     "号码138****1234，身份证360102********312X"),
])
def test_spoken_numbers_end_where_the_number_ends(said: str, stored: str) -> None:
    assert mask(said) == stored


def test_a_long_spoken_run_is_masked_even_when_misheard() -> None:
    masked = mask("我号码是幺三八零七九一一二三四五")  # 12 digits: not a valid mobile, still personal
    assert "零七九一" not in masked and "0791" not in masked and masked.startswith("我号码是138")


# --- passports and e-mail addresses

@pytest.mark.parametrize(("said", "stored"), [
    ("我太太的护照号是E38125476，她想开个号", "我太太的护照号是E3*****76，她想开个号"),
    ("护照G12345678", "护照G1*****78"),
    ("护照号码：EA1234567", "护照号码：EA*****67"),
    ("他的护照号码是 K 1234 5678", "他的护照号码是 K1*****78"),
    ("护照号是E三八一二五四七六", "护照号是E3*****76"),
    ("护照上的号码是123456789", "护照上的号码是12*****89"),
    ("passport no. 123456789", "passport no. 12*****89"),
    ("港澳通行证号码C12345678", "港澳通行证号码C1*****78"),
])
def test_passport_numbers_are_masked(said: str, stored: str) -> None:
    assert mask(said) == stored


@pytest.mark.parametrize(("said", "stored"), [
    ("邮箱是chen.x2026@example.com，发给我", "邮箱是c***@example.com，发给我"),
    ("发到 zhang_san+bill@mail.example.com.cn 吧", "发到 z***@mail.example.com.cn 吧"),
    ("我的QQ邮箱123456789@qq.com", "我的QQ邮箱1***@qq.com"),
    ("邮箱chen点x2026艾特example点com", "邮箱c***@example.com"),
    ("13807911234@139.com", "1***@139.com"),
])
def test_email_addresses_keep_only_the_domain(said: str, stored: str) -> None:
    assert mask(said) == stored


# --- what must stay as it is

@pytest.mark.parametrize("text", [
    "上个月扣了四百八十块", "二零二六年十一月", "二〇二六年十一月二十三号", "送了三个G", "一百二十八的套餐", "十五号来的",
    "尾号一二三四", "尾号幺二三四的那张卡", "打一零零八六问过了", "一一对应", "五八、八八、一二八、一五八、二三八",
    "58、88、128、158、238", "12,345,678,901元", "光猫红灯一直亮，等了两天", "工单T二零二六一一二三零零零零一",
    "工单T2026112300001", "KP-FW-00263", "ES-20261115-064", "SUB000000001", "护照过期了二零二六年到期",
    "护照20261123到期", "护照号码是多少", "发邮件到邮箱里", "@客服 帮我看下", "1GB流量5元",
])
def test_ordinary_numbers_stay_unmasked(text: str) -> None:
    assert mask(text) == text


@pytest.mark.parametrize("text", [
    "我的号码是13807911234帮我查下", "幺三八，零七九一，一二三四", "身份证三六零一零二一九八七零九二六三一二叉",
    "护照号是E38125476", "邮箱chen.x2026@example.com", "卡号六二二二零二一二零八零零九八七六五四三",
])
def test_masking_twice_changes_nothing(text: str) -> None:
    assert mask(mask(text)) == mask(text)


# --- phone numbers, to tell the caller's own from someone else's

@pytest.mark.parametrize(("said", "numbers"), [
    ("我的号码是13807911234", ["13807911234"]),
    ("打我另外一个号码，幺三九七九幺四零七二六", ["13979140726"]),
    ("幺三八，零七九一，一二三四", ["13807911234"]),
    ("一三八 0791 一二三四", ["13807911234"]),
    ("１３８０７９１１２３４", ["13807911234"]),
    ("+86 13807911234 和 八六幺三九七九幺四零七二六", ["13807911234", "13979140726"]),
    ("13807911234，幺三九七九幺四零七二六", ["13807911234", "13979140726"]),
    ("身份证三六零一零二一九八七零九二六三一二叉，卡号6222021234567890", []),
    ("尾号一二三四，四百八十块", []),
])
def test_phone_numbers_are_found_written_or_spoken(said: str, numbers: list[str]) -> None:
    assert phone_numbers(said) == numbers


@pytest.mark.parametrize(("said", "asked_about"), [
    # found by an evaluator: the caller's own second number, given to be called back on, was refused as another's
    ("我服务密码忘了 你们有事打我另一个电话 １３９７９１４０７２６", False),
    ("你要打电话给我的话打我另一个号15979236418也行", False),
    ("还有我妈那个号码13970123456，你帮我也查一下", True),
    ("他的号码13857112233是不是停机了", True),
    ("帮我查一下138.0791.2345这个号码 老是打骚扰电话给我", True),
    ("我妈的号码13970123456，有事联系我也行", True),  # whose it is, said: someone else's
    ("我的号码是13432048460", False),  # the calling line itself
])
def test_a_number_asked_about_is_told_from_a_callback_number(said: str, asked_about: bool) -> None:
    assert other_line_asked_about(said, "13432048460") is asked_about


def test_only_the_callers_number_is_hidden_in_a_tools_parameters() -> None:
    """Reviewed: masking every phone-like value broke an account id that is a phone number (宽带账号 = 手机号)."""
    params = {"msisdn": "13807911234", "account_id": "13912345678", "description": "来电号码13807911234报修",
              "diagnosis": {"findings": ["13807911234 光猫离线"]}}
    hidden = without_number(params, "13807911234")
    assert hidden == {"msisdn": "138****1234", "account_id": "13912345678", "description": "来电号码138****1234报修",
                      "diagnosis": {"findings": ["138****1234 光猫离线"]}}


def test_a_number_read_out_in_pieces_is_masked_in_each_piece() -> None:
    """Found by an evaluator: "身份证前面是360102" / "后面是198503121234" was stored with the second piece as said."""
    first, left = mask_in_call("身份证前面是360102", 0)
    second, left = mask_in_call("后面是198503121234", left)
    assert second == "后面是********1234" and "360102" in first  # a region code alone says nothing
    third, left = mask_in_call("我这个月话费是128元，订单20261120", left)
    assert third == "我这个月话费是128元，订单****1120", "two turns after the cue"
    assert mask_in_call("工单T20261120001什么时候处理", left)[0] == "工单T20261120001什么时候处理", "the cue has lapsed"
    assert mask_in_call("订单号20261120", 0)[0] == "订单号20261120", "no number being read out"


def test_an_id_number_begun_after_the_cue_and_ended_in_short_pieces_is_masked_in_every_piece() -> None:
    """Found trying the demo: "身份证号是3101041988" / "0512后面是3216" was stored whole, 18 digits in three pieces."""
    first, left = mask_in_call("我的号码是13406801911，身份证号是3101041988", 0)
    second, left = mask_in_call("0512后面是3216", left)
    assert first == "我的号码是134****1911，身份证号是******1988"
    assert second == "****后面是****"
    assert mask_in_call("身份证号是三幺零幺零四一九八八", 0)[0] == "身份证号是******一九八八", "spoken digits alike"
    said = "尾号3216那张，上个月扣了1000块，2024年办的，2024-11-20那天打10086也没人接"
    assert mask_in_call(said, 2)[0] == said, "a tail, an amount, a year, a date and a service number are no pieces"
    assert mask_in_call("挂失我的号码13612345678", 2)[0] == "挂失我的号码136****5678", "masked once, not again"
    assert mask_in_call("身份证360102199001011234", 2)[0] == "身份证360102********1234"


@pytest.mark.parametrize(("said", "someone_else"), [
    ("那你就帮我看一下她欠了多少钱嘛，我给她交上", True),
    ("我妈那个号现在能用了吗", True),
    ("那我自己这个号有没有其他便宜点的套餐", False),  # found by a review: 其他 is no third person
    ("有没有其他办法", False),
    ("他人号码你们能查吗", False),
])
def test_a_turn_about_a_third_person_is_told_from_one_about_the_callers_own_line(said: str,
                                                                                 someone_else: bool) -> None:
    assert about_someone_else(said) is someone_else
