"""Raw files are inputs only: cleaning opens them for reading and never changes them (a whole
run's before-and-after check is in tests/robustness/test_faults.py and tests/conftest.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from helpers.core import hashing
from helpers.demo import generator
from helpers.ingest import cleaning
from helpers.ingest.registry import load_registry

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_watch: dict[str, object] = {"folder": None, "opened": []}


def _on_open(event: str, args: tuple) -> None:
    # An audit hook sees every open() in the process, whoever calls it (pandas, openpyxl,
    # zipfile); it cannot be removed, so it does nothing unless a test is watching.
    folder = _watch["folder"]
    if event != "open" or folder is None or not isinstance(args[0], str | Path):
        return
    path = os.path.abspath(args[0])
    if path.startswith(str(folder)):
        mode, flags = args[1], args[2] or 0
        _watch["opened"].append((path, mode, flags))


sys.addaudithook(_on_open)


def test_cleaning_opens_raw_files_for_reading_only(project):
    generator.generate(project, agencies=6, years=[2565])
    raw = project / "data/raw"
    before = {p: hashing.sha256_file(p) for p in raw.rglob("*") if p.is_file()}
    _watch.update(folder=raw.resolve(), opened=[])
    try:
        load_registry(project)
        result = cleaning.clean_year(2565, project)
        cleaning.write_clean_year(result, project)
    finally:
        _watch["folder"] = None
    opened = _watch["opened"]
    assert {Path(p).name for p, _, _ in opened} >= {Path(f).name for f in result.inputs}
    writes = [
        (p, mode, flags)
        for p, mode, flags in opened
        if (mode and set(mode) & set("wax+")) or flags & WRITE_FLAGS
    ]
    assert writes == []
    assert {p: hashing.sha256_file(p) for p in raw.rglob("*") if p.is_file()} == before
