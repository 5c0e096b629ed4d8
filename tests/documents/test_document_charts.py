"""The rate charts of the documents: one chart per page of counties, each fitting the text block."""

import io

import pytest
from PIL import Image

from documents import charts

MM_PER_INCH = 25.4


def rows(n):
    return [{"label": f"第{i}县", "code": f"{449000 + i}", "p": 0.01 * (i % 9), "low": 0.0, "high": 0.02 * (i % 9 + 1)}
            for i in range(n)]


def heights_mm(pngs, width_mm):
    """The height of each chart placed width_mm wide, as the documents place them."""
    sizes = [Image.open(io.BytesIO(png)).size for png in pngs]
    return [height * width_mm / width for width, height in sizes]


@pytest.mark.parametrize(("n", "pages"), [(1, 1), (10, 1), (15, 1), (16, 2), (120, 8)])
def test_counties_are_charted_fifteen_to_a_page(n, pages):
    pngs = charts.rate_charts(rows(n), "各县（市、区）随机抽查差错率")
    assert len(pngs) == pages
    assert all(png.startswith(b"\x89PNG") for png in pngs)
    # The text block of GB/T 9704 is 225 mm tall; a chart leaves room for the line above it.
    assert max(heights_mm(pngs, 150)) <= 200


def test_withheld_rates_are_left_out_and_nothing_is_drawn_without_a_rate():
    assert charts.rate_charts([{"label": "赤坎区", "code": "440802", "p": None, "low": None, "high": None}], "t") == []
    withheld = rows(16)
    withheld[0]["p"] = None
    assert len(charts.rate_charts(withheld, "t")) == 1


def test_the_label_margin_grows_with_the_longest_label():
    font = charts.cjk_font()
    short = charts._label_margin(["赤坎区", "霞山区"], font)
    long = charts._label_margin(["赤坎区", "湛江经济技术开发区"], font)
    assert long > short + 0.5  # inches: six more characters at 9 points
