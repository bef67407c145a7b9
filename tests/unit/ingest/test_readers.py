import datetime as dt
import shutil
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers 'sloppy-cp874', to write mojibake as Windows does)
import pytest

from helpers.core.errors import StructuralError
from helpers.ingest import readers
from helpers.ingest.readers import (
    BOM,
    decode_csv_bytes,
    detect_delimiter,
    detect_encoding,
    read_raw,
)
from tests.conftest import write_csv, write_workbook, write_xlsx

HEADER = ["response_id", "agency", "eco1"]
ROWS = [["r1", "กรมสรรพากร", "เห็นด้วย"], ["r2", " กรม  สรรพากร ", "๔"]]
FIXTURES = Path(__file__).parent / "fixtures"


def write_text(
    path: Path,
    lines: list[list[str]],
    delimiter: str = ",",
    encoding: str = "utf-8",
    prefix: bytes = b"",
) -> Path:
    """Delimited text as Excel saves it: CRLF line ends, nothing quoted unless written so."""
    text = "".join(delimiter.join(line) + "\r\n" for line in lines)
    path.write_bytes(prefix + text.encode(encoding))
    return path


# ----------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("encoding", "label"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp874", "cp874")]
)
def test_csv_encodings_give_the_same_table(tmp_path, encoding, label):
    table = read_raw(write_csv(tmp_path / "f.csv", HEADER, ROWS, encoding))
    assert table.encoding == label
    assert table.delimiter == ","
    assert table.header == HEADER
    assert table.rows.loc[2].tolist() == ["r1", "กรมสรรพากร", "เห็นด้วย"]
    # stray and repeated white space is folded
    assert table.rows.loc[3, 1] == "กรม สรรพากร"
    assert table.notes == [] and table.repairs == []


def test_cp874_is_not_mistaken_for_utf8():
    assert detect_encoding("เห็นด้วย".encode("cp874")) == "cp874"
    assert detect_encoding("เห็นด้วย".encode()) == "utf-8"


def test_rows_are_numbered_as_in_a_spreadsheet_and_blank_rows_kept(tmp_path):
    path = write_csv(tmp_path / "f.csv", HEADER, [ROWS[0], ["", "", ""], [], ROWS[1]])
    table = read_raw(path)
    assert list(table.rows.index) == [2, 3, 4, 5]
    assert (table.rows.loc[[3, 4]] == "").all().all()


def test_header_only_file_has_no_rows(tmp_path):
    table = read_raw(write_csv(tmp_path / "f.csv", HEADER, []))
    assert table.n_rows == 0


# ----------------------------------------------------------------------------- delimiters


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp874"])
@pytest.mark.parametrize(
    ("delimiter", "suffix", "name"),
    [
        (";", ".csv", "semicolon-separated"),
        ("\t", ".txt", "tab-separated"),
        ("\t", ".tsv", "tab-separated"),
        ("|", ".csv", "pipe-separated (|)"),
    ],
)
def test_semicolon_tab_and_pipe_separated_text(tmp_path, encoding, delimiter, suffix, name):
    """Excel on a comma-decimal locale writes ';', 'Text (Tab delimited)' writes tabs; values
    hold commas (decimal commas, Thai comments) that are not delimiters here."""
    lines = [
        ["response_id", "agency", "score", "comment"],
        ["r1", "กรมสรรพากร", "3,5", "ดี, แต่ช้า"],
        ["r2", "กรมศุลกากร", "4,0", ""],
        ["r3", "กรมสรรพากร", "", "ควรเพิ่มงบ, บุคลากร, เวลา"],
    ]
    table = read_raw(write_text(tmp_path / f"f{suffix}", lines, delimiter, encoding))
    assert (table.delimiter, table.encoding) == (delimiter, encoding)
    assert table.header == lines[0]
    assert table.rows.values.tolist() == lines[1:]
    assert table.notes == [f"the file is {name} (detected from its first lines)"]


@pytest.mark.parametrize("n_rows", [1, 2, 12])
def test_comma_file_whose_values_hold_semicolons_stays_comma(tmp_path, n_rows):
    """Thai comments often hold semicolons: here every row has one (with 12 rows the semicolon
    splits 12 of 13 lines alike), but the header has none and the commas give more columns."""
    rows = [[f"r{i}", "กรมสรรพากร", "ดี; แต่ควรเพิ่มเวลา"] for i in range(n_rows)]
    table = read_raw(write_csv(tmp_path / "f.csv", HEADER, rows))
    assert table.delimiter == ","
    assert table.rows.loc[2].tolist() == ["r0", "กรมสรรพากร", "ดี; แต่ควรเพิ่มเวลา"]
    assert table.notes == []


def test_semicolon_file_whose_values_hold_commas_stays_semicolon(tmp_path):
    """Every row has two decimal commas, so the comma splits every data line alike into as many
    fields as the semicolon does; only the header tells them apart."""
    lines = [["id", "a", "b"], *([f"r{i}", "3,5", "4,25"] for i in range(20))]
    table = read_raw(write_text(tmp_path / "f.csv", lines, ";"))
    assert table.delimiter == ";"
    assert table.header == ["id", "a", "b"]
    assert table.rows.loc[21].tolist() == ["r19", "3,5", "4,25"]


def test_quoted_values_hold_delimiters_and_line_breaks(tmp_path):
    data = 'id;comment\r\nr1;"ดี; แต่ช้า\r\nบรรทัดที่สอง"\r\nr2;"ว่า ""ดี"""\r\n'.encode()
    (tmp_path / "f.csv").write_bytes(data)
    table = read_raw(tmp_path / "f.csv")
    assert table.delimiter == ";"
    assert table.rows[1].tolist() == ["ดี; แต่ช้า บรรทัดที่สอง", 'ว่า "ดี"']


def test_single_column_file(tmp_path):
    lines = [["comment"], ["ดี"], ["ควรปรับปรุง"], [""], ["ดีมาก"]]
    table = read_raw(write_text(tmp_path / "f.csv", lines))
    assert (table.delimiter, table.header) == (",", ["comment"])
    assert table.rows[0].tolist() == ["ดี", "ควรปรับปรุง", "", "ดีมาก"]


def test_detect_delimiter_prefers_the_consistent_one():
    assert detect_delimiter(b"a,b;c\r\n1,2;3\r\n4,5;6\r\n") == ","  # a tie: the order decides
    assert detect_delimiter(b"a;b;c\r\n1,5;2;3\r\n4;5,5;6\r\n") == ";"
    assert detect_delimiter(b"a\tb\r\n1\t2\r\n") == "\t"
    assert detect_delimiter(b"title\r\na|b|c\r\n1|2|3\r\n4|5|6\r\n") == "|"  # a typed title
    assert detect_delimiter(b"") == ","


@pytest.mark.parametrize(
    ("delimiter", "name", "character"),
    [(";", "semicolon-separated", "semicolon"), ("\t", "tab-separated", "tab")],
)
def test_parser_errors_name_the_delimiter(tmp_path, delimiter, name, character):
    lines = [["a", "b", "c"], ["1", "2", "3"], ["4", "5", "6", "7"]]
    with pytest.raises(StructuralError) as info:
        read_raw(write_text(tmp_path / "f.csv", lines, delimiter))
    error = info.value
    assert (error.row, error.problem) == (3, "this row has 4 fields but the rows above have 3")
    assert f"The file is read as {name} text" in str(error)
    assert f"a value holding a {character} must be quoted" in error.hint


def test_ragged_comma_row_keeps_its_message(tmp_path):
    path = write_csv(tmp_path / "f.csv", HEADER, [["r1", "1204", "4"], ["r2", "1,204", "4"]])
    with pytest.raises(StructuralError) as info:
        read_raw(path)
    assert (info.value.row, info.value.problem) == (
        3,
        "this row has 4 fields but the rows above have 3",
    )
    assert info.value.hint == (
        "The file is read as comma-separated text (detected from its first lines): a value "
        "holding a comma (such as 1,204) must be quoted"
    )


# ----------------------------------------------------------------------------- UTF-16


def excel_unicode_text(lines: list[list[str]], codec: str = "utf-16-le") -> bytes:
    """What Excel's 'Unicode Text' writes: a BOM, tabs, CRLF, quotes around a value holding
    a tab, a quote or a line break."""

    def cell(value: str) -> str:
        if any(c in value for c in '\t"\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    text = "".join("\t".join(map(cell, line)) + "\r\n" for line in lines)
    return "\ufeff".encode(codec) + text.encode(codec)


UNICODE_LINES = [
    ["response_id", "agency", "comment"],
    ["r1", "กรมสรรพากร", "ดี\tมาก"],
    ["r2", "กรมศุลกากร", 'ว่า "ดี"\nบรรทัดสอง'],
    ["r3", "สำนักงานปลัดกระทรวงการต่างประเทศ", "😀 ๑๒๓"],
]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("suffix", [".txt", ".csv"])
def test_utf16_unicode_text_from_excel(tmp_path, codec, suffix):
    path = tmp_path / f"staff_survey{suffix}"
    path.write_bytes(excel_unicode_text(UNICODE_LINES, codec))
    table = read_raw(path)
    assert (table.encoding, table.delimiter) == (codec, "\t")
    assert table.header == UNICODE_LINES[0]
    assert table.rows.values.tolist() == [
        ["r1", "กรมสรรพากร", "ดี มาก"],  # white space folded, as for every file
        ["r2", "กรมศุลกากร", 'ว่า "ดี" บรรทัดสอง'],
        ["r3", "สำนักงานปลัดกระทรวงการต่างประเทศ", "😀 ๑๒๓"],
    ]
    assert table.notes == ["the file is tab-separated (detected from its first lines)"]


@pytest.mark.parametrize("chunk", [5, 64, 1 << 24])
def test_utf16_is_decoded_in_chunks(monkeypatch, chunk):
    """A character (or a surrogate pair: the emoji) split between two chunks is not lost."""
    monkeypatch.setattr(readers, "_CHUNK", chunk)
    data = excel_unicode_text(UNICODE_LINES)
    decoded = decode_csv_bytes(data)
    assert decoded.utf8.decode() == data.decode("utf-16-le").removeprefix("\ufeff")
    assert not decoded.ends_mid_character


def test_utf16_cut_short(tmp_path):
    """Cut one byte into the last character, or inside the emoji's surrogate pair."""
    data = excel_unicode_text(UNICODE_LINES).removesuffix("\r\n".encode("utf-16-le"))
    for cut in (data[:-1], data[: data.index("😀".encode("utf-16-le")) + 2]):
        path = tmp_path / "f.txt"
        path.write_bytes(cut)
        table = read_raw(path)
        assert table.encoding == "utf-16-le"
        assert "the file ends in the middle of a character: it was cut short" in table.notes
        assert table.truncated_row == 4


def test_utf16_without_bom_is_read_only_when_certain(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(excel_unicode_text(UNICODE_LINES)[2:])  # the BOM dropped
    table = read_raw(path)
    assert table.encoding == "utf-16-le"
    assert table.rows.loc[2].tolist() == ["r1", "กรมสรรพากร", "ดี มาก"]
    assert table.notes[0] == (
        "UTF-16 text without a byte-order mark (LE, recognised by its zero bytes)"
    )
    # zero bytes that are not the pattern of UTF-16 text: refused, not read as garbage
    path.write_bytes(b"a,b\r\n1,\x00\x00\x00\x002\r\n")
    with pytest.raises(StructuralError, match="holds a zero byte, which text never does") as info:
        read_raw(path)
    assert info.value.row == 2


def test_utf16_with_a_broken_character(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(
        excel_unicode_text(UNICODE_LINES[:2]) + b"\x00\xdc" + "x\r\n".encode("utf-16-le")
    )
    with pytest.raises(StructuralError, match=r"is UTF-16 text but bytes .* cannot be decoded"):
        read_raw(path)


# ----------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\xff\xfe", "the file is empty"),
        ("\r\n\r\n".encode("utf-16"), "the file is empty"),
        (b"\x81\xdb\xfc\xff\x00", "neither UTF-8 nor Thai Windows"),
        (b"PK\x03\x04\x14\x00", r"not CSV text but an Excel workbook \(\.xlsx\)"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00",
            r"not CSV text but an old Excel workbook \(\.xls\)",
        ),
        (b"<html><body><table><tr><td>1</td></tr></table>", r"not CSV text but a web page"),
    ],
)
def test_unreadable_csv_names_the_file(tmp_path, content, message):
    path = tmp_path / "staff_survey.csv"
    path.write_bytes(content)
    with pytest.raises(StructuralError, match=message) as info:
        read_raw(path)
    assert "staff_survey.csv" in str(info.value)


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize(
    ("suffix", "content", "message", "kind"),
    [
        (".xlsx", b"PK\x03\x04\x14\x00\x00", r"workbook cannot be opened \(BadZipFile", "xlsx"),
        (".xls", b"\xd0\xcf", r"workbook cannot be opened \(only the first 2 bytes of", "xls"),
        (".xlsx", b"", "the file is empty", "xlsx"),
        (".xlsx", b"not a zip file\r\n", "the file is not a workbook but plain text", "xlsx"),
        (".ods", OLE2 + b"\x00" * 600, r"workbook cannot be opened \(CalamineError", "xls"),
    ],
)
def test_damaged_workbooks(tmp_path, suffix, content, message, kind):
    path = tmp_path / f"staff_survey{suffix}"
    path.write_bytes(content)
    with pytest.raises(StructuralError, match=message) as info:
        read_raw(path)
    assert info.value.file == str(path)
    assert info.value.expected.startswith(f"an .{kind} workbook")  # the kind its bytes show


def test_xls_that_is_a_web_page(tmp_path):
    """Some government systems export an HTML table under an .xls name."""
    path = tmp_path / "staff_survey.xls"
    page = '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8">'
    page += "</head><body><table><tr><td>response_id</td><td>eco1</td></tr>"
    page += "<tr><td>r1</td><td>4</td></tr></table></body></html>"
    path.write_text(page, encoding="utf-8")
    with pytest.raises(StructuralError) as info:
        read_raw(path)
    error = info.value
    assert error.problem.startswith("the file is not a workbook but a web page (HTML)")
    assert error.expected == "an .xls workbook saved by Excel or similar"
    assert error.hint.startswith("Open it in Excel")
    path.write_text(
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook '
        'xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>'
    )
    with pytest.raises(StructuralError, match="but an Excel 2003 XML spreadsheet"):
        read_raw(path)


def test_unsupported_type(tmp_path):
    path = tmp_path / "staff_survey.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(
        StructuralError,
        match=r"'\.pdf' cannot be read.*Expected: one of \.csv, \.tsv, \.txt, \.xlsx, \.xls, \.ods",
    ):
        read_raw(path)


@pytest.mark.parametrize("chunk", [5, 64, 1 << 24])
def test_files_are_decoded_in_chunks_without_splitting_characters(monkeypatch, chunk):
    monkeypatch.setattr(readers, "_CHUNK", chunk)
    text = "\r\n".join(["a,b", *(f"{i},เห็นด้วยอย่างยิ่ง" for i in range(40))]) + "\r\n"
    utf8 = text.encode()
    assert decode_csv_bytes(utf8).utf8 == utf8
    assert decode_csv_bytes(BOM + text.encode("cp874")).utf8 == utf8  # transcoded
    cut = decode_csv_bytes(utf8[:-4])  # one byte into the last ง
    assert cut.ends_mid_character and cut.utf8 == utf8[:-5]
    with pytest.raises(StructuralError) as info:
        decode_csv_bytes(text.encode("cp874") + b"9,\xdb\r\n")  # 0xDB is not cp874
    assert info.value.row == 42
    assert f"byte {len(text.encode('cp874')) + 2} " in info.value.problem


# ----------------------------------------------------------------------------- workbooks


def test_xlsx_values_become_text(tmp_path):
    path = write_xlsx(
        tmp_path / "f.xlsx",
        ["a", "b", "c", "d"],
        [
            [1, 4.0, dt.datetime(2022, 3, 15, 10, 0), None],
            [None, None, None, None],
            ["x", 2.5, "15/03/2565", "  y  "],
        ],
    )
    table = read_raw(path)
    assert (table.encoding, table.delimiter) == ("xlsx", None)
    assert table.rows.loc[2].tolist() == ["1", "4", "2022-03-15 10:00:00", ""]
    assert table.rows.loc[3].tolist() == ["", "", "", ""]
    assert table.rows.loc[4].tolist() == ["x", "2.5", "15/03/2565", "y"]
    assert table.notes == [] and table.formula_cells == []


FIXTURE_ROWS = [  # tests/unit/ingest/fixtures/make_fixtures.py
    ["r1", "กรมสรรพากร", "2022-03-15 10:20:00", "4", "ดีมาก", "8"],
    ["r2", "กรมสรรพากร", "2022-03-16", "5", "", "10"],  # B2:B4 merged: filled down
    ["r3", "กรมสรรพากร", "", "3", "ควรปรับปรุง; เพิ่มงบ", "6"],
    ["r4", "กรมศุลกากร", "", "2.5", "ดีมา", ""],  # mojibake repaired
    ["r5", "", "", "", "ดี", ""],  # a blank agency, not merged, stays blank
]


@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_ods_and_xls_from_libreoffice(tmp_path, kind):
    """The fixtures were saved by LibreOffice from one workbook: a Thai sheet name, a date and a
    date-time, formulas with their saved results, the agency merged over three respondents,
    two mojibake cells and a hidden drop-down list sheet."""
    path = tmp_path / f"staff_survey.{kind}"
    shutil.copy(FIXTURES / f"workbook.{kind}", path)
    table = read_raw(path)
    assert (table.encoding, table.sheet, table.other_sheets) == (kind, "คำตอบ", [])
    assert table.header == ["response_id", "agency", "submitted_at", "eco1", "comment", "double"]
    assert table.rows.values.tolist() == FIXTURE_ROWS
    assert table.formula_cells == []  # LibreOffice saved every result
    assert table.repairs == [(5, 4, "เธ”เธตเธกเธฒ", "ดีมา"), (6, 4, "à¸”à¸µ", "ดี")]
    assert table.notes == [
        "hidden sheet 'lists' skipped",
        "1 merged range of one column filled down from the top cell into its blank cells "
        "(e.g. 'B2:B4')",
        "1 cell repaired from mojibake (UTF-8 read as cp874 and saved again)",
        "1 cell repaired from mojibake (UTF-8 read as Latin-1/cp1252 and saved again)",
    ]


ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
)


ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods_cell(value: str, extra: str = "", kind: str = "string") -> str:
    attributes = f'office:value-type="{kind}"{extra}'
    if kind == "float":
        attributes += f' office:value="{value}"'
    return f"<table:table-cell {attributes}><text:p>{value}</text:p></table:table-cell>"


def test_ods_written_by_a_program(tmp_path):
    """An .ods as a script writes it: formulas without values, repeated rows and cells, a merge
    of the agency over two rows, a hidden sheet (its table style has display false)."""
    import zipfile

    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NAMESPACES}>'
        '<office:automatic-styles><style:style style:name="ta2" style:family="table">'
        '<style:table-properties table:display="false"/></style:style></office:automatic-styles>'
        '<office:body><office:spreadsheet><table:table table:name="answers">'
        f"<table:table-row>{ods_cell('id')}{ods_cell('agency')}{ods_cell('eco1')}{ods_cell('x2')}</table:table-row>"
        f"<table:table-row>{ods_cell('r1')}"
        + ods_cell("กรมสรรพากร", ' table:number-rows-spanned="2" table:number-columns-spanned="1"')
        + ods_cell("4", kind="float")
        + '<table:table-cell table:formula="of:=[.C2]*2"/></table:table-row>'
        f"<table:table-row>{ods_cell('r2')}<table:covered-table-cell/>"
        '<table:table-cell table:number-columns-repeated="2"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="2">'
        '<table:table-cell table:number-columns-repeated="4"/></table:table-row>'
        f"<table:table-row>{ods_cell('r3')}<table:table-cell/>{ods_cell('5', kind='float')}"
        '<table:table-cell table:formula="of:=[.C6]*2"/></table:table-row></table:table>'
        '<table:table table:name="lists" table:style-name="ta2">'
        f"<table:table-row>{ods_cell('เห็นด้วย')}</table:table-row></table:table>"
        "</office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "staff_survey.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr("content.xml", content)
    table = read_raw(path)
    assert (table.encoding, table.sheet, table.header) == (
        "ods",
        "answers",
        ["id", "agency", "eco1", "x2"],
    )
    assert table.rows.values.tolist() == [
        ["r1", "กรมสรรพากร", "4", ""],
        ["r2", "กรมสรรพากร", "", ""],
        ["", "", "", ""],
        ["", "", "", ""],
        ["r3", "", "5", ""],
    ]
    assert table.formula_cells == [(2, 3, "=[.C2]*2"), (6, 3, "=[.C6]*2")]
    assert table.notes == [
        "hidden sheet 'lists' skipped",
        "1 merged range of one column filled down from the top cell into its blank cells "
        "(e.g. 'B2:B3')",
        "2 formula cells saved without a value (the workbook was written by a program and never "
        "calculated) read as empty (first: D2 =[.C2]*2)",
    ]


@pytest.mark.parametrize(("source", "named"), [("xls", "xlsx"), ("ods", "xls"), ("xlsx", "ods")])
def test_workbook_of_another_kind_than_its_name_is_read_by_its_kind(tmp_path, source, named):
    path = tmp_path / f"staff_survey.{named}"
    if source == "xlsx":
        write_xlsx(path, HEADER, ROWS)
    else:
        shutil.copy(FIXTURES / f"workbook.{source}", path)
    table = read_raw(path)
    assert table.encoding == source
    assert table.rows.loc[2, 0] == "r1"
    what = {
        "xls": "an old Excel workbook (.xls)",
        "ods": "an OpenDocument spreadsheet (.ods)",
        "xlsx": "an Excel workbook (.xlsx)",
    }[source]
    assert (
        table.notes[0] == f"the file is {what} although its name ends in .{named}: read as {source}"
    )


def test_formulas_without_a_cached_value_are_listed(tmp_path):
    """openpyxl saves a formula without its result: calamine reads the cell as empty."""
    path = write_workbook(
        tmp_path / "f.xlsx",
        {"answers": [["a", "b", "c"], [2, "=A2*2", "x"], [3, '=IF(A3>2,"big","")', None]]},
    )
    table = read_raw(path)
    assert table.rows.values.tolist() == [["2", "", "x"], ["3", "", ""]]
    assert table.formula_cells == [(2, 1, "=A2*2"), (3, 1, '=IF(A3>2,"big","")')]
    assert table.notes == [
        "2 formula cells saved without a value (the workbook was written by a program and never "
        "calculated) read as empty (first: B2 =A2*2)"
    ]


def test_formulas_with_cached_values_are_not_listed(tmp_path):
    """Excel saves `<v>` after `<f>`; a formula giving "" as t="str" with an empty `<v>`."""
    import zipfile

    path = write_workbook(tmp_path / "f.xlsx", {"s": [["a", "b"], [1, 2]]})
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    cells = (
        '<c r="B2"><f>A2*2</f><v>2</v></c>'
        '<c r="C2" t="str"><f>""</f><v></v></c>'
        '<c r="D2"><f t="shared" ref="D2:D3" si="0">A2+1</f><v></v></c></row>'
        '<row r="3"><c r="A3"><v>5</v></c><c r="D3"><f t="shared" si="0"/></c></row>'
    )
    sheet = sheet.replace('<c r="B2" t="n"><v>2</v></c></row>', cells)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    table = read_raw(path)
    assert table.rows.loc[2].tolist()[:2] == ["1", "2"]
    assert table.formula_cells == [(2, 3, "=A2+1"), (3, 3, "=A2+1 (shared from D2)")]


def test_workbook_of_formulas_only(tmp_path):
    path = write_workbook(tmp_path / "f.xlsx", {"s": [["=1+1", "=2+2"]]})
    with pytest.raises(StructuralError, match="no sheet holds a value, but 2 formulas have no"):
        read_raw(path)


def test_hidden_sheets_are_skipped(tmp_path):
    sheets = {
        "lists": [["เห็นด้วย"], ["ไม่เห็นด้วย"]],
        "answers": [HEADER, ROWS[0]],
        "helper": [["x", "=A1"]],
        "empty hidden": [],
    }
    hidden = {"lists": "hidden", "helper": "veryHidden", "empty hidden": "hidden"}
    table = read_raw(write_workbook(tmp_path / "f.xlsx", sheets, hidden=hidden))
    assert (table.sheet, table.other_sheets) == ("answers", [])
    assert table.rows.loc[2].tolist() == ROWS[0]
    assert table.notes == ["hidden sheet 'lists' skipped", "hidden sheet 'helper' skipped"]


def test_only_hidden_sheet_with_values_is_read(tmp_path):
    sheets = {"blank": [], "data": [HEADER, ROWS[0]]}
    table = read_raw(write_workbook(tmp_path / "f.xlsx", sheets, hidden={"data": "hidden"}))
    assert table.sheet == "data"
    assert table.rows.loc[2].tolist() == ROWS[0]
    assert table.notes == ["only hidden sheets hold values: read hidden sheet(s) 'data'"]


def test_merged_agency_cells_are_filled_and_other_blanks_stay(tmp_path):
    rows = [
        ["รายงานผล", None, None, None],  # row 1: a title merged across, a heading: left alone
        ["response_id", "agency", "eco1", "comment"],
        ["r1", "กรมสรรพากร", 4, "ดี"],  # B3:B5 (the agency) and D3:D4 (a comment) merged
        ["r2", None, 5, None],
        ["r3", None, None, None],
        ["r4", "กรมศุลกากร", 3, "ควรปรับปรุง"],
        ["r5", None, 2, None],  # blank but not merged: stays blank
        ["r6", "กรมสรรพากร", "ไม่มี", None],  # C8:D8 merged across: not filled
    ]
    merged = {"s": ["A1:D1", "B3:B5", "C8:D8", "D3:D4"]}
    table = read_raw(write_workbook(tmp_path / "f.xlsx", {"s": rows}, merged))
    assert table.header == ["รายงานผล", "", "", ""]
    assert table.rows.values.tolist() == [
        ["response_id", "agency", "eco1", "comment"],
        ["r1", "กรมสรรพากร", "4", "ดี"],
        ["r2", "กรมสรรพากร", "5", "ดี"],
        ["r3", "กรมสรรพากร", "", ""],
        ["r4", "กรมศุลกากร", "3", "ควรปรับปรุง"],
        ["r5", "", "2", ""],
        ["r6", "กรมสรรพากร", "ไม่มี", ""],
    ]
    assert table.notes == [
        "2 merged ranges of one column filled down from the top cell into its blank cells "
        "(e.g. 'B3:B5')",
        "1 merged range wider than one column not filled: the value stays in the first column "
        "(e.g. 'C8:D8')",
    ]


def test_merged_header_rows_are_not_filled(tmp_path):
    """A header merged down over two header rows (row 1 is the sheet's first): cleaning stacks
    the two rows, so the lower one must stay blank under a merged heading."""
    rows = [["id", "ระบบนิเวศ", None], [None, "eco1", "eco5"], ["r1", 4, 2]]
    table = read_raw(write_workbook(tmp_path / "f.xlsx", {"s": rows}, {"s": ["A1:A2", "B1:C1"]}))
    assert table.rows.loc[2].tolist() == ["", "eco1", "eco5"]
    assert table.notes == []


# ----------------------------------------------------------------------------- mojibake

CORRECT = [
    "กรมสรรพากร",
    "นางสาวสมศรี ใจดี",  # a name with tone marks
    "เธอเน้นเรื่องเนื้อหา เนื่องจากเธอไม่อยู่",  # real Thai full of เธ and เน
    "ควรปรับปรุงระบบ; เพิ่มงบประมาณ ฯลฯ ๑๒๓",
    "café, naïve résumé",
    "Crème brûlée – “quoted” © 2565 € ½",
    "°C ± 5 µg",
    "São Paulo, Mötley Crüe",
    "Ã la carte",  # could be mojibake of "à la carte", but only by a guess
    "เธค",  # a real word whose cp874 bytes are UTF-8 (for ฤ)
    "เนม เนมเนม",  # and ๡, ๡๡: no consonant
]
BROKEN = ["กรมสรรพากร", "เห็นด้วยอย่างยิ่ง", "ผู้อำนวยการกอง “ดี” …", "ข"]


def cp874(text: str) -> str:
    """UTF-8 text read as cp874 (Windows keeps the bytes cp874 leaves undefined)."""
    return text.encode().decode("sloppy-cp874")


def test_mojibake_is_repaired_and_listed(tmp_path):
    rows = [
        ["r1", cp874(BROKEN[0]), cp874(BROKEN[1])],
        ["r2", BROKEN[0].encode().decode("sloppy-windows-1252"), cp874(BROKEN[2])],
        ["r3", cp874(BROKEN[0]), BROKEN[1].encode().decode("latin-1")],
        ["r4", cp874(BROKEN[3]), "ดี"],
    ]
    header = ["response_id", cp874("หน่วยงาน"), "eco1"]
    path = tmp_path / "f.csv"
    write_text(path, [header, *rows], encoding="utf-8-sig")
    table = read_raw(path)
    assert table.header == ["response_id", "หน่วยงาน", "eco1"]
    assert table.rows.values.tolist() == [
        ["r1", BROKEN[0], BROKEN[1]],
        ["r2", BROKEN[0], BROKEN[2]],
        ["r3", BROKEN[0], BROKEN[1]],
        ["r4", BROKEN[3], "ดี"],
    ]
    assert table.repairs == [
        (1, 1, header[1], "หน่วยงาน"),
        (2, 1, rows[0][1], BROKEN[0]),
        (2, 2, rows[0][2], BROKEN[1]),
        (3, 1, rows[1][1], BROKEN[0]),
        (3, 2, rows[1][2], BROKEN[2]),
        (4, 1, rows[2][1], BROKEN[0]),
        (4, 2, rows[2][2], BROKEN[1]),
        (5, 1, rows[3][1], BROKEN[3]),
    ]
    assert table.notes == [
        "6 cells repaired from mojibake (UTF-8 read as cp874 and saved again)",
        "2 cells repaired from mojibake (UTF-8 read as Latin-1/cp1252 and saved again)",
    ]


def test_correct_text_is_never_repaired(tmp_path):
    path = write_csv(tmp_path / "f.csv", ["comment"], [[f'"{text}"'] for text in CORRECT])
    table = read_raw(path)
    assert table.rows[0].tolist() == CORRECT
    assert (table.repairs, table.notes) == ([], [])


def test_no_thai_word_is_taken_for_mojibake():
    from pythainlp.corpus import thai_words

    words = sorted(thai_words())
    assert len(words) > 50_000
    assert [w for w in words if readers._unmojibake(w) or readers._looks_garbled(w)] == []
    phrases = [" ".join(words[i : i + 3]) for i in range(0, len(words), 3)]
    assert [p for p in phrases if readers._unmojibake(p) or readers._looks_garbled(p)] == []


def test_mojibake_in_a_sheet_and_unrepairable_mojibake_is_noted(tmp_path):
    lost = "กรมสรรพากร เห็นด้วย".encode().decode("cp874", errors="ignore")  # bytes dropped
    rows = [["comment"], [cp874("ดีมาก")], [lost], [lost]]
    table = read_raw(write_workbook(tmp_path / "f.xlsx", {"s": rows}))
    assert table.rows[0].tolist() == ["ดีมาก", lost, lost]
    assert table.repairs == [(2, 0, cp874("ดีมาก"), "ดีมาก")]
    assert table.notes == [
        "1 cell repaired from mojibake (UTF-8 read as cp874 and saved again)",
        "2 cells look garbled (UTF-8 read in a wrong code page) but cannot be repaired with "
        f"certainty and are read as they are (row 3, column 1: '{lost[:40]}'; row 4, column 1: "
        f"'{lost[:40]}')",
    ]
