"""reports/index.html: every report linked, targets met counted, names escaped."""

from __future__ import annotations

import re
import shutil

import pandas as pd

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
