"""Charts for the documents, rendered on the server as PNG with matplotlib (no browser, no network).

Chinese labels need a CJK font; where none is installed the chart names counties by their codes, so that
it never shows empty boxes.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei")


def cjk_font() -> str | None:
    """Return the first CJK font the machine has, or None."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def rate_chart(rows: list[dict], title: str) -> bytes:
    """Draw each county's rate with its 95 % interval as a horizontal bar chart; return the PNG.

    rows: [{"label": 赤坎区, "code": 440802, "p": 0.034, "low": 0.012, "high": 0.081}], p None when withheld.
    """
    font = cjk_font()
    shown = [r for r in rows if r.get("p") is not None]
    figure = Figure(figsize=(6.0, 0.45 * max(len(shown), 3) + 1.0), dpi=150)
    axes = figure.add_subplot()
    labels = [r["label"] if font else r["code"] for r in shown]
    values = [r["p"] * 100 for r in shown]
    low = [max(r["p"] - (r["low"] if r["low"] is not None else r["p"]), 0) * 100 for r in shown]
    high = [max((r["high"] if r["high"] is not None else r["p"]) - r["p"], 0) * 100 for r in shown]
    positions = list(range(len(shown)))
    axes.barh(positions, values, xerr=[low, high], color="#3d6fb6", ecolor="#333333", capsize=3, height=0.6)
    axes.set_yticks(positions, labels, fontfamily=font or "sans-serif", fontsize=9)
    axes.invert_yaxis()
    axes.set_xlabel("%", fontsize=9)
    axes.set_title(title if font else "", fontfamily=font or "sans-serif", fontsize=10)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
