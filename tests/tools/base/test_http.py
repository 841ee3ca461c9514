"""The HTTP transport: retries, timeouts, garbage answers and the circuit breaker."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import ServerThread, profile
from tools.backends import HttpEndpoint, build_backends
from tools.base.errors import BadResponse, SystemTimeout, SystemUnavailable
from tools.base.faults import FaultConfig
from tools.base.http import CircuitBreaker, HttpTransport
from tools.base.values import System
from tools.boss.data_model import Subscriber
from tools.boss.http_client import HttpBossClient
from tools.sim.db import SimDatabase
from tools.sim.server import create_sim_app


def _transport(handler: httpx.MockTransport, **kwargs: object) -> HttpTransport:
    client = httpx.Client(base_url="http://boss.test", transport=handler)
    return HttpTransport("BOSS", "http://boss.test", client=client, sleep=lambda s: None, **kwargs)  # type: ignore[arg-type]


def test_retries_then_succeeds() -> None:
    calls = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) < 3:
            return httpx.Response(503, json={"error": {"code": "unavailable", "system": "BOSS", "message": "忙"}})
        return httpx.Response(200, json={"ok": True})

    assert _transport(httpx.MockTransport(handle), retries=2).request("GET", "/x") == {"ok": True}
    assert len(calls) == 3


def test_garbage_bodies_are_bad_responses() -> None:
    t = _transport(httpx.MockTransport(lambda r: httpx.Response(200, text="<html>维护中</html>")))
    with pytest.raises(BadResponse, match="不是 JSON"):
        t.request("GET", "/x")
    wrong = _transport(httpx.MockTransport(lambda r: httpx.Response(200, json={"msisdn": 1})))
    with pytest.raises(BadResponse, match="不符合接口约定") as exc:
        HttpBossClient(wrong).get_subscriber("13807910000")
    assert exc.value.system == "BOSS"


def test_unparseable_error_bodies_keep_their_meaning() -> None:
    t = _transport(httpx.MockTransport(lambda r: httpx.Response(502, text="Bad Gateway")), retries=0)
    with pytest.raises(SystemUnavailable, match="502"):
        t.request("GET", "/x")


def test_breaker_opens_and_stops_calling_then_half_opens() -> None:
    now = [0.0]
    calls = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500, text="boom")

    breaker = CircuitBreaker(failure_threshold=2, reset_after_s=10, clock=lambda: now[0])
    t = _transport(httpx.MockTransport(handle), retries=0, breaker=breaker)
    for _ in range(2):
        with pytest.raises(SystemUnavailable):
            t.request("GET", "/x")
    assert breaker.state == "open"
    with pytest.raises(SystemUnavailable, match="熔断"):
        t.request("GET", "/x")
    assert len(calls) == 2
    now[0] = 11
    assert breaker.state == "half_open"
    with pytest.raises(SystemUnavailable):
        t.request("GET", "/x")
    assert len(calls) == 3 and breaker.state == "open"


def test_real_server_faults_reach_the_client_as_typed_errors(sim_db: SimDatabase) -> None:
    faults = {System.BOSS: FaultConfig(error_rate=1.0), System.AAA: FaultConfig(timeout_rate=1.0, hang_s=1.0)}
    msisdn = profile(sim_db, "healthy")
    with ServerThread(create_sim_app(build_backends(sim_db=sim_db, faults=faults))) as server:
        endpoint = HttpEndpoint(base_url=server.url, timeout_s=0.3, retries=1, backoff_s=0.0)
        clients = build_backends(sim_db=None, http={s: endpoint for s in System})
        with pytest.raises(SystemUnavailable) as down:
            clients.boss.get_subscriber(msisdn)
        assert down.value.system == "BOSS"
        with pytest.raises(SystemTimeout) as slow:
            clients.aaa.get_profile(msisdn)
        assert slow.value.system == "AAA"
        assert clients.pon.find_accounts(msisdn) is not None  # the other systems still answer


def test_auth_token_is_required_when_set(sim_db: SimDatabase) -> None:
    msisdn = profile(sim_db, "healthy")
    with ServerThread(create_sim_app(build_backends(sim_db=sim_db), token="t0k")) as server:
        anonymous = httpx.get(f"{server.url}/boss/subscribers/{msisdn}")
        assert anonymous.status_code == 401
        assert json.loads(anonymous.text)["error"]["code"] == "unauthorized"
        ok = HttpEndpoint(base_url=server.url, auth_value="Bearer t0k").transport(System.BOSS)
        assert HttpBossClient(ok).get_subscriber(msisdn).msisdn == msisdn
        assert isinstance(HttpBossClient(ok).get_subscriber(msisdn), Subscriber)


def test_malformed_request_gets_a_contract_error(sim_db: SimDatabase) -> None:
    with ServerThread(create_sim_app(build_backends(sim_db=sim_db))) as server:
        r = httpx.post(f"{server.url}/pon/accounts/079100000001/onu/reboot", json={"actor": "A1"})
        assert r.status_code == 422
        body = r.json()["error"]
        assert body["code"] == "invalid_input" and body["system"] == "PON"
        assert "Idempotency-Key" in body["message"]
