"""The run's planning pieces: which years a stage runs for, leftovers of a killed run,
status before anything is built. (Whole runs: tests/e2e/test_incremental.py.)"""

from __future__ import annotations

from helpers.app.cli import main
from helpers.build import pipeline, runner


def test_report_stages_pull_in_the_earlier_years_analysis(project):
    stages = {s.name: s for s in runner.stages(project)}
    chosen = list(stages.values())
    found, wanted = [2563, 2564, 2565], [2565]
    assert pipeline._years_for(stages["clean"], chosen, found, wanted) == [2563, 2564, 2565]
    assert pipeline._years_for(stages["agency_reports"], chosen, found, wanted) == [2565]
    only_clean = [stages["clean"]]
    assert pipeline._years_for(stages["clean"], only_clean, found, wanted) == [2565]


def test_leftovers_of_a_killed_run_are_hidden_and_cleared(project):
    folder = project / "data/processed/2565/notebooks"
    folder.mkdir(parents=True)
    partial = folder / ".01_clean_inputs.running.ipynb"
    temp = project / "reports/2565/.01001.html.abc.tmp"
    staging = project / "data/processed/2565/.clean.staging-xyz"
    kept = folder / "01_clean_inputs.ipynb"
    temp.parent.mkdir(parents=True)
    staging.mkdir()
    for path in (partial, temp, kept):
        path.write_text("{}")
    pipeline._clear_leftovers(project)
    assert not partial.exists() and not temp.exists() and not staging.exists()
    assert kept.exists()


def test_status_before_anything_is_built(project, capsys):
    (project / "data/raw/2565").mkdir(parents=True)
    rows = pipeline.status(root=project)
    by_stage = {r["stage"]: r for r in rows}
    assert by_stage["clean"]["missing"] == 1 and by_stage["clean"]["why"] == "never built"
    assert by_stage["agency_reports"]["units"] == 0  # no indicator table yet
    assert main(["status"]) == 1
    out = capsys.readouterr().out
    assert "FY2022 (B.E. 2565)" in out and "clean            1 missing" in out


def test_status_refuses_an_unknown_year(project, capsys):
    (project / "data/raw/2565").mkdir(parents=True)
    assert main(["status", "--year", "2570"]) == 2
    assert "No raw data for fiscal year 2570" in capsys.readouterr().err


def test_raw_snapshots_name_added_removed_and_modified_files(project):
    raw = project / "data/raw"
    (raw / "2565").mkdir()
    (raw / "2565/staff_survey.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    before = pipeline.raw_snapshot(project)
    assert set(before) == {"reference/agencies.csv", "2565/staff_survey.csv"}
    (raw / "2565/staff_survey.csv").write_text("a,b\n1,3\n", encoding="utf-8")
    (raw / "2565/new.csv").write_text("x\n", encoding="utf-8")
    (raw / "reference/agencies.csv").unlink()
    assert pipeline.changed_raw_files(before, pipeline.raw_snapshot(project)) == [
        "2565/new.csv",
        "2565/staff_survey.csv",
        "reference/agencies.csv",
    ]


def test_pinned_headers_are_an_input_of_the_cleaning(project):
    folder = project / "data/raw/2565"
    folder.mkdir(parents=True)
    (folder / "staff_survey.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "_notes.txt").write_text("not an input\n", encoding="utf-8")
    runner.load_declarations(project)
    [clean] = [s for s in runner.stages(project) if s.name == "clean"]
    tracker = pipeline.Tracker(project)
    before = tracker.inputs(pipeline.Unit(clean, 2565))["raw"]
    assert set(before) == {"data/raw/2565/staff_survey.csv"}
    (folder / "_columns.yaml").write_text('staff_survey:\n  "ข้อ 7": eco1\n', encoding="utf-8")
    after = tracker.inputs(pipeline.Unit(clean, 2565))["raw"]
    assert set(after) == {"data/raw/2565/staff_survey.csv", "data/raw/2565/_columns.yaml"}
