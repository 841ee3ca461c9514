"""A run's reports: report.json (summary and per-case details), report.md and a self-contained report.html.

The reports hold only what the run stored (transcripts as masked by the harness, gold labels without their PII
values, leaks with the value masked). After writing them, the run directory is searched again, reports included,
so a leak that a report would carry is itself reported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.metrics import compute
from evals.records import read_results
from evals.report.charts import confusion_chart, latency_chart, metrics_chart
from evals.report.common import intent_labels
from evals.report.html import render_html
from evals.report.markdown import render_markdown

__all__ = ["REPORT_FILES", "write_reports"]

REPORT_FILES = {"json": "report.json", "md": "report.md", "html": "report.html"}


def _charts(summary: dict[str, Any]) -> dict[str, str | None]:
    latencies = [v for case in summary["cases"] for v in case["latency_ms"]]
    cards = [v for case in summary["cases"] for v in case["first_card_ms"]]
    return {"metrics": metrics_chart(summary), "confusion": confusion_chart(summary["confusion"], intent_labels()),
            "latency": latency_chart(latencies, cards)}


def _write(summary: dict[str, Any], paths: dict[str, Path]) -> None:
    paths["json"].write_text(json.dumps(summary, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    paths["md"].write_text(render_markdown(summary), encoding="utf-8")
    paths["html"].write_text(render_html(summary, _charts(summary)), encoding="utf-8")


def write_reports(run_dir: Path) -> dict[str, Path]:
    """Score the run in `run_dir` and write its three reports there.

    Returns:
        The paths written, by kind: ``json``, ``md``, ``html``.
    """
    run_dir = Path(run_dir)
    paths = {kind: run_dir / name for kind, name in REPORT_FILES.items()}
    results = read_results(run_dir)
    summary = compute(results, run_dir, skip=paths.values())
    _write(summary, paths)
    rescanned = compute(results, run_dir)  # the reports just written are searched too
    if rescanned["leaks"] != summary["leaks"]:
        _write(rescanned, paths)
    return paths
