"""The ticketing half of the HTTP contract."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from tools.base.contract import ActorBody, IdempotencyKey
from tools.base.values import WriteResult
from tools.ticketing.client import TicketingClient
from tools.ticketing.data_model import Ticket, TicketRequest


class CreateTicketBody(ActorBody):
    """A ticket to create."""

    request: TicketRequest = Field(description="The ticket")


def build_router(client: TicketingClient) -> APIRouter:
    """Routes under /ticketing that delegate to `client`."""
    r = APIRouter(prefix="/ticketing", tags=["Ticketing"])

    @r.get("/tickets", response_model=list[Ticket])
    def list_tickets(msisdn: str, open_only: bool = False, limit: int = 20) -> list[Ticket]:
        return client.list_tickets(msisdn, open_only, limit)

    @r.get("/tickets/{ticket_id}", response_model=Ticket)
    def get_ticket(ticket_id: str) -> Ticket:
        return client.get_ticket(ticket_id)

    @r.post("/tickets", response_model=WriteResult)
    def create_ticket(body: CreateTicketBody, key: IdempotencyKey) -> WriteResult:
        return client.create_ticket(body.request, actor=body.actor, idempotency_key=key)

    return r
