"""LangChain tools over ticketing."""

from __future__ import annotations

from typing import Any

from tools.base.toolkit import Toolkit, ToolType, is_tool, write_result
from tools.base.values import Fact, System, ToolResult
from tools.ticketing.client import TicketingClient
from tools.ticketing.data_model import KIND_LABELS, STATUS_LABELS, TicketRequest

SYS = System.TICKETING


class TicketingToolkit(Toolkit):
    """Ticketing tools."""

    system = SYS

    def __init__(self, client: TicketingClient) -> None:
        self.client = client

    @is_tool(ToolType.READ)
    def ticketing_list_tickets(self, msisdn: str, open_only: bool = False) -> ToolResult:
        """List the caller's tickets (repair, complaint, fee dispute) with status and 48-hour due time.

        Args:
            msisdn: The caller's 11-digit mobile number.
            open_only: Only tickets still open or in progress.

        Returns:
            One fact per ticket; the count of open ones.
        """
        tickets = self.client.list_tickets(msisdn, open_only)
        open_ = [t for t in tickets if t.status in ("open", "in_progress")]
        facts = [Fact(label="在途工单数", value=len(open_), source=SYS, ref="ticketing.open_count")]
        facts += [
            Fact(label=f"{KIND_LABELS[t.kind]}工单",
                 value=f"{t.ticket_id} {t.title}（{STATUS_LABELS[t.status]}，"
                       f"{t.created_ts}创建，承诺{t.sla_due_ts}前）",
                 source=SYS, ref=f"ticketing.ticket.{t.ticket_id}")
            for t in tickets
        ]
        return ToolResult(tool="ticketing_list_tickets", system=SYS, ok=True, facts=facts,
                          data=[t.model_dump() for t in tickets])

    def _create(self, tool: str, kind: str, msisdn: str, title: str, description: str, actor: str,
                idempotency_key: str, account_id: str | None = None, priority: str = "normal",
                diagnosis: dict[str, Any] | None = None) -> ToolResult:
        request = TicketRequest.model_validate({
            "kind": kind, "msisdn": msisdn, "account_id": account_id, "title": title,
            "description": description, "priority": priority, "diagnosis": diagnosis,
        })
        res = self.client.create_ticket(request, actor=actor, idempotency_key=idempotency_key)
        return write_result(tool, SYS, res)

    @is_tool(ToolType.WRITE, action="create_repair_ticket")
    def ticketing_create_repair_ticket(
        self, msisdn: str, title: str, description: str, actor: str, idempotency_key: str,
        account_id: str | None = None, diagnosis: dict[str, Any] | None = None,
    ) -> ToolResult:
        """Dispatch a repair ticket with the diagnosis attached (48-hour commitment).

        Args:
            msisdn: The caller's 11-digit mobile number.
            title: Short title.
            description: What the caller reported and what was checked.
            actor: The agent's id.
            idempotency_key: Unique per confirmed action; the same key twice acts once.
            account_id: The broadband account, for a broadband repair.
            diagnosis: The copilot's findings, so nobody asks the caller again.

        Returns:
            The outcome with the ticket id and due time.
        """
        return self._create("ticketing_create_repair_ticket", "repair", msisdn, title, description, actor,
                            idempotency_key, account_id, "normal", diagnosis)

    @is_tool(ToolType.WRITE, action="create_complaint_ticket")
    def ticketing_create_complaint_ticket(
        self, msisdn: str, title: str, description: str, actor: str, idempotency_key: str,
        urgent: bool = False, diagnosis: dict[str, Any] | None = None,
    ) -> ToolResult:
        """Register a complaint ticket (48-hour commitment).

        Args:
            msisdn: The caller's 11-digit mobile number.
            title: Short title.
            description: The complaint in the caller's terms and what was checked.
            actor: The agent's id.
            idempotency_key: Unique per confirmed action; the same key twice acts once.
            urgent: Escalated complaint (media threat, repeated complaint).
            diagnosis: The copilot's findings.

        Returns:
            The outcome with the ticket id and due time.
        """
        return self._create("ticketing_create_complaint_ticket", "complaint", msisdn, title, description, actor,
                            idempotency_key, None, "urgent" if urgent else "normal", diagnosis)

    @is_tool(ToolType.WRITE, action="create_fee_dispute_ticket")
    def ticketing_create_fee_dispute_ticket(
        self, msisdn: str, title: str, description: str, actor: str, idempotency_key: str,
        diagnosis: dict[str, Any] | None = None,
    ) -> ToolResult:
        """Submit a fee-dispute ticket for escalation when the caller still disputes after the explanation.

        Args:
            msisdn: The caller's 11-digit mobile number.
            title: Short title, e.g. 11月流量费争议.
            description: The disputed amount, the caller's position, and what was explained.
            actor: The agent's id.
            idempotency_key: Unique per confirmed action; the same key twice acts once.
            diagnosis: Bill items, usage and elastic-package findings.

        Returns:
            The outcome with the ticket id and due time.
        """
        return self._create("ticketing_create_fee_dispute_ticket", "fee_dispute", msisdn, title, description,
                            actor, idempotency_key, None, "normal", diagnosis)
