"""Suspend/resume, password, SIM replacement, real-name and fraud reports decide on simulator lines."""

from __future__ import annotations

import pytest

from knowledge.vocabulary import load_vocabulary
from tests.conftest import pause_broadband, profile, settle_arrears
from tests.copilot.playbooks.conftest import (
    action,
    actions,
    assert_complete,
    assert_partial,
    diagnose,
    diagnose_line,
    read_tool,
    rules,
    said_date,
    spoken,
)
from tools.backends import build_backends
from tools.base.errors import OperationRejected
from tools.base.faults import FaultConfig
from tools.base.values import System
from tools.sim.db import SimDatabase

BOSS_DOWN = {System.BOSS: FaultConfig(error_rate=1.0)}
AAA_DOWN = {System.AAA: FaultConfig(error_rate=1.0)}


# --- suspend and resume -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("situation", "rule", "expected", "forbidden"), [
    ("request_suspended", "suspended_on_request", ["verify_identity", "resume_service"], "request_suspension"),
    ("arrears_suspended", "suspended_for_arrears", ["payment_guide"], "request_suspension"),
    ("cancelled", "cancelled", ["verify_identity"], "resume_service"),
    ("healthy", "active_line", ["verify_identity", "request_suspension"], "resume_service"),
])
def test_suspend_resume_decides(sim_db: SimDatabase, situation: str, rule: str, expected: list[str],
                                forbidden: str) -> None:
    d = diagnose(sim_db, "suspend_resume", situation)
    assert_complete(d)
    assert rules(d) == [rule] and actions(d) == expected and forbidden in d.forbidden


def test_resume_is_prefilled_and_waits_for_confirmation(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "request_suspended")
    account = read_tool(sim_db, "boss_get_account", msisdn=msisdn)
    d = diagnose_line(sim_db, "suspend_resume", msisdn)
    resume = action(d, "resume_service")
    assert resume.params == {"msisdn": msisdn} and resume.needs_confirmation and resume.tool == "boss_resume_service"
    assert said_date(account["status_since"]) in d.reply and f"余额{spoken(account['balance_yuan'])}元" in d.reply


def test_an_arrears_suspension_says_what_to_pay(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "arrears_suspended")
    owed = -read_tool(sim_db, "boss_get_account", msisdn=msisdn)["balance_yuan"]
    d = diagnose_line(sim_db, "suspend_resume", msisdn)
    assert d.actions[0].params["amount_yuan"] == pytest.approx(owed)
    assert f"欠费{spoken(owed)}元" in d.reply and "自动复机" in d.reply


@pytest.mark.parametrize("intent", [
    "suspend_resume", "balance_arrears", "mobile_data_fault", "voice_call_fault", "sms_mms_fault",
])
def test_a_line_still_in_arrears_is_offered_payment_not_a_resume_boss_would_refuse(sim_db: SimDatabase,
                                                                                  intent: str) -> None:
    msisdn = profile(sim_db, "arrears_suspended")
    d = diagnose_line(sim_db, intent, msisdn)
    assert actions(d)[0] == "payment_guide" and "resume_service" not in actions(d)
    with pytest.raises(OperationRejected, match="请先缴清欠费"):
        build_backends(sim_db=sim_db).boss.resume_service(msisdn, actor="A1", idempotency_key="too-early")


@pytest.mark.parametrize("intent", [
    "suspend_resume", "balance_arrears", "mobile_data_fault", "voice_call_fault", "sms_mms_fault",
])
def test_a_caller_who_paid_and_is_still_cut_off_is_resumed(sim_db: SimDatabase, intent: str) -> None:
    msisdn = settle_arrears(sim_db, extra_fen=2000)
    d = diagnose_line(sim_db, intent, msisdn)
    assert rules(d) == ["paid_not_restored"] and actions(d) == ["resume_service"]
    assert "payment_guide" in d.forbidden and d.disposition == "resolve"
    assert "缴清" in d.reply and "余额20元" in d.reply and "欠费20" not in d.reply
    assert not any("缴费" in q for q in d.questions), d.questions
    resume = action(d, "resume_service")
    assert resume.params == {"msisdn": msisdn} and resume.needs_confirmation
    done = build_backends(sim_db=sim_db).boss.resume_service(msisdn, actor="A1", idempotency_key="paid")
    assert done.status == "ok" and read_tool(sim_db, "boss_get_account", msisdn=msisdn)["status"] == "active"


@pytest.mark.parametrize("intent", [i.id for i in load_vocabulary().intents])
def test_no_playbook_tells_a_caller_who_paid_that_they_still_owe(sim_db: SimDatabase, intent: str) -> None:
    msisdn = settle_arrears(sim_db)
    d = diagnose_line(sim_db, intent, msisdn)
    said = " ".join([d.reply, *d.questions, *(f.text for f in d.findings)])
    assert "欠费-" not in said and "欠费0元" not in said and "payment_guide" not in actions(d), said


@pytest.mark.parametrize(("intent", "wanted"), [("plan_change", "change_plan"), ("roaming", "enable_roaming")])
def test_a_line_suspended_on_request_is_resumed_before_what_it_asked_for(sim_db: SimDatabase, intent: str,
                                                                        wanted: str) -> None:
    d = diagnose(sim_db, intent, "request_suspended")
    assert rules(d) == ["suspended_not_owing"] and actions(d) == ["verify_identity", "resume_service"]
    assert wanted in d.forbidden and "payment_guide" in d.forbidden
    assert "报停" in d.reply and "先为您办理复机" in d.reply and "欠费" not in d.reply
    for still_out in ("arrears_suspended", "cancelled"):
        assert rules(diagnose(sim_db, intent, still_out)) == ["line_not_active"], still_out
    paid = diagnose_line(sim_db, intent, settle_arrears(sim_db))
    assert rules(paid) == ["paid_not_restored"] and actions(paid) == ["resume_service"]
    assert wanted in paid.forbidden and "欠费已经缴清" in paid.reply and "欠费停机状态" not in paid.reply


def test_once_resumed_data_still_refused_for_the_old_arrears_is_a_reconnect_not_a_payment(
        sim_db: SimDatabase) -> None:
    msisdn = settle_arrears(sim_db)
    assert read_tool(sim_db, "aaa_get_auth_log", subject=msisdn, limit=1)[0]["result"] == "reject_arrears"
    build_backends(sim_db=sim_db).boss.resume_service(msisdn, actor="A1", idempotency_key="paid")
    d = diagnose_line(sim_db, "mobile_data_fault", msisdn)
    assert rules(d) == ["restored_after_arrears"] and actions(d) == ["guide_device_restart", "guide_mobile_data_on"]
    assert "payment_guide" in d.forbidden and d.disposition == "intercept"
    assert "恢复正常" in d.reply and "欠费" not in d.reply


def test_a_paused_broadband_is_resumed_in_pon_not_the_phone(sim_db: SimDatabase) -> None:
    msisdn, account = pause_broadband(sim_db)
    d = diagnose_line(sim_db, "suspend_resume", msisdn)
    assert_complete(d)
    assert rules(d) == ["broadband_suspended_on_request", "active_line"]
    resume = d.actions[0]
    assert (resume.action, resume.params, resume.tool) == ("resume_broadband", {"account_id": account},
                                                           "pon_resume_broadband")
    assert resume.needs_confirmation and "resume_service" in d.forbidden
    assert "宽带" in d.reply and "报停" in d.reply and account in d.findings[0].text
    assert "request_suspension" in actions(d), "the phone's own 报停 stays on the card"


def test_with_pon_down_an_active_line_is_still_asked_what_the_caller_wants(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "suspend_resume", "healthy", faults={System.PON: FaultConfig(error_rate=1.0)})
    assert rules(d) == ["active_line"] and d.questions and "挂失" in d.questions[0]


def test_suspend_resume_with_boss_down_is_partial(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "suspend_resume", "request_suspended", faults=BOSS_DOWN)
    assert_partial(d, {"account", "payments", "bill_last"}, "BOSS")
    assert "resume_service" not in actions(d) and "报停" not in d.reply


# --- service password ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("situation", "first_rule", "expected"), [
    ("account_locked", "data_account_locked", ["verify_identity", "reset_password"]),
    ("bb_radius_locked", "broadband_locked", ["verify_identity", "reset_broadband_password"]),
    ("healthy", "plain_reset", ["verify_identity", "reset_password"]),
    ("not_real_name", "not_real_name", ["guide_real_name"]),
    ("cancelled", "cancelled", []),
])
def test_password_reset_decides(sim_db: SimDatabase, situation: str, first_rule: str, expected: list[str]) -> None:
    d = diagnose(sim_db, "password_reset", situation)
    assert_complete(d)
    assert rules(d)[0] == first_rule and actions(d) == expected
    if "reset_password" in expected:
        reset = action(d, "reset_password")
        assert reset.needs_confirmation and reset.tool == "boss_reset_password" and "短信" in d.reply
    elif "reset_broadband_password" in expected:
        reset = action(d, "reset_broadband_password")
        assert reset.tool == "aaa_reset_broadband_password" and reset.params["account_id"]
        assert "宽带密码" in d.reply and "reset_password" in d.forbidden
    else:
        assert "reset_password" in d.forbidden


def test_a_locked_account_names_the_reason(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "account_locked")
    reason = read_tool(sim_db, "aaa_get_data_profile", msisdn=msisdn)["lock_reason"]
    d = diagnose_line(sim_db, "password_reset", msisdn)
    assert reason in d.findings[0].text and reason in d.reply


def test_password_reset_with_pon_down_still_resets_the_phone_password(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "password_reset", "healthy", faults={System.PON: FaultConfig(error_rate=1.0)})
    assert_partial(d, {"broadband"}, "PON")
    assert d.unknown == ["broadband_locked"] and rules(d) == ["plain_reset"]
    assert actions(d) == ["verify_identity", "reset_password"]


# --- SIM replacement ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("situation", "rules_held", "first_action"), [
    ("healthy", ["replace_in_person"], "guide_sim_replacement"),
    ("arrears_suspended", ["arrears", "replace_in_person"], "payment_guide"),
    ("not_real_name", ["not_real_name"], "guide_real_name"),
    ("cancelled", ["cancelled"], None),
])
def test_sim_replacement_decides(sim_db: SimDatabase, situation: str, rules_held: list[str],
                                 first_action: str | None) -> None:
    d = diagnose(sim_db, "sim_replacement", situation)
    assert_complete(d)
    assert rules(d) == rules_held and (actions(d) or [None])[0] == first_action
    if situation == "healthy":
        assert actions(d) == ["guide_sim_replacement", "request_suspension", "verify_identity"]
        assert "身份证件" in d.reply and "挂失" in d.reply
    if situation == "cancelled":
        assert {"guide_sim_replacement", "request_suspension"} <= set(d.forbidden) and not d.questions


def test_sim_replacement_with_boss_down_is_partial(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "sim_replacement", "healthy", faults=BOSS_DOWN)
    assert_partial(d, {"account"}, "BOSS")
    assert "replace_in_person" in d.unknown and not d.actions


# --- real-name registration ---------------------------------------------------------------------------------


def test_an_unregistered_line_is_sent_to_register_and_its_limits_named(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "real_name", "not_real_name")
    assert_complete(d)
    assert rules(d) == ["not_registered"] and actions(d) == ["guide_real_name"]
    assert {"enable_roaming", "refund_via_elastic_package"} <= set(d.forbidden)
    assert "实名登记 = 否" in " ".join(d.findings[0].evidence) and "营业厅" in d.reply


def test_a_registered_line_shows_the_owner_masked(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "healthy")
    account = read_tool(sim_db, "boss_get_account", msisdn=msisdn)
    d = diagnose_line(sim_db, "real_name", msisdn)
    assert_complete(d)
    assert rules(d) == ["registered"] and account["id_number_masked"] in d.findings[0].text
    masked = account["name"][0] + "*" * (len(account["name"]) - 1)
    assert masked in d.findings[0].text and account["name"] not in d.findings[0].text
    assert account["name"] not in d.reply and f"机主姓{account['name'][0]}" in d.reply and "一证通查" in d.reply


def test_real_name_with_boss_down_is_partial(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "real_name", "not_real_name", faults=BOSS_DOWN)
    assert_partial(d, {"account", "subs"}, "BOSS")
    assert "not_registered" in d.unknown and "实名" not in d.reply


# --- fraud reports ------------------------------------------------------------------------------------------


def test_a_fraud_report_protects_the_caller_and_registers_the_numbers_given(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "healthy")
    d = diagnose_line(sim_db, "fraud_report", msisdn, slots={"numbers": ["170****8899"]})
    assert_complete(d)
    assert rules(d) == ["report"] and actions(d) == ["guide_anti_fraud", "create_complaint_ticket"]
    ticket = d.actions[1]
    assert ticket.needs_confirmation and ticket.params["urgent"] is True
    assert "170****8899" in ticket.params["description"] and "170****8899" in d.findings[0].text
    assert "110" in d.reply and "验证码" in d.reply


def test_a_security_lock_is_raised_first_with_its_reason(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "account_locked")
    reason = read_tool(sim_db, "aaa_get_data_profile", msisdn=msisdn)["lock_reason"]
    d = diagnose_line(sim_db, "fraud_report", msisdn)
    assert rules(d)[0] == "security_lock" and actions(d)[:2] == ["verify_identity", "reset_password"]
    assert reason in d.reply and d.disposition == "escalate"


def test_a_partner_vas_is_offered_for_unsubscribe_in_a_fraud_call(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "unknown_vas")
    vas = next(s for s in read_tool(sim_db, "boss_get_subscriptions", msisdn=msisdn) if s["channel"] == "第三方合作渠道")
    d = diagnose_line(sim_db, "fraud_report", msisdn)
    assert "partner_vas" in rules(d)
    assert action(d, "unsubscribe_vas").params == {"msisdn": msisdn, "product_id": vas["product_id"]}


def test_fraud_report_with_aaa_down_still_protects_and_registers(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "fraud_report", "account_locked", faults=AAA_DOWN)
    assert_partial(d, {"profile"}, "AAA")
    assert d.unknown == ["security_lock"] and rules(d) == ["report"]
    assert "110" in d.reply and "锁定" not in d.reply


@pytest.mark.parametrize(("intent", "own_line_action"), [
    ("suspend_resume", "request_suspension"), ("password_reset", "reset_password"),
    ("sim_replacement", "guide_sim_replacement"), ("plan_change", "change_plan"),
])
def test_a_request_for_someone_elses_number_is_not_done_on_the_callers_line(
        sim_db: SimDatabase, intent: str, own_line_action: str) -> None:
    msisdn = profile(sim_db, "healthy")
    d = diagnose_line(sim_db, intent, msisdn, slots={"risks": ["third_party_number"], "numbers": ["158****6340"]})
    assert [f.rule for f in d.findings] == ["third_party_request"]
    assert [a.action for a in d.actions] == ["verify_identity"]
    assert own_line_action in d.forbidden and "机主本人" in d.reply
    own = diagnose_line(sim_db, intent, msisdn, slots={"risks": []})
    assert "third_party_request" not in [f.rule for f in own.findings]


def test_a_caller_who_names_the_broadband_password_gets_that_one_reset(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "bb_healthy")
    account = read_tool(sim_db, "pon_find_broadband_accounts", msisdn=msisdn)[0]["account_id"]
    d = diagnose_line(sim_db, "password_reset", msisdn, slots={"password": ["forgot"], "password_of": ["broadband"]})
    assert_complete(d)
    assert rules(d) == ["broadband_password"] and actions(d) == ["verify_identity", "reset_broadband_password"]
    assert action(d, "reset_broadband_password").params == {"account_id": account}
    assert "宽带密码和手机服务密码是两个密码" in d.reply and d.questions == []
    phone = diagnose_line(sim_db, "password_reset", profile(sim_db, "bb_radius_locked"),
                          slots={"password_of": ["phone"]})
    assert "broadband_locked" not in rules(phone) and actions(phone) == ["verify_identity", "reset_password"]
    none = diagnose_line(sim_db, "password_reset", profile(sim_db, "healthy"), slots={"password_of": ["broadband"]})
    assert rules(none) == ["broadband_password_no_account"] and "reset_broadband_password" not in actions(none)


def test_a_caller_whose_phone_turned_up_is_not_offered_a_suspension(sim_db: SimDatabase) -> None:
    """Found by a new user: "手机找到了，帮我解挂" on a line in use was answered with 挂失停机."""
    msisdn = profile(sim_db, "healthy")
    d = diagnose_line(sim_db, "suspend_resume", msisdn, slots={"card": ["found"]})
    assert_complete(d)
    assert rules(d) == ["found_phone_line_active"] and actions(d) == [] and "request_suspension" in d.forbidden
    assert "不需要解挂" in d.reply and d.questions == []


def test_a_line_resumed_on_this_call_is_not_offered_a_suspension(sim_db: SimDatabase) -> None:
    """Found by a new user: after the 复机, "那我要不要重启一下手机" read as suspend/resume offered 报停."""
    d = diagnose_line(sim_db, "suspend_resume", profile(sim_db, "healthy"), slots={"written": ["resume_service"]})
    assert rules(d) == ["resumed_on_call"] and actions(d) == [] and "重启" in d.reply


@pytest.mark.parametrize("intent", ["voice_call_fault", "suspend_resume", "balance_arrears"])
def test_a_cancellation_the_owner_disowns_is_checked_not_explained(sim_db: SimDatabase, intent: str) -> None:
    """Found trying the demo: "我根本没去销过户！谁给我销的？" was told to ask at a business hall, with no ticket."""
    msisdn = profile(sim_db, "cancelled")
    d = diagnose_line(sim_db, intent, msisdn, slots={"cancellation": ["disowned"]})
    assert_complete(d)
    assert rules(d) == ["cancelled_disowned"] and actions(d) == ["verify_identity", "create_complaint_ticket"]
    assert d.disposition == "escalate" and "登记核查" in d.reply and "resume_service" in d.forbidden
    assert rules(diagnose_line(sim_db, intent, msisdn)) == ["cancelled"], "a caller who does not disown it"
