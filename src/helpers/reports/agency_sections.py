"""The agency report's sections on what to act on (issue 15): the action section, the item
results (five most and least positive, the full item table with its change test), results by
staff group, the respondent profile with its cautions, and the model-based estimate of a
small agency's satisfaction.

:class:`AgencySections` is a mixin of :class:`helpers.reports.agency.AgencyReport`: it reads
the same :class:`~helpers.reports.tables.YearData` and writes escaped HTML in the report's
conventions (Thai, then English; a withheld figure says "ไม่เผยแพร่ / Not published" and never
shows a number; every figure from survey answers carries its audit marker with its respondents).

Item change test: the change in percent positive since last year is tested as two
independent samples, as the indicator changes are (:mod:`helpers.indicators.kpi`), with each
year's standard error of percent positive from the calibrated design (``se_positive`` of
items.parquet): ``z = change / sqrt(se1**2 + se0**2)``, two-sided p (:func:`item_change_test`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from scipy import special

from helpers.core import config
from helpers.indicators import kpi
from helpers.reports import actions, downloads
from helpers.reports.charts import MISSING, NO_DATA, SOURCES
from helpers.reports.formatting import (
    bilingual,
    english_list,
    facts_html,
    format_p,
    para,
    present,
    thai_list,
)
from helpers.reports.htmlexport import esc, join_sources, sources_attr
from helpers.reports.tables import YearData

# Short column heads of the measures broken down by staff group (Thai, English).
MEASURE_HEADS = {
    "A3": ("A3 ดำเนินการตาม IDP (%)", "A3 IDP carried out (%)"),
    "A5": ("A5 ความพึงพอใจ (0–100)", "A5 Satisfaction (0–100)"),
    "A6": ("A6 ผลงานเชิงนวัตกรรม (%)", "A6 Innovative work (%)"),
}
# The construct scores broken down: audit measure ``construct:<name>``.
INDICATOR_MEASURES = ("A3", "A5", "A6")
TOP_N = 5  # the most and least positive items
NOT_PUBLISHED = ("ไม่เผยแพร่", "Not published")
DEFAULT_CAUTIONS = {"response_rate_below": 0.2, "effective_n_below": 30, "small_sample_below": 30}


def item_change_test(
    now: float, se_now: float, before: float, se_before: float
) -> tuple[float, float]:
    """(change, two-sided p) of a percentage between two independent samples (z-test).

    Args:
        now: this year's percentage (0-100).
        se_now: its standard error from the calibrated design (percentage points).
        before: last year's percentage.
        se_before: last year's standard error.

    Returns:
        The change in percentage points and its p (NaN when both standard errors are 0 or
        one is unknown).
    """
    change = now - before
    spread = math.hypot(se_now, se_before)
    if not spread > 0:
        return change, float("nan")
    return change, float(2 * special.ndtr(-abs(change / spread)))


def cautions_settings(root: Path | None = None) -> dict[str, float]:
    """The ``cautions`` section of ``config/reports.yaml`` (defaults for absent keys)."""
    section = config.reports(root).get("cautions") or {}
    return {key: float(section.get(key, value)) for key, value in DEFAULT_CAUTIONS.items()}


def _cell_label(th: str, en: str) -> str:
    return f'<span class="cell-label">{bilingual(th, en)}</span>'


def _table_head(headers: list[tuple[str, str, str]], widths: list[int]) -> str:
    cols = "".join(f'<col style="width:{w}%">' for w in widths)
    cells = "".join(
        f'<th scope="col"{f" class={css!r}" if css else ""}>{bilingual(th, en)}</th>'
        for th, en, css in headers
    )
    return f"<colgroup>{cols}</colgroup><thead><tr>{cells}</tr></thead>"


def _unscaled(label: str) -> str:
    """A column head without its bracketed scale: "A5 Satisfaction (0–100)" -> "A5
    Satisfaction"."""
    return re.sub(r"\s*\([^()]*\)$", "", label)


def _withheld_html() -> str:
    return f'<span class="withheld">{bilingual(*NOT_PUBLISHED, inline=True)}</span>'


class AgencySections:
    """Mixin of :class:`helpers.reports.agency.AgencyReport` (module docstring)."""

    data: YearData
    year: int
    root: Path
    k: int
    agency: str
    rows: pd.DataFrame
    items: Callable[[], pd.DataFrame]
    sample: Callable[[], dict[str, Any]]
    _mark: Callable[..., str]
    # the first row of each staff-group table: the scope's overall value
    WHOLE_LABEL = ("ทั้งหน่วยงาน", "Whole agency")

    # -- items -------------------------------------------------------------------------------

    def item_table(self) -> pd.DataFrame:
        """Every item of the agency in codebook order with its results, the change in
        percent positive since last year (``change``, ``change_p``, ``change_note``: why
        there is none), the government median of percent positive and the audit markers
        (``SOURCES``, and ``change_sources`` for the change)."""
        items = self.items()
        book = config.codebook("staff_survey", self.root)
        order = {c.name: i for i, c in enumerate(book.items())}
        everyone = self.data.table("items")
        medians = everyone.groupby("item")["percent_positive"].median()
        before = self.data.previous("indicators/items")
        past = (
            before[before["agency_code"] == self.agency].set_index("item")
            if before is not None
            else pd.DataFrame()
        )
        records = []
        for r in items.to_dict("records"):
            change = p = float("nan")
            note, mark = "", ""
            if r[MISSING] == "":
                old = past.loc[r["item"]] if r["item"] in past.index else None
                if old is None:
                    note = "none"
                elif not present(old["percent_positive"]):
                    note = "withheld" if present(old["suppression_reason"]) else "none"
                else:
                    change, p = item_change_test(
                        float(r["percent_positive"]),
                        float(r.get("se_positive", float("nan"))),
                        float(old["percent_positive"]),
                        float(old.get("se_positive", float("nan"))),
                    )
                    mark = join_sources(
                        r[SOURCES],
                        self._mark("staff", f"item:{r['item']}", old["respondents"], self.year - 1),
                    )
            records.append(
                {
                    **r,
                    "construct": book.column(r["item"]).construct,
                    "change": change,
                    "change_p": p,
                    "change_note": note,
                    "change_sources": mark,
                    "gov_median": medians.get(r["item"], float("nan")),
                    "_order": order.get(r["item"], len(order)),
                }
            )
        out = pd.DataFrame(records)
        if out.empty:
            return out
        return (
            out.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)
        )

    def top_bottom_items(self, n: int = TOP_N) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(most positive, least positive) published items by percent positive (reverse-
        coded items in their favourable direction), ``n`` each, never the same item twice;
        ties in codebook order."""
        table = self.item_table()
        if table.empty:
            return table, table
        shown = table[table[MISSING] == ""].reset_index(drop=True)
        shown = shown.assign(_order=range(len(shown)))
        top = shown.sort_values(["percent_positive", "_order"], ascending=[False, True]).head(n)
        rest = shown[~shown["item"].isin(top["item"])]
        bottom = rest.sort_values(["percent_positive", "_order"], ascending=[True, True]).head(n)
        return (
            top.drop(columns="_order").reset_index(drop=True),
            bottom.drop(columns="_order").reset_index(drop=True),
        )

    def top_bottom_html(self) -> str:
        """The five most and the five least positive items, side by side (stacked on a
        phone)."""
        top, bottom = self.top_bottom_items()
        if top.empty:
            return self._no_items_note()
        blocks = []
        for frame, th, en in (
            (top, "ข้อที่มีคำตอบเชิงบวกสูงสุด", "Most positive items"),
            (bottom, "ข้อที่มีคำตอบเชิงบวกต่ำสุด", "Least positive items"),
        ):
            if frame.empty:
                continue
            lis = "".join(
                f"<li{sources_attr(r[SOURCES])}>"
                + bilingual(
                    f"{r['label']}: เชิงบวกร้อยละ {r['percent_positive']:.0f} "
                    f"เชิงลบร้อยละ {r['percent_negative']:.0f}",
                    f"{r['en']}: {r['percent_positive']:.0f}% positive, "
                    f"{r['percent_negative']:.0f}% negative",
                )
                + "</li>"
                for r in frame.to_dict("records")
            )
            blocks.append(f"<div><h3>{bilingual(th, en)}</h3><ol>{lis}</ol></div>")
        return f'<div class="two-col top-items">{"".join(blocks)}</div>'

    def _no_items_note(self) -> str:
        table = self.item_table()
        if len(table) and (table[MISSING] != NO_DATA).any():
            return para(
                f"ไม่เผยแพร่ผลรายข้อ เนื่องจากมีผู้ตอบน้อยกว่า {self.k} คน",
                f"Item results are not published: fewer than {self.k} respondents.",
                css="suppressed-note",
            )
        return para(
            "ไม่มีข้อมูลผลรายข้อ เนื่องจากไม่มีคำตอบแบบสำรวจบุคลากร",
            "No item results: there are no staff survey answers.",
            css="note",
        )

    def _item_change_html(self, r: dict[str, Any]) -> str:
        if r["change_note"] == "withheld":
            return (
                '<span class="note">'
                + bilingual("ปีก่อนไม่เผยแพร่", "last year not published", inline=True)
                + "</span>"
            )
        if not present(r["change"]):
            return (
                '<span class="note">'
                + bilingual("ไม่มีข้อมูลปีก่อน", "no previous year", inline=True)
                + "</span>"
            )
        text = esc(f"{r['change']:+.1f}")
        if present(r["change_p"]) and r["change_p"] < kpi.SIGNIFICANCE:
            arrow = "▲" if r["change"] > 0 else "▼"
            text += (
                f' <span class="change-sig" data-significant="true">{arrow} '
                f"{esc(format_p(r['change_p']))}</span>"
            )
        return text

    def item_table_html(self) -> str:
        """The full item table (cards on a phone): wording, percent positive / neutral /
        negative, change in percent positive since last year with its test, and the
        government median; withheld items say so."""
        table = self.item_table()
        if table.empty or (table[MISSING] == NO_DATA).all():
            return self._no_items_note()
        headers = [
            ("ข้อคำถาม", "Item", ""),
            ("เชิงบวก (%)", "Positive (%)", "num"),
            ("เป็นกลาง (%)", "Neutral (%)", "num"),
            ("เชิงลบ (%)", "Negative (%)", "num"),
            ("เชิงบวก เทียบปีก่อน (จุดร้อยละ)", "Positive, change (pp)", "num"),
            ("มัธยฐานทุกหน่วยงาน (% เชิงบวก)", "Median of all agencies (% positive)", "num"),
        ]
        labels = [_cell_label(th, en) for th, en, _ in headers]
        book = config.codebook("staff_survey", self.root)
        body, construct = [], None
        for r in table.to_dict("records"):
            if r["construct"] != construct:
                construct = r["construct"]
                spec = book.constructs.get(construct, {"th": construct, "en": construct})
                body.append(
                    f'<tr class="group-row"><th colspan="6" scope="colgroup">'
                    f"{bilingual(spec['th'], spec['en'])}</th></tr>"
                )
            mark = sources_attr(r[SOURCES])
            median = f"{r['gov_median']:.1f}" if present(r["gov_median"]) else "–"
            name = f'<th scope="row">{labels[0]}{bilingual(r["label"], r["en"])}</th>'
            if r[MISSING] == "":
                cells = [
                    f'<td class="num"{mark}>{labels[i]}<span class="cell-value">'
                    f"{r[column]:.1f}</span></td>"
                    for i, column in (
                        (1, "percent_positive"),
                        (2, "percent_neutral"),
                        (3, "percent_negative"),
                    )
                ]
                cells.append(
                    f'<td class="num"{sources_attr(r["change_sources"])}>{labels[4]}'
                    f'<span class="cell-value">{self._item_change_html(r)}</span></td>'
                )
            else:
                why = (
                    '<span class="withheld">'
                    + bilingual(
                        f"ไม่เผยแพร่ (ผู้ตอบน้อยกว่า {self.k} คน)",
                        f"Not published (fewer than {self.k} respondents)",
                        inline=True,
                    )
                    + "</span>"
                    if r[MISSING] != NO_DATA
                    else bilingual("ไม่มีผู้ตอบ", "Nobody answered", inline=True)
                )
                cells = [f'<td colspan="4" class="withheld-cell">{why}</td>']
            cells.append(
                f'<td class="num">{labels[5]}<span class="cell-value">{median}</span></td>'
            )
            body.append(f'<tr data-item="{esc(r["item"])}">{name}{"".join(cells)}</tr>')
        legend = para(
            "ร้อยละของคำตอบเชิงบวก เป็นกลาง และเชิงลบ ตามมาตรวัดของแต่ละข้อ (ข้อคำถามเชิงลบกลับทิศคำตอบแล้ว) "
            "การเปลี่ยนแปลงเทียบปีก่อนเป็นจุดร้อยละของคำตอบเชิงบวก เครื่องหมาย ▲/▼ แสดงเฉพาะการเปลี่ยนแปลงที่มี"
            "นัยสำคัญทางสถิติ (p < 0.05) มัธยฐานคำนวณจากค่าที่หน่วยงานต่าง ๆ เผยแพร่ได้",
            "Percent positive, neutral and negative on each item's own answer scale (negatively "
            "worded items reversed). The change is in percentage points of positive answers; "
            "▲/▼ marks only statistically significant changes (p < 0.05). The median is of the "
            "agencies' published values.",
            css="note",
        )
        return (
            '<table class="item-table stack fixed" id="item-table"><caption>'
            + bilingual("ผลรายข้อคำถามทั้งหมด", "All items")
            + "</caption>"
            + _table_head(headers, [40, 11, 11, 11, 14, 13])
            + f"<tbody>{''.join(body)}</tbody></table>"
            + legend
        )

    # -- staff groups ------------------------------------------------------------------------

    def breakdowns(self) -> pd.DataFrame:
        """The agency's rows of the breakdown table, exactly as published (empty when the
        year has none)."""
        table = self.data.table("breakdowns")
        if table is None:
            return pd.DataFrame()
        return table[table["scope"] == self.agency].reset_index(drop=True)

    @staticmethod
    def _audit_measure(measure: str) -> str:
        return measure if measure in INDICATOR_MEASURES else f"construct:{measure}"

    def _group_mark(self, row: dict[str, Any]) -> str:
        """The audit marker of a shown group cell: ``<measure>[<column>=<code>|<code>…]``,
        the answer codes the group is made of (:func:`helpers.reports.downloads.breakdown_codes`,
        as the downloads mark theirs). The group that also takes the respondents without an
        answer ("other or not stated", "not stated") cannot be written so and gets no marker;
        its cells are covered by the audit's derivation check of the table."""
        n = row["respondents"]
        if not present(n) or int(n) < self.k:
            return ""
        codes = downloads.breakdown_codes(self.root, str(row["breakdown"]), str(row["group"]))
        if codes is None:
            return ""
        column, values = codes
        return self._mark(
            "staff", downloads.breakdown_measure(row["measure"], column, "|".join(values)), n
        )

    def _measure_head(self, measure: str) -> tuple[str, str]:
        if measure in MEASURE_HEADS:
            return MEASURE_HEADS[measure]
        spec = config.codebook("staff_survey", self.root).constructs.get(
            measure, {"th": measure, "en": measure}
        )
        return f"{spec['th']} (0–100)", f"{spec['en']} (0–100)"

    @staticmethod
    def _value_ci(value: Any, low: Any, high: Any) -> str:
        text = f"<b>{value:.1f}</b>"
        if present(low) and present(high):
            text += f' <span class="note nowrap">({low:.1f}–{high:.1f})</span>'
        return f'<span class="cell-value">{text}</span>'

    def _breakdown_cell(self, row: dict[str, Any], mark: str) -> str:
        if row["suppressed"] is not None and present(row["suppressed"]):
            return _withheld_html()
        if present(row["estimate"]):
            return self._value_ci(row["estimate"], row["ci_low"], row["ci_high"])
        if present(row["respondents"]) and int(row["respondents"]) == 0:
            return '<span class="note">' + bilingual("ไม่มีผู้ตอบ", "none", inline=True) + "</span>"
        return "–"

    def breakdowns_html(self) -> str:
        """One table per staff grouping (position type, level group, age band, gender,
        years of service): the groups as rows, the measures as columns, each cell the value
        with its 95 % interval, the whole agency first; withheld cells say so."""
        rows = self.breakdowns()
        if rows.empty:
            return para("ไม่มีข้อมูลผลจำแนกตามกลุ่มบุคลากร", "No results by staff group.", css="note")
        if rows["overall_estimate"].isna().all():
            return para(
                f"ไม่เผยแพร่ผลจำแนกตามกลุ่มบุคลากร เนื่องจากหน่วยงานนี้มีผู้ตอบน้อยกว่า {self.k} คน",
                f"Results by staff group are not published: fewer than {self.k} respondents.",
                css="suppressed-note",
            )
        measures = list(dict.fromkeys(rows["measure"]))
        heads = [self._measure_head(m) for m in measures]
        width = 12 if len(measures) >= 6 else 14
        first = max(100 - width * len(measures), 20)
        tables = []
        for breakdown, part in rows.groupby("breakdown", sort=False):
            head_row = part.iloc[0]
            headers = [("กลุ่ม", "Group", ""), *((th, en, "num") for th, en in heads)]
            # a card's labels without the scale: "(0–100)" beside the value and its interval
            # would read as one long number (the audit looks for ID numbers in such runs)
            labels = [_cell_label(_unscaled(th), _unscaled(en)) for th, en, _ in headers]
            overall = part.drop_duplicates("measure").set_index("measure")
            cells = []
            for i, m in enumerate(measures, 1):
                o = overall.loc[m]
                mark = (
                    self._mark("staff", self._audit_measure(m), o["overall_respondents"])
                    if present(o["overall_estimate"])
                    else ""
                )
                value = (
                    self._value_ci(o["overall_estimate"], o["overall_ci_low"], o["overall_ci_high"])
                    if present(o["overall_estimate"])
                    else _withheld_html()
                )
                cells.append(f'<td class="num"{sources_attr(mark)}>{labels[i]}{value}</td>')
            body = [
                '<tr class="overall-row"><th scope="row">'
                + labels[0]
                + bilingual(*self.WHOLE_LABEL)
                + "</th>"
                + "".join(cells)
                + "</tr>"
            ]
            # rows as records, looked up by (group, measure): a data-frame filter per cell
            # cost a report a tenth of a second
            first_of: dict[Any, dict[str, Any]] = {}
            cell_of: dict[tuple[Any, Any], dict[str, Any]] = {}
            for record in part.sort_values("group_order", kind="stable").to_dict("records"):
                if not present(record["group"]):
                    continue
                first_of.setdefault(record["group"], record)
                cell_of.setdefault((record["group"], record["measure"]), record)
            for group, g in first_of.items():
                cells = []
                for i, m in enumerate(measures, 1):
                    row = cell_of.get((group, m))
                    if row is None:
                        cells.append(f'<td class="num">{labels[i]}–</td>')
                        continue
                    mark = self._group_mark(row) if present(row["estimate"]) else ""
                    cells.append(
                        f'<td class="num"{sources_attr(mark)}>{labels[i]}'
                        f"{self._breakdown_cell(row, mark)}</td>"
                    )
                body.append(
                    f'<tr data-group="{esc(group)}"><th scope="row">{labels[0]}'
                    f"{bilingual(g['group_th'], g['group_en'])}</th>{''.join(cells)}</tr>"
                )
            tables.append(
                f'<table class="breakdown-table stack fixed" data-breakdown="{esc(breakdown)}">'
                f"<caption>{bilingual(head_row['breakdown_th'], head_row['breakdown_en'])}"
                "</caption>"
                + _table_head(headers, [first, *[width] * len(measures)])
                + f"<tbody>{''.join(body)}</tbody></table>"
            )
        return "".join(tables) + self.suppression_note()

    def suppression_note(self) -> str:
        """How results by staff group are withheld: primary and complementary suppression."""
        return para(
            "ดัชนีความพึงพอใจ (A5) และคะแนนรายด้านมีค่า 0–100 ส่วน A3 และ A6 เป็นร้อยละ "
            "ค่าในวงเล็บคือช่วงความเชื่อมั่น 95% “ไม่เผยแพร่” มีสองกรณี คือ กลุ่มที่มีผู้ตอบน้อยกว่า "
            f"{self.k} คน (การปกปิดข้อมูลขั้นต้น) และกลุ่มอื่นที่ต้องปกปิดเพิ่มเติมเพื่อไม่ให้คำนวณย้อนกลับหา"
            "ค่าหรือจำนวนผู้ตอบของกลุ่มที่ปกปิดได้จากผลรวมของหน่วยงานและกลุ่มที่แสดง (การปกปิดข้อมูลเสริม) "
            "โดยปกปิดกลุ่มที่เล็กที่สุดก่อน รายงานไม่ระบุว่าช่องใดปกปิดด้วยเหตุใด",
            "The satisfaction index (A5) and the area scores run from 0 to 100; A3 and A6 are "
            "percentages. Brackets hold the 95% confidence interval. “Not published” has two "
            f"causes: a group with fewer than {self.k} respondents (primary suppression), and "
            "further groups, the smallest first, withheld so that no withheld value or count "
            "can be worked out from the agency's total and the groups shown (complementary "
            "suppression). The report does not say which cause applies to which cell.",
            css="note",
        )

    # -- respondent profile and cautions -----------------------------------------------------

    def profile_measure(self) -> str | None:
        """The measure whose respondents the profile counts: the one most staff answered
        (the first in the table's order on a tie); None without published rows."""
        rows = self.breakdowns()
        if rows.empty:
            return None
        totals = rows.drop_duplicates("measure").set_index("measure")["overall_respondents"]
        totals = pd.to_numeric(totals, errors="coerce").dropna()
        if totals.empty or totals.max() < self.k:
            return None
        return str(totals.idxmax())

    def profile_html(self) -> str:
        """Respondents by staff group (count and percent), withheld as the breakdowns are."""
        measure = self.profile_measure()
        if measure is None:
            return para(
                f"ไม่เผยแพร่ข้อมูลผู้ตอบจำแนกตามกลุ่ม เนื่องจากมีผู้ตอบน้อยกว่า {self.k} คน"
                if not self.breakdowns().empty
                else "ไม่มีข้อมูลผู้ตอบจำแนกตามกลุ่ม",
                f"No respondent profile: fewer than {self.k} respondents."
                if not self.breakdowns().empty
                else "No respondent profile.",
                css="suppressed-note",
            )
        rows = self.breakdowns()
        rows = rows[rows["measure"] == measure]
        total = int(rows["overall_respondents"].iloc[0])
        total_mark = self._mark("staff", self._audit_measure(measure), total)
        headers = [
            ("กลุ่ม", "Group", ""),
            ("ผู้ตอบ", "Respondents", "num"),
            ("ร้อยละ", "Percent", "num"),
        ]
        labels = [_cell_label(th, en) for th, en, _ in headers]
        tables = []
        for breakdown, part in rows.groupby("breakdown", sort=False):
            body = []
            for r in part.sort_values("group_order", kind="stable").to_dict("records"):
                n = r["respondents"]
                name = f'<th scope="row">{labels[0]}{bilingual(r["group_th"], r["group_en"])}</th>'
                if present(r["suppressed"]) or not present(n):
                    body.append(
                        f'<tr>{name}<td class="num" colspan="2">{_withheld_html()}</td></tr>'
                    )
                    continue
                mark = self._group_mark(r)
                body.append(
                    f"<tr>{name}"
                    f'<td class="num"{sources_attr(mark)}>{labels[1]}'
                    f'<span class="cell-value">{int(n):,}</span></td>'
                    f'<td class="num">{labels[2]}'
                    f'<span class="cell-value">{100 * int(n) / total:.0f}</span></td></tr>'
                )
            body.append(
                f'<tr class="overall-row"><th scope="row">{labels[0]}'
                f"{bilingual('รวม', 'Total')}</th>"
                f'<td class="num"{sources_attr(total_mark)}>{labels[1]}'
                f'<span class="cell-value">{total:,}</span></td>'
                f'<td class="num">{labels[2]}<span class="cell-value">100</span></td></tr>'
            )
            first = part.iloc[0]
            tables.append(
                f'<table class="profile-table stack fixed" data-breakdown="{esc(breakdown)}">'
                f"<caption>{bilingual(first['breakdown_th'], first['breakdown_en'])}</caption>"
                + _table_head(headers, [56, 22, 22])
                + f"<tbody>{''.join(body)}</tbody></table>"
            )
        th, en = self._measure_head(measure)
        note = para(
            f"นับผู้ตอบที่ตอบคำถามของ{th.split(' (')[0]} ซึ่งเป็นตัวชี้วัดที่มีผู้ตอบมากที่สุด ผู้ที่ไม่ตอบ"
            "คำถามเกี่ยวกับกลุ่มของตนนับในกลุ่ม “ไม่ระบุ” กลุ่มที่ไม่เผยแพร่ปกปิดตามหลักเดียวกับผลจำแนกตามกลุ่ม",
            f"Counted among the staff who answered {en.split(' (')[0]}, the measure most staff "
            "answered. Staff who did not say their group are counted as not stated. Groups are "
            "withheld by the same rules as the results by staff group.",
            css="note",
        )
        return f'<div class="profile-grid">{"".join(tables)}</div>{note}'

    def cautions(self) -> list[tuple[str, str]]:
        """The cautions (Thai, English) on this agency's staff results: a response rate or
        an effective sample size below the thresholds of ``cautions`` in
        ``config/reports.yaml``; none when the staff results are not published."""
        staff = self.sample()["staff"]
        if staff["respondents"] is None:
            return []
        limits = cautions_settings(self.root)
        out = []
        rate = staff["response_rate"]
        if rate is not None and rate < limits["response_rate_below"]:
            floor = 100 * limits["response_rate_below"]
            out.append(
                (
                    f"อัตราการตอบกลับของบุคลากรเท่ากับร้อยละ {100 * rate:.1f} ต่ำกว่าร้อยละ {floor:.0f} "
                    "ผลจึงอาจไม่สะท้อนความเห็นของบุคลากรทั้งหมด หากผู้ที่ตอบแตกต่างจากผู้ที่ไม่ได้ตอบ "
                    "เนื่องจากการถ่วงน้ำหนักปรับได้เฉพาะสัดส่วนตามประเภทตำแหน่ง",
                    f"The staff response rate is {100 * rate:.1f}%, below {floor:.0f}%: the "
                    "results may not reflect the whole staff if those who answered differ from "
                    "those who did not, since the weights correct only the mix of position groups.",
                )
            )
        n_eff = staff["effective_n"]
        if n_eff is not None and n_eff < limits["effective_n_below"]:
            half = 196 * math.sqrt(0.25 / max(n_eff, 1.0))
            out.append(
                (
                    f"ขนาดตัวอย่างที่มีประสิทธิผลเท่ากับ {n_eff:,.0f} น้อยกว่า "
                    f"{limits['effective_n_below']:.0f} ช่วงความเชื่อมั่น 95% ของร้อยละจึงกว้างได้ถึง"
                    f"ประมาณ ±{half:.0f} จุดร้อยละ ความแตกต่างที่เล็กกว่านี้อาจเกิดจากความคลาดเคลื่อนจากการสุ่ม",
                    f"The effective sample size is {n_eff:,.0f}, below "
                    f"{limits['effective_n_below']:.0f}: a percentage's 95% confidence interval "
                    f"can be about ±{half:.0f} points wide, so smaller differences may be "
                    "sampling noise.",
                )
            )
        return out

    def caution_html(self) -> str:
        """The cautions as a notice ('' when none applies)."""
        found = self.cautions()
        if not found:
            return ""
        mark = self._mark("staff", "respondents", self.sample()["staff"]["respondents"])
        return (
            f'<div class="notice caution" role="note"{sources_attr(mark)}>'
            + para("ข้อควรระวังในการอ่านผล", "Read these results with care", css="notice-title")
            + "".join(para(th, en) for th, en in found)
            + "</div>"
        )

    # -- small agencies ----------------------------------------------------------------------

    def model_estimate(self) -> dict[str, float] | None:
        """The random-intercept model's (shrunken) satisfaction estimate of a small agency:
        ``value``, ``ci_low``, ``ci_high`` (shrunken mean +/- 1.96 conditional SE) and
        ``weight`` (the share its own data gets), with the direct A5 (``direct``, ``direct_low``,
        ``direct_high``, ``n``). None unless A5 is published from at least the reporting
        threshold and fewer than ``cautions.small_sample_below`` respondents, and the model
        used at least the threshold of the agency's respondents."""
        effects = self.data.model("staff_agency_effects")  # read always: the digest covers it
        row = self.rows.loc["A5"]
        n = row["respondents"]
        small = cautions_settings(self.root)["small_sample_below"]
        if not present(row["value"]) or not present(n) or not self.k <= int(n) < small:
            return None
        if effects is None:
            return None
        mine = effects[effects["group"].astype(str) == self.agency]
        if mine.empty or int(mine["n"].iloc[0]) < self.k:
            return None
        m = mine.iloc[0]
        if not present(m["shrunken_mean"]):
            return None
        se = float(m["blup_se"]) if present(m["blup_se"]) else float("nan")
        return {
            "value": float(m["shrunken_mean"]),
            "ci_low": max(float(m["shrunken_mean"]) - 1.96 * se, 0.0),
            "ci_high": min(float(m["shrunken_mean"]) + 1.96 * se, 100.0),
            "weight": float(m["reliability"]),
            "direct": float(row["value"]),
            "direct_low": float(row["ci_low"]),
            "direct_high": float(row["ci_high"]),
            "n": int(n),
        }

    def model_estimate_html(self) -> str:
        """The direct and model-based satisfaction of a small agency side by side ('' when
        :meth:`model_estimate` gives none)."""
        est = self.model_estimate()
        if est is None:
            return ""
        mark = self._mark("staff", "A5", est["n"])
        facts = [
            (
                ("ค่าประมาณโดยตรง (จากคำตอบของหน่วยงานนี้)", "Direct estimate (this agency's answers)"),
                f"{est['direct']:.1f}<small>"
                + bilingual(
                    f"ช่วงความเชื่อมั่น 95%: {est['direct_low']:.1f}–{est['direct_high']:.1f}",
                    f"95% CI {est['direct_low']:.1f}–{est['direct_high']:.1f}",
                )
                + "</small>",
                mark,
            ),
            (
                (
                    "ค่าประมาณจากแบบจำลอง (ปรับเข้าหาค่าที่คาดจากข้อมูลของทุกหน่วยงาน)",
                    "Model-based estimate (pulled towards what all agencies' data predict)",
                ),
                f"{est['value']:.1f}<small>"
                + bilingual(
                    f"ช่วงโดยประมาณ: {est['ci_low']:.1f}–{est['ci_high']:.1f}",
                    f"approximate interval {est['ci_low']:.1f}–{est['ci_high']:.1f}",
                )
                + "</small>",
                mark,
            ),
        ]
        small = cautions_settings(self.root)["small_sample_below"]
        note = para(
            f"หน่วยงานนี้มีผู้ตอบน้อยกว่า {small:.0f} คน ค่าประมาณโดยตรงจึงมีความคลาดเคลื่อนสูง "
            "ค่าประมาณจากแบบจำลองพหุระดับ (random-intercept model ของดัชนีความพึงพอใจ) ใช้ข้อมูลของหน่วยงานนี้"
            f"ร่วมกับข้อมูลของทุกหน่วยงาน โดยให้น้ำหนักแก่ข้อมูลของหน่วยงานนี้ร้อยละ {100 * est['weight']:.0f} "
            "ค่าที่รายงานเป็นทางการยังคงเป็นค่าประมาณโดยตรง",
            f"This agency has fewer than {small:.0f} respondents, so its direct estimate is "
            "imprecise. The model-based estimate (a random-intercept model of the satisfaction "
            "index) combines this agency's data with all agencies', giving this agency's own "
            f"data a weight of {100 * est['weight']:.0f}%. The official figure remains the "
            "direct estimate.",
            css="note",
        )
        return f'<div class="model-estimate">{facts_html(facts)}{note}</div>'

    # -- from results to action --------------------------------------------------------------

    def action_areas(self) -> pd.DataFrame:
        """The areas of the government-wide model for this agency, ranked
        (:func:`helpers.reports.actions.rank_areas`), with ``th``, ``en``, the audit marker
        and the two least positive published items of each construct."""
        importance = self.data.model("staff_importance")
        if importance is None or importance.empty:
            return pd.DataFrame()
        measures = self.data.table("measures")
        mine = measures[measures["agency_code"] == self.agency].set_index("measure")
        book = config.codebook("staff_survey", self.root)
        items = self.item_table()
        shown = items[items[MISSING] == ""] if len(items) else items
        records = []
        for term in importance["term"]:
            if term not in actions.AREAS:
                continue
            area, kind, code = actions.AREAS[term]
            share = float(importance.loc[importance["term"] == term, "share_pratt"].iloc[0])
            if kind == "indicator":
                row = self.rows.loc[code]
                th, en = self.data.label(code)
                th, en = f"{code} {th}", f"{code} {en}"
                unit = "%"
                audit = code
            else:
                row = mine.loc[code] if code in mine.index else pd.Series(dtype=object)
                spec = book.constructs.get(code, {"th": code, "en": code})
                th, en, unit, audit = spec["th"], spec["en"], "", f"construct:{code}"
            value = row.get("value", float("nan"))
            weakest: list[dict[str, Any]] = []
            if kind == "measure" and len(shown):
                of = shown[shown["construct"] == code]
                weakest = of.nsmallest(2, "percent_positive").to_dict("records")
            records.append(
                {
                    "area": area,
                    "term": term,
                    "th": th,
                    "en": en,
                    "unit": unit,
                    "value": value,
                    "ci_low": row.get("ci_low", float("nan")),
                    "ci_high": row.get("ci_high", float("nan")),
                    "gov_median": row.get("gov_median", float("nan")),
                    "importance": share,
                    SOURCES: self._mark("staff", audit, row.get("respondents"))
                    if present(value)
                    else "",
                    "weakest": weakest,
                }
            )
        return actions.rank_areas(pd.DataFrame(records)) if records else pd.DataFrame()

    def _area_html(self, r: dict[str, Any], library: actions.Library) -> str:
        unit_th = "จุดร้อยละ" if r["unit"] == "%" else "คะแนน"
        unit_en = "points"
        suffix = "%" if r["unit"] else ""
        side = {
            actions.CHALLENGE: ("ต่ำกว่า", "below"),
            actions.STRENGTH: ("สูงกว่า", "above"),
            actions.ON_PAR: ("ใกล้เคียง", "level with"),
        }[r["kind"]]
        clear = (
            (
                " อย่างชัดเจน (ช่วงความเชื่อมั่น 95% ไม่ครอบคลุมมัธยฐาน)",
                " clearly (the 95% interval excludes the median)",
            )
            if r["clear"]
            else ("", "")
        )
        gap = abs(r["gap"])
        line = para(
            f"{r['th']}: {r['value']:.1f}{suffix} {side[0]}มัธยฐานของทุกหน่วยงาน "
            f"({r['gov_median']:.1f}{suffix})"
            + (f" {gap:.1f} {unit_th}" if r["kind"] != actions.ON_PAR else "")
            + clear[0]
            + f" ในแบบจำลองของทุกหน่วยงาน ด้านนี้อธิบายความพึงพอใจได้ร้อยละ {100 * r['importance']:.0f} "
            "ของส่วนที่แบบจำลองอธิบายได้",
            f"{r['en']}: {r['value']:.1f}{suffix}, "
            + (f"{gap:.1f} {unit_en} " if r["kind"] != actions.ON_PAR else "")
            + f"{side[1]} the median of all agencies ({r['gov_median']:.1f}{suffix}){clear[1]}; "
            f"it accounts for {100 * r['importance']:.0f}% of what the government-wide model "
            "explains of satisfaction.",
            css="area-result",
            attrs=sources_attr(r[SOURCES]),
        )
        weakest = ""
        if r["weakest"]:
            names_th = thai_list(
                [f"“{w['label']}” (ร้อยละ {w['percent_positive']:.0f})" for w in r["weakest"]]
            )
            names_en = english_list(
                [f"“{w['en']}” ({w['percent_positive']:.0f}%)" for w in r["weakest"]]
            )
            weakest = para(
                f"ข้อที่มีคำตอบเชิงบวกต่ำสุดในด้านนี้: {names_th}",
                f"Least positive items of this area: {names_en}.",
                css="note",
                attrs=sources_attr(*(w[SOURCES] for w in r["weakest"])),
            )
        prompts = library.for_area(r["area"])
        if prompts:
            draft = (
                ' <span class="placeholder-mark">'
                + bilingual("(ร่าง รอการทบทวน)", "(draft, awaiting review)", inline=True)
                + "</span>"
                if library.placeholder
                else ""
            )
            lis = "".join(f"<li>{bilingual(th, en)}</li>" for th, en in prompts)
            advice = (
                f'<div class="prompts" data-placeholder="{str(library.placeholder).lower()}">'
                + f"<p>{bilingual('แนวทางที่อาจพิจารณา', 'Prompts to consider', inline=True)}"
                + f"{draft}</p><ul>{lis}</ul></div>"
            )
        else:
            advice = para(
                "คลังข้อเสนอแนวทางดำเนินการยังไม่มีข้อเสนอสำหรับด้านนี้",
                "The action library has no prompt for this area yet.",
                css="note",
            )
        attrs = f'data-area="{esc(r["area"])}" data-kind="{esc(r["kind"])}"'
        return f"<li {attrs}>{line}{weakest}{advice}</li>"

    def actions_html(self) -> str:
        """From results to action: the challenges to act on first and the strengths to
        keep, ranked (:mod:`helpers.reports.actions`), each with the library's prompts."""
        library = actions.load_library(self.root)
        areas = self.action_areas()
        intro = para(
            "ด้านที่วิเคราะห์คือปัจจัยในแบบจำลองความพึงพอใจของทุกหน่วยงาน ประเด็นที่ควรดำเนินการก่อนคือด้านที่"
            "ต่ำกว่ามัธยฐานของทุกหน่วยงาน เรียงตามผลคูณของระยะห่างจากมัธยฐานกับความสำคัญของด้านนั้นต่อ"
            "ความพึงพอใจ (สัดส่วนที่แบบจำลองอธิบายได้) จุดแข็งที่ควรรักษาคือด้านที่สูงกว่ามัธยฐาน เรียงด้วยหลักเดียวกัน",
            "The areas are the drivers in the government-wide satisfaction model. Challenges to "
            "act on first are the areas below the median of all agencies, ranked by the distance "
            "below the median times the area's importance for satisfaction (its share of what "
            "the model explains); strengths to keep are the areas above it, ranked the same way.",
            css="note",
        )
        if areas.empty:
            staff = self.sample()["staff"]
            return (
                actions.library_notice(library)
                + intro
                + para(
                    f"ไม่สามารถจัดลำดับได้ เนื่องจากไม่เผยแพร่ผลของหน่วยงานนี้ (ผู้ตอบน้อยกว่า {self.k} คน)"
                    if staff["any"]
                    else "ไม่สามารถจัดลำดับได้ เนื่องจากไม่มีผลการสำรวจบุคลากรหรือแบบจำลอง",
                    f"No ranking: this agency's results are not published (fewer than {self.k} "
                    "respondents)."
                    if staff["any"]
                    else "No ranking: there are no staff survey results or no model.",
                    css="suppressed-note",
                )
            )
        blocks = []
        for kind, th, en, none_th, none_en in (
            (
                actions.CHALLENGE,
                "ประเด็นที่ควรดำเนินการก่อน",
                "Challenges to act on first",
                "ไม่มีด้านใดต่ำกว่ามัธยฐานของทุกหน่วยงาน",
                "No area is below the median of all agencies.",
            ),
            (
                actions.STRENGTH,
                "จุดแข็งที่ควรรักษา",
                "Strengths to keep",
                "ไม่มีด้านใดสูงกว่ามัธยฐานของทุกหน่วยงาน",
                "No area is above the median of all agencies.",
            ),
        ):
            chosen = areas[areas["kind"] == kind]
            content = (
                "<ol>"
                + "".join(self._area_html(r, library) for r in chosen.to_dict("records"))
                + "</ol>"
                if len(chosen)
                else para(none_th, none_en, css="note")
            )
            blocks.append(f'<div class="action-block"><h3>{bilingual(th, en)}</h3>{content}</div>')
        level = areas[areas["kind"] == actions.ON_PAR]
        if len(level):
            blocks.append(
                para(
                    "ด้านที่ใกล้เคียงมัธยฐาน: " + thai_list(list(level["th"])),
                    "Areas level with the median: " + english_list(list(level["en"])) + ".",
                    css="note",
                    attrs=sources_attr(*level[SOURCES]),
                )
            )
        caution = ""
        if self.cautions():
            caution = para(
                "ผลของหน่วยงานนี้มีข้อควรระวัง (ดูหัวข้อผู้ตอบแบบสำรวจ) การจัดลำดับจึงควรใช้ประกอบการพิจารณาเท่านั้น",
                "This agency's results come with a caution (see the respondents section): use "
                "the ranking as a guide only.",
                css="note",
            )
        return (
            actions.library_notice(library)
            + intro
            + caution
            + f'<div class="actions">{"".join(blocks)}</div>'
        )
