"""The report's charts, drawn with matplotlib's Agg canvas and returned as base64 PNG (inlined in report.html).

No pyplot and no global backend switch: each chart is a `Figure` on its own Agg canvas. Chinese labels use a CJK
font when one is installed (fonts-noto-cjk); without one the charts still render (missing-glyph warnings are
silenced) so that CI never fails on fonts.
"""

from __future__ import annotations

import base64
import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from evals.targets import HEADLINE, METRICS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "SimHei", "Microsoft YaHei", "PingFang SC", "Noto Serif CJK SC", "AR PL UMing CN")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first installed CJK font family, or None."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    font = cjk_font()
    families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    font_logger = logging.getLogger("matplotlib.font_manager")
    level = font_logger.level
    font_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False}):
            warnings.filterwarnings("ignore", message=r".*[Gg]lyph .* missing from.*")
            warnings.filterwarnings("ignore", message=r".*findfont.*")
            yield
    finally:
        font_logger.setLevel(level)


def _png(figure: Figure) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def metrics_chart(summary: dict[str, Any]) -> str | None:
    """Headline rates (bars) against their targets (markers), as base64 PNG; None when there is nothing to draw."""
    from matplotlib.figure import Figure

    rows = [(m, summary["metrics"][m]["value"]) for m in HEADLINE
            if METRICS[m].unit == "ratio" and summary["metrics"].get(m, {}).get("value") is not None]
    if not rows:
        return None
    with _style():
        figure = Figure(figsize=(8, 0.42 * len(rows) + 1.2), dpi=100)
        axes = figure.add_subplot()
        labels = [METRICS[m].label for m, _ in rows]
        positions = list(range(len(rows)))
        colors = []
        for metric, value in rows:
            target = summary["targets"].get(metric)
            ok = target is None or (value >= target["value"] if target["op"] == ">=" else value <= target["value"])
            colors.append("#3b7dd8" if target is None else ("#2e9e5b" if ok else "#d64545"))
        axes.barh(positions, [v * 100 for _, v in rows], color=colors)
        for pos, (_, value) in zip(positions, rows, strict=True):
            axes.text(min(value * 100 + 1, 96), pos, f"{value * 100:.1f}%", va="center", fontsize=8)
        for pos, (metric, _) in zip(positions, rows, strict=True):
            target = summary["targets"].get(metric)
            if target is not None:
                axes.plot([target["value"] * 100] * 2, [pos - 0.4, pos + 0.4], color="black", linewidth=2)
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.set_xlim(0, 108)
        axes.set_xlabel("% （黑线 = 目标）")
        axes.set_title("核心指标与目标")
        figure.tight_layout()
        return _png(figure)


def confusion_chart(confusion: dict[str, Any], labels: dict[str, str]) -> str | None:
    """The gold-main-intent x predicted-intent matrix as a heatmap (base64 PNG); None when empty."""
    from matplotlib.figure import Figure

    golds, predicted = confusion["gold"], confusion["predicted"]
    if not golds:
        return None
    grid = [[confusion["matrix"].get(g, {}).get(p, 0) for p in predicted] for g in golds]
    with _style():
        figure = Figure(figsize=(max(5, 0.45 * len(predicted) + 3), max(4, 0.4 * len(golds) + 2.5)), dpi=100)
        axes = figure.add_subplot()
        image = axes.imshow(grid, cmap="Blues", aspect="auto")
        axes.set_xticks(range(len(predicted)), [labels.get(p, p) for p in predicted], rotation=60, ha="right",
                        fontsize=8)
        axes.set_yticks(range(len(golds)), [labels.get(g, g) for g in golds], fontsize=8)
        peak = max(max(row) for row in grid) or 1
        for i, row in enumerate(grid):
            for j, count in enumerate(row):
                if count:
                    axes.text(j, i, str(count), ha="center", va="center", fontsize=7,
                              color="white" if count > peak / 2 else "black")
        axes.set_xlabel("预测主意图")
        axes.set_ylabel("标注主意图")
        axes.set_title("主意图混淆矩阵")
        figure.colorbar(image, ax=axes, fraction=0.03)
        figure.tight_layout()
        return _png(figure)


def latency_chart(latencies: list[float], first_cards: list[float]) -> str | None:
    """Histogram of per-utterance latency with p50/p95 lines (and first-card latency when recorded)."""
    from matplotlib.figure import Figure

    from evals.metrics import percentile

    if not latencies:
        return None
    with _style():
        figure = Figure(figsize=(8, 3.6), dpi=100)
        axes = figure.add_subplot()
        low, high = min(latencies + first_cards), max(latencies + first_cards)
        count = min(40, max(5, len(latencies) // 3))
        bins = [low + (high - low) * i / count for i in range(count + 1)] if high > low else count
        axes.hist(latencies, bins=bins, color="#3b7dd8", alpha=0.75, label="完整建议 latency_ms")
        if first_cards:
            axes.hist(first_cards, bins=bins, color="#e39b2d", alpha=0.6, label="首卡 first_card_ms")
        for q, style in ((50, "--"), (95, ":")):
            value = percentile(latencies, q)
            if value is not None:
                axes.axvline(value, color="black", linestyle=style, label=f"完整建议 p{q} = {value:.0f} ms")
        axes.set_xlabel("毫秒")
        axes.set_ylabel("话语数")
        axes.set_title("时延分布")
        axes.legend(fontsize=8)
        figure.tight_layout()
        return _png(figure)
