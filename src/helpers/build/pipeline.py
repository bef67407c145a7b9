"""The build engine: plan the units, skip what is up to date, run the rest, say what happened.

A unit is one stage for one year, or one key of a stage that fans out (an agency's report for
one year). Stages run in the order of ``config/pipeline.yaml``; the analysis stages also run
for the earlier years a report's trend needs. The engine knows no domain: what a stage's scope,
named inputs, title and the steps after the reports mean is declared through the registries of
:mod:`helpers.build.registry` (filled by the module ``runner.declarations`` names).

Each unit is fingerprinted (:mod:`helpers.build.fingerprint`) from what it reads: its declared
inputs, the sources of its notebook (not outputs, metadata or execution counts), the helpers
modules it imports, the values of the configuration keys it declares (comments do not count),
its declaration and its parameters. A unit whose record matches is skipped (``force=True``
rebuilds). Fanned-out units run through an executor (:mod:`helpers.build.executors`). One
failing unit never stops the others, and a failed unit never replaces an earlier good output.
Every run writes a log and a manifest (versions, fingerprints, timings) under
``data/processed/runs/``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import json
import platform
import shutil
import sys
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.build import registry as declared
from helpers.build import runner
from helpers.build.executors import LocalExecutor, make_executor
from helpers.build.fingerprint import (
    CodeIndex,
    FileHashes,
    Record,
    changed_parts,
    fingerprint,
    notebook_digest,
    outputs_intact,
)
from helpers.build.runner import ParameterError, RunOutcome, Stage
from helpers.core import atomic, config, crashpoints, paths
from helpers.core.hashing import digest_json, sha256_file

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # helpers/: the code units import
UP_TO_DATE, STALE, MISSING, FAILED = "up to date", "stale", "missing", "failed"
KEY_PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "pyarrow",
    "pandera",
    "papermill",
    "nbconvert",
    "nbclient",
    "jupyter_client",
    "ipykernel",
)


@dataclass(frozen=True)
class Unit:
    stage: Stage
    year: int
    key: str | None = None  # the fan-out key (an agency code), None for a year's unit

    @property
    def agency(self) -> str | None:  # the name the run log and manifest use
        return self.key

    @property
    def label(self) -> str:
        return f"{self.stage.name} {self.year}" + (f" {self.key}" if self.key else "")

    def parameters(self) -> dict[str, Any]:
        return self.stage.parameters_for(self.year, self.key)


# ----------------------------------------------------------------------------- fingerprints


class Tracker:
    """Fingerprints, records and status of units in one project."""

    def __init__(self, root: Path) -> None:
        self.root = root
        settings = config.pipeline(root)["paths"]
        self.processed = paths.resolve(settings["processed"], root)
        self.hashes = FileHashes(self.processed / ".file_hashes.json")
        self.code = CodeIndex(PACKAGE_DIR, self.hashes, self.processed / ".code_imports.json")
        self.cache: dict[Any, Any] = {}  # input kinds' memo for the run (see InputContext)
        self._stage_parts: dict[str, dict[str, str]] = {}

    # -- parts -------------------------------------------------------------------------------

    def forget(self, year: int) -> None:
        """Drop what input kinds remembered of ``year`` (after a stage rebuilt its tables)."""
        for memo in [m for m in self.cache if isinstance(m, tuple) and year in m]:
            del self.cache[memo]

    def stage_parts(self, stage: Stage) -> dict[str, str]:
        """The parts every unit of a stage shares: notebook sources, code, config, declaration."""
        if stage.name not in self._stage_parts:
            functions = [declared.titles.get(stage.title)] if stage.title else []
            if stage.html:
                functions.append(declared.exporters.get("html"))
            self._stage_parts[stage.name] = {
                "notebook": notebook_digest(stage.notebook),
                "code": self.code.digest([stage.notebook], functions),
                "config": digest_json(config.values(stage.config, self.root)),
                "declaration": digest_json(stage.declaration),
            }
        return self._stage_parts[stage.name]

    def stage_fingerprints(self) -> dict[str, dict[str, str]]:
        """The shared parts of every stage whose units were looked at in this run."""
        return dict(self._stage_parts)

    def _context(self, year: int, key: str | None) -> declared.InputContext:
        return declared.InputContext(self.root, year, key, self.hashes, self.cache)

    def _processed_years(self) -> list[int]:
        return sorted(
            int(p.name) for p in self.processed.glob("[0-9][0-9][0-9][0-9]") if p.is_dir()
        )

    def _glob(self, year: int, pattern: str) -> dict[str, str]:
        base = self.processed / str(year)
        files = [Path(p) for p in glob.glob(str(base / pattern))]
        return self.hashes.tree(files, self.root)

    def inputs(self, unit: Unit) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for token in unit.stage.inputs:
            if token in declared.input_kinds:
                out[token] = declared.input_kinds.get(token)(self._context(unit.year, unit.key))
            elif token.startswith("earlier:"):
                pattern = token.split(":", 1)[1]
                out[token] = {
                    str(y): self._glob(y, pattern) for y in self._processed_years() if y < unit.year
                }
            else:
                out[token] = self._glob(unit.year, token)
        return out

    def parts(self, unit: Unit) -> dict[str, Any]:
        return {
            **self.stage_parts(unit.stage),
            "parameters": unit.parameters(),
            "inputs": self.inputs(unit),
        }

    # -- records -----------------------------------------------------------------------------

    def record_path(self, unit: Unit) -> Path:
        folder = self.processed / str(unit.year) / "fingerprints"
        if unit.key is not None:
            return folder / unit.stage.name / f"{runner.safe_code(unit.key)}.json"
        return folder / f"{unit.stage.name}.json"

    def outputs(self, unit: Unit) -> list[Path]:
        found = [runner.executed_path(unit.stage, unit.year, self.root, unit.key)]
        html = runner.html_path(unit.stage, unit.year, self.root, unit.key)
        if html is not None:
            found.append(html)
        for pattern in unit.stage.outputs:
            found += sorted(
                Path(p)
                for p in glob.glob(str(self.processed / str(unit.year) / pattern))
                if Path(p).is_file()
            )
        return found

    def status(self, unit: Unit, parts: dict[str, Any]) -> tuple[str, str]:
        """(state, why) of a unit given its parts computed now."""
        executed = runner.executed_path(unit.stage, unit.year, self.root, unit.key)
        failed = executed.with_name(f"{executed.stem}.failed.ipynb")
        record = Record.read(self.record_path(unit))
        if record is None:
            if failed.exists():
                return FAILED, "the last run failed"
            return MISSING, "never built"
        if record.fingerprint != fingerprint(parts):
            why = ", ".join(changed_parts(record.parts, parts)) or "fingerprint"
            state = FAILED if failed.exists() else STALE
            return state, f"changed: {why}"
        if not outputs_intact(record, self.root, self.hashes):
            return STALE, "an output is missing or was changed"
        return UP_TO_DATE, ""

    def write_record(self, unit: Unit, parts: dict[str, Any]) -> None:
        outputs = {p.relative_to(self.root).as_posix(): self.hashes(p) for p in self.outputs(unit)}
        record = Record(fingerprint(parts), parts, outputs)
        atomic.write_text_atomic(record.to_json(), self.record_path(unit))

    def save(self) -> None:
        self.hashes.save()
        self.code.save()


# ----------------------------------------------------------------------------- progress and log


class Reporter:
    """A progress bar on a terminal (quiet otherwise), one line per unit in the log file."""

    def __init__(self, log_path: Path, echo: Callable[[str], None], bar: bool) -> None:
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = log_path.open("a", encoding="utf-8")
        self.echo = echo
        self.failures = 0
        self.bar = None
        if bar:
            from tqdm import tqdm

            self.bar = tqdm(total=0, unit="run", dynamic_ncols=True, file=sys.stderr)

    def line(self, text: str, *, show: bool = True) -> None:
        self.log.write(text + "\n")
        self.log.flush()
        if not show:
            return
        if self.bar is not None:
            self.bar.write(text, file=sys.stderr)
        else:
            self.echo(text)

    def planned(self, n: int) -> None:
        if self.bar is not None and n:
            self.bar.total += n
            self.bar.refresh()

    def done(self, outcome: RunOutcome) -> None:
        if not outcome.ok and not outcome.skipped:
            self.failures += 1
        if self.bar is not None:
            self.bar.set_postfix_str(f"failed {self.failures}", refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.log.close()


# ----------------------------------------------------------------------------- the run


@dataclass
class RunResult:
    outcomes: list[RunOutcome] = field(default_factory=list)
    log: Path | None = None
    manifest: Path | None = None
    interrupted: bool = False
    problems: list[str] = field(default_factory=list)  # run-level: raw data changed, audit
    finished: dict[str, Any] = field(default_factory=dict)  # what each finisher recorded

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems

    @property
    def built(self) -> list[RunOutcome]:
        return [o for o in self.outcomes if o.ok and not o.skipped]

    @property
    def skipped(self) -> list[RunOutcome]:
        return [o for o in self.outcomes if o.skipped]

    @property
    def failed(self) -> list[RunOutcome]:
        return [o for o in self.outcomes if not o.ok]


def _execute(stage: Stage, year: int, root: Path, key: str | None) -> RunOutcome:
    """One unit in a worker (top level so that process pools and Dask can pickle it)."""
    return runner.run_notebook(stage, year, root, key)


def _validate(
    root: Path,
    years_: list[int] | None,
    stage_names: list[str] | None,
    keys: list[str] | None,
) -> tuple[list[int], list[int], list[Stage]]:
    """Check years, stages, keys, declarations and every notebook's parameters before running.
    Years arrive normalised (B.E. ints, :func:`helpers.core.years.parse` at the edge)."""
    runner.load_declarations(root)
    found = declared.discoveries.get("years")(root)
    wanted = sorted(set(years_)) if years_ else found
    unknown = [y for y in wanted if y not in found]
    if unknown:
        raise ParameterError(
            f"No raw data for fiscal year {', '.join(map(str, unknown))}; years found in "
            f"{config.pipeline(root)['paths']['raw']}: {', '.join(map(str, found)) or 'none'}."
        )
    chosen = runner.stages(root)
    if stage_names:
        names = [s.name for s in chosen]
        bad = [n for n in stage_names if n not in names]
        if bad:
            raise ParameterError(f"Unknown stage {', '.join(bad)}; stages: {', '.join(names)}.")
        chosen = [s for s in chosen if s.name in stage_names]
    for code in keys or ():
        runner.safe_code(code)
    for stage in chosen:
        _check_declaration(stage, root)
        if not stage.notebook.is_file():
            raise ParameterError(f"Stage {stage.name}: notebook {stage.notebook} is missing.")
        runner.check_parameters(
            stage.notebook, stage.parameters_for(wanted[0], "00000") if wanted else {}
        )
    return found, wanted, chosen


def _check_declaration(stage: Stage, root: Path) -> None:
    """Every name a stage uses must be registered, every configuration key must exist."""
    try:
        if stage.fans_out:
            declared.fan_outs.get(stage.scope)
        for token in stage.inputs:
            if token.isidentifier():
                declared.input_kinds.get(token)
        if stage.title:
            declared.titles.get(stage.title)
        if stage.html:
            declared.exporters.get("html")
        config.values(stage.config, root)
    except (declared.DeclarationError, config.ConfigError) as exc:
        raise ParameterError(f"Stage {stage.name} in config/pipeline.yaml: {exc}") from None


def _years_for(stage: Stage, chosen: list[Stage], found: list[int], wanted: list[int]) -> list[int]:
    """Report stages run for the requested years; the analysis stages before them also for
    every earlier year with raw data, since trends and change tests read earlier years."""
    reports_follow = any(s.html for s in chosen)
    if stage.html or not reports_follow or not wanted:
        return wanted
    return [y for y in found if y <= max(wanted)]


def _groups(chosen: list[Stage]) -> list[list[Stage]]:
    """Consecutive stages sharing a ``group`` in pipeline.yaml (independent of each other, such
    as the two models) form one group; every other stage is a group of its own."""
    groups: list[list[Stage]] = []
    for stage in chosen:
        if groups and stage.group and groups[-1][0].group == stage.group:
            groups[-1].append(stage)
        else:
            groups.append([stage])
    return groups


def _clear_leftovers(root: Path) -> None:
    """Remove what an interrupted run left: partial notebooks and temporary files, which are
    hidden (dot) files that no reader opens, and staging folders."""
    processed = paths.resolve(config.pipeline(root)["paths"]["processed"], root)
    reports = paths.resolve(config.pipeline(root)["paths"]["reports"], root)
    for base in (processed, reports):
        if not base.is_dir():
            continue
        for pattern in ("**/.*.running.ipynb", "**/.*.tmp"):
            for path in base.glob(pattern):
                path.unlink(missing_ok=True)
        for pattern in ("**/.*.staging-*", "**/.*.old-*"):
            for path in base.glob(pattern):
                shutil.rmtree(path, ignore_errors=True)


def _keys(stage: Stage, year: int, wanted: list[str] | None, root: Path, say) -> list[str]:
    """The units a fanned-out stage has in a year (only ``wanted`` ones, when given)."""
    try:
        found = declared.fan_outs.get(stage.scope)(year, root)
    except Exception as exc:  # e.g. no indicator table: nothing to fan out to
        say(f"{stage.name} {year}: not built: {exc}")
        return []
    if not wanted:
        return found
    missing = [k for k in wanted if k not in found]
    if missing:
        say(f"{stage.name} {year}: no data for {', '.join(missing)} in this year; not built")
    return [k for k in wanted if k in found]


def _describe(outcome: RunOutcome, root: Path) -> str:
    if outcome.skipped:
        return f"{outcome.unit} up to date"
    shown = outcome.html or outcome.executed
    with contextlib.suppress(ValueError):
        shown = shown.relative_to(root)
    status = "ok" if outcome.ok else "FAILED"
    line = f"{outcome.unit} {status} in {outcome.seconds:.1f} s -> {shown}"
    if not outcome.ok:
        line += f"\n    {outcome.first_error_line}"
    return line


def run(
    years_: list[int] | None = None,
    stage_names: list[str] | None = None,
    root: Path | None = None,
    *,
    agencies: list[str] | None = None,
    jobs: int | None = None,
    force: bool = False,
    scheduler: str | None = None,
    echo: Callable[[str], None] = print,
    progress: bool | None = None,
) -> RunResult:
    """Run the pipeline (see the module docstring). ``agencies`` limits the fanned-out stages
    to these keys. Raises :class:`ParameterError` before anything runs when a year, stage,
    key, declaration or parameter is wrong."""
    root = root or paths.project_root()
    found, wanted, chosen = _validate(root, years_, stage_names, agencies)
    _clear_leftovers(root)
    raw_before = raw_snapshot(root)
    previous = last_manifest(root)
    started = dt.datetime.now()
    stamp = started.strftime("%Y%m%d-%H%M%S-%f")
    processed = paths.resolve(config.pipeline(root)["paths"]["processed"], root)
    runs = processed / "runs"
    show_bar = sys.stderr.isatty() if progress is None else progress
    reporter = Reporter(runs / f"{stamp}.log", echo, show_bar)
    tracker = Tracker(root)
    settings = config.pipeline(root)["runner"]
    n_workers = jobs if jobs and jobs > 0 else runner.workers(root)
    preload = list(settings.get("worker_preload", []))
    executor = make_executor(n_workers, scheduler, preload)
    # the local pool also runs the years of a stage side by side; it lives for the whole run
    local = executor if isinstance(executor, LocalExecutor) else LocalExecutor(n_workers, preload)
    result = RunResult(log=reporter.log_path)
    reporter.line(
        f"workbook run {started:%Y-%m-%d %H:%M:%S}: years {', '.join(map(str, wanted))}; "
        f"stages {', '.join(s.name for s in chosen)}; {executor.name}"
        + ("; --force" if force else ""),
        show=False,
    )
    say = reporter.line
    server = contextlib.ExitStack()
    server_started: list[bool] = []

    def start_kernel_server() -> None:
        """Start it when the first unit is about to run (a run with nothing to do needs none;
        its ~3 s of imports would only compete with the fingerprint checks)."""
        if not server_started:
            server.enter_context(runner.kernel_server(root))
            server_started.append(True)

    context = _RunContext(tracker, reporter, result, root, force, show_bar, start_kernel_server)
    try:
        for group in _groups(chosen):
            batches = []
            for stage in group:
                stage_years = _years_for(stage, chosen, found, wanted)
                if stage.fans_out:
                    batches += [
                        (
                            executor,
                            [Unit(stage, y, k) for k in _keys(stage, y, agencies, root, say)],
                        )
                        for y in stage_years
                    ]
                elif stage.reads_earlier:
                    batches += [(local, [Unit(stage, y)]) for y in stage_years]  # year by year
                else:
                    batches.append((local, [Unit(stage, y) for y in stage_years]))
            fan_out = any(s.fans_out for s in group)
            if len(group) > 1 and not fan_out:
                # independent stages side by side; a stage that reads its own earlier years'
                # output is one lane, its years one after another beside the other units
                _run_lanes(local, _lanes(group, batches), context)
                batches = []
            elif len(group) > 1:  # the reports: one batch, run side by side
                merged = [u for _, units in batches for u in units]
                merged.sort(key=lambda u: u.stage.fans_out)  # the year's units not left last
                batches = [(executor, merged)]
            for pool, units in batches:
                _run_batch(pool, units, context)
            for stage in group:
                if not stage.html:
                    for year in _years_for(stage, chosen, found, wanted):
                        tracker.forget(year)
        if any(s.html for s in chosen):
            _finish(wanted, root, result, reporter, previous)
    except KeyboardInterrupt:
        result.interrupted = True
        reporter.line("interrupted: finished outputs are kept; rerun to complete the work")
        raise
    finally:
        tracker.save()
        for pool in {id(executor): executor, id(local): local}.values():
            if hasattr(pool, "close"):
                pool.close()
        server.close()
        changed = changed_raw_files(raw_before, raw_snapshot(root))
        if changed:
            result.problems.append(
                f"raw data changed during the run: {', '.join(changed)}. Raw files are inputs "
                "only; restore them from the agencies' originals and rerun"
            )
            reporter.line(f"PROBLEM: {result.problems[-1]}")
        result.manifest = write_manifest(
            runs / f"{stamp}.json",
            root,
            tracker,
            result,
            started,
            executor.name,
            force,
            wanted,
            [s.name for s in chosen],
        )
        reporter.line(f"manifest -> {result.manifest.relative_to(root)}", show=False)
        reporter.close()
    return result


def _finish(
    wanted: list[int],
    root: Path,
    result: RunResult,
    reporter: Reporter,
    previous: dict[str, Any] | None,
) -> None:
    """Run the finishers ``runner.finish`` names, in order, after the report stages."""
    rebuilt = not all(o.skipped for o in result.outcomes)

    def say(text: str, show: bool = True, quiet: bool = False) -> None:
        reporter.line(text, show=show and not (quiet and reporter.bar is not None))

    for name in config.pipeline(root)["runner"].get("finish", []):
        problems, record = declared.finishers.get(name)(
            wanted, root, say, rebuilt=rebuilt, previous=(previous or {}).get("finishers", {})
        )
        if record is not None:
            result.finished[name] = record
        result.problems += problems


def raw_snapshot(root: Path) -> dict[str, str]:
    """{path: sha256} of every file under the raw data folder, hashed afresh (no cache)."""
    raw = paths.resolve(config.pipeline(root)["paths"]["raw"], root)
    files = sorted(p for p in raw.rglob("*") if p.is_file()) if raw.is_dir() else []
    return {p.relative_to(raw).as_posix(): sha256_file(p) for p in files}


def changed_raw_files(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Raw files added, removed or modified between two snapshots."""
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


@dataclass
class _RunContext:
    """What every unit a run checks and runs shares: the build records, the log, the result,
    the project, ``--force``, whether a progress bar shows, and what to call before a unit
    runs (called again for later units: the run's starts the kernel server the first time)."""

    tracker: Tracker
    reporter: Reporter
    result: RunResult
    root: Path
    force: bool
    show_bar: bool
    before_running: Callable[[], None] = lambda: None


def _plan(unit: Unit, run: _RunContext) -> dict[str, Any] | None:
    """The unit's fingerprint parts when it must run; None when it is up to date (recorded as
    skipped)."""
    tracker, reporter = run.tracker, run.reporter
    parts = tracker.parts(unit)
    state, why = tracker.status(unit, parts)
    if state == UP_TO_DATE and not run.force:
        outcome = RunOutcome(
            unit.stage.name,
            unit.year,
            True,
            0.0,
            tracker.record_path(unit),
            agency=unit.agency,
            skipped=True,
        )
        run.result.outcomes.append(outcome)
        reporter.line(_describe(outcome, run.root), show=False)
        reporter.done(outcome)
        return None
    reporter.line(f"{unit.label}: {state}{f' ({why})' if why else ''}", show=False)
    return parts


def _record(
    unit: Unit, parts: dict[str, Any], outcome: RunOutcome | BaseException, run: _RunContext
) -> None:
    """Record a unit's outcome (an exception from its worker is that run's failure)."""
    if isinstance(outcome, BaseException):
        outcome = RunOutcome(
            unit.stage.name,
            unit.year,
            False,
            0.0,
            runner.executed_path(unit.stage, unit.year, run.root, unit.agency),
            f"{outcome.__class__.__name__}: {outcome}",
            unit.agency,
        )
    if outcome.ok:
        run.tracker.write_record(unit, parts)
        crashpoints.reach(f"recorded:{unit.stage.name}")
    run.result.outcomes.append(outcome)
    run.reporter.line(_describe(outcome, run.root), show=not outcome.ok or not run.show_bar)
    run.reporter.done(outcome)


def _run_batch(pool, units: list[Unit], run: _RunContext) -> None:
    """Skip the units that are up to date, run the others through ``pool`` (calling
    ``run.before_running`` first), record each."""
    run.reporter.planned(len(units))
    todo = {}
    for unit in units:
        parts = _plan(unit, run)
        if parts is not None:
            todo[(unit.stage.name, unit.year, unit.agency)] = (unit, parts)
    calls = [(u.stage, u.year, run.root, u.agency) for u, _ in todo.values()]
    if calls:
        run.before_running()
    for args, outcome in pool.run(_execute, calls) if calls else ():
        unit, parts = todo[(args[0].name, args[1], args[3])]
        _record(unit, parts, outcome, run)


def _lanes(group: list[Stage], batches: list[tuple[Any, list[Unit]]]) -> list[list[Unit]]:
    """The units of a group of independent year stages as lanes: the years of a stage that reads
    its own earlier years' output (``earlier:``) in one lane, in order; every other unit a lane
    of its own. Longest first: a chain of years starts before the single units."""
    lanes: list[list[Unit]] = []
    for stage in group:
        units = [u for _, batch in batches for u in batch if u.stage is stage]
        if stage.reads_earlier:
            lanes.append(units)
        else:
            lanes += [[u] for u in units]
    return sorted(lanes, key=len, reverse=True)


def _run_lanes(pool: LocalExecutor, lanes: list[list[Unit]], run: _RunContext) -> None:
    """Run ``lanes`` side by side, the units of a lane one after another: each unit is checked
    (skipped when up to date) when its turn comes, after the units before it in its lane, whose
    outputs may be its inputs. With one worker, lane after lane."""
    if pool.workers == 1:
        for lane in lanes:
            for unit in lane:
                _run_batch(pool, [unit], run)
        return
    run.reporter.planned(sum(len(lane) for lane in lanes))
    waiting = [list(lane) for lane in lanes]
    running: dict[Future, tuple[int, Unit, dict[str, Any]]] = {}

    def start_next(lane: int) -> None:
        while waiting[lane]:
            unit = waiting[lane].pop(0)
            parts = _plan(unit, run)
            if parts is None:
                continue
            run.before_running()
            future = pool.submit(_execute, unit.stage, unit.year, run.root, unit.agency)
            running[future] = (lane, unit, parts)
            return

    for lane in range(len(waiting)):
        start_next(lane)
    while running:
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            lane, unit, parts = running.pop(future)
            try:
                outcome: RunOutcome | BaseException = future.result()
            except Exception as exc:  # the run's failure; a dead worker's pool is renewed
                outcome = exc
            _record(unit, parts, outcome, run)
            start_next(lane)


# ----------------------------------------------------------------------------- manifest


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def write_manifest(
    path: Path,
    root: Path,
    tracker: Tracker,
    result: RunResult,
    started: dt.datetime,
    executor: str,
    force: bool,
    wanted: list[int],
    stage_names: list[str],
) -> Path:
    """The run's record: versions, fingerprints of code, configuration and data, and what was
    built, skipped or failed, with timings."""
    finished = dt.datetime.now()
    stages_total: dict[str, dict[str, float]] = {}
    for o in result.outcomes:
        total = stages_total.setdefault(
            o.stage, {"built": 0, "skipped": 0, "failed": 0, "seconds": 0.0}
        )
        key = "skipped" if o.skipped else ("built" if o.ok else "failed")
        total[key] += 1
        total["seconds"] = round(total["seconds"] + o.seconds, 3)
    manifest = {
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "seconds": round((finished - started).total_seconds(), 3),
        "interrupted": result.interrupted,
        "command": {"years": wanted, "stages": stage_names, "force": force, "argv": sys.argv},
        "executor": executor,
        "platform": platform.platform(),
        "versions": _versions(),
        "fingerprints": {
            # per stage: its notebook's sources, the code it imports, its configuration values
            "stages": tracker.stage_fingerprints(),
            "raw": raw_snapshot(root),
        },
        "stages": stages_total,
        "problems": result.problems,
        "audit": result.finished.get("audit"),
        "finishers": result.finished,
        "units": [
            {
                "stage": o.stage,
                "year": o.year,
                "agency": o.agency,
                "status": "skipped" if o.skipped else ("built" if o.ok else "failed"),
                "seconds": round(o.seconds, 3),
                "timings": o.timings,
                "error": o.error or None,
            }
            for o in result.outcomes
        ],
    }
    return atomic.write_json_atomic(manifest, path)


# ----------------------------------------------------------------------------- status


def status(years_: list[int] | None = None, root: Path | None = None) -> list[dict[str, Any]]:
    """What each stage would do now, per year: counts of units up to date, stale, missing and
    failed (agency reports are counted over the agencies with data that year)."""
    root = root or paths.project_root()
    _, wanted, chosen = _validate(root, years_, None, None)
    tracker = Tracker(root)
    rows = []
    for year in wanted:
        for stage in chosen:
            if stage.fans_out:
                units = [
                    Unit(stage, year, k) for k in _keys(stage, year, None, root, lambda _: None)
                ]
            else:
                units = [Unit(stage, year)]
            counts = {UP_TO_DATE: 0, STALE: 0, MISSING: 0, FAILED: 0}
            reasons: list[str] = []
            for unit in units:
                state, why = tracker.status(unit, tracker.parts(unit))
                counts[state] += 1
                if why and why not in reasons:
                    reasons.append(why)
            rows.append(
                {
                    "year": year,
                    "stage": stage.name,
                    "units": len(units),
                    **counts,
                    "why": "; ".join(reasons[:3]),
                }
            )
    tracker.save()
    return rows


def last_manifest(root: Path | None = None) -> dict[str, Any] | None:
    root = root or paths.project_root()
    runs = paths.resolve(config.pipeline(root)["paths"]["processed"], root) / "runs"
    found = sorted(runs.glob("*.json")) if runs.is_dir() else []
    if not found:
        return None
    return json.loads(found[-1].read_text(encoding="utf-8"))
