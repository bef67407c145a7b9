"""The run's planning pieces: which years a stage runs for, leftovers of a killed run,
status before anything is built, lanes of year stages side by side. (Whole runs:
tests/e2e/test_incremental.py.)"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers.app.cli import main
from helpers.build import pipeline, runner
from helpers.build.runner import RunOutcome, Stage


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


# ----------------------------------------------------------------------------- lanes


class _Log:
    """What a fake pool ran, in order: ("start" | "end", unit label)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def add(self, what: str, label: str) -> None:
        with self.lock:
            self.events.append((what, label))


class _FakePool:
    """Two threads in place of worker processes; a unit 'runs' for a few milliseconds."""

    workers = 2

    def __init__(self, log: _Log, root: Path) -> None:
        self.log, self.root = log, root
        self.threads = ThreadPoolExecutor(max_workers=2)
        self.single_started = threading.Event()
        self.beside: list[bool] = []  # per chain unit: a single unit started while it ran

    def submit(self, fn, stage, year, root, key):
        def run():
            label = f"{stage.name} {year}"
            self.log.add("start", label)
            if stage.name == "chain":
                self.beside.append(self.single_started.wait(timeout=5))
            else:
                self.single_started.set()
            self.log.add("end", label)
            return RunOutcome(stage.name, year, True, 0.0, root / f"{stage.name}{year}.ipynb")

        return self.threads.submit(run)


class _FakeTracker:
    def parts(self, unit):
        return {}

    def status(self, unit, parts):
        return pipeline.MISSING, ""

    def write_record(self, unit, parts):
        pass


class _FakeReporter:
    def planned(self, n):
        pass

    def line(self, text, show=True):
        pass

    def done(self, outcome):
        pass


def test_lanes_run_a_chain_of_years_in_order_beside_the_other_units(tmp_path):
    """A stage reading its own earlier years (``earlier:``) runs its years one after another;
    the independent units run beside that chain, not after it."""
    chain = Stage("chain", Path("c.ipynb"), "year", {"year": "int"}, inputs=("earlier:x",))
    single = Stage("single", Path("s.ipynb"), "year", {"year": "int"})
    years = (2563, 2564, 2565)
    batches = [(None, [pipeline.Unit(single, y) for y in years])]
    batches += [(None, [pipeline.Unit(chain, y)]) for y in years]
    lanes = pipeline._lanes([single, chain], batches)
    assert [u.label for u in lanes[0]] == ["chain 2563", "chain 2564", "chain 2565"]
    assert sorted(len(lane) for lane in lanes) == [1, 1, 1, 3]
    log = _Log()
    result = pipeline.RunResult()
    pool = _FakePool(log, tmp_path)
    run = pipeline._RunContext(_FakeTracker(), _FakeReporter(), result, tmp_path, False, False)
    pipeline._run_lanes(pool, lanes, run)
    assert len(result.outcomes) == 6 and all(o.ok for o in result.outcomes)
    order = [f"{what} {label}" for what, label in log.events]
    for earlier, later in ((2563, 2564), (2564, 2565)):
        assert order.index(f"end chain {earlier}") < order.index(f"start chain {later}")
    assert pool.beside[0]  # the chain's first year (started first) saw a single unit start
