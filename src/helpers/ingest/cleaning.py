"""The cleaning stage: raw files of one fiscal year -> validated tables in ``data/processed``.

Every raw row is accounted for: it is kept, or set aside with a reason. For every input file
the ledger holds ``rows_read = rows_kept + rows_set_aside``. Raw files are only read.

Before the rules, the answers are located: in a workbook, the one sheet whose header names the
codebook columns (a second such sheet with answers stops the run; other sheets are noted in the
ledger as ignored); on that sheet (or in a CSV), the header row among the first
``HEADER_SEARCH_ROWS`` rows: the row, or two stacked rows (a merged group heading above the
question headings), naming the most codebook columns, all required ones included. Title rows
above the header are not data: they are not counted in ``rows_read`` and the ledger's ``notes``
name them. Row numbers stay those of the spreadsheet. Headers are matched to codebook columns by
:mod:`helpers.ingest.headers` (labels, survey tools' question texts by similarity, pinned
headers); a
required or ``in_every_file`` column that no header names stops the year, another missing
column is listed. Each date column's order (day-first or month-first) is decided from its own
values (:mod:`helpers.ingest.dates`). Response ids that are national ID numbers become keyed
pseudonyms.

Rules, in the order they are applied to a row (a row gets the first reason that applies):

1. ``blank_row``: every cell empty.
2. ``truncated_row``: the file ends in the middle of this row (it was cut short).
3. ``repeated_header``: the header again (files pasted together); a header repeated with the
   columns in another order stops the run, since the rows below it would be misread.
4. ``unknown_agency`` / ``ambiguous_agency`` / ``conflicting_agency``: the agency does not match
   the registry, fits two agencies, or is a code beside another agency's name (the candidates in
   the detail).
5. ``missing_required_value`` / ``invalid_required_value``: a required column is empty or
   unreadable (optional columns with unreadable values are kept with the value missing and the
   cell listed in ``value_issues``).
6. ``outside_fiscal_year``: the answer is dated outside the fiscal year (surveys), or the return
   names another fiscal year (OCSC return).
7. ``no_answers``: a survey response with no answer to any question.
8. ``duplicate_submission`` (surveys: the same response id within its scope, the same answers
   in another file, or an identical row; the latest is kept; see ``_duplicate_responses``) or
   ``superseded_submission`` (returns: a later return for the same agency or year replaces it).

Structural problems (unreadable file, missing required column, unknown form version, a file that
belongs to no instrument, two sheets of answers in one workbook, a survey file whose dated
answers are mostly from one other fiscal year, i.e. a file in the wrong year folder, answers
that are formulas without a saved result, a date column read both ways, an empty year folder)
raise ``StructuralError`` and nothing is written.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core import atomic, config, hashing, paths, years
from helpers.core.config import Codebook, Column
from helpers.core.errors import StructuralError
from helpers.core.thai import to_arabic_digits
from helpers.ingest.headers import (
    PINS_FILE,
    HeaderMatch,
    HeaderMatcher,
    check_pins,
    header_key,
    load_pins,
)
from helpers.ingest.normalise import (
    Normaliser,
    datetime_normaliser,
    datetime_normaliser_for,
    identifiers_scrubbed,
    normalise_series,
    normaliser_for,
    parse_number,
)
from helpers.ingest.privacy import (
    find_identifiers,
    looks_like_national_ids,
    pseudonym_key,
    pseudonymise,
    scrub,
)
from helpers.ingest.readers import SUPPORTED, RawTable, cell_ref, counted, read_raw
from helpers.ingest.reasons import REASONS
from helpers.ingest.registry import AgencyMatcher, load_registry
from helpers.ingest.schema import empty_frame, processed_schema

ANSWER_TYPES = {"likert", "binary", "score"}
# The header is looked for among this many rows below the first (title rows above it).
HEADER_SEARCH_ROWS = 10
# A survey file stops the run as "in the wrong year folder" when more than half of its dated
# answers, and at least this many, are from one other fiscal year.
WRONG_FOLDER_MIN_ROWS = 5


# ----------------------------------------------------------------------------- year folders


def is_ignored(path: Path, folder: Path, patterns: list[str]) -> bool:
    """Whether a file in a year folder is never an input (config `cleaning.ignore`)."""
    parts = path.relative_to(folder).parts
    return any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in patterns)


def year_files(folder: Path, root: Path | None = None) -> list[Path]:
    """The files of a year folder that may be inputs: every file below it with no part of its
    path matching ``cleaning.ignore`` (notes, provenance, pinned headers, temporary files).
    Cleaning, the demo and the build engine's ``raw`` input all list inputs with this."""
    ignore = config.pipeline(root)["cleaning"]["ignore"]
    return sorted(p for p in folder.rglob("*") if p.is_file() and not is_ignored(p, folder, ignore))


def discover_files(folder: Path, root: Path | None = None) -> dict[str, list[Path]]:
    """Input files of a year folder, by instrument. Unknown files stop the run."""
    settings = config.pipeline(root)["cleaning"]
    books = config.codebooks(root)
    found: dict[str, list[Path]] = {name: [] for name in books}
    for path in year_files(folder, root):
        name = path.name.casefold()
        matches = [
            inst
            for inst, book in books.items()
            if any(fnmatch.fnmatch(name, pat.casefold()) for pat in book.file_patterns)
        ]
        if not matches:
            patterns = "; ".join(
                f"{inst}: {', '.join(b.file_patterns)}" for inst, b in books.items()
            )
            raise StructuralError(
                "this file belongs to no instrument",
                file=path,
                expected=f"a file name matching {patterns}",
                hint="Rename it, or move it out of the year folder (names starting with _ are "
                "skipped)",
            )
        if path.suffix.lower() not in settings["extensions"]:
            raise StructuralError(
                f"files of type '{path.suffix}' cannot be read",
                file=path,
                expected=f"one of {', '.join(SUPPORTED)}",
                hint="Save the sheet from Excel as .xlsx or CSV",
            )
        found[matches[0]].append(path)
    return found


# ----------------------------------------------------------------------------- one file


@dataclass
class FileResult:
    """What cleaning made of one raw file."""

    instrument: str
    file: str
    encoding: str
    rows_read: int
    kept: pd.DataFrame
    raw: pd.DataFrame  # codebook columns as raw text (no identifier or extra columns)
    set_aside: pd.DataFrame
    value_issues: pd.DataFrame
    identifier_columns: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    identifiers_scrubbed: int = 0
    notes: list[str] = field(default_factory=list)
    header_matches: list[HeaderMatch] = field(default_factory=list)
    missing_columns: list[tuple[str, list[tuple[str, float]]]] = field(default_factory=list)
    agencies_by_similarity: list[str] = field(default_factory=list)
    values_pseudonymised: int = 0
    warnings: list[str] = field(default_factory=list)  # for the run summary
    repairs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REPAIR_COLUMNS))


# ----------------------------------------------------------------------------- the header


def header_matcher(
    codebook: Codebook, pins: dict[str, str | None] | None = None, root: Path | None = None
) -> HeaderMatcher:
    """A header matcher with the thresholds of ``config/pipeline.yaml`` (cleaning.headers)."""
    settings = config.pipeline(root)["cleaning"].get("headers", {})
    return HeaderMatcher(
        codebook,
        threshold=float(settings.get("fuzzy_threshold", 85)),
        margin=float(settings.get("fuzzy_margin", 5)),
        pins=pins,
    )


def _header_fit(cells: list[str], codebook: Codebook, headers: HeaderMatcher) -> tuple[bool, int]:
    """(names every required column once, number of codebook columns named)."""
    names = [n for n in map(headers.column_of, cells) if n]
    required = {c.name for c in codebook.columns if c.required}
    return required <= set(names) and len(names) == len(set(names)), len(set(names))


def _stack(upper: list[str], lower: list[str], headers: HeaderMatcher) -> list[str]:
    """A two-row header as one: per column the lower cell where it names a column, else the
    upper one where it does (a heading merged down over both rows), else whichever is filled."""

    def pick(up: str, low: str) -> str:
        if headers.is_known(low):
            return low
        if headers.is_known(up):
            return up
        return low or up

    return [pick(up, low) for up, low in zip(upper, lower, strict=True)]


def _rows(first: int, last: int) -> str:
    return f"row {first}" if first == last else f"rows {first}-{last}"


def _snippet(frame: pd.DataFrame, limit: int = 80) -> str:
    text = " | ".join(v for v in frame.to_numpy().ravel().tolist() if v)
    text = scrub(text)[0]  # title rows carry coordinators' phone numbers and e-mails
    return text if len(text) <= limit else text[: limit - 1] + "…"


def locate_header(table: RawTable, codebook: Codebook, headers: HeaderMatcher) -> RawTable:
    """The table re-based on its real header row (see the module docstring); unchanged when
    the first row is the header, or when no row names the required columns."""
    top = table.rows.loc[: table.header_row + HEADER_SEARCH_ROWS]
    lines = {table.header_row: list(table.header)}
    lines.update(
        zip(top.index.tolist(), map(list, top.itertuples(index=False, name=None)), strict=True)
    )
    candidates = []  # (fits, columns named, single row, -first row), first, last, header
    for row, cells in lines.items():
        options = [(row, cells)]
        if row + 1 in lines:
            options.append((row + 1, _stack(cells, lines[row + 1], headers)))
        for last, header in options:
            fits, named = _header_fit(header, codebook, headers)
            candidates.append(((fits, named, last == row, -row), row, last, header))
    (fits, *_), first, last, header = max(candidates, key=lambda c: c[0])
    if not fits or (first, last) == (table.header_row, table.header_row):
        return table
    note = f"the header is on {_rows(first, last)}"
    if first > table.header_row:
        skipped = pd.concat(
            [pd.DataFrame([table.header]), table.rows.loc[: first - 1]], ignore_index=True
        )
        note += f"; {_rows(table.header_row, first - 1)} above it were skipped"
        if text := _snippet(skipped):
            note += f" ('{text}')"
    return dataclasses.replace(
        table,
        header=header,
        rows=table.rows.loc[last + 1 :],
        header_row=last,
        notes=[*table.notes, note],
    )


def locate_answers(
    table: RawTable, codebook: Codebook, file: str, headers: HeaderMatcher
) -> RawTable:
    """The sheet holding the answers, re-based on its header row; other sheets are noted."""
    sheets = [locate_header(t, codebook, headers) for t in (table, *table.other_sheets)]
    if len(sheets) == 1:
        return sheets[0]
    fitting = [t for t in sheets if _header_fit(t.header, codebook, headers)[0]]
    answers = [t for t in fitting if (t.rows != "").any(axis=None)]
    what = f"{codebook.en.lower()} answers"
    if len(answers) > 1:
        first, second = answers[:2]
        raise StructuralError(
            f"this sheet holds {what} (its header on row {second.header_row} names the "
            f"codebook columns) and so does sheet '{first.sheet}'; only one sheet of a workbook "
            "is read",
            file=file,
            sheet=second.sheet,
            row=second.header_row,
            expected="all the answers of a file on one sheet",
            hint="Put all the answers on one sheet, or save each sheet as a file of its own "
            f"(such as {codebook.instrument}_{second.sheet}.xlsx)",
        )
    if not fitting:
        return sheets[0]  # map_header says which column is missing
    chosen = (answers or fitting)[0]
    notes = [f"answers read from sheet '{chosen.sheet}'", *chosen.notes]
    for other in sheets:
        if other is not chosen:
            text = _snippet(pd.concat([pd.DataFrame([other.header]), other.rows.head(3)]))
            notes.append(
                f"sheet '{other.sheet}' ignored: "
                + (
                    "a header without answers"
                    if any(other is t for t in fitting)
                    else f"not {what}"
                )
                + f" ({counted(other.n_rows + other.header_row, 'row')}: '{text}')"
            )
    return dataclasses.replace(chosen, notes=notes, other_sheets=[])


@dataclass
class HeaderMapping:
    """How a file's header was read: position -> column, and what each header became."""

    columns: dict[int, str]
    matches: list[HeaderMatch]
    missing: list[tuple[str, list[tuple[str, float]]]]  # optional column, closest headers

    @property
    def identifier_headers(self) -> list[str]:
        return [m.header for m in self.matches if m.how == "identifier"]


def _accepted_labels(column: Column) -> list[str]:
    """The headers a column is known by, one per matching key."""
    accepted: dict[str, str] = {}
    for label in (column.name, column.th, column.en, *column.aliases):
        accepted.setdefault(header_key(label), label)
    return list(accepted.values())


def _listing(texts: list[str], limit: int = 12) -> str:
    shown = ", ".join(texts[:limit]) or "none"
    return shown + (f" and {len(texts) - limit} more" if len(texts) > limit else "")


def _unmatched_hint(column: Column, matches: list[HeaderMatch], headers: HeaderMatcher) -> str:
    """The file's headers, those no column took and those closest to ``column``."""
    unmatched = [m.header for m in matches if m.column is None and m.header]
    hint = f"Columns found: {_listing([m.header for m in matches if m.header])}"
    if unmatched:
        hint += f"; not matched to any question: {_listing([repr(h) for h in unmatched])}"
    if closest := headers.closest_headers(column.name, unmatched):
        hint += "; closest: " + ", ".join(f"'{h}' ({score:.0f})" for h, score in closest)
    return hint + (
        f". If one of them is this question, pin it in the year folder's {PINS_FILE} "
        "(`workbook columns --year <year>` proposes one)"
    )


def map_header(
    table: RawTable, codebook: Codebook, file: str, headers: HeaderMatcher
) -> HeaderMapping:
    """Match raw headers to codebook columns. A missing required column, a missing column the
    codebook says every file must have (``in_every_file``), and two headers for one column stop
    the run; a missing optional column is returned with the closest headers."""
    matches = headers.match(table.header)
    mapping: dict[int, str] = {}
    for match in matches:
        if match.column is None:
            continue
        if match.column in mapping.values():
            first = table.header[next(p for p, n in mapping.items() if n == match.column)]
            raise StructuralError(
                f"two columns, '{first}' and '{match.header}', both hold '{match.column}'",
                file=file,
                sheet=table.sheet,
                row=table.header_row,
                column=match.header,
                expected="each question in one column only",
                hint=f"Pin the right one in the year folder's {PINS_FILE} and the other to null",
            )
        mapping[match.position] = match.column
    found = set(mapping.values())
    missing = []
    for column in codebook.columns:
        if column.name in found or column.name == codebook.version_column:
            continue
        if column.required or column.extra.get("in_every_file"):
            what = codebook.en.lower()
            problem = (
                f"required column '{column.name}' ({column.th}) is missing from this {what} file"
                if column.required
                else f"question '{column.name}' ({column.th}) is missing from this {what} file; "
                "every file of the instrument must have it"
            )
            hint = _unmatched_hint(column, matches, headers)
            if table.other_sheets:
                hint += (
                    f" (sheet '{table.sheet}'; other sheets: "
                    + ", ".join(f"'{t.sheet}'" for t in table.other_sheets)
                    + ")"
                )
            raise StructuralError(
                problem,
                file=file,
                sheet=table.sheet if table.other_sheets else None,
                expected=f"a column headed one of: {', '.join(_accepted_labels(column))}",
                hint=hint,
            )
        unmatched = [m.header for m in matches if m.column is None and m.header]
        missing.append((column.name, headers.closest_headers(column.name, unmatched)))
    return HeaderMapping(mapping, matches, missing)


def _check_version(
    raw: pd.DataFrame, codebook: Codebook, file: str, sheet: str | None = None
) -> None:
    if codebook.version_column not in raw:
        return
    values = raw[codebook.version_column]
    read = values.map(to_arabic_digits)  # '๒๕๖๓.๑' is version 2563.1
    bad = values[(values != "") & ~read.isin(codebook.versions)]
    if len(bad):
        raise StructuralError(
            f"unknown {codebook.en.lower()} form version",
            file=file,
            sheet=sheet,
            row=int(bad.index[0]),
            column=codebook.version_column,
            value=bad.iloc[0],
            expected=f"one of {', '.join(codebook.versions)} (see config/codebooks/"
            f"{codebook.instrument}.yaml)",
        )


def _aside(file: str, rows: pd.Index, reason: str, detail: pd.Series | str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": file,
            "source_row": rows.astype("int64"),
            "reason": reason,
            "detail": detail,
        }
    )


def clean_file(
    table: RawTable,
    codebook: Codebook,
    matcher: AgencyMatcher,
    year: int,
    file: str,
    scales: dict | None = None,
    suggestions: int = 3,
    headers: HeaderMatcher | None = None,
) -> FileResult:
    """Normalise one raw file to its codebook; rows that cannot be used are set aside.

    ``headers`` matches the file's headers to the codebook (default: the configured
    thresholds, no pinned headers)."""
    scales = scales or config.scales()
    headers = headers or header_matcher(codebook)
    table = locate_answers(table, codebook, file, headers)
    header_map = map_header(table, codebook, file, headers)
    mapping = header_map.columns
    _refuse_uncached_formulas(table, mapping, file)
    extras = [
        m.header or f"(no header, column {m.position + 1})"
        for m in header_map.matches
        if m.how in {"extra", "ignored"} and (m.header or (table.rows[m.position] != "").any())
    ]
    raw = pd.DataFrame(
        {name: table.rows[pos] for pos, name in mapping.items()}, index=table.rows.index
    )
    notes = list(table.notes)
    pseudonymised = 0
    for column in codebook.columns:
        if column.type == "text" and column.name in raw:
            _refuse_scientific_ids(raw[column.name], column, file)
            raw[column.name], replaced = _pseudonymise_ids(raw[column.name])
            pseudonymised += replaced
            if replaced:
                notes.append(
                    f"{column.name}: {replaced} values were national ID numbers, phone numbers or "
                    "e-mail addresses; each is replaced by a keyed pseudonym (the same value "
                    "gives the same pseudonym)"
                )
    rows = table.rows.index
    blank = (table.rows == "").all(axis=1) if table.rows.shape[1] else pd.Series(True, index=rows)
    aside = [_aside(file, rows[blank], "blank_row", "")]
    alive = ~blank
    cut = alive & (rows == table.truncated_row)
    aside.append(
        _aside(file, rows[cut], "truncated_row", "the file ends in the middle of this row")
    )
    alive &= ~cut
    repeated = alive & _repeated_headers(table, mapping, codebook, file, headers)
    aside.append(_aside(file, rows[repeated], "repeated_header", "the header row again"))
    alive &= ~repeated
    _check_version(raw[alive], codebook, file, table.sheet)

    kept = pd.DataFrame(index=table.rows.index)
    issues = []
    unproven_dates: list[str] = []
    for column in codebook.columns:
        normaliser = normaliser_for(column, scales, matcher)
        if column.name not in raw:
            kept[column.name] = pd.Series(pd.NA, index=kept.index, dtype=normaliser.dtype)
            continue
        if column.type == "datetime":  # day-first or month-first, decided from the column
            normaliser, order = datetime_normaliser_for(
                raw[column.name][alive], column=column.name, file=file, sheet=table.sheet
            )
            note = order.note
            if order.default_used and order.undecided:
                normaliser, note = _unproven_date_order(
                    raw[column.name][alive], column, codebook, year, normaliser
                )
                unproven_dates.append(f"{file}: {note}")
            if order.evidence["dmy"] or order.evidence["mdy"] or order.undecided:
                notes.append(note)
        if column.type == "percent" and table.encoding in WORKBOOK_KINDS:
            raw[column.name], note = _percent_fractions(raw[column.name], column)
            notes += [note] if note else []
        values, invalid = normalise_series(raw[column.name], normaliser)
        if column.type == "datetime":
            values, invalid, note = _early_dates(values, invalid, column)
            notes += [note] if note else []
        kept[column.name] = values
        if column.required:
            # empty, or a no-answer marker ('-', 'ไม่ทราบ') that the normaliser reads as None
            empty = alive & values.isna() & ~invalid
            bad = alive & invalid
            if column.type == "agency":
                aside.append(_agency_aside(file, raw[column.name][bad], matcher, suggestions))
            else:
                details = raw[column.name][bad].map(
                    lambda v, c=column, n=normaliser: (
                        f"{c.name}: '{scrub(v)[0]}'; expected {n.expected}"
                    )
                )
                aside.append(_aside(file, kept.index[bad], "invalid_required_value", details))
            aside.append(
                _aside(file, kept.index[empty], "missing_required_value", f"{column.name} is empty")
            )
            alive &= ~(empty | bad)
        elif invalid.any():
            cells = alive & invalid
            _refuse_unreadable_column(raw[column.name], alive, cells, column, normaliser, file)
            values = raw[column.name][cells].map(lambda v: scrub(v)[0])
            issues.append(
                _issues(file, kept.index[cells], column.name, values, normaliser.expected)
            )
    issues_frame = _consistency(kept, alive, file, codebook, scales, issues)
    if "fiscal_year" in codebook.names:  # the OCSC return states its year; keep it apart
        kept = kept.rename(columns={"fiscal_year": "fiscal_year_reported"})
    agencies = _agencies_by_similarity(raw["agency"][alive], matcher) if "agency" in raw else []
    scrubbed = sum(
        identifiers_scrubbed(raw[c.name][alive])
        for c in codebook.columns
        if c.type == "free_text" and c.name in raw
    )
    kept["fiscal_year"] = pd.array([year] * len(kept), dtype="Int64")
    kept["source_file"] = pd.array([file] * len(kept), dtype="string")
    kept["source_row"] = pd.array(kept.index, dtype="Int64")
    return FileResult(
        instrument=codebook.instrument,
        file=file,
        encoding=table.encoding,
        rows_read=table.n_rows,
        kept=kept[alive].reset_index(drop=True),
        raw=raw,
        set_aside=pd.concat(aside, ignore_index=True),
        value_issues=issues_frame,
        identifier_columns=header_map.identifier_headers,
        extra_columns=extras,
        header_matches=header_map.matches,
        missing_columns=header_map.missing,
        agencies_by_similarity=agencies,
        repairs=_repairs(table, file),
        values_pseudonymised=pseudonymised,
        warnings=unproven_dates,
        identifiers_scrubbed=scrubbed,
        notes=notes,
    )


REPAIR_COLUMNS = ["source_file", "source_row", "column", "value", "repaired"]


# A column is read as something else when most of its answers cannot be read (labels of
# another scale, answers shifted by a column), or when numbers just off its scale are common
# (a scale coded 0-4 or 1-7): stop rather than list them and read the rest as if on our scale.
UNREADABLE_SHARE = 0.5
UNREADABLE_MIN = 3
OFF_SCALE_SHARE = 0.05


_AM_PM = re.compile(r"\d\s*(?:[ap]\.?\s?m\.?|ก่อนเที่ยง|หลังเที่ยง)(?![a-z])", re.IGNORECASE)


def _unproven_date_order(
    raw: pd.Series,
    column: Column,
    codebook: Codebook,
    year: int,
    default: Normaliser,
) -> tuple[Normaliser, str]:
    """The order of a date column that no value proves (every day and month 12 or less): times
    with AM/PM mean month-first (the 12-hour clock is a US-locale export's; Thai settings write
    24-hour times); else, for a survey's answer date, the order that puts more answers inside
    the fiscal year; else day-first, the Thai convention. Returns the normaliser and the note."""
    prefix = f"{column.name}: no value proves the order of day and month"
    if raw.str.contains(_AM_PM).any():
        return (
            datetime_normaliser("mdy"),
            f"{prefix}; read month-first, as the AM/PM times show a US-locale export",
        )
    if codebook.fiscal_year_check and column.name == codebook.date_column:
        inside = {}
        for name, normaliser in (
            ("day-first", default),
            ("month-first", datetime_normaliser("mdy")),
        ):
            dates = normalise_series(raw, normaliser)[0]
            inside[name] = int((dates.notna() & ~_outside_fiscal_year(dates, year, 0)).sum())
        if inside["month-first"] > inside["day-first"]:
            return (
                datetime_normaliser("mdy"),
                f"{prefix}; read month-first, which puts {inside['month-first']:,} answers in "
                f"fiscal year {year} against {inside['day-first']:,} day-first",
            )
        if inside["day-first"] > inside["month-first"]:
            return default, (
                f"{prefix}; read day-first, which puts {inside['day-first']:,} answers in "
                f"fiscal year {year} against {inside['month-first']:,} month-first"
            )
    return default, f"{prefix}; read day-first by default (the Thai convention): check it"


WORKBOOK_KINDS = {"xlsx", "xls", "ods"}
# No answer of this evaluation is dated before this; a two-digit B.E. year typed into Excel
# (15/3/65) becomes 1965.
EARLIEST_DATE = pd.Timestamp("2000-01-01")


def _percent_fractions(raw: pd.Series, column: Column) -> tuple[pd.Series, str]:
    """A workbook's percentage cells saved as fractions (a cell formatted '%' holds 0.8 for
    80 %): when every number of the column is within 0-1 and one is a fraction, read them
    x 100 (noted); a fraction beside percentages above 1 cannot be told and stays as it is
    (0.8 %)."""
    numbers = raw.map(lambda v: parse_number(v, percent=True) if v else None).dropna()
    if numbers.empty or not numbers.between(0, 1).all() or numbers.isin([0, 1]).all():
        return raw, ""
    scaled = raw.map(lambda v: f"{100 * parse_number(v, percent=True):g}" if v else v)
    return scaled, (
        f"{column.name}: every value lies within 0-1 (such as {numbers.iloc[0]:g}): read as "
        "fractions of a workbook's percentage cells, x 100"
    )


def _early_dates(
    values: pd.Series, invalid: pd.Series, column: Column
) -> tuple[pd.Series, pd.Series, str]:
    """Dates before 2000 are listed as unreadable: no answer of the evaluation is that old, and
    Excel turns a two-digit B.E. year (15/3/65) into 1965."""
    early = values.notna() & (values < EARLIEST_DATE)
    if not early.any():
        return values, invalid, ""
    first = values[early].iloc[0]
    return (
        values.mask(early),
        invalid | early,
        f"{column.name}: {int(early.sum()):,} dates before 2000 (such as {first:%Y-%m-%d}) "
        "listed as unreadable: a two-digit B.E. year typed into Excel (15/3/65) becomes 19xx",
    )


def _refuse_unreadable_column(
    raw: pd.Series, alive: pd.Series, cells: pd.Series, column: Column, normaliser, file: str
) -> None:
    """Stop when more than half of a column's answers (and at least ``UNREADABLE_MIN``) cannot
    be read: listing them as unreadable would leave the question silently empty."""
    answered = int((alive & raw.ne("")).sum())
    unreadable = int(cells.sum())
    numbers = raw[cells].map(parse_number).notna() if column.type in ANSWER_TYPES else None
    off_scale = 0 if numbers is None else int(numbers.sum())
    if off_scale >= UNREADABLE_MIN and off_scale >= OFF_SCALE_SHARE * answered:
        off = raw[cells][numbers]
        raise StructuralError(
            f"{int(numbers.sum()):,} of the {answered:,} answers in this column are numbers "
            f"off its scale (such as {', '.join(map(repr, off.unique()[:5]))}): the file "
            "probably uses another scale (0-4, 1-7, 1-10), so its other numbers would be "
            "misread too",
            file=file,
            row=int(off.index[0]),
            column=column.name,
            value=off.iloc[0],
            expected=normaliser.expected,
            hint="Recode the answers to the codebook's scale (config/scales.yaml) in a new "
            "file from the source, or check that the header names the right question",
        )
    if unreadable < UNREADABLE_MIN or unreadable <= UNREADABLE_SHARE * answered:
        return
    first = raw[cells].index[0]
    examples = ", ".join(repr(scrub(v)[0]) for v in raw[cells].unique()[:5])
    raise StructuralError(
        f"{unreadable:,} of the {answered:,} answers in this column cannot be read (such as "
        f"{examples}): the question is probably coded another way in this file",
        file=file,
        row=int(first),
        column=column.name,
        value=scrub(raw[first])[0],
        expected=normaliser.expected,
        hint="Check the column's answers against config/scales.yaml; if the header was matched "
        f"to the wrong question, pin it in the year folder's {PINS_FILE}",
    )


def _refuse_uncached_formulas(table: RawTable, mapping: dict[int, str], file: str) -> None:
    """Stop when an answer cell is a formula saved without its result (a workbook written by a
    program and never opened in Excel): its value is unknown, not empty."""
    cells = [
        (row, position, formula)
        for row, position, formula in table.formula_cells
        if position in mapping and row > table.header_row
    ]
    if not cells:
        return
    cells.sort(key=lambda cell: (cell[1], cell[0]))
    runs: list[list] = []  # [column position, first row, last row, first formula]
    for row, position, formula in cells:
        if runs and runs[-1][0] == position and runs[-1][2] == row - 1:
            runs[-1][2] = row
        else:
            runs.append([position, row, row, formula])
    listed = ", ".join(
        cell_ref(first - 1, position)
        + (f":{cell_ref(last - 1, position)}" if last > first else "")
        + f" ({mapping[position]}: ={formula.removeprefix('=')}"
        + (" …" if last > first else "")
        + ")"
        for position, first, last, formula in runs
    )
    raise StructuralError(
        f"{len(cells)} answer cells are formulas saved without their result: {listed}",
        file=file,
        sheet=table.sheet,
        row=cells[0][0],
        column=table.header[cells[0][1]],
        expected="values, or formulas with their saved results",
        hint="Open the file in Excel or LibreOffice and save it again (that computes and saves "
        "the results), or paste the values",
    )


def _repairs(table: RawTable, file: str) -> pd.DataFrame:
    """The cells repaired from mojibake, with the column they are in (identifiers scrubbed)."""
    rows = [
        {
            "source_file": file,
            "source_row": row,
            "column": table.header[position] if position < len(table.header) else str(position),
            "value": scrub(before)[0],
            "repaired": scrub(after)[0],
        }
        for row, position, before, after in table.repairs
    ]
    return pd.DataFrame(rows, columns=REPAIR_COLUMNS).astype({"source_row": "int64"})


_SCIENTIFIC = re.compile(r"^[0-9]\.[0-9]+E\+[0-9]+$", re.IGNORECASE)


def _refuse_scientific_ids(values: pd.Series, column: Column, file: str) -> None:
    """Stop when ids were saved by Excel in scientific notation (1.10E+12): their last digits
    are lost, so different people share one id."""
    bad = values[values.str.match(_SCIENTIFIC)]
    if len(bad):
        raise StructuralError(
            f"{len(bad):,} values are numbers in scientific notation: Excel dropped their last "
            "digits, so different respondents would share one id",
            file=file,
            row=int(bad.index[0]),
            column=column.name,
            value=bad.iloc[0],
            expected="the ids as written (format the column as text before saving as CSV)",
            hint="Export the file again from the survey tool, or save it as .xlsx",
        )


def _pseudonymise_ids(values: pd.Series) -> tuple[pd.Series, int]:
    """Values of a kept text column (a response id) that are national ID numbers, or hold a
    phone number or e-mail address, replaced by keyed pseudonyms
    (:func:`helpers.ingest.privacy.pseudonymise`); and how many were."""
    uniques = values[values != ""].unique()
    mask = values.isin(
        [v for v in uniques if looks_like_national_ids(pd.Series([v])) or find_identifiers(v)]
    )
    if not mask.any():
        return values, 0
    values = values.copy()
    values[mask] = pseudonymise(values[mask], pseudonym_key())
    return values, int(mask.sum())


AGENCY_REASONS = {"ambiguous": "ambiguous_agency", "conflict": "conflicting_agency"}


def _agency_aside(
    file: str, values: pd.Series, matcher: AgencyMatcher, suggestions: int
) -> pd.DataFrame:
    """Rows whose agency is not assigned: unknown, ambiguous (a name or alias of two agencies)
    or conflicting (a code beside another agency's name), with the candidates named."""
    reasons, details = [], []
    for value in values:
        match = matcher.resolve(value)
        reason = AGENCY_REASONS.get(match.how, "unknown_agency")
        if reason == "unknown_agency":
            closest = "; ".join(matcher.suggestions(value, suggestions)) or "none"
            details.append(f"'{scrub(value)[0]}' is not in the registry; closest: {closest}")
        else:
            fits = (
                "fits more than one agency"
                if match.how == "ambiguous"
                else ("names one agency by its code and another by its name")
            )
            details.append(f"'{scrub(value)[0]}' {fits}: {'; '.join(match.candidates)}")
        reasons.append(reason)
    frame = _aside(file, values.index, "unknown_agency", pd.Series(details, index=values.index))
    frame["reason"] = reasons
    return frame


def _agencies_by_similarity(values: pd.Series, matcher: AgencyMatcher) -> list[str]:
    """The agency names assigned by similarity, for the ledger: 'value' -> code (score)."""
    out = []
    for value, n in values[values != ""].value_counts(sort=False).items():
        match = matcher.resolve(value)
        if match.how == "fuzzy":
            rows = f", {n} rows" if n > 1 else ""
            out.append(f"'{value}' -> {match.code} ({match.score:.0f}{rows})")
    return out


def _repeated_headers(
    table: RawTable,
    mapping: dict[int, str],
    codebook: Codebook,
    file: str,
    headers: HeaderMatcher,
) -> pd.Series:
    """Rows that repeat the header: every filled codebook cell is that column's header label.

    A header repeated with the columns in another order raises StructuralError.
    """
    found = pd.Series(False, index=table.rows.index)
    if not mapping or table.rows.empty:
        return found
    required = [p for p, name in mapping.items() if codebook.column(name).required]
    column = table.rows[(required or list(mapping))[0]]
    # Only rows whose required cell is some header label are looked at in full.
    is_label = column.map({v: headers.column_of(v) is not None for v in column.unique()})
    is_label = is_label.astype(bool)
    for row in column.index[is_label]:
        cells = table.rows.loc[row]
        filled = {p: cells[p] for p in mapping if cells[p]}
        names = {p: headers.column_of(v) for p, v in filled.items()}
        if None in names.values() or len(names) < min(2, len(mapping)):
            continue  # an answer row with a header word in it
        moved = [p for p, name in names.items() if name != mapping[p]]
        if moved:
            p = moved[0]
            raise StructuralError(
                f"this row repeats the header with the columns in another order: "
                f"'{cells[p]}' stands under '{table.header[p]}', so the rows below it would "
                "be read under the wrong questions",
                file=file,
                sheet=table.sheet,
                row=int(row),
                column=table.header[p],
                value=cells[p],
                expected=f"the columns in the order of the header on row {table.header_row}",
                hint="Split the file at this row into two files, each with its own header",
            )
        found[row] = True
    return found


ISSUE_COLUMNS = ["source_file", "source_row", "column", "value", "expected"]


def _issues(file: str, rows: pd.Index, column: str, values, expected) -> pd.DataFrame:
    """Cells read as missing: where they are, what they held and what was expected."""
    return pd.DataFrame(
        {
            "source_file": file,
            "source_row": rows.astype("int64"),
            "column": column,
            "value": values,
            "expected": expected,
        }
    )


def _consistency(
    kept: pd.DataFrame,
    alive: pd.Series,
    file: str,
    codebook: Codebook,
    scales: dict,
    issues: list[pd.DataFrame],
) -> pd.DataFrame:
    """Answers that contradict each other: the dependent answer is set missing and listed."""
    names = set(codebook.names)
    if {"position_type", "position_level"} <= names:
        level_type = {p.code: p.extra.get("type") for p in scales["position_level"].points}
        implied = kept["position_level"].map(level_type)
        clash = (
            alive
            & kept["position_level"].notna()
            & kept["position_type"].notna()
            & (implied != kept["position_type"]).fillna(False)
        )
        if clash.any():
            expected = "a level of the stated position type " + kept.loc[
                clash, "position_type"
            ].astype(str)
            issues.append(
                _issues(
                    file,
                    kept.index[clash],
                    "position_level",
                    kept.loc[clash, "position_level"],
                    expected,
                )
            )
            kept.loc[clash, "position_level"] = pd.NA
    if {"idp_made", "idp_carried_out"} <= names:
        clash = (
            alive
            & (kept["idp_made"] == 0).fillna(False)
            & (kept["idp_carried_out"] == 1).fillna(False)
        )
        if clash.any():
            issues.append(
                _issues(
                    file,
                    kept.index[clash],
                    "idp_carried_out",
                    "1",
                    "no answer when idp_made is 'no'",
                )
            )
            kept.loc[clash, "idp_carried_out"] = pd.NA
    if not issues:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    frame = pd.concat(issues, ignore_index=True)
    frame["value"] = frame["value"].astype(str)
    return frame


# ----------------------------------------------------------------------------- one instrument


def _year_level_rules(
    kept: pd.DataFrame, codebook: Codebook, year: int, grace_days: int
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Rules that look across rows and files: fiscal year, empty responses, duplicates."""
    be = year
    # The OCSC return's own year column was renamed in clean_file to keep it apart.
    key = "fiscal_year_reported" if codebook.id_column == "fiscal_year" else codebook.id_column
    aside = []
    alive = pd.Series(True, index=kept.index)

    def set_aside(mask: pd.Series, reason: str, detail) -> None:
        nonlocal alive
        mask = mask & alive
        aside.append(
            kept.loc[mask, ["source_file", "source_row"]].assign(
                reason=reason, detail=detail[mask] if isinstance(detail, pd.Series) else detail
            )
        )
        alive &= ~mask

    if codebook.fiscal_year_check and codebook.date_column:
        start, end = years.fiscal_year_bounds(be)
        dates = kept[codebook.date_column]
        outside = _outside_fiscal_year(dates, be, grace_days)
        detail = "dated " + dates.dt.strftime("%Y-%m-%d") + f", outside FY{be} ({start} to {end})"
        set_aside(outside, "outside_fiscal_year", detail)
    if key == "fiscal_year_reported":
        set_aside(
            kept[key].ne(be).fillna(False),
            "outside_fiscal_year",
            f"return for another fiscal year than {be}",
        )
    if codebook.unit == "respondent":
        answers = [c.name for c in codebook.columns if c.type in ANSWER_TYPES]
        set_aside(kept[answers].isna().all(axis=1), "no_answers", "no question answered")

    # Among the rest, the latest submission wins (then the later file, then the later row).
    order = [c for c in (codebook.date_column,) if c] + ["_file_order", "source_row"]
    live = kept[alive].sort_values(order, na_position="first", kind="stable")
    warnings: list[str] = []
    if codebook.unit == "respondent":
        reason = "duplicate_submission"
        dupes, detail, warnings, local = _duplicate_responses(live, codebook)
        if local.any():  # a tool's numbering: made unique as file, agency and number
            live.loc[local, key] = (
                live.loc[local, "source_file"] + ":" + live.loc[local, "agency"] + ":"
                + live.loc[local, key]
            )  # fmt: skip
    else:
        reason = "superseded_submission"
        dupes = live.duplicated(key, keep="last")
        where = live[~dupes].set_index(key)
        where = (where["source_file"] + " row " + where["source_row"].astype(str)).to_dict()
        detail = live[key].map(lambda v: f"{key} {v}; kept the later one in {where.get(v)}")
    if dupes.any():
        aside.append(
            live.loc[dupes, ["source_file", "source_row"]].assign(
                reason=reason, detail=detail[dupes]
            )
        )
    final = live[~dupes].sort_values(["_file_order", "source_row"], kind="stable")
    columns = ["source_file", "source_row", "reason", "detail"]
    aside_frame = pd.concat(aside, ignore_index=True) if aside else pd.DataFrame(columns=columns)
    return final, aside_frame, warnings


def _copied_rows(
    live: pd.DataFrame, group: pd.Series, date: str | None, candidates: pd.Series
) -> pd.Series:
    """Which ``candidates`` (rows with the same answers as another row of their file) can be
    copies: the file's times have seconds, or the next row of the file is the same answer."""
    files = live["source_file"]
    copied = pd.Series(False, index=live.index)
    if not candidates.any():
        return copied
    if date:
        copied |= live[date].dt.second.fillna(0).ne(0).groupby(files).transform("any")
    alike = group.isin(set(group[candidates]))
    rows = live["source_row"].astype("int64")
    here = set(zip(group[alike], files[alike], rows[alike], strict=True))
    follows = [
        (g, f, r + 1) in here
        for g, f, r in zip(group[candidates], files[candidates], rows[candidates], strict=True)
    ]
    copied[candidates] |= np.array(follows, dtype=bool)
    return copied & candidates


def _double_counts(
    files: pd.Series, kept_files: pd.Series, copies: pd.Series, what: str
) -> list[str]:
    """A warning per pair of files where responses of one were set aside as copies of the
    other's: the same export saved twice, or parts that overlap, would count people twice."""
    crossed = copies & (kept_files != files)
    pairs = pd.DataFrame({"copy": files, "kept": kept_files})[crossed]
    return [
        f"suspected double count: {n:,} of the {int((files == copy).sum()):,} responses in "
        f"{copy} {what} {kept}; each is counted once (the copies are set aside as "
        "duplicate_submission). Check that the two files are not the same export saved twice, "
        "or parts that overlap"
        for (copy, kept), n in pairs.value_counts(sort=False).items()
    ]


def _time_precision(dates: pd.Series, files: pd.Series) -> str:
    """The coarsest precision of any file's timestamps: 'D' when a file has dates only, 'min'
    when a file has no seconds, else 's' (an export and its re-export as another file type
    often differ only in this)."""
    dated = pd.DataFrame({"date": dates, "file": files}).dropna()
    if dated.empty:
        return "s"
    by_file = dated.groupby("file")["date"]
    if by_file.agg(lambda d: (d == d.dt.normalize()).all()).any():
        return "D"
    return "min" if by_file.agg(lambda d: (d.dt.second == 0).all()).any() else "s"


def _duplicate_responses(
    live: pd.DataFrame, codebook: Codebook
) -> tuple[pd.Series, pd.Series, list[str], pd.Series]:
    """Which responses are copies of a later one, why, warnings for the run summary, and which
    ids are a tool's numbering (local to their file and agency).

    - Response ids made only of digits are a tool's numbering (1..n in each export, or in each
      agency): they identify a response within one file and agency, never across files.
      Other ids (``S2565-000123``) identify one response across files and agencies.
    - Responses without such an id (none, or a tool's numbering) that give the same answers
      (every codebook column, the time compared at the precision of the coarsest file) in two
      files are one response exported twice: a CSV and an XLSX re-export, or the files of a
      split instrument that overlap. Within one file, rows with distinct ids and the same
      answers are different people; rows without an id and the same answers are copies when the
      file's times have seconds (two people do not answer alike in the same second) or when one
      row follows the other (entered twice); otherwise both are kept and the run summary says
      so (two people who ticked the same answers on paper the same day cannot be told from a
      copy).
    The latest is kept (``live`` is in submission order).
    """
    key, date = codebook.id_column, codebook.date_column
    ids = live[key].astype("string").str.strip() if key else pd.Series(pd.NA, index=live.index)
    has_id = ids.notna() & ids.ne("")
    numbered = ids.str.fullmatch(r"[0-9]+").fillna(False).astype(bool)
    local_files = set(live["source_file"]) - set(live.loc[has_id & ~numbered, "source_file"])
    local = live["source_file"].isin(local_files)
    # a tool's numbering counts within a file and agency; other ids are one response anywhere
    id_key = pd.DataFrame(
        {
            "file": live["source_file"].where(local, ""),
            "agency": live["agency"].where(local, ""),
            "id": ids,
        }
    )
    by_id = has_id & id_key.duplicated(keep="last")

    answers = [c.name for c in codebook.columns if c.name not in {key, date}]
    content = live[answers].copy()
    if date:
        precision = _time_precision(live[date], live["source_file"])
        content["_when"] = live[date].dt.floor(precision)
    group = content.astype("string").fillna("\x00").groupby(answers + (["_when"] if date else []))
    group = group.ngroup()
    spans_files = live.groupby(group)["source_file"].transform("nunique") > 1
    global_id = has_id & ~live["source_file"].isin(local_files)  # told apart by their ids
    repeated = ~by_id & ~global_id & group.duplicated(keep="last")
    same_file = repeated & ~has_id & ~spans_files
    copied = _copied_rows(live, group, date, same_file)
    by_content = (repeated & spans_files) | (same_file & copied)
    dupes = by_id | by_content

    kept_at = live["source_file"] + " row " + live["source_row"].astype(str)
    last_by_id = kept_at.groupby([id_key[c] for c in id_key], dropna=False).transform("last")
    last_by_content = kept_at.groupby(group).transform("last")
    detail = pd.Series("", index=live.index, dtype=object)
    detail[by_id] = f"{key} " + ids[by_id] + "; kept the later one in " + last_by_id[by_id]
    detail[by_content] = (
        "the same answers (and time) as " + last_by_content[by_content] + "; "
        + np.where(spans_files[by_content], "the same response in two files", "an identical row")
    )  # fmt: skip

    alike = int((same_file & ~copied).sum())
    files = live["source_file"]
    kept_by_id = files.groupby([id_key[c] for c in id_key], dropna=False).transform("last")
    kept_by_content = files.groupby(group).transform("last")
    warnings = [
        *_double_counts(files, kept_by_id, by_id, "have the response ids of responses in"),
        *_double_counts(
            files, kept_by_content, by_content, "give the same answers (and time) as responses in"
        ),
    ]
    if alike:
        warnings.append(
            f"{alike:,} responses without an id give the same answers as another row of their "
            "file, with no time to the second and not on the next row: kept as different "
            "people (check the raw file if they are copies)"
        )
    for file in sorted(local_files & set(live.loc[has_id, "source_file"])):
        repeats = id_key[has_id & (live["source_file"] == file)].duplicated(["id"], keep=False)
        across_agencies = repeats.any() and not by_id[repeats.index][repeats].all()
        warnings.append(
            f"{file}: response ids are plain numbers, read as the survey tool's numbering "
            + ("within each agency" if across_agencies else "within this file")
            + ", not as ids shared with other files"
        )
    return dupes, detail, warnings, has_id & live["source_file"].isin(local_files)


def _outside_fiscal_year(dates: pd.Series, year: int, grace_days: int) -> pd.Series:
    start, end = years.fiscal_year_bounds(year)
    grace = pd.Timedelta(days=grace_days)
    return dates.notna() & (
        (dates < pd.Timestamp(start) - grace)
        | (dates >= pd.Timestamp(end) + pd.Timedelta(days=1) + grace)
    )


def check_year_folder(result: FileResult, codebook: Codebook, year: int, grace_days: int) -> None:
    """Stop when most of a survey file's dated answers are from one other fiscal year: the file
    is in the wrong year folder, and setting all its rows aside would hide that."""
    if not (codebook.fiscal_year_check and codebook.date_column):
        return
    be = year
    dated = result.kept.dropna(subset=[codebook.date_column])
    dates = dated[codebook.date_column]
    outside = _outside_fiscal_year(dates, be, grace_days)
    fiscal = dates.dt.year + (dates.dt.month >= 10) + years.BE_OFFSET
    counts = fiscal[outside].value_counts()
    if counts.empty or counts.iloc[0] < max(WRONG_FOLDER_MIN_ROWS, len(dates) // 2 + 1):
        return
    other = int(counts.index[0])
    first = dated[outside & (fiscal == other)].iloc[0]
    start, end = years.fiscal_year_bounds(be)
    raise StructuralError(
        f"{counts.iloc[0]} of the {len(dates)} dated answers are from fiscal year {other}, not "
        f"{be}: the file is probably in the wrong year folder (this is the first of them)",
        file=result.file,
        row=int(first["source_row"]),
        column=codebook.date_column,
        value=result.raw.at[first["source_row"], codebook.date_column],
        expected=f"answers dated in fiscal year {be} ({start} to {end})",
        hint=f"Move the file to the folder of {other} (or {other - years.BE_OFFSET}), or "
        "correct its dates",
    )


@dataclass
class InstrumentResult:
    instrument: str
    data: pd.DataFrame
    files: list[FileResult]
    set_aside: pd.DataFrame  # source_file, source_row, reason, detail, raw_values
    warnings: list[str] = field(default_factory=list)  # for the run summary


def clean_instrument(
    files: list[Path],
    codebook: Codebook,
    matcher: AgencyMatcher,
    year: int,
    folder: Path,
    root: Path | None = None,
) -> InstrumentResult:
    """Clean every file of one instrument for one year and apply the cross-file rules."""
    settings = config.pipeline(root)["cleaning"]
    scales = config.scales(root)
    pins = load_pins(folder, codebook.instrument)
    check_pins(pins, codebook, folder / PINS_FILE)
    headers = header_matcher(codebook, pins, root)
    results = []
    for order, path in enumerate(files):
        name = path.relative_to(folder.parent).as_posix()
        try:
            table = read_raw(path)
        except StructuralError as exc:  # name the file as the evaluator knows it
            raise exc.located(file=name) from None
        result = clean_file(
            table, codebook, matcher, year, name, scales, settings["agency_suggestions"], headers
        )
        check_year_folder(result, codebook, year, settings.get("fiscal_year_grace_days", 0))
        result.kept["_file_order"] = order
        results.append(result)
    schema = processed_schema(codebook, scales, matcher)
    if not results:
        return InstrumentResult(codebook.instrument, empty_frame(schema), [], _empty_aside())
    kept = pd.concat([r.kept for r in results], ignore_index=True)
    final, year_aside, warnings = _year_level_rules(
        kept, codebook, year, settings.get("fiscal_year_grace_days", 0)
    )
    if codebook.id_column == "fiscal_year":
        final = final.drop(columns="fiscal_year").rename(
            columns={"fiscal_year_reported": "fiscal_year"}
        )
    final = final.drop(columns="_file_order").reset_index(drop=True)
    try:
        final = schema.validate(final, lazy=True)
    except Exception as exc:  # pandera.errors.SchemaErrors: a cleaning bug, not an input fault
        raise RuntimeError(
            f"Cleaned {codebook.instrument} data break the declared schema; "
            f"nothing was written.\n{exc}"
        ) from exc
    set_aside = pd.concat([*(r.set_aside for r in results), year_aside], ignore_index=True)
    set_aside = _attach_raw(set_aside, results, matcher)
    for result in results:
        warnings += result.warnings
        for column, closest in result.missing_columns:
            warnings.append(_missing_warning(result.file, codebook.column(column), closest))
    return InstrumentResult(codebook.instrument, final, results, set_aside, warnings)


def _missing_warning(file: str, column: Column, closest: list[tuple[str, float]]) -> str:
    text = f"{file}: no column for '{column.name}' ({column.en}); its values are missing"
    if closest:
        text += "; closest unmatched headers: " + ", ".join(
            f"'{h}' ({score:.0f})" for h, score in closest
        )
    return text


_ASIDE_TEXT = ("source_file", "reason", "detail", "raw_values", "agency_code")


def _empty_aside() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in _ASIDE_TEXT}).assign(
        source_row=pd.Series(dtype="int64")
    )


def _attach_raw(
    set_aside: pd.DataFrame, results: list[FileResult], matcher: AgencyMatcher
) -> pd.DataFrame:
    """Add each set-aside row's raw values (as JSON, identifiers scrubbed) for follow-up, and
    its agency code where the raw agency names a registry agency (for per-agency reports)."""
    if set_aside.empty:
        return _empty_aside()
    raw = {r.file: r.raw for r in results}

    def agency(row: pd.Series) -> str | None:
        frame = raw[row.source_file]
        if "agency" not in frame:
            return None
        value = frame.at[row.source_row, "agency"]
        return matcher.match(value) if value else None

    def as_json(row: pd.Series) -> str:
        values = raw[row.source_file].loc[row.source_row]
        return json.dumps({k: scrub(v)[0] for k, v in values.items() if v}, ensure_ascii=False)

    set_aside = set_aside.copy()
    set_aside["raw_values"] = set_aside.apply(as_json, axis=1) if len(set_aside) else []
    set_aside["agency_code"] = pd.array(set_aside.apply(agency, axis=1), dtype="string")
    set_aside["detail"] = set_aside["detail"].fillna("").astype(str)
    return set_aside.sort_values(["source_file", "source_row"], ignore_index=True)


# ----------------------------------------------------------------------------- one year


@dataclass
class CleanResult:
    """The cleaned year: tables by instrument, the ledger and what was set aside."""

    year: int
    folder: Path
    tables: dict[str, pd.DataFrame]
    ledger: pd.DataFrame
    set_aside: pd.DataFrame
    value_issues: pd.DataFrame
    inputs: dict[str, str]  # file -> sha256
    warnings: list[str] = field(default_factory=list)  # coverage, double counts: run summary
    header_map: pd.DataFrame = field(default_factory=pd.DataFrame)  # every header, how read
    repairs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REPAIR_COLUMNS))

    def reasons(self) -> pd.DataFrame:
        """Rows set aside, by instrument and reason, with Thai and English labels."""
        if self.set_aside.empty:
            return pd.DataFrame(columns=["instrument", "reason", "rows", "th", "en"])
        counts = (
            self.set_aside.groupby(["instrument", "reason"]).size().rename("rows").reset_index()
        )
        counts["th"] = counts["reason"].map(lambda r: REASONS[r][0])
        counts["en"] = counts["reason"].map(lambda r: REASONS[r][1])
        return counts

    def unknown_agencies(self) -> pd.DataFrame:
        """Agency names that matched nothing, with how often and the closest registry entries."""
        reasons = ["unknown_agency", *AGENCY_REASONS.values()]
        rows = self.set_aside[self.set_aside["reason"].isin(reasons)]
        if rows.empty:
            return pd.DataFrame(columns=["instrument", "value", "closest", "rows"])
        parts = rows["detail"].str.extract(
            r"^'(?P<value>.*)' (?:is not in the registry; closest|fits more than one agency|"
            r"names one agency by its code and another by its name): (?P<closest>.*)$"
        )
        return (
            parts.assign(instrument=rows["instrument"].values)
            .groupby(["instrument", "value", "closest"])
            .size()
            .rename("rows")
            .reset_index()
        )


def build_ledger(results: dict[str, InstrumentResult]) -> pd.DataFrame:
    """One row per input file: rows read, kept and set aside (by reason)."""
    records = []
    for inst in results.values():
        per_file = inst.set_aside.groupby(["source_file", "reason"]).size()
        kept = (
            inst.data["source_file"].value_counts() if len(inst.data) else pd.Series(dtype="int64")
        )
        for f in inst.files:
            reasons = per_file.get(f.file, pd.Series(dtype="int64"))
            record = {
                "instrument": inst.instrument,
                "file": f.file,
                "encoding": f.encoding,
                "rows_read": f.rows_read,
                "rows_kept": int(kept.get(f.file, 0)),
                "rows_set_aside": int(reasons.sum()),
                **{reason: int(reasons.get(reason, 0)) for reason in REASONS},
                "value_issues": len(f.value_issues),
                "cells_repaired": len(f.repairs),
                "identifier_columns_dropped": "; ".join(f.identifier_columns),
                "extra_columns_ignored": "; ".join(f.extra_columns),
                "identifiers_scrubbed_from_text": f.identifiers_scrubbed,
                "values_pseudonymised": f.values_pseudonymised,
                "columns_matched": sum(m.column is not None for m in f.header_matches),
                "columns_matched_by_similarity_or_pin": "; ".join(
                    scrub(m.describe())[0] for m in f.header_matches if m.how in {"fuzzy", "pinned"}
                ),
                "columns_missing": "; ".join(column for column, _ in f.missing_columns),
                "agencies_matched_by_similarity": "; ".join(
                    scrub(text)[0] for text in f.agencies_by_similarity
                ),
                "notes": "; ".join(scrub(note)[0] for note in f.notes),
            }
            records.append(record)
    ledger = pd.DataFrame(records)
    if ledger.empty:
        return ledger
    broken = ledger[ledger["rows_read"] != ledger["rows_kept"] + ledger["rows_set_aside"]]
    if len(broken):
        raise RuntimeError(
            "Row ledger does not balance (rows read != kept + set aside) for "
            + ", ".join(broken["file"])
            + "; nothing was written."
        )
    return ledger


def _year_files(be: int, root: Path | None) -> tuple[Path, dict[str, list[Path]]]:
    """The year folder and its input files by instrument; an empty folder stops the year."""
    folder = paths.find_year_folder(be, root)
    files = discover_files(folder, root)
    if not any(files.values()):
        raise StructuralError(
            f"the folder of fiscal year {be} holds no input files",
            file=folder,
            expected="the year's survey and return files (names in data/raw/README.md)",
            hint="Put the files in this folder, or remove the empty folder",
        )
    return folder, files


def clean_year(year: int, root: Path | None = None) -> CleanResult:
    """Read and clean every raw file of a fiscal year (B.E.). Writes nothing."""
    be = year
    folder, files = _year_files(be, root)
    agencies = config.pipeline(root)["cleaning"].get("agencies", {})
    matcher = AgencyMatcher(
        load_registry(root),
        fuzzy_threshold=float(agencies.get("fuzzy_threshold", 90)),
        fuzzy_margin=float(agencies.get("fuzzy_margin", 5)),
    )
    results = {
        inst: clean_instrument(paths_, config.codebook(inst, root), matcher, be, folder, root)
        for inst, paths_ in files.items()
    }
    ledger = build_ledger(results)
    set_aside = pd.concat(
        [r.set_aside.assign(instrument=name) for name, r in results.items()], ignore_index=True
    )
    issues = [
        f.value_issues.assign(instrument=name)
        for name, r in results.items()
        for f in r.files
        if len(f.value_issues)
    ]
    value_issues = (
        pd.concat(issues, ignore_index=True)
        if issues
        else pd.DataFrame(columns=["instrument", *ISSUE_COLUMNS])
    )
    inputs = {
        p.relative_to(folder.parent).as_posix(): hashing.sha256_file(p)
        for paths_ in files.values()
        for p in paths_
    }
    return CleanResult(
        be,
        folder,
        {n: r.data for n, r in results.items()},
        ledger,
        set_aside,
        value_issues,
        inputs,
        warnings=[scrub(w)[0] for r in results.values() for w in r.warnings],
        header_map=build_header_map(results),
        repairs=pd.concat(
            [_repairs_frame(f) for r in results.values() for f in r.files]
            or [pd.DataFrame(columns=REPAIR_COLUMNS)],
            ignore_index=True,
        ),
    )


def _repairs_frame(result: FileResult) -> pd.DataFrame:
    return result.repairs.astype({"source_row": "int64"})


HEADER_MAP_COLUMNS = ["instrument", "file", "position", "header", "column", "how", "score"]


def build_header_map(results: dict[str, InstrumentResult]) -> pd.DataFrame:
    """Every header of every file and what it was read as (``header_map.parquet``)."""
    rows = [
        {
            "instrument": inst.instrument,
            "file": f.file,
            "position": m.position + 1,
            "header": scrub(m.header)[0],
            "column": m.column,
            "how": m.how,
            "score": m.score,
        }
        for inst in results.values()
        for f in inst.files
        for m in f.header_matches
    ]
    frame = pd.DataFrame(rows, columns=HEADER_MAP_COLUMNS)
    return frame.astype({"position": "int64", "score": "float64"})


@dataclass
class FileColumns:
    """How one file's headers would be read: for ``workbook columns``."""

    instrument: str
    file: str
    sheet: str | None
    header_row: int
    matches: list[HeaderMatch]
    missing: list[tuple[Column, list[tuple[str, float]]]]  # columns no header names


def review_columns(year: int, root: Path | None = None) -> list[FileColumns]:
    """Read every file's header of a year as cleaning would (pinned headers included), without
    cleaning: what ``workbook columns`` prints for review."""
    be = year
    folder, files = _year_files(be, root)
    out = []
    for instrument, paths_ in files.items():
        codebook = config.codebook(instrument, root)
        pins = load_pins(folder, instrument)
        check_pins(pins, codebook, folder / PINS_FILE)
        headers = header_matcher(codebook, pins, root)
        for path in paths_:
            name = path.relative_to(folder.parent).as_posix()
            try:
                table = locate_answers(read_raw(path), codebook, name, headers)
            except StructuralError as exc:
                raise exc.located(file=name) from None
            matches = headers.match(table.header)
            found = {m.column for m in matches}
            unmatched = [m.header for m in matches if m.column is None and m.header]
            missing = [
                (c, headers.closest_headers(c.name, unmatched))
                for c in codebook.columns
                if c.name not in found and c.name != codebook.version_column
            ]
            out.append(
                FileColumns(instrument, name, table.sheet, table.header_row, matches, missing)
            )
    return out


def output_dir(year: int, root: Path | None = None) -> Path:
    return paths.processed_dir(year, "clean", root)


def read_clean(year: int, instrument: str, root: Path | None = None) -> pd.DataFrame:
    """One instrument's cleaned table for a year, as the cleaning stage wrote it."""
    path = output_dir(year, root) / f"{instrument}.parquet"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: run the cleaning stage for {year} first "
            f"(workbook run --year {year} --stage clean)."
        )
    return pd.read_parquet(path)


def write_clean_year(result: CleanResult, root: Path | None = None) -> Path:
    """Write the cleaned year to ``data/processed/<year>/clean/`` in one atomic swap."""
    target = output_dir(result.year, root)
    staging = atomic.staging_dir(target)
    for name, table in result.tables.items():
        table.to_parquet(staging / f"{name}.parquet", index=False)
    result.ledger.to_parquet(staging / "ledger.parquet", index=False)
    result.ledger.to_csv(staging / "ledger.csv", index=False)
    result.header_map.to_parquet(staging / "header_map.parquet", index=False)
    result.repairs.to_parquet(staging / "repairs.parquet", index=False)
    result.set_aside.astype({"source_row": "int64"}).to_parquet(
        staging / "set_aside.parquet", index=False
    )
    result.value_issues.astype({"source_row": "int64"}).to_parquet(
        staging / "value_issues.parquet", index=False
    )
    summary = {
        "fiscal_year": result.year,
        "raw_folder": result.folder.name,
        "inputs_sha256": result.inputs,
        "rows": {name: len(t) for name, t in result.tables.items()},
        "rows_read": int(result.ledger["rows_read"].sum()) if len(result.ledger) else 0,
        "rows_set_aside": int(result.ledger["rows_set_aside"].sum()) if len(result.ledger) else 0,
        "instruments_without_files": [
            n for n, t in result.tables.items() if n not in set(result.ledger.get("instrument", []))
        ],
        "warnings": result.warnings,
    }
    (staging / "summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return atomic.replace_dir_atomic(staging, target)


def input_summary(year: int, root: Path | None = None) -> list[str]:
    """What cleaning made of each raw file of a year, and its warnings: lines for the run
    summary of ``workbook run`` (read from the written ledger and summary.json)."""
    folder = output_dir(year, root)
    ledger = pd.read_csv(folder / "ledger.csv", keep_default_na=False)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    lines = [f"inputs {years.label(year, 'en')} (raw folder {summary['raw_folder']}):"]
    for row in ledger.to_dict("records"):
        reasons = ", ".join(f"{r} {row[r]:,}" for r in REASONS if row.get(r))
        matched = f"{row['columns_matched']} columns matched"
        others = row.get("columns_matched_by_similarity_or_pin", "")
        if others:
            matched += f" ({len(others.split('; '))} by similarity or pin)"
        parts = [
            f"read {row['rows_read']:,}",
            f"kept {row['rows_kept']:,}",
            f"set aside {row['rows_set_aside']:,}" + (f" ({reasons})" if reasons else ""),
            matched,
        ]
        if row.get("columns_missing"):
            parts.append(f"missing: {row['columns_missing']}")
        for column, what in (
            ("cells_repaired", "cells repaired"),
            ("value_issues", "values unreadable (listed)"),
            ("identifiers_scrubbed_from_text", "identifiers removed from text"),
            ("values_pseudonymised", "national ID numbers replaced by pseudonyms"),
        ):
            if row.get(column):
                parts.append(f"{row[column]:,} {what}")
        lines.append(f"  {row['file']} [{row['encoding']}]: " + "; ".join(parts))
    lines += [f"  WARNING {w}" for w in summary.get("warnings", [])]
    return lines


def run_cleaning(year: int, root: Path | None = None) -> CleanResult:
    """Clean a fiscal year and write the result (what the cleaning notebook calls)."""
    result = clean_year(year, root)
    write_clean_year(result, root)
    return result


def respondents_by_agency(
    result: CleanResult, registry: pd.DataFrame, min_respondents: int
) -> pd.DataFrame:
    """Kept responses per agency and survey, flagged where below the reporting threshold."""
    counts = {
        name: result.tables[name]["agency"].value_counts()
        for name in ("staff_survey", "citizen_survey")
        if name in result.tables
    }
    frame = pd.DataFrame(counts).reindex(registry["agency_code"]).fillna(0).astype(int)
    frame = frame[(frame > 0).any(axis=1)]
    names = registry.set_index("agency_code")["name_th"]
    frame.insert(0, "name_th", names.reindex(frame.index))
    frame["below_threshold"] = (frame[list(counts)] < min_respondents).any(axis=1)
    return frame.rename_axis("agency_code").reset_index()
