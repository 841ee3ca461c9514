"""Fault injection in the simulated systems."""

from __future__ import annotations

import pytest

from tests.conftest import profile
from tools.backends import build_backends
from tools.base.errors import SystemTimeout, SystemUnavailable
from tools.base.faults import FaultConfig, FaultInjector
from tools.base.values import System
from tools.sim.db import SimDatabase


def test_latency_is_added_before_each_call() -> None:
    slept: list[float] = []
    injector = FaultInjector("BOSS", FaultConfig(latency_ms=250), sleep=slept.append)
    injector.apply("get_subscriber")
    injector.apply("get_bill")
    assert slept == [0.25, 0.25]


def test_error_rate_is_seeded_and_roughly_right() -> None:
    def failures(seed: int) -> list[int]:
        injector = FaultInjector("AAA", FaultConfig(error_rate=0.3), seed=seed)
        out = []
        for i in range(1000):
            try:
                injector.apply("op")
            except SystemUnavailable:
                out.append(i)
        return out

    assert failures(1) == failures(1)
    assert 230 < len(failures(1)) < 370


def test_timeouts_name_the_system(sim_db: SimDatabase) -> None:
    backends = build_backends(sim_db=sim_db, faults={System.PON: FaultConfig(timeout_rate=1.0)})
    msisdn = profile(sim_db, "bb_healthy")
    with pytest.raises(SystemTimeout) as exc:
        backends.pon.find_accounts(msisdn)
    assert exc.value.system == "PON"
    assert backends.boss.get_subscriber(msisdn).msisdn == msisdn


def test_rates_must_be_probabilities() -> None:
    with pytest.raises(ValueError):
        FaultConfig(error_rate=1.5)
