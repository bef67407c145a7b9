"""The workbook's stages declared to the build engine (:mod:`helpers.build.registry`).

``config/pipeline.yaml`` lists the stages; this module registers what their names mean: the
years that have raw data, the agencies a year's reports fan out to, the inputs ``raw``,
``registry`` and ``agency_view``, the page titles, the HTML exporter, and what runs after the
reports (the site index, then the confidentiality audit). Domain imports are deferred to the
functions so that a worker that only checks fingerprints does not import the reports.
"""

from __future__ import annotations

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


def write_index(
    years: list[int], root: Path, say: Callable[..., None], **_: Any
) -> tuple[list[str], None]:
    """Write ``reports/index.html`` listing every report."""
    # deferred: checking fingerprints must not import the reports (see the module docstring)
    from helpers.reports.site_index import write_index as write

    path = write(root)
    say(f"index -> {path.relative_to(root)}", quiet=True)
    return [], None


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

    last = (previous or {}).get("audit") or {}
    if not rebuilt and last.get("findings") == {} and set(years) <= set(last.get("years", [])):
        say("audit: nothing rebuilt since the last audit found nothing; not repeated")
        return [], {**last, "repeated": False}
    result = confidentiality.audit(years, root)
    record = {
        "outputs": len(result.files),
        "findings": result.counts(),
        "years": result.years,
        "seconds": round(result.seconds, 3),
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
