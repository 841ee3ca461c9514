"""The metric catalogue (id, Chinese label, which way is better, unit) and the targets a run is held to.

Default targets are the issue's, for the deterministic core suite. A suite overrides them with a sidecar YAML next
to the suite file, named ``<suite stem>.targets.yaml`` (``evals/suites/smoke.yaml`` ->
``evals/suites/smoke.targets.yaml``): a mapping from metric id to a threshold, or to ``null`` to drop that target.
The direction (at least / at most) is the metric's own. `compute` finds the sidecar through the suite path in the
run's ``run.json`` (a relative path is tried from the working directory, then from the repository root).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from evals.records import read_manifest


@dataclass(frozen=True)
class MetricSpec:
    """How a metric reads: label, direction and unit."""

    label: str
    better: Literal["higher", "lower"]
    unit: Literal["ratio", "ms", "count", "turn", "number"] = "ratio"


METRICS: dict[str, MetricSpec] = {
    "intent_accuracy": MetricSpec("主意图准确率（通话结束时 top-1）", "higher"),
    "intent_turn_accuracy": MetricSpec("逐句意图准确率（自意图可知起）", "higher"),
    "intent_first_right_turn": MetricSpec("首次识别正确的来电句序（平均）", "lower", "turn"),
    "intent_delay_turns": MetricSpec("识别滞后句数（平均，首次正确 − 可知句）", "lower", "turn"),
    "intent_never_right_rate": MetricSpec("始终未识别主意图的占比", "lower"),
    "secondary_intent_recall": MetricSpec("次要意图召回率", "higher"),
    "read_recall": MetricSpec("必查工具召回率", "higher"),
    "finding_recall": MetricSpec("诊断结论召回率", "higher"),
    "action_precision": MetricSpec("动作精确率（全通话并集）", "higher"),
    "action_recall": MetricSpec("动作召回率（全通话并集）", "higher"),
    "action_precision_final": MetricSpec("动作精确率（最终建议）", "higher"),
    "action_recall_final": MetricSpec("动作召回率（最终建议）", "higher"),
    "must_not_violation_rate": MetricSpec("禁止动作违规率", "lower"),
    "interception_rate": MetricSpec("宽带投诉拦截率", "higher"),
    "false_interception_rate": MetricSpec("宽带误拦截率", "lower"),
    "disposition_accuracy": MetricSpec("处置结论准确率", "higher"),
    "retrieval_hit@1": MetricSpec("知识命中率@1", "higher"),
    "retrieval_hit@3": MetricSpec("知识命中率@3", "higher"),
    "retrieval_hit@5": MetricSpec("知识命中率@5", "higher"),
    "retrieval_mrr": MetricSpec("知识 MRR", "higher", "number"),
    "retrieval_hit@5_last": MetricSpec("知识命中率@5（最后一句来电）", "higher"),
    "groundedness": MetricSpec("回复数字有据率（按用例）", "higher"),
    "groundedness_mentions": MetricSpec("回复数字有据率（按数字）", "higher"),
    "must_mention_coverage": MetricSpec("必提事实覆盖率", "higher"),
    "must_not_say_violation_rate": MetricSpec("禁语违规率", "lower"),
    "escalation_recall": MetricSpec("升级召回率", "higher"),
    "escalation_false_positive_rate": MetricSpec("升级误报率", "lower"),
    "escalation_false_positives": MetricSpec("升级误报数", "lower", "count"),
    "pii_leaks": MetricSpec("个人信息泄露处数", "lower", "count"),
    "pii_leak_cases": MetricSpec("发生泄露的用例数", "lower", "count"),
    "latency_p50_ms": MetricSpec("建议时延 p50", "lower", "ms"),
    "latency_p95_ms": MetricSpec("建议时延 p95", "lower", "ms"),
    "latency_p99_ms": MetricSpec("建议时延 p99", "lower", "ms"),
    "first_card_p50_ms": MetricSpec("首卡时延 p50", "lower", "ms"),
    "first_card_p95_ms": MetricSpec("首卡时延 p95", "lower", "ms"),
    "first_card_p99_ms": MetricSpec("首卡时延 p99", "lower", "ms"),
    "lookups_per_call": MetricSpec("每通省去的查询点（平均）", "higher", "number"),
    "systems_per_call": MetricSpec("每通省去的系统界面（平均）", "higher", "number"),
    "lookups_total": MetricSpec("省去的查询点（合计）", "higher", "count"),
    "replay_errors": MetricSpec("回放失败用例数", "lower", "count"),
}

HEADLINE = ["intent_accuracy", "intent_turn_accuracy", "secondary_intent_recall", "action_precision",
            "action_recall", "must_not_violation_rate", "interception_rate", "false_interception_rate",
            "retrieval_hit@5", "retrieval_mrr", "groundedness", "must_mention_coverage",
            "must_not_say_violation_rate", "escalation_recall", "pii_leaks", "latency_p95_ms"]

DEFAULT_TARGETS: dict[str, float] = {
    "intent_accuracy": 0.95,
    "action_recall": 0.90,
    "must_not_violation_rate": 0.01,
    "interception_rate": 0.85,
    "false_interception_rate": 0.02,
    "groundedness": 1.0,
    "retrieval_hit@5": 0.95,
    "pii_leaks": 0,
}

LOCKED = {"pii_leaks": 0.0}
"""Targets no sidecar may drop or loosen: a release never ships with personal data leaked."""
SIDECAR_SUFFIX = ".targets.yaml"
REPO_ROOT = Path(__file__).resolve().parent.parent


def sidecar_path(suite: str | Path) -> Path:
    """Where a suite's target overrides live: ``<suite stem>.targets.yaml`` next to it."""
    suite = Path(suite)
    return suite.with_name(suite.stem + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> dict[str, float | None]:
    """A sidecar's overrides (``null`` drops a target).

    Raises:
        ValueError: Naming the file and key when it is not a mapping of known metric ids to numbers or null.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if isinstance(data, dict) and set(data) == {"targets"}:
        data = data["targets"] or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: 应为「指标 id: 阈值」的映射")
    out: dict[str, float | None] = {}
    for key, value in data.items():
        if key not in METRICS:
            raise ValueError(f"{path}: {key}: 未知指标（可用：{', '.join(METRICS)}）")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError(f"{path}: {key}: 阈值应为数字或 null")
        out[key] = None if value is None else float(value)
        if key in LOCKED and out[key] != LOCKED[key]:
            raise ValueError(f"{path}: {key}: 这个目标固定为 {LOCKED[key]:g}，不能删除或放宽")
    return out


def resolve_targets(run_dir: Path) -> tuple[dict[str, dict[str, Any]], str | None]:
    """The run's targets: defaults overlaid with the suite's sidecar (suite path from run.json).

    Returns:
        ({metric: {"op": ">=" or "<=", "value": threshold}}, the sidecar path used or None).
    """
    targets: dict[str, float | None] = dict(DEFAULT_TARGETS)
    source = None
    try:
        suite = read_manifest(run_dir).suite
    except (FileNotFoundError, ValueError):
        suite = None
    if suite:
        path = sidecar_path(suite)
        if not path.is_absolute() and not path.exists():
            path = REPO_ROOT / path  # a relative suite path, read from another working directory
        if path.exists():
            targets.update(read_sidecar(path))
            source = str(path)
    resolved = {metric: {"op": ">=" if METRICS[metric].better == "higher" else "<=", "value": value}
                for metric, value in targets.items() if value is not None}
    return resolved, source


def missed_targets(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(metric id, sentence) for each target the run misses; see `check_targets`."""
    run = summary.get("run", {})
    if not run.get("cases"):
        return [("cases", "没有可评分的用例结果（results.jsonl 为空或全部跳过）")]
    missed = []
    planned, scored = run.get("planned_cases"), run["cases"] + run.get("skipped", 0)
    if planned and scored < planned:  # an interrupted run is judged on the cases it reached: not a pass
        missed.append(("cases", f"运行未完成：{planned} 个用例只完成 {scored} 个（用同一个 --out 再运行即可续跑）"))
    for metric, target in summary.get("targets", {}).items():
        entry = summary.get("metrics", {}).get(metric, {})
        value = entry.get("value")
        if value is None:
            continue
        threshold = target["value"]
        if not (value >= threshold if target["op"] == ">=" else value <= threshold):
            label = METRICS[metric].label if metric in METRICS else metric
            missed.append((metric, f"{metric}（{label}）= {format_value(metric, value)}，目标 {target['op']} "
                                   f"{format_value(metric, threshold)}（n={entry.get('n')}）"))
    return missed


def check_targets(summary: dict[str, Any]) -> list[str]:
    """The targets a run misses, as sentences (empty when every target is met).

    A target whose metric has no cases to measure (n = 0, e.g. no broadband calls in the suite) is skipped; a run
    with no cases at all fails, and so does one stopped before all its planned cases ran.
    """
    return [sentence for _, sentence in missed_targets(summary)]


def format_value(metric: str, value: float | None) -> str:
    """A metric value as reports print it (ratios as percentages)."""
    if value is None:
        return "—"
    unit = METRICS[metric].unit if metric in METRICS else "number"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "ms":
        return f"{value:.0f} ms"
    if unit == "count":
        return f"{value:.0f}"
    return f"{value:.2f}"
