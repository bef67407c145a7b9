"""What each stage reads, recorded as it reads it, held against what is declared: the
configuration keys of each stage in ``config/pipeline.yaml`` (which decide, with the other
parts, when a unit is rebuilt) and the tables an agency report's fingerprint covers
(:data:`helpers.reports.digests.READS`). A read that is not declared would let a change go
unnoticed; a declaration that nothing reads would rebuild for nothing."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import nbformat
import pytest

from helpers.build import runner
from helpers.core import config
from helpers.reports import digests
from helpers.reports.tables import report_agencies
from helpers.stats import weights

pytestmark = pytest.mark.slow
YEAR = 2565


def _run_in_process(notebook: Path, parameters: dict) -> dict:
    """Run a notebook's code cells in this process, as papermill would, and return the
    namespace (the parameters are set after the cell tagged ``parameters``)."""
    namespace: dict = {}
    for cell in nbformat.read(str(notebook), as_version=4).cells:
        if cell.cell_type != "code":
            continue
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(cell.source, notebook.name, "exec"), namespace)
        if "parameters" in cell.metadata.get("tags", []):
            namespace.update(parameters)
    return namespace


@pytest.fixture(scope="module")
def recorded(built: Path, tmp_path_factory: pytest.TempPathFactory):
    """{stage: [keys read by each of its units]} and the tables the agency reports read."""
    root = tmp_path_factory.mktemp("declared") / "project"
    shutil.copytree(built, root, ignore=shutil.ignore_patterns("runs", ".file_hashes.json"))
    patch = pytest.MonkeyPatch()
    patch.setenv("HRD_WORKBOOK_ROOT", str(root))
    config.clear_cache()
    weights.clear_cache()
    keys: dict[str, list[set[str]]] = {}
    tables: set[str] = set()
    stages = runner.stages(root)
    try:
        for stage in stages:
            keys_of = [None] if not stage.fans_out else report_agencies(YEAR, root)
            for key in keys_of:
                with config.recording() as read:
                    namespace = _run_in_process(stage.notebook, stage.parameters_for(YEAR, key))
                keys.setdefault(stage.name, []).append(set(read))
                if stage.name == "agency_reports":
                    tables |= namespace["r"].data.read
    finally:
        patch.undo()
        config.clear_cache()
        weights.clear_cache()
    return {s.name: s for s in stages}, keys, tables


def test_every_configuration_key_a_stage_reads_is_declared_and_none_more(recorded):
    stages, keys, _ = recorded
    wrong = {}
    for name, stage in stages.items():
        declared, read = set(stage.config), set().union(*keys[name])
        if read != declared:
            wrong[name] = {"undeclared": sorted(read - declared), "unread": sorted(declared - read)}
    assert wrong == {}


def test_the_tables_an_agency_report_reads_are_those_its_fingerprint_covers(recorded):
    _, _, tables = recorded
    assert tables == set(digests.READS)
