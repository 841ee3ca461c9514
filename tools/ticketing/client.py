"""The ticketing client interface. Implementations: `SimTicketingClient` and `HttpTicketingClient`."""

from __future__ import annotations

from typing import Protocol

from tools.base.values import WriteResult
from tools.ticketing.data_model import Ticket, TicketRequest


class TicketingClient(Protocol):
    """Ticketing. Reads raise `RecordNotFound` for a missing record."""

    def list_tickets(self, msisdn: str, open_only: bool = False, limit: int = 20) -> list[Ticket]:
        """A line's tickets, newest first."""
        ...

    def get_ticket(self, ticket_id: str) -> Ticket:
        """One ticket."""
        ...

    def create_ticket(self, request: TicketRequest, *, actor: str, idempotency_key: str) -> WriteResult:
        """Create a ticket with a 48-hour SLA; refused when the same kind is already open for the line."""
        ...
