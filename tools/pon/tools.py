"""LangChain tools over PON network management."""

from __future__ import annotations

from tools.base.toolkit import Toolkit, ToolType, is_tool, write_result
from tools.base.values import FactMaker, System, ToolResult
from tools.pon.client import PonClient
from tools.pon.data_model import RX_POWER_MAX_DBM, RX_POWER_MIN_DBM

SYS = System.PON
BB_STATUS_LABELS = {"active": "正常", "suspended_arrears": "欠费停机", "suspended_request": "报停",
                    "cancelled": "已拆机"}


_fact = FactMaker(SYS, "pon")


class PonToolkit(Toolkit):
    """PON tools."""

    system = SYS

    def __init__(self, client: PonClient) -> None:
        self.client = client

    @is_tool(ToolType.READ)
    def pon_find_broadband_accounts(self, msisdn: str) -> ToolResult:
        """Find the broadband accounts bound to a mobile line, with address, bandwidth and status.

        Args:
            msisdn: The caller's 11-digit mobile number.

        Returns:
            One fact per account; empty when the line has no broadband.
        """
        accounts = self.client.find_accounts(msisdn)
        facts = [
            _fact("宽带账号", f"{a.account_id} {a.product_name} {BB_STATUS_LABELS[a.status]}（{a.address}）",
                  f"account.{a.account_id}")
            for a in accounts
        ] or [_fact("宽带账号", "该号码名下无宽带", "account.none")]
        return ToolResult(tool="pon_find_broadband_accounts", system=SYS, ok=True, facts=facts,
                          data=[a.model_dump() for a in accounts])

    @is_tool(ToolType.READ)
    def pon_get_line_status(self, account_id: str) -> ToolResult:
        """Diagnose a broadband line: ONU (光猫) online, receive optical power, PON port, active alarms.

        Args:
            account_id: The broadband account id.

        Returns:
            Facts such as 光猫状态 = 离线 (PON), 收光功率 = -29.5dBm (PON), 当前告警 = LOS 光信号丢失 (PON).
        """
        s = self.client.get_line_status(account_id)
        ref = f"line.{account_id}"
        rx = s.onu.rx_power_dbm
        facts = [
            _fact("宽带账号状态", BB_STATUS_LABELS[s.account.status], f"{ref}.account_status"),
            _fact("光猫状态", ("在线" if s.onu.online else "离线") + f"（{s.onu.state_since}起）", f"{ref}.onu_online"),
            _fact("收光功率", rx if rx is not None else "无光", f"{ref}.rx_power", "dBm" if rx is not None else None),
            _fact("收光功率是否正常",
                  "无光" if s.rx_power_in_range is None else
                  ("正常" if s.rx_power_in_range else f"异常（正常范围 {RX_POWER_MIN_DBM}~{RX_POWER_MAX_DBM}dBm）"),
                  f"{ref}.rx_in_range"),
            _fact("PON口状态", "正常" if s.port_state == "up" else "中断", f"{ref}.port_state"),
            _fact("光猫型号", s.onu.model, f"{ref}.onu_model"),
            _fact("上联设备", f"{s.account.olt_name} PON口 {s.account.pon_port}", f"{ref}.olt"),
        ]
        if s.onu.hung:
            facts.append(_fact("光猫业务异常", "在线但无业务流量（疑似假死）", f"{ref}.onu_hung"))
        if s.onu.last_reboot:
            facts.append(_fact("最近重启", s.onu.last_reboot, f"{ref}.last_reboot"))
        facts += [_fact("当前告警", f"{a.alarm_label}（{a.raised_ts}起）", f"alarm.{a.alarm_id}")
                  for a in s.active_alarms]
        if not s.active_alarms:
            facts.append(_fact("当前告警", "无", f"{ref}.alarms_none"))
        return ToolResult(tool="pon_get_line_status", system=SYS, ok=True, facts=facts, data=s.model_dump())

    @is_tool(ToolType.READ)
    def pon_get_alarm_history(self, account_id: str, limit: int = 10) -> ToolResult:
        """List recent PON alarms (cleared ones too) on the account's ONU and port.

        Args:
            account_id: The broadband account id.
            limit: How many, newest first.

        Returns:
            One fact per alarm with raised/cleared times.
        """
        alarms = self.client.list_alarms(account_id, limit)
        facts = [
            _fact("告警记录", f"{a.alarm_label} {a.raised_ts}" + (f" 至 {a.cleared_ts}" if a.cleared_ts else " 未恢复"),
                  f"alarm.{a.alarm_id}")
            for a in alarms
        ]
        return ToolResult(tool="pon_get_alarm_history", system=SYS, ok=True, facts=facts,
                          data=[a.model_dump() for a in alarms])

    @is_tool(ToolType.WRITE, action="remote_onu_reboot")
    def pon_reboot_onu(self, account_id: str, actor: str, idempotency_key: str) -> ToolResult:
        """Remotely reboot the account's ONU (光猫); it must be online.

        Args:
            account_id: The broadband account id.
            actor: The agent's id.
            idempotency_key: Unique per confirmed action; the same key twice acts once.

        Returns:
            The outcome.
        """
        res = self.client.reboot_onu(account_id, actor=actor, idempotency_key=idempotency_key)
        return write_result("pon_reboot_onu", SYS, res)

    @is_tool(ToolType.WRITE, action="resume_broadband")
    def pon_resume_broadband(self, account_id: str, actor: str, idempotency_key: str) -> ToolResult:
        """Resume (复通) a broadband account the customer had suspended (报停); the mobile line is not touched.

        Args:
            account_id: The broadband account id.
            actor: The agent's id.
            idempotency_key: Unique per confirmed action; the same key twice acts once.

        Returns:
            The outcome. Refused for an account in normal use, one suspended for arrears (it comes back
            once paid) or one removed (拆机).
        """
        res = self.client.resume_account(account_id, actor=actor, idempotency_key=idempotency_key)
        return write_result("pon_resume_broadband", SYS, res)
