import pytest

from helpers import readers
from helpers.errors import StructuralError
from helpers.readers import BOM, decode_csv_bytes, detect_encoding, read_raw
from tests.conftest import write_csv, write_xlsx

HEADER = ["response_id", "agency", "eco1"]
ROWS = [["r1", "กรมสรรพากร", "เห็นด้วย"], ["r2", " กรม  สรรพากร ", "๔"]]


@pytest.mark.parametrize(
    ("encoding", "label"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp874", "cp874")]
)
def test_csv_encodings_give_the_same_table(tmp_path, encoding, label):
    table = read_raw(write_csv(tmp_path / "f.csv", HEADER, ROWS, encoding))
    assert table.encoding == label
    assert table.header == HEADER
    assert table.rows.loc[2].tolist() == ["r1", "กรมสรรพากร", "เห็นด้วย"]
    # stray and repeated white space is folded
    assert table.rows.loc[3, 1] == "กรม สรรพากร"


def test_cp874_is_not_mistaken_for_utf8():
    assert detect_encoding("เห็นด้วย".encode("cp874")) == "cp874"
    assert detect_encoding("เห็นด้วย".encode()) == "utf-8"


def test_rows_are_numbered_as_in_a_spreadsheet_and_blank_rows_kept(tmp_path):
    path = write_csv(tmp_path / "f.csv", HEADER, [ROWS[0], ["", "", ""], [], ROWS[1]])
    table = read_raw(path)
    assert list(table.rows.index) == [2, 3, 4, 5]
    assert (table.rows.loc[[3, 4]] == "").all().all()


def test_xlsx_values_become_text(tmp_path):
    import datetime as dt

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
    assert table.encoding == "xlsx"
    assert table.rows.loc[2].tolist() == ["1", "4", "2022-03-15 10:00:00", ""]
    assert table.rows.loc[3].tolist() == ["", "", "", ""]
    assert table.rows.loc[4].tolist() == ["x", "2.5", "15/03/2565", "y"]


def test_header_only_file_has_no_rows(tmp_path):
    table = read_raw(write_csv(tmp_path / "f.csv", HEADER, []))
    assert table.n_rows == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\x81\xdb\xfc\xff\x00", "neither UTF-8 nor Thai Windows"),
        ("a,b\r\n".encode("utf-16"), "not CSV text but UTF-16 text"),
        (b"PK\x03\x04\x14\x00", r"not CSV text but an Excel workbook \(\.xlsx\)"),
    ],
)
def test_unreadable_csv_names_the_file(tmp_path, content, message):
    path = tmp_path / "staff_survey.csv"
    path.write_bytes(content)
    with pytest.raises(StructuralError, match=message) as info:
        read_raw(path)
    assert "staff_survey.csv" in str(info.value)


def test_damaged_xlsx(tmp_path):
    path = tmp_path / "staff_survey.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(StructuralError, match=r"staff_survey.xlsx: the workbook cannot be opened"):
        read_raw(path)


def test_unsupported_type(tmp_path):
    path = tmp_path / "staff_survey.xls"
    path.write_bytes(b"\xd0\xcf")
    with pytest.raises(StructuralError, match=r"'\.xls' cannot be read.*Expected: one of \.csv"):
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
