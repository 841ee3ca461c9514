"""A run's metrics: the scored cases added up, sliced by tag and by gold main intent, and held to targets.

`compute` is what ``hotline eval`` calls after a run (and `evals.report` and `evals.compare` build on it). Every
metric is defined in evals/README.md (section 指标定义); the per-case checks behind them are in `evals.scoring`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from evals.leaks import find_leaks
from evals.records import CaseResult, read_manifest
from evals.scoring import CaseScore, score_case
from evals.targets import HEADLINE, METRICS, check_targets, resolve_targets

__all__ = ["aggregate", "check_targets", "compute", "percentile"]

NO_INTENT = "(无)"
SKIPPED = "skipped:"  # the harness could not run the case in this mode (e.g. back-office faults over HTTP)
LOOKUP_SECONDS_NOTE = ("DOMAIN.md 只给出整通电话的界面数与处理时长（如流量费争议 4 个界面、240 秒），没有单次查询的"
                       "耗时，因此只统计省去的查询点与系统界面数，不换算成秒。")


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def aggregate(scores: list[CaseScore]) -> dict[str, dict[str, Any]]:
    """Every metric over `scores`: ``{metric: {"value": float or None, "n": denominator}}``.

    A metric with nothing to measure (no case carries that gold label) has value None and n 0.
    """
    out: dict[str, dict[str, Any]] = {}

    def put(metric: str, numerator: float, denominator: int, *, mean: bool = False) -> None:
        value = numerator if mean else _ratio(numerator, denominator)
        out[metric] = {"value": value if denominator else None, "n": denominator}

    n = len(scores)
    put("intent_accuracy", sum(s.predicted == s.main for s in scores), n)
    hits = [h for s in scores for h in s.turn_hits]
    put("intent_turn_accuracy", sum(hits), len(hits))
    firsts = [s for s in scores if s.first_right is not None]
    put("intent_first_right_turn", _mean([float(s.first_right or 0) for s in firsts]) or 0.0, len(firsts), mean=True)
    delays = [float((s.first_right or 0) - s.result.gold.intent_clear_at) for s in firsts]
    put("intent_delay_turns", _mean(delays) or 0.0, len(delays), mean=True)
    put("intent_never_right_rate", n - len(firsts), n)
    for metric, attr in (("secondary_intent_recall", "secondary"), ("read_recall", "reads"),
                         ("finding_recall", "findings"), ("must_mention_coverage", "must_mention")):
        pairs = [getattr(s, attr) for s in scores]
        put(metric, sum(p[0] for p in pairs), sum(p[1] for p in pairs))
    for suffix, attr in (("", "actions_union"), ("_final", "actions_final")):
        triples = [getattr(s, attr) for s in scores if s.result.gold.actions]
        put(f"action_precision{suffix}", sum(t[0] for t in triples), sum(t[1] for t in triples))
        put(f"action_recall{suffix}", sum(t[0] for t in triples), sum(t[2] for t in triples))
    judged = [s.must_not_violated for s in scores if s.must_not_violated is not None]
    put("must_not_violation_rate", sum(judged), len(judged))
    intercept = [s.intercepted for s in scores if s.result.gold.disposition == "intercept"]
    put("interception_rate", sum(bool(x) for x in intercept), len(intercept))
    dispatch = [s.intercepted for s in scores if s.result.gold.disposition == "dispatch"]
    put("false_interception_rate", sum(bool(x) for x in dispatch), len(dispatch))
    with_disposition = [s for s in scores if "disposition" in s.checks]
    put("disposition_accuracy", sum(s.checks["disposition"].ok for s in with_disposition), len(with_disposition))
    retrieval = [s for s in scores if s.result.gold.knowledge]
    for k in (1, 3, 5):
        put(f"retrieval_hit@{k}", sum(s.rank_best is not None and s.rank_best <= k for s in retrieval), len(retrieval))
    put("retrieval_mrr", sum(1 / s.rank_best for s in retrieval if s.rank_best), len(retrieval))
    put("retrieval_hit@5_last", sum(s.rank_last is not None and s.rank_last <= 5 for s in retrieval), len(retrieval))
    replied = [s for s in scores if s.has_reply]
    put("groundedness", sum(not s.ungrounded for s in replied), len(replied))
    total_mentions = sum(s.mentions for s in replied)
    put("groundedness_mentions", total_mentions - sum(len(s.ungrounded) for s in replied), total_mentions)
    said = [s.must_not_said for s in scores if s.must_not_said is not None]
    put("must_not_say_violation_rate", sum(said), len(said))
    should = [s for s in scores if s.result.gold.escalate is True]
    put("escalation_recall", sum(s.escalated for s in should), len(should))
    should_not = [s for s in scores if s.result.gold.escalate is False]
    put("escalation_false_positive_rate", sum(s.escalated for s in should_not), len(should_not))
    false_positives = float(sum(s.escalated for s in should_not))
    out["escalation_false_positives"] = {"value": false_positives if should_not else None, "n": len(should_not)}
    out["pii_leaks"] = {"value": float(sum(len(s.leaks) for s in scores)), "n": n}
    out["pii_leak_cases"] = {"value": float(sum(bool(s.leaks) for s in scores)), "n": n}
    # the caller's turns: an agent's turn is only appended to the transcript (the copilot does not answer it)
    caller_turns = [t for s in scores for t in s.result.turns if t.speaker == "caller"]
    latencies = [t.latency_ms for t in caller_turns]
    cards = [t.first_card_ms for t in caller_turns if t.first_card_ms is not None]
    for name, values in (("latency", latencies), ("first_card", cards)):
        for q in (50, 95, 99):
            out[f"{name}_p{q}_ms"] = {"value": percentile(values, q), "n": len(values)}
    put("lookups_per_call", _mean([float(len(s.tools)) for s in scores]) or 0.0, n, mean=True)
    put("systems_per_call", _mean([float(len(s.systems)) for s in scores]) or 0.0, n, mean=True)
    out["lookups_total"] = {"value": float(sum(len(s.tools) for s in scores)), "n": n}
    out["replay_errors"] = {"value": float(sum(not s.result.ok for s in scores)), "n": n}
    return out


def case_detail(score: CaseScore) -> dict[str, Any]:
    """One case as reports show it: checks with expected and suggested, transcript as stored (masked)."""
    result = score.result
    return {
        "id": result.id, "description": result.description, "tags": result.tags, "ok": result.ok,
        "error": result.error, "main_intent": score.main, "predicted_intent": score.predicted,
        "first_right_turn": score.first_right, "intent_clear_at": result.gold.intent_clear_at,
        "disposition": score.disposition, "knowledge_rank": score.rank_best,
        "checks": [check.as_dict() for check in score.checks.values()], "failed": score.failed(),
        "ungrounded": score.ungrounded, "leaks": score.leaks,
        "transcript": [{"index": t.index, "speaker": t.speaker, "text": t.text} for t in result.turns],
        "latency_ms": [t.latency_ms for t in result.turns],
        "first_card_ms": [t.first_card_ms for t in result.turns if t.first_card_ms is not None],
        "lookups": sorted(score.tools), "systems": sorted(score.systems),
    }


def _slices(scores: list[CaseScore]) -> dict[str, dict[str, Any]]:
    def headline(subset: list[CaseScore]) -> dict[str, Any]:
        metrics = aggregate(subset)
        return {"cases": len(subset), "metrics": {m: metrics[m] for m in HEADLINE}}

    tags = sorted({tag for s in scores for tag in s.result.tags})
    intents = sorted({s.main for s in scores})
    return {"tag": {tag: headline([s for s in scores if tag in s.result.tags]) for tag in tags},
            "intent": {intent: headline([s for s in scores if s.main == intent]) for intent in intents}}


def _confusion(scores: list[CaseScore]) -> dict[str, Any]:
    pairs = Counter((s.main, s.predicted or NO_INTENT) for s in scores)
    golds = sorted({g for g, _ in pairs})
    labels = golds + sorted({p for _, p in pairs} - set(golds))
    return {"gold": golds, "predicted": labels,
            "matrix": {g: {p: pairs[(g, p)] for p in labels if pairs[(g, p)]} for g in golds}}


def _lookups(scores: list[CaseScore]) -> dict[str, Any]:
    tools = Counter(tool for s in scores for tool in s.tools)
    systems = Counter(system for s in scores for system in s.systems)
    return {"by_tool": dict(tools.most_common()), "by_system": dict(systems.most_common()),
            "seconds_saved": None, "note": LOOKUP_SECONDS_NOTE}


def _run_info(run_dir: Path, results: list[CaseResult], skipped: int) -> dict[str, Any]:
    info: dict[str, Any] = {"dir": str(run_dir), "cases": len(results), "errors": sum(not r.ok for r in results),
                            "skipped": skipped}
    try:
        manifest = read_manifest(run_dir)
    except (FileNotFoundError, ValueError):
        return info
    info.update({"suite": manifest.suite, "suite_sha256": manifest.suite_sha256, "config": manifest.config,
                 "url": manifest.url, "world": manifest.world, "started": manifest.started,
                 "finished": manifest.finished, "planned_cases": manifest.cases})
    return info


def compute(results: list[CaseResult], run_dir: Path, *, skip: Iterable[Path] = ()) -> dict[str, Any]:
    """Score a run.

    Args:
        results: The run's cases (`evals.records.read_results`); a repeated id keeps its last result. Cases the
            harness skipped (error ``skipped: ...``, e.g. faults over HTTP) are listed, not scored.
        run_dir: The run directory: searched for personal-data leaks, and its run.json names the suite (whose
            sidecar ``<stem>.targets.yaml`` may override targets).
        skip: Files under `run_dir` not to search for leaks (reports about to be rewritten).

    Returns:
        The summary: ``run``, ``metrics`` ({id: {value, n, label}}), ``targets`` and ``targets_source``,
        ``target_failures``, ``slices`` (by ``tag`` and by gold main ``intent``), ``confusion``, ``ungrounded``,
        ``leaks``, ``lookups``, ``cases`` (per-case checks, transcript and latencies) and ``skipped``.
    """
    run_dir = Path(run_dir)
    everything = list({r.id: r for r in results}.values())
    skipped = [r for r in everything if not r.ok and (r.error or "").startswith(SKIPPED)]
    results = [r for r in everything if r not in skipped]
    leaks = find_leaks(run_dir, {r.id: r.gold.pii for r in everything if r.gold.pii}, skip=skip)
    by_case: dict[str | None, list[dict[str, Any]]] = {}
    for leak in leaks:
        by_case.setdefault(leak["case"], []).append(leak)
    scores = [score_case(r, by_case.get(r.id)) for r in results]
    metrics = aggregate(scores)
    metrics["pii_leaks"]["value"] = float(len(leaks))  # skipped cases' PII and unsearchable files count too
    for metric, entry in metrics.items():
        entry["label"] = METRICS[metric].label
    targets, source = resolve_targets(run_dir)
    summary: dict[str, Any] = {
        "schema": 1, "run": _run_info(run_dir, results, len(skipped)), "metrics": metrics, "targets": targets,
        "targets_source": source, "slices": _slices(scores), "confusion": _confusion(scores),
        "ungrounded": [u for s in scores for u in s.ungrounded], "leaks": leaks, "lookups": _lookups(scores),
        "cases": [case_detail(s) for s in scores],
        "skipped": [{"id": r.id, "reason": (r.error or "").removeprefix(SKIPPED).strip()} for r in skipped],
    }
    summary["target_failures"] = check_targets(summary)
    return summary
