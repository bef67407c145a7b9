"""Read raw CSV and XLSX files as they come from agencies: every cell as text, every row kept.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is 2.
What the reader noticed but could still read (a byte-order mark on Thai Windows text, a file
cut short) is written to ``RawTable.notes`` for the ledger. Every non-empty sheet of a workbook
is read; the cleaning stage decides which one holds the answers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.errors import StructuralError
from helpers.thai import clean_text

BOM = b"\xef\xbb\xbf"
SUPPORTED = (".csv", ".xlsx")
# Files that are not text at all, recognised by their first bytes.
_NOT_CSV = {
    b"PK\x03\x04": ("an Excel workbook (.xlsx) with a .csv name", "Rename it to .xlsx"),
    b"\xd0\xcf\x11\xe0": (
        "an old Excel workbook (.xls) with a .csv name",
        "Open it in Excel and save it as .xlsx or 'CSV UTF-8'",
    ),
    b"\xff\xfe": (
        "UTF-16 text (Excel 'Unicode Text')",
        "Open it in Excel and save it as 'CSV UTF-8'",
    ),
    b"\xfe\xff": (
        "UTF-16 text (Excel 'Unicode Text')",
        "Open it in Excel and save it as 'CSV UTF-8'",
    ),
}
_EXPECTED_CSV = "a CSV saved by Excel as 'CSV UTF-8' or 'CSV', or an .xlsx workbook"
_RESAVE = "Open the file in Excel and save it again as 'CSV UTF-8'"
_THAI = re.compile("[\u0e01-\u0e5b]")


@dataclass
class RawTable:
    """One raw file (or sheet): its header and its data rows, all values as stripped text
    ('' = empty)."""

    path: Path
    encoding: str
    header: list[str]
    rows: pd.DataFrame  # columns are positions 0..n-1; index is the spreadsheet row number
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    header_row: int = 1  # the (last) spreadsheet row of the header
    truncated_row: int | None = None  # the last row, when the file ends in the middle of it
    other_sheets: list[RawTable] = field(default_factory=list)  # non-empty sheets not read

    @property
    def n_rows(self) -> int:
        return len(self.rows)


@dataclass
class DecodedCsv:
    """A CSV's bytes as UTF-8 for the parser, and how they were read."""

    utf8: bytes  # may still start with the BOM, which the parser skips
    encoding: str  # 'utf-8-sig', 'utf-8' or 'cp874'
    notes: list[str] = field(default_factory=list)
    ends_mid_character: bool = False


_CHUNK = 1 << 24
_TITLE_LINES = 12  # lines looked at for a title above the header


def _line_chunks(data: bytes, start: int) -> Iterator[tuple[int, memoryview]]:
    """(offset, slice) of ``data`` from ``start`` in pieces of about 16 MiB, each ending after a
    line end, so that no character is split."""
    view = memoryview(data)
    while start < len(data):
        end = data.find(b"\n", start + _CHUNK)
        end = len(data) if end < 0 else end + 1
        yield start, view[start:end]
        start = end


def _decode_error(data: bytes, start: int, encoding: str) -> tuple[int, int, str] | None:
    """(start, end, reason) of the first byte ``data[start:]`` cannot be decoded, decoding by
    chunks so that a large file is never held as one string."""
    for offset, chunk in _line_chunks(data, start):
        try:
            str(chunk, encoding)
        except UnicodeDecodeError as exc:
            return offset + exc.start, offset + exc.end, exc.reason
    return None


def decode_csv_bytes(data: bytes) -> DecodedCsv:
    """Read a CSV as 'utf-8-sig' (Excel 'CSV UTF-8'), 'utf-8' or 'cp874' (Excel 'CSV' on Thai
    Windows), whatever a byte-order mark claims.

    A UTF-8 file cut in the middle of a character stays UTF-8 (the partial character is
    dropped). A file mixing UTF-8 and cp874 lines cannot be read and raises StructuralError.
    """
    bom = data.startswith(BOM)
    skip = len(BOM) if bom else 0
    label = "utf-8-sig" if bom else "utf-8"
    error = _decode_error(data, skip, "utf-8")
    if error is None:
        return DecodedCsv(data, label)
    if error[1] == len(data) and error[2] == "unexpected end of data":
        return DecodedCsv(
            data[: error[0]],
            label,
            ["the file ends in the middle of a character: it was cut short"],
            ends_mid_character=True,
        )
    _refuse_mixed_lines(data, skip)
    if (error := _decode_error(data, skip, "cp874")) is not None:
        raise StructuralError(
            f"the file is neither UTF-8 nor Thai Windows (cp874) text; byte {error[0] - skip} "
            f"({data[error[0] : error[0] + 1]!r}) cannot be decoded",
            row=data.count(b"\n", 0, error[0]) + 1,
            expected=_EXPECTED_CSV,
        )
    utf8 = io.BytesIO()
    for _, chunk in _line_chunks(data, skip):
        utf8.write(str(chunk, "cp874").encode("utf-8"))
    notes = (
        ["the file starts with a UTF-8 byte-order mark but is Thai Windows (cp874) text; "
         "read as cp874"]
        if bom
        else []
    )  # fmt: skip
    return DecodedCsv(utf8.getvalue(), "cp874", notes)


def _lines(data: bytes, start: int) -> Iterator[bytes]:
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        yield data[start:end]
        start = end + 1


def _refuse_mixed_lines(data: bytes, start: int) -> None:
    """Raise when some lines are UTF-8 Thai and others are not (rows pasted from two exports).

    Called only when the whole file is not UTF-8."""
    first: tuple[int, bool] | None = None  # (line, is UTF-8) of the first line with Thai
    for number, line in enumerate(_lines(data, start), start=1):
        if line.isascii():
            continue
        try:
            # a line of cp874 bytes is almost never UTF-8 that decodes to Thai letters
            utf8 = _THAI.search(line.decode("utf-8")) is not None
        except UnicodeDecodeError:
            utf8 = False
        if first is None:
            first = (number, utf8)
        elif utf8 != first[1]:
            this, that = ("UTF-8", "Thai Windows (cp874)") if utf8 else ("cp874", "UTF-8")
            raise StructuralError(
                f"this line is {this} text but line {first[0]} is {that}: the file mixes two "
                "encodings",
                row=number,
                value=line.decode("utf-8" if utf8 else "cp874", errors="replace").strip()[:60],
                expected="one encoding for the whole file",
                hint=f"{_RESAVE}, or copy the rows from the original files again",
            )


def detect_encoding(data: bytes) -> str:
    """'utf-8-sig' (Excel 'CSV UTF-8'), 'utf-8' or 'cp874' (Excel 'CSV' on Thai Windows)."""
    return decode_csv_bytes(data).encoding


def _clean_column(values: pd.Series) -> np.ndarray:
    """Cleaned text of one column as an object array; each distinct value is cleaned once and
    shared by every row holding it (answer columns repeat a handful of values)."""
    codes, uniques = pd.factorize(values)
    cleaned = np.array([*(clean_text(v) for v in uniques), ""], dtype=object)
    return cleaned[codes]  # code -1 (a missing cell) picks the trailing ''


def _finish(
    path: Path,
    encoding: str,
    grid: pd.DataFrame,
    sheet: str | None,
    notes: list[str] | None = None,
) -> RawTable:
    if grid.empty:
        raise StructuralError(
            "the file is empty (no header row)",
            file=path,
            sheet=sheet,
            expected="a header row naming the columns, then one row per answer",
        )
    columns = [_clean_column(grid[position]) for position in grid.columns]
    header = [column[0] for column in columns]
    # object dtype keeps the shared strings (pandas would copy them into its own string type)
    rows = pd.DataFrame(
        {position: column[1:] for position, column in enumerate(columns)},
        index=pd.RangeIndex(2, 1 + len(grid), name="source_row"),
        columns=range(len(columns)),
        dtype=object,
    )
    return RawTable(
        path=path, encoding=encoding, header=header, rows=rows, sheet=sheet, notes=notes or []
    )


def read_csv(path: Path) -> RawTable:
    data = path.read_bytes()
    if not data.removeprefix(BOM).strip():
        raise StructuralError(
            "the file is empty",
            file=path,
            expected="a header row naming the columns, then one row per answer",
        )
    for magic, (what, hint) in _NOT_CSV.items():
        if data.startswith(magic):
            raise StructuralError(
                f"the file is not CSV text but {what}", file=path, expected=_EXPECTED_CSV, hint=hint
            )
    try:
        decoded = decode_csv_bytes(data)
    except StructuralError as exc:
        raise exc.located(file=path) from None
    del data  # a cp874 file was transcoded: do not hold both copies
    try:
        grid = pd.read_csv(
            io.BytesIO(decoded.utf8),
            header=None,
            dtype=object,  # the parser shares repeated strings; far smaller than dtype=str
            keep_default_na=False,
            skip_blank_lines=False,
            encoding="utf-8",
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise _parser_error(path, exc, decoded) from None
    last_line = _last_line(decoded)
    decoded.utf8 = b""  # the bytes are parsed: free them before the table is built
    table = _finish(path, decoded.encoding, grid, None, decoded.notes)
    del grid
    table.truncated_row = _cut_row(last_line, decoded.ends_mid_character, table)
    if table.truncated_row is not None and not decoded.ends_mid_character:
        table.notes.append(
            f"the file ends in the middle of row {table.truncated_row} (fewer fields than the "
            "header, no line end): it was cut short"
        )
    return table


def _head_widths(utf8: bytes) -> list[int]:
    """Number of fields on each of the first lines."""
    head = utf8[: 1 << 16].decode("utf-8", errors="ignore").removeprefix("\ufeff")
    return [len(r) for r in itertools.islice(csv.reader(io.StringIO(head)), _TITLE_LINES)]


def _parser_error(path: Path, exc: Exception, decoded: DecodedCsv) -> StructuralError:
    message = str(exc)
    ragged = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if ragged:
        fields, line, saw = map(int, ragged.groups())
        widths = _head_widths(decoded.utf8)
        below = widths[1:]
        if widths and widths[0] == fields and below.count(saw) > below.count(fields):
            return StructuralError(
                f"the first line has {fields} field(s) but the lines below it have {saw}: it "
                "looks like a title above the header",
                file=path,
                row=1,
                expected="the header on the first line, or title lines padded with commas to "
                "the width of the header",
                hint="Delete the lines above the header, or save the sheet from Excel again "
                "(Excel pads them)",
            )
        return StructuralError(
            f"this row has {saw} fields but the rows above have {fields}",
            file=path,
            row=line,
            expected="the same number of fields on every row",
            hint="A value with a comma (such as 1,204) must be quoted",
        )
    unclosed = re.search(r"EOF inside string starting at row (\d+)", message)
    if unclosed:
        return StructuralError(
            "a quoted value starting on this row is never closed"
            + (
                " (the file ends in the middle of a character: it was cut short)"
                if decoded.ends_mid_character
                else ""
            ),
            file=path,
            row=int(unclosed.group(1)) + 1,
            expected='a closing quote (") for every opening one',
            hint="If the file was cut short, get the complete file from the agency",
        )
    return StructuralError(
        f"the CSV structure is broken: {message.strip()}",
        file=path,
        expected="the same number of fields on every row",
    )


def _last_line(decoded: DecodedCsv) -> str | None:
    """The file's last line when it has no line end (None when it ends with one)."""
    data = decoded.utf8
    if data.endswith((b"\n", b"\r")):
        return None
    return data[max(data.rfind(b"\n"), data.rfind(b"\r")) + 1 :].decode("utf-8")


def _cut_row(last_line: str | None, ends_mid_character: bool, table: RawTable) -> int | None:
    """The last row's number when the file visibly ends inside it: in the middle of a
    character, or without a line end and with fewer fields than the header."""
    if not table.n_rows or last_line is None:
        return None
    if ends_mid_character:
        return int(table.rows.index[-1])
    fields = next(csv.reader([last_line]), [])
    return int(table.rows.index[-1]) if 0 < len(fields) < len(table.header) else None


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
    """The first sheet with any value; the other non-empty sheets are in ``other_sheets`` (the
    cleaning stage decides which one holds the answers). Read with calamine (Rust), about 18
    times faster than openpyxl's read-only mode; cells keep their spreadsheet row numbers."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    problem = "the workbook cannot be opened"
    try:
        with path.open("rb") as handle:
            zipfile.ZipFile(handle).close()  # a cut or non-zip file fails here, in plain words
            handle.seek(0)
            workbook = CalamineWorkbook.from_filelike(handle)
        problem = "the workbook is damaged"
        grids = {}
        for sheet in workbook.sheets_metadata:
            if sheet.typ != SheetTypeEnum.WorkSheet:  # chart and macro sheets hold no rows
                continue
            cells = workbook.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
            rows = [[_cell_text(v) for v in row] for row in cells]
            width = max(map(len, rows), default=0)
            grids[sheet.name] = pd.DataFrame([row + [""] * (width - len(row)) for row in rows])
        workbook.close()
    except Exception as exc:  # zip, XML and calamine errors for damaged or cut files
        raise StructuralError(
            f"{problem} ({exc.__class__.__name__}: {exc}); it may be damaged or cut short",
            file=path,
            expected="an .xlsx workbook saved by Excel or similar",
            hint="Open it in Excel and save it again, or get the file again from the agency",
        ) from None
    filled = {name: grid for name, grid in grids.items() if (grid.fillna("") != "").any().any()}
    if not filled:
        raise StructuralError(
            f"the workbook is empty: no sheet holds a value (sheets: "
            f"{', '.join(repr(n) for n in grids) or 'none'})",
            file=path,
            expected="a header row naming the columns, then one row per answer",
        )
    tables = [_finish(path, "xlsx", grid, name) for name, grid in filled.items()]
    first, *others = tables
    first.other_sheets = others
    return first


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
