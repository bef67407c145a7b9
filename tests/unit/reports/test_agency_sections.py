"""The agency report's sections on what to act on (helpers.reports.agency_sections): items,
results by staff group, the respondent profile and its cautions, small agencies' model-based
estimate and the action section, on one processed demo year with planted tables."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from helpers.reports import actions, agency_sections
from helpers.reports.agency import REVERSED_MARK, AgencyReport
from helpers.reports.agency_sections import item_change_test
from helpers.reports.charts import MISSING
from helpers.reports.tables import YearData

YEAR = 2565


@pytest.fixture(scope="module")
def agencies(processed):
    table = pd.read_parquet(processed / "data/processed/2565/indicators/indicators.parquet")
    small = table[table["status"] == "suppressed"]["agency_code"].iloc[0]
    return small, YearData.load(YEAR, processed).largest_agency()


def _plant(r: AgencyReport, key: str, frame: pd.DataFrame | None) -> None:
    """Put a table in the report's data in place of the file (key as YearData.get takes it)."""
    r.data.get(key)  # recorded as read, like the real one
    r.data._tables[key] = frame


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def _shown(cell: str) -> str:
    """A cell's visible text without its card label (which names the column, "A5 ...")."""
    return _text(re.sub(r'<span class="cell-label">.*?</span></span>', "", cell))


# ----------------------------------------------------------------------------- items


def test_the_item_change_test_matches_a_hand_computation():
    change, p = item_change_test(60.0, 5.2, 50.0, 5.6)
    z = 10 / math.sqrt(5.2**2 + 5.6**2)
    assert change == pytest.approx(10.0)
    assert p == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-9)
    assert p == pytest.approx(0.1907, abs=1e-4)  # z = 1.3086
    # no spread, or an unknown standard error: no test
    assert math.isnan(item_change_test(100.0, 0.0, 100.0, 0.0)[1])
    assert math.isnan(item_change_test(60.0, float("nan"), 50.0, 5.6)[1])


def _planted_items(r: AgencyReport) -> pd.DataFrame:
    items = r.data.table("items")
    mine = items[items["agency_code"] == r.agency].copy()
    # percent positive 40, 42, ... in codebook order; the reversed item eco5 highest
    mine["percent_positive"] = 40.0 + 2 * np.arange(len(mine))
    mine.loc[mine["item"] == "eco5", "percent_positive"] = 97.0
    mine["percent_negative"] = 100 - mine["percent_positive"] - 5
    mine["percent_neutral"] = 5.0
    return pd.concat([items[items["agency_code"] != r.agency], mine], ignore_index=True)


def test_five_most_and_least_positive_items_turn_reversed_items_the_right_way(processed, agencies):
    r = AgencyReport(YEAR, agencies[1], processed)
    _plant(r, "indicators/items", _planted_items(r))
    top, bottom = r.top_bottom_items()
    assert len(top) == len(bottom) == 5
    assert top["item"].iloc[0] == "eco5" and bool(top["reverse"].iloc[0])
    assert REVERSED_MARK.split(" / ")[0] in top["label"].iloc[0]
    assert top["percent_positive"].is_monotonic_decreasing
    assert bottom["percent_positive"].is_monotonic_increasing
    assert bottom["percent_positive"].iloc[0] == 40.0
    assert not set(top["item"]) & set(bottom["item"])
    html = r.top_bottom_html()
    assert html.count("<li data-sources=") == 10 and "เชิงบวกร้อยละ 97" in html


def test_the_item_table_tests_the_change_from_last_years_published_items(processed, agencies):
    r = AgencyReport(YEAR, agencies[1], processed)
    items = r.data.table("items")
    mine = items[items["agency_code"] == r.agency]
    item, now = mine["item"].iloc[0], mine.iloc[0]
    before = mine.assign(fiscal_year=YEAR - 1, respondents=pd.array([80] * len(mine), "Int64"))
    before["percent_positive"] = now["percent_positive"] - 10
    before["se_positive"] = 4.5
    withheld = mine["item"].iloc[1]
    before.loc[before["item"] == withheld, ["percent_positive", "respondents"]] = [np.nan, pd.NA]
    before.loc[before["item"] == withheld, "suppression_reason"] = "fewer than 10 respondents"
    _plant(r, "previous:indicators/items", before)
    table = r.item_table().set_index("item")
    # this year's standard error is the calibrated design's, from the items table
    assert now["se_positive"] > 0
    expected = item_change_test(
        now["percent_positive"], now["se_positive"], now["percent_positive"] - 10, 4.5
    )
    assert table.loc[item, "change"] == pytest.approx(expected[0])
    assert table.loc[item, "change_p"] == pytest.approx(expected[1])
    assert f"{YEAR - 1}/staff/item:{item} {r.agency}=80" in table.loc[item, "change_sources"]
    assert table.loc[withheld, "change_note"] == "withheld"
    html = r.item_table_html()
    row = re.search(rf'<tr data-item="{withheld}">.*?</tr>', html).group(0)
    assert "ปีก่อนไม่เผยแพร่" in row and "ไม่มีข้อมูลปีก่อน" not in row
    medians = items.groupby("item")["percent_positive"].median()
    assert table.loc[item, "gov_median"] == pytest.approx(medians[item])


def test_the_item_table_stacks_into_labelled_cards_and_withheld_items_say_so(processed, agencies):
    r = AgencyReport(YEAR, agencies[1], processed)
    html = r.item_table_html()
    assert 'class="item-table stack fixed"' in html
    for row in re.findall(r"<tr data-item=.*?</tr>", html):
        cells = re.findall(r"<t[dh][ >].*?</t[dh]>", row)
        assert all('class="cell-label"' in c for c in cells), row
    small = AgencyReport(YEAR, agencies[0], processed)
    table = small.item_table()
    assert (table[MISSING] != "").all()
    text = _text(small.item_table_html() + small.top_bottom_html())
    assert "ไม่เผยแพร่" in text and "ไม่มีข้อมูล" not in text and "no data" not in text.lower()


# ----------------------------------------------------------------------------- staff groups


def _breakdowns(agency: str) -> pd.DataFrame:
    rows = []
    overall = {"A5": (61.23, 58.0, 64.4, 120), "ecosystem": (55.55, 51.0, 60.1, 118)}
    cells = [  # group, order, respondents, estimate, suppressed
        ("executive", 1, None, None, "primary"),
        ("director", 2, None, None, "complementary"),
        ("academic", 3, 60, 57.51, None),
        ("general", 4, 48, 63.07, None),
        ("not_stated", 5, 0, None, None),
    ]
    for measure, (est, low, high, n) in overall.items():
        for group, order, count, value, suppressed in cells:
            rows.append(
                {
                    "fiscal_year": YEAR,
                    "scope": agency,
                    "ministry_code": "x",
                    "part_of": "gov",
                    "measure": measure,
                    "breakdown": "position_type",
                    "breakdown_th": "ประเภทตำแหน่ง",
                    "breakdown_en": "Position type",
                    "group": group,
                    "group_th": f"กลุ่ม {group}",
                    "group_en": group.title(),
                    "group_order": order,
                    "estimate": value if value is None else value + (measure == "ecosystem"),
                    "se": None if value is None else 2.0,
                    "ci_low": None if value is None else value - 4.04,
                    "ci_high": None if value is None else value + 3.96,
                    "respondents": count if count is None else count - (measure != "A5"),
                    "overall_estimate": est,
                    "overall_ci_low": low,
                    "overall_ci_high": high,
                    "overall_respondents": n,
                    "suppressed": suppressed,
                }
            )
    frame = pd.DataFrame(rows)
    frame["respondents"] = pd.array(frame["respondents"], dtype="Int64")
    frame["overall_respondents"] = pd.array(frame["overall_respondents"], dtype="Int64")
    return frame


def test_breakdown_cells_are_shown_exactly_as_published_and_withheld_cells_show_no_number(
    processed, agencies
):
    r = AgencyReport(YEAR, agencies[1], processed)
    planted = _breakdowns(r.agency)
    _plant(r, "indicators/breakdowns", pd.concat([planted, _breakdowns("99999")]))
    html = r.breakdowns_html()
    assert html.count("<table") == 1 and 'class="breakdown-table stack fixed"' in html
    for group, value, low, high in (
        ("academic", 57.51, 53.47, 61.47),
        ("general", 63.07, 59.03, 67.03),
    ):
        row = re.search(rf'<tr data-group="{group}">.*?</tr>', html).group(0)
        assert f"<b>{value:.1f}</b>" in row and f"({low:.1f}–{high:.1f})" in row
        assert f"2565/staff/A5[position_type={group}] {r.agency}=" in row
    assert "(58.0–64.4)" in html and "<b>61.2</b>" in html  # the whole agency
    for group in ("executive", "director"):
        row = re.search(rf'<tr data-group="{group}">.*?</tr>', html).group(0)
        for cell in re.findall(r"<td.*?</td>", row):
            assert "ไม่เผยแพร่" in cell
            assert not re.search(r"\d", _shown(cell))
            assert "data-sources" not in cell
    assert "การปกปิดข้อมูลเสริม" in html and "complementary suppression" in html
    # the other agency's rows are not this report's
    assert "99999" not in html


def test_the_profile_counts_the_measure_most_staff_answered_withheld_the_same_way(
    processed, agencies
):
    r = AgencyReport(YEAR, agencies[1], processed)
    _plant(r, "indicators/breakdowns", _breakdowns(r.agency))
    assert r.profile_measure() == "A5"  # 120 respondents against 118
    html = r.profile_html()
    academic = re.search(r"<tr><th scope=\"row\">.*?กลุ่ม academic.*?</tr>", html).group(0)
    assert ">60<" in academic and ">50<" in academic  # 60 of 120
    assert f"2565/staff/A5[position_type=academic] {r.agency}=60" in academic
    for group in ("executive", "director"):
        row = re.search(rf"<tr><th scope=\"row\">.*?กลุ่ม {group}.*?</tr>", html).group(0)
        assert "ไม่เผยแพร่" in row and not re.search(r"\d", _text(row))
    assert f"2565/staff/A5 {r.agency}=120" in html and ">120<" in html


def _sample(r: AgencyReport, rate: float | None, n_eff: float | None, n: int | None = 50):
    base = r.sample()
    staff = {**base["staff"], "respondents": n, "response_rate": rate, "effective_n": n_eff}
    return lambda: {**base, "staff": staff}


def test_cautions_follow_the_configured_thresholds(processed, agencies, monkeypatch):
    r = AgencyReport(YEAR, agencies[1], processed)
    limits = agency_sections.cautions_settings(processed)
    assert limits == {"response_rate_below": 0.2, "effective_n_below": 30, "small_sample_below": 30}
    cases = [
        ((0.199, 100.0), ["response"]),
        ((0.20, 100.0), []),
        ((0.5, 29.9), ["effective"]),
        ((0.5, 30.0), []),
        ((0.1, 12.0), ["response", "effective"]),
        ((None, 100.0), []),
    ]
    for (rate, n_eff), expected in cases:
        monkeypatch.setattr(r, "sample", _sample(r, rate, n_eff))
        found = r.cautions()
        kinds = ["response" if "response rate" in en else "effective" for _, en in found]
        assert kinds == expected, (rate, n_eff)
        html = r.caution_html()
        assert bool(html) == bool(expected)
        if expected:
            assert "ข้อควรระวัง" in html and 'lang="en"' in html
    monkeypatch.setattr(r, "sample", _sample(r, 0.01, 5.0, None))  # not published: no caution
    assert r.cautions() == [] and r.caution_html() == ""


# ----------------------------------------------------------------------------- small agencies


def _effects(agency: str, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": [agency],
            "n": [n],
            "raw_mean": [70.0],
            "blup": [3.0],
            "blup_se": [4.0],
            "shrunken_mean": [64.5],
            "reliability": [0.42],
            "fiscal_year": [YEAR],
        }
    )


def test_the_shrunken_estimate_shows_only_for_small_published_agencies(
    processed, agencies, monkeypatch
):
    r = AgencyReport(YEAR, agencies[1], processed)
    _plant(r, "models/staff_agency_effects", _effects(r.agency, 25))
    assert r.model_estimate() is None and r.model_estimate_html() == ""  # not small
    monkeypatch.setattr(
        agency_sections,
        "cautions_settings",
        lambda root=None: {
            "response_rate_below": 0.2,
            "effective_n_below": 30,
            "small_sample_below": 10**6,
        },
    )
    est = r.model_estimate()
    assert est["value"] == 64.5 and est["ci_low"] == pytest.approx(64.5 - 1.96 * 4)
    html = r.model_estimate_html()
    assert "ค่าประมาณจากแบบจำลอง" in html and "Model-based estimate" in html
    assert "64.5" in html and f"2565/staff/A5 {r.agency}=" in html
    _plant(r, "models/staff_agency_effects", _effects(r.agency, 9))  # the model saw 9
    assert r.model_estimate() is None
    _plant(r, "models/staff_agency_effects", _effects(r.agency, 25))
    r.rows.loc["A5", "respondents"] = 9  # never below the threshold, whatever the model has
    assert r.model_estimate() is None and r.model_estimate_html() == ""
    small = AgencyReport(YEAR, agencies[0], processed)  # A5 withheld
    _plant(small, "models/staff_agency_effects", _effects(small.agency, 25))
    assert small.model_estimate() is None and small.model_estimate_html() == ""


# ----------------------------------------------------------------------------- actions


def _importance() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "term": ["eco_score", "skl_score", "mnd_score", "idp_carried"],
            "share_pratt": [0.55, 0.25, 0.15, 0.05],
            "fiscal_year": [YEAR] * 4,
        }
    )


def _measures(r: AgencyReport, values: dict[str, tuple[float, float]]) -> pd.DataFrame:
    measures = r.data.table("measures").copy()
    for measure, (value, median) in values.items():
        at = (measures["agency_code"] == r.agency) & (measures["measure"] == measure)
        measures.loc[at, ["value", "gov_median", "ci_low", "ci_high"]] = [
            value,
            median,
            value - 3,
            value + 3,
        ]
    return measures


def test_the_action_section_ranks_a_planted_example(processed, agencies):
    r = AgencyReport(YEAR, agencies[1], processed)
    _plant(r, "models/staff_importance", _importance())
    _plant(
        r,
        "indicators/measures",
        _measures(
            r, {"ecosystem": (50.0, 58.0), "skillsets": (40.0, 60.0), "mindset": (70.0, 60.0)}
        ),
    )
    areas = r.action_areas().set_index("area")
    # ecosystem 8 x 0.55 = 4.4 before skillsets 20 x 0.25 = 5.0? no: 5.0 > 4.4
    challenges = areas[areas["kind"] == "challenge"].sort_values("rank")
    assert challenges.index[:2].tolist() == ["skillsets", "ecosystem"]
    assert areas.loc["mindset", "kind"] == "strength"
    assert areas.loc["skillsets", "priority"] == pytest.approx(20 * 0.25)
    html = r.actions_html()
    assert html.index('data-area="skillsets"') < html.index('data-area="ecosystem"')
    assert html.index('data-area="ecosystem"') < html.index('data-area="mindset"')
    assert f"2565/staff/construct:skillsets {r.agency}=" in html


def test_prompts_are_marked_as_placeholders_while_the_library_says_so(
    processed, agencies, monkeypatch
):
    r = AgencyReport(YEAR, agencies[1], processed)
    _plant(r, "models/staff_importance", _importance())
    html = r.actions_html()
    assert 'id="placeholder-actions"' in html and 'data-placeholder="true"' in html
    assert "(ร่าง รอการทบทวน)" in html
    confirmed = actions.Library(placeholder=False, prompts={"ecosystem": [("ก", "a")]})
    monkeypatch.setattr(actions, "load_library", lambda root=None: confirmed)
    html = r.actions_html()
    assert "placeholder-actions" not in html and "(ร่าง รอการทบทวน)" not in html
    # an area the library has nothing for says so, with no invented advice
    assert html.count("ยังไม่มีข้อเสนอสำหรับด้านนี้") == 3


def test_no_ranking_for_an_agency_whose_results_are_withheld(processed, agencies):
    r = AgencyReport(YEAR, agencies[0], processed)
    _plant(r, "models/staff_importance", _importance())
    assert r.action_areas().empty
    assert "ไม่สามารถจัดลำดับได้" in r.actions_html()
