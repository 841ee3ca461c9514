"""The AAA/Radius half of the HTTP contract."""

from __future__ import annotations

from fastapi import APIRouter

from tools.aaa.client import AaaClient
from tools.aaa.data_model import AaaProfile, AuthRecord, OnlineSession
from tools.base.contract import ActorBody, IdempotencyKey
from tools.base.values import WriteResult


def build_router(client: AaaClient) -> APIRouter:
    """Routes under /aaa that delegate to `client`."""
    r = APIRouter(prefix="/aaa", tags=["AAA"])

    @r.get("/profiles/{msisdn}", response_model=AaaProfile)
    def get_profile(msisdn: str) -> AaaProfile:
        return client.get_profile(msisdn)

    @r.get("/{service}/{subject}/auth-log", response_model=list[AuthRecord])
    def list_auth_log(service: str, subject: str, limit: int = 20) -> list[AuthRecord]:
        return client.list_auth_log(subject, service, limit)

    @r.get("/{service}/{subject}/online", response_model=list[OnlineSession])
    def list_online_sessions(service: str, subject: str) -> list[OnlineSession]:
        return client.list_online_sessions(subject, service)

    @r.post("/profiles/{msisdn}/data-function/open", response_model=WriteResult)
    def open_data_function(msisdn: str, body: ActorBody, key: IdempotencyKey) -> WriteResult:
        return client.open_data_function(msisdn, actor=body.actor, idempotency_key=key)

    @r.post("/broadband/{account_id}/password/reset", response_model=WriteResult)
    def reset_broadband_password(account_id: str, body: ActorBody, key: IdempotencyKey) -> WriteResult:
        return client.reset_broadband_password(account_id, actor=body.actor, idempotency_key=key)

    return r
