"""The government-wide Excel workbook of a year: ``reports/<year>/hrd_indicators_<year>.xlsx``.

Four sheets: an explanation of every column in Thai and English with the confidentiality rule
(first, so that it is read first), the indicators by agency, the item results by agency and,
when the indicators stage wrote them, the staff-group breakdowns. The tables are those of
:mod:`helpers.reports.downloads` (what the reports publish, suppression applied; no statistic
is computed here). Each data sheet has two header rows (Thai, then English), frozen with the
first column, a filter, column widths, numbers as numbers with number formats, and the Thai
government typeface named in every cell (TH Sarabun New; a spreadsheet without it falls back
to another font).

The file is deterministic: its document properties and the time stamps of its zip entries are
fixed from the fiscal year, so the same tables give the same bytes. It is written by the
``workbook`` finisher (:mod:`helpers.app.stages`), which rebuilds it when
:func:`workbook_inputs` changes, and checked by ``workbook audit``
(:mod:`helpers.audit.workbook`).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.core import atomic, config, paths, years
from helpers.core.hashing import ABSENT, digest_json, sha256_file
from helpers.indicators import kpi
from helpers.reports import downloads
from helpers.reports.downloads import Column
from helpers.reports.formatting import present
from helpers.reports.htmlexport import esc
from helpers.reports.tables import YearData

FONT_NAME = "TH Sarabun New"
FONT_SIZE = 14
SHEETS = {
    "about": "คำอธิบาย About",
    "indicators": "ตัวชี้วัด Indicators",
    "items": "ข้อคำถาม Items",
    "breakdowns": "กลุ่มบุคลากร Groups",
}
# The configuration the workbook reads (its values decide the file's content).
CONFIG_KEYS = (
    "pipeline.paths",
    "pipeline.confidentiality",
    "targets",
    "reports",
    "codebooks.staff_survey",
    "scales",
)
# read too when present: the breakdowns' groups and labels
OPTIONAL_CONFIG_KEYS = ("pipeline.breakdowns",)
TABLES = ("indicators", "items", "breakdowns")  # under data/processed/<year>/indicators/

VALUE_FORMATS = {
    "percent": "0.0",
    "index_0_100": "0.0",
    "level_1_5": "0",
    "count": "#,##0",
    "yes_no": '[=1]"ใช่ / Yes";[=0]"ไม่ใช่ / No";General',
}
CHANGE_FORMATS = {
    "percent": "+0.0;-0.0;0.0",
    "index_0_100": "+0.0;-0.0;0.0",
}
KIND_FORMATS = {"int": "#,##0", "number": "0.0", "p": "0.000"}

DESCRIPTIONS: dict[str, tuple[str, str]] = {
    "agency_code": (
        "รหัสหน่วยงานตามทะเบียนหน่วยงาน (OCSC คือสำนักงาน ก.พ.)",
        "Agency code in the agency registry (OCSC: the Office of the Civil Service Commission)",
    ),
    "agency_th": ("ชื่อหน่วยงานภาษาไทย", "Agency name in Thai"),
    "agency_en": ("ชื่อหน่วยงานภาษาอังกฤษ", "Agency name in English"),
    "ministry_th": ("กระทรวงที่สังกัด ภาษาไทย", "Ministry, in Thai"),
    "ministry_en": ("กระทรวงที่สังกัด ภาษาอังกฤษ", "Ministry, in English"),
    "indicator": (
        "รหัสตัวชี้วัดความสำเร็จ A1–A7 (หน่วยงาน) และ O1–O3 (สำนักงาน ก.พ.)",
        "Success indicator code: A1-A7 (agencies), O1-O3 (OCSC)",
    ),
    "indicator_th": ("ชื่อตัวชี้วัดภาษาไทย", "Indicator name in Thai"),
    "indicator_en": ("ชื่อตัวชี้วัดภาษาอังกฤษ", "Indicator name in English"),
    "unit": (
        "หน่วยของผล ค่าเป้าหมาย และการเปลี่ยนแปลง (ร้อยละ: การเปลี่ยนแปลงเป็นจุดร้อยละ)",
        "Unit of the value, target and change (percent: change in percentage points)",
    ),
    "value": (
        "ผลของตัวชี้วัด ค่าประมาณแบบถ่วงน้ำหนักสำหรับตัวชี้วัดจากแบบสำรวจ (A3 A5 A6 A7)",
        "The indicator's value; a weighted estimate for the survey indicators (A3, A5, A6, A7)",
    ),
    "ci_low": (
        "ขอบล่างของช่วงความเชื่อมั่น 95% (เฉพาะค่าประมาณจากแบบสำรวจ)",
        "Lower bound of the 95% confidence interval (survey estimates only)",
    ),
    "ci_high": (
        "ขอบบนของช่วงความเชื่อมั่น 95% (เฉพาะค่าประมาณจากแบบสำรวจ)",
        "Upper bound of the 95% confidence interval (survey estimates only)",
    ),
    "respondents": (
        "จำนวนผู้ตอบที่ใช้คำนวณผล (ว่างสำหรับตัวชี้วัดจากแบบรายงาน และเมื่อไม่เผยแพร่ผล)",
        "Respondents the figure rests on (empty for indicators from returns, "
        "and when the result is not published)",
    ),
    "direction": (
        "≥ ผลต้องไม่น้อยกว่าค่าเป้าหมาย ≤ ผลต้องไม่เกินค่าเป้าหมาย",
        "≥: the value must reach the target; ≤: it must not exceed it",
    ),
    "target": ("ค่าเป้าหมายใน config/targets.yaml", "The target in config/targets.yaml"),
    "status": (
        "ผลเทียบกับค่าเป้าหมาย ใช้ถ้อยคำเดียวกับรายงาน",
        "The value against the target, worded as in the reports",
    ),
    "change": (
        "ผลปีนี้ลบผลปีก่อน (เฉพาะเมื่อเผยแพร่ผลทั้งสองปี)",
        "This year's value minus last year's (only when both were published)",
    ),
    "change_p": (
        "ค่า p ของการทดสอบการเปลี่ยนแปลง (เฉพาะค่าประมาณจากแบบสำรวจ)",
        "p-value of the test of the change (survey estimates only)",
    ),
    "change_significant": ("ใช่ เมื่อ p < 0.05", "Yes when p < 0.05"),
    "note": (
        "เหตุที่ไม่มีผล: ไม่เผยแพร่ (ผู้ตอบน้อยกว่าเกณฑ์) หรือไม่มีข้อมูล",
        "Why a figure is missing: not published (too few respondents) or no data",
    ),
    "item": ("รหัสข้อคำถามในแบบสำรวจบุคลากร", "Item code in the staff survey"),
    "construct_th": ("องค์ประกอบที่ข้อคำถามวัด", "The construct the item measures, in Thai"),
    "construct_en": ("องค์ประกอบภาษาอังกฤษ", "The construct, in English"),
    "item_th": ("ข้อความของข้อคำถาม", "The item's wording in Thai"),
    "item_en": ("ข้อความของข้อคำถามภาษาอังกฤษ", "The item's wording in English"),
    "reverse": (
        "ใช่ เมื่อเป็นข้อคำถามเชิงลบ ซึ่งนับคำตอบไม่เห็นด้วยเป็นเชิงบวก",
        "Yes for a negatively worded item, whose disagreement counts as positive",
    ),
    "percent_positive": (
        "ร้อยละของผู้ตอบที่ตอบ 4–5 (เห็นด้วย–เห็นด้วยอย่างยิ่ง หรือพึงพอใจมาก–มากที่สุด)",
        "Percent answering 4-5 (agree, strongly agree; or satisfied, very satisfied)",
    ),
    "percent_neutral": ("ร้อยละของผู้ตอบที่ตอบ 3", "Percent answering 3 (neutral)"),
    "percent_negative": ("ร้อยละของผู้ตอบที่ตอบ 1–2", "Percent answering 1-2"),
    "strength": ("ใช่ เมื่อร้อยละเชิงบวกไม่น้อยกว่า 65", "Yes when at least 65% are positive"),
    "challenge": ("ใช่ เมื่อร้อยละเชิงลบไม่น้อยกว่า 35", "Yes when at least 35% are negative"),
    "scope": (
        "รหัสหน่วยงาน หรือ gov สำหรับผลรวมทุกหน่วยงาน",
        "Agency code, or gov for all agencies together",
    ),
    "measure": (
        "ตัววัด: A3 A5 A6 หรือองค์ประกอบ (ecosystem skillsets mindset)",
        "Measure: A3, A5, A6 or a construct (ecosystem, skillsets, mindset)",
    ),
    "variable": ("ตัวแปรที่ใช้จำแนกกลุ่มบุคลากร", "The staff characteristic of the breakdown"),
    "group": ("รหัสกลุ่ม", "Group code"),
    "group_th": ("ชื่อกลุ่มภาษาไทย", "Group name in Thai"),
    "group_en": ("ชื่อกลุ่มภาษาอังกฤษ", "Group name in English"),
    "estimate": ("ค่าประมาณของกลุ่ม", "The group's estimate"),
}


# ----------------------------------------------------------------------------- names


def workbook_filename(year: int) -> str:
    """The workbook's file name: ``hrd_indicators_2565.xlsx``."""
    return f"hrd_indicators_{years.to_be(year)}.xlsx"


def workbook_path(year: int, root: Path | None = None) -> Path:
    """Where the year's workbook is written: ``reports/<year>/hrd_indicators_<year>.xlsx``."""
    root = root or paths.project_root()
    reports = paths.resolve(config.pipeline(root)["paths"]["reports"], root)
    return reports / str(years.to_be(year)) / workbook_filename(year)


def workbook_link_html(year: int, folder: str = "") -> str:
    """A link to the year's workbook, Thai then English.

    Args:
        year: fiscal year (B.E. or C.E.).
        folder: the path from the linking page to ``reports/<year>/``: '' from the year's
            own pages (the overview), ``"2565/"`` from ``reports/index.html``.
    """
    be = years.to_be(year)
    href = f"{folder}{workbook_filename(be)}"
    return (
        f'<a class="download" href="{esc(href)}" download '
        'type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">'
        f"ตารางผลทุกหน่วยงาน พ.ศ. {be} (Excel)"
        f'<span class="en" lang="en">Tables of all agencies, FY{be - 543} (Excel)</span></a>'
    )


def fixed_time(year: int) -> dt.datetime:
    """The workbook's creation time: the last day of the fiscal year (deterministic)."""
    return dt.datetime.combine(years.fiscal_year_bounds(year)[1], dt.time(0, 0))


# ----------------------------------------------------------------------------- inputs


def _config_keys(root: Path) -> list[str]:
    sections = config.pipeline(root)
    optional = [k for k in OPTIONAL_CONFIG_KEYS if k.partition(".")[2] in sections]
    return [*CONFIG_KEYS, *optional]


def workbook_inputs(year: int, root: Path | None = None) -> dict[str, Any]:
    """What the year's workbook is made from: the hashes of the tables it reads and of the
    registry, and a hash of the configuration values it reads (the code is the caller's)."""
    root = root or paths.project_root()
    folder = paths.processed_dir(year, "indicators", root)
    files = {f"indicators/{n}.parquet": folder / f"{n}.parquet" for n in TABLES}
    files["registry"] = paths.resolve(config.pipeline(root)["paths"]["registry"], root)
    return {
        "files": {k: sha256_file(p) if p.is_file() else ABSENT for k, p in files.items()},
        "config": digest_json(config.values(_config_keys(root), root)),
    }


# ----------------------------------------------------------------------------- writing


def _width(text: str) -> int:
    """Display width of a text: Thai vowel and tone marks above or below take none."""
    return sum(1 for ch in text if unicodedata.category(ch) not in ("Mn", "Me", "Cf"))


def _number_format(column: Column, unit: str) -> str | None:
    if column.kind == "value":
        formats = CHANGE_FORMATS if column.key == "change" else VALUE_FORMATS
        fallback = "+0;-0;0" if column.key == "change" else "0.0"
        return formats.get(unit, fallback)
    return KIND_FORMATS.get(column.kind)


def _cell_value(value: Any, column: Column) -> Any:
    """A frame value as a cell value (None for nothing; numbers as Python numbers)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if column.kind == "int":
        return int(value)
    if column.kind in ("number", "value", "p"):
        return float(value)
    return str(value)


def _write_table(sheet: Any, frame: pd.DataFrame, columns: Sequence[Column]) -> None:
    """Two header rows, the rows, formats, widths, frozen panes and a filter."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    shown = downloads.public_columns(frame, columns)
    body = Font(name=FONT_NAME, size=FONT_SIZE)
    head = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
    fill = PatternFill("solid", fgColor="E8EEF4")
    wrap = Alignment(wrap_text=True, vertical="top")
    widths = []
    for j, column in enumerate(shown, 1):
        for i, text in ((1, column.th), (2, column.en)):
            cell = sheet.cell(row=i, column=j, value=text)
            cell.font, cell.fill, cell.alignment = head, fill, wrap
        widths.append(max(_width(column.th), _width(column.en)) * 0.7 + 2)
    units = frame["_unit"].tolist() if "_unit" in frame else [""] * len(frame)
    styles: dict[str | None, Any] = {}  # number format -> the style array of a body cell
    for i, (row, unit) in enumerate(
        zip(frame[[c.key for c in shown]].itertuples(index=False), units, strict=True), 3
    ):
        for j, (column, raw) in enumerate(zip(shown, row, strict=True), 1):
            value = _cell_value(raw, column)
            if value is None:
                continue
            cell = sheet.cell(row=i, column=j, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a name is text, never a formula
            number_format = None if isinstance(value, str) else _number_format(column, str(unit))
            # Setting a style looks it up in the workbook's style lists (a hash of the font
            # each time: a third of the time taken to write the workbook); a cell styled like
            # one before takes that cell's style array, as openpyxl's own copies do.
            style = styles.get(number_format)
            if style is None:
                cell.font = body
                if number_format:
                    cell.number_format = number_format
                styles[number_format] = copy.copy(cell._style)
            else:
                cell._style = copy.copy(style)
            width = _width(value) if isinstance(value, str) else len(f"{value:,.1f}")
            widths[j - 1] = max(widths[j - 1], width + 2)
    for j, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(j)].width = round(min(max(width, 8), 60), 1)
    sheet.freeze_panes = "B3"
    if shown:
        last = get_column_letter(len(shown))
        sheet.auto_filter.ref = f"A2:{last}{max(2, len(frame) + 2)}"


def _about_rows(year: int, root: Path, has_breakdowns: bool) -> list[tuple[str, str]]:
    """The explanation sheet's paragraphs, (Thai, English) each."""
    k = kpi.reporting_threshold(root=root)
    guideline = config.pipeline(root)["guideline"]
    rows = [
        (
            f"ตารางผลการประเมินของทุกหน่วยงาน {years.label(year)}",
            f"Results of every agency, {years.label(year, 'en')}",
        ),
        (guideline["th"], guideline["en"]),
        (
            "การรักษาความลับ: ไม่เผยแพร่ผลใดที่คำนวณจากผู้ตอบน้อยกว่า "
            f"{k} คน ทั้งค่า ช่วงความเชื่อมั่น และจำนวนผู้ตอบ แถวเหล่านี้มีเพียงหมายเหตุ "
            "ตารางนี้มีเฉพาะผลรวมระดับหน่วยงานหรือกลุ่ม ไม่มีข้อมูลรายบุคคล",
            "Confidentiality: no figure from fewer than "
            f"{k} respondents is published, not its value, interval or count; such rows "
            "carry a note only. The workbook holds aggregates of agencies and groups, "
            "never a respondent's answers.",
        ),
        (
            "ตัวเลขเหมือนกับในรายงาน HTML ของแต่ละหน่วยงานและภาพรวม (แสดงทศนิยม 1 ตำแหน่ง "
            "เซลล์เก็บค่าเต็ม) ช่วงความเชื่อมั่น 95% ใช้การออกแบบตัวอย่างแบบถ่วงน้ำหนัก",
            "The figures are those of the agency reports and the overview (shown to one "
            "decimal; the cells hold the full value). 95% confidence intervals follow the "
            "weighted survey design.",
        ),
    ]
    if kpi.targets_are_placeholders(root):
        notice = config.reports(root)["placeholder_notice"]
        rows.append(
            (f"{notice['title_th']}: {notice['th']}", f"{notice['title_en']}: {notice['en']}")
        )
    if not has_breakdowns:
        rows.append(
            (
                "ปีนี้ยังไม่มีตารางผลจำแนกตามกลุ่มบุคลากร จึงไม่มีแผ่นงานกลุ่มบุคลากร",
                "There are no staff-group breakdowns for this year yet, so the workbook has "
                "no breakdown sheet.",
            )
        )
    return rows


def _write_about(
    sheet: Any, year: int, root: Path, tables: list[tuple[str, list[Column]]], has_breakdowns: bool
) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    body = Font(name=FONT_NAME, size=FONT_SIZE)
    bold = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    widths = {"A": 24, "B": 34, "C": 34, "D": 60, "E": 60}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    row = 1
    for i, (th, en) in enumerate(_about_rows(year, root, has_breakdowns)):
        for text in (th, en):
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
            cell = sheet.cell(row=row, column=1, value=text)
            cell.font, cell.alignment = (bold if i == 0 else body), wrap
            lines = max(1, -(-_width(text) // 190))  # about 190 characters a line over A:E
            sheet.row_dimensions[row].height = 21 * lines
            row += 1
        row += 1
    header = [
        ("แผ่นงาน", "Sheet"),
        ("หัวคอลัมน์ (ไทย)", "Column (Thai)"),
        ("หัวคอลัมน์ (อังกฤษ)", "Column (English)"),
        ("คำอธิบาย", "Description (Thai)"),
        ("คำอธิบายภาษาอังกฤษ", "Description (English)"),
    ]
    fill = PatternFill("solid", fgColor="E8EEF4")
    for j, (th, en) in enumerate(header, 1):
        cell = sheet.cell(row=row, column=j, value=f"{th} / {en}")
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
    row += 1
    for title, columns in tables:
        for column in columns:
            th, en = DESCRIPTIONS.get(column.key, ("", ""))
            for j, text in enumerate((title, column.th, column.en, th, en), 1):
                cell = sheet.cell(row=row, column=j, value=text)
                cell.font, cell.alignment = body, wrap
            row += 1


def build_workbook(year: int, root: Path | None = None) -> Any:
    """The year's workbook as an :class:`openpyxl.Workbook` (not saved).

    Args:
        year: fiscal year, B.E.
        root: project root.
    """
    # deferred: openpyxl is needed only when a workbook is written, not by the index's link
    from openpyxl import Workbook

    root = root or paths.project_root()
    data = YearData.load(years.to_be(year), root)
    provisional = kpi.targets_are_placeholders(root)
    indicator_columns = downloads.indicator_columns(provisional)
    breakdowns = downloads.breakdown_table(data)
    tables: list[tuple[str, pd.DataFrame, list[Column]]] = [
        (SHEETS["indicators"], downloads.indicator_table(data), indicator_columns),
        (SHEETS["items"], downloads.item_table(data), downloads.ITEM_COLUMNS),
    ]
    if breakdowns is not None:
        tables.append((SHEETS["breakdowns"], breakdowns, downloads.BREAKDOWN_COLUMNS))
    book = Workbook()
    about = book.active
    about.title = SHEETS["about"]
    _write_about(
        about,
        data.year,
        root,
        [(title, downloads.public_columns(frame, cols)) for title, frame, cols in tables],
        breakdowns is not None,
    )
    for title, frame, columns in tables:
        _write_table(book.create_sheet(title), frame, columns)
    when = fixed_time(data.year)
    props = book.properties
    props.created = props.modified = when
    props.creator = props.lastModifiedBy = "สำนักงาน ก.พ. / OCSC (thai-hrd-workbook)"
    props.title = f"ตารางผลการประเมิน พ.ศ. {data.year} / Evaluation tables FY{data.year - 543}"
    props.language = "th-TH"
    return book


def workbook_bytes(year: int, root: Path | None = None) -> bytes:
    """The year's workbook as the bytes of an .xlsx file, the same for the same tables."""
    # deferred: openpyxl is needed only when a workbook is written, not by the index's link
    from openpyxl.writer.excel import ExcelWriter

    book = build_workbook(year, root)
    raw = io.BytesIO()
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(book, archive).save()  # not openpyxl.save_workbook: it stamps the time now
    stamp = fixed_time(years.to_be(year)).timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def write_workbook(year: int, root: Path | None = None) -> Path:
    """Write the year's workbook atomically and return its path.

    Args:
        year: fiscal year, B.E.
        root: project root.
    """
    root = root or paths.project_root()
    target = workbook_path(year, root)
    with atomic.atomic_path(target) as tmp:
        tmp.write_bytes(workbook_bytes(year, root))
    return target


def has_workbook(year: int, root: Path | None = None) -> bool:
    """Whether the year's workbook has been written."""
    return workbook_path(year, root).is_file()


def sheet_keys(header_en: Sequence[Any]) -> list[str | None]:
    """The column keys of a sheet (or CSV) from its English header cells ("ไทย / English"
    is read too); None for a header that is none of the published columns."""
    known = downloads.english_keys()
    keys: list[str | None] = []
    for cell in header_en:
        text = "" if cell is None else str(cell)
        text = text.rpartition(" / ")[2] if " / " in text else text
        keys.append(known.get(text.strip()))
    return keys


def is_present(value: Any) -> bool:
    """Whether a cell holds something (not None, not an empty text)."""
    return present(value) and not (isinstance(value, str) and not value.strip())
