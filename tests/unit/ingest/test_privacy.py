import os
import stat

import pandas as pd
import pytest

from helpers.core import paths
from helpers.ingest.privacy import (
    KEY_ENV,
    REDACTED,
    find_identifiers,
    identifier_spans,
    iter_identifiers,
    looks_like_national_ids,
    national_id_is_valid,
    pseudonym_key,
    pseudonym_key_path,
    pseudonymise,
    scrub,
)


def _with_check_digit(first12: str) -> str:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


def test_national_id_check_digit():
    valid = _with_check_digit("110170023070")
    assert national_id_is_valid(valid)
    assert national_id_is_valid("1-1017-00230-73-2") and national_id_is_valid("๑๑๐๑๗๐๐๒๓๐๗๓๒")
    assert not national_id_is_valid(valid[:-1] + str((int(valid[-1]) + 1) % 10))
    assert not national_id_is_valid("123")


@pytest.mark.parametrize(
    "text",
    [
        "บัตร 1101700230705 ค่ะ",
        "บัตร 1-1017-00230-70-5",
        "โทร 081-234-5678",
        "โทร 0812345678",
        "โทร ๐๘๑๒๓๔๕๖๗๘",
        "ติดต่อ 02-123-4567",
        "+66 81 234 5678",
        "mail somchai.j@example.go.th",
    ],
)
def test_scrub_removes_identifiers(text):
    cleaned, count = scrub(text)
    assert count == 1
    assert REDACTED in cleaned
    assert find_identifiers(cleaned) == []


@pytest.mark.parametrize(
    "national_id",
    [
        "1101700230705",
        "1-1017-00230-70-5",
        "1 1017 00230 70 5",
        "1.1017.00230.70.5",
        "1–1017–00230–70–5",  # en dash
        "1—1017—00230—70—5",  # em dash
        "1\u00a01017\u00a000230\u00a070\u00a05",  # no-break spaces
        "1 - 1017 - 00230 - 70 - 5",
        "11-0170-0230-705",  # another grouping
        "1-1017 00230.70–5",  # mixed separators
        "1\u200b1017\u00ad00230\u200e70\u20665",  # invisible: zero-width, soft hyphen, marks
        "๑-๑๐๑๗-๐๐๒๓๐-๗๐-๕",
        "1-1017-00230-70-9",  # a wrong check digit is still an ID
    ],
)
def test_national_ids_in_any_grouping_are_removed(national_id):
    assert scrub(f"เลขบัตร {national_id} ค่ะ") == (f"เลขบัตร {REDACTED} ค่ะ", 1)
    assert find_identifiers(national_id) == ["national_id"]


@pytest.mark.parametrize(
    "phone",
    [
        "0 2123 4567",
        "0-2123-4567",
        "02-123-4567",
        "(02) 123 4567",
        "053-123-456",  # a provincial landline: area code 053
        "08-1234-5678",
        "081.234.5678",
        "0812345678",
        "081 234 5678",
        "๐๘๑-๒๓๔-๕๖๗๘",
        "061-234-5678",
        "+66 81 234 5678",
        "+66812345678",
        "(+66) 81-234-5678",
        "+66 (0) 2 123 4567",
        "+66-2-123-4567",
        "+660812345678",  # the trunk 0 kept after the country code
        "0066 2 123 4567",
        "66812345678",  # the "+" forgotten, before a mobile number
    ],
)
def test_phones_in_any_style_are_removed_with_their_country_code_and_brackets(phone):
    assert scrub(f"โทร {phone} ค่ะ") == (f"โทร {REDACTED} ค่ะ", 1)
    assert find_identifiers(phone) == ["phone"]


def test_an_extension_stays():
    assert scrub("โทร 02-123-4567 ต่อ 123") == (f"โทร {REDACTED} ต่อ 123", 1)
    assert scrub("โทร. (02) 123 4567 ext. 45") == (f"โทร. {REDACTED} ext. 45", 1)


def test_a_bracket_not_closed_inside_the_number_stays():
    assert scrub("(โทร 081 234 5678)") == (f"(โทร {REDACTED})", 1)


@pytest.mark.parametrize(
    "email",
    ["somchai.j@example.go.th", "o'brien@x.go.th", "a+b@gmail.com", "Somchai@EXAMPLE.GO.TH"],
)
def test_emails_are_removed(email):
    assert scrub(f"อีเมล {email} ครับ") == (f"อีเมล {REDACTED} ครับ", 1)
    assert find_identifiers(email) == ["email"]


@pytest.mark.parametrize(
    "text",
    [
        "อบรม ๓ วัน ได้ความรู้ 100% ปี 2565 ห้อง 12",
        "งบประมาณ 1,200,000 บาท",
        "รวม 12,345,678.50 บาท",
        "1,234,567,890,123 บาท",  # commas never join digits: an amount, however large
        "เพิ่มขึ้น 12.5% จาก 85.25%",
        "วันที่ 15/03/2565 และ 15.03.2565",
        "พ.ศ. 2563 - 2565",
        "รหัสหน่วยงาน 03007",
        "version 2.3.1",
        "เวลา 08.30-16.30 น.",
        "ปี 66 ได้ 1,500 บาท",
        "6621234567",  # bare 66 and eight digits: not read as a landline
        "อีเมล somchai at example dot com",
        "a@b ไม่ใช่อีเมล @ นะ",
    ],
)
def test_ordinary_numbers_and_text_stay(text):
    assert scrub(text) == (text, 0)


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        # an e-mail took the ID's last digit and the ID was skipped: 12 digits stayed
        ("1 1017 00230 70 5x@y.com", "1017"),
        # spaced digits before the ID took its first digit: the other 12 stayed
        ("เลข 1 2 3 4 5 6 7 8 9 0 1 2 1-1017-00230-70-5", "1017"),
        # 14 digits in a row are no 13-digit ID, but the processed schema refuses them
        ("บัญชี 11017002307051", "1101700230705"),
        ("โทร +660812345678", "812345678"),
        ("mail o'brien@example.go.th", "o'"),
    ],
)
def test_scrub_leaves_no_part_of_an_identifier(text, gone):
    cleaned, count = scrub(text)
    assert count >= 1
    assert gone not in cleaned
    assert scrub(cleaned) == (cleaned, 0)


def test_overlapping_identifiers_are_one_redaction():
    # a phone number followed by three digits is also 13 digits: one span, one marker
    assert scrub("โทร 081 234 5678 123") == (f"โทร {REDACTED}", 1)


def test_iter_identifiers_gives_kind_span_and_text_in_order():
    text = "a@b.co โทร (+66) 81-234-5678 บัตร 1-1017-00230-70-5"
    found = list(iter_identifiers(text))
    assert [(kind, text[start:end]) for kind, start, end, _ in found] == [
        ("email", "a@b.co"),
        ("phone", "(+66) 81-234-5678"),
        ("national_id", "1-1017-00230-70-5"),
    ]
    assert all(matched == text[start:end] for _, start, end, matched in found)
    assert find_identifiers(text) == ["national_id", "phone", "email"]
    assert identifier_spans(text) == [(start, end) for _, start, end, _ in found]


def test_many_identifiers_each_get_a_marker():
    text = " และ ".join(f"a{i}@x.go.th" for i in range(1000))
    cleaned, count = scrub(text)
    assert count == 1000 and cleaned == " และ ".join([REDACTED] * 1000)


# ----------------------------------------------------------------------------- ID-like columns

ID = "1-1017-00230-70-5"


@pytest.mark.parametrize(
    "values",
    [
        [ID, "3100600123452", "๑๑๐๑๗๐๐๒๓๐๗๐๕", None, ""],
        [1101700230705, 3100600123452],  # read as numbers
        [1101700230705.0, float("nan")],  # read as floats by a spreadsheet reader
        [ID, "S2565-000001"],  # half is enough
        ["1 1017 00230 70 9"],  # the check digit does not matter
    ],
)
def test_columns_of_national_ids_are_recognised(values):
    assert looks_like_national_ids(pd.Series(values, dtype=object))


@pytest.mark.parametrize(
    "values",
    [
        ["S2565-000001", "S2565-000002", "S2565-000003"],
        [ID, "S2565-000001", "S2565-000002"],  # fewer than half
        ["0812345678", "11017002307051"],  # a phone, 14 digits
        [None, "", "  "],
        [],
    ],
)
def test_other_columns_are_not_national_ids(values):
    assert not looks_like_national_ids(pd.Series(values, dtype=object))


KEY = bytes(range(32))


def test_pseudonyms_are_stable_keyed_and_blind_to_formatting():
    values = pd.Series(
        [ID, "1101700230705", "๑๑๐๑๗๐๐๒๓๐๗๐๕", 1101700230705, "3100600123452", None, ""],
        index=list("abcdefg"),
        name="response_id",
    )
    out = pseudonymise(values, KEY)
    assert out.index.equals(values.index) and out.name == "response_id"
    assert out.iloc[0] == out.iloc[1] == out.iloc[2] == out.iloc[3] != out.iloc[4]
    assert out.iloc[0].startswith("P-") and len(out.iloc[0]) == 2 + 16
    assert int(out.iloc[0][2:], 16) >= 0
    assert out.iloc[5] is None and out.iloc[6] == ""
    assert pseudonymise(values, KEY).equals(out)
    assert pseudonymise(values, bytes(32)).iloc[0] != out.iloc[0]
    assert "1101700230705" not in "".join(out.dropna())


def test_pseudonyms_of_text_keep_its_letters():
    out = pseudonymise(pd.Series(["S-0001", "C-0001", "S-๐๐๐๑"]), KEY)
    assert out[0] != out[1] and out[0] == out[2]


def test_a_short_key_is_refused():
    with pytest.raises(ValueError, match="16 bytes"):
        pseudonymise(pd.Series([ID]), b"short")


@pytest.fixture
def key_home(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def test_the_key_file_is_created_once_readable_by_its_owner_only(key_home):
    path = key_home / "config/thai-hrd-workbook/pseudonym.key"
    assert pseudonym_key_path() == path
    with pytest.raises(FileNotFoundError):
        pseudonym_key(create=False)
    key = pseudonym_key()
    assert len(key) == 32 and path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert pseudonym_key() == key == pseudonym_key(create=False)
    assert [p.name for p in path.parent.iterdir()] == ["pseudonym.key"]  # no draft left


def test_the_key_path_ignores_a_relative_xdg_config_home(key_home, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")
    assert pseudonym_key_path() == key_home / "home/.config/thai-hrd-workbook/pseudonym.key"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert pseudonym_key_path() == key_home / "home/.config/thai-hrd-workbook/pseudonym.key"


def test_the_environment_key_comes_first(key_home, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY.hex())
    assert pseudonym_key() == KEY
    assert not (key_home / "config").exists()
    monkeypatch.setenv(KEY_ENV, "not hex")
    with pytest.raises(ValueError, match="not hexadecimal"):
        pseudonym_key()
    monkeypatch.setenv(KEY_ENV, "abcd")
    with pytest.raises(ValueError, match="2 bytes"):
        pseudonym_key()


def test_a_key_file_others_can_read_is_warned_about(key_home):
    key = pseudonym_key()
    os.chmod(pseudonym_key_path(), 0o644)
    with pytest.warns(UserWarning, match="chmod 600"):
        assert pseudonym_key() == key


def test_a_key_inside_the_project_is_refused(key_home, monkeypatch):
    inside = paths.project_root() / "key-test-never-created"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(inside))
    with pytest.raises(ValueError, match="outside the project"):
        pseudonym_key()
    assert not inside.exists()
