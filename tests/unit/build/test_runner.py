import pytest

from helpers.build import runner


@pytest.fixture
def notebook(project):
    return runner.stages(project)[0].notebook


def test_stages_come_from_config(project):
    [stage] = [s for s in runner.stages(project) if s.name == "clean"]
    assert stage.notebook.name == "01_clean_inputs.ipynb" and stage.scope == "year"


def test_declared_parameter_accepted(notebook):
    runner.check_parameters(notebook, {"year": 2565})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"yaer": 2565}, "has no parameter 'yaer'; it declares: year: int"),
        ({"year": "2565"}, "parameter 'year' must be int, got '2565'"),
        ({"year": True}, "must be int"),
        ({"x = 1; import os; #": 1}, "is not a valid Python name"),
    ],
)
def test_bad_parameters_refused(notebook, params, message):
    with pytest.raises(runner.ParameterError, match=message.replace("(", r"\(")):
        runner.check_parameters(notebook, params)


def test_kernel_falls_back_when_project_kernel_is_missing(project):
    path = project / "config/pipeline.yaml"
    path.write_text(
        path.read_text().replace("kernel_name: thai-hrd-workbook", "kernel_name: no-such-kernel")
    )
    from helpers.core import config

    config.clear_cache()
    assert runner.kernel_name(project) == "python3"


def test_report_stages_have_html_targets(project):
    by_name = {s.name: s for s in runner.stages(project)}
    agency, overview = by_name["agency_reports"], by_name["overview"]
    assert agency.scope == "agency" and overview.scope == "year"
    assert runner.html_path(agency, 2565, project, "03007") == project / "reports/2565/03007.html"
    assert runner.html_path(overview, 2565, project) == project / "reports/2565/overview.html"
    assert runner.html_path(by_name["clean"], 2565, project) is None
    executed = runner.executed_path(agency, 2565, project, "03007")
    assert executed.relative_to(project).as_posix() == (
        "data/processed/2565/notebooks/10_agency_report/03007.ipynb"
    )


@pytest.mark.parametrize("code", ["../../etc/passwd", "03007/../x", "a b", "0300;7"])
def test_agency_codes_used_as_file_names_are_plain(project, code):
    stage = next(s for s in runner.stages(project) if s.scope == "agency")
    with pytest.raises(runner.ParameterError, match="is not a plain code"):
        runner.html_path(stage, 2565, project, code)


def test_agency_notebook_declares_year_and_agency(project):
    stage = next(s for s in runner.stages(project) if s.scope == "agency")
    runner.check_parameters(stage.notebook, {"year": 2565, "agency": "03007"})
    with pytest.raises(runner.ParameterError, match="parameter 'agency' must be str"):
        runner.check_parameters(stage.notebook, {"year": 2565, "agency": 3007})


def test_workers_default_to_two_per_core(project, monkeypatch):
    monkeypatch.setattr(runner.os, "cpu_count", lambda: 3)
    assert runner.workers(project) == 6


def test_limits_give_each_cell_what_is_left_of_the_notebook_budget(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(runner.time, "monotonic", lambda: clock[0])
    limits = runner.Limits(cell_seconds=60, notebook_seconds=100)
    seconds_for = limits.start()
    assert seconds_for(None) == 60  # the cell limit while the notebook has time
    clock[0] += 70
    assert seconds_for(None) == 30  # then only what is left of the notebook's
    clock[0] += 40
    assert seconds_for(None) == 0.5  # past the deadline: the next wait times out at once


def test_limits_explain_timeouts_and_dead_kernels(monkeypatch):
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    clock = [0.0]
    monkeypatch.setattr(runner.time, "monotonic", lambda: clock[0])
    limits = runner.Limits(cell_seconds=5, notebook_seconds=50)
    limits.start()
    timeout = CellTimeoutError("A cell timed out while it was being executed, after 5 seconds.")
    assert limits.explain(timeout) == (
        "Timeout: a cell ran longer than 5 s (runner.cell_timeout_seconds) and was stopped"
    )
    clock[0] = 50
    assert limits.explain(timeout).startswith("Timeout: the notebook ran longer than 50 s")
    assert limits.explain(DeadKernelError("Kernel died")) == (
        "DeadKernelError: the kernel died while running the notebook (Kernel died)"
    )
    assert limits.explain(OSError("disk full\nmore detail")) == "OSError: disk full"


def test_limits_come_from_config(project):
    limits = runner.Limits.from_config(project)
    assert limits.cell_seconds > 0 and limits.notebook_seconds >= limits.cell_seconds
