"""The government-wide Excel workbook: opens, bilingual headers, suppression as published,
numbers as numbers, an explanation sheet, the same bytes for the same tables."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from helpers.reports import downloads, site_index, workbook_xlsx
from helpers.reports.workbook_xlsx import SHEETS

YEAR = 2565


@pytest.fixture(scope="module")
def root(processed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workbook") / "project"
    shutil.copytree(processed, root)
    workbook_xlsx.write_workbook(YEAR, root)
    return root


@pytest.fixture(scope="module")
def book(root: Path):
    return load_workbook(workbook_xlsx.workbook_path(YEAR, root))


def _records(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[1], r, strict=True)) for r in rows[2:]]


def test_the_workbook_opens_with_its_sheets(root, book):
    path = workbook_xlsx.workbook_path(YEAR, root)
    assert path == root / "reports" / "2565" / "hrd_indicators_2565.xlsx"
    # no breakdown table in this year: no breakdown sheet, and the explanation says so
    assert book.sheetnames == [SHEETS["about"], SHEETS["indicators"], SHEETS["items"]]
    about = " ".join(str(c) for r in book[SHEETS["about"]].iter_rows(values_only=True) for c in r)
    assert "ไม่เผยแพร่ผลใดที่คำนวณจากผู้ตอบน้อยกว่า 10 คน" in about
    assert "no figure from fewer than 10 respondents is published" in about
    assert "no breakdown sheet" in about
    assert "The targets in this report are provisional" in about
    for column in downloads.ITEM_COLUMNS:  # every column explained, in both languages
        assert column.th in about and column.en in about


def test_headers_are_thai_then_english_frozen_with_widths(book):
    sheet = book[SHEETS["indicators"]]
    thai = [c.value for c in sheet[1]]
    english = [c.value for c in sheet[2]]
    assert thai[:2] == ["รหัสหน่วยงาน", "ชื่อหน่วยงาน"] and english[:2] == [
        "Agency code",
        "Agency (Thai)",
    ]
    assert "ค่าเป้าหมายชั่วคราว" in thai and "At the provisional target" not in english
    assert sheet.freeze_panes == "B3"
    assert sheet.auto_filter.ref.startswith("A2:")
    assert 8 <= sheet.column_dimensions["B"].width <= 60
    assert sheet["A3"].font.name == workbook_xlsx.FONT_NAME


def test_values_are_numbers_equal_to_the_indicator_table(root, book):
    table = pd.read_parquet(root / "data/processed/2565/indicators/indicators.parquet")
    table = table.set_index(["agency_code", "indicator"])
    sheet = book[SHEETS["indicators"]]
    records = _records(sheet)
    assert len(records) == len(table)
    compared = 0
    for i, r in enumerate(records, 3):
        expected = table.loc[(r["Agency code"], r["Indicator"])]
        if r["Value"] is None:
            continue
        assert isinstance(r["Value"], int | float) and r["Value"] == pytest.approx(
            expected["value"], abs=5e-5
        )
        if r["95% CI low"] is not None:
            assert r["95% CI low"] == pytest.approx(expected["ci_low"], abs=5e-5)
            assert isinstance(r["Respondents (n)"], int) and r["Respondents (n)"] >= 10
            assert sheet.cell(row=i, column=10).number_format == "0.0"
        compared += 1
    assert compared > 20


def test_suppressed_rows_have_no_values(root, book):
    records = _records(book[SHEETS["indicators"]])
    withheld = [r for r in records if r["Against the target"] == "ไม่เผยแพร่ / Not published"]
    assert withheld
    for r in withheld:
        assert (
            r["Value"]
            is r["95% CI low"]
            is r["Respondents (n)"]
            is r["Change from last year"]
            is None
        )
        assert r["Note"] == "ผู้ตอบน้อยกว่า 10 คน / fewer than 10 respondents"
    items = _records(book[SHEETS["items"]])
    hidden = [r for r in items if r["Note"]]
    assert hidden and all(r["Percent positive"] is r["Respondents (n)"] is None for r in hidden)
    shown = [r for r in items if not r["Note"]]
    assert all(isinstance(r["Percent positive"], float) for r in shown)


def test_the_same_tables_give_the_same_bytes(root):
    first = workbook_xlsx.workbook_bytes(YEAR, root)
    assert workbook_xlsx.workbook_bytes(YEAR, root) == first
    path = workbook_xlsx.workbook_path(YEAR, root)
    assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(first).digest()
    book = load_workbook(path)
    assert book.properties.created == book.properties.modified
    assert book.properties.created.year == 2022  # the fiscal year's last day, 2022-09-30


def test_a_breakdown_table_gets_its_sheet(processed, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(processed, root)
    agency = pd.read_parquet(root / "data/processed/2565/indicators/indicators.parquet")[
        "agency_code"
    ].iloc[0]
    pd.DataFrame(
        {
            "agency_code": [agency, agency],
            "measure": ["A5", "A5"],
            "variable": ["gender", "gender"],
            "group": ["female", "male"],
            "respondents": [30, 9],
            "estimate": [66.0, 50.0],
            "ci_low": [60.0, 40.0],
            "ci_high": [72.0, 60.0],
            "suppression_reason": [None, "fewer than 10 respondents"],
        }
    ).to_parquet(downloads.breakdowns_path(YEAR, root), index=False)
    book = load_workbook(workbook_xlsx.write_workbook(YEAR, root))
    assert book.sheetnames[-1] == SHEETS["breakdowns"]
    rows = _records(book[SHEETS["breakdowns"]])
    assert [r["Estimate"] for r in rows] == [66.0, None]
    assert [r["Respondents (n)"] for r in rows] == [30, None]


def test_the_index_links_the_workbook(root):
    (root / "reports/2565/overview.html").write_text("<p>o</p>", encoding="utf-8")
    html = site_index.render_index(root)
    assert 'href="2565/hrd_indicators_2565.xlsx" download' in html
    link = workbook_xlsx.workbook_link_html(2565)
    assert 'href="hrd_indicators_2565.xlsx"' in link and 'lang="en"' in link
