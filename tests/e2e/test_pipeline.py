"""End to end: demo data for three years -> the `workbook` command -> processed data, checked
against what the generator planted (the faults in each file and the respondents per agency)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from helpers.core import paths
from helpers.ingest import cleaning

pytestmark = pytest.mark.slow

IDENTIFIER = re.compile(r"(?<![\d.])\d{13}(?![\d.])|(?<!\d)0[689]\d-?\d{3}-?\d{4}(?!\d)|@[\w-]+\.")


def _truth(root: Path, year: int) -> dict:
    folder = paths.find_year_folder(year, root)
    return json.loads((folder / "_truth.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("year", [2563, 2564, 2565])
def test_ledger_matches_the_planted_faults(built, year):
    truth = _truth(built, year)
    ledger = pd.read_csv(cleaning.output_dir(year, built) / "ledger.csv").set_index("file")
    folder = paths.find_year_folder(year, built).name
    assert len(ledger) == len(truth["planted_faults"])
    for name, planted in truth["planted_faults"].items():
        row = ledger.loc[f"{folder}/{name}"]
        assert row["rows_read"] == planted["rows_written"], name
        assert row["rows_read"] == row["rows_kept"] + row["rows_set_aside"], name
        for reason in (
            "blank_row",
            "duplicate_submission",
            "unknown_agency",
            "outside_fiscal_year",
            "superseded_submission",
        ):
            assert row[reason] == planted[reason], (name, reason)
        assert row["value_issues"] == planted["invalid_value"], name
        assert row["identifiers_scrubbed_from_text"] == planted["identifier_in_comment"], name
        assert row["missing_required_value"] + row["invalid_required_value"] == 0, name


@pytest.mark.parametrize("year", [2563, 2564, 2565])
def test_respondents_per_agency_match_the_generator(built, year):
    truth = _truth(built, year)["respondents"]
    out = cleaning.output_dir(year, built)
    for instrument in ("staff_survey", "citizen_survey"):
        counts = pd.read_parquet(out / f"{instrument}.parquet")["agency"].value_counts()
        assert counts.to_dict() == truth[instrument], instrument


def test_no_identifier_reaches_processed_data(built):
    processed = built / "data/processed"
    texts = [pd.read_parquet(p).astype(str).to_csv() for p in processed.rglob("*.parquet")]
    texts += [p.read_text(encoding="utf-8") for p in processed.rglob("*.csv")]
    assert texts
    for text in texts:
        assert not IDENTIFIER.search(text), IDENTIFIER.search(text).group()


def test_year_folder_in_ce_is_processed_as_be(built):
    assert (built / "data/raw/2022").is_dir()
    staff = pd.read_parquet(cleaning.output_dir(2565, built) / "staff_survey.parquet")
    assert set(staff["fiscal_year"]) == {2565}


def test_executed_notebooks_are_kept_as_the_audit_record(built):
    for year in (2563, 2564, 2565):
        executed = built / f"data/processed/{year}/notebooks/01_clean_inputs.ipynb"
        nb = json.loads(executed.read_text(encoding="utf-8"))
        assert nb["metadata"]["papermill"]["parameters"] == {"year": year}
        assert not any(
            c.get("outputs") and any(o.get("output_type") == "error" for o in c["outputs"])
            for c in nb["cells"]
        )


def test_indicator_table_has_every_agency_year_indicator_row(built):
    for year in (2563, 2564, 2565):
        truth = _truth(built, year)
        table = pd.read_parquet(built / f"data/processed/{year}/indicators/indicators.parquet")
        agencies = set(truth["respondents"]["staff_survey"]) | set(
            truth["respondents"]["citizen_survey"]
        )
        rows = set(zip(table["agency_code"], table["indicator"], strict=True))
        wanted = {(a, f"A{i}") for a in agencies for i in range(1, 8)}
        wanted |= {("OCSC", "O1"), ("OCSC", "O2"), ("OCSC", "O3")}
        assert rows == wanted, year
        assert set(table["fiscal_year"]) == {year}
        small = [a for a, n in truth["respondents"]["staff_survey"].items() if n < 10]
        suppressed = table[
            table["agency_code"].isin(small) & table["indicator"].isin(["A3", "A5", "A6"])
        ]
        assert (suppressed["status"] == "suppressed").all()
        assert suppressed[["value", "ci_low", "ci_high", "respondents"]].isna().all().all()
