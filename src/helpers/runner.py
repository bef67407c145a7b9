"""Run the pipeline's notebooks with papermill: check parameters first, keep each executed
notebook as the audit record, convert report notebooks to HTML in-process, run the per-agency
reports in parallel, and report failures without stopping the other runs."""

from __future__ import annotations

import contextlib
import keyword
import os
import time
from dataclasses import dataclass
from pathlib import Path

from helpers import config, paths, years


class ParameterError(ValueError):
    """A notebook was asked to run with parameters its parameters cell does not declare."""


SCOPES = ("year", "agency")


@dataclass(frozen=True)
class Stage:
    name: str
    notebook: Path
    scope: str  # "year": one run per year; "agency": one run per agency with data in the year
    parameters: dict[str, str]  # name -> type name
    html: str | None = None  # report path under paths.reports, e.g. "{year}/{agency}.html"


@dataclass
class RunOutcome:
    stage: str
    year: int
    ok: bool
    seconds: float
    executed: Path
    error: str = ""
    agency: str | None = None
    html: Path | None = None

    @property
    def unit(self) -> str:
        return f"{self.stage} {self.year}" + (f" {self.agency}" if self.agency else "")


def stages(root: Path | None = None) -> list[Stage]:
    """Stages from ``config/pipeline.yaml`` in dependency order."""
    root = root or paths.project_root()
    settings = config.pipeline(root)
    folder = paths.resolve(settings["paths"]["notebooks"], root)
    out = []
    for s in settings["stages"]:
        if s["scope"] not in SCOPES:
            raise ParameterError(f"Stage {s['name']}: scope {s['scope']!r}; expected {SCOPES}.")
        out.append(
            Stage(
                s["name"],
                folder / s["notebook"],
                s["scope"],
                dict(s.get("parameters", {})),
                s.get("html"),
            )
        )
    return out


_TYPES = {"int": int, "str": str, "float": float, "bool": bool}


def check_parameters(notebook: Path, parameters: dict) -> None:
    """Refuse names that are not identifiers or not declared in the notebook's parameters cell,
    and values of the wrong type. (papermill itself only logs a warning for unknown names.)"""
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    if not declared:
        raise ParameterError(f"{notebook.name} has no cell tagged 'parameters'.")
    listing = ", ".join(f"{n}: {p['inferred_type_name']}" for n, p in declared.items())
    for name, value in parameters.items():
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ParameterError(f"Parameter name {name!r} is not a valid Python name.")
        if name not in declared:
            raise ParameterError(
                f"{notebook.name} has no parameter {name!r}; it declares: {listing}."
            )
        wanted = _TYPES.get(declared[name]["inferred_type_name"])
        if wanted and not (
            isinstance(value, wanted) and not (wanted is int and isinstance(value, bool))
        ):
            raise ParameterError(
                f"{notebook.name}: parameter {name!r} must be "
                f"{declared[name]['inferred_type_name']}, got {value!r}."
            )


def _ipc_kernel_manager() -> type:
    """A kernel manager on local IPC sockets: no TCP ports (parallel kernels cannot collide,
    papermill issue 511) and no unencrypted-TCP warning in the evaluator's log."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

        @default("ip")
        def _default_ip(self) -> str:
            # jupyter_client's default is "kernel-ipc" in the working directory, with socket
            # numbers picked by checking which files exist: parallel runs in one folder race
            # for the same sockets. A unique prefix per kernel cannot collide.
            import tempfile
            import uuid

            return os.path.join(tempfile.gettempdir(), f"hrd-{uuid.uuid4().hex[:16]}-ipc")

    return IPCKernelManager


def kernel_name(root: Path | None = None) -> str:
    """The project's kernel if registered, else the configured fallback."""
    from jupyter_client.kernelspec import KernelSpecManager

    settings = config.pipeline(root)["runner"]
    available = KernelSpecManager().find_kernel_specs()
    return (
        settings["kernel_name"]
        if settings["kernel_name"] in available
        else settings["fallback_kernel_name"]
    )


def executed_path(
    stage: Stage, year: int, root: Path | None = None, agency: str | None = None
) -> Path:
    """``data/processed/<year>/notebooks/<notebook>`` (per agency: ``<stem>/<agency>.ipynb``)."""
    processed = paths.resolve(config.pipeline(root)["paths"]["processed"], root)
    folder = processed / str(years.to_be(year)) / "notebooks"
    if agency is not None:
        return folder / stage.notebook.stem / f"{_safe_code(agency)}.ipynb"
    return folder / stage.notebook.name


def html_path(stage: Stage, year: int, root: Path | None = None, agency: str | None = None):
    """Where the stage's HTML report goes, or None for a stage without one."""
    if not stage.html:
        return None
    reports = paths.resolve(config.pipeline(root)["paths"]["reports"], root)
    relative = stage.html.format(year=years.to_be(year), agency=_safe_code(agency or ""))
    return reports / relative


def _safe_code(agency: str) -> str:
    """An agency code fit to be a file name (codes are digits; anything else is refused)."""
    if agency and not agency.replace("-", "").replace("_", "").isalnum():
        raise ParameterError(f"Agency code {agency!r} is not a plain code (letters and digits).")
    return agency


def _title(stage: Stage, year: int, agency: str | None, root: Path) -> str:
    from helpers import report

    if agency is not None:
        return report.agency_title(year, agency, root)
    return report.overview_title(year)


def _write_html(stage: Stage, executed: Path, year: int, agency: str | None, root: Path) -> Path:
    """Convert the executed notebook to its report page and write it atomically."""
    import nbformat

    from helpers import htmlexport, io

    target = html_path(stage, year, root, agency)
    notebook = nbformat.read(str(executed), as_version=4)
    page = htmlexport.notebook_to_html(notebook, _title(stage, year, agency, root))
    target.parent.mkdir(parents=True, exist_ok=True)
    return io.write_text_atomic(page, target)


def run_notebook(
    stage: Stage, year: int, root: Path | None = None, agency: str | None = None
) -> RunOutcome:
    """Execute one stage for one year (and agency). The executed notebook and its HTML report
    replace the previous ones only on success; a failed run is kept beside them as
    ``<name>.failed.ipynb`` with its error cell."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    root = root or paths.project_root()
    parameters: dict = {"year": years.to_be(year)}
    if stage.scope == "agency":
        parameters["agency"] = agency
    check_parameters(stage.notebook, parameters)
    target = executed_path(stage, year, root, agency)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.stem}.running.ipynb")
    failed = target.with_name(f"{target.stem}.failed.ipynb")
    started = time.perf_counter()
    env_root = os.environ.get("HRD_WORKBOOK_ROOT")
    os.environ["HRD_WORKBOOK_ROOT"] = str(root)  # the kernel inherits it
    try:
        papermill.execute_notebook(
            str(stage.notebook),
            str(partial),
            parameters=parameters,
            kernel_name=kernel_name(root),
            cwd=str(root),
            progress_bar=False,
            execution_timeout=config.pipeline(root)["runner"]["cell_timeout_seconds"],
            kernel_manager_class=_ipc_kernel_manager(),
            shutdown_kernel="immediate",  # graceful shutdown costs ~0.7 s and sometimes stalls
        )
    except PapermillExecutionError as exc:
        error = f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # a cell timeout or a dead kernel: keep whatever was saved
        error = f"{exc.__class__.__name__}: {exc}"
    else:
        error = ""
    finally:
        if env_root is None:
            os.environ.pop("HRD_WORKBOOK_ROOT", None)
        else:
            os.environ["HRD_WORKBOOK_ROOT"] = env_root
    html = None
    if not error and stage.html:
        try:
            html = _write_html(stage, partial, year, agency, root)
        except Exception as exc:  # a failed conversion must not replace the earlier report
            error = f"HTML conversion: {exc.__class__.__name__}: {exc}"
    seconds = time.perf_counter() - started
    be = years.to_be(year)
    if error:
        if partial.exists():
            os.replace(partial, failed)
        return RunOutcome(stage.name, be, False, seconds, failed, error, agency)
    os.replace(partial, target)
    failed.unlink(missing_ok=True)
    return RunOutcome(stage.name, be, True, seconds, target, "", agency, html)


def _run_agency_stage(
    stage: Stage, year: int, agencies: list[str], root: Path, workers: int, echo
) -> list[RunOutcome]:
    """One run per agency in a process pool; a crash in one run costs only that run."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    outcomes = []
    if workers <= 1 or len(agencies) <= 1:
        for agency in agencies:
            outcomes.append(run_notebook(stage, year, root, agency))
            _echo_outcome(outcomes[-1], root, echo)
        return outcomes
    context = multiprocessing.get_context("spawn")  # the parent holds zmq threads: no fork
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(run_notebook, stage, year, root, a): a for a in agencies}
        for future in as_completed(futures):
            agency = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # the worker itself died
                outcome = RunOutcome(
                    stage.name,
                    years.to_be(year),
                    False,
                    0.0,
                    executed_path(stage, year, root, agency),
                    f"{exc.__class__.__name__}: {exc}",
                    agency,
                )
            outcomes.append(outcome)
            _echo_outcome(outcome, root, echo)
    return sorted(outcomes, key=lambda o: o.agency or "")


def _echo_outcome(outcome: RunOutcome, root: Path, echo) -> None:
    status = "ok" if outcome.ok else "FAILED"
    shown = outcome.html or outcome.executed
    with contextlib.suppress(ValueError):
        shown = shown.relative_to(root)
    echo(f"{outcome.unit} {status} in {outcome.seconds:.1f} s -> {shown}")


def workers(root: Path | None = None) -> int:
    """Parallel report runs: ``runner.workers`` in pipeline.yaml, 0 meaning one per core."""
    configured = int(config.pipeline(root)["runner"].get("workers", 0))
    return configured if configured > 0 else (os.cpu_count() or 1)


def run(
    years_: list[int] | None = None,
    stage_names: list[str] | None = None,
    root: Path | None = None,
    echo=print,
    agencies: list[str] | None = None,
    jobs: int | None = None,
) -> list[RunOutcome]:
    """Run the requested stages (default: all) for the requested years (default: all found),
    then rebuild the report index.

    Everything is checked before anything runs; a failing year or agency does not stop the
    others. ``agencies`` limits the per-agency reports; ``jobs`` overrides the worker count.
    """
    from helpers.cleaning import list_years
    from helpers.registry import load_registry

    root = root or paths.project_root()
    found = list_years(root)
    wanted = [years.to_be(y) for y in years_] if years_ else found
    unknown = [y for y in wanted if y not in found]
    if unknown:
        raise ParameterError(
            f"No raw data for fiscal year {', '.join(map(str, unknown))}; years found in "
            f"{config.pipeline(root)['paths']['raw']}: {', '.join(map(str, found)) or 'none'}."
        )
    chosen = stages(root)
    if stage_names:
        names = [s.name for s in chosen]
        bad = [n for n in stage_names if n not in names]
        if bad:
            raise ParameterError(f"Unknown stage {', '.join(bad)}; stages: {', '.join(names)}.")
        chosen = [s for s in chosen if s.name in stage_names]
    if agencies:
        known = set(load_registry(root)["agency_code"])
        for code in agencies:
            _safe_code(code)
        bad = [a for a in agencies if a not in known]
        if bad:
            raise ParameterError(
                f"Agency {', '.join(bad)} is not in the registry "
                f"({config.pipeline(root)['paths']['registry']}); `workbook list` shows what "
                f"is there."
            )
    for stage in chosen:
        if not stage.notebook.is_file():
            raise ParameterError(f"Stage {stage.name}: notebook {stage.notebook} is missing.")
        sample = {"year": wanted[0]} if wanted else {}
        if stage.scope == "agency" and wanted:
            sample["agency"] = "00000"
        check_parameters(stage.notebook, sample)
    n_workers = jobs if jobs and jobs > 0 else workers(root)
    outcomes = []
    for stage in chosen:
        for year in wanted:
            if stage.scope == "agency":
                outcomes += _run_agency_stage(
                    stage, year, _agencies_for(year, agencies, root, echo), root, n_workers, echo
                )
                continue
            echo(f"{stage.name} {year} ...")
            outcome = run_notebook(stage, year, root)
            _echo_outcome(outcome, root, echo)
            outcomes.append(outcome)
    if any(s.html for s in chosen):
        from helpers import report_index

        path = report_index.write_index(root)
        echo(f"index -> {path.relative_to(root)}")
    return outcomes


def _agencies_for(year: int, wanted: list[str] | None, root: Path, echo) -> list[str]:
    """Agencies with data in the year (from its indicator table), or the requested ones."""
    from helpers import report

    try:
        found = report.report_agencies(year, root)
    except report.ReportError as exc:
        echo(f"agency reports {year}: skipped: {exc}")
        return []
    if not wanted:
        return found
    missing = [a for a in wanted if a not in found]
    if missing:
        echo(f"agency reports {year}: no data for {', '.join(missing)}; not built")
    return [a for a in wanted if a in found]
