"""reports/index.html: every report linked, targets met counted, names escaped."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.ingest.registry import load_registry
from helpers.reports import site_index
from helpers.reports.tables import report_agencies


def test_index_links_every_report_with_its_targets_met(processed, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(processed, root)
    codes = report_agencies(2565, root)
    for code in codes:
        (root / "reports/2565").mkdir(parents=True, exist_ok=True)
        (root / f"reports/2565/{code}.html").write_text("<p>report</p>", encoding="utf-8")
    (root / "reports/2565/overview.html").write_text("<p>o</p>", encoding="utf-8")
    path = site_index.write_index(root)
    html = path.read_text(encoding="utf-8")
    for code in codes:
        assert f'href="2565/{code}.html"' in html
    assert 'href="2565/overview.html"' in html
    rows = site_index.index_rows(root)
    table = pd.read_parquet(root / "data/processed/2565/indicators/indicators.parquet")
    first = rows.iloc[0]
    mine = table[table["agency_code"] == first["agency_code"]]
    assert first["met"] == (mine["status"] == "met").sum()
    assert first["assessed"] == mine["status"].isin(["met", "not_met"]).sum()
    assert len(re.findall(r"<tr data-search=", html)) == len(codes)
    assert "script-src 'unsafe-inline'" in html and "addEventListener('input'" in html
    assert not re.search(r"(?:src|href)=[\"']?(?:https?:)?//", html)


def test_index_escapes_names_and_ignores_stray_files(processed, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(processed, root)
    path = root / "data/raw/reference/agencies.csv"
    registry = pd.read_csv(path, dtype=str, keep_default_na=False)
    code = report_agencies(2565, root)[0]
    registry.loc[registry["agency_code"] == code, "name_en"] = "<b onmouseover=x>bold</b>"
    registry.to_csv(path, index=False)
    (root / "reports/2565").mkdir(parents=True)
    (root / f"reports/2565/{code}.html").write_text("x", encoding="utf-8")
    (root / "reports/2565/notes.html").write_text("x", encoding="utf-8")
    html = site_index.render_index(root)
    assert "<b onmouseover" not in html and "&lt;b onmouseover=x&gt;" in html
    assert "notes.html" not in html


# ----------------------------------------------------------------------------- issue 14


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-search="([^"]*)">', html)


def _setup(processed, tmp_path, **registry_changes) -> tuple[Path, str]:
    """A project with one report (2565) for the first reporting agency, whose registry row
    gets ``registry_changes``; returns the root and that agency's code."""
    root = tmp_path / "project"
    shutil.copytree(processed, root)
    code = report_agencies(2565, root)[0]
    path = root / "data/raw/reference/agencies.csv"
    registry = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column, value in registry_changes.items():
        registry.loc[registry["agency_code"] == code, column] = value
    registry.to_csv(path, index=False)
    (root / "reports/2565").mkdir(parents=True, exist_ok=True)
    (root / f"reports/2565/{code}.html").write_text("x", encoding="utf-8")
    (root / "reports/2565/overview.html").write_text("x", encoding="utf-8")
    return root, code


def test_rows_are_searched_by_both_years_both_languages_and_aliases(processed, tmp_path):
    root, code = _setup(
        processed,
        tmp_path,
        name_en="Department of Testing",
        ministry_th="กระทรวงทดสอบ",
        ministry_en="Ministry of Trials",
        aliases="กทส.;DoT, Testing",
    )
    [search] = _rows(site_index.render_index(root))
    words = search.split()
    expected = [
        *("2565", "2022", code),  # B.E. and C.E. years, code
        *("department", "testing", "กระทรวงทดสอบ", "ministry", "trials"),  # names, lower case
        *("กทส", "dot"),  # aliases, without their dots
    ]
    for word in expected:
        assert word in words, word
    assert search == search.lower() and "." not in search and ";" not in search
    assert len(words) == len(set(words))


def test_search_text_normalises_as_the_script_does():
    assert site_index.search_text("๒๕๖๕", " FY  2022 ", "กปส.;DOPA") == "2565 fy 2022 กปส dopa"
    assert site_index.search_text("Office of A, Ministry (B)", None) == "office of a ministry b"
    assert site_index.split_aliases("ปค.; DOPA;") == ["ปค.", "DOPA"]
    assert site_index.split_aliases(float("nan")) == []


def test_the_page_is_bilingual_landmarked_and_stackable(processed, tmp_path):
    root, code = _setup(processed, tmp_path)
    html = site_index.render_index(root)
    body = html[html.index("<body>") :]
    assert body.count("<main>") == 1 and body.count("</main>") == 1
    assert body.index("</header>") < body.index("<main>") < body.index('id="reports"')
    count = re.search(r'<p id="filter-count"[^>]*>(.*?)</p>', body)
    assert count and 'role="status"' in count.group(0)
    assert "แสดง 1 จาก 1 รายงาน" in count.group(1)
    assert '<span id="filter-count-en" class="en" lang="en">Showing 1 of 1 report</span>' in body
    none = re.search(r'<p id="filter-none"[^>]*>(.*?)</p>', body)
    assert none and " hidden" in none.group(0).split(">")[0]
    assert "ไม่พบรายงานที่ตรงกับ" in none.group(1)
    assert '<span class="en" lang="en">No report matches' in none.group(1)
    assert '<table id="reports" class="stack"' in body
    assert '<th scope="col" class="num nowrap">ปี<span class="en" lang="en">Year</span></th>' in body
    row = re.search(r"<tr data-search=[^>]*>(.*?)</tr>", body).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert len(cells) == 5
    assert all(c.startswith('<span class="cell-label">') for c in cells)
    assert '<span class="cell-label">ปี<span class="en" lang="en">Year</span></span>2565' in row
    assert f'href="2565/{code}.html"' in row
    # Every English word of the page is inside an element with lang="en".
    outside = _text_outside_english(body)
    assert not re.findall(r"[A-Za-z]{2,}", outside), outside
    assert not re.search(r"[^\d\s] / ", outside)  # "4 / 7" counts, no "ไทย / English"


def _text_outside_english(body: str) -> str:
    """The page's visible text that is not inside an element with ``lang="en"``."""
    from html.parser import HTMLParser

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[tuple[str, bool]] = []
            self.text: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag in {"br", "input", "meta", "img", "col", "hr"}:
                return
            english = dict(attrs).get("lang") == "en" or any(e for _, e in self.stack)
            self.stack.append((tag, english or tag in {"script", "style"}))

        def handle_endtag(self, tag):
            while self.stack and self.stack.pop()[0] != tag:
                pass

        def handle_data(self, data):
            if not any(e for _, e in self.stack):
                self.text.append(data)

    parser = Collect()
    parser.feed(body)
    return " ".join(parser.text)


# ----------------------------------------------------------------------------- the script

REPO = Path(__file__).resolve().parents[3]
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


def _node(program: str) -> object:
    done = subprocess.run(
        [NODE, "-e", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _registry_rows(codes: list[str], fiscal_years: list[int]) -> dict[str, str]:
    """``{"2565/01002": data-search text}`` for real registry rows."""
    registry = load_registry(REPO).set_index("agency_code")
    out = {}
    for year in fiscal_years:
        for code in codes:
            info = registry.loc[code]
            row = SimpleNamespace(
                fiscal_year=year,
                agency_code=code,
                name_th=info["name_th"],
                name_en=info["name_en"],
                ministry_th=info["ministry_th"],
                ministry_en=info["ministry_en"],
                aliases=info["aliases"],
            )
            out[f"{year}/{code}"] = site_index.row_search_text(row)
    return out


QUERIES = {
    "": "all",
    "ministry of foreign": ["2565/04002", "2564/04002"],
    "  MINISTRY   of\tForeign ": ["2565/04002", "2564/04002"],
    "foreign ministry": ["2565/04002", "2564/04002"],  # every word, in any order
    "2022": ["2565/01001", "2565/01002", "2565/03002", "2565/04002"],
    "๒๕๖๕": ["2565/01001", "2565/01002", "2565/03002", "2565/04002"],
    "๐๑๐๐๒": ["2565/01002", "2564/01002"],
    "01002": ["2565/01002", "2564/01002"],
    "กปส.": ["2565/01002", "2564/01002"],
    "กปส": ["2565/01002", "2564/01002"],
    "สป.คลัง": ["2565/03002", "2564/03002"],
    "กระทรวงการคลัง 2565": ["2565/03002"],
    "2565 กระทรวงการคลัง": ["2565/03002"],
    "กระทรวงการคลัง ๒๕๖๔": ["2564/03002"],
    "fy2021": ["2564/01001", "2564/01002", "2564/03002", "2564/04002"],
    "public relations": ["2565/01002", "2564/01002"],
    "สำนักนายกรัฐมนตรี": ["2565/01001", "2565/01002", "2564/01001", "2564/01002"],
    "zzz": [],
    "กระทรวงการคลัง 2022 zzz": [],
}


@needs_node
def test_the_query_is_normalised_like_the_rows():
    program = (
        site_index.MATCH_SCRIPT
        + "process.stdout.write(JSON.stringify(["
        + "norm(' ๒๕๖๕  FY\\u00a0 B.E. '), terms('  '), terms('กปส. ๐๑๐๐๒ Foo'),"
        + "norm('ＡＢＣ１'), norm('สำนัก') === norm('สํานัก')]));"
    )
    assert _node(program) == ["2565 fy be", [], ["กปส", "01002", "foo"], "abc1", True]


@needs_node
def test_the_filter_matches_every_word_of_the_query():
    rows = _registry_rows(["01001", "01002", "03002", "04002"], [2565, 2564])
    program = (
        site_index.MATCH_SCRIPT
        + f"var rows = {json.dumps(rows)}; var queries = {json.dumps(list(QUERIES))};"
        + "var out = {}; queries.forEach(function (q) {"
        + "  var words = terms(q);"
        + "  out[q] = Object.keys(rows).filter(function (k) { return matches(rows[k], words); });"
        + "}); process.stdout.write(JSON.stringify(out));"
    )
    found = _node(program)
    for query, expected in QUERIES.items():
        wanted = list(rows) if expected == "all" else expected
        assert sorted(found[query]) == sorted(wanted), query


# A stand-in for the few parts of the DOM the page script uses.
FAKE_DOM = """
function el(attrs) {
  return { hidden: false, style: {}, textContent: '', value: '', listeners: {},
    getAttribute: function (n) { return attrs[n]; },
    addEventListener: function (t, f) { this.listeners[t] = f; },
    querySelectorAll: function () { return quoted; } };
}
var quoted = [el({}), el({})];
var rows = SEARCH.map(function (s) { return el({'data-search': s}); });
var byId = { 'filter': el({}), 'filter-count-th': el({}), 'filter-count-en': el({}),
  'filter-none': el({}) };
byId['filter-none'].hidden = true;
var replaced = [];
var window = { location: { hash: HASH, pathname: '/r/index.html', search: '' },
  history: { replaceState: function (s, t, url) { replaced.push(url); } },
  listeners: {}, addEventListener: function (t, f) { this.listeners[t] = f; } };
var document = { getElementById: function (id) { return byId[id]; },
  querySelectorAll: function () { return rows; } };
function state() {
  return { count: byId['filter-count-th'].textContent + ' | ' +
      byId['filter-count-en'].textContent,
    shown: rows.filter(function (r) { return !r.hidden && r.style.display !== 'none'; }).length,
    none: !byId['filter-none'].hidden && byId['filter-none'].style.display !== 'none',
    quoted: quoted[1].textContent, box: byId['filter'].value, url: replaced.slice(-1)[0] };
}
var out = [];
SCRIPT
out.push(state());
function type(q) { byId['filter'].value = q; byId['filter'].listeners.input(); out.push(state()); }
type('2022'); type(' zz  z '); type('');
window.location.hash = '#q=%E0%B8%81%E0%B8%9B%E0%B8%AA.+2565';
window.listeners.hashchange(); out.push(state());
process.stdout.write(JSON.stringify(out));
"""


@needs_node
def test_the_page_script_counts_announces_no_match_and_reads_the_fragment():
    rows = _registry_rows(["01001", "01002"], [2565, 2564])
    program = (
        FAKE_DOM.replace("SEARCH", json.dumps(list(rows.values())))
        .replace("HASH", json.dumps("#q=01001"))
        .replace("SCRIPT", site_index.FILTER_SCRIPT)
    )
    start, year, nothing, cleared, fragment = _node(program)
    assert start["box"] == "01001" and start["shown"] == 2 and not start["none"]
    assert start["count"] == "แสดง 2 จาก 4 รายงาน | Showing 2 of 4 reports"
    assert year["shown"] == 2 and year["url"] == "/r/index.html#q=2022"
    assert nothing["shown"] == 0 and nothing["none"] and nothing["quoted"] == "zz z"
    assert nothing["count"] == "แสดง 0 จาก 4 รายงาน | Showing 0 of 4 reports"
    assert cleared["shown"] == 4 and not cleared["none"] and cleared["url"] == "/r/index.html"
    assert fragment["box"] == "กปส. 2565" and fragment["shown"] == 1
