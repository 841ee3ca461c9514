"""Number-portability eligibility and the product catalogue, through the simulator and the HTTP contract."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import AS_OF, ServerThread, profile
from tools.backends import Backends, HttpEndpoint, build_backends
from tools.base.errors import InvalidInput, RecordNotFound
from tools.base.toolkit import ToolType
from tools.base.values import System
from tools.sim.db import SimDatabase
from tools.sim.server import create_sim_app


@pytest.fixture(params=["sim", "http"])
def backends(request: pytest.FixtureRequest, sim_db: SimDatabase) -> Iterator[Backends]:
    """The simulator's clients directly, or the HTTP clients against a real server over the same data."""
    if request.param == "sim":
        yield build_backends(sim_db=sim_db)
        return
    with ServerThread(create_sim_app(build_backends(sim_db=sim_db), token="s3cret")) as server:
        endpoint = HttpEndpoint(base_url=server.url, auth_value="Bearer s3cret", timeout_s=5)
        yield build_backends(sim_db=None, http={s: endpoint for s in System})


def _line(db: SimDatabase, where: str) -> str:
    row = db.one(f"SELECT s.msisdn FROM subscribers s WHERE {where} ORDER BY s.msisdn LIMIT 1")
    assert row is not None, where
    return str(row["msisdn"])


def _failed(backends: Backends, msisdn: str) -> dict[str, str]:
    check = backends.boss.check_port_eligibility(msisdn)
    return {c.rule_code: c.detail for c in check.checks if not c.passed}


def test_a_clean_line_can_port(backends: Backends, sim_db: SimDatabase) -> None:
    msisdn = _line(sim_db, "status = 'active' AND real_name_verified = 1 AND balance_fen >= 0"
                           " AND contract_until IS NULL AND plan_id NOT IN ('P-DATA-30', 'P-IOT-10')"
                           " AND NOT EXISTS (SELECT 1 FROM subscriptions x WHERE x.msisdn = s.msisdn"
                           " AND x.product_id LIKE 'BB-RH-%' AND x.status = 'active')"
                           " AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.msisdn = s.msisdn AND b.status = 'unpaid')")
    check = backends.boss.check_port_eligibility(msisdn)
    assert check.eligible and all(c.passed for c in check.checks) and check.arrears_yuan == 0
    assert {c.rule_code for c in check.checks} == {"status_active", "real_name", "no_arrears", "tenure",
                                                     "no_contract", "phone_line", "no_converged"}
    balance = backends.boss.get_subscriber(msisdn).balance_yuan
    assert any(f"{balance:.2f}元" in n for n in check.notes), "the balance to refund is noted"


def test_arrears_block_porting_with_the_amount(backends: Backends, sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "arrears_suspended")
    balance = backends.boss.get_subscriber(msisdn).balance_yuan
    check = backends.boss.check_port_eligibility(msisdn)
    failed = _failed(backends, msisdn)
    assert not check.eligible and check.arrears_yuan == pytest.approx(-balance)
    assert {"status_active", "no_arrears"} <= set(failed) and f"{balance:.2f}" in failed["no_arrears"]


@pytest.mark.parametrize(("where", "code", "detail"), [
    ("real_name_verified = 0", "real_name", "未实名"),
    ("status = 'active' AND contract_until >= '2026-11-20'", "no_contract", "合约期至"),
    ("plan_id = 'P-DATA-30'", "phone_line", "数据卡"),
    ("EXISTS (SELECT 1 FROM subscriptions x WHERE x.msisdn = s.msisdn AND x.product_id LIKE 'BB-RH-%'"
     " AND x.status = 'active')", "no_converged", "融合宽带"),
])
def test_each_blocking_condition_names_its_values(backends: Backends, sim_db: SimDatabase, where: str, code: str,
                                                   detail: str) -> None:
    failed = _failed(backends, _line(sim_db, where))
    assert code in failed and detail in failed[code]


def test_porting_of_unknown_or_malformed_numbers(backends: Backends) -> None:
    with pytest.raises(RecordNotFound):
        backends.boss.check_port_eligibility("13000000000")
    with pytest.raises(InvalidInput):
        backends.boss.check_port_eligibility("12345")


def test_read_tools_for_the_catalogue_and_porting_cite_boss(sim_db: SimDatabase) -> None:
    tools = {t.name: t for t in build_backends(sim_db=sim_db).tools(lambda: AS_OF, ToolType.READ)}
    retired = tools["boss_get_product"].invoke({"product_id": "P-QQT-88-2017"})
    assert retired.ok and "在售状态 = 已下架（2020-12-31起停售） (BOSS)" in retired.summary()
    assert all(f.ref.startswith("boss.product.P-QQT-88-2017") for f in retired.facts)
    missing = tools["boss_get_product"].invoke({"product_id": "NOPE"})
    assert not missing.ok and missing.error is not None and missing.error["code"] == "not_found"

    plans = tools["boss_list_products"].invoke({"kind": "plan"})
    fees = [p["monthly_fee_yuan"] for p in plans.data]
    assert plans.ok and fees == sorted(fees) and all(p["effective_to"] is None for p in plans.data)
    assert "P-QQT-88-2017" not in {p["product_id"] for p in plans.data}
    assert all(f.label == "在售套餐" for f in plans.facts)

    porting = tools["boss_check_port_eligibility"].invoke({"msisdn": profile(sim_db, "arrears_suspended")})
    text = porting.summary()
    assert porting.ok and "可携号转网 = 否 (BOSS)" in text and "不符合条件 = 无欠费" in text
