"""Dates and date-times as Thai forms, survey tools and spreadsheets write them.

``parse_date`` reads one value; ``decide_date_order`` decides from a whole column whether its
numeric dates are day-first (15/03/2565, the Thai convention) or month-first (3/15/2022, a
US-locale Excel or Microsoft Forms), so that a column is never read half one way, half the other.

Rules (all results are naive C.E. date-times in Thailand time, UTC+7):

- A 4-digit year >= 2400 is B.E. (2565 = 2022); a 2-digit year is read by range: 55-75 are B.E.
  2555-2575, 12-32 are C.E. 2012-2032, anything else is unreadable. Thai digits are read as digits.
- Forms: ISO ``2022-03-15``, ``2022-03-15T10:20:30.5+07:00``, ``yyyy/mm/dd`` and ``yyyy.mm.dd``;
  numeric ``15/03/2565``, ``15-3-65``, ``15.03.2022`` (or month-first, by the column's order);
  Thai ``15 มี.ค. 2565``, ``วันที่ 15 มีนาคม พ.ศ. 2565``, ``วันศุกร์ที่ 15 มกราคม 2565``; English
  ``15 March 2022``, ``15-Mar-2022``, ``Mar 15, 2022`` (weekday words are ignored); compact
  ``20220315`` / ``25650315`` (yyyymmdd); Excel serial numbers ``44635`` / ``44635.4375`` (1900
  date system) from 1 Jan 2000 to 31 Dec 2100 only, so that other numbers are not read as dates.
- A time follows the date after a space, ``T`` or a comma: ``10:20``, ``10.20 น.``,
  ``10:20:30.123``, ``10:20:30 AM`` (``12:30 AM`` = 00:30, ``12:30 PM`` = 12:30; also
  ``ก่อนเที่ยง``/``หลังเที่ยง``), then optionally a zone: ``Z``, ``+07:00``, ``+0700``, ``GMT+7``,
  ``UTC+07:00``, ``GMT``/``UTC``. A zoned time is converted to Thailand time and the zone dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core import years
from helpers.core.errors import StructuralError
from helpers.core.thai import clean_text, to_arabic_digits

THAI_MONTHS = {
    "มกราคม": 1, "มค": 1, "กุมภาพันธ์": 2, "กพ": 2, "มีนาคม": 3, "มีค": 3, "เมษายน": 4,
    "เมย": 4, "พฤษภาคม": 5, "พค": 5, "มิถุนายน": 6, "มิย": 6, "กรกฎาคม": 7, "กค": 7,
    "สิงหาคม": 8, "สค": 8, "กันยายน": 9, "กย": 9, "ตุลาคม": 10, "ตค": 10, "พฤศจิกายน": 11,
    "พย": 11, "ธันวาคม": 12, "ธค": 12,
}  # fmt: skip
ENGLISH_MONTHS = {
    name: number
    for number, full in enumerate(
        (
            "january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december",
        ),
        start=1,
    )
    for name in (full, full[:3])
} | {"sept": 9}  # fmt: skip

ORDERS = ("dmy", "mdy")
THAILAND = dt.timedelta(hours=7)  # Asia/Bangkok: UTC+7 all year, no daylight saving time
# Excel's 1900 date system counts days from 1899-12-30 (for serials above 60, after Lotus's
# phantom 29 Feb 1900). Only serials of 1 Jan 2000 - 31 Dec 2100 are read as dates.
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
FIRST_SERIAL = (dt.datetime(2000, 1, 1) - _EXCEL_EPOCH).days  # 36526
LAST_SERIAL = (dt.datetime(2100, 12, 31) - _EXCEL_EPOCH).days  # 73415

# Text is lower-cased before matching (Thai has no case).
_TIME = (
    r"(?:(?:\s*t\s*|\s*,\s*|\s+)(?:เวลา\s*)?"
    r"(?P<hh>\d{1,2})[:.](?P<mm>\d{2})(?:[:.](?P<ss>\d{2})(?:[.,](?P<frac>\d+))?)?"
    r"\s*(?:(?P<ampm>am|a\.m\.|pm|p\.m\.|ก่อนเที่ยง|หลังเที่ยง)|น\.?)?"
    r"\s*(?P<zone>z|(?:gmt|utc)?\s*[+-]\d{1,2}(?::?\d{2})?|gmt|utc)?"
    r")?$"
)
_YEAR = r"(?P<y>\d{4}|\d{2})"
_ISO = re.compile(r"^(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _TIME)
# Day and month in either order: the column's order decides (see decide_date_order).
_NUMERIC = re.compile(r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-]" + _YEAR + _TIME)
_THAI_DATE = re.compile(
    r"^(?P<d>\d{1,2})\s*(?P<mon>[ก-๙.]+?)\s*(?:(?P<era>[พค])\.?\s*ศ\.?)?\s*" + _YEAR + _TIME
)
_ENGLISH_DMY = re.compile(
    r"^(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s/.-]*(?P<mon>[a-z]{3,9})\.?(?:,\s*|[\s/.-]*)"
    + _YEAR
    + _TIME
)
_ENGLISH_MDY = re.compile(
    r"^(?P<mon>[a-z]{3,9})\.?[\s/.-]*(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,\s*|[\s/.-]+)"
    + _YEAR
    + _TIME
)
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_WEEKDAY = re.compile(
    r"^(?:วัน(?:จันทร์|อังคาร|พุธ|พฤหัสบดี|พฤหัส|ศุกร์|เสาร์|อาทิตย์)?\s*(?:ที่)?"
    r"|ที่|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*(?![a-z])\.?,?)\s*(?=\d|[a-z])"
)
_ZONE = re.compile(r"^(?:gmt|utc)?\s*(?P<sign>[+-])(?P<h>\d{1,2}):?(?P<m>\d{2})?$")


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


def _offset(zone: str) -> dt.timedelta:
    """The UTC offset a zone suffix states ('z', 'gmt', '+07:00', 'gmt+7', 'utc+0530')."""
    if zone in {"z", "gmt", "utc"}:
        return dt.timedelta(0)
    m = _ZONE.match(zone)
    if not m:
        raise ValueError(f"unknown time zone {zone!r}")
    hours, minutes = int(m["h"]), int(m["m"] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError(f"no such UTC offset {zone!r}")
    offset = dt.timedelta(hours=hours, minutes=minutes)
    return -offset if m["sign"] == "-" else offset


def _build(year: int, month: int, day: int, m: re.Match) -> dt.datetime:
    """The date-time of a match's date and time parts, in Thailand time. ValueError if none."""
    hour, minute = int(m["hh"] or 0), int(m["mm"] or 0)
    second = int(m["ss"] or 0)
    micro = int((m["frac"] or "0")[:6].ljust(6, "0"))
    if m["ampm"]:  # 12-hour clock: 12 AM is midnight, 12 PM noon
        if not 1 <= hour <= 12:
            raise ValueError(f"hour {hour} on a 12-hour clock")
        hour = hour % 12 + (12 if m["ampm"] in {"pm", "p.m.", "หลังเที่ยง"} else 0)
    value = dt.datetime(year, month, day, hour, minute, second, micro)
    if m["zone"]:
        value = value - _offset(m["zone"].replace(" ", "")) + THAILAND
    return value


def _serial(text: str) -> dt.datetime | None:
    """An Excel serial day number of 2000-2100 (a fraction is the time of day)."""
    if not FIRST_SERIAL <= int(text.split(".")[0]) <= LAST_SERIAL:
        return None
    return _EXCEL_EPOCH + dt.timedelta(seconds=round(float(text) * 86400))


def _normalised(text: str) -> str:
    text = to_arabic_digits(clean_text(text)).lower()
    return _WEEKDAY.sub("", text, count=1)


def parse_date(text: str, order: str = "dmy") -> dt.datetime | None:
    """A date or date-time in one of the forms of the module docstring, B.E. or C.E.

    ``order`` says how a numeric date with the day and month both up to 12 is read: 'dmy'
    (15/03/2565, the default and Thai convention) or 'mdy' (3/15/2022); ``decide_date_order``
    decides it for a column. Returns a naive C.E. ``datetime`` in Thailand time, or None when the
    text is not a date.
    """
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    text = _normalised(text)
    try:
        if m := _ISO.match(text):
            return _build(_year_ce(m["y"]), int(m["m"]), int(m["d"]), m)
        if m := _NUMERIC.match(text):
            first, second = int(m["a"]), int(m["b"])
            day, month = (first, second) if order == "dmy" else (second, first)
            return _build(_year_ce(m["y"]), month, day, m)
        if m := _THAI_DATE.match(text):
            month = THAI_MONTHS.get(m["mon"].replace(".", ""))
            # ค.ศ. (C.E.) written out: a B.E. year with it is a contradiction, not a date
            if month is None or (m["era"] == "ค" and not _written_ce(m["y"])):
                return None
            return _build(_year_ce(m["y"]), month, int(m["d"]), m)
        for pattern in (_ENGLISH_DMY, _ENGLISH_MDY):
            if (m := pattern.match(text)) and m["mon"] in ENGLISH_MONTHS:
                return _build(_year_ce(m["y"]), ENGLISH_MONTHS[m["mon"]], int(m["d"]), m)
        if m := _COMPACT.match(text):
            return dt.datetime(_year_ce(m["y"]), int(m["m"]), int(m["d"]))
        if _SERIAL.match(text):
            return _serial(text)
    except (ValueError, OverflowError):
        return None
    return None


def _written_ce(year: str) -> bool:
    """Whether a written year reads as C.E. (below 2400, or two digits in 12-32)."""
    return 12 <= int(year) <= 32 if len(year) == 2 else int(year) < years.BE_THRESHOLD


# ----------------------------------------------------------------------------- column order


@dataclass(frozen=True)
class DateOrder:
    """How a column's numeric dates are read, and why.

    ``evidence``: how many values can only be day-first ('dmy') or only month-first ('mdy');
    ``undecided``: values that read as two different dates, one either way (5/3/2565);
    ``default_used``: no evidence either way, so day-first by the Thai convention;
    ``note``: one sentence for the ledger.
    """

    order: str
    evidence: dict[str, int] = field(default_factory=lambda: {"dmy": 0, "mdy": 0})
    default_used: bool = False
    note: str = ""
    undecided: int = 0


_DMY, _MDY, _EITHER = 1, 2, 3  # what one value says about the order (0: nothing)


@cache
def _kind_of_date(a: str, b: str, year: str) -> int:
    """What a numeric date's fields say about the order: valid only as d/m, only as m/d, as two
    different dates, or nothing (the same date either way, or no date at all)."""
    a, b, year = (to_arabic_digits(text) for text in (a, b, year))
    try:
        ce = _year_ce(year)
    except ValueError:
        return 0
    readings = []
    for day, month in ((int(a), int(b)), (int(b), int(a))):
        try:
            dt.date(ce, month, day)
            readings.append(True)
        except ValueError:
            readings.append(False)
    if readings == [True, False]:
        return _DMY
    if readings == [False, True]:
        return _MDY
    return _EITHER if all(readings) and int(a) != int(b) else 0


# The common case of _kind in one match on the raw text: a clean numeric date, then the rest.
_NUMERIC_HEAD = re.compile(
    r"(?P<a>[0-9๐-๙]{1,2})[/.-](?P<b>[0-9๐-๙]{1,2})[/.-](?P<y>[0-9๐-๙]{4}|[0-9๐-๙]{2})"
    r"(?P<rest>(?:[\s,tT].*)?)",
    re.DOTALL,
)
_NOT_NUMERIC = re.compile(r"^\s*[0-9๐-๙]{3}")  # yyyy-mm-dd, serials, yyyymmdd


@lru_cache(maxsize=2**18)
def _time_ok(rest: str) -> bool:
    """Whether what follows a numeric date is a time of day (or nothing) that exists."""
    m = _NUMERIC.match(_normalised("1/1/2000" + rest))
    if not m:
        return False
    try:
        _build(2000, 1, 1, m)
    except ValueError:
        return False
    return True


def _kind(value: object) -> int:
    """Whether a value can only be day-first, only month-first, or either (as different dates)."""
    if not isinstance(value, str) or not value or _NOT_NUMERIC.match(value):
        return 0
    if m := _NUMERIC_HEAD.fullmatch(value):
        rest = m["rest"]
    elif m := _NUMERIC.match(_normalised(value)):  # spaces, invisible characters, weekday ...
        rest = m.string[m.end("y") :]
    else:
        return 0
    kind = _kind_of_date(m["a"], m["b"], m["y"])
    # an impossible time of day (13/02/2565 25:00) makes no date, so no evidence
    return kind if kind and _time_ok(rest) else 0


def _values(n: int, what: str) -> str:
    return f"{n} value{'s' if n != 1 else ''} can only be {what}" if n else f"none {what}"


def decide_date_order(
    values: pd.Series | Iterable[str],
    *,
    column: str | None = None,
    file: str | Path | None = None,
    sheet: str | None = None,
) -> DateOrder:
    """Decide from a column's values whether its numeric dates are day- or month-first.

    A numeric date that is a valid date only day-first (13/02/2565) proves day-first; one valid
    only month-first (2/13/2022) proves month-first. Other forms (ISO, month names, serials,
    yyyymmdd) say nothing. With no proof either way the column is read day-first (the Thai
    convention, ``default_used``). Proof both ways raises ``StructuralError`` naming the row and
    value of the first value of the rarer kind: give ``values`` as a Series of raw text indexed
    by spreadsheet row (its name is the column unless ``column`` is given).
    """
    if isinstance(values, pd.Series):
        series = values
        if column is None and values.name is not None:
            column = str(values.name)
        rows: pd.Index | None = values.index
    else:
        series = pd.Series(list(values), dtype=object)
        rows = None
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    kinds = np.array([_kind(v) for v in uniques] + [0], dtype=np.int8)  # code -1: missing
    per_row = kinds[codes]
    counts = {k: int((per_row == k).sum()) for k in (_DMY, _MDY, _EITHER)}
    evidence = {"dmy": counts[_DMY], "mdy": counts[_MDY]}
    prefix = f"{column}: " if column else ""

    def first(kind: int) -> tuple[int | None, str]:
        pos = int(np.flatnonzero(per_row == kind)[0])
        row = rows[pos] if rows is not None else None
        return (int(row) if isinstance(row, int | np.integer) else row), str(series.iloc[pos])

    if counts[_DMY] and counts[_MDY]:
        (dmy_row, dmy_value), (mdy_row, mdy_value) = first(_DMY), first(_MDY)
        where = {
            _DMY: f"'{dmy_value}'" + (f" in row {dmy_row}" if dmy_row is not None else ""),
            _MDY: f"'{mdy_value}'" + (f" in row {mdy_row}" if mdy_row is not None else ""),
        }
        # the rarer kind is the likely odd one out (on a tie: the one that starts later)
        rarer = min(
            (_DMY, _MDY),
            key=lambda k: (counts[k], -np.flatnonzero(per_row == k)[0]),
        )
        row, value = (dmy_row, dmy_value) if rarer == _DMY else (mdy_row, mdy_value)
        raise StructuralError(
            "dates are written both day-first and month-first: "
            f"{_values(counts[_DMY], 'day/month/year')} (first {where[_DMY]}), "
            f"{_values(counts[_MDY], 'month/day/year')} (first {where[_MDY]})",
            file=file,
            sheet=sheet,
            row=row,
            column=column,
            value=value,
            expected="one order of day and month throughout a column: all day/month/year "
            "(15/03/2565) or all month/day/year (3/15/2022); 2022-03-15 is read either way",
            hint="The file probably joins exports from computers with different date settings; "
            "write the dates of one part the other way round (or as 2022-03-15) and run again",
        )
    if counts[_MDY]:
        note = (
            f"{prefix}read month-first (m/d/y): "
            f"{_values(counts[_MDY], 'month-first')}, none day-first"
        )
        return DateOrder("mdy", evidence, False, note, counts[_EITHER])
    if counts[_DMY]:
        note = (
            f"{prefix}read day-first (d/m/y): {_values(counts[_DMY], 'day-first')}, "
            "none month-first"
        )
        return DateOrder("dmy", evidence, False, note, counts[_EITHER])
    if counts[_EITHER]:
        pos = int(np.flatnonzero(per_row == _EITHER)[0])
        n = counts[_EITHER]
        note = (
            f"{prefix}read day-first (d/m/y) by default, the Thai convention: no value shows "
            f"the order ({n} value{'s' if n != 1 else ''} such as '{series.iloc[pos]}' "
            f"read{'s' if n == 1 else ''} as a date either way)"
        )
    else:
        note = (
            f"{prefix}read day-first (d/m/y) by default: no value is written as day/month/year "
            "or month/day/year with day and month told apart"
        )
    return DateOrder("dmy", evidence, True, note, counts[_EITHER])
