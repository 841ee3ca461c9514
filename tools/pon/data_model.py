"""PON network-management records."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

ALARM_LABELS: dict[str, str] = {
    "LOS": "LOS 光信号丢失",
    "LOF": "LOF 帧丢失",
    "DYING_GASP": "掉电告警（Dying Gasp）",
    "LOW_RX_POWER": "收光功率过低",
    "PORT_DOWN": "PON口中断",
}

#: Normal receive optical power window for a GPON ONU (dBm).
RX_POWER_MIN_DBM = -27.0
RX_POWER_MAX_DBM = -8.0


class BroadbandAccount(BaseModel):
    """A broadband account and the network elements it is bound to (综资)."""

    account_id: str = Field(description="宽带账号")
    msisdn: str = Field(description="Bound mobile line")
    product_id: str = Field(description="Broadband product")
    product_name: str = Field(description="Product name")
    bandwidth_mbps: int | None = Field(default=None, description="Bandwidth")
    address: str = Field(description="Installation address")
    province: str = Field(description="Province")
    city: str = Field(description="City")
    district: str = Field(description="District")
    status: Literal["active", "suspended_arrears", "suspended_request", "cancelled"] = Field(description="Status")
    radius_locked: bool = Field(description="Radius account locked")
    install_date: str = Field(description="Installed on")
    olt_id: str = Field(description="OLT")
    olt_name: str = Field(description="OLT name")
    pon_port: str = Field(description="PON port frame/slot/port")
    onu_id: str = Field(description="ONU (光猫)")


class Onu(BaseModel):
    """The ONU (光猫) state."""

    onu_id: str = Field(description="ONU id")
    model: str = Field(description="Model")
    serial: str = Field(description="Serial number")
    online: bool = Field(description="Registered on the OLT")
    rx_power_dbm: float | None = Field(default=None, description="Receive optical power; None with no light")
    tx_power_dbm: float | None = Field(default=None, description="Transmit optical power")
    state_since: str = Field(description="Online/offline since")
    last_reboot: str | None = Field(default=None, description="Last reboot")
    hung: bool = Field(description="Registered but not forwarding traffic (a reboot fixes it)")


class Alarm(BaseModel):
    """A PON alarm."""

    alarm_id: str = Field(description="Alarm id")
    onu_id: str | None = Field(default=None, description="ONU; None for a port alarm")
    olt_id: str = Field(description="OLT")
    pon_port: str = Field(description="PON port")
    alarm_type: Literal["LOS", "LOF", "DYING_GASP", "LOW_RX_POWER", "PORT_DOWN"] = Field(description="Type")
    alarm_label: str = Field(description="Type in Chinese")
    raised_ts: str = Field(description="Raised")
    cleared_ts: str | None = Field(default=None, description="Cleared; None while active")


class LineStatus(BaseModel):
    """Everything PON knows about one account's line, in one answer."""

    account: BroadbandAccount = Field(description="The account and its binding")
    onu: Onu = Field(description="ONU state")
    port_state: Literal["up", "down"] = Field(description="PON port state")
    rx_power_in_range: bool | None = Field(description="Rx power within the normal window; None with no light")
    active_alarms: list[Alarm] = Field(description="Alarms not yet cleared (ONU and its port)")
