"""AAA/Radius records."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

AuthResult = Literal["ok", "reject_arrears", "reject_locked", "reject_bad_password", "reject_no_service"]
Service = Literal["mobile_data", "broadband"]

AUTH_RESULT_LABELS: dict[str, str] = {
    "ok": "认证成功",
    "reject_arrears": "欠费拒绝",
    "reject_locked": "账号锁定拒绝",
    "reject_bad_password": "密码错误拒绝",
    "reject_no_service": "未开通业务拒绝",
}


class AaaProfile(BaseModel):
    """A line's data-service profile in the HSS/AAA."""

    msisdn: str = Field(description="Line")
    gprs_enabled: bool = Field(description="数据功能 (GPRS/4G/5G data) on")
    volte_enabled: bool = Field(description="VoLTE on")
    roaming_enabled: bool = Field(description="International roaming on")
    apn_profile: str = Field(description="APN the profile allows (cmnet / cmwap)")
    account_locked: bool = Field(description="Account locked")
    lock_reason: str | None = Field(default=None, description="Why it is locked")
    speed_cap_kbps: int | None = Field(default=None, description="Speed cap in force, if any")


class AuthRecord(BaseModel):
    """One authentication attempt."""

    auth_id: str = Field(description="Record id")
    service: Service = Field(description="mobile_data or broadband")
    subject: str = Field(description="MSISDN or broadband account")
    ts: str = Field(description="When")
    result: AuthResult = Field(description="Result code")
    result_label: str = Field(description="Result in Chinese")
    apn: str | None = Field(default=None, description="APN asked for (mobile data)")
    nas: str = Field(description="PGW / BRAS that asked")
    cell_id: str | None = Field(default=None, description="Serving cell (mobile data)")
    detail: str | None = Field(default=None, description="Reason text")


class OnlineSession(BaseModel):
    """A session online now."""

    online_id: str = Field(description="Session id")
    service: Service = Field(description="mobile_data or broadband")
    subject: str = Field(description="MSISDN or broadband account")
    start_ts: str = Field(description="Since")
    ip: str = Field(description="Address assigned")
    nas: str = Field(description="PGW / BRAS")
    cell_id: str | None = Field(default=None, description="Serving cell (mobile data)")
