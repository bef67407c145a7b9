"""The funnel plots of A5 and A7, shared by the agency report and the overview."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.indicators import kpi
from helpers.reports import charts
from helpers.reports.charts import SOURCES
from helpers.reports.htmlexport import sources
from helpers.reports.tables import INDICATOR_SURVEY, YearData

FUNNEL_AXES = {"A5": "ดัชนี (0–100) / Index (0–100)", "A7": "ร้อยละ / Percent"}


def funnel_figure(
    points: pd.DataFrame,
    limits: pd.DataFrame,
    centre: float,
    code: str,
    alt: str | tuple[str, str],
    focus: str | None = None,
) -> str:
    """The funnel plot of A5 or A7 as report HTML (shared by the agency report and the
    overview). ``alt`` says what the plot shows beyond its kind: English, or a (Thai, English)
    pair (:func:`helpers.reports.charts.figure_html`)."""
    fig = charts.funnel_chart(
        points,
        limits,
        title=f"{code}: แผนภาพกรวย / Funnel plot",
        xlabel="จำนวนผู้ตอบ / Respondents",
        ylabel=FUNNEL_AXES[code],
        centre=centre,
        focus=focus,
    )
    english = f"Funnel plot of {code} for all agencies against their respondents."
    if isinstance(alt, str):
        return charts.figure_html(fig, alt=f"{english} {alt}")
    thai = f"แผนภาพกรวยของ {code}: ทุกหน่วยงานเทียบกับจำนวนผู้ตอบ"
    return charts.figure_html(
        fig, alt=(" ".join(filter(None, (thai, alt[0]))), f"{english} {alt[1]}".strip())
    )


def funnel_data(
    data: YearData, code: str, agency: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, float, str | None]:
    """(points, limits, centre, position of ``agency``) for the funnel plot of A5 or A7.

    Points are the published agency values with their respondents. The centre is the
    government median of agency values; A5 limits use the respondent-level SD of the index,
    A7 limits the binomial SD (Spiegelhalter's funnel plot).
    """
    table = data.indicators
    params = data.table("funnel_parameters")
    rows = table[
        (table["indicator"] == code) & table["value"].notna() & table["respondents"].notna()
    ]
    points = pd.DataFrame(
        {
            "agency_code": rows["agency_code"].to_numpy(),
            "n": rows["respondents"].astype(float).to_numpy(),
            "value": rows["value"].to_numpy(float),
            SOURCES: [
                sources(data.year, INDICATOR_SURVEY[code], code, {a: n})
                for a, n in zip(rows["agency_code"], rows["respondents"], strict=True)
            ],
        }
    )
    empty_limits = pd.DataFrame(columns=["n", "lower_95", "upper_95", "lower_99.8", "upper_99.8"])
    if points.empty or params is None:
        return points, empty_limits, float("nan"), None
    spec = params.set_index("indicator").loc[code]
    centre, sd = float(spec["centre"]), float(spec["sd"])
    grid = np.unique(
        np.geomspace(max(points["n"].min() * 0.8, 2), points["n"].max() * 1.2, 80).round(1)
    )
    if spec["kind"] == "mean":
        limits = kpi.funnel_limits_mean(centre, sd, grid)
    else:
        limits = kpi.funnel_limits(centre, grid, percent=True)
    position = None
    if agency is not None:
        mine = points[points["agency_code"] == agency]
        if len(mine):
            kw = {"sd": sd} if spec["kind"] == "mean" else {"percent": True}
            position = kpi.funnel_position(
                float(mine["value"].iloc[0]), float(mine["n"].iloc[0]), centre, **kw
            )
    return points, limits, centre, position
