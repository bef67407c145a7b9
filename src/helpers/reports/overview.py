"""The government-wide overview report for OCSC: O1-O3, how agencies are distributed on every
indicator, ministries, targets met and missed, funnel plots, model results and the trend over
the guideline period. Aggregates only; every data-derived string is escaped. Figures resting
on survey answers carry audit markers (``data-sources``, :func:`helpers.reports.htmlexport.sources`)
naming the agencies' respondents they rest on, for ``workbook audit``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.core import config, years
from helpers.indicators import kpi
from helpers.reports.charts import SOURCES
from helpers.reports.formatting import (
    bilingual,
    format_change,
    format_target,
    format_value,
    present,
    status_html,
)
from helpers.reports.funnel import funnel_data
from helpers.reports.htmlexport import esc, sources, sources_attr
from helpers.reports.tables import INDICATOR_SURVEY, YearData

STATUS_ORDER = ("met", "not_met", "no_target", "no_data", "suppressed")


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

    def header_html(self) -> str:
        rows = self.agency_rows
        n_agencies = rows["agency_code"].nunique()
        staff = rows[(rows["indicator"] == "A5") & rows["value"].notna()]
        citizen = rows[(rows["indicator"] == "A7") & rows["value"].notna()]
        facts = [
            ("ปีงบประมาณ / Fiscal year", f"พ.ศ. {self.year} (ค.ศ. {self.year - 543})", ""),
            ("หน่วยงานที่มีข้อมูล / Agencies with data", f"{n_agencies:,}", ""),
            (
                "ผลสำรวจบุคลากรที่เผยแพร่ / Agencies with staff results",
                f"{len(staff):,} ({int(staff['respondents'].sum()):,} คน / respondents)",
                self._sources(staff),
            ),
            (
                "ผลสำรวจผู้รับบริการที่เผยแพร่ / Agencies with citizen results",
                f"{len(citizen):,} ({int(citizen['respondents'].sum()):,} คน / respondents)",
                self._sources(citizen),
            ),
        ]
        cells = "".join(
            f"<div>{esc(a)}<b{sources_attr(mark)}>{esc(b)}</b></div>" for a, b, mark in facts
        )
        return (
            f'<header class="report-header" data-year="{self.year}"><h1>ภาพรวมทั้งประเทศ<br>'
            '<span class="en">Government-wide overview</span></h1>'
            f"<p>แนวทางการพัฒนาบุคลากรภาครัฐ พ.ศ. 2563–2565 / Public Sector Personnel "
            f"Development Guideline B.E. 2563–2565 · {esc(years.label(self.year))} · "
            f"{esc(years.label(self.year, 'en'))}</p><div class='facts'>{cells}</div></header>"
        )

    def ocsc_scorecard_html(self) -> str:
        body = []
        for code in kpi.OCSC_INDICATORS:
            th, en = self.data.label(code)
            if code not in self.ocsc_rows.index:
                body.append(
                    f'<tr data-indicator="{code}" data-status="no_data"><td><b>{code}</b> '
                    f"{bilingual(th, en)}</td><td class='num'>–</td><td></td>"
                    f"<td>{status_html('no_data', self.root)}</td><td></td></tr>"
                )
                continue
            row = self.ocsc_rows.loc[code]
            unit = row["unit"]
            target = self.data.targets[code]
            change = format_change(row) if present(row["value"]) else ""
            body.append(
                f'<tr data-indicator="{code}" data-status="{esc(row["status"])}">'
                f'<td><b>{code}</b> {esc(th)}<br><span class="en">{esc(en)}</span></td>'
                f'<td class="num">{esc(format_value(row["value"], unit))}</td>'
                f"<td>{esc(format_target(row['target'], unit, target['direction']))}</td>"
                f"<td>{status_html(row['status'], self.root)}</td><td>{change}</td></tr>"
            )
        return (
            '<table class="scorecard" id="scorecard"><colgroup><col style="width:40%">'
            + '<col style="width:15%">' * 4
            + "</colgroup><caption>ตัวชี้วัดระดับ สำนักงาน ก.พ. "
            "O1–O3 / OCSC indicators O1–O3</caption><thead><tr><th>ตัวชี้วัด / Indicator</th>"
            "<th class='num'>ค่า / Value</th><th>เป้าหมาย / Target</th><th>สถานะ / Status</th>"
            f"<th>เทียบปีก่อน / Change</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
        )

    def targets_table(self) -> pd.DataFrame:
        """Per agency indicator, how many agencies have each status."""
        counts = self.agency_rows.groupby(["indicator", "status"]).size().unstack(fill_value=0)
        counts = counts.reindex(index=list(kpi.AGENCY_INDICATORS), columns=STATUS_ORDER)
        return counts.fillna(0).astype(int)

    def targets_html(self) -> str:
        counts = self.targets_table()
        statuses = config.reports(self.root)["statuses"]
        head = "".join(
            f"<th class='num'>{esc(statuses[s]['symbol'])} {esc(statuses[s]['th'])}<br>"
            f"<span class='en'>{esc(statuses[s]['en'])}</span></th>"
            for s in STATUS_ORDER
        )
        body = []
        for code, row in counts.iterrows():
            th, en = self.data.label(code)
            cells = "".join(f"<td class='num'>{int(row[s])}</td>" for s in STATUS_ORDER)
            body.append(
                f'<tr data-indicator="{code}"><td><b>{code}</b> {esc(th)}<br>'
                f'<span class="en">{esc(en)}</span></td>{cells}</tr>'
            )
        missing = []
        for code in kpi.AGENCY_INDICATORS:
            rows = self.agency_rows[
                (self.agency_rows["indicator"] == code) & (self.agency_rows["status"] == "not_met")
            ]
            if len(rows):
                names = ", ".join(self._name(c) for c in sorted(rows["agency_code"]))
                missing.append(f"<li><b>{code}</b>: {esc(names)}</li>")
        listing = (
            "<h3>หน่วยงานที่ยังไม่บรรลุเป้าหมาย / Agencies not meeting each target</h3>"
            f"<ul>{''.join(missing)}</ul>"
            if missing
            else ""
        )
        return (
            '<table class="fixed"><colgroup><col style="width:40%">'
            + '<col style="width:12%">' * len(STATUS_ORDER)
            + "</colgroup><caption>จำนวนหน่วยงานตามสถานะ / Agencies by status</caption><thead><tr>"
            f"<th>ตัวชี้วัด / Indicator</th>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
            f"</table>{listing}"
        )

    def distribution(self, codes: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, float]]:
        """label/value of every published agency value, and the targets by label."""
        rows = self.agency_rows[
            self.agency_rows["indicator"].isin(codes) & self.agency_rows["value"].notna()
        ]
        labels = {c: f"{c} {self.data.label(c)[1]}" for c in codes}
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

    def distribution_alt(self, codes: tuple[str, ...]) -> str:
        frame, _ = self.distribution(codes)
        parts = []
        for label, part in frame.groupby("label", sort=False):
            parts.append(
                f"{label}: {len(part)} agencies, median {part['value'].median():.1f}, range "
                f"{part['value'].min():.1f} to {part['value'].max():.1f}"
            )
        return "Strip and box chart of agency values. " + "; ".join(parts) + "."

    def returns_html(self) -> str:
        """A1, A2 and A4 (agency returns) summarised across agencies."""
        items = []
        for code in ("A1", "A2", "A4"):
            th, en = self.data.label(code)
            values = self.agency_rows[
                (self.agency_rows["indicator"] == code) & self.agency_rows["value"].notna()
            ]["value"]
            if values.empty:
                items.append(f"<li>{bilingual(th, en)}: ไม่มีข้อมูล / no data</li>")
                continue
            if code == "A1":
                yes, of = int(values.sum()), len(values)
                text = f"{yes} จาก {of} หน่วยงาน / {yes} of {of} agencies"
            elif code == "A2":
                dist = values.value_counts().sort_index()
                text = ", ".join(f"ระดับ / level {lvl:g}: {n}" for lvl, n in dist.items())
            else:
                text = (
                    f"มัธยฐาน / median {values.median():g}, รวม / total {values.sum():,.0f} "
                    f"({len(values)} หน่วยงาน / agencies)"
                )
            items.append(f"<li><b>{code}</b> {bilingual(th, en)}: {esc(text)}</li>")
        return f"<ul>{''.join(items)}</ul>"

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
        body = []
        for r in self.ministries().itertuples():
            share = f"{100 * r.met / r.assessed:.0f}%" if r.assessed else "–"
            a5 = f"{r.a5_median:.1f}" if present(r.a5_median) else "–"
            a7 = f"{r.a7_median:.1f}%" if present(r.a7_median) else "–"
            body.append(
                f"<tr><td>{bilingual(r.ministry_th, r.ministry_en)}</td>"
                f"<td class='num'>{r.agencies}</td><td class='num'>{r.met} / {r.assessed} "
                f"({share})</td><td class='num'{sources_attr(r.a5_sources)}>{a5}</td>"
                f"<td class='num'{sources_attr(r.a7_sources)}>{a7}</td></tr>"
            )
        return (
            "<table><caption>เปรียบเทียบรายกระทรวง / Ministries compared (medians of published "
            "agency values)</caption><thead><tr><th>กระทรวง / Ministry</th>"
            "<th class='num'>หน่วยงาน / Agencies</th>"
            "<th class='num'>บรรลุ / ประเมินได้ · Met / assessed</th>"
            "<th class='num'>A5 มัธยฐาน / median</th><th class='num'>A7 มัธยฐาน / median</th>"
            f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )

    def funnel(self, code: str):
        return funnel_data(self.data, code)

    def funnel_outliers(self, code: str) -> str:
        """Agencies outside the 99.8% funnel limits, in words (plain text)."""
        points, _, centre, _ = self.funnel(code)
        if points.empty:
            return ""
        params = self.data.table("funnel_parameters").set_index("indicator").loc[code]
        out = []
        for r in points.itertuples():
            kw = {"sd": float(params["sd"])} if params["kind"] == "mean" else {"percent": True}
            pos = kpi.funnel_position(r.value, r.n, centre, **kw)
            if pos in ("above 99.8%", "below 99.8%"):
                out.append(f"{self._name(r.agency_code)} ({pos})")
        if not out:
            return f"{code}: ไม่มีหน่วยงานใดอยู่นอกขอบเขต 99.8% / no agency outside the 99.8% limits."
        return f"{code} นอกขอบเขต 99.8% / outside the 99.8% limits: {'; '.join(out)}."

    def funnel_outliers_html(self, code: str) -> str:
        return esc(self.funnel_outliers(code))

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

    def models_html(self) -> str:
        parts = []
        importance = self.data.model("staff_importance")
        names = config.reports(self.root)["satisfaction_drivers"]
        if importance is not None and len(importance):
            shares = ", ".join(
                f"{names.get(r.term, {'en': r.term})['en']} {100 * r.share_pratt:.0f}%"
                for r in importance.sort_values("share_pratt", ascending=False).itertuples()
            )
            parts.append(
                "ความพึงพอใจของบุคลากร / Staff satisfaction (proportional-odds model of overall "
                f"satisfaction, SEs clustered by agency): share of explained variation: {shares}."
            )
        ame = self.data.model("citizen_trust_ame")
        if ame is not None and len(ame):
            top = ame.sort_values("estimate", ascending=False).iloc[0]
            label = config.reports(self.root)["drivers"].get(top["term"], {"en": top["term"]})
            parts.append(
                "ความเชื่อมั่นของประชาชน / Citizen trust (weighted logit, OECD drivers): the "
                f"strongest driver is {label['en']}: one standard deviation more goes with "
                f"{100 * top['estimate']:.1f} percentage points more citizens with high trust "
                f"(95%: {100 * top['ci_low']:.1f} to {100 * top['ci_high']:.1f})."
            )
        panel = self.data.model("trust_link_panel")
        if panel is not None and len(panel):
            a3 = panel[panel["term"] == "A3"].iloc[0]
            limitations = panel["limitations"].iloc[0] if "limitations" in panel else ""
            significant = a3["p_value"] < kpi.SIGNIFICANCE
            parts.append(
                "การพัฒนาบุคลากรกับความเชื่อมั่น / Staff development and trust (agency-by-year "
                f"panel, years {panel['years'].iloc[0]}): 10 points more staff carrying out an "
                f"IDP (A3) go with {10 * a3['estimate']:+.1f} points of high trust (A7) "
                f"(95%: {10 * a3['ci_low']:+.1f} to {10 * a3['ci_high']:+.1f}; "
                f"{'statistically significant' if significant else 'not significant'}). "
                f"{limitations}"
            )
        else:
            parts.append(
                "การพัฒนาบุคลากรกับความเชื่อมั่น / Staff development and trust: not estimated "
                "(needs two or more processed years and ten or more agencies)."
            )
        parts.append(
            "ข้อควรระวัง / Caveat: these are associations in survey data, not proof of cause; "
            "the models adjust only for the drivers they include."
        )
        return "<ul>" + "".join(f"<li>{esc(p)}</li>" for p in parts) + "</ul>"

    # -- trend -------------------------------------------------------------------------------

    def trend(self, codes: tuple[str, ...]) -> pd.DataFrame:
        """fiscal_year, series (indicator), value: the median of agency values per year."""
        history = self.data.history
        rows = history[history["indicator"].isin(codes) & (history["agency_code"] != kpi.OCSC_CODE)]
        medians = rows.groupby(["indicator", "fiscal_year"])["value"].median().reset_index()
        medians["series"] = medians["indicator"].map(lambda c: f"{c} {self.data.label(c)[1]}")
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

    def trend_alt(self, codes: tuple[str, ...]) -> str:
        trend = self.trend(codes)
        parts = [
            f"{series}: "
            + ", ".join(
                f"{y} {v:.1f}" for y, v in zip(part["fiscal_year"], part["value"], strict=True)
            )
            for series, part in trend.groupby("series", sort=False)
        ]
        return "Line chart of the median agency value per fiscal year. " + "; ".join(parts)

    def ocsc_trend_html(self) -> str:
        history = self.data.history
        rows = history[history["agency_code"] == kpi.OCSC_CODE]
        if rows.empty:
            return ""
        pivot = rows.pivot_table(index="indicator", columns="fiscal_year", values="value")
        head = "".join(f"<th class='num'>{int(y)}</th>" for y in pivot.columns)
        body = []
        for code, row in pivot.iterrows():
            unit = kpi.INDICATORS[code].unit
            cells = "".join(
                f"<td class='num'>{esc(format_value(v, unit))}</td>" for v in row.to_numpy()
            )
            body.append(
                f"<tr><td><b>{esc(code)}</b> {bilingual(*self.data.label(code))}</td>{cells}</tr>"
            )
        return (
            "<table><caption>O1–O3 ตามปีงบประมาณ / O1–O3 by fiscal year</caption><thead><tr>"
            f"<th>ตัวชี้วัด / Indicator</th>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
            "</table>"
        )
