"""AAA/Radius over HTTP, for a real deployment."""

from __future__ import annotations

from tools.aaa.data_model import AaaProfile, AuthRecord, OnlineSession
from tools.aaa.sim import check_subject
from tools.base.http import HttpTransport
from tools.base.values import WriteResult, check_msisdn


class HttpAaaClient:
    """AAA/Radius over HTTP (see `AaaClient`)."""

    def __init__(self, transport: HttpTransport) -> None:
        self.http = transport

    def get_profile(self, msisdn: str) -> AaaProfile:
        """See `AaaClient.get_profile`."""
        return self.http.get_model(f"/aaa/profiles/{check_msisdn(msisdn, 'AAA')}", AaaProfile)

    def list_auth_log(self, subject: str, service: str, limit: int = 20) -> list[AuthRecord]:
        """See `AaaClient.list_auth_log`."""
        subject = check_subject(subject, service)
        return self.http.get_list(f"/aaa/{service}/{subject}/auth-log", AuthRecord, limit=limit)

    def list_online_sessions(self, subject: str, service: str) -> list[OnlineSession]:
        """See `AaaClient.list_online_sessions`."""
        subject = check_subject(subject, service)
        return self.http.get_list(f"/aaa/{service}/{subject}/online", OnlineSession)

    def open_data_function(self, msisdn: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `AaaClient.open_data_function`."""
        path = f"/aaa/profiles/{check_msisdn(msisdn, 'AAA')}/data-function/open"
        return self.http.post_model(path, WriteResult, {"actor": actor}, idempotency_key)

    def reset_broadband_password(self, account_id: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `AaaClient.reset_broadband_password`."""
        path = f"/aaa/broadband/{check_subject(account_id, 'broadband')}/password/reset"
        return self.http.post_model(path, WriteResult, {"actor": actor}, idempotency_key)
