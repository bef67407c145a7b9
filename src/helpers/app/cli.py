"""The ``workbook`` command: run the yearly pipeline, see what is up to date, list the data,
audit the published outputs."""

from __future__ import annotations

import argparse
import json
import sys

from helpers.core import paths, years


def _fiscal_year(text: str) -> int:
    """A ``--year`` argument (2565, 2022, ๒๕๖๕) as the B.E. year used inside."""
    try:
        return years.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _check_agencies(codes: list[str] | None) -> None:
    """``--agency`` codes must be in the registry (the engine only knows fan-out keys)."""
    # deferred: a command imports only what it runs (`workbook --help` stays fast)
    from helpers.build.runner import ParameterError, safe_code
    from helpers.core import config
    from helpers.ingest.registry import load_registry

    if not codes:
        return
    for code in codes:
        safe_code(code)
    known = set(load_registry()["agency_code"])
    bad = [a for a in codes if a not in known]
    if bad:
        raise ParameterError(
            f"Agency {', '.join(bad)} is not in the registry "
            f"({config.pipeline()['paths']['registry']}); `workbook list` shows what is there."
        )


def _cmd_run(args: argparse.Namespace) -> int:
    # deferred: a command imports only what it runs (`workbook --help` stays fast)
    from helpers.build import pipeline, runner

    try:
        _check_agencies(args.agency)
        result = pipeline.run(
            args.year,
            args.stage,
            agencies=args.agency,
            jobs=args.jobs,
            force=args.force,
            scheduler=args.scheduler,
        )
    except runner.ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: finished outputs are kept; run again to complete", file=sys.stderr)
        return 130
    _print_input_summaries(result)
    failed = result.failed
    print(
        f"\n{len(result.built)} built, {len(result.skipped)} up to date (skipped), "
        f"{len(failed)} failed"
    )
    for o in failed:
        print(f"  FAILED {o.unit}: {o.first_error_line}")
        print(f"         executed notebook kept at {o.executed}")
    for problem in result.problems:
        print(f"  PROBLEM: {problem}")
    print(f"log: {result.log}\nmanifest: {result.manifest}")
    return 0 if result.ok else 1


def _print_input_summaries(result) -> None:
    """Per raw file of each year cleaned in this run: what was read, matched, repaired, listed
    and set aside, and the coverage and double-count warnings."""
    # deferred: a command imports only what it runs (`workbook --help` stays fast)
    from helpers.ingest import cleaning

    for outcome in result.built:
        if outcome.stage == "clean":
            print("\n" + "\n".join(cleaning.input_summary(outcome.year)))


def _cmd_status(args: argparse.Namespace) -> int:
    # deferred: a command imports only what it runs (`workbook --help` stays fast)
    from helpers.build import pipeline, runner

    try:
        rows = pipeline.status(args.year)
    except runner.ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    current = None
    for row in rows:
        if row["year"] != current:
            current = row["year"]
            print(years.label(current, "en"))
        counts = ", ".join(
            f"{row[k]} {k}"
            for k in (pipeline.UP_TO_DATE, pipeline.STALE, pipeline.MISSING, pipeline.FAILED)
            if row[k]
        )
        why = f"  ({row['why']})" if row["why"] else ""
        print(f"  {row['stage']:<16} {counts or 'nothing to build'}{why}")
    last = pipeline.last_manifest()
    if last:
        print(f"last run: {last['started']} ({last['seconds']:.0f} s)")
    stale = any(r[k] for r in rows for k in (pipeline.STALE, pipeline.MISSING, pipeline.FAILED))
    return 1 if stale else 0


def _cmd_list(args: argparse.Namespace) -> int:
    # deferred: a command imports only what it runs (`workbook --help` stays fast)
    from helpers.core import config
    from helpers.ingest.cleaning import discover_files
    from helpers.ingest.registry import load_registry
    from helpers.reports.tables import ReportError, report_agencies

    registry = load_registry()
    print(f"registry: {len(registry)} agencies in {config.pipeline()['paths']['registry']}")
    found = paths.raw_years()
    if not found:
        print("no raw data year folders; `make demo-data` writes the demo data")
    for year in found:
        folder = paths.find_year_folder(year)
        files = discover_files(folder)
        counts = ", ".join(f"{inst}: {len(f)}" for inst, f in files.items())
        print(f"{years.label(year, 'en')}  folder {folder.name}/  files: {counts}")
        try:
            agencies = report_agencies(year)
        except ReportError:
            print("  agencies: not processed yet (`workbook run`)")
            continue
        shown = " ".join(agencies) if args.agencies else ""
        print(f"  agencies with data: {len(agencies)}{': ' + shown if shown else ''}")
    return 0


def _yaml_text(text: str) -> str:
    """A header as a YAML double-quoted key."""
    return json.dumps(text, ensure_ascii=False)


def _cmd_columns(args: argparse.Namespace) -> int:
    # deferred: a command imports only what it runs (`workbook --help` stays fast)
    from helpers.ingest import cleaning
    from helpers.ingest.headers import PINS_FILE

    reviewed = cleaning.review_columns(args.year)
    if args.yaml:
        print(
            f"# {PINS_FILE} for fiscal year {args.year}, proposed by "
            "`workbook columns --yaml`: check every line, then save it in the year folder."
        )
        print("# header (as in the file): codebook column, or null for no codebook column")
        for instrument in dict.fromkeys(f.instrument for f in reviewed):
            print(f"{instrument}:")
            seen = set()
            for f in (f for f in reviewed if f.instrument == instrument):
                for m in f.matches:
                    if not m.header or m.header in seen or m.how in {"label", "identifier"}:
                        continue
                    seen.add(m.header)
                    note = f"  # {m.how}" + (f" {m.score:.0f}" if m.score is not None else "")
                    if m.column is None and m.candidates:
                        note += "; closest: " + ", ".join(
                            f"{c} ({score:.0f})" for c, score in m.candidates
                        )
                    column = m.column or "null"
                    print(f"  {_yaml_text(m.header)}: {column}{note}")
        return 0
    problems = 0
    for f in reviewed:
        where = f" sheet '{f.sheet}'," if f.sheet else ""
        print(f"{f.file} ({f.instrument}),{where} header on row {f.header_row}")
        labels = sum(m.how == "label" for m in f.matches)
        if labels and not args.all:
            print(f"  {labels} headers name their column exactly (--all lists them)")
        for m in f.matches:
            if not m.header or (m.how == "label" and not args.all):
                continue
            score = f"{m.score:5.0f}" if m.score is not None else "    -"
            target = m.column or {"identifier": "(identifier: dropped)"}.get(m.how, "(none)")
            line = f"  {m.how:<10} {score}  {target:<22} <- {m.header!r}"
            if m.column is None and m.candidates:
                line += "  closest: " + ", ".join(f"{c} ({s:.0f})" for c, s in m.candidates)
            print(line)
        for column, closest in f.missing:
            stops = column.required or column.extra.get("in_every_file")
            problems += bool(stops)
            print(
                f"  MISSING{' (stops the year)' if stops else ''}: {column.name} ({column.en})"
                + (
                    "; closest headers: "
                    + ", ".join(f"{h!r} ({score:.0f})" for h, score in closest)
                    if closest
                    else ""
                )
            )
    print(
        f"\nPin a header in data/raw/<year>/{PINS_FILE} to correct a match "
        "(`workbook columns --year <year> --yaml` writes a draft to standard output)."
    )
    return 1 if problems else 0


def _cmd_audit(args: argparse.Namespace) -> int:
    # deferred: a command imports only what it runs (`workbook --help` stays fast)
    from helpers.app.stages import audit_side_by_side
    from helpers.audit import confidentiality

    try:
        result = audit_side_by_side(args.year)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(confidentiality.format_result(result))
    return 0 if result.ok else 1


AUDIT_HELP = """\
Check every published output -- each file under reports/ and the executed report notebooks
(data/processed/<year>/notebooks/10_agency_report/*.ipynb, 11_overview_report.ipynb) -- against
the respondent rows in data/processed/<year>/clean/, and print one line per finding:

  small-n         a figure from fewer than confidentiality.min_respondents (10) respondents
  subtraction     a count that gives fewer than 10 respondents by subtraction (a ministry or
                  government total including small agencies; a survey's n next to an item's n)
  respondent-row  a response id, or a table of respondent-level columns
  free-text       a respondent's comment
  identifier      a Thai national ID, phone number or e-mail address
  marker          an audit marker (data-sources, data-n) that does not match the recount
  unreadable      an output the audit cannot read

Exit 0 when there is nothing to report, 1 with findings, 2 on a usage error. Findings never
repeat the sensitive value in full."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbook", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run", help="run what is out of date: cleaning, models, indicators, reports, index"
    )
    run.add_argument(
        "--year",
        type=_fiscal_year,
        action="append",
        help="fiscal year, B.E. or C.E. (repeatable; default: every year found)",
    )
    run.add_argument(
        "--stage", action="append", help="run only this stage (repeatable; default: all)"
    )
    run.add_argument(
        "--agency",
        action="append",
        help="build the agency report only for this agency code (repeatable; default: all)",
    )
    run.add_argument(
        "--jobs", type=int, help="parallel runs (default: runner.workers, two per core)"
    )
    run.add_argument("--force", action="store_true", help="rebuild even what is up to date")
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the agency reports on a Dask cluster (tcp://host:8786; needs the dask extra)",
    )
    run.set_defaults(func=_cmd_run)
    status = sub.add_parser(
        "status", help="what is up to date, stale, missing or failed (exit 1 if anything is)"
    )
    status.add_argument(
        "--year", type=_fiscal_year, action="append", help="fiscal year (repeatable)"
    )
    status.set_defaults(func=_cmd_status)
    listing = sub.add_parser("list", help="years, input files and agencies found")
    listing.add_argument("--agencies", action="store_true", help="print the agency codes too")
    listing.set_defaults(func=_cmd_list)
    columns = sub.add_parser(
        "columns",
        help="how each raw file's headers are matched to the codebook, for review (exit 1 if a "
        "question that stops the year is missing)",
    )
    columns.add_argument(
        "--year", type=_fiscal_year, required=True, help="fiscal year, B.E. or C.E."
    )
    columns.add_argument(
        "--yaml",
        action="store_true",
        help="print a draft of the year's _columns.yaml (pinned headers) instead",
    )
    columns.add_argument(
        "--all", action="store_true", help="list the headers that name their column exactly too"
    )
    columns.set_defaults(func=_cmd_columns)
    auditing = sub.add_parser(
        "audit",
        help="check every published report and report notebook for confidentiality breaches "
        "(exit 1 if any)",
        description=AUDIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    auditing.add_argument(
        "--year",
        type=_fiscal_year,
        action="append",
        help="fiscal year, B.E. or C.E. (repeatable; default: every year; the index is always "
        "checked)",
    )
    auditing.set_defaults(func=_cmd_audit)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``workbook`` command; returns its exit status (2 for a wrong argument)."""
    # deferred: a command imports only what it runs (`workbook --help` stays fast)
    from helpers.core.errors import InputError

    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage and the error
        return exc.code if isinstance(exc.code, int) else 2

    try:
        return args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
