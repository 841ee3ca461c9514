"""AAA/Radius over the simulator database."""

from __future__ import annotations

import re
import sqlite3

from tools.aaa.data_model import AUTH_RESULT_LABELS, AaaProfile, AuthRecord, OnlineSession
from tools.base.errors import InvalidInput, OperationRejected, RecordNotFound
from tools.base.faults import FaultInjector
from tools.base.values import System, WriteResult, check_msisdn
from tools.sim.db import SimDatabase

SYS = System.AAA
SERVICES = ("mobile_data", "broadband")
ACCOUNT_PATTERN = re.compile(r"^[0-9A-Za-z]{6,20}$")


def check_subject(subject: str, service: str) -> str:
    """Validate an auth subject: an MSISDN for mobile data, an account id for broadband.

    Raises:
        InvalidInput: Unknown service or malformed subject.
    """
    if service not in SERVICES:
        raise InvalidInput(SYS, f"service 应为 mobile_data 或 broadband: {service!r}")
    if service == "mobile_data":
        return check_msisdn(subject, SYS)
    if not ACCOUNT_PATTERN.fullmatch(subject or ""):
        raise InvalidInput(SYS, f"宽带账号格式不正确: {subject!r}")
    return subject


class SimAaaClient:
    """AAA/Radius backed by the simulator (see `AaaClient`)."""

    def __init__(self, db: SimDatabase, faults: FaultInjector | None = None) -> None:
        self.db = db
        self.faults = faults or FaultInjector(SYS)

    def _exists(self, subject: str, service: str) -> None:
        if service == "mobile_data":
            row = self.db.one("SELECT 1 FROM aaa_profiles WHERE msisdn = ?", (subject,))
        else:
            row = self.db.one("SELECT 1 FROM broadband_accounts WHERE account_id = ?", (subject,))
        if row is None:
            what = "号码" if service == "mobile_data" else "宽带账号"
            raise RecordNotFound(SYS, f"AAA 中没有{what} {subject}")

    def get_profile(self, msisdn: str) -> AaaProfile:
        """See `AaaClient.get_profile`."""
        msisdn = check_msisdn(msisdn, SYS)
        self.faults.apply("get_profile")
        r = self.db.one("SELECT * FROM aaa_profiles WHERE msisdn = ?", (msisdn,))
        if r is None:
            raise RecordNotFound(SYS, f"AAA 中没有号码 {msisdn}")
        return AaaProfile(
            msisdn=msisdn, gprs_enabled=bool(r["gprs_enabled"]), volte_enabled=bool(r["volte_enabled"]),
            roaming_enabled=bool(r["roaming_enabled"]), apn_profile=r["apn_profile"],
            account_locked=bool(r["account_locked"]), lock_reason=r["lock_reason"],
            speed_cap_kbps=r["speed_cap_kbps"],
        )

    def list_auth_log(self, subject: str, service: str, limit: int = 20) -> list[AuthRecord]:
        """See `AaaClient.list_auth_log`."""
        subject = check_subject(subject, service)
        self.faults.apply("list_auth_log")
        self._exists(subject, service)
        rows = self.db.query(
            "SELECT * FROM auth_log WHERE subject = ? AND service = ? ORDER BY ts DESC, auth_id LIMIT ?",
            (subject, service, max(1, min(limit, 500))),
        )
        return [
            AuthRecord(
                auth_id=r["auth_id"], service=r["service"], subject=r["subject"], ts=r["ts"], result=r["result"],
                result_label=AUTH_RESULT_LABELS[r["result"]], apn=r["apn"], nas=r["nas"], cell_id=r["cell_id"],
                detail=r["detail"],
            )
            for r in rows
        ]

    def list_online_sessions(self, subject: str, service: str) -> list[OnlineSession]:
        """See `AaaClient.list_online_sessions`."""
        subject = check_subject(subject, service)
        self.faults.apply("list_online_sessions")
        self._exists(subject, service)
        rows = self.db.query(
            "SELECT * FROM online_sessions WHERE subject = ? AND service = ? ORDER BY start_ts DESC, online_id",
            (subject, service),
        )
        return [
            OnlineSession(online_id=r["online_id"], service=r["service"], subject=r["subject"],
                          start_ts=r["start_ts"], ip=r["ip"], nas=r["nas"], cell_id=r["cell_id"])
            for r in rows
        ]

    def open_data_function(self, msisdn: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `AaaClient.open_data_function`."""
        msisdn = check_msisdn(msisdn, SYS)
        self.faults.apply("open_data_function")

        def apply(conn: sqlite3.Connection, ts: str) -> tuple[str, dict[str, object]]:
            row = conn.execute(
                "SELECT a.gprs_enabled, s.status FROM aaa_profiles a JOIN subscribers s USING (msisdn)"
                " WHERE a.msisdn = ?",
                (msisdn,),
            ).fetchone()
            if row is None:
                raise RecordNotFound(SYS, f"AAA 中没有号码 {msisdn}")
            if row["status"] != "active":
                raise OperationRejected(SYS, f"号码状态为 {row['status']}，需先恢复号码状态再开通数据功能")
            if row["gprs_enabled"]:
                raise OperationRejected(SYS, "数据功能已是开通状态，无需重复开通")
            conn.execute("UPDATE aaa_profiles SET gprs_enabled = 1 WHERE msisdn = ?", (msisdn,))
            return "数据功能已开通，请用户重启手机或开关飞行模式后上网", {"gprs_enabled": True}

        return self.db.write(system=SYS, operation="aaa.open_data_function", target=msisdn, actor=actor,
                             idempotency_key=idempotency_key, params={}, apply=apply)

    def reset_broadband_password(self, account_id: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `AaaClient.reset_broadband_password`."""
        account_id = check_subject(account_id, "broadband")
        self.faults.apply("reset_broadband_password")

        def apply(conn: sqlite3.Connection, ts: str) -> tuple[str, dict[str, object]]:
            acct = conn.execute("SELECT msisdn, status, radius_locked FROM broadband_accounts WHERE account_id = ?",
                                (account_id,)).fetchone()
            if acct is None:
                raise RecordNotFound(SYS, f"AAA 中没有宽带账号 {account_id}")
            if acct["status"] == "cancelled":
                raise OperationRejected(SYS, "宽带账号已拆机，不能重置宽带密码")
            # the new password goes to the bound line by SMS and is not kept here; a Radius lock is lifted with it
            conn.execute("UPDATE broadband_accounts SET radius_locked = 0 WHERE account_id = ?", (account_id,))
            unlocked = bool(acct["radius_locked"])
            tail = acct["msisdn"][-4:]
            message = (f"宽带密码已重置{'并解除锁定' if unlocked else ''}，新密码已短信发送至尾号{tail}的绑定手机，"
                       "请在光猫或路由器的宽带拨号设置中输入新密码")
            return message, {"sms_sent": True, "unlocked": unlocked}

        return self.db.write(system=SYS, operation="aaa.reset_broadband_password", target=account_id, actor=actor,
                             idempotency_key=idempotency_key, params={}, apply=apply)
