"""The PON half of the HTTP contract."""

from __future__ import annotations

from fastapi import APIRouter

from tools.base.contract import ActorBody, IdempotencyKey
from tools.base.values import WriteResult
from tools.pon.client import PonClient
from tools.pon.data_model import Alarm, BroadbandAccount, LineStatus


def build_router(client: PonClient) -> APIRouter:
    """Routes under /pon that delegate to `client`."""
    r = APIRouter(prefix="/pon", tags=["PON"])

    @r.get("/accounts", response_model=list[BroadbandAccount])
    def find_accounts(msisdn: str) -> list[BroadbandAccount]:
        return client.find_accounts(msisdn)

    @r.get("/accounts/{account_id}", response_model=BroadbandAccount)
    def get_account(account_id: str) -> BroadbandAccount:
        return client.get_account(account_id)

    @r.get("/accounts/{account_id}/line", response_model=LineStatus)
    def get_line_status(account_id: str) -> LineStatus:
        return client.get_line_status(account_id)

    @r.get("/accounts/{account_id}/alarms", response_model=list[Alarm])
    def list_alarms(account_id: str, limit: int = 20) -> list[Alarm]:
        return client.list_alarms(account_id, limit)

    @r.post("/accounts/{account_id}/onu/reboot", response_model=WriteResult)
    def reboot_onu(account_id: str, body: ActorBody, key: IdempotencyKey) -> WriteResult:
        return client.reboot_onu(account_id, actor=body.actor, idempotency_key=key)

    @r.post("/accounts/{account_id}/resume", response_model=WriteResult)
    def resume_account(account_id: str, body: ActorBody, key: IdempotencyKey) -> WriteResult:
        return client.resume_account(account_id, actor=body.actor, idempotency_key=key)

    return r
