"""The government-wide overview's figures, on one processed demo year: what it counts, its
tables as cards on a phone, its Thai (and English) wording, the provisional targets, and its
links to the other reports."""

from __future__ import annotations

import re
import shutil
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from helpers.core import config
from helpers.indicators import kpi
from helpers.reports import overview
from helpers.reports.formatting import placeholder_notice
from tests.conftest import REPO

THAI = re.compile(r"[\u0e01-\u0e5b]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _fragments(o: overview.OverviewReport) -> dict[str, str]:
    """Every HTML fragment the overview notebook shows (charts aside)."""
    return {
        "header": o.header_html(),
        "scorecard": o.ocsc_scorecard_html(),
        "targets": o.targets_html(),
        "returns": o.returns_html(),
        "ministries": o.ministries_html(),
        "funnel A5": o.funnel_html("A5"),
        "funnel A7": o.funnel_html("A7"),
        "models": o.models_html(),
        "ocsc trend": o.ocsc_trend_html(),
        "methods": o.methods_html(),
        "agency reports": o.agency_reports_html(),
    }


def _copy(processed: Path, target: Path) -> Path:
    root = target / "project"
    shutil.copytree(processed, root)
    config.clear_cache()
    return root


@pytest.fixture(scope="module")
def confirmed(processed, tmp_path_factory):
    """The processed demo year with ``targets_are_placeholders: false``."""
    root = _copy(processed, tmp_path_factory.mktemp("confirmed"))
    path = root / "config/targets.yaml"
    text = path.read_text(encoding="utf-8")
    assert "targets_are_placeholders: true" in text
    path.write_text(
        text.replace("targets_are_placeholders: true", "targets_are_placeholders: false"),
        encoding="utf-8",
    )
    config.clear_cache()
    yield root
    config.clear_cache()


@pytest.fixture(scope="module")
def modelled(processed, tmp_path_factory):
    """The processed demo year with model tables as stages 03-05 write them."""
    from helpers.stats import models

    root = _copy(processed, tmp_path_factory.mktemp("modelled"))
    out = root / "data/processed/2565/models"
    out.mkdir(parents=True, exist_ok=True)
    terms = ["eco_score", "skl_score", "mnd_score", "idp_carried"]
    pd.DataFrame(
        {
            "term": [*terms, "1|2"],
            "estimate": [0.83, 0.39, 0.35, 0.47, 2.3],
            "ci_low": [0.78, 0.34, 0.28, 0.40, 1.9],
            "ci_high": [0.87, 0.43, 0.42, 0.54, 2.6],
            "p_value": [0.001] * 5,
            "kind": ["coefficient"] * 4 + ["cutpoint"],
        }
    ).to_parquet(out / "staff_ordinal.parquet")
    pd.DataFrame({"term": terms, "share_pratt": [0.59, 0.20, 0.16, 0.05]}).to_parquet(
        out / "staff_importance.parquet"
    )
    pd.DataFrame(
        {
            "term": ["drv_reliability", "drv_responsiveness", "drv_openness"],
            "estimate": [0.109, 0.068, 0.044],
            "ci_low": [0.097, 0.056, 0.030],
            "ci_high": [0.121, 0.079, 0.058],
        }
    ).to_parquet(out / "citizen_trust_ame.parquet")
    pd.DataFrame(
        {
            "term": ["Intercept", "A3", "A5"],
            "estimate": [41.6, 0.28, -0.10],
            "ci_low": [21.6, 0.10, -0.40],
            "ci_high": [61.6, 0.46, 0.19],
            "p_value": [0.0002, 0.003, 0.48],
            "years": ["2563, 2564, 2565"] * 3,
            "limitations": [models._limitations(115, 39, 3, "agency_code")] * 3,
        }
    ).to_parquet(out / "trust_link_panel.parquet")
    yield root
    config.clear_cache()


class _Tables(HTMLParser):
    """Every table: its classes, and per body cell whether it starts with a cell label."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._open: list[dict] = []
        self._body = False
        self._waiting = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if self._waiting:
            self._open[-1]["labelled"].append(tag == "span" and "cell-label" in classes)
            self._waiting = False
        if tag == "table":
            self._open.append({"classes": classes, "labelled": []})
        elif tag == "tbody":
            self._body = True
        elif tag in ("td", "th") and self._body and self._open:
            self._waiting = True

    def handle_data(self, data):
        if self._waiting and data.strip():
            self._open[-1]["labelled"].append(False)
            self._waiting = False

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._waiting:
            self._open[-1]["labelled"].append(False)
            self._waiting = False
        if tag == "tbody":
            self._body = False
        if tag == "table" and self._open:
            self.tables.append(self._open.pop())


def _tables(html: str) -> list[dict]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _blocks(html: str, tag: str) -> list[str]:
    """The text of every ``<tag>`` element (not nested in itself), markup removed."""
    found = re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", html, flags=re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in found]


# ----------------------------------------------------------------------------- figures


def test_status_counts_add_up_to_the_agencies(processed):
    o = overview.OverviewReport(2565, processed)
    counts = o.targets_table()
    agencies = o.agency_rows["agency_code"].nunique()
    assert list(counts.index) == list(kpi.AGENCY_INDICATORS)
    assert (counts.sum(axis=1) == agencies).all()
    html = o.targets_html()
    assert html.count("<tr data-indicator=") == 7
    for code, row in counts.iterrows():
        for status in overview.STATUS_ORDER:
            assert re.search(
                rf'<tr data-indicator="{code}">.*?data-status="{status}">.*?'
                rf'<span class="cell-value">{row[status]}</span>',
                html,
            )


def test_distribution_holds_published_values_only(processed):
    o = overview.OverviewReport(2565, processed)
    frame, targets = o.distribution(("A5", "A7"))
    published = o.agency_rows[
        o.agency_rows["indicator"].isin(["A5", "A7"]) & o.agency_rows["value"].notna()
    ]
    assert len(frame) == len(published)
    assert sorted(frame["value"]) == sorted(published["value"])
    assert set(targets) <= set(frame["label"])


def test_published_respondent_totals_leave_out_suppressed_agencies(processed):
    o = overview.OverviewReport(2565, processed)
    a5 = o.agency_rows[(o.agency_rows["indicator"] == "A5") & o.agency_rows["value"].notna()]
    assert f"{int(a5['respondents'].sum()):,} คน" in o.header_html()


def test_ministries_summarise_published_values(processed):
    o = overview.OverviewReport(2565, processed)
    frame = o.ministries()
    assert frame["agencies"].sum() == o.agency_rows["agency_code"].nunique()
    assert (frame["met"] <= frame["assessed"]).all()


def test_models_missing_are_said_plainly(processed):
    o = overview.OverviewReport(2565, processed)
    html = o.models_html()
    assert "not estimated" in html and "ยังไม่ได้ประมาณแบบจำลองนี้" in html
    assert "ยังไม่มีผลของแบบจำลองความพึงพอใจ" in html
    assert o.staff_drivers().empty and o.trust_drivers().empty
    for alt in (o.staff_drivers_alt(), o.trust_drivers_alt()):
        assert all(part.strip() for part in alt)


def test_trend_is_the_median_agency_value_per_year(processed):
    o = overview.OverviewReport(2565, processed)
    trend = o.trend(("A5",))
    a5 = o.agency_rows[o.agency_rows["indicator"] == "A5"]["value"].median()
    assert trend["value"].iloc[0] == a5 and isinstance(trend, pd.DataFrame)
    assert "O1" in o.ocsc_scorecard_html() and o.ocsc_scorecard_html().count("<tr data-") == 3


def test_figures_carry_markers_of_published_agencies_only(processed):
    from helpers.audit import confidentiality
    from helpers.reports import charts

    o = overview.OverviewReport(2565, processed)
    header = o.header_html()
    truth = confidentiality.Truth(processed, 10)
    facts = re.findall(r'<dd data-sources="([^"]*)">[^<]*<span[^>]*>\(ผู้ตอบ ([\d,]+) คน', header)
    assert len(facts) == 2  # staff and citizen respondents
    for value, shown in facts:
        tokens = confidentiality.parse_sources(value)[0]
        assert sum(t.n for t in tokens) == int(shown.replace(",", ""))
        assert all(t.n == truth.count(t.year, t.survey, t.measure, t.scope) >= 10 for t in tokens)
    frames = [o.distribution(("A3", "A5", "A6", "A7"))[0], o.trend(("A5",)), o.funnel("A7")[0]]
    for frame in frames:
        assert frame[charts.SOURCES].str.len().gt(0).all()
    hidden = o.agency_rows[o.agency_rows["status"] == "suppressed"]
    html = o.ministries_html() + o.funnel_html("A5") + o.funnel_html("A7")
    html += "".join(frames[0][charts.SOURCES])
    marked = {
        (t.scope, t.measure)
        for value in re.findall(r'data-sources="([^"]*)"', html) + list(frames[0][charts.SOURCES])
        for t in confidentiality.parse_sources(value)[0]
    }
    assert len(hidden) and marked
    assert not marked & set(zip(hidden["agency_code"], hidden["indicator"], strict=True))


def test_funnel_outliers_are_named_linked_and_marked(processed):
    o = overview.OverviewReport(2565, processed)
    for code in ("A5", "A7"):
        out = o.funnel_outliers(code)
        assert set(out["position"]) <= {"above 99.8%", "below 99.8%"}
        html = o.funnel_html(code)
        th, en = o.funnel_summary(code)
        assert escape(th) in html and escape(en) in html
        above = int((out["position"] == "above 99.8%").sum())
        below = len(out) - above
        if len(out):
            assert f"{above} หน่วยงานสูงกว่าขอบเขตควบคุม 99.8% และ {below} หน่วยงานต่ำกว่า" in th
            assert f"{above} above the 99.8% control limit, {below} below it" in en
        else:
            assert "ไม่มีหน่วยงานใดอยู่นอกขอบเขตควบคุม 99.8%" in th
        for agency in out["agency_code"]:
            assert f'href="{agency}.html"' in html
        values = re.findall(r'<td class="num"( data-sources="[^"]+")?>', html)
        assert len(values) == len(out) and all(values)


# ----------------------------------------------------------------------------- phones


def test_every_table_is_a_stack_table_with_a_label_in_every_cell(processed):
    o = overview.OverviewReport(2565, processed)
    found = 0
    for name, html in _fragments(o).items():
        for table in _tables(html):
            found += 1
            assert "stack" in table["classes"], name
            assert table["labelled"] and all(table["labelled"]), name
    assert found >= 6  # scorecard, status counts, returns, ministries, outliers, O1-O3


# ----------------------------------------------------------------------------- Thai first


def test_no_english_only_paragraph_or_item(processed, modelled):
    for root in (processed, modelled):
        o = overview.OverviewReport(2565, root)
        for name, html in _fragments(o).items():
            for tag in ("p", "li", "caption", "h3", "dt"):
                for text in _blocks(html, tag):
                    if LATIN_WORD.search(text):
                        assert THAI.search(text), f"{name}: English only: {text[:80]!r}"


def test_english_follows_the_thai_in_its_own_span(processed):
    o = overview.OverviewReport(2565, processed)
    for name, html in _fragments(o).items():
        for paragraph in re.findall(r"<p\b[^>]*>(.*?)</p>", html, flags=re.DOTALL):
            if LATIN_WORD.search(re.sub(r"<[^>]+>", "", paragraph)):
                assert '<span class="en" lang="en">' in paragraph, (name, paragraph[:80])


def test_the_notebook_headings_are_thai_with_their_english_below():
    text = (REPO / "notebooks/11_overview_report.py").read_text(encoding="utf-8")
    markdown = "\n".join(
        line[2:] for line in text.splitlines() if line.startswith("# ") or line == "#"
    )
    headings = re.findall(r"<(h[23])\b[^>]*>(.*?)</\1>", markdown, flags=re.DOTALL)
    assert len(headings) >= 10
    for _, inner in headings:
        thai, _, rest = inner.partition('<span class="en" lang="en">')
        assert rest, inner
        assert THAI.search(thai) and not LATIN_WORD.search(thai), inner
    # every chart's text alternative is a (Thai, English) pair from helpers.reports.overview
    calls = re.findall(r"\balt=([^\n]+)", text)
    assert len(calls) == 4 and all(re.fullmatch(r"o\.\w+_alt\(\w*\),", c) for c in calls)
    assert "funnel_figure(points, limits, centre, code, o.funnel_alt(code))" in text


def test_chart_alts_are_thai_and_english_with_the_values_that_matter(processed, modelled):
    o = overview.OverviewReport(2565, processed)
    th, en = o.distribution_alt(("A5", "A7"))
    rows = o.agency_rows[(o.agency_rows["indicator"] == "A7") & o.agency_rows["value"].notna()]
    high = rows.loc[rows["value"].idxmax()]
    assert o._name(high["agency_code"]) in th and o._name_en(high["agency_code"]) in en
    assert f"ร้อยละ {high['value']:.1f}" in th and f"{high['value']:.1f}%" in en
    assert f"{rows['value'].median():.1f}" in th
    m = overview.OverviewReport(2565, modelled)
    staff_th, staff_en = m.staff_drivers_alt()
    assert "ระบบนิเวศการเรียนรู้ 0.83" in staff_th and "Learning ecosystem" in staff_en
    trust_th, trust_en = m.trust_drivers_alt()
    assert "ความน่าเชื่อถือของบริการ 10.9" in trust_th and "strongest driver is Reliability" in (
        trust_en
    )
    alts = [
        o.distribution_alt(("A3", "A5", "A6", "A7")),
        o.trend_alt(("A3", "A5", "A6", "A7")),
        o.funnel_alt("A5"),
        o.funnel_alt("A7"),
        m.staff_drivers_alt(),
        m.trust_drivers_alt(),
    ]
    for th, en in alts:
        # the Thai one is the SVG's <title>, which cannot mark an English run as English
        assert THAI.search(th) and not LATIN_WORD.search(th), th
        assert LATIN_WORD.search(en) and not THAI.search(en.split("(")[0]), en


def test_the_models_are_explained_in_thai_with_their_caveats(modelled):
    o = overview.OverviewReport(2565, modelled)
    html = o.models_html()
    assert "แบบจำลองถดถอยโลจิสติกแบบอันดับ" in html
    assert "ระบบนิเวศการเรียนรู้ ร้อยละ 59" in html
    assert "ความน่าเชื่อถือของบริการ" in html and "10.9 จุดร้อยละ" in html
    assert "ช่วงความเชื่อมั่น 95%: +1.0 ถึง +4.6" in html and "ซึ่งมีนัยสำคัญทางสถิติ" in html
    assert "ซึ่งไม่มีนัยสำคัญทางสถิติ" in html  # A5
    assert "ข้อจำกัด: เป็นข้อมูลเชิงสังเกตจาก 39 หน่วยงาน ใน 3 ปี (รวม 115 หน่วยงาน-ปี)" in html
    assert "องศาอิสระ 38" in html
    assert "ข้อควรระวัง" in html and "Caveat" in html
    assert "ขีดจำกัด" not in html and "ขีดจำกัด" not in o.funnel_html("A5")


# ----------------------------------------------------------------------------- targets


def test_provisional_targets_are_compared_neutrally(processed):
    o = overview.OverviewReport(2565, processed)
    assert kpi.targets_are_placeholders(processed)
    targets = o.targets_html()
    assert targets.startswith('<div class="notice" role="note" id="placeholder-targets">')
    page = "".join(_fragments(o).values())
    notice = placeholder_notice(processed)
    assert notice and page.count(notice) == 1
    page = page.replace(notice, "")  # which says that nothing is judged met or not met
    assert "ไม่บรรลุ" not in page and "บรรลุเป้าหมาย" not in page
    assert "status-met" not in page and "status-not_met" not in page
    assert "ถึงค่าเป้าหมายชั่วคราว" in targets and "ยังไม่ถึงค่าเป้าหมายชั่วคราว" in targets
    assert "เป้าหมายชั่วคราว" in o.ocsc_scorecard_html()


def test_confirmed_targets_are_met_or_not_met(confirmed):
    o = overview.OverviewReport(2565, confirmed)
    assert not kpi.targets_are_placeholders(confirmed)
    targets = o.targets_html()
    assert "placeholder-targets" not in targets and "ชั่วคราว" not in targets
    assert "บรรลุ" in targets and "ไม่บรรลุ" in targets
    scorecard = o.ocsc_scorecard_html()
    for code, row in o.ocsc_rows.iterrows():
        if row["status"] in ("met", "not_met"):
            assert f"status-{row['status']}" in scorecard, code
    assert "ชั่วคราว" not in o.ministries_html() + scorecard


# ----------------------------------------------------------------------------- links


def test_every_agency_report_of_the_year_is_linked(processed):
    o = overview.OverviewReport(2565, processed)
    listing = o.agency_reports_html()
    hrefs = re.findall(r'href="([^"]+)"', listing)
    assert hrefs == [f"{code}.html" for code in o.data.agencies]
    assert len(o.data.agencies) == o.agency_rows["agency_code"].nunique()
    assert 'class="agency-reports no-print"' in listing
    # agency names in the tables link too, never to an agency without a report
    named = set(re.findall(r'href="(\d+)\.html"', o.targets_html() + o.funnel_html("A5")))
    assert named and named <= set(o.data.agencies)


def test_the_nav_links_the_index_and_the_other_processed_years(processed):
    o = overview.OverviewReport(2565, processed)
    header = o.header_html()
    nav = re.search(r'<nav class="report-nav" aria-label="[^"]+">.*?</nav>', header).group()
    assert header.index(nav) > header.index("<header")
    assert header.index(nav) < header.index("</header>")
    assert 'href="../index.html"' in nav and "/overview.html" not in nav  # only 2565 processed
    history = o.data.history
    o.data.__dict__["history"] = pd.concat([history.assign(fiscal_year=2563), history])
    assert o.other_years() == [2563]
    nav = o.nav_html()
    assert 'href="../2563/overview.html"' in nav
    assert "../2565/" not in nav and "../2564/" not in nav
