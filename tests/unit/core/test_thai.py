from helpers.core.thai import clean_text, match_key, to_arabic_digits


def test_thai_digits():
    assert to_arabic_digits("๒๕๖๕ ปี ๑๒") == "2565 ปี 12"


def test_clean_text_folds_spaces_and_invisibles():
    assert clean_text("  กรม\u00a0 สรรพากร\u200b \t") == "กรม สรรพากร"


def test_clean_text_joins_decomposed_sara_am():
    assert clean_text("ส\u0e4d\u0e32นักงาน") == "สำนักงาน"


def test_match_key_ignores_case_space_punctuation_and_digits_script():
    assert match_key(" Strongly  Agree ") == match_key("strongly agree")
    assert match_key("อื่น ๆ") == match_key("อื่นๆ")
    assert match_key("๓๐-๓๙") == match_key("30-39")
    assert match_key("สนง.") == "สนง"


def test_clean_text_twice_changes_nothing():
    # the zero-width space went after NFC, so é composed only on a second pass
    for text in ["e\u200b\u0301", "\u0e4d\u200b\u0e32"]:
        assert clean_text(clean_text(text)) == clean_text(text)
    assert clean_text("\u0e4d\u200b\u0e32") == "\u0e33"


def test_match_key_of_a_key_is_the_key():
    for text in ["\u0e4dๆ\u0e32", "\u0e4d.\u0e32", "สํา.นัก"]:
        assert match_key(match_key(text)) == match_key(text)
    assert match_key("ส\u0e4d.\u0e32นัก") == match_key("สำนัก")


def test_clean_text_drops_direction_marks_and_soft_hyphens():
    marks = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u00ad"
    for mark in marks:
        assert clean_text(f"กรม{mark}สรรพากร{mark}") == "กรมสรรพากร"
    assert match_key(f"\u202bRevenue{marks}Department\u202c") == "revenuedepartment"
    assert clean_text(clean_text("e\u200e\u0301")) == clean_text("e\u200e\u0301") == "\u00e9"
