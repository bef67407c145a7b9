import datetime as dt

import pytest

from helpers.core import years


class TestToBe:
    @pytest.mark.parametrize(("given", "expected"), [(2565, 2565), (2022, 2565), (2020, 2563)])
    def test_either_era(self, given, expected):
        assert years.to_be(given) == expected

    def test_rejects_short_numbers(self):
        with pytest.raises(ValueError, match="four-digit"):
            years.to_be(65)

    def test_to_ce(self):
        assert years.to_ce(2565) == 2022
        assert years.to_ce(2022) == 2022


class TestFiscalYear:
    def test_october_starts_the_next_fiscal_year(self):
        assert years.fiscal_year_be(dt.date(2019, 10, 1)) == 2563
        assert years.fiscal_year_be(dt.date(2019, 9, 30)) == 2562
        assert years.fiscal_year_be(dt.date(2020, 9, 30)) == 2563

    def test_bounds(self):
        assert years.fiscal_year_bounds(2563) == (dt.date(2019, 10, 1), dt.date(2020, 9, 30))
        assert years.fiscal_year_bounds(2020) == years.fiscal_year_bounds(2563)

    def test_labels(self):
        assert years.label(2565) == "ปีงบประมาณ พ.ศ. 2565 (2022)"
        assert years.label(2022, "en") == "FY2022 (B.E. 2565)"


class TestParse:
    """Where a year enters (the command line, a notebook parameter, a folder name) it is read
    once into the B.E. int used inside."""

    @pytest.mark.parametrize(
        "given",
        [2565, 2022, "2565", "2022", "๒๕๖๕", " พ.ศ. 2565 ", "พ.ศ.๒๕๖๕", "FY2022", "B.E. 2565"],
    )
    def test_every_way_of_writing_fiscal_year_2565(self, given):
        assert years.parse(given) == 2565

    @pytest.mark.parametrize("given", ["65", "two thousand", "2565/66", "", True, "ค.ศ. 20"])
    def test_anything_else_is_refused(self, given):
        with pytest.raises(ValueError):
            years.parse(given)

    @pytest.mark.parametrize(
        ("name", "is_year"),
        [("2565", True), ("2022", True), ("1234", False), ("reference", False), ("25650", False)],
    )
    def test_year_folder_names(self, name, is_year):
        assert years.is_year_name(name) is is_year
