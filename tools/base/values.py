"""Values shared by all systems: identifiers, sourced facts, write results."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from tools.base.errors import InvalidInput

MSISDN_PATTERN = re.compile(r"^1[3-9]\d{9}$")
MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class System(StrEnum):
    """The back-office systems an agent touches."""

    BOSS = "BOSS"
    AAA = "AAA"
    PON = "PON"
    COVERAGE = "COVERAGE"
    TICKETING = "TICKETING"


SYSTEM_LABELS: dict[System, str] = {
    System.BOSS: "BOSS",
    System.AAA: "AAA/Radius",
    System.PON: "PON网管",
    System.COVERAGE: "网络覆盖与故障",
    System.TICKETING: "工单系统",
}


def check_msisdn(value: str, system: str = System.BOSS) -> str:
    """Return the MSISDN with spaces and dashes removed, or raise `InvalidInput`.

    Args:
        value: A mobile number as typed or spoken ("138 0791 1234", "+86 13807911234").
        system: The system to name in the error.

    Returns:
        The 11-digit MSISDN.

    Raises:
        InvalidInput: If it is not an 11-digit mainland mobile number.
    """
    digits = re.sub(r"[\s\-]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not MSISDN_PATTERN.fullmatch(digits):
        raise InvalidInput(system, f"手机号码格式不正确: {value!r}（应为11位数字，以1开头）")
    return digits


def check_month(value: str, system: str = System.BOSS) -> str:
    """Return a billing month "YYYY-MM", or raise `InvalidInput`.

    Raises:
        InvalidInput: If it is not of the form YYYY-MM.
    """
    if not MONTH_PATTERN.fullmatch(value or ""):
        raise InvalidInput(system, f"账期格式不正确: {value!r}（应为 YYYY-MM）")
    return value


def fen_to_yuan(fen: int) -> float:
    """Convert fen (分) to yuan (元), rounded to 2 decimals."""
    return round(fen / 100.0, 2)


class Fact(BaseModel):
    """One value a reply may cite, with the system and field it comes from."""

    label: str = Field(description="Chinese label shown to the agent, e.g. 账户状态")
    value: str | int | float | bool | None = Field(description="The value, e.g. 欠费停机")
    unit: str | None = Field(default=None, description="Unit, e.g. 元, MB, dBm")
    source: System = Field(description="The system the value was read from")
    ref: str = Field(description="Machine reference to the field, e.g. boss.subscriber.status")

    def __str__(self) -> str:
        value = self.value
        if isinstance(value, bool):
            value = "是" if value else "否"
        unit = self.unit or ""
        return f"{self.label} = {value}{unit} ({self.source.value})"


FactValue = str | int | float | bool | None


class FactMaker:
    """Builds the facts of one system, with refs under one prefix (e.g. ``boss.``)."""

    def __init__(self, system: System, prefix: str) -> None:
        self.system = system
        self.prefix = prefix

    def __call__(self, label: str, value: FactValue, ref: str, unit: str | None = None) -> Fact:
        """A fact citing `system` and the field `prefix.ref`."""
        return Fact(label=label, value=value, unit=unit, source=self.system, ref=f"{self.prefix}.{ref}")


class ToolResult(BaseModel):
    """What a read tool returns: compact facts for citing, plus the typed record."""

    tool: str = Field(description="The tool's name")
    system: System = Field(description="The system that answered")
    ok: bool = Field(description="False when the system failed and the result is partial")
    facts: list[Fact] = Field(default_factory=list, description="Values a reply may cite")
    data: dict[str, Any] | list[Any] | None = Field(default=None, description="The typed record(s), as JSON")
    error: dict[str, str] | None = Field(default=None, description="Error code, system and message when not ok")

    def summary(self) -> str:
        """One line per fact, for prompts and logs."""
        if not self.ok and self.error:
            return f"{self.system.value} 查询失败: {self.error.get('message', '')}"
        return "\n".join(str(f) for f in self.facts)


class WriteStatus(StrEnum):
    """Outcome of a write operation."""

    OK = "ok"
    REJECTED = "rejected"


class WriteResult(BaseModel):
    """The outcome of a write operation, as stored for idempotent replay."""

    operation: str = Field(description="Operation name, e.g. boss.apply_elastic_package")
    system: System = Field(description="The system that performed it")
    target: str = Field(description="MSISDN or broadband account acted on")
    status: WriteStatus = Field(description="ok, or rejected by a business rule")
    message: str = Field(description="Chinese one-line outcome for the agent")
    details: dict[str, Any] = Field(default_factory=dict, description="Operation-specific results")
    idempotency_key: str = Field(description="The key the caller supplied")
    replayed: bool = Field(default=False, description="True when this is the stored result of an earlier call")
    ts: str = Field(description="When it was performed (ISO, CST)")
