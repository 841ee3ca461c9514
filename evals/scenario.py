"""The scenario format: one replayable call with its backend fixture and gold labels.

A suite is a YAML file (a list of scenarios, or a mapping with a ``scenarios`` list) or a JSONL file (one
scenario per line). `evals/scenario.schema.json` is the JSON Schema of one scenario, generated from these
models (`python -m evals.scenario --schema`); `evals/README.md` explains every field for people who write cases
without reading code.

Strings in a fixture, in scripts, in the transcript and in the gold labels may use placeholders, filled when
the scenario is loaded into its world: ``{caller}`` (the caller's number), ``{now}``, ``{now-2h}``,
``{now+30m}``, ``{now-3d}`` (timestamps), ``{today}``, ``{today-1d}`` (dates), ``{month}``, ``{month-1}``
(billing months).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

Speaker = Literal["caller", "agent"]
Disposition = Literal["intercept", "dispatch", "resolve", "escalate", "inform"]


class ScenarioError(ValueError):
    """A suite file, or a scenario in it, does not match the format; the message names file, case and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Caller(_Strict):
    """Who calls."""

    msisdn: str | None = Field(
        default=None, pattern=r"^1\d{10}$",
        description="The caller's 11-digit number. Omit it to take the first simulator line that shows "
                    "`fixture.situation`; give it with `fixture.tables.subscribers` to create a new line.")
    region: str | None = Field(
        default=None, description="Where the caller is (江西省南昌市); informational, the copilot reads BOSS")


class Fixture(_Strict):
    """The back-office state for this caller, laid over a fresh simulator world."""

    situation: str | None = Field(
        default=None,
        description="Start from a simulator line that shows this situation (tools/sim/generator/situations.py, "
                    "e.g. big_overage_elastic_eligible, gprs_off, bb_onu_hung)")
    tables: dict[str, list[dict[str, Any]] | dict[str, Any]] = Field(
        default_factory=dict,
        description="Rows by simulator table (tools/sim/schema.sql). A list replaces the caller's rows of that "
                    "table ([] removes them; tables without an msisdn column: rows are inserted or replaced by "
                    "primary key); a mapping updates the caller's existing rows with those columns (for tables "
                    "without msisdn: bill_items, auth_log, online_sessions, onus, pon_alarms, pon_ports, cells "
                    "rows linked to the caller). See evals/README.md")


class Fault(_Strict):
    """A back-office system that misbehaves from some turn of the call on."""

    system: Literal["BOSS", "AAA", "PON", "COVERAGE", "TICKETING"] = Field(description="Which system")
    from_turn: int = Field(default=1, ge=1, description="First turn (1-based, all speakers) at which it fails")
    error_rate: float = Field(default=1.0, ge=0, le=1, description="Share of its calls that fail (1.0: down)")
    timeout_rate: float = Field(default=0.0, ge=0, le=1, description="Share of its calls that time out")
    latency_ms: float = Field(default=0.0, ge=0, description="Delay added to each of its calls")


class Turn(_Strict):
    """One utterance on the line."""

    speaker: Speaker = Field(description="caller or agent")
    text: str = Field(min_length=1, max_length=20_000, description="What was said, as the ASR wrote it")
    at_s: float | None = Field(default=None, ge=0, description="Seconds from the start of the call")
    asr_confidence: float | None = Field(default=None, ge=0, le=1, description="ASR confidence, if known")


class Gold(_Strict):
    """What a good copilot does on this call. Every list may be empty; an omitted field is not scored."""

    intents: list[str] = Field(min_length=1,
                               description="Intent ids (knowledge/data/vocabulary.yaml); the first is the call's "
                                           "main intent, the others are also raised")
    intent_clear_at: int = Field(
        default=1, ge=1,
        description="The caller turn (1-based, counting caller turns only) from which the main intent can be "
                    "known; intent accuracy is judged from this turn on")
    read_tools: list[str] = Field(default_factory=list, description="Read tools the copilot must run")
    findings: list[str] = Field(default_factory=list, description="Playbook finding (rule) ids it must establish")
    actions: list[str] = Field(default_factory=list, description="Action ids it must suggest")
    must_not_actions: list[str] = Field(default_factory=list, description="Action ids it must never suggest")
    knowledge: list[str] = Field(default_factory=list,
                                 description="Knowledge point or script ids, any of which answers the call")
    must_mention: list[str] = Field(default_factory=list,
                                    description="Facts (substrings) the suggested reply must contain")
    must_not_say: list[str] = Field(default_factory=list,
                                    description="Phrases no reply or answer may contain")
    escalate: bool | None = Field(default=None, description="Whether the copilot must escalate (supervisor)")
    disposition: Disposition | None = Field(
        default=None, description="Broadband complaints: intercept (solved without a crew) or dispatch")
    pii: list[str] = Field(default_factory=list,
                           description="Personal data in the transcript (phone, ID card, bank card numbers) that "
                                       "must never appear unmasked in stored transcripts, logs or reports")


class Scenario(_Strict):
    """One call to replay."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$", description="Unique within the suite")
    description: str = Field(min_length=1, description="What the case is about, for the people who read reports")
    tags: list[str] = Field(default_factory=list,
                            description="Free labels for slicing: pilot, emotion:angry, noise:asr, multi_intent...")
    now: str | None = Field(default=None, description="The moment of the call (ISO); the world's as-of if omitted")
    caller: Caller = Field(default_factory=Caller, description="Who calls")
    fixture: Fixture = Field(default_factory=Fixture, description="Back-office state for this caller")
    faults: list[Fault] = Field(default_factory=list, description="Back-office systems that fail during the call")
    scripts: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Emergency scripts in force for this call (knowledge/schema.py EmergencyScript fields)")
    turns: list[Turn] = Field(min_length=1, description="The transcript, in order")
    gold: Gold = Field(description="What a good copilot does")

    @model_validator(mode="after")
    def _who(self) -> Scenario:
        if self.caller.msisdn is None and self.fixture.situation is None:
            raise ValueError("caller.msisdn 与 fixture.situation 至少给一个")
        if not any(t.speaker == "caller" for t in self.turns):
            raise ValueError("turns 里至少要有一句来电人的话")
        callers = sum(t.speaker == "caller" for t in self.turns)
        if self.gold.intent_clear_at > callers:
            raise ValueError(f"gold.intent_clear_at={self.gold.intent_clear_at} 超出来电人发言数 {callers}")
        return self

    @field_validator("now")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is not None and "{" not in value:
            datetime.fromisoformat(value)
        return value


def _where(error: ErrorDetails) -> str:
    return ".".join(str(p) for p in error["loc"]) or "(scenario)"


def _raw_cases(path: Path) -> list[tuple[str, Any]]:
    """(position, raw case) pairs; position is "line N" for JSONL and "item N" for YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: 无法读取: {exc}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: 不是 UTF-8 文本") from None
    if path.suffix == ".jsonl":
        out = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append((f"line {n}", json.loads(line)))
            except json.JSONDecodeError as exc:
                raise ScenarioError(f"{path}: line {n}: 不是合法 JSON: {exc.msg}") from None
        return out
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: 不是合法 YAML: {exc}") from None
    if isinstance(data, dict):
        data = data.get("scenarios")
    if not isinstance(data, list):
        raise ScenarioError(f"{path}: 应为场景列表，或含 scenarios 列表的映射")
    return [(f"item {n}", case) for n, case in enumerate(data, 1)]


def load_suite(path: Path | str) -> list[Scenario]:
    """Read and validate a suite file (.yaml/.yml/.jsonl), anywhere on disk.

    Raises:
        ScenarioError: Naming the file, the case (id, or its position) and the field that is wrong; also for
            duplicate ids and an empty suite.
    """
    path = Path(path)
    if path.suffix not in (".yaml", ".yml", ".jsonl"):
        raise ScenarioError(f"{path}: 场景文件应为 .yaml、.yml 或 .jsonl")
    scenarios: list[Scenario] = []
    seen: set[str] = set()
    for position, raw in _raw_cases(path):
        case = raw.get("id") if isinstance(raw, dict) else None
        label = f"case {case!r}" if isinstance(case, str) else position
        try:
            scenario = Scenario.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ScenarioError(f"{path}: {label}: {_where(first)}: {first['msg']}") from None
        if scenario.id in seen:
            raise ScenarioError(f"{path}: {label}: id 重复")
        seen.add(scenario.id)
        scenarios.append(scenario)
    if not scenarios:
        raise ScenarioError(f"{path}: 没有场景")
    return scenarios


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one scenario (what `evals/scenario.schema.json` holds)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://github.com/hotline-copilot/hotline-copilot/evals/scenario.schema.json"
    return schema


SCHEMA_PATH = Path(__file__).resolve().parent / "scenario.schema.json"


def main() -> None:
    """``python -m evals.scenario --schema`` rewrites evals/scenario.schema.json."""
    import sys

    if sys.argv[1:] != ["--schema"]:
        raise SystemExit("usage: python -m evals.scenario --schema")
    SCHEMA_PATH.write_text(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(SCHEMA_PATH)


if __name__ == "__main__":
    main()
