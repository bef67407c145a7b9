"""Run the pipeline's notebooks with papermill: check parameters first, keep each executed
notebook as the audit record, and report failures without stopping the other runs."""

from __future__ import annotations

import keyword
import os
import time
from dataclasses import dataclass
from pathlib import Path

from helpers import config, paths, years


class ParameterError(ValueError):
    """A notebook was asked to run with parameters its parameters cell does not declare."""


@dataclass(frozen=True)
class Stage:
    name: str
    notebook: Path
    scope: str
    parameters: dict[str, str]  # name -> type name


@dataclass
class RunOutcome:
    stage: str
    year: int
    ok: bool
    seconds: float
    executed: Path
    error: str = ""


def stages(root: Path | None = None) -> list[Stage]:
    """Stages from ``config/pipeline.yaml`` in dependency order."""
    root = root or paths.project_root()
    settings = config.pipeline(root)
    folder = paths.resolve(settings["paths"]["notebooks"], root)
    return [
        Stage(s["name"], folder / s["notebook"], s["scope"], dict(s.get("parameters", {})))
        for s in settings["stages"]
    ]


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


def executed_path(stage: Stage, year: int, root: Path | None = None) -> Path:
    processed = paths.resolve(config.pipeline(root)["paths"]["processed"], root)
    return processed / str(years.to_be(year)) / "notebooks" / stage.notebook.name


def run_notebook(stage: Stage, year: int, root: Path | None = None) -> RunOutcome:
    """Execute one stage for one year. The executed notebook replaces the previous one only on
    success; a failed run is kept beside it as ``<name>.failed.ipynb`` with its error cell."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    root = root or paths.project_root()
    parameters = {"year": years.to_be(year)}
    check_parameters(stage.notebook, parameters)
    target = executed_path(stage, year, root)
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
    seconds = time.perf_counter() - started
    if error:
        if partial.exists():
            os.replace(partial, failed)
        return RunOutcome(stage.name, years.to_be(year), False, seconds, failed, error)
    os.replace(partial, target)
    failed.unlink(missing_ok=True)
    return RunOutcome(stage.name, years.to_be(year), True, seconds, target)


def run(
    years_: list[int] | None = None,
    stage_names: list[str] | None = None,
    root: Path | None = None,
    echo=print,
) -> list[RunOutcome]:
    """Run the requested stages (default: all) for the requested years (default: all found).

    Everything is checked before anything runs; a failing year does not stop the others.
    """
    from helpers.cleaning import list_years

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
    for stage in chosen:
        if not stage.notebook.is_file():
            raise ParameterError(f"Stage {stage.name}: notebook {stage.notebook} is missing.")
        check_parameters(stage.notebook, {"year": wanted[0]} if wanted else {})
    outcomes = []
    for stage in chosen:
        for year in wanted:
            echo(f"{stage.name} {year} ...")
            outcome = run_notebook(stage, year, root)
            status = "ok" if outcome.ok else "FAILED"
            echo(
                f"{stage.name} {year} {status} in {outcome.seconds:.1f} s -> "
                f"{outcome.executed.relative_to(root)}"
            )
            outcomes.append(outcome)
    return outcomes
