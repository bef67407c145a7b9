"""``workbook audit`` for the tables people take away: the Excel workbook of a year
(:mod:`helpers.reports.workbook_xlsx`) and the CSV downloads embedded in report pages
(:mod:`helpers.reports.downloads`).

:func:`helpers.audit.confidentiality.audit` reads every published file as text (identifiers,
comments, response ids, shown counts); this module adds what only the tables' layout tells: in
every row that shows a figure (a value, an interval, a percentage, an estimate) of survey
answers, the count column must be at least ``min_respondents`` (k) and equal the respondents
recounted from the cleaned respondent rows (the auditor's :class:`~helpers.audit.
confidentiality.Truth`); a count below k is a finding wherever it is; and every value must equal
the published indicator-stage table (``data/processed/<year>/indicators/{indicators,items,
breakdowns}.parquet``) to the places written (:data:`helpers.reports.downloads.DECIMALS`), so
that nothing is in the workbook that the reports do not publish.

Columns are found by their English header (the workbook's second header row, or the
"ไทย / English" header of a CSV); a sheet or file without the columns of a published table is
left to the text checks. Findings use the checks of the confidentiality audit: ``small-n``
(a figure from, or a count of, fewer than k) and ``marker`` (a count or value that does not
match the data). The module does not import the confidentiality audit (which calls it): it
works on the auditor it is given (:class:`Auditor`).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import math
import re
import urllib.parse
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from helpers.core import paths
from helpers.indicators import kpi
from helpers.reports import downloads
from helpers.reports.workbook_xlsx import is_present, sheet_keys

# a figure is written rounded to downloads.DECIMALS places: it must be within half a unit of
# the last place of the published table's value
TOLERANCE = 0.5 * 10.0**-downloads.DECIMALS + 1e-9
SURVEY_OF = {code: i.source.removesuffix("_survey") for code, i in kpi.INDICATORS.items()}
FIGURES = ("value", "ci_low", "ci_high", "percent_positive", "percent_neutral",
           "percent_negative", "estimate", "change")  # fmt: skip
_DOWNLOAD = re.compile(r"<a\b[^>]*?\bhref\s*=\s*[\"'](data:text/csv[^\"']*)[\"'][^>]*>", re.I)
_FILENAME = re.compile(r"\bdownload\s*=\s*[\"']([^\"']*)[\"']", re.I)


class Output(Protocol):
    """A published file as the confidentiality audit describes it."""

    path: Path
    rel: str
    year: int | None
    agency: str | None


class Auditor(Protocol):
    """What this module uses of :class:`helpers.audit.confidentiality.Auditor`."""

    root: Path
    k: int
    truth: Any  # .count(year, survey, measure, scope) -> int | None, KeyError when unknown

    def add(self, check: str, out: Any, location: str, detail: str) -> None: ...

    def check_text(self, out: Any, text: str, location: str) -> None: ...

    def check_table_header(self, out: Any, header: list[str], location: str) -> None: ...


def check_outputs(auditor: Auditor, outputs: Iterable[Output]) -> None:
    """Check every workbook (``.xlsx``) and every page or report notebook with embedded CSV
    downloads among ``outputs``.

    Args:
        auditor: the confidentiality audit's auditor (its findings receive ours).
        outputs: the published outputs of the audit.
    """
    published = Published(auditor.root)
    for out in outputs:
        check_output(auditor, out, published)


def check_output(auditor: Auditor, out: Output, published: Published) -> None:
    """Check one output among the audit's: a workbook, or the CSV downloads of a page or a
    report notebook (its page's before it, so that a CSV met twice is checked once).

    Args:
        auditor: the confidentiality audit's auditor (its findings receive ours).
        out: the output.
        published: the published tables, shared by the outputs of one audit.
    """
    suffix = out.path.suffix.lower()
    try:
        if suffix == ".xlsx":
            check_workbook(auditor, out, published)
        elif suffix in (".html", ".htm"):
            text = out.path.read_text(encoding="utf-8", errors="replace")
            check_downloads(auditor, out, text, published)
        elif suffix == ".ipynb":
            for where, html in _notebook_html(out.path):
                check_downloads(auditor, out, html, published, prefix=f"{where} ")
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return  # the confidentiality audit reports the file as unreadable


# ----------------------------------------------------------------------------- the tables


class Published:
    """The indicator-stage tables of each year, read once: what may be published."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._tables: dict[tuple[int, str], pd.DataFrame | None] = {}
        # the CSV downloads checked in this audit, by year and content: a report notebook holds
        # its page's own, checked once (findings name the file where it was first seen)
        self.downloads_seen: set[tuple[int, str]] = set()
        self._indexes: dict[tuple[int, str], dict[tuple[str, ...], Any]] = {}

    def table(self, year: int, name: str) -> pd.DataFrame | None:
        key = (year, name)
        if key not in self._tables:
            path = paths.processed_dir(year, "indicators", self.root) / f"{name}.parquet"
            self._tables[key] = pd.read_parquet(path) if path.is_file() else None
        return self._tables[key]

    def row(self, year: int, kind: str, keys: dict[str, Any]) -> dict[str, Any] | None:
        """The published row a table row shows (None when there is none, or more than one)."""
        found = self._index(year, kind).get(tuple(str(keys.get(k, "")) for k in _KEYS[kind]))
        return found if found is not None and found is not _AMBIGUOUS else None

    def _index(self, year: int, kind: str) -> dict[tuple[str, ...], Any]:
        """The rows of a published table by their key columns (:data:`_KEYS`), built once."""
        cache_key = (year, f"index:{kind}")
        if cache_key in self._indexes:
            return self._indexes[cache_key]
        index: dict[tuple[str, ...], Any] = {}
        table = self.table(year, kind)
        if table is not None:
            if kind == "breakdowns":
                names = {k: downloads.pick_column(table, k) for k in downloads.BREAKDOWN_SOURCES}
                columns = {k: c for k, c in names.items() if c is not None}
                records = [{k: row[c] for k, c in columns.items()} for row in _records(table)]
                key_of = [names[k] for k in _KEYS[kind]]
                keys = [
                    tuple("" if c is None else str(row[c]) for c in key_of)
                    for row in _records(table)
                ]
            else:
                records = _records(table)
                keys = [tuple(str(row[k]) for k in _KEYS[kind]) for row in records]
            for key, record in zip(keys, records, strict=True):
                index[key] = _AMBIGUOUS if key in index else record
        self._indexes[cache_key] = index
        return index


# The columns that name a published row, per table; a key met twice names no row.
_KEYS = {
    "indicators": ("indicator", "agency_code"),
    "items": ("item", "agency_code"),
    "breakdowns": ("scope", "measure", "variable", "group"),
}
_AMBIGUOUS = object()


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return table.to_dict("records")


def _kind(keys: list[str | None]) -> str | None:
    """Which published table a header is (None: none)."""
    found = set(keys)
    if {"indicator", "value", "agency_code"} <= found:
        return "indicators"
    if {"item", "percent_positive", "agency_code"} <= found:
        return "items"
    if {"variable", "group", "estimate"} <= found:
        return "breakdowns"
    return None


def _number(value: Any) -> float | None:
    """A cell as a number (text cells of a CSV too); None for an empty cell."""
    if not is_present(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return math.nan


def _same(a: float, b: Any) -> bool:
    if b is None or pd.isna(b):
        return False
    return abs(a - float(b)) <= TOLERANCE


def _measures(root: Path, kind: str, row: dict[str, Any]) -> tuple[str, list[str], str] | None:
    """(survey, audit measures whose counts add up to the row's, scope) of a row's figures;
    None when they cannot be recounted from the respondent rows: an indicator from a return,
    a government-wide breakdown row (it covers only the agencies with a published result) or
    a group holding the respondents without an answer."""
    if kind == "indicators":
        survey = SURVEY_OF.get(str(row.get("indicator")), "")
        if survey not in ("staff", "citizen"):
            return None
        return survey, [str(row["indicator"])], str(row.get("agency_code"))
    if kind == "items":
        return "staff", [f"item:{row.get('item')}"], str(row.get("agency_code"))
    scope = str(row.get("scope"))
    codes = downloads.breakdown_codes(root, str(row.get("variable")), str(row.get("group")))
    if scope == "gov" or codes is None:
        return None
    column, values = codes
    measure = str(row.get("measure", ""))
    return "staff", [downloads.breakdown_measure(measure, column, v) for v in values], scope


def check_rows(
    auditor: Auditor,
    out: Output,
    year: int,
    keys: list[str | None],
    rows: Iterator[tuple[int, list[Any]]],
    where: str,
    published: Published,
) -> None:
    """Check the rows of one published table (a sheet, or a CSV download).

    Args:
        auditor: receives the findings.
        out: the file.
        year: the fiscal year of the figures.
        keys: the column keys (:func:`helpers.reports.workbook_xlsx.sheet_keys`).
        rows: (row number, cells) of the table's data rows.
        where: the location's prefix ("sheet X", "download f.csv").
        published: the indicator-stage tables.
    """
    kind = _kind(keys)
    if kind is None:
        return
    k = auditor.k
    for number, cells in rows:
        row = {key: cell for key, cell in zip(keys, cells, strict=False) if key}
        location = f"{where} row {number}"
        n = _number(row.get("respondents"))
        figures = {f: _number(row.get(f)) for f in FIGURES if f in row}
        figures = {f: v for f, v in figures.items() if v is not None}
        if n is not None and (math.isnan(n) or 0 < n < k):
            auditor.add("small-n", out, location, f"shows a count of fewer than {k} respondents")
            continue
        if not figures:
            continue
        measured = _measures(auditor.root, kind, row)
        if (kind == "breakdowns" or measured is not None) and n is None:
            auditor.add("marker", out, location, "a figure without its count")
            continue
        if measured is not None:
            survey, measures, scope = measured
            label = f"{year}/{survey}/{'+'.join(measures)} {scope}"
            try:
                counts = [auditor.truth.count(year, survey, m, scope) for m in measures]
            except KeyError as exc:
                auditor.add("marker", out, location, f"{label}: cannot be recounted ({exc})")
                continue
            if any(c is None for c in counts):
                auditor.add(
                    "marker",
                    out,
                    location,
                    f"{label}: no {survey} survey respondent rows for {year} to check it",
                )
                continue
            truth = sum(counts)
            if 0 < truth < k:
                auditor.add(
                    "small-n", out, location, f"{label}: a figure from fewer than {k} respondents"
                )
                continue
            if n is not None and int(n) != truth:
                auditor.add(
                    "marker",
                    out,
                    location,
                    f"{label}: the table says {int(n):,} respondents, the data has {truth:,}",
                )
        truth_row = published.row(year, kind, row)
        if truth_row is None:
            auditor.add("marker", out, location, "a row the published tables do not have")
            continue
        for name, value in figures.items():
            expected = truth_row.get(name)
            if math.isnan(value) or not _same(value, expected):
                auditor.add(
                    "marker",
                    out,
                    location,
                    f"{name} is not the published table's value",
                )


# ----------------------------------------------------------------------------- the workbook


def check_workbook(auditor: Auditor, out: Output, published: Published) -> None:
    """Every sheet of an .xlsx that is a published table: counts and values."""
    year = out.year
    if year is None:
        return
    for title, sheet_rows in auditor.sheets(out.path):
        rows = iter(sheet_rows)
        first = list(next(rows, ()) or ())
        second = list(next(rows, ()) or ())
        keys = sheet_keys(second)
        start = 3
        if _kind(keys) is None:  # one header row ("ไทย / English")
            keys, start = sheet_keys(first), 2
            rows = iter([second, *rows]) if second else rows
        numbered = ((i, list(cells)) for i, cells in enumerate(rows, start))
        check_rows(auditor, out, year, keys, numbered, f"sheet {title}", published)


# ----------------------------------------------------------------------------- CSV downloads


def decode_data_uri(uri: str) -> str:
    """The text of a ``data:`` URI (base64 or percent-encoded), without a byte-order mark."""
    meta, _, payload = uri.partition(",")
    raw = (
        base64.b64decode(payload)
        if meta.endswith(";base64")
        else urllib.parse.unquote_to_bytes(payload)
    )
    return raw.decode("utf-8-sig")


def embedded_downloads(html: str) -> list[tuple[str, str]]:
    """(file name, CSV text) of every ``<a href="data:text/csv...">`` in a page."""
    found = []
    for m in _DOWNLOAD.finditer(html):
        name = _FILENAME.search(m.group(0))
        uri = m.group(1).replace("&amp;", "&")
        found.append((name.group(1) if name else "download.csv", decode_data_uri(uri)))
    return found


def check_downloads(
    auditor: Auditor, out: Output, html: str, published: Published, prefix: str = ""
) -> None:
    """The CSV downloads embedded in a page: their text (identifiers, comments, response ids,
    respondent-level headers) and, for a published table, its counts and values."""
    if "data:text/csv" not in html or out.year is None:
        return
    for name, text in embedded_downloads(html):
        seen = (out.year, hashlib.sha256(text.encode("utf-8")).hexdigest())
        if seen in published.downloads_seen:
            continue
        published.downloads_seen.add(seen)
        where = f"{prefix}download {name}"
        table = list(csv.reader(io.StringIO(text)))
        if not table:
            continue
        auditor.check_table_header(out, table[0], f"{where} row 1")
        for i, cells in enumerate(table, 1):
            for j, cell in enumerate(cells, 1):
                auditor.check_text(out, cell, f"{where} row {i} column {j}")
        rows = ((i, list(cells)) for i, cells in enumerate(table[1:], 2))
        check_rows(auditor, out, out.year, sheet_keys(table[0]), rows, where, published)


def _notebook_html(path: Path) -> Iterator[tuple[str, str]]:
    """(where, HTML) of every HTML output of a notebook that holds a CSV download."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for c, cell in enumerate(notebook.get("cells", []), 1):
        for o, output in enumerate(cell.get("outputs", []) or [], 1):
            value = (output.get("data") or {}).get("text/html")
            html = "".join(value) if isinstance(value, list) else str(value or "")
            if "data:text/csv" in html:
                yield f"cell {c} output {o}", html
