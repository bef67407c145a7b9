"""The pipeline command on a copy of the end-to-end project: skips what is up to date, reruns
exactly what a corrected file affects, isolates a failing report, survives being killed, and
runs the reports on a Dask cluster."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from helpers.app.cli import main
from helpers.build import pipeline, runner
from helpers.core import config, paths
from helpers.reports.tables import report_agencies

pytestmark = pytest.mark.slow


def _copy(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(built, root, ignore=shutil.ignore_patterns("runs", ".file_hashes.json"))
    config.clear_cache()
    return root


def _labels(outcomes) -> set[str]:
    return {o.unit for o in outcomes}


def _quiet(_: str) -> None:
    pass


def test_a_second_run_with_nothing_changed_builds_nothing(built, tmp_path):
    root = _copy(built, tmp_path)
    result = pipeline.run(root=root, echo=_quiet, progress=False)
    assert result.built == [] and result.failed == []
    per_year = [s for s in runner.stages(root) if s.scope == "year"]
    assert len(result.skipped) == 3 * len(per_year) + sum(
        len(report_agencies(y, root)) for y in (2563, 2564, 2565)
    )
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["versions"]["pandas"] and manifest["fingerprints"]["stages"]["clean"]["code"]
    assert {u["status"] for u in manifest["units"]} == {"skipped"}
    assert all(row["up to date"] == row["units"] for row in pipeline.status(root=root))
    assert result.finished["audit"]["findings"] == {} and manifest["audit"]["findings"] == {}
    again = pipeline.run(root=root, echo=_quiet, progress=False)  # the audit is not repeated
    assert again.built == [] and again.finished["audit"]["repeated"] is False


def test_a_corrected_file_for_one_agency_reruns_its_dependants_only(built, tmp_path):
    root = _copy(built, tmp_path)
    folder = paths.find_year_folder(2565, root)
    [path] = sorted(folder.glob("agency_return*"))
    # the demo writes this year's return as Excel "Unicode Text" (UTF-16, tab-separated)
    text = {"sep": "\t", "encoding": "utf-16"} if path.suffix == ".txt" else {}
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, **text)
    counts = pd.to_numeric(raw["a4_innovation_outputs"], errors="coerce")
    top = counts.idxmax()
    agency = raw.loc[top, "agency"]
    tied = set(raw.loc[counts == counts[top], "agency"])
    raw.loc[top, "a4_innovation_outputs"] = str(int(counts[top]) + 5)
    raw.to_csv(path, index=False, **text)

    result = pipeline.run(root=root, echo=_quiet, progress=False)
    assert result.failed == []
    built_units = _labels(result.built)
    registry = pd.read_csv(root / "data/raw/reference/agencies.csv", dtype=str)
    ministry = registry.set_index("agency_code").loc[agency, "ministry_code"]
    peers = set(registry.loc[registry["ministry_code"] == ministry, "agency_code"])
    reports = {u.split()[-1] for u in built_units if u.startswith("agency_reports")}
    assert agency in reports
    assert reports <= peers | tied  # others show nothing that changed
    assert {"clean 2565", "indicators 2565", "overview 2565"} <= built_units
    assert not any(u.startswith(("staff_model", "citizen_model")) for u in built_units)
    assert not any(" 2563" in u or " 2564" in u for u in built_units)
    assert pipeline.run(root=root, echo=_quiet, progress=False).built == []


def test_a_changed_target_reruns_the_indicators_and_the_reports_only(built, tmp_path):
    root = _copy(built, tmp_path)
    targets = root / "config/targets.yaml"
    text = targets.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.strip().startswith("A5: {target:"))
    value = re.search(r"target: ([\d.]+)", line).group(1)
    targets.write_text(text.replace(line, line.replace(value, str(float(value) + 7))), "utf-8")
    result = pipeline.run([2565], root=root, echo=_quiet, progress=False)
    assert result.failed == []
    assert {o.stage for o in result.built} == {"indicators", "agency_reports", "overview"}
    assert {o.stage for o in result.skipped} >= {"clean", "weights", "staff_model", "citizen_model"}


def test_comments_in_config_and_notebooks_saved_after_a_run_rebuild_nothing(built, tmp_path):
    root = _copy(built, tmp_path)
    for path in (root / "config").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(f"# reviewed by the evaluators\n{text}\n# end\n", encoding="utf-8")
    for path in (root / "notebooks").glob("*.ipynb"):  # as JupyterLab saves them after a run
        notebook = nbformat.read(str(path), as_version=4)
        for count, cell in enumerate(notebook.cells, 1):
            if cell.cell_type == "code":
                cell.execution_count = count
                cell.outputs = [nbformat.v4.new_output("stream", text="ran\n")]
        notebook.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
        nbformat.write(notebook, str(path))
    result = pipeline.run(root=root, echo=_quiet, progress=False)
    assert result.failed == [] and result.built == []


def _plant_failure(root: Path, agency: str) -> None:
    path = root / "notebooks/10_agency_report.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(
        at + 1,
        nbformat.v4.new_code_cell(
            f'if agency == "{agency}":\n    raise RuntimeError("planted failure for the test")'
        ),
    )
    nbformat.write(nb, str(path))


def test_a_failing_report_costs_only_itself(built, tmp_path, capsys, monkeypatch):
    root = _copy(built, tmp_path)
    codes = report_agencies(2565, root)
    victim = codes[1]
    good_html = (root / f"reports/2565/{victim}.html").read_bytes()
    _plant_failure(root, victim)
    monkeypatch.setenv("HRD_WORKBOOK_ROOT", str(root))
    code = main(["run", "--year", "2565", "--stage", "agency_reports"])
    out = capsys.readouterr().out
    assert code == 1
    assert f"{len(codes) - 1} built, 0 up to date (skipped), 1 failed" in out
    assert f"FAILED agency_reports 2565 {victim}: RuntimeError: planted failure for the test" in out
    assert (root / f"reports/2565/{victim}.html").read_bytes() == good_html
    failed = root / f"data/processed/2565/notebooks/10_agency_report/{victim}.failed.ipynb"
    nb = nbformat.read(str(failed), as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and errors[0].evalue == "planted failure for the test"
    assert (failed.parent / f"{victim}.ipynb").is_file()  # the last good audit record stays
    rows = {r["stage"]: r for r in pipeline.status([2565], root)}
    assert rows["agency_reports"]["failed"] == 1


def test_a_killed_run_leaves_no_partial_file_and_the_next_run_completes(built, tmp_path):
    root = _copy(built, tmp_path)
    wording = root / "config/reports.yaml"  # new wording: every unit is out of date
    wording.write_text(
        wording.read_text(encoding="utf-8").replace("en: Not met", "en: Not met yet"),
        encoding="utf-8",
    )
    env = {**os.environ, "HRD_WORKBOOK_ROOT": str(root)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "helpers.app.cli", "run", "--year", "2565"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    runs = root / "data/processed/runs"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        logs = list(runs.glob("*.log")) if runs.is_dir() else []
        text = logs[0].read_text(encoding="utf-8") if logs else ""
        if len(re.findall(r"^agency_reports 2565 \S+ ok in", text, re.MULTILINE)) >= 2:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the run never reached the reports")
    os.killpg(proc.pid, signal.SIGKILL)  # the command, its workers and their kernels
    proc.wait(timeout=30)

    for page in (root / "reports").rglob("*.html"):  # what a reader can open is whole
        if not page.name.startswith("."):
            assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page
    for notebook in (root / "data/processed").rglob("*.ipynb"):
        if not notebook.name.startswith("."):
            json.loads(notebook.read_text(encoding="utf-8"))

    config.clear_cache()
    result = pipeline.run([2565], root=root, echo=_quiet, progress=False)
    assert result.failed == [] and result.built and result.skipped
    assert all(r["up to date"] == r["units"] for r in pipeline.status([2565], root))
    for page in (root / "reports/2565").glob("[0-9]*.html"):  # none left from before
        text = page.read_text(encoding="utf-8")
        assert "Not met yet" in text or "/ Not met<" not in text, page
    leftovers = [
        p
        for base in (root / "reports", root / "data/processed")
        for pattern in ("**/.*.running.ipynb", "**/.*.tmp", "**/.*.staging-*")
        for p in base.glob(pattern)
    ]
    assert leftovers == []


def test_reports_run_on_a_local_dask_cluster(built, tmp_path):
    from dask.distributed import LocalCluster

    root = _copy(built, tmp_path)
    codes = report_agencies(2565, root)[:3]
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        result = pipeline.run(
            [2565],
            ["agency_reports"],
            root,
            agencies=codes,
            force=True,
            scheduler=cluster.scheduler_address,
            echo=_quiet,
            progress=False,
        )
    assert result.failed == [] and sorted(o.agency for o in result.built) == sorted(codes)
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["executor"].startswith("dask scheduler tcp://")
    for code in codes:
        assert (root / f"reports/2565/{code}.html").stat().st_size > 100_000
