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
