"""Ticketing records."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

TicketKind = Literal["repair", "complaint", "fee_dispute"]
KIND_LABELS = {"repair": "故障报修", "complaint": "投诉", "fee_dispute": "费用争议"}
STATUS_LABELS = {"open": "待处理", "in_progress": "处理中", "resolved": "已解决", "closed": "已关闭"}
SLA_HOURS = 48


class Ticket(BaseModel):
    """A ticket."""

    ticket_id: str = Field(description="Ticket id")
    kind: TicketKind = Field(description="repair / complaint / fee_dispute")
    msisdn: str = Field(description="Caller's line")
    account_id: str | None = Field(default=None, description="Broadband account, for repairs")
    title: str = Field(description="Title")
    description: str = Field(description="What the caller reported")
    status: Literal["open", "in_progress", "resolved", "closed"] = Field(description="Status")
    priority: Literal["normal", "urgent"] = Field(description="Priority")
    created_ts: str = Field(description="Created")
    sla_due_ts: str = Field(description="Due: created + 48 h")
    resolved_ts: str | None = Field(default=None, description="Resolved")
    created_by: str = Field(description="Agent or system that created it")
    diagnosis: dict[str, Any] | None = Field(default=None, description="Findings attached so nobody asks again")


class TicketRequest(BaseModel):
    """What a new ticket needs."""

    kind: TicketKind = Field(description="repair / complaint / fee_dispute")
    msisdn: str = Field(description="Caller's line")
    account_id: str | None = Field(default=None, description="Broadband account, for repairs")
    title: str = Field(min_length=2, max_length=100, description="Title")
    description: str = Field(min_length=2, max_length=4000, description="What the caller reported")
    priority: Literal["normal", "urgent"] = Field(default="normal", description="Priority")
    diagnosis: dict[str, Any] | None = Field(default=None, description="The copilot's findings")
