"""``workbook audit`` on the take-away tables: the year's workbook and the CSV downloads of a
page pass as written; a figure planted from 5 respondents, a count below the threshold and a
value the published tables do not have are found."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers.audit import confidentiality
from helpers.audit import workbook as workbook_audit
from helpers.reports import downloads, workbook_xlsx
from helpers.reports.tables import YearData
from helpers.reports.workbook_xlsx import SHEETS

YEAR = 2565


@pytest.fixture
def root(processed: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(processed, root)
    workbook_xlsx.write_workbook(YEAR, root)
    return root


def _column(sheet, english: str) -> int:
    return [c.value for c in sheet[2]].index(english) + 1


def _find(sheet, **wanted) -> int:
    """The row number of the first data row whose English-headed cells hold ``wanted``."""
    columns = {name: _column(sheet, name) for name in wanted}
    for i in range(3, sheet.max_row + 1):
        if all(sheet.cell(row=i, column=columns[n]).value == v for n, v in wanted.items()):
            return i
    raise AssertionError(f"no row with {wanted}")


def _plant(root: Path, change) -> None:
    path = workbook_xlsx.workbook_path(YEAR, root)
    book = load_workbook(path)
    change(book[SHEETS["indicators"]])
    book.save(path)


def _small_agency(root: Path) -> str:
    table = YearData.load(YEAR, root).indicators
    return str(table.loc[table["status"] == "suppressed", "agency_code"].iloc[0])


def test_the_workbook_as_written_passes(root):
    result = confidentiality.audit([YEAR], root)
    assert any(f.endswith(".xlsx") for f in result.files)
    assert result.ok, confidentiality.format_result(result)


def test_a_value_planted_from_five_respondents_is_found(root):
    small = _small_agency(root)

    def plant(sheet):
        row = _find(
            sheet, **{"Agency code": small, "Against the target": "ไม่เผยแพร่ / Not published"}
        )
        sheet.cell(row=row, column=_column(sheet, "Value"), value=55.0)
        sheet.cell(row=row, column=_column(sheet, "Respondents (n)"), value=5)

    _plant(root, plant)
    result = confidentiality.audit([YEAR], root)
    found = [f for f in result.findings if f.file.endswith(".xlsx")]
    assert [f.check for f in found] == ["small-n"], confidentiality.format_result(result)
    assert "fewer than 10" in found[0].detail and SHEETS["indicators"] in found[0].location


def test_a_withheld_value_planted_without_a_count_is_found(root):
    small = _small_agency(root)

    def plant(sheet):
        row = _find(sheet, **{"Agency code": small, "Indicator": "A5"})
        sheet.cell(row=row, column=_column(sheet, "Value"), value=61.0)

    _plant(root, plant)
    found = [f for f in confidentiality.audit([YEAR], root).findings if f.file.endswith(".xlsx")]
    assert found and {f.check for f in found} <= {"small-n", "marker"}


def test_a_value_or_count_not_published_is_found(root):
    table = YearData.load(YEAR, root).indicators
    big = table.loc[(table["indicator"] == "A5") & table["value"].notna(), "agency_code"].iloc[0]

    def plant(sheet):
        row = _find(sheet, **{"Agency code": big, "Indicator": "A5"})
        cell = sheet.cell(row=row, column=_column(sheet, "Value"))
        cell.value = cell.value + 1.0
        n = sheet.cell(row=row, column=_column(sheet, "Respondents (n)"))
        n.value = n.value + 3

    _plant(root, plant)
    found = [f for f in confidentiality.audit([YEAR], root).findings if f.file.endswith(".xlsx")]
    details = " | ".join(f.detail for f in found)
    assert {f.check for f in found} == {"marker"}
    assert "value is not the published table's value" in details
    assert "respondents, the data has" in details


def _page(root: Path, agency: str, html: str) -> Path:
    path = root / "reports" / str(YEAR) / f"{agency}.html"
    path.write_text(f'<html><body data-agency="{agency}">{html}</body></html>', encoding="utf-8")
    return path


def test_csv_downloads_in_a_page_pass_and_a_planted_count_is_found(root):
    data = YearData.load(YEAR, root)
    table = data.indicators
    big = table.loc[(table["indicator"] == "A5") & table["value"].notna(), "agency_code"].iloc[0]
    html = downloads.downloads_html(data, big)
    _page(root, big, html)
    result = confidentiality.audit([YEAR], root)
    assert result.ok, confidentiality.format_result(result)
    # the same link with a count of 5 written into its CSV (the marker left as it was)
    link = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', html)
    text = base64.b64decode(link.group(1)).decode("utf-8-sig")
    lines = text.split("\r\n")
    a5 = next(i for i, line in enumerate(lines) if ",A5," in line)
    n = (
        YearData.load(YEAR, root)
        .indicators.set_index(["agency_code", "indicator"])
        .loc[(big, "A5"), "respondents"]
    )
    lines[a5] = lines[a5].replace(f",{int(n)},", ",5,", 1)
    planted = base64.b64encode(("\ufeff" + "\r\n".join(lines)).encode()).decode()
    _page(root, big, html.replace(link.group(1), planted))
    found = confidentiality.audit([YEAR], root).findings
    assert [(f.check, "download" in f.location) for f in found] == [("small-n", True)]


def test_data_uris_decode_both_ways():
    text = "\ufeffก,b\r\n1,2\r\n"
    b64 = "data:text/csv;charset=utf-8;base64," + base64.b64encode(text.encode()).decode()
    assert workbook_audit.decode_data_uri(b64) == "ก,b\r\n1,2\r\n"
    pct = "data:text/csv;charset=utf-8,%EF%BB%BF%E0%B8%81,b%0D%0A"
    assert workbook_audit.decode_data_uri(pct) == "ก,b\r\n"


def test_the_audit_reads_the_workbook_as_openpyxl_does(root):
    """read_sheets (calamine) gives every cell of the year's workbook as openpyxl reads it."""
    path = workbook_xlsx.workbook_path(YEAR, root)
    book = load_workbook(path, read_only=True, data_only=True)
    expected = [(s.title, [list(r) for r in s.iter_rows(values_only=True)]) for s in book]
    book.close()
    assert confidentiality.read_sheets(path) == expected
    floats = [v for _, rows in expected for row in rows for v in row if isinstance(v, float)]
    assert floats and any(isinstance(v, int) for _, rows in expected for r in rows for v in r)


def test_a_workbook_that_cannot_be_read_is_reported(root):
    workbook_xlsx.workbook_path(YEAR, root).write_bytes(b"PK\x03\x04 cut short")
    found = [f for f in confidentiality.audit([YEAR], root).findings if f.check == "unreadable"]
    assert [f.file for f in found] == [f"reports/{YEAR}/hrd_indicators_{YEAR}.xlsx"]
