"""The broadband pre-processing playbook decides intercept vs dispatch on simulator lines."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from copilot.playbooks.engine import Diagnosis
from copilot.playbooks.schema import DATA_DIR, PlaybookError, load_playbooks
from knowledge.vocabulary import load_vocabulary
from tests.copilot.playbooks.conftest import diagnose as run_playbook
from tools.base.faults import FaultConfig
from tools.base.values import System
from tools.sim.db import SimDatabase


def diagnose(db: SimDatabase, situation: str, faults: dict[System, FaultConfig] | None = None) -> Diagnosis:
    return run_playbook(db, "broadband_fault", situation, faults)


@pytest.mark.parametrize(("situation", "rule", "first_action", "disposition"), [
    ("bb_area_outage", "area_outage", "read_emergency_script", "intercept"),
    ("bb_arrears", "broadband_arrears", "payment_guide", "intercept"),
    ("bb_open_repair_ticket", "open_repair_ticket", "escalate_supervisor", "escalate"),
    ("bb_radius_locked", "radius_locked", "verify_identity", "intercept"),
    ("bb_bad_password", "bad_password", "reset_password", "intercept"),
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


def test_outage_turns_dispatch_into_reading_the_script(sim_db: SimDatabase) -> None:
    d = diagnose(sim_db, "bb_area_outage")
    assert "create_repair_ticket" in d.forbidden
    assert d.actions[0].params["outage_id"]
    assert "不需要报修" in d.reply


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
