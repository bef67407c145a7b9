"""Executed notebooks to report pages: only what a manager should see, nothing remote."""

from __future__ import annotations

import re

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.reports import htmlexport


def _notebook():
    params = new_code_cell("year = 2565", metadata={"tags": ["parameters"]})
    injected = new_code_cell("year = 2564", metadata={"tags": ["injected-parameters"]})
    note = new_markdown_cell("analyst note", metadata={"tags": ["remove-from-report"]})
    heading = new_markdown_cell("## Scorecard")
    shown = new_code_cell(
        "report.show(x)",
        outputs=[
            new_output("stream", name="stderr", text="UserWarning: something"),
            new_output(
                "display_data", data={"text/html": "<p id='kept'>kept</p>", "text/plain": "x"}
            ),
            new_output("display_data", data={"text/plain": "<Figure size 640x480>"}),
            new_output("display_data", data={"image/png": "iVBORw0KGgo="}),
        ],
    )
    failing = new_code_cell(
        "1/0",
        outputs=[new_output("error", ename="ZeroDivisionError", evalue="x", traceback=["tb"])],
    )
    return new_notebook(cells=[params, injected, note, heading, shown, failing])


def test_report_cells_keep_html_and_markdown_only():
    nb = htmlexport.report_cells(_notebook())
    assert [c.cell_type for c in nb.cells] == ["markdown", "code"]
    outputs = nb.cells[1].outputs
    assert len(outputs) == 1 and list(outputs[0]["data"]) == ["text/html"]


def test_report_cells_leave_the_executed_notebook_alone():
    original = _notebook()
    before = nbformat.writes(original)
    htmlexport.report_cells(original)
    assert nbformat.writes(original) == before


def test_a_page_has_no_code_no_prompt_and_no_remote_reference():
    page = htmlexport.notebook_to_html(_notebook(), "รายงาน <ทดสอบ>")
    assert "id='kept'" in page or 'id="kept"' in page
    for absent in (
        "report.show",
        "year = 2565",
        "year = 2564",
        "analyst note",
        "UserWarning",
        "ZeroDivisionError",
        "Figure size",
        "In&nbsp;[",
        "jp-InputArea",
    ):
        assert absent not in page, absent
    assert not re.search(r"(?:src|href)=[\"']?(?:https?:)?//", page)
    assert "<title>รายงาน &lt;ทดสอบ&gt;</title>" in page
    assert "script-src 'none'" in page and "default-src 'none'" in page


def test_only_the_index_page_may_run_its_own_inline_script():
    with_script = htmlexport.page("t", "<p>x</p>", script="var a = 1;")
    assert (
        "script-src 'unsafe-inline'" in with_script and "<script>var a = 1;</script>" in with_script
    )
    assert "<script" not in htmlexport.page("t", "<p>x</p>")


def test_the_page_prefers_thai_government_faces_and_embeds_its_own():
    page = htmlexport.page("t", "")
    stack = htmlexport.FONT_STACK
    assert stack.index("TH Sarabun New") < stack.index("Workbook Thai") < stack.index("sans-serif")
    assert page.count("@font-face") == 2 and "@page { size: A4" in page
    assert "@media print" in page


def test_esc_escapes_markup_and_quotes():
    assert htmlexport.esc('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
    assert htmlexport.esc(None) == ""


def test_audit_markers_name_the_respondents_and_merge():
    one = htmlexport.sources(2565, "staff", "A5", {"01001": 159, "01002": float("nan")})
    assert one == "2565/staff/A5 01001=159 01002=?"
    assert htmlexport.sources(2565, "staff", "A5", {}) == ""
    joined = htmlexport.join_sources(one, "", None, "2565/staff/A5 01003=12; 2564/staff/A5 01001=7")
    assert joined == "2565/staff/A5 01001=159 01002=? 01003=12; 2564/staff/A5 01001=7"
    assert htmlexport.sources_attr("") == ""
    assert htmlexport.sources_attr('2565/staff/item:"x" a=1') == (
        ' data-sources="2565/staff/item:&quot;x&quot; a=1"'
    )


def test_english_runs_are_marked_and_codes_symbols_and_numbers_are_not():
    mark = htmlexport.mark_english
    assert mark("<p>ระดับ 3 / Level 3</p>") == '<p>ระดับ 3 / <span lang="en">Level 3</span></p>'
    assert mark("<p>A5 n = 1,500 (95%) p &lt; 0.001; r = 0.45</p>") == (
        "<p>A5 n = 1,500 (95%) p &lt; 0.001; r = 0.45</p>"
    )
    # entities survive, and a run takes its punctuation with it
    assert mark("<p>ของ &amp; Staff&#x27;s IDP</p>") == (
        '<p>ของ &amp; <span lang="en">Staff&#x27;s IDP</span></p>'
    )
    # already marked parts, and what is not text, are left alone
    marked = '<span class="en" lang="en">Result <b>bold</b></span>'
    assert mark(marked) == marked
    raw = "<style>a{color:red}</style><script>var x;</script>"
    assert mark(raw) == raw
    # SVG text gets a tspan, SVG attributes and paths are left alone
    svg = '<svg aria-label="A chart"><path d="M0 0"/><text x="1">ไทย / This agency</text></svg>'
    assert mark(svg) == (
        '<svg aria-label="A chart"><path d="M0 0"/><text x="1">ไทย / '
        '<tspan lang="en">This agency</tspan></text></svg>'
    )
    # void elements do not leave the walker inside them
    assert mark('<p lang="en">a<br>Yes</p><p>ใช่ Yes</p>') == (
        '<p lang="en">a<br>Yes</p><p>ใช่ <span lang="en">Yes</span></p>'
    )


def test_a_report_page_has_one_main_landmark_and_marks_its_english():
    page = htmlexport.notebook_to_html(_notebook(), "t")
    assert page.count("<main>") == 1 and page.count("</main>") == 1
    assert page.index("</main>") < page.index("<footer>")
    body = page[page.index("<body>") :]
    assert 'lang="en">Public Sector Personnel Development Guideline' in body
