"""Buddhist Era (B.E.) and Common Era (C.E.) years, and Thai fiscal years.

B.E. = C.E. + 543. The fiscal year runs 1 October to 30 September and takes the later
year's name: FY2563 = 1 Oct 2019 - 30 Sep 2020.
"""

from __future__ import annotations

import datetime as dt

BE_OFFSET = 543
# Years at or above this are taken as B.E.; C.E. years of interest are far below it.
BE_THRESHOLD = 2400


def to_be(year: int) -> int:
    """A year given in B.E. or C.E., returned in B.E."""
    year = int(year)
    if year < 1000:
        raise ValueError(f"{year} is not a four-digit year (expected e.g. 2565 or 2022)")
    return year if year >= BE_THRESHOLD else year + BE_OFFSET


def to_ce(year: int) -> int:
    """A year given in B.E. or C.E., returned in C.E."""
    return to_be(year) - BE_OFFSET


def fiscal_year_be(day: dt.date) -> int:
    """The fiscal year (B.E.) a date belongs to."""
    ce = day.year + 1 if day.month >= 10 else day.year
    return ce + BE_OFFSET


def fiscal_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """First and last day (C.E. dates) of a fiscal year given in B.E. or C.E."""
    ce = to_ce(year)
    return dt.date(ce - 1, 10, 1), dt.date(ce, 9, 30)


def label(year: int, lang: str = "th") -> str:
    """'ปีงบประมาณ พ.ศ. 2565 (2022)' or 'FY2022 (B.E. 2565)'."""
    be = to_be(year)
    if lang == "th":
        return f"ปีงบประมาณ พ.ศ. {be} ({be - BE_OFFSET})"
    return f"FY{be - BE_OFFSET} (B.E. {be})"
