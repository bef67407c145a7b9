"""The government-wide overview report for OCSC: O1-O3, how agencies are distributed on every
indicator, ministries, targets reached, funnel plots, model results and the trend over the
guideline period, with links to every agency report of the year. Aggregates only; every
data-derived string is escaped. Figures resting on survey answers carry audit markers
(``data-sources``, :func:`helpers.reports.htmlexport.sources`) naming the agencies'
respondents they rest on, for ``workbook audit``.

Conventions (as in the agency report): Thai first, each label or sentence followed by its
English in ``<span class="en" lang="en">`` (:func:`helpers.reports.formatting.bilingual`,
:func:`~helpers.reports.formatting.para`); tables have class ``stack`` (cards on a phone) and a
``cell-label`` at the start of every cell; chart texts are (Thai, English) pairs. While
``config/targets.yaml`` marks its targets as placeholders, "met" and "not met" read as the
neutral "at / short of the provisional target".
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from helpers.core import config, years
from helpers.indicators import kpi
from helpers.reports.agency_sections import AgencySections
from helpers.reports.charts import SOURCES
from helpers.reports.formatting import (
    bilingual,
    facts_html,
    format_change,
    format_target,
    format_value,
    para,
    placeholder_notice,
    present,
    provisional_targets,
    report_subtitle,
    split_bilingual,
    status_html,
    thai_amount,
)
from helpers.reports.funnel import funnel_data
from helpers.reports.htmlexport import esc, sources, sources_attr
from helpers.reports.tables import INDICATOR_SURVEY, YearData
from helpers.reports.workbook_xlsx import workbook_link_html

STATUS_ORDER = ("met", "not_met", "no_target", "no_data", "suppressed")

# The short column heads of the status table (the legend under it gives the full wording).
SHORT_STATUS = {
    "met": ("บรรลุ", "Met"),
    "not_met": ("ไม่บรรลุ", "Not met"),
    "no_target": ("ไม่มีเป้าหมาย", "No target"),
    "no_data": ("ไม่มีข้อมูล", "No data"),
    "suppressed": ("ไม่เผยแพร่", "Withheld"),
}
SHORT_PROVISIONAL = {"met": ("ถึงค่าเป้าหมาย", "At target"), "not_met": ("ยังไม่ถึง", "Short")}

# Where an agency lies in a funnel plot (kpi.funnel_position), in words.
FUNNEL_SIDE = {
    "above 99.8%": ("▲ สูงกว่า", "Above"),
    "below 99.8%": ("▼ ต่ำกว่า", "Below"),
}

# What the shared stylesheet (helpers.reports.htmlexport.CSS) does not do yet, for this page
# only (candidates for the shared one): the numeric cell of a card shows its label and its
# value on one line; on paper a heading, a table caption or a paragraph (Thai and its English)
# is never split over two pages, and a table never leaves its heads at the foot of a page.
_PANEL_SIZE = re.compile(r"panel of (\d+) units \([^)]*\) over (\d+) periods? \((\d+) unit-periods")


class Col(NamedTuple):
    """A column of a stack table: its head, the class of its cells and, when the head is
    abbreviated, the full label the cards show on a phone."""

    th: str
    en: str
    css: str = ""
    label: tuple[str, str] | None = None
    mark: str = ""  # a symbol shown on a line of its own above the head's words


def stack_table(
    columns: list[Col],
    rows: list[tuple[str, list[tuple[str, str]]]],
    caption: tuple[str, str],
    *,
    css: str = "",
    attrs: str = "",
    colgroup: str = "",
) -> str:
    """A table that becomes one card per row on a narrow screen (class ``stack``).

    Args:
        columns: the columns; the first one's cells are row heads (``<th scope="row">``).
        rows: (attributes of the ``<tr>``, already escaped; cells as (HTML, attributes of the
            cell, already escaped)).
        caption: (Thai, English).
        css: further classes of the table.
        attrs: further attributes of the table, already escaped (an id).
        colgroup: a ``<colgroup>`` (widths on wide screens and paper).
    """
    head = "".join(
        f'<th scope="col"{f" class={c.css!r}" if c.css else ""}>'
        + (f'<span aria-hidden="true">{esc(c.mark)}</span><br>' if c.mark else "")
        + f"{bilingual(c.th, c.en)}</th>"
        for c in columns
    )
    labels = [
        f'<span class="cell-label">{bilingual(*(c.label or (c.th, c.en)))}</span>' for c in columns
    ]
    body = []
    for row_attrs, cells in rows:
        out = []
        for i, (content, cell_attrs) in enumerate(cells):
            tag = "th" if i == 0 else "td"
            scope = ' scope="row"' if i == 0 else ""
            cls = f' class="{columns[i].css}"' if columns[i].css else ""
            if "num" in columns[i].css.split():
                content = f'<span class="cell-value">{content}</span>'
            out.append(f"<{tag}{scope}{cls}{cell_attrs}>{labels[i]}{content}</{tag}>")
        body.append(f"<tr{row_attrs}>{''.join(out)}</tr>")
    classes = " ".join(c for c in ("stack", css) if c)
    return (
        f'<table class="{classes}"{attrs}><caption>{bilingual(*caption)}</caption>{colgroup}'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _thai_alt(method):
    """A chart's (Thai, English) text alternative with no Latin word left in the Thai: the Thai
    one becomes the SVG's ``<title>`` and ``aria-label``, which cannot mark a run as English, so
    a term in parentheses ("(IDP)") is dropped and IDP is written out in Thai."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs) -> tuple[str, str]:
        th, en = method(*args, **kwargs)
        th = re.sub(r"\s*\([A-Za-z][A-Za-z .,-]*\)", "", th)
        return re.sub(r" ?IDP", "แผนพัฒนารายบุคคล", th), en

    return wrapper


def _value_th(value: float, unit: str) -> str:
    """A value in Thai prose: 'ร้อยละ 52.9' for a percent, '64.1' for an index."""
    return thai_amount(format_value(value, unit))


def _value_en(value: float, unit: str) -> str:
    return split_bilingual(format_value(value, unit))[1]


def _signed(value: float) -> str:
    return f"{value:+.1f}".replace("-", "−")


class GovernmentGroups(AgencySections):
    """The government-wide results by staff group (the rows of scope ``gov`` of the breakdown
    table), in the agency report's tables. They pool the agencies whose own result is
    published, so the audit cannot recount them from a marker: they carry none, and the
    audit's derivation check covers them in the breakdown table they are shown from."""

    WHOLE_LABEL = ("ทุกหน่วยงานที่เผยแพร่ผล", "All agencies with a published result")

    def __init__(self, data: YearData, k: int) -> None:
        self.data, self.year, self.root, self.k = data, data.year, data.root, k
        self.agency = "gov"

    def _mark(self, *_args: object) -> str:
        return ""


class OverviewReport:
    """The figures of the overview for one year."""

    def __init__(self, year: int, root: Path | None = None) -> None:
        self.data = YearData.load(year, root)
        self.year, self.root, self.k = (
            self.data.year,
            self.data.root,
            kpi.reporting_threshold(root=root),
        )
        table = self.data.indicators
        self.agency_rows = table[table["agency_code"] != kpi.OCSC_CODE]
        self.ocsc_rows = table[table["agency_code"] == kpi.OCSC_CODE].set_index("indicator")
        self.provisional = provisional_targets(self.root)

    def groups_html(self) -> str:
        """Results by staff group over all agencies with a published result, withheld as in
        the agency reports, and the year's Excel workbook of every agency's tables."""
        tables = GovernmentGroups(self.data, self.k).breakdowns_html()
        link = workbook_link_html(self.year)
        return tables + f'<p class="download no-print">{link}</p>'

    def _sources(self, rows: pd.DataFrame, year: int | None = None) -> str:
        """The audit marker of figures resting on these indicator rows (one indicator)."""
        if rows.empty:
            return ""
        code = str(rows["indicator"].iloc[0])
        counts = dict(zip(rows["agency_code"], rows["respondents"], strict=True))
        return sources(year or self.year, INDICATOR_SURVEY[code], code, counts)

    def _name(self, code: str) -> str:
        registry = self.data.registry
        return str(registry.at[code, "name_th"]) if code in registry.index else code

    def _name_en(self, code: str) -> str:
        registry = self.data.registry
        return str(registry.at[code, "name_en"]) if code in registry.index else code

    def _link(self, code: str) -> str:
        """The agency's Thai name linking to its report of the year (same folder)."""
        return (
            f'<a href="{esc(code)}.html" data-agency-link="{esc(code)}">{esc(self._name(code))}</a>'
        )

    def _status_words(self, status: str) -> tuple[str, str, str]:
        """(symbol, Thai, English) of a status as the page shows it (provisional or not)."""
        wording = config.reports(self.root)
        spec = wording["statuses"][status]
        if status in ("met", "not_met") and self.provisional:
            spec = wording["provisional_statuses"][status]
        return spec["symbol"], spec["th"], spec["en"]

    # -- header ------------------------------------------------------------------------------

    def other_years(self) -> list[int]:
        """The other processed fiscal years whose overview this page links to (the years the
        indicator history of this year holds)."""
        history = self.data.history
        found = {int(y) for y in history["fiscal_year"].dropna().unique()}
        return sorted(found - {self.year})

    def nav_html(self) -> str:
        """Links to the index, the other years' overviews and this page's agency list."""
        links = [("../index.html", "index", "รายงานทั้งหมด", "All reports")]
        links += [
            (
                f"../{y}/overview.html",
                "year",
                f"ภาพรวมปีงบประมาณ พ.ศ. {y}",
                f"Overview FY{y - 543}",
            )
            for y in self.other_years()
        ]
        links.append(("#agency-reports", "agencies", "รายงานหน่วยงาน", "Agency reports"))
        items = "".join(
            f'<li><a href="{esc(href)}" data-nav="{kind}">{bilingual(th, en, inline=True)}</a></li>'
            for href, kind, th, en in links
        )
        return f'<nav class="report-nav" aria-label="ลิงก์ไปยังรายงานอื่น"><ul>{items}</ul></nav>'

    def header_html(self) -> str:
        rows = self.agency_rows
        n_agencies = rows["agency_code"].nunique()
        staff = rows[(rows["indicator"] == "A5") & rows["value"].notna()]
        citizen = rows[(rows["indicator"] == "A7") & rows["value"].notna()]

        def published(part: pd.DataFrame) -> str:
            n, people = len(part), int(part["respondents"].sum())
            return (
                f'{n:,} หน่วยงาน <span class="nowrap">(ผู้ตอบ {people:,} คน)</span>'
                f'<span class="en" lang="en">{n:,} agencies ({people:,} respondents)</span>'
            )

        facts = [
            (
                ("ปีงบประมาณ", "Fiscal year"),
                bilingual(f"พ.ศ. {self.year}", years.label(self.year, "en")),
                "",
            ),
            (("หน่วยงานที่มีข้อมูล", "Agencies with data"), esc(f"{n_agencies:,}"), ""),
            (
                ("ผลสำรวจบุคลากรที่เผยแพร่ได้", "Staff survey results published"),
                published(staff),
                self._sources(staff),
            ),
            (
                ("ผลสำรวจผู้รับบริการที่เผยแพร่ได้", "Citizen survey results published"),
                published(citizen),
                self._sources(citizen),
            ),
        ]
        return (
            f'<header class="report-header" data-year="{self.year}">{self.nav_html()}'
            f"<h1>{bilingual('ภาพรวมทั้งประเทศ', 'Government-wide overview')}</h1>"
            + report_subtitle(self.year)
            + facts_html(facts)
            + "</header>"
        )

    # -- O1-O3 -------------------------------------------------------------------------------

    def ocsc_scorecard_html(self) -> str:
        """O1-O3: result, target, status and change (cards on a phone)."""
        columns = [
            Col("ตัวชี้วัด", "Indicator"),
            Col("ผล", "Result", "num"),
            Col(
                "เป้าหมายชั่วคราว" if self.provisional else "เป้าหมาย",
                "Provisional target" if self.provisional else "Target",
            ),
            Col(
                "เทียบเป้าหมาย" if self.provisional else "สถานะ",
                "Against the target" if self.provisional else "Status",
            ),
            Col("เทียบปีก่อน", "Change"),
        ]
        rows = []
        for code in kpi.OCSC_INDICATORS:
            th, en = self.data.label(code)
            name = f"<b>{code}</b> {bilingual(th, en)}"
            if code not in self.ocsc_rows.index:
                rows.append(
                    (
                        f' data-indicator="{code}" data-status="no_data"',
                        [
                            (name, ""),
                            ("–", ""),
                            ("", ""),
                            (status_html("no_data", self.root), ""),
                            ("", ""),
                        ],
                    )
                )
                continue
            row = self.ocsc_rows.loc[code]
            unit = row["unit"]
            target = self.data.targets[code]
            change = format_change(row) if present(row["value"]) else ""
            rows.append(
                (
                    f' data-indicator="{code}" data-status="{esc(row["status"])}"',
                    [
                        (name, ""),
                        (f"<b>{esc(format_value(row['value'], unit))}</b>", ""),
                        (esc(format_target(row["target"], unit, target["direction"])), ""),
                        (status_html(row["status"], self.root), ""),
                        (change, ""),
                    ],
                )
            )
        table = stack_table(
            columns,
            rows,
            ("ตัวชี้วัดระดับสำนักงาน ก.พ. O1–O3", "OCSC indicators O1–O3"),
            css="scorecard",
            attrs=' id="scorecard"',
            colgroup="<colgroup><col style='width:34%'><col style='width:15%'>"
            "<col style='width:16%'><col style='width:19%'><col style='width:16%'></colgroup>",
        )
        if self.provisional:
            note = para(
                "ค่าเป้าหมายเป็นค่าชั่วคราวที่คณะผู้ประเมินยังไม่ได้ยืนยัน คอลัมน์เทียบเป้าหมายจึงบอกเพียงว่า"
                "ผลถึงค่าเป้าหมายชั่วคราวหรือไม่ (ดูหมายเหตุในหัวข้อผลเทียบกับค่าเป้าหมาย)",
                "The targets are provisional and not yet confirmed by the evaluators, so the "
                "comparison column only says whether a result reaches the provisional target "
                "(see the note under Results against the targets).",
                css="note",
            )
        else:
            note = para(
                "สถานะเทียบผลกับค่าเป้าหมาย การเปลี่ยนแปลงเทียบกับปีงบประมาณก่อนหน้า",
                "Status compares each result with its target; change is against the previous "
                "fiscal year.",
                css="note",
            )
        return table + note

    # -- targets -----------------------------------------------------------------------------

    def targets_table(self) -> pd.DataFrame:
        """Per agency indicator, how many agencies have each status."""
        counts = self.agency_rows.groupby(["indicator", "status"]).size().unstack(fill_value=0)
        counts = counts.reindex(index=list(kpi.AGENCY_INDICATORS), columns=STATUS_ORDER)
        return counts.fillna(0).astype(int)

    def targets_legend(self) -> tuple[str, str]:
        """The status table's legend: every symbol with its full wording (Thai, English)."""
        th, en = [], []
        for status in STATUS_ORDER:
            symbol, words_th, words_en = self._status_words(status)
            if status == "suppressed":
                words_th += f" (ผู้ตอบน้อยกว่า {self.k} คน)"
                words_en += f" (fewer than {self.k} respondents)"
            th.append(f"{symbol} {words_th}")
            en.append(f"{symbol} {words_en}")
        return "สัญลักษณ์: " + " · ".join(th), "Key: " + " · ".join(en)

    def targets_html(self) -> str:
        """The placeholder notice (while the targets are placeholders), the number of agencies
        by status for each indicator, and which agencies reach each target."""
        counts = self.targets_table()
        columns = [Col("ตัวชี้วัด", "Indicator")]
        for status in STATUS_ORDER:
            symbol, words_th, words_en = self._status_words(status)
            short = (SHORT_PROVISIONAL if self.provisional else {}).get(status) or SHORT_STATUS[
                status
            ]
            columns.append(
                Col(short[0], short[1], "num", (f"{symbol} {words_th}", words_en), symbol)
            )
        rows = []
        for code, row in counts.iterrows():
            th, en = self.data.label(str(code))
            cells = [(f"<b>{code}</b> {bilingual(th, en)}", "")]
            cells += [(f"{int(row[s])}", f' data-status="{s}"') for s in STATUS_ORDER]
            rows.append((f' data-indicator="{code}"', cells))
        caption = (
            (
                "จำนวนหน่วยงานจำแนกตามผลเทียบค่าเป้าหมายชั่วคราว",
                "Agencies by comparison with the provisional target",
            )
            if self.provisional
            else ("จำนวนหน่วยงานจำแนกตามสถานะ", "Agencies by status")
        )
        table = stack_table(
            columns,
            rows,
            caption,
            css="fixed status-counts",
            attrs=' id="status-counts"',
            colgroup="<colgroup><col style='width:35%'>"
            + "<col style='width:13%'>" * len(STATUS_ORDER)
            + "</colgroup>",
        )
        return (
            placeholder_notice(self.root)
            + table
            + para(*self.targets_legend(), css="note")
            + self.reaching_html()
        )

    def reaching_html(self) -> str:
        """For each indicator: how many of the agencies compared reach the target, and the
        smaller of the two groups by name (each name links to the agency's report)."""
        met_sym, met_th, met_en = self._status_words("met")
        short_sym, short_th, short_en = self._status_words("not_met")
        items = []
        for code in kpi.AGENCY_INDICATORS:
            rows = self.agency_rows[self.agency_rows["indicator"] == code]
            met = sorted(rows.loc[rows["status"] == "met", "agency_code"])
            short = sorted(rows.loc[rows["status"] == "not_met", "agency_code"])
            judged = len(met) + len(short)
            if not judged:
                sentence = bilingual(
                    "ไม่มีหน่วยงานที่เทียบกับค่าเป้าหมายได้",
                    "No agency could be compared with the target.",
                )
                items.append(f'<li data-indicator="{code}"><b>{code}</b> {sentence}</li>')
                continue
            if self.provisional:
                sentence = bilingual(
                    f"ถึงค่าเป้าหมายชั่วคราว {len(met)} จาก {judged} หน่วยงานที่เทียบได้",
                    f"{len(met)} of the {judged} agencies compared reach the provisional target.",
                )
            else:
                sentence = bilingual(
                    f"บรรลุเป้าหมาย {len(met)} จาก {judged} หน่วยงานที่ประเมินได้",
                    f"{len(met)} of the {judged} agencies assessed meet the target.",
                )
            named, sym, words = (
                (met, met_sym, (met_th, met_en))
                if len(met) <= len(short)
                else (short, short_sym, (short_th, short_en))
            )
            names = ""
            if named:
                links = ", ".join(self._link(c) for c in named)
                names = (
                    f'<div class="agency-names">{esc(sym)} {bilingual(*words, inline=True)}: '
                    f"{links}</div>"
                )
            items.append(f'<li data-indicator="{code}"><b>{code}</b> {sentence}{names}</li>')
        if self.provisional:
            heading = bilingual(
                "หน่วยงานที่ถึงค่าเป้าหมายชั่วคราว รายตัวชี้วัด",
                "Agencies at the provisional target, indicator by indicator",
            )
        else:
            heading = bilingual(
                "หน่วยงานที่บรรลุเป้าหมาย รายตัวชี้วัด",
                "Agencies meeting the target, indicator by indicator",
            )
        return (
            f"<h3>{heading}</h3>"
            + para(
                "แต่ละตัวชี้วัดระบุชื่อหน่วยงานในกลุ่มที่มีจำนวนน้อยกว่า ชื่อหน่วยงานเชื่อมโยงไปยังรายงานของหน่วยงานนั้น",
                "For each indicator the smaller group is named; each name links to the "
                "agency's report.",
                css="note",
            )
            + f'<ul class="by-indicator">{"".join(items)}</ul>'
        )

    # -- distribution ------------------------------------------------------------------------

    def distribution(self, codes: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, float]]:
        """label/value of every published agency value, and the targets by label."""
        rows = self.agency_rows[
            self.agency_rows["indicator"].isin(codes) & self.agency_rows["value"].notna()
        ]
        labels = {c: f"{c} {self.data.label(c)[0]}" for c in codes}
        frame = pd.DataFrame(
            {
                "label": rows["indicator"].map(labels),
                "value": rows["value"].to_numpy(float),
                SOURCES: [
                    sources(self.year, INDICATOR_SURVEY[c], c, {a: n})
                    for c, a, n in zip(
                        rows["indicator"], rows["agency_code"], rows["respondents"], strict=True
                    )
                ],
            }
        )
        targets = {
            labels[c]: self.data.targets[c]["target"]
            for c in codes
            if self.data.targets[c]["target"] is not None
        }
        order = {labels[c]: i for i, c in enumerate(codes)}
        frame = frame.sort_values("label", key=lambda s: s.map(order), kind="stable")
        return frame.reset_index(drop=True), targets

    @_thai_alt
    def distribution_alt(self, codes: tuple[str, ...]) -> tuple[str, str]:
        """The distribution chart's text alternative (Thai, English): per indicator the
        number of agencies, the median, the lowest and the highest agency, and the target."""
        parts_th, parts_en = [], []
        target_th = "ค่าเป้าหมายชั่วคราว" if self.provisional else "ค่าเป้าหมาย"
        target_en = "provisional target" if self.provisional else "target"
        for code in codes:
            th, en = self.data.label(code)
            rows = self.agency_rows[
                (self.agency_rows["indicator"] == code) & self.agency_rows["value"].notna()
            ]
            if rows.empty:
                parts_th.append(f"{code} {th}: ไม่มีค่าที่เผยแพร่ได้")
                parts_en.append(f"{code} {en}: no published value")
                continue
            unit = str(rows["unit"].iloc[0])
            low = rows.loc[rows["value"].idxmin()]
            high = rows.loc[rows["value"].idxmax()]
            median = float(rows["value"].median())
            target = self.data.targets[code]["target"]
            tail_th = f" {target_th} {_value_th(target, unit)}" if target is not None else ""
            tail_en = f", {target_en} {_value_en(target, unit)}" if target is not None else ""
            parts_th.append(
                f"{code} {th}: {len(rows)} หน่วยงาน มัธยฐาน {_value_th(median, unit)} "
                f"ต่ำสุด {_value_th(low['value'], unit)} ({self._name(low['agency_code'])}) "
                f"สูงสุด {_value_th(high['value'], unit)} ({self._name(high['agency_code'])})"
                f"{tail_th}"
            )
            parts_en.append(
                f"{code} {en}: {len(rows)} agencies, median {_value_en(median, unit)}, lowest "
                f"{_value_en(low['value'], unit)} ({self._name_en(low['agency_code'])}), "
                f"highest {_value_en(high['value'], unit)} "
                f"({self._name_en(high['agency_code'])}){tail_en}"
            )
        return (
            "แผนภูมิกล่องและจุดแสดงค่าของหน่วยงานที่เผยแพร่ได้ จุดละหนึ่งหน่วยงาน " + " · ".join(parts_th),
            "Box and strip chart of the published agency values, one point per agency. "
            + "; ".join(parts_en)
            + ".",
        )

    def distribution_caption(self) -> tuple[str, str]:
        target_th = "ค่าเป้าหมายชั่วคราว" if self.provisional else "ค่าเป้าหมาย"
        target_en = "provisional target" if self.provisional else "target"
        return (
            "แต่ละจุดคือหนึ่งหน่วยงานที่เผยแพร่ค่าได้ กล่องแสดงช่วงควอร์ไทล์และเส้นมัธยฐาน เส้นที่ยื่นออกจาก"
            f"กล่องยาวถึงค่าต่ำสุดและสูงสุด เครื่องหมายสามเหลี่ยมแสดง{target_th}",
            "Each point is one agency with a published value; the box shows the interquartile "
            "range and the median, the whiskers reach the lowest and highest values, and the "
            f"triangle marks the {target_en}.",
        )

    def returns_html(self) -> str:
        """A1, A2 and A4 (agency returns) summarised across agencies (cards on a phone)."""
        rows = []
        for code in ("A1", "A2", "A4"):
            th, en = self.data.label(code)
            values = self.agency_rows[
                (self.agency_rows["indicator"] == code) & self.agency_rows["value"].notna()
            ]["value"]
            name = f"<b>{code}</b> {bilingual(th, en)}"
            if values.empty:
                rows.append(
                    (
                        f' data-indicator="{code}"',
                        [(name, ""), ("0", ""), (bilingual("ไม่มีข้อมูล", "No data"), "")],
                    )
                )
                continue
            of = len(values)
            if code == "A1":
                yes = int((values >= 0.5).sum())
                summary = bilingual(
                    f"แผนสอดคล้องกับแนวทางและยุทธศาสตร์ {yes} จาก {of} หน่วยงาน",
                    f"Plan aligned: {yes} of {of} agencies",
                )
            elif code == "A2":
                dist = values.value_counts().sort_index()
                summary = bilingual(
                    " · ".join(f"ระดับ {lvl:g}: {n} หน่วยงาน" for lvl, n in dist.items()),
                    " · ".join(f"level {lvl:g}: {n}" for lvl, n in dist.items()),
                )
            else:
                summary = bilingual(
                    f"มัธยฐาน {values.median():g} ผลงานต่อหน่วยงาน รวม {values.sum():,.0f} ผลงาน",
                    f"Median {values.median():g} per agency, {values.sum():,.0f} in all",
                )
            rows.append((f' data-indicator="{code}"', [(name, ""), (f"{of}", ""), (summary, "")]))
        return stack_table(
            [
                Col("ตัวชี้วัด", "Indicator"),
                Col("หน่วยงานที่รายงาน", "Agencies reporting", "num"),
                Col("ผลโดยสรุป", "Summary"),
            ],
            rows,
            ("ผลจากแบบรายงานของหน่วยงาน (A1, A2, A4)", "Agency returns (A1, A2, A4)"),
            attrs=' id="returns"',
        )

    # -- ministries --------------------------------------------------------------------------

    def ministries(self) -> pd.DataFrame:
        """Per ministry: agencies, targets met / assessed, medians of A5 and A7."""
        registry = self.data.registry
        rows = self.agency_rows
        records = []
        for ministry, part in rows.groupby("ministry_code", sort=True):
            a5_rows = part[(part["indicator"] == "A5") & part["value"].notna()]
            a7_rows = part[(part["indicator"] == "A7") & part["value"].notna()]
            a5, a7 = a5_rows["value"], a7_rows["value"]
            names = registry[registry["ministry_code"] == ministry]
            records.append(
                {
                    "ministry_code": ministry,
                    "ministry_th": names["ministry_th"].iloc[0] if len(names) else ministry,
                    "ministry_en": names["ministry_en"].iloc[0] if len(names) else ministry,
                    "agencies": part["agency_code"].nunique(),
                    "met": int((part["status"] == "met").sum()),
                    "assessed": int(part["status"].isin(["met", "not_met"]).sum()),
                    "a5_median": a5.median() if len(a5) else float("nan"),
                    "a7_median": a7.median() if len(a7) else float("nan"),
                    "a5_sources": self._sources(a5_rows),
                    "a7_sources": self._sources(a7_rows),
                }
            )
        return pd.DataFrame(records)

    def ministries_html(self) -> str:
        rows = []
        for r in self.ministries().itertuples():
            share = f" ({100 * r.met / r.assessed:.0f}%)" if r.assessed else ""
            a5 = f"{r.a5_median:.1f}" if present(r.a5_median) else "–"
            a7 = f"{r.a7_median:.1f}%" if present(r.a7_median) else "–"
            rows.append(
                (
                    f' data-ministry="{esc(r.ministry_code)}"',
                    [
                        (bilingual(r.ministry_th, r.ministry_en), ""),
                        (f"{r.agencies}", ""),
                        (f'<span class="nowrap">{r.met} / {r.assessed}</span>{share}', ""),
                        (a5, sources_attr(r.a5_sources)),
                        (a7, sources_attr(r.a7_sources)),
                    ],
                )
            )
        if self.provisional:
            met = Col(
                "ผลที่ถึงค่าเป้าหมายชั่วคราว / ผลที่เทียบได้",
                "Results at the provisional target / compared",
                "num",
            )
        else:
            met = Col(
                "ผลที่บรรลุเป้าหมาย / ผลที่ประเมินได้",
                "Results meeting the target / assessed",
                "num",
            )
        return stack_table(
            [
                Col("กระทรวง", "Ministry"),
                Col("หน่วยงาน", "Agencies", "num"),
                met,
                Col("มัธยฐาน A5", "A5 median", "num"),
                Col("มัธยฐาน A7", "A7 median", "num"),
            ],
            rows,
            (
                "เปรียบเทียบรายกระทรวง (มัธยฐานของค่าที่หน่วยงานเผยแพร่ได้)",
                "Ministries compared (medians of the published agency values)",
            ),
            attrs=' id="ministries"',
            colgroup="<colgroup><col style='width:40%'><col style='width:12%'>"
            "<col style='width:20%'><col style='width:14%'><col style='width:14%'></colgroup>",
        )

    # -- funnel ------------------------------------------------------------------------------

    def funnel(self, code: str):
        return funnel_data(self.data, code)

    def funnel_outliers(self, code: str) -> pd.DataFrame:
        """Agencies outside the 99.8% control limits: agency_code, value, position, sources
        (highest value first)."""
        points, _, centre, _ = self.funnel(code)
        columns = ["agency_code", "value", "position", SOURCES]
        if points.empty or not present(centre):
            return pd.DataFrame(columns=columns)
        params = self.data.table("funnel_parameters").set_index("indicator").loc[code]
        kw = {"sd": float(params["sd"])} if params["kind"] == "mean" else {"percent": True}
        positions = [kpi.funnel_position(r.value, r.n, centre, **kw) for r in points.itertuples()]
        frame = points.assign(position=positions)
        frame = frame[frame["position"].isin(list(FUNNEL_SIDE))]
        return frame.sort_values("value", ascending=False)[columns].reset_index(drop=True)

    def funnel_summary(self, code: str) -> tuple[str, str]:
        """The funnel plot in one sentence (Thai, English; plain text)."""
        points, _, centre, _ = self.funnel(code)
        if points.empty or not present(centre):
            return (
                f"{code}: ไม่มีค่าที่เผยแพร่ได้สำหรับแผนภาพกรวย",
                f"{code}: no published values for the funnel plot.",
            )
        unit = kpi.INDICATORS[code].unit
        out = self.funnel_outliers(code)
        above = int((out["position"] == "above 99.8%").sum())
        below = int((out["position"] == "below 99.8%").sum())
        if above + below == 0:
            return (
                f"{code}: มัธยฐานของทุกหน่วยงาน {_value_th(centre, unit)} ไม่มีหน่วยงานใด"
                "อยู่นอกขอบเขตควบคุม 99.8%",
                f"{code}: centre (median of agencies) {_value_en(centre, unit)}; no agency lies "
                "outside the 99.8% control limits.",
            )
        return (
            f"{code}: มัธยฐานของทุกหน่วยงาน {_value_th(centre, unit)} จากหน่วยงานที่เผยแพร่ค่าได้ "
            f"{len(points)} หน่วยงาน มี {above} หน่วยงานสูงกว่าขอบเขตควบคุม 99.8% และ {below} "
            "หน่วยงานต่ำกว่า",
            f"{code}: centre (median of agencies) {_value_en(centre, unit)}; of the "
            f"{len(points)} agencies with a published value: {above} above the 99.8% control "
            f"limit, {below} below it.",
        )

    @_thai_alt
    def funnel_alt(self, code: str) -> tuple[str, str]:
        """What the funnel plot shows, for its text alternative (Thai, English)."""
        th, en = self.funnel_summary(code)
        if len(self.funnel_outliers(code)):
            th += " รายชื่ออยู่ในตารางใต้แผนภาพ"
            en += " They are listed in the table below the plot."
        return th, en

    def funnel_outliers_html(self, code: str) -> str:
        """:meth:`funnel_summary` as inline HTML (for a paragraph)."""
        return bilingual(*self.funnel_summary(code))

    def funnel_html(self, code: str) -> str:
        """The summary sentence and the agencies outside the 99.8% limits (cards on a phone),
        each name linking to the agency's report; their values carry audit markers."""
        out = self.funnel_outliers(code)
        summary = para(*self.funnel_summary(code))
        if out.empty:
            return summary
        unit = kpi.INDICATORS[code].unit
        rows = [
            (
                f' data-agency="{esc(r["agency_code"])}"',
                [
                    (
                        f"{self._link(r['agency_code'])}"
                        f'<span class="en en-inline" lang="en"> / '
                        f"{esc(self._name_en(r['agency_code']))}</span>",
                        "",
                    ),
                    (esc(format_value(r["value"], unit)), sources_attr(r[SOURCES])),
                    (bilingual(*FUNNEL_SIDE[r["position"]], inline=True), ""),
                ],
            )
            for r in out.to_dict("records")
        ]
        return summary + stack_table(
            [
                Col("หน่วยงาน", "Agency"),
                Col("ค่า", "Value", "num"),
                Col(
                    "ตำแหน่ง",
                    "Position",
                    label=("ตำแหน่งเทียบขอบเขตควบคุม 99.8%", "Against the 99.8% control limits"),
                ),
            ],
            rows,
            (
                f"{code}: หน่วยงานที่อยู่นอกขอบเขตควบคุม 99.8%",
                f"{code}: agencies outside the 99.8% control limits",
            ),
            css="outliers",
            attrs=f' id="outliers-{esc(code)}"',
            colgroup="<colgroup><col style='width:66%'><col style='width:14%'>"
            "<col style='width:20%'></colgroup>",
        )

    # -- models ------------------------------------------------------------------------------

    def staff_drivers(self) -> pd.DataFrame:
        """label, estimate, ci_low, ci_high: ordinal-model log-odds per unit of each driver."""
        table = self.data.model("staff_ordinal")
        if table is None:
            return pd.DataFrame(columns=["label", "estimate", "ci_low", "ci_high"])
        names = config.reports(self.root)["satisfaction_drivers"]
        coef = table[table["kind"] == "coefficient"]
        return pd.DataFrame(
            {
                "label": [
                    f"{names[t]['th']} / {names[t]['en']}" if t in names else t
                    for t in coef["term"]
                ],
                "estimate": coef["estimate"].to_numpy(float),
                "ci_low": coef["ci_low"].to_numpy(float),
                "ci_high": coef["ci_high"].to_numpy(float),
            }
        )

    def trust_drivers(self) -> pd.DataFrame:
        """label, estimate, ci_low, ci_high: change in percentage points of high trust per SD."""
        ame = self.data.model("citizen_trust_ame")
        if ame is None:
            return pd.DataFrame(columns=["label", "estimate", "ci_low", "ci_high"])
        names = config.reports(self.root)["drivers"]
        return pd.DataFrame(
            {
                "label": [
                    f"{names[t]['th']} / {names[t]['en']}" if t in names else t for t in ame["term"]
                ],
                "estimate": 100 * ame["estimate"].to_numpy(float),
                "ci_low": 100 * ame["ci_low"].to_numpy(float),
                "ci_high": 100 * ame["ci_high"].to_numpy(float),
            }
        )

    def _driver_names(self, key: str, term: str) -> tuple[str, str]:
        names = config.reports(self.root)[key]
        return (names[term]["th"], names[term]["en"]) if term in names else (term, term)

    @_thai_alt
    def staff_drivers_alt(self) -> tuple[str, str]:
        """The staff model chart's text alternative: every coefficient, the largest named."""
        table = self.data.model("staff_ordinal")
        coef = table[table["kind"] == "coefficient"] if table is not None else pd.DataFrame()
        if coef.empty:
            return (
                "แผนภูมิค่าสัมประสิทธิ์ของแบบจำลองความพึงพอใจโดยรวม ยังไม่มีผลของแบบจำลองในปีนี้",
                "Coefficient chart of the overall satisfaction model: no model results this year.",
            )
        parts_th, parts_en = [], []
        for r in coef.itertuples():
            th, en = self._driver_names("satisfaction_drivers", r.term)
            parts_th.append(f"{th} {r.estimate:.2f} ({r.ci_low:.2f} ถึง {r.ci_high:.2f})")
            parts_en.append(f"{en} {r.estimate:.2f} ({r.ci_low:.2f} to {r.ci_high:.2f})")
        top = coef.loc[coef["estimate"].abs().idxmax()]
        top_th, top_en = self._driver_names("satisfaction_drivers", top["term"])
        return (
            "แผนภูมิค่าสัมประสิทธิ์ (ล็อกออดส์ต่อ 1 หน่วย) ของแบบจำลองความพึงพอใจโดยรวมของบุคลากร "
            f"พร้อมช่วงความเชื่อมั่น 95%: {' · '.join(parts_th)} ปัจจัยที่มีค่าสัมประสิทธิ์สูงสุดคือ{top_th}",
            "Coefficient chart (log-odds per unit) of the model of staff overall satisfaction, "
            f"with 95% confidence intervals: {'; '.join(parts_en)}. The largest coefficient is "
            f"{top_en}.",
        )

    @_thai_alt
    def trust_drivers_alt(self) -> tuple[str, str]:
        """The trust model chart's text alternative: every effect, the strongest named."""
        ame = self.data.model("citizen_trust_ame")
        if ame is None or ame.empty:
            return (
                "แผนภูมิผลส่วนเพิ่มเฉลี่ยของปัจจัยความเชื่อมั่น ยังไม่มีผลของแบบจำลองในปีนี้",
                "Average marginal effects of the trust drivers: no model results this year.",
            )
        parts_th, parts_en = [], []
        for r in ame.itertuples():
            th, en = self._driver_names("drivers", r.term)
            est, lo, hi = 100 * r.estimate, 100 * r.ci_low, 100 * r.ci_high
            parts_th.append(f"{th} {est:.1f} ({lo:.1f} ถึง {hi:.1f})")
            parts_en.append(f"{en} {est:.1f} ({lo:.1f} to {hi:.1f})")
        top = ame.loc[ame["estimate"].abs().idxmax()]
        top_th, top_en = self._driver_names("drivers", top["term"])
        return (
            "แผนภูมิผลส่วนเพิ่มเฉลี่ยของปัจจัยทั้งห้าต่อสัดส่วนผู้รับบริการที่มีความเชื่อมั่นสูง เป็นจุดร้อยละต่อ 1 "
            f"ส่วนเบี่ยงเบนมาตรฐาน พร้อมช่วงความเชื่อมั่น 95%: {' · '.join(parts_th)} "
            f"ปัจจัยที่สัมพันธ์กับความเชื่อมั่นมากที่สุดคือ{top_th}",
            "Average marginal effects of the five drivers on the share of service users with "
            "high trust, in percentage points per standard deviation, with 95% confidence "
            f"intervals: {'; '.join(parts_en)}. The strongest driver is {top_en}.",
        )

    def coefficient_caption(self) -> tuple[str, str]:
        """What the marks of a coefficient chart are (Thai, English)."""
        return (
            "จุดแสดงค่าประมาณ เส้นแนวนอนแสดงช่วงความเชื่อมั่น 95% เส้นประแนวตั้งแสดงค่าศูนย์ (ไม่มีความสัมพันธ์)",
            "Dots are the estimates and bars their 95% confidence intervals; the dashed line is "
            "zero (no association).",
        )

    def staff_model_html(self) -> str:
        """What the proportional-odds model of overall satisfaction says."""
        table = self.data.model("staff_ordinal")
        if table is None or table.empty:
            return para(
                "ยังไม่มีผลของแบบจำลองความพึงพอใจโดยรวมของบุคลากรในปีนี้",
                "The model of staff overall satisfaction has no results this year.",
            )
        parts = [
            para(
                "แบบจำลองถดถอยโลจิสติกแบบอันดับ (proportional odds) อธิบายคำตอบข้อความพึงพอใจโดยรวม "
                "(ระดับ 1–5) ด้วยคะแนนระบบนิเวศการเรียนรู้ กรอบทักษะ และกรอบความคิด (คะแนน 1–5) "
                "และการดำเนินการตามแผนพัฒนารายบุคคล (IDP) "
                "ค่าความคลาดเคลื่อนมาตรฐานคำนวณแบบจัดกลุ่มตามหน่วยงาน "
                "ค่าสัมประสิทธิ์ที่เป็นบวกหมายความว่าบุคลากรที่มีคะแนนในปัจจัยนั้นสูงกว่า มีแนวโน้มตอบความพึงพอใจ"
                "ในระดับที่สูงกว่า",
                "A proportional-odds (ordinal logistic) model of the overall satisfaction "
                "answer (1–5) on the learning ecosystem, skillset and mindset scores (1–5) and "
                "on carrying out an individual development plan (IDP), with standard errors "
                "clustered by agency. A positive coefficient means that staff scoring higher "
                "on that driver tend to give a higher satisfaction answer.",
            )
        ]
        importance = self.data.model("staff_importance")
        if importance is not None and len(importance):
            ordered = importance.sort_values("share_pratt", ascending=False)
            shares_th, shares_en = [], []
            for r in ordered.itertuples():
                th, en = self._driver_names("satisfaction_drivers", r.term)
                shares_th.append(f"{th} ร้อยละ {100 * r.share_pratt:.0f}")
                shares_en.append(f"{en} {100 * r.share_pratt:.0f}%")
            parts.append(
                para(
                    "ส่วนที่แบบจำลองอธิบายได้ แบ่งตามปัจจัย (ตามวิธีของ Pratt): " + " ".join(shares_th),
                    "Share of what the model explains, by driver (Pratt's measure): "
                    + ", ".join(shares_en)
                    + ".",
                )
            )
        return "".join(parts)

    def trust_model_html(self) -> str:
        """What the weighted logit of citizen trust says, with its strongest driver."""
        ame = self.data.model("citizen_trust_ame")
        if ame is None or ame.empty:
            return para(
                "ยังไม่มีผลของแบบจำลองความเชื่อมั่นของผู้รับบริการในปีนี้",
                "The model of citizen trust has no results this year.",
            )
        top = ame.loc[ame["estimate"].abs().idxmax()]
        th, en = self._driver_names("drivers", top["term"])
        est, lo, hi = 100 * top["estimate"], 100 * top["ci_low"], 100 * top["ci_high"]
        more_th = "มากกว่าโดยเฉลี่ย" if est >= 0 else "น้อยกว่าโดยเฉลี่ย"
        more_en = "more" if est >= 0 else "fewer"
        return para(
            "แบบจำลองถดถอยโลจิสติกแบบถ่วงน้ำหนัก ตามวิธีการสำรวจความเชื่อมั่นของ OECD เปรียบเทียบผู้รับบริการ"
            "ที่มีความเชื่อมั่นสูง (คะแนน 6–10) กับผู้ที่มีความเชื่อมั่นต่ำ (คะแนน 0–4) โดยไม่รวมผู้ที่ให้คะแนน 5 "
            "ทั้งนี้ คะแนนปัจจัยทั้งห้าด้านปรับเป็นค่ามาตรฐานภายในแต่ละปี ผลแสดงเป็นผลส่วนเพิ่มเฉลี่ย "
            "คือสัดส่วนผู้ที่มีความเชื่อมั่นสูง"
            "ที่ต่างกัน (จุดร้อยละ) เมื่อคะแนนปัจจัยต่างกัน 1 ส่วนเบี่ยงเบนมาตรฐาน ค่าความคลาดเคลื่อนมาตรฐาน"
            "คำนวณแบบจัดกลุ่มตามหน่วยงาน",
            "A weighted logistic model following the OECD Trust Survey: service users with high "
            "trust (6–10) against those with low trust (0–4), neutral answers (5) left out; the "
            "five drivers are standardised within the year. Results are average marginal "
            "effects: the difference, in percentage points, in the share with high trust for "
            "one standard deviation more of a driver. Standard errors are clustered by agency.",
        ) + para(
            f"ปัจจัยที่สัมพันธ์กับความเชื่อมั่นมากที่สุด คือ {th} โดยกลุ่มผู้รับบริการที่ให้คะแนนด้านนี้สูงกว่ากัน 1 "
            f"ส่วนเบี่ยงเบนมาตรฐาน มีสัดส่วนผู้ที่มีความเชื่อมั่นสูง{more_th} {abs(est):.1f} จุดร้อยละ "
            f"(ช่วงความเชื่อมั่น 95%: {lo:.1f} ถึง {hi:.1f})",
            f"The strongest driver is {en}: one standard deviation more goes with "
            f"{abs(est):.1f} percentage points {more_en} service users with high trust (95% "
            f"confidence interval {lo:.1f} to {hi:.1f}).",
        )

    def _panel_limitations(self, text: str) -> tuple[str, str]:
        """The panel model's limitations (Thai, English): the Thai written from the panel's
        size, the English as the model stage states it."""
        size = _PANEL_SIZE.search(text or "")
        if size is None:
            return (
                "ข้อจำกัด: ผลนี้เป็นความสัมพันธ์จากข้อมูลเชิงสังเกตระดับหน่วยงาน ไม่ใช่ผลเชิงสาเหตุ และอาจไม่เป็นจริง"
                "สำหรับบุคลากรหรือผู้รับบริการแต่ละคนในหน่วยงาน",
                f"Limitations: {text}"
                if text
                else "Limitations: associations, not causal effects.",
            )
        units, periods, n = (int(g) for g in size.groups())
        th = (
            f"ข้อจำกัด: เป็นข้อมูลเชิงสังเกตจาก {units} หน่วยงาน ใน {periods} ปี (รวม {n} หน่วยงาน-ปี) "
            "ค่าสัมประสิทธิ์แสดงความสัมพันธ์ระหว่างตัวเลขระดับหน่วยงาน หลังหักส่วนที่ทุกหน่วยงานมีร่วมกันในแต่ละปี "
            "(ผลคงที่ของปี) จึงไม่ใช่ผลเชิงสาเหตุ เพราะหน่วยงานที่ต่างกันในตัวแปรหนึ่งย่อมต่างกันในด้านอื่นที่ไม่ได้วัด"
            "ด้วย และแบบจำลองไม่มีผลคงที่ของหน่วยงาน ความแตกต่างที่คงตัวระหว่างหน่วยงานจึงมีส่วนในผลด้วย "
            "นอกจากนี้ยังเป็นความสัมพันธ์ระดับกลุ่ม ความสัมพันธ์ระหว่างค่าเฉลี่ยของหน่วยงานอาจไม่เป็นจริงสำหรับ"
            "บุคลากรหรือผู้รับบริการแต่ละคนในหน่วยงาน"
        )
        if units < 50:
            th += (
                f" เมื่อมีเพียง {units} หน่วยงาน ค่าความคลาดเคลื่อนมาตรฐานแบบจัดกลุ่มเป็นเพียงค่าโดยประมาณ "
                "(จะเชื่อถือได้เมื่อมีประมาณ 50 กลุ่มขึ้นไป) ช่วงความเชื่อมั่นใช้การแจกแจง t ที่มีองศาอิสระ "
                f"{units - 1} และค่า p ที่ใกล้ 0.05 ควรถือว่ายังสรุปไม่ได้"
            )
        if periods < 2:
            th += " มีข้อมูลเพียงปีเดียว จึงไม่ได้ปรับผลที่เกิดร่วมกันในแต่ละปี"
        return th, f"Limitations: {text}"

    def panel_html(self) -> str:
        """The agency-by-year panel of staff development (A3, A5) and citizen trust (A7)."""
        panel = self.data.model("trust_link_panel")
        if panel is None or panel.empty:
            return para(
                "ยังไม่ได้ประมาณแบบจำลองนี้ เพราะต้องมีข้อมูลที่ประมวลผลแล้วอย่างน้อย 2 ปีงบประมาณ "
                "และอย่างน้อย 10 หน่วยงาน",
                "The link is not estimated: it needs two or more processed fiscal years and ten "
                "or more agencies.",
            )
        period = str(panel["years"].iloc[0])
        parts = [
            para(
                f"แบบจำลองข้อมูลแผงระดับหน่วยงานรายปี (ปีงบประมาณ พ.ศ. {period}) อธิบายร้อยละของผู้รับบริการ"
                "ที่เชื่อมั่นในหน่วยงาน (A7) ด้วยร้อยละของบุคลากรที่ดำเนินการตาม IDP (A3) และดัชนีความพึงพอใจ"
                "ของบุคลากร (A5) โดยควบคุมผลของปี ค่าความคลาดเคลื่อนมาตรฐานคำนวณแบบจัดกลุ่มตามหน่วยงาน",
                f"An agency-by-year panel (fiscal years B.E. {period}) relating the share of "
                "service users with high trust (A7) to the share of staff carrying out an IDP (A3) "
                "and the staff satisfaction index (A5), with year effects and standard errors "
                "clustered by agency.",
            )
        ]
        wording = {
            "A3": (
                "หน่วยงานที่มีร้อยละของบุคลากรที่ดำเนินการตาม IDP (A3) สูงกว่ากัน 10 จุดร้อยละ",
                "10 percentage points more staff carrying out an IDP (A3)",
            ),
            "A5": (
                "หน่วยงานที่มีดัชนีความพึงพอใจของบุคลากร (A5) สูงกว่ากัน 10 คะแนน",
                "10 points more on the staff satisfaction index (A5)",
            ),
        }
        for term, (who_th, who_en) in wording.items():
            found = panel[panel["term"] == term]
            if found.empty:
                continue
            row = found.iloc[0]
            est, lo, hi = 10 * row["estimate"], 10 * row["ci_low"], 10 * row["ci_high"]
            significant = row["p_value"] < kpi.SIGNIFICANCE
            more = "สูงกว่าโดยเฉลี่ย" if est >= 0 else "ต่ำกว่าโดยเฉลี่ย"
            verdict_th = "ซึ่งมีนัยสำคัญทางสถิติ" if significant else "ซึ่งไม่มีนัยสำคัญทางสถิติ"
            verdict_en = (
                "statistically significant" if significant else "not statistically significant"
            )
            parts.append(
                para(
                    f"{who_th} มีร้อยละของผู้รับบริการที่เชื่อมั่นในหน่วยงาน (A7) {more} "
                    f"{abs(est):.1f} จุดร้อยละ (ช่วงความเชื่อมั่น 95%: {_signed(lo)} ถึง {_signed(hi)}) "
                    f"{verdict_th}",
                    f"{who_en} go with {_signed(est)} percentage points of service users with high "
                    f"trust (A7) (95% confidence interval {_signed(lo)} to {_signed(hi)}; "
                    f"{verdict_en}).",
                )
            )
        limitations = str(panel["limitations"].iloc[0]) if "limitations" in panel else ""
        parts.append(para(*self._panel_limitations(limitations), css="note"))
        return "".join(parts)

    def caveats_html(self) -> str:
        """What every model result here can and cannot say."""
        return (
            '<div class="verdict" role="note">'
            + para(
                "ข้อควรระวัง: ผลทั้งหมดในหัวข้อนี้เป็นความสัมพันธ์ที่พบในข้อมูลสำรวจ ไม่ใช่หลักฐานว่าปัจจัยหนึ่ง"
                "เป็นสาเหตุของอีกปัจจัยหนึ่ง และแบบจำลองควบคุมได้เฉพาะปัจจัยที่อยู่ในแบบจำลองเท่านั้น",
                "Caveat: these are associations in survey data, not proof of cause; the models "
                "adjust only for the drivers they include.",
            )
            + para(
                "แบบจำลองความพึงพอใจไม่ถ่วงน้ำหนัก จึงอธิบายความสัมพันธ์ของคำตอบภายในกลุ่มผู้ตอบ "
                "ไม่ได้ประมาณสัดส่วนของบุคลากรทั้งหมด",
                "The satisfaction model is unweighted: it describes how answers relate within the "
                "sample; it does not estimate shares of all staff.",
            )
            + "</div>"
        )

    def models_html(self) -> str:
        """Every model result and the caveats, one after another."""
        return (
            self.staff_model_html()
            + self.panel_html()
            + self.trust_model_html()
            + self.caveats_html()
        )

    # -- trend -------------------------------------------------------------------------------

    def trend(self, codes: tuple[str, ...]) -> pd.DataFrame:
        """fiscal_year, series (indicator), value: the median of agency values per year."""
        history = self.data.history
        rows = history[history["indicator"].isin(codes) & (history["agency_code"] != kpi.OCSC_CODE)]
        medians = rows.groupby(["indicator", "fiscal_year"])["value"].median().reset_index()
        medians["series"] = medians["indicator"].map(
            lambda c: "{} {} / {}".format(c, *self.data.label(c))
        )
        medians["fiscal_year"] = medians["fiscal_year"].astype(int)
        shown = rows[rows["value"].notna()]
        marks = {
            (code, int(year)): self._sources(part, int(year))
            for (code, year), part in shown.groupby(["indicator", "fiscal_year"])
        }
        medians[SOURCES] = [
            marks.get((c, y), "")
            for c, y in zip(medians["indicator"], medians["fiscal_year"], strict=True)
        ]
        return medians[["fiscal_year", "series", "value", SOURCES]]

    @_thai_alt
    def trend_alt(self, codes: tuple[str, ...]) -> tuple[str, str]:
        """The trend chart's text alternative (Thai, English) with every median."""
        trend = self.trend(codes)
        parts_th, parts_en = [], []
        for code in codes:
            part = trend[trend["series"].str.startswith(f"{code} ")]
            if part.empty:
                continue
            th, en = self.data.label(code)
            unit = kpi.INDICATORS[code].unit
            points_th, points_en = [], []
            for y, v in zip(part["fiscal_year"], part["value"], strict=True):
                if present(v):
                    points_th.append(f"พ.ศ. {y} {_value_th(v, unit)}")
                    points_en.append(f"{y - 543} {_value_en(v, unit)}")
                else:
                    points_th.append(f"พ.ศ. {y} ไม่มีค่าที่เผยแพร่ได้")
                    points_en.append(f"{y - 543} no published value")
            parts_th.append(f"{code} {th}: {' '.join(points_th)}")
            parts_en.append(f"{code} {en}: {', '.join(points_en)}")
        if not parts_th:
            return (
                "แผนภูมิเส้นแสดงมัธยฐานของหน่วยงานตามปีงบประมาณ ยังไม่มีค่าที่เผยแพร่ได้",
                "Line chart of the median agency value by fiscal year: no published values yet.",
            )
        return (
            "แผนภูมิเส้นแสดงมัธยฐานของค่าที่หน่วยงานเผยแพร่ได้ ในแต่ละปีงบประมาณ " + " · ".join(parts_th),
            "Line chart of the median published agency value per fiscal year. "
            + "; ".join(parts_en)
            + ".",
        )

    def trend_caption(self) -> tuple[str, str]:
        return (
            "มัธยฐานคำนวณจากค่าที่หน่วยงานเผยแพร่ได้ในแต่ละปี หน่วยงานที่เผยแพร่ค่าได้ในแต่ละปีอาจไม่ใช่ชุดเดียวกัน",
            "Medians of the values agencies published each year; the agencies with a published "
            "value need not be the same every year.",
        )

    def ocsc_trend_html(self) -> str:
        history = self.data.history
        rows = history[history["agency_code"] == kpi.OCSC_CODE]
        if rows.empty:
            return ""
        pivot = rows.pivot_table(index="indicator", columns="fiscal_year", values="value")
        columns = [Col("ตัวชี้วัด", "Indicator")] + [
            Col(f"พ.ศ. {int(y)}", f"FY{int(y) - 543}", "num") for y in pivot.columns
        ]
        body = []
        for code, row in pivot.iterrows():
            unit = kpi.INDICATORS[code].unit
            cells = [(f"<b>{esc(code)}</b> {bilingual(*self.data.label(str(code)))}", "")]
            cells += [
                (f'<span class="nowrap">{esc(format_value(v, unit))}</span>', "")
                for v in row.to_numpy()
            ]
            body.append((f' data-indicator="{esc(code)}"', cells))
        share = 48 / max(len(pivot.columns), 1)
        return stack_table(
            columns,
            body,
            ("ตัวชี้วัด O1–O3 รายปีงบประมาณ", "O1–O3 by fiscal year"),
            css="fixed",
            attrs=' id="ocsc-trend"',
            colgroup="<colgroup><col style='width:52%'>"
            + f"<col style='width:{share:.1f}%'>" * len(pivot.columns)
            + "</colgroup>",
        )

    # -- methods and links -------------------------------------------------------------------

    def methods_html(self) -> str:
        """How the figures of this page are made, in a few sentences."""
        items = [
            (
                f"ค่าของหน่วยงานที่มีผู้ตอบน้อยกว่า {self.k} คนไม่เผยแพร่ และไม่นำมารวมในมัธยฐาน ผลรวม "
                "หรือแผนภาพใด ๆ ในรายงานนี้",
                f"Values from fewer than {self.k} respondents are not published and are left out "
                "of every median, total and chart in this report.",
            ),
            (
                "ค่าของหน่วยงานจากแบบสำรวจเป็นค่าประมาณแบบถ่วงน้ำหนัก การเทียบกับค่าเป้าหมายใช้ค่าประมาณ "
                "ไม่ใช่ช่วงความเชื่อมั่น 95%",
                "Survey values are weighted estimates; the comparison with a target uses the "
                "estimate, not its 95% confidence interval.",
            ),
            (
                "มัธยฐานรายกระทรวงและทั้งประเทศคำนวณจากค่าที่หน่วยงานเผยแพร่ได้ โดยนับหน่วยงานละหนึ่งค่า",
                "Ministry and government medians are of the published agency values, each agency "
                "counting once.",
            ),
        ]
        return (
            '<ul class="methods">'
            + "".join(f"<li>{bilingual(th, en)}</li>" for th, en in items)
            + "</ul>"
        )

    def agency_reports_html(self) -> str:
        """Every agency report of the year, as a compact list of links (not printed)."""
        items = "".join(
            f'<li style="break-inside: avoid">{self._link(code)}'
            f'<span class="en" lang="en">{esc(self._name_en(code))}</span></li>'
            for code in self.data.agencies
        )
        return (
            '<nav class="agency-reports no-print" aria-labelledby="agency-reports">'
            '<ul style="columns: 17rem; column-gap: 2rem; margin: .25rem 0 1rem; '
            'padding-left: 1.1rem">'
            f"{items}</ul></nav>"
        )
