"""Demo mode: sample calls to replay in the sidebar, each on a simulator line that shows its situation.

The calls are data (`copilot/data/demo_calls.yaml`). Each situation resolves to a line of the simulator's
``sim_profiles`` table, preferring one that no earlier demo changed (no write in the simulator's audit log), so the
demo works on any generated world and still shows its situation after someone confirmed an action on it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Literal

import yaml
from fastapi import APIRouter, status
from pydantic import BaseModel, Field, model_validator

from copilot.api.deps import BackendsDep, GateDep, SettingsDep
from copilot.api.errors import api_error
from copilot.pii import mask

router = APIRouter(prefix="/v1/demo", tags=["demo"])

UNTOUCHED = """
SELECT p.msisdn FROM sim_profiles p
WHERE p.situation = ? AND NOT EXISTS (
    SELECT 1 FROM audit_log a
    WHERE a.target = p.msisdn
       OR a.target IN (SELECT b.account_id FROM broadband_accounts b WHERE b.msisdn = p.msisdn))
ORDER BY p.msisdn LIMIT 1
"""
DEMO_FILE = Path(__file__).resolve().parents[2] / "data" / "demo_calls.yaml"
ANY = "SELECT msisdn FROM sim_profiles WHERE situation = ? ORDER BY msisdn LIMIT 1"


class DemoStep(BaseModel):
    """One step of a sample call: an utterance, or the agent's question to the copilot."""

    speaker: Literal["caller", "agent", "ask"] = Field(description="caller / agent say it; ask: typed in the chat")
    text: str = Field(min_length=1, max_length=500, description="What is said or asked")
    pause_s: float = Field(default=1.5, ge=0, le=10, description="Silence before the step, at normal speed")

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        """Accept ``{caller: 文本}`` as well as ``{speaker: caller, text: 文本}``."""
        if isinstance(value, dict) and "speaker" not in value:
            for speaker in ("caller", "agent", "ask"):
                if speaker in value:
                    rest = {k: v for k, v in value.items() if k != speaker}
                    return {"speaker": speaker, "text": value[speaker], **rest}
        return value


class DemoCall(BaseModel):
    """A sample call."""

    id: str = Field(pattern=r"^[a-z0-9_]+$", description="Stable id, also usable as ?demo=<id>")
    title: str = Field(min_length=2, max_length=40, description="What the newcomer picks")
    pilot: bool = Field(default=False, description="One of the three pilot call types")
    situation: str = Field(description="Simulator situation (sim_profiles.situation)")
    summary: str = Field(max_length=120, description="What it shows")
    steps: list[DemoStep] = Field(min_length=1, description="In order")


class DemoCalls(BaseModel):
    """The demo file."""

    version: int = Field(ge=1)
    calls: list[DemoCall]


def load_demo_calls(path: Path | None = None) -> DemoCalls:
    """The sample calls (the packaged file when `path` is None)."""
    text = (path or DEMO_FILE).read_text(encoding="utf-8")
    return DemoCalls.model_validate(yaml.safe_load(text))


def resolve_lines(sim_db: Path, situations: list[str]) -> dict[str, str | None]:
    """A line per situation: the first one no write has touched, else the first one; None when there is none."""
    conn = sqlite3.connect(f"{sim_db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        out: dict[str, str | None] = {}
        for situation in situations:
            row = conn.execute(UNTOUCHED, (situation,)).fetchone() or conn.execute(ANY, (situation,)).fetchone()
            out[situation] = str(row[0]) if row else None
        return out
    finally:
        conn.close()


@router.get("/calls")
def demo_calls(settings: SettingsDep, backends: BackendsDep, gate: GateDep) -> dict[str, Any]:
    """Sample calls with the simulator line each replays on (calls with no such line are left out)."""
    if "sim" not in backends.kinds.values() or not settings.sim_db_path.is_file():
        raise api_error(status.HTTP_404_NOT_FOUND, "no_simulator", "演示模式需要模拟后台（未连接模拟数据库）")
    calls = load_demo_calls().calls
    try:
        with gate.shared():  # the simulator's SQLite: no worker is forked meanwhile
            lines = resolve_lines(settings.sim_db_path, sorted({c.situation for c in calls}))
    except sqlite3.Error as exc:
        raise api_error(status.HTTP_503_SERVICE_UNAVAILABLE, "sim_unreadable", f"无法读取模拟数据库：{exc}") from None
    out = []
    for call in calls:
        msisdn = lines.get(call.situation)
        if msisdn:
            out.append({**call.model_dump(), "msisdn": msisdn, "msisdn_masked": mask(msisdn)})
    return {"calls": out}
