import pytest

from helpers.privacy import REDACTED, find_identifiers, national_id_is_valid, scrub


def _with_check_digit(first12: str) -> str:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)


def test_national_id_check_digit():
    valid = _with_check_digit("110170023070")
    assert national_id_is_valid(valid)
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


def test_scrub_keeps_ordinary_text_unchanged():
    text = "อบรม ๓ วัน ได้ความรู้ 100% ปี 2565 ห้อง 12"
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
