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
from pathlib import Path

import pandas as pd

from helpers.core import years
from helpers.core.config import Column, Scale
from helpers.core.thai import clean_text, match_key, to_arabic_digits
from helpers.ingest.dates import DateOrder, decide_date_order, parse_date
from helpers.ingest.privacy import scrub
from helpers.ingest.registry import AgencyMatcher


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID = _Invalid()

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


# Survey tools write a scale answer with its number: '5 = เห็นด้วยอย่างยิ่ง', '5 - Agree',
# '5. มากที่สุด', 'เห็นด้วยอย่างยิ่ง (5)', 'Strongly agree [5]'.
_NUMBER_FIRST = re.compile(r"^([0-9๐-๙]+)\s*(?:=|:|\.|\)|-|–)\s*(\D.*)$")
_NUMBER_LAST = re.compile(r"^(\D.*?)\s*[(\[]\s*([0-9๐-๙]+)\s*[)\]]$")


def _number_and_label(raw: str) -> tuple[float, str] | None:
    """(number, label) of an answer written with both, or None."""
    text = clean_text(raw)
    if m := _NUMBER_FIRST.match(text):
        return float(to_arabic_digits(m[1])), m[2]
    if m := _NUMBER_LAST.match(text):
        return float(to_arabic_digits(m[2])), m[1]
    return None


TICKS = {"/", "//", "\\"}


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
    binary = scale.kind == "binary"

    def convert(raw: str) -> object:
        key = match_key(raw)
        if not key:
            # '/' is how a paper form's tick is keyed: in a yes/no column it may mean yes, so it
            # is listed as unreadable, not read as no answer
            return INVALID if binary and raw.strip() in TICKS else None
        number = parse_number(raw)
        if number is None and numeric_codes and (both := _number_and_label(raw)):
            # '5 = เห็นด้วยอย่างยิ่ง', 'เห็นด้วยอย่างยิ่ง (5)': read only when the two agree
            by_number = by_value.get(both[0], INVALID)
            return by_number if table.get(match_key(both[1]), INVALID) == by_number else INVALID
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


def _datetime(order: str = "dmy") -> Normaliser:
    """Dates read by ``parse_date``; numeric ones day-first ('dmy') or month-first ('mdy')."""

    def convert(raw: str) -> object:
        if not raw:
            return None
        parsed = parse_date(raw, order)
        if parsed is None or not _FIRST_DATE <= parsed < _LAST_DATE:
            return INVALID
        return parsed

    example = "15/03/2565" if order == "dmy" else "3/15/2022 (month first, as in this column)"
    return Normaliser(
        convert, f"a date such as {example}, 2022-03-15 or 15 มี.ค. 2565", "datetime64[ns]"
    )


def datetime_normaliser(order: str = "dmy") -> Normaliser:
    """The normaliser of a date column read in ``order`` ('dmy' or 'mdy')."""
    return _datetime(order)


def datetime_normaliser_for(
    raw: pd.Series,
    *,
    column: str | None = None,
    file: str | Path | None = None,
    sheet: str | None = None,
) -> tuple[Normaliser, DateOrder]:
    """The normaliser of one file's date column, reading its numeric dates in the order its
    unambiguous values show (``decide_date_order``: day-first unless proven month-first).

    ``raw``: the column's raw text indexed by spreadsheet row. Raises ``StructuralError`` (with
    the row and value) when some values can only be day-first and others only month-first.
    """
    order = decide_date_order(raw, column=column, file=file, sheet=sheet)
    return _datetime(order.order), order


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
