"""``reports/index.html``: every year and agency report with a link, the count of targets met,
links to the overviews, and a filter box (a few lines of inline script, no external file)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.core import atomic, config, paths, years
from helpers.indicators import kpi
from helpers.ingest.registry import load_registry
from helpers.reports.htmlexport import esc, page

FILTER_SCRIPT = """
(function () {
  var box = document.getElementById('filter');
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-search]'));
  var count = document.getElementById('filter-count');
  function apply() {
    var q = box.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var hit = !q || row.getAttribute('data-search').indexOf(q) !== -1;
      row.hidden = !hit;
      if (hit) { shown += 1; }
    });
    count.textContent = shown + ' / ' + rows.length;
  }
  box.addEventListener('input', apply);
  apply();
})();
"""


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
        "met",
        "assessed",
        "href",
    ]
    return pd.DataFrame.from_records(records, columns=columns)


def render_index(root: Path | None = None) -> str:
    root = root or paths.project_root()
    reports = _reports_dir(root)
    rows = index_rows(root)
    overviews = sorted(reports.glob("[0-9][0-9][0-9][0-9]/overview.html"), reverse=True)
    links = "".join(
        f'<li><a href="{esc(p.parent.name)}/overview.html">{esc(years.label(int(p.parent.name)))}'
        f" · {esc(years.label(int(p.parent.name), 'en'))}</a></li>"
        for p in overviews
    )
    body_rows = []
    for r in rows.itertuples(index=False):
        search = " ".join(
            str(v) for v in (r.fiscal_year, r.agency_code, r.name_th, r.name_en, r.ministry_th)
        ).lower()
        body_rows.append(
            f'<tr data-search="{esc(search)}"><td class="num">{r.fiscal_year}</td>'
            f"<td>{esc(r.agency_code)}</td>"
            f'<td><a href="{esc(r.href)}">{esc(r.name_th)}</a><br>'
            f'<span class="en">{esc(r.name_en)}</span></td><td>{esc(r.ministry_th)}</td>'
            f'<td class="num">{r.met} / {r.assessed}</td></tr>'
        )
    n_agencies = rows["agency_code"].nunique() if len(rows) else 0
    body = (
        '<header class="report-header"><h1>รายงานผลการพัฒนาบุคลากรภาครัฐ<br>'
        '<span class="en">Public sector personnel development: reports</span></h1>'
        f"<p>{esc(config.pipeline(root)['guideline']['th'])} / "
        f"{esc(config.pipeline(root)['guideline']['en'])}. "
        f"{len(rows)} รายงานหน่วยงาน ({n_agencies} หน่วยงาน) / agency reports "
        f"({n_agencies} agencies).</p></header>"
        f"<h2>ภาพรวมทั้งประเทศ <span class='en'>/ Government-wide overviews</span></h2>"
        f"<ul>{links or '<li>ยังไม่มี / none yet</li>'}</ul>"
        "<h2>รายงานหน่วยงาน <span class='en'>/ Agency reports</span></h2>"
        '<div class="filter"><label for="filter">ค้นหา / Filter: </label>'
        '<input id="filter" type="search" placeholder="ชื่อ รหัส กระทรวง ปี / name, code, '
        'ministry, year" autocomplete="off"> <span id="filter-count" class="note"></span></div>'
        "<table id=\"reports\"><thead><tr><th class='num'>ปี / Year</th>"
        "<th>รหัส / Code</th><th>หน่วยงาน / Agency</th><th>กระทรวง / Ministry</th>"
        "<th class='num'>บรรลุเป้าหมาย / Targets met</th></tr></thead>"
        f"<tbody>{''.join(body_rows)}</tbody></table>"
        f'<p class="note">"บรรลุเป้าหมาย" นับตัวชี้วัด A1–A7 ที่บรรลุ จากที่ประเมินได้ / '
        f"Targets met counts the indicators A1–A7 met, out of those that could be assessed "
        f"(not suppressed, with data and a target). Reports with fewer than "
        f"{kpi.reporting_threshold(root=root)} respondents show no figures.</p>"
    )
    return page("รายงานผลการพัฒนาบุคลากรภาครัฐ / Reports", body, script=FILTER_SCRIPT)


def write_index(root: Path | None = None) -> Path:
    """Write ``reports/index.html`` atomically and return its path."""
    root = root or paths.project_root()
    target = _reports_dir(root) / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic.write_text_atomic(render_index(root), target)
