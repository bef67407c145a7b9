"""Per-agency aggregates for the reports: suppression, benchmarks, correlations, set-aside."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.core import config
from helpers.indicators import aggregates, kpi
from helpers.ingest.registry import load_registry
from helpers.stats.survey import Design
from helpers.stats.weights import calibrated_design


def _staff(agency_sizes: dict[str, int], seed: int = 1) -> pd.DataFrame:
    """Staff answers for agencies of the given sizes, weight 1, all Likert items answered."""
    rng = np.random.default_rng(seed)
    book = config.codebook("staff_survey")
    rows = []
    for agency, n in agency_sizes.items():
        for _ in range(n):
            row = {
                "agency": agency,
                "weight": 1.0,
                "weight_cell": "all",
                "idp_made": 1,
                "idp_carried_out": 1,
            }
            row.update({c.name: int(rng.integers(1, 6)) for c in book.items()})
            rows.append(row)
    frame = pd.DataFrame(rows)
    for c in book.items():
        frame[c.name] = frame[c.name].astype("Int8")
    for c in ("idp_made", "idp_carried_out"):
        frame[c] = frame[c].astype("Int8")
    frame["fiscal_year"] = 2565
    return frame


@pytest.fixture
def registry(project):
    return load_registry(project)


def test_nine_respondents_are_suppressed_and_ten_are_shown(project, registry):
    staff = _staff({"01001": 9, "01002": 10, "02001": 40})
    frame = aggregates.measure_results(staff, None, 2565, registry, root=project)
    small = frame[frame["agency_code"] == "01001"]
    assert small["value"].isna().all() and small["respondents"].isna().all()
    assert (small["suppression_reason"] == "fewer than 10 respondents").all()
    ten = frame[frame["agency_code"] == "01002"]
    assert ten["value"].notna().all() and (ten["respondents"] == 10).all()
    assert set(frame["measure"]) == {"ecosystem", "skillsets", "mindset", *aggregates_personas()}


def aggregates_personas() -> list[str]:
    return [c.name for c in config.codebook("staff_survey").items("persona")]


def test_scores_are_on_0_to_100_and_match_a_hand_computation(project, registry):
    staff = _staff({"02001": 30})
    frame = aggregates.measure_results(staff, None, 2565, registry, root=project)
    book = config.codebook("staff_survey")
    items = [c for c in book.items("skillsets")]
    by_hand = ((staff[[c.name for c in items]].astype(float).mean(axis=1) - 1) * 25).mean()
    got = frame.set_index("measure").loc["skillsets", "value"]
    assert got == pytest.approx(by_hand)
    assert frame["value"].between(0, 100).all()


def test_benchmarks_use_published_agencies_only(project, registry):
    staff = _staff({"01001": 5, "01002": 20, "02001": 20, "03002": 20})
    frame = aggregates.measure_results(staff, None, 2565, registry, root=project)
    eco = frame[frame["measure"] == "ecosystem"].set_index("agency_code")
    published = eco["value"].dropna()
    assert len(published) == 3
    assert eco["gov_median"].iloc[0] == pytest.approx(published.median())
    assert eco["gov_q3"].iloc[0] == pytest.approx(published.quantile(0.75))
    # the ministry of 01001 and 01002: the median of 01002 alone, never of the hidden 01001
    assert eco.loc["01001", "ministry_median"] == pytest.approx(published["01002"])


def test_measures_use_the_calibrated_design(project, registry):
    """Estimates are the weighted means; standard errors include the calibration to the cells
    (as the indicators'), so they differ from the fixed-weight design's."""
    staff = _staff({"02001": 40}, seed=3)
    staff["weight_cell"] = np.where(np.arange(40) < 15, "a", "b")
    staff["weight"] = np.where(staff["weight_cell"] == "a", 4.0, 1.5)
    frame = aggregates.measure_results(staff, None, 2565, registry, root=project)
    row = frame[frame["measure"] == "per1"].iloc[0]
    values = (staff["per1"].astype(float) - 1) * 25
    work = staff.assign(per1_0_100=values)
    fixed = Design(work, weight="weight").mean("per1_0_100")
    calibrated = calibrated_design(work).mean("per1_0_100")
    assert row["value"] == pytest.approx(fixed.estimate, rel=1e-12)
    assert row["se"] == pytest.approx(calibrated.se, rel=1e-9)
    assert row["se"] != pytest.approx(fixed.se, rel=1e-3)


def test_measures_need_the_calibration_cells(project, registry):
    staff = _staff({"02001": 12}).drop(columns="weight_cell")
    with pytest.raises(kpi.KpiError, match="calibration cell"):
        aggregates.measure_results(staff, None, 2565, registry, root=project)


def test_citizen_drivers_are_on_0_to_10(project, registry):
    rng = np.random.default_rng(2)
    book = config.codebook("citizen_survey")
    drivers = [c.name for c in book.columns if c.construct == "trust_driver"]
    citizen = pd.DataFrame(
        {d: pd.array(rng.integers(0, 11, 25), dtype="Int8") for d in drivers}
    ).assign(agency="02001", weight=1.0, weight_cell="all")
    frame = aggregates.measure_results(None, citizen, 2565, registry, root=project)
    assert set(frame["measure"]) == set(drivers) and (frame["group"] == "driver").all()
    assert frame["value"].between(0, 10).all() and (frame["scale_max"] == 10).all()


def test_correlations_need_thirty_respondents(project):
    staff = _staff({"01001": 29, "02001": 30})
    frame = aggregates.satisfaction_correlations(staff, 2565, root=project)
    small = frame[frame["agency_code"] == "01001"]
    assert small["correlation"].isna().all()
    assert small["suppression_reason"].str.contains("fewer than 30").all()
    big = frame[frame["agency_code"] == "02001"].set_index("measure")
    assert big["correlation"].notna().sum() >= 3  # idp_carried has no variation here
    assert big.loc["idp_carried", "suppression_reason"] == "no variation"


def test_set_aside_summary_counts_by_agency_and_reason():
    set_aside = pd.DataFrame(
        {
            "agency_code": pd.array(["01001", "01001", None, "02001"], dtype="string"),
            "instrument": ["staff_survey"] * 3 + ["citizen_survey"],
            "reason": ["duplicate_submission"] * 2 + ["unknown_agency", "blank_row"],
        }
    )
    summary = aggregates.set_aside_summary(set_aside, 2565)
    assert summary["rows"].sum() == 4
    dup = summary[summary["reason"] == "duplicate_submission"].iloc[0]
    assert dup["agency_code"] == "01001" and dup["rows"] == 2
    assert summary.loc[summary["reason"] == "unknown_agency", "agency_code"].isna().all()


def test_funnel_parameters_centre_is_the_median_of_published_values(project):
    table = pd.DataFrame(
        {
            "indicator": ["A5", "A5", "A5", "A7", "A7"],
            "value": [50.0, 60.0, np.nan, 40.0, 70.0],
        }
    )
    staff = _staff({"02001": 20})
    params = aggregates.funnel_parameters(staff, table, 2565, root=project).set_index("indicator")
    assert params.loc["A5", "centre"] == 55.0 and params.loc["A7", "centre"] == 55.0
    assert params.loc["A5", "sd"] > 0 and np.isnan(params.loc["A7", "sd"])


def test_missing_questions_name_the_agencies_of_the_files_without_them():
    ledger = pd.DataFrame(
        {
            "instrument": ["staff_survey", "staff_survey"],
            "file": ["2565/a.csv", "2565/b.xlsx"],
            "columns_missing": ["response_id; tenure_band; gender", ""],
        }
    )
    staff = pd.DataFrame(
        {
            "agency": ["03007", "03007", "03006"],
            "source_file": ["2565/a.csv", "2565/b.xlsx", "2565/b.xlsx"],
        }
    )
    frame = aggregates.missing_questions(ledger, {"staff_survey": staff}, 2565)
    # ids are bookkeeping, not questions; 03006's file had every question
    assert frame[["agency_code", "column", "files"]].values.tolist() == [
        ["03007", "gender", 1],
        ["03007", "tenure_band", 1],
    ]
    assert aggregates.missing_questions(ledger.iloc[1:], {"staff_survey": staff}, 2565).empty
