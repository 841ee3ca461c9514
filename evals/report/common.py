"""What the Markdown and HTML reports share: labels, value formatting and the rows of their tables."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from evals.targets import HEADLINE, METRICS, format_value

SLICE_COLUMNS = ["intent_accuracy", "action_recall", "must_not_violation_rate", "interception_rate",
                 "retrieval_hit@5", "groundedness", "must_mention_coverage", "latency_p95_ms"]


@lru_cache(maxsize=1)
def intent_labels() -> dict[str, str]:
    """Intent id -> Chinese label from the shared vocabulary (empty when it cannot be read)."""
    try:
        from knowledge.vocabulary import load_vocabulary

        return {entry.id: entry.label for entry in load_vocabulary().intents}
    except Exception:  # labels are a nicety: a report never fails for them
        return {}


def intent_name(intent: str | None) -> str:
    """``流量费争议 (data_fee_dispute)``, or the id alone when it has no label."""
    if not intent:
        return "(无)"
    label = intent_labels().get(intent)
    return f"{label} ({intent})" if label else intent


def short(value: Any) -> str:
    """A check's expected or suggested value as one line of text."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "；".join(f"{k}：{short(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return "、".join(short(v) for v in value) if value else "（空）"
    return str(value)


def target_text(summary: dict[str, Any], metric: str) -> str:
    """``>= 95.0%``, or empty when the metric has no target."""
    target = summary["targets"].get(metric)
    return f"{target['op']} {format_value(metric, target['value'])}" if target else ""


def verdict(summary: dict[str, Any], metric: str) -> str:
    """达标 / 未达标 / 无样本, or empty when the metric has no target."""
    target = summary["targets"].get(metric)
    if not target:
        return ""
    value = summary["metrics"].get(metric, {}).get("value")
    if value is None:
        return "无样本"
    ok = value >= target["value"] if target["op"] == ">=" else value <= target["value"]
    return "达标" if ok else "未达标"


def metric_rows(summary: dict[str, Any]) -> list[list[str]]:
    """[id, 中文名, 值, n, 目标, 结果] for every metric, headline first."""
    order = HEADLINE + [m for m in METRICS if m not in HEADLINE]
    rows = []
    for metric in order:
        entry = summary["metrics"].get(metric)
        if entry is None:
            continue
        rows.append([metric, METRICS[metric].label, format_value(metric, entry["value"]), str(entry["n"]),
                     target_text(summary, metric), verdict(summary, metric)])
    return rows


def slice_header() -> list[str]:
    """Column titles of the per-intent and per-tag tables."""
    return ["用例数"] + [METRICS[m].label for m in SLICE_COLUMNS]


def slice_rows(summary: dict[str, Any], kind: str) -> list[list[str]]:
    """[name, cases, value per `SLICE_COLUMNS`] for each slice of `kind` (``intent`` or ``tag``)."""
    rows = []
    for name, entry in summary["slices"][kind].items():
        label = intent_name(name) if kind == "intent" else name
        values = [format_value(m, entry["metrics"].get(m, {}).get("value")) for m in SLICE_COLUMNS]
        rows.append([label, str(entry["cases"]), *values])
    return rows


def failures(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The cases that failed at least one check, in run order."""
    return [case for case in summary["cases"] if case["failed"]]


def run_lines(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs describing the run."""
    run = summary["run"]
    return [("套件 suite", str(run.get("suite", "—"))), ("模式 config", str(run.get("config", "—"))),
            ("服务 url", str(run.get("url") or "进程内")), ("用例数", str(run.get("cases", 0))),
            ("回放失败", str(run.get("errors", 0))), ("跳过（未评分）", str(run.get("skipped", 0))),
            ("开始", str(run.get("started", "—"))),
            ("结束", str(run.get("finished") or "—")),
            ("目标来源", str(summary.get("targets_source") or "默认目标（issue 6，core 套件）"))]
