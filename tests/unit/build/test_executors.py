"""Executors: every run reports back, a failing run as its exception, in any order."""

from __future__ import annotations

import pytest

from helpers.build import executors
from helpers.core import paths, years


@pytest.mark.parametrize("workers", [1, 2])
def test_each_run_returns_its_result_or_its_error(workers):
    calls = [(2565,), (2022,), (5,)]
    got = dict(executors.LocalExecutor(workers).run(years.to_be, calls))
    assert got[(2565,)] == 2565 and got[(2022,)] == 2565
    assert isinstance(got[(5,)], ValueError)  # the others were not stopped by it


def test_the_executor_is_chosen_by_scheduler():
    assert isinstance(executors.make_executor(2), executors.LocalExecutor)
    assert executors.make_executor(3).name == "local pool, 3 workers"


def test_a_dask_address_that_answers_nothing_fails_clearly():
    with pytest.raises(OSError):
        executors.DaskExecutor("tcp://127.0.0.1:9", timeout=1)  # nothing listens there


def test_workers_see_the_environment_of_the_run_that_starts_them(monkeypatch):
    """Workers are forked from a forkserver that outlives a run; each pool must still give
    them the current project root and kernel server, not the first run's."""
    seen = {}
    for run in ("first", "second"):
        monkeypatch.setenv("HRD_WORKBOOK_ROOT", f"/{run}")
        pool = executors.LocalExecutor(2)
        try:
            seen[run] = {str(r) for _, r in pool.run(paths.project_root, [()] * 4)}
        finally:
            pool.close()
    assert seen == {"first": {"/first"}, "second": {"/second"}}
