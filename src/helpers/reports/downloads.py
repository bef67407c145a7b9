"""Tables people take away: the published figures as plain tables, and as CSV downloads
embedded in a report page.

The tables (:func:`indicator_table`, :func:`item_table`, :func:`breakdown_table`) hold what the
reports publish, for one agency or for all: they read the indicator-stage tables through
:class:`helpers.reports.tables.YearData` and compute no statistic. Suppression is applied as
the reports apply it: a row from fewer than ``confidentiality.min_respondents`` respondents (or
marked suppressed) has no value, interval or count, only a note saying why. Columns are
described by :class:`Column` (a key, a Thai and an English header); a table's frame has the
keys as column names, numbers as numbers. The Excel workbook
(:mod:`helpers.reports.workbook_xlsx`) writes the same frames.

A CSV download (:func:`csv_download_html`) is an ``<a download>`` whose ``href`` is a
``data:text/csv;charset=utf-8;base64,`` URI, so it works offline from a saved page. The file is
UTF-8 with a byte-order mark (Excel on Thai Windows then reads Thai correctly), CRLF line ends,
one header row "ไทย / English". The link carries the audit marker (``data-sources``, see
:func:`helpers.reports.htmlexport.sources`) of the figures in the file, which ``workbook audit``
recounts like any figure of the page.
"""

from __future__ import annotations

import base64
import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.core import config, paths
from helpers.indicators import kpi
from helpers.reports.formatting import present, suppression_text
from helpers.reports.htmlexport import esc, join_sources, sources
from helpers.reports.tables import INDICATOR_SURVEY, YearData


@dataclass(frozen=True)
class Column:
    """One column of a published table.

    Attributes:
        key: the column's name in the frame (and in the audit).
        th: the Thai header.
        en: the English header (unique among the columns of all tables but for equal keys).
        kind: how it is written: ``text``, ``int`` (a count), ``number`` (one decimal),
            ``value`` (in the row's unit), ``p`` (a p-value).
    """

    key: str
    th: str
    en: str
    kind: str = "text"

    @property
    def header(self) -> str:
        """The one-row header: "ไทย / English"."""
        return f"{self.th} / {self.en}"


DECIMALS = 4  # places of every figure written (the reports show one)
OCSC_NAMES = ("สำนักงาน ก.พ.", "Office of the Civil Service Commission (OCSC)")
GOV_NAMES = ("ทุกหน่วยงาน", "All agencies")
UNIT_TEXT = {
    "percent": "ร้อยละ / percent",
    "index_0_100": "ดัชนี 0–100 / index 0–100",
    "level_1_5": "ระดับ 1–5 / level 1–5",
    "count": "จำนวน / count",
    "yes_no": "1 = ใช่, 0 = ไม่ใช่ / 1 = yes, 0 = no",
}
YES, NO = "ใช่ / Yes", "ไม่ใช่ / No"
NO_DATA_TEXT = "ไม่มีข้อมูล / no data"
# A staff group withheld for either cause: fewer respondents than the threshold (primary) or to
# keep such a group from being worked out (complementary). One wording for both, as in the
# reports: which cause applies would bound the withheld counts.
GROUP_WITHHELD_TEXT = (
    "ไม่เผยแพร่ (ผู้ตอบน้อยกว่า {k} คน หรือปกปิดเพิ่มเติมเพื่อไม่ให้คำนวณย้อนกลับได้)"
    " / not published (fewer than {k} respondents, or withheld so that a withheld group cannot"
    " be worked out)"
)
NO_PREVIOUS_TEXT = "ไม่มีค่าปีก่อนที่เผยแพร่ / no published value last year"

_AGENCY = [
    Column("agency_code", "รหัสหน่วยงาน", "Agency code"),
    Column("agency_th", "ชื่อหน่วยงาน", "Agency (Thai)"),
    Column("agency_en", "ชื่อหน่วยงานภาษาอังกฤษ", "Agency (English)"),
    Column("ministry_th", "กระทรวง", "Ministry (Thai)"),
    Column("ministry_en", "ชื่อกระทรวงภาษาอังกฤษ", "Ministry (English)"),
]
RESPONDENTS = Column("respondents", "จำนวนผู้ตอบ (n)", "Respondents (n)", "int")
CI_LOW = Column("ci_low", "ขอบล่างช่วงความเชื่อมั่น 95%", "95% CI low", "value")
CI_HIGH = Column("ci_high", "ขอบบนช่วงความเชื่อมั่น 95%", "95% CI high", "value")
NOTE = Column("note", "หมายเหตุ", "Note")


def indicator_columns(provisional: bool) -> list[Column]:
    """The columns of the indicator table (the target's wording follows
    ``targets_are_placeholders``, as the reports' does)."""
    return [
        *_AGENCY,
        Column("indicator", "รหัสตัวชี้วัด", "Indicator"),
        Column("indicator_th", "ชื่อตัวชี้วัด", "Indicator name (Thai)"),
        Column("indicator_en", "ชื่อตัวชี้วัดภาษาอังกฤษ", "Indicator name (English)"),
        Column("unit", "หน่วยวัด", "Unit"),
        Column("value", "ผล", "Value", "value"),
        CI_LOW,
        CI_HIGH,
        RESPONDENTS,
        Column("direction", "เงื่อนไขค่าเป้าหมาย", "Target direction"),
        Column(
            "target",
            "ค่าเป้าหมายชั่วคราว" if provisional else "ค่าเป้าหมาย",
            "Provisional target" if provisional else "Target",
            "value",
        ),
        Column(
            "status",
            "เทียบค่าเป้าหมาย" if provisional else "สถานะ",
            "Against the target" if provisional else "Status",
        ),
        Column("change", "เปลี่ยนแปลงจากปีก่อน", "Change from last year", "value"),
        Column("change_p", "ค่า p ของการเปลี่ยนแปลง", "p-value of the change", "p"),
        Column(
            "change_significant",
            "เปลี่ยนแปลงอย่างมีนัยสำคัญ (p < 0.05)",
            "Significant change (p < 0.05)",
        ),
        NOTE,
    ]


ITEM_COLUMNS = [
    *_AGENCY,
    Column("item", "รหัสข้อคำถาม", "Item"),
    Column("construct_th", "องค์ประกอบ", "Construct (Thai)"),
    Column("construct_en", "องค์ประกอบภาษาอังกฤษ", "Construct (English)"),
    Column("item_th", "ข้อคำถาม", "Item text (Thai)"),
    Column("item_en", "ข้อคำถามภาษาอังกฤษ", "Item text (English)"),
    Column("reverse", "ข้อคำถามเชิงลบ (กลับทิศแล้ว)", "Negatively worded (reversed)"),
    RESPONDENTS,
    Column("percent_positive", "ร้อยละเชิงบวก", "Percent positive", "number"),
    Column("percent_neutral", "ร้อยละเป็นกลาง", "Percent neutral", "number"),
    Column("percent_negative", "ร้อยละเชิงลบ", "Percent negative", "number"),
    Column("strength", "จุดแข็ง", "Strength"),
    Column("challenge", "ประเด็นท้าทาย", "Challenge"),
    NOTE,
]

BREAKDOWN_COLUMNS = [
    Column("scope", "ขอบเขต", "Scope"),
    Column("agency_th", "ชื่อหน่วยงาน", "Agency (Thai)"),
    Column("agency_en", "ชื่อหน่วยงานภาษาอังกฤษ", "Agency (English)"),
    Column("measure", "ตัววัด", "Measure"),
    Column("variable", "รหัสการจำแนก", "Breakdown"),
    Column("variable_th", "จำแนกตาม", "Breakdown (Thai)"),
    Column("variable_en", "จำแนกตามภาษาอังกฤษ", "Breakdown (English)"),
    Column("group", "รหัสกลุ่ม", "Group code"),
    Column("group_th", "กลุ่ม", "Group (Thai)"),
    Column("group_en", "กลุ่มภาษาอังกฤษ", "Group (English)"),
    RESPONDENTS,
    Column("estimate", "ค่าประมาณ", "Estimate", "number"),
    Column("ci_low", CI_LOW.th, CI_LOW.en, "number"),
    Column("ci_high", CI_HIGH.th, CI_HIGH.en, "number"),
    NOTE,
]

# The names a breakdown table's columns may have (helpers.indicators.breakdowns is being
# written): the first found is used; other columns are not published.
BREAKDOWN_SOURCES = {
    "scope": ("scope", "agency_code", "agency"),
    "measure": ("measure", "indicator"),
    "variable": ("variable", "breakdown", "breakdown_variable", "by"),
    "group": ("group", "level", "category"),
    "variable_th": ("breakdown_th", "variable_th"),
    "variable_en": ("breakdown_en", "variable_en"),
    "group_th": ("group_th",),
    "group_en": ("group_en",),
    "respondents": ("respondents", "n"),
    "estimate": ("estimate", "value"),
    "ci_low": ("ci_low", "lower"),
    "ci_high": ("ci_high", "upper"),
    "suppressed": ("suppressed", "suppression_reason", "suppression"),
}
CONSTRUCT_MEASURES = ("ecosystem", "skillsets", "mindset")


def english_keys() -> dict[str, str]:
    """{English header: key} over every table's columns (both wordings of the target)."""
    columns = [*indicator_columns(True), *indicator_columns(False), *ITEM_COLUMNS]
    return {c.en: c.key for c in [*columns, *BREAKDOWN_COLUMNS]}


# ----------------------------------------------------------------------------- helpers


def _k(data: YearData) -> int:
    return kpi.reporting_threshold(root=data.root)


def _shown_n(n: Any, k: int) -> int | None:
    """A count as published: None when absent or below ``k``."""
    return int(n) if present(n) and int(n) >= k else None


def _names(data: YearData, code: str) -> dict[str, str]:
    if code == kpi.OCSC_CODE:
        th, en = OCSC_NAMES
        return {"agency_th": th, "agency_en": en, "ministry_th": "", "ministry_en": ""}
    if code == "gov":
        th, en = GOV_NAMES
        return {"agency_th": th, "agency_en": en, "ministry_th": "", "ministry_en": ""}
    registry = data.registry
    if code not in registry.index:
        return {"agency_th": code, "agency_en": "", "ministry_th": "", "ministry_en": ""}
    info = registry.loc[code]

    def text(name: str) -> str:
        value = info.get(name, "")
        return str(value) if present(value) else ""

    return {
        "agency_th": text("name_th"),
        "agency_en": text("name_en"),
        "ministry_th": text("ministry_th"),
        "ministry_en": text("ministry_en"),
    }


def _float(value: Any) -> float | None:
    """A figure as written: rounded to :data:`DECIMALS` places (more than a report shows; a
    longer run of digits could read as a phone number or an ID to a text search)."""
    return round(float(value), DECIMALS) if present(value) else None


def _frame(records: list[dict[str, Any]], columns: Sequence[Column]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records, columns=[c.key for c in columns])


def _status_text(status: str, root: Path) -> str:
    """A status as the reports word it ("ถึงค่าเป้าหมายชั่วคราว / At the provisional target"
    while the targets are placeholders)."""
    wording = config.reports(root)
    spec = wording["statuses"].get(status, {"th": status, "en": status})
    if status in ("met", "not_met") and kpi.targets_are_placeholders(root):
        spec = wording["provisional_statuses"][status]
    return f"{spec['th']} / {spec['en']}"


# ----------------------------------------------------------------------------- tables


def indicator_table(data: YearData, agency: str | None = None) -> pd.DataFrame:
    """The published indicators: A1-A7 of every agency (and O1-O3 of OCSC), or of one agency.

    Args:
        data: the year's tables.
        agency: an agency code; None for every agency, OCSC last.

    Returns:
        One row per agency and indicator, the keys of :func:`indicator_columns` as columns.
        A withheld row has its status and note only; a survey indicator's count is shown
        from the reporting threshold up.
    """
    k, root = _k(data), data.root
    table = data.indicators
    rows = table if agency is None else table[table["agency_code"] == agency]
    order = {code: i for i, code in enumerate(kpi.INDICATORS)}
    rows = rows.assign(
        _ocsc=rows["agency_code"] == kpi.OCSC_CODE, _order=rows["indicator"].map(order)
    ).sort_values(["_ocsc", "agency_code", "_order"], kind="stable")
    records = []
    for r in rows.itertuples(index=False):
        code, indicator = str(r.agency_code), str(r.indicator)
        th, en = data.label(indicator)
        survey = indicator in INDICATOR_SURVEY
        n = _shown_n(r.respondents, k) if survey else None
        shown = present(r.value) and r.status != "suppressed" and (not survey or n is not None)
        withheld = not shown and (r.status == "suppressed" or present(r.value))
        status = str(r.status) if shown else "suppressed" if withheld else str(r.status)
        change = _float(r.change) if shown else None
        note = NO_PREVIOUS_TEXT if shown and change is None else ""
        if withheld:
            note = suppression_text(r.suppression_reason, k)
        elif not shown:
            note = NO_DATA_TEXT
        p = _float(r.change_p) if change is not None else None
        target = data.targets.get(indicator, {})
        records.append(
            {
                "agency_code": code,
                **_names(data, code),
                "indicator": indicator,
                "indicator_th": th,
                "indicator_en": en,
                "unit": UNIT_TEXT.get(str(r.unit), str(r.unit)),
                "value": _float(r.value) if shown else None,
                "ci_low": _float(r.ci_low) if shown else None,
                "ci_high": _float(r.ci_high) if shown else None,
                "respondents": n if shown else None,
                "direction": "≤" if target.get("direction") == "<=" else "≥",
                "target": _float(r.target),
                "status": _status_text(status, root),
                "change": change,
                "change_p": p,
                "change_significant": (YES if bool(r.change_significant) else NO)
                if p is not None
                else "",
                "note": note,
                "_unit": str(r.unit),
            }
        )
    columns = [*indicator_columns(kpi.targets_are_placeholders(root)), Column("_unit", "", "")]
    return _frame(records, columns)


def item_table(data: YearData, agency: str | None = None) -> pd.DataFrame:
    """The published item results (percent positive, neutral, negative) of every agency or
    one, in codebook order; reverse-coded items counted in their favourable direction.

    Args:
        data: the year's tables.
        agency: an agency code; None for every agency.

    Returns:
        The keys of :data:`ITEM_COLUMNS` as columns; withheld items have a note only.
    """
    k = _k(data)
    items = data.table("items")
    if items is None:
        return _frame([], ITEM_COLUMNS)
    if agency is not None:
        items = items[items["agency_code"] == agency]
    book = config.codebook("staff_survey", data.root)
    order = {name: i for i, name in enumerate(book.names)}
    items = items.assign(_order=items["item"].map(order)).sort_values(
        ["agency_code", "_order"], kind="stable"
    )
    records = []
    for r in items.itertuples(index=False):
        code, item = str(r.agency_code), str(r.item)
        column = book.column(item) if item in order else None
        construct = book.constructs.get(column.construct if column else "", {}) or {}
        n = _shown_n(r.respondents, k)
        shown = present(r.percent_positive) and n is not None and not present(r.suppression_reason)
        reverse = bool(column.reverse) if column is not None else bool(r.reverse)

        def flag(value: Any, shown: bool = shown) -> str:
            return (YES if bool(value) else NO) if shown and present(value) else ""

        records.append(
            {
                "agency_code": code,
                **_names(data, code),
                "item": item,
                "construct_th": construct.get("th", ""),
                "construct_en": construct.get("en", ""),
                "item_th": column.th if column else "",
                "item_en": column.en if column else "",
                "reverse": YES if reverse else NO,
                "respondents": n if shown else None,
                "percent_positive": _float(r.percent_positive) if shown else None,
                "percent_neutral": _float(r.percent_neutral) if shown else None,
                "percent_negative": _float(r.percent_negative) if shown else None,
                "strength": flag(r.strength),
                "challenge": flag(r.challenge),
                "note": ""
                if shown
                else suppression_text(r.suppression_reason, k)
                if present(r.suppression_reason) or present(r.respondents)
                else NO_DATA_TEXT,
            }
        )
    return _frame(records, ITEM_COLUMNS)


def breakdowns_path(year: int, root: Path) -> Path:
    """Where the indicators stage writes the staff-group breakdowns."""
    return paths.processed_dir(year, "indicators", root) / "breakdowns.parquet"


def pick_column(frame: pd.DataFrame, key: str) -> str | None:
    """The column of a breakdown table that holds ``key`` (:data:`BREAKDOWN_SOURCES`)."""
    return next((c for c in BREAKDOWN_SOURCES[key] if c in frame.columns), None)


def _withheld(value: Any) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    if value is pd.NA:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)


def breakdown_table(data: YearData, agency: str | None = None) -> pd.DataFrame | None:
    """The published staff-group breakdowns, or None when the year has no breakdown table.

    Args:
        data: the year's tables.
        agency: an agency code (its own rows only); None for every row, government-wide too.

    Returns:
        The keys of :data:`BREAKDOWN_COLUMNS` as columns. A row marked suppressed (primary or
        complementary) or from fewer than the threshold has no count, estimate or interval.
    """
    if not breakdowns_path(data.year, data.root).is_file():
        return None
    raw = data.table("breakdowns")
    if raw is None:
        return None
    k = _k(data)
    picked = {key: pick_column(raw, key) for key in BREAKDOWN_SOURCES}
    scopes = raw[picked["scope"]].astype(str) if picked["scope"] else pd.Series("gov", raw.index)
    if agency is not None:
        raw, scopes = raw[scopes == agency], scopes[scopes == agency]
    variables = breakdown_variables(data.root)

    def get(row: dict[str, Any], key: str) -> Any:
        return row[picked[key]] if picked[key] else None

    names_of: dict[str, dict[str, str]] = {}
    records = []
    for row, scope in zip(raw.to_dict("records"), scopes, strict=True):
        variable, group = str(get(row, "variable") or ""), get(row, "group")
        labels = {
            key: get(row, key) for key in ("variable_th", "variable_en", "group_th", "group_en")
        }
        spec = variables.get(variable) or {}
        defined = (spec.get("groups") or {}).get(str(group)) or {}
        labels = {
            "variable_th": labels["variable_th"] or spec.get("th", ""),
            "variable_en": labels["variable_en"] or spec.get("en", ""),
            "group_th": labels["group_th"] or defined.get("th", ""),
            "group_en": labels["group_en"] or defined.get("en", ""),
        }
        n = _shown_n(get(row, "respondents"), k)
        reason = get(row, "suppressed")
        shown = n is not None and not _withheld(reason) and present(get(row, "estimate"))
        note = ""
        if not shown:
            withheld = _withheld(reason) or n is None
            note = GROUP_WITHHELD_TEXT.format(k=k) if withheld else NO_DATA_TEXT
        if scope not in names_of:
            names_of[scope] = _names(data, scope)
        names = names_of[scope]
        records.append(
            {
                "scope": scope,
                "agency_th": names["agency_th"],
                "agency_en": names["agency_en"],
                "measure": str(get(row, "measure") or ""),
                "variable": variable,
                "group": "" if group is None or not present(group) else str(group),
                **{key: "" if not present(v) else str(v) for key, v in labels.items()},
                "respondents": n if shown else None,
                "estimate": _float(get(row, "estimate")) if shown else None,
                "ci_low": _float(get(row, "ci_low")) if shown else None,
                "ci_high": _float(get(row, "ci_high")) if shown else None,
                "note": note,
            }
        )
    return _frame(records, BREAKDOWN_COLUMNS)


# ----------------------------------------------------------------------------- audit markers


def breakdown_measure(measure: str, column: str, code: str) -> str:
    """A breakdown row's audit measure: ``A5[position_type=academic]``,
    ``construct:mindset[gender=female]``."""
    base = f"construct:{measure}" if measure in CONSTRUCT_MEASURES else measure
    return f"{base}[{column}={code}]"


def breakdown_variables(root: Path) -> dict[str, Any]:
    """``breakdowns.variables`` of ``config/pipeline.yaml``: groups, labels, answer codes."""
    return dict((config.pipeline(root).get("breakdowns") or {}).get("variables") or {})


def breakdown_codes(root: Path, variable: str, group: str) -> tuple[str, list[str]] | None:
    """The respondent column and its answer codes that make up a breakdown group
    (:func:`breakdown_variables`); None for a group that also holds
    the respondents without an answer, or one the configuration does not define."""
    spec = breakdown_variables(root).get(variable)
    if not spec:
        return None
    defined = (spec.get("groups") or {}).get(group)
    if not defined or defined.get("missing") or not defined.get("codes"):
        return None
    return str(spec.get("column", variable)), [str(c) for c in defined["codes"]]


def table_sources(frame: pd.DataFrame, year: int, root: Path | None = None) -> str:
    """The audit marker of every count-based figure of a published table (indicators, items
    or breakdowns): what the audit recounts. A staff group of several answer codes is marked
    ``[column=a|b]``. Rows without a value are not marked, nor the group of those who did not
    answer or a government-wide row (it covers only the agencies with a published result):
    :mod:`helpers.audit.workbook` checks those from the file itself."""
    marks = []
    for r in frame.to_dict("records"):
        n = r.get("respondents")
        if not present(n):
            continue
        if "indicator" in r and r["indicator"] in INDICATOR_SURVEY and present(r.get("value")):
            survey = INDICATOR_SURVEY[r["indicator"]]
            marks.append(sources(year, survey, r["indicator"], {r["agency_code"]: n}))
        elif "item" in r and present(r.get("percent_positive")):
            marks.append(sources(year, "staff", f"item:{r['item']}", {r["agency_code"]: n}))
        elif "variable" in r and present(r.get("estimate")) and r["scope"] != "gov":
            codes = breakdown_codes(root or paths.project_root(), r["variable"], r["group"])
            if codes is None:
                continue
            measure = breakdown_measure(r["measure"], codes[0], "|".join(codes[1]))
            marks.append(sources(year, "staff", measure, {r["scope"]: n}))
    return join_sources(*marks)


# ----------------------------------------------------------------------------- CSV


def _csv_cell(value: Any) -> str:
    """A cell as CSV text: numbers as Python writes them (they read back as the same float,
    already rounded by the tables), nothing for a missing value, a text that a spreadsheet
    would take as a formula quoted with ``'``."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def public_columns(frame: pd.DataFrame, columns: Sequence[Column]) -> list[Column]:
    """The columns of ``columns`` that are in ``frame`` (helper columns, ``_...``, dropped)."""
    return [c for c in columns if c.key in frame.columns and not c.key.startswith("_")]


def csv_text(frame: pd.DataFrame, columns: Sequence[Column] | None = None) -> str:
    """A table as CSV text: a byte-order mark, one header row, CRLF line ends.

    Args:
        frame: the table; with ``columns``, its keys as column names; without, its column
            names are the headers (already "ไทย / English").
        columns: the table's :class:`Column` list, for the bilingual header.
    """
    if columns is None:
        headers, keys = [str(c) for c in frame.columns], list(frame.columns)
    else:
        shown = public_columns(frame, columns)
        headers, keys = [c.header for c in shown], [c.key for c in shown]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in frame[keys].itertuples(index=False):
        writer.writerow([_csv_cell(v) for v in row])
    return "\ufeff" + out.getvalue()


def csv_download_html(
    frame: pd.DataFrame,
    filename: str,
    label_th: str,
    label_en: str,
    *,
    columns: Sequence[Column] | None = None,
    marker: str = "",
) -> str:
    """An accessible link that saves ``frame`` as a CSV file, working offline.

    Args:
        frame: the table (see :func:`csv_text`).
        filename: the saved file's name (``01001_2565_scorecard.csv``).
        label_th: the link text in Thai.
        label_en: the link text in English (in ``<span class="en" lang="en">``).
        columns: the table's columns, for the "ไทย / English" header row.
        marker: the audit marker of the figures in the file (:func:`table_sources`).

    Returns:
        ``<a class="download" download=... href="data:text/csv;...">`` with the size of the
        file in both languages.
    """
    payload = csv_text(frame, columns).encode("utf-8")
    href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(payload).decode("ascii")
    size = max(1, round(len(payload) / 1024))
    attrs = f' data-sources="{esc(marker)}"' if marker else ""
    return (
        f'<a class="download" download="{esc(filename)}" href="{href}" type="text/csv"{attrs}>'
        f"{esc(label_th)} (CSV {size} KB)"
        f'<span class="en" lang="en">{esc(label_en)} (CSV, {size} KB)</span></a>'
    )


def scorecard_download_html(data: YearData, agency: str) -> str:
    """The agency's scorecard (A1-A7: value, interval, n, target, status, change) as CSV."""
    frame = indicator_table(data, agency)
    columns = indicator_columns(kpi.targets_are_placeholders(data.root))
    return csv_download_html(
        frame,
        f"{agency}_{data.year}_scorecard.csv",
        "ดาวน์โหลดตารางตัวชี้วัด",
        "Download the indicators",
        columns=columns,
        marker=table_sources(frame, data.year, data.root),
    )


def items_download_html(data: YearData, agency: str) -> str:
    """The agency's item results as CSV ('' when it has no item rows)."""
    frame = item_table(data, agency)
    if frame.empty:
        return ""
    return csv_download_html(
        frame,
        f"{agency}_{data.year}_items.csv",
        "ดาวน์โหลดผลรายข้อคำถาม",
        "Download the item results",
        columns=ITEM_COLUMNS,
        marker=table_sources(frame, data.year, data.root),
    )


def breakdowns_download_html(data: YearData, agency: str) -> str:
    """The agency's staff-group breakdowns as CSV ('' when the year has none for it)."""
    frame = breakdown_table(data, agency)
    if frame is None or frame.empty:
        return ""
    return csv_download_html(
        frame,
        f"{agency}_{data.year}_breakdowns.csv",
        "ดาวน์โหลดผลจำแนกตามกลุ่มบุคลากร",
        "Download the results by staff group",
        columns=BREAKDOWN_COLUMNS,
        marker=table_sources(frame, data.year, data.root),
    )


def downloads_html(data: YearData, agency: str) -> str:
    """Every download of an agency's report as a list (scorecard, items, breakdowns)."""
    links = [
        scorecard_download_html(data, agency),
        items_download_html(data, agency),
        breakdowns_download_html(data, agency),
    ]
    items = "".join(f"<li>{link}</li>" for link in links if link)
    return f'<ul class="downloads">{items}</ul>'
