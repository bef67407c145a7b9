"""helpers.stats.weights on small hand-made frames whose weights are worked out in the comments."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.core import config
from helpers.core.config import ConfigError
from helpers.ingest import registry
from helpers.stats import weights
from helpers.stats.survey import Design, SurveyError
from helpers.stats.weights import CollapseStep, WeightsError, citizen_weights, staff_weights
from tests.conftest import REPO

LEVELS = list(registry.LEVEL_SHARES)
ORDER = (
    CollapseStep("management", ("executive", "director")),
    CollapseStep("academic", ("academic_entry", "academic_senior")),
    CollapseStep("senior", ("management", "academic_senior")),
)
GROUP_LEVELS = {  # a level of each group, used to build respondents
    "executive": "exec_junior",
    "director": "dir_junior",
    "academic_entry": "acad_practitioner",
    "academic_senior": "acad_senior_professional",
    "general": "gen_operational",
}
TYPE = {"exec": "executive", "dir": "director", "acad": "academic", "gen": "general"}


def make_registry(agencies: dict[str, dict[str, int]]) -> pd.DataFrame:
    rows = []
    for code, counts in agencies.items():
        hc = {f"hc_{level}": counts.get(level, 0) for level in LEVELS}
        rows.append({"agency_code": code, **hc, "headcount_total": sum(hc.values())})
    return pd.DataFrame(rows)


def make_staff(agencies: dict[str, dict[str, int]]) -> pd.DataFrame:
    """{agency: {level or 'type:<type>' (level missing): respondents}}."""
    rows = []
    for code, counts in agencies.items():
        for key, n in counts.items():
            if key.startswith("type:"):
                kind, level = key[5:], None
            else:
                kind, level = TYPE[key.split("_")[0]], key
            rows += [{"agency": code, "position_type": kind, "position_level": level}] * n
    return pd.DataFrame(rows).astype("string")


def weigh(staff, reg, **kwargs):
    kwargs = {"min_cell": 5, "cap": 5.0, "collapse_order": ORDER, **kwargs}
    return staff_weights(staff, reg, **kwargs)


def cell_sums(weighted: pd.DataFrame, agency: str) -> dict[str, float]:
    rows = weighted[weighted["agency"] == agency]
    return rows.groupby("weight_cell")["weight"].sum().to_dict()


# Agency 01: management 20 (4 executives, 16 directors), academic entry 200, senior 60,
# general 120: 400 staff. Respondents: 2 executives, 4 directors, 20 entry, 10 senior,
# 10 general = 46. Executives (2 < 5) force executive+director -> management (6 respondents).
# Raked weights: management 20/6, entry 10, senior 6, general 12.
REG_01 = {
    "exec_senior": 1, "exec_junior": 3, "dir_junior": 10, "dir_senior": 6,
    "acad_practitioner": 100, "acad_professional": 100,
    "acad_senior_professional": 50, "acad_expert": 10, "gen_operational": 120,
}  # fmt: skip
STAFF_01 = {
    "exec_junior": 2, "dir_senior": 4, "acad_practitioner": 12, "acad_professional": 8,
    "acad_senior_professional": 10, "gen_operational": 10,
}  # fmt: skip
# Agency 02: every group large enough, nothing collapsed.
REG_02 = {"exec_senior": 10, "dir_junior": 20, "acad_practitioner": 30, "acad_expert": 40,
          "gen_senior": 50}  # fmt: skip
STAFF_02 = {"exec_senior": 5, "dir_junior": 5, "acad_practitioner": 6, "acad_expert": 8,
            "gen_senior": 10}  # fmt: skip


class TestStaffWeights:
    @pytest.fixture
    def result(self):
        reg = make_registry({"01": REG_01, "02": REG_02, "03": {"gen_special": 99}})
        return weigh(make_staff({"01": STAFF_01, "02": STAFF_02}), reg)

    def test_weights_sum_to_headcount_per_agency(self, result):
        weighted, summary = result
        totals = weighted.groupby("agency")["weight"].sum()
        assert totals.to_dict() == pytest.approx({"01": 400, "02": 150}, rel=1e-12)
        assert summary.set_index("agency_code")["headcount"].to_dict() == {"01": 400, "02": 150}

    def test_cell_totals_equal_registry_after_collapse(self, result):
        weighted, _ = result
        assert cell_sums(weighted, "01") == pytest.approx(
            {"management": 20, "academic_entry": 200, "academic_senior": 60, "general": 120},
            rel=1e-12,
        )
        assert cell_sums(weighted, "02") == pytest.approx(
            {"executive": 10, "director": 20, "academic_entry": 30, "academic_senior": 40,
             "general": 50},
            rel=1e-12,
        )  # fmt: skip
        first = weighted[weighted["agency"] == "01"].groupby("weight_cell")["weight"]
        assert first.min().to_dict() == pytest.approx(first.max().to_dict())
        assert first.first().to_dict() == pytest.approx(
            {"management": 20 / 6, "academic_entry": 10, "academic_senior": 6, "general": 12}
        )

    def test_collapse_reported(self, result):
        _, summary = result
        row = summary.set_index("agency_code").loc["01"]
        assert row["cells_used"] == "management, academic_entry, academic_senior, general"
        assert row["cells_collapsed"] == (
            "executive+director -> management (executive: n=2; director: n=4)"
        )
        assert summary.set_index("agency_code").loc["02", "cells_collapsed"] == ""

    def test_summary_numbers(self, result):
        weighted, summary = result
        row = summary.set_index("agency_code").loc["01"]
        assert row["respondents"] == 46
        assert row["response_rate"] == pytest.approx(46 / 400)
        # Kish by hand: n * sum(w^2) / sum(w)^2.
        sum_w2 = 6 * (20 / 6) ** 2 + 20 * 10**2 + 10 * 6**2 + 10 * 12**2
        assert row["design_effect_weighting"] == pytest.approx(46 * sum_w2 / 400**2)
        assert row["effective_n"] == pytest.approx(400**2 / sum_w2)
        assert row["max_weight_ratio"] == pytest.approx(12 / (400 / 46))
        assert row["capped"] == 0
        assert list(summary["agency_code"]) == ["01", "02"]  # 03 has no respondents
        assert len(weighted) == 46 + 34 and weighted["weight"].gt(0).all()

    def test_frame_is_a_copy_with_the_same_index(self):
        staff = make_staff({"02": STAFF_02}).set_axis(range(100, 134))
        weighted, _ = weigh(staff, make_registry({"02": REG_02}))
        assert weighted.index.equals(staff.index) and "weight" not in staff.columns
        assert weighted.loc[100, "weight"] == pytest.approx(2.0)  # 10 executives / 5

    def test_empty_cell_is_merged(self):
        # academic_senior has 40 staff and no respondents -> academic (70 staff, 6 respondents).
        staff = make_staff({"02": {**STAFF_02, "acad_expert": 0}})
        weighted, summary = weigh(staff, make_registry({"02": REG_02}))
        assert cell_sums(weighted, "02")["academic"] == pytest.approx(70)
        assert summary.loc[0, "cells_collapsed"] == (
            "academic_entry+academic_senior -> academic (academic_senior: n=0)"
        )

    def test_third_step_and_spelt_out_name(self):
        # Management 2 respondents after executive+director: merged with academic_senior.
        staff = make_staff({"01": {**STAFF_01, "dir_senior": 0}})
        weighted, summary = weigh(staff, make_registry({"01": REG_01}))
        assert cell_sums(weighted, "01") == pytest.approx(
            {"senior": 80, "academic_entry": 200, "general": 120}
        )
        assert summary.loc[0, "cells_collapsed"].endswith(
            "management+academic_senior -> senior (management: n=2)"
        )
        # With the academic groups merged first (senior empty), the third merge is spelt out.
        staff = make_staff({"01": {**STAFF_01, "dir_senior": 0, "acad_senior_professional": 0}})
        weighted, _ = weigh(staff, make_registry({"01": REG_01}))
        assert cell_sums(weighted, "01") == pytest.approx(
            {"executive+director+academic_entry+academic_senior": 280, "general": 120}
        )

    def test_everything_into_one_cell_when_still_too_small(self):
        staff = make_staff({"01": {"acad_practitioner": 3, "gen_operational": 1}})
        weighted, summary = weigh(staff, make_registry({"01": REG_01}))
        assert set(weighted["weight_cell"]) == {"all"}
        assert weighted["weight"].to_list() == pytest.approx([100.0] * 4)  # N / n = 400 / 4
        assert "everything -> all" in summary.loc[0, "cells_collapsed"]
        assert summary.loc[0, "design_effect_weighting"] == pytest.approx(1.0)

    def test_respondents_without_registry_staff_are_merged(self):
        # 5 general respondents but no general staff in the registry.
        reg = make_registry({"02": {**REG_02, "gen_senior": 0}})
        weighted, summary = weigh(make_staff({"02": STAFF_02}), reg)
        assert weighted["weight"].sum() == pytest.approx(100)
        assert "general: n=10 but no registry staff" in summary.loc[0, "cells_collapsed"]

    def test_missing_level_falls_back_to_type(self):
        # 3 academics without a level: entry and senior become one academic cell (70 staff);
        # a general respondent without a level is in the general cell.
        staff = make_staff({"02": {**STAFF_02, "type:academic": 3, "type:general": 1}})
        weighted, summary = weigh(staff, make_registry({"02": REG_02}))
        assert cell_sums(weighted, "02") == pytest.approx(
            {"executive": 10, "director": 20, "academic": 70, "general": 50}
        )
        assert weighted.loc[weighted["position_level"].isna(), "weight_cell"].to_list() == [
            "academic", "academic", "academic", "general",
        ]  # fmt: skip
        assert (
            "position level missing for 3 academic respondents"
            in (summary.loc[0, "cells_collapsed"])
        )

    def test_cap_trims_and_keeps_the_agency_total(self):
        # general 1000 staff / 5 respondents (raked weight 200), entry 100 / 50 (2), senior
        # 100 / 25 (4). N = 1200, n = 80, mean 15, cap 5 -> bound 75. General trimmed to 75
        # (375 in all); the other 825 go to entry and senior in proportion to their totals
        # (100 : 100), 412.5 each: entry weight 8.25, senior 16.5.
        reg = make_registry(
            {"09": {"gen_operational": 1000, "acad_practitioner": 100, "acad_expert": 100}}
        )
        staff = make_staff(
            {"09": {"gen_operational": 5, "acad_practitioner": 50, "acad_expert": 25}}
        )
        weighted, summary = weigh(staff, reg)
        assert weighted["weight"].sum() == pytest.approx(1200, rel=1e-12)
        by_cell = weighted.groupby("weight_cell")["weight"]
        assert by_cell.max().to_dict() == pytest.approx(
            {"general": 75, "academic_entry": 8.25, "academic_senior": 16.5}, rel=1e-9
        )
        assert by_cell.min().to_dict() == pytest.approx(by_cell.max().to_dict(), rel=1e-9)
        row = summary.loc[0]
        assert row["max_weight_ratio"] <= 5 + 1e-9
        assert row["max_weight_ratio"] == pytest.approx(5)
        assert row["capped"] == 5

    def test_no_cap_needed_leaves_weights_alone(self):
        weighted, summary = weigh(make_staff({"02": STAFF_02}), make_registry({"02": REG_02}))
        loose, _ = weigh(make_staff({"02": STAFF_02}), make_registry({"02": REG_02}), cap=1e9)
        np.testing.assert_allclose(weighted["weight"], loose["weight"])
        assert summary.loc[0, "capped"] == 0

    def test_agency_not_in_registry(self):
        staff = make_staff({"01": STAFF_01, "77777": {"gen_operational": 1}})
        with pytest.raises(WeightsError, match=r"not in the registry.*\['77777'\]"):
            weigh(staff, make_registry({"01": REG_01}))

    def test_unknown_position_level(self):
        staff = make_staff({"01": STAFF_01})
        staff.loc[0, "position_level"] = "intern"
        with pytest.raises(WeightsError, match=r"unknown position level\(s\) \['intern'\]"):
            weigh(staff, make_registry({"01": REG_01}))

    def test_unknown_position_type_without_level(self):
        staff = make_staff({"01": {**STAFF_01, "type:contractor": 1}})
        with pytest.raises(WeightsError, match=r"known position type.*\['contractor'\]"):
            weigh(staff, make_registry({"01": REG_01}))

    def test_registry_total_must_match_levels(self):
        reg = make_registry({"01": REG_01})
        reg["headcount_total"] += 1
        with pytest.raises(WeightsError, match=r"headcount_total 401 .* equal the sum"):
            weigh(make_staff({"01": STAFF_01}), reg)

    def test_defaults_come_from_config(self):
        staff, reg = make_staff({"01": STAFF_01}), make_registry({"01": REG_01})
        from_config, _ = staff_weights(staff, reg)
        np.testing.assert_allclose(from_config["weight"], weigh(staff, reg)[0]["weight"])


SHARES = {"bangkok": 0.1, "central": 0.2, "north": 0.3, "northeast": 0.25, "south": 0.15}


def make_citizen(agencies: dict[str, dict[str | None, int]]) -> pd.DataFrame:
    rows = [
        {"agency": code, "region": region}
        for code, counts in agencies.items()
        for region, n in counts.items()
        for _ in range(n)
    ]
    return pd.DataFrame(rows).astype("string")


class TestCitizenWeights:
    @pytest.fixture
    def result(self):
        citizen = make_citizen(
            {
                "A": {"bangkok": 10, "central": 10, "north": 20, None: 5},
                "B": {r: 10 for r in SHARES},
            }
        )
        return citizen_weights(citizen, SHARES, cap=5)

    def test_region_shares_reproduced_among_present_regions(self, result):
        weighted, _ = result
        a = weighted[(weighted["agency"] == "A") & weighted["region"].notna()]
        share = a.groupby("region")["weight"].sum() / a["weight"].sum()
        # Renormalised over bangkok, central, north (0.6 of the population).
        assert share.to_dict() == pytest.approx({"bangkok": 1 / 6, "central": 2 / 6, "north": 0.5})
        b = weighted[weighted["agency"] == "B"]
        share_b = b.groupby("region")["weight"].sum() / b["weight"].sum()
        assert share_b.to_dict() == pytest.approx(SHARES)

    def test_weights_sum_to_respondents(self, result):
        weighted, summary = result
        assert weighted.groupby("agency")["weight"].sum().to_dict() == pytest.approx(
            {"A": 45, "B": 50}
        )
        assert summary["respondents"].to_list() == [45, 50]

    def test_missing_region_rows_keep_weight_one(self, result):
        weighted, summary = result
        assert weighted.loc[weighted["region"].isna(), "weight"].to_list() == [1.0] * 5
        # The 40 rows with a region share 40: bangkok 40/6 over 10 rows, north 20 over 20 rows.
        a = weighted[weighted["agency"] == "A"].groupby("region")["weight"].first()
        assert a.to_dict() == pytest.approx({"bangkok": 4 / 6, "central": 8 / 6, "north": 1.0})
        row = summary.set_index("agency_code").loc["A"]
        assert row["missing_region"] == 5

    def test_summary_says_shares_were_renormalised(self, result):
        _, summary = result
        a, b = summary.set_index("agency_code").loc[["A", "B"]].to_dict("records")
        assert a["regions_present"] == "bangkok, central, north"
        assert a["shares_renormalised"]
        assert a["region_shares_used"] == "bangkok=0.1667, central=0.3333, north=0.5000"
        assert not b["shares_renormalised"]

    def test_kish_deff(self, result):
        weighted, summary = result
        w = weighted.loc[weighted["agency"] == "A", "weight"].to_numpy()
        sum_w2 = 10 * (4 / 6) ** 2 + 10 * (8 / 6) ** 2 + 20 * 1 + 5 * 1
        row = summary.set_index("agency_code").loc["A"]
        assert row["design_effect_weighting"] == pytest.approx(45 * sum_w2 / 45**2)
        assert row["design_effect_weighting"] == pytest.approx(weights.kish_deff(w))
        assert row["effective_n"] == pytest.approx(45**2 / sum_w2)

    def test_cap(self):
        # bangkok share 0.5 with 1 of 20 respondents: weight 10 > 5. Capped at 5; the other 15
        # go to the 19 others (raked weight 10/19 each) in proportion: 15/19 each.
        citizen = make_citizen({"A": {"bangkok": 1, "central": 19}})
        shares = {"bangkok": 0.5, "central": 0.5}
        weighted, summary = citizen_weights(citizen, shares, cap=5)
        assert weighted["weight"].sum() == pytest.approx(20)
        assert weighted["weight"].to_list() == pytest.approx([5.0] + [15 / 19] * 19)
        assert summary.loc[0, "capped"] == 1
        assert summary.loc[0, "max_weight_ratio"] <= 5 + 1e-9

    def test_all_regions_missing(self):
        weighted, summary = citizen_weights(make_citizen({"A": {None: 3}}), SHARES, cap=5)
        assert weighted["weight"].to_list() == [1.0] * 3
        assert summary.loc[0, "regions_present"] == ""

    def test_errors(self):
        citizen = make_citizen({"A": {"bangkok": 2, "atlantis": 1}})
        with pytest.raises(WeightsError, match=r"regions \['atlantis'\] have no share"):
            citizen_weights(citizen, SHARES, cap=5)
        with pytest.raises(WeightsError, match=r"must sum to 1 .* sum to 1\.1"):
            citizen_weights(make_citizen({"A": {"bangkok": 2}}), {**SHARES, "south": 0.25}, cap=5)
        with pytest.raises(WeightsError, match=r"regions \['south'\] have respondents but a share"):
            citizen_weights(
                make_citizen({"A": {"south": 2}}), {**SHARES, "south": 0, "north": 0.45}, cap=5
            )

    def test_defaults_come_from_config(self):
        weighted, _ = citizen_weights(make_citizen({"A": {r: 5 for r in SHARES}}))
        shares = weighted.groupby("region")["weight"].sum() / 25
        assert shares.to_dict() == pytest.approx(weights.settings().citizen_region_shares)


def with_outcome(weighted: pd.DataFrame) -> pd.DataFrame:
    """An answer per row that differs between cells: 100 for every third row, else 0."""
    return weighted.assign(y=np.where(np.arange(len(weighted)) % 3 == 0, 100.0, 0.0))


class TestCalibratedDesign:
    @pytest.fixture
    def staff(self):
        reg = make_registry({"01": REG_01, "02": REG_02})
        weighted, _ = weigh(make_staff({"01": STAFF_01, "02": STAFF_02}), reg)
        return with_outcome(weighted)

    @pytest.fixture
    def capped(self):
        # Agency 09 of test_cap_trims_and_keeps_the_agency_total: general trimmed to 75.
        reg = make_registry(
            {"09": {"gen_operational": 1000, "acad_practitioner": 100, "acad_expert": 100}}
        )
        staff = make_staff(
            {"09": {"gen_operational": 5, "acad_practitioner": 50, "acad_expert": 25}}
        )
        weighted, summary = weigh(staff, reg)
        assert summary.loc[0, "capped"] == 5
        return with_outcome(weighted)

    def test_final_weights_are_constant_within_agency_cells(self, staff, capped):
        for frame in (staff, capped):
            spread = frame.groupby(["agency", "weight_cell"])["weight"].agg(["min", "max"])
            assert (spread["min"] == spread["max"]).all()

    def test_se_is_the_post_stratification_of_the_base_weights(self, staff):
        # R's postStratify of the base weights N / n to the registry headcounts per cell, which
        # Design.rake reproduces (tests/reference): same estimate, same SE.
        part = staff[staff["agency"] == "01"].reset_index(drop=True)
        headcounts = {"management": 20, "academic_entry": 200, "academic_senior": 60,
                      "general": 120}  # fmt: skip
        base = part.assign(base=400 / len(part))
        r_style = Design(base, weight="base").rake({"weight_cell": headcounts}).mean("y")
        calibrated = weights.calibrated_design(part).mean("y")
        fixed = Design(part, weight="weight").mean("y")
        assert calibrated.estimate == fixed.estimate
        assert calibrated.estimate == pytest.approx(r_style.estimate, rel=1e-12)
        assert calibrated.se == pytest.approx(r_style.se, rel=1e-9)
        assert calibrated.se < fixed.se

    def test_capped_agency_uses_the_totals_the_weights_reproduce(self, capped):
        # After capping the general cell holds 375, not its headcount 1000 (module docstring):
        # the design is the post-stratification of the base weights to 375, 412.5, 412.5.
        totals = capped.groupby("weight_cell")["weight"].sum().to_dict()
        assert totals == pytest.approx(
            {"general": 375, "academic_entry": 412.5, "academic_senior": 412.5}
        )
        base = capped.assign(base=1200 / len(capped))
        r_style = Design(base, weight="base").rake({"weight_cell": totals}).mean("y")
        calibrated = weights.calibrated_design(capped).mean("y")
        assert calibrated.estimate == Design(capped, weight="weight").mean("y").estimate
        assert calibrated.se == pytest.approx(r_style.se, rel=1e-9)

    def test_cells_are_read_within_agencies_and_agencies_are_strata(self, staff):
        # Both agencies have a cell "general": agency 01 as a domain of the design of both
        # agencies has the estimate and SE of agency 01's own calibrated design.
        both = weights.calibrated_design(staff).subset(staff["agency"] == "01").mean("y")
        alone = weights.calibrated_design(staff[staff["agency"] == "01"]).mean("y")
        assert both.estimate == pytest.approx(alone.estimate, rel=1e-12)
        assert both.se == pytest.approx(alone.se, rel=1e-9)

    def test_agency_with_one_respondent_adds_no_variance(self, staff):
        lone = staff.iloc[[0]].assign(agency="99")
        with_lone = pd.concat([staff, lone], ignore_index=True)
        design = weights.calibrated_design(with_lone)
        assert design.subset(with_lone["agency"] == "99").mean("y").se == 0
        assert design.subset(with_lone["agency"] == "01").mean("y").se == pytest.approx(
            weights.calibrated_design(staff).subset(staff["agency"] == "01").mean("y").se
        )

    def test_citizen_cells_are_regions_and_no_region(self):
        citizen = make_citizen({"A": {"bangkok": 10, "central": 10, None: 5}})
        weighted, _ = citizen_weights(citizen, SHARES, cap=5)
        assert weighted["weight_cell"].dtype == "string"
        assert weighted["weight_cell"].value_counts().to_dict() == {
            "bangkok": 10,
            "central": 10,
            weights.NO_REGION_CELL: 5,
        }
        # Post-stratification of weight 1 to the totals the weights reproduce (bangkok 20 / 3,
        # central 40 / 3 among the 20 with a region; no_region 5).
        frame = with_outcome(weighted)
        totals = frame.groupby("weight_cell")["weight"].sum().to_dict()
        assert totals == pytest.approx({"bangkok": 20 / 3, "central": 40 / 3, "no_region": 5})
        r_style = Design(frame.assign(one=1.0), weight="one").rake({"weight_cell": totals})
        calibrated = weights.calibrated_design(frame).mean("y")
        assert calibrated.estimate == Design(frame, weight="weight").mean("y").estimate
        assert calibrated.se == pytest.approx(r_style.mean("y").se, rel=1e-9)

    def test_missing_cell_is_an_error(self, staff):
        broken = staff.assign(weight_cell=staff["weight_cell"].mask(staff.index == 0))
        with pytest.raises(SurveyError, match="'weight_cell' has 1 missing values"):
            weights.calibrated_design(broken)


class TestWeightsFile:
    @pytest.fixture
    def written(self, project):
        reg = make_registry({"01": REG_01, "02": REG_02})
        staff = make_staff({"01": STAFF_01, "02": STAFF_02})
        n = len(staff)
        staff = staff.assign(
            response_id=pd.array([f"R{i:03d}" for i in range(n - 2)] + [None, None], "string"),
            source_file="2022/staff_survey.csv",
            source_row=np.arange(2, n + 2),
            comment="ผมชื่อสมชาย โทร 081-234-5678",
            submitted_at="2022-03-01",
        )
        weighted, summary = weigh(staff, reg, root=project)
        paths = weights.write_weights(weighted, summary, "staff_survey", 2565, project)
        return weighted, pd.read_parquet(paths[0]), paths

    def test_columns_rows_and_totals(self, written):
        weighted, stored, paths = written
        assert paths[0].name == "staff_survey_weights.parquet"
        assert list(stored.columns) == [
            "response_id", "source_file", "source_row", "agency", "weight_cell", "cell_total",
            "weight",
        ]  # fmt: skip
        assert len(stored) == len(weighted) == 80
        # One row per kept respondent, joinable by source row where the tool gave no id.
        assert not stored.duplicated(["source_file", "source_row"]).any()
        assert stored["response_id"].isna().sum() == 2
        assert stored["source_row"].tolist() == weighted["source_row"].tolist()
        totals = stored.groupby("agency")["weight"].sum().to_dict()
        assert totals == pytest.approx({"01": 400, "02": 150}, rel=1e-12)
        cell = stored.groupby(["agency", "weight_cell"])
        assert (cell["cell_total"].nunique() == 1).all()
        np.testing.assert_allclose(cell["cell_total"].first(), cell["weight"].sum(), rtol=1e-12)
        assert stored.set_index(["agency", "weight_cell"])["cell_total"].loc[
            ("01", "management")
        ].iloc[0] == pytest.approx(20)

    def test_no_other_respondent_column(self, written):
        _, stored, _ = written
        text = stored.astype(str).to_string()
        assert "081" not in text and "สมชาย" not in text and "2022-03-01" not in text
        assert not {"position_level", "position_type", "comment"} & set(stored.columns)

    def test_attach_weights_round_trip_and_citizens(self, project):
        citizen = make_citizen({"A": {"bangkok": 10, "central": 10, None: 5}})
        citizen = citizen.assign(
            response_id=[f"C{i}" for i in range(len(citizen))],
            source_file="2022/citizen_survey.csv",
            source_row=range(2, len(citizen) + 2),
        )
        weighted, summary = citizen_weights(citizen, SHARES, cap=5)
        path = weights.write_weights(weighted, summary, "citizen_survey", 2565, project)[0]
        stored = pd.read_parquet(path)
        assert list(stored.columns) == ["response_id", *weights.FILE_COLUMNS]
        assert (
            stored.loc[stored["weight_cell"] == weights.NO_REGION_CELL, "cell_total"].tolist()
            == [5.0] * 5
        )
        attached = weights.attach_weights(citizen, "citizen_survey", 2565, project)
        assert attached["weight_cell"].tolist() == weighted["weight_cell"].tolist()
        assert attached["weight"].tolist() == weighted["weight"].tolist()

    def test_row_keys_are_required(self, project):
        weighted, _ = citizen_weights(make_citizen({"A": {"bangkok": 10}}), SHARES, cap=5)
        weighted["response_id"] = "x"
        with pytest.raises(WeightsError, match=r"no column\(s\) \['source_file', 'source_row'\]"):
            weights.respondent_weights(weighted, "citizen_survey", project)

    def test_file_of_an_older_version_is_rejected(self, project):
        citizen = make_citizen({"A": {"bangkok": 10}}).assign(
            response_id=[f"C{i}" for i in range(10)], source_file="c.csv", source_row=range(10)
        )
        weighted, summary = citizen_weights(citizen, SHARES, cap=5)
        path = weights.write_weights(weighted, summary, "citizen_survey", 2565, project)[0]
        pd.read_parquet(path).drop(columns="weight_cell").to_parquet(path)
        with pytest.raises(WeightsError, match=r"no column\(s\) \['weight_cell'\].*older version"):
            weights.attach_weights(citizen, "citizen_survey", 2565, project)


class TestSettings:
    def test_repository_config(self):
        conf = weights.settings()
        assert conf.min_cell == 5 and conf.cap == 5 and conf.citizen_cap == 5
        assert [s.into for s in conf.collapse_order] == ["management", "academic", "senior"]
        assert sum(conf.citizen_region_shares.values()) == pytest.approx(1, abs=1e-6)
        assert set(conf.citizen_region_shares) == set(config.scales()["region"].codes)

    @pytest.fixture
    def root(self, tmp_path: Path) -> Path:
        shutil.copytree(REPO / "config", tmp_path / "config")
        yield tmp_path
        weights.clear_cache()
        config.clear_cache()

    def edit(self, root: Path, old: str, new: str) -> None:
        path = root / "config" / "weights.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    def test_shares_must_sum_to_one(self, root):
        self.edit(root, "central: 0.27", "central: 0.30")
        with pytest.raises(ConfigError, match=r"citizen_region_shares: .*sum to 1.03"):
            weights.settings(root)

    def test_missing_key(self, root):
        self.edit(root, "\ncap: 5\n", "\n")
        with pytest.raises(ConfigError, match=r"missing keys \['cap'\]"):
            weights.settings(root)

    def test_unknown_region(self, root):
        self.edit(root, "  south: 0.14", "  isaan: 0.14")
        with pytest.raises(ConfigError, match=r"missing \['south'\], unknown \['isaan'\]"):
            weights.settings(root)

    def test_unknown_collapse_cell(self, root):
        self.edit(root, "[executive, director]", "[executive, board]")
        with pytest.raises(ConfigError, match=r"step 1: unknown cells \['board'\]"):
            weights.settings(root)

    def test_bad_cap(self, root):
        self.edit(root, "\ncap: 5\n", "\ncap: 1\n")
        with pytest.raises(ConfigError, match="cap must be a number above 1"):
            weights.settings(root)

    def test_missing_file(self, root):
        (root / "config" / "weights.yaml").unlink()
        with pytest.raises(ConfigError, match=r"weights\.yaml is missing"):
            weights.settings(root)


@pytest.mark.slow
def test_demo_data(project):
    from helpers.demo import generator
    from helpers.ingest import cleaning

    generator.generate(project, agencies=8, years=[2565])
    cleaning.run_cleaning(2565, project)
    clean = project / "data/processed/2565/clean"
    staff = pd.read_parquet(clean / "staff_survey.parquet")
    reg = registry.load_registry(project)
    weighted, summary = staff_weights(staff, reg, root=project)
    assert len(summary) == staff["agency"].nunique() == 8
    headcount = reg.set_index("agency_code")["headcount_total"]
    totals = weighted.groupby("agency")["weight"].sum()
    assert totals.to_dict() == pytest.approx(headcount[totals.index].to_dict(), rel=1e-9)
    level_group = {p.code: p.extra["group"] for p in config.scales()["position_level"].points}
    hc = reg.set_index("agency_code")
    checked = 0
    for row in summary.itertuples():
        if row.capped:  # capping moves cell totals (documented); only the agency total holds
            continue
        checked += 1
        rows = weighted[weighted["agency"] == row.agency_code]
        cell_share = rows.groupby("weight_cell")["weight"].sum() / row.headcount
        assert cell_share.sum() == pytest.approx(1)
        for cell, share in cell_share.items():
            groups = _cell_groups(cell)
            staff_in_cell = sum(
                hc.at[row.agency_code, f"hc_{lv}"] for lv, g in level_group.items() if g in groups
            )
            assert share == pytest.approx(staff_in_cell / row.headcount, rel=1e-9), cell
    assert checked >= 4
    citizen = pd.read_parquet(clean / "citizen_survey.parquet")
    cw, cs = citizen_weights(citizen, root=project)
    assert cw.groupby("agency")["weight"].sum().to_dict() == pytest.approx(
        citizen["agency"].value_counts().to_dict()
    )
    assert (cs["max_weight_ratio"] <= 5 + 1e-9).all()


def _cell_groups(cell: str) -> set[str]:
    named = {
        "all": set(GROUP_LEVELS),
        "management": {"executive", "director"},
        "academic": {"academic_entry", "academic_senior"},
        "senior": {"executive", "director", "academic_senior"},
    }
    return named.get(cell) or set(cell.split("+"))  # a group, or groups spelt out
