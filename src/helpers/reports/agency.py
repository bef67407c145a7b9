"""The agency report: the figures of one agency's report for one year.

Everything here reads the aggregate tables of stages 02-05 through :class:`helpers.reports.tables.
YearData` and returns either small data frames for :mod:`helpers.reports.charts` or HTML
fragments in which every data-derived string is escaped. A response rate or sample size is
shown only from ``confidentiality.min_respondents`` respondents up, since a rate and a
headcount give the number of respondents.

Every figure resting on survey answers carries an invisible audit marker naming the respondents
it rests on (``data-sources``, see :func:`helpers.reports.htmlexport.sources`; chart frames
carry it in the column :data:`helpers.reports.charts.SOURCES`), which ``workbook audit``
recounts from the respondent rows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.core import config
from helpers.indicators import kpi
from helpers.indicators.aggregates import MIN_DRIVER_RESPONDENTS
from helpers.ingest.reasons import REASONS
from helpers.reports import downloads
from helpers.reports.agency_sections import AgencySections
from helpers.reports.charts import (
    ANSWER_LABELS,
    MISSING,
    NO_DATA,
    PROVISIONAL_TARGET_LABEL,
    SOURCES,
    TARGET_LABEL,
    withheld,
)
from helpers.reports.formatting import (
    bilingual,
    bilingual_text,
    english_list,
    facts_html,
    format_change,
    format_interval,
    format_target,
    format_value,
    ordinal_rank,
    para,
    placeholder_notice,
    present,
    provisional_targets,
    report_subtitle,
    split_bilingual,
    status_html,
    thai_amount,
    thai_list,
    without_counts,
)
from helpers.reports.funnel import funnel_data
from helpers.reports.htmlexport import esc, join_sources, sources, sources_attr
from helpers.reports.tables import INDICATOR_SURVEY, ReportError, YearData
from helpers.stats import weights

SERIES_AGENCY = "หน่วยงานนี้ / This agency"
SERIES_MINISTRY = "มัธยฐานกระทรวง / Ministry median"
SERIES_GOV = "มัธยฐานของทุกหน่วยงาน / Median of all agencies"
TREND_SERIES = (SERIES_AGENCY, SERIES_MINISTRY, SERIES_GOV)  # the first is the focus

# The answers behind "positive / neutral / negative" on each answer scale of the staff survey
# (config/scales.yaml: 4-5, 3 and 1-2), by the ``scale:`` of an item in its codebook.
SCALE_ANSWERS = {
    "agree5": (
        "เห็นด้วย–เห็นด้วยอย่างยิ่ง / Agree",
        "ไม่แน่ใจ / Not sure (neutral)",
        "ไม่เห็นด้วย–ไม่เห็นด้วยอย่างยิ่ง / Disagree",
    ),
    "amount5": (
        "พึงพอใจมาก–มากที่สุด / Satisfied",
        "ปานกลาง / Neither satisfied nor dissatisfied",
        "พึงพอใจน้อย–น้อยที่สุด / Dissatisfied",
    ),
}
FALLBACK_ANSWERS = ("เชิงบวก / Positive", "เป็นกลาง / Neutral", "เชิงลบ / Negative")
# A reverse-coded (negatively worded) item is counted, and drawn, in its favourable direction:
# its "positive" share is the share who disagree.
REVERSED_ANSWERS = {
    "agree5": (
        "ไม่เห็นด้วย–ไม่เห็นด้วยอย่างยิ่ง (เชิงบวก) / Disagree (favourable)",
        "ไม่แน่ใจ / Not sure (neutral)",
        "เห็นด้วย–เห็นด้วยอย่างยิ่ง (เชิงลบ) / Agree (unfavourable)",
    ),
}
REVERSED_MARK = "(ข้อคำถามเชิงลบ กลับทิศคำตอบแล้ว) / (negatively worded, reversed)"
SCALE_ORDER = ("agree5", "amount5")  # panels of the item chart: agreement items first
# The instruments as a report names them (Thai, English), for the rows cleaning set aside.
INSTRUMENT_NAMES = {
    "staff_survey": ("แบบสำรวจบุคลากร", "staff survey"),
    "citizen_survey": ("แบบสำรวจผู้รับบริการ", "citizen survey"),
    "agency_return": ("แบบรายงานของหน่วยงาน", "agency return"),
    "ocsc_return": ("แบบรายงานของสำนักงาน ก.พ.", "OCSC return"),
}
PANEL_ITEMS = 10  # most items in one panel of the item chart (it must print at 8 pt and up)


def _spaced(amount: str) -> str:
    """An amount after a Thai word: a space before a bare number ("จาก 54.7"), none before a
    word ("จากร้อยละ 50.6")."""
    return f" {amount}" if amount[:1].isdigit() else amount


# ----------------------------------------------------------------------------- agency report


class AgencyReport(AgencySections):
    """The figures of one agency's report for one year (the sections on what to act on:
    :class:`helpers.reports.agency_sections.AgencySections`)."""

    def __init__(self, year: int, agency: str = "", root: Path | None = None) -> None:
        self.data = YearData.load(year, root)
        self.year, self.root, self.k = (
            self.data.year,
            self.data.root,
            kpi.reporting_threshold(root=root),
        )
        agency = agency or self.data.largest_agency()
        if agency not in self.data.agencies:
            raise ReportError(
                f"Agency {agency!r} has no data in fiscal year {self.year}; agencies with data: "
                f"{', '.join(self.data.agencies[:12])}"
                f"{' ...' if len(self.data.agencies) > 12 else ''}."
            )
        self.agency = agency
        self.info = self.data.registry.loc[agency]
        table = self.data.indicators
        self.rows = table[table["agency_code"] == agency].set_index("indicator")

    # -- audit markers -----------------------------------------------------------------------

    def _mark(self, survey: str, measure: str, n: Any, year: int | None = None) -> str:
        return sources(year or self.year, survey, measure, {self.agency: n})

    def _history_n(self, code: str, year: int) -> Any:
        history = self.data.history
        rows = history[
            (history["agency_code"] == self.agency)
            & (history["indicator"] == code)
            & (history["fiscal_year"] == year)
        ]
        return rows["respondents"].iloc[0] if len(rows) else None

    def indicator_sources(self, code: str, previous: bool = False) -> str:
        """The audit marker of a survey indicator's shown value (and of last year's, which a
        change shows too); '' for return-based indicators and values not shown."""
        survey = INDICATOR_SURVEY.get(code)
        row = self.rows.loc[code]
        if survey is None or not present(row["value"]):
            return ""
        marks = [self._mark(survey, code, row["respondents"])]
        if previous and present(row.get("previous_value")):
            before = self.year - 1
            marks.append(self._mark(survey, code, self._history_n(code, before), before))
        return join_sources(*marks)

    # -- header ------------------------------------------------------------------------------

    def _weighting_row(self, name: str) -> pd.Series | None:
        frame = self.data.weighting(name)
        if frame is None:
            return None
        rows = frame[frame["agency_code"] == self.agency]
        return rows.iloc[0] if len(rows) else None

    def sample(self) -> dict[str, Any]:
        """Respondents, response rate and effective sample size per survey, None where
        fewer than the reporting threshold (or no survey)."""
        out: dict[str, Any] = {}
        staff, citizen = (
            self._weighting_row("staff_weighting"),
            self._weighting_row("citizen_weighting"),
        )
        for name, row in (("staff", staff), ("citizen", citizen)):
            n = int(row["respondents"]) if row is not None else 0
            shown = n >= self.k
            out[name] = {
                "respondents": n if shown else None,
                "any": n > 0,
                "effective_n": float(row["effective_n"]) if shown else None,
                "design_effect": float(row["design_effect_weighting"]) if shown else None,
                "response_rate": (
                    float(row["response_rate"])
                    if shown and name == "staff" and present(row.get("response_rate"))
                    else None
                ),
                "headcount": int(row["headcount"])
                if name == "staff" and row is not None and present(row.get("headcount"))
                else None,
                "cells_collapsed": without_counts(row.get("cells_collapsed")) if shown else "",
            }
        return out

    def _survey_sources(self, name: str, survey: dict[str, Any]) -> str:
        """The marker of a survey's shown respondent count ('' when it is not shown)."""
        n = survey["respondents"]
        return self._mark(name, "respondents", n) if n is not None else ""

    def _count_text(self, survey: dict[str, Any]) -> tuple[str, str]:
        if survey["respondents"] is not None:
            return f"{survey['respondents']:,} คน", f"{survey['respondents']:,} respondents"
        if survey["any"]:
            return (
                f"น้อยกว่า {self.k} คน (ไม่เผยแพร่ผล)",
                f"fewer than {self.k} (not published)",
            )
        return "ไม่มีการสำรวจ", "no survey"

    def other_years(self) -> list[int]:
        """The other fiscal years with a report of this agency, as far as this year's data
        knows (the years before it with an indicator row of the agency)."""
        history = self.data.history
        mine = history.loc[history["agency_code"] == self.agency, "fiscal_year"]
        return sorted({int(y) for y in mine} - {self.year})

    def nav_html(self) -> str:
        """Links to the year's overview, the index (filtered on this agency, so that every
        year of its reports shows, later ones too) and the agency's earlier reports."""
        links = [
            (
                "overview.html",
                "overview",
                f"ภาพรวมปีงบประมาณ พ.ศ. {self.year}",
                f"Government-wide overview FY{self.year - 543}",
            ),
            (
                f"../index.html#q={self.agency}",
                "index",
                "รายงานทุกปีของหน่วยงานนี้",
                "All reports of this agency",
            ),
            ("../index.html", "index", "รายงานทั้งหมด", "All reports"),
        ]
        links += [
            (
                f"../{y}/{self.agency}.html",
                "year",
                f"รายงานปีงบประมาณ พ.ศ. {y}",
                f"Report FY{y - 543}",
            )
            for y in self.other_years()
        ]
        items = "".join(
            f'<li><a href="{esc(href)}" data-nav="{kind}">{bilingual(th, en, inline=True)}</a></li>'
            for href, kind, th, en in links
        )
        return f'<nav class="report-nav" aria-label="ลิงก์ไปยังรายงานอื่น"><ul>{items}</ul></nav>'

    def header_html(self) -> str:
        s = self.sample()
        staff, citizen = s["staff"], s["citizen"]
        rate = f"{100 * staff['response_rate']:.1f}%" if staff["response_rate"] is not None else "–"
        staff_mark = self._survey_sources("staff", staff)
        rate_mark = staff_mark if staff["response_rate"] is not None else ""
        facts = [
            (
                ("กระทรวง", "Ministry"),
                bilingual(self.info["ministry_th"], self.info["ministry_en"]),
                "",
            ),
            (
                ("ปีงบประมาณ", "Fiscal year"),
                bilingual(f"พ.ศ. {self.year}", f"FY{self.year - 543} (B.E. {self.year})"),
                "",
            ),
            (
                ("ผู้ตอบแบบสำรวจบุคลากร", "Staff survey"),
                bilingual(*self._count_text(staff)),
                staff_mark,
            ),
            (("อัตราการตอบกลับของบุคลากร", "Staff response rate"), esc(rate), rate_mark),
            (
                ("ผู้ตอบแบบสำรวจผู้รับบริการ", "Citizen survey"),
                bilingual(*self._count_text(citizen)),
                self._survey_sources("citizen", citizen),
            ),
            (
                ("อัตราการตอบกลับของผู้รับบริการ", "Citizen response rate"),
                "–<small>"
                + bilingual(
                    "ไม่สามารถคำนวณได้ เนื่องจากไม่ทราบจำนวนผู้รับบริการทั้งหมด",
                    "not computable: the number of service users is unknown",
                )
                + "</small>",
                "",
            ),
        ]
        return (
            f'<header class="report-header" data-agency="{esc(self.agency)}" '
            f'data-year="{self.year}">{self.nav_html()}'
            f'<h1 id="agency-name">{bilingual(self.info["name_th"], self.info["name_en"])}</h1>'
            + report_subtitle(self.year)
            + facts_html(facts)
            + "</header>"
        )

    # -- scorecard ---------------------------------------------------------------------------

    def position(self, indicator: str) -> str:
        table = self.data.indicators
        row = self.rows.loc[indicator]
        if not present(row["value"]):
            return "–"
        peers = table[(table["indicator"] == indicator) & (table["agency_code"] != kpi.OCSC_CODE)]
        rank, of, tied = ordinal_rank(peers["value"], float(row["value"]))
        if not tied:
            return f"{rank} จาก {of}"
        same = int((peers["value"].dropna() - float(row["value"])).abs().le(kpi.TOLERANCE).sum())
        return f"{rank} จาก {of} (เท่ากัน {same} หน่วยงาน / {same} tied)"

    def _change_html(self, code: str, row: pd.Series) -> str:
        """The change from last year; "last year not published" when last year's value was
        withheld (never "no data", which would say nothing was collected)."""
        if not present(row.get("change")) and not present(row.get("previous_value")):
            history = self.data.history
            before = history[
                (history["agency_code"] == self.agency)
                & (history["indicator"] == code)
                & (history["fiscal_year"] == self.year - 1)
            ]
            if len(before) and (before["status"] == "suppressed").any():
                return (
                    '<span class="note">'
                    + bilingual(
                        f"ปีก่อนไม่เผยแพร่ (ผู้ตอบน้อยกว่า {self.k} คน)",
                        "last year not published",
                        inline=True,
                    )
                    + "</span>"
                )
        return format_change(row)

    @staticmethod
    def _position_html(position: str) -> str:
        rank, _, tie = position.partition(" (")
        if not tie:
            return esc(rank)
        th, _, en = tie.rstrip(")").partition(" / ")
        return f"{esc(rank)} ({bilingual(th, en, inline=True)})"

    def scorecard(self) -> pd.DataFrame:
        """One row per A1-A7 with the texts the scorecard shows."""
        records = []
        for code in kpi.AGENCY_INDICATORS:
            row = self.rows.loc[code]
            th, en = self.data.label(code)
            unit = row["unit"]
            target = self.data.targets[code]
            n = row["respondents"]
            records.append(
                {
                    "indicator": code,
                    "th": th,
                    "en": en,
                    "status": row["status"],
                    "value": format_value(row["value"], unit),
                    "interval": format_interval(row["ci_low"], row["ci_high"], unit),
                    "target": format_target(row["target"], unit, target["direction"]),
                    "change": self._change_html(code, row) if present(row["value"]) else "",
                    "position": self.position(code),
                    "respondents": int(n) if present(n) and int(n) >= self.k else None,
                    "reason": row["suppression_reason"] if row["status"] == "suppressed" else "",
                    "sources": self.indicator_sources(code),
                    "change_sources": self.indicator_sources(code, previous=True)
                    if present(row["value"]) and present(row.get("change"))
                    else "",
                }
            )
        return pd.DataFrame(records)

    def scorecard_html(self) -> str:
        """The scorecard table (cards on a phone), with the placeholder-target notice above
        it while the targets are placeholders."""
        provisional = provisional_targets(self.root)
        headers = [
            ("ตัวชี้วัด", "Indicator", ""),
            ("ผล", "Result", "num"),
            (
                "ค่าเป้าหมายชั่วคราว" if provisional else "ค่าเป้าหมาย",
                "Provisional target" if provisional else "Target",
                "",
            ),
            (
                "เทียบค่าเป้าหมาย" if provisional else "สถานะ",
                "Against the target" if provisional else "Status",
                "",
            ),
            ("เทียบปีก่อน", "Change", ""),
            ("อันดับ", "Rank", ""),
        ]
        head = (
            "<colgroup><col class='c-ind'><col class='c-val'><col class='c-tgt'>"
            "<col class='c-st'><col class='c-chg'><col class='c-rank'></colgroup><thead><tr>"
            + "".join(
                f'<th scope="col"{f" class={css!r}" if css else ""}>{bilingual(th, en)}</th>'
                for th, en, css in headers
            )
            + "</tr></thead>"
        )
        labels = [f'<span class="cell-label">{bilingual(th, en)}</span>' for th, en, _ in headers]
        body = []
        for r in self.scorecard().itertuples(index=False):
            if r.status == "suppressed":
                value = bilingual("ไม่เผยแพร่", "Not published") + (
                    f'<span class="suppressed-note">'
                    f"{bilingual(f'ผู้ตอบน้อยกว่า {self.k} คน', f'fewer than {self.k} respondents')}"
                    "</span>"
                )
            elif r.status == "no_data":
                value = bilingual("ไม่มีข้อมูล", "No data")
            else:
                value = f"<b>{bilingual_text(r.value)}</b>"
                if r.interval:
                    value += (
                        f'<br><span class="note nowrap" title="ช่วงความเชื่อมั่น 95%">'
                        f"{esc(r.interval)}</span>"
                    )
                if present(r.respondents):
                    value += (
                        f'<br><span class="n note nowrap" data-n="{int(r.respondents)}">'
                        f"n = {int(r.respondents):,}</span>"
                    )
            cells = [
                f'<th scope="row">{labels[0]}<b>{esc(r.indicator)}</b> '
                f"{bilingual(r.th, r.en)}</th>",
                f'<td class="num value"{sources_attr(r.sources)}>{labels[1]}{value}</td>',
                f"<td>{labels[2]}{bilingual_text(r.target)}</td>",
                f"<td>{labels[3]}{status_html(r.status, self.root)}</td>",
                f"<td{sources_attr(r.change_sources)}>{labels[4]}{r.change}</td>",
                f"<td>{labels[5]}{self._position_html(r.position)}</td>",
            ]
            body.append(
                f'<tr data-indicator="{esc(r.indicator)}" data-status="{esc(r.status)}">'
                + "".join(cells)
                + "</tr>"
            )
        legend = para(
            "ผลแสดงค่าประมาณและช่วงความเชื่อมั่น 95% "
            + (
                "คอลัมน์ “เทียบค่าเป้าหมาย” แสดงว่าค่าประมาณถึงค่าเป้าหมายชั่วคราวหรือไม่ "
                if provisional
                else "สถานะเทียบค่าประมาณกับเป้าหมาย "
            )
            + "เครื่องหมาย ▲/▼ แสดงเฉพาะการเปลี่ยนแปลงที่มีนัยสำคัญทางสถิติ (p < 0.05) "
            "อันดับ 1 หมายถึงหน่วยงานที่มีค่าสูงสุดในบรรดาหน่วยงานที่เผยแพร่ผลได้",
            "Results are estimates with their 95% confidence intervals. "
            + (
                "The comparison column says whether the estimate reaches the provisional target. "
                if provisional
                else "Status compares the estimate with the target. "
            )
            + "▲/▼ marks only statistically significant changes (p < 0.05). Rank 1 is the "
            "highest among the agencies with a published value.",
            css="note",
        )
        return (
            placeholder_notice(self.root)
            + '<table class="scorecard stack" id="scorecard"><caption>'
            + bilingual("ตัวชี้วัดความสำเร็จ A1–A7", "Success indicators A1–A7")
            + f"</caption>{head}<tbody>{''.join(body)}</tbody></table>"
            + legend
        )

    def verdict_html(self) -> str:
        """The scorecard's plain verdict: targets reached, what is withheld, significant
        changes; one sentence a line, Thai then English."""
        card = self.scorecard()
        met = int((card["status"] == "met").sum())
        judged = int(card["status"].isin(["met", "not_met"]).sum())
        if provisional_targets(self.root):
            parts = [
                para(
                    f"มีตัวชี้วัดที่ถึงค่าเป้าหมายชั่วคราว {met} ตัวชี้วัด จาก {judged} ตัวชี้วัดที่เทียบได้",
                    f"{met} of the {judged} indicators that could be compared reach the "
                    "provisional target.",
                )
            ]
        else:
            parts = [
                para(
                    f"มีตัวชี้วัดที่บรรลุเป้าหมาย {met} ตัวชี้วัด จาก {judged} ตัวชี้วัดที่ประเมินได้",
                    f"Met {met} of the {judged} indicators that could be assessed.",
                )
            ]
        suppressed = card.loc[card["status"] == "suppressed", "indicator"].tolist()
        if suppressed:
            codes = english_list(suppressed)
            codes_th = thai_list(suppressed)
            parts.append(
                para(
                    f"ไม่เผยแพร่ผลตัวชี้วัด {codes_th} เนื่องจากมีผู้ตอบน้อยกว่า {self.k} คน",
                    f"{codes} not published: fewer than {self.k} respondents.",
                )
            )
        changes = self.rows[self.rows["change_significant"].astype(bool)]
        for code, row in changes.iterrows():
            before = format_value(row["previous_value"], row["unit"])
            now = format_value(row["value"], row["unit"])
            up = row["change"] > 0
            mark = self.indicator_sources(str(code), previous=True)
            parts.append(
                para(
                    f"{code} {'เพิ่มขึ้น' if up else 'ลดลง'}อย่างมีนัยสำคัญทางสถิติเมื่อเทียบกับ"
                    f"ปีงบประมาณก่อนหน้า (จาก{_spaced(thai_amount(before))} "
                    f"เป็น{_spaced(thai_amount(now))})",
                    f"{code} {'rose' if up else 'fell'} significantly from last year "
                    f"({before} → {now}).",
                    attrs=sources_attr(mark),
                )
            )
        return '<div class="verdict">' + "".join(parts) + "</div>"

    # -- satisfaction ------------------------------------------------------------------------

    def indicator_sentence(self, code: str) -> str:
        """A plain verdict on one indicator (value, interval, target, benchmark) as one Thai
        sentence and its English (HTML, escaped)."""
        row = self.rows.loc[code]
        th, en = self.data.label(code)
        if row["status"] == "suppressed":
            return para(
                f"{th}: ไม่เผยแพร่ผล เนื่องจากมีผู้ตอบน้อยกว่า {self.k} คน",
                f"{en}: not published (fewer than {self.k} respondents).",
            )
        if not present(row["value"]):
            return para(f"{th}: ไม่มีข้อมูล", f"{en}: no data.")
        unit = row["unit"]
        value = format_value(row["value"], unit)
        en_value = split_bilingual(value)[1]
        interval = format_interval(row["ci_low"], row["ci_high"], unit)
        th_parts = [f"{th} เท่ากับ {thai_amount(value)}"]
        en_parts = [f"{en}: {en_value}"]
        if interval:
            th_parts[0] += f" (ช่วงความเชื่อมั่น 95%: {thai_amount(interval)})"
            en_parts[0] += f" (95% confidence interval {interval})"
        if row["status"] in ("met", "not_met"):
            target = format_target(row["target"], unit)
            if provisional_targets(self.root):
                th_parts.append(
                    ("ซึ่งถึง" if row["status"] == "met" else "ซึ่งยังไม่ถึง")
                    + f"ค่าเป้าหมายชั่วคราว ({thai_amount(target)})"
                )
                en_parts.append(
                    ("reaches" if row["status"] == "met" else "is short of")
                    + f" the provisional target ({target})"
                )
            else:
                th_parts.append(
                    ("ซึ่งบรรลุ" if row["status"] == "met" else "ซึ่งยังไม่บรรลุ")
                    + f"เป้าหมาย ({thai_amount(target)})"
                )
                en_parts.append(
                    ("meets" if row["status"] == "met" else "does not meet")
                    + f" the target ({target})"
                )
        if present(row["gov_median"]):
            median = format_value(row["gov_median"], unit)
            median_th, median_en = split_bilingual(median)
            if row["value"] > row["gov_median"] + kpi.TOLERANCE:
                side = ("สูงกว่า", "above")
            elif row["value"] < row["gov_median"] - kpi.TOLERANCE:
                side = ("ต่ำกว่า", "below")
            else:
                side = ("เท่ากับ", "equal to")
            th_parts.append(f"และ{side[0]}มัธยฐานของทุกหน่วยงาน ({thai_amount(median_th)})")
            en_parts.append(f"{side[1]} the median of all agencies ({median_en})")
        mark = self.indicator_sources(code)
        return para(
            " ".join(th_parts),
            ", ".join(en_parts) + ".",
            attrs=sources_attr(mark),
        )

    def trend(self, code: str) -> pd.DataFrame:
        """fiscal_year, series, value, ci_low, ci_high for the agency, its ministry's median and
        the government median, over every processed year up to this one."""
        history = self.data.history
        rows = history[(history["indicator"] == code) & (history["agency_code"] == self.agency)]
        peers = (
            history[
                (history["indicator"] == code)
                & (history["ministry_code"] == self.info["ministry_code"])
                & history["value"].notna()
            ]
            .groupby("fiscal_year")["agency_code"]
            .nunique()
        )
        rows = rows.assign(
            ministry_median=rows["ministry_median"].where(
                rows["fiscal_year"].map(peers).fillna(0).to_numpy() >= 2
            )
        )
        survey = INDICATOR_SURVEY.get(code)
        marks = [
            self._mark(survey, code, n, int(y)) if survey and present(v) else ""
            for y, v, n in zip(rows["fiscal_year"], rows["value"], rows["respondents"], strict=True)
        ]
        frames = [
            rows[["fiscal_year", "value", "ci_low", "ci_high"]].assign(
                series=SERIES_AGENCY, **{SOURCES: marks, MISSING: self._why_missing(rows)}
            ),
            rows[["fiscal_year", "ministry_median"]]
            .rename(columns={"ministry_median": "value"})
            .assign(series=SERIES_MINISTRY),
            rows[["fiscal_year", "gov_median"]]
            .rename(columns={"gov_median": "value"})
            .assign(series=SERIES_GOV),
        ]
        out = pd.concat(frames, ignore_index=True)
        out["fiscal_year"] = out["fiscal_year"].astype(int)
        out[SOURCES] = out[SOURCES].fillna("")
        out[MISSING] = out[MISSING].fillna("")
        return out[
            ["fiscal_year", "series", "value", "ci_low", "ci_high", SOURCES, MISSING]
        ].sort_values(["series", "fiscal_year"], ignore_index=True)

    def _why_missing(self, rows: pd.DataFrame) -> list[str]:
        """Per row: '' when it has a value, else why not: withheld (fewer respondents than the
        reporting threshold) or no data (nothing collected)."""
        none = pd.Series(None, index=rows.index, dtype=object)
        status = rows["status"] if "status" in rows.columns else none
        reason = rows["suppression_reason"] if "suppression_reason" in rows.columns else none
        return [
            ""
            if present(v)
            else withheld(self.k)
            if st == "suppressed" or (not present(st) and present(r) and str(r))
            else NO_DATA
            for v, st, r in zip(rows["value"], status, reason, strict=True)
        ]

    @staticmethod
    def _missing_en(text: str) -> str:
        return text.split(" / ", 1)[-1].lower() if text else ""

    def trend_alt(self, code: str) -> tuple[str, str]:
        """The trend chart's text alternative with the agency's values (Thai, English)."""
        th, en = self.data.label(code)
        trend = self.trend(code)
        mine = trend[trend["series"] == SERIES_AGENCY]
        unit = self.rows.loc[code, "unit"]
        points_th, points_en = [], []
        for y, v, why in zip(mine["fiscal_year"], mine["value"], mine[MISSING], strict=True):
            if present(v):
                value_th, value_en = split_bilingual(format_value(v, unit))
                points_th.append(f"ปี {y}: {value_th}")
                points_en.append(f"{y - 543}: {value_en}")
            else:
                why_th, why_en = split_bilingual(why or NO_DATA)
                points_th.append(f"ปี {y}: {why_th}")
                points_en.append(f"{y - 543}: {why_en.lower()}")
        return (
            f"แผนภูมิเส้นแสดง{th} ตามปีงบประมาณ ของหน่วยงานนี้ มัธยฐานของกระทรวง และมัธยฐานของทุก"
            f"หน่วยงาน ค่าของหน่วยงานนี้ {', '.join(points_th) or 'ไม่มีค่าที่เผยแพร่ได้'}",
            f"Line chart of {en} by fiscal year for this agency, its ministry's median and the "
            "median of all agencies. This agency: "
            f"{', '.join(points_en) or 'no published values'}.",
        )

    @property
    def target_label(self) -> str:
        """The legend's name of the target line: provisional while the targets are."""
        return PROVISIONAL_TARGET_LABEL if provisional_targets(self.root) else TARGET_LABEL

    def trend_caption(self, code: str) -> tuple[str, str]:
        """The trend chart's caption (Thai, English): what the solid line is, or that the
        agency's line is not drawn because every year of it is withheld."""
        mine = self.trend(code)
        mine = mine[mine["series"] == SERIES_AGENCY]
        medians = (
            "มัธยฐานคำนวณจากค่าที่หน่วยงานต่าง ๆ เผยแพร่ได้ และจะแสดงมัธยฐานของกระทรวงเมื่อกระทรวงมี"
            "หน่วยงานที่เผยแพร่ค่าได้ตั้งแต่ 2 หน่วยงานขึ้นไป",
            "Medians are of published agency values; the ministry median is shown when two or "
            "more of its agencies have one.",
        )
        if mine["value"].notna().any():
            return (
                f"เส้นทึบแสดงค่าของหน่วยงานนี้ พร้อมช่วงความเชื่อมั่น 95% {medians[0]}",
                f"Solid line: this agency with its 95% confidence interval. {medians[1]}",
            )
        return (
            f"ไม่แสดงเส้นของหน่วยงานนี้ เนื่องจากไม่มีปีใดที่เผยแพร่ผลได้ {medians[0]}",
            f"This agency's line is not drawn: no year of it can be published. {medians[1]}",
        )

    def target_value(self, code: str) -> float | None:
        target = self.data.targets[code]["target"]
        return None if target is None else float(target)

    def items(self) -> pd.DataFrame:
        """Item results with Thai and English labels, the answer wording of each item's scale
        (:data:`SCALE_ANSWERS`, reverse-coded items in their favourable direction) and, for
        items without results, why (:data:`helpers.reports.charts.MISSING`: withheld or no
        data). Agreement items first, then satisfaction items; within each, published items
        most positive first, then the items without results."""
        items = self.data.table("items")
        book = config.codebook("staff_survey", self.root)
        mine = items[items["agency_code"] == self.agency].copy()
        columns = {c: book.column(c) for c in mine["item"]}
        mine["th"] = mine["item"].map(lambda c: columns[c].th)
        mine["en"] = mine["item"].map(lambda c: columns[c].en)
        mine["scale"] = mine["item"].map(lambda c: columns[c].scale)
        reverse = mine["item"].map(lambda c: bool(columns[c].reverse)).astype(bool)
        mine["reverse"] = reverse.to_numpy()
        mine["label"] = [
            f"{th} {REVERSED_MARK.split(' / ')[0]}" if rev else th
            for th, rev in zip(mine["th"], mine["reverse"], strict=True)
        ]
        answers = [
            REVERSED_ANSWERS.get(scale, SCALE_ANSWERS.get(scale, FALLBACK_ANSWERS))
            if rev
            else SCALE_ANSWERS.get(scale, FALLBACK_ANSWERS)
            for scale, rev in zip(mine["scale"], mine["reverse"], strict=True)
        ]
        for i, column in enumerate(ANSWER_LABELS):
            mine[column] = [a[i] for a in answers]
        shown = mine["percent_positive"].notna()
        mine[MISSING] = [
            "" if ok else withheld(self.k) if present(reason) and str(reason) else NO_DATA
            for ok, reason in zip(shown, mine["suppression_reason"], strict=True)
        ]
        mine[SOURCES] = [
            self._mark("staff", f"item:{i}", n) if ok else ""
            for i, n, ok in zip(mine["item"], mine["respondents"], shown, strict=True)
        ]
        mine["_scale_order"] = [
            SCALE_ORDER.index(s) if s in SCALE_ORDER else len(SCALE_ORDER) for s in mine["scale"]
        ]
        mine["_unshown"] = ~shown
        return (
            mine.sort_values(
                ["_scale_order", "_unshown", "percent_positive"],
                ascending=[True, True, False],
                kind="stable",
            )
            .drop(columns=["_scale_order", "_unshown"])
            .reset_index(drop=True)
        )

    def item_panels(self) -> list[tuple[str, pd.DataFrame, str]]:
        """The item chart in panels that print at a readable size: one answer scale per
        panel (agreement items, then satisfaction items), its constructs grouped in codebook
        order up to :data:`PANEL_ITEMS` items a panel. Returns (scale, items, title)."""
        items = self.items()
        book = config.codebook("staff_survey", self.root)
        construct = {c: book.column(c).construct for c in items["item"]}
        items = items.assign(_construct=items["item"].map(construct))
        order = list(book.constructs)
        scales = [s for s in SCALE_ORDER if (items["scale"] == s).any()]
        scales += sorted(set(items["scale"].dropna()) - set(scales))
        panels = []
        for scale in scales:
            mine = items[items["scale"] == scale]
            groups: list[list[str]] = []
            for name in sorted(mine["_construct"].unique(), key=lambda c: order.index(c)):
                size = int((mine["_construct"] == name).sum())
                if (
                    groups
                    and sum(int((mine["_construct"] == g).sum()) for g in groups[-1]) + (size)
                    <= PANEL_ITEMS
                ):
                    groups[-1].append(name)
                else:
                    groups.append([name])
            for group in groups:
                th = " และ".join(book.constructs[g]["th"] for g in group)
                en = " and ".join(book.constructs[g]["en"] for g in group)
                en = en[:1] + en[1:].lower()
                panel = mine[mine["_construct"].isin(group)].drop(columns="_construct")
                panels.append((scale, panel.reset_index(drop=True), f"{th} (%) / {en} (%)"))
        if not panels:
            return [("", items.drop(columns="_construct"), "คำตอบรายข้อ (%) / Answers by item (%)")]
        return panels

    def missing_note(self, frame: pd.DataFrame, title: str) -> str:
        """In place of a chart with nothing to draw, a short note saying why (withheld or no
        data, from the frame's :data:`~helpers.reports.charts.MISSING` column); '' when the
        chart has something to show.

        Args:
            frame: the chart's frame (a ``value`` or ``percent_positive`` column).
            title: what the chart would show, "ไทย / English".
        """
        values = frame["percent_positive"] if "percent_positive" in frame else frame["value"]
        if len(frame) and pd.to_numeric(values, errors="coerce").notna().any():
            return ""
        reasons = [r for r in dict.fromkeys(frame.get(MISSING, pd.Series(dtype=str))) if r]
        reasons = reasons or [NO_DATA]
        title_th, title_en = split_bilingual(title)
        return para(
            f"{title_th}: " + "; ".join(split_bilingual(r)[0] for r in reasons),
            f"{title_en}: " + "; ".join(split_bilingual(r)[1].lower() for r in reasons) + ".",
            css="suppressed-note chart-note",
        )

    def published_items(self) -> pd.DataFrame:
        """The items whose results are shown, most positive first."""
        items = self.items()
        shown = items[items[MISSING] == ""]
        return shown.sort_values("percent_positive", ascending=False, ignore_index=True)

    def suppressed_items(self) -> list[str]:
        """The items withheld (fewer answers than the reporting threshold): not "no data"."""
        items = self.data.table("items")
        mine = items[(items["agency_code"] == self.agency) & items["suppression_reason"].notna()]
        return mine["item"].tolist()

    def no_data_items(self) -> list[str]:
        """The items nobody in the agency answered (nothing collected): not withheld."""
        items = self.items()
        return items.loc[items[MISSING] == NO_DATA, "item"].tolist()

    def items_alt(self, items: pd.DataFrame | None = None) -> tuple[str, str]:
        """The item chart's text alternative (Thai, English), of one panel's items
        (:meth:`item_panels`) or of all; with the most and least favourable item and what is
        not shown."""
        items = self.items() if items is None else items
        shown = items[items[MISSING] == ""].sort_values("percent_positive", ascending=False)
        withheld_n = int((items[MISSING] == withheld(self.k)).sum())
        none_n = int((items[MISSING] == NO_DATA).sum())
        tail_th, tail_en = "", ""
        if withheld_n:
            tail_th += f" ไม่เผยแพร่ {withheld_n} ข้อ เนื่องจากมีผู้ตอบน้อยกว่า {self.k} คน"
            tail_en += f" {withheld_n} item(s) not published: fewer than {self.k} answered."
        if none_n:
            tail_th += f" ไม่มีข้อมูล {none_n} ข้อ เนื่องจากไม่มีผู้ตอบ"
            tail_en += f" {none_n} item(s) with no data: nobody answered."
        if items.empty:
            return (
                "แผนภูมิคำตอบรายข้อ: ไม่มีข้อมูล หน่วยงานนี้ไม่มีคำตอบแบบสำรวจบุคลากร",
                "Item chart: no data, this agency has no staff survey answers.",
            )
        if shown.empty:
            return (
                f"แผนภูมิคำตอบรายข้อ: ไม่มีข้อที่แสดงผลได้{tail_th}",
                f"Item chart: no item result is shown.{tail_en}",
            )
        top, bottom = shown.iloc[0], shown.iloc[-1]
        top_th, top_en = split_bilingual(top["answer_positive"])
        low_th, low_en = split_bilingual(bottom["answer_positive"])
        return (
            f"แผนภูมิแท่งซ้อนแสดงร้อยละของคำตอบเชิงบวก เป็นกลาง และเชิงลบ ของข้อคำถาม {len(shown)} ข้อ "
            f"ตามมาตรวัดของแต่ละข้อ (ข้อคำถามเชิงลบกลับทิศคำตอบแล้ว) ข้อที่มีคำตอบเชิงบวกสูงที่สุดคือ "
            f"{top['th']} ({top_th} ร้อยละ {top['percent_positive']:.0f}) ข้อที่มีคำตอบเชิงบวกต่ำที่สุดคือ "
            f"{bottom['th']} ({low_th} ร้อยละ {bottom['percent_positive']:.0f}){tail_th}",
            f"Stacked bar chart of favourable, neutral and unfavourable answers for {len(shown)} "
            f"staff survey items, each on its own answer scale (negatively worded items counted "
            f"in their favourable direction). Most favourable: {top['en']} "
            f"({top['percent_positive']:.0f}% {top_en.lower()}). Least favourable: "
            f"{bottom['en']} ({bottom['percent_positive']:.0f}% {low_en.lower()}).{tail_en}",
        )

    def strengths_challenges_html(self) -> str:
        """Strengths and challenges among the published items; withheld and no-data items
        are named as such, never as "no item reached the threshold"."""
        everything = self.items()
        items = self.published_items()
        suppressed = self.suppressed_items()
        blocks = []
        for flag, th, en, rule_th, rule_en in (
            (
                "strength",
                "จุดแข็ง",
                "Strengths",
                f"คำตอบเชิงบวกตั้งแต่ร้อยละ {kpi.STRENGTH_PERCENT_POSITIVE:g}",
                f"at least {kpi.STRENGTH_PERCENT_POSITIVE:g}% favourable",
            ),
            (
                "challenge",
                "ประเด็นที่ควรพัฒนา",
                "Challenges",
                f"คำตอบเชิงลบตั้งแต่ร้อยละ {kpi.CHALLENGE_PERCENT_NEGATIVE:g}",
                f"at least {kpi.CHALLENGE_PERCENT_NEGATIVE:g}% unfavourable",
            ),
        ):
            chosen = items[items[flag].fillna(False).astype(bool)] if len(items) else items
            if len(chosen):
                lis = []
                for r, mark in zip(chosen.itertuples(), chosen[SOURCES], strict=True):
                    pos_th, pos_en = split_bilingual(r.answer_positive)
                    neg_th, neg_en = split_bilingual(r.answer_negative)
                    lis.append(
                        f"<li{sources_attr(mark)}>"
                        + bilingual(
                            f"{r.label}: {pos_th} ร้อยละ {r.percent_positive:.0f}, "
                            f"{neg_th} ร้อยละ {r.percent_negative:.0f}",
                            f"{r.en}: {r.percent_positive:.0f}% {pos_en.lower()}, "
                            f"{r.percent_negative:.0f}% {neg_en.lower()}",
                        )
                        + "</li>"
                    )
                content = f"<ul>{''.join(lis)}</ul>"
            elif items.empty and suppressed:
                content = para(
                    f"ไม่เผยแพร่ผลรายข้อ เนื่องจากมีผู้ตอบน้อยกว่า {self.k} คน จึงระบุ{th}ไม่ได้",
                    f"Item results are not published (fewer than {self.k} respondents), so "
                    f"no {en.lower()} can be named.",
                    css="suppressed-note",
                )
            elif items.empty:
                content = para(
                    "ไม่มีข้อมูล เนื่องจากไม่มีคำตอบแบบสำรวจบุคลากร",
                    "No data: there are no staff survey answers.",
                    css="note",
                )
            else:
                content = para(
                    "ไม่มีข้อคำถามที่เผยแพร่ผลข้อใดถึงเกณฑ์",
                    "No published item reached the threshold.",
                    css="note",
                )
            blocks.append(
                f"<div><h3>{bilingual(th, en)}</h3>"
                f"{para(f'เกณฑ์: {rule_th}', f'Rule: {rule_en}', css='note')}{content}</div>"
            )
        notes = []
        if suppressed and not items.empty:
            names = everything.set_index("item").loc[suppressed]
            notes.append(
                para(
                    f"ข้อคำถามที่ไม่เผยแพร่ผล เนื่องจากมีผู้ตอบน้อยกว่า {self.k} คน: "
                    + "; ".join(names["label"]),
                    f"Items not published (fewer than {self.k} respondents): "
                    + "; ".join(names["en"]),
                    css="suppressed-note",
                )
            )
        if none := self.no_data_items():
            names = everything.set_index("item").loc[none]
            notes.append(
                para(
                    "ข้อคำถามที่ไม่มีข้อมูล เนื่องจากไม่มีผู้ตอบ: " + "; ".join(names["label"]),
                    "Items with no data (nobody answered): " + "; ".join(names["en"]),
                    css="note",
                )
            )
        return f'<div class="two-col">{"".join(blocks)}</div>{"".join(notes)}'

    def satisfaction_drivers(self) -> pd.DataFrame:
        """label, value (correlation with the satisfaction index in this agency), note."""
        corr = self.data.table("satisfaction_correlations")
        names = config.reports(self.root)["satisfaction_drivers"]
        mine = corr[corr["agency_code"] == self.agency] if corr is not None else corr
        if mine is None or mine["correlation"].isna().all():
            reasons = mine["suppression_reason"].dropna() if mine is not None else []
            if len(reasons) == 0:  # no staff survey: no data
                return pd.DataFrame(columns=["label", "value"])
            # withheld, not missing: the chart says why (charts.MISSING)
            fewer = re.search(r"fewer than (\d+) respondents", str(reasons.iloc[0]))
            text = (
                f"ไม่วิเคราะห์ (ผู้ตอบน้อยกว่า {fewer.group(1)} คน) / Not analysed "
                f"(fewer than {fewer.group(1)} respondents)"
                if fewer
                else f"ไม่วิเคราะห์ / Not analysed ({reasons.iloc[0]})"
            )
            return pd.DataFrame({"label": [""], "value": [float("nan")], MISSING: [text]})
        mine = mine.dropna(subset=["correlation"]).sort_values("correlation", ascending=False)
        return pd.DataFrame(
            {
                "label": [f"{names[m]['th']} / {names[m]['en']}" for m in mine["measure"]],
                "value": mine["correlation"].to_numpy(float),
                SOURCES: [
                    self._mark("staff", f"corr:{m}", n)
                    for m, n in zip(mine["measure"], mine["respondents"], strict=True)
                ],
            }
        )

    def drivers_alt(self) -> tuple[str, str]:
        """The text alternative of the drivers' bar chart (Thai, English) with every value."""
        drivers = self.satisfaction_drivers()
        shown = drivers.dropna(subset=["value"])
        if shown.empty:
            why = drivers[MISSING].iloc[0] if MISSING in drivers and len(drivers) else ""
            th, en = split_bilingual(why) if why else ("ไม่มีข้อมูล", "no data")
            return (
                f"แผนภูมิแท่งสหสัมพันธ์ของแต่ละปัจจัยกับดัชนีความพึงพอใจ: {th}",
                f"Bar chart of each driver's correlation with the satisfaction index: {en}.",
            )
        th = "; ".join(
            f"{split_bilingual(lab)[0]} {v:.2f}"
            for lab, v in zip(shown["label"], shown["value"], strict=True)
        )
        en = "; ".join(
            f"{split_bilingual(lab)[1]} {v:.2f}"
            for lab, v in zip(shown["label"], shown["value"], strict=True)
        )
        return (
            f"แผนภูมิแท่งสหสัมพันธ์ (r) ของแต่ละปัจจัยกับดัชนีความพึงพอใจในหน่วยงานนี้: {th}",
            f"Bar chart of the correlation (r) of each driver with the satisfaction index in "
            f"this agency: {en}.",
        )

    def drivers_html(self) -> str:
        """What drives satisfaction here (correlations) and government-wide (the model)."""
        corr = self.data.table("satisfaction_correlations")
        mine = corr[corr["agency_code"] == self.agency] if corr is not None else None
        drivers = self.satisfaction_drivers().dropna(subset=["value"])
        names = config.reports(self.root)["satisfaction_drivers"]
        parts = []
        if len(drivers):
            top = drivers.iloc[0]
            th, en = split_bilingual(top["label"])
            parts.append(
                para(
                    f"ในหน่วยงานนี้ ปัจจัยที่สัมพันธ์กับความพึงพอใจมากที่สุดคือ{th} (r = {top['value']:.2f})",
                    f"In this agency, satisfaction goes most closely with {en.lower()} "
                    f"(r = {top['value']:.2f}).",
                    attrs=sources_attr(top[SOURCES]),
                )
            )
        else:
            reasons = mine["suppression_reason"].dropna() if mine is not None else []
            withheld_here = len(reasons) > 0
            fewer = re.search(r"fewer than (\d+)", str(reasons.iloc[0])) if withheld_here else None
            least = fewer.group(1) if fewer else str(MIN_DRIVER_RESPONDENTS)
            parts.append(
                para(
                    f"ไม่วิเคราะห์ปัจจัยของหน่วยงานนี้ เนื่องจากมีผู้ตอบน้อยกว่า {least} คน"
                    if withheld_here
                    else "ไม่วิเคราะห์ปัจจัยของหน่วยงานนี้ เนื่องจากไม่มีการสำรวจบุคลากร",
                    f"No driver analysis for this agency: fewer than {least} respondents."
                    if withheld_here
                    else "No driver analysis for this agency: no staff survey.",
                    css="suppressed-note",
                )
            )
        importance = self.data.model("staff_importance")
        if importance is not None and len(importance):
            top = importance.sort_values("share_pratt", ascending=False).iloc[0]
            label = names.get(top["term"], {"th": top["term"], "en": top["term"]})
            share = 100 * top["share_pratt"]
            parts.append(
                para(
                    f"ในภาพรวมของทุกหน่วยงาน (แบบจำลองถดถอยโลจิสติกแบบอันดับ) ปัจจัยที่มีความสำคัญมากที่สุดคือ"
                    f"{label['th']} ซึ่งคิดเป็นร้อยละ {share:.0f} ของส่วนที่แบบจำลองอธิบายได้",
                    f"Across all agencies (ordinal model), the strongest driver is "
                    f"{label['en'].lower()}, with {share:.0f}% of the variation the model "
                    "explains.",
                )
            )
        parts.append(
            para(
                "ความสัมพันธ์นี้ไม่ได้แสดงว่าปัจจัยใดเป็นสาเหตุ แต่ชี้ว่าการพัฒนาด้านใดมีแนวโน้มสอดคล้องกับ"
                "ความพึงพอใจที่สูงขึ้น",
                "A correlation is not proof of cause; it shows where improvement is most "
                "likely to go with higher satisfaction.",
                css="note",
            )
        )
        return "".join(parts)

    # -- constructs, IDP and innovation, trust ----------------------------------------------

    def measures(self, group: str | tuple[str, ...]) -> pd.DataFrame:
        """label, value, ci_low, ci_high, gov_median, gov_q3, ministry_median for a group of
        measures ("construct", "persona", "driver"); suppressed rows have no value."""
        groups = (group,) if isinstance(group, str) else group
        frame = self.data.table("measures")
        mine = frame[(frame["agency_code"] == self.agency) & frame["group"].isin(groups)]
        wording = config.reports(self.root)
        book = config.codebook("staff_survey", self.root)
        constructs = {name: spec for name, spec in book.constructs.items()}

        def label(measure: str) -> str:
            for section in ("personas", "drivers"):
                if measure in wording[section]:
                    spec = wording[section][measure]
                    return f"{spec['th']} / {spec['en']}"
            spec = constructs[measure]
            return f"{spec['th']} / {spec['en']}"

        published = (
            frame[(frame["ministry_code"] == self.info["ministry_code"]) & frame["value"].notna()]
            .groupby("measure")["agency_code"]
            .nunique()
        )

        def mark(group: str, measure: str, value: Any, n: Any) -> str:
            if not present(value):
                return ""
            survey = "citizen" if group == "driver" else "staff"
            kind = "construct" if group == "construct" else "item"  # personas: one item each
            return self._mark(survey, f"{kind}:{measure}", n)

        out = mine.assign(
            label=mine["measure"].map(label),
            **{
                MISSING: [
                    "" if present(v) else withheld(self.k) if present(r) and str(r) else NO_DATA
                    for v, r in zip(mine["value"], mine["suppression_reason"], strict=True)
                ]
            },
            ministry_median=mine["ministry_median"].where(
                mine["measure"].map(published).fillna(0).to_numpy() >= 2
            ),
            **{
                SOURCES: [
                    mark(g, m, v, n)
                    for g, m, v, n in zip(
                        mine["group"],
                        mine["measure"],
                        mine["value"],
                        mine["respondents"],
                        strict=True,
                    )
                ]
            },
        )
        return out[
            [
                "measure",
                "label",
                "value",
                "ci_low",
                "ci_high",
                "gov_median",
                "gov_q3",
                "ministry_median",
                "suppression_reason",
                SOURCES,
                MISSING,
            ]
        ].reset_index(drop=True)

    def measures_alt(self, group: str | tuple[str, ...], what: tuple[str, str]) -> tuple[str, str]:
        """The dot chart's text alternative (Thai, English) with every value shown.

        Args:
            group: the measure group(s) charted (see :meth:`measures`).
            what: what the chart shows, (Thai, English), e.g. ("คะแนนรายด้าน", "scores").
        """
        frame = self.measures(group)
        shown = frame.dropna(subset=["value"])
        values_th = "; ".join(
            f"{split_bilingual(r.label)[0]} {r.value:.1f} (มัธยฐาน {r.gov_median:.1f})"
            for r in shown.itertuples()
        )
        values_en = "; ".join(
            f"{split_bilingual(r.label)[1]} {r.value:.1f} (median {r.gov_median:.1f})"
            for r in shown.itertuples()
        )
        hidden = frame[frame[MISSING] != ""]
        gaps_th = "".join(
            f" {split_bilingual(label)[0]}: {split_bilingual(why)[0]}"
            for label, why in zip(hidden["label"], hidden[MISSING], strict=True)
        )
        gaps_en = "".join(
            f" {split_bilingual(label)[1]}: {self._missing_en(why)}."
            for label, why in zip(hidden["label"], hidden[MISSING], strict=True)
        )
        return (
            f"แผนภูมิจุดแสดง{what[0]}ของหน่วยงานนี้ พร้อมช่วงความเชื่อมั่น 95% เทียบกับมัธยฐานและ"
            f"ควอร์ไทล์บนของทุกหน่วยงาน {values_th or 'ไม่มีค่าที่แสดงได้'}{gaps_th}",
            f"Dot chart of {what[1]} for this agency with 95% confidence intervals against the "
            f"median and upper quartile of all agencies. {values_en or 'No value shown.'}"
            f"{gaps_en}",
        )

    def suppressed_measures_note(self, group: str | tuple[str, ...]) -> str:
        frame = self.measures(group)
        hidden = frame[frame["suppression_reason"].notna()]
        if hidden.empty:
            return ""
        labels = [split_bilingual(label) for label in hidden["label"]]
        return para(
            f"ไม่เผยแพร่ผล เนื่องจากมีผู้ตอบน้อยกว่า {self.k} คน ได้แก่ " + thai_list([t for t, _ in labels]),
            f"Not shown, fewer than {self.k} respondents: "
            + english_list([e for _, e in labels])
            + ".",
            css="suppressed-note",
        )

    def indicators_html(self, codes: tuple[str, ...]) -> str:
        return "".join(self.indicator_sentence(c) for c in codes)

    def percent_indicators_alt(self, codes: tuple[str, ...]) -> tuple[str, str]:
        """The text alternative of the percent indicators' dot chart (Thai, English)."""
        frame = self.percent_indicators(codes)
        th, en = [], []
        for code, value, median, why in zip(
            codes, frame["value"], frame["gov_median"], frame[MISSING], strict=True
        ):
            if present(value):
                th.append(f"{code} ร้อยละ {value:.1f} (มัธยฐาน {median:.1f})")
                en.append(f"{code} {value:.1f}% (median {median:.1f}%)")
            else:
                th.append(f"{code}: {split_bilingual(why)[0]}")
                en.append(f"{code}: {self._missing_en(why)}")
        return (
            f"แผนภูมิจุดแสดง {', '.join(codes)} ของหน่วยงานนี้ เทียบกับมัธยฐานและควอร์ไทล์บนของทุก"
            f"หน่วยงาน: {'; '.join(th)}",
            f"Dot chart of {', '.join(codes)} for this agency against the median and upper "
            f"quartile of all agencies: {'; '.join(en)}.",
        )

    def percent_indicators(self, codes: tuple[str, ...]) -> pd.DataFrame:
        """The agency's percent indicators as a frame for the benchmark chart."""
        rows = self.rows.loc[list(codes)]
        table = self.data.indicators
        peers = (
            table[(table["ministry_code"] == self.info["ministry_code"]) & table["value"].notna()]
            .groupby("indicator")["agency_code"]
            .nunique()
        )
        ministry = rows["ministry_median"].where(
            pd.Series(list(codes), index=rows.index).map(peers).fillna(0) >= 2
        )
        return pd.DataFrame(
            {
                "label": [f"{c} {self.data.label(c)[0]}" for c in codes],
                "value": rows["value"].to_numpy(float),
                "ci_low": rows["ci_low"].to_numpy(float),
                "ci_high": rows["ci_high"].to_numpy(float),
                "gov_median": rows["gov_median"].to_numpy(float),
                "gov_q3": rows["gov_q3"].to_numpy(float),
                "ministry_median": ministry.to_numpy(float),
                SOURCES: [self.indicator_sources(c) for c in codes],
                MISSING: self._why_missing(rows),
            }
        )

    # -- funnel ------------------------------------------------------------------------------

    def funnel(self, code: str) -> tuple[pd.DataFrame, pd.DataFrame, float, str | None]:
        """(points, limits, centre, position of this agency) for A5 or A7."""
        return funnel_data(self.data, code, self.agency)

    def funnel_text(self, code: str) -> tuple[str, str]:
        """Where the agency lies in the funnel, in words (Thai, English; plain text)."""
        _, _, _, position = self.funnel(code)
        th, en = self.data.label(code)
        if position is None:
            why = self._why_missing(self.rows.loc[[code]])[0] or NO_DATA
            if why == NO_DATA:
                return f"{th}: ไม่มีข้อมูลของหน่วยงานนี้", f"{en}: no data for this agency."
            return (
                f"{th}: ไม่เผยแพร่ค่าของหน่วยงานนี้ เนื่องจากมีผู้ตอบน้อยกว่า {self.k} คน จึงไม่แสดงในแผนภาพ",
                f"{en}: this agency's value is not published (fewer than {self.k} "
                "respondents), so it is not placed.",
            )
        words = {
            "within": (
                "อยู่ภายในขอบเขตควบคุม คือต่างจากมัธยฐานไม่เกินที่ความคลาดเคลื่อนจากการสุ่มอธิบายได้",
                "within the range expected from sampling variation alone",
            ),
            "above 95%": ("สูงกว่าขอบเขตควบคุม 95%", "above the 95% control limit"),
            "above 99.8%": (
                "สูงกว่าขอบเขตควบคุม 99.8% อย่างชัดเจน",
                "clearly above the 99.8% control limit",
            ),
            "below 95%": ("ต่ำกว่าขอบเขตควบคุม 95%", "below the 95% control limit"),
            "below 99.8%": (
                "ต่ำกว่าขอบเขตควบคุม 99.8% อย่างชัดเจน",
                "clearly below the 99.8% control limit",
            ),
        }[position]
        return f"{th} ของหน่วยงานนี้{words[0]}", f"{en}: this agency is {words[1]}."

    def funnel_sentence(self, code: str) -> str:
        """:meth:`funnel_text` as a paragraph (escaped HTML)."""
        return para(*self.funnel_text(code))

    # -- downloads ---------------------------------------------------------------------------

    def download_html(self, table: str) -> str:
        """A link that downloads one of the report's tables as a CSV file inside the page
        (:mod:`helpers.reports.downloads`: what the report shows, suppression applied); not
        printed. '' when the table has no rows.

        Parameters
        ----------
        table : str
            ``scorecard``, ``items`` or ``breakdowns``.
        """
        build = {
            "scorecard": downloads.scorecard_download_html,
            "items": downloads.items_download_html,
            "breakdowns": downloads.breakdowns_download_html,
        }[table]
        link = build(self.data, self.agency)
        return f'<p class="download no-print">{link}</p>' if link else ""

    # -- methods -----------------------------------------------------------------------------

    def methods_html(self) -> str:
        """Methods, data quality and caveats: one item per topic, Thai then English."""
        s = self.sample()
        staff, citizen = s["staff"], s["citizen"]
        items: list[tuple[str, str, str]] = []  # (Thai, English, audit marker)
        staff_mark = self._survey_sources("staff", staff)
        if staff["respondents"] is not None:
            rate_th = rate_en = ""
            if staff["response_rate"] is not None:
                rate = 100 * staff["response_rate"]
                # no "คน" after the headcount: the audit reads "N คน" as N respondents
                rate_th = (
                    f" จากบุคลากรทั้งหมด {staff['headcount']:,} ราย คิดเป็นอัตราการตอบกลับร้อยละ {rate:.1f}"
                )
                rate_en = f", a response rate of {rate:.1f}% of a staff of {staff['headcount']:,}"
            items.append(
                (
                    f"แบบสำรวจบุคลากร: ผู้ตอบ {staff['respondents']:,} คน{rate_th} "
                    f"ขนาดตัวอย่างที่มีประสิทธิผล {staff['effective_n']:,.0f} "
                    f"(ค่าผลกระทบของการถ่วงน้ำหนัก หรือ design effect เท่ากับ "
                    f"{staff['design_effect']:.2f})",
                    f"Staff survey: {staff['respondents']:,} respondents{rate_en}; effective "
                    f"sample size {staff['effective_n']:,.0f} (design effect of weighting "
                    f"{staff['design_effect']:.2f}).",
                    staff_mark,
                )
            )
        else:
            th, en = self._count_text(staff)
            th = f"มีผู้ตอบ{th}" if staff["any"] else th
            items.append((f"แบบสำรวจบุคลากร: {th}", f"Staff survey: {en}.", ""))
        citizen_mark = self._survey_sources("citizen", citizen)
        if citizen["respondents"] is not None:
            items.append(
                (
                    f"แบบสำรวจผู้รับบริการ: ผู้ตอบ {citizen['respondents']:,} คน ขนาดตัวอย่างที่มี"
                    f"ประสิทธิผล {citizen['effective_n']:,.0f} (ค่าผลกระทบของการถ่วงน้ำหนัก หรือ design "
                    f"effect เท่ากับ {citizen['design_effect']:.2f}) คำนวณอัตราการตอบกลับไม่ได้ "
                    "เนื่องจากไม่ทราบจำนวนผู้รับบริการทั้งหมด",
                    f"Citizen survey: {citizen['respondents']:,} respondents; effective sample "
                    f"size {citizen['effective_n']:,.0f} (design effect "
                    f"{citizen['design_effect']:.2f}). A response rate cannot be computed: the "
                    "number of service users is unknown.",
                    citizen_mark,
                )
            )
        else:
            th, en = self._count_text(citizen)
            th = f"มีผู้ตอบ{th}" if citizen["any"] else th
            items.append((f"แบบสำรวจผู้รับบริการ: {th}", f"Citizen survey: {en}.", ""))
        items.append(
            (
                "ความเชื่อมั่นของผู้รับบริการ (A7): ร้อยละของผู้รับบริการที่ให้คะแนนความเชื่อมั่นต่อหน่วยงาน "
                "ตั้งแต่ 6 ขึ้นไปจากคะแนนเต็ม 10 คำนวณแบบถ่วงน้ำหนัก",
                "Citizen trust (A7): the weighted percentage of service users who rate their trust "
                "in the agency 6 or more on a 0–10 scale.",
                "",
            )
        )
        cap = f"{weights.settings(self.root).cap:g}"
        merged = staff["cells_collapsed"]
        items.append(
            (
                "การถ่วงน้ำหนัก: ถ่วงน้ำหนักคำตอบของบุคลากรให้สอดคล้องกับจำนวนบุคลากรของหน่วยงานจำแนกตาม"
                "ประเภทตำแหน่ง ด้วยวิธีปรับน้ำหนักแบบวนซ้ำ (raking)"
                + (" โดยรวมกลุ่มขนาดเล็กเข้ากับกลุ่มใกล้เคียง" if merged else "")
                + f" และจำกัดน้ำหนักไม่เกิน {cap} เท่าของค่าเฉลี่ย ถ่วงน้ำหนักคำตอบของผู้รับบริการตาม"
                "สัดส่วนภูมิภาคภายในหน่วยงาน ช่วงความเชื่อมั่น 95% คำนวณโดยคำนึงถึงแบบแผนการสุ่มตัวอย่าง",
                "Weighting: staff answers are weighted to the agency's headcount by position "
                "group (raking"
                + (f"; small groups merged: {merged.replace(' -> ', ' → ')}" if merged else "")
                + f"; weights capped at {cap} times the mean). Citizen answers are weighted to "
                "region shares within the agency. Intervals are design-based 95% confidence "
                "intervals.",
                "",
            )
        )
        items.append(
            (
                f"การรักษาความลับของข้อมูล: ไม่เผยแพร่ตัวเลขใดที่คำนวณจากผู้ตอบน้อยกว่า {self.k} คน "
                "ค่าอ้างอิงเป็นมัธยฐานของค่าที่หน่วยงานต่าง ๆ เผยแพร่ได้ จึงไม่สามารถคำนวณย้อนกลับหาค่าที่ไม่เผยแพร่ได้",
                f"Confidentiality: no figure from fewer than {self.k} respondents is shown; "
                "benchmarks are medians of published agency values, so a hidden value cannot be "
                "worked out from them.",
                "",
            )
        )
        reliability = self.data.model("staff_reliability")
        if reliability is not None and len(reliability):
            constructs = config.codebook("staff_survey", self.root).constructs
            shown = [r for r in reliability.itertuples() if present(r.alpha)]
            name = {  # the codebook's names; a construct it does not name keeps its key
                r.construct: constructs.get(r.construct, {"th": r.construct, "en": r.construct})
                for r in shown
            }
            alphas_th = " ".join(f"{name[r.construct]['th']} {r.alpha:.2f}" for r in shown)
            alphas_en = ", ".join(f"{name[r.construct]['en']} {r.alpha:.2f}" for r in shown)
            items.append(
                (
                    "ความเที่ยงของมาตรวัด (สัมประสิทธิ์แอลฟาของครอนบาค คำนวณจากข้อมูลทุกหน่วยงาน): "
                    f"{alphas_th} โดยทั่วไปค่าตั้งแต่ 0.7 ขึ้นไปถือว่าเพียงพอ",
                    f"Reliability (Cronbach's alpha, all agencies): {alphas_en}. Values of 0.7 and "
                    "above are usually taken as adequate.",
                    "",
                )
            )
        items.append((*self._set_aside_text(), ""))
        if missing := self._missing_questions_text():
            items.append((*missing, ""))
        if provisional_targets(self.root):
            items.append(
                (
                    "ข้อควรระวัง: แนวทางฯ ไม่ได้กำหนดค่าเป้าหมายเป็นตัวเลข ค่าเป้าหมายในรายงานนี้เป็นค่า"
                    "ชั่วคราวจนกว่าคณะผู้ประเมินจะกำหนดและยืนยัน การเทียบกับเป้าหมายจึงเป็นผลเบื้องต้น",
                    "Caveat: the guideline sets no numeric targets; the targets used here are "
                    "provisional until the evaluators set and confirm them, so every comparison "
                    "with a target is preliminary.",
                    "",
                )
            )
        items.append(
            (
                "ผลรายข้อ: การเปลี่ยนแปลงของร้อยละคำตอบเชิงบวกจากปีก่อนทดสอบแบบสองตัวอย่างอิสระ (z-test) "
                "เช่นเดียวกับตัวชี้วัด โดยใช้ความคลาดเคลื่อนมาตรฐานของแต่ละปีจากแบบการสำรวจที่ปรับน้ำหนัก"
                "ให้สอดคล้องกับจำนวนบุคลากรแล้ว",
                "Items: the change in percent positive since last year is tested as two "
                "independent samples (z-test), as the indicators' changes are, with each year's "
                "standard error from the calibrated survey design.",
                "",
            )
        )
        if self.model_estimate() is not None:
            items.append(
                (
                    "ค่าประมาณจากแบบจำลอง: ค่าเฉลี่ยที่ปรับแล้ว (shrunken mean) ของดัชนีความพึงพอใจจากแบบจำลอง"
                    "เชิงเส้นพหุระดับแบบ random intercept ของทุกหน่วยงาน (ตัวแปรอธิบาย: คะแนนระบบนิเวศ ทักษะ "
                    "และกรอบความคิด) ไม่ถ่วงน้ำหนัก ช่วงโดยประมาณคำนวณจากความคลาดเคลื่อนมาตรฐานแบบมีเงื่อนไข"
                    "ของผลของหน่วยงาน โดยไม่รวมความไม่แน่นอนของส่วนคงที่ของแบบจำลอง",
                    "Model-based estimate: the shrunken mean of the satisfaction index from the "
                    "random-intercept linear mixed model of all agencies (predictors: the "
                    "ecosystem, skillsets and mindset scores), unweighted; the approximate "
                    "interval uses the conditional standard error of the agency effect and leaves "
                    "out the uncertainty of the fixed part.",
                    "",
                )
            )
        items.append(
            (
                "ข้อควรระวัง: การทดสอบการเปลี่ยนแปลงจากปีก่อนถือว่าตัวอย่างสองปีเป็นอิสระต่อกัน อันดับและ"
                "แผนภาพกรวยไม่ได้ปรับผลของแบบการสุ่มตัวอย่าง จึงควรใช้เป็นข้อมูลประกอบการพิจารณา มิใช่ข้อสรุปชี้ขาด",
                "Caveat: the change test treats the two years as independent samples; rank and "
                "funnel plots ignore the design effect and are a guide, not a verdict.",
                "",
            )
        )
        return (
            '<ul class="methods">'
            + "".join(f"<li{sources_attr(mark)}>{bilingual(th, en)}</li>" for th, en, mark in items)
            + "</ul>"
        )

    def _missing_questions_text(self) -> tuple[str, str] | None:
        """The questions some of this agency's raw files did not hold (None when none)."""
        frame = self.data.table("missing_questions")
        if frame is None or frame.empty:
            return None
        mine = frame[frame["agency_code"] == self.agency]
        if mine.empty:
            return None
        th, en = [], []
        for r in mine.itertuples():
            book = config.codebook(r.instrument, self.root)
            column = book.column(r.column)
            th.append(f"{column.th} ({book.th})")
            en.append(f"{column.en} ({book.en.lower()})")
        return (
            "คำถามที่ไม่มีในไฟล์ข้อมูล: ไฟล์ข้อมูลดิบที่มีคำตอบของหน่วยงานนี้บางไฟล์ไม่มีคอลัมน์ของคำถาม "
            f"{'; '.join(th)} ผลที่เกี่ยวกับคำถามเหล่านี้จึงใช้เฉพาะคำตอบจากไฟล์ที่มีคำถามนั้น",
            "Questions missing from data files: some raw files holding this agency's answers had "
            f"no column for {'; '.join(en)}; results on these questions use only the answers of "
            "files that asked them.",
        )

    def _set_aside_text(self) -> tuple[str, str]:
        frame = self.data.table("set_aside_by_agency")
        mine = (
            frame[frame["agency_code"] == self.agency]
            if frame is not None
            else pd.DataFrame(columns=["instrument", "reason", "rows"])
        )
        if mine.empty:
            return (
                "การตรวจสอบข้อมูล: ไม่มีรายการคำตอบของหน่วยงานนี้ที่ถูกคัดออกในขั้นตอนการคัดกรองข้อมูล",
                "Data checks: no row naming this agency was set aside by cleaning.",
            )
        names = {i: INSTRUMENT_NAMES.get(i, (i, i)) for i in mine["instrument"].unique()}
        th = " ".join(
            f"{REASONS[r.reason][0]} {r.rows} รายการ จาก{names[r.instrument][0]}"
            for r in mine.itertuples()
        )
        en = "; ".join(
            f"{r.rows} {REASONS[r.reason][1]} ({names[r.instrument][1]})" for r in mine.itertuples()
        )
        return (
            "การตรวจสอบข้อมูล: ในขั้นตอนการคัดกรองข้อมูล ได้คัดรายการคำตอบที่ระบุหน่วยงานนี้ออก "
            f"(ไม่นำมารวมในการคำนวณใด ๆ) ได้แก่ {th}",
            "Data checks: rows naming this agency that cleaning set aside (not counted in any "
            f"figure): {en}.",
        )
