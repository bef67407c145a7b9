"""``reports/index.html``: every year and agency report with a link, the count of targets met,
links to the overviews and to each year's Excel workbook (:mod:`helpers.reports.workbook_xlsx`),
and a filter box (a few lines of inline script, no external file).

The filter matches each word of the query (all of them, in any order) against a row's
``data-search`` text: the year in B.E. and C.E., the agency code, the agency's and its
ministry's Thai and English names and the agency's aliases (abbreviations such as ``กปส.``).
That text is normalised here by :func:`search_text`, the query in the page by the same rules
(:data:`MATCH_SCRIPT`, ``norm``): NFKC, Thai digits to Arabic, lower case, dots dropped,
spaces and ``, ; ( ) [ ] /`` as one space. ``index.html#q=01001`` opens the page filtered.

The page is bilingual the way every report is: Thai, then its English in
``<span class="en" lang="en">``; the table has class ``stack`` and a ``cell-label`` in every
cell, which the shared style shows on narrow screens, where each row becomes a card.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.core import atomic, config, paths, years
from helpers.indicators import kpi
from helpers.ingest.registry import load_registry
from helpers.reports.htmlexport import esc, page
from helpers.reports.workbook_xlsx import has_workbook, workbook_link_html

# The query's normalisation and matching: pure functions, tested in node
# (tests/unit/reports/test_site_index.py). Keep in step with search_text().
MATCH_SCRIPT = r"""
function norm(s) {
  s = String(s === null || s === undefined ? '' : s);
  if (s.normalize) { s = s.normalize('NFKC'); }
  s = s.replace(/[\u0E50-\u0E59]/g, function (d) {
    return String(d.charCodeAt(0) - 0x0E50);
  });
  return s.toLowerCase().replace(/\./g, '').replace(/[\s,;()\[\]\/]+/g, ' ')
    .replace(/^ +| +$/g, '');
}
function terms(query) {
  var q = norm(query);
  return q ? q.split(' ') : [];
}
function matches(search, words) {
  for (var i = 0; i < words.length; i += 1) {
    if (search.indexOf(words[i]) === -1) { return false; }
  }
  return true;
}
"""

# The page's part: rows shown or hidden, the count (a status message), the no-match message,
# and the query in the URL fragment (#q=...; replaceState, so typing adds no history entries).
PAGE_SCRIPT = r"""
var box = document.getElementById('filter');
var rows = Array.prototype.slice.call(document.querySelectorAll('#reports tbody tr'));
var countTh = document.getElementById('filter-count-th');
var countEn = document.getElementById('filter-count-en');
var none = document.getElementById('filter-none');
var quoted = none.querySelectorAll('.filter-query');
function setShown(el, on) {
  el.hidden = !on;
  el.style.display = on ? '' : 'none';
}
function apply() {
  var words = terms(box.value);
  var shown = 0;
  rows.forEach(function (row) {
    var hit = matches(row.getAttribute('data-search') || '', words);
    setShown(row, hit);
    if (hit) { shown += 1; }
  });
  var th = 'แสดง ' + shown + ' จาก ' + rows.length + ' รายงาน';
  if (countTh.textContent !== th) {
    countTh.textContent = th;
    countEn.textContent = 'Showing ' + shown + ' of ' + rows.length +
      (rows.length === 1 ? ' report' : ' reports');
  }
  var typed = box.value.replace(/\s+/g, ' ').replace(/^ | $/g, '');
  for (var i = 0; i < quoted.length; i += 1) { quoted[i].textContent = typed; }
  setShown(none, shown === 0 && words.length > 0);
}
function fromHash() {
  var hash = window.location.hash;
  if (hash.indexOf('#q=') !== 0) { return false; }
  var q = hash.slice(3).replace(/\+/g, ' ');
  try { q = decodeURIComponent(q); } catch (e) { /* keep it as written */ }
  box.value = q;
  return true;
}
function toHash() {
  var q = box.value.replace(/^\s+|\s+$/g, '');
  var url = window.location.pathname + window.location.search +
    (q ? '#q=' + encodeURIComponent(q) : '');
  try { window.history.replaceState(null, '', url); } catch (e) { /* file: may refuse */ }
}
box.addEventListener('input', function () { apply(); toHash(); });
window.addEventListener('hashchange', function () { if (fromHash()) { apply(); } });
window.addEventListener('pageshow', apply);
fromHash();
apply();
"""

FILTER_SCRIPT = "(function () {\n'use strict';" + MATCH_SCRIPT + PAGE_SCRIPT + "})();\n"

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_SEPARATORS = re.compile(r"[\s,;()\[\]/]+")


def search_text(*parts: object) -> str:
    """The normalised text a row is searched in, each word once (the script's ``norm``,
    applied to the query, follows the same rules; a query word never holds a space)."""
    text = " ".join(str(p) for p in parts if p is not None and not pd.isna(p))
    text = unicodedata.normalize("NFKC", text).translate(_THAI_DIGITS).lower()
    words = _SEPARATORS.sub(" ", text.replace(".", "")).split()
    return " ".join(dict.fromkeys(words))  # a repeated word matches nothing more


def split_aliases(value: object) -> list[str]:
    """The aliases of a registry row (``;``-separated, as ``AgencyIndex`` reads them)."""
    if not isinstance(value, str):
        return []
    return [a.strip() for a in value.split(";") if a.strip()]


def _en(text: str) -> str:
    """English text, escaped, in its span (the bilingual convention of every page)."""
    return f'<span class="en" lang="en">{esc(text)}</span>'


def _bi(th: str, en: str) -> str:
    """Thai text followed by its English, both escaped."""
    return f"{esc(th)}{_en(en)}"


COLUMNS = [  # (Thai, English, extra class) of the table's columns
    ("ปี", "Year", "num nowrap"),
    ("รหัส", "Code", "nowrap"),
    ("หน่วยงาน", "Agency", ""),
    ("กระทรวง", "Ministry", ""),
    ("บรรลุเป้าหมาย", "Targets met", "num"),
]
# The last column while the targets are placeholders (config/targets.yaml): a neutral count.
PROVISIONAL_COLUMN = ("ถึงค่าเป้าหมายชั่วคราว", "At the provisional target", "num")


def _columns(root: Path) -> list[tuple[str, str, str]]:
    return [*COLUMNS[:-1], PROVISIONAL_COLUMN] if kpi.targets_are_placeholders(root) else COLUMNS


def _reports_dir(root: Path) -> Path:
    return paths.resolve(config.pipeline(root)["paths"]["reports"], root)


def index_rows(root: Path | None = None) -> pd.DataFrame:
    """One row per agency report found under ``reports/<year>/``, newest year first."""
    root = root or paths.project_root()
    reports = _reports_dir(root)
    registry = load_registry(root).set_index("agency_code")
    records = []
    for folder in sorted(
        (p for p in reports.glob("[0-9][0-9][0-9][0-9]") if p.is_dir()), reverse=True
    ):
        year = int(folder.name)
        table_path = paths.processed_dir(year, "indicators", root) / "indicators.parquet"
        table = pd.read_parquet(table_path) if table_path.is_file() else None
        for html in sorted(folder.glob("*.html")):
            code = html.stem
            if code == "overview" or code not in registry.index:
                continue
            met = assessed = 0
            if table is not None:
                rows = table[table["agency_code"] == code]
                met = int((rows["status"] == "met").sum())
                assessed = int(rows["status"].isin(["met", "not_met"]).sum())
            info = registry.loc[code]
            records.append(
                {
                    "fiscal_year": year,
                    "agency_code": code,
                    "name_th": info["name_th"],
                    "name_en": info["name_en"],
                    "ministry_th": info["ministry_th"],
                    "ministry_en": info.get("ministry_en", ""),
                    "aliases": "; ".join(split_aliases(info.get("aliases", ""))),
                    "met": met,
                    "assessed": assessed,
                    "href": f"{year}/{html.name}",
                }
            )
    columns = [
        "fiscal_year",
        "agency_code",
        "name_th",
        "name_en",
        "ministry_th",
        "ministry_en",
        "aliases",
        "met",
        "assessed",
        "href",
    ]
    return pd.DataFrame.from_records(records, columns=columns)


def row_search_text(row: Any) -> str:
    """The ``data-search`` text of one index row (a row of :func:`index_rows`)."""
    year = int(row.fiscal_year)
    return search_text(
        year,
        years.to_ce(year),
        years.label(year),
        years.label(year, "en"),
        row.agency_code,
        row.name_th,
        row.name_en,
        row.ministry_th,
        row.ministry_en,
        *split_aliases(row.aliases),
    )


def _cell(column: int, content: str, columns: list[tuple[str, str, str]]) -> str:
    """A table cell with its column's label first (shown when the row is a card)."""
    th, en, cls = columns[column]
    attr = f' class="{cls}"' if cls else ""
    return f'<td{attr}><span class="cell-label">{_bi(th, en)}</span>{content}</td>'


def _table_row(r: Any, columns: list[tuple[str, str, str]]) -> str:
    agency = f'<a href="{esc(r.href)}">{esc(r.name_th)}</a>' + (_en(r.name_en) if r.name_en else "")
    ministry = esc(r.ministry_th) + (_en(r.ministry_en) if r.ministry_en else "")
    cells = [esc(r.fiscal_year), esc(r.agency_code), agency, ministry, f"{r.met} / {r.assessed}"]
    body = "".join(_cell(i, content, columns) for i, content in enumerate(cells))
    return f'<tr data-search="{esc(row_search_text(r))}">{body}</tr>'


def _header_cell(th: str, en: str, cls: str) -> str:
    attr = f' class="{cls}"' if cls else ""
    return f'<th scope="col"{attr}>{_bi(th, en)}</th>'


def _filter(n_rows: int) -> str:
    """The filter box, its hint, the count (a status message) and the no-match message."""
    reports_en = "report" if n_rows == 1 else "reports"
    hint = _bi(
        "ชื่อหน่วยงานหรือกระทรวง ชื่อย่อ รหัส หรือปี (พ.ศ. หรือ ค.ศ.) พิมพ์หลายคำเพื่อกรองให้แคบลง",
        "Agency or ministry name, abbreviation, code or year (B.E. or C.E.);"
        " every word typed must match",
    )
    return (
        '<div class="filter">'
        f'<label for="filter">{_bi("ค้นหารายงาน", "Find a report")}</label> '
        '<input id="filter" type="search" autocomplete="off" spellcheck="false" '
        'aria-describedby="filter-hint">'
        f'<p id="filter-hint" class="note">{hint}</p>'
        '<p id="filter-count" class="note" role="status">'
        f'<span id="filter-count-th">แสดง {n_rows} จาก {n_rows} รายงาน</span>'
        f'<span id="filter-count-en" class="en" lang="en">'
        f"Showing {n_rows} of {n_rows} {reports_en}</span></p>"
        "</div>"
        '<p id="filter-none" class="no-match" hidden>'
        'ไม่พบรายงานที่ตรงกับ “<span class="filter-query"></span>”'
        '<span class="en" lang="en">No report matches “<span class="filter-query"></span>”'
        "</span></p>"
    )


def _overview_link(year: int, root: Path) -> str:
    """A year's overview, and its Excel workbook when it has been written."""
    label = _bi(years.label(year), years.label(year, "en"))
    book = f" · {workbook_link_html(year, f'{year}/')}" if has_workbook(year, root) else ""
    return f'<li><a href="{year}/overview.html">{label}</a>{book}</li>'


def render_index(root: Path | None = None) -> str:
    root = root or paths.project_root()
    reports = _reports_dir(root)
    rows = index_rows(root)
    guideline = config.pipeline(root)["guideline"]
    threshold = kpi.reporting_threshold(root=root)
    overviews = sorted(reports.glob("[0-9][0-9][0-9][0-9]/overview.html"), reverse=True)
    links = "".join(_overview_link(int(p.parent.name), root) for p in overviews)
    links = links or f"<li>{_bi('ยังไม่มี', 'None yet')}</li>"
    n_rows = len(rows)
    n_agencies = rows["agency_code"].nunique() if n_rows else 0
    counts = _bi(
        f"{n_rows} รายงานหน่วยงาน ({n_agencies} หน่วยงาน)",
        f"{n_rows} agency report{'' if n_rows == 1 else 's'} "
        f"({n_agencies} agenc{'y' if n_agencies == 1 else 'ies'})",
    )
    columns = _columns(root)
    if columns is COLUMNS:
        note = _bi(
            "“บรรลุเป้าหมาย” นับตัวชี้วัด A1–A7 ที่บรรลุ จากที่ประเมินได้ (เผยแพร่ได้ มีข้อมูลและมีเป้าหมาย)"
            f" ตัวชี้วัดที่มีผู้ตอบน้อยกว่า {threshold} คนไม่เผยแพร่ผล และไม่นับรวมในจำนวนที่ประเมินได้",
            "Targets met counts the indicators A1–A7 met, out of those that could be assessed"
            f" (published, with data and a target). Indicators with fewer than {threshold}"
            " respondents are not published and are left out of the count.",
        )
    else:
        note = _bi(
            "“ถึงค่าเป้าหมายชั่วคราว” นับตัวชี้วัด A1–A7 ที่ถึงค่าเป้าหมายชั่วคราว จากที่เทียบได้ "
            "ค่าเป้าหมายเป็นค่าชั่วคราวที่คณะผู้ประเมินยังไม่ได้ยืนยัน จึงไม่ใช่การตัดสินว่าบรรลุหรือไม่"
            f" ตัวชี้วัดที่มีผู้ตอบน้อยกว่า {threshold} คนไม่เผยแพร่ผล และไม่นับรวมในจำนวนที่เทียบได้",
            "“At the provisional target” counts the indicators A1–A7 that reach the provisional "
            "target, out of those that could be compared. The targets are provisional and not "
            "yet confirmed by the evaluators, so this is not a verdict of met or not met. "
            f"Indicators with fewer than {threshold} respondents are not published and are "
            "left out of the count.",
        )
    header = (
        '<header class="report-header">'
        f"<h1>{_bi('รายงานผลการพัฒนาบุคลากรภาครัฐ', 'Public sector personnel development: reports')}"
        f"</h1><p>{_bi(guideline['th'], guideline['en'])}</p><p>{counts}</p></header>"
    )
    main = (
        "<main>"
        f'<h2 id="overviews">{_bi("ภาพรวมทั้งประเทศ", "Government-wide overviews")}</h2>'
        f"<ul>{links}</ul>"
        f'<h2 id="agency-reports">{_bi("รายงานหน่วยงาน", "Agency reports")}</h2>'
        f"{_filter(n_rows)}"
        '<table id="reports" class="stack" aria-labelledby="agency-reports">'
        f"<thead><tr>{''.join(_header_cell(*c) for c in columns)}</tr></thead>"
        f"<tbody>{''.join(_table_row(r, columns) for r in rows.itertuples(index=False))}</tbody>"
        f'</table><p class="note">{note}</p></main>'
    )
    return page(
        "รายงานผลการพัฒนาบุคลากรภาครัฐ · Public sector personnel development reports",
        header + main,
        script=FILTER_SCRIPT,
    )


def write_index(root: Path | None = None) -> Path:
    """Write ``reports/index.html`` atomically and return its path."""
    root = root or paths.project_root()
    target = _reports_dir(root) / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic.write_text_atomic(render_index(root), target)
