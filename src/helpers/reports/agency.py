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

from helpers.core import config, years
from helpers.indicators import kpi
from helpers.ingest.reasons import REASONS
from helpers.reports.charts import ANSWER_LABELS, MISSING, NO_DATA, SOURCES, withheld
from helpers.reports.formatting import (
    bilingual,
    format_change,
    format_interval,
    format_target,
    format_value,
    ordinal_rank,
    present,
    status_html,
    suppression_text,
    without_counts,
)
from helpers.reports.funnel import funnel_data
from helpers.reports.htmlexport import esc, join_sources, marked, sources, sources_attr
from helpers.reports.tables import INDICATOR_SURVEY, ReportError, YearData
from helpers.stats import weights

SERIES_AGENCY = "หน่วยงานนี้ / This agency"
SERIES_MINISTRY = "มัธยฐานกระทรวง / Ministry median"
SERIES_GOV = "มัธยฐานทั้งประเทศ / Government median"
TREND_SERIES = (SERIES_AGENCY, SERIES_MINISTRY, SERIES_GOV)  # the first is the focus

# The answers behind "positive / neutral / negative" on each answer scale of the staff survey
# (config/scales.yaml: 4-5, 3 and 1-2), by the ``scale:`` of an item in its codebook.
SCALE_ANSWERS = {
    "agree5": (
        "เห็นด้วย–เห็นด้วยอย่างยิ่ง / Agree",
        "ไม่แน่ใจ / Neither agree nor disagree",
        "ไม่เห็นด้วย–ไม่เห็นด้วยอย่างยิ่ง / Disagree",
    ),
    "amount5": (
        "พึงพอใจมาก–มากที่สุด / Satisfied",
        "ปานกลาง / Neither satisfied nor dissatisfied",
        "พึงพอใจน้อย–น้อยที่สุด / Dissatisfied",
    ),
}
FALLBACK_ANSWERS = ("ตอบเชิงบวก / Positive", "กลาง ๆ / Neutral", "ตอบเชิงลบ / Negative")
# A reverse-coded (negatively worded) item is counted, and drawn, in its favourable direction:
# its "positive" share is the share who disagree.
REVERSED_ANSWERS = {
    "agree5": (
        "ไม่เห็นด้วย–ไม่เห็นด้วยอย่างยิ่ง (ผลดี) / Disagree (favourable)",
        "ไม่แน่ใจ / Neither agree nor disagree",
        "เห็นด้วย–เห็นด้วยอย่างยิ่ง (ผลไม่ดี) / Agree (unfavourable)",
    ),
}
REVERSED_MARK = "(ข้อความเชิงลบ กลับทิศแล้ว) / (negatively worded, reversed)"
SCALE_ORDER = ("agree5", "amount5")  # panels of the item chart: agreement items first


# ----------------------------------------------------------------------------- agency report


class AgencyReport:
    """The figures of one agency's report for one year."""

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

    def _count_text(self, survey: dict[str, Any]) -> str:
        if survey["respondents"] is not None:
            return f"{survey['respondents']:,} คน / respondents"
        if survey["any"]:
            return f"น้อยกว่า {self.k} คน (ไม่เผยแพร่ผล) / fewer than {self.k} (not reported)"
        return "ไม่มีการสำรวจ / no survey"

    def header_html(self) -> str:
        s = self.sample()
        staff, citizen = s["staff"], s["citizen"]
        rate = f"{100 * staff['response_rate']:.1f}%" if staff["response_rate"] is not None else "–"
        staff_mark = self._survey_sources("staff", staff)
        rate_mark = staff_mark if staff["response_rate"] is not None else ""
        facts = [
            (
                "กระทรวง / Ministry",
                bilingual(self.info["ministry_th"], self.info["ministry_en"]),
                "",
            ),
            ("ปีงบประมาณ / Fiscal year", esc(f"พ.ศ. {self.year} (ค.ศ. {self.year - 543})"), ""),
            ("ผู้ตอบแบบสำรวจบุคลากร / Staff survey", esc(self._count_text(staff)), staff_mark),
            ("อัตราการตอบกลับ (บุคลากร) / Staff response rate", esc(rate), rate_mark),
            (
                "ผู้ตอบแบบสำรวจผู้รับบริการ / Citizen survey",
                esc(self._count_text(citizen)),
                self._survey_sources("citizen", citizen),
            ),
            (
                "อัตราการตอบกลับ (ผู้รับบริการ) / Citizen response rate",
                "–<small>ไม่ทราบจำนวนผู้รับบริการทั้งหมด / the number of service users is unknown</small>",
                "",
            ),
        ]
        cells = "".join(
            f"<div>{esc(label)}<b{sources_attr(mark)}>{value}</b></div>"
            for label, value, mark in facts
        )
        return (
            f'<header class="report-header" data-agency="{esc(self.agency)}" '
            f'data-year="{self.year}">'
            f'<h1 id="agency-name">{esc(self.info["name_th"])}<br>'
            f'<span class="en">{esc(self.info["name_en"])}</span></h1>'
            f"<p>รายงานผลการประเมินตามแนวทางการพัฒนาบุคลากรภาครัฐ พ.ศ. 2563–2565 / "
            f"Evaluation report under the Public Sector Personnel Development Guideline · "
            f"{esc(years.label(self.year))} · {esc(years.label(self.year, 'en'))}</p>"
            f'<div class="facts">{cells}</div></header>'
        )

    # -- scorecard ---------------------------------------------------------------------------

    def position(self, indicator: str) -> str:
        table = self.data.indicators
        row = self.rows.loc[indicator]
        if not present(row["value"]):
            return "–"
        peers = table[(table["indicator"] == indicator) & (table["agency_code"] != kpi.OCSC_CODE)]
        rank, of, tied = ordinal_rank(peers["value"], float(row["value"]))
        tie = " (เท่ากัน / tied)" if tied else ""
        return f"{rank} / {of}{tie}"

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
                    "change": format_change(row) if present(row["value"]) else "",
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
        head = (
            "<colgroup><col class='c-ind'><col class='c-val'><col class='c-tgt'>"
            "<col class='c-st'><col class='c-chg'><col class='c-rank'></colgroup>"
            "<thead><tr><th>ตัวชี้วัด / Indicator</th><th class='num'>ผล / Result"
            "<br><span class='note'>(95%)</span></th>"
            "<th>เป้าหมาย / Target</th><th>สถานะ / Status</th>"
            "<th>เทียบปีก่อน / Change</th><th>อันดับ / Rank</th></tr></thead>"
        )
        body = []
        for r in self.scorecard().itertuples(index=False):
            if r.status == "suppressed":
                value = (
                    f'ไม่เผยแพร่ / Suppressed<br><span class="suppressed-note">'
                    f"{esc(suppression_text(r.reason, self.k))}</span>"
                )
            elif r.status == "no_data":
                value = "ไม่มีข้อมูล / No data"
            else:
                value = f"<b>{esc(r.value)}</b>"
                if r.interval:
                    value += f'<br><span class="note">{esc(r.interval)}</span>'
                if present(r.respondents):
                    value += (
                        f'<br><span class="n note" data-n="{int(r.respondents)}">'
                        f"n = {int(r.respondents):,}</span>"
                    )
            body.append(
                f'<tr data-indicator="{esc(r.indicator)}" data-status="{esc(r.status)}">'
                f"<td><b>{esc(r.indicator)}</b> {esc(r.th)}<br>"
                f'<span class="en">{esc(r.en)}</span></td>'
                f'<td class="num value"{sources_attr(r.sources)}>{value}</td>'
                f"<td>{esc(r.target)}</td><td>{status_html(r.status, self.root)}</td>"
                f"<td{sources_attr(r.change_sources)}>{r.change}</td>"
                f"<td>{esc(r.position)}</td></tr>"
            )
        return (
            '<table class="scorecard" id="scorecard"><caption>ตัวชี้วัดความสำเร็จ A1–A7 / '
            f"Success indicators A1–A7</caption>{head}<tbody>{''.join(body)}</tbody></table>"
            '<p class="note">สถานะเทียบค่าประมาณกับเป้าหมาย; ▲/▼ แสดงเฉพาะการเปลี่ยนแปลงที่มี'
            "นัยสำคัญทางสถิติ (p &lt; .05); อันดับ 1 = สูงสุดในทุกหน่วยงานที่มีค่าเผยแพร่ได้ / "
            "Status compares the estimate with the target; ▲/▼ marks only changes that are "
            "statistically significant (p &lt; .05); rank 1 = highest among all agencies with a "
            "published value.</p>"
        )

    def verdict_html(self) -> str:
        card = self.scorecard()
        met = int((card["status"] == "met").sum())
        judged = int(card["status"].isin(["met", "not_met"]).sum())
        parts = [
            f"บรรลุเป้าหมาย {met} จาก {judged} ตัวชี้วัดที่ประเมินได้ / "
            f"Met {met} of the {judged} indicators that could be assessed."
        ]
        suppressed = card.loc[card["status"] == "suppressed", "indicator"].tolist()
        if suppressed:
            parts.append(
                f"ไม่เผยแพร่ {', '.join(suppressed)} เพราะมีผู้ตอบน้อยกว่า {self.k} คน / "
                f"{', '.join(suppressed)} not published: fewer than {self.k} respondents."
            )
        parts = [esc(p) for p in parts]
        changes = self.rows[self.rows["change_significant"].astype(bool)]
        for code, row in changes.iterrows():
            direction = ("เพิ่มขึ้น", "rose") if row["change"] > 0 else ("ลดลง", "fell")
            text = esc(
                f"{code} {direction[0]}อย่างมีนัยสำคัญจากปีก่อน / {code} {direction[1]} "
                f"significantly from last year ({format_value(row['previous_value'], row['unit'])}"
                f" → {format_value(row['value'], row['unit'])})."
            )
            mark = self.indicator_sources(str(code), previous=True)
            parts.append(marked(text, mark))
        return '<div class="verdict">' + "<br>".join(parts) + "</div>"

    # -- satisfaction ------------------------------------------------------------------------

    def indicator_sentence(self, code: str) -> str:
        """A plain verdict on one indicator: value, interval, target, benchmark."""
        row = self.rows.loc[code]
        th, en = self.data.label(code)
        if row["status"] == "suppressed":
            return esc(
                f"{th}: ไม่เผยแพร่ (ผู้ตอบน้อยกว่า {self.k} คน) / {en}: not published "
                f"(fewer than {self.k} respondents)."
            )
        if not present(row["value"]):
            return esc(f"{th}: ไม่มีข้อมูล / {en}: no data.")
        unit = row["unit"]
        value = format_value(row["value"], unit)
        interval = format_interval(row["ci_low"], row["ci_high"], unit)
        interval = f" (95%: {interval})" if interval else ""
        if row["status"] in ("met", "not_met"):
            verdict = (
                ("บรรลุเป้าหมาย", "meets the target")
                if row["status"] == "met"
                else ("ยังไม่บรรลุเป้าหมาย", "does not meet the target")
            )
            target = format_target(row["target"], unit)
            tail = f" {verdict[0]} {target} / {verdict[1]} of {target}"
        else:
            tail = ""
        bench = ""
        if present(row["gov_median"]):
            side = (
                ("สูงกว่า", "above")
                if row["value"] > row["gov_median"] + kpi.TOLERANCE
                else ("ต่ำกว่า", "below")
                if row["value"] < row["gov_median"] - kpi.TOLERANCE
                else ("เท่ากับ", "equal to")
            )
            median = format_value(row["gov_median"], unit)
            bench = (
                f"; {side[0]}มัธยฐานของทุกหน่วยงาน ({median}) / {side[1]} the median "
                f"of all agencies ({median})"
            )
        text = esc(f"{th} / {en}: {value}{interval}{tail}{bench}.")
        mark = self.indicator_sources(code)
        return marked(text, mark)

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

    def trend_alt(self, code: str) -> str:
        _th, en = self.data.label(code)
        trend = self.trend(code)
        mine = trend[trend["series"] == SERIES_AGENCY]
        points = ", ".join(
            f"{y}: {format_value(v, self.rows.loc[code, 'unit'])}"
            if present(v)
            else f"{y}: {self._missing_en(why) or 'no data'}"
            for y, v, why in zip(mine["fiscal_year"], mine["value"], mine[MISSING], strict=True)
        )
        return (
            f"Line chart of {en} by fiscal year for this agency, its ministry's median and the "
            f"government median. This agency: {points or 'no published values'}."
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

    def items_alt(self) -> str:
        items = self.items()
        shown = self.published_items()
        withheld_n = int((items[MISSING] == withheld(self.k)).sum())
        none_n = int((items[MISSING] == NO_DATA).sum())
        tail = ""
        if withheld_n:
            tail += (
                f" {withheld_n} item(s) not published: fewer than {self.k} respondents answered."
            )
        if none_n:
            tail += f" {none_n} item(s) with no data: nobody answered."
        if items.empty:
            return "Item chart: no data, this agency has no staff survey answers."
        if shown.empty:
            return f"Item chart: no item result is shown.{tail}"
        top, bottom = shown.iloc[0], shown.iloc[-1]
        return (
            f"Stacked bar chart of favourable, neutral and unfavourable answers for {len(shown)} "
            f"staff survey items, on each item's own answer scale (agree/disagree or satisfied/"
            f"dissatisfied; negatively worded items counted in their favourable direction). "
            f"Most favourable: {top['en']} ({top['percent_positive']:.0f}% "
            f"{top['answer_positive'].split(' / ')[-1].lower()}). Least favourable: "
            f"{bottom['en']} ({bottom['percent_positive']:.0f}% "
            f"{bottom['answer_positive'].split(' / ')[-1].lower()}).{tail}"
        )

    def strengths_challenges_html(self) -> str:
        everything = self.items()
        items = self.published_items()
        suppressed = self.suppressed_items()
        blocks = []
        for flag, th, en, rule in (
            ("strength", "จุดแข็ง", "Strengths", f"≥ {kpi.STRENGTH_PERCENT_POSITIVE:g}% positive"),
            (
                "challenge",
                "ความท้าทาย",
                "Challenges",
                f"≥ {kpi.CHALLENGE_PERCENT_NEGATIVE:g}% negative",
            ),
        ):
            chosen = items[items[flag].fillna(False).astype(bool)] if len(items) else items
            if len(chosen):
                lis = "".join(
                    f"<li{sources_attr(mark)}>{esc(r.label)} "
                    f"<span class='en'>/ {esc(r.en)}</span> — "
                    f"{r.percent_positive:.0f}% {esc(r.answer_positive)}, "
                    f"{r.percent_negative:.0f}% {esc(r.answer_negative)}</li>"
                    for r, mark in zip(chosen.itertuples(), chosen[SOURCES], strict=True)
                )
                content = f"<ul>{lis}</ul>"
            elif items.empty and suppressed:
                content = (
                    f'<p class="suppressed-note">ไม่เผยแพร่ผลรายข้อ (ผู้ตอบน้อยกว่า {self.k} คน) '
                    f"จึงระบุ{th}ไม่ได้ / Item results are not published (fewer than "
                    f"{self.k} respondents), so no {en.lower()} can be named.</p>"
                )
            elif items.empty:
                content = (
                    '<p class="note">ไม่มีข้อมูล (ไม่มีคำตอบแบบสำรวจบุคลากร) / No data (no staff '
                    "survey answers).</p>"
                )
            else:
                content = (
                    '<p class="note">ไม่มีข้อใดที่เผยแพร่ถึงเกณฑ์ / No published item reached '
                    "the threshold.</p>"
                )
            blocks.append(
                f"<div><h3>{bilingual(th, en)} <span class='note'>({esc(rule)})"
                f"</span></h3>{content}</div>"
            )
        notes = []
        if suppressed and not items.empty:
            names = everything.set_index("item").loc[suppressed, "label"]
            notes.append(
                f'<p class="suppressed-note">ข้อคำถามที่ไม่เผยแพร่ (ผู้ตอบน้อยกว่า {self.k} คน) / '
                f"Items not published (fewer than {self.k} respondents): "
                f"{esc('; '.join(names))}</p>"
            )
        if none := self.no_data_items():
            names = everything.set_index("item").loc[none, "label"]
            notes.append(
                f'<p class="note">ข้อคำถามที่ไม่มีข้อมูล (ไม่มีผู้ตอบ) / Items with no data '
                f"(nobody answered): {esc('; '.join(names))}</p>"
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

    def drivers_html(self) -> str:
        """What drives satisfaction here (correlations) and government-wide (the model)."""
        corr = self.data.table("satisfaction_correlations")
        mine = corr[corr["agency_code"] == self.agency] if corr is not None else None
        drivers = self.satisfaction_drivers().dropna(subset=["value"])
        names = config.reports(self.root)["satisfaction_drivers"]
        parts = []
        if len(drivers):
            top = drivers.iloc[0]
            parts.append(
                f"<p{sources_attr(top[SOURCES])}>ในหน่วยงานนี้ ปัจจัยที่สัมพันธ์กับความพึงพอใจ"
                f"มากที่สุดคือ {esc(top['label'])} "
                f"(r = {top['value']:.2f}) / In this agency, satisfaction goes most closely "
                f"with {esc(top['label'].split(' / ')[-1])} (r = {top['value']:.2f}).</p>"
            )
        else:
            reason = (
                mine["suppression_reason"].dropna().iloc[0]
                if mine is not None and mine["suppression_reason"].notna().any()
                else "no staff survey"
            )
            parts.append(
                f'<p class="suppressed-note">ไม่แสดงการวิเคราะห์ปัจจัยของหน่วยงานนี้ / No '
                f"driver analysis for this agency: {esc(reason)}.</p>"
            )
        importance = self.data.model("staff_importance")
        if importance is not None and len(importance):
            top = importance.sort_values("share_pratt", ascending=False).iloc[0]
            label = names.get(top["term"], {"th": top["term"], "en": top["term"]})
            parts.append(
                f"<p>ทั้งประเทศ (แบบจำลองลำดับ): ปัจจัยสำคัญที่สุดคือ {esc(label['th'])} "
                f"({100 * top['share_pratt']:.0f}% ของความแปรปรวนที่อธิบายได้) / Government-wide "
                f"(ordinal model): the strongest driver is {esc(label['en'])} "
                f"({100 * top['share_pratt']:.0f}% of the explained variation).</p>"
            )
        parts.append(
            '<p class="note">ความสัมพันธ์ไม่ใช่เหตุและผล / A correlation is not proof of '
            "cause; it shows where improvement is most likely to go with higher satisfaction."
            "</p>"
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

    def measures_alt(self, group: str | tuple[str, ...], what: str) -> str:
        frame = self.measures(group)
        shown = frame.dropna(subset=["value"])
        values = "; ".join(
            f"{r.label.split(' / ')[-1]} {r.value:.1f} (median {r.gov_median:.1f})"
            for r in shown.itertuples()
        )
        hidden = frame[frame[MISSING] != ""]
        gaps = "".join(
            f" {label.split(' / ')[-1]}: {self._missing_en(why)}."
            for label, why in zip(hidden["label"], hidden[MISSING], strict=True)
        )
        return (
            f"Dot chart of {what} for this agency with 95% intervals against the government "
            f"median and upper quartile. {values or 'No value shown.'}{gaps}"
        )

    def suppressed_measures_note(self, group: str | tuple[str, ...]) -> str:
        frame = self.measures(group)
        hidden = frame[frame["suppression_reason"].notna()]
        if hidden.empty:
            return ""
        return (
            f'<p class="suppressed-note">ไม่เผยแพร่ (ผู้ตอบน้อยกว่า {self.k} คน) / Not shown, '
            f"fewer than {self.k} respondents: {esc(', '.join(hidden['label']))}</p>"
        )

    def indicators_html(self, codes: tuple[str, ...]) -> str:
        return "<ul>" + "".join(f"<li>{self.indicator_sentence(c)}</li>" for c in codes) + "</ul>"

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

    def funnel_text(self, code: str) -> str:
        """Where the agency lies in the funnel, in words (plain text)."""
        _, _, _, position = self.funnel(code)
        th, en = self.data.label(code)
        if position is None:
            why = self._why_missing(self.rows.loc[[code]])[0] or NO_DATA
            if why == NO_DATA:
                return f"{th}: ไม่มีข้อมูลของหน่วยงานนี้ / {en}: no data for this agency."
            return (
                f"{th}: ค่าของหน่วยงานนี้ไม่เผยแพร่ (ผู้ตอบน้อยกว่า {self.k} คน) จึงไม่แสดงในแผนภาพ"
                f" / {en}: this agency's value is not published (fewer than {self.k} "
                "respondents), so it is not placed."
            )
        words = {
            "within": (
                "อยู่ในช่วงที่คาดได้จากความแปรปรวนของการสุ่ม",
                "within the range expected from sampling variation alone",
            ),
            "above 95%": ("สูงกว่าขอบเขต 95%", "above the 95% limit"),
            "above 99.8%": ("สูงกว่าขอบเขต 99.8% อย่างชัดเจน", "clearly above the 99.8% limit"),
            "below 95%": ("ต่ำกว่าขอบเขต 95%", "below the 95% limit"),
            "below 99.8%": ("ต่ำกว่าขอบเขต 99.8% อย่างชัดเจน", "clearly below the 99.8% limit"),
        }[position]
        return f"{th}: {words[0]} / {en}: {words[1]}."

    def funnel_sentence(self, code: str) -> str:
        """:meth:`funnel_text` escaped for HTML."""
        return esc(self.funnel_text(code))

    # -- methods -----------------------------------------------------------------------------

    def methods_html(self) -> str:
        s = self.sample()
        staff, citizen = s["staff"], s["citizen"]
        items: list[str] = []
        marks = {
            0: self._survey_sources("staff", staff),
            1: self._survey_sources("citizen", citizen),
        }
        if staff["respondents"] is not None:
            rate = (
                f", อัตราตอบกลับ / response rate {100 * staff['response_rate']:.1f}% of "
                f"{staff['headcount']:,}"
                if staff["response_rate"] is not None
                else ""
            )
            items.append(
                f"แบบสำรวจบุคลากร / Staff survey: {staff['respondents']:,} คน / respondents{rate}; "
                f"ขนาดตัวอย่างประสิทธิผล / effective sample size {staff['effective_n']:.0f} "
                f"(design effect of weighting {staff['design_effect']:.2f})."
            )
        else:
            items.append(f"แบบสำรวจบุคลากร / Staff survey: {self._count_text(staff)}.")
        if citizen["respondents"] is not None:
            items.append(
                f"แบบสำรวจผู้รับบริการ / Citizen survey: {citizen['respondents']:,} คน / "
                f"respondents; effective sample size {citizen['effective_n']:.0f} (design "
                f"effect {citizen['design_effect']:.2f}). A response rate cannot be computed: "
                f"the number of service users is unknown."
            )
        else:
            items.append(f"แบบสำรวจผู้รับบริการ / Citizen survey: {self._count_text(citizen)}.")
        items.append(
            "การถ่วงน้ำหนัก / Weighting: staff answers are weighted to the agency's headcount by "
            "position group (raking; small groups merged"
            + (f": {staff['cells_collapsed']}" if staff["cells_collapsed"] else "")
            + f"; weights capped at {weights.settings(self.root).cap:g} times the mean). Citizen "
            "answers are weighted to region "
            "shares within the agency. Intervals are design-based 95% intervals."
        )
        items.append(
            f"การปกปิดข้อมูล / Confidentiality: no figure from fewer than {self.k} respondents is "
            f"shown; benchmarks are medians of published agency values, so a hidden value cannot "
            f"be worked out from them."
        )
        reliability = self.data.model("staff_reliability")
        if reliability is not None and len(reliability):
            alphas = ", ".join(
                f"{r.construct} {r.alpha:.2f}" for r in reliability.itertuples() if present(r.alpha)
            )
            items.append(
                f"ความเที่ยง / Reliability (Cronbach's alpha, all agencies): {alphas}. "
                f"Values of 0.7 and above are usually taken as adequate."
            )
        items.append(self._set_aside_text())
        if missing := self._missing_questions_text():
            items.append(missing)
        if kpi.targets_are_placeholders(self.root):
            items.append(
                "ข้อควรระวัง / Caveat: the guideline sets no numeric targets; the targets used "
                "here are placeholders in config/targets.yaml until the evaluators set them, so "
                "met / not met is provisional."
            )
        items.append(
            "ข้อควรระวัง / Caveat: the change test treats the two years as independent samples; "
            "position and funnel plots ignore the design effect and are a guide, not a verdict."
        )
        return (
            "<ul>"
            + "".join(f"<li{sources_attr(marks.get(n))}>{esc(i)}</li>" for n, i in enumerate(items))
            + "</ul>"
        )

    def _missing_questions_text(self) -> str:
        """The questions some of this agency's raw files did not hold ('' when none)."""
        frame = self.data.table("missing_questions")
        if frame is None or frame.empty:
            return ""
        mine = frame[frame["agency_code"] == self.agency]
        if mine.empty:
            return ""
        th, en = [], []
        for r in mine.itertuples():
            book = config.codebook(r.instrument, self.root)
            column = book.column(r.column)
            th.append(f"{column.th} ({book.th})")
            en.append(f"{column.en} ({book.en.lower()})")
        return (
            "คำถามที่ไม่มีในไฟล์ข้อมูล / Questions missing from data files: ไฟล์ข้อมูลดิบที่มีคำตอบของ"
            f"หน่วยงานนี้ไม่มีคอลัมน์ของคำถาม {'; '.join(th)} ผลที่เกี่ยวกับคำถามเหล่านี้จึงใช้เฉพาะคำตอบจาก"
            "ไฟล์ที่มีคำถามนั้น / The raw files holding this agency's answers had no column for "
            f"{'; '.join(en)}; results on these questions use only the answers of files that "
            "asked them."
        )

    def _set_aside_text(self) -> str:
        frame = self.data.table("set_aside_by_agency")
        mine = (
            frame[frame["agency_code"] == self.agency]
            if frame is not None
            else pd.DataFrame(columns=["instrument", "reason", "rows"])
        )
        if mine.empty:
            return (
                "การตรวจสอบข้อมูล / Data checks: no row naming this agency was set aside by cleaning."
            )
        parts = [
            f"{r.rows} {REASONS[r.reason][0]} / {REASONS[r.reason][1]} ({r.instrument})"
            for r in mine.itertuples()
        ]
        return (
            "การตรวจสอบข้อมูล / Data checks: rows naming this agency that cleaning set aside "
            f"(not counted in any figure): {'; '.join(parts)}."
        )
