"""Direct identifiers (PDPA B.E. 2562): find and remove them from free text; pseudonyms for kept
columns that hold national IDs.

**Digits and runs.** A digit is any decimal digit, Thai ๐-๙ included. A *run* is digits joined
by separators of at most three characters from: white space (no-break and narrow no-break
spaces and line breaks included), hyphens and dashes (- ‐ ‑ ‒ – — ― −), dots, parentheses and
invisible characters (zero-width space and joiners, direction marks, soft hyphen, BOM).
Commas, slashes, colons, "+" and letters end a run.

**Identifiers** (what :func:`scrub` removes):

- *National ID*: a run of 13 or more digits, in any grouping and with any mix of separators
  (1101700230705, 1-1017-00230-70-5, 1 1017 00230 70 5, 1.1017.00230.70.5, 1–1017—00230 70.5),
  check digit valid or not. The whole run goes: an ID with a stray digit is still an ID, and
  processed free text may hold no 13 digits in a row.
- *Phone*: whole digit groups of a run that spell a Thai number: a landline 0 + area 2-7 + 7
  digits (02-123-4567, 0 2123 4567, (02) 123 4567) or a mobile 0 + 6/8/9 + 8 digits
  (081-234-5678, 081.234.5678, 0812345678). With the country code (+66, (+66) or 0066) the
  trunk 0 is dropped or kept as 0 or (0): +66 81 234 5678, +66-2-123-4567, (+66) 81-234-5678,
  +66 (0) 2 123 4567, +660812345678. A bare 66 (the "+" forgotten: 66812345678) counts only
  before a mobile number: 66 and a landline's eight digits is as often a short year (ปี 66)
  followed by another number. The "+" and an opening "(" closed inside the number go with it;
  an extension (ต่อ 123) stays.
- *E-mail*: an "@" between a local part of the characters RFC 5322 allows unquoted (letters,
  digits and . ! # $ % & ' * + / = ? ^ _ ` { | } ~ -: o'brien@x.go.th, a+b@gmail.com) and a
  domain of two or more dot-separated labels of letters, digits and hyphens, capitals included.
  Thai letters and marks count as letters (Thai-script addresses exist).

**Not identifiers** (left as they are): numbers that are neither 13+ digits in a run nor a phone
shape: years (2565), amounts (1,200,000 บาท: commas never join digits, so an amount with
thousands commas is never an ID, however long), percentages (12.5%), dates (15/03/2565;
15.03.2565 is 8 digits), agency codes (03007), version numbers (2.3.1), times (08.30-16.30).
What the shape rule cannot tell from an ID is redacted: 13+ digits joined by separators (a
date range written with dots, a list of scores; a phone and a number beside it, 081 234 5678
123). A phone's digits with one more (08123456789) are another number, not a phone.

**Linear time.** One regex pass finds the runs of 9 or more digits: each repetition is at
most three separators and a digit, so a run is read once, and a shorter run (at most 8 digits
and 21 separators) is retried from each of its digits at a bounded cost. Phones are looked for
only in runs of fewer than 13 digits, at most 12 groups. Each "@" is expanded left and right
over e-mail characters, which exclude "@": every character is read by at most the two "@"
around it.

**Pseudonyms.** A kept column that holds national IDs (:func:`looks_like_national_ids`; say a
``response_id`` that is really the ID number) is replaced by :func:`pseudonymise`: ``P-`` and
16 hex digits of the HMAC-SHA256 of the ID's digits. The key (:func:`pseudonym_key`) lives
outside the repository and outside ``data/processed``: there are few enough 13-digit IDs (10^12
with the check digit) to hash every one, so an unkeyed hash, or a key readable by whoever has
the repository or the processed data, would re-identify every respondent.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import unicodedata
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from helpers.core import config, paths
from helpers.core.thai import clean_text, to_arabic_digits

REDACTED = "[ลบข้อมูลส่วนบุคคล]"
KINDS = ("national_id", "phone", "email")

NATIONAL_ID_MIN_DIGITS = 13
PHONE_MAX_DIGITS = 12  # 66 + trunk 0 + mobile, or 0066 + landline
PHONE_MIN_DIGITS = 9  # a landline with its trunk 0

PSEUDONYM_PREFIX = "P-"
PSEUDONYM_HEX_DIGITS = 16
KEY_ENV = "WORKBOOK_PSEUDONYM_KEY"
KEY_FILE = Path("thai-hrd-workbook") / "pseudonym.key"
KEY_BYTES = 32
MIN_KEY_BYTES = 16

_INVISIBLE = r"\u00ad\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
_SEPARATOR = rf"[\s.()\-\u2010-\u2015\u2212{_INVISIBLE}]"
_JOINED_DIGIT = rf"{_SEPARATOR}{{0,3}}\d"
_DIGIT_RUN = re.compile(rf"\d(?:{_JOINED_DIGIT}){{{PHONE_MIN_DIGITS - 1},}}")
_ID_CELL = re.compile(rf"\d(?:{_JOINED_DIGIT}){{{NATIONAL_ID_MIN_DIGITS - 1}}}")
_NUMBER_CELL = re.compile(rf"\d(?:{_JOINED_DIGIT})*")
_SEPARATORS = re.compile(f"{_SEPARATOR}+")
_DIGIT_GROUP = re.compile(r"\d+")
_LETTER = r"\w\u0e00-\u0e7f"  # Thai vowel and tone marks are no \w
_LOCAL_PART = re.compile(rf"[{_LETTER}.!#$%&'*+/=?^`{{|}}~-]+")
_DOMAIN = re.compile(rf"[{_LETTER}-]++(?:\.[{_LETTER}-]++)+")


# ----------------------------------------------------------------------------- finding


def national_id_is_valid(digits: str) -> bool:
    """Whether ``digits`` is a 13-digit Thai national ID with a valid check digit (mod 11).

    :param digits: the number; separators and Thai digits are allowed.
    """
    digits = re.sub(r"\D", "", to_arabic_digits(digits))
    if len(digits) != 13:
        return False
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(c)) for c in text if c.isdecimal())


def _is_thai_number(digits: str) -> bool:
    """A Thai number with its trunk 0: landline 0 + area 2-7 + 7, mobile 0 + 6/8/9 + 8 digits."""
    if len(digits) == 9:
        return digits[0] == "0" and digits[1] in "234567"
    return len(digits) == 10 and digits[0] == "0" and digits[1] in "689"


def _is_phone(digits: str, after_plus: bool) -> bool:
    if _is_thai_number(digits):
        return True
    if digits.startswith("0066"):
        digits, after_plus = digits[2:], True
    if not digits.startswith("66"):
        return False
    national = digits[2:] if digits[2:3] == "0" else "0" + digits[2:]
    return _is_thai_number(national) and (after_plus or national[1] in "689")


def _widen(text: str, start: int, end: int) -> int:
    """The start of a span taken back over a "+" and an opening "(" closed inside the span."""
    if start and text[start - 1] == "+":
        start -= 1
    if start and text[start - 1] == "(" and text.find(")", start, end) != -1:
        start -= 1
    return start


def _phones_in_run(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Spans of the phone numbers among the digit groups of a short run."""
    groups = [
        (m.start(), m.end(), _ascii_digits(m.group()))
        for m in _DIGIT_GROUP.finditer(text, start, end)
    ]
    after_plus = start > 0 and text[start - 1] == "+"  # "+" ends runs: only the first group
    for i, (first, _, _) in enumerate(groups):
        digits = ""
        for _, last, group in groups[i:]:
            digits += group
            if len(digits) > PHONE_MAX_DIGITS:
                break
            if _is_phone(digits, after_plus and i == 0):
                yield first, last


def iter_identifiers(text: str) -> Iterator[tuple[str, int, int, str]]:
    """Every identifier in ``text``, in order of position; they may overlap.

    :param text: any text (Thai digits are digits).
    :returns: ``(kind, start, end, matched text)``; kind is one of :data:`KINDS`.
    """
    found: list[tuple[str, int, int, str]] = []
    for run in _DIGIT_RUN.finditer(text):
        start, end = run.span()
        if len(_SEPARATORS.sub("", run.group())) >= NATIONAL_ID_MIN_DIGITS:
            spans = [("national_id", start, end)]
        else:
            spans = [("phone", first, last) for first, last in _phones_in_run(text, start, end)]
        for kind, first, last in spans:
            first = _widen(text, first, last)
            found.append((kind, first, last, text[first:last]))
    if "@" in text:
        backwards = text[::-1]  # the local part is matched leftwards from the "@"
        at = text.find("@")
        while at != -1:
            local = _LOCAL_PART.match(backwards, len(text) - at)
            domain = _DOMAIN.match(text, at + 1)
            if local and domain:
                start = at - len(local.group())
                found.append(("email", start, domain.end(), text[start : domain.end()]))
            at = text.find("@", at + 1)
    yield from sorted(found, key=lambda item: (item[1], item[2]))


def find_identifiers(text: str) -> list[str]:
    """The kinds of identifier (of :data:`KINDS`, in that order) found in ``text``.

    :param text: any text (Thai digits are digits).
    """
    kinds = {kind for kind, *_ in iter_identifiers(text)}
    return [kind for kind in KINDS if kind in kinds]


def identifier_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds identifiers: sorted ``(start, end)`` spans, overlapping ones merged.

    :param text: any text (Thai digits are digits).
    """
    spans: list[tuple[int, int]] = []
    for _, start, end, _ in iter_identifiers(text):
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def scrub(text: str) -> tuple[str, int]:
    """``text`` with every identifier replaced by :data:`REDACTED`, and the number replaced.

    :param text: any text; what is not an identifier is returned unchanged.
    """
    spans = identifier_spans(text)
    pieces, kept_from = [], 0
    for start, end in spans:
        pieces += [text[kept_from:start], REDACTED]
        kept_from = end
    pieces.append(text[kept_from:])
    return "".join(pieces), len(spans)


# ----------------------------------------------------------------------------- pseudonyms


def _cell_text(value: object) -> str:
    """A cell as text, "" when empty; a whole float (an ID read as a number) without ".0"."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
    return clean_text(value)


def looks_like_national_ids(values: pd.Series) -> bool:
    """Whether a column holds national IDs: at least half of its non-empty values (and at
    least one) are 13-digit numbers, in any grouping (Thai digits included).

    Such a column must not reach processed data as it is: drop it or :func:`pseudonymise` it.

    :param values: the column's raw values.
    """
    texts = [text for text in map(_cell_text, values) if text]
    ids = sum(1 for text in texts if _ID_CELL.fullmatch(text))
    return ids >= 1 and 2 * ids >= len(texts)


def _pseudonym_input(text: str) -> str:
    """A number (digits and separators) as its digits; other text as it is, Thai digits as 0-9."""
    if _NUMBER_CELL.fullmatch(text):
        return _ascii_digits(text)
    return to_arabic_digits(text)


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Keyed pseudonyms: ``P-`` and 16 hex digits of the HMAC-SHA256 of each value.

    A number is hashed as its digits, so 1-1017-00230-70-5 and ๑๑๐๑๗๐๐๒๓๐๗๐๕ get the same
    pseudonym; other text as it is (cleaned). Empty values stay as they are.

    :param values: the column to replace.
    :param key: the secret key (:func:`pseudonym_key`), at least 16 bytes.
    :returns: a series of the same index and name.
    """
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"A pseudonym key needs at least {MIN_KEY_BYTES} bytes, not {len(key)}")

    def pseudonym(value: object) -> object:
        text = _cell_text(value)
        if not text:
            return value
        digest = hmac.new(key, _pseudonym_input(text).encode(), hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX_DIGITS]

    return pd.Series(
        [pseudonym(v) for v in values], index=values.index, name=values.name, dtype=object
    )


def pseudonym_key_path() -> Path:
    """Where the key file is: ``$XDG_CONFIG_HOME/thai-hrd-workbook/pseudonym.key``, with
    ``~/.config`` when ``XDG_CONFIG_HOME`` is unset or not absolute."""
    base = Path(os.environ.get("XDG_CONFIG_HOME") or "")
    if not base.is_absolute():
        base = Path.home() / ".config"
    return base / KEY_FILE


def pseudonym_key(create: bool = True) -> bytes:
    """The secret key of :func:`pseudonymise`.

    Read from the environment variable ``WORKBOOK_PSEUDONYM_KEY`` (hex) when it is set, else
    from :func:`pseudonym_key_path` (hex), which is created with a random key, readable by
    its owner only, on first use. The same key must be used every year for pseudonyms to
    stay comparable; losing it only means new pseudonyms.

    :param create: create the key file when it does not exist (else FileNotFoundError).
    :raises ValueError: the key is not hex or too short, or the key file lies inside the
        project or its processed data.
    """
    from_environment = os.environ.get(KEY_ENV, "").strip()
    if from_environment:
        return _parse_key(from_environment, f"${KEY_ENV}")
    path = pseudonym_key_path()
    _refuse_inside_project(path)
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"No pseudonym key at {path}, and {KEY_ENV} is not set")
        _write_new_key(path)
    if path.stat().st_mode & 0o077:
        warnings.warn(f"{path} is readable by others: chmod 600 it", stacklevel=2)
    return _parse_key(path.read_text(encoding="ascii"), str(path))


def _parse_key(hex_key: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(hex_key.strip())
    except ValueError:
        raise ValueError(f"The pseudonym key in {where} is not hexadecimal") from None
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"The pseudonym key in {where} has {len(key)} bytes, not {KEY_BYTES}")
    return key


def _refuse_inside_project(path: Path) -> None:
    """A key inside the repository or the processed data would travel with them."""
    try:
        root = paths.project_root()
    except FileNotFoundError:
        return  # no project here (helpers used on their own)
    places = [root]
    with contextlib.suppress(FileNotFoundError):  # a root without config/pipeline.yaml
        places.append(paths.resolve(config.pipeline(root)["paths"]["processed"], root))
    resolved = path.resolve()
    for place in places:
        if resolved.is_relative_to(place.resolve()):
            raise ValueError(
                f"The pseudonym key {path} lies inside {place}: keep it outside the project "
                f"(set XDG_CONFIG_HOME or {KEY_ENV})"
            )


def _write_new_key(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    handle = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(secrets.token_bytes(KEY_BYTES).hex() + "\n")
        with contextlib.suppress(FileExistsError):  # another process wrote one meanwhile
            os.link(draft, path)  # unlike a rename, never replaces an existing key
    finally:
        draft.unlink(missing_ok=True)
