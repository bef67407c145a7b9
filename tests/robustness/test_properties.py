"""Property-based tests (hypothesis): the reading rules hold for any input, not just the examples.

Every property runs a fixed, derandomised set of examples (no example database), so a run in CI
is the same as a run on a laptop. Inputs that once broke a property are kept as ``@example``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import string
import tempfile
from decimal import Decimal
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, event, example, given, note, settings
from hypothesis import strategies as st

from helpers.core import config, years
from helpers.core.errors import StructuralError
from helpers.core.thai import THAI_DIGITS, clean_text, match_key, to_arabic_digits
from helpers.ingest import cleaning
from helpers.ingest.normalise import (
    INVALID,
    normalise_series,
    normaliser_for,
    parse_date,
    parse_number,
)
from helpers.ingest.privacy import (
    REDACTED,
    find_identifiers,
    identifier_spans,
    national_id_is_valid,
    scrub,
)
from helpers.ingest.readers import RawTable
from helpers.ingest.reasons import REASONS
from helpers.ingest.registry import AgencyMatcher, load_registry
from tests.conftest import small_codebook

FAST = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW = settings(FAST, max_examples=100)  # whole files through the cleaning stage

YEAR = 2565  # the fiscal year the cleaning properties clean (1 Oct 2021 - 30 Sep 2022)

# ----------------------------------------------------------------------------- shared inputs


@cache
def scales():
    return config.scales()


@cache
def matcher() -> AgencyMatcher:
    return AgencyMatcher(load_registry())


@cache
def books():
    return {name: small_codebook(book) for name, book in config.codebooks().items()}


def normaliser(instrument: str, column: str):
    return normaliser_for(books()[instrument].column(column), scales(), matcher())


@cache
def all_columns() -> list[tuple[str, str]]:
    """One (instrument, column) per distinct way of reading a column in any codebook."""
    seen, found = set(), []
    for name, book in books().items():
        for c in book.columns:
            kind = (c.type, c.scale, c.minimum, c.maximum)
            if kind not in seen:
                seen.add(kind)
                found.append((name, c.name))
    return found


TO_THAI = str.maketrans("0123456789", THAI_DIGITS)


def thai(text: str) -> str:
    """Arabic digits written as Thai digits."""
    return text.translate(TO_THAI)


# What sticks to values pasted from web forms and spreadsheets.
PADDING = st.text(alphabet=" \t\n\u00a0\u202f\u200b\u200c\u200d\u2060\ufeff", max_size=3)

MONTHS_FULL = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
]  # fmt: skip
MONTHS_ABBR = [
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
]  # fmt: skip


@cache
def agency_codes() -> frozenset[str]:
    return frozenset(load_registry()["agency_code"])


@cache
def scale_labels() -> list[str]:
    labels = []
    for scale in scales().values():
        labels += scale.missing
        for p in scale.points:
            labels += [str(p.code), p.th, p.en, *p.aliases]
    return labels


@cache
def agency_names() -> list[str]:
    registry = load_registry()
    rows = registry.iloc[:: max(1, len(registry) // 6)]
    names = []
    for row in rows.itertuples(index=False):
        names += [row.agency_code, row.agency_code.lstrip("0"), row.name_th, row.name_en]
    return names


UNKNOWN_AGENCIES = ["สรรพากร", "xx", "99999", "00000", "Ministry of Magic", "กรม"]

numbers = st.one_of(
    st.integers(-(10**25), 10**25).map(str),
    st.integers(0, 10**12).map(lambda n: f"{n:,}"),
    st.integers(-(10**6), 10**6).map(lambda n: str(Decimal(n).scaleb(-2))),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e5", "1E+15", ".5", "5.", "1,2345", "1_000", "--1", "+-1", "๕๐%"]),
)
dates = st.one_of(
    st.builds(
        "{}{sep}{}{sep}{}".format,
        st.integers(0, 40),
        st.integers(0, 14),
        st.integers(0, 9999),
        sep=st.sampled_from("/-."),
    ),
    st.builds(
        "{:04d}-{:02d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32)
    ),
    st.builds(
        "{} {} {}{}".format,
        st.integers(0, 40),
        st.sampled_from(MONTHS_FULL + MONTHS_ABBR + ["ม.ม.", "มี. ค."]),
        st.sampled_from(["", "พ.ศ. ", "พ.ศ.", "ค.ศ. "]),
        st.integers(0, 9999),
    ),
    st.builds(
        "{} {:02d}:{:02d}".format, st.just("15/03/2565"), st.integers(0, 99), st.integers(0, 99)
    ),
)
labels = st.one_of(
    st.sampled_from(scale_labels()),
    st.sampled_from(agency_names() + UNKNOWN_AGENCIES),
)
garbage = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="0123456789๐๑๒๓๔๕๖๗๘๙,.-+% ร้อยละ/:", max_size=12),
)


@st.composite
def messy(draw, base=None, thai_digits=True):
    """A raw cell: a number, date, label or garbage, maybe in Thai digits, maybe padded."""
    value = draw(base if base is not None else st.one_of(numbers, dates, labels, garbage))
    if thai_digits and draw(st.booleans()):
        value = thai(value)
    if draw(st.booleans()):
        value = draw(PADDING) + value + draw(PADDING)
    return value


def printed(value: object) -> str:
    """A stored value as a person or an export would write it back."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


# ----------------------------------------------------------------------------- thai.py

# Characters where cleaning can go wrong: Thai vowels and tone marks, nikhahit and sara aa (sara
# am typed in two keys), ๆ, combining accents, invisible characters, spaces and punctuation.
tricky_text = st.one_of(
    st.text(),
    st.text(
        alphabet="กขอำาี่้\u0e4d\u0e32ๆ๑๒e\u0301\u0308 \t\u00a0\u200b\ufeff.-_/()",
        max_size=12,
    ),
)


@FAST
@given(st.one_of(st.text(), st.text(alphabet=THAI_DIGITS + "0123456789 -.กa")))
def test_to_arabic_digits_changes_only_thai_digits(text):
    out = to_arabic_digits(text)
    assert len(out) == len(text)
    assert not set(out) & set(THAI_DIGITS)
    assert to_arabic_digits(out) == out
    for before, after in zip(text, out, strict=True):
        if before in THAI_DIGITS:
            assert after == str(THAI_DIGITS.index(before))
        else:
            assert after == before


@FAST
@given(st.integers(min_value=0))
def test_thai_and_arabic_numerals_are_one_number(n):
    assert int(to_arabic_digits(thai(str(n)))) == n


@FAST
@given(tricky_text)
@example("e\u200b\u0301")  # removing the zero-width space let é compose on a second pass
@example("\u0e4d\u200b\u0e32")  # sara am split by a zero-width space
def test_clean_text_is_idempotent_and_tidy(text):
    out = clean_text(text)
    assert clean_text(out) == out
    assert out == out.strip()
    assert "  " not in out and "\u00a0" not in out and "\u202f" not in out
    assert not set(out) & set("\u200b\u200c\u200d\u2060\ufeff")
    assert "\u0e4d\u0e32" not in out


@FAST
@given(tricky_text)
@example("\u0e4dๆ\u0e32")  # dropping ๆ joined nikhahit + sara aa only on a second pass
@example("\u0e4d.\u0e32")
def test_match_key_is_idempotent(text):
    key = match_key(text)
    assert match_key(key) == key
    assert not re.search(r"\s", key)
    assert not set(key) & set(THAI_DIGITS + "ๆ.,;:'\"()[]{}-_/\\")


words = st.lists(
    st.text(alphabet=string.ascii_letters + string.digits + "กขคมยรลวสหอะาิีุู่้เแโ", min_size=1),
    min_size=1,
    max_size=4,
)


@FAST
@given(words, st.data())
def test_match_key_ignores_case_spacing_punctuation_and_digit_script(parts, data):
    plain = " ".join(parts)
    seps = data.draw(st.lists(st.sampled_from(["", " ", "  ", ".", "-", "_", "\u00a0", "/", "( "])))
    variant = ""
    for i, part in enumerate(parts):
        if data.draw(st.booleans()):
            part = part.swapcase()
        if data.draw(st.booleans()):
            part = thai(part)
        variant += part + (seps[i] if i < len(seps) else " ")
    variant = data.draw(PADDING) + variant + data.draw(PADDING)
    assert match_key(variant) == match_key(plain)


# ----------------------------------------------------------------------------- years.py


@FAST
@given(st.integers(1000, years.BE_THRESHOLD - 1))
def test_be_and_ce_years_round_trip(ce):
    be = years.to_be(ce)
    assert be == ce + years.BE_OFFSET
    assert years.to_ce(ce) == ce
    if be >= years.BE_THRESHOLD:  # both readings exist: the B.E. year is read as B.E.
        assert years.to_be(be) == be
        assert years.fiscal_year_bounds(be) == years.fiscal_year_bounds(ce)
        assert years.label(be) == years.label(ce)


@FAST
@given(st.dates(dt.date(1900, 1, 1), dt.date(2300, 12, 31)))
def test_a_date_lies_in_its_fiscal_year(day):
    fy = years.fiscal_year_be(day)
    start, end = years.fiscal_year_bounds(fy)
    assert start <= day <= end
    assert years.fiscal_year_bounds(fy - years.BE_OFFSET) == (start, end)
    assert (start.month, start.day, end.month, end.day) == (10, 1, 9, 30)
    assert years.fiscal_year_bounds(fy + 1)[0] == end + dt.timedelta(days=1)


@FAST
@given(st.integers(-(10**6), 999))
def test_short_years_are_refused(year):
    with pytest.raises(ValueError, match="four-digit"):
        years.to_be(year)


# ----------------------------------------------------------------------------- normalise.py


def _check_result(instrument, column, value):
    """A converted value is None, INVALID, or of the column's type and range."""
    col = books()[instrument].column(column)
    if value is None or value is INVALID:
        return
    if col.type in {"likert", "binary", "category"}:
        assert value in scales()[col.scale].codes
    elif col.type in {"score", "integer", "count"}:
        assert isinstance(value, int)
        assert col.type != "count" or value >= 0
        if col.minimum is not None:
            assert col.minimum <= value <= col.maximum
    elif col.type == "percent":
        assert isinstance(value, float) and 0 <= value <= 100
    elif col.type == "year":
        assert isinstance(value, int) and 2500 <= value <= 2700
    elif col.type == "datetime":
        assert isinstance(value, dt.datetime)
    elif col.type == "agency":
        assert value in agency_codes()
    else:
        assert isinstance(value, str) and value


def column_values(column: tuple[str, str], thai_digits: bool = True):
    """Raw text for one column: what the codebook expects, written every way, or anything."""
    book = books()[column[0]]
    expected = cell_values(book, book.column(column[1]))
    return st.one_of(messy(expected, thai_digits), messy(None, thai_digits))


@FAST
@given(
    st.sampled_from(all_columns())
    .flatmap(lambda c: st.tuples(st.just(c), st.lists(column_values(c), min_size=1, max_size=6)))
    .map(tuple)
)
@example((("staff_survey", "submitted_at"), ["15/03/9565"]))  # B.E. 9565: beyond pandas' dates
@example((("staff_survey", "submitted_at"), ["15/03/1500"]))
@example((("agency_return", "headcount"), ["99999999999999999999"]))  # overflowed Int64
def test_normalisers_never_raise(case):
    column, values = case
    norm = normaliser(*column)
    converted = [norm.convert(v) for v in values]
    for value in converted:
        _check_result(*column, value)
    typed, invalid = normalise_series(pd.Series(values, dtype=object), norm)
    assert invalid.tolist() == [v is INVALID for v in converted]
    assert typed.isna().tolist() == [v is None or v is INVALID for v in converted]


@FAST
@given(st.sampled_from(all_columns()), st.data())
@example(("staff_survey", "submitted_at"), "2943-1-1")  # C.E. 2400: printed, read back as B.E.
def test_normal_form_reads_back_to_itself(column, raw):
    if not isinstance(raw, str):
        raw = raw.draw(column_values(column))
    norm = normaliser(*column)
    value = norm.convert(raw)
    if value is None or value is INVALID:
        return
    assert norm.convert(printed(value)) == value


@FAST
@given(
    st.sampled_from([c for c in all_columns() if c[1] not in {"response_id", "comment"}]),
    st.data(),
)
def test_thai_digits_read_like_arabic_digits(column, data):
    raw = data.draw(column_values(column, thai_digits=False))
    norm = normaliser(*column)
    assert norm.convert(thai(raw)) == norm.convert(raw)


@cache
def labels_with_digits() -> list[tuple[tuple[str, str], str]]:
    """(column, label) for every scale label and agency code that holds a digit."""
    found = [(("staff_survey", "agency"), code) for code in sorted(agency_codes())]
    for column in all_columns():
        col = books()[column[0]].column(column[1])
        if col.scale:
            for p in scales()[col.scale].points:
                for label in (str(p.code), p.th, p.en, *p.aliases):
                    if re.search(r"[0-9]", label):
                        found.append((column, label))
    return found


@FAST
@given(st.sampled_from(labels_with_digits()), PADDING)
def test_labels_and_codes_with_digits_read_alike_in_thai_digits(case, pad):
    column, label = case
    norm = normaliser(*column)
    value = norm.convert(label)
    assert value is not None and value is not INVALID
    assert norm.convert(pad + thai(label) + pad) == value


@FAST
@given(
    st.integers(0, 2**53 - 1),
    st.sampled_from(["{:d}", "{:,d}", "{:,d}|thai", "{:,d}|space", "{:,d}|nbsp"]),
    PADDING,
    PADDING,
)
def test_counts_ignore_thousands_separators_and_padding(n, form, before, after):
    fmt, _, how = form.partition("|")
    text = fmt.format(n)
    text = {
        "thai": thai(text),
        "space": text.replace(",", " "),
        "nbsp": text.replace(",", "\xa0"),
    }.get(how, text)
    assert normaliser("agency_return", "headcount").convert(before + text + after) == n


@FAST
@given(st.integers(-(10**5), 10**5), st.integers(0, 2))
def test_percent_forms_agree(n, places):
    text = format(Decimal(n).scaleb(-places), "f")
    value = float(text)
    expected = value if 0 <= value <= 100 else INVALID
    pct = normaliser("agency_return", "a2_levels_covered_pct")
    forms = [text, f"{text}%", f"{text} %", f"ร้อยละ {text}", f"ร้อยละ{text}", thai(f"{text}%")]
    assert [pct.convert(f) for f in forms] == [expected] * len(forms)
    assert parse_number(f"{text}%", percent=True) == value


def _band(scale, number: float):
    """The band a number falls in: from its lower bound up to the next band's lower bound."""
    bins = sorted(
        (p.extra["from"], p.extra["to"], p.code) for p in scale.points if "from" in p.extra
    )
    for i, (low, high, code) in enumerate(bins):
        upper_ok = number < bins[i + 1][0] if i + 1 < len(bins) else number <= high
        if low <= number and upper_ok:
            return code
    return INVALID


SCALE_COLUMNS = [
    ("staff_survey", "eco1"),
    ("staff_survey", "sat_overall"),
    ("staff_survey", "idp_made"),
    ("staff_survey", "age_band"),
    ("staff_survey", "tenure_band"),
    ("staff_survey", "position_level"),
]


@FAST
@given(
    st.sampled_from(SCALE_COLUMNS),
    st.one_of(st.integers(-10, 100), st.integers(-(10**4), 10**4)),
    st.integers(0, 1),
    PADDING,
)
@example(("staff_survey", "eco1"), -4, 0, "")  # '-4' was read as 4: match_key drops the '-'
@example(("staff_survey", "idp_made"), -1, 0, "")
@example(("staff_survey", "tenure_band"), 510, 0, "")  # '510' matched the key of '5-10'
@example(("staff_survey", "age_band"), 3039, 0, "")  # '3039' matched the key of '30-39'
@example(("staff_survey", "age_band"), 295, 1, "")  # 29.5 fell between the bands
def test_numbers_in_scale_columns_are_read_by_value(column, n, places, pad):
    text = format(Decimal(n).scaleb(-places), "f")
    number = float(text)
    scale = scales()[books()[column[0]].column(column[1]).scale]
    if scale.kind in {"likert", "binary"}:
        expected = int(number) if number.is_integer() and int(number) in scale.codes else INVALID
    else:
        expected = _band(scale, number)
    assert normaliser(*column).convert(pad + text + pad) == expected


@FAST
@given(st.sampled_from(SCALE_COLUMNS), st.data())
def test_scale_labels_read_as_their_code(column, data):
    scale = scales()[books()[column[0]].column(column[1]).scale]
    point = data.draw(st.sampled_from(scale.points))
    label = data.draw(st.sampled_from([str(point.code), point.th, point.en, *point.aliases]))
    if data.draw(st.booleans()):
        label = label.swapcase()
    label = data.draw(PADDING) + label + data.draw(PADDING)
    assert normaliser(*column).convert(label) == point.code
    assert normaliser(*column).convert(printed(point.code)) == point.code


@FAST
@given(st.integers(2400, 2800), PADDING, st.booleans())
def test_fiscal_year_in_either_era(be, pad, thai_digits):
    year = normaliser("ocsc_return", "fiscal_year")
    ce = be - years.BE_OFFSET
    expected = be if 2500 <= be <= 2700 else INVALID
    for text in (str(be), str(ce), f"{be:,}", f"{be}.0"):
        text = thai(text) if thai_digits else text
        assert year.convert(pad + text + pad) == expected, text


@FAST
@given(
    st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)),
    st.sampled_from(["", " 09:30", " 9.30 น.", " 23:59:58", "T00:00:00"]),
    st.booleans(),
)
def test_a_date_reads_the_same_in_every_era_and_script(day, time, thai_digits):
    ce, be = day.year, day.year + years.BE_OFFSET
    d, m = day.day, day.month
    hh, mm, ss = (0, 0, 0)
    if time:
        parts = re.findall(r"\d+", time)
        hh, mm, ss = (int(p) for p in [*parts, "0"][:3])
    expected = dt.datetime(ce, m, d, hh, mm, ss)
    forms = [
        f"{ce:04d}-{m:02d}-{d:02d}",
        f"{be:04d}-{m:02d}-{d:02d}",
        f"{d}/{m}/{be}",
        f"{d:02d}/{m:02d}/{ce}",
        f"{d}-{m}-{be}",
        f"{d}.{m:02d}.{ce}",
        f"{d} {MONTHS_FULL[m - 1]} {be}",
        f"{d} {MONTHS_FULL[m - 1]} พ.ศ. {be}",
        f"{d} {MONTHS_ABBR[m - 1]} {be}",
        f"{d}{MONTHS_ABBR[m - 1]}{be}",
        f"{d} {MONTHS_ABBR[m - 1].replace('.', '')} {be}",
    ]
    if 2012 <= ce <= 2032:  # two-digit years: 55-75 are B.E., 12-32 C.E.
        forms += [f"{d}/{m}/{be % 100:02d}", f"{d}/{m}/{ce % 100:02d}"]
        forms += [f"{d} {MONTHS_ABBR[m - 1]} {be % 100:02d}"]
    if time.startswith("T"):
        forms = forms[:2]
    for text in forms:
        text = text + time
        text = thai(text) if thai_digits else text
        assert parse_date(text) == expected, text
    stored = normaliser("staff_survey", "submitted_at").convert(forms[0] + time)
    assert stored == expected


# ----------------------------------------------------------------------------- privacy.py


def with_check_digit(first12: str) -> str:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


@st.composite
def national_ids(draw):
    digits = with_check_digit(draw(st.text(alphabet=string.digits, min_size=12, max_size=12)))
    assert national_id_is_valid(digits)
    sep = draw(st.sampled_from(["", "-", " "]))
    if sep:
        parts, i = [], 0
        for size in (1, 4, 5, 2, 1):
            parts.append(digits[i : i + size])
            i += size
        text = sep.join(parts)
    else:
        text = digits
    return thai(text) if draw(st.booleans()) else text


@st.composite
def phones(draw):
    mobile = draw(st.booleans())
    head = "0" + draw(st.sampled_from("689" if mobile else "234567"))
    rest = draw(
        st.text(alphabet=string.digits, min_size=8 if mobile else 7, max_size=8 if mobile else 7)
    )
    digits = head + rest
    sep = draw(st.sampled_from(["", "-", " "]))
    groups = (
        (digits[:3], digits[3:6], digits[6:]) if mobile else (digits[:2], digits[2:5], digits[5:])
    )
    text = sep.join(groups)
    form = draw(st.sampled_from(["local", "+66", "+66 0"]))
    if form == "+66":
        text = "+66" + draw(st.sampled_from(["", " ", "-"])) + text[1:].lstrip(" -")
    elif form == "+66 0":  # the trunk zero kept after the country code, a common slip
        text = "+66" + draw(st.sampled_from(["", " "])) + text
    return thai(text) if draw(st.booleans()) else text


local_parts = st.text(
    alphabet=string.ascii_letters + string.digits + "._+-", min_size=1, max_size=20
)
domains = st.lists(
    st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=10),
    min_size=1,
    max_size=3,
).map(".".join)
emails = st.one_of(
    st.builds(
        "{}@{}.{}".format, local_parts, domains, st.sampled_from(["com", "go.th", "ac.th", "co"])
    ),
    st.emails(),
)
identifiers = st.one_of(national_ids(), phones(), emails)
# Text around an identifier: digits, separators and e-mail characters make it hard.
surrounding = st.one_of(
    st.text(max_size=20),
    st.text(alphabet="0123456789๐๑ -.@+_abcกขค่้", max_size=20),
)


@FAST
@given(surrounding, identifiers, surrounding)
@example("", "1 1017 00230 70 5", "x@y.com")  # e-mail took the last digit; 12 digits leaked
@example("1 2 3 4 5 6 7 8 9 0 1 2 ", "1-1017-00230-70-5", "")  # spaced digits took the first
@example("", "+660812345678", "")
@example("o'", "brien@example.com", "")
def test_scrub_removes_every_identifier_from_any_text(prefix, identifier, suffix):
    digit = re.compile(r"\d")
    # An identifier run into other digits is a different number, not this identifier.
    assume(not digit.match(to_arabic_digits(prefix[-1:])))
    assume(not digit.match(to_arabic_digits(suffix[:1])))
    text = prefix + identifier + suffix
    out, count = scrub(text)
    note(repr(out))
    assert count >= 1 and REDACTED in out
    assert to_arabic_digits(identifier) not in to_arabic_digits(out)
    assert find_identifiers(out) == []
    # every character of the identifier lies inside a redacted span
    spans = identifier_spans(text)
    first, last = len(prefix), len(prefix) + len(identifier)
    assert any(start <= first and last <= end for start, end in spans), spans


messy_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789๐๑๒ -@._+abc\n", max_size=40),
    st.builds("{}{}{}".format, surrounding, identifiers, surrounding),
)


@FAST
@given(messy_text)
@example("12345678901234")  # 14 digits: not scrubbed, then refused by the processed schema
def test_scrub_is_idempotent_and_leaves_no_13_digit_run(text):
    out, count = scrub(text)
    assert scrub(out) == (out, 0)
    assert find_identifiers(out) == []
    # the processed schema refuses free text with 13 digits in a row
    assert not re.search(r"\d{13}", to_arabic_digits(out))
    assert count == out.count(REDACTED) - text.count(REDACTED)
    rebuilt = text
    for start, end in reversed(identifier_spans(text)):
        rebuilt = rebuilt[:start] + REDACTED + rebuilt[end:]
    assert rebuilt == out


@FAST
@given(messy_text)
def test_scrub_sees_thai_digits_as_digits(text):
    out, count = scrub(text)
    out_thai, count_thai = scrub(thai(text))
    assert count_thai == count
    assert to_arabic_digits(out_thai) == to_arabic_digits(out)


@FAST
@given(st.text(alphabet=st.characters(exclude_categories=["Nd"], exclude_characters="@")))
def test_scrub_leaves_text_without_digits_or_at_sign_alone(text):
    assert scrub(text) == (text, 0)


# ----------------------------------------------------------------------------- the row ledger


def _dates_in(year_be: int):
    start, end = years.fiscal_year_bounds(year_be)
    return st.dates(start, end)


def _date_text(day: dt.date, form: int) -> str:
    be = day.year + years.BE_OFFSET
    return [
        f"{day.day}/{day.month}/{be}",
        day.isoformat(),
        f"{day.day} {MONTHS_ABBR[day.month - 1]} {be}",
        thai(f"{day.day:02d}/{day.month:02d}/{be}"),
    ][form]


def cell_values(book, column):
    """Raw text for one column: valid answers, blanks, garbage, out-of-year dates, ..."""
    kind = column.type
    blank = st.just("")
    junk = st.one_of(st.text(max_size=6), st.sampled_from(["-", "n/a", "?", "๙๙", "abc"]))
    if kind == "agency":
        good = st.sampled_from(agency_names())
        bad = st.sampled_from(UNKNOWN_AGENCIES)
    elif kind in {"likert", "binary", "category"}:
        scale = scales()[column.scale]
        good = st.sampled_from(
            [lbl for p in scale.points for lbl in (str(p.code), p.th, p.en, *p.aliases)]
        )
        bad = st.sampled_from([*scale.missing, "6", "-1", "0"])
    elif kind == "datetime":
        good = st.builds(_date_text, _dates_in(YEAR), st.integers(0, 3))
        bad = st.one_of(
            st.builds(
                _date_text, st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)), st.integers(0, 3)
            ),
            st.sampled_from(["31/02/2565", "15/03/9565", "15/03/99", "2565"]),
        )
    elif kind in {"score", "integer", "count"}:
        good = st.integers(int(column.minimum or 0), int(column.maximum or 5000)).map(str)
        bad = st.sampled_from(["-3", "7.5", "11", "1,204", "99999999999999999999"])
    elif kind == "percent":
        good = st.sampled_from(["80", "80%", "ร้อยละ 75", "๕๐", "100"])
        bad = st.sampled_from(["101%", "-5", "ร้อยละ"])
    elif kind == "year":
        good = st.sampled_from([str(YEAR), str(YEAR - years.BE_OFFSET), thai(str(YEAR))])
        bad = st.sampled_from(["2564", "2021", "65", "ปี 2565"])
    elif column.name == book.version_column:  # an unknown version stops the file
        return st.one_of(st.sampled_from(list(book.versions)), blank)
    elif column.name == book.id_column:
        good = st.sampled_from(["r1", "r2", "r3", "r4", "๑"])
        bad = blank
    elif kind == "free_text":
        good = st.sampled_from(["ดีมาก", "อยากให้มีหลักสูตรออนไลน์ 100%", "ปี 2565 ห้อง 12"])
        bad = st.builds("{} {}".format, st.sampled_from(["โทร", "mail", "บัตร", ""]), identifiers)
    else:
        good = bad = st.text(max_size=6)
    # Mostly usable answers, so that rows live long enough to meet the later rules.
    choices = [good] * (8 if column.required else 3) + [bad, blank, junk]
    values = st.integers(0, len(choices) - 1).flatmap(choices.__getitem__)
    return values


@st.composite
def raw_files(draw, instrument: str, max_rows: int = 10):
    """A header and rows as an agency might send them for ``instrument``."""
    book = books()[instrument]
    columns = [c for c in book.columns if c.required or draw(st.booleans())]
    if columns and draw(st.integers(0, 39)) == 0:  # now and then a required column is missing
        columns = columns[1:]
    headers = [draw(st.sampled_from([c.name, c.th, *c.aliases])) for c in columns]
    cells = [cell_values(book, c) for c in columns]
    extras = draw(
        st.lists(
            st.sampled_from(["หมายเหตุ", "", "Unnamed: 9", *book.identifier_columns[:3]]),
            max_size=2,
        )
    )
    headers += extras
    cells += [st.one_of(st.just(""), identifiers, st.text(max_size=5)) for _ in extras]
    order = draw(st.permutations(range(len(headers))))
    headers = [headers[i] for i in order]
    cells = [cells[i] for i in order]
    # Form versions are compared as text (see test_form_version_in_thai_digits_is_known).
    versions = {i for i, h in enumerate(headers) if match_key(h) in _version_labels(book)}

    def thai_except_version(row):
        return [v if i in versions else thai(v) for i, v in enumerate(row)]

    rows: list[list[str]] = []
    for _ in range(draw(st.integers(0, max_rows))):
        kind = draw(st.sampled_from(["row"] * 6 + ["blank", "header", "copy", "thai_copy"]))
        if kind == "blank":
            rows.append([""] * len(headers))
        elif kind == "header":  # two exports pasted one under the other
            rows.append(list(headers))
        elif kind in {"copy", "thai_copy"} and rows:
            row = list(draw(st.sampled_from(rows)))
            rows.append(thai_except_version(row) if kind == "thai_copy" else row)
        else:
            row = [
                draw(messy(st.just(draw(cell))))
                if i not in versions and draw(st.integers(0, 9)) == 0
                else draw(cell)
                for i, cell in enumerate(cells)
            ]
            rows.append(row)
    return headers, rows


def _version_labels(book) -> set[str]:
    column = book.column(book.version_column)
    return {match_key(label) for label in (column.name, column.th, column.en, *column.aliases)}


def raw_table(headers: list[str], rows: list[list[str]]) -> RawTable:
    """What the readers make of a file: cleaned text, rows numbered from 2."""
    frame = pd.DataFrame(
        [[clean_text(v) for v in row] for row in rows], columns=range(len(headers))
    )
    frame = frame.astype(object)
    frame.index = pd.RangeIndex(2, 2 + len(rows), name="source_row")
    return RawTable(
        path=Path("2565/raw.csv"),
        encoding="utf-8",
        header=[clean_text(h) for h in headers],
        rows=frame,
    )


def _assert_accounted(n_rows, rows_read, kept_rows, aside):
    """Every row read is kept or set aside (with a known reason), once. The rows read are the
    rows below the header: the last ``rows_read`` of the ``n_rows`` written (title rows above a
    header found further down are not data)."""
    kept_rows = pd.Series(kept_rows, dtype="int64")
    aside_rows = pd.Series(aside["source_row"], dtype="int64")
    assert rows_read == len(kept_rows) + len(aside_rows)
    assert kept_rows.is_unique and aside_rows.is_unique
    assert not set(kept_rows) & set(aside_rows)
    first = 2 + n_rows - rows_read
    assert set(kept_rows) | set(aside_rows) == set(range(first, 2 + n_rows))
    assert set(aside["reason"]) <= set(REASONS)
    for reason in sorted(set(aside["reason"])):
        event(f"set aside: {reason}")


@SLOW
@given(st.sampled_from(list(config.pipeline()["instruments"])), st.data())
def test_clean_file_accounts_for_every_row(instrument, data):
    headers, rows = data.draw(raw_files(instrument))
    table = raw_table(headers, rows)
    try:
        result = cleaning.clean_file(
            table, books()[instrument], matcher(), YEAR, "2565/raw.csv", scales()
        )
    except StructuralError as exc:
        event(f"StructuralError: {exc.problem[:40]}")
        return
    event("cleaned")
    _assert_accounted(len(rows), result.rows_read, result.kept["source_row"], result.set_aside)


def _write_csv(path: Path, headers: list[str], rows: list[list[str]], encoding: str) -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)


@st.composite
def year_folders(draw, instrument: str):
    files = []
    for _ in range(draw(st.integers(1, 3))):
        headers, rows = draw(raw_files(instrument, max_rows=8))
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp874"]))
        try:
            "".join(headers + [v for row in rows for v in row]).encode(encoding)
        except UnicodeEncodeError:
            encoding = "utf-8"
        files.append((headers, rows, encoding))
    return files


@SLOW
@given(st.sampled_from(["staff_survey", "agency_return"]), st.data())
def test_clean_instrument_and_ledger_balance_for_any_files(instrument, data):
    files = data.draw(year_folders(instrument))
    book = books()[instrument]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / str(YEAR)
        folder.mkdir()
        paths = []
        for i, (headers, rows, encoding) in enumerate(files):
            path = folder / f"{instrument}_{i}.csv"
            _write_csv(path, headers, rows, encoding)
            paths.append(path)
        try:
            result = cleaning.clean_instrument(paths, book, matcher(), YEAR, folder)
        except StructuralError as exc:
            event(f"StructuralError: {exc.problem[:40]}")
            return
        event("cleaned")
        ledger = cleaning.build_ledger({instrument: result}).set_index("file")
    assert len(ledger) == len(files)
    for f, (_, rows, _) in zip(result.files, files, strict=True):
        kept = result.data.loc[result.data["source_file"] == f.file, "source_row"]
        aside = result.set_aside[result.set_aside["source_file"] == f.file]
        _assert_accounted(len(rows), f.rows_read, kept, aside)
        line = ledger.loc[f.file]
        assert line["rows_read"] == line["rows_kept"] + line["rows_set_aside"]
        assert line["rows_kept"] == len(kept) and line["rows_set_aside"] == len(aside)
        assert sum(int(line[r]) for r in REASONS) == line["rows_set_aside"]


@settings(FAST, max_examples=10)
@given(st.sampled_from(["staff_survey", "agency_return"]))
def test_form_version_in_thai_digits_is_known(instrument):
    book = books()[instrument]
    if book.unit == "respondent":
        headers, row = ["agency", "position_type"], ["03007", "วิชาการ"]
    else:
        headers, row = ["agency"], ["03007"]
    version = thai(book.versions[0])
    table = raw_table([*headers, book.version_column], [[*row, version]])
    result = cleaning.clean_file(table, book, matcher(), YEAR, "2565/raw.csv", scales())
    assert len(result.kept) == 1


# What a respondent types for "no answer": the scales' missing labels and bare punctuation, which
# the scale normalisers read as None (no answer), not as INVALID.
NO_ANSWER = ["-", ".", "( )", "--", "/", "_"]


@settings(FAST, max_examples=20)
@given(
    st.sampled_from(
        [
            (name, c.name)
            for name, book in books().items()
            for c in book.columns
            if c.required and c.scale
        ]
    ),
    st.data(),
)
def test_no_answer_in_a_required_column_is_set_aside(column, data):
    instrument, name = column
    book = books()[instrument]
    scale = scales()[book.column(name).scale]
    marker = data.draw(st.sampled_from([*NO_ANSWER, *scale.missing]))
    assert normaliser(instrument, name).convert(marker) is None
    good = scale.points[0].th
    headers = ["agency", name, *[c.name for c in book.items()][:1]]
    rows = [["03007", marker, "4"][: len(headers)], ["03007", good, "4"][: len(headers)]]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / str(YEAR)
        folder.mkdir()
        path = folder / f"{instrument}.csv"
        _write_csv(path, headers, rows, "utf-8")
        result = cleaning.clean_instrument([path], book, matcher(), YEAR, folder)
    aside = result.set_aside.set_index("source_row")["reason"].to_dict()
    assert aside == {2: "missing_required_value"}
    assert result.data["source_row"].tolist() == [3]
