"""Two runs side by side: metric deltas, and case by case which expectations were lost or gained.

A regression is a case present in both runs that met an expectation (a check of `evals.scoring`) in run A and
does not in run B; an improvement is the reverse. A check that only one run scores (the gold labels changed) is
neither. ``hotline eval compare A B`` exits 1 when there is any regression, or a case of A that B did not run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evals.metrics import compute
from evals.records import read_manifest, read_results
from evals.targets import METRICS, format_value, missed_targets


def _summary(run_dir: Path) -> dict[str, Any]:
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"{run_dir}: 不是评测运行目录")
    return compute(read_results(run_dir), run_dir)


def _metric_deltas(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for metric, spec in METRICS.items():
        va = a["metrics"].get(metric, {}).get("value")
        vb = b["metrics"].get(metric, {}).get("value")
        delta = None if va is None or vb is None else vb - va
        better = None if not delta else (delta > 0) == (spec.better == "higher")
        out.append({"metric": metric, "label": spec.label, "a": va, "b": vb, "delta": delta, "better": better})
    return out


def _case_changes(a: dict[str, Any], b: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    cases_a = {case["id"]: case for case in a["cases"]}
    regressions: list[dict[str, Any]] = []
    improvements: list[dict[str, Any]] = []
    for case_b in b["cases"]:
        case_a = cases_a.get(case_b["id"])
        if case_a is None:
            continue
        checks_a = {c["name"]: c for c in case_a["checks"]}
        lost: list[dict[str, Any]] = []
        gained: list[dict[str, Any]] = []
        for check_b in case_b["checks"]:
            check_a = checks_a.get(check_b["name"])
            if check_a is None or check_a["ok"] == check_b["ok"]:
                continue
            change = {"check": check_b["name"], "label": check_b["label"], "expected": check_b["expected"],
                      "a": check_a["suggested"], "b": check_b["suggested"], "note": check_b["note"] or check_a["note"]}
            (lost if check_a["ok"] else gained).append(change)
        if lost:
            regressions.append({"id": case_b["id"], "description": case_b["description"], "checks": lost})
        if gained:
            improvements.append({"id": case_b["id"], "description": case_b["description"], "checks": gained})
    return regressions, improvements


def _mismatches(a: Path, b: Path) -> list[str]:
    """What differs between the two runs beside the copilot's answers: another suite, mode, world or copilot.

    A copilot (data files, commit) that differs is what a comparison is for, and is named, not warned about.
    """
    ma, mb = read_manifest(a), read_manifest(b)
    out = []
    if ma.suite_sha256 != mb.suite_sha256:
        out.append(f"套件不同：A {ma.suite}（sha256 {ma.suite_sha256[:12]}），"
                   f"B {mb.suite}（sha256 {mb.suite_sha256[:12]}）")
    if (ma.config, ma.url) != (mb.config, mb.url):
        out.append(f"运行方式不同：A config={ma.config} url={ma.url}，B config={mb.config} url={mb.url}")
    for key, label in (("seed", "种子"), ("as_of", "时点"), ("subscribers", "线路数"), ("kb_sample", "知识库抽样"),
                       ("kb_version", "知识库版本")):
        if ma.world.get(key) != mb.world.get(key):
            out.append(f"评测世界的{label}不同：A {ma.world.get(key)}，B {mb.world.get(key)}")
    return out


def _products(a: Path, b: Path) -> list[str]:
    """The copilots compared: their commits and whether their data files differ."""
    pa, pb = read_manifest(a).product, read_manifest(b).product
    if not pa or not pb:
        return []
    same = pa.get("data_sha256") == pb.get("data_sha256")
    return [f"A {pa.get('git') or '未知提交'} → B {pb.get('git') or '未知提交'}；数据文件{'相同' if same else '不同'}"]


def compare_runs(a: Path, b: Path) -> dict[str, Any]:
    """Compare run B (new) against run A (baseline).

    Returns:
        ``{a, b, metrics: [{metric, label, a, b, delta, better}], regressions: [{id, description, checks}],
        improvements: [...], new_cases: [ids only in B], missing_cases: [ids only in A],
        skipped_cases: [ids scored in A that B skipped],
        targets: {a: failures, b: failures}, newly_failed_targets: [...]}``; each check change names the check,
        what was expected, and what A and B suggested.

    Raises:
        FileNotFoundError: When a path is not a directory.
    """
    sa, sb = _summary(Path(a)), _summary(Path(b))
    regressions, improvements = _case_changes(sa, sb)
    ids_a = [case["id"] for case in sa["cases"]]
    ids_b = [case["id"] for case in sb["cases"]]
    skipped_b = {case["id"] for case in sb.get("skipped", [])}
    missed_a = {metric for metric, _ in missed_targets(sa)}
    return {
        "a": str(a), "b": str(b), "metrics": _metric_deltas(sa, sb),
        "regressions": regressions, "improvements": improvements,
        "new_cases": [i for i in ids_b if i not in set(ids_a)],
        "missing_cases": [i for i in ids_a if i not in set(ids_b) and i not in skipped_b],
        "skipped_cases": [i for i in ids_a if i in skipped_b],
        "targets": {"a": sa["target_failures"], "b": sb["target_failures"]},
        "newly_failed_targets": [sentence for metric, sentence in missed_targets(sb) if metric not in missed_a],
        "mismatches": _mismatches(Path(a), Path(b)), "products": _products(Path(a), Path(b)),
    }


def _changes(entry: dict[str, Any]) -> list[str]:
    lines = [f"  - {entry['id']}：{entry['description']}"]
    for change in entry["checks"]:
        note = f"（{change['note']}）" if change["note"] else ""
        lines.append(f"      · {change['label']} [{change['check']}]：期望 {_short(change['expected'])}；"
                     f"A 建议 {_short(change['a'])} → B 建议 {_short(change['b'])}{note}")
    return lines


def _short(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value) or "（空）"
    return "—" if value is None else str(value)


def format_comparison(d: dict[str, Any]) -> str:
    """The comparison as text for the terminal (Chinese, metric ids in English)."""
    lines = [f"对比：A = {d['a']}  →  B = {d['b']}"]
    lines += [f"版本：{p}" for p in d.get("products", [])]
    lines += [f"注意：{m}" for m in d.get("mismatches", [])]
    lines += ["", "指标变化："]
    for m in d["metrics"]:
        if m["a"] is None and m["b"] is None:
            continue
        mark = "" if m["better"] is None else (" ↑变好" if m["better"] else " ↓变差")
        delta = "" if m["delta"] is None else f"（{'+' if m['delta'] >= 0 else ''}{_delta(m['metric'], m['delta'])}）"
        lines.append(f"  {m['metric']:<32} {format_value(m['metric'], m['a']):>10} → "
                     f"{format_value(m['metric'], m['b']):>10}{delta}{mark}")
    lines += ["", f"退步（regressions）：{len(d['regressions'])} 个用例"]
    for entry in d["regressions"]:
        lines += _changes(entry)
    lines += ["", f"改进（improvements）：{len(d['improvements'])} 个用例"]
    for entry in d["improvements"]:
        lines += _changes(entry)
    if d["new_cases"]:
        lines += ["", f"仅 B 有的用例：{'、'.join(d['new_cases'])}"]
    if d["missing_cases"]:
        lines += ["", f"B 缺少的用例（未运行，可能掩盖退步）：{'、'.join(d['missing_cases'])}"]
    if d.get("skipped_cases"):
        lines += ["", f"B 跳过（未评分）的用例：{'、'.join(d['skipped_cases'])}"]
    if d["newly_failed_targets"]:
        lines += ["", "B 新增未达标："] + [f"  - {f}" for f in d["newly_failed_targets"]]
    return "\n".join(lines) + "\n"


def _delta(metric: str, delta: float) -> str:
    unit = METRICS[metric].unit
    if unit == "ratio":
        return f"{delta * 100:.1f} 个百分点"
    return format_value(metric, delta)
