"""The HTML reports of the end-to-end run: one per agency and year, the overviews and the index;
no code, no remote resource, nothing from fewer than 10 respondents, hostile names escaped,
and executed report notebooks that hold aggregates only."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from helpers.indicators import kpi
from helpers.ingest import cleaning
from helpers.ingest.registry import load_registry
from helpers.reports.tables import report_agencies
from helpers.stats import weights
from tests.conftest import HOSTILE_NAME, YEARS

pytestmark = pytest.mark.slow

REMOTE = re.compile(
    r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:|ftp:)?//|url\(\s*["']?"""
    r"""\s*(?:https?:)?//|@import|<link\b|<script\b[^>]*\bsrc=""",
    re.IGNORECASE,
)


def _pages(root: Path) -> list[Path]:
    return sorted((root / "reports").rglob("*.html"))


def _agency_pages(root: Path, year: int) -> dict[str, Path]:
    return {p.stem: p for p in (root / "reports" / str(year)).glob("*.html") if p.stem.isdigit()}


@pytest.mark.parametrize("year", YEARS)
def test_a_report_for_every_agency_with_data_and_an_overview(built, year):
    expected = set(report_agencies(year, built))
    assert set(_agency_pages(built, year)) == expected
    assert len(expected) >= 6
    assert (built / "reports" / str(year) / "overview.html").is_file()


def test_the_index_links_every_report_and_overview(built):
    index = (built / "reports/index.html").read_text(encoding="utf-8")
    hrefs = set(re.findall(r'href="([^"]+)"', index))
    for year in YEARS:
        for code in _agency_pages(built, year):
            assert f"{year}/{code}.html" in hrefs
        assert f"{year}/overview.html" in hrefs
    for href in hrefs:
        assert (built / "reports" / href).is_file(), href
    assert 'id="filter"' in index and "<script>" in index  # the inline filter box


def test_reports_hold_no_code_prompts_or_tracebacks(built):
    for page in _pages(built):
        text = page.read_text(encoding="utf-8")
        for marker in (
            "jp-InputArea",
            "jp-InputPrompt",
            "jp-OutputPrompt",
            "In&nbsp;[",
            "Traceback",
            "import helpers",
            "show(",
            "charts.figure_html(",
            "injected-parameters",
            "jp-RenderedText",  # streams and plain-text reprs are dropped
        ):
            assert marker not in text, (page.name, marker)


def test_reports_reference_no_remote_resource(built):
    for page in _pages(built):
        text = page.read_text(encoding="utf-8")
        assert not REMOTE.search(text), (page, REMOTE.search(text))
        assert "default-src 'none'" in text  # the browser may fetch nothing else either
        for src in re.findall(r'<img[^>]*\ssrc="([^"]*)"', text):
            assert src.startswith("data:image/png;base64,"), page


def test_every_report_is_one_self_contained_file(built):
    page = next(iter(_agency_pages(built, 2565).values())).read_text(encoding="utf-8")
    assert page.count("@font-face") == 2 and "data:font/ttf;base64," in page
    assert "<style>" in page and 'lang="th"' in page and 'charset="utf-8"' in page


def test_every_agency_report_has_the_scorecard_of_seven_indicators(built):
    for year in YEARS:
        for code, path in _agency_pages(built, year).items():
            text = path.read_text(encoding="utf-8")
            rows = re.findall(r'<tr data-indicator="(A\d)" data-status="(\w+)"', text)
            assert [r[0] for r in rows] == list(kpi.AGENCY_INDICATORS), (year, code)
            # the status is a symbol AND Thai and English words, never colour alone
            badges = re.findall(
                r'<span class="status status-\w+" data-status="\w+">(.*?</span>)</span>', text
            )
            assert len(badges) == 7, (year, code)
            for badge in badges:  # the English in its lang="en" span
                english = r'<span class="en en-inline" lang="en"> / [A-Za-z ]+</span>$'
                assert re.match(r"^\S+ [\u0E00-\u0E7F ]+" + english, badge), badge


def test_every_chart_has_alt_text(built):
    # nbconvert re-serialises output HTML (attribute order and quotes), so compare unescaped
    for page in _pages(built):
        text = page.read_text(encoding="utf-8")
        figures = re.findall(r'<figure class="chart">(<svg[^>]*>)', text)
        assert text.count('<figure class="chart">') == len(figures), page.name
        for svg in figures:
            label = re.search(r"""aria-label=(["'])(.*?)\1""", svg)
            assert label, (page.name, svg[:120])
            assert len(html.unescape(label.group(2))) > 20, page.name
            # the English text alternative: a visually hidden paragraph the chart names
            described = re.search(r"""aria-describedby=(["'])(.*?)\1""", svg)
            assert described, (page.name, svg[:120])
            english = re.search(
                rf'<p id="{described.group(2)}" class="sr-only" lang="en">([^<]+)', text
            )
            assert english and len(english.group(1)) > 20, page.name
        assert "<img" not in text  # charts are inline SVG


def test_no_shown_count_is_below_ten(built):
    for page in _pages(built):
        text = page.read_text(encoding="utf-8")
        counts = [int(n) for n in re.findall(r'data-n="(\d+)"', text)]
        counts += [int(n.replace(",", "")) for n in re.findall(r"([\d,]+) คน / respondents", text)]
        assert all(n >= 10 for n in counts), (page.name, counts)
        assert not re.search(r"\bn=\d\b", text), page.name  # weighting notes lose their counts


def _unsuppressed(year: int, root: Path) -> pd.DataFrame:
    """The indicator values the reports must NOT show: computed without the threshold."""
    registry = load_registry(root)
    staff, _ = weights.staff_weights(cleaning.read_clean(year, "staff_survey", root), registry)
    citizen, _ = weights.citizen_weights(cleaning.read_clean(year, "citizen_survey", root))
    return kpi.agency_indicators(
        year,
        staff,
        citizen,
        cleaning.read_clean(year, "agency_return", root),
        registry,
        min_respondents=1,
        root=root,
    )


@pytest.mark.parametrize("year", YEARS)
def test_small_agencies_show_no_value_from_fewer_than_ten(built, year):
    table = pd.read_parquet(built / f"data/processed/{year}/indicators/indicators.parquet")
    suppressed = table[table["status"] == "suppressed"]
    assert len(suppressed), "the demo plants agencies with fewer than 10 respondents"
    hidden = _unsuppressed(year, built).set_index(["agency_code", "indicator"])
    pages = _agency_pages(built, year)
    for row in suppressed.itertuples():
        text = pages[row.agency_code].read_text(encoding="utf-8")
        card = re.search(
            rf'<tr data-indicator="{row.indicator}" data-status="suppressed">(.*?)</tr>', text
        )
        assert card and "Not published" in card.group(1), (row.agency_code, row.indicator)
        value = hidden.loc[(row.agency_code, row.indicator), "value"]
        n = hidden.loc[(row.agency_code, row.indicator), "respondents"]
        assert 0 < n < 10
        cell = re.search(r'<td class="num value">(.*?)</td>', card.group(1)).group(1)
        assert not re.search(r"\d", cell.replace("10", "")), cell  # only "fewer than 10"
        assert f"{value:.1f}" not in cell and f"n = {n}" not in card.group(1)
        # no published measure of a suppressed agency anywhere in its report
        measures = pd.read_parquet(built / f"data/processed/{year}/indicators/measures.parquet")
        mine = measures[(measures["agency_code"] == row.agency_code)]
        staff_mine = mine[mine["group"] != "driver"]
        assert staff_mine["value"].isna().all()
        assert staff_mine["respondents"].isna().all()


def test_a_hostile_agency_name_comes_out_escaped(built, hostile_code):
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    for page in [*_agency_pages(built, 2565).values(), built / "reports/index.html"]:
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, page.name
    own = (built / f"reports/2565/{hostile_code}.html").read_text(encoding="utf-8")
    assert escaped in own
    assert escaped in (built / "reports/index.html").read_text(encoding="utf-8")
    assert HOSTILE_NAME.startswith("<script>")


def test_executed_report_notebooks_hold_aggregates_only(built):
    folder = built / "data/processed/2565/notebooks/10_agency_report"
    executed = sorted(folder.glob("*.ipynb"))
    assert executed and not list(folder.glob("*.failed.ipynb"))
    ids = set(cleaning.read_clean(2565, "staff_survey", built)["response_id"].dropna())
    ids |= set(cleaning.read_clean(2565, "citizen_survey", built)["response_id"].dropna())
    assert ids
    for path in executed:
        nb = nbformat.read(str(path), as_version=4)
        sources = "\n".join(c.source for c in nb.cells)
        assert "read_clean" not in sources and "clean/" not in sources
        outputs = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
        found = [i for i in ids if i in outputs]
        assert not found, (path.name, found[:3])
