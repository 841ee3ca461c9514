"""What the caller has already said (`copilot/data/statements.yaml`) is not asked again, and shapes the reply."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import profile
from tests.copilot.playbooks.conftest import actions, assert_complete, diagnose_line, line_where, read_tool, rules
from tools.sim.db import SimDatabase

MONTH, LAST_MONTH = "2026-11", "2026-10"  # the month of tests.conftest.AS_OF, and the one before


def _partner_vas(sim_db: SimDatabase) -> tuple[str, dict[str, Any]]:
    msisdn = profile(sim_db, "unknown_vas")
    vas = next(s for s in read_tool(sim_db, "boss_get_subscriptions", msisdn=msisdn) if s["channel"] == "第三方合作渠道")
    return msisdn, vas


def test_a_caller_who_says_they_never_ordered_it_is_not_asked_whether_they_did(sim_db: SimDatabase) -> None:
    msisdn, vas = _partner_vas(sim_db)
    d = diagnose_line(sim_db, "vas_unsubscribe", msisdn, slots={"ordered": ["not_me"]})
    assert_complete(d)
    assert not any("本人订购" in q for q in d.questions), d.questions
    assert d.questions == ["请问您有没有点过短信里的链接，或者在其他APP里授权过？"]
    assert diagnose_line(sim_db, "vas_unsubscribe", msisdn, slots={"ordered": ["not_me"], "clicked": ["not_clicked"]}
                         ).questions == [], "said they clicked nothing either"
    assert "您说没有订过，我可以现在就为您退订" in d.reply and "如果不是您本人订购" not in d.reply
    assert actions(d) == ["unsubscribe_vas", "create_fee_dispute_ticket"]
    assert vas["product_name"] in d.reply


def test_a_caller_who_ordered_it_is_offered_the_unsubscribe_but_no_refund(sim_db: SimDatabase) -> None:
    msisdn, _ = _partner_vas(sim_db)
    d = diagnose_line(sim_db, "vas_unsubscribe", msisdn, slots={"ordered": ["me"]})
    assert_complete(d)
    assert rules(d) == ["vas_list", "likely_unknowing"] and actions(d) == ["unsubscribe_vas"]
    assert "需要的话我可以现在为您退订" in d.reply and "退费" not in d.reply and d.questions == []


@pytest.mark.parametrize(("situation", "intent", "slots", "asked"), [
    ("healthy", "sms_mms_fault", {}, ["请问是收不到还是发不出？是所有短信都这样，还是只是收不到某个平台的验证码？"]),
    ("healthy", "sms_mms_fault", {"sms": ["code"]}, ["请问是哪个平台或APP的验证码收不到？其他短信能正常收到吗？"]),
    ("healthy", "sms_mms_fault", {"sms": ["code", "others_ok"]}, ["请问是哪个平台或APP的验证码收不到？"]),
    ("healthy", "sms_mms_fault", {"sms": ["send"]}, ["请问是所有短信都这样，还是只有发给个别号码、或者个别号码发来的收不到？"]),
    ("healthy", "voice_call_fault", {"calls": ["incoming"]}, ["请问是打所有号码都这样，还是只有个别号码？从什么时候开始的？"]),
    ("healthy", "sim_replacement", {}, ["请问您的卡是丢了、坏了，还是想换成5G卡或eSIM？"]),
    ("healthy", "sim_replacement", {"card": ["broken"]}, []),
    ("healthy", "password_reset", {}, ["请问您是忘记了服务密码，还是输错多次被锁了？是手机服务密码还是宽带密码？"]),
    ("healthy", "password_reset", {"password": ["forgot"]}, ["请问是手机服务密码还是宽带密码？"]),
    ("healthy", "password_reset", {"password": ["forgot"], "password_of": ["phone"]}, []),
    ("healthy", "password_reset", {"password_of": ["phone"]}, ["请问您是忘记了密码，还是输错多次被锁了？"]),
    ("bb_healthy", "password_reset", {"password_of": ["broadband"]}, []),  # reset either way
    ("healthy", "password_reset", {"password_of": ["broadband"]}, []),  # no broadband: asked for the account
    ("healthy", "roaming", {"destinations": ["中国香港"], "trip": ["upcoming"]}, ["请问您这次去几天？"]),
    ("healthy", "roaming", {"destinations": ["中国香港"], "trip": ["upcoming"], "stay": ["said"]}, []),
    ("healthy", "roaming", {"destinations": ["中国香港"], "stay": ["said"]}, ["请问您大概什么时候出发？"]),
    ("healthy", "roaming", {"destinations": ["中国香港"], "trip": ["planned"]}, ["请问您大概什么时候出发、去几天？"]),
])
def test_only_what_the_caller_has_not_said_is_asked(sim_db: SimDatabase, situation: str, intent: str,
                                                     slots: dict[str, list[str]], asked: list[str]) -> None:
    d = diagnose_line(sim_db, intent, profile(sim_db, situation), slots=slots)
    assert d.questions[:1] == asked  # the first question is what is still unknown (a weak cell may add another)


def test_a_lost_phone_is_handled_as_a_loss_not_asked_whether_it_is_one(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "healthy")
    asked = diagnose_line(sim_db, "suspend_resume", msisdn)
    assert "请问您是手机丢失需要挂失，还是暂时不用要报停？大概要停多久？" in asked.questions
    d = diagnose_line(sim_db, "suspend_resume", msisdn, slots={"card": ["lost"]})
    assert_complete(d)
    assert rules(d) == ["lost_phone"] and actions(d) == ["verify_identity", "request_suspension",
                                                         "guide_sim_replacement"]
    assert "挂失停机" in d.reply and "还是暂时不用" not in d.reply
    assert not any("挂失，还是" in q for q in d.questions)


def test_a_caller_about_to_travel_is_advised_for_the_trip_not_told_of_a_past_roaming_fee(sim_db: SimDatabase) -> None:
    """Found trying the demo: "下礼拜要去泰国出差，流量贵不贵" was answered with last month's roaming fee."""
    msisdn = profile(sim_db, "roaming_charges")
    past = diagnose_line(sim_db, "roaming", msisdn)
    assert "roaming_charges" in rules(past)
    trip = diagnose_line(sim_db, "roaming", msisdn, slots={"trip": ["upcoming"], "destinations": ["泰国"]})
    assert_complete(trip)
    assert "roaming_charges" not in rules(trip) and "漫游费" not in trip.reply.split("。")[0], trip.reply
    assert trip.questions == ["请问您这次去几天？"], "said where and when: how long is left to ask"
    contested = diagnose_line(sim_db, "roaming", msisdn, slots={"trip": ["upcoming"], "risks": ["charge_disputed"]})
    assert "roaming_charges" in rules(contested), "a caller who contests the fee is answered about it"
    named = diagnose_line(sim_db, "roaming", msisdn, slots={"trip": ["upcoming"], "months": ["2026-10"]})
    assert "roaming_charges" in rules(named), "a month gone by is named: the fee is the question"


def test_a_month_named_without_a_fee_is_said_to_have_none_before_the_other_is_explained(sim_db: SimDatabase) -> None:
    """Found trying the demo: "上个月" on a line whose October had no overage explained November's fee silently."""
    msisdn = line_where(sim_db, (
        "SELECT n.msisdn FROM data_usage n JOIN data_usage l ON l.msisdn = n.msisdn AND l.month = ?"
        " JOIN subscribers s ON s.msisdn = n.msisdn WHERE n.month = ? AND s.status = 'active'"
        " AND n.overage_fee_fen > 0 AND l.overage_fee_fen + l.roaming_fee_fen = 0 ORDER BY n.msisdn LIMIT 1"),
        (LAST_MONTH, MONTH))
    d = diagnose_line(sim_db, "data_fee_dispute", msisdn, slots={"months": [LAST_MONTH]})
    assert_complete(d)
    assert "named_month_clear" in rules(d)
    assert d.reply.startswith(f"您好，您说的{int(LAST_MONTH[5:])}月没有产生套餐外流量费，帮您查到您{int(MONTH[5:])}月"), d.reply
    plain = diagnose_line(sim_db, "data_fee_dispute", msisdn)
    assert "named_month_clear" not in rules(plain) and "您说的" not in plain.reply


def test_a_caller_abroad_is_helped_with_roaming_not_with_the_home_cells(sim_db: SimDatabase) -> None:
    """Found by a new user: "我人在泰国这边，手机上不了网" got "附近基站也没有故障…飞行模式"."""
    off = line_where(sim_db, "SELECT s.msisdn FROM subscribers s JOIN aaa_profiles a USING (msisdn) WHERE s.status ="
                             " 'active' AND a.roaming_enabled = 0 AND a.gprs_enabled = 1 ORDER BY s.msisdn LIMIT 1")
    d = diagnose_line(sim_db, "mobile_data_fault", off, slots={"trip": ["abroad"], "destinations": ["泰国"]})
    assert_complete(d)
    assert rules(d)[-1] == "abroad_roaming_off" and actions(d)[0] == "enable_roaming" and "数据漫游" in d.reply
    assert "基站" not in d.reply
    on = line_where(sim_db, "SELECT s.msisdn FROM subscribers s JOIN aaa_profiles a USING (msisdn) WHERE s.status ="
                            " 'active' AND a.roaming_enabled = 1 AND a.gprs_enabled = 1 ORDER BY s.msisdn LIMIT 1")
    d = diagnose_line(sim_db, "mobile_data_fault", on, slots={"trip": ["abroad"]})
    assert rules(d)[-1] == "abroad_roaming_on" and "数据漫游" in d.reply and "enable_roaming" in d.forbidden
    home = diagnose_line(sim_db, "mobile_data_fault", on)
    assert not {"abroad_roaming_on", "abroad_roaming_off"} & set(rules(home))


def test_a_red_light_the_network_does_not_see_is_not_answered_with_all_normal(sim_db: SimDatabase) -> None:
    """Found by a new user: "光猫上面有个灯红了" on a healthy line got "线路和光猫都是正常的…重启无线路由器"."""
    msisdn = profile(sim_db, "bb_healthy")
    d = diagnose_line(sim_db, "broadband_fault", msisdn, slots={"lights": ["red"], "symptoms": ["no_internet"]})
    assert_complete(d)
    assert rules(d)[-1] == "red_light_but_line_healthy" and "LOS" in d.reply and "都是正常的" not in d.reply
    assert "create_repair_ticket" not in d.forbidden, "the agent may still send a crew once the LOS light is confirmed"
    assert d.disposition is None, "neither intercepted nor dispatched before the caller says which light it is"
    calm = diagnose_line(sim_db, "broadband_fault", msisdn, slots={"lights": ["no_red"], "symptoms": ["no_internet"]})
    assert rules(calm)[-1] == "line_healthy"


def test_a_caller_abroad_on_a_roaming_call_is_connected_before_any_fee_is_explained(sim_db: SimDatabase) -> None:
    """Found by a new user: "我在泰国旅游呢，手机流量用不了" on a line with roaming fees got the fee explained."""
    msisdn = profile(sim_db, "roaming_charges")
    d = diagnose_line(sim_db, "roaming", msisdn, slots={"trip": ["abroad"], "destinations": ["泰国"]})
    assert_complete(d)
    assert "roaming_charges" not in rules(d) and not any("漫游费有疑问" in q for q in d.questions), d.questions
    assert "数据漫游" in d.reply, d.reply
    disputed = diagnose_line(sim_db, "roaming", msisdn, slots={"trip": ["abroad"], "risks": ["charge_disputed"]})
    assert "roaming_charges" in rules(disputed)
