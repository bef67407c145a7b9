"""CSV downloads embedded in an agency report: the file decodes (BOM, Thai, CRLF), gives back
the published numbers, withholds what the reports withhold, and carries its audit marker."""

from __future__ import annotations

import base64
import csv
import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.audit.confidentiality import parse_sources
from helpers.reports import downloads
from helpers.reports.tables import YearData

YEAR = 2565


def _payload(link: str) -> bytes:
    href = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', link)
    assert href, link
    return base64.b64decode(href.group(1))


def _rows(link: str) -> list[dict[str, str]]:
    text = _payload(link).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def data(processed: Path) -> YearData:
    return YearData.load(YEAR, processed)


def _agencies(data: YearData) -> tuple[str, str]:
    """(an agency with published survey results, one whose survey results are withheld)."""
    table = data.indicators
    withheld = table.loc[table["status"] == "suppressed", "agency_code"]
    shown = table.loc[(table["indicator"] == "A5") & table["value"].notna(), "agency_code"]
    return str(shown.iloc[0]), str(withheld.iloc[0])


def test_csv_is_utf8_with_bom_crlf_and_thai(data):
    big, _ = _agencies(data)
    payload = _payload(downloads.scorecard_download_html(data, big))
    assert payload.startswith(b"\xef\xbb\xbf")
    text = payload.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    header = text.lstrip("\ufeff").split("\r\n")[0]
    assert "รหัสหน่วยงาน / Agency code" in header and "ผล / Value" in header
    name_th = data.registry.at[big, "name_th"]
    assert name_th in text  # Thai intact


def test_scorecard_csv_gives_back_the_published_numbers(data):
    big, _ = _agencies(data)
    rows = _rows(downloads.scorecard_download_html(data, big))
    table = data.indicators[data.indicators["agency_code"] == big].set_index("indicator")
    assert [r["รหัสตัวชี้วัด / Indicator"] for r in rows] == [f"A{i}" for i in range(1, 8)]
    for r in rows:
        expected = table.loc[r["รหัสตัวชี้วัด / Indicator"]]
        value = r["ผล / Value"]
        if pd.isna(expected["value"]):
            assert value == ""
            continue
        assert float(value) == round(expected["value"], downloads.DECIMALS)  # exactly
        if r["รหัสตัวชี้วัด / Indicator"] in ("A3", "A5", "A6", "A7") and value:
            assert int(r["จำนวนผู้ตอบ (n) / Respondents (n)"]) == expected["respondents"]
            low = float(r["ขอบล่างช่วงความเชื่อมั่น 95% / 95% CI low"])
            assert low == round(expected["ci_low"], downloads.DECIMALS)


def test_withheld_rows_have_no_figure_and_say_why(data):
    _, small = _agencies(data)
    rows = _rows(downloads.scorecard_download_html(data, small))
    withheld = [r for r in rows if r["หมายเหตุ / Note"].startswith("ผู้ตอบน้อยกว่า 10 คน")]
    assert withheld
    for r in withheld:
        assert r["ผล / Value"] == r["จำนวนผู้ตอบ (n) / Respondents (n)"] == ""
        assert r["ขอบบนช่วงความเชื่อมั่น 95% / 95% CI high"] == ""
        assert "ไม่เผยแพร่ / Not published" in r["เทียบค่าเป้าหมาย / Against the target"]
    items = _rows(downloads.items_download_html(data, small))
    for r in items:
        if r["หมายเหตุ / Note"]:
            assert r["ร้อยละเชิงบวก / Percent positive"] == ""
            assert r["จำนวนผู้ตอบ (n) / Respondents (n)"] == ""


def test_statuses_are_worded_as_provisional_while_targets_are_placeholders(data):
    frame = downloads.indicator_table(data)
    statuses = set(frame["status"])
    assert "ถึงค่าเป้าหมายชั่วคราว / At the provisional target" in statuses
    assert not any(s.startswith("บรรลุเป้าหมาย") for s in statuses)
    assert "Provisional target" in [c.en for c in downloads.indicator_columns(True)]


def test_link_is_accessible_and_carries_the_audit_marker(data):
    big, _ = _agencies(data)
    link = downloads.items_download_html(data, big)
    assert link.startswith('<a class="download" download="')
    assert f'download="{big}_{YEAR}_items.csv"' in link
    assert '<span class="en" lang="en">Download the item results' in link
    marker = re.search(r'data-sources="([^"]+)"', link).group(1)
    tokens, bad = parse_sources(marker)
    assert not bad
    items = data.table("items")
    mine = items[(items["agency_code"] == big) & items["percent_positive"].notna()]
    assert {t.measure for t in tokens} == {f"item:{i}" for i in mine["item"]}
    assert all(t.n is not None and t.n >= 10 and t.scope == big for t in tokens)


def test_items_csv_round_trips(data):
    big, _ = _agencies(data)
    rows = _rows(downloads.items_download_html(data, big))
    items = data.table("items")
    mine = items[items["agency_code"] == big].set_index("item")
    assert len(rows) == len(mine)
    for r in rows:
        expected = mine.loc[r["รหัสข้อคำถาม / Item"]]
        if r["ร้อยละเชิงบวก / Percent positive"]:
            positive = float(r["ร้อยละเชิงบวก / Percent positive"])
            negative = float(r["ร้อยละเชิงลบ / Percent negative"])
            assert positive == round(expected["percent_positive"], downloads.DECIMALS)
            assert negative == round(expected["percent_negative"], downloads.DECIMALS)


def test_a_text_that_a_spreadsheet_would_run_is_quoted():
    frame = pd.DataFrame({"a": ["=HYPERLINK(1)", "-1", "ok"], "b": [1.5, None, 2.0]})
    text = downloads.csv_text(frame)
    assert "'=HYPERLINK(1)" in text and "'-1" in text
    assert text.endswith("ok,2\r\n")


def test_breakdowns_absent_then_published_with_suppression(processed, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(processed, root)
    data = YearData.load(YEAR, root)
    big, _ = _agencies(data)
    assert downloads.breakdown_table(data) is None
    assert downloads.breakdowns_download_html(data, big) == ""
    frame = pd.DataFrame(
        {
            "scope": [big, big, big, "gov"],
            "measure": ["A5", "A5", "A5", "mindset"],
            "variable": ["position_type"] * 4,
            "group": ["academic", "general", "executive", "academic"],
            "n": pd.array([40, 12, 4, 300], dtype="Int64"),
            "estimate": [70.1, 65.2, 80.0, 61.0],
            "ci_low": [65.0, 60.0, 70.0, 59.0],
            "ci_high": [75.0, 70.0, 90.0, 63.0],
            "suppressed": [None, "complementary", "fewer than 10 respondents", None],
        }
    )
    frame.to_parquet(downloads.breakdowns_path(YEAR, root), index=False)
    data = YearData.load(YEAR, root)
    table = downloads.breakdown_table(data, big)
    assert table["estimate"].tolist()[0] == 70.1
    assert table["estimate"].isna().tolist() == [False, True, True]
    assert table["respondents"].isna().tolist() == [False, True, True]
    assert table.loc[0, "group_th"] == "วิชาการ" and table.loc[0, "variable_en"] == "Position type"
    # primary and complementary read the same: which applies would bound the withheld counts
    assert (
        table.loc[1, "note"] == table.loc[2, "note"] == downloads.GROUP_WITHHELD_TEXT.format(k=10)
    )
    assert "complementary" not in " ".join(table["note"])
    marker = downloads.table_sources(downloads.breakdown_table(data), YEAR)
    # the government-wide row is not marked: it covers only agencies with a published result
    assert marker == f"{YEAR}/staff/A5[position_type=academic] {big}=40"
    rows = _rows(downloads.breakdowns_download_html(data, big))
    assert [r["ค่าประมาณ / Estimate"] for r in rows] == ["70.1", "", ""]
