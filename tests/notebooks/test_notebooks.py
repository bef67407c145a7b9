"""Notebooks: committed without outputs, in step with their text twins, one typed parameters
cell; and each one runs under papermill on a small fixture year."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import jupytext
import nbformat
import pandas as pd
import pytest

from helpers.build import pipeline, runner
from helpers.core import paths
from helpers.ingest import cleaning
from tests.conftest import REPO, write_csv
from tests.unit.ingest.test_cleaning import STAFF, staff_row

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
PARAMETER_LINE = re.compile(r"^[a-z_][a-z0-9_]*: (int|str|float|bool) = .+  # .+$")


def _quiet(_: str) -> None:
    pass


def test_there_are_pipeline_notebooks():
    assert [p.name for p in NOTEBOOKS][:1] == ["01_clean_inputs.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_named_in_order_without_spaces(path):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name)


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)


def _committed(path: Path) -> str:
    """The notebook as committed (the working copy where the project is not a git checkout,
    or the file is new): an analyst's unsaved or uncommitted outputs are not what is tested."""
    shown = _git("show", f"HEAD:{path.relative_to(REPO).as_posix()}")
    return shown.stdout if shown.returncode == 0 else path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_and_with_kernelspec(path):
    nb = nbformat.reads(_committed(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert nb.metadata["kernelspec"]["name"] == "thai-hrd-workbook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_saved_from_jupyterlab_is_committed_as_it_was(path, tmp_path):
    """git stores notebooks through the nbstripout filter `make setup` configures: what
    JupyterLab adds on saving (outputs, counts, cell and notebook metadata) is dropped, and the
    committed notebook comes back byte for byte (ids, tags, kernelspec kept)."""
    if _git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("not a git checkout")
    assert _git("check-attr", "filter", str(path)).stdout.strip().endswith(": nbstripout")
    clean = _git("config", "--get", "filter.nbstripout.clean").stdout.strip()
    assert clean, "the nbstripout filter is not configured in .git/config: run `make setup`"
    nb = nbformat.read(path, as_version=4)
    for count, cell in enumerate(nb.cells, 1):
        cell.metadata["collapsed"] = False
        cell.metadata["execution"] = {"iopub.status.busy": "2026-12-06T10:00:00.000Z"}
        if cell.cell_type == "code":
            cell.execution_count = count
            cell.outputs = [nbformat.v4.new_output("stream", text="ran\n")]
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    saved = tmp_path / path.name
    nbformat.write(nb, str(saved))
    with saved.open("rb") as fh:
        stored = subprocess.run(shlex.split(clean), stdin=fh, capture_output=True, check=True)
    assert stored.stdout.decode("utf-8") == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_text_twin_is_in_step(path):
    twin = path.with_suffix(".py")
    assert twin.is_file(), f"{twin.name} missing: run `make format`"
    text_cells = [(c.cell_type, c.source) for c in jupytext.read(twin).cells]
    nb_cells = [(c.cell_type, c.source) for c in nbformat.read(path, as_version=4).cells]
    assert nb_cells == text_cells, f"{path.name} and {twin.name} differ: run `make format`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_typed_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    lines = [ln for ln in tagged[0].source.splitlines() if ln.strip()]
    assert lines and all(PARAMETER_LINE.match(ln) for ln in lines), lines


@pytest.mark.slow
def test_cleaning_notebook_runs_under_papermill(project):
    folder = project / "data/raw/2565"
    write_csv(
        folder / "staff_survey.csv",
        STAFF,
        [staff_row("a"), staff_row("b", agency="สรรพากร"), [""] * len(STAFF)],
    )
    [outcome] = pipeline.run([2565], ["clean"], project, echo=_quiet, progress=False).outcomes
    assert outcome.ok, outcome.error
    executed = nbformat.read(outcome.executed, as_version=4)
    text = "".join(str(o) for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert "สรรพากร" in text and "03007 กรมสรรพากร" in text  # unknown agency + suggestion
    assert executed.metadata["papermill"]["parameters"] == {"year": 2565}
    ledger = pd.read_parquet(cleaning.output_dir(2565, project) / "ledger.parquet")
    assert ledger[["rows_read", "rows_kept", "rows_set_aside"]].iloc[0].tolist() == [3, 1, 2]


@pytest.mark.slow
def test_a_failing_year_reports_one_line_and_keeps_the_good_output(project):
    write_csv(project / "data/raw/2564/staff_survey.csv", STAFF, [staff_row(date="15/03/2564")])
    folder = project / "data/raw/2565"
    write_csv(folder / "staff_survey.csv", STAFF, [staff_row()])
    first = pipeline.run([2565], ["clean"], project, echo=_quiet, progress=False).outcomes
    assert first[0].ok
    (folder / "citizen_survey.csv").write_bytes(b"")  # an export that went wrong
    outcomes = pipeline.run(
        stage_names=["clean"], root=project, echo=_quiet, progress=False
    ).outcomes
    by_year = {o.year: o for o in outcomes}
    assert by_year[2564].ok  # the other year is still built
    failed = by_year[2565]
    assert not failed.ok
    assert failed.error == (
        "StructuralError: 2565/citizen_survey.csv: the file is empty. "
        "Expected: a header row naming the columns, then one row per answer."
    )
    assert failed.executed.name == "01_clean_inputs.failed.ipynb"
    assert runner.executed_path(runner.stages(project)[0], 2565, project).is_file()
    assert (cleaning.output_dir(2565, project) / "staff_survey.parquet").is_file()


@pytest.fixture(scope="module")
def demo_project(tmp_path_factory):
    """A project with one demo year (2565, six agencies) and nothing processed yet."""
    import shutil

    from helpers.demo import generator
    from tests.conftest import REPO

    root = tmp_path_factory.mktemp("nb") / "project"
    for folder in ("config", "notebooks"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "data/raw/reference").mkdir(parents=True)
    shutil.copy(REPO / "data/raw/reference/agencies.csv", root / "data/raw/reference/")
    generator.generate(root, agencies=6, years=[2565])
    return root


@pytest.mark.slow
def test_each_notebook_runs_top_to_bottom_with_its_default_parameters(demo_project, monkeypatch):
    """As an analyst runs them in JupyterLab, in order, with no injected parameters."""
    import papermill

    monkeypatch.setenv("HRD_WORKBOOK_ROOT", str(demo_project))
    for stage in runner.stages(demo_project):
        papermill.execute_notebook(
            str(stage.notebook),
            str(demo_project / f"executed_{stage.notebook.name}"),
            parameters={},
            kernel_name=runner.kernel_name(demo_project),
            cwd=str(demo_project),
            progress_bar=False,
        )


@pytest.mark.slow
def test_a_year_without_a_citizen_survey_fits_no_trust_model_and_drops_stale_results(project):
    rows = [staff_row(rid=f"r{i}") for i in range(12)]
    write_csv(project / "data/raw/2565/staff_survey.csv", STAFF, rows)  # enough to weight
    stale = paths.processed_dir(2565, "models", project) / "citizen_trust_ame.parquet"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by an earlier run with citizen data")
    outcomes = pipeline.run(
        [2565], ["clean", "weights", "citizen_model"], project, echo=_quiet, progress=False
    ).outcomes
    assert [o.ok for o in outcomes] == [True, True, True], [o.error for o in outcomes]
    executed = nbformat.read(outcomes[2].executed, as_version=4)
    text = "".join(str(o) for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert "No citizen survey this year" in text and "citizen_trust_ame.parquet" in text
    assert list(stale.parent.glob("citizen_*")) == []
