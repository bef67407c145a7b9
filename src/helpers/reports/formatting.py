"""Formatting shared by the agency report and the overview: values, intervals, targets,
changes, statuses and ranks as report text, and HTML fragments shown in a notebook.

Conventions: Thai first, each Thai label or sentence followed by its English in
``<span class="en" lang="en">`` (:func:`bilingual`, :func:`para`), which the page shows muted
on a line of its own; a status is always a symbol AND words (never colour alone); a
suppressed value is never shown, and says why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from helpers.core import config
from helpers.indicators import kpi
from helpers.reports.htmlexport import esc, sources_attr


def show(fragment: str) -> None:
    """Display an HTML fragment in the notebook (and so in the report)."""
    from IPython.display import HTML, display

    display(HTML(fragment))


def bilingual(th: str, en: str, *, inline: bool = False) -> str:
    """Thai text and its English, escaped: ``th<span class="en" lang="en">en</span>``.

    Args:
        th: the Thai text (plain text).
        en: the English text (plain text).
        inline: keep the English on the same line, after a slash (for short labels in
            running text); by default it has a line of its own.
    """
    css = "en en-inline" if inline else "en"
    gap = " / " if inline else ""
    return f'{esc(th)}<span class="{css}" lang="en">{gap}{esc(en)}</span>'


def split_bilingual(text: str) -> tuple[str, str]:
    """A text written "ไทย / English" (a value, a label) as (Thai, English); a text without
    " / " as itself twice."""
    th, _, en = str(text).partition(" / ")
    return th, en or th


def thai_amount(text: str) -> str:
    """A value, interval or target (as :func:`format_value` and friends write it) as Thai
    prose writes it: "45.1%" -> "ร้อยละ 45.1", "≥ 80.0%" -> "ไม่น้อยกว่าร้อยละ 80.0",
    "≤ 3" -> "ไม่เกิน 3", "ระดับ 4 / Level 4" -> "ระดับ 4"."""
    text = split_bilingual(text)[0]
    bound = ""
    if text.startswith(("≥ ", "≤ ")):
        bound, text = ("ไม่น้อยกว่า" if text[0] == "≥" else "ไม่เกิน"), text[2:]
    if text.endswith("%"):
        text = f"ร้อยละ {text[:-1]}"
    gap = " " if bound and text[:1].isdigit() else ""
    return f"{bound}{gap}{text}"


def thai_list(items: list[str]) -> str:
    """Items listed the Thai way: separated by spaces, และ before the last ("ก ข และ ค")."""
    if len(items) < 2:
        return "".join(items)
    return " ".join(items[:-1]) + f" และ {items[-1]}"


def english_list(items: list[str]) -> str:
    """Items listed in English: "a, b and c"."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"


def bilingual_text(text: str) -> str:
    """A report text written "ไทย / English" (a value such as "ใช่ / Yes") as markup with
    the English marked; a text without " / " is only escaped."""
    th, sep, en = str(text).partition(" / ")
    return bilingual(th, en, inline=True) if sep else esc(text)


def para(th: str, en: str, *, css: str = "", attrs: str = "") -> str:
    """A paragraph: the whole Thai sentence, then the whole English one below it (escaped).

    Args:
        th: the Thai sentence(s) (plain text).
        en: the English sentence(s) (plain text).
        css: classes of the paragraph.
        attrs: further attributes, already escaped (an audit marker, say).
    """
    cls = f' class="{esc(css)}"' if css else ""
    return f"<p{cls}{attrs}>{bilingual(th, en)}</p>"


def facts_html(facts: list[tuple[tuple[str, str], str, str]]) -> str:
    """A report header's facts as a ``<dl class="facts">``.

    Args:
        facts: (label as (Thai, English), value as HTML, audit marker or '') each.
    """
    cells = "".join(
        f"<div><dt>{bilingual(*label, inline=True)}</dt><dd{sources_attr(mark)}>{value}</dd></div>"
        for label, value, mark in facts
    )
    return f'<dl class="facts">{cells}</dl>'


def report_subtitle(year: int) -> str:
    """The line under a report's title: the guideline and the fiscal year, Thai then English."""
    return para(
        f"รายงานผลการประเมินตามแนวทางการพัฒนาบุคลากรภาครัฐ พ.ศ. 2563–2565 ปีงบประมาณ พ.ศ. {year}",
        "Evaluation report under the Public Sector Personnel Development Guideline "
        f"B.E. 2563–2565, fiscal year {year - 543} (B.E. {year})",
    )


def present(value: Any) -> bool:
    """Whether a value is there (not None, not NaN or NA)."""
    return value is not None and not pd.isna(value)


# ----------------------------------------------------------------------------- formatting


def format_value(value: Any, unit: str) -> str:
    """An indicator value as text in its unit ('72.4%', '68.1', 'ระดับ 4', 'ใช่ / Yes')."""
    if not present(value):
        return "–"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "index_0_100":
        return f"{value:.1f}"
    if unit == "level_1_5":
        return f"ระดับ {value:g} / Level {value:g}"
    if unit == "yes_no":
        return "ใช่ / Yes" if value >= 0.5 else "ไม่ใช่ / No"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def format_interval(low: Any, high: Any, unit: str) -> str:
    if not (present(low) and present(high)):
        return ""
    suffix = "%" if unit == "percent" else ""
    return f"{low:.1f}–{high:.1f}{suffix}"


def format_target(target: Any, unit: str, direction: str = ">=") -> str:
    if not present(target):
        return "ยังไม่กำหนด / not set"
    sign = "≥" if direction == ">=" else "≤"
    if unit == "yes_no":
        return "ใช่ / Yes" if target >= 0.5 else "ไม่ใช่ / No"
    return f"{sign} {format_value(target, unit)}"


def status_html(status: str, root: Path | None = None) -> str:
    """A status badge: symbol, Thai and English words. While ``config/targets.yaml`` marks
    its targets as placeholders, "met" and "not met" are shown as the neutral comparison
    with a provisional target (``provisional_statuses`` in ``config/reports.yaml``)."""
    wording = config.reports(root)
    spec = wording["statuses"][status]
    css = status
    if status in ("met", "not_met") and kpi.targets_are_placeholders(root):
        spec, css = wording["provisional_statuses"][status], "provisional"
    return (
        f'<span class="status status-{esc(css)}" data-status="{esc(status)}">'
        f"{esc(spec['symbol'])} {bilingual(spec['th'], spec['en'], inline=True)}</span>"
    )


def provisional_targets(root: Path | None = None) -> bool:
    """Whether the targets are placeholders the evaluators have not yet confirmed."""
    return kpi.targets_are_placeholders(root)


def placeholder_notice(root: Path | None = None) -> str:
    """The notice shown above a scorecard while the targets are placeholders ('' after)."""
    if not kpi.targets_are_placeholders(root):
        return ""
    spec = config.reports(root)["placeholder_notice"]
    return (
        '<div class="notice" role="note" id="placeholder-targets">'
        + para(spec["title_th"], spec["title_en"], css="notice-title")
        + para(spec["th"], spec["en"])
        + "</div>"
    )


def format_change(row: pd.Series) -> str:
    """Change from last year; a mark (▲/▼ and words) only where the change is significant."""
    change = row.get("change")
    if not present(change):
        return (
            f'<span class="note">{bilingual("ไม่มีข้อมูลปีก่อน", "no previous year", inline=True)}</span>'
        )
    unit = row["unit"]
    if abs(change) < kpi.TOLERANCE:
        return bilingual("ไม่เปลี่ยนแปลง", "no change", inline=True)
    text = f"{change:+.1f}" if unit in ("percent", "index_0_100") else f"{change:+g}"
    if unit == "percent":  # percentage points
        text = esc(text) + " " + bilingual("จุดร้อยละ", "pp", inline=True)
    else:
        text = esc(text)
    if not bool(row.get("change_significant")):
        return text
    arrow = "▲" if change > 0 else "▼"
    return (
        f'{text} <span class="change-sig" data-significant="true">{arrow} '
        f"{bilingual('มีนัยสำคัญ', 'significant', inline=True)} ({format_p(row['change_p'])})"
        "</span>"
    )


def format_p(p: float) -> str:
    """'p = 0.038', or 'p < 0.001' below that."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def ordinal_rank(values: pd.Series, value: float) -> tuple[int, int, bool]:
    """(rank, out of, tied): 1 + the number of published values strictly above ``value``."""
    values = values.dropna()
    rank = int((values > value + kpi.TOLERANCE).sum()) + 1
    tied = int((values - value).abs().le(kpi.TOLERANCE).sum()) > 1
    return rank, len(values), tied


def without_counts(text: Any) -> str:
    """The weighting's cell-collapsing note without its counts, which can be below the
    reporting threshold: 'a+b -> c (a: n=0; b: n=2)' becomes 'a+b -> c', and any other
    bracket holding a number goes too."""
    import re

    if not present(text):
        return ""
    return re.sub(r"\s*\([^()]*\d[^()]*\)", "", str(text)).strip()


def suppression_text(reason: Any, k: int) -> str:
    if present(reason) and str(reason):
        return f"ผู้ตอบน้อยกว่า {k} คน / {reason}"
    return f"ผู้ตอบน้อยกว่า {k} คน / fewer than {k} respondents"
