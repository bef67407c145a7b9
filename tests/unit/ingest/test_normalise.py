import datetime as dt

import pandas as pd
import pytest

from helpers.core import config
from helpers.ingest.normalise import (
    INVALID,
    normalise_series,
    normaliser_for,
    parse_date,
    parse_number,
)
from helpers.ingest.registry import AgencyMatcher, load_registry


@pytest.fixture(scope="module")
def make():
    scales = config.scales()
    matcher = AgencyMatcher(load_registry())
    books = config.codebooks()

    def build(instrument, column):
        return normaliser_for(books[instrument].column(column), scales, matcher)

    return build


class TestParseDate:
    @pytest.mark.parametrize(
        "text",
        [
            "2022-03-15",
            "2565-03-15",
            "15/03/2565",
            "15/3/2022",
            "15-03-2565",
            "15.03.2022",
            "15/03/65",
            "15/3/22",
            "15 มี.ค. 2565",
            "15 มีนาคม 2565",
            "15 มี.ค. 65",
            "๑๕/๐๓/๒๕๖๕",
            " 15/03/2565 ",
        ],
    )
    def test_be_and_ce_forms_give_one_date(self, text):
        assert parse_date(text).date() == dt.date(2022, 3, 15)

    def test_time_of_day(self):
        assert parse_date("1 ต.ค. 2564 09.30 น.") == dt.datetime(2021, 10, 1, 9, 30)
        assert parse_date("2022-05-01 14:05:09") == dt.datetime(2022, 5, 1, 14, 5, 9)

    @pytest.mark.parametrize("text", ["31/02/2565", "hello", "15/03/99", "2565", "15 ม.ม. 2565"])
    def test_not_dates(self, text):
        assert parse_date(text) is None


class TestParseNumber:
    @pytest.mark.parametrize(
        ("text", "value"),
        [("๑,๒๓๔", 1234.0), ("1,234,567", 1234567.0), (" 42 ", 42.0), ("3.5", 3.5)],
    )
    def test_numbers(self, text, value):
        assert parse_number(text) == value

    @pytest.mark.parametrize("text", ["80%", "ร้อยละ 80", "ร้อยละ ๘๐", "80 %"])
    def test_percentages(self, text):
        assert parse_number(text, percent=True) == 80.0

    def test_not_a_number(self):
        assert parse_number("abc") is None
        assert parse_number("80%") is None  # only with percent=True


class TestLikert:
    @pytest.mark.parametrize(
        ("raw", "code"),
        [
            ("เห็นด้วยอย่างยิ่ง", 5),
            ("เห็นด้วย", 4),
            ("ไม่แน่ใจ", 3),
            ("ไม่เห็นด้วย", 2),
            ("ไม่เห็นด้วยอย่างยิ่ง", 1),
            ("5", 5),
            ("4.0", 4),
            ("๓", 3),
            ("Agree", 4),
            ("strongly disagree", 1),
            (" เห็นด้วย ", 4),
        ],
    )
    def test_labels_and_numbers(self, make, raw, code):
        assert make("staff_survey", "eco1").convert(raw) == code

    def test_satisfaction_labels(self, make):
        sat = make("staff_survey", "sat_overall")
        assert [sat.convert(v) for v in ["มากที่สุด", "มาก", "ปานกลาง", "น้อย", "น้อยที่สุด"]] == [
            5,
            4,
            3,
            2,
            1,
        ]

    @pytest.mark.parametrize("raw", ["", "ไม่ทราบ", "don't know", "-"])
    def test_no_answer(self, make, raw):
        assert make("staff_survey", "eco1").convert(raw) is None

    @pytest.mark.parametrize("raw", ["6", "0", "3.5", "เห็นด้วยมาก", "abc"])
    def test_invalid(self, make, raw):
        assert make("staff_survey", "eco1").convert(raw) is INVALID


class TestCategories:
    def test_bands_from_numbers(self, make):
        age = make("staff_survey", "age_band")
        assert [age.convert(v) for v in ["๔๕", "29", "30", "ต่ำกว่า 30 ปี", "50+"]] == [
            "40_49",
            "under_30",
            "30_39",
            "under_30",
            "50_plus",
        ]
        assert age.convert("12") is INVALID

    def test_position_level_labels(self, make):
        level = make("staff_survey", "position_level")
        assert level.convert("ชำนาญการพิเศษ") == "acad_senior_professional"
        assert level.convert("ระดับชำนาญการ") == "acad_professional"

    def test_yes_no_variants(self, make):
        idp = make("staff_survey", "idp_made")
        assert [idp.convert(v) for v in ["ใช่", "มี", "1", "Yes", "ไม่ใช่", "ไม่มี", "0", "no"]] == [
            1,
            1,
            1,
            1,
            0,
            0,
            0,
            0,
        ]


class TestBoundedNumbers:
    def test_score_0_to_10(self, make):
        trust = make("citizen_survey", "trust")
        assert [trust.convert(v) for v in ["0", "10", "๗"]] == [0, 10, 7]
        assert trust.convert("11") is INVALID
        assert trust.convert("7.5") is INVALID

    def test_percent(self, make):
        pct = make("agency_return", "a2_levels_covered_pct")
        assert pct.convert("ร้อยละ 75") == 75.0
        assert pct.convert("101%") is INVALID

    def test_count_with_thousands(self, make):
        assert make("agency_return", "headcount").convert("๑,๒๐๐") == 1200
        assert make("agency_return", "headcount").convert("-3") is INVALID

    def test_year_in_either_era(self, make):
        year = make("ocsc_return", "fiscal_year")
        assert year.convert("2565") == 2565
        assert year.convert("2022") == 2565
        assert year.convert("65") is INVALID


def test_agency_names_and_codes(make):
    agency = make("staff_survey", "agency")
    for raw in [
        "03007",
        "3007",
        "๐๓๐๐๗",
        "กรมสรรพากร",
        "กรม  สรรพากร",
        "Revenue Department",
        "กสร. กระทรวงการคลัง",
    ]:
        assert agency.convert(raw) == "03007", raw
    assert agency.convert("สนง.ปลัดกระทรวงการคลัง") == "03002"
    assert agency.convert("สรรพากร") is INVALID


def test_free_text_is_scrubbed(make):
    comment = make("staff_survey", "comment")
    assert "081" not in comment.convert("ติดต่อ 081-234-5678")


def test_normalise_series_types_and_invalid_mask(make):
    values, invalid = normalise_series(
        pd.Series(["เห็นด้วย", "9", "", "5"]), make("staff_survey", "eco1")
    )
    assert str(values.dtype) == "Int8"
    assert values.tolist()[0] == 4 and values.tolist()[3] == 5
    assert values.isna().tolist() == [False, True, True, False]
    assert invalid.tolist() == [False, True, False, False]


class TestNumbersAreReadByValue:
    """A number in a scale column is read as a number, never through its match key (which drops
    '-', '.' and '_')."""

    @pytest.mark.parametrize(
        ("column", "raw"),
        [("eco1", "-4"), ("eco1", "-1"), ("idp_made", "-1"), ("sat_overall", "-5")],
    )
    def test_negative_numbers_are_not_codes(self, make, column, raw):
        assert make("staff_survey", column).convert(raw) is INVALID

    @pytest.mark.parametrize(
        ("column", "raw"),
        [("tenure_band", "510"), ("tenure_band", "1120"), ("age_band", "3039")],
    )
    def test_numbers_do_not_match_band_labels(self, make, column, raw):
        assert make("staff_survey", column).convert(raw) is INVALID

    def test_bands_run_up_to_the_next_lower_bound(self, make):
        age = make("staff_survey", "age_band")
        assert [age.convert(v) for v in ["29.5", "39.9", "90", "90.5"]] == [
            "under_30",
            "30_39",
            "50_plus",
            INVALID,
        ]
        assert make("staff_survey", "tenure_band").convert("4.5") == "under_5"


class TestValuesThatCannotBeStored:
    @pytest.mark.parametrize("raw", ["15/03/9565", "15/03/1500", "2943-01-01"])
    def test_dates_beyond_what_a_datetime_column_holds_are_invalid(self, make, raw):
        submitted = make("staff_survey", "submitted_at")
        assert submitted.convert(raw) is INVALID
        values, invalid = normalise_series(pd.Series([raw, "15/03/2565"]), submitted)
        assert invalid.tolist() == [True, False]
        assert values.isna().tolist() == [True, False]

    def test_counts_too_large_to_read_exactly_are_invalid(self, make):
        headcount = make("agency_return", "headcount")
        assert headcount.convert("99999999999999999999") is INVALID
        assert headcount.convert(str(2**53 - 1)) == 2**53 - 1
        values, invalid = normalise_series(pd.Series(["99999999999999999999", "12"]), headcount)
        assert invalid.tolist() == [True, False] and values.tolist()[1] == 12
