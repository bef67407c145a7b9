import pandas as pd
import pytest

from helpers.errors import StructuralError
from helpers.registry import (
    AgencyMatcher,
    build_registry,
    headcount_columns,
    load_registry,
    normalise_code,
)


def test_committed_registry_equals_a_rebuild():
    assert load_registry().equals(build_registry())


def test_registry_scope_and_codes():
    registry = load_registry()
    assert set(registry["unit_kind"]) == {"department_krom", "office_of_permanent_secretary"}
    assert registry["agency_code"].is_unique
    assert registry["agency_code"].str.fullmatch(r"\d{5}").all()
    mfa = registry[registry["ministry_code"] == "04000"]
    assert len(mfa) >= 12  # departments of Foreign Affairs got codes of our own
    assert (mfa["agency_code"].str.startswith("041") | (mfa["agency_code"] == "04002")).all()


def test_headcounts_are_synthetic_consistent_and_marked():
    registry = load_registry()
    assert (registry[headcount_columns()].sum(axis=1) == registry["headcount_total"]).all()
    assert (registry[headcount_columns()] >= 0).all().all()
    assert (registry["hc_exec_senior"] == 1).all()
    assert registry["headcount_source"].str.contains("synthetic").all()


def test_period_name_used_for_renamed_department():
    registry = load_registry().set_index("agency_code")
    assert registry.loc["09008", "name_th"] == "กรมส่งเสริมคุณภาพสิ่งแวดล้อม"
    assert AgencyMatcher(load_registry()).match("กรมการเปลี่ยนแปลงสภาพภูมิอากาศและสิ่งแวดล้อม") == "09008"


def test_normalise_code():
    assert normalise_code("3007") == "03007"
    assert normalise_code("3007.0") == "03007"
    assert normalise_code("๐๓๐๐๗") == "03007"
    assert normalise_code("กรมสรรพากร") is None


def test_unknown_names_get_close_suggestions():
    matcher = AgencyMatcher(load_registry())
    assert matcher.match("กรมสรรพกร") is None
    assert matcher.suggestions("กรมสรรพกร")[0] == "03007 กรมสรรพากร"
    assert matcher.match("99999") is None


def test_matcher_on_a_tiny_registry():
    registry = pd.DataFrame(
        {
            "agency_code": ["11111"],
            "name_th": ["กรมตัวอย่าง"],
            "name_en": ["Department of Examples"],
            "aliases": ["กตอ."],
        }
    )
    matcher = AgencyMatcher(registry)
    assert matcher.match("department  of examples") == "11111"
    assert matcher.match("กตอ") == "11111"


@pytest.mark.parametrize("code", ["../../etc/passwd", "0300", "03007/x", "03007 "])
def test_a_registry_code_that_is_not_five_digits_stops_with_its_row(project, code):
    path = project / "data/raw/reference/agencies.csv"
    registry = pd.read_csv(path, dtype=str, keep_default_na=False)
    registry.loc[3, "agency_code"] = code
    registry.to_csv(path, index=False)
    with pytest.raises(StructuralError) as caught:
        load_registry(project)
    error = caught.value
    assert (error.row, error.column, error.value) == (5, "agency_code", code)
    assert "five digits" in error.expected
