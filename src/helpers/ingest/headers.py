"""Match the headers of a raw file to codebook columns, as survey tools write them.

Google Forms, Microsoft Forms and LimeSurvey head each column with the question's full text,
sometimes numbered (``14. …``), grid questions as ``หัวข้อ [แถว]``, with line breaks, extra
spaces and typographic quotes. A header is matched in this order, first rule that applies:

1. **pinned**: the year's ``_columns.yaml`` (beside the raw files) names its column, or says
   it is no codebook column (``null``); see :func:`load_pins`.
2. **label**: after normalisation (see :func:`header_key`) it equals a column's id, Thai or
   English text or an alias; for a grid header, its row text does; for LimeSurvey's
   ``code. text``, its code does. Score 100.
3. **identifier**: it names a direct-identifier column (``identifier_columns``): dropped.
4. **fuzzy**: its normalised text is at least ``threshold`` similar (rapidfuzz ``ratio``, 0-100)
   to one column's text, that column beats every other column by at least ``margin``, and the
   header adds no word that turns the question's meaning (ไม่, นอก, อื่น, ปีที่แล้ว, not,
   other ...) that the column's own texts lack.
   Only texts of ``FUZZY_MIN_LENGTH`` characters or more are compared this way: short labels
   (``เพศ``, ``อายุ``) must match exactly, since one letter changes their meaning.
5. otherwise **extra** (no codebook column), with the closest columns named for review.

The matches made are written to the ledger and to ``header_map.parquet``; ``workbook columns``
prints them for review before a run.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from helpers.core.config import Codebook
from helpers.core.errors import StructuralError
from helpers.core.thai import clean_text, match_key

PINS_FILE = "_columns.yaml"
FUZZY_MIN_LENGTH = 8
# 14. / 14) / 14.ข้อความ / ข้อ 14 / Q14. / ๑๔. / 3.2 at the start of a question's text
_NUMBERING = re.compile(
    r"^\s*(?:ข้อ(?:ที่)?\s*|q(?:uestion)?\s*)?[0-9๐-๙]{1,3}(?:[.][0-9๐-๙]{1,3})*"
    r"(?:\s*[.):：\-–—]\s*|\s+)(?=\D)",
    re.IGNORECASE,
)
_GRID = re.compile(r"^(?P<stem>.*?)\s*\[(?P<row>[^\[\]]+)\]\s*$", re.DOTALL)
_CODE_PREFIX = re.compile(r"^(?P<code>[A-Za-z_][A-Za-z0-9_]*)\s*[.:]\s+(?P<text>.+)$", re.DOTALL)
# Marks survey tools and word processors add that carry no meaning for matching.
_TYPOGRAPHIC = dict.fromkeys(map(ord, "“”„‟‘’‚‛«»‹›…*?!•·●○◦▪–—―"), " ")
# Words that turn a question's meaning around when added to it.
_TURNING_WORDS = (
    "ไม่", "นอก", "อื่น", "ปีที่แล้ว", "ปีก่อน", "not", "other", "outside", "lastyear",
    "previous", "never",
)  # fmt: skip
_TRAILING_TAG = re.compile(r"\s*\([^()]*\)\s*$")
_REQUIRED_MARK = re.compile(r"\s*[(（](?:required|จำเป็น|ต้องตอบ)[)）]\s*$", re.IGNORECASE)


def header_key(text: str) -> str:
    """The matching key of a header: numbering, typographic marks and 'required' marks dropped,
    then :func:`helpers.core.thai.match_key` (case, spaces, punctuation folded)."""
    text = clean_text(unicodedata.normalize("NFKC", str(text)).translate(_TYPOGRAPHIC))
    text = _REQUIRED_MARK.sub("", text)
    text = _NUMBERING.sub("", text, count=1)
    return match_key(text)


def _texts(header: str, codes: set[str]) -> list[str]:
    """The texts a header may name its column by, most specific first: a grid question's row,
    a LimeSurvey code, the whole header."""
    text = clean_text(header)
    texts = []
    if grid := _GRID.match(text):
        texts.append(grid["row"])
    if (code := _CODE_PREFIX.match(text)) and code["code"].casefold() in codes:
        texts.append(code["code"])
    return [*texts, text]


@dataclass(frozen=True)
class HeaderMatch:
    """How one header of a file was read."""

    position: int
    header: str
    column: str | None  # the codebook column, or None
    how: str  # pinned, label, identifier, fuzzy, ignored (pinned to null), extra
    score: float | None = None  # 0-100, for label and fuzzy matches
    candidates: tuple[tuple[str, float], ...] = ()  # closest columns (column, score)

    def describe(self) -> str:
        """One line for the ledger, e.g. ``eco1 <- '14. ผู้บังคับ…' (fuzzy 93)``."""
        shown = self.header if len(self.header) <= 60 else self.header[:59] + "…"
        score = f" {self.score:.0f}" if self.how == "fuzzy" and self.score is not None else ""
        return f"{self.column} <- '{shown}' ({self.how}{score})"


class HeaderMatcher:
    """Matches headers to one codebook's columns (see the module docstring for the rules).

    Parameters
    ----------
    codebook : Codebook
        The instrument's codebook.
    threshold : float
        Lowest rapidfuzz ``ratio`` (0-100) at which a header is matched by similarity.
    margin : float
        How far the best column must score above the next one for a fuzzy match.
    pins : dict
        Header text -> column name (or None: not a codebook column), from ``_columns.yaml``.
    """

    def __init__(
        self,
        codebook: Codebook,
        threshold: float = 85.0,
        margin: float = 5.0,
        pins: dict[str, str | None] | None = None,
    ) -> None:
        self.codebook = codebook
        self.threshold = threshold
        self.margin = margin
        self.pins = {header_key(h): c for h, c in (pins or {}).items()}
        self._labels: dict[str, str] = {}
        for column in codebook.columns:
            for label in (column.name, column.th, column.en, *column.aliases):
                # a form may leave out a tag such as '(Big Picture Thinker)' or '(IDP)'
                for text in (label, _TRAILING_TAG.sub("", label)):
                    if key := header_key(text):
                        self._labels.setdefault(key, column.name)
        self._codes = {c.name.casefold() for c in codebook.columns}
        self._identifiers = {header_key(c) for c in codebook.identifier_columns}
        self._fuzzy_keys = [k for k in self._labels if len(k) >= FUZZY_MIN_LENGTH]
        self.match_text = functools.lru_cache(maxsize=4096)(self._match_text)

    def _closest(self, key: str, limit: int = 3) -> list[tuple[str, float]]:
        """Best score per column, best first."""
        if not key:
            return []
        best: dict[str, float] = {}
        for label, score, _ in process.extract(
            key, self._fuzzy_keys or list(self._labels), scorer=fuzz.ratio, limit=limit * 4
        ):
            column = self._labels[label]
            best[column] = max(best.get(column, 0.0), float(score))
        return sorted(best.items(), key=lambda item: -item[1])[:limit]

    def _match_text(self, header: str) -> tuple[str | None, str, float | None, tuple]:
        """(column, how, score, candidates) of one header text, without its position."""
        full = header_key(header)
        if full in self.pins:
            column = self.pins[full]
            return column, "pinned" if column else "ignored", None, ()
        keys = [header_key(t) for t in _texts(header, self._codes)]
        for key in keys:
            if key in self._labels:
                return self._labels[key], "label", 100.0, ()
        if full in self._identifiers:
            return None, "identifier", None, ()
        candidates: list[tuple[str, float]] = []
        for key in keys:
            if len(key) < FUZZY_MIN_LENGTH:
                continue
            close = self._closest(key)
            if close and (not candidates or close[0][1] > candidates[0][1]):
                candidates = close
        if candidates:
            (column, score), *rest = candidates
            runner_up = rest[0][1] if rest else 0.0
            if (
                score >= self.threshold
                and score - runner_up >= self.margin
                and not self._turns_meaning(full, column)
            ):
                return column, "fuzzy", score, tuple(candidates)
        return None, "extra", None, tuple(candidates)

    def _turns_meaning(self, key: str, column: str) -> bool:
        """Whether a header adds a word that turns a question's meaning (ไม่, นอก, อื่น, last
        year ...) that none of the column's own texts has: one letter's worth of similarity
        must not match 'my supervisor does not support me' to 'my supervisor supports me'."""
        key = key.replace(header_key("หรือไม่"), "")  # a question's particle, not a negation
        own = [k for k, c in self._labels.items() if c == column]
        return any(word in key and not any(word in k for k in own) for word in _TURNING_WORDS)

    def column_of(self, header: str) -> str | None:
        """The codebook column a header names, or None."""
        return self.match_text(header)[0] if header else None

    def is_known(self, header: str) -> bool:
        """Whether a header names a codebook column or an identifier column."""
        return bool(header) and (
            self.column_of(header) is not None or self.match_text(header)[1] == "identifier"
        )

    def match(self, headers: list[str]) -> list[HeaderMatch]:
        """One :class:`HeaderMatch` per header, in file order."""
        out = []
        for position, header in enumerate(headers):
            if not header:
                out.append(HeaderMatch(position, header, None, "extra"))
                continue
            column, how, score, candidates = self.match_text(header)
            out.append(HeaderMatch(position, header, column, how, score, candidates))
        return out

    def closest_headers(
        self, column: str, headers: list[str], limit: int = 3
    ) -> list[tuple[str, float]]:
        """The headers of a file most like a column's texts (for 'item not found' messages)."""
        spec = self.codebook.column(column)
        labels = [k for k in (header_key(t) for t in (spec.th, spec.en, *spec.aliases)) if k]
        scored = []
        for header in headers:
            if not header:
                continue
            keys = [header_key(t) for t in _texts(header, self._codes)]
            score = max((fuzz.ratio(k, label) for k in keys for label in labels), default=0.0)
            scored.append((header, float(score)))
        return sorted(scored, key=lambda item: -item[1])[:limit]


def load_pins(folder: Path, instrument: str) -> dict[str, str | None]:
    """The pinned headers of one instrument from ``<year folder>/_columns.yaml``.

    The file maps each instrument to ``{header text: column}``; a column of ``null`` says the
    header is no codebook column (it is dropped and listed as extra). Header text is compared
    as :func:`header_key` compares it. An unknown column name stops the year.
    """
    path = folder / PINS_FILE
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise StructuralError(
            f"the pinned column mapping cannot be read ({exc.__class__.__name__})",
            file=path,
            expected="YAML: instrument -> {header text: codebook column or null}",
        ) from None
    if not isinstance(data, dict) or not all(isinstance(v, dict | None) for v in data.values()):
        raise StructuralError(
            "the pinned column mapping is not a mapping of instruments",
            file=path,
            expected="YAML: instrument -> {header text: codebook column or null}",
        )
    return {
        str(k): (None if v is None else str(v)) for k, v in (data.get(instrument) or {}).items()
    }


def check_pins(pins: dict[str, str | None], codebook: Codebook, path: Path) -> None:
    """Stop when a pin names a column the codebook does not have."""
    for header, column in pins.items():
        if column is not None and column not in codebook.names:
            raise StructuralError(
                f"the header '{header}' is pinned to '{column}', which is not a "
                f"{codebook.en.lower()} column",
                file=path,
                expected=f"one of {', '.join(codebook.names)}, or null",
            )
