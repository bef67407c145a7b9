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


def build_processed(root: Path, year: int = 2565) -> None:
    """Stages 01 and 04 for one year, in-process (what the report tests read)."""
    import pandas as pd

    from helpers import aggregates, cleaning, kpi, weights
    from helpers.registry import load_registry

    cleaning.run_cleaning(year, root)
    registry = load_registry(root)
    clean = {
        n: cleaning.read_clean(year, n, root)
        for n in ("staff_survey", "citizen_survey", "agency_return", "ocsc_return")
    }
    staff, staff_w = weights.staff_weights(clean["staff_survey"], registry)
    citizen, citizen_w = weights.citizen_weights(clean["citizen_survey"])
    tables = {**clean, "staff_survey": staff, "citizen_survey": citizen}
    table = kpi.indicator_table(year, tables, registry, root=root)
    items = kpi.item_results(staff, year, registry=registry, root=root)
    kpi.write_indicators(table, year, root, items=items)
    set_aside = pd.read_parquet(cleaning.output_dir(year, root) / "set_aside.parquet")
    aggregates.write_aggregates(
        {
            "staff_weighting": staff_w.assign(fiscal_year=year),
            "citizen_weighting": citizen_w.assign(fiscal_year=year),
            "measures": aggregates.measure_results(staff, citizen, year, registry, root=root),
            "satisfaction_correlations": aggregates.satisfaction_correlations(
                staff, year, root=root
            ),
            "set_aside_by_agency": aggregates.set_aside_summary(set_aside, year),
            "funnel_parameters": aggregates.funnel_parameters(staff, table, year, root=root),
        },
        year,
        root,
    )


@pytest.fixture(scope="session")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one processed demo year (2565, six agencies; two of them too small to
    report), up to the aggregate tables the reports read. Read-only for the tests."""
    from helpers import demo

    root = tmp_path_factory.mktemp("processed") / "project"
    for folder in ("config", "notebooks"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "data/raw/reference").mkdir(parents=True)
    shutil.copy(REPO / "data/raw/reference/agencies.csv", root / "data/raw/reference/")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HRD_WORKBOOK_ROOT", str(root))
        config.clear_cache()
        demo.generate(root, agencies=6, years=[2565])
        build_processed(root)
    config.clear_cache()
    return root
