import datetime as dt

import pandas as pd
import pytest

from helpers.core.errors import StructuralError
from helpers.ingest import dates, normalise
from helpers.ingest.dates import DateOrder, decide_date_order, parse_date
from helpers.ingest.normalise import INVALID, datetime_normaliser_for, normalise_series

D = dt.datetime


def column(values, first_row=2, name="submitted_at"):
    """Raw text of a column indexed by spreadsheet row (the header is row 1)."""
    return pd.Series(values, index=range(first_row, first_row + len(values)), name=name, dtype=str)


class TestForms:
    @pytest.mark.parametrize(
        ("text", "order", "expected"),
        [
            # Google Forms, by the form owner's locale
            ("15/3/2022, 10:20:30", "dmy", D(2022, 3, 15, 10, 20, 30)),
            ("3/15/2022 10:20:30", "mdy", D(2022, 3, 15, 10, 20, 30)),
            ("2022/03/15 10:20:30 AM GMT+7", "dmy", D(2022, 3, 15, 10, 20, 30)),
            ("2022/03/15 1:05:00 PM GMT+7", "dmy", D(2022, 3, 15, 13, 5)),
            # Microsoft Forms and a US-locale Excel
            ("3/15/2022 10:20:30 AM", "mdy", D(2022, 3, 15, 10, 20, 30)),
            ("3/15/2022 1:05:09 PM", "mdy", D(2022, 3, 15, 13, 5, 9)),
            ("3/15/2022 10:20", "mdy", D(2022, 3, 15, 10, 20)),
            ("1/10/2022", "mdy", D(2022, 1, 10)),
            # LimeSurvey
            ("2022-03-15 10:20:30", "dmy", D(2022, 3, 15, 10, 20, 30)),
            # Thai forms
            ("15/03/2565", "dmy", D(2022, 3, 15)),
            ("15-03-2565", "dmy", D(2022, 3, 15)),
            ("15/03/2565 09.30 น.", "dmy", D(2022, 3, 15, 9, 30)),
            ("๑๕/๐๓/๒๕๖๕ ๑๐:๒๐:๓๐", "dmy", D(2022, 3, 15, 10, 20, 30)),
            ("วันที่ 15 มกราคม พ.ศ. 2565", "dmy", D(2022, 1, 15)),
            ("15 ม.ค. 65", "dmy", D(2022, 1, 15)),
            ("วันศุกร์ที่ 15 มกราคม 2565", "dmy", D(2022, 1, 15)),
            ("วันศุกร์ 15 ม.ค. 2565", "dmy", D(2022, 1, 15)),
            ("วันที่ ๑๕ มกราคม พ.ศ. ๒๕๖๕ เวลา ๑๐.๓๐ น.", "dmy", D(2022, 1, 15, 10, 30)),
            ("15 มกราคม ค.ศ. 2022", "dmy", D(2022, 1, 15)),
            # English month names
            ("15-Mar-2022", "dmy", D(2022, 3, 15)),
            ("15-MAR-65", "dmy", D(2022, 3, 15)),
            ("15 March 2022", "dmy", D(2022, 3, 15)),
            ("15 Sept 2022", "mdy", D(2022, 9, 15)),
            ("Mar 15, 2022", "dmy", D(2022, 3, 15)),
            ("March 15, 2022 1:05 PM", "mdy", D(2022, 3, 15, 13, 5)),
            ("Tuesday, 15 March 2022", "dmy", D(2022, 3, 15)),
            ("Tue, Mar 15, 2022", "dmy", D(2022, 3, 15)),
            # compact yyyymmdd, either era
            ("20220115", "dmy", D(2022, 1, 15)),
            ("25650115", "mdy", D(2022, 1, 15)),
            ("๒๕๖๕๐๑๑๕", "dmy", D(2022, 1, 15)),
        ],
    )
    def test_reads(self, text, order, expected):
        assert parse_date(text, order) == expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2022-03-15T10:20:30+07:00", D(2022, 3, 15, 10, 20, 30)),
            ("2022-03-15T10:20:30+0700", D(2022, 3, 15, 10, 20, 30)),
            ("2022-03-15T03:20:30Z", D(2022, 3, 15, 10, 20, 30)),
            ("2022-03-15T03:20:30.25Z", D(2022, 3, 15, 10, 20, 30, 250000)),
            ("2022-03-15T03:20:30.123456789Z", D(2022, 3, 15, 10, 20, 30, 123456)),
            ("2022-03-15 10:20:30 UTC+07:00", D(2022, 3, 15, 10, 20, 30)),
            ("2022-03-15 10:20 GMT", D(2022, 3, 15, 17, 20)),
            ("2022-03-14T22:20:30-05:00", D(2022, 3, 15, 10, 20, 30)),
            ("2022-03-15T00:30:00+09:00", D(2022, 3, 14, 22, 30)),
            ("2021-12-31T20:00:00Z", D(2022, 1, 1, 3, 0)),  # the year turns in Bangkok
            ("2565-03-15T10:20:30 GMT+5:30", D(2022, 3, 15, 11, 50, 30)),
            ("15/03/2565 10:20:30 GMT+7", D(2022, 3, 15, 10, 20, 30)),
        ],
    )
    def test_time_zones_become_thailand_time(self, text, expected):
        assert parse_date(text) == expected
        assert parse_date(text).tzinfo is None

    @pytest.mark.parametrize(
        ("time", "expected"),
        [
            ("12:30 AM", (0, 30)),
            ("12:00 AM", (0, 0)),
            ("12:30 PM", (12, 30)),
            ("12:00:00 PM", (12, 0)),
            ("1:05 PM", (13, 5)),
            ("11:59:59 PM", (23, 59, 59)),
            ("10:20:30 am", (10, 20, 30)),
            ("10:20 a.m.", (10, 20)),
            ("8:15 p.m.", (20, 15)),
            ("10:20 ก่อนเที่ยง", (10, 20)),
            ("1:05 หลังเที่ยง", (13, 5)),
            ("12:30 หลังเที่ยง", (12, 30)),
        ],
    )
    def test_twelve_hour_clock(self, time, expected):
        assert parse_date(f"3/15/2022 {time}", "mdy") == D(2022, 3, 15, *expected)

    @pytest.mark.parametrize("time", ["13:05 PM", "0:30 AM", "24:00", "10:60", "10:20:61"])
    def test_times_that_do_not_exist(self, time):
        assert parse_date(f"15/03/2565 {time}") is None

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("44576", D(2022, 1, 15)),
            ("44576.4375", D(2022, 1, 15, 10, 30)),
            ("44576.75", D(2022, 1, 15, 18, 0)),
            ("44576.0", D(2022, 1, 15)),
            ("๔๔๕๗๖", D(2022, 1, 15)),
            ("36526", D(2000, 1, 1)),  # the first serial read as a date
            ("73415", D(2100, 12, 31)),  # the last
        ],
    )
    def test_excel_serial_numbers(self, text, expected):
        assert parse_date(text) == expected

    @pytest.mark.parametrize(
        "text",
        ["36525", "73416", "12345", "99999", "100000", "2565", "65", "0", "4.5", "-44576", "1e5"],
    )
    def test_other_numbers_are_not_dates(self, text):
        assert parse_date(text) is None
        assert normalise._datetime().convert(text) is INVALID

    @pytest.mark.parametrize(
        ("text", "order"),
        [
            ("31/02/2565", "dmy"),
            ("29/02/2565", "dmy"),  # 2022 is no leap year
            ("2/30/2022", "mdy"),
            ("3/15/2022", "dmy"),  # no month 15
            ("15/03/2022", "mdy"),
            ("15/03/99", "dmy"),
            ("20221301", "dmy"),
            ("15 Marchh 2022", "dmy"),
            ("15 มกราคม ค.ศ. 2565", "dmy"),  # C.E. stated, B.E. year written
            ("2022-03-15T10:20:30+15:00", "dmy"),  # no such offset
            ("12:30", "dmy"),
            ("hello", "dmy"),
        ],
    )
    def test_not_dates(self, text, order):
        assert parse_date(text, order) is None
        assert normalise._datetime(order).convert(text) is INVALID

    def test_leap_day_in_a_leap_year(self):
        assert parse_date("29/02/2563") == D(2020, 2, 29)

    def test_default_order_is_day_first(self):
        assert parse_date("1/10/2022") == D(2022, 10, 1)
        assert parse_date("1/10/2022", "mdy") == D(2022, 1, 10)

    def test_unknown_order_is_refused(self):
        with pytest.raises(ValueError, match="order"):
            parse_date("1/2/2565", "ymd")

    def test_normalise_still_exports_the_parser(self):
        assert normalise.parse_date is dates.parse_date


class TestDecideOrder:
    def test_day_first_proven(self):
        order = decide_date_order(column(["13/03/2565", "5/3/2565", "", "2022-03-15"]))
        assert order == DateOrder(
            "dmy",
            {"dmy": 1, "mdy": 0},
            False,
            "submitted_at: read day-first (d/m/y): 1 value can only be day-first, none month-first",
            1,
        )

    def test_counts_values_not_distinct_values(self):
        order = decide_date_order(column(["15/3/2022, 10:20:30"] * 412 + ["1/3/2022, 9:00:00"]))
        assert order.order == "dmy" and not order.default_used
        assert order.evidence == {"dmy": 412, "mdy": 0}
        assert order.note == (
            "submitted_at: read day-first (d/m/y): 412 values can only be day-first, "
            "none month-first"
        )

    def test_month_first_proven(self):
        raw = column(["3/15/2022 10:20:30 AM", "1/10/2022 9:00:00 AM", "3/16/2022 1:05:00 PM"])
        order = decide_date_order(raw)
        assert (order.order, order.evidence, order.default_used) == (
            "mdy",
            {"dmy": 0, "mdy": 2},
            False,
        )
        assert order.note == (
            "submitted_at: read month-first (m/d/y): 2 values can only be month-first, "
            "none day-first"
        )

    def test_no_evidence_reads_day_first_by_default(self):
        order = decide_date_order(column(["5/3/2565", "1/2/2565 10:00", "7/7/2565", ""]))
        assert (order.order, order.evidence, order.default_used, order.undecided) == (
            "dmy",
            {"dmy": 0, "mdy": 0},
            True,
            2,
        )
        assert order.note == (
            "submitted_at: read day-first (d/m/y) by default, the Thai convention: no value "
            "shows the order (2 values such as '5/3/2565' read as a date either way)"
        )

    def test_unambiguous_forms_are_no_evidence(self):
        values = ["2022-03-15", "2022/03/15 10:20:30 AM GMT+7", "15 March 2022", "Mar 15, 2022"]
        values += ["44576", "20220115", "15 มี.ค. 2565", "2022-03-15T10:20:30Z", "", "garbage"]
        order = decide_date_order(column(values, name="reported_at"))
        assert (order.order, order.evidence, order.default_used, order.undecided) == (
            "dmy",
            {"dmy": 0, "mdy": 0},
            True,
            0,
        )
        assert order.note == (
            "reported_at: read day-first (d/m/y) by default: no value is written as "
            "day/month/year or month/day/year with day and month told apart"
        )

    def test_unambiguous_forms_do_not_change_a_month_first_column(self):
        order = decide_date_order(column(["2022-03-15", "3/15/2022", "44576", "15 March 2022"]))
        assert order.order == "mdy" and order.evidence == {"dmy": 0, "mdy": 1}

    def test_values_that_are_no_date_either_way_are_no_evidence(self):
        # 31/02 and 13/13 are no date in either order; 25:00 is no time of day
        raw = column(["31/02/2565", "13/13/2565", "13/02/2565 25:00", "3/15/2022"])
        assert decide_date_order(raw).evidence == {"dmy": 0, "mdy": 1}

    def test_thai_digits_and_padding_are_evidence(self):
        raw = column(["๑๓/๐๓/๒๕๖๕", " 14/03/2565 ", "วันที่ 15/03/2565", "13/03/2565\u200b"])
        assert decide_date_order(raw).evidence == {"dmy": 4, "mdy": 0}

    def test_any_iterable(self):
        order = decide_date_order(["3/15/2022", "4/1/2022"], column="submitted_at")
        assert order.order == "mdy"
        assert order.note.startswith("submitted_at: read month-first")

    def test_both_orders_stop_the_file_naming_the_odd_value(self):
        raw = column(["13/03/2565", "14/03/2565", "5/3/2565", "3/15/2022", "15/03/2565"])
        with pytest.raises(StructuralError) as caught:
            decide_date_order(raw, file="2565/staff_survey.csv")
        error = caught.value
        assert (error.row, error.value, error.column, error.file) == (
            5,
            "3/15/2022",
            "submitted_at",
            "2565/staff_survey.csv",
        )
        assert "'13/03/2565' in row 2" in str(error)
        assert "'3/15/2022' in row 5" in str(error)
        assert "3 values can only be day/month/year" in str(error)
        assert "1 value can only be month/day/year" in str(error)
        assert str(error).startswith("2565/staff_survey.csv, row 5, column 'submitted_at': ")

    def test_the_rarer_kind_is_named_even_when_it_comes_first(self):
        raw = column(["13/03/2565", "3/15/2022", "3/16/2022", "3/17/2022"], first_row=10)
        with pytest.raises(StructuralError) as caught:
            decide_date_order(raw)
        assert (caught.value.row, caught.value.value) == (10, "13/03/2565")
        located = caught.value.located(file="a.csv", sheet="Form Responses 1")
        assert (located.file, located.sheet, located.row) == ("a.csv", "Form Responses 1", 10)

    def test_a_tie_names_the_kind_that_starts_later(self):
        raw = column(["3/15/2022", "13/03/2565"])
        with pytest.raises(StructuralError) as caught:
            decide_date_order(raw)
        assert (caught.value.row, caught.value.value) == (3, "13/03/2565")


class TestColumnNormaliser:
    def test_month_first_column_read_right(self):
        raw = column(["1/10/2022 9:00:00 AM", "1/13/2022 2:30:00 PM", "2/1/2022", "", "x"])
        norm, order = datetime_normaliser_for(raw)
        assert order.order == "mdy"
        values, invalid = normalise_series(raw, norm)
        assert values.tolist()[:3] == [
            pd.Timestamp(2022, 1, 10, 9),
            pd.Timestamp(2022, 1, 13, 14, 30),
            pd.Timestamp(2022, 2, 1),
        ]
        assert values.isna().tolist() == [False, False, False, True, True]
        assert invalid.tolist() == [False, False, False, False, True]
        assert "3/15/2022 (month first" in norm.expected
        # read day-first, 1/10 would be 1 October and 1/13 unreadable
        naive, naive_invalid = normalise_series(raw, normalise._datetime())
        assert naive.tolist()[0] == pd.Timestamp(2022, 10, 1, 9)
        assert naive_invalid.tolist() == [False, True, False, False, True]

    def test_day_first_column(self):
        raw = column(["13/03/2565 10:20", "1/10/2564", "2021-10-01"])
        norm, order = datetime_normaliser_for(raw)
        assert order.order == "dmy"
        assert norm.expected == normalise._datetime().expected
        values, invalid = normalise_series(raw, norm)
        assert values.tolist() == [
            pd.Timestamp(2022, 3, 13, 10, 20),
            pd.Timestamp(2021, 10, 1),
            pd.Timestamp(2021, 10, 1),
        ]
        assert not invalid.any()
        assert str(values.dtype) == "datetime64[ns]"

    def test_conflict_passes_through(self):
        with pytest.raises(StructuralError):
            datetime_normaliser_for(column(["13/03/2565", "3/15/2022"]), file="f.csv")

    def test_serials_and_zones_through_the_normaliser(self):
        raw = column(["44576.4375", "2022-01-15T03:30:00Z", "31/02/2565", "12345"])
        norm, _ = datetime_normaliser_for(raw)
        values, invalid = normalise_series(raw, norm)
        assert values.tolist()[:2] == [pd.Timestamp(2022, 1, 15, 10, 30)] * 2
        assert invalid.tolist() == [False, False, True, True]
