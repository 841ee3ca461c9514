"""LangChain tools over AAA/Radius."""

from __future__ import annotations

from collections import Counter

from tools.aaa.client import AaaClient
from tools.base.toolkit import Toolkit, ToolType, is_tool, write_result
from tools.base.values import Fact, FactMaker, System, ToolResult

SYS = System.AAA


_fact = FactMaker(SYS, "aaa")


class AaaToolkit(Toolkit):
    """AAA/Radius tools."""

    system = SYS

    def __init__(self, client: AaaClient) -> None:
        self.client = client

    @is_tool(ToolType.READ)
    def aaa_get_data_profile(self, msisdn: str) -> ToolResult:
        """Check a line's data-service profile: data function (GPRS) on/off, APN, VoLTE, roaming, lock, speed cap.

        Args:
            msisdn: The caller's 11-digit mobile number.

        Returns:
            Facts such as 数据功能 = 关闭 (AAA).
        """
        p = self.client.get_profile(msisdn)
        facts = [
            _fact("数据功能", "开通" if p.gprs_enabled else "关闭", "profile.gprs_enabled"),
            _fact("APN签约", p.apn_profile, "profile.apn"),
            _fact("VoLTE", "开通" if p.volte_enabled else "关闭", "profile.volte"),
            _fact("国际漫游功能", "开通" if p.roaming_enabled else "未开通", "profile.roaming"),
            _fact("账号锁定", p.account_locked, "profile.locked"),
        ]
        if p.lock_reason:
            facts.append(_fact("锁定原因", p.lock_reason, "profile.lock_reason"))
        if p.speed_cap_kbps:
            facts.append(_fact("当前限速", p.speed_cap_kbps, "profile.speed_cap", "kbps"))
        return ToolResult(tool="aaa_get_data_profile", system=SYS, ok=True, facts=facts, data=p.model_dump())

    @is_tool(ToolType.READ)
    def aaa_get_auth_log(self, subject: str, service: str = "mobile_data", limit: int = 20) -> ToolResult:
        """Read recent authentication attempts: whether sessions authenticate and why they are rejected.

        Args:
            subject: The MSISDN (mobile_data) or the broadband account id (broadband).
            service: mobile_data (AAA) or broadband (Radius).
            limit: How many, newest first.

        Returns:
            Facts for the latest attempt, the count of each result, and the latest rejection's reason.
        """
        log = self.client.list_auth_log(subject, service, limit)
        facts: list[Fact] = []
        if log:
            last = log[0]
            facts.append(_fact("最近一次认证", f"{last.ts} {last.result_label}" + (f"（{last.detail}）" if last.detail
                                                                                 else ""), f"auth.{last.auth_id}"))
            counts = Counter(r.result_label for r in log)
            facts.append(_fact(f"近{len(log)}次认证结果", "，".join(f"{k}{v}次" for k, v in counts.most_common()),
                               "auth.summary"))
            rejected = next((r for r in log if r.result != "ok"), None)
            if rejected is not None:
                facts.append(_fact("最近拒绝原因", f"{rejected.ts} {rejected.result_label} {rejected.detail or ''}"
                                   .strip(), f"auth.{rejected.auth_id}"))
        else:
            facts.append(_fact("认证记录", "近期无认证记录", "auth.none"))
        return ToolResult(tool="aaa_get_auth_log", system=SYS, ok=True, facts=facts,
                          data=[r.model_dump() for r in log])

    @is_tool(ToolType.READ)
    def aaa_get_online_sessions(self, subject: str, service: str = "mobile_data") -> ToolResult:
        """Check whether the line or broadband account is online now, since when, through which PGW/BRAS.

        Args:
            subject: The MSISDN (mobile_data) or the broadband account id (broadband).
            service: mobile_data or broadband.

        Returns:
            Facts: online or not, and each session's start and address.
        """
        sessions = self.client.list_online_sessions(subject, service)
        facts = [_fact("当前在线", bool(sessions), "online.any")]
        facts += [_fact("在线会话", f"{s.start_ts}起 {s.ip}（{s.nas}）", f"online.{s.online_id}") for s in sessions]
        return ToolResult(tool="aaa_get_online_sessions", system=SYS, ok=True, facts=facts,
                          data=[s.model_dump() for s in sessions])

    @is_tool(ToolType.WRITE, action="open_gprs_function")
    def aaa_open_data_function(self, msisdn: str, actor: str, idempotency_key: str) -> ToolResult:
        """Turn the line's data function (GPRS) back on.

        Args:
            msisdn: The caller's 11-digit mobile number.
            actor: The agent's id.
            idempotency_key: Unique per confirmed action; the same key twice acts once.

        Returns:
            The outcome.
        """
        res = self.client.open_data_function(msisdn, actor=actor, idempotency_key=idempotency_key)
        return write_result("aaa_open_data_function", SYS, res)

    @is_tool(ToolType.WRITE, action="reset_broadband_password")
    def aaa_reset_broadband_password(self, account_id: str, actor: str, idempotency_key: str) -> ToolResult:
        """Reset a broadband account's dial-up (PPPoE) password and lift a Radius lock (not the service password).

        Args:
            account_id: The broadband account id.
            actor: The agent's id.
            idempotency_key: Unique per confirmed action; the same key twice acts once.

        Returns:
            The outcome: the new password goes by SMS to the mobile line the account is bound to.

        Raises:
            RecordNotFound: No such broadband account.
            OperationRejected: The account is removed (拆机).
        """
        res = self.client.reset_broadband_password(account_id, actor=actor, idempotency_key=idempotency_key)
        return write_result("aaa_reset_broadband_password", SYS, res)
