"""report.md: the run's summary table with targets, per-intent and per-tag tables, and the failures."""

from __future__ import annotations

import html
from typing import Any

from evals.report.common import (
    failures,
    intent_name,
    metric_rows,
    run_lines,
    short,
    slice_header,
    slice_rows,
)


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def render_markdown(summary: dict[str, Any]) -> str:
    """The Markdown report (all text is stored, masked text; nothing is read from anywhere else)."""
    lines = [f"# 离线评测报告 · {summary['run'].get('suite', '')}", ""]
    lines += [f"- {label}：{value}" for label, value in run_lines(summary)] + [""]
    lines += ["## 结论", ""]
    if summary["target_failures"]:
        lines += [f"**未达标 {len(summary['target_failures'])} 项：**", ""]
        lines += [f"- {_cell(failure)}" for failure in summary["target_failures"]] + [""]
    else:
        lines += ["**全部目标达成。**", ""]
    lines += ["## 指标汇总 (summary)", ""]
    lines += _table(["指标 id", "指标", "值", "n", "目标", "结果"], metric_rows(summary))
    lines += ["## 分意图 (by gold main intent)", ""]
    lines += _table(["主意图", *slice_header()], slice_rows(summary, "intent"))
    if summary["slices"]["tag"]:
        lines += ["## 分标签 (by tag)", ""]
        lines += _table(["标签", *slice_header()], slice_rows(summary, "tag"))
    lookups = summary["lookups"]
    lines += ["## 省去的查询 (lookups saved)", "", f"- {lookups['note']}", ""]
    lines += _table(["读工具", "用到的通话数"], [[tool, str(count)] for tool, count in lookups["by_tool"].items()])
    if summary["ungrounded"]:
        lines += ["## 无出处的数字 (ungrounded)", ""]
        lines += _table(["用例", "句", "类别", "数字", "回复"],
                        [[u["case"], str(u["turn"]), u["kind"], u["text"], u["reply"]] for u in summary["ungrounded"]])
    if summary["leaks"]:
        lines += ["## 个人信息泄露 (PII leaks)", ""]
        lines += _table(["用例", "文件", "位置", "形式", "值（已遮盖）"],
                        [[str(x["case"]), x["file"], x["where"], x["form"], x["pii"]] for x in summary["leaks"]])
    if summary.get("skipped"):
        lines += ["## 跳过的用例 (skipped, not scored)", ""]
        lines += _table(["用例", "原因"], [[x["id"], x["reason"]] for x in summary["skipped"]])
    failed = failures(summary)
    lines += [f"## 未通过的用例 (failures)：{len(failed)} / {len(summary['cases'])}", ""]
    for case in failed:
        lines += [f"### {case['id']} — {_cell(case['description'])}", ""]
        lines += [f"- 标签：{short(case['tags'])}",
                  f"- 主意图：标注 {intent_name(case['main_intent'])}，预测 {intent_name(case['predicted_intent'])}"]
        if case["error"]:
            lines.append(f"- 回放错误：{_cell(case['error'])}")
        lines += ["", *_table(["检查", "期望", "实际建议", "说明"],
                              [[c["label"], short(c["expected"]), short(c["suggested"]), c["note"]]
                               for c in case["checks"] if not c["ok"]])]
        lines += ["<details><summary>通话文本（已脱敏）</summary>", ""]
        for t in case["transcript"]:
            who = "来电" if t["speaker"] == "caller" else "坐席"
            lines.append(f"{t['index']}. **{who}**：{_cell(html.escape(t['text'], quote=False))}")
        lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"
