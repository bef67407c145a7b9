"""The end-to-end project: demo data for six agencies and three years, run once through the
`workbook` command line, shared by the pipeline, report and browser tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from helpers import demo, io, runner
from tests.conftest import REPO

# Given to one demo agency as its Thai name (its real name stays an alias, so the demo files
# still match it): the reports and the index must show it as text, never as markup.
HOSTILE_NAME = '<script>alert("x")</script><img src=x onerror=alert(1)> & "กรมทดสอบ"'
YEARS = (2563, 2564, 2565)


def _make_hostile(root: Path) -> str:
    path = root / "data/raw/reference/agencies.csv"
    registry = pd.read_csv(path, dtype=str, keep_default_na=False)
    truth = demo.build_world(root, 2565, "demo", 6).codes
    code = sorted(truth)[-1]
    row = registry["agency_code"] == code
    original = registry.loc[row, "name_th"].iloc[0]
    aliases = registry.loc[row, "aliases"].iloc[0]
    registry.loc[row, "aliases"] = ";".join(a for a in (original, aliases) if a)
    registry.loc[row, "name_th"] = HOSTILE_NAME
    registry.to_csv(path, index=False)
    return code


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with demo data for six agencies, run once through the command line."""
    root = tmp_path_factory.mktemp("e2e") / "project"
    shutil.copytree(REPO / "config", root / "config")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    (root / "data/raw/reference").mkdir(parents=True)
    shutil.copy(REPO / "data/raw/reference/agencies.csv", root / "data/raw/reference/")
    demo.generate(root, agencies=6)
    (root / "hostile_agency.txt").write_text(_make_hostile(root), encoding="utf-8")
    raw = root / "data/raw"
    before = {p: io.sha256_file(p) for p in raw.rglob("*") if p.is_file()}
    env = {**os.environ, "HRD_WORKBOOK_ROOT": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "helpers.cli", "run"],
        env=env,
        cwd=root.parent,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    per_year = [s for s in runner.stages(root) if s.scope == "year"]
    reports = len(list((root / "reports").glob("[0-9]*/[0-9]*.html")))
    assert reports, done.stdout
    assert f"{len(YEARS) * len(per_year) + reports} built, 0 up to date (skipped), 0 failed" in (
        done.stdout
    ), done.stdout
    after = {p: io.sha256_file(p) for p in raw.rglob("*") if p.is_file()}
    assert after == before, "raw files were modified"
    return root


@pytest.fixture(scope="session")
def hostile_code(built: Path) -> str:
    return (built / "hostile_agency.txt").read_text(encoding="utf-8")
