"""helpers.indicators.kpi on tiny frames whose answers are worked out by hand in the comments."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers.indicators import kpi
from helpers.indicators.kpi import KpiError
from helpers.stats.survey import Design

YEAR = 2565
Z95 = 1.959963984540054
Z998 = 3.090232306167813
LIKERT = [
    *(f"eco{i}" for i in range(1, 6)),
    *(f"skl{i}" for i in range(1, 5)),
    *(f"mnd{i}" for i in range(1, 6)),
    *(f"per{i}" for i in range(1, 5)),
    "sat1",
    "sat2",
    "sat3",
    "sat_overall",
]
SAT = ["sat1", "sat2", "sat3", "sat_overall"]
REGISTRY = pd.DataFrame(
    {
        "agency_code": ["01001", "01002", "02001", "02002", "03001"],
        "ministry_code": ["01000", "01000", "02000", "02000", "03000"],
    }
)
TARGETS = {
    code: {"target": t, "direction": ">=", "unit": kpi.INDICATORS[code].unit}
    for code, t in zip(kpi.INDICATORS, [1, 4, 80, 1, 65, 50, 60, 5, 80, 4], strict=True)
}


def staff(agency: str, n: int, **columns) -> pd.DataFrame:
    """n staff answers: every Likert item 3, IDP made and carried out, innovative work 1,
    weight 1, one calibration cell ("all"), unless given."""
    data = {"agency": [agency] * n, "fiscal_year": pd.array([YEAR] * n, dtype="Int64")}
    for name in LIKERT:
        data[name] = pd.array(columns.pop(name, [3] * n), dtype="Int8")
    for name in ("idp_made", "idp_carried_out", "innovative_work"):
        data[name] = pd.array(columns.pop(name, [1] * n), dtype="Int8")
    data["weight"] = np.asarray(columns.pop("weight", [1.0] * n), dtype=float)
    data["weight_cell"] = pd.array(columns.pop("weight_cell", ["all"] * n), dtype="string")
    assert not columns, columns
    return pd.DataFrame(data)


def citizens(agency: str, trust: list, weight: list | None = None) -> pd.DataFrame:
    n = len(trust)
    return pd.DataFrame(
        {
            "agency": [agency] * n,
            "trust": pd.array(trust, dtype="Int8"),
            "weight": weight or [1.0] * n,
            "weight_cell": "all",
        }
    )


def returns(rows: dict[str, dict]) -> pd.DataFrame:
    """Agency returns: {agency: {column: value}}; unset columns missing."""
    columns = {
        "a1_plan_guideline": "Int8",
        "a1_plan_strategy": "Int8",
        "a2_fc_level": "Int64",
        "a2_levels_covered_pct": "Float64",
        "a4_innovation_outputs": "Int64",
    }
    frame = pd.DataFrame({"agency": list(rows)})
    for name, dtype in columns.items():
        frame[name] = pd.array([r.get(name) for r in rows.values()], dtype=dtype)
    return frame


def agency_table(staff_frame=None, citizen_frame=None, return_frame=None) -> pd.DataFrame:
    return kpi.agency_indicators(YEAR, staff_frame, citizen_frame, return_frame, REGISTRY)


def row(table: pd.DataFrame, indicator: str, agency: str) -> pd.Series:
    found = table[(table["indicator"] == indicator) & (table["agency_code"] == agency)]
    assert len(found) == 1, (indicator, agency, len(found))
    return found.iloc[0]


def design_se(y, w) -> float:
    """SE of a weighted mean by linearisation, one PSU per row, every row of the agency
    counted as a PSU (rows without an answer contribute z = 0, as R's na.rm=TRUE domain)."""
    y, w = np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    used = ~np.isnan(y)
    mean = (w[used] * y[used]).sum() / w[used].sum()
    z = np.where(used, w * (np.nan_to_num(y) - mean), 0.0) / w[used].sum()
    n = len(y)
    return math.sqrt(n / (n - 1) * ((z - z.mean()) ** 2).sum())


def base(rows: list[dict], year: int = YEAR) -> pd.DataFrame:
    """A hand-made base table (the output of agency_indicators / ocsc_indicators)."""
    records = []
    for r in rows:
        code = r["indicator"]
        record = {
            "fiscal_year": year,
            "agency_code": r.get("agency_code", "01001"),
            "ministry_code": r.get("ministry_code", "01000"),
            "value": np.nan,
            "se": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "respondents": pd.NA,
            "unit": kpi.INDICATORS[code].unit,
            "suppression_reason": None,
            "secondary_measure": None,
            "secondary_value": np.nan,
        }
        record.update(r)
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=kpi.BASE_COLUMNS)
    frame["respondents"] = pd.array(frame["respondents"], dtype="Int64")
    return frame


SUPPRESSED = {"value": np.nan, "suppression_reason": "fewer than 10 respondents"}


# ----------------------------------------------------------------------------- A1, A2, A4


class TestReturnIndicators:
    def test_a1_needs_both_answers_yes(self):
        table = agency_table(
            return_frame=returns(
                {
                    "01001": {"a1_plan_guideline": 1, "a1_plan_strategy": 1},
                    "01002": {"a1_plan_guideline": 1, "a1_plan_strategy": 0},
                    "02001": {"a1_plan_guideline": 1},  # strategy missing: unknown
                    "02002": {"a1_plan_strategy": 0},  # a 0 decides: not met
                }
            )
        )
        assert row(table, "A1", "01001")["value"] == 1
        assert row(table, "A1", "01002")["value"] == 0
        assert np.isnan(row(table, "A1", "02001")["value"])
        assert row(table, "A1", "02002")["value"] == 0
        assert (table.loc[table["indicator"] == "A1", "unit"] == "yes_no").all()

    def test_a2_level_with_coverage_and_a4_count(self):
        table = agency_table(
            return_frame=returns(
                {
                    "01001": {
                        "a2_fc_level": 4,
                        "a2_levels_covered_pct": 75.0,
                        "a4_innovation_outputs": 3,
                    }
                }
            )
        )
        a2 = row(table, "A2", "01001")
        assert (a2["value"], a2["unit"]) == (4, "level_1_5")
        assert (a2["secondary_measure"], a2["secondary_value"]) == ("a2_levels_covered_pct", 75)
        a4 = row(table, "A4", "01001")
        assert (a4["value"], a4["unit"]) == (3, "count")
        assert np.isnan(a4["se"]) and pd.isna(a4["respondents"])

    def test_two_returns_for_one_agency_is_an_error(self):
        frame = pd.concat([returns({"01001": {}}), returns({"01001": {}})])
        with pytest.raises(KpiError, match="more than one return"):
            agency_table(return_frame=frame)


# ----------------------------------------------------------------------------- survey indicators


class TestA3:
    def test_weighted_percent_with_missing_answers(self):
        # made carried weight  -> A3
        # 1    1       2  x4   -> 100 (weight 8)
        # 1    0       1  x3   -> 0   (3)
        # 0    NA      1  x2   -> 0   (2)  a 0 decides
        # NA   0       1  x1   -> 0   (1)  a 0 decides
        # 0    1       1  x1   -> 0   (1)
        # 1    NA      1  x2   -> excluded (unknown)
        # NA   NA      1  x1   -> excluded
        # used 11 respondents, weight 15: 800 / 15 = 53.33 %
        made = [1] * 4 + [1] * 3 + [0] * 2 + [None] + [0] + [1] * 2 + [None]
        carried = [1] * 4 + [0] * 3 + [None] * 2 + [0] + [1] + [None] * 2 + [None]
        weight = [2.0] * 4 + [1.0] * 10
        frame = staff("01001", 14, idp_made=made, idp_carried_out=carried, weight=weight)
        a3 = row(agency_table(frame), "A3", "01001")
        assert a3["value"] == pytest.approx(800 / 15)
        assert a3["respondents"] == 11
        y = [100] * 4 + [0] * 3 + [0] * 2 + [0] + [0] + [np.nan] * 3
        assert a3["se"] == pytest.approx(design_se(y, weight))
        assert a3["ci_low"] == pytest.approx(a3["value"] - Z95 * a3["se"])
        assert a3["ci_high"] == pytest.approx(a3["value"] + Z95 * a3["se"])
        assert a3["unit"] == "percent"


class TestA5:
    def test_index_scores_items_0_to_100_and_averages_answered_items(self):
        # r1: all 5 -> 100, weight 3
        # r2: sat1 1, sat2 missing, sat3 3, overall 5 -> (0 + 50 + 100) / 3 = 50
        # r3-r10: all 3 -> 50
        # r11: nothing answered -> excluded
        # index = (3 * 100 + 9 * 50) / 12 = 62.5 from 10 respondents
        sat = {name: [5, None, *[3] * 8, None] for name in SAT}
        sat["sat1"][1], sat["sat3"][1], sat["sat_overall"][1] = 1, 3, 5
        weight = [3.0] + [1.0] * 10
        a5 = row(agency_table(staff("01001", 11, weight=weight, **sat)), "A5", "01001")
        assert a5["value"] == pytest.approx(62.5)
        assert a5["respondents"] == 10
        assert a5["unit"] == "index_0_100"
        assert a5["se"] == pytest.approx(design_se([100] + [50] * 9 + [np.nan], weight))


class TestA6:
    def test_weighted_percent_innovative(self):
        # four 1s of weight 2, six 0s of weight 1, one missing: 8 / 14
        work = [1] * 4 + [0] * 6 + [None]
        weight = [2.0] * 4 + [1.0] * 7
        a6 = row(
            agency_table(staff("01001", 11, innovative_work=work, weight=weight)), "A6", "01001"
        )
        assert a6["value"] == pytest.approx(100 * 8 / 14)
        assert a6["respondents"] == 10


class TestA7:
    def test_five_is_not_high_trust(self):
        # 5 x trust 5 (weight 2), 3 x 6, 2 x 10, 2 missing: high = 5 / (10 + 5) = 33.3 %
        trust = [5] * 5 + [6] * 3 + [10] * 2 + [None] * 2
        weight = [2.0] * 5 + [1.0] * 7
        a7 = row(agency_table(citizen_frame=citizens("02001", trust, weight)), "A7", "02001")
        assert a7["value"] == pytest.approx(100 / 3)
        assert a7["respondents"] == 10
        assert a7["se"] == pytest.approx(
            design_se([0] * 5 + [100] * 5 + [np.nan] * 2, weight), rel=1e-9
        )

    def test_interval_is_clipped_to_100(self):
        # nine 10s and one 0: 90 %; z = (y - 90) / 10 is 1 (x9) and -9, sum z^2 = 90,
        # var = 10/9 * 90 = 100, se 10: 90 + 19.6 is clipped to 100
        trust = [10] * 9 + [0]
        a7 = row(agency_table(citizen_frame=citizens("02001", trust)), "A7", "02001")
        assert a7["value"] == pytest.approx(90)
        assert a7["se"] == pytest.approx(10)
        assert a7["ci_low"] == pytest.approx(90 - Z95 * 10)
        assert a7["ci_high"] == 100


# ----------------------------------------------------------------------------- suppression


class TestSuppression:
    def test_nine_respondents_suppressed_ten_shown(self):
        table = agency_table(
            citizen_frame=pd.concat(
                [citizens("01001", [8] * 9), citizens("01002", [8] * 10)], ignore_index=True
            )
        )
        nine, ten = row(table, "A7", "01001"), row(table, "A7", "01002")
        for column in ("value", "se", "ci_low", "ci_high"):
            assert np.isnan(nine[column])
        assert pd.isna(nine["respondents"])
        assert nine["suppression_reason"] == "fewer than 10 respondents"
        assert ten["value"] == 100 and ten["respondents"] == 10
        assert ten["suppression_reason"] is None
        final = kpi.add_comparisons(table, targets=TARGETS)
        assert row(final, "A7", "01001")["status"] == "suppressed"
        assert row(final, "A7", "01002")["status"] == "met"

    def test_counted_per_indicator_answers_not_rows(self):
        # ten staff, but only nine answered innovative_work
        frame = staff("01001", 10, innovative_work=[1] * 9 + [None])
        table = agency_table(frame)
        assert row(table, "A6", "01001")["suppression_reason"] == "fewer than 10 respondents"
        assert row(table, "A3", "01001")["value"] == 100

    def test_no_answers_is_no_data_not_suppressed(self):
        table = kpi.add_comparisons(
            agency_table(return_frame=returns({"01001": {"a2_fc_level": 2}})), targets=TARGETS
        )
        a3 = row(table, "A3", "01001")
        assert a3["status"] == "no_data" and a3["respondents"] == 0
        assert a3["suppression_reason"] is None

    def test_min_respondents_from_config_is_ten(self):
        assert kpi.reporting_threshold(None, None) == 10


# ----------------------------------------------------------------------------- coverage


class TestRows:
    def test_every_agency_with_any_data_gets_seven_rows(self):
        table = agency_table(
            staff("01001", 3),
            citizens("02001", [7]),
            returns({"03001": {"a2_fc_level": 3}}),
        )
        assert sorted(set(table["agency_code"])) == ["01001", "02001", "03001"]  # not 01002
        for agency in ("01001", "02001", "03001"):
            assert sorted(table.loc[table["agency_code"] == agency, "indicator"]) == list(
                kpi.AGENCY_INDICATORS
            )
        assert row(table, "A2", "03001")["ministry_code"] == "03000"
        assert len(table) == 21

    def test_no_inputs_gives_only_ocsc_rows(self):
        table = kpi.indicator_table(YEAR, {}, REGISTRY, targets=TARGETS)
        assert list(table["indicator"]) == ["O1", "O2", "O3"]
        assert list(table["status"]) == ["no_data"] * 3
        assert kpi.item_results(None, YEAR).empty

    def test_agency_outside_the_registry_is_an_error(self):
        with pytest.raises(KpiError, match="not in the registry"):
            agency_table(citizen_frame=citizens("99999", [5]))

    def test_rows_of_another_year_are_an_error(self):
        frame = staff("01001", 2)
        frame["fiscal_year"] = pd.array([YEAR, YEAR - 1], dtype="Int64")
        with pytest.raises(KpiError, match="fiscal year"):
            agency_table(frame)

    def test_missing_weight_column_is_an_error(self):
        with pytest.raises(KpiError, match="weight"):
            agency_table(citizen_frame=citizens("01001", [5]).drop(columns="weight"))


# ----------------------------------------------------------------------------- OCSC


class TestOcsc:
    def test_o2_is_share_of_agencies_meeting_a1(self):
        # A1 = 1, 0, 1 and one agency without an A1 answer: 2 of 3 = 66.7 %
        table = agency_table(
            return_frame=returns(
                {
                    "01001": {"a1_plan_guideline": 1, "a1_plan_strategy": 1},
                    "01002": {"a1_plan_guideline": 0, "a1_plan_strategy": 1},
                    "02001": {"a1_plan_guideline": 1, "a1_plan_strategy": 1},
                    "02002": {"a2_fc_level": 3},
                }
            )
        )
        ocsc_return = pd.DataFrame(
            {"fiscal_year": [YEAR], "o1_level": pd.array([4], "Int64"), "o3_level": [5]}
        )
        o = kpi.ocsc_indicators(YEAR, ocsc_return, table)
        assert list(o["indicator"]) == ["O1", "O2", "O3"]
        assert (o["agency_code"] == "OCSC").all()
        assert row(o, "O2", "OCSC")["value"] == pytest.approx(200 / 3)
        assert row(o, "O2", "OCSC")["respondents"] == 3
        assert row(o, "O1", "OCSC")["value"] == 4
        assert row(o, "O3", "OCSC")["value"] == 5

    def test_no_ocsc_return_gives_no_data_rows(self):
        o = kpi.add_comparisons(
            kpi.ocsc_indicators(YEAR, None, agency_table(staff("01001", 1))), targets=TARGETS
        )
        assert list(o["status"]) == ["no_data"] * 3

    def test_two_ocsc_rows_are_an_error(self):
        frame = pd.DataFrame({"o1_level": [1, 2], "o3_level": [1, 2]})
        with pytest.raises(KpiError, match="expected one"):
            kpi.ocsc_indicators(YEAR, frame, agency_table(staff("01001", 1)))


# ----------------------------------------------------------------------------- status


class TestStatus:
    def test_met_not_met_no_data_suppressed_no_target(self):
        table = base(
            [
                {"indicator": "A3", "agency_code": "01001", "value": 80.0, "se": 1.0},  # = target
                {"indicator": "A3", "agency_code": "01002", "value": 79.99, "se": 1.0},
                {"indicator": "A3", "agency_code": "02001"},
                {"indicator": "A3", "agency_code": "02002", **SUPPRESSED},
                {"indicator": "A2", "agency_code": "01001", "value": 2.0},
            ]
        )
        targets = {**TARGETS, "A2": {"target": None, "direction": ">=", "unit": "level_1_5"}}
        out = kpi.add_comparisons(table, targets=targets)
        assert row(out, "A3", "01001")["status"] == "met"
        assert row(out, "A3", "01002")["status"] == "not_met"
        assert row(out, "A3", "02001")["status"] == "no_data"
        assert row(out, "A3", "02002")["status"] == "suppressed"
        assert row(out, "A2", "01001")["status"] == "no_target"
        assert row(out, "A3", "01001")["target"] == 80

    def test_direction_at_most(self):
        targets = {**TARGETS, "A4": {"target": 2, "direction": "<=", "unit": "count"}}
        table = base(
            [
                {"indicator": "A4", "value": 2.0},
                {"indicator": "A4", "agency_code": "2", "value": 3.0},
            ]
        )
        out = kpi.add_comparisons(table, targets=targets)
        assert list(out["status"]) == ["met", "not_met"]

    def test_targets_file_has_every_indicator_as_placeholder(self):
        targets = kpi.load_targets()
        assert {c: t["target"] for c, t in targets.items()} == {
            c: float(t["target"]) for c, t in TARGETS.items()
        }
        assert {t["direction"] for t in targets.values()} == {">="}

    def test_bad_targets_are_rejected(self):
        with pytest.raises(KpiError, match="missing"):
            kpi.check_targets({"A1": {"target": 1}})
        with pytest.raises(KpiError, match="unit"):
            kpi.check_targets({**TARGETS, "A5": {"target": 1, "unit": "percent"}})


# ----------------------------------------------------------------------------- change


def with_previous(current: list[dict], previous: list[dict]) -> pd.DataFrame:
    return kpi.add_comparisons(
        base(current), None if previous is None else base(previous, YEAR - 1), targets=TARGETS
    )


class TestChange:
    def test_no_previous_year(self):
        out = with_previous([{"indicator": "A3", "value": 50.0, "se": 2.0}], None)
        r = row(out, "A3", "01001")
        assert np.isnan(r["previous_value"]) and np.isnan(r["change"])
        assert np.isnan(r["change_p"]) and not r["change_significant"]
        assert out["change_significant"].dtype == bool

    def test_previous_year_suppressed(self):
        out = with_previous(
            [{"indicator": "A3", "value": 50.0, "se": 2.0}], [{"indicator": "A3", **SUPPRESSED}]
        )
        r = row(out, "A3", "01001")
        assert np.isnan(r["previous_value"]) and np.isnan(r["change"])
        assert np.isnan(r["change_p"]) and not r["change_significant"]

    def test_agency_new_this_year(self):
        out = with_previous(
            [
                {"indicator": "A3", "agency_code": "01001", "value": 50.0, "se": 2.0},
                {"indicator": "A3", "agency_code": "01002", "value": 60.0, "se": 2.0},
            ],
            [{"indicator": "A3", "agency_code": "01001", "value": 40.0, "se": 2.0}],
        )
        new = row(out, "A3", "01002")
        assert np.isnan(new["previous_value"]) and np.isnan(new["change"])
        assert not new["change_significant"]
        old = row(out, "A3", "01001")
        assert old["change"] == pytest.approx(10)

    def test_agency_suppressed_this_year(self):
        out = with_previous(
            [{"indicator": "A3", **SUPPRESSED}],
            [{"indicator": "A3", "value": 40.0, "se": 2.0}],
        )
        r = row(out, "A3", "01001")
        assert r["status"] == "suppressed"
        assert np.isnan(r["change"]) and np.isnan(r["change_p"]) and not r["change_significant"]

    @pytest.mark.parametrize(
        ("change", "significant"),
        # se 3 and 4: spread 5, so p < .05 exactly when |change| > 1.95996 * 5 = 9.7998
        [(9.9, True), (9.7, False), (-9.9, True), (-9.7, False)],
    )
    def test_significant_only_below_05(self, change, significant):
        out = with_previous(
            [{"indicator": "A5", "value": 50.0 + change, "se": 3.0}],
            [{"indicator": "A5", "value": 50.0, "se": 4.0}],
        )
        r = row(out, "A5", "01001")
        p = math.erfc(abs(change) / 5 / math.sqrt(2))
        assert r["change_p"] == pytest.approx(p)
        assert (p < 0.05) == significant  # the case is on the intended side
        assert bool(r["change_significant"]) is significant

    def test_indicators_without_se_show_change_without_test(self):
        out = with_previous(
            [
                {"indicator": "A2", "value": 4.0},
                {"indicator": "O2", "agency_code": "OCSC", "value": 90.0},
            ],
            [
                {"indicator": "A2", "value": 1.0},
                {"indicator": "O2", "agency_code": "OCSC", "value": 50.0},
            ],
        )
        for indicator, agency, change in (("A2", "01001", 3), ("O2", "OCSC", 40)):
            r = row(out, indicator, agency)
            assert r["change"] == change
            assert np.isnan(r["change_p"]) and not r["change_significant"]

    def test_previous_table_of_the_same_year_is_an_error(self):
        with pytest.raises(KpiError, match="previous"):
            kpi.add_comparisons(
                base([{"indicator": "A2"}]), base([{"indicator": "A2"}]), targets=TARGETS
            )


# ----------------------------------------------------------------------------- positions


class TestPercentileAndBenchmarks:
    @pytest.fixture
    def out(self) -> pd.DataFrame:
        # ministry 01000: 10, 20; ministry 02000: 20, 40 and one suppressed agency
        rows = [
            ("01001", "01000", 10.0),
            ("01002", "01000", 20.0),
            ("02001", "02000", 20.0),
            ("02002", "02000", 40.0),
        ]
        table = base(
            [
                *(
                    {"indicator": "A6", "agency_code": a, "ministry_code": m, "value": v, "se": 1.0}
                    for a, m, v in rows
                ),
                {"indicator": "A6", "agency_code": "02003", "ministry_code": "02000", **SUPPRESSED},
                {"indicator": "O2", "agency_code": "OCSC", "ministry_code": None, "value": 50.0},
            ]
        )
        return kpi.add_comparisons(table, targets=TARGETS)

    def test_percentile_among_published_values(self, out):
        # ranks 1, 2.5, 2.5, 4 of k = 4: 100 * (rank - 1) / 3
        got = out.set_index("agency_code").loc[["01001", "01002", "02001", "02002"], "percentile"]
        assert got.tolist() == pytest.approx([0, 50, 50, 100])
        assert np.isnan(row(out, "A6", "02003")["percentile"])
        assert np.isnan(row(out, "O2", "OCSC")["percentile"])

    def test_government_and_ministry_median_and_upper_quartile(self, out):
        # all: 10 20 20 40 -> median 20, q3 at position 2.25 -> 20 + 0.25 * 20 = 25
        # 01000: 10 20 -> 15, 17.5; 02000: 20 40 -> 30, 35 (the suppressed agency adds nothing)
        a6 = out[out["indicator"] == "A6"].set_index("agency_code")
        assert (a6["gov_median"] == 20).all() and (a6["gov_q3"] == 25).all()
        assert a6.loc["01001", ["ministry_median", "ministry_q3"]].tolist() == [15, 17.5]
        assert a6.loc["02003", ["ministry_median", "ministry_q3"]].tolist() == [30, 35]
        assert np.isnan(row(out, "O2", "OCSC")["gov_median"])

    def test_benchmarks_do_not_depend_on_suppressed_rows(self, out):
        without = kpi.add_comparisons(
            base(
                [
                    {
                        "indicator": "A6",
                        "agency_code": "02001",
                        "ministry_code": "02000",
                        "value": 20.0,
                    },
                    {
                        "indicator": "A6",
                        "agency_code": "02002",
                        "ministry_code": "02000",
                        "value": 40.0,
                    },
                ]
            ),
            targets=TARGETS,
        )
        assert row(without, "A6", "02001")["ministry_median"] == 30

    def test_single_agency_has_no_percentile(self):
        out = kpi.add_comparisons(base([{"indicator": "A4", "value": 3.0}]), targets=TARGETS)
        assert np.isnan(out["percentile"].iloc[0])
        assert out["gov_median"].iloc[0] == 3


# ----------------------------------------------------------------------------- items


def item_row(items: pd.DataFrame, agency: str, item: str) -> pd.Series:
    found = items[(items["agency_code"] == agency) & (items["item"] == item)]
    assert len(found) == 1
    return found.iloc[0]


class TestItems:
    def test_strength_at_exactly_65_percent_and_challenge_at_35(self):
        # 20 answers: 13 positive (65 %), 7 negative (35 %)
        answers = [4] * 6 + [5] * 7 + [2] * 4 + [1] * 3
        items = kpi.item_results(staff("01001", 20, eco1=answers), YEAR, registry=REGISTRY)
        r = item_row(items, "01001", "eco1")
        assert r["percent_positive"] == pytest.approx(65)
        assert r["percent_negative"] == pytest.approx(35)
        assert r["percent_neutral"] == pytest.approx(0)
        assert r["strength"] and r["challenge"]
        assert r["respondents"] == 20 and r["ministry_code"] == "01000"
        other = item_row(items, "01001", "eco2")  # all 3
        assert not other["strength"] and not other["challenge"]

    def test_just_below_thresholds(self):
        # 13 positive answers, one of them of weight 0.95: 12.95 / 19.95 = 64.9 % positive,
        # not a strength; 6 negative: 30.1 %, not a challenge
        answers = [5] * 13 + [1] * 6 + [3]
        weight = [1.0] * 12 + [0.95] + [1.0] * 7
        items = kpi.item_results(staff("01001", 20, skl1=answers, weight=weight), YEAR)
        r = item_row(items, "01001", "skl1")
        assert r["percent_positive"] == pytest.approx(100 * 12.95 / 19.95)
        assert r["percent_positive"] < 65
        assert not r["strength"] and not r["challenge"]

    def test_weighted_percent_positive(self):
        # answers 5 (weight 3) and nine 2s (weight 1): positive 3 / 12 = 25 %, negative 75 %
        items = kpi.item_results(
            staff("01001", 10, mnd1=[5] + [2] * 9, weight=[3.0] + [1.0] * 9), YEAR
        )
        r = item_row(items, "01001", "mnd1")
        assert r["percent_positive"] == pytest.approx(25)
        assert r["percent_negative"] == pytest.approx(75)

    def test_reverse_coded_item_is_reversed(self):
        # eco5 is reverse coded: strongly disagreeing (1) is positive
        items = kpi.item_results(staff("01001", 10, eco5=[1] * 7 + [5] * 3), YEAR)
        r = item_row(items, "01001", "eco5")
        assert bool(r["reverse"])
        assert r["percent_positive"] == pytest.approx(70)
        assert r["percent_negative"] == pytest.approx(30)
        assert r["strength"]

    def test_item_suppressed_below_ten_answers(self):
        frame = staff("01001", 10, per1=[4] * 9 + [None])
        items = kpi.item_results(frame, YEAR)
        r = item_row(items, "01001", "per1")
        assert r["suppression_reason"] == "fewer than 10 respondents"
        assert pd.isna(r["respondents"]) and np.isnan(r["percent_positive"])
        assert pd.isna(r["strength"]) and pd.isna(r["challenge"])
        assert item_row(items, "01001", "per2")["respondents"] == 10

    def test_every_likert_item_per_agency(self):
        items = kpi.item_results(
            pd.concat([staff("01001", 10), staff("01002", 10)], ignore_index=True), YEAR
        )
        assert len(items) == 2 * len(LIKERT)
        assert set(items["item"]) == set(LIKERT)
        assert list(items.columns) == kpi.ITEM_COLUMNS


# ----------------------------------------------------------------------------- funnel plots


class TestFunnel:
    def test_proportion_limits_follow_the_formula(self):
        limits = kpi.funnel_limits(0.2, [25, 100])
        se = np.sqrt(0.2 * 0.8 / np.array([25, 100]))  # 0.08, 0.04
        assert limits["lower_95"].tolist() == pytest.approx((0.2 - Z95 * se).tolist())
        assert limits["upper_95"].tolist() == pytest.approx((0.2 + Z95 * se).tolist())
        assert limits["upper_99.8"].tolist() == pytest.approx((0.2 + Z998 * se).tolist())
        assert limits["lower_99.8"].iloc[0] == 0  # 0.2 - 3.09 * 0.08 < 0: clipped
        assert list(limits.columns) == [
            "n",
            "centre",
            "lower_95",
            "upper_95",
            "lower_99.8",
            "upper_99.8",
        ]

    def test_percent_scale_is_clipped_to_100(self):
        limits = kpi.funnel_limits(95, [10], percent=True)
        se = 100 * math.sqrt(0.95 * 0.05 / 10)
        assert limits["lower_95"].iloc[0] == pytest.approx(95 - Z95 * se)
        assert limits["upper_95"].iloc[0] == 100

    @pytest.mark.parametrize(
        ("value", "position"),
        # p0 = 0.5, n = 100: se 0.05; 95 % limits 0.402 / 0.598, 99.8 % limits 0.3455 / 0.6545
        [
            (0.70, "above 99.8%"),
            (0.62, "above 95%"),
            (0.50, "within"),
            (0.40, "below 95%"),
            (0.30, "below 99.8%"),
        ],
    )
    def test_positions(self, value, position):
        assert kpi.funnel_position(value, 100, 0.5) == position

    def test_position_missing_value(self):
        assert kpi.funnel_position(np.nan, 100, 0.5) is None

    def test_mean_index_variant(self):
        limits = kpi.funnel_limits_mean(60, 20, [16])  # se 5
        assert limits["upper_95"].iloc[0] == pytest.approx(60 + Z95 * 5)
        assert limits["lower_99.8"].iloc[0] == pytest.approx(60 - Z998 * 5)
        assert kpi.funnel_position(76, 16, 60, sd=20) == "above 99.8%"  # 60 + 15.45 < 76
        assert kpi.funnel_position(75, 16, 60, sd=20) == "above 95%"
        assert kpi.funnel_position(70, 16, 60, sd=20) == "above 95%"
        assert kpi.funnel_position(55, 16, 60, sd=20) == "within"

    def test_bad_sizes(self):
        with pytest.raises(KpiError):
            kpi.funnel_limits(0.5, [0])


# ----------------------------------------------------------------------------- calibrated errors

# One agency post-stratified by the weights stage: cell A (4 respondents, 40 staff: weight 10)
# and cell B (8 respondents, 20 staff: weight 2.5), one innovative_work answer missing.
CELLS = ["A"] * 4 + ["B"] * 8
CELL_WEIGHTS = [10.0] * 4 + [2.5] * 8
WORK = [1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, None]


def calibrated_staff(agency: str = "01001", **columns) -> pd.DataFrame:
    return staff(
        agency, 12, weight=CELL_WEIGHTS, weight_cell=CELLS, innovative_work=WORK, **columns
    )


def post_stratified_se(y, w, cells, domain=None) -> float:
    """R's postStratify linearisation: design_se's z (0 outside the domain, if given) less w
    times z's weighted cell mean."""
    y, w = np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    used = ~np.isnan(y) & (True if domain is None else np.asarray(domain, dtype=bool))
    mean = (w[used] * y[used]).sum() / w[used].sum()
    z = np.where(used, w * (np.nan_to_num(y) - mean), 0.0) / w[used].sum()
    by_cell = pd.Series(z).groupby(cells)
    cell_mean = by_cell.transform("sum") / pd.Series(w).groupby(cells).transform("sum")
    r = z - w * cell_mean.to_numpy()
    n = len(y)
    return math.sqrt(n / (n - 1) * ((r - r.mean()) ** 2).sum())


class TestCalibratedErrors:
    def test_a6_se_is_the_post_stratified_linearisation(self):
        # 100 * (10 * 3 + 2.5 * 2) / (40 + 2.5 * 7) = 3500 / 57.5 = 60.87 %. R 4.2.2, survey
        # 4.1.1: svymean(~y, postStratify(svydesign(id=~1, weights=~5, ...), ~cell,
        # data.frame(cell=c("A", "B"), Freq=c(40, 20))), na.rm=TRUE): 60.8695652174, SE
        # 16.6975349551; with the weights fixed, SE 17.8419901882.
        a6 = row(agency_table(calibrated_staff()), "A6", "01001")
        y = [np.nan if v is None else 100.0 * v for v in WORK]
        assert a6["value"] == pytest.approx(3500 / 57.5)
        assert a6["se"] == pytest.approx(16.6975349551, rel=1e-9)
        assert a6["se"] == pytest.approx(post_stratified_se(y, CELL_WEIGHTS, CELLS), rel=1e-12)
        assert design_se(y, CELL_WEIGHTS) == pytest.approx(17.8419901882, rel=1e-9)
        assert a6["ci_low"] == pytest.approx(a6["value"] - Z95 * a6["se"])

    def test_estimates_unchanged_and_errors_not_larger_than_fixed_weights(self):
        idp = {"idp_made": [1, 0, 1, 1, None, 1, 0, 1, 1, 1, 0, 1],
               "idp_carried_out": [1, None, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0]}  # fmt: skip
        sat = {name: [5, 4, 2, 5, 1, 2, 3, 2, 1, 4, 2, 3] for name in SAT}
        frame = calibrated_staff(**idp, **sat)
        table = agency_table(pd.concat([frame, staff("01002", 15)], ignore_index=True))
        scored = kpi._staff_scores(frame, kpi.config.codebook("staff_survey").items("satisfaction"))
        fixed = Design(scored, weight="weight")
        for code in ("A3", "A5", "A6"):
            got, plain = row(table, code, "01001"), fixed.mean(f"_{code.lower()}")
            assert got["value"] == plain.estimate, code  # identical, not only close
            assert got["respondents"] == plain.n
            assert got["se"] <= plain.se + 1e-12, code
        # One cell: calibrating to the agency total leaves a mean's SE as it was.
        one_cell = row(table, "A6", "01002")
        assert one_cell["se"] == pytest.approx(0.0)

    def test_single_cell_se_equals_the_fixed_weight_se(self):
        work = [1] * 6 + [0] * 5 + [None]
        frame = staff("01001", 12, innovative_work=work, weight=CELL_WEIGHTS)
        a6 = row(agency_table(frame), "A6", "01001")
        y = [np.nan if v is None else 100.0 * v for v in work]
        assert a6["se"] == pytest.approx(design_se(y, CELL_WEIGHTS), rel=1e-12)

    def test_change_test_uses_the_calibrated_errors(self):
        previous = kpi.indicator_table(
            YEAR - 1,
            {"staff": staff("01001", 12, weight=CELL_WEIGHTS, weight_cell=CELLS,
                            innovative_work=[1, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1])
             .assign(fiscal_year=YEAR - 1)},
            REGISTRY,
            targets=TARGETS,
        )  # fmt: skip
        table = kpi.indicator_table(
            YEAR, {"staff": calibrated_staff()}, REGISTRY, previous=previous, targets=TARGETS
        )
        now, before = row(table, "A6", "01001"), row(previous, "A6", "01001")
        y_now = [np.nan if v is None else 100.0 * v for v in WORK]
        assert now["se"] == pytest.approx(post_stratified_se(y_now, CELL_WEIGHTS, CELLS))
        z = now["change"] / math.sqrt(now["se"] ** 2 + before["se"] ** 2)
        # Before: (10 * 1 + 2.5 * 7) / 60 = 45.83 %.
        assert now["change"] == pytest.approx(3500 / 57.5 - 100 * 27.5 / 60)
        assert now["change_p"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), rel=1e-12)
        y_before = [100.0 * v for v in [1, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1]]
        spread_fixed = math.hypot(design_se(y_now, CELL_WEIGHTS), design_se(y_before, CELL_WEIGHTS))
        p_fixed = math.erfc(abs(now["change"]) / spread_fixed / math.sqrt(2))
        assert now["change_p"] != pytest.approx(p_fixed, rel=1e-3)

    def test_domain_of_an_agency_is_a_subset_of_its_calibrated_design(self):
        frame = calibrated_staff()
        design = kpi.calibrated_design(frame)
        domain = np.array([1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1], dtype=bool)
        e = design.subset(domain).mean("innovative_work")
        y = [np.nan if v is None else float(v) for v in WORK]
        assert e.estimate == pytest.approx((10 * 2 + 2.5 * 1) / (30 + 2.5 * 5))
        assert e.n == 8
        assert e.se == pytest.approx(post_stratified_se(y, CELL_WEIGHTS, CELLS, domain), rel=1e-12)
        # A design of the domain's rows alone would give another SE.
        alone = kpi.calibrated_design(frame[domain]).mean("innovative_work")
        assert alone.se != pytest.approx(e.se, rel=1e-9)

    def test_items_use_the_calibrated_design(self):
        answers = [5, 4, 2, 5, 1, 2, 3, 2, 1, 4, 2, 3]
        items = kpi.item_results(calibrated_staff(skl1=answers), YEAR)
        got = item_row(items, "01001", "skl1")
        positive = Design(calibrated_staff(skl1=answers), weight="weight").proportion(
            "skl1", {4, 5}
        )
        assert got["percent_positive"] == 100 * positive.estimate
        # its standard error (for the change test) is the calibrated design's, not the fixed one
        calibrated = kpi.calibrated_design(calibrated_staff(skl1=answers)).proportion(
            "skl1", {4, 5}
        )
        assert got["se_positive"] == pytest.approx(100 * calibrated.se, rel=1e-12)
        assert got["se_positive"] != pytest.approx(100 * positive.se, rel=1e-6)

    def test_cell_column_is_required(self):
        with pytest.raises(KpiError, match=r"\['weight_cell'\] are missing"):
            agency_table(calibrated_staff().drop(columns="weight_cell"))
        with pytest.raises(KpiError, match=r"\['weight_cell'\] are missing"):
            kpi.item_results(calibrated_staff().drop(columns="weight_cell"), YEAR)


# ----------------------------------------------------------------------------- the whole table


class TestIndicatorTable:
    def tables(self) -> dict:
        return {
            "staff_survey": pd.concat([staff("01001", 12), staff("01002", 5)], ignore_index=True),
            "citizen_survey": citizens("02001", [8] * 10),
            "agency_return": returns(
                {"01001": {"a1_plan_guideline": 1, "a1_plan_strategy": 1, "a2_fc_level": 4}}
            ),
            "ocsc_return": pd.DataFrame({"fiscal_year": [YEAR], "o1_level": [5], "o3_level": [3]}),
        }

    def test_composes_the_parts(self):
        table = kpi.indicator_table(YEAR, self.tables(), REGISTRY)
        assert list(table.columns) == kpi.COLUMNS + kpi.EXTRA_COLUMNS
        assert len(table) == 3 * 7 + 3
        assert not table.duplicated(["fiscal_year", "indicator", "agency_code"]).any()
        assert row(table, "O2", "OCSC")["value"] == 100
        assert row(table, "O1", "OCSC")["status"] == "met"
        assert row(table, "A3", "01002")["status"] == "suppressed"
        assert row(table, "A3", "01001")["status"] == "met"
        assert (table["fiscal_year"] == YEAR).all()

    def test_change_against_previous_table(self):
        previous = kpi.indicator_table(
            YEAR - 1,
            {
                "staff": staff("01001", 10, innovative_work=[1] * 5 + [0] * 5).assign(
                    fiscal_year=YEAR - 1
                )
            },
            REGISTRY,
        )
        table = kpi.indicator_table(YEAR, self.tables(), REGISTRY, previous=previous)
        a6 = row(table, "A6", "01001")
        assert a6["previous_value"] == 50 and a6["change"] == 50
        assert a6["change_significant"]  # se 0 now, 16.7 before: z = 3

    def test_unknown_input_name(self):
        with pytest.raises(KpiError, match="unknown input"):
            kpi.indicator_table(YEAR, {"staf": None}, REGISTRY)

    def test_write_indicators(self, project):
        table = kpi.indicator_table(YEAR, self.tables(), REGISTRY, root=project)
        items = kpi.item_results(self.tables()["staff_survey"], YEAR, root=project)
        written = kpi.write_indicators(table, YEAR, root=project, items=items)
        folder = project / "data" / "processed" / str(YEAR) / "indicators"
        assert written == [folder / "indicators.parquet", folder / "items.parquet"]
        back = pd.read_parquet(folder / "indicators.parquet")
        assert len(back) == len(table)
        assert back["value"].equals(table["value"])
        assert len(pd.read_parquet(folder / "items.parquet")) == len(items)
        with pytest.raises(KpiError, match="not 2564"):
            kpi.write_indicators(table, YEAR - 1, root=project)


def test_indicator_history_stacks_processed_years_up_to_the_year(tmp_path, monkeypatch):
    import shutil

    from helpers.core import config as helpers_config
    from tests.conftest import REPO

    shutil.copytree(REPO / "config", tmp_path / "config")
    monkeypatch.setenv("HRD_WORKBOOK_ROOT", str(tmp_path))
    helpers_config.clear_cache()
    assert kpi.indicator_history(2565, tmp_path).empty
    for year in (2563, 2564, 2565):
        table = pd.DataFrame({c: [None] for c in kpi.COLUMNS}).assign(fiscal_year=year)
        kpi.write_indicators(table, year, tmp_path)
    assert sorted(kpi.indicator_history(2564, tmp_path)["fiscal_year"]) == [2563, 2564]
    helpers_config.clear_cache()
