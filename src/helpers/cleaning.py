"""The cleaning stage: raw files of one fiscal year -> validated tables in ``data/processed``.

Every raw row is accounted for: it is kept, or set aside with a reason. For every input file
the ledger holds ``rows_read = rows_kept + rows_set_aside``. Raw files are only read.

Rules, in the order they are applied to a row (a row gets the first reason that applies):

1. ``blank_row``: every cell empty.
2. ``unknown_agency``: the agency does not match the registry (closest names in the detail).
3. ``missing_required_value`` / ``invalid_required_value``: a required column is empty or
   unreadable (optional columns with unreadable values are kept with the value missing and the
   cell listed in ``value_issues``).
4. ``outside_fiscal_year``: the answer is dated outside the fiscal year (surveys), or the return
   names another fiscal year (OCSC return).
5. ``no_answers``: a survey response with no answer to any question.
6. ``duplicate_submission`` (surveys: same response id, or an identical row; the latest is kept)
   or ``superseded_submission`` (returns: a later return for the same agency or year replaces it).

Structural problems (unreadable file, missing required column, unknown form version, a file that
belongs to no instrument) raise ``StructuralError`` and nothing is written.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers import config, io, paths, years
from helpers.config import Codebook
from helpers.errors import StructuralError
from helpers.normalise import identifiers_scrubbed, normalise_series, normaliser_for
from helpers.privacy import scrub
from helpers.readers import SUPPORTED, RawTable, read_raw
from helpers.reasons import REASONS
from helpers.registry import AgencyMatcher, load_registry
from helpers.schema import empty_frame, processed_schema
from helpers.thai import match_key

ANSWER_TYPES = {"likert", "binary", "score"}
_YEAR_FOLDER = re.compile(r"^\d{4}$")


# ----------------------------------------------------------------------------- year folders


def find_year_folder(year: int, root: Path | None = None) -> Path:
    """``data/raw/2565`` or ``data/raw/2022`` for fiscal year 2565 (B.E. or C.E. name)."""
    raw = paths.resolve(config.pipeline(root)["paths"]["raw"], root)
    be = years.to_be(year)
    found = [raw / name for name in (str(be), str(be - years.BE_OFFSET)) if (raw / name).is_dir()]
    if not found:
        raise StructuralError(
            f"no raw data folder for fiscal year {be}",
            file=raw,
            expected=f"a folder named {be} (B.E.) or {be - years.BE_OFFSET} (C.E.)",
            hint=f"Years found: {', '.join(map(str, list_years(root))) or 'none'}",
        )
    if len(found) > 1:
        raise StructuralError(
            f"two folders hold fiscal year {be}: {found[0].name} and {found[1].name}",
            file=raw,
            expected="one folder per fiscal year",
            hint="Merge them into one folder",
        )
    return found[0]


def list_years(root: Path | None = None) -> list[int]:
    """Fiscal years (B.E.) that have a raw data folder."""
    raw = paths.resolve(config.pipeline(root)["paths"]["raw"], root)
    if not raw.is_dir():
        return []
    return sorted(
        {
            years.to_be(int(p.name))
            for p in raw.iterdir()
            if p.is_dir() and _YEAR_FOLDER.match(p.name)
        }
    )


def is_ignored(path: Path, folder: Path, patterns: list[str]) -> bool:
    """Whether a file in a year folder is never an input (config `cleaning.ignore`)."""
    parts = path.relative_to(folder).parts
    return any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in patterns)


def discover_files(folder: Path, root: Path | None = None) -> dict[str, list[Path]]:
    """Input files of a year folder, by instrument. Unknown files stop the run."""
    settings = config.pipeline(root)["cleaning"]
    books = config.codebooks(root)
    found: dict[str, list[Path]] = {name: [] for name in books}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if is_ignored(path, folder, settings["ignore"]):
            continue
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


def map_header(table: RawTable, codebook: Codebook, file: str) -> tuple[dict, list, list]:
    """Match raw headers to codebook columns; returns (position -> column, identifier headers,
    extra headers). Missing required columns and ambiguous headers stop the run."""
    lookup: dict[str, str] = {}
    for column in codebook.columns:
        for label in (column.name, column.th, *column.aliases):
            lookup.setdefault(match_key(label), column.name)
    identifiers = {match_key(c) for c in codebook.identifier_columns}
    mapping: dict[int, str] = {}
    identifier_headers, extras = [], []
    for position, header in enumerate(table.header):
        key = match_key(header)
        if key in lookup:
            name = lookup[key]
            if name in mapping.values():
                first = table.header[next(p for p, n in mapping.items() if n == name)]
                raise StructuralError(
                    f"two columns, '{first}' and '{header}', both hold '{name}'",
                    file=file,
                    column=header,
                    expected="each question in one column only",
                )
            mapping[position] = name
        elif key in identifiers:
            identifier_headers.append(header)
        elif key or (table.rows[position] != "").any():
            extras.append(header or f"(no header, column {position + 1})")
    missing = [c for c in codebook.columns if c.required and c.name not in mapping.values()]
    if missing:
        column = missing[0]
        accepted = ", ".join(dict.fromkeys([column.name, column.th, *column.aliases]))
        raise StructuralError(
            f"required column '{column.name}' ({column.th}) is missing from this "
            f"{codebook.en.lower()} file",
            file=file,
            expected=f"a column headed one of: {accepted}",
            hint=f"Columns found: {', '.join(h for h in table.header if h) or 'none'}",
        )
    return mapping, identifier_headers, extras


def _check_version(raw: pd.DataFrame, codebook: Codebook, file: str) -> None:
    if codebook.version_column not in raw:
        return
    values = raw[codebook.version_column]
    bad = values[(values != "") & ~values.isin(codebook.versions)]
    if len(bad):
        raise StructuralError(
            f"unknown {codebook.en.lower()} form version",
            file=file,
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
) -> FileResult:
    """Normalise one raw file to its codebook; rows that cannot be used are set aside."""
    scales = scales or config.scales()
    mapping, identifier_headers, extras = map_header(table, codebook, file)
    raw = pd.DataFrame(
        {name: table.rows[pos] for pos, name in mapping.items()}, index=table.rows.index
    )
    _check_version(raw, codebook, file)

    blank = (
        (table.rows == "").all(axis=1)
        if table.rows.shape[1]
        else pd.Series(True, index=table.rows.index)
    )
    aside = [_aside(file, table.rows.index[blank], "blank_row", "")]
    alive = ~blank
    kept = pd.DataFrame(index=table.rows.index)
    issues = []
    for column in codebook.columns:
        normaliser = normaliser_for(column, scales, matcher)
        if column.name not in raw:
            kept[column.name] = pd.Series(pd.NA, index=kept.index, dtype=normaliser.dtype)
            continue
        values, invalid = normalise_series(raw[column.name], normaliser)
        kept[column.name] = values
        if column.required:
            empty = alive & (raw[column.name] == "")
            bad = alive & invalid
            if column.type == "agency":
                details = raw[column.name][bad].map(
                    lambda v: (
                        f"'{v}' is not in the registry; closest: "
                        + ("; ".join(matcher.suggestions(v, suggestions)) or "none")
                    )
                )
                aside.append(_aside(file, kept.index[bad], "unknown_agency", details))
            else:
                details = raw[column.name][bad].map(
                    lambda v, c=column, n=normaliser: f"{c.name}: '{v}'; expected {n.expected}"
                )
                aside.append(_aside(file, kept.index[bad], "invalid_required_value", details))
            aside.append(
                _aside(file, kept.index[empty], "missing_required_value", f"{column.name} is empty")
            )
            alive &= ~(empty | bad)
        elif invalid.any():
            cells = alive & invalid
            values = raw[column.name][cells].map(lambda v: scrub(v)[0])
            issues.append(
                _issues(file, kept.index[cells], column.name, values, normaliser.expected)
            )
    issues_frame = _consistency(kept, alive, file, codebook, scales, issues)
    if "fiscal_year" in codebook.names:  # the OCSC return states its year; keep it apart
        kept = kept.rename(columns={"fiscal_year": "fiscal_year_reported"})
    scrubbed = sum(
        identifiers_scrubbed(raw[c.name][alive])
        for c in codebook.columns
        if c.type == "free_text" and c.name in raw
    )
    kept["fiscal_year"] = pd.array([years.to_be(year)] * len(kept), dtype="Int64")
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
        identifier_columns=identifier_headers,
        extra_columns=extras,
        identifiers_scrubbed=scrubbed,
    )


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
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rules that look across rows and files: fiscal year, empty responses, duplicates."""
    be = years.to_be(year)
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
        grace = pd.Timedelta(days=grace_days)
        dates = kept[codebook.date_column]
        outside = dates.notna() & (
            (dates < pd.Timestamp(start) - grace)
            | (dates >= pd.Timestamp(end) + pd.Timedelta(days=1) + grace)
        )
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
    if codebook.unit == "respondent":
        reason = "duplicate_submission"
        has_id = live[key].notna()
        content = [c.name for c in codebook.columns]
        dupes = (has_id & live.duplicated(key, keep="last")) | (
            ~has_id & live.duplicated(content, keep="last")
        )
    else:
        reason = "superseded_submission"
        dupes = live.duplicated(key, keep="last")
    keeper = live[~dupes]
    if dupes.any():
        where = keeper.dropna(subset=[key]).set_index(key)
        where = (where["source_file"] + " row " + where["source_row"].astype(str)).to_dict()
        detail = live.loc[dupes, key].map(
            lambda v: f"{key} {v}; kept the later one in {where.get(v, 'an identical row')}"
        )
        aside.append(
            live.loc[dupes, ["source_file", "source_row"]].assign(
                reason=reason, detail=detail.fillna("identical to a later row")
            )
        )
    final = keeper.sort_values(["_file_order", "source_row"], kind="stable")
    columns = ["source_file", "source_row", "reason", "detail"]
    return final, pd.concat(aside, ignore_index=True) if aside else pd.DataFrame(columns=columns)


@dataclass
class InstrumentResult:
    instrument: str
    data: pd.DataFrame
    files: list[FileResult]
    set_aside: pd.DataFrame  # source_file, source_row, reason, detail, raw_values


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
    results = []
    for order, path in enumerate(files):
        name = path.relative_to(folder.parent).as_posix()
        try:
            table = read_raw(path)
        except StructuralError as exc:  # name the file as the evaluator knows it
            raise StructuralError(
                exc.problem,
                file=name,
                row=exc.row,
                column=exc.column,
                value=exc.value,
                expected=exc.expected,
                hint=exc.hint,
            ) from None
        result = clean_file(
            table, codebook, matcher, year, name, scales, settings["agency_suggestions"]
        )
        result.kept["_file_order"] = order
        results.append(result)
    schema = processed_schema(codebook, scales, matcher)
    if not results:
        return InstrumentResult(codebook.instrument, empty_frame(schema), [], _empty_aside())
    kept = pd.concat([r.kept for r in results], ignore_index=True)
    final, year_aside = _year_level_rules(
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
    return InstrumentResult(codebook.instrument, final, results, set_aside)


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
        rows = self.set_aside[self.set_aside["reason"] == "unknown_agency"]
        if rows.empty:
            return pd.DataFrame(columns=["instrument", "value", "closest", "rows"])
        parts = rows["detail"].str.extract(
            r"^'(?P<value>.*)' is not in the registry; "
            r"closest: (?P<closest>.*)$"
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
                "identifier_columns_dropped": "; ".join(f.identifier_columns),
                "extra_columns_ignored": "; ".join(f.extra_columns),
                "identifiers_scrubbed_from_text": f.identifiers_scrubbed,
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


def clean_year(year: int, root: Path | None = None) -> CleanResult:
    """Read and clean every raw file of a fiscal year (B.E. or C.E.). Writes nothing."""
    be = years.to_be(year)
    folder = find_year_folder(be, root)
    files = discover_files(folder, root)
    matcher = AgencyMatcher(load_registry(root))
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
        p.relative_to(folder.parent).as_posix(): io.sha256_file(p)
        for paths_ in files.values()
        for p in paths_
    }
    return CleanResult(
        be, folder, {n: r.data for n, r in results.items()}, ledger, set_aside, value_issues, inputs
    )


def output_dir(year: int, root: Path | None = None) -> Path:
    return paths.processed_dir(year, "clean", root)


def read_clean(year: int, instrument: str, root: Path | None = None) -> pd.DataFrame:
    """One instrument's cleaned table for a year, as the cleaning stage wrote it."""
    path = output_dir(year, root) / f"{instrument}.parquet"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: run the cleaning stage for {year} first "
            f"(workbook run --year {years.to_be(year)} --stage clean)."
        )
    return pd.read_parquet(path)


def write_clean_year(result: CleanResult, root: Path | None = None) -> Path:
    """Write the cleaned year to ``data/processed/<year>/clean/`` in one atomic swap."""
    target = output_dir(result.year, root)
    staging = io.staging_dir(target)
    for name, table in result.tables.items():
        table.to_parquet(staging / f"{name}.parquet", index=False)
    result.ledger.to_parquet(staging / "ledger.parquet", index=False)
    result.ledger.to_csv(staging / "ledger.csv", index=False)
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
    }
    (staging / "summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return io.replace_dir_atomic(staging, target)


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
