"""The broadband pre-processing playbook decides intercept vs dispatch on simulator lines."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from copilot.playbooks.engine import Diagnosis
from copilot.playbooks.schema import DATA_DIR, PlaybookError, load_playbooks
from knowledge.vocabulary import load_vocabulary
from tests.conftest import pause_broadband, profile
from tests.copilot.playbooks.conftest import actions, assert_complete, diagnose_line, read_tool, rules, said_date
from tests.copilot.playbooks.conftest import diagnose as run_playbook
from tools.base.faults import FaultConfig
from tools.base.values import System
from tools.sim.db import SimDatabase


def diagnose(db: SimDatabase, situation: str, faults: dict[System, FaultConfig] | None = None) -> Diagnosis:
    return run_playbook(db, "broadband_fault", situation, faults)


@pytest.mark.parametrize(("situation", "rule", "first_action", "disposition"), [
    ("bb_area_outage", "area_outage", "read_emergency_script", "intercept"),
    ("bb_arrears", "broadband_arrears", "payment_guide", "intercept"),
    ("bb_open_repair_ticket", "open_repair_ticket", "urge_ticket", "inform"),
    ("bb_radius_locked", "radius_locked", "verify_identity", "intercept"),
    ("bb_bad_password", "bad_password", "reset_broadband_password", "intercept"),
    ("bb_dying_gasp", "dying_gasp", "guide_device_restart", "intercept"),
    ("bb_los_fibre_cut", "fibre_cut_los", "create_repair_ticket", "dispatch"),
    ("bb_low_rx_power", "low_rx_power", "create_repair_ticket", "dispatch"),
    ("bb_onu_hung", "onu_hung", "remote_onu_reboot", "intercept"),
    ("bb_healthy", "line_healthy", "guide_device_restart", "intercept"),
])
def test_each_flow_decides(sim_db: SimDatabase, situation: str, rule: str, first_action: str,
                           disposition: str) -> None:
    d = diagnose(sim_db, situation)
    assert [f.rule for f in d.findings] == [rule], d.findings
    assert d.actions[0].action == first_action
    assert d.disposition == disposition
    assert d.findings[0].evidence and all(":" in e for e in d.findings[0].evidence)
    assert all(r.ok for r in d.reads), [r for r in d.reads if not r.ok]
    if disposition == "intercept":
        assert "create_repair_ticket" not in [a.action for a in d.actions]


def test_broadband_arrears_are_said_as_what_is_owed(sim_db: SimDatabase) -> None:
    """Found trying the demo: "目前余额是-92.23元" was read out to the caller."""
    msisdn = profile(sim_db, "bb_arrears")
    owed = -read_tool(sim_db, "boss_get_account", msisdn=msisdn)["balance_yuan"]
    d = diagnose(sim_db, "bb_arrears")
    assert owed > 0 and f"目前欠费{owed:g}元" in d.reply and "余额是-" not in d.reply


def test_a_broadband_paused_on_request_is_resumed_without_a_crew(sim_db: SimDatabase) -> None:
    msisdn, account = pause_broadband(sim_db)
    d = diagnose_line(sim_db, "broadband_fault", msisdn)
    assert "suspended_by_request" in rules(d) and d.disposition == "intercept"
    assert [(a.action, a.params, a.tool) for a in d.actions] == [
        ("resume_broadband", {"account_id": account}, "pon_resume_broadband")]
    assert "create_repair_ticket" in d.forbidden and "复通" in d.reply


def test_outage_turns_dispatch_into_reading_the_script(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "bb_area_outage")
    assert "create_repair_ticket" in d.forbidden
    assert d.actions[0].params["outage_id"]
    assert "不需要报修" in d.reply


def test_a_complaint_during_an_outage_can_be_registered_beside_the_script(sim_db: SimDatabase) -> None:
    """Found trying the demo: "耽误事你们赔吗？我要投诉！" during an outage was read the script again, nothing else."""
    msisdn = profile(sim_db, "bb_area_outage")
    d = diagnose_line(sim_db, "broadband_fault", msisdn, slots={"risks": ["complaint_escalation"]})
    assert actions(d) == ["create_complaint_ticket", "read_emergency_script"] and d.disposition == "intercept"
    assert "create_repair_ticket" in d.forbidden and "不需要报修" in d.reply
    calm = diagnose_line(sim_db, "broadband_fault", msisdn)
    assert "create_complaint_ticket" not in actions(calm)


def test_dispatch_carries_the_diagnosis_prefilled(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "bb_los_fibre_cut")
    ticket = d.actions[0]
    assert ticket.needs_confirmation and ticket.tool == "ticketing_create_repair_ticket"
    assert ticket.params["account_id"] and ticket.params["msisdn"] and "LOS" in ticket.params["title"]
    assert "LOS" in " ".join(d.findings[0].evidence)


def test_low_power_cites_the_measured_value(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "bb_low_rx_power")
    value = next(r for r in d.reads if r.id == "line").facts
    rx = next(f for f in value if f.startswith("收光功率 ="))
    assert rx.split("=")[1].split("dBm")[0].strip() in d.findings[0].text


def test_no_broadband_asks_for_the_account(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "gprs_off")
    if d.findings[0].rule != "no_broadband":
        pytest.skip("this line happens to have broadband")
    assert d.actions[0].action == "verify_identity" and "宽带账号" in d.reply


def test_a_failed_system_gives_a_partial_result_that_says_so(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "bb_los_fibre_cut", faults={System.PON: FaultConfig(error_rate=1.0)})
    failed = {r.id: r for r in d.reads if not r.ok}
    assert set(failed) >= {"broadband"} and all(r.error for r in failed.values())
    assert "create_repair_ticket" not in [a.action for a in d.actions], "no dispatch on a guess"
    assert d.unknown, "rules that needed PON are reported as not judged"


def test_bad_playbook_files_are_named(tmp_path: Path) -> None:
    raw = yaml.safe_load((DATA_DIR / "broadband_fault.yaml").read_text(encoding="utf-8"))
    raw["rules"][0]["actions"] = [{"action": "teleport_crew"}]
    raw["reads"][0]["tool"] = "boss_delete_everything"
    raw["rules"][1]["when"] = "len(broadband) >"
    (tmp_path / "broadband_fault.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    engine_tools = {"boss_get_account", "pon_find_broadband_accounts", "ticketing_list_tickets",
                    "pon_get_line_status", "aaa_get_auth_log", "coverage_check_area"}
    with pytest.raises(PlaybookError) as exc:
        load_playbooks(load_vocabulary(), engine_tools, tmp_path)
    assert "broadband_fault.yaml" in str(exc.value) and "表达式语法错误" in str(exc.value)
    raw["rules"][1]["when"] = "len(broadband) > 0"
    (tmp_path / "broadband_fault.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PlaybookError) as exc:
        load_playbooks(load_vocabulary(), engine_tools, tmp_path)
    assert "teleport_crew" in str(exc.value) and "boss_delete_everything" in str(exc.value)


# --- an outage explains the line only when it is on the caller's OLT or port -----------------------------------


def stage_outage(db: SimDatabase, situation: str, olt: str, start: str) -> str:
    """A broadband outage in the district of the first line showing `situation`: on that line's own OLT
    (``own``), on another OLT of the district (``other``), or naming no OLT (``none``); returns the line."""
    msisdn = profile(db, situation)
    account = db.one("SELECT * FROM broadband_accounts WHERE msisdn = ?", (msisdn,))
    assert account is not None
    olt_id = {"own": account["olt_id"], "other": "OLT-000000-99", "none": None}[olt]
    with db.conn() as conn:
        conn.execute("INSERT INTO outages VALUES ('TEST-OUT-1', ?, ?, ?, 'broadband', '主干光缆被挖断',"
                     " '家庭宽带中断', ?, '2026-11-20T18:00:00', NULL, ?)",
                     (account["province"], account["city"], account["district"], start, olt_id))
    return msisdn


@pytest.mark.parametrize(("situation", "olt", "rule"), [
    ("bb_los_fibre_cut", "other", "fibre_cut_los"),   # another OLT's fault in the district: the line's own LOS
    ("bb_low_rx_power", "other", "low_rx_power"),     # ... or its own low optical power
    ("bb_los_fibre_cut", "own", "fibre_cut_los"),     # own OLT, but the LOS began before the outage did
    ("bb_los_fibre_cut", "none", "fibre_cut_los"),    # no OLT named, port up, the line's own LOS alarm
    ("bb_low_rx_power", "none", "low_rx_power"),
])
def test_an_outage_that_does_not_explain_the_line_leaves_it_to_its_own_rules(
        sim_db: SimDatabase, situation: str, olt: str, rule: str) -> None:
    msisdn = stage_outage(sim_db, situation, olt, start="2026-11-20T08:00:00")
    d = diagnose_line(sim_db, "broadband_fault", msisdn)
    assert_complete(d)
    assert rules(d) == ["outage_not_on_this_line", rule] and d.disposition == "dispatch"
    assert actions(d) == ["create_repair_ticket"]
    assert "read_emergency_script" in d.forbidden, "the district's outage script is ruled out for this line"
    assert "TEST-OUT-1" in d.findings[0].text and "不能解释本户问题" in d.findings[0].text
    assert "不需要报修" not in d.reply and "报修" in d.reply


def test_an_outage_elsewhere_does_not_hide_the_lines_arrears(sim_db: SimDatabase) -> None:
    msisdn = stage_outage(sim_db, "bb_arrears", "other", start="2026-11-20T08:00:00")
    d = diagnose_line(sim_db, "broadband_fault", msisdn)
    assert rules(d) == ["outage_not_on_this_line", "broadband_arrears"] and actions(d)[0] == "payment_guide"
    assert "欠费" in d.reply


@pytest.mark.parametrize(("situation", "olt", "start"), [
    ("bb_los_fibre_cut", "own", "2026-11-19T08:00:00"),  # the caller's OLT, the ONU dropped after it began
    ("bb_healthy", "own", "2026-11-20T08:00:00"),        # the caller's OLT, ONU still registered (uplink cut)
])
def test_an_outage_on_the_callers_olt_is_intercepted_with_its_script(sim_db: SimDatabase, situation: str,
                                                                       olt: str, start: str) -> None:
    msisdn = stage_outage(sim_db, situation, olt, start=start)
    d = diagnose_line(sim_db, "broadband_fault", msisdn)
    assert_complete(d)
    assert rules(d) == ["area_outage"] and d.disposition == "intercept"
    assert actions(d) == ["read_emergency_script"] and d.actions[0].params == {"outage_id": "TEST-OUT-1"}
    assert {"create_repair_ticket", "remote_onu_reboot"} <= set(d.forbidden)
    assert "11-20 18:00" in d.reply and "不需要报修" in d.reply


def test_a_down_pon_port_is_an_outage_even_without_a_notice(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "bb_area_outage")
    with sim_db.conn() as conn:  # the same line, the port still down, but no fault notice in force
        conn.execute("UPDATE outages SET recovered_ts = '2026-11-20T09:00:00' WHERE service IN ('broadband', 'all')")
    d = diagnose_line(sim_db, "broadband_fault", msisdn)
    assert_complete(d)
    assert rules(d) == ["area_outage"] and d.disposition == "intercept"
    assert d.actions[0].params == {"outage_id": None} and "PON口" in d.findings[0].text
    assert "create_repair_ticket" in d.forbidden and "不需要报修" in d.reply


def test_the_simulators_outage_line_is_on_the_outages_olt(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "bb_area_outage")
    line = read_tool(sim_db, "pon_get_line_status", account_id=read_tool(
        sim_db, "pon_find_broadband_accounts", msisdn=msisdn)[0]["account_id"])
    d = diagnose_line(sim_db, "broadband_fault", msisdn)
    outage = sim_db.one("SELECT * FROM outages WHERE outage_id = ?", (d.actions[0].params["outage_id"],))
    assert outage is not None and outage["olt_id"] == line["account"]["olt_id"]
    assert line["account"]["olt_name"] in d.findings[0].text


# --- an ONU offline for no known reason: restart first, no crew in the same card --------------------------------


def test_an_onu_offline_without_alarms_is_intercepted_without_a_repair_ticket(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "bb_healthy")
    onu = sim_db.one("SELECT onu_id FROM broadband_accounts WHERE msisdn = ?", (msisdn,))
    assert onu is not None
    with sim_db.conn() as conn:  # offline for 40 minutes, light still measured, no alarm of any kind
        conn.execute("UPDATE onus SET online = 0, rx_power_dbm = -19.5, state_since = '2026-11-20T09:20:00'"
                     " WHERE onu_id = ?", (onu["onu_id"],))
    d = diagnose_line(sim_db, "broadband_fault", msisdn)
    assert_complete(d)
    assert rules(d) == ["onu_offline_other"] and d.disposition == "intercept"
    assert actions(d) == ["guide_device_restart"], "an intercept never comes with a dispatch in the same card"
    assert "断电" in d.reply


# --- an open repair ticket is urged; the supervisor only for real escalation ------------------------------------


def overdue(db: SimDatabase, msisdn: str) -> None:
    """Make the line's open ticket three days old, past its 48-hour commitment."""
    with db.conn() as conn:
        conn.execute("UPDATE tickets SET created_ts = '2026-11-17T09:00:00', sla_due_ts = '2026-11-19T09:00:00'"
                     " WHERE msisdn = ? AND status IN ('open', 'in_progress')", (msisdn,))


@pytest.mark.parametrize(("risks", "emotion", "late"), [
    ([], "calm", False),          # asks when the technician comes
    ([], "angry", False),         # annoyed, but within the commitment
    ([], "calm", True),           # overdue, calm
    (["complaint_escalation"], "angry", False),  # "我要投诉" is a complaint, not a threat over our heads
])
def test_an_open_repair_ticket_is_urged_not_escalated(sim_db: SimDatabase, risks: list[str], emotion: str,
                                                       late: bool) -> None:
    msisdn = profile(sim_db, "bb_open_repair_ticket")
    ticket = read_tool(sim_db, "ticketing_list_tickets", msisdn=msisdn, open_only=True)[0]
    if late:
        overdue(sim_db, msisdn)
        ticket["sla_due_ts"] = "2026-11-19T09:00:00"
    d = diagnose_line(sim_db, "broadband_fault", msisdn, slots={"risks": risks, "emotion": emotion})
    assert_complete(d)
    assert rules(d) == ["open_repair_ticket"] and d.disposition == "inform"
    assert actions(d) == ["urge_ticket"] and d.actions[0].params == {"ticket_id": ticket["ticket_id"]}
    assert "create_repair_ticket" in d.forbidden
    assert said_date(ticket["sla_due_ts"], year=False, time=True) in d.reply and "催办" in d.reply
    assert ("超时" in d.reply) == late


@pytest.mark.parametrize(("risks", "emotion", "late"), [
    (["media_threat"], "angry", False),        # 发微博曝光
    (["escalation_threat"], "calm", False),    # 打12300 / 找你们领导
    (["repeat_contact"], "anxious", False),    # 已经打了三次电话
    ([], "angry", True),                       # past the commitment and angry
])
def test_an_open_repair_ticket_goes_to_the_supervisor_on_real_escalation(
        sim_db: SimDatabase, risks: list[str], emotion: str, late: bool) -> None:
    msisdn = profile(sim_db, "bb_open_repair_ticket")
    if late:
        overdue(sim_db, msisdn)
    d = diagnose_line(sim_db, "broadband_fault", msisdn, slots={"risks": risks, "emotion": emotion})
    assert "repair_escalation" in rules(d) and rules(d)[-1] == "open_repair_ticket"
    assert actions(d) == ["escalate_supervisor", "urge_ticket"] and d.disposition == "escalate"
    assert "create_repair_ticket" in d.forbidden and "值班长" in d.reply
    assert ("超过了承诺时间" in d.reply) == late


@pytest.mark.parametrize("situation", ["bb_los_fibre_cut", "bb_area_outage", "bb_healthy"])
def test_a_threat_adds_the_supervisor_without_changing_the_lines_handling(sim_db: SimDatabase,
                                                                          situation: str) -> None:
    calm = run_playbook(sim_db, "broadband_fault", situation)
    d = diagnose_line(sim_db, "broadband_fault", profile(sim_db, situation),
                      slots={"risks": ["media_threat"], "emotion": "angry"})
    assert rules(d) == ["escalation_risk", *rules(calm)] and actions(d) == ["escalate_supervisor", *actions(calm)]
    assert d.disposition == calm.disposition and d.reply == calm.reply


def test_without_risks_in_the_slots_nothing_is_escalated(sim_db: SimDatabase) -> None:
    d = diagnose_line(sim_db, "broadband_fault", profile(sim_db, "bb_open_repair_ticket"), slots={})
    assert_complete(d)
    assert "escalate_supervisor" not in actions(d)


@pytest.mark.parametrize(("slots", "asked"), [
    ({}, ["请问是完全上不了网，还是网速慢、时断时续？光猫上有没有红灯？"]),
    ({"symptoms": ["no_internet"]}, ["请问光猫上有没有红灯（LOS灯）亮着或在闪？"]),
    ({"lights": ["red"]}, ["请问是完全上不了网，还是网速慢、时断时续？"]),
    ({"symptoms": ["slow"], "lights": ["no_red"]}, []),
])
def test_only_what_the_caller_has_not_said_is_asked(sim_db: SimDatabase, slots: dict[str, list[str]],
                                                     asked: list[str]) -> None:
    d = diagnose_line(sim_db, "broadband_fault", profile(sim_db, "bb_healthy"), slots=slots)
    assert d.questions == asked


@pytest.mark.parametrize("situation", ["bb_radius_locked", "bb_bad_password"])
def test_a_password_fault_resets_the_broadband_password_not_the_service_password(sim_db: SimDatabase,
                                                                                 situation: str) -> None:
    msisdn = profile(sim_db, situation)
    account = read_tool(sim_db, "pon_find_broadband_accounts", msisdn=msisdn)[0]["account_id"]
    d = diagnose_line(sim_db, "broadband_fault", msisdn)
    reset = next(a for a in d.actions if a.action == "reset_broadband_password")
    assert reset.params == {"account_id": account} and reset.tool == "aaa_reset_broadband_password"
    assert "reset_password" not in actions(d) and "reset_password" in d.forbidden
    assert "宽带密码" in d.reply and "短信" in d.reply


def test_a_caller_who_forgot_the_broadband_password_on_a_working_line_gets_it_reset(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "bb_healthy")
    account = read_tool(sim_db, "pon_find_broadband_accounts", msisdn=msisdn)[0]["account_id"]
    d = diagnose_line(sim_db, "broadband_fault", msisdn, slots={"password": ["forgot"], "password_of": ["broadband"]})
    assert_complete(d)
    assert rules(d) == ["broadband_password_asked"] and d.disposition == "intercept"
    assert actions(d) == ["reset_broadband_password", "guide_device_restart"]
    assert account in d.reply and "检测您家的宽带线路和光猫都是正常的" not in d.reply
    plain = diagnose_line(sim_db, "broadband_fault", msisdn)
    assert rules(plain) == ["line_healthy"], "said nothing of a password: the healthy line's advice"
    los = diagnose_line(sim_db, "broadband_fault", profile(sim_db, "bb_los_fibre_cut"),
                        slots={"password_of": ["broadband"]})
    assert rules(los) == ["fibre_cut_los"], "a cut fibre comes before the password"
