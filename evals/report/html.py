"""report.html: one self-contained page (inline CSS, charts as data: PNG, no external URL), every string escaped."""

from __future__ import annotations

from html import escape
from typing import Any

from evals.report.common import (
    failures,
    intent_labels,
    intent_name,
    metric_rows,
    run_lines,
    short,
    slice_header,
    slice_rows,
)

CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#1d2733;
background:#f7f8fa;line-height:1.5}
h1{font-size:22px}h2{font-size:18px;border-bottom:2px solid #dde3ea;padding-bottom:4px;margin-top:32px}
table{border-collapse:collapse;margin:8px 0 16px;background:#fff;font-size:13px}
th,td{border:1px solid #dde3ea;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef2f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#1e7d45;font-weight:600}.fail{color:#c0392b;font-weight:600}.na{color:#7a8794}
.banner{padding:10px 14px;border-radius:6px;margin:12px 0}.banner.ok{background:#e3f4ea}.banner.bad{background:#fbe5e3}
.diag{background:#dbe9fb;font-weight:600}.case{background:#fff;border:1px solid #dde3ea;border-radius:6px;
padding:8px 12px;margin:10px 0}.case summary{cursor:pointer;font-weight:600}
.tag{display:inline-block;background:#eef2f6;border-radius:3px;padding:0 6px;margin-right:4px;font-size:12px}
.turn{margin:2px 0}.caller{color:#1f5fa8}.agent{color:#6b4fa0}img{max-width:100%;background:#fff}
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _table(header: list[str], rows: list[list[str]], classes: dict[int, str] | None = None) -> str:
    classes = classes or {}
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f'<td class="{classes.get(i, "")}">{_e(c)}</td>' for i, c in enumerate(row))
                   + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _verdict_class(text: str) -> str:
    return {"达标": "pass", "未达标": "fail", "无样本": "na"}.get(text, "")


def _metrics_table(summary: dict[str, Any]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("指标 id", "指标", "值", "n", "目标", "结果"))
    body = []
    for row in metric_rows(summary):
        cells = [f"<td><code>{_e(row[0])}</code></td>", f"<td>{_e(row[1])}</td>", f'<td class="num">{_e(row[2])}</td>',
                 f'<td class="num">{_e(row[3])}</td>', f"<td>{_e(row[4])}</td>",
                 f'<td class="{_verdict_class(row[5])}">{_e(row[5])}</td>']
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table id="metrics"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _confusion_table(summary: dict[str, Any]) -> str:
    confusion = summary["confusion"]
    labels = intent_labels()
    head = "<th>标注 \\ 预测</th>" + "".join(f'<th title="{_e(p)}">{_e(labels.get(p, p))}</th>'
                                            for p in confusion["predicted"])
    rows = []
    for gold in confusion["gold"]:
        counts = confusion["matrix"].get(gold, {})
        cells = "".join(f'<td class="num{" diag" if p == gold else ""}">{counts.get(p, 0) or ""}</td>'
                        for p in confusion["predicted"])
        rows.append(f"<tr><th>{_e(intent_name(gold))}</th>{cells}</tr>")
    return f'<table id="confusion"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _image(png: str | None, alt: str) -> str:
    return f'<p><img alt="{_e(alt)}" src="data:image/png;base64,{png}"></p>' if png else ""


def _case(case: dict[str, Any]) -> str:
    tags = "".join(f'<span class="tag">{_e(t)}</span>' for t in case["tags"])
    failed = [c for c in case["checks"] if not c["ok"]]
    rows = [[c["label"], short(c["expected"]), short(c["suggested"]), c["note"]] for c in failed]
    transcript = "".join(
        f'<div class="turn {_e(t["speaker"])}"><b>{t["index"]}. {"来电" if t["speaker"] == "caller" else "坐席"}</b>'
        f"：{_e(t['text'])}</div>" for t in case["transcript"])
    error = f"<p class=\"fail\">回放错误：{_e(case['error'])}</p>" if case["error"] else ""
    return (f'<details class="case" id="case-{_e(case["id"])}" open><summary>{_e(case["id"])} — '
            f'{_e(case["description"])} <span class="fail">（{_e("、".join(c["label"] for c in failed))}）</span>'
            f"</summary><p>{tags}</p><p>主意图：标注 {_e(intent_name(case['main_intent']))}，"
            f"预测 {_e(intent_name(case['predicted_intent']))}</p>{error}"
            f"{_table(['检查', '期望', '实际建议', '说明'], rows)}"
            f"<p><b>通话文本（已脱敏）</b></p>{transcript}</details>")


def render_html(summary: dict[str, Any], charts: dict[str, str | None]) -> str:
    """The HTML report.

    Args:
        summary: `evals.metrics.compute`'s summary.
        charts: Base64 PNGs by name (``metrics``, ``confusion``, ``latency``); a None chart is left out.
    """
    run = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in run_lines(summary))
    if summary["target_failures"]:
        items = "".join(f"<li>{_e(f)}</li>" for f in summary["target_failures"])
        banner = f'<div class="banner bad"><b>未达标 {len(summary["target_failures"])} 项</b><ul>{items}</ul></div>'
    else:
        banner = '<div class="banner ok"><b>全部目标达成。</b></div>'
    parts = [f"<h1>离线评测报告 · {_e(summary['run'].get('suite', ''))}</h1>", f"<table>{run}</table>", banner,
             "<h2>指标汇总 (summary)</h2>", _image(charts.get("metrics"), "核心指标与目标"), _metrics_table(summary),
             "<h2>主意图混淆矩阵 (confusion matrix)</h2>", _image(charts.get("confusion"), "主意图混淆矩阵"),
             _confusion_table(summary),
             "<h2>分意图 (by gold main intent)</h2>",
             _table(["主意图", *slice_header()], slice_rows(summary, "intent"))]
    if summary["slices"]["tag"]:
        parts += ["<h2>分标签 (by tag)</h2>", _table(["标签", *slice_header()], slice_rows(summary, "tag"))]
    parts += ["<h2>时延分布 (latency)</h2>", _image(charts.get("latency"), "时延分布")]
    lookups = summary["lookups"]
    parts += ["<h2>省去的查询 (lookups saved)</h2>", f"<p>{_e(lookups['note'])}</p>",
              _table(["读工具", "用到的通话数"], [[k, str(v)] for k, v in lookups["by_tool"].items()])]
    if summary["ungrounded"]:
        rows = [[u["case"], str(u["turn"]), u["kind"], u["text"], u["reply"]] for u in summary["ungrounded"]]
        parts += ["<h2>无出处的数字 (ungrounded)</h2>", _table(["用例", "句", "类别", "数字", "回复"], rows)]
    if summary["leaks"]:
        parts += ["<h2>个人信息泄露 (PII leaks)</h2>",
                  _table(["用例", "文件", "位置", "形式", "值（已遮盖）"],
                         [[str(x["case"]), x["file"], x["where"], x["form"], x["pii"]] for x in summary["leaks"]])]
    if summary.get("skipped"):
        parts += ["<h2>跳过的用例 (skipped, not scored)</h2>",
                  _table(["用例", "原因"], [[x["id"], x["reason"]] for x in summary["skipped"]])]
    failed = failures(summary)
    parts.append(f"<h2>未通过的用例 (failures)：{len(failed)} / {len(summary['cases'])}</h2>")
    parts += [_case(case) for case in failed]
    body = "\n".join(p for p in parts if p)
    title = _e(f"离线评测报告 · {summary['run'].get('suite', '')}")
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{CSS}</style></head><body>\n{body}\n</body></html>\n")
