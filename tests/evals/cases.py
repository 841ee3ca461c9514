"""Hand-built run records for the metrics, report and compare tests (no harness, no graph)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.records import MANIFEST, RESULTS, CaseResult, RunManifest, Suggestion, TurnResult
from evals.scenario import Gold


def sug(intent: str | None = "broadband_fault", conf: float = 0.96, *, others: tuple[tuple[str, float], ...] = (),
        **fields: Any) -> Suggestion:
    """A suggestion whose top intent is `intent`; other fields as given."""
    intents = ([(intent, conf)] if intent else []) + list(others)
    return Suggestion(intents=intents, **fields)


def turns(*steps: tuple[str, str, Suggestion], latency: float = 120.0) -> list[TurnResult]:
    """Turns from (speaker, text, suggestion) triples, numbered from 1."""
    return [TurnResult(index=n, speaker=speaker, text=text, latency_ms=latency + n, suggestion=s)
            for n, (speaker, text, s) in enumerate(steps, 1)]


def case(case_id: str, gold: dict[str, Any], steps: list[TurnResult], *, tags: list[str] | None = None,
         ok: bool = True, error: str | None = None, description: str = "") -> CaseResult:
    """A case result with its gold labels."""
    return CaseResult(id=case_id, description=description or f"{case_id} 的描述", tags=tags or [],
                      msisdn_masked="138****5678", gold=Gold(**gold), ok=ok, error=error, turns=steps)


def write_run(run_dir: Path, results: list[CaseResult], suite: str = "evals/suites/core.yaml",
              **manifest_fields: Any) -> Path:
    """A run directory: results.jsonl and run.json (`manifest_fields` replace its defaults)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / RESULTS).write_text("".join(r.model_dump_json() + "\n" for r in results), encoding="utf-8")
    fields: dict[str, Any] = {"suite_sha256": "0" * 64, "config": "deterministic", "started": "2026-11-20T10:00:00",
                              "finished": "2026-11-20T10:05:00", "cases": len(results), **manifest_fields}
    manifest = RunManifest(suite=suite, **fields)
    (run_dir / MANIFEST).write_text(manifest.model_dump_json(), encoding="utf-8")
    return run_dir


ONU_FACTS = ["光猫状态 = 在线（2026-11-17T00:19:00起） (PON)", "光猫业务异常 = 在线但无业务流量（疑似假死） (PON)",
             "最近一次认证 = 2026-11-23T03:29:00 认证成功 (AAA)"]
ONU_READS = [{"tool": "pon_get_line_status", "system": "PON", "ok": True, "error": None, "facts": ONU_FACTS[:2]},
             {"tool": "aaa_get_auth_log", "system": "AAA", "ok": True, "error": None, "facts": ONU_FACTS[2:]},
             {"tool": "boss_get_account", "system": "BOSS", "ok": False, "error": "timeout", "facts": []}]
FEE_FACTS = ["2026-10套餐外流量 = 6656.0MB (BOSS)", "2026-10 套餐外流量费 = 国内通用流量套餐外费用 480.0元 (BOSS)",
             "适用档位 = 弹性计费包50元档（12GB）（50.0元） (BOSS)", "办理后可节省 = 430.0元 (BOSS)"]
FEE_REPLY = ("您好，帮您查到您10月国内套餐外流量6.5GB，按标准资费是四百八十元。您符合弹性计费包的办理条件，"
             "可以为您转成弹性计费包50元档（12GB），能为您节省430元。")


def to_json(path: Path) -> dict[str, Any]:
    """A JSON file, parsed."""
    return json.loads(path.read_text(encoding="utf-8"))
