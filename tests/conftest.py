"""Shared fixtures: a throwaway project root (real config and registry, empty data folders),
so tests never write into the repository's data/ or reports/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root with config/, notebooks/ and the agency registry, and no data."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "config", root / "config")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    (root / "data" / "raw" / "reference").mkdir(parents=True)
    shutil.copy(REPO / "data/raw/reference/agencies.csv", root / "data/raw/reference/")
    (root / "data" / "processed").mkdir()
    (root / "reports").mkdir()
    monkeypatch.setenv("HRD_WORKBOOK_ROOT", str(root))
    config.clear_cache()
    yield root
    config.clear_cache()


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8"
) -> Path:
    """Write a CSV the way an export would, in the given encoding (utf-8-sig adds the BOM)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(header), *(",".join(r) for r in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def write_xlsx(path: Path, header: list, rows: list[list]) -> Path:
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path
