"""What a run writes: one `CaseResult` per scenario (a line of ``results.jsonl``), and the run's manifest.

The harness appends a case's line only when the case is finished (passed its turns, or failed with an error),
so an interrupted run is resumed by skipping the ids already written. Metrics and reports read only these
files: a run directory is self-contained (gold labels are copied into each result).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from evals.scenario import Gold

RESULTS = "results.jsonl"
MANIFEST = "run.json"


class Suggestion(BaseModel):
    """What the sidebar showed after one utterance (or at the end of the call)."""

    model_config = ConfigDict(extra="allow")

    intents: list[tuple[str, float]] = Field(default_factory=list, description="Ranked (intent, confidence)")
    emotion: str = Field(default="calm", description="calm / anxious / angry")
    risks: list[str] = Field(default_factory=list, description="Risk flags raised")
    reads: list[dict[str, Any]] = Field(default_factory=list,
                                        description="Read tools run: {tool, system, ok, error, facts}")
    findings: list[str] = Field(default_factory=list, description="Finding (rule) ids")
    finding_texts: list[str] = Field(default_factory=list, description="The findings as shown")
    actions: list[str] = Field(default_factory=list, description="Suggested action ids, ranked")
    forbidden: list[str] = Field(default_factory=list, description="Actions the playbook rules out")
    disposition: str | None = Field(default=None, description="intercept / dispatch / resolve / escalate / inform")
    knowledge: list[str] = Field(default_factory=list, description="Knowledge ids shown, ranked")
    scripts: list[str] = Field(default_factory=list, description="Emergency script ids shown")
    reply: str | None = Field(default=None, description="The reply to read aloud")
    reply_sources: list[str] = Field(default_factory=list, description="What the reply cites")
    facts: list[str] = Field(default_factory=list, description="Every fact the diagnosis fetched")
    knowledge_text: list[str] = Field(default_factory=list,
                                      description="Title and text of each knowledge item shown (for groundedness)")


class TurnResult(BaseModel):
    """One replayed utterance."""

    index: int = Field(description="1-based position in the transcript")
    speaker: str = Field(description="caller / agent")
    text: str = Field(description="The utterance as stored (masked)")
    latency_ms: float = Field(description="Utterance to complete suggestion")
    first_card_ms: float | None = Field(default=None, description="Utterance to first card (HTTP runs)")
    suggestion: Suggestion = Field(description="The suggestion after this utterance")


class CaseResult(BaseModel):
    """One scenario's replay."""

    id: str
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    msisdn_masked: str | None = Field(default=None, description="The caller's number, masked")
    call_id: str | None = Field(default=None, description="The call id it was replayed under (checkpoints, audit, "
                                                          "calls/ in the run directory)")
    gold: Gold
    ok: bool = Field(description="False when the replay itself failed (see error)")
    error: str | None = None
    turns: list[TurnResult] = Field(default_factory=list)
    wrapup: dict[str, Any] | None = Field(default=None, description="The wrap-up at the end of the call")
    seconds: float = 0.0


class RunManifest(BaseModel):
    """``run.json``: what was run, how, and when."""

    suite: str = Field(description="Suite file path")
    suite_sha256: str
    config: str = Field(description="deterministic / llm")
    url: str | None = Field(default=None, description="Server replayed against, or None for in-process")
    world: dict[str, Any] = Field(default_factory=dict, description="The world: seed, as-of, KB version served")
    product: dict[str, Any] = Field(default_factory=dict,
                                    description="The copilot evaluated: version, git commit, data files' sha256")
    started: str
    finished: str | None = None
    cases: int = 0


def read_results(run_dir: Path) -> list[CaseResult]:
    """The finished cases of a run, in the order they were written (a torn last line is ignored)."""
    path = Path(run_dir) / RESULTS
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            out.append(CaseResult.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValueError):
            continue  # an interrupted write: that case is run again on resume
    return out


def read_manifest(run_dir: Path) -> RunManifest:
    """The run's manifest.

    Raises:
        FileNotFoundError: When `run_dir` is not a run directory.
    """
    path = Path(run_dir) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(f"{run_dir}: 不是评测运行目录（没有 {MANIFEST}）")
    return RunManifest.model_validate_json(path.read_text(encoding="utf-8"))
