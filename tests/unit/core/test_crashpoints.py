import os
import signal

import pytest

from helpers.core import crashpoints


@pytest.fixture
def kills(monkeypatch):
    calls = []
    monkeypatch.setattr(crashpoints, "_reached", crashpoints.Counter())
    monkeypatch.setattr(crashpoints.os, "killpg", lambda group, sig: calls.append((group, sig)))
    return calls


def test_without_the_variable_nothing_happens(kills, monkeypatch):
    monkeypatch.delenv(crashpoints.ENV, raising=False)
    crashpoints.reach("replace.html")
    assert kills == []


def test_the_nth_arrival_at_the_named_point_kills_the_process_group(kills, monkeypatch):
    monkeypatch.setenv(crashpoints.ENV, "replace.html@2")
    crashpoints.reach("replace.parquet")
    crashpoints.reach("replace.html")
    assert kills == []
    crashpoints.reach("replace.html")
    assert kills == [(os.getpgrp(), signal.SIGKILL)]
