"""Direct identifiers (PDPA B.E. 2562): detect and remove them from free text."""

from __future__ import annotations

import re

from helpers.thai import to_arabic_digits

REDACTED = "[ลบข้อมูลส่วนบุคคล]"

# 13-digit Thai national ID, plain or grouped 1-2345-67890-12-3.
NATIONAL_ID = re.compile(r"(?<!\d)\d(?:[\s-]?\d){12}(?!\d)")
# Thai phone numbers: mobile 0[689]x-xxx-xxxx, landline 0x-xxx-xxxx, with optional +66.
PHONE = re.compile(r"(?<!\d)(?:\+66[\s-]?|0)(?:[689]\d|[2-7])(?:[\s-]?\d){7}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

PATTERNS = {"national_id": NATIONAL_ID, "phone": PHONE, "email": EMAIL}


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


def scrub(text: str) -> tuple[str, int]:
    """``text`` with every identifier replaced by a marker, and the number replaced.

    Matching sees Thai digits as 0-9; the rest of the text is returned unchanged.
    """
    probe = to_arabic_digits(text)  # same length: one character for one
    spans: list[tuple[int, int]] = []
    for pattern in (EMAIL, NATIONAL_ID, PHONE):
        for m in pattern.finditer(probe):
            if not any(m.start() < end and start < m.end() for start, end in spans):
                spans.append(m.span())
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + REDACTED + text[end:]
    return text, len(spans)
