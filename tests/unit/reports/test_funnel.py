"""The funnel plots of A5 and A7 (helpers.reports.funnel): accessible HTML with a plain or a
(Thai, English) alt text, printable at full size, every mark at least 3:1 against white."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from helpers.indicators import kpi
from helpers.reports import charts
from helpers.reports.funnel import FUNNEL_AXES, funnel_figure
from tests.unit.reports.test_charts import _mark_colours, assert_printable, contrast_with_white


def points(count: int = 38) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = np.round(rng.lognormal(5, 1, count)) + 20
    return pd.DataFrame(
        {
            "agency_code": [f"{i:05d}" for i in range(count)],
            "n": n,
            "value": 62 + rng.normal(0, 25 / np.sqrt(n)),
            charts.SOURCES: [f"2565/staff/A5 {i:05d}={int(k)}" for i, k in enumerate(n)],
        }
    )


def limits(code: str, frame: pd.DataFrame) -> pd.DataFrame:
    grid = np.geomspace(frame["n"].min() * 0.8, frame["n"].max() * 1.2, 80)
    if code == "A5":
        return kpi.funnel_limits_mean(62, 25, grid)
    return kpi.funnel_limits(62, grid, percent=True)


@pytest.fixture
def drawn(monkeypatch) -> list[Figure]:
    """The figures funnel_figure hands to figure_html, still open."""
    figures: list[Figure] = []
    embed = charts.figure_html

    def keep(fig: Figure, *args, **kwargs) -> str:
        figures.append(fig)  # still usable: figure_html closes only pyplot figures
        return embed(fig, *args, **kwargs)

    monkeypatch.setattr(charts, "figure_html", keep)
    return figures


@pytest.mark.parametrize("code", ["A5", "A7"])
@pytest.mark.parametrize("focus", ["00003", None])
def test_funnel_figure_prints_at_full_size_with_marks_of_3_to_1(code, focus, drawn) -> None:
    frame = points()
    html = funnel_figure(frame, limits(code, frame), 62, code, "Two agencies are outside.", focus)
    assert html.startswith('<figure class="chart"><svg role="img"')
    (fig,) = drawn
    assert fig.axes[0].get_ylabel() == FUNNEL_AXES[code].replace(" / ", "\n")
    assert_printable(fig, code)
    colours = _mark_colours(fig)
    assert len(colours) >= 3  # points, centre, limits (and the focus)
    for colour, what in colours.items():
        assert contrast_with_white(colour) >= 3, (code, what, colour)
    sources = re.search(r'data-sources="([^"]*)"', html).group(1)
    assert sources.startswith("2565/staff/A5 ")  # the audit marker of every point, merged
    assert len(re.findall(r"\b\d{5}=\d+", sources)) == len(frame)


def test_funnel_figure_alt_plain_english() -> None:
    frame = points()
    html = funnel_figure(frame, limits("A5", frame), 62, "A5", "No agency is outside.")
    label = re.search(r'aria-label="([^"]*)"', html).group(1)
    assert label == (
        "Funnel plot of A5 for all agencies against their respondents. No agency is outside."
    )
    assert "aria-describedby" not in html


def test_funnel_figure_alt_thai_and_english() -> None:
    frame = points()
    html = funnel_figure(
        frame,
        limits("A7", frame),
        62,
        "A7",
        ("ไม่มีหน่วยงานอยู่นอกเส้น <99.8%>", "No agency is outside the 99.8% limits."),
        focus="00001",
    )
    label = re.search(r'aria-label="([^"]*)"', html).group(1)
    assert label == "แผนภาพกรวยของ A7: ทุกหน่วยงานเทียบกับจำนวนผู้ตอบ ไม่มีหน่วยงานอยู่นอกเส้น &lt;99.8%&gt;"
    described = re.search(r'aria-describedby="([^"]+)"', html).group(1)
    english = re.search(rf'<p id="{described}" class="sr-only" lang="en">([^<]*)</p>', html)
    assert english.group(1) == (
        "Funnel plot of A7 for all agencies against their respondents. "
        "No agency is outside the 99.8% limits."
    )


def test_funnel_chart_without_points_says_no_data(drawn) -> None:
    empty = points().iloc[0:0]
    funnel_figure(empty, limits("A5", points()), float("nan"), "A5", "No published values.")
    (fig,) = drawn
    assert any(t.get_text() == charts.NO_DATA for t in fig.axes[0].texts)
    assert_printable(fig, "empty")
