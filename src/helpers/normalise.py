"""Turn raw answers into codebook values.

Each column gets a ``Normaliser``: a function from one raw text value to the stored value
(``None`` for no answer, ``INVALID`` when the value cannot be read) plus a description of what
was expected, used in messages. ``normalise_series`` applies it once per distinct value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from helpers import years
from helpers.config import Column, Scale
from helpers.privacy import scrub
from helpers.registry import AgencyMatcher
from helpers.thai import clean_text, match_key, to_arabic_digits


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID = _Invalid()

THAI_MONTHS = {
    "มกราคม": 1, "มค": 1, "กุมภาพันธ์": 2, "กพ": 2, "มีนาคม": 3, "มีค": 3, "เมษายน": 4,
    "เมย": 4, "พฤษภาคม": 5, "พค": 5, "มิถุนายน": 6, "มิย": 6, "กรกฎาคม": 7, "กค": 7,
    "สิงหาคม": 8, "สค": 8, "กันยายน": 9, "กย": 9, "ตุลาคม": 10, "ตค": 10, "พฤศจิกายน": 11,
    "พย": 11, "ธันวาคม": 12, "ธค": 12,
}  # fmt: skip
_TIME = r"(?:[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:\.\d+)?)?\s*(?:น\.?)?)?"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + "$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})" + _TIME + "$")
_THAI_DATE = re.compile(r"^(\d{1,2})\s*([ก-๙.]+?)\s*(?:พ\.?\s*ศ\.?)?\s*(\d{4}|\d{2})" + _TIME + "$")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
# Whole numbers from this one up cannot be read exactly (parse_number gives a float); they are
# no plausible count either.
_LARGEST_WHOLE = 2**53
# The dates a datetime64[ns] column can hold.
_FIRST_DATE, _LAST_DATE = dt.datetime(1677, 9, 22), dt.datetime(2262, 4, 11)


@dataclass(frozen=True)
class Normaliser:
    convert: Callable[[str], object]
    expected: str
    dtype: str


def parse_number(text: str, *, percent: bool = False) -> float | None:
    """'๑,๒๓๔' -> 1234.0; with ``percent``, '80%' and 'ร้อยละ 80' -> 80.0. None if not a number."""
    text = to_arabic_digits(clean_text(text))
    if percent:
        text = text.replace("ร้อยละ", "").replace("%", "").replace("percent", "")
    text = _THOUSANDS.sub("", text).replace(" ", "")
    return float(text) if _NUMBER.match(text) else None


def _year_ce(text: str) -> int:
    """A 4-digit year in either era, or a 2-digit one read by its range: 55-75 are B.E. 2555-2575,
    12-32 are C.E. 2012-2032 (the two ranges cannot overlap); anything else is not a year."""
    year = int(text)
    if len(text) == 2:
        if 55 <= year <= 75:
            return year + 2500 - years.BE_OFFSET
        if 12 <= year <= 32:
            return year + 2000
        raise ValueError(f"two-digit year {text} is ambiguous")
    return years.to_ce(year)


def parse_date(text: str) -> dt.datetime | None:
    """A date or date-time typed in B.E. or C.E., numeric or with Thai month names.

    Accepts '2022-03-15', '2565-03-15 10:20', '15/03/2565', '15/3/65', '15 มี.ค. 2565'.
    Returns a C.E. ``datetime``, or None when the text is not a date.
    """
    text = to_arabic_digits(clean_text(text))
    for pattern, order in ((_ISO, "ymd"), (_DMY, "dmy"), (_THAI_DATE, "dMy")):
        m = pattern.match(text)
        if not m:
            continue
        first, second, third, hh, mm, ss = m.groups()
        try:
            if order == "ymd":
                year, month, day = _year_ce(first), int(second), int(third)
            elif order == "dmy":
                year, month, day = _year_ce(third), int(second), int(first)
            else:
                month = THAI_MONTHS.get(second.replace(".", "").replace(" ", ""))
                if month is None:
                    return None
                year, day = _year_ce(third), int(first)
            return dt.datetime(year, month, day, int(hh or 0), int(mm or 0), int(ss or 0))
        except ValueError:
            return None
    return None


def _lookup(scale: Scale) -> dict[str, object]:
    table: dict[str, object] = {}
    for point in scale.points:
        for label in (str(point.code), point.th, point.en, *point.aliases):
            table.setdefault(match_key(label), point.code)
    return table


def _bands(scale: Scale) -> list[tuple[float, float, object]]:
    """(lower bound, upper limit, code) of a scale's number bands: a band runs from its lower
    bound up to the next band's lower bound (the last one up to its ``to``)."""
    bins = sorted(
        (p.extra["from"], p.extra["to"], p.code) for p in scale.points if "from" in p.extra
    )
    return [
        (low, bins[i + 1][0] if i + 1 < len(bins) else high, code)
        for i, (low, high, code) in enumerate(bins)
    ]


def _scale_normaliser(column: Column, scale: Scale) -> Normaliser:
    table = _lookup(scale)
    missing = {match_key(m) for m in scale.missing}
    # A number is read by its value, never by its match key: match_key drops '-', '.' and '_',
    # so '-4' would otherwise read as 4 and '510' as the band '5-10'.
    by_value: dict[float, object] = {}
    for point in scale.points:
        for label in (str(point.code), point.th, point.en, *point.aliases):
            value = parse_number(label)
            if value is not None:
                by_value.setdefault(value, point.code)
    missing_values = {v for v in map(parse_number, scale.missing) if v is not None}
    bands = _bands(scale)
    numeric_codes = scale.kind in {"likert", "binary"}

    def convert(raw: str) -> object:
        key = match_key(raw)
        if not key:
            return None
        number = parse_number(raw)
        if number is None:
            return None if key in missing else table.get(key, INVALID)
        if number in missing_values:
            return None
        if number in by_value:
            return by_value[number]
        for i, (low, upper, code) in enumerate(bands):
            last = i == len(bands) - 1
            if low <= number and (number <= upper if last else number < upper):
                return code
        return INVALID

    labels = ", ".join(f"{p.code}={p.th}" if numeric_codes else p.th for p in scale.points)
    expected = f"{scale.th} ({scale.en}): {labels}"
    if bands:
        expected += ", or an age/number of years"
    dtype = "Int8" if numeric_codes else "string"
    return Normaliser(convert, expected, dtype)


def _bounded_integer(
    column: Column, low: float | None, high: float | None, dtype: str
) -> Normaliser:
    def convert(raw: str) -> object:
        if not raw:
            return None
        number = parse_number(raw)
        if number is None or not number.is_integer() or abs(number) >= _LARGEST_WHOLE:
            return INVALID
        if (low is not None and number < low) or (high is not None and number > high):
            return INVALID
        return int(number)

    span = f"from {low:g} to {high:g}" if high is not None else f"{low:g} or more"
    return Normaliser(convert, f"a whole number {span}", dtype)


def _percent() -> Normaliser:
    def convert(raw: str) -> object:
        if not raw:
            return None
        number = parse_number(raw, percent=True)
        return number if number is not None and 0 <= number <= 100 else INVALID

    return Normaliser(convert, "a percentage from 0 to 100 ('80', '80%' or 'ร้อยละ 80')", "Float64")


def _year() -> Normaliser:
    def convert(raw: str) -> object:
        number = parse_number(raw) if raw else None
        if raw == "":
            return None
        if number is None or not number.is_integer():
            return INVALID
        try:
            be = years.to_be(int(number))
        except ValueError:
            return INVALID
        return be if 2500 <= be <= 2700 else INVALID

    return Normaliser(convert, "a fiscal year such as 2565 (B.E.) or 2022 (C.E.)", "Int64")


def _datetime() -> Normaliser:
    def convert(raw: str) -> object:
        if not raw:
            return None
        parsed = parse_date(raw)
        if parsed is None or not _FIRST_DATE <= parsed < _LAST_DATE:
            return INVALID
        return parsed

    return Normaliser(
        convert, "a date such as 15/03/2565, 2022-03-15 or 15 มี.ค. 2565", "datetime64[ns]"
    )


def _agency(matcher: AgencyMatcher) -> Normaliser:
    def convert(raw: str) -> object:
        if not raw:
            return None
        code = matcher.match(raw)
        return INVALID if code is None else code

    return Normaliser(
        convert, "an agency code or name from data/raw/reference/agencies.csv", "string"
    )


def _text() -> Normaliser:
    return Normaliser(lambda raw: raw or None, "text", "string")


def _free_text() -> Normaliser:
    return Normaliser(lambda raw: scrub(raw)[0] if raw else None, "text", "string")


def normaliser_for(column: Column, scales: dict[str, Scale], matcher: AgencyMatcher) -> Normaliser:
    """The normaliser for one codebook column."""
    kind = column.type
    if kind in {"likert", "binary", "category"}:
        return _scale_normaliser(column, scales[column.scale])
    if kind == "score":
        return _bounded_integer(column, column.minimum, column.maximum, "Int8")
    if kind == "integer":
        return _bounded_integer(column, column.minimum, column.maximum, "Int64")
    if kind == "count":
        return _bounded_integer(column, 0, None, "Int64")
    if kind == "percent":
        return _percent()
    if kind == "year":
        return _year()
    if kind == "datetime":
        return _datetime()
    if kind == "agency":
        return _agency(matcher)
    if kind == "free_text":
        return _free_text()
    return _text()


def normalise_series(raw: pd.Series, normaliser: Normaliser) -> tuple[pd.Series, pd.Series]:
    """Apply a normaliser to raw text; returns the typed values and a mask of invalid cells.

    Invalid cells become missing in the values; the caller records them.
    """
    # Converted and typed once per distinct value, then spread back to every row: a column of
    # a million answers holds a handful of values.
    codes, uniques = pd.factorize(raw, use_na_sentinel=False)
    converted = pd.Series([normaliser.convert(value) for value in uniques], dtype=object)
    invalid = converted.map(lambda v: v is INVALID).astype(bool)
    values = converted.where(~invalid, None)
    if normaliser.dtype.startswith("datetime"):
        typed = pd.to_datetime(values, errors="raise").astype(normaliser.dtype)
    else:
        typed = values.astype(object).where(values.notna(), None).astype(normaliser.dtype)
    return (
        pd.Series(typed.array.take(codes), index=raw.index, name=raw.name),
        pd.Series(invalid.to_numpy()[codes], index=raw.index, name=raw.name),
    )


def identifiers_scrubbed(raw: pd.Series) -> int:
    """How many identifiers ``scrub`` removes from a free-text column."""
    return sum(scrub(value)[1] * n for value, n in raw.value_counts().items() if value)
