"""``workbook audit``: scan every published output for what the confidentiality rules forbid.

Published outputs are every file under ``paths.reports`` (HTML pages; CSV, XLSX, JSON and other
text files if any) and the executed report notebooks (the stages of ``config/pipeline.yaml``
with an ``html`` page: ``data/processed/<year>/notebooks/10_agency_report/*.ipynb`` and
``11_overview_report.ipynb``: sources and every output). The audit trusts none of the report
code's decisions: it recounts the respondents from the cleaned respondent rows
(``data/processed/<year>/clean/{staff,citizen}_survey.parquet``) and judges what it finds
against ``confidentiality.min_respondents`` (k, 10) read straight from the configuration.

Checks (a finding's ``check``):

``small-n``
    A figure based on fewer than k respondents: an audit marker (below) naming respondents
    that number 1 to k-1 in the data; a shown count below k ("n = 7", "7 คน", "7 respondents");
    a stated threshold below k ("fewer than 0 respondents"); and, without relying on markers,
    on an agency's page a value in the scorecard row of a survey indicator, or a number in the
    header's staff / citizen facts, where the agency has 1 to k-1 such respondents.
``subtraction``
    A count that reveals 1 to k-1 respondents by subtraction: a total of a ministry or of the
    government that includes agencies below k, so that minus the published agencies' counts it
    leaves 1 to k-1 (any shown count equal to such a total, in any output of the year); and on
    one agency's page a survey's count next to an indicator's or item's count that is 1 to
    k-1 smaller (item non-response, ``audit.item_nonresponse``).
``respondent-row``
    Any response id of the cleaned tables (ids of 6+ characters with a letter, or 8+ digits);
    a table (HTML, CSV, XLSX, JSON records, a printed data frame) whose header has the id
    column, ``source_row`` / ``source_file`` / ``submitted_at``, or three or more answer
    columns of a survey codebook.
``free-text``
    Any comment from the surveys' ``free_text`` columns (``audit.min_comment_chars`` and
    longer; whitespace and case ignored), whole, or its first 20+ characters cut off with
    "..." as a printed data frame does. Comments are indexed by their first
    ``COMMENT_WINDOW`` characters, and every position of every text is looked up once.
``identifier``
    A Thai national ID (13 digits, valid check digit, with or without dashes or spaces), a
    Thai phone number or an e-mail address (the patterns of :mod:`helpers.ingest.privacy`, Thai
    digits included) in text or attribute values; CSS, ``data:`` URIs and the geometry and ids
    of inline SVG charts are not read (their ``<text>``, ``<title>`` and ``aria-label`` are).
``marker``
    An audit marker that does not match the data: the report's count differs from the recount,
    names an agency or year without respondent data, a ``data-n`` without a marker, a count in
    a marked element that is neither one of its counts nor their sum, a page whose
    ``data-agency`` is not its file's.
``unreadable``
    An output the audit cannot read (an unknown binary type, a broken notebook).

Published breakdown tables (results by staff group; for now
``data/processed/<year>/indicators/breakdowns.parquet`` stands for them) get the subtraction
attack of :func:`derivable_cells` (``small-n`` and ``subtraction`` findings): from each
published total and its shown groups, and from government-wide groups as sums over agencies,
every withheld count that can be worked out, and withheld groups whose combined count is below
k. It reads the published numbers only, so it serves any table of that shape (downloads, the
workbook).

Audit markers: the reports write ``data-sources="2565/staff/A5 01001=159; ..."`` on every
element and chart (``<svg>``) that shows a figure from survey answers (see
:func:`helpers.reports.htmlexport.sources`); measures ``respondents``, ``A3``, ``A5``, ``A6``,
``A7``,
``item:<column>``, ``construct:<name>``, ``corr:<driver>``, optionally with a group filter
``[column=value]`` or ``[column=value|value…]`` (respondents with any of the answers);
scopes are agency codes, ``gov`` or ``ministry:<code>``.

Limits: the audit reads text, not pictures: a chart's plotted values are judged by its marker
and its alt text, not by the SVG geometry; a figure with neither a marker, a count nor a place
in the scorecard or header layout is not seen. Medians and quartiles of published agency
values are not recounted (they are functions of published values by design). Comments shorter
than ``audit.min_comment_chars`` and short numeric response ids are not searched for. A phone
number is recognised by its shape only.

Findings never repeat the sensitive value in full (:func:`mask`); counts below k are written
"<k".
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from helpers.core import config, paths, years
from helpers.core.thai import to_arabic_digits
from helpers.ingest.privacy import iter_identifiers, national_id_is_valid
from helpers.ingest.registry import load_registry
from helpers.reports.htmlexport import mark_english

CHECKS = {
    "small-n": "a figure based on fewer than the minimum number of respondents",
    "subtraction": "a count that gives fewer than the minimum by subtraction",
    "respondent-row": "a respondent-level row (a response id or a table of responses)",
    "free-text": "a respondent's comment",
    "identifier": "a national ID, phone number or e-mail address",
    "marker": "an audit marker that does not match the respondent data",
    "unreadable": "an output the audit cannot read",
}
SURVEYS = {"staff": "staff_survey", "citizen": "citizen_survey"}
INDICATORS = {"A3": "staff", "A5": "staff", "A6": "staff", "A7": "citizen"}
TOTAL_MEASURES = ("respondents", "A3", "A5", "A6", "A7")
CORRELATION_DRIVERS = {"ecosystem", "skillsets", "mindset", "idp_carried"}
COMMENT_WINDOW = 8  # comments are indexed by their first 8 characters (normalised)
TRUNCATED_MIN = 20  # a comment cut off with "..." after this many characters still counts
DEFAULTS = {"min_comment_chars": 8, "item_nonresponse": True, "min_respondents": None}
TEXT_SUFFIXES = {".html", ".htm", ".md", ".txt", ".csv", ".tsv", ".json", ".svg", ".xml"}


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Finding:
    check: str  # a key of CHECKS
    file: str  # relative to the project root
    location: str  # line and element, or notebook cell and output
    detail: str  # what was found, the sensitive value masked

    def line(self) -> str:
        return f"{self.check}: {self.file}: {self.location}: {self.detail}"


@dataclass
class AuditResult:
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    seconds: float = 0.0
    threshold: int = 10
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.check] = out.get(f.check, 0) + 1
        return out


def mask(value: Any) -> str:
    """A sensitive value shown only by its ends: '1-23…3 (17 chars)'."""
    text = str(value)
    if len(text) <= 4:
        return "…" * len(text)
    keep = 2 if len(text) >= 8 else 1
    return f"{text[:keep]}…{text[-1:]} ({len(text)} chars)"


def _n(n: int | None, k: int) -> str:
    """A count as a finding may show it: small counts are written '<k'."""
    if n is None:
        return "unknown"
    return f"<{k}" if 0 < n < k else str(n)


def format_finding(finding: Finding) -> str:
    return finding.line()


def format_result(result: AuditResult) -> str:
    """One line per finding, then a summary line."""
    lines = [format_finding(f) for f in result.findings]
    lines += [f"note: {n}" for n in result.notes]
    by_check = ", ".join(f"{c} {n}" for c, n in sorted(result.counts().items()))
    years_text = ", ".join(map(str, result.years)) or "none"
    verdict = (
        "no findings"
        if result.ok
        else f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''} "
        f"({by_check})"
    )
    lines.append(
        f"audit: {len(result.files)} outputs checked (years {years_text}; at least "
        f"{result.threshold} respondents per figure) in {result.seconds:.1f} s: {verdict}"
    )
    return "\n".join(lines)


# ----------------------------------------------------------------------------- settings


def settings(root: Path | None = None) -> dict[str, Any]:
    conf = config.pipeline(root)
    out = {**DEFAULTS, **(conf.get("audit") or {})}
    if out["min_respondents"] is None:
        out["min_respondents"] = int(conf["confidentiality"]["min_respondents"])
    out["min_respondents"] = int(out["min_respondents"])
    return out


# ----------------------------------------------------------------------------- the truth


class Truth:
    """Respondent counts recounted from the cleaned respondent rows (never from the report
    tables), by year, survey, measure and agency."""

    def __init__(self, root: Path, k: int) -> None:
        self.root, self.k = root, k
        self.processed = paths.resolve(config.pipeline(root)["paths"]["processed"], root)
        self._frames: dict[tuple[int, str], pd.DataFrame | None] = {}
        self._counts: dict[tuple[int, str, str], pd.Series | None] = {}
        self._danger: dict[int, dict[int, str]] = {}

    # -- data ------------------------------------------------------------------------------

    def frame(self, year: int, survey: str) -> pd.DataFrame | None:
        key = (year, survey)
        if key not in self._frames:
            path = paths.processed_dir(year, "clean", self.root) / f"{SURVEYS[survey]}.parquet"
            frame = pd.read_parquet(path) if path.is_file() else None
            if frame is not None:
                frame = frame.assign(agency=frame["agency"].astype(str))
            self._frames[key] = frame
        return self._frames[key]

    def years_with_data(self) -> list[int]:
        found = set()
        for survey in SURVEYS.values():
            for path in self.processed.glob(f"[0-9][0-9][0-9][0-9]/clean/{survey}.parquet"):
                found.add(int(path.parent.parent.name))
        return sorted(found)

    @functools.cached_property
    def ministries(self) -> dict[str, str]:
        try:
            registry = load_registry(self.root)
        except Exception:  # an unreadable registry: ministry totals are not checked
            return {}
        codes, ministries = registry["agency_code"], registry["ministry_code"]
        return dict(zip(codes.astype(str), ministries.astype(str), strict=True))

    def _book(self, survey: str):
        return config.codebook(SURVEYS[survey], self.root)

    def _answered(self, frame: pd.DataFrame, survey: str, measure: str) -> pd.Series:
        """Which respondents a measure counts (the definitions of helpers.indicators.kpi and
        helpers.indicators.aggregates, written out again here)."""
        measure, group = _split_group(measure)
        if group is not None:  # one answer code, or several joined by "|" (a staff group)
            column, value = group
            if column not in frame:
                raise KeyError(f"no column {column!r} in the {survey} survey")
            frame = frame[frame[column].astype(str).isin(value.split("|"))]
        book = self._book(survey)

        def items_answered(construct: str, need_half: bool) -> pd.Series:
            columns = [c.name for c in book.items(construct)]
            if not columns:
                raise KeyError(f"no items of {construct!r}")
            answered = frame[columns].notna().sum(axis=1)
            return answered * 2 >= len(columns) if need_half else answered > 0

        if measure == "respondents":
            out = pd.Series(True, index=frame.index)
        elif measure == "A3" and survey == "staff":
            made, carried = frame["idp_made"], frame["idp_carried_out"]
            out = (carried == 1).fillna(False) | (made == 0).fillna(False)
            out |= (carried == 0).fillna(False)
        elif measure == "A5" and survey == "staff":
            out = items_answered("satisfaction", need_half=False)
        elif measure == "A6" and survey == "staff":
            out = frame["innovative_work"].notna()
        elif measure == "A7" and survey == "citizen":
            out = frame["trust"].notna()
        elif measure.startswith("item:"):
            column = measure[5:]
            if column not in frame or column not in book.names:
                raise KeyError(f"no item {column!r} in the {survey} survey")
            out = frame[column].notna()
        elif measure.startswith("construct:") and survey == "staff":
            out = items_answered(measure[10:], need_half=True)
        elif measure.startswith("corr:") and measure[5:] in CORRELATION_DRIVERS:
            driver = measure[5:]
            base = self._answered(frame, "staff", "A5")
            other = (
                self._answered(frame, "staff", "A3")
                if driver == "idp_carried"
                else self._answered(frame, "staff", f"construct:{driver}")
            )
            out = base & other
        else:
            raise KeyError(f"unknown measure {measure!r} of the {survey} survey")
        return out.astype(bool).reindex(frame.index, fill_value=False)

    def by_agency(self, year: int, survey: str, measure: str) -> pd.Series | None:
        """Respondents counted by a measure, per agency (None: no data for that year)."""
        key = (year, survey, measure)
        if key not in self._counts:
            frame = self.frame(year, survey)
            if frame is None:
                self._counts[key] = None
            else:
                answered = self._answered(frame, survey, measure)
                agencies = frame.loc[answered.index, "agency"]
                self._counts[key] = agencies[answered].value_counts()
        return self._counts[key]

    def count(self, year: int, survey: str, measure: str, scope: str) -> int | None:
        counts = self.by_agency(year, survey, measure)
        if counts is None:
            return None
        if scope == "gov":
            return int(counts.sum())
        if scope.startswith("ministry:"):
            members = [a for a, m in self.ministries.items() if m == scope[9:]]
            return int(counts.reindex(members).fillna(0).sum())
        return int(counts.get(scope, 0))

    def agencies_with_data(self, year: int) -> set[str]:
        out: set[str] = set()
        for survey in SURVEYS:
            frame = self.frame(year, survey)
            if frame is not None:
                out |= set(frame["agency"])
        return out

    # -- totals that give a small group by subtraction ---------------------------------------

    def dangerous_totals(self, year: int) -> dict[int, str]:
        """{count: what it is} for every total of the government or a ministry that includes
        agencies below k and, minus the counts of its published agencies, leaves 1 to k-1."""
        if year in self._danger:
            return self._danger[year]
        out: dict[int, str] = {}
        for survey in SURVEYS:
            for measure in TOTAL_MEASURES:
                if measure in INDICATORS and INDICATORS[measure] != survey:
                    continue
                try:
                    counts = self.by_agency(year, survey, measure)
                except KeyError:  # a table without that question: nothing to total
                    continue
                if counts is None or counts.empty:
                    continue
                scopes = {"gov": counts}
                for ministry in sorted(set(self.ministries.values())):
                    members = [a for a, m in self.ministries.items() if m == ministry]
                    part = counts.reindex(members).dropna()
                    if len(part):
                        scopes[f"ministry:{ministry}"] = part
                for scope, part in scopes.items():
                    published = int(part[part >= self.k].sum())
                    small = [int(v) for v in part[(part > 0) & (part < self.k)]]
                    reachable = {0}
                    for v in small:
                        reachable |= {s + v for s in reachable if s + v < self.k}
                    for s in sorted(reachable - {0}):
                        out.setdefault(
                            published + s,
                            f"the {survey} {measure} total of {scope} in {year} with agencies "
                            f"below {self.k}: minus the published agencies it leaves <{self.k}",
                        )
        self._danger[year] = out
        return out


# The payload of a CSV download embedded in a page (base64 or percent-encoded): tens of
# kilobytes of a link target that the page parser need not read.
_CSV_PAYLOAD = re.compile(r"(data:text/csv[^,\"']*,)[^\"'\s>]*")


def _split_group(measure: str) -> tuple[str, tuple[str, str] | None]:
    m = re.fullmatch(r"(.+?)\[([^=\]]+)=([^\]]*)\]", measure)
    return (m.group(1), (m.group(2), m.group(3))) if m else (measure, None)


@dataclass(frozen=True)
class Token:
    year: int
    survey: str
    measure: str
    scope: str
    n: int | None  # the report's count (None: '?')


def parse_sources(value: str) -> tuple[list[Token], list[str]]:
    """The tokens of a ``data-sources`` marker, and the parts that could not be read."""
    tokens, bad = [], []
    for part in value.split(";"):
        part = part.strip()
        if not part:
            continue
        head, _, scopes = part.partition(" ")
        m = re.fullmatch(r"(\d{4})/(staff|citizen)/(\S+)", head)
        if not m or not scopes.strip():
            bad.append(part)
            continue
        for item in scopes.split():
            scope, _, n = item.partition("=")
            if not scope or not re.fullmatch(r"\d+|\?", n):
                bad.append(item)
                continue
            year = years.to_be(int(m.group(1)))
            tokens.append(Token(year, m.group(2), m.group(3), scope, None if n == "?" else int(n)))
    return tokens, bad


# ----------------------------------------------------------------------------- text patterns

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)"
COUNT_PATTERNS = [
    re.compile(rf"(?<![\w.])n\s*=\s*{_NUMBER}(?![\d.,]\d)"),
    re.compile(rf"(?<![\d.,]){_NUMBER}\s*คน"),
    re.compile(
        rf"(?<![\d.,]){_NUMBER}\s+(?:respondents?|responses|answers|people|persons|คำตอบ)\b",
        re.IGNORECASE,
    ),
    re.compile(rf"(?:respondents?|ผู้ตอบ)\s*[:=]\s*{_NUMBER}(?![\d.,]\d)", re.IGNORECASE),
]
THRESHOLD_BEFORE = re.compile(
    r"(?:fewer than|less than|at least|under|below|from|minimum of|min\.?|น้อยกว่า|ไม่ถึง|"
    r"ต่ำกว่า|อย่างน้อย|ตั้งแต่|<|≥|>=|≤|<=)\s*(?:the\s+)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Count:
    n: int
    threshold: bool  # part of a rule ("fewer than 10 respondents"), not a count shown
    text: str


@functools.lru_cache(maxsize=1 << 16)  # a year's pages repeat most of their runs of text
def find_counts(text: str) -> tuple[Count, ...]:
    """Respondent counts written in ``text`` ("n = 159", "159 คน", "159 respondents")."""
    text = to_arabic_digits(text)
    found: dict[int, Count] = {}
    for pattern in COUNT_PATTERNS:
        for m in pattern.finditer(text):
            threshold = bool(THRESHOLD_BEFORE.search(text[max(0, m.start() - 40) : m.start()]))
            n = int(m.group(1).replace(",", ""))
            found.setdefault(m.start(1), Count(n, threshold, m.group(0)))
    return tuple(found[s] for s in sorted(found))


def find_identifiers(text: str) -> list[tuple[str, str]]:
    """(kind, value) of every national ID (valid check digit), phone and e-mail in ``text``."""
    out = []
    for kind, _, _, value in iter_identifiers(to_arabic_digits(text)):
        if kind == "email":
            out.append(("e-mail address", value))
        elif kind == "phone":
            out.append(("phone number", value))
        elif national_id_is_valid(value):
            out.append(("national ID", value))
    return out


def normalise(text: str) -> str:
    """Text as comments are compared: NFC, whitespace runs as one space, case folded."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


class WindowIndex:
    """Strings found in text by a dictionary of their first ``width`` characters: one lookup
    per position of the text, whatever the number of strings."""

    def __init__(self, strings: Iterable[str], width: int) -> None:
        self.width = width
        self.keys: dict[str, list[str]] = {}
        for s in sorted(set(strings), key=len, reverse=True):
            if len(s) >= width:
                self.keys.setdefault(s[:width], []).append(s)

    def __len__(self) -> int:
        return sum(len(v) for v in self.keys.values())

    def search(self, text: str) -> Iterator[tuple[int, str, int]]:
        """(position, string, characters matched) for each string starting at a position:
        matched == len(string) for a whole match, less for a prefix."""
        width, keys = self.width, self.keys
        if not keys or len(text) < width:
            return
        get = keys.get
        for i in range(len(text) - width + 1):
            candidates = get(text[i : i + width])
            if candidates is None:
                continue
            best, best_len = candidates[0], 0
            for s in candidates:  # longest first
                if text.startswith(s, i):
                    best, best_len = s, len(s)
                    break
                matched, limit = width, min(len(s), len(text) - i)
                while matched < limit and text[i + matched] == s[matched]:
                    matched += 1
                if matched > best_len:
                    best, best_len = s, matched
            yield i, best, best_len


# ----------------------------------------------------------------------------- HTML


VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
INLINE = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd"}
    | {"mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var"}
    | {"tspan", "label"}
)
SVG_TEXT = frozenset({"text", "tspan", "title", "desc"})
SVG_READ_ATTRS = frozenset({"aria-label", "title", "alt"})
HTML_SKIP_ATTRS = frozenset({"style", "class"})


# SVG drawing elements: their attributes are geometry, styles and ids, never read (unless they
# carry an aria-label, title or data-* attribute); dropped before parsing, which makes the
# audit several times faster on chart-heavy pages (line numbers are kept).
_GEOMETRY = (
    "g|use|path|defs|rect|clipPath|stop|polyline|line|circle|ellipse|polygon|image|pattern|"
    "mask|linearGradient|radialGradient|symbol|marker"
)
_SVG_GEOMETRY = re.compile(
    rf"<(?:{_GEOMETRY})\b(?![^>]*(?:aria-label|data-|title=))[^>]*>|</(?:{_GEOMETRY})>"
)


def strip_svg_geometry(text: str) -> str:
    return _SVG_GEOMETRY.sub(lambda m: "\n" * m.group(0).count("\n"), text)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    line: str  # "line:column"
    in_svg: bool
    texts: list[str] | None = None  # collected text (elements the checks look at)
    cells: list[str] | None = None  # for tr: cell texts
    rows: list[list[tuple[str, str]]] | None = None  # for table: (tag, text) per cell
    tokens: list[Token] = field(default_factory=list)
    b_text: str | None = None
    label: str | None = None  # where(), worked out once: a page asks it for every text run

    def where(self) -> str:
        if self.label is None:
            self.label = self._label()
        return self.label

    def _label(self) -> str:
        label = self.tag
        if self.attrs.get("id"):
            label += f"#{self.attrs['id'][:40]}"
        elif self.attrs.get("class"):
            label += "." + ".".join(self.attrs["class"].split()[:2])
        for key in ("data-indicator", "data-agency"):
            if key in self.attrs:
                label += f"[{key}={self.attrs[key]}]"
        return label


@dataclass
class Run:
    """A piece of text as it reads: inline elements joined, blocks kept apart."""

    text: str
    line: str  # "line:column"
    where: str
    kind: str  # "text", "attr:<name>", "comment", "script"
    marked_ns: frozenset[int]  # counts of the markers around it
    in_svg: bool


@dataclass
class Marked:
    element: Element
    text: str
    tokens: list[Token]
    bad: list[str]
    where: str


class PageParser(HTMLParser):
    """Reads an HTML page (or fragment) into runs of text, marked elements, tables and the
    layout an agency report has (scorecard rows, header facts)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[Element] = []
        self.runs: list[Run] = []
        self.marked: list[Marked] = []
        self.tables: list[tuple[str, list[list[tuple[str, str]]]]] = []
        self.scorecard: list[tuple[str, str, str]] = []  # (indicator, value cell text, position)
        self.facts: list[tuple[str, str, str]] = []  # (label text, value text, position)
        # (n, position, marker counts around it, where, indicator of its scorecard row)
        self.data_n: list[tuple[int, str, frozenset[int], str, str | None]] = []
        self.page_agency: str | None = None
        self.page_year: int | None = None
        self._buffer: list[str] = []
        self._buffer_line = "1:1"
        self._buffer_ns: set[int] = set()
        self._skip = 0  # inside <style>

    # -- helpers -----------------------------------------------------------------------------

    def _pos(self) -> str:
        line, column = self.getpos()
        return f"{line}:{column + 1}"

    @property
    def in_svg(self) -> bool:
        return bool(self.stack) and self.stack[-1].in_svg

    def _where(self) -> str:
        return " > ".join(e.where() for e in self.stack[-3:]) or "document"

    def _open_ns(self) -> set[int]:
        return {t.n for e in self.stack for t in e.tokens if t.n is not None}

    def _flush(self) -> None:
        """End the current run (at a block boundary): the elements collecting text get a
        separator, so that blocks never read as one ("12" in a cell, "คน" in the next)."""
        for element in self.stack:
            if element.texts is not None and element.texts and element.texts[-1] != " | ":
                element.texts.append(" | ")
        text = " ".join("".join(self._buffer).split())
        if text:
            self.runs.append(
                Run(
                    text,
                    self._buffer_line,
                    self._where(),
                    "text",
                    frozenset(self._buffer_ns),
                    self.in_svg,
                )
            )
        self._buffer, self._buffer_ns = [], set()

    def _is_block(self, tag: str) -> bool:
        if self.in_svg:
            return (tag in SVG_TEXT and tag != "tspan") or tag == "svg"
        return tag not in INLINE

    # -- parser callbacks --------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, void=tag in VOID)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, void=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], void: bool) -> None:
        line = self._pos()
        values = {k: (v or "") for k, v in attrs}
        in_svg = tag == "svg" or self.in_svg
        if tag == "style":
            self._skip += 0 if void else 1
            return
        if self._is_block(tag) or tag == "br":
            self._flush()
        where = self._where()
        self._attribute_runs(tag, values, line, in_svg, where)
        if void:
            if "data-n" in values:
                self._check_data_n(values, line, where, extra=values)
            return
        element = Element(tag, values, line, in_svg)
        if "data-sources" in values:
            element.tokens, bad = parse_sources(values["data-sources"])
            element.texts = []
            element.attrs["_bad"] = ";".join(bad)
        if "data-agency" in values and self.page_agency is None:
            self.page_agency = values["data-agency"]
        if "data-year" in values and self.page_year is None and values["data-year"].isdigit():
            self.page_year = int(values["data-year"])
        if tag in ("tr", "td", "th", "div", "b", "dd", "table") and not in_svg:
            element.texts = element.texts if element.texts is not None else []
        if tag == "tr":
            element.cells = []
        if tag == "table":
            element.rows = []
        self.stack.append(element)
        if "data-n" in values:
            self._check_data_n(values, line, self._where())

    def _check_data_n(self, values: dict, line: str, where: str, extra: dict | None = None):
        raw = values.get("data-n", "")
        n = int(raw) if raw.strip().isdigit() else -1
        ns = self._open_ns()
        if extra is not None and "data-sources" in extra:
            ns |= {t.n for t in parse_sources(extra["data-sources"])[0] if t.n is not None}
        row = next((e for e in reversed(self.stack) if e.tag == "tr"), None)
        indicator = row.attrs.get("data-indicator") if row is not None else None
        self.data_n.append((n, line, frozenset(ns), where, indicator))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._skip = max(0, self._skip - 1)
            return
        if not any(e.tag == tag for e in self.stack):
            return  # a stray end tag
        if self._is_block(tag):
            self._flush()
        while self.stack:
            element = self.stack.pop()
            self._close(element)
            if element.tag == tag:
                break

    def _close(self, element: Element) -> None:
        text = " ".join("".join(element.texts or []).split()).strip(" |")
        parent = self.stack[-1] if self.stack else None
        if element.tokens or element.attrs.get("_bad"):
            bad = [b for b in element.attrs.get("_bad", "").split(";") if b]
            self.marked.append(Marked(element, text, element.tokens, bad, element.where()))
        if element.tag in ("td", "th") and not element.in_svg:
            row = next((e for e in reversed(self.stack) if e.tag == "tr"), None)
            if row is not None and row.cells is not None:
                row.cells.append((element.tag, text))
            if "value" in element.attrs.get("class", "").split() and row is not None:
                indicator = row.attrs.get("data-indicator")
                if indicator:
                    self.scorecard.append((indicator, text, element.line))
        if element.tag == "tr" and not element.in_svg:
            table = next((e for e in reversed(self.stack) if e.tag == "table"), None)
            if table is not None and table.rows is not None:
                table.rows.append(element.cells or [])
        if element.tag == "table" and not element.in_svg:
            self.tables.append((element.line, element.rows or []))
        # a header fact: <div>label<b>value</b></div>, or <div><dt>label</dt><dd>value</dd></div>
        if element.tag in ("b", "dd") and parent is not None and parent.tag == "div":
            parent.b_text = text
        if (
            element.tag == "div"
            and parent is not None
            and "facts" in parent.attrs.get("class", "").split()
        ):
            value = element.b_text or ""
            label = text[: len(text) - len(value)] if value and text.endswith(value) else text
            self.facts.append((label.strip(), value, element.line))

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self.in_svg and not (self.stack and self.stack[-1].tag in SVG_TEXT):
            return  # SVG structure, not text
        if self.stack and self.stack[-1].tag == "script":
            self.runs.append(Run(data, self._pos(), "script", "script", frozenset(), False))
            return
        if not self._buffer:
            self._buffer_line = self._pos()
        self._buffer.append(data)
        self._buffer_ns |= self._open_ns()
        for element in self.stack:
            if element.texts is not None:
                element.texts.append(data)

    def handle_comment(self, data: str) -> None:
        self.runs.append(Run(data, self._pos(), "comment", "comment", frozenset(), False))

    def _attribute_runs(
        self, tag: str, values: dict[str, str], line: str, in_svg: bool, where: str
    ) -> None:
        for name, value in values.items():
            if not value or value.startswith("data:") or name == "data-sources":
                continue
            if in_svg:
                if name not in SVG_READ_ATTRS and not name.startswith("data-"):
                    continue
            elif name in HTML_SKIP_ATTRS:
                continue
            self.runs.append(
                Run(value, line, f"{where} > {tag}", f"attr:{name}", frozenset(), in_svg)
            )

    def close(self) -> None:
        super().close()
        while self.stack:
            self._close(self.stack.pop())
        self._flush()


# ----------------------------------------------------------------------------- the audit


@dataclass
class Output:
    """One published file (or one part of a notebook) and what it belongs to."""

    path: Path
    rel: str
    year: int | None
    agency: str | None  # an agency's report
    kind: str  # "agency", "overview", "other"


class Auditor:
    def __init__(self, root: Path, wanted: list[int] | None) -> None:
        self.root = root
        self.conf = settings(root)
        self.k = self.conf["min_respondents"]
        self.truth = Truth(root, self.k)
        self.wanted = wanted
        self.findings: list[Finding] = []
        self._seen: set[tuple[str, str, str, str]] = set()
        self.notes: list[str] = []
        # the report pages checked so far and found clean, by (year, agency, kind): a notebook
        # output that stands in its page has been checked there, in the page's context
        self.pages: dict[tuple[int | None, str | None, str], str] = {}
        self._sheets: dict[str, list[tuple[str, list[list[Any]]]]] = {}
        self._hits: dict[str, tuple[tuple[str, str], ...]] = {}  # by text (check_text)

    # -- findings ----------------------------------------------------------------------------

    def add(self, check: str, out: Output, location: str, detail: str) -> None:
        key = (check, out.rel, location, detail)
        if key not in self._seen:
            self._seen.add(key)
            self.findings.append(Finding(check, out.rel, location, detail))

    # -- what is sensitive -------------------------------------------------------------------

    @functools.cached_property
    def response_ids(self) -> WindowIndex:
        ids: set[str] = set()
        skipped = 0
        for year in self.truth.years_with_data():
            for survey in SURVEYS:
                frame = self.truth.frame(year, survey)
                column = self.truth._book(survey).id_column
                if frame is None or not column or column not in frame:
                    continue
                for value in frame[column].dropna().astype(str):
                    value = value.strip()
                    distinctive = len(value) >= 6 and (not value.isdigit() or len(value) >= 8)
                    if distinctive:
                        ids.add(value)
                    else:
                        skipped += 1
        if skipped:
            self.notes.append(
                f"{skipped} response ids are too short or plain numbers to search for"
            )
        width = min([6, *(len(i) for i in ids)]) if ids else 6
        return WindowIndex(ids, width)

    @functools.cached_property
    def comments(self) -> WindowIndex:
        found: set[str] = set()
        minimum = max(int(self.conf["min_comment_chars"]), COMMENT_WINDOW)
        for year in self.truth.years_with_data():
            for survey in SURVEYS:
                frame = self.truth.frame(year, survey)
                if frame is None:
                    continue
                book = self.truth._book(survey)
                for column in (c.name for c in book.columns if c.type == "free_text"):
                    if column in frame:
                        for text in frame[column].dropna().astype(str):
                            text = normalise(text)
                            if len(text) >= minimum:
                                found.add(text)
        return WindowIndex(found, COMMENT_WINDOW)

    @functools.cached_property
    def answer_columns(self) -> tuple[set[str], set[str]]:
        """(identifying columns, answer columns) of the respondent-level tables, lower case:
        the codebook names and their longer aliases (not generic ones such as 'id')."""
        identifying = {"response_id", "source_row", "source_file", "submitted_at"}
        answers: set[str] = set()
        for survey in SURVEYS.values():
            book = config.codebook(survey, self.root)
            for column in book.columns:
                names = {column.name.lower()} | {
                    a.lower() for a in column.aliases if len(a) >= 5 or not a.isascii()
                }
                if column.name == book.id_column or column.type == "datetime":
                    identifying |= names
                elif column.name not in ("agency", "fiscal_year"):
                    answers |= names
        return identifying, answers

    # -- text checks -------------------------------------------------------------------------

    def check_text(
        self,
        out: Output,
        text: str,
        location: str,
        *,
        counts: bool = True,
        marked_ns: frozenset[int] = frozenset(),
    ) -> None:
        """Identifiers, comments, response ids and counts in one run of text."""
        if not text or not text.strip():
            return
        hits = self._hits.get(text)
        if hits is None:
            hits = self._hits[text] = tuple(self._find_in_text(text))
        for check, detail in hits:
            self.add(check, out, location, detail)
        if counts:
            self.check_counts(out, text, location, marked_ns)

    def _find_in_text(self, text: str) -> Iterator[tuple[str, str]]:
        """(check, detail) of the identifiers, comments and response ids in ``text``: the same
        whatever page it stands in, so :meth:`check_text` looks for them once per text."""
        for kind, value in find_identifiers(text):
            yield "identifier", f"{kind} {mask(value)}"
        plain = normalise(text)
        for i, comment, matched in self.comments.search(plain):
            whole = matched == len(comment)
            cut = matched >= TRUNCATED_MIN and plain[i + matched : i + matched + 3] in (
                "...",
                "…",
            )
            cut = cut or (matched >= TRUNCATED_MIN and plain[i + matched : i + matched + 1] == "…")
            if whole or cut:
                how = "a respondent's comment" if whole else "the start of a respondent's comment"
                yield "free-text", f"{how}: {mask(comment)}"
        for i, value, matched in self.response_ids.search(text):
            if matched != len(value):
                continue
            before = text[i - 1] if i else " "
            after = text[i + len(value)] if i + len(value) < len(text) else " "
            if before.isalnum() or after.isalnum():
                continue
            yield "respondent-row", f"response id {mask(value)}"

    def check_counts(
        self, out: Output, text: str, location: str, marked_ns: frozenset[int]
    ) -> None:
        k = self.k
        for count in find_counts(text):
            if count.threshold:
                if count.n < k:
                    self.add(
                        "small-n",
                        out,
                        location,
                        f"states a threshold of {count.n} respondents; the rule is {k}",
                    )
                continue
            if 0 < count.n < k:
                self.add("small-n", out, location, f"shows a count of fewer than {k} respondents")
                continue
            if count.n in marked_ns:
                continue  # a count the markers account for (and the recount checks)
            for year in self._years_of(out):
                what = self.truth.dangerous_totals(year).get(count.n)
                if what:
                    self.add("subtraction", out, location, f"shows {count.n:,}: {what}")

    def _years_of(self, out: Output) -> list[int]:
        if out.year is not None:
            return [out.year]
        return self.truth.years_with_data()

    # -- marker checks -----------------------------------------------------------------------

    def check_tokens(self, out: Output, tokens: list[Token], location: str) -> None:
        k = self.k
        for t in tokens:
            label = f"{t.year}/{t.survey}/{t.measure} {t.scope}"
            try:
                truth = self.truth.count(t.year, t.survey, t.measure, t.scope)
            except KeyError as exc:
                self.add("marker", out, location, f"{label}: cannot be recounted ({exc})")
                continue
            if truth is None:
                self.add(
                    "marker",
                    out,
                    location,
                    f"{label}: no {t.survey} survey respondent rows for {t.year} to check it",
                )
                continue
            if 0 < truth < k or (t.n is not None and 0 < t.n < k):
                self.add(
                    "small-n",
                    out,
                    location,
                    f"{label}: a figure from {_n(truth, k)} respondents (the report says "
                    f"{_n(t.n, k)})",
                )
            elif t.n is not None and t.n != truth:
                self.add(
                    "marker",
                    out,
                    location,
                    f"{label}: the report says {_n(t.n, k)} respondents, the data has "
                    f"{_n(truth, k)}",
                )
            elif truth == 0:
                self.add("marker", out, location, f"{label}: no respondents in the data")

    def check_marked(self, out: Output, marked: Marked, location: str) -> None:
        self.check_tokens(out, marked.tokens, location)
        for bad in marked.bad:
            self.add("marker", out, location, f"unreadable marker part {bad[:60]!r}")
        if not marked.tokens:
            return
        allowed = {t.n for t in marked.tokens if t.n is not None}
        sums: dict[tuple, int] = {}
        for t in marked.tokens:
            if t.n is not None:
                key = (t.year, t.survey, t.measure)
                sums[key] = sums.get(key, 0) + t.n
        allowed |= set(sums.values())
        for count in find_counts(marked.text):
            if not count.threshold and count.n >= self.k and count.n not in allowed:
                self.add(
                    "marker",
                    out,
                    location,
                    f"shows {count.n:,} respondents, not a count its marker names",
                )

    # -- pages -------------------------------------------------------------------------------

    def check_html(self, out: Output, html_text: str, prefix: str = "") -> None:
        parser = PageParser()
        if "data:text/csv" in html_text:  # the CSV inside: helpers.audit.workbook reads it
            html_text = _CSV_PAYLOAD.sub(r"\1", html_text)
        try:
            parser.feed(strip_svg_geometry(html_text) if "<svg" in html_text else html_text)
            parser.close()
        except Exception as exc:  # pragma: no cover - HTMLParser is lenient
            self.add("unreadable", out, prefix or "document", f"HTML could not be parsed: {exc}")
            return

        def at(line: str, where: str) -> str:
            return f"{prefix}line {line} <{where}>"

        for run in parser.runs:
            counts = run.kind in ("text", "comment") or run.kind in (
                "attr:aria-label",
                "attr:title",
                "attr:alt",
            )
            self.check_text(
                out, run.text, at(run.line, run.where), counts=counts, marked_ns=run.marked_ns
            )
        for marked in parser.marked:
            self.check_marked(out, marked, at(marked.element.line, marked.where))
        for n, line, ns, where, indicator in parser.data_n:
            self.check_data_n(out, n, at(line, where), ns, indicator)
        for line, rows in parser.tables:
            self.check_table_header(out, _header_of(rows), at(line, "table"))
        self.check_layout(out, parser, prefix)
        self.check_nested(out, parser)

    def check_data_n(
        self, out: Output, n: int, location: str, ns: frozenset[int], indicator: str | None
    ) -> None:
        """A ``data-n`` count: below k is a finding; it must match a marker around it or, in
        an agency page's scorecard row, the recount of that indicator."""
        k = self.k
        if n < 0:
            self.add("marker", out, location, "a data-n that is not a count")
            return
        if 0 < n < k:
            self.add("small-n", out, location, f"data-n marks a count of fewer than {k}")
            return
        if n in ns:
            return
        survey = INDICATORS.get(indicator or "")
        if survey and out.agency is not None and out.year is not None:
            truth = self.truth.count(out.year, survey, str(indicator), out.agency)
            if truth is None:
                self.add("marker", out, location, f"no {survey} survey data to check data-n")
            elif 0 < truth < k:
                self.add(
                    "small-n",
                    out,
                    location,
                    f"{indicator}: a count from {_n(truth, k)} respondents",
                )
            elif truth != n:
                self.add(
                    "marker",
                    out,
                    location,
                    f"{indicator}: data-n says {n}, the data has {_n(truth, k)} respondents",
                )
            return
        self.add("marker", out, location, "a data-n count without a data-sources marker naming it")

    def check_layout(self, out: Output, parser: PageParser, prefix: str) -> None:
        """An agency page's scorecard and header facts, against the recount (no markers)."""
        agency = out.agency
        if parser.page_agency is not None and out.agency not in (None, parser.page_agency):
            self.add(
                "marker",
                out,
                f"{prefix}header",
                f"the page says agency {parser.page_agency!r}, its file is {out.agency!r}",
            )
        if parser.page_year is not None and out.year is not None and parser.page_year != out.year:
            self.add(
                "marker",
                out,
                f"{prefix}header",
                f"the page says year {parser.page_year}, its folder {out.year}",
            )
        if agency is None or out.year is None:
            return
        k = self.k
        for indicator, text, line in parser.scorecard:
            survey = INDICATORS.get(indicator)
            if survey is None:
                continue
            try:
                truth = self.truth.count(out.year, survey, indicator, agency)
            except KeyError:
                continue
            if truth is not None and 0 < truth < k and _shows_numbers(text, k):
                self.add(
                    "small-n",
                    out,
                    f"{prefix}line {line} <scorecard {indicator}>",
                    f"the {indicator} result shows a number, from fewer than {k} respondents",
                )
        for label, value, line in parser.facts:
            survey = _fact_survey(label)
            if survey is None:
                continue
            truth = self.truth.count(out.year, survey, "respondents", agency)
            if truth is not None and 0 < truth < k and _shows_numbers(value, k):
                self.add(
                    "small-n",
                    out,
                    f"{prefix}line {line} <header fact {label[:40]!r}>",
                    f"shows a {survey} survey number, from fewer than {k} respondents",
                )

    def check_nested(self, out: Output, parser: PageParser) -> None:
        """On an agency's page: a survey's count next to a measure's count 1 to k-1 smaller."""
        if not self.conf["item_nonresponse"] or out.agency is None or out.year is None:
            return
        visible = ("text", "attr:aria-label", "attr:title", "attr:alt")
        shown = {
            c.n
            for run in parser.runs
            if run.kind in visible
            for c in find_counts(run.text)
            if not c.threshold
        }
        tokens = [t for m in parser.marked for t in m.tokens]
        for t in tokens:
            if t.year != out.year or t.scope != out.agency or t.measure == "respondents":
                continue
            try:
                part = self.truth.count(t.year, t.survey, t.measure, t.scope)
                whole = self.truth.count(t.year, t.survey, "respondents", t.scope)
            except KeyError:
                continue
            if part is None or whole is None:
                continue
            if 0 < whole - part < self.k and part in shown and whole in shown:
                self.add(
                    "subtraction",
                    out,
                    f"{t.year}/{t.survey}/{t.measure}",
                    f"shows {whole:,} {t.survey} respondents and {part:,} for {t.measure}: the "
                    f"difference is fewer than {self.k} respondents",
                )

    def check_table_header(self, out: Output, header: list[str], location: str) -> None:
        """A table whose header names the id column (or the row's source, its time) or three
        answer columns and no count or percentage column (an aggregate table has one)."""
        if not header:
            return
        identifying, answers = self.answer_columns
        names = {h.strip().lower() for h in header if h and h.strip()}
        ids = sorted(names & identifying)
        answered = sorted(names & answers)
        aggregate = any(_AGGREGATE.search(name) for name in names)
        if ids or (len(answered) >= 3 and not aggregate):
            shown = ", ".join((ids + answered)[:4])
            self.add(
                "respondent-row",
                out,
                location,
                f"a table with respondent-level columns ({shown})",
            )

    # -- files -------------------------------------------------------------------------------

    def check_file(self, out: Output) -> None:
        suffix = out.path.suffix.lower()
        try:
            if suffix == ".ipynb":
                self.check_notebook(out)
            elif suffix in (".html", ".htm", ".svg", ".xml"):
                text = out.path.read_text(encoding="utf-8", errors="replace")
                before = len(self.findings)
                self.check_html(out, text)
                if out.kind in ("agency", "overview") and len(self.findings) == before:
                    self.pages[(out.year, out.agency, out.kind)] = text
            elif suffix in (".csv", ".tsv"):
                self.check_csv(out, out.path.read_text(encoding="utf-8-sig", errors="replace"))
            elif suffix == ".xlsx":
                self.check_xlsx(out)
            elif suffix == ".json":
                self.check_json(out, json.loads(out.path.read_text(encoding="utf-8")))
            elif suffix in TEXT_SUFFIXES or _looks_like_text(out.path):
                self.check_plain(out, out.path.read_text(encoding="utf-8", errors="replace"))
            else:
                self.add("unreadable", out, "file", f"a {suffix or 'extensionless'} file")
        except (OSError, ValueError) as exc:
            self.add("unreadable", out, "file", f"could not be read: {type(exc).__name__}")

    def check_plain(
        self, out: Output, text: str, prefix: str = "", counts: bool = True, printed: bool = False
    ) -> None:
        lines = text.splitlines()
        for i, line in enumerate(lines, 1):
            self.check_text(out, line, f"{prefix}line {i}", counts=counts)
        if printed:  # a printed data frame: its header is one of the first lines
            for i, line in enumerate(lines[:3], 1):
                self.check_table_header(out, line.split(), f"{prefix}line {i}")

    def check_csv(self, out: Output, text: str) -> None:
        dialect = "excel-tab" if out.path.suffix.lower() == ".tsv" else "excel"
        rows = list(csv.reader(io.StringIO(text), dialect=dialect))
        if rows:
            self.check_table_header(out, rows[0], "row 1")
        for i, row in enumerate(rows, 1):
            for j, cell in enumerate(row, 1):
                self.check_text(out, cell, f"row {i} column {j}")

    def sheets(self, path: Path) -> list[tuple[str, list[list[Any]]]]:
        """The sheets of a workbook as (title, rows of cell values), read once per audit."""
        key = str(path)
        if key not in self._sheets:
            self._sheets[key] = read_sheets(path)
        return self._sheets[key]

    def check_xlsx(self, out: Output) -> None:
        for title, rows in self.sheets(out.path):
            for i, row in enumerate(rows, 1):
                cells = ["" if v is None else str(v) for v in row]
                if i == 1:
                    self.check_table_header(out, cells, f"sheet {title} row 1")
                for j, cell in enumerate(cells, 1):
                    self.check_text(out, cell, f"sheet {title} row {i} column {j}")

    def check_json(self, out: Output, data: Any, where: str = "$") -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                self.check_text(out, str(key), f"{where}.{key}"[:120])
                self.check_json(out, value, f"{where}.{key}"[:120])
        elif isinstance(data, list):
            records = [d for d in data[:50] if isinstance(d, dict)]
            if records:
                self.check_table_header(out, sorted({k for d in records for k in d}), where)
            for i, value in enumerate(data):
                self.check_json(out, value, f"{where}[{i}]")
        elif isinstance(data, str):
            self.check_text(out, data, where)

    def check_notebook(self, out: Output) -> None:
        try:
            notebook = json.loads(out.path.read_text(encoding="utf-8"))
            cells = notebook["cells"]
        except (ValueError, KeyError, TypeError) as exc:
            self.add("unreadable", out, "notebook", f"not a notebook: {type(exc).__name__}")
            return
        for c, cell in enumerate(cells, 1):
            source = _joined(cell.get("source", ""))
            kind = cell.get("cell_type", "code")
            if kind == "markdown":
                self.check_html(out, source, prefix=f"cell {c} (markdown) ")
            else:
                self.check_plain(out, source, prefix=f"cell {c} source ", counts=False)
            for o, output in enumerate(cell.get("outputs", []) or [], 1):
                self.check_output(out, output, f"cell {c} output {o}")

    def in_page(self, out: Output, markup: str) -> bool:
        """Whether an HTML output of a report notebook stands in its page, which was checked
        and found clean: as it is, or as the exporter put it (its English runs marked
        ``lang="en"``: inline markup that changes no text and splits no run the checks read).
        Such an output would add no finding; each report would otherwise be read twice. When
        the page has findings, the notebook is checked in full, so both files are named."""
        page = self.pages.get((out.year, out.agency, out.kind))
        if not markup or not page:
            return False
        return markup in page or mark_english(markup) in page

    def check_output(self, out: Output, output: dict, where: str) -> None:
        kind = output.get("output_type")
        if kind == "stream":
            text = _joined(output.get("text", ""))
            self.check_plain(out, text, prefix=f"{where} (stream) ", printed=True)
            return
        if kind == "error":
            text = "\n".join(
                [str(output.get("ename", "")), str(output.get("evalue", ""))]
                + [_ANSI.sub("", line) for line in output.get("traceback", [])]
            )
            self.check_plain(out, text, prefix=f"{where} (error) ")
            return
        for mime, value in (output.get("data") or {}).items():
            prefix = f"{where} ({mime}) "
            if mime in ("text/html", "image/svg+xml"):
                markup = _joined(value)
                if self.in_page(out, markup):
                    continue
                self.check_html(out, markup, prefix=prefix)
            elif mime.startswith("text/"):
                self.check_plain(out, _joined(value), prefix=prefix, printed=mime == "text/plain")
            elif mime.endswith("json"):
                data = value if not isinstance(value, str) else json.loads(value)
                self.check_json(out, data, f"{prefix}$")
            # images and other binary output: nothing readable


def read_sheets(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """Every sheet of an .xlsx as (title, rows), the values as a reader sees them: a whole
    number stored as a float is an int (Excel shows 159.0 as 159) and an empty cell None.

    Read with python-calamine (Rust): the same values as openpyxl's read-only mode on the
    year's workbook (checked cell by cell), about nine times faster."""
    from python_calamine import CalamineError, CalamineWorkbook

    def value(v: Any) -> Any:
        if isinstance(v, str) and v == "":
            return None
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v

    sheets = []
    try:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            sheets.append((name, [[value(v) for v in row] for row in rows]))
    except CalamineError as exc:  # reported as unreadable, like any file the audit cannot read
        raise ValueError(f"not a readable workbook: {exc}") from exc
    return sheets


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_AGGREGATE = re.compile(
    r"^(?:n|count|respondents?|mean|median|percent.*|share|total)$|%|จำนวน|ร้อยละ|ค่าเฉลี่ย"
)


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _header_of(rows: list[list[tuple[str, str]]]) -> list[str]:
    for row in rows:
        if row and any(tag == "th" for tag, _ in row):
            return [text for _, text in row]
    return [text for _, text in rows[0]] if rows else []


def _shows_numbers(text: str, k: int) -> bool:
    """Whether ``text`` holds a number other than the threshold itself."""
    numbers = re.findall(r"\d+(?:[.,]\d+)*", to_arabic_digits(text))
    return any(n != str(k) for n in numbers)


def _fact_survey(label: str) -> str | None:
    low = label.lower()
    if "ผู้รับบริการ" in label or "citizen" in low:
        return "citizen" if "response rate" not in low else None
    if "บุคลากร" in label or "staff" in low:
        return "staff"
    return None


def _looks_like_text(path: Path) -> bool:
    try:
        chunk = path.read_bytes()[:4096]
    except OSError:
        return False
    if b"\x00" in chunk:
        return False
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# ----------------------------------------------------------------------------- outputs


def _report_stages(root: Path) -> list[dict]:
    return [s for s in config.pipeline(root).get("stages", []) if s.get("html")]


def published_outputs(root: Path, wanted: list[int] | None = None) -> list[Output]:
    """Every published output: the reports folder and the executed report notebooks (of the
    ``wanted`` years only, when given; files of no year, like the index, always)."""
    conf = config.pipeline(root)
    reports = paths.resolve(conf["paths"]["reports"], root)
    processed = paths.resolve(conf["paths"]["processed"], root)
    registry_codes = _registry_codes(root)
    outputs: list[Output] = []

    def rel(path: Path) -> str:
        try:
            return str(path.relative_to(root))
        except ValueError:
            return str(path)

    if reports.is_dir():
        for path in sorted(reports.rglob("*")):
            parts = path.relative_to(reports).parts
            if not path.is_file() or any(p.startswith(".") for p in parts):
                continue
            year = int(parts[0]) if len(parts) > 1 and re.fullmatch(r"\d{4}", parts[0]) else None
            if year is not None:
                year = years.to_be(year)
                if wanted is not None and year not in wanted:
                    continue
            stem = path.stem
            kind, agency = "other", None
            if year is not None and path.suffix.lower() in (".html", ".htm"):
                if stem == "overview":
                    kind = "overview"
                elif stem in registry_codes or stem.isdigit():
                    kind, agency = "agency", stem
            outputs.append(Output(path, rel(path), year, agency, kind))
    stages = _report_stages(root)
    for folder in sorted(processed.glob("[0-9][0-9][0-9][0-9]")):
        year = int(folder.name)
        if wanted is not None and year not in wanted:
            continue
        notebooks = folder / "notebooks"
        for stage in stages:
            stem = Path(stage["notebook"]).stem
            if stage.get("scope") == "agency":
                for path in sorted((notebooks / stem).glob("*.ipynb")):
                    if path.name.startswith("."):
                        continue
                    agency = path.name.split(".")[0]
                    outputs.append(Output(path, rel(path), year, agency, "agency"))
            else:
                for path in sorted(notebooks.glob(f"{stem}*.ipynb")):
                    if not path.name.startswith("."):
                        outputs.append(Output(path, rel(path), year, None, "overview"))
    return outputs


def _registry_codes(root: Path) -> set[str]:
    try:
        return set(load_registry(root)["agency_code"].astype(str))
    except Exception:
        return set()


def _all_years(root: Path) -> list[int]:
    conf = config.pipeline(root)
    found = set()
    for base in (conf["paths"]["reports"], conf["paths"]["processed"]):
        folder = paths.resolve(base, root)
        if folder.is_dir():
            found |= {int(p.name) for p in folder.glob("[0-9][0-9][0-9][0-9]") if p.is_dir()}
    return sorted(found)


class Pool(Protocol):
    """Worker processes that run a function (the build engine's local pool)."""

    workers: int

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future: ...


def audit(
    years_: list[int] | None = None, root: Path | None = None, pool: Pool | None = None
) -> AuditResult:
    """Scan every published output (of ``years_``, B.E.; default every year) and return the
    findings; :attr:`AuditResult.ok` when there are none.

    Args:
        years_: fiscal years (B.E.); None for every year.
        root: project root.
        pool: worker processes that check the files side by side (a report's page and its
            notebook in the same one); the findings and their order are those of one process.
            None: in this process.
    """
    started = time.perf_counter()
    root = root or paths.project_root()
    wanted = sorted(set(years_)) if years_ else None
    auditor = Auditor(root, wanted)
    outputs = published_outputs(root, wanted)
    for year in wanted or []:
        if not any(o.year == year for o in outputs):
            auditor.notes.append(f"no published outputs of fiscal year {year}")
    from helpers.audit import workbook  # the take-away tables' layout checks (their module)

    parts = _parts(outputs, pool.workers if pool is not None else 1)
    if pool is not None and len(parts) > 1:
        token = uuid.uuid4().hex  # this audit's: a worker never reuses another audit's state
        futures = [pool.submit(check_part, root, wanted, part, token) for part in parts]
        files: dict[int, list[Finding]] = {}
        tables: dict[int, list[Finding]] = {}
        for future in futures:
            of_files, of_tables, notes = future.result()
            files.update(of_files)
            tables.update(of_tables)
            auditor.notes += [n for n in notes if n not in auditor.notes]
        # in the order one process finds them: every file's, then the tables' checks
        findings = [f for i in sorted(files) for f in files[i]]
        findings += [f for i in sorted(tables) for f in tables[i]]
        auditor.findings = list(dict.fromkeys(findings))
    else:
        for out in outputs:
            auditor.check_file(out)
        workbook.check_outputs(auditor, outputs)
    for rel, table in published_breakdowns(root, wanted):
        auditor.findings += derivable_cells(table, auditor.k, file=rel)
    return AuditResult(
        findings=auditor.findings,
        files=[o.rel for o in outputs],
        years=wanted if wanted is not None else _all_years(root),
        seconds=time.perf_counter() - started,
        threshold=auditor.k,
        notes=auditor.notes,
    )


Part = list[tuple[int, Output]]  # outputs to check, with their place in the audit's list


def _parts(outputs: list[Output], jobs: int) -> list[Part]:
    """``outputs`` in parts of about equal size for ``jobs`` processes (a few parts each, so
    that one that finishes early takes the next), a report's files always in one part."""
    if jobs <= 1 or len(outputs) < 2 * jobs:
        return [list(enumerate(outputs))] if outputs else []
    groups: dict[tuple[Any, ...], Part] = {}
    for i, out in enumerate(outputs):
        key = (out.year, out.agency, out.kind) if out.kind != "other" else ("file", i)
        groups.setdefault(key, []).append((i, out))

    sized = [
        (sum(out.path.stat().st_size for _, out in group if out.path.is_file()), group)
        for group in groups.values()
    ]
    n = min(len(groups), 4 * jobs)
    parts: list[Part] = [[] for _ in range(n)]
    sizes = [0] * n
    for size, group in sorted(sized, key=lambda pair: pair[0], reverse=True):
        smallest = sizes.index(min(sizes))
        parts[smallest] += group
        sizes[smallest] += size
    return [sorted(part, key=lambda item: item[0]) for part in parts if part]


_WORKER_AUDITORS: dict[str, tuple[Auditor, Any]] = {}  # by audit (its token)


def check_part(
    root: Path, wanted: list[int] | None, part: Part, token: str = ""
) -> tuple[dict[int, list[Finding]], dict[int, list[Finding]], list[str]]:
    """Check a part of the outputs in a worker of :func:`audit`: the findings of each output
    (by its place in the audit's list) from the file checks and from the tables' checks
    (:mod:`helpers.audit.workbook`), and the auditor's notes. A worker keeps its auditor and
    the published tables (the recounts made, the tables read) for the next part of the same
    audit (``token``); a part of another audit starts afresh."""
    from helpers.audit import workbook  # the take-away tables' layout checks (their module)

    if token not in _WORKER_AUDITORS or not token:
        _WORKER_AUDITORS.clear()
        _WORKER_AUDITORS[token] = (Auditor(root, wanted), workbook.Published(root))
    auditor, published = _WORKER_AUDITORS[token]
    files: dict[int, list[Finding]] = {}
    tables: dict[int, list[Finding]] = {}
    for index, out in part:
        auditor.findings = []
        auditor.check_file(out)
        files[index], auditor.findings = auditor.findings, []
        workbook.check_output(auditor, out, published)
        tables[index] = auditor.findings
    return files, tables, list(auditor.notes)


# ----------------------------------------------------------------------------- breakdown tables
#
# The subtraction attack on published breakdown tables (results by staff group,
# ``workbook audit``).
#
# :func:`derivable_cells` reads a breakdown table as it is published (withheld counts missing)
# and does what a reader with a calculator can: a scope's published total minus its shown groups
# gives the withheld groups' combined count, and a government-wide group is the sum of the
# agencies' groups. It knows nothing of how the table was suppressed; it uses the published
# numbers only, so it can judge the downloads and report tables as well.
#
# The relations, per measure and breakdown:
#
# - a scope's total (``overall_respondents``) = the sum of its groups' ``respondents``;
# - a combined scope's group = the sum of that group over the scopes whose ``part_of`` names
#   it, and its total the sum of theirs. Without a ``part_of`` column, a scope ``gov`` is taken
#   as the sum of every other scope with a published total.
#
# A relation with one unknown gives it, and what is derived is used again (chains are followed)
# until nothing more follows. Findings (k = the threshold):
#
# - ``small-n``: a shown count of 1 to k-1;
# - ``subtraction``: a withheld count (a group or a total) that can be worked out, whatever its
#   size (a single withheld group: its value follows approximately from the estimates too), and
#   withheld groups of a known total whose combined count is 1 to k-1.
#
# Counts below k are written "<k" in the findings.

GOV = "gov"
BREAKDOWN_NEEDED = ("scope", "measure", "breakdown", "group", "respondents", "overall_respondents")
Cell = tuple[str, str, str]  # ("group", scope, group) or ("total", scope, "")


@dataclass(frozen=True)
class _Relation:
    total: Cell
    parts: tuple[Cell, ...]
    what: str  # for the finding: "01001 total" or "gov, group female"


def _count(value: object) -> int | None:
    return None if pd.isna(value) else int(value)  # type: ignore[call-overload]


def _known_values(part: pd.DataFrame) -> dict[Cell, int | None]:
    values: dict[Cell, int | None] = {}
    for row in part.itertuples(index=False):
        values[("group", str(row.scope), str(row.group))] = _count(row.respondents)
        total = ("total", str(row.scope), "")
        if values.get(total) is None:
            values[total] = _count(row.overall_respondents)
    return values


def _relations(part: pd.DataFrame, values: dict[Cell, int | None]) -> list[_Relation]:
    scopes = list(dict.fromkeys(part["scope"].astype(str)))
    groups = list(dict.fromkeys(part["group"].astype(str)))
    out = [
        _Relation(
            ("total", s, ""),
            tuple(("group", s, str(g)) for g in part.loc[part["scope"] == s, "group"]),
            f"{s} total",
        )
        for s in scopes
    ]
    if "part_of" in part.columns:
        members: dict[str, list[str]] = {}
        for scope, parent in zip(part["scope"].astype(str), part["part_of"], strict=True):
            if isinstance(parent, str) and scope not in members.setdefault(parent, []):
                members[parent].append(scope)
    elif GOV in scopes:
        shown = [s for s in scopes if s != GOV and values.get(("total", s, "")) is not None]
        members = {GOV: shown}
    else:
        members = {}
    for combined, parts in members.items():
        if combined not in scopes:
            continue
        for group in groups:
            out.append(
                _Relation(
                    ("group", combined, group),
                    tuple(("group", s, group) for s in parts if ("group", s, group) in values),
                    f"{combined}, group {group}",
                )
            )
        out.append(
            _Relation(
                ("total", combined, ""),
                tuple(("total", s, "") for s in parts),
                f"{combined} total over its parts",
            )
        )
    return out


def _label(cell: Cell) -> str:
    kind, scope, group = cell
    return f"{scope} total" if kind == "total" else f"{scope} group {group}"


def _shown(n: int, k: int) -> str:
    return f"<{k}" if 0 < n < k else str(n)


def _attack(
    relations: list[_Relation], values: dict[Cell, int | None], k: int
) -> Iterable[tuple[str, str]]:
    """(check, detail) of everything subtraction gives away in one measure and breakdown."""
    known = {c: v for c, v in values.items() if v is not None}
    for cell, n in known.items():
        if 0 < n < k:
            yield "small-n", f"{_label(cell)} shows {_shown(n, k)} respondents"
    changed = True
    while changed:
        changed = False
        for r in relations:
            unknown = [c for c in (r.total, *r.parts) if c not in known]
            if len(unknown) != 1:
                continue
            cell = unknown[0]
            parts = sum(known[p] for p in r.parts if p in known)
            n = parts if cell == r.total else known[r.total] - parts
            known[cell] = n
            changed = True
            yield (
                "subtraction",
                f"withheld {_label(cell)} is worked out from {r.what}: {_shown(n, k)} respondents",
            )
    for r in relations:
        hidden = [p for p in r.parts if p not in known]
        if r.total in known and len(hidden) > 1:
            rest = known[r.total] - sum(known[p] for p in r.parts if p in known)
            if 0 < rest < k:
                yield (
                    "subtraction",
                    f"withheld {', '.join(_label(c) for c in hidden)} together are worked out "
                    f"from {r.what}: <{k} respondents",
                )


def published_breakdowns(root: Path, wanted: list[int] | None) -> list[tuple[str, pd.DataFrame]]:
    """(path relative to the root, table) of every published breakdown table of the ``wanted``
    years (every year when None): for now ``data/processed/<year>/indicators/breakdowns.parquet``.
    """
    processed = paths.resolve(config.pipeline(root)["paths"]["processed"], root)
    out = []
    for path in sorted(processed.glob("[0-9][0-9][0-9][0-9]/indicators/breakdowns.parquet")):
        if wanted is None or int(path.parent.parent.name) in wanted:
            out.append((str(path.relative_to(root)), pd.read_parquet(path)))
    return out


def derivable_cells(table: pd.DataFrame, threshold: int, *, file: str = "") -> list[Finding]:
    """What subtraction reveals in a published breakdown table (the comment above).

    Parameters
    ----------
    table : DataFrame
        The table as published: :data:`BREAKDOWN_NEEDED` columns (withheld counts missing),
        optionally ``part_of`` and ``fiscal_year``; one row per scope, measure, breakdown and
        group.
    threshold : int
        k: the fewest respondents a published figure may rest on.
    file : str, default ""
        The published file the table is from, for the findings.

    Returns
    -------
    list of Finding
        ``small-n`` and ``subtraction`` findings, located by year, measure and breakdown;
        empty when nothing is revealed.

    Raises
    ------
    KeyError
        When a column of :data:`BREAKDOWN_NEEDED` is missing.
    """
    absent = [c for c in BREAKDOWN_NEEDED if c not in table.columns]
    if absent:
        raise KeyError(f"a published breakdown table needs the columns {absent}")
    findings: list[Finding] = []
    keys = [c for c in ("fiscal_year", "measure", "breakdown") if c in table.columns]
    for key, part in table.groupby(keys, sort=False):
        values = _known_values(part)
        location = " ".join(map(str, key if isinstance(key, tuple) else (key,)))
        for check, detail in _attack(_relations(part, values), values, threshold):
            findings.append(Finding(check, file, location, detail))
    return findings
