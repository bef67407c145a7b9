"""Hostile strings: agency codes that walk out of their folder, code smuggled in through
notebook parameters, and markup or personal data in agency names, free text and file names.

(Markup in a registry agency name is covered end to end in tests/e2e/test_reports.py.)
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from papermill.translators import translate_parameters

from helpers.app.cli import main
from helpers.build import runner
from helpers.core import config, paths

INJECTIONS = [
    "../../../etc/passwd",
    "01001/../../../tmp/x",
    '"; import os; os.system("touch pwned"); "',
    "01001\nimport os",
    "01001; rm -rf ~",
    "",
]


@pytest.mark.parametrize("code", INJECTIONS[:-1])
def test_agency_codes_that_are_not_plain_codes_are_refused_before_anything_runs(
    project, capsys, code
):
    before = sorted(p for p in project.parent.rglob("*"))
    assert main(["run", "--agency", code]) == 2
    assert "is not a plain code" in capsys.readouterr().err
    assert sorted(p for p in project.parent.rglob("*")) == before


@pytest.mark.parametrize("code", INJECTIONS)
def test_file_names_are_never_built_from_a_code_that_is_not_plain(project, code):
    [stage] = [s for s in runner.stages(project) if s.scope == "agency"]
    if code:
        with pytest.raises(runner.ParameterError, match="not a plain code"):
            runner.html_path(stage, 2565, project, code)
        with pytest.raises(runner.ParameterError, match="not a plain code"):
            runner.executed_path(stage, 2565, project, code)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text())
def test_a_parameter_value_is_only_ever_a_string_in_the_notebook(value):
    # What papermill writes into the injected-parameters cell for {"agency": value}: it must
    # parse as one assignment of exactly that string, whatever quotes, backslashes or line
    # breaks the value holds, so no value can become code.
    source = translate_parameters("python", "python", {"agency": value}, "Parameters")
    statements = ast.parse(source).body
    assert len(statements) == 1 and isinstance(statements[0], ast.Assign)
    assert ast.literal_eval(statements[0].value) == value


HOSTILE_FILE = "citizen_survey_<img src=x onerror=alert(1)>.csv"
HOSTILE_TEXT = (
    '<script>alert("comment")</script> โทร 081-234-5678 หรือ somchai.j@example.go.th '
    "บัตร 1-1017-00230-73-2"
)
HOSTILE_AGENCY = "<img src=x onerror=alert('agency')>กรมปลอม"


def _plant_hostile_inputs(root: Path) -> None:
    folder = paths.find_year_folder(2565, root)
    citizen = sorted(folder.glob("citizen_survey*.csv"))[0]  # the demo writes two this year
    citizen.rename(folder / HOSTILE_FILE)
    [staff] = folder.glob("staff_survey*.xlsx")
    book = load_workbook(staff)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    comment = next(i for i, h in enumerate(header, 1) if h in ("comment", "ข้อเสนอแนะเพิ่มเติม"))
    agency = next(i for i, h in enumerate(header, 1) if h in ("agency", "หน่วยงาน"))
    for row in range(2, 40):
        sheet.cell(row=row, column=comment, value=HOSTILE_TEXT)
    sheet.cell(row=40, column=agency, value=HOSTILE_AGENCY)
    book.save(staff)


@pytest.mark.slow
def test_hostile_file_names_free_text_and_agency_names_never_reach_a_report(built, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(built, root, ignore=shutil.ignore_patterns("runs", ".file_hashes.json"))
    config.clear_cache()
    _plant_hostile_inputs(root)
    done = subprocess.run(
        [sys.executable, "-m", "helpers.app.cli", "run", "--year", "2565"],
        env={**os.environ, "HRD_WORKBOOK_ROOT": str(root)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    ledger = (root / "data/processed/2565/clean/ledger.csv").read_text(encoding="utf-8")
    assert HOSTILE_FILE in ledger  # read like any other file
    executed = root / "data/processed/2565/notebooks"
    published = [
        *(root / "reports").rglob("*.html"),
        *(executed / "10_agency_report").glob("*.ipynb"),
        executed / "11_overview_report.ipynb",
    ]
    assert len(published) > 3
    for path in published:
        text = path.read_text(encoding="utf-8")
        # the ID card number whole: five digits alone can be a timestamp's microseconds
        for needle in ("<script>alert", "<img src=x", "081-234-5678", "somchai.j@", "1017-00230"):
            assert needle not in text, (path, needle)
