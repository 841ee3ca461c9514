"""Fixtures over a copy of the world: placeholders, list and mapping semantics, errors that name the place."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from evals.fixtures import PreparedCase, apply_fixture, copy_world, expand, prepare, scripts_of, suite_scripts
from evals.scenario import Scenario, ScenarioError
from evals.world import World
from tests.evals.conftest import case

NOW = datetime(2026, 11, 20, 10, 0, 0)
SUITE = "suites/fixtures.yaml"


def test_placeholders() -> None:
    assert expand("{caller}", "13800001111", NOW) == "13800001111"
    assert expand("{now}", "", NOW) == "2026-11-20T10:00:00"
    assert expand("{now-2h}|{now+30m}|{now-3d}", "", NOW) == "2026-11-20T08:00:00|2026-11-20T10:30:00|2026-11-17T10:00:00"
    assert expand("{today}/{today-1d}", "", NOW) == "2026-11-20/2026-11-19"
    assert expand("{month}/{month-1}/{month-11}", "", NOW) == "2026-11/2026-10/2025-12"
    assert expand('{"rule": "x"} {other}', "", NOW) == '{"rule": "x"} {other}', "other braces stay"
    for bad in ("{now-2}", "{month-1d}", "{caller+1}", "{today-2h}"):
        with pytest.raises(ValueError, match="占位符"):
            expand(bad, "", NOW)


def _prepared(world: World, raw: dict[str, Any]) -> PreparedCase:
    return prepare(Scenario.model_validate(raw), world.sim_db, world.as_of, SUITE)


def _db(world: World, tmp_path: Path) -> Path:
    return copy_world(world.sim_db, tmp_path / "sim.sqlite")


def _rows(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    return sqlite3.connect(db).execute(sql, args).fetchall()


def test_placeholders_are_filled_everywhere_and_the_caller_comes_from_the_situation(eval_world: World) -> None:
    raw = case("ph", ["我号码是{caller}，{month-1}的账单"], intents=["bill_inquiry"], now="{now+2h}",
               gold={"must_mention": ["{month-1}"], "pii": ["{caller}"]},
               fixture={"situation": "gprs_off", "tables": {"tickets": [{"ticket_id": "T-{caller}", "kind": "repair",
                        "title": "t", "description": "d", "status": "open", "priority": "normal",
                        "created_ts": "{now-1d}", "sla_due_ts": "{now+1d}", "created_by": "A1"}]}})
    prepared = _prepared(eval_world, raw)
    first = sqlite3.connect(eval_world.sim_db).execute(
        "SELECT msisdn FROM sim_profiles WHERE situation = 'gprs_off' ORDER BY msisdn").fetchone()[0]
    assert prepared.msisdn == first and prepared.now == datetime(2026, 11, 20, 12, 0)
    assert prepared.scenario.turns[0].text == f"我号码是{first}，2026-10的账单"
    assert prepared.scenario.gold.pii == [first] and prepared.scenario.gold.must_mention == ["2026-10"]
    row = prepared.scenario.fixture.tables["tickets"][0]
    assert isinstance(row, dict) and row["created_ts"] == "2026-11-19T12:00:00" and row["ticket_id"] == f"T-{first}"


def test_a_mapping_updates_and_a_list_replaces_the_callers_rows(eval_world: World, tmp_path: Path) -> None:
    db = _db(eval_world, tmp_path)
    prepared = _prepared(eval_world, case("fx", ["上不了网"], intents=["mobile_data_fault"], fixture={
        "situation": "healthy",
        "tables": {"aaa_profiles": {"gprs_enabled": 0},
                   "subscriptions": [],
                   "tickets": [{"ticket_id": "T-EVAL-1", "kind": "repair", "title": "宽带报修", "description": "d",
                                "status": "open", "priority": "normal", "created_ts": "{now-1d}",
                                "sla_due_ts": "{now+1d}", "created_by": "A1"}],
                   "outages": [{"outage_id": "EV-1", "province": "江西省", "city": "南昌市", "service": "mobile_data",
                                "cause": "基站停电", "description": "测试", "start_ts": "{now-1h}"}]}}))
    others = _rows(db, "SELECT COUNT(*) FROM subscriptions WHERE msisdn != ?", prepared.msisdn)
    apply_fixture(prepared, db)
    assert _rows(db, "SELECT gprs_enabled FROM aaa_profiles WHERE msisdn = ?", prepared.msisdn) == [(0,)]
    assert _rows(db, "SELECT COUNT(*) FROM subscriptions WHERE msisdn = ?", prepared.msisdn) == [(0,)]
    assert _rows(db, "SELECT COUNT(*) FROM subscriptions WHERE msisdn != ?", prepared.msisdn) == others
    assert _rows(db, "SELECT ticket_id, msisdn FROM tickets WHERE msisdn = ?", prepared.msisdn) == \
        [("T-EVAL-1", prepared.msisdn)], "rows without msisdn get the caller's"
    assert _rows(db, "SELECT start_ts FROM outages WHERE outage_id = 'EV-1'") == [("2026-11-20T09:00:00",)]
    assert _rows(eval_world.sim_db, "SELECT COUNT(*) FROM outages WHERE outage_id = 'EV-1'") == [(0,)], \
        "the world itself is untouched"


def test_replacing_bills_takes_their_items_along(eval_world: World, tmp_path: Path) -> None:
    db = _db(eval_world, tmp_path)
    prepared = _prepared(eval_world, case("bills", ["话费"], intents=["bill_inquiry"], fixture={
        "situation": "big_overage_elastic_eligible",
        "tables": {"bill_items": [{"bill_id": "EVB-{month}", "seq": 1, "category": "套餐及固定费", "item_name": "套餐",
                                   "amount_fen": 1800}],
                   "bills": [{"bill_id": "EVB-{month}", "month": "{month}", "total_fen": 1800, "status": "open"}]}}))
    apply_fixture(prepared, db)
    items = _rows(db, "SELECT i.bill_id FROM bill_items i JOIN bills b USING (bill_id) WHERE b.msisdn = ?",
                  prepared.msisdn)
    assert items == [("EVB-2026-11",)]
    assert _rows(db, "PRAGMA foreign_key_check") == []


@pytest.mark.parametrize(("tables", "where"), [
    ({"no_such_table": []}, "fixture.tables.no_such_table: 模拟后台没有表"),
    ({"aaa_profiles": {"gprs_enabeld": 0}}, "fixture.tables.aaa_profiles.gprs_enabeld: 表 aaa_profiles 没有列"),
    ({"tickets": [{"ticket_id": "T1"}, {"ticket_id": "T2", "colour": "red"}]}, "fixture.tables.tickets[1].colour"),
    ({"outages": {"cause": "x"}}, "fixture.tables.outages: 表 outages 与来电人无关"),
])
def test_unknown_tables_and_columns_are_named(eval_world: World, tmp_path: Path, tables: dict[str, Any],
                                              where: str) -> None:
    prepared = _prepared(eval_world, case("bad-fx", ["喂"], intents=["other"],
                                          fixture={"situation": "healthy", "tables": tables}))
    with pytest.raises(ScenarioError) as caught:
        apply_fixture(prepared, _db(eval_world, tmp_path))
    assert str(caught.value).startswith(f"{SUITE}: case 'bad-fx': {where}")


def test_a_broken_row_names_its_place_and_leaves_nothing_written(eval_world: World, tmp_path: Path) -> None:
    db = _db(eval_world, tmp_path)
    prepared = _prepared(eval_world, case("broken", ["喂"], intents=["other"], fixture={
        "situation": "healthy",
        "tables": {"aaa_profiles": {"gprs_enabled": 0},
                   "subscriptions": [{"subscription_id": "S-EV-1", "product_id": "DP-M-3G", "status": "active",
                                      "start_date": "{today}", "channel": "营业厅"},
                                     {"subscription_id": "S-EV-2", "product_id": "DP-M-3G", "status": "gone",
                                      "start_date": "{today}", "channel": "营业厅"}]}}))
    before = _rows(db, "SELECT gprs_enabled FROM aaa_profiles WHERE msisdn = ?", prepared.msisdn)
    with pytest.raises(ScenarioError, match=r"case 'broken': fixture\.tables\.subscriptions\[1\]: IntegrityError: "
                                            r"CHECK constraint failed"):
        apply_fixture(prepared, db)
    assert _rows(db, "SELECT gprs_enabled FROM aaa_profiles WHERE msisdn = ?", prepared.msisdn) == before
    assert _rows(db, "SELECT COUNT(*) FROM subscriptions WHERE subscription_id LIKE 'S-EV-%'") == [(0,)]


def test_a_row_pointing_at_nothing_is_named(eval_world: World, tmp_path: Path) -> None:
    prepared = _prepared(eval_world, case("fk", ["喂"], intents=["other"], fixture={
        "situation": "healthy",
        "tables": {"subscriptions": [{"subscription_id": "S-EV-9", "product_id": "NO-SUCH", "status": "active",
                                      "start_date": "{today}", "channel": "营业厅"}]}}))
    with pytest.raises(ScenarioError, match=r"fixture\.tables\.subscriptions\[0\]: FOREIGN KEY constraint failed"):
        apply_fixture(prepared, _db(eval_world, tmp_path))


def test_an_unknown_situation_or_missing_caller_is_an_error(eval_world: World, tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"fixture\.situation: 模拟后台没有展示情形 'no_such'"):
        _prepared(eval_world, case("s", ["喂"], intents=["other"], fixture={"situation": "no_such"}))
    ghost = _prepared(eval_world, case("g", ["喂"], intents=["other"], caller={"msisdn": "13999999999"},
                                       fixture={}))
    with pytest.raises(ScenarioError, match=r"caller.msisdn: 来电号码 139\*\*\*\*9999 在模拟后台中不存在"):
        apply_fixture(ghost, _db(eval_world, tmp_path))


def test_scripts_are_validated_and_a_conflicting_id_is_refused(eval_world: World) -> None:
    script = {"id": "ES-20261120-950", "title": "测试", "topic": "outage", "region": "全国",
              "wording": "您好，{today}测试口径的措辞内容。", "valid_from": "{now-1h}", "valid_to": "{now+1h}", "source": "测试源"}
    one = _prepared(eval_world, case("a", ["喂"], intents=["other"], scripts=[script]))
    assert scripts_of(one)[0].wording == "您好，2026-11-20测试口径的措辞内容。"
    later = _prepared(eval_world, case("b", ["喂"], intents=["other"], scripts=[script], now="2026-11-21T10:00:00"))
    with pytest.raises(ScenarioError, match=r"case 'b': scripts\[ES-20261120-950\]: 与 case 'a' 的同编号口径内容不同"):
        suite_scripts([one, later])
    bad = _prepared(eval_world, case("c", ["喂"], intents=["other"], scripts=[{**script, "id": "X-1"}]))
    with pytest.raises(ScenarioError, match=r"case 'c': scripts\[0\]\.id"):
        scripts_of(bad)
