"""Break a confidentiality protection of the real reports and ``workbook audit`` must catch it.

Each test copies the processed demo year (``processed``: six agencies, two with fewer than 10
staff respondents), writes report pages from the real report code (``helpers.reports.agency`` and
``helpers.reports.overview`` fragments in the report page; the notebook-driven tests at the end
execute
the report notebooks' cells in-process, charts and all), checks that the audit passes, then
breaks one protection and checks that the audit fails for the right reason.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from helpers.audit import confidentiality
from helpers.build.executors import LocalExecutor
from helpers.core import config
from helpers.indicators import kpi
from helpers.reports import formatting, htmlexport, overview, site_index
from helpers.reports.agency import AgencyReport
from helpers.reports.tables import YearData, agency_title, overview_title, report_agencies
from tests.conftest import build_processed

YEAR = 2565
VALID_ID = "1-1017-00230-73-2"


@pytest.fixture
def copy(processed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(processed, root)
    monkeypatch.setenv("HRD_WORKBOOK_ROOT", str(root))
    config.clear_cache()
    yield root
    config.clear_cache()


def _small_and_large(root: Path) -> tuple[str, str]:
    table = pd.read_parquet(root / f"data/processed/{YEAR}/indicators/indicators.parquet")
    small = sorted(table.loc[table["status"] == "suppressed", "agency_code"].unique())[0]
    return small, YearData.load(YEAR, root).largest_agency()


def agency_page(root: Path, agency: str) -> str:
    """An agency's report page from the real report code, without the charts."""
    r = AgencyReport(YEAR, agency, root)
    body = "".join(
        [
            r.header_html(),
            r.verdict_html(),
            r.scorecard_html(),
            f"<p>{r.indicator_sentence('A5')}</p>",
            r.strengths_challenges_html(),
            r.drivers_html(),
            r.suppressed_measures_note(("construct", "persona")),
            r.indicators_html(("A3", "A4", "A6")),
            f"<p>{r.indicator_sentence('A7')}</p>",
            f"<p>{r.funnel_sentence('A5')}</p>",
            r.methods_html(),
        ]
    )
    return htmlexport.page(agency_title(YEAR, agency, root), body)


def overview_page(root: Path) -> str:
    o = overview.OverviewReport(YEAR, root)
    body = "".join(
        [
            o.header_html(),
            o.ocsc_scorecard_html(),
            o.targets_html(),
            o.returns_html(),
            o.ministries_html(),
            f"<p>{o.funnel_outliers_html('A5')}</p>",
            o.models_html(),
            o.ocsc_trend_html(),
        ]
    )
    return htmlexport.page(overview_title(YEAR), body)


def publish(root: Path, agencies: list[str] | None = None) -> None:
    """Write the pages of ``agencies`` (default: all), the overview and the index."""
    folder = root / f"reports/{YEAR}"
    folder.mkdir(parents=True, exist_ok=True)
    for agency in agencies or report_agencies(YEAR, root):
        (folder / f"{agency}.html").write_text(agency_page(root, agency), encoding="utf-8")
    (folder / "overview.html").write_text(overview_page(root), encoding="utf-8")
    site_index.write_index(root)


def checks(root: Path) -> dict[str, list[confidentiality.Finding]]:
    out: dict[str, list[confidentiality.Finding]] = {}
    for finding in confidentiality.audit(root=root).findings:
        out.setdefault(finding.check, []).append(finding)
    return out


def test_the_real_pages_pass(copy):
    publish(copy)
    result = confidentiality.audit(root=copy)
    assert result.ok, confidentiality.format_result(result)
    assert len(result.files) == len(report_agencies(YEAR, copy)) + 2


def test_a_report_threshold_of_0_is_caught(copy, monkeypatch):
    small, _ = _small_and_large(copy)
    monkeypatch.setattr(kpi, "reporting_threshold", lambda value=None, root=None: 0)
    publish(copy, [small])
    found = checks(copy)
    assert set(found) == {"small-n"}
    mine = [f for f in found["small-n"] if f.file == f"reports/{YEAR}/{small}.html"]
    details = " | ".join(f.detail for f in mine)
    assert "threshold of 0" in details  # "fewer than 0 respondents"
    assert "fewer than 10 respondents" in details  # the header's "7 คน"
    assert "staff survey number" in details  # the header layout, recounted
    assert f"{YEAR}/staff/respondents {small}" in details  # its marker, recounted


def test_the_audit_side_by_side_finds_what_one_process_finds(copy, monkeypatch):
    """Several processes (a report's files in one) give the same findings, in the same
    order, and the same notes, as one process does."""
    small, large = _small_and_large(copy)
    publish(copy)
    monkeypatch.setattr(kpi, "reporting_threshold", lambda value=None, root=None: 0)
    publish(copy, [small])
    publish_notebook(copy, small)
    publish_notebook(copy, large)
    one = confidentiality.audit(root=copy)
    assert "small-n" in one.counts()
    assert f"data/processed/{YEAR}/notebooks/10_agency_report/{small}.ipynb" in {
        f.file for f in one.findings
    }
    parts = confidentiality._parts(confidentiality.published_outputs(copy), 2)
    assert len(parts) > 1
    part_of: dict[tuple[str | None, str], set[int]] = {}
    for p, part in enumerate(parts):
        for _, out in part:
            part_of.setdefault((out.agency, out.kind), set()).add(p)
    assert all(len(found) == 1 for found in part_of.values())  # a page with its notebook
    pool = LocalExecutor(2, preload=["helpers.audit.confidentiality"])
    try:
        side_by_side = confidentiality.audit(root=copy, pool=pool)
    finally:
        pool.close()
    assert side_by_side.findings == one.findings
    assert side_by_side.notes == one.notes


def test_indicators_built_without_suppression_are_caught(copy, monkeypatch):
    """Stage 04 run with a threshold of 0: the small agency's values reach the tables."""
    small, _ = _small_and_large(copy)
    with monkeypatch.context() as patch:
        patch.setattr(kpi, "reporting_threshold", lambda value=None, root=None: 0)
        build_processed(copy)
    config.clear_cache()
    table = pd.read_parquet(copy / f"data/processed/{YEAR}/indicators/indicators.parquet")
    assert not (table["status"] == "suppressed").any()  # the protection is really broken
    publish(copy)
    found = checks(copy)
    page = [f for f in found["small-n"] if f.file == f"reports/{YEAR}/{small}.html"]
    details = " | ".join(f.detail for f in page)
    assert "A5 result shows a number" in details  # the scorecard layout, no marker needed
    assert f"{YEAR}/staff/A5 {small}" in details  # the value's marker
    # the overview and the other agencies' funnel sentences rest on it too
    assert any(f.file == f"reports/{YEAR}/overview.html" for f in found["small-n"])


def test_a_total_that_gives_a_small_agency_by_subtraction_is_caught(copy, monkeypatch):
    # With a threshold of 9 the agency with 9 staff is published and the one with 7 is not;
    # a government total of every staff respondent then gives the 7 by subtraction.
    path = copy / "config/pipeline.yaml"
    path.write_text(path.read_text().replace("min_respondents: 10", "min_respondents: 9"))
    config.clear_cache()
    original = overview.OverviewReport.header_html

    def everyone(self):  # the bug: all respondents, not those of the published agencies
        html = original(self)
        rows = self.agency_rows
        published = int(
            rows[(rows["indicator"] == "A5") & rows["value"].notna()]["respondents"].sum()
        )
        total = int(self.data.weighting("staff_weighting")["respondents"].sum())
        return html.replace(f"{published:,} คน", f"{total:,} คน")

    publish(copy)
    assert "subtraction" not in checks(copy)
    monkeypatch.setattr(overview.OverviewReport, "header_html", everyone)
    publish(copy)
    found = checks(copy)
    assert [f.file for f in found["subtraction"]] == [f"reports/{YEAR}/overview.html"]
    assert "gov" in found["subtraction"][0].detail


def _rename(root: Path, agency: str, **names: str) -> None:
    path = root / "data/raw/reference/agencies.csv"
    registry = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column, value in names.items():
        registry.loc[registry["agency_code"] == agency, column] = value
    registry.to_csv(path, index=False)
    config.clear_cache()


def test_a_comment_an_id_and_a_response_id_in_names_are_caught(copy):
    _, large = _small_and_large(copy)
    staff = pd.read_parquet(copy / f"data/processed/{YEAR}/clean/staff_survey.parquet")
    comment = staff["comment"].dropna().astype(str).map(str.strip)
    comment = comment[comment.str.len() >= 12].iloc[0]
    response_id = str(staff["response_id"].iloc[0])
    _rename(
        copy,
        large,
        name_th=f"กรม {comment}",
        name_en=f"Department (ID {VALID_ID})",
        ministry_en=f"Ministry {response_id}",
    )
    publish(copy, [large])
    found = checks(copy)
    assert set(found) == {"free-text", "identifier", "respondent-row"}
    files = {f.file for v in found.values() for f in v}
    page, index = f"reports/{YEAR}/{large}.html", "reports/index.html"
    assert {page, index} <= files <= {page, index, f"reports/{YEAR}/overview.html"}
    lines = "\n".join(f.line() for v in found.values() for f in v)
    assert comment not in lines and VALID_ID not in lines and response_id not in lines


# ----------------------------------------------------------------------------- notebooks


def execute(
    root: Path, notebook: str, params: dict, extra: str | None = None
) -> nbformat.NotebookNode:
    """Run a report notebook's cells in-process as papermill would (show and printed
    output become the cells' outputs); ``extra`` is code appended as a last cell."""
    nb = nbformat.read(str(root / "notebooks" / notebook), as_version=4)
    if extra:
        nb.cells.append(nbformat.v4.new_code_cell(extra))
    shown: list[str] = []
    namespace: dict = {}
    original = formatting.show
    formatting.show = shown.append
    try:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(cell.source, notebook, "exec"), namespace)
            if "parameters" in cell.metadata.get("tags", []):
                namespace.update(params)
            outputs = [
                nbformat.v4.new_output("display_data", data={"text/html": fragment})
                for fragment in shown
            ]
            if printed.getvalue():
                outputs.append(nbformat.v4.new_output("stream", text=printed.getvalue()))
            cell.outputs = outputs
            shown.clear()
    finally:
        formatting.show = original
    return nb


def publish_notebook(root: Path, agency: str | None, extra: str | None = None) -> None:
    processed = root / f"data/processed/{YEAR}/notebooks"
    if agency is None:
        nb = execute(root, "11_overview_report.ipynb", {"year": YEAR}, extra)
        executed, page = (
            processed / "11_overview_report.ipynb",
            root / f"reports/{YEAR}/overview.html",
        )
        title = overview_title(YEAR)
    else:
        nb = execute(root, "10_agency_report.ipynb", {"year": YEAR, "agency": agency}, extra)
        executed = processed / f"10_agency_report/{agency}.ipynb"
        page, title = (
            root / f"reports/{YEAR}/{agency}.html",
            agency_title(YEAR, agency, root),
        )
    executed.parent.mkdir(parents=True, exist_ok=True)
    page.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(executed))
    page.write_text(htmlexport.notebook_to_html(nb, title), encoding="utf-8")


@pytest.mark.slow
def test_executed_report_notebooks_pass_and_a_threshold_of_0_is_caught(copy, monkeypatch):
    small, large = _small_and_large(copy)
    for agency in (large, small, None):
        publish_notebook(copy, agency)
    result = confidentiality.audit(root=copy)
    assert result.ok, confidentiality.format_result(result)
    assert len(result.files) == 6  # three pages, three executed notebooks
    page = (copy / f"reports/{YEAR}/{large}.html").read_text(encoding="utf-8")
    assert page.count("<svg ") >= 8 and page.count("data-sources=") > 20
    monkeypatch.setattr(kpi, "reporting_threshold", lambda value=None, root=None: 0)
    publish_notebook(copy, small)
    found = checks(copy)
    files = {f.file for f in found["small-n"]}
    assert files == {
        f"reports/{YEAR}/{small}.html",
        f"data/processed/{YEAR}/notebooks/10_agency_report/{small}.ipynb",
    }


@pytest.mark.slow
def test_respondent_rows_printed_in_a_report_notebook_are_caught(copy):
    _, large = _small_and_large(copy)
    debug = (
        "import pandas as pd\n"
        "from helpers.core import paths\n"
        "staff = pd.read_parquet(paths.processed_dir(year, 'clean') / 'staff_survey.parquet')\n"
        "print(staff.loc[staff['comment'].notna(), ['response_id', 'agency', 'comment']].head())"
    )
    publish_notebook(copy, large, extra=debug)
    found = checks(copy)
    assert set(found) == {"respondent-row", "free-text"}
    assert {f.file for f in found["respondent-row"]} == {
        f"data/processed/{YEAR}/notebooks/10_agency_report/{large}.ipynb"
    }
