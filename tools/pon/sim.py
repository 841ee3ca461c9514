"""PON network management over the simulator database."""

from __future__ import annotations

import re
import sqlite3

from tools.base.errors import InvalidInput, OperationRejected, RecordNotFound
from tools.base.faults import FaultInjector
from tools.base.values import System, WriteResult, check_msisdn
from tools.pon.data_model import (
    ALARM_LABELS,
    RX_POWER_MAX_DBM,
    RX_POWER_MIN_DBM,
    Alarm,
    BroadbandAccount,
    LineStatus,
    Onu,
)
from tools.sim.db import SimDatabase

SYS = System.PON
ACCOUNT_PATTERN = re.compile(r"^[0-9A-Za-z]{6,20}$")
NOT_RESUMED = {"active": "宽带账号状态正常，无需复通",
               "suspended_arrears": "宽带因欠费暂停，缴清欠费后自动恢复，不能直接复通",
               "cancelled": "宽带账号已拆机，不能复通"}
"""Why an account in each other status than 报停 (suspended_request) is not resumed."""
ACCOUNT_SQL = (
    "SELECT b.*, p.name AS product_name, p.bandwidth_mbps, o.name AS olt_name FROM broadband_accounts b"
    " JOIN products p ON p.product_id = b.product_id JOIN olts o ON o.olt_id = b.olt_id"
)


def check_account_id(account_id: str) -> str:
    """Validate a broadband account id.

    Raises:
        InvalidInput: If malformed.
    """
    if not ACCOUNT_PATTERN.fullmatch(account_id or ""):
        raise InvalidInput(SYS, f"宽带账号格式不正确: {account_id!r}（6-20位字母或数字）")
    return account_id


def _account(r: sqlite3.Row) -> BroadbandAccount:
    return BroadbandAccount(
        account_id=r["account_id"], msisdn=r["msisdn"], product_id=r["product_id"], product_name=r["product_name"],
        bandwidth_mbps=r["bandwidth_mbps"], address=r["address"], province=r["province"], city=r["city"],
        district=r["district"], status=r["status"], radius_locked=bool(r["radius_locked"]),
        install_date=r["install_date"], olt_id=r["olt_id"], olt_name=r["olt_name"], pon_port=r["pon_port"],
        onu_id=r["onu_id"],
    )


def _written_account(conn: sqlite3.Connection, account_id: str) -> sqlite3.Row:
    """The account a write acts on, read inside the write's transaction.

    Raises:
        RecordNotFound: No such account.
    """
    row: sqlite3.Row | None = conn.execute("SELECT * FROM broadband_accounts WHERE account_id = ?",
                                           (account_id,)).fetchone()
    if row is None:
        raise RecordNotFound(SYS, f"没有宽带账号 {account_id}")
    return row


def _alarm(r: sqlite3.Row) -> Alarm:
    return Alarm(
        alarm_id=r["alarm_id"], onu_id=r["onu_id"], olt_id=r["olt_id"], pon_port=r["pon_port"],
        alarm_type=r["alarm_type"], alarm_label=ALARM_LABELS[r["alarm_type"]], raised_ts=r["raised_ts"],
        cleared_ts=r["cleared_ts"],
    )


class SimPonClient:
    """PON backed by the simulator (see `PonClient`)."""

    def __init__(self, db: SimDatabase, faults: FaultInjector | None = None) -> None:
        self.db = db
        self.faults = faults or FaultInjector(SYS)

    def _account_row(self, account_id: str) -> sqlite3.Row:
        row = self.db.one(ACCOUNT_SQL + " WHERE b.account_id = ?", (account_id,))
        if row is None:
            raise RecordNotFound(SYS, f"没有宽带账号 {account_id}")
        return row

    def find_accounts(self, msisdn: str) -> list[BroadbandAccount]:
        """See `PonClient.find_accounts`."""
        msisdn = check_msisdn(msisdn, SYS)
        self.faults.apply("find_accounts")
        if self.db.one("SELECT 1 FROM subscribers WHERE msisdn = ?", (msisdn,)) is None:
            raise RecordNotFound(SYS, f"没有号码 {msisdn}")
        rows = self.db.query(ACCOUNT_SQL + " WHERE b.msisdn = ? ORDER BY b.account_id", (msisdn,))
        return [_account(r) for r in rows]

    def get_account(self, account_id: str) -> BroadbandAccount:
        """See `PonClient.get_account`."""
        account_id = check_account_id(account_id)
        self.faults.apply("get_account")
        return _account(self._account_row(account_id))

    def _alarms(self, acct: sqlite3.Row, active_only: bool, limit: int) -> list[Alarm]:
        rows = self.db.query(
            "SELECT * FROM pon_alarms WHERE (onu_id = ? OR (onu_id IS NULL AND olt_id = ? AND pon_port = ?))"
            " AND (? = 0 OR cleared_ts IS NULL) ORDER BY raised_ts DESC, alarm_id LIMIT ?",
            (acct["onu_id"], acct["olt_id"], acct["pon_port"], int(active_only), limit),
        )
        return [_alarm(r) for r in rows]

    def get_line_status(self, account_id: str) -> LineStatus:
        """See `PonClient.get_line_status`."""
        account_id = check_account_id(account_id)
        self.faults.apply("get_line_status")
        acct = self._account_row(account_id)
        o = self.db.one("SELECT * FROM onus WHERE onu_id = ?", (acct["onu_id"],))
        port = self.db.one("SELECT state FROM pon_ports WHERE olt_id = ? AND port = ?",
                           (acct["olt_id"], acct["pon_port"]))
        if o is None or port is None:
            raise RecordNotFound(SYS, f"宽带账号 {account_id} 的光猫或PON口资源数据缺失")
        rx = o["rx_power_dbm"]
        onu = Onu(
            onu_id=o["onu_id"], model=o["model"], serial=o["serial"], online=bool(o["online"]), rx_power_dbm=rx,
            tx_power_dbm=o["tx_power_dbm"], state_since=o["state_since"], last_reboot=o["last_reboot"],
            hung=bool(o["hung"]),
        )
        return LineStatus(
            account=_account(acct), onu=onu, port_state=port["state"],
            rx_power_in_range=None if rx is None else RX_POWER_MIN_DBM <= rx <= RX_POWER_MAX_DBM,
            active_alarms=self._alarms(acct, True, 50),
        )

    def list_alarms(self, account_id: str, limit: int = 20) -> list[Alarm]:
        """See `PonClient.list_alarms`."""
        account_id = check_account_id(account_id)
        self.faults.apply("list_alarms")
        return self._alarms(self._account_row(account_id), False, max(1, min(limit, 500)))

    def reboot_onu(self, account_id: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `PonClient.reboot_onu`."""
        account_id = check_account_id(account_id)
        self.faults.apply("reboot_onu")

        def apply(conn: sqlite3.Connection, ts: str) -> tuple[str, dict[str, object]]:
            acct = _written_account(conn, account_id)
            onu = conn.execute("SELECT online, hung FROM onus WHERE onu_id = ?", (acct["onu_id"],)).fetchone()
            if not onu["online"]:
                raise OperationRejected(SYS, "光猫当前离线，无法远程重启，请检查光猫电源和光纤")
            conn.execute(
                "UPDATE onus SET last_reboot = ?, hung = 0, state_since = ? WHERE onu_id = ?",
                (ts, ts, acct["onu_id"]),
            )
            return ("已下发远程重启指令，光猫约3分钟后重新上线，请用户稍后重试上网",
                    {"onu_id": acct["onu_id"], "was_hung": bool(onu["hung"])})

        return self.db.write(system=SYS, operation="pon.reboot_onu", target=account_id, actor=actor,
                             idempotency_key=idempotency_key, params={}, apply=apply)

    def resume_account(self, account_id: str, *, actor: str, idempotency_key: str) -> WriteResult:
        """See `PonClient.resume_account`."""
        account_id = check_account_id(account_id)
        self.faults.apply("resume_account")

        def apply(conn: sqlite3.Connection, ts: str) -> tuple[str, dict[str, object]]:
            acct = _written_account(conn, account_id)
            if acct["status"] in NOT_RESUMED:
                raise OperationRejected(SYS, NOT_RESUMED[acct["status"]])
            conn.execute("UPDATE broadband_accounts SET status = 'active' WHERE account_id = ?", (account_id,))
            return ("已办理宽带复通，约10分钟内生效，重启光猫后即可上网", {"previous_status": acct["status"]})

        return self.db.write(system=SYS, operation="pon.resume_account", target=account_id, actor=actor,
                             idempotency_key=idempotency_key, params={}, apply=apply)
