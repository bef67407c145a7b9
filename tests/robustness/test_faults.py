"""Faults: the pipeline command killed at chosen points, notebooks that raise, hang, kill their
kernel or touch the raw data, and reproducible outputs.

Each test works on a copy of the end-to-end project (`built`, tests/conftest.py), which is also
the uninterrupted reference run the interrupted runs must end up identical to.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pyarrow.parquet as pq
import pytest
import yaml

from helpers.app.cli import main
from helpers.core import config, crashpoints
from helpers.reports.tables import report_agencies
from tests.conftest import rebuild_reports

pytestmark = pytest.mark.slow

YEAR = 2565


def _copy(built: Path, tmp_path: Path, name: str = "project") -> Path:
    root = tmp_path / name
    shutil.copytree(built, root, ignore=shutil.ignore_patterns("runs", ".file_hashes.json"))
    config.clear_cache()
    return root


def _run_cli(root: Path, *args: str, crash_at: str | None = None) -> subprocess.CompletedProcess:
    """`workbook run ...` in its own process group (a crash point kills the whole group)."""
    env = {**os.environ, "HRD_WORKBOOK_ROOT": str(root)}
    env.pop(crashpoints.ENV, None)
    if crash_at:
        env[crashpoints.ENV] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "helpers.app.cli", "run", *args],
        env=env,
        cwd=root.parent,
        capture_output=True,
        text=True,
        timeout=600,
        start_new_session=True,
    )


def _published(root: Path) -> list[Path]:
    """Files a reader could open: reports and processed data, not hidden temporaries."""
    return sorted(
        p
        for base in (root / "reports", root / "data/processed")
        for p in base.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(base).parts)
    )


def _assert_nothing_partial(root: Path) -> None:
    for path in _published(root):
        if path.suffix == ".html":
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), path
        elif path.suffix in (".ipynb", ".json"):
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".parquet":
            pq.read_metadata(path)


def _notebook_content(path: Path) -> list:
    """Sources and outputs of an executed notebook; its run times are allowed to differ."""
    notebook = nbformat.read(str(path), as_version=4)
    return [(c.cell_type, c.source, c.get("outputs", [])) for c in notebook.cells]


def _assert_same_outputs(root: Path, reference: Path, year: int) -> None:
    """Every report and every processed file of ``year`` equals the reference run's."""

    def files(base: Path) -> dict[str, Path]:
        return {
            p.relative_to(base).as_posix(): p
            for p in _published(base)
            if "/runs/" not in p.as_posix()
            and "/fingerprints/" not in p.as_posix()  # they hold the notebooks' run times
            and (f"/{year}/" in p.as_posix() or p.name == "index.html")
        }

    ours, theirs = files(root), files(reference)
    assert sorted(ours) == sorted(theirs)
    for name, path in ours.items():
        if path.suffix == ".ipynb":
            assert _notebook_content(path) == _notebook_content(theirs[name]), name
        else:
            assert path.read_bytes() == theirs[name].read_bytes(), name


def test_runs_killed_after_cleaning_and_while_writing_a_report_end_identical(built, tmp_path):
    root = _copy(built, tmp_path)
    for folder in (root / f"data/processed/{YEAR}", root / f"reports/{YEAR}"):
        shutil.rmtree(folder)
    (root / "reports/index.html").unlink()

    first = _run_cli(root, "--year", str(YEAR), crash_at="recorded:clean")
    assert first.returncode == -9, first.stdout + first.stderr
    assert (root / f"data/processed/{YEAR}/clean/staff_survey.parquet").is_file()
    assert not (root / f"data/processed/{YEAR}/indicators").exists()
    _assert_nothing_partial(root)

    second = _run_cli(root, "--year", str(YEAR), crash_at="replace.html@2")
    assert second.returncode == -9, second.stdout + second.stderr
    pages = list((root / f"reports/{YEAR}").glob("*.html"))
    assert 0 < len(pages) < len(report_agencies(YEAR, built)), "not mid-way"
    assert list((root / f"reports/{YEAR}").glob(".*.html.*.tmp")), "not killed while writing"
    _assert_nothing_partial(root)

    third = _run_cli(root, "--year", str(YEAR))
    assert third.returncode == 0, third.stdout + third.stderr
    assert list(root.rglob(".*.tmp")) == [] and list(root.rglob(".*.running.ipynb")) == []
    _assert_same_outputs(root, built, YEAR)


def test_the_same_inputs_give_byte_identical_reports(built, tmp_path):
    root = _copy(built, tmp_path, "elsewhere")  # another folder: no path may leak into a page
    agency = report_agencies(YEAR, built)[0]
    result = rebuild_reports(root, agency, YEAR)
    assert sorted(o.unit for o in result.built) == [
        f"agency_reports {YEAR} {agency}",
        f"overview {YEAR}",
    ]
    for page in (f"reports/{YEAR}/{agency}.html", f"reports/{YEAR}/overview.html"):
        assert (root / page).read_bytes() == (built / page).read_bytes(), page
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["started"] and manifest["versions"]["python"]  # run facts live here


PLANTS = {
    "raises": 'raise RuntimeError("planted failure")',
    "hangs": "import time\ntime.sleep(100_000)",
    "kills its kernel": "import os\nos._exit(1)",
    "prints a response": (
        "import pandas as pd\n"
        "from helpers.ingest import cleaning\n"
        "print(cleaning.read_clean(year, 'staff_survey')['response_id'].iloc[0])"
    ),
    "edits raw data": (
        "from helpers.core import paths\n"
        "with open(paths.project_root() / 'data/raw/reference/agencies.csv', 'a') as f:\n"
        "    f.write('\\n')"
    ),
}


def _plant(root: Path, victims: dict[str, str]) -> None:
    path = root / "notebooks/10_agency_report.ipynb"
    notebook = nbformat.read(str(path), as_version=4)
    at = next(i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", []))
    for agency, fault in victims.items():
        code = "\n".join("    " + line for line in PLANTS[fault].splitlines())
        cell = nbformat.v4.new_code_cell(f"if agency == {agency!r}:\n{code}")
        notebook.cells.insert(at + 1, cell)
    nbformat.write(notebook, str(path))


def test_notebooks_that_raise_hang_die_or_touch_raw_data_cost_only_themselves(
    built, tmp_path, capsys, monkeypatch
):
    root = _copy(built, tmp_path)
    settings = root / "config/pipeline.yaml"
    text = settings.read_text(encoding="utf-8")
    limit = yaml.safe_load(text)["runner"]["notebook_timeout_seconds"]
    settings.write_text(
        text.replace(f"notebook_timeout_seconds: {limit}", "notebook_timeout_seconds: 30"),
        encoding="utf-8",
    )
    codes = report_agencies(YEAR, root)
    victims = dict(zip(codes, PLANTS, strict=False))
    assert len(victims) == len(PLANTS) < len(codes)
    _plant(root, victims)
    registry = (root / "data/raw/reference/agencies.csv").read_bytes()
    monkeypatch.setenv("HRD_WORKBOOK_ROOT", str(root))

    code = main(["run", "--year", str(YEAR), "--stage", "agency_reports"])

    out = capsys.readouterr().out
    assert code == 1
    failing = ("raises", "hangs", "kills its kernel")
    healthy = len(codes) - len(failing)  # the leaker and the raw-data editor succeed
    assert f"{healthy} built, 0 up to date (skipped), {len(failing)} failed" in out
    errors = {
        "raises": "RuntimeError: planted failure",
        "hangs": "Timeout: the notebook ran longer than 30 s (runner.notebook_timeout_seconds)",
        "kills its kernel": "DeadKernelError: the kernel died",
    }
    for agency, fault in victims.items():
        if fault in errors:
            assert f"FAILED agency_reports {YEAR} {agency}: {errors[fault]}" in out, out
            assert (root / f"reports/{YEAR}/{agency}.html").read_bytes() == (
                built / f"reports/{YEAR}/{agency}.html"
            ).read_bytes()  # the earlier good report stays
    assert "PROBLEM: raw data changed during the run: reference/agencies.csv" in out
    assert "PROBLEM: the audit found 1 confidentiality finding(s)" in out
    [leak] = [a for a, fault in victims.items() if fault == "prints a response"]
    manifest = json.loads(sorted((root / "data/processed/runs").glob("*.json"))[-1].read_text())
    assert manifest["audit"]["findings"] == {"respondent-row": 1}
    assert len(manifest["problems"]) == 2
    log = sorted((root / "data/processed/runs").glob("*.log"))[-1].read_text(encoding="utf-8")
    assert f"respondent-row: data/processed/{YEAR}/notebooks/10_agency_report/{leak}.ipynb" in log
    built_now = {p.stem for p in (root / f"reports/{YEAR}").glob("[0-9]*.html")}
    assert built_now == set(codes)
    assert (root / "data/raw/reference/agencies.csv").read_bytes() != registry
