"""The workbook's stages declared to the build engine (:mod:`helpers.build.registry`).

``config/pipeline.yaml`` lists the stages; this module registers what their names mean: the
years that have raw data, the agencies a year's reports fan out to, the inputs ``raw``,
``registry`` and ``agency_view``, the page titles, the HTML exporter, and what runs after the
reports (the Excel workbook of each year, the site index, then the confidentiality audit).
Domain imports are deferred to the functions so that a worker that only checks fingerprints
does not import the reports.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers.build.registry import InputContext, Registry
from helpers.core import config, paths
from helpers.core.hashing import ABSENT


def register(registries: dict[str, Registry]) -> None:
    """Fill the engine's registries with the workbook's implementations."""
    registries["discoveries"].register("years", raw_years)
    registries["fan_outs"].register("agency", report_agencies)
    registries["input_kinds"].register("raw", raw_inputs)
    registries["input_kinds"].register("registry", registry_input)
    registries["input_kinds"].register("agency_view", agency_view)
    registries["titles"].register("agency_report", agency_title)
    registries["titles"].register("overview", overview_title)
    registries["exporters"].register("html", html_page)
    registries["finishers"].register("workbook", write_workbooks)
    registries["finishers"].register("index", write_index)
    registries["finishers"].register("audit", audit_outputs)


# ----------------------------------------------------------------------------- units


def raw_years(root: Path) -> list[int]:
    """Fiscal years (B.E.) that have a raw data folder."""
    return paths.raw_years(root)


def report_agencies(year: int, root: Path) -> list[str]:
    """Agencies with data in the year: one report each."""
    # deferred: checking fingerprints must not import the reports (see the module docstring)
    from helpers.reports.tables import report_agencies as agencies

    return agencies(year, root)


# ----------------------------------------------------------------------------- inputs


def raw_inputs(context: InputContext) -> dict[str, str]:
    """{path: hash} of the year's raw input files and pinned headers (or the folder error)."""
    # deferred: checking fingerprints must not import the reports (see the module docstring)
    from helpers.core.errors import StructuralError
    from helpers.ingest.cleaning import year_files
    from helpers.ingest.headers import PINS_FILE

    try:
        folder = paths.find_year_folder(context.year, context.root)
    except StructuralError as exc:
        return {"error": str(exc)}
    files = year_files(folder, context.root)
    pins = folder / PINS_FILE  # an evaluator's pinned headers change how files are read
    return context.hashes.tree([*files, pins] if pins.is_file() else files, context.root)


def registry_input(context: InputContext) -> str:
    """The hash of the agency registry file."""
    registry = paths.resolve(config.pipeline(context.root)["paths"]["registry"], context.root)
    return context.hashes(registry)


def agency_view(context: InputContext) -> str:
    """A hash of exactly what the agency's report shows (:mod:`helpers.reports.digests`),
    computed once per year and run."""
    # deferred: checking fingerprints must not import the reports (see the module docstring)
    from helpers.reports.digests import agency_digests
    from helpers.reports.tables import ReportError

    memo = ("agency_view", context.year)
    if memo not in context.cache:
        try:
            context.cache[memo] = agency_digests(context.year, context.root)
        except ReportError:
            context.cache[memo] = {}
    return context.cache[memo].get(context.key or "", ABSENT)


# ----------------------------------------------------------------------------- pages


def agency_title(year: int, agency: str | None, root: Path) -> str:
    # deferred: checking fingerprints must not import the reports (see the module docstring)
    from helpers.reports.tables import agency_title as title

    return title(year, agency or "", root)


def overview_title(year: int, _key: str | None, _root: Path) -> str:
    # deferred: checking fingerprints must not import the reports (see the module docstring)
    from helpers.reports.tables import overview_title as title

    return title(year)


def html_page(notebook: Any, title: str) -> str:
    """An executed report notebook as a self-contained page."""
    # deferred: checking fingerprints must not import the reports (see the module docstring)
    from helpers.reports.htmlexport import notebook_to_html

    return notebook_to_html(notebook, title)


# ----------------------------------------------------------------------------- after the reports


def workbook_fingerprint(year: int, root: Path) -> str:
    """What the year's Excel workbook is made from: the tables and configuration it reads
    (:func:`helpers.reports.workbook_xlsx.workbook_inputs`) and the code that writes it."""
    # deferred: checking fingerprints must not import the reports (see the module docstring)
    from helpers.build.fingerprint import CodeIndex, FileHashes
    from helpers.core.hashing import digest_json
    from helpers.reports import workbook_xlsx

    package = Path(workbook_xlsx.__file__).parents[1]
    code = CodeIndex(package, FileHashes()).digest([], [workbook_xlsx.write_workbook])
    return digest_json({"inputs": workbook_xlsx.workbook_inputs(year, root), "code": code})


def write_workbooks(
    years: list[int],
    root: Path,
    say: Callable[..., None],
    *,
    rebuilt: bool,
    previous: dict[str, Any] | None,
) -> tuple[list[str], dict[str, Any]]:
    """Write ``reports/<year>/hrd_indicators_<year>.xlsx`` for each year with an indicator
    table, unless its fingerprint (:func:`workbook_fingerprint`) and the file's hash are those
    the last run recorded. The record keeps the years of earlier runs."""
    # deferred: checking fingerprints must not import the reports (see the module docstring)
    from helpers.core.hashing import sha256_file
    from helpers.reports import workbook_xlsx

    last = dict(((previous or {}).get("workbook") or {}).get("years") or {})
    record: dict[str, Any] = {"years": last}
    problems: list[str] = []
    for year in years:
        if not (paths.processed_dir(year, "indicators", root) / "indicators.parquet").is_file():
            continue
        target = workbook_xlsx.workbook_path(year, root)
        fingerprint = workbook_fingerprint(year, root)
        before = last.get(str(year)) or {}
        if (
            target.is_file()
            and before.get("fingerprint") == fingerprint
            and before.get("output") == sha256_file(target)
        ):
            say(f"workbook {year} up to date", show=False)
            record["years"][str(year)] = {**before, "built": False}
            continue
        try:
            path = workbook_xlsx.write_workbook(year, root)
        except Exception as exc:  # one year's failure is reported; the others are written
            problems.append(f"workbook {year}: {type(exc).__name__}: {exc}")
            say(f"workbook {year} FAILED: {type(exc).__name__}: {exc}")
            record["years"].pop(str(year), None)
            continue
        record["years"][str(year)] = {
            "fingerprint": fingerprint,
            "output": sha256_file(path),
            "built": True,
        }
        say(f"workbook -> {path.relative_to(root)}", quiet=True)
    return problems, record


def write_index(
    years: list[int], root: Path, say: Callable[..., None], **_: Any
) -> tuple[list[str], None]:
    """Write ``reports/index.html`` listing every report."""
    # deferred: checking fingerprints must not import the reports (see the module docstring)
    from helpers.reports.site_index import write_index as write

    path = write(root)
    say(f"index -> {path.relative_to(root)}", quiet=True)
    return [], None


def audit_side_by_side(years: list[int] | None, root: Path | None = None) -> Any:
    """The confidentiality audit of ``years`` (None: every year), its files checked side by
    side, one worker process per core (the engine's local pool); its AuditResult."""
    # deferred: checking fingerprints must not import the reports (see the module docstring)
    from helpers.audit import confidentiality
    from helpers.build.executors import LocalExecutor

    pool = LocalExecutor(
        os.cpu_count() or 1, preload=["helpers.audit.confidentiality", "helpers.audit.workbook"]
    )
    try:
        return confidentiality.audit(years, root, pool=pool)
    finally:
        pool.close()


def audit_outputs(
    years: list[int],
    root: Path,
    say: Callable[..., None],
    *,
    rebuilt: bool,
    previous: dict[str, Any] | None,
) -> tuple[list[str], dict[str, Any]]:
    """Scan the published outputs of the run's years (and the index) for confidentiality
    breaches; any finding is a problem of the run. Not repeated when nothing was rebuilt since
    an audit of these years found nothing (a changed output is never skipped: it no longer
    matches its build record, so it is rebuilt)."""
    # deferred: checking fingerprints must not import the reports (see the module docstring)
    from helpers.audit import confidentiality
    from helpers.core.hashing import sha256_file
    from helpers.reports.workbook_xlsx import workbook_path

    last = (previous or {}).get("audit") or {}
    # a workbook is written by a finisher, not a unit: one changed since the last audit counts
    books = {str(y): sha256_file(p) for y in years if (p := workbook_path(y, root)).is_file()}
    seen = last.get("workbooks") or {}
    same_books = all(seen.get(y) == h for y, h in books.items())
    if (
        not rebuilt
        and same_books
        and last.get("findings") == {}
        and set(years) <= set(last.get("years", []))
    ):
        say("audit: nothing rebuilt since the last audit found nothing; not repeated")
        return [], {**last, "repeated": False}
    result = audit_side_by_side(years, root)
    record = {
        "outputs": len(result.files),
        "findings": result.counts(),
        "years": result.years,
        "seconds": round(result.seconds, 3),
        "workbooks": {**seen, **books},
    }
    lines = confidentiality.format_result(result).splitlines()
    for line in lines[:-1]:
        say(line, show=False)
    say(lines[-1])
    if result.ok:
        return [], record
    return [
        f"the audit found {len(result.findings)} confidentiality finding(s) in the "
        "published outputs; they are listed in the log and by `workbook audit`"
    ], record
