"""Invariants of the generated simulator database (behaviour, read back through SQL)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tools.sim.generator import build, generate_database
from tools.sim.generator.boss import MSISDN_PREFIXES
from tools.sim.generator.catalog import OVERAGE_FEN_PER_MB, ROAMING_DAY_FEN, overage_fee_fen
from tools.sim.generator.situations import ALL_SITUATIONS

AS_OF = datetime(2026, 11, 20, 10, 0, 0)
SUBSCRIBERS = 300
M0, M1, M2 = "2026-11", "2026-10", "2026-09"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gen") / "sim.sqlite"
    counts = generate_database(path, subscribers=SUBSCRIBERS, seed=7, as_of=AS_OF)
    assert counts["subscribers"] == SUBSCRIBERS
    return path


@pytest.fixture(scope="module")
def db(db_path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def lines_with(db: sqlite3.Connection, situation: str) -> list[str]:
    rows = db.execute("SELECT msisdn FROM sim_profiles WHERE situation = ? ORDER BY msisdn", (situation,))
    return [r[0] for r in rows]


def scalar(db: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()) -> Any:
    return db.execute(sql, params).fetchone()[0]


# ---------------------------------------------------------------- structure


def test_meta_records_the_build(db: sqlite3.Connection) -> None:
    meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    assert meta == {"as_of": "2026-11-20T10:00:00", "seed": "7", "subscribers": "300", "schema_version": "1"}


def test_schema_matches_schema_file(db: sqlite3.Connection, tmp_path: Path) -> None:
    reference = sqlite3.connect(tmp_path / "ref.sqlite")
    reference.executescript(build.load_schema())
    query = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    assert [tuple(r) for r in db.execute(query)] == reference.execute(query).fetchall()
    reference.close()


def test_returned_counts_match_the_file(tmp_path: Path) -> None:
    path = tmp_path / "small.sqlite"
    counts = generate_database(path, subscribers=60, seed=3, as_of=AS_OF)
    conn = sqlite3.connect(path)
    for table, count in counts.items():
        assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == count
    assert counts["idempotency"] == 0 and counts["audit_log"] == 0
    conn.close()


def test_foreign_keys_hold(db: sqlite3.Connection) -> None:
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_msisdns_are_11_digits_unique_and_mobile(db: sqlite3.Connection) -> None:
    msisdns = [r[0] for r in db.execute("SELECT msisdn FROM subscribers")]
    assert len(msisdns) == len(set(msisdns)) == SUBSCRIBERS
    for msisdn in msisdns:
        assert re.fullmatch(r"1\d{10}", msisdn)
        assert msisdn[:3] in MSISDN_PREFIXES


def test_subscribers_look_real(db: sqlite3.Connection) -> None:
    for row in db.execute("SELECT * FROM subscribers"):
        assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", row["id_number_masked"])
        assert 2 <= len(row["name"]) <= 4
        assert 0 <= row["star_level"] <= 7
        assert re.fullmatch(r"[0-9a-f]{64}", row["service_password_hash"])
    share = scalar(db, "SELECT AVG(province = '江西省') FROM subscribers")
    assert 0.25 < float(share) < 0.55
    municipal = db.execute("SELECT DISTINCT province, city FROM subscribers WHERE province IN ('北京市', '上海市')")
    assert all(p == c for p, c in municipal)


def test_subscriptions_reference_products_within_their_sale_period(db: sqlite3.Connection) -> None:
    rows = db.execute(
        "SELECT s.start_date, s.end_date, s.status, p.effective_from, p.effective_to FROM subscriptions s"
        " LEFT JOIN products p USING (product_id)"
    ).fetchall()
    assert rows
    for r in rows:
        assert r["effective_from"] is not None
        assert r["start_date"] >= r["effective_from"]
        assert r["effective_to"] is None or r["start_date"] < r["effective_to"]
        assert r["end_date"] is None or r["end_date"] >= r["start_date"]
        assert (r["status"] == "cancelled") == (r["end_date"] is not None and r["end_date"] < AS_OF.date().isoformat())
    plans = db.execute(
        "SELECT COUNT(*) FROM subscribers s JOIN subscriptions x ON x.msisdn = s.msisdn AND x.product_id = s.plan_id"
    ).fetchone()[0]
    assert plans == SUBSCRIBERS


def test_retired_plans_are_still_held(db: sqlite3.Connection) -> None:
    held = scalar(db, "SELECT COUNT(*) FROM subscribers s JOIN products p ON p.product_id = s.plan_id"
                      " WHERE p.effective_to IS NOT NULL")
    assert int(held) > 0


# ---------------------------------------------------------------- fees


def test_bill_items_sum_to_totals(db: sqlite3.Connection) -> None:
    bad = db.execute(
        "SELECT b.bill_id FROM bills b LEFT JOIN bill_items i USING (bill_id)"
        " GROUP BY b.bill_id HAVING b.total_fen != COALESCE(SUM(i.amount_fen), -1)"
    ).fetchall()
    assert bad == []


def test_bill_statuses_follow_the_month(db: sqlite3.Connection) -> None:
    for r in db.execute("SELECT month, status, issued_date FROM bills"):
        if r["month"] == M0:
            assert (r["status"], r["issued_date"]) == ("open", None)
        else:
            assert r["status"] in ("paid", "unpaid") and r["issued_date"] is not None


def test_overage_is_usage_beyond_quota(db: sqlite3.Connection) -> None:
    rows = db.execute(
        "SELECT u.*, p.unlimited FROM data_usage u JOIN subscribers s USING (msisdn)"
        " JOIN products p ON p.product_id = s.plan_id"
    ).fetchall()
    assert any(r["overage_mb"] > 0 for r in rows)
    assert any(r["speed_capped"] for r in rows)
    for r in rows:
        if r["unlimited"]:
            assert r["overage_mb"] == 0 and r["overage_fee_fen"] == 0
            assert r["speed_capped"] == int(r["used_mb"] > r["quota_mb"])
        else:
            assert r["overage_mb"] == pytest.approx(round(max(0.0, r["used_mb"] - r["quota_mb"]), 2), abs=1e-9)
            assert r["speed_capped"] == 0


def test_overage_fee_follows_the_rule_and_matches_the_bill(db: sqlite3.Connection) -> None:
    applied = {(r["msisdn"], r["month"]): r for r in db.execute("SELECT * FROM elastic_applications")}
    rows = db.execute(
        "SELECT u.msisdn, u.month, u.overage_mb, u.overage_fee_fen,"
        " (SELECT SUM(i.amount_fen) FROM bills b JOIN bill_items i USING (bill_id)"
        "   WHERE b.msisdn = u.msisdn AND b.month = u.month AND i.category = '套餐外流量费') AS billed"
        " FROM data_usage u"
    ).fetchall()
    converted = 0
    for r in rows:
        assert (r["billed"] or 0) == r["overage_fee_fen"]
        app = applied.get((r["msisdn"], r["month"]))
        if app is None:
            assert r["overage_fee_fen"] == overage_fee_fen(r["overage_mb"])
        else:
            converted += 1
            assert app["fee_before_fen"] == overage_fee_fen(r["overage_mb"])
            assert r["overage_fee_fen"] == app["fee_after_fen"] < app["fee_before_fen"]
    assert converted > 0
    # the rule itself: 0.29元/MB, a started MB counts, capped at 60元 per GB
    assert overage_fee_fen(0) == 0
    assert overage_fee_fen(0.01) == OVERAGE_FEN_PER_MB
    assert overage_fee_fen(100.0) == 100 * OVERAGE_FEN_PER_MB
    assert overage_fee_fen(1024.0) == 6000
    assert overage_fee_fen(1030.5) == 6000 + 7 * OVERAGE_FEN_PER_MB


def test_roaming_fee_is_a_day_pass_per_roaming_day(db: sqlite3.Connection) -> None:
    rows = db.execute(
        "SELECT u.msisdn, u.month, u.roaming_mb, u.roaming_fee_fen,"
        " (SELECT COUNT(DISTINCT substr(d.start_ts, 1, 10)) FROM data_sessions d WHERE d.msisdn = u.msisdn"
        "   AND d.roaming = 1 AND substr(d.start_ts, 1, 7) = u.month) AS days,"
        " (SELECT SUM(i.amount_fen) FROM bills b JOIN bill_items i USING (bill_id)"
        "   WHERE b.msisdn = u.msisdn AND b.month = u.month AND i.category = '国际及港澳台漫游费') AS billed"
        " FROM data_usage u WHERE u.month IN (?, ?)",
        (M0, M1),
    ).fetchall()
    assert any(r["roaming_fee_fen"] > 0 for r in rows)
    for r in rows:
        assert r["roaming_fee_fen"] == ROAMING_DAY_FEN * r["days"]
        assert (r["billed"] or 0) == r["roaming_fee_fen"]


def test_usage_matches_sessions(db: sqlite3.Connection) -> None:
    rows = db.execute(
        "SELECT u.used_mb, u.roaming_mb,"
        " (SELECT COALESCE(SUM(mb), 0) FROM data_sessions d WHERE d.msisdn = u.msisdn AND d.roaming = 0"
        "   AND substr(d.start_ts, 1, 7) = u.month) AS domestic,"
        " (SELECT COALESCE(SUM(mb), 0) FROM data_sessions d WHERE d.msisdn = u.msisdn AND d.roaming = 1"
        "   AND substr(d.start_ts, 1, 7) = u.month) AS roaming"
        " FROM data_usage u WHERE u.month IN (?, ?)",
        (M0, M1),
    ).fetchall()
    assert len(rows) > SUBSCRIBERS
    for r in rows:
        assert r["used_mb"] == pytest.approx(r["domestic"], abs=0.01)
        assert r["roaming_mb"] == pytest.approx(r["roaming"], abs=0.01)


def test_sessions_are_well_formed(db: sqlite3.Connection) -> None:
    as_of = AS_OF.isoformat()
    for r in db.execute("SELECT * FROM data_sessions"):
        assert r["start_ts"] <= r["end_ts"] <= as_of
        assert r["start_ts"][:7] in (M0, M1)
        assert r["mb"] > 0 and round(r["mb"], 2) == r["mb"]
        assert (r["roaming_country"] is not None) == bool(r["roaming"])
    apps = {r[0] for r in db.execute("SELECT DISTINCT app_category FROM data_sessions")}
    assert apps <= {"视频", "短视频", "社交", "游戏", "下载", "浏览", "系统更新", "导航"}
    domestic_cells = scalar(db, "SELECT COUNT(*) FROM data_sessions d LEFT JOIN cells c USING (cell_id)"
                                " WHERE d.roaming = 0 AND c.cell_id IS NULL")
    assert domestic_cells == 0


def test_quota_is_plan_plus_active_data_packs(db: sqlite3.Connection) -> None:
    month_days = {M0: ("2026-11-01", "2026-11-30"), M1: ("2026-10-01", "2026-10-31"), M2: ("2026-09-01", "2026-09-30")}
    for r in db.execute("SELECT u.msisdn, u.month, u.quota_mb, s.plan_id FROM data_usage u JOIN subscribers s"
                        " USING (msisdn)").fetchall():
        first, last = month_days[r["month"]]
        expected = scalar(
            db,
            "SELECT p.data_quota_mb + COALESCE((SELECT SUM(q.data_quota_mb) FROM subscriptions x"
            " JOIN products q USING (product_id) WHERE x.msisdn = ? AND q.kind = 'data_pack'"
            " AND x.start_date <= ? AND (x.end_date IS NULL OR x.end_date >= ?)), 0)"
            " FROM products p WHERE p.product_id = ?",
            (r["msisdn"], last, first, r["plan_id"]),
        )
        assert r["quota_mb"] == expected


def test_arrears_means_negative_balance_and_no_recent_payment(db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT * FROM subscribers WHERE status = 'suspended_arrears'").fetchall()
    assert rows
    cutoff = (AS_OF - timedelta(days=45)).isoformat()
    for r in rows:
        assert r["balance_fen"] < 0 and r["balance_fen"] < -r["credit_limit_fen"]
        assert scalar(db, "SELECT COUNT(*) FROM payments WHERE msisdn = ? AND ts > ?", (r["msisdn"], cutoff)) == 0
        assert scalar(db, "SELECT status FROM bills WHERE msisdn = ? AND month = ?", (r["msisdn"], M1)) == "unpaid"


def test_payments_are_in_the_past_and_positive(db: sqlite3.Connection) -> None:
    for r in db.execute("SELECT ts, amount_fen, channel FROM payments"):
        assert r["ts"] <= AS_OF.isoformat() and r["amount_fen"] > 0
        assert r["channel"] in ("微信", "支付宝", "中国移动APP", "营业厅", "银行代扣")


def test_elastic_catalogue(db: sqlite3.Connection) -> None:
    tiers = db.execute("SELECT data_mb, fee_fen FROM elastic_tiers ORDER BY fee_fen").fetchall()
    assert [tuple(t) for t in tiers] == sorted(tuple(t) for t in tiers)  # more data costs more
    codes = {r[0] for r in db.execute("SELECT rule_code FROM elastic_rules")}
    assert codes == {"status_active", "real_name", "plan_not_excluded", "once_per_6_months", "domestic_only",
                     "current_or_last_month", "no_contract_conflict"}
    assert scalar(db, "SELECT param FROM elastic_rules WHERE rule_code = 'once_per_6_months'") == "6"


# ---------------------------------------------------------------- situations


def test_every_situation_is_staged(db: sqlite3.Connection) -> None:
    present = {r[0] for r in db.execute("SELECT DISTINCT situation FROM sim_profiles")}
    assert present == set(ALL_SITUATIONS)


def test_every_situation_is_staged_even_for_a_tiny_world(tmp_path: Path) -> None:
    path = tmp_path / "tiny.sqlite"
    generate_database(path, subscribers=40, seed=11, as_of=AS_OF)
    conn = sqlite3.connect(path)
    assert {r[0] for r in conn.execute("SELECT DISTINCT situation FROM sim_profiles")} == set(ALL_SITUATIONS)
    conn.close()


def _eligible(db: sqlite3.Connection, msisdn: str, month: str, now: tuple[str, str] = (M0, M1)) -> bool:
    """The elastic-pack rules, as the BOSS checks them (``now``: the current and the last month)."""
    sub = db.execute("SELECT s.*, p.elastic_excluded FROM subscribers s JOIN products p ON p.product_id = s.plan_id"
                     " WHERE msisdn = ?", (msisdn,)).fetchone()
    usage = db.execute("SELECT * FROM data_usage WHERE msisdn = ? AND month = ?", (msisdn, month)).fetchone()
    if usage is None or usage["overage_mb"] <= 0:
        return False
    year, mon = int(month[:4]), int(month[5:])
    index = year * 12 + mon - 1 - 6
    floor = f"{index // 12:04d}-{index % 12 + 1:02d}"
    recent = scalar(db, "SELECT COUNT(*) FROM elastic_applications WHERE msisdn = ? AND month > ? AND month <= ?",
                    (msisdn, floor, month))
    tier_fee = scalar(db, "SELECT fee_fen FROM elastic_tiers WHERE data_mb >= ? ORDER BY fee_fen LIMIT 1",
                      (usage["overage_mb"],))
    return (
        sub["status"] == "active" and sub["real_name_verified"] == 1 and not sub["elastic_excluded"]
        and recent == 0 and month in now and tier_fee is not None
        and int(tier_fee) < usage["overage_fee_fen"]
        and (sub["contract_until"] is None or sub["contract_until"] < f"{month}-01")
    )


def test_fee_situations(db: sqlite3.Connection) -> None:
    for msisdn in lines_with(db, "big_overage_elastic_eligible"):
        assert any(_eligible(db, msisdn, m) for m in (M0, M1))
    for msisdn in lines_with(db, "big_overage_elastic_used"):
        usage = db.execute("SELECT * FROM data_usage WHERE msisdn = ? AND month = ?", (msisdn, M0)).fetchone()
        assert usage["overage_mb"] > 500 and not _eligible(db, msisdn, M0)
        assert scalar(db, "SELECT COUNT(*) FROM elastic_applications WHERE msisdn = ? AND month > '2026-05'",
                      (msisdn,)) == 1
    for msisdn in lines_with(db, "overage_excluded_plan"):
        assert scalar(db, "SELECT p.elastic_excluded FROM subscribers s JOIN products p ON p.product_id = s.plan_id"
                          " WHERE msisdn = ?", (msisdn,)) == 1
        assert scalar(db, "SELECT MAX(overage_mb) FROM data_usage WHERE msisdn = ? AND month IN (?, ?)",
                      (msisdn, M0, M1)) > 0
    for msisdn in lines_with(db, "not_real_name"):
        assert scalar(db, "SELECT real_name_verified FROM subscribers WHERE msisdn = ?", (msisdn,)) == 0
        assert not _eligible(db, msisdn, M0)
    for msisdn in lines_with(db, "roaming_charges"):
        assert scalar(db, "SELECT SUM(roaming_fee_fen) FROM data_usage WHERE msisdn = ?", (msisdn,)) > 0
        assert scalar(db, "SELECT roaming_enabled FROM aaa_profiles WHERE msisdn = ?", (msisdn,)) == 1
    for msisdn in lines_with(db, "unknown_vas"):
        sp = db.execute("SELECT x.product_id FROM subscriptions x JOIN products p USING (product_id)"
                        " WHERE x.msisdn = ? AND x.channel = '第三方合作渠道' AND x.status = 'active'"
                        " AND p.kind = 'vas'", (msisdn,)).fetchone()
        assert sp is not None
        assert scalar(db, "SELECT COUNT(*) FROM bills b JOIN bill_items i USING (bill_id) WHERE b.msisdn = ?"
                          " AND i.product_id = ? AND i.category = '增值业务费'", (msisdn, sp[0])) >= 1
    for situation, status in (("arrears_suspended", "suspended_arrears"), ("request_suspended", "suspended_request"),
                              ("cancelled", "cancelled"), ("bb_arrears", "suspended_arrears")):
        for msisdn in lines_with(db, situation):
            assert scalar(db, "SELECT status FROM subscribers WHERE msisdn = ?", (msisdn,)) == status


@pytest.mark.parametrize("as_of", [datetime(2027, 1, 1, 0, 20), datetime(2026, 3, 2, 23, 0)])
def test_fee_situations_early_in_a_month(as_of: datetime, tmp_path: Path) -> None:
    path = tmp_path / "early.sqlite"
    generate_database(path, subscribers=60, seed=5, as_of=as_of)
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    current = f"{as_of:%Y-%m}"
    last = f"{as_of.year - (as_of.month == 1)}-{(as_of.month - 2) % 12 + 1:02d}"
    assert {r[0] for r in conn.execute("SELECT DISTINCT situation FROM sim_profiles")} == set(ALL_SITUATIONS)
    for msisdn in lines_with(conn, "big_overage_elastic_eligible"):
        assert any(_eligible(conn, msisdn, m, (current, last)) for m in (current, last))
    for msisdn in lines_with(conn, "roaming_charges"):
        fee = scalar(conn, "SELECT SUM(roaming_fee_fen) FROM data_usage WHERE msisdn = ? AND month IN (?, ?)",
                     (msisdn, current, last))
        assert fee > 0
    for msisdn in lines_with(conn, "speed_capped"):
        capped = scalar(conn, "SELECT speed_capped FROM data_usage WHERE msisdn = ? AND month = ?", (msisdn, current))
        assert capped == 1
    assert scalar(conn, "SELECT MAX(end_ts) FROM data_sessions") <= as_of.isoformat()
    conn.close()


def test_healthy_lines_are_clean(db: sqlite3.Connection) -> None:
    broadband = {r[0] for r in db.execute("SELECT msisdn FROM broadband_accounts")}
    bb_healthy = set(lines_with(db, "bb_healthy"))
    for msisdn in lines_with(db, "healthy"):
        assert (msisdn in broadband) == (msisdn in bb_healthy)
        sub = db.execute("SELECT * FROM subscribers WHERE msisdn = ?", (msisdn,)).fetchone()
        assert sub["status"] == "active" and sub["real_name_verified"] == 1
        assert scalar(db, "SELECT MAX(overage_mb + speed_capped) FROM data_usage WHERE msisdn = ? AND month IN (?, ?)",
                      (msisdn, M0, M1)) == 0
        profile = db.execute("SELECT * FROM aaa_profiles WHERE msisdn = ?", (msisdn,)).fetchone()
        assert profile["gprs_enabled"] == 1 and profile["account_locked"] == 0
        assert scalar(db, "SELECT COUNT(*) FROM auth_log WHERE subject = ? AND result != 'ok'", (msisdn,)) == 0
        assert scalar(db, "SELECT COUNT(*) FROM outage_cells oc JOIN outages o USING (outage_id)"
                          " WHERE oc.cell_id = ? AND o.recovered_ts IS NULL", (sub["home_cell_id"],)) == 0
        assert scalar(db, "SELECT COUNT(*) FROM weak_coverage WHERE cell_id = ?", (sub["home_cell_id"],)) == 0
        assert scalar(db, "SELECT COUNT(*) FROM tickets WHERE msisdn = ? AND status IN ('open', 'in_progress')",
                      (msisdn,)) == 0


def test_mobile_data_situations(db: sqlite3.Connection) -> None:
    def profile(msisdn: str) -> sqlite3.Row:
        row: sqlite3.Row = db.execute("SELECT * FROM aaa_profiles WHERE msisdn = ?", (msisdn,)).fetchone()
        return row

    def results(msisdn: str) -> set[str]:
        return {r[0] for r in db.execute("SELECT result FROM auth_log WHERE subject = ?", (msisdn,))}

    for msisdn in lines_with(db, "gprs_off"):
        assert profile(msisdn)["gprs_enabled"] == 0
    for msisdn in lines_with(db, "wrong_apn"):
        assert profile(msisdn)["apn_profile"] == "cmnet"
        last = db.execute("SELECT * FROM auth_log WHERE subject = ? ORDER BY ts DESC LIMIT 1", (msisdn,)).fetchone()
        assert last["apn"] == "cmwap" and last["result"] == "reject_no_service" and "APN" in last["detail"]
    for msisdn in lines_with(db, "account_locked"):
        assert profile(msisdn)["account_locked"] == 1 and profile(msisdn)["lock_reason"]
        assert "reject_locked" in results(msisdn)
    for msisdn in lines_with(db, "speed_capped"):
        usage = db.execute("SELECT * FROM data_usage WHERE msisdn = ? AND month = ?", (msisdn, M0)).fetchone()
        assert usage["speed_capped"] == 1 and usage["overage_fee_fen"] == 0
        assert profile(msisdn)["speed_cap_kbps"] is not None
    for msisdn in lines_with(db, "arrears_data_reject"):
        assert "reject_arrears" in results(msisdn)
    for msisdn in lines_with(db, "area_outage_mobile"):
        outage = db.execute(
            "SELECT o.* FROM subscribers s JOIN outage_cells oc ON oc.cell_id = s.home_cell_id"
            " JOIN outages o USING (outage_id) WHERE s.msisdn = ? AND o.recovered_ts IS NULL"
            " AND o.service IN ('mobile_data', 'all')", (msisdn,)).fetchone()
        assert outage is not None and outage["start_ts"] <= AS_OF.isoformat()
        assert scalar(db, "SELECT COUNT(*) FROM data_sessions WHERE msisdn = ? AND end_ts > ?",
                      (msisdn, outage["start_ts"])) == 0
    for msisdn in lines_with(db, "weak_coverage"):
        assert scalar(db, "SELECT COUNT(*) FROM subscribers s JOIN weak_coverage w ON w.cell_id = s.home_cell_id"
                          " WHERE s.msisdn = ?", (msisdn,)) >= 1


def test_outages_and_cells(db: sqlite3.Connection) -> None:
    assert scalar(db, "SELECT COUNT(*) FROM outage_cells oc LEFT JOIN cells c USING (cell_id)"
                      " WHERE c.cell_id IS NULL") == 0
    for r in db.execute("SELECT * FROM outages"):
        assert r["start_ts"] <= AS_OF.isoformat()
        if r["recovered_ts"] is None:
            assert r["est_recovery_ts"] > AS_OF.isoformat()
        if r["service"] == "broadband":
            assert r["olt_id"] is not None
    faulty = {r[0] for r in db.execute("SELECT cell_id FROM cells WHERE state = 'fault'")}
    active = {r[0] for r in db.execute("SELECT oc.cell_id FROM outage_cells oc JOIN outages o USING (outage_id)"
                                        " WHERE o.recovered_ts IS NULL")}
    assert faulty == active and active
    for r in db.execute("SELECT start_ts, end_ts FROM maintenance"):
        assert not r["start_ts"] <= AS_OF.isoformat() < r["end_ts"]


# ---------------------------------------------------------------- broadband


def test_alarms_match_onu_state(db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT a.alarm_type, o.* FROM pon_alarms a JOIN onus o USING (onu_id)"
                      " WHERE a.cleared_ts IS NULL").fetchall()
    kinds = {r["alarm_type"] for r in rows}
    assert {"LOS", "LOW_RX_POWER", "DYING_GASP"} <= kinds
    for r in rows:
        if r["alarm_type"] in ("LOS", "DYING_GASP"):
            assert r["online"] == 0 and r["rx_power_dbm"] is None
        if r["alarm_type"] == "LOW_RX_POWER":
            assert r["online"] == 1 and r["rx_power_dbm"] < -27
    for r in db.execute("SELECT * FROM onus"):
        assert (r["rx_power_dbm"] is None) == (r["online"] == 0)
        if r["rx_power_dbm"] is not None and r["rx_power_dbm"] < -27:
            assert scalar(db, "SELECT COUNT(*) FROM pon_alarms WHERE onu_id = ? AND alarm_type = 'LOW_RX_POWER'"
                              " AND cleared_ts IS NULL", (r["onu_id"],)) == 1


def test_broadband_situations(db: sqlite3.Connection) -> None:
    def account(msisdn: str) -> sqlite3.Row:
        row: sqlite3.Row = db.execute(
            "SELECT b.*, o.online, o.hung, o.rx_power_dbm, p.state AS port_state FROM broadband_accounts b"
            " JOIN onus o USING (onu_id) JOIN pon_ports p ON p.olt_id = b.olt_id AND p.port = b.pon_port"
            " WHERE b.msisdn = ?", (msisdn,)).fetchone()
        return row

    def radius(acct: sqlite3.Row) -> set[str]:
        return {r[0] for r in db.execute("SELECT result FROM auth_log WHERE subject = ? AND service = 'broadband'",
                                         (acct["account_id"],))}

    def online(acct: sqlite3.Row) -> int:
        return int(scalar(db, "SELECT COUNT(*) FROM online_sessions WHERE subject = ?",
                          (acct["account_id"],)))

    for msisdn in lines_with(db, "bb_healthy"):
        acct = account(msisdn)
        assert acct["status"] == "active" and acct["online"] == 1 and acct["hung"] == 0
        assert acct["port_state"] == "up" and -27 <= acct["rx_power_dbm"] <= -8
        assert radius(acct) == {"ok"} and online(acct) == 1
    for msisdn in lines_with(db, "bb_arrears"):
        acct = account(msisdn)
        assert acct["status"] == "suspended_arrears" and "reject_arrears" in radius(acct)
    for msisdn in lines_with(db, "bb_onu_hung"):
        acct = account(msisdn)
        assert acct["online"] == 1 and acct["hung"] == 1 and radius(acct) == {"ok"} and online(acct) == 0
    for msisdn in lines_with(db, "bb_bad_password"):
        assert "reject_bad_password" in radius(account(msisdn))
    for msisdn in lines_with(db, "bb_radius_locked"):
        acct = account(msisdn)
        assert acct["radius_locked"] == 1 and "reject_locked" in radius(acct)
    for msisdn in lines_with(db, "bb_area_outage"):
        acct = account(msisdn)
        assert acct["port_state"] == "down" and acct["online"] == 0
        port_alarms = scalar(db, "SELECT COUNT(*) FROM pon_alarms WHERE olt_id = ? AND pon_port = ?"
                                 " AND onu_id IS NULL AND alarm_type = 'PORT_DOWN' AND cleared_ts IS NULL",
                             (acct["olt_id"], acct["pon_port"]))
        assert port_alarms == 1
        assert scalar(db, "SELECT COUNT(*) FROM outages WHERE olt_id = ? AND service = 'broadband'"
                          " AND recovered_ts IS NULL", (acct["olt_id"],)) == 1
    down_olts = {r[0] for r in db.execute("SELECT DISTINCT olt_id FROM pon_ports WHERE state = 'down'")}
    staged = {account(m)["olt_id"] for m in lines_with(db, "bb_area_outage")}
    assert down_olts == staged
    for situation, alarm in (("bb_los_fibre_cut", "LOS"), ("bb_dying_gasp", "DYING_GASP"),
                             ("bb_low_rx_power", "LOW_RX_POWER"), ("bb_open_repair_ticket", "LOS")):
        for msisdn in lines_with(db, situation):
            assert scalar(db, "SELECT COUNT(*) FROM pon_alarms WHERE onu_id = ? AND alarm_type = ?"
                              " AND cleared_ts IS NULL", (account(msisdn)["onu_id"], alarm)) == 1


# ---------------------------------------------------------------- tickets


def test_tickets(db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT * FROM tickets").fetchall()
    assert {r["kind"] for r in rows} == {"repair", "complaint", "fee_dispute"}
    assert {"open", "resolved", "closed"} <= {r["status"] for r in rows}
    for r in rows:
        created = datetime.fromisoformat(r["created_ts"])
        assert datetime.fromisoformat(r["sla_due_ts"]) == created + timedelta(hours=48)
        assert created <= AS_OF
        assert (r["resolved_ts"] is None) == (r["status"] in ("open", "in_progress"))
        assert re.fullmatch(r"T\d{12}", r["ticket_id"]) and r["ticket_id"][1:9] == f"{created:%Y%m%d}"
    for msisdn in lines_with(db, "open_fee_dispute"):
        assert scalar(db, "SELECT COUNT(*) FROM tickets WHERE msisdn = ? AND kind = 'fee_dispute'"
                          " AND status = 'open'", (msisdn,)) == 1
    for msisdn in lines_with(db, "bb_open_repair_ticket"):
        ticket = db.execute("SELECT * FROM tickets WHERE msisdn = ? AND kind = 'repair'"
                            " AND status IN ('open', 'in_progress')", (msisdn,)).fetchone()
        assert ticket is not None and ticket["account_id"] is not None
        assert ticket["sla_due_ts"] > AS_OF.isoformat()


# ---------------------------------------------------------------- determinism and atomicity


def test_same_inputs_give_identical_bytes(db_path: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.sqlite"
    generate_database(again, subscribers=SUBSCRIBERS, seed=7, as_of=AS_OF)
    assert again.read_bytes() == db_path.read_bytes()


def test_output_does_not_depend_on_hash_seed(tmp_path: Path) -> None:
    script = (
        "import sys; from datetime import datetime; from pathlib import Path;"
        "from tools.sim.generator import generate_database;"
        "generate_database(Path(sys.argv[1]), subscribers=80, seed=2, as_of=datetime(2026, 11, 20, 10))"
    )
    root = Path(__file__).resolve().parents[3]
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"h{hash_seed}.sqlite"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", script, str(out)], cwd=root, env=env, check=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_other_seed_or_time_differs(db_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    generate_database(other, subscribers=SUBSCRIBERS, seed=8, as_of=AS_OF)
    assert other.read_bytes() != db_path.read_bytes()
    conn = sqlite3.connect(other)
    a = {r[0] for r in conn.execute("SELECT msisdn FROM subscribers")}
    conn.close()
    conn = sqlite3.connect(db_path)
    b = {r[0] for r in conn.execute("SELECT msisdn FROM subscribers")}
    conn.close()
    assert a != b


def test_failed_build_leaves_existing_file_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "sim.sqlite"
    out.write_bytes(b"previous world")
    original = build._insert

    def failing(conn: sqlite3.Connection, table: str, rows: list[tuple[object, ...]]) -> None:
        if table == "data_sessions":
            raise RuntimeError("disk full")
        original(conn, table, rows)

    monkeypatch.setattr(build, "_insert", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        generate_database(out, subscribers=50, seed=1, as_of=AS_OF)
    assert out.read_bytes() == b"previous world"
    assert [p.name for p in tmp_path.iterdir()] == ["sim.sqlite"]


def test_failed_build_creates_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "new" / "sim.sqlite"

    def failing(*args: object) -> None:
        raise OSError("cannot rename")

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError, match="cannot rename"):
        generate_database(out, subscribers=50, seed=1, as_of=AS_OF)
    assert list(out.parent.iterdir()) == []


def test_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="subscribers"):
        generate_database(tmp_path / "x.sqlite", subscribers=0, seed=1, as_of=AS_OF)
    with pytest.raises(ValueError, match="as_of"):
        generate_database(tmp_path / "x.sqlite", subscribers=10, seed=1, as_of=datetime(2020, 1, 1))
    assert list(tmp_path.iterdir()) == []
