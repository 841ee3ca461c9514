"""The AAA/Radius client interface. Implementations: `SimAaaClient` and `HttpAaaClient`."""

from __future__ import annotations

from typing import Protocol

from tools.aaa.data_model import AaaProfile, AuthRecord, OnlineSession
from tools.base.values import WriteResult


class AaaClient(Protocol):
    """AAA (mobile data) and Radius (broadband). Reads raise `RecordNotFound` for a missing record."""

    def get_profile(self, msisdn: str) -> AaaProfile:
        """The line's data-service profile."""
        ...

    def list_auth_log(self, subject: str, service: str, limit: int = 20) -> list[AuthRecord]:
        """Authentication attempts of an MSISDN (mobile_data) or broadband account, newest first."""
        ...

    def list_online_sessions(self, subject: str, service: str) -> list[OnlineSession]:
        """Sessions online now."""
        ...

    def open_data_function(self, msisdn: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """Turn the line's data function (GPRS) back on."""
        ...

    def reset_broadband_password(self, account_id: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """Set a new broadband (PPPoE) password for the account and lift a Radius lock; SMS to the bound line."""
        ...
