"""Read raw CSV and XLSX files as they come from agencies: every cell as text, every row kept.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is 2.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers.errors import StructuralError
from helpers.thai import clean_text

BOM = b"\xef\xbb\xbf"
SUPPORTED = (".csv", ".xlsx")


@dataclass
class RawTable:
    """One raw file: its header and its data rows, all values as stripped text ('' = empty)."""

    path: Path
    encoding: str
    header: list[str]
    rows: pd.DataFrame  # columns are positions 0..n-1; index is the spreadsheet row number
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.rows)


def detect_encoding(data: bytes) -> str:
    """'utf-8-sig' (Excel 'CSV UTF-8'), 'utf-8' or 'cp874' (Excel 'CSV' on Thai Windows)."""
    if data.startswith(BOM):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp874")
        return "cp874"
    except UnicodeDecodeError as exc:
        raise StructuralError(
            f"the file is neither UTF-8 nor Thai Windows (cp874) text; byte {exc.start} "
            f"({data[exc.start : exc.start + 1]!r}) cannot be decoded",
            expected="a CSV saved by Excel as 'CSV UTF-8' or 'CSV', or an .xlsx workbook",
        ) from None


def _finish(path: Path, encoding: str, grid: pd.DataFrame, sheet: str | None) -> RawTable:
    if grid.empty:
        raise StructuralError(
            "the file is empty (no header row)",
            file=path,
            expected="a header row naming the columns, then one row per answer",
        )
    grid = grid.fillna("").astype(object)
    for position in grid.columns:
        column = grid[position]
        # Clean each distinct value once: answer columns repeat a handful of values.
        grid[position] = column.map({v: clean_text(v) for v in column.unique()})
    header = grid.iloc[0].tolist()
    rows = grid.iloc[1:].reset_index(drop=True)
    rows.index = pd.RangeIndex(2, 2 + len(rows), name="source_row")
    rows.columns = range(rows.shape[1])
    return RawTable(path=path, encoding=encoding, header=header, rows=rows, sheet=sheet)


def read_csv(path: Path) -> RawTable:
    data = path.read_bytes()
    if not data.strip():
        raise StructuralError(
            "the file is empty",
            file=path,
            expected="a header row naming the columns, then one row per answer",
        )
    try:
        encoding = detect_encoding(data)
    except StructuralError as exc:
        raise StructuralError(exc.problem, file=path, expected=exc.expected) from None
    text = data.decode(encoding)
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        ragged = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if ragged:
            fields, line, saw = map(int, ragged.groups())
            raise StructuralError(
                f"this row has {saw} fields but the rows above have {fields}",
                file=path,
                row=line,
                expected="the same number of fields on every row",
                hint="A value with a comma (such as 1,204) must be quoted",
            ) from None
        raise StructuralError(
            f"the CSV structure is broken: {str(exc).strip()}",
            file=path,
            expected="the same number of fields on every row",
        ) from None
    return _finish(path, encoding, grid, None)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path) -> RawTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for damaged files
        raise StructuralError(
            f"the workbook cannot be opened ({exc.__class__.__name__}: {exc})",
            file=path,
            expected="an .xlsx workbook saved by Excel or similar",
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        width = max(map(len, rows), default=0)  # read-only sheets may give short rows
        grid = pd.DataFrame([row + [""] * (width - len(row)) for row in rows])
        title = sheet.title
    finally:
        workbook.close()
    return _finish(path, "xlsx", grid, title)


def read_raw(path: Path) -> RawTable:
    """Read one raw file, choosing the reader by its extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix == ".xlsx":
        return read_xlsx(path)
    raise StructuralError(
        f"files of type '{suffix}' cannot be read",
        file=path,
        expected=f"one of {', '.join(SUPPORTED)}",
        hint="Save the sheet from Excel as .xlsx or CSV",
    )
