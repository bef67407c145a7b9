"""Shared fixtures: a throwaway project root (real config and registry, empty data folders),
so tests never write into the repository's data/ or reports/; one processed demo year; and the
end-to-end project (demo data for six agencies and three years, run once through the `workbook`
command line) shared by the end-to-end and robustness tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from helpers.build import runner
from helpers.core import config, hashing
from helpers.demo import generator

REPO = Path(__file__).resolve().parents[1]
# The staff-survey columns the small synthetic files of the cleaning tests use.
STAFF = [
    "response_id",
    "submitted_at",
    "agency",
    "position_type",
    "position_level",
    "eco1",
    "eco5",
    "sat_overall",
    "idp_made",
    "idp_carried_out",
    "comment",
]


def small_codebooks(config_dir: Path) -> None:
    """Let the small synthetic files answer a few questions only: drop the codebooks'
    ``in_every_file`` marks (tests/unit/ingest/test_headers.py tests them with the real
    codebooks)."""
    for path in (config_dir / "codebooks").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("in_every_file: true, ", ""), encoding="utf-8")


def small_codebook(book: config.Codebook) -> config.Codebook:
    """The codebook without its ``in_every_file`` marks (see :func:`small_codebooks`)."""
    columns = tuple(
        replace(c, extra={k: v for k, v in c.extra.items() if k != "in_every_file"})
        for c in book.columns
    )
    return replace(book, columns=columns)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root with config/, notebooks/ and the agency registry, and no data."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "config", root / "config")
    small_codebooks(root / "config")
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


def write_workbook(
    path: Path,
    sheets: dict[str, list[list]],
    merged: dict[str, list[str]] | None = None,
    hidden: dict[str, str] | tuple[str, ...] = (),
) -> Path:
    """An .xlsx with the given sheets (rows of cell values), merged ranges per sheet, and hidden
    sheets (a tuple of titles, or title -> 'hidden' / 'veryHidden')."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cells in (merged or {}).get(title, []):
            sheet.merge_cells(cells)
        if title in hidden:
            sheet.sheet_state = hidden[title] if isinstance(hidden, dict) else "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def build_processed(root: Path, year: int = 2565) -> None:
    """Stages 01 and 04 for one year, in-process (what the report tests read)."""
    import pandas as pd

    from helpers.indicators import aggregates, kpi
    from helpers.ingest import cleaning
    from helpers.ingest.registry import load_registry
    from helpers.stats import weights

    cleaning.run_cleaning(year, root)
    registry = load_registry(root)
    clean = {
        n: cleaning.read_clean(year, n, root)
        for n in ("staff_survey", "citizen_survey", "agency_return", "ocsc_return")
    }
    staff, staff_w = weights.staff_weights(clean["staff_survey"], registry, root=root)
    citizen, citizen_w = weights.citizen_weights(clean["citizen_survey"], root=root)
    weights.write_weights(staff, staff_w, "staff_survey", year, root)
    weights.write_weights(citizen, citizen_w, "citizen_survey", year, root)
    tables = {**clean, "staff_survey": staff, "citizen_survey": citizen}
    table = kpi.indicator_table(year, tables, registry, root=root)
    items = kpi.item_results(staff, year, registry=registry, root=root)
    kpi.write_indicators(table, year, root, items=items)
    set_aside = pd.read_parquet(cleaning.output_dir(year, root) / "set_aside.parquet")
    aggregates.write_aggregates(
        {
            "measures": aggregates.measure_results(staff, citizen, year, registry, root=root),
            "satisfaction_correlations": aggregates.satisfaction_correlations(
                staff, year, root=root
            ),
            "set_aside_by_agency": aggregates.set_aside_summary(set_aside, year),
            "funnel_parameters": aggregates.funnel_parameters(staff, table, year, root=root),
            "missing_questions": aggregates.missing_questions(
                pd.read_parquet(cleaning.output_dir(year, root) / "ledger.parquet"),
                clean,
                year,
                root,
            ),
        },
        year,
        root,
    )


@pytest.fixture(scope="session")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one processed demo year (2565, six agencies; two of them too small to
    report), up to the aggregate tables the reports read. Read-only for the tests."""
    from helpers.demo import generator

    root = tmp_path_factory.mktemp("processed") / "project"
    for folder in ("config", "notebooks"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "data/raw/reference").mkdir(parents=True)
    shutil.copy(REPO / "data/raw/reference/agencies.csv", root / "data/raw/reference/")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HRD_WORKBOOK_ROOT", str(root))
        config.clear_cache()
        generator.generate(root, agencies=6, years=[2565])
        build_processed(root)
    config.clear_cache()
    return root


# Given to one demo agency as its Thai name (its real name stays an alias, so the demo files
# still match it): the reports and the index must show it as text, never as markup.
HOSTILE_NAME = '<script>alert("x")</script><img src=x onerror=alert(1)> & "กรมทดสอบ"'
YEARS = (2563, 2564, 2565)


def _make_hostile(root: Path) -> str:
    path = root / "data/raw/reference/agencies.csv"
    registry = pd.read_csv(path, dtype=str, keep_default_na=False)
    truth = generator.build_world(root, 2565, "demo", 6).codes
    code = sorted(truth)[-1]
    row = registry["agency_code"] == code
    original = registry.loc[row, "name_th"].iloc[0]
    aliases = registry.loc[row, "aliases"].iloc[0]
    registry.loc[row, "aliases"] = ";".join(a for a in (original, aliases) if a)
    registry.loc[row, "name_th"] = HOSTILE_NAME
    registry.to_csv(path, index=False)
    return code


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with demo data for six agencies, run once through the command line."""
    root = tmp_path_factory.mktemp("e2e") / "project"
    shutil.copytree(REPO / "config", root / "config")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    (root / "data/raw/reference").mkdir(parents=True)
    shutil.copy(REPO / "data/raw/reference/agencies.csv", root / "data/raw/reference/")
    generator.generate(root, agencies=6)
    (root / "hostile_agency.txt").write_text(_make_hostile(root), encoding="utf-8")
    raw = root / "data/raw"
    before = {p: hashing.sha256_file(p) for p in raw.rglob("*") if p.is_file()}
    env = {**os.environ, "HRD_WORKBOOK_ROOT": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "helpers.app.cli", "run"],
        env=env,
        cwd=root.parent,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    per_year = [s for s in runner.stages(root) if s.scope == "year"]
    reports = len(list((root / "reports").glob("[0-9]*/[0-9]*.html")))
    assert reports, done.stdout
    assert f"{len(YEARS) * len(per_year) + reports} built, 0 up to date (skipped), 0 failed" in (
        done.stdout
    ), done.stdout
    after = {p: hashing.sha256_file(p) for p in raw.rglob("*") if p.is_file()}
    assert after == before, "raw files were modified"
    return root


@pytest.fixture(scope="session")
def hostile_code(built: Path) -> str:
    return (built / "hostile_agency.txt").read_text(encoding="utf-8")


def rebuild_reports(root: Path, agency: str, year: int = 2565):
    """Rebuild one agency's report and the overview of ``year`` in ``root``, quietly."""
    from helpers.build import pipeline

    return pipeline.run(
        [year],
        ["agency_reports", "overview"],
        root,
        agencies=[agency],
        force=True,
        echo=lambda _: None,
        progress=False,
    )
