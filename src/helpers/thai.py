"""Thai text conventions: digits, spacing variants and keys for matching names and labels."""

from __future__ import annotations

import re
import unicodedata

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_DIGIT_TABLE = str.maketrans(THAI_DIGITS, "0123456789")
# Zero-width space/joiners and BOM appear in text pasted from web forms.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_KEY_DROP = re.compile(r"[\s\u00a0\u202f.,;:'\"()\[\]{}\-–—_/\\]+")


def to_arabic_digits(text: str) -> str:
    """Replace Thai digits ๐-๙ with 0-9."""
    return text.translate(_DIGIT_TABLE)


def clean_text(value: object) -> str:
    """Trim, fold runs of white space (including no-break spaces) and drop invisible characters.

    Sara am typed as nikhahit + sara aa (ํา) is joined into ำ.
    """
    text = unicodedata.normalize("NFC", str(value)).translate(_INVISIBLE)
    text = text.replace("\u0e4d\u0e32", "\u0e33")
    return _SPACES.sub(" ", text).strip()


def match_key(value: object) -> str:
    """A key for comparing labels and names: case, spaces, punctuation and digits folded."""
    text = to_arabic_digits(clean_text(value)).casefold()
    text = text.replace("ๆ", "")
    return _KEY_DROP.sub("", text)
