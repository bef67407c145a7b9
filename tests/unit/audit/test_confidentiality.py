"""``workbook audit`` on small synthetic projects: respondent rows written straight to
``data/processed/2565/clean/``, hand-made pages, notebooks and tables in the published places.
A clean set passes; each kind of leak is found, and the finding does not repeat it."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from helpers.audit import confidentiality
from helpers.core import config
from helpers.indicators import kpi
from helpers.reports.htmlexport import sources

YEAR = 2565
# ministry 03000: 03002 (40 staff), 03003 (7 staff: below the threshold), 03004 (25 staff, 3 of
# whom skipped the satisfaction items); ministry 01000: 01001 (30 staff)
STAFF = {"03002": 40, "03003": 7, "03004": 25, "01001": 30}
CITIZENS = {"03002": 20, "03003": 3}
PUBLISHED_STAFF = 40 + 25 + 30  # the government total of the published agencies
COMMENT = "อยากให้มีหลักสูตรออนไลน์ที่เรียนได้ทุกเวลา และให้หัวหน้าสนับสนุนมากขึ้น"
SHORT_COMMENT = "ดีมาก"
NATIONAL_ID = "1-1017-00230-73-2"  # a valid check digit
BAD_ID = "1-1017-00230-73-9"
PHONE = "081-234-5678"
EMAIL = "somchai.j@example.go.th"


def _staff() -> pd.DataFrame:
    book = config.codebook("staff_survey")
    rows = []
    i = 0
    for agency, n in STAFF.items():
        for j in range(n):
            i += 1
            row = {c.name: 4 for c in book.items()}
            row.update(
                response_id=f"S{YEAR}-{i:06d}",
                agency=agency,
                idp_made=1,
                idp_carried_out=1,
                innovative_work=j % 2,
                comment=COMMENT if i == 5 else SHORT_COMMENT if i == 6 else None,
                fiscal_year=YEAR,
                source_file="2565/staff_survey.csv",
                source_row=i + 1,
            )
            if agency == "03004" and j < 3:
                for c in book.items("satisfaction"):
                    row[c.name] = None
            rows.append(row)
    frame = pd.DataFrame(rows)
    for c in book.items():
        frame[c.name] = frame[c.name].astype("Int8")
    return frame


def _citizens() -> pd.DataFrame:
    book = config.codebook("citizen_survey")
    rows = []
    i = 0
    for agency, n in CITIZENS.items():
        for _ in range(n):
            i += 1
            row = {c.name: 7 for c in book.columns if c.type == "score"}
            row.update(
                response_id=f"C{YEAR}-{i:06d}",
                agency=agency,
                satisfaction=4,
                comment=None,
                fiscal_year=YEAR,
            )
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture
def tiny(project: Path) -> Path:
    clean = project / f"data/processed/{YEAR}/clean"
    clean.mkdir(parents=True)
    _staff().to_parquet(clean / "staff_survey.parquet")
    _citizens().to_parquet(clean / "citizen_survey.parquet")
    (project / f"reports/{YEAR}").mkdir(parents=True)
    return project


def _html(body: str) -> str:
    head = '<head><meta charset="utf-8"><title>t</title></head>'
    return f'<!DOCTYPE html><html lang="th">{head}<body>{body}</body></html>'


def _write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _agency_page(agency: str, body: str) -> str:
    return _html(f'<header class="report-header" data-agency="{agency}" data-year="{YEAR}">{body}')


def _notebook(root: Path, agency: str, outputs: list, source: str = "report.show(x)") -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = outputs
    nb.cells = [nbformat.v4.new_markdown_cell("<h2>Scorecard</h2>"), cell]
    path = root / f"data/processed/{YEAR}/notebooks/10_agency_report/{agency}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def _html_output(fragment: str):
    return nbformat.v4.new_output("display_data", data={"text/html": fragment})


def _findings(root: Path, check: str | None = None) -> list[confidentiality.Finding]:
    result = confidentiality.audit(root=root)
    return [f for f in result.findings if check is None or f.check == check]


# A chart with markers, and with digit runs in its geometry that must not be read as identifiers.
SVG = (
    '<figure class="chart"><svg role="img" aria-label="Trend of A5" '
    f'data-sources="{sources(YEAR, "staff", "A5", {"03002": 40})}" width="10" height="10">'
    "<title>Trend of A5</title><style>*{stroke:#1101700230732}</style>"
    '<g id="c1101700230732-x"><path d="M 1 1101700230732 L 0812345678 2" '
    'clip-path="url(#c1101700230732)"/></g><text x="1" y="2">ดัชนี / Index</text></svg>'
    "</figure>"
)


def _clean_pages(root: Path) -> None:
    a5 = sources(YEAR, "staff", "A5", {"03002": 40})
    staff = sources(YEAR, "staff", "respondents", {"03002": 40})
    _write(
        root,
        f"reports/{YEAR}/03002.html",
        _agency_page(
            "03002",
            f'<div class="facts"><div>ผู้ตอบแบบสำรวจบุคลากร / Staff survey<b data-sources="{staff}">'
            "40 คน / respondents</b></div></div></header>"
            '<table class="scorecard"><thead><tr><th>Indicator</th><th>Result</th></tr></thead>'
            f'<tbody><tr data-indicator="A5" data-status="met"><td>A5</td><td class="num value" '
            f'data-sources="{a5}"><b>64.7</b><br><span class="n note" data-n="40">n = 40</span>'
            "</td></tr></tbody></table>"
            "<p>ไม่เผยแพร่ (ผู้ตอบน้อยกว่า 10 คน) / fewer than 10 respondents.</p>" + SVG,
        ),
    )
    _write(
        root,
        f"reports/{YEAR}/03003.html",
        _agency_page(
            "03003",
            '<div class="facts"><div>ผู้ตอบแบบสำรวจบุคลากร / Staff survey<b>น้อยกว่า 10 คน '
            "(ไม่เผยแพร่ผล) / fewer than 10 (not reported)</b></div></div></header>"
            '<table class="scorecard"><tr data-indicator="A5" data-status="suppressed"><td>A5'
            '</td><td class="num value">ไม่เผยแพร่ / Suppressed<br>ผู้ตอบน้อยกว่า 10 คน</td>'
            "</tr></table>",
        ),
    )
    published = sources(YEAR, "staff", "A5", {"03002": 40, "03004": 22, "01001": 30})
    _write(
        root,
        f"reports/{YEAR}/overview.html",
        _html(
            f'<header class="report-header" data-year="{YEAR}"><div class="facts"><div>Agencies '
            f'with staff results<b data-sources="{published}">3 (92 คน / respondents)</b></div>'
            "</div></header><p>A4 total 286 (40 หน่วยงาน / agencies)</p>"
        ),
    )
    _write(root, "reports/index.html", _html("<table><tr><th>Year</th></tr></table>"))
    _write(
        root,
        f"reports/{YEAR}/indicators.csv",
        "agency_code,indicator,value,n\n03002,A5,64.7,40\n",
    )
    page = (root / f"reports/{YEAR}/03002.html").read_text(encoding="utf-8")
    _notebook(root, "03002", [_html_output(page.split("<body>")[1])])


def test_clean_outputs_pass(tiny):
    _clean_pages(tiny)
    result = confidentiality.audit(root=tiny)
    assert result.ok, confidentiality.format_result(result)
    assert len(result.files) == 6 and result.years == [YEAR] and result.threshold == 10
    assert "no findings" in confidentiality.format_result(result)


def test_the_threshold_is_read_from_the_configuration_not_from_the_report_code(tiny, monkeypatch):
    monkeypatch.setattr(kpi, "reporting_threshold", lambda value=None, root=None: 0)
    staff = sources(YEAR, "staff", "respondents", {"03003": 7})
    _write(
        tiny,
        f"reports/{YEAR}/03003.html",
        _agency_page("03003", f'<b data-sources="{staff}">x</b>'),
    )
    assert confidentiality.audit(root=tiny).threshold == 10
    assert _findings(tiny, "small-n")


# ----------------------------------------------------------------------------- small-n


def test_a_marker_naming_a_small_agency_is_found(tiny):
    mark = sources(YEAR, "staff", "A5", {"03003": 7})
    _write(
        tiny,
        f"reports/{YEAR}/03003.html",
        _agency_page("03003", f'<td data-sources="{mark}">61.2</td>'),
    )
    found = _findings(tiny, "small-n")
    assert len(found) == 1 and "2565/staff/A5 03003" in found[0].detail
    assert "7" not in found[0].detail  # small counts are written "<10"


def test_a_marker_that_understates_the_count_is_still_judged_by_the_recount(tiny):
    mark = sources(YEAR, "staff", "A5", {"03003": 12})  # the report claims 12; the data has 7
    _write(tiny, f"reports/{YEAR}/overview.html", _html(f'<p data-sources="{mark}">61.2</p>'))
    assert [f.check for f in _findings(tiny)] == ["small-n"]


def test_a_small_count_printed_anywhere_is_found(tiny):
    _write(tiny, "reports/index.html", _html("<p>Staff survey: n = 7</p><p>3 คน / respondents</p>"))
    found = _findings(tiny, "small-n")
    assert len(found) == 2 and all("fewer than 10" in f.detail for f in found)


def test_a_threshold_below_the_rule_is_found(tiny):
    _write(
        tiny,
        "reports/index.html",
        _html("<p>ไม่เผยแพร่ (ผู้ตอบน้อยกว่า 0 คน) / fewer than 0 respondents</p>"),
    )
    found = _findings(tiny, "small-n")
    assert found and "threshold of 0" in found[0].detail


def test_a_small_agency_value_is_found_without_any_marker(tiny):
    """The scorecard layout and the header facts, recounted: no marker needed."""
    body = (
        '<div class="facts"><div>ผู้ตอบแบบสำรวจบุคลากร / Staff survey<b>– </b></div>'
        "<div>อัตราการตอบกลับ (บุคลากร) / Staff response rate<b>0.4%</b></div></div></header>"
        '<table class="scorecard"><tr data-indicator="A5" data-status="not_met"><td>A5</td>'
        '<td class="num value"><b>61.2</b></td></tr>'
        '<tr data-indicator="A7" data-status="suppressed"><td>A7</td>'
        '<td class="num value">ผู้ตอบน้อยกว่า 10 คน</td></tr></table>'
    )
    _write(tiny, f"reports/{YEAR}/03003.html", _agency_page("03003", body))
    details = " | ".join(f.detail for f in _findings(tiny, "small-n"))
    assert details.count(" | ") == 1
    assert "A5 result" in details and "staff survey number" in details


def test_a_data_n_is_checked_against_the_recount_of_its_scorecard_row(tiny):
    row = (
        '<table class="scorecard"><tr data-indicator="A5"><td class="num value"><b>61.2</b>'
        '<span class="n" data-n="{n}">n = {n}</span></td></tr></table>'
    )
    _write(tiny, f"reports/{YEAR}/03002.html", _agency_page("03002", row.format(n=40)))
    assert not _findings(tiny)
    _write(tiny, f"reports/{YEAR}/03002.html", _agency_page("03002", row.format(n=41)))
    assert [f.check for f in _findings(tiny)] == ["marker"]
    _write(tiny, f"reports/{YEAR}/03003.html", _agency_page("03003", row.format(n=12)))
    assert any(f.file.endswith("03003.html") for f in _findings(tiny, "small-n"))


# ----------------------------------------------------------------------------- markers


def test_a_marker_that_does_not_match_the_recount_is_found(tiny):
    mark = sources(YEAR, "staff", "respondents", {"03002": 41})
    _write(
        tiny,
        f"reports/{YEAR}/03002.html",
        _agency_page("03002", f'<b data-sources="{mark}">41 คน</b>'),
    )
    found = _findings(tiny, "marker")
    assert len(found) == 1 and "says 41" in found[0].detail and "has 40" in found[0].detail


def test_a_group_filter_of_several_answers_counts_respondents_with_any_of_them(tiny):
    """A staff group made of several answer codes (a level group) is marked
    ``[column=a|b]``: the audit recounts the respondents with any of those answers."""

    def page(measure: str, n: int) -> str:
        mark = sources(YEAR, "staff", measure, {"03002": n})
        return _agency_page("03002", f'<td data-sources="{mark}">61.2</td>')

    _write(tiny, f"reports/{YEAR}/03002.html", page("A5[innovative_work=0|1]", 40))
    assert not _findings(tiny)
    _write(tiny, f"reports/{YEAR}/03002.html", page("A5[innovative_work=1]", 20))
    assert not _findings(tiny)
    _write(tiny, f"reports/{YEAR}/03002.html", page("A5[innovative_work=0|1]", 20))
    assert [f.check for f in _findings(tiny)] == ["marker"]


def test_a_count_its_marker_does_not_name_is_found(tiny):
    mark = sources(YEAR, "staff", "respondents", {"03002": 40})
    _write(
        tiny,
        f"reports/{YEAR}/03002.html",
        _agency_page("03002", f'<b data-sources="{mark}">45 คน</b>'),
    )
    assert "not a count its marker names" in _findings(tiny, "marker")[0].detail


def test_markers_of_unknown_agencies_measures_and_years_are_found(tiny):
    marks = "; ".join(
        [
            sources(YEAR, "staff", "A5", {"99999": 12}),
            sources(YEAR, "staff", "item:nonsense", {"03002": 40}),
            sources(2564, "staff", "A5", {"03002": 40}),
            "garbage",
        ]
    )
    _write(tiny, f"reports/{YEAR}/overview.html", _html(f'<p data-sources="{marks}">x</p>'))
    details = " | ".join(f.detail for f in _findings(tiny, "marker"))
    assert "99999" in details and "cannot be recounted" in details
    assert "no staff survey respondent rows for 2564" in details and "garbage" in details


def test_a_data_n_without_a_marker_is_found(tiny):
    _write(tiny, f"reports/{YEAR}/overview.html", _html('<span data-n="40">n = 40</span>'))
    assert "without a data-sources marker" in _findings(tiny, "marker")[0].detail


def test_a_page_of_another_agency_is_found(tiny):
    _write(tiny, f"reports/{YEAR}/03002.html", _agency_page("03004", "<p>x</p>"))
    assert "says agency '03004'" in _findings(tiny, "marker")[0].detail


# ----------------------------------------------------------------------------- subtraction


def test_a_government_total_including_a_small_agency_is_found(tiny):
    # 95 = the published agencies' total; 102 adds the 7 of 03003, which 102 - 95 reveals
    _write(
        tiny,
        f"reports/{YEAR}/overview.html",
        _html(f"<p>{PUBLISHED_STAFF + 7} คน / respondents</p>"),
    )
    found = _findings(tiny, "subtraction")
    assert found and "gov" in found[0].detail and "with agencies below 10" in found[0].detail
    _write(
        tiny, f"reports/{YEAR}/overview.html", _html(f"<p>{PUBLISHED_STAFF} คน / respondents</p>")
    )
    assert not _findings(tiny)


def test_a_ministry_total_including_a_small_agency_is_found(tiny):
    _write(tiny, f"reports/{YEAR}/overview.html", _html("<td>n = 72</td>"))  # 40 + 25 + 7
    found = _findings(tiny, "subtraction")
    assert found and "ministry:03000" in found[0].detail


def test_a_survey_count_next_to_an_item_count_a_few_smaller_is_found(tiny):
    staff = sources(YEAR, "staff", "respondents", {"03004": 25})
    a5 = sources(YEAR, "staff", "A5", {"03004": 22})
    body = (
        f'<b data-sources="{staff}">25 คน / respondents</b>'
        f'<td data-sources="{a5}">61.2 <span data-n="22">n = 22</span></td>'
    )
    _write(tiny, f"reports/{YEAR}/03004.html", _agency_page("03004", body))
    found = _findings(tiny, "subtraction")
    assert len(found) == 1 and "difference is fewer than 10" in found[0].detail
    # the same marker without the two counts on the page: nothing to subtract
    _write(
        tiny,
        f"reports/{YEAR}/03004.html",
        _agency_page("03004", f'<td data-sources="{a5}">61.2</td>'),
    )
    assert not _findings(tiny)


def test_item_nonresponse_can_be_switched_off(tiny):
    pipeline = tiny / "config/pipeline.yaml"
    pipeline.write_text(pipeline.read_text() + "\naudit:\n  item_nonresponse: false\n")
    config.clear_cache()
    staff = sources(YEAR, "staff", "respondents", {"03004": 25})
    a5 = sources(YEAR, "staff", "A5", {"03004": 22})
    body = f'<b data-sources="{staff}">25 คน</b><td data-sources="{a5}">n = 22</td>'
    _write(tiny, f"reports/{YEAR}/03004.html", _agency_page("03004", body))
    assert not _findings(tiny)


# ----------------------------------------------------------------------------- respondent rows


def test_a_response_id_is_found_in_pages_attributes_and_notebooks(tiny):
    _write(
        tiny, "reports/index.html", _html('<p title="from S2565-000012">x</p><p>S2565-000013.</p>')
    )
    _notebook(tiny, "03002", [nbformat.v4.new_output("stream", text="row C2565-000002\n")])
    found = _findings(tiny, "respondent-row")
    assert len(found) == 3
    assert not any("S2565-000012" in f.line() for f in found)  # masked


def test_a_longer_code_containing_a_response_id_is_not_one(tiny):
    _write(tiny, "reports/index.html", _html("<p>XS2565-0000123</p>"))
    assert not _findings(tiny)


def test_tables_of_respondent_level_columns_are_found(tiny):
    _write(
        tiny,
        "reports/index.html",
        _html("<table><thead><tr><th>response_id</th><th>eco1</th></tr></thead></table>"),
    )
    _write(tiny, f"reports/{YEAR}/rows.csv", "agency,eco1,eco2,sat1\n03002,4,4,5\n")
    printed = "   agency  eco1  eco2  gender\n0   03002     4     4    male\n"
    _notebook(
        tiny, "03002", [nbformat.v4.new_output("execute_result", data={"text/plain": printed})]
    )
    assert len(_findings(tiny, "respondent-row")) == 3


def test_an_aggregate_table_of_answer_columns_is_not_a_respondent_table(tiny):
    _write(
        tiny,
        "reports/index.html",
        _html("<table><tr><th>gender</th><th>region</th><th>trust</th><th>n</th></tr></table>"),
    )
    assert not _findings(tiny)


# ----------------------------------------------------------------------------- free text


def test_a_comment_is_found_whole_cut_off_or_respaced(tiny):
    spaced = COMMENT.replace(" ", "  \n ")
    _write(tiny, "reports/index.html", _html(f"<p>ความเห็น: {spaced}</p><p title='{COMMENT}'>x</p>"))
    cut = COMMENT[:30] + "..."
    _notebook(tiny, "03002", [nbformat.v4.new_output("execute_result", data={"text/plain": cut})])
    found = _findings(tiny, "free-text")
    assert len(found) == 3
    assert any("start of a respondent's comment" in f.detail for f in found)
    assert not any(COMMENT[:12] in f.line() for f in found)  # masked


def test_short_or_partial_comment_text_is_not_a_comment(tiny):
    # a common beginning without the "..." of a cut, and a comment below the minimum length
    _write(
        tiny, "reports/index.html", _html(f"<p>{COMMENT[:25]} และอื่น ๆ</p><p>{SHORT_COMMENT}</p>")
    )
    assert not _findings(tiny)


# ----------------------------------------------------------------------------- identifiers


def test_identifiers_are_found_in_text_attributes_and_chart_text(tiny):
    thai_digits = "๑๑๐๑๗๐๐๒๓๐๗๓๒"  # the same ID in Thai digits
    _write(
        tiny,
        "reports/index.html",
        _html(
            f"<p>ID {NATIONAL_ID}</p><p>{thai_digits}</p><a title='{EMAIL}'>x</a>"
            f"<svg><text>โทร {PHONE}</text></svg>"
        ),
    )
    found = _findings(tiny, "identifier")
    kinds = sorted(f.detail.split(" ")[0] + " " + f.detail.split(" ")[1] for f in found)
    assert kinds == ["e-mail address", "national ID", "national ID", "phone number"]
    text = " ".join(f.line() for f in found)
    assert NATIONAL_ID not in text and EMAIL not in text and PHONE not in text


def test_the_same_text_in_two_places_and_two_files_is_found_in_each(tiny):
    """The audit searches each distinct text once; its findings still name every place."""
    leak = f"<p>ID {NATIONAL_ID}</p>"
    _write(tiny, "reports/index.html", _html(leak + "<div>x</div>" + leak))
    _write(tiny, f"reports/{YEAR}/overview.html", _html(leak))
    found = _findings(tiny, "identifier")
    by_file = {f.file: sorted(g.location for g in found if g.file == f.file) for f in found}
    assert sorted(by_file) == ["reports/2565/overview.html", "reports/index.html"]
    assert len(by_file["reports/index.html"]) == 2 and len(set(by_file["reports/index.html"])) == 2
    assert len(by_file["reports/2565/overview.html"]) == 1


def test_a_pool_reused_for_a_second_audit_finds_the_same_leaks(tiny):
    """A worker keeps its auditor between the parts of one audit, never into the next: the
    second audit of an unchanged, leaking project reports what the first did."""
    from concurrent.futures import ThreadPoolExecutor

    class OneWorker:  # the parts run one after another in one thread: one reused worker
        workers = 2

        def __init__(self) -> None:
            self.threads = ThreadPoolExecutor(1)

        def submit(self, fn, *args):
            return self.threads.submit(fn, *args)

    _clean_pages(tiny)
    _write(tiny, "reports/index.html", _html(f"<p>ID {NATIONAL_ID}</p>"))
    pool = OneWorker()
    first = confidentiality.audit(root=tiny, pool=pool)
    second = confidentiality.audit(root=tiny, pool=pool)
    pool.threads.shutdown()
    assert [f.check for f in first.findings] == ["identifier"]
    assert second.findings == first.findings


def test_no_identifier_in_chart_geometry_css_data_uris_or_a_wrong_check_digit(tiny):
    body = (
        f"<style>.x{{width:{NATIONAL_ID.replace('-', '')}px}}</style>{SVG}"
        f'<img alt="x" src="data:image/png;base64,0812345678{NATIONAL_ID}"><p>{BAD_ID}</p>'
    )
    _write(tiny, "reports/index.html", _html(body))
    assert not _findings(tiny)


def test_identifiers_in_notebook_sources_and_errors_are_found(tiny):
    error = nbformat.v4.new_output(
        "error", ename="ValueError", evalue=f"bad {EMAIL}", traceback=["\x1b[0;31mValueError"]
    )
    _notebook(tiny, "03002", [error], source=f"contact = '{PHONE}'")
    assert len(_findings(tiny, "identifier")) == 2


# ----------------------------------------------------------------------------- files


def test_unreadable_outputs_are_findings(tiny):
    (tiny / f"reports/{YEAR}/chart.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    _write(tiny, f"data/processed/{YEAR}/notebooks/10_agency_report/03002.ipynb", "{not json")
    assert len(_findings(tiny, "unreadable")) == 2


def test_outputs_of_the_wanted_years_hidden_files_left_out(tiny):
    _clean_pages(tiny)
    _write(tiny, f"reports/{YEAR}/.03002.html.tmp", _html("<p>n = 3</p>"))
    _write(tiny, "reports/2564/overview.html", _html("<p>n = 3</p>"))
    everything = confidentiality.audit(root=tiny)
    assert not any(".tmp" in f for f in everything.files)
    assert [f.file for f in everything.findings] == ["reports/2564/overview.html"]
    only = confidentiality.audit([YEAR], root=tiny)
    assert only.ok and only.years == [YEAR] and "reports/index.html" in only.files
    assert confidentiality.audit([2566], root=tiny).notes == [
        "no published outputs of fiscal year 2566"
    ]


def test_xlsx_and_json_outputs_are_read(tiny):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["agency", "note"])
    book.active.append(["03002", NATIONAL_ID])
    book.save(tiny / f"reports/{YEAR}/table.xlsx")
    records = [{"response_id": "S2565-000001", "eco1": 4}]
    _write(tiny, f"reports/{YEAR}/rows.json", json.dumps(records))
    checks = sorted(f.check for f in _findings(tiny))
    assert checks == ["identifier", "respondent-row", "respondent-row"]


# ----------------------------------------------------------------------------- pieces


def test_counts_in_text():
    counts = confidentiality.find_counts(
        "n = 1,234; 7 คน / respondents; fewer than 10 respondents; r = 0.4"
    )
    assert [(c.n, c.threshold) for c in counts] == [(1234, False), (7, False), (10, True)]
    assert not confidentiality.find_counts("39 units, 10 points more staff, 7.3% of 2,192")


def test_window_index_finds_whole_strings_and_prefixes():
    index = confidentiality.WindowIndex(["abcdefghij", "abcdefxyz", "short"], width=6)
    hits = list(index.search("..abcdefghij..abcdefxy"))
    assert (2, "abcdefghij", 10) in hits and (14, "abcdefxyz", 8) in hits
    assert len(index) == 2  # "short" is below the window


def test_parse_sources_and_mask():
    tokens, bad = confidentiality.parse_sources(
        "2565/staff/A5 01001=159 01002=?; 2022/citizen/A7 x=3; bad"
    )
    assert [(t.year, t.scope, t.n) for t in tokens] == [
        (2565, "01001", 159),
        (2565, "01002", None),
        (2565, "x", 3),
    ]
    assert bad == ["bad"]
    assert confidentiality.mask("1-1017-00230-73-9") == "1-…9 (17 chars)"
    assert NATIONAL_ID not in confidentiality.mask(NATIONAL_ID)


def test_the_recount_follows_the_indicator_definitions(tiny):
    truth = confidentiality.Truth(tiny, 10)
    assert truth.count(YEAR, "staff", "respondents", "03004") == 25
    assert truth.count(YEAR, "staff", "A5", "03004") == 22
    assert truth.count(YEAR, "staff", "A3", "03004") == 25
    assert truth.count(YEAR, "staff", "construct:ecosystem", "03004") == 25
    assert truth.count(YEAR, "staff", "corr:ecosystem", "03004") == 22
    assert truth.count(YEAR, "staff", "respondents[innovative_work=1]", "03002") == 20
    assert truth.count(YEAR, "citizen", "A7", "gov") == 23
    assert truth.count(YEAR, "staff", "respondents", "ministry:03000") == 72
    assert truth.count(2564, "staff", "A5", "03002") is None
    danger = truth.dangerous_totals(YEAR)
    assert PUBLISHED_STAFF + 7 in danger and 72 in danger and PUBLISHED_STAFF not in danger
    assert np.isin([40, 25, 30], list(danger)).sum() == 0
