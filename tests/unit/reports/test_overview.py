"""The government-wide overview's figures, on one processed demo year."""

from __future__ import annotations

import pandas as pd

from helpers.indicators import kpi
from helpers.reports import overview


def test_status_counts_add_up_to_the_agencies(processed):
    o = overview.OverviewReport(2565, processed)
    counts = o.targets_table()
    agencies = o.agency_rows["agency_code"].nunique()
    assert list(counts.index) == list(kpi.AGENCY_INDICATORS)
    assert (counts.sum(axis=1) == agencies).all()
    html = o.targets_html()
    assert html.count("<tr data-indicator=") == 7


def test_distribution_holds_published_values_only(processed):
    o = overview.OverviewReport(2565, processed)
    frame, targets = o.distribution(("A5", "A7"))
    published = o.agency_rows[
        o.agency_rows["indicator"].isin(["A5", "A7"]) & o.agency_rows["value"].notna()
    ]
    assert len(frame) == len(published)
    assert sorted(frame["value"]) == sorted(published["value"])
    assert set(targets) <= set(frame["label"])


def test_published_respondent_totals_leave_out_suppressed_agencies(processed):
    o = overview.OverviewReport(2565, processed)
    a5 = o.agency_rows[(o.agency_rows["indicator"] == "A5") & o.agency_rows["value"].notna()]
    assert f"{int(a5['respondents'].sum()):,} คน" in o.header_html()


def test_ministries_summarise_published_values(processed):
    o = overview.OverviewReport(2565, processed)
    frame = o.ministries()
    assert frame["agencies"].sum() == o.agency_rows["agency_code"].nunique()
    assert (frame["met"] <= frame["assessed"]).all()


def test_models_missing_are_said_plainly(processed):
    o = overview.OverviewReport(2565, processed)
    assert "not estimated" in o.models_html()
    assert o.staff_drivers().empty and o.trust_drivers().empty


def test_trend_is_the_median_agency_value_per_year(processed):
    o = overview.OverviewReport(2565, processed)
    trend = o.trend(("A5",))
    a5 = o.agency_rows[o.agency_rows["indicator"] == "A5"]["value"].median()
    assert trend["value"].iloc[0] == a5 and isinstance(trend, pd.DataFrame)
    assert "O1" in o.ocsc_scorecard_html() and o.ocsc_scorecard_html().count("<tr data-") == 3


def test_figures_carry_markers_of_published_agencies_only(processed):
    import re

    from helpers.audit import confidentiality
    from helpers.reports import charts

    o = overview.OverviewReport(2565, processed)
    header = o.header_html()
    truth = confidentiality.Truth(processed, 10)
    for value, shown in re.findall(r'<b data-sources="([^"]*)">[^<]*\(([\d,]+) คน', header):
        tokens = confidentiality.parse_sources(value)[0]
        assert sum(t.n for t in tokens) == int(shown.replace(",", ""))
        assert all(t.n == truth.count(t.year, t.survey, t.measure, t.scope) >= 10 for t in tokens)
    frames = [o.distribution(("A3", "A5", "A6", "A7"))[0], o.trend(("A5",)), o.funnel("A7")[0]]
    for frame in frames:
        assert frame[charts.SOURCES].str.len().gt(0).all()
    hidden = o.agency_rows[o.agency_rows["status"] == "suppressed"]
    html = o.ministries_html() + "".join(frames[0][charts.SOURCES])
    marked = {
        (t.scope, t.measure)
        for value in re.findall(r'data-sources="([^"]*)"', html) + list(frames[0][charts.SOURCES])
        for t in confidentiality.parse_sources(value)[0]
    }
    assert len(hidden) and marked
    assert not marked & set(zip(hidden["agency_code"], hidden["indicator"], strict=True))
