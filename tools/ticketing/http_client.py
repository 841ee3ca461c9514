"""Ticketing over HTTP, for a real deployment."""

from __future__ import annotations

from tools.base.http import HttpTransport
from tools.base.values import WriteResult, check_msisdn
from tools.ticketing.data_model import Ticket, TicketRequest


class HttpTicketingClient:
    """Ticketing over HTTP (see `TicketingClient`)."""

    def __init__(self, transport: HttpTransport) -> None:
        self.http = transport

    def list_tickets(self, msisdn: str, open_only: bool = False, limit: int = 20) -> list[Ticket]:
        """See `TicketingClient.list_tickets`."""
        return self.http.get_list("/ticketing/tickets", Ticket, msisdn=check_msisdn(msisdn, "TICKETING"),
                                  open_only=open_only, limit=limit)

    def get_ticket(self, ticket_id: str) -> Ticket:
        """See `TicketingClient.get_ticket`."""
        return self.http.get_model(f"/ticketing/tickets/{ticket_id}", Ticket)

    def create_ticket(self, request: TicketRequest, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `TicketingClient.create_ticket`."""
        check_msisdn(request.msisdn, "TICKETING")
        body = {"actor": actor, "request": request.model_dump(mode="json")}
        return self.http.post_model("/ticketing/tickets", WriteResult, body, idempotency_key)
