"""Ticketing over the simulator database."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

from tools.base.errors import OperationRejected, RecordNotFound
from tools.base.faults import FaultInjector
from tools.base.values import System, WriteResult, check_msisdn
from tools.sim.db import SimDatabase
from tools.ticketing.data_model import KIND_LABELS, SLA_HOURS, Ticket, TicketRequest

SYS = System.TICKETING
OPEN_STATES = ("open", "in_progress")


def _ticket(r: sqlite3.Row) -> Ticket:
    return Ticket(**{**dict(r), "diagnosis": json.loads(r["diagnosis"]) if r["diagnosis"] else None})


class SimTicketingClient:
    """Ticketing backed by the simulator (see `TicketingClient`)."""

    def __init__(self, db: SimDatabase, faults: FaultInjector | None = None) -> None:
        self.db = db
        self.faults = faults or FaultInjector(SYS)

    def list_tickets(self, msisdn: str, open_only: bool = False, limit: int = 20) -> list[Ticket]:
        """See `TicketingClient.list_tickets`."""
        msisdn = check_msisdn(msisdn, SYS)
        self.faults.apply("list_tickets")
        rows = self.db.query(
            "SELECT * FROM tickets WHERE msisdn = ? AND (? = 0 OR status IN ('open', 'in_progress'))"
            " ORDER BY created_ts DESC, ticket_id DESC LIMIT ?",
            (msisdn, int(open_only), max(1, min(limit, 200))),
        )
        return [_ticket(r) for r in rows]

    def get_ticket(self, ticket_id: str) -> Ticket:
        """See `TicketingClient.get_ticket`."""
        self.faults.apply("get_ticket")
        r = self.db.one("SELECT * FROM tickets WHERE ticket_id = ?", (ticket_id,))
        if r is None:
            raise RecordNotFound(SYS, f"没有工单 {ticket_id}")
        return _ticket(r)

    def create_ticket(self, request: TicketRequest, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `TicketingClient.create_ticket`."""
        msisdn = check_msisdn(request.msisdn, SYS)
        self.faults.apply("create_ticket")

        def apply(conn: sqlite3.Connection, ts: str) -> tuple[str, dict[str, object]]:
            if conn.execute("SELECT 1 FROM subscribers WHERE msisdn = ?", (msisdn,)).fetchone() is None:
                raise RecordNotFound(SYS, f"没有号码 {msisdn}")
            existing = conn.execute(
                "SELECT ticket_id, sla_due_ts FROM tickets WHERE msisdn = ? AND kind = ?"
                " AND status IN ('open', 'in_progress') AND (? IS NULL OR account_id = ?)"
                " ORDER BY created_ts DESC LIMIT 1",
                (msisdn, request.kind, request.account_id, request.account_id),
            ).fetchone()
            if existing is not None:
                raise OperationRejected(
                    SYS, f"已有在途{KIND_LABELS[request.kind]}工单 {existing['ticket_id']}"
                    f"（承诺 {existing['sla_due_ts']} 前处理），请勿重复派单，可催办",
                )
            day = ts[:10].replace("-", "")
            seq = conn.execute("SELECT COUNT(*) FROM tickets WHERE ticket_id LIKE ?", (f"T{day}%",)).fetchone()[0]
            ticket_id = f"T{day}{seq + 1:05d}"
            due = (datetime.fromisoformat(ts) + timedelta(hours=SLA_HOURS)).isoformat(timespec="seconds")
            conn.execute(
                "INSERT INTO tickets (ticket_id, kind, msisdn, account_id, title, description, status, priority,"
                " created_ts, sla_due_ts, resolved_ts, created_by, diagnosis)"
                " VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, NULL, ?, ?)",
                (ticket_id, request.kind, msisdn, request.account_id, request.title, request.description,
                 request.priority, ts, due, actor,
                 json.dumps(request.diagnosis, ensure_ascii=False, sort_keys=True) if request.diagnosis else None),
            )
            return (f"已创建{KIND_LABELS[request.kind]}工单 {ticket_id}，承诺 {due} 前处理完毕",
                    {"ticket_id": ticket_id, "sla_due_ts": due, "kind": request.kind})

        return self.db.write(system=SYS, operation="ticketing.create_ticket", target=msisdn, actor=actor,
                             idempotency_key=idempotency_key, params=request.model_dump(mode="json"), apply=apply)
