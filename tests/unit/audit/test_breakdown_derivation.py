"""The subtraction attack of ``workbook audit`` on published breakdown tables."""

from __future__ import annotations

import pandas as pd

from helpers.audit import confidentiality
from helpers.audit.confidentiality import derivable_cells

K = 10


def _published(cells: dict[str, list[int | None]], totals: dict[str, int | None]) -> pd.DataFrame:
    """One measure and breakdown as published: None for a withheld count."""
    rows = [
        {
            "fiscal_year": 2565,
            "scope": scope,
            "measure": "A5",
            "breakdown": "gender",
            "group": f"g{i}",
            "respondents": n,
            "overall_respondents": totals[scope],
        }
        for scope, counts in cells.items()
        for i, n in enumerate(counts)
    ]
    frame = pd.DataFrame(rows)
    for column in ("respondents", "overall_respondents"):
        frame[column] = pd.array(frame[column], dtype="Int64")
    return frame


def test_a_single_withheld_group_is_worked_out_and_masked():
    findings = derivable_cells(_published({"A": [50, 30, None]}, {"A": 85}), K, file="t")
    assert [f.check for f in findings] == ["subtraction"]
    assert "<10" in findings[0].detail and "5" not in findings[0].detail
    assert findings[0].file == "t" and findings[0].location == "2565 A5 gender"


def test_withheld_groups_below_k_together_are_found():
    findings = derivable_cells(_published({"A": [50, None, None]}, {"A": 57}), K)
    assert len(findings) == 1 and "together" in findings[0].detail


def test_a_shown_small_count_is_found():
    findings = derivable_cells(_published({"A": [50, 7]}, {"A": 57}), K)
    assert [f.check for f in findings] == ["small-n"]


def test_a_government_group_minus_the_other_agencies_is_found():
    table = _published(
        {"A": [40, 30, None, None], "B": [40, 30, 20, 20], "gov": [80, 60, 25, 26]},
        {"A": 81, "B": 110, "gov": 191},
    )
    findings = derivable_cells(table, K)
    assert findings and all(f.check == "subtraction" for f in findings)
    assert any("A group g2" in f.detail for f in findings)
    safe = table.assign(
        respondents=table["respondents"].mask(table["scope"].eq("B") & table["group"].eq("g2"))
    )
    safe.loc[safe["scope"].eq("B") & safe["group"].eq("g3"), "respondents"] = pd.NA
    assert derivable_cells(safe, K) == []


def test_a_clean_table_passes():
    table = _published({"A": [50, None, None], "B": [40, 30]}, {"A": 75, "B": 70})
    assert derivable_cells(table, K) == []


def test_the_audit_reads_the_published_breakdowns(project):
    folder = project / "data" / "processed" / "2565" / "indicators"
    folder.mkdir(parents=True)
    _published({"A": [50, 30, None]}, {"A": 85}).to_parquet(folder / "breakdowns.parquet")
    result = confidentiality.audit([2565], root=project)
    assert [f.file for f in result.findings] == [
        "data/processed/2565/indicators/breakdowns.parquet"
    ]
