"""Run the pipeline's notebooks with papermill: check parameters first, keep each executed
notebook as the audit record, convert report notebooks to HTML in-process, run the per-agency
reports in parallel, and report failures without stopping the other runs."""

from __future__ import annotations

import keyword
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from helpers.build import kernels
from helpers.build import registry as declared
from helpers.core import atomic, config, paths


class ParameterError(ValueError):
    """A notebook was asked to run with parameters its parameters cell does not declare."""


YEAR_SCOPE = "year"  # one unit per year; any other scope is a registered fan-out


@dataclass(frozen=True)
class Stage:
    """One stage as ``config/pipeline.yaml`` declares it."""

    name: str
    notebook: Path
    scope: str  # "year", or the name of a registered fan-out (e.g. "agency": one per agency)
    parameters: dict[str, str]  # name -> type name
    html: str | None = None  # report path under paths.reports, e.g. "{year}/{agency}.html"
    inputs: tuple[str, ...] = ()  # what the stage reads (see helpers.build.pipeline)
    outputs: tuple[str, ...] = ()  # what it writes under data/processed/<year>/
    group: str | None = None  # consecutive stages of one group run side by side
    config: tuple[str, ...] = ()  # the configuration keys it reads (helpers.core.config)
    title: str | None = None  # the registered title of its page
    declaration: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def fans_out(self) -> bool:
        return self.scope != YEAR_SCOPE

    @property
    def reads_earlier(self) -> bool:
        """Whether it reads earlier years' outputs (an ``earlier:`` input): its years run in
        order."""
        return any(token.startswith("earlier:") for token in self.inputs)

    @property
    def key_parameter(self) -> str | None:
        """The parameter that receives the fan-out key (the one that is not ``year``)."""
        if not self.fans_out:
            return None
        return next((p for p in self.parameters if p != "year"), None)

    def parameters_for(self, year: int, key: str | None = None) -> dict:
        """The notebook's parameters for one unit."""
        params: dict = {"year": year}
        if self.key_parameter is not None:
            params[self.key_parameter] = key
        return params


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
    skipped: bool = False  # up to date: not run
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def unit(self) -> str:
        return f"{self.stage} {self.year}" + (f" {self.agency}" if self.agency else "")

    @property
    def first_error_line(self) -> str:
        lines = [line for line in self.error.splitlines() if line.strip()]
        return lines[0] if lines else ""


def stages(root: Path | None = None) -> list[Stage]:
    """Stages from ``config/pipeline.yaml`` in dependency order."""
    root = root or paths.project_root()
    settings = config.pipeline(root)
    folder = paths.resolve(settings["paths"]["notebooks"], root)
    out = []
    for s in settings["stages"]:
        out.append(
            Stage(
                s["name"],
                folder / s["notebook"],
                s.get("scope", YEAR_SCOPE),
                dict(s.get("parameters", {})),
                s.get("html"),
                tuple(s.get("inputs", ())),
                tuple(s.get("outputs", ())),
                s.get("group"),
                tuple(s.get("config", ())),
                s.get("title"),
                dict(s),
            )
        )
    return out


def load_declarations(root: Path | None = None) -> None:
    """Let the module ``runner.declarations`` names register the project's stages' meaning."""
    declared.load(config.pipeline(root)["runner"]["declarations"])


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


SAVE_EVERY_SECONDS = 5.0
ENGINE = "workbook"


def _register_engine() -> str:
    """papermill's nbclient engine, saving the executed notebook less often: papermill writes
    the whole notebook at every cell's start and end (~50 writes and 0.3 s of CPU for a report);
    this one writes it when it starts, at most every ``SAVE_EVERY_SECONDS`` while it runs (so a
    long stage still shows its progress), and when it ends, error or not."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    if ENGINE in papermill_engines._engines:
        return ENGINE

    class SparingSaves(NotebookExecutionManager):
        _saved = float("-inf")
        _final = False

        def save(self, **kwargs):
            now = time.monotonic()
            if self._final or now - self._saved >= SAVE_EVERY_SECONDS:
                super().save(**kwargs)
                self._saved = now

        def notebook_complete(self, **kwargs):
            self._final = True
            super().notebook_complete(**kwargs)

    class WorkbookEngine(NBClientEngine):
        @classmethod
        def execute_notebook(
            cls,
            nb,
            kernel_name,
            output_path=None,
            progress_bar=True,
            log_output=False,
            autosave_cell_every=30,
            **kwargs,
        ):
            manager = SparingSaves(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            manager.notebook_start()
            try:
                cls.execute_managed_notebook(manager, kernel_name, log_output=log_output, **kwargs)
            finally:
                manager.cleanup_pbar()
                manager.notebook_complete()
            return manager.nb

    papermill_engines.register(ENGINE, WorkbookEngine)
    return ENGINE


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


@contextmanager
def kernel_server(root: Path | None = None) -> Iterator[str | None]:
    """For the block, notebooks run in kernels forked from a warm kernel server
    (:mod:`helpers.build.kernels`) when ``runner.fork_kernels`` is on and the kernel is an
    ipykernel;
    yields the server's address, or None."""
    interpreter = None
    if config.pipeline(root)["runner"].get("fork_kernels", True):
        from jupyter_client.kernelspec import KernelSpecManager

        with suppress(Exception):  # an unusual kernelspec: kernels start the usual way
            spec = KernelSpecManager().get_kernel_spec(kernel_name(root))
            split = kernels.split_command(spec.argv)
            interpreter = split[0] if split else None
    preload = config.pipeline(root)["runner"].get("kernel_preload", [])
    with kernels.kernel_server(interpreter, root or paths.project_root(), preload) as address:
        yield address


def executed_path(
    stage: Stage, year: int, root: Path | None = None, agency: str | None = None
) -> Path:
    """``data/processed/<year>/notebooks/<notebook>`` (per agency: ``<stem>/<agency>.ipynb``)."""
    processed = paths.resolve(config.pipeline(root)["paths"]["processed"], root)
    folder = processed / str(year) / "notebooks"
    if agency is not None:
        return folder / stage.notebook.stem / f"{safe_code(agency)}.ipynb"
    return folder / stage.notebook.name


def html_path(stage: Stage, year: int, root: Path | None = None, agency: str | None = None):
    """Where the stage's HTML report goes, or None for a stage without one."""
    if not stage.html:
        return None
    reports = paths.resolve(config.pipeline(root)["paths"]["reports"], root)
    fields = {"year": year}
    if stage.key_parameter:
        fields[stage.key_parameter] = safe_code(agency or "")
    relative = stage.html.format(**fields)
    return reports / relative


def safe_code(agency: str) -> str:
    """An agency code fit to be a file name (codes are digits; anything else is refused)."""
    if agency and not agency.replace("-", "").replace("_", "").isalnum():
        raise ParameterError(f"Agency code {agency!r} is not a plain code (letters and digits).")
    return agency


def _write_html(stage: Stage, executed: Path, year: int, key: str | None, root: Path) -> Path:
    """Convert the executed notebook to its page (the registered exporter, titled by the
    stage's registered title) and write it atomically."""
    import nbformat

    target = html_path(stage, year, root, key)
    notebook = nbformat.read(str(executed), as_version=4)
    title = declared.titles.get(stage.title)(year, key, root) if stage.title else stage.name
    page = declared.exporters.get("html")(notebook, title)
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic.write_text_atomic(page, target)


@dataclass
class Limits:
    """How long one notebook may run: each cell at most ``cell_seconds``, the whole notebook
    (kernel start included) at most ``notebook_seconds`` (``runner`` in pipeline.yaml)."""

    cell_seconds: float
    notebook_seconds: float
    deadline: float = 0.0

    @classmethod
    def from_config(cls, root: Path | None = None) -> Limits:
        settings = config.pipeline(root)["runner"]
        return cls(
            float(settings["cell_timeout_seconds"]), float(settings["notebook_timeout_seconds"])
        )

    def start(self):
        """Start the clock; returns nbclient's ``timeout_func`` (seconds allowed per cell)."""
        self.deadline = time.monotonic() + self.notebook_seconds

        def seconds_for(_cell) -> float:
            return max(min(self.cell_seconds, self.deadline - time.monotonic()), 0.5)

        return seconds_for

    def explain(self, exc: Exception) -> str:
        """One line for an execution that stopped without an error cell."""
        name = exc.__class__.__name__
        if name == "CellTimeoutError":
            if time.monotonic() >= self.deadline - 1:
                return (
                    f"Timeout: the notebook ran longer than {self.notebook_seconds:g} s "
                    "(runner.notebook_timeout_seconds) and was stopped"
                )
            return (
                f"Timeout: a cell ran longer than {self.cell_seconds:g} s "
                "(runner.cell_timeout_seconds) and was stopped"
            )
        if name == "DeadKernelError":
            return f"DeadKernelError: the kernel died while running the notebook ({exc})"
        first = next((line for line in str(exc).splitlines() if line.strip()), "")
        return f"{name}: {first}"


def run_notebook(
    stage: Stage, year: int, root: Path | None = None, agency: str | None = None
) -> RunOutcome:
    """Execute one stage for one year (and agency). The executed notebook and its HTML report
    replace the previous ones only on success; a failed run is kept beside them as
    ``<name>.failed.ipynb`` with its error cell."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    root = root or paths.project_root()
    if stage.html:
        load_declarations(root)  # a worker process registers the titles and the exporter
    parameters = stage.parameters_for(year, agency)
    check_parameters(stage.notebook, parameters)
    target = executed_path(stage, year, root, agency)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.stem}.running.ipynb")
    failed = target.with_name(f"{target.stem}.failed.ipynb")
    started = time.perf_counter()
    limits = Limits.from_config(root)
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
            timeout_func=limits.start(),  # passed on to nbclient, overrides the cell timeout
            kernel_manager_class=kernels.kernel_manager_class(),
            engine_name=_register_engine(),
            shutdown_kernel="immediate",  # graceful shutdown costs ~0.7 s and sometimes stalls
        )
    except PapermillExecutionError as exc:
        error = f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # a timeout or a dead kernel: keep whatever was saved
        error = limits.explain(exc)
    else:
        error = ""
    finally:
        if env_root is None:
            os.environ.pop("HRD_WORKBOOK_ROOT", None)
        else:
            os.environ["HRD_WORKBOOK_ROOT"] = env_root
    executed_at = time.perf_counter()
    html = None
    if not error and stage.html:
        try:
            html = _write_html(stage, partial, year, agency, root)
        except Exception as exc:  # a failed conversion must not replace the earlier report
            error = f"HTML conversion: {exc.__class__.__name__}: {exc}"
    finished = time.perf_counter()
    timings = _phases(partial, executed_at - started)
    if html is not None:
        timings["html"] = round(finished - executed_at, 3)
    seconds = finished - started
    if error:
        if partial.exists():
            os.replace(partial, failed)
        return RunOutcome(stage.name, year, False, seconds, failed, error, agency, timings=timings)
    os.replace(partial, target)
    failed.unlink(missing_ok=True)
    return RunOutcome(stage.name, year, True, seconds, target, "", agency, html, timings=timings)


def _phases(executed: Path, total: float) -> dict[str, float]:
    """Seconds per phase from papermill's per-cell durations: cells tagged ``imports``,
    cells that draw charts (``charts.`` in the source) and the rest (computation); the kernel
    (start, shutdown, papermill's own work) is what the cells do not account for."""
    import nbformat

    phases = {"kernel": 0.0, "imports": 0.0, "computation": 0.0, "plotting": 0.0}
    try:
        notebook = nbformat.read(str(executed), as_version=4)
    except Exception:
        return {"kernel": round(total, 3)}
    cells = 0.0
    for cell in notebook.cells:
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if cell.cell_type != "code" or not duration:
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        phase = (
            "imports"
            if "imports" in tags
            else "plotting"
            if "charts." in cell.source
            else "computation"
        )
        phases[phase] += float(duration)
        cells += float(duration)
    phases["kernel"] = max(total - cells, 0.0)
    return {k: round(v, 3) for k, v in phases.items()}


def workers(root: Path | None = None) -> int:
    """Parallel runs: ``runner.workers`` in pipeline.yaml, 0 meaning two per core."""
    configured = int(config.pipeline(root)["runner"].get("workers", 0))
    return configured if configured > 0 else 2 * (os.cpu_count() or 1)
