"""PON network management over HTTP, for a real deployment."""

from __future__ import annotations

from tools.base.http import HttpTransport
from tools.base.values import WriteResult, check_msisdn
from tools.pon.data_model import Alarm, BroadbandAccount, LineStatus
from tools.pon.sim import check_account_id


class HttpPonClient:
    """PON over HTTP (see `PonClient`)."""

    def __init__(self, transport: HttpTransport) -> None:
        self.http = transport

    def find_accounts(self, msisdn: str) -> list[BroadbandAccount]:
        """See `PonClient.find_accounts`."""
        return self.http.get_list("/pon/accounts", BroadbandAccount, msisdn=check_msisdn(msisdn, "PON"))

    def get_account(self, account_id: str) -> BroadbandAccount:
        """See `PonClient.get_account`."""
        return self.http.get_model(f"/pon/accounts/{check_account_id(account_id)}", BroadbandAccount)

    def get_line_status(self, account_id: str) -> LineStatus:
        """See `PonClient.get_line_status`."""
        return self.http.get_model(f"/pon/accounts/{check_account_id(account_id)}/line", LineStatus)

    def list_alarms(self, account_id: str, limit: int = 20) -> list[Alarm]:
        """See `PonClient.list_alarms`."""
        return self.http.get_list(f"/pon/accounts/{check_account_id(account_id)}/alarms", Alarm, limit=limit)

    def reboot_onu(self, account_id: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `PonClient.reboot_onu`."""
        path = f"/pon/accounts/{check_account_id(account_id)}/onu/reboot"
        return self.http.post_model(path, WriteResult, {"actor": actor}, idempotency_key)

    def resume_account(self, account_id: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `PonClient.resume_account`."""
        path = f"/pon/accounts/{check_account_id(account_id)}/resume"
        return self.http.post_model(path, WriteResult, {"actor": actor}, idempotency_key)
