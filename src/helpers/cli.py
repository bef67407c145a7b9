"""The ``workbook`` command: run the yearly pipeline, see what is up to date, list the data,
audit the published outputs."""

from __future__ import annotations

import argparse
import sys

from helpers import years


def _cmd_run(args: argparse.Namespace) -> int:
    from helpers import pipeline, runner

    try:
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


def _cmd_status(args: argparse.Namespace) -> int:
    from helpers import pipeline, runner

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
    from helpers import config, report
    from helpers.cleaning import discover_files, find_year_folder, list_years
    from helpers.registry import load_registry

    registry = load_registry()
    print(f"registry: {len(registry)} agencies in {config.pipeline()['paths']['registry']}")
    found = list_years()
    if not found:
        print("no raw data year folders; `make demo-data` writes the demo data")
    for year in found:
        folder = find_year_folder(year)
        files = discover_files(folder)
        counts = ", ".join(f"{inst}: {len(f)}" for inst, f in files.items())
        print(f"{years.label(year, 'en')}  folder {folder.name}/  files: {counts}")
        try:
            agencies = report.report_agencies(year)
        except report.ReportError:
            print("  agencies: not processed yet (`workbook run`)")
            continue
        shown = " ".join(agencies) if args.agencies else ""
        print(f"  agencies with data: {len(agencies)}{': ' + shown if shown else ''}")
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from helpers import audit

    try:
        result = audit.audit(args.year)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(audit.format_result(result))
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
        type=int,
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
    status.add_argument("--year", type=int, action="append", help="fiscal year (repeatable)")
    status.set_defaults(func=_cmd_status)
    listing = sub.add_parser("list", help="years, input files and agencies found")
    listing.add_argument("--agencies", action="store_true", help="print the agency codes too")
    listing.set_defaults(func=_cmd_list)
    auditing = sub.add_parser(
        "audit",
        help="check every published report and report notebook for confidentiality breaches "
        "(exit 1 if any)",
        description=AUDIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    auditing.add_argument(
        "--year",
        type=int,
        action="append",
        help="fiscal year, B.E. or C.E. (repeatable; default: every year; the index is always "
        "checked)",
    )
    auditing.set_defaults(func=_cmd_audit)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from helpers.errors import InputError

    try:
        return args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
