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
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.textpath import TextToPath  # noqa: E402

CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei")

# A chart is 6 inches wide and placed 140–150 mm wide: at 0.45 inch a bar plus 1 inch of title and axis,
# 15 bars make a chart about 195 mm tall, which fits the 225 mm text block with its title line.
MAX_BARS = 15
WIDTH, BAR, FRAME = 6.0, 0.45, 1.0  # inches
LABEL_SIZE, TITLE_SIZE = 9, 10  # points


def cjk_font() -> str | None:
    """Return the first CJK font the machine has, or None."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def rate_charts(rows: list[dict], title: str) -> list[bytes]:
    """Draw each row's rate with its 95 % interval as horizontal bars; return the PNGs, one per page.

    rows: [{"label": 赤坎区, "code": 440802, "p": 0.034, "low": 0.012, "high": 0.081}], p None when withheld
    (left out). More than MAX_BARS rows are drawn as several charts, numbered in their titles, on one scale
    and with one label margin, so that bars compare across them.
    """
    font = cjk_font()
    shown = [r for r in rows if r.get("p") is not None]
    if not shown:
        return []
    labels = [r["label"] if font else r["code"] for r in shown]
    top = max(max(r["p"], r["high"] if r["high"] is not None else r["p"]) for r in shown) * 100
    scale = (0.0, max(top * 1.08, 1.0))
    margin = _label_margin(labels, font)
    pages = [range(start, min(start + MAX_BARS, len(shown))) for start in range(0, len(shown), MAX_BARS)]
    return [_draw([shown[i] for i in page], [labels[i] for i in page],
                  f"{title}（{number}/{len(pages)}）" if len(pages) > 1 else title, font, scale, margin)
            for number, page in enumerate(pages, start=1)]


def _label_margin(labels: list[str], font: str | None) -> float:
    """Return the left margin in inches that the widest label needs (measured from the font, no drawing)."""
    widest = max(labels, key=lambda text: sum(1.0 if ord(ch) > 0x2E7F else 0.6 for ch in text))
    width, _height, _descent = TextToPath().get_text_width_height_descent(
        widest, FontProperties(family=font or "sans-serif", size=LABEL_SIZE), ismath=False)
    return width / 72 + 0.2  # points to inches, and the tick and its padding


def _draw(rows: list[dict], labels: list[str], title: str, font: str | None, scale: tuple[float, float],
          margin: float) -> bytes:
    height = BAR * max(len(rows), 3) + FRAME
    figure = Figure(figsize=(WIDTH, height), dpi=150)
    # Fixed margins rather than tight_layout, which measures every label again (half the drawing time).
    figure.subplots_adjust(left=margin / WIDTH, right=1 - 0.25 / WIDTH, top=1 - 0.45 / height, bottom=0.5 / height)
    axes = figure.add_subplot()
    values = [r["p"] * 100 for r in rows]
    low = [max(r["p"] - (r["low"] if r["low"] is not None else r["p"]), 0) * 100 for r in rows]
    high = [max((r["high"] if r["high"] is not None else r["p"]) - r["p"], 0) * 100 for r in rows]
    positions = list(range(len(rows)))
    axes.barh(positions, values, xerr=[low, high], color="#3d6fb6", ecolor="#333333", capsize=3, height=0.6)
    axes.set_yticks(positions, labels, fontfamily=font or "sans-serif", fontsize=LABEL_SIZE)
    axes.set_ylim(len(rows) - 0.5 if len(rows) >= 3 else 2.5, -0.5)  # top to bottom, bars as thick on every page
    axes.set_xlim(*scale)
    axes.set_xlabel("%", fontsize=LABEL_SIZE)
    axes.set_title(title if font else "", fontfamily=font or "sans-serif", fontsize=TITLE_SIZE)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
