"""Direct identifiers (PDPA B.E. 2562): detect and remove them from free text."""

from __future__ import annotations

import re

from helpers.thai import to_arabic_digits

REDACTED = "[ลบข้อมูลส่วนบุคคล]"

# 13-digit Thai national ID, plain or grouped 1-2345-67890-12-3; also any longer run of digits
# (an ID with a stray digit is still an ID, and processed free text may hold no 13-digit run).
NATIONAL_ID = re.compile(r"(?<!\d)(?:\d(?:[\s-]?\d){12}|\d{13,})(?!\d)")
# Thai phone numbers: mobile 0[689]x-xxx-xxxx, landline 0x-xxx-xxxx, with optional +66 (and the
# trunk 0 some people keep after it: +66 081...).
PHONE = re.compile(r"(?<!\d)(?:\+66[\s-]?0?|0)(?:[689]\d|[2-7])(?:[\s-]?\d){7}(?!\d)")
# The local part takes every character RFC 5322 allows unquoted (o'brien@..., a+b@...).
EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")

PATTERNS = {"national_id": NATIONAL_ID, "phone": PHONE, "email": EMAIL}
# Each pattern tried at every position, so that one match cannot hide another that overlaps it
# (an e-mail taking the last digit of an ID, spaced digits taking the first).
_EVERYWHERE = [re.compile(f"(?=({p.pattern}))") for p in PATTERNS.values()]


def national_id_is_valid(digits: str) -> bool:
    """The check digit of a 13-digit Thai national ID number (mod 11)."""
    digits = re.sub(r"\D", "", to_arabic_digits(digits))
    if len(digits) != 13:
        return False
    total = sum(int(d) * (13 - i) for i, d in enumerate(digits[:12]))
    return (11 - total % 11) % 10 == int(digits[12])


def find_identifiers(text: str) -> list[str]:
    """Names of the identifier kinds found in ``text`` (Thai digits included)."""
    text = to_arabic_digits(text)
    return [name for name, pattern in PATTERNS.items() if pattern.search(text)]


def identifier_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds identifiers: sorted (start, end) spans, overlapping matches merged.

    Matching sees Thai digits as 0-9.
    """
    probe = to_arabic_digits(text)  # same length: one character for one
    found = sorted(m.span(1) for finder in _EVERYWHERE for m in finder.finditer(probe))
    spans: list[tuple[int, int]] = []
    for start, end in found:
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def scrub(text: str) -> tuple[str, int]:
    """``text`` with every identifier replaced by a marker, and the number replaced.

    Matching sees Thai digits as 0-9; the rest of the text is returned unchanged.
    """
    spans = identifier_spans(text)
    for start, end in reversed(spans):
        text = text[:start] + REDACTED + text[end:]
    return text, len(spans)
