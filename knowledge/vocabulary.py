"""The shared vocabulary of intents and actions: one data file, validated by schema."""

from __future__ import annotations

import contextlib
import re
from functools import cached_property
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "vocabulary.yaml"
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,48}$")
REQUIRED_INTENTS = (
    "data_fee_dispute", "mobile_data_fault", "broadband_fault", "bill_inquiry", "balance_arrears", "plan_inquiry",
    "plan_change", "vas_unsubscribe", "roaming", "number_portability", "suspend_resume", "password_reset",
    "sim_replacement", "voice_call_fault", "sms_mms_fault", "coverage_complaint", "broadband_install_move",
    "service_complaint", "points_rewards", "fraud_report", "real_name", "other",
)
REQUIRED_ACTIONS = (
    "refund_via_elastic_package", "offer_data_pack", "open_gprs_function", "guide_apn_reset", "guide_device_restart",
    "create_repair_ticket", "remote_onu_reboot", "read_emergency_script", "create_complaint_ticket",
    "escalate_supervisor", "payment_guide", "resume_service", "resume_broadband", "unsubscribe_vas", "change_plan",
    "reset_password", "reset_broadband_password", "enable_roaming", "send_sms_guide", "explain_bill",
    "verify_identity", "no_action", "guide_airplane_mode_off", "guide_mobile_data_on", "guide_network_mode",
    "guide_data_saver_off", "guide_vpn_off", "guide_reseat_sim",
)


class VocabularyError(ValueError):
    """The vocabulary file is missing, unreadable or invalid; the message names the entry and field."""


class Entry(BaseModel):
    """An intent or action."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="Stable id, lower_snake_case")
    label: str = Field(min_length=2, max_length=20, description="Chinese label shown to agents")
    description: str = Field(min_length=5, max_length=200, description="One line in Chinese")

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not ID_PATTERN.fullmatch(value):
            raise ValueError(f"id 必须是小写字母、数字和下划线: {value!r}")
        return value


class Intent(Entry):
    """What a caller wants."""

    pilot: bool = Field(default=False, description="One of the three seed pilot call types")


class Action(Entry):
    """What the agent can do about it."""

    kind: Literal["system_write", "ticket", "script", "guidance", "handset_guide", "escalation"] = Field(
        description="system_write and ticket change records and need the agent's confirmation"
    )

    @property
    def needs_confirmation(self) -> bool:
        """Whether the copilot may run it only after the agent confirms."""
        return self.kind in ("system_write", "ticket")


class Vocabulary(BaseModel):
    """All intents and actions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1, description="Bumped on incompatible change")
    intents: list[Intent] = Field(description="Intents")
    actions: list[Action] = Field(description="Actions")

    @model_validator(mode="after")
    def _complete(self) -> Vocabulary:
        for kind, entries, required in (("intent", self.intents, REQUIRED_INTENTS),
                                        ("action", self.actions, REQUIRED_ACTIONS)):
            ids = [e.id for e in entries]
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"重复的 {kind} id: {', '.join(dupes)}")
            missing = [i for i in required if i not in ids]
            if missing:
                raise ValueError(f"缺少必需的 {kind} id: {', '.join(missing)}")
        return self

    @cached_property
    def intent_by_id(self) -> dict[str, Intent]:
        """Intents by id."""
        return {i.id: i for i in self.intents}

    @cached_property
    def action_by_id(self) -> dict[str, Action]:
        """Actions by id."""
        return {a.id: a for a in self.actions}


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """Load and validate the vocabulary.

    Args:
        path: The YAML file; the packaged one when None.

    Returns:
        The vocabulary.

    Raises:
        VocabularyError: Naming the file, the entry and the field that is wrong.
    """
    path = path or DEFAULT_PATH
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path}: 无法读取词表: {exc}") from None
    try:
        return Vocabulary.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = list(err["loc"])
            where = ".".join(str(p) for p in loc)
            if len(loc) >= 2 and isinstance(raw, dict) and loc[0] in ("intents", "actions"):
                with contextlib.suppress(IndexError, AttributeError, TypeError):
                    where += f" (id={raw[loc[0]][loc[1]].get('id')})"
            lines.append(f"{where}: {err['msg']}")
        raise VocabularyError(f"{path}: 词表不合法:\n  " + "\n  ".join(lines)) from None
