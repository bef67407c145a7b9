"""Bad input: realistic faults in the raw files an evaluator receives, one test per fault.

Each fault has one of two outcomes. Either cleaning finishes, the faulty rows are set aside with
the right reason and every file's ledger balances (rows read = kept + set aside); or a
StructuralError names the file, row, column and value (where they apply) and what was expected.
Never a bare traceback. Every file here is synthetic, built by the small builders below.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.core import config
from helpers.core.errors import StructuralError
from helpers.indicators import aggregates, kpi
from helpers.ingest import cleaning
from helpers.ingest.reasons import REASONS
from helpers.ingest.registry import load_registry
from helpers.reports import overview
from helpers.reports.agency import AgencyReport
from helpers.stats import weights
from tests.conftest import (
    REPO,
    STAFF,
    build_processed,
    small_codebooks,
    write_csv,
    write_workbook,
    write_xlsx,
)

DEFAULTS = {
    "response_id": "r1",
    "submitted_at": "15/03/2565",
    "agency": "03007",
    "position_type": "วิชาการ",
    "position_level": "ชำนาญการ",
    "eco1": "4",
    "eco5": "2",
    "sat_overall": "มาก",
    "idp_made": "1",
    "idp_carried_out": "1",
    "comment": "",
}


# ----------------------------------------------------------------------------- builders


def answer(rid: str = "r1", header: list[str] = STAFF, **values: str) -> list[str]:
    """One staff-survey row in the order of ``header`` (unknown headers get '')."""
    row = {**DEFAULTS, "response_id": rid, **values}
    return [row.get(column, "") for column in header]


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    lines = [",".join(header), *(",".join(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def year_dir(project: Path, name: str = "2565") -> Path:
    path = project / "data" / "raw" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean(project: Path, year: int = 2565) -> cleaning.CleanResult:
    """Clean a year and check the ledger identity for every file."""
    result = cleaning.clean_year(year, project)
    ledger = result.ledger
    assert (ledger["rows_read"] == ledger["rows_kept"] + ledger["rows_set_aside"]).all()
    assert (ledger[list(REASONS)].sum(axis=1) == ledger["rows_set_aside"]).all()
    return result


def structural_error(project: Path, year: int = 2565) -> StructuralError:
    with pytest.raises(StructuralError) as info:
        cleaning.clean_year(year, project)
    return info.value


def ledger_row(result: cleaning.CleanResult, file: str) -> pd.Series:
    return result.ledger.set_index("file").loc[file]


def aside(result: cleaning.CleanResult) -> dict[tuple[str, int], str]:
    frame = result.set_aside
    return {
        (f, int(r)): reason
        for f, r, reason in zip(
            frame["source_file"], frame["source_row"], frame["reason"], strict=True
        )
    }


def staff(result: cleaning.CleanResult) -> pd.DataFrame:
    return result.tables["staff_survey"]


# ----------------------------------------------------------------------------- encodings


def test_utf8_bom_before_cp874_text_is_read_as_cp874(project):
    """A BOM claims UTF-8 but every Thai byte is Thai Windows: read it as cp874, say so."""
    rows = [answer("a", agency="กรมสรรพากร", comment="ดีมาก"), answer("b", eco1="เห็นด้วย")]
    path = year_dir(project) / "staff_survey.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_bytes(STAFF, rows, "cp874"))
    result = clean(project)
    assert staff(result)["agency"].tolist() == ["03007", "03007"]
    assert staff(result)["comment"].tolist()[0] == "ดีมาก"
    assert staff(result)["eco1"].tolist() == [4, 4]
    row = ledger_row(result, "2565/staff_survey.csv")
    assert row["encoding"] == "cp874"
    assert "byte-order mark but is Thai Windows (cp874)" in row["notes"]


@pytest.mark.parametrize(
    ("first", "later", "this", "that"),
    [("utf-8-sig", "cp874", "cp874", "UTF-8"), ("cp874", "utf-8", "UTF-8", "Thai Windows")],
)
def test_one_file_mixing_utf8_and_cp874_lines_names_the_line(project, first, later, this, that):
    """A row pasted from a file in the other encoding: no single reading of the file is right."""
    pasted = ",".join(answer("b", comment="ควรปรับปรุง")) + "\r\n"
    data = csv_bytes(STAFF, [answer("a", comment="ดีมาก")], first) + pasted.encode(later)
    (year_dir(project) / "staff_survey.csv").write_bytes(data)
    error = structural_error(project)
    assert (error.file, error.row) == ("2565/staff_survey.csv", 3)
    assert error.value.startswith("b,15/03/2565") and error.value.endswith("ควรปรับปรุง")
    assert error.problem.startswith(f"this line is {this} text but line 2 is {that}")
    assert error.expected == "one encoding for the whole file"


def test_mixed_encodings_across_files_of_one_instrument(project):
    folder = year_dir(project)
    thai = {"agency": "กรมสรรพากร", "comment": "อยากให้มีหลักสูตรออนไลน์มากขึ้น"}
    write_csv(folder / "staff_survey_a.csv", STAFF, [answer("a", **thai)], "cp874")
    write_csv(folder / "staff_survey_b.csv", STAFF, [answer("b", **thai)], "utf-8")
    result = clean(project)
    assert result.ledger["encoding"].tolist() == ["cp874", "utf-8"]
    kept = staff(result).set_index("response_id")
    assert kept.loc["a", "comment"] == kept.loc["b", "comment"] == thai["comment"]
    assert kept["agency"].tolist() == ["03007", "03007"]


def test_workbook_saved_with_a_csv_name(project):
    path = write_xlsx(year_dir(project) / "tmp.xlsx", STAFF, [answer()])
    path.rename(path.with_name("staff_survey.csv"))
    error = structural_error(project)
    assert error.file == "2565/staff_survey.csv"
    assert "not CSV text but an Excel workbook (.xlsx)" in error.problem
    assert error.hint == "Rename it to .xlsx"


# ----------------------------------------------------------------------------- header rows


@pytest.mark.parametrize("repeated", [STAFF, ["รหัสแบบตอบ", "วันที่ตอบ", "หน่วยงาน", "ประเภทตำแหน่ง"]])
def test_header_repeated_mid_file_is_set_aside(project, repeated):
    """Two exports pasted together: the second header (same or Thai wording) is not an answer."""
    header = [*STAFF, "form_version"]
    rows = [
        [*answer("a"), "2563.1"],
        [*repeated, *[""] * (len(header) - len(repeated) - 1), "รุ่นแบบสอบถาม"],
        [*answer("b"), "2563.1"],
    ]
    write_csv(year_dir(project) / "staff_survey.csv", header, rows)
    result = clean(project)
    assert staff(result)["response_id"].tolist() == ["a", "b"]
    assert aside(result) == {("2565/staff_survey.csv", 3): "repeated_header"}
    assert result.set_aside.loc[0, "detail"] == "the header row again"
    row = ledger_row(result, "2565/staff_survey.csv")
    assert (row["rows_read"], row["rows_kept"], row["repeated_header"]) == (3, 2, 1)
    assert ("staff_survey", "repeated_header") in set(
        zip(result.reasons()["instrument"], result.reasons()["reason"], strict=True)
    )


def test_header_repeated_in_another_column_order_stops(project):
    """Rows below a reordered header would be read under the wrong questions."""
    reordered = ["agency", "response_id", "submitted_at", *STAFF[3:]]
    rows = [answer("a"), reordered, answer("b", header=reordered)]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    error = structural_error(project)
    assert (error.file, error.row, error.column, error.value) == (
        "2565/staff_survey.csv",
        3,
        "response_id",
        "agency",
    )
    assert "repeats the header with the columns in another order" in error.problem
    assert error.expected == "the columns in the order of the header on row 1"


def test_xlsx_title_merged_above_the_header(project):
    """A banner merged across the columns, a blank row, then the header on row 3."""
    title = "แบบสำรวจความคิดเห็นของบุคลากร ปีงบประมาณ พ.ศ. 2565"
    rows = [[title, *[None] * (len(STAFF) - 1)], [None] * len(STAFF), STAFF]
    rows += [answer("a"), answer("b", agency="")]
    last = chr(ord("A") + len(STAFF) - 1)
    write_workbook(
        year_dir(project) / "staff_survey.xlsx", {"ข้อมูล": rows}, {"ข้อมูล": [f"A1:{last}1"]}
    )
    result = clean(project)
    assert staff(result)["source_row"].tolist() == [4]  # rows as the spreadsheet numbers them
    assert aside(result) == {("2565/staff_survey.xlsx", 5): "missing_required_value"}
    row = ledger_row(result, "2565/staff_survey.xlsx")
    assert row["rows_read"] == 2
    assert f"the header is on row 3; rows 1-2 above it were skipped ('{title}')" in row["notes"]


def test_xlsx_two_row_header_with_merged_group_headings(project):
    """Row 1: identification headings merged down over two rows, and group headings merged
    across their questions; row 2: the questions. Both rows together are the header."""
    top = ["รหัสแบบตอบ", "วันที่ตอบ", "หน่วยงาน", "ประเภทตำแหน่ง", "ระดับตำแหน่ง"]
    top += ["ระบบนิเวศการเรียนรู้", None, "ความพึงพอใจ", "แผนพัฒนารายบุคคล", None, None]
    second = [None] * 5 + ["eco1", "eco5", "sat_overall", "idp_made", "idp_carried_out"]
    second += ["ข้อเสนอแนะ"]
    merged = ["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "F1:G1", "I1:J1"]
    rows = [top, second, answer("a", comment="ดี"), answer("b")]
    write_workbook(year_dir(project) / "staff_survey.xlsx", {"Sheet1": rows}, {"Sheet1": merged})
    result = clean(project)
    kept = staff(result)
    assert kept["source_row"].tolist() == [3, 4]
    assert kept[["agency", "eco1", "eco5", "sat_overall", "idp_made"]].iloc[0].tolist() == [
        "03007",
        4,
        2,
        4,
        1,
    ]
    assert kept["comment"].fillna("").tolist() == ["ดี", ""]
    row = ledger_row(result, "2565/staff_survey.xlsx")
    assert (row["rows_read"], row["notes"], row["extra_columns_ignored"]) == (
        2,
        "the header is on rows 1-2; submitted_at: read day-first (d/m/y): 2 values can only be "
        "day-first, none month-first",
        "",
    )


def test_csv_with_a_title_line_from_excel(project):
    """Excel pads a title line with commas to the sheet's width: the header is found below."""
    title = ["รายงานผลการสำรวจ กรมสรรพากร", *[""] * (len(STAFF) - 1)]
    write_csv(year_dir(project) / "staff_survey.csv", title, [[""], STAFF, answer("a")])
    result = clean(project)
    assert staff(result)["source_row"].tolist() == [4]
    row = ledger_row(result, "2565/staff_survey.csv")
    assert row["rows_read"] == 1
    assert row["notes"] == (
        "the header is on row 3; rows 1-2 above it were skipped ('รายงานผลการสำรวจ กรมสรรพากร'); "
        "submitted_at: read day-first (d/m/y): 1 value can only be day-first, none month-first"
    )


def test_csv_with_a_typed_title_line(project):
    """A title typed above the header without padding is not mistaken for a ragged row."""
    title = ["รายงานผลการสำรวจ กรมสรรพากร"]
    write_csv(year_dir(project) / "staff_survey.csv", title, [[""], STAFF, answer("a")])
    error = structural_error(project)
    assert (error.file, error.row) == ("2565/staff_survey.csv", 1)
    assert error.problem == (
        "the first line has 1 field(s) but the lines below it have 11: it looks like a title "
        "above the header"
    )
    assert error.hint.startswith("Delete the lines above the header")


# ----------------------------------------------------------------------------- empty files


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"\xef\xbb\xbf"])
def test_empty_csv(project, content):
    (year_dir(project) / "staff_survey.csv").write_bytes(content)
    error = structural_error(project)
    assert (error.file, error.problem) == ("2565/staff_survey.csv", "the file is empty")
    assert error.expected == "a header row naming the columns, then one row per answer"


def test_xlsx_with_only_empty_sheets(project):
    write_workbook(year_dir(project) / "staff_survey.xlsx", {"Sheet1": [], "Sheet2": [[None]]})
    error = structural_error(project)
    assert error.file == "2565/staff_survey.xlsx"
    assert (
        error.problem
        == "the workbook is empty: no sheet holds a value (sheets: 'Sheet1', 'Sheet2')"
    )


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_header_only_file_is_clean_with_zero_rows(project, kind):
    path = year_dir(project) / f"staff_survey.{kind}"
    (write_csv if kind == "csv" else write_xlsx)(path, STAFF, [])
    result = clean(project)
    assert staff(result).empty
    row = ledger_row(result, f"2565/staff_survey.{kind}")
    assert (row["rows_read"], row["rows_kept"], row["rows_set_aside"]) == (0, 0, 0)


# ----------------------------------------------------------------------------- truncated files


def test_csv_cut_mid_row_sets_the_cut_row_aside(project):
    data = csv_bytes(STAFF, [answer("a"), answer("b"), answer("c")])
    cut = data[: data.rindex(b"\r\n", 0, len(data) - 2) + 2 + len("c,15/03/2565,030")]
    (year_dir(project) / "staff_survey.csv").write_bytes(cut)
    result = clean(project)
    assert staff(result)["response_id"].tolist() == ["a", "b"]
    assert aside(result) == {("2565/staff_survey.csv", 4): "truncated_row"}
    assert result.set_aside.loc[0, "detail"] == "the file ends in the middle of this row"
    assert "ends in the middle of row 4" in ledger_row(result, "2565/staff_survey.csv")["notes"]


def test_utf8_csv_cut_inside_a_thai_character(project):
    """Cut one byte into a three-byte Thai letter: still UTF-8 (no cp874 mojibake), and the
    cut row (all of its fields present, the last one cut) is set aside."""
    rows = [answer("a", comment="ดีมาก"), answer("b", comment="ควรเพิ่มงบประมาณ")]
    data = csv_bytes(STAFF, rows, "utf-8-sig").rstrip(b"\r\n")
    (year_dir(project) / "staff_survey.csv").write_bytes(data[:-4])  # ...ประมา + 1 of 3 bytes
    result = clean(project)
    assert ledger_row(result, "2565/staff_survey.csv")["encoding"] == "utf-8-sig"
    assert staff(result)["comment"].tolist() == ["ดีมาก"]
    assert staff(result)["agency"].tolist() == ["03007"]
    assert aside(result) == {("2565/staff_survey.csv", 3): "truncated_row"}
    raw = json.loads(result.set_aside.loc[0, "raw_values"])
    assert raw["comment"] == "ควรเพิ่มงบประม"  # the partial character is dropped
    assert "middle of a character" in ledger_row(result, "2565/staff_survey.csv")["notes"]


def test_csv_cut_inside_a_quoted_value(project):
    data = csv_bytes(STAFF, [answer("a"), answer("b", comment='"ดี, แต่ควร')])
    (year_dir(project) / "staff_survey.csv").write_bytes(data.rstrip(b"\r\n"))
    error = structural_error(project)
    assert (error.file, error.row) == ("2565/staff_survey.csv", 3)
    assert error.problem == "a quoted value starting on this row is never closed"
    assert error.expected == 'a closing quote (") for every opening one'


def test_truncated_xlsx(project):
    path = write_xlsx(year_dir(project) / "staff_survey.xlsx", STAFF, [answer()] * 50)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    error = structural_error(project)
    assert error.file == "2565/staff_survey.xlsx"
    assert error.problem.startswith("the workbook cannot be opened (BadZipFile")
    assert error.problem.endswith("it may be damaged or cut short")
    assert error.expected == "an .xlsx workbook saved by Excel or similar"


# ----------------------------------------------------------------------------- columns


def test_columns_in_another_order(project):
    shuffled = [STAFF[i] for i in (10, 3, 2, 7, 0, 9, 1, 5, 8, 4, 6)]
    rows = [answer("a", header=shuffled), answer("b", header=shuffled, eco1="5")]
    write_csv(year_dir(project) / "staff_survey.csv", shuffled, rows)
    kept = staff(clean(project))
    assert kept[["response_id", "agency", "eco1", "eco5", "position_type"]].values.tolist() == [
        ["a", "03007", 4, 2, "academic"],
        ["b", "03007", 5, 2, "academic"],
    ]


def test_renamed_columns_aliases_and_english_headers(project):
    """Thai codebook texts, aliases and the English question texts all name their column."""
    book = config.codebook("staff_survey")
    renamed = {
        "response_id": "Response ID",
        "submitted_at": "ประทับเวลา",
        "agency": "ส่วนราชการ",
        "position_type": "Position type",
        "position_level": book.column("position_level").th,
        "eco1": book.column("eco1").en,
        "sat_overall": book.column("sat_overall").en.upper(),
        "idp_made": "IDP",
    }
    header = [renamed.get(c, c) for c in STAFF]
    write_csv(year_dir(project) / "staff_survey.csv", header, [answer("a")])
    result = clean(project)
    row = staff(result).iloc[0]
    assert (row["response_id"], row["agency"], row["eco1"], row["sat_overall"]) == (
        "a",
        "03007",
        4,
        4,
    )
    assert ledger_row(result, "2565/staff_survey.csv")["extra_columns_ignored"] == ""


def test_missing_required_column_names_it_and_the_accepted_headers(project):
    header = [c for c in STAFF if c != "position_type"]
    write_csv(year_dir(project) / "staff_survey.csv", header, [answer("a", header=header)])
    error = structural_error(project)
    assert error.file == "2565/staff_survey.csv"
    assert "required column 'position_type' (ประเภทตำแหน่ง) is missing" in error.problem
    assert error.expected == "a column headed one of: position_type, ประเภทตำแหน่ง"
    assert error.hint.startswith("Columns found: response_id, submitted_at, agency, position_level")


# ----------------------------------------------------------------------------- sheets


def test_second_sheet_with_answers_stops(project):
    """Only one sheet is read: answers on a second sheet must not be dropped silently."""
    sheets = {"กอง ก": [STAFF, answer("a")], "กอง ข": [STAFF, answer("b"), answer("c")]}
    write_workbook(year_dir(project) / "staff_survey.xlsx", sheets)
    error = structural_error(project)
    assert (error.file, error.sheet, error.row) == ("2565/staff_survey.xlsx", "กอง ข", 1)
    assert "and so does sheet 'กอง ก'; only one sheet of a workbook is read" in error.problem
    assert error.expected == "all the answers of a file on one sheet"
    assert "save each sheet as a file of its own" in error.hint
    assert str(error).startswith("2565/staff_survey.xlsx, sheet 'กอง ข', row 1: this sheet holds")


def test_instruction_and_template_sheets_are_noted_not_silently_ignored(project):
    """Thai forms often open on an instructions sheet; the answers may be on the second."""
    sheets = {
        "คำชี้แจง": [["กรุณากรอกแบบสำรวจให้ครบทุกข้อ"], ["ส่งภายใน 30 มิ.ย. 2565"]],
        "คำตอบ": [STAFF, answer("a"), answer("b")],
        "แม่แบบ": [STAFF],
    }
    write_workbook(year_dir(project) / "staff_survey.xlsx", sheets)
    result = clean(project)
    assert staff(result)["response_id"].tolist() == ["a", "b"]
    notes = ledger_row(result, "2565/staff_survey.xlsx")["notes"].split("; ")
    assert notes[:2] == [
        "answers read from sheet 'คำตอบ'",
        "sheet 'คำชี้แจง' ignored: not staff survey on personnel development answers (2 rows: "
        "'กรุณากรอกแบบสำรวจให้ครบทุกข้อ | ส่งภายใน 30 มิ.ย. 2565')",
    ]
    assert notes[2].startswith(
        "sheet 'แม่แบบ' ignored: a header without answers (1 row: 'response_id | submitted_at"
    )


# ----------------------------------------------------------------------------- values


def test_likert_labels_in_english_are_accepted(project):
    rows = [
        answer("a", eco1="Strongly agree", eco5="disagree", sat_overall="Very satisfied"),
        answer("b", eco1="NEUTRAL", eco5="Strongly Disagree", sat_overall="very low"),
    ]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    result = clean(project)
    assert staff(result)[["eco1", "eco5", "sat_overall"]].values.tolist() == [[5, 2, 5], [3, 1, 1]]
    assert result.value_issues.empty


def test_misspelt_likert_label_is_missing_and_listed(project):
    rows = [answer("a", eco1="เห็นดวยอย่างยิ่ง"), answer("b", sat_overall="มากทีสุด")]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    result = clean(project)
    assert len(staff(result)) == 2  # the rows are kept ...
    assert staff(result)["eco1"].isna().tolist() == [True, False]  # ... the answer is not
    issues = result.value_issues[["source_row", "column", "value"]].values.tolist()
    assert issues == [[2, "eco1", "เห็นดวยอย่างยิ่ง"], [3, "sat_overall", "มากทีสุด"]]
    assert "5=เห็นด้วยอย่างยิ่ง" in result.value_issues.loc[0, "expected"]


def test_misspelt_required_answer_sets_the_row_aside(project):
    write_csv(
        year_dir(project) / "staff_survey.csv",
        STAFF,
        [answer("a", position_type="วิชากร"), answer("b")],
    )
    result = clean(project)
    assert aside(result) == {("2565/staff_survey.csv", 2): "invalid_required_value"}
    assert result.set_aside.loc[0, "detail"].startswith("position_type: 'วิชากร'; expected")


def test_xlsx_dates_and_numbers_are_typed_values(project):
    """Excel stores real dates and numbers: they are read as values, not as text patterns."""
    header = ["response_id", "submitted_at", "agency", "position_type", "eco1"]
    rows = [["a", dt.datetime(2022, 3, 15, 9, 30), 3007, "วิชาการ", 4.0]]
    write_xlsx(year_dir(project) / "staff_survey.xlsx", header, rows)
    kept = staff(clean(project))
    assert kept[["agency", "eco1"]].values.tolist() == [["03007", 4]]
    assert kept["submitted_at"].tolist() == [pd.Timestamp("2022-03-15 09:30")]


AGENCY_RETURN = ["agency", "a2_fc_level", "a2_levels_covered_pct", "a4_innovation_outputs"]
AGENCY_RETURN += ["headcount"]


def test_numbers_with_thai_digits_and_thousands_separators(project):
    rows = [
        ["03007", "๔", "๘๐", '"๑,๒๐๔"', '"12,345"'],
        ["03006", "3", "75.5", "๑๒", "๑๒๓๔๕"],
        ["03005", "4", "", '"1,2345"', "12.5"],  # a misplaced separator, a fraction
    ]
    write_csv(year_dir(project) / "agency_return.csv", AGENCY_RETURN, rows)
    result = clean(project)
    table = result.tables["agency_return"].set_index("agency")
    assert table.loc["03007", ["a2_fc_level", "a4_innovation_outputs", "headcount"]].tolist() == [
        4,
        1204,
        12345,
    ]
    assert table.loc["03006", ["a4_innovation_outputs", "headcount"]].tolist() == [12, 12345]
    assert table.loc["03005", ["a4_innovation_outputs", "headcount"]].isna().all()
    issues = result.value_issues[["source_row", "column", "value"]].values.tolist()
    assert issues == [[4, "a4_innovation_outputs", "1,2345"], [4, "headcount", "12.5"]]


def test_percentages_with_sign_or_words(project):
    values = ["80%", "ร้อยละ 80", "๘๐ %", "80", "80.0 %", "ร้อยละ๘๐"]
    rows = [
        [code, "3", value, "1", ""]
        for code, value in zip(
            ["03002", "03003", "03004", "03005", "03006", "03007"], values, strict=True
        )
    ]
    rows.append(["01001", "3", "120%", "1", ""])  # out of range: missing and listed
    write_csv(year_dir(project) / "agency_return.csv", AGENCY_RETURN, rows)
    result = clean(project)
    table = result.tables["agency_return"].set_index("agency")["a2_levels_covered_pct"]
    assert table.drop("01001").tolist() == [80.0] * 6
    assert pd.isna(table["01001"])
    assert result.value_issues["value"].tolist() == ["120%"]


def test_be_and_ce_years_mixed_in_one_column(project):
    dates = ["15/03/2565", "15/03/2022", "2022-03-15", "2565-03-15 09:30", "15/3/65", "15/03/22"]
    rows = [answer(f"r{i}", submitted_at=d) for i, d in enumerate(dates)]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    kept = staff(clean(project))
    assert kept["submitted_at"].dt.normalize().unique().tolist() == [pd.Timestamp("2022-03-15")]
    assert len(kept) == len(dates)


def test_fiscal_year_column_in_both_eras(project):
    rows = [["2022", "4", "2"], ["2564", "3", "1"], ["๒๕๖๕", "5", "3"]]
    header = ["fiscal_year", "o1_level", "o3_level"]
    write_csv(year_dir(project) / "ocsc_return.csv", header, rows)
    result = clean(project)
    assert result.tables["ocsc_return"][["fiscal_year", "o1_level"]].values.tolist() == [[2565, 5]]
    assert aside(result) == {
        ("2565/ocsc_return.csv", 2): "superseded_submission",  # 2022 = 2565, replaced by row 4
        ("2565/ocsc_return.csv", 3): "outside_fiscal_year",
    }


def test_dates_with_thai_month_names(project):
    dates = ["15 มีนาคม 2565", "15 มี.ค. 65", "๑๕ มี.ค. ๒๕๖๕", "15 มี.ค.2565 10.30 น.", "15 มีค 2022"]
    rows = [answer(f"r{i}", submitted_at=d) for i, d in enumerate(dates)]
    rows.append(answer("bad", submitted_at="15 มีนา 2565"))  # an unknown abbreviation
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    result = clean(project)
    kept = staff(result).set_index("response_id")["submitted_at"]
    assert set(kept.drop("bad").dt.normalize()) == {pd.Timestamp("2022-03-15")}
    assert pd.isna(kept["bad"])
    assert result.value_issues[["column", "value"]].values.tolist() == [
        ["submitted_at", "15 มีนา 2565"]
    ]


def test_a_few_dates_outside_the_folder_year_are_set_aside(project):
    dates = ["15/03/2565", "30/09/2565", "01/10/2565", "15/03/2564", "20/03/2565"]
    rows = [answer(f"r{i}", submitted_at=d) for i, d in enumerate(dates)]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    result = clean(project)
    assert aside(result) == {
        ("2565/staff_survey.csv", 4): "outside_fiscal_year",
        ("2565/staff_survey.csv", 5): "outside_fiscal_year",
    }
    assert result.set_aside.loc[0, "detail"] == (
        "dated 2022-10-01, outside FY2565 (2021-10-01 to 2022-09-30)"
    )


def test_file_in_the_wrong_year_folder_stops(project):
    """Most answers dated in FY2564: setting them all aside would hide a misfiled file."""
    dates = ["01/10/2563", "15/03/2564", "16/03/2564", "17/03/2564", "30/09/2564", "15/03/2565"]
    rows = [answer(f"r{i}", submitted_at=d) for i, d in enumerate(dates)]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    error = structural_error(project)
    assert (error.file, error.row, error.column, error.value) == (
        "2565/staff_survey.csv",
        2,
        "submitted_at",
        "01/10/2563",
    )
    assert error.problem.startswith("5 of the 6 dated answers are from fiscal year 2564, not 2565")
    assert error.expected == "answers dated in fiscal year 2565 (2021-10-01 to 2022-09-30)"
    assert error.hint.startswith("Move the file to the folder of 2564 (or 2021)")


def test_same_respondent_twice_with_different_answers_keeps_the_later(project):
    rows = [
        answer("r1", submitted_at="16/03/2565 14:00", eco1="2"),
        answer("r2"),
        answer("r1", submitted_at="16/03/2565 09:00", eco1="5"),
    ]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    result = clean(project)
    assert staff(result).set_index("response_id").loc["r1", "eco1"] == 2
    assert aside(result) == {("2565/staff_survey.csv", 4): "duplicate_submission"}
    assert result.set_aside.loc[0, "detail"] == (
        "response_id r1; kept the later one in 2565/staff_survey.csv row 2"
    )


def test_agency_not_in_the_registry_lists_the_closest(project):
    # 'กรมสรรพสามิตร' (one letter more) is now assigned by similarity; this one is too far
    rows = [answer("a", agency="กรมภาษีสรรพสามิต"), answer("b", agency="99999"), answer("c")]
    write_csv(year_dir(project) / "staff_survey.csv", STAFF, rows)
    result = clean(project)
    assert aside(result) == {
        ("2565/staff_survey.csv", 2): "unknown_agency",
        ("2565/staff_survey.csv", 3): "unknown_agency",
    }
    assert result.set_aside.loc[0, "detail"].startswith(
        "'กรมภาษีสรรพสามิต' is not in the registry; closest: 03006 กรมสรรพสามิต"
    )
    unknown = result.unknown_agencies().set_index("value")
    assert set(unknown.index) == {"กรมภาษีสรรพสามิต", "99999"}


# ----------------------------------------------------------------------------- huge file

HUGE_ROWS = 1_000_000
HUGE_PEAK_LIMIT = 3 * 2**30


def write_huge_staff_file(path: Path, rows: int, seed: int = 1) -> dict[str, int]:
    """A national-size export, written in chunks: every staff-survey column, answers as Thai
    labels or numeric codes, a few planted faults; returns the planted counts by reason."""
    rng = np.random.default_rng(seed)
    book = config.codebook("staff_survey")
    scales = config.scales()
    agencies = load_registry()["agency_code"].to_numpy()
    planted = {"unknown_agency": rows // 1000, "duplicate_submission": rows // 1000}
    faulty = rng.choice(rows, 3 * rows // 1000, replace=False)
    unknown, resent, originals = np.split(faulty, 3)  # each resent row repeats an original's id
    response_id = np.char.add("s", np.arange(rows).astype(str)).astype(object)
    response_id[resent] = response_id[originals]
    agency = rng.choice(agencies, rows).astype(object)
    agency[unknown] = "กรมที่ไม่มีอยู่จริง"
    start = pd.Timestamp("2021-10-01").value // 10**9
    for first in range(0, rows, 100_000):
        n = min(100_000, rows - first)
        seconds = rng.integers(0, 364 * 86400, n) + start
        chunk = {
            "response_id": response_id[first : first + n],
            "submitted_at": pd.to_datetime(seconds, unit="s").strftime("%d/%m/%Y %H:%M"),
            "agency": agency[first : first + n],
            "position_type": "วิชาการ",
            "position_level": rng.choice(["ปฏิบัติการ", "ชำนาญการ", "ชำนาญการพิเศษ"], n),
            "comment": np.where(rng.random(n) < 0.05, "อยากให้มีหลักสูตรออนไลน์", ""),
        }
        for column in book.columns:
            if column.name in chunk or column.type == "text":
                continue
            if column.scale:
                points = scales[column.scale].points
                chunk[column.name] = rng.choice(
                    [str(p.code) for p in points] + [p.th for p in points], n
                ).astype(object)
            else:
                chunk[column.name] = ""
        no_idp = np.isin(chunk["idp_made"], ["0", "ไม่ใช่"])
        chunk["idp_carried_out"] = np.where(no_idp, "", chunk["idp_carried_out"])
        pd.DataFrame(chunk).to_csv(
            path, index=False, header=not first, mode="a", encoding="utf-8-sig"
        )
    return planted


HUGE_MEASURE = textwrap.dedent(
    """
    import json, resource, sys, time
    from pathlib import Path
    start = time.perf_counter()
    from helpers.ingest import cleaning
    result = cleaning.clean_year(2565, Path(sys.argv[1]))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    row = result.ledger.iloc[0]
    print(json.dumps({"seconds": seconds, "peak_bytes": peak, "kept": int(row["rows_kept"]),
                      "read": int(row["rows_read"]), "aside": int(row["rows_set_aside"]),
                      "reasons": result.set_aside["reason"].value_counts().to_dict()}))
    """
)


@pytest.mark.slow
@pytest.mark.huge
def test_a_million_rows_clean_within_memory(project):
    path = year_dir(project) / "staff_survey_national.csv"
    planted = write_huge_staff_file(path, HUGE_ROWS)
    env = {**os.environ, "HRD_WORKBOOK_ROOT": str(project)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", HUGE_MEASURE, str(project)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"\n{HUGE_ROWS:,} rows ({path.stat().st_size / 2**20:.0f} MiB): cleaned in "
        f"{measured['seconds']:.1f} s (process {time.perf_counter() - started:.1f} s), "
        f"peak RSS {measured['peak_bytes'] / 2**30:.2f} GiB"
    )
    assert measured["read"] == HUGE_ROWS
    assert measured["kept"] + measured["aside"] == HUGE_ROWS
    assert measured["reasons"] == planted
    assert measured["peak_bytes"] < HUGE_PEAK_LIMIT


# ----------------------------------------------------------------------------- later stages


def _citizen_row(rid: str, agency: str, trust: str) -> list[str]:
    return [rid, "20/03/2565", agency, "bangkok", "online", trust, "7", "6"]


CITIZEN = ["response_id", "submitted_at", "agency", "region", "channel", "trust"]
CITIZEN += ["drv_reliability", "drv_fairness"]
LEVELS = ["ปฏิบัติการ", "ชำนาญการ", "ชำนาญการพิเศษ"]


def _write_year(root: Path, citizen_agencies: list[str]) -> None:
    """Staff answers to every item for 03006 and 03007 (12 each); citizen answers for the
    given agencies (15 each)."""
    folder = year_dir(root)
    items = [c.name for c in config.codebook("staff_survey").items() if c.name not in STAFF]
    header = [*STAFF, *items]
    staff_rows = [
        answer(
            f"{code}-{i}",
            header=header,
            agency=code,
            position_level=LEVELS[i % 3],
            **{item: str(1 + (i + n) % 5) for n, item in enumerate(["eco1", *items])},
        )
        for code in ("03006", "03007")
        for i in range(12)
    ]
    write_csv(folder / "staff_survey.csv", header, staff_rows)
    if citizen_agencies:
        rows = [
            _citizen_row(f"{code}-{i}", code, str(i % 11))
            for code in citizen_agencies
            for i in range(15)
        ]
        write_csv(folder / "citizen_survey.csv", CITIZEN, rows)


@pytest.fixture(scope="module", params=[["03007", "03005"], []], ids=["partial", "none"])
def built_year(request, tmp_path_factory) -> tuple[Path, list[str]]:
    """A processed year (cleaning, weights, indicators, aggregates; no notebooks) whose citizen
    survey covers only some agencies ('partial': 03007 of the two staff agencies, and 03005
    with no staff answers) or none at all."""
    import shutil

    root = tmp_path_factory.mktemp("bad_input") / "project"
    shutil.copytree(REPO / "config", root / "config")
    small_codebooks(root / "config")
    (root / "data/raw/reference").mkdir(parents=True)
    shutil.copy(REPO / "data/raw/reference/agencies.csv", root / "data/raw/reference/")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HRD_WORKBOOK_ROOT", str(root))
        config.clear_cache()
        _write_year(root, request.param)
        build_processed(root)
        yield root, request.param
    config.clear_cache()


def _indicator(root: Path, code: str, agency: str) -> pd.Series:
    table = pd.read_parquet(root / "data/processed/2565/indicators/indicators.parquet")
    return table.set_index(["indicator", "agency_code"]).loc[(code, agency)]


def test_agency_without_citizen_answers_gets_no_a7(built_year):
    root, citizen = built_year
    a7 = _indicator(root, "A7", "03006")  # staff answers, no citizen answers
    assert pd.isna(a7["value"]) and a7["status"] == "no_data"
    assert a7["respondents"] == 0 and pd.isna(a7["suppression_reason"])
    assert _indicator(root, "A5", "03006")["status"] != "no_data"
    if citizen:  # and the other way round: citizen answers only
        assert _indicator(root, "A7", "03005")["status"] != "no_data"
        assert _indicator(root, "A5", "03005")["status"] == "no_data"


def test_year_without_citizen_answers_keeps_the_other_indicators(built_year):
    root, citizen = built_year
    table = pd.read_parquet(root / "data/processed/2565/indicators/indicators.parquet")
    a7 = table[table["indicator"] == "A7"].set_index("agency_code")["status"]
    assert (a7 == "no_data").sum() == len(a7) - len(citizen)
    funnel = pd.read_parquet(root / "data/processed/2565/indicators/funnel_parameters.parquet")
    a7_centre = funnel.set_index("indicator").loc["A7", "centre"]
    assert pd.isna(a7_centre) == (not citizen)
    measures = pd.read_parquet(root / "data/processed/2565/indicators/measures.parquet")
    assert ("driver" in set(measures["group"])) == bool(citizen)


def test_agency_report_without_citizen_answers(built_year):
    root, _ = built_year
    page = AgencyReport(2565, "03006", root)
    citizen = page.sample()["citizen"]
    assert (citizen["respondents"], citizen["any"]) == (None, False)
    assert 'ไม่มีการสำรวจ<span class="en" lang="en">no survey</span>' in page.header_html()
    assert page.indicator_sentence("A7").endswith("no data.</span></p>")
    for part in (page.scorecard_html, page.verdict_html, page.methods_html):
        assert part()
    assert page.funnel_text("A7") is not None


def test_clean_year_without_citizen_file_gives_an_empty_typed_table(project):
    _write_year(project, [])
    result = clean(project)
    citizen = result.tables["citizen_survey"]
    assert citizen.empty and "trust" in citizen.columns
    assert "citizen_survey" not in set(result.ledger["instrument"])
    weighted, summary = weights.citizen_weights(citizen)
    assert weighted.empty and summary.empty
    registry = load_registry(project)
    table = kpi.indicator_table(2565, {"citizen_survey": weighted}, registry)
    assert table[table["indicator"] == "A7"].empty  # no agency has any data at all


@pytest.mark.parametrize("staff_rows", [0, 3], ids=["no_rows", "all_suppressed"])
def test_measures_when_nothing_is_published(project, staff_rows):
    """A year without a citizen survey whose staff answers are all below the threshold."""
    _write_year(project, [])
    result = clean(project)
    registry = load_registry(project)
    staff_weighted, _ = weights.staff_weights(staff(result).head(staff_rows), registry)
    citizen_weighted, _ = weights.citizen_weights(result.tables["citizen_survey"])
    frame = aggregates.measure_results(staff_weighted, citizen_weighted, 2565, registry)
    assert frame["value"].isna().all()


def test_overview_without_citizen_answers(built_year):
    root, _ = built_year
    page = overview.OverviewReport(2565, root)
    for part in (page.header_html, page.targets_html, page.ministries_html, page.models_html):
        assert part()
    page.distribution(("A5", "A7"))
    page.distribution_alt(("A5", "A7"))
    page.funnel_outliers_html("A7")
    page.trust_drivers()
    page.trend_alt(("A7",))
