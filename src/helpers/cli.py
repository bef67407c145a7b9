"""The ``workbook`` command: run the yearly pipeline and see what data there is."""

from __future__ import annotations

import argparse
import sys

from helpers import years


def _cmd_run(args: argparse.Namespace) -> int:
    from helpers import runner

    try:
        outcomes = runner.run(args.year, args.stage, agencies=args.agency, jobs=args.jobs)
    except runner.ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = [o for o in outcomes if not o.ok]
    print(f"\n{len(outcomes) - len(failed)} built, {len(failed)} failed")
    for o in failed:
        print(f"  FAILED {o.unit}: {o.error.splitlines()[0] if o.error else ''}")
        print(f"         executed notebook kept at {o.executed}")
    return 1 if failed else 0


def _cmd_list(args: argparse.Namespace) -> int:
    from helpers import config
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
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbook", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the pipeline stages for the given years")
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
        "--jobs", type=int, help="parallel report runs (default: runner.workers, one per core)"
    )
    run.set_defaults(func=_cmd_run)
    listing = sub.add_parser("list", help="years and input files found, and the registry size")
    listing.set_defaults(func=_cmd_list)
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
