"""The PON client interface. Implementations: `SimPonClient` and `HttpPonClient`."""

from __future__ import annotations

from typing import Protocol

from tools.base.values import WriteResult
from tools.pon.data_model import Alarm, BroadbandAccount, LineStatus


class PonClient(Protocol):
    """PON network management + resource binding. Reads raise `RecordNotFound` for a missing record."""

    def find_accounts(self, msisdn: str) -> list[BroadbandAccount]:
        """Broadband accounts bound to a mobile line (may be empty)."""
        ...

    def get_account(self, account_id: str) -> BroadbandAccount:
        """One broadband account."""
        ...

    def get_line_status(self, account_id: str) -> LineStatus:
        """ONU online state, optical power, port state and active alarms."""
        ...

    def list_alarms(self, account_id: str, limit: int = 20) -> list[Alarm]:
        """Alarms on the account's ONU and port, newest first, cleared ones included."""
        ...

    def reboot_onu(self, account_id: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """Remotely reboot the account's ONU."""
        ...

    def resume_account(self, account_id: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """Resume (复通) a broadband account suspended at the customer's request (报停)."""
        ...
