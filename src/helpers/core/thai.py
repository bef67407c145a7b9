"""Thai text conventions: digits, spacing variants and keys for matching names and labels."""

from __future__ import annotations

import re
import unicodedata

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_DIGIT_TABLE = str.maketrans(THAI_DIGITS, "0123456789")
# Zero-width space/joiners and BOM appear in text pasted from web forms; direction marks
# (LRM, RLM, the embeddings/overrides U+202A-U+202E and isolates U+2066-U+2069) and soft
# hyphens come with text copied from PDFs, word processors and right-to-left-aware editors.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200b\u200c\u200d\u2060\ufeff"
        "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u00ad",
    ),
    None,
)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_KEY_DROP = re.compile(r"[\s\u00a0\u202f.,;:'\"()\[\]{}\-–—_/\\]+")


def to_arabic_digits(text: str) -> str:
    """Replace Thai digits ๐-๙ with 0-9."""
    return text.translate(_DIGIT_TABLE)


def _canonical(text: str) -> str:
    """NFC, with sara am typed as nikhahit + sara aa (ํา) joined into ำ."""
    return unicodedata.normalize("NFC", text).replace("\u0e4d\u0e32", "\u0e33")


def clean_text(value: object) -> str:
    """Trim, fold runs of white space (including no-break spaces) and drop invisible characters.

    Sara am typed as nikhahit + sara aa (ํา) is joined into ำ. Invisible characters go first, so
    that what they separated is normalised together (cleaning twice changes nothing).
    """
    text = _canonical(str(value).translate(_INVISIBLE))
    return _SPACES.sub(" ", text).strip()


def match_key(value: object) -> str:
    """A key for comparing labels and names: case, spaces, punctuation and digits folded.

    The key of a key is the key itself: what dropping ๆ and punctuation brings together is
    normalised again.
    """
    text = to_arabic_digits(clean_text(value)).casefold()
    text = text.replace("ๆ", "")
    return _canonical(_KEY_DROP.sub("", text))
