"""The same cases against the simulator clients and the HTTP clients talking to `hotline sim serve`'s app."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta

import pytest

from tests.conftest import ServerThread, pause_broadband, profile
from tools.backends import Backends, HttpEndpoint, build_backends
from tools.base.errors import IdempotencyConflict, InvalidInput, OperationRejected, RecordNotFound
from tools.base.values import System
from tools.sim.db import SimDatabase
from tools.sim.server import create_sim_app
from tools.ticketing.data_model import TicketRequest

MONTH = "2026-11"


@pytest.fixture(params=["sim", "http"])
def backends(request: pytest.FixtureRequest, sim_db: SimDatabase) -> Iterator[Backends]:
    """The simulator's clients directly, or the HTTP clients against a real server over the same data."""
    if request.param == "sim":
        yield build_backends(sim_db=sim_db)
        return
    with ServerThread(create_sim_app(build_backends(sim_db=sim_db), token="s3cret")) as server:
        endpoint = HttpEndpoint(base_url=server.url, auth_value="Bearer s3cret", timeout_s=5)
        yield build_backends(sim_db=None, http={s: endpoint for s in System})


def test_subscriber_lookup_and_bad_numbers(backends: Backends, sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "arrears_suspended")
    sub = backends.boss.get_subscriber(msisdn)
    assert sub.msisdn == msisdn
    assert sub.status == "suspended_arrears" and sub.status_label == "欠费停机"
    assert sub.balance_yuan < 0
    with pytest.raises(RecordNotFound) as missing:
        backends.boss.get_subscriber("13000000000")
    assert missing.value.system == "BOSS"
    with pytest.raises(InvalidInput) as bad:
        backends.boss.get_subscriber("1380013")
    assert "11位" in bad.value.message


def test_bill_items_sum_to_total(backends: Backends, sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "big_overage_elastic_eligible")
    prev = "2026-10"
    for month in (prev, MONTH):
        bill = backends.boss.get_bill(msisdn, month)
        assert round(sum(i.amount_yuan for i in bill.items), 2) == bill.total_yuan
    with pytest.raises(InvalidInput):
        backends.boss.get_bill(msisdn, "2026-13")
    with pytest.raises(RecordNotFound):
        backends.boss.get_bill(msisdn, "2019-01")


def test_usage_and_sessions_agree(backends: Backends, sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "roaming_charges")
    usage = backends.boss.get_data_usage(msisdn, MONTH)
    sessions = backends.boss.list_data_sessions(msisdn, f"{MONTH}-01T00:00:00", None, 5000)
    domestic = round(sum(s.mb for s in sessions if not s.roaming), 2)
    roaming = round(sum(s.mb for s in sessions if s.roaming), 2)
    assert abs(domestic - usage.used_mb) < 0.05
    assert abs(roaming - usage.roaming_mb) < 0.05
    assert usage.roaming_mb > 0 and usage.roaming_fee_yuan > 0


def test_elastic_pack_once_per_key(backends: Backends, sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "big_overage_elastic_eligible")
    months = [m for m in (MONTH, "2026-10") if backends.boss.check_elastic_eligibility(msisdn, m).eligible]
    assert months, "the eligible line must be eligible for the current or last month"
    month = months[0]
    check = backends.boss.check_elastic_eligibility(msisdn, month)
    assert check.tier is not None and check.saving_yuan > 0
    assert check.tier.fee_yuan < check.overage_fee_yuan
    balance_before = backends.boss.get_subscriber(msisdn).balance_yuan

    first = backends.boss.apply_elastic_package(msisdn, month, actor="A1001", idempotency_key=f"k-{msisdn}")
    again = backends.boss.apply_elastic_package(msisdn, month, actor="A1001", idempotency_key=f"k-{msisdn}")
    assert first.status == "ok" and not first.replayed
    assert again.replayed and again.details == first.details
    balance_after = backends.boss.get_subscriber(msisdn).balance_yuan
    assert round(balance_after - balance_before, 2) == round(check.saving_yuan, 2)
    assert backends.boss.get_data_usage(msisdn, month).overage_fee_yuan == check.tier.fee_yuan
    bill = backends.boss.get_bill(msisdn, month)
    assert round(sum(i.amount_yuan for i in bill.items), 2) == bill.total_yuan
    assert backends.boss.check_elastic_eligibility(msisdn, month).already_applied

    with pytest.raises(OperationRejected):
        backends.boss.apply_elastic_package(msisdn, month, actor="A1001", idempotency_key="another-key")
    with pytest.raises(IdempotencyConflict):
        backends.boss.resume_service(msisdn, actor="A1001", idempotency_key=f"k-{msisdn}")
    audit = sim_db.query("SELECT result FROM audit_log WHERE target = ? AND operation = ?",
                         (msisdn, "boss.apply_elastic_package"))
    assert [r["result"] for r in audit] == ["ok", "rejected"]


def test_elastic_pack_refused_when_used_recently(backends: Backends, sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "big_overage_elastic_used")
    checks = [backends.boss.check_elastic_eligibility(msisdn, m) for m in (MONTH, "2026-10")]
    assert not any(c.eligible for c in checks)
    failed = {c.rule_code for check in checks for c in check.checks if not c.passed}
    assert "once_per_6_months" in failed or any(c.already_applied for c in checks)


def test_open_data_function(backends: Backends, sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "gprs_off")
    assert not backends.aaa.get_profile(msisdn).gprs_enabled
    result = backends.aaa.open_data_function(msisdn, actor="A1", idempotency_key="gprs-1")
    assert result.status == "ok"
    assert backends.aaa.get_profile(msisdn).gprs_enabled
    with pytest.raises(OperationRejected):
        backends.aaa.open_data_function(msisdn, actor="A1", idempotency_key="gprs-2")


def test_auth_log_shows_rejections(backends: Backends, sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "account_locked")
    assert backends.aaa.get_profile(msisdn).account_locked
    log = backends.aaa.list_auth_log(msisdn, "mobile_data")
    assert any(r.result == "reject_locked" for r in log)
    with pytest.raises(InvalidInput):
        backends.aaa.list_auth_log(msisdn, "fax")


def _account(backends: Backends, db: SimDatabase, situation: str) -> str:
    accounts = backends.pon.find_accounts(profile(db, situation))
    assert accounts
    return accounts[0].account_id


def test_line_status_los_and_reboot(backends: Backends, sim_db: SimDatabase) -> None:
    los = _account(backends, sim_db, "bb_los_fibre_cut")
    status = backends.pon.get_line_status(los)
    assert not status.onu.online and status.onu.rx_power_dbm is None
    assert any(a.alarm_type == "LOS" and a.cleared_ts is None for a in status.active_alarms)
    with pytest.raises(OperationRejected):
        backends.pon.reboot_onu(los, actor="A1", idempotency_key="reboot-los")

    hung = _account(backends, sim_db, "bb_onu_hung")
    assert backends.pon.get_line_status(hung).onu.hung
    result = backends.pon.reboot_onu(hung, actor="A1", idempotency_key="reboot-hung")
    assert result.status == "ok" and result.details["was_hung"] is True
    assert not backends.pon.get_line_status(hung).onu.hung
    with pytest.raises(RecordNotFound):
        backends.pon.get_line_status("079100000000")
    with pytest.raises(InvalidInput):
        backends.pon.get_line_status("bad id!")


def test_a_broadband_paused_on_request_is_resumed_once_and_the_phone_left_alone(backends: Backends,
                                                                             sim_db: SimDatabase) -> None:
    msisdn, account = pause_broadband(sim_db)
    assert backends.pon.get_account(account).status == "suspended_request"
    done = backends.pon.resume_account(account, actor="A1", idempotency_key="resume-bb")
    assert done.status == "ok" and done.details["previous_status"] == "suspended_request"
    assert backends.pon.get_account(account).status == "active"
    assert backends.boss.get_subscriber(msisdn).status == "active"
    again = backends.pon.resume_account(account, actor="A1", idempotency_key="resume-bb")
    assert again.replayed and again.ts == done.ts, "the same key acts once"
    with pytest.raises(OperationRejected, match="无需复通"):
        backends.pon.resume_account(account, actor="A1", idempotency_key="resume-bb-2")
    arrears = _account(backends, sim_db, "bb_arrears")
    with pytest.raises(OperationRejected, match="缴清欠费"):
        backends.pon.resume_account(arrears, actor="A1", idempotency_key="resume-arrears")
    with pytest.raises(RecordNotFound):
        backends.pon.resume_account("079100000000", actor="A1", idempotency_key="resume-none")


def _service_password(db: SimDatabase, msisdn: str) -> tuple[str, str | None]:
    with closing(sqlite3.connect(db.path)) as conn:
        return conn.execute("SELECT service_password_hash, password_reset_at FROM subscribers WHERE msisdn = ?",
                            (msisdn,)).fetchone()


def test_a_broadband_password_reset_lifts_the_radius_lock_and_leaves_the_service_password(
        backends: Backends, sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "bb_radius_locked")
    account = backends.pon.find_accounts(msisdn)[0].account_id
    assert backends.pon.get_account(account).radius_locked
    before = _service_password(sim_db, msisdn)
    done = backends.aaa.reset_broadband_password(account, actor="A1", idempotency_key="bb-pw")
    assert done.status == "ok" and done.details == {"sms_sent": True, "unlocked": True}
    assert f"尾号{msisdn[-4:]}" in done.message and "解除锁定" in done.message
    assert not backends.pon.get_account(account).radius_locked
    assert _service_password(sim_db, msisdn) == before, "the service password is BOSS's, not touched"
    again = backends.aaa.reset_broadband_password(account, actor="A1", idempotency_key="bb-pw")
    assert again.replayed and again.ts == done.ts, "the same key acts once"
    with closing(sqlite3.connect(sim_db.path)) as conn, conn:
        conn.execute("UPDATE broadband_accounts SET status = 'cancelled' WHERE account_id = ?", (account,))
    with pytest.raises(OperationRejected, match="拆机"):
        backends.aaa.reset_broadband_password(account, actor="A1", idempotency_key="bb-pw-cancelled")
    with pytest.raises(RecordNotFound):
        backends.aaa.reset_broadband_password("079100000000", actor="A1", idempotency_key="bb-pw-none")
    with pytest.raises(InvalidInput):
        backends.aaa.reset_broadband_password("bad id!", actor="A1", idempotency_key="bb-pw-bad")


def test_area_outage_found_for_the_callers_cell(backends: Backends, sim_db: SimDatabase) -> None:
    sub = backends.boss.get_subscriber(profile(sim_db, "area_outage_mobile"))
    area = backends.coverage.check_area(sub.province, sub.city, sub.district, sub.home_cell_id)
    assert area.outages, "a line in an outage area must see the outage"
    outage = area.outages[0]
    assert outage.recovered_ts is None
    assert backends.coverage.get_outage(outage.outage_id).outage_id == outage.outage_id
    assert outage.outage_id in {o.outage_id for o in backends.coverage.list_active_outages(sub.province)}


def test_ticket_created_once_with_48h_sla(backends: Backends, sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "bb_los_fibre_cut")
    account = backends.pon.find_accounts(msisdn)[0].account_id
    request = TicketRequest(kind="repair", msisdn=msisdn, account_id=account, title="宽带断网报修",
                            description="光猫LOS红灯，收光无光", diagnosis={"onu": "offline", "alarm": "LOS"})
    first = backends.ticketing.create_ticket(request, actor="A1", idempotency_key="t-1")
    again = backends.ticketing.create_ticket(request, actor="A1", idempotency_key="t-1")
    assert again.replayed and again.details["ticket_id"] == first.details["ticket_id"]
    ticket = backends.ticketing.get_ticket(first.details["ticket_id"])
    assert datetime.fromisoformat(ticket.sla_due_ts) - datetime.fromisoformat(ticket.created_ts) == timedelta(hours=48)
    assert ticket.diagnosis == {"onu": "offline", "alarm": "LOS"}
    with pytest.raises(OperationRejected) as dup:
        backends.ticketing.create_ticket(request, actor="A1", idempotency_key="t-2")
    assert first.details["ticket_id"] in dup.value.message
    assert [t.ticket_id for t in backends.ticketing.list_tickets(msisdn, open_only=True)
            if t.kind == "repair"] == [first.details["ticket_id"]]
