"""The tool layer: READ/WRITE marking, the vocabulary link, sourced facts, degraded results."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from pydantic import ValidationError

from knowledge.vocabulary import load_vocabulary
from tests.conftest import AS_OF, profile
from tools.backends import build_backends
from tools.base.faults import FaultConfig
from tools.base.toolkit import ToolType, call_tool
from tools.base.values import System, ToolResult
from tools.sim.db import SimDatabase


def clock() -> datetime:
    return AS_OF


def test_every_tool_is_marked_and_write_tools_carry_vocabulary_actions(sim_db: SimDatabase) -> None:
    tools = build_backends(sim_db=sim_db).tools(clock)
    vocab = load_vocabulary()
    kinds = {t.name: t.metadata["tool_type"] for t in tools}  # type: ignore[index]
    assert set(kinds.values()) == {"read", "write"}
    writes = [t for t in tools if t.metadata["tool_type"] == "write"]  # type: ignore[index]
    for tool in writes:
        action = tool.metadata["action"]  # type: ignore[index]
        assert action in vocab.action_by_id, f"{tool.name} carries unknown action {action}"
        assert vocab.action_by_id[action].needs_confirmation, f"{action} must need the agent's confirmation"
        assert "idempotency_key" in tool.args, f"{tool.name} must take an idempotency key"
    implemented = {t.metadata["action"] for t in writes}  # type: ignore[index]
    needing_a_tool = {a.id for a in vocab.actions if a.kind in ("system_write", "ticket")}
    assert needing_a_tool <= implemented, f"actions with no write tool: {needing_a_tool - implemented}"
    reads = [t for t in tools if t.metadata["tool_type"] == "read"]  # type: ignore[index]
    assert all("idempotency_key" not in t.args for t in reads)
    assert all(t.description and "Args:" in t.description for t in tools)


def test_read_tool_facts_cite_their_source(sim_db: SimDatabase) -> None:
    by_name = {t.name: t for t in build_backends(sim_db=sim_db).tools(clock, ToolType.READ)}
    msisdn = profile(sim_db, "arrears_suspended")
    result = by_name["boss_get_account"].invoke({"msisdn": msisdn})
    assert isinstance(result, ToolResult) and result.ok
    assert "账户状态 = 欠费停机 (BOSS)" in result.summary()
    assert all(f.source is System.BOSS and f.ref.startswith("boss.") for f in result.facts)

    los = profile(sim_db, "bb_los_fibre_cut")
    account = by_name["pon_find_broadband_accounts"].invoke({"msisdn": los}).data[0]["account_id"]
    line = by_name["pon_get_line_status"].invoke({"account_id": account})
    text = line.summary()
    assert "光猫状态 = 离线" in text and "LOS" in text and "(PON)" in text


def test_boss_states_the_subtotals_remainders_and_dates_a_reply_needs(sim_db: SimDatabase) -> None:
    by_name = {t.name: t for t in build_backends(sim_db=sim_db).tools(clock, ToolType.READ)}
    msisdn = profile(sim_db, "unknown_vas")
    bill = by_name["boss_get_bill"].invoke({"msisdn": msisdn, "month": "2026-10"})
    by_category: dict[str, float] = {}
    for item in bill.data["items"]:
        by_category[item["category"]] = round(by_category.get(item["category"], 0.0) + item["amount_yuan"], 2)
    text = bill.summary()
    for category, amount in by_category.items():
        assert f"2026-10 {category}小计 = {amount}元 (BOSS)" in text
    usage = by_name["boss_get_data_usage"].invoke({"msisdn": msisdn}).data
    left = round(max(0.0, usage["quota_mb"] - usage["used_mb"]), 1)
    assert f"{usage['month']}国内剩余流量 = {left}MB (BOSS)" in by_name["boss_get_data_usage"].invoke(
        {"msisdn": msisdn}).summary()
    capped = sim_db.one("SELECT msisdn, month FROM data_usage WHERE speed_capped = 1 ORDER BY month LIMIT 1")
    assert capped is not None
    lifted = (date.fromisoformat(f"{capped['month']}-28") + timedelta(days=4)).replace(day=1).isoformat()
    capped_usage = by_name["boss_get_data_usage"].invoke({"msisdn": capped["msisdn"], "month": capped["month"]})
    assert f"{capped['month']}限速解除日期 = {lifted} (BOSS)" in capped_usage.summary()
    contracted = sim_db.one("SELECT msisdn, contract_until FROM subscribers WHERE contract_until IS NOT NULL LIMIT 1")
    assert contracted is not None
    account = by_name["boss_get_account"].invoke({"msisdn": contracted["msisdn"]}).summary()
    assert f"合约期至 = {contracted['contract_until']} (BOSS)" in account


def test_a_failing_system_gives_a_degraded_result_naming_it(sim_db: SimDatabase) -> None:
    backends = build_backends(sim_db=sim_db, faults={System.AAA: FaultConfig(error_rate=1.0)})
    by_name = {t.name: t for t in backends.tools(clock)}
    msisdn = profile(sim_db, "gprs_off")
    failed = by_name["aaa_get_data_profile"].invoke({"msisdn": msisdn})
    assert not failed.ok and failed.error["system"] == "AAA" and failed.error["code"] == "unavailable"
    assert "AAA 查询失败" in failed.summary()
    assert by_name["boss_get_account"].invoke({"msisdn": msisdn}).ok


def test_unknown_and_malformed_numbers_are_clear_errors_not_crashes(sim_db: SimDatabase) -> None:
    by_name = {t.name: t for t in build_backends(sim_db=sim_db).tools(clock)}
    missing = by_name["boss_get_account"].invoke({"msisdn": "13000000000"})
    assert not missing.ok and missing.error["code"] == "not_found"
    bad = by_name["boss_get_account"].invoke({"msisdn": "12345"})
    assert not bad.ok and bad.error["code"] == "invalid_input"


def test_write_tool_acts_once_and_reports_the_outcome(sim_db: SimDatabase) -> None:
    by_name = {t.name: t for t in build_backends(sim_db=sim_db).tools(clock)}
    msisdn = profile(sim_db, "unknown_vas")
    subs = by_name["boss_get_subscriptions"].invoke({"msisdn": msisdn}).data
    vas = next(s for s in subs if s["kind"] == "vas" and s["channel"] == "第三方合作渠道")
    args = {"msisdn": msisdn, "product_id": vas["product_id"], "actor": "A1", "idempotency_key": "vas-1"}
    first = by_name["boss_unsubscribe_vas"].invoke(args)
    second = by_name["boss_unsubscribe_vas"].invoke(args)
    assert first.ok and "已退订" in first.facts[0].value
    assert second.ok and second.data["replayed"] is True
    remaining = by_name["boss_get_subscriptions"].invoke({"msisdn": msisdn}).data
    assert vas["product_id"] not in {s["product_id"] for s in remaining}
    rows = sim_db.query("SELECT actor, result FROM audit_log WHERE operation = 'boss.unsubscribe_vas'")
    assert [(r["actor"], r["result"]) for r in rows] == [("A1", "ok")]


def test_a_direct_call_gives_what_invoke_gives_and_checks_the_same_schema(sim_db: SimDatabase) -> None:
    backends = build_backends(sim_db=sim_db, faults={System.AAA: FaultConfig(error_rate=1.0)})
    by_name = {t.name: t for t in backends.tools(clock, ToolType.READ)}
    msisdn = profile(sim_db, "unknown_vas")
    bill = {"msisdn": msisdn, "month": "2026-10"}
    direct = call_tool(by_name["boss_get_bill"], bill)
    assert direct.ok and direct.model_dump() == by_name["boss_get_bill"].invoke(bill).model_dump()
    failed = call_tool(by_name["aaa_get_data_profile"], {"msisdn": msisdn})
    assert not failed.ok and failed.error["system"] == "AAA"
    with pytest.raises(ValidationError, match="msisdn"):
        call_tool(by_name["boss_get_account"], {})
    with pytest.raises(ValidationError, match="month"):
        call_tool(by_name["boss_get_bill"], {"msisdn": msisdn, "month": ["2026-10"]})
