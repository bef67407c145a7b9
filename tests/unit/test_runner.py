import pytest

from helpers import runner


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
    from helpers import config

    config.clear_cache()
    assert runner.kernel_name(project) == "python3"
