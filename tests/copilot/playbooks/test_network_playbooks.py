"""Voice faults, SMS faults, coverage complaints and broadband install/move decide on simulator lines."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.conftest import profile
from tests.copilot.playbooks.conftest import (
    action,
    actions,
    assert_complete,
    assert_partial,
    diagnose,
    diagnose_line,
    line_where,
    read_tool,
    rules,
    spoken,
)
from tools.base.faults import FaultConfig
from tools.base.values import System
from tools.sim.db import SimDatabase

COVERAGE_DOWN = {System.COVERAGE: FaultConfig(error_rate=1.0)}
HANDSET = ["guide_airplane_mode_off", "guide_call_settings", "guide_reseat_sim", "guide_device_restart"]


def area_of(db: SimDatabase, msisdn: str) -> tuple[dict[str, Any], dict[str, Any]]:
    account = read_tool(db, "boss_get_account", msisdn=msisdn)
    area = read_tool(db, "coverage_check_area", province=account["province"], city=account["city"],
                     district=account["district"], cell_id=account["home_cell_id"])
    return account, area


# --- voice call fault ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("situation", "rule", "first_action", "disposition"), [
    ("arrears_suspended", "arrears_suspended", "payment_guide", "intercept"),
    ("request_suspended", "request_suspended", "verify_identity", "resolve"),
    ("area_outage_mobile", "area_outage", "read_emergency_script", "intercept"),
    ("weak_coverage", "weak_coverage", "guide_wifi_calling", "inform"),
    ("cancelled", "cancelled", None, "inform"),
])
def test_voice_fault_decides(sim_db: SimDatabase, situation: str, rule: str, first_action: str | None,
                             disposition: str) -> None:
    d = diagnose(sim_db, "voice_call_fault", situation)
    assert_complete(d)
    assert rules(d) == [rule] and (actions(d) or [None])[0] == first_action and d.disposition == disposition
    assert "create_repair_ticket" not in actions(d)


def test_an_outage_at_the_home_cell_reads_the_script_with_its_recovery_time(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "area_outage_mobile")
    account, area = area_of(sim_db, msisdn)
    outage = next(o for o in area["outages"] if account["home_cell_id"] in o["cell_ids"])
    d = diagnose_line(sim_db, "voice_call_fault", msisdn)
    assert d.actions[0].params == {"outage_id": outage["outage_id"]}
    assert {"create_complaint_ticket", "create_repair_ticket"} <= set(d.forbidden)
    assert outage["est_recovery_ts"][11:16] in d.reply and "不需要您做任何操作" in d.reply and not d.questions


def test_weak_coverage_explains_the_grid_and_ranks_the_complaint_last(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "weak_coverage")
    account, area = area_of(sim_db, msisdn)
    grid = next(w for w in area["weak_coverage"] if w["cell_id"] == account["home_cell_id"])
    d = diagnose_line(sim_db, "voice_call_fault", msisdn)
    assert actions(d) == ["guide_wifi_calling", "guide_network_mode", "create_complaint_ticket"]
    ticket = d.actions[-1]
    assert ticket.needs_confirmation and grid["place"] in ticket.params["description"]
    assert grid["place"] in d.reply and "WLAN通话" in d.reply


def test_volte_off_is_named_as_the_cause(sim_db: SimDatabase) -> None:
    msisdn = line_where(sim_db, (
        "SELECT s.msisdn FROM subscribers s JOIN aaa_profiles a USING (msisdn) JOIN sim_profiles p USING (msisdn)"
        " WHERE p.situation = 'healthy' AND a.volte_enabled = 0 AND s.plan_id NOT IN ('P-DATA-30', 'P-IOT-10')"
        " ORDER BY s.msisdn LIMIT 1"))
    d = diagnose_line(sim_db, "voice_call_fault", msisdn)
    assert_complete(d)
    assert rules(d)[0] == "volte_off" and actions(d)[0] == "guide_volte_on" and "VoLTE" in d.reply
    assert "VoLTE = 关闭" in " ".join(d.findings[0].evidence)


def test_a_healthy_line_gets_handset_checks(sim_db: SimDatabase) -> None:
    msisdn = line_where(sim_db, (
        "SELECT s.msisdn FROM subscribers s JOIN aaa_profiles a USING (msisdn) JOIN sim_profiles p USING (msisdn)"
        " WHERE p.situation = 'healthy' AND a.volte_enabled = 1 ORDER BY s.msisdn LIMIT 1"))
    d = diagnose_line(sim_db, "voice_call_fault", msisdn)
    assert_complete(d)
    assert rules(d) == ["all_normal"] and actions(d) == HANDSET and d.disposition == "intercept"
    assert any("打不出去" in q for q in d.questions)


def test_voice_fault_with_coverage_down_does_not_guess(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "voice_call_fault", "area_outage_mobile", faults=COVERAGE_DOWN)
    assert_partial(d, {"area"}, "COVERAGE")
    assert {"area_outage", "weak_coverage", "all_normal"} <= set(d.unknown)
    assert "read_emergency_script" not in actions(d) and "故障" not in d.reply


# --- SMS / MMS fault ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("situation", "first_rule", "first_action"), [
    ("healthy", "line_normal", "guide_sms_settings"),
    ("arrears_suspended", "arrears_suspended", "payment_guide"),
    ("area_outage_mobile", "area_outage", "read_emergency_script"),
    ("gprs_off", "data_off_mms", "open_gprs_function"),
])
def test_sms_fault_decides(sim_db: SimDatabase, situation: str, first_rule: str, first_action: str) -> None:
    d = diagnose(sim_db, "sms_mms_fault", situation)
    assert_complete(d)
    assert rules(d)[0] == first_rule and actions(d)[0] == first_action
    if situation == "healthy":
        assert "拦截" in d.reply and "验证码" in d.reply
    if situation == "gprs_off":
        assert action(d, "open_gprs_function").tool == "aaa_open_data_function" and "彩信" in d.reply


def test_sms_fault_with_aaa_down_leaves_the_data_function_unjudged(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "sms_mms_fault", "gprs_off", faults={System.AAA: FaultConfig(error_rate=1.0)})
    assert_partial(d, {"profile"}, "AAA")
    assert "data_off_mms" in d.unknown and "open_gprs_function" not in actions(d)
    assert "上网功能是关闭的" not in d.reply


# --- coverage complaint -------------------------------------------------------------------------------------


def test_a_known_weak_grid_is_explained_with_its_plan_and_the_complaint_prefilled(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "weak_coverage")
    account, area = area_of(sim_db, msisdn)
    grid = next(w for w in area["weak_coverage"] if w["cell_id"] == account["home_cell_id"])
    d = diagnose_line(sim_db, "coverage_complaint", msisdn)
    assert_complete(d)
    assert rules(d) == ["weak_coverage"] and d.disposition == "inform"
    ticket = action(d, "create_complaint_ticket")
    assert grid["place"] in ticket.params["description"] and grid["cause"] in ticket.params["description"]
    assert grid["place"] in d.reply and grid["cause"] in d.reply
    assert grid["plan"] in d.findings[0].text and "create_repair_ticket" in d.forbidden


def test_a_grid_with_no_plan_is_not_read_out_as_the_network_teams_note(sim_db: SimDatabase) -> None:
    """Found by a new user: "目前暂无建设计划，建议用户开启VoWiFi" (a note about 用户) was in the reply to read aloud."""
    msisdn = profile(sim_db, "weak_coverage")
    cell = sim_db.one("SELECT home_cell_id FROM subscribers WHERE msisdn = ?", (msisdn,))
    with sim_db.conn() as conn:
        conn.execute("UPDATE weak_coverage SET plan = '暂无建设计划，建议用户开启VoWiFi' WHERE cell_id = ?", (cell[0],))
    d = diagnose_line(sim_db, "coverage_complaint", msisdn)
    assert "目前还没有排上建设计划" in d.reply and "用户" not in d.reply
    assert "暂无建设计划" in d.findings[0].text, "the agent still sees the team's note"


def test_an_area_outage_reads_the_script_instead_of_a_complaint(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "coverage_complaint", "area_outage_mobile")
    assert_complete(d)
    assert rules(d) == ["area_outage"] and actions(d) == ["read_emergency_script"]
    assert "create_complaint_ticket" in d.forbidden and "不需要您登记投诉" in d.reply


def test_no_known_problem_asks_where_and_registers_with_the_address_given(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "healthy")
    d = diagnose_line(sim_db, "coverage_complaint", msisdn)
    assert "no_known_problem" in rules(d) and any("具体地址" in q for q in d.questions)
    given = diagnose_line(sim_db, "coverage_complaint", msisdn, slots={"addresses": ["香樟名苑3栋"]})
    assert "香樟名苑3栋" in action(given, "create_complaint_ticket").params["description"]
    assert not any("具体地址" in q for q in given.questions)


def test_a_repeat_signal_complaint_is_urgent(sim_db: SimDatabase) -> None:
    msisdn = line_where(sim_db, "SELECT t.msisdn FROM tickets t JOIN sim_profiles p USING (msisdn) WHERE t.kind ="
                                " 'complaint' AND t.title LIKE '%信号%' AND p.situation = 'healthy'"
                                " ORDER BY t.msisdn LIMIT 1")
    d = diagnose_line(sim_db, "coverage_complaint", msisdn)
    assert action(d, "create_complaint_ticket").params["urgent"] is True


def test_coverage_complaint_with_coverage_down_is_partial(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "coverage_complaint", "weak_coverage", faults=COVERAGE_DOWN)
    assert_partial(d, {"area"}, "COVERAGE")
    assert not d.actions and "弱" not in d.reply


# --- broadband install / move -------------------------------------------------------------------------------


def test_a_line_with_broadband_is_a_move_with_its_current_address(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "bb_healthy")
    account = read_tool(sim_db, "pon_find_broadband_accounts", msisdn=msisdn)[0]
    d = diagnose_line(sim_db, "broadband_install_move", msisdn, slots={"addresses": ["红谷滩万达广场2栋"]})
    assert_complete(d)
    assert "move_existing" in rules(d)
    booking = action(d, "book_broadband_install")
    assert booking.params == {"msisdn": msisdn, "account_id": account["account_id"], "address": "红谷滩万达广场2栋"}
    assert account["address"] in d.reply and "红谷滩万达广场2栋" in d.reply and not d.questions


def test_a_plan_with_the_converged_right_gets_broadband_at_no_fee(sim_db: SimDatabase) -> None:
    msisdn = line_where(sim_db, (
        "SELECT s.msisdn FROM subscribers s WHERE s.status = 'active' AND s.plan_id IN ('P-QQT-128', 'P-QQT-158')"
        " AND NOT EXISTS (SELECT 1 FROM broadband_accounts b WHERE b.msisdn = s.msisdn) ORDER BY s.msisdn LIMIT 1"))
    d = diagnose_line(sim_db, "broadband_install_move", msisdn)
    assert_complete(d)
    assert rules(d) == ["converged_right"] and action(d, "book_broadband_install").params["product_id"] == "BB-RH-300"
    assert "免费办理300M" in d.reply and any("地址" in q for q in d.questions)


def test_a_new_install_lists_the_products_on_sale_with_their_fees(sim_db: SimDatabase) -> None:
    msisdn = line_where(sim_db, (
        "SELECT s.msisdn FROM subscribers s WHERE s.status = 'active' AND s.brand <> '全球通'"
        " AND NOT EXISTS (SELECT 1 FROM broadband_accounts b WHERE b.msisdn = s.msisdn) ORDER BY s.msisdn LIMIT 1"))
    offers = [o for o in read_tool(sim_db, "boss_list_products", kind="broadband") if o["monthly_fee_yuan"] > 0]
    d = diagnose_line(sim_db, "broadband_install_move", msisdn)
    assert_complete(d)
    assert rules(d) == ["new_install"]
    assert all(f"{o['bandwidth_mbps']}M每月{spoken(o['monthly_fee_yuan'])}元" in d.reply for o in offers)


def test_broadband_install_with_pon_down_does_not_guess_install_or_move(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "broadband_install_move", "bb_healthy", faults={System.PON: FaultConfig(error_rate=1.0)})
    assert_partial(d, {"broadband"}, "PON")
    assert {"move_existing", "converged_right", "new_install"} <= set(d.unknown)
    assert "book_broadband_install" not in actions(d)


# --- an open complaint is urged; the supervisor only for real escalation ----------------------------------------


def open_signal_complaint(db: SimDatabase, due: str = "2026-11-21T10:00:00") -> str:
    """A healthy line with a signal complaint still open, due at `due` (48 hours after it was taken)."""
    msisdn = profile(db, "healthy")
    taken = (datetime.fromisoformat(due) - timedelta(hours=48)).isoformat()
    with db.conn() as conn:
        conn.execute("INSERT INTO tickets (ticket_id, kind, msisdn, account_id, title, description, status, priority,"
                     " created_ts, sla_due_ts, resolved_ts, created_by) VALUES ('T202611199999', 'complaint', ?, NULL,"
                     " '手机信号差', '用户反映家中信号差', 'in_progress', 'normal', ?, ?, NULL, 'KF1001')",
                     (msisdn, taken, due))
    return msisdn


def test_an_open_coverage_complaint_is_urged_not_escalated(sim_db: SimDatabase) -> None:
    msisdn = open_signal_complaint(sim_db)
    d = diagnose_line(sim_db, "coverage_complaint", msisdn, slots={"risks": ["complaint_escalation"],
                                                                    "emotion": "angry"})
    assert rules(d)[0] == "open_complaint" and actions(d)[0] == "urge_ticket"
    assert d.actions[0].params == {"ticket_id": "T202611199999"}
    assert "escalate_supervisor" not in actions(d) and d.disposition == "inform"
    assert "create_complaint_ticket" in d.forbidden and "11月21日10:00" in d.reply


@pytest.mark.parametrize(("risks", "emotion", "due"), [
    (["media_threat"], "calm", "2026-11-21T10:00:00"),
    (["repeat_contact"], "calm", "2026-11-21T10:00:00"),
    ([], "angry", "2026-11-19T10:00:00"),  # past its commitment and angry
])
def test_an_open_coverage_complaint_is_escalated_on_a_threat_repeat_or_overdue_anger(
        sim_db: SimDatabase, risks: list[str], emotion: str, due: str) -> None:
    msisdn = open_signal_complaint(sim_db, due)
    d = diagnose_line(sim_db, "coverage_complaint", msisdn, slots={"risks": risks, "emotion": emotion})
    assert "open_complaint_escalation" in rules(d)
    assert actions(d)[:2] == ["escalate_supervisor", "urge_ticket"] and d.disposition == "escalate"
    assert "值班长" in d.reply


def test_an_open_ticket_on_a_data_fault_is_urged(sim_db: SimDatabase) -> None:
    msisdn = open_signal_complaint(sim_db)
    d = diagnose_line(sim_db, "mobile_data_fault", msisdn)
    assert "open_ticket" in rules(d)
    assert action(d, "urge_ticket").params == {"ticket_id": "T202611199999"}
    assert "escalate_supervisor" not in actions(d)
