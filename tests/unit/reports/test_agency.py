"""The figures and wording of the agency report, on one processed demo year."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pytest

from helpers.core import config
from helpers.indicators import kpi
from helpers.reports import charts
from helpers.reports.agency import SERIES_MINISTRY, TREND_SERIES, AgencyReport
from helpers.reports.formatting import (
    format_change,
    format_interval,
    format_target,
    format_value,
    ordinal_rank,
    status_html,
    without_counts,
)
from helpers.reports.tables import ReportError, YearData, agency_title


def test_format_value_by_unit():
    assert format_value(72.44, "percent") == "72.4%"
    assert format_value(68.06, "index_0_100") == "68.1"
    assert format_value(4.0, "level_1_5") == "ระดับ 4 / Level 4"
    assert format_value(1.0, "yes_no") == "ใช่ / Yes"
    assert format_value(0.0, "yes_no") == "ไม่ใช่ / No"
    assert format_value(1234.0, "count") == "1,234"
    assert format_value(np.nan, "percent") == "–"


def test_format_interval_and_target():
    assert format_interval(60.55, 68.84, "percent") == "60.5–68.8%"  # round half even
    assert format_interval(np.nan, 1, "percent") == ""
    assert format_target(80, "percent") == "≥ 80.0%"
    assert format_target(None, "percent") == "ยังไม่กำหนด / not set"


def test_a_change_is_marked_only_when_significant():
    base = {"unit": "percent", "change": 9.0, "change_p": 0.038}
    marked = format_change(pd.Series({**base, "change_significant": True}))
    plain = format_change(pd.Series({**base, "change_significant": False}))
    assert "▲" in marked and "significant" in marked and "p = 0.038" in marked
    assert "▲" not in plain and "significant" not in plain
    assert plain == '+9.0 จุดร้อยละ<span class="en en-inline" lang="en"> / pp</span>'
    down = pd.Series({**base, "change": -3.0, "change_significant": True})
    assert "▼" in format_change(down)
    tiny = pd.Series({**base, "change_p": 0.00001, "change_significant": True})
    assert "p < 0.001" in format_change(tiny)
    none = pd.Series({"unit": "count", "change": np.nan, "change_significant": False})
    assert "no previous year" in format_change(none)
    same = pd.Series({"unit": "yes_no", "change": 0.0, "change_significant": False})
    assert "no change" in format_change(same)


def test_rank_counts_strictly_higher_values_and_notes_ties():
    values = pd.Series([70.0, 60.0, 60.0, np.nan, 50.0])
    assert ordinal_rank(values, 70.0) == (1, 4, False)
    assert ordinal_rank(values, 60.0) == (2, 4, True)
    assert ordinal_rank(values, 50.0) == (4, 4, False)


def test_weighting_notes_lose_their_small_counts():
    note = "executive+director -> management (executive: n=0; director: n=2); a+b -> c (a: n=3)"
    assert without_counts(note) == "executive+director -> management; a+b -> c"
    assert without_counts(None) == ""


def test_status_is_a_symbol_and_words(project):
    for status in ("met", "not_met", "no_data", "suppressed", "no_target"):
        html = status_html(status, project)
        text = re.sub(r"<[^>]+>", "", html)
        assert re.match(r"^\S \S.* / \w", text), text
        assert re.search(r'<span class="en en-inline" lang="en"> / \w', html)


def _flag_targets(root, placeholders: bool) -> None:
    path = root / "config/targets.yaml"
    text = path.read_text(encoding="utf-8")
    assert "targets_are_placeholders: true" in text
    path.write_text(
        text.replace(
            "targets_are_placeholders: true",
            f"targets_are_placeholders: {str(placeholders).lower()}",
        ),
        encoding="utf-8",
    )
    config.clear_cache()


def test_placeholder_targets_are_compared_neutrally_never_failed(project):
    from helpers.reports.formatting import placeholder_notice

    _flag_targets(project, True)
    notice = placeholder_notice(project)
    assert "ค่าชั่วคราว" in notice and 'lang="en">The targets in this report are provisional' in notice
    for status in ("met", "not_met"):
        html = status_html(status, project)
        assert "status-provisional" in html and f'data-status="{status}"' in html
        assert "บรรลุ" not in html and "Not met" not in html and "✘" not in html
    _flag_targets(project, False)
    assert placeholder_notice(project) == ""
    assert "✘ ไม่บรรลุเป้าหมาย" in status_html("not_met", project)
    assert "status-not_met" in status_html("not_met", project)
    config.clear_cache()


@pytest.fixture(scope="module")
def small_and_large(processed):
    table = pd.read_parquet(processed / "data/processed/2565/indicators/indicators.parquet")
    suppressed = table[table["status"] == "suppressed"]["agency_code"]
    large = YearData.load(2565, processed).largest_agency()
    return suppressed.iloc[0], large


def test_unknown_agency_and_year_get_clear_errors(processed):
    with pytest.raises(ReportError, match="Agency '99999' has no data in fiscal year"):
        AgencyReport(2565, "99999", processed)
    with pytest.raises(ReportError, match="No indicator table for fiscal year 2564"):
        AgencyReport(2564, "01001", processed)


def test_the_default_agency_is_the_largest(processed, small_and_large):
    assert AgencyReport(2565, "", processed).agency == small_and_large[1]


def test_a_small_agency_shows_no_count_rate_or_value(processed, small_and_large):
    r = AgencyReport(2565, small_and_large[0], processed)
    staff = r.sample()["staff"]
    assert staff["any"] and staff["respondents"] is None and staff["response_rate"] is None
    header = r.header_html()
    assert "fewer than 10" in header
    card = r.scorecard()
    hidden = card[card["status"] == "suppressed"]
    assert set(hidden["indicator"]) >= {"A3", "A5", "A6"}
    assert (hidden["value"] == "–").all() and hidden["respondents"].isna().all()
    html = r.scorecard_html()
    for code in hidden["indicator"]:
        row = re.search(rf'<tr data-indicator="{code}".*?</tr>', html).group(0)
        cell = re.search(r'<td class="num value">(.*?)</td>', row).group(1)
        assert "Not published" in cell and not re.search(r"\d", cell.replace("10", ""))
    assert "fewer than 10 respondents" in r.indicator_sentence("A5")
    constructs = r.measures(("construct", "persona"))
    assert constructs["value"].isna().all()
    assert "Not shown" in r.suppressed_measures_note(("construct", "persona"))
    items = r.items()
    assert r.published_items().empty and len(r.suppressed_items()) > 0
    assert (items[charts.MISSING] == charts.withheld(10)).all()
    assert r.funnel("A5")[3] is None


def test_a_large_agency_report_has_every_section(processed, small_and_large):
    r = AgencyReport(2565, small_and_large[1], processed)
    card = r.scorecard()
    assert list(card["indicator"]) == list(kpi.AGENCY_INDICATORS)
    assert card.loc[card["indicator"] == "A5", "respondents"].iloc[0] >= 10
    trend = r.trend("A5")
    assert set(trend["series"]) <= set(TREND_SERIES)
    assert r.published_items()["percent_positive"].is_monotonic_decreasing
    assert len(r.measures("driver")) == 5
    points, limits, _centre, position = r.funnel("A5")
    assert len(points) >= 4 and not limits.empty and position is not None
    th, en = r.trend_alt("A5")
    assert en.startswith("Line chart") and th.startswith("แผนภูมิเส้น")
    methods = r.methods_html()
    assert "provisional" in methods and "ค่าชั่วคราว" in methods
    assert "response rate" in methods
    assert not re.search(r"\bn=\d", methods)


def test_a_ministry_median_of_one_agency_is_not_shown(processed, small_and_large):
    r = AgencyReport(2565, small_and_large[1], processed)
    table = r.data.indicators
    peers = table[
        (table["ministry_code"] == r.info["ministry_code"])
        & (table["indicator"] == "A5")
        & table["value"].notna()
    ]
    trend = r.trend("A5")
    ministry = trend[trend["series"] == SERIES_MINISTRY]["value"]
    if len(peers) < 2:
        assert ministry.isna().all()
        assert r.percent_indicators(("A3", "A6"))["ministry_median"].isna().all()
    else:
        assert ministry.notna().any()


def test_hostile_names_are_escaped(processed, tmp_path, small_and_large):
    root = tmp_path / "project"
    shutil.copytree(processed, root)
    path = root / "data/raw/reference/agencies.csv"
    registry = pd.read_csv(path, dtype=str, keep_default_na=False)
    code = small_and_large[1]
    registry.loc[registry["agency_code"] == code, "name_th"] = "<script>alert(1)</script>"
    registry.loc[registry["agency_code"] == code, "ministry_en"] = '"><img src=x onerror=1>'
    registry.to_csv(path, index=False)
    config.clear_cache()
    header = AgencyReport(2565, code, root).header_html()
    assert "<script>" not in header and "&lt;script&gt;alert(1)&lt;/script&gt;" in header
    assert "<img" not in header and "&quot;&gt;&lt;img src=x onerror=1&gt;" in header
    assert agency_title(2565, code, root).startswith("<script>")  # text; page() escapes


def _fragments(r: AgencyReport) -> str:
    """Every HTML fragment of the report, and the audit markers of its chart frames."""
    from helpers.reports import charts

    frames = [
        r.trend("A5"),
        r.trend("A7"),
        r.items(),
        r.satisfaction_drivers(),
        r.measures(("construct", "persona")),
        r.measures("driver"),
        r.percent_indicators(("A3", "A6")),
        r.funnel("A5")[0],
        r.funnel("A7")[0],
    ]
    marks = [m for f in frames if charts.SOURCES in f for m in f[charts.SOURCES] if m]
    html = "".join(
        [
            r.header_html(),
            r.verdict_html(),
            r.scorecard_html(),
            r.indicator_sentence("A5"),
            r.indicators_html(("A3", "A4", "A6")),
            r.strengths_challenges_html(),
            r.drivers_html(),
            r.methods_html(),
        ]
    )
    return html + "".join(f'<i data-sources="{m}"></i>' for m in marks)


def test_every_marker_matches_the_recount_of_the_respondent_rows(processed, small_and_large):
    """The audit markers a report writes name exactly the respondents the audit recounts."""
    from helpers.audit import confidentiality

    truth = confidentiality.Truth(processed, 10)
    for agency in small_and_large:
        html = _fragments(AgencyReport(2565, agency, processed))
        tokens = [
            t
            for value in re.findall(r'data-sources="([^"]*)"', html)
            for t in confidentiality.parse_sources(value)[0]
        ]
        for t in tokens:
            assert t.n == truth.count(t.year, t.survey, t.measure, t.scope) >= 10, t
        mine = {t for t in tokens if t.scope == agency}
        if agency == small_and_large[1]:
            measures = {t.measure for t in mine}
            assert {"respondents", "A3", "A5", "A6", "A7"} <= measures
            assert any(m.startswith("item:") for m in measures)
            assert any(m.startswith("construct:") for m in measures)
        else:
            assert not {t for t in mine if t.survey == "staff"}  # nothing of its small survey


def test_every_shown_count_sits_in_a_marker_naming_it(processed, small_and_large):
    r = AgencyReport(2565, small_and_large[1], processed)
    header = r.header_html()
    assert f'data-agency="{r.agency}" data-year="2565"' in header
    card = r.scorecard_html()
    for cell in re.findall(r"<td class=\"num value\"([^>]*)>(.*?)</td>", card):
        for n in re.findall(r'data-n="(\d+)"', cell[1]):
            assert f"={n}" in cell[0], cell
    assert re.search(r'<dd data-sources="2565/staff/respondents \d+=\d+">[\d,]+ คน', header)


def test_questions_missing_from_an_agencys_files_are_named_in_the_methods(
    processed, small_and_large, monkeypatch
):
    r = AgencyReport(2565, small_and_large[1], processed)
    assert "Questions missing" not in r.methods_html()
    table = r.data.table
    missing = pd.DataFrame(
        {
            "fiscal_year": [2565, 2565],
            "agency_code": [small_and_large[1], small_and_large[0]],
            "instrument": ["staff_survey", "staff_survey"],
            "column": ["tenure_band", "gender"],
            "files": [1, 1],
        }
    )
    monkeypatch.setattr(
        r.data, "table", lambda name: missing if name == "missing_questions" else table(name)
    )
    methods = r.methods_html()
    assert "ไม่มีคอลัมน์ของคำถาม อายุราชการ (แบบสำรวจ" in methods
    assert "had no column for Years of service (staff survey" in methods
    assert "Gender" not in methods  # another agency's file


def test_the_report_links_to_its_overview_the_index_and_its_other_years(processed, small_and_large):
    r = AgencyReport(2565, small_and_large[1], processed)
    nav = r.nav_html()
    hrefs = re.findall(r'href="([^"]+)"', nav)
    assert "overview.html" in hrefs and "../index.html" in hrefs
    assert f"../index.html#q={r.agency}" in hrefs
    for year in r.other_years():  # the years before this one with the agency's data
        assert f"../{year}/{r.agency}.html" in hrefs
    assert r.other_years() == sorted(
        {
            int(y)
            for y in r.data.history.loc[r.data.history["agency_code"] == r.agency, "fiscal_year"]
        }
        - {2565}
    )
    assert nav in r.header_html() and 'aria-label="' in nav


def test_the_scorecard_is_a_table_that_stacks_into_labelled_cards(processed, small_and_large):
    r = AgencyReport(2565, small_and_large[1], processed)
    html = r.scorecard_html()
    assert 'class="scorecard stack"' in html
    assert AgencyReport._position_html("3 จาก 40 (เท่ากัน 2 หน่วยงาน / 2 tied)") == (
        '3 จาก 40 (เท่ากัน 2 หน่วยงาน<span class="en en-inline" lang="en"> / 2 tied</span>)'
    )
    assert AgencyReport._position_html("3 จาก 40") == "3 จาก 40"
    for row in re.findall(r"<tr data-indicator=.*?</tr>", html):
        cells = re.findall(r"<t[hd][ >].*?</t[hd]>", row)
        assert len(cells) == 6
        assert all('<span class="cell-label">' in c for c in cells), row
    # every English part of the scorecard sits in a lang="en" element (but for English terms
    # inside the configured Thai names, like "(Functional Competency)", marked by the page)
    from helpers.reports.htmlexport import esc, mark_english

    for code in kpi.AGENCY_INDICATORS:
        html = html.replace(esc(r.data.label(code)[0]), "")
    assert mark_english(html) == html


def test_sentences_are_whole_thai_then_whole_english(processed, small_and_large):
    r = AgencyReport(2565, small_and_large[1], processed)
    for html in (
        r.verdict_html(),
        r.indicator_sentence("A5"),
        r.methods_html(),
        r.strengths_challenges_html(),
        r.drivers_html(),
        r.funnel_sentence("A5"),
    ):
        for block in re.findall(r"<(?:p|li)\b[^>]*>(.*?)</(?:p|li)>", html, flags=re.S):
            thai, _, english = block.partition('<span class="en" lang="en">')
            assert english, block  # an English sentence follows the Thai one
            assert not re.search(r"[A-Za-z]{3,}", re.sub(r"\(.*?\)|IDP|raking|r = ", "", thai)), (
                thai
            )


def test_the_methods_state_the_configured_weight_cap(processed, small_and_large, tmp_path):
    import shutil

    from helpers.stats import weights

    r = AgencyReport(2565, small_and_large[1], processed)
    assert "weights capped at 5 times the mean" in r.methods_html()  # config/weights.yaml
    copy = tmp_path / "project"
    shutil.copytree(processed, copy)
    path = copy / "config/weights.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\ncap: 5\n" in text
    path.write_text(text.replace("\ncap: 5\n", "\ncap: 3.5\n"), encoding="utf-8")
    try:
        methods = AgencyReport(2565, small_and_large[1], copy).methods_html()
    finally:
        config.clear_cache()
        weights.clear_cache()
    assert "weights capped at 3.5 times the mean" in methods


# charts that cannot be misread


def _styles(fig) -> dict[str, tuple]:
    return {
        line.get_label(): (line.get_color(), str(line.get_linestyle()), line.get_marker())
        for line in fig.axes[0].get_lines()
        if line.get_label() in TREND_SERIES
    }


def _texts(fig) -> str:
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    texts += [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    texts += [t.get_text() for legend in legends for t in legend.get_texts()]
    return "\n".join(texts)


def test_a_series_keeps_its_style_when_the_agencys_values_are_withheld(processed, small_and_large):
    from helpers.reports.agency import SERIES_AGENCY, SERIES_GOV

    def chart(frame):
        return charts.trend_chart(frame, title="t", ylabel="y", series_order=TREND_SERIES)

    full = AgencyReport(2565, small_and_large[1], processed).trend("A5")
    medians = full["series"] != SERIES_AGENCY
    full.loc[full["series"] == SERIES_MINISTRY, "value"] = (
        full.loc[full["series"] == SERIES_GOV, "value"].to_numpy() - 2
    )
    withheld = full.copy()
    agency = withheld["series"] == SERIES_AGENCY
    withheld.loc[agency, ["value", "ci_low", "ci_high"]] = np.nan
    withheld.loc[agency, charts.MISSING] = charts.withheld(10)
    reference = _styles(chart(full))
    assert reference[SERIES_AGENCY][1] == "-"  # the caption: solid line = this agency
    for frame in (withheld, full[medians], withheld.assign(**{charts.MISSING: ""})):
        styles = _styles(chart(frame))
        assert styles[SERIES_MINISTRY] == reference[SERIES_MINISTRY]
        assert styles[SERIES_GOV] == reference[SERIES_GOV]
        assert all(s[1] != "-" for name, s in styles.items() if name != SERIES_AGENCY)
    # the small agency's own page: its medians look as on every other page
    small = AgencyReport(2565, small_and_large[0], processed)
    styles = _styles(chart(small.trend("A5")))
    assert styles[SERIES_GOV] == reference[SERIES_GOV]
    assert all(s[1] != "-" for name, s in styles.items() if name != SERIES_AGENCY)


def test_withheld_figures_are_never_called_no_data(processed, small_and_large):
    r = AgencyReport(2565, small_and_large[0], processed)
    words = charts.withheld(10)
    trend = charts.trend_chart(r.trend("A5"), title="t", ylabel="y", series_order=TREND_SERIES)
    panels = [charts.item_chart(items, title=t) for _, items, t in r.item_panels()]
    measures = charts.benchmark_chart(r.measures(("construct", "persona")), title="t", xlabel="x")
    for fig in (trend, *panels, measures):
        text = _texts(fig)
        assert re.sub(r"\s", "", words.split(" / ")[0]) in re.sub(r"\s", "", text)
        assert charts.NO_DATA not in text and "ไม่มีข้อมูล" not in text
    html = r.strengths_challenges_html()
    assert "ไม่เผยแพร่" in html and "fewer than 10 respondents" in html
    assert "ไม่มีข้อมูล" not in html and "no data" not in html.lower()
    assert "No item reached" not in html and "ไม่มีข้อใด" not in html
    for th, en in (
        r.items_alt(),
        r.trend_alt("A5"),
        r.measures_alt("construct", ("คะแนน", "constructs")),
        r.funnel_text("A5"),
    ):
        assert "not published" in en and "no data" not in en.lower(), en
        assert "ไม่เผยแพร่" in th and "ไม่มีข้อมูล" not in th, th
    drivers = charts.bar_chart(r.satisfaction_drivers(), title="t", xlabel="r")  # < 30: withheld
    assert "Not analysed (fewer than 30 respondents)" in _texts(drivers).replace("\n", " ")
    assert charts.NO_DATA not in _texts(drivers) and "ไม่มีข้อมูล" not in _texts(drivers)
    assert "No driver analysis for this agency: fewer than 30" in r.drivers_html()


def test_items_with_no_data_are_not_called_withheld(processed, small_and_large, monkeypatch):
    r = AgencyReport(2565, small_and_large[1], processed)
    table = r.data.table
    items = table("items").copy()
    gone = (items["agency_code"] == r.agency) & (items["item"] == "skl2")
    items.loc[gone, ["percent_positive", "percent_neutral", "percent_negative"]] = np.nan
    items.loc[gone, "respondents"] = 0
    items.loc[gone, ["strength", "challenge"]] = pd.NA
    monkeypatch.setattr(r.data, "table", lambda name: items if name == "items" else table(name))
    frame = r.items()
    assert frame.loc[frame["item"] == "skl2", charts.MISSING].tolist() == [charts.NO_DATA]
    assert r.no_data_items() == ["skl2"] and "skl2" not in r.suppressed_items()
    panel = next(items for _, items, _ in r.item_panels() if "skl2" in set(items["item"]))
    text = _texts(charts.item_chart(panel, title="t"))
    assert charts.NO_DATA in text and "ไม่เผยแพร่" not in text and "Not published" not in text
    html = r.strengths_challenges_html()
    assert "Items with no data" in html and "ไม่เผยแพร่" not in html
    th, en = r.items_alt()
    assert "no data" in en and "not published" not in en
    assert "ไม่มีข้อมูล" in th and "ไม่เผยแพร่" not in th


def test_the_item_legend_follows_each_items_answer_scale(processed, small_and_large):
    from helpers.reports.agency import REVERSED_ANSWERS, SCALE_ANSWERS

    r = AgencyReport(2565, small_and_large[1], processed)
    frame = r.items()
    book = config.codebook("staff_survey", processed)
    panels = {}
    for _, items, title in r.item_panels():
        fig = charts.item_chart(items, title=title)
        for ax in fig.axes:
            legend = ax.get_legend() or fig.legends[0]
            key = tuple(t.get_text() for t in legend.get_texts())
            for label in ax.get_yticklabels():
                panels[re.sub(r"\s", "", label.get_text())] = key
        assert "เห็นด้วย / Positive" not in _texts(fig)
    for row in frame.itertuples():
        column = book.column(row.item)
        key = panels[re.sub(r"\s", "", row.label)]
        if column.reverse:
            assert key == REVERSED_ANSWERS[column.scale] and "เชิงลบ" in row.label
        else:
            assert key == SCALE_ANSWERS[column.scale]
    assert {"agree5", "amount5"} <= set(frame["scale"])
    # a reverse-coded item is drawn in its favourable direction, as the indicator counts it
    reverse = frame[frame["reverse"]]
    assert len(reverse)
    raw = r.data.table("items")
    raw = raw[(raw["agency_code"] == r.agency) & raw["reverse"]].set_index("item")
    for row in reverse.itertuples():
        assert row.percent_positive == raw.loc[row.item, "percent_positive"]
    html = r.strengths_challenges_html()
    assert "% เห็นด้วย / positive" not in html


def test_values_in_thai_prose_use_roi_la_and_words_for_bounds():
    from helpers.reports.formatting import thai_amount as _thai_amount

    assert _thai_amount("45.1%") == "ร้อยละ 45.1"
    assert _thai_amount("42.6–47.7%") == "ร้อยละ 42.6–47.7"
    assert _thai_amount("≥ 80.0%") == "ไม่น้อยกว่าร้อยละ 80.0"
    assert _thai_amount("≥ 65.0") == "ไม่น้อยกว่า 65.0"
    assert _thai_amount("≤ 3") == "ไม่เกิน 3"
    assert _thai_amount("≥ ระดับ 4 / Level 4") == "ไม่น้อยกว่าระดับ 4"
    assert _thai_amount("ใช่ / Yes") == "ใช่"


def test_a_change_from_a_withheld_year_says_so_not_no_data(processed, small_and_large):
    r = AgencyReport(2565, small_and_large[1], processed)
    row = r.rows.loc["A5"].copy()
    row["change"] = row["previous_value"] = np.nan
    before = pd.DataFrame(
        {
            "fiscal_year": [2564],
            "agency_code": [r.agency],
            "indicator": ["A5"],
            "status": ["suppressed"],
        }
    )
    r.data.__dict__["history"] = before  # last year: withheld
    assert "ปีก่อนไม่เผยแพร่" in r._change_html("A5", row)
    assert "no previous year" not in r._change_html("A5", row)
    r.data.__dict__["history"] = before.iloc[0:0]  # last year: nothing at all
    assert "no previous year" in r._change_html("A5", row)


def test_a_bare_number_after_a_thai_word_gets_its_space():
    from helpers.reports.agency import _spaced

    assert "จาก" + _spaced("54.7") == "จาก 54.7"
    assert "จาก" + _spaced("ร้อยละ 50.6") == "จากร้อยละ 50.6"
